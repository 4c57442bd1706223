//! Vector file formats besides GeoJSON: Shapefile, FlatGeobuf and GeoParquet, read
//! into the same features as GeoJSON and written from the same
//! `geojson::FeatureCollection` that [`Export`](crate::export::Export) builds.
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
//!
//! ```
//! use frontline::formats::Format;
//! assert_eq!(Format::from_extension("regions.fgb".as_ref()), Some(Format::FlatGeobuf));
//! assert_eq!(Format::from_extension("a.geojson.gz".as_ref()), Some(Format::GeoJson));
//! assert_eq!(Format::from_magic(b"PAR1\x15\x04"), Some(Format::GeoParquet));
//! assert_eq!(Format::detect("data/city.geojson".as_ref())?, Format::GeoJson);
//! # Ok::<(), frontline::Error>(())
//! ```

mod columns;
pub mod flatgeobuf;
pub mod geoparquet;
pub mod shapefile;
mod wkb;

use std::fmt;
use std::io::Read;
use std::path::Path;

use crate::crs::{Crs, Transform};
use crate::import::json::{AllProperties, PropertyFilter};
use crate::{Error, Result};

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
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::GeoJson => "GeoJSON",
            Format::FlatGeobuf => "FlatGeobuf",
            Format::GeoParquet => "GeoParquet",
            Format::Shapefile => "Shapefile",
        })
    }
}

/// What the error for an unknown format lists.
const KNOWN: &str = "GeoJSON (.geojson, .json, .gz), FlatGeobuf (.fgb), \
                     GeoParquet (.parquet, .geoparquet) or Shapefile (.shp)";

impl Format {
    /// The format a file name says (case-insensitive extension), if any.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "geojson" | "json" | "gz" => Some(Format::GeoJson),
            "fgb" => Some(Format::FlatGeobuf),
            "parquet" | "geoparquet" => Some(Format::GeoParquet),
            "shp" => Some(Format::Shapefile),
            _ => None,
        }
    }

    /// The format the first bytes of a file say: FlatGeobuf's `fgb\x03`, Parquet's
    /// `PAR1`, gzip (GeoJSON), a Shapefile's file code 9994.
    pub fn from_magic(head: &[u8]) -> Option<Format> {
        if head.starts_with(b"fgb\x03") {
            Some(Format::FlatGeobuf)
        } else if head.starts_with(b"PAR1") {
            Some(Format::GeoParquet)
        } else if head.starts_with(&[0x1f, 0x8b]) {
            Some(Format::GeoJson)
        } else if head.starts_with(&[0x00, 0x00, 0x27, 0x0a]) {
            Some(Format::Shapefile)
        } else {
            None
        }
    }

    /// The format of a file: its first bytes when they are a known magic number,
    /// else its extension, else GeoJSON (whose parse error then says the format is
    /// unknown).
    pub fn detect(path: &Path) -> Result<Format> {
        let mut head = Vec::with_capacity(16);
        std::fs::File::open(path)
            .and_then(|f| f.take(16).read_to_end(&mut head))
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

    /// The format to write for an output path (by its extension).
    pub fn for_output(path: &Path) -> Result<Format> {
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

/// Reads a file of a format other than GeoJSON into features and its declared CRS
/// (coordinates as in the file; [`crate::import`] reprojects them).
pub(crate) fn read<F: PropertyFilter>(
    path: &Path,
    format: Format,
) -> Result<crate::import::file::Document> {
    match format {
        Format::GeoJson => {
            let bytes = crate::import::file::read_bytes(path)?;
            crate::import::file::parse::<F>(&bytes, path).map_err(|e| match e {
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
            })
        }
        Format::FlatGeobuf => flatgeobuf::read(path, None),
        Format::GeoParquet => geoparquet::read(path),
        Format::Shapefile => shapefile::read(path, None),
    }
}

/// Runs a third-party decoder on a file, a panic of it turned into an error
/// naming the file: the flatgeobuf and parquet crates index and assert on what
/// damaged files claim, in more places than can be checked beforehand (found by
/// fuzzing). The panic's message still reaches stderr through the panic hook.
pub(crate) fn guarded<T>(path: &Path, format: &str, read: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        Err(Error::format(
            path,
            format!("not a readable {format} file: its decoder failed ({why})"),
        ))
    })
}

/// Writes features to `path` in `format` (by default the one its extension says);
/// their coordinates must already be in `crs`, which the file then declares.
/// GeoJSON is RFC 7946: WGS84 longitude/latitude only.
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
///     formats::write(&fc, dir.join(name), &Crs::wgs84(), None)?;
///     let places = frontline::import::read_places(dir.join(name))?;
///     assert_eq!(places.find("Demo")?.len(), 1);
/// }
/// let err = formats::write(&fc, dir.join("b.geojson"), &Crs::epsg_code(3857), None).unwrap_err();
/// assert!(err.to_string().contains("RFC 7946"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn write(
    collection: &geojson::FeatureCollection,
    path: impl AsRef<Path>,
    crs: &Crs,
    format: Option<Format>,
) -> Result<Format> {
    let path = path.as_ref();
    let format = match format {
        Some(f) => f,
        None => Format::for_output(path)?,
    };
    match format {
        Format::GeoJson => {
            if !crs.is_lon_lat() {
                return Err(Error::format(
                    path,
                    format!(
                        "RFC 7946 GeoJSON is WGS84 longitude/latitude only, not {crs}: \
                         write FlatGeobuf, GeoParquet or a Shapefile for another CRS"
                    ),
                ));
            }
            crate::atomic::write(path, collection.to_string().as_bytes())?;
        }
        Format::FlatGeobuf => flatgeobuf::write(collection, path, crs)?,
        Format::GeoParquet => geoparquet::write(collection, path, crs)?,
        Format::Shapefile => shapefile::write(collection, path, crs)?,
    }
    Ok(format)
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
pub fn reproject(collection: &mut geojson::FeatureCollection, from: &Crs, to: &Crs) -> Result<()> {
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

/// What [`convert`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct Converted {
    /// The input's format.
    pub from: Format,
    /// The output's format.
    pub to: Format,
    /// Features written.
    pub features: usize,
    /// The CRS of the output's coordinates.
    pub crs: Crs,
}

/// Converts a file from one format to another, features and properties as they
/// are (no cleaning: that is for measuring; positions in 2D, Z and M dropped). The input's CRS is what the file
/// declares, else `input_crs`, else WGS84 (a file that declares another CRS than
/// `input_crs` is an error); the output's is `output_crs`, else the
/// input's (then coordinates are copied as they are, and no PROJ is needed). The
/// output is written atomically; its format comes from its extension.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("frontline-convert-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let done = frontline::formats::convert("data/region.geojson", dir.join("region.fgb"), None, None)?;
/// assert_eq!((done.features, done.to), (1, frontline::formats::Format::FlatGeobuf));
/// let back = frontline::formats::convert(dir.join("region.fgb"), dir.join("region.geojson"), None, None)?;
/// assert_eq!(back.features, 1);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn convert(
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    input_crs: Option<&Crs>,
    output_crs: Option<&Crs>,
) -> Result<Converted> {
    let (input, output) = (input.as_ref(), output.as_ref());
    let to = Format::for_output(output)?;
    // An unwritable destination fails before the input is read.
    drop(crate::atomic::AtomicFile::create(output)?);
    let from = Format::detect(input)?;
    let doc = read::<AllProperties>(input, from)?;
    let source = match (doc.crs, input_crs) {
        (Some(declared), Some(given)) if !declared.same_as(given) => {
            return Err(Error::format(
                input,
                format!(
                    "the file declares the coordinate system {declared}, but the input \
                     coordinate system given is {given}"
                ),
            ));
        }
        (declared, given) => declared
            .or_else(|| given.cloned())
            .unwrap_or_else(Crs::wgs84),
    };
    let target = output_crs.cloned().unwrap_or_else(|| source.clone());
    let features = doc
        .features
        .into_iter()
        .enumerate()
        .map(|(index, f)| {
            let geometry = f
                .geometry
                .as_ref()
                .map(|g| g.to_geojson().map(geojson::Geometry::new))
                .transpose()
                .map_err(|e| Error::feature(input, index, f.name().map(str::to_string), e))?;
            Ok(geojson::Feature {
                geometry,
                properties: f.properties,
                ..geojson::Feature::default()
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut collection = geojson::FeatureCollection::new(features);
    collection.bbox = None;
    reproject(&mut collection, &source, &target)
        .map_err(|e| Error::format(input, e.to_string()))?;
    write(&collection, output, &target, Some(to))?;
    Ok(Converted {
        from,
        to,
        features: collection.features.len(),
        crs: target,
    })
}

/// The name of a feature for messages (its `name` property).
pub(crate) fn feature_name(feature: &geojson::Feature) -> Option<String> {
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
            ("a.kml", None),
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
