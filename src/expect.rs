//! Evaluating a model's expectations (`expect initial { }` and `expect { }`) on a state:
//! one typed `Outcome` per expectation, with what was expected, what the state gives,
//! whether it holds, and where the expectation is written.
//!
//! `=` without `within` holds within `EQ_RTOL` relative; `= v within tol` holds when
//! `|actual - v| <= tol`. An infinite value (a `lambda` beyond f64, `ln lambda` of an
//! exact 0) equals only the same infinity. An undefined local elasticity (the base's own
//! logits do not move) fails every comparison.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::engine::{le, Model, State};
use crate::ir::{Check, CmpOp, Compare, ExpectInput, Expectation, Ir, NodeId};
use crate::syntax::ast::Span;

/// The relative tolerance of `=` without `within`.
pub const EQ_RTOL: f64 = 1e-9;

/// Which state an expectation is checked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// `expect initial { }`: the initial state.
    Initial,
    /// `expect { }`: the state after the file's `train` block.
    Trained,
}

/// The result of one expectation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    /// Which state it was checked at.
    pub stage: Stage,
    /// The expectation in the source (byte offsets).
    pub span: Span,
    /// What is checked, in the file's words: `p c2 c2`, `lambda m1`, `le c1a {e3 e4}`.
    pub subject: String,
    /// What it asks for.
    pub expected: Expected,
    /// What the state gives.
    pub actual: Actual,
    /// Whether it holds.
    pub passed: bool,
}

/// What an expectation asks for.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Expected {
    /// `predict X is C`; `null` for `is none`.
    Class {
        /// The class expected.
        class: Option<String>,
    },
    /// `pathway X has N...` (`fires`) or `lacks N...`.
    Pathway {
        /// `has` (the nodes fire) or `lacks` (they do not).
        fires: bool,
        /// The nodes named.
        nodes: Vec<String>,
    },
    /// `OP value [within tol]`.
    Value {
        /// The comparison operator.
        op: CmpOp,
        /// The value compared with.
        value: f64,
        /// The tolerance of `=`, when one is given.
        #[serde(skip_serializing_if = "Option::is_none")]
        within: Option<f64>,
    },
}

/// What the state gives.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actual {
    /// The predicted class; `null` when no class is reached.
    Class {
        /// The class predicted.
        class: Option<String>,
    },
    /// The firing (non-class) nodes, and the listed nodes that break the expectation.
    Pathway {
        /// Every firing node.
        firing: Vec<String>,
        /// The nodes named that break the expectation.
        wrong: Vec<String>,
    },
    /// A number; JSON writes an infinity as the string `"inf"` or `"-inf"`.
    Value {
        /// The value.
        #[serde(serialize_with = "number_or_infinity")]
        value: f64,
    },
    /// A local elasticity whose base's logits do not move.
    Undefined,
}

fn number_or_infinity<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else if *v > 0.0 {
        s.serialize_str("inf")
    } else {
        s.serialize_str("-inf")
    }
}

/// Whether `actual` satisfies `compare`.
pub fn holds(compare: &Compare, actual: f64) -> bool {
    let v = compare.value;
    match compare.op {
        CmpOp::Lt => actual < v,
        CmpOp::Le => actual <= v,
        CmpOp::Gt => actual > v,
        CmpOp::Ge => actual >= v,
        CmpOp::Eq if !actual.is_finite() => actual == v,
        CmpOp::Eq => match compare.within {
            Some(tolerance) => (actual - v).abs() <= tolerance,
            None => actual == v || (actual - v).abs() <= EQ_RTOL * actual.abs().max(v.abs()),
        },
    }
}

/// Evaluates the file's expectations: `expect initial` at `initial`, then `expect` at
/// `trained`, each in the order written.
pub fn evaluate_file(model: &Model, initial: &State, trained: &State) -> Vec<Outcome> {
    let mut outcomes = evaluate(model, initial, &model.ir.expect.initial, Stage::Initial);
    outcomes.extend(evaluate(
        model,
        trained,
        &model.ir.expect.trained,
        Stage::Trained,
    ));
    outcomes
}

/// Evaluates `expectations` at `state` (which is not changed; `le` steps a copy).
pub fn evaluate(
    model: &Model,
    state: &State,
    expectations: &[Expectation],
    stage: Stage,
) -> Vec<Outcome> {
    expectations
        .iter()
        .map(|e| {
            let (subject, expected, actual, passed) = evaluate_check(model, state, &e.check);
            Outcome {
                stage,
                span: e.span,
                subject,
                expected,
                actual,
                passed,
            }
        })
        .collect()
}

fn evaluate_check(model: &Model, state: &State, check: &Check) -> (String, Expected, Actual, bool) {
    let ir = model.ir;
    let value = |subject: String, compare: &Compare, actual: Option<f64>| {
        let expected = Expected::Value {
            op: compare.op,
            value: compare.value,
            within: compare.within,
        };
        match actual {
            Some(v) => (
                subject,
                expected,
                Actual::Value { value: v },
                holds(compare, v),
            ),
            None => (subject, expected, Actual::Undefined, false),
        }
    };
    match check {
        Check::Predict { input, class } => {
            let ev = model.evaluate(state, input_nodes(ir, input));
            let predicted = ev.predicted;
            (
                format!("predict {}", input_name(ir, input)),
                Expected::Class {
                    class: class.map(|c| class_name(ir, c)),
                },
                Actual::Class {
                    class: predicted.map(|c| class_name(ir, c)),
                },
                predicted == *class,
            )
        }
        Check::Pathway {
            input,
            fires,
            nodes,
        } => {
            let ev = model.evaluate(state, input_nodes(ir, input));
            let wrong: Vec<String> = nodes
                .iter()
                .filter(|n| ev.firing.binary_search(n).is_ok() != *fires)
                .map(|&n| node_name(ir, n))
                .collect();
            let passed = wrong.is_empty();
            (
                format!("pathway {}", input_name(ir, input)),
                Expected::Pathway {
                    fires: *fires,
                    nodes: nodes.iter().map(|&n| node_name(ir, n)).collect(),
                },
                Actual::Pathway {
                    firing: ev.firing.iter().map(|&n| node_name(ir, n)).collect(),
                    wrong,
                },
                passed,
            )
        }
        Check::P {
            input,
            class,
            compare,
        } => {
            let ev = model.evaluate(state, input_nodes(ir, input));
            value(
                format!("p {} {}", input_name(ir, input), class_name(ir, *class)),
                compare,
                ev.p.get(*class as usize).copied(),
            )
        }
        Check::Logit {
            input,
            class,
            compare,
        } => {
            let ev = model.evaluate(state, input_nodes(ir, input));
            value(
                format!("logit {} {}", input_name(ir, input), class_name(ir, *class)),
                compare,
                ev.ln_logits.get(*class as usize).map(|z| z.exp()),
            )
        }
        Check::Le {
            base,
            label,
            test,
            compare,
        } => {
            let base_name = match base {
                ExpectInput::Sample(_) | ExpectInput::TestSample(_) => input_name(ir, base),
                ExpectInput::Pattern(_) => {
                    format!("{}->{}", input_name(ir, base), class_name(ir, *label))
                }
            };
            value(
                format!("le {base_name} {}", input_name(ir, test)),
                compare,
                le(
                    model,
                    state,
                    input_nodes(ir, base),
                    *label,
                    input_nodes(ir, test),
                ),
            )
        }
        Check::Lambda { node, ln, compare } => {
            let ln_lambda = state.ln_lambda(*node as usize);
            value(
                format!("{}lambda {}", ln_prefix(*ln), node_name(ir, *node)),
                compare,
                Some(if *ln { ln_lambda } else { ln_lambda.exp() }),
            )
        }
        Check::Eta { edge, ln, compare } => {
            let ln_eta = state.ln_eta(*edge as usize);
            value(
                format!(
                    "{}eta {}",
                    ln_prefix(*ln),
                    crate::report::edge_name(ir, *edge as usize)
                ),
                compare,
                Some(if *ln { ln_eta } else { ln_eta.exp() }),
            )
        }
        Check::Accuracy { compare }
        | Check::Loss { compare }
        | Check::TestAccuracy { compare }
        | Check::TestLoss { compare } => {
            let (subject, actual) = score(model, state, check);
            value(subject.to_string(), compare, actual)
        }
    }
}

/// What a score expectation measures (`accuracy`, `loss`, `test accuracy`, `test loss`)
/// and its value: `None` without samples to measure.
fn score(model: &Model, state: &State, check: &Check) -> (&'static str, Option<f64>) {
    use crate::metrics;
    match check {
        Check::Loss { .. } => ("loss", metrics::of_data(model, state).loss),
        Check::TestAccuracy { .. } => (
            "test accuracy",
            metrics::of_test(model, state).and_then(|m| m.accuracy),
        ),
        Check::TestLoss { .. } => (
            "test loss",
            metrics::of_test(model, state).and_then(|m| m.loss),
        ),
        _ => ("accuracy", metrics::of_data(model, state).accuracy),
    }
}

fn ln_prefix(ln: bool) -> &'static str {
    if ln {
        "ln "
    } else {
        ""
    }
}

/// The sample an expectation's input names, of the data or of the test set.
fn sample_of<'i>(ir: &'i Ir, input: &ExpectInput) -> Option<&'i crate::ir::Sample> {
    match input {
        ExpectInput::Sample(i) => ir.data.samples.get(*i as usize),
        ExpectInput::TestSample(i) => ir.test.as_ref()?.samples.get(*i as usize),
        ExpectInput::Pattern(_) => None,
    }
}

/// The input nodes of an expectation's input (a checked IR names only valid samples).
fn input_nodes<'i>(ir: &'i Ir, input: &'i ExpectInput) -> &'i [NodeId] {
    match input {
        ExpectInput::Pattern(nodes) => nodes,
        _ => sample_of(ir, input).map_or(&[][..], |s| s.input.as_slice()),
    }
}

/// A sample's name, or the pattern `{e1 e2}`.
fn input_name(ir: &Ir, input: &ExpectInput) -> String {
    match input {
        ExpectInput::Sample(i) | ExpectInput::TestSample(i) => {
            sample_of(ir, input).map_or_else(|| format!("sample {i}"), |s| s.name.clone())
        }
        ExpectInput::Pattern(nodes) => format!(
            "{{{}}}",
            nodes
                .iter()
                .map(|&n| node_name(ir, n))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

fn node_name(ir: &Ir, node: NodeId) -> String {
    ir.nodes
        .get(node as usize)
        .map_or_else(|| format!("node {node}"), |n| n.name.to_string())
}

fn class_name(ir: &Ir, class: u32) -> String {
    ir.classes
        .get(class as usize)
        .map_or_else(|| format!("class {class}"), |c| c.name.clone())
}

/// A number as the expectation would write it (shortest round-trip form).
pub fn show_number(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{v}")
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Class { class } => f.write_str(class.as_deref().unwrap_or("none")),
            Expected::Pathway { fires, nodes } => {
                let verb = if *fires { "has" } else { "lacks" };
                write!(f, "{verb} {}", nodes.join(" "))
            }
            Expected::Value { op, value, within } => {
                write!(f, "{} {}", op.symbol(), show_number(*value))?;
                if let Some(t) = within {
                    write!(f, " within {}", show_number(*t))?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Actual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actual::Class { class } => f.write_str(class.as_deref().unwrap_or("none")),
            Actual::Pathway { firing, .. } if firing.is_empty() => f.write_str("nothing fires"),
            Actual::Pathway { firing, .. } => f.write_str(&firing.join(" ")),
            Actual::Value { value } => f.write_str(&show_number(*value)),
            Actual::Undefined => f.write_str("undefined"),
        }
    }
}

impl Outcome {
    /// One line: `p c2 c2: expected >= 0.98, got 0.5`; for a pathway, which listed nodes
    /// break it: `pathway c2: expected has t1 t3, t3 does not fire (pathway: e3 e4 ...)`.
    pub fn describe(&self) -> String {
        format!("{}: {}", self.subject, self.verdict())
    }

    /// `expected >= 0.98, got 0.5` (for a pathway, the nodes that break it).
    pub fn verdict(&self) -> String {
        let got = match (&self.expected, &self.actual) {
            (Expected::Pathway { fires, .. }, Actual::Pathway { wrong, .. })
                if !wrong.is_empty() =>
            {
                let verb = match (*fires, wrong.len()) {
                    (true, 1) => "does not fire",
                    (true, _) => "do not fire",
                    (false, 1) => "fires",
                    (false, _) => "fire",
                };
                format!("{} {verb} (pathway: {})", wrong.join(" "), self.actual)
            }
            _ => format!("got {}", self.actual),
        };
        format!("expected {}, {got}", self.expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(op: CmpOp, value: f64, within: Option<f64>) -> Compare {
        Compare { op, value, within }
    }

    #[test]
    fn equality_is_one_part_in_a_billion_without_a_tolerance() {
        let eq = cmp(CmpOp::Eq, 1.782503, None);
        assert!(holds(&eq, 1.782503 * (1.0 + 0.9e-9)));
        assert!(!holds(&eq, 1.782503 * (1.0 + 1.1e-9)));
        assert!(holds(&cmp(CmpOp::Eq, 0.0, None), 0.0));
        assert!(!holds(&cmp(CmpOp::Eq, 0.0, None), 1e-300));
    }

    #[test]
    fn within_is_an_absolute_tolerance() {
        let eq = cmp(CmpOp::Eq, 1.782503, Some(1e-5));
        assert!(holds(&eq, 1.782512));
        assert!(!holds(&eq, 1.782514));
    }

    #[test]
    fn infinities_equal_only_themselves() {
        assert!(!holds(&cmp(CmpOp::Eq, 1e308, None), f64::INFINITY));
        assert!(!holds(&cmp(CmpOp::Eq, 0.0, Some(1e308)), f64::NEG_INFINITY));
        assert!(holds(&cmp(CmpOp::Lt, -5.0, None), f64::NEG_INFINITY));
        assert!(holds(&cmp(CmpOp::Gt, 1e300, None), f64::INFINITY));
    }

    #[test]
    fn orderings() {
        assert!(holds(&cmp(CmpOp::Lt, 1.0, None), 0.5));
        assert!(!holds(&cmp(CmpOp::Lt, 1.0, None), 1.0));
        assert!(holds(&cmp(CmpOp::Le, 1.0, None), 1.0));
        assert!(!holds(&cmp(CmpOp::Gt, 1.0, None), 1.0));
        assert!(holds(&cmp(CmpOp::Ge, 1.0, None), 1.0));
    }
}
