//! The `frontline` binary: output formats on stdout, errors on stderr with a
//! non-zero exit.

mod common;

use common::frontline;

use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

const JUNE: &str = "data/snapshots/deepstate_20250601.geojson";
const AUGUST: &str = "data/snapshots/deepstate_20250801.geojson";

#[test]
fn share_json_has_every_status() {
    let o = frontline(&[
        "share",
        AUGUST,
        "--regions",
        "data/city.geojson",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["region"], "Demo City");
    for s in ["occupied", "contested", "liberated", "unmarked"] {
        assert!(rows[0]["status"][s]["km2"].is_number(), "{s}");
        assert!(rows[0]["status"][s]["pct"].is_number(), "{s}");
    }
    // The parts of occupied are listed beside it, and sum to it.
    let km2 = |s: &str| rows[0]["status"][s]["km2"].as_f64().unwrap();
    let parts = km2("occupied_since_2014") + km2("occupied_since_2022");
    assert!((parts - km2("occupied")).abs() < 1e-9, "{parts}");
    let sum: f64 = rows[0]["status"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !k.starts_with("occupied_since_"))
        .map(|(_, a)| a["pct"].as_f64().unwrap())
        .sum();
    assert!((sum - 100.0).abs() < 0.01);
    assert!(rows[0]["status"]["occupied"]["pct"].as_f64().unwrap() > 30.0);
}

/// `series --format json` (streamed, a snapshot at a time) is one JSON
/// document: the files skipped under `issues`, each snapshot's shares under
/// `series.entries`, the same figures as the CSV.
#[test]
fn series_json_is_one_document_with_its_issues() {
    let dir = tempfile::tempdir().unwrap();
    for f in [JUNE, AUGUST] {
        let to = dir
            .path()
            .join(std::path::Path::new(f).file_name().unwrap());
        std::fs::copy(f, to).unwrap();
    }
    std::fs::write(
        dir.path().join("broken_20250101.geojson"),
        "{\"type\": \"Feat",
    )
    .unwrap();
    let snapshots = dir.path().to_str().unwrap();
    let run = |format: &str| {
        let o = frontline(&[
            "series",
            snapshots,
            "--regions",
            "data/city.geojson",
            "--format",
            format,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        stdout(&o)
    };
    let v: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let issues = v["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0]["kind"], "unreadable");
    assert!(
        issues[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("broken_20250101.geojson")
    );
    let entries = v["series"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["date"], "2025-08-01T09:00:00Z");
    let csv = run("csv");
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 2 * 2);
    let occupied: Vec<f64> = entries
        .iter()
        .flat_map(|e| e["value"].as_array().unwrap())
        .map(|s| s["status"]["occupied"]["km2"].as_f64().unwrap())
        .collect();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let column = header.iter().position(|h| *h == "occupied_km2").unwrap();
    for (row, json) in rows.iter().zip(&occupied) {
        let text = row.split(',').nth(column).unwrap();
        assert_eq!(text.parse::<f64>().unwrap(), *json, "{row}");
    }
    assert!(occupied.iter().any(|&km2| km2 > 0.0));
}

#[test]
fn share_table_and_csv() {
    let o = frontline(&[
        "share",
        JUNE,
        "--regions",
        "data/city.geojson",
        "--name",
        "Демо-місто",
    ]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("2025-06-01 09:00 UTC"),
        "{text}"
    );
    assert!(
        text.contains("Demo City") && !text.contains("Demo Village"),
        "{text}"
    );
    let o = frontline(&[
        "share",
        JUNE,
        "--regions",
        "data/region.geojson",
        "--format",
        "csv",
    ]);
    let csv = stdout(&o);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "region,id,area_km2,occupied_km2,occupied_pct,occupied_since_2014_km2,occupied_since_2014_pct,occupied_since_2022_km2,occupied_since_2022_pct,contested_km2,contested_pct,liberated_km2,liberated_pct,other_km2,other_pct,unmarked_km2,unmarked_pct"
    );
    assert!(lines.next().unwrap().starts_with("Demo Oblast,0,4072.8"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("unknown"), "the split is known: {stderr}");
}

#[test]
fn totals_and_report() {
    let o = frontline(&["share", JUNE, "--report", "--format", "json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["report"]["markers"], 4);
    assert_eq!(v["results"][0]["status"], "occupied");
    let o = frontline(&["share", JUNE, "--within", "data/region.geojson"]);
    let text = stdout(&o);
    assert!(
        text.contains("inside_km2") && text.contains("outside_km2"),
        "{text}"
    );
}

#[test]
fn errors_go_to_stderr_with_a_failure_exit() {
    let o = frontline(&[
        "share",
        JUNE,
        "--regions",
        "data/city.geojson",
        "--name",
        "Atlantis",
    ]);
    assert!(!o.status.success());
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no feature is named \"Atlantis\""), "{err}");
    let o = frontline(&["share", "data/README.md"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("data/README.md: not valid GeoJSON"));
    let o = frontline(&["share", JUNE, "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn help_lists_the_command() {
    let o = frontline(&["--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("share"));
}

#[test]
fn share_and_series_results_as_geoparquet_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shares.parquet");
    let o = frontline(&[
        "share",
        AUGUST,
        "--regions",
        "data/city.geojson",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let printed: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // Read back: one row per region and figure (occupied's two parts and unmarked
    // included), the same figures as printed, the region's polygon as geometry.
    let rows = frontline::import::read_places(&out).unwrap();
    assert_eq!(rows.len(), 2 * 7);
    for row in rows.iter() {
        let p = &row.properties;
        let region = printed
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["region"] == p["region"])
            .unwrap();
        let status = p["status"].as_str().unwrap();
        // serde_json parses without `float_roundtrip`: the last bit may differ.
        let (written, shown) = (
            p["km2"].as_f64().unwrap(),
            region["status"][status]["km2"].as_f64().unwrap(),
        );
        assert!(
            (written - shown).abs() <= 1e-12 * shown.abs(),
            "{status}: {written} {shown}"
        );
        assert_eq!(p["date"], "2025-08-01T09:00:00Z");
        assert!(row.area().is_some());
    }
    // A series: one row per date too; an unknown extension fails before the work.
    let out = dir.path().join("series.fgb");
    let o = frontline(&[
        "series",
        "data/snapshots",
        "--regions",
        "data/city.geojson",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        frontline::import::read_places(&out).unwrap().len(),
        2 * 2 * 7
    );
    let o = frontline(&[
        "series",
        "data/snapshots",
        "--regions",
        "data/city.geojson",
        "-o",
        dir.path().join("series.txt").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("series.txt"));
}

/// A damaged file whose decoder panics (the parquet crate's "Decoder for dict
/// should have been set") is an error naming the file, and that error is all of
/// stderr: no "thread 'main' panicked" line before it, which read as a crash.
#[test]
fn a_caught_decoder_panic_prints_the_error_alone() {
    let out = frontline(&[
        "share",
        "data/snapshots/deepstate_20250801.geojson",
        "--regions",
        "tests/fuzz/geoparquet-dictionary-panic.parquet",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("geoparquet-dictionary-panic.parquet") && err.contains("its decoder failed"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
