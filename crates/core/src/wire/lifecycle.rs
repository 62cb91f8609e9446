//! The task life cycle as the client assumes it (the Task Life Cycle page; the emulator
//! enforces the same): which status an action leads to, from which it is allowed, and how
//! to tell after the fact that it took effect.

use std::fmt;

use serde::{Deserialize, Serialize};

pub const TASK_TYPE_FILE: &str = "file";
pub const TASK_TYPE_LABEL: &str = "label";

/// A task action of endpoints 2-4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ActionKind {
    Submit,
    Accept,
    Reject,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Accept => "accept",
            Self::Reject => "reject",
        }
    }

    /// The status the task has once the action took effect.
    pub fn target_status(self) -> &'static str {
        match self {
            Self::Submit => "submitted",
            Self::Accept => "accepted",
            Self::Reject => "rejected",
        }
    }

    /// The statuses from which the server allows the action.
    pub fn allowed_from(self) -> &'static [&'static str] {
        match self {
            Self::Submit => &["ready", "in_progress", "rejected"],
            Self::Accept | Self::Reject => &["submitted"],
        }
    }

    /// Whether a task in `status` shows the action's effect. The API has no idempotency
    /// keys, so this is how an ambiguous request is judged after the fact: a submitted
    /// task that the next stage already accepted was submitted too.
    pub fn effect_present(self, status: &str) -> bool {
        match self {
            Self::Submit => status == "submitted" || status == "accepted",
            Self::Accept => status == "accepted",
            Self::Reject => status == "rejected",
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a task in `status` can still be reassigned (endpoints 7-8 answer 409 for
/// submitted and accepted tasks).
pub fn can_reassign(status: &str) -> bool {
    !matches!(status, "submitted" | "accepted")
}

/// Scopes of dataset users who only watch or manage (assumption: Deepen's scope names;
/// see deepen-api.md, `user_scopes`). They can be assigned, but are not offered as
/// workers on the board or by balancing.
const NON_WORKING_SCOPES: [&str; 2] = ["customer", "dataset_admin"];

/// Whether a dataset user with `scopes` works on tasks (labels or reviews). Unknown scopes
/// count as working, so no one is hidden by a name we do not know.
pub fn works_on_tasks(scopes: &[String]) -> bool {
    scopes.is_empty()
        || scopes
            .iter()
            .any(|s| !NON_WORKING_SCOPES.contains(&s.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchers_and_managers_are_not_workers_unknown_scopes_are() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(works_on_tasks(&s(&["labeller"])));
        assert!(works_on_tasks(&s(&["reviewer", "customer"])));
        assert!(works_on_tasks(&s(&["some_new_scope"])));
        assert!(works_on_tasks(&[]));
        assert!(!works_on_tasks(&s(&["customer"])));
        assert!(!works_on_tasks(&s(&["dataset_admin"])));
    }
}
