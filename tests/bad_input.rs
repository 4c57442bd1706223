//! Bad input never panics: each case is a clear error naming the file (and the
//! feature), or a documented repair with a warning.

use std::path::PathBuf;

use frontline::import::{self, Source, StatusMapping};
use frontline::{GeodesicAreaKm2, Status};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn feature(geometry: &str, name: &str) -> String {
    format!(r#"{{"type": "Feature", "properties": {{"name": "{name}"}}, "geometry": {geometry}}}"#)
}

fn collection(features: &[String]) -> String {
    format!(
        r#"{{"type": "FeatureCollection", "features": [{}]}}"#,
        features.join(",")
    )
}

const SQUARE: &str =
    r#"{"type": "Polygon", "coordinates": [[[37,48],[37.1,48],[37.1,48.1],[37,48.1],[37,48]]]}"#;

fn zones_error(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "zones.geojson", text);
    let err = import::read_zones(&path, Some(&Source::DeepState))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("zones.geojson"),
        "the message names the file: {err}"
    );
    err
}

#[test]
fn malformed_json_and_empty_files() {
    assert!(zones_error("").contains("empty"));
    assert!(zones_error("   \n").contains("empty"));
    assert!(
        zones_error(r#"{"type": "FeatureCollection", "features": [{"type": "#)
            .contains("not valid GeoJSON")
    );
    assert!(zones_error("<html>").contains("not valid GeoJSON"));
    assert!(zones_error(r#"{"type": "Topology"}"#).contains("Topology"));
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let err = import::read_zones("no/such/file.geojson", None)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("no/such/file.geojson: "), "{err}");
}

#[test]
fn broken_gzip_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.geojson.gz");
    std::fs::write(&path, [0x1f, 0x8b, 8, 0, 1, 2, 3]).unwrap();
    let err = import::read_zones(&path, None).unwrap_err().to_string();
    assert!(
        err.contains("snap.geojson.gz") && err.contains("gzip"),
        "{err}"
    );
}

#[test]
fn non_finite_and_out_of_range_coordinates_name_the_feature() {
    // JSON has no NaN: a file with one is not JSON at all.
    let nan = collection(&[feature(
        r#"{"type": "Point", "coordinates": [NaN, 1]}"#,
        "x",
    )]);
    assert!(zones_error(&nan).contains("not valid GeoJSON"));
    let far = collection(&[
        feature(SQUARE, "fine /// geoJSON.status.occupied"),
        feature(
            r#"{"type": "Polygon", "coordinates": [[[4000000,6000000],[4000100,6000000],[4000100,6000100],[4000000,6000000]]]}"#,
            "projected",
        ),
    ]);
    let err = zones_error(&far);
    assert!(
        err.contains("feature 1 (projected)") && err.contains("projected?"),
        "{err}"
    );
}

#[test]
fn unclosed_and_degenerate_rings_are_repaired_with_warnings() {
    let text = collection(&[
        feature(
            r#"{"type": "Polygon", "coordinates": [[[37,48],[37.1,48],[37.1,48.1],[37,48.1]]]}"#,
            "a /// geoJSON.status.occupied",
        ),
        feature(
            r#"{"type": "Polygon", "coordinates": [[[37,48],[37.1,48],[37,48]]]}"#,
            "b /// geoJSON.status.occupied",
        ),
    ]);
    let import = import::parse_zones(&text, "zones.geojson", None).unwrap();
    let w = &import.report.warnings;
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].contains("feature 0") && w[0].contains("not closed"));
    assert!(w[1].contains("feature 1") && w[1].contains("fewer than 3 distinct"));
    assert_eq!(import.snapshot.zones().len(), 1);
}

#[test]
fn self_intersecting_polygons_are_repaired_and_measured_once() {
    // A bowtie: two triangles of 0.05° × 0.05° / 2 each.
    let bowtie = r#"{"type": "Polygon", "coordinates": [[[37,48],[37.1,48.1],[37.1,48],[37,48.1],[37,48]]]}"#;
    let text = collection(&[feature(bowtie, "x /// geoJSON.status.unknown")]);
    let import = import::parse_zones(&text, "zones.geojson", None).unwrap();
    assert!(
        import.report.warnings[0].contains("repaired"),
        "{:?}",
        import.report.warnings
    );
    let contested = import.snapshot.layer(&Status::CONTESTED).unwrap();
    let square = import::parse_zones(
        &collection(&[feature(SQUARE, "s /// geoJSON.status.unknown")]),
        "s.geojson",
        None,
    )
    .unwrap()
    .snapshot;
    let half = square.layer(&Status::CONTESTED).unwrap().area_km2() / 2.0;
    assert!(
        (contested.area_km2() / half - 1.0).abs() < 0.01,
        "{} vs {half}",
        contested.area_km2()
    );
}

#[test]
fn a_point_where_a_region_is_needed_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "towns.geojson",
        &collection(&[feature(
            r#"{"type": "Point", "coordinates": [37, 48]}"#,
            "Dot",
        )]),
    );
    let places = import::read_places(&path).unwrap();
    let snapshot = import::read_zones(
        env!("CARGO_MANIFEST_DIR").to_string() + "/data/snapshots/deepstate_20250601.geojson",
        None,
    )
    .unwrap()
    .snapshot;
    let err = snapshot
        .share(places.iter().next().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("Dot is a point"), "{err}");
}

#[test]
fn a_places_file_without_usable_geometry_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "lines.geojson",
        &collection(&[
            feature(
                r#"{"type": "LineString", "coordinates": [[37, 48], [38, 49]]}"#,
                "Road",
            ),
            feature("null", "Nothing"),
        ]),
    );
    let err = import::read_places(&path).unwrap_err().to_string();
    assert!(
        err.contains("lines.geojson") && err.contains("no feature with a usable"),
        "{err}"
    );
}

#[test]
fn unknown_region_names_list_close_ones() {
    let places =
        import::read_places(env!("CARGO_MANIFEST_DIR").to_string() + "/data/city.geojson").unwrap();
    let err = places.find("Demo Citty").unwrap_err().to_string();
    assert!(
        err.contains("city.geojson") && err.contains("Demo City"),
        "{err}"
    );
    let err = places.find("Kyiv").unwrap_err().to_string();
    assert!(!err.contains("did you mean"), "{err}");
}

#[test]
fn generic_files_report_unmapped_values() {
    let text = r#"{"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"side": "RU"}, "geometry": {"type": "Polygon", "coordinates": [[[37,48],[37.1,48],[37.1,48.1],[37,48]]]}},
        {"type": "Feature", "properties": {"side": "??"}, "geometry": {"type": "Polygon", "coordinates": [[[36,48],[36.1,48],[36.1,48.1],[36,48]]]}}]}"#;
    let mapping = StatusMapping::new("side").map("RU", Status::OCCUPIED);
    let import = import::parse_zones(text, "g.geojson", Some(&Source::Generic(mapping))).unwrap();
    assert_eq!(import.report.unclassified.len(), 1);
    assert_eq!(import.report.unclassified[0].index, 1);
    assert!(
        import
            .snapshot
            .layer(&Status::OCCUPIED)
            .unwrap()
            .geometry()
            .geodesic_area_km2()
            > 0.0
    );
}

#[test]
fn an_empty_collection_is_an_empty_snapshot() {
    let import = import::parse_zones(
        r#"{"type": "FeatureCollection", "features": []}"#,
        "e.geojson",
        Some(&Source::DeepState),
    )
    .unwrap();
    assert!(import.snapshot.layers().is_empty());
    assert!(import.snapshot.totals().iter().all(|(_, km2)| *km2 == 0.0));
}

#[test]
fn overlapping_parts_of_a_region_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let square = |x: f64| {
        format!(
            "[[[{x},48],[{},48],[{},48.1],[{x},48.1],[{x},48]]]",
            x + 0.1,
            x + 0.1
        )
    };
    let multi = format!(
        r#"{{"type": "MultiPolygon", "coordinates": [{}, {}]}}"#,
        square(37.0),
        square(37.05)
    );
    let single = r#"{"type": "Polygon", "coordinates": [[[37,48],[37.15,48],[37.15,48.1],[37,48.1],[37,48]]]}"#;
    let path = write(
        &dir,
        "r.geojson",
        &collection(&[feature(&multi, "Overlap"), feature(single, "Union")]),
    );
    let places = import::read_places(&path).unwrap();
    let areas: Vec<f64> = places
        .iter()
        .map(|p| p.area().unwrap().geodesic_area_km2())
        .collect();
    assert!((areas[0] / areas[1] - 1.0).abs() < 1e-9, "{areas:?}");
}

/// A file whose name says another format than its content is read by its
/// content, and the mismatch is a warning (the file may not be the one meant):
/// GeoParquet named `.shp`, FlatGeobuf named `.geojson`.
#[test]
fn a_file_named_as_another_format_is_read_by_its_content_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let fc: geojson::FeatureCollection = collection(&[feature(SQUARE, "a")]).parse().unwrap();
    let wgs84 = frontline::crs::Crs::wgs84();
    let parquet = dir.path().join("a.parquet");
    frontline::formats::write(&fc, &parquet, &wgs84, None, None).unwrap();
    let shp = dir.path().join("a.shp");
    std::fs::rename(&parquet, &shp).unwrap();
    let places = import::read_places(&shp).unwrap();
    assert_eq!(places.len(), 1);
    assert_eq!(
        places.warnings(),
        ["its content is GeoParquet, but its name says Shapefile: read it as GeoParquet"]
    );
    let fc: geojson::FeatureCollection =
        collection(&[feature(SQUARE, "Окуповано")]).parse().unwrap();
    let fgb = dir.path().join("z.fgb");
    frontline::formats::write(&fc, &fgb, &wgs84, None, None).unwrap();
    let geojson = dir.path().join("z.geojson");
    std::fs::rename(&fgb, &geojson).unwrap();
    let import = import::read_zones(&geojson, Some(&Source::DeepState)).unwrap();
    assert_eq!(
        import.report.warnings,
        ["its content is FlatGeobuf, but its name says GeoJSON: read it as FlatGeobuf"]
    );
    // Named for what it holds: nothing to say.
    std::fs::rename(&geojson, &fgb).unwrap();
    assert!(
        import::read_zones(&fgb, Some(&Source::DeepState))
            .unwrap()
            .report
            .warnings
            .is_empty()
    );
    let converted =
        frontline::convert::convert(&shp, dir.path().join("a.geojson"), None, None).unwrap();
    assert_eq!(converted.warnings.len(), 1, "{:?}", converted.warnings);
}

// Inputs the fuzz targets found (fuzz/README.md), kept as they were found.

/// A FlatGeobuf file whose first feature's size prefix claims ~4 GiB: the reader
/// reserved what it claimed before reading. Now the prefixes are checked against
/// the file's length first.
#[test]
fn a_flatgeobuf_feature_size_past_the_end_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let fc: geojson::FeatureCollection = collection(&[feature(SQUARE, "a")]).parse().unwrap();
    let path = dir.path().join("big.fgb");
    frontline::formats::write(&fc, &path, &frontline::crs::Crs::wgs84(), None, None).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    // Magic, header size, header, and an index of one feature (two nodes of 40 bytes).
    let header = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let first = 12 + header + 80;
    bytes[first..first + 4].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let err = import::read_places(&path).unwrap_err().to_string();
    assert!(
        err.contains("big.fgb")
            && err.contains("feature 0 at byte")
            && err.contains("past the end"),
        "{err}"
    );
    // As the fuzz target found it: through the spatial index.
    let path = dir.path().join("oom.fgb");
    std::fs::write(&path, include_bytes!("fuzz/flatgeobuf-oom.fgb")).unwrap();
    let bbox = [37.0, 47.5, 38.5, 49.0];
    let err = import::read_places_in(&path, bbox, &Default::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("oom.fgb") && err.contains("past the end"),
        "{err}"
    );
}

/// A 2.1 KB FlatGeobuf file whose R-tree gives a feature offset past `i64`: the
/// flatgeobuf crate seeks backwards by it into the header, takes four of its
/// bytes for the feature's size and reserves and zeroes that (3.9 GB, 10 s of
/// system time; found by fuzzing). Only reads at a feature's checked size prefix,
/// then of its body, are allowed once the features begin.
#[test]
fn a_flatgeobuf_index_pointing_outside_the_features_is_refused_saying_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.fgb");
    std::fs::write(
        &path,
        include_bytes!("fuzz/flatgeobuf-index-into-header.fgb"),
    )
    .unwrap();
    let bbox = [37.0, 47.5, 38.5, 49.0];
    let err = import::read_places_in(&path, bbox, &Default::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("index.fgb")
            && err.contains("its spatial index points at byte 329, where no feature starts"),
        "{err}"
    );
    // An index entry pointing into the body of a sound file's feature.
    let fc: geojson::FeatureCollection = collection(&[feature(SQUARE, "a"), feature(SQUARE, "b")])
        .parse()
        .unwrap();
    let path = dir.path().join("body.fgb");
    frontline::formats::write(&fc, &path, &frontline::crs::Crs::wgs84(), None, None).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    // Magic, header size, header; the index: the root, then two leaves of 40
    // bytes whose last eight are a feature's offset from the first feature.
    let header = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let leaf = 12 + header + 40 + 32;
    bytes[leaf..leaf + 8].copy_from_slice(&6u64.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let err = import::read_places_in(&path, [-180.0, -90.0, 180.0, 90.0], &Default::default())
        .unwrap_err()
        .to_string();
    let features_at = 12 + header + 120;
    assert!(
        err.contains(&format!(
            "points at byte {}, where no feature starts",
            features_at + 6
        )),
        "{err}"
    );
    // The whole file is still read in order.
    assert_eq!(import::read_places(&path).unwrap().len(), 2);
    // Its index mended, cut at the end of its first feature: a truncated file,
    // as before the guard.
    bytes[leaf..leaf + 8].copy_from_slice(&0u64.to_le_bytes());
    let first = u32::from_le_bytes(bytes[features_at..features_at + 4].try_into().unwrap());
    std::fs::write(&path, &bytes[..features_at + 4 + first as usize]).unwrap();
    for err in [
        import::read_places(&path).unwrap_err().to_string(),
        import::read_places_in(&path, [-180.0, -90.0, 180.0, 90.0], &Default::default())
            .unwrap_err()
            .to_string(),
    ] {
        assert!(
            err.contains(
                "truncated FlatGeobuf file: its header announces 2 features, 1 could be read"
            ),
            "{err}"
        );
    }
}

/// A 2.1 KB FlatGeobuf file (found by fuzzing) whose second feature, "Demo City",
/// is a ring of coordinates near 1e-300: geo's validation, asked only for the
/// words of the message before the repair, broke a debug assertion of its
/// topology graph ("topology position conflict"), a panic in any build with
/// debug assertions (the tests', the fuzzers'). Now caught: the message says what
/// frontline's own check found (a release build has no such assertion, and
/// gives geo's words), and the repair refuses the ring.
#[test]
fn a_ring_that_breaks_geos_validation_is_refused_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.fgb");
    std::fs::write(
        &path,
        include_bytes!("fuzz/flatgeobuf-validation-panic.fgb"),
    )
    .unwrap();
    // Its first feature has a latitude of 96°: that is the error, after every
    // feature was cleaned.
    let err = import::read_places(&path).unwrap_err().to_string();
    assert!(
        err.contains("feature 0 (Demo Village)") && err.contains("outside longitude/latitude"),
        "{err}"
    );
    // The second alone.
    let json = dir.path().join("tiny.geojson");
    frontline::convert::convert(&path, &json, None, None).unwrap();
    let mut fc: geojson::FeatureCollection =
        std::fs::read_to_string(&json).unwrap().parse().unwrap();
    fc.features.remove(0);
    let err = import::parse_places(&fc.to_string(), "city.geojson")
        .unwrap_err()
        .to_string();
    // With debug assertions geo's validation breaks one and the words are
    // frontline's; without (a release build), geo's own words come through.
    let problem = if cfg!(debug_assertions) {
        "rings that meet, or a hole outside its exterior"
    } else {
        "exterior ring has a self-intersection"
    };
    assert!(
        err.contains(&format!("feature 0 (Demo City): invalid polygon ({problem}) that could not be repaired: coordinate value is non-zero but below triangulation kernel minimum")),
        "{err}"
    );
}

/// A GeoParquet file whose column chunk has a negative offset: the parquet crate
/// asserted (panicked) reading its rows.
#[test]
fn a_geoparquet_column_chunk_outside_the_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chunk.parquet");
    std::fs::write(
        &path,
        include_bytes!("fuzz/geoparquet-negative-chunk.parquet"),
    )
    .unwrap();
    let err = import::read_places(&path).unwrap_err().to_string();
    assert!(
        err.contains("chunk.parquet") && err.contains("outside the file"),
        "{err}"
    );
}

/// A GeoParquet file (`data/region.geojson`, written by frontline) whose footer
/// lists its one row group twice (made by hand, from a review): read as it was,
/// it gave every feature twice. Column chunks that overlap are refused.
#[test]
fn a_geoparquet_file_whose_column_chunks_overlap_is_refused() {
    let path = std::path::Path::new("tests/fuzz/geoparquet-overlapping-chunks.parquet");
    let err = import::read_places(path).unwrap_err().to_string();
    assert!(
        err.contains("geoparquet-overlapping-chunks.parquet")
            && err.contains("of row group 0 and column")
            && err.contains("of row group 1 claim the same bytes, from 4 to"),
        "{err}"
    );
}

/// A 2.8 KB GeoParquet file whose damaged page header sends the Thrift decoder
/// skipping two million values past the end of the file (found by the fuzzer:
/// it took 2 s to be refused, one system call a read, until the reader read
/// from memory, and then one empty read a value, until reading past the end
/// failed): refused at once, in words rather than the crate's variants.
#[test]
fn a_geoparquet_file_with_a_damaged_page_header_is_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("header.parquet");
    std::fs::write(&path, include_bytes!("fuzz/geoparquet-slow-header.parquet")).unwrap();
    for err in [
        import::read_places(&path).unwrap_err().to_string(),
        import::read_zones(&path, None).unwrap_err().to_string(),
    ] {
        assert!(
            err.contains("header.parquet")
                && err.contains("the file is damaged: a page header runs past the end of the file"),
            "{err}"
        );
        assert!(!err.contains("External:"), "{err}");
    }
}

/// A 6.6 KB GeoParquet file whose page header claims a map of 112 million
/// entries (found by the fuzzer, a timeout): the parquet crate skipped them past
/// the end of the file, one empty read each, and spent 2.3 s (release) before it
/// failed. Reading past the end fails now, and the file is refused at once.
/// (Lists of billions of booleans, which take no bytes to the crate, are refused
/// by the walk of the page headers: `formats::thrift`'s tests.)
#[test]
fn a_geoparquet_page_header_claiming_millions_of_values_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lists.parquet");
    std::fs::write(
        &path,
        include_bytes!("fuzz/geoparquet-boolean-lists.parquet"),
    )
    .unwrap();
    for err in [
        import::read_places(&path).unwrap_err().to_string(),
        import::read_zones(&path, None).unwrap_err().to_string(),
    ] {
        assert!(
            err.contains("lists.parquet") && err.contains("the file is damaged"),
            "{err}"
        );
    }
}

/// A 4 KB GeoParquet file whose page header claims a set of 87 million values
/// past the end of the file (found by the fuzzer, a timeout: 17 s in its build).
/// It is read at once now, and refused for what it is: its metadata is damaged.
#[test]
fn a_geoparquet_page_header_skipping_past_the_end_is_refused_at_once() {
    let path = std::path::Path::new("tests/fuzz/geoparquet-skip-past-end.parquet");
    for err in [
        import::read_places(path).unwrap_err().to_string(),
        import::read_zones(path, None).unwrap_err().to_string(),
    ] {
        assert!(
            err.contains("geoparquet-skip-past-end.parquet")
                && err.contains("its GeoParquet \"geo\" metadata is not JSON"),
            "{err}"
        );
    }
}

/// A Parquet file of a footer only: `PAR1`, the footer, its length, `PAR1`.
fn parquet_of_footer(footer: &[u8]) -> Vec<u8> {
    let mut file = b"PAR1".to_vec();
    file.extend_from_slice(footer);
    file.extend_from_slice(&(footer.len() as u32).to_le_bytes());
    file.extend_from_slice(b"PAR1");
    file
}

/// Parquet footers found in review that the walk by the bytes' types let
/// through: (1) 22 bytes whose `version` is marked as a binary, hiding from that
/// walk a list of two billion booleans that the crate skips (about 2 s; a file of
/// k such lists, k times as long); (2) a schema element claiming 2^31 - 1
/// children, for which the crate reserved 16 GiB (an abort, where the allocation
/// fails); (3) a chain of 100 groups, one inside the other, which the crate
/// builds by recursion (a long enough chain overflows the stack); (4) the second
/// cut short after its schema; (5) a long name over many columns, copied into
/// each column's path. Each is refused, in words.
#[test]
fn damaged_parquet_footers_are_refused_before_the_crate_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("footer.parquet");
    let refused = |footer: &[u8]| {
        std::fs::write(&path, parquet_of_footer(footer)).unwrap();
        import::read_places(&path).unwrap_err().to_string()
    };
    let err = refused(&[0x18, 0x07, 0xf9, 0xf1, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00]);
    assert!(
        err.contains("footer.parquet")
            && err.contains("its footer (10 bytes) claims more values than it can hold"),
        "{err}"
    );
    // Field 2 (the schema): a list of one element named "a", 2^31 - 1 children.
    let children = [
        0x29, 0x1c, 0x48, 0x01, b'a', 0x15, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00,
    ];
    let err = refused(&children);
    assert!(
        err.contains("its schema element 0 claims 2147483647 children, but 0 elements follow it"),
        "{err}"
    );
    // 100 elements, each a group of one child (zigzag 2), the last a leaf.
    let mut chain = vec![0x29, 0xfc, 100];
    for k in 0..100 {
        chain.extend_from_slice(&[0x48, 0x01, b'g']);
        if k < 99 {
            chain.extend_from_slice(&[0x15, 0x02]);
        }
        chain.push(0x00);
    }
    chain.push(0x00);
    let err = refused(&chain);
    assert!(
        err.contains("its schema nests more than 64 levels deep"),
        "{err}"
    );
    // The second case cut short after its schema: the crate fails there, but
    // only once it has built the schema (found in review).
    let cut = [
        0x29, 0x2c, 0x48, 0x01, b'a', 0x15, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x48, 0x01, b'b',
        0x00,
    ];
    let err = refused(&cut);
    assert!(
        err.contains("its schema element 0 claims 2147483647 children, but 1 element follows it"),
        "{err}"
    );
    // 2,000 columns under a group with a name of 100,000 bytes: the crate copies
    // the name into every column's path, 200 MB from a footer of 116 KB (the
    // square of its size; found in review).
    let (columns, name) = (2000u32, 100_000u32);
    let varint = |mut v: u64, out: &mut Vec<u8>| loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    };
    let mut wide = vec![0x15, 0x02, 0x19, 0xfc];
    varint(u64::from(columns) + 2, &mut wide);
    wide.extend_from_slice(&[0x48, 0x01, b'r', 0x15, 0x02, 0x00]);
    wide.extend_from_slice(&[0x35, 0x00, 0x18]);
    varint(u64::from(name), &mut wide);
    wide.extend(std::iter::repeat_n(b'n', name as usize));
    wide.push(0x15);
    varint(2 * u64::from(columns), &mut wide);
    wide.push(0x00);
    for _ in 0..columns {
        wide.extend_from_slice(&[0x15, 0x00, 0x25, 0x00, 0x18, 0x01, b'a', 0x00]);
    }
    wide.extend_from_slice(&[0x16, 0x00, 0x19, 0x0c, 0x00]);
    let err = refused(&wide);
    assert!(
        err.contains("its schema's column paths would take")
            && err.contains(&format!("from a footer of {}", wide.len())),
        "{err}"
    );
}

/// A 67-byte Parquet file (inside a Shapefile container the `shapefile` fuzz
/// target made: detection goes by the content's magic) whose footer claims lists
/// of billions of booleans, as above: the build before took 177 s in the fuzzer
/// to refuse it. Refused before the crate decodes the footer.
#[test]
fn a_geoparquet_footer_claiming_billions_of_values_is_refused() {
    let path = std::path::Path::new("tests/fuzz/geoparquet-footer-lists.parquet");
    let err = import::read_places(path).unwrap_err().to_string();
    assert!(
        err.contains("geoparquet-footer-lists.parquet")
            && err.contains("its footer (18 bytes) claims more values than it can hold"),
        "{err}"
    );
}

/// A GeoParquet file compressed with ZSTD (written by GeoPandas 1.2 from
/// `data/city.geojson`, `to_parquet(compression="zstd")`), which this build does
/// not decode: refused saying which compression, not called damaged (the
/// parquet crate's words were "the file is damaged: Disabled feature at compile
/// time: zstd").
#[test]
fn a_geoparquet_file_in_a_compression_not_read_is_refused_saying_which() {
    let path = std::path::Path::new("tests/files/city-zstd.parquet");
    for err in [
        import::read_places(path).unwrap_err().to_string(),
        import::read_zones(path, None).unwrap_err().to_string(),
    ] {
        assert!(
            err.contains("city-zstd.parquet")
                && err.contains("is compressed with ZSTD, which frontline does not read")
                && err.contains("Snappy"),
            "{err}"
        );
        assert!(!err.contains("damaged"), "{err}");
    }
}

/// A 2.5 KB GeoParquet file whose page header gives its uncompressed size as a
/// varint of 15 bytes (found by fuzzing): the parquet crate reads any length,
/// wrapping the bits past 64, and took it for 1 GB, which it reserved and zeroed
/// for Snappy to decode into (1.4 s and 1 GB for each read). The walk of the
/// page headers reads varints as the crate does, and refuses a page that claims
/// more than Snappy can expand its bytes to. A second file (2.8 KB, found next)
/// claims 1.4 GB from a compressed size of 0, which its bytes mark as a boolean
/// field: the crate reads a varint there whatever the mark says, and so does the
/// walk.
#[test]
fn a_geoparquet_page_claiming_more_than_snappy_can_expand_to_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.parquet");
    std::fs::write(
        &path,
        include_bytes!("fuzz/geoparquet-page-size-oom.parquet"),
    )
    .unwrap();
    for err in [
        import::read_places(&path).unwrap_err().to_string(),
        import::read_zones(&path, None).unwrap_err().to_string(),
    ] {
        assert!(
            err.contains("page.parquet")
                && err.contains("the page header at byte 77 of column \"name:en\" in row group 0 claims 1082196493 bytes once uncompressed, from 31 Snappy bytes"),
            "{err}"
        );
    }
    std::fs::write(
        &path,
        include_bytes!("fuzz/geoparquet-page-size-unsaid.parquet"),
    )
    .unwrap();
    let err = import::read_places(&path).unwrap_err().to_string();
    assert!(
        err.contains("the page header at byte 150 of column \"name:uk\" in row group 0 claims 1396079252 bytes once uncompressed, from 0 Snappy bytes"),
        "{err}"
    );
}

/// A 2.9 KB GeoParquet file whose dictionary page claims 1,073,741,837 values in
/// 44 bytes (found by the fuzzer): the parquet crate made room for them all (34
/// GB) and the failed allocation aborted the process. Refused beforehand.
#[test]
fn a_geoparquet_dictionary_claiming_more_values_than_its_bytes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dict.parquet");
    std::fs::write(
        &path,
        include_bytes!("fuzz/geoparquet-dictionary-oom.parquet"),
    )
    .unwrap();
    for err in [
        import::read_places(&path).unwrap_err().to_string(),
        import::read_zones(&path, None).unwrap_err().to_string(),
    ] {
        assert!(
            err.contains("dict.parquet") && err.contains("claims 1073741837 values in 44 bytes"),
            "{err}"
        );
    }
}

/// Unpacks an input of the `shapefile` fuzz target (three u32 little-endian
/// lengths, the .shp, .shx and .dbf, then the rest as the .prj) into `dir` as
/// `<stem>.*`, and returns the .shp's path.
fn shapefile_of_fuzz_input(data: &[u8], dir: &std::path::Path, stem: &str) -> std::path::PathBuf {
    let len = |i: usize| u32::from_le_bytes(data[4 * i..4 * i + 4].try_into().unwrap()) as usize;
    let mut at = 12;
    for (ext, n) in [
        ("shp", len(0)),
        ("shx", len(1)),
        ("dbf", len(2)),
        ("prj", data.len()),
    ] {
        let end = (at + n).min(data.len());
        if ext != "prj" || end > at {
            std::fs::write(dir.join(format!("{stem}.{ext}")), &data[at..end]).unwrap();
        }
        at = end;
    }
    dir.join(format!("{stem}.shp"))
}

/// A Shapefile record claiming more points than it holds: the shapefile crate
/// reserved 2.4 GB for them.
#[test]
fn a_shapefile_record_claiming_more_points_than_it_holds_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let shp = shapefile_of_fuzz_input(include_bytes!("fuzz/shapefile-oom.bin"), dir.path(), "oom");
    let err = import::read_places(shp).unwrap_err().to_string();
    assert!(err.contains("oom.shp") && err.contains("points"), "{err}");
}

/// A place whose two spiked, self-crossing parts overlap once repaired (found by
/// the `shapefile` fuzz target): their union broke an invariant i_overlay checks
/// in debug builds, which panicked. It is an error naming the feature; where the
/// check is compiled out, the union must be bounded by its parts' areas.
#[test]
fn a_place_whose_parts_cannot_be_combined_is_refused_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let shp = shapefile_of_fuzz_input(
        include_bytes!("fuzz/shapefile-union-invariant.bin"),
        dir.path(),
        "spiked",
    );
    refused_where_checked(import::read_places(&shp), &["spiked.shp", "Demo City"], 2);
}

/// The same from one self-crossing GeoJSON ring (the `places` fuzz target): its
/// repair gives overlapping pieces whose union broke the same invariant.
#[test]
fn a_ring_whose_repaired_pieces_cannot_be_combined_is_refused_not_a_panic() {
    let text = include_str!("fuzz/places-union-invariant.geojson");
    let read = import::parse_places(text, "soledar.geojson");
    refused_where_checked(read, &["soledar.geojson", "feature 0"], 1);
}

/// i_overlay checks its invariant only where debug assertions are on: there the
/// read is an error saying the parts could not be combined, naming `who`;
/// elsewhere it gives `places` places.
fn refused_where_checked(read: frontline::Result<frontline::Places>, who: &[&str], places: usize) {
    if cfg!(debug_assertions) {
        let err = read.unwrap_err().to_string();
        assert!(
            who.iter().all(|w| err.contains(w)) && err.contains("could not be combined"),
            "{err}"
        );
    } else {
        assert_eq!(read.unwrap().len(), places);
    }
}

/// A self-crossing ring of far-flung spikes (found by the `places` fuzz target)
/// on which the repair's triangulation (spade) panicked, in every build: an
/// error naming the feature.
#[test]
fn a_ring_the_repair_cannot_triangulate_is_refused_not_a_panic() {
    let text = include_str!("fuzz/places-repair-panic.geojson");
    let err = import::parse_places(text, "spikes.geojson")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("spikes.geojson")
            && err.contains("feature 0")
            && err.contains("could not be repaired: the repair failed"),
        "{err}"
    );
}

/// Coarse overlapping parts are combined, not refused: the union's bound is
/// checked on the overlay's own (planar) areas. Geodesic areas would have put
/// this union 2.8 km² below its larger part, the overlay's new vertices on the
/// 1° square's north edge lying on the straight line, not on the geodesic.
#[test]
fn coarse_overlapping_parts_are_combined() {
    let text = r#"{"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"name": "Two squares"}, "geometry": {"type": "MultiPolygon", "coordinates": [
        [[[37, 48], [38, 48], [38, 49], [37, 49], [37, 48]]],
        [[[37.49, 48.99], [37.51, 48.99], [37.51, 49.01], [37.49, 49.01], [37.49, 48.99]]]]}}]}"#;
    let places = import::parse_places(text, "squares.geojson").unwrap();
    assert_eq!(places.len(), 1);
}

/// Damaged files on which the flatgeobuf and parquet crates panic deep inside
/// their decoders (a property offset past its buffer; a dictionary page missing):
/// an error naming the file.
#[test]
fn decoder_panics_on_damaged_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        (
            "props.fgb",
            &include_bytes!("fuzz/flatgeobuf-properties-panic.fgb")[..],
        ),
        (
            "dict.parquet",
            &include_bytes!("fuzz/geoparquet-dictionary-panic.parquet")[..],
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let err = import::read_places(&path).unwrap_err().to_string();
        assert!(
            err.contains(name) && err.contains("decoder failed"),
            "{err}"
        );
    }
}
