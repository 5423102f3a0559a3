//! `nshed draw`: the model drawn like Figures 1 and 2 of seed 002, as SVG or Graphviz DOT.

use std::path::Path;

use super::run::{trained_state, StateArgs};
use super::{eprint_report, exit, load_model, print_stdout};
use crate::diag::Report;
use crate::engine::Model;
use crate::plot::{model_graph_dot, model_graph_svg, FigureOptions, GraphView};
use crate::query::{parse_query, QueryKind};

/// Options of `nshed draw`.
#[derive(clap::Args, Debug, Clone)]
pub struct DrawArgs {
    /// The model file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Highlight the pathway of this input: a data sample name or a pattern `{e1 e2}`.
    #[arg(long, value_name = "X")]
    pub input: Option<String>,
    /// Write the drawing as SVG to this file.
    #[arg(
        long,
        value_name = "PATH",
        required_unless_present = "dot",
        conflicts_with = "dot"
    )]
    pub svg: Option<String>,
    /// Print the drawing as Graphviz DOT to standard output.
    #[arg(long)]
    pub dot: bool,
    #[command(flatten)]
    pub state: StateArgs,
}

pub fn run(args: &DrawArgs) -> u8 {
    let compiled = match load_model(&args.file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let ir = &compiled.ir;
    // Parse the input before training, with the query language's own diagnostics.
    let input = match &args.input {
        None => None,
        Some(x) => {
            let text = format!("pathway {x}");
            match parse_query(ir, &text) {
                Ok(q) => match q.kind {
                    QueryKind::Pathway(input) => Some(input),
                    _ => None,
                },
                Err(problems) => {
                    eprint_report(&Report::new("input", &text, problems));
                    return exit::MODEL_ERROR;
                }
            }
        }
    };
    let model = Model::new(ir);
    let state = match trained_state(&model, &args.state, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut view = GraphView {
        ln_lambda: state.ln_lambdas(),
        ..GraphView::default()
    };
    let mut title = format!("{} at step {}", ir.model, state.step);
    if let Some(input) = &input {
        let ev = model.evaluate(&state, &input.input);
        let mut firing = vec![false; ir.nodes.len()];
        for &n in &ev.firing {
            if let Some(f) = firing.get_mut(n as usize) {
                *f = true;
            }
        }
        let mut reached = vec![false; ir.classes.len()];
        for e in &ir.edges {
            if firing.get(e.from as usize).copied().unwrap_or(false) {
                if let Some(r) = reached.get_mut(e.to as usize) {
                    *r = true;
                }
            }
        }
        view.firing = firing;
        view.class_reached = reached;
        let name = input
            .sample
            .clone()
            .or_else(|| args.input.clone())
            .unwrap_or_default();
        title.push_str(&format!(", pathway of {name}"));
    }
    if args.dot {
        return print_stdout(&model_graph_dot(ir, &view));
    }
    if let Some(path) = &args.svg {
        let svg = model_graph_svg(ir, &view, &FigureOptions::titled(title));
        if let Err(e) = crate::fsio::write_atomic(Path::new(path), svg.as_bytes()) {
            eprintln!("error: cannot write `{path}`: {e}");
            return exit::IO;
        }
    }
    exit::OK
}
