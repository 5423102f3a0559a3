//! `nshed serve` over real HTTP: its first line, Ctrl-C, the Host/Origin guard, and
//! hostile requests (huge bodies, malformed JSON, 10^4 rapid edits), which get errors
//! and bounded memory, never a crash. The page itself is tested in a browser
//! (tests/browser/).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `nshed serve` on a copy of a model, on a free port.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    address: String,
    path: std::path::PathBuf,
    stderr: std::process::ChildStderr,
    _dir: tempfile::TempDir,
}

fn start(model: &str, extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("model.nshed");
    std::fs::copy(model, &path).expect("copy the model");
    let mut child = Command::new(env!("CARGO_BIN_EXE_nshed"))
        .arg("serve")
        .arg(&path)
        .args(["--port", "0", "--no-open"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nshed serve starts");
    let mut first = String::new();
    let stdout = child.stdout.take().expect("piped");
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("the first line");
    let url = first
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line: {first:?}"));
    let address = url.trim_end_matches('/').to_string();
    let stderr = child.stderr.take().expect("piped");
    Server {
        child,
        address,
        path,
        stderr,
        _dir: dir,
    }
}

impl Server {
    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.address).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        stream
    }

    /// One request on a new connection: its status and body.
    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, String) {
        let mut stream = self.connect();
        send(&mut stream, method, path, &self.address, headers, body);
        read_response(&mut BufReader::new(stream))
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.request("GET", path, &[], b"")
    }

    fn post(&self, path: &str, body: &str) -> (u16, String) {
        self.request(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
    }

    /// Resident memory of the server in kB.
    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server is alive");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }

    /// Ctrl-C, then the exit code and what it wrote to stderr.
    fn interrupt(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .expect("kill");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop on Ctrl-C"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut err = String::new();
        let _ = self.stderr.read_to_string(&mut err);
        (status.code(), err)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn send(
    stream: &mut TcpStream,
    method: &str,
    path: &str,
    host: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) {
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {host}\r\n"));
    }
    for (k, v) in headers {
        if !v.is_empty() {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    // One write (no wait for a delayed acknowledgement between head and body); the
    // server may answer (413) and close before the whole body is sent.
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    let _ = stream.write_all(&request);
}

/// Reads one response (status line, headers, a body of `Content-Length` bytes).
fn read_response(reader: &mut BufReader<TcpStream>) -> (u16, String) {
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("status line {line:?}"));
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).expect("header");
        if header.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().expect("length");
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

const FRUIT: &str = "examples/fruit.nshed";

#[test]
fn prints_its_address_first_and_stops_cleanly_on_ctrl_c_with_a_page_following() {
    let server = start(FRUIT, &[]);
    let (status, body) = server.get("/");
    assert_eq!(status, 200);
    assert!(body.contains("data-testid=\"editor\""), "{body}");
    // An open event stream (a page following training) does not hold the server up.
    let mut events = server.connect();
    send(&mut events, "GET", "/api/events", &server.address, &[], b"");
    let mut first = [0u8; 15];
    events.read_exact(&mut first).expect("the stream's headers");
    assert_eq!(&first, b"HTTP/1.1 200 OK");
    let (code, err) = server.interrupt();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("stopping"), "{err}");
}

#[test]
fn other_hosts_and_origins_are_refused() {
    let server = start(FRUIT, &[]);
    let port = server
        .address
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_string();
    let session = "/api/session";
    let ok = [format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    for host in &ok {
        assert_eq!(
            server.request("GET", session, &[("Host", host)], b"").0,
            200,
            "{host}"
        );
    }
    for host in [
        "evil.example",
        &format!("evil.example:{port}"),
        "127.0.0.1:1",
        "127.0.0.1",
    ] {
        let (status, body) = server.request("GET", session, &[("Host", host)], b"");
        assert_eq!(status, 421, "{host}: {body}");
    }
    assert_eq!(server.request("GET", session, &[("Host", "")], b"").0, 400);
    for origin in [
        "http://evil.example",
        "null",
        &format!("https://127.0.0.1:{port}"),
    ] {
        let (status, _) = server.request("GET", session, &[("Origin", origin)], b"");
        assert_eq!(status, 403, "{origin}");
    }
    let same = format!("http://127.0.0.1:{port}");
    assert_eq!(
        server.request("GET", session, &[("Origin", &same)], b"").0,
        200
    );
    // A form post (what another site can send without asking first) is refused before it
    // trains anything.
    let form = [("Content-Type", "text/plain")];
    assert_eq!(
        server
            .request("POST", "/api/train", &form, br#"{"how":"play"}"#)
            .0,
        415
    );
    let (_, body) = server.get(session);
    assert!(body.contains(r#""step":0"#), "{body}");
}

#[test]
fn only_the_model_file_is_served() {
    let server = start(FRUIT, &[]);
    for path in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/api/download/..%2f..%2fetc%2fpasswd",
        "/api/download/model.nshed",
        "/web/dist/app.js",
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 404, "{path}: {body}");
        assert!(!body.contains("root:"), "{body}");
    }
    assert_eq!(server.get("/app.js").0, 200);
}

#[test]
fn malformed_and_huge_requests_get_errors_and_the_server_goes_on() {
    let mut server = start(FRUIT, &[]);
    let cases: &[(&str, &[u8], u16)] = &[
        ("/api/source", b"{bad", 400),
        ("/api/source", b"[]", 422),
        ("/api/source", br#"{"text": 5}"#, 422),
        ("/api/source", br#"{"text": "a", "more": 1}"#, 422),
        ("/api/source", b"{\"text\": \"\xff\"}", 400),
        ("/api/train", br#"{"how":"steps","steps":-1}"#, 422),
        ("/api/train", br#"{"how":"fly"}"#, 422),
        ("/api/reset", br#"{"seed":-1}"#, 422),
        (
            "/api/hover",
            br#"{"text":"x","position":{"line":99999,"character":4294967295}}"#,
            200,
        ),
        (
            "/api/complete",
            br#"{"text":"","position":{"line":0,"character":7}}"#,
            200,
        ),
    ];
    let json = [("Content-Type", "application/json")];
    for (path, body, want) in cases {
        let (status, answer) = server.request("POST", path, &json, body);
        assert_eq!(
            status,
            *want,
            "{path} {}: {answer}",
            String::from_utf8_lossy(body)
        );
    }
    assert_eq!(server.get("/api/view?input=%7Bnope%7D").0, 422);
    assert_eq!(server.get("/api/lambdas?nodes=nope").0, 422);
    // 40 MB: refused by the body limit, not read into memory.
    let huge = vec![b'a'; 40 << 20];
    let (status, _) = server.request("POST", "/api/source", &json, &huge);
    assert_eq!(status, 413);
    assert!(server.rss_kb() < 200_000, "{} kB", server.rss_kb());
    assert!(server.alive());
    assert_eq!(server.get("/api/session").0, 200);
}

#[test]
fn ten_thousand_rapid_edits_keep_memory_bounded() {
    let mut server = start(FRUIT, &[]);
    let text = std::fs::read_to_string(FRUIT).expect("fruit");
    let broken = text.replace("all(round, red)", "all(round, reed)");
    let mut stream = server.connect();
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let json = [("Content-Type", "application/json")];
    let mut answered = [0usize; 2];
    for i in 0..10_000 {
        let t = if i % 2 == 0 { &broken } else { &text };
        let body = serde_json::json!({ "text": t }).to_string();
        send(
            &mut stream,
            "POST",
            "/api/source",
            &server.address,
            &json,
            body.as_bytes(),
        );
        let (status, answer) = read_response(&mut reader);
        assert!(status == 200 || status == 503, "{status}: {answer}");
        answered[usize::from(status == 200)] += 1;
        if i == 0 {
            assert!(answer.contains("nshed::check::unknown_name"), "{answer}");
        }
    }
    assert_eq!(
        answered[1], 10_000,
        "every edit on one connection is answered in turn"
    );
    assert!(server.alive());
    assert!(server.rss_kb() < 150_000, "{} kB", server.rss_kb());
    // The last edit is the text the session holds, and it compiles.
    let (_, session) = server.get("/api/session");
    let session: serde_json::Value = serde_json::from_str(&session).expect("json");
    assert_eq!(session["text"], text.as_str());
    assert_eq!(session["diagnostics"], serde_json::json!([]));
    // Nothing was written to the file.
    assert_eq!(std::fs::read_to_string(&server.path).expect("file"), text);
}

#[test]
fn many_connections_at_once_get_answers_or_503() {
    let mut server = start(FRUIT, &[]);
    let text = std::fs::read_to_string(FRUIT).expect("fruit");
    let body = serde_json::json!({ "text": text }).to_string();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..64)
            .map(|_| s.spawn(|| server.post("/api/source", &body).0))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert!(
        statuses.iter().all(|&s| s == 200 || s == 503),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200));
    assert!(server.alive());
}

#[test]
fn saving_refuses_a_file_changed_on_disk_unless_forced() {
    let server = start(FRUIT, &[]);
    let text = std::fs::read_to_string(FRUIT).expect("fruit");
    let edited = format!("{text}// one\n");
    let save = |t: &str, force: bool| {
        server.post(
            "/api/save",
            &serde_json::json!({ "text": t, "force": force }).to_string(),
        )
    };
    assert_eq!(save(&edited, false).0, 200);
    assert_eq!(std::fs::read_to_string(&server.path).expect("file"), edited);
    std::fs::write(&server.path, "changed elsewhere").expect("write");
    let (status, body) = save(&text, false);
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("changed on disk"), "{body}");
    assert_eq!(
        std::fs::read_to_string(&server.path).expect("file"),
        "changed elsewhere"
    );
    assert_eq!(save(&text, true).0, 200);
    assert_eq!(std::fs::read_to_string(&server.path).expect("file"), text);
}

#[test]
fn listening_beyond_loopback_warns_and_stdin_is_refused() {
    let server = start(FRUIT, &["--host", "0.0.0.0"]);
    assert!(server.address.starts_with("0.0.0.0:"), "{}", server.address);
    let (code, err) = server.interrupt();
    assert_eq!(code, Some(0));
    assert!(err.contains("warning: listening on 0.0.0.0"), "{err}");
    let out = crate::support::cli::nshed(&["serve", "-", "--no-open"]);
    assert_eq!(out.status.code(), Some(2));
    let out = crate::support::cli::nshed(&["serve", "no/such/model.nshed", "--no-open"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}
