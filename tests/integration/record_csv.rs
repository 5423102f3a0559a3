//! `nshed run --record *.csv` carries what the JSON lines carry: every value of every
//! recorded quantity, plain where it fits in f64 (shortest round-trip text, at most 17
//! significant digits, an exponent for huge or tiny values) and empty where JSON has
//! `null`, with the natural logs in `ln_` columns. No `inf`, no 300-digit integers.

use std::collections::HashMap;

use crate::support::cli::nshed;

/// Grows `a` and `b` by 1.5 on every step that fires them and never shrinks a node, so
/// after 4000 steps lambda (1.5^2000 = e^811), eta and the logits are beyond f64, while
/// the early snapshots are plain numbers.
const OVERFLOW: &str = "model grows {
  level input { a b }
  classes {
    A <- a
    B <- b
  }
}
rules { grow = mul 1.5  shrink = keep }
data {
  x: a -> A
  y: b -> B
}
train {
  sampler cycle
  phase p { steps 4000 }
  record every 1000 { lambda eta accuracy logits }
}
";

fn run_with_record(file: &std::path::Path, record: &std::path::Path) {
    let out = nshed(&[
        "run",
        file.to_str().unwrap(),
        "--record",
        record.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The JSON value a CSV cell stands for: `null` when empty, else the number it reads as.
fn cell_value(cell: &str) -> serde_json::Value {
    if cell.is_empty() {
        serde_json::Value::Null
    } else {
        let x: f64 = cell
            .parse()
            .unwrap_or_else(|_| panic!("`{cell}` is a number"));
        serde_json::json!(x)
    }
}

#[test]
fn csv_records_carry_what_json_lines_carry() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grows.nshed");
    std::fs::write(&file, OVERFLOW).unwrap();
    let jsonl = dir.path().join("rec.jsonl");
    let csv = dir.path().join("rec.csv");
    run_with_record(&file, &jsonl);
    run_with_record(&file, &csv);

    let json: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(!text.contains("inf"), "no infinities:\n{text}");
    let mut rows = text.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let rows: Vec<HashMap<&str, &str>> = rows
        .map(|r| header.iter().copied().zip(r.split(',')).collect())
        .collect();
    assert_eq!(rows.len(), json.len());
    assert_eq!(rows.len(), 5, "steps 0, 1000, ..., 4000");

    let mut compared = 0;
    let mut overflowed = 0;
    for (row, line) in rows.iter().zip(&json) {
        assert_eq!(row["step"], line["step"].to_string());
        for cell in row
            .values()
            .filter(|c| c.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
        {
            let mantissa = cell.split(['e', 'E']).next().unwrap();
            let digits = mantissa
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>();
            assert!(
                digits.trim_start_matches('0').len() <= 17,
                "`{cell}` has more than 17 significant digits"
            );
        }
        // Every number of the JSON line, with the column it must be in.
        let mut expect = |column: String, value: &serde_json::Value| {
            let cell = row
                .get(column.as_str())
                .unwrap_or_else(|| panic!("no column `{column}` in {header:?}"));
            assert_eq!(
                &cell_value(cell),
                value,
                "column {column} at step {}",
                row["step"]
            );
            compared += 1;
            if value.is_null() && !column.starts_with("ln_") {
                overflowed += 1;
            }
        };
        for (field, prefix) in [
            ("lambda", "lambda"),
            ("ln_lambda", "ln_lambda"),
            ("eta", "eta"),
            ("ln_eta", "ln_eta"),
        ] {
            for (name, value) in line[field].as_object().unwrap() {
                expect(format!("{prefix}:{name}"), value);
            }
        }
        expect("accuracy".to_string(), &line["accuracy"]);
        let classes = ["A", "B"];
        for (field, prefix) in [("logits", "logit"), ("ln_logits", "ln_logit")] {
            for (sample, values) in line[field].as_object().unwrap() {
                for (class, value) in classes.iter().zip(values.as_array().unwrap()) {
                    expect(format!("{prefix}:{sample}:{class}"), value);
                }
            }
        }
    }
    // 5 rows x (2 + 2 lambda, 2 + 2 eta, accuracy, 4 + 4 logits) cells.
    assert_eq!(compared, 5 * 17);
    assert!(overflowed >= 4, "the last snapshots overflow f64");
    assert_eq!(
        header.len(),
        2 + 17,
        "step, phase and one column per recorded value: {header:?}"
    );
}
