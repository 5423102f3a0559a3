//! pest pairs → AST. The only module that sees `Pair<Rule>`.

use crate::diag::ErrorCode;
use pest::iterators::Pair;
use pest::Parser as _;

use super::ast::*;
use super::errors::{problem_at, syntax_problem};
use crate::diag::Problem;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/nshed.pest"]
pub struct NshedParser;

type P<'a> = Pair<'a, Rule>;

/// Deepest expression nesting accepted. The grammar is recursive in expressions, so an
/// adversarial `((((...` must be refused before pest recurses on it.
pub const MAX_EXPR_DEPTH: usize = 64;

/// Most operators accepted in one number expression (see `check_nesting`).
pub const MAX_EXPR_OPERATORS: usize = 1000;

/// A tolerant parse: the syntax tree and every syntax error.
#[derive(Debug)]
pub struct Parsed {
    /// The tree, with what did not parse left out (see [`File`]); `None` when the
    /// source has no readable `model NAME {` at its start, or an expression nested too
    /// deeply to read.
    pub file: Option<File>,
    /// Every syntax error, in source order; empty when the whole file parses.
    pub errors: Vec<Problem>,
}

impl Parsed {
    /// The tree of a file without syntax errors, or the errors.
    pub fn into_result(self) -> Result<File, Vec<Problem>> {
        match self.file {
            Some(file) if self.errors.is_empty() => Ok(file),
            _ => Err(self.errors),
        }
    }
}

/// Parses a whole `.nshed` source, reading past what does not parse: the tree of
/// everything that does and every syntax error.
///
/// The hand-written parser in `fast` does the reading. The first error is worded by the
/// pest grammar, the grammar of record, which stops there (the two agree on where it
/// is); the later ones by the fast parser, from what it expected.
pub fn parse(source: &str) -> Parsed {
    if let Err(problem) = check_nesting(source) {
        return Parsed {
            file: None,
            errors: vec![problem],
        };
    }
    let outcome = super::fast::parse(source);
    let mut errors: Vec<Problem> = outcome
        .errors
        .iter()
        .map(|e| problem_at(source, e.at, e.expected))
        .collect();
    if !errors.is_empty() {
        if let Err(e) = NshedParser::parse(Rule::file, source) {
            errors[0] = syntax_problem(source, &e);
        }
    }
    Parsed {
        file: outcome.file,
        errors,
    }
}

/// Parses a whole `.nshed` source into its AST, or gives its first syntax error (see
/// [`parse`] for every error and the partial tree).
pub fn parse_file(source: &str) -> Result<File, Problem> {
    parse(source)
        .into_result()
        .map_err(|errors| errors.into_iter().next().unwrap_or_else(empty_parse))
}

fn empty_parse() -> Problem {
    Problem::error(ErrorCode::SyntaxEmpty, "empty parse")
}

/// Parses with the pest grammar only (the reference the fast parser is tested against).
pub fn parse_file_pest(source: &str) -> Result<File, Problem> {
    check_nesting(source)?;
    let mut pairs =
        NshedParser::parse(Rule::file, source).map_err(|e| syntax_problem(source, &e))?;
    let file = pairs.next().ok_or_else(empty_parse)?;
    Ok(build_file(file))
}

/// Where pest's grammar puts the first syntax error of `source`, or `None` when it
/// parses: what the fast parser's first error is held to. The nesting check runs first
/// (its problem is the `Err`), as in [`parse`].
pub fn pest_error_offset(source: &str) -> Result<Option<usize>, Problem> {
    check_nesting(source)?;
    Ok(NshedParser::parse(Rule::file, source)
        .err()
        .map(|e| match e.location {
            pest::error::InputLocation::Pos(at) => at,
            pest::error::InputLocation::Span((at, _)) => at,
        }))
}

/// Parses a standalone number expression (used by the REPL and the CLI for values).
pub fn parse_expr(source: &str) -> Result<Expr, Problem> {
    check_nesting(source)?;
    let mut pairs =
        NshedParser::parse(Rule::expr, source).map_err(|e| syntax_problem(source, &e))?;
    let expr = pairs
        .next()
        .ok_or_else(|| Problem::error(ErrorCode::SyntaxEmpty, "expected a number"))?;
    let end = expr.as_span().end();
    let rest = &source[end..];
    if !rest.trim().is_empty() {
        let start = end + (rest.len() - rest.trim_start().len());
        return Err(Problem::error(
            ErrorCode::SyntaxTrailing,
            "unexpected text after the number",
        )
        .label(Span::new(start, source.len()), "not part of the number")
        .help("write one number expression, like `1.1` or `1.022^(3/4)`"));
    }
    Ok(build_expr(expr))
}

/// Refuses number expressions that recursive code could not handle, scanning the raw
/// text before either parser sees it:
///
/// * real nesting (parentheses, unary minus, `^` chains) deeper than `MAX_EXPR_DEPTH`,
///   because both parsers recurse on it. A flat chain such as `70-1-1-1` is not nesting:
///   a binary operator ends the minus and power chains of its operand;
/// * more than `MAX_EXPR_OPERATORS` operators in one expression, because its syntax tree
///   is as deep as it has operators (`1+1+1` is `(1+1)+1`), and dropping, comparing or
///   printing the tree recurses on it.
///
/// An expression is a run of expression text: digits, number literals (with their
/// exponent), `( ) + - * / ^`, whitespace and comments; any other character ends it.
///
/// A large source is scanned in two halves at once. The second starts at a letter that
/// begins a line: that letter ends any run (a line start is in no comment and no number),
/// so the scan from there is the same as from the start of the file, and the first
/// problem of the first half comes before any of the second.
fn check_nesting(source: &str) -> Result<(), Problem> {
    const SPLIT_FROM: usize = 1 << 21;
    let bytes = source.as_bytes();
    let split = (bytes.len() >= SPLIT_FROM)
        .then(|| {
            (bytes.len() / 2..bytes.len())
                .find(|&i| bytes[i - 1] == b'\n' && bytes[i].is_ascii_alphabetic())
        })
        .flatten();
    match split {
        Some(mid) => {
            let (first, second) = rayon::join(
                || check_nesting_from(&bytes[..mid], 0),
                || check_nesting_from(bytes, mid),
            );
            first.and(second)
        }
        None => check_nesting_from(bytes, 0),
    }
}

/// `check_nesting` of `bytes[start..]`, from a point where no run of expression text is
/// open; spans are offsets in `bytes`.
fn check_nesting_from(bytes: &[u8], start: usize) -> Result<(), Problem> {
    // One entry per open parenthesis of the current run: the length of the chain of unary
    // minus signs and carets the parser is inside at that level.
    let mut chains: Vec<usize> = vec![0];
    let mut depth = 0usize;
    let mut operators = 0usize;
    // Whether the last token was an operand (a number or `)`): then `-` is binary.
    let mut after_operand = false;
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        let mut nested = false;
        match b {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                after_operand = true;
                continue;
            }
            b'(' => {
                chains.push(0);
                depth += 1;
                after_operand = false;
                nested = true;
            }
            b')' => {
                if chains.len() > 1 {
                    let chain = chains.pop().unwrap_or(0);
                    depth -= 1 + chain;
                }
                after_operand = true;
            }
            b'+' | b'*' | b'/' => {
                operators += 1;
                end_chain(&mut chains, &mut depth);
                after_operand = false;
            }
            b'-' if after_operand => {
                operators += 1;
                end_chain(&mut chains, &mut depth);
                after_operand = false;
            }
            b'-' | b'^' => {
                operators += 1;
                if let Some(chain) = chains.last_mut() {
                    *chain += 1;
                }
                depth += 1;
                after_operand = false;
                nested = true;
            }
            b'.' | b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => {
                // Any other character ends the run of expression text, and so do the
                // characters of its kind right after it (the letters of a name): skipped
                // at once, as resetting for each would leave the same state.
                chains.clear();
                chains.push(0);
                depth = 0;
                operators = 0;
                after_operand = false;
                i += 1;
                while i < bytes.len() && ENDS_EXPRESSION[bytes[i] as usize] {
                    i += 1;
                }
                continue;
            }
        }
        if nested && depth > MAX_EXPR_DEPTH {
            return Err(Problem::error(ErrorCode::SyntaxTooDeep, "number expression nested too deeply")
                .label(Span::new(i, i + 1), format!("more than {MAX_EXPR_DEPTH} levels of nesting here"))
                .help("simplify the expression; nshed accepts at most 64 nested parentheses, minus signs or powers"));
        }
        if operators > MAX_EXPR_OPERATORS {
            return Err(Problem::error(ErrorCode::SyntaxTooLong, "number expression too long")
                .label(Span::new(i, i + 1), format!("operator number {operators} of this expression"))
                .help(format!("write the value as a number or a shorter expression; nshed accepts at most {MAX_EXPR_OPERATORS} operators in one number expression")));
        }
        i += 1;
    }
    Ok(())
}

/// The bytes that end a run of expression text: all but digits, `( ) + - * / ^ .`
/// and whitespace. (`/` starts a comment or is an operator; both are handled by the
/// caller.)
const ENDS_EXPRESSION: [bool; 256] = {
    let mut table = [true; 256];
    let mut b = b'0';
    while b <= b'9' {
        table[b as usize] = false;
        b += 1;
    }
    let keep = b"()+-*/^. \t\r\n";
    let mut i = 0;
    while i < keep.len() {
        table[keep[i] as usize] = false;
        i += 1;
    }
    table
};

/// A binary operator ends the unary-minus and `^` chain of its left operand.
fn end_chain(chains: &mut [usize], depth: &mut usize) {
    if let Some(chain) = chains.last_mut() {
        *depth -= *chain;
        *chain = 0;
    }
}

/// The end of the number literal starting at `start` (digits, then `.digits`, then an
/// exponent), as the grammar's `number` reads it; a letter that is not an exponent is left
/// for the caller (it ends the run of expression text).
fn number_end(bytes: &[u8], start: usize) -> usize {
    let digits = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = digits(start);
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits(i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(i + 1), Some(b'+' | b'-')));
        if bytes.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
            i = digits(i + 1 + sign);
        }
    }
    i
}

fn span(p: &P) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

fn ident(p: P) -> Ident {
    Ident {
        span: span(&p),
        name: SmolStr::new(p.as_str()),
    }
}

fn int_lit(p: P) -> IntLit {
    IntLit {
        value: p.as_str().parse::<u64>().ok(),
        text: SmolStr::new(p.as_str()),
        span: span(&p),
    }
}

/// Children that carry meaning (keywords and punctuation dropped).
fn meaningful<'a>(p: P<'a>) -> impl Iterator<Item = P<'a>> {
    p.into_inner().filter(|c| {
        !matches!(
            c.as_rule(),
            Rule::lbrace
                | Rule::rbrace
                | Rule::lparen
                | Rule::rparen
                | Rule::comma
                | Rule::colon
                | Rule::eq
                | Rule::arrow
                | Rule::larrow
                | Rule::kw_model
                | Rule::kw_level
                | Rule::kw_classes
                | Rule::kw_init
                | Rule::kw_rules
                | Rule::kw_data
                | Rule::kw_train
                | Rule::kw_phase
                | Rule::kw_jitter
                | Rule::kw_any
                | Rule::kw_all
                | Rule::kw_atleast
                | Rule::kw_of
                | Rule::kw_mul
                | Rule::kw_add
                | Rule::kw_sub
                | Rule::kw_noise
                | Rule::kw_flip
                | Rule::kw_weight
                | Rule::kw_seed
                | Rule::kw_sampler
                | Rule::kw_eta_update
                | Rule::kw_steps
                | Rule::kw_batch
                | Rule::kw_freeze
                | Rule::kw_record
                | Rule::kw_every
                | Rule::kw_uniform
                | Rule::kw_normal
                | Rule::kw_lognormal
                | Rule::kw_test
                | Rule::kw_from
                | Rule::kw_copies
                | Rule::EOI
        )
    })
}

fn build_file(p: P) -> File {
    let mut model = None;
    let mut blocks = Vec::new();
    for item in meaningful(p) {
        match item.as_rule() {
            Rule::model => model = Some(build_model(item)),
            Rule::init_block => blocks.push(Block::Init(build_init(item))),
            Rule::rules_block => blocks.push(Block::Rules(build_rules(item))),
            Rule::data_block => blocks.push(Block::Data(build_data(item))),
            Rule::train_block => blocks.push(Block::Train(build_train(item))),
            Rule::expect_block => blocks.push(Block::Expect(build_expect(item))),
            Rule::test_block => blocks.push(Block::Test(build_test(item))),
            _ => {}
        }
    }
    File {
        // The grammar requires a model; an empty one only stands in if pest changes.
        model: model.unwrap_or(Model {
            name: Ident {
                name: SmolStr::default(),
                span: Span::default(),
            },
            header: Span::default(),
            items: Vec::new(),
            broken: Vec::new(),
        }),
        blocks,
        broken: Vec::new(),
    }
}

/// Span from the start of `p` to the end of its first meaningful child (`model NAME`).
fn header_span(whole: &P, name: &Ident) -> Span {
    Span::new(whole.as_span().start(), name.span.end)
}

fn build_model(p: P) -> Model {
    let whole = p.clone();
    let mut inner = meaningful(p);
    let name = inner.next().map(ident).unwrap_or_else(|| Ident {
        name: SmolStr::default(),
        span: span(&whole),
    });
    let header = header_span(&whole, &name);
    let items = inner
        .filter_map(|item| match item.as_rule() {
            Rule::level_decl => Some(ModelItem::Level(build_level(item))),
            Rule::classes_decl => Some(ModelItem::Classes(build_classes(item))),
            _ => None,
        })
        .collect();
    Model {
        name,
        header,
        items,
        broken: Vec::new(),
    }
}

fn build_level(p: P) -> LevelDecl {
    let whole = p.clone();
    let mut inner = meaningful(p);
    let name = inner.next().map(ident).unwrap_or_else(|| Ident {
        name: SmolStr::default(),
        span: span(&whole),
    });
    let header = header_span(&whole, &name);
    let mut names = NameList::default();
    let mut children = NameList::default();
    let nodes = inner
        .filter(|c| c.as_rule() == Rule::node_decl)
        .map(|c| build_node(c, &mut names, &mut children))
        .collect();
    LevelDecl {
        name,
        header,
        nodes,
        names,
        children,
        broken: Vec::new(),
    }
}

fn build_node(p: P, names: &mut NameList, children: &mut NameList) -> NodeDecl {
    let mut name = None;
    let mut gate = None;
    for c in meaningful(p) {
        match c.as_rule() {
            Rule::name => name = Some(ident(c)),
            Rule::gate => gate = c.into_inner().next().map(|g| build_gate(g, children)),
            _ => {}
        }
    }
    let name = name.unwrap_or(Ident {
        name: SmolStr::default(),
        span: Span::default(),
    });
    names.push(&name.name, name.span);
    NodeDecl { gate }
}

fn build_gate(p: P, list: &mut NameList) -> Gate {
    let gate_span = span(&p);
    let rule = p.as_rule();
    let mut k = None;
    let mut names_written = Vec::new();
    for c in meaningful(p) {
        match c.as_rule() {
            Rule::int => k = Some(int_lit(c)),
            Rule::name_list => names_written = names(c),
            _ => {}
        }
    }
    let children = list.push_all(&names_written);
    let kind = match (rule, k) {
        (Rule::gate_atleast, Some(k)) => GateKind::AtLeast(AtLeastK::new(k)),
        (Rule::gate_all, _) => GateKind::All,
        _ => GateKind::Any,
    };
    Gate::new(kind, children, gate_span)
}

fn names(p: P) -> Vec<Ident> {
    meaningful(p)
        .filter(|c| c.as_rule() == Rule::name)
        .map(ident)
        .collect()
}

fn build_classes(p: P) -> ClassesDecl {
    let header = p
        .clone()
        .into_inner()
        .next()
        .map(|k| span(&k))
        .unwrap_or_else(|| span(&p));
    let classes = meaningful(p)
        .filter(|c| c.as_rule() == Rule::class_decl)
        .map(|c| {
            let decl_span = span(&c);
            let mut name = None;
            let mut parents = Vec::new();
            for part in meaningful(c) {
                match part.as_rule() {
                    Rule::name => name = Some(ident(part)),
                    Rule::name_list => parents = names(part),
                    _ => {}
                }
            }
            ClassDecl {
                name: name.unwrap_or(Ident {
                    name: SmolStr::default(),
                    span: decl_span,
                }),
                parents,
                span: decl_span,
            }
        })
        .collect();
    ClassesDecl {
        header,
        classes,
        broken: Vec::new(),
    }
}

fn keyword_span(p: &P) -> Span {
    p.clone()
        .into_inner()
        .next()
        .map(|k| span(&k))
        .unwrap_or_else(|| span(p))
}

fn build_init(p: P) -> InitBlock {
    let header = keyword_span(&p);
    let items = meaningful(p)
        .filter(|c| c.as_rule() == Rule::init_item)
        .map(build_init_item)
        .collect();
    InitBlock {
        header,
        items,
        broken: Vec::new(),
    }
}

fn build_init_item(p: P) -> InitItem {
    let item_span = span(&p);
    let mut target = Target::All;
    let mut dist = None;
    for c in meaningful(p) {
        match c.as_rule() {
            Rule::lambda_target => {
                target = c
                    .into_inner()
                    .find(|t| t.as_rule() != Rule::kw_lambda)
                    .map(build_target)
                    .unwrap_or(Target::All)
            }
            Rule::eta_init_target => {
                target = c
                    .into_inner()
                    .find(|t| t.as_rule() == Rule::edge_target)
                    .map(build_target)
                    .unwrap_or(Target::AllEdges)
            }
            Rule::dist => dist = Some(build_dist(c)),
            _ => {}
        }
    }
    InitItem {
        target,
        dist: dist.unwrap_or(Dist {
            kind: DistKind::Const(Expr::Num {
                value: 0.0,
                text: String::new(),
                span: item_span,
            }),
            span: item_span,
        }),
        span: item_span,
    }
}

/// `level NAME`, `NAME`, `F -> C`.
fn build_target(p: P) -> Target {
    match p.as_rule() {
        Rule::level_target => match meaningful(p).find(|c| c.as_rule() == Rule::name) {
            Some(n) => Target::Level(ident(n)),
            None => Target::All,
        },
        Rule::node_target => match p.into_inner().next() {
            Some(n) => Target::Node(ident(n)),
            None => Target::All,
        },
        Rule::edge_target => {
            let mut parts = meaningful(p)
                .filter(|c| c.as_rule() == Rule::name)
                .map(ident);
            match (parts.next(), parts.next()) {
                (Some(from), Some(to)) => Target::Edge { from, to },
                _ => Target::AllEdges,
            }
        }
        Rule::eta_rule_target => match p.into_inner().find(|c| c.as_rule() == Rule::edge_target) {
            Some(edge) => build_target(edge),
            None => Target::AllEdges,
        },
        _ => Target::All,
    }
}

fn build_dist(p: P) -> Dist {
    let dist_span = span(&p);
    let kind = match p.into_inner().next() {
        Some(inner) => match inner.as_rule() {
            Rule::expr => DistKind::Const(build_expr(inner)),
            rule => {
                let mut args = meaningful(inner)
                    .filter(|c| c.as_rule() == Rule::expr)
                    .map(build_expr);
                let zero = || Expr::Num {
                    value: 0.0,
                    text: String::new(),
                    span: dist_span,
                };
                let a = args.next().unwrap_or_else(zero);
                let b = args.next().unwrap_or_else(zero);
                match rule {
                    Rule::dist_uniform => DistKind::Uniform(a, b),
                    Rule::dist_normal => DistKind::Normal(a, b),
                    _ => DistKind::LogNormal(a, b),
                }
            }
        },
        None => DistKind::Const(Expr::Num {
            value: 0.0,
            text: String::new(),
            span: dist_span,
        }),
    };
    Dist {
        kind,
        span: dist_span,
    }
}

fn build_rules(p: P) -> RulesBlock {
    let header = keyword_span(&p);
    let items = meaningful(p).filter_map(build_rule_item).collect();
    RulesBlock {
        header,
        items,
        broken: Vec::new(),
    }
}

fn build_rule_item(p: P) -> Option<RuleItem> {
    let item_span = span(&p);
    match p.as_rule() {
        Rule::jitter_stmt => {
            meaningful(p)
                .find(|c| c.as_rule() == Rule::expr)
                .map(|e| RuleItem::Jitter {
                    value: build_expr(e),
                    span: item_span,
                })
        }
        Rule::rule_stmt => {
            let mut targets = Vec::new();
            let mut update = None;
            for c in meaningful(p) {
                match c.as_rule() {
                    Rule::rule_target => targets.push(build_rule_target(c)),
                    Rule::update => update = Some(build_update(c)),
                    _ => {}
                }
            }
            update.map(|update| {
                RuleItem::Update(RuleStmt {
                    targets,
                    update,
                    span: item_span,
                })
            })
        }
        _ => None,
    }
}

fn build_rule_target(p: P) -> RuleTarget {
    let target_span = span(&p);
    let mut direction = Direction::Grow;
    let mut target = Target::All;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::kw_grow => direction = Direction::Grow,
            Rule::kw_shrink => direction = Direction::Shrink,
            _ => target = build_target(c),
        }
    }
    RuleTarget {
        direction,
        target,
        span: target_span,
    }
}

fn build_update(p: P) -> Update {
    let update_span = span(&p);
    let by_error = meaningful(p.clone())
        .find(|c| c.as_rule() == Rule::by_error)
        .map(|c| span(&c));
    let kind = match p.into_inner().next() {
        Some(inner) => {
            let rule = inner.as_rule();
            let expr = meaningful(inner)
                .find(|c| c.as_rule() == Rule::expr)
                .map(build_expr);
            match (rule, expr) {
                (Rule::upd_mul, Some(e)) => UpdateKind::Mul(e),
                (Rule::upd_add, Some(e)) => UpdateKind::Add(e),
                (Rule::upd_sub, Some(e)) => UpdateKind::Sub(e),
                _ => UpdateKind::Keep,
            }
        }
        None => UpdateKind::Keep,
    };
    Update {
        kind,
        by_error,
        span: update_span,
    }
}

fn build_data(p: P) -> DataBlock {
    let header = keyword_span(&p);
    let items = meaningful(p)
        .filter_map(|c| {
            let item_span = span(&c);
            match c.as_rule() {
                Rule::noise_stmt => {
                    meaningful(c)
                        .find(|e| e.as_rule() == Rule::expr)
                        .map(|e| DataItem::NoiseFlip {
                            value: build_expr(e),
                            span: item_span,
                        })
                }
                Rule::sample_decl => Some(DataItem::Sample(build_sample(c))),
                Rule::from_stmt => Some(DataItem::From(build_from(c))),
                _ => None,
            }
        })
        .collect();
    DataBlock {
        header,
        items,
        broken: Vec::new(),
    }
}

fn build_from(p: P) -> FromFile {
    let whole = span(&p);
    let path = first_of(p, Rule::string).map_or_else(
        || StringLit {
            value: String::new(),
            span: whole,
        },
        |s| {
            let text = s.as_str();
            StringLit {
                value: text[1..text.len() - 1].to_string(),
                span: span(&s),
            }
        },
    );
    FromFile { path, span: whole }
}

fn build_test(p: P) -> TestBlock {
    let header = keyword_span(&p);
    let items = meaningful(p)
        .filter_map(|c| {
            let item_span = span(&c);
            match c.as_rule() {
                Rule::copies_stmt => {
                    let mut count = None;
                    let mut flip = None;
                    for part in c.into_inner() {
                        match part.as_rule() {
                            Rule::int => count = Some(int_lit(part)),
                            Rule::expr => flip = Some(build_expr(part)),
                            _ => {}
                        }
                    }
                    Some(TestItem::Copies {
                        count: count?,
                        flip: flip?,
                        span: item_span,
                    })
                }
                Rule::from_stmt => Some(TestItem::From(build_from(c))),
                Rule::test_sample => Some(TestItem::Sample(build_sample(c))),
                _ => None,
            }
        })
        .collect();
    TestBlock {
        header,
        items,
        broken: Vec::new(),
    }
}

fn build_sample(p: P) -> SampleDecl {
    let sample_span = span(&p);
    let mut names_before_arrow = Vec::new();
    let mut label = None;
    let mut weight = None;
    let mut after_arrow = false;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::arrow => after_arrow = true,
            Rule::name if after_arrow => label = Some(ident(c)),
            Rule::name => names_before_arrow.push(ident(c)),
            Rule::expr => weight = Some(build_expr(c)),
            _ => {}
        }
    }
    let mut names = names_before_arrow.into_iter();
    let name = names.next().unwrap_or(Ident {
        name: SmolStr::default(),
        span: sample_span,
    });
    SampleDecl {
        name,
        inputs: names.collect(),
        label: label.unwrap_or(Ident {
            name: SmolStr::default(),
            span: sample_span,
        }),
        weight,
        span: sample_span,
    }
}

fn build_train(p: P) -> TrainBlock {
    let header = keyword_span(&p);
    let items = meaningful(p).filter_map(build_train_item).collect();
    TrainBlock {
        header,
        items,
        broken: Vec::new(),
    }
}

fn first_of(p: P, rule: Rule) -> Option<P> {
    p.into_inner().find(|c| c.as_rule() == rule)
}

fn build_train_item(p: P) -> Option<TrainItem> {
    let item_span = span(&p);
    match p.as_rule() {
        Rule::seed_stmt => first_of(p, Rule::int).map(|v| TrainItem::Seed {
            value: int_lit(v),
            span: item_span,
        }),
        Rule::eta_update_stmt => first_of(p, Rule::word).map(|w| TrainItem::EtaUpdate {
            mode: ident(w),
            span: item_span,
        }),
        Rule::sampler_stmt => first_of(p, Rule::word).map(|w| TrainItem::Sampler {
            kind: ident(w),
            span: item_span,
        }),
        Rule::phase_decl => Some(TrainItem::Phase(build_phase(p))),
        Rule::record_decl => {
            let mut every = None;
            let mut quantities = Vec::new();
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::int => every = Some(int_lit(c)),
                    Rule::word => quantities.push(ident(c)),
                    _ => {}
                }
            }
            every.map(|every| {
                TrainItem::Record(RecordDecl {
                    every,
                    quantities,
                    span: item_span,
                })
            })
        }
        _ => None,
    }
}

fn build_phase(p: P) -> PhaseDecl {
    let whole = p.clone();
    let mut inner = meaningful(p);
    let name = inner.next().map(ident).unwrap_or_else(|| Ident {
        name: SmolStr::default(),
        span: span(&whole),
    });
    let header = header_span(&whole, &name);
    let items = inner
        .filter_map(|c| {
            let item_span = span(&c);
            match c.as_rule() {
                Rule::steps_stmt => first_of(c, Rule::int).map(|v| PhaseItem::Steps {
                    value: int_lit(v),
                    span: item_span,
                }),
                Rule::batch_stmt => first_of(c, Rule::int).map(|v| PhaseItem::Batch {
                    value: int_lit(v),
                    span: item_span,
                }),
                Rule::freeze_stmt => Some(PhaseItem::Freeze {
                    levels: c
                        .into_inner()
                        .filter(|t| t.as_rule() == Rule::freeze_target)
                        .map(ident)
                        .collect(),
                    span: item_span,
                }),
                Rule::jitter_stmt | Rule::rule_stmt => build_rule_item(c).map(PhaseItem::Rule),
                Rule::init_item => Some(PhaseItem::Init(build_init_item(c))),
                _ => None,
            }
        })
        .collect();
    PhaseDecl {
        name,
        header,
        items,
        broken: Vec::new(),
    }
}

// ---------------------------------------------------------------- expect

fn build_expect(p: P) -> ExpectBlock {
    let whole = span(&p);
    let mut header = Span::new(whole.start, whole.start);
    let mut initial = false;
    let mut items = Vec::new();
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::kw_expect => header = span(&c),
            Rule::kw_initial => {
                initial = true;
                header = header.to(span(&c));
            }
            Rule::lbrace | Rule::rbrace => {}
            _ => items.extend(build_expectation(c)),
        }
    }
    ExpectBlock {
        header,
        initial,
        items,
        broken: Vec::new(),
    }
}

fn build_expectation(p: P) -> Option<Expectation> {
    let whole = span(&p).without_trailing_blanks(p.as_str());
    let rule = p.as_rule();
    let mut ln = false;
    let mut fires = true;
    let mut none = false;
    let mut loss = false;
    let mut inputs = Vec::new();
    let mut names = Vec::new();
    let mut compare = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::kw_ln => ln = true,
            Rule::kw_lacks => fires = false,
            Rule::kw_none => none = true,
            Rule::kw_loss => loss = true,
            Rule::expect_input => inputs.extend(c.into_inner().next().map(build_expect_input)),
            Rule::ename => names.push(ident(c)),
            Rule::comparison => compare = build_comparison(c),
            _ => {}
        }
    }
    let mut inputs = inputs.into_iter();
    let mut names = names.into_iter();
    let kind = match rule {
        Rule::expect_predict => ExpectKind::Predict {
            input: inputs.next()?,
            class: if none { None } else { Some(names.next()?) },
        },
        Rule::expect_pathway => ExpectKind::Pathway {
            input: inputs.next()?,
            fires,
            nodes: names.collect(),
        },
        Rule::expect_p => ExpectKind::P {
            input: inputs.next()?,
            class: names.next()?,
            compare: compare?,
        },
        Rule::expect_le => ExpectKind::Le {
            base: inputs.next()?,
            label: names.next(),
            test: inputs.next()?,
            compare: compare?,
        },
        Rule::expect_lambda => ExpectKind::Lambda {
            ln,
            node: names.next()?,
            compare: compare?,
        },
        Rule::expect_eta => ExpectKind::Eta {
            ln,
            from: names.next()?,
            to: names.next()?,
            compare: compare?,
        },
        Rule::expect_logit => ExpectKind::Logit {
            input: inputs.next()?,
            class: names.next()?,
            compare: compare?,
        },
        Rule::expect_accuracy | Rule::expect_loss | Rule::expect_test => ExpectKind::Score {
            test: rule == Rule::expect_test,
            metric: if loss { Metric::Loss } else { Metric::Accuracy },
            compare: compare?,
        },
        _ => return None,
    };
    Some(Expectation { kind, span: whole })
}

fn build_expect_input(p: P) -> ExpectInput {
    match p.as_rule() {
        Rule::pattern => ExpectInput::Pattern {
            span: span(&p),
            nodes: p
                .into_inner()
                .filter(|c| c.as_rule() == Rule::ename)
                .map(ident)
                .collect(),
        },
        _ => ExpectInput::Sample(ident(p)),
    }
}

fn build_comparison(p: P) -> Option<Comparison> {
    let mut op = None;
    let mut within_keyword = None;
    let mut exprs = Vec::new();
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::cmp_op => {
                op = CmpOp::from_text(c.as_str()).map(|kind| Operator {
                    kind,
                    span: span(&c),
                })
            }
            Rule::kw_within => within_keyword = Some(span(&c)),
            Rule::expr => exprs.push(build_expr(c)),
            _ => {}
        }
    }
    let op = op?;
    let mut exprs = exprs.into_iter();
    let value = exprs.next()?;
    let within = match (within_keyword, exprs.next()) {
        (Some(header), Some(tolerance)) => Some(Within { header, tolerance }),
        _ => None,
    };
    Some(Comparison { op, value, within })
}

// ---------------------------------------------------------------- expressions

fn build_expr(p: P) -> Expr {
    match p.as_rule() {
        Rule::expr | Rule::product => {
            let mut inner = p.into_inner();
            let mut lhs = match inner.next() {
                Some(first) => build_expr(first),
                None => return zero_at(Span::default()),
            };
            while let (Some(op), Some(rhs)) = (inner.next(), inner.next()) {
                let op = match op.as_rule() {
                    Rule::plus => BinOp::Add,
                    Rule::minus => BinOp::Sub,
                    Rule::star => BinOp::Mul,
                    _ => BinOp::Div,
                };
                let rhs = build_expr(rhs);
                let s = lhs.span().to(rhs.span());
                lhs = Expr::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                    span: s,
                };
            }
            lhs
        }
        Rule::unary => {
            let s = span(&p);
            let mut inner = p.into_inner();
            match inner.next() {
                Some(first) if first.as_rule() == Rule::minus => match inner.next() {
                    Some(operand) => Expr::Neg {
                        operand: Box::new(build_expr(operand)),
                        span: s,
                    },
                    None => zero_at(s),
                },
                Some(first) => build_expr(first),
                None => zero_at(s),
            }
        }
        Rule::power => {
            let s = span(&p);
            let mut inner = p.into_inner();
            let base = match inner.next() {
                Some(b) => build_expr(b),
                None => return zero_at(s),
            };
            match (inner.next(), inner.next()) {
                (Some(_caret), Some(exponent)) => Expr::Binary {
                    op: BinOp::Pow,
                    lhs: Box::new(base),
                    rhs: Box::new(build_expr(exponent)),
                    span: s,
                },
                _ => base,
            }
        }
        Rule::atom => {
            let s = span(&p);
            match meaningful(p).next() {
                Some(inner) => match inner.as_rule() {
                    // Parenthesised: keep the parentheses in the span.
                    Rule::expr => with_span(build_expr(inner), s),
                    _ => build_expr(inner),
                },
                None => zero_at(s),
            }
        }
        Rule::number => Expr::Num {
            value: p.as_str().parse::<f64>().unwrap_or(f64::NAN),
            text: p.as_str().to_string(),
            span: span(&p),
        },
        _ => zero_at(span(&p)),
    }
}

fn with_span(e: Expr, s: Span) -> Expr {
    match e {
        Expr::Num { value, text, .. } => Expr::Num {
            value,
            text,
            span: s,
        },
        Expr::Neg { operand, .. } => Expr::Neg { operand, span: s },
        Expr::Binary { op, lhs, rhs, .. } => Expr::Binary {
            op,
            lhs,
            rhs,
            span: s,
        },
    }
}

fn zero_at(s: Span) -> Expr {
    Expr::Num {
        value: 0.0,
        text: String::new(),
        span: s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node_name_parses(name: &str) -> bool {
        let src = format!("model m {{ level a {{ {name} }} classes {{ c <- {name} }} }}");
        parse_file(&src).is_ok()
    }

    fn expr_code(text: &str) -> Result<(), ErrorCode> {
        parse_expr(text).map(|_| ()).map_err(|p| p.code)
    }

    #[test]
    fn flat_chains_are_not_nesting() {
        let flat = format!("70{}", "-1".repeat(MAX_EXPR_DEPTH + 1));
        assert_eq!(expr_code(&flat), Ok(()));
        let flat = format!("2{}", "*2/2".repeat(MAX_EXPR_DEPTH));
        assert_eq!(expr_code(&flat), Ok(()));
        // A chain of parenthesised powers: each group is shallow.
        let groups = format!("1{}", "+(2^2)".repeat(MAX_EXPR_DEPTH + 1));
        assert_eq!(expr_code(&groups), Ok(()));
        let negatives = format!("1{}", "*-1".repeat(MAX_EXPR_DEPTH + 1));
        assert_eq!(expr_code(&negatives), Ok(()));
    }

    #[test]
    fn real_nesting_is_bounded() {
        let deep = |open: &str, close: &str| {
            format!(
                "{}1{}",
                open.repeat(MAX_EXPR_DEPTH + 1),
                close.repeat(MAX_EXPR_DEPTH + 1)
            )
        };
        assert_eq!(expr_code(&deep("(", ")")), Err(ErrorCode::SyntaxTooDeep));
        assert_eq!(expr_code(&deep("-", "")), Err(ErrorCode::SyntaxTooDeep));
        assert_eq!(expr_code(&deep("2^", "")), Err(ErrorCode::SyntaxTooDeep));
        assert_eq!(expr_code(&deep("2^-", "")), Err(ErrorCode::SyntaxTooDeep));
        // Exponents in the literals do not hide the nesting from the scan.
        assert_eq!(
            expr_code(&deep("(1e0*", ")")),
            Err(ErrorCode::SyntaxTooDeep)
        );
        assert_eq!(
            expr_code(&deep("(1E+0-", ")")),
            Err(ErrorCode::SyntaxTooDeep)
        );
        // Exactly the limit is fine.
        let at_limit = format!(
            "{}1{}",
            "(".repeat(MAX_EXPR_DEPTH),
            ")".repeat(MAX_EXPR_DEPTH)
        );
        assert_eq!(expr_code(&at_limit), Ok(()));
        // Comments inside an expression do not end it.
        let commented = format!(
            "{}1{}",
            "(// c\n".repeat(MAX_EXPR_DEPTH + 1),
            ")".repeat(MAX_EXPR_DEPTH + 1)
        );
        assert_eq!(expr_code(&commented), Err(ErrorCode::SyntaxTooDeep));
    }

    #[test]
    fn a_large_source_scanned_in_halves_finds_what_one_scan_finds() {
        let filler = "node_a x1 x2 x3 // ((((((\n".repeat(200_000);
        let deep = format!("w = {}1{}\n", "(\n".repeat(70), ")".repeat(70));
        let long = format!("w = 1{}\n", "\n+1".repeat(MAX_EXPR_OPERATORS + 1));
        let spans = |source: &str| {
            let one = check_nesting_from(source.as_bytes(), 0)
                .map_err(|p| p.labels.first().map(|l| (l.offset(), l.len())));
            let halves =
                check_nesting(source).map_err(|p| p.labels.first().map(|l| (l.offset(), l.len())));
            (one, halves)
        };
        let at = |fraction: usize, what: &str| {
            let cut = filler.len() * fraction / 4;
            let cut = filler[..cut].rfind('\n').map_or(0, |i| i + 1);
            format!("{}{what}{}", &filler[..cut], &filler[cut..])
        };
        for source in [
            filler.clone(),
            at(1, &deep),
            at(3, &deep),
            at(3, &long),
            format!("{}{}", at(3, &long), deep),
            format!("{deep}{}", at(3, &long)),
        ] {
            assert!(source.len() >= 1 << 21);
            let (one, halves) = spans(&source);
            assert_eq!(one, halves);
        }
        assert!(spans(&at(1, &deep)).0.is_err());
        assert!(spans(&at(3, &long)).0.is_err());
        assert!(spans(&filler).0.is_ok());
    }

    #[test]
    fn long_flat_chains_are_refused_before_any_parser_sees_them() {
        // The exact input of the report: 40,000 terms, in a file, in pest and alone.
        let sum = format!("1{}", "+1".repeat(40_000));
        let file = format!(
            "model m {{ level input {{ a }} classes {{ A <- a }} }}\ninit {{ lambda = {sum} }}"
        );
        for result in [
            parse_file(&file).map(|_| ()),
            parse_file_pest(&file).map(|_| ()),
        ] {
            assert_eq!(result.map_err(|p| p.code), Err(ErrorCode::SyntaxTooLong));
        }
        assert_eq!(expr_code(&sum), Err(ErrorCode::SyntaxTooLong));
        let product = format!("weight 2{}", "*2".repeat(MAX_EXPR_OPERATORS + 1));
        assert_eq!(
            check_nesting(&product).map_err(|p| p.code),
            Err(ErrorCode::SyntaxTooLong)
        );
        // Separate expressions count separately.
        let two = format!("uniform(1{0}, 1{0})", "+1".repeat(MAX_EXPR_OPERATORS - 1));
        assert_eq!(check_nesting(&two).map_err(|p| p.code), Ok(()));
    }

    #[test]
    fn every_reserved_word_is_refused_as_a_name() {
        for word in super::super::words::RESERVED {
            assert!(!node_name_parses(word), "`{word}` must not be a name");
        }
    }

    #[test]
    fn words_that_only_look_like_keywords_are_names() {
        for word in super::super::words::RESERVED {
            for name in [format!("{word}s"), format!("{word}_1"), format!("x{word}")] {
                assert!(node_name_parses(&name), "`{name}` is an ordinary name");
            }
            if word.len() > 1 {
                let prefix = &word[..word.len() - 1];
                if !super::super::words::is_reserved(prefix) {
                    assert!(node_name_parses(prefix), "`{prefix}` is an ordinary name");
                }
            }
        }
    }

    /// Whether pest's `rule` matches the whole of `text`.
    fn pest_matches(rule: Rule, text: &str) -> bool {
        NshedParser::parse(rule, text)
            .ok()
            .and_then(|mut p| p.next())
            .is_some_and(|p| p.as_str() == text)
    }

    #[test]
    fn the_grammars_word_rules_are_the_table() {
        use super::super::words::{
            is_expect_word, is_reserved, CONTEXTUAL, EXPECT_WORDS, RESERVED,
        };
        for (list, rule, test) in [
            (RESERVED, Rule::keyword, is_reserved as fn(&str) -> bool),
            (EXPECT_WORDS, Rule::expect_word, is_expect_word),
        ] {
            for word in list {
                assert!(pest_matches(rule, word), "{rule:?} must match `{word}`");
                let shorter = &word[..word.len() - 1];
                for near in [
                    format!("{word}s"),
                    format!("{word}_"),
                    word.to_uppercase(),
                    shorter.to_string(),
                ] {
                    assert_eq!(
                        pest_matches(rule, &near),
                        test(&near),
                        "{rule:?} on `{near}`"
                    );
                }
            }
        }
        // Contextual words stay names: a model may call its nodes so.
        for word in CONTEXTUAL {
            assert!(
                !pest_matches(Rule::keyword, word),
                "`{word}` is not reserved"
            );
            assert!(node_name_parses(word), "`{word}` is an ordinary name");
        }
    }
}
