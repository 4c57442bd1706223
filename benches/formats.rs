//! Reading the 136 raions of Ukraine with `read_places` from GeoJSON (gzip),
//! FlatGeobuf and GeoParquet (written into a temporary directory first, by
//! frontline: sealed, so cleaning only checks coordinates), FlatGeobuf written by
//! GDAL (`ogr2ogr`, when installed: no seal, cleaned in full), and by box from
//! FlatGeobuf through its index. Skips with a notice without the real data.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use frontline::convert::convert;
use frontline::import::{read_places, read_places_in};

fn data() -> Option<PathBuf> {
    let dir = std::env::var_os("FRONTLINE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    let file = dir.join("admin/ukraine_raions.geojson.gz");
    if file.is_file() {
        Some(file)
    } else {
        eprintln!(
            "NOTICE: formats bench skipped: {} not found",
            file.display()
        );
        None
    }
}

fn bench(c: &mut Criterion) {
    let Some(geojson) = data() else { return };
    let dir = std::env::temp_dir().join(format!("frontline-bench-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (fgb, parquet) = (dir.join("raions.fgb"), dir.join("raions.parquet"));
    convert(&geojson, &fgb, None, None).unwrap();
    convert(&geojson, &parquet, None, None).unwrap();
    let mut g = c.benchmark_group("read_places");
    g.sample_size(10);
    let gdal = dir.join("raions-gdal.fgb");
    let gdal = std::process::Command::new("ogr2ogr")
        .args(["-f", "FlatGeobuf"])
        .arg(&gdal)
        .arg(format!("/vsigzip/{}", geojson.display()))
        .output()
        .is_ok_and(|o| o.status.success())
        .then_some(gdal);
    if gdal.is_none() {
        eprintln!("NOTICE: ogr2ogr not found: no GDAL-written FlatGeobuf bench");
    }
    for (name, path) in [
        ("geojson_gz", Some(&geojson)),
        ("flatgeobuf", Some(&fgb)),
        ("geoparquet", Some(&parquet)),
        ("flatgeobuf_gdal", gdal.as_ref()),
    ] {
        let Some(path) = path else { continue };
        g.bench_function(name, |b| b.iter(|| read_places(path).unwrap().len()));
    }
    // Donetsk oblast's box: ~15 of the 136 raions.
    let bbox = [36.54, 46.87, 39.09, 49.23];
    g.bench_function("flatgeobuf_bbox", |b| {
        b.iter(|| {
            read_places_in(&fgb, bbox, &Default::default())
                .unwrap()
                .len()
        })
    });
    g.finish();
    std::fs::remove_dir_all(&dir).unwrap();
}

criterion_group!(benches, bench);
criterion_main!(benches);
