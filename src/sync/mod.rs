//! Keeping a local archive current from DeepState's public API, safely.
//!
//! [`sync`] lists the updates DeepState publishes (`{base}/api/history/public`),
//! picks those wanted (`since`, [`Every`] update, day or week), and stores each
//! one missing from the directory:
//!
//! | file | what |
//! | --- | --- |
//! | `<id>.geojson.gz` | the update's map (the envelope's `map`, byte for byte as served, gzip): the form of the raw weekly archive, so every command reads the directory as an archive |
//! | `<id>.areas.json` | the km² DeepState publishes for it (`/api/history/{id}/areas`), as served; read with [`published_areas`] |
//! | `sync-manifest.json` | the [`Manifest`]: id, datetime, SHA-256, size and fetch time of every file |
//! | `<id>.rev-<hash>.geojson.gz` | a later, different body for an id already stored (and its `.areas.json`) |
//! | `<id>.areas.<hash>.json` | later, different published areas for an unchanged map |
//!
//! Directory listings of the other commands (`series DIR`, `store DIR`, ...)
//! skip `sync-manifest.json` and the `.areas.` files. A revision *is* read: its
//! name dates it like the first body, which sorts before it, so a timeline keeps
//! the first body and warns that a file of the same date with different
//! content was left out (an error with `--strict`), until someone decides
//! which to keep.
//!
//! # Guarantees
//! - **Checked before stored**: every map is read by the library's own DeepState
//!   reader (and must hold at least one zone), every listing and areas answer
//!   parsed; a truncated, invalid or HTML body is retried, then reported, and
//!   never stored.
//! - **Atomic**: each file is written under a temporary name and renamed
//!   ([`crate::atomic`]); the manifest is written (atomically) after the files it
//!   describes, so a kill at any moment leaves complete files only, and the next
//!   run adopts a complete file the manifest does not list yet (after reading it)
//!   and removes the temporary files left behind.
//! - **Never overwritten**: a file already in the directory is never replaced; a
//!   different body for a stored id (the listing's `updatedAt` changed) is kept
//!   beside it and reported; a file that does not read is left alone and
//!   reported.
//! - **One at a time**: a lock (`.sync.lock`) keeps two syncs out of one
//!   directory; requests go one by one, `delay` apart, with a timeout, retries
//!   with exponential backoff on timeouts, 429 and 5xx, and a size limit.
//!
//! ```no_run
//! use frontline::sync::{self, Every, SyncOptions};
//! let options = SyncOptions::default().every(Every::Week);
//! let summary = sync::sync("archive".as_ref(), &options, &mut |_| {})?;
//! println!("{} stored, {} failed", summary.stored(), summary.failed());
//! # Ok::<(), frontline::Error>(())
//! ```

mod api;
mod client;
mod manifest;
mod plan;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use api::{Map, PublishedArea, Update, parse_areas, parse_envelope, parse_listing};
pub use client::Retry;
pub use manifest::{MANIFEST, Manifest, Record, Revision, Stored, sha256_hex};
pub use plan::{Every, Need, select};

use crate::import::{self, Source};
use crate::{Error, Result, Status};
use client::{Client, ClientOptions, Failure};

/// DeepState's site.
pub const DEFAULT_BASE_URL: &str = "https://deepstatemap.live";

/// The lock file of a synced directory.
const LOCK: &str = ".sync.lock";

/// How to sync.
///
/// ```
/// use std::time::Duration;
/// use frontline::sync::{Every, SyncOptions};
/// let o = SyncOptions::default().every(Every::Day).delay(Duration::from_secs(2));
/// assert_eq!(o.base_url, "https://deepstatemap.live");
/// assert_eq!(o.delay, Duration::from_secs(2));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SyncOptions {
    /// The API's site (default [`DEFAULT_BASE_URL`]).
    pub base_url: String,
    /// Only updates at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Every update, or the latest of each day or week.
    pub every: Every,
    /// The least time between two requests (default 1 s).
    pub delay: Duration,
    /// The longest a request may take, body included (default 60 s).
    pub timeout: Duration,
    /// Attempts after the first (default 3).
    pub retries: u32,
    /// The wait before the first retry, doubled for each further one (default 2 s).
    pub backoff: Duration,
    /// The largest body accepted, after any gzip decoding (default 64 MiB;
    /// DeepState's maps are below 1 MB).
    pub max_bytes: u64,
    /// Only list what would be fetched; write nothing.
    pub dry_run: bool,
}

impl Default for SyncOptions {
    fn default() -> SyncOptions {
        SyncOptions {
            base_url: DEFAULT_BASE_URL.into(),
            since: None,
            every: Every::Update,
            delay: Duration::from_secs(1),
            timeout: Duration::from_secs(60),
            retries: 3,
            backoff: Duration::from_secs(2),
            max_bytes: 64 << 20,
            dry_run: false,
        }
    }
}

impl SyncOptions {
    /// Sets the API's site.
    pub fn base_url(mut self, url: impl Into<String>) -> SyncOptions {
        self.base_url = url.into();
        self
    }
    /// Only updates at or after `since`.
    pub fn since(mut self, since: Option<DateTime<Utc>>) -> SyncOptions {
        self.since = since;
        self
    }
    /// Every update, or the latest of each day or week.
    pub fn every(mut self, every: Every) -> SyncOptions {
        self.every = every;
        self
    }
    /// The least time between two requests.
    pub fn delay(mut self, delay: Duration) -> SyncOptions {
        self.delay = delay;
        self
    }
    /// The longest a request may take.
    pub fn timeout(mut self, timeout: Duration) -> SyncOptions {
        self.timeout = timeout;
        self
    }
    /// Attempts after the first.
    pub fn retries(mut self, retries: u32) -> SyncOptions {
        self.retries = retries;
        self
    }
    /// The first wait between attempts (doubled each time).
    pub fn backoff(mut self, backoff: Duration) -> SyncOptions {
        self.backoff = backoff;
        self
    }
    /// The largest body accepted.
    pub fn max_bytes(mut self, max_bytes: u64) -> SyncOptions {
        self.max_bytes = max_bytes;
        self
    }
    /// Only list what would be fetched.
    pub fn dry_run(mut self, dry_run: bool) -> SyncOptions {
        self.dry_run = dry_run;
        self
    }
}

/// What happened to one wanted update.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Its map was stored (and its areas, unless `problem` says otherwise).
    Stored,
    /// Fetched again, the same body as stored.
    Unchanged,
    /// A different body for an id already stored: kept beside the first.
    Revised,
    /// Its published areas were stored.
    AreasStored,
    /// Different published areas for an unchanged map: kept beside the first.
    AreasRevised,
    /// Nothing stored: see `problem`.
    Failed,
    /// A dry run: would be fetched.
    Planned,
}

/// What a sync did with one update.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// The update's id.
    pub id: i64,
    /// Its time.
    pub time: DateTime<Utc>,
    /// Why it was fetched.
    pub need: Need,
    /// What came of it.
    pub action: Action,
    /// The file written (in the directory).
    pub file: Option<String>,
    /// Bytes written.
    pub bytes: u64,
    /// What went wrong: the update is not complete, and a later run will try
    /// again.
    pub problem: Option<String>,
    /// News that needs a look but is no failure (a revision kept, areas not
    /// published).
    pub note: Option<String>,
}

/// Progress of a sync, as it happens.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The listing was read: how many updates it has, how many are wanted, and
    /// how many of those need fetching.
    Planned {
        /// Updates listed.
        listed: usize,
        /// Updates wanted (`since`, `every`).
        selected: usize,
        /// Of those, how many need a request.
        needed: usize,
    },
    /// A request failed and will be tried again.
    Retrying(&'a Retry<'a>),
    /// An update is done with.
    Done(&'a Outcome),
    /// Something found in the directory that needs a look.
    Warning(&'a str),
}

/// What a sync did.
///
/// ```
/// use frontline::sync::Summary;
/// let nothing = Summary::default();
/// assert_eq!((nothing.stored(), nothing.revised(), nothing.failed(), nothing.bytes()), (0, 0, 0, 0));
/// ```
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Updates in the listing.
    pub listed: usize,
    /// Updates wanted (`since`, `every`).
    pub selected: usize,
    /// One per update that needed a request.
    pub outcomes: Vec<Outcome>,
    /// Things found in the directory that need a look.
    pub warnings: Vec<String>,
    /// Updates in the manifest after the run.
    pub archived: usize,
}

impl Summary {
    /// Maps stored (new or fetched again).
    pub fn stored(&self) -> usize {
        self.count(Action::Stored)
    }
    /// Different bodies kept beside stored ones.
    pub fn revised(&self) -> usize {
        self.count(Action::Revised) + self.count(Action::AreasRevised)
    }
    /// Updates not complete (nothing stored, or the map without its areas): a
    /// later run tries them again.
    pub fn failed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.action == Action::Failed || o.problem.is_some())
            .count()
    }
    /// Bytes written.
    pub fn bytes(&self) -> u64 {
        self.outcomes.iter().map(|o| o.bytes).sum()
    }
    fn count(&self, action: Action) -> usize {
        self.outcomes.iter().filter(|o| o.action == action).count()
    }
}

/// Brings `dir` up to date with the API (see the [module](self) docs); `on`
/// hears of progress. The listing is fetched before anything is written: a
/// listing that fails or does not parse (HTML, not an array, empty, an id that
/// is not a number) is an error, and the directory is left untouched (not even
/// created). A failure of one update is in its [`Outcome`]; the others go on.
///
/// # Errors
///
/// An error when the client cannot be built, the listing fails or does not
/// parse, or `dir` cannot be created, locked, or its manifest read.
pub fn sync(dir: &Path, options: &SyncOptions, on: &mut dyn FnMut(Event<'_>)) -> Result<Summary> {
    let mut client = Client::new(ClientOptions {
        base_url: options.base_url.clone(),
        timeout: options.timeout,
        retries: options.retries,
        backoff: options.backoff,
        delay: options.delay,
        max_bytes: options.max_bytes,
    })?;
    let listing_url = client.url("/api/history/public");
    let listing = client
        .fetch(&listing_url, parse_listing, &mut |r| on(Event::Retrying(r)))
        .map_err(Failure::into_error)?;
    let selected = select(&listing, options.since, options.every);
    let mut summary = Summary {
        listed: listing.len(),
        selected: selected.len(),
        ..Summary::default()
    };
    if options.dry_run {
        let manifest = match dir.is_dir() {
            true => Manifest::load(dir)?,
            false => Manifest::default(),
        };
        let needs = needs(dir, &manifest, &selected, &BTreeSet::new());
        on(Event::Planned {
            listed: summary.listed,
            selected: summary.selected,
            needed: needs.len(),
        });
        for (update, need) in needs {
            summary.outcomes.push(Outcome {
                id: update.id,
                time: update.time,
                need,
                action: Action::Planned,
                file: Some(snapshot_name(update.id)),
                bytes: 0,
                problem: None,
                note: None,
            });
        }
        summary.archived = manifest.updates.len();
        return Ok(summary);
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let _lock = lock(dir)?;
    remove_stale_temporaries(dir);
    let mut manifest = Manifest::load(dir)?;
    let mut warn = |summary: &mut Summary, w: String| {
        on(Event::Warning(&w));
        summary.warnings.push(w);
    };
    let (blocked, warnings) = reconcile(dir, &mut manifest)?;
    for w in warnings {
        warn(&mut summary, w);
    }
    manifest.base_url = Some(client.url(""));
    // A file adopted from the directory has no `updatedAt`: the listing's, now,
    // is taken for its own, so that a later change is noticed.
    let mut adopted = false;
    for u in &selected {
        if let (Some(at), Some(r)) = (&u.updated_at, manifest.get(u.id))
            && r.updated_at.is_none()
            && r.fetched_at.is_none()
        {
            manifest.record_mut(u.id).updated_at = Some(at.clone());
            adopted = true;
        }
    }
    if adopted {
        manifest.save(dir)?;
    }
    let needs = needs(dir, &manifest, &selected, &blocked);
    on(Event::Planned {
        listed: summary.listed,
        selected: summary.selected,
        needed: needs.len(),
    });
    let mut store = Archive {
        dir,
        manifest,
        client: &mut client,
    };
    for (update, need) in needs {
        let outcome = store.update(&update, need, &mut |r| on(Event::Retrying(r)))?;
        on(Event::Done(&outcome));
        summary.outcomes.push(outcome);
    }
    summary.archived = store.manifest.updates.len();
    Ok(summary)
}

/// The wanted updates that need a request, with why.
fn needs(
    dir: &Path,
    manifest: &Manifest,
    selected: &[Update],
    blocked: &BTreeSet<i64>,
) -> Vec<(Update, Need)> {
    selected
        .iter()
        .filter(|u| !blocked.contains(&u.id))
        .filter_map(|u| {
            let record = manifest.get(u.id);
            let present = dir.join(snapshot_name(u.id)).is_file();
            plan::need(u, record, present).map(|n| (u.clone(), n))
        })
        .collect()
}

/// The snapshot file of an update.
///
/// ```
/// assert_eq!(frontline::sync::snapshot_name(1754251105), "1754251105.geojson.gz");
/// ```
pub fn snapshot_name(id: i64) -> String {
    format!("{id}.geojson.gz")
}

/// The published-areas file beside a snapshot file: its name with
/// `.geojson.gz` (or `.geojson`, `.json`, optionally `.gz`) replaced by
/// `.areas.json`.
///
/// ```
/// use std::path::Path;
/// use frontline::sync::areas_path;
/// assert_eq!(areas_path(Path::new("a/1754251105.geojson.gz")), Path::new("a/1754251105.areas.json"));
/// assert_eq!(areas_path(Path::new("1754251105.rev-0123456789ab.geojson.gz")),
///     Path::new("1754251105.rev-0123456789ab.areas.json"));
/// ```
pub fn areas_path(snapshot: &Path) -> PathBuf {
    let name = snapshot
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".gz").unwrap_or(&name);
    let stem = stem
        .strip_suffix(".geojson")
        .or_else(|| stem.strip_suffix(".json"))
        .unwrap_or(stem);
    snapshot.with_file_name(format!("{stem}.areas.json"))
}

/// The km² DeepState published for one update, as stored beside its snapshot.
///
/// ```
/// use frontline::sync::{Published, kinds, parse_areas};
/// // Two entries of one type (colours differ) add up.
/// let areas = parse_areas(br##"[{"type": "other_territories", "area": 2, "hash": "#01579b"},
///     {"type": "other_territories", "area": 3, "hash": "#ff5252"}]"##).unwrap();
/// let p = Published { path: "1754251105.areas.json".into(), areas };
/// assert_eq!(p.km2(kinds::OTHER_TERRITORIES), Some(5.0));
/// assert_eq!(p.km2(kinds::LIBERATED), None);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Published {
    /// The file they were read from.
    pub path: PathBuf,
    /// The areas, as published.
    pub areas: Vec<PublishedArea>,
}

/// DeepState's area types (the `type` of `/api/history/{id}/areas`).
pub mod kinds {
    /// Occupied since the full-scale invasion.
    pub const OCCUPIED_AFTER_24_02_2022: &str = "occupied_after_24_02_2022";
    /// Occupied before it (Crimea, ORDLO).
    pub const OCCUPIED_TO_24_02_2022: &str = "occupied_to_24_02_2022";
    /// All occupied ground, where the answer gives it as one figure.
    pub const OCCUPIED: &str = "occupied";
    /// Of unknown status: the grey zone.
    pub const UNSPECIFIED: &str = "unspecified";
    /// Liberated.
    pub const LIBERATED: &str = "liberated";
    /// Other territories (e.g. ground Ukraine holds in Russia, `#01579b`).
    pub const OTHER_TERRITORIES: &str = "other_territories";
}

impl Published {
    /// The km² of one type (summed over its entries, which may be several with
    /// different colours); `None` when the answer has none of that type.
    pub fn km2(&self, kind: &str) -> Option<f64> {
        let mut of_kind = self.areas.iter().filter(|a| a.kind == kind).peekable();
        of_kind.peek()?;
        Some(of_kind.map(|a| a.km2).sum())
    }

    /// DeepState's km² for a frontline status, where its types say it:
    /// occupied is `occupied` when given, else `occupied_after_24_02_2022` +
    /// `occupied_to_24_02_2022`; `occupied_since_2014` is
    /// `occupied_to_24_02_2022`, `occupied_since_2022` is
    /// `occupied_after_24_02_2022`; contested is `unspecified`; liberated is
    /// `liberated`. `None` for other statuses, or when the types are absent.
    /// DeepState measures on a sphere (turf.js: frontline's `--area sphere`), over
    /// its own polygons, so expect small differences even then.
    ///
    /// ```
    /// use frontline::Status;
    /// use frontline::sync::{Published, parse_areas};
    /// let areas = parse_areas(br#"[{"type": "occupied_after_24_02_2022", "area": 70000},
    ///     {"type": "occupied_to_24_02_2022", "area": 43000}, {"type": "unspecified", "area": 900}]"#)?;
    /// let p = Published { path: "x.areas.json".into(), areas };
    /// assert_eq!(p.status_km2(&Status::OCCUPIED), Some(113000.0));
    /// assert_eq!(p.status_km2(&Status::CONTESTED), Some(900.0));
    /// assert_eq!(p.status_km2(&Status::LIBERATED), None);
    /// # Ok::<(), String>(())
    /// ```
    pub fn status_km2(&self, status: &Status) -> Option<f64> {
        if *status == Status::OCCUPIED {
            self.km2(kinds::OCCUPIED).or_else(|| {
                let after = self.km2(kinds::OCCUPIED_AFTER_24_02_2022);
                let to = self.km2(kinds::OCCUPIED_TO_24_02_2022);
                (after.is_some() || to.is_some()).then(|| after.unwrap_or(0.0) + to.unwrap_or(0.0))
            })
        } else if *status == Status::OCCUPIED_SINCE_2014 {
            self.km2(kinds::OCCUPIED_TO_24_02_2022)
        } else if *status == Status::OCCUPIED_SINCE_2022 {
            self.km2(kinds::OCCUPIED_AFTER_24_02_2022)
        } else if *status == Status::CONTESTED {
            self.km2(kinds::UNSPECIFIED)
        } else if *status == Status::LIBERATED {
            self.km2(kinds::LIBERATED)
        } else {
            None
        }
    }
}

/// One status of one update: frontline's km² beside DeepState's published.
///
/// ```
/// use frontline::{Status, sync::Beside};
/// let b = Beside { status: Status::CONTESTED, frontline_km2: Some(101.0), published_km2: Some(100.0) };
/// assert_eq!(b.difference_km2(), Some(1.0));
/// assert!((b.difference_pct().unwrap() - 1.0).abs() < 1e-12);
/// let none = Beside { published_km2: Some(0.0), ..b };
/// assert_eq!(none.difference_pct(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Beside {
    /// The status.
    pub status: Status,
    /// frontline's km² (in the process's area model), `None` when the snapshot
    /// cannot tell (the parts of occupied in a map without the machine keys).
    pub frontline_km2: Option<f64>,
    /// DeepState's published km² ([`Published::status_km2`]).
    pub published_km2: Option<f64>,
}

impl Beside {
    /// frontline's km² less DeepState's, when both are there.
    pub fn difference_km2(&self) -> Option<f64> {
        Some(self.frontline_km2? - self.published_km2?)
    }

    /// The difference as a % of DeepState's figure (`None` when that is 0).
    pub fn difference_pct(&self) -> Option<f64> {
        let published = self.published_km2.filter(|p| *p > 0.0)?;
        Some(self.difference_km2()? / published * 100.0)
    }
}

/// The statuses DeepState publishes km² for, in the order results list them.
pub const PUBLISHED_STATUSES: [Status; 5] = [
    Status::OCCUPIED,
    Status::OCCUPIED_SINCE_2014,
    Status::OCCUPIED_SINCE_2022,
    Status::CONTESTED,
    Status::LIBERATED,
];

/// A snapshot's own totals ([`Snapshot::total_figures`](crate::Snapshot::total_figures))
/// beside DeepState's published km², for each of [`PUBLISHED_STATUSES`] that
/// either gives.
///
/// ```
/// use frontline::Status;
/// use frontline::sync::{Published, beside, parse_areas};
/// let snapshot = frontline::import::read_zones("data/snapshots/deepstate_20250601.geojson", None)?.snapshot;
/// let areas = parse_areas(br#"[{"type": "unspecified", "area": 1.0}]"#).unwrap();
/// let rows = beside(&snapshot.total_figures(), &Published { path: "x".into(), areas });
/// let contested = rows.iter().find(|b| b.status == Status::CONTESTED).unwrap();
/// assert_eq!(contested.published_km2, Some(1.0));
/// assert!(contested.frontline_km2.unwrap() > 0.0);
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn beside(totals: &[(Status, Option<f64>)], published: &Published) -> Vec<Beside> {
    PUBLISHED_STATUSES
        .iter()
        .map(|status| Beside {
            status: status.clone(),
            frontline_km2: totals
                .iter()
                .find(|(s, _)| s == status)
                .and_then(|(_, km2)| *km2),
            published_km2: published.status_km2(status),
        })
        .filter(|b| b.frontline_km2.is_some() || b.published_km2.is_some())
        .collect()
}

/// The published areas stored beside a snapshot file (see [`areas_path`]):
/// `None` when there is no such file; an error naming it when it does not parse.
///
/// ```
/// use frontline::sync::published_areas;
/// let dir = std::env::temp_dir().join(format!("frontline-doc-published-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let snapshot = dir.join("1754251105.geojson.gz");
/// assert!(published_areas(&snapshot)?.is_none());
/// std::fs::write(dir.join("1754251105.areas.json"),
///     r##"[{"hash": "#bcaaa4", "area": 1044.7, "percent": "0.17", "type": "unspecified"}]"##).unwrap();
/// let published = published_areas(&snapshot)?.unwrap();
/// assert_eq!(published.km2("unspecified"), Some(1044.7));
/// std::fs::write(dir.join("1754251105.areas.json"), "<html>").unwrap();
/// assert!(published_areas(&snapshot).unwrap_err().to_string().contains("1754251105.areas.json"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error naming the areas file when it cannot be read or does not parse.
pub fn published_areas(snapshot: impl AsRef<Path>) -> Result<Option<Published>> {
    let path = areas_path(snapshot.as_ref());
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(Error::Io { path, source }),
    };
    let areas = parse_areas(&bytes).map_err(|m| Error::format(&path, m))?;
    Ok(Some(Published { path, areas }))
}

/// The directory being synced: its manifest and the client.
struct Archive<'a> {
    dir: &'a Path,
    manifest: Manifest,
    client: &'a mut Client,
}

impl Archive<'_> {
    fn update(
        &mut self,
        update: &Update,
        need: Need,
        on_retry: &mut dyn FnMut(&Retry<'_>),
    ) -> Result<Outcome> {
        let id = update.id;
        let mut outcome = Outcome {
            id,
            time: update.time,
            need,
            action: Action::Failed,
            file: None,
            bytes: 0,
            problem: None,
            note: None,
        };
        if need == Need::Areas {
            let name = areas_name(&snapshot_name(id));
            match self.fetch_areas(id, &name, on_retry)? {
                Ok(Some(stored)) => {
                    outcome.action = Action::AreasStored;
                    outcome.bytes = stored.bytes;
                    outcome.file = Some(stored.file.clone());
                    self.manifest.record_mut(id).areas = Some(stored);
                }
                Ok(None) => {
                    outcome.action = Action::Unchanged;
                    outcome.note = Some("no published areas (HTTP 404)".into());
                    self.manifest.record_mut(id).areas_missing = Some("HTTP 404".into());
                }
                Err(why) => outcome.problem = Some(why),
            }
            self.manifest.save(self.dir)?;
            return Ok(outcome);
        }
        let url = self.client.url(&format!("/api/history/{id}/geojson"));
        let fetched = self.client.fetch(
            &url,
            |body| {
                parse_envelope(body, id, "the map")
                    .map(|m| (m.text.to_string(), m.datetime, m.zones))
            },
            on_retry,
        );
        let (map, datetime, _zones) = match fetched {
            Ok(m) => m,
            Err(f) => {
                outcome.problem = Some(format!("{}: {}", f.url, f.message));
                return Ok(outcome);
            }
        };
        let map_sha256 = sha256_hex(map.as_bytes());
        let known = self.manifest.get(id).cloned();
        match (need, known) {
            (Need::Recheck, Some(record)) => {
                self.recheck(update, record, &map, map_sha256, on_retry, &mut outcome)?
            }
            (_, known) => {
                let name = snapshot_name(id);
                let stored = match self.store(&name, &gzip(&map)?)? {
                    Ok(s) => s,
                    Err(why) => {
                        outcome.problem = Some(why);
                        return Ok(outcome);
                    }
                };
                if let Some(old) = known.filter(|k| !k.map_sha256.is_empty())
                    && old.map_sha256 != map_sha256
                {
                    outcome.note = Some(format!(
                        "{name} was missing and is fetched again: its body differs from the \
                         one fetched before (SHA-256 {} then, {map_sha256} now)",
                        old.map_sha256
                    ));
                }
                outcome.action = Action::Stored;
                outcome.bytes = stored.bytes;
                outcome.file = Some(name.clone());
                let record = self.manifest.record_mut(id);
                record.datetime = datetime;
                record.file = name.clone();
                record.sha256 = stored.sha256;
                record.bytes = stored.bytes;
                record.map_sha256 = map_sha256;
                record.fetched_at = stored.fetched_at;
                record.updated_at = update.updated_at.clone();
                record.areas = None;
                record.areas_missing = None;
                // The map is in the manifest before its areas are asked for.
                self.manifest.save(self.dir)?;
                match self.fetch_areas(id, &areas_name(&name), on_retry)? {
                    Ok(Some(areas)) => {
                        outcome.bytes += areas.bytes;
                        self.manifest.record_mut(id).areas = Some(areas);
                    }
                    Ok(None) => {
                        self.manifest.record_mut(id).areas_missing = Some("HTTP 404".into());
                    }
                    Err(why) => outcome.problem = Some(format!("stored the map, but {why}")),
                }
            }
        }
        self.manifest.save(self.dir)?;
        Ok(outcome)
    }

    /// A stored update fetched again because the listing says it changed.
    fn recheck(
        &mut self,
        update: &Update,
        record: Record,
        map: &str,
        map_sha256: String,
        on_retry: &mut dyn FnMut(&Retry<'_>),
        outcome: &mut Outcome,
    ) -> Result<()> {
        let id = update.id;
        let same_as = std::iter::once((&record.map_sha256, &record.file))
            .chain(record.revisions.iter().map(|r| (&r.map_sha256, &r.file)))
            .find(|(sha, _)| **sha == map_sha256)
            .map(|(_, file)| file.clone());
        if let Some(file) = same_as {
            // The same map: its areas may still have changed.
            outcome.action = Action::Unchanged;
            outcome.file = Some(file.clone());
            if file == record.file {
                self.recheck_areas(&record, on_retry, outcome)?;
            }
            self.manifest.record_mut(id).updated_at = update.updated_at.clone();
            return Ok(());
        }
        let name = format!("{id}.rev-{}.geojson.gz", &map_sha256[..12]);
        let stored = match self.store(&name, &gzip(map)?)? {
            Ok(s) => s,
            Err(why) => {
                outcome.problem = Some(why);
                return Ok(());
            }
        };
        let same_zones = self.same_zones(&record.file, map);
        let areas = match self.fetch_areas(id, &areas_name(&name), on_retry)? {
            Ok(a) => a,
            Err(why) => {
                self.warn_later(outcome, format!("its published areas: {why}"));
                None
            }
        };
        outcome.action = Action::Revised;
        outcome.bytes = stored.bytes + areas.as_ref().map_or(0, |a| a.bytes);
        outcome.file = Some(name.clone());
        outcome.note = Some(format!(
            "a different body for {id}, which is stored: kept as {name} beside {} ({}); \
             directory listings keep {} and warn about the other",
            record.file,
            if same_zones {
                "the same zones: only names, styles or markers differ"
            } else {
                "DIFFERENT zones"
            },
            record.file
        ));
        let r = self.manifest.record_mut(id);
        r.updated_at = update.updated_at.clone();
        r.revisions.push(Revision {
            file: name,
            sha256: stored.sha256,
            bytes: stored.bytes,
            map_sha256,
            fetched_at: stored.fetched_at,
            updated_at: update.updated_at.clone(),
            same_zones,
            areas,
        });
        Ok(())
    }

    /// The areas of an unchanged map fetched again; different ones kept beside.
    fn recheck_areas(
        &mut self,
        record: &Record,
        on_retry: &mut dyn FnMut(&Retry<'_>),
        outcome: &mut Outcome,
    ) -> Result<()> {
        let id = record.id;
        let url = self.client.url(&format!("/api/history/{id}/areas"));
        let body = match self
            .client
            .fetch(&url, |b| parse_areas(b).map(|_| b.to_vec()), on_retry)
        {
            Ok(b) => b,
            Err(f) if f.not_found => return Ok(()),
            Err(f) => {
                self.warn_later(outcome, format!("{}: {}", f.url, f.message));
                return Ok(());
            }
        };
        let sha = sha256_hex(&body);
        let known = record
            .areas
            .iter()
            .chain(&record.areas_revisions)
            .any(|s| s.sha256 == sha);
        if known {
            return Ok(());
        }
        let (name, revision) = match &record.areas {
            Some(_) => (format!("{id}.areas.{}.json", &sha[..12]), true),
            None => (areas_name(&record.file), false),
        };
        let stored = match self.store(&name, &body)? {
            Ok(s) => s,
            Err(why) => {
                self.warn_later(outcome, why);
                return Ok(());
            }
        };
        outcome.bytes += stored.bytes;
        let r = self.manifest.record_mut(id);
        if revision {
            outcome.action = Action::AreasRevised;
            outcome.file = Some(name.clone());
            outcome.note = Some(format!(
                "different published areas for {id}: kept as {name} beside {}",
                areas_name(&record.file)
            ));
            r.areas_revisions.push(stored);
        } else {
            r.areas = Some(stored);
            r.areas_missing = None;
        }
        Ok(())
    }

    /// Adds to the outcome's note: what a recheck could not complete is not
    /// asked again (the listing's `updatedAt` is taken as seen).
    fn warn_later(&self, outcome: &mut Outcome, why: String) {
        outcome.note = Some(match outcome.note.take() {
            Some(p) => format!("{p}; {why}"),
            None => why,
        });
    }

    /// Whether a new map's zones are those of the stored file (its statuses and
    /// coordinates, as a timeline fingerprints them).
    fn same_zones(&self, stored: &str, map: &str) -> bool {
        let old = import::read_zones(self.dir.join(stored), Some(&Source::DeepState));
        let new = import::parse_zones(map, stored, Some(&Source::DeepState));
        match (old, new) {
            (Ok(a), Ok(b)) => {
                crate::timeline::fingerprint(&a.snapshot)
                    == crate::timeline::fingerprint(&b.snapshot)
            }
            _ => false,
        }
    }

    /// The published areas of `id`, stored as `name`: `Ok(None)` when the API
    /// has none (404); `Err(why)` when they could not be had.
    fn fetch_areas(
        &mut self,
        id: i64,
        name: &str,
        on_retry: &mut dyn FnMut(&Retry<'_>),
    ) -> Result<std::result::Result<Option<Stored>, String>> {
        let url = self.client.url(&format!("/api/history/{id}/areas"));
        match self
            .client
            .fetch(&url, |b| parse_areas(b).map(|_| b.to_vec()), on_retry)
        {
            Ok(body) => Ok(self.store(name, &body)?.map(Some)),
            Err(f) if f.not_found => Ok(Ok(None)),
            Err(f) => Ok(Err(format!(
                "its published areas could not be fetched ({}: {})",
                f.url, f.message
            ))),
        }
    }

    /// Writes `bytes` as `name` atomically, unless a file of that name is
    /// there: the same bytes are taken as stored (a run killed before its
    /// manifest was written), other bytes are never overwritten (`Err(why)`).
    fn store(&self, name: &str, bytes: &[u8]) -> Result<std::result::Result<Stored, String>> {
        let path = self.dir.join(name);
        let stored = Stored {
            file: name.to_string(),
            sha256: sha256_hex(bytes),
            bytes: bytes.len() as u64,
            fetched_at: Some(Utc::now()),
        };
        match std::fs::read(&path) {
            Ok(there) if there == bytes => return Ok(Ok(stored)),
            Ok(_) => {
                return Ok(Err(format!(
                    "{} is already there with other content: left alone, nothing stored",
                    path.display()
                )));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Io { path, source }),
        }
        crate::atomic::write(&path, bytes)?;
        Ok(Ok(stored))
    }
}

/// `<stem>.areas.json` for a snapshot file name.
fn areas_name(snapshot: &str) -> String {
    areas_path(Path::new(snapshot))
        .to_string_lossy()
        .into_owned()
}

/// The map, gzip-compressed (deterministically: no name, no time in the
/// header), and checked to decompress to the same text.
fn gzip(map: &str) -> Result<Vec<u8>> {
    let fail = |e: std::io::Error| Error::Invalid(format!("cannot compress a map: {e}"));
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(map.as_bytes()).map_err(fail)?;
    let gz = encoder.finish().map_err(fail)?;
    let mut back = Vec::with_capacity(map.len());
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut back)
        .map_err(fail)?;
    if back != map.as_bytes() {
        return Err(Error::Invalid(
            "a map did not decompress to itself: nothing stored".into(),
        ));
    }
    Ok(gz)
}

/// The id of a snapshot file sync names: `<9 to 11 digits>.geojson.gz`.
fn snapshot_id(name: &str) -> Option<i64> {
    let digits = name.strip_suffix(".geojson.gz")?;
    ((9..=11).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// Whether `name` is one of the files a sync writes (for stale temporaries).
fn is_sync_name(name: &str) -> bool {
    name == MANIFEST
        || (name.contains(".areas.") && name.ends_with(".json"))
        || name.ends_with(".geojson.gz")
}

/// Holds the directory's lock for as long as it lives: another sync of the same
/// directory is refused (the lock goes with the process, even when killed).
fn lock(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Invalid(format!(
            "{}: another frontline sync is running in this directory",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(source)) => Err(Error::Io { path, source }),
    }
}

/// Removes the temporary files (`.<name>.<pid>.tmp`) a killed sync left for its
/// own files; with the lock held, no sync is writing them.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name
            .strip_prefix('.')
            .and_then(|n| n.strip_suffix(".tmp"))
            .and_then(|n| n.rsplit_once('.'))
            .is_some_and(|(n, pid)| pid.bytes().all(|b| b.is_ascii_digit()) && is_sync_name(n));
        if ours {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Brings the manifest in line with the directory: a snapshot file it does not
/// list is read and adopted (or, when it does not read, left alone and its id
/// blocked from fetching, which would replace it); areas files likewise; files
/// it lists that are gone or changed are reported. Saves the manifest when it
/// changed. Returns the blocked ids and the warnings.
fn reconcile(dir: &Path, manifest: &mut Manifest) -> Result<(BTreeSet<i64>, Vec<String>)> {
    let mut blocked = BTreeSet::new();
    let mut warnings = Vec::new();
    let mut changed = false;
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let Some(id) = snapshot_id(name) else {
            continue;
        };
        let path = dir.join(name);
        match manifest.get(id) {
            Some(record) => {
                let size = std::fs::metadata(&path).map_or(0, |m| m.len());
                if record.file == *name && size != record.bytes {
                    warnings.push(format!(
                        "{}: {size} bytes, but {} when fetched: changed since; left alone",
                        path.display(),
                        record.bytes
                    ));
                }
            }
            None => match adopt(&path) {
                Ok(record) => {
                    *manifest.record_mut(id) = Record { id, ..record };
                    changed = true;
                }
                Err(why) => {
                    warnings.push(format!(
                        "{}: not a readable DeepState snapshot ({why}); left alone, and not \
                         fetched while it is there",
                        path.display()
                    ));
                    blocked.insert(id);
                }
            },
        }
    }
    for record in &mut manifest.updates {
        if !dir.join(&record.file).is_file() {
            continue; // fetched again when wanted
        }
        let areas = areas_name(&record.file);
        let areas_path = dir.join(&areas);
        match &record.areas {
            Some(_) if !areas_path.is_file() => {
                warnings.push(format!(
                    "{}: gone from the directory; fetched again",
                    areas_path.display()
                ));
                record.areas = None;
                changed = true;
            }
            None if areas_path.is_file() => {
                let bytes = std::fs::read(&areas_path).map_err(|source| Error::Io {
                    path: areas_path.clone(),
                    source,
                })?;
                match parse_areas(&bytes) {
                    Ok(_) => {
                        record.areas = Some(Stored {
                            file: areas,
                            sha256: sha256_hex(&bytes),
                            bytes: bytes.len() as u64,
                            fetched_at: None,
                        });
                        record.areas_missing = None;
                    }
                    Err(why) => {
                        warnings.push(format!(
                            "{}: not published areas ({why}); left alone",
                            areas_path.display()
                        ));
                        record.areas_missing = Some(format!("{areas} does not parse"));
                    }
                }
                changed = true;
            }
            _ => {}
        }
    }
    if changed {
        manifest.save(dir)?;
    }
    Ok((blocked, warnings))
}

/// A record for a snapshot file found in the directory, once it reads.
fn adopt(path: &Path) -> std::result::Result<Record, String> {
    let gz = std::fs::read(path).map_err(|e| e.to_string())?;
    let text = crate::formats::geojson::read_bytes(path).map_err(|e| e.to_string())?;
    let text = String::from_utf8(text).map_err(|e| format!("not UTF-8: {e}"))?;
    api::check_map(&text, "the map")?;
    Ok(Record {
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sha256: sha256_hex(&gz),
        bytes: gz.len() as u64,
        map_sha256: sha256_hex(text.as_bytes()),
        ..Record::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snapshot_id("1754251105.geojson.gz"), Some(1754251105));
        assert_eq!(snapshot_id("1754251105.rev-abc.geojson.gz"), None);
        assert_eq!(snapshot_id("12.geojson.gz"), None);
        assert!(is_sync_name("1754251105.areas.json"));
        assert!(is_sync_name("1754251105.areas.0123456789ab.json"));
        assert!(is_sync_name(MANIFEST));
        assert!(!is_sync_name("notes.txt"));
    }

    #[test]
    fn stale_temporaries_of_ours_only() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            ".1754251105.geojson.gz.4242.tmp",
            ".sync-manifest.json.17.tmp",
            ".notes.txt.5.tmp",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        remove_stale_temporaries(dir.path());
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, [".notes.txt.5.tmp"]);
    }

    #[test]
    fn a_second_sync_of_a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _held = lock(dir.path()).unwrap();
        let err = lock(dir.path()).unwrap_err().to_string();
        assert!(err.contains("another frontline sync"), "{err}");
    }

    #[test]
    fn gzip_is_deterministic() {
        assert_eq!(gzip("{}").unwrap(), gzip("{}").unwrap());
    }
}
