//! The area of a layer within a region, measured without building polygons.
//!
//! Every intersection of a region with a snapshot's layers snaps coordinates to an
//! integer grid (i_overlay). geo picks the grid from each operation's inputs; here
//! the region fixes it once, so its vertices snap to the same points in every
//! snapshot, and the geodesic terms of its edges (most of what an intersection
//! with a large layer returns) are computed once instead of once per snapshot and
//! status ([`EdgeTerms`]).
//!
//! Snapping moves the region's vertices by up to half a grid step, and so its
//! area by a relative 1e-8 to 1e-6: measured on the grid, a layer that covers the
//! region would cover a hair more (or less) than the region's own area, and its
//! share would print as 100.0000007 %. Every area measured here is therefore
//! scaled by the region's area over its snapped area: the region against itself
//! gives exactly its area, nothing gives more, and the correction elsewhere is of
//! the order of the snapping itself.

use geo::{BoundingRect, MultiPolygon, Polygon};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::ShapeType;
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::core::solver::Solver;
use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};
use i_overlay::i_float::adapter::FloatPointAdapter;
use i_overlay::i_float::float::rect::FloatRect;
use i_overlay::i_shape::base::data::Shapes;

use super::area::{EdgeTerms, ring_area_with};

type Adapter = FloatPointAdapter<[f64; 2], f64>;

/// A region's grid and the area terms of its own edges on it.
#[derive(Clone)]
pub(crate) struct Grid {
    adapter: Adapter,
    terms: EdgeTerms,
    /// The region's area over its snapped area.
    scale: f64,
}

impl std::fmt::Debug for Grid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grid").finish_non_exhaustive()
    }
}

impl Grid {
    /// The grid of a region's bounding box; `None` for an empty region.
    /// `exact_m2`: the region's geodesic area on its own vertices.
    pub(crate) fn new(area: &MultiPolygon<f64>, exact_m2: f64) -> Option<Grid> {
        let rect = area.bounding_rect()?;
        let adapter = Adapter::new(FloatRect::new(
            rect.min().x,
            rect.max().x,
            rect.min().y,
            rect.max().y,
        ));
        let snapped: Vec<Vec<[f64; 2]>> = area
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|ring| {
                ring.0
                    .iter()
                    .map(|c| adapter.int_to_float(&adapter.float_to_int(&[c.x, c.y])))
                    .collect()
            })
            .collect();
        let terms = EdgeTerms::of_rings(snapped.iter().map(Vec::as_slice));
        // As `area_km2_from_terms`: polygon by polygon, exterior less holes.
        let mut rings = snapped.iter();
        let snapped_m2: f64 = area
            .0
            .iter()
            .map(|p| {
                let mut polygon = 0.0;
                for i in 0..=p.interiors().len() {
                    let a = rings.next().map_or(0.0, |r| {
                        ring_area_with(r.iter().copied(), |a, b| terms.get(a, b))
                    });
                    polygon += if i == 0 { a } else { -a };
                }
                polygon.max(0.0)
            })
            .fold(0.0, |a, b| a + b);
        let scale = if snapped_m2 > 0.0 && exact_m2 > 0.0 {
            exact_m2 / snapped_m2
        } else {
            1.0
        };
        Some(Grid {
            adapter,
            terms,
            scale,
        })
    }

    /// The geodesic area in m² of `pieces` ∩ `parts`, scaled to the region's
    /// exact area (see the module docs). Both lie within the region's bounding
    /// box; rings are read with the even-odd rule, as geo's boolean operations
    /// do.
    pub(crate) fn intersection_m2(&self, pieces: &[Polygon<f64>], parts: &[Polygon<f64>]) -> f64 {
        let subject = contours(pieces);
        let clip = contours(parts);
        let capacity = subject.iter().chain(&clip).map(Vec::len).sum();
        let shapes: Shapes<[f64; 2]> = FloatOverlay::new_custom(
            self.adapter.clone(),
            OverlayOptions::ogc(),
            solver_for(capacity),
            capacity,
        )
        .unsafe_add_source(&subject, ShapeType::Subject)
        .unsafe_add_source(&clip, ShapeType::Clip)
        .overlay(OverlayRule::Intersect, FillRule::EvenOdd);
        let mut m2 = 0.0;
        for shape in &shapes {
            for (i, contour) in shape.iter().enumerate() {
                let a = ring_area_with(contour.iter().copied(), |a, b| self.terms.get(a, b));
                // The first contour of a shape is its outer ring, the rest holes.
                m2 += if i == 0 { a } else { -a };
            }
        }
        m2.max(0.0) * self.scale
    }
}

/// i_overlay's solver for an overlay of `points` vertices in all: its list
/// strategy up to [`LIST_POINTS`], its own choice above.
///
/// i_overlay's automatic choice moves from the list to the tree strategy at
/// 4,000 segments (splitting) and 8,000 (filling); on the front's groups of
/// DeepStateMap (up to about 9,600 vertices) the list is the faster of the two:
/// the raw daily archive against every hromada takes 11 % less CPU. Both give
/// the same polygons (the whole archive's figures are the same to the bit);
/// the choice is only of speed. The list compares each segment with those that
/// start within its span of x, so its cost can grow with the square of the
/// count: above the bound the tree keeps it in check.
pub(crate) fn solver_for(points: usize) -> Solver {
    if points <= LIST_POINTS {
        Solver::LIST
    } else {
        Solver::AUTO
    }
}

/// The most vertices an overlay takes with the list strategy ([`solver_for`]).
const LIST_POINTS: usize = 1 << 14;

/// Every ring as an open contour of [lon, lat].
fn contours(polygons: &[Polygon<f64>]) -> Vec<Vec<[f64; 2]>> {
    polygons
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|ring| {
            let n = ring.0.len().saturating_sub(1);
            ring.0[..n].iter().map(|c| [c.x, c.y]).collect()
        })
        .collect()
}
