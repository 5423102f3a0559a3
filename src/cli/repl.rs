//! `nshed repl [FILE]`: interactive on a terminal, a script runner otherwise.

use std::io::IsTerminal;
use std::sync::atomic::AtomicBool;

use super::exit;
use crate::diag::RenderStyle;
use crate::repl::frontend::{run_interactive, run_script, Evaluator};
use crate::repl::Session;

pub fn repl(file: Option<&str>, json: bool) -> u8 {
    let interactive = std::io::stdin().is_terminal();
    let style = if interactive {
        RenderStyle::for_stderr()
    } else {
        RenderStyle::Plain
    };
    let mut session = Session::new(json, style);
    if let Some(path) = file {
        let outcome = session.eval(&format!(":load {path}"), &AtomicBool::new(false));
        if outcome.is_error {
            eprint!("{}", outcome.diagnostics);
            if json {
                println!("{}", outcome.output);
            }
            return exit::MODEL_ERROR;
        }
        if interactive || json {
            // Scripts get only their own answers on stdout, except in JSON mode where
            // every command (the implicit load too) answers with one object.
            println!("{}", outcome.output);
        }
        eprint!("{}", outcome.diagnostics);
    }
    if interactive {
        let banner = "nshed REPL — `:help` lists the commands, Tab completes, Ctrl-D quits.";
        match run_interactive(&mut session, banner) {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("error: {e}");
                exit::IO
            }
        }
    } else if run_script(&mut session, std::io::stdin().lock()) {
        exit::MODEL_ERROR
    } else {
        exit::OK
    }
}
