//! The Deepen API client: HTTP over reqwest with timeouts, and the classification of
//! every failure into what the sync engine must do about it. It knows paths and JSON
//! only through `wire`; it never touches the database.

use std::time::Duration;

use futures_util::TryStreamExt;
use reqwest::{Method, StatusCode, Url, header};
use tokio::io::AsyncRead;

use crate::sensitive::Sensitive;
use crate::wire::{
    self, ActionKind, Assignment, AssignmentChange, Dataset, DatasetSummary, DelayedTask, Task,
    Validators,
};

/// Answers other than a task list are read whole; past this they are refused as malformed
/// rather than exhausting memory.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// How long requests may take before they count as failed.
#[derive(Debug, Clone)]
pub struct Timeouts {
    /// Limit for opening a connection to the server.
    pub connect: Duration,
    /// Whole-request limit for actions and small reads.
    pub request: Duration,
    /// Longest silence while streaming a large task list.
    pub read_idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(20),
            read_idle: Duration::from_secs(30),
        }
    }
}

/// A failed request, in the detail the sync engine needs to classify it ([`ApiError::class`]).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The request never reached the server (connection refused, DNS, TLS): nothing applied.
    #[error("cannot reach the server: {0}")]
    Unreachable(String),
    /// The request was sent but no complete answer came back: it may have been applied.
    #[error("the connection broke before the server answered: {0}")]
    NoAnswer(String),
    /// The server answered with a status other than 2xx.
    #[error("the server answered {status}: {message}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The server's error text (for a 401 a fixed note: nothing about the token is echoed).
        message: String,
        /// Tasks the error body names as the cause (the bad entries of an assignment batch).
        task_ids: Vec<String>,
        /// The `Retry-After` header, when given (seconds or a date; capped).
        retry_after: Option<Duration>,
    },
    /// A 2xx answer that does not parse: treated as ambiguous, never as success.
    #[error("the server's answer could not be read: {0}")]
    Malformed(String),
}

/// The answer to a conditional GET.
#[derive(Debug)]
pub enum Fetched<T> {
    /// 304: what the mirror holds from the answer the validators came with is current.
    Unchanged,
    /// A new answer, with what identifies it for the next request.
    Changed(T, Validators),
}

impl<T> Fetched<T> {
    /// The new answer, `None` when unchanged.
    pub fn changed(self) -> Option<(T, Validators)> {
        match self {
            Self::Unchanged => None,
            Self::Changed(value, validators) => Some((value, validators)),
        }
    }

    fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Fetched<U>, E> {
        Ok(match self {
            Self::Unchanged => Fetched::Unchanged,
            Self::Changed(value, validators) => Fetched::Changed(f(value)?, validators),
        })
    }
}

/// What the sync engine does about a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorClass {
    /// Not sent: retry when the network is back.
    Unreachable,
    /// May have been applied: decide from the server's state before sending again.
    Ambiguous,
    /// Not applied, try again later (429); `Retry-After` when given.
    RateLimited(Option<Duration>),
    /// Token missing, bad or revoked: pause everything until the user signs in again.
    SignIn,
    /// Refused for this action (403, 404, 400, 409): may need the user.
    Refused(u16),
}

impl ApiError {
    /// What the sync engine must do about this failure.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::Unreachable(_) => ErrorClass::Unreachable,
            Self::NoAnswer(_) | Self::Malformed(_) => ErrorClass::Ambiguous,
            Self::Status { status: 401, .. } => ErrorClass::SignIn,
            Self::Status {
                status: 429,
                retry_after,
                ..
            } => ErrorClass::RateLimited(*retry_after),
            Self::Status { status, .. } if *status >= 500 => ErrorClass::Ambiguous,
            Self::Status { status, .. } => ErrorClass::Refused(*status),
        }
    }

    /// No answer came back at all (refused, reset, timed out). For a read, which changes
    /// nothing, that is the server being out of reach.
    pub fn is_transport(&self) -> bool {
        matches!(self, Self::Unreachable(_) | Self::NoAnswer(_))
    }

    /// The HTTP status, when the server answered with one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The tasks the server named as the cause; empty when it named none.
    pub fn task_ids(&self) -> &[String] {
        match self {
            Self::Status { task_ids, .. } => task_ids,
            _ => &[],
        }
    }

    fn from_transport(e: reqwest::Error) -> Self {
        // Only a failed connect proves the request was not sent.
        let detail = transport_detail(&e);
        if e.is_connect() {
            Self::Unreachable(detail)
        } else {
            Self::NoAnswer(detail)
        }
    }
}

/// A reqwest error in words, without the URL's query (it may carry an email) repeated.
fn transport_detail(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    if e.is_timeout() {
        parts.push("timed out".to_string());
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.dedup();
    parts.join(": ")
}

/// One account's connection to the Deepen API (base URL, client id, token); its `Debug`
/// never shows the token.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    client_id: String,
    token: Sensitive<String>,
    timeouts: Timeouts,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base.as_str())
            .field("client_id", &self.client_id)
            .finish()
    }
}

impl ApiClient {
    /// `server` is the API base, e.g. `https://tools.deepen.ai/api/v2`. Plain http is
    /// refused unless the host is loopback (checked by `account::validate_server`).
    pub fn new(
        server: &Url,
        client_id: &str,
        token: Sensitive<String>,
        timeouts: Timeouts,
    ) -> Result<Self, ApiError> {
        let mut base = server.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let mut http = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .read_timeout(timeouts.read_idle)
            .user_agent(concat!("deepen-tasks/", env!("CARGO_PKG_VERSION")))
            // A redirect is reported, not followed: it would resend the token elsewhere,
            // or turn a POST into a GET.
            .redirect(reqwest::redirect::Policy::none());
        if base.host_str().is_some_and(crate::account::is_loopback) {
            // This machine is never reached through a proxy (the system's may be set).
            http = http.no_proxy();
        }
        let http = http
            .build()
            .map_err(|e| ApiError::Unreachable(transport_detail(&e)))?;
        Ok(Self {
            http,
            base,
            client_id: client_id.to_string(),
            token,
            timeouts,
        })
    }

    /// The client id requests are made for.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    fn url(&self, path: &str) -> Url {
        // Paths from `wire` are relative and percent-encoded, so join cannot fail.
        self.base
            .join(path)
            .expect("wire paths are valid relative URLs")
    }

    fn request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .bearer_auth(self.token.expose())
            .header(header::ACCEPT, "application/json")
    }

    /// Sends and checks the status; the body of an error is read and classified.
    async fn send(&self, req: reqwest::RequestBuilder) -> Result<reqwest::Response, ApiError> {
        let resp = req.send().await.map_err(ApiError::from_transport)?;
        self.check(resp).await
    }

    /// A 2xx answer as it is; any other is read and classified into an error.
    async fn check(&self, resp: reqwest::Response) -> Result<reqwest::Response, ApiError> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let retry_after = resp
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| wire::parse_retry_after(v, std::time::SystemTime::now()));
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|v| wire::text_excerpt(v.as_bytes()));
        let body = read_limited(resp).await.unwrap_or_default();
        let parsed = wire::parse_error_body(&body);
        let message = if status == StatusCode::UNAUTHORIZED {
            // Never echo anything about the token back.
            "the token was refused (missing, wrong or revoked)".to_string()
        } else if status.is_redirection() {
            format!(
                "the server redirected the request to {} (not followed: check the server URL)",
                location.as_deref().unwrap_or("another address")
            )
        } else {
            parsed.message
        };
        Err(ApiError::Status {
            status: status.as_u16(),
            message,
            task_ids: parsed.task_ids,
            retry_after,
        })
    }

    /// A GET that asks for the answer only if it changed since `since` (when it holds
    /// validators), with the request's whole-time limit unless `streamed`.
    async fn get_if_changed(
        &self,
        url: Url,
        since: &Validators,
        streamed: bool,
    ) -> Result<Fetched<reqwest::Response>, ApiError> {
        let mut req = self.request(Method::GET, url);
        if !streamed {
            req = req.timeout(self.timeouts.request);
        }
        if let Some(etag) = &since.etag {
            req = req.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &since.last_modified {
            req = req.header(header::IF_MODIFIED_SINCE, modified);
        }
        let resp = req.send().await.map_err(ApiError::from_transport)?;
        if resp.status() == StatusCode::NOT_MODIFIED {
            return if since.is_empty() {
                Err(ApiError::Malformed(
                    "the server answered 304 Not Modified to an unconditional request".into(),
                ))
            } else {
                Ok(Fetched::Unchanged)
            };
        }
        let resp = self.check(resp).await?;
        let headers = resp.headers();
        let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
        let validators = Validators::from_headers(
            text(header::ETAG),
            text(header::LAST_MODIFIED),
            text(header::DATE),
        );
        Ok(Fetched::Changed(resp, validators))
    }

    async fn get_body_if_changed(
        &self,
        url: Url,
        since: &Validators,
    ) -> Result<Fetched<Vec<u8>>, ApiError> {
        match self.get_if_changed(url, since, false).await? {
            Fetched::Unchanged => Ok(Fetched::Unchanged),
            Fetched::Changed(resp, validators) => {
                Ok(Fetched::Changed(read_limited(resp).await?, validators))
            }
        }
    }

    /// Endpoint 9, unless unchanged since `since`.
    pub async fn datasets(
        &self,
        since: &Validators,
    ) -> Result<Fetched<Vec<DatasetSummary>>, ApiError> {
        let url = self.url(&wire::path_datasets(&self.client_id));
        self.get_body_if_changed(url, since)
            .await?
            .try_map(|body| wire::parse_datasets(&body).map_err(malformed))
    }

    /// Endpoint 10, unless unchanged since `since`.
    pub async fn dataset(
        &self,
        dataset_id: &str,
        since: &Validators,
    ) -> Result<Fetched<Dataset>, ApiError> {
        let url = self.url(&wire::path_dataset(dataset_id));
        self.get_body_if_changed(url, since)
            .await?
            .try_map(|body| wire::parse_dataset(&body).map_err(malformed))
    }

    /// Endpoint 1, unless unchanged since `since`, as a byte stream for
    /// `wire::stream_dataset_tasks`: the list can be far too large to hold. No
    /// whole-request timeout here, only the idle one.
    pub async fn dataset_tasks_stream(
        &self,
        dataset_id: &str,
        since: &Validators,
    ) -> Result<Fetched<impl AsyncRead + Send + Unpin + 'static>, ApiError> {
        let url = self.url(&wire::path_dataset_tasks(dataset_id));
        self.get_if_changed(url, since, true)
            .await?
            .try_map(|resp| {
                let stream = resp.bytes_stream().map_err(std::io::Error::other);
                Ok(tokio_util::io::StreamReader::new(stream))
            })
    }

    /// Endpoint 5: the tasks of `email` across datasets, unless unchanged since `since`.
    pub async fn user_tasks(
        &self,
        email: &str,
        since: &Validators,
    ) -> Result<Fetched<Vec<Task>>, ApiError> {
        let mut url = self.url(&wire::path_user_tasks(&self.client_id));
        url.query_pairs_mut().append_pair("email", email);
        self.get_body_if_changed(url, since)
            .await?
            .try_map(|body| wire::parse_user_tasks(&body).map_err(malformed))
    }

    /// Endpoint 6, unless unchanged since `since`.
    pub async fn delayed_tasks(
        &self,
        since: &Validators,
    ) -> Result<Fetched<Vec<DelayedTask>>, ApiError> {
        let url = self.url(&wire::path_delayed_tasks(&self.client_id));
        self.get_body_if_changed(url, since)
            .await?
            .try_map(|body| wire::parse_delayed_tasks(&body).map_err(malformed))
    }

    /// Endpoints 2-4; returns the task as the server now has it.
    pub async fn act(
        &self,
        kind: ActionKind,
        task_id: &str,
        reason: Option<&str>,
    ) -> Result<Task, ApiError> {
        let mut req = self
            .request(Method::POST, self.url(&wire::path_action(kind, task_id)))
            .timeout(self.timeouts.request);
        if let Some(body) = wire::reject_body(reason.filter(|_| kind == ActionKind::Reject)) {
            req = req
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let body = read_limited(self.send(req).await?).await?;
        wire::parse_action_response(&body).map_err(malformed)
    }

    /// Endpoints 7-8: change several assignments of one dataset and task type at once.
    pub async fn assign(
        &self,
        dataset_id: &str,
        task_type: &str,
        changes: &[(String, Option<String>)],
    ) -> Result<(), ApiError> {
        let body = AssignmentChange {
            assignments: changes
                .iter()
                .map(|(task_id, assignee)| Assignment {
                    task_id,
                    assignee: assignee.as_deref(),
                })
                .collect(),
        };
        let req = self
            .request(
                Method::POST,
                self.url(&wire::path_assignments(dataset_id, task_type)),
            )
            .timeout(self.timeouts.request)
            .json(&body);
        let resp = self.send(req).await?;
        // The body is documented empty; read it so a broken connection is not taken for success.
        read_limited(resp).await.map(|_| ())
    }
}

fn malformed(e: serde_json::Error) -> ApiError {
    ApiError::Malformed(e.to_string())
}

async fn read_limited(mut resp: reqwest::Response) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| ApiError::NoAnswer(transport_detail(&e)))?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiError::Malformed(format!(
                "answer larger than {} MB",
                MAX_BODY_BYTES >> 20
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> ApiError {
        ApiError::Status {
            status: code,
            message: String::new(),
            task_ids: vec![],
            retry_after: None,
        }
    }

    #[test]
    fn classification_follows_sync_design() {
        assert_eq!(status(401).class(), ErrorClass::SignIn);
        assert_eq!(status(503).class(), ErrorClass::Ambiguous);
        assert_eq!(status(409).class(), ErrorClass::Refused(409));
        assert_eq!(
            ApiError::Malformed("x".into()).class(),
            ErrorClass::Ambiguous
        );
        assert_eq!(
            ApiError::Unreachable("x".into()).class(),
            ErrorClass::Unreachable
        );
        let limited = ApiError::Status {
            status: 429,
            message: String::new(),
            task_ids: vec![],
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(
            limited.class(),
            ErrorClass::RateLimited(Some(Duration::from_secs(3)))
        );
    }
}
