//! Clipping polygons to an axis-aligned box (Sutherland–Hodgman).
//!
//! A region is small next to a country-wide layer; cutting the layer down to the
//! region's bounding box first is linear in the layer's vertices, whereas the exact
//! boolean intersection that follows sorts every edge it is given. The result is
//! only a pre-filter: rings clipped this way may run along the box edge and touch
//! themselves there, which the even-odd boolean operation that follows accepts.

use std::borrow::Cow;

use geo::{BoundingRect, Coord, LineString, Polygon, Rect};

/// A polygon's part within `rect`: the polygon itself when it lies inside, `None`
/// when its bounding box misses `rect`, else [`clip_polygon`]'s result.
///
/// ```
/// use frontline::measure::clip::clip_to;
/// use geo::{polygon, Rect, coord};
/// let p = polygon![(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0)];
/// let big = Rect::new(coord!(x: 0.0, y: 0.0), coord!(x: 5.0, y: 5.0));
/// assert!(matches!(clip_to(&p, &big), Some(std::borrow::Cow::Borrowed(_))));
/// assert!(clip_to(&p, &Rect::new(coord!(x: 3.0, y: 3.0), coord!(x: 5.0, y: 5.0))).is_none());
/// ```
pub fn clip_to<'a>(polygon: &'a Polygon<f64>, rect: &Rect<f64>) -> Option<Cow<'a, Polygon<f64>>> {
    let b = polygon.bounding_rect()?;
    let inside = rect.min().x <= b.min().x
        && rect.min().y <= b.min().y
        && b.max().x <= rect.max().x
        && b.max().y <= rect.max().y;
    let disjoint = b.max().x < rect.min().x
        || rect.max().x < b.min().x
        || b.max().y < rect.min().y
        || rect.max().y < b.min().y;
    if inside {
        Some(Cow::Borrowed(polygon))
    } else if disjoint {
        None
    } else {
        clip_polygon(polygon, rect).map(Cow::Owned)
    }
}

/// Clips a polygon to `rect`; `None` when nothing of it is left.
///
/// ```
/// use frontline::measure::clip::clip_polygon;
/// use geo::{polygon, Rect, coord};
/// let square = polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)];
/// let clipped = clip_polygon(&square, &Rect::new(coord!(x: 1.0, y: 1.0), coord!(x: 9.0, y: 2.0))).unwrap();
/// assert_eq!(geo::Area::unsigned_area(&clipped), 3.0);
/// ```
pub fn clip_polygon(polygon: &Polygon<f64>, rect: &Rect<f64>) -> Option<Polygon<f64>> {
    let exterior = clip_ring(polygon.exterior(), rect)?;
    let holes = polygon
        .interiors()
        .iter()
        .filter_map(|r| clip_ring(r, rect))
        .collect();
    Some(Polygon::new(exterior, holes))
}

fn clip_ring(ring: &LineString<f64>, rect: &Rect<f64>) -> Option<LineString<f64>> {
    let (min, max) = (rect.min(), rect.max());
    let mut pts: Vec<Coord<f64>> = ring.0.clone();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    // Each edge of the box is a half-plane: (inside test, intersection with its line).
    type Inside = fn(Coord<f64>, f64) -> bool;
    let planes: [(Inside, f64, bool); 4] = [
        (|c, v| c.x >= v, min.x, true),
        (|c, v| c.x <= v, max.x, true),
        (|c, v| c.y >= v, min.y, false),
        (|c, v| c.y <= v, max.y, false),
    ];
    for (inside, value, vertical) in planes {
        if pts.is_empty() {
            return None;
        }
        let mut out = Vec::with_capacity(pts.len() + 4);
        let mut prev = pts[pts.len() - 1];
        for &cur in &pts {
            let (cin, pin) = (inside(cur, value), inside(prev, value));
            if cin != pin {
                out.push(cross(prev, cur, value, vertical));
            }
            if cin {
                out.push(cur);
            }
            prev = cur;
        }
        pts = out;
    }
    if pts.len() < 3 {
        return None;
    }
    pts.push(pts[0]);
    Some(LineString(pts))
}

/// Where segment a–b crosses the line x = v (vertical) or y = v.
fn cross(a: Coord<f64>, b: Coord<f64>, v: f64, vertical: bool) -> Coord<f64> {
    if vertical {
        let t = (v - a.x) / (b.x - a.x);
        Coord {
            x: v,
            y: a.y + t * (b.y - a.y),
        }
    } else {
        let t = (v - a.y) / (b.y - a.y);
        Coord {
            x: a.x + t * (b.x - a.x),
            y: v,
        }
    }
}

/// The smallest box around two boxes.
pub(crate) fn rect_union(a: &Rect<f64>, b: &Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord {
            x: a.min().x.min(b.min().x),
            y: a.min().y.min(b.min().y),
        },
        Coord {
            x: a.max().x.max(b.max().x),
            y: a.max().y.max(b.max().y),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BooleanOps, coord, polygon};

    #[test]
    fn matches_exact_intersection_on_a_concave_ring_with_a_hole() {
        let p = polygon![
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 5.0, y: 3.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 4.0, y: 1.0), (x: 6.0, y: 1.0), (x: 6.0, y: 2.0), (x: 4.0, y: 2.0)]],
        ];
        let rect = Rect::new(coord!(x: 2.0, y: 0.5), coord!(x: 9.0, y: 8.0));
        let clipped = clip_polygon(&p, &rect).unwrap();
        let exact = p.intersection(&rect.to_polygon());
        // The boolean operation snaps to an integer grid: agree to 1e-9 relative.
        assert!((clipped.unsigned_area() / exact.unsigned_area() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn outside_is_none() {
        let p = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)];
        assert!(
            clip_polygon(
                &p,
                &Rect::new(coord!(x: 5.0, y: 5.0), coord!(x: 6.0, y: 6.0))
            )
            .is_none()
        );
    }
}
