//! Every diagnostic the checker emits, in one place so they read alike: a stable code,
//! a short lowercase message naming the thing, a label on the exact span (secondary
//! labels for related spans) and a help line that says how to fix it.

use crate::diag::ErrorCode;
use crate::diag::Problem;
use crate::syntax::ast::{BinOp, Span};

const UNKNOWN_NAME: ErrorCode = ErrorCode::CheckUnknownName;
const DUPLICATE_NAME: ErrorCode = ErrorCode::CheckDuplicateName;
const DUPLICATE_BLOCK: ErrorCode = ErrorCode::CheckDuplicateBlock;
const DUPLICATE_STATEMENT: ErrorCode = ErrorCode::CheckDuplicateStatement;
const MODEL_SHAPE: ErrorCode = ErrorCode::CheckModelShape;
const GATE: ErrorCode = ErrorCode::CheckGate;
const WRONG_LEVEL: ErrorCode = ErrorCode::CheckWrongLevel;
const WRONG_KIND: ErrorCode = ErrorCode::CheckWrongKind;
const REPEATED: ErrorCode = ErrorCode::CheckRepeated;
const BAD_K: ErrorCode = ErrorCode::CheckBadK;
const INT_TOO_LARGE: ErrorCode = ErrorCode::CheckIntTooLarge;
const NOT_FINITE: ErrorCode = ErrorCode::CheckNotFinite;
const NEGATIVE: ErrorCode = ErrorCode::CheckNegative;
const BAD_DIST: ErrorCode = ErrorCode::CheckBadDistribution;
const NO_SUCH_EDGE: ErrorCode = ErrorCode::CheckNoSuchEdge;
const BAD_GROW: ErrorCode = ErrorCode::CheckBadGrow;
const BAD_SHRINK: ErrorCode = ErrorCode::CheckBadShrink;
const JITTER_NON_MUL: ErrorCode = ErrorCode::CheckJitterNonMul;
const BAD_PROBABILITY: ErrorCode = ErrorCode::CheckBadProbability;
const UNKNOWN_WORD: ErrorCode = ErrorCode::CheckUnknownWord;
const PHASE: ErrorCode = ErrorCode::CheckPhase;
const BAD_FREEZE: ErrorCode = ErrorCode::CheckBadFreeze;
const INIT_IN_PHASE: ErrorCode = ErrorCode::CheckInitInPhase;
const NO_DATA: ErrorCode = ErrorCode::CheckNoData;
const DEAD_NODE: ErrorCode = ErrorCode::CheckDeadNode;
const CANNOT_GROW: ErrorCode = ErrorCode::CheckCannotGrow;
const LOST_TO_ROUNDING: ErrorCode = ErrorCode::CheckLostToRounding;
const REPEATED_WARNING: ErrorCode = ErrorCode::CheckRepeatedWarning;
const NO_CLASS_REACHED: ErrorCode = ErrorCode::CheckNoClassReached;
const CLASS_WITHOUT_SAMPLES: ErrorCode = ErrorCode::CheckClassWithoutSamples;
const ZERO_WEIGHT: ErrorCode = ErrorCode::CheckZeroWeight;
const UNKNOWN_SAMPLE: ErrorCode = ErrorCode::CheckUnknownSample;
const BAD_TOLERANCE: ErrorCode = ErrorCode::CheckBadTolerance;
const LE_LABEL: ErrorCode = ErrorCode::CheckLeLabel;
const EXPECT_UNTRAINED: ErrorCode = ErrorCode::CheckExpectUntrained;
const BAD_COPIES: ErrorCode = ErrorCode::CheckBadCopies;
const NO_TEST_SET: ErrorCode = ErrorCode::CheckNoTestSet;

fn did_you_mean(problem: Problem, suggestion: Option<&str>, otherwise: String) -> Problem {
    match suggestion {
        Some(s) => problem.help(format!("did you mean `{s}`?")),
        None => problem.help(otherwise),
    }
}

fn with_first(problem: Problem, first: Option<Span>, text: &str) -> Problem {
    match first {
        Some(span) => problem.label(span, text.to_string()),
        None => problem,
    }
}

// ------------------------------------------------------------------ numbers

pub fn literal_not_finite(text: &str, span: Span) -> Problem {
    Problem::error(NOT_FINITE, format!("number `{text}` is too large"))
        .label(span, "this is infinite in f64")
        .help("numbers must be finite: use a value below 1.8e308")
}

pub fn expr_not_finite(op: BinOp, value: f64, span: Span) -> Problem {
    let what = if value.is_nan() {
        "not a number"
    } else {
        "infinite"
    };
    let why = match op {
        BinOp::Div if value.is_infinite() => "division by zero or overflow",
        BinOp::Div => "zero divided by zero",
        BinOp::Pow if value.is_nan() => "a negative base with a fractional power",
        _ if value.is_nan() => "infinity minus infinity",
        _ => "overflow",
    };
    Problem::error(NOT_FINITE, format!("expression is {what} ({why})"))
        .label(span, format!("evaluates to {value}"))
        .help("every number must be finite: change the expression")
}

pub fn negative(what: &str, value: f64, span: Span) -> Problem {
    Problem::error(NEGATIVE, format!("{what} cannot be negative"))
        .label(span, format!("this is {value}"))
        .help(format!("{what} must be >= 0"))
}

// ------------------------------------------------------------------ model

pub fn no_levels(header: Span) -> Problem {
    Problem::error(MODEL_SHAPE, "model has no level")
        .label(header, "this model declares no `level`")
        .help("add an input level, e.g. `level input { x1 x2 }`, before `classes`")
}

pub fn no_classes(header: Span) -> Problem {
    Problem::error(MODEL_SHAPE, "model has no `classes` block")
        .label(header, "this model has no classes")
        .help("add `classes { c1 <- node }` after the last level")
}

pub fn duplicate_classes(extra: Span, first: Span) -> Problem {
    Problem::error(DUPLICATE_BLOCK, "`classes` given twice")
        .label(extra, "second `classes` block")
        .label(first, "first given here")
        .help("a model has exactly one `classes` block: merge them")
}

pub fn empty_classes(header: Span) -> Problem {
    Problem::error(MODEL_SHAPE, "`classes` block is empty")
        .label(header, "no class declared")
        .help("declare at least one class, e.g. `c1 <- t1`")
}

pub fn level_after_classes(level: Span, classes: Span) -> Problem {
    Problem::error(MODEL_SHAPE, "level declared after `classes`")
        .label(level, "this level comes after the classes")
        .label(classes, "classes declared here")
        .help("the classes are the last level: move `classes { }` after every `level`")
}

pub fn empty_level(name: &str, header: Span) -> Problem {
    Problem::error(MODEL_SHAPE, format!("level `{name}` is empty"))
        .label(header, "no node declared")
        .help("declare at least one node in the level, or remove it")
}

pub fn duplicate_name(name: &str, span: Span, first: Option<Span>) -> Problem {
    let p = Problem::error(DUPLICATE_NAME, format!("`{name}` is declared twice"))
        .label(span, "declared again here");
    with_first(p, first, "first declared here")
        .help("node and class names are unique across the model: rename one")
}

pub fn duplicate_level(name: &str, span: Span, first: Span) -> Problem {
    Problem::error(DUPLICATE_NAME, format!("level `{name}` is declared twice"))
        .label(span, "declared again here")
        .label(first, "first declared here")
        .help("rename one of the levels")
}

pub fn level_name_clash(name: &str, span: Span, other: Option<Span>) -> Problem {
    let p = Problem::error(
        DUPLICATE_NAME,
        format!("level `{name}` has the name of a node"),
    )
    .label(span, "level named here");
    with_first(p, other, "node or class declared here")
        .help("a level name must differ from every node and class name: rename one")
}

pub fn input_with_rule(node: &str, level: &str, span: Span) -> Problem {
    Problem::error(GATE, format!("input node `{node}` has a rule"))
        .label(span, format!("`{level}` is the input level"))
        .help("input nodes fire when the input says so: write the bare name")
}

pub fn missing_rule(node: &str, level: &str, span: Span) -> Problem {
    Problem::error(GATE, format!("node `{node}` has no rule"))
        .label(span, format!("nodes of level `{level}` need a rule"))
        .help(format!(
            "write `{node} = any(...)`, `all(...)` or `atleast k of (...)` over the previous level"
        ))
}

pub fn int_too_large(what: &str, text: &str, span: Span) -> Problem {
    Problem::error(
        INT_TOO_LARGE,
        format!("`{what}` value `{text}` does not fit in u64"),
    )
    .label(span, "too large")
    .help("use a whole number at most 18446744073709551615")
}

pub fn k_zero(n: usize, span: Span) -> Problem {
    Problem::error(BAD_K, "`atleast 0` always fires")
        .label(span, "k is 0")
        .help(format!(
            "k must satisfy 1 <= k <= {n}, the number of children"
        ))
}

pub fn k_too_large(k: u64, n: usize, span: Span) -> Problem {
    Problem::error(
        BAD_K,
        format!("`atleast {k}` of {n} children can never fire"),
    )
    .label(span, format!("k is larger than {n}"))
    .help(format!("k must satisfy 1 <= k <= {n}"))
}

pub fn no_children(node: &str, level: &str, span: Span) -> Problem {
    Problem::error(GATE, format!("rule of `{node}` has no children"))
        .label(span, "empty child list")
        .help(format!("list at least one node of level `{level}`"))
}

pub fn unknown_node(name: &str, span: Span, suggestion: Option<&str>) -> Problem {
    let p = Problem::error(UNKNOWN_NAME, format!("unknown node `{name}`"))
        .label(span, "not declared in the model");
    did_you_mean(
        p,
        suggestion,
        format!("declare `{name}` in a level, or fix the name"),
    )
}

/// `grow parts = ...` where `parts` is a level: the `level` keyword is missing.
pub fn level_without_keyword(name: &str, keyword: &str, span: Span) -> Problem {
    Problem::error(WRONG_KIND, format!("`{name}` is a level, not a node"))
        .label(span, "a level")
        .help(format!(
            "write `{keyword} level {name} = ...` to set the whole level"
        ))
}

pub fn unknown_class(name: &str, span: Span, suggestion: Option<&str>) -> Problem {
    let p = Problem::error(UNKNOWN_NAME, format!("unknown class `{name}`"))
        .label(span, "not a declared class");
    did_you_mean(
        p,
        suggestion,
        "use a class declared in `classes { }`".into(),
    )
}

pub fn unknown_level(name: &str, span: Span, suggestion: Option<&str>) -> Problem {
    let p = Problem::error(UNKNOWN_NAME, format!("unknown level `{name}`"))
        .label(span, "not a declared level");
    did_you_mean(
        p,
        suggestion,
        "use the name of a `level` of the model".into(),
    )
}

pub fn unknown_input(
    name: &str,
    input_level: &str,
    span: Span,
    suggestion: Option<&str>,
) -> Problem {
    let p = Problem::error(UNKNOWN_NAME, format!("unknown node `{name}`"))
        .label(span, "not declared in the model");
    did_you_mean(
        p,
        suggestion,
        format!("sample inputs are nodes of level `{input_level}`"),
    )
}

pub fn child_is_class(child: &str, node: &str, level: &str, span: Span) -> Problem {
    Problem::error(
        WRONG_KIND,
        format!("`{child}` is a class, not a child of `{node}`"),
    )
    .label(span, "a class")
    .help(format!(
        "children of `{node}` must come from level `{level}`"
    ))
}

pub fn child_wrong_level(
    child: &str,
    node: &str,
    actual: &str,
    required: &str,
    span: Span,
) -> Problem {
    Problem::error(
        WRONG_LEVEL,
        format!("child `{child}` of `{node}` is in level `{actual}`"),
    )
    .label(span, format!("in level `{actual}`"))
    .help(format!(
        "children of `{node}` must come from level `{required}`, the level just before"
    ))
}

pub fn repeated_child(name: &str, span: Span, first: Span) -> Problem {
    Problem::error(REPEATED, format!("child `{name}` listed twice"))
        .label(span, "listed again here")
        .label(first, "first listed here")
        .help("remove the repeated child")
}

pub fn class_without_parents(class: &str, level: &str, span: Span) -> Problem {
    Problem::error(GATE, format!("class `{class}` has no parent"))
        .label(span, "no parent listed")
        .help(format!(
            "write `{class} <- NODE` with nodes of level `{level}`"
        ))
}

/// `c2 <- t1 t2 t3`: `t2` and `t3` read as classes without parents.
pub fn parent_without_comma(
    names: &[&crate::syntax::ast::Ident],
    owner: &crate::syntax::ast::ClassDecl,
    level: &str,
) -> Problem {
    let mut parents: Vec<&str> = owner.parents.iter().map(|p| p.name.as_str()).collect();
    parents.extend(names.iter().map(|n| n.name.as_str()));
    let read: Vec<String> = names.iter().map(|n| format!("`{}`", n.name)).collect();
    let (read, verb) = match read.as_slice() {
        [one] => (one.clone(), "reads as a new class"),
        [rest @ .., last] => (
            format!("{} and {last}", rest.join(", ")),
            "read as new classes",
        ),
        [] => (String::new(), ""),
    };
    let mut problem = Problem::error(
        GATE,
        format!(
            "a comma is missing between the parents of `{}`: {read} {verb}",
            owner.name.name
        ),
    );
    for name in names {
        problem = problem.label(
            name.span,
            format!("a node of level `{level}`, read as a class"),
        );
    }
    problem
        .label(
            owner.parents.last().map_or(owner.span, |p| p.span),
            "no comma after this parent",
        )
        .help(format!(
            "separate the parents with commas: `{} <- {}`",
            owner.name.name,
            parents.join(", ")
        ))
}

pub fn parent_is_class(parent: &str, class: &str, level: &str, span: Span) -> Problem {
    Problem::error(
        WRONG_KIND,
        format!("parent `{parent}` of `{class}` is a class"),
    )
    .label(span, "a class")
    .help(format!(
        "parents of `{class}` must come from level `{level}`"
    ))
}

pub fn parent_wrong_level(
    parent: &str,
    class: &str,
    actual: &str,
    required: &str,
    span: Span,
) -> Problem {
    Problem::error(
        WRONG_LEVEL,
        format!("parent `{parent}` of `{class}` is in level `{actual}`"),
    )
    .label(span, format!("in level `{actual}`"))
    .help(format!(
        "parents of `{class}` must come from level `{required}`, the last level"
    ))
}

pub fn repeated_parent(name: &str, span: Span, first: Span) -> Problem {
    Problem::error(REPEATED, format!("parent `{name}` listed twice"))
        .label(span, "listed again here")
        .label(first, "first listed here")
        .help("remove the repeated parent")
}

pub fn feeds_no_class(name: &str, span: Span) -> Problem {
    Problem::warning(DEAD_NODE, format!("node `{name}` feeds no class"))
        .label(span, "no class lists it as a parent")
        .help(format!("add `{name}` to a class's parents, or remove it"))
}

pub fn batch_spans_epochs(
    batch: &str,
    samples: usize,
    span: Span,
    sampler: Option<Span>,
) -> Problem {
    let mut p = Problem::warning(
        ErrorCode::CheckBatchSpansEpochs,
        format!("`batch {batch}` is larger than the data ({samples} samples)"),
    )
    .label(span, "more than one epoch per batch");
    if let Some(sampler) = sampler {
        p = p.label(sampler, "epochs come from this sampler");
    }
    p.help(format!(
        "with `sampler shuffle` such a batch runs across epochs, so a sample can appear twice in one batch; use `batch {samples}` for full-batch training"
    ))
}

/// One warning for a level with many unused nodes; `shown` are the first few.
pub fn many_dead_nodes(
    level: &str,
    next: &str,
    feeds_classes: bool,
    count: usize,
    shown: &[(String, Span)],
) -> Problem {
    let message = if feeds_classes {
        format!("{count} nodes of level `{level}` feed no class")
    } else {
        format!("{count} nodes of level `{level}` are not used by level `{next}`")
    };
    let mut p = Problem::warning(DEAD_NODE, message);
    for (name, span) in shown {
        p = p.label(*span, format!("`{name}` unused"));
    }
    let more = count.saturating_sub(shown.len());
    p.help(format!(
        "the first {} are marked{}; use them in a rule of the next level (or a class's parents), or remove them",
        shown.len(),
        if more > 0 { format!(", and {more} more") } else { String::new() }
    ))
}

pub fn dead_node(name: &str, next: &str, span: Span) -> Problem {
    Problem::warning(DEAD_NODE, format!("node `{name}` is not used"))
        .label(span, format!("no node of level `{next}` lists it"))
        .help(format!(
            "use `{name}` in a rule of level `{next}`, or remove it"
        ))
}

// ------------------------------------------------------------------ blocks

pub fn duplicate_block(name: &str, span: Span, first: Span) -> Problem {
    Problem::error(DUPLICATE_BLOCK, format!("`{name}` block given twice"))
        .label(span, "second block")
        .label(first, "first given here")
        .help(format!("each of `init`, `rules`, `data`, `test`, `train` appears at most once: merge the `{name}` blocks"))
}

pub fn duplicate_statement(what: &str, span: Span, first: Span) -> Problem {
    Problem::error(DUPLICATE_STATEMENT, format!("`{what}` given twice"))
        .label(span, "given again here")
        .label(first, "first given here")
        .help(format!("keep one `{what}`"))
}

// ------------------------------------------------------------------ init

pub fn duplicate_init(span: Span, first: Span) -> Problem {
    Problem::error(
        DUPLICATE_STATEMENT,
        "initial value set twice for the same target",
    )
    .label(span, "set again here")
    .label(first, "first set here")
    .help("keep one of the two lines")
}

pub fn class_has_no_lambda(name: &str, span: Span) -> Problem {
    Problem::error(WRONG_KIND, format!("class `{name}` has no `lambda`"))
        .label(span, "a class")
        .help(format!(
            "classes carry edge weights: use `eta NODE->{name} = ...`"
        ))
}

pub fn class_has_no_rule(name: &str, span: Span) -> Problem {
    Problem::error(
        WRONG_KIND,
        format!("class `{name}` has no `lambda` to update"),
    )
    .label(span, "a class")
    .help(format!(
        "to update its edges write `grow eta NODE->{name} = ...`"
    ))
}

pub fn edge_end_wrong(which: &str, name: &str, what: &str, span: Span) -> Problem {
    let help = if which == "start" {
        "an edge goes from a node of the last level to a class: `NODE->CLASS`"
    } else {
        "an edge ends in a class: `NODE->CLASS`"
    };
    Problem::error(WRONG_KIND, format!("edge {which} `{name}` is {what}"))
        .label(span, what.to_string())
        .help(help)
}

pub fn no_such_edge(from: &str, to: &str, span: Span, class: Option<Span>) -> Problem {
    let p = Problem::error(NO_SUCH_EDGE, format!("there is no edge `{from}->{to}`"))
        .label(span, "not declared");
    with_first(p, class, "class declared here").help(format!(
        "add `{from}` to the parents of `{to}`, or name a declared edge"
    ))
}

pub fn uniform_reversed(lo: f64, hi: f64, span: Span) -> Problem {
    Problem::error(
        BAD_DIST,
        format!("`uniform({lo}, {hi})` has its bounds reversed"),
    )
    .label(span, "needs a <= b")
    .help(format!("write `uniform({hi}, {lo})`"))
}

/// `what` is `lambda` or `eta`; `grow` the rule form that would fix it.
pub fn cannot_grow(what: &str, grow: &str, span: Span) -> Problem {
    Problem::warning(
        CANNOT_GROW,
        format!("`{what}` starts at 0 and only grows by `mul`: it can never grow"),
    )
    .label(span, "initial value 0")
    .help(format!(
        "use a positive start, or an additive rule such as `{grow} = add 0.1`"
    ))
}

/// `what` (`lambda` or `eta`) starts with its log near `ln`, where the step of a rule
/// `mul factor` (adding `ln factor` to the log) is lost to rounding.
pub fn lost_to_rounding(what: &str, ln: f64, factor: f64, span: Span) -> Problem {
    let step = factor.ln();
    Problem::warning(
        LOST_TO_ROUNDING,
        format!(
            "a step of `mul {factor}` adds {step:.3e} to `ln {what}`, which starts near {ln:e}: the addition is lost to rounding"
        ),
    )
    .label(span, format!("`ln {what}` starts near {ln:e}"))
    .help(format!(
        "values are kept as their logarithms, in floating point: near {ln:e} the smallest change a step can make is {:.3e}; start from a smaller value, or use a larger factor",
        half_spacing(ln)
    ))
}

/// Half the distance from `x` to the next float away from zero: a smaller change of `x`
/// rounds back to `x`.
pub fn half_spacing(x: f64) -> f64 {
    let a = x.abs();
    (f64::from_bits(a.to_bits() + 1) - a) / 2.0
}

// ------------------------------------------------------------------ rules

pub fn duplicate_jitter(span: Span, first: Span) -> Problem {
    duplicate_statement("jitter", span, first)
}

pub fn duplicate_rule(span: Span, first: Span) -> Problem {
    Problem::error(DUPLICATE_STATEMENT, "rule given twice for the same target")
        .label(span, "given again here")
        .label(first, "first given here")
        .help("keep one rule per target in a block or phase")
}

pub fn grow_mul_not_growing(factor: f64, span: Span) -> Problem {
    let does = if factor == 1.0 {
        "keeps the value"
    } else {
        "shrinks"
    };
    Problem::error(
        BAD_GROW,
        format!("g+ must satisfy g+(x) > x; `mul {factor}` {does}"),
    )
    .label(span, "factor must be > 1")
    .help("use a factor above 1, e.g. `grow = mul 1.1`")
}

pub fn grow_add_not_positive(amount: f64, span: Span) -> Problem {
    Problem::error(
        BAD_GROW,
        format!("g+ must satisfy g+(x) > x; `add {amount}` does not grow"),
    )
    .label(span, "amount must be > 0")
    .help("use a positive amount, e.g. `grow = add 0.1`")
}

pub fn grow_with(word: &str, span: Span) -> Problem {
    Problem::error(
        BAD_GROW,
        format!("g+ must satisfy g+(x) > x; `{word}` never grows"),
    )
    .label(span, format!("`{word}` is for shrinking"))
    .help("grow with `mul a` (a > 1) or `add c` (c > 0)")
}

pub fn shrink_mul_out_of_range(factor: f64, span: Span) -> Problem {
    Problem::error(
        BAD_SHRINK,
        format!("g- must satisfy 0 <= g-(x) <= x; `mul {factor}` does not"),
    )
    .label(span, "factor must be in [0, 1]")
    .help("use a factor between 0 and 1, e.g. `shrink = mul 0.9`")
}

pub fn shrink_sub_negative(amount: f64, span: Span) -> Problem {
    Problem::error(
        BAD_SHRINK,
        format!("g- must satisfy g-(x) <= x; `sub {amount}` grows"),
    )
    .label(span, "amount must be >= 0")
    .help("use a non-negative amount, e.g. `shrink = sub 0.1`")
}

pub fn shrink_with_add(span: Span) -> Problem {
    Problem::error(BAD_SHRINK, "g- must satisfy g-(x) <= x; `add` grows")
        .label(span, "`add` is for growing")
        .help("shrink with `mul b` (0 <= b <= 1), `sub c` (c >= 0) or `keep`")
}

/// Adds the target a chained update (`grow a = shrink b = ...`) fails for.
pub fn in_chain(problem: Problem, target: Span) -> Problem {
    problem.label(target, "for this target")
}

/// `updates` (at least one) are the `add` / `sub` / `keep` rules under `jitter`.
pub fn jitter_on_non_mul(updates: &[Span], jitter: Span) -> Problem {
    let message = match updates.len() {
        1 => "jitter applies to `mul` factors only".to_string(),
        n => format!("jitter applies to `mul` factors only; {n} rules under it are not `mul`"),
    };
    let mut p = Problem::error(JITTER_NON_MUL, message);
    for &update in updates {
        p = p.label(update, "not a `mul` rule");
    }
    p.label(jitter, "jitter in force here")
        .help("use `mul` rules where jitter is on, or remove the jitter")
}

// ------------------------------------------------------------------ data

/// `the sample `a``, or `3 samples (`a`, `b`, `c`)`, naming at most 20.
fn some(cases: &[(&str, Span)], one: &str, many: &str) -> String {
    let names: Vec<String> = cases
        .iter()
        .take(20)
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    let more = if cases.len() > 20 {
        format!(" and {} more", cases.len() - 20)
    } else {
        String::new()
    };
    match cases {
        [(name, _)] => format!("{one} `{name}`"),
        _ => format!("{} {many} ({}{more})", cases.len(), names.join(", ")),
    }
}

/// Labels the first [`super::reach::LABELLED`] cases.
fn label_cases(mut p: Problem, cases: &[(&str, Span)], text: &str) -> Problem {
    // Samples read from one data file share the span of its `from` line: label it once.
    let mut labelled: Vec<Span> = Vec::new();
    for (_, span) in cases.iter() {
        if labelled.len() == super::reach::LABELLED {
            break;
        }
        if !labelled.contains(span) {
            labelled.push(*span);
            p = p.label(*span, text.to_string());
        }
    }
    p
}

pub fn reaches_no_class(cases: &[(&str, Span)]) -> Problem {
    let verb = if cases.len() == 1 { "reaches" } else { "reach" };
    let p = Problem::warning(
        NO_CLASS_REACHED,
        format!("{} {verb} no class", some(cases, "sample", "samples")),
    );
    label_cases(p, cases, "none of the nodes it fires has an edge to a class")
        .help("such a sample has no prediction and counts as wrong; give it inputs that fire a parent of a class, or connect a node it fires to a class")
}

pub fn class_without_samples(cases: &[(&str, Span)]) -> Problem {
    let p = Problem::warning(
        CLASS_WITHOUT_SAMPLES,
        format!(
            "no data sample is labelled with {}",
            some(cases, "class", "classes")
        ),
    );
    let example = cases.first().map_or("CLASS", |(name, _)| name);
    label_cases(p, cases, "no sample has this label").help(format!(
        "training never sees it as a label; add a sample `NAME: INPUTS -> {example}`, or remove the class"
    ))
}

pub fn zero_weight(cases: &[(&str, Span)]) -> Problem {
    let verb = if cases.len() == 1 { "has" } else { "have" };
    let p = Problem::warning(
        ZERO_WEIGHT,
        format!("{} {verb} weight 0", some(cases, "sample", "samples")),
    );
    label_cases(p, cases, "never drawn for training").help(
        "a sample of weight 0 still counts in accuracy; give it a positive weight, or remove it",
    )
}

pub fn duplicate_sample(name: &str, span: Span, first: Span) -> Problem {
    Problem::error(DUPLICATE_NAME, format!("sample `{name}` is declared twice"))
        .label(span, "declared again here")
        .label(first, "first declared here")
        .help("rename one of the samples")
}

pub fn probability_above_one(q: f64, span: Span) -> Problem {
    Problem::error(BAD_PROBABILITY, format!("flip probability {q} is above 1"))
        .label(span, "not a probability")
        .help("use a probability between 0 and 1")
}

pub fn repeated_input(name: &str, span: Span, first: Span) -> Problem {
    Problem::error(REPEATED, format!("input `{name}` listed twice"))
        .label(span, "listed again here")
        .label(first, "first listed here")
        .help("remove the repeated input")
}

pub fn input_not_input_level(name: &str, what: &str, input_level: &str, span: Span) -> Problem {
    Problem::error(WRONG_LEVEL, format!("sample input `{name}` is {what}"))
        .label(span, what.to_string())
        .help(format!(
            "sample inputs are nodes of the input level `{input_level}`"
        ))
}

pub fn label_not_class(name: &str, what: &str, span: Span) -> Problem {
    Problem::error(WRONG_KIND, format!("sample label `{name}` is {what}"))
        .label(span, "not a class")
        .help("the label after `->` must be a class")
}

// ------------------------------------------------------------------ train

pub fn duplicate_phase(name: &str, span: Span, first: Span) -> Problem {
    Problem::error(DUPLICATE_NAME, format!("phase `{name}` is declared twice"))
        .label(span, "declared again here")
        .label(first, "first declared here")
        .help("rename one of the phases")
}

pub fn training_without_data(phase: Span, train: Span) -> Problem {
    Problem::error(NO_DATA, "training without data")
        .label(phase, "this phase trains")
        .label(train, "train block here")
        .help("add samples in a `data { }` block, e.g. `s1: x1 x2 -> c1`")
}

pub fn zero_total_weight(span: Span) -> Problem {
    Problem::error(NO_DATA, "every sample has weight 0")
        .label(span, "this sampler draws by weight")
        .help("give some sample a positive weight, or use `sampler cycle`")
}

pub fn unknown_word(
    what: &str,
    given: &str,
    choices: &[&str],
    span: Span,
    suggestion: Option<&str>,
) -> Problem {
    let list = choices
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let p = Problem::error(UNKNOWN_WORD, format!("unknown `{what}` value `{given}`"))
        .label(span, format!("expected one of {list}"));
    did_you_mean(p, suggestion, format!("use one of {list}"))
}

pub fn record_every_zero(span: Span) -> Problem {
    Problem::error(PHASE, "`record every 0` records nothing")
        .label(span, "must be >= 1")
        .help("record every N steps with N >= 1")
}

pub fn repeated_quantity(name: &str, span: Span, first: Span) -> Problem {
    Problem::warning(REPEATED_WARNING, format!("`{name}` recorded twice"))
        .label(span, "listed again here")
        .label(first, "first listed here")
        .help("remove the repeated quantity")
}

pub fn batch_zero(span: Span) -> Problem {
    Problem::error(PHASE, "`batch 0` draws no sample")
        .label(span, "batch must be >= 1")
        .help("use `batch 1` or more")
}

pub fn init_in_phase(span: Span) -> Problem {
    Problem::error(INIT_IN_PHASE, "a phase cannot change init")
        .label(span, "initial value inside a phase")
        .help("move this line to the `init { }` block")
}

pub fn repeated_freeze(name: &str, span: Span, first: Span) -> Problem {
    Problem::warning(REPEATED_WARNING, format!("`{name}` frozen twice"))
        .label(span, "listed again here")
        .label(first, "first listed here")
        .help("remove the repeated name")
}

pub fn phase_without_steps(name: &str, header: Span) -> Problem {
    Problem::error(PHASE, format!("phase `{name}` has no `steps`"))
        .label(header, "steps missing")
        .help("add `steps N` to the phase")
}

pub fn freeze_class(name: &str, span: Span) -> Problem {
    Problem::error(BAD_FREEZE, format!("cannot freeze class `{name}`"))
        .label(span, "a class")
        .help("the class level has no `lambda`: freeze a feature level, or `freeze eta` for the edges")
}

pub fn freeze_node(name: &str, what: &str, span: Span) -> Problem {
    Problem::error(BAD_FREEZE, format!("cannot freeze `{name}`: it is {what}"))
        .label(span, "not a level")
        .help("`freeze` takes level names, or `eta` for the class edges")
}

// ------------------------------------------------------------------ expect

pub fn duplicate_expect(name: &str, span: Span, first: Span) -> Problem {
    Problem::error(DUPLICATE_BLOCK, format!("`{name}` block given twice"))
        .label(span, "second block")
        .label(first, "first given here")
        .help(format!(
            "a file has at most one `expect` and one `expect initial` block: merge the `{name}` blocks"
        ))
}

pub fn expect_untrained(header: Span) -> Problem {
    Problem::warning(
        EXPECT_UNTRAINED,
        "`expect` checks the trained state, but the file has no `train` block",
    )
    .label(header, "nothing is trained before this is checked")
    .help("without `train` the trained state is the initial one: write `expect initial { ... }`, or add a `train` block")
}

pub fn no_test_set(span: Span) -> Problem {
    Problem::error(NO_TEST_SET, "the model has no test samples")
        .label(span, "measured on the test samples")
        .help("add a `test { ... }` block with held-out samples, or measure the data: `accuracy >= 0.8`")
}

pub fn sample_without_data(name: &str, span: Span) -> Problem {
    Problem::error(
        NO_DATA,
        format!("the model has no data, so `{name}` names no sample"),
    )
    .label(span, "not a sample")
    .help("write the input as a pattern such as `{e1 e2}`, or add samples in a `data { }` block")
}

pub fn unknown_sample(
    name: &str,
    span: Span,
    suggestion: Option<&str>,
    input_node: bool,
    test: bool,
) -> Problem {
    let blocks = if test {
        "the `data` or `test` block"
    } else {
        "the `data` block"
    };
    let p = Problem::error(UNKNOWN_SAMPLE, format!("unknown sample `{name}`"))
        .label(span, format!("not a sample of {blocks}"));
    if input_node && suggestion.is_none() {
        return p.help(format!(
            "`{name}` is an input node: write the pattern `{{{name}}}`"
        ));
    }
    did_you_mean(
        p,
        suggestion,
        format!("name a sample of {blocks}, or write a pattern such as `{{e1 e2}}`"),
    )
}

pub fn accuracy_without_data(metric: &str, span: Span) -> Problem {
    Problem::error(NO_DATA, format!("`{metric}` needs data"))
        .label(span, "the model has no samples")
        .help("add samples in a `data { }` block, or remove this expectation")
}

pub fn expected_class(name: &str, what: &str, span: Span) -> Problem {
    Problem::error(WRONG_KIND, format!("`{name}` is {what}, not a class"))
        .label(span, "not a class")
        .help("name a class declared in `classes { }`")
}

pub fn expect_class_lambda(name: &str, span: Span) -> Problem {
    Problem::error(WRONG_KIND, format!("class `{name}` has no `lambda`"))
        .label(span, "a class")
        .help(format!(
            "classes carry edge weights: expect `eta NODE->{name}` instead"
        ))
}

pub fn pathway_class(name: &str, span: Span) -> Problem {
    Problem::error(
        WRONG_KIND,
        format!("`{name}` is a class: pathways list feature nodes"),
    )
    .label(span, "a class")
    .help(format!(
        "to check the predicted class write `predict X is {name}`"
    ))
}

pub fn repeated_pathway_node(name: &str, span: Span, first: Span) -> Problem {
    Problem::error(REPEATED, format!("node `{name}` listed twice"))
        .label(span, "listed again here")
        .label(first, "first listed here")
        .help("remove the repeated node")
}

pub fn label_on_sample(name: &str, span: Span) -> Problem {
    Problem::error(
        LE_LABEL,
        format!("sample `{name}` already has its label"),
    )
    .label(span, "a second label")
    .help("the base of `le` steps with the sample's own label: remove `-> ...`, or write the input as a pattern `{e1 e2} -> c1`")
}

pub fn le_base_without_label(span: Span) -> Problem {
    Problem::error(LE_LABEL, "the base of `le` needs a label")
        .label(span, "a pattern has no label")
        .help("the base is trained one step towards its label: write `{e1 e2} -> c1`, or name a data sample")
}

pub fn within_without_eq(op: &str, within: Span, op_span: Span) -> Problem {
    Problem::error(BAD_TOLERANCE, format!("`within` goes with `=`, not `{op}`"))
        .label(within, "a tolerance")
        .label(op_span, format!("this compares with `{op}`"))
        .help("write `= v within tol` to allow |actual - v| <= tol, or drop `within`")
}

pub fn bad_copies(text: &str, span: Span) -> Problem {
    Problem::error(
        BAD_COPIES,
        format!("`copies {text}`: the number of copies must be from 1 to 4294967295"),
    )
    .label(span, "not a number of copies")
    .help("write `copies N flip q` with N at least 1, for example `copies 20 flip 0.1`")
}
