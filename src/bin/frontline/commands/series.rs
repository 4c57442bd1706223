//! `frontline series`: every snapshot's km² and % per status in regions.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::args::{Format, SnapshotKind};
use crate::output::{Cell, Indented, Table, emit};
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
    #[arg(long, value_name = "FILE", required_unless_present = "published")]
    pub regions: Option<PathBuf>,

    /// Instead of regions: each snapshot's own km² of occupied (and its parts
    /// since 2014 and 2022), contested and liberated beside the km² DeepState
    /// published for it, as `frontline sync` stores them (`<id>.areas.json`);
    /// snapshots without them are left out. With `--area sphere`, DeepState's
    /// own method.
    #[arg(long, conflicts_with_all = ["regions", "name", "chart", "output", "skip_outliers"])]
    pub published: bool,

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

    /// Wide CSV, as Datawrapper and Flourish chart it: one row per date, one
    /// column per region and status, `<region>_<status>_pct` (the % of the
    /// region's area; statuses strongest first, then `unmarked`).
    #[arg(long)]
    pub wide: bool,

    /// Also write the results as features (one per date, region and status, with
    /// the region's polygon) to this file: .parquet (GeoParquet, for DuckDB,
    /// GeoPandas, Sedona), .fgb, .shp, .kml/.kmz or .geojson.
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

/// An optional instant, as `--from` and `--to` give one.
type Bound = Option<DateTime<Utc>>;

/// `--from` and `--to` as instants (`--to` a date: the end of that day); an
/// error when `--from` is after `--to`, which would select nothing.
pub fn date_range(from: Option<&str>, to: Option<&str>) -> Result<(Bound, Bound)> {
    let from = from.map(|d| timeline::parse_date(d, false)).transpose()?;
    let to = to.map(|d| timeline::parse_date(d, true)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(frontline::Error::Invalid(format!(
            "--from ({f}) is after --to ({t})"
        )));
    }
    Ok((from, to))
}

pub fn run(args: &SeriesArgs) -> Result<()> {
    Inputs::new()
        .series("snapshots", &args.snapshots)
        .file("--regions", args.regions.as_deref())
        .refuse_outputs(&[
            ("-o", args.output.as_deref()),
            ("--chart", args.chart.as_deref()),
        ])?;
    crate::paths::require_extension("--chart", args.chart.as_deref(), &["svg"])?;
    let (from, to) = date_range(args.from.as_deref(), args.to.as_deref())?;
    if args.wide && args.format != Format::Csv {
        return Err(frontline::Error::Invalid(
            "--wide is a CSV layout: leave out --format, or use --format csv".into(),
        ));
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
    if args.published {
        return run_published(args, from, to);
    }
    let Some(regions_file) = &args.regions else {
        return Err(frontline::Error::Invalid(
            "series needs --regions (or --published)".into(),
        ));
    };
    let places = crate::places::read(regions_file, &args.places, "regions")?;
    let selected = crate::places::select(&places, &args.name, "regions")?;
    let regions = frontline::measure::Regions::new(&selected)?;
    let (options, bar) = load_options(&args.snapshots, args.source, args.strict)?;
    // Packed shares: a whole archive of every hromada fits in little memory.
    let loaded = timeline::load_share_tables(&args.snapshots, &regions, &options);
    bar.finish_and_clear();
    let mut tables = loaded?;
    report_issues(tables.issues());
    crate::warn_imports(tables.iter().map(|e| &e.report));
    tables.retain_range(from, to)?;
    let dates: Vec<_> = tables.iter().map(|e| e.date).collect();
    for gap in quality::gaps(&dates) {
        eprintln!("frontline: warning: gap: {gap}");
    }
    let flagged = quality::outliers_in_tables(&tables, &regions, &quality::OutlierRule::default());
    for o in &flagged {
        eprintln!(
            "frontline: warning: {o}{}",
            if args.skip_outliers { "; skipped" } else { "" }
        );
    }
    if args.skip_outliers {
        tables.retain(|e| !flagged.iter().any(|o| o.date == e.date));
    }
    if tables.is_empty() {
        eprintln!("frontline: warning: no snapshot falls in the range asked for");
    }
    // The long CSV is written from the packed shares; the other outputs take
    // whole ones (they are for fewer rows).
    if chart.is_none() && output.is_none() && !args.wide && args.format == Format::Csv {
        return write_out(|out| {
            timeline::write_share_tables_csv(&tables, &regions, &mut *out)
                .map_err(std::io::Error::other)
        });
    }
    // JSON too, streamed: the whole archive's is a gigabyte of text.
    if chart.is_none() && output.is_none() && args.format == Format::Json {
        return write_out(|out| {
            out.write_all(b"{\n  \"issues\": ")?;
            serde_json::to_writer_pretty(Indented::new(&mut *out, b"  "), tables.issues())?;
            out.write_all(b",\n  \"series\": ")?;
            timeline::write_share_tables_json(&tables, &regions, Indented::new(&mut *out, b"  "))
                .map_err(std::io::Error::other)?;
            out.write_all(b"\n}\n")
        });
    }
    let series = tables.map(|e| Ok(e.value.shares(&regions)))?;
    drop(tables);
    if let Some(mut file) = chart {
        let names: Vec<&str> = selected.iter().map(|p| p.label()).collect();
        let options = timeline::chart::ChartOptions {
            title: timeline::chart::title_for(&names, regions_file),
            ..Default::default()
        };
        let statuses = [frontline::Status::OCCUPIED, frontline::Status::CONTESTED];
        timeline::chart::write_chart(&series, &statuses, &options, &mut file)?;
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
    if args.wide {
        return write_out(|out| {
            timeline::write_series_wide_csv(&series, &mut *out).map_err(std::io::Error::other)
        });
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

/// `series --published`: each snapshot's own totals beside DeepState's published
/// km² (see `frontline::sync::beside`).
fn run_published(
    args: &SeriesArgs,
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<()> {
    use frontline::sync;
    let (options, bar) = load_options(&args.snapshots, args.source, args.strict)?;
    let loaded = Timeline::load_with(&args.snapshots, &options, |s| Ok(s.total_figures()));
    bar.finish_and_clear();
    let mut totals = loaded?;
    report_issues(totals.issues());
    totals.retain_range(from, to)?;
    let model = frontline::measure::area_model();
    #[derive(Serialize)]
    struct Row<'a> {
        date: chrono::DateTime<chrono::Utc>,
        file: &'a Path,
        published: &'a Path,
        area_model: &'static str,
        #[serde(flatten)]
        beside: &'a sync::Beside,
        difference_km2: Option<f64>,
        difference_pct: Option<f64>,
    }
    let mut found = Vec::new();
    let mut without = 0;
    for e in &totals {
        match sync::published_areas(&e.path) {
            Ok(Some(p)) => found.push((e, sync::beside(&e.value, &p), p.path)),
            Ok(None) => without += 1,
            Err(err) => {
                eprintln!("frontline: warning: {err}; left out");
                without += 1;
            }
        }
    }
    if without > 0 {
        eprintln!(
            "frontline: warning: {without} of {} snapshots have no published areas beside \
             them (`frontline sync` stores them as <id>.areas.json); left out",
            totals.len()
        );
    }
    if found.is_empty() {
        return Err(frontline::Error::Invalid(
            "no snapshot has published areas beside it (<id>.areas.json, as `frontline \
             sync` stores them)"
                .into(),
        ));
    }
    let mut rows = Vec::new();
    let mut table = Table::new([
        "date",
        "status",
        "area_model",
        "frontline_km2",
        "deepstate_km2",
        "difference_km2",
        "difference_pct",
    ]);
    let number = |v: Option<f64>, d| v.map_or(Cell::text(""), |v| Cell::Number(v, d));
    for (e, besides, published) in &found {
        for b in besides {
            table.rows.push(vec![
                Cell::text(e.date.format("%Y-%m-%d %H:%M").to_string()),
                Cell::text(b.status.as_str()),
                Cell::text(model.as_str()),
                number(b.frontline_km2, 2),
                number(b.published_km2, 2),
                number(b.difference_km2(), 2),
                number(b.difference_pct(), 3),
            ]);
            rows.push(Row {
                date: e.date,
                file: &e.path,
                published,
                area_model: model.as_str(),
                beside: b,
                difference_km2: b.difference_km2(),
                difference_pct: b.difference_pct(),
            });
        }
    }
    write_out(|out| emit(args.format, &table, &rows, out))
}
