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
/// Names need not be unique (four hromadas of Ukraine are called "Піщанська
/// сільська громада"): a place read from a file also has an [id](Place::id),
/// which [`Places`] makes unique in the file.
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
    /// Its index in the file's features, and the feature's own `id` member.
    feature: Option<(usize, Option<String>)>,
    /// Unique in its [`Places`]; `None` for a place on its own.
    id: Option<String>,
    /// The label in the language [`Places::with_language`] chose.
    label: Option<String>,
}

impl Place {
    /// A place from properties and a geometry.
    pub fn new(properties: Map<String, Value>, geometry: PlaceGeometry) -> Place {
        Place {
            properties,
            geometry,
            feature: None,
            id: None,
            label: None,
        }
    }

    /// The same place, read as feature `index` of its file, whose GeoJSON `id`
    /// member (if any) is `feature_id`: what [`Places`] falls back on to
    /// identify it.
    ///
    /// ```
    /// use frontline::{Place, PlaceGeometry, Places};
    /// let p = Place::new(Default::default(), PlaceGeometry::Point(geo::point!(x: 37.0, y: 48.0)))
    ///     .at_feature(7, Some("r-12".into()));
    /// assert_eq!((p.feature_index(), p.feature_id()), (Some(7), Some("r-12")));
    /// assert_eq!(Places::new("f.geojson", vec![p]).iter().next().unwrap().id(), Some("r-12"));
    /// ```
    pub fn at_feature(mut self, index: usize, feature_id: Option<String>) -> Place {
        self.feature = Some((index, feature_id));
        self
    }

    /// Its index among the features of its file, when it was read from one.
    pub fn feature_index(&self) -> Option<usize> {
        self.feature.as_ref().map(|(i, _)| *i)
    }

    /// The GeoJSON feature's `id` member, when it had one.
    pub fn feature_id(&self) -> Option<&str> {
        self.feature.as_ref().and_then(|(_, id)| id.as_deref())
    }

    /// Its id: unique among the places of its file, stable from run to run, to
    /// join results back to the file (see [`Places::id_key`] for where it comes
    /// from). `None` for a place made on its own, outside any [`Places`].
    ///
    /// ```
    /// let hromadas = frontline::import::read_places("data/city.geojson")?;
    /// let ids: Vec<_> = hromadas.iter().map(|p| p.id().unwrap()).collect();
    /// assert_eq!(ids, ["0", "1"]); // no unique property there: the feature index
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// Its name in language `lang` (the `name:<lang>` property), if it has one.
    ///
    /// ```
    /// use frontline::{Place, PlaceGeometry};
    /// let props = serde_json::json!({"name": "Покровськ", "name:en": "Pokrovsk"});
    /// let p = Place::new(props.as_object().unwrap().clone(), PlaceGeometry::Point(geo::point!(x: 37.18, y: 48.28)));
    /// assert_eq!(p.name_in("en"), Some("Pokrovsk"));
    /// assert_eq!(p.name_in("de"), None);
    /// ```
    pub fn name_in(&self, lang: &str) -> Option<&str> {
        self.text(&format!("name:{lang}"))
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

    /// The name results show: in the language chosen by
    /// [`Places::with_language`] (English by default), `name:<lang>`, else
    /// `name`, else the first other `name:*`.
    pub fn label(&self) -> &str {
        if let Some(l) = &self.label {
            return l;
        }
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

/// What identifies the places of a file (see [`Place::id`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdKey {
    /// A property, unique in the file.
    Property(String),
    /// The GeoJSON features' `id` member.
    FeatureId,
    /// The feature's index in the file (no unique property or feature id).
    Index,
}

impl std::fmt::Display for IdKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdKey::Property(p) => write!(f, "property {p:?}"),
            IdKey::FeatureId => f.write_str("the features' id"),
            IdKey::Index => f.write_str("the feature index"),
        }
    }
}

/// The properties tried, in order, for an id when none is asked for: the national
/// code of Ukraine's units (KATOTTH), OpenStreetMap's and GeoNames' ids, `id`.
pub const ID_PROPERTIES: [&str; 4] = ["katotth", "@id", "geonameid", "id"];

/// A property's value as an id: a non-empty string or a number.
fn id_value(place: &Place, key: &str) -> Option<String> {
    match place.properties.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Each place's value of `key`, when every place has one and no two are equal.
fn unique(places: &[Place], value: impl Fn(&Place) -> Option<String>) -> Option<Vec<String>> {
    let ids: Vec<String> = places.iter().map(value).collect::<Option<_>>()?;
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    ids.iter().all(|id| seen.insert(id.as_str())).then_some(ids)
}

/// The places of one file, in file order.
///
/// Each has an [id](Place::id) unique in the file: by default the first of
/// [`ID_PROPERTIES`] that every place has with distinct values, else the
/// features' GeoJSON `id`, else the feature's index; [`Places::identify_by`]
/// names the property instead.
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
#[derive(Clone, Debug, PartialEq)]
pub struct Places {
    path: PathBuf,
    places: Vec<Place>,
    warnings: Vec<String>,
    id_key: IdKey,
    language: Option<String>,
}

impl Default for Places {
    fn default() -> Places {
        Places::new(PathBuf::new(), Vec::new())
    }
}

impl Places {
    /// Places read from `path`, identified as the type's documentation says.
    pub fn new(path: impl Into<PathBuf>, mut places: Vec<Place>) -> Places {
        let by_property = ID_PROPERTIES.iter().find_map(|key| {
            unique(&places, |p| id_value(p, key)).map(|ids| (IdKey::Property(key.to_string()), ids))
        });
        let (id_key, ids) = by_property
            .or_else(|| {
                unique(&places, |p| p.feature_id().map(str::to_string))
                    .map(|ids| (IdKey::FeatureId, ids))
            })
            .unwrap_or_else(|| {
                let ids = places
                    .iter()
                    .enumerate()
                    .map(|(i, p)| p.feature_index().unwrap_or(i).to_string())
                    .collect();
                (IdKey::Index, ids)
            });
        for (place, id) in places.iter_mut().zip(ids) {
            place.id = Some(id);
        }
        Places {
            path: path.into(),
            places,
            warnings: Vec::new(),
            id_key,
            language: None,
        }
    }

    /// What the ids come from.
    ///
    /// ```
    /// use frontline::model::IdKey;
    /// let raions = frontline::import::read_places("data/region.geojson")?;
    /// assert_eq!(raions.id_key(), &IdKey::Index);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn id_key(&self) -> &IdKey {
        &self.id_key
    }

    /// The same places identified by `property` (`--id`): an error naming the
    /// feature when one lacks it, or naming the value when two share it.
    ///
    /// ```
    /// use frontline::{Place, PlaceGeometry, Places};
    /// use serde_json::json;
    /// let place = |code: &str| Place::new(json!({"name": "Піщанська сільська громада", "code": code})
    ///     .as_object().unwrap().clone(), PlaceGeometry::Point(geo::point!(x: 30.0, y: 48.0)));
    /// let places = Places::new("h.geojson", vec![place("A1"), place("B2")]).identify_by("code")?;
    /// let ids: Vec<_> = places.iter().map(|p| p.id().unwrap()).collect();
    /// assert_eq!(ids, ["A1", "B2"]);
    /// assert!(places.clone().identify_by("name").unwrap_err().to_string().contains("share"));
    /// assert!(places.identify_by("nope").is_err());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error naming the feature that lacks `property`, or the value two
    /// features share.
    pub fn identify_by(mut self, property: &str) -> Result<Places> {
        let mut first: std::collections::HashMap<String, usize> = Default::default();
        let at = |p: &Place, i: usize| p.feature_index().unwrap_or(i);
        let mut ids = Vec::with_capacity(self.places.len());
        for (i, p) in self.places.iter().enumerate() {
            let Some(id) = id_value(p, property) else {
                return Err(Error::feature(
                    &self.path,
                    at(p, i),
                    Some(p.label().to_string()),
                    format!("no {property:?} property to identify it by (--id)"),
                ));
            };
            if let Some(&j) = first.get(&id) {
                return Err(Error::format(
                    &self.path,
                    format!(
                        "features {} and {} share the {property:?} {id:?}: it cannot \
                         identify them (--id needs a property unique in the file)",
                        at(&self.places[j], j),
                        at(p, i)
                    ),
                ));
            }
            first.insert(id.clone(), i);
            ids.push(id);
        }
        for (place, id) in self.places.iter_mut().zip(ids) {
            place.id = Some(id);
        }
        self.id_key = IdKey::Property(property.to_string());
        Ok(self)
    }

    /// The same places labelled in language `lang` (`name:<lang>`, e.g. `en`,
    /// `uk`), each falling back to `name` where it has no such name
    /// ([`Places::language_fallbacks`] lists those).
    ///
    /// ```
    /// let raions = frontline::import::read_places("data/region.geojson")?.with_language("uk");
    /// assert_eq!(raions.iter().next().unwrap().label(), "Демо-область");
    /// assert_eq!(raions.language_fallbacks().count(), 0);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn with_language(mut self, lang: &str) -> Places {
        for p in &mut self.places {
            let label = p
                .name_in(lang)
                .or_else(|| p.name())
                .or_else(|| p.names().next())
                .unwrap_or("(unnamed)")
                .to_string();
            p.label = Some(label);
        }
        self.language = Some(lang.to_string());
        self
    }

    /// The places without a name in the language [`Places::with_language`]
    /// chose, labelled by a name in another (none before it is called).
    pub fn language_fallbacks(&self) -> impl Iterator<Item = &Place> {
        let lang = self.language.clone();
        self.places
            .iter()
            .filter(move |p| lang.as_deref().is_some_and(|l| p.name_in(l).is_none()))
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
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`], listing close names, when no place has the name.
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
