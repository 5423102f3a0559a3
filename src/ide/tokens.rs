//! Semantic tokens: what each word of the text is, for colouring it by meaning (a node's
//! name apart from a class's, a keyword apart from a name).

use super::index::{Kind, Namespace};
use super::Analysis;
use crate::span::Span;
use crate::syntax::ast;
use crate::syntax::lex::TokenKind;

/// What a semantic token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SemanticKind {
    /// A level's name.
    Level,
    /// A class's name.
    Class,
    /// A feature node's name.
    Node,
    /// A sample's name.
    Sample,
    /// A phase's name.
    Phase,
    /// A word of the language (`by error` where it ends an update).
    Keyword,
    /// A number.
    Number,
    /// A `//` comment.
    Comment,
    /// `->`, `<-` and `=`.
    Operator,
}

/// One token: where it is, what it is, and whether it declares the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SemanticToken {
    /// Where it is written (never across a line break).
    pub span: Span,
    /// What it is.
    pub kind: SemanticKind,
    /// Whether it is the declaration of the name.
    pub declaration: bool,
}

/// Keywords, numbers, comments, arrows and `=`, and names by what they name (levels,
/// nodes, classes, samples, phases), declarations marked; in source order. Each token
/// costs a lookup in a hash table, whatever the size of the file.
pub(super) fn semantic_tokens(a: &Analysis) -> Vec<SemanticToken> {
    let mut out = Vec::new();
    let mut occurrences = a.index.occurrences.iter().peekable();
    // `by error` is a keyword only where it ends an update; its spans are in source order.
    let by_error = a.file.as_ref().map(by_error_spans).unwrap_or_default();
    let mut by_error = by_error.iter().peekable();
    for t in crate::syntax::lex::tokens(&a.text) {
        let text = t.text(&a.text);
        while occurrences
            .peek()
            .is_some_and(|o| o.span.start < t.span.start)
        {
            occurrences.next();
        }
        while by_error.peek().is_some_and(|b| b.end <= t.span.start) {
            by_error.next();
        }
        let in_by_error = by_error
            .peek()
            .is_some_and(|b| b.start <= t.span.start && t.span.end <= b.end);
        let occurrence = occurrences.peek().filter(|o| o.span == t.span);
        let (kind, declaration) = match t.kind {
            TokenKind::Word if crate::syntax::words::is_reserved(text) => {
                (SemanticKind::Keyword, false)
            }
            TokenKind::Word if in_by_error => (SemanticKind::Keyword, false),
            TokenKind::Word => match occurrence {
                Some(o) => {
                    let kind = match o.namespace {
                        Namespace::Level => SemanticKind::Level,
                        Namespace::Model => match a.index.decl_of(o.namespace, &o.name) {
                            Some(d) if d.kind == Kind::Class => SemanticKind::Class,
                            _ => SemanticKind::Node,
                        },
                        Namespace::Sample => SemanticKind::Sample,
                        Namespace::Phase => SemanticKind::Phase,
                    };
                    (kind, o.is_decl)
                }
                None => continue,
            },
            TokenKind::Number => (SemanticKind::Number, false),
            TokenKind::Comment => (SemanticKind::Comment, false),
            TokenKind::Arrow | TokenKind::LArrow | TokenKind::Eq => (SemanticKind::Operator, false),
            _ => continue,
        };
        out.push(SemanticToken {
            span: t.span,
            kind,
            declaration,
        });
    }
    out
}

/// The spans of every `by error` suffix of an update, in the rules and in phases, in
/// source order.
fn by_error_spans(file: &ast::File) -> Vec<Span> {
    let of_item = |item: &ast::RuleItem| match item {
        ast::RuleItem::Update(stmt) => stmt.update.by_error,
        ast::RuleItem::Jitter { .. } => None,
    };
    let mut out = Vec::new();
    for block in &file.blocks {
        match block {
            ast::Block::Rules(r) => out.extend(r.items.iter().filter_map(of_item)),
            ast::Block::Train(t) => {
                for item in &t.items {
                    if let ast::TrainItem::Phase(p) = item {
                        out.extend(p.items.iter().filter_map(|i| match i {
                            ast::PhaseItem::Rule(r) => of_item(r),
                            _ => None,
                        }));
                    }
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|s| s.start);
    out
}
