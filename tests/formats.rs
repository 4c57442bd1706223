//! Shapefile, FlatGeobuf and GeoParquet against real peers: files frontline writes
//! read by GDAL (`ogrinfo`) and GeoPandas; files GDAL and GeoPandas write read by
//! frontline with the same km² and shares as the GeoJSON original; bad input.
//! The peers are optional: a test that needs one skips with a printed notice.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{frontline, repo, shared_data};
use frontline::formats::Format;
use frontline::{GeodesicAreaKm2, PlaceGeometry, Places, import};
use serde_json::Value;

const SNAPSHOT: &str = "deepstate/raw-weekly/1754251105.geojson.gz";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("frontline-formats-{name}-{}", std::process::id()));
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

fn geopandas(test: &str) -> bool {
    have(
        "python3",
        &["-c", "import geopandas, pyproj, pyarrow"],
        test,
    )
}

fn peer(args: &[&str]) -> Value {
    let o = Command::new("python3")
        .arg(repo().join("tests/peer/formats_peer.py"))
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success(),
        "peer {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("peer prints JSON")
}

/// katotth → geodesic km² of each place (polygons).
fn areas(places: &Places) -> BTreeMap<String, f64> {
    places
        .iter()
        .map(|p| {
            let code = p
                .properties
                .get("katotth")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let km2 = match &p.geometry {
                PlaceGeometry::Area(a) => a.geodesic_area_km2(),
                PlaceGeometry::Point(_) => 0.0,
            };
            (code, km2)
        })
        .collect()
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= b.abs() * 1e-4 + 1e-9, "{what}: {a} vs {b}");
}

/// `share --format csv` rows keyed by their figures (labels depend on which name
/// properties a format kept: a Shapefile launders `name:en`).
fn shares(regions: &Path, data: &Path) -> Vec<String> {
    let o = frontline(&[
        "share",
        data.join(SNAPSHOT).to_str().unwrap(),
        "--regions",
        regions.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut rows: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .skip(1)
        .map(|l| {
            l.split_once(',')
                .map_or(l, |(_, figures)| figures)
                .to_string()
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn frontline_files_are_read_by_gdal_and_geopandas() {
    let Some(data) = shared_data("frontline_files_are_read_by_gdal_and_geopandas") else {
        return;
    };
    let raions = data.join("admin/donetsk/raions.geojson");
    let dir = temp_dir("out");
    let original = areas(&import::read_places(&raions).unwrap());
    assert_eq!(original.len(), 8);
    let gdal = have(
        "ogrinfo",
        &["--version"],
        "frontline_files_are_read_by_gdal_and_geopandas",
    );
    let gpd = geopandas("frontline_files_are_read_by_gdal_and_geopandas");
    for (name, format) in [
        ("r.fgb", Format::FlatGeobuf),
        ("r.parquet", Format::GeoParquet),
        ("r.shp", Format::Shapefile),
    ] {
        let out = dir.join(name);
        let done = frontline::convert::convert(&raions, &out, None, None).unwrap();
        assert_eq!((done.to, done.features), (format, 8));
        // frontline reads its own file back: same km² per raion.
        let back = areas(&import::read_places(&out).unwrap());
        for (code, km2) in &original {
            close(back[code], *km2, &format!("{name} {code}"));
        }
        if gdal && format != Format::GeoParquet {
            let o = Command::new("ogrinfo")
                .args(["-al", "-so"])
                .arg(&out)
                .output()
                .unwrap();
            let info = String::from_utf8_lossy(&o.stdout);
            assert!(info.contains("Feature Count: 8"), "{info}");
            assert!(info.contains("Polygon"), "{info}");
            assert!(info.contains("WGS 84"), "{info}");
            assert!(info.contains("katotth: String"), "{info}");
            assert!(
                info.contains("admin_leve") || info.contains("admin_level"),
                "{info}"
            );
        }
        if gpd {
            let v = peer(&["read", out.to_str().unwrap()]);
            assert_eq!(v["count"], 8);
            assert!(
                v["epsg"] == 4326 || v["crs"].as_str().is_some_and(|c| c.contains("CRS84")),
                "{v}"
            );
            for f in v["features"].as_array().unwrap() {
                let code = f["properties"]["katotth"].as_str().unwrap();
                close(
                    f["area_km2"].as_f64().unwrap(),
                    original[code],
                    &format!("GeoPandas {name} {code}"),
                );
                assert!(
                    f["properties"]["name"].as_str().unwrap().ends_with("район"),
                    "{f}"
                );
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn export_writes_every_format_and_output_crs_is_checked() {
    let Some(data) = shared_data("export_writes_every_format_and_output_crs_is_checked") else {
        return;
    };
    let dir = temp_dir("export");
    let snapshot = data.join(SNAPSHOT);
    let aoi = data.join("admin/donetsk/oblast.geojson");
    let mut counts = Vec::new();
    for name in ["z.geojson", "z.fgb", "z.parquet", "z.shp"] {
        let out = dir.join(name);
        let o = frontline(&[
            "export",
            snapshot.to_str().unwrap(),
            "--aoi",
            aoi.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        // Every format reads back with the same features and km² per status.
        let places = import::read_places(&out).unwrap();
        let mut per_status: Vec<(String, f64)> = places
            .iter()
            .map(|p| {
                let status = p
                    .properties
                    .get("status")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let km2 = match &p.geometry {
                    PlaceGeometry::Area(a) => a.geodesic_area_km2(),
                    PlaceGeometry::Point(_) => 0.0,
                };
                (status, km2)
            })
            .collect();
        per_status.sort_by(|a, b| a.0.cmp(&b.0));
        counts.push(per_status);
    }
    for other in &counts[1..] {
        assert_eq!(other.len(), counts[0].len());
        for (a, b) in other.iter().zip(&counts[0]) {
            assert_eq!(a.0, b.0);
            close(a.1, b.1, &a.0);
        }
    }
    // GeoJSON is WGS84 only; an unknown extension is refused; nothing is written.
    let bad = dir.join("bad.geojson");
    let o = frontline(&[
        "export",
        snapshot.to_str().unwrap(),
        "-o",
        bad.to_str().unwrap(),
        "--output-crs",
        "EPSG:3857",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("RFC 7946"));
    let o = frontline(&[
        "export",
        snapshot.to_str().unwrap(),
        "-o",
        dir.join("z.gpx").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("z.gpx"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.contains("bad") || n.contains("gpx") || n.ends_with(".tmp")),
        "{names:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn peer_files_are_read_with_the_same_km2_and_shares() {
    let Some(data) = shared_data("peer_files_are_read_with_the_same_km2_and_shares") else {
        return;
    };
    let raions = data.join("admin/donetsk/raions.geojson");
    let dir = temp_dir("peer");
    let original = areas(&import::read_places(&raions).unwrap());
    let expected = shares(&raions, &data);
    let mut files = Vec::new();
    if have(
        "ogr2ogr",
        &["--version"],
        "peer_files_are_read_with_the_same_km2_and_shares",
    ) {
        for (name, args) in [
            ("g.fgb", vec!["-f", "FlatGeobuf"]),
            (
                "gu.shp",
                vec!["-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8"],
            ),
            (
                "g1251.shp",
                vec!["-f", "ESRI Shapefile", "-lco", "ENCODING=CP1251"],
            ),
        ] {
            let out = dir.join(name);
            let o = Command::new("ogr2ogr")
                .args(&args)
                .arg(&out)
                .arg(&raions)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            files.push(out);
        }
    }
    if geopandas("peer_files_are_read_with_the_same_km2_and_shares") {
        let out = dir.join("gp.parquet");
        let o = Command::new("python3")
            .arg(repo().join("tests/peer/formats_peer.py"))
            .args(["write", raions.to_str().unwrap(), out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        files.push(out);
    }
    for file in &files {
        let places = import::read_places(file).unwrap();
        let got = areas(&places);
        for (code, km2) in &original {
            close(got[code], *km2, &format!("{} {code}", file.display()));
        }
        // Cyrillic names survive UTF-8 and CP1251 (.cpg) alike.
        assert_eq!(
            places.find("Покровський район").unwrap().len(),
            1,
            "{}",
            file.display()
        );
        assert_eq!(shares(file, &data), expected, "{}", file.display());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn flatgeobuf_is_read_by_box_through_its_index() {
    let Some(data) = shared_data("flatgeobuf_is_read_by_box_through_its_index") else {
        return;
    };
    let dir = temp_dir("bbox");
    let fgb = dir.join("raions.fgb");
    frontline::convert::convert(
        data.join("admin/ukraine_raions.geojson.gz"),
        &fgb,
        None,
        None,
    )
    .unwrap();
    let all = import::read_places(&fgb).unwrap();
    assert_eq!(all.len(), 136);
    // Donetsk oblast's box: its 8 raions and the neighbours that reach into it.
    let bbox = [36.54, 46.87, 39.09, 49.23];
    let near = import::read_places_in(&fgb, bbox, &Default::default()).unwrap();
    let same = import::read_places_in(
        data.join("admin/ukraine_raions.geojson.gz"),
        bbox,
        &Default::default(),
    )
    .unwrap();
    assert!(near.len() >= 8 && near.len() < 30, "{}", near.len());
    assert_eq!(near.len(), same.len());
    assert_eq!(near.find("Покровський район").unwrap().len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_files_are_clear_errors_naming_them() {
    let dir = temp_dir("bad");
    let region = repo().join("data/region.geojson");
    // A Shapefile without its .dbf.
    let shp = dir.join("nodbf.shp");
    frontline::convert::convert(&region, &shp, None, None).unwrap();
    std::fs::remove_file(dir.join("nodbf.dbf")).unwrap();
    let err = import::read_places(&shp).unwrap_err().to_string();
    assert!(err.contains("nodbf.shp") && err.contains(".dbf"), "{err}");
    // A truncated FlatGeobuf, cut inside a feature and at a feature's end.
    let fgb = dir.join("whole.fgb");
    frontline::convert::convert(repo().join("data/places.geojson"), &fgb, None, None).unwrap();
    let bytes = std::fs::read(&fgb).unwrap();
    for cut in [bytes.len() - 7, bytes.len() / 2, 20, 6] {
        let t = dir.join("cut.fgb");
        std::fs::write(&t, &bytes[..cut]).unwrap();
        let err = import::read_places(&t).unwrap_err().to_string();
        assert!(
            err.contains("cut.fgb") && (err.contains("truncated") || err.contains("FlatGeobuf")),
            "{cut}: {err}"
        );
    }
    // Unknown content with an unknown extension.
    let junk = dir.join("junk.dat");
    std::fs::write(&junk, b"\x89PNG\r\n\x1a\n....").unwrap();
    let err = import::read_places(&junk).unwrap_err().to_string();
    assert!(
        err.contains("junk.dat") && err.contains("unknown file format"),
        "{err}"
    );
    // A Parquet file without GeoParquet metadata (pyarrow writes it).
    if geopandas("bad_files_are_clear_errors_naming_them") {
        let plain = dir.join("plain.parquet");
        peer_plain(&plain);
        let err = import::read_places(&plain).unwrap_err().to_string();
        assert!(
            err.contains("plain.parquet") && err.contains("without GeoParquet metadata"),
            "{err}"
        );
    }
    // A failed conversion leaves nothing behind.
    let out = dir.join("never.fgb");
    assert!(frontline::convert::convert(&junk, &out, None, None).is_err());
    let err = frontline::convert::convert(&region, dir.join("x.gpx"), None, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("x.gpx"), "{err}");
    let o = frontline(&["convert", junk.to_str().unwrap(), out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("junk.dat"));
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !left
            .iter()
            .any(|n| n.starts_with("never") || n.starts_with("x.") || n.ends_with(".tmp")),
        "{left:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn peer_plain(out: &Path) {
    let o = Command::new("python3")
        .arg(repo().join("tests/peer/formats_peer.py"))
        .args(["plain-parquet", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A FlatGeobuf file frontline writes carries a seal (its polygons are clean):
/// read back, it gives what the GeoJSON gives. Changed afterwards, or written by
/// GDAL, its polygons are cleaned in full: a bowtie is repaired, with a warning.
#[test]
fn sealed_flatgeobuf_changed_or_from_gdal_is_cleaned_in_full() {
    let dir = temp_dir("seal");
    let square = dir.join("square.geojson");
    std::fs::write(
        &square,
        r#"{"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"name": "square"}, "geometry": {"type": "Polygon",
        "coordinates": [[[37,48],[37.1,48],[37.1,48.1],[37,48.1],[37,48]]]}}]}"#,
    )
    .unwrap();
    let fgb = dir.join("square.fgb");
    frontline::convert::convert(&square, &fgb, None, None).unwrap();
    let bytes = std::fs::read(&fgb).unwrap();
    assert!(
        String::from_utf8_lossy(&bytes).contains(r#"{"frontline":{"clean":"#),
        "no seal"
    );
    let read = import::read_places(&fgb).unwrap();
    assert!(read.warnings().is_empty(), "{:?}", read.warnings());
    assert_eq!(
        areas_by_name(&read),
        areas_by_name(&import::read_places(&square).unwrap())
    );
    // Move the third vertex (the last 37.1 in the file: the features follow the
    // header and index) to 36.9: the ring now crosses itself.
    let (from, to) = (37.1f64.to_le_bytes(), 36.9f64.to_le_bytes());
    let at = bytes.windows(8).rposition(|w| w == from).unwrap();
    let mut changed = bytes.clone();
    changed[at..at + 8].copy_from_slice(&to);
    let tampered = dir.join("tampered.fgb");
    std::fs::write(&tampered, &changed).unwrap();
    let read = import::read_places(&tampered).unwrap();
    assert!(
        read.warnings().iter().any(|w| w.contains("repaired")),
        "{:?}",
        read.warnings()
    );
    // GDAL writes no seal: the same bowtie from GDAL is repaired too.
    if have(
        "ogr2ogr",
        &["--version"],
        "sealed_flatgeobuf_changed_or_from_gdal_is_cleaned_in_full",
    ) {
        let bowtie = dir.join("bowtie.geojson");
        std::fs::write(
            &bowtie,
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature",
            "properties": {"name": "bowtie"}, "geometry": {"type": "Polygon",
            "coordinates": [[[37,48],[37.1,48.1],[37.1,48],[37,48.1],[37,48]]]}}]}"#,
        )
        .unwrap();
        let gdal = dir.join("gdal.fgb");
        let o = Command::new("ogr2ogr")
            .args(["-f", "FlatGeobuf"])
            .arg(&gdal)
            .arg(&bowtie)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let read = import::read_places(&gdal).unwrap();
        assert!(
            read.warnings().iter().any(|w| w.contains("repaired")),
            "{:?}",
            read.warnings()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn areas_by_name(places: &Places) -> Vec<(String, f64)> {
    places
        .iter()
        .map(|p| {
            let km2 = match &p.geometry {
                PlaceGeometry::Area(a) => a.geodesic_area_km2(),
                PlaceGeometry::Point(_) => 0.0,
            };
            (p.label().to_string(), km2)
        })
        .collect()
}
