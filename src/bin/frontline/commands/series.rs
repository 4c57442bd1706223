//! `frontline series`: every snapshot's km² and % per status in regions.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::args::{Format, SnapshotKind};
use crate::output::{Cell, Table, emit};
use crate::paths::Inputs;
use crate::places::PlaceArgs;
use crate::write_out;
use frontline::import::Source;
use frontline::timeline::{self, Issue, LoadOptions, Timeline, quality};
use frontline::{Result, Share};

#[derive(Debug, Args)]
pub struct SeriesArgs {
    /// Snapshots: files, directories (every .geojson/.json, optionally .gz) or
    /// glob patterns (quote them: 'archive/17*.geojson.gz').
    #[arg(required = true, value_name = "SNAPSHOTS")]
    pub snapshots: Vec<PathBuf>,

    /// Regions or cities (GeoJSON polygons).
    #[arg(long, value_name = "FILE")]
    pub regions: PathBuf,

    /// Only the regions with this name (any `name`, `name:*` key; repeatable).
    #[arg(long, value_name = "NAME")]
    pub name: Vec<String>,

    #[command(flatten)]
    pub places: PlaceArgs,

    /// First date (YYYY-MM-DD or RFC 3339), inclusive.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Last date (YYYY-MM-DD: the whole day; or RFC 3339), inclusive.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Kind of every zone file [default: detected per file].
    #[arg(long, value_enum)]
    pub source: Option<SnapshotKind>,

    /// Stop at the first unreadable or undated file, or same-date files that
    /// differ (default: report them on stderr and go on).
    #[arg(long)]
    pub strict: bool,

    /// Leave out the snapshots flagged as outliers (a region's km² of a status
    /// jumps by more than 5 % and 50 km² from both neighbours, which agree).
    #[arg(long)]
    pub skip_outliers: bool,

    /// Also draw the occupied and contested % of each region over time as an SVG
    /// chart in this file.
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,

    /// Also write the results as features (one per date, region and status, with
    /// the region's polygon) to this file: .parquet (GeoParquet, for DuckDB,
    /// GeoPandas, Sedona), .fgb, .shp or .geojson.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The source for every file.
pub fn source(kind: Option<SnapshotKind>) -> Option<Source> {
    kind.map(|k| match k {
        SnapshotKind::Deepstate => Source::DeepState,
        SnapshotKind::Occupied => Source::Occupied,
    })
}

/// Load options with a progress bar on stderr (hidden when stderr is not a terminal).
pub fn load_options(
    inputs: &[PathBuf],
    kind: Option<SnapshotKind>,
    strict: bool,
) -> Result<(LoadOptions, ProgressBar)> {
    let files = timeline::snapshot_files(inputs)?;
    let bar = ProgressBar::new(files.len() as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {pos}/{len} snapshots [{bar:30}] {elapsed} {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    let b = bar.clone();
    let options = LoadOptions::default()
        .read(crate::read_options().clone())
        .source(source(kind))
        .strict(strict)
        .progress(Arc::new(move |_| b.inc(1)));
    Ok((options, bar))
}

pub fn report_issues(issues: &[Issue]) {
    for issue in issues {
        eprintln!("frontline: warning: {issue}");
    }
}

pub fn run(args: &SeriesArgs) -> Result<()> {
    Inputs::new()
        .series("snapshots", &args.snapshots)
        .file("--regions", Some(&args.regions))
        .refuse_outputs(&[
            ("-o", args.output.as_deref()),
            ("--chart", args.chart.as_deref()),
        ])?;
    crate::paths::require_extension("--chart", args.chart.as_deref(), &["svg"])?;
    let from = args
        .from
        .as_deref()
        .map(|d| timeline::parse_date(d, false))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|d| timeline::parse_date(d, true))
        .transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(frontline::Error::Invalid(format!(
            "--from ({f}) is after --to ({t})"
        )));
    }
    // Opened first: an unwritable chart path fails before the long load.
    let chart = args
        .chart
        .as_ref()
        .map(frontline::atomic::AtomicFile::create)
        .transpose()?;
    let output = args
        .output
        .as_ref()
        .map(|o| crate::output_format(o))
        .transpose()?;
    let places = crate::places::read(&args.regions, &args.places, "regions")?;
    let selected = crate::places::select(&places, &args.name, "regions")?;
    let (options, bar) = load_options(&args.snapshots, args.source, args.strict)?;
    let loaded = timeline::load_series(&args.snapshots, &selected, &options);
    bar.finish_and_clear();
    let mut series = loaded?;
    report_issues(series.issues());
    crate::warn_imports(series.iter().map(|e| &e.report));
    series.retain_range(from, to)?;
    let dates: Vec<_> = series.iter().map(|e| e.date).collect();
    for gap in quality::gaps(&dates) {
        eprintln!("frontline: warning: gap: {gap}");
    }
    let flagged = quality::outliers(&series, &quality::OutlierRule::default());
    for o in &flagged {
        eprintln!(
            "frontline: warning: {o}{}",
            if args.skip_outliers { "; skipped" } else { "" }
        );
    }
    if args.skip_outliers {
        series.retain(|e| !flagged.iter().any(|o| o.date == e.date));
    }
    if series.is_empty() {
        eprintln!("frontline: warning: no snapshot falls in the range asked for");
    }
    if let Some(mut file) = chart {
        let title = format!("Occupied and contested % ({})", args.regions.display());
        let statuses = [frontline::Status::OCCUPIED, frontline::Status::CONTESTED];
        timeline::chart::write_svg(&series, &statuses, &title, &mut file)?;
        file.commit()?;
    }
    if let (Some(path), Some(format)) = (&args.output, output) {
        // Shares come in the order of the regions measured.
        let areas: Vec<_> = selected.iter().filter_map(|p| p.area()).collect();
        let rows = series.iter().flat_map(|e| {
            e.value
                .iter()
                .zip(&areas)
                .map(move |(s, a)| (Some(e.date), s, *a))
        });
        crate::write_features(path, format, &frontline::export::share_features(rows))?;
    }
    print(args.format, &series)
}

fn print(format: Format, series: &Timeline<Vec<Share>>) -> Result<()> {
    #[derive(Serialize)]
    struct Json<'a> {
        issues: &'a [Issue],
        series: &'a Timeline<Vec<Share>>,
    }
    if format == Format::Csv {
        return write_out(|out| {
            timeline::write_series_csv(series, &mut *out).map_err(std::io::Error::other)
        });
    }
    let mut table = Table::new([
        "date",
        "region",
        "id",
        "area_km2",
        "occupied_km2",
        "occupied_pct",
        "contested_km2",
        "contested_pct",
    ]);
    for e in series {
        for sh in &e.value {
            let (o, c) = (
                sh.get(&frontline::Status::OCCUPIED),
                sh.get(&frontline::Status::CONTESTED),
            );
            table.rows.push(vec![
                Cell::text(e.date.format("%Y-%m-%d %H:%M").to_string()),
                Cell::text(&sh.region),
                Cell::text(sh.id.as_deref().unwrap_or("")),
                Cell::Number(sh.area_km2, 2),
                Cell::Number(o.km2, 2),
                Cell::Number(o.pct, 2),
                Cell::Number(c.km2, 2),
                Cell::Number(c.pct, 2),
            ]);
        }
    }
    let json = Json {
        issues: series.issues(),
        series,
    };
    write_out(|out| emit(format, &table, &json, out))
}
