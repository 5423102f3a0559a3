//! `textDocument/definition`: where the name under the cursor is declared.

use lsp_types as lsp;

use super::super::convert::{offset, range};
use super::super::documents::Documents;
use super::{analysis, Failure};

pub fn definition(
    documents: &mut Documents,
    p: lsp::GotoDefinitionParams,
) -> Result<Option<lsp::GotoDefinitionResponse>, Failure> {
    let at = p.text_document_position_params;
    let uri = at.text_document.uri;
    let a = analysis(documents, &uri)?;
    Ok(a.definition(offset(&a, at.position))
        .map(|span| lsp::GotoDefinitionResponse::Scalar(lsp::Location::new(uri, range(&a, span)))))
}
