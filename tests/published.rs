//! DeepState's own published km², reproduced with `--area sphere` (turf.js's
//! method), and the same totals on the sphere from the independent reference
//! (tests/reference/daily_reference.py). A test binary of its own: the area model
//! is chosen once per process. Skipped, with a notice, when ../shared/data is absent.

mod common;

use common::{frontline, repo, shared_data};
use frontline::import;
use frontline::measure::{AreaModel, set_area_model};
use serde_json::Value;

/// (file, occupied since 2022, liberated, unspecified, in Russia: held by Ukraine,
/// grey), as the site publishes them for these updates.
const PUBLISHED: [(&str, f64, f64, f64, Option<(f64, f64)>); 2] = [
    (
        "1754251105.geojson.gz",
        70_304.16,
        41_783.33,
        1_012.28,
        Some((16.88, 31.65)),
    ),
    ("1730669408.geojson.gz", 66_810.4, 42_620.4, 745.5, None),
];

fn total<'a>(rows: &'a Value, status: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == status)
        .unwrap_or_else(|| panic!("{status}"))
}

fn close(actual: f64, expected: f64, rel: f64, what: &str) {
    let diff = (actual - expected).abs() / expected;
    eprintln!(
        "{what}: {actual:.2} vs published {expected:.2} ({:.4} %)",
        diff * 100.0
    );
    assert!(diff <= rel, "{what}: {actual} vs {expected}");
}

#[test]
fn sphere_reproduces_deepstates_published_figures() {
    let Some(data) = shared_data("sphere_reproduces_deepstates_published_figures") else {
        return;
    };
    let outline = data.join("admin/ukraine_outline.geojson");
    for (file, since_2022, liberated, unspecified, russia) in PUBLISHED {
        let path = data.join("deepstate/raw-weekly").join(file);
        let o = frontline(&[
            "--area",
            "sphere",
            "share",
            path.to_str().unwrap(),
            "--within",
            outline.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let rows: Value = serde_json::from_slice(&o.stdout).unwrap();
        let km2 = |s: &str, k: &str| total(&rows, s)[k].as_f64().unwrap();
        // DeepState counts every such polygon, inside the outline or not.
        close(
            km2("occupied_since_2022", "km2"),
            since_2022,
            1e-4,
            &format!("{file} occupied since 2022"),
        );
        // Liberated and grey zone: the part inside Ukraine's outline, whose
        // border differs from DeepState's by a few km².
        close(
            km2("liberated", "inside_km2"),
            liberated,
            1e-3,
            &format!("{file} liberated"),
        );
        close(
            km2("contested", "inside_km2"),
            unspecified,
            1e-3,
            &format!("{file} unspecified"),
        );
        if let Some((held, grey)) = russia {
            // The whole of each, inside Ukraine and in Russia, agrees closely.
            close(
                km2("liberated", "km2"),
                liberated + held,
                1e-4,
                &format!("{file} liberated and held in Russia"),
            );
            close(
                km2("contested", "km2"),
                unspecified + grey,
                1e-4,
                &format!("{file} grey zone in Ukraine and Russia"),
            );
        }
    }
    let stderr =
        String::from_utf8_lossy(&frontline(&["--area", "sphere", "share", "x"]).stderr).to_string();
    assert!(stderr.contains("sphere of radius 6,378,137 m"), "{stderr}");
}

/// The library on the sphere gives the reference's sphere totals (and the
/// process cannot then switch back).
#[test]
fn library_sphere_totals_match_the_reference() {
    let Some(data) = shared_data("library_sphere_totals_match_the_reference") else {
        return;
    };
    set_area_model(AreaModel::Sphere).unwrap();
    let text =
        std::fs::read_to_string(repo().join("tests/reference/daily_reference.json")).unwrap();
    let reference: Value = serde_json::from_str(&text).unwrap();
    for exp in reference["sphere_totals"].as_array().unwrap() {
        let file = exp["file"].as_str().unwrap();
        let snapshot = import::read_zones(data.join("deepstate/raw-weekly").join(file), None)
            .unwrap()
            .snapshot;
        for (status, km2) in snapshot.total_figures() {
            let expected = exp["km2"][status.as_str()].as_f64().unwrap();
            let km2 = km2.expect("raw weekly files of 2024-2025 split occupied");
            let what = format!("{file} {status}");
            assert!(
                (km2 - expected).abs() <= 1e-4 * expected.max(1.0),
                "{what}: {km2} vs {expected}"
            );
        }
    }
    assert!(set_area_model(AreaModel::Wgs84).is_err());
}
