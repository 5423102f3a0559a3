//! `nshed check` and `nshed ir`.

use super::output::print_json;
use super::{eprint_text, exit, CliError, Ctx};
use nshed::ir::Ir;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files to check (`-` reads standard input).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct IrArgs {
    /// The file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    file: String,
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// One line: what the model holds.
pub fn summary(name: &str, ir: &Ir) -> String {
    let phases = ir.train.as_ref().map_or(0, |t| t.phases.len());
    format!(
        "{name}: ok — model `{}`: {}, {} class edges, {} samples, {} training phase{}",
        ir.model,
        ir.size_summary(),
        ir.edges.len(),
        ir.data.samples.len(),
        phases,
        plural(phases)
    )
}

/// Checks every file, reporting as it goes; the exit code is the worst file's.
pub fn check(ctx: &Ctx, args: &CheckArgs) -> Result<(), CliError> {
    let mut code = exit::OK;
    for file in &args.files {
        match nshed::compile_path_with(file, &ctx.limits) {
            Ok(compiled) => {
                if !compiled.warnings().problems.is_empty() {
                    ctx.report(compiled.warnings());
                }
                let mut line = summary(&compiled.source().name, compiled.ir());
                let warnings = compiled.warnings().warning_count();
                if warnings > 0 {
                    line.push_str(&format!(", {warnings} warning{}", plural(warnings)));
                }
                line.push('\n');
                ctx.say(&line)?;
            }
            Err(report) => {
                ctx.report(&report);
                let errors = report.error_count();
                let warnings = report.warning_count();
                let mut line = format!(
                    "{}: {} error{}",
                    report.source.name(),
                    errors,
                    plural(errors)
                );
                if warnings > 0 {
                    line.push_str(&format!(", {warnings} warning{}", plural(warnings)));
                }
                line.push('\n');
                eprint_text(&line);
                code = exit::MODEL_ERROR;
            }
        }
    }
    if code == exit::OK {
        Ok(())
    } else {
        Err(CliError::Reported(code))
    }
}

pub fn ir(ctx: &Ctx, args: &IrArgs) -> Result<(), CliError> {
    print_json(&ctx.load(&args.file)?.ir())
}
