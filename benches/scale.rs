//! Scale benchmarks (every hromada of Ukraine), when ../shared/data is present:
//!
//! - `hromadas/prepare`: reading `ukraine_hromadas.geojson.gz` and preparing its
//!   1,466 regions (their geodesic edge terms, outlines and grids);
//! - `hromadas/share-one-day`: one occupied-only daily snapshot measured in all of
//!   them, the regions prepared once (what `frontline share` does after reading);
//! - `hromadas/occupied-daily-30`: 30 consecutive occupied-only daily snapshots
//!   into packed share tables (`load_share_tables`), the job of the whole-archive
//!   series on a 30-day stretch;
//! - `hromadas/raw-daily-30`: the same on 30 consecutive raw daily snapshots
//!   (every status: occupied, grey zone, liberated, ground abroad).
//!
//! Each series runs on a new thread pool: the workers remember the polygons and
//! overlays they met lately (`recent`), and a pool kept from one iteration to the
//! next would meet the same days again.
//!
//! The end-to-end comparison with GeoPandas and DuckDB spatial on the whole
//! archive is `benches/peer/scale.py`.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use frontline::import;
use frontline::measure::Regions;
use frontline::timeline::{LoadOptions, load_share_tables, snapshot_files};

fn bench(c: &mut Criterion) {
    let data = Path::new("../shared/data");
    let hromadas = data.join("admin/ukraine_hromadas.geojson.gz");
    if !hromadas.is_file() {
        eprintln!(
            "skipped the scale benchmarks: {} is absent",
            hromadas.display()
        );
        return;
    }
    let mut group = c.benchmark_group("hromadas");
    group.sample_size(10);
    group.bench_function("prepare", |b| {
        b.iter(|| {
            let places = import::read_places(&hromadas).expect("hromadas");
            let all: Vec<_> = places.iter().collect();
            Regions::new(&all).expect("regions").regions().len()
        })
    });
    let places = import::read_places(&hromadas).expect("hromadas");
    let all: Vec<_> = places.iter().collect();
    let regions = Regions::new(&all).expect("regions");
    let files = snapshot_files(&[data.join("deepstate/occupied-daily")]).expect("occupied-daily");
    let day = &files[files.len() / 2];
    let snapshot = import::read_zones(day, None)
        .expect("a daily snapshot")
        .snapshot;
    group.bench_function("share-one-day", |b| {
        // A fresh snapshot each time (its layers are resolved as part of the job),
        // and fresh regions (a clone remembers no measure).
        b.iter_batched(
            || (snapshot.clone(), regions.clone()),
            |(s, r)| r.table(&s).expect("shares").len(),
            criterion::BatchSize::LargeInput,
        )
    });
    let mut archives = vec![("occupied-daily-30", files)];
    match snapshot_files(&[data.join("deepstate/raw-daily")]) {
        Ok(raw) => archives.push(("raw-daily-30", raw)),
        Err(e) => eprintln!("skipped hromadas/raw-daily-30: {e}"),
    }
    for (name, files) in &archives {
        let Some(month) = files.get(files.len() / 2..files.len() / 2 + 30) else {
            eprintln!("skipped hromadas/{name}: fewer than 60 snapshots");
            continue;
        };
        group.bench_function(*name, |b| {
            b.iter(|| {
                // New regions each time, so that no measure is remembered from a
                // run before, and new workers (see the module docs).
                let regions = Regions::new(&all).expect("regions");
                let pool = rayon::ThreadPoolBuilder::new().build().expect("a pool");
                pool.install(|| {
                    load_share_tables(month, &regions, &LoadOptions::default())
                        .expect("series")
                        .len()
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
