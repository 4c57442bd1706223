//! Time series: every snapshot's km² and % per status in a set of regions.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::measure::{Amount, Regions, ShareTable, figure_names, listed_statuses};
use crate::timeline::{Entry, LoadOptions, Timeline};
use crate::{Error, Place, Precedence, Result, Share, Snapshot, Status};

/// The shares of `regions` in every snapshot of a loaded timeline, measured in
/// parallel; an error when a region is a point.
///
/// ```
/// use frontline::timeline::{LoadOptions, Timeline, series};
/// use frontline::{import, Status};
/// let timeline = Timeline::load(&["data/snapshots"], &LoadOptions::default())?;
/// let towns = import::read_places("data/city.geojson")?;
/// let shares = series(&timeline, &towns.find("Demo City")?)?;
/// for entry in &shares {
///     println!("{}: {:.1} % occupied", entry.date, entry.value[0].pct(&Status::OCCUPIED));
/// }
/// assert_eq!(shares.len(), 2);
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when a region is a point or a measure breaks the [`Share`]
/// invariants.
pub fn series(timeline: &Timeline<Snapshot>, regions: &[&Place]) -> Result<Timeline<Vec<Share>>> {
    let prepared = Regions::new(regions)?;
    timeline.map(|e| prepared.shares(&e.value))
}

/// Loads snapshots and measures `regions` in each as it is read, keeping only the
/// shares: the way to go through hundreds of snapshots in little memory.
///
/// ```
/// use frontline::timeline::{LoadOptions, load_series};
/// use frontline::{import, Status};
/// let towns = import::read_places("data/city.geojson")?;
/// let regions: Vec<_> = towns.iter().collect();
/// let shares = load_series(&["data/snapshots"], &regions, &LoadOptions::default())?;
/// assert_eq!(shares.entries()[0].value.len(), 2);
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when a region is a point, or when the load fails (see
/// [`Timeline::load_with`]).
pub fn load_series(
    inputs: &[impl AsRef<Path>],
    regions: &[&Place],
    options: &LoadOptions,
) -> Result<Timeline<Vec<Share>>> {
    let prepared = Regions::new(regions)?;
    load_share_tables(inputs, &prepared, options)?.map(|e| Ok(e.value.shares(&prepared)))
}

/// As [`load_series`], keeping each snapshot's shares packed in a [`ShareTable`]
/// (a tenth of the memory): the way to measure thousands of regions over
/// hundreds of snapshots. Only what reaches into the regions' box is checked
/// and kept.
///
/// ```
/// use frontline::measure::Regions;
/// use frontline::timeline::{LoadOptions, load_share_tables};
/// let towns = frontline::import::read_places("data/city.geojson")?;
/// let regions = Regions::new(&towns.iter().collect::<Vec<_>>())?;
/// let tables = load_share_tables(&["data/snapshots"], &regions, &LoadOptions::default())?;
/// assert_eq!(tables.entries()[0].value.len(), 2);
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when the load fails (see [`Timeline::load_with`]) or a measure
/// breaks the [`Share`] invariants.
pub fn load_share_tables(
    inputs: &[impl AsRef<Path>],
    regions: &Regions<'_>,
    options: &LoadOptions,
) -> Result<Timeline<ShareTable>> {
    let options = options.clone().within(regions.cut_box());
    Timeline::load_in_runs(inputs, &options, || {
        // Each run of consecutive snapshots carries a region's figures over
        // where its layers did not change near it (the same tables, to the bit).
        let mut before = None;
        move |snapshot: Snapshot| {
            let (table, next) = regions.table_after(&snapshot, before.as_ref())?;
            before = Some(next);
            Ok(table)
        }
    })
}

/// Writes `v` with the shortest digits that read back as `v` and no exponent, as
/// `Display` does, from ryu's digits (three times faster; the digits JSON output
/// has too). Where two shortest forms exist the last digit may differ from
/// `Display`'s; both read back as `v`. Where ryu would write an exponent,
/// `Display` writes it.
fn display(digits: &mut ryu::Buffer, out: &mut String, v: f64) {
    if !v.is_finite() {
        let _ = write!(out, "{v}");
        return;
    }
    let text = digits.format_finite(v);
    if text.contains('e') {
        let _ = write!(out, "{v}");
    } else {
        out.push_str(text.strip_suffix(".0").unwrap_or(text));
    }
}

/// Whether two rows of figures are the same to the bit (so their text is too;
/// `0.0` and `-0.0` differ, as their text may).
fn same_bits(a: &[Option<Amount>], b: &[Option<Amount>]) -> bool {
    let bits = |x: &Option<Amount>| x.map(|a| (a.km2.to_bits(), a.pct.to_bits()));
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| bits(x) == bits(y))
}

/// A snapshot's shares as a series CSV reads them: whole, or packed.
trait SnapshotShares: Sync {
    /// How many regions.
    fn count(&self) -> usize;
    /// The statuses measured.
    fn statuses(&self) -> Vec<Status>;
    /// Region `i`'s label, id and area.
    fn region(&self, i: usize) -> (&str, Option<&str>, f64);
    /// The figures of region `i` ([`Share::figure`] of each of `figures`), into
    /// `out`; `columns`: what [`SnapshotShares::columns`] gave for `figures`.
    fn figures(
        &self,
        i: usize,
        figures: &[Status],
        columns: &[Option<usize>],
        out: &mut Vec<Option<crate::Amount>>,
    );
    /// Where `figures` are, found once per snapshot (empty: looked up by name).
    fn columns(&self, figures: &[Status]) -> Vec<Option<usize>>;
}

impl SnapshotShares for Vec<Share> {
    fn count(&self) -> usize {
        self.len()
    }
    fn statuses(&self) -> Vec<Status> {
        let mut out: Vec<Status> = Vec::new();
        for share in self {
            for (s, _) in &share.statuses {
                if !out.contains(s) {
                    out.push(s.clone());
                }
            }
        }
        out
    }
    fn region(&self, i: usize) -> (&str, Option<&str>, f64) {
        (&self[i].region, self[i].id.as_deref(), self[i].area_km2)
    }
    fn figures(
        &self,
        i: usize,
        figures: &[Status],
        _: &[Option<usize>],
        out: &mut Vec<Option<crate::Amount>>,
    ) {
        out.extend(figures.iter().map(|s| self[i].figure(s)));
    }
    fn columns(&self, _: &[Status]) -> Vec<Option<usize>> {
        Vec::new()
    }
}

/// A packed snapshot with the regions it was measured for.
struct Packed<'r, 'a>(&'r ShareTable, &'r Regions<'a>);

impl SnapshotShares for Packed<'_, '_> {
    fn count(&self) -> usize {
        self.0.len()
    }
    fn statuses(&self) -> Vec<Status> {
        self.0.statuses().to_vec()
    }
    fn region(&self, i: usize) -> (&str, Option<&str>, f64) {
        let r = &self.1.regions()[i];
        (r.label(), r.id(), r.area_km2())
    }
    fn figures(
        &self,
        i: usize,
        _: &[Status],
        columns: &[Option<usize>],
        out: &mut Vec<Option<crate::Amount>>,
    ) {
        out.extend(columns.iter().map(|c| c.map(|c| self.0.amount_at(i, c))));
    }
    fn columns(&self, figures: &[Status]) -> Vec<Option<usize>> {
        self.0.columns(figures)
    }
}

/// Writes a series as CSV: one row per snapshot and region, with
/// `date,region,id,area_km2` (`date` names the snapshot: a timeline has one per
/// date; `id`: the region's [`Place::id`]), then `<status>_km2,<status>_pct` for
/// every status met anywhere in the series (strongest first; `occupied` followed
/// by its parts `occupied_since_2014` and `occupied_since_2022`, empty where a
/// snapshot cannot tell them apart), then `unmarked_km2,unmarked_pct`. Numbers
/// are written in full precision. Each snapshot's file is in the JSON output,
/// once: a path repeated on each of a million rows made most of the file.
///
/// ```
/// use frontline::timeline::{LoadOptions, load_series, write_series_csv};
/// let towns = frontline::import::read_places("data/city.geojson")?;
/// let shares = load_series(&["data/snapshots"], &towns.find("Demo City")?, &LoadOptions::default())?;
/// let mut out = Vec::new();
/// write_series_csv(&shares, &mut out)?;
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("date,region,id,area_km2,occupied_km2,occupied_pct,"));
/// assert_eq!(text.lines().count(), 3);
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when writing to `out` fails.
pub fn write_series_csv(series: &Timeline<Vec<Share>>, out: impl Write) -> Result<()> {
    write_long_csv(series.entries(), out)
}

/// [`write_series_csv`] of packed shares, for the `regions` they were measured
/// for: the same text as of the shares unpacked. Rows are formatted on every
/// core, runs of up to 16 consecutive snapshots at a time.
///
/// ```
/// use frontline::measure::Regions;
/// use frontline::timeline::{LoadOptions, load_series, load_share_tables, write_series_csv, write_share_tables_csv};
/// let towns = frontline::import::read_places("data/city.geojson")?;
/// let places: Vec<_> = towns.iter().collect();
/// let regions = Regions::new(&places)?;
/// let tables = load_share_tables(&["data/snapshots"], &regions, &LoadOptions::default())?;
/// let (mut packed, mut whole) = (Vec::new(), Vec::new());
/// write_share_tables_csv(&tables, &regions, &mut packed)?;
/// write_series_csv(&load_series(&["data/snapshots"], &places, &LoadOptions::default())?, &mut whole)?;
/// assert_eq!(packed, whole);
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when writing to `out` fails, or when a table holds another number
/// of regions than `regions`.
pub fn write_share_tables_csv(
    series: &Timeline<ShareTable>,
    regions: &Regions<'_>,
    out: impl Write,
) -> Result<()> {
    of_regions(series, regions)?;
    let packed: Vec<Entry<Packed<'_, '_>>> = series
        .entries()
        .iter()
        .map(|e| Entry {
            date: e.date,
            path: PathBuf::new(),
            report: Default::default(),
            fingerprint: e.fingerprint,
            value: Packed(&e.value, regions),
        })
        .collect();
    write_long_csv(&packed, out)
}

/// Tables measured for other regions would be labelled wrongly: refused.
fn of_regions(series: &Timeline<ShareTable>, regions: &Regions<'_>) -> Result<()> {
    match series
        .iter()
        .find(|e| e.value.len() != regions.regions().len())
    {
        Some(e) => Err(Error::Invalid(format!(
            "the shares of {} are of {} regions, not the {} given",
            e.date,
            e.value.len(),
            regions.regions().len()
        ))),
        None => Ok(()),
    }
}

/// Writes packed share tables as the pretty JSON of the shares unpacked, the
/// same text as `serde_json::to_writer_pretty` of the [`Timeline`] of each
/// table's [`ShareTable::shares`], without holding them: a whole archive of
/// every hromada is a gigabyte of text. Snapshots are unpacked and written on
/// every core, a few at a time, in order.
///
/// ```
/// use frontline::measure::Regions;
/// use frontline::timeline::{LoadOptions, load_series, load_share_tables, write_share_tables_json};
/// let towns = frontline::import::read_places("data/city.geojson")?;
/// let places: Vec<_> = towns.iter().collect();
/// let regions = Regions::new(&places)?;
/// let tables = load_share_tables(&["data/snapshots"], &regions, &LoadOptions::default())?;
/// let mut packed = Vec::new();
/// write_share_tables_json(&tables, &regions, &mut packed)?;
/// let whole = load_series(&["data/snapshots"], &places, &LoadOptions::default())?;
/// assert_eq!(packed, serde_json::to_vec_pretty(&whole).unwrap());
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when writing to `out` fails, or when a table holds another number
/// of regions than `regions`.
pub fn write_share_tables_json(
    series: &Timeline<ShareTable>,
    regions: &Regions<'_>,
    mut out: impl Write,
) -> Result<()> {
    of_regions(series, regions)?;
    let io = |e: std::io::Error| Error::Invalid(format!("cannot write the series: {e}"));
    let entries = series.entries();
    if entries.is_empty() {
        return out.write_all(b"{\n  \"entries\": []\n}").map_err(io);
    }
    out.write_all(b"{\n  \"entries\": [\n").map_err(io)?;
    // Each entry as serde_json writes it on its own, indented two levels: JSON
    // text has a newline only between tokens (never inside a string).
    const INDENT: &[u8] = b"    ";
    let threads = rayon::current_num_threads();
    for (k, batch) in entries.chunks(4 * threads).enumerate() {
        let texts: Vec<Result<Vec<u8>>> = batch
            .par_iter()
            .map(|e| {
                let entry = Entry {
                    date: e.date,
                    path: e.path.clone(),
                    report: Default::default(),
                    fingerprint: e.fingerprint,
                    value: e.value.shares(regions),
                };
                let text = serde_json::to_vec_pretty(&entry)
                    .map_err(|e| Error::Invalid(format!("cannot write the series: {e}")))?;
                let mut indented = Vec::with_capacity(text.len() + text.len() / 4);
                indented.extend_from_slice(INDENT);
                for line in text.split_inclusive(|&b| b == b'\n') {
                    indented.extend_from_slice(line);
                    if line.ends_with(b"\n") {
                        indented.extend_from_slice(INDENT);
                    }
                }
                Ok(indented)
            })
            .collect();
        for (i, text) in texts.into_iter().enumerate() {
            if k + i > 0 {
                out.write_all(b",\n").map_err(io)?;
            }
            out.write_all(&text?).map_err(io)?;
        }
    }
    out.write_all(b"\n  ]\n}").map_err(io)?;
    out.flush().map_err(io)
}

/// A region's label, id and area (its bits), and the three as CSV fields.
struct Quoted {
    label: String,
    id: Option<String>,
    area: u64,
    fields: Vec<u8>,
}

fn write_long_csv<T: SnapshotShares>(entries: &[Entry<T>], mut out: impl Write) -> Result<()> {
    let mut statuses: Vec<Status> = Vec::new();
    for e in entries {
        for s in e.value.statuses() {
            if !statuses.contains(&s) {
                statuses.push(s);
            }
        }
    }
    let figures = figure_names(listed_statuses(statuses));
    let failed = |e: csv::Error| Error::Invalid(format!("cannot write the series: {e}"));
    let mut header: Vec<String> = ["date", "region", "id", "area_km2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for s in &figures {
        header.push(format!("{s}_km2"));
        header.push(format!("{s}_pct"));
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).map_err(failed)?;
    let text = w.into_inner().map_err(|e| failed(e.into_error().into()))?;
    let io = |e: std::io::Error| Error::Invalid(format!("cannot write the series: {e}"));
    out.write_all(&text).map_err(io)?;
    // A region's label, id and area are the same on every row of it: quoted
    // once (as the csv crate quotes them), where the first snapshot has them.
    let encoded = |fields: &[&str]| -> Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(fields).map_err(failed)?;
        let mut text = w.into_inner().map_err(|e| failed(e.into_error().into()))?;
        text.pop(); // the record's terminator
        Ok(text)
    };
    let region_fields = |r: (&str, Option<&str>, f64)| -> Result<Vec<u8>> {
        let mut area = String::new();
        display(&mut ryu::Buffer::new(), &mut area, r.2);
        encoded(&[r.0, r.1.unwrap_or_default(), &area])
    };
    let first: Vec<Quoted> = match entries.first() {
        Some(e) => (0..e.value.count())
            .into_par_iter()
            .map(|i| {
                let r = e.value.region(i);
                Ok(Quoted {
                    label: r.0.to_string(),
                    id: r.1.map(str::to_string),
                    area: r.2.to_bits(),
                    fields: region_fields(r)?,
                })
            })
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    // Formatted in parallel a few snapshots at a time, written in order: the
    // text of a whole archive is never held at once. Numbers need no quoting.
    // A region's figures mostly stand from one snapshot to the next (a series
    // carries them where the front did not move near it), so each worker formats
    // a run of consecutive snapshots in order and reuses the text of a region's
    // figures where they are, to the bit, those of the snapshot before.
    let threads = rayon::current_num_threads();
    for batch in entries.chunks(16 * threads) {
        let run_length = batch.len().div_ceil(threads).clamp(1, 16);
        let texts: Vec<Result<Vec<u8>>> = batch
            .par_chunks(run_length)
            .map(|run| {
                let mut text = Vec::new();
                let mut number = String::new();
                let mut digits = ryu::Buffer::new();
                // Per region: its figures in the snapshot before, and their text.
                let mut before: Vec<(Vec<Option<Amount>>, Vec<u8>)> = Vec::new();
                let mut amounts = Vec::with_capacity(figures.len());
                for e in run {
                    let date = encoded(&[&e.date.to_rfc3339()])?;
                    let columns = e.value.columns(&figures);
                    before.resize_with(e.value.count(), Default::default);
                    for (i, (figures_before, figures_text)) in before.iter_mut().enumerate() {
                        let r = e.value.region(i);
                        text.extend_from_slice(&date);
                        text.push(b',');
                        match first.get(i) {
                            Some(q)
                                if q.label == r.0
                                    && q.id.as_deref() == r.1
                                    && q.area == r.2.to_bits() =>
                            {
                                text.extend_from_slice(&q.fields)
                            }
                            _ => text.extend_from_slice(&region_fields(r)?),
                        }
                        amounts.clear();
                        e.value.figures(i, &figures, &columns, &mut amounts);
                        if !same_bits(&amounts, figures_before) {
                            figures_text.clear();
                            for amount in &amounts {
                                match amount {
                                    Some(a) => {
                                        for v in [a.km2, a.pct] {
                                            number.clear();
                                            display(&mut digits, &mut number, v);
                                            figures_text.push(b',');
                                            figures_text.extend_from_slice(number.as_bytes());
                                        }
                                    }
                                    None => figures_text.extend_from_slice(b",,"),
                                }
                            }
                            figures_before.clone_from(&amounts);
                        }
                        text.extend_from_slice(figures_text);
                        text.push(b'\n');
                    }
                }
                Ok(text)
            })
            .collect();
        for text in texts {
            let text: Vec<u8> = text?;
            out.write_all(&text).map_err(io)?;
        }
    }
    out.flush().map_err(io)
}

/// The columns of a wide series: for each region (in their order; a name met
/// twice gets ` (2)`, ...) and each status met anywhere in the series (strongest
/// first, then `unmarked`), `<region>_<status>_pct`.
fn wide_columns(series: &Timeline<Vec<Share>>) -> (Vec<String>, Vec<Status>) {
    let mut statuses: Vec<Status> = Vec::new();
    for e in series {
        for share in &e.value {
            for (s, _) in &share.statuses {
                if !statuses.contains(s) {
                    statuses.push(s.clone());
                }
            }
        }
    }
    Precedence::default().sort(&mut statuses);
    let mut regions: Vec<String> = Vec::new();
    if let Some(e) = series.entries().first() {
        for share in &e.value {
            let mut name = share.region.clone();
            let mut n = 1;
            while regions.contains(&name) {
                n += 1;
                name = format!("{} ({n})", share.region);
            }
            regions.push(name);
        }
    }
    (regions, statuses)
}

/// Writes a series as wide CSV, the layout Datawrapper and Flourish chart
/// directly: one row per snapshot, first `date` (`YYYY-MM-DD`, or RFC 3339 when
/// two snapshots share a day), then one column per region and status,
/// `<region>_<status>_pct` (every status met in the series, strongest first,
/// occupied followed by its parts since 2014 and since 2022, empty where a
/// snapshot cannot tell them, then `unmarked`), the % of the region's area, in
/// full precision.
///
/// ```
/// use frontline::timeline::{LoadOptions, load_series, write_series_wide_csv};
/// let towns = frontline::import::read_places("data/city.geojson")?;
/// let regions: Vec<_> = towns.iter().collect();
/// let shares = load_series(&["data/snapshots"], &regions, &LoadOptions::default())?;
/// let mut out = Vec::new();
/// write_series_wide_csv(&shares, &mut out)?;
/// let text = String::from_utf8(out).unwrap();
/// let header = text.lines().next().unwrap();
/// assert!(header.starts_with("date,Demo City_occupied_pct,Demo City_occupied_since_2014_pct,"), "{header}");
/// assert_eq!(text.lines().count(), 3); // header and two dates
/// assert!(text.lines().nth(1).unwrap().starts_with("2025-06-01,"));
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when writing to `out` fails, or when the snapshots do not all
/// measure the same number of regions.
pub fn write_series_wide_csv(series: &Timeline<Vec<Share>>, out: impl Write) -> Result<()> {
    let (regions, statuses) = wide_columns(series);
    let figures = figure_names(statuses);
    let failed = |e: csv::Error| Error::Invalid(format!("cannot write the series: {e}"));
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["date".to_string()];
    for r in &regions {
        for s in &figures {
            header.push(format!("{r}_{s}_pct"));
        }
    }
    w.write_record(&header).map_err(failed)?;
    let days: Vec<_> = series.iter().map(|e| e.date.date_naive()).collect();
    let same_day = days.windows(2).any(|d| d[0] == d[1]);
    for e in series {
        let mut row = vec![if same_day {
            e.date.to_rfc3339()
        } else {
            e.date.format("%Y-%m-%d").to_string()
        }];
        for (i, _) in regions.iter().enumerate() {
            let Some(share) = e.value.get(i) else {
                return Err(Error::Invalid(format!(
                    "the snapshot of {} has {} regions measured, not {}",
                    e.date,
                    e.value.len(),
                    regions.len()
                )));
            };
            for s in &figures {
                row.push(share.figure(s).map_or(String::new(), |a| a.pct.to_string()));
            }
        }
        w.write_record(&row).map_err(failed)?;
    }
    w.flush()
        .map_err(|e| Error::Invalid(format!("cannot write the series: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows are written without the csv crate's writer, each region's fields
    /// quoted once: the bytes are still what that writer writes, for labels
    /// that need quoting too, and for a region whose label changes.
    #[test]
    fn series_csv_is_what_the_csv_writer_writes() {
        let text = r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "Demo, \"the\" city\nnorth", "id": "a,1"},
             "geometry": {"type": "Polygon", "coordinates": [[[37.4, 48.2], [37.7, 48.2], [37.7, 48.4], [37.4, 48.4], [37.4, 48.2]]]}},
            {"type": "Feature", "properties": {"name": "Plain"},
             "geometry": {"type": "Polygon", "coordinates": [[[37.0, 48.0], [37.2, 48.0], [37.2, 48.1], [37.0, 48.1], [37.0, 48.0]]]}}
        ]}"#;
        let places = crate::import::parse_places(text, "towns.geojson").unwrap();
        let places: Vec<&Place> = places.iter().collect();
        let mut series =
            crate::timeline::load_series(&["data/snapshots"], &places, &Default::default())
                .unwrap();
        assert!(series.entries().len() >= 2);
        // The second snapshot's first region under another label.
        series.entries[1].value[0].region = "Renamed \"x\"".into();
        let mut out = Vec::new();
        write_series_csv(&series, &mut out).unwrap();
        let mut reader = csv::ReaderBuilder::new().from_reader(&out[..]);
        let mut again = csv::Writer::from_writer(Vec::new());
        again.write_record(reader.headers().unwrap()).unwrap();
        let mut labels = Vec::new();
        for record in reader.records() {
            let record = record.unwrap();
            labels.push(record[1].to_string());
            again.write_record(&record).unwrap();
        }
        assert_eq!(
            String::from_utf8(again.into_inner().unwrap()).unwrap(),
            String::from_utf8(out).unwrap()
        );
        assert_eq!(labels[0], "Demo, \"the\" city\nnorth");
        assert_eq!(labels[2], "Renamed \"x\"");
        assert_eq!(labels[3], "Plain");
    }

    /// A region's figures are formatted once and reused while they stand, over
    /// runs of consecutive snapshots: the rows of a long series are those of
    /// each snapshot written alone, where figures change on some days, change
    /// back, or turn from 0 to -0.
    #[test]
    fn reused_figures_are_those_of_each_snapshot_alone() {
        let towns = crate::import::read_places("data/city.geojson").unwrap();
        let towns: Vec<&Place> = towns.iter().collect();
        let base =
            crate::timeline::load_series(&["data/snapshots"], &towns, &Default::default()).unwrap();
        let n = base.entries.len();
        let mut series = base.clone();
        // Each snapshot stands four days; on some, one figure of one region
        // moves (a percentage alone, or a zero turning to -0).
        series.entries = (0..100)
            .map(|k| {
                let mut e = base.entries[(k / 4) % n].clone();
                e.date += chrono::Duration::days(k as i64);
                if k % 7 == 3 {
                    e.value[0].statuses[0].1.pct += 1e-9;
                }
                if k % 5 == 2 {
                    let zero = e.value[0]
                        .statuses
                        .iter_mut()
                        .map(|(_, a)| a)
                        .find(|a| a.km2 == 0.0)
                        .expect("a status with no ground");
                    zero.km2 = -0.0;
                }
                e
            })
            .collect();
        let mut whole = Vec::new();
        write_series_csv(&series, &mut whole).unwrap();
        let mut alone = Vec::new();
        for (k, e) in series.entries.iter().enumerate() {
            let mut one = series.clone();
            one.entries = vec![e.clone()];
            let mut text = Vec::new();
            write_series_csv(&one, &mut text).unwrap();
            let body = text.iter().position(|&b| b == b'\n').unwrap() + 1;
            if k == 0 {
                alone.extend_from_slice(&text[..body]);
            }
            alone.extend_from_slice(&text[body..]);
        }
        assert_eq!(
            String::from_utf8(whole).unwrap(),
            String::from_utf8(alone).unwrap()
        );
    }

    /// The fast path writes the shortest digits that read back as the value,
    /// without an exponent, as `Display` does (where two shortest forms exist,
    /// the last digit may differ).
    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let mut digits = ryu::Buffer::new();
        let mut rng = 0x853c_49e6_748f_ea9b_u64;
        let mut values = vec![
            0.0,
            -0.0,
            100.0,
            1.0,
            0.1,
            1e-7,
            1e-300,
            1e21,
            1e16,
            123456789.0,
            5e-324,
        ];
        for _ in 0..200_000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let v = f64::from_bits(rng);
            if v.is_finite() {
                values.push(v);
            }
            values
                .push((rng >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((rng % 12) as i32 - 3));
        }
        let mut out = String::new();
        for v in values {
            out.clear();
            display(&mut digits, &mut out, v);
            assert!(!out.contains('e'), "{out}");
            assert_eq!(out.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{out}");
            // As short as `Display`'s: both are shortest forms.
            let significant = |t: &str| {
                t.trim_start_matches(['-', '0', '.'])
                    .replace('.', "")
                    .trim_end_matches('0')
                    .len()
            };
            let display = v.to_string();
            assert_eq!(significant(&out), significant(&display), "{out} {display}");
        }
    }
}
