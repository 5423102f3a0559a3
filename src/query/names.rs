//! Naming things of a model from outside the query language: nodes and class edges by name
//! (the REPL's `set lambda`, the Python package's `set_lambda`), inputs given as lists of
//! node names (the Python package), and the values a `lambda` or `eta` may be set to.
//! Every problem is labelled into the text it was given, like the query parser's.

use crate::diag::ErrorCode;
use crate::diag::Problem;
use crate::ir::{ClassId, EdgeId, Ir, NodeId};
use crate::span::Span;

use super::parse::did_you_mean;

/// A name that is not a node, class, edge or sample of the model.
pub const CODE_UNKNOWN: ErrorCode = ErrorCode::QueryUnknownName;
/// A malformed name or value.
pub const CODE_VALUE: ErrorCode = ErrorCode::QueryValue;

/// The node called `name`; `span` is where the caller's text names it.
pub fn node_named(ir: &Ir, name: &str, span: Span) -> Result<NodeId, Problem> {
    if let Some(n) = ir.node_index(name) {
        return Ok(n);
    }
    if ir.class_index(name).is_some() {
        return Err(Problem::error(
            CODE_UNKNOWN,
            format!("`{name}` is a class: classes have no lambda"),
        )
        .label(span, "a class")
        .help("set the weight of an edge into it instead (eta of `F->C`)"));
    }
    let p = Problem::error(CODE_UNKNOWN, format!("no node `{name}`")).label(span, "unknown node");
    Err(
        match did_you_mean(name, ir.nodes.iter().map(|n| n.name.as_str())) {
            Some(s) => p.help(format!("did you mean `{s}`?")),
            None => p.help("give the name of a node of the model"),
        },
    )
}

/// The class called `name` (a label given from outside a query, such as a Python list of
/// labels); `span` is where the caller's text names it.
pub fn class_named(ir: &Ir, name: &str, span: Span) -> Result<ClassId, Problem> {
    if let Some(c) = ir.class_index(name) {
        return Ok(c);
    }
    let p = Problem::error(CODE_UNKNOWN, format!("no class `{name}`"))
        .label(span, "not a class of this model");
    Err(
        match did_you_mean(name, ir.classes.iter().map(|c| c.name.as_str())) {
            Some(s) => p.help(format!("did you mean `{s}`?")),
            None => p.help("a label is one of the model's classes"),
        },
    )
}

/// The class edge written `F->C` in `text` (spaces around the names are allowed); `span` is
/// where the caller's text holds it.
pub fn edge_named(ir: &Ir, text: &str, span: Span) -> Result<EdgeId, Problem> {
    let Some((from, to)) = text.split_once("->") else {
        return Err(Problem::error(CODE_VALUE, "an edge is written `F->C`")
            .label(span, "expected `F->C`")
            .help("name a node of the last feature level and a class, e.g. `t1->c2`"));
    };
    let (from, to) = (from.trim(), to.trim());
    let edge = ir.edges.iter().position(|e| {
        ir.nodes[e.from as usize].name == from && ir.classes[e.to as usize].name == to
    });
    if let Some(e) = edge {
        return Ok(e as EdgeId);
    }
    let names: Vec<String> = (0..ir.edges.len())
        .map(|e| crate::report::edge_name(ir, e))
        .collect();
    let wanted = format!("{from}->{to}");
    let p = Problem::error(CODE_UNKNOWN, format!("no class edge `{wanted}`"))
        .label(span, "not an edge of this model");
    Err(
        match did_you_mean(&wanted, names.iter().map(String::as_str)) {
            Some(s) => p.help(format!("did you mean `{s}`?")),
            None if names.is_empty() => p.help("this model has no class edges"),
            None => p.help(format!("the edges are: {}", names.join(", "))),
        },
    )
}

/// `value` as a `lambda` or `eta`: a finite number >= 0 (0 is an exact zero). `span` is
/// where the caller's text holds it.
pub fn factor(value: f64, span: Span) -> Result<f64, Problem> {
    if value.is_finite() && value >= 0.0 {
        return Ok(value);
    }
    Err(Problem::error(
        CODE_VALUE,
        format!("{value} is not a valid factor: lambda and eta are finite and >= 0"),
    )
    .label(span, format!("this is {value}"))
    .help("give a finite number >= 0 (0 switches the node or edge off)"))
}

/// Whether `name` can be written as one word of a query (a name of the language).
fn is_word(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The pattern `{a b}` (or `{a b}->c` with a label) of an input given as level-1 node
/// names, as the query language writes it, so that it is resolved with the query parser's
/// rules and messages. A name that cannot be one word of a query is refused (labelled in
/// the pattern written with it, which the problem's source must be).
pub fn pattern_text<S: AsRef<str>>(names: &[S], label: Option<&str>) -> Result<String, Problem> {
    let mut text = String::from("{");
    let mut bad = None;
    for (i, name) in names.iter().enumerate() {
        let name = name.as_ref();
        if i > 0 {
            text.push(' ');
        }
        if bad.is_none() && !is_word(name) {
            bad = Some((
                Span::new(text.len(), text.len() + name.len()),
                name.to_string(),
            ));
        }
        text.push_str(name);
    }
    text.push('}');
    if let Some(label) = label {
        text.push_str("->");
        if bad.is_none() && !is_word(label) {
            bad = Some((
                Span::new(text.len(), text.len() + label.len()),
                label.to_string(),
            ));
        }
        text.push_str(label);
    }
    match bad {
        None => Ok(text),
        Some((span, name)) => Err(Problem::error(
            CODE_VALUE,
            format!("`{name}` is not a name of the model"),
        )
        .label(span, "not a name")
        .help("names are made of letters, digits and `_`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig1() -> Ir {
        let text = include_str!("../../examples/fig1.nshed");
        match crate::compile(crate::source::Source {
            name: "fig1.nshed".into(),
            text: text.into(),
        }) {
            Ok(c) => c.ir,
            Err(r) => panic!("{}", r.render(crate::diag::RenderStyle::Plain)),
        }
    }

    #[test]
    fn patterns_are_written_as_the_query_language_writes_them() {
        assert_eq!(
            pattern_text(&["e1", "e2"], None).ok(),
            Some("{e1 e2}".into())
        );
        assert_eq!(
            pattern_text(&["e1"], Some("c1")).ok(),
            Some("{e1}->c1".into())
        );
        assert_eq!(pattern_text::<&str>(&[], None).ok(), Some("{}".into()));
        let bad = pattern_text(&["e1", "e 2}"], None).err();
        let bad = bad.map(|p| (p.message, p.labels[0].offset(), p.labels[0].len()));
        assert_eq!(
            bad,
            Some(("`e 2}` is not a name of the model".into(), 4, 4))
        );
        assert!(pattern_text(&["e1"], Some("")).is_err());
    }

    #[test]
    fn nodes_and_edges_resolve_or_suggest() {
        let ir = fig1();
        let at = Span::new(0, 2);
        assert_eq!(node_named(&ir, "m2", at).ok(), Some(8));
        let typo = node_named(&ir, "m9", at).err();
        assert_eq!(typo.and_then(|p| p.help), Some("did you mean `m1`?".into()));
        let class = node_named(&ir, "c1", at).err().map(|p| p.message);
        assert_eq!(
            class,
            Some("`c1` is a class: classes have no lambda".into())
        );
        let e = edge_named(&ir, "t1 -> c2", at).ok().map(|e| e as usize);
        assert_eq!(
            e.map(|e| crate::report::edge_name(&ir, e)),
            Some("t1->c2".into())
        );
        let missing = edge_named(&ir, "t1->c3", at).err().map(|p| p.message);
        assert_eq!(missing, Some("no class edge `t1->c3`".into()));
        assert!(edge_named(&ir, "t1", at).is_err());
    }

    #[test]
    fn factors_are_finite_and_not_negative() {
        let at = Span::new(0, 1);
        assert_eq!(factor(0.0, at).ok(), Some(0.0));
        assert_eq!(factor(2.5, at).ok(), Some(2.5));
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(factor(bad, at).is_err(), "{bad}");
        }
    }
}
