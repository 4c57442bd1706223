//! Reading the 136 raions of Ukraine with `read_places` from GeoJSON (gzip),
//! FlatGeobuf and GeoParquet (written into a temporary directory first), and by
//! box from FlatGeobuf through its index. Skips with a notice without the real data.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use frontline::formats;
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
    formats::convert(&geojson, &fgb, None, None).unwrap();
    formats::convert(&geojson, &parquet, None, None).unwrap();
    let mut g = c.benchmark_group("read_places");
    g.sample_size(10);
    for (name, path) in [
        ("geojson_gz", &geojson),
        ("flatgeobuf", &fgb),
        ("geoparquet", &parquet),
    ] {
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
