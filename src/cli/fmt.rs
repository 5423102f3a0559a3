//! `nshed fmt`: rewrite files in the canonical layout (`syntax::print`).

use super::output::{print_stdout, write_file};
use super::{exit, CliError, Ctx};
use nshed::diag::Report;

#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Files to format, directories (every `.nshed` file under them), or `-` to read
    /// standard input and write the formatted text to standard output.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Change nothing; list the files that are not formatted and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
}

/// Formats every file, reporting syntax errors as it goes (such a file is left as it is);
/// the exit code is 1 if a file had errors or, with `--check`, is not formatted.
pub fn run(ctx: &Ctx, args: &FmtArgs) -> Result<(), CliError> {
    let files = nshed::source::expand_dirs(&args.files).map_err(CliError::model)?;
    let mut failed = false;
    let mut unformatted = Vec::new();
    for file in &files {
        let source = match nshed::source::load(file) {
            Ok(s) => s,
            Err(report) => {
                ctx.report(&report);
                failed = true;
                continue;
            }
        };
        let formatted = match nshed::syntax::print::format_source(&source.text) {
            Ok(text) => text,
            Err(problems) => {
                ctx.report(&Report::new(&source.name, &source.text, problems));
                failed = true;
                continue;
            }
        };
        if args.check {
            if formatted != source.text {
                unformatted.push(source.name.clone());
            }
        } else if file == "-" {
            print_stdout(&formatted)?;
        } else if formatted != source.text {
            // In place, by design: the one output `fmt` writes over is its own input.
            write_file(ctx, file, formatted.as_bytes())?;
        }
    }
    if !unformatted.is_empty() {
        let mut list = unformatted.join("\n");
        list.push('\n');
        print_stdout(&list)?;
        let n = unformatted.len();
        super::eprint_text(&format!(
            "{n} file{} not formatted; `nshed fmt FILE` rewrites {}\n",
            if n == 1 { " is" } else { "s are" },
            if n == 1 { "it" } else { "them" }
        ));
        failed = true;
    }
    if failed {
        Err(CliError::Reported(exit::MODEL_ERROR))
    } else {
        Ok(())
    }
}
