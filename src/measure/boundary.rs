//! The area of a region ∩ layer from the two boundaries, without building polygons.
//!
//! The geodesic area of a ring is minus the sum of GeographicLib's edge terms S12
//! (counter-clockwise; Green's theorem on the ellipsoid). The boundary of R ∩ L is
//! the part of R's boundary inside L and the part of L's boundary inside R, both
//! with the ground on their left, so area(R ∩ L) is a sum over those pieces: L's
//! edges cut where they cross R's boundary, and R's boundary between consecutive
//! crossings, whose terms are differences of prefix sums computed once per
//! region. Per layer, the work is linear in the layer's edges near the region and
//! their crossings with the region's boundary, however detailed that boundary is;
//! a boolean operation would sort every edge of both, in every snapshot.
//!
//! Crossing points are where the straight lines in longitude/latitude cross, as
//! in any planar boolean operation (and GEOS). Crossings are found with exact
//! orientation predicates. When the boundaries touch or overlap (a vertex on an
//! edge, a shared edge) the answer would hang on how ties are broken, so the
//! measure declines (`None`) and the caller runs a boolean operation instead.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{BoundingRect, Coord, MultiPolygon, Rect, Winding};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::model::Layer;

/// A region's boundary prepared for measuring layers: its rings with the ground on
/// their left, prefix sums of their edge terms, and a grid of their edges.
#[derive(Clone, Debug)]
pub(crate) struct Outline {
    rings: Vec<Ring>,
    bbox: Rect<f64>,
    // Built on first use: only a region that a layer's boundary enters needs it
    // (most of a country's regions lie wholly in or out of every layer).
    grid: std::sync::OnceLock<EdgeGrid>,
}

#[derive(Clone, Debug)]
struct Ring {
    /// Closed: the last point is the first.
    points: Vec<Coord<f64>>,
    /// `prefix[i]`: the sum of the terms of edges `0..i`.
    prefix: Vec<f64>,
}

/// Region edges by uniform cells of the region's box.
#[derive(Clone, Debug)]
struct EdgeGrid {
    origin: Coord<f64>,
    cell: Coord<f64>,
    nx: usize,
    ny: usize,
    /// Every edge whose box meets a cell, cell after cell (row-major): those of
    /// cell `i` are `edges[starts[i]..starts[i + 1]]`, one run of memory.
    edges: Vec<GridEdge>,
    starts: Vec<usize>,
}

/// A region edge in a grid cell: its ends kept beside its place, so that
/// scanning a cell reads one run of memory.
#[derive(Clone, Copy, Debug, Default)]
struct GridEdge {
    a: Coord<f64>,
    b: Coord<f64>,
    ring: u32,
    edge: u32,
}

/// Where a crossing lies on one of the boundaries: edge, and fraction along it.
#[derive(Clone, Copy, Debug)]
struct At {
    edge: usize,
    t: f64,
    point: usize,
}

impl Outline {
    /// Prepares a region; `None` for one with no extent or spanning more than half
    /// the globe in longitude, which the planar crossings cannot describe.
    ///
    /// `terms`: the region's [`super::area::ring_terms`].
    pub(crate) fn new(area: &MultiPolygon<f64>, terms: &[Vec<f64>]) -> Option<Outline> {
        let bbox = area.bounding_rect()?;
        if bbox.width() <= 0.0 || bbox.height() <= 0.0 || bbox.width() >= 180.0 {
            return None;
        }
        let mut rings = Vec::new();
        let mut terms = terms.iter();
        for polygon in &area.0 {
            for (i, ring) in std::iter::once(polygon.exterior())
                .chain(polygon.interiors())
                .enumerate()
            {
                let ring_terms = terms.next().map(Vec::as_slice).unwrap_or_default();
                if ring.0.len() < 4 || ring_terms.len() + 1 != ring.0.len() {
                    continue;
                }
                let mut points: Vec<Coord<f64>> = ring.0.clone();
                let mut prefix = Vec::with_capacity(points.len());
                let mut sum = 0.0;
                prefix.push(sum);
                // Ground on the left: exteriors counter-clockwise, holes clockwise.
                // Reversed, an edge's term changes sign. The terms' sum (minus the
                // signed area) tells the orientation without another pass, unless
                // the ring is too small for its sign to be sure.
                let signed: f64 = ring_terms.iter().sum();
                let ccw = match signed.abs() > 1.0 {
                    true => signed < 0.0,
                    false => ring.is_ccw(),
                };
                if ccw != (i == 0) {
                    points.reverse();
                    for t in ring_terms.iter().rev() {
                        sum -= t;
                        prefix.push(sum);
                    }
                } else {
                    for t in ring_terms {
                        sum += t;
                        prefix.push(sum);
                    }
                }
                rings.push(Ring { points, prefix });
            }
        }
        Some(Outline {
            rings,
            bbox,
            grid: std::sync::OnceLock::new(),
        })
    }

    /// The region's box: the part of a layer its measure reads.
    pub(crate) fn bbox(&self) -> Rect<f64> {
        self.bbox
    }

    /// m² of `layer` within the region; `None` when the boundaries touch or
    /// overlap somewhere.
    #[cfg(test)]
    pub(crate) fn layer_m2(&self, layer: &Layer) -> Option<f64> {
        self.measure(&self.near(layer)?, false).map(|(m2, _)| m2)
    }

    /// What the measure of `layer` within the region reads: the stretches of
    /// its boundary whose edges' boxes meet the region's box (the rest of a
    /// country-wide layer is never walked), and whether each region ring starts
    /// inside it; `None` when a ring starts on its boundary. [`Near::key`]
    /// digests all of it, so that equal keys give equal measures.
    pub(crate) fn near<'a>(&self, layer: &'a Layer) -> Option<Near<'a>> {
        let edges = layer.edges();
        let paths = edges.paths_near(&self.bbox);
        let starts: Vec<Coord<f64>> = self.rings.iter().map(|r| r.points[0]).collect();
        let starts_inside = edges.contains(&starts)?;
        let mut key = KeyHasher::new();
        for path in &paths {
            key.add(u64::from(path.starts_outside) | (path.points.len() as u64) << 1);
            for p in path.points {
                key.add(p.x.to_bits());
                key.add(p.y.to_bits());
            }
        }
        for inside in &starts_inside {
            key.add(u64::from(*inside));
        }
        Some(Near {
            key: key.finish(),
            paths,
            starts_inside,
        })
    }

    /// m² of the layer [`Outline::near`] read within the region; `None` when the
    /// boundaries touch or overlap somewhere.
    ///
    /// Also gives how many edge terms it computed, for the error bound of the
    /// short-edge series ([`super::area::within_bound`]); `exact` computes them
    /// with GeographicLib instead.
    pub(crate) fn measure(&self, near: &Near<'_>, exact: bool) -> Option<(f64, usize)> {
        let paths = &near.paths;
        let (on_layer, on_region, points) = self.crossings(paths)?;
        let count = std::cell::Cell::new(0usize);
        let term = |a: Coord<f64>, b: Coord<f64>| {
            count.set(count.get() + 1);
            match exact {
                true => super::area::s12([a.x, a.y], [b.x, b.y]),
                false => term(a, b),
            }
        };
        let mut sum = 0.0;
        // The layer's boundary inside the region.
        for (path, mut at) in paths.iter().zip(on_layer) {
            sort_along(&mut at);
            let mut inside = match path.starts_outside {
                true => false,
                false => self.contains(path.points[0])?,
            };
            let mut next = at.iter().peekable();
            for (e, w) in path.points.windows(2).enumerate() {
                let mut from = w[0];
                while let Some(c) = next.next_if(|c| c.edge == e) {
                    if inside {
                        sum += term(from, points[c.point]);
                    }
                    inside = !inside;
                    from = points[c.point];
                }
                if inside {
                    sum += term(from, w[1]);
                }
            }
        }
        // The region's boundary inside the layer.
        for ((ring, mut at), &inside) in self.rings.iter().zip(on_region).zip(&near.starts_inside) {
            let mut inside = inside;
            let start = ring.points[0];
            let last = ring.points.len() - 1;
            if at.is_empty() {
                if inside {
                    sum += ring.prefix[last];
                }
                continue;
            }
            sort_along(&mut at);
            // An arc runs from `from` (with `next` the next vertex) to a point on
            // edge `edge`.
            let arc = |from: Coord<f64>, next: usize, edge: usize, to: Coord<f64>| {
                if next > edge {
                    term(from, to)
                } else {
                    term(from, ring.points[next]) + ring.prefix[edge] - ring.prefix[next]
                        + term(ring.points[edge], to)
                }
            };
            let (mut from, mut next) = (start, 1);
            for c in &at {
                if inside {
                    sum += arc(from, next, c.edge, points[c.point]);
                }
                inside = !inside;
                from = points[c.point];
                next = c.edge + 1;
            }
            if inside {
                sum += arc(from, next, last - 1, ring.points[last]);
            }
        }
        Some(((-sum).max(0.0), count.get()))
    }

    /// The grid of its edges, built on first use.
    fn grid(&self) -> &EdgeGrid {
        self.grid
            .get_or_init(|| EdgeGrid::new(&self.rings, self.bbox))
    }

    /// Every crossing of the layer's rings with the region's: positions on each
    /// ring and the points; `None` when they touch or overlap.
    #[allow(clippy::type_complexity)]
    fn crossings(&self, paths: &[Path]) -> Option<(Vec<Vec<At>>, Vec<Vec<At>>, Vec<Coord<f64>>)> {
        let mut on_layer: Vec<Vec<At>> = vec![Vec::new(); paths.len()];
        let mut on_region: Vec<Vec<At>> = vec![Vec::new(); self.rings.len()];
        let mut points = Vec::new();
        if paths.is_empty() {
            return Some((on_layer, on_region, points));
        }
        let grid = self.grid();
        for (li, path) in paths.iter().enumerate() {
            for (e, w) in path.points.windows(2).enumerate() {
                let (p, q) = (w[0], w[1]);
                let (min, max) = (p.x.min(q.x), p.x.max(q.x));
                let (ymin, ymax) = (p.y.min(q.y), p.y.max(q.y));
                if max < self.bbox.min().x
                    || min > self.bbox.max().x
                    || ymax < self.bbox.min().y
                    || ymin > self.bbox.max().y
                {
                    continue;
                }
                let (cx0, cy0) = grid.cell_of(Coord { x: min, y: ymin });
                let (cx1, cy1) = grid.cell_of(Coord { x: max, y: ymax });
                let spans = (cx0, cy0) != (cx1, cy1);
                for cy in cy0..=cy1 {
                    for cx in cx0..=cx1 {
                        for g in grid.cell(cx, cy) {
                            let (a, b) = (g.a, g.b);
                            let (gx, gy) = (a.x.min(b.x), a.y.min(b.y));
                            if a.x.max(b.x) < min || gx > max || a.y.max(b.y) < ymin || gy > ymax {
                                continue;
                            }
                            // An edge in several cells is taken in one: the cell
                            // of the lower-left corner where the two boxes meet.
                            if spans
                                && grid.cell_of(Coord {
                                    x: gx.max(min),
                                    y: gy.max(ymin),
                                }) != (cx, cy)
                            {
                                continue;
                            }
                            let (t, u) = match cross(p, q, a, b) {
                                Contact::None => continue,
                                Contact::Touch => return None,
                                Contact::Cross(t, u) => (t, u),
                            };
                            let point = points.len();
                            points.push(Coord {
                                x: p.x + t * (q.x - p.x),
                                y: p.y + t * (q.y - p.y),
                            });
                            on_layer[li].push(At { edge: e, t, point });
                            on_region[g.ring as usize].push(At {
                                edge: g.edge as usize,
                                t: u,
                                point,
                            });
                        }
                    }
                }
            }
        }
        Some((on_layer, on_region, points))
    }

    /// Whether `p` is inside the region: crossings of a ray eastwards; `None` on
    /// the boundary.
    fn contains(&self, p: Coord<f64>) -> Option<bool> {
        if !self.bbox.intersects_coord(p) {
            return Some(false);
        }
        let grid = self.grid();
        let (cx, cy) = grid.cell_of(p);
        let mut inside = false;
        for x in cx..grid.nx {
            for g in grid.cell(x, cy) {
                // An edge in several cells of the row is taken in the first.
                let first = grid.cell_of(Coord {
                    x: g.a.x.min(g.b.x),
                    y: p.y,
                });
                if first.0.max(cx) != x {
                    continue;
                }
                match ray_crosses(g.a, g.b, p) {
                    Some(true) => inside = !inside,
                    Some(false) => {}
                    None => return None,
                }
            }
        }
        Some(inside)
    }
}

/// Crossings in the order a ring's walk meets them.
fn sort_along(at: &mut [At]) {
    at.sort_unstable_by(|a, b| a.edge.cmp(&b.edge).then(a.t.total_cmp(&b.t)));
}

/// Edges of a layer's rings taken together in runs of this many: the unit of its
/// index. Short enough that a run's box hugs the boundary, long enough that the
/// index of a country-wide layer stays small.
const RUN: usize = 16;

type RunBox = GeomWithData<Rectangle<[f64; 2]>, (u32, u32)>;

/// A layer's boundary prepared for measuring many regions ([`Layer::edges`]): its
/// rings with the ground on their left (exteriors counter-clockwise, holes
/// clockwise), and their edges in runs of [`RUN`], indexed by the runs' boxes.
/// Built once per layer; each region then meets only the edges near it.
#[derive(Clone, Debug)]
pub(crate) struct LayerEdges {
    /// A digest of the layer's whole geometry (every ring's length and every
    /// coordinate's bits; 128 bits): a region's measure of two layers with equal
    /// digests is the same, bit for bit, so it need not be read again.
    pub(crate) digest: u128,
    /// Closed rings, oriented.
    rings: Vec<Vec<Coord<f64>>>,
    /// (ring, run) by the box of the run's edges.
    index: RTree<RunBox>,
}

/// The part of a layer one region's measure reads ([`Outline::near`]).
pub(crate) struct Near<'a> {
    /// A digest of everything below (128 bits: two hashes with different seeds).
    /// The measure is a function of these inputs and the region alone, whatever
    /// layer they came from: equal keys in one region, equal figures.
    pub(crate) key: u128,
    paths: Vec<Path<'a>>,
    starts_inside: Vec<bool>,
}

/// Two independent 64-bit hashes of a sequence of words.
struct KeyHasher(
    foldhash::fast::FoldHasher<'static>,
    foldhash::fast::FoldHasher<'static>,
);

impl KeyHasher {
    fn new() -> KeyHasher {
        use std::hash::BuildHasher;
        static A: foldhash::fast::FixedState =
            foldhash::fast::FixedState::with_seed(0x243f_6a88_85a3_08d3);
        static B: foldhash::fast::FixedState =
            foldhash::fast::FixedState::with_seed(0x1319_8a2e_0370_7344);
        KeyHasher(A.build_hasher(), B.build_hasher())
    }

    fn add(&mut self, word: u64) {
        use std::hash::Hasher;
        self.0.write_u64(word);
        self.1.write_u64(word);
    }

    fn finish(&self) -> u128 {
        use std::hash::Hasher;
        u128::from(self.0.finish()) << 64 | u128::from(self.1.finish())
    }
}

/// A stretch of a layer ring: consecutive edges, ground on the left.
pub(crate) struct Path<'a> {
    points: &'a [Coord<f64>],
    /// Whether its first point is known to be outside the region (outside the
    /// region's box); else it is looked up.
    starts_outside: bool,
}

impl LayerEdges {
    /// Prepares the rings of valid polygons (rings of fewer than four positions
    /// have no edge to measure and are left out).
    pub(crate) fn new(polygons: &MultiPolygon<f64>) -> LayerEdges {
        let mut digest = KeyHasher::new();
        for polygon in &polygons.0 {
            digest.add(1 + polygon.interiors().len() as u64);
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                digest.add(ring.0.len() as u64);
                for c in &ring.0 {
                    digest.add(c.x.to_bits());
                    digest.add(c.y.to_bits());
                }
            }
        }
        let mut rings = Vec::new();
        for polygon in &polygons.0 {
            for (i, ring) in std::iter::once(polygon.exterior())
                .chain(polygon.interiors())
                .enumerate()
            {
                if ring.0.len() < 4 {
                    continue;
                }
                let mut points = ring.0.clone();
                if ring.is_ccw() != (i == 0) {
                    points.reverse();
                }
                rings.push(points);
            }
        }
        let mut boxes = Vec::new();
        for (r, points) in rings.iter().enumerate() {
            let edges = points.len() - 1;
            for run in 0..edges.div_ceil(RUN) {
                let run_points = &points[run * RUN..=((run + 1) * RUN).min(edges)];
                let b = bounds(run_points[0], run_points[1..].iter());
                let rect = Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]);
                boxes.push(GeomWithData::new(rect, (r as u32, run as u32)));
            }
        }
        LayerEdges {
            digest: digest.finish(),
            rings,
            index: RTree::bulk_load(boxes),
        }
    }

    /// Where this boundary differs from `before`'s: the boxes of what changed.
    /// Rings pair up in order. Of two rings that start at the same point, each
    /// stretch where they differ gives the box of the points of both from the
    /// last they share before it to the first they share after it; a ring that
    /// appeared or went, or a pair that changed where it starts, gives the box of
    /// the whole of each. Every edge one boundary has and the other lacks lies in
    /// those boxes, and so does all ground that is in one layer and not the other
    /// (the difference of the two boundaries is a set of closed loops, each
    /// within its box).
    ///
    /// A region whose box meets none of them reads the same edges, in the same
    /// order (the rings paired keep theirs), from both, and its rings start on
    /// the same side of both: its measure is the same, to the bit
    /// ([`Outline::near`]).
    pub(crate) fn changes_since(&self, before: &LayerEdges) -> Vec<Rect<f64>> {
        let (now, then) = (&self.rings, &before.rings);
        let starts = |a: &[Coord<f64>], b: &[Coord<f64>]| same(&a[0], &b[0]);
        let whole = |ring: &Vec<Coord<f64>>| bounds(ring[0], ring[1..].iter());
        let ahead = |rings: &[Vec<Coord<f64>>], from: usize, ring: &[Coord<f64>]| {
            (1..=RINGS_AHEAD).find(|d| rings.get(from + d).is_some_and(|r| starts(r, ring)))
        };
        let mut boxes = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < now.len() && j < then.len() {
            if starts(&now[i], &then[j]) {
                changed_stretches(&now[i], &then[j], &mut boxes);
                (i, j) = (i + 1, j + 1);
            } else if let Some(d) = ahead(then, j, &now[i]) {
                // Rings that went.
                boxes.extend(then[j..j + d].iter().map(whole));
                j += d;
            } else if let Some(d) = ahead(now, i, &then[j]) {
                // Rings that appeared.
                boxes.extend(now[i..i + d].iter().map(whole));
                i += d;
            } else {
                boxes.extend([whole(&now[i]), whole(&then[j])]);
                (i, j) = (i + 1, j + 1);
            }
        }
        boxes.extend(now[i..].iter().chain(&then[j..]).map(whole));
        boxes
    }

    /// The stretches of consecutive ring edges whose boxes meet `rect` (found
    /// through the index of runs). A stretch that begins after an edge not
    /// meeting `rect` begins outside it; one from a ring's first point does not
    /// know (rings are closed: it may continue one that ends there).
    fn paths_near<'s>(&'s self, rect: &Rect<f64>) -> Vec<Path<'s>> {
        let aabb = AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        let mut runs: Vec<(u32, u32)> = self
            .index
            .locate_in_envelope_intersecting(&aabb)
            .map(|b| b.data)
            .collect();
        runs.sort_unstable();
        // The stretches are the runs of consecutive edges whose own boxes meet
        // `rect`, whatever the runs of the index: so they depend on the layer's
        // edges near `rect` alone, not on where in the ring those edges fall.
        let meets = |a: Coord<f64>, b: Coord<f64>| {
            a.x.max(b.x) >= rect.min().x
                && a.x.min(b.x) <= rect.max().x
                && a.y.max(b.y) >= rect.min().y
                && a.y.min(b.y) <= rect.max().y
        };
        let mut paths = Vec::new();
        let mut open: Option<(u32, usize, usize)> = None;
        let rings = &self.rings;
        let close = |open: &mut Option<(u32, usize, usize)>, paths: &mut Vec<Path<'s>>| {
            if let Some((ring, from, to)) = open.take() {
                paths.push(Path {
                    points: &rings[ring as usize][from..=to],
                    starts_outside: from > 0,
                });
            }
        };
        for (ring, run) in runs {
            let points = &self.rings[ring as usize];
            let edges = points.len() - 1;
            for e in run as usize * RUN..((run as usize + 1) * RUN).min(edges) {
                if !meets(points[e], points[e + 1]) {
                    close(&mut open, &mut paths);
                    continue;
                }
                match &mut open {
                    Some((r, _, to)) if *r == ring && *to == e => *to = e + 1,
                    _ => {
                        close(&mut open, &mut paths);
                        open = Some((ring, e, e + 1));
                    }
                }
            }
        }
        close(&mut open, &mut paths);
        paths
    }

    /// Whether each point is inside the layer: crossings of a ray to the nearer
    /// side of the layer's box (east or west), over the runs the ray meets;
    /// `None` when one is on the boundary.
    fn contains(&self, points: &[Coord<f64>]) -> Option<Vec<bool>> {
        let envelope = self.index.root().envelope();
        let ([west, south], [east, north]) = (envelope.lower(), envelope.upper());
        let mirror = |c: Coord<f64>| Coord { x: -c.x, y: c.y };
        points
            .iter()
            .map(|&p| {
                let mut inside = false;
                if !(west..=east).contains(&p.x) || !(south..=north).contains(&p.y) {
                    return Some(false);
                }
                // The ray goes to the nearer side of the layer's box, so it meets
                // fewer runs. Westwards it is the eastward test mirrored
                // (negating longitudes is exact).
                let westwards = p.x - west < east - p.x;
                let ray = match westwards {
                    true => AABB::from_corners([west, p.y], [p.x, p.y]),
                    false => AABB::from_corners([p.x, p.y], [east, p.y]),
                };
                for run in self.index.locate_in_envelope_intersecting(&ray) {
                    let (ring, run) = run.data;
                    let points = &self.rings[ring as usize];
                    let edges = points.len() - 1;
                    let run_points =
                        &points[run as usize * RUN..=((run as usize + 1) * RUN).min(edges)];
                    for w in run_points.windows(2) {
                        let crosses = match westwards {
                            true => ray_crosses(mirror(w[0]), mirror(w[1]), mirror(p)),
                            false => ray_crosses(w[0], w[1], p),
                        };
                        match crosses {
                            Some(true) => inside = !inside,
                            Some(false) => {}
                            None => return None,
                        }
                    }
                }
                Some(inside)
            })
            .collect()
    }
}

trait IntersectsCoord {
    fn intersects_coord(&self, p: Coord<f64>) -> bool;
}

impl IntersectsCoord for Rect<f64> {
    fn intersects_coord(&self, p: Coord<f64>) -> bool {
        self.min().x <= p.x && p.x <= self.max().x && self.min().y <= p.y && p.y <= self.max().y
    }
}

/// Whether edge a→b crosses the ray from `p` eastwards (half-open in latitude, so
/// a vertex on the ray counts once); `None` when `p` is on the edge.
fn ray_crosses(a: Coord<f64>, b: Coord<f64>, p: Coord<f64>) -> Option<bool> {
    let straddles = (a.y <= p.y) != (b.y <= p.y);
    let (left, right) = (a.x.min(b.x), a.x.max(b.x));
    // Most edges are decided by comparisons alone; only an edge whose box holds
    // `p` needs the exact predicate.
    let in_box = left <= p.x && p.x <= right && a.y.min(b.y) <= p.y && p.y <= a.y.max(b.y);
    if !in_box {
        return Some(straddles && p.x < left);
    }
    let o = RobustKernel::orient2d(a, b, p);
    if o == Orientation::Collinear {
        return None;
    }
    Some(if a.y <= p.y && p.y < b.y {
        o == Orientation::CounterClockwise
    } else if b.y <= p.y && p.y < a.y {
        o == Orientation::Clockwise
    } else {
        false
    })
}

enum Contact {
    None,
    /// The segments touch or overlap without crossing.
    Touch,
    /// They cross at a point inside both: fractions along each.
    Cross(f64, f64),
}

/// How segment p→q meets a→b, decided by exact orientation predicates.
fn cross(p: Coord<f64>, q: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> Contact {
    let o1 = RobustKernel::orient2d(p, q, a);
    let o2 = RobustKernel::orient2d(p, q, b);
    let o3 = RobustKernel::orient2d(a, b, p);
    let o4 = RobustKernel::orient2d(a, b, q);
    let opposite = |x: Orientation, y: Orientation| {
        matches!(
            (x, y),
            (Orientation::Clockwise, Orientation::CounterClockwise)
                | (Orientation::CounterClockwise, Orientation::Clockwise)
        )
    };
    if opposite(o1, o2) && opposite(o3, o4) {
        let d = (q.x - p.x) * (b.y - a.y) - (q.y - p.y) * (b.x - a.x);
        let t = ((a.x - p.x) * (b.y - a.y) - (a.y - p.y) * (b.x - a.x)) / d;
        let u = ((a.x - p.x) * (q.y - p.y) - (a.y - p.y) * (q.x - p.x)) / d;
        return Contact::Cross(t.clamp(0.0, 1.0), u.clamp(0.0, 1.0));
    }
    let collinear = Orientation::Collinear;
    if (o1 == collinear && within(a, p, q))
        || (o2 == collinear && within(b, p, q))
        || (o3 == collinear && within(p, a, b))
        || (o4 == collinear && within(q, a, b))
    {
        Contact::Touch
    } else {
        Contact::None
    }
}

/// Whether `c`, collinear with a→b, lies on the segment.
fn within(c: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> bool {
    a.x.min(b.x) <= c.x && c.x <= a.x.max(b.x) && a.y.min(b.y) <= c.y && c.y <= a.y.max(b.y)
}

/// The geodesic term of an edge; crossings, too, come back unchanged in the next
/// snapshot wherever the front did not move.
fn term(a: Coord<f64>, b: Coord<f64>) -> f64 {
    super::area::s12_cached([a.x, a.y], [b.x, b.y])
}

impl EdgeGrid {
    fn new(rings: &[Ring], bbox: Rect<f64>) -> EdgeGrid {
        let edges: usize = rings.iter().map(|r| r.points.len() - 1).sum();
        // About two edges per cell.
        let side = (bbox.width() * bbox.height() / (edges.max(1) as f64 / 2.0)).sqrt();
        let nx = ((bbox.width() / side).ceil() as usize).clamp(1, 1024);
        let ny = ((bbox.height() / side).ceil() as usize).clamp(1, 1024);
        let mut grid = EdgeGrid {
            origin: bbox.min(),
            cell: Coord {
                x: bbox.width() / nx as f64,
                y: bbox.height() / ny as f64,
            },
            nx,
            ny,
            edges: Vec::new(),
            starts: Vec::new(),
        };
        // Each edge's range of cells, then a counting sort of edges by cell.
        let mut spans = Vec::with_capacity(edges);
        let mut counts = vec![0usize; nx * ny + 1];
        for (ri, ring) in rings.iter().enumerate() {
            for (e, w) in ring.points.windows(2).enumerate() {
                let (a, b) = (w[0], w[1]);
                let lo = grid.cell_of(Coord {
                    x: a.x.min(b.x),
                    y: a.y.min(b.y),
                });
                let hi = grid.cell_of(Coord {
                    x: a.x.max(b.x),
                    y: a.y.max(b.y),
                });
                for y in lo.1..=hi.1 {
                    for x in lo.0..=hi.0 {
                        counts[y * nx + x + 1] += 1;
                    }
                }
                let edge = GridEdge {
                    a,
                    b,
                    ring: ri as u32,
                    edge: e as u32,
                };
                spans.push((edge, lo, hi));
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        grid.starts = counts.clone();
        let mut slots = vec![GridEdge::default(); counts[nx * ny]];
        for (edge, lo, hi) in spans {
            for y in lo.1..=hi.1 {
                for x in lo.0..=hi.0 {
                    slots[counts[y * nx + x]] = edge;
                    counts[y * nx + x] += 1;
                }
            }
        }
        grid.edges = slots;
        grid
    }

    /// The edges of cell (x, y).
    fn cell(&self, x: usize, y: usize) -> &[GridEdge] {
        let i = y * self.nx + x;
        &self.edges[self.starts[i]..self.starts[i + 1]]
    }

    /// The cell of a point, clamped to the grid.
    fn cell_of(&self, p: Coord<f64>) -> (usize, usize) {
        let index = |v: f64, o: f64, size: f64, n: usize| {
            let i = (v - o) / size;
            // Truncation is the floor here (and `as` saturates): no libm call.
            if i >= 0.0 { (i as usize).min(n - 1) } else { 0 }
        };
        (
            index(p.x, self.origin.x, self.cell.x, self.nx),
            index(p.y, self.origin.y, self.cell.y, self.ny),
        )
    }
}

/// How many rings ahead [`LayerEdges::changes_since`] looks for one that starts
/// where a ring of the other boundary does.
const RINGS_AHEAD: usize = 8;

/// How far ahead [`changed_stretches`] looks for the point where two rings meet
/// again after they part: points skipped in either, at most.
const RESYNC: usize = 96;

/// Whether two points are the same, to the bit.
fn same(a: &Coord<f64>, b: &Coord<f64>) -> bool {
    a.x.to_bits() == b.x.to_bits() && a.y.to_bits() == b.y.to_bits()
}

/// Pushes to `boxes` the box of each stretch where closed rings `now` and
/// `then`, which start (so end) at the same point, differ (see
/// [`LayerEdges::changes_since`]).
///
/// After the rings part at a shared point, they meet again at the first pair of
/// equal points within [`RESYNC`] points of both, nearest first; when there is
/// none, the stretch runs to where their common end begins, one box for all that
/// remains. Any pair of equal points is a sound place to meet again, since the
/// rings are compared point by point from there: nearer ones only make the
/// boxes smaller.
fn changed_stretches(now: &[Coord<f64>], then: &[Coord<f64>], boxes: &mut Vec<Rect<f64>>) {
    let (n, m) = (now.len(), then.len());
    if !same(&now[n - 1], &then[m - 1]) {
        // Not closed alike (rings of a layer are closed): all of both.
        boxes.push(bounds(now[0], now.iter().chain(then)));
        return;
    }
    let (mut i, mut j) = (1, 1);
    loop {
        while i < n && j < m && same(&now[i], &then[j]) {
            i += 1;
            j += 1;
        }
        if i == n && j == m {
            return;
        }
        // They part after now[i - 1] == then[j - 1], and end at the same point.
        let (k, l) = meet_again(now, then, i, j).unwrap_or_else(|| {
            let tail = now[i..]
                .iter()
                .rev()
                .zip(then[j..].iter().rev())
                .take_while(|(a, b)| same(a, b))
                .count()
                .max(1);
            (n - tail, m - tail)
        });
        boxes.push(bounds(now[i - 1], now[i..=k].iter().chain(&then[j..=l])));
        (i, j) = (k, l);
    }
}

/// The nearest `(k, l)`, `k >= i` and `l >= j`, each within [`RESYNC`] of its
/// start, where `now[k]` and `then[l]` are the same point.
fn meet_again(
    now: &[Coord<f64>],
    then: &[Coord<f64>],
    i: usize,
    j: usize,
) -> Option<(usize, usize)> {
    for s in 1..=2 * RESYNC {
        for a in s.saturating_sub(RESYNC)..=s.min(RESYNC) {
            let (k, l) = (i + a, j + (s - a));
            if k < now.len() && l < then.len() && same(&now[k], &then[l]) {
                return Some((k, l));
            }
        }
    }
    None
}

/// The box of `first` and `points`.
fn bounds<'a>(first: Coord<f64>, points: impl Iterator<Item = &'a Coord<f64>>) -> Rect<f64> {
    let (lo, hi) = points.fold((first, first), |(lo, hi), p| {
        (
            Coord {
                x: lo.x.min(p.x),
                y: lo.y.min(p.y),
            },
            Coord {
                x: hi.x.max(p.x),
                y: hi.y.max(p.y),
            },
        )
    });
    Rect::new(lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::GeodesicAreaKm2;
    use crate::measure::area::ring_terms;
    use crate::model::Status;
    use geo::{BooleanOps, LineString, Polygon};

    /// A wobbly star of `n` vertices around (lon, lat).
    fn star(lon: f64, lat: f64, size: f64, n: usize, phase: f64) -> Polygon<f64> {
        let ring: Vec<Coord<f64>> = (0..n)
            .map(|i| {
                let t = i as f64 / n as f64 * std::f64::consts::TAU;
                let r = size * (1.0 + 0.3 * (7.0 * t + phase).sin() + 0.1 * (31.0 * t).cos());
                Coord {
                    x: lon + r * t.cos(),
                    y: lat + r * t.sin(),
                }
            })
            .collect();
        Polygon::new(LineString(ring), vec![])
    }

    fn layer(polygons: Vec<Polygon<f64>>) -> Layer {
        Layer::new(Status::OCCUPIED, MultiPolygon(polygons))
    }

    #[test]
    fn agrees_with_the_boolean_intersection() {
        let holed = Polygon::new(
            star(37.5, 48.0, 0.4, 2000, 0.0).exterior().clone(),
            vec![star(37.45, 48.05, 0.08, 300, 1.0).exterior().clone()],
        );
        let region = MultiPolygon(vec![holed, star(38.6, 48.0, 0.2, 500, 2.0)]);
        let outline = Outline::new(&region, &ring_terms(&region)).unwrap();
        for (dx, size, phase) in [
            (0.3, 0.35, 1.0),
            (-0.2, 0.2, 2.0),
            (0.0, 0.1, 0.5),
            (0.5, 0.5, 3.0),
            (0.9, 0.45, 0.1),
            (0.0, 3.0, 0.3),
            (5.0, 0.3, 0.0),
        ] {
            let polygons = vec![
                star(37.5 + dx, 48.1, size, 300, phase),
                star(37.45, 48.05, 0.03, 50, 0.0),
            ];
            let expected = region
                .intersection(&MultiPolygon(polygons.clone()))
                .geodesic_area_km2();
            let got = outline.layer_m2(&layer(polygons)).unwrap() / 1e6;
            assert!(
                (got - expected).abs() < 1e-6 * expected.max(1.0),
                "{dx}: {got} {expected}"
            );
        }
    }

    #[test]
    fn points_in_and_out() {
        // A diamond: rays from points level with its left and right corners pass
        // through a vertex, counted once.
        let diamond = Polygon::new(
            LineString::from(vec![(37.0, 48.0), (38.0, 47.0), (39.0, 48.0), (38.0, 49.0)]),
            vec![],
        );
        let area = MultiPolygon(vec![diamond.clone()]);
        let outline = Outline::new(&area, &ring_terms(&area)).unwrap();
        let at = |x: f64, y: f64| outline.contains(Coord { x, y });
        assert_eq!(at(38.0, 48.0), Some(true));
        assert_eq!(at(37.5, 48.0), Some(true));
        assert_eq!(at(36.5, 48.0), Some(false));
        assert_eq!(at(39.5, 48.0), Some(false));
        assert_eq!(at(37.1, 48.8), Some(false));
        assert_eq!(at(38.5, 48.5), None, "on an edge");
        assert_eq!(at(39.0, 48.0), None, "on a vertex");
        let edges = LayerEdges::new(&area);
        assert_eq!(
            edges.contains(&[Coord { x: 37.5, y: 48.0 }]).map(|v| v[0]),
            Some(true)
        );
        assert_eq!(
            edges.contains(&[Coord { x: 38.5, y: 48.5 }]).map(|v| v[0]),
            None
        );
        assert_eq!(
            edges.contains(&[Coord { x: 39.5, y: 48.0 }]).map(|v| v[0]),
            Some(false)
        );
        // Both ways round: rays westwards from the west half, eastwards from the
        // east half, through a vertex too.
        for (x, y, inside) in [
            (37.2, 48.0, Some(true)),
            (37.0, 48.0, None),
            (37.6, 47.5, Some(true)),
            (37.3, 47.5, Some(false)),
            (38.7, 48.5, Some(false)),
            (38.6, 48.2, Some(true)),
            (38.0, 48.999, Some(true)),
        ] {
            assert_eq!(
                edges.contains(&[Coord { x, y }]).map(|v| v[0]),
                inside,
                "{x} {y}"
            );
            assert_eq!(outline.contains(Coord { x, y }), inside, "{x} {y}");
        }
    }

    /// On real snapshots, every raion and status: the same m² as the boolean
    /// intersection on the region's grid (which snaps to ~1e-8°).
    #[test]
    fn agrees_with_the_boolean_intersection_on_real_data() {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
        let raions = data.join("admin/donetsk/raions.geojson");
        if !raions.is_file() {
            eprintln!(
                "NOTICE: real-data boundary test skipped: {} not found",
                raions.display()
            );
            return;
        }
        let places = crate::import::read_places(&raions).unwrap();
        let prepared: Vec<_> = places
            .iter()
            .map(|p| {
                let area = p.area().unwrap();
                (
                    Outline::new(area, &ring_terms(area)).unwrap(),
                    crate::measure::overlay::Grid::new(
                        area,
                        crate::measure::GeodesicAreaKm2::geodesic_area_km2(area) * 1e6,
                    )
                    .unwrap(),
                    area,
                )
            })
            .collect();
        let mut compared = 0;
        for file in ["1653860666", "1684709725", "1754251105"] {
            let path = data.join(format!("deepstate/raw-weekly/{file}.geojson.gz"));
            let snapshot = crate::import::read_zones(&path, None).unwrap().snapshot;
            for layer in snapshot.layers() {
                for (outline, grid, area) in &prepared {
                    let Some(got) = outline.layer_m2(layer) else {
                        continue;
                    };
                    let expected: f64 = layer
                        .pieces_near(area)
                        .iter()
                        .map(|(pieces, parts)| grid.intersection_m2(pieces, parts))
                        .sum();
                    assert!(
                        (got - expected).abs() <= 1e-7 * expected + 1.0,
                        "{file} {:?}: {got} m² {expected} m²",
                        layer.status()
                    );
                    compared += 1;
                }
            }
        }
        // Declining is for touching boundaries, which real snapshots hardly have.
        assert!(compared >= 3 * 8 * 3 - 2, "{compared}");
    }

    #[test]
    fn touching_boundaries_decline() {
        let square = |x0: f64, y0: f64, s: f64| {
            Polygon::new(
                LineString::from(vec![(x0, y0), (x0 + s, y0), (x0 + s, y0 + s), (x0, y0 + s)]),
                vec![],
            )
        };
        let area = MultiPolygon(vec![square(37.0, 48.0, 1.0)]);
        let outline = Outline::new(&area, &ring_terms(&area)).unwrap();
        // A shared edge, and a vertex on an edge.
        assert!(
            outline
                .layer_m2(&layer(vec![square(37.5, 48.0, 0.2)]))
                .is_none()
        );
        assert!(
            outline
                .layer_m2(&layer(vec![square(38.0, 48.5, 0.5)]))
                .is_none()
        );
        // Inside, crossing, around: measured.
        let inside = outline
            .layer_m2(&layer(vec![square(37.2, 48.2, 0.2)]))
            .unwrap();
        assert!((inside / 1e6 - square(37.2, 48.2, 0.2).geodesic_area_km2()).abs() < 1e-6);
        let around = outline
            .layer_m2(&layer(vec![square(36.0, 47.0, 3.0)]))
            .unwrap();
        assert!((around / 1e6 - square(37.0, 48.0, 1.0).geodesic_area_km2()).abs() < 1e-6);
    }

    /// A boundary of these closed rings, as [`LayerEdges::new`] keeps them
    /// (changes are compared on the rings alone).
    fn boundary(rings: Vec<Vec<Coord<f64>>>) -> LayerEdges {
        LayerEdges {
            digest: 0,
            rings,
            index: RTree::new(),
        }
    }

    /// A closed ring of `n` points on a random walk (not simple: what changes
    /// are found does not depend on it).
    fn walk(seed: &mut u64, at: Coord<f64>, n: usize) -> Vec<Coord<f64>> {
        let mut ring = steps(seed, at, n);
        ring.push(ring[0]);
        ring
    }

    /// `n` points of a random walk from `at`.
    fn steps(seed: &mut u64, at: Coord<f64>, n: usize) -> Vec<Coord<f64>> {
        let mut p = at;
        (0..n)
            .map(|_| {
                p.x += random(seed) - 0.5;
                p.y += random(seed) - 0.5;
                p
            })
            .collect()
    }

    /// A number in [0, 1) from a 64-bit linear congruential generator.
    fn random(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The edges one boundary has and the other lacks, counted as many times
    /// as each occurs.
    fn edges_lacking(a: &LayerEdges, b: &LayerEdges) -> Vec<(Coord<f64>, Coord<f64>)> {
        let key = |p: &Coord<f64>, q: &Coord<f64>| {
            (p.x.to_bits(), p.y.to_bits(), q.x.to_bits(), q.y.to_bits())
        };
        let mut theirs: std::collections::HashMap<_, usize> = Default::default();
        for r in &b.rings {
            for e in r.windows(2) {
                *theirs.entry(key(&e[0], &e[1])).or_default() += 1;
            }
        }
        let mut lacking = Vec::new();
        for r in &a.rings {
            for e in r.windows(2) {
                match theirs.get_mut(&key(&e[0], &e[1])) {
                    Some(n) if *n > 0 => *n -= 1,
                    _ => lacking.push((e[0], e[1])),
                }
            }
        }
        lacking
    }

    fn within(boxes: &[Rect<f64>], (p, q): (Coord<f64>, Coord<f64>)) -> bool {
        let inside = |r: &Rect<f64>, c: Coord<f64>| {
            r.min().x <= c.x && c.x <= r.max().x && r.min().y <= c.y && c.y <= r.max().y
        };
        boxes.iter().any(|r| inside(r, p) && inside(r, q))
    }

    /// Rings edited at random, a few places each, rings added, dropped and
    /// changed where they start: every edge one boundary has and the other
    /// lacks lies in a box of the changes; edits far apart give a box each, not
    /// one box spanning them (the carry-over depends on it).
    #[test]
    fn changes_are_boxed_where_they_are() {
        let mut seed = 7;
        for round in 0..200 {
            let rings: Vec<Vec<Coord<f64>>> = (0..5)
                .map(|k| {
                    walk(
                        &mut seed,
                        Coord {
                            x: 10.0 * k as f64,
                            y: 0.0,
                        },
                        400,
                    )
                })
                .collect();
            let mut edited = rings.clone();
            let mut edits = [0; 5];
            for (ring, edits) in edited.iter_mut().zip(&mut edits) {
                // Up to three edits, each in its own tenth of the ring, far
                // apart: a stretch of 1-40 points replaced by 0-40 new ones.
                for part in [1usize, 4, 7] {
                    if random(&mut seed) < 0.5 {
                        continue;
                    }
                    let from = part * 40 + (random(&mut seed) * 10.0) as usize;
                    let to = from + 1 + (random(&mut seed) * 40.0) as usize;
                    let points = (random(&mut seed) * 40.0) as usize;
                    let new = steps(&mut seed, ring[from - 1], points);
                    ring.splice(from..to, new);
                    *edits += 1;
                }
            }
            let (now, then) = (boundary(edited.clone()), boundary(rings.clone()));
            let boxes = now.changes_since(&then);
            let total: usize = edits.iter().sum();
            assert_eq!(boxes.len(), total, "round {round}: a box per edit");
            for e in edges_lacking(&now, &then)
                .into_iter()
                .chain(edges_lacking(&then, &now))
            {
                assert!(within(&boxes, e), "round {round}: {e:?} in no box");
            }
            // Rings added, dropped, and one changed where it starts.
            let mut reshaped = edited.clone();
            reshaped.remove(1);
            reshaped.insert(3, walk(&mut seed, Coord { x: 5.0, y: 5.0 }, 30));
            let last = reshaped.len() - 1;
            reshaped[last].rotate_left(1);
            let n = reshaped[last].len();
            reshaped[last][n - 1] = reshaped[last][0];
            let now = boundary(reshaped);
            let boxes = now.changes_since(&then);
            for e in edges_lacking(&now, &then)
                .into_iter()
                .chain(edges_lacking(&then, &now))
            {
                assert!(within(&boxes, e), "round {round}: {e:?} in no box");
            }
            // The rings that still pair up give a box per edit; the one that
            // went, the one that came and both of the one that changed where it
            // starts, a box each.
            let expected = edits[0] + edits[2] + edits[3] + 1 + 1 + 2;
            assert_eq!(boxes.len(), expected, "round {round}");
        }
        // Equal boundaries: no change at all.
        let mut seed = 1;
        let rings = vec![walk(&mut seed, Coord { x: 0.0, y: 0.0 }, 50)];
        assert!(
            boundary(rings.clone())
                .changes_since(&boundary(rings))
                .is_empty()
        );
    }
}
