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
use std::marker::PhantomData;
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
    ///
    /// # Errors
    ///
    /// An error for an empty name.
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
    /// Whether two names stand for the same coordinates: both WGS84
    /// longitude/latitude, the same EPSG code, or the same definition.
    ///
    /// ```
    /// use frontline::crs::Crs;
    /// let web: Crs = "urn:ogc:def:crs:EPSG::3857".parse().unwrap();
    /// assert!(web.same_as(&Crs::epsg_code(3857)));
    /// assert!(Crs::epsg_code(4326).same_as(&Crs::wgs84()));
    /// assert!(!web.same_as(&Crs::epsg_code(6385)));
    /// ```
    pub fn same_as(&self, other: &Crs) -> bool {
        self.lon_lat && other.lon_lat
            || self.epsg.is_some() && self.epsg == other.epsg
            || self.definition == other.definition
    }

    /// The CRS as WKT (for a `.prj` or a FlatGeobuf header). WGS84
    /// longitude/latitude needs no PROJ, and a CRS read as WKT is given back as it
    /// was read (checked by PROJ when the `proj` feature is on). Any other CRS
    /// needs the `proj` feature: PROJ writes it as WKT1 (GDAL flavour), or as
    /// WKT2:2019 when WKT1 cannot express it.
    ///
    /// ```
    /// use frontline::crs::Crs;
    /// assert!(Crs::wgs84().to_wkt().unwrap().starts_with("GEOGCS[\"WGS 84\""));
    /// # #[cfg(feature = "proj")]
    /// assert!(Crs::epsg_code(3857).to_wkt().unwrap().contains("Pseudo-Mercator"));
    /// # #[cfg(not(feature = "proj"))]
    /// assert!(Crs::epsg_code(3857).to_wkt().unwrap_err().to_string().contains("`proj` feature"));
    /// ```
    ///
    /// # Errors
    ///
    /// An error when PROJ rejects the CRS, or when it needs the `proj` feature and
    /// that is off.
    pub fn to_wkt(&self) -> Result<String> {
        if self.lon_lat {
            return Ok(WGS84_WKT.to_string());
        }
        #[cfg(feature = "proj")]
        {
            if self.definition.contains('[') {
                engine::crs_object(self)?;
                return Ok(self.definition.clone());
            }
            engine::wkt(self)
        }
        #[cfg(not(feature = "proj"))]
        {
            if self.definition.contains('[') {
                return Ok(self.definition.clone());
            }
            Err(self.needs_proj("written as WKT"))
        }
    }

    /// The CRS as PROJJSON (GeoParquet metadata). `None` for WGS84
    /// longitude/latitude, which GeoParquet takes as its default (OGC:CRS84). A CRS
    /// read as PROJJSON is given back as read; any other needs the `proj` feature.
    ///
    /// ```
    /// use frontline::crs::Crs;
    /// assert_eq!(Crs::wgs84().to_projjson().unwrap(), None);
    /// # #[cfg(feature = "proj")]
    /// assert!(Crs::epsg_code(3857).to_projjson().unwrap().unwrap().contains("\"code\":3857"));
    /// ```
    ///
    /// # Errors
    ///
    /// An error when PROJ rejects the CRS, or when it needs the `proj` feature and
    /// that is off.
    pub fn to_projjson(&self) -> Result<Option<String>> {
        if self.lon_lat {
            return Ok(None);
        }
        #[cfg(feature = "proj")]
        {
            if self.definition.starts_with('{') {
                engine::crs_object(self)?;
                return Ok(Some(self.definition.clone()));
            }
            engine::projjson(self).map(Some)
        }
        #[cfg(not(feature = "proj"))]
        {
            if self.definition.starts_with('{') {
                return Ok(Some(self.definition.clone()));
            }
            Err(self.needs_proj("written as PROJJSON"))
        }
    }

    /// The error for a CRS that needs PROJ in a build without it.
    #[cfg_attr(feature = "proj", allow(dead_code))]
    fn needs_proj(&self, what: &str) -> Error {
        Error::Invalid(format!(
            "the coordinate system {self} can only be {what} with PROJ: build frontline \
             with the `proj` feature (cargo build --features proj)"
        ))
    }
}

/// A reprojection of coordinates from one CRS to another, x = longitude or
/// easting and y = latitude or northing on both sides (whatever the CRS's own axis
/// order: EPSG:4326 is latitude-first by definition, but files store longitude
/// first). Between two longitude/latitude CRSs it is the identity, which needs no
/// PROJ; anything else needs the `proj` feature.
///
/// A `Transform` belongs to the thread that made it (PROJ's objects may not be
/// shared between threads): it is neither `Send` nor `Sync`, with or without the
/// feature. Make one per file or per thread: each thread keeps the few it made
/// last, so making the same one again costs nothing.
///
/// ```
/// use frontline::crs::{Crs, Transform};
/// let t = Transform::new(&Crs::epsg_code(4326), &Crs::wgs84())?;
/// assert!(t.is_identity());
/// let mut g = geojson::Geometry::new(geojson::GeometryValue::new_point([37.5, 48.1]));
/// t.apply(&mut g)?;
/// assert_eq!(g, geojson::Geometry::new(geojson::GeometryValue::new_point([37.5, 48.1])));
///
/// // Web Mercator metres to WGS84 degrees (with the `proj` feature).
/// # #[cfg(feature = "proj")] {
/// let t = Transform::new(&Crs::epsg_code(3857), &Crs::wgs84())?;
/// let (lon, lat) = t.xy(4_174_480.905, 6_123_507.425)?;
/// assert!((lon - 37.5).abs() < 1e-7 && (lat - 48.1).abs() < 1e-7);
/// // And back, as a writer does: geo geometries too.
/// let mut p = geo::point!(x: 37.5, y: 48.1);
/// Transform::new(&Crs::wgs84(), &Crs::epsg_code(3857))?.apply_geo(&mut p)?;
/// assert!((p.x() - 4_174_480.905).abs() < 1e-3 && (p.y() - 6_123_507.425).abs() < 1e-3);
/// # }
/// # #[cfg(not(feature = "proj"))]
/// assert!(Transform::new(&Crs::epsg_code(3857), &Crs::wgs84()).is_err());
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Debug)]
pub struct Transform {
    from: Crs,
    to: Crs,
    /// PROJ's transformation; `None` for the identity.
    #[cfg(feature = "proj")]
    proj: Option<std::rc::Rc<proj::Proj>>,
    /// Not `Send` or `Sync` in any build, so that code written without the
    /// feature still compiles with it.
    _per_thread: PhantomData<*const ()>,
}

impl Transform {
    /// The transformation from `from` to `to`. An unknown CRS (`EPSG:999999`,
    /// broken WKT) is an error naming it.
    ///
    /// # Errors
    ///
    /// An error naming the CRS PROJ does not know, or, without the `proj` feature,
    /// for any pair that is not the identity.
    pub fn new(from: &Crs, to: &Crs) -> Result<Transform> {
        let identity = from.lon_lat && to.lon_lat || from == to;
        #[cfg(not(feature = "proj"))]
        if !identity {
            return Err(needs_proj_between(from, to));
        }
        Ok(Transform {
            from: from.clone(),
            to: to.clone(),
            #[cfg(feature = "proj")]
            proj: if identity {
                None
            } else {
                Some(engine::transformation(from, to)?)
            },
            _per_thread: PhantomData,
        })
    }

    /// Whether coordinates come out as they went in.
    pub fn is_identity(&self) -> bool {
        self.from.lon_lat && self.to.lon_lat || self.from == self.to
    }

    /// The CRS coordinates are taken from.
    pub fn from_crs(&self) -> &Crs {
        &self.from
    }

    /// The CRS coordinates are taken to.
    pub fn to_crs(&self) -> &Crs {
        &self.to
    }

    /// Reprojects every position of a geometry in place (Z and further values kept
    /// as they are: frontline measures in two dimensions). The bounding box, if
    /// any, is dropped.
    ///
    /// # Errors
    ///
    /// An error for the first position that cannot be reprojected (see
    /// [`xy`](Self::xy)).
    pub fn apply(&self, geometry: &mut geojson::Geometry) -> Result<()> {
        if self.is_identity() {
            return Ok(());
        }
        geometry.bbox = None;
        positions_mut(&mut geometry.value, &mut |p| self.position(p))
    }

    /// Reprojects every coordinate of a `geo` geometry in place.
    ///
    /// # Errors
    ///
    /// An error for the first coordinate that cannot be reprojected (see
    /// [`xy`](Self::xy)).
    pub fn apply_geo<G: geo::MapCoordsInPlace<f64>>(&self, geometry: &mut G) -> Result<()> {
        if self.is_identity() {
            return Ok(());
        }
        geometry
            .try_map_coords_in_place(|c| self.xy(c.x, c.y).map(|(x, y)| geo::coord! {x: x, y: y}))
    }

    /// Reprojects one position (x, y first; any further values kept).
    ///
    /// # Errors
    ///
    /// An error for a position with fewer than two values, or one that cannot be
    /// reprojected (see [`xy`](Self::xy)).
    pub fn position(&self, position: &mut geojson::Position) -> Result<()> {
        if self.is_identity() {
            return Ok(());
        }
        let [x, y, ..] = position.as_slice_mut() else {
            return Err(Error::Invalid(
                "a position with fewer than two numbers".into(),
            ));
        };
        (*x, *y) = self.xy(*x, *y)?;
        Ok(())
    }

    /// Reprojects one coordinate pair. A position PROJ cannot reproject, or that
    /// lies outside the source CRS's domain (it does not map back to itself), is an
    /// error, never a silently wrong coordinate.
    ///
    /// # Errors
    ///
    /// An error when PROJ cannot reproject the pair, when it lies outside the
    /// source CRS's domain, or when the transformation needs the `proj` feature.
    pub fn xy(&self, x: f64, y: f64) -> Result<(f64, f64)> {
        if self.is_identity() {
            return Ok((x, y));
        }
        #[cfg(feature = "proj")]
        if let Some(proj) = &self.proj {
            return engine::convert(proj, x, y).map_err(|why| {
                Error::Invalid(format!(
                    "the position [{x}, {y}] cannot be reprojected from {} to {}: {why}",
                    self.from, self.to
                ))
            });
        }
        Err(needs_proj_between(&self.from, &self.to))
    }
}

/// The error for a reprojection in a build without PROJ.
fn needs_proj_between(from: &Crs, to: &Crs) -> Error {
    let named = if from.lon_lat { to } else { from };
    Error::Invalid(format!(
        "the coordinate system {named} needs PROJ (reprojecting from {from} to {to}): \
         build frontline with the `proj` feature (cargo build --features proj)"
    ))
}

/// Everything that calls PROJ.
#[cfg(feature = "proj")]
mod engine {
    use std::cell::RefCell;
    use std::rc::Rc;

    use proj::Proj;
    use proj::wkt::WktVersion;

    use super::Crs;
    use crate::{Error, Result};

    /// PROJ's object for a CRS on its own; an error naming it when PROJ does not
    /// know it.
    pub(super) fn crs_object(crs: &Crs) -> Result<Proj> {
        quiet();
        Proj::new(crs.definition()).map_err(|e| {
            let why = reason(&e.to_string());
            // With its log silenced, PROJ says no more than "Unknown error" here.
            if why.starts_with("Unknown error") {
                Error::Invalid(format!("the coordinate system {crs} is unknown to PROJ"))
            } else {
                Error::Invalid(format!(
                    "the coordinate system {crs} is unknown to PROJ ({why})"
                ))
            }
        })
    }

    pub(super) fn wkt(crs: &Crs) -> Result<String> {
        let object = crs_object(crs)?;
        object
            .as_wkt(Some(WktVersion::Wkt1_Gdal), None)
            .or_else(|_| object.as_wkt(Some(WktVersion::Wkt2_2019), None))
            .map_err(|e| Error::Invalid(format!("PROJ cannot write {crs} as WKT: {e}")))
    }

    pub(super) fn projjson(crs: &Crs) -> Result<String> {
        crs_object(crs)?
            .to_projjson(Some(false), None, None)
            .map_err(|e| Error::Invalid(format!("PROJ cannot write {crs} as PROJJSON: {e}")))
    }

    thread_local! {
        /// The transformations made on this thread. Making one opens PROJ's
        /// database (tens of milliseconds), so a thread that reads many files in
        /// the same CRS (a timeline) makes it once.
        static MADE: RefCell<Vec<(String, String, Rc<Proj>)>> = const { RefCell::new(Vec::new()) };
    }

    /// The transformation between two CRSs, normalised to x = east (PROJ's
    /// `proj_normalize_for_visualization`, which `new_known_crs` applies). When
    /// PROJ has none, each CRS is tried on its own so that the error names the
    /// unknown one.
    pub(super) fn transformation(from: &Crs, to: &Crs) -> Result<Rc<Proj>> {
        quiet();
        let key = |f: &String, t: &String| f == from.definition() && t == to.definition();
        let made = MADE.with_borrow(|made| {
            made.iter()
                .find(|(f, t, _)| key(f, t))
                .map(|(_, _, p)| Rc::clone(p))
        });
        if let Some(proj) = made {
            return Ok(proj);
        }
        let proj = match Proj::new_known_crs(from.definition(), to.definition(), None) {
            Ok(proj) => Rc::new(proj),
            Err(e) => {
                crs_object(from)?;
                crs_object(to)?;
                return Err(Error::Invalid(format!(
                    "PROJ has no transformation from {from} to {to} ({})",
                    reason(&e.to_string())
                )));
            }
        };
        MADE.with_borrow_mut(|made| {
            // A few pairs at most are in use at once; keep the cache small.
            if made.len() >= 8 {
                made.remove(0);
            }
            made.push((
                from.definition().to_string(),
                to.definition().to_string(),
                Rc::clone(&proj),
            ));
        });
        Ok(proj)
    }

    /// One coordinate pair, checked: finite in, finite out, and mapping back to
    /// where it came from. PROJ maps some positions outside a projection's domain
    /// to finite values anyway (Web Mercator's y = 10³⁰ to the pole); the way back
    /// tells them.
    pub(super) fn convert(proj: &Proj, x: f64, y: f64) -> std::result::Result<(f64, f64), String> {
        if !x.is_finite() || !y.is_finite() {
            return Err("not a finite number".into());
        }
        let (ox, oy) = proj.convert((x, y)).map_err(|e| reason(&e.to_string()))?;
        if !ox.is_finite() || !oy.is_finite() {
            return Err(format!("PROJ gives [{ox}, {oy}]"));
        }
        // `project` with `inverse` runs the same pipeline backwards, in the same
        // (normalised) units.
        let (bx, by) = proj
            .project((ox, oy), true)
            .map_err(|e| format!("it does not map back ({})", reason(&e.to_string())))?;
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-7 * (1.0 + b.abs());
        if !(close(bx, x) && close(by, y)) {
            return Err(format!(
                "outside the domain of the coordinate system: it goes to [{ox}, {oy}], \
                 which maps back to [{bx}, {by}]"
            ));
        }
        Ok((ox, oy))
    }

    /// Silences PROJ's own log on stderr (`proj_create: crs not found: ...`):
    /// its errors reach the user in frontline's messages, which name the file.
    fn quiet() {
        static QUIET: std::sync::Once = std::sync::Once::new();
        QUIET.call_once(|| {
            // SAFETY: a null context stands for PROJ's default context, which every
            // context made later copies (`proj_context_create`); this only sets its
            // log level, once, and takes no pointer of ours.
            unsafe {
                proj_sys::proj_log_level(std::ptr::null_mut(), proj_sys::PJ_LOG_LEVEL_PJ_LOG_NONE);
            }
        });
    }

    /// PROJ's own words, without the crate's prefix.
    fn reason(message: &str) -> String {
        message
            .split_once(": ")
            .map_or(message, |(_, why)| why)
            .trim()
            .to_string()
    }
}

/// Calls `f` on every position of a geometry, collections included.
pub(crate) fn positions_mut(
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
