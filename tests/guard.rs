//! No silent wrong answers (issue 14): outputs that would replace an input,
//! unknown statuses, diffs across kinds of file, regions told apart by id,
//! messages that say what is wrong, outputs that are what their names say, no
//! temporary file left after a signal, no negative zero.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{frontline, repo, shared_data};

const JUNE: &str = "data/snapshots/deepstate_20250601.geojson";
const AUGUST: &str = "data/snapshots/deepstate_20250801.geojson";

fn run(args: &[&str]) -> Output {
    frontline(args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn err(o: &Output) -> String {
    text(&o.stderr)
}

fn out(o: &Output) -> String {
    text(&o.stdout)
}

/// A temporary directory holding copies of the bundled files named.
fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in files {
        std::fs::copy(repo().join(from), dir.path().join(to)).unwrap();
    }
    dir
}

fn p(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

/// Runs `args` and checks that it fails saying the output is an input, and that
/// `input` is left as it was.
fn refused(args: &[&str], input: &str) {
    let before = std::fs::read(input).unwrap();
    let o = run(args);
    assert!(!o.status.success(), "{args:?} succeeded: {}", err(&o));
    assert!(err(&o).contains("same file"), "{args:?}: {}", err(&o));
    assert_eq!(
        std::fs::read(input).unwrap(),
        before,
        "{args:?} changed {input}"
    );
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = scratch(&[
        (JUNE, "z_20250601.geojson"),
        (AUGUST, "z_20250801.geojson"),
        ("data/city.geojson", "r.geojson"),
    ]);
    let d = dir.path();
    let (z, z2, r) = (
        p(d, "z_20250601.geojson"),
        p(d, "z_20250801.geojson"),
        p(d, "r.geojson"),
    );
    refused(&["export", &z, "-o", &z], &z);
    refused(&["export", &z, "--html", &z], &z);
    refused(&["export", &z, "--svg", &z], &z);
    refused(&["export", &z, "--places", &r, "-o", &r], &r);
    refused(&["share", &z, "--regions", &r, "-o", &r], &r);
    refused(&["front", &z, "-o", &z], &z);
    refused(&["diff", &z, &z2, "-o", &z2], &z2);
    let all = p(d, "z_*.geojson");
    refused(&["series", &all, "--regions", &r, "-o", &z2], &z2);
    refused(&["series", &all, "--regions", &r, "--chart", &r], &r);
    let directory = d.display().to_string();
    refused(&["store", &directory, "-o", &z], &z);
    refused(&["convert", &r, &r], &r);
    // A hard link is the same file under another name.
    let hard = p(d, "hard.geojson");
    std::fs::hard_link(&r, &hard).unwrap();
    refused(&["convert", &r, &hard], &r);
    // Two outputs of one name would overwrite each other.
    let o = run(&[
        "export",
        &z,
        "-o",
        &p(d, "m.geojson"),
        "--svg",
        &p(d, "m.geojson"),
    ]);
    assert!(
        !o.status.success() && err(&o).contains("same file"),
        "{}",
        err(&o)
    );
    // Anything else goes through.
    let o = run(&["convert", &r, &p(d, "r2.geojson")]);
    assert!(o.status.success(), "{}", err(&o));
}

#[test]
fn a_misspelt_status_is_an_error_listing_the_choices() {
    let o = run(&[
        "near",
        AUGUST,
        "--places",
        "data/places.geojson",
        "--status",
        "occupyed",
    ]);
    assert!(!o.status.success());
    let e = err(&o);
    assert!(e.contains("unknown status \"occupyed\""), "{e}");
    assert!(
        e.contains("known statuses are occupied, contested, liberated, other"),
        "{e}"
    );
    assert!(e.contains("the file has occupied"), "{e}");
    let o = run(&["export", AUGUST, "--colours", "occupyed=#ff0000"]);
    assert!(!o.status.success());
    assert!(
        err(&o).contains("--colours: unknown status \"occupyed\""),
        "{}",
        err(&o)
    );
    // A generic file's status map: the name neither known nor a value of the file.
    let dir = tempfile::tempdir().unwrap();
    let zones = dir.path().join("zones.geojson");
    std::fs::write(
        &zones,
        r#"{"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"control": "RU"},
        "geometry": {"type": "Polygon", "coordinates": [[[37,48],[37.5,48],[37.5,48.5],[37,48]]]}}]}"#,
    )
    .unwrap();
    let zones = zones.display().to_string();
    let o = run(&[
        "share",
        &zones,
        "--status-property",
        "control",
        "--status-map",
        "RU=occupyed",
    ]);
    assert!(!o.status.success());
    let e = err(&o);
    assert!(e.contains("unknown status \"occupyed\""), "{e}");
    assert!(
        e.contains("the values of \"control\" in the file are RU"),
        "{e}"
    );
    let o = run(&[
        "share",
        &zones,
        "--status-property",
        "control",
        "--status-map",
        "RU=occupied,XX=contested",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).contains("no feature has \"control\" = \"XX\""),
        "{}",
        err(&o)
    );
}

/// A raw snapshot against an occupied-only file: only occupied is compared, with
/// a warning, instead of every liberated and contested km² counted as lost.
#[test]
fn a_diff_across_kinds_compares_only_common_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let occupied = dir.path().join("deepstatemap_data_20250801.geojson");
    std::fs::write(
        &occupied,
        r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
        "geometry": {"type": "MultiPolygon", "coordinates": [[[[37.3,48.2],[37.6,48.2],[37.6,48.4],[37.3,48.4],[37.3,48.2]]]]}}]}"#,
    )
    .unwrap();
    let o = run(&[
        "diff",
        JUNE,
        &occupied.display().to_string(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("comparing only occupied"), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let changes = v[0]["changes"].as_array().unwrap();
    let statuses: Vec<&str> = changes
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["occupied"]);
    assert_eq!(
        v[0]["not_compared"],
        serde_json::json!([
            "contested",
            "liberated",
            "occupied_since_2014",
            "occupied_since_2022"
        ])
    );
}

/// Four regions of one name, told apart by a property: every row has its id, a
/// name matching several says so, `--name X --name x` gives each row once.
#[test]
fn regions_of_one_name_are_kept_apart_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let square = |x: f64| {
        format!(
            "[[[{x},48.1],[{x1},48.1],[{x1},48.4],[{x},48.4],[{x},48.1]]]",
            x1 = x + 0.1
        )
    };
    let feature = |code: &str, x: f64, en: bool| {
        format!(
            r#"{{"type": "Feature", "properties": {{"name": "Піщанська сільська громада", {}"katotth": "{code}"}},
            "geometry": {{"type": "Polygon", "coordinates": {}}}}}"#,
            if en {
                r#""name:en": "Pishchanska hromada", "#
            } else {
                ""
            },
            square(x)
        )
    };
    let regions = dir.path().join("hromadas.geojson");
    std::fs::write(
        &regions,
        format!(
            r#"{{"type": "FeatureCollection", "features": [{}, {}, {}]}}"#,
            feature("UA01", 37.3, true),
            feature("UA02", 37.4, false),
            feature("UA03", 37.5, true)
        ),
    )
    .unwrap();
    let regions = regions.display().to_string();
    let o = run(&[
        "share",
        AUGUST,
        "--regions",
        &regions,
        "--name",
        "Pishchanska hromada",
        "--name",
        "pishchanska HROMADA",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("identified by property \"katotth\""), "{e}");
    assert!(
        e.contains("2 regions are named \"Pishchanska hromada\""),
        "{e}"
    );
    let rows: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["UA01", "UA03"]);
    // Labels in one language, the fall-backs said.
    let o = run(&["share", AUGUST, "--regions", &regions, "--format", "csv"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).contains(
            "1 of 3 regions have no name:en, labelled by their `name`: Піщанська сільська громада"
        ),
        "{}",
        err(&o)
    );
    let csv = out(&o);
    assert!(csv.starts_with("region,id,area_km2,"), "{csv}");
    assert!(csv.contains("\nPishchanska hromada,UA01,"), "{csv}");
    assert!(csv.contains("\nПіщанська сільська громада,UA02,"), "{csv}");
    let o = run(&[
        "share",
        AUGUST,
        "--regions",
        &regions,
        "--lang",
        "uk",
        "--format",
        "csv",
    ]);
    assert!(
        err(&o).contains("3 of 3 regions have no name:uk"),
        "{}",
        err(&o)
    );
    // --id: a property that does not identify is refused, one that does is used.
    let o = run(&["share", AUGUST, "--regions", &regions, "--id", "name"]);
    assert!(!o.status.success());
    assert!(err(&o).contains("share the \"name\""), "{}", err(&o));
    // A series carries the id in every row, and in its GeoParquet output.
    let parquet = dir.path().join("series.parquet");
    let o = run(&[
        "series",
        "data/snapshots",
        "--regions",
        &regions,
        "-o",
        &parquet.display().to_string(),
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let csv = out(&o);
    assert!(csv.starts_with("date,region,id,area_km2,"), "{csv}");
    assert_eq!(csv.matches(",UA02,").count(), 2, "{csv}");
    let back = frontline::import::read_places(&parquet).unwrap();
    assert!(back.iter().all(|f| f.properties["id"].is_string()));
}

#[test]
fn history_and_near_rows_carry_the_id() {
    let o = run(&[
        "history",
        "data/snapshots",
        "--places",
        "data/places.geojson",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert!(
        v["places"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["id"].is_string())
    );
    let o = run(&[
        "near",
        AUGUST,
        "--places",
        "data/places.geojson",
        "--status",
        "occupied",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
}

#[test]
fn the_donetsk_raions_say_which_are_not_in_english() {
    let Some(data) = shared_data("the_donetsk_raions_say_which_are_not_in_english") else {
        return;
    };
    let raions = data
        .join("admin/donetsk/raions.geojson")
        .display()
        .to_string();
    let o = run(&["share", AUGUST, "--regions", &raions, "--format", "csv"]);
    assert!(o.status.success(), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("identified by property \"katotth\""), "{e}");
    assert!(
        e.contains("3 of 8 regions have no name:en, labelled by their `name`: Горлівський район, Донецький район, Кальміуський район"),
        "{e}"
    );
    let hromadas = data
        .join("admin/ukraine_hromadas.geojson.gz")
        .display()
        .to_string();
    let o = run(&[
        "share",
        AUGUST,
        "--regions",
        &hromadas,
        "--name",
        "Піщанська сільська громада",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("4 regions are named"), "{}", err(&o));
    assert_eq!(out(&o).lines().count(), 5, "{}", out(&o));
}

#[test]
fn store_files_where_they_are_not_accepted_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = p(dir.path(), "s.fls");
    assert!(
        run(&["store", "data/snapshots", "-o", &store])
            .status
            .success()
    );
    let o = run(&["convert", &store, &p(dir.path(), "x.fgb")]);
    assert!(!o.status.success());
    assert!(err(&o).contains("a frontline store file"), "{}", err(&o));
    assert!(!err(&o).contains("not valid GeoJSON"), "{}", err(&o));
    let o = run(&["share", AUGUST, "--regions", &store]);
    assert!(err(&o).contains("a frontline store file"), "{}", err(&o));
    // Export takes a store as the snapshots it holds.
    let o = run(&["export", &store, "--bbox", "37,48,38,49"]);
    assert!(o.status.success(), "{}", err(&o));
    // `@DATE` on a zone file says what `@` is for.
    let o = run(&["share", &format!("{JUNE}@2025-06-01")]);
    assert!(!o.status.success());
    assert!(
        err(&o).contains("picks the snapshot of a date from a store file"),
        "{}",
        err(&o)
    );
}

#[test]
fn generic_is_offered_only_where_it_is_taken() {
    for command in ["series", "history", "store", "export", "diff"] {
        let o = run(&[command, "--help"]);
        let help = out(&o);
        assert!(help.contains("--source"), "{command}: {help}");
        assert!(
            !help.contains("generic"),
            "{command} offers generic: {help}"
        );
    }
    let o = run(&["share", "--help"]);
    assert!(out(&o).contains("generic"));
}

#[test]
fn messages_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = run(&["series", &p(d, "gone"), "--regions", "data/city.geojson"]);
    let e = err(&missing);
    assert!(e.contains("gone: no such file or directory"), "{e}");
    assert!(!e.contains("entity not found"), "{e}");
    // A Shapefile whose attribute table is cut short.
    let shp = p(d, "r.shp");
    assert!(
        run(&["convert", "data/city.geojson", &shp])
            .status
            .success()
    );
    let dbf = d.join("r.dbf");
    let bytes = std::fs::read(&dbf).unwrap();
    std::fs::write(&dbf, &bytes[..20]).unwrap();
    let o = run(&["share", AUGUST, "--regions", &shp]);
    assert!(!o.status.success());
    let e = err(&o);
    for debug in ["Error {", "DbaseError", "kind:", "Io {", "os error"] {
        assert!(!e.contains(debug), "{debug} in {e}");
    }
    assert!(e.contains("attribute table"), "{e}");
    std::fs::remove_file(&dbf).unwrap();
    let o = run(&["share", AUGUST, "--regions", &shp]);
    assert!(!err(&o).contains("os error"), "{}", err(&o));
    // A FeatureCollection without features.
    let fc = p(d, "fc.geojson");
    std::fs::write(&fc, r#"{"type": "FeatureCollection"}"#).unwrap();
    let o = run(&["share", &fc]);
    let e = err(&o);
    assert!(
        e.contains("a FeatureCollection without a \"features\" array"),
        "{e}"
    );
    assert!(!e.contains("found type \"FeatureCollection\""), "{e}");
}

#[test]
fn outputs_are_what_their_names_say() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let gz = p(d, "zones.geojson.gz");
    let o = run(&["export", AUGUST, "-o", &gz]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(std::fs::read(&gz).unwrap().starts_with(&[0x1f, 0x8b]));
    assert!(frontline::import::read_places(&gz).is_ok());
    let o = run(&["export", AUGUST, "-o", &p(d, "zones.fgb.gz")]);
    assert!(!o.status.success());
    assert!(
        err(&o).contains("only GeoJSON is written gzip-compressed"),
        "{}",
        err(&o)
    );
    let fgb = p(d, "front.fgb");
    let o = run(&["front", AUGUST, "-o", &fgb]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(std::fs::read(&fgb).unwrap().starts_with(b"fgb\x03"));
    let parquet = p(d, "changes.parquet");
    let o = run(&["diff", JUNE, AUGUST, "-o", &parquet]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(std::fs::read(&parquet).unwrap().starts_with(b"PAR1"));
    let o = run(&["front", AUGUST, "-o", &p(d, "front.txt")]);
    assert!(!o.status.success());
    // Written as SVG, HTML, a store: other names are refused.
    let o = run(&["export", AUGUST, "--svg", &p(d, "map.png")]);
    assert!(
        !o.status.success() && err(&o).contains("written as .svg"),
        "{}",
        err(&o)
    );
    let o = run(&["export", AUGUST, "--html", &p(d, "map.svg")]);
    assert!(!o.status.success(), "{}", err(&o));
    let o = run(&[
        "series",
        "data/snapshots",
        "--regions",
        "data/city.geojson",
        "--chart",
        &p(d, "c.png"),
    ]);
    assert!(!o.status.success(), "{}", err(&o));
    let o = run(&["store", "data/snapshots", "-o", &p(d, "s.geojson")]);
    assert!(
        !o.status.success() && err(&o).contains("name it .fls"),
        "{}",
        err(&o)
    );
    assert_eq!(
        std::fs::read_dir(d).unwrap().count(),
        3,
        "nothing else written"
    );
}

#[test]
fn links_that_lead_nowhere_are_reported() {
    let dir = scratch(&[(JUNE, "a_20250601.geojson"), (AUGUST, "a_20250801.geojson")]);
    let d = dir.path();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("nowhere.geojson", d.join("b_20250901.geojson")).unwrap();
        std::os::unix::fs::symlink("c_20251001.geojson", d.join("c_20251001.geojson")).unwrap();
    }
    let all = d.display().to_string();
    let o = run(&["series", &all, "--regions", "data/city.geojson"]);
    assert!(o.status.success(), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("b_20250901.geojson: a dangling symbolic link"),
        "{e}"
    );
    assert!(
        e.contains("c_20251001.geojson: a loop of symbolic links"),
        "{e}"
    );
    let o = run(&["series", &all, "--regions", "data/city.geojson", "--strict"]);
    assert!(!o.status.success());
    let pattern = p(d, "*.geojson");
    let o = run(&["store", &pattern, "-o", &p(d, "s.fls"), "--strict"]);
    assert!(!o.status.success());
    assert!(err(&o).contains("symbolic link"), "{}", err(&o));
}

#[test]
fn counts_agree_with_their_number() {
    let dir = tempfile::tempdir().unwrap();
    let store = p(dir.path(), "one.fls");
    let o = run(&["store", JUNE, "-o", &store]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains(": 1 snapshot, "), "{}", out(&o));
    let o = run(&["convert", "data/region.geojson", &p(dir.path(), "r.fgb")]);
    assert!(out(&o).contains("(1 feature, "), "{}", out(&o));
}

/// What the README's main command (`cargo run --example contested_share`)
/// prints: no "-0.0" where the README shows 0.0.
#[test]
fn no_negative_zero_in_results() {
    let towns = frontline::import::read_places("data/city.geojson").unwrap();
    for file in [JUNE, AUGUST] {
        let snapshot = frontline::import::read_zones(file, None).unwrap().snapshot;
        for town in &towns {
            let share = snapshot.share(town).unwrap();
            for (s, a) in &share.statuses {
                assert!(
                    a.km2.is_sign_positive() && a.pct.is_sign_positive(),
                    "{file} {s} {a:?}"
                );
            }
            let shown = format!(
                "{:.1} km² ({:.1} %)",
                share.km2(&frontline::Status::OCCUPIED),
                share.pct(&frontline::Status::OCCUPIED)
            );
            assert!(!shown.contains("-0.0"), "{file}: {shown}");
        }
    }
    let o = run(&[
        "share",
        JUNE,
        "--regions",
        "data/city.geojson",
        "--format",
        "json",
    ]);
    assert!(!out(&o).contains("-0.0"), "{}", out(&o));
}

/// The temporary file of an output is removed when the run is ended by SIGTERM
/// or SIGINT.
#[cfg(unix)]
#[test]
fn no_temporary_file_is_left_after_a_signal() {
    let Some(data) = shared_data("no_temporary_file_is_left_after_a_signal") else {
        return;
    };
    let weekly = data.join("deepstate/raw-weekly");
    for signal in ["TERM", "INT"] {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("weekly.fls");
        let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .arg("store")
            .arg(&weekly)
            .arg("-o")
            .arg(&output)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let tmp: PathBuf = dir.path().join(format!(".weekly.fls.{}.tmp", child.id()));
        // The temporary file is opened before the snapshots are read.
        let start = std::time::Instant::now();
        while !tmp.exists() && start.elapsed().as_secs() < 30 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(tmp.exists(), "no temporary file {}", tmp.display());
        std::thread::sleep(std::time::Duration::from_millis(300));
        let killed = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert!(!status.success(), "SIG{signal}: the run finished first");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "SIG{signal} left {left:?}");
    }
}
