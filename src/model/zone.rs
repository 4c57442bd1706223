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
/// assert_eq!(zone.occupation, None);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Zone {
    /// Who holds it.
    pub status: Status,
    /// Its ground.
    pub geometry: MultiPolygon<f64>,
    /// For occupied ground, since when, where the source tells.
    pub occupation: Option<Occupation>,
    /// Where it came from.
    pub source: ZoneSource,
}

impl Zone {
    /// A zone with no source details.
    pub fn new(status: Status, geometry: MultiPolygon<f64>) -> Zone {
        Zone {
            status,
            geometry,
            occupation: None,
            source: ZoneSource::default(),
        }
    }

    /// The same zone marked as occupied since `occupation` (its status becomes
    /// occupied).
    ///
    /// ```
    /// use frontline::{Occupation, Status, Zone};
    /// use geo::{polygon, MultiPolygon};
    /// let crimea = Zone::new(Status::OCCUPIED, MultiPolygon(vec![polygon![
    ///     (x: 33.0, y: 45.0), (x: 34.0, y: 45.0), (x: 34.0, y: 45.5)]]))
    ///     .occupied_since(Occupation::Since2014);
    /// assert_eq!(crimea.occupation, Some(Occupation::Since2014));
    /// ```
    pub fn occupied_since(mut self, occupation: Occupation) -> Zone {
        self.status = Status::OCCUPIED;
        self.occupation = Some(occupation);
        self
    }
}

/// Since when occupied ground has been held: DeepState draws the areas occupied
/// in 2014 (Crimea, the ORDLO or "CADR and CALR" areas, Tuzla) as standing
/// territories, and the ground taken since 24 February 2022 as
/// `geoJSON.status.occupied`.
///
/// ```
/// use frontline::{Occupation, Status};
/// assert_eq!(Occupation::Since2014.status(), Status::OCCUPIED_SINCE_2014);
/// assert_eq!(Occupation::from_status(&Status::OCCUPIED_SINCE_2022), Some(Occupation::Since2022));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Occupation {
    /// Occupied since 2014: Crimea, ORDLO ("CADR and CALR"), Tuzla.
    Since2014,
    /// Occupied since 24 February 2022.
    Since2022,
}

impl Occupation {
    /// Both, the older first.
    pub const ALL: [Occupation; 2] = [Occupation::Since2014, Occupation::Since2022];

    /// The name results give this part of `occupied`.
    pub fn status(self) -> Status {
        match self {
            Occupation::Since2014 => Status::OCCUPIED_SINCE_2014,
            Occupation::Since2022 => Status::OCCUPIED_SINCE_2022,
        }
    }

    /// The part a status name stands for, if it names one.
    pub fn from_status(status: &Status) -> Option<Occupation> {
        Occupation::ALL.into_iter().find(|o| &o.status() == status)
    }

    /// The year it names, as exports and histories write it: `"2014"` or `"2022"`.
    ///
    /// ```
    /// use frontline::Occupation;
    /// assert_eq!(Occupation::Since2014.year(), "2014");
    /// assert_eq!(Occupation::Since2022.year(), "2022");
    /// ```
    pub fn year(self) -> &'static str {
        match self {
            Occupation::Since2014 => "2014",
            Occupation::Since2022 => "2022",
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
