//! Dates: `timeline::parse_date` (`--from`/`--to`) and
//! `import::date_from_file_name` (a snapshot's date from its name).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let (Ok(start), Ok(end)) = (
        frontline::timeline::parse_date(text, false),
        frontline::timeline::parse_date(text, true),
    ) {
        assert!(
            start <= end,
            "{text:?}: the day's first instant after its last"
        );
    }
    let _ = frontline::import::date_from_file_name(text);
    let _ = frontline::import::date_from_file_name(format!("archive/{text}.geojson"));
});
