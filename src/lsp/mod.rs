//! `nshed lsp`: a language server over stdio, built on the library: `syntax` parses,
//! `check` finds the problems and builds the IR, `index` knows every name, `complete`
//! and `hover` answer from those, and `syntax::print` formats.
//!
//! The server is synchronous (`lsp-server`, the scaffold rust-analyzer uses, with the
//! protocol's types from `lsp-types`): one thread reads a message, answers it and reads the
//! next. A document is analysed once per change (`Analysis::new`); every request reads
//! that analysis. When a change does not parse, names come from a tolerant scan of the
//! tokens and details (rules, parents, settings) from the last version that parsed.
//!
//! To add a feature: declare it in `capabilities`, add an arm to `Server::request` that
//! calls a function of this module (or a new file beside it) taking an `Analysis` and
//! returning an `lsp_types` value, and a test in `tests/integration/lsp.rs` that sends
//! the request over an in-memory connection.

mod complete;
pub mod hover;
pub mod index;

use std::collections::HashMap;
use std::rc::Rc;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use serde::de::DeserializeOwned;
use serde_json::Value;

use index::{Index, Kind, Namespace};
use nshed::diag::Problem;
use nshed::ir::Ir;
use nshed::span::LineIndex;
use nshed::syntax::ast::{self, Span};

pub use complete::{complete, What};

/// Serves the protocol on stdin and `out` (standard output) until the client says `exit`;
/// a protocol or I/O failure is the error. A failed write to `out` stops the server at
/// once: a client that cannot be answered is gone.
pub fn run_stdio(out: impl std::io::Write + Send + 'static) -> Result<(), String> {
    let (server, client) = Connection::memory();
    let Connection {
        sender: to_server,
        receiver: from_server,
    } = client;
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut out = out;
        for message in from_server {
            message.write(&mut out)?;
        }
        Ok(())
    });
    let reader = std::thread::spawn(move || -> std::io::Result<()> {
        let mut stdin = std::io::stdin().lock();
        while let Some(message) = Message::read(&mut stdin)? {
            let exit = matches!(&message, Message::Notification(n)
                if n.method == lsp::notification::Exit::METHOD);
            if to_server.send(message).is_err() || exit {
                break;
            }
        }
        Ok(())
    });
    // The server's end is dropped when it returns, which ends the writer's loop.
    let served = serve(server);
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the writer thread panicked")));
    // A reader still waiting on stdin has nothing to say (the server stopped first).
    let read = if reader.is_finished() {
        reader
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the reader thread panicked")))
    } else {
        Ok(())
    };
    written
        .map_err(|e| format!("cannot write to standard output: {e}"))
        .and(read.map_err(|e| format!("cannot read standard input: {e}")))
        .and(served)
}

/// Serves one client on `connection` (stdio, or an in-memory pair in tests): the
/// `initialize` handshake, then every message until `shutdown` and `exit`.
pub fn serve(connection: Connection) -> Result<(), String> {
    let (id, _params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let result = lsp::InitializeResult {
        capabilities: capabilities(),
        server_info: Some(lsp::ServerInfo {
            name: "nshed".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|e| e.to_string())?;
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server::default();
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let id = request.id.clone();
                // A bug in a handler answers this one request with an error; the server
                // and its documents live on.
                let response = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    server.request(request)
                }))
                .unwrap_or_else(|_| {
                    Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        "nshed lsp: internal error".to_string(),
                    )
                });
                send(&connection, response.into())?;
            }
            Message::Notification(notification) => {
                if notification.method == lsp::notification::Exit::METHOD {
                    return Ok(());
                }
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    server.notification(notification)
                }))
                .unwrap_or_default();
                for message in out {
                    send(&connection, message.into())?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn send(connection: &Connection, message: Message) -> Result<(), String> {
    connection.sender.send(message).map_err(|e| e.to_string())
}

/// What the server offers, as the `initialize` answer says.
pub fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(
            lsp::TextDocumentSyncKind::FULL,
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(
                ["(", ",", "-", ">", ":", "="]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            ),
            ..Default::default()
        }),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp::SemanticTokensOptions {
                    legend: lsp::SemanticTokensLegend {
                        token_types: TOKEN_TYPES.to_vec(),
                        token_modifiers: vec![lsp::SemanticTokenModifier::DECLARATION],
                    },
                    full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    ..Default::default()
                },
            ),
        ),
        ..Default::default()
    }
}

const TOKEN_TYPES: [lsp::SemanticTokenType; 9] = [
    lsp::SemanticTokenType::NAMESPACE,   // levels
    lsp::SemanticTokenType::CLASS,       // classes
    lsp::SemanticTokenType::VARIABLE,    // nodes
    lsp::SemanticTokenType::ENUM_MEMBER, // samples
    lsp::SemanticTokenType::EVENT,       // phases
    lsp::SemanticTokenType::KEYWORD,
    lsp::SemanticTokenType::NUMBER,
    lsp::SemanticTokenType::COMMENT,
    lsp::SemanticTokenType::OPERATOR,
];

/// Everything known about one version of a document.
pub struct Analysis {
    pub text: String,
    pub lines: LineIndex,
    /// `None` when the text does not parse.
    pub ast: Option<ast::File>,
    /// The syntax error, or every problem the checker found, in source order.
    pub problems: Vec<Problem>,
    /// `Some` when the file checks without errors.
    pub ir: Option<Ir>,
    pub index: Index,
}

impl Analysis {
    pub fn new(text: String) -> Analysis {
        let lines = LineIndex::new(&text);
        let (ast, mut problems, ir, index) = match nshed::syntax::parse_file(&text) {
            Ok(file) => {
                let checked = nshed::check::check(&file);
                let index = Index::from_ast(&file, &text);
                (Some(file), checked.problems, checked.ir, index)
            }
            Err(problem) => (None, vec![problem], None, Index::scan(&text)),
        };
        problems.sort_by_key(|p| p.labels.first().map_or(0, |l| l.offset()));
        Analysis {
            text,
            lines,
            ast,
            problems,
            ir,
            index,
        }
    }

    pub fn range(&self, span: Span) -> lsp::Range {
        let (l0, c0) = self.lines.utf16(&self.text, span.start);
        let (l1, c1) = self.lines.utf16(&self.text, span.end);
        lsp::Range::new(lsp::Position::new(l0, c0), lsp::Position::new(l1, c1))
    }

    pub fn offset(&self, position: lsp::Position) -> usize {
        self.lines
            .offset_utf16(&self.text, position.line, position.character)
    }
}

struct Document {
    uri: lsp::Uri,
    analysis: Rc<Analysis>,
    /// The last version that parsed, for details while the user types.
    last_parsed: Option<Rc<Analysis>>,
}

impl Document {
    fn new(uri: lsp::Uri, text: String) -> Self {
        let analysis = Rc::new(Analysis::new(text));
        let last_parsed = analysis.ast.is_some().then(|| Rc::clone(&analysis));
        Document {
            uri,
            analysis,
            last_parsed,
        }
    }

    fn update(&mut self, text: String) {
        self.analysis = Rc::new(Analysis::new(text));
        if self.analysis.ast.is_some() {
            self.last_parsed = Some(Rc::clone(&self.analysis));
        }
    }

    /// The last version that parsed: where hovers find rules, parents and settings while
    /// the current text does not parse.
    fn fallback(&self) -> Option<&Analysis> {
        self.last_parsed.as_deref()
    }
}

#[derive(Default)]
struct Server {
    documents: HashMap<String, Document>,
}

type Answer = Result<Value, (i32, String)>;

fn params<P: DeserializeOwned>(value: Value) -> Result<P, (i32, String)> {
    serde_json::from_value(value).map_err(|e| {
        (
            ErrorCode::InvalidParams as i32,
            format!("invalid parameters: {e}"),
        )
    })
}

fn json<T: serde::Serialize>(value: T) -> Answer {
    serde_json::to_value(value).map_err(|e| (ErrorCode::InternalError as i32, e.to_string()))
}

impl Server {
    fn request(&mut self, request: Request) -> Response {
        use lsp::request as r;
        let Request {
            id,
            method,
            params: p,
        } = request;
        let answer: Answer = match method.as_str() {
            r::HoverRequest::METHOD => params(p).and_then(|p| self.hover(p)),
            r::Completion::METHOD => params(p).and_then(|p| self.completion(p)),
            r::GotoDefinition::METHOD => params(p).and_then(|p| self.definition(p)),
            r::References::METHOD => params(p).and_then(|p| self.references(p)),
            r::DocumentSymbolRequest::METHOD => params(p).and_then(|p| self.symbols(p)),
            r::PrepareRenameRequest::METHOD => params(p).and_then(|p| self.prepare_rename(p)),
            r::Rename::METHOD => params(p).and_then(|p| self.rename(p)),
            r::Formatting::METHOD => params(p).and_then(|p| self.format(p)),
            r::SemanticTokensFullRequest::METHOD => params(p).and_then(|p| self.semantic_tokens(p)),
            _ => Err((
                ErrorCode::MethodNotFound as i32,
                format!("nshed lsp does not handle `{method}`"),
            )),
        };
        match answer {
            Ok(result) => Response::new_ok(id, result),
            Err((code, message)) => Response::new_err(id, code, message),
        }
    }

    /// Handles a notification; returns the notifications to send (diagnostics).
    fn notification(&mut self, notification: Notification) -> Vec<Notification> {
        use lsp::notification as n;
        let Notification { method, params: p } = notification;
        match method.as_str() {
            n::DidOpenTextDocument::METHOD => {
                let Ok(p) = params::<lsp::DidOpenTextDocumentParams>(p) else {
                    return Vec::new();
                };
                let key = p.text_document.uri.as_str().to_string();
                let doc = Document::new(p.text_document.uri, p.text_document.text);
                let out = publish(&doc);
                self.documents.insert(key, doc);
                vec![out]
            }
            n::DidChangeTextDocument::METHOD => {
                let Ok(p) = params::<lsp::DidChangeTextDocumentParams>(p) else {
                    return Vec::new();
                };
                let Some(doc) = self.documents.get_mut(p.text_document.uri.as_str()) else {
                    return Vec::new();
                };
                // Full synchronisation: the last change holds the whole text.
                let Some(change) = p.content_changes.into_iter().last() else {
                    return Vec::new();
                };
                doc.update(change.text);
                vec![publish(doc)]
            }
            n::DidCloseTextDocument::METHOD => {
                let Ok(p) = params::<lsp::DidCloseTextDocumentParams>(p) else {
                    return Vec::new();
                };
                match self.documents.remove(p.text_document.uri.as_str()) {
                    Some(doc) => vec![Notification::new(
                        n::PublishDiagnostics::METHOD.to_string(),
                        lsp::PublishDiagnosticsParams {
                            uri: doc.uri,
                            diagnostics: Vec::new(),
                            version: None,
                        },
                    )],
                    None => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    fn document(&self, uri: &lsp::Uri) -> Result<&Document, (i32, String)> {
        self.documents.get(uri.as_str()).ok_or_else(|| {
            (
                ErrorCode::InvalidParams as i32,
                format!("`{}` is not open", uri.as_str()),
            )
        })
    }

    fn hover(&self, p: lsp::HoverParams) -> Answer {
        let doc = self.document(&p.text_document_position_params.text_document.uri)?;
        let a = &doc.analysis;
        let offset = a.offset(p.text_document_position_params.position);
        match hover::hover_at(a, doc.fallback(), offset) {
            Some((text, span)) => json(markdown(text, a.range(span))),
            None => Ok(Value::Null),
        }
    }

    fn completion(&self, p: lsp::CompletionParams) -> Answer {
        let doc = self.document(&p.text_document_position.text_document.uri)?;
        let a = &doc.analysis;
        let offset = a.offset(p.text_document_position.position);
        let items: Vec<lsp::CompletionItem> = complete(&a.text, offset, &a.index)
            .into_iter()
            .map(|c| lsp::CompletionItem {
                kind: Some(match c.what {
                    What::Keyword => lsp::CompletionItemKind::KEYWORD,
                    What::Node => lsp::CompletionItemKind::VARIABLE,
                    What::Class => lsp::CompletionItemKind::CLASS,
                    What::Level => lsp::CompletionItemKind::MODULE,
                    What::Value => lsp::CompletionItemKind::VALUE,
                }),
                detail: (!c.detail.is_empty()).then_some(c.detail),
                label: c.label,
                ..Default::default()
            })
            .collect();
        json(lsp::CompletionResponse::Array(items))
    }

    fn definition(&self, p: lsp::GotoDefinitionParams) -> Answer {
        let uri = p.text_document_position_params.text_document.uri;
        let doc = self.document(&uri)?;
        let a = &doc.analysis;
        let offset = a.offset(p.text_document_position_params.position);
        let decl = a
            .index
            .occurrence_at(offset)
            .and_then(|o| a.index.decl_of(o.namespace, &o.name));
        match decl {
            Some(d) => json(lsp::GotoDefinitionResponse::Scalar(lsp::Location::new(
                doc.uri.clone(),
                a.range(d.span),
            ))),
            None => Ok(Value::Null),
        }
    }

    fn references(&self, p: lsp::ReferenceParams) -> Answer {
        let doc = self.document(&p.text_document_position.text_document.uri)?;
        let a = &doc.analysis;
        let offset = a.offset(p.text_document_position.position);
        let Some(o) = a.index.occurrence_at(offset) else {
            return Ok(Value::Null);
        };
        let locations: Vec<lsp::Location> = a
            .index
            .occurrences_of(o.namespace, &o.name)
            .filter(|r| p.context.include_declaration || !r.is_decl)
            .map(|r| lsp::Location::new(doc.uri.clone(), a.range(r.span)))
            .collect();
        json(locations)
    }

    fn symbols(&self, p: lsp::DocumentSymbolParams) -> Answer {
        let doc = self.document(&p.text_document.uri)?;
        json(lsp::DocumentSymbolResponse::Nested(document_symbols(
            &doc.analysis,
        )))
    }

    fn prepare_rename(&self, p: lsp::TextDocumentPositionParams) -> Answer {
        let doc = self.document(&p.text_document.uri)?;
        let a = &doc.analysis;
        match a.index.occurrence_at(a.offset(p.position)) {
            Some(o) => json(lsp::PrepareRenameResponse::RangeWithPlaceholder {
                range: a.range(o.span),
                placeholder: o.name.clone(),
            }),
            None => Ok(Value::Null),
        }
    }

    fn rename(&self, p: lsp::RenameParams) -> Answer {
        let uri = p.text_document_position.text_document.uri;
        let doc = self.document(&uri)?;
        let a = &doc.analysis;
        let Some(o) = a
            .index
            .occurrence_at(a.offset(p.text_document_position.position))
        else {
            return Err((
                ErrorCode::RequestFailed as i32,
                "there is no name to rename here".to_string(),
            ));
        };
        let new = p.new_name;
        let failed = |message: String| Err((ErrorCode::RequestFailed as i32, message));
        if !is_identifier(&new) {
            return failed(format!(
                "`{new}` is not a name: names are letters, digits and `_`, not starting with a digit"
            ));
        }
        if nshed::syntax::words::is_reserved(&new) {
            return failed(format!("`{new}` is a reserved word"));
        }
        let in_expect = |span: Span| {
            a.index.decls.iter().any(|d| {
                d.kind == Kind::Block
                    && d.name.starts_with("expect")
                    && d.range.start <= span.start
                    && span.end <= d.range.end
            })
        };
        if nshed::syntax::words::EXPECT_WORDS.contains(&new.as_str())
            && a.index
                .occurrences_of(o.namespace, &o.name)
                .any(|r| in_expect(r.span))
        {
            return failed(format!(
                "`{new}` is a keyword inside `expect` blocks, where `{}` is named",
                o.name
            ));
        }
        if new != o.name && a.index.decl_of(o.namespace, &new).is_some() {
            return failed(format!("`{new}` is already declared"));
        }
        let edits: Vec<lsp::TextEdit> = a
            .index
            .occurrences_of(o.namespace, &o.name)
            .map(|r| lsp::TextEdit::new(a.range(r.span), new.clone()))
            .collect();
        json(lsp::WorkspaceEdit::new(HashMap::from([(uri, edits)])))
    }

    fn format(&self, p: lsp::DocumentFormattingParams) -> Answer {
        let doc = self.document(&p.text_document.uri)?;
        let a = &doc.analysis;
        let Some(file) = &a.ast else {
            return Err((
                ErrorCode::RequestFailed as i32,
                "the file has a syntax error; fix it to format the file".to_string(),
            ));
        };
        let formatted = nshed::syntax::print::print_file(file, &a.text);
        if formatted == a.text {
            return json(Vec::<lsp::TextEdit>::new());
        }
        let whole = a.range(Span::new(0, a.text.len()));
        json(vec![lsp::TextEdit::new(whole, formatted)])
    }

    fn semantic_tokens(&self, p: lsp::SemanticTokensParams) -> Answer {
        let doc = self.document(&p.text_document.uri)?;
        json(lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens {
            result_id: None,
            data: semantic_tokens(&doc.analysis),
        }))
    }
}

fn markdown(value: String, range: lsp::Range) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value,
        }),
        range: Some(range),
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The diagnostics of a document, to publish.
fn publish(doc: &Document) -> Notification {
    let a = &doc.analysis;
    let diagnostics = a
        .problems
        .iter()
        .map(|p| diagnostic(a, &doc.uri, p))
        .collect();
    Notification::new(
        lsp::notification::PublishDiagnostics::METHOD.to_string(),
        lsp::PublishDiagnosticsParams {
            uri: doc.uri.clone(),
            diagnostics,
            version: None,
        },
    )
}

/// A problem as an LSP diagnostic: its primary label is the range, the other labels are
/// related information, the help line ends the message.
pub fn diagnostic(a: &Analysis, uri: &lsp::Uri, problem: &Problem) -> lsp::Diagnostic {
    let span_of = |l: &miette::LabeledSpan| Span::new(l.offset(), l.offset() + l.len());
    let primary = problem.labels.first();
    let range = primary.map_or(a.range(Span::new(0, 0)), |l| a.range(span_of(l)));
    let mut message = problem.message.clone();
    if let Some(label) = primary.and_then(|l| l.label()) {
        message.push_str(&format!(" ({label})"));
    }
    if let Some(help) = &problem.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = problem
        .labels
        .iter()
        .skip(1)
        .map(|l| lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(uri.clone(), a.range(span_of(l))),
            message: l.label().unwrap_or("here").to_string(),
        })
        .collect();
    lsp::Diagnostic {
        range,
        severity: Some(match problem.severity {
            miette::Severity::Error => lsp::DiagnosticSeverity::ERROR,
            miette::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            miette::Severity::Advice => lsp::DiagnosticSeverity::HINT,
        }),
        code: Some(lsp::NumberOrString::String(problem.code.to_string())),
        source: Some("nshed".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// The outline: declarations nested by the extent of their blocks.
fn document_symbols(a: &Analysis) -> Vec<lsp::DocumentSymbol> {
    let mut roots: Vec<(Span, lsp::DocumentSymbol)> = Vec::new();
    // Declarations are in source order, so each one's container is the innermost open one.
    let mut stack: Vec<(Span, lsp::DocumentSymbol)> = Vec::new();
    let close_until = |stack: &mut Vec<(Span, lsp::DocumentSymbol)>,
                       roots: &mut Vec<(Span, lsp::DocumentSymbol)>,
                       start: usize| {
        while let Some((range, _)) = stack.last() {
            if range.end > start {
                break;
            }
            if let Some(done) = stack.pop() {
                match stack.last_mut() {
                    Some((_, parent)) => parent.children.get_or_insert_with(Vec::new).push(done.1),
                    None => roots.push(done),
                }
            }
        }
    };
    for d in &a.index.decls {
        close_until(&mut stack, &mut roots, d.range.start);
        let (kind, detail) = match d.kind {
            Kind::Model => (lsp::SymbolKind::MODULE, "model".to_string()),
            Kind::Level => (
                lsp::SymbolKind::NAMESPACE,
                format!("level {}", d.level.unwrap_or(0) + 1),
            ),
            Kind::Node => (lsp::SymbolKind::VARIABLE, "node".to_string()),
            Kind::Class => (lsp::SymbolKind::CLASS, "class".to_string()),
            Kind::Sample => (lsp::SymbolKind::CONSTANT, "sample".to_string()),
            Kind::Phase => (lsp::SymbolKind::EVENT, "phase".to_string()),
            Kind::Block => (lsp::SymbolKind::NAMESPACE, "block".to_string()),
        };
        let range = d.range.to(d.span);
        #[allow(deprecated)] // `deprecated` is a required field of the type
        let symbol = lsp::DocumentSymbol {
            name: d.name.clone(),
            detail: Some(detail),
            kind,
            tags: None,
            deprecated: None,
            range: a.range(range),
            selection_range: a.range(d.span),
            children: None,
        };
        stack.push((range, symbol));
    }
    close_until(&mut stack, &mut roots, usize::MAX);
    roots.into_iter().map(|(_, s)| s).collect()
}

/// The spans of every `by error` suffix of an update, in the rules and in phases.
fn by_error_spans(file: &ast::File) -> Vec<Span> {
    let of_item = |item: &ast::RuleItem| match item {
        ast::RuleItem::Update(stmt) => stmt.update.by_error,
        ast::RuleItem::Jitter { .. } => None,
    };
    let mut out = Vec::new();
    for block in &file.blocks {
        match block {
            ast::Block::Rules(r) => out.extend(r.items.iter().filter_map(of_item)),
            ast::Block::Train(t) => {
                for item in &t.items {
                    if let ast::TrainItem::Phase(p) = item {
                        out.extend(p.items.iter().filter_map(|i| match i {
                            ast::PhaseItem::Rule(r) => of_item(r),
                            _ => None,
                        }));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Semantic tokens: keywords, numbers, comments, arrows and `=`, and names by what they
/// name (levels, nodes, classes, samples, phases), declarations marked.
fn semantic_tokens(a: &Analysis) -> Vec<lsp::SemanticToken> {
    use nshed::syntax::lex::TokenKind;
    let mut out = Vec::new();
    let (mut line, mut col) = (0u32, 0u32);
    let mut occurrences = a.index.occurrences.iter().peekable();
    // `by error` is a keyword only where it ends an update.
    let by_error = a.ast.as_ref().map(by_error_spans).unwrap_or_default();
    let in_by_error = |s: Span| {
        by_error
            .iter()
            .any(|b| b.start <= s.start && s.end <= b.end)
    };
    for t in nshed::syntax::lex::tokens(&a.text) {
        let text = t.text(&a.text);
        while occurrences
            .peek()
            .is_some_and(|o| o.span.start < t.span.start)
        {
            occurrences.next();
        }
        let occurrence = occurrences.peek().filter(|o| o.span == t.span);
        let (kind, modifiers) = match t.kind {
            TokenKind::Word if nshed::syntax::words::is_reserved(text) => (5, 0),
            TokenKind::Word if in_by_error(t.span) => (5, 0),
            TokenKind::Word => match occurrence {
                Some(o) => {
                    let kind = match o.namespace {
                        Namespace::Level => 0,
                        Namespace::Model => match a.index.decl_of(o.namespace, &o.name) {
                            Some(d) if d.kind == Kind::Class => 1,
                            _ => 2,
                        },
                        Namespace::Sample => 3,
                        Namespace::Phase => 4,
                    };
                    (kind, u32::from(o.is_decl))
                }
                None => continue,
            },
            TokenKind::Number => (6, 0),
            TokenKind::Comment => (7, 0),
            TokenKind::Arrow | TokenKind::LArrow | TokenKind::Eq => (8, 0),
            _ => continue,
        };
        let (l, c) = a.lines.utf16(&a.text, t.span.start);
        let length: usize = text.chars().map(char::len_utf16).sum();
        let delta_line = l - line;
        let delta_start = if delta_line == 0 { c - col } else { c };
        out.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: u32::try_from(length).unwrap_or(u32::MAX),
            token_type: kind,
            token_modifiers_bitset: modifiers,
        });
        (line, col) = (l, c);
    }
    out
}
