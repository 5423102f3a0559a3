//! Running the built `nshed` binary from integration tests.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `nshed ARGS` (no standard input, no colours) and collects its output.
pub fn nshed(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nshed"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the nshed binary runs")
}

/// Runs `nshed ARGS` with `input` on its standard input.
pub fn nshed_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nshed"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the nshed binary runs");
    let written = child.stdin.take().expect("stdin is piped").write_all(input);
    // nshed may exit before reading its input (a model with errors is refused first): a
    // closed pipe is then expected, and the exit code and output are what tests check.
    if let Err(e) = written {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing stdin: {e}"
        );
    }
    child.wait_with_output().expect("nshed finishes")
}

/// The standard output of a run that must succeed (its stderr is shown if it did not).
pub fn ok_stdout(out: Output) -> Vec<u8> {
    assert!(
        out.status.success(),
        "nshed failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The standard output of a run that must succeed, parsed as JSON.
pub fn ok_json(out: Output) -> serde_json::Value {
    serde_json::from_slice(&ok_stdout(out)).expect("json")
}

/// The state letter and the CPU time (user + system, all threads, in seconds) of process
/// `pid` from `/proc/PID/stat`, if it is there (Linux).
fn proc_stat(pid: u32) -> Option<(char, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last `)`.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name, in
    // USER_HZ: 100 per second on every architecture Linux supports.
    let ticks: u64 = fields
        .get(11..13)?
        .iter()
        .filter_map(|v| v.parse::<u64>().ok())
        .sum();
    Some((state, ticks as f64 / 100.0))
}

/// Runs `nshed ARGS` and also returns the CPU time it used in all, in seconds (`None` where
/// `/proc` cannot tell): read from its `/proc` entry once it has exited and before it is
/// reaped, when the count is final. Wall-clock time on a shared machine says little about
/// how long a computation takes; its CPU time does.
pub fn nshed_cpu_time(args: &[&str]) -> (Output, Option<f64>) {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_nshed"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the nshed binary runs");
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let out = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        stdout.read_to_end(&mut buffer).map(|_| buffer)
    });
    let err = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        stderr.read_to_end(&mut buffer).map(|_| buffer)
    });
    let mut cpu = None;
    loop {
        match proc_stat(pid) {
            Some(('Z', seconds)) => {
                cpu = Some(seconds);
                break;
            }
            Some(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
            None => break,
        }
    }
    let status = child.wait().expect("nshed finishes");
    let stdout = out.join().expect("reader").expect("stdout");
    let stderr = err.join().expect("reader").expect("stderr");
    (
        Output {
            status,
            stdout,
            stderr,
        },
        cpu,
    )
}

/// Waits until process `pid` has used `cpu_ms` milliseconds of CPU time (so it is past its
/// start-up and busy in its main work), or panics after `deadline`. Tests use it instead
/// of a sleep before they signal a long run.
pub fn wait_until_busy(pid: u32, cpu_ms: u64, deadline: std::time::Duration) {
    let start = std::time::Instant::now();
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Fields after the command name (which may hold spaces) start after the last `)`.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        let ticks: u64 = fields
            .get(11..13)
            .map(|t| t.iter().filter_map(|v| v.parse::<u64>().ok()).sum())
            .unwrap_or(0);
        // Linux counts these in USER_HZ, 100 per second on every architecture it supports.
        if ticks * 10 >= cpu_ms {
            return;
        }
        assert!(
            start.elapsed() < deadline,
            "process {pid} did not get busy within {deadline:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Every command of `nshed --help`, in its order (without clap's own `help`).
pub const COMMANDS: [&str; 20] = [
    "check",
    "ir",
    "run",
    "le",
    "query",
    "repl",
    "le-matrix",
    "info-plane",
    "regularize",
    "draw",
    "gen",
    "basin",
    "fool",
    "depth",
    "test",
    "merge",
    "fmt",
    "lsp",
    "serve",
    "completions",
];
