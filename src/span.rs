//! Byte ranges into a source text: what every diagnostic label, AST node and query points
//! at. A leaf, so that diagnostics (`diag`) and the syntax tree (`syntax`) both build on it.

use serde::Serialize;

/// A byte range `start..end` into the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    pub fn len(self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// This span without the whitespace and comments that end it (a rule that ends in an
    /// expression takes the blanks after it); `text` is the text the span covers.
    pub fn without_trailing_blanks(self, text: &str) -> Span {
        let bytes = text.as_bytes();
        let mut end = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                _ => {
                    i += 1;
                    end = i;
                }
            }
        }
        Span::new(self.start, self.start + end.min(self.len()))
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.end - s.start).into()
    }
}
