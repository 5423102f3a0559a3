//! From the library's typed results to Python objects: serde values to dicts, lists and
//! numbers, and tables of numbers to numpy arrays.

use nshed::diag::ErrorCode;
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

/// A serialisable report as Python objects: objects become dicts (keys in the report's
/// order), arrays lists, numbers `int` or `float`, `null` `None`.
pub fn to_python<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(value).map_err(|e| {
        crate::error::problem_error(
            "<nshed>",
            nshed::diag::Problem::error(
                ErrorCode::Internal,
                format!("cannot convert a report: {e}"),
            ),
        )
    })?;
    value_to_python(py, &value)
}

/// See [`to_python`].
pub fn value_to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.into_pyobject(py)?.into_any(),
            (None, Some(i)) => i.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value_to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, value_to_python(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// A float64 vector.
pub fn vector<'py>(py: Python<'py>, values: Vec<f64>) -> Bound<'py, PyArray1<f64>> {
    values.into_pyarray(py)
}

/// A `rows x cols` float64 matrix from its rows (`None` becomes NaN).
pub fn matrix<'py>(
    py: Python<'py>,
    rows: &[Vec<Option<f64>>],
    cols: usize,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let flat: Vec<f64> = rows
        .iter()
        .flat_map(|r| r.iter().map(|v| v.unwrap_or(f64::NAN)))
        .collect();
    let array = Array2::from_shape_vec((rows.len(), cols), flat).map_err(|e| {
        crate::error::problem_error(
            "<nshed>",
            nshed::diag::Problem::error(ErrorCode::Internal, format!("ragged matrix: {e}")),
        )
    })?;
    Ok(array.into_pyarray(py))
}

/// A `rows x cols` int64 matrix from its rows.
pub fn int_matrix<'py>(
    py: Python<'py>,
    rows: &[Vec<usize>],
    cols: usize,
) -> PyResult<Bound<'py, PyArray2<i64>>> {
    let flat: Vec<i64> = rows
        .iter()
        .flat_map(|r| r.iter().map(|&v| v as i64))
        .collect();
    let array = Array2::from_shape_vec((rows.len(), cols), flat).map_err(|e| {
        crate::error::problem_error(
            "<nshed>",
            nshed::diag::Problem::error(ErrorCode::Internal, format!("ragged matrix: {e}")),
        )
    })?;
    Ok(array.into_pyarray(py))
}
