//! A bounded walk over the Thrift compact structures of a Parquet file (its footer
//! and page headers), taken before the `parquet` crate reads them.
//!
//! Why: the crate's decoder skips unknown fields in loops that a damaged file can
//! make run for billions of turns without reading a byte. It skips the elements
//! of a list of booleans as if they took no bytes (they take one each), and its
//! page-header reader skips bytes past the end without failing. A 6.6 KB file
//! found by the fuzzer claimed lists of two billion booleans and took 2.3 s (and
//! far longer in the fuzzer's build) before failing; a file of a thousand such
//! lists would take an hour.
//!
//! The walk goes through the same bytes in the same way as the crate does,
//! counting its turns, and refuses a file when they exceed a few per byte of the
//! file: every value of a sound file takes at least a byte, so the turns of a
//! sound file never come near that. Where the crate would fail fast (a bad type,
//! the end of the bytes), the walk stops and leaves the crate to say so.

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

/// Walks one structure at the start of `bytes`, as the crate decodes it, and
/// returns the bytes it takes and the values of its top-level integer `fields`
/// that it has (a page header's uncompressed and compressed sizes are fields 2
/// and 3).
pub(super) fn walk_struct<const N: usize>(
    bytes: &[u8],
    fields: [i16; N],
    budget: &mut Budget,
) -> Result<(usize, [Option<i64>; N]), Stop> {
    let mut walk = Walk {
        bytes,
        pos: 0,
        budget,
    };
    let mut values = [None; N];
    walk.structure(DEPTH, &fields, &mut values)?;
    Ok((walk.pos, values))
}

struct Walk<'a, 'b> {
    bytes: &'a [u8],
    pos: usize,
    budget: &'b mut Budget,
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

    /// Skipped bytes past the end are not an error to the crate's page-header
    /// reader: the walk takes what there is, as it does.
    fn skip(&mut self, n: u64) {
        let left = (self.bytes.len() - self.pos) as u64;
        self.pos += n.min(left) as usize;
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

    /// A structure's fields up to its stop byte; the values of the integer
    /// fields `want` go to `found`.
    fn structure(
        &mut self,
        depth: u8,
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
                last.checked_add(i16::from(delta)).ok_or(Stop::Fails)?
            } else {
                let z = self.varint()?;
                let id = ((z >> 1) as i64) ^ -((z & 1) as i64);
                i16::try_from(id).map_err(|_| Stop::Fails)?
            };
            last = id;
            let wanted = want.iter().position(|w| *w == id);
            if let Some(k) = wanted.filter(|_| matches!(kind, I16 | I32 | I64)) {
                let z = self.varint()?;
                found[k] = Some(((z >> 1) as i64) ^ -((z & 1) as i64));
            } else {
                self.value(kind, depth)?;
            }
        }
    }

    /// Skips one value of type `kind`, as the crate's `skip_till_depth` does.
    fn value(&mut self, kind: u8, depth: u8) -> Result<(), Stop> {
        match kind {
            // The crate reads nothing for a boolean, in a structure or a list.
            BOOL_TRUE | BOOL_FALSE => Ok(()),
            BYTE => self.byte().map(drop),
            I16 | I32 | I64 => self.varint().map(drop),
            DOUBLE => {
                self.skip(8);
                Ok(())
            }
            UUID => {
                self.skip(16);
                Ok(())
            }
            BINARY => {
                let n = self.varint()?;
                self.skip(n);
                Ok(())
            }
            STRUCT => self.structure(depth, &[], &mut []),
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
    fn a_sound_structure_is_walked_to_its_end_and_its_field_read() {
        // Field 1: i32 7 (zigzag 14); field 3: i32 -2 (zigzag 3); field 4: a list
        // of two binaries "ab" and ""; field 5: a nested structure holding a
        // boolean field; stop. Then a byte that is not the structure's.
        let bytes = [
            0x15, 14, 0x25, 3, 0x19, 0x28, 2, b'a', b'b', 0, 0x1c, 0x11, 0, 0, 0xff,
        ];
        let mut budget = Budget::for_file(0);
        let (len, values) = walk_struct(&bytes, [3, 1, 2], &mut budget).unwrap();
        assert_eq!((len, values), (bytes.len() - 1, [Some(-2), Some(7), None]));
    }

    #[test]
    fn lists_of_billions_of_booleans_in_a_few_bytes_overrun_the_budget() {
        // Field 1: a list (size in a varint: 2^31 - 1) of booleans, four times.
        let list = [0x19, 0xf1, 0xff, 0xff, 0xff, 0xff, 0x07];
        let bytes: Vec<u8> = list.iter().copied().cycle().take(4 * list.len()).collect();
        let mut budget = Budget::for_file(bytes.len());
        assert_eq!(walk_struct(&bytes, [3], &mut budget), Err(Stop::Overrun));
        // A list as long as its file allows is within the budget.
        let mut short = vec![0x19, 0xf1, 100];
        short.push(0);
        let mut budget = Budget::for_file(short.len());
        assert_eq!(walk_struct(&short, [3], &mut budget), Ok((4, [None])));
    }

    #[test]
    fn what_the_crate_refuses_at_once_is_left_to_it() {
        let mut budget = Budget::for_file(0);
        // Type 14 does not exist; a structure cut short; a size above i32.
        for bytes in [
            &[0x1e][..],
            &[0x15],
            &[0x19, 0xf1, 0xff, 0xff, 0xff, 0xff, 0x0f],
        ] {
            assert_eq!(walk_struct(bytes, [3], &mut budget), Err(Stop::Fails));
        }
    }
}
