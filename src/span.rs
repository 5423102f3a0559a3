//! Byte ranges into a source text (what every diagnostic label, AST node and query points
//! at) and where they fall in lines and columns. A leaf, so that diagnostics (`diag`), the
//! syntax tree (`syntax`), source reading and the language server all build on it.

use serde::Serialize;

/// A byte range `start..end` into the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Default)]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// The byte just after the last.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    /// How many bytes it covers.
    pub fn len(self) -> usize {
        self.end - self.start
    }
    /// Whether it covers no byte.
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

/// Line starts of a text, for turning byte offsets into lines and columns (diagnostics in
/// JSON, the language server) and back. Building it is one pass; each lookup is a binary
/// search, so a report with many labels on a large file stays linear.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the start of every line; `starts[0] == 0`.
    starts: Vec<usize>,
}

/// A place in a text: 0-based line, and the column as a byte offset into that line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// The line (0-based).
    pub line: usize,
    /// The column, as a byte offset into the line.
    pub byte: usize,
}

impl LineIndex {
    /// The line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// Number of lines (a text ending in a newline has an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where 0-based `line` starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize, text: &str) -> usize {
        self.starts.get(line).copied().unwrap_or(text.len())
    }

    /// The line and byte column of `offset` (clamped to the text and moved back to a
    /// character boundary).
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        LineCol {
            line,
            byte: offset - self.starts[line],
        }
    }

    /// 1-based line and 1-based column counted in characters (Unicode scalar values): what
    /// `--error-format json` reports.
    pub fn human(&self, text: &str, offset: usize) -> (usize, usize) {
        let at = self.line_col(text, offset);
        let start = self.starts[at.line];
        let column = text[start..start + at.byte].chars().count();
        (at.line + 1, column + 1)
    }

    /// 0-based line and column in UTF-16 code units: what the Language Server Protocol uses.
    pub fn utf16(&self, text: &str, offset: usize) -> (u32, u32) {
        let at = self.line_col(text, offset);
        let start = self.starts[at.line];
        let column: usize = text[start..start + at.byte]
            .chars()
            .map(char::len_utf16)
            .sum();
        (to_u32(at.line), to_u32(column))
    }

    /// The byte offset of a 0-based line and UTF-16 column. Positions past the end of a
    /// line mean its end; lines past the end of the text mean the end of the text.
    pub fn offset_utf16(&self, text: &str, line: u32, column: u32) -> usize {
        let line = line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |&next| next - 1);
        let mut units = 0usize;
        for (i, c) in text[start..end].char_indices() {
            if units >= column as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The largest character boundary of `text` at or before `offset`.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters_and_utf16_units() {
        let text = "ab\né𝄞x\n\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.human(text, 0), (1, 1));
        assert_eq!(index.human(text, 2), (1, 3)); // the newline ends line 1
        assert_eq!(index.human(text, 3), (2, 1));
        // `é` is 2 bytes, `𝄞` 4 bytes (2 UTF-16 units): `x` is byte 9.
        assert_eq!(index.human(text, 9), (2, 3));
        assert_eq!(index.utf16(text, 9), (1, 3));
        assert_eq!(index.offset_utf16(text, 1, 3), 9);
        assert_eq!(index.offset_utf16(text, 1, 99), 10);
        assert_eq!(index.offset_utf16(text, 9, 0), text.len());
        assert_eq!(index.human(text, 11), (3, 1));
        assert_eq!(index.human(text, text.len()), (4, 5));
        // Inside a character: the start of that character.
        assert_eq!(index.human(text, 6), (2, 2));
        assert_eq!(index.human(text, 1_000), (4, 5));
    }
}
