//! One REPL line → a `Command`. Queries (`pathway`, `scores`, `predict`, `le`,
//! `le-matrix`) go to the same parser as `nshed query`; the REPL's own actions and
//! colon commands are parsed here. Every problem is labelled into the line.

use miette::LabeledSpan;
use nshed::diag::ErrorCode;

use nshed::analysis::{Estimator, PlaneOptions, Representation};
use nshed::diag::Problem;
use nshed::ir::{EdgeId, Ir, NodeId};
use nshed::query::{self, did_you_mean, Input, Query};
use nshed::syntax::ast::Span;

use super::help;

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Query(Query),
    Show(Show),
    /// `train N`; `None` = to the end of the schedule.
    Train(Option<u64>),
    /// `step` (drawn batch) or `step BATCH`.
    Step(Option<Vec<Input>>),
    SetLambda {
        node: NodeId,
        value: f64,
    },
    SetEta {
        edge: EdgeId,
        value: f64,
    },
    SetSeed(u64),
    Reset,
    Undo,
    History,
    Load(String),
    Reload,
    Save(String),
    Restore(String),
    Help(Option<String>),
    Quit,
    /// `info-plane [binning [BINS] | noise SIGMA] [scores | lambda]` at the current state.
    InfoPlane(PlaneOptions),
    /// `draw [X] PATH`: the model as SVG (DOT when PATH ends in `.dot` or `.gv`).
    Draw {
        /// The input and how the line wrote it.
        input: Option<(Input, String)>,
        path: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Show {
    /// `show lambda`, `show lambda LEVEL`, `show lambda NODE`.
    Lambda(LambdaScope),
    Eta,
    Data,
    Rules,
    Model,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LambdaScope {
    All,
    Level(usize),
    Node(NodeId),
}

const CODE: ErrorCode = ErrorCode::ReplSyntax;
const CODE_UNKNOWN: ErrorCode = ErrorCode::ReplUnknownName;
const CODE_NO_MODEL: ErrorCode = ErrorCode::ReplNoModel;

const COLON_COMMANDS: [&str; 6] = [":load", ":reload", ":save", ":restore", ":help", ":quit"];
const QUERY_WORDS: [&str; 7] = [
    "pathway",
    "scores",
    "predict",
    "le",
    "le-matrix",
    "accuracy",
    "loss",
];
const ACTION_WORDS: [&str; 10] = [
    "help",
    "show",
    "train",
    "step",
    "set",
    "reset",
    "undo",
    "history",
    "info-plane",
    "draw",
];

/// What `show` shows.
pub const SHOW_WORDS: [&str; 5] = ["lambda", "eta", "data", "rules", "model"];
/// What `set` sets.
pub const SET_WORDS: [&str; 3] = ["lambda", "eta", "seed"];
/// The options of `info-plane`.
pub const INFO_PLANE_OPTIONS: [&str; 4] = ["binning", "noise", "scores", "lambda"];

/// The colon command a (possibly abbreviated) word names, if exactly one.
pub fn resolve_colon(word: &str) -> Option<&'static str> {
    let matches: Vec<&'static str> = COLON_COMMANDS
        .iter()
        .copied()
        .filter(|c| c.starts_with(word))
        .collect();
    match matches.as_slice() {
        [one] => Some(one),
        many => many.iter().copied().find(|c| *c == word),
    }
}

/// Every word a line can start with (for completion and did-you-mean).
pub fn command_words() -> Vec<&'static str> {
    COLON_COMMANDS
        .iter()
        .chain(QUERY_WORDS.iter())
        .chain(ACTION_WORDS.iter())
        .copied()
        .collect()
}

/// The first word of `text` after `from`, with its span.
fn word_at(text: &str, from: usize) -> Option<(&str, Span)> {
    let rest = &text[from.min(text.len())..];
    let start = from + (rest.len() - rest.trim_start().len());
    let tail = &text[start..];
    if tail.is_empty() {
        return None;
    }
    let len = tail.find(char::is_whitespace).unwrap_or(tail.len());
    Some((&tail[..len], Span::new(start, start + len)))
}

/// Text after `from`, trimmed, with its start offset.
fn rest_at(text: &str, from: usize) -> (&str, usize) {
    let rest = &text[from.min(text.len())..];
    let start = from + (rest.len() - rest.trim_start().len());
    (text[start..].trim_end(), start)
}

/// Moves problems found in a slice of the line so they point into the whole line.
pub fn shift(problems: Vec<Problem>, by: usize) -> Vec<Problem> {
    problems
        .into_iter()
        .map(|mut p| {
            p.labels = p
                .labels
                .iter()
                .map(|l| {
                    let span = (l.offset() + by, l.len());
                    let text = l.label().map(str::to_string);
                    if l.primary() {
                        LabeledSpan::new_primary_with_span(text, span)
                    } else {
                        LabeledSpan::new_with_span(text, span)
                    }
                })
                .collect();
            p
        })
        .collect()
}

fn no_extra(text: &str, after: usize, usage: &str) -> Result<(), Vec<Problem>> {
    let (rest, at) = rest_at(text, after);
    if rest.is_empty() {
        Ok(())
    } else {
        Err(vec![Problem::error(
            CODE,
            "unexpected text after the command",
        )
        .label(Span::new(at, at + rest.len()), "not expected here")
        .help(format!("usage: {usage}"))])
    }
}

fn need_arg(
    text: &str,
    after: usize,
    usage: &str,
    what: &str,
) -> Result<(String, Span), Vec<Problem>> {
    let (rest, at) = rest_at(text, after);
    if rest.is_empty() {
        Err(vec![Problem::error(CODE, format!("missing {what}"))
            .label(
                Span::new(text.len(), text.len()),
                format!("expected {what}"),
            )
            .help(format!("usage: {usage}"))])
    } else {
        Ok((rest.to_string(), Span::new(at, at + rest.len())))
    }
}

fn parse_u64(word: &str, span: Span, what: &str, usage: &str) -> Result<u64, Vec<Problem>> {
    word.parse::<u64>().map_err(|e| {
        let message = match e.kind() {
            std::num::IntErrorKind::PosOverflow => format!("`{word}` is too large"),
            _ => format!("`{word}` is not a whole number"),
        };
        vec![Problem::error(CODE, message)
            .label(span, format!("expected {what}"))
            .help(format!(
                "usage: {usage} (digits only, at most {})",
                u64::MAX
            ))]
    })
}

/// Parses one complete input. `ir` is the loaded model, if any.
pub fn parse(ir: Option<&Ir>, text: &str) -> Result<Command, Vec<Problem>> {
    let Some((first, first_span)) = word_at(text, 0) else {
        return Err(vec![Problem::error(CODE, "empty input")
            .label(Span::new(0, 0), "expected a command")
            .help("type `:help` for the list of commands")]);
    };
    if first.starts_with(':') {
        return parse_colon(text, first, first_span);
    }
    if first == "help" {
        return parse_help(text, first_span.end);
    }
    let Some(ir) = ir else {
        return Err(vec![Problem::error(CODE_NO_MODEL, "no model is loaded")
            .label(first_span, "needs a model")
            .help(
                "load one with `:load FILE`, e.g. `:load examples/fig1.nshed`",
            )]);
    };
    let after = first_span.end;
    match first {
        w if QUERY_WORDS.contains(&w) => query::parse_query(ir, text).map(Command::Query),
        "show" => parse_show(ir, text, after).map(Command::Show),
        "train" => {
            let usage = "train N";
            match word_at(text, after) {
                None => Ok(Command::Train(None)),
                Some((n, span)) => {
                    let n = parse_u64(n, span, "a number of steps", usage)?;
                    no_extra(text, span.end, usage)?;
                    Ok(Command::Train(Some(n)))
                }
            }
        }
        "step" => {
            let (rest, at) = rest_at(text, after);
            if rest.is_empty() {
                Ok(Command::Step(None))
            } else {
                query::parse_batch(ir, rest)
                    .map(|b| Command::Step(Some(b)))
                    .map_err(|p| shift(p, at))
            }
        }
        "set" => parse_set(ir, text, after),
        "info-plane" => parse_info_plane(text, after).map(Command::InfoPlane),
        "draw" => parse_draw(ir, text, after),
        "reset" => no_extra(text, after, "reset").map(|_| Command::Reset),
        "undo" => no_extra(text, after, "undo").map(|_| Command::Undo),
        "history" => no_extra(text, after, "history").map(|_| Command::History),
        other => {
            let words = command_words();
            let p = Problem::error(CODE, format!("unknown command `{other}`"))
                .label(first_span, "not a command");
            Err(vec![match did_you_mean(other, words.iter().copied()) {
                Some(s) => p.help(format!("did you mean `{s}`? `:help` lists the commands")),
                None => p.help("`:help` lists the commands"),
            }])
        }
    }
}

fn parse_colon(text: &str, word: &str, span: Span) -> Result<Command, Vec<Problem>> {
    let matches: Vec<&str> = COLON_COMMANDS
        .iter()
        .copied()
        .filter(|c| c.starts_with(word))
        .collect();
    let name = match matches.as_slice() {
        [one] => *one,
        [] => {
            let p = Problem::error(CODE, format!("unknown command `{word}`"))
                .label(span, "not a command");
            return Err(vec![
                match did_you_mean(word, COLON_COMMANDS.iter().copied()) {
                    Some(s) => p.help(format!(
                        "did you mean `{s}`? colon commands: {}",
                        COLON_COMMANDS.join(", ")
                    )),
                    None => p.help(format!("colon commands: {}", COLON_COMMANDS.join(", "))),
                },
            ]);
        }
        many => {
            // An exact name wins over longer ones (none is a prefix of another today).
            if let Some(exact) = many.iter().find(|c| **c == word) {
                exact
            } else {
                return Err(vec![Problem::error(CODE, format!("`{word}` is ambiguous"))
                    .label(span, format!("could be {}", many.join(" or ")))
                    .help("type more letters")]);
            }
        }
    };
    let after = span.end;
    match name {
        ":load" => {
            need_arg(text, after, ":load FILE", "a file name").map(|(f, _)| Command::Load(f))
        }
        ":reload" => no_extra(text, after, ":reload").map(|_| Command::Reload),
        ":save" => {
            need_arg(text, after, ":save STATE.json", "a file name").map(|(f, _)| Command::Save(f))
        }
        ":restore" => need_arg(text, after, ":restore STATE.json", "a file name")
            .map(|(f, _)| Command::Restore(f)),
        ":help" => parse_help(text, after),
        _ => no_extra(text, after, ":quit").map(|_| Command::Quit),
    }
}

/// `:help [COMMAND]`, also written `help [COMMAND]`: the word a newcomer types first.
fn parse_help(text: &str, after: usize) -> Result<Command, Vec<Problem>> {
    let (rest, at) = rest_at(text, after);
    if rest.is_empty() {
        Ok(Command::Help(None))
    } else if help::lookup(rest).is_some() {
        Ok(Command::Help(Some(rest.to_string())))
    } else {
        let names = help::COMMANDS.iter().map(|c| c.name);
        let p = Problem::error(CODE, format!("no help for `{rest}`"))
            .label(Span::new(at, at + rest.len()), "not a command");
        Err(vec![match did_you_mean(rest, names) {
            Some(s) => p.help(format!("did you mean `{s}`?")),
            None => p.help("`:help` lists the commands"),
        }])
    }
}

fn parse_info_plane(text: &str, after: usize) -> Result<PlaneOptions, Vec<Problem>> {
    let usage = "info-plane [binning [BINS] | noise SIGMA] [scores | lambda]";
    let mut options = PlaneOptions::default();
    let (mut estimator_given, mut repr_given) = (false, false);
    let mut at = after;
    let twice = |span: Span, what: &str| {
        vec![Problem::error(CODE, format!("{what} given twice"))
            .label(span, "second one")
            .help(format!("usage: {usage}"))]
    };
    while let Some((word, span)) = word_at(text, at) {
        at = span.end;
        match word {
            "binning" | "noise" => {
                if estimator_given {
                    return Err(twice(span, "the estimator"));
                }
                estimator_given = true;
                let next = word_at(text, at);
                if word == "noise" {
                    let Some((value, vspan)) = next else {
                        return Err(vec![Problem::error(CODE, "`noise` needs a sigma")
                            .label(Span::new(text.len(), text.len()), "expected a number > 0")
                            .help(
                                "e.g. `info-plane noise 0.1` (the representation lies in [0,1])",
                            )]);
                    };
                    at = vspan.end;
                    match value.parse::<f64>() {
                        Ok(sigma) if sigma.is_finite() && sigma > 0.0 => {
                            options.estimator = Estimator::Noise { sigma }
                        }
                        _ => {
                            return Err(vec![Problem::error(
                                CODE,
                                format!("`{value}` is not a valid sigma"),
                            )
                            .label(vspan, "expected a finite number > 0")
                            .help(format!("usage: {usage}"))])
                        }
                    }
                } else {
                    let mut bins = 30;
                    if let Some((value, vspan)) = next {
                        if value.bytes().all(|b| b.is_ascii_digit()) {
                            at = vspan.end;
                            bins = match value.parse::<usize>() {
                                Ok(b) if (1..=1_000_000).contains(&b) => b,
                                _ => {
                                    return Err(vec![Problem::error(
                                        CODE,
                                        format!("`{value}` bins is out of range"),
                                    )
                                    .label(vspan, "expected 1 to 1000000")
                                    .help(format!("usage: {usage}"))])
                                }
                            };
                        }
                    }
                    options.estimator = Estimator::Binning { bins };
                }
            }
            "scores" | "lambda" => {
                if repr_given {
                    return Err(twice(span, "the representation"));
                }
                repr_given = true;
                options.representation = if word == "scores" {
                    Representation::Scores
                } else {
                    Representation::Lambda
                };
            }
            other => {
                let p = Problem::error(CODE, format!("unknown option `{other}`"))
                    .label(span, "not an option of info-plane");
                return Err(vec![
                    match did_you_mean(other, INFO_PLANE_OPTIONS.iter().copied()) {
                        Some(s) => p.help(format!("did you mean `{s}`? usage: {usage}")),
                        None => p.help(format!("usage: {usage}")),
                    },
                ]);
            }
        }
    }
    Ok(options)
}

fn parse_draw(ir: &Ir, text: &str, after: usize) -> Result<Command, Vec<Problem>> {
    let usage = "draw [X] PATH (X: a sample or a pattern {e1 e2}; PATH ending in .dot gives DOT)";
    let (rest, at) = rest_at(text, after);
    if rest.is_empty() {
        return Err(vec![Problem::error(CODE, "missing a file name")
            .label(Span::new(text.len(), text.len()), "expected PATH")
            .help(format!("usage: {usage}"))]);
    }
    let split = rest.rfind(char::is_whitespace);
    let (input_text, path) = match split {
        Some(i) => (rest[..i].trim_end(), &rest[i + 1..]),
        None => ("", rest),
    };
    let path_start = at + rest.len() - path.len();
    let lower = path.to_ascii_lowercase();
    if ![".svg", ".dot", ".gv"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        let p = Problem::error(
            CODE,
            format!("`{path}` is not an .svg, .dot or .gv file name"),
        )
        .label(
            Span::new(path_start, path_start + path.len()),
            "expected the file to write",
        );
        let p = if input_text.is_empty()
            && (ir.sample_index(path).is_some() || path.starts_with('{'))
        {
            p.help(format!(
                "to draw the pathway of `{path}`, name the file too: draw {path} fig.svg"
            ))
        } else {
            p.help(format!("usage: {usage}"))
        };
        return Err(vec![p]);
    }
    let input = if input_text.is_empty() {
        None
    } else {
        let parsed = query::parse_input(ir, input_text).map_err(|p| shift(p, at))?;
        Some((parsed, input_text.to_string()))
    };
    Ok(Command::Draw {
        input,
        path: path.to_string(),
    })
}

fn parse_show(ir: &Ir, text: &str, after: usize) -> Result<Show, Vec<Problem>> {
    let usage = "show lambda [LEVEL|NODE] | show eta | show data | show rules | show model";
    let Some((what, span)) = word_at(text, after) else {
        return Err(vec![Problem::error(CODE, "show what?")
            .label(
                Span::new(text.len(), text.len()),
                "expected lambda, eta, data, rules or model",
            )
            .help(format!("usage: {usage}"))]);
    };
    let show = match what {
        "lambda" => {
            return match word_at(text, span.end) {
                None => Ok(Show::Lambda(LambdaScope::All)),
                Some((name, nspan)) => {
                    no_extra(text, nspan.end, usage)?;
                    if let Some(l) = ir.level_index(name) {
                        Ok(Show::Lambda(LambdaScope::Level(l)))
                    } else if let Some(n) = ir.node_index(name) {
                        Ok(Show::Lambda(LambdaScope::Node(n)))
                    } else {
                        let candidates = ir
                            .levels
                            .iter()
                            .map(|l| l.name.as_str())
                            .chain(ir.nodes.iter().map(|n| n.name.as_str()));
                        let p = if ir.class_index(name).is_some() {
                            Problem::error(
                                CODE_UNKNOWN,
                                format!("`{name}` is a class: classes have no lambda"),
                            )
                            .label(nspan, "a class")
                            .help("`show eta` shows the weights of the edges into classes")
                        } else {
                            let p =
                                Problem::error(CODE_UNKNOWN, format!("no level or node `{name}`"))
                                    .label(nspan, "unknown name");
                            match did_you_mean(name, candidates) {
                                Some(s) => p.help(format!("did you mean `{s}`?")),
                                None => p.help("give a level name or a node name"),
                            }
                        };
                        Err(vec![p])
                    }
                }
            };
        }
        "eta" => Show::Eta,
        "data" => Show::Data,
        "rules" => Show::Rules,
        "model" => Show::Model,
        other => {
            let p = Problem::error(CODE, format!("cannot show `{other}`"))
                .label(span, "expected lambda, eta, data, rules or model");
            return Err(vec![match did_you_mean(other, SHOW_WORDS.into_iter()) {
                Some(s) => p.help(format!("did you mean `{s}`?")),
                None => p.help(format!("usage: {usage}")),
            }]);
        }
    };
    no_extra(text, span.end, usage)?;
    Ok(show)
}

fn parse_set(ir: &Ir, text: &str, after: usize) -> Result<Command, Vec<Problem>> {
    let usage = "set lambda NODE = V | set eta F->C = V | set seed N";
    let Some((what, span)) = word_at(text, after) else {
        return Err(vec![Problem::error(CODE, "set what?")
            .label(
                Span::new(text.len(), text.len()),
                "expected lambda, eta or seed",
            )
            .help(format!("usage: {usage}"))]);
    };
    match what {
        "seed" => {
            let (n, nspan) = need_arg(text, span.end, "set seed N", "a seed")?;
            Ok(Command::SetSeed(parse_u64(
                &n,
                nspan,
                "a seed",
                "set seed N",
            )?))
        }
        "lambda" | "eta" => {
            let (rest, at) = rest_at(text, span.end);
            let Some(eq) = rest.find('=') else {
                return Err(vec![Problem::error(CODE, "missing `=`")
                    .label(Span::new(at, at + rest.len()), "expected `NAME = VALUE`")
                    .help(format!("usage: {usage}"))]);
            };
            let target = &rest[..eq];
            let target_span = Span::new(at, at + target.trim_end().len());
            let value_text = &rest[eq + 1..];
            let value_at = at + eq + 1;
            let value = parse_value(value_text, value_at)?;
            if what == "lambda" {
                let name = target.trim();
                match ir.node_index(name) {
                    Some(node) => Ok(Command::SetLambda { node, value }),
                    None => Err(vec![unknown_node(ir, name, target_span)]),
                }
            } else {
                let Some((from, to)) = target.split_once("->") else {
                    return Err(vec![Problem::error(CODE, "an edge is written `F->C`")
                        .label(target_span, "expected `F->C`")
                        .help("usage: set eta F->C = V, e.g. `set eta t1->c2 = 0.5`")]);
                };
                let (from, to) = (from.trim(), to.trim());
                let edge = ir.edges.iter().position(|e| {
                    ir.nodes[e.from as usize].name == from && ir.classes[e.to as usize].name == to
                });
                match edge {
                    Some(e) => Ok(Command::SetEta {
                        edge: e as EdgeId,
                        value,
                    }),
                    None => {
                        let names: Vec<String> = ir
                            .edges
                            .iter()
                            .map(|e| {
                                format!(
                                    "{}->{}",
                                    ir.nodes[e.from as usize].name, ir.classes[e.to as usize].name
                                )
                            })
                            .collect();
                        let wanted = format!("{from}->{to}");
                        let p = Problem::error(CODE_UNKNOWN, format!("no class edge `{wanted}`"))
                            .label(target_span, "not an edge of this model");
                        Err(vec![
                            match did_you_mean(&wanted, names.iter().map(String::as_str)) {
                                Some(s) => p.help(format!("did you mean `{s}`?")),
                                None => p.help(format!("the edges are: {}", names.join(", "))),
                            },
                        ])
                    }
                }
            }
        }
        other => Err(vec![Problem::error(CODE, format!("cannot set `{other}`"))
            .label(span, "expected lambda, eta or seed")
            .help(format!("usage: {usage}"))]),
    }
}

fn unknown_node(ir: &Ir, name: &str, span: Span) -> Problem {
    if ir.class_index(name).is_some() {
        return Problem::error(
            CODE_UNKNOWN,
            format!("`{name}` is a class: classes have no lambda"),
        )
        .label(span, "a class")
        .help("set the weight of an edge into it instead: `set eta F->C = V`");
    }
    let p = Problem::error(CODE_UNKNOWN, format!("no node `{name}`")).label(span, "unknown node");
    match did_you_mean(name, ir.nodes.iter().map(|n| n.name.as_str())) {
        Some(s) => p.help(format!("did you mean `{s}`?")),
        None => p.help("give the name of a node of the model"),
    }
}

/// A number expression (`1.5`, `1.022^(3/4)`) that must be finite and >= 0.
fn parse_value(text: &str, at: usize) -> Result<f64, Vec<Problem>> {
    let trimmed_at = at + (text.len() - text.trim_start().len());
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(vec![Problem::error(CODE, "missing value")
            .label(Span::new(at, at), "expected a number after `=`")
            .help("e.g. `set lambda m1 = 1.5`")]);
    }
    let expr = nshed::syntax::parse_expr(trimmed).map_err(|p| shift(vec![p], trimmed_at))?;
    let span = Span::new(trimmed_at, trimmed_at + trimmed.len());
    let value = nshed::check::eval_number(&expr).map_err(|p| shift(vec![p], trimmed_at))?;
    if value < 0.0 {
        return Err(vec![Problem::error(CODE, "a factor cannot be negative")
            .label(span, format!("this is {value}"))
            .help("lambda and eta are >= 0")]);
    }
    Ok(value)
}
