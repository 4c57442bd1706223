//! GeoParquet 1.1: one row per feature, its geometry as WKB in the `geometry`
//! column, properties as typed columns (string, int64, double, boolean), and the
//! `geo` file metadata (encoding, geometry types, bbox, and the CRS as PROJJSON,
//! left out for WGS84 longitude/latitude, GeoParquet's default `OGC:CRS84`).
//!
//! Pure Rust: the `parquet` crate's own writer and row reader (no Arrow), Snappy
//! compression for the properties (the WKB geometry is stored uncompressed: its
//! coordinates do not compress). Files GeoPandas, GDAL and DuckDB write are read when their
//! geometry is WKB and their compression Snappy or none; a Parquet file without
//! the `geo` metadata is refused with an error saying so.
//!
//! ```
//! use frontline::crs::Crs;
//! use frontline::formats::geoparquet;
//! let path = std::env::temp_dir().join(format!("frontline-gpq-doc-{}.parquet", std::process::id()));
//! let fc: geojson::FeatureCollection = std::fs::read_to_string("data/city.geojson")
//!     .unwrap().parse().unwrap();
//! // No seal: `frontline::convert::write` seals polygons cleaning vouches for.
//! geoparquet::write(&fc, &path, &Crs::wgs84(), None)?;
//! let places = frontline::import::read_places(&path)?;
//! assert_eq!(places.find("Demo City")?.len(), 1);
//! # std::fs::remove_file(&path).unwrap();
//! # Ok::<(), frontline::Error>(())
//! ```

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::metadata::{KeyValue, ParquetMetaData};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::types::ColumnPath;
use parquet::schema::types::Type;
use serde_json::{Map, Value, json};

use super::columns::{self, Kind};
use super::seal;
use super::thrift;
use super::wkb;
use super::{Document, Feature};
use crate::atomic::AtomicFile;
use crate::crs::Crs;
use crate::{Error, Result};

/// The geometry column's name.
const GEOMETRY: &str = "geometry";

/// Reads a GeoParquet file (its primary geometry column, WKB).
pub(crate) fn read(path: &Path) -> Result<Document> {
    super::guarded(path, "Parquet", || read_unguarded(path))
}

/// What went wrong, without the crate's variant names ("External: ",
/// "Parquet error: ", "EOF: ").
fn why(e: &parquet::errors::ParquetError) -> String {
    use parquet::errors::ParquetError as P;
    match e {
        P::General(m) => m.clone(),
        P::EOF(m) => format!("it ends early: {m}"),
        P::External(e) => e.to_string(),
        other => other.to_string(),
    }
}

/// [`read`] without its guard against the decoder panicking.
fn read_unguarded(path: &Path) -> Result<Document> {
    let bad = |e: parquet::errors::ParquetError| {
        Error::format(path, format!("not a readable Parquet file: {}", why(&e)))
    };
    // Read into memory, not through a `File`: a damaged page header can send
    // the Thrift decoder reading past the end again and again, and from a file
    // each of those reads is a system call (a 2.8 KB file found by the fuzzer
    // took 2 s to be refused that way). The features are all read anyway.
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let size = bytes.len() as u64;
    let mut budget = thrift::Budget::for_file(bytes.len());
    check_footer(&bytes, &mut budget, path)?;
    let bytes = bytes::Bytes::from(bytes);
    let reader = SerializedFileReader::new(Strict(bytes.clone())).map_err(bad)?;
    check_chunks(reader.metadata(), size, path)?;
    check_page_headers(&bytes, reader.metadata(), &mut budget, path)?;
    check_dictionaries(&reader, path)?;
    let key_value = |key: &str| {
        reader
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .and_then(|kv| kv.iter().find(|k| k.key == key))
            .and_then(|k| k.value.clone())
    };
    let seal = key_value(seal::KEY).and_then(|s| seal::claimed(&s, false));
    let geo = key_value("geo").ok_or_else(|| {
        Error::format(
            path,
            "a Parquet file without GeoParquet metadata (no \"geo\" key): not GeoParquet, \
                 so no column is known to hold geometry",
        )
    })?;
    let geo: Value = serde_json::from_str(&geo).map_err(|e| {
        Error::format(
            path,
            format!("its GeoParquet \"geo\" metadata is not JSON: {e}"),
        )
    })?;
    let primary = geo
        .get("primary_column")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::format(path, "its GeoParquet metadata names no primary_column"))?
        .to_string();
    let column = geo.pointer(&format!(
        "/columns/{}",
        primary.replace('~', "~0").replace('/', "~1")
    ));
    let encoding = column
        .and_then(|c| c.get("encoding"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if !encoding.eq_ignore_ascii_case("WKB") {
        return Err(Error::format(
            path,
            format!(
                "its geometry column {primary:?} is encoded {encoding:?}: only WKB is supported"
            ),
        ));
    }
    let crs = match column.and_then(|c| c.get("crs")) {
        // Absent: OGC:CRS84. Null: "undefined", read as longitude/latitude, which
        // the import's range check guards.
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Crs::parse(s)),
        Some(v) => Some(Crs::parse(&v.to_string())),
    }
    .transpose()
    .map_err(|e| Error::format(path, format!("its GeoParquet CRS: {e}")))?;
    let others: BTreeSet<String> = geo
        .get("columns")
        .and_then(Value::as_object)
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    let rows = reader.get_row_iter(None).map_err(bad)?;
    let mut features = Vec::new();
    for (index, row) in rows.enumerate() {
        let row = row.map_err(|e| {
            Error::feature(
                path,
                index,
                None,
                format!(
                    "its row cannot be decoded (the file is damaged: {})",
                    why(&e)
                ),
            )
        })?;
        let mut props = Map::new();
        let mut geometry = None;
        for (name, field) in row.get_column_iter() {
            if *name == primary {
                geometry = match field {
                    Field::Null => None,
                    Field::Bytes(b) => Some(
                        wkb::decode(b.data()).map_err(|e| Error::feature(path, index, None, e))?,
                    ),
                    other => {
                        return Err(Error::feature(
                            path,
                            index,
                            None,
                            format!("geometry column {primary:?} holds {other}, not WKB bytes"),
                        ));
                    }
                };
            } else if !others.contains(name) && !name.starts_with("__index_level_") {
                props.insert(name.clone(), value(field));
            }
        }
        features.push(Feature {
            geometry,
            properties: Some(props),
            id: None,
        });
    }
    Ok(Document {
        features,
        crs,
        seal,
        ..Document::default()
    })
}

/// The file's bytes for the parquet crate, which reads its page headers from
/// them through [`std::io::Read`]; reading past their end is an error here, not
/// an empty read. The crate skips a header's unknown fields with `io::copy`,
/// which takes an empty read for the end of what it was asked to skip, so a
/// header claiming millions of values past the end went through them all, one
/// empty read each (found by fuzzing). Here the first read past the end fails.
struct Strict(bytes::Bytes);

impl parquet::file::reader::Length for Strict {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
}

impl parquet::file::reader::ChunkReader for Strict {
    type T = StrictRead;

    fn get_read(&self, start: u64) -> parquet::errors::Result<StrictRead> {
        self.0.get_read(start).map(StrictRead)
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        self.0.get_bytes(start, length)
    }
}

/// A reader of [`Strict`] bytes, from an offset.
struct StrictRead(bytes::buf::Reader<bytes::Bytes>);

impl std::io::Read for StrictRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !buf.is_empty() && self.0.get_ref().is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "a page header runs past the end of the file",
            ));
        }
        self.0.read(buf)
    }
}

/// Refuses column chunks that lie outside the file: the parquet crate asserts on a
/// negative offset or size when it reads the rows (found by fuzzing). Refuses
/// chunks that overlap, which no sound file has: a row group listed twice would
/// give its rows twice, and since the crate decompresses each column's pages
/// apart and holds one of each column at a time, many columns claiming the same
/// Snappy bytes would each take up to 24 times them (found in review). Refuses,
/// saying so, a compression this build cannot read (the crate would call the
/// file damaged).
fn check_chunks(metadata: &ParquetMetaData, size: u64, path: &Path) -> Result<()> {
    let mut ranges = Vec::new();
    for (g, group) in metadata.row_groups().iter().enumerate() {
        for column in group.columns() {
            let codec = match column.compression() {
                Compression::UNCOMPRESSED | Compression::SNAPPY => None,
                Compression::GZIP(_) => Some("GZIP"),
                Compression::LZO => Some("LZO"),
                Compression::BROTLI(_) => Some("Brotli"),
                Compression::LZ4 | Compression::LZ4_RAW => Some("LZ4"),
                Compression::ZSTD(_) => Some("ZSTD"),
            };
            if let Some(codec) = codec {
                return Err(Error::format(
                    path,
                    format!(
                        "column {} is compressed with {codec}, which frontline does not read: \
                         only Snappy or no compression (GeoPandas: \
                         to_parquet(compression=\"snappy\"); GDAL: -lco COMPRESSION=SNAPPY)",
                        column.column_path()
                    ),
                ));
            }
            let start = column
                .dictionary_page_offset()
                .unwrap_or(column.data_page_offset());
            let len = column.compressed_size();
            let inside = u64::try_from(start)
                .ok()
                .zip(u64::try_from(len).ok())
                .and_then(|(s, n)| s.checked_add(n))
                .is_some_and(|end| end <= size);
            if !inside {
                return Err(Error::format(
                    path,
                    format!(
                        "not a readable Parquet file: column {} of row group {g} claims bytes \
                         {start} to {start} + {len}, outside the file ({size} bytes)",
                        column.column_path()
                    ),
                ));
            }
            ranges.push((start, start + len, g, column.column_path()));
        }
    }
    ranges.sort_by_key(|r| r.0);
    for pair in ranges.windows(2) {
        let ((_, end, g, a), (start, _, h, b)) = (&pair[0], &pair[1]);
        if start < end {
            return Err(Error::format(
                path,
                format!(
                    "not a readable Parquet file: column {a} of row group {g} and column {b} \
                     of row group {h} claim the same bytes, from {start} to {end} (the file is \
                     damaged)"
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses a footer whose Thrift decoding would run away (see [`thrift`]), or
/// whose schema would (see [`check_schema`]). A file too short for a footer, or
/// without Parquet's magic, is left to the crate.
fn check_footer(bytes: &[u8], budget: &mut thrift::Budget, path: &Path) -> Result<()> {
    let Some(end) = bytes.len().checked_sub(8) else {
        return Ok(());
    };
    if &bytes[end + 4..] != b"PAR1" {
        return Ok(());
    }
    let len =
        u32::from_le_bytes([bytes[end], bytes[end + 1], bytes[end + 2], bytes[end + 3]]) as usize;
    let Some(footer) = end.checked_sub(len).map(|start| &bytes[start..end]) else {
        return Ok(());
    };
    let walked = thrift::walk_footer(footer, budget);
    if walked.end == Err(thrift::Stop::Overrun) {
        return Err(Error::format(
            path,
            format!(
                "not a readable Parquet file: its footer ({len} bytes) claims more values \
                 than it can hold (the file is damaged)"
            ),
        ));
    }
    // Where the walk fails, the crate does too, but it builds each schema it has
    // read to its end first.
    for schema in &walked.schemas {
        check_schema(schema, len, path)?;
    }
    Ok(())
}

/// How deep a schema may nest: the crate builds it by recursion, a level a call.
const SCHEMA_DEPTH: usize = 64;

/// Refuses a schema whose tree the crate would build at a cost out of all
/// proportion to its footer of `footer` bytes. The crate makes room for a
/// group's children before it reads them (a 13-byte footer can claim 2^31
/// children: 16 GiB, and a failed allocation aborts the process); it recurses
/// once a level (a deep enough chain of groups overflows the stack, which also
/// aborts); and it gives every column its own copy of the names on its path (a
/// long name over many columns: the square of the footer's size). So a group
/// claiming more children than elements follow it, which the crate refuses only
/// once it has made room, is refused first; so are nesting deeper than
/// [`SCHEMA_DEPTH`] (a GeoParquet file's is a few levels), and paths taking more
/// than 64 times the footer and a megabyte. Anything else the crate fails on is
/// left to it.
fn check_schema(nodes: &[thrift::SchemaNode], footer: usize, path: &Path) -> Result<()> {
    /// What a column's path costs besides its names' bytes (a `String`).
    const PER_NAME: u64 = 24;
    /// Walks the subtree at `index` as the crate's `schema_from_array_helper`
    /// does, adding each column's path bytes to `paths` (`above`: those of its
    /// ancestors); returns the index after it, or `Err(None)` where the crate
    /// fails.
    fn node(
        nodes: &[thrift::SchemaNode],
        index: usize,
        depth: usize,
        above: u64,
        paths: &mut u64,
    ) -> std::result::Result<usize, Option<String>> {
        let here = nodes.get(index).ok_or(None)?;
        let above = above.saturating_add(here.name).saturating_add(PER_NAME);
        let n = match here.children {
            None | Some(0) => {
                *paths = paths.saturating_add(above);
                return Ok(index + 1);
            }
            Some(n) => usize::try_from(n).map_err(|_| None)?,
        };
        let after = nodes.len() - index - 1;
        if n > after {
            let follow = match after {
                1 => "1 element follows",
                _ => &format!("{after} elements follow"),
            };
            return Err(Some(format!(
                "its schema element {index} claims {n} children, but {follow} it"
            )));
        }
        if depth >= SCHEMA_DEPTH {
            return Err(Some(format!(
                "its schema nests more than {SCHEMA_DEPTH} levels deep"
            )));
        }
        let mut next = index + 1;
        for _ in 0..n {
            next = node(nodes, next, depth + 1, above, paths)?;
        }
        Ok(next)
    }
    let refuse = |why: String| {
        Err(Error::format(
            path,
            format!("not a readable Parquet file: {why} (the file is damaged)"),
        ))
    };
    let (mut index, mut paths) = (0, 0u64);
    while index < nodes.len() {
        match node(nodes, index, 0, 0, &mut paths) {
            Ok(next) => index = next,
            // The crate fails before it builds any path.
            Err(None) => return Ok(()),
            Err(Some(why)) => return refuse(why),
        }
    }
    let allowed = 64 * footer as u64 + (1 << 20);
    if paths > allowed {
        return refuse(format!(
            "its schema's column paths would take {paths} bytes, from a footer of {footer}"
        ));
    }
    Ok(())
}

/// Refuses a page header whose Thrift decoding would run away (see [`thrift`]),
/// walking each column chunk's pages as the crate's page reader does. Where the
/// crate would fail on a page at once, it is left to say why.
fn check_page_headers(
    bytes: &[u8],
    metadata: &ParquetMetaData,
    budget: &mut thrift::Budget,
    path: &Path,
) -> Result<()> {
    for (g, group) in metadata.row_groups().iter().enumerate() {
        for column in group.columns() {
            // Headers still to walk, as (offset, bytes left in the chunk). Each
            // header leads past its page; an index page's also to its page's
            // bytes, where the crate's `peek_next_page` reads the next header.
            // Offsets only grow, and none is walked twice.
            let mut todo = vec![column.byte_range()];
            let mut walked = BTreeSet::new();
            while let Some((offset, remaining)) = todo.pop() {
                if remaining == 0 || !walked.insert(offset) {
                    continue;
                }
                let Some(rest) = usize::try_from(offset).ok().and_then(|o| bytes.get(o..)) else {
                    continue;
                };
                let (len, header) = match thrift::walk_page_header(rest, budget) {
                    Ok((len, header)) => (len as u64, header),
                    Err(thrift::Stop::Fails) => continue,
                    Err(thrift::Stop::Overrun) => {
                        return Err(Error::format(
                            path,
                            format!(
                                "not a readable Parquet file: the page header at byte {offset} \
                                 of column {} in row group {g} claims more values than the file \
                                 can hold (the file is damaged)",
                                column.column_path()
                            ),
                        ));
                    }
                };
                // The crate refuses a header longer than what is left of its chunk.
                if len > remaining {
                    continue;
                }
                let room = remaining - len;
                if header.kind == Some(thrift::INDEX_PAGE_TYPE) {
                    todo.push((offset + len, room));
                }
                // It refuses a page without a size, or larger than what is left.
                let Some(size) = header
                    .compressed
                    .and_then(|s| u64::try_from(s).ok())
                    .filter(|&s| s <= room)
                else {
                    continue;
                };
                // It makes room for the uncompressed size and fills it with
                // zeros before Snappy decodes into it (1 GB for a 2.5 KB file,
                // found by fuzzing). Snappy expands at most about 21 times (a
                // 3-byte copy writes 64 bytes).
                let claimed = header.uncompressed.and_then(|u| u64::try_from(u).ok());
                if let Some(claimed) = claimed.filter(|&u| u > 24 * size + 64)
                    && column.compression() == Compression::SNAPPY
                {
                    return Err(Error::format(
                        path,
                        format!(
                            "not a readable Parquet file: the page header at byte {offset} of \
                             column {} in row group {g} claims {claimed} bytes once uncompressed, \
                             from {size} Snappy bytes, more than Snappy can expand to (the file \
                             is damaged)",
                            column.column_path()
                        ),
                    ));
                }
                todo.push((offset + len + size, room - size));
            }
        }
    }
    Ok(())
}

/// Refuses a dictionary page claiming more values than its bytes can hold: the
/// parquet crate makes room for the count its header claims before decoding
/// (a 5 KB file found by fuzzing claimed 1.4 billion values, 34 GB, and the
/// allocation aborted the process, which no guard catches). A plain-encoded
/// value takes at least a bit (booleans), its width, or 4 bytes (a byte
/// array's length). Pages the crate cannot read are left to the row reader,
/// which says where.
fn check_dictionaries(reader: &SerializedFileReader<Strict>, path: &Path) -> Result<()> {
    use parquet::column::page::Page;
    for g in 0..reader.num_row_groups() {
        let Ok(group) = reader.get_row_group(g) else {
            continue;
        };
        for c in 0..group.num_columns() {
            let column = group.metadata().column(c);
            let bits: u64 = match column.column_type() {
                Physical::BOOLEAN => 1,
                Physical::INT32 | Physical::FLOAT | Physical::BYTE_ARRAY => 32,
                Physical::INT64 | Physical::DOUBLE => 64,
                Physical::INT96 => 96,
                Physical::FIXED_LEN_BYTE_ARRAY => {
                    8 * u64::try_from(column.column_descr().type_length())
                        .unwrap_or(0)
                        .max(1)
                }
            };
            let Ok(mut pages) = group.get_column_page_reader(c) else {
                continue;
            };
            loop {
                match pages.peek_next_page() {
                    Ok(Some(meta)) if meta.is_dict => {}
                    Ok(Some(_)) => {
                        if pages.skip_next_page().is_err() {
                            break;
                        }
                        continue;
                    }
                    _ => break,
                }
                let Ok(Some(Page::DictionaryPage {
                    buf, num_values, ..
                })) = pages.get_next_page()
                else {
                    break;
                };
                if u64::from(num_values) * bits > 8 * buf.len() as u64 {
                    return Err(Error::format(
                        path,
                        format!(
                            "not a readable Parquet file: the dictionary of column {} in row \
                             group {g} claims {num_values} values in {} bytes (the file is \
                             damaged)",
                            column.column_path(),
                            buf.len()
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A Parquet value as JSON: numbers, strings and booleans as such, dates and
/// timestamps as ISO 8601 text, anything else as its text.
fn value(field: &Field) -> Value {
    match field {
        Field::Null => Value::Null,
        Field::Bool(b) => Value::from(*b),
        Field::Byte(x) => Value::from(*x),
        Field::Short(x) => Value::from(*x),
        Field::Int(x) => Value::from(*x),
        Field::Long(x) => Value::from(*x),
        Field::UByte(x) => Value::from(*x),
        Field::UShort(x) => Value::from(*x),
        Field::UInt(x) => Value::from(*x),
        Field::ULong(x) => Value::from(*x),
        Field::Float(x) => columns::number(f64::from(*x)),
        Field::Double(x) => columns::number(*x),
        Field::Str(s) => Value::from(s.as_str()),
        Field::Bytes(b) => match std::str::from_utf8(b.data()) {
            Ok(s) => Value::from(s),
            Err(_) => Value::from(
                b.data()
                    .iter()
                    .map(|x| format!("{x:02x}"))
                    .collect::<String>(),
            ),
        },
        Field::Date(days) => chrono::DateTime::from_timestamp(i64::from(*days) * 86_400, 0)
            .map_or(Value::Null, |d| {
                Value::from(d.format("%Y-%m-%d").to_string())
            }),
        Field::TimestampMillis(ms) => chrono::DateTime::from_timestamp_millis(*ms)
            .map_or(Value::Null, |d| Value::from(d.to_rfc3339())),
        Field::TimestampMicros(us) => chrono::DateTime::from_timestamp_micros(*us)
            .map_or(Value::Null, |d| Value::from(d.to_rfc3339())),
        other => Value::from(other.to_string()),
    }
}

/// The `geo` metadata of the written file.
fn geo_metadata(
    collection: &geojson::FeatureCollection,
    crs: &Crs,
    bbox: Option<[f64; 4]>,
) -> Result<String> {
    let types: BTreeSet<&str> = collection
        .features
        .iter()
        .filter_map(|f| f.geometry.as_ref())
        .map(|g| wkb::type_name(&g.value))
        .collect();
    let mut column = json!({
        "encoding": "WKB",
        "geometry_types": types,
    });
    if let Some(b) = bbox {
        column["bbox"] = json!(b);
    }
    if let Some(projjson) = crs.to_projjson()? {
        let v: Value = serde_json::from_str(&projjson)
            .map_err(|e| Error::Invalid(format!("the PROJJSON of {crs} is not JSON: {e}")))?;
        column["crs"] = v;
    }
    Ok(json!({
        "version": "1.1.0",
        "primary_column": GEOMETRY,
        "columns": {GEOMETRY: column},
    })
    .to_string())
}

/// The box of every position of every feature.
fn bbox(collection: &geojson::FeatureCollection) -> Option<[f64; 4]> {
    let mut b: Option<[f64; 4]> = None;
    for g in collection
        .features
        .iter()
        .filter_map(|f| f.geometry.as_ref())
    {
        let Ok(g) = geo::Geometry::<f64>::try_from(&g.value) else {
            continue;
        };
        if let Some(r) = geo::BoundingRect::bounding_rect(&g) {
            let n = [r.min().x, r.min().y, r.max().x, r.max().y];
            b = Some(b.map_or(n, |a| {
                [
                    a[0].min(n[0]),
                    a[1].min(n[1]),
                    a[2].max(n[2]),
                    a[3].max(n[3]),
                ]
            }));
        }
    }
    b
}

/// Writes features to a GeoParquet 1.1 file; their coordinates are in `crs`.
/// `seal`: the fingerprint of polygons known clean as they are (see `import::seal`).
///
/// # Errors
///
/// An error naming the file when `crs` cannot be written as PROJJSON, a
/// feature cannot be encoded, or the file cannot be written.
pub fn write(
    collection: &geojson::FeatureCollection,
    path: &Path,
    crs: &Crs,
    seal: Option<&str>,
) -> Result<()> {
    let fail =
        |e: parquet::errors::ParquetError| Error::format(path, format!("writing GeoParquet: {e}"));
    let features = &collection.features;
    let cols: Vec<_> = columns::columns(features)
        .into_iter()
        .filter(|c| c.name != GEOMETRY)
        .collect();
    let metadata = geo_metadata(collection, crs, bbox(collection))?;
    let mut fields = Vec::with_capacity(cols.len() + 1);
    for c in &cols {
        let (physical, logical) = match c.kind {
            Kind::Bool => (Physical::BOOLEAN, None),
            Kind::Int => (Physical::INT64, None),
            Kind::Float => (Physical::DOUBLE, None),
            Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
        };
        fields.push(Arc::new(
            Type::primitive_type_builder(&c.name, physical)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(logical)
                .build()
                .map_err(fail)?,
        ));
    }
    fields.push(Arc::new(
        Type::primitive_type_builder(GEOMETRY, Physical::BYTE_ARRAY)
            .with_repetition(Repetition::OPTIONAL)
            .build()
            .map_err(fail)?,
    ));
    let schema = Arc::new(
        Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .map_err(fail)?,
    );
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            // Coordinates do not compress under Snappy (the raions of Ukraine: 8.52
            // MB with it, 8.53 without), but would be decompressed on every read.
            .set_column_compression(ColumnPath::from(GEOMETRY), Compression::UNCOMPRESSED)
            .set_key_value_metadata(Some(
                std::iter::once(KeyValue::new("geo".to_string(), metadata))
                    .chain(seal.map(|s| KeyValue::new(seal::KEY.to_string(), seal::metadata(s))))
                    .collect(),
            ))
            .build(),
    );
    let mut out = AtomicFile::create(path)?;
    let mut writer = SerializedFileWriter::new(&mut out, schema, props).map_err(fail)?;
    let mut group = writer.next_row_group().map_err(fail)?;
    let defs = |present: &dyn Fn(&geojson::Feature) -> bool| -> Vec<i16> {
        features.iter().map(|f| i16::from(present(f))).collect()
    };
    for c in &cols {
        let values = features
            .iter()
            .filter_map(|f| columns::get(f.properties.as_ref(), &c.name));
        let def = defs(&|f| columns::get(f.properties.as_ref(), &c.name).is_some());
        let mut col = group.next_column().map_err(fail)?.ok_or_else(|| {
            Error::format(path, "writing GeoParquet: fewer columns than the schema")
        })?;
        match c.kind {
            Kind::Bool => {
                let v: Vec<bool> = values.map(|v| v.as_bool().unwrap_or(false)).collect();
                col.typed::<BoolType>().write_batch(&v, Some(&def), None)
            }
            Kind::Int => {
                let v: Vec<i64> = values.map(|v| v.as_i64().unwrap_or_default()).collect();
                col.typed::<Int64Type>().write_batch(&v, Some(&def), None)
            }
            Kind::Float => {
                let v: Vec<f64> = values.map(|v| v.as_f64().unwrap_or(f64::NAN)).collect();
                col.typed::<DoubleType>().write_batch(&v, Some(&def), None)
            }
            Kind::Text => {
                let v: Vec<ByteArray> = values
                    .map(|v| ByteArray::from(columns::text(v).into_bytes()))
                    .collect();
                col.typed::<ByteArrayType>()
                    .write_batch(&v, Some(&def), None)
            }
        }
        .map_err(fail)?;
        col.close().map_err(fail)?;
    }
    let geometries: Vec<ByteArray> = features
        .iter()
        .filter_map(|f| f.geometry.as_ref())
        .map(|g| ByteArray::from(wkb::encode(&g.value)))
        .collect();
    let def = defs(&|f| f.geometry.is_some());
    let mut col = group
        .next_column()
        .map_err(fail)?
        .ok_or_else(|| Error::format(path, "writing GeoParquet: fewer columns than the schema"))?;
    col.typed::<ByteArrayType>()
        .write_batch(&geometries, Some(&def), None)
        .map_err(fail)?;
    col.close().map_err(fail)?;
    group.close().map_err(fail)?;
    writer.close().map_err(fail)?;
    out.flush().map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    out.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{ChunkReader, Length};
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A [`ChunkReader`] counting the reads made through what it gives.
    struct Counting<R>(R, Arc<AtomicU64>);

    struct CountingRead<T>(T, Arc<AtomicU64>);

    impl<T: std::io::Read> std::io::Read for CountingRead<T> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1.fetch_add(1, Ordering::Relaxed);
            self.0.read(buf)
        }
    }

    impl<R: Length> Length for Counting<R> {
        fn len(&self) -> u64 {
            self.0.len()
        }
    }

    impl<R: ChunkReader> ChunkReader for Counting<R> {
        type T = CountingRead<R::T>;

        fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
            Ok(CountingRead(self.0.get_read(start)?, self.1.clone()))
        }

        fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
            self.0.get_bytes(start, length)
        }
    }

    /// A 4 KB file found by fuzzing: the page header of its column 9 claims a set
    /// of 87 million 16-byte values, past the end of the file. The parquet crate
    /// skips them with `io::copy`, which takes an empty read for the end of each,
    /// so from plain bytes the header took 87 million reads (1.6 s in a debug
    /// build, 17 s in the fuzzer's). From [`Strict`] bytes the first read past the
    /// end fails.
    #[test]
    fn a_page_header_skipping_past_the_end_of_the_file_fails_at_its_end() {
        let bytes = std::fs::read("tests/fuzz/geoparquet-skip-past-end.parquet").unwrap();
        let reads = Arc::new(AtomicU64::new(0));
        let strict = Counting(Strict(bytes::Bytes::from(bytes)), reads.clone());
        let reader = SerializedFileReader::new(strict).unwrap();
        let group = reader.get_row_group(0).unwrap();
        assert_eq!(
            group.metadata().column(9).column_path().string(),
            "description"
        );
        let mut pages = group.get_column_page_reader(9).unwrap();
        let err = pages.peek_next_page().err().unwrap().to_string();
        assert!(
            err.contains("a page header runs past the end of the file"),
            "{err}"
        );
        let reads = reads.load(Ordering::Relaxed);
        assert!(reads < 4096, "{reads} reads");
    }
}
