//! SVG maps of an export: zones, the front line, places with labels that never
//! overlap, a legend, a geodesic scale bar, credits and an optional locator
//! inset. The same writer draws the frames of animations (`animate`), which
//! rasterises its output.
//!
//! Layout, top to bottom: a header (title left, date right), the map (clipped
//! to its area), a footer (the legend and scale bar, then the credits). Nothing
//! but place labels and the inset is drawn over the map.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use geo::{BoundingRect, Coord, CoordsIter, Geometry, LineString, MultiPolygon, Polygon, Rect};
use geographiclib_rs::{Geodesic, InverseGeodesic};
use serde_json::Value;

use super::html::escape;
use super::labels::{LabelBox, LabelRequest, place_labels, text_width};
use super::{Credits, Style, simplify_m, status_name};
use crate::{Error, Precedence, Result, Snapshot, Status};

/// Which places get a label (every drawn place keeps its marker).
///
/// ```
/// use frontline::export::Labels;
/// assert!(Labels::All.wants(None));
/// assert!(!Labels::MinPopulation(10_000).wants(Some(9_999)));
/// assert!(!Labels::MinPopulation(1).wants(None));
/// assert!(!Labels::Off.wants(Some(1_000_000)));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Labels {
    /// Every named place, as room allows (the most populous first).
    #[default]
    All,
    /// Only places of at least this population, as room allows.
    MinPopulation(u64),
    /// No labels.
    Off,
}

impl Labels {
    /// Whether a place of this population may get a label.
    pub fn wants(&self, population: Option<u64>) -> bool {
        match self {
            Labels::All => true,
            Labels::MinPopulation(n) => population.is_some_and(|p| p >= *n),
            Labels::Off => false,
        }
    }
}

/// A locator inset: a small map of the wider context with the main map's area
/// marked, drawn in the corner of the map where it hides the least.
///
/// ```
/// use frontline::export::Inset;
/// let country = geo::Rect::new((22.0, 44.0), (40.0, 52.5)).to_polygon();
/// let inset = Inset::new(geo::MultiPolygon(vec![country]));
/// assert!(inset.layers.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Inset {
    /// The context's outline (e.g. a country), drawn light with a dark edge.
    pub base: MultiPolygon<f64>,
    /// Grounds drawn over it in a colour each (`#rrggbb`), e.g. the occupied areas.
    pub layers: Vec<(String, MultiPolygon<f64>)>,
}

impl Inset {
    /// An inset of an outline.
    pub fn new(base: MultiPolygon<f64>) -> Inset {
        Inset {
            base,
            layers: Vec::new(),
        }
    }

    /// An inset of a snapshot's whole extent: each status's ground in its colour,
    /// simplified to 2 km (an inset is a few hundred pixels), except the
    /// [`Status::OTHER`] territories (other countries'), which would stretch it
    /// across continents.
    ///
    /// ```
    /// use frontline::{export::{Inset, Style}, import};
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// let inset = Inset::of_snapshot(&snapshot, &Style::default());
    /// assert_eq!(inset.layers.len(), 3);
    /// assert_eq!(inset.layers[0].0, "#a52714"); // occupied first
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn of_snapshot(snapshot: &Snapshot, style: &Style) -> Inset {
        let mut statuses: Vec<Status> = snapshot
            .layers()
            .iter()
            .map(|l| l.status().clone())
            .filter(|s| *s != Status::OTHER)
            .collect();
        Precedence::default().sort(&mut statuses);
        let layers = statuses
            .iter()
            .filter_map(|s| {
                let g = snapshot.layer(s)?.geometry();
                Some((style.paint(s).fill.clone(), simplify_m(g, 2_000.0)))
            })
            .filter(|(_, g)| !g.0.is_empty())
            .collect();
        Inset {
            base: MultiPolygon(Vec::new()),
            layers,
        }
    }
}

/// Size, title and contents of an SVG map.
///
/// ```
/// let o = frontline::export::SvgOptions::default();
/// assert_eq!((o.width, o.height), (1000.0, None));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SvgOptions {
    /// Width in pixels.
    pub width: f64,
    /// Height in pixels (`None`: as the data's shape asks); with a height the map
    /// is fitted into the space and centred.
    pub height: Option<f64>,
    /// A title drawn at the top left.
    pub title: String,
    /// A date (or any label) drawn large at the top right.
    pub date_label: Option<String>,
    /// Credits drawn at the bottom (`None`: [`Credits::of`] the features, with
    /// boundaries credited when an outline or inset is drawn).
    pub attribution: Option<String>,
    /// The area shown, longitude/latitude (`None`: the features' box): fixed for
    /// every frame of an animation.
    pub extent: Option<Rect<f64>>,
    /// An outline drawn under the zones (the area of interest).
    pub outline: Option<MultiPolygon<f64>>,
    /// Which places get labels.
    pub labels: Labels,
    /// A locator inset.
    pub inset: Option<Inset>,
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions {
            width: 1000.0,
            height: None,
            title: "frontline map".into(),
            date_label: None,
            attribution: None,
            extent: None,
            outline: None,
            labels: Labels::All,
            inset: None,
        }
    }
}

/// Background of the page, of the map outside the outline, and inside it.
pub(crate) const PAPER: &str = "#f7f5f0";
pub(crate) const OUTSIDE: &str = "#e9e7e1";
pub(crate) const INSIDE: &str = "#fcfbf8";
/// The colours of text, marker edges, the front and the inset's mark.
pub(crate) const INK: &str = "#212121";
pub(crate) const MUTED: &str = "#555555";
pub(crate) const MARK: &str = "#d50000";
/// Markers of places on unmarked ground.
pub(crate) const UNMARKED_MARKER: &str = "#424242";

/// Web Mercator x (longitude in radians) and y.
fn mercator(c: Coord<f64>) -> Coord<f64> {
    let lat = c.y.clamp(-85.0, 85.0).to_radians();
    Coord {
        x: c.x.to_radians(),
        y: (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln(),
    }
}

/// Mercator box to pixel box: `px = ox + (x - min.x) * scale`, y flipped.
struct Frame {
    min: Coord<f64>,
    max: Coord<f64>,
    scale: f64,
    ox: f64,
    oy: f64,
}

impl Frame {
    /// The frame showing the mercator box `min..max` fitted and centred in the
    /// pixel box.
    fn fit(min: Coord<f64>, max: Coord<f64>, area: LabelBox) -> Frame {
        let (dx, dy) = ((max.x - min.x).max(1e-9), (max.y - min.y).max(1e-9));
        let scale = ((area.x1 - area.x0) / dx).min((area.y1 - area.y0) / dy);
        Frame {
            min,
            max,
            scale,
            ox: area.x0 + ((area.x1 - area.x0) - dx * scale) / 2.0,
            oy: area.y0 + ((area.y1 - area.y0) - dy * scale) / 2.0,
        }
    }

    fn px(&self, c: Coord<f64>) -> (f64, f64) {
        let m = mercator(c);
        (
            self.ox + (m.x - self.min.x) * self.scale,
            self.oy + (self.max.y - m.y) * self.scale,
        )
    }

    fn path(&self, lines: &[&LineString<f64>], close: bool) -> String {
        let mut d = String::new();
        for line in lines {
            // Consecutive vertices that fall on the same tenth of a pixel add
            // nothing to the drawing: skipped (the last one of a line is kept).
            let mut last: Option<(i64, i64)> = None;
            let n = line.0.len();
            for (i, c) in line.0.iter().enumerate() {
                let (x, y) = self.px(*c);
                let key = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
                if i > 0 && i + 1 < n && last == Some(key) {
                    continue;
                }
                last = Some(key);
                let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
            }
            if close {
                d.push('Z');
            }
        }
        d
    }

    fn polygons(&self, polygons: &[&Polygon<f64>]) -> String {
        let rings: Vec<&LineString<f64>> = polygons
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .collect();
        self.path(&rings, true)
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

fn population(p: &serde_json::Map<String, Value>) -> Option<u64> {
    match p.get("population")? {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn union_rect(a: Option<Rect<f64>>, b: Option<Rect<f64>>) -> Option<Rect<f64>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(Rect::new(
            Coord {
                x: a.min().x.min(b.min().x),
                y: a.min().y.min(b.min().y),
            },
            Coord {
                x: a.max().x.max(b.max().x),
                y: a.max().y.max(b.max().y),
            },
        )),
        (a, None) => a,
        (None, b) => b,
    }
}

/// A legend entry: a filled swatch, a line, or a place marker.
enum Key {
    Fill {
        fill: String,
        opacity: f64,
        stroke: String,
    },
    Line(String),
    Marker,
}

/// Renders the features of `collection` as an SVG document: every polygon
/// feature as one `<path class="feature ...">` (filled by its `fill`,
/// even-odd), every line as one stroked `<path class="feature ...">`, every
/// point as a `<circle class="feature ...">`, and the names of the places that
/// [`SvgOptions::labels`] asks for as `<text class="label">` where they fit
/// without overlapping one another ([`place_labels`], most populous first); a
/// legend of the statuses, a scale bar measured geodesically (WGS84) along the
/// map's middle latitude, and credits. Web Mercator projection.
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
/// // Occupied since 2014 and since 2022, contested, liberated; one legend entry
/// // for occupied.
/// assert_eq!(svg.matches(r#"class="feature"#).count(), 4);
/// assert_eq!(svg.matches(">Occupied</text>").count(), 1);
/// // The edge between the two parts is named.
/// assert!(svg.contains(">Line of contact, 23 Feb 2022</text>"));
/// assert!(svg.contains("Zones: DeepStateMap"));
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error naming the feature whose geometry cannot be used.
pub fn svg_map(collection: &geojson::FeatureCollection, options: &SvgOptions) -> Result<String> {
    let mut items: Vec<(Geometry<f64>, &serde_json::Map<String, Value>)> = Vec::new();
    let empty = serde_json::Map::new();
    for (i, f) in collection.features.iter().enumerate() {
        let Some(g) = &f.geometry else { continue };
        let geometry = Geometry::<f64>::try_from(g)
            .map_err(|e| Error::Invalid(format!("feature {i}: unusable geometry: {e}")))?;
        items.push((geometry, f.properties.as_ref().unwrap_or(&empty)));
    }
    let width = if options.width.is_finite() && options.width >= 200.0 {
        options.width
    } else {
        1000.0
    };
    // Sizes scale with the picture, so that a 1080 px frame reads like a 1000 px page.
    let k = (options.height.unwrap_or(width).min(width) / 1000.0).clamp(0.6, 3.0);
    let margin = 20.0 * k;
    let top = 48.0 * k;

    // The area shown: as asked, or the features' (and outline's) box, padded.
    let data_box = options.extent.or_else(|| {
        let mut b = None;
        for (g, _) in &items {
            b = union_rect(b, g.bounding_rect());
        }
        union_rect(b, options.outline.as_ref().and_then(|o| o.bounding_rect()))
    });
    // No features: a map of a small default area, so the document is still whole.
    let geo_box = data_box
        .unwrap_or_else(|| Rect::new(Coord { x: 37.0, y: 48.0 }, Coord { x: 38.0, y: 49.0 }));
    let (lo, hi) = (mercator(geo_box.min()), mercator(geo_box.max()));
    // A point or a line along a parallel has no extent: pad it.
    let pad = ((hi.x - lo.x).max(hi.y - lo.y) * 0.03).max(1e-4);
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

    // The legend, to know the footer's height.
    let mut legend: BTreeMap<Status, Key> = BTreeMap::new();
    let (mut has_line, mut has_points) = (None, false);
    for (g, p) in &items {
        match g {
            Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
                if let Some(s) = text(p, "status") {
                    let fill = text(p, "fill").unwrap_or_else(|| "#888888".into());
                    let opacity = p.get("fill-opacity").and_then(Value::as_f64).unwrap_or(0.4);
                    let stroke = text(p, "stroke").unwrap_or_else(|| fill.clone());
                    // Lost ground is drawn hollow: the legend shows the solid fill.
                    let lost = p.get("change").and_then(Value::as_str) == Some("lost");
                    if lost {
                        legend.entry(Status::new(&s)).or_insert(Key::Fill {
                            fill,
                            opacity: 0.4,
                            stroke,
                        });
                    } else {
                        legend.insert(
                            Status::new(&s),
                            Key::Fill {
                                fill,
                                opacity,
                                stroke,
                            },
                        );
                    }
                }
            }
            Geometry::LineString(_) | Geometry::MultiLineString(_) => {
                has_line = Some(text(p, "stroke").unwrap_or_else(|| INK.into()));
            }
            Geometry::Point(_) => has_points = true,
            _ => {}
        }
    }
    let mut statuses: Vec<Status> = legend.keys().cloned().collect();
    Precedence::default().sort(&mut statuses);
    let mut keys: Vec<(String, &Key)> = statuses
        .iter()
        .filter_map(|s| legend.get(s).map(|k| (status_name(s), k)))
        .collect();
    let line_key = has_line.map(Key::Line);
    if let Some(l) = &line_key {
        keys.push(("Front line".into(), l));
    }
    // Occupied ground drawn in its two parts shows the edge between them: the
    // line of contact before the full-scale invasion, which the legend names.
    let since = |year: &str| {
        items.iter().find_map(|(g, p)| {
            let area = matches!(g, Geometry::Polygon(_) | Geometry::MultiPolygon(_));
            (area && p.get("occupied_since").and_then(Value::as_str) == Some(year)).then(|| {
                text(p, "stroke")
                    .or_else(|| text(p, "fill"))
                    .unwrap_or_else(|| INK.into())
            })
        })
    };
    let contact_key = since("2014")
        .filter(|_| since("2022").is_some())
        .map(Key::Line);
    if let Some(l) = &contact_key {
        keys.push(("Line of contact, 23 Feb 2022".into(), l));
    }
    let marker_key = Key::Marker;
    if has_points {
        keys.push(("Place (its status's colour)".into(), &marker_key));
    }
    let font = 12.0 * k;
    let swatch = 14.0 * k;
    let row_h = 22.0 * k;
    let scale_w = 170.0 * k;
    // Legend entries in rows, left to right, wrapping before the scale bar's room.
    let mut rows: Vec<Vec<(f64, &(String, &Key))>> = vec![Vec::new()];
    let mut x = margin;
    for key in &keys {
        let w = swatch + 6.0 * k + text_width(&key.0, font) + 18.0 * k;
        let limit = if rows.len() == 1 {
            width - margin - scale_w
        } else {
            width - margin
        };
        if x + w > limit && !rows.last().is_some_and(|r| r.is_empty()) {
            rows.push(Vec::new());
            x = margin;
        }
        if let Some(r) = rows.last_mut() {
            r.push((x, key));
        }
        x += w;
    }
    let credits_h = 20.0 * k;
    let bottom = 10.0 * k + row_h * rows.len() as f64 + credits_h;

    // The map's area in pixels, and the height of the whole.
    let map_w = width - 2.0 * margin;
    let (height, map_area) = match options.height {
        Some(h) if h.is_finite() && h >= top + bottom + 100.0 => {
            (h, LabelBox::new(margin, top, width - margin, h - bottom))
        }
        _ => {
            let map_h = ((max.y - min.y) / (max.x - min.x) * map_w).clamp(100.0, 4.0 * width);
            (
                top + map_h + bottom,
                LabelBox::new(margin, top, width - margin, top + map_h),
            )
        }
    };
    let frame = Frame::fit(min, max, map_area);

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="DejaVu Sans, sans-serif">"##
    );
    let (mx, my, mw, mh) = (
        map_area.x0,
        map_area.y0,
        map_area.x1 - map_area.x0,
        map_area.y1 - map_area.y0,
    );
    let _ = writeln!(
        svg,
        r##"<defs><clipPath id="map-area"><rect x="{mx:.1}" y="{my:.1}" width="{mw:.1}" height="{mh:.1}"/></clipPath></defs>"##
    );
    let _ = writeln!(
        svg,
        r##"<rect width="100%" height="100%" fill="{PAPER}"/>"##
    );
    let _ = writeln!(
        svg,
        r##"<rect class="map-background" x="{mx:.1}" y="{my:.1}" width="{mw:.1}" height="{mh:.1}" fill="{}"/>"##,
        if options.outline.is_some() {
            OUTSIDE
        } else {
            PAPER
        }
    );
    let _ = writeln!(svg, r##"<g clip-path="url(#map-area)">"##);
    if let Some(outline) = &options.outline {
        let polygons: Vec<&Polygon<f64>> = outline.0.iter().collect();
        let _ = writeln!(
            svg,
            r##"<path class="outline-fill" d="{}" fill="{INSIDE}" fill-rule="evenodd" stroke="none"/>"##,
            frame.polygons(&polygons)
        );
    }
    // Polygons first, then lines, then points; labels on top.
    let mut requests: Vec<LabelRequest> = Vec::new();
    let marker_r = 3.5 * k;
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
                    let polygons: Vec<&Polygon<f64>> = match g {
                        Geometry::Polygon(p) => vec![p],
                        Geometry::MultiPolygon(m) => m.0.iter().collect(),
                        _ => vec![],
                    };
                    let fill = text(p, "fill").unwrap_or_else(|| "#888888".into());
                    let opacity = p.get("fill-opacity").and_then(Value::as_f64).unwrap_or(0.4);
                    let stroke = text(p, "stroke").unwrap_or_else(|| fill.clone());
                    let _ = writeln!(
                        svg,
                        r#"<path class="{class}" d="{}" fill="{}" fill-opacity="{opacity}" fill-rule="evenodd" stroke="{}" stroke-width="{:.2}">{title}</path>"#,
                        frame.polygons(&polygons),
                        escape(&fill),
                        escape(&stroke),
                        0.8 * k
                    );
                }
                (1, Geometry::LineString(_) | Geometry::MultiLineString(_)) => {
                    let lines: Vec<&LineString<f64>> = match g {
                        Geometry::LineString(l) => vec![l],
                        Geometry::MultiLineString(m) => m.0.iter().collect(),
                        _ => vec![],
                    };
                    let stroke = text(p, "stroke").unwrap_or_else(|| INK.into());
                    let w = p.get("stroke-width").and_then(Value::as_f64).unwrap_or(2.0) * k;
                    let _ = writeln!(
                        svg,
                        r#"<path class="{class}" d="{}" fill="none" stroke="{}" stroke-width="{w:.2}" stroke-linejoin="round" stroke-linecap="round">{title}</path>"#,
                        frame.path(&lines, false),
                        escape(&stroke)
                    );
                }
                (2, Geometry::Point(pt)) => {
                    let (x, y) = frame.px(pt.0);
                    let colour = text(p, "marker-color").unwrap_or_else(|| UNMARKED_MARKER.into());
                    let _ = writeln!(
                        svg,
                        r##"<circle class="{class}" cx="{x:.1}" cy="{y:.1}" r="{marker_r:.1}" fill="{}" stroke="#ffffff" stroke-width="{:.2}">{title}</circle>"##,
                        escape(&colour),
                        k
                    );
                    let r = marker_r + 0.5 * k;
                    let marker = LabelBox::new(x - r, y - r, x + r, y + r);
                    let pop = population(p);
                    if let Some(name) = text(p, "name").filter(|_| options.labels.wants(pop)) {
                        let size = match pop.unwrap_or(0) {
                            100_000.. => 15.0,
                            20_000.. => 13.0,
                            _ => 11.0,
                        } * k;
                        requests.push(LabelRequest {
                            at: (x, y),
                            text: name,
                            font_size: size,
                            priority: pop.unwrap_or(0) as f64,
                            halo: 1.5 * k,
                            // Clear of its own marker's box (and halo).
                            gap: marker_r + 2.5 * k,
                            marker: Some(marker),
                        });
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(outline) = &options.outline {
        let polygons: Vec<&Polygon<f64>> = outline.0.iter().collect();
        let _ = writeln!(
            svg,
            r##"<path class="outline" d="{}" fill="none" stroke="{MUTED}" stroke-width="{:.2}" stroke-linejoin="round"/>"##,
            frame.polygons(&polygons),
            1.2 * k
        );
    }
    // The inset, in the corner of the map it hides least of.
    let inset_box = options
        .inset
        .as_ref()
        .and_then(|inset| draw_inset(&mut svg, inset, &frame, map_area, &items, k));
    // Labels: off the markers of greater places, off the inset, inside the map.
    let obstacles: Vec<LabelBox> = inset_box.into_iter().collect();
    let placed = place_labels(&requests, map_area, &obstacles);
    for (n, l) in placed.iter().enumerate() {
        let r = &requests[l.index];
        let _ = writeln!(
            svg,
            r##"<text class="label" id="label-{n}" x="{:.1}" y="{:.1}" font-size="{:.1}" text-anchor="{}" fill="{INK}" stroke="#ffffff" stroke-width="{:.1}" stroke-linejoin="round" paint-order="stroke">{}</text>"##,
            l.x,
            l.y,
            r.font_size,
            l.anchor.as_svg(),
            2.0 * r.halo,
            escape(&r.text)
        );
    }
    let _ = writeln!(svg, "</g>");
    let _ = writeln!(
        svg,
        r##"<rect x="{mx:.1}" y="{my:.1}" width="{mw:.1}" height="{mh:.1}" fill="none" stroke="#bbbbbb" stroke-width="{:.2}"/>"##,
        k
    );

    // Header: title left, date right.
    let _ = writeln!(
        svg,
        r##"<text class="title" x="{margin:.1}" y="{:.1}" font-size="{:.1}" font-weight="bold" fill="{INK}">{}</text>"##,
        30.0 * k,
        18.0 * k,
        escape(&options.title)
    );
    if let Some(date) = &options.date_label {
        let _ = writeln!(
            svg,
            r##"<text class="date" x="{:.1}" y="{:.1}" font-size="{:.1}" font-weight="bold" text-anchor="end" fill="{INK}">{}</text>"##,
            width - margin,
            34.0 * k,
            26.0 * k,
            escape(date)
        );
    }

    // Footer: the legend rows, the scale bar at the end of the first, the credits.
    let _ = writeln!(svg, r##"<g class="legend" font-size="{font:.1}">"##);
    for (i, row) in rows.iter().enumerate() {
        let y = map_area.y1 + 10.0 * k + row_h * i as f64;
        for (x, (name, key)) in row {
            let cy = y + row_h / 2.0;
            match key {
                Key::Fill {
                    fill,
                    opacity,
                    stroke,
                } => {
                    let _ = write!(
                        svg,
                        r##"<rect x="{x:.1}" y="{:.1}" width="{swatch:.1}" height="{swatch:.1}" fill="{}" fill-opacity="{opacity}" stroke="{}" stroke-width="{:.2}"/>"##,
                        cy - swatch / 2.0,
                        escape(fill),
                        escape(stroke),
                        k
                    );
                }
                Key::Line(stroke) => {
                    let _ = write!(
                        svg,
                        r##"<line x1="{x:.1}" y1="{cy:.1}" x2="{:.1}" y2="{cy:.1}" stroke="{}" stroke-width="{:.2}"/>"##,
                        x + swatch,
                        escape(stroke),
                        2.5 * k
                    );
                }
                Key::Marker => {
                    let _ = write!(
                        svg,
                        r##"<circle cx="{:.1}" cy="{cy:.1}" r="{marker_r:.1}" fill="{UNMARKED_MARKER}" stroke="#ffffff" stroke-width="{k:.2}"/>"##,
                        x + swatch / 2.0
                    );
                }
            }
            let _ = writeln!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" fill="{INK}">{}</text>"##,
                x + swatch + 6.0 * k,
                cy + 0.35 * font,
                escape(name)
            );
        }
    }
    let _ = writeln!(svg, "</g>");
    // Scale bar: the geodesic length of the map's width along its middle latitude.
    let mid_lat = (geo_box.min().y + geo_box.max().y) / 2.0;
    let west = (frame.min.x + (map_area.x0 - frame.ox) / frame.scale).to_degrees();
    let span = (map_w / frame.scale).to_degrees();
    let half: f64 = Geodesic::wgs84().inverse(mid_lat, west, mid_lat, west + span / 2.0);
    let across_km = 2.0 * half / 1000.0;
    if across_km.is_finite() && across_km > 0.0 {
        // The longest round length that fits the room kept for it.
        let bar_km = nice_km(5.0 * across_km * (scale_w - 10.0 * k) / map_w);
        let bar_px = bar_km / across_km * map_w;
        let y = map_area.y1 + 10.0 * k + row_h / 2.0 + 2.0 * k;
        let x0 = width - margin - bar_px;
        let label = if bar_km >= 1.0 {
            format!("{bar_km} km")
        } else {
            format!("{} m", (bar_km * 1000.0).round())
        };
        let _ = writeln!(
            svg,
            r##"<g class="scale-bar"><rect x="{x0:.1}" y="{y:.1}" width="{bar_px:.1}" height="{:.1}" fill="{INK}"/><text x="{:.1}" y="{:.1}" font-size="{font:.1}" text-anchor="end" fill="{INK}">{label}</text></g>"##,
            4.0 * k,
            width - margin,
            y - 3.0 * k
        );
    }
    let credits = options.attribution.clone().unwrap_or_else(|| {
        Credits::of(
            collection,
            options.outline.is_some() || options.inset.is_some(),
        )
        .text()
    });
    let _ = writeln!(
        svg,
        r##"<text class="attribution" x="{margin:.1}" y="{:.1}" font-size="{:.1}" fill="{MUTED}">{}</text>"##,
        height - 8.0 * k,
        11.0 * k,
        escape(&credits)
    );
    svg.push_str("</svg>\n");
    Ok(svg)
}

/// Draws the inset in the corner of `area` where the fewest of the map's
/// vertices would be hidden; returns its box.
fn draw_inset(
    svg: &mut String,
    inset: &Inset,
    frame: &Frame,
    area: LabelBox,
    items: &[(Geometry<f64>, &serde_json::Map<String, Value>)],
    k: f64,
) -> Option<LabelBox> {
    let mut b = inset.base.bounding_rect();
    for (_, g) in &inset.layers {
        b = union_rect(b, g.bounding_rect());
    }
    let shown = Rect::new(
        Coord {
            x: (frame.min.x + (area.x0 - frame.ox) / frame.scale).to_degrees(),
            y: inverse_mercator_lat(frame.max.y - (area.y1 - frame.oy) / frame.scale),
        },
        Coord {
            x: (frame.min.x + (area.x1 - frame.ox) / frame.scale).to_degrees(),
            y: inverse_mercator_lat(frame.max.y - (area.y0 - frame.oy) / frame.scale),
        },
    );
    let b = union_rect(b, Some(shown))?;
    let (lo, hi) = (mercator(b.min()), mercator(b.max()));
    let (dx, dy) = ((hi.x - lo.x).max(1e-9), (hi.y - lo.y).max(1e-9));
    let aw = area.x1 - area.x0;
    let ah = area.y1 - area.y0;
    let mut w = 0.26 * aw;
    let mut h = w * dy / dx;
    if h > 0.3 * ah {
        h = 0.3 * ah;
        w = h * dx / dy;
    }
    let pad = 6.0 * k;
    let (bw, bh) = (w + 2.0 * pad, h + 2.0 * pad);
    let gap = 8.0 * k;
    let corners = [
        LabelBox::new(
            area.x0 + gap,
            area.y1 - gap - bh,
            area.x0 + gap + bw,
            area.y1 - gap,
        ),
        LabelBox::new(
            area.x1 - gap - bw,
            area.y1 - gap - bh,
            area.x1 - gap,
            area.y1 - gap,
        ),
        LabelBox::new(
            area.x0 + gap,
            area.y0 + gap,
            area.x0 + gap + bw,
            area.y0 + gap + bh,
        ),
        LabelBox::new(
            area.x1 - gap - bw,
            area.y0 + gap,
            area.x1 - gap,
            area.y0 + gap + bh,
        ),
    ];
    let mut hidden = [0usize; 4];
    for (g, _) in items {
        for c in g.coords_iter().step_by(4) {
            let (x, y) = frame.px(c);
            for (i, r) in corners.iter().enumerate() {
                if x >= r.x0 && x <= r.x1 && y >= r.y0 && y <= r.y1 {
                    hidden[i] += 1;
                }
            }
        }
    }
    // The first corner of the fewest (bottom left first).
    let best = (0..4).min_by_key(|&i| hidden[i]).unwrap_or(0);
    let r = corners[best];
    let sub = Frame::fit(
        lo,
        hi,
        LabelBox::new(r.x0 + pad, r.y0 + pad, r.x1 - pad, r.y1 - pad),
    );
    let _ = writeln!(
        svg,
        r##"<g class="inset"><rect x="{:.1}" y="{:.1}" width="{bw:.1}" height="{bh:.1}" fill="#ffffff" fill-opacity="0.92" stroke="#999999" stroke-width="{:.2}"/>"##,
        r.x0, r.y0, k
    );
    let base: Vec<&Polygon<f64>> = inset.base.0.iter().collect();
    if !base.is_empty() {
        let _ = writeln!(
            svg,
            r##"<path d="{}" fill="{OUTSIDE}" fill-rule="evenodd" stroke="{MUTED}" stroke-width="{:.2}"/>"##,
            sub.polygons(&base),
            0.6 * k
        );
    }
    for (fill, g) in &inset.layers {
        let polygons: Vec<&Polygon<f64>> = g.0.iter().collect();
        let _ = writeln!(
            svg,
            r##"<path d="{}" fill="{}" fill-opacity="0.6" fill-rule="evenodd" stroke="none"/>"##,
            sub.polygons(&polygons),
            escape(fill)
        );
    }
    let (x0, y1) = sub.px(shown.min());
    let (x1, y0) = sub.px(shown.max());
    let _ = writeln!(
        svg,
        r##"<rect x="{x0:.1}" y="{y0:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="{MARK}" stroke-width="{:.2}"/></g>"##,
        (x1 - x0).max(2.0 * k),
        (y1 - y0).max(2.0 * k),
        1.5 * k
    );
    Some(r)
}

fn inverse_mercator_lat(y: f64) -> f64 {
    (2.0 * y.exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees()
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
    fn mercator_round_trip() {
        for lat in [-60.0, 0.0, 48.5, 70.0] {
            let y = mercator(Coord { x: 0.0, y: lat }).y;
            assert!((inverse_mercator_lat(y) - lat).abs() < 1e-9);
        }
    }

    fn point(name: &str, x: f64, y: f64, population: u64) -> geojson::Feature {
        let mut f =
            geojson::Feature::from(geojson::Geometry::new(geojson::GeometryValue::new_point([
                x, y,
            ])));
        f.set_property("name", name);
        f.set_property("kind", "place");
        f.set_property("population", population);
        f
    }

    #[test]
    fn empty_and_point_only_maps_are_whole_documents() {
        let empty = svg_map(&geojson::FeatureCollection::new([]), &SvgOptions::default()).unwrap();
        assert!(empty.ends_with("</svg>\n") && !empty.contains("NaN"));
        let one = svg_map(
            &geojson::FeatureCollection::new([point("A & B", 37.5, 48.5, 10)]),
            &SvgOptions::default(),
        )
        .unwrap();
        assert!(one.contains("A &amp; B") && !one.contains("NaN") && !one.contains("inf"));
        assert!(one.contains("Places: GeoNames"), "{one}");
    }

    #[test]
    fn crowded_labels_are_dropped_and_small_places_can_be_left_unlabelled() {
        // Ten places on one spot: one label, ten markers.
        let crowd: Vec<_> = (0..10)
            .map(|i| point(&format!("Place {i}"), 37.5 + i as f64 * 1e-4, 48.5, i))
            .chain([point("Far", 38.5, 49.5, 5)])
            .collect();
        let fc = geojson::FeatureCollection::new(crowd);
        let svg = svg_map(&fc, &SvgOptions::default()).unwrap();
        assert_eq!(svg.matches("<circle class=\"feature").count(), 11);
        assert!(svg.matches("class=\"label\"").count() <= 5, "{svg}");
        assert!(svg.contains(">Place 9</text>"), "the most populous first");
        let svg = svg_map(
            &fc,
            &SvgOptions {
                labels: Labels::MinPopulation(6),
                ..SvgOptions::default()
            },
        )
        .unwrap();
        assert!(!svg.contains(">Far</text>") && !svg.contains(">Place 5</text>"));
    }

    #[test]
    fn a_fixed_size_and_extent_hold() {
        let fc = geojson::FeatureCollection::new([point("A", 37.5, 48.5, 10)]);
        let extent = Rect::new(Coord { x: 36.0, y: 47.0 }, Coord { x: 39.0, y: 49.5 });
        let svg = svg_map(
            &fc,
            &SvgOptions {
                width: 1080.0,
                height: Some(1080.0),
                extent: Some(extent),
                date_label: Some("3 August 2025".into()),
                inset: Some(Inset::new(MultiPolygon(vec![
                    Rect::new(Coord { x: 22.0, y: 44.0 }, Coord { x: 40.0, y: 52.5 }).to_polygon(),
                ]))),
                ..SvgOptions::default()
            },
        )
        .unwrap();
        assert!(svg.contains(r#"width="1080" height="1080""#));
        assert!(svg.contains("3 August 2025") && svg.contains(r#"class="inset""#));
        assert!(svg.contains("Boundaries: © OpenStreetMap contributors"));
    }
}
