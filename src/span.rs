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

/// Lines and columns of a text, for turning byte offsets into lines and columns
/// (diagnostics in JSON, the language server) and back.
///
/// A line ends at `\n`, `\r\n` or a lone `\r`, as the Language Server Protocol and
/// editors count lines (and miette, which draws the diagnostics). Building the index is
/// one pass over the text; a lookup is a binary search plus a scan of at most
/// [`MARK_EVERY`] bytes, whatever the length of the line, so a report with many labels
/// on a large file, or every token of a model written on one line, stays linear.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the start of every line; `starts[0] == 0`.
    starts: Vec<usize>,
    /// Empty for an ASCII text (where a column is a byte count). Otherwise mark `k` counts
    /// the characters and UTF-16 units before the character boundary at or before byte
    /// `k * MARK_EVERY`.
    marks: Vec<Mark>,
}

/// Bytes between two [`LineIndex`] marks: the most a lookup scans.
pub const MARK_EVERY: usize = 256;

#[derive(Clone, Copy, Debug, Default)]
struct Mark {
    chars: usize,
    units: usize,
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
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        let marks = if text.is_ascii() {
            Vec::new()
        } else {
            let mut marks = Vec::with_capacity(text.len() / MARK_EVERY + 1);
            let mut at = Mark::default();
            let mut from = 0;
            for k in 0..=text.len() / MARK_EVERY {
                let to = floor_char_boundary(text, k * MARK_EVERY);
                at = advance(at, &text[from..to]);
                marks.push(at);
                from = to;
            }
            marks
        };
        LineIndex { starts, marks }
    }

    /// Number of lines (a text ending in a line break has an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where 0-based `line` starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize, text: &str) -> usize {
        self.starts.get(line).copied().unwrap_or(text.len())
    }

    /// Where the text of 0-based `line` ends: before its line break (the end of the text
    /// for the last line and past it).
    pub fn line_end(&self, line: usize, text: &str) -> usize {
        match self.starts.get(line + 1) {
            Some(&next) if text.as_bytes()[..next].ends_with(b"\r\n") => next - 2,
            Some(&next) => next - 1,
            None => text.len(),
        }
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

    /// The characters and UTF-16 units of `text` before `offset`, a character boundary.
    fn before(&self, text: &str, offset: usize) -> Mark {
        if self.marks.is_empty() {
            return Mark {
                chars: offset,
                units: offset,
            };
        }
        let k = offset / MARK_EVERY;
        let from = floor_char_boundary(text, k * MARK_EVERY);
        advance(self.marks[k], &text[from..offset])
    }

    /// 1-based line and 1-based column counted in characters (Unicode scalar values): what
    /// `--error-format json` reports.
    pub fn human(&self, text: &str, offset: usize) -> (usize, usize) {
        let at = self.line_col(text, offset);
        let start = self.starts[at.line];
        let column = self.before(text, start + at.byte).chars - self.before(text, start).chars;
        (at.line + 1, column + 1)
    }

    /// 0-based line and column in UTF-16 code units: what the Language Server Protocol uses.
    pub fn utf16(&self, text: &str, offset: usize) -> (u32, u32) {
        let at = self.line_col(text, offset);
        let start = self.starts[at.line];
        let column = self.before(text, start + at.byte).units - self.before(text, start).units;
        (to_u32(at.line), to_u32(column))
    }

    /// The byte offset of a 0-based line and UTF-16 column. Positions past the end of a
    /// line mean its end; lines past the end of the text mean the end of the text; a
    /// column inside a character (between the two units of a surrogate pair) means the
    /// next character.
    pub fn offset_utf16(&self, text: &str, line: u32, column: u32) -> usize {
        let line = line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let start = self.starts[line];
        let end = self.line_end(line, text);
        if self.marks.is_empty() {
            return start.saturating_add(column as usize).min(end);
        }
        // From the last mark of the line at or before the column, at most `MARK_EVERY`
        // bytes of scanning.
        let target = self.before(text, start).units + column as usize;
        let first = start.div_ceil(MARK_EVERY);
        let last = end / MARK_EVERY;
        let mut from = start;
        let mut units = self.before(text, start).units;
        if first <= last {
            let marks = &self.marks[first..=last];
            let n = marks.partition_point(|m| m.units <= target);
            if n > 0 {
                let k = first + n - 1;
                from = floor_char_boundary(text, k * MARK_EVERY).max(start);
                units = self.marks[k].units.max(units);
            }
        }
        for (i, c) in text[from..end].char_indices() {
            if units >= target {
                return from + i;
            }
            units += c.len_utf16();
        }
        end
    }
}

/// `at` moved over `text`.
fn advance(at: Mark, text: &str) -> Mark {
    let (chars, units) = text
        .chars()
        .fold((0, 0), |(n, u), c| (n + 1, u + c.len_utf16()));
    Mark {
        chars: at.chars + chars,
        units: at.units + units,
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

    #[test]
    fn lone_carriage_returns_and_crlf_end_lines_as_editors_count_them() {
        let text = "a\rbc\r\nd\n\re";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 5);
        assert_eq!(index.utf16(text, 2), (1, 0)); // `b`
        assert_eq!(index.utf16(text, 6), (2, 0)); // `d`
        assert_eq!(index.utf16(text, 9), (4, 0)); // `e`
        assert_eq!(index.human(text, 3), (2, 2)); // `c`
        assert_eq!(index.line_end(1, text), 4); // before `\r\n`
        assert_eq!(index.offset_utf16(text, 1, 99), 4);
        assert_eq!(index.offset_utf16(text, 3, 5), 8); // line 3 is empty
    }

    /// Every column of a long line with characters of 1 to 4 bytes, against a plain count.
    #[test]
    fn columns_of_a_long_line_agree_with_counting_from_its_start() {
        let mut text = String::from("x\n");
        for i in 0..2_000 {
            text.push(['a', 'é', '€', '𝄞'][i % 4]);
            if i % 7 == 0 {
                text.push('b');
            }
        }
        let index = LineIndex::new(&text);
        let mut units = 0u32;
        for (chars, (i, c)) in text[2..].char_indices().enumerate() {
            let offset = i + 2;
            assert_eq!(index.utf16(&text, offset), (1, units));
            assert_eq!(index.human(&text, offset), (2, chars + 1));
            assert_eq!(index.offset_utf16(&text, 1, units), offset);
            if c.len_utf16() == 2 {
                // Between the two units of a pair: the next character.
                assert_eq!(
                    index.offset_utf16(&text, 1, units + 1),
                    offset + c.len_utf8()
                );
            }
            units += c.len_utf16() as u32;
        }
        assert_eq!(index.offset_utf16(&text, 1, units + 10), text.len());
        assert_eq!(index.offset_utf16(&text, 0, 5), 1);
    }
}
