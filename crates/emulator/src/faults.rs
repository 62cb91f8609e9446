//! Fault injection: the `Faults` a test switches on, the counters they consume, the
//! seeded coin for `fail_rate`, and the corrupted bodies. The HTTP middleware that
//! applies them lives in `http::inject`; faults never touch `/_emulator/` requests.

use bytes::Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The faults in force. `Default` is a healthy server.
#[derive(Serialize, Deserialize, Default, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct Faults {
    /// Every API request is dropped (connection closed, no response) or answered 503.
    pub offline: Option<OfflineMode>,
    /// Added to every API response, after the request was applied.
    pub latency_ms: u64,
    /// Fraction of API requests answered 500 before anything is applied.
    pub fail_rate: f64,
    /// The next `count` API requests get 429 with `Retry-After`, unapplied.
    pub rate_limit: Option<RateLimit>,
    /// The next N successful mutations are applied and journaled, then the connection is
    /// closed without a response.
    pub drop_after_commit: u32,
    /// The next `count` API responses get their body replaced (status kept).
    pub corrupt: Option<Corruption>,
    /// Tasks "open in someone's editor": every submit, accept or reject of them is answered
    /// 409 and not applied, whatever their status (a 409 the task listing cannot explain).
    pub locked_tasks: Vec<String>,
    /// The `Retry-After` of `rate_limit`'s answers exactly as given (an HTTP-date, a huge
    /// number, garbage) instead of its seconds.
    pub retry_after_header: Option<String>,
    /// Datasets whose task listing (`GET …/datasets/{id}/tasks`) is answered 500, unapplied
    /// (one broken dataset among healthy ones).
    pub failing_datasets: Vec<String>,
    /// Answers are never compressed, whatever the client accepts (by default they are,
    /// gzip or brotli, as a real service's would be).
    pub no_compression: bool,
    /// Answers carry no `ETag` (by default every GET of the API does, and a matching
    /// `If-None-Match` gets 304): the client must work the same without.
    pub no_etag: bool,
    /// Answers carry no `Last-Modified` (by default every GET of the API does, and an
    /// `If-Modified-Since` at or after it gets 304).
    pub no_last_modified: bool,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OfflineMode {
    /// Close the connection without any response.
    Drop,
    /// 503 `{"error": "service unavailable"}`.
    Unavailable,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub count: u32,
    pub retry_after_secs: u64,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Corruption {
    pub count: u32,
    pub kind: CorruptKind,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CorruptKind {
    /// An HTML error page.
    Html,
    /// The real body cut in half.
    Truncated,
    /// The same shape with the types swapped (`"status": 5`, `"tasks": {}`).
    WrongTypes,
    /// `<<garbage>>`.
    NotJson,
    /// The real body with a 20 MB string value added.
    Huge,
}

/// What happens to a request before it is applied.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Before {
    Proceed,
    Drop,
    Unavailable,
    RateLimited { retry_after: String },
    Fail,
}

/// The faults plus the rng behind `fail_rate`.
#[derive(Debug)]
pub(crate) struct FaultState {
    pub faults: Faults,
    rng: StdRng,
}

impl FaultState {
    pub fn new(seed: u64) -> Self {
        FaultState {
            faults: Faults::default(),
            rng: StdRng::seed_from_u64(seed ^ 0xFA17_5EED),
        }
    }

    /// Decides (and consumes) the pre-application fault of one API request.
    pub fn before(&mut self) -> Before {
        match self.faults.offline {
            Some(OfflineMode::Drop) => return Before::Drop,
            Some(OfflineMode::Unavailable) => return Before::Unavailable,
            None => {}
        }
        if let Some(limit) = &mut self.faults.rate_limit {
            let retry_after = self
                .faults
                .retry_after_header
                .clone()
                .unwrap_or_else(|| limit.retry_after_secs.to_string());
            let limited = limit.count > 0;
            limit.count = limit.count.saturating_sub(1);
            if limit.count == 0 {
                self.faults.rate_limit = None;
            }
            if limited {
                return Before::RateLimited { retry_after };
            }
        }
        let rate = self.faults.fail_rate;
        if rate > 0.0 && self.rng.random::<f64>() < rate {
            return Before::Fail;
        }
        Before::Proceed
    }

    /// Consumes one `drop_after_commit`, if any is left.
    pub fn take_drop_after_commit(&mut self) -> bool {
        if self.faults.drop_after_commit == 0 {
            return false;
        }
        self.faults.drop_after_commit -= 1;
        true
    }

    /// Consumes one corruption, if any is left.
    pub fn take_corrupt(&mut self) -> Option<CorruptKind> {
        let c = self.faults.corrupt.as_mut()?;
        let (kind, left) = (c.kind, c.count);
        c.count = c.count.saturating_sub(1);
        if c.count == 0 {
            self.faults.corrupt = None;
        }
        (left > 0).then_some(kind)
    }
}

const HUGE_BYTES: usize = 20 * 1024 * 1024;

/// The replacement body and its content type.
pub(crate) fn corrupt_body(kind: CorruptKind, body: &[u8]) -> (Bytes, &'static str) {
    match kind {
        CorruptKind::Html => (
            Bytes::from_static(
                b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\
                  <body><h1>Bad Gateway</h1><p>The upstream server returned an invalid \
                  response.</p><hr><address>nginx</address></body></html>\n",
            ),
            "text/html; charset=utf-8",
        ),
        CorruptKind::Truncated => (Bytes::copy_from_slice(&body[..body.len() / 2]), JSON),
        CorruptKind::NotJson => (Bytes::from_static(b"<<garbage>>"), JSON),
        CorruptKind::WrongTypes => {
            let swapped = match serde_json::from_slice::<Value>(body) {
                Ok(v) => swap_types(v, true),
                Err(_) => Value::from(5),
            };
            (
                Bytes::from(serde_json::to_vec(&swapped).unwrap_or_default()),
                JSON,
            )
        }
        CorruptKind::Huge => (huge(body), JSON),
    }
}

const JSON: &str = "application/json";

/// Keeps objects (the shape) and swaps every leaf: strings become numbers, numbers
/// strings, arrays empty objects (objects inside arrays are gone with them).
fn swap_types(v: Value, top: bool) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, swap_types(v, false)))
                .collect(),
        ),
        Value::Array(_) => Value::Object(Default::default()),
        Value::String(s) => Value::from(s.len() as u64 % 10),
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Null if top => Value::from(5),
        Value::Null => Value::from(0),
    }
}

/// The body with `"padding": "<20 MB>"` spliced in as the first key of the top object
/// (or as the only key when the body is not an object).
fn huge(body: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(body.len() + HUGE_BYTES + 32);
    out.extend_from_slice(b"{\"padding\":\"");
    out.resize(out.len() + HUGE_BYTES, b'x');
    out.push(b'"');
    let text = body.trim_ascii();
    match text.strip_prefix(b"{") {
        Some(rest) if !rest.trim_ascii_start().starts_with(b"}") => {
            out.push(b',');
            out.extend_from_slice(rest);
        }
        _ => out.push(b'}'),
    }
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_keeps_the_object_valid() {
        let b = huge(br#"{"a":1}"#);
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["a"], 1);
        assert_eq!(v["padding"].as_str().unwrap().len(), HUGE_BYTES);
        let e: Value = serde_json::from_slice(&huge(b"")).unwrap();
        assert!(e["padding"].is_string());
    }

    #[test]
    fn counted_faults_run_out() {
        let mut f = FaultState::new(1);
        f.faults.rate_limit = Some(RateLimit {
            count: 0,
            retry_after_secs: 1,
        });
        f.faults.corrupt = Some(Corruption {
            count: 0,
            kind: CorruptKind::Html,
        });
        assert_eq!(f.before(), Before::Proceed);
        assert_eq!(f.take_corrupt(), None);
        f.faults.drop_after_commit = 2;
        assert!(f.take_drop_after_commit() && f.take_drop_after_commit());
        assert!(!f.take_drop_after_commit());
    }

    #[test]
    fn wrong_types_keeps_keys() {
        let (b, _) = corrupt_body(
            CorruptKind::WrongTypes,
            br#"{"status":"ready","tasks":[1]}"#,
        );
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert!(v["status"].is_number());
        assert!(v["tasks"].is_object());
    }
}
