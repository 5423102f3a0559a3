//! The abstract syntax tree: what the file says, with a byte span on every piece.
//!
//! Nothing here is checked beyond the grammar: names are not resolved, numbers are
//! not evaluated. `check` turns this into the IR.

use serde::Serialize;
pub use smol_str::SmolStr;

pub use crate::span::Span;

/// A name as written, with where it was written. Names of up to 23 bytes (every name
/// `nshed gen` writes) are held inline: a generated 10^6-node model has about five
/// million of them, and a heap string each would cost about 32 bytes more apiece.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ident {
    pub name: SmolStr,
    pub span: Span,
}

/// A non-negative integer literal (`steps`, `batch`, `seed`, `k`, `every`).
/// `value` is `None` when the digits do not fit in `u64`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IntLit {
    pub value: Option<u64>,
    /// The digits as written (inline, like [`Ident`]'s name, for literals up to 23 digits).
    pub text: SmolStr,
    pub span: Span,
}

/// A number expression: literals, `+ - * / ^`, unary minus, parentheses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Expr {
    /// A decimal literal; `value` is Rust's reading of `text` (may be `inf` for huge literals).
    Num {
        value: f64,
        text: String,
        span: Span,
    },
    Neg {
        operand: Box<Expr>,
        span: Span,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        span: Span,
    },
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Num { span, .. } | Expr::Neg { span, .. } | Expr::Binary { span, .. } => *span,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

/// A whole `.nshed` file: the model, then the optional blocks in the order written.
///
/// The tolerant parser (`syntax::parse`) returns a file even when parts of it do not
/// parse: a statement that does not parse is left out of its block, and its text is
/// listed in the `broken` spans of the block (or level, phase, model, file) it was in,
/// with its syntax error among the parse's errors. A block whose `}` is missing ends
/// where the next block starts. So a consumer can tell a part that is missing from one
/// that was never written, and work on the rest; in a file that parses, every `broken`
/// is empty.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct File {
    pub model: Model,
    pub blocks: Vec<Block>,
    /// Text between the blocks that is no block.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broken: Vec<Span>,
}

impl File {
    /// Whether some part of the file did not parse (a `broken` span anywhere).
    pub fn is_partial(&self) -> bool {
        let model = &self.model;
        !self.broken.is_empty()
            || !model.broken.is_empty()
            || model.items.iter().any(|item| match item {
                ModelItem::Level(l) => !l.broken.is_empty(),
                ModelItem::Classes(c) => !c.broken.is_empty(),
            })
            || self.blocks.iter().any(|block| match block {
                Block::Init(b) => !b.broken.is_empty(),
                Block::Rules(b) => !b.broken.is_empty(),
                Block::Data(b) => !b.broken.is_empty(),
                Block::Train(b) => {
                    !b.broken.is_empty()
                        || b.items
                            .iter()
                            .any(|i| matches!(i, TrainItem::Phase(p) if !p.broken.is_empty()))
                }
                Block::Expect(b) => !b.broken.is_empty(),
                Block::Test(b) => !b.broken.is_empty(),
            })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Model {
    pub name: Ident,
    /// `model NAME` — the header, for labels that speak of the model as a whole.
    pub header: Span,
    pub items: Vec<ModelItem>,
    /// Statements here that did not parse (see [`File::broken`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broken: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ModelItem {
    Level(LevelDecl),
    Classes(ClassesDecl),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LevelDecl {
    pub name: Ident,
    /// `level NAME`
    pub header: Span,
    pub nodes: Vec<NodeDecl>,
    /// The nodes' names, in order: node `i` of `nodes` is named `names.get(i)`.
    pub names: NameList,
    /// The children of every rule of the level, rule after rule; each [`Gate`]'s
    /// `children` is a range of this list.
    pub children: NameList,
    /// Node declarations that did not parse (see [`File::broken`]).
    pub broken: Vec<Span>,
}

impl LevelDecl {
    /// Each node with its name, in order.
    pub fn named_nodes(&self) -> impl Iterator<Item = (Name<'_>, &NodeDecl)> {
        self.names.iter().zip(&self.nodes)
    }
}

/// The JSON of a level is the same as if each rule held its children: `nodes`, each
/// with its `gate` and the gate's `children` as names with spans.
impl Serialize for LevelDecl {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename = "LevelDecl")]
        struct Level<'a> {
            name: &'a Ident,
            header: Span,
            nodes: Vec<Node<'a>>,
        }
        #[derive(Serialize)]
        #[serde(rename = "NodeDecl")]
        struct Node<'a> {
            name: Ident,
            gate: Option<Rule<'a>>,
        }
        #[derive(Serialize)]
        #[serde(rename = "Gate")]
        struct Rule<'a> {
            kind: &'a GateKind,
            children: Vec<Ident>,
            span: Span,
        }
        Level {
            name: &self.name,
            header: self.header,
            nodes: self
                .named_nodes()
                .map(|(name, node)| Node {
                    name: name.to_ident(),
                    gate: node.gate.as_ref().map(|gate| Rule {
                        kind: &gate.kind,
                        children: self
                            .children
                            .of(gate.children)
                            .map(Name::to_ident)
                            .collect(),
                        span: gate.span(),
                    }),
                })
                .collect(),
        }
        .serialize(serializer)
    }
}

/// A node: its name is in its level's [`LevelDecl::names`], at the same position.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeDecl {
    /// `None` for a bare name (input nodes); `Some` for `name = rule`.
    pub gate: Option<Gate>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gate {
    pub kind: GateKind,
    /// Where the children are in the level's [`LevelDecl::children`].
    pub children: Children,
    /// The whole rule, `any(...)` / `atleast k of (...)`, as its start and end (a
    /// source is under 4 GiB): see [`Gate::span`].
    span: [u32; 2],
}

impl Gate {
    pub fn new(kind: GateKind, children: Children, span: Span) -> Gate {
        let at = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        Gate {
            kind,
            children,
            span: [at(span.start), at(span.end)],
        }
    }

    /// The whole rule, `any(...)` / `atleast k of (...)`.
    pub fn span(&self) -> Span {
        Span::new(self.span[0] as usize, self.span[1] as usize)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum GateKind {
    Any,
    All,
    AtLeast(AtLeastK),
}

/// The `k` of `atleast k of (...)`. Written as plain digits (no leading zero, below
/// 2^32, as nearly every `k` is) it is held in 8 bytes: its value and where it starts;
/// any other literal is boxed. A large model of `atleast` rules so costs 8 bytes a rule
/// for its `k` instead of a 48-byte literal on the heap.
#[derive(Clone, Debug, PartialEq)]
pub struct AtLeastK(KRepr);

#[derive(Clone, Debug, PartialEq)]
enum KRepr {
    Plain { value: u32, start: u32 },
    Written(Box<IntLit>),
}

impl AtLeastK {
    pub fn new(lit: IntLit) -> AtLeastK {
        let plain = lit
            .value
            .and_then(|v| u32::try_from(v).ok())
            .zip(u32::try_from(lit.span.start).ok())
            .filter(|&(v, start)| {
                let digits = v.to_string();
                lit.text == digits.as_str() && lit.span.end == start as usize + digits.len()
            });
        AtLeastK(match plain {
            Some((value, start)) => KRepr::Plain { value, start },
            None => KRepr::Written(Box::new(lit)),
        })
    }

    /// Its value (`None` when the digits do not fit in `u64`), without building its text.
    pub fn value(&self) -> Option<u64> {
        match &self.0 {
            KRepr::Plain { value, .. } => Some(u64::from(*value)),
            KRepr::Written(lit) => lit.value,
        }
    }

    /// Where it is written.
    pub fn span(&self) -> Span {
        match &self.0 {
            KRepr::Plain { value, start } => {
                let start = *start as usize;
                let digits = value.checked_ilog10().map_or(1, |d| d as usize + 1);
                Span::new(start, start + digits)
            }
            KRepr::Written(lit) => lit.span,
        }
    }

    /// The literal as written.
    pub fn lit(&self) -> IntLit {
        match &self.0 {
            KRepr::Plain { value, .. } => IntLit {
                value: self.value(),
                text: SmolStr::new(value.to_string()),
                span: self.span(),
            },
            KRepr::Written(lit) => (**lit).clone(),
        }
    }
}

/// Written as the literal it stands for.
impl Serialize for AtLeastK {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.lit().serialize(s)
    }
}

/// A rule's children: `len` names from number `first` of its level's [`NameList`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Children {
    pub first: u32,
    pub len: u32,
}

impl Children {
    /// Names `first .. end` of a list.
    ///
    /// # Panics
    /// When a list holds 4 billion names (sources are at most 1 GiB).
    pub fn of_list(first: usize, end: usize) -> Children {
        Children {
            first: u32::try_from(first).expect("fewer than 4 billion names"),
            len: u32::try_from(end - first).expect("fewer than 4 billion names"),
        }
    }

    pub fn len(self) -> usize {
        self.len as usize
    }

    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// Index in the level's list of child number `i` of this rule.
    pub fn index(self, i: usize) -> usize {
        self.first as usize + i
    }
}

/// Names as written, held compactly: a large model's rules name millions of children, and
/// an [`Ident`] each (40 bytes, plus a list per rule) was most of its syntax tree. Here a
/// name costs 8 bytes and its text. A name's span is as long as its text (an identifier
/// is written as it is named), so only its start is kept.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NameList {
    /// The names' text, one after another.
    text: String,
    /// Per name: where its text ends in `text` and where it starts in the source.
    names: Vec<[u32; 2]>,
}

/// One name of a [`NameList`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Name<'a> {
    pub name: &'a str,
    pub span: Span,
}

impl Name<'_> {
    pub fn to_ident(self) -> Ident {
        Ident {
            name: SmolStr::new(self.name),
            span: self.span,
        }
    }
}

impl NameList {
    /// Appends `name`, written at `span` (as long as the name: see [`NameList`]).
    ///
    /// # Panics
    /// When the text or a span goes past 4 GiB (sources are at most 1 GiB).
    pub fn push(&mut self, name: &str, span: Span) {
        debug_assert_eq!(span.len(), name.len(), "a name's span is its text");
        self.text.push_str(name);
        let end = u32::try_from(self.text.len()).expect("names of a source under 4 GiB");
        let start = u32::try_from(span.start).expect("a source under 4 GiB");
        self.names.push([end, start]);
    }

    /// Appends `names` and returns where they are.
    pub fn push_all<'n>(&mut self, names: impl IntoIterator<Item = &'n Ident>) -> Children {
        let first = self.names.len();
        for name in names {
            self.push(&name.name, name.span);
        }
        Children::of_list(first, self.names.len())
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Name number `i`.
    pub fn get(&self, i: usize) -> Option<Name<'_>> {
        let [end, start] = *self.names.get(i)?;
        let from = match i.checked_sub(1) {
            Some(before) => self.names.get(before).map_or(0, |n| n[0] as usize),
            None => 0,
        };
        let name = self.text.get(from..end as usize)?;
        let start = start as usize;
        Some(Name {
            name,
            span: Span::new(start, start + name.len()),
        })
    }

    /// Every name, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Name<'_>> + Clone {
        self.of(Children {
            first: 0,
            len: u32::try_from(self.len()).unwrap_or(u32::MAX),
        })
    }

    /// The names of `children`, in order.
    pub fn of(&self, children: Children) -> impl ExactSizeIterator<Item = Name<'_>> + Clone {
        let first = children.first as usize;
        (first..first + children.len()).map(|i| {
            self.get(i).unwrap_or(Name {
                name: "",
                span: Span::default(),
            })
        })
    }

    /// Keeps the first `len` names.
    pub fn truncate(&mut self, len: usize) {
        if len < self.names.len() {
            let text_end = len.checked_sub(1).map_or(0, |i| self.names[i][0] as usize);
            self.names.truncate(len);
            self.text.truncate(text_end);
        }
    }

    /// Gives back the room growth left unused.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.names.shrink_to_fit();
    }
}

impl FromIterator<Ident> for NameList {
    fn from_iter<I: IntoIterator<Item = Ident>>(iter: I) -> Self {
        let mut list = NameList::default();
        for name in iter {
            list.push(&name.name, name.span);
        }
        list.shrink_to_fit();
        list
    }
}

/// Written as the list of names with their spans, as a `Vec<Ident>` is.
impl Serialize for NameList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Name::to_ident))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassesDecl {
    /// The `classes` keyword.
    pub header: Span,
    pub classes: Vec<ClassDecl>,
    /// Statements here that did not parse (see [`File::broken`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broken: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassDecl {
    pub name: Ident,
    /// Parents as written after `<-` (may be empty: `c1` alone or `c1 <-`).
    pub parents: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Block {
    Init(InitBlock),
    Rules(RulesBlock),
    Data(DataBlock),
    Train(TrainBlock),
    Expect(ExpectBlock),
    Test(TestBlock),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InitBlock {
    /// The `init` keyword.
    pub header: Span,
    pub items: Vec<InitItem>,
    /// Statements here that did not parse (see [`File::broken`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broken: Vec<Span>,
}

/// `lambda = D`, `lambda NODE = D`, `lambda level L = D`, `eta = D`, `eta F->C = D`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InitItem {
    pub target: Target,
    pub dist: Dist,
    pub span: Span,
}

/// What a rule or an init line applies to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Target {
    /// `lambda = ...`, `grow = ...`: every node (and, for rules, every edge).
    All,
    /// `grow NODE`, `lambda NODE`.
    Node(Ident),
    /// `grow level NAME`, `lambda level NAME`.
    Level(Ident),
    /// `grow eta`, `eta = ...`: every class edge.
    AllEdges,
    /// `grow eta F->C`, `eta F->C`.
    Edge { from: Ident, to: Ident },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dist {
    pub kind: DistKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum DistKind {
    Const(Expr),
    Uniform(Expr, Expr),
    Normal(Expr, Expr),
    LogNormal(Expr, Expr),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RulesBlock {
    pub header: Span,
    pub items: Vec<RuleItem>,
    /// Statements here that did not parse (see [`File::broken`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broken: Vec<Span>,
}

/// A statement that may appear in `rules { }` and in a `phase { }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum RuleItem {
    /// `grow T1 = shrink T2 = ... = UPDATE` (usually one target).
    Update(RuleStmt),
    /// `jitter = s`
    Jitter { value: Expr, span: Span },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleStmt {
    pub targets: Vec<RuleTarget>,
    pub update: Update,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleTarget {
    pub direction: Direction,
    pub target: Target,
    /// `grow level parts`
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Direction {
    Grow,
    Shrink,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Update {
    pub kind: UpdateKind,
    /// `by error`: the step is scaled by the batch's mean error.
    pub by_error: Option<Span>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum UpdateKind {
    Mul(Expr),
    Add(Expr),
    Sub(Expr),
    Keep,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DataBlock {
    pub header: Span,
    pub items: Vec<DataItem>,
    /// Statements here that did not parse (see [`File::broken`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broken: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum DataItem {
    Sample(SampleDecl),
    /// `noise flip q`
    NoiseFlip {
        value: Expr,
        span: Span,
    },
    /// `from "FILE.csv"`: samples read from a file.
    From(FromFile),
}

/// `from "PATH"`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FromFile {
    pub path: StringLit,
    pub span: Span,
}

/// A string literal: `value` is the text between the quotes, `span` includes them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StringLit {
    pub value: String,
    pub span: Span,
}

/// `test { ... }`: held-out samples, never trained on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestBlock {
    /// The `test` keyword.
    pub header: Span,
    pub items: Vec<TestItem>,
    /// Statements here that did not parse (see [`File::broken`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broken: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum TestItem {
    /// `name: e1 e2 -> c1` (never with a weight).
    Sample(SampleDecl),
    /// `from "FILE.csv"`
    From(FromFile),
    /// `copies N flip q`: `N` noisy copies of every training sample.
    Copies {
        count: IntLit,
        flip: Expr,
        span: Span,
    },
}

/// `name: e1 e2 -> c1 weight 2`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SampleDecl {
    pub name: Ident,
    /// Held as a [`NameList`]: a large model's samples name hundreds of thousands of
    /// inputs.
    pub inputs: NameList,
    pub label: Ident,
    pub weight: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrainBlock {
    pub header: Span,
    pub items: Vec<TrainItem>,
    /// Statements here that did not parse (see [`File::broken`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broken: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum TrainItem {
    Seed {
        value: IntLit,
        span: Span,
    },
    /// `eta_update union|sample`; the word is checked by `check`.
    EtaUpdate {
        mode: Ident,
        span: Span,
    },
    /// `sampler replace|shuffle|cycle`; the word is checked by `check`.
    Sampler {
        kind: Ident,
        span: Span,
    },
    Phase(PhaseDecl),
    Record(RecordDecl),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhaseDecl {
    pub name: Ident,
    /// `phase NAME`
    pub header: Span,
    pub items: Vec<PhaseItem>,
    /// Statements here that did not parse (see [`File::broken`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broken: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum PhaseItem {
    Steps {
        value: IntLit,
        span: Span,
    },
    Batch {
        value: IntLit,
        span: Span,
    },
    Rule(RuleItem),
    /// `freeze L1, L2` — level names, or `eta` for the class edges.
    Freeze {
        levels: Vec<Ident>,
        span: Span,
    },
    /// An init line inside a phase: parsed so that `check` can say why it is not allowed.
    Init(InitItem),
}

/// `record every N { lambda eta accuracy ... }`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordDecl {
    pub every: IntLit,
    pub quantities: Vec<Ident>,
    pub span: Span,
}

/// `expect { ... }` (checked at the trained state) or `expect initial { ... }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExpectBlock {
    /// `expect` or `expect initial`.
    pub header: Span,
    pub initial: bool,
    pub items: Vec<Expectation>,
    /// Statements here that did not parse (see [`File::broken`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broken: Vec<Span>,
}

/// One expectation line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expectation {
    pub kind: ExpectKind,
    /// The expectation's text, without the blanks and comments after it.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ExpectKind {
    /// `predict X is C`; `class` is `None` for `is none`.
    Predict {
        input: ExpectInput,
        class: Option<Ident>,
    },
    /// `pathway X has N...` (`fires`) or `pathway X lacks N...`.
    Pathway {
        input: ExpectInput,
        fires: bool,
        nodes: Vec<Ident>,
    },
    /// `p X C OP v`
    P {
        input: ExpectInput,
        class: Ident,
        compare: Comparison,
    },
    /// `le X Y OP v`; a pattern base carries its label: `le {e1 e2} -> c1 Y ...`.
    Le {
        base: ExpectInput,
        label: Option<Ident>,
        test: ExpectInput,
        compare: Comparison,
    },
    /// `lambda N OP v`, `ln lambda N OP v`
    Lambda {
        ln: bool,
        node: Ident,
        compare: Comparison,
    },
    /// `eta F->C OP v`, `ln eta F->C OP v`
    Eta {
        ln: bool,
        from: Ident,
        to: Ident,
        compare: Comparison,
    },
    /// `logit X C OP v`
    Logit {
        input: ExpectInput,
        class: Ident,
        compare: Comparison,
    },
    /// `accuracy OP v`, `loss OP v`, and on the test samples `test accuracy OP v`,
    /// `test loss OP v`.
    Score {
        test: bool,
        metric: Metric,
        compare: Comparison,
    },
}

/// What a [`ExpectKind::Score`] measures over a set of samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Metric {
    Accuracy,
    Loss,
}

/// The input of an expectation: a data sample's name or a pattern `{e1 e2}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ExpectInput {
    Sample(Ident),
    Pattern { nodes: Vec<Ident>, span: Span },
}

impl ExpectInput {
    pub fn span(&self) -> Span {
        match self {
            ExpectInput::Sample(name) => name.span,
            ExpectInput::Pattern { span, .. } => *span,
        }
    }
}

/// `OP v` or `= v within tol`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub op: Operator,
    pub value: Expr,
    pub within: Option<Within>,
}

/// `<`, `<=`, `>`, `>=` or `=`, where it is written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Operator {
    pub kind: CmpOp,
    pub span: Span,
}

/// `within tol`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Within {
    /// The `within` keyword.
    pub header: Span,
    pub tolerance: Expr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl CmpOp {
    /// The operator as written (`<`, `<=`, ...), or `None` for other text.
    pub fn from_text(text: &str) -> Option<CmpOp> {
        match text {
            "<" => Some(CmpOp::Lt),
            "<=" => Some(CmpOp::Le),
            ">" => Some(CmpOp::Gt),
            ">=" => Some(CmpOp::Ge),
            "=" => Some(CmpOp::Eq),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generated 10^6-node model holds a million of these and four million children:
    /// a regression in their size is a regression in memory per node.
    #[test]
    fn the_types_of_a_large_model_stay_small() {
        assert_eq!(std::mem::size_of::<Ident>(), 40);
        assert_eq!(std::mem::size_of::<GateKind>(), 16);
        assert_eq!(std::mem::size_of::<AtLeastK>(), 16);
        assert_eq!(std::mem::size_of::<Children>(), 8);
        assert_eq!(std::mem::size_of::<Gate>(), 32);
        assert_eq!(std::mem::size_of::<NodeDecl>(), 32);
    }

    #[test]
    fn an_atleast_k_gives_back_the_literal_as_written() {
        let lit = |value: Option<u64>, text: &str, start: usize| IntLit {
            value,
            text: SmolStr::new(text),
            span: Span::new(start, start + text.len()),
        };
        for (written, plain) in [
            (lit(Some(3), "3", 40), true),
            (lit(Some(0), "0", 1), true),
            (lit(Some(10), "10", 2), true),
            (lit(Some(4_294_967_295), "4294967295", 3), true),
            (lit(Some(7), "007", 12), false),
            (lit(Some(5_000_000_000), "5000000000", 0), false),
            (lit(None, "99999999999999999999999", 5), false),
            (lit(Some(12), "12", usize::MAX - 2), false),
        ] {
            let k = AtLeastK::new(written.clone());
            assert_eq!(k.lit(), written);
            assert_eq!((k.value(), k.span()), (written.value, written.span));
            assert_eq!(matches!(k.0, KRepr::Plain { .. }), plain, "{written:?}");
        }
    }

    #[test]
    fn a_name_list_costs_eight_bytes_and_its_text_a_name() {
        let mut list = NameList::default();
        let a = list.push_all(&[
            Ident {
                name: "x1".into(),
                span: Span::new(10, 12),
            },
            Ident {
                name: "x22".into(),
                span: Span::new(14, 17),
            },
        ]);
        let empty = list.push_all(&[]);
        let b = list.push_all(&[Ident {
            name: "h2_7".into(),
            span: Span::new(30, 34),
        }]);
        assert_eq!((a.first, a.len, empty.first, empty.len), (0, 2, 2, 0));
        assert_eq!((b.first, b.len, b.index(0)), (2, 1, 2));
        let names: Vec<(&str, Span)> = list.of(a).map(|n| (n.name, n.span)).collect();
        assert_eq!(
            names,
            [("x1", Span::new(10, 12)), ("x22", Span::new(14, 17))]
        );
        assert_eq!(list.of(empty).count(), 0);
        let h = list.get(2).expect("third name");
        assert_eq!((h.name, h.span), ("h2_7", Span::new(30, 34)));
        assert_eq!(h.to_ident().name, "h2_7");
        assert_eq!(list.get(3), None);
        assert_eq!(list.len(), 3);
        let all: Vec<&str> = list.iter().map(|n| n.name).collect();
        assert_eq!(all, ["x1", "x22", "h2_7"]);
        list.shrink_to_fit();
        assert_eq!(list.text.capacity(), "x1x22h2_7".len());
        assert_eq!(list.names.capacity() * std::mem::size_of::<[u32; 2]>(), 24);
    }
}

#[cfg(test)]
mod json {
    /// The JSON of a level names each rule's children with their spans, as when every
    /// rule held its own list.
    #[test]
    fn a_level_serialises_with_each_rules_children() {
        let text = "model m { level a { x y } level b { h = any(x, y) } classes { k <- h } }";
        let file = crate::syntax::parse_file(text).expect("parses");
        let json = serde_json::to_value(&file.model.items[1]).expect("serialises");
        let x = text.find("any(x").expect("rule") + 4;
        assert_eq!(
            json["Level"]["nodes"][0]["gate"],
            serde_json::json!({
                "kind": "Any",
                "children": [
                    {"name": "x", "span": {"start": x, "end": x + 1}},
                    {"name": "y", "span": {"start": x + 3, "end": x + 4}},
                ],
                "span": {"start": x - 4, "end": x + 5},
            })
        );
        assert_eq!(json["Level"]["nodes"][0]["name"]["name"], "h");
        assert_eq!(json["Level"].as_object().map(|o| o.len()), Some(3));
    }
}
