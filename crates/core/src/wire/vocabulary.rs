//! The task vocabulary: every status a task can have and every action the user can take,
//! with the life-cycle rules the client assumes (Deepen's Task Life Cycle page; the
//! emulator enforces the same; see `docs/api-contract.md`, "Task life cycle"). Everything
//! else — the engine's decisions, the view's SQL, the balancing "open" set, the UI's
//! labels, filters and colours (through the generated bindings) — derives from here.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The `task_type` of a task on a whole file.
pub const TASK_TYPE_FILE: &str = "file";
/// The `task_type` of a task on one label.
pub const TASK_TYPE_LABEL: &str = "label";

/// A status Deepen documents. Kept apart from [`TaskStatus`] so the front ends can list
/// the known ones (their order is the life cycle's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum KnownTaskStatus {
    /// Not yet workable (an earlier stage is not done).
    Waiting,
    /// Workable, not started.
    Ready,
    /// Being worked on.
    InProgress,
    /// Sent back by a reviewer; work again.
    Rejected,
    /// Handed in, waiting for review.
    Submitted,
    /// Reviewed and accepted.
    Accepted,
}

impl KnownTaskStatus {
    /// Every known status, in life-cycle order.
    pub const ALL: [Self; 6] = [
        Self::Waiting,
        Self::Ready,
        Self::InProgress,
        Self::Rejected,
        Self::Submitted,
        Self::Accepted,
    ];

    /// The status as Deepen spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Ready => "ready",
            Self::InProgress => "in_progress",
            Self::Rejected => "rejected",
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
        }
    }

    /// Still work for the assignee: what "my open tasks" shows and balancing evens out.
    pub fn is_open(self) -> bool {
        !self.is_done()
    }

    /// Handed in (done for the assignee, hidden from their list unless asked); such a task
    /// also keeps its assignee (endpoints 7-8 answer 409).
    pub fn is_done(self) -> bool {
        matches!(self, Self::Submitted | Self::Accepted)
    }
}

/// A task's status. A status Deepen adds later is kept as [`TaskStatus::Unknown`] and
/// shown as it is spelled, never an error; it counts as neither open nor done.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(type = TaskStatusWire))]
pub enum TaskStatus {
    /// A documented status.
    Known(KnownTaskStatus),
    /// A status this version does not know, as the server spelled it.
    Unknown(String),
}

/// How [`TaskStatus`] looks on the wire and in TypeScript: a known name or any string.
#[cfg(feature = "specta")]
#[derive(specta::Type, Serialize)]
#[allow(dead_code)]
#[serde(untagged)]
enum TaskStatusWire {
    Known(KnownTaskStatus),
    Unknown(String),
}

impl TaskStatus {
    /// Shorthands for the known statuses.
    pub const WAITING: Self = Self::Known(KnownTaskStatus::Waiting);
    #[allow(missing_docs)]
    pub const READY: Self = Self::Known(KnownTaskStatus::Ready);
    #[allow(missing_docs)]
    pub const IN_PROGRESS: Self = Self::Known(KnownTaskStatus::InProgress);
    #[allow(missing_docs)]
    pub const REJECTED: Self = Self::Known(KnownTaskStatus::Rejected);
    #[allow(missing_docs)]
    pub const SUBMITTED: Self = Self::Known(KnownTaskStatus::Submitted);
    #[allow(missing_docs)]
    pub const ACCEPTED: Self = Self::Known(KnownTaskStatus::Accepted);

    /// Reads a status as the server spells it; an unknown name is kept.
    pub fn parse(s: &str) -> Self {
        KnownTaskStatus::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .map_or_else(|| Self::Unknown(s.to_string()), Self::Known)
    }

    /// The status as the server spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Known(k) => k.as_str(),
            Self::Unknown(s) => s,
        }
    }

    /// The known status, if it is one.
    pub fn known(&self) -> Option<KnownTaskStatus> {
        match self {
            Self::Known(k) => Some(*k),
            Self::Unknown(_) => None,
        }
    }

    /// Still work for the assignee (see [`KnownTaskStatus::is_open`]).
    pub fn is_open(&self) -> bool {
        self.known().is_some_and(KnownTaskStatus::is_open)
    }

    /// Whether a task in this status can still be reassigned (endpoints 7-8 answer 409
    /// for submitted and accepted tasks). Unknown statuses leave it to the server.
    pub fn can_reassign(&self) -> bool {
        !self.known().is_some_and(KnownTaskStatus::is_done)
    }

    /// Every status that counts as open, as the server spells them.
    pub fn open_statuses() -> Vec<TaskStatus> {
        KnownTaskStatus::ALL
            .into_iter()
            .filter(|k| k.is_open())
            .map(Self::Known)
            .collect()
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for TaskStatus {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for TaskStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<&str> for TaskStatus {
    fn from(s: &str) -> Self {
        Self::parse(s)
    }
}

impl From<KnownTaskStatus> for TaskStatus {
    fn from(k: KnownTaskStatus) -> Self {
        Self::Known(k)
    }
}

impl Serialize for TaskStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TaskStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Self::parse(&s))
    }
}

impl rusqlite::ToSql for TaskStatus {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(
            rusqlite::types::ValueRef::Text(self.as_str().as_bytes()),
        ))
    }
}

impl rusqlite::types::FromSql for TaskStatus {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        v.as_str().map(Self::parse)
    }
}

/// Everything a user can do to a task: the actions of endpoints 2-4, and a reassignment
/// (endpoints 7-8). The outbox queues these; the CLI and the window offer them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ActionKind {
    /// Hand the task in for review.
    Submit,
    /// Accept a submitted task (reviewer).
    Accept,
    /// Send a submitted task back (reviewer), with an optional reason.
    Reject,
    /// Give the task to someone else, or to nobody.
    Assign,
}

impl ActionKind {
    /// Every action kind.
    pub const ALL: [Self; 4] = [Self::Submit, Self::Accept, Self::Reject, Self::Assign];

    /// The kind as the API's paths and the queue spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Accept => "accept",
            Self::Reject => "reject",
            Self::Assign => "assign",
        }
    }

    /// Reads a kind as [`Self::as_str`] spells it.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The status the task has once the action took effect; `None` for a reassignment,
    /// which leaves the status as it is.
    pub fn target_status(self) -> Option<KnownTaskStatus> {
        match self {
            Self::Submit => Some(KnownTaskStatus::Submitted),
            Self::Accept => Some(KnownTaskStatus::Accepted),
            Self::Reject => Some(KnownTaskStatus::Rejected),
            Self::Assign => None,
        }
    }

    /// Whether the action changes the task's status (submit, accept, reject).
    pub fn changes_status(self) -> bool {
        self.target_status().is_some()
    }

    /// The statuses from which the server allows the action.
    pub fn allowed_from(self) -> &'static [KnownTaskStatus] {
        use KnownTaskStatus as S;
        match self {
            Self::Submit => &[S::Ready, S::InProgress, S::Rejected],
            Self::Accept | Self::Reject => &[S::Submitted],
            Self::Assign => &[S::Waiting, S::Ready, S::InProgress, S::Rejected],
        }
    }

    /// Whether the server allows the action on a task in `status`. Unknown statuses: only
    /// a reassignment is tried (the server decides).
    pub fn allowed(self, status: &TaskStatus) -> bool {
        match status.known() {
            Some(k) => self.allowed_from().contains(&k),
            None => self == Self::Assign,
        }
    }

    /// Whether a task in `status` shows a status action's effect. The API has no
    /// idempotency keys, so this is how an ambiguous request is judged after the fact: a
    /// submitted task that the next stage already accepted was submitted too. Always
    /// false for a reassignment (its effect is the assignee, judged by the engine).
    pub fn effect_present(self, status: &TaskStatus) -> bool {
        let Some(status) = status.known() else {
            return false;
        };
        match self {
            Self::Submit => matches!(
                status,
                KnownTaskStatus::Submitted | KnownTaskStatus::Accepted
            ),
            Self::Accept => status == KnownTaskStatus::Accepted,
            Self::Reject => status == KnownTaskStatus::Rejected,
            Self::Assign => false,
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One status as the front ends list it (the generated `STATUS_VOCABULARY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StatusInfo {
    /// The status.
    pub status: KnownTaskStatus,
    /// Still work for the assignee.
    pub open: bool,
    /// Handed in (hidden from "my tasks" unless asked; keeps its assignee).
    pub done: bool,
}

/// One action as the front ends list it (the generated `ACTION_VOCABULARY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ActionInfo {
    /// The action.
    pub kind: ActionKind,
    /// The status it leads to (`None`: a reassignment keeps the status).
    pub target: Option<KnownTaskStatus>,
    /// The statuses from which the server allows it.
    pub allowed_from: &'static [KnownTaskStatus],
}

/// Every known status with its rules, in life-cycle order.
pub fn status_vocabulary() -> Vec<StatusInfo> {
    KnownTaskStatus::ALL
        .into_iter()
        .map(|status| StatusInfo {
            status,
            open: status.is_open(),
            done: status.is_done(),
        })
        .collect()
}

/// Every action with its rules.
pub fn action_vocabulary() -> Vec<ActionInfo> {
    ActionKind::ALL
        .into_iter()
        .map(|kind| ActionInfo {
            kind,
            target: kind.target_status(),
            allowed_from: kind.allowed_from(),
        })
        .collect()
}

/// An SQL expression giving the status a status action leads to, from a column holding an
/// action kind (`NULL` for a reassignment): built from [`ActionKind::target_status`].
pub fn sql_target_status(kind_column: &str) -> String {
    let arms: String = ActionKind::ALL
        .into_iter()
        .filter_map(|k| {
            k.target_status()
                .map(|t| format!(" WHEN '{}' THEN '{}'", k.as_str(), t.as_str()))
        })
        .collect();
    format!("CASE {kind_column}{arms} END")
}

/// Scopes of dataset users who only watch or manage (assumption: Deepen's scope names;
/// see `docs/api-contract.md`, `user_scopes`). They can be assigned, but are not offered
/// as workers on the board or by balancing.
const NON_WORKING_SCOPES: [&str; 2] = ["customer", "dataset_admin"];

/// The TaskResource field holding the reviewer's reason of a rejected task (assumption:
/// Deepen documents a reason on reject but not where a task shows it; see
/// `docs/api-contract.md`). The mirror's activity trigger reads it (`mirror::schema`).
pub const REJECT_REASON_FIELD: &str = "reject_reason";

/// The scope that lets a dataset's user change its assignments (assumption: Deepen's name;
/// see `docs/api-contract.md`, assignments are for dataset admins only).
pub const REASSIGNING_SCOPE: &str = "dataset_admin";

/// Whether a dataset user with `scopes` may change its assignments.
pub fn may_reassign(scopes: &[String]) -> bool {
    scopes.iter().any(|s| s == REASSIGNING_SCOPE)
}

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

    #[test]
    fn statuses_round_trip_and_unknown_ones_are_kept() {
        for k in KnownTaskStatus::ALL {
            let s = TaskStatus::Known(k);
            assert_eq!(TaskStatus::parse(s.as_str()), s);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<TaskStatus>(&json).unwrap(), s);
        }
        let new: TaskStatus = serde_json::from_str(r#""on_hold""#).unwrap();
        assert_eq!(new, TaskStatus::Unknown("on_hold".into()));
        assert_eq!(serde_json::to_string(&new).unwrap(), r#""on_hold""#);
        assert!(!new.is_open() && new.can_reassign());
        assert!(!ActionKind::Submit.allowed(&new) && ActionKind::Assign.allowed(&new));
        assert!(!ActionKind::Submit.effect_present(&new));
    }

    #[test]
    fn open_and_done_split_the_known_statuses() {
        let open = TaskStatus::open_statuses();
        let open: Vec<&str> = open.iter().map(TaskStatus::as_str).collect();
        assert_eq!(open, ["waiting", "ready", "in_progress", "rejected"]);
        for k in KnownTaskStatus::ALL {
            assert_ne!(k.is_open(), k.is_done(), "{k:?}");
            assert_eq!(TaskStatus::Known(k).can_reassign(), k.is_open());
        }
    }

    #[test]
    fn every_status_action_leads_out_of_where_it_is_allowed() {
        for kind in ActionKind::ALL {
            assert_eq!(ActionKind::parse(kind.as_str()), Some(kind));
            if let Some(target) = kind.target_status() {
                assert!(kind.effect_present(&target.into()));
                assert!(!kind.allowed_from().contains(&target), "{kind}");
            }
        }
        assert_eq!(
            sql_target_status("k"),
            "CASE k WHEN 'submit' THEN 'submitted' WHEN 'accept' THEN 'accepted' WHEN 'reject' THEN 'rejected' END"
        );
    }
}
