//! `nshed draw`: the model drawn with levels as rows, as SVG or Graphviz DOT.

use super::args::StateArgs;
use super::output::{check_output_path, print_stdout, write_file};
use super::{CliError, Ctx};
use nshed::analysis::ModelDrawing;
use nshed::diag::Report;
use nshed::query::parse_input;
use nshed::render::figure::{model_graph_dot, model_graph_svg, FigureOptions};

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
    #[arg(long, help = super::args::FORCE_HELP)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, args: &DrawArgs) -> Result<(), CliError> {
    ctx.force(args.force);
    let compiled = ctx.load(&args.file)?;
    if let Some(path) = &args.svg {
        check_output_path(ctx, path)?;
    }
    let ir = compiled.ir();
    // Parse the input before training, with the query language's own diagnostics.
    let input = match &args.input {
        None => None,
        Some(x) => Some(parse_input(ir, x).map_err(|problems| Report::new("input", x, problems))?),
    };
    let model = compiled.model();
    let state = args.state.state(&model);
    let highlighted = input.as_ref().map(|i| {
        let name = i
            .sample
            .clone()
            .or_else(|| args.input.clone())
            .unwrap_or_default();
        (i.input.as_slice(), name)
    });
    let drawing = ModelDrawing::of(&model, &state, highlighted)
        .with_label(input.as_ref().and_then(|i| i.label));
    if args.dot {
        return print_stdout(&model_graph_dot(&drawing));
    }
    match &args.svg {
        Some(path) => write_file(
            ctx,
            path,
            model_graph_svg(&drawing, &FigureOptions::titled(drawing.title())).as_bytes(),
        ),
        None => Ok(()),
    }
}
