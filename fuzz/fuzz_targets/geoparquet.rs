//! A GeoParquet file read as places and as zones.
#![no_main]

use frontline::import::{self, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: frontline::formats::hush_caught_panics(),
    |data: &[u8]| {
    let path = frontline_fuzz::scratch("f.parquet", data);
    if let Ok(places) = import::read_places(&path) {
        frontline_fuzz::check_places(&places);
    }
    if let Ok(import) = import::read_zones(&path, Some(&Source::DeepState)) {
        frontline_fuzz::check_import(&import);
    }
}
);
