//! `frontline front`: the front line of a snapshot, its length, and a GeoJSON of it.

use std::path::{Path, PathBuf};

use clap::Args;
use geo::MultiLineString;
use serde::Serialize;

use crate::args::{Format, ZoneArgs};
use crate::output::{Cell, Table, emit};
use crate::paths::Inputs;
use crate::{read_outline, write_out};
use frontline::Result;
use frontline::proximity::{Front, FrontOptions, parse_distance};

/// How the front line is drawn: shared by `front` and `near`.
#[derive(Debug, Args)]
pub struct FrontLineArgs {
    /// Area of interest (e.g. ukraine_outline.geojson or the oblasts): edges
    /// outside it or along its outline are not front. Without it, every edge of
    /// occupied-or-contested ground is (state borders and coasts included).
    #[arg(long, value_name = "FILE")]
    pub aoi: Option<PathBuf>,

    /// Edges closer than this to the outline run along it (m or km).
    #[arg(
        long,
        value_name = "DISTANCE",
        default_value = "1km",
        allow_hyphen_values = true
    )]
    pub tolerance: String,
}

impl FrontLineArgs {
    /// The options given by `--aoi` and `--tolerance`.
    pub fn options(&self) -> Result<FrontOptions> {
        options(self.aoi.as_deref(), &self.tolerance)
    }
}

#[derive(Debug, Args)]
pub struct FrontArgs {
    #[command(flatten)]
    pub zones: ZoneArgs,

    #[command(flatten)]
    pub line: FrontLineArgs,

    /// Write the lines (front, grey_occupied, grey_rest) to this file: .geojson
    /// (.gz too), .fgb, .parquet or .shp.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn options(aoi: Option<&Path>, tolerance: &str) -> Result<FrontOptions> {
    let mut options = FrontOptions::default().tolerance_m(parse_distance(tolerance)?);
    if let Some(path) = aoi {
        options = options.within(read_outline(path)?);
    } else {
        eprintln!(
            "frontline: note: no --aoi: the front includes state borders and coasts of occupied ground"
        );
    }
    Ok(options)
}

#[derive(Serialize)]
struct Line {
    line: &'static str,
    km: f64,
    pieces: usize,
}

pub fn run(args: &FrontArgs) -> Result<()> {
    Inputs::new()
        .zones("zones", &args.zones.zones)
        .file("--aoi", args.line.aoi.as_deref())
        .refuse_outputs(&[("-o", args.output.as_deref())])?;
    // The output's format, from its name, before the work.
    let output = args
        .output
        .as_ref()
        .map(|o| crate::output_format(o))
        .transpose()?;
    let options = args.line.options()?;
    let import = crate::load_zones(&args.zones.zones, args.zones.source()?.as_ref())?;
    crate::warn_import(&import.report);
    let front = Front::derive(&import.snapshot, &options)?;
    let lines = [
        ("front", front.line(), front.length_km()),
        (
            "grey_occupied",
            front.grey_occupied(),
            front.grey_occupied_km(),
        ),
        ("grey_rest", front.grey_rest(), front.grey_rest_km()),
    ];
    if let (Some(path), Some(format)) = (&args.output, output) {
        crate::write_features(path, format, &features(&lines))?;
    }
    let rows: Vec<Line> = lines
        .iter()
        .map(|(name, l, km)| Line {
            line: name,
            km: *km,
            pieces: l.0.len(),
        })
        .collect();
    let mut table = Table::new(["line", "km", "pieces"]);
    for r in &rows {
        table.rows.push(vec![
            Cell::text(r.line),
            Cell::Number(r.km, 1),
            Cell::Number(r.pieces as f64, 0),
        ]);
    }
    write_out(|out| emit(args.format, &table, &rows, out))
}

/// The lines as features with `line` and `km` properties.
fn features(lines: &[(&str, &MultiLineString<f64>, f64)]) -> geojson::FeatureCollection {
    let features: Vec<geojson::Feature> = lines
        .iter()
        .map(|(name, l, km)| {
            let mut f = geojson::Feature {
                geometry: Some(geojson::Geometry::from(*l)),
                ..geojson::Feature::default()
            };
            f.set_property("line", *name);
            f.set_property("km", *km);
            f
        })
        .collect();
    geojson::FeatureCollection::new(features)
}
