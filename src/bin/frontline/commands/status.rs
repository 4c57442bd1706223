//! `frontline status`: the control status at points.

use clap::Args;
use serde::Serialize;

use crate::args::{Format, ZoneArgs};
use crate::output::{Cell, Table, emit};
use crate::write_out;
use frontline::model::UNMARKED;
use frontline::proximity::{OccupiedSince, ProximityIndex};
use frontline::{Error, Result, Status};

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub zones: ZoneArgs,

    /// A point as LON,LAT (degrees, WGS84); repeatable.
    #[arg(
        long,
        value_name = "LON,LAT",
        required = true,
        allow_hyphen_values = true
    )]
    pub at: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `--at LON,LAT` → a point, checked for range.
fn parse_point(text: &str) -> Result<geo::Point<f64>> {
    frontline::proximity::parse_point(text).map_err(|e| Error::Invalid(format!("--at: {e}")))
}

#[derive(Serialize)]
struct Row<'a> {
    lon: f64,
    lat: f64,
    status: &'a str,
    /// Where occupied: `"2014"`, `"2022"` or `"unknown"` (the file cannot
    /// tell); `null` where not occupied.
    occupied_since: Option<OccupiedSince>,
}

pub fn run(args: &StatusArgs) -> Result<()> {
    let points = args
        .at
        .iter()
        .map(|t| parse_point(t))
        .collect::<Result<Vec<_>>>()?;
    let import = crate::load_zones(&args.zones.zones, args.zones.source()?.as_ref())?;
    crate::warn_import(&import.report);
    let index = ProximityIndex::new(&import.snapshot);
    let statuses = index.statuses_at(&points)?;
    let rows: Vec<Row> = points
        .iter()
        .zip(&statuses)
        .map(|(p, s)| {
            Ok(Row {
                lon: p.x(),
                lat: p.y(),
                status: s.map_or(UNMARKED, Status::as_str),
                occupied_since: index.occupied_since_at(*p)?,
            })
        })
        .collect::<Result<_>>()?;
    if rows
        .iter()
        .any(|r| r.occupied_since == Some(OccupiedSince::Unknown))
    {
        crate::unknown_split_note(&import.report.path.display(), 1);
    }
    let mut table = Table::new(["lon", "lat", "status", "occupied_since"]);
    for r in &rows {
        table.rows.push(vec![
            Cell::Number(r.lon, 6),
            Cell::Number(r.lat, 6),
            Cell::text(r.status),
            match r.occupied_since {
                Some(OccupiedSince::Unknown) => Cell::Unknown,
                Some(s) => Cell::text(s.as_str()),
                None => Cell::text("-"),
            },
        ]);
    }
    write_out(|out| emit(args.format, &table, &rows, out))
}
