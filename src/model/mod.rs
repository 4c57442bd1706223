//! The domain model: statuses, zones, layers, snapshots and places.

mod layer;
mod place;
mod snapshot;
mod status;
mod zone;

pub use layer::Layer;
pub(crate) use layer::SnapGrid;
pub use place::{ID_PROPERTIES, IdKey, Place, PlaceGeometry, Places};
pub use snapshot::Snapshot;
pub use status::{Precedence, Status, UNMARKED};
pub use zone::{Marker, Occupation, Zone, ZoneSource};
