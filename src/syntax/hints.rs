//! Help for common slips: what people bring from other languages (`or(a, b)` for `any`,
//! `and(a, b)` for `all`, `2 of (a, b, c)` for `atleast 2 of`, `#` comments for `//`,
//! `.5` for `0.5`), commas between a sample's inputs, a sample line without its label,
//! and a weight or noise line in a `test` block.

use super::ast::Span;
use super::parse::Rule;
use crate::diag::Problem;

/// A help line for the syntax error at `offset` of `source`, where one of `expected`
/// would have been accepted, when the text there is one of the common mistakes.
pub fn common_mistake(source: &str, offset: usize, expected: &[Rule]) -> Option<String> {
    let rest = source.get(offset..)?;
    if let Some(help) = in_sample_or_test(source, offset, rest, expected) {
        return Some(help);
    }
    // The error may point at the `=` before a rule that did not parse.
    let rest = match rest.strip_prefix('=') {
        Some(after) => after.trim_start(),
        None => rest,
    };
    if rest.starts_with('#') {
        return Some("comments start with `//` (`// like this`), not `#`".to_string());
    }
    let word_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (word, after) = rest.split_at(word_len);
    let after = after.trim_start();
    // The children as written, when the parentheses close on the same line.
    let children = || {
        let inner = after.strip_prefix('(')?;
        let end = inner.find([')', '\n'])?;
        (inner.as_bytes()[end] == b')' && !inner[..end].trim().is_empty())
            .then(|| inner[..end].trim().to_string())
    };
    match word {
        "or" | "OR" | "Or" if after.starts_with('(') => Some(format!(
            "a node that fires when any of its children fires is written `any({})`; `or` is not a word of the language",
            children().unwrap_or_else(|| "a, b".into())
        )),
        "and" | "AND" | "And" if after.starts_with('(') => Some(format!(
            "a node that fires when all of its children fire is written `all({})`; `and` is not a word of the language",
            children().unwrap_or_else(|| "a, b".into())
        )),
        k if !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()) && after.starts_with("of") => {
            let list = after["of".len()..].trim_start();
            let inner = list
                .strip_prefix('(')
                .and_then(|l| l.find([')', '\n']).filter(|&e| l.as_bytes()[e] == b')').map(|e| l[..e].trim()))
                .filter(|l| !l.is_empty())
                .unwrap_or("a, b, c");
            Some(format!("a k-of-n rule is written `atleast {k} of ({inner})`"))
        }
        _ => None,
    }
}

/// Slips inside samples and `test` blocks.
fn in_sample_or_test(source: &str, offset: usize, rest: &str, expected: &[Rule]) -> Option<String> {
    if rest.starts_with(',') && expected.contains(&Rule::arrow) {
        // `s: a, b -> c`: the line as it should be, commas dropped.
        let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[offset..]
            .find('\n')
            .map_or(source.len(), |i| offset + i);
        let line = code_of(&source[line_start..line_end]);
        let fixed: Vec<&str> = line
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .collect();
        return Some(format!(
            "the inputs of a sample are separated by spaces, not commas: `{}`",
            fixed.join(" ").replace(" :", ":")
        ));
    }
    let word_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let word = &rest[..word_len];
    if !(word == "weight" || word == "noise") || enclosing_block(source, offset) != Some("test") {
        return None;
    }
    Some(if word == "weight" {
        "test samples have no weight: a weight only says how often training draws a sample, and test samples are never drawn".to_string()
    } else {
        "noise applies to training draws only; `copies N flip q` adds N noisy copies of every training sample to the test set".to_string()
    })
}

/// The word before the `{` of the block that holds `offset` (a rough reading that ignores
/// braces in comments, for help lines only).
fn enclosing_block(source: &str, offset: usize) -> Option<&str> {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut i = offset.min(bytes.len());
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b'}' => depth += 1,
            b'{' if depth == 0 => {
                let before = source[..i].trim_end();
                let start = before
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(0, |j| j + 1);
                return Some(&before[start..]);
            }
            b'{' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// A line without its comment and the blanks around it.
fn code_of(line: &str) -> &str {
    line.find("//").map_or(line, |i| &line[..i]).trim()
}

/// The help for a number written with a point and no digit on one side (`.5`, `5.`),
/// where the error found the token at `found`.
pub fn point_number(source: &str, found: Span) -> Option<String> {
    let token = source.get(found.start..found.end)?;
    if token == "." {
        let digits: String = source[found.end..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !digits.is_empty() {
            return Some(format!(
                "write `0.{digits}`: a number needs a digit before its point"
            ));
        }
    }
    let whole = token.strip_suffix('.')?;
    (!whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit())).then(|| {
        format!("write `{whole}` (or `{whole}.0`): a number needs a digit after its point")
    })
}

/// The problem to report instead of the parser's, when its place misleads: a sample line
/// without `-> CLASS` reads the next line's sample name as one more input, so the error
/// lands on that line's `:` (or on the `}` after the last sample). Said of the line at
/// fault.
pub fn misplaced(source: &str, offset: usize, expected: &[Rule]) -> Option<Problem> {
    if !(expected.contains(&Rule::arrow) && expected.contains(&Rule::name)) {
        return None;
    }
    let rest = source.get(offset..)?;
    let found_line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before_found = &source[found_line_start..offset];
    let next_sample = if rest.starts_with(':') {
        // The name before the `:` must be the first thing on its line.
        let name = before_found.trim();
        (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .then_some(name)?
    } else if rest.starts_with('}') && before_found.trim().is_empty() {
        ""
    } else {
        return None;
    };
    // The sample line: the last line before this one with code on it.
    let mut end = found_line_start.checked_sub(1)?;
    let (line_start, line) = loop {
        let start = source[..end].rfind('\n').map_or(0, |i| i + 1);
        let line = code_of(&source[start..end]);
        if !line.is_empty() {
            break (start, line);
        }
        end = start.checked_sub(1)?;
    };
    let (name, inputs) = line.split_once(':')?;
    let name = name.trim();
    if name.is_empty()
        || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        || inputs.contains("->")
    {
        return None;
    }
    let code_start = line_start + source[line_start..].find(line)?;
    let code = Span::new(code_start, code_start + line.len());
    let mut problem = Problem::error(
        crate::diag::ErrorCode::Syntax,
        format!("the sample `{name}` has no label: expected `->` and a class after its inputs"),
    )
    .label(code, "no `-> CLASS` on this line");
    if !next_sample.is_empty() {
        problem = problem.label(
            Span::new(
                found_line_start + before_found.find(next_sample)?,
                offset + 1,
            ),
            format!("so `{next_sample}` was read as one more input of `{name}`"),
        );
    }
    Some(problem.help(format!(
        "end the line with the sample's class: `{} -> CLASS`",
        line.split_whitespace().collect::<Vec<_>>().join(" ")
    )))
}

#[cfg(test)]
mod tests {
    use super::common_mistake;
    use crate::syntax::parse::Rule;

    #[test]
    fn names_the_word_to_use() {
        let help =
            |s: &str, at: &str| common_mistake(s, s.find(at).expect("in source"), &[Rule::gate]);
        assert!(help("m1 = or(e1, e3)", "or").is_some_and(|h| h.contains("`any(e1, e3)`")));
        assert!(help("m1 = or (a, b)", "=").is_some_and(|h| h.contains("`any(a, b)`")));
        assert!(help("m1 = and(x,\n y)", "and").is_some_and(|h| h.contains("`all(a, b)`")));
        assert_eq!(
            help("m3 = 2 of (e4, e5, e6)", "2"),
            Some("a k-of-n rule is written `atleast 2 of (e4, e5, e6)`".to_string())
        );
        assert!(help("  # a comment", "#").is_some_and(|h| h.contains("`//`")));
        assert_eq!(help("m1 = orange(a)", "orange"), None);
        assert_eq!(help("m1 = 2 (a)", "2"), None);
    }
}
