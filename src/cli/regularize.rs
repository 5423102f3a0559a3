//! `nshed regularize`: implicit regularization (SPEC 8). Trains one copy of the model per batch
//! size, all from the same seed, then reports per feature level how concentrated `lambda` is
//! (effective number of nodes, share of the top node) and the neural-collapse ratio of the
//! level-(L-1) score vectors.

use std::fmt::Write as _;

use super::run::print_json;
use super::{exit, load_model, print_stdout};
use crate::analysis::{level_sparsity, neural_collapse_ln, Collapse, LevelSparsity};
use crate::engine::numeric::fmt_num;
use crate::engine::{run_seed, Evaluator, Model, State, Trainer};
use crate::ir::Ir;
use crate::plot::{grouped_bars_svg, sparsity_bar_panels, BarPanel, BarSeries, FigureOptions};

/// Options of `nshed regularize`.
#[derive(clap::Args, Debug, Clone)]
pub struct RegularizeArgs {
    /// The model file (`-` reads standard input); it needs a `train` block.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Batch sizes to compare, comma-separated (each >= 1); every phase's batch is replaced.
    #[arg(long, value_name = "B,B,...", required = true, num_args = 1.., value_delimiter = ',',
          value_parser = clap::value_parser!(u64).range(1..))]
    pub batches: Vec<u64>,
    /// Total training steps instead of the file's: a single phase gets N steps; several phases
    /// are scaled in proportion to their steps (rounded so that they add up to N).
    #[arg(long, value_name = "N")]
    pub steps: Option<u64>,
    /// Seed of every run's random stream (wins over `train { seed N }`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Write grouped bar charts (effective nodes, top share, collapse ratio) to this SVG file.
    #[arg(long, value_name = "PATH")]
    pub svg: Option<String>,
}

/// The measures of one trained copy.
#[derive(Debug, Clone, serde::Serialize)]
struct RunResult {
    batch: u64,
    steps: u64,
    levels: Vec<LevelResult>,
    /// Neural collapse of the level-(L-1) score vectors, normalised as in SPEC 6.
    collapse: Collapse,
}

#[derive(Debug, Clone, serde::Serialize)]
struct LevelResult {
    level: String,
    effective_nodes: f64,
    top_share: f64,
    top_node: Option<String>,
    #[serde(skip)]
    sparsity: LevelSparsity,
}

pub fn run(args: &RegularizeArgs) -> u8 {
    let compiled = match load_model(&args.file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let ir = &compiled.ir;
    if ir.train.is_none() {
        eprintln!(
            "error: `{}` has no `train` block, so there is nothing to compare",
            args.file
        );
        return exit::MODEL_ERROR;
    }
    let seed = run_seed(ir, args.seed);
    let mut runs = Vec::with_capacity(args.batches.len());
    for &batch in &args.batches {
        let copy = with_schedule(ir, batch, args.steps);
        match train_and_measure(&copy, seed, batch) {
            Ok(r) => runs.push(r),
            Err(e) => {
                eprintln!("error: batch {batch}: {e}");
                return exit::MODEL_ERROR;
            }
        }
    }

    if let Some(path) = &args.svg {
        let svg = figure(ir, &runs);
        let code = super::write_output(path, svg.as_bytes());
        if code != exit::OK {
            return code;
        }
    }
    if args.json {
        print_json(&serde_json::json!({
            "model": ir.model,
            "seed": seed,
            "levels": ir.levels.iter().map(|l| l.name.clone()).collect::<Vec<_>>(),
            "runs": runs,
        }))
    } else {
        print_stdout(&table(ir, seed, &runs))
    }
}

/// A copy of `ir` whose every phase trains with `batch`, and whose schedule has `steps` steps in
/// total when given (see [`scale_steps`]).
fn with_schedule(ir: &Ir, batch: u64, steps: Option<u64>) -> Ir {
    let mut copy = ir.clone();
    if let Some(train) = copy.train.as_mut() {
        for phase in &mut train.phases {
            phase.batch = batch;
        }
        if let Some(total) = steps {
            let old: Vec<u64> = train.phases.iter().map(|p| p.steps).collect();
            for (phase, s) in train.phases.iter_mut().zip(scale_steps(&old, total)) {
                phase.steps = s;
            }
        }
        // The copies are never recorded.
        train.record = None;
    }
    copy
}

/// Phase lengths scaled to add up to `total`, each in proportion to `old` (cumulative
/// rounding down, so the sum is exact). A schedule of zero steps puts everything in the last
/// phase.
pub(super) fn scale_steps(old: &[u64], total: u64) -> Vec<u64> {
    let sum: u128 = old.iter().map(|&s| u128::from(s)).sum();
    if old.is_empty() {
        return Vec::new();
    }
    if sum == 0 {
        let mut out = vec![0; old.len()];
        if let Some(last) = out.last_mut() {
            *last = total;
        }
        return out;
    }
    let mut out = Vec::with_capacity(old.len());
    let (mut cum_old, mut cum_new) = (0u128, 0u64);
    for (i, &s) in old.iter().enumerate() {
        cum_old += u128::from(s);
        let next = if i + 1 == old.len() {
            total
        } else {
            match u128::from(total).checked_mul(cum_old) {
                // cum_old <= sum, so the quotient is <= total and fits in u64.
                Some(p) => u64::try_from(p / sum).unwrap_or(total),
                // Astronomic schedules: the proportion in floating point is close enough.
                None => (total as f64 * (cum_old as f64 / sum as f64)) as u64,
            }
        }
        .clamp(cum_new, total);
        out.push(next - cum_new);
        cum_new = next;
    }
    out
}

fn train_and_measure(
    ir: &Ir,
    seed: u64,
    batch: u64,
) -> Result<RunResult, crate::analysis::AnalysisError> {
    let model = Model::new(ir);
    let mut state = State::new(ir, seed);
    let mut trainer = Trainer::new(&model);
    let steps = trainer.total_steps();
    trainer.run(&mut state, &mut |_| {});

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
                top_node: sparsity.top_node.map(|i| ir.nodes[first + i].name.clone()),
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
    Ok(RunResult {
        batch,
        steps,
        levels,
        collapse,
    })
}

fn figure(ir: &Ir, runs: &[RunResult]) -> String {
    let levels: Vec<String> = ir.levels.iter().map(|l| l.name.clone()).collect();
    let labelled: Vec<(String, Vec<LevelSparsity>)> = runs
        .iter()
        .map(|r| {
            (
                format!("batch {}", r.batch),
                r.levels.iter().map(|l| l.sparsity).collect(),
            )
        })
        .collect();
    let mut panels = sparsity_bar_panels(&levels, &labelled);
    let top = levels.last().cloned().unwrap_or_default();
    panels.push(BarPanel {
        title: "Neural collapse".to_string(),
        y_label: "within / between class variance".to_string(),
        categories: vec![top],
        series: runs
            .iter()
            .map(|r| BarSeries {
                label: format!("batch {}", r.batch),
                values: vec![r.collapse.ratio.unwrap_or(f64::NAN)],
            })
            .collect(),
    });
    let title = format!("Implicit regularization of {}", ir.model);
    grouped_bars_svg(&panels, &FigureOptions::titled(title))
}

fn table(ir: &Ir, seed: u64, runs: &[RunResult]) -> String {
    let mut out = format!("implicit regularization of {} (seed {seed})\n", ir.model);
    let lw = ir
        .levels
        .iter()
        .map(|l| l.name.len())
        .max()
        .unwrap_or(0)
        .max(5);
    let _ = writeln!(
        out,
        "{:>6}  {:>6}  {:lw$}  {:>15}  {:>9}  top node",
        "batch", "steps", "level", "effective nodes", "top share"
    );
    for r in runs {
        for l in &r.levels {
            let _ = writeln!(
                out,
                "{:>6}  {:>6}  {:lw$}  {:>15}  {:>9}  {}",
                r.batch,
                r.steps,
                l.level,
                fmt_num(l.effective_nodes),
                fmt_num(l.top_share),
                l.top_node.as_deref().unwrap_or("-")
            );
        }
    }
    let top = ir.levels.last().map_or("-", |l| l.name.as_str());
    let _ = writeln!(
        out,
        "\nneural collapse of level `{top}` (normalised scores; within / between class variance)"
    );
    let _ = writeln!(
        out,
        "{:>6}  {:>12}  {:>12}  {:>12}",
        "batch", "within", "between", "ratio"
    );
    for r in runs {
        let c = &r.collapse;
        let _ = writeln!(
            out,
            "{:>6}  {:>12}  {:>12}  {:>12}",
            r.batch,
            fmt_num(c.within),
            fmt_num(c.between),
            c.ratio.map_or("undefined".to_string(), fmt_num)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::scale_steps;

    #[test]
    fn scaled_steps_add_up() {
        assert_eq!(scale_steps(&[1500], 300), vec![300]);
        assert_eq!(scale_steps(&[100, 200, 100], 8), vec![2, 4, 2]);
        let s = scale_steps(&[1, 1, 1], 10);
        assert_eq!(s.iter().sum::<u64>(), 10);
        assert_eq!(scale_steps(&[0, 0], 5), vec![0, 5]);
        assert_eq!(
            scale_steps(&[u64::MAX, u64::MAX], u64::MAX)
                .iter()
                .fold(0u64, |a, &b| a.wrapping_add(b)),
            u64::MAX
        );
    }
}
