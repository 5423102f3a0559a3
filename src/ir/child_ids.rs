//! `ChildIds`: a rule's children, held inline up to five (the usual fan-in) so that a
//! node costs no heap block of its own; longer lists are boxed. It reads as a slice.

use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::NodeId;

/// How many children fit inline.
const INLINE: usize = 5;

/// A rule's children in the order written; see the module documentation.
#[derive(Clone)]
pub struct ChildIds(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, ids: [NodeId; INLINE] },
    Boxed(Box<[NodeId]>),
}

impl ChildIds {
    /// The ids, in the order written.
    pub fn as_slice(&self) -> &[NodeId] {
        match &self.0 {
            Repr::Inline { len, ids } => &ids[..*len as usize],
            Repr::Boxed(ids) => ids,
        }
    }
}

impl Default for ChildIds {
    fn default() -> Self {
        ChildIds(Repr::Inline {
            len: 0,
            ids: [0; INLINE],
        })
    }
}

impl Deref for ChildIds {
    type Target = [NodeId];

    fn deref(&self) -> &[NodeId] {
        self.as_slice()
    }
}

impl From<&[NodeId]> for ChildIds {
    fn from(v: &[NodeId]) -> Self {
        if v.len() <= INLINE {
            let mut ids = [0; INLINE];
            ids[..v.len()].copy_from_slice(v);
            ChildIds(Repr::Inline {
                len: v.len() as u8,
                ids,
            })
        } else {
            ChildIds(Repr::Boxed(v.into()))
        }
    }
}

impl From<Vec<NodeId>> for ChildIds {
    fn from(v: Vec<NodeId>) -> Self {
        if v.len() <= INLINE {
            ChildIds::from(v.as_slice())
        } else {
            ChildIds(Repr::Boxed(v.into_boxed_slice()))
        }
    }
}

impl FromIterator<NodeId> for ChildIds {
    fn from_iter<I: IntoIterator<Item = NodeId>>(iter: I) -> Self {
        ChildIds::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl<'a> IntoIterator for &'a ChildIds {
    type Item = &'a NodeId;
    type IntoIter = std::slice::Iter<'a, NodeId>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl PartialEq for ChildIds {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for ChildIds {}

impl PartialEq<Vec<NodeId>> for ChildIds {
    fn eq(&self, other: &Vec<NodeId>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl std::fmt::Debug for ChildIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}

/// Written as the list of ids, like the `Vec` it stands for.
impl Serialize for ChildIds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ChildIds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<NodeId>::deserialize(d).map(ChildIds::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lists_are_inline_and_every_list_reads_back() {
        assert_eq!(std::mem::size_of::<ChildIds>(), 24);
        for n in 0..9u32 {
            let ids: Vec<NodeId> = (0..n).map(|i| i * 7 + 1).collect();
            let c = ChildIds::from(ids.clone());
            assert_eq!(c.as_slice(), ids.as_slice());
            assert_eq!(matches!(c.0, Repr::Inline { .. }), n as usize <= INLINE);
            assert_eq!(c, ids.iter().copied().collect::<ChildIds>());
            assert_eq!(c.iter().count(), ids.len());
            let json = serde_json::to_string(&c).expect("json");
            assert_eq!(json, serde_json::to_string(&ids).expect("json"));
            let back: ChildIds = serde_json::from_str(&json).expect("back");
            assert_eq!(back, c);
        }
    }
}
