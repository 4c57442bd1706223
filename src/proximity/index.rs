//! Point-in-polygon by grid: each polygon part gets a grid of cells listing the
//! ring segments that cross them and the inside/outside state of each cell's
//! centre, so that a look-up tests only the few segments of one cell.

use geo::{Coord, LineString, Polygon, Rect};

/// One polygon (exterior and holes) prepared for fast point-in-polygon tests.
#[derive(Clone, Debug)]
pub(crate) struct PolygonGrid {
    min: Coord<f64>,
    /// Cell size in degrees.
    cw: f64,
    ch: f64,
    nx: usize,
    ny: usize,
    /// Segments of all rings.
    segs: Vec<[Coord<f64>; 2]>,
    /// Cell `c`'s segments are `cell_segs[offsets[c]..offsets[c + 1]]`.
    offsets: Vec<u32>,
    cell_segs: Vec<u32>,
    /// Whether each cell's centre is inside.
    centre_inside: Vec<bool>,
}

impl PolygonGrid {
    /// `None` for a polygon without area (no rings, degenerate bounding box).
    pub fn new(polygon: &Polygon<f64>) -> Option<PolygonGrid> {
        let rings = std::iter::once(polygon.exterior()).chain(polygon.interiors());
        let mut segs: Vec<[Coord<f64>; 2]> = Vec::new();
        for ring in rings {
            segments(ring, &mut segs);
        }
        let rect = bbox(&segs)?;
        let (w, h) = (rect.width(), rect.height());
        if !(w > 0.0 && h > 0.0) || segs.len() > u32::MAX as usize {
            return None;
        }
        // About four cells per segment: most cells then hold no edge at all and
        // the rest a handful.
        let cells = (4 * segs.len()).clamp(1, 1 << 22) as f64;
        let nx = ((cells * w / h).sqrt().round() as usize).clamp(1, 4096);
        let ny = ((cells / nx as f64).round() as usize).clamp(1, 4096);
        let (cw, ch) = (w / nx as f64, h / ny as f64);
        let min = rect.min();
        let cell_range = |lo: f64, hi: f64, o: f64, s: f64, n: usize| {
            let a = (((lo - o) / s).floor().max(0.0) as usize).min(n - 1);
            let b = (((hi - o) / s).floor().max(0.0) as usize).min(n - 1);
            (a, b)
        };
        // Count, then fill (CSR): cells whose rectangle the segment meets.
        let mut lists: Vec<(u32, u32)> = Vec::new();
        for (k, s) in segs.iter().enumerate() {
            let (i0, i1) = cell_range(s[0].x.min(s[1].x), s[0].x.max(s[1].x), min.x, cw, nx);
            let (j0, j1) = cell_range(s[0].y.min(s[1].y), s[0].y.max(s[1].y), min.y, ch, ny);
            for j in j0..=j1 {
                for i in i0..=i1 {
                    let lo = Coord {
                        x: min.x + i as f64 * cw,
                        y: min.y + j as f64 * ch,
                    };
                    let hi = Coord {
                        x: lo.x + cw,
                        y: lo.y + ch,
                    };
                    if (i0 == i1 && j0 == j1) || meets(s, lo, hi) {
                        lists.push(((j * nx + i) as u32, k as u32));
                    }
                }
            }
        }
        lists.sort_unstable();
        let mut offsets = vec![0u32; nx * ny + 1];
        for (c, _) in &lists {
            offsets[*c as usize + 1] += 1;
        }
        for c in 0..nx * ny {
            offsets[c + 1] += offsets[c];
        }
        let cell_segs = lists.into_iter().map(|(_, k)| k).collect();
        // Centres row by row: crossings of the row's line, sorted; a centre is
        // inside when an odd number of them lie to its left.
        let mut rows: Vec<Vec<f64>> = vec![Vec::new(); ny];
        for s in &segs {
            let (lo, hi) = (s[0].y.min(s[1].y), s[0].y.max(s[1].y));
            let (j0, j1) = cell_range(lo, hi, min.y, ch, ny);
            for (j, row) in rows.iter_mut().enumerate().take(j1 + 1).skip(j0) {
                let cy = min.y + (j as f64 + 0.5) * ch;
                if (s[0].y > cy) != (s[1].y > cy) {
                    row.push(x_at(s, cy));
                }
            }
        }
        let mut centre_inside = vec![false; nx * ny];
        for (j, row) in rows.iter_mut().enumerate() {
            row.sort_unstable_by(f64::total_cmp);
            let mut k = 0;
            for i in 0..nx {
                let cx = min.x + (i as f64 + 0.5) * cw;
                while k < row.len() && row[k] < cx {
                    k += 1;
                }
                centre_inside[j * nx + i] = k % 2 == 1;
            }
        }
        Some(PolygonGrid {
            min,
            cw,
            ch,
            nx,
            ny,
            segs,
            offsets,
            cell_segs,
            centre_inside,
        })
    }

    /// The segments of all its rings.
    pub fn segments(&self) -> &[[Coord<f64>; 2]] {
        &self.segs
    }

    /// Whether `q` is inside (points exactly on an edge may go either way).
    pub fn contains(&self, q: Coord<f64>) -> bool {
        let fi = (q.x - self.min.x) / self.cw;
        let fj = (q.y - self.min.y) / self.ch;
        if !(fi >= 0.0 && fj >= 0.0 && fi <= self.nx as f64 && fj <= self.ny as f64) {
            return false;
        }
        let i = (fi as usize).min(self.nx - 1);
        let j = (fj as usize).min(self.ny - 1);
        let c = j * self.nx + i;
        let mut inside = self.centre_inside[c];
        let cx = self.min.x + (i as f64 + 0.5) * self.cw;
        let cy = self.min.y + (j as f64 + 0.5) * self.ch;
        // Walk from the centre to q: up or down to q's latitude, then across. Every
        // edge crossed flips the state; all such edges meet this cell.
        let (ylo, yhi) = (cy.min(q.y), cy.max(q.y));
        let (xlo, xhi) = (cx.min(q.x), cx.max(q.x));
        let range = self.offsets[c] as usize..self.offsets[c + 1] as usize;
        for &k in &self.cell_segs[range] {
            let s = &self.segs[k as usize];
            if (s[0].x > cx) != (s[1].x > cx) {
                let y = y_at(s, cx);
                if y > ylo && y <= yhi {
                    inside = !inside;
                }
            }
            if (s[0].y > q.y) != (s[1].y > q.y) {
                let x = x_at(s, q.y);
                if x > xlo && x <= xhi {
                    inside = !inside;
                }
            }
        }
        inside
    }
}

fn segments(ring: &LineString<f64>, out: &mut Vec<[Coord<f64>; 2]>) {
    out.extend(ring.0.windows(2).map(|w| [w[0], w[1]]));
}

fn bbox(segs: &[[Coord<f64>; 2]]) -> Option<Rect<f64>> {
    let first = segs.first()?[0];
    let (mut lo, mut hi) = (first, first);
    for c in segs.iter().flatten() {
        lo = Coord {
            x: lo.x.min(c.x),
            y: lo.y.min(c.y),
        };
        hi = Coord {
            x: hi.x.max(c.x),
            y: hi.y.max(c.y),
        };
    }
    Some(Rect::new(lo, hi))
}

fn x_at(s: &[Coord<f64>; 2], y: f64) -> f64 {
    s[0].x + (y - s[0].y) * (s[1].x - s[0].x) / (s[1].y - s[0].y)
}

fn y_at(s: &[Coord<f64>; 2], x: f64) -> f64 {
    s[0].y + (x - s[0].x) * (s[1].y - s[0].y) / (s[1].x - s[0].x)
}

/// Whether segment `s` meets the rectangle `lo`–`hi` (Liang–Barsky clipping),
/// with a small margin so that rounding never drops a segment from a cell.
fn meets(s: &[Coord<f64>; 2], lo: Coord<f64>, hi: Coord<f64>) -> bool {
    let eps = 1e-9 * (1.0 + (hi.x - lo.x).abs() + (hi.y - lo.y).abs());
    let (dx, dy) = (s[1].x - s[0].x, s[1].y - s[0].y);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    let checks = [
        (-dx, s[0].x - (lo.x - eps)),
        (dx, (hi.x + eps) - s[0].x),
        (-dy, s[0].y - (lo.y - eps)),
        (dy, (hi.y + eps) - s[0].y),
    ];
    for (p, q) in checks {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, coord, polygon};

    #[test]
    fn agrees_with_geo_on_a_concave_polygon_with_a_hole() {
        let p = polygon![
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 5.0, y: 3.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 4.0, y: 1.0), (x: 4.0, y: 2.0), (x: 6.0, y: 2.0), (x: 6.0, y: 1.0), (x: 4.0, y: 1.0)]],
        ];
        let grid = PolygonGrid::new(&p).unwrap();
        let mut state = 12345u64;
        let mut rnd = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..20_000 {
            let q = coord!(x: rnd() * 12.0 - 1.0, y: rnd() * 12.0 - 1.0);
            assert_eq!(grid.contains(q), p.contains(&q), "{q:?}");
        }
        assert!(!grid.contains(coord!(x: f64::NAN, y: 1.0)));
    }

    #[test]
    fn flat_polygons_have_no_grid() {
        let p = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 2.0, y: 0.0)];
        assert!(PolygonGrid::new(&p).is_none());
    }
}
