//! The core's errors and reasons in words for a terminal: what happened, and which
//! `dtasks` command helps. (The desktop shell words the same kinds for a window.)

use dtasks_core::account::AccountError;
use dtasks_core::credentials::CredentialError;
use dtasks_core::outbox::{OutboxError, ResolveRefusal};
use dtasks_core::{ActionKind, AttentionReason, Op, WorkspaceError};

/// An error for stderr: the core's kind worded with the command that helps, then the
/// context it was given on the way up.
pub fn error(e: &anyhow::Error) -> String {
    let worded = e.chain().find_map(|cause| {
        cause
            .downcast_ref::<WorkspaceError>()
            .map(workspace_error)
            .or_else(|| cause.downcast_ref::<AccountError>().map(account_error))
            .or_else(|| {
                cause
                    .downcast_ref::<CredentialError>()
                    .map(credential_error)
            })
    });
    match worded {
        // Context added above the core error comes first ("cannot open the workspace …").
        Some(text) => {
            let context: Vec<String> = e
                .chain()
                .take_while(|c| {
                    !c.is::<WorkspaceError>()
                        && !c.is::<AccountError>()
                        && !c.is::<CredentialError>()
                })
                .map(ToString::to_string)
                .collect();
            context
                .into_iter()
                .chain([text])
                .collect::<Vec<_>>()
                .join(": ")
        }
        None => format!("{e:#}"),
    }
}

fn workspace_error(e: &WorkspaceError) -> String {
    use WorkspaceError as W;
    match e {
        W::NotConnected => "not connected to Deepen yet: run `dtasks connect --server URL \
             --client-id ID --email EMAIL` first"
            .to_string(),
        W::UnknownTasks(_) => format!("{e}; run `dtasks pull`"),
        W::AccountSwitchBlocked { .. } => format!(
            "{e}; sync them (`dtasks sync`) or discard them (`dtasks resolve OP --discard`) before connecting another account"
        ),
        W::TokenRefused { .. } => {
            format!("{e}: check it, or create a new one in Deepen and run `dtasks connect` again")
        }
        W::NotReassignable { .. } => {
            format!("{e}, and submitted or accepted tasks keep their assignee")
        }
        W::MayNotReassign { .. } => {
            format!("{e}: in Deepen, only a dataset's admins can reassign its tasks")
        }
        W::Account(inner) => account_error(inner),
        W::Credentials(inner) => credential_error(inner),
        W::Outbox(OutboxError::CannotResolve(refusal)) => resolve_refusal(*refusal).to_string(),
        W::AssignWithoutAssignee => "use `dtasks assign TASK --to EMAIL` to reassign".to_string(),
        other => format!("{other:#}"),
    }
}

fn account_error(e: &AccountError) -> String {
    match e {
        AccountError::Corrupt { .. } => {
            format!("{e}; move it aside, then run `dtasks connect` again")
        }
        other => other.to_string(),
    }
}

fn credential_error(e: &CredentialError) -> String {
    match e {
        CredentialError::Missing { .. } => format!(
            "{e}: set DEEPEN_TOKEN, or run `dtasks connect … --token-stdin` to keep one in the system's credential store"
        ),
        other => other.to_string(),
    }
}

fn resolve_refusal(refusal: ResolveRefusal) -> &'static str {
    match refusal {
        ResolveRefusal::InFlight => "this action is being sent right now; try again in a moment",
        ResolveRefusal::AlreadyDone => "this action is already applied on the server",
        ResolveRefusal::OverwriteNeedsAssign => {
            "only a reassignment can overwrite (use --retry or --discard)"
        }
        ResolveRefusal::OnlyDiscard => {
            "the server refused this action in a way no retry changes; only --discard is left"
        }
    }
}

/// Why an action waits on the user, for `dtasks queue`.
pub fn reason(op: &Op) -> String {
    let Some(reason) = &op.attention else {
        return op.last_error.clone().unwrap_or_default();
    };
    let verb = op.kind.as_str();
    let who = |email: &Option<String>| email.clone().unwrap_or_else(|| "nobody".to_string());
    match reason {
        AttentionReason::ReassignedElsewhere {
            now_assignee,
            from,
            to,
        } => format!(
            "someone else reassigned it to {} after you moved it from {} to {}; `--overwrite` assigns it to {} anyway, `--discard` keeps theirs",
            who(now_assignee),
            who(from),
            who(to),
            who(to)
        ),
        AttentionReason::ChangedAfterLostAnswer { status } => format!(
            "the answer to your {verb} was lost and the task changed since (now {status}); `--retry` sends it again, `--discard` drops it"
        ),
        AttentionReason::NoLongerAllowed { status } => format!(
            "the task is now {status} on the server (someone else changed it), so it can no longer be {}",
            past_tense(op.kind)
        ),
        AttentionReason::KeepsFailing { attempts, error } => format!(
            "tried {attempts} times, the server keeps failing ({error}); `--retry` later or `--discard`"
        ),
        AttentionReason::Refused {
            http_status,
            server_says,
        } => match (http_status, op.kind) {
            (403, _) => format!("Deepen does not allow you to {verb} it (403): {server_says}"),
            (404, _) => format!("the task no longer exists on Deepen (404): {server_says}"),
            (409, ActionKind::Assign) => format!(
                "the task is submitted or accepted and keeps its assignee (409): {server_says}"
            ),
            (status, _) => format!("Deepen refused to {verb} it ({status}): {server_says}"),
        },
        AttentionReason::Text { text } => text.clone(),
    }
}

/// "can no longer be submitted": the status a status action leads to; a reassignment
/// leaves the status, so it has a word of its own.
fn past_tense(kind: ActionKind) -> &'static str {
    kind.target_status()
        .map_or("reassigned", dtasks_core::KnownTaskStatus::as_str)
}

/// A notice in one line: what happened, to how many tasks, where (the first few ids).
pub fn notice(n: &dtasks_core::notices::Notice) -> String {
    use dtasks_core::notices::NoticeKind;
    let count = n.task_ids.len();
    let tasks = if count == 1 { "task" } else { "tasks" };
    let place = n.dataset_name.as_deref().unwrap_or(&n.dataset_id);
    let what = match n.kind {
        NoticeKind::Assigned => format!("{count} new {tasks} for you in {place}"),
        NoticeKind::Rejected => format!(
            "{count} of your {} rejected in {place}",
            if count == 1 {
                "tasks was"
            } else {
                "tasks were"
            }
        ),
        NoticeKind::Late => format!(
            "{count} of your {} now late in {place}",
            if count == 1 { "tasks is" } else { "tasks are" }
        ),
        NoticeKind::NeedsDecision => {
            let actions = if count == 1 { "action" } else { "actions" };
            format!("{count} {actions} in {place} need your decision (`dtasks queue`)")
        }
    };
    let mut ids: Vec<&str> = n.task_ids.iter().take(3).map(String::as_str).collect();
    if count > 3 {
        ids.push("…");
    }
    let reasons = if n.reasons.is_empty() {
        String::new()
    } else {
        format!(" — “{}”", n.reasons.join("”, “"))
    };
    format!("{what}: {}{reasons}", ids.join(", "))
}

/// Who brought a recorded change.
pub fn source(source: dtasks_core::activity::Source) -> &'static str {
    match source {
        dtasks_core::activity::Source::Server => "seen in sync",
        dtasks_core::activity::Source::Device => "this device",
    }
}

/// A recorded change in words: "submitted → rejected: “Boxes too loose”", "moved from
/// ana@x to bo@x", "submit reached Deepen".
pub fn change(e: &dtasks_core::activity::ActivityEntry) -> String {
    use dtasks_core::activity::ActivityKind;
    let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".to_string());
    let with_note = |text: String, sep: &str| match &e.note {
        Some(note) => format!("{text}{sep}{note}"),
        None => text,
    };
    match e.kind {
        ActivityKind::Status => with_note(
            format!("{} → {}", or_unknown(&e.old), or_unknown(&e.new)).replace('_', " "),
            ": ",
        ),
        ActivityKind::Assignee => match (&e.old, &e.new) {
            (None, Some(to)) => format!("given to {to}"),
            (Some(from), Some(to)) => format!("moved from {from} to {to}"),
            (Some(from), None) => format!("taken from {from}, unassigned"),
            (None, None) => "unassigned".to_string(),
        },
        ActivityKind::Stage => format!("stage {} → {}", or_unknown(&e.old), or_unknown(&e.new)),
        ActivityKind::Action => {
            let action = match e.old.as_deref() {
                Some("assign") => "reassignment",
                Some(other) => other,
                None => "action",
            };
            let outcome = match e.new.as_deref() {
                Some("done") => "reached Deepen",
                Some("needs_decision") => "needs your decision",
                Some("discarded") => "was taken back",
                Some(other) => other,
                None => "ended",
            };
            with_note(format!("{action} {outcome}"), ": ")
        }
    }
}

/// A duration for a person, as the window words it: "less than a minute", "12 min",
/// "3 h 5 min", "2 d 4 h".
pub fn duration(ms: i64) -> String {
    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    let ms = ms.abs();
    if ms < MINUTE {
        return "less than a minute".to_string();
    }
    let minutes = (ms + MINUTE / 2) / MINUTE;
    let (big, small, big_unit, small_unit) = if minutes < 60 {
        return format!("{minutes} min");
    } else if minutes < 24 * 60 {
        (minutes / 60, minutes % 60, "h", "min")
    } else {
        let hours = (ms + HOUR / 2) / HOUR;
        (hours / 24, hours % 24, "d", "h")
    };
    if small == 0 {
        format!("{big} {big_unit}")
    } else {
        format!("{big} {big_unit} {small} {small_unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dtasks_core::activity::{ActivityEntry, ActivityKind, Source};

    #[test]
    fn durations_read_as_in_the_window() {
        assert_eq!(duration(59_000), "less than a minute");
        assert_eq!(duration(12 * 60_000), "12 min");
        assert_eq!(duration(185 * 60_000), "3 h 5 min");
        assert_eq!(duration(120 * 60_000), "2 h");
        assert_eq!(duration((2 * 24 + 4) * 3_600_000), "2 d 4 h");
    }

    #[test]
    fn recorded_changes_in_words() {
        let entry =
            |kind, old: Option<&str>, new: Option<&str>, note: Option<&str>| ActivityEntry {
                id: 1,
                at: 0,
                source: Source::Server,
                kind,
                task_id: "t1".into(),
                dataset_id: "d1".into(),
                person: None,
                old: old.map(Into::into),
                new: new.map(Into::into),
                note: note.map(Into::into),
            };
        let says = |e: ActivityEntry| change(&e);
        assert_eq!(
            says(entry(
                ActivityKind::Status,
                Some("submitted"),
                Some("rejected"),
                Some("Boxes too loose")
            )),
            "submitted → rejected: Boxes too loose"
        );
        assert_eq!(
            says(entry(
                ActivityKind::Status,
                Some("ready"),
                Some("in_progress"),
                None
            )),
            "ready → in progress"
        );
        assert_eq!(
            says(entry(
                ActivityKind::Assignee,
                Some("a@x"),
                Some("b@x"),
                None
            )),
            "moved from a@x to b@x"
        );
        assert_eq!(
            says(entry(ActivityKind::Assignee, None, Some("b@x"), None)),
            "given to b@x"
        );
        assert_eq!(
            says(entry(
                ActivityKind::Action,
                Some("assign"),
                Some("needs_decision"),
                Some("someone else moved it")
            )),
            "reassignment needs your decision: someone else moved it"
        );
    }
}
