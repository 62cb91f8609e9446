//! The shape of one queued action.

use serde::Serialize;

use crate::wire::ActionKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum OpKind {
    Submit,
    Accept,
    Reject,
    Assign,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Accept => "accept",
            Self::Reject => "reject",
            Self::Assign => "assign",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "submit" => Self::Submit,
            "accept" => Self::Accept,
            "reject" => Self::Reject,
            "assign" => Self::Assign,
            _ => return None,
        })
    }

    pub fn action(self) -> Option<ActionKind> {
        match self {
            Self::Submit => Some(ActionKind::Submit),
            Self::Accept => Some(ActionKind::Accept),
            Self::Reject => Some(ActionKind::Reject),
            Self::Assign => None,
        }
    }
}

impl From<ActionKind> for OpKind {
    fn from(kind: ActionKind) -> Self {
        match kind {
            ActionKind::Submit => Self::Submit,
            ActionKind::Accept => Self::Accept,
            ActionKind::Reject => Self::Reject,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum OpState {
    Pending,
    InFlight,
    Done,
    NeedsAttention,
}

impl OpState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InFlight => "in_flight",
            Self::Done => "done",
            Self::NeedsAttention => "needs_attention",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "in_flight" => Self::InFlight,
            "done" => Self::Done,
            "needs_attention" => Self::NeedsAttention,
            _ => return None,
        })
    }
}

/// One queued action, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Op {
    #[serde(skip)]
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub seq: i64,
    pub op_id: String,
    pub kind: OpKind,
    pub task_id: String,
    pub dataset_id: String,
    pub task_type: String,
    /// Reject reason (`reject_reason` in JSON).
    #[serde(rename = "reject_reason")]
    pub reason: Option<String>,
    /// Target of an assign; `None` unassigns.
    pub assignee: Option<String>,
    pub base_status: String,
    pub base_assignee: Option<String>,
    /// The task's `updated_at_millis` on the server when the intent was made.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub base_updated_at: Option<i64>,
    pub state: OpState,
    pub verify: bool,
    pub overwrite: bool,
    pub attempts: u32,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    /// Why the user must decide, in plain words (state `needs_attention`); `reason` in JSON.
    #[serde(rename = "reason")]
    pub attention: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub created_at: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub updated_at: i64,
}

pub(crate) const OP_COLUMNS: &str = "seq, op_id, kind, task_id, dataset_id, task_type, reason, assignee, base_status, \
     base_assignee, state, verify, overwrite, attempts, next_attempt_at, last_error, attention, created_at, updated_at, base_updated_at";

pub(crate) fn read_op(r: &rusqlite::Row) -> rusqlite::Result<Op> {
    let kind: String = r.get(2)?;
    let state: String = r.get(10)?;
    let bad = |col: usize, v: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            col,
            rusqlite::types::Type::Text,
            format!("unknown value {v:?}").into(),
        )
    };
    Ok(Op {
        seq: r.get(0)?,
        op_id: r.get(1)?,
        kind: OpKind::parse(&kind).ok_or_else(|| bad(2, &kind))?,
        task_id: r.get(3)?,
        dataset_id: r.get(4)?,
        task_type: r.get(5)?,
        reason: r.get(6)?,
        assignee: r.get(7)?,
        base_status: r.get(8)?,
        base_assignee: r.get(9)?,
        base_updated_at: r.get(19)?,
        state: OpState::parse(&state).ok_or_else(|| bad(10, &state))?,
        verify: r.get(11)?,
        overwrite: r.get(12)?,
        attempts: r.get(13)?,
        next_attempt_at: r.get(14)?,
        last_error: r.get(15)?,
        attention: r.get(16)?,
        created_at: r.get(17)?,
        updated_at: r.get(18)?,
    })
}
