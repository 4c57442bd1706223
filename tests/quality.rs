//! Data quality: gaps and outliers, on the real archives' dates and totals and
//! through `frontline series --skip-outliers`.

mod common;

use std::process::Command;

use frontline::import::date_from_file_name;
use frontline::timeline::quality::{OutlierRule, gaps};
use frontline::timeline::snapshot_files;

#[test]
fn outlier_rule_on_the_real_weekly_totals() {
    // The reference's per-status totals of the 175 raw weekly snapshots.
    let reference = common::reference();
    let totals = reference["raw_weekly_totals"].as_array().unwrap();
    assert_eq!(totals.len(), 175);
    let mut flagged = Vec::new();
    for status in ["occupied", "contested", "liberated", "other"] {
        let values: Vec<f64> = totals
            .iter()
            .map(|t| t["km2"][status].as_f64().unwrap_or(0.0))
            .collect();
        for i in OutlierRule::default().flag(&values) {
            let file = totals[i]["file"].as_str().unwrap();
            let date = date_from_file_name(std::path::Path::new(file)).unwrap();
            flagged.push(format!("{status} {}", date.format("%F")));
        }
    }
    assert_eq!(
        flagged,
        [
            "contested 2022-05-08",
            "contested 2022-06-19",
            "contested 2022-08-14",
            "contested 2022-09-11",
            "contested 2024-09-01"
        ]
    );
}

#[test]
fn gaps_of_the_real_archives() {
    let Some(data) = common::shared_data("gaps_of_the_real_archives") else {
        return;
    };
    let dates = |dir: &str| -> Vec<_> {
        snapshot_files(&[data.join(dir)])
            .unwrap()
            .iter()
            .map(|p| date_from_file_name(p).unwrap())
            .collect()
    };
    let daily: Vec<String> = gaps(&dates("deepstate/occupied-daily"))
        .iter()
        .map(|g| format!("{} {} {}", g.after, g.missing, g.unit))
        .collect();
    // The data README's list: 2024-08-18/19, 2025-01-01, 2025-03-31 to 04-01,
    // 2025-11-26, 2026-07-09.
    assert_eq!(
        daily,
        [
            "2024-08-17 2 day",
            "2024-12-31 1 day",
            "2025-03-30 2 day",
            "2025-11-25 1 day",
            "2026-07-08 1 day"
        ]
    );
    // One snapshot in every ISO week from 2022-04-03 to 2025-08-03.
    assert!(gaps(&dates("deepstate/raw-weekly")).is_empty());
}

#[test]
fn series_reports_and_skips_outliers() {
    let dir = tempfile::tempdir().unwrap();
    let june = std::fs::read("data/snapshots/deepstate_20250601.geojson").unwrap();
    let august = std::fs::read("data/snapshots/deepstate_20250801.geojson").unwrap();
    // June's map, August's for one week, June's again: a spike that comes back;
    // then a week missing.
    for (day, bytes) in [
        ("2025-06-01", &june),
        ("2025-06-08", &august),
        ("2025-06-15", &june),
        ("2025-06-29", &june),
    ] {
        let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        v["datetime"] = format!("{day}T09:00:00Z").into();
        std::fs::write(dir.path().join(format!("s_{day}.geojson")), v.to_string()).unwrap();
    }
    let run = |skip: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontline"));
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .arg("series")
            .arg(dir.path())
            .args(["--regions", "data/region.geojson"]);
        if skip {
            cmd.arg("--skip-outliers");
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    let (all, err) = run(false);
    assert_eq!(all.lines().count(), 5);
    assert!(
        err.contains("2025-06-08") && err.contains("outlier"),
        "{err}"
    );
    assert!(
        err.contains("1 week without a snapshot between 2025-06-15 and 2025-06-29"),
        "{err}"
    );
    let (kept, err) = run(true);
    assert_eq!(kept.lines().count(), 4);
    assert!(!kept.contains("2025-06-08"));
    assert!(err.contains("skipped"), "{err}");
}

#[test]
fn series_chart_is_well_formed_svg_with_one_path_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("chart.svg");
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "series",
            "data/snapshots",
            "--regions",
            "data/city.geojson",
            "--chart",
        ])
        .arg(&svg)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&svg).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    let (mut paths, mut root) = (0, None);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let name = e.name().0.to_string();
                root.get_or_insert(name.clone());
                paths += usize::from(name == "path");
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(root.as_deref(), Some("svg"));
    // Two regions in city.geojson, occupied and contested each.
    assert_eq!(paths, 4);
    // Days along a two-month axis, the year under the first.
    assert!(
        text.contains("Demo City occupied") && text.contains(">2 Jun<"),
        "{text}"
    );
    assert!(text.contains(">2025<") && text.contains("DeepStateMap"));
    // An unwritable chart path fails before any work.
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "series",
            "data/snapshots",
            "--regions",
            "data/city.geojson",
            "--chart",
            "/no/such/dir/c.svg",
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
}
