//! `nshed test`: flags → `suite::run` → the report as text or JSON.

use std::path::PathBuf;

use super::{exit, print_stdout, run::print_json};
use crate::diag::{RenderStyle, Report};
use crate::suite::{self, Options};

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Model files, or directories meaning every `*.nshed` below them (default: the
    /// current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write or update each model's golden report (MODEL.golden.json beside it) instead
    /// of comparing with it; reports that already match are left as they are.
    #[arg(long)]
    pub bless: bool,
    /// Test only the models whose path contains this text.
    #[arg(long, value_name = "SUBSTRING")]
    pub filter: Option<String>,
    /// Print one JSON object instead of the text report.
    #[arg(long)]
    pub json: bool,
    /// Relative tolerance of numbers in golden reports.
    #[arg(long, value_name = "R", default_value_t = 1e-9, value_parser = parse_rtol)]
    pub rtol: f64,
    /// Differences of a golden report listed in full (the rest are counted).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_diffs: usize,
}

fn parse_rtol(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if r.is_finite() && r >= 0.0 => Ok(r),
        _ => Err(format!(
            "`{text}` is not a tolerance: give a number >= 0, like 1e-9"
        )),
    }
}

pub fn run(args: &TestArgs) -> u8 {
    let options = Options {
        rtol: args.rtol,
        bless: args.bless,
        filter: args.filter.clone(),
        max_diffs: args.max_diffs,
    };
    let report = match suite::run(&args.paths, &options) {
        Ok(report) => report,
        Err(problem) => {
            super::eprint_report(&Report::new("nshed test", "", vec![problem]));
            return exit::USAGE;
        }
    };
    let code = if args.json {
        print_json(&report)
    } else {
        print_stdout(&report.render(RenderStyle::for_stdout()))
    };
    match (code, report.all_passed()) {
        (exit::OK, true) => exit::OK,
        (exit::OK, false) => exit::MODEL_ERROR,
        (io, _) => io,
    }
}
