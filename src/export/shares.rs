//! Share results as features: one per region, date and status, with the region's
//! polygon, so that a long table of results opens in GeoPandas, DuckDB or Sedona
//! (GeoParquet) or a GIS (FlatGeobuf, Shapefile) as it is.

use chrono::{DateTime, SecondsFormat, Utc};
use geo::MultiPolygon;
use serde_json::{Map, Value};

use crate::Share;

/// One feature per figure of each share ([`Share::figures`]: each status, the
/// parts of occupied, `occupied_since_2014` and `occupied_since_2022`, after it,
/// and the unmarked rest): `region`, `id` (the region's
/// [`Place::id`](crate::Place::id), or null), `date` (RFC 3339, or null),
/// `status`, `area_km2` (the region's), `km2` and `pct` (null for a part of
/// occupied the snapshot cannot tell), with the region's polygon as geometry.
///
/// `rows` pairs each share with its date and its region's ground.
///
/// ```
/// use frontline::{import, measure::Regions, export::share_features};
/// let towns = import::read_places("data/city.geojson")?;
/// let regions: Vec<_> = towns.iter().collect();
/// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
/// let shares = Regions::new(&regions)?.shares(&snapshot)?;
/// let fc = share_features(shares.iter().zip(&regions).map(|(s, r)| (snapshot.date(), s, r.area().unwrap())));
/// let first = &fc.features[0];
/// assert_eq!(first.property("region").unwrap(), "Demo City");
/// assert_eq!(first.property("id").unwrap(), "0");
/// assert_eq!(first.property("status").unwrap(), "occupied");
/// assert_eq!(fc.features[1].property("status").unwrap(), "occupied_since_2014");
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn share_features<'a>(
    rows: impl IntoIterator<Item = (Option<DateTime<Utc>>, &'a Share, &'a MultiPolygon<f64>)>,
) -> geojson::FeatureCollection {
    let mut features = Vec::new();
    for (date, share, area) in rows {
        let geometry = geojson::Geometry::from(area);
        let date: Value = date.map_or(Value::Null, |d| {
            d.to_rfc3339_opts(SecondsFormat::Secs, true).into()
        });
        for (status, amount) in share.figures() {
            let mut p = Map::new();
            p.insert("region".into(), share.region.clone().into());
            p.insert(
                "id".into(),
                share.id.clone().map_or(Value::Null, Value::from),
            );
            p.insert("date".into(), date.clone());
            p.insert("status".into(), status.as_str().into());
            p.insert("area_km2".into(), share.area_km2.into());
            p.insert("km2".into(), amount.map_or(Value::Null, |a| a.km2.into()));
            p.insert("pct".into(), amount.map_or(Value::Null, |a| a.pct.into()));
            features.push(geojson::Feature {
                geometry: Some(geometry.clone()),
                properties: Some(p),
                ..geojson::Feature::default()
            });
        }
    }
    geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    }
}
