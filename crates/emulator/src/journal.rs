//! What the emulator records about traffic: the journal of applied mutations (one entry
//! per task changed by submit/accept/reject/assign) and the per-route request counts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One applied change of one task.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct JournalEntry {
    pub seq: u64,
    pub at_millis: i64,
    /// Email of the user the action was made as.
    pub actor: String,
    /// `submit`, `accept`, `reject` or `assign`.
    pub action: String,
    pub task_id: String,
    pub from_status: String,
    pub to_status: String,
    pub from_assignee: Option<String>,
    pub to_assignee: Option<String>,
    /// `api` (an HTTP request) or `control` (`Control::act` / `POST /_emulator/act`).
    pub via: String,
    /// The reason given with a reject, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Request counts since start or the last reset. Keys of `requests` are route templates
/// such as `POST /datasets/{id}/file_tasks` (without the `/api/v2` prefix). `by_status`
/// counts the responses actually sent (a dropped connection has none).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub requests: BTreeMap<String, u64>,
    pub by_status: BTreeMap<u16, u64>,
}

impl Stats {
    pub(crate) fn count_request(&mut self, key: String) {
        *self.requests.entry(key).or_default() += 1;
    }

    pub(crate) fn count_status(&mut self, status: u16) {
        *self.by_status.entry(status).or_default() += 1;
    }

    /// Total of all counted requests.
    pub fn total(&self) -> u64 {
        self.requests.values().sum()
    }
}

/// The route template of an API path, e.g. `/datasets/ds1/tasks` -> `/datasets/{id}/tasks`.
pub(crate) fn route_template(path: &str) -> String {
    let path = path.strip_prefix("/api/v2").unwrap_or(path);
    let mut out = String::with_capacity(path.len());
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let templated = i == 2
            && matches!(
                path.split('/').nth(1),
                Some("datasets" | "tasks" | "clients")
            );
        out.push_str(if templated { "{id}" } else { seg });
    }
    out
}
