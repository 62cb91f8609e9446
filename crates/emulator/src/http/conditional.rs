//! Conditional GETs, as a web stack in front of a real service would do them (the Deepen
//! docs say nothing of them, so each can be switched off): every answer carries a weak
//! `ETag` (a hash of what it shows) and a `Last-Modified` (when this content was first
//! served), and a request whose `If-None-Match` matches — or, without one, whose
//! `If-Modified-Since` is not older than `Last-Modified` — gets 304 and no body.
//!
//! `Last-Modified` has one-second resolution, like HTTP dates: a change within the second
//! of a read is invisible to `If-Modified-Since`, exactly the trap of real servers that a
//! client must avoid (see `docs/api-contract.md`).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::control::{Control, lock};

/// When each (caller, resource, content) was first served: its `Last-Modified`.
#[derive(Debug, Default)]
pub(crate) struct FirstServed(HashMap<String, (u64, SystemTime)>);

impl FirstServed {
    /// The `Last-Modified` of `resource` as `caller` sees it now, whose content hashes to
    /// `hash`: the time the content last changed, as far as the server can tell.
    fn last_modified(&mut self, key: String, hash: u64, now: SystemTime) -> SystemTime {
        let entry = self.0.entry(key).or_insert((hash, now));
        if entry.0 != hash {
            *entry = (hash, now);
        }
        // HTTP dates have whole seconds.
        let secs = entry
            .1
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        UNIX_EPOCH + Duration::from_secs(secs)
    }
}

/// A stable hash of what an answer shows (anything `Hash`).
pub(super) fn content_hash(value: &impl Hash) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Answers a GET of `resource` for `caller` whose content hashes to `hash`: 304 when the
/// request's validators say the caller has it, otherwise `build()` with the validators the
/// faults allow.
pub(super) fn answer(
    control: &Control,
    request: &HeaderMap,
    (caller, resource): (&str, &str),
    hash: u64,
    build: impl FnOnce() -> Response,
) -> Response {
    let (no_etag, no_last_modified) = {
        let faults = &control.fault_state().faults;
        (faults.no_etag, faults.no_last_modified)
    };
    let etag = format!("W/\"{hash:016x}\"");
    let modified = lock(&control.shared.first_served).last_modified(
        format!("{caller} {resource}"),
        hash,
        SystemTime::now(),
    );
    let mut validators = HeaderMap::new();
    if !no_etag && let Ok(v) = HeaderValue::from_str(&etag) {
        validators.insert(header::ETAG, v);
    }
    if !no_last_modified && let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(modified)) {
        validators.insert(header::LAST_MODIFIED, v);
    }
    let unchanged = match request.get(header::IF_NONE_MATCH) {
        // With both, If-None-Match decides (RFC 9110 §13.2.2).
        Some(tags) => !no_etag && tags.to_str().is_ok_and(|t| matches_any(t, &etag)),
        None => {
            !no_last_modified
                && request
                    .get(header::IF_MODIFIED_SINCE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| httpdate::parse_http_date(v).ok())
                    .is_some_and(|since| modified <= since)
        }
    };
    let mut resp = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        build()
    };
    resp.headers_mut().extend(validators);
    resp
}

/// Whether an `If-None-Match` list names `etag`, compared weakly (`W/` ignored).
fn matches_any(list: &str, etag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let ours = opaque(etag);
    list.split(',')
        .any(|t| t.trim() == "*" || opaque(t) == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists() {
        let ours = "W/\"00000000000000ab\"";
        assert!(matches_any(ours, ours));
        assert!(matches_any("\"00000000000000ab\"", ours));
        assert!(matches_any("W/\"x\", W/\"00000000000000ab\"", ours));
        assert!(matches_any("*", ours));
        assert!(!matches_any("W/\"00000000000000ac\"", ours));
    }

    #[test]
    fn last_modified_moves_only_when_the_content_changes() {
        let mut served = FirstServed::default();
        let t0 = UNIX_EPOCH + Duration::from_millis(1_000_500);
        let later = t0 + Duration::from_secs(60);
        let first = served.last_modified("a r".into(), 1, t0);
        assert_eq!(first, UNIX_EPOCH + Duration::from_secs(1_000));
        assert_eq!(served.last_modified("a r".into(), 1, later), first);
        assert!(served.last_modified("a r".into(), 2, later) > first);
        // Per caller: another user's first read is their own.
        assert_eq!(
            served.last_modified("b r".into(), 2, later),
            UNIX_EPOCH + Duration::from_secs(1_060)
        );
    }
}
