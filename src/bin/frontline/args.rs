//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use frontline::Result;
use frontline::crs::Crs;
use frontline::import::{Source, StatusMapping};

/// Front lines and areas of control: geodesic km² and shares of regions and cities
/// from DeepStateMap snapshots and other zone files.
#[derive(Debug, Parser)]
#[command(name = "frontline", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Coordinate system of input files that declare none (GeoJSON without a
    /// `crs` member), e.g. EPSG:3857 or EPSG:6385: applies to every zones, regions,
    /// places and outline file read (not to store files, which are always WGS84).
    /// A file that declares a different one is an error. Anything but WGS84
    /// longitude/latitude needs frontline built with `--features proj`.
    #[arg(long, global = true, value_name = "CRS", value_parser = parse_crs)]
    pub input_crs: Option<Crs>,

    /// How km² are measured: `wgs84`, geodesic on the WGS84 ellipsoid (exact; use
    /// it for new figures), or `sphere`, DeepState's own method (turf.js: a sphere
    /// of radius 6,378,137 m, 0 to 0.15 % less at Ukraine's latitudes), to
    /// reproduce the site's published km².
    #[arg(long, global = true, value_enum, default_value_t = AreaArg::Wgs84)]
    pub area: AreaArg,
}

/// `--area`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AreaArg {
    /// Geodesic on the WGS84 ellipsoid (GeographicLib).
    Wgs84,
    /// DeepState's (turf.js's) sphere of radius 6,378,137 m.
    Sphere,
}

impl From<AreaArg> for frontline::measure::AreaModel {
    fn from(a: AreaArg) -> Self {
        match a {
            AreaArg::Wgs84 => frontline::measure::AreaModel::Wgs84,
            AreaArg::Sphere => frontline::measure::AreaModel::Sphere,
        }
    }
}

fn parse_crs(text: &str) -> Result<Crs> {
    Crs::parse(text)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Km² and % of each control status in regions (or the snapshot's own totals).
    ///
    /// Examples:
    ///   frontline share 1754251105.geojson.gz --regions donetsk/raions.geojson
    ///   frontline share deepstatemap_data_20260822.geojson --regions towns.geojson --name Pokrovsk
    ///   frontline share 1754251105.geojson.gz --within ukraine_outline.geojson --report
    #[command(verbatim_doc_comment)]
    Share(crate::commands::share::ShareArgs),
    /// Km² and % of each status in regions, for every snapshot of an archive.
    ///
    /// Examples:
    ///   frontline series ../shared/data/deepstate/raw-weekly --regions donetsk/raions.geojson
    ///   frontline series 'raw-weekly/17*.geojson.gz' --regions towns.geojson --name Pokrovsk --from 2024-01-01
    #[command(verbatim_doc_comment)]
    Series(crate::commands::series::SeriesArgs),
    /// Each place's status on every date, first date occupied or contested, days contested.
    ///
    /// Examples:
    ///   frontline history raw-weekly.fls --places donetsk/places.geojson --format csv
    ///   frontline history ../shared/data/deepstate/occupied-daily --places donetsk/places.geojson --name Pokrovsk
    #[command(verbatim_doc_comment)]
    History(crate::commands::history::HistoryArgs),
    /// Save snapshots (files, directories, globs) into one compact store file that
    /// every command reads much faster than the GeoJSON.
    ///
    /// Examples:
    ///   frontline store ../shared/data/deepstate/raw-weekly -o raw-weekly.fls
    ///   frontline series raw-weekly.fls --regions donetsk/raions.geojson
    ///   frontline share raw-weekly.fls@2024-02-20 --regions donetsk/towns.geojson
    #[command(verbatim_doc_comment)]
    Store(crate::commands::store::StoreArgs),
    /// Per status, km² gained and lost between two snapshots (everywhere or per region).
    ///
    /// Examples:
    ///   frontline diff 1748797200.geojson.gz 1754251105.geojson.gz --regions donetsk/raions.geojson
    ///   frontline diff older.geojson newer.geojson -o changes.geojson
    #[command(verbatim_doc_comment)]
    Diff(crate::commands::diff::DiffArgs),
    /// The control status at points (occupied, contested, ..., or unmarked).
    ///
    /// Examples:
    ///   frontline status 1754251105.geojson.gz --at 37.18,48.28 --at 37.80,48.59
    #[command(verbatim_doc_comment)]
    Status(crate::commands::status::StatusArgs),
    /// Each place with its status and geodesic distance to the front (or a status).
    ///
    /// Examples:
    ///   frontline near 1754251105.geojson.gz --places donetsk/places.geojson --aoi ukraine_outline.geojson --within 10km
    ///   frontline near 1754251105.geojson.gz --places donetsk/places.geojson --status occupied --format csv
    #[command(verbatim_doc_comment)]
    Near(crate::commands::near::NearArgs),
    /// The front line: its geodesic length, the grey zone's two edges, and a GeoJSON.
    ///
    /// Examples:
    ///   frontline front 1754251105.geojson.gz --aoi ukraine_outline.geojson -o front.geojson
    ///   frontline front 1754251105.geojson.gz --aoi ukraine_oblasts.geojson --tolerance 2km --format json
    #[command(verbatim_doc_comment)]
    Front(crate::commands::front::FrontArgs),
    /// Styled GeoJSON for map viewers (RFC 7946), a Leaflet page and an SVG map.
    ///
    /// Examples:
    ///   frontline export 1754251105.geojson.gz --aoi donetsk/oblast.geojson --front --simplify 100m -o donetsk.geojson
    ///   frontline export data/snapshots/deepstate_20250801.geojson --places data/places.geojson --front --html map.html --svg map.svg
    ///   frontline export 'raw-weekly/17*.geojson.gz' --bbox 37,48,38.5,49 --changed-only -o series.geojson
    #[command(verbatim_doc_comment)]
    Export(crate::commands::export::ExportArgs),
    /// Convert a vector file between GeoJSON, FlatGeobuf, GeoParquet and Shapefile.
    ///
    /// Examples:
    ///   frontline convert donetsk/raions.geojson raions.fgb
    ///   frontline convert raions.shp raions.parquet
    ///   frontline convert raions.fgb raions_utm.parquet --output-crs EPSG:32637   (needs the proj feature)
    #[command(verbatim_doc_comment)]
    Convert(crate::commands::convert::ConvertArgs),
}

/// Which zone file, and how to read it.
#[derive(Debug, Args)]
pub struct ZoneArgs {
    /// Zone file: a DeepState raw snapshot, an occupied-only archive file, or any
    /// GeoJSON with a status property (.gz read transparently); or a store file
    /// (`frontline store`): its latest snapshot, or `archive.fls@YYYY-MM-DD` for
    /// the latest on or before that day.
    pub zones: PathBuf,

    /// Kind of zone file [default: detected from the content].
    #[arg(long, value_enum)]
    pub source: Option<SourceKind>,

    /// Property holding each feature's status (generic zone files).
    #[arg(long, value_name = "PROPERTY")]
    pub status_property: Option<String>,

    /// Property value → status pairs, e.g. `RU=occupied,grey=contested` (generic
    /// zone files; without it the value itself names the status).
    #[arg(long, value_name = "VALUE=STATUS,...", requires = "status_property")]
    pub status_map: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SourceKind {
    /// DeepStateMap raw snapshot.
    Deepstate,
    /// Occupied-only archive (one MultiPolygon, all occupied).
    Occupied,
    /// Any GeoJSON with a status property (needs --status-property).
    Generic,
}

/// The kind of every file of a timeline (or both of a diff): only the kinds that
/// need no further options, so that `--help` offers no `generic` it would refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SnapshotKind {
    /// DeepStateMap raw snapshot.
    Deepstate,
    /// Occupied-only archive (one MultiPolygon, all occupied).
    Occupied,
}

impl ZoneArgs {
    /// The source to read with, `None` to detect it.
    pub fn source(&self) -> Result<Option<Source>> {
        let mapping = match &self.status_property {
            Some(p) => Some(
                StatusMapping::new(p.clone())
                    .parse_pairs(self.status_map.as_deref().unwrap_or(""))?,
            ),
            None => None,
        };
        match (self.source, mapping) {
            (Some(SourceKind::Deepstate), None) => Ok(Some(Source::DeepState)),
            (Some(SourceKind::Occupied), None) => Ok(Some(Source::Occupied)),
            (Some(SourceKind::Generic) | None, Some(m)) => Ok(Some(Source::Generic(m))),
            (Some(SourceKind::Generic), None) => Err(frontline::Error::Invalid(
                "--source generic needs --status-property".into(),
            )),
            (Some(_), Some(_)) => Err(frontline::Error::Invalid(
                "--status-property only applies to generic zone files".into(),
            )),
            (None, None) => Ok(None),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for reading.
    Table,
    /// JSON for programs.
    Json,
    /// CSV for spreadsheets.
    Csv,
}
