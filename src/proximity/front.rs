//! The front line: where occupied-or-contested ground meets the rest.

use std::sync::{Arc, OnceLock};

use geo::{Coord, LineString, MultiLineString, MultiPolygon, Point};

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
    /// what lies inside it, farther than the tolerance from its outline, is front.
    /// Without one, every edge is.
    pub fn within(mut self, aoi: MultiPolygon<f64>) -> FrontOptions {
        self.aoi = Some(aoi);
        self.prepared = OnceLock::new();
        self
    }

    /// The same options with a tolerance in metres: edges this close to the
    /// outline run along it (digitising slivers between the zone file's border
    /// and the outline's).
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
/// (leaving out what runs along the area of interest's outline), and the two edges
/// of the grey zone. Lengths are geodesic on WGS84.
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
    index: SegmentIndex,
}

/// A piece of a layer's edge, in ring order.
struct Piece {
    a: Coord<f64>,
    b: Coord<f64>,
    /// Index of its ring among all rings cut.
    ring: usize,
    /// Index of the edge it was cut from, among all edges of the rings cut.
    edge: usize,
}

impl Front {
    /// Derives the front of `snapshot` (occupied and contested ground against the
    /// rest). An error for a negative or non-finite tolerance or an area of
    /// interest without area.
    ///
    /// Edges are cut into pieces of at most 250 m, and a piece is front when it
    /// is not shared with the other layer (its middle within 1 m of the other
    /// layer's edges), both its ends are inside the area of interest and farther
    /// than the tolerance from its outline, and it does not border a gap (the
    /// points at the tolerance on either side are not both occupied or
    /// contested). Each edge is first surveyed once against R-trees of the
    /// outline and of the other layer: an edge that cannot come near them needs
    /// no per-piece search. The area of interest is prepared on first use and kept
    /// in the options.
    pub fn derive(snapshot: &Snapshot, options: &FrontOptions) -> Result<Front> {
        let tolerance = options.tolerance;
        if !(tolerance.is_finite() && tolerance >= 0.0) {
            return Err(Error::Invalid(format!(
                "tolerance {tolerance} m must be a finite, non-negative number"
            )));
        }
        let outline = options.outline()?;
        let rings = |status: &Status| -> Vec<&LineString<f64>> {
            snapshot
                .layer(status)
                .map(|l| {
                    l.geometry()
                        .0
                        .iter()
                        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (occupied, contested) = (rings(&Status::OCCUPIED), rings(&Status::CONTESTED));
        let segments = |rings: &[&LineString<f64>]| {
            let mut segs = Vec::new();
            SegmentIndex::segments_of(rings.iter().copied(), 0, &mut segs);
            segs
        };
        let (occupied_segs, contested_segs) = (segments(&occupied), segments(&contested));
        let occupied_edges = SegmentIndex::bulk_load(occupied_segs.clone());
        let contested_edges = SegmentIndex::bulk_load(contested_segs.clone());
        // An edge with occupied-or-contested ground on both sides within the
        // tolerance borders a digitising gap (e.g. between DeepState's ORDLO and
        // occupied polygons), not held ground. Layers are disjoint, so only the
        // occupied and contested parts need a point-in-polygon grid.
        let held_ground =
            ProximityIndex::status_only(snapshot, &[Status::OCCUPIED, Status::CONTESTED]);
        let held = |c: Coord<f64>| held_ground.status_of(c).is_some();
        let gap = |p: &Piece| {
            let (left, right) = across(p, tolerance.max(SHARED_M));
            held(left) && held(right)
        };
        // Per edge, once: can it touch the other layer's edges, can it come
        // within the tolerance of the outline, and, if it cannot, is it inside
        // (then every piece of it is, the outline being out of reach).
        let survey = |segs: &[Segment], other: &SegmentIndex| -> Vec<EdgeSurvey> {
            segs.iter()
                .map(|s| {
                    let near_outline = outline
                        .as_ref()
                        .is_some_and(|o| o.edges.may_come_within(s, tolerance + SHARED_M));
                    EdgeSurvey {
                        near_other: other.may_come_within(s, SHARED_M),
                        near_outline,
                        inside: outline.as_ref().is_none_or(|o| o.inside(s.a)),
                    }
                })
                .collect()
        };
        let keep = |p: &Piece, edges: &[EdgeSurvey]| {
            let e = &edges[p.edge];
            match &outline {
                None => true,
                Some(_) if !e.near_outline => e.inside,
                Some(o) => o.keeps(p.a, tolerance) && o.keeps(p.b, tolerance),
            }
        };
        let is_shared = |p: &Piece, edges: &[EdgeSurvey], other: &SegmentIndex| {
            edges[p.edge].near_other && shared(other, p)
        };

        let mut front = Vec::new();
        let mut grey_occupied = Vec::new();
        let mut grey_rest = Vec::new();
        // Occupied edges not shared with the grey zone face the rest.
        let survey_occupied = survey(&occupied_segs, &contested_edges);
        let pieces = cut(&occupied);
        let flags: Vec<bool> = pieces
            .iter()
            .map(|p| {
                !is_shared(p, &survey_occupied, &contested_edges)
                    && keep(p, &survey_occupied)
                    && !gap(p)
            })
            .collect();
        front.extend(chain(&pieces, &flags));
        // Grey-zone edges: shared with occupied ground, or facing the rest.
        let survey_contested = survey(&contested_segs, &occupied_edges);
        let pieces = cut(&contested);
        let on_occupied: Vec<bool> = pieces
            .iter()
            .map(|p| is_shared(p, &survey_contested, &occupied_edges))
            .collect();
        let kept: Vec<bool> = pieces.iter().map(|p| keep(p, &survey_contested)).collect();
        let inner: Vec<bool> = on_occupied
            .iter()
            .zip(&kept)
            .map(|(s, k)| *s && *k)
            .collect();
        let outer: Vec<bool> = pieces
            .iter()
            .zip(on_occupied.iter().zip(&kept))
            .map(|(p, (s, k))| !*s && *k && !gap(p))
            .collect();
        grey_occupied.extend(chain(&pieces, &inner));
        let rest = chain(&pieces, &outer);
        front.extend(rest.iter().cloned());
        grey_rest.extend(rest);

        let mut segs = Vec::new();
        SegmentIndex::segments_of(&front, 0, &mut segs);
        let (line, grey_occupied, grey_rest) = (
            MultiLineString(front),
            MultiLineString(grey_occupied),
            MultiLineString(grey_rest),
        );
        Ok(Front {
            length_km: length_km(&line),
            grey_occupied_km: length_km(&grey_occupied),
            grey_rest_km: length_km(&grey_rest),
            line,
            grey_occupied,
            grey_rest,
            index: SegmentIndex::bulk_load(segs),
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
    pub fn nearest(&self, point: Point<f64>) -> Result<Option<Nearest>> {
        let q = check_point(point)?;
        Ok(self.nearest_coord(q))
    }

    /// [`nearest`](Self::nearest) for a checked position.
    pub(crate) fn nearest_coord(&self, q: Coord<f64>) -> Option<Nearest> {
        self.index.nearest(q).map(|hit| Nearest {
            km: hit.metres / 1000.0,
            point: Point(hit.point),
        })
    }

    /// The front line's segments, indexed.
    pub(crate) fn segment_index(&self) -> &SegmentIndex {
        &self.index
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

/// What one edge can meet, found once for all its pieces.
struct EdgeSurvey {
    /// It may share stretches with the other layer's edges.
    near_other: bool,
    /// It may come within the tolerance of the outline.
    near_outline: bool,
    /// Its first vertex is inside the area of interest.
    inside: bool,
}

/// Whether a piece lies on an edge of `other` (its middle does).
fn shared(other: &SegmentIndex, p: &Piece) -> bool {
    let mid = Coord {
        x: (p.a.x + p.b.x) / 2.0,
        y: (p.a.y + p.b.y) / 2.0,
    };
    other.any_within(mid, SHARED_M)
}

/// The two points `metres` away from the middle of a piece, square to it.
fn across(p: &Piece, metres: f64) -> (Coord<f64>, Coord<f64>) {
    let mid = Coord {
        x: (p.a.x + p.b.x) / 2.0,
        y: (p.a.y + p.b.y) / 2.0,
    };
    // Metres per degree, locally: enough for an offset of a few km.
    let kx = 111_320.0 * mid.y.to_radians().cos().max(1e-6);
    let ky = 110_574.0;
    let (dx, dy) = ((p.b.x - p.a.x) * kx, (p.b.y - p.a.y) * ky);
    let len = dx.hypot(dy);
    if len == 0.0 {
        return (mid, mid);
    }
    let (nx, ny) = (-dy / len * metres / kx, dx / len * metres / ky);
    let clamp = |c: Coord<f64>| Coord {
        x: c.x.clamp(-180.0, 180.0),
        y: c.y.clamp(-90.0, 90.0),
    };
    (
        clamp(Coord {
            x: mid.x + nx,
            y: mid.y + ny,
        }),
        clamp(Coord {
            x: mid.x - nx,
            y: mid.y - ny,
        }),
    )
}

/// Cuts every ring into pieces of at most about `PIECE_M`.
fn cut(rings: &[&LineString<f64>]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut edge = 0;
    for (ring, line) in rings.iter().enumerate() {
        for w in line.0.windows(2) {
            let (a, b) = (w[0], w[1]);
            // A cheap overestimate of the length (degrees × 111.4 km) is enough to
            // choose the number of pieces.
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
                pieces.push(Piece {
                    a: prev,
                    b: next,
                    ring,
                    edge,
                });
                prev = next;
            }
            edge += 1;
        }
    }
    pieces
}

/// Joins consecutive kept pieces of one ring into lines; a run that goes round the
/// ring's closing vertex is one line.
fn chain(pieces: &[Piece], keep: &[bool]) -> Vec<LineString<f64>> {
    let mut lines: Vec<LineString<f64>> = Vec::new();
    let mut start = 0;
    while start < pieces.len() {
        let ring = pieces[start].ring;
        let end = pieces[start..]
            .iter()
            .position(|p| p.ring != ring)
            .map_or(pieces.len(), |n| start + n);
        let (ps, ks) = (&pieces[start..end], &keep[start..end]);
        let first_line = lines.len();
        let mut current: Vec<Coord<f64>> = Vec::new();
        for (p, k) in ps.iter().zip(ks) {
            if *k {
                if current.is_empty() {
                    current.push(p.a);
                }
                current.push(p.b);
            } else if !current.is_empty() {
                lines.push(LineString(std::mem::take(&mut current)));
            }
        }
        let wraps = ks.first() == Some(&true) && ks.last() == Some(&true) && ks.contains(&false);
        if !current.is_empty() {
            if wraps && lines.len() > first_line {
                // The last run continues into the first one across the closing vertex.
                let head = std::mem::replace(&mut lines[first_line], LineString(Vec::new()));
                current.extend(head.0.into_iter().skip(1));
                lines[first_line] = LineString(current);
            } else {
                lines.push(LineString(current));
            }
        }
        start = end;
    }
    lines
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

    fn piece(ring: usize, x: f64) -> Piece {
        Piece {
            a: coord!(x: x, y: 0.0),
            b: coord!(x: x + 1.0, y: 0.0),
            ring,
            edge: 0,
        }
    }

    #[test]
    fn chains_runs_and_wraps_round_the_closing_vertex() {
        let pieces: Vec<Piece> = (0..5)
            .map(|i| piece(0, i as f64))
            .chain([piece(1, 9.0)])
            .collect();
        let lines = chain(&pieces, &[true, false, true, true, true, true]);
        // Ring 0: pieces 2-4 then 0 (wrapping) form one line; ring 1 its own.
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].0.len(), 5);
        assert_eq!(lines[0].0[0], coord!(x: 2.0, y: 0.0));
        assert_eq!(lines[1].0.len(), 2);
        assert!(chain(&pieces, &[false; 6]).is_empty());
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
