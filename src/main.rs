//! The `nshed` command: the command line, the REPL, the language server and the web app,
//! front ends over the `nshed` library (which they use like any other crate would, as
//! `nshed::...`).

mod cli;
mod lsp;
mod repl;
mod serve;
mod term;

fn main() -> std::process::ExitCode {
    cli::main()
}
