//! `nshed query FILE 'QUERY'`: answer one query at the trained state.

use super::args::StateArgs;
use super::output::{print_json_text, print_stdout};
use super::{CliError, Ctx};
use nshed::diag::Report;
use nshed::query::{answer, parse_query};
use nshed::render::Render;

#[derive(clap::Args, Debug)]
pub struct QueryArgs {
    /// The model file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    file: String,
    /// The query, e.g. 'pathway c1a', 'scores {e1 e2}', 'le c1a {e2 e3}'.
    #[arg(value_name = "QUERY")]
    query: String,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    state: StateArgs,
}

pub fn query(ctx: &Ctx, args: &QueryArgs) -> Result<(), CliError> {
    let compiled = ctx.load(&args.file)?;
    // Parse before training: a typo should not cost a long run.
    let query = parse_query(compiled.ir(), &args.query)
        .map_err(|problems| Report::new("query", &args.query, problems))?;
    let model = compiled.model();
    let state = args.state.state(&model);
    let answer = answer(&model, &state, &query);
    if args.json {
        print_json_text(answer.json())
    } else {
        print_stdout(&answer.table())
    }
}
