//! `textDocument/completion`: what fits at the cursor.

use lsp_types as lsp;
use nshed::ide::CompletionKind;

use super::super::convert::offset;
use super::super::documents::Documents;
use super::{analysis, Failure};

pub fn completion(
    documents: &mut Documents,
    p: lsp::CompletionParams,
) -> Result<Option<lsp::CompletionResponse>, Failure> {
    let at = p.text_document_position;
    let a = analysis(documents, &at.text_document.uri)?;
    let items = a
        .completions(offset(&a, at.position))
        .into_iter()
        .map(|c| lsp::CompletionItem {
            kind: Some(match c.kind {
                CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
                CompletionKind::Node => lsp::CompletionItemKind::VARIABLE,
                CompletionKind::Class => lsp::CompletionItemKind::CLASS,
                CompletionKind::Level => lsp::CompletionItemKind::MODULE,
                CompletionKind::Value => lsp::CompletionItemKind::VALUE,
                CompletionKind::Sample => lsp::CompletionItemKind::CONSTANT,
            }),
            detail: (!c.detail.is_empty()).then_some(c.detail),
            label: c.label,
            ..Default::default()
        })
        .collect();
    Ok(Some(lsp::CompletionResponse::Array(items)))
}
