//! The plan of a sync: which updates of the listing are wanted (`--since`,
//! `--every`), and what each wanted update still needs given the manifest.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use super::api::Update;
use super::manifest::Record;
use crate::{Error, Result};

/// Which updates to keep.
///
/// ```
/// use frontline::sync::Every;
/// assert_eq!("week".parse::<Every>()?, Every::Week);
/// assert!("month".parse::<Every>().is_err());
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Every {
    /// Every update.
    #[default]
    Update,
    /// The latest update of each UTC day.
    Day,
    /// The latest update of each ISO week (UTC).
    Week,
}

impl FromStr for Every {
    type Err = Error;
    fn from_str(s: &str) -> Result<Every> {
        match s.trim().to_ascii_lowercase().as_str() {
            "update" => Ok(Every::Update),
            "day" => Ok(Every::Day),
            "week" => Ok(Every::Week),
            _ => Err(Error::Invalid(format!(
                "{s:?} is not one of update, day, week"
            ))),
        }
    }
}

impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Every::Update => "update",
            Every::Day => "day",
            Every::Week => "week",
        })
    }
}

/// The updates at or after `since`, and of those the latest of each day or
/// week (`every`), oldest first.
///
/// A day or week still in progress is represented by its latest update so far;
/// a later sync adds the newer one beside it (a sync never deletes).
///
/// ```
/// use frontline::sync::{Every, parse_listing, select};
/// // Two updates on 2025-08-03, one on 2025-08-04 (a Monday: a new ISO week).
/// let listing = parse_listing(br#"[{"id": 1754200000}, {"id": 1754251105}, {"id": 1754300000}]"#)?;
/// let ids = |every| select(&listing, None, every).iter().map(|u| u.id).collect::<Vec<_>>();
/// assert_eq!(ids(Every::Update), [1754200000, 1754251105, 1754300000]);
/// assert_eq!(ids(Every::Day), [1754251105, 1754300000]);
/// assert_eq!(ids(Every::Week), [1754251105, 1754300000]);
/// let since = "2025-08-04T00:00:00Z".parse().unwrap();
/// assert_eq!(select(&listing, Some(since), Every::Update).len(), 1);
/// # Ok::<(), String>(())
/// ```
pub fn select(updates: &[Update], since: Option<DateTime<Utc>>, every: Every) -> Vec<Update> {
    let recent = updates.iter().filter(|u| since.is_none_or(|s| u.time >= s));
    let period = |u: &Update| -> (i32, u32) {
        match every {
            Every::Update => (0, 0),
            Every::Day => (u.time.year(), u.time.ordinal()),
            Every::Week => {
                let w = u.time.iso_week();
                (w.year(), w.week())
            }
        }
    };
    if every == Every::Update {
        let mut all: Vec<Update> = recent.cloned().collect();
        all.sort_by_key(|u| u.id);
        return all;
    }
    let mut latest: BTreeMap<(i32, u32), &Update> = BTreeMap::new();
    for u in recent {
        let slot = latest.entry(period(u)).or_insert(u);
        if u.id > slot.id {
            *slot = u;
        }
    }
    latest.into_values().cloned().collect()
}

/// What a wanted update still needs.
///
/// ```
/// assert_eq!(frontline::sync::Need::Recheck.to_string(), "updated since fetched");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// Not in the archive: fetch its map and areas.
    Fetch,
    /// In the manifest, but its file is gone from the directory: fetch again.
    Refetch,
    /// The listing says it was updated since it was fetched: fetch it and compare.
    Recheck,
    /// Its map is stored, its published areas are not (an earlier failure).
    Areas,
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Need::Fetch => "new",
            Need::Refetch => "missing from the directory",
            Need::Recheck => "updated since fetched",
            Need::Areas => "published areas missing",
        })
    }
}

/// What `record` (the manifest's entry for `update`, if any) still needs;
/// `present` says whether its file is in the directory. `None`: nothing.
pub(crate) fn need(update: &Update, record: Option<&Record>, present: bool) -> Option<Need> {
    let Some(record) = record else {
        return Some(Need::Fetch);
    };
    if !present {
        return Some(Need::Refetch);
    }
    match (&record.updated_at, &update.updated_at) {
        (Some(was), Some(now)) if was != now => return Some(Need::Recheck),
        _ => {}
    }
    (record.areas.is_none() && record.areas_missing.is_none()).then_some(Need::Areas)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::api::parse_listing;

    #[test]
    fn weeks_are_iso_weeks() {
        // Sunday 2024-12-29 and Monday 2024-12-30 (ISO week 1 of 2025), and
        // Sunday 2025-01-05 (still week 1).
        let listing =
            parse_listing(br#"[{"id": 1735480000}, {"id": 1735560000}, {"id": 1736070000}]"#)
                .unwrap();
        let weeks: Vec<i64> = select(&listing, None, Every::Week)
            .iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(weeks, [1735480000, 1736070000]);
        assert_eq!(select(&listing, None, Every::Day).len(), 3);
    }

    #[test]
    fn needs() {
        let update = |at: Option<&str>| Update {
            id: 1754251105,
            time: Utc::now(),
            datetime: None,
            updated_at: at.map(str::to_string),
        };
        let mut record = Record::new(1754251105);
        assert_eq!(need(&update(None), None, false), Some(Need::Fetch));
        assert_eq!(
            need(&update(None), Some(&record), false),
            Some(Need::Refetch)
        );
        assert_eq!(need(&update(None), Some(&record), true), Some(Need::Areas));
        record.areas_missing = Some("HTTP 404".into());
        assert_eq!(need(&update(None), Some(&record), true), None);
        record.updated_at = Some("a".into());
        assert_eq!(need(&update(Some("a")), Some(&record), true), None);
        assert_eq!(
            need(&update(Some("b")), Some(&record), true),
            Some(Need::Recheck)
        );
    }
}
