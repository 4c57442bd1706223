//! The compact store through the command line: written from snapshot files, read
//! by `series`, `share` and `diff` with the same numbers as the GeoJSON gives.

mod common;

use std::path::Path;
use std::process::Output;

use common::frontline;

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The CSV of a series without its `file` column (a store names the files it
/// was written from, so that column is the same too; dropped to compare numbers
/// only).
fn numbers(csv: &str) -> Vec<String> {
    csv.lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(1);
            cells.join(",")
        })
        .collect()
}

fn store(inputs: &[&str], out: &Path) {
    let out = out.to_str().unwrap();
    let mut args = vec!["store"];
    args.extend(inputs);
    args.extend(["-o", out]);
    let text = ok(&frontline(&args));
    assert!(text.contains(" snapshot"), "{text}");
}

#[test]
fn series_share_and_diff_read_a_store_like_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let fls = dir.path().join("samples.fls");
    store(&["data/snapshots"], &fls);
    let fls = fls.to_str().unwrap();
    let series = |input: &str| {
        ok(&frontline(&[
            "series",
            input,
            "--regions",
            "data/city.geojson",
        ]))
    };
    let (json, stored) = (series("data/snapshots"), series(fls));
    assert_eq!(json.lines().count(), 5);
    assert_eq!(numbers(&json), numbers(&stored));
    // One snapshot out of the store: the latest, or as of a day.
    let share = |zones: &str| {
        ok(&frontline(&[
            "share",
            zones,
            "--regions",
            "data/city.geojson",
            "--format",
            "csv",
        ]))
    };
    assert_eq!(
        share(&format!("{fls}@2025-07-31")),
        share("data/snapshots/deepstate_20250601.geojson")
    );
    assert_eq!(
        share(fls),
        share("data/snapshots/deepstate_20250801.geojson")
    );
    let err = frontline(&["share", &format!("{fls}@2020-01-01")]);
    assert!(!err.status.success());
    assert!(String::from_utf8_lossy(&err.stderr).contains("before the first snapshot"));
    let diff = |a: &str, b: &str| ok(&frontline(&["diff", a, b, "--format", "csv"]));
    assert_eq!(
        diff(&format!("{fls}@2025-06-01"), fls),
        diff(
            "data/snapshots/deepstate_20250601.geojson",
            "data/snapshots/deepstate_20250801.geojson"
        )
    );
}

#[test]
fn a_bad_output_fails_first_and_a_bad_store_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let o = frontline(&["store", "data/snapshots", "-o", "/no/such/dir/a.fls"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/no/such/dir/a.fls"), "{err}");
    // A damaged store among the inputs is reported by name and skipped...
    let fls = dir.path().join("samples.fls");
    store(&["data/snapshots/deepstate_20250601.geojson"], &fls);
    let mut bytes = std::fs::read(&fls).unwrap();
    bytes.truncate(bytes.len() - 5);
    let bad = dir.path().join("bad.fls");
    std::fs::write(&bad, &bytes).unwrap();
    let bad = bad.to_str().unwrap();
    let o = frontline(&[
        "series",
        bad,
        "data/snapshots/deepstate_20250801.geojson",
        "--regions",
        "data/city.geojson",
    ]);
    let text = ok(&o);
    assert_eq!(text.lines().count(), 3);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.fls") && err.contains("truncated"),
        "{err}"
    );
    // ... and fatal with --strict, or for a command that reads it alone.
    let o = frontline(&["series", bad, "--regions", "data/city.geojson", "--strict"]);
    assert!(!o.status.success());
    let o = frontline(&["share", bad]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.fls"));
}

#[test]
fn real_series_from_a_store_matches_the_json() {
    let Some(data) = common::shared_data("real_series_from_a_store_matches_the_json") else {
        return;
    };
    // Every 25th weekly snapshot, 2022 to 2025: enough to cover both naming eras.
    let files = frontline::timeline::snapshot_files(&[data.join("deepstate/raw-weekly")]).unwrap();
    let some: Vec<String> = files
        .iter()
        .step_by(25)
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    let some: Vec<&str> = some.iter().map(String::as_str).collect();
    let dir = tempfile::tempdir().unwrap();
    let fls = dir.path().join("weekly.fls");
    store(&some, &fls);
    let raions = data.join("admin/donetsk/raions.geojson");
    let raions = raions.to_str().unwrap();
    let mut args = vec!["series"];
    args.extend(&some);
    args.extend(["--regions", raions]);
    let json = ok(&frontline(&args));
    let stored = ok(&frontline(&[
        "series",
        fls.to_str().unwrap(),
        "--regions",
        raions,
    ]));
    assert_eq!(json.lines().count(), 1 + some.len() * 8);
    assert_eq!(numbers(&json), numbers(&stored));
}

/// The store target's fuzz seeds are stores of the version this crate reads:
/// seeds of an older version would only exercise the version check.
#[test]
fn the_fuzz_seeds_are_stores_of_this_version() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/store");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let store = frontline::timeline::store::Store::open(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (write the seeds again: fuzz/README.md)",
                path.display()
            )
        });
        assert!(store.timeline().is_ok(), "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 2);
}
