//! Parsing and resolving a query string against a model. Every problem is a
//! `Problem` labelled into the query text, so the CLI and the REPL can render it.

use crate::diag::ErrorCode;
use crate::diag::Problem;
use crate::ir::{ClassId, Ir, NodeId};
use crate::syntax::ast::Span;

use super::{Input, Query, QueryKind};

/// Commands, with the arguments they take (for help lines).
pub const COMMANDS: [(&str, &str); 7] = [
    ("pathway", "pathway X"),
    ("scores", "scores X"),
    ("predict", "predict X"),
    ("le", "le X Y"),
    ("le-matrix", "le-matrix"),
    ("accuracy", "accuracy [test]"),
    ("loss", "loss [test]"),
];

const CODE_SYNTAX: ErrorCode = ErrorCode::QuerySyntax;
const CODE_UNKNOWN: ErrorCode = ErrorCode::QueryUnknownName;
const CODE_NOT_INPUT: ErrorCode = ErrorCode::QueryNotAnInputNode;
const CODE_NO_LABEL: ErrorCode = ErrorCode::QueryMissingLabel;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Open,
    Close,
    Arrow,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    span: Span,
}

fn tokenize(text: &str) -> Result<Vec<Token>, Problem> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'{' | b'}' => {
                i += 1;
                let tok = if c == b'{' { Tok::Open } else { Tok::Close };
                out.push(Token {
                    tok,
                    span: Span::new(start, i),
                });
            }
            b'-' if bytes.get(i + 1) == Some(&b'>') => {
                i += 2;
                out.push(Token {
                    tok: Tok::Arrow,
                    span: Span::new(start, i),
                });
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                // Words may contain '-' (for `le-matrix`) but not start with it, and `:`
                // (a data file's row `digits:3`) and `~` (a noisy copy `s1~2`).
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b':' | b'~')
                        || (bytes[i] == b'-' && bytes.get(i + 1) != Some(&b'>')))
                {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Word(text[start..i].to_string()),
                    span: Span::new(start, i),
                });
            }
            _ => {
                let ch = text[start..].chars().next().unwrap_or('?');
                let end = start + ch.len_utf8();
                return Err(Problem::error(CODE_SYNTAX, format!("unexpected `{ch}` in query"))
                    .label(Span::new(start, end), "not part of a query")
                    .help("inputs are sample names or patterns like `{e1 e2}` (with `->c1` for a label)"));
            }
        }
    }
    Ok(out)
}

/// Parses `text` and resolves every name against `ir`. All problems found are returned.
pub fn parse_query(ir: &Ir, text: &str) -> Result<Query, Vec<Problem>> {
    let tokens = tokenize(text).map_err(|p| vec![p])?;
    let end = Span::new(text.len(), text.len());
    let mut p = Parser {
        ir,
        labelled_role: "the base of `le`",
        tokens,
        pos: 0,
        end,
        problems: Vec::new(),
    };
    let Some(first) = p.next() else {
        return Err(vec![Problem::error(CODE_SYNTAX, "empty query")
            .label(end, "expected a command")
            .help(commands_help())]);
    };
    let Tok::Word(cmd) = &first.tok else {
        return Err(vec![Problem::error(
            CODE_SYNTAX,
            "a query starts with a command",
        )
        .label(first.span, "expected a command")
        .help(commands_help())]);
    };
    let kind = match cmd.as_str() {
        "pathway" => p.input(false).map(QueryKind::Pathway),
        "scores" => p.input(false).map(QueryKind::Scores),
        "predict" => p.input(false).map(QueryKind::Predict),
        "le" => {
            let base = p.input(true);
            let test = p.input(false);
            match (base, test) {
                (Some(base), Some(test)) => Some(QueryKind::Le { base, test }),
                _ => None,
            }
        }
        "le-matrix" => Some(QueryKind::LeMatrix),
        "accuracy" | "loss" => {
            use crate::syntax::ast::Metric;
            let metric = if cmd == "loss" {
                Metric::Loss
            } else {
                Metric::Accuracy
            };
            let test = match p.peek().map(|t| &t.tok) {
                Some(Tok::Word(w)) if w == "test" || w == "data" => {
                    let test = w == "test";
                    let at = p.next().map_or(end, |t| t.span);
                    if test && ir.test.is_none() {
                        p.problems.push(
                            Problem::error(ErrorCode::CheckNoTestSet, "the model has no test samples")
                                .label(at, "measured on the test samples")
                                .help("add a `test { ... }` block to the model, or measure the data: `accuracy`"),
                        );
                    }
                    test
                }
                _ => false,
            };
            Some(QueryKind::Score { metric, test })
        }
        other => {
            let names = COMMANDS.iter().map(|c| c.0);
            let mut problem = Problem::error(CODE_SYNTAX, format!("unknown command `{other}`"))
                .label(first.span, "not a query command");
            problem = match did_you_mean(other, names) {
                Some(s) => problem.help(format!("did you mean `{s}`? {}", commands_help())),
                None => problem.help(commands_help()),
            };
            return Err(vec![problem]);
        }
    };
    if let Some(extra) = p.next() {
        p.problems.push(
            Problem::error(CODE_SYNTAX, "unexpected input after the query")
                .label(extra.span.to(p.last_span()), "extra")
                .help(format!("`{cmd}` takes: {}", usage(cmd))),
        );
    }
    match kind {
        Some(kind) if p.problems.is_empty() => Ok(Query {
            kind,
            span: Span::new(0, text.len()),
        }),
        _ => Err(p.problems),
    }
}

/// Parses a batch of labelled inputs, `c1a, {e1 e2}->c1, c2` (commas optional), as the
/// REPL's `step` takes it. Spans point into `text`.
pub fn parse_batch(ir: &Ir, text: &str) -> Result<Vec<Input>, Vec<Problem>> {
    let tokens = tokenize(text).map_err(|p| vec![p])?;
    let end = Span::new(text.len(), text.len());
    let mut p = Parser {
        ir,
        labelled_role: "a sample of a training batch",
        tokens,
        pos: 0,
        end,
        problems: Vec::new(),
    };
    let mut batch = Vec::new();
    while p.peek().is_some() {
        match p.input(true) {
            Some(input) => batch.push(input),
            // Skip to the next item so every bad item is reported once.
            None => {
                while let Some(t) = p.peek() {
                    if matches!(t.tok, Tok::Word(_) | Tok::Open) {
                        break;
                    }
                    p.pos += 1;
                }
            }
        }
    }
    if batch.is_empty() && p.problems.is_empty() {
        p.problems.push(
            Problem::error(CODE_SYNTAX, "empty batch")
                .label(end, "expected a sample name or a labelled pattern")
                .help("e.g. `c1a, {e1 e2}->c1`"),
        );
    }
    if p.problems.is_empty() {
        Ok(batch)
    } else {
        Err(p.problems)
    }
}

/// Parses one input, a sample name or a pattern `{e1 e2}` (a label is allowed but not needed),
/// as `nshed draw --input` and the REPL's `draw` take it. Spans point into `text`.
pub fn parse_input(ir: &Ir, text: &str) -> Result<Input, Vec<Problem>> {
    let tokens = tokenize(text).map_err(|p| vec![p])?;
    let end = Span::new(text.len(), text.len());
    let mut p = Parser {
        ir,
        labelled_role: "an input",
        tokens,
        pos: 0,
        end,
        problems: Vec::new(),
    };
    let input = p.input(false);
    if let Some(extra) = p.next() {
        p.problems.push(
            Problem::error(CODE_SYNTAX, "unexpected text after the input")
                .label(extra.span.to(p.last_span()), "extra")
                .help("give one input: a sample name or a pattern such as `{e1 e2}`"),
        );
    }
    match input {
        Some(input) if p.problems.is_empty() => Ok(input),
        _ => Err(p.problems),
    }
}

fn commands_help() -> String {
    let list: Vec<&str> = COMMANDS.iter().map(|c| c.1).collect();
    format!("queries: {}", list.join(", "))
}

fn usage(cmd: &str) -> &'static str {
    COMMANDS.iter().find(|c| c.0 == cmd).map_or("", |c| c.1)
}

struct Parser<'a> {
    ir: &'a Ir,
    /// What a labelled input is for, in messages: "the base of `le`".
    labelled_role: &'static str,
    tokens: Vec<Token>,
    pos: usize,
    end: Span,
    problems: Vec<Problem>,
}

impl Parser<'_> {
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn last_span(&self) -> Span {
        self.tokens.last().map_or(self.end, |t| t.span)
    }

    /// One input: a sample name, or `{ nodes }` optionally followed by `-> class`.
    /// `needs_label`: the base of `le`.
    fn input(&mut self, needs_label: bool) -> Option<Input> {
        let Some(tok) = self.next() else {
            self.problems.push(
                Problem::error(CODE_SYNTAX, "missing input")
                    .label(
                        self.end,
                        "expected a sample name or a pattern like `{e1 e2}`",
                    )
                    .help(if needs_label {
                        format!(
                            "{} is a sample name or a labelled pattern `{{e1 e2}}->c1`",
                            self.labelled_role
                        )
                    } else {
                        "give a data sample's name or a pattern of input nodes, e.g. `{e1 e2}`"
                            .to_string()
                    }),
            );
            return None;
        };
        match tok.tok {
            Tok::Word(name) => self.sample(&name, tok.span),
            Tok::Open => self.pattern(tok.span, needs_label),
            Tok::Close | Tok::Arrow => {
                self.problems.push(
                    Problem::error(CODE_SYNTAX, "malformed input")
                        .label(tok.span, "expected a sample name or `{`")
                        .help("patterns are written `{e1 e2}` or `{e1 e2}->c1`"),
                );
                None
            }
        }
    }

    fn sample(&mut self, name: &str, span: Span) -> Option<Input> {
        let test = self.ir.test.as_ref().map_or(&[][..], |t| &t.samples[..]);
        let found = self
            .ir
            .sample_index(name)
            .map(|i| &self.ir.data.samples[i])
            .or_else(|| test.iter().find(|s| s.name == name));
        if let Some(s) = found {
            if matches!(
                self.peek(),
                Some(Token {
                    tok: Tok::Arrow,
                    ..
                })
            ) {
                let arrow = self.next().map_or(span, |t| t.span);
                self.problems.push(
                    Problem::error(CODE_SYNTAX, format!("sample `{name}` already has a label"))
                        .label(arrow, "a label only follows a pattern")
                        .help("write the pattern out, e.g. `{e1 e2}->c1`, to choose a label"),
                );
                return None;
            }
            return Some(Input {
                sample: Some(s.name.clone()),
                input: s.input.clone(),
                label: Some(s.label),
                span,
            });
        }
        let what = if self.ir.test.is_some() {
            "data or test sample"
        } else {
            "data sample"
        };
        let mut problem = Problem::error(CODE_UNKNOWN, format!("no {what} `{name}`"))
            .label(span, "not a sample of this model");
        problem = if self.input_node(name).is_some() {
            problem.help(format!(
                "`{name}` is an input node: write the pattern `{{{name}}}`"
            ))
        } else {
            let names = self
                .ir
                .data
                .samples
                .iter()
                .chain(test)
                .map(|s| s.name.as_str());
            match did_you_mean(name, names) {
                Some(s) => problem.help(format!("did you mean `{s}`?")),
                None if self.ir.data.samples.is_empty() && test.is_empty() => {
                    problem.help("the model has no data; write a pattern like `{e1 e2}`")
                }
                None => problem.help("write a data sample's name or a pattern like `{e1 e2}`"),
            }
        };
        self.problems.push(problem);
        None
    }

    fn input_node(&self, name: &str) -> Option<NodeId> {
        self.ir
            .node_index(name)
            .filter(|&n| self.ir.nodes[n as usize].level == 0)
    }

    fn pattern(&mut self, open: Span, needs_label: bool) -> Option<Input> {
        let mut nodes: Vec<NodeId> = Vec::new();
        let mut ok = true;
        let close = loop {
            match self.next() {
                Some(Token {
                    tok: Tok::Close,
                    span,
                }) => break span,
                Some(Token {
                    tok: Tok::Word(name),
                    span,
                }) => match self.resolve_pattern_node(&name, span) {
                    Some(n) => nodes.push(n),
                    None => ok = false,
                },
                Some(t) => {
                    self.problems.push(
                        Problem::error(CODE_SYNTAX, "malformed pattern")
                            .label(t.span, "expected an input node name or `}`")
                            .label(open, "pattern opened here"),
                    );
                    return None;
                }
                None => {
                    self.problems.push(
                        Problem::error(CODE_SYNTAX, "unclosed pattern")
                            .label(open, "this `{` is never closed")
                            .label(self.end, "expected `}`")
                            .help("close the pattern: `{e1 e2}`"),
                    );
                    return None;
                }
            }
        };
        let mut span = open.to(close);
        let mut label = None;
        if matches!(
            self.peek(),
            Some(Token {
                tok: Tok::Arrow,
                ..
            })
        ) {
            let arrow = self.next().map_or(close, |t| t.span);
            match self.next() {
                Some(Token {
                    tok: Tok::Word(class),
                    span: cspan,
                }) => {
                    span = span.to(cspan);
                    label = self.resolve_class(&class, cspan);
                    ok &= label.is_some();
                }
                other => {
                    let at = other.map_or(self.end, |t| t.span);
                    self.problems.push(
                        Problem::error(CODE_SYNTAX, "missing class after `->`")
                            .label(at, "expected a class name")
                            .label(arrow, "label arrow"),
                    );
                    return None;
                }
            }
        } else if needs_label {
            self.problems.push(
                Problem::error(
                    CODE_NO_LABEL,
                    format!("{} needs a label", self.labelled_role),
                )
                .label(span, "unlabelled pattern")
                .help("add a label, e.g. `{e1 e2}->c1`, or use a data sample's name"),
            );
            ok = false;
        }
        if !ok {
            return None;
        }
        nodes.sort_unstable();
        nodes.dedup();
        Some(Input {
            sample: None,
            input: nodes,
            label,
            span,
        })
    }

    fn resolve_pattern_node(&mut self, name: &str, span: Span) -> Option<NodeId> {
        if let Some(n) = self.input_node(name) {
            return Some(n);
        }
        let problem = if let Some(n) = self.ir.node_index(name) {
            let level = &self.ir.levels[self.ir.nodes[n as usize].level as usize].name;
            let input_level = self.ir.levels.first().map_or("", |l| l.name.as_str());
            Problem::error(CODE_NOT_INPUT, format!("`{name}` is not an input node"))
                .label(span, format!("`{name}` is in level `{level}`"))
                .help(format!(
                    "a pattern lists nodes of the input level `{input_level}`; the others fire by their rules"
                ))
        } else if self.ir.class_index(name).is_some() {
            Problem::error(
                CODE_NOT_INPUT,
                format!("`{name}` is a class, not an input node"),
            )
            .label(span, "a class inside the pattern")
            .help(format!(
                "to give the pattern a label, write it after the braces: `{{...}}->{name}`"
            ))
        } else {
            let names = self
                .ir
                .nodes
                .iter()
                .filter(|n| n.level == 0)
                .map(|n| n.name.as_str());
            let p = Problem::error(CODE_UNKNOWN, format!("no input node `{name}`"))
                .label(span, "unknown name");
            match did_you_mean(name, names) {
                Some(s) => p.help(format!("did you mean `{s}`?")),
                None => p.help("a pattern lists nodes of the input level"),
            }
        };
        self.problems.push(problem);
        None
    }

    fn resolve_class(&mut self, name: &str, span: Span) -> Option<ClassId> {
        if let Some(c) = self.ir.class_index(name) {
            return Some(c);
        }
        let names = self.ir.classes.iter().map(|c| c.name.as_str());
        let p = Problem::error(CODE_UNKNOWN, format!("no class `{name}`"))
            .label(span, "not a class of this model");
        self.problems.push(match did_you_mean(name, names) {
            Some(s) => p.help(format!("did you mean `{s}`?")),
            None => p.help("a label is one of the model's classes"),
        });
        None
    }
}

/// The closest candidate, if one is close enough to be a likely typo (the checker's rule).
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    crate::check::suggest::closest(name, candidates)
}
