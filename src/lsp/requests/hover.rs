//! `textDocument/hover`: a name's declaration and details, or the model's size.

use lsp_types as lsp;

use super::super::convert::{offset, range};
use super::super::documents::Documents;
use super::{analysis, Failure};

pub fn hover(
    documents: &mut Documents,
    p: lsp::HoverParams,
) -> Result<Option<lsp::Hover>, Failure> {
    let at = p.text_document_position_params;
    let a = analysis(documents, &at.text_document.uri)?;
    Ok(a.hover(offset(&a, at.position)).map(|h| lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(range(&a, h.span)),
    }))
}
