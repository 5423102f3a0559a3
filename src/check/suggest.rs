//! "did you mean …?": the closest candidate by edit distance.
//!
//! `closest` scans its candidates; a model with many unknown names asks once per name, so
//! the checker asks a [`NameIndex`] instead, which finds the same answer without
//! comparing against every name.

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

/// Largest edit distance `closest` suggests.
const MAX_DISTANCE: usize = 2;

/// Candidate names (numbered `0..count` by their position in the list), grouped by length
/// and sorted within a group, so that names sharing a prefix are neighbours. A search looks
/// only at the groups whose length is within reach and walks each as a trie: one row of the
/// edit-distance table per distinct prefix, and every name under a prefix that can no
/// longer end within reach is skipped at once. The cost of a search depends on the names
/// near the query, not on how many names there are.
#[derive(Clone, Debug, Default)]
pub struct NameIndex {
    /// Candidate numbers by (length in chars, name); ties in list order.
    sorted: Vec<u32>,
    /// `(length, first position in sorted)` of each length present, ascending.
    groups: Vec<(usize, usize)>,
}

impl NameIndex {
    /// Indexes the `count` names `name_of(0..count)`.
    pub fn new<'n>(count: usize, name_of: impl Fn(u32) -> &'n str) -> NameIndex {
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        let lengths: Vec<usize> = (0..count).map(|i| name_of(i).chars().count()).collect();
        let mut sorted: Vec<u32> = (0..count).collect();
        sorted.sort_by(|&a, &b| {
            (lengths[a as usize], name_of(a)).cmp(&(lengths[b as usize], name_of(b)))
        });
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for (position, &i) in sorted.iter().enumerate() {
            let length = lengths[i as usize];
            if groups.last().is_none_or(|&(l, _)| l != length) {
                groups.push((length, position));
            }
        }
        NameIndex { sorted, groups }
    }

    /// What [`closest`] answers for the candidates `accept` keeps, in list order: the
    /// number of the accepted candidate closest to `name` (within edit distance 2 and below
    /// the name's length; the first in the list wins ties).
    pub fn closest<'n>(
        &self,
        name: &str,
        name_of: impl Fn(u32) -> &'n str,
        accept: impl Fn(u32) -> bool,
    ) -> Option<u32> {
        let query: Vec<char> = name.chars().collect();
        // One edit away is a much smaller neighbourhood: look there first.
        for reach in 1..=MAX_DISTANCE {
            let mut best: Option<(usize, u32)> = None;
            self.within(&query, reach, &name_of, |candidate, d| {
                let wanted = d < query.len() && accept(candidate) && name_of(candidate) != name;
                if wanted && best.is_none_or(|b| (d, candidate) < b) {
                    best = Some((d, candidate));
                }
            });
            if let Some((_, candidate)) = best {
                return Some(candidate);
            }
        }
        None
    }

    /// The first position after `i` (up to `end`) whose name is not `under` the prefix of
    /// the name at `i`. Subtrees are mostly small: gallop, then bisect.
    fn first_not_under(&self, i: usize, end: usize, under: impl Fn(u32) -> bool) -> usize {
        let mut lo = i + 1;
        let mut step = 1;
        let hi = loop {
            let probe = lo + step - 1;
            if probe >= end {
                break end;
            }
            if !under(self.sorted[probe]) {
                break probe;
            }
            lo = probe + 1;
            step *= 2;
        };
        lo + self.sorted[lo..hi].partition_point(|&k| under(k))
    }

    /// Calls `found(candidate, distance)` for every candidate within `reach` edits of
    /// `query`.
    fn within<'n>(
        &self,
        query: &[char],
        reach: usize,
        name_of: impl Fn(u32) -> &'n str,
        mut found: impl FnMut(u32, usize),
    ) {
        let m = query.len();
        let width = m + 1;
        let mut rows: Vec<usize> = Vec::new();
        let mut prefix: Vec<char> = Vec::new();
        for (g, &(length, first)) in self.groups.iter().enumerate() {
            if length.abs_diff(m) > reach {
                continue;
            }
            let end = self
                .groups
                .get(g + 1)
                .map_or(self.sorted.len(), |&(_, f)| f);
            // Row `d` (flat) holds the distances between the prefix's first `d` chars and
            // every prefix of the query.
            rows.clear();
            rows.extend(0..width);
            prefix.clear();
            let mut i = first;
            while i < end {
                let candidate = self.sorted[i];
                let name = name_of(candidate);
                let shared = prefix
                    .iter()
                    .zip(name.chars())
                    .take_while(|(a, b)| *a == b)
                    .count();
                prefix.truncate(shared);
                rows.truncate((shared + 1) * width);
                // The byte length of a prefix that cannot end within reach.
                let mut hopeless = None;
                for (at, c) in name.char_indices().skip(shared) {
                    let above = rows.len() - width;
                    let depth = prefix.len() + 1;
                    // Whatever follows, `length - depth` more chars are matched against
                    // `m - j` more query chars: at least their difference in edits.
                    let rest = length - depth;
                    rows.push(rows[above] + 1);
                    let mut bound = rows[above] + 1 + rest.abs_diff(m);
                    for j in 1..width {
                        let substitute = rows[above + j - 1] + usize::from(query[j - 1] != c);
                        let delete = rows[above + j] + 1;
                        let insert = rows[rows.len() - 1] + 1;
                        let d = substitute.min(delete).min(insert);
                        bound = bound.min(d + rest.abs_diff(m - j));
                        rows.push(d);
                    }
                    prefix.push(c);
                    if bound > reach {
                        hopeless = Some(at + c.len_utf8());
                        break;
                    }
                }
                if let Some(stem) = hopeless {
                    // Every name of the group starting with this prefix is further still.
                    let stem = &name[..stem];
                    i = self.first_not_under(i, end, |k| name_of(k).starts_with(stem));
                    continue;
                }
                let d = rows[rows.len() - 1];
                if d <= reach {
                    found(candidate, d);
                }
                i += 1;
            }
        }
    }
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

    /// The index answers exactly what the scan answers, ties and filters included.
    #[test]
    fn the_index_agrees_with_the_scan() {
        let mut names: Vec<String> = (0..3000).map(|i| format!("x{i}")).collect();
        names.extend((0..500).map(|i| format!("h{}_{}", i % 7, i)));
        names.extend(
            [
                "input", "inputs", "m1", "m1", "x", "é1", "ab", "ba", "abc", "x1_",
            ]
            .map(String::from),
        );
        let index = NameIndex::new(names.len(), |i| names[i as usize].as_str());
        let even = |i: u32| i.is_multiple_of(2);
        let queries = [
            "x1", "x10", "x999", "y100", "x12345", "xx", "inpt", "iput", "m2", "m", "é", "e1",
            "h3_100", "h9_9", "zzzz", "", "a", "ba", "bca", "x1_0", "X100",
        ];
        for query in queries {
            let scan = closest(query, names.iter().map(String::as_str));
            let found = index.closest(query, |i| names[i as usize].as_str(), |_| true);
            assert_eq!(found.map(|i| names[i as usize].as_str()), scan, "{query}");
            let scan_even = closest(
                query,
                names
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % 2 == 0)
                    .map(|(_, n)| n.as_str()),
            );
            let found_even = index.closest(query, |i| names[i as usize].as_str(), even);
            assert_eq!(
                found_even.map(|i| names[i as usize].as_str()),
                scan_even,
                "{query} (even)"
            );
        }
        // Ties go to the first in list order: `x2` comes before both `m1`, which come in
        // list order among themselves.
        let name_of = |i: u32| names[i as usize].as_str();
        assert_eq!(index.closest("m2", name_of, |_| true), Some(2));
        assert_eq!(index.closest("m2", name_of, |i| i >= 3500), Some(3502));
    }

    /// Dense random names over a small alphabet: many near misses, ties and duplicates.
    #[test]
    fn the_index_agrees_with_the_scan_on_random_names() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let alphabet = ['a', 'b', '1', '_', 'é'];
        let word = |rng: &mut rand_chacha::ChaCha8Rng| -> String {
            let n = rng.gen_range(0..7);
            (0..n)
                .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
                .collect()
        };
        let names: Vec<String> = (0..1500).map(|_| word(&mut rng)).collect();
        let index = NameIndex::new(names.len(), |i| names[i as usize].as_str());
        for k in 0..400 {
            let query = word(&mut rng);
            let third = |i: u32| (i as usize + k).is_multiple_of(3);
            let scan = closest(
                &query,
                names
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| third(i as u32))
                    .map(|(_, n)| n.as_str()),
            );
            let found = index.closest(&query, |i| names[i as usize].as_str(), third);
            assert_eq!(found.map(|i| names[i as usize].as_str()), scan, "{query}");
        }
    }
}
