//! `textDocument/definition`: where the name under the cursor is declared.

use lsp_types as lsp;

use nshed::ide::Definition;

use super::super::convert::{file_uri, offset, range};
use super::super::documents::Documents;
use super::{analysis, Failure};

pub fn definition(
    documents: &mut Documents,
    p: lsp::GotoDefinitionParams,
) -> Result<Option<lsp::GotoDefinitionResponse>, Failure> {
    let at = p.text_document_position_params;
    let uri = at.text_document.uri;
    let a = analysis(documents, &uri)?;
    let location = match a.definition(offset(&a, at.position)) {
        Some(Definition::Here(span)) => Some(lsp::Location::new(uri, range(&a, span))),
        // A sample read from a data file: the start of its line there.
        Some(Definition::InFile { path, line }) => file_uri(&path).map(|uri| {
            let start = lsp::Position::new(line.saturating_sub(1) as u32, 0);
            lsp::Location::new(uri, lsp::Range::new(start, start))
        }),
        None => None,
    };
    Ok(location.map(lsp::GotoDefinitionResponse::Scalar))
}
