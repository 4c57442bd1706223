//! The area of a layer within a region, measured without building polygons.
//!
//! Every intersection of a region with a snapshot's layers snaps coordinates to an
//! integer grid (i_overlay). geo picks the grid from each operation's inputs; here
//! the region fixes it once, so its vertices snap to the same points in every
//! snapshot, and the geodesic terms of its edges (most of what an intersection
//! with a large layer returns) are computed once instead of once per snapshot and
//! status ([`EdgeTerms`]).

use geo::{BoundingRect, MultiPolygon, Polygon};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::ShapeType;
use i_overlay::core::overlay_rule::OverlayRule;
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
}

impl std::fmt::Debug for Grid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grid").finish_non_exhaustive()
    }
}

impl Grid {
    /// The grid of a region's bounding box; `None` for an empty region.
    pub(crate) fn new(area: &MultiPolygon<f64>) -> Option<Grid> {
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
        Some(Grid { adapter, terms })
    }

    /// The geodesic area in m² of `pieces` ∩ `parts`. Both lie within the
    /// region's bounding box; rings are read with the even-odd rule, as geo's
    /// boolean operations do.
    pub(crate) fn intersection_m2(&self, pieces: &[Polygon<f64>], parts: &[Polygon<f64>]) -> f64 {
        let subject = contours(pieces);
        let clip = contours(parts);
        let capacity = subject.iter().chain(&clip).map(Vec::len).sum();
        let shapes: Shapes<[f64; 2]> = FloatOverlay::new_custom(
            self.adapter.clone(),
            OverlayOptions::ogc(),
            Default::default(),
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
        m2.max(0.0)
    }
}

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
