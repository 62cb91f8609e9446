//! After the fleet: each client settles (sync until nothing can move without its user),
//! then the invariants are checked against the emulator's journal and state.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use deepen_emulator::Control;
use dtasks_core::view::TaskQuery;
use dtasks_core::{Op, OpState, Scope};

use crate::client::Client;

/// How long one client may take to settle once the network is healthy.
const SETTLE_WITHIN: Duration = Duration::from_secs(120);

/// Pending actions waiting behind an earlier action of their task that needs its user:
/// in front of the user too (the app shows them as held).
fn held(ops: &[Op]) -> HashSet<String> {
    let mut stuck: HashSet<&str> = HashSet::new();
    let mut held = HashSet::new();
    let mut by_seq: Vec<&Op> = ops.iter().collect();
    by_seq.sort_by_key(|op| op.seq);
    for op in by_seq {
        match op.state {
            OpState::NeedsAttention => {
                stuck.insert(&op.task_id);
            }
            OpState::Pending if stuck.contains(op.task_id.as_str()) => {
                held.insert(op.op_id.clone());
            }
            _ => {}
        }
    }
    held
}

/// Actions still on their way (neither done, nor in front of the user).
fn moving(ops: &[Op]) -> Vec<&Op> {
    let held = held(ops);
    ops.iter()
        .filter(|op| matches!(op.state, OpState::Pending | OpState::InFlight))
        .filter(|op| !held.contains(&op.op_id))
        .collect()
}

/// Syncs `client` until every action is done or in front of its user.
pub async fn settle(client: &Client) -> anyhow::Result<()> {
    let deadline = Instant::now() + SETTLE_WITHIN;
    loop {
        client.engine.sync_once(Scope::Full, None).await?;
        let ops = client.ws.queue(true)?;
        let still = moving(&ops);
        if still.is_empty() {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{} action(s) still on their way after {:?}: {:?}",
            still.len(),
            SETTLE_WITHIN,
            still
                .iter()
                .map(|op| (&op.task_id, op.kind, op.state, &op.last_error))
                .collect::<Vec<_>>()
        );
        let next = client.ws.store().outbox().next_due_at()?;
        let wait = next.map_or(200, |at| {
            (at - dtasks_core::clock::now_millis()).clamp(20, 3000)
        });
        tokio::time::sleep(Duration::from_millis(wait as u64)).await;
    }
}

/// What the checks counted and found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub applied: usize,
    pub needs_attention: usize,
    pub held: usize,
    pub violations: Vec<String>,
}

/// An action as the journal and the queues both name it.
type Key = (String, String, String, Option<String>);

/// Checks every invariant; each client first pulls once more (others settled after it).
pub fn check(clients: &[Client], control: &Control) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::default();
    let mut done: HashMap<Key, usize> = HashMap::new();
    for c in clients {
        let ops = c.ws.queue(true)?;
        let held = held(&ops);
        for op in &ops {
            match op.state {
                OpState::Done => {
                    outcome.applied += 1;
                    let to = (op.kind == dtasks_core::ActionKind::Assign)
                        .then(|| op.assignee.clone())
                        .flatten();
                    *done
                        .entry((
                            c.user.email.clone(),
                            op.kind.as_str().to_string(),
                            op.task_id.clone(),
                            to,
                        ))
                        .or_default() += 1;
                }
                OpState::NeedsAttention => outcome.needs_attention += 1,
                _ if held.contains(&op.op_id) => outcome.held += 1,
                state => outcome.violations.push(format!(
                    "{}: {} of {} is {state:?}: neither applied nor in front of its user",
                    c.name,
                    op.kind.as_str(),
                    op.task_id
                )),
            }
        }
    }
    // Nothing applied twice: never more journal entries for an action than queued actions
    // of it that ended done (two laptops of one person may both queue the same submit;
    // one request applies it, the other finds it applied).
    let mut journal: BTreeMap<Key, usize> = BTreeMap::new();
    for e in control.journal().into_iter().filter(|e| e.via == "api") {
        let to = (e.action == "assign").then_some(e.to_assignee).flatten();
        *journal
            .entry((e.actor, e.action, e.task_id, to))
            .or_default() += 1;
    }
    for (key, applied) in &journal {
        let queued = done.get(key).copied().unwrap_or(0);
        if *applied > queued {
            outcome.violations.push(format!(
                "{} {} of {} (to {:?}) applied {applied} times for {queued} action(s) done",
                key.0, key.1, key.2, key.3
            ));
        }
    }
    Ok(outcome)
}

/// Every client's mirror against the server, after one more pull each.
pub async fn converged(clients: &[Client], control: &Control) -> anyhow::Result<Vec<String>> {
    let mut server = HashMap::new();
    for ds in control.dataset_ids() {
        for t in control.tasks_of(&ds) {
            let id = t["task_id"].as_str().unwrap_or_default().to_string();
            let status = t["status"].as_str().unwrap_or_default().to_string();
            let assignee = t["assignee"].as_str().map(str::to_string);
            server.insert(id, (ds.clone(), status, assignee));
        }
    }
    let mut violations = Vec::new();
    for c in clients {
        c.engine.sync_once(Scope::Pull, None).await?;
        let rows =
            c.ws.tasks(&TaskQuery {
                limit: 1_000_000,
                ..TaskQuery::default()
            })?
            .rows;
        let mut differ = 0;
        for row in &rows {
            match server.get(&row.task_id) {
                Some((_, status, assignee))
                    if status == row.server_status.as_str() && assignee == &row.server_assignee => {
                }
                _ => differ += 1,
            }
        }
        let listable: HashSet<String> =
            c.ws.datasets()?
                .into_iter()
                .filter(|d| d.tasks_listable)
                .map(|d| d.dataset_id)
                .collect();
        let expected = server
            .values()
            .filter(|(ds, _, _)| listable.contains(ds))
            .count();
        if differ > 0 || rows.len() < expected {
            violations.push(format!(
                "{}: mirror differs from the server on {differ} of {} tasks ({expected} expected)",
                c.name,
                rows.len()
            ));
        }
    }
    Ok(violations)
}
