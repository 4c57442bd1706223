//! Work met lately on one thread, found again by its input, to the bit.
//!
//! A series reads consecutive snapshots on one worker, and most of a day's map
//! is the day before's: 72–100 % of the raw daily archive's polygon vertices,
//! and 83 % of its group overlays. Where a result depends on its input alone,
//! an input equal to one met lately, compared in full (never trusted to its
//! hash), gives the result met then, so reuse changes nothing.

use std::hash::{BuildHasher, Hasher};

/// Results of a pure function of coordinates met lately, in two generations
/// of at most `limit` vertices each (input and result counted), so that memory
/// stays bounded however long the archive. A result found in the older
/// generation moves to the newer; when the newer is full it becomes the older,
/// and the older is dropped.
pub(crate) struct Recent<I, O> {
    now: Vec<Met<I, O>>,
    before: Vec<Met<I, O>>,
    points: usize,
    limit: usize,
}

/// One input met, and its result.
struct Met<I, O> {
    key: u64,
    input: I,
    output: O,
    points: usize,
}

impl<I, O: Clone> Recent<I, O> {
    /// Empty, each generation holding at most `limit` vertices.
    pub(crate) const fn new(limit: usize) -> Recent<I, O> {
        Recent {
            now: Vec::new(),
            before: Vec::new(),
            points: 0,
            limit,
        }
    }

    /// Whether `points` vertices fit in a generation (anything larger is
    /// neither kept nor worth copying to keep).
    pub(crate) fn fits(&self, points: usize) -> bool {
        points <= self.limit
    }

    /// The result kept for an input of hash `key` that is `same` as the one
    /// asked about.
    pub(crate) fn find(&mut self, key: u64, same: impl Fn(&I) -> bool) -> Option<O> {
        let equal = |m: &Met<I, O>| m.key == key && same(&m.input);
        if let Some(m) = self.now.iter().find(|m| equal(m)) {
            return Some(m.output.clone());
        }
        let i = self.before.iter().position(equal)?;
        let met = self.before.swap_remove(i);
        let output = met.output.clone();
        self.push(met);
        Some(output)
    }

    /// Keeps `output` as the result of `input` (hash `key`), `points` vertices
    /// in all; nothing when they do not fit in a generation.
    pub(crate) fn keep(&mut self, key: u64, input: I, output: O, points: usize) {
        self.push(Met {
            key,
            input,
            output,
            points,
        });
    }

    fn push(&mut self, met: Met<I, O>) {
        if !self.fits(met.points) {
            return;
        }
        if self.points + met.points > self.limit {
            self.before = std::mem::take(&mut self.now);
            self.points = 0;
        }
        self.points += met.points;
        self.now.push(met);
    }

    /// Vertices kept in the two generations.
    #[cfg(test)]
    pub(crate) fn kept(&self) -> usize {
        self.now.iter().chain(&self.before).map(|m| m.points).sum()
    }
}

/// The hash of an input made of rings of coordinates, each ring's length and
/// every coordinate's bits (a tag between parts of different meaning).
pub(crate) struct Key(foldhash::fast::FoldHasher<'static>);

impl Key {
    pub(crate) fn new() -> Key {
        Key(foldhash::fast::FixedState::with_seed(0x5a17_0ee1).build_hasher())
    }

    /// A tag, e.g. the side of an overlay the rings that follow are on.
    pub(crate) fn tag(&mut self, tag: u8) {
        self.0.write_u8(tag);
    }

    /// One ring's coordinates.
    pub(crate) fn ring(&mut self, len: usize, coords: impl IntoIterator<Item = f64>) {
        self.0.write_usize(len);
        coords
            .into_iter()
            .for_each(|v| self.0.write_u64(v.to_bits()));
    }

    pub(crate) fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// Whether two sequences of numbers are the same to the bit (so `-0.0` is not
/// `0.0`, and a NaN is itself).
pub(crate) fn same_bits(
    a: impl IntoIterator<Item = f64>,
    b: impl IntoIterator<Item = f64>,
) -> bool {
    let (mut a, mut b) = (a.into_iter(), b.into_iter());
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.to_bits() == y.to_bits() => {}
            _ => return false,
        }
    }
}

/// Whether two lists of rings (each a sequence of numbers) are the same, ring
/// by ring, to the bit.
pub(crate) fn same_rings<A, B>(
    a: impl ExactSizeIterator<Item = A>,
    b: impl ExactSizeIterator<Item = B>,
) -> bool
where
    A: IntoIterator<Item = f64>,
    B: IntoIterator<Item = f64>,
{
    a.len() == b.len() && a.zip(b).all(|(r, s)| same_bits(r, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_found_by_their_input_and_memory_is_bounded() {
        let mut recent: Recent<Vec<f64>, usize> = Recent::new(10);
        let key = |v: &[f64]| {
            let mut k = Key::new();
            k.ring(v.len(), v.iter().copied());
            k.finish()
        };
        let a = vec![1.0, 2.0, 3.0];
        recent.keep(key(&a), a.clone(), 7, 4);
        assert_eq!(
            recent.find(key(&a), |i| same_bits(i.clone(), a.clone())),
            Some(7)
        );
        // One ulp away is another input, whatever its hash.
        let b = vec![1.0, 2.0, f64::from_bits(3.0f64.to_bits() + 1)];
        assert_eq!(
            recent.find(key(&a), |i| same_bits(i.clone(), b.clone())),
            None
        );
        assert_eq!(
            recent.find(key(&b), |i| same_bits(i.clone(), b.clone())),
            None
        );
        assert!(!same_bits([0.0], [-0.0]));
        assert!(same_bits([f64::NAN], [f64::NAN]));
        assert!(!same_bits([1.0], [1.0, 2.0]));
        // Too large to keep.
        recent.keep(key(&b), b.clone(), 8, 11);
        assert_eq!(
            recent.find(key(&b), |i| same_bits(i.clone(), b.clone())),
            None
        );
        // Generations: the old one is dropped when the new one fills.
        for n in 0..20 {
            let c = vec![n as f64];
            recent.keep(key(&c), c, n, 3);
            assert!(recent.kept() <= 2 * 10);
        }
        let last = vec![19.0];
        assert_eq!(
            recent.find(key(&last), |i| same_bits(i.clone(), last.clone())),
            Some(19)
        );
        assert_eq!(
            recent.find(key(&a), |i| same_bits(i.clone(), a.clone())),
            None
        );
    }
}
