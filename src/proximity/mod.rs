//! Proximity: the status at a point, geodesic distances to zones and to the front
//! line, and the front line itself.
//!
//! - [`ProximityIndex`]: built once per [`Snapshot`] (`ProximityIndex::new`), it
//!   answers [`status_at`](ProximityIndex::status_at) (grid point-in-polygon per
//!   zone part, found through an R-tree of part envelopes) and
//!   [`nearest`](ProximityIndex::nearest) (the nearest ground of a status, with the
//!   point reached and its geodesic distance).
//! - [`Front`]: the boundary of occupied-or-contested ground where it faces ground
//!   Ukraine holds, inside an area of interest (state borders and coasts are left
//!   out), with its geodesic length and the two edges of the grey zone.
//!
//! Distances are geodesic on WGS84 (GeographicLib), to the nearest point of the
//! zones' edges, which are straight in longitude/latitude as in the zone files.
//!
//! ```
//! use frontline::{import, proximity::ProximityIndex, Status};
//! let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
//! let index = ProximityIndex::new(&snapshot);
//! let town = geo::point!(x: 37.30, y: 48.30);
//! let status = index.status_at(town)?;
//! let nearest = index.nearest(town, &Status::OCCUPIED)?.expect("the snapshot has occupied ground");
//! println!("{} km from occupied ground", nearest.km);
//! # Ok::<(), frontline::Error>(())
//! ```

mod bands;
mod distance;
mod front;
mod index;
mod places;

use std::sync::{LazyLock, OnceLock};

use geo::{Coord, Point};
use geographiclib_rs::Geodesic;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use crate::model::{Occupation, Snapshot, Status};
use crate::{Error, Result};
use distance::{Segment, SegmentIndex};
use index::PolygonGrid;

pub use front::{Front, FrontOptions};
pub use places::{Band, Coverage, PlaceDistance, PlaceIndex};

/// Built once: `Geodesic::wgs84()` derives series coefficients on every call.
static WGS84: LazyLock<Geodesic> = LazyLock::new(Geodesic::wgs84);

/// Since when the occupied ground at a point has been held, as far as its
/// snapshot tells ([`Snapshot::splits_occupation`]): what
/// [`ProximityIndex::occupied_since_at`] answers for an occupied point, and what
/// a [`PlaceHistory`](crate::timeline::PlaceHistory) records for each date.
///
/// Written as `"2014"`, `"2022"` or `"unknown"` (its [`as_str`](Self::as_str),
/// also in JSON).
///
/// ```
/// use frontline::{Occupation, proximity::OccupiedSince};
/// let crimea = OccupiedSince::Known(Occupation::Since2014);
/// assert_eq!(crimea.as_str(), "2014");
/// assert_eq!(crimea.occupation(), Some(Occupation::Since2014));
/// // An occupied-only archive draws occupied ground without saying since when.
/// assert_eq!(OccupiedSince::Unknown.occupation(), None);
/// assert_eq!(serde_json::to_string(&OccupiedSince::Unknown).unwrap(), r#""unknown""#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OccupiedSince {
    /// Held since 2014 (Crimea, ORDLO, Tuzla) or taken since 24 February 2022.
    Known(Occupation),
    /// Occupied, but the snapshot cannot tell since when: an occupied-only
    /// archive, or a map that does not draw Crimea and ORDLO as standing
    /// territories. Never to be read as either year.
    Unknown,
}

impl OccupiedSince {
    /// The part, when known.
    pub fn occupation(self) -> Option<Occupation> {
        match self {
            OccupiedSince::Known(o) => Some(o),
            OccupiedSince::Unknown => None,
        }
    }

    /// `"2014"`, `"2022"` or `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            OccupiedSince::Known(o) => o.year(),
            OccupiedSince::Unknown => "unknown",
        }
    }
}

impl serde::Serialize for OccupiedSince {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The nearest point of some ground or line, and how far it is.
///
/// ```
/// use frontline::proximity::Nearest;
/// let n = Nearest { km: 0.0, point: geo::point!(x: 37.0, y: 48.0) };
/// assert_eq!(n.point.x(), 37.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Nearest {
    /// Geodesic distance on WGS84, km; 0 inside the ground asked about.
    pub km: f64,
    /// The point reached (longitude/latitude): on an edge, or the query point itself
    /// when it is inside.
    pub point: Point<f64>,
}

/// Checks that a point is a finite longitude/latitude in range.
///
/// ```
/// use frontline::proximity::check_point;
/// assert!(check_point(geo::point!(x: 37.5, y: 48.0)).is_ok());
/// assert!(check_point(geo::point!(x: 48.0, y: 137.5)).is_err());
/// assert!(check_point(geo::point!(x: f64::NAN, y: 0.0)).is_err());
/// ```
///
/// # Errors
///
/// An error for a longitude or latitude that is not finite or out of range.
pub fn check_point(p: Point<f64>) -> Result<Coord<f64>> {
    let (x, y) = (p.x(), p.y());
    if !x.is_finite() || !y.is_finite() {
        return Err(Error::Invalid(format!(
            "point ({x}, {y}) is not a number: expected longitude, latitude"
        )));
    }
    if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
        return Err(Error::Invalid(format!(
            "point ({x}, {y}) is out of range: longitude must be in [-180, 180] and latitude in [-90, 90]"
        )));
    }
    Ok(p.0)
}

/// Parses a distance with its unit, `m` or `km` (`10km`, `2.5 km`, `500m`), into
/// metres; no unit, a negative or non-finite value is an error.
///
/// ```
/// use frontline::proximity::parse_distance;
/// assert_eq!(parse_distance("10km").unwrap(), 10_000.0);
/// assert_eq!(parse_distance(" 250 m").unwrap(), 250.0);
/// assert!(parse_distance("10").is_err());
/// assert!(parse_distance("-5km").is_err());
/// ```
///
/// # Errors
///
/// An error for no unit, not a number, or a negative or non-finite value.
pub fn parse_distance(text: &str) -> Result<f64> {
    let t = text.trim().to_lowercase();
    let (number, scale) = if let Some(n) = t.strip_suffix("km") {
        (n, 1000.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 1.0)
    } else {
        return Err(Error::Invalid(format!(
            "distance {text:?} has no unit: write e.g. 10km or 500m"
        )));
    };
    let value: f64 = number.trim().parse().map_err(|_| {
        Error::Invalid(format!(
            "distance {text:?} is not a number with a unit (m or km)"
        ))
    })?;
    if !value.is_finite() || value < 0.0 {
        return Err(Error::Invalid(format!(
            "distance {text:?} must be a finite, non-negative number"
        )));
    }
    Ok(value * scale)
}

/// Parses a point written `LON,LAT` (degrees, WGS84; spaces around either
/// number allowed), checked for range as [`check_point`] does.
///
/// ```
/// use frontline::proximity::parse_point;
/// assert_eq!(parse_point("37.18, 48.28").unwrap(), geo::point!(x: 37.18, y: 48.28));
/// assert!(parse_point("37.18").is_err());
/// assert!(parse_point("48.28,137.18").is_err());
/// assert!(parse_point("nan,48").is_err());
/// ```
///
/// # Errors
///
/// An error for text that is not `LON,LAT` or a point out of range.
pub fn parse_point(text: &str) -> Result<Point<f64>> {
    let bad = || {
        Error::Invalid(format!(
            "point {text:?}: expected LON,LAT, e.g. 37.18,48.28"
        ))
    };
    let (lon, lat) = text.split_once(',').ok_or_else(bad)?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let point = geo::point!(x: lon, y: lat);
    check_point(point).map_err(|e| Error::Invalid(format!("point {text:?}: {e}")))?;
    Ok(point)
}

type PartBox = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// A snapshot's zones prepared for point queries: which status holds a point, and
/// how far the nearest ground of a status is.
///
/// Built once ([`ProximityIndex::new`]) and reused: every zone part gets a grid for
/// point-in-polygon tests (found through an R-tree of part envelopes) and every
/// layer an R-tree of its edges for geodesic nearest-point searches, built from
/// the grids' edges on the first search for that layer (status look-ups alone
/// never pay for it).
///
/// ```
/// use frontline::{proximity::ProximityIndex, Snapshot, Status, Zone};
/// use geo::{point, polygon, MultiPolygon};
/// let square = MultiPolygon(vec![polygon![
///     (x: 37.0, y: 48.0), (x: 38.0, y: 48.0), (x: 38.0, y: 49.0), (x: 37.0, y: 49.0)]]);
/// let index = ProximityIndex::new(&Snapshot::new(None, vec![Zone::new(Status::OCCUPIED, square)]));
/// assert_eq!(index.status_at(point!(x: 37.5, y: 48.5))?, Some(&Status::OCCUPIED));
/// assert_eq!(index.status_at(point!(x: 36.5, y: 48.5))?, None); // unmarked
/// // 0.5° of longitude at 48.5° N is about 36.9 km.
/// let near = index.nearest(point!(x: 36.5, y: 48.5), &Status::OCCUPIED)?.unwrap();
/// assert!((near.km - 36.99).abs() < 0.1);
/// assert!(index.nearest(point!(x: 36.5, y: 48.5), &Status::CONTESTED)?.is_none());
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ProximityIndex {
    statuses: Vec<Status>,
    parts: RTree<PartBox>,
    /// Each part's layer (index into `statuses`) and grid.
    grids: Vec<(usize, PolygonGrid)>,
    /// Each layer's edges, indexed on first use; `None` for a status-only index.
    edges: Option<Vec<OnceLock<SegmentIndex>>>,
    /// The parts of the zones occupied since 2014, when the snapshot tells the
    /// split; `None` when it cannot.
    older: Option<Vec<geo::Polygon<f64>>>,
    /// Their envelopes and grids, built on the first question that needs them.
    older_grids: OnceLock<(RTree<PartBox>, Vec<PolygonGrid>)>,
}

impl ProximityIndex {
    /// Indexes a snapshot's resolved layers.
    pub fn new(snapshot: &Snapshot) -> ProximityIndex {
        ProximityIndex::build(snapshot, None, true)
    }

    /// Status look-ups only (no edge index, so [`nearest`](Self::nearest) finds
    /// nothing), for the layers of `only`: what the front's gap filter needs.
    pub(crate) fn status_only(snapshot: &Snapshot, only: &[Status]) -> ProximityIndex {
        ProximityIndex::build(snapshot, Some(only), false)
    }

    fn build(snapshot: &Snapshot, only: Option<&[Status]>, with_edges: bool) -> ProximityIndex {
        let mut statuses = Vec::new();
        let mut grids = Vec::new();
        let mut boxes = Vec::new();
        let layers = snapshot
            .layers()
            .iter()
            .filter(|layer| only.is_none_or(|o| o.contains(layer.status())));
        for (l, layer) in layers.enumerate() {
            statuses.push(layer.status().clone());
            for polygon in &layer.geometry().0 {
                let Some(grid) = PolygonGrid::new(polygon) else {
                    continue; // no area: no point is inside it
                };
                let Some(r) = geo::BoundingRect::bounding_rect(polygon) else {
                    continue;
                };
                let rect = Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                boxes.push(GeomWithData::new(rect, grids.len() as u32));
                grids.push((l, grid));
            }
        }
        let edges = with_edges.then(|| statuses.iter().map(|_| OnceLock::new()).collect());
        // Since 2014 wins where zones of both overlap: an occupied point inside
        // any zone held since 2014 is in that part (Snapshot::occupied_part).
        let older = snapshot.splits_occupation().then(|| {
            snapshot
                .zones()
                .iter()
                .filter(|z| z.status == Status::OCCUPIED)
                .filter(|z| z.occupation == Some(Occupation::Since2014))
                .flat_map(|z| z.geometry.0.iter().cloned())
                .collect()
        });
        ProximityIndex {
            statuses,
            parts: RTree::bulk_load(boxes),
            grids,
            edges,
            older,
            older_grids: OnceLock::new(),
        }
    }

    /// The statuses present, strongest first.
    pub fn statuses(&self) -> &[Status] {
        &self.statuses
    }

    /// The status of the zone holding `point`; `None` when no zone does (the
    /// point is [`UNMARKED`](crate::model::UNMARKED)); an error for a point out of
    /// range or not a number.
    ///
    /// # Errors
    ///
    /// An error for a point out of range or not a number.
    pub fn status_at(&self, point: Point<f64>) -> Result<Option<&Status>> {
        let q = check_point(point)?;
        Ok(self.status_of(q))
    }

    /// [`status_at`](Self::status_at) for many points, in order; the first bad
    /// point is an error naming its position in the list.
    ///
    /// ```
    /// use frontline::{proximity::ProximityIndex, Snapshot};
    /// let index = ProximityIndex::new(&Snapshot::new(None, vec![]));
    /// let points = [geo::point!(x: 37.0, y: 48.0), geo::point!(x: 37.1, y: 48.1)];
    /// assert_eq!(index.statuses_at(&points)?, vec![None, None]);
    /// assert!(index.statuses_at(&[geo::point!(x: 200.0, y: 0.0)]).is_err());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error naming the position in the list of the first point out of range
    /// or not a number.
    pub fn statuses_at(&self, points: &[Point<f64>]) -> Result<Vec<Option<&Status>>> {
        points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                check_point(*p)
                    .map(|q| self.status_of(q))
                    .map_err(|e| Error::Invalid(format!("point {}: {e}", i + 1)))
            })
            .collect()
    }

    /// Since when the ground at `point` has been occupied: `None` when it is not
    /// occupied (or unmarked), [`OccupiedSince::Unknown`] when the snapshot
    /// cannot tell ([`Snapshot::splits_occupation`]), else the part of the
    /// occupied layer it lies in ([`Snapshot::occupied_part`]; since 2014 wins
    /// where zones of both overlap).
    ///
    /// ```
    /// use frontline::{proximity::{OccupiedSince, ProximityIndex}, Occupation, Snapshot, Status, Zone};
    /// use geo::{point, polygon, MultiPolygon};
    /// let square = |x0: f64| MultiPolygon(vec![polygon![
    ///     (x: x0, y: 48.0), (x: x0 + 1.0, y: 48.0), (x: x0 + 1.0, y: 49.0), (x: x0, y: 49.0)]]);
    /// let split = Snapshot::new(None, vec![
    ///     Zone::new(Status::OCCUPIED, square(38.0)).occupied_since(Occupation::Since2014),
    ///     Zone::new(Status::OCCUPIED, square(37.5)).occupied_since(Occupation::Since2022),
    /// ]);
    /// let index = ProximityIndex::new(&split);
    /// let since = |x: f64| index.occupied_since_at(point!(x: x, y: 48.5)).unwrap();
    /// assert_eq!(since(37.7), Some(OccupiedSince::Known(Occupation::Since2022)));
    /// assert_eq!(since(38.2), Some(OccupiedSince::Known(Occupation::Since2014))); // in both
    /// assert_eq!(since(39.5), None); // not occupied
    /// // The same ground from a file that does not tell: occupied, since unknown.
    /// let plain = Snapshot::new(None, vec![Zone::new(Status::OCCUPIED, square(38.0))]);
    /// let index = ProximityIndex::new(&plain);
    /// assert_eq!(index.occupied_since_at(point!(x: 38.2, y: 48.5))?, Some(OccupiedSince::Unknown));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error for a point out of range or not a number.
    pub fn occupied_since_at(&self, point: Point<f64>) -> Result<Option<OccupiedSince>> {
        let q = check_point(point)?;
        Ok(self.status_and_since(q).1)
    }

    /// The status at a checked position and, when it is occupied, since when.
    pub(crate) fn status_and_since(
        &self,
        q: Coord<f64>,
    ) -> (Option<&Status>, Option<OccupiedSince>) {
        let status = self.status_of(q);
        if status != Some(&Status::OCCUPIED) {
            return (status, None);
        }
        let Some(older) = &self.older else {
            return (status, Some(OccupiedSince::Unknown));
        };
        let (tree, grids) = self.older_grids.get_or_init(|| {
            let mut boxes = Vec::new();
            let mut grids = Vec::new();
            for polygon in older {
                let (Some(grid), Some(r)) = (
                    PolygonGrid::new(polygon),
                    geo::BoundingRect::bounding_rect(polygon),
                ) else {
                    continue;
                };
                let rect = Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                boxes.push(GeomWithData::new(rect, grids.len() as u32));
                grids.push(grid);
            }
            (RTree::bulk_load(boxes), grids)
        });
        let in_older = tree
            .locate_all_at_point(&[q.x, q.y])
            .any(|b| grids[b.data as usize].contains(q));
        let part = if in_older {
            Occupation::Since2014
        } else {
            Occupation::Since2022
        };
        (status, Some(OccupiedSince::Known(part)))
    }

    pub(crate) fn status_of(&self, q: Coord<f64>) -> Option<&Status> {
        self.parts
            .locate_all_at_point(&[q.x, q.y])
            .map(|b| &self.grids[b.data as usize])
            .find(|(_, grid)| grid.contains(q))
            .map(|(l, _)| &self.statuses[*l])
    }

    /// The nearest ground of `status`: distance 0 and the point itself when it is
    /// inside such ground, else the nearest point of its edges. `None` when the
    /// snapshot has no ground of that status.
    ///
    /// # Errors
    ///
    /// An error for a point out of range or not a number.
    pub fn nearest(&self, point: Point<f64>, status: &Status) -> Result<Option<Nearest>> {
        let q = check_point(point)?;
        let Some(l) = self.statuses.iter().position(|s| s == status) else {
            return Ok(None);
        };
        if self.status_of(q) == Some(status) {
            return Ok(Some(Nearest { km: 0.0, point }));
        }
        Ok(self
            .layer_edges(l)
            .and_then(|e| e.nearest(q))
            .map(|hit| Nearest {
                km: hit.metres / 1000.0,
                point: Point(hit.point),
            }))
    }

    /// The edges of the ground of `status`, if the snapshot has any.
    pub(crate) fn edges_of(&self, status: &Status) -> Option<&SegmentIndex> {
        let l = self.statuses.iter().position(|s| s == status)?;
        self.layer_edges(l)
    }

    /// The edges of layer `l` (those of its parts with area: a part without
    /// holds no ground), indexed on first use.
    fn layer_edges(&self, l: usize) -> Option<&SegmentIndex> {
        let cell = self.edges.as_ref()?.get(l)?;
        Some(cell.get_or_init(|| {
            let parts = || self.grids.iter().filter(|(layer, _)| *layer == l);
            let mut segs: Vec<Segment> =
                Vec::with_capacity(parts().map(|(_, g)| g.segments().len()).sum());
            segs.extend(
                parts()
                    .flat_map(|(_, grid)| grid.segments())
                    .map(|s| Segment::new(s[0], s[1], 0)),
            );
            SegmentIndex::bulk_load(segs)
        }))
    }

    /// [`nearest`](Self::nearest) for a checked position.
    pub(crate) fn nearest_coord(&self, q: Coord<f64>, status: &Status) -> Option<Nearest> {
        // `q` has passed `check_point`, the only error `nearest` can return.
        self.nearest(Point(q), status).ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Zone;
    use geo::{MultiPolygon, point, polygon};

    #[test]
    fn empty_snapshots_answer_unmarked_and_none() {
        let index = ProximityIndex::new(&Snapshot::new(None, vec![]));
        assert_eq!(index.status_at(point!(x: 37.0, y: 48.0)).unwrap(), None);
        assert_eq!(
            index
                .nearest(point!(x: 37.0, y: 48.0), &Status::OCCUPIED)
                .unwrap(),
            None
        );
    }

    #[test]
    fn bad_points_are_errors() {
        let sq = MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)],
        ]);
        let index =
            ProximityIndex::new(&Snapshot::new(None, vec![Zone::new(Status::OCCUPIED, sq)]));
        for p in [
            point!(x: f64::NAN, y: 0.5),
            point!(x: 0.5, y: f64::INFINITY),
            point!(x: 180.5, y: 0.0),
            point!(x: 0.0, y: -91.0),
        ] {
            assert!(index.status_at(p).is_err());
            assert!(index.nearest(p, &Status::OCCUPIED).is_err());
        }
        let err = index
            .statuses_at(&[point!(x: 0.5, y: 0.5), point!(x: 0.5, y: 95.0)])
            .unwrap_err();
        assert!(err.to_string().starts_with("point 2:"), "{err}");
        let inside = index
            .nearest(point!(x: 0.5, y: 0.5), &Status::OCCUPIED)
            .unwrap();
        assert_eq!(inside.unwrap().km, 0.0);
    }

    #[test]
    fn distances_need_a_unit() {
        for bad in ["10", "-5km", "km", "ten km", "nanm", "1e400km", ""] {
            assert!(parse_distance(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_distance("1.5KM").unwrap(), 1500.0);
        assert_eq!(parse_distance("0m").unwrap(), 0.0);
    }
}
