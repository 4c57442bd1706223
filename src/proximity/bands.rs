//! Areas within a distance of the front inside a region: the front is buffered in
//! an ellipsoidal azimuthal equidistant projection centred on the region (see
//! [`PlaceIndex::bands`](super::PlaceIndex::bands) for the method's accuracy).

use std::f64::consts::PI;

use geo::algorithm::buffer::{BufferStyle, LineCap, LineJoin};
use geo::{BooleanOps, BoundingRect, Buffer, Coord, LineString, MultiLineString, MultiPolygon};
use geographiclib_rs::{DirectGeodesic, InverseGeodesic};

use super::{Front, WGS84, check_point};
use crate::measure::GeodesicAreaKm2;
use crate::{Error, Result};

/// Edges are cut into pieces no longer than this (metres, roughly) before they
/// are projected, so that straight-in-lon/lat edges stay straight enough.
const STEP_M: f64 = 2_000.0;
/// Largest distance from the projection's centre to the region (metres).
const MAX_RADIUS_M: f64 = 500_000.0;
/// Round joins and caps: arcs cut into chords spanning this angle (radians; the
/// finest i_overlay allows).
const ARC_STEP: f64 = 0.01 * PI;

/// Ellipsoidal azimuthal equidistant projection (GeographicLib): x east, y north,
/// metres; distances and azimuths from the centre are exact.
struct Aeqd {
    centre: Coord<f64>,
}

impl Aeqd {
    fn forward(&self, c: Coord<f64>) -> Coord<f64> {
        let (s12, azi1, _azi2, _a12): (f64, f64, f64, f64) =
            WGS84.inverse(self.centre.y, self.centre.x, c.y, c.x);
        let a = azi1.to_radians();
        Coord {
            x: s12 * a.sin(),
            y: s12 * a.cos(),
        }
    }

    fn inverse(&self, p: Coord<f64>) -> Coord<f64> {
        let s = p.x.hypot(p.y);
        let azi = p.x.atan2(p.y).to_degrees();
        let (lat, lon): (f64, f64) = WGS84.direct(self.centre.y, self.centre.x, azi, s);
        Coord { x: lon, y: lat }
    }
}

/// The points of a lon/lat segment `a`–`b`, `a` excluded, `b` included, at most
/// about `STEP_M` apart.
fn densify(a: Coord<f64>, b: Coord<f64>, out: &mut Vec<Coord<f64>>) {
    let deg = ((b.x - a.x) * a.y.to_radians().cos()).hypot(b.y - a.y);
    let n = ((deg * 111_400.0 / STEP_M).ceil() as usize).clamp(1, 10_000);
    for i in 1..=n {
        let t = i as f64 / n as f64;
        out.push(if i == n {
            b
        } else {
            Coord {
                x: a.x + t * (b.x - a.x),
                y: a.y + t * (b.y - a.y),
            }
        });
    }
}

/// A lon/lat ring or line, densified and projected.
fn project_line(aeqd: &Aeqd, coords: &[Coord<f64>]) -> LineString<f64> {
    let mut dense = Vec::with_capacity(coords.len());
    if let Some(first) = coords.first() {
        dense.push(*first);
    }
    for w in coords.windows(2) {
        densify(w[0], w[1], &mut dense);
    }
    LineString(dense.into_iter().map(|c| aeqd.forward(c)).collect())
}

fn map_polygons(
    mp: &MultiPolygon<f64>,
    f: impl Fn(&[Coord<f64>]) -> LineString<f64>,
) -> MultiPolygon<f64> {
    MultiPolygon(
        mp.0.iter()
            .map(|p| {
                geo::Polygon::new(
                    f(&p.exterior().0),
                    p.interiors().iter().map(|r| f(&r.0)).collect(),
                )
            })
            .collect(),
    )
}

/// The geodesic area (km²) of `region` within each of `distances_km` of the
/// front line (increasing distances; cumulative areas).
pub(crate) fn areas_within_km2(
    front: &Front,
    region: &MultiPolygon<f64>,
    distances_km: &[f64],
) -> Result<Vec<f64>> {
    let rect = region
        .bounding_rect()
        .ok_or_else(|| Error::Invalid("the region has no polygon".into()))?;
    check_point(rect.min().into())?;
    check_point(rect.max().into())?;
    if region.geodesic_area_km2() <= 0.0 {
        return Err(Error::Invalid("the region has no area".into()));
    }
    let Some(&far_km) = distances_km.last() else {
        return Ok(Vec::new());
    };
    let aeqd = Aeqd {
        centre: rect.center(),
    };
    let region_plane = map_polygons(region, |c| project_line(&aeqd, c));
    let radius = region_plane
        .0
        .iter()
        .flat_map(|p| p.exterior().0.iter())
        .map(|c| c.x.hypot(c.y))
        .fold(0.0, f64::max);
    if radius > MAX_RADIUS_M {
        return Err(Error::Invalid(format!(
            "the region reaches {:.0} km from its centre: band areas are drawn in one \
             azimuthal equidistant projection, good for regions up to {:.0} km across",
            radius / 1000.0,
            2.0 * MAX_RADIUS_M / 1000.0
        )));
    }
    // The front's runs that can come within the farthest distance of the region:
    // those whose vertices fall in the region's box widened by that distance
    // (degrees: at least 110.5 km per degree of latitude, and of longitude at
    // the widened box's most poleward latitude).
    let far_m = far_km * 1000.0;
    let dlat = far_m / 110_000.0;
    let pole = (rect.max().y.abs().max(rect.min().y.abs()) + dlat).min(89.0);
    let dlon = far_m / (111_000.0 * pole.to_radians().cos());
    let near = |c: &Coord<f64>| {
        c.x >= rect.min().x - dlon
            && c.x <= rect.max().x + dlon
            && c.y >= rect.min().y - dlat
            && c.y <= rect.max().y + dlat
    };
    let mut runs: Vec<LineString<f64>> = Vec::new();
    for line in &front.line().0 {
        let mut run: Vec<Coord<f64>> = Vec::new();
        for w in line.0.windows(2) {
            if near(&w[0]) || near(&w[1]) {
                if run.is_empty() {
                    run.push(w[0]);
                }
                run.push(w[1]);
            } else if !run.is_empty() {
                runs.push(project_line(&aeqd, &std::mem::take(&mut run)));
            }
        }
        if !run.is_empty() {
            runs.push(project_line(&aeqd, &run));
        }
    }
    if runs.is_empty() {
        return Ok(vec![0.0; distances_km.len()]);
    }
    let lines = MultiLineString(runs);
    let back = |c: &[Coord<f64>]| LineString(c.iter().map(|p| aeqd.inverse(*p)).collect());
    Ok(distances_km
        .iter()
        .map(|&d| {
            if d <= 0.0 {
                return 0.0;
            }
            let style = BufferStyle::new(d * 1000.0)
                .line_join(LineJoin::Round(ARC_STEP))
                .line_cap(LineCap::Round(ARC_STEP));
            let zone = lines.buffer_with_style(style);
            let inside = zone.intersection(&region_plane);
            map_polygons(&inside, back).geodesic_area_km2()
        })
        .collect())
}
