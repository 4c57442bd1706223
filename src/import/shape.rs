//! A feature's geometry as read, before cleaning: GeoJSON's nesting over plain
//! [`Coord`]s (x and y only: Z and M are dropped by every reader), rings as drawn
//! (closed or not, repeated positions kept). Every reader decodes its own encoding
//! straight into it (JSON arrays, FlatGeobuf's xy arrays, WKB, Shapefile records),
//! so no format pays for another's intermediate types; [`super::geometry`] then
//! cleans it into geo polygons, once for all formats.

use geo::Coord;

/// A ring (or line) as drawn.
pub(crate) type Ring = Vec<Coord<f64>>;

/// The geometry of one feature, in the file's coordinates.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    Point(Coord<f64>),
    MultiPoint(Vec<Coord<f64>>),
    LineString(Ring),
    MultiLineString(Vec<Ring>),
    /// Exterior ring first, then holes.
    Polygon(Vec<Ring>),
    MultiPolygon(Vec<Vec<Ring>>),
    Collection(Vec<Shape>),
    /// A geometry that is there but cannot be used (a position with one number, an
    /// unknown type, broken WKB), and why: reading it is an error naming the
    /// feature, not a parse error of the whole file.
    Invalid(String),
}

impl Shape {
    /// Calls `f` on every coordinate, stopping at the first error; an invalid
    /// geometry is that error.
    pub(crate) fn try_for_each_coord<E: From<String>>(
        &mut self,
        f: &mut impl FnMut(&mut Coord<f64>) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            Shape::Point(c) => f(c),
            Shape::MultiPoint(cs) | Shape::LineString(cs) => cs.iter_mut().try_for_each(f),
            Shape::MultiLineString(rs) | Shape::Polygon(rs) => {
                rs.iter_mut().flatten().try_for_each(f)
            }
            Shape::MultiPolygon(ps) => ps.iter_mut().flatten().flatten().try_for_each(f),
            Shape::Collection(gs) => gs.iter_mut().try_for_each(|g| g.try_for_each_coord(f)),
            Shape::Invalid(why) => Err(E::from(why.clone())),
        }
    }

    /// The box of every coordinate (`[W, S, E, N]`; `None` when there is none), and
    /// whether every coordinate is finite (`min`/`max` pass over a NaN).
    fn extent(&self) -> (Option<[f64; 4]>, bool) {
        let mut b: Option<[f64; 4]> = None;
        let mut finite = true;
        let mut add = |c: &Coord<f64>| {
            finite &= c.x.is_finite() && c.y.is_finite();
            let n = b.get_or_insert([c.x, c.y, c.x, c.y]);
            *n = [n[0].min(c.x), n[1].min(c.y), n[2].max(c.x), n[3].max(c.y)];
        };
        self.for_each_coord(&mut add);
        (b, finite)
    }

    /// Whether the shape may reach into `bbox` (`[W, S, E, N]`): its box meets it,
    /// or it cannot be told (no coordinates, an invalid geometry, a coordinate that
    /// is not a number), so that reading the feature reports what is wrong with it.
    pub(crate) fn may_meet(&self, bbox: [f64; 4]) -> bool {
        let [w, s, e, n] = bbox;
        let (b, finite) = self.extent();
        !finite || b.is_none_or(|b| b[0] <= e && b[2] >= w && b[1] <= n && b[3] >= s)
    }

    /// Calls `f` on every coordinate (none of an invalid geometry).
    pub(crate) fn for_each_coord(&self, f: &mut impl FnMut(&Coord<f64>)) {
        match self {
            Shape::Point(c) => f(c),
            Shape::MultiPoint(cs) | Shape::LineString(cs) => cs.iter().for_each(f),
            Shape::MultiLineString(rs) | Shape::Polygon(rs) => rs.iter().flatten().for_each(f),
            Shape::MultiPolygon(ps) => ps.iter().flatten().flatten().for_each(f),
            Shape::Collection(gs) => gs.iter().for_each(|g| g.for_each_coord(f)),
            Shape::Invalid(_) => {}
        }
    }

    /// The OGC name of its type.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Shape::Point(_) => "Point",
            Shape::MultiPoint(_) => "MultiPoint",
            Shape::LineString(_) => "LineString",
            Shape::MultiLineString(_) => "MultiLineString",
            Shape::Polygon(_) => "Polygon",
            Shape::MultiPolygon(_) => "MultiPolygon",
            Shape::Collection(_) => "GeometryCollection",
            Shape::Invalid(_) => "invalid geometry",
        }
    }

    /// Whether the shape may hold ground: a Polygon, a MultiPolygon, or a
    /// collection with one.
    pub(crate) fn may_be_ground(&self) -> bool {
        match self {
            Shape::Collection(parts) => parts.iter().any(Shape::may_be_ground),
            _ => self.is_polygonal(),
        }
    }

    /// Whether the shape is a Polygon or MultiPolygon.
    pub(crate) fn is_polygonal(&self) -> bool {
        matches!(self, Shape::Polygon(_) | Shape::MultiPolygon(_))
    }

    /// The GeoJSON geometry (for writing a file read in another format); an
    /// invalid geometry is the error saying why.
    pub(crate) fn to_geojson(&self) -> Result<geojson::GeometryValue, String> {
        use geojson::GeometryValue as G;
        let p = |c: &Coord<f64>| geojson::Position::from([c.x, c.y]);
        let line = |r: &Ring| r.iter().map(p).collect::<Vec<_>>();
        let rings = |rs: &[Ring]| rs.iter().map(line).collect::<Vec<_>>();
        Ok(match self {
            Shape::Point(c) => G::Point { coordinates: p(c) },
            Shape::MultiPoint(cs) => G::MultiPoint {
                coordinates: line(cs),
            },
            Shape::LineString(cs) => G::LineString {
                coordinates: line(cs),
            },
            Shape::MultiLineString(rs) => G::MultiLineString {
                coordinates: rings(rs),
            },
            Shape::Polygon(rs) => G::Polygon {
                coordinates: rings(rs),
            },
            Shape::MultiPolygon(ps) => G::MultiPolygon {
                coordinates: ps.iter().map(|r| rings(r)).collect(),
            },
            Shape::Collection(gs) => G::GeometryCollection {
                geometries: gs
                    .iter()
                    .map(|g| g.to_geojson().map(geojson::Geometry::new))
                    .collect::<Result<_, _>>()?,
            },
            Shape::Invalid(why) => return Err(why.clone()),
        })
    }
}

impl From<&geojson::GeometryValue> for Shape {
    fn from(g: &geojson::GeometryValue) -> Shape {
        use geojson::GeometryValue as G;
        let mut short = None;
        let mut c = |p: &geojson::Position| match p.as_slice() {
            [x, y, ..] => Coord { x: *x, y: *y },
            s => {
                short = Some(s.len());
                Coord {
                    x: f64::NAN,
                    y: f64::NAN,
                }
            }
        };
        let shape = match g {
            G::Point { coordinates } => Shape::Point(c(coordinates)),
            G::MultiPoint { coordinates } => {
                Shape::MultiPoint(coordinates.iter().map(&mut c).collect())
            }
            G::LineString { coordinates } => {
                Shape::LineString(coordinates.iter().map(&mut c).collect())
            }
            G::MultiLineString { coordinates } => Shape::MultiLineString(
                coordinates
                    .iter()
                    .map(|l| l.iter().map(&mut c).collect())
                    .collect(),
            ),
            G::Polygon { coordinates } => Shape::Polygon(
                coordinates
                    .iter()
                    .map(|r| r.iter().map(&mut c).collect())
                    .collect(),
            ),
            G::MultiPolygon { coordinates } => Shape::MultiPolygon(
                coordinates
                    .iter()
                    .map(|p| p.iter().map(|r| r.iter().map(&mut c).collect()).collect())
                    .collect(),
            ),
            G::GeometryCollection { geometries } => {
                Shape::Collection(geometries.iter().map(|g| Shape::from(&g.value)).collect())
            }
        };
        match short {
            Some(n) => Shape::Invalid(format!("a position has {n} number(s), not 2")),
            None => shape,
        }
    }
}

impl From<&geo::Geometry<f64>> for Shape {
    fn from(g: &geo::Geometry<f64>) -> Shape {
        use geo::Geometry as G;
        let polygon = |p: &geo::Polygon<f64>| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| r.0.clone())
                .collect()
        };
        match g {
            G::Point(p) => Shape::Point(p.0),
            G::Line(l) => Shape::LineString(vec![l.start, l.end]),
            G::LineString(l) => Shape::LineString(l.0.clone()),
            G::Polygon(p) => Shape::Polygon(polygon(p)),
            G::MultiPoint(m) => Shape::MultiPoint(m.0.iter().map(|p| p.0).collect()),
            G::MultiLineString(m) => {
                Shape::MultiLineString(m.0.iter().map(|l| l.0.clone()).collect())
            }
            G::MultiPolygon(m) => Shape::MultiPolygon(m.0.iter().map(polygon).collect()),
            G::GeometryCollection(c) => Shape::Collection(c.0.iter().map(Shape::from).collect()),
            G::Rect(r) => Shape::Polygon(polygon(&r.to_polygon())),
            G::Triangle(t) => Shape::Polygon(polygon(&t.to_polygon())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn may_meet_keeps_what_it_cannot_place() {
        let square = |x: f64| {
            let ring = vec![
                Coord { x, y: 0.0 },
                Coord { x: x + 1.0, y: 0.0 },
                Coord { x: x + 1.0, y: 1.0 },
                Coord { x, y: 0.0 },
            ];
            Shape::Polygon(vec![ring])
        };
        let bbox = [0.5, 0.5, 2.0, 2.0];
        assert!(square(0.0).may_meet(bbox));
        assert!(square(2.0).may_meet(bbox), "touching the box's edge counts");
        assert!(!square(5.0).may_meet(bbox));
        let mut nan = square(5.0);
        nan.try_for_each_coord(&mut |c| {
            c.y = f64::NAN;
            Ok::<(), String>(())
        })
        .unwrap();
        assert!(
            nan.may_meet(bbox),
            "a NaN must reach the checks that name it"
        );
        assert!(Shape::Invalid("bad".into()).may_meet(bbox));
        assert!(Shape::Collection(Vec::new()).may_meet(bbox));
    }
}
