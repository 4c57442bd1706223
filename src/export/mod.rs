//! Export for map viewers: styled, standard GeoJSON (RFC 7946), time-enabled
//! layers, a self-contained Leaflet page and SVG maps.
//!
//! An [`Export`] collects features from snapshots (their resolved layers or
//! their zones as drawn), places, the front line, the changes between two dates
//! and series of snapshots; it clips them to an area of interest ([`Aoi`]),
//! simplifies them to a tolerance in metres, rounds coordinates, and reports
//! how much each step changed the areas ([`ExportReport`]).
//!
//! What is written is RFC 7946: longitude/latitude on WGS84, no `crs`, no Z,
//! exterior rings counter-clockwise and holes clockwise, coordinates with at most
//! [`ExportOptions::precision`] decimals (6 by default, about 0.1 m). Features
//! carry `kind`, `status`, `date` (ISO 8601) and `time` (Unix milliseconds),
//! `area_km2`, names, and simplestyle-spec styling (`fill`, `fill-opacity`,
//! `stroke`, `stroke-width`; `marker-color` for places) from a [`Style`].
//!
//! Every occupied feature (layers, zones, changes, places) also carries
//! `occupied_since`: `"2014"` for ground held since 2014 (Crimea, ORDLO,
//! Tuzla), `"2022"` for ground taken since 24 February 2022, or `null` where the
//! snapshot cannot tell ([`Snapshot::splits_occupation`]: occupied-only
//! archives, 2022 maps without the standing territories). Features of other
//! statuses do not have it. The occupied layer is written as one feature per
//! part, named `Occupied since 2014` and `Occupied since 2022` (both with
//! `status` `occupied` and its colour; disjoint, since 2014 winning where the
//! zones overlap), or as one feature named `Occupied` when the split is unknown.
//!
//! ```
//! use frontline::{export::{Export, ExportOptions}, import};
//! let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
//! let mut export = Export::new(ExportOptions::default())?;
//! export.layers(&snapshot)?;
//! let collection = export.to_feature_collection();
//! // Occupied (the ORDLO part since 2014, the rest since 2022), contested, liberated.
//! assert_eq!(collection.features.len(), 4);
//! let since: Vec<_> = collection.features.iter().map(|f| f.property("occupied_since")).collect();
//! assert_eq!(since[0].unwrap(), "2014");
//! assert_eq!(since[1].unwrap(), "2022");
//! assert_eq!(since[2], None); // contested: no such property
//! assert_eq!(collection.features[0].property("fill").unwrap(), "#a52714");
//! # Ok::<(), frontline::Error>(())
//! ```

mod credits;
mod html;
mod labels;
mod shape;
mod shares;
mod style;
mod svg;

use chrono::{DateTime, SecondsFormat, Utc};
use geo::{
    BooleanOps, BoundingRect, Contains, CoordsIter, InteriorPoint, MultiLineString, MultiPolygon,
    Point, Polygon, Rect, coord,
};
use serde_json::{Map, Value};

pub use credits::Credits;
pub use html::{PageOptions, map_page};
pub use labels::{Anchor, LabelBox, LabelRequest, PlacedLabel, place_labels, text_width};
pub use shape::{round_lines, round_polygons, round_to, simplify_lines_m, simplify_m};
pub use shares::share_features;
pub use style::{Paint, Style};
pub use svg::{Inset, Labels, SvgOptions, svg_map};

/// The colours the SVG writer paints besides the styles' (for palettes).
pub(crate) mod svg_colours {
    pub(crate) use super::svg::{INK, INSIDE, MARK, MUTED, OUTSIDE, PAPER, UNMARKED_MARKER};
}

use crate::measure::clip::clip_to;
use crate::model::UNMARKED;
use crate::proximity::{Front, OccupiedSince, ProximityIndex};
use crate::timeline::diff;
use crate::{Error, GeodesicAreaKm2, Occupation, Places, Result, Snapshot, Status};

/// The ground of one feature: a status and, for occupied ground, since when.
#[derive(Clone, Debug, PartialEq)]
struct Piece {
    status: Status,
    since: Option<OccupiedSince>,
    geometry: MultiPolygon<f64>,
}

/// Per status (occupied per part), its ground.
type Layers = Vec<Piece>;

/// An area of interest: exports keep only what lies inside it.
///
/// ```
/// use frontline::export::Aoi;
/// let aoi = Aoi::from_bbox("37.0,48.0,38.0,48.5")?;
/// assert_eq!(aoi.name(), "box 37,48,38,48.5");
/// assert!(Aoi::from_bbox("38,48,37,49").is_err()); // west of east
/// assert!(Aoi::from_bbox("37,48,38").is_err());
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Aoi {
    name: String,
    area: MultiPolygon<f64>,
}

impl Aoi {
    /// An area of interest named `name` (used in messages, e.g. the outline's file).
    pub fn new(name: impl Into<String>, area: MultiPolygon<f64>) -> Aoi {
        Aoi {
            name: name.into(),
            area,
        }
    }

    /// A box from `W,S,E,N` in degrees.
    ///
    /// # Errors
    ///
    /// An error unless `text` is four finite numbers with west < east and
    /// south < north, within longitude/latitude range.
    pub fn from_bbox(text: &str) -> Result<Aoi> {
        let bad = |why: &str| Error::Invalid(format!("--bbox {text:?}: {why}"));
        let v: Vec<f64> = text
            .split(',')
            .map(|s| s.trim().parse::<f64>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| bad("expected four numbers W,S,E,N"))?;
        let [w, s, e, n] = v[..] else {
            return Err(bad("expected four numbers W,S,E,N"));
        };
        if !v.iter().all(|x| x.is_finite()) {
            return Err(bad("numbers must be finite"));
        }
        let lon = -180.0..=180.0;
        let lat = -90.0..=90.0;
        if !(lon.contains(&w) && lon.contains(&e) && lat.contains(&s) && lat.contains(&n)) {
            return Err(bad(
                "longitudes must be in [-180, 180], latitudes in [-90, 90]",
            ));
        }
        if w >= e || s >= n {
            return Err(bad("west must be less than east and south less than north"));
        }
        let rect = Rect::new(coord!(x: w, y: s), coord!(x: e, y: n));
        Ok(Aoi::new(
            format!("box {w},{s},{e},{n}"),
            MultiPolygon(vec![rect.to_polygon()]),
        ))
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its ground.
    pub fn area(&self) -> &MultiPolygon<f64> {
        &self.area
    }

    fn rect(&self) -> Result<Rect<f64>> {
        self.area
            .bounding_rect()
            .ok_or_else(|| Error::Invalid(format!("area of interest {} is empty", self.name)))
    }

    /// `polygons` within the area (a box cut first, then the exact intersection).
    fn clip(&self, polygons: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>> {
        let rect = self.rect()?;
        let near: Vec<Polygon<f64>> = polygons
            .0
            .iter()
            .filter_map(|p| clip_to(p, &rect).map(|c| c.into_owned()))
            .collect();
        if near.is_empty() {
            return Ok(MultiPolygon(Vec::new()));
        }
        Ok(self.area.intersection(&MultiPolygon(near)))
    }

    fn missed(&self, what: &str) -> Error {
        Error::Invalid(format!(
            "the area of interest {} does not intersect {what}",
            self.name
        ))
    }
}

/// How to export.
///
/// ```
/// use frontline::export::ExportOptions;
/// let o = ExportOptions::default().precision(5).simplify_m(100.0).with_bbox(true);
/// assert_eq!((o.precision, o.simplify_m, o.bbox), (5, Some(100.0), true));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ExportOptions {
    /// Decimals kept in coordinates (6: about 0.1 m), at most 15.
    pub precision: u8,
    /// Simplification tolerance in metres (`None`: none).
    pub simplify_m: Option<f64>,
    /// Whether to write `bbox` members (on the collection and on every feature).
    pub bbox: bool,
    /// Colours per status.
    pub style: Style,
    /// Keep only what lies in this area.
    pub aoi: Option<Aoi>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            precision: 6,
            simplify_m: None,
            bbox: false,
            style: Style::default(),
            aoi: None,
        }
    }
}

impl ExportOptions {
    /// The same options with `decimals` in coordinates.
    pub fn precision(mut self, decimals: u8) -> ExportOptions {
        self.precision = decimals;
        self
    }
    /// The same options with a simplification tolerance in metres.
    pub fn simplify_m(mut self, metres: f64) -> ExportOptions {
        self.simplify_m = Some(metres);
        self
    }
    /// The same options with or without `bbox` members.
    pub fn with_bbox(mut self, bbox: bool) -> ExportOptions {
        self.bbox = bbox;
        self
    }
    /// The same options with a style.
    pub fn style(mut self, style: Style) -> ExportOptions {
        self.style = style;
        self
    }
    /// The same options with an area of interest.
    pub fn aoi(mut self, aoi: Aoi) -> ExportOptions {
        self.aoi = Some(aoi);
        self
    }
}

/// What an export wrote, and how simplification and rounding changed it.
///
/// Areas are geodesic km² summed over the polygon features: as clipped
/// (`area_km2`, the figure each feature's `area_km2` property gives), after
/// simplification, and after rounding as written.
///
/// ```
/// let r = frontline::export::ExportReport::default();
/// assert_eq!(r.simplification_pct(), 0.0);
/// ```
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ExportReport {
    /// Features written.
    pub features: usize,
    /// Positions in the polygons and lines before simplification and rounding.
    pub vertices_before: usize,
    /// Positions written.
    pub vertices_after: usize,
    /// km² of the polygons as clipped.
    pub area_km2: f64,
    /// km² after simplification.
    pub simplified_km2: f64,
    /// km² after rounding, as written.
    pub rounded_km2: f64,
    /// Polygon features that simplification or rounding made disappear (too small).
    pub vanished: usize,
}

impl ExportReport {
    /// Change of area by simplification, % of the clipped area.
    pub fn simplification_pct(&self) -> f64 {
        pct(self.simplified_km2 - self.area_km2, self.area_km2)
    }
    /// Change of area by rounding, % of the clipped area.
    pub fn rounding_pct(&self) -> f64 {
        pct(self.rounded_km2 - self.simplified_km2, self.area_km2)
    }
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole * 100.0
    } else {
        0.0
    }
}

/// ISO 8601 in UTC with seconds, e.g. `2025-08-03T19:58:25Z`.
fn iso(date: DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn km(value: f64) -> Value {
    round_to(value, 3).into()
}

/// A human name for a status: `Occupied`, `Contested (grey zone)`, ...
pub(crate) fn status_name(status: &Status) -> String {
    match status.as_str() {
        "contested" => "Contested (grey zone)".into(),
        s => {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    }
}

/// Features collected for one GeoJSON file (see the [module](self) docs).
#[derive(Clone, Debug)]
pub struct Export {
    options: ExportOptions,
    features: Vec<geojson::Feature>,
    report: ExportReport,
    time_enabled: bool,
}

impl Export {
    /// An empty export; an error for a precision above 15 decimals or a
    /// tolerance that is negative or not a number.
    ///
    /// ```
    /// use frontline::export::{Export, ExportOptions};
    /// assert!(Export::new(ExportOptions::default().precision(16)).is_err());
    /// assert!(Export::new(ExportOptions::default().simplify_m(-1.0)).is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// An error for a precision above 15 decimals, a negative or NaN tolerance, or
    /// an area of interest without area.
    pub fn new(options: ExportOptions) -> Result<Export> {
        if options.precision > 15 {
            return Err(Error::Invalid(format!(
                "precision {} is more decimals than a coordinate has (at most 15)",
                options.precision
            )));
        }
        if let Some(t) = options.simplify_m
            && !(t.is_finite() && t >= 0.0)
        {
            return Err(Error::Invalid(format!(
                "simplification tolerance {t} m must be a finite, non-negative number"
            )));
        }
        if let Some(aoi) = &options.aoi {
            aoi.rect()?;
        }
        Ok(Export {
            options,
            features: Vec::new(),
            report: ExportReport::default(),
            time_enabled: false,
        })
    }

    /// The options.
    pub fn options(&self) -> &ExportOptions {
        &self.options
    }

    /// What was exported so far.
    pub fn report(&self) -> &ExportReport {
        &self.report
    }

    /// Whether no feature was exported.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// Whether features carry date ranges ([`series`](Self::series)), so that a
    /// viewer can animate them.
    pub fn is_time_enabled(&self) -> bool {
        self.time_enabled
    }

    /// Simplifies, rounds and measures a polygon feature; false when nothing is
    /// left of it.
    fn push_polygons(
        &mut self,
        geometry: &MultiPolygon<f64>,
        mut properties: Map<String, Value>,
    ) -> bool {
        if geometry.0.is_empty() {
            return false;
        }
        let area = geometry.geodesic_area_km2();
        let simplified = match self.options.simplify_m {
            Some(t) if t > 0.0 => simplify_m(geometry, t),
            _ => geometry.clone(),
        };
        let rounded = round_polygons(&simplified, self.options.precision);
        self.report.area_km2 += area;
        self.report.simplified_km2 += simplified.geodesic_area_km2();
        self.report.rounded_km2 += rounded.geodesic_area_km2();
        self.report.vertices_before += geometry.coords_count();
        if rounded.0.is_empty() {
            self.report.vanished += 1;
            return false;
        }
        self.report.vertices_after += rounded.coords_count();
        properties.insert("area_km2".into(), km(area));
        let bbox = rounded.bounding_rect();
        self.push(geojson::GeometryValue::from(&rounded), bbox, properties);
        true
    }

    fn push(
        &mut self,
        value: geojson::GeometryValue,
        rect: Option<Rect<f64>>,
        properties: Map<String, Value>,
    ) {
        let bbox = rect
            .filter(|_| self.options.bbox)
            .map(|r| vec![r.min().x, r.min().y, r.max().x, r.max().y]);
        self.features.push(geojson::Feature {
            bbox,
            geometry: Some(geojson::Geometry::new(value)),
            id: None,
            properties: Some(properties),
            foreign_members: None,
        });
        self.report.features += 1;
    }

    /// The snapshot cut down to the area of interest's box (or itself).
    fn near<'s>(&self, snapshot: &'s Snapshot) -> Result<std::borrow::Cow<'s, Snapshot>> {
        Ok(match &self.options.aoi {
            Some(aoi) => std::borrow::Cow::Owned(snapshot.clipped(aoi.rect()?)),
            None => std::borrow::Cow::Borrowed(snapshot),
        })
    }

    /// Per status, the snapshot's resolved ground within the area of interest;
    /// the occupied layer in its parts since 2014 and since 2022 when `splits`
    /// (the whole snapshot's [`Snapshot::splits_occupation`]: `near` may be it
    /// cut down to the area's box).
    fn clipped_layers(&self, near: &Snapshot, splits: bool) -> Layers {
        let clip = |l: &crate::Layer| match &self.options.aoi {
            Some(aoi) => l.intersection(aoi.area()),
            None => l.geometry().clone(),
        };
        let mut pieces = Vec::new();
        for l in near.layers() {
            let status = l.status().clone();
            if status != Status::OCCUPIED {
                pieces.push(Piece {
                    since: None,
                    geometry: clip(l),
                    status,
                });
            } else if !splits {
                pieces.push(Piece {
                    since: Some(OccupiedSince::Unknown),
                    geometry: clip(l),
                    status,
                });
            } else {
                for o in Occupation::ALL {
                    // The cut-down map keeps every zone's occupation: it splits too.
                    if let Some(part) = near.occupied_part(o) {
                        pieces.push(Piece {
                            status: status.clone(),
                            since: Some(OccupiedSince::Known(o)),
                            geometry: clip(part),
                        });
                    }
                }
            }
        }
        pieces.retain(|p| !p.geometry.0.is_empty());
        pieces
    }

    fn base(&self, kind: &str, status: &Status, date: Option<DateTime<Utc>>) -> Map<String, Value> {
        let mut p = Map::new();
        p.insert("kind".into(), kind.into());
        p.insert("status".into(), status.as_str().into());
        p.insert("name".into(), status_name(status).into());
        if let Some(d) = date {
            p.insert("date".into(), iso(d).into());
            p.insert("time".into(), d.timestamp_millis().into());
        }
        self.options.style.paint(status).apply(&mut p);
        p
    }

    /// [`base`](Self::base) for a piece: occupied ground also gets
    /// `occupied_since` (`null` when unknown) and a name that says it.
    fn piece_base(
        &self,
        kind: &str,
        piece: &Piece,
        date: Option<DateTime<Utc>>,
    ) -> Map<String, Value> {
        let mut p = self.base(kind, &piece.status, date);
        if let Some(since) = piece.since {
            insert_since(&mut p, since);
            if let Some(o) = since.occupation() {
                let name = format!("{} since {}", status_name(&piece.status), o.year());
                p.insert("name".into(), name.into());
            }
        }
        p
    }

    /// One feature per status: the snapshot's resolved layers (disjoint, overlaps
    /// settled by its precedence). Returns how many features were added; an error
    /// when the snapshot has zones but none in the area of interest.
    ///
    /// ```
    /// use frontline::{export::{Aoi, Export, ExportOptions}, import};
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250601.geojson", None)?.snapshot;
    /// let far = ExportOptions::default().aoi(Aoi::from_bbox("10,10,11,11")?);
    /// let err = Export::new(far)?.layers(&snapshot).unwrap_err();
    /// assert!(err.to_string().contains("box 10,10,11,11 does not intersect"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error when the snapshot has zones but none in the area of interest, or
    /// when clipping to it fails.
    pub fn layers(&mut self, snapshot: &Snapshot) -> Result<usize> {
        let near = self.near(snapshot)?;
        let layers = self.clipped_layers(&near, snapshot.splits_occupation());
        self.check_hit(snapshot, layers.is_empty())?;
        let mut added = 0;
        for piece in layers {
            let p = self.piece_base("layer", &piece, snapshot.date());
            added += usize::from(self.push_polygons(&piece.geometry, p));
        }
        Ok(added)
    }

    /// Like [`layers`](Self::layers), but a snapshot with no zone in the area of
    /// interest adds nothing instead of being an error: one frame of an animation
    /// may be empty where the others are not.
    ///
    /// ```
    /// use frontline::{export::{Aoi, Export, ExportOptions}, import};
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250601.geojson", None)?.snapshot;
    /// let far = ExportOptions::default().aoi(Aoi::from_bbox("10,10,11,11")?);
    /// assert_eq!(Export::new(far)?.layers_in_aoi(&snapshot)?, 0);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error when clipping to the area of interest fails.
    pub fn layers_in_aoi(&mut self, snapshot: &Snapshot) -> Result<usize> {
        let near = self.near(snapshot)?;
        let layers = self.clipped_layers(&near, snapshot.splits_occupation());
        let mut added = 0;
        for piece in layers {
            let p = self.piece_base("layer", &piece, snapshot.date());
            added += usize::from(self.push_polygons(&piece.geometry, p));
        }
        Ok(added)
    }

    fn check_hit(&self, snapshot: &Snapshot, none_left: bool) -> Result<()> {
        match &self.options.aoi {
            Some(aoi) if none_left && !snapshot.zones().is_empty() => {
                Err(aoi.missed(&match snapshot.date() {
                    Some(d) => format!("the zones of the snapshot of {}", iso(d)),
                    None => "the snapshot's zones".into(),
                }))
            }
            _ => Ok(()),
        }
    }

    /// One feature per zone as the source drew it (overlapping, unresolved), with
    /// its label (`name`), source class (`layer`) and feature index; coloured by
    /// the style (not the source's own colours). An occupied zone's
    /// `occupied_since` is its own class (`null` when the snapshot cannot tell):
    /// as drawn, a zone since 2022 may overlap one since 2014.
    ///
    /// ```
    /// use frontline::{export::{Export, ExportOptions}, import};
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// let mut export = Export::new(ExportOptions::default())?;
    /// assert_eq!(export.zones(&snapshot)?, snapshot.zones().len());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error when the snapshot has zones but none in the area of interest, or
    /// when clipping to it fails.
    pub fn zones(&mut self, snapshot: &Snapshot) -> Result<usize> {
        let mut clipped = Vec::new();
        for zone in snapshot.zones() {
            let g = match &self.options.aoi {
                Some(aoi) => aoi.clip(&zone.geometry)?,
                None => zone.geometry.clone(),
            };
            if !g.0.is_empty() {
                clipped.push((zone, g));
            }
        }
        self.check_hit(snapshot, clipped.is_empty())?;
        let splits = snapshot.splits_occupation();
        let mut added = 0;
        for (zone, g) in clipped {
            let mut p = self.base("zone", &zone.status, snapshot.date());
            if let Some(label) = &zone.source.label {
                p.insert("name".into(), label.as_str().into());
            }
            if let Some(layer) = &zone.source.layer {
                p.insert("layer".into(), layer.as_str().into());
            }
            if let Some(i) = zone.source.feature {
                p.insert("feature".into(), i.into());
            }
            if zone.status == Status::OCCUPIED {
                let since = match zone.occupation {
                    Some(o) if splits => OccupiedSince::Known(o),
                    _ => OccupiedSince::Unknown,
                };
                insert_since(&mut p, since);
            }
            added += usize::from(self.push_polygons(&g, p));
        }
        Ok(added)
    }

    /// Places as points (an area is exported as its interior point), with their
    /// names (`name` and every `name:*`), `population`, the `status` of the ground
    /// they stand on in `snapshot` (or `unmarked`; on occupied ground also
    /// `occupied_since`) and, given a front, their geodesic `front_km` to it. An
    /// error when there are places but none in the area of interest.
    ///
    /// ```
    /// use frontline::{export::{Export, ExportOptions}, import, proximity::{Front, FrontOptions}};
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// let places = import::read_places("data/places.geojson")?;
    /// let front = Front::derive(&snapshot, &FrontOptions::default())?;
    /// let mut export = Export::new(ExportOptions::default())?;
    /// assert_eq!(export.places(&places, &snapshot, Some(&front))?, places.len());
    /// let f = &export.to_feature_collection().features[0];
    /// assert_eq!(f.property("name").unwrap(), "Demo City");
    /// assert!(f.property("front_km").unwrap().as_f64().unwrap() >= 0.0);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error naming the place whose point is out of range, or when there are
    /// places but none in the area of interest.
    pub fn places(
        &mut self,
        places: &Places,
        snapshot: &Snapshot,
        front: Option<&Front>,
    ) -> Result<usize> {
        let index = ProximityIndex::new(snapshot);
        let mut added = 0;
        for place in places {
            let point = match &place.geometry {
                crate::PlaceGeometry::Point(p) => Some(*p),
                crate::PlaceGeometry::Area(a) => a.interior_point(),
            };
            let Some(point) = point else { continue };
            if let Some(aoi) = &self.options.aoi
                && !aoi.area().contains(&point)
            {
                continue;
            }
            let at = |e: Error| {
                Error::Invalid(format!(
                    "{}: {}: {e}",
                    places.path().display(),
                    place.label()
                ))
            };
            let status = index.status_at(point).map_err(at)?;
            let since = index.occupied_since_at(point).map_err(at)?;
            let mut p = Map::new();
            p.insert("kind".into(), "place".into());
            p.insert("name".into(), place.label().into());
            if let Some(id) = place.id() {
                p.insert("id".into(), id.into());
            }
            for (k, v) in &place.properties {
                if (k.starts_with("name:") || k == "population") && !v.is_null() {
                    p.insert(k.clone(), v.clone());
                }
            }
            p.insert(
                "status".into(),
                status.map_or(UNMARKED, Status::as_str).into(),
            );
            if let Some(since) = since {
                insert_since(&mut p, since);
            }
            if let Some(d) = snapshot.date() {
                p.insert("date".into(), iso(d).into());
                p.insert("time".into(), d.timestamp_millis().into());
            }
            if let Some(front) = front
                && let Some(n) = front.nearest(point).map_err(at)?
            {
                p.insert("front_km".into(), km(n.km));
            }
            let colour = match status {
                Some(s) => self.options.style.paint(s).fill.clone(),
                None => "#424242".into(),
            };
            p.insert("marker-color".into(), colour.into());
            p.insert("marker-size".into(), "small".into());
            let d = self.options.precision;
            let rounded = Point::new(round_to(point.x(), d), round_to(point.y(), d));
            self.push(
                geojson::GeometryValue::from(&rounded),
                rounded.bounding_rect().into(),
                p,
            );
            added += 1;
        }
        if added == 0
            && !places.is_empty()
            && let Some(aoi) = &self.options.aoi
        {
            return Err(aoi.missed(&format!("the places of {}", places.path().display())));
        }
        Ok(added)
    }

    /// The front line (one MultiLineString feature, `kind` `front`, with its
    /// geodesic `length_km` as derived), clipped to the area of interest,
    /// simplified and rounded like the polygons. Nothing is added for an empty
    /// front.
    ///
    /// ```
    /// use frontline::{export::{Export, ExportOptions}, import, proximity::{Front, FrontOptions}};
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// let front = Front::derive(&snapshot, &FrontOptions::default())?;
    /// let mut export = Export::new(ExportOptions::default())?;
    /// assert_eq!(export.front(&front, snapshot.date())?, 1);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// None at present: the `Result` keeps the signature of the other layers.
    pub fn front(&mut self, front: &Front, date: Option<DateTime<Utc>>) -> Result<usize> {
        let line: MultiLineString<f64> = match &self.options.aoi {
            Some(aoi) => aoi.area().clip(front.line(), false),
            None => front.line().clone(),
        };
        let simplified = match self.options.simplify_m {
            Some(t) => simplify_lines_m(&line, t),
            None => line.clone(),
        };
        let rounded = round_lines(&simplified, self.options.precision);
        if rounded.0.is_empty() {
            return Ok(0);
        }
        self.report.vertices_before += line.coords_count();
        self.report.vertices_after += rounded.coords_count();
        let mut p = Map::new();
        p.insert("kind".into(), "front".into());
        p.insert("name".into(), "Front line".into());
        if let Some(d) = date {
            p.insert("date".into(), iso(d).into());
            p.insert("time".into(), d.timestamp_millis().into());
        }
        p.insert("length_km".into(), km(front.length_km()));
        p.insert("stroke".into(), "#212121".into());
        p.insert("stroke-width".into(), 2.5.into());
        p.insert("stroke-opacity".into(), 1.0.into());
        let rect = rounded.bounding_rect();
        self.push(geojson::GeometryValue::from(&rounded), rect, p);
        Ok(1)
    }

    /// The ground each status gained and lost from `older` to `newer`
    /// ([`crate::timeline::diff`]) within the area of interest: features
    /// with `kind` `change`, `change` (`gained` / `lost`), `status`, `from`,
    /// `to`, `date` (= `to`) and `area_km2`. Lost ground is drawn hollow
    /// (fill opacity 0.1).
    ///
    /// Occupied ground gained is split by `newer`'s parts, ground lost by
    /// `older`'s, each piece with its `occupied_since` (`null` where that
    /// snapshot cannot tell); the diff's own part statuses
    /// (`occupied_since_2014`, `occupied_since_2022`) are not written again, as
    /// they would cover the same ground twice.
    ///
    /// ```
    /// use frontline::{export::{Export, ExportOptions}, import};
    /// let june = import::read_zones("data/snapshots/deepstate_20250601.geojson", None)?.snapshot;
    /// let august = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// let mut export = Export::new(ExportOptions::default())?;
    /// assert!(export.changes(&june, &august)? > 0);
    /// let fc = export.to_feature_collection();
    /// let gained = fc.features.iter()
    ///     .find(|f| f.property("status").unwrap() == "occupied" && f.property("change").unwrap() == "gained")
    ///     .unwrap();
    /// assert_eq!(gained.property("occupied_since").unwrap(), "2022");
    /// assert!(fc.features.iter().all(|f| f.property("status").unwrap() != "occupied_since_2022"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error when clipping to the area of interest fails, or as
    /// [`diff`]: a snapshot without a date, `older` after `newer`.
    pub fn changes(&mut self, older: &Snapshot, newer: &Snapshot) -> Result<usize> {
        let (a, b) = (self.near(older)?, self.near(newer)?);
        let region = self.options.aoi.as_ref().map(|a| (a.name(), a.area()));
        let d = diff(&a, &b, region)?;
        let mut added = 0;
        for c in &d.changes {
            if Occupation::from_status(&c.status).is_some() {
                continue; // within the occupied change, split below
            }
            for (kind, geometry, opacity, side, whole) in [
                ("gained", &c.gained, None, &*b, newer),
                ("lost", &c.lost, Some(0.1), &*a, older),
            ] {
                let pieces = if c.status == Status::OCCUPIED {
                    occupied_pieces(geometry, side, whole.splits_occupation())
                } else {
                    vec![(None, geometry.clone())]
                };
                for (since, geometry) in pieces {
                    let mut p = self.base("change", &c.status, Some(d.to));
                    p.insert("change".into(), kind.into());
                    let mut name = status_name(&c.status);
                    if let Some(since) = since {
                        insert_since(&mut p, since);
                        if let Some(o) = since.occupation() {
                            name = format!("{name} since {}", o.year());
                        }
                    }
                    p.insert("name".into(), format!("{name} {kind}").into());
                    p.insert("from".into(), iso(d.from).into());
                    p.insert("to".into(), iso(d.to).into());
                    if let Some(o) = opacity {
                        p.insert("fill-opacity".into(), o.into());
                    }
                    added += usize::from(self.push_polygons(&geometry, p));
                }
            }
        }
        Ok(added)
    }

    /// A time-enabled series: every snapshot's resolved layers with `date`,
    /// `time` (Unix ms) and `until` (the next date, absent for the last), so that
    /// QGIS's Temporal Controller (start and end fields) and kepler.gl (`time`)
    /// animate them. Snapshots need dates and are sorted by them.
    ///
    /// With `changed_only`, a status's ground (each part of occupied ground) is
    /// written only when it differs from the previous snapshot's, as rounded to
    /// the export's precision: the feature then lasts `until` its next change
    /// (or disappearance). (The part since 2014 is cut from the occupied layer,
    /// so a change elsewhere in that layer can move its unrounded coordinates
    /// by a few ulps without moving the ground.)
    ///
    /// ```
    /// use frontline::{export::{Export, ExportOptions}, import};
    /// let june = import::read_zones("data/snapshots/deepstate_20250601.geojson", None)?.snapshot;
    /// let august = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// let mut export = Export::new(ExportOptions::default())?;
    /// // The same map twice: written once with changed_only (4 features: occupied
    /// // since 2014 and since 2022, contested, liberated); in August all but
    /// // the part since 2014 have changed.
    /// assert_eq!(export.series([&june, &june.clone(), &august], true)?, 7);
    /// assert!(export.is_time_enabled());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error for a snapshot without a date, a failure to clip to the area of
    /// interest, or snapshots none of whose zones are in it.
    pub fn series<'a>(
        &mut self,
        snapshots: impl IntoIterator<Item = &'a Snapshot>,
        changed_only: bool,
    ) -> Result<usize> {
        let mut dated: Vec<(DateTime<Utc>, &Snapshot)> = Vec::new();
        for s in snapshots {
            let d = s.date().ok_or_else(|| {
                Error::Invalid(
                    "a time-enabled export needs dated snapshots; one has no date".into(),
                )
            })?;
            dated.push((d, s));
        }
        dated.sort_by_key(|(d, _)| *d);
        let mut frames: Vec<(DateTime<Utc>, Layers)> = Vec::new();
        let mut any_zones = false;
        for (d, s) in &dated {
            any_zones |= !s.zones().is_empty();
            let near = self.near(s)?;
            frames.push((*d, self.clipped_layers(&near, s.splits_occupation())));
        }
        if let Some(aoi) = &self.options.aoi
            && any_zones
            && frames.iter().all(|(_, l)| l.is_empty())
        {
            return Err(aoi.missed(&format!("the zones of any of {} snapshots", frames.len())));
        }
        self.time_enabled = true;
        let mut added = 0;
        // What is compared: each piece as rounded to the precision written.
        let rounded: Vec<Vec<Piece>> = if changed_only {
            let d = self.options.precision;
            frames
                .iter()
                .map(|(_, layers)| {
                    layers
                        .iter()
                        .map(|p| Piece {
                            status: p.status.clone(),
                            since: p.since,
                            geometry: round_polygons(&p.geometry, d),
                        })
                        .collect()
                })
                .collect()
        } else {
            Vec::new()
        };
        for (i, (date, layers)) in frames.iter().enumerate() {
            for (k, piece) in layers.iter().enumerate() {
                let same_as = |j: usize| rounded[j].iter().any(|other| *other == rounded[i][k]);
                if changed_only && i > 0 && same_as(i - 1) {
                    continue;
                }
                let mut end = i + 1;
                while changed_only && end < frames.len() && same_as(end) {
                    end += 1;
                }
                let mut p = self.piece_base("layer", piece, Some(*date));
                if let Some((until, _)) = frames.get(end) {
                    p.insert("until".into(), iso(*until).into());
                }
                added += usize::from(self.push_polygons(&piece.geometry, p));
            }
        }
        Ok(added)
    }

    /// The features as a GeoJSON FeatureCollection (with a `bbox` when asked for).
    pub fn to_feature_collection(&self) -> geojson::FeatureCollection {
        let mut fc = geojson::FeatureCollection::new(self.features.clone());
        // `FeatureCollection::new` computes an (empty) bbox of its own: set ours.
        fc.bbox = if self.options.bbox {
            bbox_of(&self.features)
        } else {
            None
        };
        fc
    }

    /// The GeoJSON text, compact.
    ///
    /// ```
    /// use frontline::export::{Export, ExportOptions};
    /// let empty = Export::new(ExportOptions::default())?;
    /// assert_eq!(empty.to_geojson_string(), r#"{"type":"FeatureCollection","features":[]}"#);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn to_geojson_string(&self) -> String {
        self.to_feature_collection().to_string()
    }

    /// Writes the GeoJSON to `path` atomically ([`crate::atomic::write`]),
    /// gzip-compressed when the name ends in `.gz`; returns the bytes written.
    ///
    /// # Errors
    ///
    /// An error naming `path` when it cannot be written or the GeoJSON cannot be
    /// gzipped.
    pub fn write(&self, path: impl AsRef<std::path::Path>) -> Result<usize> {
        let path = path.as_ref();
        let text = self.to_geojson_string();
        let bytes = crate::formats::geojson_bytes(path, &text)?;
        crate::atomic::write(path, &bytes)?;
        Ok(bytes.len())
    }
}

/// Sets `occupied_since`: `"2014"`, `"2022"`, or `null` when unknown.
fn insert_since(p: &mut Map<String, Value>, since: OccupiedSince) {
    let value = since.occupation().map_or(Value::Null, |o| o.year().into());
    p.insert("occupied_since".into(), value);
}

/// Occupied ground (a change) split by a snapshot's parts: `(since, ground)`,
/// one piece with since unknown when the whole snapshot (`splits`) cannot tell.
fn occupied_pieces(
    ground: &MultiPolygon<f64>,
    side: &Snapshot,
    splits: bool,
) -> Vec<(Option<OccupiedSince>, MultiPolygon<f64>)> {
    if !splits || ground.0.is_empty() {
        return vec![(Some(OccupiedSince::Unknown), ground.clone())];
    }
    let older = side.occupied_part(Occupation::Since2014);
    let (in_older, rest) = match older {
        Some(l) => (l.intersection(ground), ground.difference(l.geometry())),
        None => (MultiPolygon(Vec::new()), ground.clone()),
    };
    [
        (Occupation::Since2014, in_older),
        (Occupation::Since2022, rest),
    ]
    .into_iter()
    .filter(|(_, g)| !g.0.is_empty())
    .map(|(o, g)| (Some(OccupiedSince::Known(o)), g))
    .collect()
}

/// The box around every feature's geometry, `[W, S, E, N]`.
fn bbox_of(features: &[geojson::Feature]) -> Option<Vec<f64>> {
    let mut b: Option<[f64; 4]> = None;
    for f in features {
        let Some(g) = &f.geometry else { continue };
        let Ok(geometry) = geo::Geometry::<f64>::try_from(g) else {
            continue;
        };
        if let Some(r) = geometry.bounding_rect() {
            let next = [r.min().x, r.min().y, r.max().x, r.max().y];
            b = Some(match b {
                None => next,
                Some(a) => [
                    a[0].min(next[0]),
                    a[1].min(next[1]),
                    a[2].max(next[2]),
                    a[3].max(next[3]),
                ],
            });
        }
    }
    b.map(|a| a.to_vec())
}
