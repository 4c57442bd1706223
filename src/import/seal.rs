//! Whether features about to be written are clean as they are, so that the file
//! may carry a seal (see [`crate::formats::seal`] for the seal itself): cleaning
//! would leave their polygons exactly as drawn.

use std::path::Path;

use geo::{LineString, Polygon};
use rayon::prelude::*;

use super::geometry::{self, FeatureRef};
use crate::crs::Crs;
use crate::formats::Feature;
use crate::formats::seal::{fingerprint, polygons};
use crate::formats::shape::Shape;

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
    let cleaned = geometry::parts(shape.clone(), at, &mut warnings, geometry::Checks::Each);
    matches!(cleaned, Ok(p) if warnings.is_empty() && p.polygons == drawn)
        && (drawn.len() < 2 || geometry::disjoint(&drawn))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::geoparquet;

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

    fn ring_collection(ring: &str) -> geojson::FeatureCollection {
        format!(
            r#"{{"type": "FeatureCollection", "features": [{{"type": "Feature",
            "properties": {{"name": "x"}},
            "geometry": {{"type": "Polygon", "coordinates": [{ring}]}}}}]}}"#
        )
        .parse()
        .unwrap()
    }

    const SQUARE_RING: &str = "[[37,48],[37.1,48],[37.1,48.1],[37,48.1],[37,48]]";
    const BOWTIE: &str = "[[37,48],[37.1,48.1],[37.1,48],[37,48.1],[37,48]]";

    fn warnings(path: &Path) -> Vec<String> {
        crate::import::read_places(path)
            .unwrap()
            .warnings()
            .to_vec()
    }

    #[test]
    fn a_seal_is_trusted_only_while_the_polygons_match_it() {
        let dir = tempfile::tempdir().unwrap();
        let wgs84 = Crs::wgs84();
        let (square, bowtie) = (ring_collection(SQUARE_RING), ring_collection(BOWTIE));
        let path = dir.path().join("a.parquet");
        // A clean square is sealed; a bowtie is not, and is repaired when read.
        let sealed = seal(&square, &wgs84);
        geoparquet::write(&square, &path, &wgs84, sealed.as_deref()).unwrap();
        let claimed = geoparquet::read(&path).unwrap().seal;
        assert!(claimed.is_some());
        assert!(warnings(&path).is_empty());
        assert_eq!(seal(&bowtie, &wgs84), None);
        geoparquet::write(&bowtie, &path, &wgs84, None).unwrap();
        assert_eq!(geoparquet::read(&path).unwrap().seal, None);
        assert!(warnings(&path)[0].contains("repaired"));
        // The square's seal on the bowtie (a file changed since): cleaned in full.
        geoparquet::write(&bowtie, &path, &wgs84, claimed.as_deref()).unwrap();
        assert!(warnings(&path)[0].contains("repaired"));
        // A seal forged to match is trusted: cleaning is skipped (see `seal`).
        let shape = Shape::from(&bowtie.features[0].geometry.as_ref().unwrap().value);
        let forged = fingerprint([Some(&shape)].into_iter());
        geoparquet::write(&bowtie, &path, &wgs84, Some(&forged)).unwrap();
        assert!(warnings(&path).is_empty());
        // Coordinates are checked all the same: an error, never a panic.
        let far = ring_collection("[[370,48],[371,48],[371,49],[370,48]]");
        let shape = Shape::from(&far.features[0].geometry.as_ref().unwrap().value);
        let forged = fingerprint([Some(&shape)].into_iter());
        geoparquet::write(&far, &path, &wgs84, Some(&forged)).unwrap();
        let err = crate::import::read_places(&path).unwrap_err().to_string();
        assert!(err.contains("outside longitude/latitude range"), "{err}");
    }
}
