//! Proximity benchmarks on real data (skipped with a notice when ../shared/data is
//! absent): status look-ups on the 2025-08-03 raw snapshot, and the distance to the
//! front of every Donetsk settlement, index and front derivation included (with
//! the area of interest prepared once, and prepared afresh each time).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use frontline::proximity::{Front, FrontOptions, ProximityIndex};
use frontline::{PlaceGeometry, import};

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if !dir.is_dir() {
        eprintln!("proximity benchmarks skipped: ../shared/data is absent");
        return;
    }
    let snapshot = import::read_zones(dir.join("deepstate/raw-weekly/1754251105.geojson.gz"), None)
        .expect("snapshot")
        .snapshot;
    let index = ProximityIndex::new(&snapshot);
    // Uniform points over Ukraine's bounding box (deterministic).
    let mut state = 1u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let points: Vec<geo::Point<f64>> = (0..100_000)
        .map(|_| geo::point!(x: 22.0 + 18.5 * next(), y: 44.3 + 8.1 * next()))
        .collect();
    let mut group = c.benchmark_group("status");
    group.throughput(Throughput::Elements(points.len() as u64));
    group.bench_function("100k points over Ukraine, 1754251105", |b| {
        b.iter(|| {
            points
                .iter()
                .filter(|p| index.status_at(**p).ok().flatten().is_some())
                .count()
        })
    });
    group.finish();

    let places = import::read_places(dir.join("admin/donetsk/places.geojson")).expect("places");
    let outline = import::read_places(dir.join("admin/ukraine_outline.geojson")).expect("outline");
    let aoi = outline
        .iter()
        .next()
        .and_then(|p| p.area())
        .expect("outline polygon")
        .clone();
    let points: Vec<geo::Point<f64>> = places
        .iter()
        .filter_map(|p| match p.geometry {
            PlaceGeometry::Point(p) => Some(p),
            PlaceGeometry::Area(_) => None,
        })
        .collect();
    let options = FrontOptions::default().within(aoi).tolerance_m(1_000.0);
    let mut group = c.benchmark_group("front distance");
    group.sample_size(10);
    group.bench_function("373 Donetsk places, front derived and indexed", |b| {
        b.iter(|| {
            let front = Front::derive(&snapshot, &options).expect("front");
            let total: f64 = points
                .iter()
                .filter_map(|p| front.nearest(*p).ok().flatten())
                .map(|n| n.km)
                .sum();
            black_box(total)
        })
    });
    // The same with the area of interest prepared afresh every time (the options
    // above keep their prepared outline, as a caller deriving many fronts would).
    group.bench_function(
        "373 Donetsk places, front derived and indexed, outline prepared",
        |b| {
            b.iter(|| {
                let fresh = FrontOptions::default()
                    .within(options.aoi().expect("aoi").clone())
                    .tolerance_m(1_000.0);
                let front = Front::derive(&snapshot, &fresh).expect("front");
                let total: f64 = points
                    .iter()
                    .filter_map(|p| front.nearest(*p).ok().flatten())
                    .map(|n| n.km)
                    .sum();
                black_box(total)
            })
        },
    );
    let front = Front::derive(&snapshot, &options).expect("front");
    group.bench_function("373 Donetsk places, queries only", |b| {
        b.iter(|| {
            points
                .iter()
                .filter_map(|p| front.nearest(*p).ok().flatten())
                .map(|n| n.km)
                .sum::<f64>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
