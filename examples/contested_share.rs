//! The contested (grey zone) and occupied share of a city.
//!
//! With no arguments it runs on the crate's bundled, illustrative data:
//!
//!     cargo run --example contested_share
//!
//! Given a snapshot, a boundary file and a name, it does the same on real files:
//!
//!     cargo run --example contested_share -- \
//!         ../shared/data/deepstate/raw-weekly/1754251105.geojson.gz \
//!         ../shared/data/admin/donetsk/towns.geojson Pokrovsk

use std::process::ExitCode;

use frontline::{Status, import};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let here = env!("CARGO_MANIFEST_DIR");
    let (snapshots, boundaries, name) = match args.as_slice() {
        [] => (
            vec![
                format!("{here}/data/snapshots/deepstate_20250601.geojson"),
                format!("{here}/data/snapshots/deepstate_20250801.geojson"),
            ],
            format!("{here}/data/city.geojson"),
            "Demo City".to_string(),
        ),
        [snapshot, boundaries, name] => (vec![snapshot.clone()], boundaries.clone(), name.clone()),
        _ => {
            eprintln!("usage: contested_share [SNAPSHOT BOUNDARIES NAME]");
            return ExitCode::FAILURE;
        }
    };
    match run(&snapshots, &boundaries, &name) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(snapshots: &[String], boundaries: &str, name: &str) -> frontline::Result<()> {
    let places = import::read_places(boundaries)?;
    for path in snapshots {
        let snapshot = import::read_zones(path, None)?.snapshot;
        let date = snapshot
            .date()
            .map_or("undated".into(), |d| d.format("%Y-%m-%d").to_string());
        for city in places.find(name)? {
            let share = snapshot.share(city)?;
            println!(
                "{date}  {}: {:.1} km²; occupied {:.1} km² ({:.1} %), grey zone {:.1} km² ({:.1} %)",
                share.region,
                share.area_km2,
                share.km2(&Status::OCCUPIED),
                share.pct(&Status::OCCUPIED),
                share.km2(&Status::CONTESTED),
                share.pct(&Status::CONTESTED),
            );
        }
    }
    Ok(())
}
