//! The table of model-wide names (nodes and classes), built for a million lookups.
//!
//! Checking a large model is bound by memory latency: each lookup in a general hash map
//! costs three cache misses (control bytes, bucket, the key's text elsewhere on the
//! heap). Here a name of up to 16 bytes is its own key, stored inline in the slot (names
//! are ASCII identifiers, so zero padding is unambiguous), which leaves one miss per
//! lookup; and `warm` lets a caller touch the slots of the next few dozen names first,
//! so that their misses overlap instead of queueing. Longer names go to an ordinary map.

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
    /// Owned, so that the table does not borrow the syntax tree (whose nodes
    /// `check_but_data` drops while the table is still in use); long names are rare.
    long: FastMap<smol_str::SmolStr, (Entity, u32)>,
}

/// 24 bytes: the key as two words keeps the slot 8-aligned (a `u128` would pad it to 32).
#[derive(Clone, Copy, Default)]
struct Slot {
    key: [u64; 2],
    entity: u64,
}

fn words(key: u128) -> [u64; 2] {
    [key as u64, (key >> 64) as u64]
}

/// The inline key of a short name; `None` for names that must go to the long map.
fn short_key(name: &str) -> Option<u128> {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > 16 || bytes.contains(&0) {
        return None;
    }
    let mut key = [0u8; 16];
    key[..bytes.len()].copy_from_slice(bytes);
    Some(u128::from_le_bytes(key))
}

fn hash(key: u128) -> usize {
    let mut h = FastHasher::default();
    h.write_u64(key as u64);
    h.write_u64((key >> 64) as u64);
    h.finish() as usize
}

/// Bit 63: class; bits 32..63: level; bits 0..32: id.
const CLASS: u64 = 1 << 63;

fn encode(entity: Entity, level: u32) -> u64 {
    let level = u64::from(level & 0x7fff_ffff) << 32;
    match entity {
        Entity::Node(id) => level | u64::from(id),
        Entity::Class(id) => CLASS | level | u64::from(id),
    }
}

fn decode(value: u64) -> (Entity, u32) {
    let id = value as u32;
    let level = ((value & !CLASS) >> 32) as u32;
    if value & CLASS == 0 {
        (Entity::Node(id), level)
    } else {
        (Entity::Class(id), level)
    }
}

impl NameTable {
    /// An empty table with room for `capacity` names before it grows.
    pub fn with_capacity(capacity: usize) -> Self {
        NameTable {
            slots: vec![Slot::default(); (capacity.max(8) * 2).next_power_of_two()],
            len: 0,
            long: FastMap::default(),
        }
    }

    /// The slot holding `key`, or the empty slot where it would go.
    fn find(&self, key: u128) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = hash(key) & mask;
        let key = words(key);
        loop {
            let slot = self.slots[i].key;
            if slot == key || slot == [0, 0] {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// What `name` refers to, with the level given when it was declared.
    pub fn get(&self, name: &str) -> Option<(Entity, u32)> {
        match short_key(name) {
            Some(key) if !self.slots.is_empty() => {
                let slot = self.slots[self.find(key)];
                (slot.key == words(key)).then(|| decode(slot.entity))
            }
            Some(_) => None,
            None => self.long.get(name).copied(),
        }
    }

    /// Declares `name` (a node of `level`, or a class); if it is already declared,
    /// keeps the first and returns it. Levels must stay below 2^31.
    pub fn insert(&mut self, name: &str, entity: Entity, level: u32) -> Option<Entity> {
        let Some(key) = short_key(name) else {
            if let Some(first) = self.long.get(name) {
                return Some(first.0);
            }
            return match self.long.entry(name.into()) {
                std::collections::hash_map::Entry::Occupied(first) => Some(first.get().0),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert((entity, level));
                    None
                }
            };
        };
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let i = self.find(key);
        if self.slots[i].key == words(key) {
            return Some(decode(self.slots[i].entity).0);
        }
        self.slots[i] = Slot {
            key: words(key),
            entity: encode(entity, level),
        };
        self.len += 1;
        None
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![Slot::default(); (old.len() * 2).max(16)];
        for slot in old.into_iter().filter(|s| s.key != [0, 0]) {
            let i = self.find(u128::from(slot.key[0]) | u128::from(slot.key[1]) << 64);
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
    fn an_empty_table_finds_nothing() {
        let table = NameTable::default();
        assert_eq!(table.get("x"), None);
        table.warm(["x"].into_iter());
    }
}
