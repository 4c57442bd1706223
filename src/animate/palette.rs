//! One palette for every frame of a GIF, built from what the SVG writer paints:
//! the backgrounds, the ink, and each status's fill as it shows (blended at its
//! opacity over the ground inside and outside the area of interest), then
//! blends between those for anti-aliased edges and text. Pixels are mapped to
//! the nearest colour through a lookup table of 2¹⁸ cells, built once.

use crate::export::Style;

/// Index kept free for "unchanged since the previous frame".
pub const TRANSPARENT: u8 = 255;

/// At most 255 colours (index 255 is [`TRANSPARENT`]) and their lookup table.
///
/// ```
/// use frontline::animate::palette::Palette;
/// let p = Palette::for_style(&frontline::export::Style::default());
/// assert!(p.len() <= 255);
/// // The occupied fill as drawn inside the area, found exactly.
/// let i = p.index([0xa5, 0x27, 0x14]);
/// assert_eq!(p.colour(i), [0xa5, 0x27, 0x14]);
/// ```
#[derive(Clone, Debug)]
pub struct Palette {
    colours: Vec<[u8; 3]>,
    lut: Vec<u8>,
}

fn hex(c: &str) -> Option<[u8; 3]> {
    let h = c.strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let v = u32::from_str_radix(h, 16).ok()?;
    Some([(v >> 16) as u8, (v >> 8) as u8, v as u8])
}

fn mix(a: [u8; 3], b: [u8; 3], t: f64) -> [u8; 3] {
    let m = |x: u8, y: u8| (f64::from(x) * (1.0 - t) + f64::from(y) * t).round() as u8;
    [m(a[0], b[0]), m(a[1], b[1]), m(a[2], b[2])]
}

fn dist2(a: [u8; 3], b: [u8; 3]) -> u32 {
    // Weighted towards green, as the eye is.
    let d = |i: usize, w: i32| {
        let x = i32::from(a[i]) - i32::from(b[i]);
        (w * x * x) as u32
    };
    d(0, 3) + d(1, 4) + d(2, 2)
}

const LUT_BITS: u32 = 6;

impl Palette {
    /// The palette of frames drawn with `style` (see the [module](self) docs).
    pub fn for_style(style: &Style) -> Palette {
        use crate::export::svg_colours as c;
        let grounds: Vec<[u8; 3]> = [c::PAPER, c::OUTSIDE, c::INSIDE]
            .iter()
            .filter_map(|h| hex(h))
            .collect();
        let mut key: Vec<[u8; 3]> = grounds.clone();
        key.extend(
            [
                c::INK,
                c::MUTED,
                c::MARK,
                c::UNMARKED_MARKER,
                "#ffffff",
                "#bbbbbb",
                "#999999",
            ]
            .iter()
            .filter_map(|h| hex(h)),
        );
        let mut fills = Vec::new();
        for status in style.statuses() {
            let paint = style.paint(status);
            let (Some(fill), Some(stroke)) = (hex(&paint.fill), hex(&paint.stroke)) else {
                continue;
            };
            key.push(fill);
            key.push(stroke);
            for g in &grounds {
                let shown = mix(*g, fill, paint.fill_opacity.clamp(0.0, 1.0));
                key.push(shown);
                fills.push(shown);
            }
            // The inset draws grounds at 0.6 over the outside colour.
            if let Some(g) = grounds.get(1) {
                key.push(mix(*g, fill, 0.6));
            }
        }
        let mut colours: Vec<[u8; 3]> = Vec::new();
        let add = |c: [u8; 3], colours: &mut Vec<[u8; 3]>, min: u32| {
            if colours.len() < 255 && colours.iter().all(|k| dist2(*k, c) >= min) {
                colours.push(c);
            }
        };
        for k in &key {
            add(*k, &mut colours, 1);
        }
        let base = colours.clone();
        // Anti-aliasing: steps between every pair of key colours, the ink's on
        // grounds and fills first (text), then the rest.
        let ink = base.get(3).copied().unwrap_or([0, 0, 0]);
        for t in [0.5, 0.25, 0.75, 0.125, 0.375, 0.625, 0.875] {
            for g in grounds.iter().chain(&fills) {
                add(mix(*g, ink, t), &mut colours, 12);
                add(mix(*g, [255, 255, 255], t), &mut colours, 12);
            }
        }
        for t in [0.5, 0.25, 0.75] {
            for (i, a) in base.iter().enumerate() {
                for b in &base[i + 1..] {
                    add(mix(*a, *b, t), &mut colours, 40);
                }
            }
        }
        // Whatever room is left: a coarse grey ramp and colour cube.
        for v in (0..=255).step_by(17) {
            add([v as u8; 3], &mut colours, 40);
        }
        for r in (0..=255).step_by(51) {
            for g in (0..=255).step_by(51) {
                for b in (0..=255).step_by(51) {
                    add([r as u8, g as u8, b as u8], &mut colours, 200);
                }
            }
        }
        Palette::new(colours)
    }

    /// A palette of these colours (at most 255; more are dropped).
    pub fn new(mut colours: Vec<[u8; 3]>) -> Palette {
        colours.truncate(255);
        if colours.is_empty() {
            colours.push([0, 0, 0]);
        }
        let cells = 1usize << (3 * LUT_BITS);
        let shift = 8 - LUT_BITS;
        let lut: Vec<u8> = (0..cells)
            .map(|cell| {
                let ch = |k: u32| {
                    let v = (cell >> (k * LUT_BITS)) & ((1 << LUT_BITS) - 1);
                    ((v << shift) | (1 << (shift - 1))) as u8
                };
                let c = [ch(2), ch(1), ch(0)];
                nearest(&colours, c)
            })
            .collect();
        Palette { colours, lut }
    }

    fn cell(&self, c: [u8; 3]) -> usize {
        let s = 8 - LUT_BITS;
        ((usize::from(c[0]) >> s) << (2 * LUT_BITS))
            | ((usize::from(c[1]) >> s) << LUT_BITS)
            | (usize::from(c[2]) >> s)
    }

    /// How many colours.
    pub fn len(&self) -> usize {
        self.colours.len()
    }

    /// Whether it has no colour (never: [`Palette::new`] keeps one at least).
    pub fn is_empty(&self) -> bool {
        self.colours.is_empty()
    }

    /// The colour at an index.
    pub fn colour(&self, i: u8) -> [u8; 3] {
        self.colours
            .get(usize::from(i))
            .copied()
            .unwrap_or([0, 0, 0])
    }

    /// The index of the colour nearest `c`: exact for a palette colour, else
    /// the lookup table's.
    pub fn index(&self, c: [u8; 3]) -> u8 {
        let i = self.lut[self.cell(c)];
        if self.colour(i) == c {
            return i;
        }
        // The cell's nearest may differ from c's own nearest only when c is
        // itself a palette colour sharing the cell with another: look.
        match self.colours.iter().position(|k| *k == c) {
            Some(j) => j as u8,
            None => i,
        }
    }

    /// RGBA pixels to indices.
    pub fn quantize(&self, rgba: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(rgba.len() / 4);
        // Runs of one colour are the rule on a map: remember the last pixel.
        let mut last: Option<([u8; 3], u8)> = None;
        for px in rgba.chunks_exact(4) {
            let c = [px[0], px[1], px[2]];
            let i = match last {
                Some((lc, li)) if lc == c => li,
                _ => {
                    let i = self.index(c);
                    last = Some((c, i));
                    i
                }
            };
            out.push(i);
        }
        out
    }

    /// The colours as RGB bytes, padded to 256 entries (the GIF's global table).
    pub fn rgb_bytes(&self) -> Vec<u8> {
        let mut bytes: Vec<u8> = self.colours.iter().flatten().copied().collect();
        bytes.resize(256 * 3, 0);
        bytes
    }
}

fn nearest(colours: &[[u8; 3]], c: [u8; 3]) -> u8 {
    let mut best = (u32::MAX, 0u8);
    for (i, k) in colours.iter().enumerate() {
        let d = dist2(*k, c);
        if d < best.0 {
            best = (d, i as u8);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_fill_as_drawn_is_in_the_palette() {
        let style = Style::default();
        let p = Palette::for_style(&style);
        let inside = hex(crate::export::svg_colours::INSIDE).unwrap();
        for s in style.statuses() {
            let paint = style.paint(s);
            let shown = mix(inside, hex(&paint.fill).unwrap(), paint.fill_opacity);
            assert_eq!(p.colour(p.index(shown)), shown, "{s}");
        }
        assert!(p.len() > 100, "room left unused: {}", p.len());
    }

    #[test]
    fn other_colours_map_close() {
        let p = Palette::for_style(&Style::default());
        for c in [[10, 200, 30], [128, 128, 128], [250, 240, 230]] {
            let got = p.colour(p.index(c));
            assert!(dist2(got, c) < 9 * 60 * 60, "{c:?} -> {got:?}");
        }
    }
}
