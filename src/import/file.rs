//! Reading a document from disk: GeoJSON (gzip detected by its magic bytes, the
//! DeepState API envelope unwrapped, the legacy `crs` member checked) or any other
//! format of [`crate::formats`], told by content or extension.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::ReadOptions;
use super::json::{AllProperties, FeatureOf, GeometryJson, PropertiesOf, PropertyFilter};
use super::shape::Shape;
use crate::crs::{Crs, Transform};
use crate::formats::Format;
use crate::{Error, Result};

/// One feature as read, from any format.
#[derive(Debug, Default)]
pub(crate) struct Feature {
    /// `None` when the file has `null` (GeoJSON) or no properties at all.
    pub properties: Option<Map<String, Value>>,
    pub geometry: Option<Shape>,
    /// The GeoJSON feature's `id` member (a string or number), as text.
    pub id: Option<String>,
}

impl Feature {
    /// Its `name` property, for messages.
    pub(crate) fn name(&self) -> Option<&str> {
        self.properties.as_ref()?.get("name")?.as_str()
    }
}

/// A file's features and what surrounds them.
#[derive(Debug, Default)]
pub(crate) struct Document {
    pub features: Vec<Feature>,
    /// The envelope's `datetime`, when the file had one.
    pub datetime: Option<Value>,
    /// Whether the features came wrapped in DeepState's `{"id", "datetime", "map"}`.
    pub envelope: bool,
    /// The coordinate system the file declares (legacy GeoJSON `crs` member); `None`:
    /// WGS84 longitude/latitude, as RFC 7946 says.
    pub crs: Option<Crs>,
    /// The fingerprint of clean polygons the file claims (see [`super::seal`]).
    pub seal: Option<String>,
}

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

/// Reads and parses a file of any supported format; its coordinates come back as
/// WGS84 longitude/latitude.
///
/// GeoJSON properties go through filter `F` (other formats keep them all).
pub(crate) fn read<F: PropertyFilter>(path: &Path, options: &ReadOptions) -> Result<Document> {
    let mut doc = crate::formats::read::<F>(path, Format::detect(path)?)?;
    to_lon_lat(&mut doc, path, options)?;
    Ok(doc)
}

/// Reads the features whose box meets `bbox` (`[W, S, E, N]`, longitude/latitude):
/// a FlatGeobuf file in WGS84 through its spatial index, anything else read whole
/// and filtered once in longitude/latitude.
pub(crate) fn read_in(path: &Path, bbox: [f64; 4], options: &ReadOptions) -> Result<Document> {
    let mut doc = match Format::detect(path)? {
        Format::FlatGeobuf => crate::formats::flatgeobuf::read(path, Some(bbox))?,
        format => crate::formats::read::<AllProperties>(path, format)?,
    };
    // The index is in the file's CRS: for a projected file the box says nothing
    // until the features are in longitude/latitude, so filter (again) afterwards.
    to_lon_lat(&mut doc, path, options)?;
    doc.features
        .retain(|f| f.geometry.as_ref().is_some_and(|g| g.may_meet(bbox)));
    Ok(doc)
}

/// Brings a document's coordinates to WGS84 longitude/latitude: from the CRS the
/// file declares (`doc.crs`, which any reader of another format fills in too), or
/// else the one the options give; both must agree when both are there.
pub(crate) fn to_lon_lat(doc: &mut Document, path: &Path, options: &ReadOptions) -> Result<()> {
    let (crs, whose) = match (doc.crs.take(), &options.input_crs) {
        (None, None) => return Ok(()),
        (Some(declared), None) => (declared, "its coordinate system"),
        (None, Some(given)) => (given.clone(), "the input coordinate system (--input-crs)"),
        (Some(declared), Some(given)) if declared.same_as(given) => {
            (declared, "its coordinate system")
        }
        (Some(declared), Some(given)) => {
            return Err(Error::format(
                path,
                format!(
                    "the file declares the coordinate system {declared}, but the input \
                     coordinate system given (--input-crs) is {given}"
                ),
            ));
        }
    };
    let transform = Transform::new(&crs, &Crs::wgs84())
        .map_err(|e| Error::format(path, format!("{whose}: {e}")))?;
    if transform.is_identity() {
        return Ok(());
    }
    if options.input_crs.is_some() {
        looks_projected(doc, &transform, &crs, path)?;
    }
    for (index, feature) in doc.features.iter_mut().enumerate() {
        let Some(geometry) = &mut feature.geometry else {
            continue;
        };
        let moved = geometry.try_for_each_coord(&mut |c| {
            (c.x, c.y) = transform.xy(c.x, c.y).map_err(|e| e.to_string())?;
            Ok::<(), String>(())
        });
        if let Err(e) = moved {
            let name = feature.name().map(str::to_string);
            return Err(Error::feature(path, index, name, e));
        }
    }
    Ok(())
}

/// Refuses to read a file in longitude/latitude as if it were in the projected
/// CRS the options give (a WGS84 snapshot next to projected regions under one
/// `--input-crs`): its degrees would be taken for metres a few hundred metres
/// from the projection's origin, and measure as nothing, silently. The tell: every
/// position is within longitude/latitude range, yet the first one lands more than
/// a degree away or cannot be reprojected at all (a geographic CRS on another
/// datum moves it far less).
fn looks_projected(doc: &Document, transform: &Transform, crs: &Crs, path: &Path) -> Result<()> {
    let mut first: Option<(f64, f64)> = None;
    let mut in_range = true;
    for geometry in doc.features.iter().filter_map(|f| f.geometry.as_ref()) {
        geometry.for_each_coord(&mut |c| {
            in_range &= c.x.abs() <= 180.0 && c.y.abs() <= 90.0;
            first.get_or_insert((c.x, c.y));
        });
    }
    let Some((x, y)) = first.filter(|_| in_range) else {
        return Ok(());
    };
    // Degrees read as metres often fall outside the CRS's domain: as telling.
    let moved = match transform.xy(x, y) {
        Ok((a, b)) => (a - x).abs().max((b - y).abs()),
        Err(_) => f64::INFINITY,
    };
    if moved > 1.0 {
        return Err(Error::format(
            path,
            format!(
                "every coordinate is within longitude/latitude range (e.g. [{x}, {y}]), \
                 not what a file in {crs} (--input-crs) holds: it looks like WGS84 \
                 longitude/latitude; give --input-crs only when every file read is in \
                 that CRS or declares its own"
            ),
        ));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
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
            (
                "{\"type\": \"FeatureCollection\"}",
                "a FeatureCollection without a \"features\" array",
            ),
        ] {
            let msg = parse_str(text).unwrap_err().to_string();
            assert!(
                msg.starts_with("f.geojson: ") && msg.contains(expect),
                "{msg}"
            );
        }
    }

    /// An empty FeatureCollection declaring `crs`.
    fn fc(crs: &str) -> String {
        format!(
            r#"{{"type": "FeatureCollection", "features": [],
            "crs": {{"type": "name", "properties": {{"name": "{crs}"}}}}}}"#
        )
    }

    #[test]
    fn projected_crs_needs_proj_crs84_accepted() {
        let path = Path::new("f.geojson");
        let mut doc = parse_str(&fc("urn:ogc:def:crs:OGC:1.3:CRS84")).unwrap();
        let default = ReadOptions::default();
        assert!(to_lon_lat(&mut doc, path, &default).is_ok());
        let mut doc = parse_str(&fc("urn:ogc:def:crs:EPSG::3857")).unwrap();
        let result = to_lon_lat(&mut doc, path, &default);
        if cfg!(feature = "proj") {
            assert!(result.is_ok());
        } else {
            let msg = result.unwrap_err().to_string();
            assert!(
                msg.starts_with("f.geojson: ")
                    && msg.contains("EPSG:3857")
                    && msg.contains("`proj`"),
                "{msg}"
            );
        }
    }

    #[test]
    fn input_crs_must_agree_with_the_file() {
        let path = Path::new("f.geojson");
        let web = ReadOptions::default().input_crs(Some(Crs::epsg_code(3857)));
        let mut doc = parse_str(&fc("EPSG:6385")).unwrap();
        let msg = to_lon_lat(&mut doc, path, &web).unwrap_err().to_string();
        assert!(
            msg.contains("EPSG:6385") && msg.contains("EPSG:3857"),
            "{msg}"
        );
        // The same CRS, however named, is fine; so is WGS84 under either name.
        let lon_lat = ReadOptions::default().input_crs(Some(Crs::epsg_code(4326)));
        let mut doc = parse_str(&fc("urn:ogc:def:crs:OGC:1.3:CRS84")).unwrap();
        assert!(to_lon_lat(&mut doc, path, &lon_lat).is_ok());
        let mut doc = parse_str(&fc("urn:ogc:def:crs:EPSG::3857")).unwrap();
        assert_eq!(
            to_lon_lat(&mut doc, path, &web).is_ok(),
            cfg!(feature = "proj")
        );
    }
}
