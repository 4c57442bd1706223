//! SVG charts of a series: the % of each region held by a status over time.

use std::fmt::Write as _;
use std::io::Write;

use crate::timeline::Timeline;
use crate::{Error, Result, Share, Status};

const W: f64 = 900.0;
const H: f64 = 460.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 220.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 50.0;
const COLOURS: [&str; 10] = [
    "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes a standalone SVG line chart of a series: one line per region and
/// status (the % of the region), date ticks along the bottom, 0-100 % ticks up
/// the side, and a legend. Contested lines are dashed.
///
/// ```
/// use frontline::timeline::{LoadOptions, load_series, chart::write_svg};
/// use frontline::Status;
/// let towns = frontline::import::read_places("data/city.geojson")?;
/// let s = load_series(&["data/snapshots"], &towns.find("Demo City")?, &LoadOptions::default())?;
/// let mut svg = Vec::new();
/// write_svg(&s, &[Status::OCCUPIED, Status::CONTESTED], "Demo City", &mut svg)?;
/// let svg = String::from_utf8(svg).unwrap();
/// assert!(svg.starts_with("<?xml") && svg.contains("Demo City contested"));
/// assert_eq!(svg.matches("<path ").count(), 2);
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn write_svg(
    series: &Timeline<Vec<Share>>,
    statuses: &[Status],
    title: &str,
    mut out: impl Write,
) -> Result<()> {
    let (Some((t0, t1)), false) = (series.span(), statuses.is_empty()) else {
        return Err(Error::Invalid(
            "nothing to chart: no snapshot or no status".into(),
        ));
    };
    let span = (t1 - t0).num_seconds().max(1) as f64;
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let x = |d: chrono::DateTime<chrono::Utc>| LEFT + pw * (d - t0).num_seconds() as f64 / span;
    let y = |pct: f64| TOP + ph * (1.0 - pct.clamp(0.0, 100.0) / 100.0);
    let mut s = String::new();
    let _ = writeln!(s, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="18" font-size="14">{}</text>"#,
        escape(title)
    );
    // Axes and % ticks.
    for pct in [0.0, 20.0, 40.0, 60.0, 80.0, 100.0] {
        let yy = y(pct);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{pct} %</text>"##,
            LEFT + pw,
            LEFT - 6.0,
            yy + 4.0
        );
    }
    let _ = writeln!(
        s,
        r#"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{:.1}" stroke="black"/><line x1="{LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="black"/>"#,
        TOP + ph,
        TOP + ph,
        LEFT + pw,
        TOP + ph
    );
    // Date ticks: up to six, evenly spaced in time.
    let ticks = 6.min(series.len().max(2) - 1).max(1);
    for k in 0..=ticks {
        let d = t0 + chrono::Duration::seconds((span * k as f64 / ticks as f64) as i64);
        let xx = x(d);
        let _ = writeln!(
            s,
            r#"<line x1="{xx:.1}" y1="{:.1}" x2="{xx:.1}" y2="{:.1}" stroke="black"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            TOP + ph,
            TOP + ph + 5.0,
            TOP + ph + 20.0,
            d.format("%Y-%m-%d")
        );
    }
    // One line per region and status, and its legend entry.
    let regions: Vec<String> = series
        .entries()
        .first()
        .map(|e| e.value.iter().map(|sh| sh.region.clone()).collect())
        .unwrap_or_default();
    let mut n = 0;
    for (r, region) in regions.iter().enumerate() {
        for status in statuses {
            let colour = COLOURS[(if statuses.len() > 1 { r } else { n }) % COLOURS.len()];
            let dash = if status == &Status::CONTESTED {
                r#" stroke-dasharray="5,3""#
            } else {
                ""
            };
            let mut d = String::new();
            for (i, e) in series.iter().enumerate() {
                let pct = e.value.get(r).map_or(0.0, |sh| sh.pct(status));
                let _ = write!(
                    d,
                    "{}{:.1},{:.1} ",
                    if i == 0 { "M" } else { "L" },
                    x(e.date),
                    y(pct)
                );
            }
            let label = escape(&format!("{region} {status}"));
            let _ = writeln!(
                s,
                r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="1.5"{dash}><title>{label}</title></path>"#,
                d.trim_end()
            );
            let ly = TOP + 8.0 + 18.0 * n as f64;
            let lx = LEFT + pw + 15.0;
            let _ = writeln!(
                s,
                r#"<line x1="{lx}" y1="{ly}" x2="{:.1}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/><text x="{:.1}" y="{:.1}">{label}</text>"#,
                lx + 20.0,
                lx + 26.0,
                ly + 4.0
            );
            n += 1;
        }
    }
    s.push_str("</svg>\n");
    out.write_all(s.as_bytes())
        .map_err(|e| Error::Invalid(format!("cannot write the chart: {e}")))
}
