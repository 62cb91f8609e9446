//! Endpoint paths (1-10 of `docs/api-contract.md`), relative to the API base, ids percent-encoded.

use super::ActionKind;
use super::vocabulary::TASK_TYPE_LABEL;

/// Endpoint 1: a dataset's whole task list.
pub fn path_dataset_tasks(dataset_id: &str) -> String {
    format!("datasets/{}/tasks", seg(dataset_id))
}
/// Endpoints 2-4: an action (`kind`) on one task.
pub fn path_action(kind: ActionKind, task_id: &str) -> String {
    format!("tasks/{}/{}", seg(task_id), kind.as_str())
}
/// Endpoint 5: one user's tasks (the email goes in the query).
pub fn path_user_tasks(client_id: &str) -> String {
    format!("clients/{}/user_tasks", seg(client_id))
}
/// Endpoint 6: the client's tasks past their due date.
pub fn path_delayed_tasks(client_id: &str) -> String {
    format!("clients/{}/delayed_tasks", seg(client_id))
}
/// Endpoint 7 (`file`) or 8 (`label`): which one changes assignments of a task type.
pub fn path_assignments(dataset_id: &str, task_type: &str) -> String {
    let endpoint = if task_type == TASK_TYPE_LABEL {
        "label_tasks"
    } else {
        "file_tasks"
    };
    format!("datasets/{}/{endpoint}", seg(dataset_id))
}
/// Endpoint 9: the client's datasets.
pub fn path_datasets(client_id: &str) -> String {
    format!("clients/{}/datasets_ids", seg(client_id))
}
/// Endpoint 10: one dataset's details.
pub fn path_dataset(dataset_id: &str) -> String {
    format!("datasets/{}", seg(dataset_id))
}

/// Whether an id may go into a request path: ids are opaque to us, but an empty one, `.`,
/// `..` (which URL resolution turns into another endpoint, even percent-encoded) or one
/// with control characters never may.
pub fn is_safe_id(id: &str) -> bool {
    !id.trim().is_empty() && id != "." && id != ".." && !id.chars().any(char::is_control)
}

/// Percent-encodes one path segment (ids are opaque to us).
pub(super) fn seg(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
