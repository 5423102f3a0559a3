//! `nshed draw`: the model drawn like Figures 1 and 2 of seed 002, as SVG or Graphviz DOT.

use super::run::{trained_state, StateArgs};
use super::{eprint_report, exit, load_model, print_stdout};
use crate::diag::Report;
use crate::engine::Model;
use crate::plot::{model_graph_dot, model_graph_svg, FigureOptions, GraphView};
use crate::query::parse_input;

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
        Some(x) => match parse_input(ir, x) {
            Ok(input) => Some(input),
            Err(problems) => {
                eprint_report(&Report::new("input", x, problems));
                return exit::MODEL_ERROR;
            }
        },
    };
    let model = Model::new(ir);
    let state = match trained_state(&model, &args.state, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let view = GraphView::of(&model, &state, input.as_ref().map(|i| i.input.as_slice()));
    let mut title = format!("{} at step {}", ir.model, state.step);
    if let Some(input) = &input {
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
        let code = super::write_output(path, svg.as_bytes());
        if code != exit::OK {
            return code;
        }
    }
    exit::OK
}
