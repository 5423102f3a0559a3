//! The `nshed run` report as text.

use std::fmt;

use super::{fmt_num, pretty_json, show, write_streamed, Render, Table};
use crate::report::RunReport;

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "model {} after {} training steps",
            self.model, self.steps
        )?;
        writeln!(f)?;
        writeln!(f, "lambda")?;
        // A row per node and per edge: written as they are made, not held.
        let rows: Vec<(&str, usize)> = self
            .levels
            .iter()
            .flat_map(|(level, ids)| ids.iter().map(move |&n| (level.as_str(), n)))
            .collect();
        write_streamed(f, &["level", "node", "lambda"], rows.len(), |i, cells| {
            let (level, n) = rows[i];
            let (name, v) = &self.lambda.0[n];
            cells[0].push_str(level);
            cells[1].push_str(name);
            cells[2].push_str(&show(*v, self.ln_lambda.0[n].1));
        })?;
        drop(rows);
        writeln!(f)?;
        writeln!(f, "eta")?;
        write_streamed(f, &["edge", "eta"], self.eta.0.len(), |i, cells| {
            let (name, v) = &self.eta.0[i];
            cells[0].push_str(name);
            cells[1].push_str(&show(*v, self.ln_eta.0[i].1));
        })?;
        if self.samples.is_empty() {
            return Ok(());
        }
        writeln!(f)?;
        writeln!(f, "samples")?;
        let mut headers = vec!["sample".to_string(), "label".into(), "predicted".into()];
        for c in &self.classes {
            headers.push(format!("Z[{c}]"));
        }
        for c in &self.classes {
            headers.push(format!("p[{c}]"));
        }
        let mut t = Table::new_owned(headers);
        for s in &self.samples {
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
        write!(f, "{t}")?;
        writeln!(f)?;
        writeln!(f, "pathways")?;
        let mut t = Table::new(&["sample", "pathway"]);
        for s in &self.samples {
            t.row(vec![s.name.clone(), s.pathway.join(" ")]);
        }
        write!(f, "{t}")?;
        if let Some(a) = self.accuracy {
            writeln!(f)?;
            let correct = self
                .samples
                .iter()
                .filter(|s| s.predicted.as_ref() == Some(&s.label))
                .count();
            let unreached = self
                .samples
                .iter()
                .filter(|s| s.predicted.is_none())
                .count();
            let note = match unreached {
                0 => String::new(),
                1 => "; 1 reaches no class, counted wrong".to_string(),
                n => format!("; {n} reach no class, counted wrong"),
            };
            writeln!(
                f,
                "accuracy {} ({correct}/{} samples{note})",
                fmt_num(a),
                self.samples.len()
            )?;
        }
        Ok(())
    }
}

impl Render for RunReport {
    fn json(&self) -> serde_json::Result<String> {
        pretty_json(self)
    }

    fn table(&self) -> String {
        self.to_string()
    }
}
