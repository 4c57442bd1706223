//! GeoJSON (RFC 7946), optionally gzip-compressed: read (the DeepState API
//! envelope unwrapped, the legacy `crs` member checked) and written.
//!
//! Reading goes through [`super::json`], which deserializes features straight into
//! [`Feature`]s.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::document::{Document, Feature};
use super::json::{FeatureOf, GeometryJson, PropertiesOf, PropertyFilter};
use crate::crs::Crs;
use crate::{Error, Result};

/// Every top-level shape accepted, read in one pass: a FeatureCollection, a single
/// Feature, or the envelope around a FeatureCollection.
#[derive(Deserialize)]
#[serde(bound = "")]
struct TopLevel<F: PropertyFilter> {
    #[serde(rename = "type")]
    kind: Option<String>,
    features: Option<Vec<FeatureOf<F>>>,
    map: Option<Box<TopLevel<F>>>,
    datetime: Option<Value>,
    geometry: Option<GeometryJson>,
    properties: Option<PropertiesOf<F>>,
    crs: Option<Value>,
}

/// The bytes of a file, gunzipped when they are gzip.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let raw = std::fs::read(path).map_err(io)?;
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return Ok(raw);
    }
    if let Some(out) = gunzip_whole(&raw) {
        return Ok(out);
    }
    // Several members, a size past 4 GiB, or damage: streamed, and named if broken.
    let mut out = Vec::with_capacity(raw.len() * 8);
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .map_err(|e| Error::format(path, format!("broken gzip data: {e}")))?;
    Ok(out)
}

/// A single-member gzip file decompressed in one call of libdeflate, into a buffer
/// of the size its trailer gives (about twice as fast as streaming through zlib,
/// which was a tenth of reading an archive); `None` when that does not work out.
fn gunzip_whole(raw: &[u8]) -> Option<Vec<u8>> {
    let size = raw
        .last_chunk::<4>()
        .map(|b| u32::from_le_bytes(*b) as usize)?;
    // DEFLATE cannot expand more than 1032:1; a larger claim is damage.
    if size > raw.len().saturating_mul(1032) {
        return None;
    }
    let mut out = vec![0u8; size];
    let n = libdeflater::Decompressor::new()
        .gzip_decompress(raw, &mut out)
        .ok()?;
    (n == size).then_some(out)
}

/// Reads and parses a GeoJSON file (gzip or not), keeping the property values
/// filter `F` keeps.
pub(crate) fn read<F: PropertyFilter>(path: &Path) -> Result<Document> {
    let bytes = read_bytes(path)?;
    // The magic bytes of a store file (`timeline::store::MAGIC`; checked here by
    // value, formats being below the timeline).
    if bytes.starts_with(b"FLSTORE\0") {
        return Err(Error::format(
            path,
            "a frontline store file (written by `frontline store`), not a GeoJSON, \
             FlatGeobuf, GeoParquet or Shapefile file: stores are read by share, status, \
             near, front and diff (FILE for the latest snapshot, FILE@YYYY-MM-DD for \
             another), and by series, history, export and store; not as regions, places \
             or by convert",
        ));
    }
    parse::<F>(&bytes, path)
}

/// Parses GeoJSON, keeping the property values filter `F` keeps.
pub(crate) fn parse<F: PropertyFilter>(bytes: &[u8], path: &Path) -> Result<Document> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::format(path, "the file is empty"));
    }
    let top: TopLevel<F> = serde_json::from_slice(bytes)
        .map_err(|e| Error::format(path, format!("not valid GeoJSON: {e}")))?;
    document(top, path, false)
}

fn document<F: PropertyFilter>(top: TopLevel<F>, path: &Path, nested: bool) -> Result<Document> {
    let crs = top.crs.as_ref().map(|c| crs_member(c, path)).transpose()?;
    if let Some(map) = top.map {
        if nested {
            return Err(Error::format(path, "an envelope inside an envelope"));
        }
        let mut doc = document(*map, path, true)?;
        doc.datetime = top.datetime;
        doc.envelope = true;
        doc.crs = doc.crs.or(crs);
        return Ok(doc);
    }
    match (top.kind.as_deref(), top.features) {
        (Some("FeatureCollection"), Some(features)) => Ok(Document {
            features: features.into_iter().map(|f| f.0).collect(),
            crs,
            ..Document::default()
        }),
        (Some("Feature"), _) => Ok(Document {
            features: vec![Feature {
                geometry: top.geometry.map(|g| g.0),
                properties: top.properties.map(|p| p.0),
                id: None,
            }],
            crs,
            ..Document::default()
        }),
        (Some("FeatureCollection"), None) => Err(Error::format(
            path,
            "a FeatureCollection without a \"features\" array",
        )),
        (kind, _) => Err(Error::format(
            path,
            format!(
                "expected a GeoJSON FeatureCollection or Feature, found {}",
                kind.map_or("an object without a \"type\"".to_string(), |k| format!(
                    "type {k:?}"
                ))
            ),
        )),
    }
}

/// The CRS a legacy GeoJSON `crs` member names (`{"type": "name", "properties":
/// {"name": ...}}`; the `link` form of GeoJSON 2008 is not supported).
fn crs_member(crs: &Value, path: &Path) -> Result<Crs> {
    let name = crs.pointer("/properties/name").and_then(Value::as_str);
    match name {
        Some(name) => {
            Crs::parse(name).map_err(|e| Error::format(path, format!("its crs member: {e}")))
        }
        None => Err(Error::format(
            path,
            format!("its crs member {crs} does not name a coordinate system"),
        )),
    }
}

/// Writes features as RFC 7946 GeoJSON, atomically; their coordinates must be
/// WGS84 longitude/latitude (`crs`), the only CRS RFC 7946 allows.
pub(crate) fn write(collection: &geojson::FeatureCollection, path: &Path, crs: &Crs) -> Result<()> {
    if !crs.is_lon_lat() {
        return Err(super::not_lon_lat(super::Format::GeoJson, path, crs));
    }
    let text = collection.to_string();
    crate::atomic::write(path, &super::geojson_bytes(path, &text)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::json::AllProperties;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_in_one_call_or_streamed() {
        let dir = tempfile::tempdir().unwrap();
        let text = br#"{"type": "FeatureCollection", "features": []}"#.repeat(50);
        let one = gzip(&text);
        assert_eq!(gunzip_whole(&one).as_deref(), Some(&text[..]));
        // Two members: libdeflate reads one, the stream reads both.
        let two = [gzip(&text[..100]), gzip(&text[100..])].concat();
        assert_eq!(gunzip_whole(&two), None);
        let path = dir.path().join("two.gz");
        std::fs::write(&path, &two).unwrap();
        assert_eq!(read_bytes(&path).unwrap(), text);
        // A trailer that claims more than DEFLATE can hold is not believed.
        let mut lying = one.clone();
        let n = lying.len();
        lying[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(gunzip_whole(&lying), None);
        let path = dir.path().join("lying.gz");
        std::fs::write(&path, &lying).unwrap();
        let err = read_bytes(&path).unwrap_err().to_string();
        assert!(
            err.contains("lying.gz") && err.contains("broken gzip"),
            "{err}"
        );
        // Cut short: named.
        let path = dir.path().join("short.gz");
        std::fs::write(&path, &one[..one.len() / 2]).unwrap();
        assert!(
            read_bytes(&path)
                .unwrap_err()
                .to_string()
                .contains("broken gzip")
        );
    }

    fn parse_str(s: &str) -> Result<Document> {
        parse::<AllProperties>(s.as_bytes(), Path::new("f.geojson"))
    }

    #[test]
    fn envelope_is_unwrapped() {
        let d = parse_str(
            r#"{"id": 1, "datetime": "2025-01-02T03:04:05Z",
            "map": {"type": "FeatureCollection", "features": []}}"#,
        )
        .unwrap();
        assert!(d.envelope);
        assert_eq!(d.datetime.unwrap(), "2025-01-02T03:04:05Z");
    }

    #[test]
    fn bad_documents_name_the_file() {
        for (text, expect) in [
            ("", "empty"),
            (
                "{\"type\": \"FeatureCollection\", \"features\": [",
                "not valid GeoJSON",
            ),
            ("[1, 2]", "not valid GeoJSON"),
            (
                "{\"type\": \"Point\", \"coordinates\": [1, 2]}",
                "found type \"Point\"",
            ),
        ] {
            let msg = parse_str(text).unwrap_err().to_string();
            assert!(
                msg.starts_with("f.geojson: ") && msg.contains(expect),
                "{msg}"
            );
        }
    }
}
