//! Credits for the sources a map draws: DeepStateMap for the zones,
//! OpenStreetMap contributors for boundaries, GeoNames for places.

use serde_json::Value;

/// Which sources a map draws, to credit each.
///
/// ```
/// use frontline::export::Credits;
/// let c = Credits { zones: true, boundaries: true, places: true };
/// assert_eq!(
///     c.text(),
///     "Zones: DeepStateMap · Boundaries: © OpenStreetMap contributors · Places: GeoNames"
/// );
/// assert_eq!(Credits::default().text(), "");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Credits {
    /// Zones (DeepStateMap).
    pub zones: bool,
    /// Administrative boundaries or outlines (OpenStreetMap).
    pub boundaries: bool,
    /// Places (GeoNames).
    pub places: bool,
}

impl Credits {
    /// What `collection` draws: zones when a feature has a `status` and is not a
    /// place (layers, zones, changes, the front), places when a feature's `kind`
    /// is `place`; `boundaries` as given (an outline drawn or clipped to).
    ///
    /// ```
    /// use frontline::{export::{Credits, Export, ExportOptions}, import};
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// let mut export = Export::new(ExportOptions::default())?;
    /// export.layers(&snapshot)?;
    /// let c = Credits::of(&export.to_feature_collection(), false);
    /// assert!(c.zones && !c.places && !c.boundaries);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn of(collection: &geojson::FeatureCollection, boundaries: bool) -> Credits {
        let mut c = Credits {
            boundaries,
            ..Credits::default()
        };
        for f in &collection.features {
            match f.property("kind").and_then(Value::as_str) {
                Some("place") => c.places = true,
                Some(_) => c.zones = true,
                None if f.property("status").is_some() => c.zones = true,
                None => {}
            }
        }
        c
    }

    /// The credits as one line, sources joined by ` · `.
    pub fn text(&self) -> String {
        self.parts().join(" · ")
    }

    /// Each source's credit.
    pub fn parts(&self) -> Vec<&'static str> {
        let mut parts = Vec::new();
        if self.zones {
            parts.push("Zones: DeepStateMap");
        }
        if self.boundaries {
            parts.push("Boundaries: © OpenStreetMap contributors");
        }
        if self.places {
            parts.push("Places: GeoNames");
        }
        parts
    }
}
