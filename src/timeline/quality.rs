//! Data quality: gaps in an archive's dates, and snapshots whose figures jump
//! implausibly against both neighbours.
//!
//! # Gaps
//! The cadence is read from the dates: a median spacing under two days is a daily
//! archive (a gap is a calendar day without a snapshot), else a weekly one (a gap
//! is an ISO week without a snapshot).
//!
//! # Outliers
//! A value `v` between neighbours `a` (before) and `c` (after) is an outlier when
//! it strays from their mean `m = (a + c) / 2` by more than [`OutlierRule::pct`]
//! percent of `m` *and* more than [`OutlierRule::min_km2`], while the neighbours
//! agree with each other: `|a - c|` is less than half of `|v - m|`. A real advance
//! moves the later neighbour too; a glitch (a layer missing or drawn twice for one
//! map) goes and comes back. The first and last snapshots have one neighbour and
//! are never flagged.
//!
//! On the 175 raw weekly snapshots' per-status totals (the reference figures in
//! `tests/reference/reference.json`) the default rule (5 %, 50 km²) flags only
//! grey-zone totals: 2022-05-08 (−10 %), 2022-06-19 (−13 %), 2022-08-14 (+10 %),
//! 2022-09-11 (+314 %: the Kharkiv counter-offensive drawn as a huge grey zone for
//! one week) and 2024-09-01 (−6.5 %); no occupied, liberated or other total.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rayon::prelude::*;
use serde::Serialize;

use crate::measure::{Regions, ShareTable};
use crate::timeline::Timeline;
use crate::{Share, Status};

/// Dates missing between two snapshots.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gap {
    /// The last snapshot's day before the gap.
    pub after: NaiveDate,
    /// The first snapshot's day after it.
    pub before: NaiveDate,
    /// How many days (daily archive) or ISO weeks (weekly) have no snapshot.
    pub missing: i64,
    /// `"day"` or `"week"`.
    pub unit: &'static str,
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}{} without a snapshot between {} and {}",
            self.missing,
            self.unit,
            if self.missing == 1 { "" } else { "s" },
            self.after,
            self.before
        )
    }
}

/// The gaps of a list of dates (sorted or not); see the [module](self) for the
/// cadence rule.
///
/// ```
/// use frontline::timeline::quality::gaps;
/// let d = |s: &str| frontline::timeline::parse_date(s, false).unwrap();
/// let daily = [d("2025-01-01"), d("2025-01-02"), d("2025-01-05"), d("2025-01-06")];
/// let g = gaps(&daily);
/// assert_eq!((g[0].missing, g[0].unit), (2, "day"));
/// assert_eq!(g[0].to_string(), "2 days without a snapshot between 2025-01-02 and 2025-01-05");
/// ```
pub fn gaps(dates: &[DateTime<Utc>]) -> Vec<Gap> {
    let mut days: Vec<NaiveDate> = dates.iter().map(|d| d.date_naive()).collect();
    days.sort();
    days.dedup();
    let mut spacing: Vec<i64> = days.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
    spacing.sort();
    let Some(median) = spacing.get(spacing.len() / 2) else {
        return Vec::new();
    };
    let daily = *median < 2;
    // Weeks counted from the Monday of day 1 of the common era: ISO weeks that
    // need no care at year ends.
    let week = |d: &NaiveDate| {
        (i64::from(d.num_days_from_ce()) - i64::from(d.weekday().num_days_from_monday()))
            .div_euclid(7)
    };
    days.windows(2)
        .filter_map(|w| {
            let missing = if daily {
                (w[1] - w[0]).num_days() - 1
            } else {
                week(&w[1]) - week(&w[0]) - 1
            };
            (missing > 0).then_some(Gap {
                after: w[0],
                before: w[1],
                missing,
                unit: if daily { "day" } else { "week" },
            })
        })
        .collect()
}

/// The thresholds of the outlier rule (see the [module](self)).
///
/// ```
/// use frontline::timeline::quality::OutlierRule;
/// let rule = OutlierRule::default();
/// assert_eq!((rule.pct, rule.min_km2), (5.0, 50.0));
/// // A spike that comes back is flagged; a step is not.
/// assert_eq!(rule.flag(&[1000.0, 1000.0, 1200.0, 1000.0, 1000.0]), vec![2]);
/// assert!(rule.flag(&[1000.0, 1000.0, 1200.0, 1200.0, 1200.0]).is_empty());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutlierRule {
    /// Least departure from the neighbours' mean, percent of it.
    pub pct: f64,
    /// Least departure in km² (so that small amounts never count).
    pub min_km2: f64,
}

impl Default for OutlierRule {
    fn default() -> Self {
        OutlierRule {
            pct: 5.0,
            min_km2: 50.0,
        }
    }
}

impl OutlierRule {
    /// Indices of the outliers of a sequence of km² figures, oldest first.
    pub fn flag(&self, values: &[f64]) -> Vec<usize> {
        (1..values.len().saturating_sub(1))
            .filter(|&i| {
                self.departure(values[i - 1], values[i], values[i + 1])
                    .is_some()
            })
            .collect()
    }

    /// How far `v` strays from its neighbours `a` and `c` (km², signed) when it is
    /// an outlier.
    pub fn departure(&self, a: f64, v: f64, c: f64) -> Option<f64> {
        let m = (a + c) / 2.0;
        let d = v - m;
        let big = d.abs() > self.min_km2 && d.abs() > self.pct / 100.0 * m.abs();
        let agree = (a - c).abs() < d.abs() / 2.0;
        (big && agree && d.is_finite()).then_some(d)
    }
}

/// A snapshot flagged in a series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outlier {
    /// The snapshot's date.
    pub date: DateTime<Utc>,
    /// Its index in the series.
    pub index: usize,
    /// The region whose figure jumps.
    pub region: String,
    /// The status.
    pub status: Status,
    /// The figure, km².
    pub km2: f64,
    /// The mean of its neighbours, km².
    pub neighbours_km2: f64,
}

impl std::fmt::Display for Outlier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Against neighbours of nothing a percentage is infinite: none is given.
        let change = if self.neighbours_km2 > 0.0 {
            let pct = 100.0 * (self.km2 - self.neighbours_km2) / self.neighbours_km2;
            format!(" ({pct:+.1} %)")
        } else {
            String::new()
        };
        write!(
            f,
            "{}: {} {} {:.1} km² against {:.1} km² before and after{change}: outlier",
            self.date.format("%F %H:%M"),
            self.region,
            self.status,
            self.km2,
            self.neighbours_km2
        )
    }
}

/// The outliers of a series, for every region and status of its shares.
///
/// ```
/// use frontline::timeline::{LoadOptions, load_series, quality::{OutlierRule, outliers}};
/// let towns = frontline::import::read_places("data/city.geojson")?;
/// let s = load_series(&["data/snapshots"], &towns.iter().collect::<Vec<_>>(), &LoadOptions::default())?;
/// assert!(outliers(&s, &OutlierRule::default()).is_empty()); // two snapshots: no neighbours
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn outliers(series: &Timeline<Vec<Share>>, rule: &OutlierRule) -> Vec<Outlier> {
    let entries = series.entries();
    let Some(first) = entries.first() else {
        return Vec::new();
    };
    flag(
        &entries.iter().map(|e| e.date).collect::<Vec<_>>(),
        first.value.len(),
        |r| {
            first.value[r]
                .statuses
                .iter()
                .map(|(s, _)| s.clone())
                .collect()
        },
        |r| first.value[r].region.clone(),
        |i, r, _, status| entries[i].value.get(r).map_or(f64::NAN, |s| s.km2(status)),
        rule,
    )
}

/// [`outliers`] of packed shares ([`crate::measure::ShareTable`]), measured for
/// `regions`: the same outliers as of the shares unpacked.
///
/// ```
/// use frontline::measure::Regions;
/// use frontline::timeline::{LoadOptions, load_share_tables, quality::{OutlierRule, outliers_in_tables}};
/// let towns = frontline::import::read_places("data/city.geojson")?;
/// let regions = Regions::new(&towns.iter().collect::<Vec<_>>())?;
/// let tables = load_share_tables(&["data/snapshots"], &regions, &LoadOptions::default())?;
/// assert!(outliers_in_tables(&tables, &regions, &OutlierRule::default()).is_empty());
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn outliers_in_tables(
    series: &Timeline<ShareTable>,
    regions: &Regions<'_>,
    rule: &OutlierRule,
) -> Vec<Outlier> {
    let entries = series.entries();
    let Some(first) = entries.first() else {
        return Vec::new();
    };
    let statuses = first.value.statuses().to_vec();
    // Where each status is in each snapshot's rows, found once per snapshot.
    let columns: Vec<_> = entries.iter().map(|e| e.value.columns(&statuses)).collect();
    flag(
        &entries.iter().map(|e| e.date).collect::<Vec<_>>(),
        first.value.len(),
        |_| statuses.clone(),
        |r| {
            regions
                .regions()
                .get(r)
                .map_or_else(|| format!("region {r}"), |g| g.label().to_string())
        },
        |i, r, k, _| {
            let table = &entries[i].value;
            match columns[i][k] {
                Some(column) if r < table.len() => table.amount_at(r, column).km2,
                // Not measured there (an occupied-only file among raw ones): no
                // figure to compare, never a zero that would jump.
                _ => f64::NAN,
            }
        },
        rule,
    )
}

/// The outliers of every region's km² of every status it has in the first
/// snapshot, in the order of the snapshots (then of the regions and statuses).
///
/// Snapshot by snapshot, each with its two neighbours, on both cores: a
/// region's figures lie one snapshot's table apart, so reading them region by
/// region missed the cache at every figure (70 ms of a 1 s series of every
/// hromada).
fn flag(
    dates: &[DateTime<Utc>],
    regions: usize,
    statuses_of: impl Fn(usize) -> Vec<Status>,
    label: impl Fn(usize) -> String + Sync,
    km2: impl Fn(usize, usize, usize, &Status) -> f64 + Sync,
    rule: &OutlierRule,
) -> Vec<Outlier> {
    let mut columns: Vec<(usize, usize, Status)> = Vec::new();
    for r in 0..regions {
        let statuses = statuses_of(r);
        for (k, status) in statuses.iter().enumerate() {
            if !statuses[..k].contains(status) {
                columns.push((r, k, status.clone()));
            }
        }
    }
    (1..dates.len().saturating_sub(1))
        .into_par_iter()
        .flat_map_iter(|i| {
            let (columns, label, km2) = (&columns, &label, &km2);
            columns.iter().filter_map(move |(r, k, status)| {
                let [a, v, c] = [i - 1, i, i + 1].map(|j| km2(j, *r, *k, status));
                rule.departure(a, v, c)?;
                Some(Outlier {
                    date: dates[i],
                    index: i,
                    region: label(*r),
                    status: status.clone(),
                    km2: v,
                    neighbours_km2: (a + c) / 2.0,
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outlier_against_nothing_has_no_infinite_percentage() {
        let o = Outlier {
            date: DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
            index: 1,
            region: "Demo".into(),
            status: Status::CONTESTED,
            km2: 120.0,
            neighbours_km2: 0.0,
        };
        let text = o.to_string();
        assert!(!text.contains("inf"), "{text}");
        assert!(text.contains("120.0 km² against 0.0 km²"), "{text}");
        let o = Outlier {
            neighbours_km2: 100.0,
            ..o
        };
        assert!(o.to_string().contains("(+20.0 %)"), "{o}");
    }

    #[test]
    fn outliers_come_in_the_order_of_snapshots_then_regions_then_statuses() {
        let dates: Vec<DateTime<Utc>> = (0..6)
            .map(|d| DateTime::from_timestamp(1_700_000_000 + d * 86_400, 0).unwrap_or_default())
            .collect();
        // Region 0 jumps on day 3, region 1 on days 1 and 4 (both statuses on
        // day 4, occupied listed twice: flagged once); region 2 never.
        let jumps = |r: usize, status: &Status| -> &'static [usize] {
            match (r, status.as_str()) {
                (0, "contested") => &[3],
                (1, "occupied") => &[1, 4],
                (1, "contested") => &[4],
                _ => &[],
            }
        };
        let statuses = vec![Status::OCCUPIED, Status::CONTESTED, Status::OCCUPIED];
        let found = flag(
            &dates,
            3,
            |_| statuses.clone(),
            |r| format!("r{r}"),
            |i, r, _, status| {
                if jumps(r, status).contains(&i) {
                    500.0
                } else {
                    100.0
                }
            },
            &OutlierRule::default(),
        );
        let order: Vec<(usize, String, Status)> = found
            .into_iter()
            .map(|o| (o.index, o.region, o.status))
            .collect();
        assert_eq!(
            order,
            vec![
                (1, "r1".into(), Status::OCCUPIED),
                (3, "r0".into(), Status::CONTESTED),
                (4, "r1".into(), Status::OCCUPIED),
                (4, "r1".into(), Status::CONTESTED),
            ]
        );
    }
}
