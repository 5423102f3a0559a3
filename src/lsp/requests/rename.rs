//! `textDocument/prepareRename` and `textDocument/rename`: a name changed everywhere it
//! is written, or refused with the reason.

use std::collections::HashMap;

use lsp_types as lsp;

use super::super::convert::{offset, range};
use super::super::documents::Documents;
use super::super::message::code;
use super::{analysis, Failure};

pub fn prepare_rename(
    documents: &mut Documents,
    p: lsp::TextDocumentPositionParams,
) -> Result<Option<lsp::PrepareRenameResponse>, Failure> {
    let a = analysis(documents, &p.text_document.uri)?;
    Ok(a.rename_target(offset(&a, p.position)).map(|(span, name)| {
        lsp::PrepareRenameResponse::RangeWithPlaceholder {
            range: range(&a, span),
            placeholder: name.to_string(),
        }
    }))
}

pub fn rename(
    documents: &mut Documents,
    p: lsp::RenameParams,
) -> Result<Option<lsp::WorkspaceEdit>, Failure> {
    let at = p.text_document_position;
    let uri = at.text_document.uri;
    let a = analysis(documents, &uri)?;
    let spans = a
        .rename(offset(&a, at.position), &p.new_name)
        .map_err(|e| (code::REQUEST_FAILED, e.to_string()))?;
    let edits = spans
        .into_iter()
        .map(|span| lsp::TextEdit::new(range(&a, span), p.new_name.clone()))
        .collect();
    Ok(Some(lsp::WorkspaceEdit::new(HashMap::from([(uri, edits)]))))
}
