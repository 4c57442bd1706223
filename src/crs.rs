//! Coordinate reference systems: what a file says its coordinates are in.
//!
//! frontline measures on WGS84 longitude/latitude. A file in another CRS (a
//! legacy GeoJSON `crs` member, a Shapefile's `.prj`, FlatGeobuf or GeoParquet
//! metadata, or `--input-crs`) is reprojected on the way in, which needs PROJ (the
//! `proj` cargo feature). Without it a projected file is an error that names its
//! CRS: coordinates are never measured as if they were degrees when they are not.
//!
//! `OGC:CRS84` and `EPSG:4326` need no PROJ. EPSG:4326 is latitude-first by its
//! definition, but GeoJSON, Shapefile, FlatGeobuf and GeoParquet files declaring
//! it store longitude first (the "traditional GIS order" GDAL writes), so both are
//! read as longitude/latitude.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// A coordinate reference system, as a file or the user named it.
///
/// ```
/// use frontline::crs::Crs;
/// let web: Crs = "urn:ogc:def:crs:EPSG::3857".parse().unwrap();
/// assert_eq!(web.epsg(), Some(3857));
/// assert!(!web.is_lon_lat());
/// assert_eq!(web.to_string(), "EPSG:3857");
/// assert!("urn:ogc:def:crs:OGC:1.3:CRS84".parse::<Crs>().unwrap().is_lon_lat());
/// assert!(Crs::epsg_code(4326).is_lon_lat());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crs {
    /// What PROJ is given: `EPSG:NNNN` when there is a code, else the text as read
    /// (WKT, PROJJSON, a PROJ string, `AUTHORITY:CODE`).
    definition: String,
    epsg: Option<u32>,
    lon_lat: bool,
}

impl Crs {
    /// WGS84 longitude/latitude (`OGC:CRS84`), the CRS of RFC 7946 GeoJSON.
    pub fn wgs84() -> Crs {
        Crs {
            definition: "OGC:CRS84".into(),
            epsg: None,
            lon_lat: true,
        }
    }

    /// The CRS with an EPSG code.
    pub fn epsg_code(code: u32) -> Crs {
        Crs {
            definition: format!("EPSG:{code}"),
            epsg: Some(code),
            lon_lat: code == 4326,
        }
    }

    /// Reads a CRS name: `EPSG:NNNN`, an OGC URN or URL, `CRS84`, WKT (as in a
    /// `.prj`), PROJJSON, or anything else PROJ may know (checked only when used).
    pub fn parse(text: &str) -> Result<Crs> {
        let t = text.trim().trim_start_matches('\u{feff}');
        if t.is_empty() {
            return Err(Error::Invalid("an empty coordinate system name".into()));
        }
        let upper = t.to_ascii_uppercase();
        if upper.ends_with("CRS84") && !upper.contains('[') && !upper.starts_with('{') {
            return Ok(Crs::wgs84());
        }
        if let Some(code) = epsg_in_name(&upper) {
            return Ok(Crs::epsg_code(code));
        }
        if upper.starts_with('{') {
            return Ok(Crs {
                epsg: projjson_epsg(t),
                lon_lat: projjson_epsg(t) == Some(4326) || is_wgs84_projjson(t),
                definition: t.to_string(),
            });
        }
        if upper.contains('[') {
            let epsg = wkt_epsg(&upper);
            return Ok(Crs {
                lon_lat: epsg == Some(4326) || is_wgs84_geographic_wkt(&upper),
                epsg,
                definition: t.to_string(),
            });
        }
        Ok(Crs {
            definition: t.to_string(),
            epsg: None,
            lon_lat: false,
        })
    }

    /// Whether coordinates are WGS84 longitude/latitude already.
    pub fn is_lon_lat(&self) -> bool {
        self.lon_lat
    }

    /// The EPSG code, when the CRS has one.
    pub fn epsg(&self) -> Option<u32> {
        self.epsg
    }

    /// The definition handed to PROJ.
    pub fn definition(&self) -> &str {
        &self.definition
    }
}

impl FromStr for Crs {
    type Err = Error;
    fn from_str(s: &str) -> Result<Crs> {
        Crs::parse(s)
    }
}

impl fmt::Display for Crs {
    /// A short name: `EPSG:NNNN`, `OGC:CRS84`, the WKT's name, or the text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epsg.is_some() || !self.definition.contains(['[', '{']) {
            if let Some(code) = self.epsg {
                return write!(f, "EPSG:{code}");
            }
            return f.write_str(&self.definition);
        }
        match first_quoted(&self.definition) {
            Some(name) => write!(f, "{name:?}"),
            None => f.write_str(&self.definition),
        }
    }
}

/// WKT1 of WGS84 longitude/latitude, as GDAL writes it in a `.prj`.
const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Longitude",EAST],AXIS["Latitude",NORTH]]"#;

impl Crs {
    /// The CRS as WKT (for a `.prj` or a FlatGeobuf header). WGS84 needs no PROJ;
    /// other CRSs need the `proj` feature unless they were read as WKT.
    pub fn to_wkt(&self) -> Result<String> {
        if self.lon_lat {
            return Ok(WGS84_WKT.to_string());
        }
        if self.definition.contains('[') {
            return Ok(self.definition.clone());
        }
        Err(self.needs_proj("written as WKT"))
    }

    /// The CRS as PROJJSON (GeoParquet metadata). `None` for WGS84
    /// longitude/latitude, which GeoParquet takes as its default (OGC:CRS84).
    pub fn to_projjson(&self) -> Result<Option<String>> {
        if self.lon_lat {
            return Ok(None);
        }
        if self.definition.starts_with('{') {
            return Ok(Some(self.definition.clone()));
        }
        Err(self.needs_proj("written as PROJJSON"))
    }

    /// The error for a CRS that needs PROJ in a build without it.
    fn needs_proj(&self, what: &str) -> Error {
        Error::Invalid(format!(
            "the coordinate system {self} can only be {what} with PROJ: build frontline \
             with the `proj` feature (cargo build --features proj)"
        ))
    }
}

/// A reprojection of coordinates from one CRS to another; the identity between two
/// longitude/latitude CRSs, which needs no PROJ.
///
/// ```
/// use frontline::crs::{Crs, Transform};
/// let t = Transform::new(&Crs::epsg_code(4326), &Crs::wgs84()).unwrap();
/// assert!(t.is_identity());
/// let mut g = geojson::Geometry::new(geojson::GeometryValue::new_point([37.5, 48.1]));
/// t.apply(&mut g).unwrap();
/// assert_eq!(g, geojson::Geometry::new(geojson::GeometryValue::new_point([37.5, 48.1])));
/// ```
#[derive(Debug)]
pub struct Transform {
    from: Crs,
    to: Crs,
}

impl Transform {
    /// The transformation from `from` to `to`, in longitude/latitude (x = east)
    /// order on both sides.
    pub fn new(from: &Crs, to: &Crs) -> Result<Transform> {
        let t = Transform {
            from: from.clone(),
            to: to.clone(),
        };
        if !t.is_identity() {
            return Err(from.needs_proj(&format!("reprojected to {to}")));
        }
        Ok(t)
    }

    /// Whether coordinates come out as they went in.
    pub fn is_identity(&self) -> bool {
        self.from.lon_lat && self.to.lon_lat || self.from == self.to
    }

    /// Reprojects every position of a geometry in place (Z and further values kept).
    pub fn apply(&self, geometry: &mut geojson::Geometry) -> Result<()> {
        if self.is_identity() {
            return Ok(());
        }
        geometry.bbox = None;
        positions_mut(&mut geometry.value, &mut |p| self.position(p))
    }

    /// Reprojects one position (x, y first).
    fn position(&self, _position: &mut geojson::Position) -> Result<()> {
        Err(self.from.needs_proj(&format!("reprojected to {}", self.to)))
    }
}

/// Calls `f` on every position of a geometry, collections included.
fn positions_mut(
    value: &mut geojson::GeometryValue,
    f: &mut impl FnMut(&mut geojson::Position) -> Result<()>,
) -> Result<()> {
    use geojson::GeometryValue as G;
    match value {
        G::Point { coordinates } => f(coordinates),
        G::MultiPoint { coordinates } | G::LineString { coordinates } => {
            coordinates.iter_mut().try_for_each(f)
        }
        G::MultiLineString { coordinates } | G::Polygon { coordinates } => {
            coordinates.iter_mut().flatten().try_for_each(f)
        }
        G::MultiPolygon { coordinates } => {
            coordinates.iter_mut().flatten().flatten().try_for_each(f)
        }
        G::GeometryCollection { geometries } => geometries.iter_mut().try_for_each(|g| {
            g.bbox = None;
            positions_mut(&mut g.value, f)
        }),
    }
}

/// `EPSG:NNNN`, `urn:ogc:def:crs:EPSG:[version]:NNNN`,
/// `http://www.opengis.net/def/crs/EPSG/0/NNNN`.
fn epsg_in_name(upper: &str) -> Option<u32> {
    let rest = upper
        .strip_prefix("EPSG:")
        .or_else(|| upper.strip_prefix("URN:OGC:DEF:CRS:EPSG:"))
        .or_else(|| {
            upper
                .strip_prefix("HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/")
                .or_else(|| upper.strip_prefix("HTTPS://WWW.OPENGIS.NET/DEF/CRS/EPSG/"))
        })?;
    let code = rest.rsplit([':', '/']).next()?;
    code.parse().ok()
}

/// The outermost `AUTHORITY["EPSG","NNNN"]` / `ID["EPSG",NNNN]` of a WKT: the last
/// one, since WKT1 puts the CRS's own after those of its parts.
fn wkt_epsg(upper: &str) -> Option<u32> {
    let at = upper
        .rfind("AUTHORITY[\"EPSG\"")
        .or_else(|| upper.rfind("ID[\"EPSG\""))?;
    // A trailing authority belongs to the whole CRS only if nothing but closing
    // brackets follows it.
    let tail = &upper[at..];
    let close = tail.find(']')?;
    if !tail[close + 1..]
        .chars()
        .all(|c| c == ']' || c.is_whitespace())
    {
        return None;
    }
    let digits: String = tail[..close]
        .chars()
        .skip_while(|c| *c != ',')
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// An ESRI or OGC WKT of geographic WGS84 (what a `.prj` of lon/lat data holds).
fn is_wgs84_geographic_wkt(upper: &str) -> bool {
    let geographic = ["GEOGCS[", "GEOGCRS[", "GEODCRS["]
        .iter()
        .any(|k| upper.starts_with(k));
    let datum = upper.contains("WGS_1984") || upper.contains("WGS 84") || upper.contains("WGS84");
    geographic && datum && !upper.contains("PROJCS[") && !upper.contains("PROJCRS[")
}

fn projjson_epsg(text: &str) -> Option<u32> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let id = v.get("id")?;
    if id.get("authority")?.as_str()? != "EPSG" {
        return None;
    }
    id.get("code")?.as_u64().and_then(|c| u32::try_from(c).ok())
}

fn is_wgs84_projjson(text: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let id = v.get("id");
    id.and_then(|i| i.get("authority")).and_then(|a| a.as_str()) == Some("OGC")
        && id.and_then(|i| i.get("code")).and_then(|c| c.as_str()) == Some("CRS84")
}

fn first_quoted(text: &str) -> Option<&str> {
    let start = text.find('"')? + 1;
    let len = text[start..].find('"')?;
    Some(&text[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read() {
        for (name, epsg, lon_lat) in [
            ("EPSG:4326", Some(4326), true),
            ("epsg:3857", Some(3857), false),
            ("urn:ogc:def:crs:EPSG::6384", Some(6384), false),
            ("urn:ogc:def:crs:EPSG:6.6:4326", Some(4326), true),
            (
                "http://www.opengis.net/def/crs/EPSG/0/6385",
                Some(6385),
                false,
            ),
            ("urn:ogc:def:crs:OGC:1.3:CRS84", None, true),
            ("OGC:CRS84", None, true),
        ] {
            let crs = Crs::parse(name).unwrap();
            assert_eq!((crs.epsg(), crs.is_lon_lat()), (epsg, lon_lat), "{name}");
        }
        assert!(Crs::parse("  ").is_err());
        assert!(!Crs::parse("+proj=merc").unwrap().is_lon_lat());
    }

    #[test]
    fn prj_wkt_is_read() {
        let esri = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        let crs = Crs::parse(esri).unwrap();
        assert!(crs.is_lon_lat());
        assert_eq!(crs.to_string(), "\"GCS_WGS_1984\"");
        let merc = r#"PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]],PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AUTHORITY["EPSG","3857"]]"#;
        let crs = Crs::parse(merc).unwrap();
        assert_eq!(crs.epsg(), Some(3857));
        assert!(!crs.is_lon_lat());
        // A projected WKT without a code is not mistaken for its base CRS.
        let esri_merc = r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Mercator_Auxiliary_Sphere"],UNIT["Meter",1.0]]"#;
        let crs = Crs::parse(esri_merc).unwrap();
        assert_eq!(crs.epsg(), None);
        assert!(!crs.is_lon_lat());
    }
}
