//! SVG charts of a series: the % of each region held by a status over time,
//! titled by the regions, with a month/year date axis and credits.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::timeline::Timeline;
use crate::{Error, Result, Share, Status};

const W: f64 = 900.0;
const H: f64 = 460.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 220.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 70.0;
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

/// The title and credits of a chart.
///
/// ```
/// let o = frontline::timeline::chart::ChartOptions::default();
/// assert!(o.credits.contains("DeepStateMap"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ChartOptions {
    /// The title at the top.
    pub title: String,
    /// The credits at the bottom.
    pub credits: String,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            title: "Occupied and contested, % of area".into(),
            credits: "Zones: DeepStateMap · Boundaries: © OpenStreetMap contributors".into(),
        }
    }
}

/// A chart's title from its regions: their names (up to three), or "N regions
/// of `<file stem>`".
///
/// ```
/// use frontline::timeline::chart::title_for;
/// let file = std::path::Path::new("../shared/data/admin/donetsk/raions.geojson");
/// assert_eq!(
///     title_for(&["Pokrovsk", "Bakhmut"], file),
///     "Pokrovsk and Bakhmut: occupied and contested, % of area"
/// );
/// let eight = ["a", "b", "c", "d", "e", "f", "g", "h"];
/// assert_eq!(title_for(&eight, file), "8 regions of raions: occupied and contested, % of area");
/// ```
pub fn title_for(names: &[&str], file: &Path) -> String {
    let what = match names {
        [] => "No region".to_string(),
        [one] => one.to_string(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        many => format!(
            "{} regions of {}",
            many.len(),
            file.file_stem()
                .map(|s| s.to_string_lossy().trim_end_matches(".geojson").to_string())
                .unwrap_or_else(|| file.display().to_string())
        ),
    };
    format!("{what}: occupied and contested, % of area")
}

/// Date ticks for a span: the first of every month, quarter, half-year or year
/// (so that there are at most eight), or days for spans under three months;
/// each with its label's two lines (month or day, and the year where it
/// changes).
fn date_ticks(t0: DateTime<Utc>, t1: DateTime<Utc>) -> Vec<(DateTime<Utc>, String, String)> {
    let (d0, d1) = (t0.date_naive(), t1.date_naive());
    let mut ticks = Vec::new();
    let days = (d1 - d0).num_days();
    let at = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    if days < 90 {
        let step = [1i64, 2, 7, 14, 28]
            .into_iter()
            .find(|s| days / s <= 8)
            .unwrap_or(28);
        // From the first midnight in the span.
        let mut d = if at(d0).is_some_and(|t| t >= t0) {
            d0
        } else {
            d0 + Duration::days(1)
        };
        let mut last_year = None;
        while d <= d1 {
            if let Some(t) = at(d).filter(|t| *t >= t0) {
                let year = (last_year != Some(d.year())).then(|| d.year().to_string());
                last_year = Some(d.year());
                ticks.push((t, d.format("%-d %b").to_string(), year.unwrap_or_default()));
            }
            d += Duration::days(step);
        }
        return ticks;
    }
    let months = (d1.year() - d0.year()) * 12 + d1.month() as i32 - d0.month() as i32;
    let step = [1, 3, 6, 12, 24, 60]
        .into_iter()
        .find(|s| months / s <= 8)
        .unwrap_or(120);
    let (mut y, mut m) = (d0.year(), d0.month() as i32);
    let mut last_year = None;
    while let Some(d) = NaiveDate::from_ymd_opt(y, m as u32, 1) {
        if d > d1 {
            break;
        }
        let index = y * 12 + m - 1;
        if index % step == 0
            && let Some(t) = at(d).filter(|t| *t >= t0)
        {
            let (top, bottom) = if step >= 12 {
                (y.to_string(), String::new())
            } else {
                let year = (last_year != Some(y)).then(|| y.to_string());
                (d.format("%b").to_string(), year.unwrap_or_default())
            };
            last_year = Some(y);
            ticks.push((t, top, bottom));
        }
        m += 1;
        if m > 12 {
            (y, m) = (y + 1, 1);
        }
    }
    ticks
}

/// Writes a standalone SVG line chart of a series (see [`write_chart`]) titled
/// `title`, with the default credits.
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
///
/// # Errors
///
/// As [`write_chart`]: an error when there is no snapshot or no status, or the
/// chart cannot be written to `out`.
pub fn write_svg(
    series: &Timeline<Vec<Share>>,
    statuses: &[Status],
    title: &str,
    out: impl Write,
) -> Result<()> {
    let options = ChartOptions {
        title: title.into(),
        ..ChartOptions::default()
    };
    write_chart(series, statuses, &options, out)
}

/// Writes a standalone SVG line chart of a series: one line per region and
/// status (the % of the region), month/year ticks along the bottom, 0-100 %
/// ticks up the side, a legend and the credits. Contested lines are dashed.
///
/// ```
/// use frontline::timeline::{LoadOptions, load_series, chart::{write_chart, ChartOptions}};
/// use frontline::Status;
/// let towns = frontline::import::read_places("data/city.geojson")?;
/// let s = load_series(&["data/snapshots"], &towns.find("Demo City")?, &LoadOptions::default())?;
/// let mut svg = Vec::new();
/// write_chart(&s, &[Status::OCCUPIED], &ChartOptions::default(), &mut svg)?;
/// let svg = String::from_utf8(svg).unwrap();
/// assert!(svg.contains("Zones: DeepStateMap") && svg.contains(">2 Jun<"));
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when there is no snapshot or no status to chart, or the chart
/// cannot be written to `out`.
pub fn write_chart(
    series: &Timeline<Vec<Share>>,
    statuses: &[Status],
    options: &ChartOptions,
    mut out: impl Write,
) -> Result<()> {
    let (Some((t0, t1)), false) = (series.span(), statuses.is_empty()) else {
        return Err(Error::Invalid(
            "nothing to chart: no snapshot or no status".into(),
        ));
    };
    let span = (t1 - t0).num_seconds().max(1) as f64;
    // One snapshot: a span of a day around it, so that the axis has ticks.
    let (t0, t1, span) = if t1 == t0 {
        let t0 = t0 - Duration::hours(12);
        (t0, t1 + Duration::hours(12), 86_400.0)
    } else {
        (t0, t1, span)
    };
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
        escape(&options.title)
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
    // Date ticks: months, quarters or years, the year written where it changes.
    for (d, top, bottom) in date_ticks(t0, t1) {
        let xx = x(d);
        let _ = writeln!(
            s,
            r#"<line x1="{xx:.1}" y1="{:.1}" x2="{xx:.1}" y2="{:.1}" stroke="black"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{}</text><text x="{xx:.1}" y="{:.1}" text-anchor="middle" font-weight="bold">{}</text>"#,
            TOP + ph,
            TOP + ph + 5.0,
            TOP + ph + 18.0,
            escape(&top),
            TOP + ph + 32.0,
            escape(&bottom)
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{LEFT}" y="{:.1}" font-size="11" fill="#555555">{}</text>"##,
        H - 10.0,
        escape(&options.credits)
    );
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn ticks_read_as_months_and_years() {
        // The raw weekly archive's span: half-years, every January with its year.
        let t = date_ticks(at(2022, 4, 3), at(2025, 8, 3));
        let labels: Vec<&str> = t.iter().map(|(_, a, _)| a.as_str()).collect();
        assert_eq!(labels, ["Jul", "Jan", "Jul", "Jan", "Jul", "Jan", "Jul"]);
        assert!(t.iter().all(|(_, a, b)| a != "Jan" || b.starts_with("20")));
        // Ten years: years.
        let t = date_ticks(at(2015, 4, 3), at(2025, 8, 3));
        assert!(
            t.iter()
                .all(|(_, a, b)| a.starts_with("20") && b.is_empty())
        );
        // A year: months, the year under the first and under January.
        let t = date_ticks(at(2024, 2, 10), at(2025, 2, 10));
        let first = &t[0];
        assert_eq!((first.1.as_str(), first.2.as_str()), ("Apr", "2024"));
        assert!(t.iter().any(|(_, a, b)| a == "Jan" && b == "2025"));
        assert!(t.iter().all(|(d, _, _)| *d >= at(2024, 2, 10)));
        // Two weeks: days.
        let t = date_ticks(at(2025, 6, 1), at(2025, 6, 14));
        assert_eq!(t[0].1, "2 Jun");
    }
}
