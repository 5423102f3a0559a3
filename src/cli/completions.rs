//! `nshed completions SHELL`: a completion script for the shell, written to stdout.

use clap::CommandFactory;

use super::output::print_stdout;
use super::{Cli, CliError};

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in. Install, for example, with
    /// `nshed completions bash > ~/.local/share/bash-completion/completions/nshed`,
    /// `nshed completions zsh > ~/.zfunc/_nshed` (with `fpath+=~/.zfunc` before
    /// `compinit`) or `nshed completions fish > ~/.config/fish/completions/nshed.fish`.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

pub fn run(args: &CompletionsArgs) -> Result<(), CliError> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "nshed", &mut script);
    print_stdout(&String::from_utf8_lossy(&script))
}
