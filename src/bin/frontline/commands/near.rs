//! `frontline near`: each place with its status and its distance to the front
//! (or to the nearest ground of a status), optionally only those within a distance.

use std::path::PathBuf;

use clap::Args;
use geo::InteriorPoint;
use serde::Serialize;

use crate::args::{Format, ZoneArgs};
use crate::commands::front::FrontLineArgs;
use crate::output::{Cell, Table, emit};
use crate::places::PlaceArgs;
use crate::{read_outline, write_out};
use frontline::model::UNMARKED;
use frontline::proximity::{Front, Nearest, PlaceIndex, ProximityIndex, parse_distance};
use frontline::{Error, PlaceGeometry, Result, Status};

#[derive(Debug, Args)]
pub struct NearArgs {
    #[command(flatten)]
    pub zones: ZoneArgs,

    /// Places (GeoJSON points or polygons; a polygon is measured from its interior
    /// point).
    #[arg(long, value_name = "FILE")]
    pub places: PathBuf,

    /// Only places at most this far (m or km, e.g. 10km).
    #[arg(long, value_name = "DISTANCE", allow_hyphen_values = true)]
    pub within: Option<String>,

    /// Measure to the nearest ground of this status instead of the front line.
    #[arg(long, value_name = "STATUS", conflicts_with = "aoi")]
    pub status: Option<String>,

    /// The front line (see `frontline front`).
    #[command(flatten)]
    pub line: FrontLineArgs,

    /// Distance bands from the front instead of a list of places: their outer
    /// edges, increasing (e.g. 25km,50km,100km gives 0-25, 25-50, 50-100 km).
    #[arg(
        long,
        value_name = "DISTANCES",
        value_delimiter = ',',
        conflicts_with_all = ["status", "within"]
    )]
    pub bands: Option<Vec<String>>,

    /// With --bands: also the geodesic area (km²) of each band inside this region
    /// (GeoJSON polygons, unioned).
    #[arg(long, value_name = "FILE", requires = "bands")]
    pub region: Option<PathBuf>,

    #[command(flatten)]
    pub ids: PlaceArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Serialize)]
struct BandRow<'a> {
    band: String,
    from_km: f64,
    to_km: f64,
    area_km2: Option<f64>,
    places: Vec<BandPlace<'a>>,
}

#[derive(Serialize)]
struct BandPlace<'a> {
    place: &'a str,
    id: Option<&'a str>,
    distance_km: f64,
}

/// `--bands`: the places in each band and, with `--region`, the band's area.
fn run_bands(args: &NearArgs, edges: &[String]) -> Result<()> {
    let edges_km: Vec<f64> = edges
        .iter()
        .map(|e| parse_distance(e).map(|m| m / 1000.0))
        .collect::<Result<_>>()?;
    let front_options = args.line.options()?;
    let region = args.region.as_deref().map(read_outline).transpose()?;
    let places = crate::places::read(&args.places, &args.ids, "places")?;
    let index = PlaceIndex::new(&places)
        .map_err(|e| Error::Invalid(format!("{}: {e}", args.places.display())))?;
    let import = crate::read_zones(&args.zones.zones, args.zones.source()?.as_ref())?;
    crate::warn_import(&import.report);
    let front = Front::derive(&import.snapshot, &front_options)?;
    let bands = index.bands(&front, &edges_km, region.as_ref())?;
    let rows: Vec<BandRow> = bands
        .iter()
        .map(|b| BandRow {
            band: b.label(),
            from_km: b.from_km,
            to_km: b.to_km,
            area_km2: b.area_km2,
            places: b
                .places
                .iter()
                .map(|p| BandPlace {
                    place: p.place.label(),
                    id: p.place.id(),
                    distance_km: p.km(),
                })
                .collect(),
        })
        .collect();
    let mut table = Table::new(["band", "places", "area_km2", "names"]);
    for r in &rows {
        table.rows.push(vec![
            Cell::text(r.band.as_str()),
            Cell::Number(r.places.len() as f64, 0),
            r.area_km2.map_or(Cell::text("-"), |a| Cell::Number(a, 1)),
            Cell::text(
                r.places
                    .iter()
                    .map(|p| p.place)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ]);
    }
    write_out(|out| emit(args.format, &table, &rows, out))
}

#[derive(Serialize)]
struct Row<'a> {
    place: &'a str,
    id: Option<&'a str>,
    lon: f64,
    lat: f64,
    status: &'a str,
    /// `None` when there is nothing to measure to.
    distance_km: Option<f64>,
    nearest_lon: Option<f64>,
    nearest_lat: Option<f64>,
}

pub fn run(args: &NearArgs) -> Result<()> {
    if let Some(edges) = &args.bands {
        return run_bands(args, edges);
    }
    let within_km = args
        .within
        .as_deref()
        .map(parse_distance)
        .transpose()?
        .map(|m| m / 1000.0);
    // Parsed first (an empty name fails at once), checked against the file below.
    let named: Option<Status> = args.status.as_deref().map(str::parse).transpose()?;
    let front_options = match named {
        Some(_) => None,
        None => Some(args.line.options()?),
    };
    let places = crate::places::read(&args.places, &args.ids, "places")?;
    let import = crate::load_zones(&args.zones.zones, args.zones.source()?.as_ref())?;
    crate::warn_import(&import.report);
    let status = match args.status.as_deref() {
        Some(name) => Some(import.snapshot.status_named(name).map_err(|e| {
            Error::Invalid(format!("--status: {}: {e}", import.report.path.display()))
        })?),
        None => None,
    };
    if let Some(s) = &status
        && !import.snapshot.drawn_statuses().contains(s)
    {
        eprintln!(
            "frontline: warning: {}: no ground is {s} in this file: every distance is none",
            import.report.path.display()
        );
    }
    let index = ProximityIndex::new(&import.snapshot);
    let front = front_options
        .map(|o| Front::derive(&import.snapshot, &o))
        .transpose()?;
    let mut rows = Vec::new();
    for place in &places {
        let point = match &place.geometry {
            PlaceGeometry::Point(p) => Some(*p),
            PlaceGeometry::Area(a) => a.interior_point(),
        };
        let Some(point) = point else { continue };
        let at =
            |e: Error| Error::Invalid(format!("{}: {}: {e}", args.places.display(), place.label()));
        let nearest: Option<Nearest> = match (&status, &front) {
            (Some(s), _) => index.nearest(point, s).map_err(at)?,
            (None, Some(f)) => f.nearest(point).map_err(at)?,
            (None, None) => None,
        };
        if let Some(limit) = within_km
            && nearest.is_none_or(|n| n.km > limit)
        {
            continue;
        }
        rows.push(Row {
            place: place.label(),
            id: place.id(),
            lon: point.x(),
            lat: point.y(),
            status: index
                .status_at(point)
                .map_err(at)?
                .map_or(UNMARKED, Status::as_str),
            distance_km: nearest.map(|n| n.km),
            nearest_lon: nearest.map(|n| n.point.x()),
            nearest_lat: nearest.map(|n| n.point.y()),
        });
    }
    if rows.is_empty()
        && places
            .iter()
            .all(|p| matches!(&p.geometry, PlaceGeometry::Area(a) if a.0.is_empty()))
    {
        return Err(Error::format(&args.places, "no usable place geometry"));
    }
    rows.sort_by(|a, b| {
        let key = |r: &Row| r.distance_km.unwrap_or(f64::INFINITY);
        key(a).total_cmp(&key(b))
    });
    let target = status
        .as_ref()
        .map_or("front".to_string(), |s| s.to_string());
    let column = format!("{target}_km");
    let mut table = Table::new(["place", "id", "lon", "lat", "status", column.as_str()]);
    for r in &rows {
        table.rows.push(vec![
            Cell::text(r.place),
            Cell::text(r.id.unwrap_or("")),
            Cell::Number(r.lon, 4),
            Cell::Number(r.lat, 4),
            Cell::text(r.status),
            r.distance_km
                .map_or(Cell::text("none"), |d| Cell::Number(d, 2)),
        ]);
    }
    write_out(|out| emit(args.format, &table, &rows, out))
}
