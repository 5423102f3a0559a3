//! `nshed repl [FILE]`: interactive on a terminal, a script runner otherwise.

use std::io::{IsTerminal, Write};

use super::output::{stdout_error, Stdout};
use super::{exit, CliError, Ctx};
use crate::repl::frontend::{run_interactive, run_script, Ended, MAX_INPUT_BYTES};
use crate::repl::Session;
use nshed::diag::RenderStyle;

#[derive(clap::Args, Debug)]
pub struct ReplArgs {
    /// The model to load (`:load FILE` inside the REPL loads another).
    #[arg(value_name = "FILE")]
    file: Option<String>,
    /// Answer every command with one JSON object (for scripts).
    #[arg(long)]
    json: bool,
}

/// Prints `text` and a newline to stdout, failing on a closed or full stdout.
fn say(text: &str) -> Result<(), CliError> {
    super::output::print_stdout(&format!("{text}\n"))
}

pub fn repl(ctx: &Ctx, args: &ReplArgs) -> Result<(), CliError> {
    let interactive = std::io::stdin().is_terminal();
    let style = if interactive {
        RenderStyle::for_stderr()
    } else {
        RenderStyle::Plain
    };
    let mut session = Session::new(args.json, style).with_limits(ctx.limits);
    let mut load_failed = false;
    if let Some(path) = &args.file {
        let outcome = session.load_path(path);
        if outcome.is_error {
            // The session opens anyway, with the problems shown and no model loaded: on a
            // terminal, fix the file and `:reload`; a script goes on (its `:load` lines
            // and the lines that need no model still run) and exits 1 at its end.
            load_failed = true;
            let note = if args.json {
                String::new()
            } else {
                session.failed_load_note(path)
            };
            let _ =
                std::io::stderr().write_all(format!("{}{note}", outcome.diagnostics).as_bytes());
            if args.json {
                say(&outcome.output)?;
            }
        } else {
            if interactive || args.json {
                // Scripts get only their own answers on stdout, except in JSON mode where
                // every command (the implicit load too) answers with one object.
                say(&outcome.output)?;
            }
            let _ = std::io::stderr().write_all(outcome.diagnostics.as_bytes());
        }
    }
    let ended = |e| match e {
        // An answer that could not be written ends the command as any failed write does.
        Ended::Output(e) => stdout_error(&e),
        Ended::Terminal(e) => CliError::io(e, "the REPL needs a working terminal"),
        Ended::Stopped(signal) => CliError::Stopped {
            signal,
            message: format!("the REPL was stopped by {}", signal.describe()),
        },
    };
    if interactive {
        let banner = "nshed REPL — `:help` lists the commands, Tab completes, Ctrl-D quits.";
        return run_interactive(&mut session, banner, &mut Stdout).map_err(ended);
    }
    // A script has no end of line to wait for forever: its lines are read with a limit,
    // and a stop signal ends the wait for the next one.
    let stdin = nshed::fsio::Input::stdin(usize::MAX, "a script").map_err(|e| {
        CliError::io(
            format!("cannot read standard input: {e}"),
            "give a script on standard input",
        )
    })?;
    let mut lines = nshed::fsio::Lines::new(stdin, MAX_INPUT_BYTES, "an input of the script");
    if run_script(&mut session, &mut lines, &mut Stdout).map_err(ended)? || load_failed {
        Err(CliError::Reported(exit::MODEL_ERROR))
    } else {
        Ok(())
    }
}
