//! `nshed lsp` as a process with pipes: what only a real process shows (exit statuses, a
//! closed or full standard output, memory on hostile headers, input that stops coming).
//! The protocol's behaviour message by message is tested in-process (`src/lsp/tests.rs`)
//! and over the binary in `lsp.rs`.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{json, Value};

fn frame(body: &Value) -> Vec<u8> {
    let body = body.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn initialize() -> Vec<u8> {
    let mut bytes = frame(&json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "processId": null, "rootUri": null, "capabilities": {} } }));
    bytes.extend(frame(
        &json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
    ));
    bytes
}

fn open(text: &str) -> Vec<u8> {
    frame(
        &json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": { "uri": "file:///m.nshed", "languageId": "nshed", "version": 1, "text": text } } }),
    )
}

/// `nshed lsp` under `/usr/bin/time`, which writes the process's peak resident memory
/// (in KiB) to `peak`; the exit status is the server's.
fn server_measured(peak: &std::path::Path, stdout: Stdio) -> (Child, ChildStdin) {
    let mut child = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(peak)
        .arg(env!("CARGO_BIN_EXE_nshed"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/time runs the binary");
    let stdin = child.stdin.take().expect("piped stdin");
    (child, stdin)
}

fn peak_kib(peak: &std::path::Path) -> u64 {
    let text = std::fs::read_to_string(peak).unwrap_or_default();
    text.lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in {text:?}"))
}

fn stderr_of(child: &mut Child) -> String {
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    err
}

/// The server's peak memory on a small model, the baseline the hostile cases are held to.
fn baseline_kib(dir: &std::path::Path) -> u64 {
    let peak = dir.join("baseline");
    let (mut child, mut stdin) = server_measured(&peak, Stdio::null());
    let mut input = initialize();
    input.extend(open("model m { level a { x } }"));
    input.extend(frame(
        &json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }),
    ));
    input.extend(frame(&json!({ "jsonrpc": "2.0", "method": "exit" })));
    stdin.write_all(&input).unwrap();
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    peak_kib(&peak)
}

#[test]
fn a_terabyte_content_length_is_refused_without_allocating_it() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = baseline_kib(dir.path());
    let peak = dir.path().join("peak");
    let (mut child, mut stdin) = server_measured(&peak, Stdio::piped());
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdin.write_all(&initialize()).unwrap();
    assert_eq!(read_frame(&mut stdout).unwrap()["id"], 1);
    // The header, then 17 bytes of the body it announces.
    stdin
        .write_all(b"Content-Length: 1099511627776\r\n\r\n{\"jsonrpc\":\"2.0\",")
        .unwrap();
    let refusal = read_frame(&mut stdout).unwrap();
    assert_eq!(refusal["id"], Value::Null, "{refusal}");
    assert_eq!(refusal["error"]["code"], -32600, "{refusal}");
    let message = refusal["error"]["message"].as_str().unwrap();
    assert!(message.contains("1099511627776"), "{message}");
    // The rest of the announced body never comes: closing the input ends the server,
    // without `shutdown`, so with status 1.
    drop(stdin);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{}", stderr_of(&mut child));
    let used = peak_kib(&peak);
    assert!(
        used < baseline + 16 * 1024,
        "peak {used} KiB against {baseline} KiB for a small model"
    );
}

#[test]
fn a_400_mb_header_line_is_refused_at_its_first_kilobyte() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = baseline_kib(dir.path());
    let peak = dir.path().join("peak");
    let (mut child, mut stdin) = server_measured(&peak, Stdio::null());
    stdin.write_all(&initialize()).unwrap();
    stdin.write_all(b"Content-Length: ").unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'7'; 1 << 16];
        let mut written = 0usize;
        while written < 400_000_000 {
            match stdin.write(&chunk) {
                Ok(n) => written += n,
                Err(_) => break,
            }
        }
        written
    });
    let status = child.wait().unwrap();
    let err = stderr_of(&mut child);
    let written = writer.join().unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("longer than 1024 bytes"), "{err}");
    // What the pipe and the server's read buffer hold, not the 400 MB offered.
    assert!(
        written < 16 << 20,
        "{written} bytes taken before the refusal"
    );
    let used = peak_kib(&peak);
    assert!(
        used < baseline + 16 * 1024,
        "peak {used} KiB against {baseline} KiB for a small model"
    );
}

/// Starts the server with its standard output read by the test.
fn server() -> (Child, ChildStdin, ChildStdout) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nshed"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    (child, stdin, stdout)
}

#[test]
fn a_closed_standard_output_before_or_during_initialisation_is_no_panic() {
    // Closed before the server writes anything, then closed after the `initialize`
    // request arrived and before its answer is read.
    for before_initialize in [true, false] {
        let (mut child, mut stdin, stdout) = server();
        if before_initialize {
            drop(stdout);
            let _ = stdin.write_all(&initialize());
        } else {
            let _ = stdin.write_all(&initialize()[..40]);
            drop(stdout);
            let _ = stdin.write_all(&initialize()[40..]);
        }
        let _ = stdin.write_all(&open("model m { level a { x } }"));
        drop(stdin);
        let status = child.wait().unwrap();
        let err = stderr_of(&mut child);
        assert!(!err.contains("panicked"), "{err}");
        // Quietly, with the status of a process ended by SIGPIPE, as every command
        // whose reader went away.
        assert_eq!(status.code(), Some(141), "{err}");
        assert_eq!(err, "");
    }
}

#[test]
fn a_full_standard_output_ends_the_server_with_an_io_error() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else {
        return; // Not Linux: no /dev/full to write to.
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_nshed"))
        .arg("lsp")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(&initialize());
    drop(stdin);
    let status = child.wait().unwrap();
    let err = stderr_of(&mut child);
    assert_eq!(status.code(), Some(3), "{err}");
    assert!(err.contains("cannot write to standard output"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn exit_statuses_follow_the_specification() {
    let shutdown = frame(&json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }));
    let exit = frame(&json!({ "jsonrpc": "2.0", "method": "exit" }));
    let cases: [(Vec<Vec<u8>>, i32); 4] = [
        (vec![initialize(), shutdown.clone(), exit.clone()], 0),
        (vec![initialize(), exit.clone()], 1),
        // Input closed: after `shutdown` as good as `exit`, before it as `exit` without it.
        (vec![initialize(), shutdown.clone()], 0),
        (vec![initialize()], 1),
    ];
    for (messages, expected) in cases {
        let (mut child, mut stdin, stdout) = server();
        let reader = std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            let mut answers = Vec::new();
            while let Some(message) = read_frame(&mut stdout) {
                answers.push(message);
            }
            answers
        });
        stdin.write_all(&messages.concat()).unwrap();
        drop(stdin);
        let status = child.wait().unwrap();
        let answers = reader.join().unwrap();
        assert_eq!(status.code(), Some(expected), "{answers:?}");
        assert_eq!(answers[0]["id"], 1);
    }
}

#[test]
fn a_40_kb_document_of_long_misspelt_names_gets_its_diagnostics() {
    // Names of 4,000 letters, each one letter off a declared one: every use is an
    // unknown name whose suggestion search compares long names.
    let long = "n".repeat(4_000);
    let mut text = format!("model m {{\n  level a {{ {long}a }}\n  classes {{\n");
    for i in 0..9 {
        text.push_str(&format!("    c{i} <- {long}b\n"));
    }
    text.push_str("  }\n}\n");
    assert!(text.len() > 40_000);
    let (mut child, mut stdin, stdout) = server();
    let mut stdout = BufReader::new(stdout);
    let mut input = initialize();
    input.extend(open(&text));
    stdin.write_all(&input).unwrap();
    assert_eq!(read_frame(&mut stdout).unwrap()["id"], 1);
    let published = read_frame(&mut stdout).unwrap();
    assert_eq!(published["method"], "textDocument/publishDiagnostics");
    let diagnostics = published["params"]["diagnostics"].as_array().unwrap();
    let unknown = diagnostics
        .iter()
        .filter(|d| d["code"] == "nshed::check::unknown_name")
        .count();
    assert_eq!(unknown, 9, "{diagnostics:?}");
    stdin
        .write_all(&frame(
            &json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }),
        ))
        .unwrap();
    stdin
        .write_all(&frame(&json!({ "jsonrpc": "2.0", "method": "exit" })))
        .unwrap();
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
