//! DeepState's answers, parsed and checked before anything is stored: the
//! listing of updates, an update's envelope (its map checked by the library's own
//! DeepState reader) and its published areas.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::import::{self, Source};

/// The smallest and largest id taken for Unix seconds: 9 to 11 digits, the ids
/// [`date_from_file_name`](crate::import::date_from_file_name) dates a file by, so
/// that every command reads a stored `<id>.geojson.gz` at its time.
const IDS: std::ops::RangeInclusive<i64> = 100_000_000..=99_999_999_999;

/// One update of DeepState's listing (`/api/history/public`).
///
/// ```
/// let updates = frontline::sync::parse_listing(
///     br#"[{"id": 1754251105, "datetime": "2025-08-03T19:58:25Z", "updatedAt": "2025-08-03T20:01:00Z"}]"#,
/// )?;
/// assert_eq!(updates[0].time.to_rfc3339(), "2025-08-03T19:58:25+00:00");
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Update {
    /// The update's id: its time in Unix seconds.
    pub id: i64,
    /// The same time.
    pub time: DateTime<Utc>,
    /// The listing's `datetime`, as given.
    pub datetime: Option<String>,
    /// The listing's `updatedAt`, as given: when it changes, the update is
    /// fetched again and compared with the copy stored.
    pub updated_at: Option<String>,
}

/// Parses and checks a listing: a non-empty JSON array of objects whose `id` is a
/// whole number of Unix seconds (9 to 11 digits). Anything else is refused as a
/// whole, naming the first bad entry: an id is about to become a file name.
///
/// ```
/// use frontline::sync::parse_listing;
/// assert!(parse_listing(b"[]").unwrap_err().contains("empty"));
/// assert!(parse_listing(br#"[{"id": "../x"}]"#).unwrap_err().contains("entry 0"));
/// assert!(parse_listing(b"<html>").unwrap_err().contains("HTML"));
/// ```
///
/// # Errors
///
/// A message naming the first bad entry when the body is not a non-empty JSON
/// array of objects with valid ids.
pub fn parse_listing(body: &[u8]) -> Result<Vec<Update>, String> {
    let value: Value = parse_json(body)?;
    let Value::Array(entries) = value else {
        return Err(format!("not a JSON array of updates but {}", kind(&value)));
    };
    if entries.is_empty() {
        return Err("the listing is empty: no update at all".into());
    }
    let mut updates = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let bad = |why: String| format!("entry {index} of the listing: {why}");
        let Value::Object(fields) = entry else {
            return Err(bad(format!("not an object but {}", kind(entry))));
        };
        let id = match fields.get("id") {
            Some(v) => id_of(v).map_err(bad)?,
            None => return Err(bad("no id".into())),
        };
        let text = |k: &str| fields.get(k).and_then(Value::as_str).map(str::to_string);
        updates.push(Update {
            id,
            time: time_of(id).map_err(bad)?,
            datetime: text("datetime"),
            updated_at: text("updatedAt"),
        });
    }
    updates.sort_by_key(|u| u.id);
    updates.dedup_by_key(|u| u.id);
    Ok(updates)
}

/// An id: a JSON integer of 9 to 11 digits.
fn id_of(value: &Value) -> Result<i64, String> {
    match value.as_i64() {
        Some(id) if IDS.contains(&id) => Ok(id),
        _ => Err(format!(
            "id {value} is not a whole number of Unix seconds (9 to 11 digits)"
        )),
    }
}

fn time_of(id: i64) -> Result<DateTime<Utc>, String> {
    Utc.timestamp_opt(id, 0)
        .single()
        .ok_or_else(|| format!("id {id} is not a time"))
}

/// An update's map, checked: the exact text of the envelope's `map` (a
/// FeatureCollection), and what the DeepState reader made of it.
#[derive(Debug)]
pub struct Map<'a> {
    /// The map's JSON text, byte for byte as served.
    pub text: &'a str,
    /// The envelope's `datetime`, as RFC 3339 when it parses.
    pub datetime: Option<String>,
    /// How many zones (classified polygons) the reader found.
    pub zones: usize,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    id: Option<Value>,
    datetime: Option<Value>,
    #[serde(borrow)]
    map: Option<&'a RawValue>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// Parses and checks the answer of `/api/history/{id}/geojson`: the envelope
/// `{"id", "datetime", "map"}` (or, as older answers were, the bare
/// FeatureCollection), with the id asked for, and a map the DeepState reader
/// imports with at least one zone. `origin` names the map in messages (`the
/// map: not valid GeoJSON ...`).
///
/// ```
/// let body = br#"{"id": 1754251105, "datetime": "2025-08-03T19:58:25Z", "map": {"type": "FeatureCollection",
///   "features": [{"type": "Feature", "properties": {"name": "x /// y /// geoJSON.status.occupied"},
///   "geometry": {"type": "Polygon", "coordinates": [[[37,48,0],[37.1,48,0],[37.1,48.1,0],[37,48,0]]]}}]}}"#;
/// let map = frontline::sync::parse_envelope(body, 1754251105, "test")?;
/// assert_eq!(map.zones, 1);
/// assert!(map.text.starts_with(r#"{"type": "FeatureCollection""#));
/// assert!(frontline::sync::parse_envelope(body, 1754251106, "test").unwrap_err().contains("id"));
/// assert!(frontline::sync::parse_envelope(&body[..body.len() / 2], 1754251105, "test").is_err());
/// # Ok::<(), String>(())
/// ```
///
/// # Errors
///
/// A message saying what is wrong when the body is not UTF-8 JSON (or is
/// HTML), the id differs, the date is bad, or the map has no zone.
pub fn parse_envelope<'a>(body: &'a [u8], id: i64, origin: &str) -> Result<Map<'a>, String> {
    let text = utf8(body)?;
    refuse_html(text)?;
    let envelope: Envelope<'a> =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let (map, datetime) = match envelope.map {
        Some(map) => {
            match &envelope.id {
                Some(v) if id_of(v) == Ok(id) => {}
                Some(v) => return Err(format!("the envelope's id is {v}, not {id}")),
                None => return Err("the envelope has no id".into()),
            }
            (map.get(), envelope.datetime)
        }
        None if envelope.kind.as_deref() == Some("FeatureCollection") => (text, None),
        None => return Err("neither an envelope with a map nor a FeatureCollection".into()),
    };
    let datetime = match &datetime {
        Some(v) => Some(
            import::time::parse_datetime(v)
                .ok_or_else(|| format!("the envelope's datetime {v} is not a date"))?
                .to_rfc3339(),
        ),
        None => None,
    };
    let zones = check_map(map, origin)?;
    Ok(Map {
        text: map,
        datetime,
        zones,
    })
}

/// Reads a map as every command will read the stored file: with the DeepState
/// reader; a map it refuses, or one without a single zone, is refused.
pub(crate) fn check_map(text: &str, origin: &str) -> Result<usize, String> {
    if !text.trim_start().starts_with('{') {
        return Err("the map is not a JSON object".into());
    }
    let import =
        import::parse_zones(text, origin, Some(&Source::DeepState)).map_err(|e| e.to_string())?;
    let zones = import.report.zones.values().sum::<usize>();
    if zones == 0 {
        return Err(format!(
            "the map has no zone ({} features, none a classified polygon)",
            import.report.features
        ));
    }
    Ok(zones)
}

/// One published area of an update (`/api/history/{id}/areas`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublishedArea {
    /// DeepState's type: `occupied_after_24_02_2022`, `occupied_to_24_02_2022`,
    /// `occupied`, `unspecified` (the grey zone), `liberated`, `other_territories`
    /// (see [`kinds`](crate::sync::kinds)).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its area, km².
    #[serde(rename = "area")]
    pub km2: f64,
    /// Its share of Ukraine as DeepState gives it (a string in the answer), %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<Value>,
    /// The fill colour of its polygons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

/// Parses and checks published areas: a JSON array of `{type, area}` objects with
/// a string type and a finite, non-negative area.
///
/// ```
/// let areas = frontline::sync::parse_areas(
///     br##"[{"hash": "#a52714", "area": 63864.6, "percent": "10.579", "type": "occupied_after_24_02_2022"}]"##)?;
/// assert_eq!((areas[0].kind.as_str(), areas[0].km2), ("occupied_after_24_02_2022", 63864.6));
/// assert!(frontline::sync::parse_areas(br#"[{"type": "liberated", "area": -1}]"#).is_err());
/// # Ok::<(), String>(())
/// ```
///
/// # Errors
///
/// A message naming the bad entry when the body is not a JSON array of
/// `{type, area}` with finite, non-negative areas.
pub fn parse_areas(body: &[u8]) -> Result<Vec<PublishedArea>, String> {
    let value = parse_json(body)?;
    let Value::Array(entries) = &value else {
        return Err(format!("not a JSON array of areas but {}", kind(&value)));
    };
    let mut areas = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let area: PublishedArea = serde_json::from_value(entry.clone())
            .map_err(|e| format!("area {index}: {e} (expected {{\"type\", \"area\"}})"))?;
        if !(area.km2.is_finite() && area.km2 >= 0.0) {
            return Err(format!("area {index}: {} km² is not an area", area.km2));
        }
        areas.push(area);
    }
    Ok(areas)
}

fn parse_json(body: &[u8]) -> Result<Value, String> {
    let text = utf8(body)?;
    refuse_html(text)?;
    serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))
}

fn utf8(body: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(body).map_err(|e| format!("not UTF-8 text: {e}"))
}

/// An HTML page (a wrong `--base-url`, a proxy's or a CDN's error page) said for
/// what it is rather than as a JSON syntax error at line 1.
fn refuse_html(text: &str) -> Result<(), String> {
    if text.trim_start().starts_with('<') {
        let start: String = text.trim_start().chars().take(40).collect();
        return Err(format!(
            "the answer is HTML or XML, not JSON ({start:?}...): is the base URL right?"
        ));
    }
    Ok(())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings() {
        let ok = parse_listing(
            br#"[{"id": 1754251105, "updatedAt": "x"}, {"id": 1649005166}, {"id": 1754251105}]"#,
        )
        .unwrap();
        assert_eq!(
            ok.iter().map(|u| u.id).collect::<Vec<_>>(),
            [1649005166, 1754251105]
        );
        for (body, says) in [
            (&b"{}"[..], "not a JSON array"),
            (b"[1]", "entry 0"),
            (br#"[{"id": 1754251105}, {"id": 1.5}]"#, "entry 1"),
            (br#"[{"id": -1754251105}]"#, "Unix seconds"),
            (br#"[{"id": 12}]"#, "9 to 11 digits"),
            (br#"[{"name": "x"}]"#, "no id"),
            (b"[{\"id\": 17542", "invalid JSON"),
            (b"\xff\xfe", "UTF-8"),
            (b"  <!DOCTYPE html><html>", "HTML"),
        ] {
            let err = parse_listing(body).unwrap_err();
            assert!(err.contains(says), "{err}");
        }
    }

    #[test]
    fn envelopes() {
        let map = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a /// b /// geoJSON.status.unknown"},"geometry":{"type":"Polygon","coordinates":[[[37,48,0],[37.1,48,0],[37.1,48.1,0],[37,48,0]]]}}]}"#;
        let body = format!(r#"{{"id":1754251105,"datetime":"2025-08-03 19:58:25","map":{map}}}"#);
        let got = parse_envelope(body.as_bytes(), 1754251105, "t").unwrap();
        assert_eq!(got.text, map);
        assert_eq!(got.datetime.as_deref(), Some("2025-08-03T19:58:25+00:00"));
        // The bare FeatureCollection of older answers.
        assert_eq!(
            parse_envelope(map.as_bytes(), 1754251105, "t")
                .unwrap()
                .text,
            map
        );
        let empty = r#"{"id":1754251105,"map":{"type":"FeatureCollection","features":[]}}"#;
        let err = parse_envelope(empty.as_bytes(), 1754251105, "t").unwrap_err();
        assert!(err.contains("no zone"), "{err}");
        let no_id = format!(r#"{{"map":{map}}}"#);
        assert!(parse_envelope(no_id.as_bytes(), 1754251105, "t").is_err());
        let bad_date = format!(r#"{{"id":1754251105,"datetime":"soon","map":{map}}}"#);
        assert!(parse_envelope(bad_date.as_bytes(), 1754251105, "t").is_err());
        let not_map = r#"{"id":1754251105,"map":[1,2]}"#;
        assert!(parse_envelope(not_map.as_bytes(), 1754251105, "t").is_err());
        let nan = body.replace("37.1,48,0", "37.1,1e999,0");
        assert!(parse_envelope(nan.as_bytes(), 1754251105, "t").is_err());
    }

    #[test]
    fn areas() {
        assert!(parse_areas(b"[]").unwrap().is_empty());
        for body in [
            &br#"{"type": "liberated"}"#[..],
            br#"[{"area": 1}]"#,
            br#"[{"type": "liberated", "area": "12"}]"#,
        ] {
            assert!(parse_areas(body).is_err());
        }
    }
}
