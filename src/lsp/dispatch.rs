//! The server's life as the protocol defines it, and where each message goes.
//!
//! * Before `initialize`, a request is answered with `ServerNotInitialized` (-32002) and
//!   a notification is dropped, `exit` aside.
//! * After the `initialize` answer the server serves; a request that comes before the
//!   client's `initialized` notification is served too (the protocol only asks clients
//!   not to send one). A second `initialize` is an invalid request (-32600).
//! * After `shutdown`, every request is an invalid request (-32600) and notifications are
//!   dropped, `exit` aside.
//! * `exit` ends the server: with status 0 after `shutdown`, 1 without.
//!
//! A handler that panics answers its request with an internal error (-32603); the
//! server and its documents live on.

use lsp_types as lsp;
use lsp_types::notification::{self as n, Notification as _};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::convert;
use super::documents::Documents;
use super::message::{self, code, Incoming};
use super::requests;

/// Where the server is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShutDown,
}

/// The server's state: its phase and the open documents.
pub struct Server {
    phase: Phase,
    documents: Documents,
}

/// What handling a message asks of the loop.
pub enum Next {
    /// Send these messages and go on.
    Send(Vec<Value>),
    /// The client said `exit`: end, after `shutdown` or not.
    Exit { after_shutdown: bool },
}

impl Server {
    pub fn new() -> Server {
        Server {
            phase: Phase::Uninitialized,
            documents: Documents::default(),
        }
    }

    /// Whether `shutdown` was answered.
    pub fn shut_down(&self) -> bool {
        self.phase == Phase::ShutDown
    }

    pub fn handle(&mut self, incoming: Incoming) -> Next {
        match incoming {
            Incoming::Request { id, method, params } => {
                Next::Send(vec![message::response(id, self.request(&method, params))])
            }
            Incoming::Notification { method, .. } if method == n::Exit::METHOD => Next::Exit {
                after_shutdown: self.phase == Phase::ShutDown,
            },
            Incoming::Notification { method, params } => match self.phase {
                Phase::Running => Next::Send(self.notification(&method, params)),
                Phase::Uninitialized | Phase::ShutDown => Next::Send(Vec::new()),
            },
            Incoming::Response => Next::Send(Vec::new()),
            Incoming::Invalid { id, code, message } => {
                Next::Send(vec![message::response(id, Err((code, message)))])
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Result<Value, requests::Failure> {
        match (self.phase, method) {
            (Phase::Uninitialized, "initialize") => {
                self.phase = Phase::Running;
                Ok(initialize_result())
            }
            (Phase::Uninitialized, _) => Err((
                code::SERVER_NOT_INITIALIZED,
                "the server is not initialized: send `initialize` first".to_string(),
            )),
            (Phase::ShutDown, _) => Err((
                code::INVALID_REQUEST,
                "the server is shut down: only `exit` is expected".to_string(),
            )),
            (Phase::Running, "initialize") => Err((
                code::INVALID_REQUEST,
                "the server is initialized already".to_string(),
            )),
            (Phase::Running, "shutdown") => {
                self.phase = Phase::ShutDown;
                Ok(Value::Null)
            }
            (Phase::Running, _) => {
                let documents = &mut self.documents;
                // A bug in a handler answers this one request with an error; the server
                // and its documents live on.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    requests::handle(documents, method, params)
                }))
                .unwrap_or_else(|_| {
                    Err((
                        code::INTERNAL_ERROR,
                        "nshed lsp: internal error".to_string(),
                    ))
                })
            }
        }
    }

    /// Handles a notification of a running server; returns what to send (the diagnostics
    /// of a closed document, cleared).
    fn notification(&mut self, method: &str, params: Value) -> Vec<Value> {
        match method {
            n::DidOpenTextDocument::METHOD => {
                if let Some(p) = read::<lsp::DidOpenTextDocumentParams>(params) {
                    let doc = p.text_document;
                    self.documents.open(doc.uri, doc.version, doc.text);
                }
                Vec::new()
            }
            n::DidChangeTextDocument::METHOD => {
                if let Some(p) = read::<lsp::DidChangeTextDocumentParams>(params) {
                    // Full synchronisation: the last change holds the whole text.
                    if let Some(change) = p.content_changes.into_iter().last() {
                        let doc = p.text_document;
                        self.documents.change(&doc.uri, doc.version, change.text);
                    }
                }
                Vec::new()
            }
            n::DidCloseTextDocument::METHOD => {
                let closed = read::<lsp::DidCloseTextDocumentParams>(params)
                    .and_then(|p| self.documents.close(&p.text_document.uri));
                match closed {
                    Some(doc) => vec![publish(lsp::PublishDiagnosticsParams {
                        uri: doc.uri,
                        diagnostics: Vec::new(),
                        version: None,
                    })],
                    None => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    /// The diagnostics of every document changed since they were last published,
    /// analysing what is not analysed yet when `analyse` (when no message waits, and
    /// before `shutdown` is answered), otherwise only of those a request had analysed.
    pub fn publish_pending(&mut self, analyse: bool) -> Vec<Value> {
        self.documents
            .unpublished(analyse)
            .into_iter()
            .filter_map(|doc| {
                let version = doc.version;
                let uri = doc.uri.clone();
                let analysis = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    std::sync::Arc::clone(doc.analysis())
                }))
                .ok()?;
                Some(publish(convert::publish(&analysis, &uri, Some(version))))
            })
            .collect()
    }
}

fn read<P: DeserializeOwned>(params: Value) -> Option<P> {
    serde_json::from_value(params).ok()
}

fn publish(params: lsp::PublishDiagnosticsParams) -> Value {
    message::notification(
        n::PublishDiagnostics::METHOD,
        serde_json::to_value(params).unwrap_or_default(),
    )
}

fn initialize_result() -> Value {
    let result = lsp::InitializeResult {
        capabilities: super::capabilities(),
        server_info: Some(lsp::ServerInfo {
            name: "nshed".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    serde_json::to_value(result).unwrap_or_default()
}
