//! The `frontline` command: a thin layer over the library. Arguments live in
//! `args`, formatting in `output`; each command here reads, calls the library and
//! hands the result to the formatter.

mod args;
mod commands;
mod maps;
mod output;
mod paths;
mod places;

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::Parser;

use args::{Cli, Command};
use frontline::crs::{Crs, Transform};
use frontline::import::{Import, ReadOptions, Source};
use frontline::{Error, Places, Result};

fn main() -> ExitCode {
    // Ctrl-C, `kill` or a closed terminal: the temporary files of the outputs
    // being written are removed, the outputs left as they were.
    let _ = ctrlc::set_handler(|| {
        frontline::atomic::remove_temporary_files();
        eprintln!("frontline: interrupted: no output written");
        std::process::exit(130);
    });
    let cli = Cli::parse();
    let area = frontline::measure::AreaModel::from(cli.area);
    if let Err(e) = frontline::measure::set_area_model(area) {
        eprintln!("frontline: error: {e}");
        return ExitCode::FAILURE;
    }
    if area == frontline::measure::AreaModel::Sphere {
        eprintln!(
            "frontline: note: km² measured on a sphere of radius 6,378,137 m (--area sphere, \
             DeepState's own method), 0 to 0.15 % less than geodesic WGS84 km² in Ukraine"
        );
    }
    // A panic the library's guards catch is an error naming the file or
    // feature: no "thread 'main' panicked" line before it.
    frontline::formats::hush_caught_panics();
    if let Err(e) = set_read_options(cli.input_crs.clone()) {
        eprintln!("frontline: error: {e}");
        return ExitCode::FAILURE;
    }
    let result = match cli.command {
        Command::Share(args) => commands::share::run(&args),
        Command::Status(args) => commands::status::run(&args),
        Command::Near(args) => commands::near::run(&args),
        Command::Front(args) => commands::front::run(&args),
        Command::Series(args) => commands::series::run(&args),
        Command::Diff(args) => commands::diff::run(&args),
        Command::Store(args) => commands::store::run(&args),
        Command::History(args) => commands::history::run(&args),
        Command::Export(args) => commands::export::run(&args),
        Command::Convert(args) => commands::convert::run(&args),
        Command::Sync(args) => commands::sync::run(&args),
        Command::Animate(args) => commands::animate::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("frontline: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) ends the program quietly.
pub(crate) fn write_out(f: impl FnOnce(&mut io::StdoutLock) -> io::Result<()>) -> Result<()> {
    let mut out = io::stdout().lock();
    match f(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Invalid(format!("cannot write the output: {e}"))),
        Ok(()) => Ok(()),
    }
}

/// How every input file is read (the global `--input-crs`): set once in `main`,
/// read by the helpers below, through which every command reads its files.
static READ_OPTIONS: OnceLock<ReadOptions> = OnceLock::new();

fn set_read_options(input_crs: Option<Crs>) -> Result<()> {
    if let Some(crs) = &input_crs {
        // Checked once here: an unknown CRS, or a build without PROJ, is one clear
        // error instead of one per file.
        Transform::new(crs, &Crs::wgs84())
            .map_err(|e| Error::Invalid(format!("--input-crs {crs}: {e}")))?;
    }
    // Only `main` sets it, once.
    let _ = READ_OPTIONS.set(ReadOptions::default().input_crs(input_crs));
    Ok(())
}

/// The options every input file is read with.
pub(crate) fn read_options() -> &'static ReadOptions {
    READ_OPTIONS.get_or_init(ReadOptions::default)
}

/// Reads a place file (regions, places, outlines) with the global options.
pub(crate) fn read_places(path: &Path) -> Result<Places> {
    frontline::import::read_places_with(path, read_options())
}

/// Reads a zone file with the global options.
pub(crate) fn read_zones(path: &Path, source: Option<&Source>) -> Result<Import> {
    frontline::import::read_zones_with(path, source, read_options())
}

/// The union of the polygons of an outline file (`--within`, `--aoi`).
pub(crate) fn read_outline(path: &std::path::Path) -> Result<geo::MultiPolygon<f64>> {
    let places = read_places(path)?;
    warn(path, places.warnings());
    places
        .union()
        .ok_or_else(|| Error::format(path, "no polygon to use as an outline"))
}

/// What an import could not settle goes to stderr, whatever else is asked: its
/// notices (a kind the name or a forced `--source` contradicts, an unknown split),
/// the polygons no rule classified (with their count: they are left out of every
/// area), and the repairs, a few lines at most.
pub(crate) fn warn_import(report: &frontline::import::ImportReport) {
    for doubt in report.doubts() {
        eprintln!("frontline: warning: {doubt} (see --report)");
    }
    warn(&report.path, &report.warnings);
}

/// Says that the occupied ground of some input is not split by date: `what`
/// names it (a file, or some snapshots of a timeline), `files` says how many
/// files that is. One wording for every command that reports the split.
pub(crate) fn unknown_split_note(what: &dyn std::fmt::Display, files: usize) {
    eprintln!(
        "frontline: note: {what}: the split of occupied ground into occupied_since_2014 and \
         occupied_since_2022 is unknown: {} not tell them apart (an occupied-only \
         archive, or a map that does not draw Crimea and ORDLO as standing territories)",
        if files == 1 {
            "the file does"
        } else {
            "these files do"
        }
    );
}

/// [`warn_import`] for the files of a timeline: their notices and unclassified
/// polygons, ten files at most, then a count.
pub(crate) fn warn_imports<'a>(
    reports: impl IntoIterator<Item = &'a frontline::import::ImportReport>,
) {
    const SHOWN: usize = 10;
    let doubtful: Vec<_> = reports
        .into_iter()
        .filter(|r| !r.notices.is_empty() || !r.unclassified.is_empty())
        .collect();
    for r in doubtful.iter().take(SHOWN) {
        let quiet = frontline::import::ImportReport {
            warnings: Vec::new(),
            ..(*r).clone()
        };
        warn_import(&quiet);
    }
    if doubtful.len() > SHOWN {
        eprintln!(
            "frontline: warning: {} more files with notices or unclassified polygons",
            doubtful.len() - SHOWN
        );
    }
}

/// Repairs made while reading go to stderr, a few lines at most.
/// The format an output file's extension names: checked before any long work.
pub(crate) fn output_format(path: &std::path::Path) -> Result<frontline::formats::Format> {
    frontline::formats::Format::for_output(path)
}

/// Writes features (WGS84) in `format`, atomically, and says so on stderr.
pub(crate) fn write_features(
    path: &std::path::Path,
    format: frontline::formats::Format,
    features: &geojson::FeatureCollection,
) -> Result<()> {
    let wgs84 = frontline::crs::Crs::wgs84();
    frontline::convert::write(features, path, &wgs84, Some(format))?;
    eprintln!(
        "frontline: wrote {} to {} ({format})",
        output::count(features.features.len(), "feature"),
        path.display()
    );
    Ok(())
}

pub(crate) fn warn(path: &std::path::Path, warnings: &[String]) {
    const SHOWN: usize = 10;
    for w in warnings.iter().take(SHOWN) {
        eprintln!("frontline: warning: {}: {w}", path.display());
    }
    if warnings.len() > SHOWN {
        eprintln!(
            "frontline: warning: {}: {} more repairs (see --report)",
            path.display(),
            warnings.len() - SHOWN
        );
    }
}

/// A snapshot read for a command that takes one zone file, and its import report.
pub(crate) struct Loaded {
    pub snapshot: frontline::Snapshot,
    pub report: frontline::import::ImportReport,
}

/// Reads one snapshot: a zone file, or a store file (detected by its magic
/// bytes) as `archive.fls` (its latest snapshot) or `archive.fls@YYYY-MM-DD` (the
/// latest at or before that day).
pub(crate) fn load_zones(
    path: &std::path::Path,
    source: Option<&frontline::import::Source>,
) -> Result<Loaded> {
    use frontline::timeline::{parse_date, store};
    let (file, when) = match path.to_str().and_then(|s| s.rsplit_once('@')) {
        Some((file, date)) if !path.exists() && store::is_store(file) => (
            std::path::PathBuf::from(file),
            Some(parse_date(date, true)?),
        ),
        // `@DATE` picks a snapshot of a store; on anything else it would read as
        // a missing file.
        Some((file, date)) if !path.exists() && std::path::Path::new(file).is_file() => {
            return Err(Error::Invalid(format!(
                "{}: `@{date}` picks the snapshot of a date from a store file (written \
                 by `frontline store`), and {file} is not one; give the zone file alone, \
                 or make a store of several with `frontline store`",
                path.display()
            )));
        }
        _ => (path.to_path_buf(), None),
    };
    if store::is_store(&file) {
        let entry = store::Store::open(&file)?.as_of(when)?;
        eprintln!(
            "frontline: {}: snapshot of {} ({})",
            file.display(),
            entry.date.format("%Y-%m-%d %H:%M UTC"),
            entry.path.display()
        );
        return Ok(Loaded {
            snapshot: entry.value,
            report: entry.report,
        });
    }
    let import = read_zones(&file, source)?;
    Ok(Loaded {
        snapshot: import.snapshot,
        report: import.report,
    })
}
