//! A bounded walk over the Thrift compact structures of a Parquet file (its footer
//! and page headers), taken before the `parquet` crate reads them.
//!
//! Why: the crate's decoder skips unknown fields in loops that a damaged file can
//! make run for billions of turns without reading a byte. It skips booleans, in
//! a list, a set or a map, as if they took no bytes (they take one each), so
//! seven bytes can claim two billion of them. A 67-byte file found by the fuzzer
//! claimed such lists in its footer and took 177 s in the fuzzer's build; a file
//! of a thousand such lists would take hours. (Its page-header reader also took
//! reads past the end of the file for empty ones, which made any claimed value a
//! turn; `geoparquet::Strict` makes them fail.)
//!
//! The walk goes through the same bytes in the same way as the crate does,
//! counting its turns, and refuses a file when they exceed a few per byte of the
//! file: every value of a sound file takes at least a byte, so the turns of a
//! sound file never come near that. Where the crate would fail fast (a bad type,
//! the end of the bytes), the walk stops and leaves the crate to say so.
//!
//! "The same way" includes the crate's schema: a field it knows is read as the
//! schema says, whatever type the bytes give it (a page header's field 6 marked
//! as an `i16` is still read as a structure). A walk by the bytes' types alone
//! lost step with the crate there, and a 4 KB file it passed held a set of 87
//! million values that the crate went through (found by fuzzing); a 22-byte
//! footer whose `version` was marked as a binary hid two billion booleans the
//! same way (found in review). Page headers ([`walk_page_header`]) and the footer
//! ([`walk_footer`]) are both walked with the crate's schema: the constants
//! below mirror its decoders (`parquet_metadata_from_bytes`, `read_row_group`,
//! `read_column_chunk`, `read_column_metadata`, `PageHeader::read_thrift_without_stats`
//! and the structures they read) in the parquet version this crate builds with;
//! a new version of the crate must be checked against them.

/// How the walk ended early.
#[derive(Debug, PartialEq)]
pub(super) enum Stop {
    /// The crate's decoder fails here too, at once: leave it to say why.
    Fails,
    /// More turns than the budget: the file is refused.
    Overrun,
}

/// The turns a walk may take: shared by every structure of one file.
#[derive(Debug)]
pub(super) struct Budget(u64);

impl Budget {
    /// Four turns per byte of the file, and a few thousand to spare.
    pub(super) fn for_file(len: usize) -> Budget {
        Budget(4 * len as u64 + 4096)
    }

    fn spend(&mut self) -> Result<(), Stop> {
        self.0 = self.0.checked_sub(1).ok_or(Stop::Overrun)?;
        Ok(())
    }
}

/// Nesting deeper than this fails in the crate (its skips stop at 64 levels,
/// below a few levels of known structures).
const DEPTH: u8 = 96;

/// How the crate reads a field of a structure it knows (or an element of a list
/// of known type).
#[derive(Clone, Copy, Debug)]
enum Known {
    /// An integer or an enum: a varint, whatever type the bytes give.
    Varint,
    /// An `i8`: one byte.
    Byte,
    /// A `double`: eight bytes.
    Double,
    /// A `binary` or `string`: a varint length and as many bytes.
    Binary,
    /// A boolean field: no bytes (its value is in the field's type, which must
    /// say so).
    Bool,
    /// A union's variant without data: a structure that must be empty (one stop
    /// byte).
    Empty,
    /// A structure of this schema.
    Struct(Schema),
    /// A union: one field of this schema (ids from 0; one the schema does not
    /// list is skipped by its type), then the stop byte.
    Union(Schema),
    /// A list whose element type must be this type code, of these elements.
    List(u8, &'static Known),
    /// A `SchemaElement`, whose `num_children` and name's length the walk keeps.
    Element(Schema),
    /// `SchemaElement.num_children`: a varint, kept.
    Children,
    /// `SchemaElement.name`: a binary, its length kept.
    Name,
}

/// The fields of a structure the crate knows; the others it skips by their type.
type Schema = &'static [(i16, Known)];

use Known::{
    Binary, Bool, Byte, Children, Double, Element, Empty, List, Name, Struct, Union, Varint,
};

/// `DataPageHeader`, read without its statistics (the crate's default).
const DATA_PAGE: Schema = &[(1, Varint), (2, Varint), (3, Varint), (4, Varint)];
/// `IndexPageHeader`: no fields.
const INDEX_PAGE: Schema = &[];
/// `DictionaryPageHeader`.
const DICTIONARY_PAGE: Schema = &[(1, Varint), (2, Varint), (3, Bool)];
/// `DataPageHeaderV2`, read without its statistics.
const DATA_PAGE_V2: Schema = &[
    (1, Varint),
    (2, Varint),
    (3, Varint),
    (4, Varint),
    (5, Varint),
    (6, Varint),
    (7, Bool),
];
/// `PageHeader`, as the crate's `read_thrift_without_stats` reads it.
const PAGE_HEADER: Schema = &[
    (1, Varint),
    (2, Varint),
    (3, Varint),
    (4, Varint),
    (5, Struct(DATA_PAGE)),
    (6, Struct(INDEX_PAGE)),
    (7, Struct(DICTIONARY_PAGE)),
    (8, Struct(DATA_PAGE_V2)),
];

// The footer, as `parquet_metadata_from_bytes` reads it in a build without the
// `encryption` feature (whose fields it then skips by their type).

/// `TimeUnit`, a union of empty structures.
const TIME_UNIT: Schema = &[(1, Empty), (2, Empty), (3, Empty)];
/// `DecimalType`.
const DECIMAL: Schema = &[(1, Varint), (2, Varint)];
/// `TimeType` and `TimestampType`.
const TIMESTAMP: Schema = &[(1, Bool), (2, Union(TIME_UNIT))];
/// `IntType`.
const INT_TYPE: Schema = &[(1, Byte), (2, Bool)];
/// `VariantType`.
const VARIANT: Schema = &[(1, Byte)];
/// `GeometryType`.
const GEOMETRY: Schema = &[(1, Binary)];
/// `GeographyType`.
const GEOGRAPHY: Schema = &[(1, Binary), (2, Varint)];
/// `LogicalType`, a union.
const LOGICAL_TYPE: Schema = &[
    (1, Empty),
    (2, Empty),
    (3, Empty),
    (4, Empty),
    (5, Struct(DECIMAL)),
    (6, Empty),
    (7, Struct(TIMESTAMP)),
    (8, Struct(TIMESTAMP)),
    (10, Struct(INT_TYPE)),
    (11, Empty),
    (12, Empty),
    (13, Empty),
    (14, Empty),
    (15, Empty),
    (16, Struct(VARIANT)),
    (17, Struct(GEOMETRY)),
    (18, Struct(GEOGRAPHY)),
    (19, Empty),
];
/// `SchemaElement`.
const SCHEMA_ELEMENT: Schema = &[
    (1, Varint),
    (2, Varint),
    (3, Varint),
    (4, Name),
    (5, Children),
    (6, Varint),
    (7, Varint),
    (8, Varint),
    (9, Varint),
    (10, Union(LOGICAL_TYPE)),
];
/// `Statistics`.
const STATISTICS: Schema = &[
    (1, Binary),
    (2, Binary),
    (3, Varint),
    (4, Varint),
    (5, Binary),
    (6, Binary),
    (7, Bool),
    (8, Bool),
    (9, Varint),
];
/// `BoundingBox`.
const BOUNDING_BOX: Schema = &[
    (1, Double),
    (2, Double),
    (3, Double),
    (4, Double),
    (5, Double),
    (6, Double),
    (7, Double),
    (8, Double),
];
/// `GeospatialStatistics`.
const GEOSPATIAL: Schema = &[(1, Struct(BOUNDING_BOX)), (2, List(I32, &Varint))];
/// `SizeStatistics`.
const SIZE_STATISTICS: Schema = &[
    (1, Varint),
    (2, List(I64, &Varint)),
    (3, List(I64, &Varint)),
];
/// `PageEncodingStats`.
const PAGE_ENCODING_STATS: Schema = &[(1, Varint), (2, Varint), (3, Varint)];
/// `ColumnMetaData`, as `read_column_metadata` reads it (3 and 8 it skips).
const COLUMN_METADATA: Schema = &[
    (1, Varint),
    (2, List(I32, &Varint)),
    (4, Varint),
    (5, Varint),
    (6, Varint),
    (7, Varint),
    (9, Varint),
    (10, Varint),
    (11, Varint),
    (12, Struct(STATISTICS)),
    (13, List(STRUCT, &Struct(PAGE_ENCODING_STATS))),
    (14, Varint),
    (15, Varint),
    (16, Struct(SIZE_STATISTICS)),
    (17, Struct(GEOSPATIAL)),
];
/// `ColumnChunk`.
const COLUMN_CHUNK: Schema = &[
    (1, Binary),
    (2, Varint),
    (3, Struct(COLUMN_METADATA)),
    (4, Varint),
    (5, Varint),
    (6, Varint),
    (7, Varint),
];
/// `SortingColumn`.
const SORTING_COLUMN: Schema = &[(1, Varint), (2, Bool), (3, Bool)];
/// `RowGroup` (6 the crate skips).
const ROW_GROUP: Schema = &[
    (1, List(STRUCT, &Struct(COLUMN_CHUNK))),
    (2, Varint),
    (3, Varint),
    (4, List(STRUCT, &Struct(SORTING_COLUMN))),
    (5, Varint),
    (7, Varint),
];
/// `KeyValue`.
const KEY_VALUE: Schema = &[(1, Binary), (2, Binary)];
/// `ColumnOrder`, a union.
const COLUMN_ORDER: Schema = &[(1, Empty), (2, Empty), (3, Empty)];
/// `FileMetaData`.
const FILE_METADATA: Schema = &[
    (1, Varint),
    (2, List(STRUCT, &Element(SCHEMA_ELEMENT))),
    (3, Varint),
    (4, List(STRUCT, &Struct(ROW_GROUP))),
    (5, List(STRUCT, &Struct(KEY_VALUE))),
    (6, Binary),
    (7, List(STRUCT, &Union(COLUMN_ORDER))),
];

/// `PageType::INDEX_PAGE`: the crate's `peek_next_page` reads the next header
/// right after such a header, in its page's bytes, as well as after its page.
pub(super) const INDEX_PAGE_TYPE: i32 = 1;

/// What a page header says, as the crate takes it (its `i32`s truncate what the
/// varints hold).
#[derive(Debug, Default, PartialEq)]
pub(super) struct PageHeader {
    /// Field 1, the page type.
    pub kind: Option<i32>,
    /// Field 2, the page's size once uncompressed.
    pub uncompressed: Option<i32>,
    /// Field 3, the page's size as stored.
    pub compressed: Option<i32>,
}

/// Walks the page header at the start of `bytes` as the crate decodes it, and
/// returns the bytes it takes and what it says.
pub(super) fn walk_page_header(
    bytes: &[u8],
    budget: &mut Budget,
) -> Result<(usize, PageHeader), Stop> {
    let mut walk = Walk {
        bytes,
        pos: 0,
        budget,
        nodes: Vec::new(),
        schemas: Vec::new(),
    };
    let mut found = [None; 3];
    walk.structure(DEPTH, Some(PAGE_HEADER), &[1, 2, 3], &mut found)?;
    // The crate's `i32::read_thrift` keeps the low 32 bits.
    let [kind, uncompressed, compressed] = found.map(|v| v.map(|v| v as i32));
    let header = PageHeader {
        kind,
        uncompressed,
        compressed,
    };
    Ok((walk.pos, header))
}

/// A schema element, as far as the crate's building of the schema goes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct SchemaNode {
    /// Its `num_children` (as the crate's `i32`), if it has one.
    pub children: Option<i32>,
    /// The length of its name.
    pub name: u64,
}

/// What the walk of a footer found.
#[derive(Debug, PartialEq)]
pub(super) struct Footer {
    /// How the walk ended: the bytes the file metadata takes, or why it stopped.
    pub end: Result<usize, Stop>,
    /// Each schema list read to its end, its elements in order: the crate builds
    /// the schema as soon as it has read one, before it reads on (and fails).
    pub schemas: Vec<Vec<SchemaNode>>,
}

/// Walks the file metadata at the start of `bytes` as the crate decodes it.
pub(super) fn walk_footer(bytes: &[u8], budget: &mut Budget) -> Footer {
    let mut walk = Walk {
        bytes,
        pos: 0,
        budget,
        nodes: Vec::new(),
        schemas: Vec::new(),
    };
    let end = walk
        .structure(DEPTH, Some(FILE_METADATA), &[], &mut [])
        .map(|()| walk.pos);
    Footer {
        end,
        schemas: walk.schemas,
    }
}

struct Walk<'a, 'b> {
    bytes: &'a [u8],
    pos: usize,
    budget: &'b mut Budget,
    /// The schema list being read, so far.
    nodes: Vec<SchemaNode>,
    /// The schema lists read to their end.
    schemas: Vec<Vec<SchemaNode>>,
}

// The compact protocol's type codes.
const BOOL_TRUE: u8 = 1;
const BOOL_FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;
const UUID: u8 = 13;

/// A zigzag varint's value.
fn zigzag(z: u64) -> i64 {
    ((z >> 1) as i64) ^ -((z & 1) as i64)
}

impl Walk<'_, '_> {
    fn byte(&mut self) -> Result<u8, Stop> {
        let b = *self.bytes.get(self.pos).ok_or(Stop::Fails)?;
        self.pos += 1;
        Ok(b)
    }

    /// A ULEB128 varint as the crate reads it: of any length, the bits past 64
    /// wrapping round (a varint of 15 bytes was a page size of 1 GB to it, found
    /// by fuzzing, where a walk that stopped at 10 bytes gave up).
    fn varint(&mut self) -> Result<u64, Stop> {
        let (mut value, mut shift) = (0u64, 0u32);
        loop {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f).wrapping_shl(shift);
            if b & 0x80 == 0 {
                return Ok(value);
            }
            shift = shift.wrapping_add(7);
        }
    }

    /// Bytes skipped past the end fail: the footer is decoded from a slice, and
    /// page headers from a reader that fails there (`geoparquet::Strict`).
    fn skip(&mut self, n: u64) -> Result<(), Stop> {
        let left = (self.bytes.len() - self.pos) as u64;
        if n > left {
            return Err(Stop::Fails);
        }
        self.pos += n as usize;
        Ok(())
    }

    /// A collection's size, as the crate reads it (an `i32`).
    fn size(&mut self, varint: Option<u64>) -> Result<u64, Stop> {
        let n = match varint {
            Some(n) => n,
            None => self.varint()?,
        };
        i32::try_from(n).map_err(|_| Stop::Fails)?;
        Ok(n)
    }

    /// A structure's fields up to its stop byte, read by `schema` where the crate
    /// knows the structure (`None`: it skips it by the bytes' types); the values
    /// of the varint fields `want` go to `found`.
    fn structure(
        &mut self,
        depth: u8,
        schema: Option<Schema>,
        want: &[i16],
        found: &mut [Option<i64>],
    ) -> Result<(), Stop> {
        let depth = depth.checked_sub(1).ok_or(Stop::Fails)?;
        let mut last: i16 = 0;
        loop {
            self.budget.spend()?;
            let header = self.byte()?;
            let kind = header & 0x0f;
            if kind == 0 {
                return Ok(());
            }
            if kind > UUID {
                return Err(Stop::Fails);
            }
            let delta = header >> 4;
            let id = if delta != 0 {
                // The crate's skip counts every delta from 0, so only a known
                // structure's ids can overflow.
                let base = if schema.is_some() { last } else { 0 };
                base.checked_add(i16::from(delta)).ok_or(Stop::Fails)?
            } else {
                // The crate's `read_i16` keeps the low 16 bits.
                zigzag(self.varint()?) as i16
            };
            last = id;
            let known = schema
                .and_then(|s| s.iter().find(|(field, _)| *field == id))
                .map(|(_, how)| *how);
            match known {
                Some(how) => {
                    let value = self.known(how, kind, depth)?;
                    if let Some((k, value)) = want.iter().position(|w| *w == id).zip(value) {
                        found[k] = Some(value);
                    }
                }
                None => self.value(kind, depth)?,
            }
        }
    }

    /// Reads a field (or list element) the crate knows, as it does; `kind` is the
    /// type the bytes give it. Returns a varint's value.
    fn known(&mut self, how: Known, kind: u8, depth: u8) -> Result<Option<i64>, Stop> {
        match how {
            Varint => return self.varint().map(|z| Some(zigzag(z))),
            Byte => drop(self.byte()?),
            Double => self.skip(8)?,
            Binary => {
                let n = self.varint()?;
                self.skip(n)?;
            }
            Bool if matches!(kind, BOOL_TRUE | BOOL_FALSE) => {}
            Bool => return Err(Stop::Fails),
            Empty if self.byte()? == 0 => {}
            Empty => return Err(Stop::Fails),
            Struct(inner) => self.structure(depth, Some(inner), &[], &mut [])?,
            Union(variants) => self.union(depth, variants)?,
            List(code, element) => {
                let depth = depth.checked_sub(1).ok_or(Stop::Fails)?;
                let header = self.byte()?;
                if header == 0 {
                    return Ok(None);
                }
                // The crate checks the element type before reading any element.
                if self::element(header & 0x0f)? != code {
                    return Err(Stop::Fails);
                }
                let short = u64::from(header >> 4);
                let n = self.size((short != 15).then_some(short))?;
                let schema = matches!(element, Element(_));
                if schema {
                    self.nodes.clear();
                }
                for _ in 0..n {
                    self.budget.spend()?;
                    self.known(*element, code, depth)?;
                }
                if schema {
                    let nodes = std::mem::take(&mut self.nodes);
                    self.schemas.push(nodes);
                }
            }
            Element(inner) => {
                self.nodes.push(SchemaNode::default());
                self.structure(depth, Some(inner), &[], &mut [])?;
            }
            Children => {
                let n = zigzag(self.varint()?);
                if let Some(last) = self.nodes.last_mut() {
                    last.children = Some(n as i32);
                }
                return Ok(Some(n));
            }
            Name => {
                let n = self.varint()?;
                self.skip(n)?;
                if let Some(last) = self.nodes.last_mut() {
                    last.name = n;
                }
            }
        }
        Ok(None)
    }

    /// A union as the crate's `thrift_union!` reads it: one field, its id from 0,
    /// then the stop byte.
    fn union(&mut self, depth: u8, variants: Schema) -> Result<(), Stop> {
        let depth = depth.checked_sub(1).ok_or(Stop::Fails)?;
        self.budget.spend()?;
        let header = self.byte()?;
        let kind = header & 0x0f;
        if kind == 0 || kind > UUID {
            return Err(Stop::Fails);
        }
        let delta = header >> 4;
        let id = if delta != 0 {
            i16::from(delta)
        } else {
            zigzag(self.varint()?) as i16
        };
        match variants.iter().find(|(v, _)| *v == id) {
            Some((_, how)) => drop(self.known(*how, kind, depth)?),
            None => self.value(kind, depth)?,
        }
        // A second field fails.
        match self.byte()? & 0x0f {
            0 => Ok(()),
            _ => Err(Stop::Fails),
        }
    }

    /// Skips one value of type `kind`, as the crate's `skip_till_depth` does.
    fn value(&mut self, kind: u8, depth: u8) -> Result<(), Stop> {
        match kind {
            // The crate reads nothing for a boolean, in a structure or a list.
            BOOL_TRUE | BOOL_FALSE => Ok(()),
            BYTE => self.byte().map(drop),
            I16 | I32 | I64 => self.varint().map(drop),
            DOUBLE => self.skip(8),
            UUID => self.skip(16),
            BINARY => {
                let n = self.varint()?;
                self.skip(n)
            }
            STRUCT => self.structure(depth, None, &[], &mut []),
            LIST | SET => {
                let depth = depth.checked_sub(1).ok_or(Stop::Fails)?;
                let header = self.byte()?;
                if header == 0 {
                    return Ok(());
                }
                let element = element(header & 0x0f)?;
                let short = u64::from(header >> 4);
                let n = self.size((short != 15).then_some(short))?;
                for _ in 0..n {
                    self.budget.spend()?;
                    self.value(element, depth)?;
                }
                Ok(())
            }
            MAP => {
                let depth = depth.checked_sub(1).ok_or(Stop::Fails)?;
                let n = self.size(None)?;
                if n == 0 {
                    return Ok(());
                }
                let kinds = self.byte()?;
                let (key, val) = (element(kinds >> 4)?, element(kinds & 0x0f)?);
                for _ in 0..n {
                    self.budget.spend()?;
                    self.value(key, depth)?;
                    self.value(val, depth)?;
                }
                Ok(())
            }
            _ => Err(Stop::Fails),
        }
    }
}

/// A list element's type code as a value's (1 and 2 both mean boolean).
fn element(code: u8) -> Result<u8, Stop> {
    match code {
        1 | 2 => Ok(BOOL_TRUE),
        BYTE..=UUID => Ok(code),
        _ => Err(Stop::Fails),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sound_page_header_is_walked_to_its_end_and_its_sizes_read() {
        // Type 2 (zigzag 4); uncompressed 7 (14); compressed -2 (3); field 7, a
        // dictionary page header: 5 values (10), encoding 0, sorted (a boolean
        // field, no bytes); stop. Then a byte that is not the header's.
        let bytes = [
            0x15, 4, 0x15, 14, 0x15, 3, 0x4c, 0x15, 10, 0x15, 0, 0x11, 0, 0, 0xff,
        ];
        let mut budget = Budget::for_file(0);
        let (len, header) = walk_page_header(&bytes, &mut budget).unwrap();
        let sizes = PageHeader {
            kind: Some(2),
            uncompressed: Some(7),
            compressed: Some(-2),
        };
        assert_eq!((len, header), (bytes.len() - 1, sizes));
    }

    #[test]
    fn a_known_field_is_walked_as_the_crate_reads_it_whatever_type_the_bytes_give() {
        // Field 6 (`IndexPageHeader`, a structure) marked as an i16, as in a file
        // found by fuzzing. The crate reads a structure there: field 3 (an i32),
        // then a set of two billion booleans (0xf1: a size in a varint, booleans),
        // which it skips without reading a byte. By the bytes' types, the walk
        // read the i16 and went on to something else.
        let bytes = [
            0x64, 0x35, 0x38, 0x1a, 0xf1, 0xff, 0xff, 0xff, 0xff, 0x07, 0, 0,
        ];
        let mut budget = Budget::for_file(bytes.len());
        assert_eq!(walk_page_header(&bytes, &mut budget), Err(Stop::Overrun));
        // A field the crate reads as a varint is one, even where the bytes call
        // it a binary: uncompressed size 3, then the stop byte.
        let mut budget = Budget::for_file(0);
        let (len, header) = walk_page_header(&[0x28, 6, 0], &mut budget).unwrap();
        assert_eq!((len, header.uncompressed), (3, Some(3)));
    }

    #[test]
    fn a_footer_is_walked_as_the_crate_reads_it_whatever_type_the_bytes_give() {
        // Field 1 (`version`, an i32) marked as a binary of 7 bytes: by the bytes'
        // types the walk skipped those 7 and ended. The crate reads the varint 7
        // and goes on to field 16 (0xf9: a list), unknown to it, which it skips:
        // two billion booleans (found in review).
        let bytes = [0x18, 0x07, 0xf9, 0xf1, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00];
        let mut budget = Budget::for_file(bytes.len());
        assert_eq!(walk_footer(&bytes, &mut budget).end, Err(Stop::Overrun));
        // A schema of one element named "a" claiming 2^31 - 1 children (zigzag
        // 0xfe 0xff 0xff 0xff 0x0f), then the root's second element with none.
        let bytes = [
            0x29, 0x2c, 0x48, 0x01, b'a', 0x15, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x48, 0x01,
            b'b', 0x00, 0x00,
        ];
        let mut budget = Budget::for_file(bytes.len());
        let walked = walk_footer(&bytes, &mut budget);
        assert_eq!(walked.end, Ok(bytes.len()));
        let node = |children, name| SchemaNode { children, name };
        assert_eq!(walked.schemas, [[node(Some(i32::MAX), 1), node(None, 1)]]);
        // The same list, the footer cut short after it: the walk fails, as the
        // crate does, but only once the crate has built the schema.
        let walked = walk_footer(&bytes[..bytes.len() - 1], &mut budget);
        assert_eq!(walked.end, Err(Stop::Fails));
        assert_eq!(walked.schemas.len(), 1);
        // A union takes one field: a logical type (field 10 of an element) that is
        // both a string (1) and a map (2) fails in the crate.
        let two = [0x29, 0x1c, 0xac, 0x1c, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00];
        assert_eq!(walk_footer(&two, &mut budget).end, Err(Stop::Fails));
        let one = [0x29, 0x1c, 0xac, 0x1c, 0x00, 0x00, 0x00, 0x00];
        assert_eq!(walk_footer(&one, &mut budget).end, Ok(one.len()));
    }

    #[test]
    fn lists_of_billions_of_booleans_in_a_few_bytes_overrun_the_budget() {
        // Fields 15, 30, 45 and 60, unknown to the crate: each a list (size in a
        // varint: 2^31 - 1) of booleans.
        let list = [0xf9, 0xf1, 0xff, 0xff, 0xff, 0xff, 0x07];
        let bytes: Vec<u8> = list.iter().copied().cycle().take(4 * list.len()).collect();
        let mut budget = Budget::for_file(bytes.len());
        assert_eq!(walk_footer(&bytes, &mut budget).end, Err(Stop::Overrun));
        // A list as long as its file allows is within the budget.
        let short = [0xf9, 0xf1, 100, 0];
        let mut budget = Budget::for_file(short.len());
        assert_eq!(walk_footer(&short, &mut budget).end, Ok(4));
    }

    #[test]
    fn what_the_crate_refuses_at_once_is_left_to_it() {
        let mut budget = Budget::for_file(0);
        // Type 14 does not exist; a structure cut short; a size above i32; a
        // binary longer than the bytes; a boolean field that is not one.
        for bytes in [
            &[0x1e][..],
            &[0x15],
            &[0x19, 0xf1, 0xff, 0xff, 0xff, 0xff, 0x0f],
            &[0x98, 9, 1, 2, 0],
        ] {
            assert_eq!(walk_footer(bytes, &mut budget).end, Err(Stop::Fails));
            assert_eq!(walk_page_header(bytes, &mut budget), Err(Stop::Fails));
        }
        let not_a_boolean = [0x7c, 0x35, 1, 0, 0];
        assert_eq!(
            walk_page_header(&not_a_boolean, &mut budget),
            Err(Stop::Fails)
        );
    }
}
