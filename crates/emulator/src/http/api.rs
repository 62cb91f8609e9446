//! Endpoints 1–10 of `docs/api-contract.md` under `/api/v2`: authentication, access checks and
//! request parsing here; the rules themselves are in `rules`, the JSON in `view`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::conditional::{self, content_hash};
use super::{Actor, json_bytes};
use crate::control::Control;
use crate::model::Role;
use crate::rules::{self, Action, ApiFailure, Applied, Ctx};
use crate::seed::now_millis;
use crate::view;

pub(super) fn routes() -> Router<Control> {
    Router::new()
        .route("/api/v2/datasets/{dataset_id}/tasks", get(dataset_tasks))
        .route("/api/v2/datasets/{dataset_id}", get(dataset))
        .route(
            "/api/v2/datasets/{dataset_id}/file_tasks",
            post(assign_file_tasks),
        )
        .route(
            "/api/v2/datasets/{dataset_id}/label_tasks",
            post(assign_label_tasks),
        )
        .route("/api/v2/tasks/{task_id}/submit", post(submit))
        .route("/api/v2/tasks/{task_id}/accept", post(accept))
        .route("/api/v2/tasks/{task_id}/reject", post(reject))
        .route("/api/v2/clients/{client_id}/user_tasks", get(user_tasks))
        .route(
            "/api/v2/clients/{client_id}/delayed_tasks",
            get(delayed_tasks),
        )
        .route(
            "/api/v2/clients/{client_id}/datasets_ids",
            get(datasets_ids),
        )
        .route(
            "/workspace/{client_id}/datasets/{dataset_id}/tasks/{task_id}",
            get(web_task_page),
        )
}

/// A stand-in for Deepen's web tool at the address the app assumes for a task
/// (`dtasks_core::wire::DEFAULT_WEB_TASK_URL`): a page naming the task and its status, so
/// "Open in Deepen" lands somewhere in demo mode and tests.
async fn web_task_page(
    State(control): State<Control>,
    Path((_client, dataset_id, task_id)): Path<(String, String, String)>,
) -> Response {
    let Some(task) = control
        .task(&task_id)
        .filter(|t| t["dataset_id"] == dataset_id.as_str())
    else {
        return (
            StatusCode::NOT_FOUND,
            Html("<h1>No such task</h1>".to_string()),
        )
            .into_response();
    };
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let text = |k: &str| escape(task[k].as_str().unwrap_or("—"));
    Html(format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{id} — Deepen (emulated)</title>\
         <h1>Task {id}</h1><p>Dataset {ds}, stage {stage}: <strong>{status}</strong>, assigned to {who}.</p>\
         <p>This is the Deepen emulator's stand-in for the web tool.</p></html>",
        id = text("task_id"),
        ds = text("dataset_id"),
        stage = text("stage_id"),
        status = text("status"),
        who = text("assignee"),
    ))
    .into_response()
}

/// Endpoint 1: streamed from a snapshot taken under the lock; its `ETag` hashes the
/// snapshot (the body is never held whole).
async fn dataset_tasks(
    State(control): State<Control>,
    Actor(actor): Actor,
    Path(dataset_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    let (meta, tasks, reasons, users) = {
        let state = control.state();
        let ds = readable_dataset(&state, &actor, &dataset_id)?;
        let d = &state.datasets[ds];
        (
            d.meta.clone(),
            d.tasks.clone(),
            d.reasons.clone(),
            state.users.clone(),
        )
    };
    let emails: Vec<&str> = users.iter().map(|u| u.email.as_str()).collect();
    let hash = content_hash(&(&meta.id, meta.units, &*tasks, &*reasons, emails));
    let resource = format!("datasets/{dataset_id}/tasks");
    Ok(conditional::answer(
        &control,
        &headers,
        (&actor, &resource),
        hash,
        || {
            let body = view::stream_task_list(meta, tasks, reasons, users);
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        },
    ))
}

/// Endpoint 10.
async fn dataset(
    State(control): State<Control>,
    Actor(actor): Actor,
    Path(dataset_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    let body = {
        let state = control.state();
        let ds = readable_dataset(&state, &actor, &dataset_id)?;
        serde_json::to_vec(&view::dataset_value(&state.datasets[ds].meta)).unwrap_or_default()
    };
    let resource = format!("datasets/{dataset_id}");
    Ok(json_answer(&control, &headers, (&actor, &resource), body))
}

/// A JSON answer built whole, under conditional GET.
fn json_answer(
    control: &Control,
    headers: &HeaderMap,
    who_what: (&str, &str),
    body: Vec<u8>,
) -> Response {
    let hash = content_hash(&body);
    conditional::answer(control, headers, who_what, hash, || {
        json_bytes(StatusCode::OK, body)
    })
}

fn readable_dataset(
    state: &crate::model::State,
    actor: &str,
    dataset_id: &str,
) -> Result<usize, ApiFailure> {
    let ds = state
        .dataset_pos(dataset_id)
        .ok_or_else(|| ApiFailure::new(404, format!("unknown dataset {dataset_id}")))?;
    if !state.has_access(actor, ds) {
        return Err(ApiFailure::new(
            403,
            format!("no access to dataset {dataset_id}"),
        ));
    }
    Ok(ds)
}

async fn submit(
    State(control): State<Control>,
    Actor(actor): Actor,
    Path(task_id): Path<String>,
) -> Result<Response, ApiFailure> {
    act(&control, &actor, Action::Submit { task_id })
}

async fn accept(
    State(control): State<Control>,
    Actor(actor): Actor,
    Path(task_id): Path<String>,
) -> Result<Response, ApiFailure> {
    act(&control, &actor, Action::Accept { task_id })
}

#[derive(Deserialize)]
struct RejectBody {
    #[serde(default)]
    reason: Option<String>,
}

async fn reject(
    State(control): State<Control>,
    Actor(actor): Actor,
    Path(task_id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    let reason = if body.trim_ascii().is_empty() {
        None
    } else {
        serde_json::from_slice::<RejectBody>(&body)
            .map_err(|e| ApiFailure::new(400, format!("invalid reject body: {e}")))?
            .reason
    };
    act(&control, &actor, Action::Reject { task_id, reason })
}

fn act(control: &Control, actor: &str, action: Action) -> Result<Response, ApiFailure> {
    let mut state = control.state();
    let ctx = Ctx {
        actor,
        via: "api",
        now: now_millis(),
    };
    match rules::apply(&mut state, ctx, action)? {
        Applied::Task(r) => Ok(axum::Json(view::task_response(&state, r)).into_response()),
        Applied::Assigned => Ok(StatusCode::OK.into_response()),
    }
}

async fn assign_file_tasks(
    State(control): State<Control>,
    Actor(actor): Actor,
    Path(dataset_id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    assign(&control, &actor, dataset_id, "file", &body)
}

async fn assign_label_tasks(
    State(control): State<Control>,
    Actor(actor): Actor,
    Path(dataset_id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    assign(&control, &actor, dataset_id, "label", &body)
}

/// Endpoints 7 and 8: 200 with an empty body on success.
fn assign(
    control: &Control,
    actor: &str,
    dataset_id: String,
    task_type: &str,
    body: &[u8],
) -> Result<Response, ApiFailure> {
    let assignments = parse_assignments(body)?;
    let action = Action::Assign {
        dataset_id,
        task_type: task_type.to_string(),
        assignments,
    };
    act(control, actor, action)
}

/// `{"assignments": [{"task_id": "...", "assignee": "..." | null}]}`, strictly: a
/// missing `assignee` is an error, not an unassignment.
pub(super) fn parse_assignments(body: &[u8]) -> Result<Vec<(String, Option<String>)>, ApiFailure> {
    let bad = |why: &str| ApiFailure::new(400, format!("invalid assignment body: {why}"));
    let value: Value = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
    let entries = value
        .get("assignments")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("expected {\"assignments\": [...]}"))?;
    entries
        .iter()
        .map(|entry| {
            let task_id = entry
                .get("task_id")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("every entry needs a string task_id"))?;
            let assignee = match entry.get("assignee") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Null) => None,
                _ => return Err(bad("every entry needs an assignee (an email or null)")),
            };
            Ok((task_id.to_string(), assignee))
        })
        .collect()
}

fn check_client(control: &Control, client_id: &str) -> Result<(), ApiFailure> {
    if control.state().client_id == client_id {
        Ok(())
    } else {
        Err(ApiFailure::new(404, format!("unknown client {client_id}")))
    }
}

#[derive(Deserialize)]
struct UserTasksQuery {
    email: Option<String>,
}

/// Endpoint 5.
async fn user_tasks(
    State(control): State<Control>,
    Actor(actor): Actor,
    Path(client_id): Path<String>,
    query: Result<Query<UserTasksQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    check_client(&control, &client_id)?;
    let email = query
        .ok()
        .and_then(|q| q.0.email)
        .ok_or_else(|| ApiFailure::new(400, "missing query parameter email"))?;
    let state = control.state();
    if email != actor && state.role_of(&actor) != Some(Role::Admin) {
        return Err(ApiFailure::new(
            403,
            "only admins may list another user's tasks",
        ));
    }
    let user = state
        .user_index(&email)
        .ok_or_else(|| ApiFailure::new(404, format!("unknown user {email}")))?;
    let (mut files, mut labels) = (Vec::new(), Vec::new());
    for (ds, d) in state.datasets.iter().enumerate() {
        let list = if d.meta.task_type() == "file" {
            &mut files
        } else {
            &mut labels
        };
        for (index, task) in d.tasks.iter().enumerate() {
            if task.assignee == Some(user) {
                list.push((ds, index, None));
            }
        }
    }
    let body = view::task_list_body(&state, &[("file_tasks", files), ("label_tasks", labels)]);
    drop(state);
    let resource = format!("user_tasks?email={email}");
    Ok(json_answer(&control, &headers, (&actor, &resource), body))
}

/// Endpoint 6: admins get every delayed task, others their own.
async fn delayed_tasks(
    State(control): State<Control>,
    Actor(actor): Actor,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    check_client(&control, &client_id)?;
    let state = control.state();
    let now = now_millis();
    let everyone = state.role_of(&actor) == Some(Role::Admin);
    let me = state.user_index(&actor);
    let mut delayed = Vec::new();
    for (ds, d) in state.datasets.iter().enumerate() {
        for (index, task) in d.tasks.iter().enumerate() {
            if !everyone && (me.is_none() || task.assignee != me) {
                continue;
            }
            if let Some(by) = view::delayed_by(task, now) {
                delayed.push((ds, index, Some(by)));
            }
        }
    }
    let body = view::task_list_body(&state, &[("delayed tasks", delayed)]);
    drop(state);
    Ok(json_answer(
        &control,
        &headers,
        (&actor, "delayed_tasks"),
        body,
    ))
}

/// Endpoint 9.
async fn datasets_ids(
    State(control): State<Control>,
    Actor(actor): Actor,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    check_client(&control, &client_id)?;
    let state = control.state();
    let datasets: Vec<Value> = (0..state.datasets.len())
        .filter(|ds| state.has_access(&actor, *ds))
        .map(|ds| {
            let meta = &state.datasets[ds].meta;
            json!({ "dataset_id": meta.id, "dataset_name": meta.name })
        })
        .collect();
    drop(state);
    let body = serde_json::to_vec(&json!({ "datasets": datasets })).unwrap_or_default();
    Ok(json_answer(
        &control,
        &headers,
        (&actor, "datasets_ids"),
        body,
    ))
}
