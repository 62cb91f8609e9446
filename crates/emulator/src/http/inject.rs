//! The middleware in front of every non-`/_emulator/` request: counts it, applies the
//! faults in force (offline, 429, 500 before the handler; latency, drop-after-commit and
//! corrupt bodies after it), and counts the status actually sent.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::control::Control;
use crate::faults::{Before, CorruptKind, corrupt_body};
use crate::journal::route_template;
use crate::rules::ApiFailure;
use crate::server::KillSwitch;

pub(super) async fn inject(State(control): State<Control>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let kill = req.extensions().get::<KillSwitch>().cloned();
    control
        .stats_mut()
        .count_request(format!("{method} {}", route_template(&path)));

    let before = control.fault_state().before();
    let early = match before {
        Before::Proceed if is_failing_listing(&control, &method, &path) => {
            Some(ApiFailure::new(500, "internal error while listing this dataset").into_response())
        }
        Before::Proceed if is_locked(&control, &method, &path) => Some(
            ApiFailure::new(409, "the task is locked: it is open in the editor").into_response(),
        ),
        Before::Proceed => None,
        Before::Drop => return drop_connection(kill).await,
        Before::Unavailable => Some(ApiFailure::new(503, "service unavailable").into_response()),
        Before::Fail => Some(ApiFailure::new(500, "internal error").into_response()),
        Before::RateLimited { retry_after } => {
            let mut resp = ApiFailure::new(429, "rate limited").into_response();
            if let Ok(value) = HeaderValue::from_str(&retry_after) {
                resp.headers_mut().insert(header::RETRY_AFTER, value);
            }
            Some(resp)
        }
    };
    if let Some(resp) = early {
        delay(&control).await;
        return finish(&control, resp);
    }

    let resp = next.run(req).await;
    delay(&control).await;
    if is_mutation(&method, &path)
        && resp.status().is_success()
        && control.fault_state().take_drop_after_commit()
    {
        return drop_connection(kill).await;
    }
    // A 304 has no body to corrupt: the corruption waits for an answer that has one.
    let corrupt = if resp.status() == StatusCode::NOT_MODIFIED {
        None
    } else {
        control.fault_state().take_corrupt()
    };
    let resp = match corrupt {
        Some(kind) => corrupt_response(resp, kind).await,
        None => resp,
    };
    finish(&control, resp)
}

/// With compression switched off, the client's `Accept-Encoding` never reaches the
/// compression layer: answers go out plain.
pub(super) async fn unless_compressing(
    State(control): State<Control>,
    mut req: Request,
    next: Next,
) -> Response {
    if control.fault_state().faults.no_compression {
        req.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    next.run(req).await
}

fn finish(control: &Control, resp: Response) -> Response {
    control.stats_mut().count_status(resp.status().as_u16());
    resp
}

async fn delay(control: &Control) {
    let ms = control.fault_state().faults.latency_ms;
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// The task listing of a dataset the faults say is failing.
fn is_failing_listing(control: &Control, method: &Method, path: &str) -> bool {
    let mut segments = path.rsplit('/');
    let (Some("tasks"), Some(dataset), Some("datasets")) =
        (segments.next(), segments.next(), segments.next())
    else {
        return false;
    };
    *method == Method::GET
        && control
            .fault_state()
            .faults
            .failing_datasets
            .iter()
            .any(|d| d == dataset)
}

/// A submit, accept or reject of a task the faults say is locked.
fn is_locked(control: &Control, method: &Method, path: &str) -> bool {
    if *method != Method::POST {
        return false;
    }
    let mut segments = path.rsplit('/');
    let (Some(action), Some(task), Some("tasks")) =
        (segments.next(), segments.next(), segments.next())
    else {
        return false;
    };
    ["submit", "accept", "reject"].contains(&action)
        && control
            .fault_state()
            .faults
            .locked_tasks
            .iter()
            .any(|t| t == task)
}

/// submit / accept / reject / assign.
fn is_mutation(method: &Method, path: &str) -> bool {
    *method == Method::POST
        && [
            "/submit",
            "/accept",
            "/reject",
            "/file_tasks",
            "/label_tasks",
        ]
        .iter()
        .any(|end| path.ends_with(end))
}

/// Closes the request's connection without a response. Never returns normally: the
/// connection task drops this future together with the connection.
async fn drop_connection(kill: Option<KillSwitch>) -> Response {
    match kill {
        Some(KillSwitch(notify)) => {
            notify.notify_one();
            std::future::pending::<Response>().await
        }
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn corrupt_response(resp: Response, kind: CorruptKind) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let (body, content_type) = corrupt_body(kind, &bytes);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Response::from_parts(parts, Body::from(body))
}
