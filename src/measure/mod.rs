//! Measures: geodesic areas (or DeepState's spherical ones, [`AreaModel`]) and
//! control shares.

mod area;
mod boundary;
pub mod clip;
pub(crate) mod overlay;
mod share;

pub use area::{AreaModel, GeodesicAreaKm2, area_model, set_area_model};
pub(crate) use boundary::LayerEdges;
pub(crate) use share::zero_signed;
pub use share::{
    Amount, OccupiedSplit, Region, Regions, Share, ShareTable, figure_names, listed_statuses,
};
