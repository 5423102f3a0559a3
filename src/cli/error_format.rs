//! `--error-format text|json`: how model diagnostics are printed. Text (miette's drawing,
//! on stderr) is the default; `json` prints one JSON object per diagnostic on stdout
//! (`diag::Report::to_json_lines`), for editors and scripts.

use std::sync::OnceLock;

use crate::diag::{RenderStyle, Report};

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ErrorFormat {
    /// Drawn diagnostics on stderr.
    #[default]
    Text,
    /// One JSON object per diagnostic on stdout (JSON lines).
    Json,
}

static FORMAT: OnceLock<ErrorFormat> = OnceLock::new();

/// Sets the format for the rest of the process (the CLI calls it once from its flags).
pub fn set(format: ErrorFormat) {
    let _ = FORMAT.set(format);
}

pub fn get() -> ErrorFormat {
    FORMAT.get().copied().unwrap_or_default()
}

/// Prints a report's diagnostics in the chosen format.
pub fn print_report(report: &Report) {
    match get() {
        ErrorFormat::Text => {
            super::print_stderr(&report.render(RenderStyle::for_stderr()));
        }
        ErrorFormat::Json => {
            // A closed stdout leaves nowhere to say anything; the exit code still tells.
            let _ = super::print_stdout(&report.to_json_lines());
        }
    }
}
