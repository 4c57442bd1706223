//! The attribute table of a feature collection: the columns (in order of first
//! appearance) and one type per column, for the typed formats.

use serde_json::{Map, Value};

/// The type a column gets: the narrowest that holds every non-null value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Bool,
    Int,
    Float,
    Text,
}

/// A column of the table.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Column {
    pub name: String,
    pub kind: Kind,
}

/// The columns of the features' properties. A column whose values mix types
/// (a number here, a string there) is text; nested objects and arrays are written
/// as JSON text; a column with only nulls is text.
pub(crate) fn columns(features: &[geojson::Feature]) -> Vec<Column> {
    let mut out: Vec<(String, Option<Kind>)> = Vec::new();
    for props in features.iter().filter_map(|f| f.properties.as_ref()) {
        for (name, value) in props {
            let kind = match value {
                Value::Null => None,
                Value::Bool(_) => Some(Kind::Bool),
                Value::Number(n) if n.is_i64() => Some(Kind::Int),
                Value::Number(_) => Some(Kind::Float),
                _ => Some(Kind::Text),
            };
            let at = match out.iter().position(|(n, _)| n == name) {
                Some(at) => at,
                None => {
                    out.push((name.clone(), None));
                    out.len() - 1
                }
            };
            let slot = &mut out[at].1;
            *slot = match (*slot, kind) {
                (k, None) => k,
                (None, k) => k,
                (Some(a), Some(b)) if a == b => Some(a),
                (Some(Kind::Int | Kind::Float), Some(Kind::Int | Kind::Float)) => Some(Kind::Float),
                _ => Some(Kind::Text),
            };
        }
    }
    out.into_iter()
        .map(|(name, kind)| Column {
            name,
            kind: kind.unwrap_or(Kind::Text),
        })
        .collect()
}

/// A property as text (strings as they are, anything else as JSON).
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The value of column `name` in a feature's properties, `None` when absent or null.
pub(crate) fn get<'a>(props: Option<&'a Map<String, Value>>, name: &str) -> Option<&'a Value> {
    props?.get(name).filter(|v| !v.is_null())
}

/// A float that JSON can hold (NaN and infinities have no JSON form: null).
pub(crate) fn number(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_the_narrowest_that_fit() {
        let fc: geojson::FeatureCollection = r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": null, "properties": {"a": 1, "b": 1, "c": true, "d": "x", "e": null, "f": 1}},
            {"type": "Feature", "geometry": null, "properties": {"a": 2, "b": 1.5, "c": false, "d": 3, "f": "y", "g": [1]}}]}"#
            .parse()
            .unwrap();
        let kinds: Vec<(String, Kind)> = columns(&fc.features)
            .into_iter()
            .map(|c| (c.name, c.kind))
            .collect();
        let expect = [
            ("a", Kind::Int),
            ("b", Kind::Float),
            ("c", Kind::Bool),
            ("d", Kind::Text),
            ("e", Kind::Text),
            ("f", Kind::Text),
            ("g", Kind::Text),
        ];
        assert_eq!(kinds.len(), expect.len());
        for ((n, k), (en, ek)) in kinds.iter().zip(expect) {
            assert_eq!((n.as_str(), *k), (en, ek));
        }
        assert_eq!(text(&serde_json::json!([1])), "[1]");
    }
}
