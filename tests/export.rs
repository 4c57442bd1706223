//! Export: what is written parses back (geojson crate) to the same geometries and
//! areas; RFC 7946 winding and precision on every polygon; the SVG is well-formed
//! and draws every feature; bad input fails cleanly.

mod common;

use common::frontline;

use std::path::PathBuf;
use std::process::Output;

use frontline::export::{Aoi, Export, ExportOptions, SvgOptions, svg_map};
use frontline::proximity::{Front, FrontOptions};
use frontline::{GeodesicAreaKm2, Occupation, Snapshot, Status, import};
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
    // Occupied in its two parts (the sample draws ORDLO), contested, liberated.
    assert_eq!(export.layers(&august).unwrap(), 4);
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

    // Layers: same ground and area as the snapshot's, within rounding; the
    // occupied layer as its two parts, which together make it up.
    let original_of = |status: &Status, since: Option<&str>| match since {
        Some("2014") => august.occupied_part(Occupation::Since2014),
        Some(_) => august.occupied_part(Occupation::Since2022),
        None => august.layer(status),
    };
    for status in [Status::OCCUPIED, Status::CONTESTED, Status::LIBERATED] {
        let written: Vec<_> = fc
            .features
            .iter()
            .filter(|f| {
                f.property("kind").unwrap() == "layer"
                    && f.property("status").unwrap() == status.as_str()
            })
            .collect();
        assert_eq!(
            written.len(),
            if status == Status::OCCUPIED { 2 } else { 1 }
        );
        let mut together = MultiPolygon::<f64>(Vec::new());
        for f in written {
            let since = f.property("occupied_since").map(|v| v.as_str().unwrap());
            assert_eq!(since.is_some(), status == Status::OCCUPIED, "{status}");
            let what = format!("{status} {since:?}");
            let geometry = polygons(f).unwrap();
            let original = original_of(&status, since).unwrap().geometry();
            let stated = f.property("area_km2").unwrap().as_f64().unwrap();
            let measured = original.geodesic_area_km2();
            assert!((stated - measured).abs() <= 0.0005 + 1e-12, "{what}");
            assert!(
                (geometry.geodesic_area_km2() - measured).abs() < 1e-4 * measured.max(1.0),
                "{what}"
            );
            let apart = geometry.xor(original).geodesic_area_km2();
            assert!(apart < 1e-5 * measured, "{what}: {apart} km² differ");
            assert_eq!(f.property("date").unwrap(), "2025-08-01T09:00:00Z");
            assert_eq!(f.property("time").unwrap(), 1_754_038_800_000i64);
            for key in ["fill", "fill-opacity", "stroke", "stroke-width", "name"] {
                assert!(f.property(key).is_some(), "{key}");
            }
            together.0.extend(geometry.0);
        }
        let layer = august.layer(&status).unwrap().geometry();
        let apart = together.xor(layer).geodesic_area_km2();
        assert!(
            apart < 1e-5 * layer.geodesic_area_km2(),
            "{status}: {apart} km²"
        );
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
    assert_eq!(fc.features.len(), 8); // occupied in two parts, twice
    // Sorted by date; the first frame lasts until the second.
    assert_eq!(
        fc.features[0].property("date").unwrap(),
        "2025-06-01T09:00:00Z"
    );
    assert_eq!(
        fc.features[0].property("until").unwrap(),
        "2025-08-01T09:00:00Z"
    );
    assert!(fc.features[7].property("until").is_none());
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
    // The part since 2014 (ORDLO) is the same in June and August: written once.
    assert_eq!(
        changed.series([&june, &june_again, &august], true).unwrap(),
        7
    );
    let fc = changed.to_feature_collection();
    let since = |i: usize| fc.features[i].property("occupied_since").unwrap().clone();
    assert_eq!((since(0), since(1)), ("2014".into(), "2022".into()));
    assert!(fc.features[0].property("until").is_none());
    assert_eq!(
        fc.features[1].property("until").unwrap(),
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
    assert!(out.contains("features 19;"), "{out}");
    let fc: geojson::FeatureCollection = std::fs::read_to_string(&g).unwrap().parse().unwrap();
    assert_eq!(fc.features.len(), 19);
    check_rfc7946(&fc, 5);
    let page = std::fs::read_to_string(&h).unwrap();
    assert!(page.contains("https://unpkg.com/leaflet@1.9.4/dist/leaflet.js"));
    assert_eq!(svg_shapes(&std::fs::read_to_string(&s).unwrap()), 19);
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

/// The layer features of a feature collection whose status is occupied, by
/// their `occupied_since` as written (`None`: the property is absent).
fn occupied_layers(
    fc: &geojson::FeatureCollection,
) -> Vec<(Option<serde_json::Value>, &geojson::Feature)> {
    fc.features
        .iter()
        .filter(|f| {
            f.property("kind").unwrap() == "layer" && f.property("status").unwrap() == "occupied"
        })
        .map(|f| (f.property("occupied_since").cloned(), f))
        .collect()
}

fn contains(f: &geojson::Feature, x: f64, y: f64) -> bool {
    use geo::Contains;
    polygons(f).unwrap().contains(&geo::point!(x: x, y: y))
}

/// The raw daily map of 27 October 2025 over Donetsk oblast: the occupied layer
/// in its two parts, each with `occupied_since`, whose km² are those of the
/// independent reference (tests/reference/daily_reference.py: Shapely and
/// pyproj) within 0.01 %; Donetsk city lies in the part since 2014, Mariupol in
/// the part since 2022. The occupied-only file of the same day: one occupied
/// feature whose `occupied_since` is null. RFC 7946 throughout.
#[test]
fn real_layers_carry_occupied_since() {
    let Some(data) = common::shared_data("real_layers_carry_occupied_since") else {
        return;
    };
    let text = std::fs::read_to_string(common::repo().join("tests/reference/daily_reference.json"))
        .unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let day = reference["donetsk"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "deepstatemap_data_20251027_polygons.geojson.gz")
        .unwrap();
    let oblast_ref = &day["regions"][0];
    assert_eq!(oblast_ref["name"], "Donetsk Oblast");
    let expected = |part: &str| oblast_ref["status"][part]["km2"].as_f64().unwrap();

    let oblast = import::read_places(data.join("admin/donetsk/oblast.geojson"))
        .unwrap()
        .union()
        .unwrap();
    let options = || ExportOptions::default().aoi(Aoi::new("Donetsk Oblast", oblast.clone()));
    let raw = snapshot(
        data.join("deepstate/raw-daily/deepstatemap_data_20251027_polygons.geojson.gz")
            .to_str()
            .unwrap(),
    );
    let mut export = Export::new(options()).unwrap();
    export.layers(&raw).unwrap();
    let text = export.to_geojson_string();
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    check_rfc7946(&fc, 6);
    let occupied = occupied_layers(&fc);
    assert_eq!(
        occupied.len(),
        2,
        "{:?}",
        occupied.iter().map(|o| &o.0).collect::<Vec<_>>()
    );
    let (older, newer) = (occupied[0].1, occupied[1].1);
    assert_eq!(occupied[0].0, Some("2014".into()));
    assert_eq!(occupied[1].0, Some("2022".into()));
    assert_eq!(older.property("name").unwrap(), "Occupied since 2014");
    assert_eq!(newer.property("name").unwrap(), "Occupied since 2022");
    for (f, part) in [
        (older, "occupied_since_2014"),
        (newer, "occupied_since_2022"),
    ] {
        let km2 = f.property("area_km2").unwrap().as_f64().unwrap();
        common::assert_km2(km2, expected(part), 0.01, part);
        assert_eq!(f.property("fill").unwrap(), "#a52714");
    }
    // Donetsk city (held since 2014) and Mariupol (taken in 2022).
    assert!(contains(older, 37.80, 48.00) && !contains(newer, 37.80, 48.00));
    assert!(contains(newer, 37.55, 47.10) && !contains(older, 37.55, 47.10));
    // Other statuses have no such property.
    for f in &fc.features {
        if f.property("status").unwrap() != "occupied" {
            assert!(
                f.property("occupied_since").is_none(),
                "{:?}",
                f.property("status")
            );
        }
    }

    // The occupied-only file: the same ground, since unknown (null, not absent).
    let plain = snapshot(
        data.join("deepstate/occupied-daily/deepstatemap_data_20251027.geojson")
            .to_str()
            .unwrap(),
    );
    let mut export = Export::new(options()).unwrap();
    export.layers(&plain).unwrap();
    let text = export.to_geojson_string();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let features = value["features"].as_array().unwrap();
    assert_eq!(features.len(), 1);
    let p = features[0]["properties"].as_object().unwrap();
    assert_eq!(p.get("occupied_since"), Some(&serde_json::Value::Null));
    assert_eq!(p["name"], "Occupied");
    // Within 0.5 % of the raw file's occupied ground (tests/daily.rs).
    let km2 = p["area_km2"].as_f64().unwrap();
    let whole = expected("occupied");
    assert!((km2 - whole).abs() < 0.005 * whole, "{km2} vs {whole}");
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    check_rfc7946(&fc, 6);
}

/// Zones as drawn carry their own class's year; changes and places carry the
/// year of their ground; nothing is written twice under the diff's part
/// statuses. Ground taken in October 2025 is all since 2022.
#[test]
fn real_zones_changes_and_places_carry_occupied_since() {
    let Some(data) = common::shared_data("real_zones_changes_and_places_carry_occupied_since")
    else {
        return;
    };
    let daily = |d: &str| {
        snapshot(
            data.join(format!(
                "deepstate/raw-daily/deepstatemap_data_{d}_polygons.geojson.gz"
            ))
            .to_str()
            .unwrap(),
        )
    };
    let (october, end) = (daily("20251001"), daily("20251027"));
    let oblast = import::read_places(data.join("admin/donetsk/oblast.geojson"))
        .unwrap()
        .union()
        .unwrap();
    let options = || ExportOptions::default().aoi(Aoi::new("Donetsk Oblast", oblast.clone()));

    let mut zones = Export::new(options()).unwrap();
    zones.zones(&end).unwrap();
    let fc = zones.to_feature_collection();
    let mut years = std::collections::BTreeMap::new();
    for f in &fc.features {
        let name = f.property("name").unwrap().as_str().unwrap().to_string();
        let since = f.property("occupied_since").cloned();
        let expected = match name.as_str() {
            "CADR and CALR" | "Occupied Crimea" | "Occupied Tuzla Island" => Some("2014".into()),
            "Occupied" => Some("2022".into()),
            _ => None,
        };
        assert_eq!(since, expected, "{name}");
        *years.entry(name).or_insert(0) += 1;
    }
    assert!(
        years.contains_key("CADR and CALR") && years.contains_key("Occupied"),
        "{years:?}"
    );

    let mut changes = Export::new(options()).unwrap();
    changes.changes(&october, &end).unwrap();
    let fc = changes.to_feature_collection();
    check_rfc7946(&fc, 6);
    let gained: Vec<_> = fc
        .features
        .iter()
        .filter(|f| {
            f.property("status").unwrap() == "occupied" && f.property("change").unwrap() == "gained"
        })
        .collect();
    assert!(!gained.is_empty());
    for f in &gained {
        assert_eq!(f.property("occupied_since").unwrap(), "2022");
        assert_eq!(f.property("name").unwrap(), "Occupied since 2022 gained");
    }
    let km2: f64 = gained
        .iter()
        .map(|f| f.property("area_km2").unwrap().as_f64().unwrap())
        .sum();
    assert!(km2 > 10.0, "{km2} km² gained in October 2025");
    assert!(
        fc.features.iter().all(|f| !f
            .property("status")
            .unwrap()
            .as_str()
            .unwrap()
            .starts_with("occupied_since")),
        "the diff's parts are not written again"
    );

    let places = import::read_places(data.join("admin/donetsk/places.geojson")).unwrap();
    let mut export = Export::new(options()).unwrap();
    export.places(&places, &end, None).unwrap();
    let fc = export.to_feature_collection();
    let place = |n: &str| {
        fc.features
            .iter()
            .find(|f| f.property("name").unwrap() == n)
            .unwrap()
    };
    assert_eq!(place("Donetsk").property("occupied_since").unwrap(), "2014");
    assert_eq!(
        place("Horlivka").property("occupied_since").unwrap(),
        "2014"
    );
    assert_eq!(
        place("Mariupol").property("occupied_since").unwrap(),
        "2022"
    );
    assert_eq!(place("Kramatorsk").property("status").unwrap(), "unmarked");
    assert!(place("Kramatorsk").property("occupied_since").is_none());
}

/// The command writes the property to GeoJSON and KML (where null, which KML
/// cannot hold, is left out, as for every null property).
#[test]
fn cli_export_writes_occupied_since() {
    let Some(data) = common::shared_data("cli_export_writes_occupied_since") else {
        return;
    };
    let dir = temp_dir("cli-since");
    let raw = data.join("deepstate/raw-daily/deepstatemap_data_20251027_polygons.geojson.gz");
    let plain = data.join("deepstate/occupied-daily/deepstatemap_data_20251027.geojson");
    let aoi = data.join("admin/donetsk/oblast.geojson");
    let run = |zones: &std::path::Path, out: &std::path::Path| {
        let o = frontline(&[
            "export",
            zones.to_str().unwrap(),
            "--aoi",
            aoi.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    };
    for name in ["raw.geojson", "raw.kml"] {
        let out = dir.join(name);
        run(&raw, &out);
        let read = import::read_places(&out).unwrap();
        let mut since: Vec<String> = read
            .iter()
            .filter(|p| p.properties["status"] == "occupied")
            .map(|p| p.properties["occupied_since"].as_str().unwrap().to_string())
            .collect();
        since.sort();
        assert_eq!(since, ["2014", "2022"], "{name}");
    }
    let out = dir.join("plain.geojson");
    run(&plain, &out);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        v["features"][0]["properties"]["occupied_since"],
        serde_json::Value::Null
    );
    assert!(
        v["features"][0]["properties"]
            .as_object()
            .unwrap()
            .contains_key("occupied_since")
    );
    let out = dir.join("plain.kml");
    run(&plain, &out);
    let read = import::read_places(&out).unwrap();
    let p = &read.iter().next().unwrap().properties;
    assert_eq!(p["status"], "occupied");
    assert!(
        p.get("occupied_since")
            .is_none_or(serde_json::Value::is_null),
        "{p:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
