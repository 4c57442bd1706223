//! Many dated snapshots at once: loading a directory, a glob or a list of files in
//! parallel, sorted by time, with `as_of` look-ups, ranges, time series and the
//! changes between two dates.
//!
//! A snapshot's date comes from the DeepState API envelope's `datetime`, else from
//! its file name (DeepState's `<unix-seconds>.geojson.gz`, or a trailing
//! `YYYYMMDD` / `YYYY-MM-DD`), as [`read_zones`](crate::import::read_zones) finds
//! it. A file with no date, or one that cannot be read, is reported as an
//! [`Issue`] and skipped (or, with [`LoadOptions::strict`], ends the load with an
//! error naming it). Two files with the same date are reported too, saying
//! whether their content is the same.
//!
//! [`Timeline`] is generic over what it keeps of each snapshot: the whole
//! [`Snapshot`] ([`Timeline::load`]), or only what a computation needs
//! ([`Timeline::load_with`]), so that hundreds of snapshots can be measured
//! without holding all their polygons in memory at once.
//!
//! ```
//! use frontline::timeline::{LoadOptions, Timeline};
//! let timeline = Timeline::load(&["data/snapshots"], &LoadOptions::default())?;
//! assert_eq!(timeline.len(), 2);
//! let june = timeline.as_of_day("2025-07-15".parse().unwrap())?;
//! assert_eq!(june.date.to_string(), "2025-06-01 09:00:00 UTC");
//! # Ok::<(), frontline::Error>(())
//! ```

pub mod chart;
mod diff;
mod history;
pub mod quality;
mod series;
pub mod store;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use geo::{BoundingRect, Intersects, Rect};
use rayon::prelude::*;
use serde::Serialize;

use crate::import::{self, ImportReport, ReadOptions, Source};
use crate::{Error, Result, Snapshot};

pub use diff::{Diff, StatusChange, diff};
pub use history::{
    DayStatuses, Histories, PlaceHistory, PlaceStatus, assemble, histories, load_histories,
    load_history_timeline,
};
pub use series::{
    load_series, load_share_tables, series, write_series_csv, write_series_wide_csv,
    write_share_tables_csv, write_share_tables_json,
};

/// Called after each file is read (from the worker threads), e.g. to move a
/// progress bar.
pub type Progress = Arc<dyn Fn(&Path) + Send + Sync>;

/// How to load many snapshots.
///
/// ```
/// use frontline::timeline::LoadOptions;
/// let options = LoadOptions::default().strict(true);
/// assert!(options.is_strict());
/// ```
#[derive(Clone, Default)]
pub struct LoadOptions {
    source: Option<Source>,
    read: ReadOptions,
    strict: bool,
    progress: Option<Progress>,
    within: Option<Rect<f64>>,
}

impl fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadOptions")
            .field("source", &self.source)
            .field("read", &self.read)
            .field("strict", &self.strict)
            .field("progress", &self.progress.is_some())
            .field("within", &self.within)
            .finish()
    }
}

impl LoadOptions {
    /// Reads every file as this kind (default: detected per file).
    pub fn source(mut self, source: Option<Source>) -> LoadOptions {
        self.source = source;
        self
    }

    /// Reads every file with these options (e.g. the CRS of files that declare
    /// none). Files are read in parallel, each with its own reprojection.
    ///
    /// ```
    /// use frontline::crs::Crs;
    /// use frontline::import::ReadOptions;
    /// use frontline::timeline::{LoadOptions, Timeline};
    /// let read = ReadOptions::default().input_crs(Some(Crs::epsg_code(4326)));
    /// let timeline = Timeline::load(&["data/snapshots"], &LoadOptions::default().read(read))?;
    /// assert_eq!(timeline.len(), 2);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn read(mut self, read: ReadOptions) -> LoadOptions {
        self.read = read;
        self
    }

    /// Makes an unreadable or undated file, or two files with the same date and
    /// different content, end the load with an error (default: report and go on).
    pub fn strict(mut self, strict: bool) -> LoadOptions {
        self.strict = strict;
        self
    }

    /// Whether the load is strict.
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// Reads only the zones that may reach into `area` (longitude/latitude; see
    /// [`import::read_zones_in`]): what a series of a few regions needs from
    /// country-wide snapshots, at a fraction of the cost of checking every
    /// polygon. Entries' fingerprints then cover those zones only, from files and
    /// stores alike, so that duplicates are told as before.
    ///
    /// ```
    /// use frontline::timeline::{LoadOptions, Timeline};
    /// let far = LoadOptions::default().within(geo::Rect::new((10.0, 50.0), (11.0, 51.0)));
    /// let timeline = Timeline::load(&["data/snapshots"], &far)?;
    /// assert!(timeline.entries()[0].value.zones().is_empty());
    /// assert!(timeline.entries()[0].report.outside > 0);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn within(mut self, area: Rect<f64>) -> LoadOptions {
        self.within = Some(area);
        self
    }

    /// Calls `progress` after each file.
    pub fn progress(mut self, progress: Progress) -> LoadOptions {
        self.progress = Some(progress);
        self
    }
}

/// A file that did not make it into a timeline as it was, and why.
///
/// ```
/// use frontline::timeline::Issue;
/// let issue = Issue::Undated { path: "zones.geojson".into() };
/// assert!(issue.to_string().contains("no date"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Issue {
    /// The file could not be read or parsed: skipped.
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: String,
    },
    /// Neither the envelope nor the file name gives a date: skipped.
    Undated {
        /// The file.
        path: PathBuf,
    },
    /// Two files have the same date: the first (in path order) is kept.
    Duplicate {
        /// Their date.
        date: DateTime<Utc>,
        /// The file kept.
        kept: PathBuf,
        /// The file dropped.
        dropped: PathBuf,
        /// Whether both resolve to the same ground (same statuses, same polygons).
        same_content: bool,
    },
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Issue::Unreadable { error, .. } => write!(f, "skipped: {error}"),
            Issue::Undated { path } => write!(
                f,
                "{}: skipped: no date (no envelope `datetime`, and the file name has \
                 neither Unix seconds nor a YYYYMMDD / YYYY-MM-DD date)",
                path.display()
            ),
            Issue::Duplicate {
                date,
                kept,
                dropped,
                same_content,
            } => write!(
                f,
                "{}: same date as {} ({date}), {}; kept the other one",
                dropped.display(),
                kept.display(),
                if *same_content {
                    "same content"
                } else {
                    "DIFFERENT content"
                }
            ),
        }
    }
}

/// One dated snapshot of a timeline, or what was kept of it.
#[derive(Clone, Debug, Serialize)]
pub struct Entry<T> {
    /// When the map was published.
    pub date: DateTime<Utc>,
    /// The file it came from.
    #[serde(rename = "file")]
    pub path: PathBuf,
    /// What the import did with each feature.
    #[serde(skip)]
    pub report: ImportReport,
    /// A digest of the resolved layers (statuses and coordinates), to tell
    /// same-content duplicates from conflicting ones.
    #[serde(skip)]
    pub fingerprint: u64,
    /// The snapshot, or what was computed from it.
    pub value: T,
}

/// Dated snapshots (or values computed from them), oldest first, one per date.
#[derive(Clone, Debug, Serialize)]
pub struct Timeline<T = Snapshot> {
    entries: Vec<Entry<T>>,
    #[serde(skip)]
    issues: Vec<Issue>,
}

impl Timeline<Snapshot> {
    /// Loads whole snapshots from files, directories or glob patterns (see
    /// [`snapshot_files`]).
    ///
    /// # Errors
    ///
    /// As [`Timeline::load_with`].
    pub fn load(inputs: &[impl AsRef<Path>], options: &LoadOptions) -> Result<Timeline> {
        Timeline::load_with(inputs, options, Ok)
    }
}

impl<T: Send> Timeline<T> {
    /// Loads snapshots in parallel and keeps of each what `keep` makes of it;
    /// the snapshot itself is dropped as soon as `keep` returns.
    ///
    /// An error from `keep` counts as the file's own (reported and skipped, or
    /// fatal when strict). The load fails when no file is left.
    ///
    /// ```
    /// use frontline::timeline::{LoadOptions, Timeline};
    /// use frontline::Status;
    /// let occupied = Timeline::load_with(&["data/snapshots"], &LoadOptions::default(), |s| {
    ///     Ok(s.layer(&Status::OCCUPIED).map_or(0.0, |l| l.area_km2()))
    /// })?;
    /// assert!(occupied.iter().all(|e| e.value > 0.0));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error when an input cannot be read or matches nothing, when no file is
    /// left to load, or, when strict, for the first unreadable file or duplicate.
    pub fn load_with(
        inputs: &[impl AsRef<Path>],
        options: &LoadOptions,
        keep: impl Fn(Snapshot) -> Result<T> + Sync,
    ) -> Result<Timeline<T>> {
        Timeline::load_in_runs(inputs, options, || &keep)
    }

    /// [`Timeline::load_with`], with a keeper that may remember what it kept:
    /// the files (and a store's snapshots) are cut into runs of consecutive
    /// ones, and each run is read in order by one worker with a keeper of its
    /// own (`keeper()`), so that it can carry work over from a snapshot to the
    /// next ([`load_share_tables`]).
    pub(crate) fn load_in_runs<K>(
        inputs: &[impl AsRef<Path>],
        options: &LoadOptions,
        keeper: impl Fn() -> K + Sync,
    ) -> Result<Timeline<T>>
    where
        K: FnMut(Snapshot) -> Result<T>,
    {
        let (mut files, unlisted) = find_snapshot_files(inputs)?;
        if options.strict
            && let Some(issue) = unlisted.first()
        {
            return Err(Error::Invalid(issue.to_string()));
        }
        let (stores, zone_files): (Vec<PathBuf>, Vec<PathBuf>) =
            files.drain(..).partition(|p| store::is_store(p));
        let files = zone_files;
        // Each worker reads, resolves and reduces one file at a time, so at most
        // one snapshot per thread is in memory (and what its keeper keeps of
        // the one before: for share tables, its layers' edges).
        let mut results: Vec<std::result::Result<Entry<T>, Issue>> = files
            .par_chunks(run_length(files.len()))
            .flat_map_iter(|run| {
                let mut keep = keeper();
                run.iter()
                    .map(|path| {
                        let entry = read_entry(path, options, &mut keep);
                        if let Some(progress) = &options.progress {
                            progress(path);
                        }
                        entry
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        // A store is one file of many snapshots: each is decoded and reduced in
        // parallel; a damaged store is reported (or fatal) as a whole.
        for path in &stores {
            let unreadable = |e: Error| Issue::Unreadable {
                path: path.clone(),
                error: e.to_string(),
            };
            match store::Store::open(path) {
                Ok(opened) => {
                    let indices: Vec<usize> = (0..opened.len()).collect();
                    let decoded: Result<Vec<Entry<T>>> = indices
                        .par_chunks(run_length(opened.len()))
                        .flat_map_iter(|run| {
                            let mut keep = keeper();
                            run.iter()
                                .map(|&i| {
                                    let e = opened.entry_near(i, options.within)?;
                                    let fingerprint = match options.within {
                                        Some(_) => fingerprint_within(&e.value, options.within),
                                        None => e.fingerprint,
                                    };
                                    Ok(Entry {
                                        date: e.date,
                                        path: e.path,
                                        report: e.report,
                                        fingerprint,
                                        value: keep(e.value)?,
                                    })
                                })
                                .collect::<Vec<_>>()
                        })
                        .collect();
                    match decoded {
                        Ok(entries) => results.extend(entries.into_iter().map(Ok)),
                        Err(e) => results.push(Err(unreadable(e))),
                    }
                }
                Err(e) => results.push(Err(unreadable(e))),
            }
            if let Some(progress) = &options.progress {
                progress(path);
            }
        }
        let files_read = files.len() + stores.len();
        let mut entries = Vec::with_capacity(results.len());
        let mut issues = unlisted;
        for r in results {
            match r {
                Ok(e) => entries.push(e),
                Err(issue) if options.strict => return Err(Error::Invalid(issue.to_string())),
                Err(issue) => issues.push(issue),
            }
        }
        let timeline = Timeline::from_entries(entries, issues, options.strict)?;
        if timeline.entries.is_empty() {
            let why: Vec<String> = timeline.issues.iter().map(Issue::to_string).collect();
            return Err(Error::Invalid(format!(
                "no usable snapshot among {files_read} file{}:\n  {}",
                if files_read == 1 { "" } else { "s" },
                why.join("\n  ")
            )));
        }
        Ok(timeline)
    }

    /// A timeline of entries in any order: sorted by date (then path), one kept per
    /// date, duplicates added to `issues`; with `strict`, a duplicate of different
    /// content is an error.
    ///
    /// # Errors
    ///
    /// With `strict`, an error naming a duplicate date of different content.
    pub fn from_entries(
        mut entries: Vec<Entry<T>>,
        mut issues: Vec<Issue>,
        strict: bool,
    ) -> Result<Timeline<T>> {
        entries.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.path.cmp(&b.path)));
        let mut kept: Vec<Entry<T>> = Vec::with_capacity(entries.len());
        for e in entries {
            match kept.last() {
                Some(last) if last.date == e.date => {
                    let issue = Issue::Duplicate {
                        date: e.date,
                        kept: last.path.clone(),
                        dropped: e.path.clone(),
                        same_content: last.fingerprint == e.fingerprint,
                    };
                    if strict && last.fingerprint != e.fingerprint {
                        return Err(Error::Invalid(issue.to_string()));
                    }
                    issues.push(issue);
                }
                _ => kept.push(e),
            }
        }
        Ok(Timeline {
            entries: kept,
            issues,
        })
    }

    /// The same timeline with each value mapped, in parallel.
    ///
    /// # Errors
    ///
    /// The first error `f` returns.
    pub fn map<U: Send>(&self, f: impl Fn(&Entry<T>) -> Result<U> + Sync) -> Result<Timeline<U>>
    where
        T: Sync,
    {
        let entries = self
            .entries
            .par_iter()
            .map(|e| {
                Ok(Entry {
                    date: e.date,
                    path: e.path.clone(),
                    report: e.report.clone(),
                    fingerprint: e.fingerprint,
                    value: f(e)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Timeline {
            entries,
            issues: self.issues.clone(),
        })
    }
}

impl<T> Timeline<T> {
    /// The entries, oldest first.
    pub fn entries(&self) -> &[Entry<T>] {
        &self.entries
    }

    /// Iterates oldest first.
    pub fn iter(&self) -> std::slice::Iter<'_, Entry<T>> {
        self.entries.iter()
    }

    /// How many snapshots there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Files skipped and duplicates dropped while loading.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// The first and last dates, `None` when empty.
    pub fn span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        Some((self.entries.first()?.date, self.entries.last()?.date))
    }

    /// The latest snapshot at or before `when`.
    ///
    /// A time before the first snapshot is an error saying so; a time after the
    /// last gives the last snapshot (the latest known state), and
    /// [`Timeline::span`] tells how old it is.
    ///
    /// ```
    /// use frontline::timeline::{LoadOptions, Timeline};
    /// let timeline = Timeline::load(&["data/snapshots"], &LoadOptions::default())?;
    /// let err = timeline.as_of_day("2020-01-01".parse().unwrap()).unwrap_err();
    /// assert!(err.to_string().contains("before the first snapshot"));
    /// let latest = timeline.as_of_day("2030-01-01".parse().unwrap())?;
    /// assert_eq!(latest.date.format("%F").to_string(), "2025-08-01");
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error saying so when `when` is before the first snapshot, or the
    /// timeline is empty.
    pub fn as_of(&self, when: DateTime<Utc>) -> Result<&Entry<T>> {
        let after = self.entries.partition_point(|e| e.date <= when);
        match after.checked_sub(1).and_then(|i| self.entries.get(i)) {
            Some(e) => Ok(e),
            None => Err(Error::Invalid(match self.entries.first() {
                Some(first) => format!(
                    "{when} is before the first snapshot ({}, {})",
                    first.date,
                    first.path.display()
                ),
                None => "the timeline is empty".to_string(),
            })),
        }
    }

    /// The latest snapshot published on or before the end of `day` (UTC).
    ///
    /// # Errors
    ///
    /// An error when `day` ends before the first snapshot, or the timeline is empty.
    pub fn as_of_day(&self, day: NaiveDate) -> Result<&Entry<T>> {
        self.as_of(end_of_day(day))
    }

    /// The snapshots with `from <= date <= to` (either bound open when `None`);
    /// empty when none falls in it, an error when `from` is after `to`.
    ///
    /// ```
    /// use frontline::timeline::{LoadOptions, Timeline, parse_date};
    /// let timeline = Timeline::load(&["data/snapshots"], &LoadOptions::default())?;
    /// let summer = timeline.range(Some(parse_date("2025-07-01", false)?), None)?;
    /// assert_eq!(summer.len(), 1);
    /// assert!(timeline.range(Some(parse_date("2026-01-01", false)?), None)?.is_empty());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error when `from` is after `to`.
    pub fn range(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<&[Entry<T>]> {
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(Error::Invalid(format!(
                "the range starts ({f}) after it ends ({t})"
            )));
        }
        let start = from.map_or(0, |f| self.entries.partition_point(|e| e.date < f));
        let end = to.map_or(self.entries.len(), |t| {
            self.entries.partition_point(|e| e.date <= t)
        });
        Ok(&self.entries[start..end.max(start)])
    }

    /// Keeps only the entries for which `keep` is true (e.g. to drop flagged
    /// outliers).
    ///
    /// ```
    /// use frontline::timeline::{LoadOptions, Timeline};
    /// let mut t = Timeline::load(&["data/snapshots"], &LoadOptions::default())?;
    /// let first = t.entries()[0].date;
    /// t.retain(|e| e.date != first);
    /// assert_eq!(t.len(), 1);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn retain(&mut self, keep: impl FnMut(&Entry<T>) -> bool) {
        self.entries.retain(keep);
    }

    /// Keeps only the snapshots in a range (see [`Timeline::range`]).
    ///
    /// # Errors
    ///
    /// An error when `from` is after `to`.
    pub fn retain_range(
        &mut self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let _ = self.range(from, to)?;
        self.entries
            .retain(|e| from.is_none_or(|f| e.date >= f) && to.is_none_or(|t| e.date <= t));
        Ok(())
    }
}

impl<'a, T> IntoIterator for &'a Timeline<T> {
    type Item = &'a Entry<T>;
    type IntoIter = std::slice::Iter<'a, Entry<T>>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

/// How many consecutive snapshots of `n` one worker reads in order: eight runs
/// per thread, so that a slow run does not leave the other threads idle at the
/// end, but never fewer than 16 snapshots, so that on many cores a keeper still
/// rarely starts afresh (the work within a snapshot is parallel too).
fn run_length(n: usize) -> usize {
    n.div_ceil(rayon::current_num_threads() * 8).max(16)
}

fn read_entry<T>(
    path: &Path,
    options: &LoadOptions,
    keep: &mut impl FnMut(Snapshot) -> Result<T>,
) -> std::result::Result<Entry<T>, Issue> {
    let unreadable = |e: Error| Issue::Unreadable {
        path: path.to_path_buf(),
        error: e.to_string(),
    };
    let source = options.source.as_ref();
    let import = match options.within {
        Some(area) => import::read_zones_in(path, source, box_of(area), &options.read),
        None => import::read_zones_with(path, source, &options.read),
    }
    .map_err(unreadable)?;
    let Some(date) = import.snapshot.date() else {
        return Err(Issue::Undated {
            path: path.to_path_buf(),
        });
    };
    let fingerprint = fingerprint_within(&import.snapshot, options.within);
    let value = keep(import.snapshot).map_err(unreadable)?;
    Ok(Entry {
        date,
        path: path.to_path_buf(),
        report: import.report,
        fingerprint,
        value,
    })
}

/// A digest of the zones as drawn: statuses and every coordinate's bits. (Not of
/// the resolved layers: resolving a whole country-wide map is the costly step that
/// a series cut down to its regions avoids.)
///
/// Two CRC-32s (of the longitudes, and of everything else): fast, and the same
/// in every build, as a digest kept in a store must be.
pub fn fingerprint(snapshot: &Snapshot) -> u64 {
    fingerprint_within(snapshot, None)
}

/// The [`fingerprint`] of the zones whose box meets `area` (all when `None`).
fn fingerprint_within(snapshot: &Snapshot, area: Option<Rect<f64>>) -> u64 {
    // Bytes gathered first: CRC-32 is fast on long runs, slow eight bytes at a time.
    let (mut xs, mut rest): (Vec<u8>, Vec<u8>) = (Vec::new(), Vec::new());
    let meets = |zone: &&crate::Zone| {
        area.is_none_or(|a| {
            zone.geometry
                .bounding_rect()
                .is_some_and(|b| b.intersects(&a))
        })
    };
    for zone in snapshot.zones().iter().filter(meets) {
        rest.extend_from_slice(zone.status.as_str().as_bytes());
        rest.push(0);
        for polygon in &zone.geometry.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                rest.extend_from_slice(&(ring.0.len() as u64).to_le_bytes());
                for c in &ring.0 {
                    xs.extend_from_slice(&c.x.to_bits().to_le_bytes());
                    rest.extend_from_slice(&c.y.to_bits().to_le_bytes());
                }
            }
        }
    }
    (u64::from(crc32fast::hash(&xs)) << 32) | u64::from(crc32fast::hash(&rest))
}

/// The zone files named by `inputs`: files as given, every `.geojson`/`.json`
/// (optionally `.gz`) file of a directory (but for the manifest and the
/// `*.areas.json` files of [`frontline sync`](crate::sync)), and the matches of
/// glob patterns (`archive/17*.geojson.gz`), sorted and without repeats. Links
/// that lead nowhere are left out; [`find_snapshot_files`] tells which.
///
/// ```
/// let files = frontline::timeline::snapshot_files(&["data/snapshots/*.geojson"])?;
/// assert_eq!(files.len(), 2);
/// assert!(frontline::timeline::snapshot_files(&["data/nothing-*.geojson"]).is_err());
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error naming an input that cannot be read or a pattern that is invalid
/// or matches nothing.
pub fn snapshot_files(inputs: &[impl AsRef<Path>]) -> Result<Vec<PathBuf>> {
    Ok(find_snapshot_files(inputs)?.0)
}

/// As [`snapshot_files`], with an [`Issue::Unreadable`] for each entry of a
/// directory, or match of a pattern, that cannot be read as a file: a dangling
/// symbolic link, a loop of links, a path the pattern could not read.
/// [`Timeline::load_with`] reports them as it does unreadable files (an error
/// when strict).
///
/// ```
/// # #[cfg(unix)] {
/// let dir = std::env::temp_dir().join(format!("frontline-doc-links-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::copy("data/snapshots/deepstate_20250601.geojson", dir.join("a_20250601.geojson")).unwrap();
/// std::os::unix::fs::symlink("nowhere.geojson", dir.join("b_20250801.geojson")).unwrap();
/// let (files, issues) = frontline::timeline::find_snapshot_files(&[&dir])?;
/// assert_eq!((files.len(), issues.len()), (1, 1));
/// assert!(issues[0].to_string().contains("dangling"), "{}", issues[0]);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # }
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error naming an input that cannot be read or a pattern that is invalid
/// or matches nothing.
pub fn find_snapshot_files(inputs: &[impl AsRef<Path>]) -> Result<(Vec<PathBuf>, Vec<Issue>)> {
    let mut files = Vec::new();
    let mut issues = Vec::new();
    // A file, kept; anything that is not one and not a directory either, reported.
    fn take(path: PathBuf, found: &mut Vec<PathBuf>, issues: &mut Vec<Issue>) {
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => found.push(path),
            Ok(_) => {} // a directory among the matches: not a snapshot
            Err(e) => issues.push(Issue::Unreadable {
                error: format!("{}: {}", path.display(), unreadable_entry(&path, &e)),
                path,
            }),
        }
    }
    for input in inputs {
        let input = input.as_ref();
        if input.is_dir() {
            let io = |source| Error::Io {
                path: input.to_path_buf(),
                source,
            };
            let mut found: Vec<PathBuf> = Vec::new();
            let mut entries: Vec<PathBuf> = std::fs::read_dir(input)
                .map_err(io)?
                .map(|e| e.map(|e| e.path()).map_err(io))
                .collect::<Result<_>>()?;
            entries.retain(|p| is_zone_file_name(p));
            entries.sort();
            for p in entries {
                take(p, &mut found, &mut issues);
            }
            if found.is_empty() {
                return Err(Error::Invalid(format!(
                    "{}: no .geojson or .json file (optionally .gz) in this directory",
                    input.display()
                )));
            }
            files.extend(found);
        } else if input.exists() {
            files.push(input.to_path_buf());
        } else {
            let text = input.to_string_lossy();
            if !text.contains(['*', '?', '[']) {
                return Err(Error::Io {
                    path: input.to_path_buf(),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                });
            }
            let bad = |e: String| Error::Invalid(format!("{text}: {e}"));
            let mut found: Vec<PathBuf> = Vec::new();
            let mut matches: Vec<PathBuf> = Vec::new();
            for m in glob::glob(&text).map_err(|e| bad(e.to_string()))? {
                match m {
                    Ok(p) => matches.push(p),
                    Err(e) => issues.push(Issue::Unreadable {
                        error: format!("{}: {text}: {}", e.path().display(), e.error()),
                        path: e.path().to_path_buf(),
                    }),
                }
            }
            matches.sort();
            for p in matches {
                take(p, &mut found, &mut issues);
            }
            if found.is_empty() {
                return Err(bad("the pattern matches no file".into()));
            }
            files.extend(found);
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|p| seen.insert(p.clone()));
    Ok((files, issues))
}

/// Why a directory entry or a match cannot be read: a link's end, in words.
fn unreadable_entry(path: &Path, e: &std::io::Error) -> String {
    let link = std::fs::read_link(path).ok();
    match (link, e.kind()) {
        (Some(to), std::io::ErrorKind::NotFound) => {
            format!(
                "a dangling symbolic link (to {}, which does not exist)",
                to.display()
            )
        }
        (Some(_), _)
            if e.raw_os_error() == Some(40) || e.to_string().contains("symbolic links") =>
        {
            "a loop of symbolic links".to_string()
        }
        (Some(to), _) => format!(
            "a symbolic link to {} that cannot be read: {e}",
            to.display()
        ),
        (None, _) => format!("cannot be read: {e}"),
    }
}

fn is_zone_file_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    // What `frontline sync` keeps beside its snapshots (crate::sync): its
    // manifest and the published areas, JSON but not zones.
    if name == "sync-manifest.json" || (name.contains(".areas.") && name.ends_with(".json")) {
        return false;
    }
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".geojson") || name.ends_with(".json")
}

/// The last instant of a UTC day.
/// `[W, S, E, N]` of a rectangle.
fn box_of(area: Rect<f64>) -> [f64; 4] {
    [area.min().x, area.min().y, area.max().x, area.max().y]
}

fn end_of_day(day: NaiveDate) -> DateTime<Utc> {
    // 23:59:59 exists on every day; the fallback only keeps this free of unwrap.
    day.and_hms_opt(23, 59, 59)
        .map_or(DateTime::<Utc>::MAX_UTC, |t| t.and_utc())
}

/// Parses a date given by a user: `YYYY-MM-DD` (its first instant, or its last
/// with `end_of_day`, so that `--to 2025-06-01` includes that day's maps), or an
/// RFC 3339 time.
///
/// ```
/// use frontline::timeline::parse_date;
/// assert_eq!(parse_date("2025-06-01", true)?.to_rfc3339(), "2025-06-01T23:59:59+00:00");
/// assert!(parse_date("June", false).is_err());
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error unless `text` is `YYYY-MM-DD` or an RFC 3339 time.
pub fn parse_date(text: &str, end_of_day_: bool) -> Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(if end_of_day_ {
            end_of_day(day)
        } else {
            day.and_time(chrono::NaiveTime::MIN).and_utc()
        });
    }
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| {
            Error::Invalid(format!(
                "{text:?} is not a date: use YYYY-MM-DD or an RFC 3339 time"
            ))
        })
}
