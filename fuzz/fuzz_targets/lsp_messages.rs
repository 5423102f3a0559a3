//! The language server's message loop: any byte stream from a client gets answers, or
//! ends the server with a reason; never a panic (libFuzzer's panic hook turns even a
//! panic the server would catch into a crash), an abort or a hang.
//!
//! The first byte picks how the rest is read: as the raw stream after an `initialize`
//! (framing, headers, JSON-RPC, the server's life), or as the text of a document that
//! is opened and asked every request at places taken from the text's own bytes (the
//! language intelligence on any text).
//!
//! The server is part of the `nshed` binary, not of the library: this target compiles the
//! binary's own `lsp` module into itself (by path), so it fuzzes the code `nshed lsp` runs.
#![no_main]

#[allow(dead_code)]
#[path = "../../src/lsp/mod.rs"]
mod lsp;

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fn frame(body: &Value) -> Vec<u8> {
    let body = body.to_string();
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    bytes.extend(body.as_bytes());
    bytes
}

fn initialize() -> Vec<u8> {
    let mut bytes = frame(&json!({ "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": { "capabilities": {} } }));
    bytes.extend(frame(
        &json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
    ));
    bytes
}

const URI: &str = "file:///fuzz.nshed";

/// `text` opened, then every request at up to eight places, then shutdown and exit.
fn session(text: &str, bytes: &[u8]) -> Vec<u8> {
    let mut input = initialize();
    input.extend(frame(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": { "textDocument": { "uri": URI, "languageId": "nshed", "version": 1, "text": text } } })));
    let doc = json!({ "uri": URI });
    let mut id = 1;
    let mut request = |input: &mut Vec<u8>, method: &str, params: Value| {
        input.extend(frame(
            &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
        ));
        id += 1;
    };
    for pair in bytes.chunks(2).take(8) {
        // Lines and columns past the text's end too: the server clamps them.
        let position = json!({ "line": pair[0] % 64, "character": pair.get(1).copied().unwrap_or(0) });
        let at = json!({ "textDocument": doc, "position": position });
        for method in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
            "textDocument/prepareRename",
        ] {
            request(&mut input, method, at.clone());
        }
        request(
            &mut input,
            "textDocument/references",
            json!({ "textDocument": doc, "position": position, "context": { "includeDeclaration": true } }),
        );
        request(
            &mut input,
            "textDocument/rename",
            json!({ "textDocument": doc, "position": position, "newName": "renamed" }),
        );
    }
    for method in ["textDocument/documentSymbol", "textDocument/semanticTokens/full"] {
        request(&mut input, method, json!({ "textDocument": doc }));
    }
    request(
        &mut input,
        "textDocument/formatting",
        json!({ "textDocument": doc, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    request(&mut input, "shutdown", Value::Null);
    input.extend(frame(&json!({ "jsonrpc": "2.0", "method": "exit" })));
    input
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let input = if mode % 2 == 0 {
        let mut input = initialize();
        input.extend(rest);
        input
    } else {
        let text = String::from_utf8_lossy(rest);
        session(&text, rest)
    };
    let mut output = Vec::new();
    let ended = lsp::serve(std::io::Cursor::new(input), &mut output);
    // A session that says `shutdown` then `exit` ends cleanly, and no request of it
    // fails inside the server.
    if mode % 2 == 1 {
        assert!(matches!(ended, lsp::Ended::Clean), "{ended:?}");
        let answers = String::from_utf8_lossy(&output);
        assert!(!answers.contains("\"code\":-32603"), "an internal error");
    }
});
