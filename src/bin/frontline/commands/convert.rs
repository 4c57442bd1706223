//! `frontline convert`: a vector file from one format to another.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::paths::Inputs;
use crate::write_out;
use frontline::Result;
use frontline::crs::Crs;
use frontline::formats;

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The file to read: GeoJSON (.gz too), FlatGeobuf, GeoParquet or Shapefile
    /// (told by its content, else its extension).
    #[arg(value_name = "IN")]
    pub input: PathBuf,

    /// The file to write, its format by its extension: .geojson/.json, .fgb,
    /// .parquet/.geoparquet or .shp (written atomically).
    #[arg(value_name = "OUT")]
    pub output: PathBuf,

    /// Reproject to this coordinate system [default: the input's; reprojection needs
    /// the `proj` feature]. GeoJSON output is WGS84 only (RFC 7946).
    #[arg(long, value_name = "CRS")]
    pub output_crs: Option<String>,
}

pub fn run(args: &ConvertArgs) -> Result<()> {
    Inputs::new()
        .file("IN", Some(&args.input))
        .refuse_outputs(&[("OUT", Some(&args.output))])?;
    let output_crs = args.output_crs.as_deref().map(Crs::parse).transpose()?;
    // The input's CRS, when it declares none, is the global --input-crs.
    let done = formats::convert(
        &args.input,
        &args.output,
        crate::read_options().input_crs.as_ref(),
        output_crs.as_ref(),
    )?;
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
