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

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::line_intersection::line_intersection;
use geo::{
    BoundingRect, Contains, Coord, Line, LineString, MakeValid, MultiPolygon, Orient, Point,
    Polygon, Validation,
};

use super::shape::{Ring, Shape};
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
    geometry: Shape,
    at: FeatureRef<'_>,
    warnings: &mut Vec<String>,
) -> Result<Parts> {
    let mut parts = Parts::default();
    collect(geometry, at, warnings, &mut parts)?;
    Ok(parts)
}

fn collect(
    shape: Shape,
    at: FeatureRef<'_>,
    warnings: &mut Vec<String>,
    out: &mut Parts,
) -> Result<()> {
    match shape {
        Shape::Point(c) => out.points.push(coord(c, at)?.into()),
        Shape::MultiPoint(cs) => {
            for c in cs {
                out.points.push(coord(c, at)?.into());
            }
        }
        Shape::LineString(_) | Shape::MultiLineString(_) => out.lines += 1,
        Shape::Polygon(rings) => out.polygons.extend(polygon(rings, at, warnings)?),
        Shape::MultiPolygon(polygons) => {
            for p in polygons {
                out.polygons.extend(polygon(p, at, warnings)?);
            }
        }
        Shape::Collection(shapes) => {
            for s in shapes {
                collect(s, at, warnings, out)?;
            }
        }
        Shape::Invalid(why) => return Err(at.error(why)),
    }
    Ok(())
}

/// The coordinate itself, when finite and within longitude/latitude range.
fn coord(c: Coord<f64>, at: FeatureRef<'_>) -> Result<Coord<f64>> {
    let Coord { x, y } = c;
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
    Ok(c)
}

/// A closed ring without repeated consecutive positions, or `None` when degenerate.
fn ring(
    mut coords: Ring,
    at: FeatureRef<'_>,
    which: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<LineString<f64>>> {
    for &c in &coords {
        coord(c, at)?;
    }
    coords.dedup();
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
    rings: Vec<Ring>,
    at: FeatureRef<'_>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Polygon<f64>>> {
    let mut rings = rings.into_iter();
    let Some(first) = rings.next() else {
        warnings.push(at.warning("empty polygon; skipped it"));
        return Ok(Vec::new());
    };
    let Some(exterior) = ring(first, at, "exterior ring", warnings)? else {
        return Ok(Vec::new());
    };
    let mut holes = Vec::with_capacity(rings.len());
    for (i, r) in rings.enumerate() {
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

/// A segment with its box, the `index`-th of ring `ring`, which has `len`.
#[derive(Clone, Copy)]
struct Segment {
    line: Line<f64>,
    min: Coord<f64>,
    max: Coord<f64>,
    ring: usize,
    index: usize,
    len: usize,
}

impl Segment {
    /// Whether `self` and `other` follow each other along a ring.
    fn adjacent(&self, other: &Segment) -> bool {
        self.ring == other.ring
            && (self.index.abs_diff(other.index) == 1
                || self.index.abs_diff(other.index) + 1 == self.len)
    }
}

/// Whether a polygon is valid for our purposes: no ring touches or crosses itself
/// or another ring, except consecutive segments at their shared vertex, and every
/// hole lies inside the exterior and outside the other holes. Stricter than OGC (a
/// hole touching the exterior at one point fails here); such polygons are
/// repaired, which keeps their area.
///
/// geo's `Validation` tests every pair of segments (seconds on an oblast); this is
/// a sweep over the segments' boxes ordered by west edge, which on real outlines
/// (a north-south line meets a boundary a few times) compares each segment with a
/// handful of others: ~10 ns per segment.
pub(crate) fn is_simple(polygon: &Polygon<f64>) -> bool {
    let rings: Vec<&LineString<f64>> = std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .collect();
    let mut segments: Vec<Segment> = Vec::new();
    for (ring, r) in rings.iter().enumerate() {
        let len = r.0.len().saturating_sub(1);
        for (index, line) in r.lines().enumerate() {
            let (a, b) = (line.start, line.end);
            segments.push(Segment {
                line,
                min: Coord {
                    x: a.x.min(b.x),
                    y: a.y.min(b.y),
                },
                max: Coord {
                    x: a.x.max(b.x),
                    y: a.y.max(b.y),
                },
                ring,
                index,
                len,
            });
        }
    }
    // Consecutive segments share a vertex; they may not run back over each other.
    let mut start = 0;
    for r in &rings {
        let len = r.0.len().saturating_sub(1);
        for i in 0..len {
            let (a, b) = (
                &segments[start + i].line,
                &segments[start + (i + 1) % len].line,
            );
            if len > 1 && doubles_back(a.start, a.end, b.end) {
                return false;
            }
        }
        start += len;
    }
    // Any other two segments may not meet at all.
    // Sorting small keys, not the segments themselves, halves the time.
    let mut order: Vec<(f64, u32)> = (0..segments.len())
        .map(|i| (segments[i].min.x, i as u32))
        .collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut active: Vec<u32> = Vec::new();
    for &(_, i) in &order {
        let s = &segments[i as usize];
        active.retain(|&j| segments[j as usize].max.x >= s.min.x);
        for &j in &active {
            let o = &segments[j as usize];
            if o.max.y >= s.min.y
                && s.max.y >= o.min.y
                && !s.adjacent(o)
                && line_intersection(s.line, o.line).is_some()
            {
                return false;
            }
        }
        active.push(i);
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

/// Whether the path a → v → b turns back on itself at v (the two segments overlap).
fn doubles_back(a: Coord<f64>, v: Coord<f64>, b: Coord<f64>) -> bool {
    RobustKernel::orient2d(a, v, b) == Orientation::Collinear
        && (a.x - v.x) * (b.x - v.x) + (a.y - v.y) * (b.y - v.y) > 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(geometry: serde_json::Value) -> (Result<Parts>, Vec<String>) {
        let g: super::super::json::GeometryJson = serde_json::from_value(geometry).unwrap();
        let mut warnings = Vec::new();
        let at = FeatureRef {
            path: Path::new("t.geojson"),
            index: 7,
            name: Some("x"),
        };
        (parts(g.0, at, &mut warnings), warnings)
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

    /// The earlier check, on geo's Bentley–Ottmann sweep: slower, same answers.
    fn is_simple_by_sweep(polygon: &Polygon<f64>) -> bool {
        use geo::LineIntersection;
        use geo::algorithm::sweep::{Cross, Intersections};
        #[derive(Clone, Copy)]
        struct S(Segment);
        impl Cross for S {
            type Scalar = f64;
            fn line(&self) -> Line<f64> {
                self.0.line
            }
        }
        let mut segments = Vec::new();
        for (ring, r) in std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .enumerate()
        {
            let len = r.0.len().saturating_sub(1);
            for (index, line) in r.lines().enumerate() {
                let (min, max) = (line.start, line.end);
                segments.push(S(Segment {
                    line,
                    min,
                    max,
                    ring,
                    index,
                    len,
                }));
            }
        }
        Intersections::from_iter(segments).all(|(a, b, hit)| {
            a.0.adjacent(&b.0)
                && matches!(hit, LineIntersection::SinglePoint { intersection, .. }
                    if intersection == a.0.line.start || intersection == a.0.line.end)
        })
    }

    #[test]
    fn simplicity_check_agrees_with_the_sweep_on_random_rings() {
        // Small integer grids make touching, collinear and crossing segments common.
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n) as f64
        };
        let (mut simple, mut not) = (0, 0);
        for _ in 0..20_000 {
            let n = 3 + next(6) as usize;
            let mut coords: Vec<(f64, f64)> = Vec::new();
            while coords.len() < n {
                let c = (next(5), next(5));
                if coords.last() != Some(&c) {
                    coords.push(c);
                }
            }
            if coords.first() == coords.last() {
                continue;
            }
            let p = Polygon::new(LineString::from(coords), vec![]);
            let expected = is_simple_by_sweep(&p);
            assert_eq!(is_simple(&p), expected, "{p:?}");
            if expected { simple += 1 } else { not += 1 }
        }
        assert!(simple > 1000 && not > 1000, "{simple} {not}");
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
