//! `proximity::parse_distance`: a distance with its unit.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(metres) = frontline::proximity::parse_distance(text) {
        assert!(
            metres.is_finite() && metres >= 0.0,
            "{text:?} gave {metres}"
        );
    }
});
