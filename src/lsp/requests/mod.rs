//! One file per request: each takes the request's parameters, asks the document's
//! `nshed::ide::Analysis` and converts the answer to the protocol's types.

mod completion;
mod definition;
mod formatting;
mod hover;
mod references;
mod rename;
mod semantic_tokens;
mod symbols;

use std::sync::Arc;

use lsp_types as lsp;
use lsp_types::request::{self as r, Request};
use nshed::ide::Analysis;
use serde_json::Value;

use super::documents::Documents;
use super::message::code;

pub use semantic_tokens::TOKEN_TYPES;

/// Why a request failed: a JSON-RPC error code and a message.
pub type Failure = (i64, String);

/// Answers request `method` about the documents: its result, or why it failed.
pub fn handle(documents: &mut Documents, method: &str, params: Value) -> Result<Value, Failure> {
    match method {
        r::HoverRequest::METHOD => run::<r::HoverRequest>(documents, params, hover::hover),
        r::Completion::METHOD => run::<r::Completion>(documents, params, completion::completion),
        r::GotoDefinition::METHOD => {
            run::<r::GotoDefinition>(documents, params, definition::definition)
        }
        r::References::METHOD => run::<r::References>(documents, params, references::references),
        r::DocumentSymbolRequest::METHOD => {
            run::<r::DocumentSymbolRequest>(documents, params, symbols::symbols)
        }
        r::PrepareRenameRequest::METHOD => {
            run::<r::PrepareRenameRequest>(documents, params, rename::prepare_rename)
        }
        r::Rename::METHOD => run::<r::Rename>(documents, params, rename::rename),
        r::Formatting::METHOD => run::<r::Formatting>(documents, params, formatting::formatting),
        r::SemanticTokensFullRequest::METHOD => {
            run::<r::SemanticTokensFullRequest>(documents, params, semantic_tokens::full)
        }
        _ => Err((
            code::METHOD_NOT_FOUND,
            format!("nshed lsp does not handle `{method}`"),
        )),
    }
}

type Handler<R> =
    fn(&mut Documents, <R as Request>::Params) -> Result<<R as Request>::Result, Failure>;

/// Reads the parameters of request `R`, runs `handler` on them, and writes its result.
fn run<R: Request>(
    documents: &mut Documents,
    params: Value,
    handler: Handler<R>,
) -> Result<Value, Failure> {
    let params: R::Params = serde_json::from_value(params)
        .map_err(|e| (code::INVALID_PARAMS, format!("invalid parameters: {e}")))?;
    let result = handler(documents, params)?;
    serde_json::to_value(result).map_err(|e| (code::INTERNAL_ERROR, e.to_string()))
}

/// The analysis of an open document.
fn analysis(documents: &mut Documents, uri: &lsp::Uri) -> Result<Arc<Analysis>, Failure> {
    match documents.get(uri) {
        Some(document) => Ok(Arc::clone(document.analysis())),
        None => Err((
            code::INVALID_PARAMS,
            format!("`{}` is not open", uri.as_str()),
        )),
    }
}
