//! The server driven in process: a byte stream of messages in, the answers out. What
//! needs a real process (exit statuses, closed pipes, huge headers on a pipe, memory) is
//! in `tests/integration/lsp_process.rs`.

use serde_json::{json, Value};

use super::{serve_with_limit, Ended};

/// The bytes of one framed message.
fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn request(id: i64, method: &str, params: Value) -> Vec<u8> {
    frame(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string())
}

fn notify(method: &str, params: Value) -> Vec<u8> {
    frame(&json!({ "jsonrpc": "2.0", "method": method, "params": params }).to_string())
}

fn initialize() -> Vec<u8> {
    let mut out = request(0, "initialize", json!({ "capabilities": {} }));
    out.extend(notify("initialized", json!({})));
    out
}

fn shutdown_exit() -> Vec<u8> {
    let mut out = request(999, "shutdown", Value::Null);
    out.extend(notify("exit", Value::Null));
    out
}

const URI: &str = "file:///m.nshed";

fn open(text: &str) -> Vec<u8> {
    notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "nshed", "version": 1, "text": text } }),
    )
}

fn change(version: i32, text: &str) -> Vec<u8> {
    notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": [{ "text": text }] }),
    )
}

fn hover(id: i64, line: u32, character: u32) -> Vec<u8> {
    request(
        id,
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } }),
    )
}

/// Runs the server on `input` (bodies of at most `limit` bytes): how it ended and every
/// message it sent.
fn run_limited(input: Vec<u8>, limit: u64) -> (Ended, Vec<Value>) {
    let mut output = Vec::new();
    let ended = serve_with_limit(std::io::Cursor::new(input), &mut output, limit);
    let mut messages = Vec::new();
    let mut rest = output.as_slice();
    while !rest.is_empty() {
        let text = String::from_utf8_lossy(rest);
        let (header, _) = text.split_once("\r\n\r\n").unwrap_or_default();
        let length: usize = header
            .strip_prefix("Content-Length: ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a header: {header}"));
        let body = &rest[header.len() + 4..header.len() + 4 + length];
        messages.push(serde_json::from_slice(body).unwrap_or_default());
        rest = &rest[header.len() + 4 + length..];
    }
    (ended, messages)
}

fn run(input: Vec<u8>) -> (Ended, Vec<Value>) {
    run_limited(input, super::MAX_FRAME_BYTES)
}

/// The answer to request `id`.
fn answer(messages: &[Value], id: i64) -> &Value {
    messages
        .iter()
        .find(|m| m["id"] == id && m.get("method").is_none())
        .unwrap_or_else(|| panic!("no answer to {id} in {messages:#?}"))
}

fn error_code(messages: &[Value], id: i64) -> Option<i64> {
    answer(messages, id)["error"]["code"].as_i64()
}

/// The answers with a `null` id (to what could not be read), in order.
fn null_id_errors(messages: &[Value]) -> Vec<i64> {
    messages
        .iter()
        .filter(|m| m["id"].is_null() && m.get("error").is_some())
        .filter_map(|m| m["error"]["code"].as_i64())
        .collect()
}

fn published(messages: &[Value]) -> Vec<&Value> {
    messages
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .map(|m| &m["params"])
        .collect()
}

#[test]
fn malformed_json_and_invalid_requests_are_answered_and_serving_goes_on() {
    let mut input = initialize();
    input.extend(open("model m { level a { x } }"));
    input.extend(frame("{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\""));
    input.extend(frame("[1,2,3]"));
    input.extend(frame("{\"jsonrpc\":\"2.0\",\"id\":6}"));
    input.extend(frame("\u{0}\u{1}garbage"));
    input.extend(hover(7, 0, 6));
    input.extend(shutdown_exit());
    let (ended, messages) = run(input);
    assert!(matches!(ended, Ended::Clean), "{ended:?}");
    assert_eq!(null_id_errors(&messages), vec![-32700, -32600, -32700]);
    assert_eq!(error_code(&messages, 6), Some(-32600));
    let hover = &answer(&messages, 7)["result"]["contents"]["value"];
    assert!(
        hover.as_str().unwrap_or("").starts_with("**model** `m`"),
        "{hover}"
    );
}

#[test]
fn the_life_of_the_server_follows_the_specification() {
    let mut input = hover(1, 0, 0);
    input.extend(open("model early { level a { x } }"));
    input.extend(request(2, "initialize", json!({ "capabilities": {} })));
    // Before `initialized`: served.
    input.extend(open("model m { level a { x } }"));
    input.extend(hover(3, 0, 6));
    input.extend(notify("initialized", json!({})));
    input.extend(request(4, "initialize", json!({ "capabilities": {} })));
    input.extend(request(5, "shutdown", Value::Null));
    input.extend(hover(6, 0, 6));
    input.extend(request(7, "shutdown", Value::Null));
    input.extend(open("model late { level a { x } }"));
    input.extend(notify("exit", Value::Null));
    // Nothing after `exit` is read.
    input.extend(hover(8, 0, 6));
    let (ended, messages) = run(input);
    assert!(matches!(ended, Ended::Clean), "{ended:?}");
    assert_eq!(error_code(&messages, 1), Some(-32002));
    assert!(answer(&messages, 2)["result"]["capabilities"].is_object());
    let hover = answer(&messages, 3)["result"]["contents"]["value"].to_string();
    assert!(hover.contains("**model** `m`"), "{hover}");
    assert_eq!(error_code(&messages, 4), Some(-32600));
    assert_eq!(answer(&messages, 5)["result"], Value::Null);
    assert_eq!(error_code(&messages, 6), Some(-32600));
    assert_eq!(error_code(&messages, 7), Some(-32600));
    assert!(messages.iter().all(|m| m["id"] != 8));
    // The document opened before `initialize` was dropped: one document published.
    let uris: Vec<&Value> = published(&messages).iter().map(|p| &p["version"]).collect();
    assert_eq!(uris, vec![&json!(1)]);
}

#[test]
fn exit_without_shutdown_and_closed_input_end_with_the_status_they_deserve() {
    let mut input = initialize();
    input.extend(notify("exit", Value::Null));
    assert!(matches!(run(input).0, Ended::WithoutShutdown));
    assert!(matches!(run(initialize()).0, Ended::WithoutShutdown));
    let mut input = initialize();
    input.extend(request(1, "shutdown", Value::Null));
    assert!(matches!(run(input).0, Ended::Clean));
    assert!(matches!(run(Vec::new()).0, Ended::WithoutShutdown));
}

#[test]
fn an_oversized_message_is_refused_and_the_next_one_served() {
    let mut input = initialize();
    input.extend(open("model m { level a { x } }"));
    let big = json!({ "jsonrpc": "2.0", "id": 1, "method": "x", "params": "y".repeat(500) });
    input.extend(frame(&big.to_string()));
    input.extend(hover(2, 0, 6));
    input.extend(shutdown_exit());
    let (ended, messages) = run_limited(input, 400);
    assert!(matches!(ended, Ended::Clean), "{ended:?}");
    assert_eq!(null_id_errors(&messages), vec![-32600]);
    let refusal = messages
        .iter()
        .find(|m| m["id"].is_null() && m.get("error").is_some())
        .map(|m| m["error"]["message"].to_string())
        .unwrap_or_default();
    assert!(refusal.contains("larger than the 400 bytes"), "{refusal}");
    assert!(answer(&messages, 2)["result"].is_object());
}

#[test]
fn an_unreadable_header_ends_the_server_with_the_reason() {
    for (bytes, reason) in [
        (b"Content-Length: lots\r\n\r\n".to_vec(), "not a number"),
        (
            format!("X: {}\r\n", "h".repeat(super::MAX_HEADER_LINE)).into_bytes(),
            "longer than 1024 bytes",
        ),
    ] {
        let mut input = initialize();
        input.extend(bytes);
        match run(input).0 {
            Ended::Unreadable(why) => assert!(why.contains(reason), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_burst_of_changes_is_analysed_at_its_latest_version_only() {
    // A model whose analysis takes far longer than reading a change.
    let text = nshed::gen::generate_sized(5_000, 5, 1);
    let mut input = initialize();
    input.extend(open(&text));
    let changes = 300;
    for version in 2..=changes {
        input.extend(change(version, &format!("{text}// edit {version}\n")));
    }
    let line = text.lines().count() as u32;
    // On the comment the last change added: no hover, but an answer about that version.
    input.extend(hover(1, line, 3));
    input.extend(shutdown_exit());
    let (ended, messages) = run(input);
    assert!(matches!(ended, Ended::Clean), "{ended:?}");
    let versions: Vec<i64> = published(&messages)
        .iter()
        .filter_map(|p| p["version"].as_i64())
        .collect();
    assert_eq!(versions.last(), Some(&i64::from(changes)), "{versions:?}");
    assert!(
        versions.len() < changes as usize / 4,
        "{} of {changes} versions analysed",
        versions.len()
    );
    assert_eq!(answer(&messages, 1)["result"], Value::Null);
}

#[test]
fn diagnostics_of_a_file_with_lone_carriage_returns_are_on_their_line() {
    let text = "model m {\r  level a { x }\r  classes { c <- y }\r}\r";
    let mut input = initialize();
    input.extend(open(text));
    input.extend(shutdown_exit());
    let (_, messages) = run(input);
    let diagnostics = &published(&messages)[0]["diagnostics"];
    let unknown = diagnostics
        .as_array()
        .and_then(|d| d.iter().find(|d| d["code"] == "nshed::check::unknown_name"))
        .unwrap_or_else(|| panic!("{diagnostics:#}"));
    assert_eq!(
        unknown["range"],
        json!({ "start": { "line": 2, "character": 17 }, "end": { "line": 2, "character": 18 } })
    );
}
