//! The wire module: the only place that knows Deepen's JSON and the rules of
//! `docs/api-contract.md`. Everything marked "assumed" there lives here, so that it can
//! be corrected in one edit when the real service disagrees.
//!
//! Tolerances kept here: a task may come bare or wrapped as `{"task": {...}}`; unknown
//! fields are kept (the raw JSON of every task is stored) and never an error; a missing
//! optional field is never an error; the delayed list may be keyed `delayed tasks` or
//! `delayed_tasks`; an error body that is not JSON is shown as text.

mod paths;
mod task_list;
mod validators;
pub mod vocabulary;
mod web;

use serde::de;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

pub use paths::*;
pub use task_list::{StreamError, stream_dataset_tasks};
pub use validators::Validators;
pub use vocabulary::{
    ActionInfo, ActionKind, KnownTaskStatus, StatusInfo, TASK_TYPE_FILE, TASK_TYPE_LABEL,
    TaskStatus, action_vocabulary, sql_target_status, status_vocabulary, works_on_tasks,
};
pub use web::{DEFAULT_WEB_TASK_URL, WebUrlError, web_task_url};

// ---------------------------------------------------------------------------------------
// TaskResource

/// A task as the server last described it: the indexed fields plus the raw JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// Deepen's id of the task.
    pub task_id: String,
    /// The dataset it belongs to.
    pub dataset_id: String,
    /// `file` or `label` (inferred when absent): which assignment endpoint serves it.
    pub task_type: String,
    /// Its pipeline stage; empty when absent.
    pub stage_id: String,
    /// Where it is in the life cycle.
    pub status: TaskStatus,
    /// Email of the person it is assigned to; `None` when unassigned.
    pub assignee: Option<String>,
    /// The file it is on.
    pub file_id: Option<String>,
    /// The label track it is on (label tasks).
    pub label_id: Option<String>,
    /// Last change on the server (Unix ms): the only version a task has.
    pub updated_at_millis: Option<i64>,
    /// Due (Unix ms).
    pub due_at_millis: Option<i64>,
    /// The task's JSON exactly as received, unknown fields included.
    pub raw: String,
}

#[derive(Deserialize)]
struct TaskFields {
    task_id: String,
    #[serde(default)]
    dataset_id: Option<String>,
    #[serde(default)]
    task_type: Option<String>,
    #[serde(default)]
    stage_id: Option<String>,
    status: TaskStatus,
    #[serde(default)]
    assignee: Option<String>,
    #[serde(default)]
    file_id: Option<String>,
    #[serde(default)]
    label_id: Option<String>,
    #[serde(default)]
    updated_at_millis: Option<i64>,
    #[serde(default)]
    due_at_millis: Option<i64>,
}

impl Task {
    /// Parses one TaskResource, keeping its raw text; it must name its dataset.
    pub fn from_raw(raw: &str) -> Result<Task, serde_json::Error> {
        Self::from_raw_in(raw, None)
    }

    /// Parses one TaskResource of a list whose path names `dataset_id` (endpoint 1): an
    /// element that leaves its `dataset_id` out belongs to that dataset.
    pub fn from_raw_in(raw: &str, dataset_id: Option<&str>) -> Result<Task, serde_json::Error> {
        let f: TaskFields = serde_json::from_str(raw)?;
        let dataset_id = f
            .dataset_id
            .or_else(|| dataset_id.map(str::to_string))
            .ok_or_else(|| de::Error::missing_field("dataset_id"))?;
        // A missing task_type is inferred: label tasks carry a label id.
        let task_type = f.task_type.unwrap_or_else(|| {
            if f.label_id.is_some() {
                TASK_TYPE_LABEL
            } else {
                TASK_TYPE_FILE
            }
            .to_string()
        });
        Ok(Task {
            task_id: f.task_id,
            dataset_id,
            task_type,
            stage_id: f.stage_id.unwrap_or_default(),
            status: f.status,
            assignee: f.assignee,
            file_id: f.file_id,
            label_id: f.label_id,
            updated_at_millis: f.updated_at_millis,
            due_at_millis: f.due_at_millis,
            raw: raw.to_string(),
        })
    }
}

/// The answer of endpoints 2-4: the bare task or `{"task": {...}}`.
pub fn parse_action_response(body: &[u8]) -> Result<Task, serde_json::Error> {
    #[derive(Deserialize)]
    struct Wrapped<'a> {
        #[serde(borrow)]
        task: &'a RawValue,
    }
    let text = std::str::from_utf8(body).map_err(de::Error::custom)?;
    match serde_json::from_str::<Wrapped<'_>>(text) {
        Ok(wrapped) => Task::from_raw(wrapped.task.get()),
        Err(_) => Task::from_raw(text.trim()),
    }
}

fn tasks_from_raw(list: Vec<Box<RawValue>>) -> Result<Vec<Task>, serde_json::Error> {
    list.iter().map(|raw| Task::from_raw(raw.get())).collect()
}

/// Endpoint 5: `{"file_tasks": [...], "label_tasks": [...]}`, either list may be missing.
pub fn parse_user_tasks(body: &[u8]) -> Result<Vec<Task>, serde_json::Error> {
    #[derive(Deserialize)]
    struct UserTasks {
        #[serde(default)]
        file_tasks: Vec<Box<RawValue>>,
        #[serde(default)]
        label_tasks: Vec<Box<RawValue>>,
    }
    let parsed: UserTasks = serde_json::from_slice(body)?;
    let mut tasks = tasks_from_raw(parsed.file_tasks)?;
    tasks.extend(tasks_from_raw(parsed.label_tasks)?);
    Ok(tasks)
}

/// A task past its due date (endpoint 6): a TaskResource plus `delayed_by_millis`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayedTask {
    /// The task.
    pub task: Task,
    /// How late it is (ms); derived from the due date when the server leaves it out.
    pub delayed_by_millis: i64,
}

/// Endpoint 6. The docs spell the key `delayed tasks`; `delayed_tasks` is accepted too.
pub fn parse_delayed_tasks(body: &[u8]) -> Result<Vec<DelayedTask>, serde_json::Error> {
    #[derive(Deserialize)]
    struct Delayed {
        #[serde(rename = "delayed tasks", alias = "delayed_tasks")]
        delayed: Vec<Box<RawValue>>,
    }
    #[derive(Deserialize)]
    struct By {
        #[serde(default)]
        delayed_by_millis: Option<i64>,
        #[serde(default)]
        due_at_millis: Option<i64>,
    }
    let parsed: Delayed = serde_json::from_slice(body)?;
    let now = crate::clock::now_millis();
    parsed
        .delayed
        .iter()
        .map(|raw| {
            let by: By = serde_json::from_str(raw.get())?;
            let task = Task::from_raw(raw.get())?;
            // Missing `delayed_by_millis` is tolerated: derive it from the due date (any
            // i64: saturating, a due date far in the past is not an overflow).
            let delayed_by_millis = by
                .delayed_by_millis
                .or(by.due_at_millis.map(|due| now.saturating_sub(due).max(0)))
                .unwrap_or(0);
            Ok(DelayedTask {
                task,
                delayed_by_millis,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Datasets (endpoints 9 and 10)

/// One dataset of endpoint 9's list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DatasetSummary {
    /// Deepen's id of the dataset.
    pub dataset_id: String,
    /// Its display name, if given.
    #[serde(default)]
    pub dataset_name: Option<String>,
}

/// Endpoint 9: `{"datasets": [...]}`.
pub fn parse_datasets(body: &[u8]) -> Result<Vec<DatasetSummary>, serde_json::Error> {
    #[derive(Deserialize)]
    struct List {
        datasets: Vec<DatasetSummary>,
    }
    Ok(serde_json::from_slice::<List>(body)?.datasets)
}

/// One stage of a dataset's pipeline (`pipeline_spec`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Stage {
    /// The stage's id, as tasks name it in `stage_id`.
    pub stage_id: String,
    /// Deepen's `can_edit` flag of the stage, when given; stored, not acted on.
    #[serde(default)]
    pub can_edit: Option<bool>,
}

/// A user of a dataset, with their scopes (`user_scopes`): who can be assigned its tasks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserScope {
    /// The user's email, as assignees are named.
    pub email: String,
    /// Their scope names; [`works_on_tasks`] tells workers from those who only watch.
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// A dataset's details (endpoint 10): the fields the mirror keeps plus the raw JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    /// Deepen's id of the dataset.
    pub dataset_id: String,
    /// Its display name, if given.
    pub dataset_name: Option<String>,
    /// Which kind of tasks it has (e.g. `frame_by_frame`, `label_by_label`), if given.
    pub labelling_mode: Option<String>,
    /// Its stages, in pipeline order.
    pub pipeline_spec: Vec<Stage>,
    /// The users who can be assigned its tasks, with their scopes.
    pub user_scopes: Vec<UserScope>,
    /// The dataset's JSON exactly as received.
    pub raw: String,
}

/// Endpoint 10: a DatasetResource, keeping its raw text.
pub fn parse_dataset(body: &[u8]) -> Result<Dataset, serde_json::Error> {
    #[derive(Deserialize)]
    struct Fields {
        dataset_id: String,
        #[serde(default)]
        dataset_name: Option<String>,
        #[serde(default)]
        labelling_mode: Option<String>,
        #[serde(default)]
        pipeline_spec: Vec<Stage>,
        #[serde(default)]
        user_scopes: Vec<UserScope>,
    }
    let f: Fields = serde_json::from_slice(body)?;
    Ok(Dataset {
        dataset_id: f.dataset_id,
        dataset_name: f.dataset_name,
        labelling_mode: f.labelling_mode,
        pipeline_spec: f.pipeline_spec,
        user_scopes: f.user_scopes,
        raw: String::from_utf8_lossy(body).into_owned(),
    })
}

// ---------------------------------------------------------------------------------------
// Requests

/// The body of endpoints 7 and 8 (assumed): partial, `null` unassigns.
#[derive(Debug, Serialize)]
pub struct AssignmentChange<'a> {
    /// The changes, one per task; tasks not listed keep their assignee.
    pub assignments: Vec<Assignment<'a>>,
}

/// One task's new assignee, an entry of [`AssignmentChange`].
#[derive(Debug, Serialize)]
pub struct Assignment<'a> {
    /// The task.
    pub task_id: &'a str,
    /// The new assignee's email; `None` (`null`) unassigns.
    pub assignee: Option<&'a str>,
}

/// The body of a reject with a reason (assumed).
pub fn reject_body(reason: Option<&str>) -> Option<String> {
    reason.map(|r| serde_json::json!({ "reason": r }).to_string())
}

// ---------------------------------------------------------------------------------------
// Retry-After (HTTP: seconds or an HTTP-date; the API does not document it)

/// The longest wait a server's `Retry-After` may impose (assumption: a server asking for
/// more than an hour is asked again in an hour; the user can always sync sooner).
pub const RETRY_AFTER_CAP: std::time::Duration = std::time::Duration::from_secs(3600);

/// The wait a `Retry-After` header asks for at `now`: delay-seconds or an HTTP-date, capped
/// at [`RETRY_AFTER_CAP`]; a date in the past is no wait. `None` when it is neither.
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<std::time::Duration> {
    let value = value.trim();
    let wait = if value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty() {
        // Any number of digits: a value past u64 is just "longer than the cap".
        value
            .parse::<u64>()
            .map_or(RETRY_AFTER_CAP, std::time::Duration::from_secs)
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(now).unwrap_or_default()
    };
    Some(wait.min(RETRY_AFTER_CAP))
}

// ---------------------------------------------------------------------------------------
// Errors (assumed): `{"error": "...", "task_ids": [...]}`, anything else shown as text.

/// What an error answer says, as far as it can be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    /// The `error` text, or a short excerpt of a body that is not JSON.
    pub message: String,
    /// Tasks the error names as the cause (the bad entries of an assignment batch).
    pub task_ids: Vec<String>,
}

/// Reads an error answer; never fails (a body that is not the expected JSON becomes text).
pub fn parse_error_body(body: &[u8]) -> ErrorBody {
    #[derive(Deserialize)]
    struct Json {
        error: serde_json::Value,
        #[serde(default)]
        task_ids: Vec<String>,
    }
    if let Ok(json) = serde_json::from_slice::<Json>(body) {
        let message = match json.error {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        return ErrorBody {
            message,
            task_ids: json.task_ids,
        };
    }
    ErrorBody {
        message: text_excerpt(body),
        task_ids: Vec::new(),
    }
}

/// A short, single-line excerpt of a body that is not JSON (an HTML error page, say).
pub fn text_excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if in_tag => {}
            c if c.is_whitespace() => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &collapsed[..cut]),
        None if collapsed.is_empty() => "(empty body)".to_string(),
        None => collapsed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TASK: &str = r#"{"task_id":"ds1-f0007-Labelling","dataset_id":"ds1","task_type":"file","stage_id":"Labelling","status":"ready","assignee":"ana@example.com","file_id":"frame_0007.json","label_id":null,"label_set_id":"default","updated_at_millis":1764400000000,"due_at_millis":1764500000000,"priority":"high"}"#;

    #[test]
    fn task_keeps_unknown_fields_in_raw() {
        let t = Task::from_raw(TASK).unwrap();
        assert_eq!(t.task_id, "ds1-f0007-Labelling");
        assert_eq!(t.assignee.as_deref(), Some("ana@example.com"));
        assert!(t.raw.contains(r#""priority":"high""#));
    }

    #[test]
    fn missing_optional_fields_are_not_errors() {
        let t = Task::from_raw(
            r#"{"task_id":"t","dataset_id":"d","status":"ready","label_id":"car-1"}"#,
        )
        .unwrap();
        assert_eq!(t.task_type, "label");
        assert_eq!(t.assignee, None);
        assert_eq!(t.due_at_millis, None);
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(Task::from_raw(r#"{"task_id":"t","dataset_id":"d","status":5}"#).is_err());
    }

    #[test]
    fn action_response_bare_or_wrapped() {
        let bare = parse_action_response(TASK.as_bytes()).unwrap();
        let wrapped = parse_action_response(format!(r#"{{"task": {TASK}}}"#).as_bytes()).unwrap();
        assert_eq!(bare.task_id, wrapped.task_id);
        assert!(parse_action_response(b"").is_err());
    }

    #[test]
    fn delayed_key_with_space_or_underscore() {
        let spaced = format!(
            r#"{{"delayed tasks": [{}]}}"#,
            TASK.replace("}", r#","delayed_by_millis":5}"#)
        );
        let under = spaced.replace("delayed tasks", "delayed_tasks");
        for body in [spaced, under] {
            let d = parse_delayed_tasks(body.as_bytes()).unwrap();
            assert_eq!(d[0].delayed_by_millis, 5);
        }
        assert!(parse_delayed_tasks(b"{}").is_err());
    }

    /// Found by the fuzz test: `now - due` overflowed (a panic in debug builds).
    #[test]
    fn a_delay_derived_from_any_due_date_does_not_overflow() {
        let body = |due: i64| {
            format!(
                r#"{{"delayed tasks":[{{"task_id":"t","dataset_id":"d","status":"ready","due_at_millis":{due}}}]}}"#
            )
        };
        let delay = |due| parse_delayed_tasks(body(due).as_bytes()).unwrap()[0].delayed_by_millis;
        assert_eq!(delay(i64::MIN), i64::MAX);
        assert_eq!(delay(i64::MAX), 0);
        let hour_ago = crate::clock::now_millis() - 3_600_000;
        assert!((3_600_000..3_700_000).contains(&delay(hour_ago)));
    }

    #[test]
    fn error_bodies_json_or_text() {
        let e = parse_error_body(br#"{"error":"not allowed","task_ids":["a"]}"#);
        assert_eq!((e.message.as_str(), e.task_ids.len()), ("not allowed", 1));
        let html =
            parse_error_body(b"<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>");
        assert_eq!(html.message, "502 Bad Gateway nginx");
        assert_eq!(parse_error_body(b"").message, "(empty body)");
    }

    #[test]
    fn retry_after_seconds_or_date_capped_and_overflow_safe() {
        use std::time::{Duration, SystemTime};
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_400_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("999999999999999999999999", now),
            Some(RETRY_AFTER_CAP)
        );
        assert_eq!(parse_retry_after("86400", now), Some(RETRY_AFTER_CAP));
        let in_two_minutes = httpdate::fmt_http_date(now + Duration::from_secs(120));
        assert_eq!(
            parse_retry_after(&in_two_minutes, now),
            Some(Duration::from_secs(120))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(5));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    #[test]
    fn dot_empty_and_control_ids_never_go_into_a_path() {
        for bad in ["", " ", ".", "..", "a\nb", "t\u{0}"] {
            assert!(!is_safe_id(bad), "{bad:?}");
        }
        for good in ["ds1-f0007-Labelling", "a/b c", "...", ".x", "ünï"] {
            assert!(is_safe_id(good), "{good:?}");
        }
    }

    #[test]
    fn ids_are_escaped_in_paths() {
        assert_eq!(
            path_action(ActionKind::Submit, "a/b c"),
            "tasks/a%2Fb%20c/submit"
        );
        assert_eq!(path_assignments("ds1", "label"), "datasets/ds1/label_tasks");
    }
}
