//! Reading zone files (DeepStateMap raw snapshots, occupied-only archives, any
//! GeoJSON with a status property) and place files (cities, regions, settlements).
//!
//! Files may be gzip-compressed (`.geojson.gz`: detected by content, not name).
//! Geometry is cleaned on the way in; see [`geometry`](self#geometry-repairs) for
//! the repairs made, each one reported as a warning.
//!
//! # Geometry repairs
//! - a ring whose last position differs from its first is closed;
//! - repeated consecutive positions are dropped;
//! - a ring with fewer than three distinct positions is dropped (or its polygon,
//!   when it is the exterior);
//! - a self-intersecting or otherwise invalid polygon is rebuilt with
//!   [`geo::MakeValid`] and the change of area is reported;
//! - Z values are dropped; GeometryCollections are unpacked.
//!
//! A position with fewer than two numbers, a non-finite number or a coordinate
//! outside longitude/latitude range is an error naming the file and the feature.
//!
//! A FlatGeobuf or GeoParquet file frontline wrote with clean polygons carries a
//! seal (a fingerprint of them); while it holds, the crossing sweep, orientation
//! and union of parts are skipped, as they could only confirm the polygons.
//!
//! # Coordinate systems
//! Coordinates are WGS84 longitude/latitude, as RFC 7946 says, unless the file
//! declares another CRS (the legacy GeoJSON `crs` member, as GDAL writes it) or
//! [`ReadOptions::input_crs`] names one for files that do not; such files are
//! reprojected on the way in, which needs the `proj` feature. A file that declares
//! a CRS other than the one given is an error naming both.

pub mod deepstate;
pub(crate) mod file;
mod generic;
pub(crate) mod geometry;
mod report;
pub(crate) mod seal;
pub(crate) mod time;

use std::collections::HashMap;
use std::path::Path;

use geo::MultiPolygon;
use rayon::prelude::*;
use serde_json::Value;

pub use report::{ImportReport, Skipped};
pub use time::date_from_file_name;

use crate::crs::Crs;
use crate::formats::json::{AllProperties, ZoneProperties};
use crate::formats::{Document, Feature, shape};
use crate::model::{Marker, Place, PlaceGeometry, Places, Precedence, Snapshot, Zone, ZoneSource};
use crate::{Error, Result, Status};
use deepstate::Class;
use geometry::FeatureRef;

/// The kind of a zone file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A raw DeepStateMap snapshot: a FeatureCollection, or the API envelope
    /// `{"id", "datetime", "map"}`; polygons classified by [`deepstate::classify`].
    DeepState,
    /// An occupied-only archive file (`deepstatemap_data_YYYYMMDD.geojson`): all of
    /// its ground is occupied.
    Occupied,
    /// Any GeoJSON whose features carry their status in a property.
    Generic(StatusMapping),
}

/// How a generic zone file says what status a feature has.
///
/// ```
/// use frontline::import::StatusMapping;
/// use frontline::Status;
/// let m = StatusMapping::new("control")
///     .map("RU", Status::OCCUPIED)
///     .map("grey", Status::CONTESTED);
/// assert_eq!(m.status_of("ru"), Some(Status::OCCUPIED));
/// assert_eq!(m.status_of("UA"), None);
/// // Without any mapping, the value itself is the status.
/// assert_eq!(StatusMapping::new("status").status_of("Contested"), Some(Status::CONTESTED));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusMapping {
    /// The property holding the status.
    pub property: String,
    /// Value → status pairs (values compared case-insensitively). Empty: the value
    /// itself names the status.
    pub values: Vec<(String, Status)>,
}

impl StatusMapping {
    /// Statuses read from `property`, values taken as status names.
    pub fn new(property: impl Into<String>) -> StatusMapping {
        StatusMapping {
            property: property.into(),
            values: Vec::new(),
        }
    }

    /// Adds a value → status pair.
    pub fn map(mut self, value: impl Into<String>, status: Status) -> StatusMapping {
        self.values.push((value.into(), status));
        self
    }

    /// Parses `value=status,value=status`, as given on the command line.
    ///
    /// # Errors
    ///
    /// An error for an entry that is not `value=status` or a status that does not
    /// parse.
    pub fn parse_pairs(mut self, pairs: &str) -> Result<StatusMapping> {
        for pair in pairs.split(',').filter(|p| !p.trim().is_empty()) {
            let (value, status) = pair.split_once('=').ok_or_else(|| {
                Error::Invalid(format!("status map entry {pair:?} is not value=status"))
            })?;
            self = self.map(value.trim(), status.parse()?);
        }
        Ok(self)
    }

    /// The status a property value stands for.
    pub fn status_of(&self, value: &str) -> Option<Status> {
        let value = value.trim();
        if self.values.is_empty() {
            return value.parse().ok();
        }
        self.values
            .iter()
            .find(|(v, _)| {
                v.eq_ignore_ascii_case(value) || v.to_lowercase() == value.to_lowercase()
            })
            .map(|(_, s)| s.clone())
    }
}

/// How to read a zone or place file, beyond its kind.
///
/// ```
/// use frontline::crs::Crs;
/// use frontline::import::{self, ReadOptions};
/// // Files without a `crs` member are read as this CRS (anything but WGS84
/// // longitude/latitude needs the `proj` feature, e.g. Crs::epsg_code(3857)).
/// let options = ReadOptions::default().input_crs(Some(Crs::epsg_code(4326)));
/// let places = import::read_places_with("data/region.geojson", &options)?;
/// assert_eq!(places.len(), 1);
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// The CRS of files that do not declare one (default: WGS84
    /// longitude/latitude, as RFC 7946 says). A file that declares another is an
    /// error naming both.
    pub input_crs: Option<Crs>,
}

impl ReadOptions {
    /// Sets the CRS of files that do not declare one.
    pub fn input_crs(mut self, crs: Option<Crs>) -> ReadOptions {
        self.input_crs = crs;
        self
    }
}

/// A snapshot read from a file, and what the import did with each feature.
#[derive(Clone, Debug)]
pub struct Import {
    /// The snapshot.
    pub snapshot: Snapshot,
    /// The kind of file it was.
    pub source: Source,
    /// What happened to every feature.
    pub report: ImportReport,
}

/// Reads a zone file; `source` `None` tells its kind from the content.
///
/// The snapshot's date comes from the envelope's `datetime`, else from the file
/// name ([`date_from_file_name`]); it is `None` when neither has one.
///
/// ```
/// let import = frontline::import::read_zones("data/snapshots/deepstate_20250601.geojson", None).unwrap();
/// assert_eq!(import.source, frontline::import::Source::DeepState);
/// assert!(import.report.unclassified.is_empty());
/// assert_eq!(import.snapshot.date().unwrap().to_string(), "2025-06-01 09:00:00 UTC");
/// ```
///
/// # Errors
///
/// An error naming the file when it cannot be read, is not a zone file it can
/// read, or has features it cannot use (as [`read_zones_with`]).
pub fn read_zones(path: impl AsRef<Path>, source: Option<&Source>) -> Result<Import> {
    read_zones_with(path, source, &ReadOptions::default())
}

/// Reads a zone file as [`read_zones`] does, with options (e.g. the CRS of a file
/// that does not declare one).
///
/// ```
/// use frontline::import::{self, ReadOptions};
/// let import = import::read_zones_with(
///     "data/snapshots/deepstate_20250601.geojson", None, &ReadOptions::default())?;
/// assert!(import.report.unclassified.is_empty());
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error naming the file when it cannot be read or parsed, its CRS cannot be
/// reprojected to WGS84, or its zones cannot be classified or repaired.
pub fn read_zones_with(
    path: impl AsRef<Path>,
    source: Option<&Source>,
    options: &ReadOptions,
) -> Result<Import> {
    let path = path.as_ref();
    zones_from_document(read_zone_file(path, source, options)?, path, source, None)
}

/// A zone file's document, with only the properties a zone import of `source`
/// uses (all of them for a generic file, whose status may be in any).
fn read_zone_file(path: &Path, source: Option<&Source>, options: &ReadOptions) -> Result<Document> {
    match source {
        Some(Source::Generic(_)) => file::read::<AllProperties>(path, options),
        _ => file::read::<ZoneProperties>(path, options),
    }
}

/// Reads the zones of a file that may reach into `bbox` (`[W, S, E, N]`,
/// longitude/latitude), as [`read_zones_with`] does otherwise: the file is parsed
/// whole (its kind is told from every feature), but features whose box is outside
/// are left out before their geometry is checked and repaired, and counted in
/// [`ImportReport::outside`]. What a series of a few regions reads, where most of
/// a country-wide snapshot is far away.
///
/// ```
/// use frontline::import::{self, ReadOptions};
/// let path = "data/snapshots/deepstate_20250601.geojson";
/// let all = import::read_zones(path, None)?;
/// let none = import::read_zones_in(path, None, [10.0, 50.0, 11.0, 51.0], &ReadOptions::default())?;
/// assert!(none.snapshot.zones().is_empty());
/// assert_eq!(none.report.outside, all.report.features);
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// As [`read_zones_with`]: an error naming the file when it cannot be read,
/// parsed, reprojected or classified.
pub fn read_zones_in(
    path: impl AsRef<Path>,
    source: Option<&Source>,
    bbox: [f64; 4],
    options: &ReadOptions,
) -> Result<Import> {
    let path = path.as_ref();
    let doc = read_zone_file(path, source, options)?;
    zones_from_document(doc, path, source, Some(bbox))
}

/// Reads zones from GeoJSON text (for data that is not in a file); `path` is only
/// used in messages and for a date in its name.
///
/// # Errors
///
/// An error naming `path` when the text is not GeoJSON or its zones cannot be
/// classified or repaired.
pub fn parse_zones(text: &str, path: impl AsRef<Path>, source: Option<&Source>) -> Result<Import> {
    let path = path.as_ref();
    let mut doc = crate::formats::geojson::parse::<AllProperties>(text.as_bytes(), path)?;
    file::to_lon_lat(&mut doc, path, &ReadOptions::default())?;
    zones_from_document(doc, path, source, None)
}

fn zones_from_document(
    mut doc: Document,
    path: &Path,
    source: Option<&Source>,
    within: Option<[f64; 4]>,
) -> Result<Import> {
    let evidence = Evidence::of(&doc, path);
    let mut notices = Vec::new();
    let source = match source {
        Some(s) => {
            notices.extend(evidence.contradiction(s));
            s.clone()
        }
        None => {
            let (source, notice) = evidence.detect(path)?;
            notices.extend(notice);
            source
        }
    };
    let date = match &doc.datetime {
        Some(v) => Some(time::parse_datetime(v).ok_or_else(|| {
            Error::format(path, format!("the envelope's datetime {v} is not a date"))
        })?),
        None => date_from_file_name(path),
    };
    // Every feature's class first, from its properties alone: whether the file can
    // split the occupied ground, and whether anything at all could be classified,
    // are questions about the whole file, not the box read.
    // A snapshot's hundreds of features share a few dozen names: each (name,
    // fill) is classified once.
    let mut known: HashMap<(&str, Option<&str>), Option<Class>> = HashMap::new();
    let polygonal = |f: &Feature| f.geometry.as_ref().is_some_and(shape::Shape::may_be_ground);
    let mut classes: Vec<Option<Class>> = doc
        .features
        .iter()
        .map(|f| {
            // Only ground has a class: markers (most of a raw snapshot's
            // features) are kept without one.
            if !polygonal(f) {
                return None;
            }
            let props = f.properties.as_ref();
            let text = |k: &str| props.and_then(|p| p.get(k)).and_then(Value::as_str);
            match &source {
                Source::DeepState => {
                    let (name, fill) = (text("name").unwrap_or(""), text("fill"));
                    known
                        .entry((name, fill))
                        .or_insert_with(|| {
                            deepstate::classify_on(name, fill, date.map(|d| d.date_naive()))
                        })
                        .clone()
                }
                Source::Occupied => Some(Class {
                    status: Status::OCCUPIED,
                    layer: "occupied".into(),
                    occupation: None,
                }),
                Source::Generic(mapping) => generic_class(mapping, props),
            }
        })
        .collect();
    let classified = doc
        .features
        .iter()
        .zip(&classes)
        .filter(|(f, c)| c.is_some() && polygonal(f))
        .count();
    let ground = doc.features.iter().filter(|f| polygonal(f)).count();
    if classified == 0 && ground > 0 {
        return Err(Error::format(
            path,
            format!(
                "none of its {ground} polygon features could be classified as {}: {}",
                source.describe(),
                evidence.hint(&source)
            ),
        ));
    }
    split_occupation(&mut classes, &source, &mut notices);
    let sealed = seal::holds(doc.seal.as_deref(), &doc.features);
    let mut report = ImportReport::new(path);
    report.features = doc.features.len();
    report.notices = notices;
    report.warnings = std::mem::take(&mut doc.warnings);
    if let Source::Generic(mapping) = &source {
        report
            .warnings
            .extend(generic::check(mapping, &doc.features, path)?);
    }
    let mut zones = Vec::new();
    let mut markers = Vec::new();
    for (index, (feature, class)) in doc.features.into_iter().zip(classes).enumerate() {
        let props = feature.properties.as_ref();
        let text = |k: &str| props.and_then(|p| p.get(k)).and_then(Value::as_str);
        if let Some(geometry) = &feature.geometry
            && within.is_some_and(|bbox| !geometry.may_meet(bbox))
        {
            report.outside += 1;
            continue;
        }
        let label = text("name").map(deepstate::normalise);
        let at = FeatureRef {
            path,
            index,
            name: label.as_deref(),
        };
        let Some(geometry) = feature.geometry else {
            report.ignored.push(skipped(at, "no geometry"));
            continue;
        };
        let checks = if sealed {
            geometry::Checks::Sealed
        } else {
            geometry::Checks::Recalled
        };
        let parts = geometry::parts(geometry, at, &mut report.warnings, checks)?;
        if parts.polygons.is_empty() {
            if parts.points.is_empty() {
                report.ignored.push(skipped(at, "no polygon or point"));
            }
            report.markers += usize::from(!parts.points.is_empty());
            markers.extend(parts.points.into_iter().map(|point| Marker {
                point,
                label: label.clone(),
            }));
            continue;
        }
        let Some(class) = class else {
            let reason = match &source {
                Source::Generic(m) => format!("no status in property {:?}", m.property),
                _ => format!(
                    "no class for its name, fill {:?}",
                    text("fill").unwrap_or("none")
                ),
            };
            report.unclassified.push(skipped(at, &reason));
            continue;
        };
        *report.zones.entry(class.status.clone()).or_default() += 1;
        zones.push(Zone {
            status: class.status,
            geometry: MultiPolygon(parts.polygons),
            occupation: class.occupation,
            source: ZoneSource {
                feature: Some(index),
                layer: Some(class.layer),
                label,
                fill: text("fill").map(str::to_string),
                stroke: text("stroke").map(str::to_string),
            },
        });
    }
    // An occupied-only archive records occupied ground and nothing else: its
    // snapshot measures occupied alone, so that results show the grey zone and
    // liberated ground as unknown there, never as a zero.
    let precedence = match source {
        Source::Occupied => Precedence::new([Status::OCCUPIED]),
        _ => Precedence::default(),
    };
    let snapshot = Snapshot::with_precedence(date, zones, &precedence).with_markers(markers);
    Ok(Import {
        snapshot,
        source,
        report,
    })
}

/// Keeps the occupied zones' [`Occupation`](crate::Occupation) only where the file
/// tells it for all of them: a DeepState map that draws the standing territories
/// (Crimea, ORDLO, Tuzla), or a generic file whose every occupied value is mapped
/// to `occupied_since_2014` or `occupied_since_2022`. Otherwise the split is
/// unknown, and results say so rather than put everything in one part.
fn split_occupation(classes: &mut [Option<Class>], source: &Source, notices: &mut Vec<String>) {
    let occupied = || {
        classes
            .iter()
            .flatten()
            .filter(|c| c.status == Status::OCCUPIED)
    };
    let known = match source {
        Source::Occupied => false,
        Source::DeepState => occupied().any(|c| c.occupation == Some(crate::Occupation::Since2014)),
        Source::Generic(_) => {
            let tagged = occupied().filter(|c| c.occupation.is_some()).count();
            let all = occupied().count();
            if tagged > 0 && tagged < all {
                notices.push(format!(
                    "{} of its {all} occupied features are mapped to occupied_since_2014 or \
                     occupied_since_2022, the others to plain occupied: the split of occupied \
                     ground by date is unknown",
                    tagged
                ));
            }
            tagged == all
        }
    };
    if !known {
        for class in classes.iter_mut().flatten() {
            class.occupation = None;
        }
    }
}

impl Source {
    /// The kind, as messages name it.
    fn describe(&self) -> String {
        match self {
            Source::DeepState => "a DeepState raw snapshot".into(),
            Source::Occupied => "an occupied-only archive file".into(),
            Source::Generic(m) => format!("a generic zone file (status in {:?})", m.property),
        }
    }
}

/// What a zone file's content says of its kind, gathered in one pass.
struct Evidence {
    /// The DeepState API's envelope.
    envelope: bool,
    /// Features with DeepState's own marks: `///` names or a `styleUrl`.
    marked: usize,
    /// Polygon features, and those among them with a non-empty `name`.
    polygons: usize,
    named: usize,
    /// Polygon features whose name DeepState's rules classify, and one such name.
    deepstate_names: usize,
    example: Option<String>,
    /// Polygon features with no properties at all.
    bare: usize,
    /// The kind the file name suggests.
    by_name: Option<NameKind>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameKind {
    /// `deepstatemap_data_YYYYMMDD.geojson`: the occupied-only archive's naming.
    Occupied,
    /// `<unix-seconds>.geojson.gz`, `deepstatemap_data_YYYYMMDD_polygons.geojson.gz`:
    /// the raw archives' namings.
    DeepState,
}

impl NameKind {
    fn of(path: &Path) -> Option<NameKind> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let stem = name.split('.').next()?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if let Some(rest) = stem.strip_prefix("deepstatemap_data_") {
            if digits(rest) {
                return Some(NameKind::Occupied);
            }
            if rest.strip_suffix("_polygons").is_some_and(digits) {
                return Some(NameKind::DeepState);
            }
        }
        ((9..=11).contains(&stem.len()) && digits(stem)).then_some(NameKind::DeepState)
    }
}

impl Evidence {
    fn of(doc: &Document, path: &Path) -> Evidence {
        let mut e = Evidence {
            envelope: doc.envelope,
            marked: 0,
            polygons: 0,
            named: 0,
            deepstate_names: 0,
            example: None,
            bare: 0,
            by_name: NameKind::of(path),
        };
        let mut known: HashMap<&str, bool> = HashMap::new();
        for f in &doc.features {
            let props = f.properties.as_ref();
            let name = props.and_then(|p| p.get("name")).and_then(Value::as_str);
            if props.is_some_and(|p| p.contains_key("styleUrl"))
                || name.is_some_and(|n| n.contains("///"))
            {
                e.marked += 1;
            }
            if !f.geometry.as_ref().is_some_and(shape::Shape::may_be_ground) {
                continue;
            }
            e.polygons += 1;
            if props.is_none_or(|p| p.is_empty()) {
                e.bare += 1;
            }
            let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
                continue;
            };
            e.named += 1;
            // By name alone: a colour is no sign of DeepState's kind.
            let knows = *known
                .entry(name)
                .or_insert_with(|| deepstate::classify(name, None).is_some());
            if knows {
                e.deepstate_names += 1;
                e.example.get_or_insert_with(|| deepstate::normalise(name));
            }
        }
        e
    }

    /// Content that looks like DeepState's: its envelope or marks, or polygons most
    /// of whose names DeepState's rules know (the English-only daily archive).
    fn looks_deepstate(&self) -> bool {
        self.envelope
            || self.marked > 0
            || (self.deepstate_names > 0 && 2 * self.deepstate_names >= self.named)
    }

    /// Content that looks like an occupied-only archive: polygons, none named.
    fn looks_occupied(&self) -> bool {
        self.polygons > 0 && self.named == 0
    }

    /// The kind the content shows, and a notice where the file name suggests
    /// another or the content is mixed.
    fn detect(&self, path: &Path) -> Result<(Source, Option<String>)> {
        let (source, kind) = if self.looks_deepstate() {
            (Source::DeepState, NameKind::DeepState)
        } else if self.looks_occupied()
            && (self.bare == self.polygons || self.by_name == Some(NameKind::Occupied))
        {
            (Source::Occupied, NameKind::Occupied)
        } else {
            return Err(Error::format(
                path,
                "cannot tell what kind of zone file this is: not a DeepState snapshot or an \
                 occupied-only archive file; name the property that holds each feature's status \
                 (--status-property) or the kind (--source)",
            ));
        };
        let mut notice = None;
        if self.by_name.is_some_and(|k| k != kind) {
            notice = Some(match kind {
                NameKind::DeepState => format!(
                    "named like an occupied-only archive file, but its content is a DeepState \
                     raw snapshot ({} of {} polygons carry DeepState class names, e.g. {:?}): \
                     read as DeepState, each polygon by its class",
                    self.deepstate_names,
                    self.polygons,
                    self.example.as_deref().unwrap_or("")
                ),
                NameKind::Occupied => format!(
                    "named like a DeepState raw snapshot, but its content is an occupied-only \
                     archive's ({} polygons, none named): read as occupied-only, all its ground \
                     occupied",
                    self.polygons
                ),
            });
        } else if kind == NameKind::DeepState && self.polygons > self.named && self.named > 0 {
            notice = Some(format!(
                "{} of its {} polygons have no name, beside DeepState names: read as DeepState, \
                 the unnamed ones unclassified unless their fill colour tells",
                self.polygons - self.named,
                self.polygons
            ));
        }
        Ok((source, notice))
    }

    /// A notice when a forced kind is one the content plainly contradicts.
    fn contradiction(&self, forced: &Source) -> Option<String> {
        match forced {
            Source::Occupied if self.looks_deepstate() => Some(format!(
                "read as an occupied-only archive (--source occupied), but its content is a \
                 DeepState raw snapshot ({} of {} polygons carry DeepState class names, e.g. \
                 {:?}): every polygon, grey zone, liberated ground and other countries' land \
                 included, is counted as occupied",
                self.deepstate_names,
                self.polygons,
                self.example.as_deref().unwrap_or("")
            )),
            Source::DeepState if !self.looks_deepstate() && self.looks_occupied() => Some(format!(
                "read as a DeepState raw snapshot (--source deepstate), but its content is an \
                 occupied-only archive's ({} polygons, none named)",
                self.polygons
            )),
            _ => None,
        }
    }

    /// Why nothing could be classified, and what to do.
    fn hint(&self, source: &Source) -> String {
        match source {
            Source::DeepState if self.looks_occupied() => {
                "its polygons carry no names, as in an occupied-only archive file: read it \
                 with --source occupied (or let the kind be detected)"
                    .into()
            }
            Source::DeepState => "no name or fill colour that DeepState's rules know".into(),
            Source::Generic(m) if m.values.is_empty() => format!(
                "no feature has a status name in property {:?}: check --status-property, or \
                 map its values with --status-map VALUE=STATUS",
                m.property
            ),
            Source::Generic(m) => format!(
                "no value of property {:?} matches --status-map ({})",
                m.property,
                m.values
                    .iter()
                    .map(|(v, s)| format!("{v}={s}"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Source::Occupied => String::new(),
        }
    }
}

fn skipped(at: FeatureRef<'_>, reason: &str) -> Skipped {
    Skipped {
        index: at.index,
        name: at.name.map(str::to_string),
        reason: reason.to_string(),
    }
}

fn generic_class(
    mapping: &StatusMapping,
    props: Option<&serde_json::Map<String, Value>>,
) -> Option<Class> {
    let value = match props?.get(&mapping.property)? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    let status = mapping.status_of(&value)?;
    // The parts of occupied are occupied ground that says since when.
    let occupation = crate::Occupation::from_status(&status);
    Some(Class {
        status: if occupation.is_some() {
            Status::OCCUPIED
        } else {
            status
        },
        layer: format!("{}={value}", mapping.property),
        occupation,
    })
}

/// Reads the places (cities, regions, settlements) of a GeoJSON file.
///
/// Features with polygons become areas; features with only points become points
/// (the first, when there are several). Features with neither are skipped with a
/// warning; a file with no usable feature at all is an error.
///
/// ```
/// let places = frontline::import::read_places("data/region.geojson").unwrap();
/// assert_eq!(places.find("Demo Oblast").unwrap().len(), 1);
/// ```
///
/// # Errors
///
/// An error naming the file when it cannot be read or parsed, or has no usable
/// feature at all.
pub fn read_places(path: impl AsRef<Path>) -> Result<Places> {
    read_places_with(path, &ReadOptions::default())
}

/// Reads a place file as [`read_places`] does, with options (e.g. the CRS of a
/// file that does not declare one).
///
/// ```
/// use frontline::import::{self, ReadOptions};
/// let places = import::read_places_with("data/region.geojson", &ReadOptions::default())?;
/// assert_eq!(places.find("Demo Oblast")?.len(), 1);
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error naming the file when it cannot be read, parsed or reprojected, or
/// has no usable feature at all.
pub fn read_places_with(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Places> {
    let path = path.as_ref();
    places_from_document(file::read::<AllProperties>(path, options)?, path)
}

/// Reads places from GeoJSON text, as [`read_places`] does from a file (for data
/// that is not in one); `path` is only used in messages.
///
/// ```
/// let text = r#"{"type": "FeatureCollection", "features": [{"type": "Feature",
///     "properties": {"name": "Demo"}, "geometry": {"type": "Point", "coordinates": [37.5, 48.3]}}]}"#;
/// let places = frontline::import::parse_places(text, "places.geojson")?;
/// assert_eq!(places.find("Demo")?.len(), 1);
/// assert!(frontline::import::parse_places("[]", "places.geojson").is_err());
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error naming `path` when the text is not GeoJSON or has no usable
/// feature.
pub fn parse_places(text: &str, path: impl AsRef<Path>) -> Result<Places> {
    let path = path.as_ref();
    let mut doc = crate::formats::geojson::parse::<AllProperties>(text.as_bytes(), path)?;
    file::to_lon_lat(&mut doc, path, &ReadOptions::default())?;
    places_from_document(doc, path)
}

/// Reads only the places whose bounding box meets `bbox` (`[W, S, E, N]` in
/// degrees): from a FlatGeobuf file through its spatial index, without reading the
/// rest of the file; from other formats by reading all and keeping those.
///
/// ```
/// use frontline::import::ReadOptions;
/// let near = frontline::import::read_places_in(
///     "data/places.geojson",
///     [37.3, 48.2, 37.6, 48.4],
///     &ReadOptions::default(),
/// )?;
/// let all = frontline::import::read_places("data/places.geojson")?;
/// assert!(near.len() < all.len());
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error naming the file when it cannot be read, parsed or reprojected, or
/// has no usable feature at all.
pub fn read_places_in(
    path: impl AsRef<Path>,
    bbox: [f64; 4],
    options: &ReadOptions,
) -> Result<Places> {
    let path = path.as_ref();
    places_from_document(file::read_in(path, bbox, options)?, path)
}

/// Places from features held in memory (a GeoDataFrame's rows, say): each its
/// properties and its geometry as WKB (ISO or EWKB, either byte order; Z and M
/// dropped), in WGS84 longitude/latitude. They are checked and repaired as a
/// file's features are (repairs in [`Places::warnings`]); `label` stands for
/// the file in messages.
///
/// Unlike a file's, every feature must give a place, in order, so that results
/// line up with the caller's rows: a missing geometry (`None`), an empty one or
/// one with neither polygon nor point is an error naming its index, and so are
/// broken WKB and coordinates outside longitude/latitude range (metres of a
/// projected CRS are never read as degrees).
///
/// ```
/// use frontline::{formats, import};
/// use geo::{polygon, MultiPolygon};
/// use serde_json::json;
/// let square = MultiPolygon(vec![polygon![
///     (x: 37.0, y: 48.0), (x: 37.1, y: 48.0), (x: 37.1, y: 48.1), (x: 37.0, y: 48.1)]]);
/// let wkb = formats::to_wkb(&square);
/// let props = json!({"name": "Demo"}).as_object().unwrap().clone();
/// let places = import::places_from_wkb("regions", [(props.clone(), Some(&wkb[..]))])?;
/// assert_eq!(places.find("demo")?.len(), 1);
/// let err = import::places_from_wkb("regions", [(props, None)]).unwrap_err();
/// assert_eq!(err.to_string(), "regions: feature 0 (Demo): no geometry");
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error naming the feature (by `label` and index) with no geometry, WKB
/// that does not parse, or neither a polygon nor a point.
pub fn places_from_wkb<'a>(
    label: impl AsRef<Path>,
    features: impl IntoIterator<Item = (serde_json::Map<String, Value>, Option<&'a [u8]>)>,
) -> Result<Places> {
    let path = label.as_ref();
    let features: Vec<Feature> = features
        .into_iter()
        .enumerate()
        .map(|(index, (properties, wkb))| {
            let name = properties
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string);
            let wkb = wkb.ok_or_else(|| Error::feature(path, index, name, "no geometry"))?;
            Ok(Feature {
                geometry: Some(
                    crate::formats::wkb::decode(wkb).unwrap_or_else(shape::Shape::Invalid),
                ),
                properties: Some(properties),
                id: None,
            })
        })
        .collect::<Result<_>>()?;
    let cleaned: Vec<(Result<Place>, Vec<String>)> = features
        .into_par_iter()
        .enumerate()
        .map(|(index, feature)| {
            let name = feature.name().map(str::to_string);
            let mut warnings = Vec::new();
            let place = place(feature, index, path, false, &mut warnings).and_then(|p| {
                p.ok_or_else(|| {
                    Error::feature(
                        path,
                        index,
                        name,
                        "no polygon or point (an empty geometry?)",
                    )
                })
            });
            (place, warnings)
        })
        .collect();
    let mut warnings = Vec::new();
    let mut places = Vec::with_capacity(cleaned.len());
    for (place, w) in cleaned {
        // A place that was refused leaves a "skipped it" warning: the error says it.
        places.push(place?);
        warnings.extend(w);
    }
    Ok(Places::new(path, places).with_warnings(warnings))
}

fn places_from_document(doc: Document, path: &Path) -> Result<Places> {
    // Features are cleaned in parallel (a country's raions are large polygons);
    // warnings and the first error come out in feature order all the same.
    let sealed = seal::holds(doc.seal.as_deref(), &doc.features);
    let cleaned: Vec<(Result<Option<Place>>, Vec<String>)> = doc
        .features
        .into_par_iter()
        .enumerate()
        .map(|(index, feature)| {
            let mut warnings = Vec::new();
            (place(feature, index, path, sealed, &mut warnings), warnings)
        })
        .collect();
    let mut warnings = doc.warnings;
    let mut places = Vec::new();
    for (place, w) in cleaned {
        warnings.extend(w);
        places.extend(place?);
    }
    if places.is_empty() {
        return Err(Error::format(
            path,
            "no feature with a usable polygon or point",
        ));
    }
    Ok(Places::new(path, places).with_warnings(warnings))
}

/// The place a feature makes, `None` (with a warning) when it has no usable ground.
fn place(
    feature: Feature,
    index: usize,
    path: &Path,
    sealed: bool,
    warnings: &mut Vec<String>,
) -> Result<Option<Place>> {
    let properties = feature.properties.unwrap_or_default();
    let name = properties.get("name").and_then(Value::as_str);
    let at = FeatureRef { path, index, name };
    let Some(geometry) = feature.geometry else {
        warnings.push(at.warning("no geometry; skipped it"));
        return Ok(None);
    };
    let checks = if sealed {
        geometry::Checks::Sealed
    } else {
        geometry::Checks::Each
    };
    let parts = geometry::parts(geometry, at, warnings, checks)?;
    let geometry = if !parts.polygons.is_empty() {
        PlaceGeometry::Area(
            if parts.polygons.len() > 1 && !sealed && !geometry::disjoint(&parts.polygons) {
                // The parts of a MultiPolygon may overlap (invalid, but seen):
                // their union keeps every km² once.
                geometry::union(&parts.polygons, at)?
            } else {
                MultiPolygon(parts.polygons)
            },
        )
    } else if let Some(point) = parts.points.first() {
        if parts.points.len() > 1 {
            warnings.push(at.warning("several points; used the first"));
        }
        PlaceGeometry::Point(*point)
    } else {
        warnings.push(at.warning("no polygon or point; skipped it"));
        return Ok(None);
    };
    Ok(Some(
        Place::new(properties, geometry).at_feature(index, feature.id),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{point, polygon};

    const FC: &str = r##"{"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Окуповано /// Occupied /// geoJSON.status.occupied", "fill": "#a52714"},
         "geometry": {"type": "Polygon", "coordinates": [[[37,48,0],[37.2,48,0],[37.2,48.2,0],[37,48.2,0],[37,48,0]]]}},
        {"type": "Feature", "properties": {"name": "Статус невідомий /// Unknown status /// geoJSON.status.unknown"},
         "geometry": {"type": "Polygon", "coordinates": [[[37.1,48,0],[37.3,48,0],[37.3,48.2,0],[37.1,48.2,0],[37.1,48,0]]]}},
        {"type": "Feature", "properties": {"name": "Багатокутник 3"},
         "geometry": {"type": "Polygon", "coordinates": [[[30,48],[30.1,48],[30.1,48.1],[30,48]]]}},
        {"type": "Feature", "properties": {"name": "Airfield"}, "geometry": {"type": "Point", "coordinates": [36, 47]}},
        {"type": "Feature", "properties": {"name": "Direction"}, "geometry": {"type": "LineString", "coordinates": [[36, 47], [37, 48]]}},
        {"type": "Feature", "properties": {}, "geometry": null}
    ]}"##;

    #[test]
    fn every_feature_is_used_or_reported() {
        let import = parse_zones(FC, "1754251105.geojson", None).unwrap();
        let r = &import.report;
        assert_eq!(import.source, Source::DeepState);
        assert_eq!(r.features, 6);
        assert_eq!(r.zones[&Status::OCCUPIED], 1);
        assert_eq!(r.zones[&Status::CONTESTED], 1);
        assert_eq!(r.markers, 1);
        assert_eq!(r.unclassified.len(), 1);
        assert_eq!(r.unclassified[0].index, 2);
        assert_eq!(r.ignored.len(), 2);
        assert_eq!(import.snapshot.date().unwrap().timestamp(), 1754251105);
    }

    #[test]
    fn generic_files_need_a_mapping_or_a_source() {
        let fc = r#"{"type": "FeatureCollection", "features": [{"type": "Feature",
            "properties": {"control": "RU"},
            "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}]}"#;
        let err = parse_zones(fc, "zones.geojson", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--status-property"), "{err}");
        let mapping = StatusMapping::new("control")
            .parse_pairs("RU=occupied")
            .unwrap();
        let import = parse_zones(fc, "zones.geojson", Some(&Source::Generic(mapping))).unwrap();
        assert_eq!(import.report.zones[&Status::OCCUPIED], 1);
        assert!(StatusMapping::new("x").parse_pairs("RU").is_err());
        assert!(StatusMapping::new("x").parse_pairs("RU=unmarked").is_err());
    }

    #[test]
    fn in_memory_places_refuse_what_a_file_would_skip() {
        let props = |n: &str| {
            serde_json::json!({"name": n})
                .as_object()
                .cloned()
                .unwrap_or_default()
        };
        let square = MultiPolygon(vec![polygon![
            (x: 37.0, y: 48.0), (x: 37.1, y: 48.0), (x: 37.1, y: 48.1), (x: 37.0, y: 48.1)]]);
        let good = crate::formats::to_wkb(&square);
        let empty_polygon: &[u8] = &[1, 3, 0, 0, 0, 0, 0, 0, 0];
        let projected = crate::formats::to_wkb(&point!(x: 4_100_000.0, y: 6_100_000.0));
        let place = |name: &str, wkb: Option<&[u8]>| {
            places_from_wkb("gdf", [(props("A"), Some(&good[..])), (props(name), wkb)])
                .map(|p| p.len())
                .map_err(|e| e.to_string())
        };
        assert_eq!(place("B", Some(&good)), Ok(2));
        assert_eq!(
            place("B", None),
            Err("gdf: feature 1 (B): no geometry".into())
        );
        let err = place("B", Some(empty_polygon)).unwrap_err();
        assert!(err.starts_with("gdf: feature 1 (B): "), "{err}");
        let err = place("B", Some(&projected)).unwrap_err();
        assert!(
            err.contains("feature 1 (B)") && err.contains("range"),
            "{err}"
        );
        let err = place("B", Some(&[1, 99, 0])).unwrap_err();
        assert!(
            err.contains("feature 1 (B)") && err.contains("WKB"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_feature_names_file_and_index() {
        let fc = r#"{"type": "FeatureCollection", "features": [{"type": "Feature",
            "properties": {"name": "x /// geoJSON.status.occupied"},
            "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1e400,1],[0,0]]]}}]}"#;
        // serde_json refuses 1e400 itself: the message still names the file.
        let err = parse_zones(fc, "bad.geojson", None)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bad.geojson: "), "{err}");
    }
}
