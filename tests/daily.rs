//! Today's DeepState data: the raw daily archive (2024-09-16 to 2026-08-22, English
//! names only, named like occupied-only files), its kind told by content, its
//! dates, occupied since 2014 / since 2022, and its figures against the
//! independent reference (tests/reference/daily_reference.py, committed with its
//! output). Skipped, with a notice, when ../shared/data is absent.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{assert_km2, frontline, repo, shared_data};
use frontline::import::{self, Source};
use frontline::timeline::{LoadOptions, load_series};
use frontline::{Occupation, Status};
use rayon::prelude::*;
use serde_json::Value;

fn daily_reference() -> Value {
    let text = std::fs::read_to_string(repo().join("tests/reference/daily_reference.json"))
        .expect("tests/reference/daily_reference.json is committed");
    serde_json::from_str(&text).expect("daily_reference.json parses")
}

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_str().is_some_and(|s| s.ends_with(suffix)))
        .collect();
    v.sort();
    v
}

fn f(v: &Value) -> f64 {
    v.as_f64().expect("a number in daily_reference.json")
}

/// All 702 files: DeepState by content whatever their name, dated by it, with no
/// unclassified polygon, the same count per status as the reference, and the
/// occupied ground split (they all draw Crimea and "CADR and CALR").
#[test]
fn every_raw_daily_file_classifies_fully() {
    let Some(data) = shared_data("every_raw_daily_file_classifies_fully") else {
        return;
    };
    let reference = daily_reference();
    let expected: BTreeMap<&str, &Value> = reference["raw_daily_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["file"].as_str().unwrap(), &e["polygons"]))
        .collect();
    let paths = files(&data.join("deepstate/raw-daily"), "_polygons.geojson.gz");
    assert_eq!(paths.len(), 702);
    assert_eq!(expected.len(), 702, "one reference entry per file");
    paths.par_iter().for_each(|path| {
        let name = path.file_name().unwrap().to_str().unwrap();
        let import = import::read_zones(path, None).unwrap();
        let r = &import.report;
        assert_eq!(import.source, Source::DeepState, "{name}");
        assert!(r.unclassified.is_empty(), "{r}");
        assert!(r.notices.is_empty(), "{name}: {:?}", r.notices);
        let day = &name["deepstatemap_data_".len()..][..8];
        let date = import.snapshot.date().expect("dated by its name");
        assert_eq!(date.format("%Y%m%d").to_string(), day, "{name}");
        assert!(import.snapshot.splits_occupation(), "{name}");
        let exp = expected[name];
        for s in ["occupied", "contested", "liberated", "other"] {
            let count = r.zones.get(&Status::new(s)).copied().unwrap_or(0) as u64;
            assert_eq!(Some(count), exp[s].as_u64().or(Some(0)), "{name} {s}");
        }
        assert!(
            exp.get("unclassified").is_none(),
            "{name}: the reference agrees"
        );
    });
}

/// Donetsk oblast's occupied km², read from the raw daily file and from the
/// occupied-only file of the same day, agree within 0.5 % on every day both
/// archives have.
#[test]
fn raw_daily_and_occupied_daily_agree_on_donetsk() {
    let Some(data) = shared_data("raw_daily_and_occupied_daily_agree_on_donetsk") else {
        return;
    };
    let oblast = import::read_places(data.join("admin/donetsk/oblast.geojson")).unwrap();
    let regions: Vec<_> = oblast.iter().collect();
    let by_day = |dir: &str| -> BTreeMap<String, f64> {
        let series = load_series(
            &[data.join("deepstate").join(dir)],
            &regions,
            &LoadOptions::default(),
        )
        .unwrap();
        series
            .iter()
            .map(|e| {
                let day = e.date.format("%Y-%m-%d").to_string();
                (day, e.value[0].km2(&Status::OCCUPIED))
            })
            .collect()
    };
    let raw = by_day("raw-daily");
    let occupied = by_day("occupied-daily");
    assert_eq!(raw.len(), 702);
    let mut common = 0;
    let mut worst = (String::new(), 0.0_f64, 0.0, 0.0);
    for (day, r) in &raw {
        let Some(o) = occupied.get(day) else { continue };
        common += 1;
        let diff = (r - o).abs() / o;
        if diff > worst.1 {
            worst = (day.clone(), diff, *r, *o);
        }
    }
    eprintln!(
        "raw-daily vs occupied-daily, Donetsk oblast occupied, {common} common days: largest \
         difference {:.4} % on {} ({:.2} km² raw, {:.2} km² occupied-only)",
        worst.1 * 100.0,
        worst.0,
        worst.2,
        worst.3
    );
    assert!(common >= 690, "{common} common days");
    assert!(worst.1 <= 0.005, "{worst:?}");
}

/// The shares of Donetsk oblast and its raions on chosen days, with occupied's
/// parts, against the reference.
#[test]
fn donetsk_shares_with_the_split_match_the_reference() {
    let Some(data) = shared_data("donetsk_shares_with_the_split_match_the_reference") else {
        return;
    };
    let reference = daily_reference();
    let oblast = import::read_places(data.join("admin/donetsk/oblast.geojson")).unwrap();
    let raions = import::read_places(data.join("admin/donetsk/raions.geojson")).unwrap();
    let places: Vec<_> = oblast.iter().chain(raions.iter()).collect();
    for day in reference["donetsk"].as_array().unwrap() {
        let file = day["file"].as_str().unwrap();
        let snapshot = import::read_zones(data.join("deepstate/raw-daily").join(file), None)
            .unwrap()
            .snapshot;
        for exp in day["regions"].as_array().unwrap() {
            let name = exp["name"].as_str().unwrap();
            let place = places
                .iter()
                .find(|p| p.label() == name)
                .unwrap_or_else(|| panic!("{name}"));
            let share = snapshot.share(place).unwrap();
            let area = f(&exp["area_km2"]);
            assert_km2(share.area_km2, area, 0.0, &format!("{file} {name} area"));
            let split = share
                .occupied_split
                .expect("raw daily files split occupied");
            let parts = split.since_2014.km2 + split.since_2022.km2;
            assert!((parts - share.km2(&Status::OCCUPIED)).abs() < 1e-9);
            for s in [
                "occupied",
                "occupied_since_2014",
                "occupied_since_2022",
                "contested",
                "liberated",
                "other",
            ] {
                let e = &exp["status"][s];
                let got = share.get(&Status::new(s));
                let what = format!("{file} {name} {s}");
                assert_km2(got.km2, f(&e["km2"]), area * 1e-6, &what);
            }
        }
    }
}

/// The README's seed: Pokrovsk's grey zone and occupied share on every day of
/// October and November 2025.
#[test]
fn pokrovsk_in_october_and_november_2025_matches_the_reference() {
    let Some(data) = shared_data("pokrovsk_in_october_and_november_2025_matches_the_reference")
    else {
        return;
    };
    let reference = daily_reference();
    let towns = import::read_places(data.join("admin/donetsk/towns.geojson")).unwrap();
    let pokrovsk = towns.find("Pokrovsk").unwrap();
    let inputs: Vec<PathBuf> = reference["pokrovsk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            data.join("deepstate/raw-daily")
                .join(e["file"].as_str().unwrap())
        })
        .collect();
    let series = load_series(&inputs, &pokrovsk, &LoadOptions::default()).unwrap();
    assert_eq!(series.len(), inputs.len());
    for (e, exp) in series.iter().zip(reference["pokrovsk"].as_array().unwrap()) {
        let share = &e.value[0];
        for s in ["occupied", "contested"] {
            let what = format!("{} Pokrovsk {s}", e.path.display());
            let km2 = f(&exp["status"][s]["km2"]);
            assert_km2(share.km2(&Status::new(s)), km2, 1e-4, &what);
        }
    }
}

/// No renamed copy of a shared file is taken for the wrong kind: the content
/// decides, and a name that says otherwise is noticed.
#[test]
fn renamed_copies_keep_their_kind_and_are_noticed() {
    let Some(data) = shared_data("renamed_copies_keep_their_kind_and_are_noticed") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let raw = data.join("deepstate/raw-daily/deepstatemap_data_20251027_polygons.geojson.gz");
    let occ = data.join("deepstate/occupied-daily/deepstatemap_data_20251027.geojson");
    let weekly = data.join("deepstate/raw-weekly/1754251105.geojson.gz");
    // (file, copied as, its kind, whether the new name suggests another kind)
    let cases = [
        (
            &raw,
            "deepstatemap_data_20251027.geojson.gz",
            Source::DeepState,
            true,
        ),
        (&raw, "1761523200.geojson.gz", Source::DeepState, false),
        (&raw, "zones.geojson.gz", Source::DeepState, false),
        (
            &occ,
            "deepstatemap_data_20251027_polygons.geojson",
            Source::Occupied,
            true,
        ),
        (&occ, "1761523200.geojson", Source::Occupied, true),
        (&occ, "zones.geojson", Source::Occupied, false),
        (
            &weekly,
            "deepstatemap_data_20250803.geojson.gz",
            Source::DeepState,
            true,
        ),
    ];
    for (from, to, kind, misleading) in cases {
        let copy = dir.path().join(to);
        std::fs::copy(from, &copy).unwrap();
        let import = import::read_zones(&copy, None).unwrap();
        assert_eq!(import.source, kind, "{to}");
        let unclassified: Vec<_> = import
            .report
            .unclassified
            .iter()
            .map(|s| s.name.as_deref())
            .collect();
        if import.snapshot.date().is_some() {
            assert!(unclassified.is_empty(), "{to}: {unclassified:?}");
        } else {
            // Undated, Snake Island cannot be told (occupied until 30 June 2022),
            // and says so; everything else is classified.
            assert!(
                unclassified.iter().all(|n| *n == Some("Snake Island")),
                "{to}: {unclassified:?}"
            );
        }
        assert_eq!(
            !import.report.notices.is_empty(),
            misleading,
            "{to}: {:?}",
            import.report.notices
        );
    }
    // The issue's own case, through the CLI: 76.06 %, and no notice at all.
    let o = frontline(&[
        "share",
        raw.to_str().unwrap(),
        "--regions",
        data.join("admin/donetsk/oblast.geojson").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let pct = f(&v[0]["status"]["occupied"]["pct"]);
    assert!((pct - 76.06).abs() < 0.005, "{pct}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("note"), "{stderr}");
}

/// A kind forced against the content: warned, or refused when nothing could be
/// classified.
#[test]
fn a_forced_kind_the_content_contradicts_is_said() {
    let Some(data) = shared_data("a_forced_kind_the_content_contradicts_is_said") else {
        return;
    };
    let raw = data.join("deepstate/raw-daily/deepstatemap_data_20251027_polygons.geojson.gz");
    let occ = data.join("deepstate/occupied-daily/deepstatemap_data_20251027.geojson");
    let forced = import::read_zones(&raw, Some(&Source::Occupied)).unwrap();
    let notice = forced.report.notices.join("\n");
    assert!(notice.contains("counted as occupied"), "{notice}");
    let err = import::read_zones(&occ, Some(&Source::DeepState))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("none of its") && err.contains("--source occupied"),
        "{err}"
    );
    // The CLI says both on stderr.
    let o = frontline(&["share", raw.to_str().unwrap(), "--source", "occupied"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("counted as occupied"), "{stderr}");
    let o = frontline(&["share", occ.to_str().unwrap(), "--source", "deepstate"]);
    assert!(!o.status.success());
}

/// Occupied-only files cannot tell the parts apart: unknown, never zero.
#[test]
fn occupied_only_files_leave_the_split_unknown() {
    let Some(data) = shared_data("occupied_only_files_leave_the_split_unknown") else {
        return;
    };
    let occ = data.join("deepstate/occupied-daily/deepstatemap_data_20251027.geojson");
    let snapshot = import::read_zones(&occ, None).unwrap().snapshot;
    assert!(!snapshot.splits_occupation());
    assert!(snapshot.occupied_part(Occupation::Since2022).is_none());
    let oblast = import::read_places(data.join("admin/donetsk/oblast.geojson")).unwrap();
    let share = snapshot.share(oblast.iter().next().unwrap()).unwrap();
    assert!(share.occupied_split.is_none());
    assert!(share.km2(&Status::OCCUPIED_SINCE_2022).is_nan());
    let totals = snapshot.total_figures();
    assert_eq!(totals[1], (Status::OCCUPIED_SINCE_2014, None));
}

/// An occupied-only file records occupied ground and nothing else: the grey
/// zone and liberated ground are unknown there (`None`, NaN, empty in CSV, `null`
/// in JSON), never a zero that would read as "no grey zone"; a raw file of the
/// same day measures them.
#[test]
fn occupied_only_files_leave_the_grey_zone_unknown() {
    let Some(data) = shared_data("occupied_only_files_leave_the_grey_zone_unknown") else {
        return;
    };
    let occ = data.join("deepstate/occupied-daily/deepstatemap_data_20251027.geojson");
    let raw = data.join("deepstate/raw-daily/deepstatemap_data_20251027_polygons.geojson.gz");
    let oblast_path = data.join("admin/donetsk/oblast.geojson");
    let oblast = import::read_places(&oblast_path).unwrap();
    let place = oblast.iter().next().unwrap();
    let occupied_only = import::read_zones(&occ, None).unwrap().snapshot;
    let share = occupied_only.share(place).unwrap();
    assert!(share.figure(&Status::CONTESTED).is_none());
    assert!(share.km2(&Status::LIBERATED).is_nan());
    assert!(share.figure(&Status::OCCUPIED).is_some());
    let totals = occupied_only.total_figures();
    assert!(totals.contains(&(Status::CONTESTED, None)), "{totals:?}");
    // The raw file of the day has grey zone in the oblast: measured, not zero.
    let raw_share = import::read_zones(&raw, None)
        .unwrap()
        .snapshot
        .share(place)
        .unwrap();
    assert!(raw_share.km2(&Status::CONTESTED) > 100.0);

    let occ_s = occ.to_str().unwrap();
    let regions = oblast_path.to_str().unwrap();
    let out = frontline(&["share", occ_s, "--regions", regions, "--format", "json"]);
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let status = &json[0]["status"];
    assert!(status["occupied"]["km2"].as_f64().unwrap() > 20_000.0);
    for unknown in ["contested", "liberated", "other"] {
        assert!(status[unknown].is_null(), "{unknown}: {status}");
    }
    let out = frontline(&["share", occ_s, "--regions", regions, "--format", "csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let cell = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(cell("contested_km2"), "");
    assert_eq!(cell("liberated_pct"), "");
    assert!(cell("occupied_km2").parse::<f64>().unwrap() > 20_000.0);
    // Totals: contested unknown.
    let out = frontline(&["share", occ_s, "--format", "json"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let contested = json
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["status"] == "contested")
        .unwrap();
    assert!(contested["km2"].is_null(), "{contested}");

    // A history over occupied-only files cannot count days contested.
    let places = data.join("admin/donetsk/places.geojson");
    let out = frontline(&[
        "history",
        occ_s,
        "--places",
        places.to_str().unwrap(),
        "--name",
        "Pokrovsk",
        "--format",
        "csv",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let cell = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(cell("days_contested"), "");
    assert_eq!(cell("first_contested"), "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("record occupied ground only"), "{stderr}");
}

/// `status --at` says since when a point is occupied: 2014 (Donetsk), 2022
/// (Mariupol), `-` where not occupied (Kramatorsk); `unknown` in an
/// occupied-only file, with a note, never either year.
#[test]
fn status_says_since_when_a_point_is_occupied() {
    let Some(data) = shared_data("status_says_since_when_a_point_is_occupied") else {
        return;
    };
    let raw = data.join("deepstate/raw-daily/deepstatemap_data_20251027_polygons.geojson.gz");
    let occ = data.join("deepstate/occupied-daily/deepstatemap_data_20251027.geojson");
    let (donetsk, mariupol, kramatorsk) = (
        "37.80224,48.02300",
        "37.54131,47.09514",
        "37.56779,48.73106",
    );
    let run = |file: &Path| {
        let out = frontline(&[
            "status",
            file.to_str().unwrap(),
            "--at",
            donetsk,
            "--at",
            mariupol,
            "--at",
            kramatorsk,
            "--format",
            "csv",
        ]);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let rows: Vec<String> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').skip(2).collect::<Vec<_>>().join(","))
            .collect();
        (rows, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (rows, _) = run(&raw);
    assert_eq!(rows, ["occupied,2014", "occupied,2022", "unmarked,-"]);
    let (rows, stderr) = run(&occ);
    assert_eq!(rows, ["occupied,", "occupied,", "unmarked,-"]);
    assert!(stderr.contains("is unknown"), "{stderr}");
}
