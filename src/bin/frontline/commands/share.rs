//! `frontline share`: km² and % of each status in regions, or a snapshot's totals.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::Loaded as Import;
use crate::args::{Format, ZoneArgs};
use crate::output::{Cell, Table, emit, share_columns};
use crate::paths::Inputs;
use crate::places::PlaceArgs;
use crate::{read_outline, write_out};
use frontline::import;
use frontline::measure::Regions;
use frontline::{Error, GeodesicAreaKm2, Place, Result, Share, Status};

#[derive(Debug, Args)]
pub struct ShareArgs {
    #[command(flatten)]
    pub zones: ZoneArgs,

    /// Regions or cities (GeoJSON polygons); without it, the snapshot's totals.
    #[arg(long, value_name = "FILE")]
    pub regions: Option<PathBuf>,

    /// Only the regions with this name (any `name`, `name:*` key; repeatable).
    #[arg(long, value_name = "NAME", requires = "regions")]
    pub name: Vec<String>,

    #[command(flatten)]
    pub places: PlaceArgs,

    /// For totals: also split each status into the part inside and outside this
    /// outline (e.g. Ukraine's), to tell occupied Ukraine from ground abroad.
    #[arg(long, value_name = "FILE", conflicts_with = "regions")]
    pub within: Option<PathBuf>,

    /// Print the import report: features per status, markers, unclassified ones.
    #[arg(long)]
    pub report: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Also write the results as features (one per region and status, with the
    /// region's polygon) to this file: .parquet (GeoParquet), .fgb, .shp, .kml/.kmz or .geojson.
    #[arg(short, long, value_name = "FILE", requires = "regions")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &ShareArgs) -> Result<()> {
    Inputs::new()
        .zones("zones", &args.zones.zones)
        .file("--regions", args.regions.as_deref())
        .file("--within", args.within.as_deref())
        .refuse_outputs(&[("-o", args.output.as_deref())])?;
    let source = args.zones.source()?;
    let import = crate::load_zones(&args.zones.zones, source.as_ref())?;
    crate::warn_import(&import.report);
    match &args.regions {
        Some(path) => {
            let places = crate::places::read(path, &args.places, "regions")?;
            let selected: Vec<&Place> = crate::places::select(&places, &args.name, "regions")?;
            let regions = Regions::new(&selected)
                .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
            // Checked first: a bad output name fails before the work.
            let output = args
                .output
                .as_ref()
                .map(|o| crate::output_format(o))
                .transpose()?;
            let shares = regions.shares(&import.snapshot)?;
            if let (Some(path), Some(format)) = (&args.output, output) {
                let date = import.snapshot.date();
                let rows = shares
                    .iter()
                    .zip(regions.regions())
                    .map(|(s, r)| (date, s, r.area()));
                crate::write_features(path, format, &frontline::export::share_features(rows))?;
            }
            print_shares(args, &import, &shares)
        }
        None => print_totals(args, &import),
    }
}

/// Prints the report first when asked: as text (stderr for CSV, which must stay
/// parseable) or, for JSON, around the results.
fn with_report(
    args: &ShareArgs,
    import: &Import,
    table: &Table,
    results: &impl Serialize,
) -> Result<()> {
    #[derive(Serialize)]
    struct Reported<'a, T> {
        report: &'a import::ImportReport,
        results: &'a T,
    }
    write_out(|out| {
        if !args.report {
            if args.format == Format::Table {
                writeln!(out, "{}", describe(import))?;
            }
            return emit(args.format, table, results, out);
        }
        match args.format {
            Format::Json => emit(
                args.format,
                table,
                &Reported {
                    report: &import.report,
                    results,
                },
                out,
            ),
            Format::Csv => {
                eprintln!("{}", import.report);
                emit(args.format, table, results, out)
            }
            Format::Table => {
                writeln!(out, "{}\n", import.report)?;
                writeln!(out, "{}", describe(import))?;
                emit(args.format, table, results, out)
            }
        }
    })
}

fn describe(import: &Import) -> String {
    let date = import.snapshot.date().map_or("undated".to_string(), |d| {
        d.format("%Y-%m-%d %H:%M UTC").to_string()
    });
    format!("{} ({date})", import.report.path.display())
}

fn print_shares(args: &ShareArgs, import: &Import, shares: &[Share]) -> Result<()> {
    let refs: Vec<&Share> = shares.iter().collect();
    let (figures, cells) = share_columns(&refs, args.format);
    let mut columns = vec![
        "region".to_string(),
        "id".to_string(),
        "area_km2".to_string(),
    ];
    columns.extend(figures);
    let mut table = Table::new(columns);
    for (sh, figures) in shares.iter().zip(cells) {
        let mut row = vec![
            Cell::text(&sh.region),
            Cell::text(sh.id.as_deref().unwrap_or("")),
            Cell::Number(sh.area_km2, 2),
        ];
        row.extend(figures);
        table.rows.push(row);
    }
    if shares.iter().any(|s| s.occupied_split.is_none()) {
        crate::unknown_split_note(&import.report.path.display(), 1);
    }
    with_report(args, import, &table, &shares)
}

/// One status's total; `km2` is `null` for a part of occupied the file cannot
/// tell. With an outline, `inside_km2` and `outside_km2` are always present.
#[derive(Serialize)]
struct Total {
    status: Status,
    km2: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inside_km2: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outside_km2: Option<Option<f64>>,
}

fn print_totals(args: &ShareArgs, import: &Import) -> Result<()> {
    let inside: Option<Share> = match &args.within {
        Some(path) => {
            let outline = read_outline(path)?;
            let label = path.display().to_string();
            let share = import.snapshot.share_of(&label, &outline)?;
            eprintln!(
                "frontline: within {} ({:.2} km²)",
                path.display(),
                outline.geodesic_area_km2()
            );
            Some(share)
        }
        None => None,
    };
    let totals: Vec<Total> = import
        .snapshot
        .total_figures()
        .into_iter()
        .map(|(status, km2)| {
            let inside_km2 = inside.as_ref().map(|s| s.figure(&status).map(|a| a.km2));
            Total {
                outside_km2: inside_km2.map(|i| i.zip(km2).map(|(i, km2)| (km2 - i).max(0.0))),
                inside_km2,
                status,
                km2,
            }
        })
        .collect();
    if !import.snapshot.splits_occupation() {
        crate::unknown_split_note(&import.report.path.display(), 1);
    }
    let mut columns = vec!["status", "km2"];
    if inside.is_some() {
        columns.extend(["inside_km2", "outside_km2"]);
    }
    let cell = |v: Option<f64>| v.map_or(Cell::Unknown, |v| Cell::Number(v, 2));
    let mut table = Table::new(columns);
    for t in &totals {
        let mut row = vec![Cell::text(t.status.as_str()), cell(t.km2)];
        if let (Some(i), Some(o)) = (t.inside_km2, t.outside_km2) {
            row.push(cell(i));
            row.push(cell(o));
        }
        table.rows.push(row);
    }
    with_report(args, import, &table, &totals)
}
