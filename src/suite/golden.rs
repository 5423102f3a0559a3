//! Golden reports: the `nshed run --json` report of a model, kept beside it as
//! `MODEL.golden.json` and compared with the report of each new run.
//!
//! Numbers compare to a relative tolerance plus a tiny absolute floor (`ABS_FLOOR`, so
//! that probabilities of 1e-20 and 2e-20 agree: their logs, also in the report, are
//! compared relatively); integers, strings, booleans, `null`s, keys and lengths compare
//! exactly.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

/// Absolute difference below which two numbers of a report always agree.
pub const ABS_FLOOR: f64 = 1e-12;

/// The golden report of a model file: `fig1.nshed` → `fig1.golden.json`, beside it.
pub fn golden_path(model: &Path) -> PathBuf {
    // Built from the name's bytes: a name that is not UTF-8 keeps its own golden report.
    let mut name = model
        .file_stem()
        .map_or_else(|| "model".into(), std::ffi::OsStr::to_os_string);
    name.push(".golden.json");
    model.with_file_name(name)
}

/// One value that differs between the golden report and the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    /// Where, e.g. `samples[0].p[1]` or `eta["t1->c2"]`.
    pub path: String,
    /// The golden value (`None`: the golden report has no such entry).
    pub golden: Option<Value>,
    /// The run's value (`None`: the run has no such entry).
    pub actual: Option<Value>,
}

/// The differences between `golden` and `actual`, in path order: the first `keep` of
/// them, and how many there are in all.
pub fn compare(golden: &Value, actual: &Value, rtol: f64, keep: usize) -> (Vec<Difference>, usize) {
    let mut diff = Diff {
        rtol,
        keep,
        kept: Vec::new(),
        total: 0,
    };
    diff.walk(&mut String::new(), golden, actual);
    (diff.kept, diff.total)
}

struct Diff {
    rtol: f64,
    keep: usize,
    kept: Vec<Difference>,
    total: usize,
}

impl Diff {
    fn differ(&mut self, path: &str, golden: Option<&Value>, actual: Option<&Value>) {
        self.total += 1;
        if self.kept.len() < self.keep {
            self.kept.push(Difference {
                path: if path.is_empty() {
                    "(the whole report)".to_string()
                } else {
                    path.to_string()
                },
                golden: golden.cloned(),
                actual: actual.cloned(),
            });
        }
    }

    /// Compares in place, extending `path` for the children and restoring it after.
    fn walk(&mut self, path: &mut String, golden: &Value, actual: &Value) {
        match (golden, actual) {
            (Value::Object(g), Value::Object(a)) => {
                let mut keys: Vec<&String> = g.keys().chain(a.keys()).collect();
                keys.sort();
                keys.dedup();
                for key in keys {
                    let len = path.len();
                    push_key(path, key);
                    match (g.get(key), a.get(key)) {
                        (Some(gv), Some(av)) => self.walk(path, gv, av),
                        (gv, av) => self.differ(path, gv, av),
                    }
                    path.truncate(len);
                }
            }
            (Value::Array(g), Value::Array(a)) => {
                for i in 0..g.len().max(a.len()) {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    match (g.get(i), a.get(i)) {
                        (Some(gv), Some(av)) => self.walk(path, gv, av),
                        (gv, av) => self.differ(path, gv, av),
                    }
                    path.truncate(len);
                }
            }
            (Value::Number(g), Value::Number(a)) => {
                if !numbers_agree(g, a, self.rtol) {
                    self.differ(path, Some(golden), Some(actual));
                }
            }
            _ => {
                if golden != actual {
                    self.differ(path, Some(golden), Some(actual));
                }
            }
        }
    }
}

/// Integers exactly; other numbers within `rtol` relative plus `ABS_FLOOR`.
fn numbers_agree(g: &serde_json::Number, a: &serde_json::Number, rtol: f64) -> bool {
    if let (Some(x), Some(y)) = (g.as_i64(), a.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (g.as_u64(), a.as_u64()) {
        return x == y;
    }
    match (g.as_f64(), a.as_f64()) {
        (Some(x), Some(y)) => x == y || (x - y).abs() <= rtol * x.abs().max(y.abs()) + ABS_FLOOR,
        _ => false,
    }
}

/// `.key` for a name, `["t1->c2"]` for anything else; no dot at the start.
fn push_key(path: &mut String, key: &str) {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&Value::String(key.to_string()).to_string());
        path.push(']');
    }
}

/// Largest golden report read, in bytes (the run report of a model of a million nodes is
/// about a hundred megabytes).
pub const MAX_GOLDEN_BYTES: usize = 1 << 30;

/// What reading a golden report gave.
#[derive(Debug)]
pub enum Read {
    /// There is no golden report.
    Absent,
    /// Something that is not a regular file (a FIFO, a device, a link to one): what it
    /// is. It is not opened, so it is never waited on.
    NotRegular(String),
    /// A run report of this model.
    Report(Value),
    /// The file cannot be used: why.
    Invalid(String),
    /// A run report of the model named here.
    OtherModel(String),
}

/// Reads the golden report at `path` for the model called `model`.
pub fn read(path: &Path, model: &str) -> Read {
    use crate::fsio::{Accept, Input, ReadError};
    let read = Input::open(
        path,
        Accept::RegularFile,
        MAX_GOLDEN_BYTES,
        "a golden report",
    )
    .and_then(Input::read_json_object);
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return match std::fs::symlink_metadata(path) {
                Ok(_) => Read::NotRegular("a link to nothing".to_string()),
                Err(_) => Read::Absent,
            }
        }
        Err(ReadError::NotRegular(what)) => return Read::NotRegular(what.to_string()),
        Err(ReadError::NotJsonObject) => {
            return Read::Invalid("not a run report: it does not start with `{`".to_string())
        }
        Err(e) => return Read::Invalid(format!("cannot read it: {e}")),
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return Read::Invalid(format!("not valid JSON: {e}")),
    };
    match value.get("model") {
        Some(Value::String(name)) if name == model => Read::Report(value),
        Some(Value::String(name)) => Read::OtherModel(name.clone()),
        _ => Read::Invalid(
            "not a run report: no `model` name (it should hold what `nshed run --json` prints)"
                .to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_agree_to_the_relative_tolerance_and_the_floor() {
        let (d, n) = compare(&json!({"x": 1.0}), &json!({"x": 1.0 + 5e-10}), 1e-9, 10);
        assert_eq!((d.len(), n), (0, 0));
        let (d, n) = compare(&json!({"x": 1.0}), &json!({"x": 1.0 + 3e-9}), 1e-9, 10);
        assert_eq!(n, 1);
        assert_eq!(d[0].path, "x");
        let (_, n) = compare(&json!([1e-20]), &json!([2e-20]), 1e-9, 10);
        assert_eq!(n, 0, "below the absolute floor");
        let (_, n) = compare(&json!({"steps": 100}), &json!({"steps": 101}), 0.5, 10);
        assert_eq!(n, 1, "integers compare exactly");
    }

    #[test]
    fn paths_name_keys_and_indices_and_missing_entries_count() {
        let golden = json!({"eta": {"t1->c2": 1.0}, "samples": [{"p": [0.5, 0.5]}], "gone": 1});
        let actual =
            json!({"eta": {"t1->c2": 2.0}, "samples": [{"p": [0.5, 0.4, 0.1]}], "new": null});
        let (d, n) = compare(&golden, &actual, 1e-9, 3);
        assert_eq!(n, 5);
        let paths: Vec<&str> = d.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["eta[\"t1->c2\"]", "gone", "new"]);
        assert_eq!(d[1].actual, None);
        assert_eq!(d[2].golden, None);
    }

    #[test]
    fn other_kinds_compare_exactly() {
        let (_, n) = compare(
            &json!({"a": null, "b": "x"}),
            &json!({"a": 0.0, "b": "y"}),
            1.0,
            9,
        );
        assert_eq!(n, 2);
        let (d, n) = compare(&json!(1.0), &json!("1"), 1.0, 9);
        assert_eq!((d[0].path.as_str(), n), ("(the whole report)", 1));
    }

    #[test]
    fn golden_paths_sit_beside_the_model() {
        assert_eq!(
            golden_path(Path::new("examples/fig1.nshed")),
            PathBuf::from("examples/fig1.golden.json")
        );
        assert_eq!(golden_path(Path::new("m")), PathBuf::from("m.golden.json"));
    }
}
