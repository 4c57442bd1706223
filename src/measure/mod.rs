//! Measures: geodesic areas and control shares.

mod area;
mod boundary;
pub mod clip;
mod overlay;
mod share;

pub use area::GeodesicAreaKm2;
pub use share::{Amount, Region, Regions, Share};
