//! `nshed lsp`: the language server driven with real LSP messages over the binary's
//! stdio, framed by `lsp_server` (the same library the server uses) and, once, by hand.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::Receiver;

use lsp_server::{Message, Notification, Request, RequestId, Response, ResponseError};
use serde_json::{json, Value};

use crate::support::mutate::{mutants, sources};

/// A response, split into its result and its error.
struct Reply {
    result: Option<Value>,
    error: Option<ResponseError>,
}

impl From<Response> for Reply {
    fn from(r: Response) -> Reply {
        match r.response_result {
            Ok(v) => Reply {
                result: Some(v),
                error: None,
            },
            Err(e) => Reply {
                result: None,
                error: Some(e),
            },
        }
    }
}

const URI: &str = "file:///work/model.nshed";

/// `nshed lsp` as a child process, and a thread that reads its messages.
struct Client {
    server: Child,
    to_server: ChildStdin,
    from_server: Receiver<Message>,
    reader: Option<std::thread::JoinHandle<()>>,
    next_id: i32,
    /// Notifications received while waiting for a response.
    notifications: Vec<Notification>,
}

impl Client {
    fn start() -> Client {
        let mut server = Command::new(env!("CARGO_BIN_EXE_nshed"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let to_server = server.stdin.take().expect("piped stdin");
        let mut stdout = BufReader::new(server.stdout.take().expect("piped stdout"));
        let (sender, from_server) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            while let Ok(Some(message)) = Message::read(&mut stdout) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            server,
            to_server,
            from_server,
            reader: Some(reader),
            next_id: 0,
            notifications: Vec::new(),
        };
        let init = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": {} }),
        );
        let caps = &init.result.expect("initialize succeeds")["capabilities"];
        assert_eq!(caps["hoverProvider"], true);
        assert_eq!(caps["textDocumentSync"], 1);
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Message) {
        message
            .write(&mut self.to_server)
            .expect("the server is running");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(
            method.to_string(),
            params,
        )));
    }

    /// The next message from the server.
    fn receive(&self, waiting_for: &str) -> Message {
        self.from_server
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("{waiting_for}: {e}"))
    }

    fn request(&mut self, method: &str, params: Value) -> Reply {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.send(Message::Request(Request::new(
            id.clone(),
            method.to_string(),
            params,
        )));
        loop {
            match self.receive("the server answers") {
                Message::Response(r) if r.id == id => return r.into(),
                Message::Notification(n) => self.notifications.push(n),
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// The result of a request that must succeed.
    fn ok(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        assert!(r.error.is_none(), "{method}: {:?}", r.error);
        r.result.unwrap_or(Value::Null)
    }

    /// The next `publishDiagnostics` notification's diagnostics.
    fn diagnostics(&mut self) -> Vec<Value> {
        let n = match self.notifications.pop() {
            Some(n) => n,
            None => match self.receive("diagnostics are published") {
                Message::Notification(n) => n,
                other => panic!("expected diagnostics, got {other:?}"),
            },
        };
        assert_eq!(n.method, "textDocument/publishDiagnostics");
        assert_eq!(n.params["uri"], URI);
        n.params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn open(&mut self, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": URI, "languageId": "nshed", "version": 1, "text": text } }),
        );
        self.diagnostics()
    }

    fn change(&mut self, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "text": text }] }),
        );
        self.diagnostics()
    }

    fn at(&mut self, method: &str, position: Value) -> Value {
        self.ok(
            method,
            json!({ "textDocument": { "uri": URI }, "position": position }),
        )
    }

    /// Shuts the server down as the protocol says: it exits with status 0.
    fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.error.is_none());
        self.notify("exit", Value::Null);
        let status = self.server.wait().expect("the server ends");
        assert_eq!(status.code(), Some(0), "the server's exit status");
        let reader = self.reader.take().expect("started");
        reader.join().expect("the reader did not panic");
    }
}

/// The LSP position of the `nth` (0-based) occurrence of `needle` in `text`, plus `shift`
/// characters (ASCII texts).
fn pos(text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} is not in the text"))
        .0
        + shift;
    let line = text[..offset].matches('\n').count();
    let column = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": column })
}

fn range(text: &str, needle: &str, nth: usize) -> Value {
    prefix_range(text, needle, nth, needle.len())
}

/// The range of the first `len` characters of the `nth` occurrence of `needle`.
fn prefix_range(text: &str, needle: &str, nth: usize, len: usize) -> Value {
    let start = pos(text, needle, nth, 0);
    let end = pos(text, needle, nth, len);
    json!({ "start": start, "end": end })
}

fn labels(items: &Value) -> Vec<String> {
    let list = items.as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|i| i["label"].as_str().unwrap_or("").to_string())
        .collect()
}

fn fig1() -> String {
    std::fs::read_to_string("examples/fig1.nshed").unwrap()
}

fn precedence() -> String {
    std::fs::read_to_string("tests/models/precedence.nshed").unwrap()
}

// ---------------------------------------------------------------- diagnostics

#[test]
fn diagnostics_on_open_and_change_with_related_spans_cleared_when_fixed() {
    let mut c = Client::start();
    let bad =
        "model m {\n  level input { a b }\n  level mid { a = any(b) }\n  classes { k <- a }\n}\n";
    let diags = c.open(bad);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], "nshed::check::duplicate_name");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "nshed");
    assert_eq!(d["range"], range(bad, "a", 1));
    assert_eq!(
        d["message"],
        "`a` is declared twice (declared again here)\nhelp: node and class names are unique across the model: rename one"
    );
    assert_eq!(
        d["relatedInformation"],
        json!([{ "location": { "uri": URI, "range": range(bad, "a", 0) }, "message": "first declared here" }])
    );

    // A syntax error: one diagnostic where the parse stopped.
    let broken = "model m {\n  level input { a b }\n  level mid { h = any(a, }\n}\n";
    let diags = c.change(broken);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["code"], "nshed::syntax");
    assert_eq!(diags[0]["range"]["start"], pos(broken, "}", 1, 0));

    // Warnings are published too, with their severity.
    let warn = "model m {\n  level input { a b }\n  classes { k <- a }\n}\n";
    let diags = c.change(warn);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["severity"], 2);
    assert_eq!(diags[0]["code"], "nshed::check::dead_node");

    // Fixed: the diagnostics are cleared.
    assert!(c.change(&fig1()).is_empty());
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert!(c.diagnostics().is_empty());
    c.shutdown();
}

// ---------------------------------------------------------------- hover

#[test]
fn hover_on_a_node_shows_its_level_rule_and_resolved_rules() {
    let mut c = Client::start();
    let text = precedence();
    assert!(c.open(&text).is_empty());
    let hover = c.at("textDocument/hover", pos(&text, "h2 = all", 0, 1));
    assert_eq!(hover["range"], range(&text, "h2", 0));
    assert_eq!(
        hover["contents"]["value"],
        "**node** `h2` · level 2 `mid`\n\n```nshed\nh2 = all(i2, i3)\n```\n\n\
         init `lambda = uniform(0.5, 1.5)`\n\n\
         rules: grow `mul 3` · shrink `mul 0.5`\n\n\
         phase `one`: grow `mul 3` · shrink `mul 0.5`\n\n\
         phase `two`: grow `mul 3` · shrink `mul 0.25`"
    );
    // h1: the node's own shrink beats the level's; a phase's node rule beats the file's.
    let hover = c.at("textDocument/hover", pos(&text, "h1, h2", 0, 0));
    let value = hover["contents"]["value"].as_str().unwrap().to_string();
    assert!(
        value.contains("rules: grow `add 0.25` · shrink `sub 0.125`"),
        "{value}"
    );
    assert!(
        value.contains("phase `two`: grow `add 0.25` · shrink `mul 0.75`"),
        "{value}"
    );
    // An input node in a frozen level.
    let hover = c.at("textDocument/hover", pos(&text, "i1", 0, 0));
    let value = hover["contents"]["value"].as_str().unwrap().to_string();
    assert!(
        value.starts_with("**node** `i1` · level 1 `in`\n\ninput node"),
        "{value}"
    );
    assert!(
        value.contains("phase `two`: grow `mul 4` · shrink `mul 0.5` · frozen"),
        "{value}"
    );
    c.shutdown();
}

#[test]
fn hover_on_classes_samples_phases_levels_and_the_model() {
    let mut c = Client::start();
    let text = fig1();
    c.open(&text);
    let value = |c: &mut Client, at: Value| -> String {
        c.at("textDocument/hover", at)["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(
        value(&mut c, pos(&text, "c2 <-", 0, 0)),
        "**class** `c2` · level 4\n\n```nshed\nc2 <- t1, t2\n```"
    );
    assert_eq!(
        value(&mut c, pos(&text, "c1b:", 0, 1)),
        "**sample** `c1b`\n\n```nshed\nc1b: e2 e3 -> c1 weight 2\n```"
    );
    assert_eq!(
        value(&mut c, pos(&text, "main", 0, 0)),
        "**phase** `main`\n\n```nshed\nphase main {\n  steps 5000\n  batch 8\n  shrink = mul 0.95\n  freeze input\n}\n```"
    );
    assert_eq!(
        value(&mut c, pos(&text, "wholes", 0, 0)),
        "**level** `wholes` · level 3 of 4 · 3 nodes: `t1` `t2` `t3`"
    );
    assert_eq!(
        value(&mut c, pos(&text, "fig1", 0, 0)),
        "**model** `fig1` · 4 levels, 14 feature nodes, 3 classes, 4 samples"
    );
    // Nothing to say about a keyword or a number.
    assert_eq!(
        c.at("textDocument/hover", pos(&text, "lambda", 0, 0)),
        Value::Null
    );
    assert_eq!(
        c.at("textDocument/hover", pos(&text, "0.5", 0, 0)),
        Value::Null
    );
    c.shutdown();
}

#[test]
fn hover_in_a_file_with_syntax_errors_keeps_its_details() {
    let mut c = Client::start();
    let text = precedence();
    assert!(c.open(&text).is_empty());
    let full = |c: &mut Client, text: &str| {
        c.at("textDocument/hover", pos(text, "h2 = all", 0, 1))["contents"]["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let before = full(&mut c, &text);
    // Errors in two other blocks, one before the node and one after.
    let broken = text
        .replace("  eta = lognormal(0, 0.5)\n", "  eta = lognormal(0, 0.5\n")
        .replace("  c: i1 i3 -> K2\n", "  c: i1 i3 -> \n");
    let diagnostics = c.change(&broken);
    let lines: Vec<u64> = diagnostics
        .iter()
        .map(|d| d["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    let line_of =
        |needle: &str| broken[..broken.find(needle).unwrap()].matches('\n').count() as u64;
    assert_eq!(
        lines,
        [line_of("eta = lognormal") + 1, line_of("  c: i1") + 1],
        "{diagnostics:?}"
    );
    // The node's gate, init and rules (file-wide and per phase) as before.
    assert_eq!(full(&mut c, &broken), before);
    assert!(before.contains("phase `two`: grow `mul 3` · shrink `mul 0.25`"));
    // The sample whose line is broken is gone; the others are there.
    let hover = c.at("textDocument/hover", pos(&broken, "b: i2", 0, 0));
    assert_eq!(
        hover["contents"]["value"],
        "**sample** `b`\n\n```nshed\nb: i2 i3 -> K1 weight 3\n```"
    );
    c.shutdown();
}

// ---------------------------------------------------------------- navigation

#[test]
fn definition_and_references_of_nodes_classes_levels_and_samples() {
    let mut c = Client::start();
    let text = precedence();
    c.open(&text);
    let uri = |r: Value| json!({ "uri": URI, "range": r });
    // A child → its declaration.
    let def = c.at("textDocument/definition", pos(&text, "any(i1", 0, 4));
    assert_eq!(def, uri(range(&text, "i1", 0)));
    // A level named in a rule target and in `freeze`.
    let def = c.at(
        "textDocument/definition",
        pos(&text, "level mid = add", 0, 6),
    );
    assert_eq!(def, uri(range(&text, "mid", 0)));
    let refs = c.ok(
        "textDocument/references",
        json!({ "textDocument": { "uri": URI }, "position": pos(&text, "in {", 0, 0), "context": { "includeDeclaration": true } }),
    );
    assert_eq!(
        refs,
        json!([
            uri(prefix_range(&text, "in {", 0, 2)),
            uri(prefix_range(&text, "in = mul 4", 0, 2)),
            uri(prefix_range(&text, "in, eta", 0, 2)),
        ])
    );
    // A class: its declaration, an edge target in init and two in rules, a sample label.
    let refs = c.ok(
        "textDocument/references",
        json!({ "textDocument": { "uri": URI }, "position": pos(&text, "K2 <-", 0, 0), "context": { "includeDeclaration": false } }),
    );
    let lines: Vec<u64> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    let line_of = |needle: &str| pos(&text, needle, 0, 0)["line"].as_u64().unwrap();
    assert_eq!(
        lines,
        [
            line_of("eta h3 -> K2 = 0"),
            line_of("grow eta h3 -> K2"),
            line_of("c: i1 i3 -> K2")
        ]
    );
    // A sample's name is its own declaration; a name that is not declared goes nowhere.
    let def = c.at("textDocument/definition", pos(&text, "b: i2", 0, 0));
    assert_eq!(def, uri(prefix_range(&text, "b: i2", 0, 1)));
    c.change(&text.replace("any(i1, i2)", "any(i1, i9)"));
    assert_eq!(
        c.at("textDocument/definition", pos(&text, "any(i1, i2)", 0, 8)),
        Value::Null
    );
    c.shutdown();
}

#[test]
fn test_samples_and_data_files_have_hovers_and_definitions() {
    let dir = tempfile::tempdir().unwrap();
    // A folder name with a blank: the file's URI escapes it.
    let folder = dir.path().join("my data");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("train.csv"),
        "name,label,a,b\nr1,c1,1,0\nr2,c2,0,1\n",
    )
    .unwrap();
    std::fs::write(folder.join("held.csv"), "label,b,a\nc2,1,0\nc1,0,1\n").unwrap();
    let text = "model m {\n  level input { a b }\n  classes { c1 <- a  c2 <- b }\n}\n\
                data {\n  s1: a -> c1\n  from \"train.csv\"\n}\n\
                test {\n  t1: a b -> c2\n  from \"held.csv\"\n}\n\
                train {\n  phase p {\n    steps 1\n  }\n}\n\
                expect {\n  predict t1 is c2\n  p r2 c2 > 0.1\n}\n";
    let uri = format!("file://{}/model.nshed", folder.display()).replace(' ', "%20");
    let mut c = Client::start();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "nshed", "version": 1, "text": text } }),
    );
    let at = |c: &mut Client, method: &str, position: Value| {
        c.ok(
            method,
            json!({ "textDocument": { "uri": uri }, "position": position }),
        )
    };
    // A written test sample: its hover, and its declaration from an expectation.
    let hover = at(&mut c, "textDocument/hover", pos(text, "t1 is", 0, 1));
    assert_eq!(
        hover["contents"]["value"],
        "**test sample** `t1` · held out: never trained on\n\n```nshed\nt1: a b -> c2\n```"
    );
    assert_eq!(hover["range"], range(text, "t1", 1));
    let def = at(&mut c, "textDocument/definition", pos(text, "t1 is", 0, 1));
    assert_eq!(def, json!({ "uri": uri, "range": range(text, "t1", 0) }));
    // A sample read from a file: its line there (line 3 of the file is line 2 here).
    let def = at(&mut c, "textDocument/definition", pos(text, "r2 c2", 0, 0));
    let csv_uri = format!("file://{}/train.csv", folder.display()).replace(' ', "%20");
    let start = json!({ "line": 2, "character": 0 });
    assert_eq!(
        def,
        json!({ "uri": csv_uri, "range": { "start": start, "end": start } })
    );
    // The path of a `from`: what the file holds.
    let hover = at(&mut c, "textDocument/hover", pos(text, "held.csv", 0, 2));
    assert_eq!(
        hover["contents"]["value"],
        format!(
            "**data file** `{}` · 2 samples into the test set · 3 columns\n\ncolumns: `label` `b` `a`",
            folder.join("held.csv").display()
        )
    );
    assert_eq!(hover["range"], range(text, "\"held.csv\"", 0));
    c.shutdown();
}

#[test]
fn document_symbols_nest_nodes_in_levels_and_samples_in_data() {
    let mut c = Client::start();
    let text = fig1();
    c.open(&text);
    let symbols = c.ok(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": URI } }),
    );
    fn tree(s: &Value) -> String {
        let children: Vec<String> = s["children"]
            .as_array()
            .map(|c| c.iter().map(tree).collect())
            .unwrap_or_default();
        if children.is_empty() {
            s["name"].as_str().unwrap().to_string()
        } else {
            format!("{}[{}]", s["name"].as_str().unwrap(), children.join(" "))
        }
    }
    let outline: Vec<String> = symbols.as_array().unwrap().iter().map(tree).collect();
    assert_eq!(
        outline,
        [
            "fig1[input[e1 e2 e3 e4 e5 e6 e7] parts[m1 m2 m3 m4] wholes[t1 t2 t3] classes[c1 c2 c3]]",
            "init",
            "rules",
            "data[c1a c1b c2 c3]",
            "train[warmup main]",
            "expect initial",
            "expect"
        ]
    );
    let model = &symbols[0];
    assert_eq!(model["kind"], 2); // module
    assert_eq!(model["selectionRange"], range(&text, "fig1", 0));
    assert_eq!(model["range"]["start"], pos(&text, "model", 0, 0));
    assert_eq!(model["range"]["end"], pos(&text, "}\n\ninit", 0, 1));
    c.shutdown();
}

#[test]
fn rename_changes_every_occurrence_and_refuses_bad_names() {
    let mut c = Client::start();
    let text = fig1();
    c.open(&text);
    let at = pos(&text, "t1 = any", 0, 0);
    let prepared = c.at("textDocument/prepareRename", at.clone());
    assert_eq!(
        prepared,
        json!({ "range": prefix_range(&text, "t1 = any", 0, 2), "placeholder": "t1" })
    );
    let edit = c.ok(
        "textDocument/rename",
        json!({ "textDocument": { "uri": URI }, "position": at.clone(), "newName": "top" }),
    );
    let edits = edit["changes"][URI].as_array().unwrap().clone();
    // The declaration, the parents of c1 and c2, and four expectations.
    assert_eq!(edits.len(), 7);
    // Apply them (from the end) and check that the result compiles with `top`.
    let mut renamed = text.clone();
    let mut offsets: Vec<(usize, usize)> = edits
        .iter()
        .map(|e| {
            let line = e["range"]["start"]["line"].as_u64().unwrap() as usize;
            let col = e["range"]["start"]["character"].as_u64().unwrap() as usize;
            let start: usize = text
                .split_inclusive('\n')
                .take(line)
                .map(str::len)
                .sum::<usize>()
                + col;
            (start, start + 2)
        })
        .collect();
    offsets.sort();
    for (s, e) in offsets.into_iter().rev() {
        renamed.replace_range(s..e, "top");
    }
    assert!(renamed.contains("c2 <- top, t2"));
    assert!(nshed::compile(nshed::source::Source {
        name: "r".into(),
        text: renamed
    })
    .is_ok());

    for (bad, why) in [
        ("level", "reserved"),
        ("p", "a keyword inside `expect` blocks, where `t1` is named"),
        ("2x", "not a name"),
        ("t2", "already declared"),
    ] {
        let r = c.request(
            "textDocument/rename",
            json!({ "textDocument": { "uri": URI }, "position": at.clone(), "newName": bad }),
        );
        let error = r.error.expect("refused");
        assert_eq!(error.code, -32803);
        assert!(error.message.contains(why), "{}", error.message);
    }
    c.shutdown();
}

// ---------------------------------------------------------------- completion

#[test]
fn completion_offers_what_fits_the_position() {
    let mut c = Client::start();
    let text = fig1();
    c.open(&text);
    let mut complete = |at: Value| labels(&c.at("textDocument/completion", at));
    // Inside a rule's parentheses in level 3: the nodes of level 2 only.
    assert_eq!(
        complete(pos(&text, "any(m1, m2)", 0, 4)),
        ["m1", "m2", "m3", "m4"]
    );
    // After `<-`: the nodes of level L-1.
    assert_eq!(complete(pos(&text, "<- t1, t2", 0, 3)), ["t1", "t2", "t3"]);
    // After `=` in a level: the rule keywords.
    assert_eq!(
        complete(pos(&text, "= any(e1", 0, 2)),
        ["any", "all", "atleast"]
    );
    // In a data pattern: level-1 nodes; after `->`: classes.
    assert_eq!(
        complete(pos(&text, "e1 e2 -> c1", 0, 0)),
        ["e1", "e2", "e3", "e4", "e5", "e6", "e7"]
    );
    assert_eq!(complete(pos(&text, "-> c1\n", 0, 3)), ["c1", "c2", "c3"]);
    // Rules: after `=`, the updates (or another target); at a statement start, the targets.
    assert_eq!(
        complete(pos(&text, "mul 1.1", 0, 0)),
        ["mul", "add", "sub", "keep", "grow", "shrink"]
    );
    assert_eq!(
        complete(pos(&text, "shrink = mul 0.9", 0, 0)),
        ["grow", "shrink", "jitter"]
    );
    // Train: a sampler's words.
    assert_eq!(
        complete(pos(&text, "replace", 0, 0)),
        ["replace", "shuffle", "cycle"]
    );
    // A record block's quantities.
    assert_eq!(
        complete(pos(&text, "lambda eta accuracy", 0, 0)),
        [
            "lambda",
            "eta",
            "accuracy",
            "logits",
            "info_plane",
            "loss",
            "test_accuracy",
            "test_loss"
        ]
    );
    c.shutdown();
}

#[test]
fn completion_offers_by_error_after_an_update() {
    let mut c = Client::start();
    let text = "model m {\n  level input { a b }\n  level mid { h = any(a, b) }\n  classes { k <- h }\n}\nrules {\n  grow = mul 1.5 \n  shrink = mul (1/2) by \n  grow h = keep \n}\n";
    c.open(text);
    let mut complete = |at: Value| labels(&c.at("textDocument/completion", at));
    // After the amount, on its line: the next statement, or `by error`.
    assert_eq!(
        complete(pos(text, "mul 1.5 ", 0, 8)),
        ["grow", "shrink", "jitter", "by error"]
    );
    // After a parenthesised amount's `by`: only `error`.
    assert_eq!(complete(pos(text, "by \n", 0, 3)), ["error"]);
    // Inside the parentheses, after `keep`, and on the next line: no `by error`.
    assert!(!complete(pos(text, "(1/2)", 0, 4)).contains(&"by error".to_string()));
    assert!(!complete(pos(text, "keep ", 0, 5)).contains(&"by error".to_string()));
    assert!(!complete(pos(text, "  shrink = mul (1/2)", 0, 0)).contains(&"by error".to_string()));
    c.shutdown();
}

#[test]
fn completion_works_while_the_file_does_not_parse() {
    let mut c = Client::start();
    let typing = "model m {\n  level input { a b c }\n  level mid {\n    h = any(a, b)\n    g = all(\n  }\n  classes {\n    k <- \n  }\n}\ndata {\n  s: a b -> \n}\ninit {\n  eta h -> \n}\nrules {\n  grow level \n}\ntrain {\n  phase p { freeze \n}\n";
    // Every syntax error of the file, one per broken line.
    assert_eq!(c.open(typing).len(), 6);
    let mut complete = |at: Value| labels(&c.at("textDocument/completion", at));
    assert_eq!(complete(pos(typing, "all(", 0, 4)), ["a", "b", "c"]);
    // `g`, whose rule is half-typed, is in no tree until its line parses.
    assert_eq!(complete(pos(typing, "k <- ", 0, 5)), ["h"]);
    assert_eq!(complete(pos(typing, "a b -> ", 0, 7)), ["k"]);
    assert_eq!(complete(pos(typing, "s: a", 0, 3)), ["a", "b", "c"]);
    assert_eq!(complete(pos(typing, "h -> ", 0, 5)), ["k"]);
    assert_eq!(
        complete(pos(typing, "grow level ", 0, 11)),
        ["input", "mid"]
    );
    assert_eq!(
        complete(pos(typing, "freeze ", 0, 7)),
        ["input", "mid", "eta"]
    );
    // A word being typed is completed from what precedes it.
    assert_eq!(
        complete(pos(typing, "h = any(a, b)", 0, 10)),
        ["a", "b", "c"]
    );
    c.shutdown();
}

// ---------------------------------------------------------------- formatting, tokens

#[test]
fn formatting_goes_through_the_printer() {
    let mut c = Client::start();
    let messy = "model m{level a{x}classes{k<-x}} // c\n";
    c.open(messy);
    let edits = c.ok(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(
        edits,
        json!([{
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 1, "character": 0 } },
            "newText": nshed::syntax::print::format_source(messy).unwrap()
        }])
    );
    let tidy = nshed::syntax::print::format_source(messy).unwrap();
    c.change(&tidy);
    let edits = c.ok(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(edits, json!([]));
    c.change("model m {");
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(r.error.expect("refused").code, -32803);
    c.shutdown();
}

#[test]
fn semantic_tokens_classify_names_keywords_numbers_and_comments() {
    let mut c = Client::start();
    let text =
        "model m {\n  level in { a } // x\n  classes { k <- a }\n}\ndata { s: a -> k weight 2 }\n";
    c.open(text);
    let data = c.ok(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": URI } }),
    )["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect::<Vec<_>>();
    // Decode (line, column, length, type, modifiers).
    let mut decoded = Vec::new();
    let (mut line, mut col) = (0, 0);
    for t in data.chunks(5) {
        line += t[0];
        col = if t[0] == 0 { col + t[1] } else { t[1] };
        decoded.push((line, col, t[2], t[3], t[4]));
    }
    // Types: 0 level, 1 class, 2 node, 3 sample, 4 phase, 5 keyword, 6 number,
    // 7 comment, 8 operator; modifier 1: declaration.
    assert_eq!(
        decoded,
        vec![
            (0, 0, 5, 5, 0),  // model
            (1, 2, 5, 5, 0),  // level
            (1, 8, 2, 0, 1),  // in (declared)
            (1, 13, 1, 2, 1), // a (declared)
            (1, 17, 4, 7, 0), // // x
            (2, 2, 7, 5, 0),  // classes
            (2, 12, 1, 1, 1), // k (declared)
            (2, 14, 2, 8, 0), // <-
            (2, 17, 1, 2, 0), // a
            (4, 0, 4, 5, 0),  // data
            (4, 7, 1, 3, 1),  // s (declared)
            (4, 10, 1, 2, 0), // a
            (4, 12, 2, 8, 0), // ->
            (4, 15, 1, 1, 0), // k
            (4, 17, 6, 5, 0), // weight
            (4, 24, 1, 6, 0), // 2
        ]
    );
    c.shutdown();
}

#[test]
fn error_driven_rules_show_in_hovers_and_tokens() {
    let mut c = Client::start();
    let text = "model m {\n  level in { a b }\n  level mid { h = any(a, b) }\n  classes { k <- h }\n}\nrules {\n  grow = mul 1.5 by error\n  shrink level mid = sub 0.25 by error\n}\ndata { s: a -> k }\ntrain {\n  phase p { steps 2 shrink level mid = mul 0.5 by error }\n}\n";
    assert!(c.open(text).is_empty());
    let hover = c.at("textDocument/hover", pos(text, "h = any", 0, 0));
    assert_eq!(
        hover["contents"]["value"],
        "**node** `h` · level 2 `mid`\n\n```nshed\nh = any(a, b)\n```\n\n\
         init `lambda = 1`\n\n\
         rules: grow `mul 1.5 by error` · shrink `sub 0.25 by error`\n\n\
         phase `p`: grow `mul 1.5 by error` · shrink `mul 0.5 by error`"
    );
    let data = c.ok(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": URI } }),
    )["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect::<Vec<_>>();
    let (mut line, mut col) = (0, 0);
    let mut keywords = Vec::new();
    for t in data.chunks(5) {
        line += t[0];
        col = if t[0] == 0 { col + t[1] } else { t[1] };
        if t[3] == 5 {
            keywords.push((line, col, t[2]));
        }
    }
    // `by` and `error` are keywords in the rules and in the phase.
    for (line, prefix) in [
        (6, "  grow = mul 1.5 "),
        (7, "  shrink level mid = sub 0.25 "),
        (11, "  phase p { steps 2 shrink level mid = mul 0.5 "),
    ] {
        let by = prefix.len() as u32;
        assert!(keywords.contains(&(line, by, 2)), "{keywords:?}");
        assert!(keywords.contains(&(line, by + 3, 5)), "{keywords:?}");
    }
    c.shutdown();
}

// ---------------------------------------------------------------- protocol

#[test]
fn unknown_methods_and_unopened_documents_get_errors_per_the_protocol() {
    let mut c = Client::start();
    let r = c.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert_eq!(r.error.expect("error").code, -32601); // MethodNotFound
    let r = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(r.error.expect("error").code, -32602); // InvalidParams: not open
    let r = c.request("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(r.error.expect("error").code, -32602);
    // Unknown notifications are ignored; the server still answers.
    c.notify("$/unknownNotification", json!({}));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": {} }),
    );
    c.open(&fig1());
    assert_ne!(
        c.at("textDocument/hover", pos(&fig1(), "m1", 0, 0)),
        Value::Null
    );
    c.shutdown();
}

/// Every request the server handles, at a few places of the current text.
fn exercise(c: &mut Client, text: &str, probes: &[usize]) {
    let doc = json!({ "uri": URI });
    for &offset in probes {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        // Positions by line and UTF-16 column, as a client computes them.
        let line = text[..offset].matches('\n').count();
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let column: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
        let position = json!({ "line": line, "character": column });
        let with_position = json!({ "textDocument": doc, "position": position });
        for method in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
            "textDocument/prepareRename",
        ] {
            let r = c.request(method, with_position.clone());
            assert!(
                r.error.is_none(),
                "{method} failed on:\n{text}\n{:?}",
                r.error
            );
        }
        let r = c.request(
            "textDocument/references",
            json!({ "textDocument": doc, "position": position, "context": { "includeDeclaration": true } }),
        );
        assert!(r.error.is_none(), "references failed on:\n{text}");
        let r = c.request(
            "textDocument/rename",
            json!({ "textDocument": doc, "position": position, "newName": "renamed_x" }),
        );
        // Refusing (nothing to rename) is fine; an internal error is not.
        assert_ne!(r.error.map(|e| e.code), Some(-32603), "rename on:\n{text}");
    }
    for method in [
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
    ] {
        let r = c.request(method, json!({ "textDocument": doc }));
        assert!(r.error.is_none(), "{method} failed on:\n{text}");
    }
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": doc, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_ne!(
        r.error.map(|e| e.code),
        Some(-32603),
        "formatting on:\n{text}"
    );
}

#[test]
fn any_text_gets_answers_and_never_crashes_the_server() {
    let mut c = Client::start();
    c.open("");
    let mut corpus: Vec<Vec<u8>> = Vec::new();
    for dir in ["examples", "tests/models", "tests/bad"] {
        corpus.extend(sources(dir));
    }
    corpus.extend(mutants(10_000));
    assert!(corpus.len() > 10_050);
    for (i, bytes) in corpus.iter().enumerate() {
        // Editors send text; invalid UTF-8 arrives as replacement characters.
        let text = String::from_utf8_lossy(bytes).into_owned();
        c.change(&text);
        let probes: Vec<usize> = if i % 10 == 0 {
            (0..=text.len()).step_by(7.max(text.len() / 40)).collect()
        } else {
            vec![i % (text.len() + 1), text.len() / 2, text.len()]
        };
        exercise(&mut c, &text, &probes);
    }
    c.shutdown();
}

// ---------------------------------------------------------------- stdio

fn frame(body: &Value) -> Vec<u8> {
    let body = body.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn read_frame(reader: &mut impl BufRead) -> Value {
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn the_binary_speaks_the_protocol_on_stdio() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nshed"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdin
        .write_all(&frame(&json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "processId": null, "rootUri": null, "capabilities": {} } })))
        .unwrap();
    let init = read_frame(&mut stdout);
    assert_eq!(init["id"], 1);
    assert_eq!(init["result"]["serverInfo"]["name"], "nshed");
    stdin
        .write_all(&frame(
            &json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        ))
        .unwrap();
    let text = "model m { level a { x } }";
    stdin
        .write_all(&frame(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": { "uri": URI, "languageId": "nshed", "version": 1, "text": text } } })))
        .unwrap();
    let published = read_frame(&mut stdout);
    assert_eq!(published["method"], "textDocument/publishDiagnostics");
    assert_eq!(
        published["params"]["diagnostics"][0]["code"],
        "nshed::check::model_shape"
    );
    stdin
        .write_all(&frame(
            &json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }),
        ))
        .unwrap();
    assert_eq!(read_frame(&mut stdout)["id"], 2);
    stdin
        .write_all(&frame(&json!({ "jsonrpc": "2.0", "method": "exit" })))
        .unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
