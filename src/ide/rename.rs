//! Renaming a name everywhere it is written, refused when the new name could not stand
//! in every place the old one does.

use super::index::{Index, Kind};
use crate::span::Span;
use crate::syntax::words::{is_reserved, EXPECT_WORDS};

/// Why a rename is refused, in words for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RenameError(pub String);

/// The places to write `new` in, to rename the name at byte `offset`.
pub(super) fn rename(index: &Index, offset: usize, new: &str) -> Result<Vec<Span>, RenameError> {
    let failed = |message: String| Err(RenameError(message));
    let Some(o) = index.occurrence_at(offset) else {
        return failed("there is no name to rename here".to_string());
    };
    if !is_identifier(new) {
        return failed(format!(
            "`{new}` is not a name: names are letters, digits and `_`, not starting with a digit"
        ));
    }
    if is_reserved(new) {
        return failed(format!("`{new}` is a reserved word"));
    }
    let in_expect = |span: Span| {
        index.decls.iter().any(|d| {
            d.kind == Kind::Block
                && d.name.starts_with("expect")
                && d.range.start <= span.start
                && span.end <= d.range.end
        })
    };
    if EXPECT_WORDS.contains(&new)
        && index
            .occurrences_of(o.namespace, &o.name)
            .any(|r| in_expect(r.span))
    {
        return failed(format!(
            "`{new}` is a keyword inside `expect` blocks, where `{}` is named",
            o.name
        ));
    }
    if new != o.name && index.decl_of(o.namespace, new).is_some() {
        return failed(format!("`{new}` is already declared"));
    }
    Ok(index
        .occurrences_of(o.namespace, &o.name)
        .map(|r| r.span)
        .collect())
}

/// Whether `s` is written as a name: letters, digits and `_`, not starting with a digit.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
