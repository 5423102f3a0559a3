//! `textDocument/documentSymbol`: the outline, nested by blocks.

use lsp_types as lsp;
use nshed::ide::{Analysis, Symbol, SymbolKind};

use super::super::convert::range;
use super::super::documents::Documents;
use super::{analysis, Failure};

pub fn symbols(
    documents: &mut Documents,
    p: lsp::DocumentSymbolParams,
) -> Result<Option<lsp::DocumentSymbolResponse>, Failure> {
    let a = analysis(documents, &p.text_document.uri)?;
    let symbols = a.symbols().into_iter().map(|s| symbol(&a, s)).collect();
    Ok(Some(lsp::DocumentSymbolResponse::Nested(symbols)))
}

fn symbol(a: &Analysis, s: Symbol) -> lsp::DocumentSymbol {
    let kind = match s.kind {
        SymbolKind::Model => lsp::SymbolKind::MODULE,
        SymbolKind::Level | SymbolKind::Block => lsp::SymbolKind::NAMESPACE,
        SymbolKind::Node => lsp::SymbolKind::VARIABLE,
        SymbolKind::Class => lsp::SymbolKind::CLASS,
        SymbolKind::Sample | SymbolKind::TestSample => lsp::SymbolKind::CONSTANT,
        SymbolKind::Phase => lsp::SymbolKind::EVENT,
    };
    let children: Vec<lsp::DocumentSymbol> = s.children.into_iter().map(|c| symbol(a, c)).collect();
    #[allow(deprecated)] // `deprecated` is a required field of the type
    lsp::DocumentSymbol {
        name: s.name,
        detail: Some(s.detail),
        kind,
        tags: None,
        deprecated: None,
        range: range(a, s.range),
        selection_range: range(a, s.selection),
        children: (!children.is_empty()).then_some(children),
    }
}
