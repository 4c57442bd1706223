//! The bundled samples (data/) against the independent Python reference: runs
//! everywhere, real data or not.

mod common;

use common::{assert_km2, reference, repo};
use frontline::{GeodesicAreaKm2, Status, import};

#[test]
fn sample_shares_and_totals_match_the_reference() {
    let reference = reference();
    let samples = &reference["samples"];
    let data = repo().join("data");
    let region = import::read_places(data.join("region.geojson")).unwrap();
    let towns = import::read_places(data.join("city.geojson")).unwrap();
    for entry in samples["shares"].as_array().unwrap() {
        let file = entry["file"].as_str().unwrap();
        let snapshot = import::read_zones(data.join(file), None).unwrap().snapshot;
        for expected in entry["regions"].as_array().unwrap() {
            let name = expected["name"].as_str().unwrap();
            let place = region
                .iter()
                .chain(towns.iter())
                .find(|p| p.matches(name))
                .unwrap();
            let share = snapshot.share(place).unwrap();
            assert_km2(
                share.area_km2,
                expected["area_km2"].as_f64().unwrap(),
                0.0,
                name,
            );
            for s in ["occupied", "contested", "liberated", "other", "unmarked"] {
                let km2 = if s == "unmarked" {
                    share.unmarked.km2
                } else {
                    share.km2(&Status::new(s))
                };
                let want = expected["status"][s]["km2"].as_f64().unwrap();
                assert_km2(km2, want, 1e-6, &format!("{file} {name} {s}"));
            }
        }
    }
    for expected in samples["totals"].as_array().unwrap() {
        let file = expected["file"].as_str().unwrap();
        let import = import::read_zones(data.join(file), None).unwrap();
        assert!(import.report.unclassified.is_empty() && import.report.warnings.is_empty());
        for (status, km2) in import.snapshot.totals() {
            let want = expected["km2"][status.as_str()].as_f64().unwrap();
            assert_km2(km2, want, 1e-6, &format!("{file} {status} total"));
        }
    }
    for (file, areas) in samples["areas"].as_object().unwrap() {
        for place in &import::read_places(data.join(file)).unwrap() {
            let want = areas[place.name().unwrap()].as_f64().unwrap();
            assert_km2(place.area().unwrap().geodesic_area_km2(), want, 0.0, file);
        }
    }
}
