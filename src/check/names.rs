//! The table of model-wide names (nodes and classes), built for a million lookups.
//!
//! Checking a large model is bound by memory latency: each lookup in a general hash map
//! costs three cache misses (control bytes, bucket, the key's text elsewhere on the
//! heap). Here a name of up to 12 bytes is its own key, stored inline in a 16-byte slot
//! beside its entity (names are ASCII identifiers, so zero padding is unambiguous),
//! which leaves one miss per lookup; and `warm` lets a caller touch the slots of the
//! next few dozen names first, so that their misses overlap instead of queueing. Longer
//! names go to an ordinary map. A node's level is not in its slot: nodes are declared
//! level by level with increasing ids, so the table keeps where each level's ids start.

use super::fasthash::{FastHasher, FastMap};
use super::model::Entity;
use std::hash::Hasher;

/// Names to `Entity` (and, for nodes, their level, which every reference checks), first
/// declaration wins.
#[derive(Default)]
pub struct NameTable {
    /// Open addressing with linear probing; a key of 0 marks an empty slot. The length
    /// is a power of two, at most half full.
    slots: Vec<Slot>,
    len: usize,
    /// `(first id, level)` of each run of short-named nodes declared with one level,
    /// by increasing id.
    levels: Vec<(u32, u32)>,
    /// Owned, so that the table does not borrow the syntax tree (whose nodes
    /// `check_but_data` drops while the table is still in use); long names are rare.
    long: FastMap<smol_str::SmolStr, (Entity, u32)>,
}

/// 16 bytes, 4-aligned: a 12-byte key and the entity.
#[derive(Clone, Copy, Default)]
struct Slot {
    key: Key,
    entity: u32,
}

/// A short name, zero-padded to 12 bytes, as three words.
type Key = [u32; 3];

const EMPTY: Key = [0; 3];

/// The inline key of a short name; `None` for names that must go to the long map.
fn short_key(name: &str) -> Option<Key> {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > 12 || bytes.contains(&0) {
        return None;
    }
    let mut key = [0u8; 12];
    key[..bytes.len()].copy_from_slice(bytes);
    let word = |i: usize| u32::from_le_bytes([key[i], key[i + 1], key[i + 2], key[i + 3]]);
    Some([word(0), word(4), word(8)])
}

fn hash(key: Key) -> usize {
    let mut h = FastHasher::default();
    h.write_u64(u64::from(key[0]) | u64::from(key[1]) << 32);
    h.write_u32(key[2]);
    h.finish() as usize
}

/// Bit 31: class; bits 0..31: id.
const CLASS: u32 = 1 << 31;

impl NameTable {
    /// An empty table with room for `capacity` names before it grows.
    pub fn with_capacity(capacity: usize) -> Self {
        NameTable {
            slots: vec![Slot::default(); (capacity.max(8) * 2).next_power_of_two()],
            len: 0,
            levels: Vec::new(),
            long: FastMap::default(),
        }
    }

    /// The slot holding `key`, or the empty slot where it would go.
    fn find(&self, key: Key) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = hash(key) & mask;
        loop {
            let slot = self.slots[i].key;
            if slot == key || slot == EMPTY {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// What `name` refers to, with the level given when it was declared.
    pub fn get(&self, name: &str) -> Option<(Entity, u32)> {
        if let Some(key) = short_key(name).filter(|_| !self.slots.is_empty()) {
            let slot = self.slots[self.find(key)];
            if slot.key == key {
                return Some(self.decode(slot.entity));
            }
        }
        if self.long.is_empty() {
            None
        } else {
            self.long.get(name).copied()
        }
    }

    /// The entity a slot holds, with its level.
    fn decode(&self, value: u32) -> (Entity, u32) {
        let id = value & !CLASS;
        if value & CLASS != 0 {
            return (Entity::Class(id), 0);
        }
        let run = self.levels.partition_point(|&(first, _)| first <= id);
        let level = run.checked_sub(1).map_or(0, |r| self.levels[r].1);
        (Entity::Node(id), level)
    }

    /// The slot value of `entity`, noting `level` for a node. `None` for an id of 2^31
    /// or more, or a node declared out of order (below the last one noted): such
    /// names go to the long map, which holds the level itself.
    fn encode(&mut self, entity: Entity, level: u32) -> Option<u32> {
        match entity {
            Entity::Class(id) => (id < CLASS).then_some(CLASS | id),
            Entity::Node(id) if id >= CLASS => None,
            Entity::Node(id) => match self.levels.last() {
                Some(&(_, l)) if l == level => Some(id),
                Some(&(first, _)) if first > id => None,
                _ => {
                    self.levels.push((id, level));
                    Some(id)
                }
            },
        }
    }

    /// Declares `name` (a node of `level`, or a class); if it is already declared,
    /// keeps the first and returns it. Nodes are declared by increasing id (a node
    /// declared out of order still works, from the map of long names).
    pub fn insert(&mut self, name: &str, entity: Entity, level: u32) -> Option<Entity> {
        if let Some((first, _)) = self.get(name) {
            return Some(first);
        }
        let short = short_key(name);
        match short.zip(short.and_then(|_| self.encode(entity, level))) {
            Some((key, value)) => {
                if (self.len + 1) * 2 > self.slots.len() {
                    self.grow();
                }
                let i = self.find(key);
                self.slots[i] = Slot { key, entity: value };
                self.len += 1;
            }
            None => {
                self.long.insert(name.into(), (entity, level));
            }
        }
        None
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![Slot::default(); (old.len() * 2).max(16)];
        for slot in old.into_iter().filter(|s| s.key != EMPTY) {
            let i = self.find(slot.key);
            self.slots[i] = slot;
        }
    }

    /// Asks for the home slots of `names` to be brought into cache, so that lookups
    /// made a little later find them there: the misses of a whole batch overlap instead
    /// of queueing. Only a speed hint; it changes nothing.
    pub fn warm<'n>(&self, names: impl Iterator<Item = &'n str>) {
        if self.slots.is_empty() {
            return;
        }
        let mask = self.slots.len() - 1;
        for key in names.filter_map(short_key) {
            crate::prefetch::prefetch(&self.slots[hash(key) & mask]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_declaration_wins_and_lookups_find_it() {
        let long = "a_name_longer_than_sixteen_bytes";
        let mut table = NameTable::with_capacity(2);
        assert_eq!(table.insert("x1", Entity::Node(0), 2), None);
        assert_eq!(table.insert(long, Entity::Class(3), 0), None);
        for i in 2..1000u32 {
            let name: &'static str = Box::leak(format!("n{i}").into_boxed_str());
            assert_eq!(table.insert(name, Entity::Node(i), 1), None);
        }
        assert_eq!(
            table.insert("x1", Entity::Class(9), 0),
            Some(Entity::Node(0))
        );
        assert_eq!(
            table.insert(long, Entity::Node(1), 0),
            Some(Entity::Class(3))
        );
        assert_eq!(table.get("x1"), Some((Entity::Node(0), 2)));
        assert_eq!(table.get(long), Some((Entity::Class(3), 0)));
        assert_eq!(table.get("n999"), Some((Entity::Node(999), 1)));
        assert_eq!(table.get("n1000"), None);
        assert_eq!(table.get("x"), None);
        assert_eq!(table.get(""), None);
        assert_eq!(table.get("x1\0"), None);
        table.warm(["x1", "n5", long].into_iter());
    }

    #[test]
    fn levels_come_back_for_runs_of_ids_and_out_of_order_nodes() {
        let mut table = NameTable::with_capacity(4);
        let thirteen = "thirteen_byte";
        for (name, id, level) in [("a", 0, 0), ("b", 1, 0), ("c", 2, 3), (thirteen, 3, 3)] {
            assert_eq!(table.insert(name, Entity::Node(id), level), None);
        }
        assert_eq!(table.insert("d", Entity::Node(4), 5), None);
        // Declared below the last run: kept with its own level all the same.
        assert_eq!(table.insert("early", Entity::Node(1), 7), None);
        assert_eq!(table.insert("big", Entity::Node(1 << 31), 2), None);
        assert_eq!(table.insert("k", Entity::Class(2), 9), None);
        assert_eq!(table.get("a"), Some((Entity::Node(0), 0)));
        assert_eq!(table.get("b"), Some((Entity::Node(1), 0)));
        assert_eq!(table.get("c"), Some((Entity::Node(2), 3)));
        assert_eq!(table.get(thirteen), Some((Entity::Node(3), 3)));
        assert_eq!(table.get("d"), Some((Entity::Node(4), 5)));
        assert_eq!(table.get("early"), Some((Entity::Node(1), 7)));
        assert_eq!(table.get("big"), Some((Entity::Node(1 << 31), 2)));
        assert_eq!(table.get("k"), Some((Entity::Class(2), 0)));
        assert_eq!(
            table.insert("early", Entity::Node(9), 0),
            Some(Entity::Node(1))
        );
        assert_eq!(
            table.insert(thirteen, Entity::Node(9), 0),
            Some(Entity::Node(3))
        );
    }

    #[test]
    fn an_empty_table_finds_nothing() {
        let table = NameTable::default();
        assert_eq!(table.get("x"), None);
        table.warm(["x"].into_iter());
    }
}
