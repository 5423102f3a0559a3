//! `nshed query FILE 'QUERY'`: answer one query at the trained state.

use super::run::{print_json, trained_state, StateArgs};
use super::{eprint_report, exit, load_model, print_stdout};
use crate::diag::Report;
use crate::engine::Model;
use crate::query::{answer, parse_query};

pub fn query(file: &str, text: &str, json: bool, args: &StateArgs) -> u8 {
    let compiled = match load_model(file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // Parse before training: a typo should not cost a long run.
    let query = match parse_query(&compiled.ir, text) {
        Ok(q) => q,
        Err(problems) => {
            eprint_report(&Report::new("query", text, problems));
            return exit::MODEL_ERROR;
        }
    };
    let model = Model::new(&compiled.ir);
    let state = match trained_state(&model, args, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let answer = answer(&model, &state, &query);
    if json {
        print_json(&answer)
    } else {
        print_stdout(&answer.to_string())
    }
}
