//! # frontline
//!
//! Front lines and areas of control as polygons: who holds how many km² of a city,
//! a raion or an oblast on a given date, measured geodesically on the WGS84
//! ellipsoid.
//!
//! - [`model`]: [`Status`], [`Zone`], [`Snapshot`] (zones of one dated map resolved
//!   into disjoint [`Layer`]s by a [`Precedence`]), [`Place`]s and [`Places`].
//! - [`import`]: DeepStateMap raw snapshots, occupied-only archives, generic zone
//!   files and place files, with an [`ImportReport`](import::ImportReport) that
//!   accounts for every feature.
//! - [`measure`]: [`GeodesicAreaKm2`] and control [`Share`]s.
//! - [`timeline`]: many dated snapshots: [`Timeline`] (`as_of`, ranges), time
//!   series of shares, the [`diff`](timeline::diff) between two dates, and a
//!   compact [`store`](timeline::store) that opens an archive fast.
//! - [`crs`]: the coordinate system a file declares; reprojection to WGS84
//!   longitude/latitude with the `proj` feature.
//! - [`formats`]: GeoJSON, Shapefile, FlatGeobuf, GeoParquet, KML and KMZ read
//!   and written ([`Format`](formats::Format) detected by content or extension),
//!   the lowest layer: each format's reader and writer in its own file.
//! - [`convert`]: features written sealed (read back without re-cleaning), and
//!   files converted from one format to another.
//! - [`atomic`]: files written through a temporary file and a rename.
//! - [`sync`]: a local archive kept current from DeepState's public API, and the
//!   km² DeepState publishes for each update.
//!
//! ```
//! use frontline::{import, Status};
//! let snapshot = import::read_zones("data/snapshots/deepstate_20250601.geojson", None)?.snapshot;
//! let towns = import::read_places("data/city.geojson")?;
//! let city = towns.find("Demo City")?[0];
//! let share = snapshot.share(city)?;
//! println!("{}: {:.1} % occupied, {:.1} % grey zone", share.region,
//!     share.pct(&Status::OCCUPIED), share.pct(&Status::CONTESTED));
//! # Ok::<(), frontline::Error>(())
//! ```

// Every public function returning `Result` says when it errs (issue 16).
#![warn(clippy::missing_errors_doc)]

pub mod animate;
pub mod atomic;
pub mod convert;
pub mod crs;
mod error;
pub mod export;
pub mod formats;
pub mod import;
pub mod measure;
pub mod model;
pub mod proximity;
mod recent;
pub mod sync;
pub mod timeline;

pub use error::{Error, Result};
pub use measure::{Amount, GeodesicAreaKm2, Share};
pub use model::{
    Layer, Marker, Occupation, Place, PlaceGeometry, Places, Precedence, Snapshot, Status, Zone,
    ZoneSource,
};
pub use proximity::{Front, FrontOptions, ProximityIndex};
pub use timeline::Timeline;
