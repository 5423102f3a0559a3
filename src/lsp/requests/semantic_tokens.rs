//! `textDocument/semanticTokens/full`: every token's kind, in the protocol's relative
//! encoding (each token's line and start from the previous one's).

use lsp_types as lsp;
use nshed::ide::SemanticKind;

use super::super::documents::Documents;
use super::{analysis, Failure};

/// The legend: the protocol's token types, in the order [`kind_index`] numbers them.
pub const TOKEN_TYPES: [lsp::SemanticTokenType; 9] = [
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

fn kind_index(kind: SemanticKind) -> u32 {
    match kind {
        SemanticKind::Level => 0,
        SemanticKind::Class => 1,
        SemanticKind::Node => 2,
        SemanticKind::Sample => 3,
        SemanticKind::Phase => 4,
        SemanticKind::Keyword => 5,
        SemanticKind::Number => 6,
        SemanticKind::Comment => 7,
        SemanticKind::Operator => 8,
    }
}

pub fn full(
    documents: &mut Documents,
    p: lsp::SemanticTokensParams,
) -> Result<Option<lsp::SemanticTokensResult>, Failure> {
    let a = analysis(documents, &p.text_document.uri)?;
    let (text, lines) = (a.text(), a.lines());
    let mut data = Vec::new();
    let (mut line, mut col) = (0u32, 0u32);
    for t in a.semantic_tokens() {
        let (l, c) = lines.utf16(text, t.span.start);
        let (_, end) = lines.utf16(text, t.span.end);
        let delta_line = l - line;
        data.push(lsp::SemanticToken {
            delta_line,
            delta_start: if delta_line == 0 { c - col } else { c },
            length: end.saturating_sub(c),
            token_type: kind_index(t.kind),
            token_modifiers_bitset: u32::from(t.declaration),
        });
        (line, col) = (l, c);
    }
    Ok(Some(lsp::SemanticTokensResult::Tokens(
        lsp::SemanticTokens {
            result_id: None,
            data,
        },
    )))
}
