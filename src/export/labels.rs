//! Map labels that never overlap: placed greedily, most important first, each at
//! the first of four spots around its point (right, left, above, below) where
//! its box meets no label already placed and no obstacle; a label with no free
//! spot is dropped.
//!
//! Boxes are estimated from the font size and per-character widths of DejaVu
//! Sans (the sans-serif font resvg and most Linux browsers use), with a margin:
//! an estimate a little wider than the real text keeps real labels apart.

/// A box in pixels, y down.
///
/// ```
/// use frontline::export::LabelBox;
/// let a = LabelBox::new(0.0, 0.0, 10.0, 10.0);
/// assert!(a.overlaps(&LabelBox::new(5.0, 5.0, 15.0, 15.0)));
/// assert!(!a.overlaps(&LabelBox::new(10.0, 0.0, 20.0, 10.0))); // touching edges
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelBox {
    /// Left.
    pub x0: f64,
    /// Top.
    pub y0: f64,
    /// Right.
    pub x1: f64,
    /// Bottom.
    pub y1: f64,
}

impl LabelBox {
    /// The box from `(x0, y0)` to `(x1, y1)`.
    pub fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> LabelBox {
        LabelBox { x0, y0, x1, y1 }
    }

    /// Whether the two boxes share more than an edge.
    pub fn overlaps(&self, other: &LabelBox) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    /// Whether `other` lies wholly inside this box.
    pub fn contains(&self, other: &LabelBox) -> bool {
        other.x0 >= self.x0 && other.x1 <= self.x1 && other.y0 >= self.y0 && other.y1 <= self.y1
    }
}

/// Width of one character in em of DejaVu Sans (rounded up).
fn char_em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '\'' | '|' | 'I' | 'J' => 0.30,
        ' ' | '.' | ',' | ':' | ';' | '!' => 0.32,
        'f' | 't' | '-' | '(' | ')' => 0.40,
        'r' => 0.42,
        's' | 'z' | 'c' => 0.56,
        'm' => 0.98,
        'w' => 0.82,
        'M' => 0.87,
        'W' => 0.99,
        'O' | 'Q' | 'G' | 'D' | 'C' => 0.79,
        'A'..='Z' => 0.76,
        '0'..='9' => 0.64,
        'a'..='z' => 0.64,
        // Cyrillic and other letters: about as wide as a wide Latin lowercase.
        c if c.is_alphabetic() => 0.72,
        _ => 0.84,
    }
}

/// The estimated width in pixels of `text` at `font_size` px.
///
/// ```
/// let w = frontline::export::text_width("Kramatorsk", 12.0);
/// assert!(w > 60.0 && w < 80.0);
/// ```
pub fn text_width(text: &str, font_size: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * font_size * 1.04
}

/// Ascent and descent of DejaVu Sans in em (the real ones are 0.93 and 0.24).
const ASCENT: f64 = 0.95;
const DESCENT: f64 = 0.26;

/// How a label's text is anchored at its `x` (SVG `text-anchor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// `x` is the left end.
    Start,
    /// `x` is the middle.
    Middle,
    /// `x` is the right end.
    End,
}

impl Anchor {
    /// The SVG `text-anchor` value.
    pub fn as_svg(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A label to place: its point, text, size and priority (higher first).
#[derive(Clone, Debug, PartialEq)]
pub struct LabelRequest {
    /// The labelled point, pixels.
    pub at: (f64, f64),
    /// The text.
    pub text: String,
    /// Font size, pixels.
    pub font_size: f64,
    /// Higher is placed first (e.g. population).
    pub priority: f64,
    /// Extra room on every side of the text (a halo's half width).
    pub halo: f64,
    /// Distance from the point to the text.
    pub gap: f64,
    /// The point's symbol (marker): no label placed after this one may cover it.
    pub marker: Option<LabelBox>,
}

/// A placed label: which request, where its baseline starts and its box.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedLabel {
    /// Index of the request.
    pub index: usize,
    /// Text position (SVG `x`, `y`: the baseline).
    pub x: f64,
    /// Baseline.
    pub y: f64,
    /// How the text is anchored at `x`.
    pub anchor: Anchor,
    /// The estimated box of the text and its halo.
    pub bbox: LabelBox,
}

/// Places labels so that no two boxes overlap, no box meets an obstacle and every
/// box lies inside `bounds`: requests in order of priority (then their order),
/// each at the first free spot of right, left, above and below its point, or
/// dropped. A label also keeps off the markers of its own point and of every
/// point of higher priority, but may cover those of lesser points: otherwise the
/// villages around a city would leave no room for the city's name. Returns the
/// placed labels in placement order.
///
/// ```
/// use frontline::export::{place_labels, LabelBox, LabelRequest};
/// let req = |x: f64, text: &str, priority: f64| LabelRequest {
///     at: (x, 50.0), text: text.into(), font_size: 12.0, priority, halo: 1.5, gap: 5.0,
///     marker: Some(LabelBox::new(x - 3.0, 47.0, x + 3.0, 53.0)),
/// };
/// let bounds = LabelBox::new(0.0, 0.0, 300.0, 100.0);
/// // Two points 4 px apart: one label each side, a third has no room and is dropped.
/// let placed = place_labels(
///     &[req(100.0, "Small", 1.0), req(104.0, "Big", 9.0), req(102.0, "Mid", 5.0)],
///     bounds,
///     &[],
/// );
/// assert_eq!(placed[0].index, 1); // the highest priority first
/// for (i, a) in placed.iter().enumerate() {
///     for b in &placed[i + 1..] {
///         assert!(!a.bbox.overlaps(&b.bbox));
///     }
/// }
/// ```
pub fn place_labels(
    requests: &[LabelRequest],
    bounds: LabelBox,
    obstacles: &[LabelBox],
) -> Vec<PlacedLabel> {
    let mut order: Vec<usize> = (0..requests.len()).collect();
    // Stable: equal priorities keep their order.
    order.sort_by(|&a, &b| requests[b].priority.total_cmp(&requests[a].priority));
    let mut placed: Vec<PlacedLabel> = Vec::new();
    let mut markers: Vec<LabelBox> = Vec::new();
    for i in order {
        let r = &requests[i];
        markers.extend(r.marker);
        if r.text.is_empty() || !(r.at.0.is_finite() && r.at.1.is_finite()) {
            continue;
        }
        let w = text_width(&r.text, r.font_size);
        let (asc, desc) = (ASCENT * r.font_size, DESCENT * r.font_size);
        let (x, y) = r.at;
        // Baseline so that the text's middle is level with the point.
        let mid = y + (asc - desc) / 2.0;
        let candidates = [
            (x + r.gap, mid, Anchor::Start),
            (x - r.gap, mid, Anchor::End),
            (x, y - r.gap - desc, Anchor::Middle),
            (x, y + r.gap + asc, Anchor::Middle),
        ];
        for (tx, ty, anchor) in candidates {
            let left = match anchor {
                Anchor::Start => tx,
                Anchor::Middle => tx - w / 2.0,
                Anchor::End => tx - w,
            };
            let bbox = LabelBox::new(
                left - r.halo,
                ty - asc - r.halo,
                left + w + r.halo,
                ty + desc + r.halo,
            );
            let free = bounds.contains(&bbox)
                && !obstacles.iter().any(|o| o.overlaps(&bbox))
                && !markers.iter().any(|m| m.overlaps(&bbox))
                && !placed.iter().any(|p| p.bbox.overlaps(&bbox));
            if free {
                placed.push(PlacedLabel {
                    index: i,
                    x: tx,
                    y: ty,
                    anchor,
                    bbox,
                });
                break;
            }
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_stay_inside_and_off_obstacles() {
        let bounds = LabelBox::new(0.0, 0.0, 200.0, 100.0);
        let req = LabelRequest {
            at: (195.0, 50.0),
            text: "Kostiantynivka".into(),
            font_size: 12.0,
            priority: 1.0,
            halo: 1.5,
            gap: 5.0,
            marker: None,
        };
        // Near the right edge: placed on the left.
        let placed = place_labels(std::slice::from_ref(&req), bounds, &[]);
        assert_eq!(placed[0].anchor, Anchor::End);
        assert!(bounds.contains(&placed[0].bbox));
        // Every spot blocked: dropped.
        let placed = place_labels(&[req], bounds, &[bounds]);
        assert!(placed.is_empty());
    }

    #[test]
    fn wider_text_is_estimated_wider() {
        assert!(text_width("Mariupol", 12.0) > text_width("Lyman", 12.0));
        assert!(text_width("Покровськ", 12.0) > text_width("Pokrovsk", 12.0) * 0.9);
    }
}
