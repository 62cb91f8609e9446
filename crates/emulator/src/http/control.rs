//! The `/_emulator/` control API: the HTTP face of `Control`, for tests in other
//! processes and for the demo. No auth, no faults (the server only listens on loopback).

use std::path::PathBuf;

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, body::Bytes};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::control::Control;
use crate::faults::Faults;
use crate::rules::{Action, ApiFailure};
use crate::seed::DatasetSpec;

pub(super) fn routes() -> Router<Control> {
    Router::new()
        .route("/users", get(users))
        .route("/faults", get(get_faults).put(put_faults))
        .route("/revoke", post(revoke))
        .route("/tokens", post(issue))
        .route("/journal", get(journal))
        .route("/stats", get(stats))
        .route("/stats/reset", post(reset_stats))
        .route("/tasks/{task_id}", get(task))
        .route("/act", post(act))
        .route("/save", post(save))
        .route("/datasets", get(datasets).post(add_dataset))
}

fn body<T>(parsed: Result<Json<T>, JsonRejection>) -> Result<T, ApiFailure> {
    parsed
        .map(|Json(v)| v)
        .map_err(|e| ApiFailure::new(400, format!("invalid body: {}", e.body_text())))
}

async fn users(State(c): State<Control>) -> Response {
    Json(c.users()).into_response()
}

async fn get_faults(State(c): State<Control>) -> Response {
    Json(c.faults()).into_response()
}

async fn put_faults(
    State(c): State<Control>,
    faults: Result<Json<Faults>, JsonRejection>,
) -> Result<Response, ApiFailure> {
    c.set_faults(body(faults)?);
    Ok(Json(c.faults()).into_response())
}

#[derive(Deserialize)]
struct RevokeBody {
    token: String,
}

async fn revoke(
    State(c): State<Control>,
    req: Result<Json<RevokeBody>, JsonRejection>,
) -> Result<Response, ApiFailure> {
    let revoked = c.revoke_token(&body(req)?.token);
    Ok(Json(json!({ "revoked": revoked })).into_response())
}

#[derive(Deserialize)]
struct TokenBody {
    email: String,
    token: String,
}

async fn issue(
    State(c): State<Control>,
    req: Result<Json<TokenBody>, JsonRejection>,
) -> Result<Response, ApiFailure> {
    let req = body(req)?;
    c.issue_token(&req.email, &req.token);
    Ok(Json(json!({ "email": req.email, "token": req.token })).into_response())
}

async fn journal(State(c): State<Control>) -> Response {
    Json(c.journal()).into_response()
}

async fn stats(State(c): State<Control>) -> Response {
    Json(c.stats()).into_response()
}

async fn reset_stats(State(c): State<Control>) -> Response {
    c.reset_stats();
    StatusCode::NO_CONTENT.into_response()
}

async fn task(
    State(c): State<Control>,
    Path(task_id): Path<String>,
) -> Result<Response, ApiFailure> {
    c.task(&task_id)
        .map(|t| Json(t).into_response())
        .ok_or_else(|| ApiFailure::new(404, format!("unknown task {task_id}")))
}

#[derive(Deserialize)]
struct ActBody {
    #[serde(rename = "as")]
    as_email: String,
    action: String,
    task_id: Option<String>,
    reason: Option<String>,
    dataset_id: Option<String>,
    task_type: Option<String>,
    assignments: Option<Value>,
}

/// `POST /_emulator/act`: the task JSON, `null` after an assign, or the API's error.
async fn act(State(c): State<Control>, raw: Bytes) -> Result<Response, ApiFailure> {
    let req: ActBody = serde_json::from_slice(&raw)
        .map_err(|e| ApiFailure::new(400, format!("invalid act body: {e}")))?;
    let need = |v: Option<String>, field: &str| {
        v.ok_or_else(|| ApiFailure::new(400, format!("{} needs {field}", req.action)))
    };
    let action = match req.action.as_str() {
        "submit" => Action::Submit {
            task_id: need(req.task_id.clone(), "task_id")?,
        },
        "accept" => Action::Accept {
            task_id: need(req.task_id.clone(), "task_id")?,
        },
        "reject" => Action::Reject {
            task_id: need(req.task_id.clone(), "task_id")?,
            reason: req.reason.clone(),
        },
        "assign" => {
            let list = json!({ "assignments": req.assignments.clone().unwrap_or(Value::Null) });
            let bytes = serde_json::to_vec(&list).unwrap_or_default();
            Action::Assign {
                dataset_id: need(req.dataset_id.clone(), "dataset_id")?,
                task_type: need(req.task_type.clone(), "task_type")?,
                assignments: super::api::parse_assignments(&bytes)?,
            }
        }
        other => return Err(ApiFailure::new(400, format!("unknown action {other}"))),
    };
    Ok(Json(c.act(&req.as_email, action)?).into_response())
}

#[derive(Deserialize)]
struct SaveBody {
    path: PathBuf,
}

async fn save(
    State(c): State<Control>,
    req: Result<Json<SaveBody>, JsonRejection>,
) -> Result<Response, ApiFailure> {
    let path = body(req)?.path;
    let control = c.clone();
    let target = path.clone();
    tokio::task::spawn_blocking(move || control.save(&target))
        .await
        .map_err(|e| ApiFailure::new(500, e.to_string()))?
        .map_err(|e| ApiFailure::new(500, format!("{e:#}")))?;
    Ok(Json(json!({ "saved": path })).into_response())
}

async fn datasets(State(c): State<Control>) -> Response {
    Json(c.dataset_ids()).into_response()
}

const MAX_ADDED_TASKS: usize = 20_000_000;

async fn add_dataset(
    State(c): State<Control>,
    spec: Result<Json<DatasetSpec>, JsonRejection>,
) -> Result<Response, ApiFailure> {
    let spec = body(spec)?;
    let tasks = spec.units.saturating_mul(spec.stages.len().max(1));
    if tasks > MAX_ADDED_TASKS {
        return Err(ApiFailure::new(
            400,
            format!("at most {MAX_ADDED_TASKS} tasks per dataset"),
        ));
    }
    let control = c.clone();
    let id = tokio::task::spawn_blocking(move || control.add_dataset(spec))
        .await
        .map_err(|e| ApiFailure::new(500, e.to_string()))?;
    Ok(Json(json!({ "dataset_id": id })).into_response())
}
