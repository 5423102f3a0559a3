//! `nshed le-matrix`: the local-elasticity matrix at the trained state (row = base sample),
//! its per (base class, test class) statistics, as a table, JSON or CSV, and optionally the
//! Figure 5 style histograms as SVG.

use super::args::StateArgs;
use super::output::{check_output_path, note, print_json_text, print_stdout, write_file};
use super::{CliError, Ctx};
use nshed::analysis::le_matrix_report;
use nshed::render::{le_matrix_csv, le_matrix_svg, le_matrix_table, sorted_json};

/// Options of `nshed le-matrix`.
#[derive(clap::Args, Debug, Clone)]
pub struct LeMatrixArgs {
    /// The model file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Print one JSON object instead of tables.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the matrix as CSV (header `base,<sample>...`; undefined values are empty).
    #[arg(long)]
    pub csv: bool,
    /// Write histograms of LE per base class (like the paper's Figure 5) to this SVG file.
    #[arg(long, value_name = "PATH")]
    pub svg: Option<String>,
    /// Number of histogram bins in the SVG.
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub bins: u64,
    /// Bin log10 LE instead of LE in the SVG (zeros left out): LE spans many decades when a base
    /// barely moves its own logits.
    #[arg(long)]
    pub log: bool,
    #[command(flatten)]
    pub state: StateArgs,
    #[arg(long, help = super::args::FORCE_HELP)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, args: &LeMatrixArgs) -> Result<(), CliError> {
    ctx.force(args.force);
    let compiled = ctx.load(&args.file)?;
    if let Some(path) = &args.svg {
        check_output_path(ctx, path)?;
    }
    let ir = compiled.ir();
    let model = compiled.model();
    let state = args.state.state(&model);
    if ir.data.samples.is_empty() {
        note("note: the model has no data samples; the matrix is empty");
    }
    let report =
        le_matrix_report(&model, &state).map_err(|e| CliError::failed(e.to_string(), None))?;
    if let Some(path) = &args.svg {
        let bins = usize::try_from(args.bins).unwrap_or(usize::MAX);
        let svg = le_matrix_svg(&report, bins, args.log).map_err(|e| CliError::failed(e, None))?;
        write_file(ctx, path, svg.as_bytes())?;
    }
    if args.json {
        print_json_text(sorted_json(&report))
    } else if args.csv {
        print_stdout(&le_matrix_csv(&report))
    } else {
        print_stdout(&le_matrix_table(&report))
    }
}
