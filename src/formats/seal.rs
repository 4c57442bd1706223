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
//!
//! This module is the seal as stored: its metadata and the fingerprint. Whether
//! features are clean enough to be sealed is for cleaning to say
//! (`import::seal`), a layer above; writers take the seal they are given.

use serde_json::{Value, json};

use super::shape::{Ring, Shape};

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
pub(crate) fn polygons(shape: &Shape, f: &mut impl FnMut(&[Ring])) {
    match shape {
        Shape::Polygon(rings) => f(rings),
        Shape::MultiPolygon(ps) => ps.iter().for_each(|p| f(p)),
        Shape::Collection(gs) => gs.iter().for_each(|g| polygons(g, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
