//! Timeline benchmarks: a series of shares over the bundled snapshots and, when
//! ../shared/data is present, over 20 raw weekly snapshots and the Donetsk raions.
//! The end-to-end comparison with the Python peer is `benches/peer/compare.py`.
//!
//! `load/raw-weekly-175/json` and `load/raw-weekly-175/store` compare loading the
//! 175 raw weekly snapshots (zones and markers, layers left unresolved) from
//! their gzip GeoJSON and from a store written once beforehand.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use frontline::import;
use frontline::timeline::{LoadOptions, Timeline, load_series, store};

fn bench(c: &mut Criterion) {
    let towns = import::read_places("data/city.geojson").expect("bundled city.geojson");
    let regions: Vec<_> = towns.iter().collect();
    c.bench_function("series/bundled", |b| {
        b.iter(|| load_series(&["data/snapshots"], &regions, &LoadOptions::default()))
    });
    let data = Path::new("../shared/data");
    if !data.is_dir() {
        eprintln!("skipped the real-data benchmark: ../shared/data is absent");
        return;
    }
    let raions =
        import::read_places(data.join("admin/donetsk/raions.geojson")).expect("Donetsk raions");
    let raions: Vec<_> = raions.iter().collect();
    let files = frontline::timeline::snapshot_files(&[data.join("deepstate/raw-weekly")])
        .expect("raw weekly archive");
    let some = &files[files.len() - 20..];
    let mut group = c.benchmark_group("series");
    group.sample_size(10);
    group.bench_function("raw-weekly-20/donetsk-raions", |b| {
        b.iter(|| load_series(some, &raions, &LoadOptions::default()))
    });
    group.finish();

    let all = [data.join("deepstate/raw-weekly")];
    let timeline = Timeline::load(&all, &LoadOptions::default()).expect("raw weekly archive");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("raw-weekly.fls");
    store::write(&timeline, &path).expect("store written");
    let mut group = c.benchmark_group("load/raw-weekly-175");
    group.sample_size(10);
    group.bench_function("json", |b| {
        b.iter(|| Timeline::load(&all, &LoadOptions::default()).expect("loaded"))
    });
    group.bench_function("store", |b| {
        b.iter(|| Timeline::load(&[&path], &LoadOptions::default()).expect("opened"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
