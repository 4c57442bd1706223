//! The document model every reader produces: a file's features (properties as a
//! JSON map, geometry as a [`Shape`] in the file's coordinates) and what surrounds
//! them (the CRS it declares, DeepState's envelope, a seal). `crate::import`
//! reprojects, cleans and classifies it; nothing here knows about either.

use serde_json::{Map, Value};

use super::shape::Shape;
use crate::crs::Crs;

/// One feature as read, from any format.
#[derive(Debug, Default)]
pub(crate) struct Feature {
    /// `None` when the file has `null` (GeoJSON) or no properties at all.
    pub properties: Option<Map<String, Value>>,
    pub geometry: Option<Shape>,
    /// The GeoJSON feature's `id` member (a string or number), as text.
    pub id: Option<String>,
}

impl Feature {
    /// Its `name` property, for messages.
    pub(crate) fn name(&self) -> Option<&str> {
        self.properties.as_ref()?.get("name")?.as_str()
    }
}

/// A file's features and what surrounds them.
#[derive(Debug, Default)]
pub(crate) struct Document {
    pub features: Vec<Feature>,
    /// The envelope's `datetime`, when the file had one.
    pub datetime: Option<Value>,
    /// Whether the features came wrapped in DeepState's `{"id", "datetime", "map"}`.
    pub envelope: bool,
    /// The coordinate system the file declares (legacy GeoJSON `crs` member); `None`:
    /// WGS84 longitude/latitude, as RFC 7946 says.
    pub crs: Option<Crs>,
    /// The fingerprint of clean polygons the file claims (see [`super::seal`]).
    pub seal: Option<String>,
    /// What reading it noticed and went on from (a name that says another
    /// format than the content), for the import's warnings.
    pub warnings: Vec<String>,
}
