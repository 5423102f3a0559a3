//! Source text → AST. `fast` is the reader: a hand-written parser that reads past what
//! does not parse and gives a partial tree with every syntax error (`parse`); the pest
//! grammar in `grammar/nshed.pest` (driven by `parse`) is the grammar of record, words
//! the first error and is the reference `fast` is tested against; `errors` and `hints`
//! phrase syntax errors for people; `words` is the table of the language's words; `ast`
//! is the tree.

pub mod ast;
pub mod errors;
pub mod fast;
mod hints;
pub mod lex;
pub mod parse;
pub mod print;
pub mod words;

pub use parse::{parse, parse_expr, parse_file, parse_file_pest, Parsed};
