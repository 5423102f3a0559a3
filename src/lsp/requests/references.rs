//! `textDocument/references`: every place the name under the cursor is written.

use lsp_types as lsp;

use super::super::convert::{offset, range};
use super::super::documents::Documents;
use super::{analysis, Failure};

pub fn references(
    documents: &mut Documents,
    p: lsp::ReferenceParams,
) -> Result<Option<Vec<lsp::Location>>, Failure> {
    let at = p.text_document_position;
    let uri = at.text_document.uri;
    let a = analysis(documents, &uri)?;
    let at = offset(&a, at.position);
    if a.rename_target(at).is_none() {
        return Ok(None);
    }
    Ok(Some(
        a.references(at, p.context.include_declaration)
            .into_iter()
            .map(|span| lsp::Location::new(uri.clone(), range(&a, span)))
            .collect(),
    ))
}
