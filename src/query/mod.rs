//! Queries on a model state: `pathway X`, `scores X`, `predict X`, `le X Y`,
//! `le-matrix`, and the metrics `accuracy`, `loss` (of the data, or with `test` of the
//! test set). `X` is a data sample's name or a pattern `{e1 e2}` of input nodes,
//! optionally labelled `{e1 e2}->c1` (the base of `le` needs a label).
//!
//! Shared by `nshed query` and the REPL: `parse_query` resolves names and reports
//! problems labelled into the query text; `answer` computes a serialisable `Answer`
//! whose `Display` is the human form.

mod answer;
pub mod names;
mod parse;

pub use answer::{answer, Answer, ClassValue, InputDesc, LevelFiring, NodeScore};
pub use names::{class_named, edge_named, factor, node_named, pattern_text};
pub use parse::{did_you_mean, parse_batch, parse_input, parse_query, COMMANDS};

use crate::ir::{ClassId, NodeId};
use crate::syntax::ast::Span;

/// A parsed and resolved query.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// Which query, with its inputs.
    pub kind: QueryKind,
    /// The whole query text.
    pub span: Span,
}

/// The five queries.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryKind {
    /// `pathway X`: the nodes that fire, level by level.
    Pathway(Input),
    /// `scores X`: every node's score and every class's logit and probability.
    Scores(Input),
    /// `predict X`: the predicted class and its probability.
    Predict(Input),
    /// `base` always has a label.
    Le {
        /// The labelled input the step is taken on.
        base: Input,
        /// The input whose change is measured.
        test: Input,
    },
    /// `le-matrix`: the local elasticity of every pair of data samples, and its means per pair of classes.
    LeMatrix,
    /// `accuracy`, `loss`, `accuracy test`, `loss test`: a metric of the data or (`test`)
    /// of the test set.
    Score {
        /// Accuracy or loss.
        metric: crate::syntax::ast::Metric,
        /// Of the test set (else of the data).
        test: bool,
    },
}

/// An input as the query named it.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// The data sample's name, when the query named one.
    pub sample: Option<String>,
    /// Firing input nodes, ascending, no repeats.
    pub input: Vec<NodeId>,
    /// Its label, when it has one.
    pub label: Option<ClassId>,
    /// Where it is written in the query.
    pub span: Span,
}
