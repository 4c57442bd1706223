//! Coordinate systems: projected input files, `--input-crs`, and what goes wrong.
//!
//! The projected files are written by GDAL's `ogr2ogr` (an independent
//! implementation of the reprojection, with its own PROJ) from the WGS84 originals;
//! the figures measured on them are compared with the originals read by frontline,
//! which `tests/real_data.rs` checks against the Shapely/pyproj reference. Tests that
//! need `ogr2ogr`, Python's pyproj or the real data skip with a printed notice
//! without them; those that need PROJ run with `--features proj` only.

mod common;

use std::path::{Path, PathBuf};

use common::frontline;

/// A small zone file in Web Mercator metres, declared the way GDAL declares it.
const MERCATOR_ZONES: &str = r#"{"type": "FeatureCollection",
"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
"features": [{"type": "Feature", "properties": {"status": "occupied", "name": "square"},
 "geometry": {"type": "Polygon", "coordinates": [[[4174000, 6128000], [4184000, 6128000],
  [4184000, 6138000], [4174000, 6138000], [4174000, 6128000]]]}}]}"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("a temporary file");
    path
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs the binary and expects it to fail, without a panic; returns its stderr.
fn fails(args: &[&str]) -> String {
    let out = frontline(args);
    let msg = stderr(&out);
    assert!(!out.status.success(), "{args:?} should fail");
    assert!(!msg.contains("panicked"), "{msg}");
    msg
}

#[cfg(not(feature = "proj"))]
#[test]
fn a_projected_file_without_proj_names_its_crs_and_the_feature() {
    use frontline::import;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "mercator.geojson", MERCATOR_ZONES);
    let err = import::read_places(&path).unwrap_err().to_string();
    assert!(
        err.contains("mercator.geojson") && err.contains("EPSG:3857") && err.contains("`proj`"),
        "{err}"
    );
    let file = path.to_str().unwrap();
    let msg = fails(&["share", file, "--status-property", "status"]);
    assert!(
        msg.contains("EPSG:3857") && msg.contains("--features proj"),
        "{msg}"
    );
    // The flag: one clear error before any file is read.
    let msg = fails(&["share", file, "--input-crs", "EPSG:3857"]);
    assert!(
        msg.contains("--input-crs EPSG:3857") && msg.contains("`proj`"),
        "{msg}"
    );
    let err = frontline::crs::Crs::epsg_code(3857).to_wkt().unwrap_err();
    assert!(err.to_string().contains("`proj`"), "{err}");
}

#[test]
fn input_crs_wgs84_needs_no_proj_and_a_conflict_names_both() {
    let share = ["share", "data/snapshots/deepstate_20250601.geojson"];
    let regions = ["--regions", "data/city.geojson"];
    let plain = frontline(&[&share[..], &regions[..]].concat());
    // EPSG:4326 and CRS84 are the same coordinates: no PROJ needed, same figures;
    // the flag is global (before or after the command).
    let flagged = frontline(&[&["--input-crs", "EPSG:4326"], &share[..], &regions[..]].concat());
    assert!(plain.status.success(), "{}", stderr(&plain));
    assert!(flagged.status.success(), "{}", stderr(&flagged));
    assert_eq!(plain.stdout, flagged.stdout);
    // A file declaring one CRS, read with another given: an error naming both.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "mercator.geojson", MERCATOR_ZONES);
    let file = path.to_str().unwrap();
    let args = ["share", file, "--status-property", "status"];
    let msg = fails(&[&args[..], &["--input-crs", "EPSG:4326"]].concat());
    assert!(
        msg.contains("mercator.geojson") && msg.contains("EPSG:3857") && msg.contains("EPSG:4326"),
        "{msg}"
    );
    // An unknown CRS name is refused up front, with or without PROJ.
    let msg = fails(&[&share[..], &["--input-crs", "EPSG:999999"]].concat());
    assert!(msg.contains("EPSG:999999"), "{msg}");
    // A projected file without a crs member: refused as out of range, with a hint.
    let bare = write(
        dir.path(),
        "bare.geojson",
        &MERCATOR_ZONES.replace(
            r#""crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},"#,
            "",
        ),
    );
    let msg = fails(&[
        "share",
        bare.to_str().unwrap(),
        "--status-property",
        "status",
    ]);
    assert!(msg.contains("--input-crs"), "{msg}");
}

#[cfg(feature = "proj")]
mod with_proj {
    use std::path::Path;
    use std::process::Command;

    use serde_json::Value;

    use super::{MERCATOR_ZONES, fails, stderr, write};
    use crate::common::{assert_km2, frontline, shared_data};
    use frontline::crs::{Crs, Transform};
    use frontline::import::{self, ReadOptions};
    use frontline::measure::Regions;
    use frontline::timeline::{LoadOptions, Timeline};
    use frontline::{GeodesicAreaKm2, Status};

    const SNAPSHOT: &str = "deepstate/raw-weekly/1754251105.geojson.gz";
    const DAILY: &str = "deepstate/occupied-daily/deepstatemap_data_20250803.geojson";

    /// Runs `ogr2ogr`; `false`, with a notice, when GDAL is not installed.
    fn ogr2ogr(test: &str, args: &[&str]) -> bool {
        match Command::new("ogr2ogr").args(args).output() {
            Ok(out) if out.status.success() => true,
            Ok(out) => panic!("ogr2ogr {args:?} failed: {}", stderr(&out)),
            Err(_) => {
                eprintln!("NOTICE: {test} skipped: ogr2ogr (GDAL) not found");
                false
            }
        }
    }

    /// `ogr2ogr -f GeoJSON -t_srs EPSG:code [options] out in`.
    fn reproject(test: &str, input: &Path, out: &Path, code: u32, options: &[&str]) -> bool {
        let srs = format!("EPSG:{code}");
        let mut args = vec!["-f", "GeoJSON", "-t_srs", &srs];
        args.extend_from_slice(options);
        args.extend([out.to_str().unwrap(), input.to_str().unwrap()]);
        ogr2ogr(test, &args)
    }

    /// Each raion of Donetsk oblast, written by GDAL in Web Mercator and in
    /// UCS-2000 / Ukraine TM zone 11, measures as the WGS84 original: its area
    /// and its shares of a real snapshot within 0.01 %.
    #[test]
    fn raions_written_by_gdal_in_projected_crss_measure_as_the_original() {
        let test = "raions_written_by_gdal_in_projected_crss_measure_as_the_original";
        let Some(data) = shared_data(test) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let original_path = data.join("admin/donetsk/raions.geojson");
        let original = import::read_places(&original_path).unwrap();
        let snapshot = import::read_zones(data.join(SNAPSHOT), None)
            .unwrap()
            .snapshot;
        let all: Vec<_> = original.iter().collect();
        let expected = Regions::new(&all).unwrap().shares(&snapshot).unwrap();
        // GDAL writes the legacy member {"type": "name", "properties": {"name":
        // "urn:ogc:def:crs:EPSG::3857"}}, with RFC7946=NO (its default) as
        // without; RFC7946=YES would have GDAL reproject to WGS84 itself.
        let cases: [(u32, &[&str]); 3] =
            [(3857, &[]), (6385, &[]), (3857, &["-lco", "RFC7946=NO"])];
        for (i, (code, options)) in cases.into_iter().enumerate() {
            let out = dir.path().join(format!("raions_{i}_{code}.geojson"));
            if !reproject(test, &original_path, &out, code, options) {
                return;
            }
            let text = std::fs::read_to_string(&out).unwrap();
            assert!(
                text.contains(&format!("\"urn:ogc:def:crs:EPSG::{code}\"")),
                "GDAL's crs member"
            );
            let projected = import::read_places(&out).unwrap();
            assert_eq!(projected.len(), original.len());
            for (p, o) in projected.iter().zip(&original) {
                let name = o.name().unwrap();
                assert_eq!(p.name(), Some(name));
                let pa = p.area().unwrap().geodesic_area_km2();
                let oa = o.area().unwrap().geodesic_area_km2();
                assert_km2(pa, oa, 0.0, &format!("EPSG:{code} {name} area"));
            }
            let selected: Vec<_> = projected.iter().collect();
            let shares = Regions::new(&selected).unwrap().shares(&snapshot).unwrap();
            assert_eq!(shares.len(), expected.len());
            for (got, want) in shares.iter().zip(&expected) {
                assert_eq!(got.region, want.region);
                let floor = want.area_km2 * 1e-6;
                for status in [
                    Status::OCCUPIED,
                    Status::CONTESTED,
                    Status::LIBERATED,
                    Status::OTHER,
                ] {
                    let what = format!("EPSG:{code} {} {status}", want.region);
                    assert_km2(got.km2(&status), want.km2(&status), floor, &what);
                    assert!(
                        (got.pct(&status) - want.pct(&status)).abs() <= 0.01,
                        "{what} %"
                    );
                }
                assert_km2(got.unmarked.km2, want.unmarked.km2, floor, &want.region);
            }
        }
    }

    /// A FlatGeobuf file in a projected CRS has its spatial index in metres: a
    /// box in longitude/latitude must not be searched in it (it would select the
    /// wrong features, or none). Read by box, GDAL's Web Mercator file gives the
    /// original's raions, and so does one without a CRS read with `--input-crs`.
    #[test]
    fn a_projected_flatgeobuf_read_by_box_gives_the_originals_features() {
        let test = "a_projected_flatgeobuf_read_by_box_gives_the_originals_features";
        let Some(data) = shared_data(test) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let original = data.join("admin/ukraine_raions.geojson.gz");
        let fgb = dir.path().join("raions_3857.fgb");
        let input = format!("/vsigzip/{}", original.display());
        let args = [
            "-f",
            "FlatGeobuf",
            "-t_srs",
            "EPSG:3857",
            fgb.to_str().unwrap(),
            &input,
        ];
        if !ogr2ogr(test, &args) {
            return;
        }
        // Donetsk oblast's box: its 8 raions and the neighbours that reach into it.
        let bbox = [36.54, 46.87, 39.09, 49.23];
        let options = ReadOptions::default();
        let names = |places: &frontline::model::Places| {
            let mut names: Vec<String> = places
                .iter()
                .map(|p| p.name().unwrap().to_owned())
                .collect();
            names.sort();
            names
        };
        let want = names(&import::read_places_in(&original, bbox, &options).unwrap());
        let got = names(&import::read_places_in(&fgb, bbox, &options).unwrap());
        assert!(want.len() >= 8, "{want:?}");
        assert_eq!(got, want);
        // The same metres in a file that declares no CRS, read with
        // `--input-crs EPSG:3857`: its index is in metres too.
        let bare = dir.path().join("raions_bare.fgb");
        let args = [
            "-f",
            "FlatGeobuf",
            "-a_srs",
            "None",
            bare.to_str().unwrap(),
            fgb.to_str().unwrap(),
        ];
        if !ogr2ogr(test, &args) {
            return;
        }
        let metres = ReadOptions::default().input_crs(Some(Crs::parse("EPSG:3857").unwrap()));
        let got = names(&import::read_places_in(&bare, bbox, &metres).unwrap());
        assert_eq!(got, want);
    }

    /// `--input-crs` reads files without a `crs` member: zones and regions both in
    /// EPSG:6385 give the figures of the WGS84 originals. A file that declares
    /// another CRS is an error naming both.
    #[test]
    fn input_crs_reads_files_without_crs_member() {
        let test = "input_crs_reads_files_without_crs_member";
        let Some(data) = shared_data(test) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let bare = |input: &Path, name: &str| -> Option<std::path::PathBuf> {
            let declared = dir.path().join(format!("declared_{name}"));
            if !reproject(test, input, &declared, 6385, &[]) {
                return None;
            }
            // The same coordinates without the member, as many tools write them.
            let mut doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&declared).unwrap()).unwrap();
            doc.as_object_mut().unwrap().remove("crs");
            Some(write(dir.path(), name, &doc.to_string()))
        };
        let (raions, daily) = (data.join("admin/donetsk/raions.geojson"), data.join(DAILY));
        let Some(bare_raions) = bare(&raions, "raions.geojson") else {
            return;
        };
        // The daily file's name carries its date and kind.
        let bare_daily = bare(&daily, "deepstatemap_data_20250803.geojson").unwrap();
        let share = |zones: &Path, regions: &Path, extra: &[&str]| -> Value {
            let mut args = vec![
                "share",
                zones.to_str().unwrap(),
                "--regions",
                regions.to_str().unwrap(),
            ];
            args.extend_from_slice(&["--format", "json"]);
            args.extend_from_slice(extra);
            let out = frontline(&args);
            assert!(out.status.success(), "{}", stderr(&out));
            serde_json::from_slice(&out.stdout).unwrap()
        };
        let expected = share(&daily, &raions, &[]);
        let got = share(&bare_daily, &bare_raions, &["--input-crs", "EPSG:6385"]);
        compare_json_shares(&got, &expected);
        // Without the flag, the bare files are refused as out of range, with a hint.
        let bare_zones = bare_daily.to_str().unwrap();
        let msg = fails(&[
            "share",
            bare_zones,
            "--regions",
            bare_raions.to_str().unwrap(),
        ]);
        assert!(msg.contains("--input-crs"), "{msg}");
        // The original daily file declares CRS84: read with --input-crs EPSG:6385,
        // an error naming the file and both CRSs.
        let msg = fails(&["--input-crs", "EPSG:6385", "share", daily.to_str().unwrap()]);
        assert!(msg.contains("deepstatemap_data_20250803.geojson"), "{msg}");
        assert!(
            msg.contains("OGC:CRS84") && msg.contains("EPSG:6385"),
            "{msg}"
        );
        // A WGS84 file without a crs member under a projected --input-crs (a
        // snapshot beside projected regions) is refused, not measured as nothing.
        let wgs84_zones = write(dir.path(), "deepstatemap_data_20250804.geojson", &{
            let mut doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&daily).unwrap()).unwrap();
            doc.as_object_mut().unwrap().remove("crs");
            doc.to_string()
        });
        let msg = fails(&[
            "--input-crs",
            "EPSG:6385",
            "share",
            wgs84_zones.to_str().unwrap(),
            "--regions",
            bare_raions.to_str().unwrap(),
        ]);
        assert!(
            msg.contains("deepstatemap_data_20250804.geojson") && msg.contains("looks like WGS84"),
            "{msg}"
        );
        // The library's option does the same as the flag.
        let options = ReadOptions::default().input_crs(Some(Crs::epsg_code(6385)));
        let bare_places = import::read_places_with(&bare_raions, &options).unwrap();
        for (b, o) in bare_places
            .iter()
            .zip(&import::read_places(&raions).unwrap())
        {
            let (ba, oa) = (
                b.area().unwrap().geodesic_area_km2(),
                o.area().unwrap().geodesic_area_km2(),
            );
            assert_km2(ba, oa, 0.0, o.name().unwrap());
        }
    }

    fn compare_json_shares(got: &Value, expected: &Value) {
        let (got, expected) = (got.as_array().unwrap(), expected.as_array().unwrap());
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(expected) {
            assert_eq!(g["region"], e["region"]);
            let area = e["area_km2"].as_f64().unwrap();
            assert_km2(g["area_km2"].as_f64().unwrap(), area, 0.0, "area");
            for (status, amount) in e["status"].as_object().unwrap() {
                // A part of occupied the file cannot tell is null on both sides.
                if amount.is_null() {
                    assert!(g["status"][status].is_null(), "{status}");
                    continue;
                }
                let want = amount["km2"].as_f64().unwrap();
                let have = g["status"][status]["km2"].as_f64().unwrap();
                assert_km2(
                    have,
                    want,
                    area * 1e-6,
                    &format!("{} {status}", e["region"]),
                );
            }
        }
    }

    /// Snapshots in Web Mercator (bundled samples, reprojected by GDAL) load in
    /// parallel, each worker with its own PROJ, into the same timeline as the WGS84
    /// originals.
    #[test]
    fn a_timeline_of_projected_files_loads_in_parallel() {
        let test = "a_timeline_of_projected_files_loads_in_parallel";
        let dir = tempfile::tempdir().unwrap();
        let samples = crate::common::repo().join("data/snapshots");
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&samples).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            if name.ends_with(".geojson") {
                if !reproject(test, &path, &dir.path().join(&name), 3857, &[]) {
                    return;
                }
                names.push(name);
            }
        }
        assert!(names.len() >= 2);
        let original = Timeline::load(&[&samples], &LoadOptions::default()).unwrap();
        let projected = Timeline::load(&[dir.path()], &LoadOptions::default()).unwrap();
        assert_eq!(original.len(), projected.len());
        for (o, p) in original.iter().zip(projected.iter()) {
            // GDAL keeps the features, not DeepState's envelope and its time.
            assert_eq!(o.date.date_naive(), p.date.date_naive());
            for (status, km2) in o.value.totals() {
                let got = p
                    .value
                    .totals()
                    .into_iter()
                    .find(|(s, _)| *s == status)
                    .unwrap()
                    .1;
                assert_km2(got, km2, 1e-9, &format!("{} {status}", o.date));
            }
        }
    }

    /// A position outside the CRS's domain is an error naming the file and the
    /// feature; never a panic, never a wrong coordinate.
    #[test]
    fn a_position_that_cannot_be_reprojected_names_file_and_feature() {
        let dir = tempfile::tempdir().unwrap();
        for (good, bad) in [
            ("[4184000, 6138000]", "[4184000, 1e30]"),
            ("[4174000, 6138000]", "[1e300, 6138000]"),
        ] {
            let text = MERCATOR_ZONES.replacen(good, bad, 1);
            assert_ne!(text, MERCATOR_ZONES);
            let path = write(dir.path(), "huge.geojson", &text);
            let err = import::read_places(&path).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("{}: feature 0 (square): ", path.display())),
                "{err}"
            );
            assert!(
                err.contains("cannot be reprojected from EPSG:3857"),
                "{err}"
            );
            let msg = fails(&[
                "share",
                path.to_str().unwrap(),
                "--status-property",
                "status",
            ]);
            assert!(msg.contains("huge.geojson: feature 0 (square)"), "{msg}");
        }
    }

    /// Unknown CRSs are errors naming them: in a file, on the command line, as WKT.
    #[test]
    fn an_unknown_crs_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let text = MERCATOR_ZONES.replace("urn:ogc:def:crs:EPSG::3857", "EPSG:999999");
        let path = write(dir.path(), "unknown.geojson", &text);
        let err = import::read_places(&path).unwrap_err().to_string();
        assert!(
            err.contains("unknown.geojson") && err.contains("EPSG:999999"),
            "{err}"
        );
        let msg = fails(&[
            "--input-crs",
            "EPSG:999999",
            "share",
            "data/snapshots/deepstate_20250601.geojson",
        ]);
        assert!(
            msg.contains("EPSG:999999") && msg.contains("unknown"),
            "{msg}"
        );
        let garbage: Crs = r#"PROJCS["Nowhere", GEOGCS[broken"#.parse().unwrap();
        let err = Transform::new(&garbage, &Crs::wgs84())
            .unwrap_err()
            .to_string();
        assert!(err.contains("Nowhere"), "{err}");
        assert!(garbage.to_wkt().is_err() && garbage.to_projjson().is_err());
        let err = Crs::epsg_code(999999).to_wkt().unwrap_err().to_string();
        assert!(err.contains("EPSG:999999"), "{err}");
        let err = Transform::new(&Crs::wgs84(), &"nonsense".parse().unwrap()).unwrap_err();
        assert!(err.to_string().contains("nonsense"), "{err}");
    }

    /// WKT and PROJJSON through PROJ, read back to the same CRS.
    #[test]
    fn wkt_and_projjson_round_trip() {
        for code in [3857, 6385, 4284] {
            let crs = Crs::epsg_code(code);
            let wkt = crs.to_wkt().unwrap();
            assert!(
                wkt.starts_with("PROJCS[") || wkt.starts_with("GEOGCS["),
                "{wkt}"
            );
            assert_eq!(Crs::parse(&wkt).unwrap().epsg(), Some(code), "{wkt}");
            let json = crs.to_projjson().unwrap().unwrap();
            let v: Value = serde_json::from_str(&json).unwrap();
            assert_eq!(v["id"]["code"], code, "{json}");
            assert_eq!(Crs::parse(&json).unwrap().epsg(), Some(code));
            // A CRS read as WKT is written back as read.
            assert_eq!(Crs::parse(&wkt).unwrap().to_wkt().unwrap(), wkt);
        }
        assert_eq!(Crs::epsg_code(4326).to_projjson().unwrap(), None);
    }

    /// The writer's direction, WGS84 to a projected CRS, agrees with pyproj
    /// (`Transformer.from_crs(..., always_xy=True)`) within a millimetre.
    #[test]
    fn reprojection_agrees_with_pyproj() {
        let points = [(37.55, 48.6), (38.0, 47.1), (36.9, 49.2), (39.3, 47.9)];
        for code in [3857, 6385] {
            let script = format!(
                "from pyproj import Transformer\n\
                 t = Transformer.from_crs('OGC:CRS84', 'EPSG:{code}', always_xy=True)\n\
                 for x, y in {points:?}:\n    print(*t.transform(x, y))\n"
            );
            let Ok(out) = Command::new("python3").args(["-c", &script]).output() else {
                eprintln!("NOTICE: reprojection_agrees_with_pyproj skipped: no python3");
                return;
            };
            if !out.status.success() {
                eprintln!(
                    "NOTICE: reprojection_agrees_with_pyproj skipped: no pyproj ({})",
                    stderr(&out)
                );
                return;
            }
            let t = Transform::new(&Crs::wgs84(), &Crs::epsg_code(code)).unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            for (line, (x, y)) in text.lines().zip(points) {
                let want: Vec<f64> = line.split(' ').map(|v| v.parse().unwrap()).collect();
                let got = t.xy(x, y).unwrap();
                assert!(
                    (got.0 - want[0]).abs() < 1e-3 && (got.1 - want[1]).abs() < 1e-3,
                    "EPSG:{code} ({x}, {y}): {got:?} vs pyproj {want:?}"
                );
                let back = Transform::new(&Crs::epsg_code(code), &Crs::wgs84())
                    .unwrap()
                    .xy(got.0, got.1)
                    .unwrap();
                // A datum shift (UCS-2000) inverts to within a millimetre.
                assert!(
                    (back.0 - x).abs() < 1e-7 && (back.1 - y).abs() < 1e-7,
                    "{back:?}"
                );
            }
        }
    }
}
