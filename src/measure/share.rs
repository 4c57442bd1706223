//! Control shares: how much of a region each status holds.

use geo::{BoundingRect, MultiPolygon, Rect};
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::measure::area::{area_km2_from_terms, ring_terms, within_bound};
use crate::measure::boundary::{LayerEdges, Outline};
use crate::measure::clip::rect_union;
use crate::measure::overlay::Grid;
use crate::model::{Layer, Occupation, Place, Snapshot, Status, UNMARKED};
use crate::{Error, Result};

/// An amount of ground: km² and its percentage of a region.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Amount {
    /// Geodesic km².
    pub km2: f64,
    /// Percent of the region's area.
    pub pct: f64,
}

/// How a region's ground divides between statuses in one snapshot.
///
/// Every status the snapshot measures is listed: those of its precedence (zero
/// when absent), then any other status present, then `unmarked`: ground that no
/// zone covers. A status the snapshot does not measure (the grey zone in an
/// occupied-only archive file) is unknown: [`Share::figure`] gives `None`, and
/// [`Share::km2`] NaN, never a zero that would read as none. Besides,
/// the occupied ground divides into its parts since 2014 and since 2022
/// ([`Share::occupied_split`]) where the snapshot tells
/// ([`Snapshot::splits_occupation`]); the parts are not added to the 100.
///
/// Invariants, checked whenever a share is measured: every km² is finite and at
/// least 0, every percentage is within [0, 100], the percentages sum to 100
/// within a relative 1e-9, and the parts of occupied sum to it. The layers are
/// disjoint and each is measured within the region, so their km² cannot add up
/// to more than the region's area, except by the planar crossings' and geodesic
/// edges' disagreement (up to a relative 1e-5; then the layers are scaled down
/// together to the region's area, and nothing is unmarked). If they do by more,
/// the measure is wrong, and the share is an error naming the region, never a
/// figure clamped into range. (Input that would make the planar clip and the
/// geodesic area disagree, such as a ring across the antimeridian, is refused on
/// import.)
///
/// Serialised as `{"region", "id", "area_km2", "status": {"occupied": {"km2",
/// "pct"}, "occupied_since_2014": {...}, "occupied_since_2022": {...},
/// "contested": ..., "unmarked": {...}}}`, the two parts `null` when the split is
/// unknown; `id` is the region's [`Place::id`] (`null` for an area given without
/// one, as with [`Snapshot::share_of`]).
///
/// ```
/// use frontline::{Snapshot, Status, Zone};
/// use geo::{polygon, MultiPolygon};
/// let square = |x0: f64, x1: f64| MultiPolygon(vec![polygon![
///     (x: x0, y: 48.0), (x: x1, y: 48.0), (x: x1, y: 48.5), (x: x0, y: 48.5)]]);
/// let snap = Snapshot::new(None, vec![Zone::new(Status::OCCUPIED, square(37.0, 37.5))]);
/// let share = snap.share_of("Demo", &square(37.25, 37.75))?;
/// assert!((share.pct(&Status::OCCUPIED) - 50.0).abs() < 0.01);
/// assert!((share.unmarked.pct - 50.0).abs() < 0.01);
/// assert_eq!(share.pct(&Status::CONTESTED), 0.0);
/// let json = serde_json::to_value(&share).unwrap();
/// assert!(json["status"]["liberated"]["km2"].is_number());
/// // A zone that does not say since when it is occupied: the split is unknown.
/// assert!(share.occupied_split.is_none());
/// assert!(json["status"]["occupied_since_2022"].is_null());
/// assert!(share.km2(&Status::OCCUPIED_SINCE_2022).is_nan());
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Share {
    /// The region's label.
    pub region: String,
    /// The region's id in its file ([`Place::id`]): labels need not be unique.
    pub id: Option<String>,
    /// The region's geodesic area in km².
    pub area_km2: f64,
    /// Each status's ground in the region, strongest first.
    pub statuses: Vec<(Status, Amount)>,
    /// Ground no zone covers.
    pub unmarked: Amount,
    /// The occupied ground's parts since 2014 and since 2022 (they sum to
    /// occupied); `None` when the snapshot cannot tell them apart.
    pub occupied_split: Option<OccupiedSplit>,
}

/// The occupied ground of a region, by since when it is held ([`Occupation`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct OccupiedSplit {
    /// Occupied since 2014: Crimea, ORDLO ("CADR and CALR"), Tuzla.
    pub since_2014: Amount,
    /// Occupied since 24 February 2022.
    pub since_2022: Amount,
}

impl OccupiedSplit {
    /// The amount of one part.
    pub fn get(&self, occupation: Occupation) -> Amount {
        match occupation {
            Occupation::Since2014 => self.since_2014,
            Occupation::Since2022 => self.since_2022,
        }
    }
}

/// How far, relatively, the percentages of a share may sum from 100.
const SUM_TOLERANCE: f64 = 1e-9;
/// How far, relatively, the layers' km² may exceed the region's area before it
/// is a wrong measure rather than the planar crossings' and geodesic edges'
/// disagreement (see `share_in`): the level at which the measure agrees with
/// the independent peer.
const MODEL_TOLERANCE: f64 = 1e-5;

impl Share {
    /// Checks the invariants (see [`Share`]): an error naming the region and the
    /// figure when one does not hold.
    ///
    /// ```
    /// use frontline::measure::{Amount, Share};
    /// let mut share = Share {
    ///     region: "R".into(),
    ///     area_km2: 10.0,
    ///     statuses: vec![(frontline::Status::OCCUPIED, Amount { km2: 4.0, pct: 40.0 })],
    ///     unmarked: Amount { km2: 6.0, pct: 60.0 },
    ///     id: None,
    ///     occupied_split: None,
    /// };
    /// assert!(share.check().is_ok());
    /// share.statuses[0].1 = Amount { km2: 11.0, pct: 110.0 };
    /// assert!(share.check().is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// An error naming the region and the figure when an invariant does not hold.
    pub fn check(&self) -> Result<()> {
        self.check_as(&self.region)
    }

    /// [`Share::check`], the region named `region` in the error (a series'
    /// tables keep labels in the [`Regions`], not in each share).
    fn check_as(&self, region: &str) -> Result<()> {
        let wrong = |what: String| {
            Err(Error::Invalid(format!(
                "{region}: {what}: the measure is wrong (a bug; please report it with the files)"
            )))
        };
        if !(self.area_km2.is_finite() && self.area_km2 >= 0.0) {
            return wrong(format!("area {} km²", self.area_km2));
        }
        let amounts = self
            .statuses
            .iter()
            .map(|(s, a)| (s.as_str(), a))
            .chain(std::iter::once((UNMARKED, &self.unmarked)));
        let mut sum = 0.0;
        for (status, a) in amounts {
            if !(a.km2.is_finite() && a.km2 >= 0.0 && (0.0..=100.0).contains(&a.pct)) {
                return wrong(format!("{status} {} km², {} %", a.km2, a.pct));
            }
            sum += a.pct;
        }
        if self.area_km2 > 0.0 && (sum - 100.0).abs() > 100.0 * SUM_TOLERANCE {
            return wrong(format!("percentages sum to {sum}"));
        }
        if let Some(split) = &self.occupied_split {
            let occupied = self.get(&Status::OCCUPIED).km2;
            for (part, a) in [
                ("since 2014", split.since_2014),
                ("since 2022", split.since_2022),
            ] {
                if !(a.km2.is_finite() && a.km2 >= 0.0 && (0.0..=100.0).contains(&a.pct)) {
                    return wrong(format!("occupied {part} {} km², {} %", a.km2, a.pct));
                }
            }
            let parts = split.since_2014.km2 + split.since_2022.km2;
            if (parts - occupied).abs() > occupied.max(1e-9) * SUM_TOLERANCE {
                return wrong(format!(
                    "occupied's parts sum to {parts} km², not {occupied}"
                ));
            }
        }
        Ok(())
    }

    /// The amount of one status, of one of occupied's parts
    /// ([`Status::OCCUPIED_SINCE_2014`], [`Status::OCCUPIED_SINCE_2022`]) or of
    /// `unmarked`; NaN km² and % where the share cannot tell it (a status the
    /// snapshot does not measure, or a part when the split is unknown), never a
    /// zero that looks known.
    pub fn get(&self, status: &Status) -> Amount {
        self.figure(status).unwrap_or(Amount {
            km2: f64::NAN,
            pct: f64::NAN,
        })
    }

    /// The amount of a status, of one of occupied's parts, or of `unmarked`, as
    /// results show it: `None` for a status the snapshot does not measure, and for
    /// a part when the split is unknown.
    ///
    /// ```
    /// use frontline::{Snapshot, Status, Zone};
    /// use geo::{polygon, MultiPolygon};
    /// let square = MultiPolygon(vec![polygon![
    ///     (x: 37.0, y: 48.0), (x: 37.5, y: 48.0), (x: 37.5, y: 48.5), (x: 37.0, y: 48.5)]]);
    /// let share = Snapshot::new(None, vec![Zone::new(Status::OCCUPIED, square.clone())])
    ///     .share_of("Demo", &square)?;
    /// assert!(share.figure(&Status::OCCUPIED).is_some());
    /// assert!(share.figure(&Status::OCCUPIED_SINCE_2014).is_none());
    /// assert!(share.figure(&Status::new("unmarked")).is_some());
    /// // Measured, with no ground: zero. Not measured at all: unknown.
    /// assert_eq!(share.figure(&Status::CONTESTED).map(|a| a.km2), Some(0.0));
    /// assert!(share.figure(&Status::new("disputed")).is_none());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn figure(&self, status: &Status) -> Option<Amount> {
        if status.as_str() == UNMARKED {
            return Some(self.unmarked);
        }
        match Occupation::from_status(status) {
            Some(occupation) => self.occupied_split.map(|s| s.get(occupation)),
            None => self
                .statuses
                .iter()
                .find(|(s, _)| s == status)
                .map(|(_, a)| *a),
        }
    }

    /// Every figure results show, in order: each status ([`listed_statuses`]: the
    /// standard four, measured or not, and any other measured; the parts of
    /// occupied right after it), then `unmarked`; `None` where the share cannot
    /// tell it. What tables, CSV, JSON and exports list, so that they all list the
    /// same, and files of every kind line up.
    ///
    /// ```
    /// use frontline::{Snapshot, Status, Zone};
    /// use geo::{polygon, MultiPolygon};
    /// let square = MultiPolygon(vec![polygon![
    ///     (x: 37.0, y: 48.0), (x: 37.5, y: 48.0), (x: 37.5, y: 48.5), (x: 37.0, y: 48.5)]]);
    /// let share = Snapshot::new(None, vec![Zone::new(Status::OCCUPIED, square.clone())])
    ///     .share_of("Demo", &square)?;
    /// let figures = share.figures();
    /// let names: Vec<&str> = figures.iter().map(|(s, _)| s.as_str()).collect();
    /// assert_eq!(&names[..3], ["occupied", "occupied_since_2014", "occupied_since_2022"]);
    /// assert_eq!(names.last(), Some(&"unmarked"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn figures(&self) -> Vec<(Status, Option<Amount>)> {
        let statuses = listed_statuses(self.statuses.iter().map(|(s, _)| s.clone()));
        figure_names(statuses)
            .into_iter()
            .map(|s| {
                let amount = self.figure(&s);
                (s, amount)
            })
            .collect()
    }

    /// km² of one status.
    pub fn km2(&self, status: &Status) -> f64 {
        self.get(status).km2
    }

    /// Percent of one status.
    pub fn pct(&self, status: &Status) -> f64 {
        self.get(status).pct
    }
}

impl Serialize for Share {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct ByStatus<'a>(&'a Share);
        impl Serialize for ByStatus<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let figures = self.0.figures();
                let mut map = serializer.serialize_map(Some(figures.len()))?;
                for (status, amount) in &figures {
                    map.serialize_entry(status.as_str(), amount)?;
                }
                map.end()
            }
        }
        let mut s = serializer.serialize_struct("Share", 4)?;
        s.serialize_field("region", &self.region)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("area_km2", &self.area_km2)?;
        s.serialize_field("status", &ByStatus(self))?;
        s.end()
    }
}

/// The statuses results list for a snapshot that measures `measured`: the
/// default precedence's four (occupied, contested, liberated, other), whether
/// measured or not, so that results of every kind of file line up (unknown where
/// not measured), then any other measured status; strongest first.
///
/// ```
/// use frontline::measure::listed_statuses;
/// use frontline::Status;
/// let names = listed_statuses([Status::new("disputed"), Status::OCCUPIED]);
/// let names: Vec<&str> = names.iter().map(Status::as_str).collect();
/// assert_eq!(names, ["occupied", "contested", "liberated", "other", "disputed"]);
/// ```
pub fn listed_statuses(measured: impl IntoIterator<Item = Status>) -> Vec<Status> {
    let precedence = crate::model::Precedence::default();
    let mut all = precedence.statuses().to_vec();
    for status in measured {
        if !all.contains(&status) {
            all.push(status);
        }
    }
    precedence.sort(&mut all);
    all
}

/// The names results list for these statuses (strongest first): each status, the
/// parts of occupied right after it, then `unmarked`.
///
/// ```
/// use frontline::measure::figure_names;
/// use frontline::Status;
/// let names = figure_names([Status::OCCUPIED, Status::CONTESTED]);
/// let names: Vec<&str> = names.iter().map(Status::as_str).collect();
/// assert_eq!(names, ["occupied", "occupied_since_2014", "occupied_since_2022", "contested", "unmarked"]);
/// ```
pub fn figure_names(statuses: impl IntoIterator<Item = Status>) -> Vec<Status> {
    let mut out = Vec::new();
    for status in statuses {
        let occupied = status == Status::OCCUPIED;
        out.push(status);
        if occupied {
            out.extend(Occupation::ALL.map(Occupation::status));
        }
    }
    out.push(Status::new(UNMARKED));
    out
}

/// An area as results give it: never `-0.0` (an empty sum, or a boundary
/// measure's terms cancelling out, gives one, and it prints as "-0.0"), and
/// rounding noise below zero (under a square metre) read as the zero it is.
/// Anything further below zero is left as it is, to show.
pub(crate) fn zero_signed(km2: f64) -> f64 {
    if km2 <= 0.0 && km2 > -1e-6 { 0.0 } else { km2 }
}

/// A region prepared for many shares (one per snapshot of a series): its
/// geodesic area is measured once, not once per snapshot.
///
/// ```
/// use frontline::{import, measure::Region};
/// let towns = import::read_places("data/city.geojson")?;
/// let city = Region::from_place(towns.find("Demo City")?[0])?;
/// for file in ["deepstate_20250601.geojson", "deepstate_20250801.geojson"] {
///     let snapshot = import::read_zones(format!("data/snapshots/{file}"), None)?.snapshot;
///     let share = snapshot.share_in(&city)?;
///     assert_eq!(share.area_km2, city.area_km2());
/// }
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Region<'a> {
    label: &'a str,
    id: Option<&'a str>,
    area: &'a MultiPolygon<f64>,
    area_km2: f64,
    outline: Option<Outline>,
    // Prepared on first use: only where boundaries touch is it needed.
    grid: OnceLock<Option<Grid>>,
    /// Measures by what each read near the region.
    memo: Memo<8, f64>,
    /// Measures by the digest of the whole layer: a layer that did not change
    /// from one snapshot to the next (other countries' ground, liberated ground,
    /// the part held since 2014, on most days) is not read again at all.
    seen: Memo<16, Measured>,
}

/// The last few measures of a region, by the digest of what each read
/// ([`super::boundary::Near::key`], 128 bits): equal digests, equal inputs,
/// equal figures, bit for bit. A handful, since the threads of a series work
/// through different stretches of the archive at once.
#[derive(Debug)]
struct Memo<const SIZE: usize, V>(std::sync::Mutex<Vec<(u128, V)>>);

impl<const SIZE: usize, V> Default for Memo<SIZE, V> {
    fn default() -> Memo<SIZE, V> {
        Memo(std::sync::Mutex::new(Vec::new()))
    }
}

impl<const SIZE: usize, V: Copy> Memo<SIZE, V> {
    fn get(&self, key: u128) -> Option<V> {
        let memo = self.0.lock().ok()?;
        memo.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    fn put(&self, key: u128, value: V) {
        if let Ok(mut memo) = self.0.lock() {
            if memo.len() == SIZE {
                memo.remove(0);
            }
            memo.push((key, value));
        }
    }
}

/// A copy starts with nothing remembered.
impl<const SIZE: usize, V> Clone for Memo<SIZE, V> {
    fn clone(&self) -> Memo<SIZE, V> {
        Memo::default()
    }
}

/// km² of a layer in a region, and whether it was read from the two boundaries
/// near the region ([`Outline::near`]): only such a figure is a function of the
/// layer's edges near the region alone, and may be carried over to a snapshot
/// whose layer did not change there ([`Before`]).
#[derive(Clone, Copy, Debug)]
struct Measured {
    km2: f64,
    near: bool,
}

impl<'a> Region<'a> {
    /// A region from a label and its ground.
    pub fn new(label: &'a str, area: &'a MultiPolygon<f64>) -> Region<'a> {
        // The edges' geodesic terms are the costly part of both the area and the
        // outline: computed once for the two.
        let terms = ring_terms(area);
        Region {
            label,
            id: None,
            area,
            area_km2: area_km2_from_terms(area, &terms),
            outline: Outline::new(area, &terms),
            grid: OnceLock::new(),
            memo: Memo::default(),
            seen: Memo::default(),
        }
    }

    /// km² of `layer` within the region: the area of [`Layer::intersection`],
    /// measured from the two boundaries, or, where they touch, from the
    /// intersection built on the region's own grid.
    #[cfg(test)]
    fn km2_of(&self, layer: &Layer) -> f64 {
        self.measure(layer).km2
    }

    /// km² of `layer` within the region, and how it was read: the figure of a
    /// layer unchanged since the last measure, or from the two boundaries, or,
    /// where they touch, from the intersection built on the region's own grid.
    fn measure(&self, layer: &Layer) -> Measured {
        let whole = layer.edges().digest;
        if let Some(measured) = self.seen.get(whole) {
            return measured;
        }
        let measured = self.read(layer);
        self.seen.put(whole, measured);
        measured
    }

    /// [`Region::measure`], read from the layer near the region.
    fn read(&self, layer: &Layer) -> Measured {
        if let Some(outline) = &self.outline
            && let Some(near) = outline.near(layer)
        {
            let near_km2 = |m2: f64| Measured {
                km2: m2 / 1e6,
                near: true,
            };
            // Consecutive snapshots of an archive mostly leave a region's part of
            // the layer as it was: the measure of what it reads is remembered.
            if let Some(m2) = self.memo.get(near.key) {
                return near_km2(m2);
            }
            if let Some((m2, terms)) = outline.measure(&near, false) {
                // The short-edge series is within its bound of GeographicLib
                // unless the region is too small for that many terms.
                let m2 = match within_bound(terms, self.area_km2 * 1e6) {
                    true => Some(m2),
                    false => outline.measure(&near, true).map(|(m2, _)| m2),
                };
                if let Some(m2) = m2 {
                    self.memo.put(near.key, m2);
                    return near_km2(m2);
                }
            }
        }
        let Some(grid) = self
            .grid
            .get_or_init(|| Grid::new(self.area, self.area_km2 * 1e6))
        else {
            return Measured {
                km2: 0.0,
                near: false,
            };
        };
        let m2: f64 = layer
            .pieces_near(self.area)
            .iter()
            .map(|(pieces, parts)| grid.intersection_m2(pieces, parts))
            .fold(0.0, |a, b| a + b);
        Measured {
            km2: m2 / 1e6,
            near: false,
        }
    }

    /// [`Region::measure`], or the figure of the snapshot before where the layer
    /// did not change near the region (`changes`: the boxes of
    /// [`LayerEdges::changes_since`]; `before`: that snapshot's figure, when read
    /// from the boundaries). The same figure either way, to the bit; `true` when
    /// carried over.
    fn measure_after(
        &self,
        layer: &Layer,
        changes: Option<&[Rect<f64>]>,
        before: Option<f64>,
    ) -> (Measured, bool) {
        if let (Some(changes), Some(km2)) = (changes, before)
            && self.untouched_by(changes)
        {
            return (Measured { km2, near: true }, true);
        }
        (self.measure(layer), false)
    }

    /// Whether the region's box meets none of `changes` (the boxes of
    /// [`LayerEdges::changes_since`]), so that a figure it read from the
    /// boundaries before is its figure now. `false` for a region measured
    /// otherwise.
    fn untouched_by(&self, changes: &[Rect<f64>]) -> bool {
        let Some(outline) = &self.outline else {
            return false;
        };
        let bbox = outline.bbox();
        !changes.iter().any(|r| {
            r.min().x <= bbox.max().x
                && bbox.min().x <= r.max().x
                && r.min().y <= bbox.max().y
                && bbox.min().y <= r.max().y
        })
    }

    /// A region from a place; an error for a point.
    ///
    /// # Errors
    ///
    /// An error naming the place when it is a point.
    pub fn from_place(place: &'a Place) -> Result<Region<'a>> {
        let area = place.area().ok_or_else(|| {
            Error::Invalid(format!(
                "{} is a point, not an area: control shares need a polygon",
                place.label()
            ))
        })?;
        let mut region = Region::new(place.label(), area);
        region.id = place.id();
        Ok(region)
    }

    /// Its label.
    pub fn label(&self) -> &str {
        self.label
    }

    /// The id of the place it was made from ([`Place::id`]), which its shares
    /// carry; `None` for a region made with [`Region::new`].
    ///
    /// ```
    /// use frontline::{import, measure::Regions};
    /// let towns = import::read_places("data/city.geojson")?;
    /// let regions = Regions::new(&towns.iter().collect::<Vec<_>>())?;
    /// let ids: Vec<_> = regions.regions().iter().map(|r| r.id()).collect();
    /// assert_eq!(ids, [Some("0"), Some("1")]);
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// assert_eq!(regions.shares(&snapshot)?[1].id.as_deref(), Some("1"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn id(&self) -> Option<&str> {
        self.id
    }

    /// Its ground.
    pub fn area(&self) -> &MultiPolygon<f64> {
        self.area
    }

    /// Its geodesic area in km².
    pub fn area_km2(&self) -> f64 {
        self.area_km2
    }
}

/// A set of regions prepared for many snapshots: areas measured once, and the box
/// around them, to which each country-wide snapshot is cut down
/// ([`Snapshot::clipped`]) before its layers are resolved.
///
/// ```
/// use frontline::{import, measure::Regions, Status};
/// let towns = import::read_places("data/city.geojson")?;
/// let regions = Regions::new(&towns.iter().collect::<Vec<_>>())?;
/// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
/// let shares = regions.shares(&snapshot)?;
/// assert_eq!(shares.len(), 2);
/// let whole = snapshot.share(towns.find("Demo Village")?[0])?;
/// assert!((shares[1].km2(&Status::OCCUPIED) - whole.km2(&Status::OCCUPIED)).abs() < 1e-6);
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Regions<'a> {
    regions: Vec<Region<'a>>,
    bounds: Rect<f64>,
}

impl<'a> Regions<'a> {
    /// Prepares places; an error when one is a point or there are none.
    ///
    /// # Errors
    ///
    /// An error when a place is a point or there is no region with an area.
    pub fn new(places: &[&'a Place]) -> Result<Regions<'a>> {
        let regions = places
            .par_iter()
            .map(|p| Region::from_place(p))
            .collect::<Result<Vec<Region<'a>>>>()?;
        let bounds = regions
            .iter()
            .filter_map(|r| r.area().bounding_rect())
            .reduce(|a, b| rect_union(&a, &b))
            .ok_or_else(|| Error::Invalid("no region with an area to measure".into()))?;
        Ok(Regions { regions, bounds })
    }

    /// The prepared regions, in the order given.
    pub fn regions(&self) -> &[Region<'a>] {
        &self.regions
    }

    /// The box around all of them.
    pub fn bounds(&self) -> Rect<f64> {
        self.bounds
    }

    /// The box to which snapshots are cut before measuring: [`Regions::bounds`]
    /// with a margin of a thousandth of its size, which keeps the cut off the
    /// regions' outermost vertices (a layer edge through a region's vertex is a
    /// touch, measured the slow way). Nothing outside it changes a share.
    ///
    /// ```
    /// use frontline::{import, measure::Regions};
    /// let towns = import::read_places("data/city.geojson")?;
    /// let regions = Regions::new(&towns.iter().collect::<Vec<_>>())?;
    /// assert!(regions.cut_box().width() > regions.bounds().width());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn cut_box(&self) -> Rect<f64> {
        let (dx, dy) = (self.bounds.width() * 1e-3, self.bounds.height() * 1e-3);
        Rect::new(
            (self.bounds.min().x - dx, self.bounds.min().y - dy),
            (self.bounds.max().x + dx, self.bounds.max().y + dy),
        )
    }

    /// The share of every region in `snapshot`, in order; an error when a
    /// measure breaks the [`Share`] invariants.
    ///
    /// # Errors
    ///
    /// An error when a measure breaks the [`Share`] invariants.
    pub fn shares(&self, snapshot: &Snapshot) -> Result<Vec<Share>> {
        // With nothing before, every share is measured.
        Ok(self
            .measure(snapshot, None, true)?
            .0
            .into_iter()
            .flatten()
            .collect())
    }

    /// [`Regions::shares`], and what they leave for the next snapshot. A
    /// region's share is `None` where its row of the table before stands as it
    /// is (only given `before`); unless `labelled`, shares have no label nor id
    /// (a table takes them from the regions).
    fn measure(
        &self,
        snapshot: &Snapshot,
        before: Option<&Before>,
        labelled: bool,
    ) -> Result<(Vec<Option<Share>>, Before)> {
        // Where the regions' box holds most of the map near it, the layers of
        // the zones that reach the box are resolved whole (or were, by a store)
        // and measured as they are: their edges are indexed, so a region only
        // meets those near it. Otherwise resolving the zones cut to the box is
        // much less work. Either way the figures are the same, to the bit,
        // whether the snapshot comes from its file or from a store.
        let rect = self.cut_box();
        let own;
        let near = if !snapshot.measured_whole(rect) {
            own = snapshot.clipped(rect);
            &own
        } else if snapshot.far_zones_stand_alone(rect) {
            snapshot
        } else {
            own = snapshot.meeting(rect);
            &own
        };
        let layers = near.measured_layers();
        let slots = layers.slots();
        // Per slot: where its layer changed since the snapshot before, and where
        // that snapshot's figures of it are.
        let changes: Vec<Changed> = slots
            .iter()
            .map(|(status, layer)| {
                let before = before?;
                let j = before.layers.iter().position(|(s, _)| s == status)?;
                let edges = before.layers[j].1.as_ref()?;
                Some(((*layer)?.edges().changes_since(edges), j))
            })
            .collect();
        // A region's whole row of the table before stands where the snapshot
        // measures the same layers in the same order, and none of those it
        // meets changed near it: its figures are those before, and a share is
        // a function of its figures.
        let rows_before = before.filter(|b| {
            b.table.is_some()
                && b.layers.len() == slots.len()
                && b.layers
                    .iter()
                    .zip(&slots)
                    .enumerate()
                    .all(|(k, ((s, e), (t, l)))| {
                        s == t
                            && e.is_some() == l.is_some()
                            && changes[k].as_ref().is_none_or(|(_, j)| *j == k)
                    })
        });
        let row_stands = |r: &Region<'_>, figures: &[Option<f64>]| {
            slots.iter().enumerate().all(|(k, (_, layer))| {
                layer.is_none()
                    || changes[k]
                        .as_ref()
                        .is_some_and(|(boxes, _)| figures[k].is_some() && r.untouched_by(boxes))
            })
        };
        // In parallel for one snapshot; a series measures its snapshots in
        // parallel too, and rayon shares the cores between the two levels.
        let measured: Vec<(Option<Share>, Vec<Option<f64>>, usize)> = self
            .regions
            .par_iter()
            .enumerate()
            .map(|(i, r)| {
                if let Some(b) = rows_before
                    && row_stands(r, &b.figures[i])
                {
                    let carried = b.figures[i].iter().flatten().count();
                    return Ok((None, b.figures[i].clone(), carried));
                }
                let carry = before.map(|b| Carry {
                    changes: &changes,
                    figures: &b.figures[i],
                });
                let (share, figures, carried) = near.share_with(&layers, r, carry, labelled)?;
                Ok((Some(share), figures, carried))
            })
            .collect::<Result<_>>()?;
        let mut next = Before {
            layers: slots
                .iter()
                .map(|(s, l)| (s.clone(), l.map(|l| l.edges().clone())))
                .collect(),
            figures: Vec::with_capacity(measured.len()),
            table: None,
            carried: 0,
        };
        let mut shares = Vec::with_capacity(measured.len());
        for (share, figures, carried) in measured {
            shares.push(share);
            next.figures.push(figures);
            next.carried += carried;
        }
        Ok((shares, next))
    }

    /// [`Regions::shares`] packed in a [`ShareTable`].
    ///
    /// # Errors
    ///
    /// An error when a measure breaks the [`Share`] invariants.
    pub fn table(&self, snapshot: &Snapshot) -> Result<ShareTable> {
        Ok(ShareTable::pack(&self.shares(snapshot)?))
    }

    /// [`Regions::table`] of the next snapshot of a series, given what the one
    /// before it left (`None` for the first): a region's figure is carried over
    /// where its layer did not change near it. The same table as
    /// [`Regions::table`], to the bit.
    pub(crate) fn table_after(
        &self,
        snapshot: &Snapshot,
        before: Option<&Before>,
    ) -> Result<(ShareTable, Before)> {
        let (shares, mut next) = self.measure(snapshot, before, false)?;
        let table = match before.and_then(|b| b.table.as_ref()) {
            Some(rows) if shares.iter().any(Option::is_none) => {
                let width = ShareTable::width(rows.statuses.len(), rows.split);
                let mut values = Vec::with_capacity(rows.values.len());
                for (i, share) in shares.iter().enumerate() {
                    match share {
                        Some(share) => ShareTable::pack_row(&mut values, share, rows.split),
                        None => values.extend_from_slice(&rows.values[i * width..(i + 1) * width]),
                    }
                }
                ShareTable {
                    statuses: rows.statuses.clone(),
                    split: rows.split,
                    values,
                }
            }
            _ => ShareTable::pack(&shares.into_iter().flatten().collect::<Vec<_>>()),
        };
        next.table = Some(table.clone());
        Ok((table, next))
    }
}

/// What a series measured in one snapshot, for the next
/// ([`Regions::table_after`]): the boundary of each layer measured, and each
/// region's figures that were read from the boundaries near it.
pub(crate) struct Before {
    /// Per slot ([`MeasuredLayers::slots`]): its status (`None`: the part
    /// occupied since 2014) and its layer's edges.
    layers: Vec<(Option<Status>, Option<Arc<LayerEdges>>)>,
    /// Per region, per slot: km², when read from the boundaries.
    figures: Vec<Vec<Option<f64>>>,
    /// The table made of them ([`Regions::table_after`]).
    table: Option<ShareTable>,
    /// How many figures were carried over from the snapshot before this one.
    pub(crate) carried: usize,
}

/// Per slot of a snapshot: the boxes where its layer changed since the snapshot
/// before ([`LayerEdges::changes_since`]) and that snapshot's slot of the same
/// status; `None` when there is nothing to compare with.
type Changed = Option<(Vec<Rect<f64>>, usize)>;

/// One region's view of [`Before`] in the next snapshot.
#[derive(Clone, Copy)]
struct Carry<'c> {
    changes: &'c [Changed],
    figures: &'c [Option<f64>],
}

/// The shares of every region of a [`Regions`] in one snapshot, in one array of
/// figures (the regions' labels and ids stay in the [`Regions`]): about a tenth
/// of the memory of the [`Share`]s, for series of thousands of regions over
/// hundreds of snapshots. [`ShareTable::share`] gives each region's [`Share`]
/// back, equal to the one [`Snapshot::share_in`] measures.
///
/// ```
/// use frontline::{import, measure::Regions, Status};
/// let towns = import::read_places("data/city.geojson")?;
/// let regions = Regions::new(&towns.iter().collect::<Vec<_>>())?;
/// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
/// let table = regions.table(&snapshot)?;
/// assert_eq!(table.len(), 2);
/// assert_eq!(table.share(&regions, 1), regions.shares(&snapshot)?[1]);
/// assert_eq!(table.statuses()[0], Status::OCCUPIED);
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ShareTable {
    statuses: Vec<Status>,
    split: bool,
    /// Per region: km² and % of each status, of unmarked, then (when `split`)
    /// of occupied since 2014 and since 2022.
    values: Vec<f64>,
}

impl ShareTable {
    fn width(statuses: usize, split: bool) -> usize {
        2 * statuses + 2 + if split { 4 } else { 0 }
    }

    /// Packs the shares of one snapshot (all measured with the same statuses).
    fn pack(shares: &[Share]) -> ShareTable {
        let statuses: Vec<Status> = shares
            .first()
            .map(|s| s.statuses.iter().map(|(s, _)| s.clone()).collect())
            .unwrap_or_default();
        let split = shares.first().is_some_and(|s| s.occupied_split.is_some());
        let mut values = Vec::with_capacity(shares.len() * Self::width(statuses.len(), split));
        for share in shares {
            debug_assert_eq!(share.statuses.len(), statuses.len());
            Self::pack_row(&mut values, share, split);
        }
        ShareTable {
            statuses,
            split,
            values,
        }
    }

    /// Appends a share's row.
    fn pack_row(values: &mut Vec<f64>, share: &Share, split: bool) {
        for (_, a) in &share.statuses {
            values.extend([a.km2, a.pct]);
        }
        values.extend([share.unmarked.km2, share.unmarked.pct]);
        if let Some(p) = share.occupied_split.filter(|_| split) {
            values.extend([p.since_2014.km2, p.since_2014.pct]);
            values.extend([p.since_2022.km2, p.since_2022.pct]);
        }
    }

    /// The number of regions.
    pub fn len(&self) -> usize {
        self.values.len() / Self::width(self.statuses.len(), self.split)
    }

    /// Whether it holds no region.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The statuses measured, strongest first (the same for every region).
    pub fn statuses(&self) -> &[Status] {
        &self.statuses
    }

    /// Whether the snapshot told occupied since 2014 from since 2022.
    pub fn splits_occupation(&self) -> bool {
        self.split
    }

    /// The share of region `i` of `regions` (the [`Regions`] the table was
    /// measured for).
    ///
    /// # Panics
    ///
    /// When `i` is not below [`ShareTable::len`].
    pub fn share(&self, regions: &Regions<'_>, i: usize) -> Share {
        let width = Self::width(self.statuses.len(), self.split);
        let row = &self.values[i * width..(i + 1) * width];
        let amount = |j: usize| Amount {
            km2: row[j],
            pct: row[j + 1],
        };
        let n = self.statuses.len();
        let region = &regions.regions[i];
        Share {
            region: region.label.to_string(),
            id: region.id.map(str::to_string),
            area_km2: region.area_km2,
            statuses: (0..n)
                .map(|k| (self.statuses[k].clone(), amount(2 * k)))
                .collect(),
            unmarked: amount(2 * n),
            occupied_split: self.split.then(|| OccupiedSplit {
                since_2014: amount(2 * n + 2),
                since_2022: amount(2 * n + 4),
            }),
        }
    }

    /// km² of one status in region `i`; NaN where the table cannot tell it (a
    /// status not measured, or a part of occupied when the split is unknown), as
    /// [`Share::km2`].
    ///
    /// # Panics
    ///
    /// When `i` is not below [`ShareTable::len`].
    pub fn km2(&self, i: usize, status: &Status) -> f64 {
        self.figure(i, status).map_or(f64::NAN, |a| a.km2)
    }

    /// The amount of a status, of one of occupied's parts, or of `unmarked` in
    /// region `i`, as [`Share::figure`] gives it.
    ///
    /// # Panics
    ///
    /// When `i` is not below [`ShareTable::len`].
    pub fn figure(&self, i: usize, status: &Status) -> Option<Amount> {
        self.columns(std::slice::from_ref(status))[0].map(|column| self.amount_at(i, column))
    }

    /// Where each of `figures` is in a region's row (for [`ShareTable::amount_at`]),
    /// found once for all regions; `None` where the table cannot tell it, as
    /// [`Share::figure`]: a status the snapshot did not measure, or a part of
    /// occupied when the split is unknown.
    pub(crate) fn columns(&self, figures: &[Status]) -> Vec<Option<usize>> {
        let n = self.statuses.len();
        figures
            .iter()
            .map(|status| {
                if status.as_str() == UNMARKED {
                    return Some(2 * n);
                }
                match Occupation::from_status(status) {
                    Some(_) if !self.split => None,
                    Some(Occupation::Since2014) => Some(2 * n + 2),
                    Some(Occupation::Since2022) => Some(2 * n + 4),
                    None => self
                        .statuses
                        .iter()
                        .position(|s| s == status)
                        .map(|k| 2 * k),
                }
            })
            .collect()
    }

    /// The amount at a column [`ShareTable::columns`] found, in region `i`.
    pub(crate) fn amount_at(&self, i: usize, column: usize) -> Amount {
        let width = Self::width(self.statuses.len(), self.split);
        Amount {
            km2: self.values[i * width + column],
            pct: self.values[i * width + column + 1],
        }
    }

    /// Every region's share, in order.
    pub fn shares(&self, regions: &Regions<'_>) -> Vec<Share> {
        (0..self.len()).map(|i| self.share(regions, i)).collect()
    }
}

/// A snapshot's layers as its shares measure them: each status's, and, when the
/// snapshot splits occupied ground, the part held since 2014 (`Some(None)`: none).
struct MeasuredLayers<'s> {
    statuses: Vec<(Status, Option<&'s Layer>)>,
    older: Option<Option<&'s Layer>>,
}

impl MeasuredLayers<'_> {
    /// The layers in the order figures are kept: each status's, then the part
    /// since 2014 (status `None`) when there is one.
    fn slots(&self) -> Vec<(Option<Status>, Option<&Layer>)> {
        let mut slots: Vec<(Option<Status>, Option<&Layer>)> = self
            .statuses
            .iter()
            .map(|(s, l)| (Some(s.clone()), *l))
            .collect();
        if let Some(older) = self.older {
            slots.push((None, older));
        }
        slots
    }
}

impl Snapshot {
    /// The share of each status in a place's area; an error for a point.
    ///
    /// # Errors
    ///
    /// An error when `region` is a point or the measure breaks the [`Share`]
    /// invariants.
    pub fn share(&self, region: &Place) -> Result<Share> {
        self.share_in(&Region::from_place(region)?)
    }

    /// The share of each status in `area`, labelled `region`; an error when the
    /// measure breaks the [`Share`] invariants.
    ///
    /// # Errors
    ///
    /// An error when the measure breaks the [`Share`] invariants.
    pub fn share_of(&self, region: &str, area: &MultiPolygon<f64>) -> Result<Share> {
        self.share_in(&Region::new(region, area))
    }

    /// The share of each status in a prepared region; an error when the measure
    /// breaks the [`Share`] invariants.
    ///
    /// # Errors
    ///
    /// An error when the measure breaks the [`Share`] invariants.
    pub fn share_in(&self, region: &Region<'_>) -> Result<Share> {
        Ok(self
            .share_with(&self.measured_layers(), region, None, true)?
            .0)
    }

    /// The layers every share measures, found once per snapshot.
    fn measured_layers(&self) -> MeasuredLayers<'_> {
        MeasuredLayers {
            statuses: self
                .statuses()
                .into_iter()
                .map(|s| {
                    let layer = self.layer(&s);
                    (s, layer)
                })
                .collect(),
            older: self
                .splits_occupation()
                .then(|| self.occupied_part(Occupation::Since2014)),
        }
    }

    /// A region's share (labelled with the region's label and id if
    /// `labelled`), its figures read from the boundaries (per slot, for the next
    /// snapshot of a series), and how many were carried over.
    fn share_with(
        &self,
        layers: &MeasuredLayers<'_>,
        region: &Region<'_>,
        carry: Option<Carry<'_>>,
        labelled: bool,
    ) -> Result<(Share, Vec<Option<f64>>, usize)> {
        let mut figures: Vec<Option<f64>> = Vec::new();
        let mut carried = 0;
        let mut read = |layer: Option<&Layer>| -> f64 {
            let slot = figures.len();
            let Some(layer) = layer else {
                figures.push(None);
                return 0.0;
            };
            let (changes, before) = match carry.and_then(|c| {
                let (changes, j) = c.changes[slot].as_ref()?;
                Some((changes.as_slice(), c.figures.get(*j).copied().flatten()))
            }) {
                Some((changes, before)) => (Some(changes), before),
                None => (None, None),
            };
            let (measured, was_carried) = region.measure_after(layer, changes, before);
            carried += usize::from(was_carried);
            figures.push(measured.near.then_some(measured.km2));
            measured.km2
        };
        let area_km2 = region.area_km2;
        let pct = |km2: f64| {
            if area_km2 > 0.0 {
                // All of the region, give or take rounding, is 100 %; more is
                // left for `check` to refuse.
                let p = 100.0 * km2 / area_km2;
                if p > 100.0 && p <= 100.0 * (1.0 + SUM_TOLERANCE) {
                    100.0
                } else {
                    p
                }
            } else {
                0.0
            }
        };
        let mut measured: Vec<(Status, f64)> = layers
            .statuses
            .iter()
            .map(|(status, layer)| (status.clone(), read(*layer)))
            .collect();
        let marked: f64 = measured.iter().map(|(_, km2)| km2).sum();
        // Layers are disjoint, so what is left is unmarked. The layers' km² can
        // come out a hair over the region's area where a layer's boundary runs
        // into the region close along its edges: crossing points lie on straight
        // lines in longitude/latitude, the edges between them are geodesics, and
        // the two differ by the edges' bulge (6.7e-9 of Kolomyichyska hromada, all
        // occupied, on 2025-03-01). Within `MODEL_TOLERANCE` the layers are scaled
        // down to the region's area together, so that the shares sum to 100 %
        // with nothing unmarked; more is a wrong measure, caught by `check`.
        let mut scale = 1.0;
        let unmarked = if marked > area_km2 && marked <= area_km2 * (1.0 + MODEL_TOLERANCE) {
            scale = area_km2 / marked;
            measured.iter_mut().for_each(|(_, km2)| *km2 *= scale);
            0.0
        } else {
            zero_signed(area_km2 - marked)
        };
        let occupied = measured
            .iter()
            .find(|(s, _)| *s == Status::OCCUPIED)
            .map_or(0.0, |(_, km2)| *km2);
        let occupied_split = layers.older.map(|older| {
            let older = zero_signed((read(older) * scale).min(occupied));
            // The newer part is the rest: the two sum to occupied exactly.
            let newer = zero_signed((occupied - older).max(0.0));
            OccupiedSplit {
                since_2014: Amount {
                    km2: older,
                    pct: pct(older),
                },
                since_2022: Amount {
                    km2: newer,
                    pct: pct(newer),
                },
            }
        });
        let statuses: Vec<(Status, Amount)> = measured
            .into_iter()
            .map(|(status, km2)| {
                let km2 = zero_signed(km2);
                (status, Amount { km2, pct: pct(km2) })
            })
            .collect();
        let share = Share {
            region: if labelled {
                region.label.to_string()
            } else {
                String::new()
            },
            id: region.id.filter(|_| labelled).map(str::to_string),
            area_km2,
            statuses,
            unmarked: Amount {
                km2: unmarked,
                pct: pct(unmarked),
            },
            occupied_split,
        };
        share.check_as(region.label)?;
        Ok((share, figures, carried))
    }

    /// km² of each resolved layer over the whole snapshot, strongest first
    /// (statuses with no ground are listed with 0).
    ///
    /// ```
    /// let snap = frontline::import::read_zones("data/snapshots/deepstate_20250601.geojson", None).unwrap().snapshot;
    /// let totals = snap.totals();
    /// assert_eq!(totals[0].0, frontline::Status::OCCUPIED);
    /// assert!(totals[0].1 > 0.0);
    /// ```
    pub fn totals(&self) -> Vec<(Status, f64)> {
        self.statuses()
            .into_iter()
            .map(|s| {
                let km2 = zero_signed(self.layer(&s).map_or(0.0, |l| l.area_km2()));
                (s, km2)
            })
            .collect()
    }

    /// [`Snapshot::totals`] as results list them ([`listed_statuses`], the parts
    /// of occupied after it: [`figure_names`], less `unmarked`): `None` for a
    /// status the snapshot does not measure (the grey zone of an occupied-only
    /// file), and for the parts when the snapshot cannot tell them apart. The part
    /// since 2022 is occupied less the part since 2014, so the two sum to occupied.
    ///
    /// ```
    /// let snap = frontline::import::read_zones("data/snapshots/deepstate_20250601.geojson", None)?.snapshot;
    /// let totals = snap.total_figures();
    /// assert_eq!(totals[1].0, frontline::Status::OCCUPIED_SINCE_2014);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn total_figures(&self) -> Vec<(Status, Option<f64>)> {
        let totals = self.totals();
        let occupied = totals
            .iter()
            .find(|(s, _)| *s == Status::OCCUPIED)
            .map_or(0.0, |(_, km2)| *km2);
        let older = self.splits_occupation().then(|| {
            self.occupied_part(Occupation::Since2014)
                .map_or(0.0, Layer::area_km2)
                .min(occupied)
        });
        let listed = listed_statuses(totals.iter().map(|(s, _)| s.clone()));
        let mut out = Vec::with_capacity(listed.len() + 2);
        for status in listed {
            let km2 = totals
                .iter()
                .find(|(s, _)| *s == status)
                .map(|(_, km2)| *km2);
            let parts = status == Status::OCCUPIED;
            out.push((status, km2));
            if parts {
                out.push((Status::OCCUPIED_SINCE_2014, older));
                out.push((
                    Status::OCCUPIED_SINCE_2022,
                    older.map(|o| (occupied - o).max(0.0)),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::GeodesicAreaKm2;
    use crate::model::Zone;
    use geo::polygon;

    /// A region remembers its measures by the whole layer's digest: layers met
    /// again give their own figures back, never another layer's, and the figures
    /// equal those of a region that remembers nothing.
    #[test]
    fn measures_remembered_by_layer_are_each_layers_own() {
        let square = |x0: f64, x1: f64| {
            MultiPolygon(vec![polygon![
                (x: x0, y: 48.0), (x: x1, y: 48.0), (x: x1, y: 48.5), (x: x0, y: 48.5)]])
        };
        let area = square(37.2, 37.8);
        let region = Region::new("R", &area);
        // The same vertices but one, a millionth of a degree apart.
        let layers = [
            Layer::new(Status::OCCUPIED, square(37.0, 37.5)),
            Layer::new(Status::OCCUPIED, square(37.0, 37.500001)),
            Layer::new(Status::CONTESTED, square(37.5, 38.0)),
        ];
        let fresh: Vec<f64> = layers
            .iter()
            .map(|l| Region::new("R", &area).km2_of(l))
            .collect();
        assert!(fresh[0] < fresh[1]);
        for _ in 0..3 {
            for (layer, want) in layers.iter().zip(&fresh) {
                assert_eq!(region.km2_of(layer).to_bits(), want.to_bits());
            }
        }
        assert_eq!(region.seen.0.lock().unwrap().len(), 3);
    }

    /// A layer that shares part of the region's border is measured by the boolean
    /// operation instead of the boundaries: same answer as a layer just inside.
    #[test]
    fn no_negative_zero() {
        assert!(zero_signed(-0.0).is_sign_positive());
        assert!(zero_signed(-1e-9).is_sign_positive());
        assert_eq!(zero_signed(2.5), 2.5);
        assert_eq!(zero_signed(-1.0), -1.0);
        // A region far from every zone: every amount a positive zero.
        let far = MultiPolygon(vec![polygon![
            (x: 10.0, y: 50.0), (x: 10.1, y: 50.0), (x: 10.1, y: 50.1), (x: 10.0, y: 50.1)]]);
        let near = MultiPolygon(vec![polygon![
            (x: 37.0, y: 48.0), (x: 37.1, y: 48.0), (x: 37.1, y: 48.1), (x: 37.0, y: 48.1)]]);
        let snap = Snapshot::new(None, vec![Zone::new(Status::OCCUPIED, near)]);
        let share = snap.share_of("far", &far).unwrap();
        for (_, a) in &share.statuses {
            assert!(
                a.km2.is_sign_positive() && a.pct.is_sign_positive(),
                "{share:?}"
            );
        }
    }

    /// Remembered measures give the figures a fresh measure gives, bit for bit,
    /// whatever was measured in between; a changed layer is measured anew.
    #[test]
    fn remembered_measures_are_the_measures() {
        let towns = crate::import::read_places("data/city.geojson").unwrap();
        let places: Vec<_> = towns.iter().collect();
        let read = |f: &str| {
            crate::import::read_zones(format!("data/snapshots/{f}"), None)
                .unwrap()
                .snapshot
        };
        let (june, august) = (
            read("deepstate_20250601.geojson"),
            read("deepstate_20250801.geojson"),
        );
        let fresh = |s: &Snapshot| Regions::new(&places).unwrap().shares(s).unwrap();
        let (june_fresh, august_fresh) = (fresh(&june), fresh(&august));
        assert_ne!(june_fresh, august_fresh);
        let kept = Regions::new(&places).unwrap();
        for s in [&june, &august, &june, &june, &august] {
            let got = kept.shares(s).unwrap();
            let want = if std::ptr::eq(s, &june) {
                &june_fresh
            } else {
                &august_fresh
            };
            assert_eq!(&got, want);
        }
        // Something is remembered, and a clone starts afresh.
        assert!(
            kept.regions()
                .iter()
                .any(|r| !r.memo.0.lock().unwrap().is_empty())
        );
        let copy = kept.clone();
        assert!(
            copy.regions()
                .iter()
                .all(|r| r.memo.0.lock().unwrap().is_empty())
        );
    }

    #[test]
    fn touching_layers_are_measured_too() {
        let region = MultiPolygon(vec![polygon![
            (x: 37.0, y: 48.0), (x: 38.0, y: 48.0), (x: 38.0, y: 49.0), (x: 37.0, y: 49.0)]]);
        let half = |x0: f64| {
            Snapshot::new(
                None,
                vec![Zone::new(
                    Status::OCCUPIED,
                    MultiPolygon(vec![polygon![
                        (x: x0, y: 47.5), (x: 37.5, y: 47.5), (x: 37.5, y: 49.5), (x: x0, y: 49.5)]]),
                )],
            )
        };
        let prepared = Region::new("square", &region);
        let touching = half(37.0)
            .share_in(&prepared)
            .unwrap()
            .km2(&Status::OCCUPIED);
        let across = half(36.5)
            .share_in(&prepared)
            .unwrap()
            .km2(&Status::OCCUPIED);
        let west = MultiPolygon(vec![polygon![
            (x: 37.0, y: 48.0), (x: 37.5, y: 48.0), (x: 37.5, y: 49.0), (x: 37.0, y: 49.0)]]);
        let expected = west.geodesic_area_km2();
        assert!((touching - expected).abs() < 1e-6, "{touching} {expected}");
        assert!((across - expected).abs() < 1e-6, "{across} {expected}");
    }

    /// Carried over where a layer did not change near a region, measured again
    /// where it did: the same tables as measured afresh, to the bit.
    #[test]
    fn figures_carried_between_snapshots_are_those_measured_afresh() {
        let square = |x0: f64, x1: f64, y0: f64, y1: f64| {
            MultiPolygon(vec![polygon![
                (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]])
        };
        // Two towns astride the occupied layer's edge, far apart.
        let (north, south) = (
            square(37.0, 37.2, 49.0, 49.2),
            square(37.0, 37.2, 47.0, 47.2),
        );
        // And a region holding the whole map, so that the layers are measured
        // as they are, not cut to the regions' box.
        let all = square(35.9, 37.3, 45.9, 50.1);
        let towns = [north, south, all]
            .map(|area| Place::new(Default::default(), crate::PlaceGeometry::Area(area)));
        let refs: Vec<&Place> = towns.iter().collect();
        // The layer's east edge runs through both; the second snapshot moves it
        // near the south town only, the third nowhere (the same layer).
        let layer = |south_x: f64| {
            MultiPolygon(vec![polygon![
                (x: 36.0, y: 46.0), (x: south_x, y: 46.0), (x: south_x, y: 48.0),
                (x: 37.1, y: 48.0), (x: 37.1, y: 50.0), (x: 36.0, y: 50.0)]])
        };
        // (Moved inwards: the map's extent, and so the grid its layers are
        // resolved on, stays the same; and never to 37.1, where the vertex at
        // the notch would be left out as collinear, changing the edge through
        // the north town.)
        let snapshots: Vec<Snapshot> = [37.08, 37.05, 37.05]
            .iter()
            .map(|&x| Snapshot::new(None, vec![Zone::new(Status::OCCUPIED, layer(x))]))
            .collect();
        let carrying = Regions::new(&refs).unwrap();
        let mut before: Option<Before> = None;
        let mut carried = Vec::new();
        for snapshot in &snapshots {
            let (table, next) = carrying.table_after(snapshot, before.as_ref()).unwrap();
            let fresh = Regions::new(&refs).unwrap().table(snapshot).unwrap();
            assert_eq!(format!("{table:?}"), format!("{fresh:?}"));
            carried.push(next.carried);
            before = Some(next);
        }
        // Nothing to carry at first; then the north town's occupied figure; then
        // every region's (the layer is the same).
        assert_eq!(carried, [0, 1, 3]);
    }

    /// On consecutive real snapshots (the raw daily archive, whose statuses
    /// change a little each day) and weekly ones (more change), every Donetsk
    /// hromada: carried figures are the fresh ones, and most are carried.
    #[test]
    fn carried_figures_on_real_snapshots_are_the_fresh_ones() {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
        let hromadas = data.join("admin/donetsk/hromadas.geojson");
        if !hromadas.is_file() {
            eprintln!(
                "NOTICE: real-data carry-over test skipped: {} not found",
                hromadas.display()
            );
            return;
        }
        let places = crate::import::read_places(&hromadas).unwrap();
        let refs: Vec<&Place> = places.iter().collect();
        let runs = [
            (
                "raw-daily",
                &[
                    "deepstatemap_data_20250301_polygons",
                    "deepstatemap_data_20250302_polygons",
                    "deepstatemap_data_20250303_polygons",
                    "deepstatemap_data_20250304_polygons",
                ][..],
            ),
            (
                "raw-weekly",
                &["1684709725", "1685290853", "1685919265"][..],
            ),
        ];
        for (archive, files) in runs {
            let carrying = Regions::new(&refs).unwrap();
            let mut before: Option<Before> = None;
            let (mut carried, mut read) = (0, 0);
            for file in files {
                let path = data.join(format!("deepstate/{archive}/{file}.geojson.gz"));
                if !path.is_file() {
                    eprintln!("NOTICE: {} not found, skipped", path.display());
                    continue;
                }
                let snapshot = crate::import::read_zones(&path, None).unwrap().snapshot;
                let (table, next) = carrying.table_after(&snapshot, before.as_ref()).unwrap();
                let fresh = Regions::new(&refs).unwrap().table(&snapshot).unwrap();
                assert_eq!(format!("{table:?}"), format!("{fresh:?}"), "{file}");
                carried += next.carried;
                read += before.is_some() as usize;
                before = Some(next);
            }
            // Of 66 hromadas × 3 (daily) or 2 (weekly) snapshots × their layers:
            // 553 and 366 when written.
            assert!(
                read == 0 || carried > 20 * read,
                "{archive}: {carried} carried"
            );
        }
    }
}
