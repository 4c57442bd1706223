//! `frontline convert`: a vector file from one format to another.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::paths::Inputs;
use crate::write_out;
use frontline::Result;
use frontline::crs::Crs;

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The file to read: GeoJSON (.gz too), FlatGeobuf, GeoParquet, Shapefile, KML
    /// or KMZ (told by its content, else its extension).
    #[arg(value_name = "IN")]
    pub input: PathBuf,

    /// The file to write, its format by its extension: .geojson/.json, .fgb,
    /// .parquet/.geoparquet, .shp, .kml or .kmz (written atomically).
    #[arg(value_name = "OUT")]
    pub output: PathBuf,

    /// Reproject to this coordinate system [default: the input's; reprojection needs
    /// the `proj` feature]. GeoJSON (RFC 7946) and KML output are WGS84 only.
    #[arg(long, value_name = "CRS")]
    pub output_crs: Option<String>,
}

pub fn run(args: &ConvertArgs) -> Result<()> {
    Inputs::new()
        .file("IN", Some(&args.input))
        .refuse_outputs(&[("OUT", Some(&args.output))])?;
    let output_crs = args.output_crs.as_deref().map(Crs::parse).transpose()?;
    // The input's CRS, when it declares none, is the global --input-crs.
    let done = frontline::convert::convert(
        &args.input,
        &args.output,
        crate::read_options().input_crs.as_ref(),
        output_crs.as_ref(),
    )?;
    crate::warn(&args.input, &done.warnings);
    write_out(|out| {
        writeln!(
            out,
            "wrote {} {} ({}, {}) from {} {}",
            done.to,
            args.output.display(),
            crate::output::count(done.features, "feature"),
            done.crs,
            done.from,
            args.input.display()
        )
    })
}
