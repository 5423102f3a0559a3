//! The `nshed` command: the command line, the REPL, the language server and the web app,
//! front ends over the `nshed` library (which they use like any other crate would, as
//! `nshed::...`).

mod cli;
mod lsp;
mod repl;
mod serve;
mod term;

/// The integration tests' source mutator, for the unit tests that run the front ends on the
/// same mutants.
#[cfg(test)]
#[path = "../tests/integration/support/mutate.rs"]
mod mutate;

fn main() -> std::process::ExitCode {
    cli::main()
}
