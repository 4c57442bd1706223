//! The compact store (`timeline::store`): opened, every snapshot decoded, and the
//! latest one looked up.
#![no_main]

use frontline::timeline::store::Store;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = frontline_fuzz::scratch("f.fls", data);
    let Ok(store) = Store::open(&path) else {
        return;
    };
    assert_eq!(store.dates().len(), store.len());
    for i in 0..store.len() {
        if let Ok(entry) = store.entry(i) {
            for zone in entry.value.zones() {
                use geo::CoordsIter;
                assert!(
                    zone.geometry
                        .coords_iter()
                        .all(|c| c.x.is_finite() && c.y.is_finite())
                );
            }
        }
    }
    let _ = store.as_of(None);
});
