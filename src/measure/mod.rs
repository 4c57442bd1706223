//! Measures: geodesic areas and control shares.

mod area;
mod boundary;
pub mod clip;
mod overlay;
mod share;

pub use area::GeodesicAreaKm2;
pub(crate) use share::zero_signed;
pub use share::{Amount, Region, Regions, Share};
