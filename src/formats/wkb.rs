//! Well-Known Binary for GeoParquet: GeoJSON geometries to ISO WKB (2D, little
//! endian), and WKB (either byte order; ISO, EWKB or 1000-offset Z/M codes; Z and M
//! dropped) straight into the [`Shape`]s every reader yields.
//!
//! Written by hand rather than through a crate: the whole codec is this file, and
//! it goes straight between the types the writers and readers use.

use geo::Coord;
use geojson::{GeometryValue, Position};

use super::shape::{Ring, Shape};

/// The WKB of a geometry, positions written in 2D.
pub(crate) fn encode(geometry: &GeometryValue) -> Vec<u8> {
    let mut out = Vec::new();
    put(geometry, &mut out);
    out
}

fn header(out: &mut Vec<u8>, code: u32) {
    out.push(1); // little endian
    out.extend_from_slice(&code.to_le_bytes());
}

fn count(out: &mut Vec<u8>, n: usize) {
    // Counts beyond u32 cannot occur in memory-sized geometries; saturate anyway.
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn position(out: &mut Vec<u8>, p: &Position) {
    let s = p.as_slice();
    for i in 0..2 {
        out.extend_from_slice(&s.get(i).copied().unwrap_or(f64::NAN).to_le_bytes());
    }
}

fn positions(out: &mut Vec<u8>, ps: &[Position]) {
    count(out, ps.len());
    ps.iter().for_each(|p| position(out, p));
}

fn rings(out: &mut Vec<u8>, rs: &[Vec<Position>]) {
    count(out, rs.len());
    rs.iter().for_each(|r| positions(out, r));
}

fn put(geometry: &GeometryValue, out: &mut Vec<u8>) {
    match geometry {
        GeometryValue::Point { coordinates } => {
            header(out, 1);
            position(out, coordinates);
        }
        GeometryValue::LineString { coordinates } => {
            header(out, 2);
            positions(out, coordinates);
        }
        GeometryValue::Polygon { coordinates } => {
            header(out, 3);
            rings(out, coordinates);
        }
        GeometryValue::MultiPoint { coordinates } => {
            header(out, 4);
            count(out, coordinates.len());
            for p in coordinates {
                header(out, 1);
                position(out, p);
            }
        }
        GeometryValue::MultiLineString { coordinates } => {
            header(out, 5);
            count(out, coordinates.len());
            for l in coordinates {
                header(out, 2);
                positions(out, l);
            }
        }
        GeometryValue::MultiPolygon { coordinates } => {
            header(out, 6);
            count(out, coordinates.len());
            for p in coordinates {
                header(out, 3);
                rings(out, p);
            }
        }
        GeometryValue::GeometryCollection { geometries } => {
            header(out, 7);
            count(out, geometries.len());
            for g in geometries {
                put(&g.value, out);
            }
        }
    }
}

/// The OGC name of a geometry's type, as GeoParquet's `geometry_types` lists it.
pub(crate) fn type_name(geometry: &GeometryValue) -> &'static str {
    match geometry {
        GeometryValue::Point { .. } => "Point",
        GeometryValue::LineString { .. } => "LineString",
        GeometryValue::Polygon { .. } => "Polygon",
        GeometryValue::MultiPoint { .. } => "MultiPoint",
        GeometryValue::MultiLineString { .. } => "MultiLineString",
        GeometryValue::MultiPolygon { .. } => "MultiPolygon",
        GeometryValue::GeometryCollection { .. } => "GeometryCollection",
    }
}

/// Reads a WKB geometry; the error says what is wrong (truncated, unknown type).
pub(crate) fn decode(bytes: &[u8]) -> Result<Shape, String> {
    let mut r = Reader { bytes, at: 0 };
    let g = r.geometry(0)?;
    if r.at != bytes.len() {
        return Err(format!(
            "{} bytes after the end of the WKB geometry",
            bytes.len() - r.at
        ));
    }
    Ok(g)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let slice = self
            .bytes
            .get(self.at..self.at.saturating_add(n))
            .ok_or_else(|| format!("WKB truncated at byte {}", self.at))?;
        self.at += n;
        Ok(slice)
    }

    fn u32(&mut self, le: bool) -> Result<u32, String> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| "WKB: bad u32")?;
        Ok(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    /// A count, checked against the bytes left so that a corrupt count cannot ask
    /// for an absurd allocation.
    fn count(&mut self, le: bool, min_item: usize) -> Result<usize, String> {
        let n = self.u32(le)? as usize;
        if n.saturating_mul(min_item) > self.bytes.len() - self.at {
            return Err(format!("WKB count {n} exceeds the data"));
        }
        Ok(n)
    }

    /// `n` positions of `dims` numbers, x and y kept.
    fn coords(&mut self, le: bool, dims: usize, n: usize) -> Result<Ring, String> {
        let f = |b: &[u8]| {
            let b: [u8; 8] = b.try_into().unwrap_or([0; 8]);
            if le {
                f64::from_le_bytes(b)
            } else {
                f64::from_be_bytes(b)
            }
        };
        let bytes = self.take(n.saturating_mul(8 * dims))?;
        Ok(bytes
            .chunks_exact(8 * dims)
            .map(|p| Coord {
                x: f(&p[..8]),
                y: f(&p[8..16]),
            })
            .collect())
    }

    fn positions(&mut self, le: bool, dims: usize) -> Result<Ring, String> {
        let n = self.count(le, 8 * dims)?;
        self.coords(le, dims, n)
    }

    fn rings(&mut self, le: bool, dims: usize) -> Result<Vec<Ring>, String> {
        let n = self.count(le, 4)?;
        (0..n).map(|_| self.positions(le, dims)).collect()
    }

    fn geometry(&mut self, depth: usize) -> Result<Shape, String> {
        if depth > 32 {
            return Err("WKB nested too deeply".into());
        }
        let le = match self.take(1)?[0] {
            0 => false,
            1 => true,
            b => return Err(format!("WKB byte order {b} is neither 0 nor 1")),
        };
        let code = self.u32(le)?;
        // EWKB flags (PostGIS) carry Z, M and an SRID; ISO adds 1000/2000/3000.
        let (ewkb_z, ewkb_m, srid) = (
            code & 0x8000_0000 != 0,
            code & 0x4000_0000 != 0,
            code & 0x2000_0000 != 0,
        );
        if srid {
            self.u32(le)?;
        }
        let code = code & 0x0fff_ffff;
        let (kind, iso) = (code % 1000, code / 1000);
        let dims = 2
            + usize::from(ewkb_z || iso == 1 || iso == 3)
            + usize::from(ewkb_m || iso == 2 || iso == 3);
        Ok(match kind {
            1 => match self.coords(le, dims, 1)?.first() {
                Some(c) => Shape::Point(*c),
                None => return Err("WKB point without coordinates".into()),
            },
            2 => Shape::LineString(self.positions(le, dims)?),
            3 => Shape::Polygon(self.rings(le, dims)?),
            4..=6 => {
                let n = self.count(le, 9)?;
                let (mut points, mut lines, mut polygons) = (Vec::new(), Vec::new(), Vec::new());
                for _ in 0..n {
                    match (kind, self.geometry(depth + 1)?) {
                        (4, Shape::Point(c)) => points.push(c),
                        (5, Shape::LineString(l)) => lines.push(l),
                        (6, Shape::Polygon(p)) => polygons.push(p),
                        (_, g) => {
                            return Err(format!(
                                "a {} inside a WKB multi-geometry of type {kind}",
                                g.type_name()
                            ));
                        }
                    }
                }
                match kind {
                    4 => Shape::MultiPoint(points),
                    5 => Shape::MultiLineString(lines),
                    _ => Shape::MultiPolygon(polygons),
                }
            }
            7 => {
                let n = self.count(le, 9)?;
                let mut geometries = Vec::with_capacity(n);
                for _ in 0..n {
                    geometries.push(self.geometry(depth + 1)?);
                }
                Shape::Collection(geometries)
            }
            other => return Err(format!("WKB geometry type {other} is not supported")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let gs = [
            r#"{"type": "Point", "coordinates": [1.5, 2]}"#,
            r#"{"type": "MultiPolygon", "coordinates": [[[[0,0],[1,0],[1,1],[0,0]],[[0.1,0.1],[0.2,0.1],[0.2,0.2],[0.1,0.1]]],[[[5,5],[6,5],[6,6],[5,5]]]]}"#,
            r#"{"type": "MultiLineString", "coordinates": [[[0,0],[1,1]]]}"#,
            r#"{"type": "GeometryCollection", "geometries": [{"type": "MultiPoint", "coordinates": [[1,2],[3,4]]}]}"#,
        ];
        for text in gs {
            let g: geojson::Geometry = text.parse().unwrap();
            let wkb = encode(&g.value);
            assert_eq!(
                decode(&wkb).unwrap().to_geojson().unwrap(),
                g.value,
                "{text}"
            );
            assert!(decode(&wkb[..wkb.len() - 1]).is_err());
        }
        // Big-endian ISO Point Z.
        let mut be = vec![0u8];
        be.extend_from_slice(&1001u32.to_be_bytes());
        for x in [1.0f64, 2.0, 3.0] {
            be.extend_from_slice(&x.to_be_bytes());
        }
        assert_eq!(decode(&be).unwrap(), Shape::Point(Coord { x: 1.0, y: 2.0 }));
        assert!(decode(&[1, 99, 0, 0, 0]).unwrap_err().contains("99"));
        assert!(decode(&[1, 6, 0, 0, 0, 255, 255, 255, 255]).is_err());
    }
}
