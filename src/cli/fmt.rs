//! `nshed fmt`: rewrite files in the canonical layout (`syntax::print`).

use std::path::{Path, PathBuf};

use super::error_format::ErrorFormat;
use super::output::{note, print_stdout};
use super::{exit, CliError, Ctx};
use nshed::diag::Report;
use nshed::fsio::Accept;

#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Files to format, directories (every `.nshed` file under them, hidden ones and links
    /// to directories left out), or `-` to read standard input and write the formatted
    /// text to standard output.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Change nothing; list the files that are not formatted and exit 1 if there are any
    /// (with `--error-format json`, one JSON diagnostic per file).
    #[arg(long)]
    pub check: bool,
}

/// A file to format, and what it may be.
struct Target {
    path: PathBuf,
    /// A file named on the command line may be a pipe when it is only read (`--check`);
    /// one found in a directory, or written back, must be a regular file.
    accept: Accept,
}

/// Formats every file, reporting syntax errors as it goes (such a file is left as it is);
/// the exit code is 1 if a file had errors or, with `--check`, is not formatted.
pub fn run(ctx: &Ctx, args: &FmtArgs) -> Result<(), CliError> {
    let mut failed = false;
    let mut unformatted = Vec::new();
    for target in targets(args)? {
        let source = if target.path == Path::new("-") {
            nshed::source::load("-")
        } else {
            nshed::source::load_path(&target.path, target.accept)
        };
        let source = match source {
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
                if ctx.error_format == ErrorFormat::Json {
                    let problem = nshed::syntax::print::not_formatted(&source.text, &formatted);
                    ctx.report(&Report::new(&source.name, &source.text, vec![problem]));
                }
                unformatted.push(source.name.clone());
            }
        } else if target.path == Path::new("-") {
            print_stdout(&formatted)?;
        } else if formatted != source.text {
            // In place, by design: the one output `fmt` writes over is its own input (a
            // regular file, checked when it was read).
            nshed::fsio::write_atomic(&target.path, formatted.as_bytes()).map_err(|e| {
                CliError::io(
                    format!(
                        "cannot write `{}`: {}",
                        source.name,
                        nshed::source::io_reason(&e)
                    ),
                    "check that the file and its directory are writable",
                )
            })?;
        }
    }
    if !unformatted.is_empty() {
        if ctx.error_format == ErrorFormat::Text {
            let mut list = unformatted.join("\n");
            list.push('\n');
            print_stdout(&list)?;
        }
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

/// The files the arguments name, in their order (a directory's files sorted), each once:
/// `-`, files named, and the `.nshed` files of directories (`fsio::walk`). What cannot be
/// formatted in place, or was found in a directory and is not a regular file, is skipped
/// with a note.
fn targets(args: &FmtArgs) -> Result<Vec<Target>, CliError> {
    let mut targets = Vec::new();
    for path in &args.files {
        if path == Path::new("-") {
            targets.push(Target {
                path: path.clone(),
                accept: Accept::Any,
            });
            continue;
        }
        if !path.is_dir() {
            if !args.check && std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
                let what = std::fs::metadata(path)
                    .map_or("not a file", |m| nshed::fsio::describe_kind(m.file_type()));
                note(&format!(
                    "note: skipped {}: it is {what}, which cannot be rewritten in place (`nshed fmt - < FILE` prints it formatted)",
                    path.display()
                ));
                continue;
            }
            // A missing file is reported when it is read.
            let accept = if args.check {
                Accept::Any
            } else {
                Accept::RegularFile
            };
            targets.push(Target {
                path: path.clone(),
                accept,
            });
            continue;
        }
        let found = nshed::fsio::walk(std::slice::from_ref(path), "nshed").map_err(|e| {
            CliError::model(Report::new(
                &e.path.display().to_string(),
                "",
                vec![
                    nshed::diag::Problem::error(nshed::diag::ErrorCode::Io, e.to_string())
                        .help("check the directory's permissions"),
                ],
            ))
        })?;
        for (skipped, what) in &found.skipped {
            note(&format!(
                "note: skipped {}: it is {what}, not a regular file",
                skipped.display()
            ));
        }
        targets.extend(found.files.into_iter().map(|path| Target {
            path,
            accept: Accept::RegularFile,
        }));
    }
    // A file named twice (or reached through a link and directly) is formatted once.
    let mut seen = std::collections::HashSet::new();
    targets.retain(|t| {
        t.path == Path::new("-")
            || seen.insert(std::fs::canonicalize(&t.path).unwrap_or_else(|_| t.path.clone()))
    });
    Ok(targets)
}
