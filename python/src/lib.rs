//! `frontline._frontline`: the extension module of the Python package `frontline`
//! (`python/frontline/`), a thin layer over the frontline crate.
//!
//! Each function here takes its arguments through [`convert`], calls the crate
//! with the GIL released (`Python::detach`), and hands the result back through
//! [`convert`]. The Python package builds DataFrames and GeoDataFrames from what
//! comes back and checks GeoDataFrames (CRS, geometry column) before they get
//! here; no measure is made anywhere but in the crate.

mod convert;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use frontline::import::{self, ImportReport};
use frontline::measure::Regions;
use frontline::model::UNMARKED;
use frontline::proximity::{Front, FrontOptions, ProximityIndex};
use frontline::timeline::{self, Issue, LoadOptions, Timeline};
use frontline::{Error, Place, Places, Snapshot, Status};

use convert::{error, invalid};

/// Places (regions, towns, outlines) read from a file or made from WKB.
#[pyclass(frozen, module = "frontline._frontline")]
struct RawPlaces {
    places: Places,
}

impl RawPlaces {
    /// The places at `indices` (all of them for `None`); an error for an index
    /// out of range.
    fn select(&self, indices: Option<Vec<usize>>) -> PyResult<Vec<&Place>> {
        let all: Vec<&Place> = self.places.iter().collect();
        match indices {
            None => Ok(all),
            Some(indices) => indices
                .into_iter()
                .map(|i| {
                    all.get(i)
                        .copied()
                        .ok_or_else(|| invalid(format!("no region {i}: there are {}", all.len())))
                })
                .collect(),
        }
    }

    /// The union of their polygons, for an area of interest (as the CLI's `--aoi`).
    fn outline(&self) -> PyResult<geo::MultiPolygon<f64>> {
        self.places.union().ok_or_else(|| {
            error(Error::format(
                self.places.path(),
                "no polygon to use as an outline",
            ))
        })
    }
}

#[pymethods]
impl RawPlaces {
    fn __len__(&self) -> usize {
        self.places.len()
    }

    /// What they were read from (a file, or the label given).
    fn path(&self) -> String {
        self.places.path().display().to_string()
    }

    /// Each place's label (`name:en`, else `name`), in order.
    fn labels(&self) -> Vec<String> {
        self.places.iter().map(|p| p.label().to_string()).collect()
    }

    /// Repairs made while reading them.
    fn warnings(&self) -> Vec<String> {
        self.places.warnings().to_vec()
    }

    /// The positions of the places named `names` (any `name`, `name:*` or
    /// `alternatenames`, case-insensitive), name after name, as the CLI's
    /// `--name`; `UnknownNameError` listing close names for a name none has.
    fn find(&self, names: Vec<String>) -> PyResult<Vec<usize>> {
        let mut found = Vec::new();
        for name in &names {
            for place in self.places.find(name).map_err(error)? {
                if let Some(i) = self.places.iter().position(|p| std::ptr::eq(p, place)) {
                    found.push(i);
                }
            }
        }
        Ok(found)
    }

    /// Each place's interior point (the point itself for a point; NaN for an
    /// empty area): longitudes and latitudes as bytes of f64.
    fn points<'py>(&self, py: Python<'py>) -> (Bound<'py, PyBytes>, Bound<'py, PyBytes>) {
        let points: Vec<Option<geo::Point<f64>>> =
            py.detach(|| self.places.iter().map(Place::interior_point).collect());
        (
            convert::float_bytes(py, points.iter().map(|p| p.map_or(f64::NAN, |p| p.x()))),
            convert::float_bytes(py, points.iter().map(|p| p.map_or(f64::NAN, |p| p.y()))),
        )
    }

    /// The same places identified by property `id` (as `--id`: an error naming
    /// a feature without it, or two that share it) and labelled in language
    /// `lang` (`--lang`: `name:<lang>`, else `name`).
    #[pyo3(signature = (id=None, lang=None))]
    fn configured(&self, id: Option<&str>, lang: Option<&str>) -> PyResult<RawPlaces> {
        let mut places = self.places.clone();
        if let Some(property) = id {
            places = places.identify_by(property).map_err(error)?;
        }
        if let Some(lang) = lang {
            places = places.with_language(lang);
        }
        Ok(RawPlaces { places })
    }

    /// Each place's id (a unique id property, the feature id, or its index).
    fn ids(&self) -> Vec<Option<String>> {
        self.places
            .iter()
            .map(|p| p.id().map(str::to_string))
            .collect()
    }

    /// Each place's properties, as a JSON array of objects.
    fn properties_json(&self) -> String {
        let rows: Vec<&serde_json::Map<String, serde_json::Value>> =
            self.places.iter().map(|p| &p.properties).collect();
        serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into())
    }

    /// Each place's geometry as WKB: a MultiPolygon for an area, a Point.
    fn wkb<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyBytes>> {
        let encoded: Vec<Vec<u8>> = py.detach(|| {
            self.places
                .iter()
                .map(|p| match &p.geometry {
                    frontline::PlaceGeometry::Area(a) => frontline::formats::to_wkb(a),
                    frontline::PlaceGeometry::Point(pt) => frontline::formats::to_wkb(pt),
                })
                .collect()
        });
        encoded.iter().map(|b| PyBytes::new(py, b)).collect()
    }
}

/// Where a snapshot lives: read on its own, or one entry of a loaded timeline
/// (shared, not copied).
enum Held {
    Own(Box<Snapshot>, ImportReport),
    Entry(Arc<Timeline>, usize),
}

/// One dated map's zones, resolved into layers on first use.
#[pyclass(frozen, module = "frontline._frontline")]
struct RawSnapshot {
    held: Held,
    source: Option<&'static str>,
    index: OnceLock<ProximityIndex>,
}

impl RawSnapshot {
    fn new(held: Held, source: Option<&'static str>) -> RawSnapshot {
        RawSnapshot {
            held,
            source,
            index: OnceLock::new(),
        }
    }

    fn snapshot(&self) -> &Snapshot {
        match &self.held {
            Held::Own(s, _) => s,
            Held::Entry(t, i) => &t.entries()[*i].value,
        }
    }

    fn report(&self) -> &ImportReport {
        match &self.held {
            Held::Own(_, r) => r,
            Held::Entry(t, i) => &t.entries()[*i].report,
        }
    }

    /// The index for point queries, built on first use and kept.
    fn index(&self) -> &ProximityIndex {
        self.index
            .get_or_init(|| ProximityIndex::new(self.snapshot()))
    }

    /// Front options from an area of interest and a tolerance.
    fn front_options(aoi: Option<&RawPlaces>, tolerance_m: f64) -> PyResult<FrontOptions> {
        let mut options = FrontOptions::default().tolerance_m(tolerance_m);
        if let Some(aoi) = aoi {
            options = options.within(aoi.outline()?);
        }
        Ok(options)
    }

    /// Categories of statuses at points: the snapshot's statuses, then unmarked.
    fn categories(&self) -> Vec<Status> {
        let mut all = self.snapshot().statuses();
        for s in self.index().statuses() {
            if !all.contains(s) {
                all.push(s.clone());
            }
        }
        all
    }
}

fn code_of(categories: &[Status], status: Option<&Status>) -> i32 {
    // Unmarked is the last category, after every status.
    status
        .and_then(|s| categories.iter().position(|c| c == s))
        .unwrap_or(categories.len()) as i32
}

fn category_names(categories: &[Status]) -> Vec<String> {
    categories
        .iter()
        .map(|s| s.to_string())
        .chain(std::iter::once(UNMARKED.to_string()))
        .collect()
}

#[pymethods]
impl RawSnapshot {
    /// When the map was published: ns since the epoch, or None.
    fn date_ns(&self) -> Option<i64> {
        self.snapshot().date().map(convert::nanos)
    }

    /// The file it was read from.
    fn path(&self) -> String {
        match &self.held {
            Held::Own(_, r) => r.path.display().to_string(),
            Held::Entry(t, i) => t.entries()[*i].path.display().to_string(),
        }
    }

    /// The kind of file, when known.
    fn source(&self) -> Option<&'static str> {
        self.source
    }

    /// The import report as JSON.
    fn report_json(&self) -> String {
        serde_json::to_string(self.report()).unwrap_or_else(|_| "{}".into())
    }

    /// Repairs made while reading it.
    fn warnings(&self) -> Vec<String> {
        self.report().warnings.clone()
    }

    /// Its notices and unclassified polygons, as the CLI warns of them.
    fn doubts(&self) -> Vec<String> {
        self.report().doubts()
    }

    /// Every status a measure lists, strongest first.
    fn statuses(&self) -> Vec<String> {
        self.snapshot()
            .statuses()
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// Shares of the places at `indices` (all for None) as columns.
    #[pyo3(signature = (places, indices=None))]
    fn share<'py>(
        &self,
        py: Python<'py>,
        places: &RawPlaces,
        indices: Option<Vec<usize>>,
    ) -> PyResult<Bound<'py, pyo3::types::PyList>> {
        let selected = places.select(indices)?;
        let snapshot = self.snapshot();
        let shares = py
            .detach(|| {
                let regions = Regions::new(&selected).map_err(|e| {
                    Error::Invalid(format!("{}: {e}", places.places.path().display()))
                })?;
                regions.shares(snapshot)
            })
            .map_err(error)?;
        convert::share_columns(py, &shares, &snapshot.statuses())
    }

    /// km² of each layer, strongest first, the parts of occupied after it.
    fn totals(&self, py: Python<'_>) -> Vec<(String, f64)> {
        let snapshot = self.snapshot();
        // NaN for the parts of occupied where the snapshot cannot tell them.
        py.detach(|| {
            snapshot
                .total_figures()
                .into_iter()
                .map(|(s, km2)| (s.to_string(), km2.unwrap_or(f64::NAN)))
                .collect()
        })
    }

    /// The status at each point: codes (bytes of i32) into the categories.
    fn status_at<'py>(
        &self,
        py: Python<'py>,
        lon: &[u8],
        lat: &[u8],
    ) -> PyResult<(Bound<'py, PyBytes>, Vec<String>)> {
        let points = convert::points(lon, lat)?;
        let (codes, categories) = py
            .detach(|| {
                let categories = self.categories();
                let found = self.index().statuses_at(&points)?;
                let codes: Vec<i32> = found.iter().map(|s| code_of(&categories, *s)).collect();
                Ok::<_, Error>((codes, categories))
            })
            .map_err(error)?;
        Ok((convert::int_bytes(py, codes), category_names(&categories)))
    }

    /// Each point's status and its nearest point of the front (or of `status`):
    /// columns as bytes, distances NaN where there is nothing to measure to.
    #[pyo3(signature = (lon, lat, status=None, aoi=None, tolerance_m=1000.0))]
    fn near<'py>(
        &self,
        py: Python<'py>,
        lon: &[u8],
        lat: &[u8],
        status: Option<&str>,
        aoi: Option<&RawPlaces>,
        tolerance_m: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let points = convert::points(lon, lat)?;
        let status: Option<Status> = status.map(str::parse).transpose().map_err(error)?;
        let options = match status {
            Some(_) => None,
            None => Some(RawSnapshot::front_options(aoi, tolerance_m)?),
        };
        let snapshot = self.snapshot();
        let (codes, categories, nearest) = py
            .detach(|| {
                let categories = self.categories();
                let index = self.index();
                let codes: Vec<i32> = index
                    .statuses_at(&points)?
                    .iter()
                    .map(|s| code_of(&categories, *s))
                    .collect();
                let front = options.map(|o| Front::derive(snapshot, &o)).transpose()?;
                let nearest = points
                    .iter()
                    .map(|p| match (&status, &front) {
                        (Some(s), _) => index.nearest(*p, s),
                        (None, Some(f)) => f.nearest(*p),
                        (None, None) => Ok(None),
                    })
                    .collect::<frontline::Result<Vec<_>>>()?;
                Ok::<_, Error>((codes, categories, nearest))
            })
            .map_err(error)?;
        let out = PyDict::new(py);
        out.set_item("status", convert::int_bytes(py, codes))?;
        out.set_item("categories", category_names(&categories))?;
        let part = |f: fn(&frontline::proximity::Nearest) -> f64| {
            convert::float_bytes(py, nearest.iter().map(|n| n.as_ref().map_or(f64::NAN, f)))
        };
        out.set_item("distance_km", part(|n| n.km))?;
        out.set_item("nearest_lon", part(|n| n.point.x()))?;
        out.set_item("nearest_lat", part(|n| n.point.y()))?;
        Ok(out)
    }

    /// The front line and the grey zone's edges, as WKB with their lengths.
    #[pyo3(signature = (aoi=None, tolerance_m=1000.0))]
    fn front<'py>(
        &self,
        py: Python<'py>,
        aoi: Option<&RawPlaces>,
        tolerance_m: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let options = RawSnapshot::front_options(aoi, tolerance_m)?;
        let snapshot = self.snapshot();
        let lines = py
            .detach(|| {
                let front = Front::derive(snapshot, &options)?;
                Ok::<_, Error>([
                    (
                        "line",
                        frontline::formats::to_wkb(front.line()),
                        front.length_km(),
                    ),
                    (
                        "grey_occupied",
                        frontline::formats::to_wkb(front.grey_occupied()),
                        front.grey_occupied_km(),
                    ),
                    (
                        "grey_rest",
                        frontline::formats::to_wkb(front.grey_rest()),
                        front.grey_rest_km(),
                    ),
                ])
            })
            .map_err(error)?;
        let out = PyDict::new(py);
        for (name, wkb, km) in lines {
            out.set_item(name, PyBytes::new(py, &wkb))?;
            out.set_item(format!("{name}_km"), km)?;
        }
        Ok(out)
    }

    /// The resolved layers: status, WKB and km² each, strongest first.
    fn layers<'py>(&self, py: Python<'py>) -> Vec<(String, Bound<'py, PyBytes>, f64)> {
        let snapshot = self.snapshot();
        let layers: Vec<(String, Vec<u8>, f64)> = py.detach(|| {
            snapshot
                .layers()
                .iter()
                .map(|l| {
                    (
                        l.status().to_string(),
                        frontline::formats::to_wkb(l.geometry()),
                        l.area_km2(),
                    )
                })
                .collect()
        });
        layers
            .into_iter()
            .map(|(s, wkb, km2)| (s, PyBytes::new(py, &wkb), km2))
            .collect()
    }
}

/// Dated snapshots from files, directories, globs or store files; loaded whole
/// on first need, or streamed through a series.
#[pyclass(frozen, module = "frontline._frontline")]
struct RawTimeline {
    inputs: Vec<PathBuf>,
    files: Vec<PathBuf>,
    source: Option<import::Source>,
    strict: bool,
    loaded: OnceLock<Arc<Timeline>>,
}

impl RawTimeline {
    fn options(&self, progress: Option<Py<PyAny>>) -> LoadOptions {
        let mut options = LoadOptions::default()
            .source(self.source.clone())
            .strict(self.strict);
        if let Some(callback) = progress {
            // Called from the worker threads, which take the GIL for the moment
            // of the call (the caller's thread has released it).
            options = options.progress(Arc::new(move |_| {
                Python::attach(|py| {
                    // A failing progress bar must not stop the work.
                    let _ = callback.call1(py, (1,));
                })
            }));
        }
        options
    }

    fn timeline(&self) -> PyResult<&Arc<Timeline>> {
        self.loaded
            .get()
            .ok_or_else(|| invalid("the timeline is not loaded: call load() first"))
    }
}

fn issue_texts(issues: &[Issue]) -> Vec<String> {
    issues.iter().map(Issue::to_string).collect()
}

#[pymethods]
impl RawTimeline {
    #[new]
    #[pyo3(signature = (inputs, source=None, strict=false))]
    fn new(inputs: Vec<PathBuf>, source: Option<&str>, strict: bool) -> PyResult<RawTimeline> {
        let source = convert::source(source, None, None)?;
        if matches!(source, Some(import::Source::Generic(_))) {
            return Err(invalid(
                "generic zone files are not supported in a timeline yet; use source='deepstate' \
                 or 'occupied', or none",
            ));
        }
        let files = timeline::snapshot_files(&inputs).map_err(error)?;
        Ok(RawTimeline {
            inputs,
            files,
            source,
            strict,
            loaded: OnceLock::new(),
        })
    }

    /// The files it reads, sorted.
    fn files(&self) -> Vec<String> {
        self.files.iter().map(|p| p.display().to_string()).collect()
    }

    fn is_loaded(&self) -> bool {
        self.loaded.get().is_some()
    }

    /// Loads every snapshot (once); returns what was skipped or dropped, and the
    /// files' notices.
    #[pyo3(signature = (progress=None))]
    fn load(&self, py: Python<'_>, progress: Option<Py<PyAny>>) -> PyResult<Vec<String>> {
        if let Some(t) = self.loaded.get() {
            return Ok(issue_texts(t.issues()));
        }
        let options = self.options(progress);
        let loaded = py
            .detach(|| Timeline::load(&self.inputs, &options))
            .map_err(error)?;
        let mut issues = issue_texts(loaded.issues());
        issues.extend(loaded.iter().flat_map(|e| e.report.doubts()));
        // Two threads loading at once: the first one kept, both equal.
        let _ = self.loaded.set(Arc::new(loaded));
        Ok(issues)
    }

    fn __len__(&self) -> PyResult<usize> {
        Ok(self.timeline()?.len())
    }

    /// Each snapshot's date (ns) and file.
    fn entries(&self) -> PyResult<Vec<(i64, String)>> {
        Ok(self
            .timeline()?
            .iter()
            .map(|e| (convert::nanos(e.date), e.path.display().to_string()))
            .collect())
    }

    /// The snapshot at position `i`.
    fn entry(&self, i: usize) -> PyResult<RawSnapshot> {
        let t = self.timeline()?;
        if i >= t.len() {
            return Err(invalid(format!("no snapshot {i}: there are {}", t.len())));
        }
        Ok(RawSnapshot::new(Held::Entry(Arc::clone(t), i), None))
    }

    /// The latest snapshot at or before `when` (`YYYY-MM-DD`, the whole day, or
    /// RFC 3339): its position.
    fn as_of(&self, when: &str) -> PyResult<usize> {
        let t = self.timeline()?;
        let when = timeline::parse_date(when, true).map_err(error)?;
        let found = t.as_of(when).map_err(error)?;
        t.iter()
            .position(|e| std::ptr::eq(e, found))
            .ok_or_else(|| invalid("the snapshot found is not in the timeline"))
    }

    /// Shares of the places at `indices` (all for None) in every snapshot from
    /// `start` to `end` (inclusive; `YYYY-MM-DD` or RFC 3339), in long form; with
    /// the issues met. Streams from the files, reading only the zones near the
    /// regions, unless the timeline is loaded.
    #[pyo3(signature = (places, indices=None, start=None, end=None, progress=None))]
    fn series<'py>(
        &self,
        py: Python<'py>,
        places: &RawPlaces,
        indices: Option<Vec<usize>>,
        start: Option<&str>,
        end: Option<&str>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<(Bound<'py, PyDict>, Vec<String>)> {
        let from = start
            .map(|d| timeline::parse_date(d, false))
            .transpose()
            .map_err(error)?;
        let to = end
            .map(|d| timeline::parse_date(d, true))
            .transpose()
            .map_err(error)?;
        let selected = places.select(indices)?;
        let options = self.options(progress);
        let loaded = self.loaded.get();
        let series = py
            .detach(|| {
                let mut series = match loaded {
                    Some(t) => timeline::series(t, &selected)?,
                    None => timeline::load_series(&self.inputs, &selected, &options)?,
                };
                series.retain_range(from, to)?;
                Ok::<_, Error>(series)
            })
            .map_err(error)?;
        let columns = convert::series_columns(py, &series)?;
        let mut issues = issue_texts(series.issues());
        issues.extend(series.iter().flat_map(|e| e.report.doubts()));
        Ok((columns, issues))
    }
}

/// Reads a zone file (GIL released).
#[pyfunction]
#[pyo3(signature = (path, source=None, status_property=None, status_map=None))]
fn read_zones(
    py: Python<'_>,
    path: PathBuf,
    source: Option<&str>,
    status_property: Option<String>,
    status_map: Option<Vec<(String, String)>>,
) -> PyResult<RawSnapshot> {
    let source = convert::source(source, status_property, status_map)?;
    let import = py
        .detach(|| import::read_zones(&path, source.as_ref()))
        .map_err(error)?;
    Ok(RawSnapshot::new(
        Held::Own(Box::new(import.snapshot), import.report),
        Some(convert::source_name(&import.source)),
    ))
}

/// Reads a place file (GIL released).
#[pyfunction]
fn read_places(py: Python<'_>, path: PathBuf) -> PyResult<RawPlaces> {
    let places = py.detach(|| import::read_places(&path)).map_err(error)?;
    Ok(RawPlaces { places })
}

/// Places from WKB geometries (None for a missing one) and their properties (a
/// JSON array of objects), checked and repaired as a file's are.
#[pyfunction]
fn places_from_wkb(
    py: Python<'_>,
    label: String,
    wkb: Vec<Option<Vec<u8>>>,
    properties_json: &str,
) -> PyResult<RawPlaces> {
    let properties = convert::properties(properties_json, wkb.len())?;
    let places = py
        .detach(|| {
            import::places_from_wkb(
                &label,
                properties
                    .into_iter()
                    .zip(&wkb)
                    .map(|(p, w)| (p, w.as_deref())),
            )
        })
        .map_err(error)?;
    Ok(RawPlaces { places })
}

#[pymodule]
fn _frontline(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // A panic the library's guards catch becomes the exception, naming the file
    // or feature: no Rust panic message on stderr before it.
    frontline::formats::hush_caught_panics();
    m.add_class::<RawPlaces>()?;
    m.add_class::<RawSnapshot>()?;
    m.add_class::<RawTimeline>()?;
    m.add_function(wrap_pyfunction!(read_zones, m)?)?;
    m.add_function(wrap_pyfunction!(read_places, m)?)?;
    m.add_function(wrap_pyfunction!(places_from_wkb, m)?)?;
    Ok(())
}
