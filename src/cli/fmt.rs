//! `nshed fmt`: rewrite files in the canonical layout (`syntax::print`).

use super::{eprint_report, exit, print_stdout};
use crate::diag::Report;

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

pub fn run(args: &FmtArgs) -> u8 {
    let files = match crate::source::expand_dirs(&args.files) {
        Ok(files) => files,
        Err(report) => {
            eprint_report(&report);
            return exit::MODEL_ERROR;
        }
    };
    let mut code = exit::OK;
    let mut unformatted = Vec::new();
    for file in &files {
        let source = match crate::source::load(file) {
            Ok(s) => s,
            Err(report) => {
                eprint_report(&report);
                code = code.max(exit::MODEL_ERROR);
                continue;
            }
        };
        let formatted = match crate::syntax::print::format_source(&source.text) {
            Ok(text) => text,
            Err(problem) => {
                // A file that does not parse is reported and left as it is.
                eprint_report(&Report::new(&source.name, &source.text, vec![problem]));
                code = code.max(exit::MODEL_ERROR);
                continue;
            }
        };
        if args.check {
            if formatted != source.text {
                unformatted.push(source.name.clone());
            }
        } else if file == "-" {
            code = code.max(print_stdout(&formatted));
        } else if formatted != source.text {
            code = code.max(super::write_output(file, formatted.as_bytes()));
        }
    }
    if !unformatted.is_empty() {
        let mut list = unformatted.join("\n");
        list.push('\n');
        code = code.max(print_stdout(&list)).max(exit::MODEL_ERROR);
        let n = unformatted.len();
        eprintln!(
            "{n} file{} not formatted; `nshed fmt FILE` rewrites {}",
            if n == 1 { " is" } else { "s are" },
            if n == 1 { "it" } else { "them" }
        );
    }
    code
}
