//! Places and regions: named features with their properties, and look-up by name.

use std::path::{Path, PathBuf};

use geo::{MultiPolygon, Point};
use serde_json::{Map, Value};

use crate::{Error, Result};

/// The ground of a place: a point (a settlement from a gazetteer) or an area (a city
/// outline, a raion, an oblast).
#[derive(Clone, Debug, PartialEq)]
pub enum PlaceGeometry {
    /// A point, longitude/latitude.
    Point(Point<f64>),
    /// An area, longitude/latitude, valid and oriented.
    Area(MultiPolygon<f64>),
}

/// A named feature: a city, a region, a settlement.
///
/// Names come from the feature's properties: `name`, every `name:*` key
/// (`name:en`, `name:uk`, `name:ru`, ...) and GeoNames' `alternatenames` list.
///
/// ```
/// use frontline::{Place, PlaceGeometry};
/// use serde_json::json;
/// let props = json!({"name": "Покровськ", "name:en": "Pokrovsk", "population": "60127"});
/// let place = Place::new(props.as_object().unwrap().clone(), PlaceGeometry::Point(geo::point!(x: 37.18, y: 48.28)));
/// assert!(place.matches("POKROVSK"));
/// assert_eq!(place.label(), "Pokrovsk");
/// assert_eq!(place.population(), Some(60127));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    /// The feature's properties as they were in the file.
    pub properties: Map<String, Value>,
    /// Its ground.
    pub geometry: PlaceGeometry,
}

impl Place {
    /// A place from properties and a geometry.
    pub fn new(properties: Map<String, Value>, geometry: PlaceGeometry) -> Place {
        Place {
            properties,
            geometry,
        }
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.properties
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The `name` property.
    pub fn name(&self) -> Option<&str> {
        self.text("name")
    }

    /// The English name (`name:en`), else `name`, else the first other `name:*`.
    pub fn label(&self) -> &str {
        self.text("name:en")
            .or_else(|| self.name())
            .or_else(|| self.names().next())
            .unwrap_or("(unnamed)")
    }

    /// Every name the place goes by: `name`, `name:*` and `alternatenames`.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.properties.iter().flat_map(|(key, value)| {
            let is_name = key == "name" || key.starts_with("name:") || key == "alternatenames";
            let values: Vec<&str> = match value {
                Value::String(s) if is_name => vec![s.trim()],
                Value::Array(items) if is_name => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::trim)
                    .collect(),
                _ => Vec::new(),
            };
            values.into_iter().filter(|s| !s.is_empty())
        })
    }

    /// Whether any of its names equals `query`, ignoring case and surrounding spaces.
    pub fn matches(&self, query: &str) -> bool {
        let query = query.trim().to_lowercase();
        self.names().any(|n| n.to_lowercase() == query)
    }

    /// Population, from a numeric or textual `population` property.
    pub fn population(&self) -> Option<u64> {
        match self.properties.get("population")? {
            Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f as u64)),
            Value::String(s) => s.trim().replace([' ', ','], "").parse().ok(),
            _ => None,
        }
    }

    /// Its area, when it is not a point.
    pub fn area(&self) -> Option<&MultiPolygon<f64>> {
        match &self.geometry {
            PlaceGeometry::Area(a) => Some(a),
            PlaceGeometry::Point(_) => None,
        }
    }

    /// The point distances are measured from: the point itself, or an interior
    /// point of its area (as `frontline near` and
    /// [`PlaceIndex`](crate::proximity::PlaceIndex) take it); `None` for an empty
    /// area.
    ///
    /// ```
    /// use frontline::import;
    /// let city = import::read_places("data/city.geojson")?;
    /// let point = city.iter().next().unwrap().interior_point().unwrap();
    /// assert!(geo::Intersects::intersects(city.iter().next().unwrap().area().unwrap(), &point));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn interior_point(&self) -> Option<Point<f64>> {
        match &self.geometry {
            PlaceGeometry::Point(p) => Some(*p),
            PlaceGeometry::Area(a) => geo::InteriorPoint::interior_point(a),
        }
    }
}

/// The places of one file, in file order.
///
/// ```
/// use frontline::{Place, PlaceGeometry, Places};
/// use serde_json::json;
/// let place = |n: &str| Place::new(json!({"name": n}).as_object().unwrap().clone(),
///     PlaceGeometry::Point(geo::point!(x: 37.0, y: 48.0)));
/// let places = Places::new("towns.geojson", vec![place("Bakhmut"), place("Soledar")]);
/// assert_eq!(places.find("soledar").unwrap().len(), 1);
/// let err = places.find("Bakhmu").unwrap_err().to_string();
/// assert!(err.contains("did you mean Bakhmut"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Places {
    path: PathBuf,
    places: Vec<Place>,
    warnings: Vec<String>,
}

impl Places {
    /// Places read from `path`.
    pub fn new(path: impl Into<PathBuf>, places: Vec<Place>) -> Places {
        Places {
            path: path.into(),
            places,
            warnings: Vec::new(),
        }
    }

    /// The same places with the repairs made while reading them.
    pub fn with_warnings(mut self, warnings: Vec<String>) -> Places {
        self.warnings = warnings;
        self
    }

    /// Repairs made while reading them (see [`crate::import`]).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The file they came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// All places, in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, Place> {
        self.places.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// The ground of all the places with an area, unioned into one outline (oblasts
    /// touch and may overlap); `None` when none has an area.
    ///
    /// ```
    /// let oblast = frontline::import::read_places("data/region.geojson").unwrap();
    /// assert_eq!(oblast.union().unwrap().0.len(), 1);
    /// ```
    pub fn union(&self) -> Option<geo::MultiPolygon<f64>> {
        let polygons: Vec<&geo::Polygon<f64>> = self
            .places
            .iter()
            .filter_map(Place::area)
            .flat_map(|a| &a.0)
            .collect();
        (!polygons.is_empty()).then(|| geo::unary_union(polygons))
    }

    /// The places any of whose names equals `query` (case-insensitive); an
    /// [`Error::UnknownName`] listing close names when none does.
    pub fn find(&self, query: &str) -> Result<Vec<&Place>> {
        let found: Vec<&Place> = self.places.iter().filter(|p| p.matches(query)).collect();
        if !found.is_empty() {
            return Ok(found);
        }
        let q = query.trim().to_lowercase();
        let mut suggestions: Vec<String> = Vec::new();
        for place in &self.places {
            let close = place.names().any(|n| {
                let n = n.to_lowercase();
                !q.is_empty() && (n.contains(&q) || q.contains(&n) || edit_distance(&n, &q) <= 2)
            });
            let label = place.label().to_string();
            if close && !suggestions.contains(&label) {
                suggestions.push(label);
            }
        }
        suggestions.truncate(8);
        Err(Error::UnknownName {
            path: self.path.clone(),
            name: query.to_string(),
            suggestions,
        })
    }
}

impl<'a> IntoIterator for &'a Places {
    type Item = &'a Place;
    type IntoIter = std::slice::Iter<'a, Place>;
    fn into_iter(self) -> Self::IntoIter {
        self.places.iter()
    }
}

/// Levenshtein distance over chars; names are short, so the quadratic cost is nothing.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn place(props: Value) -> Place {
        Place::new(
            props.as_object().cloned().unwrap_or_default(),
            PlaceGeometry::Point(geo::point!(x: 0.0, y: 0.0)),
        )
    }

    #[test]
    fn matches_every_name_key_and_alternatenames() {
        let p = place(
            json!({"name": "Бахмут", "name:en": "Bakhmut", "name:ru": "Бахмут",
            "alternatenames": ["Artemivsk", "Артемовск"], "admin_level": "8"}),
        );
        assert!(p.matches("бахмут"));
        assert!(p.matches("artemivsk"));
        assert!(p.matches(" BAKHMUT "));
        assert!(!p.matches("8"));
    }

    #[test]
    fn label_falls_back_to_name() {
        let p = place(json!({"name": "Горлівський район"}));
        assert_eq!(p.label(), "Горлівський район");
        assert_eq!(place(json!({})).label(), "(unnamed)");
    }

    #[test]
    fn edit_distance_counts_chars() {
        assert_eq!(edit_distance("pokrovsk", "pokrovsk"), 0);
        assert_eq!(edit_distance("pokrovsk", "pokrovs"), 1);
        assert_eq!(edit_distance("київ", "киев"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
