//! Import one raw 2025 DeepState snapshot and compute the control shares of the 8
//! raions of Donetsk oblast (the core issue's benchmark), plus the same steps on
//! the bundled samples. Real data is read from ../shared/data (or
//! $FRONTLINE_DATA); without it only the sample benchmarks run.
//!
//!     cargo bench --bench share

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use frontline::import;
use frontline::measure::Regions;

fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("FRONTLINE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    dir.join("README.md").is_file().then_some(dir)
}

fn bench(c: &mut Criterion) {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sample = here.join("data/snapshots/deepstate_20250801.geojson");
    let region = import::read_places(here.join("data/region.geojson")).expect("bundled region");
    let region = Regions::new(&region.iter().collect::<Vec<_>>()).expect("an area");
    c.bench_function("samples/import+share", |b| {
        b.iter(|| {
            let snap = import::read_zones(&sample, None)
                .expect("bundled snapshot")
                .snapshot;
            black_box(region.shares(&snap).unwrap())
        })
    });

    let Some(data) = shared_data() else {
        eprintln!("NOTICE: ../shared/data not found: real-data benchmarks skipped");
        return;
    };
    let snapshot = data.join("deepstate/raw-weekly/1754251105.geojson.gz");
    let raions = import::read_places(data.join("admin/donetsk/raions.geojson")).expect("raions");
    let raions = Regions::new(&raions.iter().collect::<Vec<_>>()).expect("areas");
    let mut group = c.benchmark_group("raw-2025-08-03");
    group.sample_size(20);
    group.bench_function("import", |b| {
        b.iter(|| black_box(import::read_zones(&snapshot, None).expect("snapshot")))
    });
    let [w, s, e, n] = {
        let cut = raions.cut_box();
        [cut.min().x, cut.min().y, cut.max().x, cut.max().y]
    };
    let options = import::ReadOptions::default();
    group.bench_function("import within the raions' box", |b| {
        b.iter(|| {
            black_box(
                import::read_zones_in(&snapshot, None, [w, s, e, n], &options).expect("snapshot"),
            )
        })
    });
    let snap = import::read_zones(&snapshot, None)
        .expect("snapshot")
        .snapshot;
    group.bench_function("8 raion shares", |b| {
        b.iter(|| black_box(raions.shares(&snap).unwrap()))
    });
    // What `series` does per snapshot.
    group.bench_function("import within the box + 8 raion shares", |b| {
        b.iter(|| {
            let snap = import::read_zones_in(&snapshot, None, [w, s, e, n], &options)
                .expect("snapshot")
                .snapshot;
            black_box(raions.shares(&snap).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
