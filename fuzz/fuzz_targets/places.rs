//! `import::parse_places` on GeoJSON text (points, polygons, overlapping parts).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: frontline::formats::hush_caught_panics(),
    |data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(places) = frontline::import::parse_places(text, "places.geojson") {
        frontline_fuzz::check_places(&places);
    }
}
);
