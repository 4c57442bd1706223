//! Zones: one control status over a piece of ground, and the point markers beside them.

use geo::{MultiPolygon, Point};
use serde::Serialize;

use super::Status;

/// A polygon of one control status, as drawn by a source.
///
/// Zones of one status may overlap each other and zones of other statuses; a
/// [`Snapshot`](crate::Snapshot) resolves that. Coordinates are longitude/latitude on
/// WGS84, exterior rings counter-clockwise, holes clockwise.
///
/// ```
/// use frontline::{Status, Zone};
/// use geo::{polygon, MultiPolygon};
/// let zone = Zone::new(Status::CONTESTED, MultiPolygon(vec![polygon![
///     (x: 37.0, y: 48.0), (x: 37.1, y: 48.0), (x: 37.1, y: 48.1), (x: 37.0, y: 48.1),
/// ]]));
/// assert_eq!(zone.status, Status::CONTESTED);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Zone {
    /// Who holds it.
    pub status: Status,
    /// Its ground.
    pub geometry: MultiPolygon<f64>,
    /// Where it came from.
    pub source: ZoneSource,
}

impl Zone {
    /// A zone with no source details.
    pub fn new(status: Status, geometry: MultiPolygon<f64>) -> Zone {
        Zone {
            status,
            geometry,
            source: ZoneSource::default(),
        }
    }
}

/// The source's own description of a zone, kept so that exports and reports can
/// show what the map said.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ZoneSource {
    /// Index of the feature in its file's `features` array.
    pub feature: Option<usize>,
    /// The source's class for it, e.g. DeepState's `geoJSON.status.occupied` or
    /// `geoJSON.territories.crimea`; for free-text names, the rule that matched.
    pub layer: Option<String>,
    /// The feature's label (DeepState's `name`, whitespace normalised).
    pub label: Option<String>,
    /// Fill colour, `#rrggbb`.
    pub fill: Option<String>,
    /// Stroke colour, `#rrggbb`.
    pub stroke: Option<String>,
}

/// A point feature of a map that is not ground: a unit, an attack direction, an airfield.
///
/// ```
/// use frontline::Marker;
/// let m = Marker { point: geo::point!(x: 37.5, y: 48.3), label: Some("Airfield".into()) };
/// assert_eq!(m.point.x(), 37.5);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// Where it is.
    pub point: Point<f64>,
    /// The source's label.
    pub label: Option<String>,
}
