//! Shared helpers of the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// The real data beside the checkout (`../shared/data`, or `$FRONTLINE_DATA`);
/// `None`, with a printed notice, when it is absent.
pub fn shared_data(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("FRONTLINE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    if dir.join("README.md").is_file() {
        Some(dir)
    } else {
        skip(
            test,
            &format!(
                "real data not found at {} (set FRONTLINE_DATA)",
                dir.display()
            ),
        );
        None
    }
}

/// The file every skipped test appends a line to, `target/tmp/skipped-tests.txt`:
/// the Python tests, which the README's test command runs last, print it in the
/// run's closing summary and clear it (python/tests/conftest.py), so that a skip
/// shows there and not only with `--nocapture`.
pub fn skip_log() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("skipped-tests.txt")
}

/// Reports a skipped test (or part of one): a notice on stderr, and a line in
/// [`skip_log`].
pub fn skip(test: &str, reason: &str) {
    use std::io::Write;
    eprintln!("NOTICE: {test} skipped: {reason}");
    let line = format!("{test}: {reason}\n");
    // Appends of one short line are atomic enough for parallel tests.
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(skip_log())
    {
        let _ = f.write_all(line.as_bytes());
    }
}

/// The crate's own directory.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The committed output of tests/reference/deepstate_reference.py.
pub fn reference() -> Value {
    let text = std::fs::read_to_string(repo().join("tests/reference/reference.json"))
        .expect("tests/reference/reference.json is committed");
    serde_json::from_str(&text).expect("reference.json parses")
}

/// `actual` agrees with `expected` within 0.01 % of `expected`, or within `floor`
/// km² for amounts so small that a relative bound means nothing.
pub fn assert_km2(actual: f64, expected: f64, floor: f64, what: &str) {
    let tolerance = (expected.abs() * 1e-4).max(floor);
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {actual} km² vs reference {expected} km² (tolerance {tolerance})"
    );
}

/// Runs the `frontline` binary in the crate's directory.
pub fn frontline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the frontline binary runs")
}

/// A small deterministic generator, so that failures can be replayed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn point(&mut self, x0: f64, x1: f64, y0: f64, y1: f64) -> geo::Point<f64> {
        geo::point!(x: x0 + self.next() * (x1 - x0), y: y0 + self.next() * (y1 - y0))
    }
}
