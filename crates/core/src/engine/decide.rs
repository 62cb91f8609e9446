//! Deciding each action against the server's current state of its task before anything
//! is sent (already done? conflicting? changed since?), and what a failure leads to —
//! retry later, or the user, with the reason as data (each front end words it).

use std::time::Duration;

use super::backoff::{self, Backoff};
use crate::client::ApiError;
use crate::clock::now_millis;
use crate::outbox::{AttentionReason, Op, Settle};
use crate::wire::{ActionKind, Task};

/// What a pass decided to do with one action before sending anything.
#[derive(Debug, PartialEq, Eq)]
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
    if op.kind == ActionKind::Assign {
        return decide_assign(op, task);
    }
    if op.kind.effect_present(&task.status) {
        return Decision::Settle(Settle::Done);
    }
    // The answer to an earlier request was lost and the effect is not there. If nobody
    // changed the task since the intent was made, the request was not applied and can go
    // again; if someone did, a resend could repeat an applied action on their change (a
    // submit after a reviewer's reject): the user decides.
    if op.verify && op.base_updated_at.is_some() && task.updated_at_millis != op.base_updated_at {
        return Decision::Settle(Settle::Attention {
            reason: AttentionReason::ChangedAfterLostAnswer {
                status: task.status.clone(),
            },
            error: "changed on the server since the intent".to_string(),
        });
    }
    if op.verify && !op.kind.allowed(&task.status) {
        return Decision::Settle(Settle::Attention {
            reason: AttentionReason::NoLongerAllowed {
                status: task.status.clone(),
            },
            error: format!("server status {}", task.status),
        });
    }
    Decision::Send
}

/// A reassignment: done when the server already has the assignee; someone else's change
/// since the user moved the task goes to the user unless they chose to overwrite it.
fn decide_assign(op: &Op, task: &Task) -> Decision {
    if task.assignee == op.assignee {
        return Decision::Settle(Settle::Done);
    }
    if !op.overwrite && task.assignee != op.base_assignee {
        return Decision::Settle(Settle::Attention {
            reason: AttentionReason::ReassignedElsewhere {
                now_assignee: task.assignee.clone(),
                from: op.base_assignee.clone(),
                to: op.assignee.clone(),
            },
            error: "assignee changed on the server".to_string(),
        });
    }
    Decision::Send
}

/// A failure to try again later, or — after [`backoff::MAX_ATTEMPTS`] — to put before
/// the user.
pub(super) fn retry(
    backoff: &Backoff,
    op: &Op,
    error: &str,
    verify: bool,
    retry_after: Option<Duration>,
) -> Settle {
    if op.attempts >= backoff::MAX_ATTEMPTS {
        return Settle::Attention {
            reason: AttentionReason::KeepsFailing {
                attempts: op.attempts,
                error: error.to_string(),
            },
            error: error.to_string(),
        };
    }
    let wait = backoff.delay(op.attempts, retry_after);
    let wait = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
    Settle::Retry {
        at: now_millis().saturating_add(wait),
        error: error.to_string(),
        verify,
    }
}

/// A refusal by the server (`status`): the user decides.
pub(super) fn attention(status: u16, e: &ApiError) -> Settle {
    let server_says = match e {
        ApiError::Status { message, .. } => message.clone(),
        other => other.to_string(),
    };
    Settle::Attention {
        reason: AttentionReason::Refused {
            http_status: status,
            server_says,
        },
        error: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::OpState;
    use crate::wire::TaskStatus;

    fn op(kind: ActionKind) -> Op {
        Op {
            seq: 1,
            op_id: "op".into(),
            kind,
            task_id: "t1".into(),
            dataset_id: "ds1".into(),
            task_type: "file".into(),
            reason: None,
            assignee: (kind == ActionKind::Assign).then(|| "bo".to_string()),
            base_status: TaskStatus::READY,
            base_assignee: Some("ana".into()),
            base_updated_at: Some(100),
            state: OpState::InFlight,
            verify: false,
            overwrite: false,
            attempts: 0,
            next_attempt_at: 0,
            last_error: None,
            attention: None,
            choices: Vec::new(),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn task(status: TaskStatus, assignee: Option<&str>, version: i64) -> Task {
        Task {
            task_id: "t1".into(),
            dataset_id: "ds1".into(),
            task_type: "file".into(),
            stage_id: "Labelling".into(),
            status,
            assignee: assignee.map(str::to_string),
            file_id: None,
            label_id: None,
            updated_at_millis: Some(version),
            due_at_millis: None,
            raw: String::new(),
        }
    }

    /// What a row of the table expects.
    #[derive(Debug, PartialEq)]
    enum Want {
        Send,
        Done,
        Attention(AttentionReason),
    }

    fn outcome(d: Decision) -> Want {
        match d {
            Decision::Send => Want::Send,
            Decision::Settle(Settle::Done) => Want::Done,
            Decision::Settle(Settle::Attention { reason, .. }) => Want::Attention(reason),
            Decision::Settle(other) => panic!("decide never gives {other:?}"),
        }
    }

    #[test]
    fn decisions_table() {
        use ActionKind::*;
        // (case, kind, verify, overwrite, server task, expected)
        type Row = (&'static str, ActionKind, bool, bool, Option<Task>, Want);
        let rows: Vec<Row> = vec![
            (
                "unknown task: the server decides",
                Submit,
                true,
                false,
                None,
                Want::Send,
            ),
            (
                "submit, effect there",
                Submit,
                false,
                false,
                Some(task(TaskStatus::SUBMITTED, Some("ana"), 100)),
                Want::Done,
            ),
            (
                "submit, next stage accepted it",
                Submit,
                true,
                false,
                Some(task(TaskStatus::ACCEPTED, Some("ana"), 200)),
                Want::Done,
            ),
            (
                "submit, fresh intent",
                Submit,
                false,
                false,
                Some(task(TaskStatus::READY, Some("ana"), 100)),
                Want::Send,
            ),
            (
                "submit, lost answer, unchanged",
                Submit,
                true,
                false,
                Some(task(TaskStatus::READY, Some("ana"), 100)),
                Want::Send,
            ),
            (
                "submit, lost answer, changed since",
                Submit,
                true,
                false,
                Some(task(TaskStatus::REJECTED, Some("ana"), 300)),
                Want::Attention(AttentionReason::ChangedAfterLostAnswer {
                    status: TaskStatus::REJECTED,
                }),
            ),
            (
                "accept, lost answer, no longer allowed",
                Accept,
                true,
                false,
                Some(task(TaskStatus::IN_PROGRESS, Some("ana"), 100)),
                Want::Attention(AttentionReason::NoLongerAllowed {
                    status: TaskStatus::IN_PROGRESS,
                }),
            ),
            (
                "accept, not verifying: the server decides",
                Accept,
                false,
                false,
                Some(task(TaskStatus::IN_PROGRESS, Some("ana"), 100)),
                Want::Send,
            ),
            (
                "reject, effect there",
                Reject,
                true,
                false,
                Some(task(TaskStatus::REJECTED, Some("ana"), 100)),
                Want::Done,
            ),
            (
                "unknown status, lost answer",
                Submit,
                true,
                false,
                Some(task(
                    TaskStatus::Unknown("on_hold".into()),
                    Some("ana"),
                    100,
                )),
                Want::Attention(AttentionReason::NoLongerAllowed {
                    status: TaskStatus::Unknown("on_hold".into()),
                }),
            ),
            (
                "assign, already there",
                Assign,
                false,
                false,
                Some(task(TaskStatus::READY, Some("bo"), 100)),
                Want::Done,
            ),
            (
                "assign, unchanged since",
                Assign,
                false,
                false,
                Some(task(TaskStatus::READY, Some("ana"), 100)),
                Want::Send,
            ),
            (
                "assign, someone else moved it",
                Assign,
                false,
                false,
                Some(task(TaskStatus::READY, Some("chidi"), 200)),
                Want::Attention(AttentionReason::ReassignedElsewhere {
                    now_assignee: Some("chidi".into()),
                    from: Some("ana".into()),
                    to: Some("bo".into()),
                }),
            ),
            (
                "assign, overwrite chosen",
                Assign,
                false,
                true,
                Some(task(TaskStatus::READY, Some("chidi"), 200)),
                Want::Send,
            ),
        ];
        for (case, kind, verify, overwrite, server, want) in rows {
            let mut o = op(kind);
            o.verify = verify;
            o.overwrite = overwrite;
            assert_eq!(outcome(decide(&o, server.as_ref())), want, "{case}");
        }
    }

    #[test]
    fn failures_back_off_then_go_to_the_user() {
        let backoff = Backoff::default();
        let mut o = op(ActionKind::Submit);
        assert!(matches!(
            retry(&backoff, &o, "503", true, None),
            Settle::Retry { verify: true, .. }
        ));
        o.attempts = backoff::MAX_ATTEMPTS;
        assert_eq!(
            retry(&backoff, &o, "503", true, None),
            Settle::Attention {
                reason: AttentionReason::KeepsFailing {
                    attempts: backoff::MAX_ATTEMPTS,
                    error: "503".into()
                },
                error: "503".into()
            }
        );
        let refused = ApiError::Status {
            status: 403,
            message: "not yours".into(),
            task_ids: Vec::new(),
            retry_after: None,
        };
        assert!(matches!(
            attention(403, &refused),
            Settle::Attention { reason: AttentionReason::Refused { http_status: 403, ref server_says }, .. } if server_says == "not yours"
        ));
    }
}
