//! No silent wrong answers at the limits of planar longitude/latitude geometry:
//! rings across the antimeridian or round the world are refused wherever they
//! come in (zones, regions, outlines), and shares stay within [0, 100] % and sum
//! to 100.

mod common;

use std::path::PathBuf;

use common::shared_data;
use frontline::measure::Regions;
use frontline::{Status, import};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn polygon_file(name: &str, ring: &str) -> String {
    format!(
        r#"{{"type": "FeatureCollection", "features": [{{"type": "Feature",
            "properties": {{"name": "{name}"}},
            "geometry": {{"type": "Polygon", "coordinates": [{ring}]}}}}]}}"#
    )
}

/// A 1° × 2° box at 47-49° N from 179.5° to -179.5°: 1° wide the short way round,
/// but clipped in flat longitude/latitude it spanned 359° and covered Ukraine.
const ACROSS: &str = "[[179.5,47],[-179.5,47],[-179.5,49],[179.5,49],[179.5,47]]";
const WORLD: &str = "[[-180,-90],[180,-90],[180,90],[-180,90],[-180,-90]]";
const OCCUPIED: &str = "[[37,48],[38,48],[38,48.5],[37,48.5],[37,48]]";

fn run(args: &[&str]) -> (bool, String, String) {
    let out = common::frontline(args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn rings_across_the_antimeridian_are_refused_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let zones = write(
        &dir,
        "zones.geojson",
        &polygon_file(
            "Окуповано /// Occupied /// geoJSON.status.occupied",
            OCCUPIED,
        ),
    );
    let places = write(
        &dir,
        "places.geojson",
        r#"{"type": "FeatureCollection", "features": [{"type": "Feature",
            "properties": {"name": "Town"}, "geometry": {"type": "Point", "coordinates": [37.5, 48.7]}}]}"#,
    );
    let zones = zones.to_str().unwrap();
    for (label, ring) in [("Across", ACROSS), ("World", WORLD)] {
        let file = format!("{label}.geojson");
        let region = write(&dir, &file, &polygon_file(label, ring));
        let region = region.to_str().unwrap();
        // As a region, an outline (--within, --aoi) and a zone file.
        let bad_zones = write(
            &dir,
            &format!("zones-{file}"),
            &polygon_file("Окуповано /// Occupied /// geoJSON.status.occupied", ring),
        );
        let places = places.to_str().unwrap();
        for args in [
            vec!["share", zones, "--regions", region],
            vec!["share", zones, "--within", region],
            vec!["front", zones, "--aoi", region],
            vec!["near", zones, "--places", places, "--aoi", region],
            vec!["share", bad_zones.to_str().unwrap(), "--regions", zones],
        ] {
            let (ok, out, err) = run(&args);
            assert!(!ok, "{args:?} should fail: {out}");
            assert!(out.is_empty(), "{args:?}: {out}");
            assert!(
                err.contains(&file) && err.contains("antimeridian") && !err.contains("panicked"),
                "{args:?}: {err}"
            );
            assert!(err.contains(label) || err.contains("Occupied"), "{err}");
        }
        // The library says the same.
        let err = import::read_places(dir.path().join(&file))
            .unwrap_err()
            .to_string();
        assert!(err.contains("antimeridian") && err.contains(label), "{err}");
    }
}

/// Every share of every hromada on a raw DeepState day: each percentage within
/// [0, 100], the five summing to 100 within a relative 1e-9. On 2025-03-01 the
/// occupied share of Kolomyichyska hromada (all occupied, its boundary touching
/// the layer's) came out at 100.00000067 %: measured by the boolean operation on
/// snapped coordinates against an area measured on the exact ones.
#[test]
fn hromada_shares_stay_within_range_and_sum_to_100() {
    let Some(dir) = shared_data("hromada shares") else {
        return;
    };
    let hromadas = import::read_places(dir.join("admin/ukraine_hromadas.geojson.gz")).unwrap();
    let regions = Regions::new(&hromadas.iter().collect::<Vec<_>>()).unwrap();
    for day in ["20250301", "20260822"] {
        let path = dir.join(format!(
            "deepstate/raw-daily/deepstatemap_data_{day}_polygons.geojson.gz"
        ));
        let snapshot = import::read_zones(&path, None).unwrap().snapshot;
        let shares = regions.shares(&snapshot).unwrap();
        assert_eq!(shares.len(), 1_466);
        let mut full = 0;
        for share in &shares {
            let pcts: Vec<f64> = share
                .statuses
                .iter()
                .map(|(_, a)| a.pct)
                .chain([share.unmarked.pct])
                .collect();
            for p in &pcts {
                assert!((0.0..=100.0).contains(p), "{day} {}: {p} %", share.region);
            }
            let sum: f64 = pcts.iter().sum();
            assert!(
                (sum - 100.0).abs() <= 1e-7,
                "{day} {}: the percentages sum to {sum}",
                share.region
            );
            if share.pct(&Status::OCCUPIED) >= 100.0 - 1e-9 {
                full += 1;
            }
        }
        // Whole hromadas are occupied; each is 100 % to rounding, not a hair more.
        assert!(full > 50, "{day}: {full}");
        let kolomyichyska = shares
            .iter()
            .find(|s| s.region == "Kolomyichyska rural hromada")
            .unwrap();
        assert!(kolomyichyska.pct(&Status::OCCUPIED) <= 100.0);
    }
}
