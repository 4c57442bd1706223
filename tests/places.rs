//! Place queries (k nearest, within a distance of the front or of a status,
//! distance bands) against brute-force scans, and their refusals of bad input.

mod common;

use common::Rng;

use std::path::Path;

use frontline::proximity::{Front, FrontOptions, PlaceIndex, ProximityIndex};
use frontline::{Place, PlaceGeometry, Status, import};
use geo::{MultiPolygon, Point, polygon};
use geographiclib_rs::{Geodesic, InverseGeodesic};

fn place(name: &str, p: Point<f64>) -> Place {
    let props = serde_json::json!({ "name": name });
    Place::new(
        props.as_object().cloned().unwrap_or_default(),
        PlaceGeometry::Point(p),
    )
}

fn names(list: &[frontline::proximity::PlaceDistance]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|p| p.place.label().to_string()).collect();
    v.sort();
    v
}

#[test]
fn index_answers_equal_brute_force_scans() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/snapshots/deepstate_20250801.geojson");
    let snapshot = import::read_zones(path, None).unwrap().snapshot;
    let zones = ProximityIndex::new(&snapshot);
    let front = Front::derive(&snapshot, &FrontOptions::default()).unwrap();
    assert!(front.length_km() > 0.0);
    let mut rng = Rng(3);
    let places: Vec<Place> = (0..400)
        .map(|i| place(&format!("p{i}"), rng.point(36.0, 39.5, 47.0, 49.5)))
        .collect();
    let index = PlaceIndex::new(&places).unwrap();
    assert_eq!(index.len(), 400);
    let wgs84 = Geodesic::wgs84();
    let geodesic_km = |a: Point<f64>, b: Point<f64>| {
        InverseGeodesic::<f64>::inverse(&wgs84, a.y(), a.x(), b.y(), b.x()) / 1000.0
    };
    let point_of = |p: &Place| match p.geometry {
        PlaceGeometry::Point(p) => p,
        PlaceGeometry::Area(_) => unreachable!("points only"),
    };

    // k nearest: the same distances as sorting every place.
    for _ in 0..30 {
        let q = rng.point(35.5, 40.0, 46.5, 50.0);
        let mut brute: Vec<f64> = places.iter().map(|p| geodesic_km(q, point_of(p))).collect();
        brute.sort_by(f64::total_cmp);
        for k in [1, 5, 37, 500] {
            let got = index.nearest_k(q, k).unwrap();
            assert_eq!(got.len(), k.min(400));
            for (g, b) in got.iter().zip(&brute) {
                assert!((g.km() - b).abs() < 1e-9, "{q:?} k={k}: {} vs {b}", g.km());
                assert!((geodesic_km(q, g.at) - g.km()).abs() < 1e-9);
            }
        }
    }
    assert!(
        index
            .nearest_k(geo::point!(x: 37.0, y: 48.0), 0)
            .unwrap()
            .is_empty()
    );

    // Within a distance of the front and of each status: the same places as
    // measuring every place.
    for km in [0.0, 1.0, 5.0, 12.5, 40.0, 200.0] {
        let got = index.within_front(&front, km).unwrap();
        let brute: Vec<&Place> = places
            .iter()
            .filter(|p| {
                front
                    .nearest(point_of(p))
                    .unwrap()
                    .is_some_and(|n| n.km <= km)
            })
            .collect();
        let mut want: Vec<String> = brute.iter().map(|p| p.label().to_string()).collect();
        want.sort();
        assert_eq!(names(&got), want, "front within {km} km");
        assert!(got.windows(2).all(|w| w[0].km() <= w[1].km()));
        for status in [Status::OCCUPIED, Status::CONTESTED, Status::LIBERATED] {
            let got = index.within_status(&zones, &status, km).unwrap();
            let mut want: Vec<String> = places
                .iter()
                .filter(|p| {
                    zones
                        .nearest(point_of(p), &status)
                        .unwrap()
                        .is_some_and(|n| n.km <= km)
                })
                .map(|p| p.label().to_string())
                .collect();
            want.sort();
            assert_eq!(names(&got), want, "{status} within {km} km");
        }
    }

    // Bands: every place within the last edge in exactly the band of its distance.
    let bands = index.bands(&front, &[2.0, 10.0, 30.0], None).unwrap();
    assert_eq!(bands.len(), 3);
    let mut total = 0;
    for p in &places {
        let d = front.nearest(point_of(p)).unwrap().unwrap().km;
        let hits: Vec<usize> = bands
            .iter()
            .enumerate()
            .filter(|(_, b)| b.places.iter().any(|x| x.place.label() == p.label()))
            .map(|(i, _)| i)
            .collect();
        let want = if d < 2.0 {
            vec![0]
        } else if d < 10.0 {
            vec![1]
        } else if d <= 30.0 {
            vec![2]
        } else {
            vec![]
        };
        assert_eq!(hits, want, "{} at {d} km", p.label());
        total += hits.len();
    }
    assert!(total > 50, "the sample should fill the bands: {total}");
    assert!(bands.iter().all(|b| b.area_km2.is_none()));
}

#[test]
fn band_areas_grow_with_distance_and_match_a_circle() {
    // A front that is one short line: the area within d of it inside a region
    // that holds the whole buffer is π d² + 2 d L (a stadium), geodesically up to
    // the method's bound. A 0.2°-long line at 48° N, region 6° × 4° around it.
    let rect = |x0: f64, x1: f64, y0: f64, y1: f64| {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]])
    };
    // Occupied ground east of 37°; the area of interest cuts all of its edges
    // but the western one (37°, 47.9°-48.1°) out of the front.
    let occupied = rect(37.0, 38.0, 47.9, 48.1);
    let snapshot =
        frontline::Snapshot::new(None, vec![frontline::Zone::new(Status::OCCUPIED, occupied)]);
    let aoi = rect(30.0, 37.5, 47.9, 48.1);
    let front = Front::derive(
        &snapshot,
        &FrontOptions::default().within(aoi).tolerance_m(100.0),
    )
    .unwrap();
    let length = front.length_km();
    // The meridian's 22.2 km, less the pieces within 100 m of the outline.
    assert!(length > 21.5 && length < 22.2, "{length}");
    let region = rect(33.0, 39.0, 46.0, 50.0);
    let places = [place("a", geo::point!(x: 36.9, y: 48.0))];
    let index = PlaceIndex::new(&places).unwrap();
    let bands = index.bands(&front, &[10.0, 50.0], Some(&region)).unwrap();
    let within_10 = bands[0].area_km2.unwrap();
    let within_50 = within_10 + bands[1].area_km2.unwrap();
    for (d, got) in [(10.0, within_10), (50.0, within_50)] {
        let want = std::f64::consts::PI * d * d + 2.0 * d * length;
        eprintln!("within {d} km: {got:.3} km², stadium {want:.3} km²");
        assert!((got - want).abs() / want < 0.002, "{d} km: {got} vs {want}");
    }
    assert_eq!(bands[0].places.len(), 1);
    // Bad input: edges not increasing, a region without area, a region too wide.
    assert!(index.bands(&front, &[10.0, 5.0], None).is_err());
    assert!(index.bands(&front, &[-1.0], None).is_err());
    assert!(index.bands(&front, &[f64::NAN], None).is_err());
    assert!(
        index
            .bands(&front, &[10.0], Some(&MultiPolygon(vec![])))
            .is_err()
    );
    assert!(
        index
            .bands(&front, &[10.0], Some(&rect(10.0, 50.0, 40.0, 60.0)))
            .is_err()
    );
    assert!(index.bands(&front, &[], Some(&region)).unwrap().is_empty());
}

#[test]
fn bad_places_and_distances_are_refused() {
    let empty: Vec<Place> = vec![];
    assert!(PlaceIndex::new(&empty).is_err());
    let no_area = [Place::new(
        Default::default(),
        PlaceGeometry::Area(MultiPolygon(vec![])),
    )];
    let err = PlaceIndex::new(&no_area).unwrap_err();
    assert!(
        err.to_string().contains("no place has a usable geometry"),
        "{err}"
    );
    let nan = [place("bad", geo::point!(x: f64::NAN, y: 48.0))];
    let err = PlaceIndex::new(&nan).unwrap_err();
    assert!(err.to_string().contains("bad"), "{err}");
    let far = [place("far", geo::point!(x: 37.0, y: 95.0))];
    assert!(PlaceIndex::new(&far).is_err());
    let ok = [place("ok", geo::point!(x: 37.0, y: 48.0))];
    let index = PlaceIndex::new(&ok).unwrap();
    assert!(index.nearest_k(geo::point!(x: 200.0, y: 0.0), 3).is_err());
    // An empty snapshot: no front, no ground, so nothing is within any distance.
    let snapshot = frontline::Snapshot::new(None, vec![]);
    let front = Front::derive(&snapshot, &FrontOptions::default()).unwrap();
    assert!(index.within_front(&front, 10.0).unwrap().is_empty());
    assert!(index.within_front(&front, -1.0).is_err());
    assert!(index.within_front(&front, f64::INFINITY).is_err());
    let zones = ProximityIndex::new(&snapshot);
    assert!(
        index
            .within_status(&zones, &Status::OCCUPIED, 10.0)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn covered_places_equal_a_brute_force_scan() {
    use frontline::GeodesicAreaKm2;
    use geo::{BooleanOps, Contains};
    let square = |x: f64, y: f64, s: f64| {
        MultiPolygon(vec![polygon![
            (x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)]])
    };
    // Split along a meridian, a square is covered half (up to the few 1e-7 by
    // which a 0.2° geodesic edge bows away from two 0.1° ones).
    let half = [Place::new(
        serde_json::json!({"name": "half"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        PlaceGeometry::Area(square(37.0, 48.0, 0.2)),
    )];
    let index = PlaceIndex::new(&half).unwrap();
    let c = index.covered_by(&square(37.1, 47.0, 3.0));
    assert_eq!(c.len(), 1);
    assert!((c[0].share - 0.5).abs() < 1e-5, "{}", c[0].share);
    assert!(index.covered_by(&square(40.0, 40.0, 1.0)).is_empty());
    assert!(index.covered_by(&MultiPolygon(vec![])).is_empty());

    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/snapshots/deepstate_20250801.geojson");
    let snapshot = import::read_zones(path, None).unwrap().snapshot;
    let mut rng = Rng(5);
    let mut places = Vec::new();
    for i in 0..150 {
        let p = rng.point(36.8, 38.4, 47.8, 48.8);
        let geometry = if i % 2 == 0 {
            PlaceGeometry::Point(p)
        } else {
            PlaceGeometry::Area(square(p.x(), p.y(), 0.01 + 0.05 * rng.next()))
        };
        let props = serde_json::json!({ "name": format!("p{i}") });
        places.push(Place::new(
            props.as_object().cloned().unwrap_or_default(),
            geometry,
        ));
    }
    let index = PlaceIndex::new(&places).unwrap();
    for layer in snapshot.layers() {
        let zone = layer.geometry();
        let got = index.covered_by(zone);
        let mut brute: Vec<(String, f64)> = places
            .iter()
            .filter_map(|p| {
                let share = match &p.geometry {
                    PlaceGeometry::Point(q) => f64::from(u8::from(zone.contains(q))),
                    PlaceGeometry::Area(a) => {
                        // Rounding in the overlay can leave 1 + 1e-8: shares are capped.
                        (a.intersection(zone).geodesic_area_km2() / a.geodesic_area_km2()).min(1.0)
                    }
                };
                (share > 0.0).then(|| (p.label().to_string(), share))
            })
            .collect();
        brute.sort_by(|a, b| a.0.cmp(&b.0));
        let mut mine: Vec<(String, f64)> = got
            .iter()
            .map(|c| (c.place.label().to_string(), c.share))
            .collect();
        mine.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(mine.len(), brute.len(), "{}", layer.status());
        for (m, b) in mine.iter().zip(&brute) {
            assert_eq!(m.0, b.0);
            assert!((m.1 - b.1).abs() < 1e-9, "{m:?} vs {b:?}");
        }
        assert!(got.windows(2).all(|w| w[0].share >= w[1].share));
    }
}
