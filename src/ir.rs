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

/// Index of a feature node in [`Ir::nodes`].
pub type NodeId = u32;
/// Index of a class in [`Ir::classes`].
pub type ClassId = u32;
/// Index of a class edge in [`Ir::edges`].
pub type EdgeId = u32;

/// A checked model: its nodes, classes, edges, initial distributions, rules, data, training schedule and expectations, every name resolved to an index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ir {
    /// The model's name (`model NAME { }`).
    pub model: String,
    /// Feature levels 1..L-1, input level first. The class level is `classes`.
    pub levels: Vec<Level>,
    /// Every feature node, level by level, input level first (indexed by [`NodeId`]).
    pub nodes: Vec<Node>,
    /// The classes, in declaration order (indexed by [`ClassId`]).
    pub classes: Vec<Class>,
    /// The class edges, grouped by class (indexed by [`EdgeId`]).
    pub edges: Vec<Edge>,
    /// The initial distributions of every `lambda` and `eta`.
    pub init: Init,
    /// File-level rules (the defaults where the file says nothing). Used for phases
    /// after their own overrides are applied, and for evaluation-only runs.
    pub rules: RuleSet,
    /// The data samples and the input noise.
    pub data: Data,
    /// `None` when the file has no `train` block: nothing is trained.
    pub train: Option<Train>,
    /// The file's `expect initial { }` and `expect { }` blocks (left out of the JSON when
    /// the file has none).
    #[serde(default, skip_serializing_if = "Expectations::is_empty")]
    pub expect: Expectations,
    /// The `test { }` block: held-out samples, never trained on (left out of the JSON
    /// when the file has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<TestSet>,
    /// The data files the samples were read from, with the SHA-256 of their bytes: part
    /// of the model's identity (saved states, shard files, golden reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_files: Vec<DataFile>,
}

/// Held-out samples: written in the `test` block or read from files, plus noisy copies
/// of the training samples drawn when a run starts (`engine::heldout`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TestSet {
    /// The written and read samples, in file order (weight 1).
    pub samples: Vec<Sample>,
    /// The noisy copies of the training samples, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copies: Option<Copies>,
}

/// `copies N flip q`: `count` copies of every training sample, each level-1 bit flipped
/// with probability `flip`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Copies {
    /// Copies of every training sample.
    pub count: u32,
    /// The probability that each level-1 bit of a copy is flipped.
    pub flip: f64,
}

/// A data file a model reads (`from "PATH"`): the path as written and the SHA-256 (hex)
/// of its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataFile {
    /// The path as written.
    pub path: String,
    /// The SHA-256 (hex) of its bytes.
    pub sha256: String,
}

/// A level of feature nodes: nodes `first .. first + len`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// The level's name.
    pub name: String,
    /// Its first node.
    pub first: NodeId,
    /// How many nodes it has.
    pub len: u32,
}

impl Level {
    /// The ids of its nodes.
    pub fn node_ids(&self) -> std::ops::Range<NodeId> {
        self.first..self.first + self.len
    }
}

/// A feature node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Held inline up to 23 bytes (no heap block per node; see `syntax::ast::Ident`).
    pub name: SmolStr,
    /// Index into `Ir::levels` (0 = input level).
    pub level: u32,
    /// `None` for input nodes; the firing rule for middle nodes.
    pub gate: Option<Gate>,
}

/// The firing rule of a middle node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    /// How many children must fire.
    pub kind: GateKind,
    /// Children in the order written; all in the preceding level, no repeats.
    pub children: ChildIds,
}

/// How many children make a middle node fire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GateKind {
    /// `any`: one child.
    Any,
    /// `all`: every child.
    All,
    /// `atleast k`: at least `k` children fire.
    AtLeast {
        /// How many children must fire.
        k: u32,
    },
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

/// A class (a node of the last level).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Class {
    /// The class's name.
    pub name: String,
    /// Edges `first_edge .. first_edge + n_edges` of `Ir::edges` end in this class.
    pub first_edge: EdgeId,
    /// How many class edges end in it.
    pub n_edges: u32,
}

impl Class {
    /// The ids of the edges that end in it.
    pub fn edge_ids(&self) -> std::ops::Range<EdgeId> {
        self.first_edge..self.first_edge + self.n_edges
    }
}

/// A class edge `from -> to` carrying `eta[from, to]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    /// The feature node the edge starts at.
    pub from: NodeId,
    /// The class it ends in.
    pub to: ClassId,
}

/// Initial-value distributions, resolved per node and per edge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Init {
    /// The distribution of each node's initial `lambda`.
    pub lambda: PerEntry<Dist>,
    /// The distribution of each class edge's initial `eta`.
    pub eta: PerEntry<Dist>,
}

/// A distribution of initial values.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case")]
pub enum Dist {
    /// `const v`: always `value`.
    Const {
        /// The value.
        value: f64,
    },
    /// `0 <= a <= b`
    Uniform {
        /// The lower bound.
        a: f64,
        /// The upper bound.
        b: f64,
    },
    /// Draws are clipped at 0.
    Normal {
        /// The mean.
        mu: f64,
        /// The standard deviation.
        sigma: f64,
    },
    /// `lognormal mu sigma`: `e^X` with `X` normal.
    LogNormal {
        /// The mean of `X`.
        mu: f64,
        /// The standard deviation of `X`.
        sigma: f64,
    },
}

/// One update function `g+` or `g-`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Update {
    /// `x * factor`
    Mul {
        /// The factor.
        factor: f64,
    },
    /// `x + amount`
    Add {
        /// The amount added.
        amount: f64,
    },
    /// `max(x - amount, 0)`
    Sub {
        /// The amount taken off.
        amount: f64,
    },
    /// `x`
    Keep,
    /// `mul factor by error`: `x * factor^e`, with `e` the batch's mean error `1 - p_label`
    /// from the state before the step.
    MulByError {
        /// The factor at an error of 1.
        factor: f64,
    },
    /// `add amount by error`: `x + e * amount`.
    AddByError {
        /// The amount added at an error of 1.
        amount: f64,
    },
    /// `sub amount by error`: `max(x - e * amount, 0)`.
    SubByError {
        /// The amount taken off at an error of 1.
        amount: f64,
    },
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

/// The data samples and the noise applied to them in training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Data {
    /// The samples, in the order written.
    pub samples: Vec<Sample>,
    /// Probability that each level-1 bit of a drawn training sample flips.
    pub noise_flip: f64,
}

/// A labelled data sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The sample's name.
    pub name: String,
    /// Firing input nodes, ascending, no repeats.
    pub input: Vec<NodeId>,
    /// The class it is labelled with.
    pub label: ClassId,
    /// How often training draws it, relative to the other samples (`weight`).
    pub weight: f64,
}

/// Which class edges co-fire in a training step (`eta update`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EtaUpdate {
    /// Edge co-fires when both ends are in the union of the batch's pathways.
    Union,
    /// Edge co-fires when one sample has `from` in its pathway and label `to`.
    Sample,
}

/// How a training step draws its batch (`sampler`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampler {
    /// `replace`: each sample drawn independently, by weight, with replacement.
    Replace,
    /// `shuffle`: the data shuffled each epoch and taken in turn.
    Shuffle,
    /// `cycle`: the samples taken in the order written.
    Cycle,
}

/// The training schedule (`train { }`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Train {
    /// The seed of the run's random stream.
    pub seed: u64,
    /// Which class edges co-fire in a step.
    pub eta_update: EtaUpdate,
    /// How batches are drawn.
    pub sampler: Sampler,
    /// The phases, run in order.
    pub phases: Vec<Phase>,
    /// What to record during training (`record every N { }`), if anything.
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

/// A phase of the schedule (`phase NAME { }`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    /// The phase's name.
    pub name: String,
    /// How many steps it runs.
    pub steps: u64,
    /// How many samples each step draws.
    pub batch: u64,
    /// File-level rules with this phase's overrides applied.
    pub rules: RuleSet,
    /// `frozen_levels[l]`: level `l`'s lambda is held fixed in this phase.
    pub frozen_levels: Vec<bool>,
    /// `freeze eta`: class edges are held fixed in this phase.
    pub freeze_eta: bool,
}

/// What a run records (`record every N { }`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Record after every this many steps.
    pub every: u64,
    /// The quantities recorded.
    pub quantities: Vec<Quantity>,
}

/// A quantity a run can record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// Every `lambda`.
    Lambda,
    /// Every `eta`.
    Eta,
    /// The accuracy on the data samples.
    Accuracy,
    /// The logits of every data sample.
    Logits,
    /// The information-plane coordinates of the data.
    InfoPlane,
    /// Cross-entropy of the data samples.
    Loss,
    /// The accuracy on the test samples.
    TestAccuracy,
    /// Cross-entropy of the test samples.
    TestLoss,
}

impl Quantity {
    /// Every quantity with the word that names it in a file.
    pub const ALL: [(&'static str, Quantity); 8] = [
        ("lambda", Quantity::Lambda),
        ("eta", Quantity::Eta),
        ("accuracy", Quantity::Accuracy),
        ("logits", Quantity::Logits),
        ("info_plane", Quantity::InfoPlane),
        ("loss", Quantity::Loss),
        ("test_accuracy", Quantity::TestAccuracy),
        ("test_loss", Quantity::TestLoss),
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
    /// Whether the file has no expectations.
    pub fn is_empty(&self) -> bool {
        self.initial.is_empty() && self.trained.is_empty()
    }

    /// How many expectations the file has, initial and trained.
    pub fn len(&self) -> usize {
        self.initial.len() + self.trained.len()
    }
}

/// One expectation line, resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Expectation {
    /// What it checks.
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
        /// The input predicted.
        input: ExpectInput,
        /// The class expected.
        class: Option<ClassId>,
    },
    /// `pathway X has N...` (`fires`) / `pathway X lacks N...`.
    Pathway {
        /// The input fired.
        input: ExpectInput,
        /// `has` (the nodes fire) or `lacks` (they do not).
        fires: bool,
        /// The nodes named.
        nodes: Vec<NodeId>,
    },
    /// `p X C OP v`
    P {
        /// The input.
        input: ExpectInput,
        /// The class whose probability is compared.
        class: ClassId,
        /// The comparison.
        compare: Compare,
    },
    /// `le X Y OP v`, the base `X` stepped with `label`.
    Le {
        /// The input the step is taken on.
        base: ExpectInput,
        /// The label the step is taken with.
        label: ClassId,
        /// The input whose change is measured.
        test: ExpectInput,
        /// The comparison.
        compare: Compare,
    },
    /// `lambda N OP v` (`ln`: `ln lambda N OP v`)
    Lambda {
        /// The node.
        node: NodeId,
        /// Whether `ln lambda` is compared rather than `lambda`.
        ln: bool,
        /// The comparison.
        compare: Compare,
    },
    /// `eta F->C OP v` (`ln`: `ln eta F->C OP v`)
    Eta {
        /// The edge.
        edge: EdgeId,
        /// Whether `ln eta` is compared rather than `eta`.
        ln: bool,
        /// The comparison.
        compare: Compare,
    },
    /// `logit X C OP v`
    Logit {
        /// The input.
        input: ExpectInput,
        /// The class whose logit is compared.
        class: ClassId,
        /// The comparison.
        compare: Compare,
    },
    /// `accuracy OP v` (unweighted share of data samples predicted as their label)
    Accuracy {
        /// The comparison the accuracy must pass.
        compare: Compare,
    },
    /// `loss OP v` (mean `-ln p_label` over the data samples)
    Loss {
        /// The comparison the loss must pass.
        compare: Compare,
    },
    /// `test accuracy OP v`
    TestAccuracy {
        /// The comparison the test accuracy must pass.
        compare: Compare,
    },
    /// `test loss OP v`
    TestLoss {
        /// The comparison the test loss must pass.
        compare: Compare,
    },
}

/// The input of an expectation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectInput {
    /// A data sample, by index into `Data::samples`.
    Sample(u32),
    /// A held-out sample (written in the `test` block or read from its files), by index
    /// into `TestSet::samples`.
    TestSample(u32),
    /// Firing input nodes, ascending, no repeats.
    Pattern(Vec<NodeId>),
}

/// `OP value`, or `= value within tolerance`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Compare {
    /// The comparison operator.
    pub op: CmpOp,
    /// The value compared with.
    pub value: f64,
    /// Only with `=`: `|actual - value| <= within`. `=` without it is 1e-9 relative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<f64>,
}

/// A comparison operator of an expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CmpOp {
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
    /// `=` (within a tolerance)
    #[serde(rename = "=")]
    Eq,
}

impl CmpOp {
    /// The operator as written in a file.
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

    /// The model's size as every front end says it: `L levels, N nodes (C classes)`.
    /// `L` counts the class level and `N` counts the classes, because the language numbers
    /// the classes as level `L` and a class is a node of that level (it has a `lambda` and
    /// parents like any other); the parenthesis says how many of the nodes are classes.
    pub fn size_summary(&self) -> String {
        let classes = self.classes.len();
        format!(
            "{} levels, {} nodes ({} class{})",
            self.n_levels(),
            self.nodes.len() + classes,
            classes,
            if classes == 1 { "" } else { "es" }
        )
    }

    /// The rules the local-elasticity step uses: the last phase's, or the
    /// file-level ones when there is no training schedule.
    pub fn le_rules(&self) -> (&RuleSet, Option<&Phase>) {
        match self.train.as_ref().and_then(|t| t.phases.last()) {
            Some(phase) => (&phase.rules, Some(phase)),
            None => (&self.rules, None),
        }
    }

    /// The id of the feature node named `name`, if there is one.
    pub fn node_index(&self, name: &str) -> Option<NodeId> {
        self.nodes
            .iter()
            .position(|n| n.name == name)
            .map(|i| i as NodeId)
    }

    /// The id of the class named `name`, if there is one.
    pub fn class_index(&self, name: &str) -> Option<ClassId> {
        self.classes
            .iter()
            .position(|c| c.name == name)
            .map(|i| i as ClassId)
    }

    /// The index of the data sample named `name`, if there is one.
    pub fn sample_index(&self, name: &str) -> Option<usize> {
        self.data.samples.iter().position(|s| s.name == name)
    }

    /// The index of the feature level named `name`, if there is one.
    pub fn level_index(&self, name: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.name == name)
    }
}
