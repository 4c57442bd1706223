//! `frontline export`: styled GeoJSON for map viewers, a Leaflet page and an SVG map.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::args::SnapshotKind;
use crate::commands::series::source;
use crate::paths::Inputs;
use crate::{read_outline, warn, write_out};
use frontline::atomic::AtomicFile;
use frontline::crs::{Crs, Transform};
use frontline::export::{
    Aoi, Export, ExportOptions, ExportReport, PageOptions, Style, SvgOptions, map_page, svg_map,
};
use frontline::formats::{self, Format};
use frontline::proximity::{Front, FrontOptions, parse_distance};
use frontline::timeline::{LoadOptions, Timeline, find_snapshot_files, store};
use frontline::{Error, Result, Snapshot};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// One zone file (its layers), or several dated snapshots (files, directories,
    /// globs or store files) for a time-enabled export.
    #[arg(required = true, value_name = "ZONES")]
    pub inputs: Vec<PathBuf>,

    /// Kind of the zone files [default: detected per file].
    #[arg(long, value_enum)]
    pub source: Option<SnapshotKind>,

    /// Keep only what lies in this outline (GeoJSON polygons, e.g. an oblast).
    #[arg(long, value_name = "FILE", conflicts_with = "bbox")]
    pub aoi: Option<PathBuf>,

    /// Keep only what lies in this box: west,south,east,north in degrees.
    #[arg(long, value_name = "W,S,E,N", allow_hyphen_values = true)]
    pub bbox: Option<String>,

    /// Also export these places (points) with their status and distance to the front.
    #[arg(long, value_name = "FILE")]
    pub places: Option<PathBuf>,

    /// Also export the front line (of the latest snapshot).
    #[arg(long)]
    pub front: bool,

    /// Front: edges closer than this to the area of interest's outline run along it.
    #[arg(
        long,
        value_name = "DISTANCE",
        default_value = "1km",
        allow_hyphen_values = true
    )]
    pub tolerance: String,

    /// Export the zones as drawn (overlapping) instead of the resolved layers.
    #[arg(long)]
    pub zones_as_drawn: bool,

    /// Also export the ground gained and lost between the first and the last snapshot.
    #[arg(long)]
    pub changes: bool,

    /// Time-enabled export: write a status's ground only when it changed.
    #[arg(long)]
    pub changed_only: bool,

    /// Simplify outlines to this tolerance (m or km, e.g. 100m).
    #[arg(long, value_name = "DISTANCE", allow_hyphen_values = true)]
    pub simplify: Option<String>,

    /// Decimals kept in coordinates (6 ≈ 0.1 m, 5 ≈ 1 m, 4 ≈ 10 m).
    #[arg(long, value_name = "DECIMALS", default_value_t = 6)]
    pub precision: u8,

    /// Write bbox members.
    #[arg(long)]
    pub with_bbox: bool,

    /// Colours per status, e.g. `occupied=#ff0000,liberated=#0288d1`.
    #[arg(long, value_name = "STATUS=#RRGGBB,...")]
    pub colours: Option<String>,

    /// Write the features here, in the format its extension says: .geojson/.json
    /// (RFC 7946), .fgb (FlatGeobuf), .parquet/.geoparquet (GeoParquet), .shp
    /// (Shapefile) [default: GeoJSON on stdout, unless --html or --svg is given].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Coordinate system of the -o file (EPSG:NNNN, WKT, ...) [default: WGS84];
    /// not for GeoJSON, which is WGS84 only. Reprojection needs the `proj` feature.
    #[arg(long, value_name = "CRS", requires = "output")]
    pub output_crs: Option<String>,

    /// Write a self-contained Leaflet map page here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Write an SVG map here.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,

    /// Leaflet's script for the page.
    #[arg(long, value_name = "URL")]
    pub leaflet_url: Option<String>,

    /// Leaflet's style sheet for the page.
    #[arg(long, value_name = "URL")]
    pub leaflet_css_url: Option<String>,

    /// No OpenStreetMap base map on the page.
    #[arg(long)]
    pub no_tiles: bool,

    /// Title of the page and the SVG map.
    #[arg(long)]
    pub title: Option<String>,
}

fn commit(mut file: AtomicFile, bytes: &[u8]) -> Result<()> {
    file.write_all(bytes).map_err(|source| Error::Io {
        path: file.path().to_path_buf(),
        source,
    })?;
    file.commit()
}

pub fn run(args: &ExportArgs) -> Result<()> {
    Inputs::new()
        .series("ZONES", &args.inputs)
        .file("--aoi", args.aoi.as_deref())
        .file("--places", args.places.as_deref())
        .refuse_outputs(&[
            ("-o", args.output.as_deref()),
            ("--html", args.html.as_deref()),
            ("--svg", args.svg.as_deref()),
        ])?;
    crate::paths::require_extension("--html", args.html.as_deref(), &["html", "htm"])?;
    crate::paths::require_extension("--svg", args.svg.as_deref(), &["svg"])?;
    // Everything that can be checked without reading the data, first: opening the
    // outputs' temporary files fails at once on an unwritable path.
    let open = |p: &Option<PathBuf>| p.as_ref().map(AtomicFile::create).transpose();
    let out_format = args.output.as_deref().map(Format::for_output).transpose()?;
    let out_crs = match &args.output_crs {
        Some(c) => Crs::parse(c)?,
        None => Crs::wgs84(),
    };
    if out_format == Some(Format::GeoJson) && !out_crs.is_lon_lat() {
        return Err(Error::Invalid(format!(
            "--output-crs {out_crs}: RFC 7946 GeoJSON is WGS84 longitude/latitude only; \
             write .fgb, .parquet or .shp for another CRS"
        )));
    }
    // Without PROJ a projected output fails here, before any work.
    Transform::new(&Crs::wgs84(), &out_crs)?;
    let (geojson_out, html_out, svg_out) =
        (open(&args.output)?, open(&args.html)?, open(&args.svg)?);
    let mut style = Style::default();
    if let Some(c) = &args.colours {
        style.parse_overrides(c)?;
    }
    let mut options = ExportOptions::default()
        .precision(args.precision)
        .with_bbox(args.with_bbox)
        .style(style);
    if let Some(s) = &args.simplify {
        options = options.simplify_m(parse_distance(s)?);
    }
    if let Some(b) = &args.bbox {
        options = options.aoi(Aoi::from_bbox(b)?);
    }
    if let Some(path) = &args.aoi {
        options = options.aoi(Aoi::new(path.display().to_string(), read_outline(path)?));
    }
    let front_opts = if args.front || args.places.is_some() {
        let mut o = FrontOptions::default().tolerance_m(parse_distance(&args.tolerance)?);
        if let Some(aoi) = &options.aoi {
            o = o.within(aoi.area().clone());
        }
        Some(o)
    } else {
        None
    };
    let mut export = Export::new(options)?;
    let places = match &args.places {
        Some(p) => {
            let places = crate::read_places(p)?;
            warn(p, places.warnings());
            Some(places)
        }
        None => None,
    };
    let source = source(args.source);
    let (files, unlisted) = find_snapshot_files(&args.inputs)?;
    for issue in &unlisted {
        eprintln!("frontline: warning: {issue}");
    }
    // A store file holds many snapshots: read as a timeline, as several files are.
    let snapshots: Vec<Snapshot> = if files.len() == 1 && !store::is_store(&files[0]) {
        let import = crate::read_zones(&files[0], source.as_ref())?;
        crate::warn_import(&import.report);
        vec![import.snapshot]
    } else {
        let timeline = Timeline::load(
            &files,
            &LoadOptions::default()
                .read(crate::read_options().clone())
                .source(source),
        )?;
        for issue in timeline.issues() {
            eprintln!("frontline: warning: {issue}");
        }
        timeline.iter().map(|e| e.value.clone()).collect()
    };
    let Some(latest) = snapshots.last() else {
        return Err(Error::Invalid("no snapshot to export".into()));
    };
    // A colour for a status no snapshot has and none of the known four (a typo)
    // would paint nothing, silently.
    for (name, _) in args
        .colours
        .iter()
        .flat_map(|c| c.split(',').filter_map(|p| p.split_once('=')))
    {
        if !snapshots.iter().any(|s| s.status_named(name).is_ok()) {
            latest
                .status_named(name)
                .map_err(|e| Error::Invalid(format!("--colours: {e}")))?;
        }
    }
    if args.changed_only && snapshots.len() < 2 {
        eprintln!("frontline: note: --changed-only applies to several snapshots; one given");
    }
    if snapshots.len() > 1 {
        export.series(&snapshots, args.changed_only)?;
    } else if args.zones_as_drawn {
        export.zones(latest)?;
    } else {
        export.layers(latest)?;
    }
    if args.changes {
        match (snapshots.first(), snapshots.len()) {
            (Some(first), 2..) => {
                export.changes(first, latest)?;
            }
            _ => eprintln!("frontline: note: --changes needs two snapshots or more; skipped"),
        }
    }
    let front = match &front_opts {
        Some(o) => Some(Front::derive(latest, o)?),
        None => None,
    };
    if let (true, Some(f)) = (args.front, &front) {
        export.front(f, latest.date())?;
    }
    if let Some(places) = &places {
        export.places(places, latest, front.as_ref())?;
    }
    if export.is_empty() {
        eprintln!("frontline: note: nothing to export: writing an empty FeatureCollection");
    }
    let text = export.to_geojson_string();
    let collection = export.to_feature_collection();
    let title = args.title.clone().unwrap_or_else(|| match latest.date() {
        Some(d) if snapshots.len() == 1 => format!("frontline: {}", d.format("%Y-%m-%d")),
        _ => "frontline map".into(),
    });
    let mut written: Vec<(String, &Path, usize)> = Vec::new();
    if let (Some(path), Some(file)) = (&args.output, geojson_out) {
        match out_format {
            Some(Format::GeoJson) | None => {
                let bytes = formats::geojson_bytes(path, &text)?;
                commit(file, &bytes)?;
                written.push(("geojson".into(), path, bytes.len()));
            }
            Some(format) => {
                drop(file); // the format's writer makes its own temporary files
                let mut projected = collection.clone();
                formats::reproject(&mut projected, &Crs::wgs84(), &out_crs)?;
                formats::write(&projected, path, &out_crs, Some(format))?;
                let bytes = std::fs::metadata(path).map_or(0, |m| m.len() as usize);
                written.push((format.to_string(), path, bytes));
            }
        }
    }
    if let (Some(path), Some(file)) = (&args.html, html_out) {
        let mut page = PageOptions {
            title: title.clone(),
            ..PageOptions::default()
        };
        if let Some(u) = &args.leaflet_url {
            page.leaflet_url = u.clone();
        }
        if let Some(u) = &args.leaflet_css_url {
            page.leaflet_css_url = u.clone();
        }
        if args.no_tiles {
            page.tiles = None;
        }
        let html = map_page(&collection, &page, export.is_time_enabled());
        commit(file, html.as_bytes())?;
        written.push(("html".into(), path, html.len()));
    }
    if let (Some(path), Some(file)) = (&args.svg, svg_out) {
        let svg = svg_map(
            &collection,
            &SvgOptions {
                title,
                ..SvgOptions::default()
            },
        )?;
        commit(file, svg.as_bytes())?;
        written.push(("svg".into(), path, svg.len()));
    }
    let report = export.report();
    if written.is_empty() {
        write_out(|out| writeln!(out, "{text}"))?;
        let mut err = std::io::stderr().lock();
        // A summary beside the data on stdout; failing to print it is harmless.
        let _ = summary(&mut err, report, &[]);
        Ok(())
    } else {
        write_out(|out| summary(out, report, &written))
    }
}

fn summary(
    out: &mut impl Write,
    r: &ExportReport,
    written: &[(String, &Path, usize)],
) -> std::io::Result<()> {
    for (kind, path, bytes) in written {
        writeln!(out, "wrote {kind} {} ({bytes} bytes)", path.display())?;
    }
    writeln!(
        out,
        "features {}; positions {} → {}; area {:.2} km², simplified {:.2} km² ({:+.4} %), rounded {:.2} km² ({:+.4} %){}",
        r.features,
        r.vertices_before,
        r.vertices_after,
        r.area_km2,
        r.simplified_km2,
        r.simplification_pct(),
        r.rounded_km2,
        r.rounding_pct(),
        if r.vanished > 0 {
            format!(
                "; {} too small to keep",
                crate::output::count(r.vanished, "feature")
            )
        } else {
            String::new()
        }
    )
}
