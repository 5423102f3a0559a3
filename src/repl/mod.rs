//! The REPL (`nshed repl`): `command` parses a line, `session` evaluates it against a
//! model and its state, `show` renders `show ...`, `help` is the command reference,
//! `frontend` is the terminal (rustyline) and the script mode.

pub mod command;
pub mod complete;
pub mod frontend;
pub mod help;
pub mod session;
pub mod show;
#[cfg(test)]
mod transcripts;

pub use session::Session;
