//! Vector file formats: GeoJSON, Shapefile, FlatGeobuf and GeoParquet, each read
//! into the same document model and written from the same
//! `geojson::FeatureCollection` that [`Export`](crate::export::Export) builds.
//!
//! The lowest layer of file handling: one file per format holds its reader and
//! writer (`geojson.rs`, `flatgeobuf.rs`, ...); `document.rs` is what every reader
//! produces, `shape.rs` the geometry in it, `seal.rs` the seal as stored. Nothing
//! here reaches up into [`crate::import`] (which reprojects, cleans and classifies
//! a document) or above; [`crate::convert`] adds the seal that only cleaning can
//! grant.
//!
//! One currency: every reader yields the same features (properties as a JSON map,
//! geometry decoded straight from its encoding into plain coordinate rings) and
//! the CRS the file declares, so every command and
//! [`read_zones`](crate::import::read_zones) / [`read_places`](crate::import::read_places)
//! accept every format; reprojection to WGS84 and geometry cleaning then happen
//! once, for all formats. Every writer takes features whose coordinates are
//! already in the output CRS, and writes atomically (temporary files renamed into
//! place once complete).
//!
//! FlatGeobuf and GeoParquet files whose polygons are clean as written (simple,
//! oriented, parts disjoint, in longitude/latitude) are sealed: their metadata
//! holds a fingerprint of those polygons, and reading one whose polygons still
//! match skips the checks cleaning would only confirm. Files from other tools, or
//! changed since, are cleaned in full (see `import::seal`).
//!
//! | format | reads | writes | CRS from / to |
//! | --- | --- | --- | --- |
//! | [`Format::GeoJson`] (`.geojson`, `.json`, `.gz`) | yes | yes (RFC 7946: WGS84 only) | legacy `crs` member |
//! | [`Format::FlatGeobuf`] (`.fgb`) | all, or by box through its R-tree | with its spatial index | header (EPSG code, WKT) |
//! | [`Format::GeoParquet`] (`.parquet`, `.geoparquet`) | yes | GeoParquet 1.1, WKB (uncompressed), Snappy properties | `geo` metadata (PROJJSON; absent = OGC:CRS84) |
//! | [`Format::Shapefile`] (`.shp` + `.shx`, `.dbf`, `.prj`, `.cpg`) | yes | yes | `.prj` (WKT); `.cpg` encoding |
//! | [`Format::Kml`] (`.kml`), [`Format::Kmz`] (`.kmz`) | Google Earth and My Maps files: Folders, shared and inline styles, ExtendedData | styled by status, TimeSpans for a series | WGS84 only |
//!
//! ```
//! use frontline::formats::Format;
//! assert_eq!(Format::from_extension("regions.fgb".as_ref()), Some(Format::FlatGeobuf));
//! assert_eq!(Format::from_extension("a.geojson.gz".as_ref()), Some(Format::GeoJson));
//! assert_eq!(Format::from_magic(b"PAR1\x15\x04"), Some(Format::GeoParquet));
//! assert_eq!(Format::from_magic(b"<?xml version=\"1.0\"?>\n<kml xmlns="), Some(Format::Kml));
//! assert_eq!(Format::detect("data/city.geojson".as_ref())?, Format::GeoJson);
//! # Ok::<(), frontline::Error>(())
//! ```

mod columns;
mod document;
pub mod flatgeobuf;
pub(crate) mod geojson;
pub mod geoparquet;
pub(crate) mod json;
pub mod kml;
pub(crate) mod seal;
pub(crate) mod shape;
pub mod shapefile;
mod thrift;
pub(crate) mod wkb;

use std::fmt;
use std::io::Read;
use std::path::Path;

pub(crate) use document::{Document, Feature};

use crate::crs::{Crs, Transform};
use crate::{Error, Result};
use json::PropertyFilter;

/// A vector file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// GeoJSON, optionally gzip-compressed.
    GeoJson,
    /// FlatGeobuf.
    FlatGeobuf,
    /// GeoParquet (Parquet with the `geo` file metadata).
    GeoParquet,
    /// ESRI Shapefile (`.shp` with its `.shx`, `.dbf`, `.prj`, `.cpg`).
    Shapefile,
    /// KML (Google Earth, Google My Maps).
    Kml,
    /// KMZ: KML in a zip archive.
    Kmz,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::GeoJson => "GeoJSON",
            Format::FlatGeobuf => "FlatGeobuf",
            Format::GeoParquet => "GeoParquet",
            Format::Shapefile => "Shapefile",
            Format::Kml => "KML",
            Format::Kmz => "KMZ",
        })
    }
}

/// What the error for an unknown format lists.
const KNOWN: &str = "GeoJSON (.geojson, .json, .gz), FlatGeobuf (.fgb), \
                     GeoParquet (.parquet, .geoparquet), Shapefile (.shp), KML (.kml) \
                     or KMZ (.kmz)";

impl Format {
    /// The format a file name says (case-insensitive extension), if any.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "geojson" | "json" | "gz" => Some(Format::GeoJson),
            "fgb" => Some(Format::FlatGeobuf),
            "parquet" | "geoparquet" => Some(Format::GeoParquet),
            "shp" => Some(Format::Shapefile),
            "kml" => Some(Format::Kml),
            "kmz" => Some(Format::Kmz),
            _ => None,
        }
    }

    /// The format the first bytes of a file say: FlatGeobuf's `fgb\x03`, Parquet's
    /// `PAR1`, gzip (GeoJSON), a Shapefile's file code 9994, a zip's `PK\x03\x04`
    /// (KMZ), XML whose first element is `<kml>` (KML, told from the first kB:
    /// [`Format::detect`] reads that much).
    pub fn from_magic(head: &[u8]) -> Option<Format> {
        if head.starts_with(b"fgb\x03") {
            Some(Format::FlatGeobuf)
        } else if head.starts_with(b"PAR1") {
            Some(Format::GeoParquet)
        } else if head.starts_with(&[0x1f, 0x8b]) {
            Some(Format::GeoJson)
        } else if head.starts_with(&[0x00, 0x00, 0x27, 0x0a]) {
            Some(Format::Shapefile)
        } else if head.starts_with(b"PK\x03\x04") {
            Some(Format::Kmz)
        } else if kml::looks_like_kml(head) {
            Some(Format::Kml)
        } else {
            None
        }
    }

    /// The format of a file: its first bytes when they are a known magic number,
    /// else its extension, else GeoJSON (whose parse error then says the format is
    /// unknown).
    ///
    /// # Errors
    ///
    /// An error naming the file when it cannot be opened or read.
    pub fn detect(path: &Path) -> Result<Format> {
        let mut head = Vec::with_capacity(1024);
        std::fs::File::open(path)
            .and_then(|f| f.take(1024).read_to_end(&mut head))
            .map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
        if let Some(f) = Format::from_magic(&head).or_else(|| Format::from_extension(path)) {
            return Ok(f);
        }
        // Anything else is tried as GeoJSON, the historical default, whose error
        // then also says the format is unknown (see `read`).
        Ok(Format::GeoJson)
    }

    /// The warning for a file whose name says another format than its first
    /// bytes, as [`Format::detect`] found it: the content wins (a `.shp` that
    /// holds Parquet is read as GeoParquet), and the mismatch is said, since the
    /// file may not be the one meant.
    ///
    /// ```
    /// use frontline::formats::Format;
    /// assert_eq!(
    ///     Format::misnamed("a.shp".as_ref(), Format::GeoParquet).as_deref(),
    ///     Some("its content is GeoParquet, but its name says Shapefile: read it as GeoParquet")
    /// );
    /// assert_eq!(Format::misnamed("a.geojson.gz".as_ref(), Format::GeoJson), None);
    /// assert_eq!(Format::misnamed("a.dat".as_ref(), Format::FlatGeobuf), None);
    /// ```
    pub fn misnamed(path: &Path, format: Format) -> Option<String> {
        let named = Format::from_extension(path).filter(|named| *named != format)?;
        Some(format!(
            "its content is {format}, but its name says {named}: read it as {format}"
        ))
    }

    /// The format to write for an output path (by its extension). `.gz` is
    /// GeoJSON written gzip-compressed, and only that: `x.geojson.gz` or
    /// `x.json.gz` (a `.fgb.gz` would not be what its name says).
    ///
    /// ```
    /// use frontline::formats::Format;
    /// assert_eq!(Format::for_output("a.geojson.gz".as_ref())?, Format::GeoJson);
    /// assert!(Format::for_output("a.fgb.gz".as_ref()).is_err());
    /// assert!(Format::for_output("a.txt".as_ref()).is_err());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error naming the path when its extension names no format it writes
    /// (including a `.gz` other than `.geojson.gz` or `.json.gz`).
    pub fn for_output(path: &Path) -> Result<Format> {
        if is_gz(path) {
            let inner = Path::new(path.file_stem().unwrap_or_default());
            return match Format::from_extension(inner) {
                Some(Format::GeoJson) if !is_gz(inner) => Ok(Format::GeoJson),
                _ => Err(Error::format(
                    path,
                    "only GeoJSON is written gzip-compressed: name the output \
                     .geojson.gz (or .json.gz), or drop the .gz",
                )),
            };
        }
        Format::from_extension(path).ok_or_else(|| {
            Error::format(
                path,
                format!(
                    "cannot tell the output format from the name: use the extension of {KNOWN}"
                ),
            )
        })
    }
}

/// Whether a name ends in `.gz` (any case).
fn is_gz(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// The bytes of a GeoJSON text as a file named `path` holds them: gzip-compressed
/// when the name ends in `.gz`, so that the output is what its name says.
///
/// ```
/// use frontline::formats::geojson_bytes;
/// let text = r#"{"type": "FeatureCollection", "features": []}"#;
/// assert_eq!(&geojson_bytes("a.geojson".as_ref(), text)?[..], text.as_bytes());
/// assert!(geojson_bytes("a.geojson.gz".as_ref(), text)?.starts_with(&[0x1f, 0x8b]));
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error naming `path` when the text cannot be gzipped.
pub fn geojson_bytes<'a>(path: &Path, text: &'a str) -> Result<std::borrow::Cow<'a, [u8]>> {
    if !is_gz(path) {
        return Ok(std::borrow::Cow::Borrowed(text.as_bytes()));
    }
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes())
        .and_then(|()| gz.finish())
        .map(std::borrow::Cow::Owned)
        .map_err(|e| Error::format(path, format!("cannot gzip the GeoJSON: {e}")))
}

/// Reads a file into features and its declared CRS (coordinates as in the file;
/// [`crate::import`] reprojects them), its format told by [`Format::detect`]; a
/// name that says another format is among the document's warnings
/// ([`Format::misnamed`]). With `bbox` (`[W, S, E, N]`, longitude/latitude), a
/// FlatGeobuf file in longitude/latitude is read through its spatial index, the
/// features whose box meets it; other files are read whole. GeoJSON
/// properties go through filter `F` (other formats keep them all).
pub(crate) fn read<F: PropertyFilter>(
    path: &Path,
    bbox: Option<[f64; 4]>,
) -> Result<(Format, Document)> {
    let format = Format::detect(path)?;
    let mut doc = match format {
        Format::GeoJson => geojson::read::<F>(path).map_err(|e| match e {
            Error::Format { path, message } if Format::from_extension(&path).is_none() => {
                Error::Format {
                    message: format!(
                        "{message}; unknown file format: neither its name nor its first \
                             bytes say {KNOWN}"
                    ),
                    path,
                }
            }
            e => e,
        }),
        Format::FlatGeobuf => flatgeobuf::read(path, bbox),
        Format::GeoParquet => geoparquet::read(path),
        Format::Shapefile => shapefile::read(path, None),
        Format::Kml | Format::Kmz => kml::read(path, format),
    }?;
    doc.warnings.extend(Format::misnamed(path, format));
    Ok((format, doc))
}

/// The Well-Known Binary (ISO, 2D, little endian) of a geometry: what Shapely
/// (`shapely.from_wkb`), GeoPandas and DuckDB read.
///
/// ```
/// use geo::{point, polygon, MultiPolygon};
/// let wkb = frontline::formats::to_wkb(&point!(x: 37.5, y: 48.0));
/// assert_eq!(wkb.len(), 21); // byte order, type, two numbers
/// assert_eq!(&wkb[..5], &[1, 1, 0, 0, 0]);
/// let square = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)]]);
/// assert_eq!(frontline::formats::to_wkb(&square)[1], 6); // MultiPolygon
/// ```
pub fn to_wkb<'a, G>(geometry: &'a G) -> Vec<u8>
where
    ::geojson::GeometryValue: From<&'a G>,
{
    wkb::encode(&::geojson::GeometryValue::from(geometry))
}

/// Runs a third-party decoder on a file, a panic of it turned into an error
/// naming the file: the flatgeobuf and parquet crates index and assert on what
/// damaged files claim, in more places than can be checked beforehand (found by
/// fuzzing). The error carries the panic's message (see [`hush_caught_panics`]).
pub(crate) fn guarded<T>(path: &Path, format: &str, read: impl FnOnce() -> Result<T>) -> Result<T> {
    catch(read).unwrap_or_else(|panic| {
        Err(Error::format(
            path,
            format!(
                "not a readable {format} file: its decoder failed ({})",
                panic_message(&*panic)
            ),
        ))
    })
}

thread_local! {
    /// How many of [`catch`]'s calls are running on this thread.
    static CATCHING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Runs `f`, catching a panic of it: every guard against a third-party crate's
/// panic (a decoder, a geometry repair or union) goes through here, so that
/// [`hush_caught_panics`] knows.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    CATCHING.with(|c| c.set(c.get() + 1));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get() - 1));
    result
}

/// Installs a panic hook that stays silent for the panics frontline's guards
/// catch (around a file decoder, a geometry repair or union), which become
/// errors naming the file or feature with the panic's message, and passes every
/// other panic to the hook installed before. The `frontline` binary and the
/// Python module call it: the default hook's "thread 'main' panicked at ..."
/// before such an error reads as a crash.
///
/// ```
/// frontline::formats::hush_caught_panics();
/// // The parquet crate panics on this damaged file ("Decoder for dict should
/// // have been set"): an error, and nothing on stderr before it.
/// let path = std::path::Path::new("tests/fuzz/geoparquet-dictionary-panic.parquet");
/// let err = frontline::import::read_places(path).unwrap_err();
/// assert!(err.to_string().contains("its decoder failed"));
/// ```
pub fn hush_caught_panics() {
    let before = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if CATCHING.with(|c| c.get()) == 0 {
            before(info)
        }
    }));
}

/// The message a caught panic carries ("no message" when it is not text).
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("no message")
}

/// Writes features to `path` in `format` (by default the one its extension says);
/// their coordinates must already be in `crs`, which the file then declares.
/// GeoJSON is RFC 7946: WGS84 longitude/latitude only; so is KML.
///
/// `seal` is the fingerprint of polygons known clean as they are (FlatGeobuf and
/// GeoParquet then carry it, see `import::seal`); only cleaning can say so, so
/// this layer writes what it is given. [`crate::convert::write`] seals what
/// qualifies.
///
/// ```
/// use frontline::crs::Crs;
/// use frontline::formats::{self, Format};
/// let dir = std::env::temp_dir().join(format!("frontline-formats-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let fc: geojson::FeatureCollection = r#"{"type": "FeatureCollection", "features": [
///   {"type": "Feature", "properties": {"name": "Demo", "area_km2": 1.5},
///    "geometry": {"type": "Polygon", "coordinates": [[[37,48],[37.1,48],[37.1,48.1],[37,48]]]}}]}"#
///     .parse().unwrap();
/// for name in ["a.fgb", "a.parquet", "a.shp", "a.geojson"] {
///     formats::write(&fc, dir.join(name), &Crs::wgs84(), None, None)?;
///     let places = frontline::import::read_places(dir.join(name))?;
///     assert_eq!(places.find("Demo")?.len(), 1);
/// }
/// let err = formats::write(&fc, dir.join("b.geojson"), &Crs::epsg_code(3857), None, None).unwrap_err();
/// assert!(err.to_string().contains("RFC 7946"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error for an extension that names no format, a CRS the format cannot
/// declare (GeoJSON and KML need WGS84), a feature it cannot encode, or a file it cannot write.
pub fn write(
    collection: &::geojson::FeatureCollection,
    path: impl AsRef<Path>,
    crs: &Crs,
    format: Option<Format>,
    seal: Option<&str>,
) -> Result<Format> {
    let path = path.as_ref();
    let format = match format {
        Some(f) => f,
        None => Format::for_output(path)?,
    };
    match format {
        Format::GeoJson => geojson::write(collection, path, crs)?,
        Format::FlatGeobuf => flatgeobuf::write(collection, path, crs, seal)?,
        Format::GeoParquet => geoparquet::write(collection, path, crs, seal)?,
        Format::Shapefile => shapefile::write(collection, path, crs)?,
        Format::Kml => kml::write(collection, path, crs, false)?,
        Format::Kmz => kml::write(collection, path, crs, true)?,
    }
    Ok(format)
}

/// The error for writing `format` in `crs` where the format knows WGS84
/// longitude/latitude only (GeoJSON, KML, KMZ).
pub(crate) fn not_lon_lat(format: Format, path: &Path, crs: &Crs) -> Error {
    let what = match format {
        Format::GeoJson => "RFC 7946 GeoJSON".to_string(),
        other => other.to_string(),
    };
    Error::format(
        path,
        format!(
            "{what} is WGS84 longitude/latitude only, not {crs}: write FlatGeobuf, \
             GeoParquet or a Shapefile for another CRS"
        ),
    )
}

/// Reprojects every feature's geometry from `from` to `to` (the identity between
/// longitude/latitude CRSs; other pairs need the `proj` feature).
///
/// ```
/// use frontline::crs::Crs;
/// let mut fc: geojson::FeatureCollection = r#"{"type": "FeatureCollection", "features": []}"#.parse().unwrap();
/// frontline::formats::reproject(&mut fc, &Crs::wgs84(), &Crs::epsg_code(4326))?;
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when there is no transformation from `from` to `to`, or naming the
/// feature with a position that cannot be reprojected.
pub fn reproject(
    collection: &mut ::geojson::FeatureCollection,
    from: &Crs,
    to: &Crs,
) -> Result<()> {
    let transform = Transform::new(from, to)?;
    if transform.is_identity() {
        return Ok(());
    }
    collection.bbox = None;
    for (index, feature) in collection.features.iter_mut().enumerate() {
        if let Some(g) = &mut feature.geometry {
            transform.apply(g).map_err(|e| {
                Error::Invalid(format!("feature {index}: reprojecting to {to}: {e}"))
            })?;
        }
    }
    Ok(())
}

/// The name of a feature for messages (its `name` property).
pub(crate) fn feature_name(feature: &::geojson::Feature) -> Option<String> {
    feature
        .properties
        .as_ref()
        .and_then(|p| p.get("name"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_and_magic() {
        for (name, f) in [
            ("a.GeoJSON", Some(Format::GeoJson)),
            ("a.json.gz", Some(Format::GeoJson)),
            ("a.FGB", Some(Format::FlatGeobuf)),
            ("a.geoparquet", Some(Format::GeoParquet)),
            ("a.shp", Some(Format::Shapefile)),
            ("a.kml", Some(Format::Kml)),
            ("a.KMZ", Some(Format::Kmz)),
            ("a.gpx", None),
            ("a", None),
        ] {
            assert_eq!(Format::from_extension(Path::new(name)), f, "{name}");
        }
        assert_eq!(
            Format::from_magic(b"fgb\x03fgb\x00"),
            Some(Format::FlatGeobuf)
        );
        assert_eq!(
            Format::from_magic(b"\0\0\x27\x0a\0"),
            Some(Format::Shapefile)
        );
        assert_eq!(Format::from_magic(b"{\"type\""), None);
    }
}
