//! Changes between two snapshots: per status, the ground gained and lost.

use chrono::{DateTime, Utc};
use geo::{BooleanOps, MultiPolygon};
use serde::Serialize;

use crate::measure::GeodesicAreaKm2;
use crate::measure::zero_signed;
use crate::{Error, Occupation, Result, Snapshot, Status};

/// How one status's ground changed between two snapshots.
#[derive(Clone, Debug, Serialize)]
pub struct StatusChange {
    /// The status.
    pub status: Status,
    /// Its km² in the older snapshot.
    pub before_km2: f64,
    /// Its km² in the newer snapshot.
    pub after_km2: f64,
    /// km² it holds in the newer snapshot and did not hold in the older.
    pub gained_km2: f64,
    /// km² it held in the older snapshot and no longer holds.
    pub lost_km2: f64,
    /// `gained - lost`.
    pub net_km2: f64,
    /// `net` per day between the two dates; `None` when they are the same instant.
    pub km2_per_day: Option<f64>,
    /// The ground gained.
    #[serde(skip)]
    pub gained: MultiPolygon<f64>,
    /// The ground lost.
    #[serde(skip)]
    pub lost: MultiPolygon<f64>,
}

/// What changed between two snapshots, per status, in a region or everywhere.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    /// The older snapshot's date.
    pub from: DateTime<Utc>,
    /// The newer snapshot's date.
    pub to: DateTime<Utc>,
    /// Days between them (fractional).
    pub days: f64,
    /// The region measured, `None` for everywhere.
    pub region: Option<String>,
    /// The region's id ([`crate::Place::id`]), when the caller gives one: labels
    /// need not be unique.
    pub region_id: Option<String>,
    /// One change per status that both snapshots draw, strongest first.
    pub changes: Vec<StatusChange>,
    /// Statuses that only one of the two snapshots draws, left out: a raw
    /// DeepState map against an occupied-only file would otherwise count every
    /// liberated and contested km² as lost. Empty when both draw the same.
    pub not_compared: Vec<Status>,
}

impl Diff {
    /// The change of one status, when either snapshot has it.
    pub fn change(&self, status: &Status) -> Option<&StatusChange> {
        self.changes.iter().find(|c| &c.status == status)
    }

    /// The gained and lost polygons as GeoJSON features with `status`, `change`
    /// (`gained` / `lost`), `km2`, `from` and `to` properties.
    pub fn to_geojson(&self) -> geojson::FeatureCollection {
        let mut features = Vec::new();
        for c in &self.changes {
            for (kind, geometry, km2) in [
                ("gained", &c.gained, c.gained_km2),
                ("lost", &c.lost, c.lost_km2),
            ] {
                if geometry.0.is_empty() {
                    continue;
                }
                let mut f = geojson::Feature {
                    geometry: Some(geojson::Geometry::new(geojson::GeometryValue::from(
                        geometry,
                    ))),
                    ..geojson::Feature::default()
                };
                f.set_property("status", c.status.as_str());
                f.set_property("change", kind);
                f.set_property("km2", km2);
                f.set_property("from", self.from.to_rfc3339());
                f.set_property("to", self.to.to_rfc3339());
                if let Some(r) = &self.region {
                    f.set_property("region", r.as_str());
                }
                if let Some(id) = &self.region_id {
                    f.set_property("id", id.as_str());
                }
                features.push(f);
            }
        }
        geojson::FeatureCollection::new(features)
    }
}

/// Per status, the ground gained and lost from `older` to `newer` (within
/// `region`, a label and its area, when given); occupied is followed by its parts
/// `occupied_since_2014` and `occupied_since_2022` where both snapshots tell them
/// apart ([`Snapshot::splits_occupation`]), and they are listed in
/// [`Diff::not_compared`] where one cannot.
///
/// Both snapshots need dates, and `older` must not be after `newer`. Only the
/// statuses that both snapshots draw ([`Snapshot::drawn_statuses`]) are
/// compared: across kinds of file (a raw DeepState snapshot against an
/// occupied-only file) the others are listed in [`Diff::not_compared`] instead of
/// counting as gained or lost.
///
/// ```
/// use frontline::{import, Status};
/// use frontline::timeline::diff;
/// let june = import::read_zones("data/snapshots/deepstate_20250601.geojson", None)?.snapshot;
/// let august = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
/// let d = diff(&june, &august, None)?;
/// let occupied = d.change(&Status::OCCUPIED).unwrap();
/// assert!((occupied.net_km2 - (occupied.after_km2 - occupied.before_km2)).abs() < 0.01);
/// assert!(d.change(&Status::OCCUPIED_SINCE_2022).is_some());
/// assert!(diff(&august, &june, None).is_err());
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when a snapshot has no date, or `older` is dated after `newer`.
pub fn diff(
    older: &Snapshot,
    newer: &Snapshot,
    region: Option<(&str, &MultiPolygon<f64>)>,
) -> Result<Diff> {
    let (Some(from), Some(to)) = (older.date(), newer.date()) else {
        return Err(Error::Invalid(
            "a diff needs two dated snapshots; one of them has no date".into(),
        ));
    };
    if from > to {
        return Err(Error::Invalid(format!(
            "the older snapshot ({from}) is after the newer one ({to}): swap them"
        )));
    }
    let days = (to - from).num_seconds() as f64 / 86_400.0;
    let (before, after) = (older.drawn_statuses(), newer.drawn_statuses());
    let (statuses, mut not_compared): (Vec<Status>, Vec<Status>) = before
        .iter()
        .chain(after.iter().filter(|s| !before.contains(s)))
        .cloned()
        .partition(|s| before.contains(s) && after.contains(s));
    older.precedence().sort(&mut not_compared);
    // Occupied's parts, right after it, where both snapshots tell them apart;
    // else they are not compared (the split of one side is unknown).
    let mut statuses = statuses;
    if let Some(i) = statuses.iter().position(|s| *s == Status::OCCUPIED) {
        let parts = Occupation::ALL.map(Occupation::status);
        if older.splits_occupation() && newer.splits_occupation() {
            statuses.splice(i + 1..i + 1, parts);
        } else {
            not_compared.extend(parts);
        }
    }
    let ground = |snap: &Snapshot, status: &Status| -> MultiPolygon<f64> {
        let layer = match Occupation::from_status(status) {
            Some(part) => snap.occupied_part(part),
            None => snap.layer(status),
        };
        match (layer, region) {
            (None, _) => MultiPolygon(Vec::new()),
            (Some(l), None) => l.geometry().clone(),
            (Some(l), Some((_, area))) => l.intersection(area),
        }
    };
    let changes = statuses
        .into_iter()
        .map(|status| {
            let before = ground(older, &status);
            let after = ground(newer, &status);
            let gained = after.difference(&before);
            let lost = before.difference(&after);
            let (gained_km2, lost_km2) = (
                zero_signed(gained.geodesic_area_km2()),
                zero_signed(lost.geodesic_area_km2()),
            );
            let net_km2 = gained_km2 - lost_km2;
            StatusChange {
                before_km2: zero_signed(before.geodesic_area_km2()),
                after_km2: zero_signed(after.geodesic_area_km2()),
                km2_per_day: (days > 0.0).then(|| net_km2 / days),
                status,
                gained_km2,
                lost_km2,
                net_km2,
                gained,
                lost,
            }
        })
        .collect();
    Ok(Diff {
        from,
        to,
        days,
        region: region.map(|(label, _)| label.to_string()),
        region_id: None,
        changes,
        not_compared,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Zone;
    use geo::polygon;

    fn square(x0: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: 48.0), (x: x0 + 0.5, y: 48.0), (x: x0 + 0.5, y: 48.5), (x: x0, y: 48.5)]])
    }

    /// A raw snapshot (occupied, contested, liberated) against an occupied-only
    /// one: only occupied is compared; nothing liberated counts as lost.
    #[test]
    fn statuses_one_side_lacks_are_not_compared() {
        let day = |d: i64| DateTime::from_timestamp(1_700_000_000 + d * 86_400, 0);
        let raw = Snapshot::new(
            day(0),
            vec![
                Zone::new(Status::OCCUPIED, square(37.0)),
                Zone::new(Status::CONTESTED, square(37.5)),
                Zone::new(Status::LIBERATED, square(38.0)),
            ],
        );
        let occupied_only = Snapshot::new(day(7), vec![Zone::new(Status::OCCUPIED, square(37.0))]);
        let d = diff(&raw, &occupied_only, None).unwrap();
        assert_eq!(
            d.not_compared,
            [
                Status::CONTESTED,
                Status::LIBERATED,
                Status::OCCUPIED_SINCE_2014,
                Status::OCCUPIED_SINCE_2022
            ]
        );
        assert_eq!(d.changes.len(), 1);
        assert_eq!(d.changes[0].status, Status::OCCUPIED);
        assert!(d.changes[0].lost_km2.abs() < 1e-9);
        assert!(d.change(&Status::LIBERATED).is_none());
    }
}
