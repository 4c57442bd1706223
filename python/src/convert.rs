//! Every conversion between the crate's types and Python's, in one place: errors
//! to the package's exception classes, byte buffers (NumPy arrays on the Python
//! side) to and from numbers, options given as strings, dates, geometries as WKB,
//! and results as columns for pandas.

use chrono::{DateTime, Utc};
use geo::Point;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyType};
use serde_json::{Map, Value};

use frontline::import::{Source, StatusMapping};
use frontline::measure::figure_names;
use frontline::timeline::Timeline;
use frontline::{Amount, Error, Share, Status};

/// The package's exception class called `name` (defined in `frontline/errors.py`).
fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyType>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let module = MODULE.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("frontline.errors")?.unbind())
    })?;
    Ok(module.bind(py).getattr(name)?.cast_into()?)
}

/// An exception of the package's class `name` with `message`.
fn raise(name: &str, message: String) -> PyErr {
    Python::attach(|py| match class(py, name) {
        Ok(cls) => PyErr::from_type(cls, message),
        Err(e) => e,
    })
}

/// A crate error as the package's exception: `ReadError` (an `OSError`) for a
/// file that cannot be read, `UnknownNameError` (a `LookupError`, with `name` and
/// `suggestions`) for a name no region has, `InputError` (a `ValueError`) for bad
/// input; the message is the CLI's.
pub fn error(e: Error) -> PyErr {
    let message = e.to_string();
    match e {
        Error::Io { .. } => raise("ReadError", message),
        Error::UnknownName {
            name, suggestions, ..
        } => Python::attach(|py| {
            let made = class(py, "UnknownNameError").and_then(|cls| {
                let err = cls.call1((message,))?;
                err.setattr("name", name)?;
                err.setattr("suggestions", suggestions)?;
                Ok(PyErr::from_value(err))
            });
            made.unwrap_or_else(|e| e)
        }),
        Error::Format { .. } | Error::Feature { .. } | Error::Invalid(_) => {
            raise("InputError", message)
        }
        _ => raise("FrontlineError", message),
    }
}

/// Bad input found here, as `InputError`.
pub fn invalid(message: impl Into<String>) -> PyErr {
    raise("InputError", message.into())
}

/// Little-endian `f64`s from a buffer (`numpy.ndarray.tobytes()` of `<f8`).
pub fn floats(bytes: &[u8], what: &str) -> PyResult<Vec<f64>> {
    if !bytes.len().is_multiple_of(8) {
        return Err(invalid(format!(
            "{what}: {} bytes is not a whole number of 8-byte floats",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|b| {
            // `chunks_exact(8)` yields 8 bytes: the conversion cannot fail.
            f64::from_le_bytes(b.try_into().unwrap_or([0; 8]))
        })
        .collect())
}

/// Points from longitudes and latitudes of the same length (checked for range
/// and NaN later, by the crate, which names the first bad point).
pub fn points(lon: &[u8], lat: &[u8]) -> PyResult<Vec<Point<f64>>> {
    let (lon, lat) = (floats(lon, "lon")?, floats(lat, "lat")?);
    if lon.len() != lat.len() {
        return Err(invalid(format!(
            "lon has {} values but lat has {}: give one of each per point",
            lon.len(),
            lat.len()
        )));
    }
    Ok(lon
        .into_iter()
        .zip(lat)
        .map(|(x, y)| Point::new(x, y))
        .collect())
}

/// `f64`s as little-endian bytes (read back with `numpy.frombuffer`).
pub fn float_bytes<'py>(
    py: Python<'py>,
    values: impl IntoIterator<Item = f64>,
) -> Bound<'py, PyBytes> {
    let bytes: Vec<u8> = values.into_iter().flat_map(f64::to_le_bytes).collect();
    PyBytes::new(py, &bytes)
}

/// `i32`s as little-endian bytes.
pub fn int_bytes<'py>(
    py: Python<'py>,
    values: impl IntoIterator<Item = i32>,
) -> Bound<'py, PyBytes> {
    let bytes: Vec<u8> = values.into_iter().flat_map(i32::to_le_bytes).collect();
    PyBytes::new(py, &bytes)
}

/// `i64`s as little-endian bytes.
pub fn long_bytes<'py>(
    py: Python<'py>,
    values: impl IntoIterator<Item = i64>,
) -> Bound<'py, PyBytes> {
    let bytes: Vec<u8> = values.into_iter().flat_map(i64::to_le_bytes).collect();
    PyBytes::new(py, &bytes)
}

/// Nanoseconds since the Unix epoch (pandas' unit); DeepState's dates are all
/// far inside the range.
pub fn nanos(date: DateTime<Utc>) -> i64 {
    date.timestamp_nanos_opt()
        .unwrap_or_else(|| date.timestamp().saturating_mul(1_000_000_000))
}

/// The kind of zone file from the Python arguments, as the CLI's `--source`,
/// `--status-property` and `--status-map` give it.
pub fn source(
    kind: Option<&str>,
    status_property: Option<String>,
    status_map: Option<Vec<(String, String)>>,
) -> PyResult<Option<Source>> {
    let mapping = match status_property {
        Some(property) => {
            let mut m = StatusMapping::new(property);
            for (value, status) in status_map.unwrap_or_default() {
                m = m.map(value, status.parse::<Status>().map_err(error)?);
            }
            Some(m)
        }
        None if status_map.is_some() => {
            return Err(invalid("status_map needs status_property"));
        }
        None => None,
    };
    match (kind, mapping) {
        (Some("deepstate"), None) => Ok(Some(Source::DeepState)),
        (Some("occupied"), None) => Ok(Some(Source::Occupied)),
        (Some("generic") | None, Some(m)) => Ok(Some(Source::Generic(m))),
        (Some("generic"), None) => Err(invalid("source='generic' needs status_property")),
        (Some("deepstate" | "occupied"), Some(_)) => Err(invalid(
            "status_property only applies to generic zone files",
        )),
        (Some(other), _) => Err(invalid(format!(
            "source {other:?} is not one of 'deepstate', 'occupied', 'generic'"
        ))),
        (None, None) => Ok(None),
    }
}

/// The name a source has in the Python API.
pub fn source_name(source: &Source) -> &'static str {
    match source {
        Source::DeepState => "deepstate",
        Source::Occupied => "occupied",
        Source::Generic(_) => "generic",
    }
}

/// Feature properties from a JSON array of objects (`DataFrame.to_json(orient="records")`).
pub fn properties(json: &str, count: usize) -> PyResult<Vec<Map<String, Value>>> {
    let rows: Vec<Map<String, Value>> = serde_json::from_str(json)
        .map_err(|e| invalid(format!("the regions' properties are not JSON records: {e}")))?;
    if rows.len() != count {
        return Err(invalid(format!(
            "{} rows of properties for {count} geometries",
            rows.len()
        )));
    }
    Ok(rows)
}

/// The figures of every share, in the order results list them: each status
/// (those of `first`, then any other a share lists, strongest first), the parts
/// of occupied after it, then `unmarked` ([`figure_names`]).
fn figures_of<'a>(shares: impl IntoIterator<Item = &'a Share>, first: &[Status]) -> Vec<Status> {
    let mut statuses: Vec<Status> = first.to_vec();
    for share in shares {
        for (s, _) in &share.statuses {
            if !statuses.contains(s) {
                statuses.push(s.clone());
            }
        }
    }
    figure_names(frontline::measure::listed_statuses(statuses))
}

/// An amount, NaN where the share cannot tell it (occupied since 2014 or 2022
/// in an occupied-only file): never a zero that would read as none.
fn amount(share: &Share, figure: &Status) -> Amount {
    share.figure(figure).unwrap_or(Amount {
        km2: f64::NAN,
        pct: f64::NAN,
    })
}

/// Shares as columns, in order: `id`, `name`, `area_km2`, then `<figure>_km2` and
/// `<figure>_pct` for every figure ([`figures_of`], `unmarked` last).
pub fn share_columns<'py>(
    py: Python<'py>,
    shares: &[Share],
    first: &[Status],
) -> PyResult<Bound<'py, PyList>> {
    let columns = PyList::empty(py);
    let ids: Vec<Option<&str>> = shares.iter().map(|s| s.id.as_deref()).collect();
    columns.append(("id", ids))?;
    let names: Vec<&str> = shares.iter().map(|s| s.region.as_str()).collect();
    columns.append(("name", names))?;
    let area: Vec<f64> = shares.iter().map(|s| s.area_km2).collect();
    columns.append(("area_km2", area))?;
    for figure in figures_of(shares, first) {
        let amounts: Vec<Amount> = shares.iter().map(|s| amount(s, &figure)).collect();
        let km2: Vec<f64> = amounts.iter().map(|a| a.km2).collect();
        let pct: Vec<f64> = amounts.iter().map(|a| a.pct).collect();
        columns.append((format!("{figure}_km2"), km2))?;
        columns.append((format!("{figure}_pct"), pct))?;
    }
    Ok(columns)
}

/// A series in long form: one row per snapshot, region and figure (`unmarked`
/// last; NaN where a figure is unknown). Columns: `date` (ns, bytes of i64), `file`, `region` (its position
/// among the regions measured), `id`, `name`, `status` (codes into `categories`, bytes
/// of i32), `km2` and `pct` (bytes of f64).
pub fn series_columns<'py>(
    py: Python<'py>,
    series: &Timeline<Vec<Share>>,
) -> PyResult<Bound<'py, PyDict>> {
    let figures = figures_of(series.iter().flat_map(|e| &e.value), &[]);
    let categories: Vec<String> = figures.iter().map(|s| s.to_string()).collect();
    let rows = series.iter().map(|e| e.value.len()).sum::<usize>() * categories.len();
    let (mut date, mut file, mut region, mut id, mut name) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    let (mut status, mut km2, mut pct) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    for entry in series {
        let path = entry.path.display().to_string();
        for (r, share) in entry.value.iter().enumerate() {
            let amounts = figures.iter().map(|f| amount(share, f));
            for (code, amount) in amounts.enumerate() {
                date.push(nanos(entry.date));
                file.push(path.clone());
                region.push(r as i64);
                id.push(share.id.as_deref());
                name.push(share.region.as_str());
                status.push(code as i32);
                km2.push(amount.km2);
                pct.push(amount.pct);
            }
        }
    }
    let out = PyDict::new(py);
    out.set_item("date", long_bytes(py, date))?;
    out.set_item("file", file)?;
    out.set_item("region", long_bytes(py, region))?;
    out.set_item("id", id)?;
    out.set_item("name", name)?;
    out.set_item("status", int_bytes(py, status))?;
    out.set_item("categories", categories)?;
    out.set_item("km2", float_bytes(py, km2))?;
    out.set_item("pct", float_bytes(py, pct))?;
    Ok(out)
}
