//! `frontline diff`: per status, km² gained and lost between two snapshots.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::args::{Format, SnapshotKind};
use crate::commands::series::source;
use crate::output::{Cell, Table, emit};
use crate::paths::Inputs;
use crate::places::PlaceArgs;
use crate::write_out;
use frontline::timeline::{Diff, diff};
use frontline::{Error, Result};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older snapshot (a zone file, or `archive.fls@YYYY-MM-DD` from a store).
    pub older: PathBuf,

    /// The newer snapshot (a zone file, a store file for its latest, or `archive.fls@DATE`).
    pub newer: PathBuf,

    /// Measure the changes within each of these regions (GeoJSON polygons)
    /// instead of everywhere.
    #[arg(long, value_name = "FILE")]
    pub regions: Option<PathBuf>,

    /// Only the regions with this name (repeatable).
    #[arg(long, value_name = "NAME", requires = "regions")]
    pub name: Vec<String>,

    #[command(flatten)]
    pub places: PlaceArgs,

    /// Kind of both zone files [default: detected per file].
    #[arg(long, value_enum)]
    pub source: Option<SnapshotKind>,

    /// Also write the gained and lost polygons to this file: .geojson (.gz too),
    /// .fgb, .parquet or .shp.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(args: &DiffArgs) -> Result<()> {
    Inputs::new()
        .zones("OLDER", &args.older)
        .zones("NEWER", &args.newer)
        .file("--regions", args.regions.as_deref())
        .refuse_outputs(&[("-o", args.output.as_deref())])?;
    // The output's format, from its name, before the work.
    let output = args
        .output
        .as_ref()
        .map(|o| crate::output_format(o))
        .transpose()?;
    let source = source(args.source);
    let read = |path: &PathBuf| -> Result<frontline::Snapshot> {
        let import = crate::load_zones(path, source.as_ref())?;
        crate::warn_import(&import.report);
        Ok(import.snapshot)
    };
    let (older, newer) = (read(&args.older)?, read(&args.newer)?);
    for (path, snap) in [(&args.older, &older), (&args.newer, &newer)] {
        if !snap.splits_occupation() {
            crate::unknown_split_note(&path.display(), 1);
        }
    }
    let (before, after) = (older.drawn_statuses(), newer.drawn_statuses());
    if before != after {
        let list =
            |v: &[frontline::Status]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        let common: Vec<frontline::Status> = before
            .iter()
            .filter(|s| after.contains(s))
            .cloned()
            .collect();
        if common.is_empty() {
            return Err(Error::Invalid(format!(
                "{} draws {} and {} draws {}: no status in common to compare",
                args.older.display(),
                list(&before),
                args.newer.display(),
                list(&after)
            )));
        }
        eprintln!(
            "frontline: warning: {} draws {} but {} draws {} (different kinds of file, \
             e.g. a raw DeepState snapshot and an occupied-only one?): comparing only {}",
            args.older.display(),
            list(&before),
            args.newer.display(),
            list(&after),
            list(&common)
        );
    }
    let diffs: Vec<Diff> = match &args.regions {
        None => vec![diff(&older, &newer, None)?],
        Some(path) => {
            let places = crate::places::read(path, &args.places, "regions")?;
            crate::places::select(&places, &args.name, "regions")?
                .into_iter()
                .map(|p| {
                    let area = p.area().ok_or_else(|| {
                        Error::Invalid(format!("{}: {} is a point", path.display(), p.label()))
                    })?;
                    let mut d = diff(&older, &newer, Some((p.label(), area)))?;
                    d.region_id = p.id().map(str::to_string);
                    Ok(d)
                })
                .collect::<Result<_>>()?
        }
    };
    if let (Some(out), Some(format)) = (&args.output, output) {
        let features: Vec<geojson::Feature> =
            diffs.iter().flat_map(|d| d.to_geojson().features).collect();
        crate::write_features(out, format, &geojson::FeatureCollection::new(features))?;
    }
    let mut table = Table::new([
        "region",
        "id",
        "status",
        "before_km2",
        "after_km2",
        "gained_km2",
        "lost_km2",
        "net_km2",
        "km2_per_day",
    ]);
    for d in &diffs {
        for c in &d.changes {
            table.rows.push(vec![
                Cell::text(d.region.as_deref().unwrap_or("everywhere")),
                Cell::text(d.region_id.as_deref().unwrap_or("")),
                Cell::text(c.status.as_str()),
                Cell::Number(c.before_km2, 2),
                Cell::Number(c.after_km2, 2),
                Cell::Number(c.gained_km2, 2),
                Cell::Number(c.lost_km2, 2),
                Cell::Number(c.net_km2, 2),
                c.km2_per_day
                    .map_or(Cell::text("-"), |v| Cell::Number(v, 3)),
            ]);
        }
    }
    write_out(|out| {
        if args.format == Format::Table
            && let Some(d) = diffs.first()
        {
            writeln!(out, "{} → {} ({:.1} days)", d.from, d.to, d.days)?;
        }
        emit(args.format, &table, &diffs, out)
    })
}
