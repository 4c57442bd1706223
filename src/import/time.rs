//! Dates of snapshots: from the envelope's `datetime` or the file name.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// The date a file name gives: DeepState's archive names (`<unix-seconds>.geojson.gz`,
/// the publication time, UTC), or one date in the name as `YYYYMMDD` or
/// `YYYY-MM-DD`, anywhere in it but set off from other digits
/// (`deepstatemap_data_20250601.geojson`,
/// `deepstatemap_data_20251027_polygons.geojson.gz`, `map-2025-06-01-v2.geojson`):
/// midnight UTC of that day. `None` when the name has no date, or several
/// different ones (ambiguous).
///
/// The daily archives' files are fetched at about 03:15-03:50 UTC on the day
/// their name gives, and hold the map as last updated before then (usually the
/// previous evening's update): dated at midnight, they stand for the map as it
/// was when that day began.
///
/// ```
/// use frontline::import::date_from_file_name;
/// let d = date_from_file_name("archive/1754251105.geojson.gz").unwrap();
/// assert_eq!(d.to_rfc3339(), "2025-08-03T19:58:25+00:00");
/// let d = date_from_file_name("deepstatemap_data_20250601.geojson").unwrap();
/// assert_eq!(d.to_rfc3339(), "2025-06-01T00:00:00+00:00");
/// let d = date_from_file_name("deepstatemap_data_20251027_polygons.geojson.gz").unwrap();
/// assert_eq!(d.to_rfc3339(), "2025-10-27T00:00:00+00:00");
/// assert!(date_from_file_name("zones.geojson").is_none());
/// assert!(date_from_file_name("from_20250101_to_20250201.geojson").is_none());
/// ```
pub fn date_from_file_name(path: impl AsRef<Path>) -> Option<DateTime<Utc>> {
    let name = path.as_ref().file_name()?.to_str()?;
    let stem = name.split('.').next()?;
    if (9..=11).contains(&stem.len()) && stem.bytes().all(|b| b.is_ascii_digit()) {
        return Utc.timestamp_opt(stem.parse().ok()?, 0).single();
    }
    let mut found: Option<NaiveDate> = None;
    for date in dates_in(stem) {
        if found.is_some_and(|f| f != date) {
            return None;
        }
        found = Some(date);
    }
    Some(found?.and_hms_opt(0, 0, 0)?.and_utc())
}

/// Every `YYYYMMDD` or `YYYY-MM-DD` in `text` that is a real day and is not part
/// of a longer run of digits.
fn dates_in(text: &str) -> impl Iterator<Item = NaiveDate> + '_ {
    let bytes = text.as_bytes();
    let digit = move |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    (0..bytes.len()).filter_map(move |i| {
        if digit(i) && (i == 0 || !digit(i - 1)) {
            for (len, format) in [(8, "%Y%m%d"), (10, "%Y-%m-%d")] {
                let end = i + len;
                if end <= bytes.len() && !digit(end) {
                    let candidate = text.get(i..end)?;
                    let shaped = if len == 8 {
                        candidate.bytes().all(|b| b.is_ascii_digit())
                    } else {
                        candidate.bytes().enumerate().all(|(k, b)| {
                            if k == 4 || k == 7 {
                                b == b'-'
                            } else {
                                b.is_ascii_digit()
                            }
                        })
                    };
                    if shaped && let Ok(date) = NaiveDate::parse_from_str(candidate, format) {
                        return Some(date);
                    }
                }
            }
        }
        None
    })
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
        assert_eq!(
            date_from_file_name("deepstatemap_data_20240916_polygons.geojson.gz")
                .unwrap()
                .to_rfc3339(),
            "2024-09-16T00:00:00+00:00"
        );
        assert!(date_from_file_name("map_2025-06-01_final.geojson").is_some());
        // The same day twice is one date; two days are ambiguous.
        assert!(date_from_file_name("x_20250601_20250601.geojson").is_some());
        assert!(date_from_file_name("x_20250601_20250602.geojson").is_none());
        assert!(date_from_file_name("x_2025060.geojson").is_none());
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
