//! Figures on real data against the independent Python reference
//! (tests/reference/deepstate_reference.py: Shapely + pyproj, committed with its
//! output). Skipped, with a notice, when ../shared/data is absent.

mod common;

use std::collections::HashMap;

use common::{assert_km2, reference, shared_data};
use frontline::import::{self, Source};
use frontline::{GeodesicAreaKm2, Places, Share, Snapshot, Status};
use serde_json::Value;

const STATUSES: [&str; 4] = ["occupied", "contested", "liberated", "other"];

fn f(v: &Value) -> f64 {
    v.as_f64().expect("a number in reference.json")
}

/// Compares shares with a reference `regions` array; regions matched by `name`.
fn check_shares(snapshot: &Snapshot, places: &Places, expected: &Value, what: &str) {
    let by_name: HashMap<&str, &Value> = expected
        .as_array()
        .expect("regions array")
        .iter()
        .map(|r| (r["name"].as_str().expect("name"), r))
        .collect();
    assert_eq!(places.len(), by_name.len(), "{what}: region count");
    for place in places {
        let name = place.name().expect("regions have names");
        let exp = by_name[name];
        let share: Share = snapshot.share(place).expect("a polygon");
        let area = f(&exp["area_km2"]);
        assert_km2(share.area_km2, area, 0.0, &format!("{what} {name} area"));
        // Slivers along a boundary differ between GEOS and i_overlay by square metres.
        let floor = area * 1e-6;
        for s in STATUSES {
            let e = &exp["status"][s];
            assert_km2(
                share.km2(&Status::new(s)),
                f(&e["km2"]),
                floor,
                &format!("{what} {name} {s}"),
            );
        }
        assert_km2(
            share.unmarked.km2,
            f(&exp["status"]["unmarked"]["km2"]),
            floor,
            &format!("{what} {name} unmarked"),
        );
        let pct: f64 = share.statuses.iter().map(|(_, a)| a.pct).sum::<f64>() + share.unmarked.pct;
        assert!(
            (pct - 100.0).abs() <= 0.01,
            "{what} {name}: percentages sum to {pct}"
        );
    }
}

#[test]
fn donetsk_raions_and_oblast_over_raw_weekly_snapshots() {
    let Some(data) = shared_data("donetsk_raions_and_oblast_over_raw_weekly_snapshots") else {
        return;
    };
    let reference = reference();
    let raions = import::read_places(data.join("admin/donetsk/raions.geojson")).unwrap();
    let oblast = import::read_places(data.join("admin/donetsk/oblast.geojson")).unwrap();
    let picked = reference["raw_weekly_raions"].as_array().unwrap();
    assert_eq!(picked.len(), 6);
    for (entry, oblast_entry) in picked
        .iter()
        .zip(reference["raw_weekly_oblast"].as_array().unwrap())
    {
        let file = entry["file"].as_str().unwrap();
        assert_eq!(oblast_entry["file"].as_str(), Some(file));
        let snapshot = import::read_zones(data.join("deepstate/raw-weekly").join(file), None)
            .unwrap()
            .snapshot;
        check_shares(&snapshot, &raions, &entry["regions"], file);
        check_shares(&snapshot, &oblast, &oblast_entry["regions"], file);
    }
}

#[test]
fn donetsk_oblast_and_pokrovsk_over_occupied_daily_files() {
    let Some(data) = shared_data("donetsk_oblast_and_pokrovsk_over_occupied_daily_files") else {
        return;
    };
    let reference = reference();
    let oblast = import::read_places(data.join("admin/donetsk/oblast.geojson")).unwrap();
    let towns = import::read_places(data.join("admin/donetsk/towns.geojson")).unwrap();
    let pokrovsk = towns.find("Pokrovsk").unwrap();
    assert_eq!(pokrovsk.len(), 1);
    let entries = reference["occupied_daily"].as_array().unwrap();
    assert!(entries.len() >= 6);
    for entry in entries {
        let file = entry["file"].as_str().unwrap();
        let import =
            import::read_zones(data.join("deepstate/occupied-daily").join(file), None).unwrap();
        assert_eq!(import.source, Source::Occupied, "{file}");
        let date = import.snapshot.date().unwrap().format("%Y%m%d").to_string();
        assert_eq!(date, entry["date"].as_str().unwrap());
        assert_km2(
            import.snapshot.totals()[0].1,
            f(&entry["occupied_km2"]),
            0.0,
            file,
        );
        for (region, place) in entry["regions"]
            .as_array()
            .unwrap()
            .iter()
            .zip([oblast.iter().next().unwrap(), pokrovsk[0]])
        {
            let share = import.snapshot.share(place).unwrap();
            let area = f(&region["area_km2"]);
            assert_km2(share.area_km2, area, 0.0, file);
            assert_km2(
                share.km2(&Status::OCCUPIED),
                f(&region["occupied"]["km2"]),
                area * 1e-6,
                &format!("{file} {}", share.region),
            );
            assert!((share.pct(&Status::OCCUPIED) - f(&region["occupied"]["pct"])).abs() < 0.01);
        }
    }
}

#[test]
fn every_raw_weekly_snapshot_classifies_fully_and_totals_agree() {
    let Some(data) = shared_data("every_raw_weekly_snapshot_classifies_fully_and_totals_agree")
    else {
        return;
    };
    let reference = reference();
    let expected = reference["raw_weekly_totals"].as_array().unwrap();
    let dir = data.join("deepstate/raw-weekly");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        expected.len(),
        "one reference entry per archive file"
    );
    for (name, exp) in files.iter().zip(expected) {
        let name = name.to_str().unwrap();
        assert_eq!(exp["file"].as_str(), Some(name));
        let import = import::read_zones(dir.join(name), None).unwrap();
        let report = &import.report;
        assert!(report.unclassified.is_empty(), "{report}");
        for s in STATUSES {
            let count = report.zones.get(&Status::new(s)).copied().unwrap_or(0);
            assert_eq!(
                count as u64,
                exp["features"][s].as_u64().unwrap(),
                "{name} {s} features"
            );
        }
        assert_eq!(
            report.markers as u64,
            exp["features"]["markers"].as_u64().unwrap(),
            "{name} markers"
        );
        let totals: HashMap<String, f64> = import
            .snapshot
            .totals()
            .into_iter()
            .map(|(s, k)| (s.to_string(), k))
            .collect();
        for s in STATUSES {
            assert_km2(
                totals[s],
                f(&exp["km2"][s]),
                1e-3,
                &format!("{name} {s} total"),
            );
        }
    }
}

#[test]
fn admin_areas_match_pyproj() {
    let Some(data) = shared_data("admin_areas_match_pyproj") else {
        return;
    };
    let reference = reference();
    for (file, areas) in reference["areas"].as_object().unwrap() {
        let places = import::read_places(data.join("admin").join(file)).unwrap();
        for place in &places {
            let name = place.name().unwrap();
            let area = place.area().unwrap().geodesic_area_km2();
            assert_km2(area, f(&areas[name]), 0.0, &format!("{file} {name}"));
        }
    }
}
