//! The real binary under a pseudo-terminal: tab completion, Ctrl-C cancelling a line and
//! interrupting a long `train`, multi-line input, Ctrl-D quitting, history on disk.

use std::process::Command;

use rexpect::session::{spawn_command, PtySession};

const TIMEOUT_MS: u64 = 20_000;

fn start(model: &str, data_home: &std::path::Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nshed"));
    cmd.args(["repl", model])
        .env("XDG_DATA_HOME", data_home)
        .env("HOME", data_home)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(TIMEOUT_MS)).expect("nshed repl starts under a pty");
    prompt(&mut p, "the first prompt appears");
    p
}

/// Waits for the prompt, then for the line editor to switch the terminal to raw mode
/// (which discards input typed before it).
fn prompt(p: &mut PtySession, what: &str) {
    p.exp_string("nshed> ").expect(what);
    std::thread::sleep(std::time::Duration::from_millis(300));
}

#[test]
fn completion_ctrl_c_multiline_and_history() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut p = start("tests/models/fig1_plain.nshed", home.path());

    // Tab completes a command, then a sample name.
    p.send("path\t").expect("send");
    p.flush().expect("flush");
    p.exp_string("pathway")
        .expect("`path<Tab>` completes to `pathway`");
    p.send(" c1\t").expect("send");
    p.flush().expect("flush");
    p.exp_string("c1").expect("sample names complete");
    // Ctrl-C cancels the line being typed; the session goes on.
    p.send_control('c').expect("send Ctrl-C");
    prompt(&mut p, "a fresh prompt after Ctrl-C");

    // A line with an open brace asks for more.
    p.send_line("pathway {e1").expect("send");
    p.send_line("e2}").expect("send");
    p.exp_string("wholes  t1")
        .expect("the multi-line pattern is answered");
    prompt(&mut p, "prompt");

    // Ctrl-C during a long `train` stops it and keeps the steps taken.
    p.send_line("train 100000000").expect("send");
    std::thread::sleep(std::time::Duration::from_millis(500));
    p.send_control('c').expect("send Ctrl-C");
    p.exp_string("interrupted by Ctrl-C")
        .expect("train stops on Ctrl-C");
    prompt(&mut p, "prompt");
    p.send_line("history").expect("send");
    p.exp_string("train 100000000")
        .expect("the interrupted run is in the history");
    prompt(&mut p, "prompt");

    // Ctrl-D quits.
    p.send_control('d').expect("send Ctrl-D");
    p.exp_eof().expect("the REPL exits on Ctrl-D");

    let history = std::fs::read_to_string(home.path().join("nshed").join("history.txt"))
        .expect("the history is saved under the data directory");
    assert!(history.contains("history"), "history file:\n{history}");
}
