//! Randomized model test (a seeded simulation): random interleavings of local actions,
//! other users' changes on the server, injected faults and sync rounds, against the real
//! emulator. After every round and at the end, the invariants of `docs/sync-design.md` hold:
//! nothing lost, nothing applied twice, everything ends applied or before the user, and
//! the mirror converges to the server.
//!
//! `DTASKS_SIM_SEEDS=N` runs N seeds (default 4); `DTASKS_SIM_STEPS` the steps per seed.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::common::Harness;
use deepen_emulator::{
    Action, CorruptKind, Corruption, EmulatorConfig, Faults, OfflineMode, RateLimit, Role,
};
use dtasks_core::view::TaskQuery;
use dtasks_core::{ActionKind, Enqueued, OpState, Resolution, Scope};
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn random_faults(rng: &mut SmallRng) -> Faults {
    match rng.random_range(0..9) {
        0 => Faults {
            offline: Some(OfflineMode::Drop),
            ..Default::default()
        },
        1 => Faults {
            offline: Some(OfflineMode::Unavailable),
            ..Default::default()
        },
        2 => Faults {
            fail_rate: 0.3,
            ..Default::default()
        },
        3 => Faults {
            drop_after_commit: rng.random_range(1..4),
            ..Default::default()
        },
        4 => Faults {
            rate_limit: Some(RateLimit {
                count: 2,
                retry_after_secs: 0,
            }),
            ..Default::default()
        },
        5 => Faults {
            corrupt: Some(Corruption {
                count: 2,
                kind: CorruptKind::Truncated,
            }),
            ..Default::default()
        },
        _ => Faults::default(),
    }
}

struct Sim {
    h: Harness,
    rng: SmallRng,
    /// Every op id the user created and did not take back.
    created: HashSet<String>,
    /// Intents per (task, kind): an upper bound of how often each may be applied.
    intents: HashMap<(String, &'static str), u64>,
    annotators: Vec<String>,
    others: Vec<String>,
}

impl Sim {
    fn local_action(&mut self) {
        let rows = self.h.tasks(TaskQuery {
            limit: 10_000,
            ..Default::default()
        });
        let row = rows.choose(&mut self.rng).unwrap().clone();
        let ids = vec![row.task_id.clone()];
        let (result, kind) = match (self.rng.random_range(0..4), row.status.as_str()) {
            (0 | 1, "ready" | "in_progress" | "rejected") => {
                (self.h.ws.act(ActionKind::Submit, &ids, None), "submit")
            }
            (0, "submitted") => (self.h.ws.act(ActionKind::Accept, &ids, None), "accept"),
            (1, "submitted") => (
                self.h.ws.act(ActionKind::Reject, &ids, Some("sim")),
                "reject",
            ),
            _ if row.task_type == "file" || row.task_type == "label" => {
                let to = if self.rng.random_bool(0.2) {
                    None
                } else {
                    self.annotators.choose(&mut self.rng).cloned()
                };
                (self.h.ws.assign(&ids, to.as_deref()), "assign")
            }
            _ => return,
        };
        // Refusals (the state does not allow it) queue nothing and are fine.
        let Ok(results) = result else { return };
        for r in results.into_value() {
            match r {
                Enqueued::Queued(id) => {
                    self.created.insert(id);
                    *self.intents.entry((row.task_id.clone(), kind)).or_default() += 1;
                }
                Enqueued::Cancelled(id) => {
                    self.created.remove(&id);
                }
                Enqueued::Coalesced(_) | Enqueued::Unchanged => {}
            }
        }
    }

    fn server_change(&mut self) {
        let dataset = self
            .h
            .control
            .dataset_ids()
            .choose(&mut self.rng)
            .unwrap()
            .clone();
        let tasks = self.h.control.tasks_of(&dataset);
        let task = tasks.choose(&mut self.rng).unwrap();
        let task_id = task["task_id"].as_str().unwrap().to_string();
        let task_type = task["task_type"].as_str().unwrap().to_string();
        let actor = self.others.choose(&mut self.rng).unwrap().clone();
        let action = match self.rng.random_range(0..4) {
            0 => Action::Submit { task_id },
            1 => Action::Accept { task_id },
            2 => Action::Reject {
                task_id,
                reason: None,
            },
            _ => Action::Assign {
                dataset_id: dataset,
                task_type,
                assignments: vec![(task_id, self.annotators.choose(&mut self.rng).cloned())],
            },
        };
        let _ = self.h.control.act(&actor, action);
    }

    /// Nothing lost, nothing applied more often than intended.
    fn check_invariants(&self) {
        let ops = self.h.ws.queue(true).unwrap();
        let present: HashSet<&str> = ops.iter().map(|o| o.op_id.as_str()).collect();
        for id in &self.created {
            assert!(present.contains(id.as_str()), "action {id} was lost");
        }
        let mut applied: BTreeMap<(String, String), u64> = BTreeMap::new();
        for e in self.h.control.journal() {
            if e.actor == self.h.user.email && e.via == "api" {
                *applied.entry((e.task_id, e.action)).or_default() += 1;
            }
        }
        for ((task, action), n) in applied {
            let kind: &'static str = match action.as_str() {
                "submit" => "submit",
                "accept" => "accept",
                "reject" => "reject",
                _ => "assign",
            };
            let intended = self
                .intents
                .get(&(task.clone(), kind))
                .copied()
                .unwrap_or(0);
            assert!(
                n <= intended,
                "{action} of {task} applied {n} times for {intended} intent(s)"
            );
        }
        for op in &ops {
            if op.state == OpState::NeedsAttention {
                assert!(op.attention.is_some(), "attention without a reason: {op:?}");
            }
        }
    }
}

// The simulation loop: longer than our ~80-line rule on purpose (its steps read together).
async fn simulate(seed: u64, steps: u64) {
    let config = EmulatorConfig {
        seed,
        datasets: 1,
        files: 12,
        label_datasets: 1,
        labels: 6,
        ..Default::default()
    };
    let h = Harness::with(config, Role::Admin).await;
    let annotators = h
        .control
        .users()
        .into_iter()
        .filter(|u| u.role == Role::Annotator)
        .map(|u| u.email)
        .collect();
    let others = h
        .control
        .users()
        .into_iter()
        .filter(|u| u.email != h.user.email)
        .map(|u| u.email)
        .collect();
    let mut sim = Sim {
        h,
        rng: SmallRng::seed_from_u64(seed),
        created: HashSet::new(),
        intents: HashMap::new(),
        annotators,
        others,
    };
    for _ in 0..steps {
        match sim.rng.random_range(0..10) {
            0..=3 => sim.local_action(),
            4 | 5 => sim.server_change(),
            6 => {
                let faults = random_faults(&mut sim.rng);
                sim.h.control.set_faults(faults);
            }
            _ => {
                let scope = if sim.rng.random_bool(0.5) {
                    Scope::Push
                } else {
                    Scope::Full
                };
                let _ = sim.h.engine.sync_once(scope, None).await;
                sim.check_invariants();
            }
        }
    }

    // The network comes back: every action ends applied or before the user (or waits
    // behind an earlier action of its task that is before the user). The user then
    // gives up on each conflict, which lets the actions behind it go.
    sim.h.online();
    let ops = loop {
        sim.h.settle().await;
        sim.check_invariants();
        let ops = sim.h.ws.queue(true).unwrap();
        let attention: Vec<_> = ops
            .iter()
            .filter(|o| o.state == OpState::NeedsAttention)
            .collect();
        for op in ops
            .iter()
            .filter(|o| matches!(o.state, OpState::Pending | OpState::InFlight))
        {
            assert!(
                attention
                    .iter()
                    .any(|a| a.task_id == op.task_id && a.seq < op.seq),
                "seed {seed}: {op:?} neither applied nor before the user"
            );
        }
        if attention.is_empty() {
            break ops;
        }
        for op in attention {
            sim.created.remove(&op.op_id);
            sim.h.ws.resolve(&op.op_id, Resolution::Discard).unwrap();
        }
    };
    assert!(ops.iter().all(|o| o.state == OpState::Done), "{ops:?}");

    // Converged: the mirror equals the server.
    sim.h.engine.sync_once(Scope::Full, None).await.unwrap();
    for dataset in sim.h.control.dataset_ids() {
        for t in sim.h.control.tasks_of(&dataset) {
            let id = t["task_id"].as_str().unwrap();
            let row = sim.h.row(id);
            assert_eq!(
                row.status,
                t["status"].as_str().unwrap(),
                "seed {seed}: {id} converged"
            );
            assert_eq!(
                row.assignee.as_deref(),
                t["assignee"].as_str(),
                "seed {seed}: {id} converged"
            );
            assert_eq!(row.pending, None);
        }
    }
    let done_actions = ops
        .iter()
        .filter(|o| o.state == OpState::Done && o.kind != ActionKind::Assign)
        .count();
    eprintln!(
        "seed {seed}: {} actions, {done_actions} task actions done",
        ops.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_interleavings_keep_the_invariants() {
    let seeds = env_number("DTASKS_SIM_SEEDS", 4);
    let steps = env_number("DTASKS_SIM_STEPS", 120);
    for seed in 0..seeds {
        simulate(1000 + seed, steps).await;
    }
}
