//! KML and KMZ, as Google Earth and Google My Maps read and write them: parsed and
//! written by the georust `kml` crate, KMZ (a zip) by the `zip` crate.
//!
//! # Reading
//! A KML file is XML whose root is `<kml>`; a KMZ is a zip holding `doc.kml`, else
//! its first `.kml` (as Google Earth reads it). Before the `kml` crate parses it,
//! the text is checked: well-formed XML cut short nowhere, a `<kml>` root, no
//! NetworkLink (never followed: the file itself must hold the map), elements
//! nested at most [`MAX_DEPTH`] deep, every coordinate tuple two or three numbers
//! and every Point with one; an error names the file and the placemark. A KMZ's
//! KML is read up to [`MAX_BYTES`] and at most [`MAX_RATIO`] times its compressed
//! size (a zip bomb is refused, not unpacked).
//!
//! Every Placemark, inside Folders or not, becomes a feature whose properties are
//! - `name`, `description` and `styleUrl` as written;
//! - `fill` and `fill-opacity` (PolyStyle), `stroke` (LineStyle) from its style:
//!   inline, or shared through `styleUrl` (a StyleMap's `normal` style), KML's
//!   `aabbggrr` turned into `#rrggbb`, so that DeepState's colours classify a
//!   Google My Maps export (`import::deepstate`, rule 3);
//! - `folder`: the names of the Folders around it, outermost first, joined by
//!   ` / ` (e.g. for `--status-property folder`);
//! - `begin` and `end` (TimeSpan), `timestamp` (TimeStamp);
//! - every ExtendedData `Data` and `SchemaData`/`SimpleData` value, as text, where
//!   it does not clash with the above.
//!
//! Coordinates are WGS84 longitude/latitude, the only CRS KML has; altitudes are
//! dropped.
//!
//! # Writing
//! One Placemark per feature in one Document, with
//! - `<name>` from the `name` property; `<description>` from `description`, else
//!   the `status`, `area_km2` (the geodesic km² [`Export`](crate::export::Export)
//!   measured) and dates;
//! - an inline Style from the simplestyle-spec properties (`fill`,
//!   `fill-opacity`, `stroke`, `stroke-opacity`, `stroke-width`, `marker-color`),
//!   i.e. the colours of the GeoJSON export;
//! - a TimeSpan (begin: `date` or `begin`; end: `until` or `end`) when the feature
//!   has an end, or when any feature of the collection has one (a time-enabled
//!   series: the last snapshot's features then begin and never end), so that
//!   Google Earth's time slider plays the series;
//! - every property but `name` and `description` in ExtendedData, so that reading
//!   the file back gives them again (as text).
//!
//! Inline styles, not shared ones: a file read back then has no `styleUrl`, and
//! is not taken for a DeepState map whose colours say the status (frontline's
//! colour for other territories is one of DeepState's for occupied ground).
//!
//! ```
//! use frontline::{crs::Crs, export::Export, import, Status};
//! // A Google My Maps export: statuses from its shared styles' fill colours.
//! let zones = import::read_zones("data/mymaps_sample.kml", None)?;
//! assert_eq!(zones.report.zones[&Status::OCCUPIED], 1);
//! // Written for Google Earth: styled by status, the km² in each description.
//! let dir = std::env::temp_dir().join(format!("frontline-kml-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let mut export = Export::new(Default::default())?;
//! export.layers(&zones.snapshot)?;
//! let path = dir.join("zones.kmz");
//! frontline::convert::write(&export.to_feature_collection(), &path, &Crs::wgs84(), None)?;
//! let back = import::read_places(&path)?;
//! let occupied = &back.find("Occupied")?[0].properties;
//! assert!(occupied["description"].as_str().unwrap().contains(" km² (geodesic"));
//! assert_eq!(occupied["fill"], "#a52714");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), frontline::Error>(())
//! ```

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use kml::types::{Coord, Element, Geometry, LineString, LinearRing, MultiGeometry};
use kml::types::{Placemark, Point, Polygon};
use kml::{Kml, KmlDocument, KmlReader, KmlVersion, KmlWriter};
use quick_xml::events::Event;
use serde_json::{Map, Value};

use super::shape::{Ring, Shape};
use super::{Document, Feature, Format};
use crate::crs::Crs;
use crate::{Error, Result};

/// The most KML text read from a KMZ (512 MiB).
pub const MAX_BYTES: u64 = 512 << 20;
/// How many times its compressed size a KMZ's KML may be, once past 1 MiB. KML
/// compresses 5 to 30 times; DEFLATE's limit is 1032.
pub const MAX_RATIO: u64 = 200;
/// How deep elements may nest (the `kml` crate reads them recursively).
pub const MAX_DEPTH: usize = 64;

/// The namespace of KML 2.2.
const NAMESPACE: &str = "http://www.opengis.net/kml/2.2";

/// Whether the first bytes of a file are XML whose first element is `<kml>` (with
/// a namespace prefix or not), after any byte order mark, declaration, comments.
///
/// ```
/// use frontline::formats::Format;
/// assert_eq!(Format::from_magic(b"\xef\xbb\xbf<!-- x --><kml:kml xmlns:kml="), Some(Format::Kml));
/// assert_eq!(Format::from_magic(b"<?xml version=\"1.0\"?><gpx>"), None);
/// ```
pub(crate) fn looks_like_kml(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    if !head.trim_ascii_start().starts_with(b"<") {
        return false;
    }
    let first = head
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'<')
        .map(|(i, _)| &head[i + 1..])
        .find(|rest| !rest.starts_with(b"?") && !rest.starts_with(b"!"));
    let Some(rest) = first else {
        return false;
    };
    let end = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
        .unwrap_or(rest.len());
    let name = &rest[..end];
    let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
    local == b"kml" && end < rest.len()
}

/// Reads a KML or KMZ file (told by its content: a zip is KMZ; `format` says
/// which the caller expects, for the message when a `.kmz` is not a zip).
pub(crate) fn read(path: &Path, format: Format) -> Result<Document> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut features = Vec::new();
    if bytes.starts_with(b"PK\x03\x04") {
        let mut kmz = Kmz::open(&bytes, path)?;
        let main = kmz.main()?;
        let text = kmz.read(main)?;
        let links = parse(&text, Some(&kmz.names[main]), None, path, &mut features)?;
        for link in links {
            // An entry of the same archive (GDAL writes a KMZ's layers so) is part
            // of the file; anything else is not followed.
            let Some(index) = link.href.as_deref().and_then(|h| kmz.find(h)) else {
                return Err(Error::format(
                    path,
                    format!("{} in the KMZ: {}", kmz.names[main], link.error()),
                ));
            };
            let text = kmz.read(index)?;
            let name = kmz.names[index].clone();
            if let Some(inner) = parse(
                &text,
                Some(&name),
                link.name.as_deref(),
                path,
                &mut features,
            )?
            .first()
            {
                return Err(Error::format(
                    path,
                    format!("{name} in the KMZ: {}", inner.error()),
                ));
            }
        }
    } else if format == Format::Kmz {
        return Err(Error::format(
            path,
            "not a KMZ file: a KMZ is a zip archive, and this is not one",
        ));
    } else if let Some(link) = parse(&bytes, None, None, path, &mut features)?.first() {
        return Err(Error::format(path, link.error()));
    }
    Ok(Document {
        features,
        // KML has one CRS: an --input-crs that says otherwise is an error.
        crs: Some(Crs::wgs84()),
        ..Document::default()
    })
}

/// Parses one KML text (`entry`: its name in a KMZ) and appends its placemarks to
/// `features` (inside a Folder named `folder` when given); returns its
/// NetworkLinks, which the caller follows or refuses.
fn parse(
    text: &[u8],
    entry: Option<&str>,
    folder: Option<&str>,
    path: &Path,
    features: &mut Vec<Feature>,
) -> Result<Vec<Link>> {
    let say = |why: String| match entry {
        Some(name) => format!("{name} in the KMZ: {why}"),
        None => why,
    };
    let text = std::str::from_utf8(text).map_err(|e| {
        Error::format(
            path,
            say(format!(
                "not UTF-8 text, as KML is (byte {})",
                e.valid_up_to()
            )),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let links = check(text, features.len()).map_err(|problem| match problem {
        Problem::File(why) => Error::format(path, say(why)),
        Problem::Placemark { index, name, why } => Error::feature(path, index, name, say(why)),
    })?;
    let root: Kml<f64> = KmlReader::<&[u8], f64>::from_string(text)
        .read()
        .map_err(|e| Error::format(path, say(format!("not readable KML: {e}"))))?;
    let mut styles = Styles::default();
    styles.collect(&root);
    let mut folders: Vec<String> = folder.map(str::to_string).into_iter().collect();
    walk(&root, &mut folders, &styles, features);
    Ok(links)
}

/// A NetworkLink: its name and the URL it links to.
#[derive(Debug, Default)]
struct Link {
    name: Option<String>,
    href: Option<String>,
}

impl Link {
    /// Why it is refused.
    fn error(&self) -> String {
        let name = self
            .name
            .as_deref()
            .map(|n| format!(" {n:?}"))
            .unwrap_or_default();
        let href = self
            .href
            .as_deref()
            .map(|h| format!(" (to {h})"))
            .unwrap_or_default();
        format!(
            "holds a NetworkLink{name}{href}, which frontline does not follow: it reads \
             only what the file itself holds. Export the map without a network link \
             (Google My Maps: untick \"Keep data up to date\"), or download the linked \
             file and read that"
        )
    }
}

/// A KMZ archive being read, within [`MAX_BYTES`] of KML in all.
struct Kmz<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    names: Vec<String>,
    read: u64,
    path: &'a Path,
}

impl<'a> Kmz<'a> {
    fn open(bytes: &'a [u8], path: &'a Path) -> Result<Kmz<'a>> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| Error::format(path, format!("not a readable KMZ (zip) archive: {e}")))?;
        let names = (0..archive.len())
            .map(|i| match archive.name_for_index(i) {
                Some(Ok(n)) => n.into_owned(),
                _ => String::new(),
            })
            .collect();
        Ok(Kmz {
            archive,
            names,
            read: 0,
            path,
        })
    }

    /// The entry Google Earth reads: `doc.kml`, else the first `.kml`.
    fn main(&self) -> Result<usize> {
        let is_kml =
            |n: &String| n.to_ascii_lowercase().ends_with(".kml") && !n.starts_with("__MACOSX/");
        self.names
            .iter()
            .position(|n| n.eq_ignore_ascii_case("doc.kml"))
            .or_else(|| self.names.iter().position(is_kml))
            .ok_or_else(|| {
                let shown: Vec<&str> = self.names.iter().take(5).map(String::as_str).collect();
                Error::format(
                    self.path,
                    format!(
                        "a KMZ without a .kml file in it (it holds {} entries: {}{})",
                        self.names.len(),
                        shown.join(", "),
                        if self.names.len() > 5 { ", ..." } else { "" }
                    ),
                )
            })
    }

    /// The entry a relative link names (`layers/a.kml`, `./layers/a.kml`), if any.
    fn find(&self, href: &str) -> Option<usize> {
        let href = href.trim();
        let href = href.strip_prefix("./").unwrap_or(href);
        if href.contains("://") || href.starts_with('/') || href.split('/').any(|p| p == "..") {
            return None;
        }
        self.names.iter().position(|n| n == href)
    }

    /// An entry's bytes, counted against [`MAX_BYTES`] and [`MAX_RATIO`] as they
    /// are unpacked (the sizes in the archive may lie).
    fn read(&mut self, index: usize) -> Result<Vec<u8>> {
        let path = self.path;
        let name = self.names[index].clone();
        let fail = |why: String| Error::format(path, format!("{name} in the KMZ: {why}"));
        let mut entry = self
            .archive
            .by_index(index)
            .map_err(|e| fail(format!("cannot be read: {e}")))?;
        let compressed = entry.compressed_size().max(1);
        let before = self.read;
        let too_big = |size: u64| {
            before + size > MAX_BYTES || (size > 1 << 20 && size > compressed * MAX_RATIO)
        };
        let bomb = |size: u64| {
            fail(format!(
                "unpacks to {size} bytes or more from {compressed} compressed: refused as \
                 a zip bomb (at most {} MiB of KML, {MAX_RATIO} times its compressed size)",
                MAX_BYTES >> 20
            ))
        };
        if too_big(entry.size()) {
            return Err(bomb(entry.size()));
        }
        let mut out = Vec::with_capacity(entry.size().min(64 << 20) as usize);
        let mut buffer = vec![0u8; 64 << 10];
        loop {
            let n = entry
                .read(&mut buffer)
                .map_err(|e| fail(format!("broken zip data: {e}")))?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buffer[..n]);
            if too_big(out.len() as u64) {
                return Err(bomb(out.len() as u64));
            }
        }
        self.read += out.len() as u64;
        Ok(out)
    }
}

/// What the check before parsing found wrong.
#[derive(Debug)]
enum Problem {
    File(String),
    Placemark {
        index: usize,
        name: Option<String>,
        why: String,
    },
}

/// The placemark being checked.
struct Mark {
    index: usize,
    name: Option<String>,
    problem: Option<String>,
}

/// Checks what the `kml` crate does not: that the XML is well-formed and complete
/// (the crate stops quietly at the end of a file cut short), has a `<kml>` root,
/// no deeper nesting than [`MAX_DEPTH`], and coordinates it can read (it panics
/// on a Point without coordinates); returns the NetworkLinks (the crate keeps
/// them as unknown elements). Placemarks are counted from `first` as the reader
/// yields them (those in Documents and Folders), so the index of one in an error
/// is its feature index.
fn check(text: &str, first: usize) -> std::result::Result<Vec<Link>, Problem> {
    let mut reader = quick_xml::Reader::from_str(text);
    let line = |at: u64| text[..(at as usize).min(text.len())].matches('\n').count() + 1;
    let mut stack: Vec<String> = Vec::new();
    let mut buffer = String::new();
    let mut placemarks = first;
    let mut links = Vec::new();
    let mut mark: Option<Mark> = None;
    let mut point: Option<usize> = None;
    let mut link: Option<Link> = None;
    let file = |why: String| Err(Problem::File(why));
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let at = reader.error_position();
                return file(format!("broken XML on line {}: {e}", line(at)));
            }
        };
        match event {
            Event::Empty(e) if stack.is_empty() => {
                root(&local(e.local_name().as_ref()))?;
                return Ok(links);
            }
            Event::Start(e) if stack.is_empty() => {
                let name = local(e.local_name().as_ref());
                root(&name)?;
                stack.push(name);
            }
            Event::Start(e) => {
                let name = local(e.local_name().as_ref());
                if stack.len() >= MAX_DEPTH {
                    return file(format!(
                        "elements nested more than {MAX_DEPTH} deep (line {})",
                        line(reader.buffer_position())
                    ));
                }
                match name.as_str() {
                    "Placemark"
                        if stack
                            .iter()
                            .all(|n| matches!(n.as_str(), "kml" | "Document" | "Folder")) =>
                    {
                        mark = Some(Mark {
                            index: placemarks,
                            name: None,
                            problem: None,
                        });
                        placemarks += 1;
                    }
                    "Point" => point = Some(0),
                    "NetworkLink" => link = Some(Link::default()),
                    _ => {}
                }
                buffer.clear();
                stack.push(name);
            }
            Event::Empty(e) if e.local_name().as_ref() == "NetworkLink" => {
                links.push(Link::default());
            }
            Event::Text(t) => buffer.push_str(&t),
            Event::CData(t) => buffer.push_str(&t),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    buffer.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_xml_entity(&r) {
                    buffer.push_str(s);
                }
            }
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                let parent = stack.last().map(String::as_str);
                match (name.as_str(), parent) {
                    ("coordinates", _) => {
                        let problem = match tuples(&buffer) {
                            Ok(n) => {
                                if let Some(p) = &mut point {
                                    *p += n;
                                }
                                None
                            }
                            Err(why) => Some(why),
                        };
                        if let Some(why) = problem {
                            match &mut mark {
                                Some(m) => {
                                    m.problem.get_or_insert(why);
                                }
                                None => {
                                    return file(format!(
                                        "{why} (line {})",
                                        line(reader.buffer_position())
                                    ));
                                }
                            }
                        }
                    }
                    ("Point", _) => {
                        let found = point.take();
                        if found == Some(0) {
                            let why = "a Point without coordinates".to_string();
                            match &mut mark {
                                Some(m) => {
                                    m.problem.get_or_insert(why);
                                }
                                None => {
                                    return file(format!(
                                        "{why} (line {})",
                                        line(reader.buffer_position())
                                    ));
                                }
                            }
                        }
                    }
                    ("name", Some("Placemark")) => {
                        if let Some(m) = &mut mark {
                            m.name = Some(buffer.trim().to_string());
                        }
                    }
                    ("name", Some("NetworkLink")) => {
                        if let Some(l) = &mut link {
                            l.name = Some(buffer.trim().to_string());
                        }
                    }
                    ("href", _) if stack.iter().any(|n| n == "NetworkLink") => {
                        if let Some(l) = &mut link {
                            l.href = Some(buffer.trim().to_string());
                        }
                    }
                    ("NetworkLink", _) => links.extend(link.take()),
                    ("Placemark", _) => {
                        if let Some(Mark {
                            index,
                            name,
                            problem: Some(why),
                        }) = mark.take()
                        {
                            return Err(Problem::Placemark { index, name, why });
                        }
                    }
                    _ => {}
                }
                buffer.clear();
                if stack.is_empty() {
                    return Ok(links);
                }
            }
            Event::Eof => {
                return match stack.last() {
                    Some(open) => file(format!("the file ends inside <{open}>: cut short?")),
                    None => file("no <kml> element: not KML".into()),
                };
            }
            _ => {}
        }
    }
}

/// Checks the root element's name.
fn root(name: &str) -> std::result::Result<(), Problem> {
    if name == "kml" {
        Ok(())
    } else {
        Err(Problem::File(format!(
            "not KML: the root element is <{name}>, not <kml>"
        )))
    }
}

/// The local name of an element (its namespace prefix dropped).
fn local(name: &str) -> String {
    name.to_string()
}

/// How many coordinate tuples the text holds, or what is wrong with one: each is
/// two or three numbers separated by commas, tuples by white space.
fn tuples(text: &str) -> std::result::Result<usize, String> {
    let mut n = 0;
    for tuple in text.split_whitespace() {
        let mut numbers = 0;
        for part in tuple.split(',') {
            if part.parse::<f64>().is_err() {
                return Err(format!("coordinates {tuple:?}: {part:?} is not a number"));
            }
            numbers += 1;
        }
        if numbers < 2 {
            return Err(format!(
                "coordinates {tuple:?}: fewer than 2 numbers (longitude,latitude)"
            ));
        }
        n += 1;
    }
    Ok(n)
}

/// Colours of a style as the properties say them.
#[derive(Clone, Debug, Default, PartialEq)]
struct Paint {
    /// `#rrggbb` and opacity.
    fill: Option<(String, f64)>,
    stroke: Option<String>,
}

impl Paint {
    fn or(self, other: Option<&Paint>) -> Paint {
        match other {
            Some(o) => Paint {
                fill: self.fill.or_else(|| o.fill.clone()),
                stroke: self.stroke.or_else(|| o.stroke.clone()),
            },
            None => self,
        }
    }
}

/// The shared styles of a document: Styles by id, StyleMaps by id (to their
/// `normal` style's URL).
#[derive(Debug, Default)]
struct Styles {
    styles: HashMap<String, Paint>,
    maps: HashMap<String, String>,
}

impl Styles {
    fn collect(&mut self, k: &Kml<f64>) {
        match k {
            Kml::KmlDocument(d) => d.elements.iter().for_each(|e| self.collect(e)),
            Kml::Document { elements, .. } => elements.iter().for_each(|e| self.collect(e)),
            Kml::Folder(f) => f.elements.iter().for_each(|e| self.collect(e)),
            Kml::Style(s) => {
                if let Some(id) = &s.id {
                    let paint = Paint {
                        fill: s.poly.as_ref().and_then(|p| colour(&p.color)),
                        stroke: s.line.as_ref().and_then(|l| colour(&l.color)).map(|c| c.0),
                    };
                    self.styles.insert(id.clone(), paint);
                }
            }
            Kml::StyleMap(m) => {
                if let (Some(id), Some(normal)) =
                    (&m.id, m.pairs.iter().find(|p| p.key.trim() == "normal"))
                {
                    self.maps
                        .insert(id.clone(), normal.style_url.trim().to_string());
                }
            }
            _ => {}
        }
    }

    /// The paint a `styleUrl` names in this document (`#id`), through StyleMaps.
    fn resolve(&self, url: &str) -> Option<&Paint> {
        let mut url = url.trim();
        // A StyleMap may name another; a loop ends after a few.
        for _ in 0..4 {
            let id = url.strip_prefix('#')?;
            if let Some(p) = self.styles.get(id) {
                return Some(p);
            }
            url = self.maps.get(id)?;
        }
        None
    }
}

/// KML's `aabbggrr` as `#rrggbb` and an opacity.
fn colour(abgr: &str) -> Option<(String, f64)> {
    let h = abgr.trim().trim_start_matches('#');
    if h.len() != 8 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let alpha = u8::from_str_radix(&h[0..2], 16).ok()?;
    let rgb = format!("#{}{}{}", &h[6..8], &h[4..6], &h[2..4]).to_ascii_lowercase();
    Some((rgb, f64::from(alpha) / 255.0))
}

/// Collects the placemarks of Documents and Folders, in document order.
fn walk(k: &Kml<f64>, folders: &mut Vec<String>, styles: &Styles, out: &mut Vec<Feature>) {
    match k {
        Kml::KmlDocument(d) => d
            .elements
            .iter()
            .for_each(|e| walk(e, folders, styles, out)),
        Kml::Document { elements, .. } => {
            elements.iter().for_each(|e| walk(e, folders, styles, out))
        }
        Kml::Folder(f) => {
            folders.push(f.name.as_deref().unwrap_or("").trim().to_string());
            f.elements
                .iter()
                .for_each(|e| walk(e, folders, styles, out));
            folders.pop();
        }
        Kml::Placemark(p) => out.push(feature(p, folders, styles)),
        _ => {}
    }
}

/// A placemark as a feature (see the [module](self) docs for its properties).
fn feature(p: &Placemark<f64>, folders: &[String], styles: &Styles) -> Feature {
    let mut props = Map::new();
    let text = |s: &str| Value::String(s.to_string());
    if let Some(n) = &p.name {
        props.insert("name".into(), text(n.trim()));
    }
    if let Some(d) = &p.description {
        props.insert("description".into(), text(d));
    }
    if let Some(u) = &p.style_url {
        props.insert("styleUrl".into(), text(u.trim()));
    }
    let inline = p
        .children
        .iter()
        .find(|c| c.name == "Style")
        .map(inline_paint)
        .unwrap_or_default();
    let paint = inline.or(p.style_url.as_deref().and_then(|u| styles.resolve(u)));
    if let Some((fill, opacity)) = paint.fill {
        props.insert("fill".into(), fill.into());
        props.insert("fill-opacity".into(), opacity.into());
    }
    if let Some(stroke) = paint.stroke {
        props.insert("stroke".into(), stroke.into());
    }
    if !folders.is_empty() {
        props.insert("folder".into(), text(&folders.join(" / ")));
    }
    let mut extra = Vec::new();
    for child in &p.children {
        match child.name.as_str() {
            "TimeSpan" => {
                for (tag, key) in [("begin", "begin"), ("end", "end")] {
                    if let Some(v) = content(child, tag) {
                        props.insert(key.into(), text(v.trim()));
                    }
                }
            }
            "TimeStamp" => {
                if let Some(v) = content(child, "when") {
                    props.insert("timestamp".into(), text(v.trim()));
                }
            }
            "ExtendedData" => {
                for d in &child.children {
                    match d.name.as_str() {
                        "Data" => {
                            if let Some(name) = d.attrs.get("name") {
                                let value = content(d, "value").unwrap_or_default();
                                extra.push((name.clone(), value.to_string()));
                            }
                        }
                        "SchemaData" => {
                            for s in d.children.iter().filter(|s| s.name == "SimpleData") {
                                if let Some(name) = s.attrs.get("name") {
                                    let value = s.content.clone().unwrap_or_default();
                                    extra.push((name.clone(), value));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    for (k, v) in extra {
        props.entry(k).or_insert(Value::String(v));
    }
    Feature {
        properties: Some(props),
        geometry: p.geometry.as_ref().map(shape),
        id: None,
    }
}

/// The text of an element's child named `tag`.
fn content<'a>(e: &'a Element, tag: &str) -> Option<&'a str> {
    e.children
        .iter()
        .find(|c| c.name == tag)
        .map(|c| c.content.as_deref().unwrap_or(""))
}

/// The colours of a Style written inside a placemark (the `kml` crate keeps it as
/// a generic element there).
fn inline_paint(style: &Element) -> Paint {
    let colour_of = |tag: &str| {
        style
            .children
            .iter()
            .find(|c| c.name == tag)
            .and_then(|s| content(s, "color"))
            .and_then(colour)
    };
    Paint {
        fill: colour_of("PolyStyle"),
        stroke: colour_of("LineStyle").map(|c| c.0),
    }
}

fn xy(c: &Coord<f64>) -> geo::Coord<f64> {
    geo::Coord { x: c.x, y: c.y }
}

fn ring(r: &LinearRing<f64>) -> Ring {
    r.coords.iter().map(xy).collect()
}

/// A KML geometry as read (Z dropped); a Model or another element that is no
/// geometry frontline uses is an empty collection: neither ground nor a point.
fn shape(g: &Geometry<f64>) -> Shape {
    match g {
        Geometry::Point(p) => Shape::Point(xy(&p.coord)),
        Geometry::LineString(l) => Shape::LineString(l.coords.iter().map(xy).collect()),
        Geometry::LinearRing(r) => Shape::LineString(ring(r)),
        Geometry::Polygon(p) => Shape::Polygon(
            std::iter::once(&p.outer)
                .chain(&p.inner)
                .map(ring)
                .collect(),
        ),
        Geometry::MultiGeometry(m) => {
            let parts: Vec<Shape> = m.geometries.iter().map(shape).collect();
            let all = |f: fn(&Shape) -> bool| !parts.is_empty() && parts.iter().all(f);
            if all(|s| matches!(s, Shape::Polygon(_))) {
                Shape::MultiPolygon(
                    parts
                        .into_iter()
                        .filter_map(|s| match s {
                            Shape::Polygon(rings) => Some(rings),
                            _ => None,
                        })
                        .collect(),
                )
            } else if all(|s| matches!(s, Shape::Point(_))) {
                Shape::MultiPoint(
                    parts
                        .into_iter()
                        .filter_map(|s| match s {
                            Shape::Point(c) => Some(c),
                            _ => None,
                        })
                        .collect(),
                )
            } else if all(|s| matches!(s, Shape::LineString(_))) {
                Shape::MultiLineString(
                    parts
                        .into_iter()
                        .filter_map(|s| match s {
                            Shape::LineString(l) => Some(l),
                            _ => None,
                        })
                        .collect(),
                )
            } else {
                Shape::Collection(parts)
            }
        }
        _ => Shape::Collection(Vec::new()),
    }
}

/// Writes features as KML (or KMZ: `doc.kml` in a zip), atomically; their
/// coordinates must be WGS84 longitude/latitude, the only CRS KML has.
pub(crate) fn write(
    collection: &geojson::FeatureCollection,
    path: &Path,
    crs: &Crs,
    kmz: bool,
) -> Result<()> {
    if !crs.is_lon_lat() {
        let format = if kmz { Format::Kmz } else { Format::Kml };
        return Err(super::not_lon_lat(format, path, crs));
    }
    let xml = to_kml(collection, path)?;
    if kmz {
        let fail = |e: String| Error::format(path, format!("writing the KMZ: {e}"));
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("doc.kml", options)
            .map_err(|e| fail(e.to_string()))?;
        zip.write_all(&xml).map_err(|e| fail(e.to_string()))?;
        let bytes = zip.finish().map_err(|e| fail(e.to_string()))?.into_inner();
        crate::atomic::write(path, &bytes)
    } else {
        crate::atomic::write(path, &xml)
    }
}

/// The KML text of a collection.
fn to_kml(collection: &geojson::FeatureCollection, path: &Path) -> Result<Vec<u8>> {
    let series = collection
        .features
        .iter()
        .any(|f| f.property("until").is_some());
    let title = path
        .file_stem()
        .and_then(|s| s.to_str())
        .map(|s| s.trim_end_matches(".kml"))
        .unwrap_or("frontline");
    let mut elements = vec![Kml::Element(leaf("name", title))];
    for (index, f) in collection.features.iter().enumerate() {
        elements.push(Kml::Placemark(placemark(f, index, series, path)?));
    }
    let root: Kml<f64> = Kml::KmlDocument(KmlDocument {
        version: KmlVersion::V22,
        attrs: HashMap::from([("xmlns".to_string(), NAMESPACE.to_string())]),
        elements: vec![Kml::Document {
            attrs: HashMap::new(),
            elements,
        }],
    });
    let mut out = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_vec();
    KmlWriter::from_writer(&mut out)
        .write(&root)
        .map_err(|e| Error::format(path, format!("writing KML: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

/// A property as text: strings as they are, other values as JSON.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// An element holding text.
fn leaf(name: &str, content: &str) -> Element {
    Element {
        name: name.to_string(),
        content: Some(content.to_string()),
        ..Element::default()
    }
}

/// An element holding others.
fn node(name: &str, children: Vec<Element>) -> Element {
    Element {
        name: name.to_string(),
        children,
        ..Element::default()
    }
}

fn placemark(
    f: &geojson::Feature,
    index: usize,
    series: bool,
    path: &Path,
) -> Result<Placemark<f64>> {
    let empty = Map::new();
    let props = f.properties.as_ref().unwrap_or(&empty);
    let text = |k: &str| props.get(k).filter(|v| !v.is_null()).map(as_text);
    let name = text("name");
    let mut children = Vec::new();
    let begin = text("begin").or_else(|| text("date"));
    let end = text("end").or_else(|| text("until"));
    if end.is_some() || text("begin").is_some() || (series && begin.is_some()) {
        let span = [("begin", begin), ("end", end)]
            .into_iter()
            .filter_map(|(tag, v)| Some(leaf(tag, &v?)))
            .collect();
        children.push(node("TimeSpan", span));
    } else if let Some(when) = text("timestamp") {
        children.push(node("TimeStamp", vec![leaf("when", &when)]));
    }
    if let Some(style) = style(props) {
        children.push(style);
    }
    let data: Vec<Element> = props
        .iter()
        .filter(|(k, v)| !matches!(k.as_str(), "name" | "description") && !v.is_null())
        .map(|(k, v)| Element {
            name: "Data".into(),
            attrs: HashMap::from([("name".to_string(), k.clone())]),
            children: vec![leaf("value", &as_text(v))],
            content: None,
        })
        .collect();
    if !data.is_empty() {
        children.push(node("ExtendedData", data));
    }
    let geometry = f
        .geometry
        .as_ref()
        .map(|g| geometry(&g.value))
        .transpose()
        .map_err(|e| Error::feature(path, index, name.clone(), e))?;
    Ok(Placemark {
        name,
        description: description(props),
        geometry,
        children,
        ..Placemark::default()
    })
}

/// The feature's own description, else its status, km² and dates.
fn description(props: &Map<String, Value>) -> Option<String> {
    let text = |k: &str| props.get(k).and_then(Value::as_str);
    if let Some(d) = text("description") {
        return Some(d.to_string());
    }
    let area = props.get("area_km2")?.as_f64()?;
    let mut s = match text("name").or(text("status")) {
        Some(what) => format!("{what}: {area} km²"),
        None => format!("{area} km²"),
    };
    s.push_str(" (geodesic, on the WGS84 ellipsoid)");
    match (text("date"), text("until")) {
        (Some(d), Some(u)) => s.push_str(&format!(", from {d} until {u}")),
        (Some(d), None) => s.push_str(&format!(", as of {d}")),
        _ => {}
    }
    Some(s)
}

/// An inline Style from simplestyle-spec properties, if any.
fn style(props: &Map<String, Value>) -> Option<Element> {
    let text = |k: &str| props.get(k).and_then(Value::as_str);
    let number = |k: &str| props.get(k).and_then(Value::as_f64);
    let fill = text("fill").and_then(|c| abgr(c, number("fill-opacity").unwrap_or(0.6)));
    let stroke = text("stroke").and_then(|c| abgr(c, number("stroke-opacity").unwrap_or(1.0)));
    let width = number("stroke-width").filter(|w| w.is_finite() && *w >= 0.0);
    let marker = text("marker-color").and_then(|c| abgr(c, 1.0));
    let mut children = Vec::new();
    if let Some(m) = marker {
        children.push(node("IconStyle", vec![leaf("color", &m)]));
    }
    if stroke.is_some() || width.is_some() {
        let mut line = Vec::new();
        if let Some(s) = stroke {
            line.push(leaf("color", &s));
        }
        if let Some(w) = width {
            line.push(leaf("width", &w.to_string()));
        }
        children.push(node("LineStyle", line));
    }
    if let Some(f) = fill {
        children.push(node("PolyStyle", vec![leaf("color", &f)]));
    }
    (!children.is_empty()).then(|| node("Style", children))
}

/// `#rrggbb` (or `#rgb`) and an opacity as KML's `aabbggrr`.
fn abgr(rgb: &str, opacity: f64) -> Option<String> {
    let h = rgb.trim().strip_prefix('#')?;
    let h = match h.len() {
        3 => h.chars().flat_map(|c| [c, c]).collect::<String>(),
        6 => h.to_string(),
        _ => return None,
    };
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let alpha = (opacity.clamp(0.0, 1.0) * 255.0).round() as u8;
    Some(format!("{alpha:02x}{}{}{}", &h[4..6], &h[2..4], &h[0..2]).to_ascii_lowercase())
}

/// A KML coordinate; a position without two finite numbers is the error.
fn coord(p: &geojson::Position) -> std::result::Result<Coord<f64>, String> {
    match p.as_slice() {
        [x, y, ..] if x.is_finite() && y.is_finite() => Ok(Coord::new(*x, *y, None)),
        [x, y, ..] => Err(format!("non-finite coordinate [{x}, {y}]")),
        s => Err(format!("a position has {} number(s), not 2", s.len())),
    }
}

fn coords(ps: &[geojson::Position]) -> std::result::Result<Vec<Coord<f64>>, String> {
    ps.iter().map(coord).collect()
}

fn polygon(rings: &[Vec<geojson::Position>]) -> std::result::Result<Polygon<f64>, String> {
    let ring = |r: &Vec<geojson::Position>| {
        Ok::<_, String>(LinearRing {
            coords: coords(r)?,
            ..LinearRing::default()
        })
    };
    let (outer, inner) = rings
        .split_first()
        .ok_or_else(|| "a polygon without rings".to_string())?;
    Ok(Polygon {
        outer: ring(outer)?,
        inner: inner
            .iter()
            .map(ring)
            .collect::<std::result::Result<_, _>>()?,
        tessellate: true,
        ..Polygon::default()
    })
}

fn line(ps: &[geojson::Position]) -> std::result::Result<LineString<f64>, String> {
    Ok(LineString {
        coords: coords(ps)?,
        tessellate: true,
        ..LineString::default()
    })
}

fn multi(
    parts: impl Iterator<Item = std::result::Result<Geometry<f64>, String>>,
) -> std::result::Result<Geometry<f64>, String> {
    Ok(Geometry::MultiGeometry(MultiGeometry::new(
        parts.collect::<std::result::Result<_, _>>()?,
    )))
}

/// A GeoJSON geometry as KML (Multi* and collections as MultiGeometry).
fn geometry(g: &geojson::GeometryValue) -> std::result::Result<Geometry<f64>, String> {
    use geojson::GeometryValue as G;
    Ok(match g {
        G::Point { coordinates } => Geometry::Point(Point {
            coord: coord(coordinates)?,
            ..Point::default()
        }),
        G::MultiPoint { coordinates } => multi(coordinates.iter().map(|p| {
            Ok(Geometry::Point(Point {
                coord: coord(p)?,
                ..Point::default()
            }))
        }))?,
        G::LineString { coordinates } => Geometry::LineString(line(coordinates)?),
        G::MultiLineString { coordinates } => multi(
            coordinates
                .iter()
                .map(|l| Ok(Geometry::LineString(line(l)?))),
        )?,
        G::Polygon { coordinates } => Geometry::Polygon(polygon(coordinates)?),
        G::MultiPolygon { coordinates } => multi(
            coordinates
                .iter()
                .map(|p| Ok(Geometry::Polygon(polygon(p)?))),
        )?,
        G::GeometryCollection { geometries } => {
            multi(geometries.iter().map(|g| geometry(&g.value)))?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_turn_around_both_ways() {
        assert_eq!(
            colour("4d1427a5"),
            Some(("#a52714".to_string(), 77.0 / 255.0))
        );
        assert_eq!(colour(" FF589D0F "), Some(("#0f9d58".to_string(), 1.0)));
        assert_eq!(colour("1427a5"), None);
        assert_eq!(colour("zz1427a5"), None);
        assert_eq!(abgr("#a52714", 0.4).as_deref(), Some("661427a5"));
        assert_eq!(abgr("#fff", 1.0).as_deref(), Some("ffffffff"));
        assert_eq!(abgr("red", 1.0), None);
        let (rgb, opacity) = colour(&abgr("#bcaaa4", 0.4).unwrap()).unwrap();
        assert_eq!((rgb.as_str(), opacity), ("#bcaaa4", 0.4));
    }

    #[test]
    fn kml_is_told_by_its_first_element() {
        assert!(looks_like_kml(
            b"<kml xmlns=\"http://www.opengis.net/kml/2.2\">"
        ));
        assert!(looks_like_kml(
            b"  <?xml version=\"1.0\"?>\n<!-- c --><kml>"
        ));
        assert!(!looks_like_kml(b"<kmlx>"));
        assert!(
            !looks_like_kml(b"<kml"),
            "cut before the name ends: unknown"
        );
        assert!(!looks_like_kml(b"{\"type\": \"<kml>\"}"));
        assert!(!looks_like_kml(b"<?xml version=\"1.0\"?><gpx><kml>"));
    }

    #[test]
    fn coordinate_tuples_are_two_or_three_numbers() {
        assert_eq!(tuples(" 1,2,0\n\t3,4 "), Ok(2));
        assert_eq!(tuples(""), Ok(0));
        assert!(tuples("1,2 3").unwrap_err().contains("fewer than 2"));
        assert!(tuples("1,2,").unwrap_err().contains("\"\" is not a number"));
        // Not a number to the crate, but a float to Rust: checked when cleaned.
        assert_eq!(tuples("NaN,inf"), Ok(1));
    }

    #[test]
    fn style_maps_resolve_without_looping() {
        let text = r#"<kml><Document>
            <Style id="s"><PolyStyle><color>ff0000ff</color></PolyStyle></Style>
            <StyleMap id="m"><Pair><key>normal</key><styleUrl>#s</styleUrl></Pair></StyleMap>
            <StyleMap id="a"><Pair><key>normal</key><styleUrl>#b</styleUrl></Pair></StyleMap>
            <StyleMap id="b"><Pair><key>normal</key><styleUrl>#a</styleUrl></Pair></StyleMap>
            </Document></kml>"#;
        let root: Kml<f64> = KmlReader::<&[u8], f64>::from_string(text).read().unwrap();
        let mut styles = Styles::default();
        styles.collect(&root);
        let red = styles.resolve("#m").unwrap().fill.clone().unwrap();
        assert_eq!(red.0, "#ff0000");
        assert_eq!(styles.resolve("#a"), None);
        assert_eq!(styles.resolve("other.kml#s"), None);
    }

    #[test]
    fn mixed_multi_geometries_are_collections() {
        let text = "<MultiGeometry><Point><coordinates>1,2</coordinates></Point>\
                    <LineString><coordinates>1,2 3,4</coordinates></LineString></MultiGeometry>";
        let Kml::MultiGeometry(m): Kml<f64> = KmlReader::from_string(text).read().unwrap() else {
            panic!("a MultiGeometry");
        };
        let s = shape(&Geometry::MultiGeometry(m));
        assert!(
            matches!(&s, Shape::Collection(parts) if parts.len() == 2),
            "{s:?}"
        );
    }

    #[test]
    fn unwritable_positions_name_the_feature() {
        let fc: geojson::FeatureCollection = r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "ok"}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
            {"type": "Feature", "properties": {"name": "bad"}, "geometry": {"type": "Polygon", "coordinates": []}}]}"#
            .parse()
            .unwrap();
        let err = to_kml(&fc, Path::new("out.kml")).unwrap_err().to_string();
        assert!(
            err.starts_with("out.kml: feature 1 (bad): a polygon without rings"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.kml");
        let err = write(&fc, &path, &Crs::epsg_code(3857), false).unwrap_err();
        assert!(err.to_string().contains("KML is WGS84"), "{err}");
        assert!(!path.exists());
    }
}
