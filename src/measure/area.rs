//! Geodesic area on the WGS84 ellipsoid, or, to reproduce DeepState's own published
//! figures, on a sphere as turf.js measures it ([`AreaModel`]).

use std::sync::{LazyLock, OnceLock};

use geo::{LineString, MultiPolygon, Polygon};
use std::collections::HashMap;

use geographiclib_rs::{Geodesic, capability as caps};

/// Built once: `Geodesic::wgs84()` derives series coefficients on every call.
static WGS84: LazyLock<Geodesic> = LazyLock::new(Geodesic::wgs84);

/// How areas are measured, for the whole process.
///
/// - [`AreaModel::Wgs84`] (the default): geodesic area on the WGS84 ellipsoid,
///   GeographicLib's algorithm (Karney 2013), exact to the square metre. Use it for
///   every new figure.
/// - [`AreaModel::Sphere`]: DeepState's own method (turf.js's `area`): the
///   Chamberlain–Duquette formula on a sphere of radius 6,378,137 m, the same as
///   [`geo::ChamberlainDuquetteArea`]. At Ukraine's latitudes (45-52°N) it gives 0.0 to
///   0.15 % less than WGS84 (about 0.06 % on the occupied ground of 2025), since
///   the ellipsoid's area scale grows northwards from 1 at about 45°. Use it only to reproduce the site's published km².
///
/// The model is chosen once per process, before the first measure
/// ([`set_area_model`]); every measure then uses it, so that no figure mixes the
/// two (prepared regions, cached layer areas and edge terms all belong to one).
///
/// ```
/// use frontline::measure::{area_model, AreaModel};
/// assert_eq!(area_model(), AreaModel::Wgs84);
/// assert_eq!("sphere".parse::<AreaModel>().unwrap(), AreaModel::Sphere);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AreaModel {
    /// Geodesic area on the WGS84 ellipsoid.
    #[default]
    Wgs84,
    /// DeepState's (turf.js's) spherical area, radius 6,378,137 m.
    Sphere,
}

impl AreaModel {
    /// The model's name: `wgs84` or `sphere`.
    pub fn as_str(self) -> &'static str {
        match self {
            AreaModel::Wgs84 => "wgs84",
            AreaModel::Sphere => "sphere",
        }
    }
}

impl std::fmt::Display for AreaModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for AreaModel {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<AreaModel> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wgs84" | "ellipsoid" => Ok(AreaModel::Wgs84),
            "sphere" => Ok(AreaModel::Sphere),
            _ => Err(crate::Error::Invalid(format!(
                "unknown area model {s:?}: use wgs84 (geodesic, the default) or sphere \
                 (DeepState's own method)"
            ))),
        }
    }
}

static MODEL: OnceLock<AreaModel> = OnceLock::new();

/// Chooses the process's [`AreaModel`]; an error when measures already use another
/// (the first measure, or an earlier call, fixes it).
///
/// ```
/// use frontline::measure::{set_area_model, AreaModel};
/// // The default may be confirmed at any time; changing it after a measure is refused.
/// set_area_model(AreaModel::Wgs84)?;
/// use geo::polygon;
/// let _ = frontline::GeodesicAreaKm2::geodesic_area_km2(&polygon![
///     (x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)]);
/// assert!(set_area_model(AreaModel::Sphere).is_err());
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error when another model is already in use.
pub fn set_area_model(model: AreaModel) -> crate::Result<()> {
    let set = *MODEL.get_or_init(|| model);
    if set == model {
        Ok(())
    } else {
        Err(crate::Error::Invalid(format!(
            "areas are already measured as {set}; the area model is chosen once, before \
             the first measure"
        )))
    }
}

/// The process's [`AreaModel`] (WGS84 unless [`set_area_model`] chose another).
pub fn area_model() -> AreaModel {
    *MODEL.get_or_init(AreaModel::default)
}

/// Area in km² of the process's [`AreaModel`]: geodesic on the WGS84 ellipsoid
/// (Karney's algorithm, GeographicLib) unless DeepState's sphere was chosen.
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
    let mut points: Vec<[f64; 2]> = ring.0.iter().map(|c| [c.x, c.y]).collect();
    if let (Some(&first), Some(&last)) = (points.first(), points.last())
        && first != last
    {
        points.push(first);
    }
    let terms = edge_terms(&points);
    let mut terms = terms.iter();
    ring_area_with(points.iter().copied(), |a, b| {
        terms.next().copied().unwrap_or_else(|| s12(a, b))
    })
}

/// What [`geographiclib_rs::PolygonArea`] asks of each edge, less its length.
const AREA_MASK: u64 = caps::LATITUDE | caps::LONGITUDE | caps::AREA | caps::LONG_UNROLL;

/// An edge's endpoints as bits: edges are looked up by exact coordinates.
type EdgeKey = [u64; 4];

fn key(a: [f64; 2], b: [f64; 2]) -> EdgeKey {
    [
        a[0].to_bits(),
        a[1].to_bits(),
        b[0].to_bits(),
        b[1].to_bits(),
    ]
}

/// GeographicLib's area term `S12` of edges measured before: a region's own edges
/// come back unchanged from most intersections, so their (costly) geodesic terms
/// are computed once.
#[derive(Clone, Debug, Default)]
pub(crate) struct EdgeTerms(HashMap<EdgeKey, f64, foldhash::fast::FixedState>);

impl EdgeTerms {
    /// The terms of every edge of these closed rings.
    pub(crate) fn of_rings<'a>(rings: impl IntoIterator<Item = &'a [[f64; 2]]>) -> EdgeTerms {
        let mut terms = EdgeTerms::default();
        for ring in rings {
            for edge in ring.windows(2) {
                // Both ways round, so that a look-up is one probe.
                let t = s12(edge[0], edge[1]);
                terms.0.insert(key(edge[0], edge[1]), t);
                terms.0.insert(key(edge[1], edge[0]), -t);
            }
        }
        terms
    }

    /// The term of edge a→b, known or computed.
    pub(crate) fn get(&self, a: [f64; 2], b: [f64; 2]) -> f64 {
        match self.0.get(&key(a, b)) {
            Some(t) => *t,
            None => s12(a, b),
        }
    }
}

/// [`s12`] (by the short-edge series where it takes the edge: the caller checks
/// the bound) through a per-thread cache: the edges of a layer mostly come back
/// unchanged in the next snapshot of an archive.
pub(crate) fn s12_cached(a: [f64; 2], b: [f64; 2]) -> f64 {
    // Bounded: a long archive of changing fronts must not grow it without end.
    const MAX_EDGES: usize = 1 << 20;
    thread_local! {
        static TERMS: std::cell::RefCell<HashMap<EdgeKey, f64, foldhash::fast::FixedState>> =
            std::cell::RefCell::new(HashMap::default());
    }
    TERMS.with_borrow_mut(|terms| {
        if terms.len() >= MAX_EDGES {
            terms.clear();
        }
        *terms.entry(key(a, b)).or_insert_with(|| s12_fast(a, b))
    })
}

/// An edge's area term (m²), additive around a ring, clockwise-positive:
/// GeographicLib's `S12` on WGS84, or the Chamberlain–Duquette term on the sphere.
pub(crate) fn s12(a: [f64; 2], b: [f64; 2]) -> f64 {
    match area_model() {
        AreaModel::Wgs84 => geographiclib_s12(a, b),
        AreaModel::Sphere => sphere_s12(a, b),
    }
}

/// [`s12`] by the short-edge series where it takes the edge: for sums whose
/// caller checks the series' bound ([`within_bound`]).
fn s12_fast(a: [f64; 2], b: [f64; 2]) -> f64 {
    match area_model() {
        AreaModel::Wgs84 => short_s12(a, b).unwrap_or_else(|| geographiclib_s12(a, b)),
        AreaModel::Sphere => sphere_s12(a, b),
    }
}

/// GeographicLib's `S12`: the full geodesic inverse.
fn geographiclib_s12(a: [f64; 2], b: [f64; 2]) -> f64 {
    WGS84._gen_inverse(a[1], a[0], b[1], b[0], AREA_MASK).9
}

/// WGS84's equatorial radius, flattening and the quantities derived from them.
const WGS84_A: f64 = 6_378_137.0;
const WGS84_F: f64 = 1.0 / 298.257_223_563;
const E2: f64 = WGS84_F * (2.0 - WGS84_F);
const B2: f64 = WGS84_A * WGS84_A * (1.0 - WGS84_F) * (1.0 - WGS84_F);

/// The longest edge, in degrees of latitude and of longitude, that
/// [`short_s12`] takes: ≈ 5.6 km. Its error grows as the fifth power of the
/// length; at this length it is below 10⁻⁴ m² an edge (see `docs/area.md`).
pub(crate) const SHORT_EDGE_DEG: f64 = 0.05;

/// The most [`short_s12`] differs from GeographicLib's `S12` on an edge it takes:
/// validated at 6.5·10⁻⁵ m² on random edges of every length up to
/// [`SHORT_EDGE_DEG`] and on every edge of the shared boundaries
/// (`docs/area.md`).
pub(crate) const SHORT_EDGE_ERROR_M2: f64 = 1e-4;

/// The area between the equator and latitude φ, per radian of longitude
/// (`A(φ) = ∫₀^φ M N cos φ dφ`: `b²/2 · (sin φ / (1 − e² sin² φ) + atanh(e sin φ) / e)`).
fn zone(phi: f64) -> f64 {
    let s = phi.sin();
    let e = E2.sqrt();
    B2 / 2.0 * (s / (1.0 - E2 * s * s) + (e * s).atanh() / e)
}

/// GeographicLib's `S12` of a short edge (both coordinate differences at most
/// [`SHORT_EDGE_DEG`], away from the poles), from a series in the edge's length
/// instead of the geodesic inverse: ten times cheaper, and within 10⁻⁴ m² of it
/// (validated on every edge of the shared boundaries, `docs/area.md`). `None`
/// for other edges.
///
/// `S12 = ∫ A(φ(λ)) dλ` along the geodesic. Along the straight line in (λ, φ)
/// the integral is the trapezoid rule with its Euler–Maclaurin correction
/// (`−Δφ² A''/12`, A'' = W' below); the geodesic departs from that line by a
/// parabola `δ(λ) = −φ''/2 · (λ − λ₁)(λ₂ − λ)`, with φ'' from the geodesic
/// equation at the midpoint, which adds `W · ∫ δ dλ = −W φ'' Δλ³ / 12`
/// (W = A' = M N cos φ). The terms left out are smaller by (length / R)².
fn short_s12(a: [f64; 2], b: [f64; 2]) -> Option<f64> {
    is_short(a, b).then(|| short_s12_with(a, b, zone(a[1].to_radians()), zone(b[1].to_radians())))
}

/// Whether [`short_s12`] takes edge a→b.
fn is_short(a: [f64; 2], b: [f64; 2]) -> bool {
    let dlon = lon_diff(a[0], b[0]);
    let dlat = b[1] - a[1];
    dlon.abs() <= SHORT_EDGE_DEG
        && dlat.abs() <= SHORT_EDGE_DEG
        && a[1].abs() <= 80.0
        && b[1].abs() <= 80.0
}

/// `b − a` in [−180, 180): the way a short edge goes round.
fn lon_diff(a: f64, b: f64) -> f64 {
    let d = b - a;
    // Most edges: no remainder to take (`%` is a libm call).
    if (-180.0..180.0).contains(&d) {
        d
    } else {
        normalize(d)
    }
}

/// [`short_s12`] given the ends' [`zone`]s (shared by a ring's two edges at a
/// vertex); the edge must be short ([`is_short`]).
fn short_s12_with(a: [f64; 2], b: [f64; 2], za: f64, zb: f64) -> f64 {
    let dlon = lon_diff(a[0], b[0]);
    let (phi1, phi2) = (a[1].to_radians(), b[1].to_radians());
    let (dl, dp) = (dlon.to_radians(), phi2 - phi1);
    let (s, c) = (0.5 * (phi1 + phi2)).sin_cos();
    let d = 1.0 - E2 * s * s;
    // W = A'(φ) = M N cos φ, and its derivative.
    let w = B2 * c / (d * d);
    let w1 = B2 * s / (d * d) * (4.0 * E2 * c * c / d - 1.0);
    let line = dl * (0.5 * (za + zb) - dp * dp * w1 / 12.0);
    // −φ'' Δλ³ of the geodesic, written in Δφ and Δλ so that it holds for
    // meridional edges too: φ'' = −sin φ (2 M/P φ'² + P/M) − 3 e² sin φ cos φ φ'²/D.
    let m_over_p = (1.0 - E2) / (d * c);
    let curvature =
        s * ((2.0 * m_over_p + 3.0 * E2 * c / d) * dp * dp * dl + dl * dl * dl / m_over_p);
    line + w * curvature / 12.0
}

/// turf.js's radius (WGS84's equatorial radius) for DeepState's spherical areas.
const SPHERE_RADIUS: f64 = 6_378_137.0;

/// turf's `ringArea` sums `(λ[i+1] − λ[i−1]) · sin φ[i]` over the vertices, times
/// R²/2; regrouped by edge that is `(λb − λa) · (sin φa + sin φb) · R²/2`, with the
/// sign of GeographicLib's terms (clockwise-positive). Longitudes are not
/// normalised, as turf does not.
fn sphere_s12(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la, lb) = (a[0].to_radians(), b[0].to_radians());
    (lb - la) * (a[1].to_radians().sin() + b[1].to_radians().sin()) * SPHERE_RADIUS * SPHERE_RADIUS
        / 2.0
}

/// The geodesic area (m², unsigned) of a ring of [lon, lat] positions, closed or
/// not: GeographicLib's `PolygonArea::compute(true)`, term by term, each edge's
/// term given by `term` (normally [`s12`]; [`EdgeTerms::get`] for known edges).
pub(crate) fn ring_area_with(
    ring: impl IntoIterator<Item = [f64; 2]>,
    mut term: impl FnMut([f64; 2], [f64; 2]) -> f64,
) -> f64 {
    let mut points = ring.into_iter();
    let Some(first) = points.next() else {
        return 0.0;
    };
    let (mut sum, mut crossings, mut edges) = (0.0, 0i64, 0);
    let mut last = first;
    for p in points {
        sum += term(last, p);
        crossings += transit(last[0], p[0]);
        last = p;
        edges += 1;
    }
    if last != first {
        sum += term(last, first);
        crossings += transit(last[0], first[0]);
        edges += 1;
    }
    if edges < 3 {
        return 0.0;
    }
    if area_model() == AreaModel::Sphere {
        // turf's ring area: the plain sum, unsigned.
        return sum.abs();
    }
    let whole = WGS84.area();
    let mut area = sum % whole;
    if crossings % 2 != 0 {
        area += if area < 0.0 {
            whole / 2.0
        } else {
            -whole / 2.0
        };
    }
    // The terms add up clockwise-positive; counter-clockwise, in (-whole/2, whole/2].
    area = -area;
    if area > whole / 2.0 {
        area -= whole;
    } else if area <= -whole / 2.0 {
        area += whole;
    }
    area.abs()
}

/// +1 or -1 when an edge crosses the prime meridian eastwards or westwards
/// (GeographicLib's `transit`): an odd count means the ring encircles a pole.
fn transit(lon1: f64, lon2: f64) -> i64 {
    let lon12 = normalize(lon2 - lon1);
    let (lon1, lon2) = (normalize(lon1), normalize(lon2));
    if lon12 > 0.0 && ((lon1 < 0.0 && lon2 >= 0.0) || (lon1 > 0.0 && lon2 == 0.0)) {
        1
    } else if lon12 < 0.0 && lon1 >= 0.0 && lon2 < 0.0 {
        -1
    } else {
        0
    }
}

/// A longitude in [-180, 180).
fn normalize(lon: f64) -> f64 {
    let x = lon % 360.0;
    if x < -180.0 {
        x + 360.0
    } else if x >= 180.0 {
        x - 360.0
    } else {
        x
    }
}

/// km² of a polygon from the areas (m²) of its rings, exterior first.
fn polygon_km2(mut rings: impl Iterator<Item = f64>) -> f64 {
    let exterior = rings.next().unwrap_or(0.0);
    // `Iterator::sum` of no f64 is -0.0, which would print as "-0".
    let holes = rings.fold(0.0, |a, b| a + b);
    (exterior - holes).max(0.0) / 1e6
}

/// The terms [`s12`] of every edge of every ring of `area` (polygon by polygon,
/// exterior first, edges in order): what both a region's area and its
/// [`super::boundary::Outline`] are made of, computed once.
pub(crate) fn ring_terms(area: &MultiPolygon<f64>) -> Vec<Vec<f64>> {
    area.0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|ring| edge_terms(&ring.0.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>()))
        .collect()
}

/// The terms of the edges of a closed ring of [lon, lat] positions: on WGS84,
/// [`short_s12`] where it takes an edge and GeographicLib elsewhere, unless the
/// ring is too small for the series' error bound, [`SHORT_EDGE_ERROR_M2`] an
/// edge, to stay below 10⁻⁹ of its area: then GeographicLib throughout.
pub(crate) fn edge_terms(points: &[[f64; 2]]) -> Vec<f64> {
    if area_model() != AreaModel::Wgs84 {
        return points.windows(2).map(|w| s12(w[0], w[1])).collect();
    }
    // Each vertex's zone once, for its two edges.
    let zones: Vec<f64> = points.iter().map(|p| zone(p[1].to_radians())).collect();
    let mut short = 0usize;
    let terms: Vec<f64> = points
        .windows(2)
        .zip(zones.windows(2))
        .map(|(w, z)| match is_short(w[0], w[1]) {
            true => {
                short += 1;
                short_s12_with(w[0], w[1], z[0], z[1])
            }
            false => geographiclib_s12(w[0], w[1]),
        })
        .collect();
    let area: f64 = terms.iter().sum();
    if within_bound(short, area.abs()) {
        terms
    } else {
        points
            .windows(2)
            .map(|w| geographiclib_s12(w[0], w[1]))
            .collect()
    }
}

/// Whether `short` terms of the series, each within [`SHORT_EDGE_ERROR_M2`] of
/// GeographicLib's, are within 10⁻⁹ of `area_m2` together.
pub(crate) fn within_bound(short: usize, area_m2: f64) -> bool {
    short as f64 * SHORT_EDGE_ERROR_M2 <= 1e-9 * area_m2
}

/// [`GeodesicAreaKm2::geodesic_area_km2`] of `area` from its [`ring_terms`]: the
/// same figure, bit for bit.
pub(crate) fn area_km2_from_terms(area: &MultiPolygon<f64>, terms: &[Vec<f64>]) -> f64 {
    let mut terms = terms.iter();
    area.0
        .iter()
        .map(|p| {
            polygon_km2(
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(|ring| {
                        let mut t = terms.next().map(|t| t.iter()).unwrap_or_default();
                        // A polygon's rings are closed: one term per edge, none added.
                        ring_area_with(ring.0.iter().map(|c| [c.x, c.y]), |a, b| {
                            t.next().copied().unwrap_or_else(|| s12(a, b))
                        })
                    }),
            )
        })
        .fold(0.0, |a, b| a + b)
}

impl GeodesicAreaKm2 for Polygon<f64> {
    fn geodesic_area_km2(&self) -> f64 {
        polygon_km2(
            std::iter::once(self.exterior())
                .chain(self.interiors())
                .map(ring_area_m2),
        )
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
    fn equals_geographiclib_polygon_area() {
        use geographiclib_rs::{PolygonArea, Winding};
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..300 {
            // Small and large rings, some across the prime meridian or the equator.
            let (lon, lat) = (next() * 40.0 - 20.0, next() * 120.0 - 60.0);
            let size = next().powi(3) * 30.0;
            let ring: Vec<[f64; 2]> = (0..12)
                .map(|i| {
                    let t = f64::from(i) / 12.0 * std::f64::consts::TAU;
                    let r = size * (0.5 + next());
                    [lon + r * t.cos(), (lat + r * t.sin()).clamp(-89.0, 89.0)]
                })
                .collect();
            let mut pa = PolygonArea::new(&WGS84, Winding::CounterClockwise);
            ring.iter().for_each(|p| pa.add_point(p[1], p[0]));
            let expected = pa.compute(true).1.abs();
            let plain = ring_area_with(ring.iter().copied(), s12);
            assert!(
                (plain - expected).abs() <= 1e-9 * expected.max(1.0),
                "{plain} {expected}"
            );
            // Known terms, some stored the other way round, change nothing.
            let mut closed = ring.clone();
            closed.push(ring[0]);
            let reversed: Vec<[f64; 2]> = closed.iter().rev().copied().collect();
            let half = closed.len() / 2;
            let terms = EdgeTerms::of_rings([&closed[..half], &reversed[..half]]);
            let cached = ring_area_with(closed.iter().copied(), |a, b| terms.get(a, b));
            assert!((cached - expected).abs() <= 1e-9 * expected.max(1.0));
        }
    }

    /// The series of short edges against GeographicLib on random edges of every
    /// length it takes, in every direction and hemisphere.
    #[test]
    fn short_edges_match_geographiclib() {
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut worst: f64 = 0.0;
        for _ in 0..200_000 {
            let a = [next() * 360.0 - 180.0, next() * 160.0 - 80.0];
            let len = SHORT_EDGE_DEG * next().powi(2);
            let t = next() * std::f64::consts::TAU;
            let b = [
                a[0] + len * t.cos(),
                (a[1] + len * t.sin()).clamp(-80.0, 80.0),
            ];
            let Some(short) = short_s12(a, b) else {
                continue;
            };
            let exact = geographiclib_s12(a, b);
            worst = worst.max((short - exact).abs());
        }
        assert!(worst < 1e-3, "largest difference {worst} m²");
        eprintln!("short edges: largest difference {worst:e} m²");
    }

    /// On every edge of the shared boundaries (hromadas, raions, oblasts, the
    /// outline): the series against GeographicLib, summed unsigned per region, is
    /// below 10⁻⁹ of the region's area (the bound `docs/area.md` gives).
    #[test]
    fn short_edges_match_geographiclib_on_every_shared_boundary() {
        let admin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/admin");
        let files = [
            "ukraine_hromadas.geojson.gz",
            "ukraine_raions.geojson.gz",
            "ukraine_oblasts.geojson",
            "ukraine_outline.geojson",
            "donetsk/raions.geojson",
            "donetsk/oblast.geojson",
        ];
        if !admin.join(files[0]).is_file() {
            eprintln!(
                "NOTICE: short-edge validation skipped: {} not found",
                admin.display()
            );
            return;
        }
        let (mut edges, mut short, mut worst_edge, mut worst_ratio): (usize, usize, f64, f64) =
            (0, 0, 0.0, 0.0);
        for file in files {
            let places = crate::import::read_places(admin.join(file)).unwrap();
            for place in places.iter() {
                let Some(area) = place.area() else { continue };
                let mut off = 0.0;
                for ring in area
                    .0
                    .iter()
                    .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                {
                    for w in ring.0.windows(2) {
                        let (a, b) = ([w[0].x, w[0].y], [w[1].x, w[1].y]);
                        edges += 1;
                        if let Some(t) = short_s12(a, b) {
                            short += 1;
                            let d = (t - geographiclib_s12(a, b)).abs();
                            worst_edge = worst_edge.max(d);
                            off += d;
                        }
                    }
                }
                let m2 = area.geodesic_area_km2() * 1e6;
                worst_ratio = worst_ratio.max(off / m2);
            }
        }
        eprintln!(
            "short edges: {short} of {edges} edges; largest difference {worst_edge:e} m²; \
             largest sum per region {worst_ratio:e} of its area"
        );
        assert!(short * 100 >= edges * 99, "{short} of {edges}");
        assert!(worst_ratio <= 1e-9, "{worst_ratio}");
    }

    /// The sphere's edge terms add up to geo's Chamberlain–Duquette area (turf's
    /// formula), with the sign of GeographicLib's terms.
    #[test]
    fn sphere_terms_are_turfs_area() {
        use geo::ChamberlainDuquetteArea;
        let ccw = polygon![(x: 37.0, y: 48.0), (x: 38.0, y: 48.2), (x: 38.1, y: 49.0), (x: 36.9, y: 49.1)];
        let ring: Vec<[f64; 2]> = ccw.exterior().0.iter().map(|c| [c.x, c.y]).collect();
        let sphere: f64 = ring.windows(2).map(|w| sphere_s12(w[0], w[1])).sum();
        let wgs84: f64 = ring.windows(2).map(|w| geographiclib_s12(w[0], w[1])).sum();
        let expected = ccw.chamberlain_duquette_unsigned_area();
        assert!(
            (sphere.abs() - expected).abs() <= 1e-9 * expected,
            "{sphere} {expected}"
        );
        assert_eq!(sphere.signum(), wgs84.signum());
        // Smaller than WGS84 at 48°N, by 0.03 % (M·N/a² = 1.0007 there).
        let ratio = sphere / wgs84;
        assert!((0.9995..0.9999).contains(&ratio), "{ratio}");
    }

    #[test]
    fn degenerate_rings_have_no_area() {
        let p = Polygon::new(LineString::from(vec![(0.0, 0.0), (1.0, 1.0)]), vec![]);
        assert_eq!(p.geodesic_area_km2(), 0.0);
        let empty = MultiPolygon::<f64>::new(vec![]).geodesic_area_km2();
        assert!(empty == 0.0 && empty.is_sign_positive());
    }
}
