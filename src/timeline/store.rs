//! The compact store: a whole timeline of snapshots in one binary file that opens
//! an order of magnitude faster than parsing the GeoJSON it came from.
//!
//! # Why this format
//!
//! Opening a store must rebuild the same [`Snapshot`]s as the GeoJSON import (the
//! zones as drawn, with their status, source layer and label, and the markers),
//! whose layers are then resolved lazily as usual. What costs time in the GeoJSON
//! is parsing text numbers and JSON structure, and gunzipping; so the store keeps
//! the already imported and repaired zones as `f64` coordinates in a binary
//! encoding ([`postcard`], a small, well-kept serde format: fixed 8-byte floats,
//! variable-length integers), one file for the whole archive:
//!
//! ```text
//! "FLSTORE\0"             8 bytes, magic
//! version                 u32 little-endian (currently 2; 1 had digests that
//!                         were not stable between builds)
//! index length            u64 little-endian
//! index                   postcard: per snapshot its date, source path,
//!                         content fingerprint, and the offset, length and
//!                         CRC-32 of its record
//! index CRC-32            u32 little-endian
//! records                 postcard, one per snapshot: precedence, zones,
//!                         markers, import report
//! ```
//!
//! The index lets a reader list dates without decoding any polygon, and each
//! record is decoded on its own (in parallel when a whole timeline is opened). Each
//! part carries a CRC-32, so that a truncated or corrupted file is an error naming
//! the file, never garbage coordinates or a panic; another file, or a store of
//! another version, is refused by its first twelve bytes.
//!
//! FlatGeobuf or GeoParquet (standard, readable by GDAL) would be the natural
//! exports; they do not hold a whole dated archive with its import reports in one
//! file without conventions of our own, which is why this crate's store is its own
//! small format.
//!
//! ```
//! use frontline::timeline::{LoadOptions, Timeline, store};
//! let timeline = Timeline::load(&["data/snapshots"], &LoadOptions::default())?;
//! let path = std::env::temp_dir().join(format!("frontline-doc-{}.fls", std::process::id()));
//! store::write(&timeline, &path)?;
//! assert!(store::is_store(&path));
//! let opened = store::Store::open(&path)?.timeline()?;
//! assert_eq!(opened.len(), 2);
//! assert_eq!(opened.entries()[1].value.zones(), timeline.entries()[1].value.zones());
//! # std::fs::remove_file(&path).unwrap();
//! # Ok::<(), frontline::Error>(())
//! ```

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use geo::{Coord, LineString, MultiPolygon, Point, Polygon};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::atomic::AtomicFile;
use crate::import::ImportReport;
use crate::model::{Marker, Precedence, Snapshot, Status, Zone, ZoneSource};
use crate::timeline::{Entry, Timeline};
use crate::{Error, Result};

/// The first eight bytes of every store file.
pub const MAGIC: &[u8; 8] = b"FLSTORE\0";
/// The format version this crate writes and reads.
pub const VERSION: u32 = 2;
const HEADER: usize = 8 + 4 + 8;

#[derive(Serialize, Deserialize)]
struct IndexEntry {
    seconds: i64,
    nanos: u32,
    path: String,
    fingerprint: u64,
    offset: u64,
    len: u64,
    crc: u32,
}

#[derive(Serialize, Deserialize)]
struct Record {
    precedence: Vec<Status>,
    zones: Vec<StoredZone>,
    markers: Vec<StoredMarker>,
    report: ImportReport,
}

#[derive(Serialize, Deserialize)]
struct StoredZone {
    status: Status,
    feature: Option<u64>,
    layer: Option<String>,
    label: Option<String>,
    fill: Option<String>,
    stroke: Option<String>,
    /// Polygons, each a list of rings (exterior first), each ring `x0, y0, x1, y1, ...`.
    polygons: Vec<Vec<Vec<f64>>>,
}

#[derive(Serialize, Deserialize)]
struct StoredMarker {
    x: f64,
    y: f64,
    label: Option<String>,
}

/// Whether a file starts with the store's magic bytes (any version).
///
/// ```
/// assert!(!frontline::timeline::store::is_store("data/snapshots/deepstate_20250601.geojson"));
/// assert!(!frontline::timeline::store::is_store("no/such/file"));
/// ```
pub fn is_store(path: impl AsRef<Path>) -> bool {
    let mut head = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == MAGIC
}

/// Writes a timeline's snapshots to a store file, atomically (see
/// [`AtomicFile`]); an unwritable path fails before anything is encoded.
///
/// ```
/// use frontline::timeline::{LoadOptions, Timeline, store};
/// let timeline = Timeline::load(&["data/snapshots"], &LoadOptions::default())?;
/// assert!(store::write(&timeline, "no/such/dir/archive.fls").is_err());
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn write(timeline: &Timeline<Snapshot>, path: impl AsRef<Path>) -> Result<()> {
    let file = AtomicFile::create(path)?;
    write_to(timeline, file)
}

/// Writes a timeline's snapshots to an [`AtomicFile`] opened earlier (e.g. before
/// a long load, so that a bad output path fails first), then commits it.
pub fn write_to(timeline: &Timeline<Snapshot>, mut file: AtomicFile) -> Result<()> {
    let path = file.path().to_path_buf();
    let encode = |e: postcard::Error| Error::format(&path, format!("cannot encode: {e}"));
    let records: Vec<Vec<u8>> = timeline
        .entries()
        .par_iter()
        .map(|e| postcard::to_stdvec(&record_of(e)).map_err(encode))
        .collect::<Result<_>>()?;
    let mut offset = 0u64;
    let index: Vec<IndexEntry> = timeline
        .entries()
        .iter()
        .zip(&records)
        .map(|(e, r)| {
            let entry = IndexEntry {
                seconds: e.date.timestamp(),
                nanos: e.date.timestamp_subsec_nanos(),
                path: e.path.to_string_lossy().into_owned(),
                fingerprint: e.fingerprint,
                offset,
                len: r.len() as u64,
                crc: crc32fast::hash(r),
            };
            offset += r.len() as u64;
            entry
        })
        .collect();
    let index = postcard::to_stdvec(&index).map_err(encode)?;
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    file.write_all(MAGIC).map_err(io)?;
    file.write_all(&VERSION.to_le_bytes()).map_err(io)?;
    file.write_all(&(index.len() as u64).to_le_bytes())
        .map_err(io)?;
    file.write_all(&index).map_err(io)?;
    file.write_all(&crc32fast::hash(&index).to_le_bytes())
        .map_err(io)?;
    for r in &records {
        file.write_all(r).map_err(io)?;
    }
    file.commit()
}

fn record_of(e: &Entry<Snapshot>) -> Record {
    let s = &e.value;
    let ring = |l: &LineString<f64>| l.0.iter().flat_map(|c| [c.x, c.y]).collect::<Vec<f64>>();
    Record {
        precedence: s.precedence().statuses().to_vec(),
        zones: s
            .zones()
            .iter()
            .map(|z| StoredZone {
                status: z.status.clone(),
                feature: z.source.feature.map(|f| f as u64),
                layer: z.source.layer.clone(),
                label: z.source.label.clone(),
                fill: z.source.fill.clone(),
                stroke: z.source.stroke.clone(),
                polygons: z
                    .geometry
                    .0
                    .iter()
                    .map(|p| {
                        std::iter::once(p.exterior())
                            .chain(p.interiors())
                            .map(ring)
                            .collect()
                    })
                    .collect(),
            })
            .collect(),
        markers: s
            .markers()
            .iter()
            .map(|m| StoredMarker {
                x: m.point.x(),
                y: m.point.y(),
                label: m.label.clone(),
            })
            .collect(),
        report: e.report.clone(),
    }
}

/// An opened store: its index read and checked, its records decoded on demand.
///
/// ```
/// use frontline::timeline::{LoadOptions, Timeline, store::{self, Store}};
/// let timeline = Timeline::load(&["data/snapshots"], &LoadOptions::default())?;
/// let path = std::env::temp_dir().join(format!("frontline-doc-open-{}.fls", std::process::id()));
/// store::write(&timeline, &path)?;
/// let store = Store::open(&path)?;
/// assert_eq!(store.len(), 2);
/// assert_eq!(store.dates()[0].format("%F").to_string(), "2025-06-01");
/// let august = store.entry(1)?;
/// assert_eq!(august.value.layers().len(), timeline.entries()[1].value.layers().len());
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    bytes: Vec<u8>,
    records_at: usize,
    index: Vec<(DateTime<Utc>, IndexEntryMeta)>,
}

#[derive(Debug)]
struct IndexEntryMeta {
    path: PathBuf,
    fingerprint: u64,
    start: usize,
    end: usize,
    crc: u32,
}

impl Store {
    /// Reads a store file and checks its magic, version, index and size.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let bad = |m: &str| Error::format(&path, format!("not a usable frontline store: {m}"));
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(bad("it does not start with the store's magic bytes"));
        }
        let word = |at: usize, n: usize| -> Result<&[u8]> {
            bytes
                .get(at..at + n)
                .ok_or_else(|| bad("truncated in its header"))
        };
        let mut v = [0u8; 4];
        v.copy_from_slice(word(8, 4)?);
        let version = u32::from_le_bytes(v);
        if version != VERSION {
            return Err(Error::format(
                &path,
                format!(
                    "store format version {version}, but this frontline reads version \
                     {VERSION}: write the store again from the snapshot files"
                ),
            ));
        }
        let mut n = [0u8; 8];
        n.copy_from_slice(word(12, 8)?);
        let index_len = usize::try_from(u64::from_le_bytes(n))
            .ok()
            .filter(|l| {
                HEADER
                    .checked_add(*l)
                    .and_then(|e| e.checked_add(4))
                    .is_some_and(|e| e <= bytes.len())
            })
            .ok_or_else(|| bad("truncated: the index runs past the end of the file"))?;
        let index_bytes = &bytes[HEADER..HEADER + index_len];
        let mut c = [0u8; 4];
        c.copy_from_slice(word(HEADER + index_len, 4)?);
        if crc32fast::hash(index_bytes) != u32::from_le_bytes(c) {
            return Err(bad("its index is corrupt (checksum mismatch)"));
        }
        let raw: Vec<IndexEntry> = postcard::from_bytes(index_bytes)
            .map_err(|e| bad(&format!("its index cannot be decoded: {e}")))?;
        let records_at = HEADER + index_len + 4;
        let available = (bytes.len() - records_at) as u64;
        let mut index = Vec::with_capacity(raw.len());
        for (i, e) in raw.into_iter().enumerate() {
            let end = e.offset.checked_add(e.len).filter(|end| *end <= available);
            let (Some(end), Some(date)) = (end, DateTime::from_timestamp(e.seconds, e.nanos))
            else {
                return Err(bad(&format!(
                    "truncated or corrupt: snapshot {} ({}) lies past the end of the file",
                    i + 1,
                    e.path
                )));
            };
            // Both fit in usize: they are at most the file's length.
            index.push((
                date,
                IndexEntryMeta {
                    path: PathBuf::from(e.path),
                    fingerprint: e.fingerprint,
                    start: records_at + e.offset as usize,
                    end: records_at + end as usize,
                    crc: e.crc,
                },
            ));
        }
        Ok(Store {
            path,
            bytes,
            records_at,
            index,
        })
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many snapshots it holds.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The snapshots' dates, in stored order (oldest first when written from a
    /// [`Timeline`]).
    pub fn dates(&self) -> Vec<DateTime<Utc>> {
        self.index.iter().map(|(d, _)| *d).collect()
    }

    /// Decodes the `i`-th snapshot (checking its checksum).
    pub fn entry(&self, i: usize) -> Result<Entry<Snapshot>> {
        let (date, meta) = self.index.get(i).ok_or_else(|| {
            Error::Invalid(format!(
                "{}: no snapshot {i}: the store holds {}",
                self.path.display(),
                self.index.len()
            ))
        })?;
        let bytes = &self.bytes[meta.start.max(self.records_at)..meta.end];
        let bad = |m: String| {
            Error::format(
                &self.path,
                format!("snapshot {} ({}): {m}", i + 1, meta.path.display()),
            )
        };
        if crc32fast::hash(bytes) != meta.crc {
            return Err(bad("corrupt (checksum mismatch)".into()));
        }
        let record: Record =
            postcard::from_bytes(bytes).map_err(|e| bad(format!("cannot be decoded: {e}")))?;
        let snapshot =
            snapshot_of(record.zones, record.markers, &record.precedence, *date).map_err(bad)?;
        Ok(Entry {
            date: *date,
            path: meta.path.clone(),
            report: record.report,
            fingerprint: meta.fingerprint,
            value: snapshot,
        })
    }

    /// The latest snapshot at or before `when` (the latest of all with `None`);
    /// a time before the first is an error saying so.
    ///
    /// ```
    /// use frontline::timeline::{LoadOptions, Timeline, parse_date, store::{self, Store}};
    /// let timeline = Timeline::load(&["data/snapshots"], &LoadOptions::default())?;
    /// let path = std::env::temp_dir().join(format!("frontline-doc-asof-{}.fls", std::process::id()));
    /// store::write(&timeline, &path)?;
    /// let store = Store::open(&path)?;
    /// let july = store.as_of(Some(parse_date("2025-07-15", true)?))?;
    /// assert_eq!(july.date.format("%F").to_string(), "2025-06-01");
    /// assert_eq!(store.as_of(None)?.date.format("%F").to_string(), "2025-08-01");
    /// assert!(store.as_of(Some(parse_date("2020-01-01", true)?)).is_err());
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn as_of(&self, when: Option<DateTime<Utc>>) -> Result<Entry<Snapshot>> {
        // The latest date in range; of equal dates, the first stored.
        let found = self
            .index
            .iter()
            .enumerate()
            .filter(|(_, (d, _))| when.is_none_or(|w| *d <= w))
            .max_by_key(|(j, (d, _))| (*d, usize::MAX - j))
            .map(|(j, _)| j);
        match found {
            Some(i) => self.entry(i),
            None => Err(Error::Invalid(
                match (when, self.dates().into_iter().min()) {
                    (Some(w), Some(first)) => format!(
                        "{}: {w} is before the first snapshot ({first})",
                        self.path.display()
                    ),
                    _ => format!("{}: the store holds no snapshot", self.path.display()),
                },
            )),
        }
    }

    /// Decodes every snapshot in parallel into a timeline.
    pub fn timeline(&self) -> Result<Timeline<Snapshot>> {
        let entries = (0..self.len())
            .into_par_iter()
            .map(|i| self.entry(i))
            .collect::<Result<Vec<_>>>()?;
        Timeline::from_entries(entries, Vec::new(), false)
    }
}

fn snapshot_of(
    zones: Vec<StoredZone>,
    markers: Vec<StoredMarker>,
    precedence: &[Status],
    date: DateTime<Utc>,
) -> std::result::Result<Snapshot, String> {
    let ring = |flat: Vec<f64>| -> std::result::Result<LineString<f64>, String> {
        if !flat.len().is_multiple_of(2) || flat.iter().any(|v| !v.is_finite()) {
            return Err("a ring has an odd or non-finite coordinate list".into());
        }
        Ok(LineString(
            flat.chunks_exact(2)
                .map(|c| Coord { x: c[0], y: c[1] })
                .collect(),
        ))
    };
    let mut out = Vec::with_capacity(zones.len());
    for z in zones {
        let mut polygons = Vec::with_capacity(z.polygons.len());
        for rings in z.polygons {
            let mut rings = rings.into_iter();
            let exterior = ring(rings.next().ok_or("a polygon has no ring")?)?;
            let interiors = rings.map(ring).collect::<std::result::Result<_, _>>()?;
            polygons.push(Polygon::new(exterior, interiors));
        }
        out.push(Zone {
            status: z.status,
            geometry: MultiPolygon(polygons),
            source: ZoneSource {
                feature: z.feature.and_then(|f| usize::try_from(f).ok()),
                layer: z.layer,
                label: z.label,
                fill: z.fill,
                stroke: z.stroke,
            },
        });
    }
    let markers = markers
        .into_iter()
        .map(|m| Marker {
            point: Point::new(m.x, m.y),
            label: m.label,
        })
        .collect();
    Ok(Snapshot::with_precedence(
        Some(date),
        out,
        &Precedence::new(precedence.iter().cloned()),
    )
    .with_markers(markers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::LoadOptions;

    fn sample_store(dir: &Path) -> PathBuf {
        let t = Timeline::load(&["data/snapshots"], &LoadOptions::default()).unwrap();
        let path = dir.join("a.fls");
        write(&t, &path).unwrap();
        path
    }

    #[test]
    fn round_trip_keeps_zones_markers_reports_and_fingerprints() {
        let dir = tempfile::tempdir().unwrap();
        let t = Timeline::load(&["data/snapshots"], &LoadOptions::default()).unwrap();
        let path = sample_store(dir.path());
        let back = Store::open(&path).unwrap().timeline().unwrap();
        assert_eq!(back.len(), t.len());
        for (a, b) in t.iter().zip(back.iter()) {
            assert_eq!(a.date, b.date);
            assert_eq!(a.path, b.path);
            assert_eq!(a.fingerprint, b.fingerprint);
            assert_eq!(a.report, b.report);
            assert_eq!(a.value.zones(), b.value.zones());
            assert_eq!(a.value.markers(), b.value.markers());
            assert_eq!(a.value.precedence(), b.value.precedence());
            assert_eq!(crate::timeline::fingerprint(&b.value), b.fingerprint);
        }
    }

    #[test]
    fn damaged_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample_store(dir.path());
        let good = std::fs::read(&path).unwrap();
        let check = |name: &str, bytes: &[u8], expect: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            let err = Store::open(&p)
                .and_then(|s| s.timeline())
                .unwrap_err()
                .to_string();
            assert!(err.contains(name), "{err}");
            assert!(err.contains(expect), "{name}: {err}");
        };
        // Truncated at every length from nothing to one byte short.
        for cut in (0..good.len()).step_by(97).chain([good.len() - 1]) {
            let p = dir.path().join("cut.fls");
            std::fs::write(&p, &good[..cut]).unwrap();
            let err = Store::open(&p).and_then(|s| s.timeline());
            assert!(err.is_err(), "truncated at {cut} of {}", good.len());
        }
        check("foreign.fls", b"{\"type\": \"FeatureCollection\"}", "magic");
        let mut other = good.clone();
        other[8] = 9;
        check("v9.fls", &other, "version 9");
        let mut flipped = good.clone();
        let last = flipped.len() - 10;
        flipped[last] ^= 0x55;
        check("flipped.fls", &flipped, "checksum");
        let mut index = good.clone();
        index[HEADER + 3] ^= 0x01;
        check("index.fls", &index, "index");
    }
}
