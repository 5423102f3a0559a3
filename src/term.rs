//! What the command line and the REPL share about the terminal: the one progress bar, and
//! the signals that stop a long computation (Ctrl-C, `kill`, a closed terminal).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use nshed::progress::Progress;

/// A progress bar on stderr, drawn only when stderr is a terminal.
pub struct Bar(indicatif::ProgressBar);

impl Bar {
    /// A bar counting `unit` (`steps`, `grid points`, ...); hidden unless `show` and stderr
    /// is a terminal.
    pub fn new(unit: &str, show: bool) -> Bar {
        if !show || !std::io::stderr().is_terminal() {
            return Bar(indicatif::ProgressBar::hidden());
        }
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(&bar_template(unit)) {
            bar.set_style(style.progress_chars(BAR_CHARS));
        }
        Bar(bar)
    }
}

/// The bar's characters: ASCII only, like its template, so that a line cut anywhere (by
/// Ctrl-C while it is drawn, or by a narrow terminal) never leaves half a character.
const BAR_CHARS: &str = "#>-";

fn bar_template(unit: &str) -> String {
    format!("{{bar:40}} {{pos}}/{{len}} {unit} ({{elapsed}}, {{eta}} left) - Ctrl-C stops")
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
        self.0.set_position(0);
    }

    fn set(&self, done: u64) {
        self.0.set_position(done);
    }

    fn advance(&self, units: u64) {
        self.0.inc(units);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// A signal that stops a long computation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (`kill`, `timeout`, a job scheduler).
    Terminate,
    /// SIGHUP (the terminal went away).
    HangUp,
}

impl Stop {
    /// The exit code a shell reports for a process ended by this signal (128 + its number).
    pub fn exit_code(self) -> u8 {
        match self {
            Stop::Interrupt => 130,
            Stop::Terminate => 143,
            Stop::HangUp => 129,
        }
    }

    /// How messages name it.
    pub fn describe(self) -> &'static str {
        match self {
            Stop::Interrupt => "Ctrl-C",
            Stop::Terminate => "SIGTERM",
            Stop::HangUp => "SIGHUP",
        }
    }
}

/// The stop flag that SIGINT, SIGTERM and SIGHUP set, and which of them came last.
pub struct Signals {
    flag: Arc<AtomicBool>,
    which: Arc<AtomicUsize>,
    /// While set, SIGTERM and SIGHUP end the process at once, as they would without
    /// handlers: a wait that cannot look at the flag (the line editor's) is under way.
    idle: Arc<AtomicBool>,
}

/// While alive, SIGTERM and SIGHUP end the process at once (see [`Signals::idle`]).
pub struct Idle<'a>(&'a AtomicBool);

impl Drop for Idle<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl Signals {
    /// The flag long computations look at (reset it before each one).
    pub fn flag(&self) -> &AtomicBool {
        &self.flag
    }

    /// The signal that set the flag, if it is set.
    pub fn stopped_by(&self) -> Option<Stop> {
        if !self.flag.load(Ordering::SeqCst) {
            return None;
        }
        Some(match self.which.load(Ordering::SeqCst) {
            SIGTERM => Stop::Terminate,
            SIGHUP => Stop::HangUp,
            _ => Stop::Interrupt,
        })
    }

    /// Clears the flag.
    pub fn reset(&self) {
        self.flag.store(false, Ordering::SeqCst);
    }

    /// Until the guard is dropped, SIGTERM and SIGHUP have their default meaning (the
    /// process ends, with the code a shell shows for the signal). For a wait in code that
    /// restarts its reads after a signal and never looks at the flag: the REPL's line
    /// editor at its prompt. SIGINT there is the editor's (Ctrl-C cancels the line).
    pub fn idle(&self) -> Idle<'_> {
        self.idle.store(true, Ordering::SeqCst);
        Idle(&self.idle)
    }
}

const SIGINT: usize = 2;
const SIGHUP: usize = 1;
const SIGTERM: usize = 15;

/// The process's stop signals, installed on first use: from then on SIGINT, SIGTERM and
/// SIGHUP set the flag instead of ending the process, and every read of a file or stream
/// (`fsio::Input`) that waits for data looks at it. Where a handler cannot be installed,
/// the signal keeps its default meaning.
pub fn signals() -> &'static Signals {
    static SIGNALS: OnceLock<Signals> = OnceLock::new();
    let signals = SIGNALS.get_or_init(|| {
        let signals = Signals {
            flag: Arc::new(AtomicBool::new(false)),
            which: Arc::new(AtomicUsize::new(0)),
            idle: Arc::new(AtomicBool::new(false)),
        };
        for (number, id) in [
            (SIGINT, signal_hook::consts::SIGINT),
            (SIGTERM, signal_hook::consts::SIGTERM),
            #[cfg(unix)]
            (SIGHUP, signal_hook::consts::SIGHUP),
        ] {
            if number != SIGINT {
                // First: when idle, the default action ends the process before the flag
                // is set for nobody.
                let _ =
                    signal_hook::flag::register_conditional_default(id, Arc::clone(&signals.idle));
            }
            // Order matters: the signal's number first, then the flag readers look at.
            let _ = signal_hook::flag::register_usize(id, Arc::clone(&signals.which), number);
            let _ = signal_hook::flag::register(id, Arc::clone(&signals.flag));
        }
        signals
    });
    nshed::fsio::stop_reads_on(&signals.flag);
    signals
}

#[cfg(test)]
mod bar_tests {
    use super::*;

    #[test]
    fn the_progress_bar_draws_only_ascii() {
        for unit in ["steps", "grid points", "points", "seeds"] {
            assert!(bar_template(unit).is_ascii(), "{unit}");
        }
        assert!(BAR_CHARS.is_ascii());
        // indicatif wants at least two characters (done, to do).
        assert!(BAR_CHARS.chars().count() >= 2);
    }
}
