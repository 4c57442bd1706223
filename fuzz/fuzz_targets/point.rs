//! `proximity::parse_point`: `LON,LAT`, as `frontline status --at` takes it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = frontline::proximity::parse_point(text) {
        assert!(
            frontline::proximity::check_point(p).is_ok(),
            "{text:?} gave {p:?}"
        );
    }
});
