//! The HTTP routes: each reads its JSON (or query string), asks the session (or the
//! editor's language intelligence) and writes the answer as JSON. Malformed input is a
//! 4xx answer with `{"error": ...}`, never a crash.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, Semaphore};

use super::file::MAX_EDIT_BYTES;
use super::guard::{self, Served};
use super::intel::{Intel, Position};
use super::session::{Answer, Command, Download, How, Refusal, Session};

/// Event streams open at once at most (a page holds one).
const MAX_STREAMS: usize = 32;
/// Longest list of nodes one `lambdas` request names.
const MAX_LAMBDA_NODES: usize = 64;

#[derive(Clone)]
struct App {
    session: Session,
    intel: Arc<Intel>,
    streams: Arc<Semaphore>,
}

/// The whole application behind the Host/Origin guard.
pub fn router(session: Session, served: Served) -> Router {
    let app = App {
        session,
        intel: Arc::new(Intel::default()),
        streams: Arc::new(Semaphore::new(MAX_STREAMS)),
    };
    Router::new()
        .route("/api/session", get(snapshot))
        .route("/api/source", post(edit))
        .route("/api/train", post(train))
        .route("/api/pause", post(pause))
        .route("/api/reset", post(reset))
        .route("/api/save", post(save))
        .route("/api/view", get(view))
        .route("/api/lambdas", get(lambdas))
        .route("/api/le-matrix", get(le_matrix))
        .route("/api/download/{what}", get(download))
        .route("/api/hover", post(hover))
        .route("/api/complete", post(complete))
        .route("/api/events", get(events))
        .fallback(get(asset))
        .with_state(app)
        // Room for the largest text the page edits, in JSON (escaped: up to twice as long).
        .layer(DefaultBodyLimit::max(2 * MAX_EDIT_BYTES + 4096))
        .layer(axum::middleware::from_fn_with_state(served, guard::check))
}

fn refused(r: Refusal) -> Response {
    guard::error(
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        r.message,
    )
}

/// An answer as JSON, or its refusal.
fn reply<T: Serialize>(answer: Answer<T>) -> Response {
    match answer {
        Ok(value) => Json(value).into_response(),
        Err(r) => refused(r),
    }
}

/// The body as `T`, or the answer that says why it is not one.
fn body<T>(json: Result<Json<T>, JsonRejection>) -> Result<T, Response> {
    json.map(|Json(t)| t)
        .map_err(|e| guard::error(e.status(), e.body_text()))
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, Response> {
    q.map(|Query(t)| t)
        .map_err(|e| guard::error(e.status(), e.body_text()))
}

async fn asset(uri: Uri) -> Response {
    super::assets::file(uri.path())
}

async fn snapshot(State(app): State<App>) -> Response {
    reply(app.session.ask(Command::Snapshot).await)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextBody {
    text: String,
}

async fn edit(State(app): State<App>, json: Result<Json<TextBody>, JsonRejection>) -> Response {
    let text = match body(json) {
        Ok(b) => b.text,
        Err(r) => return r,
    };
    reply(app.session.ask(|reply| Command::Edit { text, reply }).await)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, tag = "how", rename_all = "snake_case")]
enum TrainBody {
    Steps { steps: u64 },
    Schedule,
    Play,
}

async fn train(State(app): State<App>, json: Result<Json<TrainBody>, JsonRejection>) -> Response {
    let how = match body(json) {
        Ok(TrainBody::Steps { steps }) => How::Steps(steps),
        Ok(TrainBody::Schedule) => How::Schedule,
        Ok(TrainBody::Play) => How::Play,
        Err(r) => return r,
    };
    let answer = app.session.ask(|reply| Command::Train { how, reply }).await;
    reply(answer.and_then(|a| a))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

async fn pause(State(app): State<App>, json: Result<Json<Empty>, JsonRejection>) -> Response {
    if let Err(r) = body(json) {
        return r;
    }
    app.session.interrupt();
    reply(app.session.ask(Command::Pause).await.and_then(|a| a))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetBody {
    seed: Option<u64>,
}

async fn reset(State(app): State<App>, json: Result<Json<ResetBody>, JsonRejection>) -> Response {
    let seed = match body(json) {
        Ok(b) => b.seed,
        Err(r) => return r,
    };
    app.session.interrupt();
    let answer = app
        .session
        .ask(|reply| Command::Reset { seed, reply })
        .await;
    reply(answer.and_then(|a| a))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveBody {
    text: String,
    #[serde(default)]
    force: bool,
}

async fn save(State(app): State<App>, json: Result<Json<SaveBody>, JsonRejection>) -> Response {
    let SaveBody { text, force } = match body(json) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let answer = app
        .session
        .ask(|reply| Command::Save { text, force, reply })
        .await;
    reply(
        answer
            .and_then(|a| a)
            .map(|()| serde_json::json!({ "saved": true })),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputQuery {
    input: Option<String>,
}

async fn view(State(app): State<App>, q: Result<Query<InputQuery>, QueryRejection>) -> Response {
    let input = match query(q) {
        Ok(q) => q.input,
        Err(r) => return r,
    };
    let answer = app
        .session
        .ask(|reply| Command::View { input, reply })
        .await;
    reply(answer.and_then(|a| a))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodesQuery {
    /// Node names separated by commas.
    nodes: String,
}

async fn lambdas(State(app): State<App>, q: Result<Query<NodesQuery>, QueryRejection>) -> Response {
    let nodes: Vec<String> = match query(q) {
        Ok(q) => q
            .nodes
            .split(',')
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect(),
        Err(r) => return r,
    };
    if nodes.len() > MAX_LAMBDA_NODES {
        return guard::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("ask for at most {MAX_LAMBDA_NODES} nodes at once"),
        );
    }
    let answer = app
        .session
        .ask(|reply| Command::Lambdas { nodes, reply })
        .await;
    reply(answer.and_then(|a| a))
}

async fn le_matrix(State(app): State<App>) -> Response {
    reply(app.session.ask(Command::LeMatrix).await.and_then(|a| a))
}

async fn download(
    State(app): State<App>,
    Path(what): Path<String>,
    q: Result<Query<InputQuery>, QueryRejection>,
) -> Response {
    let input = match query(q) {
        Ok(q) => q.input,
        Err(r) => return r,
    };
    let what = match what.as_str() {
        "state.json" => Download::State,
        "report.json" => Download::Report,
        "graph.svg" => Download::GraphSvg,
        "info-plane.svg" => Download::InfoPlaneSvg,
        "le-matrix.svg" => Download::LeMatrixSvg,
        other => {
            return guard::error(
                StatusCode::NOT_FOUND,
                format!("there is no download `{other}`"),
            )
        }
    };
    let answer = app
        .session
        .ask(|reply| Command::Download { what, input, reply })
        .await;
    match answer.and_then(|a| a) {
        Ok(file) => {
            let mut response = file.body.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(file.media_type),
            );
            // Model names are identifiers, so the file name needs no quoting.
            if let Ok(value) =
                HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.name))
            {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(r) => refused(r),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AtBody {
    text: String,
    position: Position,
}

async fn hover(State(app): State<App>, json: Result<Json<AtBody>, JsonRejection>) -> Response {
    let AtBody { text, position } = match body(json) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let intel = Arc::clone(&app.intel);
    let answer = tokio::task::spawn_blocking(move || intel.hover(text, position)).await;
    match answer {
        Ok(hover) => Json(hover).into_response(),
        Err(_) => guard::error(StatusCode::INTERNAL_SERVER_ERROR, "the hover failed"),
    }
}

async fn complete(State(app): State<App>, json: Result<Json<AtBody>, JsonRejection>) -> Response {
    let AtBody { text, position } = match body(json) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let intel = Arc::clone(&app.intel);
    let answer = tokio::task::spawn_blocking(move || intel.complete(text, position)).await;
    match answer {
        Ok(items) => Json(items).into_response(),
        Err(_) => guard::error(StatusCode::INTERNAL_SERVER_ERROR, "the completion failed"),
    }
}

/// The event stream of a page: `progress` and `model` events as the session sends them,
/// `lagged` when this page fell behind (it then reloads the session), until the server
/// stops.
async fn events(State(app): State<App>) -> Response {
    let Ok(permit) = Arc::clone(&app.streams).try_acquire_owned() else {
        return guard::error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("at most {MAX_STREAMS} pages may follow the session at once"),
        );
    };
    let (events, closed) = app.session.subscribe();
    let stream = futures_util::stream::unfold(
        (events, closed, permit),
        |(mut events, mut closed, permit)| async move {
            if *closed.borrow() {
                return None;
            }
            let event = tokio::select! {
                received = events.recv() => match received {
                    Ok(e) => SseEvent::default().event(e.name).data(&*e.data),
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        SseEvent::default().event("lagged").data("")
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = closed.changed() => return None,
            };
            Some((Ok::<_, Infallible>(event), (events, closed, permit)))
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
