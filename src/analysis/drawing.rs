//! What a drawing of a model shows: its structure, every node's `ln lambda`, and for an
//! input, the nodes that fire and the classes they reach. The SVG and DOT renderers are
//! pure functions of this value.

use serde::Serialize;

use crate::engine::{Model, State};
use crate::ir::{ClassId, NodeId};

/// A model drawn at a state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelDrawing {
    /// The model's name.
    pub model: String,
    /// The training step of the state drawn.
    pub step: u64,
    /// The highlighted input (a sample name or a pattern), if any.
    pub input: Option<String>,
    /// The feature levels, input level first.
    pub levels: Vec<DrawnLevel>,
    /// Every feature node, in IR order.
    pub nodes: Vec<DrawnNode>,
    /// The classes.
    pub classes: Vec<DrawnClass>,
    /// Class edges: (node index, class index).
    pub edges: Vec<(usize, usize)>,
    /// `ln eta` of every class edge, in the order of `edges` (`-inf` for `eta = 0`;
    /// `null` in JSON).
    pub ln_eta: Vec<f64>,
}

/// A level: its name and the indices of its nodes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DrawnLevel {
    /// The level's name.
    pub name: String,
    /// The indices of its nodes in `nodes`.
    pub nodes: std::ops::Range<usize>,
}

/// A feature node.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DrawnNode {
    /// The node's name.
    pub name: String,
    /// `ln lambda` (`-inf` for `lambda = 0`; `null` in JSON).
    pub ln_lambda: f64,
    /// Whether it fires for the highlighted input (false without one).
    pub firing: bool,
    /// Indices of its children (none on the input level).
    pub children: Vec<usize>,
}

/// A class.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DrawnClass {
    /// The class's name.
    pub name: String,
    /// Whether a firing node has an edge to it.
    pub reached: bool,
    /// Whether it is the prediction for the highlighted input (the largest logit).
    pub predicted: bool,
    /// Whether it is the highlighted input's label (a sample's, or `{...}->CLASS`).
    pub label: bool,
}

impl ModelDrawing {
    /// The drawing of `state`, with the pathway of `input` (ascending level-1 ids) when
    /// given; `input_name` is how titles name it.
    pub fn of(model: &Model, state: &State, input: Option<(&[NodeId], String)>) -> ModelDrawing {
        let ir = model.ir;
        let mut firing = vec![false; ir.nodes.len()];
        if let Some((ids, _)) = &input {
            for &n in &model.evaluate(state, ids).firing {
                if let Some(f) = firing.get_mut(n as usize) {
                    *f = true;
                }
            }
        }
        let predicted = input
            .as_ref()
            .and_then(|(ids, _)| model.evaluate(state, ids).predicted);
        // A sample named by the input gives its label; `with_label` sets another.
        let label = input.as_ref().and_then(|(_, name)| {
            ir.data
                .samples
                .iter()
                .find(|s| &s.name == name)
                .map(|s| s.label)
        });
        let mut reached = vec![false; ir.classes.len()];
        for e in &ir.edges {
            if firing.get(e.from as usize).copied().unwrap_or(false) {
                if let Some(r) = reached.get_mut(e.to as usize) {
                    *r = true;
                }
            }
        }
        ModelDrawing {
            model: ir.model.clone(),
            step: state.step,
            input: input.map(|(_, name)| name),
            levels: ir
                .levels
                .iter()
                .map(|l| DrawnLevel {
                    name: l.name.clone(),
                    nodes: l.first as usize..(l.first + l.len) as usize,
                })
                .collect(),
            nodes: ir
                .nodes
                .iter()
                .enumerate()
                .map(|(n, node)| DrawnNode {
                    name: node.name.to_string(),
                    ln_lambda: state.ln_lambda(n),
                    firing: firing[n],
                    children: node
                        .gate
                        .as_ref()
                        .map(|g| g.children.iter().map(|&c| c as usize).collect())
                        .unwrap_or_default(),
                })
                .collect(),
            classes: ir
                .classes
                .iter()
                .zip(reached)
                .enumerate()
                .map(|(i, (c, reached))| DrawnClass {
                    name: c.name.clone(),
                    reached,
                    predicted: predicted.is_some_and(|p| p as usize == i),
                    label: label.is_some_and(|l| l as usize == i),
                })
                .collect(),
            edges: ir
                .edges
                .iter()
                .map(|e| (e.from as usize, e.to as usize))
                .collect(),
            ln_eta: (0..ir.edges.len()).map(|e| state.ln_eta(e)).collect(),
        }
    }

    /// The same drawing with `label` (a class id) as the highlighted input's label, when
    /// the input is a pattern that says its class (`{e1 e2}->c1`).
    pub fn with_label(mut self, label: Option<ClassId>) -> ModelDrawing {
        if let Some(l) = label {
            for (i, c) in self.classes.iter_mut().enumerate() {
                c.label = i == l as usize;
            }
        }
        self
    }

    /// The smallest and largest finite `ln lambda` of the drawn nodes (`None` when every
    /// node has `lambda = 0`): what a drawing scales its node sizes over.
    pub fn ln_lambda_range(&self) -> Option<(f64, f64)> {
        self.nodes
            .iter()
            .map(|n| n.ln_lambda)
            .filter(|l| l.is_finite())
            .fold(None, |range, l| match range {
                None => Some((l, l)),
                Some((lo, hi)) => Some((f64::min(lo, l), f64::max(hi, l))),
            })
    }

    /// The title figures give it: `fig1 at step 200, pathway of c1a`.
    pub fn title(&self) -> String {
        let mut title = format!("{} at step {}", self.model, self.step);
        if let Some(name) = &self.input {
            title.push_str(&format!(", pathway of {name}"));
        }
        title
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::fig1;

    /// fig1 with `eta[t1->c2] = 0` and `lambda[m2] = 2`, drawn with the pathway of
    /// `{e3 e4 e5}` (the sample c2 of the paper's table: e3 e4 e5 m1 m2 m3 t1 t2).
    #[test]
    fn a_drawing_holds_the_state_and_the_pathway() {
        let ir = fig1();
        let model = Model::new(&ir);
        let mut state = State::new(&ir, 0);
        let id = |name: &str| ir.nodes.iter().position(|n| n.name == name);
        let Some(m2) = id("m2") else {
            panic!("fig1 has m2")
        };
        state.set_ln_lambda(m2, 2f64.ln());
        let t1_c2 = ir
            .edges
            .iter()
            .position(|e| ir.nodes[e.from as usize].name == "t1" && e.to == 1);
        let Some(t1_c2) = t1_c2 else {
            panic!("fig1 has t1 -> c2")
        };
        state.set_ln_eta(t1_c2, f64::NEG_INFINITY);
        let input: Vec<NodeId> = ["e3", "e4", "e5"]
            .iter()
            .filter_map(|n| id(n).map(|i| i as NodeId))
            .collect();
        let d = ModelDrawing::of(&model, &state, Some((&input, "c2".to_string())));
        let firing: Vec<&str> = d
            .nodes
            .iter()
            .filter(|n| n.firing)
            .map(|n| n.name.as_str())
            .collect();
        assert_eq!(firing, ["e3", "e4", "e5", "m1", "m2", "m3", "t1", "t2"]);
        assert_eq!(d.nodes[m2].ln_lambda, 2f64.ln());
        assert_eq!(d.edges.len(), d.ln_eta.len());
        assert_eq!(d.ln_eta[t1_c2], f64::NEG_INFINITY);
        assert!(d
            .ln_eta
            .iter()
            .enumerate()
            .all(|(e, &l)| e == t1_c2 || l == 0.0));
        let reached: Vec<bool> = d.classes.iter().map(|c| c.reached).collect();
        assert_eq!(reached, [true, true, false]);
        assert_eq!(d.title(), "fig1 at step 0, pathway of c2");
    }
}
