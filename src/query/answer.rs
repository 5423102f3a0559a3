//! Computing answers and showing them.

use std::fmt;

use serde::Serialize;

use super::{Input, Query, QueryKind};
use crate::engine::numeric::{fmt_num, Value};
use crate::engine::{le, le_class_means, le_matrix, Evaluation, Model, State};
use crate::ir::Ir;
use crate::report::{ln_json, plain, Table};

/// An input, by name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InputDesc {
    /// The data sample, when the query named one.
    pub sample: Option<String>,
    /// Its input nodes.
    pub pattern: Vec<String>,
    pub label: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LevelFiring {
    pub level: String,
    pub nodes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeScore {
    pub node: String,
    pub level: String,
    /// `S`, or null beyond f64.
    pub score: Option<f64>,
    /// `ln S` (null = ln 0).
    pub ln_score: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassValue {
    pub class: String,
    pub logit: Option<f64>,
    pub ln_logit: Option<f64>,
    pub p: f64,
}

/// The answer to a query. JSON: an object tagged by `"query"`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "query", rename_all = "snake_case")]
pub enum Answer {
    Pathway {
        input: InputDesc,
        levels: Vec<LevelFiring>,
    },
    Scores {
        input: InputDesc,
        scores: Vec<NodeScore>,
        classes: Vec<ClassValue>,
        predicted: String,
    },
    Predict {
        input: InputDesc,
        predicted: String,
        p: f64,
        /// Whether the prediction matches the input's label, when it has one.
        correct: Option<bool>,
    },
    Le {
        base: InputDesc,
        test: InputDesc,
        /// `null` when undefined (the base's logits do not move).
        le: Option<f64>,
    },
    #[serde(rename = "le_matrix")]
    LeMatrix {
        samples: Vec<String>,
        matrix: Vec<Vec<Option<f64>>>,
        classes: Vec<String>,
        /// Mean LE per (base class, test class); null where no pair is defined.
        class_means: Vec<Vec<Option<f64>>>,
    },
}

fn describe(ir: &Ir, input: &Input) -> InputDesc {
    InputDesc {
        sample: input.sample.clone(),
        pattern: input
            .input
            .iter()
            .map(|&n| ir.nodes[n as usize].name.clone())
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
                .map(|&n| ir.nodes[n as usize].name.clone())
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
                        node: node.name.clone(),
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
                predicted: ir.classes[ev.predicted as usize].name.clone(),
            }
        }
        QueryKind::Predict(x) => {
            let ev = model.evaluate(state, &x.input);
            Answer::Predict {
                input: describe(ir, x),
                predicted: ir.classes[ev.predicted as usize].name.clone(),
                p: ev.p.get(ev.predicted as usize).copied().unwrap_or(0.0),
                correct: x.label.map(|l| l == ev.predicted),
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
        QueryKind::LeMatrix => {
            let matrix = le_matrix(model, state);
            Answer::LeMatrix {
                samples: ir.data.samples.iter().map(|s| s.name.clone()).collect(),
                class_means: le_class_means(model, &matrix),
                matrix,
                classes: ir.classes.iter().map(|c| c.name.clone()).collect(),
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

impl fmt::Display for InputDesc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.sample {
            write!(f, "{s} ")?;
        }
        write!(f, "{{{}}}", self.pattern.join(" "))?;
        if let Some(l) = &self.label {
            write!(f, " -> {l}")?;
        }
        Ok(())
    }
}

fn show(plain: Option<f64>, ln: Option<f64>) -> String {
    match (plain, ln) {
        (Some(v), _) => fmt_num(v),
        (None, Some(l)) => Value::from_ln(l).to_string(),
        (None, None) => "0".into(),
    }
}

/// An LE value: a number, or "undefined".
pub fn show_le(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".to_string(), fixed6)
}

/// Six decimals in the usual range, scientific notation for very large or small values.
fn fixed6(x: f64) -> String {
    if x == 0.0 || (1e-4..1e6).contains(&x.abs()) {
        format!("{x:.6}")
    } else {
        format!("{x:.6e}")
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Pathway { input, levels } => {
                writeln!(f, "pathway of {input}")?;
                let mut t = Table::new(&["level", "firing"]);
                for l in levels {
                    let nodes = if l.nodes.is_empty() {
                        "-".to_string()
                    } else {
                        l.nodes.join(" ")
                    };
                    t.row(vec![l.level.clone(), nodes]);
                }
                write!(f, "{t}")
            }
            Answer::Scores {
                input,
                scores,
                classes,
                predicted,
            } => {
                writeln!(f, "scores of {input}")?;
                let mut t = Table::new(&["node", "level", "S"]);
                for s in scores {
                    t.row(vec![
                        s.node.clone(),
                        s.level.clone(),
                        show(s.score, s.ln_score),
                    ]);
                }
                writeln!(f, "{t}")?;
                let mut t = Table::new(&["class", "Z", "p"]);
                for c in classes {
                    t.row(vec![
                        c.class.clone(),
                        show(c.logit, c.ln_logit),
                        format!("{:.6}", c.p),
                    ]);
                }
                write!(f, "{t}")?;
                writeln!(f, "predicted {predicted}")
            }
            Answer::Predict {
                input,
                predicted,
                p,
                correct,
            } => {
                write!(f, "{input}: predicted {predicted} (p = {p:.6})")?;
                match correct {
                    Some(true) => writeln!(f, ", correct"),
                    Some(false) => writeln!(f, ", wrong"),
                    None => writeln!(f),
                }
            }
            Answer::Le { base, test, le } => {
                writeln!(f, "LE(base {base}, test {test}) = {}", show_le(*le))
            }
            Answer::LeMatrix {
                samples,
                matrix,
                classes,
                class_means,
            } => {
                writeln!(f, "local elasticity (row = base, column = test)")?;
                let mut headers = vec!["base".to_string()];
                headers.extend(samples.iter().cloned());
                let mut t = Table::new_owned(headers);
                for (name, row) in samples.iter().zip(matrix) {
                    let mut cells = vec![name.clone()];
                    cells.extend(row.iter().map(|v| show_le(*v)));
                    t.row(cells);
                }
                write!(f, "{t}")?;
                writeln!(f)?;
                writeln!(
                    f,
                    "mean LE per class pair, self pairs left out (row = base class)"
                )?;
                let mut headers = vec!["base".to_string()];
                headers.extend(classes.iter().cloned());
                let mut t = Table::new_owned(headers);
                for (name, row) in classes.iter().zip(class_means) {
                    let mut cells = vec![name.clone()];
                    cells.extend(row.iter().map(|v| v.map_or_else(|| "-".into(), fixed6)));
                    t.row(cells);
                }
                write!(f, "{t}")
            }
        }
    }
}
