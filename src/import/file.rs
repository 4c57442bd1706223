//! Reading a document from disk in any format of [`crate::formats`] (told by
//! content or extension), its coordinates brought to WGS84 longitude/latitude.

use std::path::Path;

use super::ReadOptions;
use crate::crs::{Crs, Transform};
use crate::formats::Document;
use crate::formats::json::{AllProperties, PropertyFilter};
use crate::{Error, Result};

/// Reads and parses a file of any supported format; its coordinates come back as
/// WGS84 longitude/latitude.
///
/// GeoJSON properties go through filter `F` (other formats keep them all).
pub(crate) fn read<F: PropertyFilter>(path: &Path, options: &ReadOptions) -> Result<Document> {
    let (_, mut doc) = crate::formats::read::<F>(path, None)?;
    to_lon_lat(&mut doc, path, options)?;
    Ok(doc)
}

/// Reads the features whose box meets `bbox` (`[W, S, E, N]`, longitude/latitude):
/// a FlatGeobuf file in WGS84 through its spatial index, anything else read whole
/// and filtered once in longitude/latitude.
pub(crate) fn read_in(path: &Path, bbox: [f64; 4], options: &ReadOptions) -> Result<Document> {
    // A file without a CRS of its own is in `--input-crs`: when that is
    // projected, a FlatGeobuf index is in its metres, so the box cannot search it.
    let index_box = options
        .input_crs
        .as_ref()
        .is_none_or(Crs::is_lon_lat)
        .then_some(bbox);
    let (_, mut doc) = crate::formats::read::<AllProperties>(path, index_box)?;
    // The index is in the file's CRS: for a projected file the box says nothing
    // until the features are in longitude/latitude, so filter (again) afterwards.
    to_lon_lat(&mut doc, path, options)?;
    doc.features
        .retain(|f| f.geometry.as_ref().is_some_and(|g| g.may_meet(bbox)));
    Ok(doc)
}

/// Brings a document's coordinates to WGS84 longitude/latitude: from the CRS the
/// file declares (`doc.crs`, which any reader of another format fills in too), or
/// else the one the options give; both must agree when both are there.
pub(crate) fn to_lon_lat(doc: &mut Document, path: &Path, options: &ReadOptions) -> Result<()> {
    let (crs, whose) = match (doc.crs.take(), &options.input_crs) {
        (None, None) => return Ok(()),
        (Some(declared), None) => (declared, "its coordinate system"),
        (None, Some(given)) => (given.clone(), "the input coordinate system (--input-crs)"),
        (Some(declared), Some(given)) if declared.same_as(given) => {
            (declared, "its coordinate system")
        }
        (Some(declared), Some(given)) => {
            return Err(Error::format(
                path,
                format!(
                    "the file declares the coordinate system {declared}, but the input \
                     coordinate system given (--input-crs) is {given}"
                ),
            ));
        }
    };
    let transform = Transform::new(&crs, &Crs::wgs84())
        .map_err(|e| Error::format(path, format!("{whose}: {e}")))?;
    if transform.is_identity() {
        return Ok(());
    }
    if options.input_crs.is_some() {
        looks_projected(doc, &transform, &crs, path)?;
    }
    for (index, feature) in doc.features.iter_mut().enumerate() {
        let Some(geometry) = &mut feature.geometry else {
            continue;
        };
        let moved = geometry.try_for_each_coord(&mut |c| {
            (c.x, c.y) = transform.xy(c.x, c.y).map_err(|e| e.to_string())?;
            Ok::<(), String>(())
        });
        if let Err(e) = moved {
            let name = feature.name().map(str::to_string);
            return Err(Error::feature(path, index, name, e));
        }
    }
    Ok(())
}

/// Refuses to read a file in longitude/latitude as if it were in the projected
/// CRS the options give (a WGS84 snapshot next to projected regions under one
/// `--input-crs`): its degrees would be taken for metres a few hundred metres
/// from the projection's origin, and measure as nothing, silently. The tell: every
/// position is within longitude/latitude range, yet the first one lands more than
/// a degree away or cannot be reprojected at all (a geographic CRS on another
/// datum moves it far less).
fn looks_projected(doc: &Document, transform: &Transform, crs: &Crs, path: &Path) -> Result<()> {
    let mut first: Option<(f64, f64)> = None;
    let mut in_range = true;
    for geometry in doc.features.iter().filter_map(|f| f.geometry.as_ref()) {
        geometry.for_each_coord(&mut |c| {
            in_range &= c.x.abs() <= 180.0 && c.y.abs() <= 90.0;
            first.get_or_insert((c.x, c.y));
        });
    }
    let Some((x, y)) = first.filter(|_| in_range) else {
        return Ok(());
    };
    // Degrees read as metres often fall outside the CRS's domain: as telling.
    let moved = match transform.xy(x, y) {
        Ok((a, b)) => (a - x).abs().max((b - y).abs()),
        Err(_) => f64::INFINITY,
    };
    if moved > 1.0 {
        return Err(Error::format(
            path,
            format!(
                "every coordinate is within longitude/latitude range (e.g. [{x}, {y}]), \
                 not what a file in {crs} (--input-crs) holds: it looks like WGS84 \
                 longitude/latitude; give --input-crs only when every file read is in \
                 that CRS or declares its own"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::geojson::parse;
    use crate::formats::json::AllProperties;

    fn parse_str(s: &str) -> Result<Document> {
        parse::<AllProperties>(s.as_bytes(), Path::new("f.geojson"))
    }

    /// An empty FeatureCollection declaring `crs`.
    fn fc(crs: &str) -> String {
        format!(
            r#"{{"type": "FeatureCollection", "features": [],
            "crs": {{"type": "name", "properties": {{"name": "{crs}"}}}}}}"#
        )
    }

    #[test]
    fn projected_crs_needs_proj_crs84_accepted() {
        let path = Path::new("f.geojson");
        let mut doc = parse_str(&fc("urn:ogc:def:crs:OGC:1.3:CRS84")).unwrap();
        let default = ReadOptions::default();
        assert!(to_lon_lat(&mut doc, path, &default).is_ok());
        let mut doc = parse_str(&fc("urn:ogc:def:crs:EPSG::3857")).unwrap();
        let result = to_lon_lat(&mut doc, path, &default);
        if cfg!(feature = "proj") {
            assert!(result.is_ok());
        } else {
            let msg = result.unwrap_err().to_string();
            assert!(
                msg.starts_with("f.geojson: ")
                    && msg.contains("EPSG:3857")
                    && msg.contains("`proj`"),
                "{msg}"
            );
        }
    }

    #[test]
    fn input_crs_must_agree_with_the_file() {
        let path = Path::new("f.geojson");
        let web = ReadOptions::default().input_crs(Some(Crs::epsg_code(3857)));
        let mut doc = parse_str(&fc("EPSG:6385")).unwrap();
        let msg = to_lon_lat(&mut doc, path, &web).unwrap_err().to_string();
        assert!(
            msg.contains("EPSG:6385") && msg.contains("EPSG:3857"),
            "{msg}"
        );
        // The same CRS, however named, is fine; so is WGS84 under either name.
        let lon_lat = ReadOptions::default().input_crs(Some(Crs::epsg_code(4326)));
        let mut doc = parse_str(&fc("urn:ogc:def:crs:OGC:1.3:CRS84")).unwrap();
        assert!(to_lon_lat(&mut doc, path, &lon_lat).is_ok());
        let mut doc = parse_str(&fc("urn:ogc:def:crs:EPSG::3857")).unwrap();
        assert_eq!(
            to_lon_lat(&mut doc, path, &web).is_ok(),
            cfg!(feature = "proj")
        );
    }
}
