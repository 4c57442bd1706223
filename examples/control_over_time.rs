//! A city's occupied and contested share on every date of an archive.
//!
//! With no arguments it runs on the crate's bundled, illustrative data (two
//! snapshots and "Demo City"):
//!
//!     cargo run --example control_over_time
//!
//! Given a directory (or glob) of snapshots, a boundary file and a name, it does
//! the same on real files:
//!
//!     cargo run --release --example control_over_time -- \
//!         ../shared/data/deepstate/raw-weekly \
//!         ../shared/data/admin/donetsk/towns.geojson Pokrovsk

use std::process::ExitCode;

use frontline::timeline::{LoadOptions, load_series};
use frontline::{Status, import};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let here = env!("CARGO_MANIFEST_DIR");
    let (snapshots, boundaries, name) = match args.as_slice() {
        [] => (
            format!("{here}/data/snapshots"),
            format!("{here}/data/city.geojson"),
            "Demo City".to_string(),
        ),
        [snapshots, boundaries, name] => (snapshots.clone(), boundaries.clone(), name.clone()),
        _ => {
            eprintln!("usage: control_over_time [SNAPSHOTS BOUNDARIES NAME]");
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

fn run(snapshots: &str, boundaries: &str, name: &str) -> frontline::Result<()> {
    let places = import::read_places(boundaries)?;
    let city = places.find(name)?;
    let series = load_series(&[snapshots], &city[..1], &LoadOptions::default())?;
    for issue in series.issues() {
        eprintln!("warning: {issue}");
    }
    println!("{:<12} {:>10} {:>11}", "date", "occupied", "contested");
    for entry in &series {
        let share = &entry.value[0];
        println!(
            "{:<12} {:>9.2}% {:>10.2}%",
            entry.date.format("%Y-%m-%d"),
            share.pct(&Status::OCCUPIED),
            share.pct(&Status::CONTESTED)
        );
    }
    Ok(())
}
