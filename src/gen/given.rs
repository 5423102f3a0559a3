//! Wiring levels above a given input level, from given labelled data (for instance the
//! rows of a CSV file), instead of from the generator's own prototypes and samples.
//!
//! The levels are built exactly as for generated data (`build`): the wiring needs the
//! same number of samples in every class, class by class, so it uses the first `n` rows of
//! each class, `n` the smallest class's count; each class's prototype (what level-2
//! trackers draw their children from) is the set of inputs that fire in at least half of
//! those rows. The rendered model reads its data from the file (`data { from "..." }`).

use super::build::{build_from, Generated};
use super::data::GenSample;
use super::params::{GenError, GenParams};

/// Labelled data to wire from: input and class names, and each sample's firing inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct GivenData {
    /// Level-1 node names, in order (sample inputs index into this).
    pub inputs: Vec<String>,
    /// Class names, in order (sample classes index into this).
    pub classes: Vec<String>,
    /// `(firing inputs ascending, class index)`, in file order.
    pub samples: Vec<(Vec<u32>, u32)>,
    /// The path written in the model's `data { from "..." }` line.
    pub file: String,
}

/// Names and data file of a model wired from given data, for rendering.
#[derive(Clone, Debug, PartialEq)]
pub struct GivenNames {
    pub inputs: Vec<String>,
    pub classes: Vec<String>,
    pub file: String,
}

/// Builds feature levels of `params`' shape (levels, widths, fan-in, rule mix, seed,
/// training) on the inputs and classes of `data`, wired from its samples. The input
/// width, classes, prototypes and samples of `params` are taken from `data`.
pub fn build_on(params: &GenParams, data: &GivenData) -> Result<Generated, GenError> {
    let bad = |message: String| GenError { message };
    let classes = data.classes.len();
    if data.inputs.is_empty() {
        return Err(bad("the data has no input columns".into()));
    }
    if classes == 0 {
        return Err(bad("the data has no samples".into()));
    }
    if data.file.contains(['"', '\n', '\r']) {
        return Err(bad(format!(
            "the data file's path {:?} cannot be written in a model (a path has no double \
             quote or line break)",
            data.file
        )));
    }
    let width = data.inputs.len();
    let mut by_class: Vec<Vec<&Vec<u32>>> = vec![Vec::new(); classes];
    for (inputs, class) in &data.samples {
        let slot = by_class
            .get_mut(*class as usize)
            .ok_or_else(|| bad(format!("a sample's class index {class} is out of range")))?;
        if inputs.iter().any(|&i| i as usize >= width) || !inputs.windows(2).all(|w| w[0] < w[1]) {
            return Err(bad(
                "a sample's inputs must be ascending input indices".into()
            ));
        }
        slot.push(inputs);
    }
    let n = by_class.iter().map(Vec::len).min().unwrap_or(0);
    if n == 0 {
        let empty = by_class.iter().position(Vec::is_empty).unwrap_or(0);
        return Err(bad(format!(
            "class `{}` has no sample to wire from",
            data.classes[empty]
        )));
    }
    let mut prototypes = Vec::with_capacity(classes);
    let mut samples = Vec::with_capacity(classes * n);
    for (class, rows) in by_class.iter().enumerate() {
        let rows = &rows[..n];
        prototypes.push(majority(rows, width));
        samples.extend(rows.iter().map(|inputs| GenSample {
            inputs: inputs.to_vec(),
            class: class as u32,
            prototype: class as u32,
        }));
    }
    let mut params = params.clone();
    params.input_width = width;
    params.classes = classes;
    params.prototypes_per_class = 1;
    params.samples_per_prototype = n;
    params.pattern_size = prototypes.iter().map(Vec::len).max().unwrap_or(1);
    params.noise = 0.0;
    params.validate()?;
    let names = GivenNames {
        inputs: data.inputs.clone(),
        classes: data.classes.clone(),
        file: data.file.clone(),
    };
    Ok(build_from(&params, prototypes, samples, Some(names)))
}

/// The inputs that fire in at least half of `rows`; the most frequent one when none does
/// (a level-2 tracker needs a non-empty pattern to draw from).
fn majority(rows: &[&Vec<u32>], width: usize) -> Vec<u32> {
    let mut counts = vec![0usize; width];
    for row in rows {
        for &i in row.iter() {
            counts[i as usize] += 1;
        }
    }
    let out: Vec<u32> = (0..width as u32)
        .filter(|&i| 2 * counts[i as usize] >= rows.len())
        .collect();
    if !out.is_empty() {
        return out;
    }
    let top = (0..width)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    vec![top as u32]
}

impl GivenData {
    /// Reads labelled data from CSV text with a header row, as the language reads a data
    /// file: a `label` column (class names), an optional `name` and (ignored here)
    /// `weight` column, every other column an input whose cells are `0` or `1`. Classes
    /// are numbered in order of first appearance. `file` is the path to write in the
    /// model's `from` line.
    pub fn from_csv(text: &str, file: &str) -> Result<GivenData, GenError> {
        let bad = |message: String| GenError { message };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut rows = reader.records();
        let header = match rows.next() {
            Some(Ok(h)) => h,
            Some(Err(e)) => return Err(bad(format!("{file}: {e}"))),
            None => return Err(bad(format!("{file} is empty: it needs a header row"))),
        };
        let mut label_col = None;
        let mut inputs = Vec::new();
        let mut input_cols = Vec::new();
        for (col, cell) in header.iter().enumerate() {
            match cell.trim() {
                "label" => label_col = Some(col),
                "name" | "weight" => {}
                name => {
                    if !is_name(name) {
                        return Err(bad(format!(
                            "{file}: column `{name}` is not a valid node name (a letter or `_`, \
                             then letters, digits or `_`, and not a reserved word)"
                        )));
                    }
                    inputs.push(name.to_string());
                    input_cols.push(col);
                }
            }
        }
        let label_col = label_col.ok_or_else(|| bad(format!("{file} has no `label` column")))?;
        let mut classes: Vec<String> = Vec::new();
        let mut samples = Vec::new();
        for (row, record) in rows.enumerate() {
            let line = row + 2;
            let record = record.map_err(|e| bad(format!("{file}:{line}: {e}")))?;
            let label = record.get(label_col).unwrap_or("").trim();
            if !is_name(label) {
                return Err(bad(format!(
                    "{file}:{line}: label `{label}` is not a valid class name"
                )));
            }
            let class = match classes.iter().position(|c| c == label) {
                Some(c) => c,
                None => {
                    classes.push(label.to_string());
                    classes.len() - 1
                }
            };
            let mut firing = Vec::new();
            for (i, &col) in input_cols.iter().enumerate() {
                match record.get(col).map(str::trim) {
                    Some("1") => firing.push(i as u32),
                    Some("0") => {}
                    other => {
                        return Err(bad(format!(
                            "{file}:{line}: column `{}` holds `{}`, not 0 or 1",
                            inputs[i],
                            other.unwrap_or("")
                        )))
                    }
                }
            }
            samples.push((firing, class as u32));
        }
        Ok(GivenData {
            inputs,
            classes,
            samples,
            file: file.to_string(),
        })
    }
}

/// Whether `word` can name a node or class.
fn is_name(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !crate::syntax::words::is_reserved(word)
}
