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

/// Names to `Entity`, first declaration wins.
#[derive(Default)]
pub struct NameTable<'a> {
    /// Open addressing with linear probing; a key of 0 marks an empty slot. The length
    /// is a power of two, at most half full.
    slots: Vec<Slot>,
    len: usize,
    long: FastMap<&'a str, Entity>,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    key: u128,
    entity: u64,
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

fn encode(entity: Entity) -> u64 {
    match entity {
        Entity::Node(id) => u64::from(id),
        Entity::Class(id) => (1 << 32) | u64::from(id),
    }
}

fn decode(value: u64) -> Entity {
    let id = value as u32;
    if value >> 32 == 0 {
        Entity::Node(id)
    } else {
        Entity::Class(id)
    }
}

impl<'a> NameTable<'a> {
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
        loop {
            let slot = self.slots[i].key;
            if slot == key || slot == 0 {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// What `name` refers to.
    pub fn get(&self, name: &str) -> Option<Entity> {
        match short_key(name) {
            Some(key) if !self.slots.is_empty() => {
                let slot = self.slots[self.find(key)];
                (slot.key == key).then(|| decode(slot.entity))
            }
            Some(_) => None,
            None => self.long.get(name).copied(),
        }
    }

    /// Declares `name`; if it is already declared, keeps the first and returns it.
    pub fn insert(&mut self, name: &'a str, entity: Entity) -> Option<Entity> {
        let Some(key) = short_key(name) else {
            return match self.long.entry(name) {
                std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(entity);
                    None
                }
            };
        };
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let i = self.find(key);
        if self.slots[i].key == key {
            return Some(decode(self.slots[i].entity));
        }
        self.slots[i] = Slot {
            key,
            entity: encode(entity),
        };
        self.len += 1;
        None
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![Slot::default(); (old.len() * 2).max(16)];
        for slot in old.into_iter().filter(|s| s.key != 0) {
            let i = self.find(slot.key);
            self.slots[i] = slot;
        }
    }

    /// Touches the home slots of `names` so that the lookups that follow find them in
    /// cache: the loads are independent, so the processor overlaps their misses. Only a
    /// speed hint; it changes nothing.
    pub fn warm<'n>(&self, names: impl Iterator<Item = &'n str>) {
        if self.slots.is_empty() {
            return;
        }
        let mask = self.slots.len() - 1;
        let mut touched = 0u64;
        for key in names.filter_map(short_key) {
            touched ^= self.slots[hash(key) & mask].entity;
        }
        std::hint::black_box(touched);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_declaration_wins_and_lookups_find_it() {
        let long = "a_name_longer_than_sixteen_bytes";
        let mut table = NameTable::with_capacity(2);
        assert_eq!(table.insert("x1", Entity::Node(0)), None);
        assert_eq!(table.insert(long, Entity::Class(3)), None);
        for i in 2..1000u32 {
            let name: &'static str = Box::leak(format!("n{i}").into_boxed_str());
            assert_eq!(table.insert(name, Entity::Node(i)), None);
        }
        assert_eq!(table.insert("x1", Entity::Class(9)), Some(Entity::Node(0)));
        assert_eq!(table.insert(long, Entity::Node(1)), Some(Entity::Class(3)));
        assert_eq!(table.get("x1"), Some(Entity::Node(0)));
        assert_eq!(table.get(long), Some(Entity::Class(3)));
        assert_eq!(table.get("n999"), Some(Entity::Node(999)));
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
