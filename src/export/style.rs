//! Colours per status, as simplestyle-spec properties.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::{Error, Result, Status};

/// How one status is drawn: simplestyle-spec `fill`, `fill-opacity`, `stroke`,
/// `stroke-width`.
///
/// ```
/// use frontline::export::Paint;
/// let p = Paint::new("#a52714")?;
/// assert_eq!(p.stroke, "#a52714");
/// assert!(Paint::new("red").is_err());
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Paint {
    /// Fill colour, `#rrggbb`.
    pub fill: String,
    /// Fill opacity, 0 to 1.
    pub fill_opacity: f64,
    /// Stroke colour, `#rrggbb`.
    pub stroke: String,
    /// Stroke width in pixels.
    pub stroke_width: f64,
}

impl Paint {
    /// A paint with fill and stroke of one colour (`#rrggbb` or `#rgb`), fill
    /// opacity 0.4 and a 1 px stroke.
    ///
    /// # Errors
    ///
    /// An error unless `colour` is `#rrggbb` or `#rgb`.
    pub fn new(colour: &str) -> Result<Paint> {
        let colour = check_colour(colour)?;
        Ok(Paint {
            fill: colour.clone(),
            fill_opacity: 0.4,
            stroke: colour,
            stroke_width: 1.0,
        })
    }

    /// The same paint with another stroke colour.
    ///
    /// ```
    /// let p = frontline::export::Paint::new("#bcaaa4")?.stroke("#757575")?;
    /// assert_eq!((p.fill.as_str(), p.stroke.as_str()), ("#bcaaa4", "#757575"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error unless `colour` is `#rrggbb` or `#rgb`.
    pub fn stroke(mut self, colour: &str) -> Result<Paint> {
        self.stroke = check_colour(colour)?;
        Ok(self)
    }

    /// Writes the simplestyle-spec properties into `properties`.
    ///
    /// ```
    /// let mut props = serde_json::Map::new();
    /// frontline::export::Paint::new("#0f9d58")?.apply(&mut props);
    /// assert_eq!(props["fill"], "#0f9d58");
    /// assert_eq!(props["fill-opacity"], 0.4);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn apply(&self, properties: &mut Map<String, Value>) {
        properties.insert("fill".into(), self.fill.clone().into());
        properties.insert("fill-opacity".into(), self.fill_opacity.into());
        properties.insert("stroke".into(), self.stroke.clone().into());
        properties.insert("stroke-width".into(), self.stroke_width.into());
    }
}

/// `#rgb` or `#rrggbb`, returned lowercase as `#rrggbb`.
fn check_colour(colour: &str) -> Result<String> {
    let c = colour.trim().to_lowercase();
    let hex = c.strip_prefix('#').unwrap_or("");
    if !hex.chars().all(|ch| ch.is_ascii_hexdigit()) || !matches!(hex.len(), 3 | 6) {
        return Err(Error::Invalid(format!(
            "colour {colour:?} is not #rrggbb or #rgb"
        )));
    }
    if hex.len() == 3 {
        return Ok(hex.chars().fold(String::from("#"), |mut s, ch| {
            s.push(ch);
            s.push(ch);
            s
        }));
    }
    Ok(c)
}

/// A [`Paint`] per status, close to DeepStateMap's colours by default: occupied
/// red `#a52714`, contested (grey zone) `#bcaaa4`, liberated green `#0f9d58`,
/// other territories `#880e4f`; any other status purple.
///
/// ```
/// use frontline::{export::Style, Status};
/// let mut style = Style::default();
/// assert_eq!(style.paint(&Status::OCCUPIED).fill, "#a52714");
/// style.set_colour(&Status::LIBERATED, "#0288d1")?; // DeepState's blue
/// assert_eq!(style.paint(&Status::LIBERATED).fill, "#0288d1");
/// style.parse_overrides("occupied=#ff0000,contested=#999")?;
/// assert_eq!(style.paint(&Status::CONTESTED).fill, "#999999");
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Style {
    paints: BTreeMap<Status, Paint>,
    fallback: Paint,
}

impl Default for Style {
    fn default() -> Self {
        let paint = |fill: &str, stroke: &str, opacity: f64| Paint {
            fill: fill.into(),
            fill_opacity: opacity,
            stroke: stroke.into(),
            stroke_width: 1.0,
        };
        let mut paints = BTreeMap::new();
        paints.insert(Status::OCCUPIED, paint("#a52714", "#a52714", 0.4));
        paints.insert(Status::CONTESTED, paint("#bcaaa4", "#757575", 0.5));
        paints.insert(Status::LIBERATED, paint("#0f9d58", "#0f9d58", 0.3));
        paints.insert(Status::OTHER, paint("#880e4f", "#880e4f", 0.3));
        Style {
            paints,
            fallback: paint("#7b1fa2", "#7b1fa2", 0.3),
        }
    }
}

impl Style {
    /// The paint of a status.
    pub fn paint(&self, status: &Status) -> &Paint {
        self.paints.get(status).unwrap_or(&self.fallback)
    }

    /// Sets a status's paint.
    ///
    /// ```
    /// use frontline::{export::{Paint, Style}, Status};
    /// let mut style = Style::default();
    /// style.set(Status::new("disputed"), Paint::new("#ffaa00")?);
    /// assert_eq!(style.paint(&Status::new("disputed")).stroke, "#ffaa00");
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn set(&mut self, status: Status, paint: Paint) {
        self.paints.insert(status, paint);
    }

    /// Sets a status's fill and stroke colour, keeping its opacity and width.
    ///
    /// # Errors
    ///
    /// An error unless `colour` is `#rrggbb` or `#rgb`.
    pub fn set_colour(&mut self, status: &Status, colour: &str) -> Result<()> {
        let colour = check_colour(colour)?;
        let mut paint = self.paint(status).clone();
        paint.fill = colour.clone();
        paint.stroke = colour;
        self.paints.insert(status.clone(), paint);
        Ok(())
    }

    /// Applies `status=#colour,status=#colour` overrides, as given on the command line.
    ///
    /// # Errors
    ///
    /// An error for an entry that is not `status=#colour`, a status that does not
    /// parse, or a colour that is not `#rrggbb` or `#rgb`.
    pub fn parse_overrides(&mut self, text: &str) -> Result<()> {
        for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
            let (status, colour) = pair.split_once('=').ok_or_else(|| {
                Error::Invalid(format!("colour entry {pair:?} is not status=#rrggbb"))
            })?;
            self.set_colour(&status.parse()?, colour)?;
        }
        Ok(())
    }

    /// The statuses with a paint of their own, in name order.
    pub fn statuses(&self) -> impl Iterator<Item = &Status> {
        self.paints.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_colours_are_errors() {
        for bad in ["", "#", "#12", "#12345g", "a52714", "#a527145"] {
            assert!(Paint::new(bad).is_err(), "{bad}");
        }
        assert_eq!(Paint::new(" #ABC ").unwrap().fill, "#aabbcc");
        let mut style = Style::default();
        assert!(style.parse_overrides("occupied").is_err());
        assert!(style.parse_overrides("unmarked=#000").is_err());
    }
}
