//! The rules of `docs/api-contract.md`: the task life cycle (submit / accept / reject, who may do
//! them from which state, and what happens to the next stage) and assignment changes
//! (admin only, all or nothing, 400 / 409 with the offending task ids). Both the HTTP
//! API and `Control::act` go through `apply`, so they cannot disagree.

use serde::{Deserialize, Serialize};

use crate::journal::JournalEntry;
use std::sync::Arc;

use crate::model::{Role, State, Status, TaskRef};

/// A mutation, as the HTTP API or the control handle asks for it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Submit {
        task_id: String,
    },
    Accept {
        task_id: String,
    },
    Reject {
        task_id: String,
        reason: Option<String>,
    },
    /// `task_type` is `file` (endpoint 7) or `label` (endpoint 8); an assignee of `None`
    /// unassigns.
    Assign {
        dataset_id: String,
        task_type: String,
        assignments: Vec<(String, Option<String>)>,
    },
}

/// A refused request: the HTTP status and the JSON error body `{"error", "task_ids"}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ApiFailure {
    pub status: u16,
    pub error: String,
    #[serde(default)]
    pub task_ids: Vec<String>,
}

impl ApiFailure {
    pub fn new(status: u16, error: impl Into<String>) -> Self {
        ApiFailure {
            status,
            error: error.into(),
            task_ids: Vec::new(),
        }
    }

    pub fn with_tasks(status: u16, error: impl Into<String>, task_ids: Vec<String>) -> Self {
        ApiFailure {
            status,
            error: error.into(),
            task_ids,
        }
    }
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.error)?;
        if !self.task_ids.is_empty() {
            write!(f, " ({})", self.task_ids.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiFailure {}

/// What an applied action produced.
#[derive(Debug)]
pub(crate) enum Applied {
    /// submit / accept / reject: the acted-on task.
    Task(TaskRef),
    /// assign: nothing to show (the API answers with an empty body).
    Assigned,
}

/// Who acts, through what (`api` / `control`), and when.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctx<'a> {
    pub actor: &'a str,
    pub via: &'a str,
    pub now: i64,
}

/// Applies `action` as `ctx.actor` (an email), journaling each changed task.
pub(crate) fn apply(
    state: &mut State,
    ctx: Ctx<'_>,
    action: Action,
) -> Result<Applied, ApiFailure> {
    match action {
        Action::Submit { task_id } => submit(state, ctx, &task_id),
        Action::Accept { task_id } => review(state, ctx, &task_id, None),
        Action::Reject { task_id, reason } => review(state, ctx, &task_id, Some(reason)),
        Action::Assign {
            dataset_id,
            task_type,
            assignments,
        } => assign(state, ctx, &dataset_id, &task_type, assignments),
    }
}

fn locate(state: &State, actor: &str, task_id: &str) -> Result<TaskRef, ApiFailure> {
    let r = state
        .find_task(task_id)
        .ok_or_else(|| ApiFailure::new(404, format!("unknown task {task_id}")))?;
    if !state.has_access(actor, r.dataset) {
        return Err(ApiFailure::new(
            403,
            format!(
                "{actor} has no access to dataset {}",
                state.datasets[r.dataset].meta.id
            ),
        ));
    }
    Ok(r)
}

fn next_stage(state: &State, r: TaskRef) -> Option<TaskRef> {
    let meta = &state.datasets[r.dataset].meta;
    let (_, stage) = meta.split(r.index);
    (stage + 1 < meta.stage_count()).then_some(TaskRef {
        dataset: r.dataset,
        index: r.index + 1,
    })
}

fn email_of(state: &State, user: Option<u32>) -> Option<String> {
    user.and_then(|u| state.user(u)).map(|u| u.email.clone())
}

/// Journals the change of `r` from its state `from` (status, assignee) to its current one.
fn record(
    state: &mut State,
    ctx: Ctx<'_>,
    action: &str,
    r: TaskRef,
    from: (Status, Option<u32>),
    reason: Option<String>,
) {
    let to = state.task(r);
    let entry = JournalEntry {
        seq: state.journal.last().map_or(1, |e| e.seq + 1),
        at_millis: ctx.now,
        actor: ctx.actor.to_string(),
        action: action.to_string(),
        task_id: state.datasets[r.dataset].meta.task_id(r.index),
        from_status: from.0.as_str().to_string(),
        to_status: to.status.as_str().to_string(),
        from_assignee: email_of(state, from.1),
        to_assignee: email_of(state, to.assignee),
        via: ctx.via.to_string(),
        reason,
    };
    state.journal.push(entry);
}

fn set_status(state: &mut State, r: TaskRef, status: Status, now: i64) {
    let t = state.task_mut(r);
    t.status = status;
    touch(t, now);
    if status != Status::Rejected {
        set_reason(state, r, None);
    }
}

/// Keeps (or forgets) the reviewer's reason of a rejected task.
fn set_reason(state: &mut State, r: TaskRef, reason: Option<String>) {
    let reasons = &state.datasets[r.dataset].reasons;
    if reason.as_ref() == reasons.get(&r.index) {
        return;
    }
    let reasons = Arc::make_mut(&mut state.datasets[r.dataset].reasons);
    match reason {
        Some(text) => reasons.insert(r.index, text),
        None => reasons.remove(&r.index),
    };
}

/// Bumps `updated_at_millis`: to now, and always past its previous value, so that every
/// change of a task is visible in it even within one millisecond.
fn touch(t: &mut crate::model::Task, now: i64) {
    t.updated_at_millis = now.max(t.updated_at_millis + 1);
}

fn submit(state: &mut State, ctx: Ctx<'_>, task_id: &str) -> Result<Applied, ApiFailure> {
    let (actor, now) = (ctx.actor, ctx.now);
    let r = locate(state, actor, task_id)?;
    let task = state.task(r);
    let is_assignee = task.assignee.is_some() && task.assignee == state.user_index(actor);
    if !is_assignee && !state.is_dataset_admin(actor, r.dataset) {
        return Err(ApiFailure::with_tasks(
            403,
            "only the task's assignee or a dataset admin may submit it",
            vec![task_id.to_string()],
        ));
    }
    if !matches!(
        task.status,
        Status::Ready | Status::InProgress | Status::Rejected
    ) {
        return Err(ApiFailure::with_tasks(
            409,
            format!(
                "task is {}; submit needs ready, in_progress or rejected",
                task.status.as_str()
            ),
            vec![task_id.to_string()],
        ));
    }
    set_status(state, r, Status::Submitted, now);
    if let Some(next) = next_stage(state, r)
        && state.task(next).status == Status::Waiting
    {
        set_status(state, next, Status::Ready, now);
    }
    record(state, ctx, "submit", r, (task.status, task.assignee), None);
    Ok(Applied::Task(r))
}

/// accept (`reason` is None) or reject (`reason` is Some(optional text)).
fn review(
    state: &mut State,
    ctx: Ctx<'_>,
    task_id: &str,
    reason: Option<Option<String>>,
) -> Result<Applied, ApiFailure> {
    let (actor, now) = (ctx.actor, ctx.now);
    let verb = if reason.is_some() { "reject" } else { "accept" };
    let r = locate(state, actor, task_id)?;
    let task = state.task(r);
    let next = next_stage(state, r);
    let me = state.user_index(actor);
    let allowed = state.is_dataset_admin(actor, r.dataset)
        || match next {
            Some(n) => me.is_some() && state.task(n).assignee == me,
            None => {
                state.role_of(actor) == Some(Role::Customer)
                    || state.datasets[r.dataset]
                        .meta
                        .has_scope(actor, Role::Customer.scope())
            }
        };
    if !allowed {
        let who = if next.is_some() {
            "the next stage's assignee or a dataset admin"
        } else {
            "a customer or a dataset admin"
        };
        return Err(ApiFailure::with_tasks(
            403,
            format!("only {who} may {verb} this task"),
            vec![task_id.to_string()],
        ));
    }
    if task.status != Status::Submitted {
        return Err(ApiFailure::with_tasks(
            409,
            format!("task is {}; {verb} needs submitted", task.status.as_str()),
            vec![task_id.to_string()],
        ));
    }
    match &reason {
        None => set_status(state, r, Status::Accepted, now),
        Some(text) => {
            set_status(state, r, Status::Rejected, now);
            set_reason(state, r, text.clone().filter(|t| !t.trim().is_empty()));
            if let Some(n) = next
                && state.task(n).status != Status::Waiting
            {
                set_status(state, n, Status::Waiting, now);
            }
        }
    }
    record(
        state,
        ctx,
        verb,
        r,
        (task.status, task.assignee),
        reason.flatten(),
    );
    Ok(Applied::Task(r))
}

/// Endpoints 7-8. Longer than our ~80-line rule on purpose: all-or-nothing validation of
/// every entry, then the apply, read best as one piece against the contract.
fn assign(
    state: &mut State,
    ctx: Ctx<'_>,
    dataset_id: &str,
    task_type: &str,
    assignments: Vec<(String, Option<String>)>,
) -> Result<Applied, ApiFailure> {
    let (actor, now) = (ctx.actor, ctx.now);
    let ds = state
        .dataset_pos(dataset_id)
        .ok_or_else(|| ApiFailure::new(404, format!("unknown dataset {dataset_id}")))?;
    if !state.is_dataset_admin(actor, ds) {
        return Err(ApiFailure::new(
            403,
            "only dataset admins may change assignments",
        ));
    }
    if task_type != "file" && task_type != "label" {
        return Err(ApiFailure::new(
            400,
            format!("unknown task type {task_type}"),
        ));
    }
    let mut invalid: Vec<(String, String)> = Vec::new();
    let mut frozen: Vec<String> = Vec::new();
    let mut changes: Vec<(TaskRef, Option<u32>)> = Vec::new();
    for (task_id, assignee) in assignments {
        let Some(r) = state.find_task(&task_id) else {
            invalid.push((task_id, "unknown task".into()));
            continue;
        };
        let meta = &state.datasets[r.dataset].meta;
        if r.dataset != ds {
            invalid.push((task_id, format!("belongs to dataset {}", meta.id)));
            continue;
        }
        if meta.task_type() != task_type {
            invalid.push((task_id, format!("is a {} task", meta.task_type())));
            continue;
        }
        let user = match &assignee {
            None => None,
            Some(email) => match state.user_index(email) {
                Some(u) if meta.scopes_of(email).is_some() => Some(u),
                _ => {
                    invalid.push((
                        task_id,
                        format!("{email} is not in the dataset's user_scopes"),
                    ));
                    continue;
                }
            },
        };
        let task = state.task(r);
        if task.assignee == user {
            continue; // setting what is already there changes nothing
        }
        if matches!(task.status, Status::Submitted | Status::Accepted) {
            frozen.push(task_id);
            continue;
        }
        changes.push((r, user));
    }
    if !invalid.is_empty() {
        let detail: Vec<String> = invalid
            .iter()
            .map(|(t, why)| format!("{t}: {why}"))
            .collect();
        return Err(ApiFailure::with_tasks(
            400,
            format!(
                "invalid assignments, nothing changed: {}",
                detail.join("; ")
            ),
            invalid.into_iter().map(|(t, _)| t).collect(),
        ));
    }
    if !frozen.is_empty() {
        return Err(ApiFailure::with_tasks(
            409,
            "submitted or accepted tasks can no longer be reassigned; nothing changed",
            frozen,
        ));
    }
    for (r, user) in changes {
        let before = state.task(r);
        let t = state.task_mut(r);
        t.assignee = user;
        touch(t, now);
        record(
            state,
            ctx,
            "assign",
            r,
            (before.status, before.assignee),
            None,
        );
    }
    Ok(Applied::Assigned)
}
