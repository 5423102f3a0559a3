//! `nshed le`: the local-elasticity matrix over the data samples at the trained state.

use super::run::{print_json, trained_state, StateArgs};
use super::{load_model, print_stdout};
use crate::engine::Model;
use crate::query::{answer, Answer, Query, QueryKind};
use crate::syntax::ast::Span;

pub fn le(file: &str, json: bool, args: &StateArgs) -> u8 {
    let compiled = match load_model(file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let model = Model::new(&compiled.ir);
    let state = match trained_state(&model, args, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if compiled.ir.data.samples.is_empty() {
        eprintln!("note: the model has no data samples; the matrix is empty");
    }
    let query = Query {
        kind: QueryKind::LeMatrix,
        span: Span::default(),
    };
    let answer = answer(&model, &state, &query);
    if json {
        // The documented shape: {"samples": [...], "matrix": [[...]...], ...}.
        match &answer {
            Answer::LeMatrix {
                samples,
                matrix,
                classes,
                class_means,
            } => print_json(&serde_json::json!({
                "samples": samples,
                "matrix": matrix,
                "classes": classes,
                "class_means": class_means,
            })),
            other => print_json(other),
        }
    } else {
        print_stdout(&answer.to_string())
    }
}
