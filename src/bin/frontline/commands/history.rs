//! `frontline history`: each place's status through a timeline.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::args::{Format, SnapshotKind};
use crate::commands::series::{load_options, report_issues};
use crate::output::{Cell, Table, emit};
use crate::places::PlaceArgs;
use crate::write_out;
use frontline::Result;
use frontline::timeline::{self, Histories, Issue};

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Snapshots: files, directories, glob patterns or store files.
    #[arg(required = true, value_name = "SNAPSHOTS")]
    pub snapshots: Vec<PathBuf>,

    /// Places (GeoJSON points, or polygons looked up at an interior point).
    #[arg(long, value_name = "FILE")]
    pub places: PathBuf,

    /// Only the places with this name (any `name`, `name:*`, alternate name; repeatable).
    #[arg(long, value_name = "NAME")]
    pub name: Vec<String>,

    #[command(flatten)]
    pub ids: PlaceArgs,

    /// Kind of every zone file [default: detected per file].
    #[arg(long, value_enum)]
    pub source: Option<SnapshotKind>,

    /// Stop at the first unreadable or undated file (default: report it and go on).
    #[arg(long)]
    pub strict: bool,

    /// Output format: a summary table; CSV adds one status column per date; JSON
    /// has every date's status.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(args: &HistoryArgs) -> Result<()> {
    let places = crate::places::read(&args.places, &args.ids, "places")?;
    let selected = crate::places::select(&places, &args.name, "places")?;
    let (options, bar) = load_options(&args.snapshots, args.source, args.strict)?;
    let loaded = timeline::load_history_timeline(&args.snapshots, &selected, &options);
    bar.finish_and_clear();
    let (per_date, histories) = loaded?;
    report_issues(per_date.issues());
    print(args.format, &histories, per_date.issues())
}

fn day(d: Option<chrono::DateTime<chrono::Utc>>) -> Cell {
    Cell::text(d.map_or("-".to_string(), |d| d.format("%F").to_string()))
}

fn print(format: Format, h: &Histories, issues: &[Issue]) -> Result<()> {
    #[derive(Serialize)]
    struct Json<'a> {
        issues: &'a [Issue],
        #[serde(flatten)]
        histories: &'a Histories,
    }
    let mut columns: Vec<String> = [
        "place",
        "id",
        "lon",
        "lat",
        "first_contested",
        "first_occupied",
        "days_contested",
        "latest_status",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if format == Format::Csv {
        columns.extend(h.dates.iter().map(|d| d.format("%F").to_string()));
    }
    let mut table = Table::new(columns);
    for p in &h.places {
        let status = |s: &Option<frontline::Status>| {
            Cell::text(s.as_ref().map_or("unmarked", |s| s.as_str()))
        };
        let mut row = vec![
            Cell::text(&p.place),
            Cell::text(p.id.as_deref().unwrap_or("")),
            Cell::Number(p.point.x(), 5),
            Cell::Number(p.point.y(), 5),
            day(p.first_contested),
            day(p.first_occupied),
            Cell::Number(p.days_contested, 1),
            p.statuses.last().map_or(Cell::text("-"), status),
        ];
        if format == Format::Csv {
            row.extend(p.statuses.iter().map(status));
        }
        table.rows.push(row);
    }
    let json = Json {
        issues,
        histories: h,
    };
    write_out(|out| emit(format, &table, &json, out))
}
