//! `show ...`: the session's model and state as text and as JSON.

use serde_json::{json, Value as Json};

use super::command::{LambdaScope, Show};
use nshed::engine::State;
use nshed::ir::{Ir, RuleSet};
use nshed::render::Table;
use nshed::render::{fmt_num, update_text};
use nshed::report::{edge_name, eta_plain, lambda_plain, ln_json, plain};

/// A value given as a natural log, shown plainly when it fits in f64.
fn shown(ln: f64) -> String {
    match plain(ln) {
        Some(v) => fmt_num(v),
        None => format!("e^{}", fmt_num(ln)),
    }
}

/// The rules in force now: the current phase's, the last phase's once the schedule is
/// over, or the file's when there is no schedule. Also names where they come from.
pub fn rules_now<'a>(ir: &'a Ir, state: &State) -> (&'a RuleSet, String) {
    match ir.train.as_ref() {
        Some(t) if !t.phases.is_empty() => {
            let i = state.phase.min(t.phases.len() - 1);
            let note = if state.phase >= t.phases.len() {
                format!(
                    "phase `{}` (the schedule is over; further steps use its rules)",
                    t.phases[i].name
                )
            } else {
                format!("phase `{}`", t.phases[i].name)
            };
            (&t.phases[i].rules, note)
        }
        _ => (
            &ir.rules,
            "the file's rules (no training schedule)".to_string(),
        ),
    }
}

/// `source` is the text the model was compiled from (`show model` prints it through the
/// formatter, comments and all).
pub fn show(ir: &Ir, source: &str, state: &State, what: &Show) -> (String, Json) {
    match what {
        Show::Lambda(scope) => lambda(ir, state, scope),
        Show::Eta => eta(ir, state),
        Show::Data => data(ir),
        Show::Rules => rules(ir, state),
        Show::Model => {
            // The source compiled, so it parses; were it not to, say so rather than panic.
            let text = nshed::syntax::print::format_source(source).unwrap_or_else(|p| {
                p.into_iter()
                    .map(|p| p.message)
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            (
                text.clone(),
                json!({ "command": "show", "what": "model", "text": text }),
            )
        }
    }
}

fn lambda(ir: &Ir, state: &State, scope: &LambdaScope) -> (String, Json) {
    let nodes: Vec<usize> = match scope {
        LambdaScope::All => (0..ir.nodes.len()).collect(),
        LambdaScope::Level(l) => ir.levels[*l].node_ids().map(|n| n as usize).collect(),
        LambdaScope::Node(n) => vec![*n as usize],
    };
    let mut t = Table::new(&["node", "level", "lambda", "ln lambda"]);
    let mut rows = Vec::new();
    for n in nodes {
        let ln = state.ln_lambda(n);
        let node = &ir.nodes[n];
        let level = &ir.levels[node.level as usize].name;
        t.row(vec![
            node.name.to_string(),
            level.clone(),
            shown(ln),
            if ln == f64::NEG_INFINITY {
                "-inf".into()
            } else {
                fmt_num(ln)
            },
        ]);
        let value = lambda_plain(ir, n, ln);
        rows.push(
            json!({ "node": node.name, "level": level, "lambda": value, "ln_lambda": ln_json(ln) }),
        );
    }
    (
        format!("lambda at step {}\n{t}", state.step),
        json!({ "command": "show", "what": "lambda", "step": state.step, "lambda": rows }),
    )
}

fn eta(ir: &Ir, state: &State) -> (String, Json) {
    let mut t = Table::new(&["edge", "eta", "ln eta"]);
    let mut rows = Vec::new();
    for (e, ln) in state.ln_etas().into_iter().enumerate() {
        let name = edge_name(ir, e);
        t.row(vec![
            name.clone(),
            shown(ln),
            if ln == f64::NEG_INFINITY {
                "-inf".into()
            } else {
                fmt_num(ln)
            },
        ]);
        rows.push(json!({ "edge": name, "eta": eta_plain(ir, e, ln), "ln_eta": ln_json(ln) }));
    }
    (
        format!("eta at step {}\n{t}", state.step),
        json!({ "command": "show", "what": "eta", "step": state.step, "eta": rows }),
    )
}

fn data(ir: &Ir) -> (String, Json) {
    let mut t = Table::new(&["sample", "input", "label", "weight"]);
    let mut rows = Vec::new();
    for s in &ir.data.samples {
        let input: Vec<&str> = s
            .input
            .iter()
            .map(|&n| ir.nodes[n as usize].name.as_str())
            .collect();
        let label = &ir.classes[s.label as usize].name;
        t.row(vec![
            s.name.clone(),
            format!("{{{}}}", input.join(" ")),
            label.clone(),
            fmt_num(s.weight),
        ]);
        rows.push(json!({ "name": s.name, "input": input, "label": label, "weight": s.weight }));
    }
    let mut text = if ir.data.samples.is_empty() {
        "no data samples\n".to_string()
    } else {
        t.to_string()
    };
    if ir.data.noise_flip > 0.0 {
        text.push_str(&format!("noise flip {}\n", fmt_num(ir.data.noise_flip)));
    }
    (
        text,
        json!({ "command": "show", "what": "data", "samples": rows, "noise_flip": ir.data.noise_flip }),
    )
}

fn rules(ir: &Ir, state: &State) -> (String, Json) {
    let (rules, source) = rules_now(ir, state);
    let mut t = Table::new(&["target", "grow", "shrink"]);
    let mut rows = Vec::new();
    for (n, node) in ir.nodes.iter().enumerate() {
        let (g, s) = (update_text(&rules.grow[n]), update_text(&rules.shrink[n]));
        t.row(vec![node.name.to_string(), g.clone(), s.clone()]);
        rows.push(json!({ "target": node.name, "grow": g, "shrink": s }));
    }
    for e in 0..ir.edges.len() {
        let name = edge_name(ir, e);
        let (g, s) = (
            update_text(&rules.grow_eta[e]),
            update_text(&rules.shrink_eta[e]),
        );
        t.row(vec![name.clone(), g.clone(), s.clone()]);
        rows.push(json!({ "target": name, "grow": g, "shrink": s }));
    }
    let mut text = format!("rules of {source}\n{t}");
    if rules.jitter > 0.0 {
        text.push_str(&format!("jitter {}\n", fmt_num(rules.jitter)));
    }
    let frozen = frozen_now(ir, state);
    if !frozen.is_empty() {
        text.push_str(&format!("frozen: {}\n", frozen.join(", ")));
    }
    (
        text,
        json!({ "command": "show", "what": "rules", "source": source, "rules": rows, "jitter": rules.jitter, "frozen": frozen }),
    )
}

fn frozen_now(ir: &Ir, state: &State) -> Vec<String> {
    let Some(t) = ir.train.as_ref().filter(|t| !t.phases.is_empty()) else {
        return Vec::new();
    };
    let phase = &t.phases[state.phase.min(t.phases.len() - 1)];
    let mut out: Vec<String> = phase
        .frozen_levels
        .iter()
        .enumerate()
        .filter(|(_, f)| **f)
        .map(|(l, _)| ir.levels[l].name.clone())
        .collect();
    if phase.freeze_eta {
        out.push("eta".to_string());
    }
    out
}

/// The answer of `info-plane`: one row per feature level.
pub fn info_plane(
    levels: &[nshed::analysis::LevelInformation],
    options: nshed::analysis::PlaneOptions,
    step: u64,
) -> String {
    let mut t = nshed::render::Table::new(&["level", "I(X;T) bits", "I(T;Y) bits"]);
    for l in levels {
        t.row(vec![l.level.clone(), fmt_num(l.i_xt), fmt_num(l.i_ty)]);
    }
    format!(
        "information plane at step {step} ({})\n{t}",
        options.describe()
    )
    .trim_end()
    .to_string()
}
