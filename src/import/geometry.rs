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
//! a non-finite number, a coordinate outside longitude/latitude range, a ring with
//! an edge spanning 180° of longitude or more (across the antimeridian, round a
//! pole or the whole world: see `across_antimeridian`).

use std::path::Path;

use geo::coordinate_position::{CoordPos, coord_pos_relative_to_ring};
use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::line_intersection::line_intersection;
use geo::{
    Area, BoundingRect, Coord, Line, LineString, MakeValid, MultiPolygon, Orient, Point, Polygon,
    Validation, Winding,
};

use crate::formats::shape::{Ring, Shape};
use crate::measure::GeodesicAreaKm2;
use crate::recent::{Key, Recent, same_bits, same_rings};
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

/// How a read checks its polygons.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Checks {
    /// The file's seal holds ([`super::seal`]): its polygons are known simple
    /// and oriented, and only the cheap checks run.
    Sealed,
    /// Each polygon checked on its own: regions and places, read once.
    Each,
    /// Each polygon checked, or found among those this thread found simple
    /// lately ([`simple_and_oriented`]): snapshots, where most of a day's map
    /// is the day before's.
    Recalled,
}

/// Converts a geometry, collections unpacked; repairs go to `warnings`.
pub(crate) fn parts(
    geometry: Shape,
    at: FeatureRef<'_>,
    warnings: &mut Vec<String>,
    checks: Checks,
) -> Result<Parts> {
    let mut parts = Parts::default();
    collect(geometry, at, warnings, &mut parts, checks)?;
    Ok(parts)
}

fn collect(
    shape: Shape,
    at: FeatureRef<'_>,
    warnings: &mut Vec<String>,
    out: &mut Parts,
    checks: Checks,
) -> Result<()> {
    match shape {
        Shape::Point(c) => out.points.push(coord(c, at)?.into()),
        Shape::MultiPoint(cs) => {
            for c in cs {
                out.points.push(coord(c, at)?.into());
            }
        }
        Shape::LineString(_) | Shape::MultiLineString(_) => out.lines += 1,
        Shape::Polygon(rings) => out.polygons.extend(polygon(rings, at, warnings, checks)?),
        Shape::MultiPolygon(polygons) => {
            for p in polygons {
                out.polygons.extend(polygon(p, at, warnings, checks)?);
            }
        }
        Shape::Collection(shapes) => {
            for s in shapes {
                collect(s, at, warnings, out, checks)?;
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
    across_antimeridian(&coords, at, which)?;
    if coords.len() < 4 {
        warnings.push(at.warning(format!(
            "{which} has fewer than 3 distinct positions; dropped it"
        )));
        return Ok(None);
    }
    Ok(Some(LineString(coords)))
}

/// An error for a ring with an edge spanning 180° of longitude or more.
///
/// Areas are geodesic, each edge taken the short way round the globe; clipping
/// and point-in-polygon tests are planar in longitude/latitude, each edge taken
/// the way its longitudes run. The two agree exactly when every edge spans less
/// than 180° of longitude. An edge spanning more crosses the antimeridian (±180°)
/// the short way but runs across the map the other: a box from 179.5° to
/// −179.5° would be measured as 1° wide and clipped as 359° wide (the whole of
/// Ukraine). A ring that encircles a pole, or one drawn from −180° to 180° round
/// the whole world, has such an edge too. Such rings are refused, naming the
/// edge; the fix is to split the ring at ±180° into parts on either side, as
/// GeoJSON asks (RFC 7946 §3.1.9).
fn across_antimeridian(coords: &[Coord<f64>], at: FeatureRef<'_>, which: &str) -> Result<()> {
    for (i, w) in coords.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        if (b.x - a.x).abs() >= 180.0 {
            return Err(at.error(format!(
                "{which} crosses the antimeridian or spans 180° of longitude or more: \
                 edge {} from [{}, {}] to [{}, {}]; frontline cannot clip such a ring in \
                 longitude/latitude (split it at ±180° into parts on either side; rings \
                 round a pole or the whole world are not supported)",
                i + 1,
                a.x,
                a.y,
                b.x,
                b.y
            )));
        }
    }
    Ok(())
}

fn polygon(
    rings: Vec<Ring>,
    at: FeatureRef<'_>,
    warnings: &mut Vec<String>,
    checks: Checks,
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
    if checks == Checks::Sealed {
        return Ok(vec![polygon]);
    }
    Ok(valid(polygon, at, warnings, checks == Checks::Recalled)?.0)
}

/// The polygon itself when valid, else its repair; oriented either way.
/// `recalled`: found among the polygons this thread found simple lately, if
/// there ([`simple_and_oriented`]).
pub(crate) fn valid(
    polygon: Polygon<f64>,
    at: FeatureRef<'_>,
    warnings: &mut Vec<String>,
    recalled: bool,
) -> Result<MultiPolygon<f64>> {
    if recalled {
        if let Some(oriented) = simple_and_oriented(&polygon) {
            return Ok(MultiPolygon(vec![oriented]));
        }
    } else if is_simple(&polygon) {
        return Ok(MultiPolygon(vec![oriented(polygon)]));
    }
    // What is wrong, in geo's words; its validation builds a topology graph,
    // which panics on some broken rings ("topology position conflict", found by
    // fuzzing FlatGeobuf): then in ours, as `is_simple` found it.
    let problem =
        crate::formats::catch(|| polygon.validation_errors().first().map(ToString::to_string))
            .ok()
            .flatten()
            .unwrap_or_else(|| "rings that meet, or a hole outside its exterior".into());
    let before = polygon.geodesic_area_km2();
    let unrepaired = |why: String| {
        at.error(format!(
            "invalid polygon ({problem}) that could not be repaired: {why}"
        ))
    };
    // The repair triangulates the rings (spade), which panics on some rings of
    // far-flung spikes ("Failed to locate position", found by fuzzing places):
    // an error naming the feature, not a crash.
    let repaired = crate::formats::catch(|| polygon.make_valid())
        .map_err(|panic| {
            unrepaired(format!(
                "the repair failed ({})",
                crate::formats::panic_message(&*panic)
            ))
        })?
        .map_err(|e| unrepaired(e.to_string()))?;
    let repaired = canonical(repaired.orient(geo::orient::Direction::Default));
    warnings.push(at.warning(format!(
        "invalid polygon ({problem}); repaired it ({before:.3} km² as drawn, {:.3} km² repaired)",
        repaired.geodesic_area_km2()
    )));
    Ok(repaired)
}

/// The polygon oriented as geo's `Orient` does (exterior counter-clockwise,
/// holes clockwise) when it [`is_simple`]; `None` when it is not. From
/// [`VALIDATED`] when the same polygon, to the bit, was met lately on this
/// thread: most of a day's map is the day before's.
fn simple_and_oriented(polygon: &Polygon<f64>) -> Option<Polygon<f64>> {
    fn numbers(ring: &LineString<f64>) -> impl Iterator<Item = f64> + '_ {
        ring.0.iter().flat_map(|c| [c.x, c.y])
    }
    let rings = || std::iter::once(polygon.exterior()).chain(polygon.interiors());
    let points: usize = rings().map(|r| r.0.len()).sum();
    let mut key = Key::new();
    rings().for_each(|r| key.ring(r.0.len(), numbers(r)));
    let key = key.finish();
    let same = |met: &Polygon<f64>| {
        same_bits(numbers(met.exterior()), numbers(polygon.exterior()))
            && same_rings(
                met.interiors().iter().map(numbers),
                polygon.interiors().iter().map(numbers),
            )
    };
    if let Some(oriented) = VALIDATED.with_borrow_mut(|v| v.find(key, same)) {
        return Some(oriented);
    }
    if !is_simple(polygon) {
        return None;
    }
    let oriented = oriented(polygon.clone());
    VALIDATED.with_borrow_mut(|v| {
        if v.fits(2 * points) {
            v.keep(key, polygon.clone(), oriented.clone(), 2 * points);
        }
    });
    Some(oriented)
}

/// As geo's `Orient` (exterior counter-clockwise, holes clockwise), in place.
fn oriented(mut polygon: Polygon<f64>) -> Polygon<f64> {
    polygon.exterior_mut(|e| e.make_ccw_winding());
    polygon.interiors_mut(|holes| holes.iter_mut().for_each(|h| h.make_cw_winding()));
    polygon
}

/// Vertices (input and output) a generation of [`VALIDATED`] holds at most.
const VALIDATED_POINTS: usize = 1 << 17;

thread_local! {
    /// Polygons found simple lately on this thread, with their orientation
    /// ([`Recent`]): 72–100 % of a raw daily snapshot's vertices are in
    /// polygons drawn the same the day before.
    static VALIDATED: std::cell::RefCell<Recent<Polygon<f64>, Polygon<f64>>> =
        const { std::cell::RefCell::new(Recent::new(VALIDATED_POINTS)) };
}

/// A repair's or union's output in one form whatever the run: each ring starting
/// at its least vertex (by longitude, then latitude), holes and polygons in the
/// order of their rings. The boolean operations behind them may start a ring at
/// any vertex from one run to the next, and two reads of a file must give the
/// same polygons (and the same fingerprint).
pub(crate) fn canonical(mut area: MultiPolygon<f64>) -> MultiPolygon<f64> {
    fn vertex(p: &Coord<f64>, q: &Coord<f64>) -> std::cmp::Ordering {
        p.x.total_cmp(&q.x).then(p.y.total_cmp(&q.y))
    }
    fn order(a: &LineString<f64>, b: &LineString<f64>) -> std::cmp::Ordering {
        a.0.iter()
            .zip(&b.0)
            .map(|(p, q)| vertex(p, q))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| a.0.len().cmp(&b.0.len()))
    }
    fn rotate(ring: &mut LineString<f64>) {
        let n = ring.0.len();
        if n < 3 || ring.0[0] != ring.0[n - 1] {
            return;
        }
        let open = &ring.0[..n - 1];
        // Every start at the least vertex (a ring may pass it twice); the least
        // sequence of them.
        let mut best: Option<LineString<f64>> = None;
        let least = open.iter().min_by(|p, q| vertex(p, q)).copied();
        for k in (0..n - 1).filter(|&k| Some(open[k]) == least) {
            let mut r: Vec<Coord<f64>> = open[k..].iter().chain(&open[..k]).copied().collect();
            r.push(open[k]);
            let r = LineString(r);
            if best.as_ref().is_none_or(|b| order(&r, b).is_lt()) {
                best = Some(r);
            }
        }
        if let Some(b) = best {
            *ring = b;
        }
    }
    for polygon in &mut area.0 {
        polygon.exterior_mut(rotate);
        polygon.interiors_mut(|holes| {
            holes.iter_mut().for_each(rotate);
            holes.sort_by(order);
        });
    }
    area.0.sort_by(|a, b| order(a.exterior(), b.exterior()));
    area
}

/// A segment, the `index`-th of ring `ring`, which has `len`.
#[derive(Clone, Copy)]
struct Segment {
    line: Line<f64>,
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

    fn y_range(&self) -> (f64, f64) {
        let (a, b) = (self.line.start.y, self.line.end.y);
        (a.min(b), a.max(b))
    }
}

/// A segment in the sweep: what the scan over the active ones compares, kept
/// together so that it reads one small array.
#[derive(Clone, Copy)]
struct Active {
    max_x: f64,
    min_y: f64,
    max_y: f64,
    segment: usize,
}

/// Whether a polygon is valid for our purposes: no ring touches or crosses itself
/// or another ring, except consecutive segments at their shared vertex, and every
/// hole lies inside the exterior and outside the other holes. Stricter than OGC (a
/// hole touching the exterior at one point fails here); such polygons are
/// repaired, which keeps their area.
///
/// geo's `Validation` tests every pair of segments (seconds on an oblast); this is
/// a sweep (see [`rings_meet`]) that on real outlines compares each segment with a
/// handful of others.
pub(crate) fn is_simple(polygon: &Polygon<f64>) -> bool {
    let rings: Vec<&LineString<f64>> = std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .collect();
    if rings_meet(&rings) {
        return false;
    }
    // Rings do not meet, so one vertex tells on which side of another ring a ring lies.
    let holes = polygon.interiors();
    holes.iter().enumerate().all(|(i, hole)| {
        let vertex = hole.0[0];
        inside(vertex, polygon.exterior())
            && !holes.iter().enumerate().any(|(j, other)| {
                i != j
                    && other
                        .bounding_rect()
                        .zip(hole.bounding_rect())
                        .is_some_and(|(o, h)| o.min().x <= h.min().x && o.max().x >= h.max().x)
                    && inside(vertex, other)
            })
    })
}

/// Whether the parts of a multi-part geometry, each one valid, are disjoint: no
/// boundary meets another and no part lies inside another (nor in a hole's
/// island). Then their union is the parts themselves, and need not be computed.
pub(crate) fn disjoint(parts: &[Polygon<f64>]) -> bool {
    let rings: Vec<&LineString<f64>> = parts
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .collect();
    if rings_meet(&rings) {
        return false;
    }
    let Some(boxes) = parts
        .iter()
        .map(BoundingRect::bounding_rect)
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    // Boundaries do not meet: one vertex of a part is inside another or not at all.
    let within = |a: &Polygon<f64>, b: &Polygon<f64>| {
        a.exterior().0.first().is_some_and(|&v| {
            inside(v, b.exterior()) && b.interiors().iter().all(|h| !inside(v, h))
        })
    };
    (0..parts.len()).all(|i| {
        (i + 1..parts.len()).all(|j| {
            let (a, b) = (boxes[i], boxes[j]);
            let overlap = a.min().x <= b.max().x
                && b.min().x <= a.max().x
                && a.min().y <= b.max().y
                && b.min().y <= a.max().y;
            !overlap || !(within(&parts[i], &parts[j]) || within(&parts[j], &parts[i]))
        })
    })
}

/// The union of a feature's overlapping parts (each one valid), refused with a
/// reason where the boolean operation fails rather than trusted: i_overlay
/// checks its own invariants in debug builds (fuzzed places broke one,
/// `tests/fuzz/*-union-invariant.*`), and in any build the union's area must lie
/// between its largest part's and all parts' together ([`union_in_bounds`]).
pub(crate) fn union(parts: &[Polygon<f64>], at: FeatureRef<'_>) -> Result<MultiPolygon<f64>> {
    let failed = |why: &str| {
        at.error(format!(
            "its overlapping parts could not be combined into one area ({why})"
        ))
    };
    let union = crate::formats::catch(|| canonical(geo::unary_union(parts))).map_err(|panic| {
        failed(&format!(
            "the boolean operation failed: {}",
            crate::formats::panic_message(&*panic)
        ))
    })?;
    let parts: Vec<f64> = parts.iter().map(Area::unsigned_area).collect();
    union_in_bounds(union.unsigned_area(), &parts).map_err(|why| failed(&why))?;
    Ok(union)
}

/// Whether a union's area lies between its largest part's and the sum of its
/// parts', all planar in degrees² as the overlay computes them (geodesic areas
/// differ where the overlay's new vertices lie on straight lines in
/// longitude/latitude, not on the geodesics), with 10⁻⁶ of the sum for the
/// overlay's snapping of vertices to its grid: a broken union is far outside.
fn union_in_bounds(union: f64, parts: &[f64]) -> std::result::Result<(), String> {
    let largest = parts.iter().copied().fold(0.0, f64::max);
    let all: f64 = parts.iter().sum();
    let slack = 1e-6 * all;
    if union >= largest - slack && union <= all + slack {
        Ok(())
    } else {
        Err(format!(
            "the union covers {:.6} % of its parts' area, where its largest part alone is {:.6} %",
            100.0 * union / all,
            100.0 * largest / all
        ))
    }
}

/// Whether `c` is strictly inside the closed ring.
fn inside(c: Coord<f64>, ring: &LineString<f64>) -> bool {
    coord_pos_relative_to_ring(c, ring) == CoordPos::Inside
}

/// Whether any two segments of `rings` meet, besides consecutive segments of one
/// ring at their shared vertex (which may not run back over each other either).
///
/// A sweep by west edge, in horizontal bands: two segments that meet do so in a
/// band that both reach, so each band is swept alone, and the segments a
/// north-south line crosses in one band are few (a whole outline's are not: a
/// river boundary crosses it dozens of times). ~10 ns per segment.
fn rings_meet(rings: &[&LineString<f64>]) -> bool {
    let mut segments: Vec<Segment> =
        Vec::with_capacity(rings.iter().map(|r| r.0.len()).sum::<usize>());
    for (ring, r) in rings.iter().enumerate() {
        let len = r.0.len().saturating_sub(1);
        let start = segments.len();
        segments.extend(r.lines().enumerate().map(|(index, line)| Segment {
            line,
            ring,
            index,
            len,
        }));
        // Consecutive segments share a vertex; they may not run back over each other.
        let own = &segments[start..];
        for (i, a) in own.iter().enumerate() {
            let b = &own[(i + 1) % own.len()];
            if len > 1 && doubles_back(a.line.start, a.line.end, b.line.end) {
                return true;
            }
        }
    }
    let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
    for s in &segments {
        let (lo, hi) = s.y_range();
        y0 = y0.min(lo);
        y1 = y1.max(hi);
    }
    // Bands of ~8 segments each, sorted in a few comparisons; fewer bands when
    // long segments would each span many.
    let mut bands = (segments.len() / 8).max(1);
    let mut span: Vec<(usize, usize)> = Vec::with_capacity(segments.len());
    let spans = |bands: usize, span: &mut Vec<(usize, usize)>| {
        // A multiplication, monotonic as a division is and quicker.
        let scale = bands as f64 / (y1 - y0);
        let band = |y: f64| {
            if scale.is_finite() {
                (((y - y0) * scale) as usize).min(bands - 1)
            } else {
                0
            }
        };
        span.clear();
        span.extend(segments.iter().map(|s| {
            let (lo, hi) = s.y_range();
            (band(lo), band(hi))
        }));
        span.iter().map(|(a, b)| b - a + 1).sum::<usize>()
    };
    let mut entries = spans(bands, &mut span);
    while entries > 2 * segments.len() && bands > 1 {
        bands = (bands as f64).sqrt() as usize;
        entries = spans(bands, &mut span);
    }
    // Counting sort into bands, then each band by west edge.
    let mut starts = vec![0usize; bands + 1];
    for &(a, b) in &span {
        starts[a..=b].iter_mut().for_each(|n| *n += 1);
    }
    let mut at = 0;
    for n in starts.iter_mut() {
        (*n, at) = (at, at + *n);
    }
    // Each segment's west edge goes with it: sorting then reads no segment.
    let mut order = vec![(0.0, 0usize); entries];
    let mut next = starts.clone();
    for (i, (s, &(a, b))) in segments.iter().zip(&span).enumerate() {
        let x = s.line.start.x.min(s.line.end.x);
        for n in &mut next[a..=b] {
            order[*n] = (x, i);
            *n += 1;
        }
    }
    (0..bands).any(|b| sweep(&segments, &mut order[starts[b]..starts[b + 1]]))
}

/// Whether two of the segments `band` lists (with their west edges) meet (see
/// [`rings_meet`]); sorts it.
fn sweep(segments: &[Segment], band: &mut [(f64, usize)]) -> bool {
    // Stable sort: it runs along the stretches already in order, which a ring's
    // segments in one band mostly are.
    band.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut active: Vec<Active> = Vec::new();
    for &(x, i) in band.iter() {
        let s = &segments[i];
        let (min_y, max_y) = s.y_range();
        // One pass drops the segments the sweep has left and compares the others.
        let mut k = 0;
        while k < active.len() {
            let a = active[k];
            if a.max_x < x {
                active.swap_remove(k);
                continue;
            }
            if a.max_y >= min_y && max_y >= a.min_y {
                let o = &segments[a.segment];
                if !s.adjacent(o) && line_intersection(s.line, o.line).is_some() {
                    return true;
                }
            }
            k += 1;
        }
        active.push(Active {
            max_x: s.line.start.x.max(s.line.end.x),
            min_y,
            max_y,
            segment: i,
        });
    }
    false
}

/// Whether the path a → v → b turns back on itself at v (the two segments overlap).
fn doubles_back(a: Coord<f64>, v: Coord<f64>, b: Coord<f64>) -> bool {
    // The cheap test first: a path mostly goes on, not back.
    (a.x - v.x) * (b.x - v.x) + (a.y - v.y) * (b.y - v.y) > 0.0
        && RobustKernel::orient2d(a, v, b) == Orientation::Collinear
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A union is accepted between its largest part and all parts together,
    /// with a millionth of the sum for snapping, and refused outside (or NaN).
    #[test]
    fn a_union_must_lie_between_its_largest_part_and_all_parts() {
        let parts = [4.0, 3.0, 1.0];
        for ok in [4.0, 4.0 - 7e-6, 6.5, 8.0, 8.0 + 7e-6] {
            assert!(union_in_bounds(ok, &parts).is_ok(), "{ok}");
        }
        for wrong in [3.99, 8.01, 0.0, f64::NAN] {
            let why = union_in_bounds(wrong, &parts).unwrap_err();
            assert!(why.contains("% of its parts' area"), "{why}");
        }
    }
    use serde_json::json;

    fn read(geometry: serde_json::Value) -> (Result<Parts>, Vec<String>) {
        read_with(geometry, Checks::Each)
    }

    fn read_with(geometry: serde_json::Value, checks: Checks) -> (Result<Parts>, Vec<String>) {
        let g: crate::formats::json::GeometryJson = serde_json::from_value(geometry).unwrap();
        let mut warnings = Vec::new();
        let at = FeatureRef {
            path: Path::new("t.geojson"),
            index: 7,
            name: Some("x"),
        };
        (parts(g.0, at, &mut warnings, checks), warnings)
    }

    #[test]
    fn refuses_rings_across_the_antimeridian_or_round_the_world() {
        for ring in [
            // 1° × 2° at 47-49° N from 179.5° to -179.5°.
            json!([
                [179.5, 47],
                [-179.5, 47],
                [-179.5, 49],
                [179.5, 49],
                [179.5, 47]
            ]),
            // The whole world.
            json!([[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]),
            // Round the north pole.
            json!([[0, 80], [120, 80], [-120, 80], [0, 80]]),
            // An edge of exactly 180°: which way round is anyone's guess.
            json!([[-90, 10], [90, 10], [90, 20], [-90, 10]]),
        ] {
            let (p, _) = read(json!({"type": "Polygon", "coordinates": [ring]}));
            let err = p.unwrap_err().to_string();
            assert!(
                err.contains("t.geojson") && err.contains("antimeridian") && err.contains("x"),
                "{err}"
            );
        }
        // A hole too; and a ring wider than 180° whose every edge is shorter is fine.
        let (p, _) = read(json!({"type": "Polygon", "coordinates": [
            [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
            [[1, 1], [1, 2], [-179, 2], [1, 1]]]}));
        assert!(p.unwrap_err().to_string().contains("hole 1"));
        let (p, _) = read(json!({"type": "Polygon", "coordinates":
            [[[-100, 0], [0, 0], [100, 0], [100, 10], [0, 10], [-100, 10], [-100, 0]]]}));
        assert_eq!(p.unwrap().polygons.len(), 1);
    }

    /// Polygons met again are the polygons of their input: oriented the same,
    /// to the bit; a broken one is repaired, with its warning, every time it
    /// comes; a polygon moved by an ulp is checked again (and refused here).
    #[test]
    fn polygons_met_again_are_validated_as_their_input() {
        std::thread::spawn(|| {
            let clockwise = json!({"type": "Polygon", "coordinates":
                [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]});
            // Regions and places (read once) are checked each on their own.
            let once = read(clockwise.clone());
            assert_eq!(VALIDATED.with_borrow(|v| v.kept()), 0);
            let first = read_with(clockwise.clone(), Checks::Recalled);
            let kept = VALIDATED.with_borrow(|v| v.kept());
            assert!(kept > 0);
            let again = read_with(clockwise, Checks::Recalled);
            let (a, b) = (first.0.unwrap().polygons, again.0.unwrap().polygons);
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            assert_eq!(format!("{:?}", once.0.unwrap().polygons), format!("{b:?}"));
            assert_eq!(geo::Area::signed_area(&b[0]), 1.0);
            assert!(again.1.is_empty());
            let bow_tie = json!({"type": "Polygon", "coordinates":
                [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]});
            for _ in 0..2 {
                let (p, w) = read_with(bow_tie.clone(), Checks::Recalled);
                assert_eq!(p.unwrap().polygons.len(), 2);
                assert!(w.iter().any(|w| w.contains("repaired")), "{w:?}");
            }
            // A hole a least float above the exterior's edge is valid; one ulp
            // lower it touches the edge, and is repaired though its twin was met.
            let hole = |y: f64| {
                json!({"type": "Polygon", "coordinates": [
                [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]],
                [[0.5, y], [0.3, 0.5], [0.7, 0.5], [0.5, y]]]})
            };
            let least = f64::from_bits(1);
            for _ in 0..2 {
                let (p, w) = read_with(hole(least), Checks::Recalled);
                assert!(p.is_ok() && w.is_empty(), "{w:?}");
            }
            let (p, w) = read_with(hole(least.next_down()), Checks::Recalled);
            assert!(
                p.is_ok() && w.iter().any(|w| w.contains("repaired")),
                "{w:?}"
            );
        })
        .join()
        .unwrap();
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
                segments.push(S(Segment {
                    line,
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
    fn banded_sweep_agrees_with_the_sweep_on_large_rings() {
        // Star-shaped rings (simple), then with two vertices swapped (often not):
        // hundreds of segments, so many bands.
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % 1_000_000) as f64 / 1_000_000.0
        };
        let (mut simple, mut not) = (0, 0);
        for _ in 0..300 {
            let n = 50 + (next() * 400.0) as usize;
            let mut coords: Vec<Coord<f64>> = (0..n)
                .map(|i| {
                    let a = i as f64 / n as f64 * std::f64::consts::TAU;
                    let r = 1.0 + next();
                    Coord {
                        x: 37.0 + r * a.cos(),
                        y: 48.0 + r * a.sin(),
                    }
                })
                .collect();
            if next() < 0.5 {
                let (i, j) = ((next() * n as f64) as usize, (next() * n as f64) as usize);
                coords.swap(i.min(n - 1), j.min(n - 1));
            }
            let p = Polygon::new(LineString(coords), vec![]);
            let expected = is_simple_by_sweep(&p);
            assert_eq!(is_simple(&p), expected, "{p:?}");
            if expected { simple += 1 } else { not += 1 }
        }
        assert!(simple > 100 && not > 50, "{simple} {not}");
    }

    #[test]
    fn canonical_form_does_not_depend_on_where_rings_start() {
        let ring = |pts: &[(f64, f64)]| LineString::from(pts.to_vec());
        let square = [(1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0), (1.0, 0.0)];
        let other = [(0.0, 1.0), (0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
        let far = [(5.0, 5.0), (6.0, 5.0), (6.0, 6.0), (5.0, 5.0)];
        let a = canonical(MultiPolygon(vec![
            Polygon::new(ring(&far), vec![]),
            Polygon::new(ring(&square), vec![]),
        ]));
        let b = canonical(MultiPolygon(vec![
            Polygon::new(ring(&other), vec![]),
            Polygon::new(ring(&far), vec![]),
        ]));
        assert_eq!(a, b);
        assert_eq!(a.0[0].exterior().0[0], Coord { x: 0.0, y: 0.0 });
        assert_eq!(a.0[0].exterior().0.len(), 5);
        // A ring through its least vertex twice starts where the rest is least.
        let twice = [(0.0, 0.0), (2.0, 1.0), (0.0, 0.0), (1.0, 2.0), (0.0, 0.0)];
        let p = canonical(MultiPolygon(vec![Polygon::new(ring(&twice), vec![])]));
        assert_eq!(p.0[0].exterior().0[1], Coord { x: 1.0, y: 2.0 });
    }

    #[test]
    fn disjoint_parts_need_no_union() {
        use geo::polygon;
        let square = |x: f64, y: f64, s: f64| polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)];
        let framed = polygon![
            exterior: [(x: 0., y: 0.), (x: 9., y: 0.), (x: 9., y: 9.), (x: 0., y: 9.)],
            interiors: [[(x: 2., y: 2.), (x: 2., y: 7.), (x: 7., y: 7.), (x: 7., y: 2.)]],
        ];
        assert!(disjoint(&[square(0., 0., 1.), square(2., 0., 1.)]));
        // An island in a hole.
        assert!(disjoint(&[framed.clone(), square(3., 3., 1.)]));
        assert!(
            !disjoint(&[square(0., 0., 1.), square(1., 0., 1.)]),
            "touching"
        );
        assert!(
            !disjoint(&[square(0., 0., 2.), square(1., 1., 2.)]),
            "overlapping"
        );
        assert!(
            !disjoint(&[square(0., 0., 3.), square(1., 1., 1.)]),
            "nested"
        );
        assert!(!disjoint(&[square(1., 1., 1.), framed]), "inside the frame");
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
