//! `frontline sync`: a local archive kept current from DeepState's public API.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::Format;
use crate::output::{Cell, Table, emit};
use crate::write_out;
use frontline::sync::{self, Action, Event, Every, Summary, SyncOptions};
use frontline::{Error, Result};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The archive directory (created when missing): `<id>.geojson.gz` snapshots,
    /// `<id>.areas.json` published areas and `sync-manifest.json`.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Only updates at or after this date (YYYY-MM-DD, UTC, or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Every update, or the latest of each UTC day or ISO week.
    #[arg(long, value_name = "update|day|week", default_value = "update")]
    pub every: Every,

    /// The API's site.
    #[arg(long, value_name = "URL", default_value = sync::DEFAULT_BASE_URL)]
    pub base_url: String,

    /// Seconds between two requests, at least.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0, value_parser = seconds)]
    pub delay: f64,

    /// Seconds a request may take, body included.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0, value_parser = seconds)]
    pub timeout: f64,

    /// Attempts after the first, on timeouts, cut or invalid bodies, HTTP 429 and 5xx.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,

    /// Seconds before the first retry, doubled for each further one.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0, value_parser = seconds)]
    pub backoff: f64,

    /// List what would be fetched, and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Output format of the list of updates fetched.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn seconds(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => Ok(s),
        _ => Err(format!(
            "{text:?} is not a number of seconds from 0 to 86400"
        )),
    }
}

pub fn run(args: &SyncArgs) -> Result<()> {
    let since = args
        .since
        .as_deref()
        .map(|d| frontline::timeline::parse_date(d, false))
        .transpose()?;
    let options = SyncOptions::default()
        .base_url(&args.base_url)
        .since(since)
        .every(args.every)
        .delay(Duration::from_secs_f64(args.delay))
        .timeout(Duration::from_secs_f64(args.timeout))
        .retries(args.retries)
        .backoff(Duration::from_secs_f64(args.backoff))
        .dry_run(args.dry_run);
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {pos}/{len} updates [{bar:30}] {elapsed} {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    // On stderr above the bar (which is hidden when stderr is not a terminal).
    let say = |line: String| bar.suspend(|| eprintln!("{line}"));
    let result = sync::sync(&args.dir, &options, &mut |event| match event {
        Event::Planned { needed, .. } => bar.set_length(needed as u64),
        Event::Retrying(r) => say(format!(
            "frontline: warning: {}: {}; attempt {} of {} in {:.1} s",
            r.url,
            r.error,
            r.attempt + 1,
            r.attempts,
            r.wait.as_secs_f64()
        )),
        Event::Done(o) => {
            bar.inc(1);
            bar.set_message(o.id.to_string());
            for p in o.problem.iter().chain(&o.note) {
                say(format!("frontline: warning: {}: {p}", o.id));
            }
        }
        Event::Warning(w) => say(format!("frontline: warning: {w}")),
        _ => {}
    });
    bar.finish_and_clear();
    let summary = result?;
    print(args.format, &summary)?;
    eprintln!("frontline: {}", closing(args, &summary));
    match summary.failed() {
        0 => Ok(()),
        n => Err(Error::Invalid(format!(
            "{n} update(s) not complete in {} (see the warnings); run again to retry them",
            args.dir.display()
        ))),
    }
}

/// The closing summary line.
fn closing(args: &SyncArgs, s: &Summary) -> String {
    let dir = args.dir.display();
    let wanted = match (args.every, &args.since) {
        (Every::Update, None) => String::new(),
        (every, since) => format!(
            " ({} wanted: every {every}{})",
            s.selected,
            since
                .as_ref()
                .map(|d| format!(" since {d}"))
                .unwrap_or_default()
        ),
    };
    if args.dry_run {
        return format!(
            "{dir}: {} updates listed{wanted}; {} to fetch (dry run: nothing written)",
            s.listed,
            s.outcomes.len()
        );
    }
    format!(
        "{dir}: {} updates listed{wanted}; {} stored ({:.1} MB), {} revised, {} failed; \
         the archive holds {} updates",
        s.listed,
        s.stored(),
        s.bytes() as f64 / 1e6,
        s.revised(),
        s.failed(),
        s.archived
    )
}

fn print(format: Format, summary: &Summary) -> Result<()> {
    let mut table = Table::new(["id", "date", "need", "action", "file", "bytes"]);
    for o in &summary.outcomes {
        table.rows.push(vec![
            Cell::text(o.id.to_string()),
            Cell::text(o.time.format("%Y-%m-%d %H:%M").to_string()),
            Cell::text(o.need.to_string()),
            Cell::text(action(o.action)),
            Cell::text(o.file.clone().unwrap_or_default()),
            Cell::Number(o.bytes as f64, 0),
        ]);
    }
    if summary.outcomes.is_empty() && format == Format::Table {
        return Ok(());
    }
    write_out(|out| emit(format, &table, summary, out))
}

fn action(a: Action) -> &'static str {
    match a {
        Action::Stored => "stored",
        Action::Unchanged => "unchanged",
        Action::Revised => "revised",
        Action::AreasStored => "areas stored",
        Action::AreasRevised => "areas revised",
        Action::Failed => "failed",
        Action::Planned => "to fetch",
    }
}
