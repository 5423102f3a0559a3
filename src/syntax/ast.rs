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
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct File {
    pub model: Model,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Model {
    pub name: Ident,
    /// `model NAME` — the header, for labels that speak of the model as a whole.
    pub header: Span,
    pub items: Vec<ModelItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ModelItem {
    Level(LevelDecl),
    Classes(ClassesDecl),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LevelDecl {
    pub name: Ident,
    /// `level NAME`
    pub header: Span,
    pub nodes: Vec<NodeDecl>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeDecl {
    pub name: Ident,
    /// `None` for a bare name (input nodes); `Some` for `name = rule`.
    pub gate: Option<Gate>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gate {
    pub kind: GateKind,
    pub children: Vec<Ident>,
    /// The whole rule, `any(...)` / `atleast k of (...)`.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum GateKind {
    Any,
    All,
    AtLeast(IntLit),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassesDecl {
    /// The `classes` keyword.
    pub header: Span,
    pub classes: Vec<ClassDecl>,
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
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InitBlock {
    /// The `init` keyword.
    pub header: Span,
    pub items: Vec<InitItem>,
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
    /// `by error`: the step is scaled by the batch's mean error (SPEC 3).
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
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum DataItem {
    Sample(SampleDecl),
    /// `noise flip q`
    NoiseFlip {
        value: Expr,
        span: Span,
    },
}

/// `name: e1 e2 -> c1 weight 2`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SampleDecl {
    pub name: Ident,
    pub inputs: Vec<Ident>,
    pub label: Ident,
    pub weight: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrainBlock {
    pub header: Span,
    pub items: Vec<TrainItem>,
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
    /// `accuracy OP v`
    Accuracy { compare: Comparison },
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
