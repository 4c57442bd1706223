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
    let pieces = 2 * rayon::current_num_threads();
    let top = match bytes.len() >= PARALLEL_BYTES && pieces > 2 {
        true => parse_in_pieces::<F>(bytes, pieces),
        false => None,
    };
    let top: TopLevel<F> = match top {
        Some(top) => top,
        None => serde_json::from_slice(bytes)
            .map_err(|e| Error::format(path, format!("not valid GeoJSON: {e}")))?,
    };
    document(top, path, false)
}

/// Files from this size on have their features parsed in parallel pieces (the
/// hromadas of Ukraine are 30 MB: 69 ms in one piece).
const PARALLEL_BYTES: usize = 4 << 20;

/// A FeatureCollection parsed as serde_json parses it whole, in about `pieces`
/// pieces at once; `None` wherever anything is not as expected, and the caller
/// then parses it whole (which also words any error).
///
/// The features array is found by scanning the members before it; it is cut at
/// commas that look like the ones between features (`}`, `,`, `{"type":
/// "Feature"`), and ends at the `]` before the closing `}`. Each piece is parsed
/// as `[[piece]]` at the depth its features have in the file, and must be one
/// array of whole features: a cut anywhere else (in a string, inside a feature)
/// or a wrong end leaves some piece unparsable, since from the true start of a
/// feature the grammar decides where each feature ends. What surrounds the array
/// is parsed with `[]` in its place.
fn parse_in_pieces<F: PropertyFilter>(bytes: &[u8], pieces: usize) -> Option<TopLevel<F>> {
    let open = features_array(bytes)?;
    let close = array_end(bytes)?;
    if close <= open {
        return None;
    }
    let mut cuts = vec![open];
    for k in 1..pieces {
        let from = (k * bytes.len() / pieces).max(cuts[cuts.len() - 1] + 1);
        if let Some(cut) = next_cut(bytes, from, close) {
            cuts.push(cut);
        }
    }
    cuts.dedup();
    cuts.push(close);
    use rayon::prelude::*;
    let parsed: Vec<Option<Vec<FeatureOf<F>>>> = cuts
        .par_windows(2)
        .map(|w| {
            let piece = &bytes[w[0] + 1..w[1]];
            let mut text = Vec::with_capacity(piece.len() + 4);
            text.extend_from_slice(b"[[");
            text.extend_from_slice(piece);
            text.extend_from_slice(b"]]");
            let mut outer: Vec<Vec<FeatureOf<F>>> = serde_json::from_slice(&text).ok()?;
            let features = outer.pop()?;
            // Between two cuts there is at least one feature.
            (outer.is_empty() && (cuts.len() == 2 || !features.is_empty())).then_some(features)
        })
        .collect();
    let mut rest = Vec::with_capacity(open + bytes.len() - close + 2);
    rest.extend_from_slice(&bytes[..open]);
    rest.extend_from_slice(b"[]");
    rest.extend_from_slice(&bytes[close + 1..]);
    let mut top: TopLevel<F> = serde_json::from_slice(&rest).ok()?;
    if top.features.as_ref().is_none_or(|f| !f.is_empty()) {
        return None;
    }
    let mut features = Vec::new();
    for piece in parsed {
        features.extend(piece?);
    }
    top.features = Some(features);
    Some(top)
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The index after the string that starts at `i` (a `"`).
fn skip_string(bytes: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// The index of the `,` or `}` that ends the member value starting at `i`
/// (brackets and strings followed; the real parse checks the rest).
fn skip_value(bytes: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match *bytes.get(i)? {
            b'"' => i = skip_string(bytes, i)?,
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            b'}' | b']' if depth == 0 => return Some(i),
            b'}' | b']' => {
                depth -= 1;
                i += 1;
            }
            b',' if depth == 0 => return Some(i),
            _ => i += 1,
        }
    }
}

/// The index of the `[` that opens the top-level object's `"features"` array.
fn features_array(bytes: &[u8]) -> Option<usize> {
    let mut i = skip_space(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        i = skip_space(bytes, i);
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = skip_string(bytes, i)?;
        let key = &bytes[i..key_end];
        i = skip_space(bytes, key_end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        i = skip_space(bytes, i + 1);
        if key == b"\"features\"" {
            return (bytes.get(i) == Some(&b'[')).then_some(i);
        }
        i = skip_value(bytes, i)?;
        match bytes.get(i) {
            Some(b',') => i += 1,
            _ => return None,
        }
    }
}

/// The index of the `]` before the document's closing `}`.
fn array_end(bytes: &[u8]) -> Option<usize> {
    let mut i = bytes.iter().rposition(|b| !b.is_ascii_whitespace())?;
    if bytes[i] != b'}' {
        return None;
    }
    i = bytes[..i].iter().rposition(|b| !b.is_ascii_whitespace())?;
    (bytes[i] == b']').then_some(i)
}

/// The first comma at or after `from` (and before `end`) between a `}` and a
/// `{"type": "Feature"`, whitespace allowed around each; `None` when there is
/// none in the next megabyte.
fn next_cut(bytes: &[u8], from: usize, end: usize) -> Option<usize> {
    let limit = end.min(from.saturating_add(1 << 20));
    let mut i = from;
    while i < limit {
        let comma = i + bytes.get(i..limit)?.iter().position(|&b| b == b',')?;
        i = comma + 1;
        let before = bytes[..comma]
            .iter()
            .rposition(|b| !b.is_ascii_whitespace());
        if before.is_none_or(|b| bytes[b] != b'}') {
            continue;
        }
        let open = skip_space(bytes, comma + 1);
        if bytes.get(open) != Some(&b'{') {
            continue;
        }
        let key = skip_space(bytes, open + 1);
        if !bytes[key..].starts_with(b"\"type\"") {
            continue;
        }
        let colon = skip_space(bytes, key + 6);
        if bytes.get(colon) != Some(&b':') {
            continue;
        }
        let value = skip_space(bytes, colon + 1);
        if bytes[value..].starts_with(b"\"Feature\"") {
            return Some(comma);
        }
    }
    None
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

    /// Both ways, the features' Debug text (with `None` for no parse).
    fn both(text: &[u8], pieces: usize) -> (Option<String>, Option<String>) {
        let whole: Option<TopLevel<AllProperties>> = serde_json::from_slice(text).ok();
        let cut = parse_in_pieces::<AllProperties>(text, pieces);
        let show = |t: Option<TopLevel<AllProperties>>| {
            t.map(|t| {
                let features: Vec<_> = t
                    .features
                    .unwrap_or_default()
                    .into_iter()
                    .map(|f| f.0)
                    .collect();
                format!("{:?} {:?} {:?}", t.kind, t.crs, features)
            })
        };
        (show(whole), show(cut))
    }

    #[test]
    fn features_parsed_in_pieces_are_the_features_parsed_whole() {
        let feature = |i: usize, name: &str| {
            format!(
                r#"{{"type": "Feature", "properties": {{"name": "{name}", "i": {i}}},
                "geometry": {{"type": "Point", "coordinates": [{i}.5, 48.25]}}}}"#
            )
        };
        let many: Vec<String> = (0..40).map(|i| feature(i, "x")).collect();
        let plain = format!(
            r#"{{"type": "FeatureCollection", "name": "n", "crs": {{"type": "name", "properties": {{"name": "EPSG:4326"}}}},
            "features": [{}]}}"#,
            many.join(",\n")
        );
        // Strings and nested objects that look like the commas between features.
        let tricky_name = r#"a},{\"type\": \"Feature\"}, {\"type\": \"Feature\""#;
        let nested = r#"{"type": "Feature", "properties": {"kids": [{"a": 1},{"type": "Feature"},{"type":"Feature", "b": [1]}]},
            "geometry": {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]},{"type": "Point", "coordinates": [3, 4]}]}}"#;
        let mut mixed: Vec<String> = (0..30).map(|i| feature(i, tricky_name)).collect();
        mixed.insert(7, nested.to_string());
        mixed.insert(20, nested.to_string());
        let tricky = format!(
            r#"{{"features": [{}], "type": "FeatureCollection"}}"#,
            mixed.join(" , ")
        );
        for text in [&plain, &tricky] {
            for pieces in [2, 3, 5, 8, 13, 40, 100] {
                let (whole, cut) = both(text.as_bytes(), pieces);
                assert!(whole.is_some());
                // In pieces, or not at all.
                assert!(cut.is_none() || cut == whole, "{pieces} pieces");
            }
        }
        // Plain features are cut; a cut between the nested look-alikes falls back.
        assert!(both(plain.as_bytes(), 4).1.is_some());
        // What the whole parse refuses is never taken in pieces.
        let a = many[..10].join(",");
        let b = many[10..20].join(",");
        for broken in [
            format!(r#"{{"type": "FeatureCollection", "features": [{a},,{b}]}}"#),
            format!(r#"{{"type": "FeatureCollection", "features": [{a},{b},]}}"#),
            format!(r#"{{"type": "FeatureCollection", "features": [{a}],[{b}]}}"#),
            format!(r#"{{"type": "FeatureCollection", "features": [{a}], "features": [{b}]}}"#),
            format!(r#"{{"type": "FeatureCollection", "features": [{a},{b}]}} x"#),
            format!(r#"{{"type": "FeatureCollection", "features": [{a} {b}]}}"#),
            format!(r#"{{"type": "FeatureCollection", "features": [{a},{b}}}"#),
        ] {
            for pieces in [2, 3, 4, 7, 20] {
                let (whole, cut) = both(broken.as_bytes(), pieces);
                assert_eq!(whole, cut, "{broken}");
            }
        }
        // An envelope's features are not at the top: parsed whole.
        let envelope = format!(
            r#"{{"id": 1, "map": {{"type": "FeatureCollection", "features": [{a},{b}]}}}}"#
        );
        assert!(both(envelope.as_bytes(), 4).1.is_none());
        // Members after the array.
        let bbox = format!(
            r#"{{"type": "FeatureCollection", "features": [{a},{b}], "bbox": [1, 2, 3, 4]}}"#
        );
        let (whole, cut) = both(bbox.as_bytes(), 4);
        assert!(whole.is_some() && (cut.is_none() || cut == whole));
    }

    /// Random damage to a collection (bytes replaced, dropped or repeated, mostly
    /// the structural ones): parsed in pieces, it gives what the whole parse
    /// gives, or nothing (and the whole parse then decides).
    #[test]
    fn damaged_collections_in_pieces_agree_with_the_whole_parse() {
        let feature = |i: usize| {
            format!(
                r#"{{"type": "Feature", "properties": {{"name": "n{i} \"q\" }},{{", "k": [{i}, {{"a": null}}]}},
                "geometry": {{"type": "Polygon", "coordinates": [[[{i}, 1.5], [2e1, -3], [{i}, 1.5]]]}}}}"#
            )
        };
        let features: Vec<String> = (0..12).map(feature).collect();
        let text = format!(
            r#"{{"type": "FeatureCollection", "name": "x", "features": [{}]}}"#,
            features.join(",")
        );
        let alphabet = b"{}[],:\" \\0a";
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        let (mut cut_ok, mut both_fail) = (0, 0);
        for _ in 0..6000 {
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..1 + next(3) {
                let at = next(bytes.len());
                match next(3) {
                    0 => bytes[at] = alphabet[next(alphabet.len())],
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, bytes[at]),
                }
            }
            let pieces = 2 + next(9);
            let (whole, cut) = both(&bytes, pieces);
            assert!(
                cut.is_none() || cut == whole,
                "{}",
                String::from_utf8_lossy(&bytes)
            );
            cut_ok += usize::from(cut.is_some());
            both_fail += usize::from(whole.is_none());
        }
        // Both kinds of case were met.
        assert!(cut_ok > 500 && both_fail > 500, "{cut_ok} {both_fail}");
    }

    /// The hromadas of Ukraine (30 MB) are parsed in pieces, to the same features.
    #[test]
    fn a_country_of_regions_is_parsed_in_pieces() {
        let path = Path::new("../shared/data/admin/ukraine_hromadas.geojson.gz");
        if !path.exists() {
            eprintln!("skipped: {} is absent", path.display());
            return;
        }
        let text = read_bytes(path).unwrap();
        let (whole, cut) = both(&text, 4);
        assert!(cut.is_some());
        assert_eq!(whole, cut);
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
