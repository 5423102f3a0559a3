//! `nshed le`: the local-elasticity matrix over the data samples at the trained state.

use super::args::StateArgs;
use super::output::{note, print_json_text, print_stdout};
use super::{CliError, Ctx};
use nshed::query::{answer, Query, QueryKind};
use nshed::render::{le_matrix_json, Render};
use nshed::syntax::ast::Span;

#[derive(clap::Args, Debug)]
pub struct LeArgs {
    /// The model file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    file: String,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    state: StateArgs,
}

pub fn le(ctx: &Ctx, args: &LeArgs) -> Result<(), CliError> {
    let compiled = ctx.load(&args.file)?;
    let model = compiled.model();
    let state = args.state.state(&model);
    if compiled.ir().data.samples.is_empty() {
        note("note: the model has no data samples; the matrix is empty");
    }
    let query = Query {
        kind: QueryKind::LeMatrix,
        span: Span::default(),
    };
    let answer = answer(&model, &state, &query);
    if args.json {
        print_json_text(le_matrix_json(&answer))
    } else {
        print_stdout(&answer.table())
    }
}
