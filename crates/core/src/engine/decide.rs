//! Deciding each action against the server's current state of its task before anything
//! is sent (already done? conflicting? changed since?), and what a failure leads to —
//! retry later, or the user — in words a person understands.

use std::time::Duration;

use super::backoff::{self, Backoff};
use crate::client::ApiError;
use crate::clock::now_millis;
use crate::outbox::{Op, OpKind, Settle};
use crate::wire::Task;

/// What a pass decided to do with one action before sending anything.
pub(super) enum Decision {
    Settle(Settle),
    Send,
}

/// Decides an action against the server's current state of its task (if the mirror has
/// it), before anything is sent.
pub(super) fn decide(op: &Op, task: Option<&Task>) -> Decision {
    let Some(task) = task else {
        // Unknown here: the server decides (404 or 409 is safe; a repeat is refused).
        return Decision::Send;
    };
    match op.kind.action() {
        Some(kind) => {
            if kind.effect_present(&task.status) {
                return Decision::Settle(Settle::Done);
            }
            // The answer to an earlier request was lost and the effect is not there. If
            // nobody changed the task since the intent was made, the request was not
            // applied and can go again; if someone did, a resend could repeat an applied
            // action on their change (a submit after a reviewer's reject): the user decides.
            if op.verify
                && op.base_updated_at.is_some()
                && task.updated_at_millis != op.base_updated_at
            {
                return Decision::Settle(Settle::Attention {
                    reason: format!(
                        "The task changed on the server after you acted (it is now \"{}\"), and the answer to your {} was lost, so it is not known whether it was applied. Retry to send it again, or discard it.",
                        human_status(&task.status),
                        op.kind.as_str()
                    ),
                    error: "changed on the server since the intent".to_string(),
                });
            }
            if op.verify && !kind.allowed_from().contains(&task.status.as_str()) {
                return Decision::Settle(Settle::Attention {
                    reason: format!(
                        "The task is now \"{}\" on the server (someone else changed it), so it can no longer be {}.",
                        human_status(&task.status),
                        past_tense(op.kind)
                    ),
                    error: format!("server status {}", task.status),
                });
            }
            Decision::Send
        }
        None => {
            if task.assignee == op.assignee {
                return Decision::Settle(Settle::Done);
            }
            if !op.overwrite && task.assignee != op.base_assignee {
                return Decision::Settle(Settle::Attention {
                    reason: format!(
                        "Someone else reassigned this task to {} after you moved it from {} to {}. Overwrite to assign it to {} anyway, or discard your change.",
                        who(task.assignee.as_deref()),
                        who(op.base_assignee.as_deref()),
                        who(op.assignee.as_deref()),
                        who(op.assignee.as_deref()),
                    ),
                    error: "assignee changed on the server".to_string(),
                });
            }
            Decision::Send
        }
    }
}

pub(super) fn retry(
    backoff: &Backoff,
    op: &Op,
    error: &str,
    verify: bool,
    retry_after: Option<Duration>,
) -> Settle {
    if op.attempts >= backoff::MAX_ATTEMPTS {
        return Settle::Attention {
            reason: format!(
                "Tried {} times without success; the server keeps failing ({error}). Retry later or discard it.",
                op.attempts
            ),
            error: error.to_string(),
        };
    }
    let wait = backoff.delay(op.attempts, retry_after);
    Settle::Retry {
        at: now_millis() + wait.as_millis() as i64,
        error: error.to_string(),
        verify,
    }
}

pub(super) fn attention(op: &Op, status: u16, e: &ApiError) -> Settle {
    let server_says = match e {
        ApiError::Status { message, .. } => message.clone(),
        other => other.to_string(),
    };
    let what = match op.kind {
        OpKind::Assign => "reassign this task".to_string(),
        kind => format!("{} this task", kind.as_str()),
    };
    let reason = match status {
        403 => format!(
            "Deepen does not allow you to {what} (it may be assigned to someone else now). Deepen said: {server_says}"
        ),
        404 => format!("The task no longer exists on Deepen. Deepen said: {server_says}"),
        409 if op.kind == OpKind::Assign => {
            format!(
                "The task is already submitted or accepted, so it can no longer be reassigned. Deepen said: {server_says}"
            )
        }
        _ => format!("Deepen refused to {what}. Deepen said: {server_says}"),
    };
    Settle::Attention {
        reason,
        error: e.to_string(),
    }
}

fn who(email: Option<&str>) -> String {
    email.map_or_else(|| "nobody".to_string(), str::to_string)
}

fn human_status(status: &str) -> String {
    status.replace('_', " ")
}

fn past_tense(kind: OpKind) -> &'static str {
    match kind {
        OpKind::Submit => "submitted",
        OpKind::Accept => "accepted",
        OpKind::Reject => "rejected",
        OpKind::Assign => "reassigned",
    }
}
