//! Pest's errors, translated for a person: "expected a node name or `}`, found `model`".

use crate::diag::ErrorCode;
use pest::error::{Error, ErrorVariant, InputLocation};

use super::ast::Span;
use super::parse::Rule;
use super::words::{is_expect_word, is_reserved};
use crate::diag::Problem;

/// What a rule looks like to someone writing a file.
fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::name => "a name",
        Rule::word => "a word",
        Rule::int => "a whole number",
        Rule::number | Rule::expr | Rule::product | Rule::unary | Rule::power | Rule::atom => "a number",
        Rule::kw_model => "`model`",
        Rule::kw_level => "`level`",
        Rule::kw_classes => "`classes`",
        Rule::kw_init => "`init`",
        Rule::kw_rules => "`rules`",
        Rule::kw_data => "`data`",
        Rule::kw_train => "`train`",
        Rule::kw_phase => "`phase`",
        Rule::kw_grow => "`grow`",
        Rule::kw_shrink => "`shrink`",
        Rule::kw_jitter => "`jitter`",
        Rule::kw_lambda => "`lambda`",
        Rule::kw_eta => "`eta`",
        Rule::kw_any => "`any`",
        Rule::kw_all => "`all`",
        Rule::kw_atleast => "`atleast`",
        Rule::kw_of => "`of`",
        Rule::kw_mul => "`mul`",
        Rule::kw_add => "`add`",
        Rule::kw_sub => "`sub`",
        Rule::kw_keep => "`keep`",
        Rule::kw_noise => "`noise`",
        Rule::kw_flip => "`flip`",
        Rule::kw_weight => "`weight`",
        Rule::kw_seed => "`seed`",
        Rule::kw_sampler => "`sampler`",
        Rule::kw_eta_update => "`eta_update`",
        Rule::kw_steps => "`steps`",
        Rule::kw_batch => "`batch`",
        Rule::kw_freeze => "`freeze`",
        Rule::kw_record => "`record`",
        Rule::kw_every => "`every`",
        Rule::kw_uniform => "`uniform`",
        Rule::kw_normal => "`normal`",
        Rule::kw_lognormal => "`lognormal`",
        Rule::kw_by | Rule::by_error => "`by error`",
        Rule::kw_error => "`error`",
        Rule::kw_test => "`test`",
        Rule::kw_from => "`from`",
        Rule::kw_copies => "`copies`",
        Rule::kw_loss => "`loss`",
        Rule::string => "a file name in double quotes",
        Rule::from_stmt => "`from \"FILE.csv\"`",
        Rule::test_block => "`test`",
        Rule::copies_stmt => "`copies N flip q`",
        Rule::test_sample => "a sample (`name: e1 e2 -> class`)",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::comma => "`,`",
        Rule::colon => "`:`",
        Rule::eq => "`=`",
        Rule::arrow => "`->`",
        Rule::larrow => "`<-`",
        Rule::plus => "`+`",
        Rule::minus => "`-`",
        Rule::star => "`*`",
        Rule::slash => "`/`",
        Rule::caret => "`^`",
        Rule::EOI => "the end of the file",
        Rule::model => "`model`",
        Rule::level_decl => "`level`",
        Rule::classes_decl => "`classes`",
        Rule::node_decl => "a node name",
        Rule::gate | Rule::gate_any | Rule::gate_all | Rule::gate_atleast => {
            "a rule (`any(...)`, `all(...)` or `atleast k of (...)`)"
        }
        Rule::name_list => "a name",
        Rule::class_decl => "a class name",
        Rule::init_block => "`init`",
        Rule::rules_block => "`rules`",
        Rule::data_block => "`data`",
        Rule::train_block => "`train`",
        Rule::init_item | Rule::lambda_target | Rule::eta_init_target => "`lambda` or `eta`",
        Rule::dist | Rule::dist_uniform | Rule::dist_normal | Rule::dist_lognormal => {
            "a number or a distribution (`uniform(a, b)`, `normal(mu, sigma)`, `lognormal(mu, sigma)`)"
        }
        Rule::jitter_stmt => "`jitter`",
        Rule::rule_stmt | Rule::rule_target => "`grow` or `shrink`",
        Rule::level_target => "`level`",
        Rule::eta_rule_target => "`eta`",
        Rule::edge_target => "an edge `F -> C`",
        Rule::node_target => "a node name",
        Rule::update | Rule::upd_mul | Rule::upd_add | Rule::upd_sub | Rule::upd_keep => {
            "an update (`mul a`, `add c`, `sub c` or `keep`)"
        }
        Rule::noise_stmt => "`noise flip`",
        Rule::sample_decl => "a sample (`name: e1 e2 -> class`)",
        Rule::seed_stmt => "`seed`",
        Rule::eta_update_stmt => "`eta_update`",
        Rule::sampler_stmt => "`sampler`",
        Rule::phase_decl => "`phase`",
        Rule::steps_stmt => "`steps`",
        Rule::batch_stmt => "`batch`",
        Rule::freeze_stmt => "`freeze`",
        Rule::freeze_target => "a level name or `eta`",
        Rule::record_decl => "`record`",
        Rule::kw_expect => "`expect`",
        Rule::kw_initial => "`initial`",
        Rule::kw_predict => "`predict`",
        Rule::kw_is => "`is`",
        Rule::kw_none => "`none`",
        Rule::kw_pathway => "`pathway`",
        Rule::kw_has => "`has`",
        Rule::kw_lacks => "`lacks`",
        Rule::kw_p => "`p`",
        Rule::kw_le => "`le`",
        Rule::kw_ln => "`ln`",
        Rule::kw_logit => "`logit`",
        Rule::kw_accuracy => "`accuracy`",
        Rule::kw_within => "`within`",
        Rule::ename => "a name",
        Rule::cmp_op => "a comparison (`<`, `<=`, `>`, `>=` or `=`)",
        Rule::expect_block => "`expect`",
        Rule::expect_predict
        | Rule::expect_pathway
        | Rule::expect_p
        | Rule::expect_le
        | Rule::expect_lambda
        | Rule::expect_eta
        | Rule::expect_logit
        | Rule::expect_accuracy
        | Rule::expect_loss
        | Rule::expect_test
        | Rule::expectation => {
            "an expectation (`predict`, `pathway`, `p`, `le`, `lambda`, `ln`, `eta`, `logit`, `accuracy`, `loss` or `test`)"
        }
        Rule::expect_input => "a sample name or a pattern `{e1 e2}`",
        Rule::pattern => "a pattern `{e1 e2}`",
        Rule::comparison => "a comparison (`<`, `<=`, `>`, `>=` or `=`)",
        Rule::block | Rule::rule_item => "a statement",
        Rule::file | Rule::keyword | Rule::expect_word | Rule::ident_raw | Rule::WHITESPACE | Rule::COMMENT | Rule::ident_char => {
            "more input"
        }
    }
}

/// The token found at `offset`, as the user would name it.
fn found_at(source: &str, offset: usize) -> (String, Span) {
    let rest = &source[offset.min(source.len())..];
    let Some(first) = rest.chars().next() else {
        return (
            "the end of the file".to_string(),
            Span::new(source.len(), source.len()),
        );
    };
    let len = if first.is_ascii_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len())
    } else if rest.starts_with("->") || rest.starts_with("<-") || rest.starts_with("//") {
        2
    } else {
        first.len_utf8()
    };
    let text = &rest[..len];
    let shown = if first.is_whitespace() {
        "a blank".to_string()
    } else {
        format!("`{text}`")
    };
    (shown, Span::new(offset, offset + len))
}

/// Joins phrases as "a, b or c", dropping repeats.
fn one_of(mut items: Vec<&'static str>) -> String {
    let mut seen = Vec::new();
    items.retain(|i| {
        if seen.contains(i) {
            false
        } else {
            seen.push(*i);
            true
        }
    });
    match items.len() {
        0 => "something else".to_string(),
        1 => items[0].to_string(),
        n => format!("{} or {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// A pest error, for a person.
pub fn syntax_problem(source: &str, err: &Error<Rule>) -> Problem {
    let offset = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => problem_at(source, offset, positives),
        ErrorVariant::CustomError { message } => {
            let (_, found_span) = found_at(source, offset);
            Problem::error(ErrorCode::Syntax, message.clone()).label(found_span, "here")
        }
    }
}

/// The syntax error at `offset` of `source`, where one of `expected` would have been
/// accepted: "expected `=`, found `error`", with a help line for the mistake it looks
/// like.
pub fn problem_at(source: &str, offset: usize, expected: &[Rule]) -> Problem {
    let offset = offset.min(source.len());
    let (found, found_span) = found_at(source, offset);
    if let Some(problem) = super::hints::misplaced(source, offset, expected) {
        return problem;
    }
    let message = format!(
        "expected {}, found {found}",
        one_of(expected.iter().map(|r| describe(*r)).collect())
    );
    let label_span = if found_span.is_empty() {
        // Point at the last character so the label is visible at end of file.
        let start = source[..offset]
            .char_indices()
            .next_back()
            .map(|(i, _)| i)
            .unwrap_or(0);
        Span::new(start, offset)
    } else {
        found_span
    };
    let word = &source[found_span.start..found_span.end];
    let number_expected = expected.iter().any(|r| {
        matches!(
            r,
            Rule::number
                | Rule::expr
                | Rule::product
                | Rule::unary
                | Rule::power
                | Rule::atom
                | Rule::dist
                | Rule::dist_uniform
                | Rule::dist_normal
                | Rule::dist_lognormal
        )
    });
    let help = if let Some(hint) = super::hints::common_mistake(source, offset, expected) {
        hint
    } else if expected.contains(&Rule::name) && is_reserved(word) {
        format!("`{word}` is a reserved word and cannot be used as a name; rename it (for example `{word}_1`)")
    } else if expected.contains(&Rule::ename) && (is_reserved(word) || is_expect_word(word)) {
        format!("`{word}` is a keyword inside `expect` blocks and cannot name a node, sample or class there; rename it in the model (for example `{word}_1`)")
    } else if expected.contains(&Rule::int)
        && word.chars().next().is_some_and(|c| c.is_ascii_digit())
    {
        "`steps`, `batch`, `seed`, `k` and `every` take whole numbers written with digits only, like `1000` (not `1e3` or `2.0`)".to_string()
    } else if number_expected {
        match super::hints::point_number(source, found_span) {
            Some(fix) => fix,
            None => {
                format!("nshed did not expect {found} here; see docs/language.md for the syntax")
            }
        }
    } else if expected.contains(&Rule::comma)
        && word
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    {
        format!("separate the names in a list with commas: `, {word}`")
    } else if offset == 0 && expected.contains(&Rule::kw_model) {
        "a file starts with `model NAME { ... }`; see `examples/fig1.nshed`".to_string()
    } else if found_span.is_empty() {
        "the file ends too early; is a `}` or `)` missing?".to_string()
    } else {
        format!("nshed did not expect {found} here; see docs/language.md for the syntax")
    };
    let message = if source[..offset].trim().is_empty() && found_span.is_empty() {
        "the file is empty: expected `model`".to_string()
    } else {
        message
    };
    Problem::error(ErrorCode::Syntax, message)
        .label(label_span, "here")
        .help(help)
}
