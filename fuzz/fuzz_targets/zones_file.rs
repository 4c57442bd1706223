//! `import::read_zones` on a file: gzip (one member in one call, several or
//! damaged ones streamed), then GeoJSON; also `read_zones_in` with a box.
#![no_main]

use frontline::import::{self, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: frontline::formats::hush_caught_panics(),
    |data: &[u8]| {
    let path = frontline_fuzz::scratch("1754251105.geojson.gz", data);
    if let Ok(import) = import::read_zones(&path, None) {
        frontline_fuzz::check_import(&import);
    }
    let bbox = [37.0, 47.5, 38.5, 49.0];
    if let Ok(import) = import::read_zones_in(&path, None, bbox, &ReadOptions::default()) {
        frontline_fuzz::check_import(&import);
    }
}
);
