//! Place histories: each place's status on every date of a timeline (for
//! occupied ground, since 2014 or since 2022 where the snapshot tells), when it
//! was first occupied or contested, and how long it spent contested.

use std::path::Path;

use chrono::{DateTime, Utc};
use geo::{BoundingRect, InteriorPoint, Point, Rect, coord};
use serde::Serialize;

use crate::proximity::{OccupiedSince, ProximityIndex, check_point};
use crate::timeline::{LoadOptions, Timeline};
use crate::{Error, Occupation, Place, PlaceGeometry, Result, Snapshot, Status};

/// A place's state on one date: its status (`None`: unmarked) and, where it is
/// occupied, since when ([`ProximityIndex::occupied_since_at`]).
pub type PlaceStatus = (Option<Status>, Option<OccupiedSince>);

/// The places' states on one date, and whether that date's snapshot measures
/// the grey zone at all: an occupied-only archive file does not, so there a place
/// that is not occupied may or may not be contested.
#[derive(Clone, Debug, PartialEq)]
pub struct DayStatuses {
    /// Each place's state, in the order given.
    pub places: Vec<PlaceStatus>,
    /// Whether the snapshot measures `contested` ([`Snapshot::statuses`]).
    pub contested_measured: bool,
}

/// One place through a timeline.
///
/// Days contested count, for every snapshot that has the place contested, the
/// time until the next snapshot (the state is taken to hold until the next map);
/// the last snapshot adds nothing, having no known end. Snapshots that do not
/// measure the grey zone (occupied-only archive files,
/// [`Histories::contested_measured`]) add nothing either, and where no snapshot
/// measures it, days contested are unknown (`None`), never a zero.
///
/// A first date is the first snapshot that shows it: a place already occupied
/// on the timeline's first date was taken on or before that date, and the
/// timeline cannot say when. [`occupied_since`](Self::occupied_since) tells
/// ground held since 2014 (Crimea, ORDLO, Tuzla) from ground taken since
/// 24 February 2022, where the snapshot draws the difference; where it cannot
/// (occupied-only archives, 2022 maps without the standing territories), the
/// date's entry is [`OccupiedSince::Unknown`], never either year.
///
/// ```
/// use frontline::timeline::{LoadOptions, load_histories};
/// use frontline::{import, proximity::OccupiedSince, Occupation, Status};
/// let places = import::read_places("data/places.geojson")?;
/// let picked: Vec<_> = ["Ironbridge", "Dunmere"].iter().map(|n| places.find(n).unwrap()[0]).collect();
/// // Two sample maps (June and August 2025) that draw ORDLO as a standing territory.
/// let h = load_histories(&["data/snapshots"], &picked, &LoadOptions::default())?;
/// let (ironbridge, dunmere) = (&h.places[0], &h.places[1]);
/// // Inside ORDLO: occupied since 2014 on both dates, never taken since 2022.
/// let since_2014 = Some(OccupiedSince::Known(Occupation::Since2014));
/// assert_eq!(ironbridge.occupied_since, [since_2014, since_2014]);
/// assert_eq!(ironbridge.first_occupied, Some(h.dates[0]));
/// assert_eq!(ironbridge.first_occupied_since_2022, None);
/// // Contested in June, taken by August: occupied since 2022, first on 1 August.
/// assert_eq!(dunmere.statuses, [Some(Status::CONTESTED), Some(Status::OCCUPIED)]);
/// assert_eq!(dunmere.occupied_since, [None, Some(OccupiedSince::Known(Occupation::Since2022))]);
/// assert_eq!(dunmere.first_occupied_since_2022, Some(h.dates[1]));
/// assert_eq!(dunmere.latest(), (Some(&Status::OCCUPIED), Some(OccupiedSince::Known(Occupation::Since2022))));
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlaceHistory {
    /// The place's label.
    pub place: String,
    /// The place's id in its file ([`Place::id`]): labels need not be unique.
    pub id: Option<String>,
    /// The point looked up: the place's point, or an interior point of its area.
    #[serde(serialize_with = "serialize_point")]
    pub point: Point<f64>,
    /// Its status on each date of [`Histories::dates`] (`None`: unmarked).
    pub statuses: Vec<Option<Status>>,
    /// On each date, since when it was occupied: `None` where it was not
    /// occupied; where it was, since 2014 or since 2022, or
    /// [`OccupiedSince::Unknown`] where that snapshot cannot tell (JSON:
    /// `"2014"`, `"2022"`, `"unknown"`, `null`).
    pub occupied_since: Vec<Option<OccupiedSince>>,
    /// The first date it was occupied.
    pub first_occupied: Option<DateTime<Utc>>,
    /// The first date it was occupied in ground taken since 24 February 2022
    /// (`None` for a place only ever held since 2014, or never occupied). Where
    /// earlier snapshots could not tell the split, it may have been occupied
    /// before this date: see [`first_occupied`](Self::first_occupied).
    pub first_occupied_since_2022: Option<DateTime<Utc>>,
    /// The first date it was contested, among the snapshots that measure the
    /// grey zone.
    pub first_contested: Option<DateTime<Utc>>,
    /// Days spent contested (see above); `None` where no snapshot measures the
    /// grey zone.
    pub days_contested: Option<f64>,
}

impl PlaceHistory {
    /// Its status on the last date, and since when where it is occupied
    /// (`(None, None)` for an empty timeline or unmarked ground).
    pub fn latest(&self) -> (Option<&Status>, Option<OccupiedSince>) {
        (
            self.statuses.last().and_then(Option::as_ref),
            self.occupied_since.last().copied().flatten(),
        )
    }

    /// The dates (indices into [`Histories::dates`]) on which it was occupied
    /// but the snapshot could not tell since when.
    ///
    /// ```
    /// use frontline::timeline::{LoadOptions, load_histories};
    /// let places = frontline::import::read_places("data/places.geojson")?;
    /// let h = load_histories(&["data/snapshots"], &places.iter().collect::<Vec<_>>(), &LoadOptions::default())?;
    /// // The sample maps draw ORDLO: the split is known on every date.
    /// assert!(h.places.iter().all(|p| p.unknown_split().next().is_none()));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn unknown_split(&self) -> impl Iterator<Item = usize> + '_ {
        self.occupied_since
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == Some(OccupiedSince::Unknown))
            .map(|(k, _)| k)
    }
}

fn serialize_point<S: serde::Serializer>(p: &Point<f64>, s: S) -> Result<S::Ok, S::Error> {
    [p.x(), p.y()].serialize(s)
}

/// The histories of many places over the same dates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Histories {
    /// The snapshots' dates, oldest first.
    pub dates: Vec<DateTime<Utc>>,
    /// For each date, whether its snapshot measures the grey zone (an
    /// occupied-only archive file does not: there, a place that is not occupied
    /// may be contested or not).
    pub contested_measured: Vec<bool>,
    /// One history per place, in the order given.
    pub places: Vec<PlaceHistory>,
}

/// The point a place is looked up at.
fn point_of(place: &Place) -> Result<Point<f64>> {
    let p = match &place.geometry {
        PlaceGeometry::Point(p) => Some(*p),
        PlaceGeometry::Area(a) => a.interior_point(),
    }
    .ok_or_else(|| Error::Invalid(format!("{}: an empty geometry", place.label())))?;
    check_point(p).map_err(|e| Error::Invalid(format!("{}: {e}", place.label())))?;
    Ok(p)
}

/// The status of every point in one snapshot (and since when, where occupied),
/// looked up on the snapshot cut down to the points' box (a small margin around
/// it), so that a country-wide map is not resolved whole. Whether the split is
/// known is the whole snapshot's answer: the cut-down map keeps each zone's
/// occupation, but could drop the zones that leave it unknown.
fn statuses_in(snapshot: &Snapshot, points: &[Point<f64>], bounds: Rect<f64>) -> DayStatuses {
    let splits = snapshot.splits_occupation();
    let index = ProximityIndex::new(&snapshot.clipped(bounds));
    let places = points
        .iter()
        .map(|p| {
            // The points were checked by `point_of`.
            let Ok(q) = check_point(*p) else {
                return (None, None);
            };
            let (status, since) = index.status_and_since(q);
            let since = since.map(|s| if splits { s } else { OccupiedSince::Unknown });
            (status.cloned(), since)
        })
        .collect();
    DayStatuses {
        places,
        contested_measured: snapshot.statuses().contains(&Status::CONTESTED),
    }
}

fn bounds_of(points: &[Point<f64>]) -> Option<Rect<f64>> {
    let r = geo::MultiPoint(points.to_vec()).bounding_rect()?;
    let m = 0.01;
    Some(Rect::new(
        coord! { x: r.min().x - m, y: r.min().y - m },
        coord! { x: r.max().x + m, y: r.max().y + m },
    ))
}

/// Histories of `places` in a loaded timeline, snapshots indexed in parallel
/// ([`ProximityIndex`] per snapshot).
///
/// ```
/// use frontline::timeline::{LoadOptions, Timeline, histories};
/// use frontline::{import, Status};
/// let timeline = Timeline::load(&["data/snapshots"], &LoadOptions::default())?;
/// let places = import::read_places("data/places.geojson")?;
/// let h = histories(&timeline, &places.iter().collect::<Vec<_>>())?;
/// assert_eq!(h.dates.len(), 2);
/// assert_eq!(h.places.len(), places.len());
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error for a place whose point is out of range, or no place to follow.
pub fn histories(timeline: &Timeline<Snapshot>, places: &[&Place]) -> Result<Histories> {
    let points = places
        .iter()
        .map(|p| point_of(p))
        .collect::<Result<Vec<_>>>()?;
    let Some(bounds) = bounds_of(&points) else {
        return Err(Error::Invalid("no place to follow".into()));
    };
    let per_date = timeline.map(|e| Ok(statuses_in(&e.value, &points, bounds)))?;
    Ok(assemble(&per_date, places, points))
}

/// Loads snapshots and looks the places up in each as it is read, keeping only
/// their statuses (little memory for hundreds of snapshots).
///
/// ```
/// use frontline::timeline::{LoadOptions, load_histories};
/// let places = frontline::import::read_places("data/places.geojson")?;
/// let h = load_histories(&["data/snapshots"], &places.iter().collect::<Vec<_>>(), &LoadOptions::default())?;
/// assert!(h.places.iter().all(|p| p.statuses.len() == 2));
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// As [`load_history_timeline`]: an error for a bad place, no place to follow,
/// or a load that fails.
pub fn load_histories(
    inputs: &[impl AsRef<Path>],
    places: &[&Place],
    options: &LoadOptions,
) -> Result<Histories> {
    Ok(load_history_timeline(inputs, places, options)?.1)
}

/// As [`load_histories`], also giving the timeline of statuses (with its
/// issues: skipped files, duplicates).
///
/// # Errors
///
/// An error for a place whose point is out of range, no place to follow, or a
/// load that fails (see [`Timeline::load_with`]).
pub fn load_history_timeline(
    inputs: &[impl AsRef<Path>],
    places: &[&Place],
    options: &LoadOptions,
) -> Result<(Timeline<DayStatuses>, Histories)> {
    let points = places
        .iter()
        .map(|p| point_of(p))
        .collect::<Result<Vec<_>>>()?;
    let Some(bounds) = bounds_of(&points) else {
        return Err(Error::Invalid("no place to follow".into()));
    };
    let per_date = Timeline::load_with(inputs, options, |s| Ok(statuses_in(&s, &points, bounds)))?;
    let h = assemble(&per_date, places, points);
    Ok((per_date, h))
}

/// Builds the histories from each date's statuses (in `places` order).
pub fn assemble(
    per_date: &Timeline<DayStatuses>,
    places: &[&Place],
    points: Vec<Point<f64>>,
) -> Histories {
    let dates: Vec<DateTime<Utc>> = per_date.iter().map(|e| e.date).collect();
    let measured: Vec<bool> = per_date
        .iter()
        .map(|e| e.value.contested_measured)
        .collect();
    let histories = places
        .iter()
        .zip(points)
        .enumerate()
        .map(|(i, (place, point))| {
            let (statuses, occupied_since): (Vec<Option<Status>>, Vec<Option<OccupiedSince>>) =
                per_date
                    .iter()
                    .map(|e| e.value.places.get(i).cloned().unwrap_or((None, None)))
                    .unzip();
            let first = |s: &Status| {
                statuses
                    .iter()
                    .position(|x| x.as_ref() == Some(s))
                    .map(|k| dates[k])
            };
            let since_2022 = Some(OccupiedSince::Known(Occupation::Since2022));
            let first_occupied_since_2022 = occupied_since
                .iter()
                .position(|s| *s == since_2022)
                .map(|k| dates[k]);
            let days_contested = measured.contains(&true).then(|| {
                statuses
                    .iter()
                    .zip(dates.windows(2))
                    .filter(|(s, _)| s.as_ref() == Some(&Status::CONTESTED))
                    .map(|(_, w)| (w[1] - w[0]).num_seconds() as f64 / 86_400.0)
                    // A fold from +0.0: `sum` of nothing is -0.0 and prints as "-0".
                    .fold(0.0, |a, b| a + b)
            });
            PlaceHistory {
                place: place.label().to_string(),
                id: place.id().map(str::to_string),
                point,
                first_occupied: first(&Status::OCCUPIED),
                first_occupied_since_2022,
                first_contested: first(&Status::CONTESTED),
                days_contested,
                statuses,
                occupied_since,
            }
        })
        .collect();
    Histories {
        dates,
        contested_measured: measured,
        places: histories,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Zone;
    use crate::timeline::Entry;
    use geo::{MultiPolygon, polygon};
    use serde_json::json;

    #[test]
    fn first_dates_and_days_contested() {
        let square = MultiPolygon(vec![
            polygon![(x: 37.0, y: 48.0), (x: 38.0, y: 48.0), (x: 38.0, y: 49.0), (x: 37.0, y: 49.0)],
        ]);
        let day = |d: i64| DateTime::from_timestamp(1_700_000_000 + d * 86_400, 0).unwrap();
        let snap = |d: i64, s: Option<Status>| Entry {
            date: day(d),
            path: format!("{d}.geojson").into(),
            report: Default::default(),
            fingerprint: d as u64,
            value: Snapshot::new(
                Some(day(d)),
                s.map(|s| Zone::new(s, square.clone()))
                    .into_iter()
                    .collect(),
            ),
        };
        let t = Timeline::from_entries(
            vec![
                snap(0, None),
                snap(3, Some(Status::CONTESTED)),
                snap(10, Some(Status::CONTESTED)),
                snap(12, Some(Status::OCCUPIED)),
                snap(20, Some(Status::CONTESTED)),
            ],
            vec![],
            false,
        )
        .unwrap();
        let place = |x: f64| {
            Place::new(
                json!({"name": format!("p{x}")})
                    .as_object()
                    .unwrap()
                    .clone(),
                PlaceGeometry::Point(Point::new(x, 48.5)),
            )
        };
        let (inside, outside) = (place(37.5), place(39.0));
        let h = histories(&t, &[&inside, &outside]).unwrap();
        let a = &h.places[0];
        assert_eq!(a.first_contested, Some(day(3)));
        assert_eq!(a.first_occupied, Some(day(12)));
        assert_eq!(a.days_contested, Some(9.0)); // 3→10→12; the last snapshot adds nothing
        assert_eq!(a.statuses[0], None);
        let b = &h.places[1];
        assert!(b.statuses.iter().all(Option::is_none));
        assert_eq!((b.first_occupied, b.days_contested), (None, Some(0.0)));
        assert!(b.days_contested.is_some_and(f64::is_sign_positive));
    }

    #[test]
    fn since_when_follows_the_whole_snapshot() {
        let square = |x0: f64| {
            MultiPolygon(vec![
                polygon![(x: x0, y: 48.0), (x: x0 + 1.0, y: 48.0), (x: x0 + 1.0, y: 49.0), (x: x0, y: 49.0)],
            ])
        };
        let day = |d: i64| DateTime::from_timestamp(1_700_000_000 + d * 86_400, 0).unwrap();
        let entry = |d: i64, zones: Vec<Zone>| Entry {
            date: day(d),
            path: format!("{d}.geojson").into(),
            report: Default::default(),
            fingerprint: d as u64,
            value: Snapshot::new(Some(day(d)), zones),
        };
        let older = Zone::new(Status::OCCUPIED, square(38.0)).occupied_since(Occupation::Since2014);
        let newer = Zone::new(Status::OCCUPIED, square(37.0)).occupied_since(Occupation::Since2022);
        // Far from the places, a zone that does not say since when: the whole
        // map cannot tell, although the places' box holds only tagged zones.
        let untold = Zone::new(Status::OCCUPIED, square(30.0));
        let t = Timeline::from_entries(
            vec![
                entry(0, vec![older.clone(), newer.clone()]),
                entry(1, vec![older, newer, untold]),
            ],
            vec![],
            false,
        )
        .unwrap();
        let place = |x: f64| {
            Place::new(
                json!({"name": format!("p{x}")})
                    .as_object()
                    .unwrap()
                    .clone(),
                PlaceGeometry::Point(Point::new(x, 48.5)),
            )
        };
        let (a, b, c) = (place(37.5), place(38.5), place(36.5));
        let h = histories(&t, &[&a, &b, &c]).unwrap();
        let known = |o| Some(OccupiedSince::Known(o));
        assert_eq!(
            h.places[0].occupied_since,
            [known(Occupation::Since2022), Some(OccupiedSince::Unknown)]
        );
        assert_eq!(
            h.places[1].occupied_since,
            [known(Occupation::Since2014), Some(OccupiedSince::Unknown)]
        );
        assert_eq!(h.places[2].occupied_since, [None, None]);
        assert_eq!(h.places[0].first_occupied_since_2022, Some(day(0)));
        assert_eq!(h.places[1].first_occupied_since_2022, None);
        assert_eq!(h.places[0].unknown_split().collect::<Vec<_>>(), [1]);
        assert!(
            h.places[1]
                .statuses
                .iter()
                .all(|s| s == &Some(Status::OCCUPIED))
        );
    }
}
