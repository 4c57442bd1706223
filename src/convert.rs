//! Files written for frontline to read again, and converted from one format to
//! another: the readers and writers of [`crate::formats`], with the seal that only
//! cleaning ([`crate::import`]) can grant, which is why this sits above both.

use std::path::Path;

use crate::crs::Crs;
use crate::formats::json::AllProperties;
use crate::formats::{self, Format, reproject};
use crate::{Error, Result};

/// Writes features to `path` as [`formats::write`] does, sealed when their
/// polygons are clean as they are (FlatGeobuf and GeoParquet then carry the seal,
/// and reading them skips the checks cleaning would only confirm).
///
/// ```
/// use frontline::crs::Crs;
/// let dir = std::env::temp_dir().join(format!("frontline-write-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let fc: geojson::FeatureCollection = r#"{"type": "FeatureCollection", "features": [
///   {"type": "Feature", "properties": {"name": "Demo"},
///    "geometry": {"type": "Polygon", "coordinates": [[[37,48],[37.1,48],[37.1,48.1],[37,48.1],[37,48]]]}}]}"#
///     .parse().unwrap();
/// let format = frontline::convert::write(&fc, dir.join("a.fgb"), &Crs::wgs84(), None)?;
/// assert_eq!(format, frontline::formats::Format::FlatGeobuf);
/// assert!(frontline::import::read_places(dir.join("a.fgb"))?.warnings().is_empty());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error for an output extension that names no format, and any error
/// [`formats::write`] gives.
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
    // Only formats that store a seal pay for checking the polygons.
    let seal = matches!(format, Format::FlatGeobuf | Format::GeoParquet)
        .then(|| crate::import::seal::seal(collection, crs))
        .flatten();
    formats::write(collection, path, crs, Some(format), seal.as_deref())
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
    /// What reading the input noticed and went on from (a name that says
    /// another format than its content).
    pub warnings: Vec<String>,
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
/// let done = frontline::convert::convert("data/region.geojson", dir.join("region.fgb"), None, None)?;
/// assert_eq!((done.features, done.to), (1, frontline::formats::Format::FlatGeobuf));
/// let back = frontline::convert::convert(dir.join("region.fgb"), dir.join("region.geojson"), None, None)?;
/// assert_eq!(back.features, 1);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error naming the file when the input cannot be read or parsed, declares a
/// CRS other than `input_crs`, cannot be reprojected, or the output cannot be written.
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
    let (from, mut doc) = formats::read::<AllProperties>(input, None)?;
    let warnings = std::mem::take(&mut doc.warnings);
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
    if matches!(to, Format::GeoJson | Format::Kml | Format::Kmz) && !target.is_lon_lat() {
        // Refused before the work (and the PROJ) of reprojecting.
        return Err(formats::not_lon_lat(to, output, &target));
    }
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
        warnings,
    })
}
