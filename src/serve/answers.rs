//! The worker's answers that read the model and its state: curves of `ln lambda`, the LE
//! matrix and the files the page downloads. Each is a library call and a conversion.

use nshed::analysis::{
    le_matrix_report, InfoPlaneReport, LeMatrixReport, ModelDrawing, PlaneCurve, PlaneOptions,
    PlanePoint,
};
use nshed::persist::{self, SavedState};
use nshed::render::figure::{model_graph_svg, FigureOptions};
use nshed::render::{le_matrix_svg, Render};
use nshed::report::RunReport;

use super::session::{Answer, Download, Downloaded, LambdaSeries, Lambdas, Refusal};
use super::worker::Live;

/// Most data samples whose LE matrix the page computes (a matrix costs a step and an
/// evaluation of every sample per sample); `nshed le-matrix` takes any number.
pub const MAX_LE_SAMPLES: usize = 400;

/// Bins of the LE histograms in the downloaded figure (as `nshed le-matrix --svg`).
const LE_BINS: usize = 20;

/// `ln lambda` of the named nodes at every point of the curves.
pub fn lambdas(live: &Live, nodes: &[String]) -> Answer<Lambdas> {
    let ir = live.compiled.ir();
    let series = nodes
        .iter()
        .map(|name| {
            let id = ir
                .nodes
                .iter()
                .position(|n| n.name == name.as_str())
                .ok_or_else(|| Refusal::new(422, format!("there is no node `{name}`")))?;
            let ln_lambda = live.history.lambdas(id).ok_or_else(|| {
                Refusal::new(409, "the model is too large for lambda curves in the page")
            })?;
            Ok(LambdaSeries {
                node: name.clone(),
                ln_lambda,
            })
        })
        .collect::<Result<Vec<_>, Refusal>>()?;
    Ok(Lambdas {
        steps: live.history.points().iter().map(|p| p.step).collect(),
        series,
    })
}

/// The LE matrix at the current state.
pub fn le_matrix(live: &Live) -> Answer<LeMatrixReport> {
    let samples = live.compiled.ir().data.samples.len();
    if samples > MAX_LE_SAMPLES {
        return Err(Refusal::new(
            409,
            format!(
                "the model has {samples} data samples; the page draws the LE matrix for up to \
                 {MAX_LE_SAMPLES} (`nshed le-matrix` takes any number)"
            ),
        ));
    }
    le_matrix_report(live.model, &live.state).map_err(|e| Refusal::new(422, e.to_string()))
}

/// The information plane along the session's training, as `nshed info-plane` reports it.
fn info_plane(live: &Live) -> InfoPlaneReport {
    let ir = live.compiled.ir();
    let options = PlaneOptions::default();
    let points = live
        .history
        .points()
        .iter()
        .filter(|p| !p.info.is_empty())
        .map(|p| PlanePoint {
            step: p.step,
            levels: p.info.clone(),
        })
        .collect();
    InfoPlaneReport {
        model: ir.model.clone(),
        seed: live.seed,
        representation: options.representation,
        every: 1,
        levels: ir.levels.iter().map(|l| l.name.clone()).collect(),
        curves: vec![PlaneCurve {
            estimator: options.estimator,
            points,
        }],
    }
}

/// A file to download.
pub fn download(live: &Live, what: Download, input: Option<String>) -> Answer<Downloaded> {
    let ir = live.compiled.ir();
    let step = live.state.step;
    let name = |ext: &str| format!("{}-step{step}{ext}", ir.model);
    let failed = |e: String| Refusal::new(500, e);
    let json = "application/json";
    let svg = "image/svg+xml";
    Ok(match what {
        Download::State => {
            let saved = SavedState {
                nshed_state: persist::FORMAT,
                model: ir.model.clone(),
                source_sha256: persist::model_identity(live.compiled.ir()),
                seed: live.seed,
                state: live.state.clone(),
            };
            let body = persist::to_text(&saved).map_err(|p| failed(p.message))?;
            Downloaded {
                name: name(".state.json"),
                media_type: json,
                body,
            }
        }
        Download::Report => {
            let report = RunReport::new(live.model, &live.state);
            let mut body =
                serde_json::to_string_pretty(&report).map_err(|e| failed(e.to_string()))?;
            body.push('\n');
            Downloaded {
                name: name(".report.json"),
                media_type: json,
                body,
            }
        }
        Download::GraphSvg => {
            let view = super::view::view(live.model, &live.state, input.as_deref())
                .map_err(|m| Refusal::new(422, m))?;
            let drawing: ModelDrawing = view.drawing;
            Downloaded {
                name: name(".graph.svg"),
                media_type: svg,
                body: model_graph_svg(&drawing, &FigureOptions::titled(drawing.title())),
            }
        }
        Download::InfoPlaneSvg => Downloaded {
            name: name(".info-plane.svg"),
            media_type: svg,
            body: info_plane(live)
                .svg()
                .ok_or_else(|| failed("the information plane has no figure".to_string()))?,
        },
        Download::LeMatrixSvg => {
            let report = le_matrix(live)?;
            Downloaded {
                name: name(".le-matrix.svg"),
                media_type: svg,
                body: le_matrix_svg(&report, LE_BINS, false).map_err(failed)?,
            }
        }
    })
}
