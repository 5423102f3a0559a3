//! `nshed check` and `nshed ir`.

use super::{eprint_report, exit, load_model, print_stdout};
use crate::ir::Ir;

/// One line: what the model holds.
pub fn summary(name: &str, ir: &Ir) -> String {
    let n_nodes = ir.nodes.len() + ir.classes.len();
    let phases = ir.train.as_ref().map_or(0, |t| t.phases.len());
    format!(
        "{name}: ok — model `{}`: {} levels, {} nodes ({} class{}), {} class edges, {} samples, {} training phase{}",
        ir.model,
        ir.n_levels(),
        n_nodes,
        ir.classes.len(),
        if ir.classes.len() == 1 { "" } else { "es" },
        ir.edges.len(),
        ir.data.samples.len(),
        phases,
        plural(phases)
    )
}

pub fn check_files(files: &[String]) -> u8 {
    let mut code = exit::OK;
    for file in files {
        match crate::compile_path(file) {
            Ok(compiled) => {
                if !compiled.warnings.problems.is_empty() {
                    eprint_report(&compiled.warnings);
                }
                let mut line = summary(&compiled.source.name, &compiled.ir);
                let warnings = compiled.warnings.warning_count();
                if warnings > 0 {
                    line.push_str(&format!(", {warnings} warning{}", plural(warnings)));
                }
                line.push('\n');
                if super::error_format::get() == super::error_format::ErrorFormat::Json {
                    // stdout carries only diagnostics, one JSON object per line.
                    super::print_stderr(&line);
                } else if print_stdout(&line) != exit::OK {
                    code = exit::IO;
                }
            }
            Err(report) => {
                eprint_report(&report);
                let errors = report.error_count();
                let warnings = report.warning_count();
                let mut line = format!(
                    "{}: {} error{}",
                    report.source.name(),
                    errors,
                    plural(errors)
                );
                if warnings > 0 {
                    line.push_str(&format!(", {warnings} warning{}", plural(warnings)));
                }
                eprintln!("{line}");
                code = exit::MODEL_ERROR;
            }
        }
    }
    code
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub fn print_ir(file: &str) -> u8 {
    let compiled = match load_model(file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match serde_json::to_string_pretty(&compiled.ir) {
        Ok(mut json) => {
            json.push('\n');
            print_stdout(&json)
        }
        Err(e) => {
            eprintln!("error: cannot serialise the IR: {e}");
            exit::IO
        }
    }
}
