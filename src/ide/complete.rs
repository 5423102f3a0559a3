//! Completion by position: what the grammar allows at the cursor, and of the names only
//! those that make sense there (a rule's children come from the level below, a class's
//! parents from level L-1, a sample's inputs from level 1, its label from the classes).
//! The cursor's place is read from the tokens (`index::context_at`), so completion works
//! in a file that does not parse, which is the usual state of a file being typed.

use super::index::{context_at, ContextScope, Index, Kind};
use crate::ir::Ir;
use crate::syntax::lex::{Token, TokenKind};
use crate::syntax::words;

/// What a completion candidate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompletionKind {
    /// A word of the language (`level`, `grow`, `uniform`).
    Keyword,
    /// A feature node's name.
    Node,
    /// A class's name.
    Class,
    /// A level's name.
    Level,
    /// A word with a fixed meaning in its place (`union`, `cycle`, `accuracy`).
    Value,
    /// A sample's name (of the data or of the test set).
    Sample,
}

/// A word that may be written at the cursor.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Completion {
    /// The word.
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// E.g. `node of level parts`; empty when there is nothing to add.
    pub detail: String,
}

/// At most this many names of samples read from files are offered (a file may hold
/// 10^5 rows; the written samples are all offered).
const MAX_FILE_SAMPLES: usize = 1000;

/// The names a completion may offer, from the index (and the checked model, for the
/// samples read from files).
struct Names<'a> {
    index: &'a Index,
    levels: Vec<(&'a str, Vec<&'a str>)>,
    resolved: Option<&'a Ir>,
}

impl Names<'_> {
    /// The samples of the data and of the test set: those written, then those read from
    /// files whose names can be written as they are.
    fn samples(&self, out: &mut Vec<Completion>) {
        let mut written = std::collections::HashSet::new();
        for d in &self.index.decls {
            let detail = match d.kind {
                Kind::Sample => "sample",
                Kind::TestSample => "test sample",
                _ => continue,
            };
            written.insert(d.name.as_str());
            out.push(Completion {
                label: d.name.clone(),
                kind: CompletionKind::Sample,
                detail: detail.to_string(),
            });
        }
        let Some(ir) = self.resolved else { return };
        let data = ir.data.samples.iter().map(|s| (s, "sample from a file"));
        let test = ir.test.iter().flat_map(|t| &t.samples);
        let read = data
            .chain(test.map(|s| (s, "test sample from a file")))
            .filter(|(s, _)| !written.contains(s.name.as_str()) && plain_name(&s.name))
            .take(MAX_FILE_SAMPLES);
        for (s, detail) in read {
            out.push(Completion {
                label: s.name.clone(),
                kind: CompletionKind::Sample,
                detail: detail.to_string(),
            });
        }
    }

    fn level_nodes(&self, l: usize, out: &mut Vec<Completion>) {
        if let Some((name, nodes)) = self.levels.get(l) {
            for n in nodes {
                out.push(Completion {
                    label: n.to_string(),
                    kind: CompletionKind::Node,
                    detail: format!("node of level {name}"),
                });
            }
        }
    }

    fn last_level_nodes(&self, out: &mut Vec<Completion>) {
        if let Some(l) = self.levels.len().checked_sub(1) {
            self.level_nodes(l, out);
        }
    }

    fn all_nodes(&self, out: &mut Vec<Completion>) {
        for l in 0..self.levels.len() {
            self.level_nodes(l, out);
        }
    }

    fn classes(&self, out: &mut Vec<Completion>) {
        for c in self.index.names_of(Kind::Class) {
            out.push(Completion {
                label: c.to_string(),
                kind: CompletionKind::Class,
                detail: "class".to_string(),
            });
        }
    }

    fn level_names(&self, out: &mut Vec<Completion>) {
        for (i, (name, _)) in self.levels.iter().enumerate() {
            out.push(Completion {
                label: name.to_string(),
                kind: CompletionKind::Level,
                detail: format!("level {}", i + 1),
            });
        }
    }
}

/// Where the cursor is: the text, its offset, and the tokens of the current block
/// before it.
struct Cursor<'a> {
    text: &'a str,
    offset: usize,
    before: &'a [Token],
}

impl<'a> Cursor<'a> {
    fn last(&self) -> Option<Token> {
        self.before.last().copied()
    }

    fn last_kind(&self) -> Option<TokenKind> {
        self.last().map(|t| t.kind)
    }

    fn last_word(&self) -> Option<&'a str> {
        let text = self.text;
        self.last()
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(text))
    }

    fn at_statement_start(&self) -> bool {
        at_statement_start(self.before, self.text)
    }
}

/// The candidates at byte `offset` of `text`; `index` supplies the names.
pub(super) fn complete(
    text: &str,
    offset: usize,
    index: &Index,
    resolved: Option<&Ir>,
) -> Vec<Completion> {
    let context = context_at(text, offset);
    let at = Cursor {
        text,
        offset,
        before: &context.before,
    };
    let names = Names {
        index,
        levels: index.levels(),
        resolved,
    };
    let mut out = Vec::new();
    match context.scope {
        ContextScope::Top => {
            let have_model = index.decls.iter().any(|d| d.kind == Kind::Model);
            let words: &[&str] = if have_model {
                words::BLOCKS
            } else {
                &["model"]
            };
            keywords(&mut out, words);
        }
        ContextScope::Model => {
            if at.at_statement_start() {
                keywords(&mut out, words::MODEL_ITEMS);
            }
        }
        ContextScope::Level(l) => {
            let before = at.before;
            if in_parentheses(before) {
                if let Some(below) = l.checked_sub(1) {
                    names.level_nodes(below, &mut out);
                }
            } else if at.last_kind() == Some(TokenKind::Eq) {
                keywords(&mut out, words::GATES);
            } else if at.last_kind() == Some(TokenKind::Number)
                && before.len() >= 2
                && before[before.len() - 2].text(text) == "atleast"
            {
                keywords(&mut out, &["of"]);
            }
        }
        ContextScope::Classes => {
            if matches!(at.last_kind(), Some(TokenKind::LArrow | TokenKind::Comma)) {
                names.last_level_nodes(&mut out);
            }
        }
        ContextScope::Data => complete_data(&at, &names, false, &mut out),
        ContextScope::Test => complete_data(&at, &names, true, &mut out),
        ContextScope::Expect => complete_expect(&at, &names, &mut out),
        ContextScope::Pattern => names.level_nodes(0, &mut out),
        ContextScope::Init => {
            targets(&mut out, &at, &names, words::INIT_TARGETS, &["lambda"]);
            if at.last_kind() == Some(TokenKind::Eq) {
                keywords(&mut out, words::DISTRIBUTIONS);
            }
        }
        ContextScope::Rules => complete_rules(&at, &names, false, &mut out),
        ContextScope::Phase => complete_rules(&at, &names, true, &mut out),
        ContextScope::Train => match at.last_word() {
            Some("eta_update") => values(&mut out, words::ETA_UPDATES),
            Some("sampler") => values(&mut out, words::SAMPLERS),
            Some("record") => keywords(&mut out, &["every"]),
            _ if at.at_statement_start() => keywords(&mut out, words::TRAIN_ITEMS),
            _ => {}
        },
        ContextScope::Record => {
            let quantities: Vec<&str> = crate::ir::Quantity::ALL.iter().map(|(n, _)| *n).collect();
            values(&mut out, &quantities);
        }
        ContextScope::Unknown => {}
    }
    out
}

/// In a `data` block: a sample's inputs after its `:`, the classes after `->`, then
/// `weight`; `noise` and `flip` to start a line. In a `test` block (`test`): no
/// `weight`, `copies` and `from` to start a line, `flip` after `copies N`.
fn complete_data(at: &Cursor, names: &Names, test: bool, out: &mut Vec<Completion>) {
    // Since the last `:` or `->`: the inputs, the label, or what may follow it.
    let marker = at
        .before
        .iter()
        .rev()
        .find(|t| matches!(t.kind, TokenKind::Colon | TokenKind::Arrow));
    let last_word = at.last_word();
    match (at.last_kind(), marker.map(|t| t.kind)) {
        (Some(TokenKind::Arrow), _) => names.classes(out),
        (_, Some(TokenKind::Colon)) => names.level_nodes(0, out),
        (Some(TokenKind::Word), Some(TokenKind::Arrow)) if last_word != Some("weight") && !test => {
            // After the label: `weight`, or the next sample (a new name).
            keywords(out, &["weight"]);
        }
        _ => {
            if at.at_statement_start() {
                keywords(
                    out,
                    if test {
                        &["copies", "from"]
                    } else {
                        &["noise"]
                    },
                );
            }
        }
    }
    let copies_count = test
        && at.last_kind() == Some(TokenKind::Number)
        && at.before.len() >= 2
        && at.before[at.before.len() - 2].text(at.text) == "copies";
    if (last_word == Some("noise") && !test) || copies_count {
        out.clear();
        keywords(out, &["flip"]);
    }
}

/// In an `expect` block: the expectations to start a line, then by the line's first
/// word what comes next: samples (data and test) where an input goes, classes, nodes,
/// `is`, `has`, `lacks`.
fn complete_expect(at: &Cursor, names: &Names, out: &mut Vec<Completion>) {
    let text = at.text;
    // The tokens of the cursor's line (one expectation per line).
    let line_start = text[..at.offset].rfind('\n').map_or(0, |i| i + 1);
    let line: Vec<Token> = at
        .before
        .iter()
        .filter(|t| t.span.start >= line_start)
        .copied()
        .collect();
    let Some(first) = line.first() else {
        return keywords(out, words::EXPECTATIONS);
    };
    // The parts after the first word, a pattern `{...}` counting as one.
    let mut parts: Vec<&str> = Vec::new();
    let mut depth = 0usize;
    for t in &line[1..] {
        match t.kind {
            TokenKind::LBrace => depth += 1,
            TokenKind::RBrace => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    parts.push("{}");
                }
            }
            _ if depth == 0 => parts.push(t.text(text)),
            _ => {}
        }
    }
    match (first.text(text), parts.as_slice()) {
        ("predict" | "pathway" | "p" | "logit" | "le", []) | ("le", [_] | [_, "->", _]) => {
            names.samples(out)
        }
        ("predict", [_]) => keywords(out, &["is"]),
        ("predict", [_, "is"]) => {
            names.classes(out);
            keywords(out, &["none"]);
        }
        ("pathway", [_]) => keywords(out, &["has", "lacks"]),
        ("pathway", [_, "has" | "lacks", ..]) => names.all_nodes(out),
        ("p" | "logit", [_]) | ("le", [_, "->"]) => names.classes(out),
        ("lambda", []) | ("ln", ["lambda"]) => names.all_nodes(out),
        ("eta", []) | ("ln", ["eta"]) => names.last_level_nodes(out),
        ("eta", [_, "->"]) | ("ln", ["eta", _, "->"]) => names.classes(out),
        ("ln", []) => keywords(out, &["lambda", "eta"]),
        ("test", []) => keywords(out, &["accuracy", "loss"]),
        _ => {}
    }
}

/// Whether a name read from a file can be written in an expectation as it is (a
/// `name` column's `s1`, not a row's default `digits:3`).
fn plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// In `rules` or a phase: rule targets and updates (`by error` after an update's
/// amount), and in a phase its settings and the levels of a `freeze` list.
fn complete_rules(at: &Cursor, names: &Names, phase: bool, out: &mut Vec<Completion>) {
    let (text, before) = (at.text, at.before);
    if phase && freeze_list(before, text) {
        names.level_names(out);
        keywords(out, &["eta"]);
        return;
    }
    let starts: &[&str] = if phase {
        words::PHASE_ITEMS
    } else {
        words::RULES_ITEMS
    };
    targets(out, at, names, starts, words::RULE_TARGETS);
    let last_kind = at.last_kind();
    if last_kind == Some(TokenKind::Eq) && !after_jitter(before, text) {
        keywords(out, words::UPDATES);
        keywords(out, words::RULE_TARGETS);
    }
    // After an update's amount, on its line: it may be error-driven.
    let same_line = at.last().is_some_and(|t| {
        text.get(t.span.end..at.offset)
            .is_some_and(|gap| !gap.contains('\n'))
    });
    if matches!(last_kind, Some(TokenKind::Number | TokenKind::RParen))
        && same_line
        && in_plain_update(before, text)
    {
        keywords(out, &["by error"]);
    }
    if at.last_word() == Some("by") && in_plain_update(&before[..before.len() - 1], text) {
        out.clear();
        keywords(out, &["error"]);
    }
}

/// Completion of statements that start with a target: `KEYWORD`, `KEYWORD NODE`,
/// `KEYWORD level L`, `KEYWORD eta F -> C` (`lambda`/`eta` in init, `grow`/`shrink` in
/// rules).
fn targets(
    out: &mut Vec<Completion>,
    at: &Cursor,
    names: &Names,
    starts: &[&str],
    node_targets: &[&str],
) {
    let (text, before) = (at.text, at.before);
    let previous_word = before
        .len()
        .checked_sub(2)
        .map(|i| before[i])
        .filter(|t| t.kind == TokenKind::Word)
        .map(|t| t.text(text));
    match at.last_word() {
        Some(w) if node_targets.contains(&w) => {
            keywords(out, &["level"]);
            if w != "lambda" {
                keywords(out, &["eta"]);
            }
            names.all_nodes(out);
        }
        Some("level") => names.level_names(out),
        Some("eta")
            if previous_word.is_some_and(|p| node_targets.contains(&p))
                || node_targets == ["lambda"] =>
        {
            names.last_level_nodes(out)
        }
        _ if at.last_kind() == Some(TokenKind::Arrow) => names.classes(out),
        _ if at.at_statement_start() => keywords(out, starts),
        _ => {}
    }
}

fn keywords(out: &mut Vec<Completion>, words: &[&str]) {
    for w in words {
        out.push(Completion {
            label: w.to_string(),
            kind: CompletionKind::Keyword,
            detail: "keyword".to_string(),
        });
    }
}

fn values(out: &mut Vec<Completion>, words: &[&str]) {
    for w in words {
        out.push(Completion {
            label: w.to_string(),
            kind: CompletionKind::Value,
            detail: String::new(),
        });
    }
}

/// Whether the cursor is inside an open `(` of the current block.
fn in_parentheses(before: &[Token]) -> bool {
    let mut depth = 0i64;
    for t in before {
        match t.kind {
            TokenKind::LParen => depth += 1,
            TokenKind::RParen => depth = (depth - 1).max(0),
            _ => {}
        }
    }
    depth > 0
}

/// Whether a new statement may start at the cursor: nothing precedes it in the block, or
/// what precedes it ends a statement (a number, a `)`, `}`, or a name or value word that
/// takes no argument).
fn at_statement_start(before: &[Token], text: &str) -> bool {
    let Some(last) = before.last() else {
        return true;
    };
    if in_parentheses(before) {
        return false;
    }
    match last.kind {
        TokenKind::Number | TokenKind::RParen | TokenKind::RBrace => true,
        // Words after which the statement goes on.
        TokenKind::Word => !words::goes_on(last.text(text)),
        _ => false,
    }
}

/// Whether the cursor is in a `freeze a, b, ...` list.
fn freeze_list(before: &[Token], text: &str) -> bool {
    let mut i = before.len();
    loop {
        let Some(last) = i.checked_sub(1).map(|j| before[j]) else {
            return false;
        };
        match last.kind {
            TokenKind::Word if last.text(text) == "freeze" => return true,
            TokenKind::Comma => {
                // `, NAME` before it must itself be part of the list.
                match i.checked_sub(2).map(|j| before[j]) {
                    Some(t) if t.kind == TokenKind::Word => i -= 2,
                    _ => return false,
                }
            }
            _ => return false,
        }
    }
}

/// `jitter =`: a number follows, not an update.
/// Whether the tokens end inside a `mul`/`add`/`sub` update (after its `=`, outside
/// parentheses) that has no `by` yet.
fn in_plain_update(before: &[Token], text: &str) -> bool {
    if in_parentheses(before) {
        return false;
    }
    let Some(eq) = before.iter().rposition(|t| t.kind == TokenKind::Eq) else {
        return false;
    };
    let rest = &before[eq + 1..];
    rest.first()
        .is_some_and(|t| matches!(t.text(text), "mul" | "add" | "sub"))
        && rest.len() > 1
        && !rest.iter().any(|t| t.text(text) == "by")
}

fn after_jitter(before: &[Token], text: &str) -> bool {
    before
        .len()
        .checked_sub(2)
        .is_some_and(|i| before[i].text(text) == "jitter")
}
