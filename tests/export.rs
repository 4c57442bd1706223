//! Export: what is written parses back (geojson crate) to the same geometries and
//! areas; RFC 7946 winding and precision on every polygon; the SVG is well-formed
//! and draws every feature; bad input fails cleanly.

mod common;

use common::frontline;

use std::path::PathBuf;
use std::process::Output;

use frontline::export::{Aoi, Export, ExportOptions, SvgOptions, svg_map};
use frontline::proximity::{Front, FrontOptions};
use frontline::{GeodesicAreaKm2, Snapshot, Status, import};
use geo::{BooleanOps, CoordsIter, MultiPolygon, Winding};

const JUNE: &str = "data/snapshots/deepstate_20250601.geojson";
const AUGUST: &str = "data/snapshots/deepstate_20250801.geojson";

fn snapshot(path: &str) -> Snapshot {
    import::read_zones(path, None).unwrap().snapshot
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("frontline-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn polygons(f: &geojson::Feature) -> Option<MultiPolygon<f64>> {
    let g = geo::Geometry::<f64>::try_from(f.geometry.as_ref()?).unwrap();
    match g {
        geo::Geometry::Polygon(p) => Some(MultiPolygon(vec![p])),
        geo::Geometry::MultiPolygon(m) => Some(m),
        _ => None,
    }
}

/// Every coordinate has at most `decimals` decimals; every polygon is RFC 7946
/// wound; returns the number of polygons checked.
fn check_rfc7946(fc: &geojson::FeatureCollection, decimals: i32) -> usize {
    let scale = 10f64.powi(decimals);
    let mut checked = 0;
    for f in &fc.features {
        let g = geo::Geometry::<f64>::try_from(f.geometry.as_ref().unwrap()).unwrap();
        for c in g.coords_iter() {
            assert_eq!((c.x * scale).round() / scale, c.x, "{c:?}");
            assert_eq!((c.y * scale).round() / scale, c.y, "{c:?}");
        }
        if let Some(mp) = polygons(f) {
            for p in &mp.0 {
                assert!(p.exterior().is_ccw(), "exterior not counter-clockwise");
                assert!(
                    p.interiors().iter().all(|h| h.is_cw()),
                    "hole not clockwise"
                );
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn round_trip_layers_zones_changes_places_front() {
    let (june, august) = (snapshot(JUNE), snapshot(AUGUST));
    let places = import::read_places("data/places.geojson").unwrap();
    let front = Front::derive(&august, &FrontOptions::default()).unwrap();
    let mut export = Export::new(ExportOptions::default().with_bbox(true)).unwrap();
    assert_eq!(export.layers(&august).unwrap(), 3);
    assert_eq!(export.zones(&august).unwrap(), august.zones().len());
    assert!(export.changes(&june, &august).unwrap() >= 2);
    assert_eq!(export.front(&front, august.date()).unwrap(), 1);
    assert_eq!(export.places(&places, &august, Some(&front)).unwrap(), 14);

    let dir = temp_dir("roundtrip");
    let path = dir.join("out.geojson");
    let bytes = export.write(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.len(), bytes);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(value.get("crs").is_none());
    assert_eq!(value["bbox"].as_array().unwrap().len(), 4);
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    assert_eq!(fc.features.len(), export.report().features);
    assert!(check_rfc7946(&fc, 6) > 10);
    // No Z anywhere: every position is two numbers.
    fn positions(v: &serde_json::Value, out: &mut Vec<usize>) {
        if let Some(items) = v.as_array() {
            if items.iter().all(serde_json::Value::is_number) {
                out.push(items.len());
            } else {
                items.iter().for_each(|i| positions(i, out));
            }
        }
    }
    let mut lengths = Vec::new();
    for f in value["features"].as_array().unwrap() {
        positions(&f["geometry"]["coordinates"], &mut lengths);
    }
    assert!(lengths.len() > 1000 && lengths.iter().all(|&n| n == 2));

    // Layers: same ground and area as the snapshot's, within rounding.
    for status in [Status::OCCUPIED, Status::CONTESTED, Status::LIBERATED] {
        let f = fc
            .features
            .iter()
            .find(|f| {
                f.property("kind").unwrap() == "layer"
                    && f.property("status").unwrap() == status.as_str()
            })
            .unwrap();
        let written = polygons(f).unwrap();
        let original = august.layer(&status).unwrap().geometry();
        let stated = f.property("area_km2").unwrap().as_f64().unwrap();
        let measured = original.geodesic_area_km2();
        assert!((stated - measured).abs() <= 0.0005 + 1e-12, "{status}");
        assert!(
            (written.geodesic_area_km2() - measured).abs() < 1e-4 * measured.max(1.0),
            "{status}"
        );
        let apart = written.xor(original).geodesic_area_km2();
        assert!(apart < 1e-5 * measured, "{status}: {apart} km² differ");
        assert_eq!(f.property("date").unwrap(), "2025-08-01T09:00:00Z");
        assert_eq!(f.property("time").unwrap(), 1_754_038_800_000i64);
        for key in ["fill", "fill-opacity", "stroke", "stroke-width", "name"] {
            assert!(f.property(key).is_some(), "{key}");
        }
    }
    let occupied = fc
        .features
        .iter()
        .find(|f| f.property("status").unwrap() == "occupied")
        .unwrap();
    assert_eq!(occupied.property("fill").unwrap(), "#a52714");
    // Places carry status and distance; the changes their kind.
    let city = fc
        .features
        .iter()
        .find(|f| f.property("name").is_some_and(|n| n == "Demo City"))
        .unwrap();
    assert!(city.property("front_km").unwrap().is_number());
    assert!(
        fc.features
            .iter()
            .any(|f| f.property("change").is_some_and(|c| c == "gained"))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn precision_and_simplification_are_reported() {
    let august = snapshot(AUGUST);
    let mut plain = Export::new(ExportOptions::default()).unwrap();
    plain.layers(&august).unwrap();
    let mut small = Export::new(ExportOptions::default().precision(4).simplify_m(300.0)).unwrap();
    small.layers(&august).unwrap();
    let (p, s) = (plain.report(), small.report());
    assert!(s.vertices_after < p.vertices_after, "{s:?}");
    assert!(small.to_geojson_string().len() < plain.to_geojson_string().len());
    assert!((s.area_km2 - p.area_km2).abs() < 1e-9);
    assert!(s.simplification_pct().abs() < 1.0, "{s:?}");
    assert!(s.simplification_pct() != 0.0);
    assert!(s.rounding_pct().abs() < 0.1, "{s:?}");
    let fc: geojson::FeatureCollection = small.to_geojson_string().parse().unwrap();
    check_rfc7946(&fc, 4);
    for f in &fc.features {
        let mp = polygons(f).unwrap();
        assert!(geo::Validation::is_valid(&mp), "{:?}", f.property("status"));
    }
}

#[test]
fn time_enabled_series_and_changed_only() {
    let (june, august) = (snapshot(JUNE), snapshot(AUGUST));
    let mut all = Export::new(ExportOptions::default()).unwrap();
    all.series([&august, &june], false).unwrap();
    let fc = all.to_feature_collection();
    assert_eq!(fc.features.len(), 6);
    // Sorted by date; the first frame lasts until the second.
    assert_eq!(
        fc.features[0].property("date").unwrap(),
        "2025-06-01T09:00:00Z"
    );
    assert_eq!(
        fc.features[0].property("until").unwrap(),
        "2025-08-01T09:00:00Z"
    );
    assert!(fc.features[5].property("until").is_none());
    assert!(
        fc.features
            .iter()
            .all(|f| f.property("time").unwrap().is_i64())
    );
    // A map repeated: with changed_only its features are written once and last
    // until the next change.
    let june_again = Snapshot::new(
        Some(june.date().unwrap() + chrono::Duration::days(7)),
        june.zones().to_vec(),
    );
    let mut changed = Export::new(ExportOptions::default()).unwrap();
    assert_eq!(
        changed.series([&june, &june_again, &august], true).unwrap(),
        6
    );
    let fc = changed.to_feature_collection();
    assert_eq!(
        fc.features[0].property("until").unwrap(),
        "2025-08-01T09:00:00Z"
    );
    let undated = Snapshot::new(None, june.zones().to_vec());
    assert!(
        Export::new(ExportOptions::default())
            .unwrap()
            .series([&undated], false)
            .is_err()
    );
}

#[test]
fn clip_to_an_area_of_interest() {
    let august = snapshot(AUGUST);
    let aoi = Aoi::from_bbox("37.3,48.2,37.6,48.4").unwrap();
    let mut export = Export::new(ExportOptions::default().aoi(aoi.clone())).unwrap();
    export.layers(&august).unwrap();
    let fc = export.to_feature_collection();
    assert!(!fc.features.is_empty());
    for f in &fc.features {
        let mp = polygons(f).unwrap();
        let outside = mp.difference(aoi.area()).geodesic_area_km2();
        assert!(outside < 1e-6, "{outside}");
    }
    let region = import::read_places("data/region.geojson")
        .unwrap()
        .union()
        .unwrap();
    let mut oblast =
        Export::new(ExportOptions::default().aoi(Aoi::new("Demo Oblast", region.clone()))).unwrap();
    oblast.layers(&august).unwrap();
    let share = august.share_of("Demo Oblast", &region).unwrap();
    let written = oblast.report().area_km2;
    let expected: f64 = share.statuses.iter().map(|(_, a)| a.km2).sum();
    assert!(
        (written - expected).abs() < 1e-6 * expected,
        "{written} {expected}"
    );
    // Places outside the area are left out; none inside is an error naming it.
    let places = import::read_places("data/places.geojson").unwrap();
    let far = Aoi::from_bbox("30,45,31,46").unwrap();
    let err = Export::new(ExportOptions::default().aoi(far))
        .unwrap()
        .places(&places, &august, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("box 30,45,31,46") && err.contains("places.geojson"),
        "{err}"
    );
}

/// Counts the elements of a well-formed XML document whose class starts with
/// "feature" (quick-xml fails on anything that is not well-formed).
fn svg_shapes(svg: &str) -> usize {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let (mut shapes, mut depth, mut roots) = (0, 0i32, 0);
    loop {
        let event = reader.read_event().unwrap();
        let (start, element) = match event {
            Event::Start(e) => (true, e),
            Event::Empty(e) => (false, e),
            Event::End(_) => {
                depth -= 1;
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name: String = element.name().as_ref().to_string();
        if depth == 0 {
            roots += 1;
            assert_eq!(name, "svg");
        }
        let is_feature = element.attributes().any(|a| {
            let a = a.unwrap();
            a.key.as_ref() == "class" && a.value.starts_with("feature")
        });
        if is_feature {
            assert!(name == "path" || name == "circle", "{name}");
            shapes += 1;
        }
        if start {
            depth += 1;
        }
    }
    assert_eq!((roots, depth), (1, 0));
    shapes
}

#[test]
fn svg_is_well_formed_and_draws_every_feature() {
    let august = snapshot(AUGUST);
    let places = import::read_places("data/places.geojson").unwrap();
    let front = Front::derive(&august, &FrontOptions::default()).unwrap();
    let mut export = Export::new(ExportOptions::default()).unwrap();
    export.layers(&august).unwrap();
    export.front(&front, august.date()).unwrap();
    export.places(&places, &august, Some(&front)).unwrap();
    let fc = export.to_feature_collection();
    let svg = svg_map(&fc, &SvgOptions::default()).unwrap();
    assert_eq!(svg_shapes(&svg), fc.features.len());
    // Credits for what is drawn: zones and places, no boundary file.
    assert!(svg.contains("Zones: DeepStateMap") && svg.contains("Places: GeoNames"));
    assert!(!svg.contains("OpenStreetMap"));
    assert!(svg.contains(r#"class="scale-bar""#));
    assert!(svg.contains(">Demo City</text>"));
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn cli_writes_geojson_html_and_svg() {
    let dir = temp_dir("cli");
    let (g, h, s) = (dir.join("m.geojson"), dir.join("m.html"), dir.join("m.svg"));
    let o = frontline(&[
        "export",
        AUGUST,
        "--places",
        "data/places.geojson",
        "--front",
        "--simplify",
        "100m",
        "--precision",
        "5",
        "-o",
        g.to_str().unwrap(),
        "--html",
        h.to_str().unwrap(),
        "--svg",
        s.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("features 18;"), "{out}");
    let fc: geojson::FeatureCollection = std::fs::read_to_string(&g).unwrap().parse().unwrap();
    assert_eq!(fc.features.len(), 18);
    check_rfc7946(&fc, 5);
    let page = std::fs::read_to_string(&h).unwrap();
    assert!(page.contains("https://unpkg.com/leaflet@1.9.4/dist/leaflet.js"));
    assert_eq!(svg_shapes(&std::fs::read_to_string(&s).unwrap()), 18);
    // Only the three files: no temporary file left behind.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cli_bad_input() {
    let dir = temp_dir("cli-bad");
    // An output that cannot be written fails before the (missing) input is read.
    let o = frontline(&[
        "export",
        "no/such/zones.geojson",
        "-o",
        "no/such/dir/out.geojson",
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no/such/dir"), "{}", stderr(&o));
    let o = frontline(&["export", AUGUST, "--svg", dir.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    // An area of interest away from the data: an error naming it, nothing written.
    let out = dir.join("out.geojson");
    let o = frontline(&[
        "export",
        AUGUST,
        "--bbox",
        "10,10,11,11",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("box 10,10,11,11 does not intersect"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    let o = frontline(&["export", AUGUST, "--bbox", "11,10,10,11"]);
    assert!(!o.status.success());
    let o = frontline(&["export", AUGUST, "--precision", "20"]);
    assert!(!o.status.success());
    // An empty selection: a valid, empty FeatureCollection, and a note saying so.
    let empty = dir.join("empty.geojson");
    std::fs::write(&empty, r#"{"type":"FeatureCollection","features":[]}"#).unwrap();
    let o = frontline(&["export", empty.to_str().unwrap(), "--source", "deepstate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let fc: geojson::FeatureCollection = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
    assert!(fc.features.is_empty());
    assert!(
        stderr(&o).contains("empty FeatureCollection"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
