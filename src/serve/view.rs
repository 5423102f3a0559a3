//! What the page receives, as JSON: each type is a library value converted (names instead
//! of ids, a few fields picked), never a value the server computes itself.

use serde::Serialize;

use nshed::analysis::ModelDrawing;
use nshed::diag::{JsonDiagnostic, Report};
use nshed::engine::{remaining_steps, untrainable, Model, State};
use nshed::ir::Ir;
use nshed::query::{self, Answer, Query, QueryKind};
use nshed::span::LineIndex;

use super::history::{History, Point};

/// The model as the page lays it out.
#[derive(Clone, Debug, Serialize)]
pub struct ModelInfo {
    pub name: String,
    pub levels: Vec<LevelInfo>,
    pub classes: Vec<String>,
    pub samples: Vec<SampleInfo>,
    pub phases: Vec<PhaseInfo>,
    /// Steps of the file's schedule in all.
    pub schedule_steps: u64,
    /// The seed of `train { seed N }` (0 without one).
    pub file_seed: u64,
    /// Why the model cannot be trained (no data), if it cannot.
    pub untrainable: Option<&'static str>,
    /// Whether the server keeps `ln lambda` curves (small models only).
    pub lambda_curves: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct LevelInfo {
    pub name: String,
    pub nodes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SampleInfo {
    pub name: String,
    pub label: String,
    pub inputs: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PhaseInfo {
    pub name: String,
    pub steps: u64,
    pub batch: u64,
}

impl ModelInfo {
    pub fn of(model: &Model) -> ModelInfo {
        let ir = model.ir;
        let node = |n: u32| ir.nodes[n as usize].name.to_string();
        let train = ir.train.as_ref();
        ModelInfo {
            name: ir.model.clone(),
            levels: ir
                .levels
                .iter()
                .map(|l| LevelInfo {
                    name: l.name.clone(),
                    nodes: l.node_ids().map(node).collect(),
                })
                .collect(),
            classes: ir.classes.iter().map(|c| c.name.clone()).collect(),
            samples: ir
                .data
                .samples
                .iter()
                .map(|s| SampleInfo {
                    name: s.name.clone(),
                    label: ir.classes[s.label as usize].name.clone(),
                    inputs: s.input.iter().map(|&n| node(n)).collect(),
                })
                .collect(),
            phases: train
                .map(|t| {
                    t.phases
                        .iter()
                        .map(|p| PhaseInfo {
                            name: p.name.clone(),
                            steps: p.steps,
                            batch: p.batch,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            schedule_steps: train.map_or(0, |t| {
                t.phases
                    .iter()
                    .map(|p| p.steps)
                    .fold(0, u64::saturating_add)
            }),
            file_seed: train.map_or(0, |t| t.seed),
            untrainable: untrainable(ir),
            lambda_curves: History::keeps_lambdas(model),
        }
    }
}

/// Where training is: sent after every command and, while training runs, several times a
/// second.
#[derive(Clone, Debug, Serialize)]
pub struct Progress {
    /// Counts the progresses made: the page keeps the latest when an answer and an event
    /// cross.
    pub seq: u64,
    /// Bumped whenever the model is replaced (the page then reloads it).
    pub generation: u64,
    pub step: u64,
    pub seed: u64,
    /// `idle`, `steps` (a number of steps), `schedule` (the rest of the file's
    /// schedule) or `play` (until paused).
    pub mode: &'static str,
    /// Steps of the file's schedule not yet taken.
    pub schedule_left: u64,
    /// The phase the next step belongs to (`None` past the schedule).
    pub phase: Option<String>,
    pub points: Vec<Point>,
}

impl Progress {
    pub fn of(
        seq: u64,
        generation: u64,
        mode: &'static str,
        seed: u64,
        ir: &Ir,
        state: &State,
        history: &History,
    ) -> Progress {
        Progress {
            seq,
            generation,
            step: state.step,
            seed,
            mode,
            schedule_left: remaining_steps(ir, state),
            phase: ir
                .train
                .as_ref()
                .and_then(|t| t.phases.get(state.phase))
                .map(|p| p.name.clone()),
            points: history.points().to_vec(),
        }
    }
}

/// The graph at the current state, with the pathway, scores and prediction of an input.
#[derive(Clone, Debug, Serialize)]
pub struct View {
    pub drawing: ModelDrawing,
    /// `scores X` of the input (`null` without one).
    pub scores: Option<Answer>,
}

/// The view of `state` with the pathway of `input` (a sample name or a pattern `{a b}`,
/// parsed by the query language); its problems when it names nothing.
pub fn view(model: &Model, state: &State, input: Option<&str>) -> Result<View, String> {
    let Some(text) = input.filter(|t| !t.trim().is_empty()) else {
        return Ok(View {
            drawing: ModelDrawing::of(model, state, None),
            scores: None,
        });
    };
    let input = query::parse_input(model.ir, text).map_err(|problems| {
        problems
            .iter()
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let name = input.sample.clone().unwrap_or_else(|| text.to_string());
    let drawing = ModelDrawing::of(model, state, Some((&input.input, name)));
    let scores = query::answer(
        model,
        state,
        &Query {
            span: input.span,
            kind: QueryKind::Scores(input),
        },
    );
    Ok(View {
        drawing,
        scores: Some(scores),
    })
}

/// Every problem of a report as `--error-format json` writes it (lines and columns
/// 1-based, columns in characters).
pub fn diagnostics(report: &Report, text: &str) -> Vec<JsonDiagnostic> {
    let index = LineIndex::new(text);
    report
        .problems
        .iter()
        .map(|p| p.to_json(report.source.name(), text, &index))
        .collect()
}
