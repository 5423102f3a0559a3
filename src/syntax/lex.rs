//! A tolerant tokenizer: any text becomes a list of tokens, never an error. The parser
//! does not use it (pest and `fast` read characters); the printer uses it to find
//! comments, braces and parentheses, and the language server to read files that do not
//! parse.

use super::ast::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// `[A-Za-z_][A-Za-z0-9_]*`: a name or a keyword.
    Word,
    /// Digits, an optional fraction and an optional exponent (`1.022`, `1e-3`).
    Number,
    /// `// ...` up to (not including) the end of the line.
    Comment,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    Colon,
    Eq,
    /// `->`
    Arrow,
    /// `<-`
    LArrow,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    /// Any other character.
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

impl Token {
    pub fn text(self, source: &str) -> &str {
        source.get(self.span.start..self.span.end).unwrap_or("")
    }
}

/// Every token of `text`, comments included, whitespace left out.
pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 4);
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        let kind = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                out.push(Token {
                    kind: TokenKind::Comment,
                    span: Span::new(start, i),
                });
                continue;
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push(Token {
                    kind: TokenKind::Word,
                    span: Span::new(start, i),
                });
                continue;
            }
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                out.push(Token {
                    kind: TokenKind::Number,
                    span: Span::new(start, i),
                });
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'>') => {
                i += 1;
                TokenKind::Arrow
            }
            b'<' if bytes.get(i + 1) == Some(&b'-') => {
                i += 1;
                TokenKind::LArrow
            }
            b'{' => TokenKind::LBrace,
            b'}' => TokenKind::RBrace,
            b'(' => TokenKind::LParen,
            b')' => TokenKind::RParen,
            b',' => TokenKind::Comma,
            b':' => TokenKind::Colon,
            b'=' => TokenKind::Eq,
            b'+' => TokenKind::Plus,
            b'-' => TokenKind::Minus,
            b'*' => TokenKind::Star,
            b'/' => TokenKind::Slash,
            b'^' => TokenKind::Caret,
            _ => {
                // One character, however many bytes it takes.
                let len = text[i..].chars().next().map_or(1, char::len_utf8);
                i += len - 1;
                TokenKind::Other
            }
        };
        i += 1;
        out.push(Token {
            kind,
            span: Span::new(start, i),
        });
    }
    out
}

/// The end of the number starting at `i`: digits, then `.digits` and an exponent if
/// they are complete (`5.` stops before the dot, `1e` before the `e`).
fn number_end(bytes: &[u8], mut i: usize) -> usize {
    let digits = |bytes: &[u8], mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    i = digits(bytes, i);
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits(bytes, i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(bytes, j);
        }
    }
    i
}

/// For each token, the index of the bracket that closes (or opens) it: `{`/`}` and
/// `(`/`)` are paired innermost first; `None` for other tokens and unpaired brackets.
pub fn partners(tokens: &[Token]) -> Vec<Option<usize>> {
    let mut out = vec![None; tokens.len()];
    let mut braces = Vec::new();
    let mut parens = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let (stack, open) = match t.kind {
            TokenKind::LBrace => (&mut braces, true),
            TokenKind::RBrace => (&mut braces, false),
            TokenKind::LParen => (&mut parens, true),
            TokenKind::RParen => (&mut parens, false),
            _ => continue,
        };
        if open {
            stack.push(i);
        } else if let Some(j) = stack.pop() {
            out[i] = Some(j);
            out[j] = Some(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokens(text)
            .into_iter()
            .map(|t| (t.kind, t.text(text)))
            .collect()
    }

    #[test]
    fn reads_every_kind_of_token() {
        use TokenKind::*;
        assert_eq!(
            kinds("c2 <- t1, t2 // why\n x: a -> c weight 1.5e-3^(2)é"),
            vec![
                (Word, "c2"),
                (LArrow, "<-"),
                (Word, "t1"),
                (Comma, ","),
                (Word, "t2"),
                (Comment, "// why"),
                (Word, "x"),
                (Colon, ":"),
                (Word, "a"),
                (Arrow, "->"),
                (Word, "c"),
                (Word, "weight"),
                (Number, "1.5e-3"),
                (Caret, "^"),
                (LParen, "("),
                (Number, "2"),
                (RParen, ")"),
                (Other, "é"),
            ]
        );
    }

    #[test]
    fn incomplete_numbers_stop_early() {
        use TokenKind::*;
        assert_eq!(
            kinds("5. 1e 2-3"),
            vec![
                (Number, "5"),
                (Other, "."),
                (Number, "1"),
                (Word, "e"),
                (Number, "2"),
                (Minus, "-"),
                (Number, "3")
            ]
        );
    }

    #[test]
    fn brackets_pair_innermost_first() {
        let t = tokens("{ ( ) { } } )");
        assert_eq!(
            partners(&t),
            vec![Some(5), Some(2), Some(1), Some(4), Some(3), Some(0), None]
        );
    }
}
