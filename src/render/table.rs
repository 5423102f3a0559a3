//! Plain-text tables.

use std::fmt::{self, Write as _};

/// A plain-text table: first column left-aligned, others right-aligned.
#[derive(Clone, Debug, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table::new_owned(headers.iter().map(|h| h.to_string()).collect())
    }

    pub fn new_owned(headers: Vec<String>) -> Table {
        Table {
            headers,
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The table as one or more tables no wider than `max` characters: each repeats the
    /// first `keys` columns (what names a row) and takes as many of the other columns, in
    /// order, as fit (at least one, so a column wider than `max` still gets a table). A
    /// table that fits is returned whole.
    pub fn split_to_width(self, keys: usize, max: usize) -> Vec<Table> {
        let n = self.headers.len();
        let mut layout = Layout::new(&self.headers, !self.rows.is_empty());
        for r in &self.rows {
            layout.measure(r);
        }
        // Each column takes two blanks and its width.
        let cost = |i: usize| 2 + layout.width[i];
        let key_width: usize = (0..keys.min(n)).map(cost).sum();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut used = key_width;
        for i in keys.min(n)..n {
            match groups.last_mut() {
                Some(g) if used + cost(i) <= max => g.push(i),
                _ => {
                    groups.push(vec![i]);
                    used = key_width;
                }
            }
            used += cost(i);
        }
        if groups.len() <= 1 {
            return vec![self];
        }
        let pick = |row: &[String], group: &[usize]| -> Vec<String> {
            (0..keys.min(n))
                .chain(group.iter().copied())
                .map(|i| row.get(i).cloned().unwrap_or_default())
                .collect()
        };
        groups
            .iter()
            .map(|g| Table {
                headers: pick(&self.headers, g),
                rows: self.rows.iter().map(|r| pick(r, g)).collect(),
            })
            .collect()
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.headers.len();
        let mut layout = Layout::new(&self.headers, !self.rows.is_empty());
        for r in &self.rows {
            layout.measure(r);
        }
        let mut buf = String::new();
        layout.write_line(f, &self.headers, &mut buf)?;
        for r in &self.rows {
            layout.write_line(f, &r[..r.len().min(n)], &mut buf)?;
        }
        Ok(())
    }
}

/// Writes the same text as a [`Table`] of `n_rows` rows without holding them: `row(i,
/// cells)` fills the (cleared) cells of row `i`, and is called twice per row, once to
/// measure the columns and once to write. For tables with a row per node, whose cells
/// would otherwise take a few hundred bytes a node.
pub fn write_streamed(
    f: &mut fmt::Formatter<'_>,
    headers: &[&str],
    n_rows: usize,
    mut row: impl FnMut(usize, &mut [String]),
) -> fmt::Result {
    let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    let mut cells = vec![String::new(); headers.len()];
    let mut fill = |i: usize, cells: &mut [String]| {
        cells.iter_mut().for_each(String::clear);
        row(i, cells);
    };
    let mut layout = Layout::new(&headers, n_rows > 0);
    for i in 0..n_rows {
        fill(i, &mut cells);
        layout.measure(&cells);
    }
    let mut buf = String::new();
    layout.write_line(f, &headers, &mut buf)?;
    for i in 0..n_rows {
        fill(i, &mut cells);
        layout.write_line(f, &cells, &mut buf)?;
    }
    Ok(())
}

/// Column widths and alignments: columns of numbers are right-aligned, the others
/// (names) left-aligned.
struct Layout {
    width: Vec<usize>,
    numeric: Vec<bool>,
}

impl Layout {
    fn new(headers: &[String], has_rows: bool) -> Layout {
        Layout {
            width: headers.iter().map(|h| h.chars().count()).collect(),
            numeric: vec![has_rows; headers.len()],
        }
    }

    fn measure(&mut self, cells: &[String]) {
        for (i, c) in cells.iter().enumerate().take(self.width.len()) {
            self.width[i] = self.width[i].max(c.chars().count());
            self.numeric[i] &= looks_numeric(c);
        }
    }

    /// One line, without trailing blanks; `buf` is scratch space.
    fn write_line(
        &self,
        f: &mut fmt::Formatter<'_>,
        cells: &[String],
        buf: &mut String,
    ) -> fmt::Result {
        buf.clear();
        for (i, c) in cells.iter().enumerate().take(self.width.len()) {
            let pad = self.width[i] - c.chars().count();
            buf.push_str("  ");
            if self.numeric[i] {
                push_blanks(buf, pad);
                buf.push_str(c);
            } else {
                buf.push_str(c);
                push_blanks(buf, pad);
            }
        }
        f.write_str(buf.trim_end())?;
        f.write_char('\n')
    }
}

/// Appends `n` blanks, a slice at a time (a table of a million rows pads every cell).
fn push_blanks(buf: &mut String, mut n: usize) {
    const BLANKS: &str = "                                ";
    while n > 0 {
        let k = n.min(BLANKS.len());
        buf.push_str(&BLANKS[..k]);
        n -= k;
    }
}

fn looks_numeric(cell: &str) -> bool {
    cell.starts_with(|c: char| c.is_ascii_digit() || c == '-')
        || cell.starts_with("e^")
        || matches!(cell, "undefined" | "inf")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Streamed<'a>(&'a [&'a str], &'a [Vec<String>]);

    impl fmt::Display for Streamed<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_streamed(f, self.0, self.1.len(), |i, cells| {
                for (cell, text) in cells.iter_mut().zip(&self.1[i]) {
                    cell.push_str(text);
                }
            })
        }
    }

    fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
        let mut t = Table::new(headers);
        for r in rows {
            t.row(r.clone());
        }
        t.to_string()
    }

    #[test]
    fn a_wide_table_splits_into_tables_that_fit() {
        let headers = ["sample", "a", "b", "c"];
        let rows = [vec![
            "s1".to_string(),
            "1.000000".to_string(),
            "22.000000".to_string(),
            "3".to_string(),
        ]];
        let mut whole = Table::new(&headers);
        whole.row(rows[0].clone());
        // 8 + 10 + 11 + 3 = 32 columns: fits in 32, not in 31; in 22, `a` goes alone (8 +
        // 10 + 11 > 22) and `b`, `c` share a table (8 + 11 + 3 = 22).
        assert_eq!(whole.clone().split_to_width(1, 32).len(), 1);
        assert_eq!(whole.clone().split_to_width(1, 31).len(), 2);
        let parts: Vec<String> = whole
            .split_to_width(1, 22)
            .iter()
            .map(|t| t.to_string())
            .collect();
        assert_eq!(
            parts,
            vec![
                "  sample         a\n  s1      1.000000\n".to_string(),
                "  sample          b  c\n  s1      22.000000  3\n".to_string(),
            ]
        );
        for p in &parts {
            assert!(p.lines().all(|l| l.chars().count() <= 22), "{p}");
        }
    }

    #[test]
    fn blanks_of_any_count() {
        for n in [0, 1, 31, 32, 33, 100] {
            let mut buf = "x".to_string();
            push_blanks(&mut buf, n);
            assert_eq!(buf, format!("x{}", " ".repeat(n)));
        }
    }

    #[test]
    fn a_streamed_table_reads_like_a_held_one() {
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let headers = ["level", "node", "lambda"];
        let cases = [
            vec![],
            vec![row(&["input", "x1", "1.000000"])],
            vec![
                row(&["input", "a_long_name", "e^-800.5"]),
                row(&["hidden", "y", "12.250000"]),
                row(&["hidden", "z", "undefined"]),
            ],
            // A column that is not all numbers is left-aligned; blanks at the end go.
            vec![row(&["input", "x", "1.5"]), row(&["input", "y", "-"])],
        ];
        for rows in &cases {
            let held = table(&headers, rows);
            assert_eq!(Streamed(&headers, rows).to_string(), held);
        }
        let rows = &cases[2];
        assert_eq!(
            table(&headers, rows),
            "  level   node            lambda\n  \
             input   a_long_name   e^-800.5\n  \
             hidden  y            12.250000\n  \
             hidden  z            undefined\n"
        );
    }
}
