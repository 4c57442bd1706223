//! Geodesic nearest-segment search.
//!
//! Segments are straight in longitude/latitude (as geo and GEOS draw polygon
//! edges). They are indexed in 3-D by the unit normal vectors of their ends, so
//! that the R-tree's Euclidean bounds are bounds on the ellipsoid too: the
//! geodesic distance between two points is at least `M_MIN` times the chord
//! between their normals, because a unit normal turns at most by the largest
//! principal curvature `1 / M_MIN` per metre along any curve on the ellipsoid.
//! Candidates come out nearest bound first; each is measured exactly and the
//! search stops when the next bound exceeds the best distance found.

use geo::{Coord, LineString};
use geographiclib_rs::InverseGeodesic;
use rstar::{AABB, PointDistance, RTree, RTreeObject};

use super::WGS84;

/// WGS84 meridional radius of curvature at the equator, a(1 − e²): the smallest
/// radius of curvature of the ellipsoid, in metres.
pub(crate) const M_MIN: f64 = 6_335_439.327;
const A: f64 = 6_378_137.0;
const E2: f64 = 0.006_694_379_990_141_317;

/// A segment between two lon/lat positions, with its 3-D envelope and a tag.
#[derive(Clone, Debug)]
pub(crate) struct Segment {
    pub a: Coord<f64>,
    pub b: Coord<f64>,
    pub tag: u32,
    env: AABB<[f64; 3]>,
}

/// `env` widened by `r` on every axis.
pub(crate) fn widen(env: &AABB<[f64; 3]>, r: f64) -> AABB<[f64; 3]> {
    let (lo, hi) = (env.lower(), env.upper());
    AABB::from_corners([0, 1, 2].map(|i| lo[i] - r), [0, 1, 2].map(|i| hi[i] + r))
}

/// The unit normal of the ellipsoid at a lon/lat position (degrees).
pub(crate) fn normal(c: Coord<f64>) -> [f64; 3] {
    let (lat, lon) = (c.y.to_radians(), c.x.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

impl Segment {
    pub fn new(a: Coord<f64>, b: Coord<f64>, tag: u32) -> Segment {
        let (na, nb) = (normal(a), normal(b));
        // The segment is straight in lon/lat, so on the unit sphere it bows away
        // from the chord by at most |second derivative| / 8 ≤ (|Δφ| + |Δλ|)² / 8.
        let span = (b.y - a.y).abs().to_radians() + (b.x - a.x).abs().to_radians();
        let pad = span * span / 8.0 + 1e-12;
        let lo = [0, 1, 2].map(|i| na[i].min(nb[i]) - pad);
        let hi = [0, 1, 2].map(|i| na[i].max(nb[i]) + pad);
        Segment {
            a,
            b,
            tag,
            env: AABB::from_corners(lo, hi),
        }
    }

    /// The point of the segment nearest `q`, found in the tangent plane at `q`
    /// (an affine image of lon/lat, so the segment stays straight), and its exact
    /// geodesic distance in metres.
    pub fn nearest(&self, q: Coord<f64>) -> (f64, Coord<f64>) {
        let (_, p) = self.foot(q);
        (geodesic_m(q, p), p)
    }

    /// The foot of the perpendicular from `q` in the tangent plane at `q`, and
    /// its distance in that plane (metres): within a fraction of a per mille of
    /// the geodesic distance at the few kilometres it is used for.
    fn foot(&self, q: Coord<f64>) -> (f64, Coord<f64>) {
        let lat = q.y.to_radians();
        let w = (1.0 - E2 * lat.sin().powi(2)).sqrt();
        // Metres per radian east (N cos φ) and north (M).
        let kx = A / w * lat.cos();
        let ky = A * (1.0 - E2) / (w * w * w);
        let plane = |c: Coord<f64>| {
            let dlon = wrap(c.x - q.x);
            (dlon.to_radians() * kx, (c.y - q.y).to_radians() * ky)
        };
        let (ax, ay) = plane(self.a);
        let (bx, by) = plane(self.b);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let p = Coord {
            x: self.a.x + t * (self.b.x - self.a.x),
            y: self.a.y + t * (self.b.y - self.a.y),
        };
        let (px, py) = (ax + t * dx, ay + t * dy);
        (px.hypot(py), p)
    }
}

/// Longitude difference folded into [-180, 180].
fn wrap(d: f64) -> f64 {
    if d > 180.0 {
        d - 360.0
    } else if d < -180.0 {
        d + 360.0
    } else {
        d
    }
}

/// Geodesic distance in metres between two lon/lat positions (GeographicLib).
pub(crate) fn geodesic_m(p: Coord<f64>, q: Coord<f64>) -> f64 {
    InverseGeodesic::<f64>::inverse(&*WGS84, p.y, p.x, q.y, q.x)
}

impl RTreeObject for Segment {
    type Envelope = AABB<[f64; 3]>;
    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

impl PointDistance for Segment {
    /// The envelope's distance: a lower bound, refined by [`Segment::nearest`].
    fn distance_2(&self, point: &[f64; 3]) -> f64 {
        self.env.distance_2(point)
    }
}

/// An R-tree of segments answering geodesic nearest-point queries.
#[derive(Clone, Debug, Default)]
pub(crate) struct SegmentIndex {
    tree: RTree<Segment>,
}

/// What a nearest search found: distance in metres, the point, the segment's tag.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Hit {
    pub metres: f64,
    pub point: Coord<f64>,
    pub tag: u32,
}

impl SegmentIndex {
    pub fn bulk_load(segments: Vec<Segment>) -> SegmentIndex {
        SegmentIndex {
            tree: RTree::bulk_load(segments),
        }
    }

    /// Segments of every ring or line, each tagged with `tag`.
    pub fn segments_of<'a>(
        lines: impl IntoIterator<Item = &'a LineString<f64>>,
        tag: u32,
        out: &mut Vec<Segment>,
    ) {
        for line in lines {
            for w in line.0.windows(2) {
                out.push(Segment::new(w[0], w[1], tag));
            }
        }
    }

    /// The segments whose envelopes meet `env` (a box of unit normals).
    pub fn segments_meeting<'a>(
        &'a self,
        env: &AABB<[f64; 3]>,
    ) -> impl Iterator<Item = &'a Segment> + 'a {
        self.tree.locate_in_envelope_intersecting(env)
    }

    /// The nearest point of any segment; `None` when there are none.
    pub fn nearest(&self, q: Coord<f64>) -> Option<Hit> {
        self.nearest_within(q, f64::INFINITY)
    }

    /// Whether some segment may come within `limit` metres of the segment `seg`:
    /// `false` proves that none does (their envelopes, widened by the chord that
    /// `limit` metres can span, do not meet); `true` only says "look closer".
    pub fn may_come_within(&self, seg: &Segment, limit: f64) -> bool {
        let wide = widen(&seg.env, limit / M_MIN + 1e-12);
        self.tree
            .locate_in_envelope_intersecting(&wide)
            .next()
            .is_some()
    }

    /// The nearest point of any segment if it is at most `limit` metres away.
    pub fn nearest_within(&self, q: Coord<f64>, limit: f64) -> Option<Hit> {
        if limit.is_finite() {
            return self.nearest_in_box(q, limit);
        }
        let mut best: Option<Hit> = None;
        let mut bound = limit;
        for (seg, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&normal(q)) {
            if M_MIN * d2.sqrt() > bound {
                break;
            }
            let (metres, point) = seg.nearest(q);
            if metres <= bound && best.is_none_or(|b| metres < b.metres) {
                bound = metres;
                best = Some(Hit {
                    metres,
                    point,
                    tag: seg.tag,
                });
            }
        }
        best
    }
}

impl SegmentIndex {
    /// Whether some segment's nearest point (as [`nearest`](Self::nearest) finds
    /// it) is at most `limit` metres from `q`: the same answer as
    /// `nearest_within(q, limit).is_some()`, but the exact geodesic is computed
    /// only when the tangent-plane distance is within 1 % of the limit.
    pub fn any_within(&self, q: Coord<f64>, limit: f64) -> bool {
        let n = normal(q);
        let r = limit / M_MIN + 1e-12;
        let reach = AABB::from_corners(n.map(|v| v - r), n.map(|v| v + r));
        self.tree
            .locate_in_envelope_intersecting(&reach)
            .any(|seg| {
                let (plane, p) = seg.foot(q);
                plane <= 0.99 * limit || (plane <= 1.01 * limit && geodesic_m(q, p) <= limit)
            })
    }

    /// [`nearest_within`](Self::nearest_within) for a finite limit: only the
    /// segments whose envelopes meet the box of normals that `limit` metres can
    /// reach are measured (a box query, no priority queue).
    fn nearest_in_box(&self, q: Coord<f64>, limit: f64) -> Option<Hit> {
        let n = normal(q);
        let r = limit / M_MIN + 1e-12;
        let reach = AABB::from_corners(n.map(|v| v - r), n.map(|v| v + r));
        let mut best: Option<Hit> = None;
        for seg in self.tree.locate_in_envelope_intersecting(&reach) {
            let (metres, point) = seg.nearest(q);
            if metres <= limit && best.is_none_or(|b| metres < b.metres) {
                best = Some(Hit {
                    metres,
                    point,
                    tag: seg.tag,
                });
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::coord;

    #[test]
    fn box_queries_answer_as_the_nearest_neighbour_search() {
        // A ragged ring of 400 short edges; random points near it.
        let mut state = 99u64;
        let mut rnd = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let ring: LineString<f64> = (0..=400)
            .map(|i| {
                let a = (i % 400) as f64 / 400.0 * std::f64::consts::TAU;
                let r = 0.05 + 0.01 * ((i * 7919) % 13) as f64 / 13.0;
                (37.0 + r * a.cos(), 48.0 + r * a.sin())
            })
            .collect();
        let mut segs = Vec::new();
        SegmentIndex::segments_of([&ring], 0, &mut segs);
        let index = SegmentIndex::bulk_load(segs.clone());
        for _ in 0..2_000 {
            let q = coord!(x: 36.9 + 0.2 * rnd(), y: 47.9 + 0.2 * rnd());
            let exact = index.nearest(q).unwrap();
            for limit in [0.5, 100.0, 700.0, 2_000.0] {
                let boxed = index.nearest_within(q, limit);
                assert_eq!(boxed.is_some(), exact.metres <= limit, "{q:?} {limit}");
                if let Some(hit) = boxed {
                    assert!((hit.metres - exact.metres).abs() < 1e-9);
                }
                assert_eq!(
                    index.any_within(q, limit),
                    exact.metres <= limit,
                    "{q:?} {limit}"
                );
            }
            // A segment whose envelope says "out of reach" is out of reach.
            let probe = Segment::new(q, coord!(x: q.x + 0.001, y: q.y), 0);
            if !index.may_come_within(&probe, 300.0) {
                assert!(exact.metres > 300.0);
            }
        }
    }

    #[test]
    fn nearest_matches_a_brute_force_scan_of_dense_points() {
        let ring = LineString::from(vec![
            (37.0, 48.0),
            (37.5, 48.1),
            (37.9, 48.6),
            (37.2, 48.9),
            (37.0, 48.0),
        ]);
        let mut segs = Vec::new();
        SegmentIndex::segments_of([&ring], 7, &mut segs);
        let index = SegmentIndex::bulk_load(segs.clone());
        for q in [
            coord!(x: 36.0, y: 47.0),
            coord!(x: 37.4, y: 48.5),
            coord!(x: 40.0, y: 50.0),
        ] {
            let hit = index.nearest(q).unwrap();
            // Brute force: 2,000 points along every segment.
            let brute = segs
                .iter()
                .flat_map(|s| {
                    (0..=2000).map(move |i| {
                        let t = i as f64 / 2000.0;
                        coord!(x: s.a.x + t * (s.b.x - s.a.x), y: s.a.y + t * (s.b.y - s.a.y))
                    })
                })
                .map(|p| geodesic_m(q, p))
                .fold(f64::INFINITY, f64::min);
            assert_eq!(hit.tag, 7);
            // The tangent-plane foot of the perpendicular is within centimetres of
            // the true nearest point at tens of km.
            assert!(hit.metres <= brute + 0.05, "{} > {brute}", hit.metres);
            assert!(brute - hit.metres < 30.0, "{} vs {brute}", hit.metres);
            assert!((geodesic_m(q, hit.point) - hit.metres).abs() < 1e-6);
        }
        assert!(
            index
                .nearest_within(coord!(x: 30.0, y: 48.0), 1000.0)
                .is_none()
        );
        assert!(
            SegmentIndex::default()
                .nearest(coord!(x: 0.0, y: 0.0))
                .is_none()
        );
    }
}
