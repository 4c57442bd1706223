//! The timeline: loading many snapshots, bad input among them, look-ups, series
//! and diffs, checked against the independent Python reference
//! (tests/reference/reference.json) where they overlap.

mod common;

use common::{reference, shared_data};

use std::path::{Path, PathBuf};

use frontline::timeline::{self, Issue, LoadOptions, Timeline, diff, load_series};
use frontline::{Share, Snapshot, Status, import};
use serde_json::Value;

const SAMPLES: &str = "data/snapshots";
const JUNE: &str = "data/snapshots/deepstate_20250601.geojson";
const AUGUST: &str = "data/snapshots/deepstate_20250801.geojson";

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= (rel * a.abs().max(b.abs())).max(1e-6)
}

/// A sample snapshot's JSON, to write variants of it.
fn sample_json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path
}

#[test]
fn loads_sorted_and_answers_as_of_and_ranges() {
    let t = Timeline::load(&[AUGUST, JUNE], &LoadOptions::default()).unwrap();
    assert_eq!(t.len(), 2);
    assert!(t.issues().is_empty());
    let dates: Vec<String> = t.iter().map(|e| e.date.format("%F").to_string()).collect();
    assert_eq!(dates, ["2025-06-01", "2025-08-01"]);
    // Exactly at a snapshot's time, between two, after the last, before the first.
    let june = t.entries()[0].date;
    assert_eq!(t.as_of(june).unwrap().date, june);
    assert!(t.as_of(june - chrono::Duration::seconds(1)).is_err());
    let mid = timeline::parse_date("2025-07-31", true).unwrap();
    assert_eq!(t.as_of(mid).unwrap().date, june);
    let late = timeline::parse_date("2031-01-01", false).unwrap();
    assert_eq!(t.as_of(late).unwrap().path, Path::new(AUGUST));
    let err = t
        .as_of_day("2025-05-31".parse().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("before the first snapshot"), "{err}");
    // Ranges: both, open ends, empty, reversed.
    let d = |s: &str, end| timeline::parse_date(s, end).unwrap();
    assert_eq!(t.range(None, None).unwrap().len(), 2);
    assert_eq!(
        t.range(Some(d("2025-06-01", false)), Some(d("2025-06-01", true)))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        t.range(Some(d("2025-06-02", false)), Some(d("2025-07-31", true)))
            .unwrap()
            .len(),
        0
    );
    assert_eq!(t.range(None, Some(d("2020-01-01", true))).unwrap().len(), 0);
    assert!(
        t.range(Some(d("2025-08-01", false)), Some(d("2025-06-01", false)))
            .is_err()
    );
}

#[test]
fn directories_and_globs_find_the_same_files() {
    let by_dir = timeline::snapshot_files(&[SAMPLES]).unwrap();
    let by_glob = timeline::snapshot_files(&["data/snapshots/deepstate_2025*.geojson"]).unwrap();
    assert_eq!(by_dir, by_glob);
    assert_eq!(by_dir.len(), 2);
    let err = timeline::snapshot_files(&["data/snapshots/missing.geojson"]).unwrap_err();
    assert!(err.to_string().contains("missing.geojson"), "{err}");
}

#[test]
fn a_malformed_file_is_reported_and_skipped_or_fatal_when_strict() {
    let dir = tempfile::tempdir().unwrap();
    for p in [JUNE, AUGUST] {
        std::fs::copy(p, dir.path().join(Path::new(p).file_name().unwrap())).unwrap();
    }
    let broken = dir.path().join("deepstate_20250701.geojson");
    std::fs::write(&broken, "{\"type\": \"FeatureCollection\", \"features\": [").unwrap();
    let t = Timeline::load(&[dir.path()], &LoadOptions::default()).unwrap();
    assert_eq!(t.len(), 2);
    match t.issues() {
        [Issue::Unreadable { path, error }] => {
            assert_eq!(path, &broken);
            assert!(error.contains("deepstate_20250701.geojson"), "{error}");
        }
        other => panic!("expected one unreadable file, got {other:?}"),
    }
    let err = Timeline::load(&[dir.path()], &LoadOptions::default().strict(true)).unwrap_err();
    assert!(
        err.to_string().contains("deepstate_20250701.geojson"),
        "{err}"
    );
}

#[test]
fn a_file_without_a_date_is_named() {
    let dir = tempfile::tempdir().unwrap();
    // The map without its envelope, under a name with no date in it.
    let undated = write(dir.path(), "zones.geojson", &sample_json(JUNE)["map"]);
    let t = Timeline::load(&[Path::new(AUGUST), &undated], &LoadOptions::default()).unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(
        t.issues(),
        &[Issue::Undated {
            path: undated.clone()
        }]
    );
    assert!(t.issues()[0].to_string().contains("no date"));
    let err = Timeline::load(&[&undated], &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no usable snapshot") && err.contains("zones.geojson"),
        "{err}"
    );
    let strict = LoadOptions::default().strict(true);
    let err = Timeline::load(&[Path::new(AUGUST), &undated], &strict).unwrap_err();
    assert!(err.to_string().contains("zones.geojson"), "{err}");
}

#[test]
fn same_date_duplicates_tell_same_from_different_content() {
    let dir = tempfile::tempdir().unwrap();
    let june = sample_json(JUNE);
    let a = write(dir.path(), "a.geojson", &june);
    let b = write(dir.path(), "b.geojson", &june);
    let mut changed = june.clone();
    let features = changed["map"]["features"].as_array_mut().unwrap();
    let polygon = features
        .iter()
        .position(|f| f["geometry"]["type"] == "Polygon")
        .unwrap();
    features.remove(polygon);
    let c = write(dir.path(), "c.geojson", &changed);

    let t = Timeline::load(&[&a, &b], &LoadOptions::default()).unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t.entries()[0].path, a);
    match t.issues() {
        [
            Issue::Duplicate {
                kept,
                dropped,
                same_content: true,
                ..
            },
        ] => {
            assert_eq!((kept, dropped), (&a, &b));
        }
        other => panic!("expected a same-content duplicate, got {other:?}"),
    }
    let t = Timeline::load(&[&a, &c], &LoadOptions::default()).unwrap();
    assert!(
        matches!(
            t.issues(),
            [Issue::Duplicate {
                same_content: false,
                ..
            }]
        ),
        "{:?}",
        t.issues()
    );
    assert!(t.issues()[0].to_string().contains("DIFFERENT"));
    let strict = LoadOptions::default().strict(true);
    assert!(Timeline::load(&[&a, &b], &strict).is_ok());
    let err = Timeline::load(&[&a, &c], &strict).unwrap_err();
    assert!(err.to_string().contains("c.geojson"), "{err}");
}

/// A load within a box keeps only the zones that reach into it, and tells
/// duplicates as a whole load does, from files and from a store alike.
#[test]
fn a_load_within_a_box_keeps_what_reaches_into_it() {
    let towns = import::read_places("data/city.geojson").unwrap();
    let city = towns.find("Demo City").unwrap();
    let cut = frontline::measure::Regions::new(&city).unwrap().cut_box();
    let within = LoadOptions::default().within(cut);
    let whole = Timeline::load(&[SAMPLES], &LoadOptions::default()).unwrap();
    let near = Timeline::load(&[SAMPLES], &within).unwrap();
    assert_eq!(near.len(), whole.len());
    for (a, b) in whole.iter().zip(&near) {
        assert!(b.value.zones().len() < a.value.zones().len());
        assert_eq!(
            b.report.outside
                + b.report.zones.values().sum::<usize>()
                + b.report.markers
                + b.report.ignored.len()
                + b.report.unclassified.len(),
            a.report.features
        );
        let (x, y) = (
            a.value.share(city[0]).unwrap(),
            b.value.share(city[0]).unwrap(),
        );
        for status in [Status::OCCUPIED, Status::CONTESTED] {
            assert!(close(x.km2(&status), y.km2(&status), 1e-12), "{status}");
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let june = write(dir.path(), "a.geojson", &sample_json(JUNE));
    let again = write(dir.path(), "b.geojson", &sample_json(JUNE));
    let stored = dir.path().join("june.fls");
    let one = Timeline::load(&[&june], &LoadOptions::default()).unwrap();
    timeline::store::write(&one, &stored).unwrap();
    for inputs in [[&june, &again], [&stored, &again]] {
        let t = Timeline::load(&inputs, &within).unwrap();
        assert!(
            matches!(
                t.issues(),
                [Issue::Duplicate {
                    same_content: true,
                    ..
                }]
            ),
            "{inputs:?}: {:?}",
            t.issues()
        );
    }
}

/// A snapshot whose polygons need repair reads the same twice: the repair's
/// output is canonical, so the fingerprint (and the duplicate check) is stable.
#[test]
fn repaired_snapshots_read_the_same_every_time() {
    let Some(data) = shared_data("timeline") else {
        return;
    };
    let path = data.join("deepstate/raw-weekly/1649005166.geojson.gz");
    let first = import::read_zones(&path, None).unwrap();
    assert!(!first.report.warnings.is_empty(), "this file has repairs");
    for _ in 0..3 {
        let again = import::read_zones(&path, None).unwrap();
        assert_eq!(again.snapshot.zones(), first.snapshot.zones());
        assert_eq!(
            timeline::fingerprint(&again.snapshot),
            timeline::fingerprint(&first.snapshot)
        );
    }
}

#[test]
fn series_of_the_samples_matches_the_reference() {
    let r = reference();
    let towns = import::read_places("data/city.geojson").unwrap();
    let region = import::read_places("data/region.geojson").unwrap();
    let places: Vec<_> = region.iter().chain(towns.iter()).collect();
    let s = load_series(&[SAMPLES], &places, &LoadOptions::default()).unwrap();
    let expected = r["samples"]["shares"].as_array().unwrap();
    assert_eq!(s.len(), expected.len());
    let mut checked = 0;
    for (entry, exp) in s.iter().zip(expected) {
        assert!(entry.path.ends_with(exp["file"].as_str().unwrap()));
        for exp_region in exp["regions"].as_array().unwrap() {
            let name = exp_region["name"].as_str().unwrap();
            let share: &Share = entry.value.iter().find(|sh| sh.region == name).unwrap();
            for (status, amount) in exp_region["status"].as_object().unwrap() {
                let want = amount["km2"].as_f64().unwrap();
                let got = if status == "unmarked" {
                    share.unmarked.km2
                } else {
                    share.km2(&Status::new(status))
                };
                assert!(close(got, want, 5e-4), "{name} {status}: {got} vs {want}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 30);
    // A loaded timeline gives the same series as the streaming load.
    let t = Timeline::load(&[SAMPLES], &LoadOptions::default()).unwrap();
    let again = timeline::series(&t, &places).unwrap();
    for (a, b) in again.iter().zip(&s) {
        assert_eq!(a.value, b.value);
    }
    let mut csv = Vec::new();
    timeline::write_series_csv(&s, &mut csv).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap().lines().count(),
        1 + 2 * places.len()
    );
}

#[test]
fn diff_of_the_samples_is_consistent_with_both_totals() {
    let june = import::read_zones(JUNE, None).unwrap().snapshot;
    let august = import::read_zones(AUGUST, None).unwrap().snapshot;
    let d = diff(&june, &august, None).unwrap();
    assert!((d.days - 61.0).abs() < 1.0, "{}", d.days);
    let totals = |s: &Snapshot| s.totals();
    for (status, before) in totals(&june) {
        let after = august.layer(&status).map_or(0.0, |l| l.area_km2());
        // Only what both snapshots draw is compared (the samples draw no `other`).
        let Some(c) = d.change(&status) else {
            assert!(before == 0.0 && after == 0.0, "{status} left out");
            continue;
        };
        assert!(close(c.before_km2, before, 1e-9) && close(c.after_km2, after, 1e-9));
        // Gained minus lost is the change of total, up to the boolean operations' rounding.
        assert!(
            (c.net_km2 - (after - before)).abs() < 1e-3,
            "{status}: {c:?}"
        );
        assert!(c.gained_km2 >= 0.0 && c.lost_km2 >= 0.0);
    }
    let occupied = d.change(&Status::OCCUPIED).unwrap();
    assert!(occupied.gained_km2 > 0.0, "the samples' front moves");
    assert!(occupied.km2_per_day.is_some());
    // Same snapshot twice: nothing changes, no rate.
    let same = diff(&june, &june, None).unwrap();
    assert!(
        same.changes
            .iter()
            .all(|c| c.net_km2 == 0.0 && c.km2_per_day.is_none())
    );
    assert!(
        diff(&august, &june, None)
            .unwrap_err()
            .to_string()
            .contains("swap")
    );
    let undated = Snapshot::new(None, Vec::new());
    assert!(diff(&undated, &june, None).is_err());
    let features = d.to_geojson().features;
    assert!(
        features
            .iter()
            .any(|f| f.property("change").and_then(Value::as_str) == Some("gained"))
    );
}

/// All 175 raw weekly snapshots: per-status totals against the reference for every
/// file, and the Donetsk raions' shares for the six files the reference measures.
#[test]
fn raw_weekly_archive_matches_the_reference() {
    let Some(data) = shared_data("timeline") else {
        return;
    };
    let r = reference();
    let raions = import::read_places(data.join("admin/donetsk/raions.geojson")).unwrap();
    let regions: Vec<_> = raions.iter().collect();
    let measured_files: Vec<&str> = r["raw_weekly_raions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    let t = Timeline::load_with(
        &[data.join("deepstate/raw-weekly")],
        &LoadOptions::default().strict(true),
        |s| {
            let name = s.date().map(|d| format!("{}.geojson.gz", d.timestamp()));
            let shares = if name.as_deref().is_some_and(|n| measured_files.contains(&n)) {
                regions
                    .iter()
                    .map(|p| s.share(p))
                    .collect::<frontline::Result<Vec<_>>>()?
            } else {
                Vec::new()
            };
            Ok((s.totals(), shares))
        },
    )
    .unwrap();
    let totals = r["raw_weekly_totals"].as_array().unwrap();
    assert_eq!(t.len(), totals.len());
    assert_eq!(t.len(), 175);
    for (entry, exp) in t.iter().zip(totals) {
        let file = entry.path.file_name().unwrap().to_str().unwrap();
        assert_eq!(file, exp["file"].as_str().unwrap());
        for (status, km2) in &entry.value.0 {
            let want = exp["km2"][status.as_str()].as_f64().unwrap_or(0.0);
            assert!(close(*km2, want, 5e-4), "{file} {status}: {km2} vs {want}");
        }
    }
    let mut checked = 0;
    for exp in r["raw_weekly_raions"].as_array().unwrap() {
        let file = exp["file"].as_str().unwrap();
        let entry = t.iter().find(|e| e.path.ends_with(file)).unwrap();
        for exp_region in exp["regions"].as_array().unwrap() {
            let name = exp_region["name"].as_str().unwrap();
            let share = entry
                .value
                .1
                .iter()
                .find(|s| raions.find(name).unwrap()[0].label() == s.region)
                .unwrap();
            for status in ["occupied", "contested"] {
                let want = exp_region["status"][status]["km2"].as_f64().unwrap();
                let got = share.km2(&Status::new(status));
                assert!(
                    (got - want).abs() <= (5e-4 * want).max(1e-3),
                    "{file} {name} {status}: {got} vs {want}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 6 * 8 * 2);
    // as_of between weekly snapshots gives the earlier one.
    let day = t.as_of_day("2024-03-05".parse().unwrap()).unwrap();
    assert!(day.date.format("%F").to_string().as_str() <= "2024-03-05");
    assert!(t.as_of_day("2022-01-01".parse().unwrap()).is_err());
}

/// A series carries a region's figures over from the snapshot before where its
/// layers did not change near it: through the whole load (runs of consecutive
/// snapshots, in parallel), the tables are those of each snapshot measured on
/// its own, to the bit. Donetsk's hromadas over 40 raw daily snapshots, on one
/// thread and on the default pool.
/// Every hromada of Ukraine over consecutive raw-daily days, where the layers'
/// rings appear, go and change where they start from one day to the next: the
/// tables of a series, most figures carried over from the day before, are each
/// day's own, measured afresh, to the bit. `FRONTLINE_CARRY_DAYS` sets how many
/// days (24 by default; all 702 were checked once, docs/performance.md).
#[test]
fn carried_figures_of_every_hromada_are_each_days_own() {
    let Some(data) = shared_data("carried_figures_of_every_hromada_are_each_days_own") else {
        return;
    };
    let days: usize = std::env::var("FRONTLINE_CARRY_DAYS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(24);
    let places = import::read_places(data.join("admin/ukraine_hromadas.geojson.gz")).unwrap();
    let refs: Vec<&frontline::Place> = places.iter().collect();
    let carrying = frontline::measure::Regions::new(&refs).unwrap();
    let fresh = frontline::measure::Regions::new(&refs).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(data.join("deepstate/raw-daily"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.truncate(days);
    let series = timeline::load_share_tables(&files, &carrying, &LoadOptions::default()).unwrap();
    assert_eq!(series.entries().len(), files.len());
    for entry in series.entries() {
        let snapshot = import::read_zones(&entry.path, None).unwrap().snapshot;
        let alone = fresh.table(&snapshot).unwrap();
        assert_eq!(
            format!("{:?}", entry.value),
            format!("{alone:?}"),
            "{}",
            entry.path.display()
        );
    }
}

#[test]
fn series_tables_are_each_snapshots_own() {
    let Some(data) = shared_data("series_tables_are_each_snapshots_own") else {
        return;
    };
    let places = import::read_places(data.join("admin/donetsk/hromadas.geojson")).unwrap();
    let refs: Vec<&frontline::Place> = places.iter().collect();
    let regions = frontline::measure::Regions::new(&refs).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(data.join("deepstate/raw-daily"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("_2025"))
        .collect();
    files.sort();
    files.truncate(40);
    let options = LoadOptions::default();
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let serial =
        one_thread.install(|| timeline::load_share_tables(&files, &regions, &options).unwrap());
    let parallel = timeline::load_share_tables(&files, &regions, &options).unwrap();
    assert_eq!(serial.entries().len(), files.len());
    for (a, b) in serial.entries().iter().zip(parallel.entries()) {
        let snapshot = import::read_zones(&a.path, None).unwrap().snapshot;
        let fresh = frontline::measure::Regions::new(&refs)
            .unwrap()
            .table(&snapshot)
            .unwrap();
        assert_eq!(
            format!("{:?}", a.value),
            format!("{fresh:?}"),
            "{}",
            a.path.display()
        );
        assert_eq!(
            format!("{:?}", b.value),
            format!("{fresh:?}"),
            "{}",
            b.path.display()
        );
    }
}
