//! `frontline animate`: an animated map of a timeline in an area of interest.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::SnapshotKind;
use crate::commands::series::{load_options, report_issues};
use crate::maps::MapArgs;
use crate::{warn, write_out};
use frontline::animate::{AnimateOptions, Animation, Every, OutputKind, Rasterizer};
use frontline::export::{Aoi, Style};
use frontline::timeline::{self, snapshot_files};
use frontline::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EveryArg {
    /// One frame per snapshot.
    Snapshot,
    /// One frame per day (the latest snapshot by that day's end).
    Day,
    /// One frame per ISO week, Monday to Sunday (the latest by its end).
    Week,
}

#[derive(Debug, Args)]
pub struct AnimateArgs {
    /// Snapshots: files, directories, glob patterns (quoted) or store files.
    #[arg(required = true, value_name = "SNAPSHOTS")]
    pub snapshots: Vec<PathBuf>,

    /// The area shown (GeoJSON polygons, e.g. an oblast): every frame shows its box,
    /// its outline drawn.
    #[arg(long, value_name = "FILE", required_unless_present = "bbox")]
    pub aoi: Option<PathBuf>,

    /// The area shown as a box: west,south,east,north in degrees.
    #[arg(
        long,
        value_name = "W,S,E,N",
        allow_hyphen_values = true,
        conflicts_with = "aoi"
    )]
    pub bbox: Option<String>,

    /// The animation: .gif (pure Rust), .webp (animated, lossless, pure Rust) or
    /// .mp4 (needs ffmpeg).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,

    /// One frame per snapshot, day or week.
    #[arg(long, value_enum, default_value_t = EveryArg::Snapshot)]
    pub every: EveryArg,

    /// First date (YYYY-MM-DD or RFC 3339), inclusive.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Last date (YYYY-MM-DD: the whole day; or RFC 3339), inclusive.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Also draw these places (points), coloured by their status on each date.
    #[arg(long, value_name = "FILE")]
    pub places: Option<PathBuf>,

    /// Also draw each snapshot's front line.
    #[arg(long)]
    pub front: bool,

    #[command(flatten)]
    pub map: MapArgs,

    /// Frame size in pixels, WIDTHxHEIGHT.
    #[arg(long, value_name = "WxH", default_value = "1080x1080")]
    pub size: String,

    /// How long each frame shows, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 250)]
    pub delay: u32,

    /// How long the last frame shows, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub hold_last: u32,

    /// Title at the top left [default: the area's file name or box].
    #[arg(long)]
    pub title: Option<String>,

    /// Colours per status, e.g. `occupied=#ff0000,liberated=#0288d1`.
    #[arg(long, value_name = "STATUS=#RRGGBB,...")]
    pub colours: Option<String>,

    /// Also save the last frame as a PNG here (to check how a frame reads).
    #[arg(long, value_name = "FILE")]
    pub still: Option<PathBuf>,

    /// Kind of every zone file [default: detected per file].
    #[arg(long, value_enum)]
    pub source: Option<SnapshotKind>,

    /// Stop at the first unreadable or undated file (default: report and go on).
    #[arg(long)]
    pub strict: bool,
}

fn parse_size(text: &str) -> Result<(u32, u32)> {
    let bad = || {
        Error::Invalid(format!(
            "--size {text:?}: expected WIDTHxHEIGHT, e.g. 1080x1080"
        ))
    };
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    Ok((
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    ))
}

pub fn run(args: &AnimateArgs) -> Result<()> {
    let started = Instant::now();
    // What can fail without the data, first: the format (and ffmpeg for MP4),
    // the size, the dates, the fonts, the output's directory.
    OutputKind::for_path(&args.output)?;
    let (width, height) = parse_size(&args.size)?;
    let (from, to) = crate::commands::series::date_range(args.from.as_deref(), args.to.as_deref())?;
    let rasterizer = Rasterizer::new()?;
    drop(frontline::atomic::AtomicFile::create(&args.output)?);
    let mut style = Style::default();
    if let Some(c) = &args.colours {
        style.parse_overrides(c)?;
    }
    // The title by default: the area's name when its file holds one feature.
    let (aoi, name) = match (&args.aoi, &args.bbox) {
        (Some(path), _) => {
            let outline = crate::read_places(path)?;
            warn(path, outline.warnings());
            let area = outline
                .union()
                .ok_or_else(|| Error::format(path, "no polygon to use as an outline"))?;
            let name = match outline.iter().collect::<Vec<_>>()[..] {
                [one] => one.label().to_string(),
                _ => path.file_stem().map_or_else(
                    || path.display().to_string(),
                    |s| s.to_string_lossy().into_owned(),
                ),
            };
            (Aoi::new(path.display().to_string(), area), name)
        }
        (None, Some(b)) => {
            let aoi = Aoi::from_bbox(b)?;
            let name = aoi.name().to_string();
            (aoi, name)
        }
        (None, None) => return Err(Error::Invalid("--aoi or --bbox is needed".into())),
    };
    let title = args.title.clone().unwrap_or(name);
    let places = match &args.places {
        Some(p) => {
            let places = crate::read_places(p)?;
            warn(p, places.warnings());
            Some(places)
        }
        None => None,
    };
    // Files within the date range only: a glob of years need not all be read.
    let files: Vec<PathBuf> = snapshot_files(&args.snapshots)?;
    let (load, bar) = load_options(&files, args.source, args.strict)?;
    let mut options = AnimateOptions::new(aoi).size(width, height);
    options.every = match args.every {
        EveryArg::Snapshot => Every::Snapshot,
        EveryArg::Day => Every::Day,
        EveryArg::Week => Every::Week,
    };
    options.delay_ms = args.delay;
    options.hold_last_ms = args.hold_last;
    options.title = title;
    options.front = args.front;
    options.places = places;
    options.labels = args.map.labels();
    options.style = style.clone();
    options.boundaries_credit = args.aoi.is_some() || args.map.inset_outline.is_some();
    options.from = from;
    options.to = to;
    let loaded = Animation::load(&files, &load, &options);
    bar.finish_and_clear();
    let mut animation = loaded?;
    report_issues(animation.issues());
    if args.map.wants_inset() {
        // The whole extent of the latest snapshot shown, read in full once.
        // From its file, or from the store it came from (whose entries name the
        // files they were made of, which may be gone).
        let mut last = animation.last_path().to_path_buf();
        if !last.exists()
            && let (Some(store), Some(date)) = (
                files.iter().find(|f| timeline::store::is_store(f)),
                animation.last_date(),
            )
        {
            last = PathBuf::from(format!("{}@{}", store.display(), date.format("%Y-%m-%d")));
        }
        let snapshot = crate::load_zones(&last, None)?.snapshot;
        animation.set_inset(args.map.inset(&snapshot, &style)?);
    }
    let frames = animation.frames().len();
    let bar = ProgressBar::new(frames as u64);
    if let Ok(s) =
        ProgressStyle::with_template("{spinner} {pos}/{len} frames [{bar:30}] {elapsed} {msg}")
    {
        bar.set_style(s.progress_chars("=> "));
    }
    let b = bar.clone();
    animation.set_progress(Some(Arc::new(move |n| b.set_position(n as u64))));
    let written = animation.write(&args.output, Some(&rasterizer));
    bar.finish_and_clear();
    let bytes = written?;
    if let Some(still) = &args.still {
        animation.frame(frames - 1, &rasterizer)?.write_png(still)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    write_out(|out| {
        writeln!(
            out,
            "wrote {} ({frames} frames of {width}x{height} from {} snapshots, {bytes} bytes) in {seconds:.1} s",
            args.output.display(),
            animation.snapshots()
        )?;
        if let Some(still) = &args.still {
            writeln!(out, "wrote the last frame to {}", still.display())?;
        }
        Ok(())
    })
}

use std::io::Write as _;
