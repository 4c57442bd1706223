//! Shared parts of frontline's fuzz targets: scratch files for the readers that
//! take a path, and the invariants every successful read must keep (beyond not
//! panicking): coordinates finite and in longitude/latitude range, and every
//! feature of a zone file accounted for in the import report.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use frontline::import::Import;
use frontline::{PlaceGeometry, Places};

/// A directory of this process's own for scratch files, created on first use.
/// libFuzzer ends the process with `exit`, so it is not removed: each run leaves
/// one directory of a few KB, `frontline-fuzz-<pid>`, in the temp directory.
fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("frontline-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("cannot create the fuzz scratch directory");
        dir
    })
}

/// Writes `bytes` to the scratch file `name` (overwritten each time) and returns
/// its path.
pub fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch_dir().join(name);
    std::fs::write(&path, bytes).expect("cannot write a fuzz scratch file");
    path
}

/// Removes the scratch file `name` if it is there (a sibling the next input may
/// not have).
pub fn unscratch(name: &str) {
    let _ = std::fs::remove_file(scratch_dir().join(name));
}

/// Whether a coordinate is a finite longitude/latitude.
fn in_range(c: geo::Coord<f64>) -> bool {
    c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0
}

fn check_area(area: &geo::MultiPolygon<f64>, what: &str) {
    use geo::CoordsIter;
    assert!(
        area.coords_iter().all(in_range),
        "{what}: a coordinate out of longitude/latitude range came through"
    );
}

/// What must hold of any zone import that succeeded.
pub fn check_import(import: &Import) {
    let r = &import.report;
    let used: usize = r.zones.values().sum::<usize>()
        + r.markers
        + r.outside
        + r.ignored.len()
        + r.unclassified.len();
    assert_eq!(
        used, r.features,
        "every feature is a zone, a marker, outside, ignored or unclassified"
    );
    let zones = import.snapshot.zones();
    assert_eq!(zones.len(), r.zones.values().sum::<usize>());
    for zone in zones {
        check_area(&zone.geometry, "zone");
    }
    for marker in import.snapshot.markers() {
        assert!(in_range(marker.point.0), "marker out of range");
    }
}

/// What must hold of any place read that succeeded.
pub fn check_places(places: &Places) {
    assert!(!places.is_empty(), "a place file with no place is an error");
    for place in places.iter() {
        match &place.geometry {
            PlaceGeometry::Area(area) => check_area(area, "place"),
            PlaceGeometry::Point(p) => assert!(in_range(p.0), "place point out of range"),
        }
    }
}
