//! `frontline history`: each place's status through a timeline, and since when
//! where it is occupied.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::args::{Format, SnapshotKind};
use crate::commands::series::{load_options, report_issues};
use crate::output::{Cell, Table, count, emit};
use crate::places::PlaceArgs;
use crate::write_out;
use frontline::Result;
use frontline::proximity::OccupiedSince;
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

    /// Output format: a summary table; CSV adds two columns per date, the status
    /// (`YYYY-MM-DD`) and since when where occupied (`YYYY-MM-DD_occupied_since`);
    /// JSON has every date's `statuses` and `occupied_since`.
    ///
    /// Occupied ground is `occupied` in the status columns; `occupied_since` tells
    /// its two parts, as `share` reports occupied_since_2014 and
    /// occupied_since_2022: `2014` (Crimea, ORDLO, Tuzla), `2022` (taken since
    /// 24 February 2022), `unknown` where the snapshot cannot tell (occupied-only
    /// archives, 2022 maps without the standing territories; empty in CSV,
    /// "unknown" in JSON, and a note on stderr), `-` (JSON null) where the place is
    /// not occupied. `first_occupied_since_2022` is the first date it was occupied
    /// in ground taken since 2022 (`-` for ground held since 2014). A first date
    /// that is the timeline's first says only that the place was already occupied
    /// or contested then.
    #[arg(long, value_enum, default_value_t = Format::Table, verbatim_doc_comment)]
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
    notes(&histories);
    print(args.format, &histories, per_date.issues())
}

fn day(d: Option<chrono::DateTime<chrono::Utc>>) -> Cell {
    Cell::text(d.map_or("-".to_string(), |d| d.format("%F").to_string()))
}

/// Since when a place was occupied on one date: `2014`, `2022`, unknown
/// (`unknown`, empty in CSV) or `-` where it was not occupied.
fn since(s: Option<OccupiedSince>) -> Cell {
    match s {
        Some(OccupiedSince::Unknown) => Cell::Unknown,
        Some(s) => Cell::text(s.as_str()),
        None => Cell::text("-"),
    }
}

/// What the figures cannot say, on stderr: the dates on which the split of
/// occupied ground is unknown for a place shown occupied, and the places whose
/// first date is the timeline's first (taken on or before it).
fn notes(h: &Histories) {
    let unknown: std::collections::BTreeSet<usize> =
        h.places.iter().flat_map(|p| p.unknown_split()).collect();
    if let (Some(first), Some(last)) = (unknown.first(), unknown.last()) {
        let (first, last) = (h.dates[*first].format("%F"), h.dates[*last].format("%F"));
        let range = if first.to_string() == last.to_string() {
            format!("{first}")
        } else {
            format!("between {first} and {last}")
        };
        let what = format!(
            "{} of {} ({range}; occupied_since unknown there)",
            unknown.len(),
            count(h.dates.len(), "snapshot")
        );
        crate::unknown_split_note(&what, unknown.len());
    }
    let unmeasured: Vec<usize> = (0..h.dates.len())
        .filter(|&k| !h.contested_measured.get(k).copied().unwrap_or(true))
        .collect();
    if let (Some(first), Some(last)) = (unmeasured.first(), unmeasured.last()) {
        let (first, last) = (h.dates[*first].format("%F"), h.dates[*last].format("%F"));
        let range = if unmeasured.len() == 1 {
            format!("{first}")
        } else {
            format!("between {first} and {last}")
        };
        let effect = if unmeasured.len() == h.dates.len() {
            "first_contested and days_contested are unknown"
        } else {
            "first_contested and days_contested count only the other snapshots"
        };
        eprintln!(
            "frontline: note: {} of {} ({range}) record occupied ground only (occupied-only \
             archive files), not the grey zone: there `unmarked` means not occupied, \
             contested or not; {effect}",
            unmeasured.len(),
            count(h.dates.len(), "snapshot"),
        );
    }
    let Some(start) = h.dates.first() else {
        return;
    };
    let at_start = h
        .places
        .iter()
        .filter(|p| p.first_occupied == Some(*start) || p.first_contested == Some(*start))
        .count();
    if at_start > 0 && h.dates.len() > 1 {
        eprintln!(
            "frontline: note: {} of {} were already occupied or contested on the first date, \
             {}: for them that date is where the timeline begins, not when they were taken or \
             contested",
            at_start,
            count(h.places.len(), "place"),
            start.format("%F")
        );
    }
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
        "first_occupied_since_2022",
        "days_contested",
        "latest_status",
        "latest_occupied_since",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if format == Format::Csv {
        for d in &h.dates {
            let d = d.format("%F");
            columns.push(d.to_string());
            columns.push(format!("{d}_occupied_since"));
        }
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
            if p.days_contested.is_some() {
                day(p.first_contested)
            } else {
                Cell::Unknown
            },
            day(p.first_occupied),
            // Never shown since 2022, but occupied where the split was unknown:
            // it may well have been, so not "-".
            if p.first_occupied_since_2022.is_none() && p.unknown_split().next().is_some() {
                Cell::Unknown
            } else {
                day(p.first_occupied_since_2022)
            },
            p.days_contested
                .map_or(Cell::Unknown, |d| Cell::Number(d, 1)),
            p.statuses.last().map_or(Cell::text("-"), status),
            p.occupied_since
                .last()
                .map_or(Cell::text("-"), |s| since(*s)),
        ];
        if format == Format::Csv {
            for (s, o) in p.statuses.iter().zip(&p.occupied_since) {
                row.push(status(s));
                row.push(since(*o));
            }
        }
        table.rows.push(row);
    }
    let json = Json {
        issues,
        histories: h,
    };
    write_out(|out| emit(format, &table, &json, out))
}
