//! ESRI Shapefile: `.shp` geometry, `.shx` index, `.dbf` attributes, `.prj` CRS
//! (WKT), `.cpg` attribute encoding.
//!
//! Reading: polygons (rings sorted into exteriors and holes by their winding, as
//! the format defines it: clockwise exteriors), lines, points and multipoints; Z
//! and M dropped; multipatches refused. Attribute text is decoded with the encoding
//! given, else the `.cpg` (UTF-8, 1251, ...), else the `.dbf` header's code page,
//! else UTF-8.
//!
//! Writing: one geometry type per file (as the format requires), UTF-8 attributes
//! (with a `.cpg` saying so), field names cut to the format's 10 bytes and kept
//! unique, text cut to its 254 bytes. All five files are written to temporary names
//! and renamed into place only once all are complete.
//!
//! ```
//! use frontline::crs::Crs;
//! use frontline::formats::shapefile;
//! let dir = std::env::temp_dir().join(format!("frontline-shp-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let fc: geojson::FeatureCollection = std::fs::read_to_string("data/region.geojson")
//!     .unwrap().parse().unwrap();
//! shapefile::write(&fc, &dir.join("region.shp"), &Crs::wgs84())?;
//! for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
//!     assert!(dir.join(format!("region.{ext}")).is_file());
//! }
//! let places = frontline::import::read_places(dir.join("region.shp"))?;
//! assert_eq!(places.find("Demo Oblast")?.len(), 1);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), frontline::Error>(())
//! ```

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use dbase::{FieldName, FieldValue, TableWriterBuilder};
use serde_json::{Map, Value};
use shapefile::record::EsriShape;
use shapefile::{Shape, ShapeReader, ShapeWriter};

use super::columns::{self, Kind};
use super::{Document, Feature};
use crate::atomic::AtomicFile;
use crate::crs::Crs;
use crate::{Error, Result};

/// What went wrong, in words: the crate's `Display` prints some of its errors as
/// Rust debug text (`DbaseError(Error { kind: IoError(..) })`).
fn message(e: &shapefile::Error) -> String {
    use shapefile::Error as E;
    match e {
        E::DbaseError(d) => format!("its attribute table (.dbf): {}", dbase_message(d)),
        E::MissingDbf => "its attribute table (.dbf) is missing".to_string(),
        E::MissingIndexFile => "its index (.shx) is missing".to_string(),
        E::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends early (cut short?)".to_string()
        }
        E::IoError(io) => crate::error::io_message(io),
        e => e.to_string(),
    }
}

/// A `.dbf` error in words: the crate prints one outside any record as
/// `Error { kind: ... }`.
fn dbase_message(e: &dbase::Error) -> String {
    match e.kind() {
        dbase::ErrorKind::IoError(io) => crate::error::io_message(io),
        _ if e.record_index().is_none() => e.kind().to_string(),
        _ => e.to_string(),
    }
}

/// Reads a Shapefile; `encoding` (e.g. `"UTF-8"`, `"1251"`) overrides the `.cpg`.
pub(crate) fn read(path: &Path, encoding: Option<&str>) -> Result<Document> {
    let sibling = |ext: &str| path.with_extension(ext);
    let shp_err = |e: shapefile::Error| {
        Error::format(path, format!("not a readable Shapefile: {}", message(&e)))
    };
    let dbf_path = sibling("dbf");
    let dbf = File::open(&dbf_path).map_err(|e| {
        Error::format(
            path,
            format!(
                "its attribute table {} cannot be opened ({}): a Shapefile needs its .dbf",
                dbf_path.display(),
                crate::error::io_message(&e)
            ),
        )
    })?;
    let encoding = match encoding {
        Some(name) => Some(name.to_string()),
        None => std::fs::read_to_string(sibling("cpg"))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    };
    let mut builder = dbase::ReaderBuilder::new();
    if let Some(name) = &encoding {
        let e = dbase::encoding::DynEncoding::from_name(name).ok_or_else(|| {
            Error::format(
                path,
                format!("unknown attribute encoding {name:?} (from its .cpg or the option)"),
            )
        })?;
        builder = builder.with_encoding(e);
    }
    let dbf_err = |e: dbase::Error| {
        Error::format(
            path,
            format!(
                "its attribute table {}: {}",
                dbf_path.display(),
                dbase_message(&e)
            ),
        )
    };
    let table = builder.build(BufReader::new(dbf)).map_err(dbf_err)?;
    let names: Vec<String> = table
        .fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    check_records(path)
        .map_err(|m| Error::format(path, format!("not a readable Shapefile: {m}")))?;
    let shapes = ShapeReader::from_path(path).map_err(shp_err)?;
    let crs = match std::fs::read_to_string(sibling("prj")) {
        Ok(wkt) if !wkt.trim().is_empty() => {
            Some(Crs::parse(&wkt).map_err(|e| Error::format(path, format!("its .prj: {e}")))?)
        }
        _ => None,
    };
    let mut reader = shapefile::Reader::new(shapes, table);
    let mut features = Vec::new();
    for (index, item) in reader
        .iter_shapes_and_records_as::<Shape, Row>()
        .enumerate()
    {
        let (shape, Row(values)) = item.map_err(|e| {
            Error::feature(
                path,
                index,
                None,
                format!("unreadable record: {}", message(&e)),
            )
        })?;
        let mut props = Map::new();
        for (name, value) in names.iter().zip(values) {
            props.insert(name.clone(), value.map_or(Value::Null, field_value));
        }
        let geometry = match shape {
            Shape::NullShape => None,
            Shape::Multipatch(_) => {
                return Err(Error::feature(
                    path,
                    index,
                    props
                        .get("name")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    "a multipatch (3D surface): not supported",
                ));
            }
            shape => {
                let g = geo::Geometry::<f64>::try_from(shape).map_err(|e| {
                    Error::feature(
                        path,
                        index,
                        props
                            .get("name")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        format!("unusable shape: {e}"),
                    )
                })?;
                Some(super::shape::Shape::from(&g))
            }
        };
        features.push(Feature {
            geometry,
            properties: Some(props),
            id: None,
        });
    }
    Ok(Document {
        features,
        crs,
        ..Document::default()
    })
}

/// Checks what the shapefile crate allocates by before it reads: the `.shx`
/// length its header claims, and each record's part and point counts, against
/// the bytes really there (it reserves what they claim, gigabytes for a damaged
/// file: found by fuzzing). Records are found as the crate finds them: through the
/// `.shx` when there is one, else one after the other.
fn check_records(path: &Path) -> std::result::Result<(), String> {
    let open = |p: &Path| -> std::result::Result<(File, u64), String> {
        let f = File::open(p).map_err(|e| format!("{}: {e}", p.display()))?;
        let n = f.metadata().map_err(|e| e.to_string())?.len();
        Ok((f, n))
    };
    // `n` bytes at `at`, or `None` past the end.
    let bytes = |f: &mut File, at: u64, buf: &mut [u8]| -> Option<()> {
        f.seek(SeekFrom::Start(at)).ok()?;
        f.read_exact(buf).ok()
    };
    let be = |b: &[u8]| i64::from(i32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let le = |b: &[u8]| i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let (mut shp, shp_len) = open(path)?;
    let mut head = [0u8; 100];
    // A header cut short: the crate says so itself.
    if bytes(&mut shp, 0, &mut head).is_none() {
        return Ok(());
    }
    let claimed = |head: &[u8; 100]| be(&head[24..28]).saturating_mul(2);
    let shp_end = u64::try_from(claimed(&head)).unwrap_or(0).min(shp_len);
    let shx_path = path.with_extension("shx");
    let offsets: Vec<u64> = match open(&shx_path) {
        Ok((mut shx, shx_len)) => {
            let mut head = [0u8; 100];
            if bytes(&mut shx, 0, &mut head).is_none() {
                return Ok(());
            }
            let n = claimed(&head);
            if n < 100 || n as u64 > shx_len {
                return Err(format!("its .shx claims {n} bytes, but has {shx_len}"));
            }
            let mut index = vec![0u8; n as usize - 100];
            bytes(&mut shx, 100, &mut index).ok_or("its .shx cannot be read")?;
            index
                .chunks_exact(8)
                .map(|e| u64::try_from(be(e).saturating_mul(2)).unwrap_or(u64::MAX))
                .collect()
        }
        Err(_) => {
            let mut offsets = Vec::new();
            let mut at = 100;
            let mut rec = [0u8; 8];
            while at + 8 <= shp_end && bytes(&mut shp, at, &mut rec).is_some() {
                offsets.push(at);
                at += 8 + u64::try_from(be(&rec[4..]).saturating_mul(2)).unwrap_or(u64::MAX / 2);
            }
            offsets
        }
    };
    for (i, at) in offsets.into_iter().enumerate() {
        let bad = |what: &str| format!("record {i} (byte {at}) {what}");
        let mut rec = [0u8; 52];
        let Some(()) = bytes(&mut shp, at, &mut rec[..8]) else {
            // Past the end: the crate stops or says so.
            break;
        };
        let len = be(&rec[4..8]).saturating_mul(2);
        if len < 0 || at + 8 + len as u64 > shp_len {
            return Err(bad(&format!(
                "claims {len} bytes, past the end of the file"
            )));
        }
        let n = (len as usize).min(44);
        if bytes(&mut shp, at + 8, &mut rec[8..8 + n]).is_none() || n < 4 {
            continue;
        }
        // Shape type, then (polylines, polygons, multipatches) a box, the part
        // count and the point count; (multipoints) a box and the point count.
        let (parts, points, fixed, per_part) = match le(&rec[8..12]) {
            3 | 5 | 13 | 15 | 23 | 25 if n >= 44 => (le(&rec[44..48]), le(&rec[48..52]), 44, 4),
            31 if n >= 44 => (le(&rec[44..48]), le(&rec[48..52]), 44, 8),
            8 | 18 | 28 if n >= 40 => (0, le(&rec[44..48]), 40, 0),
            _ => continue,
        };
        let need = parts
            .checked_mul(per_part)
            .zip(points.checked_mul(16))
            .and_then(|(a, b)| a.checked_add(b)?.checked_add(fixed));
        if parts < 0 || points < 0 || need.is_none_or(|need| need > len) {
            return Err(bad(&format!(
                "claims {parts} parts and {points} points, more than its {len} bytes hold"
            )));
        }
        // Each part's first point: a part's size is the next one's minus it.
        if parts > 0 {
            let mut starts = vec![0u8; 4 * parts as usize];
            bytes(&mut shp, at + 8 + 44, &mut starts).ok_or_else(|| bad("is cut short"))?;
            let mut previous = 0;
            for (j, start) in starts.chunks_exact(4).map(le).enumerate() {
                if start < previous || start > points || (j == 0 && start != 0) {
                    return Err(bad(&format!(
                        "has part {j} starting at point {start}: parts must start in order \
                         within its {points} points, the first at 0"
                    )));
                }
                previous = start;
            }
        }
    }
    Ok(())
}

/// A record's values in field order; a value the field's type cannot parse (GDAL
/// writes partial dates such as `20200000`) is null, as GDAL reads it.
struct Row(Vec<Option<FieldValue>>);

impl dbase::ReadableRecord for Row {
    fn read_using<S, M>(
        fields: &mut dbase::FieldIterator<S, M>,
    ) -> std::result::Result<Self, dbase::FieldError>
    where
        S: std::io::Read + std::io::Seek,
        M: std::io::Read + std::io::Seek,
    {
        let mut values = Vec::new();
        loop {
            match fields.read_next_field() {
                Ok(v) => values.push(Some(v.value)),
                Err(e) => match e.kind() {
                    dbase::ErrorKind::EndOfRecord => return Ok(Row(values)),
                    dbase::ErrorKind::IoError(_) => return Err(e),
                    _ => values.push(None),
                },
            }
        }
    }
}

fn field_value(v: FieldValue) -> Value {
    match v {
        FieldValue::Character(s) => s.map_or(Value::Null, |s| Value::from(s.trim_end())),
        FieldValue::Memo(s) => Value::from(s),
        FieldValue::Numeric(x) => x.map_or(Value::Null, number),
        FieldValue::Float(x) => x.map_or(Value::Null, |x| number(f64::from(x))),
        FieldValue::Double(x) | FieldValue::Currency(x) => number(x),
        FieldValue::Integer(i) => Value::from(i),
        FieldValue::Logical(b) => b.map_or(Value::Null, Value::from),
        FieldValue::Date(d) => d.map_or(Value::Null, |d| {
            Value::from(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }),
        FieldValue::DateTime(dt) => {
            let (d, t) = (dt.date(), dt.time());
            Value::from(format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                d.year(),
                d.month(),
                d.day(),
                t.hours(),
                t.minutes(),
                t.seconds()
            ))
        }
    }
}

/// Whole numbers (dBase numerics are decimal text) come back as integers.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        columns::number(x)
    }
}

/// Field names of at most 10 bytes, unique (`name_1`, ...), as dBase allows.
fn field_names(names: &[&str]) -> Vec<String> {
    let cut = |s: &str, max: usize| {
        let mut end = s.len().min(max);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s[..end].to_string()
    };
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let mut candidate = cut(name, 10);
        let mut n = 1;
        while out.iter().any(|o| o.eq_ignore_ascii_case(&candidate)) {
            let suffix = format!("_{n}");
            candidate = format!("{}{suffix}", cut(name, 10 - suffix.len()));
            n += 1;
        }
        out.push(candidate);
    }
    out
}

/// The one shape type of a file.
enum Shapes {
    Polygons(Vec<shapefile::Polygon>),
    Lines(Vec<shapefile::Polyline>),
    Points(Vec<shapefile::Point>),
    MultiPoints(Vec<shapefile::Multipoint>),
}

fn shapes(collection: &geojson::FeatureCollection, path: &Path) -> Result<Shapes> {
    use geojson::GeometryValue as G;
    let mut out: Option<Shapes> = None;
    for (index, feature) in collection.features.iter().enumerate() {
        let at = |problem: &str| Error::feature(path, index, super::feature_name(feature), problem);
        let Some(g) = &feature.geometry else {
            return Err(at("no geometry (this writer gives every record a shape)"));
        };
        let geometry =
            geo::Geometry::<f64>::try_from(&g.value).map_err(|e| at(&format!("geometry: {e}")))?;
        let mismatch = || {
            at(&format!(
                "a {} among features of another type: a Shapefile holds one geometry type \
                 (write FlatGeobuf or GeoParquet for mixed types)",
                super::wkb::type_name(&g.value)
            ))
        };
        match (&g.value, geometry, &mut out) {
            (G::Polygon { .. } | G::MultiPolygon { .. }, g, o) => {
                let mp = match g {
                    geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
                    geo::Geometry::MultiPolygon(mp) => mp,
                    _ => return Err(mismatch()),
                };
                match o.get_or_insert_with(|| Shapes::Polygons(Vec::new())) {
                    Shapes::Polygons(v) => v.push(shapefile::Polygon::from(mp)),
                    _ => return Err(mismatch()),
                }
            }
            (G::LineString { .. } | G::MultiLineString { .. }, g, o) => {
                let ml = match g {
                    geo::Geometry::LineString(l) => geo::MultiLineString(vec![l]),
                    geo::Geometry::MultiLineString(ml) => ml,
                    _ => return Err(mismatch()),
                };
                match o.get_or_insert_with(|| Shapes::Lines(Vec::new())) {
                    Shapes::Lines(v) => v.push(shapefile::Polyline::from(ml)),
                    _ => return Err(mismatch()),
                }
            }
            (G::Point { .. }, geo::Geometry::Point(p), o) => {
                match o.get_or_insert_with(|| Shapes::Points(Vec::new())) {
                    Shapes::Points(v) => v.push(shapefile::Point::from(p)),
                    _ => return Err(mismatch()),
                }
            }
            (G::MultiPoint { .. }, geo::Geometry::MultiPoint(p), o) => {
                match o.get_or_insert_with(|| Shapes::MultiPoints(Vec::new())) {
                    Shapes::MultiPoints(v) => v.push(shapefile::Multipoint::from(p)),
                    _ => return Err(mismatch()),
                }
            }
            _ => {
                return Err(at(
                    "a geometry collection: a Shapefile holds one geometry type per file",
                ));
            }
        }
    }
    Ok(out.unwrap_or(Shapes::Polygons(Vec::new())))
}

fn put_shapes<S: EsriShape>(
    shapes: &[S],
    shp: &mut Cursor<Vec<u8>>,
    shx: &mut Cursor<Vec<u8>>,
) -> std::result::Result<(), shapefile::Error> {
    let mut writer = ShapeWriter::with_shx(shp, shx);
    for s in shapes {
        writer.write_shape(s)?;
    }
    writer.finalize()
}

/// Writes features (one geometry type) to a Shapefile: `path` (`.shp`) and its
/// `.shx`, `.dbf`, `.prj` (the WKT of `crs`) and `.cpg` (UTF-8).
///
/// # Errors
///
/// An error naming the file when `crs` cannot be written as WKT, the features
/// are of mixed or unusable geometry types, or a file cannot be written.
pub fn write(collection: &geojson::FeatureCollection, path: &Path, crs: &Crs) -> Result<()> {
    let fail = |what: &str, e: String| Error::format(path, format!("writing the {what}: {e}"));
    let prj = crs.to_wkt()?;
    let shapes = shapes(collection, path)?;
    let (mut shp, mut shx, mut dbf) = (
        Cursor::new(Vec::new()),
        Cursor::new(Vec::new()),
        Cursor::new(Vec::new()),
    );
    match &shapes {
        Shapes::Polygons(v) => put_shapes(v, &mut shp, &mut shx),
        Shapes::Lines(v) => put_shapes(v, &mut shp, &mut shx),
        Shapes::Points(v) => put_shapes(v, &mut shp, &mut shx),
        Shapes::MultiPoints(v) => put_shapes(v, &mut shp, &mut shx),
    }
    .map_err(|e| fail("shapes", e.to_string()))?;

    let features = &collection.features;
    let cols = columns::columns(features);
    let names = field_names(&cols.iter().map(|c| c.name.as_str()).collect::<Vec<_>>());
    let mut builder = TableWriterBuilder::new();
    let mut texts: Vec<Vec<Option<String>>> = Vec::with_capacity(cols.len());
    for (c, name) in cols.iter().zip(&names) {
        let field = FieldName::try_from(name.as_str())
            .map_err(|e| fail("attribute table", format!("field {name:?}: {e}")))?;
        let values: Vec<Option<String>> = match c.kind {
            Kind::Text => features
                .iter()
                .map(|f| {
                    columns::get(f.properties.as_ref(), &c.name).map(|v| cut_254(columns::text(v)))
                })
                .collect(),
            _ => Vec::new(),
        };
        builder = match c.kind {
            Kind::Bool => builder.add_logical_field(field),
            Kind::Int => builder.add_numeric_field(field, 18, 0),
            Kind::Float => builder.add_numeric_field(field, 24, 15),
            Kind::Text => {
                let longest = values.iter().flatten().map(String::len).max().unwrap_or(1);
                builder
                    .add_character_field(field, u8::try_from(longest.clamp(1, 254)).unwrap_or(254))
            }
        };
        texts.push(values);
    }
    {
        let mut table = builder.build_with_dest(&mut dbf);
        for (row, f) in features.iter().enumerate() {
            let props = f.properties.as_ref();
            let mut record = dbase::Record::default();
            for (i, (c, name)) in cols.iter().zip(&names).enumerate() {
                let v = columns::get(props, &c.name);
                let value = match c.kind {
                    Kind::Bool => FieldValue::Logical(v.and_then(Value::as_bool)),
                    Kind::Int | Kind::Float => FieldValue::Numeric(v.and_then(Value::as_f64)),
                    Kind::Text => FieldValue::Character(texts[i][row].clone()),
                };
                record.insert(name.clone(), value);
            }
            table
                .write_record(&record)
                .map_err(|e| fail("attribute table", format!("record {row}: {e}")))?;
        }
        table
            .finalize()
            .map_err(|e| fail("attribute table", e.to_string()))?;
    }

    // All or nothing: every file is complete under a temporary name before the
    // first is renamed into place.
    let files: Vec<(PathBuf, Vec<u8>)> = vec![
        (path.to_path_buf(), shp.into_inner()),
        (path.with_extension("shx"), shx.into_inner()),
        (path.with_extension("dbf"), dbf.into_inner()),
        (path.with_extension("prj"), prj.into_bytes()),
        (path.with_extension("cpg"), b"UTF-8".to_vec()),
    ];
    let mut pending = Vec::with_capacity(files.len());
    for (p, bytes) in &files {
        let mut f = AtomicFile::create(p)?;
        f.write_all(bytes).map_err(|source| Error::Io {
            path: p.clone(),
            source,
        })?;
        pending.push(f);
    }
    pending.into_iter().try_for_each(AtomicFile::commit)
}

/// At most 254 bytes (a dBase character field's limit), cut at a character boundary.
fn cut_254(mut s: String) -> String {
    if s.len() > 254 {
        let mut end = 254;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_fit_and_stay_unique() {
        assert_eq!(
            field_names(&["name", "fill-opacity", "fill-opaci", "назва_району"]),
            ["name", "fill-opaci", "fill-opa_1", "назва"]
        );
    }
}
