//! `nshed test`: flags → `suite::run` → the report as text or JSON.

use std::path::PathBuf;

use super::output::{print_json, print_stdout};
use super::{exit, CliError, Ctx};
use nshed::diag::RenderStyle;
use nshed::render::test_report_text;
use nshed::suite::{self, Options};

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Model files, or directories meaning every `*.nshed` below them (default: the
    /// current directory).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Write or update each model's golden report (MODEL.golden.json beside it) instead
    /// of comparing with it; reports that already match are left as they are.
    #[arg(long)]
    bless: bool,
    /// Test only the models whose path contains this text.
    #[arg(long, value_name = "SUBSTRING")]
    filter: Option<String>,
    /// Print one JSON object instead of the text report.
    #[arg(long)]
    json: bool,
    /// Relative tolerance of numbers in golden reports.
    #[arg(long, value_name = "R", default_value = "1e-9", value_parser = parse_rtol)]
    rtol: f64,
    /// Differences of a golden report listed in full (the rest are counted).
    #[arg(long, value_name = "N", default_value_t = 10)]
    max_diffs: usize,
    /// With --bless: write a golden report even over a file that holds a model (never
    /// through a symbolic link).
    #[arg(long)]
    force: bool,
}

fn parse_rtol(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if r.is_finite() && r >= 0.0 => Ok(r),
        _ => Err(format!(
            "`{text}` is not a tolerance: give a number >= 0, like 1e-9"
        )),
    }
}

/// Exit 0 when every model passes, 1 when one fails, 2 when nothing could be tested.
pub fn run(ctx: &Ctx, args: &TestArgs) -> Result<(), CliError> {
    let options = Options {
        rtol: args.rtol,
        bless: args.bless,
        filter: args.filter.clone(),
        max_diffs: args.max_diffs,
        limits: ctx.limits,
        force: args.force,
    };
    let report = suite::run(&args.paths, &options).map_err(CliError::Usage)?;
    if args.json {
        print_json(&report)?;
    } else {
        print_stdout(&test_report_text(&report, RenderStyle::for_stdout()))?;
    }
    let over_input = report.models.iter().any(|m| {
        matches!(
            m.golden.as_ref().map(|g| &g.status),
            Some(suite::GoldenStatus::NotWritten { input: Some(_), .. })
        )
    });
    if over_input {
        // A golden report that would replace a model file: a refused output (the report
        // above names both files).
        Err(CliError::Reported(exit::IO))
    } else if report.all_passed() {
        Ok(())
    } else {
        Err(CliError::Reported(exit::MODEL_ERROR))
    }
}
