//! A DeepState raw snapshot (`import::parse_zones` with `Source::DeepState`): the
//! 2022 free-text names, the 2024+ machine keys, the raw-daily English names, and
//! the API envelope `{id, datetime, map}`.
#![no_main]

use frontline::import::{self, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: frontline::formats::hush_caught_panics(),
    |data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(import) = import::parse_zones(text, "1754251105.geojson", Some(&Source::DeepState)) {
        frontline_fuzz::check_import(&import);
    }
}
);
