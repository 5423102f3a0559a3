//! Reports on a model state: the `run` report (human and JSON), recorded snapshots,
//! and small formatting helpers shared with queries.
//!
//! JSON conventions (documented in README):
//! * a plain value (`lambda`, `eta`, a logit) is a number, or `null` when it does not
//!   fit in f64; its natural log is always given alongside (`ln_lambda`, ...);
//! * in the `ln_*` maps and lists, `null` stands for `ln 0 = -inf` (JSON has no
//!   infinities), i.e. the plain value is exactly 0;
//! * maps keyed by node, edge (`"F->C"`) or sample keep the model's order.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::engine::numeric::{fmt_num, Value};
use crate::engine::{Evaluator, Model, State};
use crate::ir::{Ir, Quantity};

/// A map that serialises its entries in insertion order.
#[derive(Clone, Debug, PartialEq)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// `exp(ln)` when it fits in f64, else `None` (JSON `null`).
pub fn plain(ln: f64) -> Option<f64> {
    Value::from_ln(ln).value
}

/// `ln` for JSON: `None` (`null`) for `-inf`.
pub fn ln_json(ln: f64) -> Option<f64> {
    ln.is_finite().then_some(ln)
}

/// `"F->C"` for a class edge.
pub fn edge_name(ir: &Ir, e: usize) -> String {
    let edge = ir.edges[e];
    format!(
        "{}->{}",
        ir.nodes[edge.from as usize].name, ir.classes[edge.to as usize].name
    )
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SampleReport {
    pub name: String,
    pub label: String,
    /// Firing non-class nodes, level order then declaration order.
    pub pathway: Vec<String>,
    pub logits: Vec<Option<f64>>,
    pub ln_logits: Vec<Option<f64>>,
    pub p: Vec<f64>,
    pub predicted: String,
}

/// What `nshed run` prints.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RunReport {
    pub model: String,
    pub classes: Vec<String>,
    pub steps: u64,
    pub lambda: Ordered<Option<f64>>,
    pub ln_lambda: Ordered<Option<f64>>,
    pub eta: Ordered<Option<f64>>,
    pub ln_eta: Ordered<Option<f64>>,
    pub samples: Vec<SampleReport>,
    /// Share of data samples (unweighted) whose predicted class is their label;
    /// `null` when there is no data.
    pub accuracy: Option<f64>,
    /// Levels, for the human layout (not serialised).
    #[serde(skip)]
    levels: Vec<(String, Vec<usize>)>,
}

pub fn sample_reports(model: &Model, state: &State) -> Vec<SampleReport> {
    let ir = model.ir;
    let mut ev = Evaluator::new(model);
    ir.data
        .samples
        .iter()
        .map(|s| {
            let e = ev.evaluate(model, state, &s.input);
            SampleReport {
                name: s.name.clone(),
                label: ir.classes[s.label as usize].name.clone(),
                pathway: e
                    .firing
                    .iter()
                    .map(|&n| ir.nodes[n as usize].name.clone())
                    .collect(),
                logits: e.ln_logits.iter().map(|&l| plain(l)).collect(),
                ln_logits: e.ln_logits.iter().map(|&l| ln_json(l)).collect(),
                p: e.p.clone(),
                predicted: ir.classes[e.predicted as usize].name.clone(),
            }
        })
        .collect()
}

/// Share of data samples predicted as their label (`None` without data); a sample that
/// reaches no class counts as wrong.
pub fn accuracy(model: &Model, state: &State) -> Option<f64> {
    let samples = &model.ir.data.samples;
    if samples.is_empty() {
        return None;
    }
    let mut ev = Evaluator::new(model);
    let mut z = Vec::new();
    let correct = samples
        .iter()
        .filter(|s| {
            ev.ln_logits_into(model, state, &s.input, &mut z);
            crate::engine::eval::prediction(&z) == Some(s.label)
        })
        .count();
    Some(correct as f64 / samples.len() as f64)
}

fn lambda_maps(ir: &Ir, state: &State) -> (Ordered<Option<f64>>, Ordered<Option<f64>>) {
    let names = ir.nodes.iter().map(|n| n.name.clone());
    let plain_map = names
        .clone()
        .zip(state.ln_lambdas().into_iter().map(plain))
        .collect();
    let ln_map = names
        .zip(state.ln_lambdas().into_iter().map(ln_json))
        .collect();
    (Ordered(plain_map), Ordered(ln_map))
}

fn eta_maps(ir: &Ir, state: &State) -> (Ordered<Option<f64>>, Ordered<Option<f64>>) {
    let names: Vec<String> = (0..ir.edges.len()).map(|e| edge_name(ir, e)).collect();
    let plain_map = names
        .iter()
        .cloned()
        .zip(state.ln_etas().into_iter().map(plain))
        .collect();
    let ln_map = names
        .into_iter()
        .zip(state.ln_etas().into_iter().map(ln_json))
        .collect();
    (Ordered(plain_map), Ordered(ln_map))
}

impl RunReport {
    pub fn new(model: &Model, state: &State) -> RunReport {
        let ir = model.ir;
        let (lambda, ln_lambda) = lambda_maps(ir, state);
        let (eta, ln_eta) = eta_maps(ir, state);
        RunReport {
            model: ir.model.clone(),
            classes: ir.classes.iter().map(|c| c.name.clone()).collect(),
            steps: state.step,
            lambda,
            ln_lambda,
            eta,
            ln_eta,
            samples: sample_reports(model, state),
            accuracy: accuracy(model, state),
            levels: ir
                .levels
                .iter()
                .map(|l| (l.name.clone(), l.node_ids().map(|n| n as usize).collect()))
                .collect(),
        }
    }
}

/// A plain value from its ln (as stored in the report): the number, or `e^ln`.
fn show(plain: Option<f64>, ln: Option<f64>) -> String {
    match (plain, ln) {
        (Some(v), _) => fmt_num(v),
        (None, Some(l)) => format!("e^{}", fmt_num(l)),
        (None, None) => "0".into(),
    }
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "model {} after {} training steps",
            self.model, self.steps
        )?;
        writeln!(f)?;
        writeln!(f, "lambda")?;
        let mut t = Table::new(&["level", "node", "lambda"]);
        for (level, ids) in &self.levels {
            for &n in ids {
                let (name, v) = &self.lambda.0[n];
                t.row(vec![
                    level.clone(),
                    name.clone(),
                    show(*v, self.ln_lambda.0[n].1),
                ]);
            }
        }
        write!(f, "{t}")?;
        writeln!(f)?;
        writeln!(f, "eta")?;
        let mut t = Table::new(&["edge", "eta"]);
        for (i, (name, v)) in self.eta.0.iter().enumerate() {
            t.row(vec![name.clone(), show(*v, self.ln_eta.0[i].1)]);
        }
        write!(f, "{t}")?;
        if self.samples.is_empty() {
            return Ok(());
        }
        writeln!(f)?;
        writeln!(f, "samples")?;
        let mut headers = vec!["sample".to_string(), "label".into(), "predicted".into()];
        for c in &self.classes {
            headers.push(format!("Z[{c}]"));
        }
        for c in &self.classes {
            headers.push(format!("p[{c}]"));
        }
        let mut t = Table::new_owned(headers);
        for s in &self.samples {
            let mut row = vec![s.name.clone(), s.label.clone(), s.predicted.clone()];
            for (z, l) in s.logits.iter().zip(&s.ln_logits) {
                row.push(show(*z, *l));
            }
            for p in &s.p {
                row.push(format!("{p:.6}"));
            }
            t.row(row);
        }
        write!(f, "{t}")?;
        writeln!(f)?;
        writeln!(f, "pathways")?;
        let mut t = Table::new(&["sample", "pathway"]);
        for s in &self.samples {
            t.row(vec![s.name.clone(), s.pathway.join(" ")]);
        }
        write!(f, "{t}")?;
        if let Some(a) = self.accuracy {
            writeln!(f)?;
            let correct = self
                .samples
                .iter()
                .filter(|s| s.predicted == s.label)
                .count();
            writeln!(
                f,
                "accuracy {:.6} ({correct}/{} samples)",
                a,
                self.samples.len()
            )?;
        }
        Ok(())
    }
}

/// One recorded snapshot (`record every N { ... }`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Snapshot {
    pub step: u64,
    pub phase: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda: Option<Ordered<Option<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ln_lambda: Option<Ordered<Option<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eta: Option<Ordered<Option<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ln_eta: Option<Ordered<Option<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<Option<f64>>,
    /// Per sample: its logits (number or null) ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logits: Option<Ordered<Vec<Option<f64>>>>,
    /// ... and their natural logs (null = ln 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ln_logits: Option<Ordered<Vec<Option<f64>>>>,
    /// `I(X;T)` and `I(T;Y)` in bits per feature level (SPEC 6, binning with 30 bins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info_plane: Option<Vec<InfoPoint>>,
}

/// One level's point on the information plane; both `null` if the analysis refused
/// the data (it cannot for a checked model: weights are validated).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct InfoPoint {
    pub level: String,
    pub i_xt: Option<f64>,
    pub i_ty: Option<f64>,
}

/// SPEC 6 on the data samples (drawn with their weights, no noise): for every feature
/// level, the level's score vector of each sample, normalised by the analysis.
pub fn info_plane(model: &Model, state: &State) -> Vec<InfoPoint> {
    use crate::analysis::{information_plane, PlaneOptions};
    match information_plane(model, state, PlaneOptions::default()) {
        Ok(levels) => levels
            .into_iter()
            .map(|l| InfoPoint {
                level: l.level,
                i_xt: Some(l.i_xt),
                i_ty: Some(l.i_ty),
            })
            .collect(),
        Err(_) => model
            .ir
            .levels
            .iter()
            .map(|l| InfoPoint {
                level: l.name.clone(),
                i_xt: None,
                i_ty: None,
            })
            .collect(),
    }
}

impl Snapshot {
    pub fn take(model: &Model, state: &State, quantities: &[Quantity]) -> Snapshot {
        let ir = model.ir;
        let phase = ir
            .train
            .as_ref()
            .and_then(|t| {
                // After a phase's last step the state points at the next phase; report
                // the phase the step belonged to.
                let i = if state.step_in_phase == 0 {
                    state.phase.saturating_sub(1)
                } else {
                    state.phase
                };
                t.phases.get(i.min(t.phases.len().saturating_sub(1)))
            })
            .map_or_else(String::new, |p| p.name.clone());
        let mut snap = Snapshot {
            step: state.step,
            phase,
            lambda: None,
            ln_lambda: None,
            eta: None,
            ln_eta: None,
            accuracy: None,
            logits: None,
            ln_logits: None,
            info_plane: None,
        };
        for q in quantities {
            match q {
                Quantity::Lambda => {
                    let (a, b) = lambda_maps(ir, state);
                    snap.lambda = Some(a);
                    snap.ln_lambda = Some(b);
                }
                Quantity::Eta => {
                    let (a, b) = eta_maps(ir, state);
                    snap.eta = Some(a);
                    snap.ln_eta = Some(b);
                }
                Quantity::Accuracy => snap.accuracy = Some(accuracy(model, state)),
                Quantity::Logits => {
                    let reports = sample_reports(model, state);
                    snap.logits = Some(Ordered(
                        reports
                            .iter()
                            .map(|r| (r.name.clone(), r.logits.clone()))
                            .collect(),
                    ));
                    snap.ln_logits = Some(Ordered(
                        reports.into_iter().map(|r| (r.name, r.ln_logits)).collect(),
                    ));
                }
                Quantity::InfoPlane => snap.info_plane = Some(info_plane(model, state)),
            }
        }
        snap
    }

    /// CSV header for the given quantities. Columns come in a fixed order (lambda,
    /// eta, accuracy, logits, info plane) whatever the order of the `record` block, the
    /// same order as `csv_row`.
    pub fn csv_header(model: &Model, quantities: &[Quantity]) -> String {
        let ir = model.ir;
        let has = |q: Quantity| quantities.contains(&q);
        let mut cols = vec!["step".to_string(), "phase".to_string()];
        if has(Quantity::Lambda) {
            cols.extend(ir.nodes.iter().map(|n| format!("lambda:{}", n.name)));
        }
        if has(Quantity::Eta) {
            cols.extend((0..ir.edges.len()).map(|e| format!("eta:{}", edge_name(ir, e))));
        }
        if has(Quantity::Accuracy) {
            cols.push("accuracy".into());
        }
        if has(Quantity::Logits) {
            for s in &ir.data.samples {
                for c in &ir.classes {
                    cols.push(format!("logit:{}:{}", s.name, c.name));
                }
            }
        }
        if has(Quantity::InfoPlane) {
            for l in &ir.levels {
                cols.push(format!("i_xt:{}", l.name));
                cols.push(format!("i_ty:{}", l.name));
            }
        }
        cols.join(",")
    }

    /// One CSV line. Plain values; a value beyond f64 is written `inf`, an undefined
    /// one (accuracy without data) is left empty.
    pub fn csv_row(&self) -> String {
        let mut cells = vec![self.step.to_string(), csv_text(&self.phase)];
        let num = |v: &Option<f64>| v.map_or_else(|| "inf".to_string(), |x| format!("{x}"));
        if let Some(m) = &self.lambda {
            cells.extend(m.0.iter().map(|(_, v)| num(v)));
        }
        if let Some(m) = &self.eta {
            cells.extend(m.0.iter().map(|(_, v)| num(v)));
        }
        if let Some(a) = &self.accuracy {
            cells.push(a.map_or_else(String::new, |x| format!("{x}")));
        }
        if let Some(m) = &self.logits {
            for (_, zs) in &m.0 {
                cells.extend(zs.iter().map(num));
            }
        }
        if let Some(points) = &self.info_plane {
            let cell = |v: Option<f64>| v.map_or_else(String::new, |x| format!("{x}"));
            for p in points {
                cells.push(cell(p.i_xt));
                cells.push(cell(p.i_ty));
            }
        }
        cells.join(",")
    }
}

fn csv_text(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A plain-text table: first column left-aligned, others right-aligned.
#[derive(Clone, Debug, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table::new_owned(headers.iter().map(|h| h.to_string()).collect())
    }

    pub fn new_owned(headers: Vec<String>) -> Table {
        Table {
            headers,
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.headers.len();
        let mut width: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        // Columns of numbers are right-aligned, the others (names) left-aligned.
        let mut numeric = vec![!self.rows.is_empty(); n];
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                width[i] = width[i].max(c.chars().count());
                numeric[i] &= looks_numeric(c);
            }
        }
        let line = |cells: &[String]| -> String {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate().take(n) {
                let pad = " ".repeat(width[i] - c.chars().count());
                s.push_str("  ");
                if numeric[i] {
                    s.push_str(&pad);
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    s.push_str(&pad);
                }
            }
            s.trim_end().to_string()
        };
        writeln!(f, "{}", line(&self.headers))?;
        for r in &self.rows {
            writeln!(f, "{}", line(r))?;
        }
        Ok(())
    }
}

fn looks_numeric(cell: &str) -> bool {
    cell.starts_with(|c: char| c.is_ascii_digit() || c == '-')
        || cell.starts_with("e^")
        || matches!(cell, "undefined" | "inf")
}
