//! SVG maps of an export: zones, the front line, places with labels, a legend, a
//! geodesic scale bar and attribution.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use geo::{BoundingRect, Coord, Geometry, LineString, Rect};
use geographiclib_rs::{Geodesic, InverseGeodesic};
use serde_json::Value;

use super::html::escape;
use crate::{Error, Result};

/// Size and title of an SVG map.
///
/// ```
/// let o = frontline::export::SvgOptions::default();
/// assert_eq!(o.width, 1000.0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SvgOptions {
    /// Width in pixels (the height follows the data's shape).
    pub width: f64,
    /// A title drawn at the top.
    pub title: String,
    /// Attribution drawn at the bottom.
    pub attribution: String,
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions {
            width: 1000.0,
            title: "frontline map".into(),
            attribution: "Zones: DeepStateMap · Boundaries: © OpenStreetMap contributors".into(),
        }
    }
}

const MARGIN: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;

/// Web Mercator y of a latitude (radians of arc), x is longitude in radians.
fn mercator(c: Coord<f64>) -> Coord<f64> {
    let lat = c.y.clamp(-85.0, 85.0).to_radians();
    Coord {
        x: c.x.to_radians(),
        y: (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln(),
    }
}

struct Frame {
    min: Coord<f64>,
    max: Coord<f64>,
    scale: f64,
}

impl Frame {
    fn px(&self, c: Coord<f64>) -> (f64, f64) {
        let m = mercator(c);
        (
            MARGIN + (m.x - self.min.x) * self.scale,
            TOP + (self.max.y - m.y) * self.scale,
        )
    }

    fn path(&self, lines: &[&LineString<f64>], close: bool) -> String {
        let mut d = String::new();
        for line in lines {
            for (i, c) in line.0.iter().enumerate() {
                let (x, y) = self.px(*c);
                let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
            }
            if close {
                d.push('Z');
            }
        }
        d
    }
}

/// A round length (1, 2 or 5 × 10ⁿ km) near a fifth of `km`.
fn nice_km(km: f64) -> f64 {
    let target = km / 5.0;
    let p = 10f64.powf(target.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * p)
        .find(|v| *v <= target)
        .unwrap_or(p)
}

fn text(p: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Renders the features of `collection` as an SVG document: every polygon
/// feature as one `<path class="feature ...">` (filled by its `fill`,
/// even-odd), every line as one stroked `<path class="feature ...">`, every
/// point as a `<circle class="feature ...">` with its `name` as a label; a legend
/// of the statuses, a scale bar measured geodesically (WGS84) along the map's
/// middle latitude, and attribution. Web Mercator projection.
///
/// An error only for features whose geometry cannot be read.
///
/// ```
/// use frontline::{export::{svg_map, Export, ExportOptions, SvgOptions}, import};
/// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
/// let mut export = Export::new(ExportOptions::default())?;
/// export.layers(&snapshot)?;
/// let svg = svg_map(&export.to_feature_collection(), &SvgOptions::default())?;
/// assert!(svg.starts_with("<svg"));
/// assert_eq!(svg.matches(r#"class="feature"#).count(), 3);
/// assert!(svg.contains("DeepStateMap"));
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn svg_map(collection: &geojson::FeatureCollection, options: &SvgOptions) -> Result<String> {
    let mut items: Vec<(Geometry<f64>, serde_json::Map<String, Value>)> = Vec::new();
    for (i, f) in collection.features.iter().enumerate() {
        let Some(g) = &f.geometry else { continue };
        let geometry = Geometry::<f64>::try_from(g)
            .map_err(|e| Error::Invalid(format!("feature {i}: unusable geometry: {e}")))?;
        items.push((geometry, f.properties.clone().unwrap_or_default()));
    }
    let mut bounds: Option<Rect<f64>> = None;
    for (g, _) in &items {
        if let Some(r) = g.bounding_rect() {
            bounds = Some(match bounds {
                None => r,
                Some(b) => Rect::new(
                    Coord {
                        x: b.min().x.min(r.min().x),
                        y: b.min().y.min(r.min().y),
                    },
                    Coord {
                        x: b.max().x.max(r.max().x),
                        y: b.max().y.max(r.max().y),
                    },
                ),
            });
        }
    }
    // No features: a map of a small default area, so the document is still whole.
    let geo_box =
        bounds.unwrap_or_else(|| Rect::new(Coord { x: 37.0, y: 48.0 }, Coord { x: 38.0, y: 49.0 }));
    let (lo, hi) = (mercator(geo_box.min()), mercator(geo_box.max()));
    // A point or a line along a parallel has no extent: pad it.
    let pad = ((hi.x - lo.x).max(hi.y - lo.y) * 0.05).max(1e-4);
    let (min, max) = (
        Coord {
            x: lo.x - pad,
            y: lo.y - pad,
        },
        Coord {
            x: hi.x + pad,
            y: hi.y + pad,
        },
    );
    let width = if options.width.is_finite() && options.width >= 200.0 {
        options.width
    } else {
        1000.0
    };
    let scale = (width - 2.0 * MARGIN) / (max.x - min.x);
    let map_h = ((max.y - min.y) * scale).min(4.0 * width);
    let height = TOP + map_h + BOTTOM;
    let frame = Frame { min, max, scale };

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif">"##
    );
    let _ = writeln!(
        svg,
        r##"<rect width="100%" height="100%" fill="#f7f5f0"/>"##
    );
    let _ = writeln!(
        svg,
        r##"<text x="{MARGIN}" y="26" font-size="18" font-weight="bold">{}</text>"##,
        escape(&options.title)
    );
    // Polygons first, then lines, then points and their labels on top.
    let mut legend: BTreeMap<String, String> = BTreeMap::new();
    for pass in 0..3 {
        for (g, p) in &items {
            let kind = text(p, "kind").unwrap_or_default();
            let status = text(p, "status").unwrap_or_default();
            let class = format!(
                "feature kind-{} status-{}",
                escape(&kind).replace(' ', "_"),
                escape(&status).replace(' ', "_")
            );
            let title = text(p, "name").map(|n| format!("<title>{}</title>", escape(&n)));
            let title = title.unwrap_or_default();
            match (pass, g) {
                (0, Geometry::Polygon(_) | Geometry::MultiPolygon(_)) => {
                    let polygons: Vec<&geo::Polygon<f64>> = match g {
                        Geometry::Polygon(p) => vec![p],
                        Geometry::MultiPolygon(m) => m.0.iter().collect(),
                        _ => vec![],
                    };
                    let rings: Vec<&LineString<f64>> = polygons
                        .iter()
                        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                        .collect();
                    let fill = text(p, "fill").unwrap_or_else(|| "#888888".into());
                    let opacity = p.get("fill-opacity").and_then(Value::as_f64).unwrap_or(0.4);
                    let stroke = text(p, "stroke").unwrap_or_else(|| fill.clone());
                    if !status.is_empty() {
                        legend.entry(status.clone()).or_insert_with(|| fill.clone());
                    }
                    let _ = writeln!(
                        svg,
                        r#"<path class="{class}" d="{}" fill="{}" fill-opacity="{opacity}" fill-rule="evenodd" stroke="{}" stroke-width="0.8">{title}</path>"#,
                        frame.path(&rings, true),
                        escape(&fill),
                        escape(&stroke)
                    );
                }
                (1, Geometry::LineString(_) | Geometry::MultiLineString(_)) => {
                    let lines: Vec<&LineString<f64>> = match g {
                        Geometry::LineString(l) => vec![l],
                        Geometry::MultiLineString(m) => m.0.iter().collect(),
                        _ => vec![],
                    };
                    let stroke = text(p, "stroke").unwrap_or_else(|| "#212121".into());
                    let w = p.get("stroke-width").and_then(Value::as_f64).unwrap_or(2.0);
                    let _ = writeln!(
                        svg,
                        r#"<path class="{class}" d="{}" fill="none" stroke="{}" stroke-width="{w}" stroke-linejoin="round">{title}</path>"#,
                        frame.path(&lines, false),
                        escape(&stroke)
                    );
                }
                (2, Geometry::Point(pt)) => {
                    let (x, y) = frame.px(pt.0);
                    let colour = text(p, "marker-color").unwrap_or_else(|| "#424242".into());
                    let _ = writeln!(
                        svg,
                        r##"<circle class="{class}" cx="{x:.1}" cy="{y:.1}" r="4" fill="{}" stroke="#ffffff" stroke-width="1">{title}</circle>"##,
                        escape(&colour)
                    );
                    if let Some(name) = text(p, "name") {
                        let _ = writeln!(
                            svg,
                            r##"<text class="label" x="{:.1}" y="{:.1}" font-size="12" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>"##,
                            x + 6.0,
                            y - 4.0,
                            escape(&name)
                        );
                    }
                }
                _ => {}
            }
        }
    }
    // Legend, top right.
    let lx = width - MARGIN - 170.0;
    let _ = writeln!(
        svg,
        r##"<g class="legend"><rect x="{lx}" y="{}" width="170" height="{}" fill="#ffffff" fill-opacity="0.85" stroke="#999999"/>"##,
        TOP + 4.0,
        8.0 + 18.0 * legend.len() as f64
    );
    for (i, (status, fill)) in legend.iter().enumerate() {
        let y = TOP + 10.0 + 18.0 * i as f64;
        let _ = writeln!(
            svg,
            r##"<rect x="{}" y="{y}" width="12" height="12" fill="{}" stroke="#555555"/><text x="{}" y="{}" font-size="12">{}</text>"##,
            lx + 8.0,
            escape(fill),
            lx + 26.0,
            y + 10.5,
            escape(status)
        );
    }
    let _ = writeln!(svg, "</g>");
    // Scale bar: the geodesic length of the map's width along its middle latitude.
    let mid_lat = (geo_box.min().y + geo_box.max().y) / 2.0;
    let west = geo_box.min().x - pad.to_degrees();
    let east = geo_box.max().x + pad.to_degrees();
    let map_w = width - 2.0 * MARGIN;
    let half: f64 = Geodesic::wgs84().inverse(mid_lat, west, mid_lat, (west + east) / 2.0);
    let across_km = 2.0 * half / 1000.0;
    if across_km.is_finite() && across_km > 0.0 {
        let bar_km = nice_km(across_km);
        let bar_px = bar_km / across_km * map_w;
        let y = TOP + map_h + 22.0;
        let label = if bar_km >= 1.0 {
            format!("{bar_km} km")
        } else {
            format!("{} m", (bar_km * 1000.0).round())
        };
        let _ = writeln!(
            svg,
            r##"<g class="scale-bar"><rect x="{MARGIN}" y="{y}" width="{bar_px:.1}" height="6" fill="#212121"/><text x="{MARGIN}" y="{}" font-size="12">{label}</text></g>"##,
            y - 4.0
        );
    }
    let _ = writeln!(
        svg,
        r##"<text class="attribution" x="{:.0}" y="{:.0}" font-size="11" text-anchor="end" fill="#555555">{}</text>"##,
        width - MARGIN,
        height - 10.0,
        escape(&options.attribution)
    );
    svg.push_str("</svg>\n");
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_lengths() {
        assert_eq!(nice_km(100.0), 20.0);
        assert_eq!(nice_km(60.0), 10.0);
        assert_eq!(nice_km(3.0), 0.5);
    }

    #[test]
    fn empty_and_point_only_maps_are_whole_documents() {
        let empty = svg_map(&geojson::FeatureCollection::new([]), &SvgOptions::default()).unwrap();
        assert!(empty.ends_with("</svg>\n") && !empty.contains("NaN"));
        let mut f =
            geojson::Feature::from(geojson::Geometry::new(geojson::GeometryValue::new_point([
                37.5, 48.5,
            ])));
        f.set_property("name", "A & B");
        let one = svg_map(
            &geojson::FeatureCollection::new([f]),
            &SvgOptions::default(),
        )
        .unwrap();
        assert!(one.contains("A &amp; B") && !one.contains("NaN") && !one.contains("inf"));
    }
}
