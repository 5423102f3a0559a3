//! Hash tables for the checker's name lookups, which dominate checking a large model.
//!
//! The standard SipHash resists hash flooding but costs several times more than the
//! lookup itself on short names like `x123456`. The checker hashes names the author
//! wrote in their own file and keeps no table past one run, so rustc's Fx hash is the
//! better trade here.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

pub use rustc_hash::FxHasher as FastHasher;

/// `HashMap` with `FastHasher`.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
/// `HashSet` with `FastHasher`.
pub type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

/// "Seen before, and where?" over dense ids (nodes), reused across many small lists
/// (the children of each rule, the inputs of each sample) without clearing. A short list
/// is searched linearly (it is in cache); past `SHORT` entries the list spills into a
/// table indexed by id, where an entry counts only if it carries the current list's stamp.
pub struct SeenIds<T: Copy> {
    stamp: u32,
    recent: Vec<(usize, T)>,
    spilled: bool,
    marks: Vec<(u32, T)>,
}

/// Lists up to this long never touch the id-indexed table.
const SHORT: usize = 16;

impl<T: Copy + Default> SeenIds<T> {
    /// A set for ids `0..len`.
    pub fn new(len: usize) -> Self {
        SeenIds {
            stamp: 0,
            recent: Vec::with_capacity(SHORT),
            spilled: false,
            marks: vec![(0, T::default()); len],
        }
    }

    /// Starts a new list: everything seen so far is forgotten.
    pub fn next_list(&mut self) {
        self.recent.clear();
        self.spilled = false;
    }

    /// What was recorded for `id` in this list, if it was seen.
    pub fn get(&self, id: usize) -> Option<T> {
        if !self.spilled {
            return self.recent.iter().find(|(i, _)| *i == id).map(|&(_, v)| v);
        }
        match self.marks.get(id) {
            Some(&(stamp, value)) if stamp == self.stamp => Some(value),
            _ => None,
        }
    }

    /// Records `id` as seen in this list, with `value`.
    pub fn insert(&mut self, id: usize, value: T) {
        if !self.spilled {
            if self.recent.len() < SHORT {
                self.recent.push((id, value));
                return;
            }
            // A stamp no entry of an earlier list carries.
            self.stamp = self.stamp.wrapping_add(1);
            if self.stamp == 0 {
                // After 2^32 spilled lists old stamps could repeat: clear for real once.
                self.marks.iter_mut().for_each(|m| m.0 = 0);
                self.stamp = 1;
            }
            self.spilled = true;
            for (i, v) in std::mem::take(&mut self.recent) {
                self.mark(i, v);
            }
        }
        self.mark(id, value);
    }

    fn mark(&mut self, id: usize, value: T) {
        let stamp = self.stamp;
        if let Some(slot) = self.marks.get_mut(id) {
            *slot = (stamp, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn equal_names_hash_alike_and_near_names_differ() {
        let build = BuildHasherDefault::<FastHasher>::default();
        assert_eq!(build.hash_one("x123456"), build.hash_one("x123456"));
        let names = [
            "x1",
            "x2",
            "x12",
            "x21",
            "a_long_name_1",
            "a_long_name_2",
            "",
        ];
        let hashes: FastSet<u64> = names.iter().map(|n| build.hash_one(n)).collect();
        assert_eq!(hashes.len(), names.len());
    }

    #[test]
    fn seen_ids_forget_between_lists() {
        let mut seen = SeenIds::<u32>::new(4);
        seen.next_list();
        assert_eq!(seen.get(2), None);
        seen.insert(2, 7);
        assert_eq!(seen.get(2), Some(7));
        assert_eq!(seen.get(9), None);
        seen.next_list();
        assert_eq!(seen.get(2), None);
    }

    #[test]
    fn long_lists_spill_and_still_answer() {
        let mut seen = SeenIds::<u32>::new(100);
        for round in 0..3 {
            seen.next_list();
            for id in 0..40 {
                assert_eq!(seen.get(id), None, "round {round}, id {id}");
                seen.insert(id, id as u32 + round);
            }
            for id in 0..40 {
                assert_eq!(seen.get(id), Some(id as u32 + round));
            }
            assert_eq!(seen.get(40), None);
        }
        seen.next_list();
        assert_eq!(seen.get(3), None);
    }
}
