//! Dates of snapshots: from the envelope's `datetime` or the file name.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// The date a file name gives: DeepState's archive names (`<unix-seconds>.geojson.gz`,
/// UTC) or a trailing `YYYYMMDD` / `YYYY-MM-DD` (`deepstatemap_data_20250601.geojson`,
/// midnight UTC). `None` when the name has neither.
///
/// ```
/// use frontline::import::date_from_file_name;
/// let d = date_from_file_name("archive/1754251105.geojson.gz").unwrap();
/// assert_eq!(d.to_rfc3339(), "2025-08-03T19:58:25+00:00");
/// let d = date_from_file_name("deepstatemap_data_20250601.geojson").unwrap();
/// assert_eq!(d.to_rfc3339(), "2025-06-01T00:00:00+00:00");
/// assert!(date_from_file_name("zones.geojson").is_none());
/// ```
pub fn date_from_file_name(path: impl AsRef<Path>) -> Option<DateTime<Utc>> {
    let name = path.as_ref().file_name()?.to_str()?;
    let stem = name.split('.').next()?;
    if (9..=11).contains(&stem.len()) && stem.bytes().all(|b| b.is_ascii_digit()) {
        return Utc.timestamp_opt(stem.parse().ok()?, 0).single();
    }
    let tail: String = stem
        .chars()
        .rev()
        .take(10)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let date = NaiveDate::parse_from_str(&tail, "%Y-%m-%d")
        .ok()
        .or_else(|| {
            // The last eight bytes; not a char boundary there (a name ending in
            // non-ASCII text, found by fuzzing) means they are not eight digits.
            let t8 = tail.get(tail.len().saturating_sub(8)..).unwrap_or("");
            let before = tail
                .len()
                .checked_sub(9)
                .and_then(|i| tail.as_bytes().get(i));
            let separated = before.is_none_or(|b| !b.is_ascii_digit());
            if separated && t8.bytes().all(|b| b.is_ascii_digit()) {
                NaiveDate::parse_from_str(t8, "%Y%m%d").ok()
            } else {
                None
            }
        })?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

/// Parses an envelope's `datetime`: RFC 3339, `YYYY-MM-DD HH:MM:SS` (UTC),
/// a date alone, or Unix seconds.
pub(crate) fn parse_datetime(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::Number(n) => Utc.timestamp_opt(n.as_i64()?, 0).single(),
        Value::String(s) => {
            let s = s.trim();
            DateTime::parse_from_rfc3339(s)
                .map(|d| d.with_timezone(&Utc))
                .ok()
                .or_else(|| {
                    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
                        .iter()
                        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
                        .map(|d| d.and_utc())
                })
                .or_else(|| {
                    NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .ok()?
                        .and_hms_opt(0, 0, 0)
                        .map(|d| d.and_utc())
                })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelope_datetimes() {
        for v in [
            json!("2025-06-01T09:00:00Z"),
            json!("2025-06-01 09:00:00"),
            json!("2025-06-01T09:00:00.000"),
            json!(1748768400),
        ] {
            assert_eq!(
                parse_datetime(&v).unwrap().to_rfc3339(),
                "2025-06-01T09:00:00+00:00",
                "{v}"
            );
        }
        assert!(parse_datetime(&json!("yesterday")).is_none());
        assert!(parse_datetime(&json!(null)).is_none());
    }

    #[test]
    fn file_names() {
        assert!(date_from_file_name("x_2025-06-01.geojson").is_some());
        assert!(date_from_file_name("x_20251301.geojson").is_none());
        assert!(date_from_file_name("123420250601.geojson").is_none());
        assert!(date_from_file_name("").is_none());
    }

    #[test]
    fn file_names_ending_in_non_ascii_text_have_no_date() {
        // Found by the `dates` fuzz target: the eight-byte tail cut a character
        // in two, and slicing there panicked.
        let name = b"+2FFFFFFFFF\x162:-1\xcf\xb2FF\x16FFFF";
        let name = std::str::from_utf8(name).unwrap();
        assert!(date_from_file_name(name).is_none());
        assert!(date_from_file_name("ééééa.geojson").is_none());
        assert!(date_from_file_name("знімок_20250601.geojson").is_some());
    }
}
