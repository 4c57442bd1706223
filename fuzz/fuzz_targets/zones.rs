//! `import::parse_zones` on GeoJSON text, its kind told from the content (a
//! generic file, an occupied-only archive file, a DeepState snapshot).
#![no_main]

use frontline::Status;
use frontline::import::{self, Source, StatusMapping};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: frontline::formats::hush_caught_panics(),
    |data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(import) = import::parse_zones(text, "zones.geojson", None) {
        frontline_fuzz::check_import(&import);
    }
    // The same text as a generic file with its status in `control`.
    let mapping = StatusMapping::new("control").map("RU", Status::OCCUPIED);
    if let Ok(import) = import::parse_zones(text, "zones.geojson", Some(&Source::Generic(mapping)))
    {
        frontline_fuzz::check_import(&import);
    }
}
);
