//! `export::Aoi::from_bbox`: `W,S,E,N`, as `--bbox` takes it.
#![no_main]

use geo::BoundingRect;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(aoi) = frontline::export::Aoi::from_bbox(text) {
        let r = aoi
            .area()
            .bounding_rect()
            .expect("a box has a bounding rectangle");
        assert!(r.min().x < r.max().x && r.min().y < r.max().y, "{text:?}");
        assert!(r.min().x >= -180.0 && r.max().x <= 180.0, "{text:?}");
        assert!(r.min().y >= -90.0 && r.max().y <= 90.0, "{text:?}");
    }
});
