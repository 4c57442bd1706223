//! A resolved layer: all the ground of one status in a snapshot, indexed.

use std::sync::OnceLock;

use geo::{BooleanOps, BoundingRect, MultiPolygon, Polygon, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::Status;
use crate::measure::GeodesicAreaKm2;
use crate::measure::clip::clip_to;

type PartBox = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// The ground of one status in a snapshot after overlaps are resolved: disjoint
/// from every other layer of the snapshot. Its polygons are indexed by their
/// bounding boxes (an R-tree), so that a region only meets the parts near it.
///
/// ```
/// use frontline::{Layer, Status, GeodesicAreaKm2};
/// use geo::{polygon, MultiPolygon};
/// let layer = Layer::new(Status::OCCUPIED, MultiPolygon(vec![
///     polygon![(x: 37.0, y: 48.0), (x: 38.0, y: 48.0), (x: 38.0, y: 49.0), (x: 37.0, y: 49.0)],
/// ]));
/// let region = MultiPolygon(vec![
///     polygon![(x: 37.5, y: 48.0), (x: 39.0, y: 48.0), (x: 39.0, y: 49.0), (x: 37.5, y: 49.0)],
/// ]);
/// let inside = layer.intersection(&region).geodesic_area_km2();
/// // Half the square, give or take the bulge of geodesic edges.
/// assert!((inside / layer.area_km2() - 0.5).abs() < 0.001);
/// ```
#[derive(Clone, Debug)]
pub struct Layer {
    status: Status,
    geometry: MultiPolygon<f64>,
    // Measured on first use: shares of regions never need the whole layer's area.
    area_km2: OnceLock<f64>,
    index: RTree<PartBox>,
}

impl Layer {
    /// A layer from valid, disjoint polygons.
    pub fn new(status: Status, geometry: MultiPolygon<f64>) -> Layer {
        let boxes = geometry
            .0
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let r = p.bounding_rect()?;
                let rect = Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                Some(GeomWithData::new(rect, i))
            })
            .collect();
        Layer {
            area_km2: OnceLock::new(),
            index: RTree::bulk_load(boxes),
            status,
            geometry,
        }
    }

    /// Its status.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Its ground.
    pub fn geometry(&self) -> &MultiPolygon<f64> {
        &self.geometry
    }

    /// Its geodesic area in km².
    pub fn area_km2(&self) -> f64 {
        *self
            .area_km2
            .get_or_init(|| self.geometry.geodesic_area_km2())
    }

    /// The polygons whose bounding boxes meet `rect`.
    pub fn parts_near(&self, rect: &Rect<f64>) -> impl Iterator<Item = &Polygon<f64>> {
        let aabb = AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        self.index
            .locate_in_envelope_intersecting(&aabb)
            .map(|part| &self.geometry.0[part.data])
    }

    /// Its ground within `area`.
    ///
    /// Only the parts near `area` take part, each first cut down to `area`'s
    /// bounding box, so the exact boolean operation walks a few edges instead of
    /// the whole country-wide layer.
    pub fn intersection(&self, area: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        let Some(rect) = area.bounding_rect() else {
            return MultiPolygon(Vec::new());
        };
        let near: Vec<Polygon<f64>> = self
            .parts_near(&rect)
            .filter_map(|p| clip_to(p, &rect).map(|c| c.into_owned()))
            .collect();
        if near.is_empty() {
            return MultiPolygon(Vec::new());
        }
        area.intersection(&MultiPolygon(near))
    }
}
