//! Geometry for export: simplification to a tolerance in metres, rounding to a
//! number of decimals, repair, and RFC 7946 winding.

use geo::orient::Direction;
use geo::{
    Coord, LineString, MakeValid, MultiLineString, MultiPolygon, Orient, Polygon, Simplify,
    unary_union,
};

use crate::import::geometry::is_simple;

/// WGS84 semi-major axis (m) and first eccentricity squared.
const A: f64 = 6_378_137.0;
const E2: f64 = 0.006_694_379_990_14;

/// Metres per degree of longitude and of latitude at `lat` degrees on WGS84.
fn metres_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    let w = (1.0 - E2 * phi.sin().powi(2)).sqrt();
    let n = A / w; // prime vertical radius
    let m = A * (1.0 - E2) / (w * w * w); // meridian radius
    let rad = std::f64::consts::PI / 180.0;
    (rad * n * phi.cos(), rad * m)
}

/// A local scale about a latitude: longitude/latitude to metres and back.
#[derive(Clone, Copy)]
struct Local {
    lon0: f64,
    lat0: f64,
    kx: f64,
    ky: f64,
}

impl Local {
    fn about(ring: &LineString<f64>) -> Option<Local> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for c in &ring.0 {
            lo = lo.min(c.y);
            hi = hi.max(c.y);
        }
        let first = ring.0.first()?;
        let lat0 = (lo + hi) / 2.0;
        let (kx, ky) = metres_per_degree(lat0);
        // Near the poles a degree of longitude has no length: nothing to scale by.
        (kx > 1e-3).then_some(Local {
            lon0: first.x,
            lat0,
            kx,
            ky,
        })
    }
    fn to_m(self, l: &LineString<f64>) -> LineString<f64> {
        l.0.iter()
            .map(|c| Coord {
                x: (c.x - self.lon0) * self.kx,
                y: (c.y - self.lat0) * self.ky,
            })
            .collect()
    }
    fn to_deg(self, l: &LineString<f64>) -> LineString<f64> {
        l.0.iter()
            .map(|c| Coord {
                x: c.x / self.kx + self.lon0,
                y: c.y / self.ky + self.lat0,
            })
            .collect()
    }
}

/// A closed ring with at least three distinct positions.
fn usable(ring: &LineString<f64>) -> bool {
    ring.0.len() >= 4 && ring.0.first() == ring.0.last()
}

/// Douglas-Peucker simplification of every ring to `tolerance_m` metres (no kept
/// outline is farther than that from the original), in a local metric scale about
/// each polygon's middle latitude. Rings that collapse are dropped; polygons that
/// come out invalid are repaired ([`geo::MakeValid`]) and parts that came to
/// overlap are unioned, so the result is valid and oriented (exterior
/// counter-clockwise, holes clockwise).
///
/// ```
/// use frontline::export::simplify_m;
/// use geo::{polygon, CoordsIter, MultiPolygon};
/// // A square of 0.1° with a 30 m bump on its south edge.
/// let p = MultiPolygon(vec![polygon![(x: 37.0, y: 48.0), (x: 37.05, y: 47.99973),
///     (x: 37.1, y: 48.0), (x: 37.1, y: 48.1), (x: 37.0, y: 48.1)]]);
/// assert_eq!(simplify_m(&p, 10.0).coords_count(), 6); // the bump stays
/// assert_eq!(simplify_m(&p, 100.0).coords_count(), 5); // the bump goes
/// ```
pub fn simplify_m(geometry: &MultiPolygon<f64>, tolerance_m: f64) -> MultiPolygon<f64> {
    if !(tolerance_m > 0.0 && tolerance_m.is_finite()) {
        return geometry.clone();
    }
    let parts: Vec<Polygon<f64>> = geometry
        .0
        .iter()
        .filter_map(|p| {
            let local = Local::about(p.exterior())?;
            let ring = |r: &LineString<f64>| {
                let s = local.to_deg(&local.to_m(r).simplify(tolerance_m));
                usable(&s).then_some(s)
            };
            let exterior = ring(p.exterior())?;
            Some(Polygon::new(
                exterior,
                p.interiors().iter().filter_map(ring).collect(),
            ))
        })
        .collect();
    repair(parts)
}

/// Polygons made valid: each one repaired when it is not simple, then the parts
/// unioned when there are several (simplified or rounded parts may overlap).
fn repair(parts: Vec<Polygon<f64>>) -> MultiPolygon<f64> {
    let mut valid: Vec<Polygon<f64>> = Vec::with_capacity(parts.len());
    for p in parts {
        if is_simple(&p) {
            valid.push(p.orient(Direction::Default));
        } else if let Ok(fixed) = p.make_valid() {
            valid.extend(fixed.orient(Direction::Default).0);
        }
        // A polygon make_valid cannot repair has no area worth drawing: dropped.
    }
    if valid.len() > 1 {
        unary_union(&valid).orient(Direction::Default)
    } else {
        MultiPolygon(valid)
    }
}

/// Rounds a number to `decimals` places.
///
/// ```
/// assert_eq!(frontline::export::round_to(37.1234567, 6), 37.123457);
/// assert_eq!(frontline::export::round_to(-0.00004, 4), 0.0);
/// ```
pub fn round_to(value: f64, decimals: u8) -> f64 {
    let scale = 10f64.powi(i32::from(decimals));
    let r = (value * scale).round() / scale;
    if r == 0.0 { 0.0 } else { r } // no "-0"
}

fn round_line(line: &LineString<f64>, decimals: u8) -> LineString<f64> {
    let mut out: Vec<Coord<f64>> = Vec::with_capacity(line.0.len());
    for c in &line.0 {
        let r = Coord {
            x: round_to(c.x, decimals),
            y: round_to(c.y, decimals),
        };
        if out.last() != Some(&r) {
            out.push(r);
        }
    }
    LineString(out)
}

/// Every coordinate rounded to `decimals` places; repeated positions and rings
/// that collapse dropped; polygons that rounding made invalid repaired and
/// rounded again. Oriented for RFC 7946 (exterior counter-clockwise, holes
/// clockwise).
///
/// ```
/// use frontline::export::round_polygons;
/// use geo::{polygon, MultiPolygon};
/// let p = MultiPolygon(vec![polygon![(x: 37.123456789, y: 48.0), (x: 37.2, y: 48.0),
///     (x: 37.2, y: 48.1)]]);
/// let r = round_polygons(&p, 3);
/// assert_eq!(r.0[0].exterior().0[0].x, 37.123);
/// // A ring smaller than the grid disappears.
/// let tiny = MultiPolygon(vec![polygon![(x: 37.0, y: 48.0), (x: 37.00001, y: 48.0),
///     (x: 37.00001, y: 48.00001)]]);
/// assert!(round_polygons(&tiny, 3).0.is_empty());
/// ```
pub fn round_polygons(geometry: &MultiPolygon<f64>, decimals: u8) -> MultiPolygon<f64> {
    let round = |p: &Polygon<f64>| -> Option<Polygon<f64>> {
        let exterior = round_line(p.exterior(), decimals);
        usable(&exterior).then(|| {
            let holes = p
                .interiors()
                .iter()
                .map(|h| round_line(h, decimals))
                .filter(usable)
                .collect();
            Polygon::new(exterior, holes)
        })
    };
    let rounded: Vec<Polygon<f64>> = geometry.0.iter().filter_map(round).collect();
    let all_simple = rounded.iter().all(is_simple);
    if all_simple && rounded.len() <= 1 {
        return MultiPolygon(rounded).orient(Direction::Default);
    }
    // Repairs add intersection points off the grid: round them once more. What
    // is left invalid after that is a sliver at the grid's scale.
    let repaired = repair(rounded);
    MultiPolygon(repaired.0.iter().filter_map(round).collect()).orient(Direction::Default)
}

/// Lines rounded to `decimals` places, repeated positions dropped, lines that
/// collapse to a point dropped.
///
/// ```
/// use frontline::export::round_lines;
/// use geo::{line_string, MultiLineString};
/// let l = MultiLineString(vec![line_string![(x: 37.00001, y: 48.0), (x: 37.00002, y: 48.0)]]);
/// assert!(round_lines(&l, 3).0.is_empty());
/// assert_eq!(round_lines(&l, 5).0[0].0.len(), 2);
/// ```
pub fn round_lines(lines: &MultiLineString<f64>, decimals: u8) -> MultiLineString<f64> {
    MultiLineString(
        lines
            .0
            .iter()
            .map(|l| round_line(l, decimals))
            .filter(|l| l.0.len() >= 2)
            .collect(),
    )
}

/// Lines simplified to `tolerance_m` metres (Douglas-Peucker in a local metric
/// scale about each line's middle latitude).
///
/// ```
/// use frontline::export::simplify_lines_m;
/// use geo::{line_string, MultiLineString};
/// let l = MultiLineString(vec![line_string![(x: 37.0, y: 48.0), (x: 37.05, y: 48.0001),
///     (x: 37.1, y: 48.0)]]);
/// assert_eq!(simplify_lines_m(&l, 50.0).0[0].0.len(), 2);
/// ```
pub fn simplify_lines_m(lines: &MultiLineString<f64>, tolerance_m: f64) -> MultiLineString<f64> {
    if !(tolerance_m > 0.0 && tolerance_m.is_finite()) {
        return lines.clone();
    }
    MultiLineString(
        lines
            .0
            .iter()
            .map(|l| match Local::about(l) {
                Some(local) => local.to_deg(&local.to_m(l).simplify(tolerance_m)),
                None => l.clone(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GeodesicAreaKm2;
    use geo::{Validation, Winding};

    fn wiggly() -> MultiPolygon<f64> {
        // A 0.2° circle-ish polygon with 3600 vertices and a small hole.
        let ring = |r: f64, n: usize, cw: bool| -> LineString<f64> {
            let mut pts: Vec<Coord<f64>> = (0..n)
                .map(|i| {
                    let t = i as f64 / n as f64 * std::f64::consts::TAU;
                    let wobble = 1.0 + 0.002 * (37.0 * t).sin();
                    Coord {
                        x: 37.5 + r * wobble * t.cos(),
                        y: 48.5 + r * wobble * t.sin(),
                    }
                })
                .collect();
            if cw {
                pts.reverse();
            }
            pts.push(pts[0]);
            LineString(pts)
        };
        MultiPolygon(vec![Polygon::new(
            ring(0.2, 3600, false),
            vec![ring(0.02, 400, true)],
        )])
    }

    #[test]
    fn simplification_keeps_validity_winding_and_area() {
        let p = wiggly();
        let before = p.geodesic_area_km2();
        for tol in [10.0, 100.0, 1000.0] {
            let s = simplify_m(&p, tol);
            assert!(s.is_valid(), "{tol}");
            for poly in &s.0 {
                assert!(poly.exterior().is_ccw());
                assert!(poly.interiors().iter().all(|h| h.is_cw()));
            }
            // The 30-40 m wobble goes at 100 m; at 1 km the circle (about 18 km
            // across) becomes an inscribed polygon, a few % smaller.
            let change = (s.geodesic_area_km2() / before - 1.0).abs();
            let limit = if tol < 500.0 { 0.005 } else { 0.05 };
            assert!(change < limit, "{tol}: {change}");
            assert!(geo::CoordsIter::coords_count(&s) < 4001);
        }
    }

    #[test]
    fn degenerate_and_polar_input_does_not_panic() {
        let empty = MultiPolygon::<f64>(vec![]);
        assert!(simplify_m(&empty, 100.0).0.is_empty());
        assert!(round_polygons(&empty, 6).0.is_empty());
        let flat = MultiPolygon(vec![Polygon::new(
            LineString::from(vec![(0.0, 90.0), (1.0, 90.0), (2.0, 90.0), (0.0, 90.0)]),
            vec![],
        )]);
        let _ = simplify_m(&flat, 100.0);
        let _ = round_polygons(&flat, 6);
        assert_eq!(simplify_m(&wiggly(), f64::NAN), wiggly());
    }

    #[test]
    fn metres_per_degree_matches_known_values() {
        // The usual series on WGS84: 111,132.954 - 559.822 cos 2φ + 1.175 cos 4φ m per
        // degree of latitude, 111,412.84 cos φ - 93.5 cos 3φ of longitude.
        let (kx, ky) = metres_per_degree(48.5);
        let phi = 48.5f64.to_radians();
        let lat = 111_132.954 - 559.822 * (2.0 * phi).cos() + 1.175 * (4.0 * phi).cos();
        let lon = 111_412.84 * phi.cos() - 93.5 * (3.0 * phi).cos();
        assert!((ky - lat).abs() < 1.0, "{ky} {lat}");
        assert!((kx - lon).abs() < 1.0, "{kx} {lon}");
    }
}
