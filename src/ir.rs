//! The IR: a checked model as dense, index-based tables. Produced by `check`, read by
//! `engine` and `analysis`. Every name has been resolved to an index; every number has
//! been evaluated and validated; every per-node / per-edge rule has been resolved for
//! every phase, so the engine never looks anything up by name.
//!
//! Indexing conventions:
//! * `NodeId` indexes `Ir::nodes`: every non-class node, level by level (input level
//!   first), in declaration order within a level. Nodes of a level are contiguous.
//! * `ClassId` indexes `Ir::classes` in declaration order.
//! * `EdgeId` indexes `Ir::edges`: class edges grouped by class (declaration order),
//!   parents in the order written. The edges of a class are contiguous.

use serde::{Deserialize, Serialize};
pub use smol_str::SmolStr;

mod child_ids;
mod per_entry;
pub use child_ids::ChildIds;
pub use per_entry::{Builder as PerEntryBuilder, Entry, PerEntry};

pub type NodeId = u32;
pub type ClassId = u32;
pub type EdgeId = u32;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ir {
    pub model: String,
    /// Feature levels 1..L-1, input level first. The class level is `classes`.
    pub levels: Vec<Level>,
    pub nodes: Vec<Node>,
    pub classes: Vec<Class>,
    pub edges: Vec<Edge>,
    pub init: Init,
    /// File-level rules (SPEC 10 defaults where the file says nothing). Used for phases
    /// after their own overrides are applied, and for evaluation-only runs.
    pub rules: RuleSet,
    pub data: Data,
    /// `None` when the file has no `train` block: nothing is trained.
    pub train: Option<Train>,
    /// The file's `expect initial { }` and `expect { }` blocks (left out of the JSON when
    /// the file has none).
    #[serde(default, skip_serializing_if = "Expectations::is_empty")]
    pub expect: Expectations,
}

/// A level of feature nodes: nodes `first .. first + len`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub name: String,
    pub first: NodeId,
    pub len: u32,
}

impl Level {
    pub fn node_ids(&self) -> std::ops::Range<NodeId> {
        self.first..self.first + self.len
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Held inline up to 23 bytes (no heap block per node; see `syntax::ast::Ident`).
    pub name: SmolStr,
    /// Index into `Ir::levels` (0 = input level).
    pub level: u32,
    /// `None` for input nodes; the firing rule for middle nodes.
    pub gate: Option<Gate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    pub kind: GateKind,
    /// Children in the order written; all in the preceding level, no repeats.
    pub children: ChildIds,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GateKind {
    Any,
    All,
    AtLeast { k: u32 },
}

impl GateKind {
    /// How many firing children make the node fire.
    pub fn threshold(self, n_children: usize) -> usize {
        match self {
            GateKind::Any => 1,
            GateKind::All => n_children,
            GateKind::AtLeast { k } => k as usize,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Class {
    pub name: String,
    /// Edges `first_edge .. first_edge + n_edges` of `Ir::edges` end in this class.
    pub first_edge: EdgeId,
    pub n_edges: u32,
}

impl Class {
    pub fn edge_ids(&self) -> std::ops::Range<EdgeId> {
        self.first_edge..self.first_edge + self.n_edges
    }
}

/// A class edge `from -> to` carrying `eta[from, to]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    pub from: NodeId,
    pub to: ClassId,
}

/// Initial-value distributions, resolved per node and per edge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Init {
    pub lambda: PerEntry<Dist>,
    pub eta: PerEntry<Dist>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case")]
pub enum Dist {
    Const {
        value: f64,
    },
    /// `0 <= a <= b`
    Uniform {
        a: f64,
        b: f64,
    },
    /// Draws are clipped at 0.
    Normal {
        mu: f64,
        sigma: f64,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
    },
}

/// One update function `g+` or `g-`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Update {
    /// `x * factor`
    Mul { factor: f64 },
    /// `x + amount`
    Add { amount: f64 },
    /// `max(x - amount, 0)`
    Sub { amount: f64 },
    /// `x`
    Keep,
    /// `mul factor by error`: `x * factor^e`, with `e` the batch's mean error `1 - p_label`
    /// from the state before the step (SPEC 3).
    MulByError { factor: f64 },
    /// `add amount by error`: `x + e * amount`.
    AddByError { amount: f64 },
    /// `sub amount by error`: `max(x - e * amount, 0)`.
    SubByError { amount: f64 },
}

impl Entry for Dist {
    fn bits(&self) -> [u64; 3] {
        match *self {
            Dist::Const { value } => [0, value.to_bits(), 0],
            Dist::Uniform { a, b } => [1, a.to_bits(), b.to_bits()],
            Dist::Normal { mu, sigma } => [2, mu.to_bits(), sigma.to_bits()],
            Dist::LogNormal { mu, sigma } => [3, mu.to_bits(), sigma.to_bits()],
        }
    }
}

impl Entry for Update {
    fn bits(&self) -> [u64; 3] {
        match *self {
            Update::Mul { factor } => [0, factor.to_bits(), 0],
            Update::Add { amount } => [1, amount.to_bits(), 0],
            Update::Sub { amount } => [2, amount.to_bits(), 0],
            Update::Keep => [3, 0, 0],
            Update::MulByError { factor } => [4, factor.to_bits(), 0],
            Update::AddByError { amount } => [5, amount.to_bits(), 0],
            Update::SubByError { amount } => [6, amount.to_bits(), 0],
        }
    }
}

impl Update {
    /// Whether the step is scaled by the batch's error (`... by error`).
    pub fn by_error(&self) -> bool {
        matches!(
            self,
            Update::MulByError { .. } | Update::AddByError { .. } | Update::SubByError { .. }
        )
    }

    /// The same update without `by error` (`keep by error` is `keep`).
    pub fn plain(self) -> Update {
        match self {
            Update::MulByError { factor } => Update::Mul { factor },
            Update::AddByError { amount } => Update::Add { amount },
            Update::SubByError { amount } => Update::Sub { amount },
            other => other,
        }
    }
}

/// The update functions in force for every node and every edge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleSet {
    /// `g+` per node.
    pub grow: PerEntry<Update>,
    /// `g-` per node.
    pub shrink: PerEntry<Update>,
    /// `g+` per class edge.
    pub grow_eta: PerEntry<Update>,
    /// `g-` per class edge.
    pub shrink_eta: PerEntry<Update>,
    /// `s` in `factor * exp(s * N(0,1))`; 0 means deterministic.
    pub jitter: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Data {
    pub samples: Vec<Sample>,
    /// Probability that each level-1 bit of a drawn training sample flips.
    pub noise_flip: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub name: String,
    /// Firing input nodes, ascending, no repeats.
    pub input: Vec<NodeId>,
    pub label: ClassId,
    pub weight: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EtaUpdate {
    /// Edge co-fires when both ends are in the union of the batch's pathways.
    Union,
    /// Edge co-fires when one sample has `from` in its pathway and label `to`.
    Sample,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampler {
    Replace,
    Shuffle,
    Cycle,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Train {
    pub seed: u64,
    pub eta_update: EtaUpdate,
    pub sampler: Sampler,
    pub phases: Vec<Phase>,
    pub record: Option<Record>,
}

/// Most samples one training step draws: a step holds its whole batch (indices, and the
/// noisy inputs under `noise flip`), so larger batches are refused before they allocate.
pub const MAX_BATCH: u64 = 1 << 20;

/// `Err` with a message when `batch` cannot be trained with (0, or above [`MAX_BATCH`]);
/// for front ends that take a batch size from their user.
pub fn validate_batch(batch: u64) -> Result<u64, String> {
    match batch {
        0 => Err("a batch must hold at least 1 sample".to_string()),
        b if b > MAX_BATCH => Err(format!(
            "a batch of {b} samples is more than one step can draw (at most {MAX_BATCH})"
        )),
        b => Ok(b),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub name: String,
    pub steps: u64,
    pub batch: u64,
    /// File-level rules with this phase's overrides applied.
    pub rules: RuleSet,
    /// `frozen_levels[l]`: level `l`'s lambda is held fixed in this phase.
    pub frozen_levels: Vec<bool>,
    /// `freeze eta`: class edges are held fixed in this phase.
    pub freeze_eta: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub every: u64,
    pub quantities: Vec<Quantity>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    Lambda,
    Eta,
    Accuracy,
    Logits,
    InfoPlane,
}

impl Quantity {
    pub const ALL: [(&'static str, Quantity); 5] = [
        ("lambda", Quantity::Lambda),
        ("eta", Quantity::Eta),
        ("accuracy", Quantity::Accuracy),
        ("logits", Quantity::Logits),
        ("info_plane", Quantity::InfoPlane),
    ];
}

/// The expectations of a file, checked by `nshed test` (`crate::expect` evaluates them).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Expectations {
    /// `expect initial { }`: checked at the initial state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub initial: Vec<Expectation>,
    /// `expect { }`: checked at the trained state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trained: Vec<Expectation>,
}

impl Expectations {
    pub fn is_empty(&self) -> bool {
        self.initial.is_empty() && self.trained.is_empty()
    }

    pub fn len(&self) -> usize {
        self.initial.len() + self.trained.len()
    }
}

/// One expectation line, resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Expectation {
    pub check: Check,
    /// The expectation in the source (byte offsets), for reports. Not in the JSON: the
    /// IR describes the model, so a comment added above a line does not change it.
    #[serde(skip)]
    pub span: crate::span::Span,
}

/// What an expectation checks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Check {
    /// `predict X is C`; `class` is `None` for `is none` (no class reached).
    Predict {
        input: ExpectInput,
        class: Option<ClassId>,
    },
    /// `pathway X has N...` (`fires`) / `pathway X lacks N...`.
    Pathway {
        input: ExpectInput,
        fires: bool,
        nodes: Vec<NodeId>,
    },
    /// `p X C OP v`
    P {
        input: ExpectInput,
        class: ClassId,
        compare: Compare,
    },
    /// `le X Y OP v`, the base `X` stepped with `label`.
    Le {
        base: ExpectInput,
        label: ClassId,
        test: ExpectInput,
        compare: Compare,
    },
    /// `lambda N OP v` (`ln`: `ln lambda N OP v`)
    Lambda {
        node: NodeId,
        ln: bool,
        compare: Compare,
    },
    /// `eta F->C OP v` (`ln`: `ln eta F->C OP v`)
    Eta {
        edge: EdgeId,
        ln: bool,
        compare: Compare,
    },
    /// `logit X C OP v`
    Logit {
        input: ExpectInput,
        class: ClassId,
        compare: Compare,
    },
    /// `accuracy OP v` (unweighted share of data samples predicted as their label)
    Accuracy { compare: Compare },
}

/// The input of an expectation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectInput {
    /// A data sample, by index into `Data::samples`.
    Sample(u32),
    /// Firing input nodes, ascending, no repeats.
    Pattern(Vec<NodeId>),
}

/// `OP value`, or `= value within tolerance`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Compare {
    pub op: CmpOp,
    pub value: f64,
    /// Only with `=`: `|actual - value| <= within`. `=` without it is 1e-9 relative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CmpOp {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "=")]
    Eq,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "=",
        }
    }
}

impl Ir {
    /// Number of levels `L`, counting the class level.
    pub fn n_levels(&self) -> usize {
        self.levels.len() + 1
    }

    /// The rules the local-elasticity step uses (SPEC 10): the last phase's, or the
    /// file-level ones when there is no training schedule.
    pub fn le_rules(&self) -> (&RuleSet, Option<&Phase>) {
        match self.train.as_ref().and_then(|t| t.phases.last()) {
            Some(phase) => (&phase.rules, Some(phase)),
            None => (&self.rules, None),
        }
    }

    pub fn node_index(&self, name: &str) -> Option<NodeId> {
        self.nodes
            .iter()
            .position(|n| n.name == name)
            .map(|i| i as NodeId)
    }

    pub fn class_index(&self, name: &str) -> Option<ClassId> {
        self.classes
            .iter()
            .position(|c| c.name == name)
            .map(|i| i as ClassId)
    }

    pub fn sample_index(&self, name: &str) -> Option<usize> {
        self.data.samples.iter().position(|s| s.name == name)
    }

    pub fn level_index(&self, name: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.name == name)
    }
}
