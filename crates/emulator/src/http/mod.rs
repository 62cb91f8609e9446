//! The HTTP surface: the router (Deepen API under `/api/v2` behind the fault layer,
//! control API under `/_emulator/` without it), JSON error responses, and the Bearer
//! token extractor.

mod api;
mod conditional;
mod control;
mod inject;

pub(crate) use conditional::FirstServed;

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;

use crate::control::Control;
use crate::rules::ApiFailure;

pub(crate) fn router(control: Control) -> Router {
    Router::new()
        .nest("/_emulator", control::routes().with_state(control.clone()))
        .merge(api_router(control))
}

/// The Deepen API alone, for a server other programs must not steer (the app's demo): no
/// control routes, and only requests addressed to this listener (`Host` is
/// `127.0.0.1:port` or `localhost:port`), so a web page cannot reach it by DNS rebinding.
pub(crate) fn api_only_router(control: Control, port: u16) -> Router {
    let allowed = Arc::new([format!("127.0.0.1:{port}"), format!("localhost:{port}")]);
    api_router(control).layer(middleware::from_fn(move |req: Request, next: Next| {
        let allowed = allowed.clone();
        async move {
            let host = req
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok());
            if host.is_some_and(|h| allowed.iter().any(|a| a.eq_ignore_ascii_case(h))) {
                next.run(req).await
            } else {
                ApiFailure::new(403, "this server only answers requests addressed to it")
                    .into_response()
            }
        }
    }))
}

fn api_router(control: Control) -> Router {
    api::routes()
        .fallback(|| async { ApiFailure::new(404, "no such endpoint") })
        .layer(middleware::from_fn_with_state(
            control.clone(),
            inject::inject,
        ))
        // As a real service would (the fastest level: the emulator streams big lists).
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(middleware::from_fn_with_state(
            control.clone(),
            inject::unless_compressing,
        ))
        .with_state(control)
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = if self.task_ids.is_empty() {
            json!({ "error": self.error })
        } else {
            json!({ "error": self.error, "task_ids": self.task_ids })
        };
        (status, axum::Json(body)).into_response()
    }
}

/// A JSON response with `status` from already-serialized bytes.
pub(crate) fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// The email of the user whose Bearer token came with the request.
pub(crate) struct Actor(pub String);

impl FromRequestParts<Control> for Actor {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, control: &Control) -> Result<Self, ApiFailure> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiFailure::new(401, "missing Authorization header"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| {
                let (scheme, token) = h.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .ok_or_else(|| ApiFailure::new(401, "expected Authorization: Bearer <token>"))?;
        let state = control.state();
        let email = state
            .email_of_token(token)
            .ok_or_else(|| ApiFailure::new(401, "unknown or revoked token"))?;
        Ok(Actor(email.to_string()))
    }
}
