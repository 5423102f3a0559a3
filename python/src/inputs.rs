//! Python arguments to the library's inputs: one input (a sample name, a pattern string,
//! a list of input-node names, or a 0/1 vector), a table of inputs (a 2-D 0/1 array or
//! a list of inputs), labels (class names) and batches of `step_on`.

use std::collections::HashMap;

use nshed::engine::batch::Inputs;
use nshed::ir::{ClassId, Ir};
use nshed::query;
use nshed::span::Span;
use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyList, PyString, PyTuple};

use crate::error::{argument_error, problems_error};

/// `what` of `x` for messages: "`list`".
pub fn type_name(x: &Bound<'_, PyAny>) -> String {
    x.get_type()
        .name()
        .map_or_else(|_| "this".to_string(), |n| format!("`{n}`"))
}

/// A number of steps or a seed: an `int` >= 0 (`bool` is refused).
pub fn count(what: &str, value: &Bound<'_, PyAny>) -> PyResult<u64> {
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int, not {}",
            type_name(value)
        )));
    }
    let n: i128 = value.extract()?;
    u64::try_from(n).map_err(|_| {
        argument_error(
            format!("{what} must be an int from 0 to 2^64 - 1, got {n}"),
            format!("give {what} as a non-negative int"),
        )
    })
}

/// `x` as a C-ordered numpy bool array when it is a numpy array or a list or tuple of
/// numbers or bools whose entries are all 0 or 1; `None` when it is something else (a
/// string, a list of names). Numbers other than 0 and 1 are refused.
fn zero_one_array<'py>(x: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = x.py();
    let is_array = x.cast::<PyUntypedArray>().is_ok();
    if !(is_array || x.is_instance_of::<PyList>() || x.is_instance_of::<PyTuple>()) {
        return Ok(None);
    }
    let np = py.import("numpy")?;
    let array = if is_array {
        x.clone()
    } else {
        // Lists of names (or of lists of names) stay names; `asarray` would make them
        // string arrays, which are not 0/1 either.
        match np.call_method1("asarray", (x,)) {
            Ok(a) => a,
            Err(_) => return Ok(None),
        }
    };
    let kind: String = array.getattr("dtype")?.getattr("kind")?.extract()?;
    match kind.as_str() {
        "b" => {}
        "i" | "u" | "f" => {
            let bad = np
                .call_method1("isin", (&array, (0, 1)))?
                .call_method0("__invert__")?;
            if bad.call_method0("any")?.extract::<bool>()? {
                let value = array.get_item(&bad)?.get_item(0)?;
                let is_nan = np.call_method1("isnan", (&value,))?.extract::<bool>()?;
                let shown = if is_nan {
                    "NaN".to_string()
                } else {
                    value.call_method0("item")?.repr()?.to_cow()?.into_owned()
                };
                return Err(argument_error(
                    format!("an input holds {shown}, a value other than 0 and 1"),
                    "give 0/1 (or bool) entries, one per input node in the order of `input_nodes`",
                ));
            }
        }
        _ if is_array => {
            return Err(PyTypeError::new_err(format!(
                "an input array holds 0/1 numbers or bools, not dtype {}",
                array.getattr("dtype")?.str()?
            )))
        }
        _ => return Ok(None),
    }
    let bools = np
        .getattr("bool_")
        .and_then(|dtype| np.call_method1("ascontiguousarray", (&array, dtype)))?;
    Ok(Some(bools))
}

/// The entries of a C-ordered bool array and its shape.
fn bits_of(array: &Bound<'_, PyAny>) -> PyResult<(Vec<bool>, Vec<usize>)> {
    let array = array.cast::<PyArrayDyn<bool>>()?;
    let shape = array.shape().to_vec();
    let bits = array.readonly().as_slice().map(<[bool]>::to_vec);
    Ok((
        bits.map_err(|e| PyTypeError::new_err(e.to_string()))?,
        shape,
    ))
}

/// The input nodes (names) that are on in a 0/1 vector.
fn names_of_vector(ir: &Ir, n_inputs: usize, bits: &[bool]) -> PyResult<Vec<String>> {
    if bits.len() != n_inputs {
        return Err(argument_error(
            format!(
                "an input vector has {} entries; the model has {n_inputs} input nodes",
                bits.len()
            ),
            "give one 0/1 entry per input node, in the order of `input_nodes`",
        ));
    }
    Ok(bits
        .iter()
        .zip(&ir.nodes)
        .filter(|(&on, _)| on)
        .map(|(_, node)| node.name.to_string())
        .collect())
}

/// The names of a list or tuple of strings (`None` when an item is not a string).
fn names_of(x: &Bound<'_, PyAny>) -> Option<Vec<String>> {
    let items: Vec<Bound<'_, PyAny>> = if let Ok(list) = x.cast::<PyList>() {
        list.iter().collect()
    } else if let Ok(tuple) = x.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return None;
    };
    items
        .iter()
        .map(|i| {
            i.cast::<PyString>()
                .ok()
                .and_then(|s| s.to_cow().ok().map(|c| c.into_owned()))
        })
        .collect()
}

/// The text of an input argument as the query language writes it: a string as it is, a
/// list of names or a 0/1 vector as the pattern `{a b}` (with `->label` when given).
pub fn input_text(
    ir: &Ir,
    n_inputs: usize,
    x: &Bound<'_, PyAny>,
    label: Option<&str>,
) -> PyResult<String> {
    if let Ok(s) = x.cast::<PyString>() {
        if label.is_some() {
            return Err(PyTypeError::new_err(
                "label= goes with a list of node names or a 0/1 vector; write a labelled \
                 pattern as \"{e1 e2}->c1\"",
            ));
        }
        return Ok(s.to_cow()?.into_owned());
    }
    let names = match names_of(x) {
        Some(names) => names,
        None => match zero_one_array(x)? {
            Some(array) => {
                let (bits, shape) = bits_of(&array)?;
                if shape.len() != 1 {
                    return Err(argument_error(
                        format!("an input vector has {} dimensions, not 1", shape.len()),
                        "give one input as a 1-D 0/1 array; a 2-D array is for the `_many` methods",
                    ));
                }
                names_of_vector(ir, n_inputs, &bits)?
            }
            None => {
                return Err(PyTypeError::new_err(format!(
                    "an input is a sample name, a pattern string such as \"{{e1 e2}}\", a list \
                     of input-node names, or a 0/1 vector (one entry per input node), not {}",
                    type_name(x)
                )))
            }
        },
    };
    query::pattern_text(&names, label).map_err(|p| {
        let shown = format!("{{{}}}", names.join(" "));
        problems_error("<input>", &shown, vec![p])
    })
}

/// One input resolved to the input nodes that are on.
pub fn resolve(ir: &Ir, n_inputs: usize, x: &Bound<'_, PyAny>) -> PyResult<query::Input> {
    let text = input_text(ir, n_inputs, x, None)?;
    query::parse_input(ir, &text).map_err(|p| problems_error("<input>", &text, p))
}

/// A table of inputs: a 2-D 0/1 array (one column per input node, in the order of
/// `input_nodes`), or a list or tuple of inputs of any form `resolve` takes.
pub fn inputs(ir: &Ir, n_inputs: usize, x: &Bound<'_, PyAny>) -> PyResult<Inputs> {
    let is_sequence = x.is_instance_of::<PyList>() || x.is_instance_of::<PyTuple>();
    if !is_sequence && x.cast::<PyUntypedArray>().is_err() {
        return Err(PyTypeError::new_err(format!(
            "X is a 2-D 0/1 numpy array or a list of inputs, not {}{}",
            type_name(x),
            if x.hasattr("columns")? {
                " (for a DataFrame, give df[model.input_nodes].to_numpy())"
            } else {
                ""
            }
        )));
    }
    if let Some(array) = zero_one_array(x)? {
        let (bits, shape) = bits_of(&array)?;
        return match shape.as_slice() {
            [_, width] => Inputs::from_indicators(&bits, *width, n_inputs)
                .map_err(|p| problems_error("<X>", "", vec![p])),
            [0] => Ok(Inputs::new()),
            _ => Err(argument_error(
                format!("X has {} dimensions, not 2", shape.len()),
                "give one row per input and one 0/1 column per input node (one input alone \
                 goes to the methods without `_many`)",
            )),
        };
    }
    let mut out = Inputs::new();
    for (i, item) in x.try_iter()?.enumerate() {
        let item = item?;
        let text = input_text(ir, n_inputs, &item, None)?;
        let input = query::parse_input(ir, &text)
            .map_err(|p| problems_error(&format!("<X row {i}>"), &text, p))?;
        out.push(&input.input);
    }
    Ok(out)
}

/// Class labels: a list, tuple or 1-D array of class names.
pub fn labels(ir: &Ir, y: &Bound<'_, PyAny>) -> PyResult<Vec<ClassId>> {
    if y.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "y is a sequence of class names, not one string",
        ));
    }
    let mut known: HashMap<String, ClassId> = HashMap::new();
    let mut out = Vec::new();
    for (i, item) in y.try_iter()?.enumerate() {
        let item = item?;
        let name: String = item.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "a label is a class name (str), not {} (row {i})",
                type_name(&item)
            ))
        })?;
        if let Some(&c) = known.get(&name) {
            out.push(c);
            continue;
        }
        let c = query::class_named(ir, &name, Span::new(0, name.len()))
            .map_err(|p| problems_error(&format!("<y row {i}>"), &name, vec![p]))?;
        known.insert(name, c);
        out.push(c);
    }
    Ok(out)
}

/// The batch of `step_on`: a string as the REPL's `step` takes it, or a list whose items
/// are a sample name, a labelled pattern string, or a pair `(input, class)`.
pub fn batch_text(ir: &Ir, n_inputs: usize, batch: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = batch.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(list) = batch.cast::<PyList>() {
        list.iter().collect()
    } else {
        return Err(PyTypeError::new_err(format!(
            "a batch is a string (\"c1a, {{e4 e5}}->c2\") or a list of samples, labelled \
             patterns and (input, class) pairs, not {}",
            type_name(batch)
        )));
    };
    let mut parts = Vec::with_capacity(items.len());
    for item in &items {
        if let Ok(s) = item.cast::<PyString>() {
            parts.push(s.to_cow()?.into_owned());
        } else if let Ok(pair) = item.cast::<PyTuple>() {
            let (input, class): (Bound<'_, PyAny>, String) = pair.extract().map_err(|_| {
                PyTypeError::new_err(
                    "a batch item given as a tuple is (input-node names or 0/1 vector, class name)",
                )
            })?;
            if input.is_instance_of::<PyString>() {
                return Err(PyTypeError::new_err(
                    "a batch item given as a tuple is (input-node names or 0/1 vector, class \
                     name); write a labelled pattern string as \"{e1 e2}->c1\"",
                ));
            }
            parts.push(input_text(ir, n_inputs, &input, Some(&class))?);
        } else {
            return Err(PyTypeError::new_err(format!(
                "a batch item is a sample name, a labelled pattern \"{{e1 e2}}->c1\" or a pair \
                 (input, class), not {}",
                type_name(item)
            )));
        }
    }
    Ok(parts.join(", "))
}
