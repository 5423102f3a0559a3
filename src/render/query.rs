//! Answers to queries as text.

use std::fmt;

use super::{show, sorted_json, Render, Table};
use crate::query::{Answer, InputDesc};

impl fmt::Display for InputDesc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.sample {
            write!(f, "{s} ")?;
        }
        write!(f, "{{{}}}", self.pattern.join(" "))?;
        if let Some(l) = &self.label {
            write!(f, " -> {l}")?;
        }
        Ok(())
    }
}

/// An LE value: a number, or "undefined".
pub fn show_le(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".to_string(), fixed6)
}

/// Six decimals in the usual range, scientific notation for very large or small values.
fn fixed6(x: f64) -> String {
    if x == 0.0 || (1e-4..1e6).contains(&x.abs()) {
        format!("{x:.6}")
    } else {
        format!("{x:.6e}")
    }
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
                        format!("{:.6}", c.p),
                    ]);
                }
                write!(f, "{t}")?;
                writeln!(f, "predicted {predicted}")
            }
            Answer::Predict {
                input,
                predicted,
                p,
                correct,
            } => {
                write!(f, "{input}: predicted {predicted} (p = {p:.6})")?;
                match correct {
                    Some(true) => writeln!(f, ", correct"),
                    Some(false) => writeln!(f, ", wrong"),
                    None => writeln!(f),
                }
            }
            Answer::Le { base, test, le } => {
                writeln!(f, "LE(base {base}, test {test}) = {}", show_le(*le))
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
                    cells.extend(row.iter().map(|v| v.map_or_else(|| "-".into(), fixed6)));
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
