//! Help for mistakes people coming from other languages make: `or(a, b)` for `any`,
//! `and(a, b)` for `all`, `2 of (a, b, c)` for `atleast 2 of`, `#` comments for `//`.

/// A help line for the syntax error at `offset` of `source`, when the text there is one
/// of the common mistakes.
pub fn common_mistake(source: &str, offset: usize) -> Option<String> {
    let rest = source.get(offset..)?;
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

#[cfg(test)]
mod tests {
    use super::common_mistake;

    #[test]
    fn names_the_word_to_use() {
        let help = |s: &str, at: &str| common_mistake(s, s.find(at).expect("in source"));
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
