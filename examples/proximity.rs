//! The towns within a distance of the front line, with their status and distances.
//!
//! With no arguments it runs on the crate's bundled, illustrative data (a made-up
//! snapshot, made-up settlements, the made-up Demo Oblast as area of interest):
//!
//!     cargo run --example proximity
//!
//! Given a snapshot, a places file, an area-of-interest outline and optionally a
//! distance, it does the same on real files:
//!
//!     cargo run --release --example proximity -- \
//!         ../shared/data/deepstate/raw-weekly/1754251105.geojson.gz \
//!         ../shared/data/admin/donetsk/places.geojson \
//!         ../shared/data/admin/ukraine_outline.geojson 10km

use std::process::ExitCode;
use std::time::Instant;

use frontline::proximity::{Front, FrontOptions, ProximityIndex, parse_distance};
use frontline::{Error, PlaceGeometry, Status, import, model::UNMARKED};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let here = env!("CARGO_MANIFEST_DIR");
    let bundled = |f: &str| format!("{here}/data/{f}");
    let (snapshot, places, aoi, within) = match args.as_slice() {
        [] => (
            bundled("snapshots/deepstate_20250801.geojson"),
            bundled("places.geojson"),
            bundled("region.geojson"),
            "30km".to_string(),
        ),
        [s, p, a] => (s.clone(), p.clone(), a.clone(), "25km".to_string()),
        [s, p, a, d] => (s.clone(), p.clone(), a.clone(), d.clone()),
        _ => {
            eprintln!("usage: proximity [SNAPSHOT PLACES AOI [DISTANCE]]");
            return ExitCode::FAILURE;
        }
    };
    match run(&snapshot, &places, &aoi, &within) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(snapshot: &str, places: &str, aoi: &str, within: &str) -> frontline::Result<()> {
    let within_km = parse_distance(within)? / 1000.0;
    let t = Instant::now();
    let snapshot = import::read_zones(snapshot, None)?.snapshot;
    let places = import::read_places(places)?;
    let outline = import::read_places(aoi)?;
    let polygons: Vec<geo::Polygon<f64>> = outline
        .iter()
        .filter_map(|p| p.area())
        .flat_map(|a| a.0.iter().cloned())
        .collect();
    // Oblasts may touch or overlap: one outline from their union.
    let outline = geo::unary_union(&polygons);
    eprintln!("read in {:.2?}", t.elapsed());

    let t = Instant::now();
    let index = ProximityIndex::new(&snapshot);
    let options = FrontOptions::default().within(outline).tolerance_m(1_000.0);
    let front = Front::derive(&snapshot, &options)?;
    eprintln!("indexed and derived the front in {:.2?}", t.elapsed());
    println!(
        "front line {:.0} km (grey zone: {:.0} km against occupied ground, {:.0} km against the rest)",
        front.length_km(),
        front.grey_occupied_km(),
        front.grey_rest_km()
    );

    let t = Instant::now();
    let mut rows = Vec::new();
    for place in &places {
        let PlaceGeometry::Point(point) = place.geometry else {
            continue; // areas: see `frontline near`
        };
        let Some(to_front) = front.nearest(point)? else {
            return Err(Error::Invalid(
                "no front line in the area of interest".into(),
            ));
        };
        if to_front.km <= within_km {
            let status = index.status_at(point)?.map_or(UNMARKED, Status::as_str);
            let to_occupied = index.nearest(point, &Status::OCCUPIED)?.map(|n| n.km);
            rows.push((place.label().to_string(), status, to_front.km, to_occupied));
        }
    }
    eprintln!("{} places measured in {:.2?}", places.len(), t.elapsed());
    rows.sort_by(|a, b| a.2.total_cmp(&b.2));
    println!("{} places within {within_km} km of the front:", rows.len());
    println!(
        "{:<28} {:<10} {:>9} {:>12}",
        "place", "status", "front km", "occupied km"
    );
    for (name, status, front_km, occupied_km) in rows {
        let occupied = occupied_km.map_or("-".to_string(), |k| format!("{k:.1}"));
        println!("{name:<28} {status:<10} {front_km:>9.1} {occupied:>12}");
    }
    Ok(())
}
