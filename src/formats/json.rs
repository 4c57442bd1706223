//! GeoJSON features deserialized straight into [`Feature`]s: coordinates go from
//! the JSON arrays into `Coord`s, one `Vec` per ring, with no `Vec<f64>` per
//! position nor a `serde_json::Value` tree in between (the geojson crate builds
//! both, which was most of the time of reading a large file).
//!
//! What JSON cannot be (a string for a number, an unclosed array) is a parse error
//! of the file, as before; what is JSON but not a usable geometry (a position with
//! one number, coordinates nested as no type says, an unknown type) becomes
//! [`Shape::Invalid`], an error naming the feature when it is read.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use geo::Coord;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::document::Feature;
use super::shape::{Ring, Shape};

/// The members of features and geometries that are read; others are skipped.
enum Key {
    Type,
    Geometry,
    Properties,
    Coordinates,
    Geometries,
    Id,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                Ok(match s {
                    "type" => Key::Type,
                    "geometry" => Key::Geometry,
                    "properties" => Key::Properties,
                    "coordinates" => Key::Coordinates,
                    "geometries" => Key::Geometries,
                    "id" => Key::Id,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// A string of the input, borrowed where it has no escapes: the member names and
/// types every feature repeats are then read without an allocation each.
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            // As serde's own for `String`, so that errors read the same.
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_string(V)
    }
}

/// Which property values a read keeps. A zone import reads a few of DeepState's
/// members, while its units' and styles' other properties are about half of a
/// snapshot's text: building a `Value` of each was a tenth of reading it.
pub(crate) trait PropertyFilter: Send + Sync {
    /// Whether property `key` is kept.
    fn keeps(key: &str) -> bool;
}

/// Every property, as in the file.
pub(crate) enum AllProperties {}

impl PropertyFilter for AllProperties {
    fn keeps(_: &str) -> bool {
        true
    }
}

/// What a DeepState or occupied-archive zone import uses: the label and colours
/// that classify a feature, and `styleUrl`, which tells a DeepState file. Other
/// properties are dropped, except that a feature with only others keeps the first
/// of them as null: whether a feature has properties at all tells an
/// occupied-archive file.
pub(crate) enum ZoneProperties {}

impl PropertyFilter for ZoneProperties {
    fn keeps(key: &str) -> bool {
        matches!(key, "name" | "fill" | "stroke" | "styleUrl")
    }
}

impl<'de> Deserialize<'de> for Feature {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Feature, D::Error> {
        FeatureOf::<AllProperties>::deserialize(d).map(|f| f.0)
    }
}

/// A feature whose properties are read through filter `F`.
pub(crate) struct FeatureOf<F>(pub Feature, PhantomData<F>);

impl<'de, F: PropertyFilter> Deserialize<'de> for FeatureOf<F> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FeatureOf<F>, D::Error> {
        struct V<F>(PhantomData<F>);
        impl<'de, F: PropertyFilter> Visitor<'de> for V<F> {
            type Value = FeatureOf<F>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON Feature")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FeatureOf<F>, A::Error> {
                let mut geometry: Option<GeometryJson> = None;
                let mut properties: Option<PropertiesOf<F>> = None;
                let mut id: Option<String> = None;
                while let Some(key) = map.next_key()? {
                    match key {
                        Key::Type => {
                            let Text(kind) = map.next_value()?;
                            if kind != "Feature" {
                                return Err(de::Error::custom(format!(
                                    "expected a Feature, found type {kind:?}"
                                )));
                            }
                        }
                        Key::Geometry => geometry = map.next_value()?,
                        Key::Properties => properties = map.next_value()?,
                        Key::Id => {
                            id = match map.next_value::<Value>()? {
                                Value::String(s) => Some(s),
                                Value::Number(n) => Some(n.to_string()),
                                _ => None,
                            }
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let feature = Feature {
                    geometry: geometry.map(|g| g.0),
                    properties: properties.map(|p| p.0),
                    id,
                };
                Ok(FeatureOf(feature, PhantomData))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// A feature's properties, read through filter `F`.
pub(crate) struct PropertiesOf<F>(pub Map<String, Value>, PhantomData<F>);

impl<'de, F: PropertyFilter> Deserialize<'de> for PropertiesOf<F> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PropertiesOf<F>, D::Error> {
        struct V<F>(PhantomData<F>);
        impl<'de, F: PropertyFilter> Visitor<'de> for V<F> {
            type Value = PropertiesOf<F>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of properties")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PropertiesOf<F>, A::Error> {
                let mut out = Map::new();
                let mut first_dropped: Option<Cow<'de, str>> = None;
                while let Some(Text(key)) = map.next_key()? {
                    if F::keeps(&key) {
                        out.insert(key.into_owned(), map.next_value()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                        if first_dropped.is_none() {
                            first_dropped = Some(key);
                        }
                    }
                }
                // Whether a feature has properties at all still shows.
                if let (true, Some(key)) = (out.is_empty(), first_dropped) {
                    out.insert(key.into_owned(), Value::Null);
                }
                Ok(PropertiesOf(out, PhantomData))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// A GeoJSON geometry object, read into a [`Shape`].
pub(crate) struct GeometryJson(pub Shape);

impl<'de> Deserialize<'de> for GeometryJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<GeometryJson, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = GeometryJson;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON geometry")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<GeometryJson, A::Error> {
                let mut kind: Option<Cow<'de, str>> = None;
                let mut coordinates: Option<Nested> = None;
                let mut geometries: Option<Vec<GeometryJson>> = None;
                while let Some(key) = map.next_key()? {
                    match key {
                        Key::Type => kind = Some(map.next_value::<Text>()?.0),
                        Key::Coordinates => coordinates = Some(map.next_value()?),
                        Key::Geometries => geometries = Some(map.next_value()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(GeometryJson(shape(
                    kind.as_deref(),
                    coordinates,
                    geometries,
                )))
            }
        }
        d.deserialize_map(V)
    }
}

/// The shape a geometry's type, coordinates and member geometries make.
fn shape(
    kind: Option<&str>,
    coordinates: Option<Nested>,
    geometries: Option<Vec<GeometryJson>>,
) -> Shape {
    let Some(kind) = kind else {
        return Shape::Invalid("a geometry without a \"type\"".into());
    };
    if kind == "GeometryCollection" {
        return match geometries {
            Some(gs) => Shape::Collection(gs.into_iter().map(|g| g.0).collect()),
            None => Shape::Invalid("a GeometryCollection without \"geometries\"".into()),
        };
    }
    let Some(coordinates) = coordinates else {
        return Shape::Invalid(format!("a {kind} without \"coordinates\""));
    };
    let wrong = || Shape::Invalid(format!("the coordinates of a {kind} are not nested as one"));
    let short = |n: usize| Shape::Invalid(format!("a position has {n} number(s), not 2"));
    match (kind, coordinates) {
        (_, Nested::Bad(why)) => Shape::Invalid(why),
        ("Point", Nested::Position(c, n)) if n >= 2 => Shape::Point(c),
        ("Point", Nested::Position(_, n)) => short(n),
        ("Point", Nested::Empty(0)) => short(0),
        ("MultiPoint", Nested::Positions(cs)) => Shape::MultiPoint(cs),
        ("LineString", Nested::Positions(cs)) => Shape::LineString(cs),
        ("MultiPoint", Nested::Empty(0)) => Shape::MultiPoint(Vec::new()),
        ("LineString", Nested::Empty(0)) => Shape::LineString(Vec::new()),
        ("MultiPoint" | "LineString", Nested::Empty(_)) => short(0),
        ("MultiLineString", Nested::Rings(rs)) => Shape::MultiLineString(rs),
        ("Polygon", Nested::Rings(rs)) => Shape::Polygon(rs),
        ("MultiLineString", Nested::Empty(n)) => Shape::MultiLineString(vec![Vec::new(); n]),
        ("Polygon", Nested::Empty(n)) => Shape::Polygon(vec![Vec::new(); n]),
        ("MultiPolygon", Nested::Polygons(ps)) => Shape::MultiPolygon(ps),
        ("MultiPolygon", Nested::Empty(n)) => Shape::MultiPolygon(vec![Vec::new(); n]),
        (
            "Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon" | "MultiPolygon",
            _,
        ) => wrong(),
        (other, _) => Shape::Invalid(format!("unknown geometry type {other:?}")),
    }
}

/// Coordinates of any depth, read without knowing the geometry's type (which may
/// come after them).
enum Nested {
    /// A number: only ever the first element of a position.
    Number(f64),
    /// A position's x and y, and how many numbers it had (x, y NaN below two).
    Position(Coord<f64>, usize),
    /// `[]` (0), or an array of `n` `[]`: of unknown depth.
    Empty(usize),
    Positions(Ring),
    Rings(Vec<Ring>),
    Polygons(Vec<Vec<Ring>>),
    /// Not usable coordinates, and why.
    Bad(String),
}

impl<'de> Deserialize<'de> for Nested {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Nested, D::Error> {
        d.deserialize_any(NestedVisitor)
    }
}

struct NestedVisitor;

impl<'de> Visitor<'de> for NestedVisitor {
    type Value = Nested;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("GeoJSON coordinates")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Nested, E> {
        Ok(Nested::Number(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Nested, E> {
        Ok(Nested::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Nested, E> {
        Ok(Nested::Number(v as f64))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Nested, A::Error> {
        let mut acc = match seq.next_element::<Nested>()? {
            None => return Ok(Nested::Empty(0)),
            Some(Nested::Number(x)) => {
                let (mut y, mut n) = (f64::NAN, 1);
                while let Some(v) = seq.next_element::<f64>()? {
                    if n == 1 {
                        y = v;
                    }
                    n += 1;
                }
                let x = if n >= 2 { x } else { f64::NAN };
                return Ok(Nested::Position(Coord { x, y }, n));
            }
            Some(first) => Acc::Start(0).push(first),
        };
        // A ring's positions, the bulk of any file, read as positions directly.
        if let Acc::Positions(ring) = &mut acc {
            while let Some((c, n)) = seq.next_element_seed(PositionSeed)? {
                if n < 2 {
                    while seq.next_element::<IgnoredAny>()?.is_some() {}
                    return Ok(Nested::Bad(format!("a position has {n} number(s), not 2")));
                }
                ring.push(c);
            }
            return Ok(acc.finish());
        }
        while let Some(next) = seq.next_element::<Nested>()? {
            acc = acc.push(next);
        }
        Ok(acc.finish())
    }
}

/// A position where one must be: its x and y, and how many numbers it had.
struct PositionSeed;

impl<'de> de::DeserializeSeed<'de> for PositionSeed {
    type Value = (Coord<f64>, usize);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for PositionSeed {
    type Value = (Coord<f64>, usize);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a position")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut xy = [f64::NAN; 2];
        let mut n = 0;
        while let Some(v) = seq.next_element::<f64>()? {
            if let Some(slot) = xy.get_mut(n) {
                *slot = v;
            }
            n += 1;
        }
        Ok((Coord { x: xy[0], y: xy[1] }, n))
    }
}

/// An array of arrays being read: its depth is that of its first non-empty
/// element, and every other element must have that depth.
enum Acc {
    /// Only `[]` so far, this many.
    Start(usize),
    Positions(Ring),
    Rings(Vec<Ring>),
    Polygons(Vec<Vec<Ring>>),
    Bad(String),
}

impl Acc {
    fn push(self, element: Nested) -> Acc {
        let short = |n: usize| Acc::Bad(format!("a position has {n} number(s), not 2"));
        match (self, element) {
            (Acc::Bad(why), _) | (_, Nested::Bad(why)) => Acc::Bad(why),
            (Acc::Start(k), Nested::Empty(0)) => Acc::Start(k + 1),
            (Acc::Start(0), Nested::Position(c, n)) if n >= 2 => Acc::Positions(vec![c]),
            (Acc::Start(0), Nested::Position(_, n)) => short(n),
            (Acc::Start(_), Nested::Position(..)) => short(0),
            (Acc::Start(k), Nested::Positions(r)) => {
                let mut rings = vec![Vec::new(); k];
                rings.push(r);
                Acc::Rings(rings)
            }
            (Acc::Start(k), Nested::Empty(m)) => {
                let mut polygons = vec![Vec::new(); k];
                polygons.push(vec![Vec::new(); m]);
                Acc::Polygons(polygons)
            }
            (Acc::Start(k), Nested::Rings(p)) => {
                let mut polygons = vec![Vec::new(); k];
                polygons.push(p);
                Acc::Polygons(polygons)
            }
            (Acc::Positions(mut r), Nested::Position(c, n)) if n >= 2 => {
                r.push(c);
                Acc::Positions(r)
            }
            (Acc::Positions(_), Nested::Position(_, n)) => short(n),
            (Acc::Positions(_), Nested::Empty(0)) => short(0),
            (Acc::Rings(mut rs), Nested::Positions(r)) => {
                rs.push(r);
                Acc::Rings(rs)
            }
            (Acc::Rings(mut rs), Nested::Empty(0)) => {
                rs.push(Vec::new());
                Acc::Rings(rs)
            }
            (Acc::Polygons(mut ps), Nested::Rings(p)) => {
                ps.push(p);
                Acc::Polygons(ps)
            }
            (Acc::Polygons(mut ps), Nested::Empty(m)) => {
                ps.push(vec![Vec::new(); m]);
                Acc::Polygons(ps)
            }
            (_, Nested::Polygons(_)) => Acc::Bad("coordinates nested too deeply".into()),
            _ => Acc::Bad("coordinates nested unevenly".into()),
        }
    }

    fn finish(self) -> Nested {
        match self {
            Acc::Start(k) => Nested::Empty(k),
            Acc::Positions(r) => Nested::Positions(r),
            Acc::Rings(rs) => Nested::Rings(rs),
            Acc::Polygons(ps) => Nested::Polygons(ps),
            Acc::Bad(why) => Nested::Bad(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Shape {
        serde_json::from_str::<GeometryJson>(text).unwrap().0
    }

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn every_type_and_member_order() {
        assert_eq!(
            read(r#"{"coordinates": [1, 2.5, 9], "type": "Point"}"#),
            Shape::Point(c(1.0, 2.5))
        );
        assert_eq!(
            read(
                r#"{"type": "LineString", "bbox": [0, 0, 1, 1], "coordinates": [[0, 0], [1, 1]]}"#
            ),
            Shape::LineString(vec![c(0.0, 0.0), c(1.0, 1.0)])
        );
        assert_eq!(
            read(
                r#"{"type": "MultiPolygon", "coordinates": [[[[0,0],[1,0],[0,1]]], [], [[], [[2,2],[3,3]]]]}"#
            ),
            Shape::MultiPolygon(vec![
                vec![vec![c(0.0, 0.0), c(1.0, 0.0), c(0.0, 1.0)]],
                vec![],
                vec![vec![], vec![c(2.0, 2.0), c(3.0, 3.0)]],
            ])
        );
        assert_eq!(
            read(r#"{"type": "Polygon", "coordinates": [[]]}"#),
            Shape::Polygon(vec![vec![]])
        );
        assert_eq!(
            read(r#"{"type": "MultiPolygon", "coordinates": [[[]]]}"#),
            Shape::MultiPolygon(vec![vec![vec![]]])
        );
        assert_eq!(
            read(
                r#"{"type": "GeometryCollection", "geometries": [{"type": "MultiPoint", "coordinates": [[1, 2]]}]}"#
            ),
            Shape::Collection(vec![Shape::MultiPoint(vec![c(1.0, 2.0)])])
        );
    }

    #[test]
    fn unusable_geometries_are_invalid_not_parse_errors() {
        for (text, why) in [
            (r#"{"type": "Point", "coordinates": [1]}"#, "1 number(s)"),
            (
                r#"{"type": "LineString", "coordinates": [[0, 0], [1]]}"#,
                "1 number(s)",
            ),
            (
                r#"{"type": "Polygon", "coordinates": [[0, 0], [1, 1]]}"#,
                "not nested",
            ),
            (
                r#"{"type": "Polygon", "coordinates": [[[0, 0]], [0, 0]]}"#,
                "unevenly",
            ),
            (r#"{"type": "Circle", "coordinates": [0, 0]}"#, "unknown"),
            (r#"{"coordinates": [0, 0]}"#, "without a \"type\""),
            (r#"{"type": "Point"}"#, "without \"coordinates\""),
        ] {
            match read(text) {
                Shape::Invalid(w) => assert!(w.contains(why), "{text}: {w}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        assert!(
            serde_json::from_str::<GeometryJson>(r#"{"type": "Point", "coordinates": ["a", 1]}"#)
                .is_err()
        );
    }

    #[test]
    fn a_zone_read_keeps_only_the_values_it_uses() {
        let text = r##"{"type": "Feature", "geometry": null, "properties": {"name": "x /// y",
            "fill": "#a52714", "styleMapHash": {"normal": "#a"}, "icon-scale": 1.1}}"##;
        let zone = serde_json::from_str::<FeatureOf<ZoneProperties>>(text)
            .unwrap()
            .0;
        let p = zone.properties.unwrap();
        assert_eq!(
            (&p["name"], &p["fill"]),
            (&Value::from("x /// y"), &Value::from("#a52714"))
        );
        assert_eq!(p.len(), 2);
        let only_others =
            r#"{"type": "Feature", "geometry": null, "properties": {"a": 1, "b": 2}}"#;
        let f = serde_json::from_str::<FeatureOf<ZoneProperties>>(only_others)
            .unwrap()
            .0;
        let a_null: Map<String, Value> = serde_json::from_str(r#"{"a": null}"#).unwrap();
        assert_eq!(f.properties.unwrap(), a_null);
        let all: Feature = serde_json::from_str(text).unwrap();
        assert_eq!(all.properties.unwrap()["icon-scale"], 1.1);
        assert!(
            serde_json::from_str::<FeatureOf<ZoneProperties>>(
                r#"{"type": "Feature", "geometry": null, "properties": {"a": [1,}}"#
            )
            .is_err()
        );
    }

    #[test]
    fn features_keep_properties_and_check_their_type() {
        let f: Feature = serde_json::from_str(
            r#"{"id": 3, "type": "Feature", "properties": {"name": "x"}, "geometry": null}"#,
        )
        .unwrap();
        assert!(f.geometry.is_none());
        assert_eq!(f.properties.unwrap()["name"], "x");
        let e = serde_json::from_str::<Feature>(r#"{"type": "Polygon", "coordinates": []}"#)
            .err()
            .unwrap();
        assert!(e.to_string().contains("found type \"Polygon\""), "{e}");
    }

    #[test]
    fn names_and_types_read_alike_escaped_or_not() {
        // Member names and types are borrowed from the text unless escaped.
        let plain = r#"{"type": "Feature", "properties": {"name": "x", "a": 1},
            "geometry": {"type": "Point", "coordinates": [1, 2]}}"#;
        let escaped = r#"{"type": "Feat\u0075re", "properties": {"na\u006de": "x", "\u0061": 1},
            "geometry": {"type": "Po\u0069nt", "coordinates": [1, 2]}}"#;
        let zone = |t| {
            serde_json::from_str::<FeatureOf<ZoneProperties>>(t)
                .unwrap()
                .0
        };
        let (a, b) = (zone(plain), zone(escaped));
        assert_eq!(
            (a.geometry.clone(), a.properties.clone()),
            (b.geometry, b.properties)
        );
        assert_eq!(a.geometry, Some(Shape::Point(c(1.0, 2.0))));
        // A feature with only dropped properties keeps the first, escaped or not.
        let only = |t| zone(t).properties.unwrap();
        assert_eq!(
            only(r#"{"type": "Feature", "geometry": null, "properties": {"\u0061": 1}}"#),
            only(r#"{"type": "Feature", "geometry": null, "properties": {"a": 1}}"#)
        );
        // A type that is not a string is an error, worded as before.
        let e = serde_json::from_str::<Feature>(r#"{"type": 1, "geometry": null}"#)
            .err()
            .unwrap();
        assert!(e.to_string().contains("expected a string"), "{e}");
    }
}
