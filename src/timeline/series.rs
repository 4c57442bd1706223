//! Time series: every snapshot's km² and % per status in a set of regions.

use std::io::Write;
use std::path::Path;

use crate::measure::{Regions, figure_names};
use crate::timeline::{LoadOptions, Timeline};
use crate::{Error, Place, Precedence, Result, Share, Snapshot, Status};

/// The shares of `regions` in every snapshot of a loaded timeline, measured in
/// parallel; an error when a region is a point.
///
/// ```
/// use frontline::timeline::{LoadOptions, Timeline, series};
/// use frontline::{import, Status};
/// let timeline = Timeline::load(&["data/snapshots"], &LoadOptions::default())?;
/// let towns = import::read_places("data/city.geojson")?;
/// let shares = series(&timeline, &towns.find("Demo City")?)?;
/// for entry in &shares {
///     println!("{}: {:.1} % occupied", entry.date, entry.value[0].pct(&Status::OCCUPIED));
/// }
/// assert_eq!(shares.len(), 2);
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when a region is a point or a measure breaks the [`Share`]
/// invariants.
pub fn series(timeline: &Timeline<Snapshot>, regions: &[&Place]) -> Result<Timeline<Vec<Share>>> {
    let prepared = Regions::new(regions)?;
    timeline.map(|e| prepared.shares(&e.value))
}

/// Loads snapshots and measures `regions` in each as it is read, keeping only the
/// shares: the way to go through hundreds of snapshots in little memory.
///
/// ```
/// use frontline::timeline::{LoadOptions, load_series};
/// use frontline::{import, Status};
/// let towns = import::read_places("data/city.geojson")?;
/// let regions: Vec<_> = towns.iter().collect();
/// let shares = load_series(&["data/snapshots"], &regions, &LoadOptions::default())?;
/// assert_eq!(shares.entries()[0].value.len(), 2);
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when a region is a point, or when the load fails (see
/// [`Timeline::load_with`]).
pub fn load_series(
    inputs: &[impl AsRef<Path>],
    regions: &[&Place],
    options: &LoadOptions,
) -> Result<Timeline<Vec<Share>>> {
    let prepared = Regions::new(regions)?;
    // Only what reaches into the regions' box is checked and kept.
    let options = options.clone().within(prepared.cut_box());
    Timeline::load_with(inputs, &options, |snapshot| prepared.shares(&snapshot))
}

/// Writes a series as CSV: one row per snapshot and region, with
/// `date,file,region,id,area_km2` (`id`: the region's [`Place::id`]), then
/// `<status>_km2,<status>_pct` for every status met anywhere in the series
/// (strongest first; `occupied` followed by its parts `occupied_since_2014` and
/// `occupied_since_2022`, empty where a snapshot cannot tell them apart), then
/// `unmarked_km2,unmarked_pct`. Numbers are written in full precision.
///
/// ```
/// use frontline::timeline::{LoadOptions, load_series, write_series_csv};
/// let towns = frontline::import::read_places("data/city.geojson")?;
/// let shares = load_series(&["data/snapshots"], &towns.find("Demo City")?, &LoadOptions::default())?;
/// let mut out = Vec::new();
/// write_series_csv(&shares, &mut out)?;
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("date,file,region,id,area_km2,occupied_km2,occupied_pct,"));
/// assert_eq!(text.lines().count(), 3);
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when writing to `out` fails.
pub fn write_series_csv(series: &Timeline<Vec<Share>>, out: impl Write) -> Result<()> {
    let mut statuses: Vec<Status> = Vec::new();
    for e in series {
        for share in &e.value {
            for (s, _) in &share.statuses {
                if !statuses.contains(s) {
                    statuses.push(s.clone());
                }
            }
        }
    }
    Precedence::default().sort(&mut statuses);
    let figures = figure_names(statuses);
    let failed = |e: csv::Error| Error::Invalid(format!("cannot write the series: {e}"));
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = ["date", "file", "region", "id", "area_km2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for s in &figures {
        header.push(format!("{s}_km2"));
        header.push(format!("{s}_pct"));
    }
    w.write_record(&header).map_err(failed)?;
    for e in series {
        for share in &e.value {
            let mut row = vec![
                e.date.to_rfc3339(),
                e.path.display().to_string(),
                share.region.clone(),
                share.id.clone().unwrap_or_default(),
                share.area_km2.to_string(),
            ];
            for s in &figures {
                match share.figure(s) {
                    Some(a) => {
                        row.push(a.km2.to_string());
                        row.push(a.pct.to_string());
                    }
                    None => row.extend([String::new(), String::new()]),
                }
            }
            w.write_record(&row).map_err(failed)?;
        }
    }
    w.flush()
        .map_err(|e| Error::Invalid(format!("cannot write the series: {e}")))
}

/// The columns of a wide series: for each region (in their order; a name met
/// twice gets ` (2)`, ...) and each status met anywhere in the series (strongest
/// first, then `unmarked`), `<region>_<status>_pct`.
fn wide_columns(series: &Timeline<Vec<Share>>) -> (Vec<String>, Vec<Status>) {
    let mut statuses: Vec<Status> = Vec::new();
    for e in series {
        for share in &e.value {
            for (s, _) in &share.statuses {
                if !statuses.contains(s) {
                    statuses.push(s.clone());
                }
            }
        }
    }
    Precedence::default().sort(&mut statuses);
    let mut regions: Vec<String> = Vec::new();
    if let Some(e) = series.entries().first() {
        for share in &e.value {
            let mut name = share.region.clone();
            let mut n = 1;
            while regions.contains(&name) {
                n += 1;
                name = format!("{} ({n})", share.region);
            }
            regions.push(name);
        }
    }
    (regions, statuses)
}

/// Writes a series as wide CSV, the layout Datawrapper and Flourish chart
/// directly: one row per snapshot, first `date` (`YYYY-MM-DD`, or RFC 3339 when
/// two snapshots share a day), then one column per region and status,
/// `<region>_<status>_pct` (every status met in the series, strongest first,
/// occupied followed by its parts since 2014 and since 2022, empty where a
/// snapshot cannot tell them, then `unmarked`), the % of the region's area, in
/// full precision.
///
/// ```
/// use frontline::timeline::{LoadOptions, load_series, write_series_wide_csv};
/// let towns = frontline::import::read_places("data/city.geojson")?;
/// let regions: Vec<_> = towns.iter().collect();
/// let shares = load_series(&["data/snapshots"], &regions, &LoadOptions::default())?;
/// let mut out = Vec::new();
/// write_series_wide_csv(&shares, &mut out)?;
/// let text = String::from_utf8(out).unwrap();
/// let header = text.lines().next().unwrap();
/// assert!(header.starts_with("date,Demo City_occupied_pct,Demo City_occupied_since_2014_pct,"), "{header}");
/// assert_eq!(text.lines().count(), 3); // header and two dates
/// assert!(text.lines().nth(1).unwrap().starts_with("2025-06-01,"));
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when writing to `out` fails, or when the snapshots do not all
/// measure the same number of regions.
pub fn write_series_wide_csv(series: &Timeline<Vec<Share>>, out: impl Write) -> Result<()> {
    let (regions, statuses) = wide_columns(series);
    let figures = figure_names(statuses);
    let failed = |e: csv::Error| Error::Invalid(format!("cannot write the series: {e}"));
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["date".to_string()];
    for r in &regions {
        for s in &figures {
            header.push(format!("{r}_{s}_pct"));
        }
    }
    w.write_record(&header).map_err(failed)?;
    let days: Vec<_> = series.iter().map(|e| e.date.date_naive()).collect();
    let same_day = days.windows(2).any(|d| d[0] == d[1]);
    for e in series {
        let mut row = vec![if same_day {
            e.date.to_rfc3339()
        } else {
            e.date.format("%Y-%m-%d").to_string()
        }];
        for (i, _) in regions.iter().enumerate() {
            let Some(share) = e.value.get(i) else {
                return Err(Error::Invalid(format!(
                    "the snapshot of {} has {} regions measured, not {}",
                    e.date,
                    e.value.len(),
                    regions.len()
                )));
            };
            for s in &figures {
                row.push(share.figure(s).map_or(String::new(), |a| a.pct.to_string()));
            }
        }
        w.write_record(&row).map_err(failed)?;
    }
    w.flush()
        .map_err(|e| Error::Invalid(format!("cannot write the series: {e}")))
}
