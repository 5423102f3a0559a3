//! The real binary under a pseudo-terminal: typed-ahead and pasted lines (bracketed or
//! not) all run in order, tab completion by position, the continuation prompt, a broken
//! model file opening a session anyway, Ctrl-C cancelling a line and interrupting a long
//! `train`, Ctrl-D quitting, history on disk.
//!
//! Nothing here sleeps to decide a result: each step waits for what the terminal shows,
//! with rexpect's deadline (`TIMEOUT_MS`) as the only clock.

use std::process::Command;

use rexpect::session::{spawn_command, PtySession};

const TIMEOUT_MS: u64 = 30_000;
const PROMPT: &str = "nshed> ";
const CONTINUATION: &str = "  ...> ";

fn start(model: &str, data_home: &std::path::Path) -> PtySession {
    let mut p = spawn(model, data_home);
    prompt(&mut p, "the first prompt appears");
    p
}

fn spawn(model: &str, data_home: &std::path::Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nshed"));
    cmd.args(["repl", model])
        .env("XDG_DATA_HOME", data_home)
        .env("HOME", data_home)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    spawn_command(cmd, Some(TIMEOUT_MS)).expect("nshed repl starts under a pty")
}

fn prompt(p: &mut PtySession, what: &str) {
    p.exp_string(PROMPT).expect(what);
}

/// Writes `keys` at once, as a fast typist or a paste delivers them.
fn type_keys(p: &mut PtySession, keys: &str) {
    p.send(keys).expect("send");
    p.flush().expect("flush");
}

#[test]
fn typed_ahead_lines_all_run_in_order() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut p = start("tests/models/fig1_plain.nshed", home.path());

    // Three lines in one write: each is answered, in order.
    type_keys(&mut p, "pathway c1a\rpathway c2\rscores c3\r");
    p.exp_string("pathway of c1a").expect("the first line runs");
    p.exp_string("pathway of c2").expect("the second line runs");
    p.exp_string("scores of c3").expect("the third line runs");
    prompt(&mut p, "prompt after the typed-ahead lines");

    // Lines typed while `train` runs wait for it, then run in order.
    type_keys(&mut p, "train 100000\r");
    p.exp_regex(r"/100000 steps|trained 100000 steps")
        .expect("the training starts");
    type_keys(&mut p, "pathway c3\rpredict c1b\r");
    p.exp_string("trained 100000 steps")
        .expect("the training ends");
    p.exp_string("pathway of c3")
        .expect("a line typed during `train` runs");
    p.exp_string("c1b {e2 e3} -> c1: predicted")
        .expect("the next typed line runs too");
    prompt(&mut p, "prompt");

    p.send_control('d').expect("send Ctrl-D");
    p.exp_eof().expect("the REPL exits on Ctrl-D");
}

#[test]
fn pasted_lines_all_run_in_order_bracketed_or_not() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut p = start("tests/models/fig1_plain.nshed", home.path());

    // A terminal with bracketed paste hands several lines over as one edit, then Enter.
    type_keys(
        &mut p,
        "\x1b[200~pathway c1a\npathway c2\npathway {e1\ne2}\n\x1b[201~\r",
    );
    p.exp_string("pathway of c1a")
        .expect("the first pasted line runs");
    p.exp_string("pathway of c2")
        .expect("the second pasted line runs");
    p.exp_string("pathway of {e1 e2}")
        .expect("a pasted input spanning lines runs as one");
    prompt(&mut p, "prompt after the paste");

    // Without a final line end in the paste, Enter ends the last line.
    type_keys(&mut p, "\x1b[200~predict c3\r\npredict c1a\x1b[201~\r");
    p.exp_string("c3 {e5 e6 e7} -> c3: predicted")
        .expect("the first line runs");
    p.exp_string("c1a {e1 e2} -> c1: predicted")
        .expect("the last line runs");
    prompt(&mut p, "prompt");

    // A terminal without bracketed paste types the lines as keys.
    type_keys(&mut p, "le c1a c2\rle c2 c1a\r");
    p.exp_string("LE(base c1a").expect("the first line runs");
    p.exp_string("LE(base c2").expect("the second line runs");
    prompt(&mut p, "prompt");

    p.send_control('d').expect("send Ctrl-D");
    p.exp_eof().expect("the REPL exits on Ctrl-D");
}

#[test]
fn tab_completes_by_position() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut p = start("tests/models/fig1_plain.nshed", home.path());

    // At the start only commands complete: `pa` is `pathway`, not the level `parts`.
    type_keys(&mut p, "pa\t c1a\r");
    p.exp_string("pathway of c1a")
        .expect("`pa<Tab>` completed to `pathway`");
    prompt(&mut p, "prompt");

    // `le-matrix` completes as one word.
    type_keys(&mut p, "le-m\t\r");
    p.exp_string("local elasticity (row = base, column = test)")
        .expect("`le-m<Tab>` completed to `le-matrix`");
    prompt(&mut p, "prompt");

    // After `show lambda`, levels and nodes; after `set eta`, edges.
    type_keys(&mut p, "show lambda pa\t\r");
    p.exp_string("m4    parts")
        .expect("`show lambda pa<Tab>` completed to the level `parts`");
    prompt(&mut p, "prompt");
    type_keys(&mut p, "set eta t3-\t = 2\r");
    p.exp_string("eta t3->c3 = 2")
        .expect("`set eta t3-<Tab>` completed to the edge `t3->c3`");
    prompt(&mut p, "prompt");

    // After `scores`, samples and not classes: Tab cycles through `c1a` and `c1b` (the
    // class `c1` is no candidate), so one Tab gives `scores c1a`.
    type_keys(&mut p, "scores c1\t\r");
    p.exp_string("scores of c1a {e1 e2} -> c1")
        .expect("`scores c1<Tab>` completed to the sample `c1a`");
    prompt(&mut p, "prompt");
    type_keys(&mut p, "predict c1\t\t\r");
    p.exp_string("c1b {e2 e3} -> c1: predicted")
        .expect("a second Tab gives the next sample, `c1b`");
    prompt(&mut p, "prompt");

    // After `:load`, file paths.
    type_keys(&mut p, ":load tests/models/fig1_pl\t\r");
    p.exp_string("loaded model `fig1` from tests/models/fig1_plain.nshed")
        .expect("the path completed and loaded");
    prompt(&mut p, "prompt");

    p.send_control('d').expect("send Ctrl-D");
    p.exp_eof().expect("the REPL exits on Ctrl-D");
}

#[test]
fn a_model_with_errors_opens_a_session_to_fix_it_in() {
    let home = tempfile::tempdir().expect("temp dir");
    let file = home.path().join("broken.nshed");
    let good = std::fs::read_to_string("tests/models/fig1_plain.nshed").expect("fig1");
    std::fs::write(
        &file,
        good.replace("m1 = any(e1, e2, e3)", "m1 = any(e1, e2, e9)"),
    )
    .expect("write the broken model");
    let path = file.to_str().expect("UTF-8 temp path");
    let mut p = spawn(path, home.path());
    p.exp_string("unknown node `e9`")
        .expect("the problems are shown");
    p.exp_string("no model is loaded; fix")
        .expect("the session says what to do");
    prompt(&mut p, "the session opens anyway");

    type_keys(&mut p, "pathway c1a\r");
    p.exp_string("no model is loaded")
        .expect("a query says there is no model");
    prompt(&mut p, "prompt");

    std::fs::write(&file, &good).expect("fix the model");
    type_keys(&mut p, ":reload\r");
    p.exp_string("reloaded model `fig1`")
        .expect("`:reload` loads the fixed file");
    prompt(&mut p, "prompt");
    type_keys(&mut p, "pathway c1a\r");
    p.exp_string("pathway of c1a").expect("the model answers");
    prompt(&mut p, "prompt");

    p.send_control('d').expect("send Ctrl-D");
    p.exp_eof().expect("the REPL exits on Ctrl-D");
}

#[test]
fn continuation_ctrl_c_and_history() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut p = start("tests/models/fig1_plain.nshed", home.path());

    // An open brace shows the continuation prompt; the closing line completes the input.
    type_keys(&mut p, "pathway {e1\r");
    p.exp_string(CONTINUATION)
        .expect("an open `{` asks for more with the continuation prompt");
    type_keys(&mut p, "e2}\r");
    p.exp_string("wholes  t1")
        .expect("the multi-line pattern is answered");
    prompt(&mut p, "prompt");

    // Ctrl-C at the continuation prompt drops the open input.
    type_keys(&mut p, "scores {e3\r");
    p.exp_string(CONTINUATION).expect("continuation prompt");
    p.send_control('c').expect("send Ctrl-C");
    prompt(&mut p, "a fresh prompt after Ctrl-C");
    type_keys(&mut p, "pathway c2\r");
    p.exp_string("pathway of c2")
        .expect("the next input runs alone");
    prompt(&mut p, "prompt");

    // Ctrl-C cancels the line being typed; the session goes on.
    type_keys(&mut p, "pathway c1");
    p.send_control('c').expect("send Ctrl-C");
    prompt(&mut p, "a fresh prompt after Ctrl-C");

    // Ctrl-C during a long `train` stops it and keeps the steps taken.
    type_keys(&mut p, "train 100000000\r");
    p.exp_regex(r"\d+/100000000 steps")
        .expect("the progress bar shows the run is busy");
    p.send_control('c').expect("send Ctrl-C");
    p.exp_string("interrupted by Ctrl-C")
        .expect("train stops on Ctrl-C");
    prompt(&mut p, "prompt");
    type_keys(&mut p, "history\r");
    p.exp_string("train 100000000")
        .expect("the interrupted run is in the history");
    prompt(&mut p, "prompt");

    // Ctrl-D quits.
    p.send_control('d').expect("send Ctrl-D");
    p.exp_eof().expect("the REPL exits on Ctrl-D");

    let history = std::fs::read_to_string(home.path().join("nshed").join("history.txt"))
        .expect("the history is saved under the data directory");
    assert!(history.contains("history"), "history file:\n{history}");
    assert!(
        history.contains("pathway {e1"),
        "a multi-line input is one history entry:\n{history}"
    );
}

#[test]
fn ctrl_c_stops_a_load_waiting_on_a_fifo_and_sigterm_at_the_prompt_ends_the_repl() {
    use rexpect::process::{Signal, WaitStatus};
    let home = tempfile::tempdir().expect("temp dir");
    let fifo = home.path().join("pipe.nshed");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let mut p = start("tests/models/fig1_plain.nshed", home.path());
    // Nobody writes the FIFO: the load waits until Ctrl-C, and the session goes on.
    type_keys(&mut p, &format!(":load {}\r", fifo.display()));
    // Opening the FIFO for writing without blocking succeeds once nshed has it open.
    let writer = loop {
        use std::os::unix::fs::OpenOptionsExt;
        match std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(0o4000) // O_NONBLOCK
            .open(&fifo)
        {
            Ok(w) => break w,
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    };
    p.send_control('c').expect("send Ctrl-C");
    p.exp_string("stopped by a signal while waiting for data")
        .expect("the load stops");
    p.exp_string("stays")
        .expect("the model loaded before stays");
    prompt(&mut p, "the prompt returns");
    type_keys(&mut p, "pathway c1a\r");
    p.exp_string("pathway of c1a").expect("the session goes on");
    prompt(&mut p, "prompt");
    drop(writer);
    // At the prompt, SIGTERM ends the process as it would without handlers.
    p.process.signal(Signal::SIGTERM).expect("send SIGTERM");
    match p.process.wait().expect("wait") {
        WaitStatus::Signaled(_, Signal::SIGTERM, _) => {}
        other => panic!("ended with {other:?}"),
    }
}
