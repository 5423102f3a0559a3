//! "did you mean …?": the closest candidate by edit distance.

/// Levenshtein distance between two names (by chars).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != *cb);
            let delete = prev[j + 1] + 1;
            let insert = cur[j] + 1;
            cur.push(substitute.min(delete).min(insert));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `name` within edit distance 2 (first one wins ties). The
/// distance must also be below the name's length, so `q` does not suggest `a`.
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let d = edit_distance(name, candidate);
        let better = match best {
            None => true,
            Some((bd, _)) => d < bd,
        };
        if d <= 2 && d < name.chars().count() && better {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("e9", "e1"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn closest_within_two() {
        assert_eq!(closest("e9", ["m1", "e1", "e2"]), Some("e1"));
        assert_eq!(closest("zzzz", ["e1"]), None);
        assert_eq!(closest("q7", ["a"]), None);
    }
}
