//! The shape of one queued action.

use serde::Serialize;

use super::attention::AttentionReason;
use crate::wire::{ActionKind, TaskStatus};

/// Where a queued action is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum OpState {
    /// Waiting to be sent (or to be sent again after a backoff).
    Pending,
    /// Being sent; after a crash it may have been applied.
    InFlight,
    /// Applied, or its effect found on the server.
    Done,
    /// The user must decide (see [`Op::attention`]).
    NeedsAttention,
}

impl OpState {
    /// The state as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InFlight => "in_flight",
            Self::Done => "done",
            Self::NeedsAttention => "needs_attention",
        }
    }

    /// Reads a state as stored.
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
    /// Its place in the queue, in the order the user acted (not in JSON).
    #[serde(skip)]
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub seq: i64,
    /// Its id (a UUIDv7), stable across restarts.
    pub op_id: String,
    /// What the user wants done.
    pub kind: ActionKind,
    /// The task it acts on.
    pub task_id: String,
    /// The task's dataset.
    pub dataset_id: String,
    /// The task's type (`file` or `label`): which assignment endpoint serves it.
    pub task_type: String,
    /// Reject reason (`reject_reason` in JSON).
    #[serde(rename = "reject_reason")]
    pub reason: Option<String>,
    /// Target of an assign; `None` unassigns.
    pub assignee: Option<String>,
    /// The status the intent was made against (the server's, with earlier intents laid over).
    pub base_status: TaskStatus,
    /// The assignee the intent was made against.
    pub base_assignee: Option<String>,
    /// The task's `updated_at_millis` on the server when the intent was made.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub base_updated_at: Option<i64>,
    /// Where it is in its life.
    pub state: OpState,
    /// A request may have been applied: the server's state decides before a resend.
    pub verify: bool,
    /// Reassign even though someone else changed the assignee meanwhile.
    pub overwrite: bool,
    /// Requests made so far (for backoff).
    pub attempts: u32,
    /// Not before this time (Unix ms).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub next_attempt_at: i64,
    /// The last failure, as a technical note (for logs and the queue's details).
    pub last_error: Option<String>,
    /// Why the user must decide (state `needs_attention`), as data each front end words;
    /// `reason` in JSON.
    #[serde(rename = "reason")]
    pub attention: Option<AttentionReason>,
    /// The decisions that can work now, in the order to offer them: for an action that
    /// needs attention, by its reason (a refusal no retry changes: discard only); a waiting
    /// one can be discarded (undone) before it is sent; none while it is sent or once done.
    pub choices: Vec<super::Resolution>,
    /// When the user acted (Unix ms).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub created_at: i64,
    /// Last change of this record (Unix ms).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub updated_at: i64,
}

/// What the user can decide for an action of `kind` in `state`, held for `attention`.
fn choices(
    kind: ActionKind,
    state: OpState,
    attention: Option<&AttentionReason>,
) -> Vec<super::Resolution> {
    use super::Resolution::{Discard, Overwrite, Retry};
    match (state, attention) {
        (OpState::NeedsAttention, Some(reason)) => reason.resolutions(kind),
        (OpState::NeedsAttention, None) if kind == ActionKind::Assign => {
            vec![Overwrite, Retry, Discard]
        }
        (OpState::NeedsAttention, None) => vec![Retry, Discard],
        (OpState::Pending, _) => vec![Discard],
        (OpState::InFlight | OpState::Done, _) => Vec::new(),
    }
}

pub(crate) const OP_COLUMNS: &str = "seq, op_id, kind, task_id, dataset_id, task_type, reason, assignee, base_status, \
     base_assignee, state, verify, overwrite, attempts, next_attempt_at, last_error, attention, created_at, updated_at, base_updated_at";

pub(crate) fn read_op(r: &rusqlite::Row<'_>) -> rusqlite::Result<Op> {
    let kind: String = r.get(2)?;
    let state: String = r.get(10)?;
    let bad = |col: usize, v: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            col,
            rusqlite::types::Type::Text,
            format!("unknown value {v:?}").into(),
        )
    };
    let kind = ActionKind::parse(&kind).ok_or_else(|| bad(2, &kind))?;
    let state = OpState::parse(&state).ok_or_else(|| bad(10, &state))?;
    let attention = r
        .get::<_, Option<String>>(16)?
        .map(|stored| AttentionReason::from_stored(&stored));
    Ok(Op {
        choices: choices(kind, state, attention.as_ref()),
        seq: r.get(0)?,
        op_id: r.get(1)?,
        kind,
        task_id: r.get(3)?,
        dataset_id: r.get(4)?,
        task_type: r.get(5)?,
        reason: r.get(6)?,
        assignee: r.get(7)?,
        base_status: r.get(8)?,
        base_assignee: r.get(9)?,
        base_updated_at: r.get(19)?,
        state,
        verify: r.get(11)?,
        overwrite: r.get(12)?,
        attempts: r.get(13)?,
        next_attempt_at: r.get(14)?,
        last_error: r.get(15)?,
        attention,
        created_at: r.get(17)?,
        updated_at: r.get(18)?,
    })
}
