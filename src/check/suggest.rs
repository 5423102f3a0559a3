//! "did you mean …?": the closest candidate by edit distance.
//!
//! `closest` scans its candidates; a model with many unknown names asks once per name, so
//! the checker asks a [`NameIndex`] instead, which finds the same answer without
//! comparing against every name.

/// The Levenshtein distance between two names (by chars) when it is at most `max` (which
/// is capped at 254), else `None`. Only the cells within `max` of the diagonal are
/// computed: `O(len * max)` time and `O(max)` memory, whatever the names' lengths, so a
/// misspelt name of a megabyte costs no more than reading it.
pub fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    chars_within(&a, b, max)
}

/// [`distance_within`] with the first name as chars (collected once for many candidates).
fn chars_within(query: &[char], candidate: &str, max: usize) -> Option<usize> {
    let max = max.min(usize::from(u8::MAX) - 1);
    if candidate.chars().count().abs_diff(query.len()) > max {
        return None;
    }
    let band = Band::new(max, query.len());
    let mut row = band.first_row();
    let mut next = row.clone();
    for (i, c) in candidate.chars().enumerate() {
        band.next_row(&row, i + 1, c, query, &mut next);
        std::mem::swap(&mut row, &mut next);
        if row.iter().all(|&d| d > band.far - 1) {
            return None;
        }
    }
    let d = usize::from(row[band.slot(candidate.chars().count(), query.len())?]);
    (d <= max).then_some(d)
}

/// The cells of an edit-distance table within `reach` of its diagonal. Row `i` stands for
/// the first `i` chars of a candidate and holds the columns `j` (the first `j` of the `m`
/// chars of the query) with `|i - j| <= reach`, column `j` at slot `j + reach - i`. A cell
/// further than `reach` needs no exact value: it is `far` (`reach + 1`), which also keeps
/// cells in a byte.
struct Band {
    reach: usize,
    width: usize,
    m: usize,
    far: u8,
}

impl Band {
    /// `reach` is at most 254.
    fn new(reach: usize, m: usize) -> Band {
        Band {
            reach,
            width: 2 * reach + 1,
            m,
            far: u8::try_from(reach + 1).unwrap_or(u8::MAX),
        }
    }

    /// The slot of column `j` in row `i`, if it is in the band.
    fn slot(&self, i: usize, j: usize) -> Option<usize> {
        let k = (j + self.reach).checked_sub(i)?;
        (k < self.width).then_some(k)
    }

    /// The column of slot `k` in row `i`, if it is a column of the table.
    fn column(&self, i: usize, k: usize) -> Option<usize> {
        (i + k).checked_sub(self.reach).filter(|&j| j <= self.m)
    }

    /// Row 0: `j` insertions from the empty prefix.
    fn first_row(&self) -> Vec<u8> {
        (0..self.width)
            .map(|k| match self.column(0, k) {
                Some(j) => u8::try_from(j).unwrap_or(u8::MAX).min(self.far),
                None => self.far,
            })
            .collect()
    }

    /// Fills `out` with row `i` (whose last char is `c`) from row `i - 1` (`above`).
    fn next_row(&self, above: &[u8], i: usize, c: char, query: &[char], out: &mut [u8]) {
        for k in 0..self.width {
            let Some(j) = self.column(i, k) else {
                out[k] = self.far;
                continue;
            };
            // Slot k of the row above is column j - 1 there; slot k + 1 is column j.
            let mut d = if j == 0 {
                // `i` deletions.
                u8::try_from(i).unwrap_or(u8::MAX)
            } else {
                let substitute = above[k].saturating_add(u8::from(query[j - 1] != c));
                let insert = if k >= 1 {
                    out[k - 1].saturating_add(1)
                } else {
                    self.far
                };
                substitute.min(insert)
            };
            if k + 1 < self.width {
                d = d.min(above[k + 1].saturating_add(1));
            }
            out[k] = d.min(self.far);
        }
    }
}

/// The candidate closest to `name` within edit distance 2 (first one wins ties). The
/// distance must also be below the name's length, so `q` does not suggest `a`.
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let query: Vec<char> = name.chars().collect();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let Some(d) = chars_within(&query, candidate, MAX_DISTANCE) else {
            continue;
        };
        if d < query.len() && best.is_none_or(|(bd, _)| d < bd) {
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
    /// `query`. Each group is walked as a trie: one banded row per char of the current
    /// prefix (so memory is `O(prefix * reach)`, never the square of a name's length), and
    /// a prefix that cannot end within reach skips every name under it.
    fn within<'n>(
        &self,
        query: &[char],
        reach: usize,
        name_of: impl Fn(u32) -> &'n str,
        mut found: impl FnMut(u32, usize),
    ) {
        let m = query.len();
        let band = Band::new(reach, m);
        let width = band.width;
        let mut rows: Vec<u8> = Vec::new();
        let mut prefix: Vec<char> = Vec::new();
        for (g, &(length, first)) in self.groups.iter().enumerate() {
            if length.abs_diff(m) > reach {
                continue;
            }
            let end = self
                .groups
                .get(g + 1)
                .map_or(self.sorted.len(), |&(_, f)| f);
            // Row `d` (flat, `width` cells each) holds the banded distances between the
            // prefix's first `d` chars and the prefixes of the query.
            rows.clear();
            rows.extend(band.first_row());
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
                    let depth = prefix.len() + 1;
                    let above = rows.len() - width;
                    rows.resize(rows.len() + width, band.far);
                    let (done, row) = rows.split_at_mut(above + width);
                    band.next_row(&done[above..], depth, c, query, row);
                    prefix.push(c);
                    // Whatever follows, `length - depth` more chars are matched against
                    // `m - j` more query chars: at least their difference in edits.
                    let rest = length - depth;
                    let bound = (0..width)
                        .filter_map(|k| {
                            let j = band.column(depth, k)?;
                            Some(usize::from(row[k]) + rest.abs_diff(m - j))
                        })
                        .min()
                        .unwrap_or(usize::MAX);
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
                let last = &rows[rows.len() - width..];
                if let Some(d) = band.slot(length, m).map(|k| usize::from(last[k])) {
                    if d <= reach {
                        found(candidate, d);
                    }
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
        assert_eq!(distance_within("e9", "e1", 2), Some(1));
        assert_eq!(distance_within("", "abc", 3), Some(3));
        assert_eq!(distance_within("", "abc", 2), None);
        assert_eq!(distance_within("kitten", "sitting", 3), Some(3));
        assert_eq!(distance_within("kitten", "sitting", 2), None);
        assert_eq!(distance_within("abcdef", "badcfe", 9), Some(4));
        assert_eq!(distance_within("é1", "e1", 2), Some(1));
    }

    /// The banded distance is the full Levenshtein distance wherever it is within reach.
    #[test]
    fn the_band_agrees_with_the_full_table() {
        use rand::{Rng, SeedableRng};
        fn full(a: &str, b: &str) -> usize {
            let b: Vec<char> = b.chars().collect();
            let mut prev: Vec<usize> = (0..=b.len()).collect();
            for (i, ca) in a.chars().enumerate() {
                let mut cur = vec![i + 1];
                for (j, cb) in b.iter().enumerate() {
                    let d = (prev[j] + usize::from(ca != *cb))
                        .min(prev[j + 1] + 1)
                        .min(cur[j] + 1);
                    cur.push(d);
                }
                prev = cur;
            }
            prev[b.len()]
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let word = |rng: &mut rand_chacha::ChaCha8Rng| -> String {
            let n = rng.gen_range(0..9);
            (0..n)
                .map(|_| ['a', 'b', 'é'][rng.gen_range(0..3)])
                .collect()
        };
        for _ in 0..5000 {
            let (a, b) = (word(&mut rng), word(&mut rng));
            let d = full(&a, &b);
            for max in 0..5 {
                let expected = (d <= max).then_some(d);
                assert_eq!(distance_within(&a, &b, max), expected, "{a} {b} {max}");
            }
        }
    }

    /// A name of a megabyte against names of its length and of others: an answer in time
    /// and memory linear in the name (the full table would be 10^12 cells).
    #[test]
    fn a_megabyte_name_is_searched_in_linear_cost() {
        let long: String = "x".repeat(1 << 20);
        let mut near = long.clone();
        near.replace_range(500_000..500_001, "y");
        let mut names = vec![near.clone(), "x".repeat((1 << 20) + 3), "e1".to_string()];
        names.extend((0..1000).map(|i| format!("x{i}")));
        let index = NameIndex::new(names.len(), |i| names[i as usize].as_str());
        let started = std::time::Instant::now();
        let found = index.closest(&long, |i| names[i as usize].as_str(), |_| true);
        assert_eq!(found, Some(0));
        assert_eq!(
            closest(&long, names.iter().map(String::as_str)),
            Some(near.as_str())
        );
        let mut far = long.clone();
        far.replace_range(..3, "abc");
        assert_eq!(closest(&far, [long.as_str()]), None);
        assert_eq!(
            index.closest(&far, |i| names[i as usize].as_str(), |_| true),
            None
        );
        // Generous: a debug build does this in well under a second.
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
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
