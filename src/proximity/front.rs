//! The front line: where occupied-or-contested ground meets ground that Ukraine
//! holds.
//!
//! The front is a part of the boundary of occupied and contested ground. Where
//! that ground meets the sea or a foreign country, its boundary is a coast or a
//! state border, not front, however the zone file and the area of interest (the
//! country's outline) were digitised. So a piece of the boundary is front only
//! where the ground beyond it, on the side away from the occupied or contested
//! ground, is ground Ukraine holds: not occupied or contested, inside the area of
//! interest, and farther than the tolerance from its outline (see
//! [`Front::derive`] for the exact rule). Beyond a coast the probe falls in the
//! sea, outside the outline; beyond a border, in the neighbouring country; beside
//! a strip of unmarked land between the zone file's coast and the outline's
//! narrower than about twice the tolerance, within the tolerance of the outline.
//! Earlier versions asked only that the edge itself be farther than the tolerance
//! from the outline, which let such a strip on the Azov coast through as 40 km of
//! "front" along the shore at Mariupol with the default 1 km.

use std::sync::{Arc, OnceLock};

use geo::{Coord, LineString, MultiLineString, MultiPolygon, Point, Winding};

use super::distance::{Segment, SegmentIndex, geodesic_m};
use super::index::PolygonGrid;
use super::{Nearest, ProximityIndex, check_point};
use crate::model::{Snapshot, Status};
use crate::{Error, Result};

/// Edges are cut into pieces no longer than this before they are classified, so
/// that a long edge running partly along the border is not kept or dropped whole.
const PIECE_M: f64 = 250.0;
/// Two layers' edges closer than this are one shared edge (the boolean operations
/// that resolved the layers leave them equal up to rounding).
const SHARED_M: f64 = 1.0;
/// Held ground this close beyond an edge makes it the side of a digitising gap
/// (DeepState draws neighbouring polygons apart by metres), not front. Fixed, not
/// the tolerance: a wider probe would also drop real front facing a narrow
/// salient, and more of it the larger the tolerance.
const GAP_M: f64 = 100.0;

/// How to derive a [`Front`].
///
/// The area of interest is prepared (indexed) on first use and the preparation is
/// kept, so that options reused for many snapshots pay for it once.
///
/// ```
/// use frontline::proximity::FrontOptions;
/// let options = FrontOptions::default().tolerance_m(2_000.0);
/// assert_eq!(options.tolerance(), 2_000.0);
/// assert!(options.aoi().is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct FrontOptions {
    aoi: Option<MultiPolygon<f64>>,
    tolerance: f64,
    /// The area of interest, prepared; `None` inside when it has no area.
    prepared: OnceLock<Option<Arc<Outline>>>,
}

impl FrontOptions {
    /// The same options with an area of interest (e.g. Ukraine's outline): only
    /// what lies inside it, farther than the tolerance from its outline, and faces
    /// ground inside it is front. Without one, every edge not facing occupied or
    /// contested ground is.
    pub fn within(mut self, aoi: MultiPolygon<f64>) -> FrontOptions {
        self.aoi = Some(aoi);
        self.prepared = OnceLock::new();
        self
    }

    /// The same options with a tolerance in metres: edges this close to the
    /// outline run along it, and so does ground beyond an edge this close to it
    /// (digitising slivers between the zone file's coast or border and the
    /// outline's).
    pub fn tolerance_m(mut self, metres: f64) -> FrontOptions {
        self.tolerance = metres;
        self
    }

    /// The area of interest, if any.
    pub fn aoi(&self) -> Option<&MultiPolygon<f64>> {
        self.aoi.as_ref()
    }

    /// The tolerance along the outline, metres.
    pub fn tolerance(&self) -> f64 {
        self.tolerance
    }

    /// The prepared area of interest: `Ok(None)` without one, an error when it
    /// has no area.
    fn outline(&self) -> Result<Option<Arc<Outline>>> {
        let Some(aoi) = &self.aoi else {
            return Ok(None);
        };
        match self
            .prepared
            .get_or_init(|| Outline::new(aoi).map(Arc::new))
        {
            Some(o) => Ok(Some(Arc::clone(o))),
            None => Err(Error::Invalid("the area of interest has no area".into())),
        }
    }
}

/// The front line of a snapshot: the boundary of occupied-or-contested ground
/// where it faces ground Ukraine holds (leaving out coasts and borders: see
/// [`Front::derive`]), and the two edges of the grey zone. Lengths are geodesic on
/// WGS84.
///
/// ```
/// use frontline::{proximity::{Front, FrontOptions}, Snapshot, Status, Zone};
/// use geo::{point, polygon, MultiPolygon};
/// let rect = |x0: f64, x1: f64| MultiPolygon(vec![polygon![
///     (x: x0, y: 48.0), (x: x1, y: 48.0), (x: x1, y: 49.0), (x: x0, y: 49.0)]]);
/// // Occupied east of 38°, a grey band 37.9°-38°, in an outline that follows
/// // the occupied ground's north, east and south edges.
/// let snap = Snapshot::new(None, vec![
///     Zone::new(Status::OCCUPIED, rect(38.0, 39.0)),
///     Zone::new(Status::CONTESTED, rect(37.9, 38.0)),
/// ]);
/// let aoi = rect(36.0, 39.0);
/// let front = Front::derive(&snap, &FrontOptions::default().within(aoi).tolerance_m(1_000.0))?;
/// // The band's west edge, one degree of latitude (111.2 km) less the kilometre
/// // or so at each end that is within the tolerance of the outline.
/// assert!(front.length_km() > 108.5 && front.length_km() < 109.5, "{}", front.length_km());
/// // Where grey meets occupied: the meridian 38°, likewise.
/// assert!((front.grey_occupied_km() - front.length_km()).abs() < 0.1);
/// let near = front.nearest(point!(x: 37.0, y: 48.5))?.unwrap();
/// assert!((near.point.x() - 37.9).abs() < 1e-9);
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Front {
    line: MultiLineString<f64>,
    grey_occupied: MultiLineString<f64>,
    grey_rest: MultiLineString<f64>,
    length_km: f64,
    grey_occupied_km: f64,
    grey_rest_km: f64,
    /// The line's segments, indexed on the first distance asked for: deriving a
    /// front to print or export it never needs them.
    index: OnceLock<SegmentIndex>,
}

/// A piece of a layer's edge.
#[derive(Clone, Copy, Debug)]
struct Piece {
    a: Coord<f64>,
    b: Coord<f64>,
}

/// One ring of a layer, with the side its ground lies on.
struct Ring<'a> {
    line: &'a LineString<f64>,
    /// The layer's ground is on the left of the ring's direction (a
    /// counter-clockwise exterior, a clockwise hole).
    ground_left: bool,
}

/// The rings of a layer, each with its ground's side, found from the ring's own
/// winding so that nothing hangs on how the layer was oriented.
fn rings_of<'a>(snapshot: &'a Snapshot, status: &Status) -> Vec<Ring<'a>> {
    snapshot
        .layer(status)
        .map(|l| {
            l.geometry()
                .0
                .iter()
                .flat_map(|p| {
                    std::iter::once(Ring {
                        line: p.exterior(),
                        ground_left: p.exterior().is_ccw(),
                    })
                    .chain(p.interiors().iter().map(|h| Ring {
                        line: h,
                        ground_left: !h.is_ccw(),
                    }))
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Front {
    /// Derives the front of `snapshot` (occupied and contested ground against the
    /// ground Ukraine holds). An error for a negative or non-finite tolerance or an
    /// area of interest without area.
    ///
    /// Edges are cut into pieces of at most 250 m. A piece is front when
    /// 1. it is not shared with the other layer (its middle within 1 m of the
    ///    other layer's edges): that is where grey meets occupied;
    /// 2. both its ends are inside the area of interest and farther than the
    ///    tolerance from its outline;
    /// 3. the ground beyond it is ground Ukraine holds. Square to the piece, on the
    ///    side away from its own layer (found from each ring's winding), the point
    ///    100 m from its middle is neither occupied nor contested (else the piece
    ///    faces a digitising gap between two polygons of the zone file), and the
    ///    point at the tolerance (at least 1 m) lies inside the area of interest,
    ///    farther than the tolerance from its outline.
    ///
    /// Rule 3 is what keeps coasts and borders out whatever the tolerance: beyond
    /// a coast lies sea, beyond a state border foreign land, both outside the area
    /// of interest; and a strip of unmarked land narrower than about twice the
    /// tolerance between occupied ground and the outline (where the zone file's
    /// coast or border and the outline's were digitised apart: up to 1.4 km on the
    /// Azov coast at Mariupol) is all within the tolerance of the outline, so the
    /// point at the tolerance beyond the piece is too. Rule 2 alone let such a
    /// strip through whenever it was wider than the tolerance.
    ///
    /// Each edge is first surveyed against R-trees of the outline and of the
    /// other layer: an edge that cannot come near them needs no per-piece
    /// search. Pieces are classified as they are cut, never all held at once. The
    /// area of interest is prepared on first use and kept in the options.
    ///
    /// # Errors
    ///
    /// An error for a negative or non-finite tolerance or an area of interest
    /// without area.
    pub fn derive(snapshot: &Snapshot, options: &FrontOptions) -> Result<Front> {
        let tolerance = options.tolerance;
        if !(tolerance.is_finite() && tolerance >= 0.0) {
            return Err(Error::Invalid(format!(
                "tolerance {tolerance} m must be a finite, non-negative number"
            )));
        }
        let outline = options.outline()?;
        let outline = outline.as_deref();
        let (occupied, contested) = (
            rings_of(snapshot, &Status::OCCUPIED),
            rings_of(snapshot, &Status::CONTESTED),
        );
        let edges_of = |rings: &[Ring<'_>]| {
            let n = rings.iter().map(|r| r.line.0.len().saturating_sub(1)).sum();
            let mut segs = Vec::with_capacity(n);
            SegmentIndex::segments_of(rings.iter().map(|r| r.line), 0, &mut segs);
            SegmentIndex::bulk_load(segs)
        };
        // Held ground: the occupied and contested parts (layers are disjoint).
        let held_ground =
            ProximityIndex::status_only(snapshot, &[Status::OCCUPIED, Status::CONTESTED]);
        let rule = Rule {
            outline,
            tolerance,
            held: &held_ground,
        };

        let mut front = Chainer::default();
        let mut grey_occupied = Chainer::default();
        let mut grey_rest = Chainer::default();
        // Occupied edges not shared with the grey zone face the rest. The
        // occupied edges' own R-tree is needed only to classify grey-zone edges,
        // so it is built after this pass, and only when there are some.
        {
            let contested_edges = edges_of(&contested);
            rule.walk(&occupied, &contested_edges, |step| match step {
                Some((p, e, far)) => {
                    let is_front = !e.shared(p) && rule.keep(p, e) && rule.beyond(far, e);
                    front.push(p, is_front);
                }
                None => front.end_ring(),
            });
        }
        if !contested.is_empty() {
            let occupied_edges = edges_of(&occupied);
            // Grey-zone edges: shared with occupied ground, or facing the rest.
            rule.walk(&contested, &occupied_edges, |step| match step {
                Some((p, e, far)) => {
                    let on_occupied = e.shared(p);
                    let kept = rule.keep(p, e);
                    grey_occupied.push(p, on_occupied && kept);
                    grey_rest.push(p, !on_occupied && kept && rule.beyond(far, e));
                }
                None => {
                    grey_occupied.end_ring();
                    grey_rest.end_ring();
                }
            });
        }
        let rest = grey_rest.lines;
        let mut front = front.lines;
        front.extend(rest.iter().cloned());
        let (line, grey_occupied, grey_rest) = (
            MultiLineString(front),
            MultiLineString(grey_occupied.lines),
            MultiLineString(rest),
        );
        Ok(Front {
            length_km: length_km(&line),
            grey_occupied_km: length_km(&grey_occupied),
            grey_rest_km: length_km(&grey_rest),
            line,
            grey_occupied,
            grey_rest,
            index: OnceLock::new(),
        })
    }

    /// The front line.
    pub fn line(&self) -> &MultiLineString<f64> {
        &self.line
    }

    /// Its geodesic length, km.
    pub fn length_km(&self) -> f64 {
        self.length_km
    }

    /// Where the grey zone meets occupied ground.
    pub fn grey_occupied(&self) -> &MultiLineString<f64> {
        &self.grey_occupied
    }

    /// Its geodesic length, km.
    pub fn grey_occupied_km(&self) -> f64 {
        self.grey_occupied_km
    }

    /// Where the grey zone meets the rest (held ground): part of the front line.
    pub fn grey_rest(&self) -> &MultiLineString<f64> {
        &self.grey_rest
    }

    /// Its geodesic length, km.
    pub fn grey_rest_km(&self) -> f64 {
        self.grey_rest_km
    }

    /// The nearest point of the front line and its geodesic distance; `None` when
    /// there is no front (no occupied or contested ground in the area of interest).
    ///
    /// # Errors
    ///
    /// An error for a point out of range or not a number.
    pub fn nearest(&self, point: Point<f64>) -> Result<Option<Nearest>> {
        let q = check_point(point)?;
        Ok(self.nearest_coord(q))
    }

    /// [`nearest`](Self::nearest) for a checked position.
    pub(crate) fn nearest_coord(&self, q: Coord<f64>) -> Option<Nearest> {
        self.segment_index().nearest(q).map(|hit| Nearest {
            km: hit.metres / 1000.0,
            point: Point(hit.point),
        })
    }

    /// The front line's segments, indexed.
    pub(crate) fn segment_index(&self) -> &SegmentIndex {
        self.index.get_or_init(|| {
            let n = self
                .line
                .0
                .iter()
                .map(|l| l.0.len().saturating_sub(1))
                .sum();
            let mut segs = Vec::with_capacity(n);
            SegmentIndex::segments_of(&self.line.0, 0, &mut segs);
            SegmentIndex::bulk_load(segs)
        })
    }
}

/// The area of interest: inside tests and distances to its outline.
#[derive(Debug)]
struct Outline {
    grids: Vec<PolygonGrid>,
    edges: SegmentIndex,
}

impl Outline {
    /// `None` for an area of interest without area.
    fn new(aoi: &MultiPolygon<f64>) -> Option<Outline> {
        let grids: Vec<PolygonGrid> = aoi.0.iter().filter_map(PolygonGrid::new).collect();
        if grids.is_empty() {
            return None;
        }
        let mut segs: Vec<Segment> = Vec::new();
        for p in &aoi.0 {
            SegmentIndex::segments_of(
                std::iter::once(p.exterior()).chain(p.interiors()),
                0,
                &mut segs,
            );
        }
        Some(Outline {
            grids,
            edges: SegmentIndex::bulk_load(segs),
        })
    }

    fn inside(&self, c: Coord<f64>) -> bool {
        self.grids.iter().any(|g| g.contains(c))
    }

    /// Inside, and farther than `tolerance` metres from the outline.
    fn keeps(&self, c: Coord<f64>, tolerance: f64) -> bool {
        self.inside(c) && !self.edges.any_within(c, tolerance)
    }
}

/// What decides whether a piece is front: the prepared area of interest, the
/// tolerance, and the held ground.
struct Rule<'a> {
    outline: Option<&'a Outline>,
    tolerance: f64,
    held: &'a ProximityIndex,
}

/// What one edge can meet, found once for all its pieces.
struct EdgeSurvey<'a> {
    /// The other layer's edges, when this edge may share stretches with them.
    other: Option<&'a SegmentIndex>,
    /// It may come within the tolerance of the outline.
    near_outline: bool,
    /// It may come within twice the tolerance (and a margin) of the outline: the
    /// point beyond one of its pieces may then be within the tolerance of it.
    near_outline_beyond: bool,
    /// Its first vertex is inside the area of interest.
    inside: bool,
}

impl EdgeSurvey<'_> {
    /// Whether a piece lies on an edge of the other layer (its middle does).
    fn shared(&self, p: &Piece) -> bool {
        self.other
            .is_some_and(|other| other.any_within(middle(p), SHARED_M))
    }
}

impl Rule<'_> {
    /// Cuts every edge of `rings` into pieces of at most about `PIECE_M` and
    /// hands each, in ring order, to `visit` with its edge's survey and the point
    /// beyond it; then `None` at the end of each ring.
    fn walk(
        &self,
        rings: &[Ring<'_>],
        other: &SegmentIndex,
        mut visit: impl FnMut(Option<(&Piece, &EdgeSurvey<'_>, Beyond)>),
    ) {
        let beyond_m = self.tolerance.max(SHARED_M);
        // The point beyond a piece is `beyond_m` from its middle (to within the
        // local metres-per-degree approximation of `beyond`, well under 1 %).
        let beyond_reach = self.tolerance + 1.02 * beyond_m.max(GAP_M) + SHARED_M;
        for ring in rings {
            for w in ring.line.0.windows(2) {
                let (a, b) = (w[0], w[1]);
                let seg = Segment::new(a, b, 0);
                let near_other = other.may_come_within(&seg, SHARED_M);
                let survey = EdgeSurvey {
                    other: near_other.then_some(other),
                    near_outline: self
                        .outline
                        .is_some_and(|o| o.edges.may_come_within(&seg, self.tolerance + SHARED_M)),
                    near_outline_beyond: self
                        .outline
                        .is_some_and(|o| o.edges.may_come_within(&seg, beyond_reach)),
                    inside: self.outline.is_none_or(|o| o.inside(a)),
                };
                // A cheap overestimate of the length (degrees × 111.4 km) is
                // enough to choose the number of pieces.
                let deg = ((b.x - a.x) * a.y.to_radians().cos()).hypot(b.y - a.y);
                let n = ((deg * 111_400.0 / PIECE_M).ceil() as usize).clamp(1, 100_000);
                let mut prev = a;
                for i in 1..=n {
                    let t = i as f64 / n as f64;
                    let next = if i == n {
                        b
                    } else {
                        Coord {
                            x: a.x + t * (b.x - a.x),
                            y: a.y + t * (b.y - a.y),
                        }
                    };
                    let piece = Piece { a: prev, b: next };
                    let far = Beyond {
                        gap: beyond(&piece, ring.ground_left, GAP_M),
                        aoi: beyond(&piece, ring.ground_left, beyond_m),
                    };
                    visit(Some((&piece, &survey, far)));
                    prev = next;
                }
            }
            visit(None);
        }
    }

    /// Rule 2: both ends inside the area of interest, farther than the tolerance
    /// from its outline.
    fn keep(&self, p: &Piece, e: &EdgeSurvey<'_>) -> bool {
        match self.outline {
            None => true,
            Some(_) if !e.near_outline => e.inside,
            Some(o) => o.keeps(p.a, self.tolerance) && o.keeps(p.b, self.tolerance),
        }
    }

    /// Rule 3: the ground beyond a piece is not occupied or contested, and is
    /// inside the area of interest, farther than the tolerance from its outline.
    fn beyond(&self, far: Beyond, e: &EdgeSurvey<'_>) -> bool {
        if self.held.status_of(far.gap).is_some() {
            return false;
        }
        let far = far.aoi;
        match self.outline {
            None => true,
            // The edge is inside and out of reach of the outline, and so is
            // everything within `beyond_reach` of it.
            Some(_) if !e.near_outline_beyond => e.inside,
            Some(o) => o.keeps(far, self.tolerance),
        }
    }
}

/// The points beyond a piece that rule 3 looks at.
#[derive(Clone, Copy, Debug)]
struct Beyond {
    /// `GAP_M` beyond: must not be occupied or contested.
    gap: Coord<f64>,
    /// The tolerance beyond: must be inside the area of interest, away from its
    /// outline.
    aoi: Coord<f64>,
}

fn middle(p: &Piece) -> Coord<f64> {
    Coord {
        x: (p.a.x + p.b.x) / 2.0,
        y: (p.a.y + p.b.y) / 2.0,
    }
}

/// The point `metres` from the middle of a piece, square to it, on the side away
/// from the ground (the right when the ground is on the left).
fn beyond(p: &Piece, ground_left: bool, metres: f64) -> Coord<f64> {
    let mid = middle(p);
    // Metres per degree, locally: enough for an offset of a few km.
    let kx = 111_320.0 * mid.y.to_radians().cos().max(1e-6);
    let ky = 110_574.0;
    let (dx, dy) = ((p.b.x - p.a.x) * kx, (p.b.y - p.a.y) * ky);
    let len = dx.hypot(dy);
    if len == 0.0 {
        return mid;
    }
    // The left normal, turned to the far side.
    let side = if ground_left { -1.0 } else { 1.0 };
    let (nx, ny) = (
        side * -dy / len * metres / kx,
        side * dx / len * metres / ky,
    );
    Coord {
        x: (mid.x + nx).clamp(-180.0, 180.0),
        y: (mid.y + ny).clamp(-90.0, 90.0),
    }
}

/// Joins consecutive kept pieces of one ring into lines as they come; a run that
/// goes round the ring's closing vertex is one line.
#[derive(Default)]
struct Chainer {
    lines: Vec<LineString<f64>>,
    current: Vec<Coord<f64>>,
    /// Where the current ring's lines start in `lines`.
    ring_start: usize,
    /// Whether the current ring's first piece was kept (`None` before it).
    first_kept: Option<bool>,
    /// Whether some piece of the current ring was left out.
    dropped: bool,
}

impl Chainer {
    /// The next piece of the ring, kept or not.
    fn push(&mut self, p: &Piece, keep: bool) {
        self.first_kept.get_or_insert(keep);
        if keep {
            if self.current.is_empty() {
                self.current.push(p.a);
            }
            self.current.push(p.b);
        } else {
            self.dropped = true;
            if !self.current.is_empty() {
                self.lines
                    .push(LineString(std::mem::take(&mut self.current)));
            }
        }
    }

    /// After the ring's last piece.
    fn end_ring(&mut self) {
        if !self.current.is_empty() {
            let mut current = std::mem::take(&mut self.current);
            // The last run continues into the first one across the closing vertex.
            if self.first_kept == Some(true) && self.dropped && self.lines.len() > self.ring_start {
                let head =
                    std::mem::replace(&mut self.lines[self.ring_start], LineString(Vec::new()));
                current.extend(head.0.into_iter().skip(1));
                self.lines[self.ring_start] = LineString(current);
            } else {
                self.lines.push(LineString(current));
            }
        }
        self.ring_start = self.lines.len();
        self.first_kept = None;
        self.dropped = false;
    }
}

fn length_km(lines: &MultiLineString<f64>) -> f64 {
    lines
        .0
        .iter()
        .flat_map(|l| l.0.windows(2))
        .map(|w| geodesic_m(w[0], w[1]))
        .fold(0.0, |a, b| a + b)
        / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Zone;
    use geo::{coord, polygon};

    fn piece(x: f64) -> Piece {
        Piece {
            a: coord!(x: x, y: 0.0),
            b: coord!(x: x + 1.0, y: 0.0),
        }
    }

    #[test]
    fn chains_runs_and_wraps_round_the_closing_vertex() {
        let mut c = Chainer::default();
        for (i, keep) in [true, false, true, true, true].into_iter().enumerate() {
            c.push(&piece(i as f64), keep);
        }
        c.end_ring();
        c.push(&piece(9.0), true);
        c.end_ring();
        // Ring 0: pieces 2-4 then 0 (wrapping) form one line; ring 1 its own.
        assert_eq!(c.lines.len(), 2);
        assert_eq!(c.lines[0].0.len(), 5);
        assert_eq!(c.lines[0].0[0], coord!(x: 2.0, y: 0.0));
        assert_eq!(c.lines[1].0.len(), 2);
        let mut none = Chainer::default();
        for i in 0..5 {
            none.push(&piece(i as f64), false);
        }
        none.end_ring();
        assert!(none.lines.is_empty());
    }

    #[test]
    fn no_front_without_occupied_or_contested_ground() {
        let sq = MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)],
        ]);
        let snap = Snapshot::new(None, vec![Zone::new(Status::LIBERATED, sq)]);
        let front = Front::derive(&snap, &FrontOptions::default()).unwrap();
        assert_eq!(front.length_km(), 0.0);
        assert!(
            front
                .nearest(geo::point!(x: 0.5, y: 0.5))
                .unwrap()
                .is_none()
        );
        assert!(Front::derive(&snap, &FrontOptions::default().tolerance_m(-1.0)).is_err());
        let flat = MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 2.0, y: 0.0)],
        ]);
        assert!(Front::derive(&snap, &FrontOptions::default().within(flat)).is_err());
    }
}
