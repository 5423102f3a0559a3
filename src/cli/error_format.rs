//! `--error-format text|json`: how model diagnostics are printed. Text (miette's drawing,
//! on stderr) is the default; `json` prints one JSON object per diagnostic on stdout
//! (`diag::Report::to_json_lines`), for editors and scripts.

use super::Ctx;
use nshed::diag::Report;

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ErrorFormat {
    /// Drawn diagnostics on stderr.
    #[default]
    Text,
    /// One JSON object per diagnostic on stdout (JSON lines).
    Json,
}

impl Ctx {
    /// Prints a report's diagnostics in the chosen format.
    pub fn report(&self, report: &Report) {
        match self.error_format {
            ErrorFormat::Text => super::eprint_report(report),
            ErrorFormat::Json => {
                // A closed stdout leaves nowhere to say anything; the exit code still tells.
                let _ = super::output::print_stdout(&report.to_json_lines());
            }
        }
    }

    /// Prints a line for a person: on stdout, or on stderr when stdout carries JSON
    /// diagnostics.
    pub fn say(&self, line: &str) -> Result<(), super::CliError> {
        match self.error_format {
            ErrorFormat::Text => super::output::print_stdout(line),
            ErrorFormat::Json => {
                super::eprint_text(line);
                Ok(())
            }
        }
    }
}
