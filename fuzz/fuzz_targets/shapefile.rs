//! A Shapefile with its `.shx`, `.dbf` and `.prj`, read as places.
//!
//! The input is one container: three u32 little-endian lengths (of the `.shp`,
//! `.shx` and `.dbf`), then those files' bytes, then the rest as the `.prj`
//! (none when empty). Lengths past the end are cut to what is there, so that any
//! input is some set of files.
#![no_main]

use frontline::import;
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: frontline::formats::hush_caught_panics(),
    |data: &[u8]| {
    let Some((head, mut rest)) = data.split_at_checked(12) else {
        return;
    };
    let mut part = |i: usize| {
        let n = u32::from_le_bytes([
            head[4 * i],
            head[4 * i + 1],
            head[4 * i + 2],
            head[4 * i + 3],
        ]);
        let (p, r) = rest.split_at((n as usize).min(rest.len()));
        rest = r;
        p
    };
    let (shp, shx, dbf) = (part(0), part(1), part(2));
    let path = frontline_fuzz::scratch("f.shp", shp);
    frontline_fuzz::scratch("f.shx", shx);
    frontline_fuzz::scratch("f.dbf", dbf);
    if rest.is_empty() {
        frontline_fuzz::unscratch("f.prj");
    } else {
        frontline_fuzz::scratch("f.prj", rest);
    }
    if let Ok(places) = import::read_places(&path) {
        frontline_fuzz::check_places(&places);
    }
}
);
