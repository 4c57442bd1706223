//! KML and KMZ: the hand-made Google My Maps sample (statuses from shared styles'
//! fill colours, folders and names; km² against an independent pyproj reference),
//! exports read back by frontline, GDAL (LIBKML and KML drivers) and GeoPandas with
//! the same features, names, time spans and geodesic areas (within 1e-9), files
//! GDAL writes, and bad input. The peers are optional: a part that needs one skips
//! with a printed notice.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{frontline, repo, shared_data};
use frontline::import::{self, Source, StatusMapping};
use frontline::{GeodesicAreaKm2, PlaceGeometry, Places, Status};
use serde_json::Value;

const SAMPLE: &str = "data/mymaps_sample.kml";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("frontline-kml-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether a command runs at all; a notice when not.
fn have(tool: &str, args: &[&str], test: &str) -> bool {
    let ok = Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "NOTICE: {test}: {tool} {} unavailable; that part skipped",
            args.join(" ")
        );
    }
    ok
}

/// Relative agreement within 1e-9.
fn same_km2(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= b.abs() * 1e-9,
        "{what}: {a} km² vs {b} km² (relative {:e})",
        ((a - b) / b).abs()
    );
}

fn km2(places: &Places) -> Vec<f64> {
    places
        .iter()
        .map(|p| match &p.geometry {
            PlaceGeometry::Area(a) => a.geodesic_area_km2(),
            PlaceGeometry::Point(_) => 0.0,
        })
        .collect()
}

fn text<'a>(props: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    props.get(key).and_then(Value::as_str)
}

/// Per status, the km² of a snapshot's zones as read (the sample's zones are
/// disjoint, one per status).
fn zone_km2(snapshot: &frontline::Snapshot) -> BTreeMap<String, f64> {
    let mut km2 = BTreeMap::new();
    for z in snapshot.zones() {
        *km2.entry(z.status.as_str().to_string()).or_insert(0.0) += z.geometry.geodesic_area_km2();
    }
    km2
}

#[test]
fn my_maps_sample_reads_by_style_folder_and_name() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/reference/kml_sample_reference.json")).unwrap(),
    )
    .unwrap();
    let import = import::read_zones(repo().join(SAMPLE), None).unwrap();
    // Shared styles (styleUrl → StyleMap → Style) give DeepState's fill colours.
    assert_eq!(import.source, Source::DeepState);
    let r = &import.report;
    assert_eq!(r.features, 4);
    assert_eq!(r.zones[&Status::OCCUPIED], 1);
    assert_eq!(r.zones[&Status::CONTESTED], 1);
    assert_eq!(r.zones[&Status::LIBERATED], 1);
    assert_eq!(r.markers, 1);
    assert!(r.unclassified.is_empty() && r.warnings.is_empty(), "{r:?}");
    let by_fill = zone_km2(&import.snapshot);
    for (status, km2) in reference["totals_km2"].as_object().unwrap() {
        same_km2(by_fill[status], km2.as_f64().unwrap(), status);
    }
    // The resolved layers: the same ground, up to the overlay's rounding where
    // zones share an edge.
    for l in import.snapshot.layers() {
        let expected = by_fill[l.status().as_str()];
        assert!((l.area_km2() - expected).abs() <= expected * 1e-7, "{l:?}");
    }
    // The same statuses from the folders' names, and from the placemarks' names.
    let folder = StatusMapping::new("folder")
        .parse_pairs("Occupied=occupied,Grey zone=contested,Liberated=liberated")
        .unwrap();
    let name = StatusMapping::new("name")
        .parse_pairs("Polygon 1=occupied,Polygon 2=contested,Polygon 3=liberated")
        .unwrap();
    for mapping in [folder, name] {
        let import =
            import::read_zones(repo().join(SAMPLE), Some(&Source::Generic(mapping))).unwrap();
        assert_eq!(import.report.unclassified.len(), 0);
        assert_eq!(zone_km2(&import.snapshot), by_fill);
    }
    // As places: names, ExtendedData, folders, the CDATA description.
    let places = import::read_places(repo().join(SAMPLE)).unwrap();
    let first = places.find("Polygon 1").unwrap()[0];
    let p = &first.properties;
    assert_eq!(text(p, "folder"), Some("Occupied"));
    assert_eq!(text(p, "source"), Some("sample"));
    assert_eq!(text(p, "fill"), Some("#a52714"));
    assert_eq!(text(p, "stroke"), Some("#a52714"));
    assert_eq!(
        text(p, "description"),
        Some("East of the city, <b>drawn by hand</b>.")
    );
    assert!(matches!(
        places.find("Checkpoint").unwrap()[0].geometry,
        PlaceGeometry::Point(_)
    ));
    // Every command reads it: the CLI's share, with the sample as regions too.
    let o = frontline(&[
        "share",
        SAMPLE,
        "--regions",
        "data/city.geojson",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Demo City"));
    let o = frontline(&[
        "share",
        "data/snapshots/deepstate_20250601.geojson",
        "--regions",
        SAMPLE,
        "--name",
        "Polygon 2",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `frontline export` of the two bundled snapshots to `out`.
fn export(out: &Path) {
    let o = frontline(&[
        "export",
        "data/snapshots/deepstate_20250601.geojson",
        "data/snapshots/deepstate_20250801.geojson",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// (name, date) → km² of each feature of an exported file read by frontline.
fn keyed(places: &Places) -> BTreeMap<(String, String), f64> {
    places
        .iter()
        .zip(km2(places))
        .map(|(p, a)| {
            let name = text(&p.properties, "name").unwrap_or("").to_string();
            let date = text(&p.properties, "date").unwrap_or("").to_string();
            ((name, date), a)
        })
        .collect()
}

#[test]
fn a_series_exports_to_kml_and_kmz_that_gdal_and_geopandas_read() {
    let test = "a_series_exports_to_kml_and_kmz_that_gdal_and_geopandas_read";
    let dir = temp_dir("series");
    let geojson = dir.join("series.geojson");
    export(&geojson);
    let original = keyed(&import::read_places(&geojson).unwrap());
    // Per date: occupied since 2014 and since 2022 (the sample draws ORDLO),
    // contested, liberated.
    assert_eq!(original.len(), 8);
    let gdal = have("ogrinfo", &["--version"], test);
    let gpd = have("python3", &["-c", "import geopandas, pyproj"], test);
    for name in ["series.kml", "series.kmz"] {
        let out = dir.join(name);
        export(&out);
        // frontline reads its file back: names, dates, time spans and km².
        let places = import::read_places(&out).unwrap();
        let back = keyed(&places);
        assert_eq!(back.len(), original.len());
        for (key, km2) in &original {
            same_km2(back[key], *km2, &format!("{name} {key:?}"));
        }
        for p in places.iter() {
            let props = &p.properties;
            assert_eq!(text(props, "begin"), text(props, "date"), "{props:?}");
            // The first snapshot's ground lasts until the second; the last has no end.
            assert_eq!(text(props, "end"), text(props, "until"), "{props:?}");
            let description = text(props, "description").unwrap();
            assert!(description.contains(" km² (geodesic"), "{description}");
        }
        assert_eq!(
            places
                .iter()
                .filter(|p| text(&p.properties, "end") == Some("2025-08-01T09:00:00Z"))
                .count(),
            4
        );
        // Since when, in ExtendedData, for the occupied features only.
        let mut since: Vec<&str> = places
            .iter()
            .filter_map(|p| text(&p.properties, "occupied_since"))
            .collect();
        since.sort();
        assert_eq!(since, ["2014", "2014", "2022", "2022"], "{name}");
        if gdal {
            // LIBKML: features, names and time spans.
            let o = Command::new("ogrinfo")
                .arg("-al")
                .arg(&out)
                .output()
                .unwrap();
            let info = String::from_utf8_lossy(&o.stdout);
            assert!(info.contains("using driver `LIBKML'"), "{info}");
            assert_eq!(info.matches("OGRFeature(").count(), 8, "{info}");
            assert_eq!(info.matches("Name (String) = Occupied since 20").count(), 4);
            assert_eq!(info.matches("occupied_since (String) = 2014").count(), 2);
            assert_eq!(
                info.matches("begin (DateTime) = 2025/06/01 09:00:00+00")
                    .count(),
                4
            );
            assert_eq!(
                info.matches("end (DateTime) = 2025/08/01 09:00:00+00")
                    .count(),
                4
            );
            assert!(info.contains("BRUSH(fc:#A52714"), "{info}");
            // GDAL's geometry, back through GeoJSON: the same km².
            let via = dir.join(format!("{name}.gdal.geojson"));
            let o = Command::new("ogr2ogr")
                .args(["-f", "GeoJSON"])
                .arg(&via)
                .arg(&out)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let gdal_km2 = km2(&import::read_places(&via).unwrap());
            let ours = km2(&places);
            assert_eq!(gdal_km2.len(), ours.len());
            for (a, b) in gdal_km2.iter().zip(&ours) {
                same_km2(*a, *b, &format!("GDAL {name}"));
            }
        }
        if gdal && name.ends_with(".kml") {
            // The older KML driver (expat): features and names.
            let o = Command::new("ogrinfo")
                .args(["--config", "GDAL_SKIP", "LIBKML", "-al"])
                .arg(&out)
                .output()
                .unwrap();
            let info = String::from_utf8_lossy(&o.stdout);
            assert!(info.contains("using driver `KML'"), "{info}");
            assert_eq!(info.matches("OGRFeature(").count(), 8, "{info}");
            assert_eq!(info.matches("Name (String) = Liberated").count(), 2);
        }
        if gpd && name.ends_with(".kml") {
            // GeoPandas (pyogrio) and pyproj's geodesic areas.
            let o = Command::new("python3")
                .arg(repo().join("tests/peer/formats_peer.py"))
                .args(["read", out.to_str().unwrap()])
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let v: Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(v["count"], 8, "{v}");
            let ours = km2(&places);
            for (f, ours) in v["features"].as_array().unwrap().iter().zip(&ours) {
                let name = f["properties"]["Name"]
                    .as_str()
                    .or(f["properties"]["name"].as_str())
                    .unwrap();
                assert!(
                    [
                        "Occupied since 2014",
                        "Occupied since 2022",
                        "Contested (grey zone)",
                        "Liberated"
                    ]
                    .contains(&name),
                    "{f}"
                );
                same_km2(f["area_km2"].as_f64().unwrap(), *ours, "GeoPandas");
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_real_series_with_changed_only_plays_in_order() {
    let Some(data) = shared_data("a_real_series_with_changed_only_plays_in_order") else {
        return;
    };
    let dir = temp_dir("real");
    let out = dir.join("series.kmz");
    let weekly = data.join("deepstate/raw-weekly");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&weekly)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".geojson.gz"))
        .collect();
    files.sort();
    let files = &files[files.len() - 4..];
    let mut args: Vec<&str> = vec!["export"];
    args.extend(files.iter().map(|p| p.to_str().unwrap()));
    let aoi = data.join("admin/donetsk/oblast.geojson");
    args.extend([
        "--aoi",
        aoi.to_str().unwrap(),
        "--changed-only",
        "-o",
        out.to_str().unwrap(),
    ]);
    let o = frontline(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let places = import::read_places(&out).unwrap();
    // Per status (and part of occupied), the spans follow one another: each
    // begins where the last ended.
    let mut spans: BTreeMap<String, Vec<(String, Option<String>)>> = BTreeMap::new();
    for p in places.iter() {
        let mut status = text(&p.properties, "status").unwrap().to_string();
        if let Some(since) = text(&p.properties, "occupied_since") {
            status = format!("{status} since {since}");
        }
        let begin = text(&p.properties, "begin").unwrap().to_string();
        let end = text(&p.properties, "end").map(str::to_string);
        spans.entry(status).or_default().push((begin, end));
    }
    assert!(spans.contains_key("occupied since 2014"), "{spans:?}");
    assert!(spans.contains_key("occupied since 2022"), "{spans:?}");
    assert!(!spans.contains_key("occupied"), "{spans:?}");
    for (status, mut s) in spans {
        s.sort();
        for w in s.windows(2) {
            assert_eq!(w[0].1.as_deref(), Some(w[1].0.as_str()), "{status}: {s:?}");
        }
        assert_eq!(s.last().unwrap().1, None, "{status}: the last lasts");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn files_gdal_writes_are_read_with_the_same_km2() {
    let test = "files_gdal_writes_are_read_with_the_same_km2";
    if !have("ogr2ogr", &["--version"], test) {
        return;
    }
    let dir = temp_dir("gdal");
    for source in ["data/region.geojson", "data/city.geojson"] {
        let original = km2(&import::read_places(repo().join(source)).unwrap());
        for (driver, name) in [("LIBKML", "a.kml"), ("KML", "b.kml"), ("LIBKML", "c.kmz")] {
            let out = dir.join(name);
            let _ = std::fs::remove_file(&out);
            let o = Command::new("ogr2ogr")
                .args(["-f", driver])
                .arg(&out)
                .arg(repo().join(source))
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            // GDAL's KMZ links its layers from doc.kml: entries of the same archive.
            let places = import::read_places(&out).unwrap();
            let back = km2(&places);
            assert_eq!(back.len(), original.len(), "{driver} {source}");
            for (a, b) in back.iter().zip(&original) {
                same_km2(*a, *b, &format!("{driver} {source}"));
            }
            assert!(places.find("Demo Oblast").is_ok() || places.find("Demo City").is_ok());
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn convert_writes_kml_and_kmz_atomically_and_wgs84_only() {
    let dir = temp_dir("convert");
    let region = repo().join("data/region.geojson");
    let original = km2(&import::read_places(&region).unwrap());
    for name in ["r.kml", "r.kmz"] {
        let out = dir.join(name);
        let done = frontline::convert::convert(&region, &out, None, None).unwrap();
        assert_eq!(done.features, 1);
        let back = import::read_places(&out).unwrap();
        same_km2(km2(&back)[0], original[0], name);
        assert_eq!(
            text(&back.iter().next().unwrap().properties, "name:uk"),
            Some("Демо-область")
        );
        // And back to GeoJSON, properties as they were (ExtendedData as text).
        let again = dir.join(format!("{name}.geojson"));
        frontline::convert::convert(&out, &again, None, None).unwrap();
        same_km2(
            km2(&import::read_places(&again).unwrap())[0],
            original[0],
            name,
        );
    }
    // KML is WGS84 only: refused before anything is written; an --input-crs that
    // contradicts KML's is an error too.
    let err = frontline::convert::convert(
        &region,
        dir.join("p.kml"),
        None,
        Some(&frontline::crs::Crs::epsg_code(3857)),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("p.kml") && err.contains("WGS84"), "{err}");
    let err = frontline::convert::convert(
        dir.join("r.kml"),
        dir.join("q.geojson"),
        Some(&frontline::crs::Crs::epsg_code(3857)),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("r.kml") && err.contains("EPSG:3857"), "{err}");
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !left
            .iter()
            .any(|n| n.starts_with("p.") || n.starts_with("q.") || n.ends_with(".tmp")),
        "{left:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A KML document of placemarks (each the inside of a `<Placemark>`).
fn kml(placemarks: &[&str]) -> String {
    let body: String = placemarks
        .iter()
        .map(|p| format!("<Placemark>{p}</Placemark>\n"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document>\n{body}</Document></kml>\n"
    )
}

const SQUARE: &str = "<name>Square</name><Polygon><outerBoundaryIs><LinearRing><coordinates>37,48 37.1,48 37.1,48.1 37,48.1 37,48</coordinates></LinearRing></outerBoundaryIs></Polygon>";

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        z.start_file(*name, options).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// The error of reading `bytes` as places from a file named `name`.
fn error(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let err = import::read_places(&path).unwrap_err().to_string();
    assert!(err.contains(name), "the error names the file: {err}");
    err
}

#[test]
fn bad_kml_and_kmz_are_clear_errors_naming_the_file() {
    let dir = temp_dir("bad");
    let good = kml(&[SQUARE]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("notzip.kmz", b"Rar!\x1a\x07 not a zip".to_vec(), "not a KMZ file"),
        ("broken.kmz", b"PK\x03\x04 and then nothing".to_vec(), "not a readable KMZ"),
        (
            "nokml.kmz",
            zip(&[("readme.txt", b"hello")]),
            "without a .kml file",
        ),
        (
            "bomb.kmz",
            zip(&[("doc.kml", &vec![b' '; 3 << 20])]),
            "zip bomb",
        ),
        (
            "mismatched.kml",
            good.replace("</Polygon>", "</Polygom>").into_bytes(),
            "broken XML on line 3",
        ),
        (
            "short.kml",
            good.as_bytes()[..good.find("</LinearRing>").unwrap()].to_vec(),
            "the file ends inside <LinearRing>: cut short?",
        ),
        (
            "gpx.kml",
            b"<?xml version=\"1.0\"?><gpx></gpx>".to_vec(),
            "root element is <gpx>",
        ),
        (
            "empty.kml",
            Vec::new(),
            "no <kml> element",
        ),
        (
            "latin1.kml",
            b"<kml><Document><Placemark><name>Caf\xe9</name></Placemark></Document></kml>".to_vec(),
            "not UTF-8",
        ),
        (
            "deep.kml",
            format!("<kml>{}{}</kml>", "<Folder>".repeat(100), "</Folder>".repeat(100))
                .into_bytes(),
            "nested more than 64 deep",
        ),
        (
            "link.kml",
            kml(&[]).replace(
                "<Document>",
                "<Document><NetworkLink><name>Live map</name><Link><href>https://example.com/live.kml</href></Link></NetworkLink>",
            )
            .into_bytes(),
            "NetworkLink \"Live map\" (to https://example.com/live.kml), which frontline does not follow",
        ),
        (
            "link.kmz",
            zip(&[(
                "doc.kml",
                kml(&[]).replace(
                    "<Document>",
                    "<Document><NetworkLink><Link><href>../elsewhere.kml</href></Link></NetworkLink>",
                )
                .as_bytes(),
            )]),
            "doc.kml in the KMZ: holds a NetworkLink (to ../elsewhere.kml)",
        ),
    ];
    for (name, bytes, expected) in cases {
        let err = error(&dir, name, &bytes);
        assert!(err.contains(expected), "{name}: {err}");
    }
    // Coordinates: the error names the placemark (index, name).
    for (coordinates, expected) in [
        ("37,48 37.1 37.1,48.1 37,48", "fewer than 2 numbers"),
        (
            "37,48 37.1,north 37.1,48.1 37,48",
            "\"north\" is not a number",
        ),
        ("37,48 NaN,48 37.1,48.1 37,48", "non-finite coordinate"),
        (
            "37,48 370,48 37.1,48.1 37,48",
            "outside longitude/latitude range",
        ),
    ] {
        let square = SQUARE.replace("37,48 37.1,48 37.1,48.1 37,48.1 37,48", coordinates);
        let two = kml(&[
            "<name>First</name><Point><coordinates>37,48</coordinates></Point>",
            &square,
        ]);
        let err = error(&dir, "coordinates.kml", two.as_bytes());
        assert!(
            err.contains("feature 1 (Square)") && err.contains(expected),
            "{coordinates}: {err}"
        );
        // In zone files too.
        let path = dir.join("coordinates.kml");
        let err = import::read_zones(&path, None).unwrap_err().to_string();
        assert!(err.contains("coordinates.kml"), "{err}");
    }
    // A Point without coordinates: an error, not the `kml` crate's panic.
    let nowhere = kml(&["<name>Nowhere</name><Point><coordinates> </coordinates></Point>"]);
    let err = error(&dir, "point.kml", nowhere.as_bytes());
    assert!(
        err.contains("feature 0 (Nowhere)") && err.contains("a Point without coordinates"),
        "{err}"
    );
    let nowhere = kml(&["<name>Nowhere</name><Point></Point>"]);
    let err = error(&dir, "point.kml", nowhere.as_bytes());
    assert!(err.contains("a Point without coordinates"), "{err}");
    // A KMZ's link to its own entry is part of it.
    let linked = zip(&[
        (
            "doc.kml",
            kml(&[]).replace(
                "<Document>",
                "<Document><NetworkLink><name>layer</name><Link><href>layers/a.kml</href></Link></NetworkLink>",
            )
            .as_bytes(),
        ),
        ("layers/a.kml", kml(&[SQUARE]).as_bytes()),
    ]);
    let path = dir.join("linked.kmz");
    std::fs::write(&path, linked).unwrap();
    let places = import::read_places(&path).unwrap();
    assert_eq!(
        text(&places.find("Square").unwrap()[0].properties, "folder"),
        Some("layer")
    );
    // Detected by content whatever the name.
    let path = dir.join("square.xml");
    std::fs::write(&path, kml(&[SQUARE])).unwrap();
    assert_eq!(import::read_places(&path).unwrap().len(), 1);
    let path = dir.join("square.zip");
    std::fs::write(&path, zip(&[("x/any.kml", kml(&[SQUARE]).as_bytes())])).unwrap();
    assert_eq!(import::read_places(&path).unwrap().len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
