//! Seals: a FlatGeobuf or GeoParquet file frontline writes says, in its metadata,
//! that its polygons were already clean when written (rings closed, no repeated
//! positions, simple, oriented, the parts of each feature disjoint), with a
//! fingerprint of their coordinates. Reading such a file whose polygons still
//! match the fingerprint skips what cleaning could only confirm (the crossing
//! sweep, orientation, the union of parts); anything else, a file from another
//! tool or one changed since, is cleaned in full.
//!
//! The fingerprint guards against change, not forgery: a forged seal can make bad
//! polygons be measured as drawn (coordinates are still checked, so never a panic),
//! as a file of bad polygons measured by any other tool would be.
//!
//! Written as `{"frontline": {"clean": "<fingerprint>"}}`: FlatGeobuf's header
//! `metadata`, GeoParquet's key-value metadata under the key `frontline`.

use std::path::Path;

use geo::{LineString, Polygon};
use rayon::prelude::*;
use serde_json::{Value, json};

use super::file::Feature;
use super::geometry::{self, FeatureRef};
use super::shape::{Ring, Shape};
use crate::crs::Crs;

/// The key of the seal in GeoParquet's key-value metadata.
pub(crate) const KEY: &str = "frontline";

/// The metadata text sealing features whose fingerprint is `fingerprint`.
pub(crate) fn metadata(fingerprint: &str) -> String {
    json!({ "clean": fingerprint }).to_string()
}

/// The FlatGeobuf header metadata sealing `fingerprint` (the seal under [`KEY`]).
pub(crate) fn header_metadata(fingerprint: &str) -> String {
    json!({ KEY: { "clean": fingerprint } }).to_string()
}

/// The fingerprint a file's metadata claims: `text` is the value under [`KEY`]
/// (`nested` false) or a JSON object holding it (`nested` true); anything else is
/// no seal.
pub(crate) fn claimed(text: &str, nested: bool) -> Option<String> {
    let v: Value = serde_json::from_str(text).ok()?;
    let seal = if nested { v.get(KEY)? } else { &v };
    seal.get("clean")?.as_str().map(str::to_string)
}

/// The fingerprint of the features' polygons, in any order (FlatGeobuf's writer
/// reorders features along its index): their count and the sum of one CRC-32 per
/// feature over its polygons' ring lengths and coordinates. Other geometries
/// count as features without polygons.
pub(crate) fn fingerprint<'a>(shapes: impl Iterator<Item = Option<&'a Shape>>) -> String {
    let mut count = 0u64;
    let mut sum = 0u64;
    let mut buffer = Vec::new();
    for shape in shapes {
        buffer.clear();
        if let Some(shape) = shape {
            polygons(shape, &mut |rings| {
                buffer.extend_from_slice(&(rings.len() as u64).to_le_bytes());
                for ring in rings {
                    buffer.extend_from_slice(&(ring.len() as u64).to_le_bytes());
                    for c in ring {
                        buffer.extend_from_slice(&c.x.to_le_bytes());
                        buffer.extend_from_slice(&c.y.to_le_bytes());
                    }
                }
            });
        }
        count += 1;
        sum = sum.wrapping_add(u64::from(crc32fast::hash(&buffer)) << 32 | buffer.len() as u64);
    }
    format!("{count}:{sum:016x}")
}

/// Calls `f` on the rings of every polygon of a shape, collections unpacked.
fn polygons(shape: &Shape, f: &mut impl FnMut(&[Ring])) {
    match shape {
        Shape::Polygon(rings) => f(rings),
        Shape::MultiPolygon(ps) => ps.iter().for_each(|p| f(p)),
        Shape::Collection(gs) => gs.iter().for_each(|g| polygons(g, f)),
        _ => {}
    }
}

/// Whether the features read may skip the checks cleaning would only confirm:
/// the file claims a seal and its polygons still match it.
pub(crate) fn holds(claimed: Option<&str>, features: &[Feature]) -> bool {
    claimed.is_some_and(|c| c == fingerprint(features.iter().map(|f| f.geometry.as_ref())))
}

/// The fingerprint to seal features being written with, when their coordinates
/// are longitude/latitude (cleaning is in those) and every polygon is clean as it
/// is; `None` otherwise.
pub(crate) fn seal(collection: &geojson::FeatureCollection, crs: &Crs) -> Option<String> {
    if !crs.is_lon_lat() {
        return None;
    }
    let shapes: Vec<Option<Shape>> = collection
        .features
        .iter()
        .map(|f| f.geometry.as_ref().map(|g| Shape::from(&g.value)))
        .collect();
    let clean = shapes
        .par_iter()
        .all(|s| s.as_ref().is_none_or(clean_as_is));
    clean.then(|| fingerprint(shapes.iter().map(Option::as_ref)))
}

/// Whether cleaning would leave a shape's polygons exactly as they are, without a
/// warning, and not union its parts.
fn clean_as_is(shape: &Shape) -> bool {
    let mut drawn: Vec<Polygon<f64>> = Vec::new();
    let mut empty = false;
    polygons(shape, &mut |rings| match rings.split_first() {
        Some((exterior, holes)) => drawn.push(Polygon::new(
            LineString(exterior.clone()),
            holes.iter().map(|h| LineString(h.clone())).collect(),
        )),
        None => empty = true,
    });
    if empty {
        return false;
    }
    if drawn.is_empty() {
        // Nothing a seal would vouch for.
        return true;
    }
    let at = FeatureRef {
        path: Path::new(""),
        index: 0,
        name: None,
    };
    let mut warnings = Vec::new();
    let cleaned = geometry::parts(shape.clone(), at, &mut warnings, false);
    matches!(cleaned, Ok(p) if warnings.is_empty() && p.polygons == drawn)
        && (drawn.len() < 2 || geometry::disjoint(&drawn))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collection(geometries: &[&str]) -> geojson::FeatureCollection {
        let features = geometries
            .iter()
            .map(|g| format!(r#"{{"type": "Feature", "properties": {{}}, "geometry": {g}}}"#))
            .collect::<Vec<_>>()
            .join(",");
        format!(r#"{{"type": "FeatureCollection", "features": [{features}]}}"#)
            .parse()
            .unwrap()
    }

    const SQUARE: &str = r#"{"type": "Polygon", "coordinates": [[[37,48],[37.1,48],[37.1,48.1],[37,48.1],[37,48]]]}"#;

    #[test]
    fn only_clean_lon_lat_polygons_are_sealed() {
        let wgs84 = Crs::wgs84();
        let point = r#"{"type": "Point", "coordinates": [37, 48]}"#;
        assert!(seal(&collection(&[SQUARE, point, "null"]), &wgs84).is_some());
        assert!(seal(&collection(&[SQUARE]), &Crs::epsg_code(3857)).is_none());
        for unclean in [
            // Clockwise.
            r#"{"type": "Polygon", "coordinates": [[[37,48],[37,48.1],[37.1,48.1],[37.1,48],[37,48]]]}"#,
            // Not closed.
            r#"{"type": "Polygon", "coordinates": [[[37,48],[37.1,48],[37.1,48.1],[37,48.1]]]}"#,
            // A bowtie.
            r#"{"type": "Polygon", "coordinates": [[[37,48],[37.1,48.1],[37.1,48],[37,48.1],[37,48]]]}"#,
            // A repeated position.
            r#"{"type": "Polygon", "coordinates": [[[37,48],[37.1,48],[37.1,48],[37.1,48.1],[37,48.1],[37,48]]]}"#,
            // Overlapping parts.
            r#"{"type": "MultiPolygon", "coordinates": [[[[37,48],[37.1,48],[37.1,48.1],[37,48.1],[37,48]]], [[[37.05,48],[37.2,48],[37.2,48.1],[37.05,48.1],[37.05,48]]]]}"#,
            // Out of range.
            r#"{"type": "Polygon", "coordinates": [[[370,48],[371,48],[371,49],[370,48]]]}"#,
        ] {
            assert!(
                seal(&collection(&[SQUARE, unclean]), &wgs84).is_none(),
                "{unclean}"
            );
        }
    }

    #[test]
    fn the_fingerprint_ignores_order_and_sees_any_change() {
        let a = Shape::Polygon(vec![vec![geo::coord! {x: 0.0, y: 0.0}; 4]]);
        let b = Shape::Polygon(vec![vec![geo::coord! {x: 0.0, y: 1e-12}; 4]]);
        let ab = fingerprint([Some(&a), Some(&b)].into_iter());
        assert_eq!(ab, fingerprint([Some(&b), Some(&a)].into_iter()));
        assert_ne!(ab, fingerprint([Some(&a), Some(&a)].into_iter()));
        assert_ne!(ab, fingerprint([Some(&a)].into_iter()));
        assert_ne!(ab, fingerprint([Some(&a), Some(&b), None].into_iter()));
        // A Polygon and the MultiPolygon of it (FlatGeobuf promotes) are one.
        let multi = Shape::MultiPolygon(vec![vec![vec![geo::coord! {x: 0.0, y: 0.0}; 4]]]);
        assert_eq!(
            fingerprint([Some(&a)].into_iter()),
            fingerprint([Some(&multi)].into_iter())
        );
        assert_eq!(
            claimed(&header_metadata("1:2"), true).as_deref(),
            Some("1:2")
        );
        assert_eq!(claimed(&metadata("1:2"), false).as_deref(), Some("1:2"));
        assert_eq!(claimed("not json", true), None);
    }
}
