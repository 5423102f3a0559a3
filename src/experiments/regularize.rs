//! Implicit regularization: one copy of a model trained per batch size, all from the same
//! seed, then per feature level how concentrated `lambda` is (effective number of nodes,
//! share of the top node) and the neural-collapse ratio of the level-(L-1) score vectors.

use serde::Serialize;

use super::experiment::ExperimentError;
use super::schedule::with_schedule;
use crate::analysis::{level_sparsity, neural_collapse_ln, Collapse, LevelSparsity};
use crate::engine::{run_seed, Evaluator, Model, State, Trainer};
use crate::ir::Ir;
use crate::Compiled;

/// Options of `nshed regularize`.
#[derive(Clone, Debug, PartialEq)]
pub struct RegularizeOptions {
    /// Batch sizes to compare (each >= 1); every phase's batch is replaced.
    pub batches: Vec<u64>,
    /// Total training steps instead of the file's (phases scaled in proportion).
    pub steps: Option<u64>,
    /// Seed of every run's stream (the file's seed, or 0, when `None`).
    pub seed: Option<u64>,
}

/// The measures of one trained copy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegularizeRun {
    /// The batch size of the copy.
    pub batch: u64,
    /// Training steps it took.
    pub steps: u64,
    /// How concentrated each feature level's `lambda` is.
    pub levels: Vec<LevelResult>,
    /// Neural collapse of the level-(L-1) score vectors, normalised as the information plane
    /// normalises them.
    pub collapse: Collapse,
    /// Data accuracy, test metrics and the generalisation gap of the trained copy; `None`
    /// (left out) when the model has no test set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<crate::metrics::Generalisation>,
}

/// How concentrated one level's `lambda` is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelResult {
    /// The level's name.
    pub level: String,
    /// The effective number of nodes: `exp` of the entropy of `lambda / sum lambda`.
    pub effective_nodes: f64,
    /// Share of the level's total `lambda` held by its largest.
    pub top_share: f64,
    /// The node with the largest `lambda` (`None` when all are 0).
    pub top_node: Option<String>,
    /// The spread of its `lambda` over its nodes, for figures.
    #[serde(skip)]
    pub sparsity: LevelSparsity,
}

/// The report of `nshed regularize`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegularizeReport {
    /// Feature level names.
    pub levels: Vec<String>,
    /// The model's name.
    pub model: String,
    /// One trained copy per batch size.
    pub runs: Vec<RegularizeRun>,
    /// The seed of every copy's run.
    pub seed: u64,
}

/// Trains one copy of the model of `compiled` per batch size and measures each.
pub fn regularize(
    compiled: &Compiled,
    options: &RegularizeOptions,
) -> Result<RegularizeReport, ExperimentError> {
    let ir = &compiled.ir;
    if ir.train.is_none() {
        return Err(ExperimentError::model(
            format!(
                "`{}` has no `train` block, so there is nothing to compare",
                compiled.source.name
            ),
            "add a `train` block with at least one phase",
        ));
    }
    if options.batches.is_empty() {
        return Err(ExperimentError::options(
            "no batch sizes to compare",
            "give at least one batch size, e.g. --batches 1,8,64",
        ));
    }
    if let Some(e) = options
        .batches
        .iter()
        .find_map(|&b| crate::ir::validate_batch(b).err())
    {
        return Err(ExperimentError::options(
            e,
            "give batch sizes of 1 to 1048576, e.g. --batches 1,8,64",
        ));
    }
    let seed = run_seed(ir, options.seed);
    let mut runs = Vec::with_capacity(options.batches.len());
    for &batch in &options.batches {
        let copy = with_schedule(ir, Some(batch), options.steps);
        let run = train_and_measure(&copy, seed, batch)
            .map_err(|e| ExperimentError::failed(format!("batch {batch}: {e}")))?;
        runs.push(run);
    }
    Ok(RegularizeReport {
        levels: ir.levels.iter().map(|l| l.name.clone()).collect(),
        model: ir.model.clone(),
        runs,
        seed,
    })
}

fn train_and_measure(
    ir: &Ir,
    seed: u64,
    batch: u64,
) -> Result<RegularizeRun, crate::analysis::AnalysisError> {
    let model = Model::new(ir);
    let mut state = State::new(ir, seed);
    let mut trainer = Trainer::new(&model);
    let steps = trainer.total_steps();
    trainer.run(&mut state);

    let levels = ir
        .levels
        .iter()
        .map(|level| {
            let first = level.first as usize;
            let ln: Vec<f64> = (first..first + level.len as usize)
                .map(|n| state.ln_lambda(n))
                .collect();
            let sparsity = level_sparsity(&ln);
            LevelResult {
                level: level.name.clone(),
                effective_nodes: sparsity.effective_nodes,
                top_share: sparsity.top_share,
                top_node: sparsity
                    .top_node
                    .map(|i| ir.nodes[first + i].name.to_string()),
                sparsity,
            }
        })
        .collect();

    let (mut rows, mut labels, mut weights) = (Vec::new(), Vec::new(), Vec::new());
    if let Some(top) = ir.levels.last() {
        let range = top.first as usize..(top.first + top.len) as usize;
        let mut ev = Evaluator::new(&model);
        let mut scores = Vec::new();
        for sample in &ir.data.samples {
            ev.dense_ln_scores_into(&model, &state, &sample.input, &mut scores);
            rows.push(scores[range.clone()].to_vec());
            labels.push(sample.label as usize);
            weights.push(sample.weight);
        }
    }
    let collapse = neural_collapse_ln(&rows, &labels, &weights)?;
    Ok(RegularizeRun {
        batch,
        steps,
        levels,
        collapse,
        test: crate::metrics::generalisation(&model, &state),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiments::experiment::ErrorKind;

    #[test]
    fn no_batch_sizes_is_refused_like_a_bad_one() {
        let source = crate::source::Source {
            name: "fig1.nshed".into(),
            text: include_str!("../../examples/fig1.nshed").into(),
        };
        let Ok(compiled) = crate::compile(source) else {
            panic!("examples/fig1.nshed compiles")
        };
        for batches in [vec![], vec![0]] {
            let options = RegularizeOptions {
                batches,
                steps: Some(10),
                seed: None,
            };
            let err = regularize(&compiled, &options).err();
            assert_eq!(err.map(|e| e.kind), Some(ErrorKind::Options));
        }
    }
}
