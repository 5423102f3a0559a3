//! The `nshed run` report as text.

use std::fmt;

use super::{fmt_num, pretty_json, show, write_streamed, Render, Table};
use crate::report::{ln_json, plain, RunReport, SampleReport};

/// The widest line of the samples table (a wide terminal, or a page in a notebook).
const MAX_WIDTH: usize = 120;

impl fmt::Display for RunReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (ir, state) = (self.model.ir, self.state);
        writeln!(f, "model {} after {} training steps", ir.model, state.step)?;
        writeln!(f)?;
        writeln!(f, "lambda")?;
        // A row per node and per edge: written as they are made, not held.
        // Row `i` is in the last level whose first row is at most `i`.
        let mut first_row = Vec::with_capacity(ir.levels.len());
        let mut rows = 0;
        for level in &ir.levels {
            first_row.push(rows);
            rows += level.len as usize;
        }
        let mut value = ValueText::default();
        write_streamed(f, &["level", "node", "lambda"], rows, |i, cells| {
            let l = first_row.partition_point(|&r| r <= i) - 1;
            let level = &ir.levels[l];
            let n = level.first as usize + (i - first_row[l]);
            cells[0].push_str(&level.name);
            cells[1].push_str(&ir.nodes[n].name);
            cells[2].push_str(value.of(state.ln_lambda(n)));
        })?;
        writeln!(f)?;
        writeln!(f, "eta")?;
        write_streamed(f, &["edge", "eta"], ir.edges.len(), |e, cells| {
            let edge = ir.edges[e];
            cells[0].push_str(&ir.nodes[edge.from as usize].name);
            cells[0].push_str("->");
            cells[0].push_str(&ir.classes[edge.to as usize].name);
            cells[1].push_str(value.of(state.ln_eta(e)));
        })?;
        if !self.samples.is_empty() {
            write_samples(f, ir, &self.samples, "")?;
            if let Some(a) = self.accuracy {
                writeln!(f)?;
                write_score(f, "", a, self.loss, &self.samples)?;
            }
        }
        if let Some(test) = &self.test {
            if !test.samples.is_empty() {
                write_samples(f, ir, &test.samples, "test ")?;
            }
            writeln!(f)?;
            match test.metrics.accuracy {
                Some(a) => write_score(f, "test ", a, test.metrics.loss, &test.samples)?,
                None => writeln!(f, "test accuracy - (no test samples)")?,
            }
            if let Some(gap) = test.gap {
                writeln!(
                    f,
                    "generalisation gap {} (data accuracy - test accuracy)",
                    fmt_num(gap)
                )?;
            }
        }
        Ok(())
    }
}

/// The table of samples (Z and p per class) and their pathways, under titles starting
/// with `prefix` (`""` for the data, `"test "` for the test set).
fn write_samples(
    f: &mut fmt::Formatter<'_>,
    ir: &crate::ir::Ir,
    samples: &[SampleReport],
    prefix: &str,
) -> fmt::Result {
    writeln!(f)?;
    writeln!(f, "{prefix}samples")?;
    let mut headers = vec!["sample".to_string(), "label".into(), "predicted".into()];
    for c in &ir.classes {
        headers.push(format!("Z[{}]", c.name));
    }
    for c in &ir.classes {
        headers.push(format!("p[{}]", c.name));
    }
    let mut t = Table::new_owned(headers);
    for s in samples {
        let predicted = s.predicted.clone().unwrap_or_else(|| "-".into());
        let mut row = vec![s.name.clone(), s.label.clone(), predicted];
        for (z, l) in s.logits.iter().zip(&s.ln_logits) {
            row.push(show(*z, *l));
        }
        for p in &s.p {
            row.push(fmt_num(*p));
        }
        t.row(row);
    }
    // Many classes make a row too wide for a terminal: the per-class columns go into
    // as many tables as it takes, each naming its rows again (`--json` and `--csv`
    // keep every column of a row together).
    for (i, part) in t.split_to_width(3, MAX_WIDTH).iter().enumerate() {
        if i > 0 {
            writeln!(f)?;
        }
        write!(f, "{part}")?;
    }
    writeln!(f)?;
    writeln!(f, "{prefix}pathways")?;
    // Millions of names in all: each sample's are written as its row is made.
    write_streamed(f, &["sample", "pathway"], samples.len(), |i, cells| {
        let s = &samples[i];
        cells[0].push_str(&s.name);
        for (k, &n) in s.pathway.iter().enumerate() {
            if k > 0 {
                cells[1].push(' ');
            }
            cells[1].push_str(&ir.nodes[n as usize].name);
        }
    })
}

/// `accuracy A (k/n samples...)` and `loss L`, for the data or (`prefix` `"test "`) the
/// test set.
fn write_score(
    f: &mut fmt::Formatter<'_>,
    prefix: &str,
    accuracy: f64,
    loss: Option<f64>,
    samples: &[SampleReport],
) -> fmt::Result {
    let correct = samples
        .iter()
        .filter(|s| s.predicted.as_ref() == Some(&s.label))
        .count();
    let unreached = samples.iter().filter(|s| s.predicted.is_none()).count();
    let note = match unreached {
        0 => String::new(),
        1 => "; 1 reaches no class, counted wrong".to_string(),
        n => format!("; {n} reach no class, counted wrong"),
    };
    writeln!(
        f,
        "{prefix}accuracy {} ({correct}/{} samples{note})",
        fmt_num(accuracy),
        samples.len()
    )?;
    if let Some(loss) = loss {
        writeln!(f, "{prefix}loss {}", fmt_loss(loss))?;
    }
    Ok(())
}

/// A loss as text: a number, or `inf` when a label has probability 0.
pub fn fmt_loss(loss: f64) -> String {
    if loss.is_infinite() {
        "inf".to_string()
    } else {
        fmt_num(loss)
    }
}

/// The text of a value kept as its natural log, made again only when the log differs from
/// the last one's: runs of equal values (a whole untrained level of `1`s) are the rule.
#[derive(Default)]
struct ValueText {
    last: Option<(u64, String)>,
}

impl ValueText {
    fn of(&mut self, ln: f64) -> &str {
        let bits = ln.to_bits();
        if self.last.as_ref().is_none_or(|(b, _)| *b != bits) {
            self.last = Some((bits, show(plain(ln), ln_json(ln))));
        }
        self.last.as_ref().map_or("", |(_, text)| text.as_str())
    }
}

impl Render for RunReport<'_> {
    fn json(&self) -> serde_json::Result<String> {
        pretty_json(self)
    }

    fn table(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_value_text_is_that_of_the_value_asked() {
        let mut text = ValueText::default();
        for ln in [
            0.0,
            0.0,
            1.5,
            1.5,
            0.0,
            -0.0,
            f64::NEG_INFINITY,
            800.0,
            800.0,
            0.0,
        ] {
            assert_eq!(text.of(ln), show(plain(ln), ln_json(ln)), "ln {ln}");
        }
    }
}
