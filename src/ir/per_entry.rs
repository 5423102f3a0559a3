//! `PerEntry<T>`: one value per node (or per class edge), held as the distinct values
//! and each entry's index among them. Rules and initial distributions are written per
//! file, level or phase, so a model of a million nodes has a handful of distinct values:
//! held this way they cost nothing per node when all entries share one value, one byte
//! per node up to 256 values, and four beyond, instead of 16 or 24 bytes per node.
//!
//! Entries are told apart by their bits (`Entry::bits`), not by `==`: `-0.0` and `0.0`
//! stay distinct, so every entry reads back exactly the value it was given.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value a `PerEntry` can hold: copied out, and told apart from the others by its bits.
pub trait Entry: Copy {
    /// Equal exactly when the two values are the same bit for bit (variant included).
    fn bits(&self) -> [u64; 3];
}

/// One `T` per entry; see the module documentation.
#[derive(Clone, Debug)]
pub struct PerEntry<T> {
    /// The distinct values, in order of first use.
    values: Vec<T>,
    index: Index,
    len: usize,
}

/// Each entry's place in `values`.
#[derive(Clone, Debug)]
enum Index {
    /// At most one distinct value: every entry holds `values[0]`.
    Same,
    /// At most 256 distinct values.
    Byte(Vec<u8>),
    Word(Vec<u32>),
}

impl<T> Default for PerEntry<T> {
    fn default() -> Self {
        PerEntry {
            values: Vec::new(),
            index: Index::Same,
            len: 0,
        }
    }
}

impl<T: Entry> PerEntry<T> {
    /// `len` entries, all `value`.
    pub fn filled(value: T, len: usize) -> PerEntry<T> {
        PerEntry {
            values: if len == 0 { Vec::new() } else { vec![value] },
            index: Index::Same,
            len,
        }
    }

    /// How many entries it has.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Entry `i`'s place among the distinct values (`i < len`).
    #[inline]
    fn slot(&self, i: usize) -> usize {
        match &self.index {
            Index::Same => 0,
            Index::Byte(v) => v[i] as usize,
            Index::Word(v) => v[i] as usize,
        }
    }

    /// Entry `i`, or `None` past the end.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&T> {
        (i < self.len).then(|| &self.values[self.slot(i)])
    }

    /// Every entry, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &T> + Clone + '_ {
        (0..self.len).map(|i| &self.values[self.slot(i)])
    }

    /// Every entry, in a `Vec`.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().copied().collect()
    }

    /// The distinct values, in order of first use.
    pub fn distinct(&self) -> &[T] {
        &self.values
    }

    /// The same entries with each value replaced by `f(value)`: `f` runs once per
    /// distinct value, and the index is shared.
    pub fn map<U: Entry>(&self, f: impl FnMut(T) -> U) -> PerEntry<U> {
        PerEntry {
            values: self.values.iter().copied().map(f).collect(),
            index: self.index.clone(),
            len: self.len,
        }
    }

    /// The entries `order[0], order[1], …` (each `< len`).
    pub fn permuted(&self, order: &[u32]) -> PerEntry<T> {
        let index = match &self.index {
            Index::Same => Index::Same,
            Index::Byte(v) => Index::Byte(order.iter().map(|&i| v[i as usize]).collect()),
            Index::Word(v) => Index::Word(order.iter().map(|&i| v[i as usize]).collect()),
        };
        PerEntry {
            values: if order.is_empty() {
                Vec::new()
            } else {
                self.values.clone()
            },
            index,
            len: order.len(),
        }
    }

    /// Runs `f` on every entry as a slice, then holds the result compactly again: for
    /// changing many entries at once.
    pub fn edit(&mut self, f: impl FnOnce(&mut [T])) {
        let mut all = self.to_vec();
        f(&mut all);
        *self = PerEntry::from(all);
    }

    /// The distinct values and each entry's one-byte index among them, when there are at
    /// most 256; else the table itself.
    pub fn into_bytes(self) -> Result<(Vec<T>, Vec<u8>), PerEntry<T>> {
        match self.index {
            Index::Same => Ok((self.values, vec![0; self.len])),
            Index::Byte(index) => Ok((self.values, index)),
            Index::Word(_) => Err(self),
        }
    }

    /// Makes entry `i` (`< len`) `value`. Finds `value` among the distinct values by a
    /// scan, so it suits a few changes (tests, experiments), not building a table:
    /// collect an iterator for that.
    pub fn set(&mut self, i: usize, value: T) {
        assert!(i < self.len, "entry {i} of {}", self.len);
        let bits = value.bits();
        let slot = match self.values.iter().position(|v| v.bits() == bits) {
            Some(s) => s,
            None => {
                self.values.push(value);
                self.values.len() - 1
            }
        };
        self.widen_for(slot);
        match &mut self.index {
            Index::Same => {}
            Index::Byte(v) => v[i] = slot as u8,
            Index::Word(v) => v[i] = slot as u32,
        }
    }

    /// Makes the index able to hold `slot`.
    fn widen_for(&mut self, slot: usize) {
        match &self.index {
            Index::Same if slot > 0 => self.index = Index::Byte(vec![0; self.len]),
            _ => {}
        }
        if let Index::Byte(v) = &self.index {
            if slot > u8::MAX as usize {
                self.index = Index::Word(v.iter().map(|&b| u32::from(b)).collect());
            }
        }
    }
}

/// Builds a `PerEntry` one entry at a time, finding each value among those seen by a
/// hash of its bits.
pub struct Builder<T> {
    table: PerEntry<T>,
    seen: HashMap<[u64; 3], u32>,
    /// The place of the last value pushed, with its bits: runs of equal entries (a
    /// level's nodes) skip the hash.
    last: Option<([u64; 3], u32)>,
}

impl<T: Entry> Builder<T> {
    /// An empty table.
    pub fn new() -> Builder<T> {
        Builder {
            table: PerEntry::default(),
            seen: HashMap::new(),
            last: None,
        }
    }

    /// Adds the next entry.
    pub fn push(&mut self, value: T) {
        let bits = value.bits();
        let slot = match self.last {
            Some((b, s)) if b == bits => s,
            _ => {
                let next = self.table.values.len() as u32;
                let slot = *self.seen.entry(bits).or_insert(next);
                if slot == next {
                    self.table.values.push(value);
                    self.table.widen_for(slot as usize);
                }
                self.last = Some((bits, slot));
                slot
            }
        };
        match &mut self.table.index {
            Index::Same => {}
            Index::Byte(v) => v.push(slot as u8),
            Index::Word(v) => v.push(slot),
        }
        self.table.len += 1;
    }

    /// The table of the entries pushed.
    pub fn finish(mut self) -> PerEntry<T> {
        match &mut self.table.index {
            Index::Same => {}
            Index::Byte(v) => v.shrink_to_fit(),
            Index::Word(v) => v.shrink_to_fit(),
        }
        self.table.values.shrink_to_fit();
        self.table
    }
}

impl<T: Entry> Default for Builder<T> {
    fn default() -> Self {
        Builder::new()
    }
}

impl<T: Entry> FromIterator<T> for PerEntry<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut b = Builder::new();
        iter.into_iter().for_each(|v| b.push(v));
        b.finish()
    }
}

impl<T: Entry> From<Vec<T>> for PerEntry<T> {
    fn from(v: Vec<T>) -> Self {
        v.into_iter().collect()
    }
}

impl<T: Entry> std::ops::Index<usize> for PerEntry<T> {
    type Output = T;

    #[inline]
    fn index(&self, i: usize) -> &T {
        assert!(i < self.len, "entry {i} of {}", self.len);
        &self.values[self.slot(i)]
    }
}

/// Equal when every entry is (by `==`, as for a `Vec`), whatever the representation.
impl<T: Entry + PartialEq> PartialEq for PerEntry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl<T: Entry + PartialEq, const N: usize> PartialEq<[T; N]> for PerEntry<T> {
    fn eq(&self, other: &[T; N]) -> bool {
        self.len == N && self.iter().zip(other).all(|(a, b)| a == b)
    }
}

/// Written as the list of every entry, like the `Vec` it stands for.
impl<T: Entry + Serialize> Serialize for PerEntry<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de, T: Entry + Deserialize<'de>> Deserialize<'de> for PerEntry<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(PerEntry::from)
    }
}

impl Entry for f64 {
    fn bits(&self) -> [u64; 3] {
        [0, self.to_bits(), 0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_costs_no_index_and_reads_back_everywhere() {
        let t: PerEntry<f64> = std::iter::repeat_n(0.5, 1000).collect();
        assert!(matches!(t.index, Index::Same));
        assert_eq!(t.len(), 1000);
        assert_eq!(t[999], 0.5);
        assert_eq!(t.get(1000), None);
        assert_eq!(t.distinct(), &[0.5]);
    }

    #[test]
    fn the_index_widens_from_none_to_bytes_to_words() {
        let few: Vec<f64> = (0..600).map(|i| f64::from(i % 3)).collect();
        let t = PerEntry::from(few.clone());
        assert!(matches!(t.index, Index::Byte(_)));
        assert_eq!(t.to_vec(), few);
        let many: Vec<f64> = (0..600).map(|i| f64::from((i * 7) % 300)).collect();
        let t = PerEntry::from(many.clone());
        assert!(matches!(t.index, Index::Word(_)));
        assert_eq!(t.distinct().len(), 300);
        assert_eq!(t.to_vec(), many);
    }

    #[test]
    fn values_are_told_apart_by_bits() {
        let t = PerEntry::from(vec![0.0, -0.0, 0.0]);
        assert_eq!(t.distinct().len(), 2);
        assert_eq!(t[1].to_bits(), (-0.0f64).to_bits());
        assert_eq!(t[2].to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn set_map_and_permuted_keep_every_entry() {
        let mut t = PerEntry::filled(1.0, 4);
        t.set(2, 3.0);
        assert_eq!(t.to_vec(), vec![1.0, 1.0, 3.0, 1.0]);
        for i in 0..300 {
            t.set(i % 4, i as f64);
        }
        assert!(matches!(t.index, Index::Word(_)));
        assert_eq!(t.to_vec(), vec![296.0, 297.0, 298.0, 299.0]);
        let doubled = t.map(|v| v * 2.0);
        assert_eq!(doubled.to_vec(), vec![592.0, 594.0, 596.0, 598.0]);
        assert_eq!(t.permuted(&[3, 0]).to_vec(), vec![299.0, 296.0]);
        assert_eq!(t, [296.0, 297.0, 298.0, 299.0]);
    }

    #[test]
    fn serializes_as_the_list_of_entries() {
        let t = PerEntry::from(vec![1.5, 1.5, 2.0]);
        let json = serde_json::to_string(&t).expect("json");
        assert_eq!(json, "[1.5,1.5,2.0]");
        let back: PerEntry<f64> = serde_json::from_str(&json).expect("back");
        assert_eq!(back, t);
    }
}
