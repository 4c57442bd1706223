//! Output: one table type rendered as aligned text or CSV; JSON straight from the
//! library's serialisable results.

use std::io::{self, Write};

use serde::Serialize;

use crate::args::Format;
use frontline::{Share, Status};

/// A cell: text, a number shown with a fixed number of decimals, or a figure that
/// is not known (`unknown` in tables, empty in CSV).
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    Number(f64, usize),
    Unknown,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
}

/// Rows under named columns.
#[derive(Debug, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(columns: impl IntoIterator<Item = impl Into<String>>) -> Table {
        Table {
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Aligned columns: text left, numbers right with thousands separators.
    pub fn write_text(&self, out: &mut impl Write) -> io::Result<()> {
        let shown: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Cell::Text(s) => s.clone(),
                        Cell::Number(v, d) => grouped(*v, *d),
                        Cell::Unknown => "unknown".to_string(),
                    })
                    .collect()
            })
            .collect();
        let width = |i: usize| {
            shown
                .iter()
                .filter_map(|r| r.get(i))
                .chain(std::iter::once(&self.columns[i]))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.columns.len()).map(width).collect();
        let numeric = |i: usize| {
            self.rows
                .iter()
                .any(|r| matches!(r.get(i), Some(Cell::Number(..) | Cell::Unknown)))
        };
        let line = |cells: &[String], out: &mut dyn Write| -> io::Result<()> {
            let mut parts = Vec::with_capacity(cells.len());
            for (i, c) in cells.iter().enumerate() {
                let pad = widths[i].saturating_sub(c.chars().count());
                parts.push(if numeric(i) {
                    format!("{}{c}", " ".repeat(pad))
                } else {
                    format!("{c}{}", " ".repeat(pad))
                });
            }
            writeln!(out, "{}", parts.join("  ").trim_end())
        };
        line(&self.columns, out)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        writeln!(out, "{}", rule.join("  "))?;
        for r in &shown {
            line(r, out)?;
        }
        Ok(())
    }

    /// CSV with a header row; numbers in full precision.
    pub fn write_csv(&self, out: &mut impl Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(&self.columns)?;
        for r in &self.rows {
            w.write_record(r.iter().map(|c| match c {
                Cell::Text(s) => s.clone(),
                Cell::Number(v, _) => v.to_string(),
                Cell::Unknown => String::new(),
            }))?;
        }
        w.flush()
    }
}

/// `1234567.891` → `1,234,567.89`.
fn grouped(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

/// The columns and cells of shares: `<status>_km2` and `<status>_pct` for each
/// figure a share lists (occupied's parts after it; `unknown` where a snapshot
/// cannot tell them), `unmarked` last. A text table leaves out statuses that are
/// zero everywhere and parts unknown everywhere; CSV and JSON keep every column
/// so that files from many runs line up.
pub fn share_columns(shares: &[&Share], format: Format) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut names: Vec<Status> = Vec::new();
    for sh in shares {
        for (s, _) in sh.figures() {
            if !names.contains(&s) {
                names.push(s);
            }
        }
    }
    let shown: Vec<Status> = names
        .into_iter()
        .filter(|s| {
            format != Format::Table
                || s.as_str() == frontline::model::UNMARKED
                || shares
                    .iter()
                    .any(|sh| sh.figure(s).is_some_and(|a| a.km2 > 0.0))
        })
        .collect();
    let columns = shown
        .iter()
        .flat_map(|s| [format!("{s}_km2"), format!("{s}_pct")])
        .collect();
    let rows = shares
        .iter()
        .map(|sh| {
            shown
                .iter()
                .flat_map(|s| match sh.figure(s) {
                    Some(a) => [Cell::Number(a.km2, 2), Cell::Number(a.pct, 2)],
                    None => [Cell::Unknown, Cell::Unknown],
                })
                .collect()
        })
        .collect();
    (columns, rows)
}

/// `n` and a noun, plural unless `n` is 1: "1 snapshot", "2 snapshots".
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Writes `table` or, for JSON, `value`.
pub fn emit(
    format: Format,
    table: &Table,
    value: &impl Serialize,
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        Format::Table => table.write_text(out),
        Format::Csv => table.write_csv(out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, value)?;
            writeln!(out)
        }
    }
}

/// A writer that follows every newline with `indent`: a JSON document written
/// on its own, nested in another (its newlines are all between tokens).
pub struct Indented<W> {
    inner: W,
    indent: &'static [u8],
    /// Each write's text indented, passed on at once (stdout is line-buffered:
    /// a write per line would be a system call per line).
    text: Vec<u8>,
}

impl<W: Write> Indented<W> {
    pub fn new(inner: W, indent: &'static [u8]) -> Indented<W> {
        Indented {
            inner,
            indent,
            text: Vec::new(),
        }
    }
}

impl<W: Write> Write for Indented<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.text.clear();
        for line in buf.split_inclusive(|&b| b == b'\n') {
            self.text.extend_from_slice(line);
            if line.ends_with(b"\n") {
                self.text.extend_from_slice(self.indent);
            }
        }
        self.inner.write_all(&self.text)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document nested through `Indented` is the same text as one
    /// serialised in place.
    #[test]
    fn indented_documents_nest() {
        let inner = serde_json::json!({"a": [1, {"b": "x\ny"}], "c": []});
        let whole = serde_json::to_string_pretty(&serde_json::json!({"k": inner})).unwrap();
        let mut text = b"{\n  \"k\": ".to_vec();
        serde_json::to_writer_pretty(Indented::new(&mut text, b"  "), &inner).unwrap();
        text.extend_from_slice(b"\n}");
        assert_eq!(String::from_utf8(text).unwrap(), whole);
    }

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(count(1, "snapshot"), "1 snapshot");
        assert_eq!(count(0, "snapshot"), "0 snapshots");
        assert_eq!(count(175, "snapshot"), "175 snapshots");
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(1234567.891, 2), "1,234,567.89");
        assert_eq!(grouped(12.0, 1), "12.0");
        assert_eq!(grouped(-1234.5, 0), "-1,234");
        assert_eq!(grouped(-0.001, 2), "0.00");
    }

    #[test]
    fn text_table_aligns_numbers_right() {
        let mut t = Table::new(["region", "km²"]);
        t.rows
            .push(vec![Cell::text("Покровськ"), Cell::Number(31.2, 1)]);
        t.rows
            .push(vec![Cell::text("Donetsk Oblast"), Cell::Number(26528.0, 1)]);
        let mut out = Vec::new();
        t.write_text(&mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s.lines().nth(2).unwrap(), "Покровськ           31.2");
        assert_eq!(s.lines().nth(3).unwrap(), "Donetsk Oblast  26,528.0");
    }
}
