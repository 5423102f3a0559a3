//! Computing answers (they are shown by `render::query`).

use serde::Serialize;

use super::{Input, Query, QueryKind};
use crate::engine::{le, le_class_means, le_matrix, Evaluation, Model, State};
use crate::ir::Ir;
use crate::report::{ln_json, plain};

/// An input, by name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InputDesc {
    /// The data sample, when the query named one.
    pub sample: Option<String>,
    /// Its input nodes.
    pub pattern: Vec<String>,
    /// Its label, when it has one.
    pub label: Option<String>,
}

/// The nodes of a level that fire.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LevelFiring {
    /// The level's name.
    pub level: String,
    /// Its firing nodes.
    pub nodes: Vec<String>,
}

/// A node's score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeScore {
    /// The node's name.
    pub node: String,
    /// Its level.
    pub level: String,
    /// `S`, or null beyond f64.
    pub score: Option<f64>,
    /// `ln S` (null = ln 0).
    pub ln_score: Option<f64>,
}

/// A class's logit and probability.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassValue {
    /// The class's name.
    pub class: String,
    /// The logit, or null beyond f64.
    pub logit: Option<f64>,
    /// `ln` of the logit (null = ln 0).
    pub ln_logit: Option<f64>,
    /// The probability (softmax of the logits).
    pub p: f64,
}

/// The answer to a query. JSON: an object tagged by `"query"`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "query", rename_all = "snake_case")]
pub enum Answer {
    /// `pathway X`: the firing nodes of each level.
    Pathway {
        /// The input.
        input: InputDesc,
        /// The firing nodes, level by level, input level first.
        levels: Vec<LevelFiring>,
    },
    /// `scores X`: every node's score and every class's logit and probability.
    Scores {
        /// The input.
        input: InputDesc,
        /// The score of every firing node.
        scores: Vec<NodeScore>,
        /// Every class's logit and probability.
        classes: Vec<ClassValue>,
        /// `null` when the input reaches no class.
        predicted: Option<String>,
    },
    /// `predict X`: the predicted class.
    Predict {
        /// The input.
        input: InputDesc,
        /// `null` when the input reaches no class (then `p` is the uniform probability).
        predicted: Option<String>,
        /// The probability of the predicted class.
        p: f64,
        /// Whether the prediction matches the input's label, when it has one.
        correct: Option<bool>,
    },
    /// `le X Y`: the local elasticity of `Y` to a step on `X`.
    Le {
        /// The labelled input the step is taken on.
        base: InputDesc,
        /// The input whose change is measured.
        test: InputDesc,
        /// `null` when undefined (the base's logits do not move).
        le: Option<f64>,
    },
    /// `accuracy`, `loss` (`on`: `data` or `test`).
    Score {
        /// `accuracy` or `loss`.
        metric: String,
        /// `data` or `test`.
        on: String,
        /// The metrics of those samples.
        #[serde(flatten)]
        metrics: crate::metrics::Metrics,
    },
    /// `le-matrix`: the local elasticity of every ordered pair of data samples.
    #[serde(rename = "le_matrix")]
    LeMatrix {
        /// The data samples' names, in the order of the rows and columns.
        samples: Vec<String>,
        /// `matrix[i][j]`: the elasticity of sample `j` to a step on sample `i` (null where undefined).
        matrix: Vec<Vec<Option<f64>>>,
        /// The classes some data sample is labelled with, in class order.
        classes: Vec<String>,
        /// Mean LE per (base class, test class) of `classes`; null where no pair is
        /// defined.
        class_means: Vec<Vec<Option<f64>>>,
    },
}

fn describe(ir: &Ir, input: &Input) -> InputDesc {
    InputDesc {
        sample: input.sample.clone(),
        pattern: input
            .input
            .iter()
            .map(|&n| ir.nodes[n as usize].name.to_string())
            .collect(),
        label: input.label.map(|c| ir.classes[c as usize].name.clone()),
    }
}

fn levels_of(model: &Model, ev: &Evaluation) -> Vec<LevelFiring> {
    let ir = model.ir;
    (0..ir.levels.len())
        .map(|l| LevelFiring {
            level: ir.levels[l].name.clone(),
            nodes: ev
                .firing_in_level(model, l)
                .iter()
                .map(|&n| ir.nodes[n as usize].name.to_string())
                .collect(),
        })
        .collect()
}

/// Answers a query on `state` (which is not changed; `le` works on a copy).
pub fn answer(model: &Model, state: &State, query: &Query) -> Answer {
    let ir = model.ir;
    match &query.kind {
        QueryKind::Pathway(x) => {
            let ev = model.evaluate(state, &x.input);
            Answer::Pathway {
                input: describe(ir, x),
                levels: levels_of(model, &ev),
            }
        }
        QueryKind::Scores(x) => {
            let ev = model.evaluate(state, &x.input);
            let scores = ev
                .firing
                .iter()
                .zip(&ev.ln_scores)
                .map(|(&n, &ln)| {
                    let node = &ir.nodes[n as usize];
                    NodeScore {
                        node: node.name.to_string(),
                        level: ir.levels[node.level as usize].name.clone(),
                        score: plain(ln),
                        ln_score: ln_json(ln),
                    }
                })
                .collect();
            Answer::Scores {
                input: describe(ir, x),
                scores,
                classes: class_values(ir, &ev),
                predicted: ev.predicted.map(|c| ir.classes[c as usize].name.clone()),
            }
        }
        QueryKind::Predict(x) => {
            let ev = model.evaluate(state, &x.input);
            Answer::Predict {
                input: describe(ir, x),
                predicted: ev.predicted.map(|c| ir.classes[c as usize].name.clone()),
                // Without a prediction every class has the same p.
                p: ev
                    .p
                    .get(ev.predicted.unwrap_or(0) as usize)
                    .copied()
                    .unwrap_or(0.0),
                correct: x.label.map(|l| Some(l) == ev.predicted),
            }
        }
        QueryKind::Le { base, test } => {
            // The parser guarantees a label on the base; class 0 is never used otherwise.
            let label = base.label.unwrap_or(0);
            Answer::Le {
                base: describe(ir, base),
                test: describe(ir, test),
                le: le(model, state, &base.input, label, &test.input),
            }
        }
        QueryKind::Score { metric, test } => {
            let metrics = if *test {
                crate::metrics::of_test(model, state).unwrap_or(crate::metrics::Metrics {
                    samples: 0,
                    correct: 0,
                    accuracy: None,
                    loss: None,
                })
            } else {
                crate::metrics::of_data(model, state)
            };
            Answer::Score {
                metric: match metric {
                    crate::syntax::ast::Metric::Accuracy => "accuracy",
                    crate::syntax::ast::Metric::Loss => "loss",
                }
                .to_string(),
                on: if *test { "test" } else { "data" }.to_string(),
                metrics,
            }
        }
        QueryKind::LeMatrix => {
            let matrix = le_matrix(model, state);
            let means = le_class_means(model, &matrix);
            Answer::LeMatrix {
                samples: ir.data.samples.iter().map(|s| s.name.clone()).collect(),
                class_means: means.means,
                matrix,
                classes: means
                    .classes
                    .iter()
                    .map(|&c| ir.classes[c as usize].name.clone())
                    .collect(),
            }
        }
    }
}

fn class_values(ir: &Ir, ev: &Evaluation) -> Vec<ClassValue> {
    ir.classes
        .iter()
        .zip(ev.ln_logits.iter().zip(&ev.p))
        .map(|(c, (&ln, &p))| ClassValue {
            class: c.name.clone(),
            logit: plain(ln),
            ln_logit: ln_json(ln),
            p,
        })
        .collect()
}
