//! FlatGeobuf: read every feature, or only those whose box meets a bounding box
//! through the file's packed Hilbert R-tree (a large boundary file is then read
//! in part); written with that index, the CRS in the header and typed columns.
//!
//! ```
//! use frontline::crs::Crs;
//! use frontline::formats::flatgeobuf;
//! let path = std::env::temp_dir().join(format!("frontline-fgb-doc-{}.fgb", std::process::id()));
//! let fc: geojson::FeatureCollection = std::fs::read_to_string("data/places.geojson")
//!     .unwrap().parse().unwrap();
//! // No seal: `frontline::convert::write` seals polygons cleaning vouches for.
//! flatgeobuf::write(&fc, &path, &Crs::wgs84(), None)?;
//! let all = frontline::import::read_places(&path)?;
//! assert_eq!(all.len(), fc.features.len());
//! // Only the features whose boxes meet the box, found through the index.
//! let some = frontline::import::read_places_in(&path, [37.3, 48.2, 37.6, 48.4], &Default::default())?;
//! assert!(some.len() < all.len());
//! # std::fs::remove_file(&path).unwrap();
//! # Ok::<(), frontline::Error>(())
//! ```

use std::cell::Cell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::rc::Rc;

use flatgeobuf::packed_r_tree::PackedRTree;
use flatgeobuf::{
    ColumnType, FallibleStreamingIterator, FgbCrs, FgbReader, FgbWriter, FgbWriterOptions,
    GeometryType,
};
use geo::Coord;
use geozero::{ColumnValue, FeatureProperties, PropertyProcessor};
use serde_json::{Map, Value};

use super::columns::{self, Kind};
use super::seal;
use super::shape::{Ring, Shape};
use super::{Document, Feature};
use crate::atomic::AtomicFile;
use crate::crs::Crs;
use crate::{Error, Result};

/// Reads a FlatGeobuf file: every feature, or with `bbox` (`[W, S, E, N]`,
/// longitude/latitude) only those whose bounding box meets it, found through
/// the spatial index without reading the rest of the file. A file in a projected
/// CRS is read whole (its index is in its own coordinates).
pub(crate) fn read(path: &Path, bbox: Option<[f64; 4]>) -> Result<Document> {
    super::guarded(path, "FlatGeobuf", || read_unguarded(path, bbox))
}

/// [`read`] without its guard against the decoder panicking.
fn read_unguarded(path: &Path, bbox: Option<[f64; 4]>) -> Result<Document> {
    let bad =
        |e: flatgeobuf::Error| Error::format(path, format!("not a readable FlatGeobuf file: {e}"));
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let probe = file.try_clone().map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let reader = FgbReader::open(BufReader::new(file)).map_err(bad)?;
    let (features_at, sizes) = feature_starts(&probe, len, &reader.header(), path)?;
    // A clone shares the file's offset, which both readers moved.
    (&probe).seek(SeekFrom::Start(0)).map_err(io)?;
    // Every read of the features goes through the guard (see `Guarded`).
    let refused = Rc::new(Cell::new(None));
    let reader = FgbReader::open(Guarded {
        inner: BufReader::new(probe),
        pos: 0,
        features_at,
        end: len,
        sizes,
        next: Next::Index,
        refused: Rc::clone(&refused),
    })
    .map_err(bad)?;
    // A read the guard refused says why, whatever the crate makes of it.
    let pointed = || {
        refused.get().map(|at| {
            Error::format(
                path,
                format!("its spatial index points at byte {at}, where no feature starts (the file is damaged)"),
            )
        })
    };
    let misread = |e: flatgeobuf::Error| pointed().unwrap_or_else(|| bad(e));
    let header = reader.header();
    let crs = header_crs(&header, path)?;
    let total = header.features_count();
    let kind = header.geometry_type();
    let seal = header.metadata().and_then(|m| seal::claimed(m, true));
    // The crate searches the index as if its nodes held 16 entries (the default,
    // what GDAL and frontline write): any other index is not searched.
    let indexed = header.index_node_size() == PackedRTree::DEFAULT_NODE_SIZE && total > 0;
    // The box is in longitude/latitude; the index of a projected file is in its
    // own coordinates, where that box would select the wrong features.
    let lon_lat = crs.as_ref().is_none_or(Crs::is_lon_lat);
    let mut iter = match bbox {
        Some([w, s, e, n]) if indexed && lon_lat => {
            reader.select_bbox(w, s, e, n).map_err(misread)?
        }
        _ => reader.select_all().map_err(misread)?,
    };
    let expected = iter.features_count();
    let mut features = Vec::new();
    while let Some(feature) = iter.next().map_err(misread)? {
        let index = features.len();
        let at = |e: geozero::error::GeozeroError| {
            Error::feature(
                path,
                index,
                None,
                format!("unreadable FlatGeobuf feature: {e}"),
            )
        };
        let mut props = Props(Map::new());
        feature.process_properties(&mut props).map_err(at)?;
        let geometry = feature.geometry().map(|g| shape(&g, kind, 0));
        features.push(Feature {
            geometry,
            properties: Some(props.0),
            id: None,
        });
    }
    // A file cut short, or a refused read, ends the iteration early instead of
    // failing: the header's count tells.
    if let Some(expected) = expected.filter(|n| *n > 0 && features.len() < *n) {
        if let Some(e) = pointed() {
            return Err(e);
        }
        return Err(Error::format(
            path,
            format!(
                "truncated FlatGeobuf file: its header announces {expected} features, {} could be read",
                features.len()
            ),
        ));
    }
    // Without an index nothing was selected by box: `file::read_in` filters every
    // format by box once the features are in longitude/latitude.
    Ok(Document {
        features,
        crs,
        seal,
        ..Document::default()
    })
}

/// Where the features start (after the header and the index), and the offset of
/// every feature's size prefix with the size it gives, each checked against the
/// file's length: the flatgeobuf crate allocates what a prefix claims (up to 4
/// GiB) before reading it (found by fuzzing), and asserts on an index node size
/// of 1.
fn feature_starts(
    mut file: &File,
    len: u64,
    header: &flatgeobuf::Header<'_>,
    path: &Path,
) -> Result<(u64, HashMap<u64, u64>)> {
    let bad = |m: String| Error::format(path, format!("truncated or corrupt FlatGeobuf file: {m}"));
    let mut word = |at: u64| -> Result<u64> {
        let mut w = [0u8; 4];
        file.seek(SeekFrom::Start(at))
            .and_then(|_| file.read_exact(&mut w))
            .map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(u64::from(u32::from_le_bytes(w)))
    };
    let (count, node) = (header.features_count(), header.index_node_size());
    let index = match (count, node) {
        (0, _) | (_, 0) => Some(0),
        (_, 1) => return Err(bad("its index node size is 1 (at least 2)".into())),
        _ => index_size(count, u64::from(node)),
    };
    // The magic bytes, the header's size and the header (already read, so there).
    let features_at = index
        .and_then(|i| (12 + word(8).ok()?).checked_add(i))
        .filter(|at| *at <= len)
        .ok_or_else(|| bad(format!("its index of {count} features runs past the end")))?;
    let mut sizes = HashMap::new();
    let mut at = features_at;
    while at < len {
        let past = || {
            bad(format!(
                "feature {} at byte {at} runs past the end of the file ({len} bytes)",
                sizes.len()
            ))
        };
        if at + 4 > len {
            return Err(past());
        }
        let size = word(at)?;
        let end = at + 4 + size;
        if end > len {
            return Err(past());
        }
        sizes.insert(at, size);
        at = end;
    }
    Ok((features_at, sizes))
}

/// The bytes of a packed R-tree of `count` items in nodes of `node` entries
/// (as `PackedRTree::index_size` counts them, without its overflow); `None` past
/// `u64`.
fn index_size(count: u64, node: u64) -> Option<u64> {
    let (mut n, mut nodes) = (count, count);
    loop {
        n = n.div_ceil(node);
        nodes = nodes.checked_add(n)?;
        if n <= 1 {
            return nodes.checked_mul(40);
        }
    }
}

/// The file as the flatgeobuf crate reads it. Once it reads past the index, each
/// read is either a feature's 4-byte size prefix, at an offset `feature_starts`
/// checked, or the body of the feature whose prefix it read last, right after
/// it and of the size that prefix gives. The crate reads a prefix wherever the
/// index points and reserves what it says before reading on, so a prefix read
/// anywhere else is refused, and the error ends the iteration: an index entry
/// pointing into a feature's body, or (an offset past `i64`, seeking backwards)
/// into the header, made it reserve and zero 3.9 GB for a 2 KB file (found by
/// fuzzing).
struct Guarded<R> {
    inner: R,
    pos: u64,
    features_at: u64,
    /// The file's length: a read from there finds its end, as a file cut
    /// short at a feature's end does (then the header's count tells).
    end: u64,
    /// Size of each feature by the offset of its prefix.
    sizes: HashMap<u64, u64>,
    next: Next,
    /// Where a read was refused, for the message.
    refused: Rc<Cell<Option<u64>>>,
}

/// What `Guarded` lets the crate read next.
#[derive(Clone, Copy)]
enum Next {
    /// The header and the index, until the first read past them.
    Index,
    /// A feature's size prefix.
    Prefix,
    /// The body of `len` bytes at `at`, or (after a seek) another prefix.
    Body { at: u64, len: u64 },
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let len = buf.len() as u64;
        let free = matches!(self.next, Next::Index) && self.pos < self.features_at;
        if free || len == 0 || self.pos >= self.end {
            let n = self.inner.read(buf)?;
            self.pos += n as u64;
            return Ok(n);
        }
        self.next = match (self.next, self.sizes.get(&self.pos)) {
            (Next::Body { at, len: size }, _) if at == self.pos && size == len => Next::Prefix,
            // A feature of no bytes has no body to read.
            (_, Some(0)) if len == 4 => Next::Prefix,
            (_, Some(size)) if len == 4 => Next::Body {
                at: self.pos + 4,
                len: *size,
            },
            _ => {
                self.refused.set(Some(self.pos));
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "a read where no feature starts",
                ));
            }
        };
        self.inner.read_exact(buf)?;
        self.pos += len;
        Ok(buf.len())
    }
}

impl<R: Seek> Seek for Guarded<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        Ok(self.pos)
    }
}

/// A FlatGeobuf geometry decoded from its flat arrays (`xy`, ring `ends`, `parts`)
/// as the format's specification lays them out; `kind` is the header's type, or
/// `Unknown` for a per-geometry type. Broken arrays make an invalid shape: an
/// error naming the feature, never an out-of-bounds read.
fn shape(g: &flatgeobuf::Geometry<'_>, kind: GeometryType, depth: usize) -> Shape {
    let kind = if kind == GeometryType::Unknown {
        g.type_()
    } else {
        kind
    };
    let coords = || -> Ring {
        g.xy().map_or_else(Vec::new, |xy| {
            xy.bytes()
                .chunks_exact(16)
                .map(|p| {
                    let (x, y) = p.split_at(8);
                    let f = |b: &[u8]| f64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
                    Coord { x: f(x), y: f(y) }
                })
                .collect()
        })
    };
    // Rings or lines split at `ends` (indexes of positions); none: one only.
    let split = || -> Result<Vec<Ring>, String> {
        let all = coords();
        let Some(ends) = g.ends().filter(|e| e.len() > 1) else {
            return Ok(vec![all]);
        };
        let mut rings = Vec::with_capacity(ends.len());
        let mut start = 0;
        for end in ends.iter() {
            let end = end as usize;
            if end < start || end > all.len() {
                return Err(format!(
                    "FlatGeobuf ring end {end} outside its {} positions",
                    all.len()
                ));
            }
            rings.push(all[start..end].to_vec());
            start = end;
        }
        Ok(rings)
    };
    let parts = || {
        g.parts()
            .map(|p| p.iter().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let result = match kind {
        GeometryType::Point => match coords().first() {
            Some(c) => Ok(Shape::Point(*c)),
            None => Err("a FlatGeobuf point without coordinates".to_string()),
        },
        GeometryType::MultiPoint => Ok(Shape::MultiPoint(coords())),
        GeometryType::LineString => Ok(Shape::LineString(coords())),
        GeometryType::MultiLineString => split().map(Shape::MultiLineString),
        GeometryType::Polygon => split().map(Shape::Polygon),
        GeometryType::MultiPolygon => parts()
            .iter()
            .map(|p| match shape(p, GeometryType::Polygon, depth + 1) {
                Shape::Polygon(rings) => Ok(rings),
                Shape::Invalid(why) => Err(why),
                other => Err(format!("a {} in a MultiPolygon", other.type_name())),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Shape::MultiPolygon),
        GeometryType::GeometryCollection if depth < 32 => Ok(Shape::Collection(
            parts()
                .iter()
                .map(|p| shape(p, GeometryType::Unknown, depth + 1))
                .collect(),
        )),
        other => Err(format!(
            "FlatGeobuf geometry type {other:?} is not supported"
        )),
    };
    result.unwrap_or_else(Shape::Invalid)
}

/// The CRS of the header: its EPSG code, else its WKT; `None` when it has none.
fn header_crs(header: &flatgeobuf::Header<'_>, path: &Path) -> Result<Option<Crs>> {
    let Some(crs) = header.crs() else {
        return Ok(None);
    };
    let epsg = crs.org().is_none_or(|o| o.eq_ignore_ascii_case("EPSG"));
    if epsg && crs.code() > 0 {
        return Ok(Some(Crs::epsg_code(crs.code().unsigned_abs())));
    }
    match crs.wkt().filter(|w| !w.trim().is_empty()) {
        Some(wkt) => Crs::parse(wkt)
            .map(Some)
            .map_err(|e| Error::format(path, format!("its CRS: {e}"))),
        None => Ok(None),
    }
}

/// Properties into a JSON map, typed as the columns are.
struct Props(Map<String, Value>);

impl PropertyProcessor for Props {
    fn property(
        &mut self,
        _index: usize,
        name: &str,
        value: &ColumnValue,
    ) -> geozero::error::Result<bool> {
        let v = match value {
            ColumnValue::Byte(x) => Value::from(*x),
            ColumnValue::UByte(x) => Value::from(*x),
            ColumnValue::Bool(x) => Value::from(*x),
            ColumnValue::Short(x) => Value::from(*x),
            ColumnValue::UShort(x) => Value::from(*x),
            ColumnValue::Int(x) => Value::from(*x),
            ColumnValue::UInt(x) => Value::from(*x),
            ColumnValue::Long(x) => Value::from(*x),
            ColumnValue::ULong(x) => Value::from(*x),
            ColumnValue::Float(x) => columns::number(f64::from(*x)),
            ColumnValue::Double(x) => columns::number(*x),
            ColumnValue::String(s) | ColumnValue::DateTime(s) => Value::from(*s),
            ColumnValue::Json(s) => serde_json::from_str(s).unwrap_or_else(|_| Value::from(*s)),
            ColumnValue::Binary(b) => {
                Value::from(b.iter().map(|x| format!("{x:02x}")).collect::<String>())
            }
        };
        self.0.insert(name.to_string(), v);
        Ok(false)
    }
}

/// The FlatGeobuf geometry type of a GeoJSON geometry, single types promoted to
/// their multi type (as the writer promotes them).
fn multi_type(value: &geojson::GeometryValue) -> GeometryType {
    use geojson::GeometryValue as G;
    match value {
        G::Point { .. } => GeometryType::Point,
        G::MultiPoint { .. } => GeometryType::MultiPoint,
        G::LineString { .. } | G::MultiLineString { .. } => GeometryType::MultiLineString,
        G::Polygon { .. } | G::MultiPolygon { .. } => GeometryType::MultiPolygon,
        G::GeometryCollection { .. } => GeometryType::GeometryCollection,
    }
}

/// Writes features to a FlatGeobuf file with a spatial index; their coordinates are
/// in `crs`, which the header records (EPSG code and WKT).
///
/// # Errors
///
/// An error naming the file (and feature) when `crs` cannot be written as WKT,
/// a feature has no or an unusable geometry or property, or the file cannot be written.
pub fn write(
    collection: &geojson::FeatureCollection,
    path: &Path,
    crs: &Crs,
    seal: Option<&str>,
) -> Result<()> {
    let features = &collection.features;
    let fail = |e: flatgeobuf::Error| Error::format(path, format!("writing FlatGeobuf: {e}"));
    let mut kinds = features
        .iter()
        .filter_map(|f| f.geometry.as_ref())
        .map(|g| multi_type(&g.value));
    let first = kinds.next().unwrap_or(GeometryType::Unknown);
    // Points stay points (places); a mix of types is "Unknown", which FlatGeobuf allows.
    let kind = if kinds.all(|k| k == first) {
        first
    } else {
        GeometryType::Unknown
    };
    let wkt = crs.to_wkt().ok();
    if wkt.is_none() && crs.epsg().is_none() {
        // Propagate the reason (a CRS that needs PROJ to be written as WKT).
        crs.to_wkt()?;
    }
    // Polygons clean as they are get a seal, and are not cleaned again when read.
    let seal = seal.map(seal::header_metadata);
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("features");
    let options = FgbWriterOptions {
        write_index: true,
        detect_type: false,
        promote_to_multi: true,
        crs: FgbCrs {
            org: Some("EPSG").filter(|_| crs.epsg().is_some() || crs.is_lon_lat()),
            code: crs
                .epsg()
                .or(crs.is_lon_lat().then_some(4326))
                .and_then(|c| i32::try_from(c).ok())
                .unwrap_or(0),
            wkt: wkt.as_deref(),
            ..FgbCrs::default()
        },
        metadata: seal.as_deref(),
        ..FgbWriterOptions::default()
    };
    let out = AtomicFile::create(path)?;
    let mut fgb = FgbWriter::create_with_options(name, kind, options).map_err(fail)?;
    let cols = columns::columns(features);
    for c in &cols {
        let t = match c.kind {
            Kind::Bool => ColumnType::Bool,
            Kind::Int => ColumnType::Long,
            Kind::Float => ColumnType::Double,
            Kind::Text => ColumnType::String,
        };
        fgb.add_column(&c.name, t, |_, col| col.nullable = true);
    }
    for (index, feature) in features.iter().enumerate() {
        let at =
            |problem: String| Error::feature(path, index, super::feature_name(feature), problem);
        let Some(geometry) = &feature.geometry else {
            return Err(at("no geometry: FlatGeobuf features need one".into()));
        };
        let geometry = geo::Geometry::<f64>::try_from(&geometry.value)
            .map_err(|e| at(format!("geometry: {e}")))?;
        let props = feature.properties.as_ref();
        let mut failed = None;
        fgb.add_feature_geom(geometry, |w| {
            for (i, c) in cols.iter().enumerate() {
                let Some(v) = columns::get(props, &c.name) else {
                    continue;
                };
                let text;
                let value = match (c.kind, v) {
                    (Kind::Bool, Value::Bool(b)) => ColumnValue::Bool(*b),
                    (Kind::Int, v) => ColumnValue::Long(v.as_i64().unwrap_or_default()),
                    (Kind::Float, v) => ColumnValue::Double(v.as_f64().unwrap_or(f64::NAN)),
                    (_, v) => {
                        text = columns::text(v);
                        ColumnValue::String(&text)
                    }
                };
                if let Err(e) = w.property(i, &c.name, &value) {
                    failed = Some(e);
                }
            }
        })
        .map_err(|e| at(format!("writing FlatGeobuf: {e}")))?;
        if let Some(e) = failed {
            return Err(at(format!("writing FlatGeobuf: {e}")));
        }
    }
    let mut out = out;
    fgb.write(&mut out).map_err(fail)?;
    out.flush().map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    out.commit()
}
