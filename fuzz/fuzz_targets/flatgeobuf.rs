//! A FlatGeobuf file read whole (as places and as zones) and through its spatial
//! index (`read_places_in`).
#![no_main]

use frontline::import::{self, ReadOptions, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: frontline::formats::hush_caught_panics(),
    |data: &[u8]| {
    let path = frontline_fuzz::scratch("f.fgb", data);
    if let Ok(places) = import::read_places(&path) {
        frontline_fuzz::check_places(&places);
    }
    let bbox = [37.0, 47.5, 38.5, 49.0];
    if let Ok(places) = import::read_places_in(&path, bbox, &ReadOptions::default()) {
        frontline_fuzz::check_places(&places);
    }
    if let Ok(import) = import::read_zones(&path, Some(&Source::DeepState)) {
        frontline_fuzz::check_import(&import);
    }
}
);
