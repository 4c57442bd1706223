//! `frontline store`: many snapshots saved into one compact store file.

use std::path::PathBuf;

use std::io::Write;

use clap::Args;

use crate::args::SnapshotKind;
use crate::commands::series::{load_options, report_issues};
use crate::paths::Inputs;
use crate::write_out;
use frontline::Result;
use frontline::atomic::AtomicFile;
use frontline::timeline::{self, Timeline};

#[derive(Debug, Args)]
pub struct StoreArgs {
    /// Snapshots: files, directories (every .geojson/.json, optionally .gz), glob
    /// patterns, or other store files.
    #[arg(required = true, value_name = "SNAPSHOTS")]
    pub snapshots: Vec<PathBuf>,

    /// The store file to write (replaced atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,

    /// Kind of every zone file [default: detected per file].
    #[arg(long, value_enum)]
    pub source: Option<SnapshotKind>,

    /// Stop at the first unreadable or undated file, or same-date files that
    /// differ (default: report them on stderr and go on).
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &StoreArgs) -> Result<()> {
    Inputs::new()
        .series("snapshots", &args.snapshots)
        .refuse_outputs(&[("-o", Some(&args.output))])?;
    crate::paths::refuse_format_name("-o", &args.output)?;
    // Opened first: an unwritable output fails before the long load.
    let file = AtomicFile::create(&args.output)?;
    let (options, bar) = load_options(&args.snapshots, args.source, args.strict)?;
    let loaded = Timeline::load(&args.snapshots, &options);
    bar.finish_and_clear();
    let timeline = loaded?;
    report_issues(timeline.issues());
    timeline::store::write_to(&timeline, file)?;
    let size = std::fs::metadata(&args.output).map_or(0, |m| m.len());
    write_out(|out| {
        let (first, last) = timeline.span().unwrap_or_default();
        writeln!(
            out,
            "{}: {}, {} to {}, {:.1} MB",
            args.output.display(),
            crate::output::count(timeline.len(), "snapshot"),
            first.format("%F"),
            last.format("%F"),
            size as f64 / 1e6
        )
    })
}
