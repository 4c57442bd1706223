//! The compact store: a whole timeline of snapshots in one binary file that opens
//! an order of magnitude faster than parsing the GeoJSON it came from.
//!
//! # Why this format
//!
//! Opening a store must rebuild the same [`Snapshot`]s as the GeoJSON import,
//! bit for bit (the zones as drawn, with their status, source layer and label,
//! and the markers), whose layers are then resolved lazily as usual. What costs
//! time in the GeoJSON is gunzipping and parsing text numbers and JSON structure;
//! the store keeps the already imported and repaired zones in a binary encoding,
//! one file for the whole archive. Opening it is then bound by the bytes read and
//! the coordinates decoded, so version 3 makes both small (the 175 raw weekly
//! snapshots of 2022–2025: 45 MB in version 2, 14.8 MB now):
//!
//! - **Coordinates as whole numbers of 1e-7 degree.** DeepState's coordinates
//!   have at most seven decimals, so each is `q / 1e7` for a whole `q`. The
//!   writer checks per ring that `q as f64 / 1e7` gives back exactly the same
//!   bits for every coordinate (an IEEE 754 division of two exactly represented
//!   numbers is correctly rounded, so it does on every machine), and stores such
//!   a ring as the differences of `q` from one coordinate to the next, about
//!   three bytes instead of eight. Any other ring (finer values, `-0.0`, values
//!   too large) is stored as raw `f64`s: nothing is ever rounded.
//! - **Fixed-width blocks, not varints.** The differences are stored in blocks of
//!   eight coordinates, each with the byte width its largest difference needs.
//!   The position of every number in a block is then known up front, whereas a
//!   varint's end is known only once its bytes are read, which chains each read
//!   to the previous one: varints made the file 4 % smaller but decoding the
//!   records about 1.4 times slower.
//! - **Each distinct string once.** Labels, layers and colours repeat from week
//!   to week (47 000 marker labels, 5.5 MB, in the raw weekly archive); the index
//!   holds each distinct string once and records refer to them by number, so a
//!   record's strings need no UTF-8 check either.
//!
//! The zones and markers are decoded straight into geo's types, one allocation
//! per ring, with a hand-written reader; the rest (index, report) is [`postcard`],
//! a small, well-kept serde format. What each zone and marker is comes before
//! all the coordinates, so that the reader allocates a snapshot's strings, then
//! its rings, each group together: freeing them is then less work for the
//! allocator (about a tenth less CPU time for opening and dropping the raw
//! weekly archive than with each zone's strings next to its rings).
//!
//! ```text
//! "FLSTORE\0"             8 bytes, magic
//! version                 u32 little-endian (currently 5: the resolved
//!                         layers are kept, and an occupied-only file's
//!                         precedence is `occupied` alone, so that its grey
//!                         zone reads as unknown, not zero; 4 added since when
//!                         occupied zones are held;
//!                         2 stored f64 coordinates and inline strings, 1 had
//!                         digests that were not stable between builds)
//! index length            u64 little-endian
//! index                   postcard: the table of distinct strings, then per
//!                         snapshot its date, source path, content fingerprint,
//!                         and the offset, length and CRC-32 of its record
//! index CRC-32            u32 little-endian
//! records                 one per snapshot, below
//! ```
//!
//! A record is a postcard head (precedence, the zones' distinct statuses, import
//! report, the resolved layers' statuses; an occupied zone that says since when
//! is listed under `occupied_since_2014` or `occupied_since_2022`) followed by,
//! in LEB128 varints unless said otherwise:
//!
//! ```text
//! zones                   count, then per zone: its status's number in the
//!                         head; feature number + 1 (0: none); the numbers + 1
//!                         of its layer, label, fill and stroke strings (0:
//!                         none); its polygon count, and per polygon its ring
//!                         count
//! markers                 count, then per marker the number + 1 of its label
//!                         (0: none)
//! rings                   every ring of every zone, in order (exterior first),
//!                         each a coordinate list
//! marker points           one coordinate list
//! layers                  per resolved layer of the head (the status layers,
//!                         then the occupied layer's parts that have ground):
//!                         its grid runs (count, then per run the overlay
//!                         grid's offset x, y and step as f64 little-endian and
//!                         its polygon count), its polygon count, and per
//!                         polygon its ring count
//! layer rings             every ring of every layer, in order, each a
//!                         coordinate list whose whole numbers are of its
//!                         polygon's grid: x = k·step + offset, as the overlay
//!                         computed it, so the layers come back bit for bit
//! coordinate list         2n + 1, then n × (x, y) as f64 little-endian; or 2n,
//!                         then blocks of up to 8 coordinates: one byte
//!                         (wx - 1) | (wy - 1) << 4, then per coordinate the
//!                         zigzag difference of x·1e7 (for a layer's rings:
//!                         of its whole number of the grid) from the previous
//!                         coordinate's (the first from 0) in wx little-endian
//!                         bytes, and that of y in wy bytes
//! ```
//!
//! Opening a store reads its header and index only: the index lets a reader list
//! dates without reading any record, and each record is read and decoded on its
//! own (in parallel when a whole timeline is opened, the reads of one overlapping
//! the decoding of another; one snapshot out of an archive reads one record). Each
//! part carries a CRC-32, so that a truncated or corrupted file is an error naming
//! the file, never garbage coordinates or a panic; another file, or a store of
//! another version, is refused by its first twelve bytes. The decoder does not
//! rely on the checksums for safety either: every count and reference is checked
//! against what is left of the record before anything is allocated.
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

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use geo::{Coord, LineString, MultiPolygon, Point, Polygon, Rect};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::atomic::AtomicFile;
use crate::import::ImportReport;
use crate::model::{
    Layer, Marker, Occupation, Precedence, SnapGrid, Snapshot, Status, Zone, ZoneSource,
};
use crate::timeline::{Entry, Timeline};
use crate::{Error, Result};

/// The first eight bytes of every store file.
pub const MAGIC: &[u8; 8] = b"FLSTORE\0";
/// The format version this crate writes and reads.
pub const VERSION: u32 = 5;
const HEADER: usize = 8 + 4 + 8;
/// Coordinates are stored as whole numbers of 1e-7 degree when that is lossless.
const SCALE: f64 = 1e7;

#[derive(Serialize, Deserialize)]
struct Index {
    /// Every distinct label, layer and colour of the store, referred to by number.
    strings: Vec<String>,
    snapshots: Vec<IndexEntry>,
}

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

/// The start of a record, in postcard; the zones and markers follow it in the
/// store's own encoding (see the module documentation).
#[derive(Serialize, Deserialize)]
struct RecordHead {
    precedence: Vec<Status>,
    /// The zones' distinct statuses, referred to by number.
    statuses: Vec<Status>,
    report: ImportReport,
    /// The resolved layers' statuses, in order, then those of the occupied
    /// layer's parts (`occupied_since_2014`, `occupied_since_2022`) that have
    /// ground, when the snapshot splits occupation.
    layers: Vec<Status>,
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
///
/// # Errors
///
/// An error naming `path` when it cannot be written, or a snapshot cannot be
/// encoded (a non-finite coordinate).
pub fn write(timeline: &Timeline<Snapshot>, path: impl AsRef<Path>) -> Result<()> {
    let file = AtomicFile::create(path)?;
    write_to(timeline, file)
}

/// Writes a timeline's snapshots to an [`AtomicFile`] opened earlier (e.g. before
/// a long load, so that a bad output path fails first), then commits it.
///
/// A zone with a non-finite coordinate cannot be written (it could not be read
/// back).
///
/// # Errors
///
/// An error naming the file when a snapshot cannot be encoded (a non-finite
/// coordinate) or the file cannot be written or committed.
pub fn write_to(timeline: &Timeline<Snapshot>, mut file: AtomicFile) -> Result<()> {
    let path = file.path().to_path_buf();
    let encode = |m: String| Error::format(&path, format!("cannot encode: {m}"));
    let strings = Strings::of(timeline);
    let records: Vec<Vec<u8>> = timeline
        .entries()
        .par_iter()
        .map(|e| {
            record_of(e, &strings)
                .map_err(|m| encode(format!("snapshot {}: {m}", e.path.display())))
        })
        .collect::<Result<_>>()?;
    let mut offset = 0u64;
    let snapshots: Vec<IndexEntry> = timeline
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
    let index = Index {
        strings: strings.list.iter().map(|s| s.to_string()).collect(),
        snapshots,
    };
    let index = postcard::to_stdvec(&index).map_err(|e| encode(e.to_string()))?;
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

/// The distinct strings of a timeline's zones and markers, numbered in order of
/// first appearance (so that a store's bytes depend only on its timeline).
struct Strings<'a> {
    ids: HashMap<&'a str, u64>,
    list: Vec<&'a str>,
}

impl<'a> Strings<'a> {
    fn of(timeline: &'a Timeline<Snapshot>) -> Strings<'a> {
        let mut strings = Strings {
            ids: HashMap::new(),
            list: Vec::new(),
        };
        for e in timeline.entries() {
            for z in e.value.zones() {
                let s = &z.source;
                for text in [&s.layer, &s.label, &s.fill, &s.stroke]
                    .into_iter()
                    .flatten()
                {
                    strings.add(text);
                }
            }
            for text in e.value.markers().iter().filter_map(|m| m.label.as_ref()) {
                strings.add(text);
            }
        }
        strings
    }

    fn add(&mut self, text: &'a str) {
        if !self.ids.contains_key(text) {
            self.ids.insert(text, self.list.len() as u64);
            self.list.push(text);
        }
    }

    /// 0 for none, else the string's number plus one.
    fn id(&self, text: &Option<String>) -> std::result::Result<u64, String> {
        match text {
            None => Ok(0),
            Some(t) => self
                .ids
                .get(t.as_str())
                .map(|i| i + 1)
                .ok_or_else(|| format!("the string {t:?} is missing from the table")),
        }
    }
}

fn record_of(e: &Entry<Snapshot>, strings: &Strings) -> std::result::Result<Vec<u8>, String> {
    // Resolved on a copy, dropped once encoded: the timeline being written does
    // not hold every snapshot's layers at once (a copy of a snapshot resolved
    // already keeps its layers, and they are not resolved again).
    let copy = e.value.clone();
    let s = &copy;
    // An occupied zone that says since when is stored under that part's name.
    let stored = |z: &Zone| {
        z.occupation
            .map_or_else(|| z.status.clone(), Occupation::status)
    };
    let mut statuses: Vec<Status> = Vec::new();
    for z in s.zones() {
        let status = stored(z);
        if !statuses.contains(&status) {
            statuses.push(status);
        }
    }
    // The layers are resolved here, once, so that reading the store never does
    // it again (most of the time of a series over a store went into it).
    let parts: Vec<&Layer> = if s.splits_occupation() {
        Occupation::ALL
            .iter()
            .filter_map(|o| s.occupied_part(*o))
            .collect()
    } else {
        Vec::new()
    };
    let layers: Vec<&Layer> = s.layers().iter().chain(parts).collect();
    let head = RecordHead {
        precedence: s.precedence().statuses().to_vec(),
        statuses,
        report: e.report.clone(),
        layers: layers.iter().map(|l| l.status().clone()).collect(),
    };
    let mut out = postcard::to_stdvec(&head).map_err(|e| e.to_string())?;
    // First what each zone and marker is, then all their coordinates: the
    // reader allocates the strings, then the rings, each group together.
    put(&mut out, s.zones().len() as u64);
    for z in s.zones() {
        let status = head.statuses.iter().position(|t| *t == stored(z));
        put(&mut out, status.unwrap_or_default() as u64);
        let feature = match z.source.feature {
            None => 0,
            Some(f) => u64::try_from(f)
                .ok()
                .and_then(|f| f.checked_add(1))
                .ok_or("a feature number out of range")?,
        };
        put(&mut out, feature);
        let source = &z.source;
        for text in [&source.layer, &source.label, &source.fill, &source.stroke] {
            put(&mut out, strings.id(text)?);
        }
        put(&mut out, z.geometry.0.len() as u64);
        for p in &z.geometry.0 {
            put(&mut out, 1 + p.interiors().len() as u64);
        }
    }
    put(&mut out, s.markers().len() as u64);
    for m in s.markers() {
        put(&mut out, strings.id(&m.label)?);
    }
    for ring in s
        .zones()
        .iter()
        .flat_map(|z| &z.geometry.0)
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
    {
        // The reader refuses them, as the measures cannot use them.
        if ring.0.iter().any(|c| !c.x.is_finite() || !c.y.is_finite()) {
            return Err("a ring has a non-finite coordinate".into());
        }
        put_coords(&mut out, &ring.0, Grid::Decimal);
    }
    let points: Vec<Coord<f64>> = s.markers().iter().map(|m| m.point.0).collect();
    put_coords(&mut out, &points, Grid::Decimal);
    for layer in &layers {
        put(&mut out, layer.grids().len() as u64);
        for (g, polygons) in layer.grids() {
            for v in [g.offset[0], g.offset[1], g.step] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            put(&mut out, *polygons as u64);
        }
        put(&mut out, layer.geometry().0.len() as u64);
        for p in &layer.geometry().0 {
            put(&mut out, 1 + p.interiors().len() as u64);
        }
    }
    for layer in &layers {
        let grids = polygon_grids(layer.grids(), layer.geometry().0.len());
        for (p, grid) in layer.geometry().0.iter().zip(grids) {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                if ring.0.iter().any(|c| !c.x.is_finite() || !c.y.is_finite()) {
                    return Err("a resolved ring has a non-finite coordinate".into());
                }
                put_coords(&mut out, &ring.0, grid);
            }
        }
    }
    Ok(out)
}

/// Appends `v` as a LEB128 varint: 7 bits a byte, low bits first, the high bit
/// set on every byte but the last.
fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

/// The whole numbers a coordinate list is kept as: 1e-7 degree (the zones, as
/// their files give them), or the grid of the overlay that made a resolved layer.
#[derive(Clone, Copy, Debug)]
enum Grid {
    Decimal,
    Snap(SnapGrid),
}

impl Grid {
    /// `v` (an x when `axis` is 0, a y when 1) back from its whole number.
    #[inline(always)]
    fn value(self, q: i64, axis: usize) -> f64 {
        match self {
            Grid::Decimal => q as f64 / SCALE,
            // As i_overlay converts its integers back (`int_to_float`).
            Grid::Snap(g) => q as f64 * g.step + g.offset[axis],
        }
    }

    /// `v` as a whole number of the grid, when [`Grid::value`] gives back
    /// exactly `v` (the same bits: -0.0, NaN and values off the grid do not
    /// qualify).
    fn whole(self, v: f64, axis: usize) -> Option<i64> {
        let scaled = match self {
            Grid::Decimal => (v * SCALE).round(),
            Grid::Snap(g) => ((v - g.offset[axis]) / g.step).round(),
        };
        // Whole numbers of up to 2^53 convert to i64 and back exactly, and the
        // difference of two of them fits an i64. (NaN passes here, as 0, and
        // fails the comparison below.)
        if scaled.abs() > 9_007_199_254_740_992.0 {
            return None;
        }
        let q = scaled as i64;
        (self.value(q, axis).to_bits() == v.to_bits()).then_some(q)
    }
}

/// `x` as a whole number of 1e-7, when dividing that number by 1e7 gives back
/// exactly `x`.
#[cfg(test)]
fn fixed(x: f64) -> Option<i64> {
    Grid::Decimal.whole(x, 0)
}

/// Coordinates per block of the compact encoding (see [`put_coords`]).
const BLOCK: usize = 8;

/// Bytes needed for `v` (at least one).
fn width(v: u64) -> usize {
    (v.max(1).ilog2() as usize / 8) + 1
}

/// Appends a list of coordinates. When every coordinate is a lossless
/// [`fixed`] value: a varint `2n`, then blocks of [`BLOCK`] coordinates (the
/// last may be shorter), each a byte holding the widths `wx - 1` and
/// `wy - 1 << 4`, then per coordinate the zigzag delta of `x·1e7` from the
/// previous coordinate in `wx` little-endian bytes and that of `y·1e7` in `wy`
/// bytes. Otherwise a varint `2n + 1` then the raw little-endian `f64`s.
fn put_coords(out: &mut Vec<u8>, coords: &[Coord<f64>], grid: Grid) {
    let n = coords.len() as u64;
    let fixed: Option<Vec<(i64, i64)>> = coords
        .iter()
        .map(|c| Some((grid.whole(c.x, 0)?, grid.whole(c.y, 1)?)))
        .collect();
    let Some(fixed) = fixed else {
        put(out, (n << 1) | 1);
        for c in coords {
            out.extend_from_slice(&c.x.to_le_bytes());
            out.extend_from_slice(&c.y.to_le_bytes());
        }
        return;
    };
    put(out, n << 1);
    let mut previous = (0i64, 0i64);
    let deltas: Vec<(u64, u64)> = fixed
        .into_iter()
        .map(|(x, y)| {
            let d = (zigzag(x - previous.0), zigzag(y - previous.1));
            previous = (x, y);
            d
        })
        .collect();
    for block in deltas.chunks(BLOCK) {
        let wx = block.iter().map(|d| width(d.0)).max().unwrap_or(1);
        let wy = block.iter().map(|d| width(d.1)).max().unwrap_or(1);
        out.push((wx - 1) as u8 | ((wy - 1) as u8) << 4);
        for (dx, dy) in block {
            out.extend_from_slice(&dx.to_le_bytes()[..wx]);
            out.extend_from_slice(&dy.to_le_bytes()[..wy]);
        }
    }
}

/// A varint at the start of `bytes`, and the bytes after it.
fn split_varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut v = 0u64;
    for (i, &b) in bytes.iter().take(10).enumerate() {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            return Some((v, &bytes[i + 1..]));
        }
    }
    None
}

/// A cursor over the zones and markers of a record.
struct Reader<'a> {
    bytes: &'a [u8],
}

type Decoded<T> = std::result::Result<T, &'static str>;

const TRUNCATED: &str = "truncated record";

impl Reader<'_> {
    fn f64(&mut self) -> Decoded<f64> {
        let b = self.bytes.get(..8).ok_or(TRUNCATED)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        self.bytes = &self.bytes[8..];
        Ok(f64::from_le_bytes(a))
    }

    fn varint(&mut self) -> Decoded<u64> {
        let (v, rest) = split_varint(self.bytes).ok_or(TRUNCATED)?;
        self.bytes = rest;
        Ok(v)
    }

    /// A count of items that take at least `min_bytes` each (so that a damaged
    /// count cannot ask for a huge allocation).
    fn count(&mut self, min_bytes: usize) -> Decoded<usize> {
        usize::try_from(self.varint()?)
            .ok()
            .filter(|n| n.saturating_mul(min_bytes) <= self.bytes.len())
            .ok_or(TRUNCATED)
    }

    /// An index into a table of `len` items.
    fn id(&mut self, len: usize) -> Decoded<usize> {
        usize::try_from(self.varint()?)
            .ok()
            .filter(|i| *i < len)
            .ok_or("a reference out of range")
    }

    fn string(&mut self, strings: &[String]) -> Decoded<Option<String>> {
        match self.varint()? {
            0 => Ok(None),
            i => usize::try_from(i - 1)
                .ok()
                .and_then(|i| strings.get(i))
                .map(|s| Some(s.clone()))
                .ok_or("a string reference out of range"),
        }
    }

    /// A list written by [`put_coords`], in one allocation.
    fn coords(&mut self, grid: Grid) -> Decoded<Vec<Coord<f64>>> {
        let head = self.varint()?;
        let n = usize::try_from(head >> 1).map_err(|_| TRUNCATED)?;
        if head & 1 == 1 {
            let len = n.checked_mul(16).ok_or(TRUNCATED)?;
            let raw = self.bytes.get(..len).ok_or(TRUNCATED)?;
            self.bytes = &self.bytes[len..];
            let f = |b: &[u8]| {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                f64::from_le_bytes(a)
            };
            return Ok(raw
                .chunks_exact(16)
                .map(|c| Coord {
                    x: f(&c[..8]),
                    y: f(&c[8..]),
                })
                .collect());
        }
        if n > self.bytes.len() / 2 {
            return Err(TRUNCATED);
        }
        let mut coords: Vec<Coord<f64>> = Vec::with_capacity(n);
        let mut at = (0i64, 0i64);
        let mut decoded = [Coord { x: 0.0, y: 0.0 }; BLOCK];
        while coords.len() < n {
            let k = (n - coords.len()).min(BLOCK);
            let head = *self.bytes.first().ok_or(TRUNCATED)?;
            let (wx, wy) = (usize::from(head & 15) + 1, usize::from(head >> 4) + 1);
            if wx > 8 || wy > 8 {
                return Err("a bad coordinate width");
            }
            let len = 1 + k * (wx + wy);
            let mut block = Block {
                k,
                wx,
                wy,
                grid,
                at: &mut at,
                decoded: &mut decoded,
            };
            match self.bytes.get(..len + 8) {
                Some(bytes) => block.decode(bytes),
                None => {
                    // Each difference is read as eight bytes: a block near the
                    // end of the record is first copied into a padded buffer.
                    let bytes = self.bytes.get(..len).ok_or(TRUNCATED)?;
                    let mut padded = [0u8; 1 + BLOCK * 16 + 8];
                    padded[..len].copy_from_slice(bytes);
                    block.decode(&padded);
                }
            }
            self.bytes = &self.bytes[len..];
            coords.extend_from_slice(&decoded[..k]);
        }
        Ok(coords)
    }
}

/// One block of a coordinate list being decoded.
struct Block<'a> {
    /// Coordinates in the block.
    k: usize,
    /// Byte widths of the differences.
    wx: usize,
    wy: usize,
    /// The whole numbers' grid.
    grid: Grid,
    /// The previous coordinate, in whole numbers of the grid.
    at: &'a mut (i64, i64),
    decoded: &'a mut [Coord<f64>; BLOCK],
}

impl Block<'_> {
    /// Decodes the block from `bytes` (its width byte, then at least `k` times
    /// `wx + wy` bytes and eight more) into `decoded`.
    #[inline(always)]
    fn decode(&mut self, bytes: &[u8]) {
        let (wx, stride) = (self.wx, self.wx + self.wy);
        let (mx, my) = (
            u64::MAX >> (64 - 8 * self.wx),
            u64::MAX >> (64 - 8 * self.wy),
        );
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[at..at + 8]);
            u64::from_le_bytes(w)
        };
        let (mut x, mut y) = *self.at;
        // Decoded and divided in a buffer that stays in cache, then copied to
        // the ring; the divisions of a block vectorise.
        let mut whole = [(0i64, 0i64); BLOCK];
        for (i, q) in whole[..self.k].iter_mut().enumerate() {
            let at = 1 + i * stride;
            x = x.wrapping_add(unzigzag(word(at) & mx));
            y = y.wrapping_add(unzigzag(word(at + wx) & my));
            *q = (x, y);
        }
        // Converted in a buffer that stays in cache, then copied to the ring;
        // the conversions of a block vectorise.
        match self.grid {
            Grid::Decimal => {
                for (c, q) in self.decoded.iter_mut().zip(whole) {
                    *c = Coord {
                        x: q.0 as f64 / SCALE,
                        y: q.1 as f64 / SCALE,
                    };
                }
            }
            Grid::Snap(g) => {
                for (c, q) in self.decoded.iter_mut().zip(whole) {
                    *c = Coord {
                        x: q.0 as f64 * g.step + g.offset[0],
                        y: q.1 as f64 * g.step + g.offset[1],
                    };
                }
            }
        }
        *self.at = (x, y);
    }
}

/// An opened store: its index read and checked, its records read and decoded on
/// demand.
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
    /// Read at each record's offset by one thread at a time.
    file: Mutex<File>,
    strings: Vec<String>,
    index: Vec<(DateTime<Utc>, IndexEntryMeta)>,
}

#[derive(Debug)]
struct IndexEntryMeta {
    path: PathBuf,
    fingerprint: u64,
    start: u64,
    len: usize,
    crc: u32,
}

impl Store {
    /// Opens a store file, reads and checks its magic, version, index and size;
    /// the records are read when decoded, from the file kept open.
    ///
    /// # Errors
    ///
    /// An error naming the file when it cannot be read, or is not a usable store
    /// (magic, version, index or size wrong).
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let mut file = File::open(&path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        let mut bytes = Vec::with_capacity(HEADER);
        (&mut file)
            .take(HEADER as u64)
            .read_to_end(&mut bytes)
            .map_err(io)?;
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
        let index_len = u64::from_le_bytes(n);
        let records_at = (HEADER as u64)
            .checked_add(index_len)
            .and_then(|e| e.checked_add(4))
            .filter(|e| *e <= size)
            .ok_or_else(|| bad("truncated: the index runs past the end of the file"))?;
        // It fits in usize: it is at most the file's length.
        let mut bytes = vec![0u8; index_len as usize + 4];
        file.read_exact(&mut bytes).map_err(io)?;
        let (index_bytes, c) = bytes.split_at(index_len as usize);
        if crc32fast::hash(index_bytes).to_le_bytes() != c {
            return Err(bad("its index is corrupt (checksum mismatch)"));
        }
        let raw: Index = postcard::from_bytes(index_bytes)
            .map_err(|e| bad(&format!("its index cannot be decoded: {e}")))?;
        let available = size - records_at;
        let mut index = Vec::with_capacity(raw.snapshots.len());
        for (i, e) in raw.snapshots.into_iter().enumerate() {
            let fits = e
                .offset
                .checked_add(e.len)
                .is_some_and(|end| end <= available);
            let (true, Some(date)) = (fits, DateTime::from_timestamp(e.seconds, e.nanos)) else {
                return Err(bad(&format!(
                    "truncated or corrupt: snapshot {} ({}) lies past the end of the file",
                    i + 1,
                    e.path
                )));
            };
            index.push((
                date,
                IndexEntryMeta {
                    path: PathBuf::from(e.path),
                    fingerprint: e.fingerprint,
                    start: records_at + e.offset,
                    // It fits in usize: it is at most the file's length.
                    len: e.len as usize,
                    crc: e.crc,
                },
            ));
        }
        Ok(Store {
            path,
            file: Mutex::new(file),
            strings: raw.strings,
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
    ///
    /// # Errors
    ///
    /// An error when there is no snapshot `i`, or naming the file when its record
    /// cannot be read, fails its checksum or does not decode.
    pub fn entry(&self, i: usize) -> Result<Entry<Snapshot>> {
        self.entry_near(i, None)
    }

    /// [`Store::entry`] for measures of regions within `near`: where those would
    /// not use the layers resolved whole (the regions' box cuts most of the map
    /// near it, so its zones are cut to the box and resolved there), the stored
    /// layers are not decoded. The record is checked (its checksum) all the same.
    ///
    /// # Errors
    ///
    /// As [`Store::entry`].
    pub fn entry_near(&self, i: usize, near: Option<Rect<f64>>) -> Result<Entry<Snapshot>> {
        let (date, meta) = self.index.get(i).ok_or_else(|| {
            Error::Invalid(format!(
                "{}: no snapshot {i}: the store holds {}",
                self.path.display(),
                self.index.len()
            ))
        })?;
        let bad = |m: String| {
            Error::format(
                &self.path,
                format!("snapshot {} ({}): {m}", i + 1, meta.path.display()),
            )
        };
        let mut bytes = Vec::with_capacity(meta.len);
        {
            // A panic elsewhere cannot leave the file in a bad state: every read
            // seeks first.
            let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
            file.seek(SeekFrom::Start(meta.start))
                .and_then(|_| (&mut *file).take(meta.len as u64).read_to_end(&mut bytes))
                .map_err(|source| Error::Io {
                    path: self.path.clone(),
                    source,
                })?;
        }
        if bytes.len() != meta.len {
            return Err(bad("truncated since the store was opened".into()));
        }
        if crc32fast::hash(&bytes) != meta.crc {
            return Err(bad("corrupt (checksum mismatch)".into()));
        }
        let (snapshot, report) = decode(&bytes, &self.strings, *date, near)
            .map_err(|m| bad(format!("cannot be decoded: {m}")))?;
        Ok(Entry {
            date: *date,
            path: meta.path.clone(),
            report,
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
    ///
    /// # Errors
    ///
    /// An error saying so when `when` is before the first snapshot or the store is
    /// empty, or when the snapshot cannot be decoded.
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
    ///
    /// # Errors
    ///
    /// The first error in decoding a snapshot (see [`entry`](Self::entry)).
    pub fn timeline(&self) -> Result<Timeline<Snapshot>> {
        let entries = (0..self.len())
            .into_par_iter()
            .map(|i| self.entry(i))
            .collect::<Result<Vec<_>>>()?;
        Timeline::from_entries(entries, Vec::new(), false)
    }
}

/// A record's snapshot and import report.
fn decode(
    bytes: &[u8],
    strings: &[String],
    date: DateTime<Utc>,
    near: Option<Rect<f64>>,
) -> std::result::Result<(Snapshot, ImportReport), String> {
    let (head, rest): (RecordHead, &[u8]) =
        postcard::take_from_bytes(bytes).map_err(|e| e.to_string())?;
    let snapshot = snapshot_of(Reader { bytes: rest }, &head, strings, date, near)?;
    Ok((snapshot, head.report))
}

fn snapshot_of(
    mut r: Reader,
    head: &RecordHead,
    strings: &[String],
    date: DateTime<Utc>,
    near: Option<Rect<f64>>,
) -> Decoded<Snapshot> {
    // The known statuses as their constants, which clone without allocating.
    let statuses: Vec<Status> = head
        .statuses
        .iter()
        .map(|s| {
            Some(Status::new(s.as_str()))
                .filter(|k| k == s)
                .unwrap_or_else(|| s.clone())
        })
        .collect();
    let n = r.count(7)?;
    let mut zones = Vec::with_capacity(n);
    // Per zone its polygon count, then per polygon its ring count.
    let mut shapes: Vec<usize> = Vec::new();
    for _ in 0..n {
        let status = statuses[r.id(statuses.len())?].clone();
        let occupation = Occupation::from_status(&status);
        let status = if occupation.is_some() {
            Status::OCCUPIED
        } else {
            status
        };
        let feature = r
            .varint()?
            .checked_sub(1)
            .and_then(|f| usize::try_from(f).ok());
        let source = ZoneSource {
            feature,
            layer: r.string(strings)?,
            label: r.string(strings)?,
            fill: r.string(strings)?,
            stroke: r.string(strings)?,
        };
        let polygons = r.count(2)?;
        ring_counts(&mut r, polygons, &mut shapes)?;
        zones.push(Zone {
            status,
            geometry: MultiPolygon(Vec::new()),
            occupation,
            source,
        });
    }
    let m = r.count(1)?;
    let labels = (0..m)
        .map(|_| r.string(strings))
        .collect::<Decoded<Vec<_>>>()?;
    let mut shapes = shapes.into_iter();
    for zone in &mut zones {
        zone.geometry = polygons(&mut r, &mut shapes, &[])?;
    }
    let points = r.coords(Grid::Decimal)?;
    if points.len() != m {
        return Err("marker coordinates and labels do not match");
    }
    let markers: Vec<Marker> = points
        .into_iter()
        .zip(labels)
        .map(|(p, label)| Marker {
            point: Point(p),
            label,
        })
        .collect();
    let snapshot = Snapshot::with_precedence(
        Some(date),
        zones,
        &Precedence::new(head.precedence.iter().cloned()),
    )
    .with_markers(markers);
    if near.is_some_and(|rect| !snapshot.measured_whole(rect)) {
        return Ok(snapshot);
    }
    // The resolved layers: per layer its grid runs, polygon count and their
    // ring counts, then the rings.
    let mut shapes: Vec<usize> = Vec::new();
    let mut grids: Vec<Vec<(SnapGrid, usize)>> = Vec::with_capacity(head.layers.len());
    for _ in &head.layers {
        let n = r.count(25)?;
        let mut runs = Vec::with_capacity(n);
        for _ in 0..n {
            let [x, y, step] = [r.f64()?, r.f64()?, r.f64()?];
            if !(x.is_finite() && y.is_finite() && step.is_finite() && step > 0.0) {
                return Err("a bad grid of a resolved layer");
            }
            let polygons = usize::try_from(r.varint()?).map_err(|_| TRUNCATED)?;
            runs.push((
                SnapGrid {
                    offset: [x, y],
                    step,
                },
                polygons,
            ));
        }
        let polygons = r.count(1)?;
        if !runs.is_empty() && runs.iter().map(|(_, n)| *n).sum::<usize>() != polygons {
            return Err("grids of a resolved layer that do not cover its polygons");
        }
        grids.push(runs);
        ring_counts(&mut r, polygons, &mut shapes)?;
    }
    let mut shapes = shapes.into_iter();
    let mut layers = Vec::with_capacity(head.layers.len());
    let mut parts: [Option<Layer>; 2] = [None, None];
    for (status, runs) in head.layers.iter().zip(grids) {
        let found = polygons(&mut r, &mut shapes, &runs)?;
        // The grids are kept, so that the layer is written again as compactly.
        let layer = Layer::new(status.clone(), found).snapped_to(runs);
        match Occupation::from_status(status) {
            Some(Occupation::Since2014) => parts[0] = Some(layer),
            Some(Occupation::Since2022) => parts[1] = Some(layer),
            None => layers.push(layer),
        }
    }
    if !r.bytes.is_empty() {
        return Err("trailing bytes after its layers");
    }
    snapshot
        .with_resolved(layers, parts)
        .ok_or("resolved layers that do not match its zones")
}

/// The grid of each of a layer's `n` polygons, from its runs (none: 1e-7).
fn polygon_grids(runs: &[(SnapGrid, usize)], n: usize) -> impl Iterator<Item = Grid> + '_ {
    runs.iter()
        .flat_map(|(g, k)| std::iter::repeat_n(Grid::Snap(*g), *k))
        .chain(std::iter::repeat(Grid::Decimal))
        .take(n)
}

/// Reads the ring count of each of `polygons` polygons into `shapes`, after
/// their number.
fn ring_counts(r: &mut Reader, polygons: usize, shapes: &mut Vec<usize>) -> Decoded<()> {
    shapes.push(polygons);
    for _ in 0..polygons {
        let rings = r.count(1)?;
        if rings == 0 {
            return Err("a polygon has no ring");
        }
        shapes.push(rings);
    }
    Ok(())
}

/// The polygons of one zone or layer: its polygon count from `shapes`, then
/// each polygon's ring count, the rings read from `r` on the grids of `runs`
/// (none: 1e-7 degree, as zones are kept).
fn polygons(
    r: &mut Reader,
    shapes: &mut impl Iterator<Item = usize>,
    runs: &[(SnapGrid, usize)],
) -> Decoded<MultiPolygon<f64>> {
    let n = shapes.next().unwrap_or_default();
    let mut polygons = Vec::with_capacity(n);
    for (rings, grid) in shapes.by_ref().take(n).zip(polygon_grids(runs, n)) {
        let exterior = ring(r, grid)?;
        let interiors = (1..rings).map(|_| ring(r, grid)).collect::<Decoded<_>>()?;
        polygons.push(Polygon::new(exterior, interiors));
    }
    Ok(MultiPolygon(polygons))
}

fn ring(r: &mut Reader, grid: Grid) -> Decoded<LineString<f64>> {
    let coords = r.coords(grid)?;
    if coords.iter().any(|c| !c.x.is_finite() || !c.y.is_finite()) {
        return Err("a ring has a non-finite coordinate");
    }
    Ok(LineString(coords))
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
            assert_eq!(bits(&a.value), bits(&b.value));
        }
    }

    /// The layers (and the occupied layer's parts) come back resolved, bit for
    /// bit as the snapshot resolved them, kept as whole numbers of the overlay's
    /// grids (not as raw f64); a resolved layer of a store is written again the
    /// same.
    #[test]
    fn resolved_layers_round_trip_exactly_on_their_grids() {
        let dir = tempfile::tempdir().unwrap();
        let t = Timeline::load(&["data/snapshots"], &LoadOptions::default()).unwrap();
        let path = sample_store(dir.path());
        let back = Store::open(&path).unwrap().timeline().unwrap();
        for (a, b) in t.iter().zip(back.iter()) {
            assert!(b.value.is_resolved());
            let (la, lb) = (a.value.layers(), b.value.layers());
            assert_eq!(la.len(), lb.len());
            for (x, y) in la.iter().zip(lb) {
                assert_eq!(x.status(), y.status());
                assert_eq!(x.geometry(), y.geometry());
                assert!(!x.grids().is_empty());
                assert_eq!(x.grids(), y.grids());
            }
            for o in Occupation::ALL {
                assert_eq!(
                    a.value.occupied_part(o).map(Layer::geometry),
                    b.value.occupied_part(o).map(Layer::geometry)
                );
            }
        }
        // On their grids, every vertex is a whole number: no list is raw.
        let layer = &t.entries()[1].value.layers()[0];
        let grids: Vec<Grid> = polygon_grids(layer.grids(), layer.geometry().0.len()).collect();
        for (p, grid) in layer.geometry().0.iter().zip(grids) {
            let mut out = Vec::new();
            put_coords(&mut out, &p.exterior().0, grid);
            assert_eq!(out[0] & 1, 0, "a raw list");
        }
        let again = dir.path().join("b.fls");
        write(&back, &again).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap().len(),
            std::fs::read(&again).unwrap().len()
        );
    }

    /// Every coordinate of a snapshot's zones and markers, bit for bit.
    fn bits(s: &Snapshot) -> Vec<u64> {
        let rings = s
            .zones()
            .iter()
            .flat_map(|z| &z.geometry.0)
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| &r.0);
        let points = s.markers().iter().map(|m| &m.point.0);
        rings
            .chain(points)
            .flat_map(|c| [c.x.to_bits(), c.y.to_bits()])
            .collect()
    }

    fn ring(points: &[(f64, f64)]) -> LineString<f64> {
        LineString(points.iter().map(|&(x, y)| Coord { x, y }).collect())
    }

    fn stored_raw(points: &[(f64, f64)]) -> bool {
        let mut out = Vec::new();
        put_coords(&mut out, &ring(points).0, Grid::Decimal);
        out[0] & 1 == 1
    }

    fn synthetic(zones: Vec<Zone>, markers: Vec<Marker>) -> Timeline<Snapshot> {
        let date = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let value = Snapshot::with_precedence(Some(date), zones, &Precedence::default())
            .with_markers(markers);
        let entry = Entry {
            date,
            path: "synthetic.geojson".into(),
            report: ImportReport::new("synthetic.geojson"),
            fingerprint: crate::timeline::fingerprint(&value),
            value,
        };
        Timeline::from_entries(vec![entry], Vec::new(), false).unwrap()
    }

    #[test]
    fn only_coordinates_that_come_back_exactly_are_stored_as_integers() {
        assert_eq!(fixed(37.1234567), Some(371_234_567));
        assert_eq!(fixed(-0.1), Some(-1_000_000));
        assert_eq!(fixed(0.0), Some(0));
        // Finer than 1e-7, not the shortest decimal, negative zero, too large.
        for x in [
            37.123456789,
            0.1 + 0.2,
            1e-9,
            -0.0,
            1e9 + 0.5,
            1e300,
            f64::NAN,
        ] {
            assert_eq!(fixed(x), None, "{x}");
        }
        let compact = [(37.1234567, 48.7654321), (37.2, 48.7), (-180.0, 90.0)];
        assert!(!stored_raw(&compact));
        assert!(stored_raw(&[
            (37.1234567, 48.7654321),
            (37.123456789, 48.7)
        ]));
        assert!(stored_raw(&[(-0.0, 48.7)]));
        // Deltas of every width, positive and negative.
        let wide: Vec<(f64, f64)> = (0..40)
            .map(|i| {
                let q = (1i64 << (i % 40 + 10)) * if i % 3 == 0 { -1 } else { 1 };
                (q as f64 / SCALE, i as f64 / SCALE)
            })
            .filter(|&(x, _)| fixed(x).is_some())
            .collect();
        assert!(wide.len() > 30);
        let mut out = Vec::new();
        put_coords(&mut out, &ring(&wide).0, Grid::Decimal);
        let back = Reader { bytes: &out }.coords(Grid::Decimal).unwrap();
        assert_eq!(back, ring(&wide).0);
    }

    #[test]
    fn rings_stored_raw_come_back_bit_for_bit() {
        let dir = tempfile::tempdir().unwrap();
        let square = |x: f64, y: f64, d: f64| {
            ring(&[(x, y), (x + d, y), (x + d, y + d), (x, y + d), (x, y)])
        };
        let zones = vec![
            // Compact exterior, raw hole (finer than 1e-7).
            Zone::new(
                Status::OCCUPIED,
                MultiPolygon(vec![Polygon::new(
                    square(37.0, 48.0, 1.0),
                    vec![square(37.123456789, 48.2, 0.1 + 0.2)],
                )]),
            ),
            // Raw exterior: negative zero, then a compact second polygon.
            Zone::new(
                Status::CONTESTED,
                MultiPolygon(vec![
                    Polygon::new(square(-0.0, 1e-9, 0.5), vec![]),
                    Polygon::new(square(38.5, 47.25, 0.0000001), vec![]),
                ]),
            ),
            // Too large for integers of 1e-7.
            Zone::new(
                Status::new("Other"),
                MultiPolygon(vec![Polygon::new(square(1e9 + 0.5, -1e300, 2.0), vec![])]),
            ),
        ];
        let markers = vec![
            Marker {
                point: Point::new(37.5, 48.3),
                label: Some("Airfield".into()),
            },
            Marker {
                point: Point::new(37.000000001, f64::NAN),
                label: None,
            },
        ];
        let t = synthetic(zones, markers);
        let path = dir.path().join("raw.fls");
        write(&t, &path).unwrap();
        let back = Store::open(&path).unwrap().timeline().unwrap();
        let (a, b) = (&t.entries()[0], &back.entries()[0]);
        assert_eq!(bits(&a.value), bits(&b.value));
        assert_eq!(a.value.zones(), b.value.zones());
        assert_eq!(a.value.markers()[0], b.value.markers()[0]);
        assert_eq!(b.value.markers()[1].label, None);
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(crate::timeline::fingerprint(&b.value), b.fingerprint);
    }

    #[test]
    fn a_ring_with_a_non_finite_coordinate_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let zone = Zone::new(
            Status::OCCUPIED,
            MultiPolygon(vec![Polygon::new(
                ring(&[(37.0, 48.0), (f64::INFINITY, 48.0), (37.0, 49.0)]),
                vec![],
            )]),
        );
        let path = dir.path().join("inf.fls");
        let err = write(&synthetic(vec![zone], vec![]), &path).unwrap_err();
        assert!(err.to_string().contains("non-finite"), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn damaged_records_are_errors_not_panics() {
        let t = Timeline::load(&["data/snapshots"], &LoadOptions::default()).unwrap();
        let strings = Strings::of(&t);
        let table: Vec<String> = strings.list.iter().map(|s| s.to_string()).collect();
        let e = &t.entries()[1];
        let record = record_of(e, &strings).unwrap();
        let (snapshot, report) = decode(&record, &table, e.date, None).unwrap();
        assert_eq!(bits(&snapshot), bits(&e.value));
        assert_eq!(report, e.report);
        // The checksums catch these first; the decoder must not rely on them.
        for cut in 0..record.len() {
            assert!(
                decode(&record[..cut], &table, e.date, None).is_err(),
                "cut at {cut}"
            );
        }
        for at in 0..record.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = record.clone();
                bad[at] ^= flip;
                let _ = decode(&bad, &table, e.date, None);
            }
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
        // Records are read when decoded: a file cut or changed after it was
        // opened is an error too.
        let p = dir.path().join("later.fls");
        std::fs::write(&p, &good).unwrap();
        let opened = Store::open(&p).unwrap();
        std::fs::write(&p, &good[..good.len() - 10]).unwrap();
        let err = opened.timeline().unwrap_err().to_string();
        assert!(
            err.contains("later.fls") && err.contains("truncated"),
            "{err}"
        );
        std::fs::write(&p, &flipped).unwrap();
        let err = opened.timeline().unwrap_err().to_string();
        assert!(
            err.contains("later.fls") && err.contains("checksum"),
            "{err}"
        );
    }
}
