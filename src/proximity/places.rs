//! Places indexed for proximity queries: the k nearest to a point, those within a
//! distance of the front or of a status, and distance bands from the front.

use geo::{BooleanOps, BoundingRect, Contains, Coord, InteriorPoint, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree, RTreeObject};

use super::bands::areas_within_km2;
use super::distance::{M_MIN, SegmentIndex, geodesic_m, normal, widen};
use super::{Front, Nearest, ProximityIndex, check_point};
use crate::measure::GeodesicAreaKm2;
use crate::model::{Place, PlaceGeometry, Status};
use crate::{Error, Result};

/// A place's unit normal (3-D), tagged with its position in the index.
type Entry = GeomWithData<[f64; 3], u32>;

/// A place and how far it is from what was asked about.
///
/// ```
/// use frontline::proximity::{Nearest, PlaceDistance};
/// use frontline::{Place, PlaceGeometry};
/// let place = Place::new(Default::default(), PlaceGeometry::Point(geo::point!(x: 37.0, y: 48.0)));
/// let d = PlaceDistance { place: &place, at: geo::point!(x: 37.0, y: 48.0),
///     nearest: Nearest { km: 1.5, point: geo::point!(x: 37.02, y: 48.0) } };
/// assert_eq!(d.km(), 1.5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlaceDistance<'a> {
    /// The place.
    pub place: &'a Place,
    /// Where it was measured from: its point, or an area's interior point.
    pub at: Point<f64>,
    /// The nearest point reached and its geodesic distance.
    pub nearest: Nearest,
}

impl PlaceDistance<'_> {
    /// The geodesic distance, km.
    pub fn km(&self) -> f64 {
        self.nearest.km
    }
}

/// How much of a place a zone covers: see [`PlaceIndex::covered_by`].
///
/// ```
/// use frontline::proximity::Coverage;
/// use frontline::{Place, PlaceGeometry};
/// let town = Place::new(Default::default(), PlaceGeometry::Point(geo::point!(x: 37.0, y: 48.0)));
/// let c = Coverage { place: &town, km2: 0.0, share: 1.0 };
/// assert_eq!(c.pct(), 100.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coverage<'a> {
    /// The place.
    pub place: &'a Place,
    /// Geodesic area of the place inside the zone, km² (0 for a point).
    pub km2: f64,
    /// The share of the place covered, 0 to 1 (a point: 1 inside, else absent).
    pub share: f64,
}

impl Coverage<'_> {
    /// The share in per cent.
    pub fn pct(&self) -> f64 {
        self.share * 100.0
    }
}

/// A distance band from the front, `from_km` (included) to `to_km` (excluded,
/// except in the last band, which holds the places exactly at its edge),
/// with the places in it and, when a region was given, the area of the band
/// inside the region.
///
/// ```
/// use frontline::proximity::Band;
/// let band = Band { from_km: 0.0, to_km: 25.0, places: vec![], area_km2: Some(812.5) };
/// assert_eq!(band.label(), "0-25 km");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Band<'a> {
    /// Inner distance from the front, km (included).
    pub from_km: f64,
    /// Outer distance from the front, km (excluded but in the last band).
    pub to_km: f64,
    /// The places in the band, nearest first.
    pub places: Vec<PlaceDistance<'a>>,
    /// Geodesic area of the band inside the region, km²; `None` without a region.
    /// See [`PlaceIndex::bands`] for the method and its accuracy.
    pub area_km2: Option<f64>,
}

impl Band<'_> {
    /// `"0-25 km"`.
    pub fn label(&self) -> String {
        format!("{}-{} km", self.from_km, self.to_km)
    }
}

/// Places prepared for proximity queries: an R-tree (rstar) over the unit normals
/// of their points (an area is represented by its interior point).
///
/// Geodesic distances are at least `M × chord` between unit normals (`M` the
/// ellipsoid's smallest radius of curvature), so the tree's Euclidean bounds are
/// bounds on WGS84: candidates come from the tree and every answer is measured
/// exactly with GeographicLib.
///
/// ```
/// use frontline::{import, proximity::PlaceIndex};
/// let places = import::read_places("data/places.geojson")?;
/// let index = PlaceIndex::new(&places)?;
/// let nearest = index.nearest_k(geo::point!(x: 37.3, y: 48.3), 2)?;
/// assert_eq!(nearest.len(), 2);
/// assert!(nearest[0].km() <= nearest[1].km());
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct PlaceIndex<'a> {
    places: Vec<(&'a Place, Coord<f64>)>,
    tree: RTree<Entry>,
    /// Each place's lon/lat bounding box (a point's is the point).
    boxes: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
    skipped: usize,
}

impl<'a> PlaceIndex<'a> {
    /// Indexes places. A place whose area is empty is skipped (see
    /// [`skipped`](Self::skipped)); a point out of range or not a number is an
    /// error naming the place, and so is a list with no usable place at all.
    ///
    /// # Errors
    ///
    /// An error naming the place whose point is out of range or not a number, and
    /// an error when no usable place is left.
    pub fn new(places: impl IntoIterator<Item = &'a Place>) -> Result<PlaceIndex<'a>> {
        let mut kept = Vec::new();
        let mut skipped = 0;
        for place in places {
            let point = match &place.geometry {
                PlaceGeometry::Point(p) => Some(*p),
                PlaceGeometry::Area(a) => a.interior_point(),
            };
            let Some(point) = point else {
                skipped += 1;
                continue;
            };
            let c = check_point(point)
                .map_err(|e| Error::Invalid(format!("place {}: {e}", place.label())))?;
            kept.push((place, c));
        }
        if kept.is_empty() {
            return Err(Error::Invalid(
                "no place has a usable geometry (a point or an area)".into(),
            ));
        }
        let entries = kept
            .iter()
            .enumerate()
            .map(|(i, (_, c))| GeomWithData::new(normal(*c), i as u32))
            .collect();
        let boxes = kept
            .iter()
            .enumerate()
            .map(|(i, (place, c))| {
                let (lo, hi) = match &place.geometry {
                    PlaceGeometry::Area(a) => {
                        a.bounding_rect().map_or((*c, *c), |r| (r.min(), r.max()))
                    }
                    PlaceGeometry::Point(_) => (*c, *c),
                };
                GeomWithData::new(
                    Rectangle::from_corners([lo.x, lo.y], [hi.x, hi.y]),
                    i as u32,
                )
            })
            .collect();
        Ok(PlaceIndex {
            places: kept,
            tree: RTree::bulk_load(entries),
            boxes: RTree::bulk_load(boxes),
            skipped,
        })
    }

    /// The number of places indexed.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Whether no place is indexed (never: [`new`](Self::new) refuses that).
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// The number of places left out for want of a geometry.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The `k` places nearest `point` (fewer when there are fewer), nearest first,
    /// with their geodesic distances; an error for a point out of range.
    ///
    /// # Errors
    ///
    /// An error for a point out of range or not a number.
    pub fn nearest_k(&self, point: Point<f64>, k: usize) -> Result<Vec<PlaceDistance<'a>>> {
        let q = check_point(point)?;
        let mut best: Vec<PlaceDistance<'a>> = Vec::with_capacity(k + 1);
        if k == 0 {
            return Ok(best);
        }
        for (entry, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&normal(q)) {
            if best.len() == k && M_MIN * d2.sqrt() > best[k - 1].km() * 1000.0 {
                break; // no place farther in the tree can be nearer
            }
            let (place, c) = self.places[entry.data as usize];
            let km = geodesic_m(q, c) / 1000.0;
            if best.len() == k && km >= best[k - 1].km() {
                continue;
            }
            let at = best.partition_point(|b| b.km() <= km);
            best.insert(
                at,
                PlaceDistance {
                    place,
                    at: Point(c),
                    nearest: Nearest {
                        km,
                        point: Point(q),
                    },
                },
            );
            best.truncate(k);
        }
        Ok(best)
    }

    /// The places at most `km` from the front line, nearest first, each with its
    /// distance and nearest point of the front. None when there is no front.
    ///
    /// ```
    /// use frontline::{import, proximity::{Front, FrontOptions, PlaceIndex}};
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// let front = Front::derive(&snapshot, &FrontOptions::default())?;
    /// let places = import::read_places("data/places.geojson")?;
    /// let near = PlaceIndex::new(&places)?.within_front(&front, 10.0)?;
    /// assert!(near.iter().all(|p| p.km() <= 10.0));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error for a negative or non-finite `km`.
    pub fn within_front(&self, front: &Front, km: f64) -> Result<Vec<PlaceDistance<'a>>> {
        let limit = check_km(km)?;
        let mut candidates = self.near_segments(front.segment_index(), limit);
        self.refine(&mut candidates, limit, |c| front.nearest_coord(c))
    }

    /// The places at most `km` from ground of `status` (0 inside it), nearest
    /// first. None when the snapshot has no such ground.
    ///
    /// ```
    /// use frontline::{import, proximity::{PlaceIndex, ProximityIndex}, Status};
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// let zones = ProximityIndex::new(&snapshot);
    /// let places = import::read_places("data/places.geojson")?;
    /// let near = PlaceIndex::new(&places)?.within_status(&zones, &Status::OCCUPIED, 5.0)?;
    /// assert!(near.iter().all(|p| p.km() <= 5.0));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error for a negative or non-finite `km`.
    pub fn within_status(
        &self,
        zones: &ProximityIndex,
        status: &Status,
        km: f64,
    ) -> Result<Vec<PlaceDistance<'a>>> {
        let limit = check_km(km)?;
        let Some(edges) = zones.edges_of(status) else {
            return Ok(Vec::new());
        };
        let mut candidates = self.near_segments(edges, limit);
        // Places inside the ground are at 0 whatever the distance asked.
        for (flag, (_, c)) in candidates.iter_mut().zip(&self.places) {
            *flag = *flag || zones.status_of(*c) == Some(status);
        }
        self.refine(&mut candidates, limit, |c| zones.nearest_coord(c, status))
    }

    /// Distance bands from the front: `edges_km` `[25, 50, 100]` gives the bands
    /// 0-25, 25-50 and 50-100 km, each with its places and, given a `region`, the
    /// geodesic area of the band inside it.
    ///
    /// Areas: for each distance `d`, the front's pieces within `d` of the region
    /// are mapped to an ellipsoidal azimuthal equidistant projection centred on
    /// the region (GeographicLib), buffered there by `d` (round joins, arcs cut
    /// into chords of at most π/100 rad), intersected with the region, mapped back
    /// and measured with [`GeodesicAreaKm2`](crate::GeodesicAreaKm2); a band is the
    /// difference of two such areas. The projection keeps distances from its
    /// centre and stretches others by at most `k = 1 + ρ²/6R²` (ρ the distance to
    /// the centre), so the drawn edge lies between the geodesic distances `d/k`
    /// and `d`: within 30 m of 100 km for ρ ≤ 270 km (Donetsk oblast and 100 km
    /// around it); the chords lose at most 12 m more at 100 km. Errors are refused
    /// for a region wider than 1,000 km (`k` − 1 would exceed 0.4 %).
    ///
    /// ```
    /// use frontline::{import, proximity::{Front, FrontOptions, PlaceIndex}};
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// let front = Front::derive(&snapshot, &FrontOptions::default())?;
    /// let places = import::read_places("data/places.geojson")?;
    /// let region = import::read_places("data/region.geojson")?.union().unwrap();
    /// let bands = PlaceIndex::new(&places)?.bands(&front, &[5.0, 10.0], Some(&region))?;
    /// assert_eq!(bands.len(), 2);
    /// assert!(bands.iter().all(|b| b.area_km2.unwrap() >= 0.0));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error for edges that are not finite and increasing from 0, or when
    /// `region` has no area or lies out of range.
    pub fn bands(
        &self,
        front: &Front,
        edges_km: &[f64],
        region: Option<&MultiPolygon<f64>>,
    ) -> Result<Vec<Band<'a>>> {
        check_edges(edges_km)?;
        let Some(&last) = edges_km.last() else {
            return Ok(Vec::new());
        };
        let areas = match region {
            Some(r) => Some(areas_within_km2(front, r, edges_km)?),
            None => None,
        };
        let near = self.within_front(front, last)?;
        let mut bands = Vec::with_capacity(edges_km.len());
        let mut from_km = 0.0;
        for (i, &to_km) in edges_km.iter().enumerate() {
            let places = near
                .iter()
                .filter(|p| {
                    p.km() >= from_km && (p.km() < to_km || (to_km == last && p.km() == last))
                })
                .copied()
                .collect();
            let area_km2 = areas.as_ref().map(|a| {
                let inner = if i == 0 { 0.0 } else { a[i - 1] };
                (a[i] - inner).max(0.0)
            });
            bands.push(Band {
                from_km,
                to_km,
                places,
                area_km2,
            });
            from_km = to_km;
        }
        Ok(bands)
    }

    /// The places that `zone` meets, with the share of each it covers (areas:
    /// geodesic km² of the intersection over the place's; points: 1 inside),
    /// largest share first. Candidates come from an R-tree of the places'
    /// bounding boxes.
    ///
    /// ```
    /// use frontline::{import, proximity::PlaceIndex, Status};
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// let occupied = snapshot.layer(&Status::OCCUPIED).unwrap().geometry();
    /// let city = import::read_places("data/city.geojson")?;
    /// let covered = PlaceIndex::new(&city)?.covered_by(occupied);
    /// assert!(covered.iter().all(|c| c.share > 0.0 && c.share <= 1.0));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn covered_by(&self, zone: &MultiPolygon<f64>) -> Vec<Coverage<'a>> {
        let Some(r) = zone.bounding_rect() else {
            return Vec::new();
        };
        let env = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
        let mut out: Vec<Coverage<'a>> = self
            .boxes
            .locate_in_envelope_intersecting(&env)
            .filter_map(|b| {
                let (place, c) = self.places[b.data as usize];
                match &place.geometry {
                    PlaceGeometry::Point(_) => zone.contains(&c).then_some(Coverage {
                        place,
                        km2: 0.0,
                        share: 1.0,
                    }),
                    PlaceGeometry::Area(a) => {
                        let whole = a.geodesic_area_km2();
                        let km2 = a.intersection(zone).geodesic_area_km2();
                        (whole > 0.0 && km2 > 0.0).then(|| Coverage {
                            place,
                            km2,
                            share: (km2 / whole).min(1.0),
                        })
                    }
                }
            })
            .collect();
        out.sort_by(|a, b| b.share.total_cmp(&a.share));
        out
    }

    /// Flags the places that may lie within `limit` metres of a segment: the
    /// places' R-tree is queried with each segment's envelope widened by the chord
    /// `limit` can span (only segments that can reach the places' own box).
    fn near_segments(&self, segments: &SegmentIndex, limit: f64) -> Vec<bool> {
        let mut flags = vec![false; self.places.len()];
        let r = limit / M_MIN + 1e-12;
        let all: AABB<[f64; 3]> = self.tree.root().envelope();
        for seg in segments.segments_meeting(&widen(&all, r)) {
            for e in self
                .tree
                .locate_in_envelope_intersecting(&widen(&seg.envelope(), r))
            {
                flags[e.data as usize] = true;
            }
        }
        flags
    }

    /// Measures the flagged places exactly and keeps those within `limit` metres.
    fn refine(
        &self,
        flags: &mut [bool],
        limit: f64,
        measure: impl Fn(Coord<f64>) -> Option<Nearest>,
    ) -> Result<Vec<PlaceDistance<'a>>> {
        let mut out: Vec<PlaceDistance<'a>> = flags
            .iter()
            .zip(&self.places)
            .filter(|(f, _)| **f)
            .filter_map(|(_, (place, c))| {
                measure(*c)
                    .filter(|n| n.km * 1000.0 <= limit)
                    .map(|nearest| PlaceDistance {
                        place,
                        at: Point(*c),
                        nearest,
                    })
            })
            .collect();
        out.sort_by(|a, b| a.km().total_cmp(&b.km()));
        Ok(out)
    }
}

/// A distance in km as metres: finite and non-negative.
fn check_km(km: f64) -> Result<f64> {
    if km.is_finite() && km >= 0.0 {
        Ok(km * 1000.0)
    } else {
        Err(Error::Invalid(format!(
            "distance {km} km must be a finite, non-negative number"
        )))
    }
}

/// Band edges: finite, positive, strictly increasing.
pub(crate) fn check_edges(edges_km: &[f64]) -> Result<()> {
    let mut prev = 0.0;
    for &e in edges_km {
        if !(e.is_finite() && e > prev) {
            return Err(Error::Invalid(format!(
                "band edges {edges_km:?} km must be finite, positive and increasing"
            )));
        }
        prev = e;
    }
    Ok(())
}
