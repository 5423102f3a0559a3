//! The integration tests, one binary: each module is one area (CLI commands, checker,
//! engine, REPL, ...); shared helpers live in `support`. Test data stays under `tests/`
//! (`bad/`, `models/`, `repl/`), snapshots under `tests/integration/snapshots/`.

// Tests may unwrap: a panic is how a test fails.
#![allow(clippy::unwrap_used)]

mod support;

mod analysis_le_stats;
mod analysis_mi;
mod analysis_plot;
mod analysis_sparsity;
mod basin_cli;
mod check_bad;
mod check_mutations;
mod check_warnings;
mod cli;
mod cli_snapshots;
mod completions;
mod curves_cli;
mod depth_cli;
mod docs_reference;
mod draw_cli;
mod engine_by_error;
mod engine_golden;
mod engine_models;
mod engine_query;
mod engine_report;
mod engine_rules;
mod error_format;
mod expect_eval;
mod fast_parse;
mod fmt;
mod fool_cli;
mod gen_accuracy;
mod gen_cli;
mod gen_compile;
mod gen_firing;
mod gen_snapshot;
mod gen_structure;
mod heldout;
mod hostile;
mod info_plane_cli;
mod ir_snapshots;
mod le_matrix_cli;
mod le_sparse;
mod lsp;
mod lsp_process;
mod record_csv;
mod regularize_cli;
mod repl_pty;
mod run_persist;
mod serve;
mod soak;
mod test_cli;
