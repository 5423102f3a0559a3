//! Answers to queries as text.

use std::fmt;

use super::{fmt_num, opt_num, show, sorted_json, Render, Table};
use crate::query::{Answer, InputDesc};

/// Patterns of up to this many inputs are written out in full.
const SHOWN_INPUTS: usize = 16;

impl fmt::Display for InputDesc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.sample {
            write!(f, "{s} ")?;
        }
        // A generated model's samples have thousands of inputs: the text shows the first
        // few and how many more (the JSON keeps them all).
        if self.pattern.len() > SHOWN_INPUTS {
            write!(
                f,
                "{{{} … and {} more}}",
                self.pattern[..SHOWN_INPUTS / 2].join(" "),
                self.pattern.len() - SHOWN_INPUTS / 2
            )?;
        } else {
            write!(f, "{{{}}}", self.pattern.join(" "))?;
        }
        if let Some(l) = &self.label {
            write!(f, " -> {l}")?;
        }
        Ok(())
    }
}

/// An LE value: a number, or "undefined".
pub fn show_le(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".to_string(), fmt_num)
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Pathway { input, levels } => {
                writeln!(f, "pathway of {input}")?;
                let mut t = Table::new(&["level", "firing"]);
                for l in levels {
                    let nodes = if l.nodes.is_empty() {
                        "-".to_string()
                    } else {
                        l.nodes.join(" ")
                    };
                    t.row(vec![l.level.clone(), nodes]);
                }
                write!(f, "{t}")
            }
            Answer::Scores {
                input,
                scores,
                classes,
                predicted,
            } => {
                writeln!(f, "scores of {input}")?;
                let mut t = Table::new(&["node", "level", "S"]);
                for s in scores {
                    t.row(vec![
                        s.node.clone(),
                        s.level.clone(),
                        show(s.score, s.ln_score),
                    ]);
                }
                writeln!(f, "{t}")?;
                let mut t = Table::new(&["class", "Z", "p"]);
                for c in classes {
                    t.row(vec![
                        c.class.clone(),
                        show(c.logit, c.ln_logit),
                        fmt_num(c.p),
                    ]);
                }
                write!(f, "{t}")?;
                match predicted {
                    Some(c) => writeln!(f, "predicted {c}"),
                    None => writeln!(f, "no prediction: the input reaches no class"),
                }
            }
            Answer::Predict {
                input,
                predicted,
                p,
                correct,
            } => {
                match predicted {
                    Some(c) => write!(f, "{input}: predicted {c} (p = {})", fmt_num(*p))?,
                    None => write!(f, "{input}: no prediction (the input reaches no class)")?,
                }
                match correct {
                    Some(true) => writeln!(f, ", correct"),
                    Some(false) => writeln!(f, ", wrong"),
                    None => writeln!(f),
                }
            }
            Answer::Le { base, test, le } => {
                writeln!(f, "LE(base {base}, test {test}) = {}", show_le(*le))
            }
            Answer::Score {
                metric,
                on,
                metrics,
            } => {
                let prefix = if on == "test" { "test " } else { "" };
                let value = if metric == "loss" {
                    metrics.loss.map(super::run::fmt_loss)
                } else {
                    metrics.accuracy.map(fmt_num)
                };
                match value {
                    Some(v) => writeln!(
                        f,
                        "{prefix}{metric} {v} ({}/{} samples right)",
                        metrics.correct, metrics.samples
                    ),
                    None => writeln!(f, "{prefix}{metric} - (no samples)"),
                }
            }
            Answer::LeMatrix {
                samples,
                matrix,
                classes,
                class_means,
            } => {
                writeln!(f, "local elasticity (row = base, column = test)")?;
                let mut headers = vec!["base".to_string()];
                headers.extend(samples.iter().cloned());
                let mut t = Table::new_owned(headers);
                for (name, row) in samples.iter().zip(matrix) {
                    let mut cells = vec![name.clone()];
                    cells.extend(row.iter().map(|v| show_le(*v)));
                    t.row(cells);
                }
                write!(f, "{t}")?;
                writeln!(f)?;
                writeln!(
                    f,
                    "mean LE per class pair, self pairs left out (row = base class)"
                )?;
                let mut headers = vec!["base".to_string()];
                headers.extend(classes.iter().cloned());
                let mut t = Table::new_owned(headers);
                for (name, row) in classes.iter().zip(class_means) {
                    let mut cells = vec![name.clone()];
                    cells.extend(row.iter().map(|v| opt_num(*v)));
                    t.row(cells);
                }
                write!(f, "{t}")
            }
        }
    }
}

/// The documented shape of `nshed le --json`: the matrix answer without the query tag,
/// keys sorted.
pub fn le_matrix_json(answer: &Answer) -> serde_json::Result<String> {
    match answer {
        Answer::LeMatrix {
            samples,
            matrix,
            classes,
            class_means,
        } => sorted_json(&serde_json::json!({
            "samples": samples,
            "matrix": matrix,
            "classes": classes,
            "class_means": class_means,
        })),
        other => super::pretty_json(other),
    }
}

impl Render for Answer {
    fn json(&self) -> serde_json::Result<String> {
        super::pretty_json(self)
    }

    fn table(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(n: usize) -> InputDesc {
        InputDesc {
            sample: Some("s0".into()),
            pattern: (0..n).map(|i| format!("x{i}")).collect(),
            label: Some("c0".into()),
        }
    }

    #[test]
    fn long_patterns_show_their_first_inputs_and_how_many_more() {
        let all16 = (0..16)
            .map(|i| format!("x{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(desc(16).to_string(), format!("s0 {{{all16}}} -> c0"));
        assert_eq!(
            desc(7143).to_string(),
            "s0 {x0 x1 x2 x3 x4 x5 x6 x7 … and 7135 more} -> c0"
        );
    }
}
