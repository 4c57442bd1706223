//! GeoJSON geometries to clean geo polygons: Z dropped, rings closed, invalid
//! polygons repaired, every ring oriented (exterior counter-clockwise).
//!
//! Documented repairs, each reported as a warning naming the feature:
//! - a ring whose last position differs from its first is closed;
//! - repeated consecutive positions are dropped;
//! - a ring with fewer than three distinct positions is dropped (a hole), or drops
//!   its polygon (an exterior);
//! - a self-intersecting or otherwise invalid polygon is rebuilt with
//!   [`geo::MakeValid`] (odd-even rule, as GEOS' `make_valid`), and the change of
//!   area is reported.
//!
//! Errors (nothing sensible can be guessed): a position with fewer than two numbers,
//! a non-finite number, a coordinate outside longitude/latitude range.

use std::path::Path;

use geo::algorithm::sweep::{Cross, Intersections};
use geo::{
    BoundingRect, Contains, Coord, Line, LineIntersection, LineString, MakeValid, MultiPolygon,
    Orient, Point, Polygon, Validation,
};
use geojson::{GeometryValue, Position};

use crate::measure::GeodesicAreaKm2;
use crate::{Error, Result};

/// A feature being read: for messages.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FeatureRef<'a> {
    pub path: &'a Path,
    pub index: usize,
    pub name: Option<&'a str>,
}

impl FeatureRef<'_> {
    pub fn error(&self, problem: impl Into<String>) -> Error {
        Error::feature(
            self.path,
            self.index,
            self.name.map(str::to_string),
            problem,
        )
    }

    pub fn warning(&self, what: impl std::fmt::Display) -> String {
        match self.name {
            Some(n) => format!("feature {} ({n}): {what}", self.index),
            None => format!("feature {}: {what}", self.index),
        }
    }
}

/// The usable parts of one feature's geometry.
#[derive(Debug, Default)]
pub(crate) struct Parts {
    pub polygons: Vec<Polygon<f64>>,
    pub points: Vec<Point<f64>>,
    /// Line strings: neither ground nor markers; counted so the report accounts for them.
    pub lines: usize,
}

/// Converts a geometry, collections unpacked; repairs go to `warnings`.
pub(crate) fn parts(
    geometry: &geojson::Geometry,
    at: FeatureRef<'_>,
    warnings: &mut Vec<String>,
) -> Result<Parts> {
    let mut parts = Parts::default();
    collect(&geometry.value, at, warnings, &mut parts)?;
    Ok(parts)
}

fn collect(
    value: &GeometryValue,
    at: FeatureRef<'_>,
    warnings: &mut Vec<String>,
    out: &mut Parts,
) -> Result<()> {
    match value {
        GeometryValue::Point { coordinates } => out.points.push(coord(coordinates, at)?.into()),
        GeometryValue::MultiPoint { coordinates } => {
            for c in coordinates {
                out.points.push(coord(c, at)?.into());
            }
        }
        GeometryValue::LineString { .. } | GeometryValue::MultiLineString { .. } => out.lines += 1,
        GeometryValue::Polygon { coordinates } => {
            out.polygons.extend(polygon(coordinates, at, warnings)?)
        }
        GeometryValue::MultiPolygon { coordinates } => {
            for p in coordinates {
                out.polygons.extend(polygon(p, at, warnings)?);
            }
        }
        GeometryValue::GeometryCollection { geometries } => {
            for g in geometries {
                collect(&g.value, at, warnings, out)?;
            }
        }
    }
    Ok(())
}

fn coord(p: &Position, at: FeatureRef<'_>) -> Result<Coord<f64>> {
    let s = p.as_slice();
    if s.len() < 2 {
        return Err(at.error(format!("a position has {} number(s), not 2", s.len())));
    }
    let (x, y) = (s[0], s[1]);
    if !x.is_finite() || !y.is_finite() {
        return Err(at.error(format!("non-finite coordinate [{x}, {y}]")));
    }
    if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
        return Err(at.error(format!(
            "coordinate [{x}, {y}] is outside longitude/latitude range; \
             frontline reads WGS84 longitude/latitude (is the file projected? name its \
             coordinate system: --input-crs EPSG:NNNN)"
        )));
    }
    Ok(Coord { x, y })
}

/// A closed ring without repeated consecutive positions, or `None` when degenerate.
fn ring(
    positions: &[Position],
    at: FeatureRef<'_>,
    which: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<LineString<f64>>> {
    let mut coords: Vec<Coord<f64>> = Vec::with_capacity(positions.len() + 1);
    for p in positions {
        let c = coord(p, at)?;
        if coords.last() != Some(&c) {
            coords.push(c);
        }
    }
    if coords.len() > 1 && coords.first() != coords.last() {
        warnings.push(at.warning(format!("{which} was not closed; closed it")));
        coords.push(coords[0]);
    }
    if coords.len() < 4 {
        warnings.push(at.warning(format!(
            "{which} has fewer than 3 distinct positions; dropped it"
        )));
        return Ok(None);
    }
    Ok(Some(LineString(coords)))
}

fn polygon(
    rings: &[Vec<Position>],
    at: FeatureRef<'_>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Polygon<f64>>> {
    let Some((first, rest)) = rings.split_first() else {
        warnings.push(at.warning("empty polygon; skipped it"));
        return Ok(Vec::new());
    };
    let Some(exterior) = ring(first, at, "exterior ring", warnings)? else {
        return Ok(Vec::new());
    };
    let mut holes = Vec::with_capacity(rest.len());
    for (i, r) in rest.iter().enumerate() {
        if let Some(h) = ring(r, at, &format!("hole {}", i + 1), warnings)? {
            holes.push(h);
        }
    }
    let polygon = Polygon::new(exterior, holes);
    Ok(valid(polygon, at, warnings)?.0)
}

/// The polygon itself when valid, else its repair; oriented either way.
pub(crate) fn valid(
    polygon: Polygon<f64>,
    at: FeatureRef<'_>,
    warnings: &mut Vec<String>,
) -> Result<MultiPolygon<f64>> {
    if is_simple(&polygon) {
        return Ok(MultiPolygon(vec![
            polygon.orient(geo::orient::Direction::Default),
        ]));
    }
    let problem = polygon
        .validation_errors()
        .first()
        .map(ToString::to_string)
        .unwrap_or_else(|| "invalid".into());
    let before = polygon.geodesic_area_km2();
    let repaired = polygon.make_valid().map_err(|e| {
        at.error(format!(
            "invalid polygon ({problem}) that could not be repaired: {e:?}"
        ))
    })?;
    let repaired = repaired.orient(geo::orient::Direction::Default);
    warnings.push(at.warning(format!(
        "invalid polygon ({problem}); repaired it ({before:.3} km² as drawn, {:.3} km² repaired)",
        repaired.geodesic_area_km2()
    )));
    Ok(repaired)
}

/// A segment of ring `ring`, `index`-th of `len`.
#[derive(Clone, Copy)]
struct Segment {
    line: Line<f64>,
    ring: usize,
    index: usize,
    len: usize,
}

impl Cross for Segment {
    type Scalar = f64;
    fn line(&self) -> Line<f64> {
        self.line
    }
}

/// Whether a polygon is valid for our purposes, in O(n log n) on real outlines
/// (geo's `Validation` tests every pair of segments, seconds on an oblast):
/// no ring touches or crosses itself or another ring, except consecutive segments
/// at their shared vertex, and every hole lies inside the exterior and outside the
/// other holes. Stricter than OGC (a hole touching the exterior at one point fails
/// here); such polygons are repaired, which keeps their area.
pub(crate) fn is_simple(polygon: &Polygon<f64>) -> bool {
    let rings: Vec<&LineString<f64>> = std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .collect();
    let segments = rings.iter().enumerate().flat_map(|(ring, r)| {
        let len = r.0.len().saturating_sub(1);
        r.lines().enumerate().map(move |(index, line)| Segment {
            line,
            ring,
            index,
            len,
        })
    });
    for (a, b, hit) in Intersections::from_iter(segments) {
        let adjacent = a.ring == b.ring
            && (a.index.abs_diff(b.index) == 1 || a.index.abs_diff(b.index) + 1 == a.len);
        let at_shared_vertex = matches!(hit, LineIntersection::SinglePoint { intersection, .. }
            if intersection == a.line.start || intersection == a.line.end);
        if !(adjacent && at_shared_vertex) {
            return false;
        }
    }
    // Rings do not meet, so one vertex tells on which side of another ring a ring lies.
    let exterior = Polygon::new(polygon.exterior().clone(), vec![]);
    let holes: Vec<Polygon<f64>> = polygon
        .interiors()
        .iter()
        .map(|h| Polygon::new(h.clone(), vec![]))
        .collect();
    for (i, hole) in holes.iter().enumerate() {
        let vertex = hole.exterior().0[0];
        if !exterior.contains(&vertex) {
            return false;
        }
        let nested = holes.iter().enumerate().any(|(j, other)| {
            i != j
                && other
                    .bounding_rect()
                    .zip(hole.bounding_rect())
                    .is_some_and(|(o, h)| o.min().x <= h.min().x && o.max().x >= h.max().x)
                && other.contains(&vertex)
        });
        if nested {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(geometry: serde_json::Value) -> (Result<Parts>, Vec<String>) {
        let g: geojson::Geometry = serde_json::from_value(geometry).unwrap();
        let mut warnings = Vec::new();
        let at = FeatureRef {
            path: Path::new("t.geojson"),
            index: 7,
            name: Some("x"),
        };
        (parts(&g, at, &mut warnings), warnings)
    }

    #[test]
    fn drops_z_and_orients() {
        let (p, w) = read(json!({"type": "Polygon", "coordinates":
            [[[0, 0, 5], [0, 1, 5], [1, 1, 5], [1, 0, 5], [0, 0, 5]]]}));
        let p = p.unwrap();
        assert!(w.is_empty());
        assert_eq!(p.polygons.len(), 1);
        assert_eq!(geo::Area::signed_area(&p.polygons[0]), 1.0);
    }

    #[test]
    fn closes_unclosed_rings_with_a_warning() {
        let (p, w) =
            read(json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}));
        assert_eq!(p.unwrap().polygons.len(), 1);
        assert!(
            w[0].contains("feature 7 (x): exterior ring was not closed"),
            "{w:?}"
        );
    }

    #[test]
    fn repairs_a_bowtie_into_both_lobes() {
        let (p, w) = read(json!({"type": "Polygon", "coordinates":
            [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}));
        let p = p.unwrap();
        assert_eq!(p.polygons.len(), 2);
        assert!(w[0].contains("repaired"), "{w:?}");
        let area: f64 = p.polygons.iter().map(geo::Area::unsigned_area).sum();
        assert!((area - 0.5).abs() < 1e-12);
    }

    #[test]
    fn simplicity_check_agrees_with_geo_validation() {
        use geo::polygon;
        let cases = [
            polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            polygon![(x: 0., y: 0.), (x: 4., y: 4.), (x: 4., y: 0.), (x: 0., y: 4.)],
            polygon![
                exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
                interiors: [[(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.)]],
            ],
            // A hole outside its shell.
            polygon![
                exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
                interiors: [[(x: 5., y: 1.), (x: 6., y: 1.), (x: 6., y: 2.)]],
            ],
            // A hole crossing its shell.
            polygon![
                exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
                interiors: [[(x: 3., y: 1.), (x: 6., y: 1.), (x: 6., y: 2.)]],
            ],
            // A hole inside a hole.
            polygon![
                exterior: [(x: 0., y: 0.), (x: 9., y: 0.), (x: 9., y: 9.), (x: 0., y: 9.)],
                interiors: [
                    [(x: 1., y: 1.), (x: 8., y: 1.), (x: 8., y: 8.), (x: 1., y: 8.)],
                    [(x: 2., y: 2.), (x: 3., y: 2.), (x: 3., y: 3.)],
                ],
            ],
            // A spike: the ring runs back along itself.
            polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 6., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.)],
        ];
        for p in &cases {
            assert_eq!(is_simple(p), p.is_valid(), "{p:?}");
        }
    }

    #[test]
    fn degenerate_rings_are_dropped() {
        let (p, w) = read(json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}));
        assert!(p.unwrap().polygons.is_empty());
        assert!(w[0].contains("fewer than 3 distinct"));
    }

    #[test]
    fn bad_coordinates_are_errors_naming_the_feature() {
        let (p, _) = read(json!({"type": "Point", "coordinates": [3500000.0, 6100000.0]}));
        let msg = p.unwrap_err().to_string();
        assert!(
            msg.starts_with("t.geojson: feature 7 (x): coordinate"),
            "{msg}"
        );
        assert!(msg.contains("projected"));
    }

    #[test]
    fn collections_are_unpacked() {
        let (p, _) = read(json!({"type": "GeometryCollection", "geometries": [
            {"type": "Point", "coordinates": [1, 2]},
            {"type": "LineString", "coordinates": [[1, 2], [2, 3]]},
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}]}));
        let p = p.unwrap();
        assert_eq!((p.polygons.len(), p.points.len(), p.lines), (1, 1, 1));
    }
}
