//! `textDocument/formatting`: the whole text in `nshed fmt`'s layout.

use lsp_types as lsp;
use nshed::span::Span;

use super::super::convert::range;
use super::super::documents::Documents;
use super::super::message::code;
use super::{analysis, Failure};

pub fn formatting(
    documents: &mut Documents,
    p: lsp::DocumentFormattingParams,
) -> Result<Option<Vec<lsp::TextEdit>>, Failure> {
    let a = analysis(documents, &p.text_document.uri)?;
    let Some(formatted) = a.formatted() else {
        return Err((
            code::REQUEST_FAILED,
            "the file has a syntax error; fix it to format the file".to_string(),
        ));
    };
    if formatted == a.text() {
        return Ok(Some(Vec::new()));
    }
    let whole = range(&a, Span::new(0, a.text().len()));
    Ok(Some(vec![lsp::TextEdit::new(whole, formatted)]))
}
