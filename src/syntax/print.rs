//! The canonical printer behind `nshed fmt`, the language server's formatting and the
//! REPL's `show model`: AST plus the comments of the source → text.
//!
//! Layout: two-space indent, one statement per line, single spaces around `=`, `<-`,
//! `->` and binary `+`/`-` (none around `*`, `/`, `^`), `, ` between list items, one
//! blank line between top-level blocks, at most one blank line kept where the source had
//! some inside a block. Lists of bare names (an input level, a `record` block) keep the
//! source's grouping into lines and are printed on the header line when they fit on one
//! source line; a phase that only sets `steps`, `batch` and `freeze` stays on one line.
//!
//! Comments are not in the AST (pest skips them), so they are recovered from the text by
//! the tokenizer (`lex`) and placed by position: a comment on a line of its own goes
//! before the statement that follows it (before the `}` if none does), a comment after
//! code stays at the end of the line that holds that code, and a comment inside a
//! statement that spanned lines goes on its own line just before that statement.
//! Trailing comments of consecutive lines are aligned.
//!
//! Every construct is printed by an exhaustive destructuring of its AST type, so a field
//! or variant added to the AST does not compile until it is printed here.

use super::ast::*;
use super::lex::{self, Token, TokenKind};
use crate::diag::Problem;

/// One level of indentation.
const INDENT: &str = "  ";

/// Parses `text` and prints it in the canonical layout; its syntax errors are returned as
/// they are (nothing is printed for a file that does not parse).
pub fn format_source(text: &str) -> Result<String, Vec<Problem>> {
    let file = super::parse(text).into_result()?;
    Ok(print_file(&file, text))
}

/// The problem of a source `text` that differs from its canonical layout `formatted`
/// (`nshed fmt --check`): labelled on the line of the first difference.
pub fn not_formatted(text: &str, formatted: &str) -> Problem {
    let first = text
        .bytes()
        .zip(formatted.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(text.len().min(formatted.len()));
    // The whole line of the first difference (lines start and end at char boundaries).
    let bytes = text.as_bytes();
    let start = bytes[..first]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| start + i);
    let line = crate::span::Span::new(start, end.max(start));
    Problem::error(
        crate::diag::ErrorCode::FmtNotFormatted,
        "the file is not formatted",
    )
    .label(line, "the canonical layout differs from here")
    .help("`nshed fmt FILE` rewrites it in the canonical layout")
}

/// Prints `file`, which was parsed from `text`, with the comments of `text`.
pub fn print_file(file: &File, text: &str) -> String {
    let mut printer = Printer::new(text);
    printer.file(file);
    printer.finish()
}

/// One phase as `nshed fmt` prints it (without the comments around it): for hovers.
pub fn print_phase(phase: &PhaseDecl, text: &str) -> String {
    let mut printer = Printer::new(text);
    printer.comments.clear();
    printer.phase(0, phase);
    render(&printer.lines)
}

/// One data sample on one line (`c1b: e2 e3 -> c1 weight 2`): for hovers.
pub fn print_sample(sample: &SampleDecl, text: &str) -> String {
    let printer = Printer::new(text);
    let SampleDecl {
        name,
        inputs,
        label,
        weight,
        span: _,
    } = sample;
    let mut out = format!("{}:", name.name);
    for input in inputs.iter() {
        out.push(' ');
        out.push_str(input.name);
    }
    out.push_str(" -> ");
    out.push_str(&label.name);
    if let Some(w) = weight {
        out.push_str(" weight ");
        out.push_str(&printer.expr(w));
    }
    out
}

enum Line {
    Blank,
    Text {
        indent: usize,
        /// Spaces after the indent: a continuation line of a list lines up with the
        /// list's first item.
        hang: usize,
        code: String,
        comment: Option<String>,
    },
}

/// The part of a statement printed on one line, and the source it covers.
struct Piece {
    start: usize,
    end: usize,
    code: String,
}

struct Printer<'a> {
    text: &'a str,
    /// Tokens other than comments, and for brackets the index of their partner.
    code: Vec<Token>,
    partner: Vec<Option<usize>>,
    comments: Vec<Span>,
    /// The first comment not printed yet.
    next_comment: usize,
    lines: Vec<Line>,
    /// Source offset just after the last thing printed (blank lines are looked for
    /// between it and the next thing).
    last_src: usize,
    /// Just after a `{`: no blank line.
    fresh_block: bool,
    /// Between top-level blocks: a blank line whatever the source had.
    force_blank: bool,
}

impl<'a> Printer<'a> {
    fn new(text: &'a str) -> Self {
        let (comments, code): (Vec<Token>, Vec<Token>) = lex::tokens(text)
            .into_iter()
            .partition(|t| t.kind == TokenKind::Comment);
        let partner = lex::partners(&code);
        Printer {
            text,
            code,
            partner,
            comments: comments.into_iter().map(|t| t.span).collect(),
            next_comment: 0,
            lines: Vec::new(),
            last_src: 0,
            fresh_block: true,
            force_blank: false,
        }
    }

    // ------------------------------------------------------------ positions

    /// Index of the first code token starting at or after `offset`.
    fn code_at(&self, offset: usize) -> usize {
        self.code.partition_point(|t| t.span.start < offset)
    }

    /// The end of the last code token inside `span`: spans of rules with an empty
    /// optional tail run on over the whitespace and comments that follow them.
    fn code_end(&self, span: Span) -> usize {
        let i = self.code.partition_point(|t| t.span.start < span.end);
        match i.checked_sub(1).map(|i| self.code[i]) {
            Some(t) if t.span.start >= span.start => t.span.end,
            _ => span.end,
        }
    }

    /// Whether `span` is an expression wrapped in parentheses as a whole.
    fn parenthesised(&self, span: Span) -> bool {
        let i = self.code_at(span.start);
        let Some(open) = self.code.get(i) else {
            return false;
        };
        if open.kind != TokenKind::LParen || open.span.start != span.start {
            return false;
        }
        let last = self.code.partition_point(|t| t.span.start < span.end);
        self.partner[i].is_some_and(|close| close + 1 == last)
    }

    /// The `{` after a block header and its `}`: (start of `{`, end of `{`, start of `}`).
    fn braces_after(&self, offset: usize) -> (usize, usize, usize) {
        let mut i = self.code_at(offset);
        while let Some(t) = self.code.get(i) {
            if t.kind == TokenKind::LBrace {
                let close = self.partner[i]
                    .and_then(|j| self.code.get(j))
                    .map_or(self.text.len(), |c| c.span.start);
                return (t.span.start, t.span.end, close);
            }
            i += 1;
        }
        // Not reached for a file that parsed.
        (offset, offset, offset)
    }

    fn has_comment_between(&self, start: usize, end: usize) -> bool {
        let i = self.comments.partition_point(|c| c.start < start);
        self.comments.get(i).is_some_and(|c| c.start < end)
    }

    fn comment_text(&self, span: Span) -> String {
        self.text[span.start..span.end].trim_end().to_string()
    }

    // ------------------------------------------------------------ emitting lines

    fn blank_before(&mut self, offset: usize) -> bool {
        let blank = if self.force_blank {
            true
        } else if self.fresh_block {
            false
        } else {
            let between = self.text.get(self.last_src..offset).unwrap_or("");
            between.bytes().filter(|&b| b == b'\n').count() >= 2
        };
        self.force_blank = false;
        self.fresh_block = false;
        blank
    }

    fn emit_comment(&mut self, span: Span, indent: usize) {
        if self.blank_before(span.start) {
            self.lines.push(Line::Blank);
        }
        self.push_comment_line(span, indent, 0);
    }

    fn push_comment_line(&mut self, span: Span, indent: usize, hang: usize) {
        self.lines.push(Line::Text {
            indent,
            hang,
            code: String::new(),
            comment: Some(self.comment_text(span)),
        });
        self.last_src = span.end;
        self.next_comment += 1;
    }

    /// Prints the comments that start before `offset` on lines of their own.
    fn flush_comments(&mut self, offset: usize, indent: usize) {
        while let Some(&c) = self.comments.get(self.next_comment) {
            if c.start >= offset {
                break;
            }
            self.emit_comment(c, indent);
        }
    }

    /// One line of code covering the source `start..end`, with the comments around it.
    fn line(&mut self, indent: usize, start: usize, end: usize, code: String) {
        self.statement(indent, 0, vec![Piece { start, end, code }]);
    }

    /// A statement printed as `pieces`, one line each, the lines after the first indented
    /// by `hang` more spaces. Comments before the statement come first; a comment inside a
    /// piece that spanned source lines goes on its own line before that piece; a comment
    /// after a piece's code on the same source line stays at the end of that line.
    fn statement(&mut self, indent: usize, hang: usize, pieces: Vec<Piece>) {
        let Some(first) = pieces.first() else {
            return;
        };
        self.flush_comments(first.start, indent);
        if self.blank_before(first.start) {
            self.lines.push(Line::Blank);
        }
        for (i, piece) in pieces.into_iter().enumerate() {
            let hang = if i == 0 { 0 } else { hang };
            while let Some(&c) = self.comments.get(self.next_comment) {
                if c.start >= piece.end {
                    break;
                }
                self.push_comment_line(c, indent, hang);
            }
            self.last_src = piece.end;
            let mut comment = None;
            if let Some(&c) = self.comments.get(self.next_comment) {
                let between = self.text.get(piece.end..c.start).unwrap_or("\n");
                if between.bytes().all(|b| b == b' ' || b == b'\t') {
                    comment = Some(self.comment_text(c));
                    self.last_src = c.end;
                    self.next_comment += 1;
                }
            }
            self.lines.push(Line::Text {
                indent,
                hang,
                code: piece.code,
                comment,
            });
        }
    }

    /// `prefix` and `items` joined by `sep`, starting a new line where the source put the
    /// next item on a new line, then `suffix`; the statement covers `start..end`. The
    /// continuation lines line up with the first item (the hang is the prefix's width).
    fn list_statement(
        &mut self,
        indent: usize,
        (start, end): (usize, usize),
        prefix: String,
        items: &[&Ident],
        sep: &str,
        suffix: &str,
    ) {
        let hang = prefix.chars().count();
        let mut pieces = Vec::new();
        let mut piece = Piece {
            start,
            end,
            code: prefix,
        };
        let mut previous: Option<&Ident> = None;
        for &item in items {
            if let Some(prev) = previous {
                let breaks = self
                    .text
                    .get(prev.span.end..item.span.start)
                    .is_some_and(|between| between.contains('\n'));
                if breaks {
                    piece.end = self.code_end(Span::new(prev.span.start, item.span.start));
                    piece.code.push_str(sep.trim_end());
                    pieces.push(std::mem::replace(
                        &mut piece,
                        Piece {
                            start: item.span.start,
                            end,
                            code: String::new(),
                        },
                    ));
                } else {
                    piece.code.push_str(sep);
                }
            }
            piece.code.push_str(&item.name);
            previous = Some(item);
        }
        piece.code.push_str(suffix);
        piece.end = end;
        pieces.push(piece);
        self.statement(indent, hang, pieces);
    }

    /// `header {`, the body one level deeper, `}`; `header {}` when there is nothing
    /// inside.
    fn block(
        &mut self,
        indent: usize,
        start: usize,
        header_end: usize,
        header: String,
        empty: bool,
        body: impl FnOnce(&mut Self, usize),
    ) {
        let (open, open_end, close) = self.braces_after(header_end);
        if empty && !self.has_comment_between(open, close) {
            self.line(indent, start, close + 1, format!("{header} {{}}"));
            return;
        }
        self.line(indent, start, open_end, format!("{header} {{"));
        self.fresh_block = true;
        body(self, indent + 1);
        self.close(indent, close);
    }

    fn close(&mut self, indent: usize, close: usize) {
        self.flush_comments(close, indent + 1);
        self.fresh_block = true;
        self.line(indent, close, close + 1, "}".to_string());
    }

    /// A block whose body is a list of words (`level input { e1 e2 }`, `record every N
    /// { lambda eta }`): on the header line when the words were on one source line and
    /// no comment is inside, else one line per source line of words.
    fn word_block(
        &mut self,
        indent: usize,
        start: usize,
        header_end: usize,
        header: String,
        words: &[&Ident],
    ) {
        let (open, open_end, close) = self.braces_after(header_end);
        let groups = self.source_lines(words);
        if !self.has_comment_between(open, close) && groups.len() <= 1 {
            let code = match groups.first() {
                Some(group) => format!("{header} {{ {} }}", join_names(group, " ")),
                None => format!("{header} {{}}"),
            };
            self.line(indent, start, close + 1, code);
            return;
        }
        self.line(indent, start, open_end, format!("{header} {{"));
        self.fresh_block = true;
        for group in groups {
            if let (Some(first), Some(last)) = (group.first(), group.last()) {
                let (from, to) = (first.span.start, last.span.end);
                self.line(indent + 1, from, to, join_names(&group, " "));
            }
        }
        self.close(indent, close);
    }

    /// `words` split where the source starts a new line.
    fn source_lines<'i>(&self, words: &[&'i Ident]) -> Vec<Vec<&'i Ident>> {
        let mut groups: Vec<Vec<&Ident>> = Vec::new();
        let mut previous_end = None;
        for &w in words {
            let new_line = previous_end.is_none_or(|end: usize| {
                self.text
                    .get(end..w.span.start)
                    .is_none_or(|between| between.contains('\n'))
            });
            match groups.last_mut() {
                Some(group) if !new_line => group.push(w),
                _ => groups.push(vec![w]),
            }
            previous_end = Some(w.span.end);
        }
        groups
    }

    fn finish(mut self) -> String {
        self.flush_comments(usize::MAX, 0);
        render(&self.lines)
    }

    // ------------------------------------------------------------ the file

    fn file(&mut self, file: &File) {
        // `broken` is empty: a file with syntax errors is not printed.
        let File {
            model,
            blocks,
            broken: _,
        } = file;
        self.model(model);
        for block in blocks {
            self.force_blank = true;
            match block {
                Block::Init(b) => self.init_block(b),
                Block::Rules(b) => self.rules_block(b),
                Block::Data(b) => self.data_block(b),
                Block::Train(b) => self.train_block(b),
                Block::Expect(b) => self.expect_block(b),
                Block::Test(b) => self.test_block(b),
            }
        }
    }

    fn model(&mut self, model: &Model) {
        let Model {
            name,
            header,
            items,
            broken: _,
        } = model;
        self.block(
            0,
            header.start,
            header.end,
            format!("model {}", name.name),
            items.is_empty(),
            |p, indent| {
                for item in items {
                    match item {
                        ModelItem::Level(level) => p.level(indent, level),
                        ModelItem::Classes(classes) => p.classes(indent, classes),
                    }
                }
            },
        );
    }

    fn level(&mut self, indent: usize, level: &LevelDecl) {
        let LevelDecl {
            name,
            header,
            nodes,
            names,
            children,
            broken: _,
        } = level;
        let head = format!("level {}", name.name);
        if !nodes.is_empty() && nodes.iter().all(|n| n.gate.is_none()) {
            let names: Vec<Ident> = names.iter().map(Name::to_ident).collect();
            let names: Vec<&Ident> = names.iter().collect();
            self.word_block(indent, header.start, header.end, head, &names);
            return;
        }
        self.block(
            indent,
            header.start,
            header.end,
            head,
            nodes.is_empty(),
            |p, indent| {
                for (name, node) in level.named_nodes() {
                    p.node(indent, children, &name.to_ident(), node);
                }
            },
        );
    }

    fn node(&mut self, indent: usize, list: &NameList, name: &Ident, node: &NodeDecl) {
        let NodeDecl { gate } = node;
        match gate {
            None => self.line(
                indent,
                name.span.start,
                name.span.end,
                name.name.to_string(),
            ),
            Some(gate) => {
                let (kind, children, span) = (&gate.kind, &gate.children, gate.span());
                let end = self.code_end(span);
                let prefix = match kind {
                    GateKind::Any => format!("{} = any(", name.name),
                    GateKind::All => format!("{} = all(", name.name),
                    GateKind::AtLeast(k) => {
                        format!("{} = atleast {} of (", name.name, k.lit().text)
                    }
                };
                let children: Vec<Ident> = list.of(*children).map(Name::to_ident).collect();
                let children: Vec<&Ident> = children.iter().collect();
                let range = (name.span.start, end);
                self.list_statement(indent, range, prefix, &children, ", ", ")");
            }
        }
    }

    fn classes(&mut self, indent: usize, classes: &ClassesDecl) {
        let ClassesDecl {
            header,
            classes,
            broken: _,
        } = classes;
        self.block(
            indent,
            header.start,
            header.end,
            "classes".to_string(),
            classes.is_empty(),
            |p, indent| {
                for class in classes {
                    let ClassDecl {
                        name,
                        parents,
                        span,
                    } = class;
                    let end = p.code_end(*span);
                    if parents.is_empty() {
                        p.line(indent, span.start, end, name.name.to_string());
                    } else {
                        let parents: Vec<&Ident> = parents.iter().collect();
                        let prefix = format!("{} <- ", name.name);
                        p.list_statement(indent, (span.start, end), prefix, &parents, ", ", "");
                    }
                }
            },
        );
    }

    fn init_block(&mut self, block: &InitBlock) {
        let InitBlock {
            header,
            items,
            broken: _,
        } = block;
        self.block(
            0,
            header.start,
            header.end,
            "init".to_string(),
            items.is_empty(),
            |p, indent| {
                for item in items {
                    p.init_item(indent, item);
                }
            },
        );
    }

    fn init_item(&mut self, indent: usize, item: &InitItem) {
        let (code, span) = self.init_item_text(item);
        let end = self.code_end(span);
        self.line(indent, span.start, end, code);
    }

    fn init_item_text(&self, item: &InitItem) -> (String, Span) {
        let InitItem { target, dist, span } = item;
        let target = match target {
            Target::All => "lambda".to_string(),
            Target::Node(n) => format!("lambda {}", n.name),
            Target::Level(l) => format!("lambda level {}", l.name),
            Target::AllEdges => "eta".to_string(),
            Target::Edge { from, to } => format!("eta {} -> {}", from.name, to.name),
        };
        (format!("{target} = {}", self.dist(dist)), *span)
    }

    fn dist(&self, dist: &Dist) -> String {
        let Dist { kind, span: _ } = dist;
        match kind {
            DistKind::Const(e) => self.expr(e),
            DistKind::Uniform(a, b) => format!("uniform({}, {})", self.expr(a), self.expr(b)),
            DistKind::Normal(a, b) => format!("normal({}, {})", self.expr(a), self.expr(b)),
            DistKind::LogNormal(a, b) => {
                format!("lognormal({}, {})", self.expr(a), self.expr(b))
            }
        }
    }

    fn rules_block(&mut self, block: &RulesBlock) {
        let RulesBlock {
            header,
            items,
            broken: _,
        } = block;
        self.block(
            0,
            header.start,
            header.end,
            "rules".to_string(),
            items.is_empty(),
            |p, indent| {
                for item in items {
                    p.rule_item(indent, item);
                }
            },
        );
    }

    fn rule_item(&mut self, indent: usize, item: &RuleItem) {
        let (code, span) = self.rule_item_text(item);
        let end = self.code_end(span);
        self.line(indent, span.start, end, code);
    }

    fn rule_item_text(&self, item: &RuleItem) -> (String, Span) {
        match item {
            RuleItem::Update(stmt) => {
                let RuleStmt {
                    targets,
                    update,
                    span,
                } = stmt;
                let mut parts: Vec<String> = targets.iter().map(rule_target).collect();
                parts.push(self.update(update));
                (parts.join(" = "), *span)
            }
            RuleItem::Jitter { value, span } => (format!("jitter = {}", self.expr(value)), *span),
        }
    }

    fn update(&self, update: &Update) -> String {
        let Update {
            kind,
            by_error,
            span: _,
        } = update;
        let mut text = match kind {
            UpdateKind::Mul(e) => format!("mul {}", self.expr(e)),
            UpdateKind::Add(e) => format!("add {}", self.expr(e)),
            UpdateKind::Sub(e) => format!("sub {}", self.expr(e)),
            UpdateKind::Keep => "keep".to_string(),
        };
        if by_error.is_some() {
            text.push_str(" by error");
        }
        text
    }

    fn data_block(&mut self, block: &DataBlock) {
        let DataBlock {
            header,
            items,
            broken: _,
        } = block;
        self.block(
            0,
            header.start,
            header.end,
            "data".to_string(),
            items.is_empty(),
            |p, indent| {
                for item in items {
                    let (code, span) = match item {
                        DataItem::Sample(sample) => {
                            p.sample(indent, sample);
                            continue;
                        }
                        DataItem::NoiseFlip { value, span } => {
                            (format!("noise flip {}", p.expr(value)), *span)
                        }
                        DataItem::From(from) => (from_text(from), from.span),
                    };
                    let end = p.code_end(span);
                    p.line(indent, span.start, end, code);
                }
            },
        );
    }

    fn test_block(&mut self, block: &TestBlock) {
        let TestBlock {
            header,
            items,
            broken: _,
        } = block;
        self.block(
            0,
            header.start,
            header.end,
            "test".to_string(),
            items.is_empty(),
            |p, indent| {
                for item in items {
                    let (code, span) = match item {
                        TestItem::Sample(sample) => {
                            p.sample(indent, sample);
                            continue;
                        }
                        TestItem::From(from) => (from_text(from), from.span),
                        TestItem::Copies { count, flip, span } => (
                            format!("copies {} flip {}", int(count), p.expr(flip)),
                            *span,
                        ),
                    };
                    let end = p.code_end(span);
                    p.line(indent, span.start, end, code);
                }
            },
        );
    }

    /// `name: e1 e2 -> c1 weight 2`, its inputs wrapped like any list.
    fn sample(&mut self, indent: usize, sample: &SampleDecl) {
        let SampleDecl {
            name,
            inputs,
            label,
            weight,
            span,
        } = sample;
        let mut suffix = if inputs.is_empty() { "-> " } else { " -> " }.to_string();
        suffix.push_str(&label.name);
        if let Some(w) = weight {
            suffix.push_str(" weight ");
            suffix.push_str(&self.expr(w));
        }
        let inputs: Vec<Ident> = inputs.iter().map(Name::to_ident).collect();
        let inputs: Vec<&Ident> = inputs.iter().collect();
        let prefix = format!("{}: ", name.name);
        let range = (span.start, self.code_end(*span));
        self.list_statement(indent, range, prefix, &inputs, " ", &suffix);
    }

    fn train_block(&mut self, block: &TrainBlock) {
        let TrainBlock {
            header,
            items,
            broken: _,
        } = block;
        self.block(
            0,
            header.start,
            header.end,
            "train".to_string(),
            items.is_empty(),
            |p, indent| {
                for item in items {
                    let (code, span) = match item {
                        TrainItem::Seed { value, span } => (format!("seed {}", int(value)), *span),
                        TrainItem::EtaUpdate { mode, span } => {
                            (format!("eta_update {}", mode.name), *span)
                        }
                        TrainItem::Sampler { kind, span } => {
                            (format!("sampler {}", kind.name), *span)
                        }
                        TrainItem::Phase(phase) => {
                            p.phase(indent, phase);
                            continue;
                        }
                        TrainItem::Record(record) => {
                            let RecordDecl {
                                every,
                                quantities,
                                span,
                            } = record;
                            let words: Vec<&Ident> = quantities.iter().collect();
                            let head = format!("record every {}", int(every));
                            p.word_block(indent, span.start, every.span.end, head, &words);
                            continue;
                        }
                    };
                    let end = p.code_end(span);
                    p.line(indent, span.start, end, code);
                }
            },
        );
    }

    fn phase(&mut self, indent: usize, phase: &PhaseDecl) {
        let PhaseDecl {
            name,
            header,
            items,
            broken: _,
        } = phase;
        let head = format!("phase {}", name.name);
        let (open, _, close) = self.braces_after(header.end);
        let settings_only = items.iter().all(|i| {
            matches!(
                i,
                PhaseItem::Steps { .. } | PhaseItem::Batch { .. } | PhaseItem::Freeze { .. }
            )
        });
        if settings_only && !items.is_empty() && !self.has_comment_between(open, close) {
            let settings: Vec<String> = items.iter().map(|i| self.phase_item(i).0).collect();
            let code = format!("{head} {{ {} }}", settings.join(" "));
            self.line(indent, header.start, close + 1, code);
            return;
        }
        self.block(
            indent,
            header.start,
            header.end,
            head,
            items.is_empty(),
            |p, indent| {
                for item in items {
                    let (code, span) = p.phase_item(item);
                    let end = p.code_end(span);
                    p.line(indent, span.start, end, code);
                }
            },
        );
    }

    fn phase_item(&self, item: &PhaseItem) -> (String, Span) {
        match item {
            PhaseItem::Steps { value, span } => (format!("steps {}", int(value)), *span),
            PhaseItem::Batch { value, span } => (format!("batch {}", int(value)), *span),
            PhaseItem::Rule(item) => self.rule_item_text(item),
            PhaseItem::Freeze { levels, span } => {
                (format!("freeze {}", join_idents(levels, ", ")), *span)
            }
            PhaseItem::Init(item) => self.init_item_text(item),
        }
    }

    fn expect_block(&mut self, block: &ExpectBlock) {
        let ExpectBlock {
            header,
            initial,
            items,
            broken: _,
        } = block;
        let head = if *initial { "expect initial" } else { "expect" };
        self.block(
            0,
            header.start,
            header.end,
            head.to_string(),
            items.is_empty(),
            |p, indent| {
                for item in items {
                    let Expectation { kind, span } = item;
                    let code = p.expectation(kind);
                    let end = p.code_end(*span);
                    p.line(indent, span.start, end, code);
                }
            },
        );
    }

    fn expectation(&self, kind: &ExpectKind) -> String {
        match kind {
            ExpectKind::Predict { input, class } => {
                let class = class.as_ref().map_or("none", |c| c.name.as_str());
                format!("predict {} is {class}", expect_input(input))
            }
            ExpectKind::Pathway {
                input,
                fires,
                nodes,
            } => {
                let verb = if *fires { "has" } else { "lacks" };
                let nodes = join_idents(nodes, " ");
                format!("pathway {} {verb} {nodes}", expect_input(input))
            }
            ExpectKind::P {
                input,
                class,
                compare,
            } => format!(
                "p {} {} {}",
                expect_input(input),
                class.name,
                self.comparison(compare)
            ),
            ExpectKind::Logit {
                input,
                class,
                compare,
            } => format!(
                "logit {} {} {}",
                expect_input(input),
                class.name,
                self.comparison(compare)
            ),
            ExpectKind::Le {
                base,
                label,
                test,
                compare,
            } => {
                let base = match label {
                    Some(label) => format!("{} -> {}", expect_input(base), label.name),
                    None => expect_input(base),
                };
                let compare = self.comparison(compare);
                format!("le {base} {} {compare}", expect_input(test))
            }
            ExpectKind::Lambda { ln, node, compare } => {
                let ln = if *ln { "ln " } else { "" };
                format!("{ln}lambda {} {}", node.name, self.comparison(compare))
            }
            ExpectKind::Eta {
                ln,
                from,
                to,
                compare,
            } => {
                let ln = if *ln { "ln " } else { "" };
                let compare = self.comparison(compare);
                format!("{ln}eta {} -> {} {compare}", from.name, to.name)
            }
            ExpectKind::Score {
                test,
                metric,
                compare,
            } => {
                let test = if *test { "test " } else { "" };
                let metric = match metric {
                    Metric::Accuracy => "accuracy",
                    Metric::Loss => "loss",
                };
                format!("{test}{metric} {}", self.comparison(compare))
            }
        }
    }

    /// `OP v` or `= v within tol`.
    fn comparison(&self, compare: &Comparison) -> String {
        let Comparison { op, value, within } = compare;
        let Operator { kind, span: _ } = op;
        let op = match kind {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "=",
        };
        let mut out = format!("{op} {}", self.expr(value));
        if let Some(Within {
            header: _,
            tolerance,
        }) = within
        {
            out.push_str(" within ");
            out.push_str(&self.expr(tolerance));
        }
        out
    }

    // ------------------------------------------------------------ expressions

    /// A number expression with the parentheses the source had around each part (the
    /// same tree, so the same value bit for bit).
    fn expr(&self, e: &Expr) -> String {
        let inner = match e {
            Expr::Num {
                value: _,
                text,
                span: _,
            } => text.clone(),
            Expr::Neg { operand, span: _ } => format!("-{}", self.expr(operand)),
            Expr::Binary {
                op,
                lhs,
                rhs,
                span: _,
            } => {
                let (l, r) = (self.expr(lhs), self.expr(rhs));
                match op {
                    BinOp::Add => format!("{l} + {r}"),
                    BinOp::Sub => format!("{l} - {r}"),
                    BinOp::Mul => format!("{l}*{r}"),
                    BinOp::Div => format!("{l}/{r}"),
                    BinOp::Pow => format!("{l}^{r}"),
                }
            }
        };
        if self.parenthesised(e.span()) {
            format!("({inner})")
        } else {
            inner
        }
    }
}

/// A node's rule on one line: `any(e1, e2)`, `atleast 2 of (a, b, c)`; `list` is the
/// children of its level.
pub fn gate_text(list: &NameList, gate: &Gate) -> String {
    let (kind, children) = (&gate.kind, &gate.children);
    let children: Vec<&str> = list.of(*children).map(|c| c.name).collect();
    let children = children.join(", ");
    match kind {
        GateKind::Any => format!("any({children})"),
        GateKind::All => format!("all({children})"),
        GateKind::AtLeast(k) => format!("atleast {} of ({children})", k.lit().text),
    }
}

/// A sample's name, or a pattern `{e1 e2}` (`{}` when empty).
fn expect_input(input: &ExpectInput) -> String {
    match input {
        ExpectInput::Sample(name) => name.name.to_string(),
        ExpectInput::Pattern { nodes, span: _ } => format!("{{{}}}", join_idents(nodes, " ")),
    }
}

fn rule_target(target: &RuleTarget) -> String {
    let RuleTarget {
        direction,
        target,
        span: _,
    } = target;
    let direction = match direction {
        Direction::Grow => "grow",
        Direction::Shrink => "shrink",
    };
    match target {
        Target::All => direction.to_string(),
        Target::Node(n) => format!("{direction} {}", n.name),
        Target::Level(l) => format!("{direction} level {}", l.name),
        Target::AllEdges => format!("{direction} eta"),
        Target::Edge { from, to } => format!("{direction} eta {} -> {}", from.name, to.name),
    }
}

fn int(lit: &IntLit) -> &str {
    let IntLit {
        value: _,
        text,
        span: _,
    } = lit;
    text
}

/// `from "PATH"` (a path holds no quote and no line break).
fn from_text(from: &FromFile) -> String {
    let FromFile { path, span: _ } = from;
    let StringLit { value, span: _ } = path;
    format!("from \"{value}\"")
}

fn join_idents(idents: &[Ident], sep: &str) -> String {
    let names: Vec<&str> = idents.iter().map(|i| i.name.as_str()).collect();
    names.join(sep)
}

fn join_names(idents: &[&Ident], sep: &str) -> String {
    let names: Vec<&str> = idents.iter().map(|i| i.name.as_str()).collect();
    names.join(sep)
}

/// The lines as text. Trailing comments line up within a run of consecutive code lines
/// at one indent (a blank line, a comment line or a change of indent ends the run).
fn render(lines: &[Line]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let end = run_end(lines, i);
        let width = lines[i..end]
            .iter()
            .map(|l| match l {
                Line::Text {
                    hang,
                    code,
                    comment: Some(_),
                    ..
                } => hang + code.chars().count(),
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        for line in &lines[i..end] {
            match line {
                Line::Blank => out.push('\n'),
                Line::Text {
                    indent,
                    hang,
                    code,
                    comment,
                } => {
                    for _ in 0..*indent {
                        out.push_str(INDENT);
                    }
                    out.extend(std::iter::repeat_n(' ', *hang));
                    out.push_str(code);
                    if let Some(comment) = comment {
                        if !code.is_empty() {
                            let pad = width.saturating_sub(hang + code.chars().count()) + 2;
                            out.extend(std::iter::repeat_n(' ', pad));
                        }
                        out.push_str(comment);
                    }
                    out.push('\n');
                }
            }
        }
        i = end;
    }
    out
}

/// The end of the run of code lines at one indent that starts at `i` (just `i + 1` when
/// line `i` is blank or a comment line).
fn run_end(lines: &[Line], i: usize) -> usize {
    let indent_of = |l: &Line| match l {
        Line::Text { indent, code, .. } if !code.is_empty() => Some(*indent),
        _ => None,
    };
    let Some(indent) = lines.get(i).and_then(indent_of) else {
        return i + 1;
    };
    let mut end = i + 1;
    while lines.get(end).and_then(indent_of) == Some(indent) {
        end += 1;
    }
    end
}
