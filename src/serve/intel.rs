//! Hover and completion for the page's editor: the library's language intelligence
//! (`nshed::ide`, which the language server answers with too), with positions as the
//! editor counts them (0-based lines, UTF-16 columns, as in the protocol).

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use nshed::ide::{Analysis, CompletionKind};

/// A place in the text: 0-based line, column in UTF-16 units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

#[derive(Debug, Serialize)]
pub struct Hover {
    /// Markdown, as an editor shows it.
    pub markdown: String,
    pub from: Position,
    pub to: Position,
}

#[derive(Debug, Serialize)]
pub struct Completion {
    pub label: String,
    /// `keyword`, `node`, `class`, `level` or `value`.
    pub kind: &'static str,
    pub detail: String,
}

/// The analysis of the text last asked about (made once per text; a hover and a
/// completion at the same text share it).
#[derive(Default)]
pub struct Intel {
    cache: Mutex<Option<Arc<Analysis>>>,
}

impl Intel {
    /// The analysis of `text`.
    fn analyse(&self, text: String) -> Arc<Analysis> {
        let Ok(mut cache) = self.cache.lock() else {
            return Arc::new(Analysis::new(text));
        };
        match &*cache {
            Some(a) if a.text() == text => Arc::clone(a),
            _ => {
                let a = Arc::new(Analysis::new(text));
                *cache = Some(Arc::clone(&a));
                a
            }
        }
    }

    pub fn hover(&self, text: String, at: Position) -> Option<Hover> {
        let a = self.analyse(text);
        let offset = a.lines().offset_utf16(a.text(), at.line, at.character);
        let hover = a.hover(offset)?;
        let position = |offset| {
            let (line, character) = a.lines().utf16(a.text(), offset);
            Position { line, character }
        };
        Some(Hover {
            markdown: hover.markdown,
            from: position(hover.span.start),
            to: position(hover.span.end),
        })
    }

    pub fn complete(&self, text: String, at: Position) -> Vec<Completion> {
        let a = self.analyse(text);
        let offset = a.lines().offset_utf16(a.text(), at.line, at.character);
        a.completions(offset)
            .into_iter()
            .map(|c| Completion {
                kind: match c.kind {
                    CompletionKind::Keyword => "keyword",
                    CompletionKind::Node => "node",
                    CompletionKind::Class => "class",
                    CompletionKind::Level => "level",
                    CompletionKind::Value => "value",
                    CompletionKind::Sample => "sample",
                },
                label: c.label,
                detail: c.detail,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRUIT: &str = include_str!("../../examples/fruit.nshed");

    fn at(text: &str, needle: &str) -> Position {
        let offset = text.find(needle).unwrap_or_else(|| panic!("{needle}"));
        let line = text[..offset].matches('\n').count() as u32;
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        Position {
            line,
            character: text[start..offset].encode_utf16().count() as u32,
        }
    }

    #[test]
    fn hover_names_a_node_and_its_rule() {
        let intel = Intel::default();
        let h = intel
            .hover(FRUIT.to_string(), at(FRUIT, "apple = all"))
            .unwrap_or_else(|| panic!("a hover on `apple`"));
        assert!(
            h.markdown.starts_with("**node** `apple` · level 2 `looks`"),
            "{}",
            h.markdown
        );
        assert!(
            h.markdown.contains("apple = all(round, red)"),
            "{}",
            h.markdown
        );
        assert_eq!(
            (h.from.line, h.to.character - h.from.character),
            (h.from.line, 5)
        );
        assert!(intel
            .hover(FRUIT.to_string(), at(FRUIT, "  level input"))
            .is_none());
    }

    #[test]
    fn completion_offers_the_level_below_even_while_typing() {
        let intel = Intel::default();
        // Parses once, so the fallback knows the levels.
        let _ = intel.complete(FRUIT.to_string(), at(FRUIT, "apple"));
        let typing = FRUIT.replace("lime = atleast 2 of (round, green)", "lime = any(");
        let items = intel.complete(typing.clone(), at(&typing, "lime = any(").with_offset(11));
        let labels: Vec<&str> = items.iter().map(|c| c.label.as_str()).collect();
        for node in ["round", "long", "red", "yellow", "green"] {
            assert!(labels.contains(&node), "{labels:?}");
        }
        assert!(!labels.contains(&"apple"), "{labels:?}");
        assert!(items.iter().all(|c| c.kind == "node"), "{labels:?}");
    }

    trait Offset {
        fn with_offset(self, n: u32) -> Position;
    }

    impl Offset for Position {
        fn with_offset(self, n: u32) -> Position {
            Position {
                character: self.character + n,
                ..self
            }
        }
    }
}
