//! A resolved layer: all the ground of one status in a snapshot, indexed.

use std::sync::OnceLock;

use geo::{BooleanOps, BoundingRect, Intersects, MultiPolygon, Polygon, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::Status;
use crate::measure::GeodesicAreaKm2;
use crate::measure::LayerEdges;
use crate::measure::clip::{clip_to, rect_union};

type PartBox = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// A region's polygons cut to a cluster's box, and the cluster's parts.
pub(crate) type Pieces = (Vec<Polygon<f64>>, Vec<Polygon<f64>>);

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
    // Prepared on first measure: layers that are only drawn or exported never
    // need it.
    // Shared: a series keeps the edges of the snapshot before to find what
    // changed.
    edges: OnceLock<std::sync::Arc<LayerEdges>>,
    // The grids the overlays that made the layer snapped its vertices to, as
    // runs of polygons (empty when unknown): the store keeps vertices as whole
    // numbers of them, exactly.
    grids: Vec<(SnapGrid, usize)>,
}

/// The grid of a boolean overlay's output: every vertex is `offset + k · step`,
/// computed as `k as f64 * step + offset` per axis, for a whole `k` (`step` a
/// power of two). i_overlay works on such integers and converts them back so.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SnapGrid {
    pub offset: [f64; 2],
    pub step: f64,
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
            edges: OnceLock::new(),
            grids: Vec::new(),
            index: RTree::bulk_load(boxes),
            status,
            geometry,
        }
    }

    /// Its status.
    /// The same layer, its vertices known to lie on grids: `runs` of (grid,
    /// number of polygons), in the order of its polygons.
    pub(crate) fn snapped_to(mut self, runs: Vec<(SnapGrid, usize)>) -> Layer {
        self.grids = runs;
        self
    }

    /// The grids its polygons' vertices lie on, as runs ([`Layer::snapped_to`]);
    /// empty when not known.
    pub(crate) fn grids(&self) -> &[(SnapGrid, usize)] {
        &self.grids
    }

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

    /// Its rings prepared for measuring regions, built on first use.
    pub(crate) fn edges(&self) -> &std::sync::Arc<LayerEdges> {
        self.edges
            .get_or_init(|| std::sync::Arc::new(LayerEdges::new(&self.geometry)))
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
    /// Only the parts near `area` take part, and the exact boolean operation runs
    /// once per cluster of them (parts whose boxes overlap), on the parts and on
    /// `area` both cut down to the cluster's box: a region's long boundary is only
    /// walked where the layer is, which matters for the small, scattered parts of
    /// grey-zone and liberated layers. The cuts lie outside the parts, so the
    /// result is the same as the intersection with the whole region.
    pub fn intersection(&self, area: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        let mut out = Vec::new();
        for (pieces, parts) in self.pieces_near(area) {
            out.extend(MultiPolygon(pieces).intersection(&MultiPolygon(parts)).0);
        }
        MultiPolygon(out)
    }

    /// What [`Layer::intersection`] intersects: for each cluster of parts near
    /// `area`, `area`'s polygons cut to the cluster's box and the parts cut to
    /// `area`'s box. The clusters' intersections are disjoint.
    pub(crate) fn pieces_near(&self, area: &MultiPolygon<f64>) -> Vec<Pieces> {
        let Some(rect) = area.bounding_rect() else {
            return Vec::new();
        };
        let near: Vec<Polygon<f64>> = self
            .parts_near(&rect)
            .filter_map(|p| clip_to(p, &rect).map(|c| c.into_owned()))
            .collect();
        clusters(near)
            .into_iter()
            .filter_map(|(cluster, parts)| {
                let pieces: Vec<Polygon<f64>> = area
                    .0
                    .iter()
                    .filter_map(|p| clip_to(p, &cluster).map(|c| c.into_owned()))
                    .collect();
                (!pieces.is_empty()).then_some((pieces, parts))
            })
            .collect()
    }
}

/// Groups polygons whose bounding boxes overlap (transitively), each group with
/// the box around it.
fn clusters(polygons: Vec<Polygon<f64>>) -> Vec<(Rect<f64>, Vec<Polygon<f64>>)> {
    let mut groups: Vec<(Rect<f64>, Vec<Polygon<f64>>)> = Vec::new();
    for polygon in polygons {
        let Some(mut rect) = polygon.bounding_rect() else {
            continue;
        };
        let mut members = vec![polygon];
        // Merging can make a box reach groups it missed before: repeat until none.
        loop {
            let before = groups.len();
            let mut i = 0;
            while i < groups.len() {
                if groups[i].0.intersects(&rect) {
                    let (other, polygons) = groups.swap_remove(i);
                    rect = rect_union(&rect, &other);
                    members.extend(polygons);
                } else {
                    i += 1;
                }
            }
            if groups.len() == before {
                break;
            }
        }
        groups.push((rect, members));
    }
    groups
}
