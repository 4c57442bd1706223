//! Geodesic area on the WGS84 ellipsoid.

use std::sync::LazyLock;

use geo::{LineString, MultiPolygon, Polygon};
use geographiclib_rs::{Geodesic, PolygonArea, Winding};

/// Built once: `Geodesic::wgs84()` derives series coefficients on every call.
static WGS84: LazyLock<Geodesic> = LazyLock::new(Geodesic::wgs84);

/// Geodesic area in km² on the WGS84 ellipsoid (Karney's algorithm, GeographicLib).
///
/// Edges are geodesics; orientation does not matter (a ring's area is taken
/// unsigned, holes are subtracted), so a clockwise polygon never turns into "the
/// rest of the Earth".
///
/// ```
/// use frontline::GeodesicAreaKm2;
/// use geo::polygon;
/// // One degree square at the equator: 12,308.78 km² on WGS84.
/// let p = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
/// assert!((p.geodesic_area_km2() - 12_308.778).abs() < 0.001);
/// ```
pub trait GeodesicAreaKm2 {
    /// Area in km².
    fn geodesic_area_km2(&self) -> f64;
}

fn ring_area_m2(ring: &LineString<f64>) -> f64 {
    if ring.0.len() < 4 {
        return 0.0;
    }
    let mut pa = PolygonArea::new(&WGS84, Winding::CounterClockwise);
    // The closing coordinate repeats the first; GeographicLib closes rings itself.
    for c in &ring.0[..ring.0.len() - 1] {
        pa.add_point(c.y, c.x);
    }
    let (_perimeter, area, _n) = pa.compute(true);
    area.abs()
}

impl GeodesicAreaKm2 for Polygon<f64> {
    fn geodesic_area_km2(&self) -> f64 {
        // `Iterator::sum` of no f64 is -0.0, which would print as "-0".
        let holes = self
            .interiors()
            .iter()
            .map(ring_area_m2)
            .fold(0.0, |a, b| a + b);
        (ring_area_m2(self.exterior()) - holes).max(0.0) / 1e6
    }
}

impl GeodesicAreaKm2 for MultiPolygon<f64> {
    fn geodesic_area_km2(&self) -> f64 {
        self.0
            .iter()
            .map(GeodesicAreaKm2::geodesic_area_km2)
            .fold(0.0, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{GeodesicArea, polygon};

    #[test]
    fn agrees_with_geo_and_ignores_orientation() {
        let ccw = polygon![
            exterior: [(x: 37.0, y: 48.0), (x: 38.0, y: 48.0), (x: 38.0, y: 49.0), (x: 37.0, y: 49.0)],
            interiors: [[(x: 37.2, y: 48.2), (x: 37.2, y: 48.4), (x: 37.4, y: 48.4), (x: 37.4, y: 48.2)]],
        ];
        let expected = ccw.geodesic_area_signed() / 1e6;
        assert!((ccw.geodesic_area_km2() - expected).abs() < 1e-9);
        let mut cw = ccw.clone();
        cw.exterior_mut(|r| r.0.reverse());
        cw.interiors_mut(|rs| rs.iter_mut().for_each(|r| r.0.reverse()));
        assert!((cw.geodesic_area_km2() - expected).abs() < 1e-9);
    }

    #[test]
    fn degenerate_rings_have_no_area() {
        let p = Polygon::new(LineString::from(vec![(0.0, 0.0), (1.0, 1.0)]), vec![]);
        assert_eq!(p.geodesic_area_km2(), 0.0);
        let empty = MultiPolygon::<f64>::new(vec![]).geodesic_area_km2();
        assert!(empty == 0.0 && empty.is_sign_positive());
    }
}
