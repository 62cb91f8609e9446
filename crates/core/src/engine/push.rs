//! Pushing the outbox. Each pass takes the actions that head their task's queue, refreshes
//! the server state they depend on, decides each against it (already done? conflicting?),
//! marks the rest in flight durably, sends them — task actions concurrently, assignments
//! batched per dataset and task type — and records every outcome in one transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use futures_util::{StreamExt, stream};
use serde::Serialize;

use super::decide::{Decision, attention, decide, retry};
use super::{EngineError, SyncEngine};
use crate::client::{ApiError, ErrorClass};
use crate::clock::now_millis;
use crate::outbox::{Op, OpKind, Settle};
use crate::wire::Task;

/// Actions taken per pass; each pass costs two durable commits.
const PASS_SIZE: usize = 500;
/// Task actions in flight at once.
const CONCURRENCY: usize = 8;
/// Assignments per request to endpoints 7-8.
pub const ASSIGN_BATCH: usize = 500;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PushReport {
    /// Applied, or found already applied.
    pub done: usize,
    /// Put before the user.
    pub needs_attention: usize,
    /// Waiting for a later attempt (backoff).
    pub retrying: usize,
    /// The server could not be reached: the rest waits.
    pub unreachable: bool,
    /// The token was refused: the queue is paused.
    pub sign_in_needed: bool,
    pub last_error: Option<String>,
}

impl PushReport {
    fn stopped(mut self, e: ApiError, sign_in: bool) -> Self {
        self.unreachable = !sign_in;
        self.sign_in_needed = sign_in;
        self.last_error = Some(e.to_string());
        self
    }
}

impl SyncEngine {
    /// Pushes everything that is due, pass after pass, until nothing is due or the server
    /// is out of reach.
    pub async fn push(&self) -> Result<PushReport, EngineError> {
        let mut report = PushReport::default();
        // Datasets refreshed in this push, and the verify-needing actions since then.
        let mut fresh: HashSet<String> = HashSet::new();
        let mut my_tasks_fresh = false;
        // A bound on passes: each pass settles every action it takes, so the queue shrinks.
        for _ in 0..10_000 {
            let ready = self.store.outbox().ready(now_millis(), PASS_SIZE)?;
            if ready.is_empty() {
                break;
            }
            let needs_state: BTreeSet<&str> = ready
                .iter()
                .filter(|op| op.verify || op.kind == OpKind::Assign)
                .map(|op| op.dataset_id.as_str())
                .filter(|d| !fresh.contains(*d))
                .collect();
            let mut unknown_state: HashSet<String> = HashSet::new();
            for dataset_id in needs_state {
                match self.pull_dataset(dataset_id, None).await {
                    Ok(_) => {
                        fresh.insert(dataset_id.to_string());
                    }
                    // Nothing was sent: every action of the pass stays as it was.
                    Err(EngineError::Api(e)) if e.is_transport() => {
                        return Ok(report.stopped(e, false));
                    }
                    Err(EngineError::Api(e)) => match e.class() {
                        ErrorClass::SignIn => return Ok(report.stopped(e, true)),
                        ErrorClass::Refused(403) if !my_tasks_fresh => {
                            // Not allowed to list the dataset: my own tasks are the next best view.
                            self.pull_my_tasks(&HashSet::new()).await?;
                            my_tasks_fresh = true;
                            fresh.insert(dataset_id.to_string());
                        }
                        ErrorClass::Refused(403) => {
                            fresh.insert(dataset_id.to_string());
                        }
                        _ => {
                            tracing::warn!(dataset_id, error = %e, "could not refresh before pushing");
                            report.last_error = Some(e.to_string());
                            unknown_state.insert(dataset_id.to_string());
                        }
                    },
                    Err(e) => return Err(e),
                }
            }

            let dataset_of: HashMap<i64, String> = ready
                .iter()
                .map(|op| (op.seq, op.dataset_id.clone()))
                .collect();
            let op_of: HashMap<i64, (String, OpKind)> = ready
                .iter()
                .map(|op| (op.seq, (op.task_id.clone(), op.kind)))
                .collect();
            let mut settled: Vec<(i64, Settle)> = Vec::new();
            let mut to_send: Vec<Op> = Vec::new();
            // Attempts that failed before a request: counted too, so they end before the user.
            let mut failed_early: Vec<i64> = Vec::new();
            {
                let mirror = self.store.mirror();
                for op in ready {
                    let decision = if unknown_state.contains(&op.dataset_id)
                        && (op.verify || op.kind == OpKind::Assign)
                    {
                        // The server's state could not be read: deciding blind risks a double apply.
                        failed_early.push(op.seq);
                        Decision::Settle(retry(
                            &self.backoff,
                            &op,
                            "could not read the task's state on the server",
                            false,
                            None,
                        ))
                    } else {
                        decide(&op, mirror.task(&op.task_id)?.as_ref())
                    };
                    match decision {
                        Decision::Settle(s) => settled.push((op.seq, s)),
                        Decision::Send => to_send.push(op),
                    }
                }
            }

            let seqs: Vec<i64> = to_send
                .iter()
                .map(|op| op.seq)
                .chain(failed_early)
                .collect();
            self.store.outbox().claim(&seqs)?;
            let mut confirmed_tasks: Vec<Task> = Vec::new();
            let mut confirmed_assignees: Vec<(String, Option<String>)> = Vec::new();
            let (actions, assigns): (Vec<Op>, Vec<Op>) = to_send
                .into_iter()
                .partition(|op| op.kind != OpKind::Assign);

            let action_results: Vec<(Op, Result<Task, ApiError>)> = stream::iter(actions)
                .map(|op| async move {
                    let kind = op.kind.action().expect("partitioned: not an assign");
                    let result = self
                        .client
                        .act(kind, &op.task_id, op.reason.as_deref())
                        .await;
                    (op, result)
                })
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            let mut stop: Option<(ApiError, bool)> = None;
            for (op, result) in action_results {
                let outcome = match result {
                    Ok(task) => {
                        confirmed_tasks.push(task);
                        Settle::Done
                    }
                    Err(e) => self.classify_failure(&op, e, &mut stop),
                };
                settled.push((op.seq, outcome));
            }

            let mut groups: BTreeMap<(String, String), Vec<Op>> = BTreeMap::new();
            for op in assigns {
                groups
                    .entry((op.dataset_id.clone(), op.task_type.clone()))
                    .or_default()
                    .push(op);
            }
            for ((dataset_id, task_type), ops) in groups {
                for chunk in ops.chunks(ASSIGN_BATCH) {
                    if stop.is_some() {
                        settled.extend(
                            chunk
                                .iter()
                                .map(|op| (op.seq, Settle::Release { verify: false })),
                        );
                        continue;
                    }
                    let results = self
                        .send_assignments(&dataset_id, &task_type, chunk.to_vec(), &mut stop)
                        .await;
                    for (op, outcome) in results {
                        if outcome == Settle::Done {
                            confirmed_assignees.push((op.task_id.clone(), op.assignee.clone()));
                        }
                        settled.push((op.seq, outcome));
                    }
                }
            }

            for (_, outcome) in &settled {
                match outcome {
                    Settle::Done => report.done += 1,
                    Settle::Attention { .. } => report.needs_attention += 1,
                    Settle::Retry { error, .. } => {
                        report.retrying += 1;
                        report.last_error = Some(error.clone());
                    }
                    Settle::Release { .. } => {}
                }
            }
            // Which datasets must be read again before their actions are decided.
            for (seq, outcome) in &settled {
                if let Settle::Retry { verify: true, .. } = outcome {
                    fresh.remove(&dataset_of[seq]);
                }
            }
            // Later intents of a task were made against this one's effect: once it is on
            // the server, the server's version of the task is what they were made against.
            let mut rebase: Vec<(String, i64, Option<i64>)> = Vec::new();
            {
                let answered: HashMap<&str, Option<i64>> = confirmed_tasks
                    .iter()
                    .map(|t| (t.task_id.as_str(), t.updated_at_millis))
                    .collect();
                let mirror = self.store.mirror();
                for (seq, outcome) in &settled {
                    if *outcome != Settle::Done {
                        continue;
                    }
                    let (task_id, kind) = &op_of[seq];
                    let version = match answered.get(task_id.as_str()) {
                        Some(version) => *version,
                        // An assignment's answer has no body: the version is not known.
                        None if *kind == OpKind::Assign => None,
                        // Found already done: the mirror was just refreshed.
                        None => mirror.task(task_id)?.and_then(|t| t.updated_at_millis),
                    };
                    rebase.push((task_id.clone(), *seq, version));
                }
            }
            self.store.outbox().settle(&settled, &rebase)?;
            if !confirmed_tasks.is_empty() || !confirmed_assignees.is_empty() {
                let mut mirror = self.store.mirror();
                mirror.upsert_tasks(&confirmed_tasks)?;
                mirror.set_assignees(&confirmed_assignees)?;
            }
            self.mirror_changed();
            if let Some((e, sign_in)) = stop {
                return Ok(report.stopped(e, sign_in));
            }
        }
        Ok(report)
    }

    /// Maps a failed request of one action to what happens next; `stop` is set when the
    /// rest of the queue must wait (offline, or the token refused).
    fn classify_failure(
        &self,
        op: &Op,
        e: ApiError,
        stop: &mut Option<(ApiError, bool)>,
    ) -> Settle {
        match e.class() {
            ErrorClass::Unreachable => {
                stop.get_or_insert((e, false));
                Settle::Release { verify: false }
            }
            ErrorClass::SignIn => {
                *stop = Some((e, true));
                Settle::Release { verify: false }
            }
            // No answer at all: may have been applied, and the server is out of reach — the
            // rest waits for the network rather than failing one by one.
            ErrorClass::Ambiguous if e.is_transport() => {
                let settle = retry(&self.backoff, op, &e.to_string(), true, None);
                stop.get_or_insert((e, false));
                settle
            }
            ErrorClass::Ambiguous => retry(&self.backoff, op, &e.to_string(), true, None),
            ErrorClass::RateLimited(after) => {
                retry(&self.backoff, op, &e.to_string(), false, after)
            }
            // 409: maybe "already done" — the server's state decides, right away.
            ErrorClass::Refused(409) if op.kind != OpKind::Assign => Settle::Retry {
                at: now_millis(),
                error: e.to_string(),
                verify: true,
            },
            ErrorClass::Refused(status) => attention(op, status, &e),
        }
    }

    /// Sends one batch of reassignments. A batch refused because of some entries is split
    /// so the good ones still land: the offending ids when the server names them, halves
    /// otherwise.
    async fn send_assignments(
        &self,
        dataset_id: &str,
        task_type: &str,
        batch: Vec<Op>,
        stop: &mut Option<(ApiError, bool)>,
    ) -> Vec<(Op, Settle)> {
        let mut out = Vec::new();
        let mut work = vec![batch];
        while let Some(batch) = work.pop() {
            if batch.is_empty() {
                continue;
            }
            if stop.is_some() {
                out.extend(
                    batch
                        .into_iter()
                        .map(|op| (op, Settle::Release { verify: false })),
                );
                continue;
            }
            let changes: Vec<(String, Option<String>)> = batch
                .iter()
                .map(|op| (op.task_id.clone(), op.assignee.clone()))
                .collect();
            let e = match self.client.assign(dataset_id, task_type, &changes).await {
                Ok(()) => {
                    out.extend(batch.into_iter().map(|op| (op, Settle::Done)));
                    continue;
                }
                Err(e) => e,
            };
            match e.class() {
                ErrorClass::Refused(status @ (400 | 409)) => {
                    let named: HashSet<&str> = e.task_ids().iter().map(String::as_str).collect();
                    let (bad, good): (Vec<Op>, Vec<Op>) = batch
                        .into_iter()
                        .partition(|op| named.contains(op.task_id.as_str()));
                    if !bad.is_empty() {
                        out.extend(bad.into_iter().map(|op| {
                            let s = attention(&op, status, &e);
                            (op, s)
                        }));
                        work.push(good);
                    } else if good.len() == 1 {
                        let op = good.into_iter().next().expect("one");
                        let s = attention(&op, status, &e);
                        out.push((op, s));
                    } else {
                        let mut left = good;
                        let right = left.split_off(left.len() / 2);
                        work.push(right);
                        work.push(left);
                    }
                }
                _ => {
                    for op in batch {
                        let s = self.classify_failure(&op, e.clone(), stop);
                        out.push((op, s));
                    }
                }
            }
        }
        out
    }
}
