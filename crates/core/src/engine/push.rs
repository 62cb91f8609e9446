//! Pushing the outbox, pass after pass. Each pass is a [`Pass`] value that goes through
//! phases, each a function of its own:
//!
//! 1. [`SyncEngine::refresh_state`] reads again the datasets whose actions must be decided
//!    against the server's current state (a possibly applied action, any reassignment);
//! 2. [`SyncEngine::decide_pass`] decides each action (already done? conflicting?);
//! 3. the pass's actions are marked in flight durably (`Outbox::claim`), as they were
//!    read: one the user changed meanwhile is left for the next pass;
//! 4. [`SyncEngine::send_actions`] sends task actions concurrently;
//! 5. [`SyncEngine::send_assign_groups`] sends reassignments batched per dataset and type;
//! 6. [`Pass::rebase`] finds the versions later intents of a task were made against;
//! 7. [`SyncEngine::record_pass`] records every outcome in one transaction and lays the
//!    confirmed tasks into the mirror;
//! 8. [`PushReport::tally`] counts them, and the views they changed are announced.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use futures_util::{StreamExt, stream};
use serde::Serialize;

use super::decide::{Decision, attention, decide, retry};
use super::{EngineError, SyncEngine};
use crate::activity::{ActionOutcome, ActionRecord};
use crate::changes::{Changes, ViewChange};
use crate::client::{ApiError, ErrorClass};
use crate::clock::now_millis;
use crate::mirror::Mirror;
use crate::outbox::{Op, Settle};
use crate::wire::{ActionKind, Task};

/// Actions taken per pass; each pass costs two durable commits.
const PASS_SIZE: usize = 500;
/// Task actions in flight at once.
const CONCURRENCY: usize = 8;
/// Assignments per request to endpoints 7-8.
pub const ASSIGN_BATCH: usize = 500;
/// A bound on passes: each pass settles every action it takes, so the queue shrinks.
const MAX_PASSES: usize = 10_000;
/// Requests of an action the server answered 409 while its listing still allows it (the
/// task may be locked, say): after this many, the user decides.
pub const REFUSED_409_LIMIT: u32 = 4;

/// What a push did.
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
    /// The last failure, as a technical note.
    pub last_error: Option<String>,
    /// The views the push changed.
    #[serde(skip)]
    pub changes: Changes,
}

impl PushReport {
    fn stopped(mut self, stop: Stop) -> Self {
        self.unreachable = !stop.sign_in;
        self.sign_in_needed = stop.sign_in;
        self.last_error = Some(stop.error.to_string());
        self
    }

    /// Counts a pass's outcomes.
    fn tally(&mut self, outcomes: &[Outcome]) {
        for outcome in outcomes {
            match &outcome.settle {
                Settle::Done => self.done += 1,
                Settle::Attention { .. } => self.needs_attention += 1,
                Settle::Retry { error, .. } => {
                    self.retrying += 1;
                    self.last_error = Some(error.clone());
                }
                Settle::Release { .. } => {}
            }
        }
    }
}

/// The views a pass's outcomes changed: each settled action's badge, and where the user
/// sees its task once it is done; the queue.
fn outcome_changes(outcomes: &[Outcome], changes: &mut Changes) {
    for outcome in outcomes {
        if matches!(outcome.settle, Settle::Release { .. }) {
            continue;
        }
        changes.tasks_of(
            &outcome.dataset_id,
            outcome.people.iter().map(Option::as_deref),
            outcome.kind.changes_status(),
        );
        changes.add(ViewChange::Queue);
    }
}

/// Why the rest of the queue waits: the server is out of reach, or the token was refused.
#[derive(Debug)]
pub(super) struct Stop {
    error: ApiError,
    sign_in: bool,
}

/// How one action of a pass ended, with what the pass needs to know of it afterwards.
#[derive(Debug)]
struct Outcome {
    seq: i64,
    task_id: String,
    dataset_id: String,
    kind: ActionKind,
    /// Whose task lists show the task: before and after the action.
    people: [Option<String>; 2],
    settle: Settle,
}

impl Outcome {
    /// The activity record's entry of an action that ended here (done, or waiting on the
    /// user); `None` while it goes on.
    fn record(&self) -> Option<ActionRecord> {
        let (outcome, note) = match &self.settle {
            Settle::Done => (ActionOutcome::Done, None),
            Settle::Attention { error, .. } => (ActionOutcome::NeedsDecision, Some(error.clone())),
            Settle::Retry { .. } | Settle::Release { .. } => return None,
        };
        Some(ActionRecord {
            task_id: self.task_id.clone(),
            dataset_id: self.dataset_id.clone(),
            kind: self.kind,
            outcome,
            note,
        })
    }

    fn of(op: &Op, settle: Settle) -> Self {
        Self {
            seq: op.seq,
            task_id: op.task_id.clone(),
            dataset_id: op.dataset_id.clone(),
            kind: op.kind,
            people: [
                op.base_assignee.clone(),
                if op.kind == ActionKind::Assign {
                    op.assignee.clone()
                } else {
                    op.base_assignee.clone()
                },
            ],
            settle,
        }
    }
}

/// Which datasets' server state is fresh enough to decide against, across passes.
#[derive(Debug, Default)]
struct Freshness {
    datasets: HashSet<String>,
    my_tasks: bool,
}

/// One pass: the actions it took and what became of them.
#[derive(Debug, Default)]
struct Pass {
    outcomes: Vec<Outcome>,
    /// Tasks as the server answered the actions that took effect.
    confirmed_tasks: Vec<Task>,
    /// Reassignments that took effect: task and new assignee.
    confirmed_assignees: Vec<(String, Option<String>)>,
    stop: Option<Stop>,
}

impl Pass {
    fn settle(&mut self, op: &Op, settle: Settle) {
        self.outcomes.push(Outcome::of(op, settle));
    }

    /// Later intents of a task were made against an earlier one's effect: once it is on
    /// the server, the server's version of the task after it is their base. Gives
    /// `(task, seq, version)` for each action that took effect.
    fn rebase(&self, mirror: &Mirror) -> Result<Vec<(String, i64, Option<i64>)>, EngineError> {
        let answered: HashMap<&str, Option<i64>> = self
            .confirmed_tasks
            .iter()
            .map(|t| (t.task_id.as_str(), t.updated_at_millis))
            .collect();
        let mut rebase = Vec::new();
        for o in self.outcomes.iter().filter(|o| o.settle == Settle::Done) {
            let version = match answered.get(o.task_id.as_str()) {
                Some(version) => *version,
                // An assignment's answer has no body: the version is not known.
                None if o.kind == ActionKind::Assign => None,
                // Found already done: the mirror was just refreshed.
                None => mirror.task(&o.task_id)?.and_then(|t| t.updated_at_millis),
            };
            rebase.push((o.task_id.clone(), o.seq, version));
        }
        Ok(rebase)
    }
}

/// Whether deciding `op` needs the server's current state of its task.
fn needs_state(op: &Op) -> bool {
    op.verify || op.kind == ActionKind::Assign
}

impl SyncEngine {
    /// Pushes everything that is due, pass after pass, until nothing is due or the server
    /// is out of reach.
    pub async fn push(&self) -> Result<PushReport, EngineError> {
        let mut report = PushReport::default();
        let mut fresh = Freshness::default();
        for _ in 0..MAX_PASSES {
            let ready = self.store.outbox().ready(now_millis(), PASS_SIZE)?;
            if ready.is_empty() {
                break;
            }
            let mut changes = Changes::none();
            let refreshed = self.refresh_state(&ready, &mut fresh, &mut report, &mut changes);
            let unknown_state = match refreshed.await? {
                Ok(unknown) => unknown,
                // Nothing was sent: every action of the pass stays as it was.
                Err(stop) => {
                    self.announce_pass(&mut report, changes);
                    return Ok(report.stopped(stop));
                }
            };
            // Every action of the pass is claimed as it was read: one the user changed
            // meanwhile (the refresh can take seconds) is left for the next pass.
            let read: Vec<Op> = ready.clone();
            let (mut pass, mut to_send) = self.decide_pass(ready, &unknown_state)?;
            let claimed = self
                .store
                .outbox()
                .claim(&read.iter().collect::<Vec<_>>())?;
            pass.outcomes.retain(|o| claimed.contains(&o.seq));
            to_send.retain(|op| claimed.contains(&op.seq));
            // As claimed: the request about to go counts as an attempt (backoff and the
            // limits see every request made, this one included).
            let (actions, assigns): (Vec<Op>, Vec<Op>) = to_send
                .into_iter()
                .map(|op| Op {
                    attempts: op.attempts + 1,
                    ..op
                })
                .partition(|op| op.kind != ActionKind::Assign);
            self.send_actions(actions, &mut pass).await;
            self.send_assign_groups(assigns, &mut pass).await;
            // Datasets with a possibly applied action are read again before it is decided.
            for o in &pass.outcomes {
                if let Settle::Retry { verify: true, .. } = o.settle {
                    fresh.datasets.remove(&o.dataset_id);
                }
            }
            report.tally(&pass.outcomes);
            outcome_changes(&pass.outcomes, &mut changes);
            let stop = self.record_pass(pass)?;
            self.announce_pass(&mut report, changes);
            if let Some(stop) = stop {
                return Ok(report.stopped(stop));
            }
        }
        Ok(report)
    }

    /// Tells the front ends at once what a pass changed (a long push shows progress), and
    /// keeps it for the round's report.
    fn announce_pass(&self, report: &mut PushReport, changes: Changes) {
        self.announce(changes.clone().into_vec());
        report.changes.merge(changes);
    }

    /// Phase 1: reads again the datasets whose actions need the server's current state.
    /// Gives the datasets whose state could not be read, or why the push must stop.
    async fn refresh_state(
        &self,
        ready: &[Op],
        fresh: &mut Freshness,
        report: &mut PushReport,
        changes: &mut Changes,
    ) -> Result<Result<HashSet<String>, Stop>, EngineError> {
        let stale: BTreeSet<&str> = ready
            .iter()
            .filter(|op| needs_state(op))
            .map(|op| op.dataset_id.as_str())
            .filter(|d| !fresh.datasets.contains(*d))
            .collect();
        let mut unknown_state = HashSet::new();
        for dataset_id in stale {
            let e = match self.pull_dataset(dataset_id, None).await {
                Ok(pulled) => {
                    if pulled.changed_rows() {
                        changes.whole_dataset(dataset_id);
                    }
                    fresh.datasets.insert(dataset_id.to_string());
                    continue;
                }
                Err(EngineError::Api(e)) => e,
                Err(e) => return Err(e),
            };
            if e.is_transport() {
                return Ok(Err(Stop {
                    error: e,
                    sign_in: false,
                }));
            }
            match e.class() {
                ErrorClass::SignIn => {
                    return Ok(Err(Stop {
                        error: e,
                        sign_in: true,
                    }));
                }
                ErrorClass::Refused(403) => {
                    // Not allowed to list the dataset: my own tasks are the next best view.
                    if !fresh.my_tasks {
                        if let Some((mine, _)) = self.pull_my_tasks(&HashSet::new()).await? {
                            changes.merge(mine);
                        }
                        fresh.my_tasks = true;
                    }
                    fresh.datasets.insert(dataset_id.to_string());
                }
                _ => {
                    tracing::warn!(dataset_id, error = %e, "could not refresh before pushing");
                    report.last_error = Some(e.to_string());
                    unknown_state.insert(dataset_id.to_string());
                }
            }
        }
        Ok(Ok(unknown_state))
    }

    /// Phase 2: decides each action against the server's state of its task. Gives the
    /// pass with the actions settled without a request (a state that could not be read
    /// counts as a failed attempt, so it ends before the user), and the actions to send.
    fn decide_pass(
        &self,
        ready: Vec<Op>,
        unknown_state: &HashSet<String>,
    ) -> Result<(Pass, Vec<Op>), EngineError> {
        let mut pass = Pass::default();
        let mut to_send = Vec::new();
        let mirror = self.store.mirror();
        for op in ready {
            let decision = if needs_state(&op) && unknown_state.contains(&op.dataset_id) {
                // The server's state could not be read: deciding blind risks a double apply.
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
                Decision::Settle(s) => pass.settle(&op, s),
                Decision::Send => to_send.push(op),
            }
        }
        Ok((pass, to_send))
    }

    /// Phase 4: sends task actions (submit, accept, reject), several at once.
    async fn send_actions(&self, actions: Vec<Op>, pass: &mut Pass) {
        let results: Vec<(Op, Result<Task, ApiError>)> = stream::iter(actions)
            .map(|op| async move {
                let result = self
                    .client
                    .act(op.kind, &op.task_id, op.reason.as_deref())
                    .await;
                (op, result)
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for (op, result) in results {
            let settle = match result {
                Ok(task) => {
                    pass.confirmed_tasks.push(task);
                    Settle::Done
                }
                Err(e) => self.classify_failure(&op, e, &mut pass.stop),
            };
            pass.settle(&op, settle);
        }
    }

    /// Phase 5: sends reassignments, batched per dataset and task type (endpoints 7-8).
    async fn send_assign_groups(&self, assigns: Vec<Op>, pass: &mut Pass) {
        let mut groups: BTreeMap<(String, String), Vec<Op>> = BTreeMap::new();
        for op in assigns {
            groups
                .entry((op.dataset_id.clone(), op.task_type.clone()))
                .or_default()
                .push(op);
        }
        for ((dataset_id, task_type), ops) in groups {
            for chunk in ops.chunks(ASSIGN_BATCH) {
                let results = self
                    .send_assignments(&dataset_id, &task_type, chunk.to_vec(), &mut pass.stop)
                    .await;
                for (op, settle) in results {
                    if settle == Settle::Done {
                        pass.confirmed_assignees
                            .push((op.task_id.clone(), op.assignee.clone()));
                    }
                    pass.settle(&op, settle);
                }
            }
        }
    }

    /// Phases 6 and 7: records every outcome (and the rebased versions) in one outbox
    /// transaction, then lays what the server confirmed into the mirror.
    fn record_pass(&self, pass: Pass) -> Result<Option<Stop>, EngineError> {
        let rebase = pass.rebase(&self.store.mirror())?;
        let ended: Vec<ActionRecord> = pass.outcomes.iter().filter_map(Outcome::record).collect();
        let settled: Vec<(i64, Settle)> = pass
            .outcomes
            .into_iter()
            .map(|o| (o.seq, o.settle))
            .collect();
        self.store.outbox().settle(&settled, &rebase)?;
        let mut mirror = self.store.mirror();
        if !pass.confirmed_tasks.is_empty() || !pass.confirmed_assignees.is_empty() {
            mirror.upsert_tasks(&pass.confirmed_tasks)?;
            mirror.set_assignees(&pass.confirmed_assignees)?;
        }
        // After the outbox knows: the record is a log, never the authority.
        mirror.record_actions(&self.account.email, &ended)?;
        Ok(pass.stop)
    }

    /// Maps a failed request of one action to what happens next; `stop` is set when the
    /// rest of the queue must wait (offline, or the token refused).
    fn classify_failure(&self, op: &Op, e: ApiError, stop: &mut Option<Stop>) -> Settle {
        match e.class() {
            ErrorClass::Unreachable => {
                stop.get_or_insert(Stop {
                    error: e,
                    sign_in: false,
                });
                Settle::Release { verify: false }
            }
            ErrorClass::SignIn => {
                *stop = Some(Stop {
                    error: e,
                    sign_in: true,
                });
                Settle::Release { verify: false }
            }
            // No answer at all: may have been applied, and the server is out of reach — the
            // rest waits for the network rather than failing one by one.
            ErrorClass::Ambiguous if e.is_transport() => {
                let settle = retry(&self.backoff, op, &e.to_string(), true, None);
                stop.get_or_insert(Stop {
                    error: e,
                    sign_in: false,
                });
                settle
            }
            ErrorClass::Ambiguous => retry(&self.backoff, op, &e.to_string(), true, None),
            ErrorClass::RateLimited(after) => {
                retry(&self.backoff, op, &e.to_string(), false, after)
            }
            // 409: maybe "already done" — the server's state decides, before anything is
            // sent again. But a 409 is not always about the state the listing shows (a
            // task open in someone's editor): it waits with a growing backoff, and once
            // refused the same way after a check of the state, `REFUSED_409_LIMIT`
            // requests in, it goes to the user with the server's words.
            ErrorClass::Refused(409) if op.kind != ActionKind::Assign => {
                let error = e.to_string();
                let refused_again = op.last_error.as_deref() == Some(error.as_str());
                if refused_again && op.attempts >= REFUSED_409_LIMIT {
                    attention(409, &e)
                } else {
                    retry(&self.backoff, op, &error, true, None)
                }
            }
            ErrorClass::Refused(status) => attention(status, &e),
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
        stop: &mut Option<Stop>,
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
                    work.extend(split_refused(batch, status, &e, &mut out));
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

/// A batch of reassignments the server refused: the entries it names (or a batch of
/// one) go to the user; the rest is given back to be sent again — whole when the bad ones
/// were named, in halves otherwise.
fn split_refused(
    batch: Vec<Op>,
    status: u16,
    e: &ApiError,
    out: &mut Vec<(Op, Settle)>,
) -> Vec<Vec<Op>> {
    let named: HashSet<&str> = e.task_ids().iter().map(String::as_str).collect();
    let (bad, good): (Vec<Op>, Vec<Op>) = batch
        .into_iter()
        .partition(|op| named.contains(op.task_id.as_str()));
    if !bad.is_empty() {
        out.extend(bad.into_iter().map(|op| (op, attention(status, e))));
        return vec![good];
    }
    if good.len() == 1 {
        out.extend(good.into_iter().map(|op| (op, attention(status, e))));
        return Vec::new();
    }
    let mut left = good;
    let right = left.split_off(left.len() / 2);
    vec![right, left]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::{AttentionReason, OpState};
    use crate::wire::TaskStatus;

    fn assign_op(seq: i64, task: &str) -> Op {
        Op {
            seq,
            op_id: format!("op{seq}"),
            kind: ActionKind::Assign,
            task_id: task.into(),
            dataset_id: "ds1".into(),
            task_type: "file".into(),
            reason: None,
            assignee: Some("bo".into()),
            base_status: TaskStatus::READY,
            base_assignee: Some("ana".into()),
            base_updated_at: None,
            state: OpState::InFlight,
            verify: false,
            overwrite: false,
            attempts: 1,
            next_attempt_at: 0,
            last_error: None,
            attention: None,
            choices: Vec::new(),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn refused(task_ids: &[&str]) -> ApiError {
        ApiError::Status {
            status: 409,
            message: "submitted tasks keep their assignee".into(),
            task_ids: task_ids.iter().map(|t| t.to_string()).collect(),
            retry_after: None,
        }
    }

    fn batch(n: i64) -> Vec<Op> {
        (1..=n).map(|i| assign_op(i, &format!("t{i}"))).collect()
    }

    #[test]
    fn a_refused_batch_sends_the_named_entries_to_the_user_and_the_rest_again() {
        let mut out = Vec::new();
        let again = split_refused(batch(4), 409, &refused(&["t2"]), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0.task_id, "t2");
        assert!(matches!(
            out[0].1,
            Settle::Attention {
                reason: AttentionReason::Refused {
                    http_status: 409,
                    ..
                },
                ..
            }
        ));
        let again: Vec<Vec<&str>> = again
            .iter()
            .map(|b| b.iter().map(|o| o.task_id.as_str()).collect())
            .collect();
        assert_eq!(again, vec![vec!["t1", "t3", "t4"]]);
    }

    #[test]
    fn an_unexplained_refusal_is_halved_down_to_the_one_refused_entry() {
        let mut out = Vec::new();
        let halves = split_refused(batch(5), 400, &refused(&[]), &mut out);
        assert!(out.is_empty());
        // The left half is sent first (popped last-in).
        let sizes: Vec<usize> = halves.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![3, 2]);
        let single = split_refused(batch(1), 400, &refused(&[]), &mut out);
        assert!(single.is_empty());
        assert_eq!(out.len(), 1, "a batch of one is the refused entry");
    }

    #[test]
    fn settled_actions_name_their_lists_and_the_queue_released_ones_nothing() {
        let ops = batch(2);
        let outcomes = vec![
            Outcome::of(&ops[0], Settle::Done),
            Outcome::of(&ops[1], Settle::Release { verify: false }),
        ];
        let mut report = PushReport::default();
        report.tally(&outcomes);
        assert_eq!((report.done, report.retrying), (1, 0));
        let mut changes = Changes::none();
        outcome_changes(&outcomes, &mut changes);
        assert_eq!(
            changes.into_vec(),
            vec![
                ViewChange::Tasks {
                    dataset_id: "ds1".into(),
                    assignees: Some(vec![Some("ana".into()), Some("bo".into())]),
                    statuses: false,
                },
                ViewChange::Queue,
            ]
        );
        let mut nothing = Changes::none();
        outcome_changes(&outcomes[1..], &mut nothing);
        assert!(nothing.is_empty());
    }
}
