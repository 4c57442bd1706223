//! Proximity queries against an independent reference (pyproj/Shapely) on real
//! data, and index answers against brute-force scans.

mod common;

use common::{Rng, shared_data};

use std::path::{Path, PathBuf};

use frontline::proximity::{Front, FrontOptions, PlaceIndex, ProximityIndex};
use frontline::{Snapshot, Status, import, model::UNMARKED};
use geo::{Contains, Coord, Point};
use geographiclib_rs::{Geodesic, InverseGeodesic};
use rstar::primitives::{GeomWithData, Line};
use rstar::{AABB, RTree};

fn bundled(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(file)
}

/// Brute force: the layer whose polygons contain the point, tested with geo.
fn brute_status(snapshot: &Snapshot, p: Point<f64>) -> Option<Status> {
    snapshot
        .layers()
        .iter()
        .find(|l| l.geometry().contains(&p))
        .map(|l| l.status().clone())
}

fn agree(a: f64, b: f64) -> bool {
    (a - b).abs() <= (0.001 * b.abs()).max(10.0)
}

#[test]
fn status_index_equals_a_brute_force_scan() {
    let snapshot = import::read_zones(bundled("snapshots/deepstate_20250801.geojson"), None)
        .unwrap()
        .snapshot;
    let index = ProximityIndex::new(&snapshot);
    let mut rng = Rng(7);
    for _ in 0..5_000 {
        let p = rng.point(36.8, 38.5, 47.8, 48.9);
        assert_eq!(
            index.status_at(p).unwrap().cloned(),
            brute_status(&snapshot, p),
            "{p:?}"
        );
    }
    let Some(dir) = shared_data("proximity") else {
        return;
    };
    let snapshot = import::read_zones(dir.join("deepstate/raw-weekly/1754251105.geojson.gz"), None)
        .unwrap()
        .snapshot;
    let index = ProximityIndex::new(&snapshot);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..3_000 {
        // Around the front, where zones are dense and ragged.
        let p = rng.point(36.0, 39.0, 46.8, 49.5);
        let status = index.status_at(p).unwrap().cloned();
        assert_eq!(status, brute_status(&snapshot, p), "{p:?}");
        seen.insert(status);
    }
    assert!(
        seen.len() >= 3,
        "the sample should meet several statuses: {seen:?}"
    );
}

#[test]
fn distances_equal_a_dense_brute_force_scan() {
    let snapshot = import::read_zones(bundled("snapshots/deepstate_20250601.geojson"), None)
        .unwrap()
        .snapshot;
    let index = ProximityIndex::new(&snapshot);
    let wgs84 = Geodesic::wgs84();
    let layer = snapshot.layer(&Status::OCCUPIED).unwrap();
    let mut dense: Vec<Coord<f64>> = Vec::new();
    for polygon in &layer.geometry().0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            for w in ring.0.windows(2) {
                for i in 0..50 {
                    let t = i as f64 / 50.0;
                    dense.push(w[0] + (w[1] - w[0]) * t);
                }
            }
        }
    }
    let mut rng = Rng(11);
    let mut outside = 0;
    for _ in 0..25 {
        let p = rng.point(36.5, 39.0, 47.5, 49.2);
        let near = index.nearest(p, &Status::OCCUPIED).unwrap().unwrap();
        if layer.geometry().contains(&p) {
            assert_eq!(near.km, 0.0);
            continue;
        }
        outside += 1;
        let brute = dense
            .iter()
            .map(|c| InverseGeodesic::<f64>::inverse(&wgs84, p.y(), p.x(), c.y, c.x))
            .fold(f64::INFINITY, f64::min);
        // The index finds the exact nearest point; the dense scan can only be as near.
        assert!(
            near.km * 1000.0 <= brute + 0.05,
            "{p:?}: {} > {brute}",
            near.km * 1000.0
        );
        assert!(
            brute - near.km * 1000.0 < 20.0,
            "{p:?}: {} vs {brute}",
            near.km * 1000.0
        );
    }
    assert!(outside > 5);
}

#[test]
fn agrees_with_the_pyproj_reference_on_donetsk_places() {
    let Some(dir) = shared_data("proximity") else {
        return;
    };
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/proximity_reference.json");
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let snapshot = import::read_zones(dir.join("deepstate/raw-weekly/1754251105.geojson.gz"), None)
        .unwrap()
        .snapshot;
    let index = ProximityIndex::new(&snapshot);
    let places = reference["places"].as_array().unwrap();
    assert_eq!(places.len(), 373);
    let mut worst = 0.0f64;
    for place in places {
        let p = geo::point!(x: place["lon"].as_f64().unwrap(), y: place["lat"].as_f64().unwrap());
        let status = index.status_at(p).unwrap().map_or(UNMARKED, Status::as_str);
        assert_eq!(
            status,
            place["status"].as_str().unwrap(),
            "{}",
            place["name"]
        );
        for s in [Status::OCCUPIED, Status::CONTESTED] {
            let expected = place[s.as_str()]["m"].as_f64().unwrap();
            let got = index.nearest(p, &s).unwrap().unwrap().km * 1000.0;
            assert!(
                agree(got, expected),
                "{} to {s}: {got} m, reference {expected} m",
                place["name"]
            );
            worst = worst.max((got - expected).abs());
        }
    }
    eprintln!("largest difference from the reference: {worst:.3} m");
}

#[test]
fn the_front_keeps_off_the_state_border() {
    let Some(dir) = shared_data("proximity") else {
        return;
    };
    let snapshot = import::read_zones(dir.join("deepstate/raw-weekly/1754251105.geojson.gz"), None)
        .unwrap()
        .snapshot;
    let outline = import::read_places(dir.join("admin/ukraine_outline.geojson")).unwrap();
    let aoi = outline.iter().next().unwrap().area().unwrap().clone();
    let tolerance = 1_000.0;
    let front = Front::derive(
        &snapshot,
        &FrontOptions::default()
            .within(aoi.clone())
            .tolerance_m(tolerance),
    )
    .unwrap();
    let everything = Front::derive(&snapshot, &FrontOptions::default()).unwrap();
    eprintln!(
        "front {:.1} km with the outline, {:.1} km without",
        front.length_km(),
        everything.length_km()
    );
    assert!(
        (1_000.0..2_000.0).contains(&front.length_km()),
        "{}",
        front.length_km()
    );
    assert!(everything.length_km() > front.length_km() + 1_000.0);
    // The reference's boundary inside the outline shrunk by 1 km, before slivers
    // are left out: an upper bound.
    assert!(front.length_km() < 2_032.1);
    // Independent check: every vertex is farther than the tolerance from every
    // outline edge, measured in local metres (good to a fraction of a percent).
    let edges: Vec<GeomWithData<Line<[f64; 2]>, ()>> = aoi
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| {
            r.0.windows(2)
                .map(|w| GeomWithData::new(Line::new([w[0].x, w[0].y], [w[1].x, w[1].y]), ()))
                .collect::<Vec<_>>()
        })
        .collect();
    let tree = RTree::bulk_load(edges);
    let mut vertices = 0;
    for c in front.line().0.iter().flat_map(|l| l.0.iter()) {
        vertices += 1;
        assert!(aoi.contains(c), "{c:?} outside the outline");
        let kx = 111_320.0 * c.y.to_radians().cos();
        let (dx, dy) = (0.02, 0.015);
        let env = AABB::from_corners([c.x - dx, c.y - dy], [c.x + dx, c.y + dy]);
        for e in tree.locate_in_envelope_intersecting(&env) {
            let (a, b) = (e.geom().from, e.geom().to);
            let (ax, ay) = ((a[0] - c.x) * kx, (a[1] - c.y) * 110_574.0);
            let (bx, by) = ((b[0] - c.x) * kx, (b[1] - c.y) * 110_574.0);
            let (vx, vy) = (bx - ax, by - ay);
            let t = (-(ax * vx + ay * vy) / (vx * vx + vy * vy)).clamp(0.0, 1.0);
            let d = (ax + t * vx).hypot(ay + t * vy);
            assert!(d > tolerance * 0.99, "{c:?} is {d:.0} m from the outline");
        }
    }
    assert!(vertices > 1_000);
}

fn frontline(args: &[&str]) -> (bool, String, String) {
    let out = common::frontline(args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn command_line_answers_and_refuses_bad_input() {
    let zones = "data/snapshots/deepstate_20250801.geojson";
    let (ok, out, _) = frontline(&[
        "status",
        zones,
        "--at",
        "37.439719,48.329783",
        "--at",
        "30,50",
        "--format",
        "csv",
    ]);
    assert!(ok);
    assert_eq!(out.lines().nth(2), Some("30,50,unmarked,-"));
    let (ok, out, _) = frontline(&[
        "near",
        zones,
        "--places",
        "data/places.geojson",
        "--aoi",
        "data/region.geojson",
        "--within",
        "5km",
        "--format",
        "json",
    ]);
    assert!(ok);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["distance_km"].as_f64().unwrap() <= 5.0)
    );
    for bad in [
        vec!["status", zones, "--at", "37.4,148.3"],
        vec!["status", zones, "--at", "nan,48"],
        vec![
            "near",
            zones,
            "--places",
            "data/places.geojson",
            "--within",
            "10",
        ],
        vec![
            "near",
            zones,
            "--places",
            "data/places.geojson",
            "--within",
            "-5km",
        ],
        vec!["front", zones, "--tolerance", "1"],
    ] {
        let (ok, out, err) = frontline(&bad);
        assert!(
            !ok && out.is_empty() && err.contains("error"),
            "{bad:?}: {err}"
        );
    }
}

#[test]
fn front_distances_and_band_areas_agree_with_the_shapely_front() {
    let Some(dir) = shared_data("proximity") else {
        return;
    };
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/proximity_reference.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let snapshot = import::read_zones(dir.join("deepstate/raw-weekly/1754251105.geojson.gz"), None)
        .unwrap()
        .snapshot;
    let outline = import::read_places(dir.join("admin/ukraine_outline.geojson")).unwrap();
    let aoi = outline.union().unwrap();
    let tolerance = reference["front_tolerance_m"].as_f64().unwrap();
    let front = Front::derive(
        &snapshot,
        &FrontOptions::default().within(aoi).tolerance_m(tolerance),
    )
    .unwrap();
    // The same rule in Shapely gives the same line.
    let want_km = reference["front_km"].as_f64().unwrap();
    assert!(
        (front.length_km() - want_km).abs() < 0.5,
        "{} km, reference {want_km} km",
        front.length_km()
    );
    let mut worst = 0.0f64;
    for p in reference["places"].as_array().unwrap() {
        let at = geo::point!(x: p["lon"].as_f64().unwrap(), y: p["lat"].as_f64().unwrap());
        let got = front.nearest(at).unwrap().unwrap().km * 1000.0;
        let expected = p["front"]["m"].as_f64().unwrap();
        assert!(
            agree(got, expected),
            "{}: {got} m from the front, reference {expected} m",
            p["name"]
        );
        worst = worst.max((got - expected).abs());
    }
    eprintln!("front distances: largest difference from the reference {worst:.3} m");

    // Band areas of Donetsk oblast, 0-25, 25-50, 50-100 km from the front.
    let oblast = import::read_places(dir.join(reference["band_region"].as_str().unwrap())).unwrap();
    let region = oblast.union().unwrap();
    let places = import::read_places(dir.join("admin/donetsk/places.geojson")).unwrap();
    let edges: Vec<f64> = reference["bands_km"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let bands = PlaceIndex::new(&places)
        .unwrap()
        .bands(&front, &edges, Some(&region))
        .unwrap();
    let mut within = 0.0;
    for (band, want) in bands
        .iter()
        .zip(reference["band_areas_within_km2"].as_array().unwrap())
    {
        within += band.area_km2.unwrap();
        let want = want.as_f64().unwrap();
        eprintln!(
            "{}: {} places, {:.1} km²; within {} km {within:.1} km², reference {want:.1} km²",
            band.label(),
            band.places.len(),
            band.area_km2.unwrap(),
            band.to_km
        );
        assert!(
            (within - want).abs() / want < 0.001,
            "within {} km: {within} km², reference {want} km²",
            band.to_km
        );
    }
    let counted: usize = bands.iter().map(|b| b.places.len()).sum();
    assert!(counted > 300, "{counted}");
}

#[test]
fn command_line_bands_with_region_areas() {
    let zones = "data/snapshots/deepstate_20250801.geojson";
    let base = ["near", zones, "--places", "data/places.geojson"];
    let run = |extra: &[&str]| {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        frontline(&args)
    };
    let (ok, out, err) = run(&[
        "--bands",
        "2km,5km,10km",
        "--region",
        "data/region.geojson",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let bands: serde_json::Value = serde_json::from_str(&out).unwrap();
    let bands = bands.as_array().unwrap();
    assert_eq!(bands.len(), 3);
    assert_eq!(bands[1]["band"], "2-5 km");
    assert!(bands.iter().all(|b| b["area_km2"].as_f64().unwrap() >= 0.0));
    // Every place in a band is as far as its band says.
    for b in bands {
        let (lo, hi) = (b["from_km"].as_f64().unwrap(), b["to_km"].as_f64().unwrap());
        for p in b["places"].as_array().unwrap() {
            let d = p["distance_km"].as_f64().unwrap();
            assert!(d >= lo && d <= hi, "{d} not in {lo}-{hi}");
        }
    }
    let (ok, out, _) = run(&["--bands", "5km", "--format", "csv"]);
    assert!(ok);
    assert!(out.starts_with("band,places,area_km2,names"), "{out}");
    for bad in [
        &["--bands", "5,10"][..],
        &["--bands", "10km,5km"],
        &["--bands", "-5km"],
        &["--region", "data/region.geojson"],
        &["--bands", "5km", "--status", "occupied"],
    ] {
        let (ok, _, err) = run(bad);
        assert!(!ok, "{bad:?} should fail");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// The front along the Azov coast: where DeepState's coast and the outline's were
/// digitised more than the tolerance apart (1.4 km at Mariupol), the front used
/// to run along the shore, and Mariupol was 4.6 km from it on 2025-08-03 (99.5
/// km with a 3 km tolerance). The sea beyond a coast is outside the outline, so
/// no coast is front whatever the tolerance: the coastal places are as far from
/// the front at 1 km as at 3 km, and the front is about as long. Figures from the
/// Shapely reference (`coast` in proximity_reference.json).
#[test]
fn the_front_keeps_off_the_coast_on_several_dates() {
    let Some(dir) = shared_data("coastal front") else {
        return;
    };
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/proximity_reference.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let aoi = import::read_places(dir.join("admin/ukraine_outline.geojson"))
        .unwrap()
        .union()
        .unwrap();
    let options =
        [1_000.0, 3_000.0].map(|t| FrontOptions::default().within(aoi.clone()).tolerance_m(t));
    // The nearest front to the coast, by date: south of Vuhledar until its fall
    // in October 2024 (Sartana 67.6 km, Mariupol 73.7 km from it in the
    // reference), then farther north and west (Mariupol 99.5 km). A coastal
    // sliver would put them within a few km.
    let floors_km = [
        ("1685919265", 60.0),
        ("1709501671", 60.0),
        ("1754251105", 90.0),
    ];
    let rows = reference["coast"].as_array().unwrap();
    assert_eq!(rows.len(), floors_km.len());
    for (row, (snap, floor)) in rows.iter().zip(floors_km) {
        assert_eq!(row["snapshot"], snap);
        let snapshot = import::read_zones(
            dir.join(format!("deepstate/raw-weekly/{snap}.geojson.gz")),
            None,
        )
        .unwrap()
        .snapshot;
        let fronts = options
            .each_ref()
            .map(|o| Front::derive(&snapshot, o).unwrap());
        let (one, three) = (fronts[0].length_km(), fronts[1].length_km());
        eprintln!("{snap}: front {one:.1} km at 1 km, {three:.1} km at 3 km");
        assert!(
            (one - three).abs() / one < 0.05,
            "{snap}: {one} km vs {three} km"
        );
        for (front, key) in fronts.iter().zip(["1km", "3km"]) {
            let want = row["front_km"][key].as_f64().unwrap();
            assert!(
                (front.length_km() - want).abs() < 0.5,
                "{snap} at {key}: {} km, reference {want} km",
                front.length_km()
            );
        }
        for (name, p) in row["places"].as_object().unwrap() {
            let at = geo::point!(x: p["lon"].as_f64().unwrap(), y: p["lat"].as_f64().unwrap());
            let km = fronts
                .each_ref()
                .map(|f| f.nearest(at).unwrap().unwrap().km);
            eprintln!("  {name}: {:.1} km at 1 km, {:.1} km at 3 km", km[0], km[1]);
            for (d, key) in km.iter().zip(["1km", "3km"]) {
                let want = p[key].as_f64().unwrap();
                assert!(
                    agree(d * 1000.0, want),
                    "{snap} {name} at {key}: {d} km, reference {want} m"
                );
            }
            assert!(
                km[0] > floor,
                "{snap}: {name} is {} km from the front",
                km[0]
            );
            // The larger tolerance only trims the front's ends by a few km.
            assert!(
                (km[0] - km[1]).abs() < 0.05 * km[1],
                "{snap} {name}: {km:?}"
            );
        }
    }
}
