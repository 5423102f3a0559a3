//! `nshed lsp`: the language server on stdio, and its exit status.

use super::{exit, output, CliError};
use crate::lsp::Ended;

/// Serves until the client says `exit` or closes stdin. The status is 0 after
/// `shutdown` and 1 without it (as the protocol says), 1 after an unreadable message
/// header (said on stderr), and that of a closed or failing standard output when an
/// answer could not be written.
pub fn run() -> Result<(), CliError> {
    match crate::lsp::run_stdio(output::Stdout) {
        Ended::Clean => Ok(()),
        Ended::WithoutShutdown => Err(CliError::Reported(exit::MODEL_ERROR)),
        Ended::Unreadable(reason) => Err(CliError::failed(
            format!("the language server stopped: {reason}"),
            Some(format!(
                "messages are `Content-Length: N` and a blank line, then N bytes of JSON; \
                 header lines are at most {} bytes",
                crate::lsp::MAX_HEADER_LINE
            )),
        )),
        Ended::Unwritable(e) => Err(output::stdout_error(&e)),
    }
}
