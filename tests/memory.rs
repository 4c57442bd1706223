//! Peak heap memory of the front on one large ring, counted by a global
//! allocator: a small multiple of the ring's own size. (A ring of 2 million
//! vertices once took 1.2 GB in `frontline front` and 1.8 GB in `near`: every
//! edge's segment built twice, every 250 m piece held at once, and R-trees of
//! edges that the command never searched.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use frontline::proximity::{Front, FrontOptions, ProximityIndex};
use frontline::{Snapshot, Status, Zone};
use geo::{LineString, MultiPolygon, Polygon, point};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = CURRENT.fetch_add(by, Ordering::SeqCst) + by;
    PEAK.fetch_max(now, Ordering::SeqCst);
}

// SAFETY: every call is passed on to the system allocator unchanged; only the
// byte counts are recorded.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grew(new_size - layout.size());
        } else {
            CURRENT.fetch_sub(layout.size() - new_size, Ordering::SeqCst);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Holds the other tests of this file off while one measures: the counts are
/// the whole process's, and tests run on several threads at once.
fn alone() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Peak bytes allocated by `f` beyond what was allocated before it.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst) - base)
}

#[test]
fn the_front_of_a_large_ring_takes_a_small_multiple_of_its_size() {
    let _alone = alone();
    // A star-shaped ring of 200,000 vertices (never self-intersecting), about
    // 0.5° across: 3.2 MB of coordinates, 4.4 MB as GeoJSON text.
    let n = 200_000;
    let ring: LineString<f64> = (0..=n)
        .map(|i| {
            let a = (i % n) as f64 / n as f64 * std::f64::consts::TAU;
            let r = 0.5 + 0.002 * (a * 500.0).sin() + 0.0005 * ((i * 7919) % 13) as f64 / 13.0;
            (37.5 + r * a.cos() / 0.66, 48.3 + r * a.sin())
        })
        .collect();
    let ring_bytes = 16 * (n + 1);
    let snapshot = Snapshot::new(
        None,
        vec![Zone::new(
            Status::OCCUPIED,
            MultiPolygon(vec![Polygon::new(ring, vec![])]),
        )],
    );
    // Resolve the layers first: that is the snapshot's memory, not the front's.
    assert_eq!(snapshot.layers().len(), 1);
    let (front, derive) = peak_of(|| Front::derive(&snapshot, &FrontOptions::default()).unwrap());
    let (_, nearest) = peak_of(|| front.nearest(point!(x: 37.5, y: 48.3)).unwrap().unwrap());
    let (_, status) = peak_of(|| ProximityIndex::new(&snapshot));
    let per = |bytes: usize| bytes as f64 / ring_bytes as f64;
    eprintln!(
        "ring {ring_bytes} B; peaks: derive {:.1}×, first nearest {:.1}×, status index {:.1}×",
        per(derive),
        per(nearest),
        per(status)
    );
    assert!(front.length_km() > 300.0, "{}", front.length_km());
    // Deriving: a point-in-polygon grid of the ring and the front line, not
    // R-trees (formerly two of the ring's edges and one of the front's, built
    // from vectors of 88 bytes per edge: some 26× the ring in all).
    assert!(per(derive) < 8.0, "derive: {:.1}× the ring", per(derive));
    // The first distance indexes the front's segments, once.
    assert!(
        per(nearest) < 11.0,
        "nearest: {:.1}× the ring",
        per(nearest)
    );
    // Status look-ups need no edge index (formerly built for every layer: 5.5×
    // the ring for its 88-byte segments alone).
    assert!(
        per(status) < 6.0,
        "status index: {:.1}× the ring",
        per(status)
    );
}

/// A 2.1 KB FlatGeobuf file whose spatial index sends the reader back into the
/// header for a feature's size (found by fuzzing): the flatgeobuf crate reserved
/// and zeroed the 3.9 GB it read there. Refused with next to nothing allocated.
#[test]
fn a_damaged_flatgeobuf_index_is_refused_without_reserving_what_it_claims() {
    let _alone = alone();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz/flatgeobuf-index-into-header.fgb");
    let bbox = [37.0, 47.5, 38.5, 49.0];
    let (read, peak) = peak_of(|| {
        frontline::import::read_places_in(&path, bbox, &frontline::import::ReadOptions::default())
    });
    let err = read.unwrap_err().to_string();
    assert!(err.contains("where no feature starts"), "{err}");
    assert!(peak < 1 << 20, "{peak} bytes at the peak");
}

/// GeoParquet files of 2.5 and 2.8 KB whose pages claim 1 and 1.4 GB once
/// uncompressed (found by fuzzing): the parquet crate reserved and zeroed it
/// before Snappy decoded into it. Refused with next to nothing allocated.
#[test]
fn a_geoparquet_page_claiming_a_gigabyte_is_refused_without_reserving_it() {
    let _alone = alone();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz/geoparquet-page-size-oom.parquet");
    for name in ["page-size-oom", "page-size-unsaid"] {
        let path = path.with_file_name(format!("geoparquet-{name}.parquet"));
        let (read, peak) = peak_of(|| frontline::import::read_places(&path));
        let err = read.unwrap_err().to_string();
        assert!(
            err.contains("more than Snappy can expand to"),
            "{name}: {err}"
        );
        assert!(peak < 1 << 20, "{name}: {peak} bytes at the peak");
    }
}
