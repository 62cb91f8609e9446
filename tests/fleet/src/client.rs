//! One client of the fleet: a workspace in a folder of its own, connected as one person
//! through its own link, its engine's background loop running, and a "person" that acts
//! on what the workspace shows — as the app does.

use std::sync::Arc;
use std::time::Duration;

use deepen_emulator::{Role, UserInfo};
use dtasks_core::client::Timeouts;
use dtasks_core::engine::{Backoff, Schedule};
use dtasks_core::view::{AssigneeFilter, TaskQuery, TaskRow};
use dtasks_core::{Account, ActionKind, Sensitive, SyncEngine, Workspace};
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use tokio::sync::watch;

use crate::link::Link;

/// What a person does in the fleet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Submits their ready tasks.
    Annotator,
    /// Accepts or rejects submitted tasks.
    Reviewer,
    /// Reassigns open tasks between annotators.
    Manager,
}

impl Part {
    /// The part of a user of the emulator.
    pub fn of(role: Role) -> Option<Part> {
        match role {
            Role::Annotator => Some(Part::Annotator),
            Role::Reviewer => Some(Part::Reviewer),
            Role::Admin => Some(Part::Manager),
            Role::Customer => None,
        }
    }
}

/// One client: its folder, workspace, engine and link.
pub struct Client {
    /// Which client (for messages).
    pub name: String,
    /// Who it signs in as.
    pub user: UserInfo,
    /// What its person does.
    pub part: Part,
    /// Its workspace.
    pub ws: Arc<Workspace>,
    /// Its sync engine.
    pub engine: SyncEngine,
    /// Its network link.
    pub link: Link,
    /// Actions its person made (queued).
    pub made: u64,
    _dir: tempfile::TempDir,
}

/// Short waits so that a minute holds many rounds, retries and probes.
pub fn fleet_schedule() -> Schedule {
    Schedule {
        pull_every: Duration::from_secs(3),
        probe_min: Duration::from_millis(200),
        probe_max: Duration::from_secs(2),
        debounce: Duration::from_millis(50),
    }
}

fn fleet_backoff() -> Backoff {
    Backoff {
        base: Duration::from_millis(100),
        cap: Duration::from_secs(3),
    }
}

fn fleet_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        request: Duration::from_secs(5),
        read_idle: Duration::from_secs(5),
    }
}

impl Client {
    /// A client of `user` over a new link to `upstream`, connected and pulled once.
    pub async fn start(
        name: String,
        user: UserInfo,
        client_id: &str,
        upstream: std::net::SocketAddr,
    ) -> anyhow::Result<Client> {
        let part =
            Part::of(user.role).ok_or_else(|| anyhow::anyhow!("no part for {:?}", user.role))?;
        let link = Link::open(upstream).await?;
        let dir = tempfile::tempdir()?;
        let mut ws = Workspace::open(dir.path())?
            .with_timeouts(fleet_timeouts())
            .with_session_token(Sensitive::new(user.token.clone()));
        let account = Account::new(&link.base_url(), client_id, &user.email)?;
        ws.connect(account, None).await?;
        let engine = ws.engine()?.with_backoff(fleet_backoff());
        engine.sync_once(dtasks_core::Scope::Full, None).await?;
        Ok(Client {
            name,
            user,
            part,
            ws: Arc::new(ws),
            engine,
            link,
            made: 0,
            _dir: dir,
        })
    }

    /// Runs the engine's background loop until `shutdown`.
    pub fn run_engine(&self, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.engine.clone().run(fleet_schedule(), shutdown))
    }

    /// One action of this client's person, on what the workspace shows now; whether one
    /// was queued. `annotators` are the people a manager moves tasks between.
    pub fn act_once(&mut self, rng: &mut SmallRng, annotators: &[String]) -> bool {
        let queued = match self.part {
            Part::Annotator => self.submit_one(rng),
            Part::Reviewer => self.review_one(rng),
            Part::Manager => self.reassign_one(rng, annotators),
        };
        if queued {
            self.made += 1;
            self.engine.nudge();
        }
        queued
    }

    fn rows(&self, query: TaskQuery) -> Vec<TaskRow> {
        self.ws
            .tasks(&TaskQuery {
                limit: 500,
                ..query
            })
            .map(|page| page.rows)
            .unwrap_or_default()
    }

    fn submit_one(&self, rng: &mut SmallRng) -> bool {
        let mine = self.rows(TaskQuery {
            assignee: Some(AssigneeFilter::Is(self.user.email.clone())),
            statuses: vec!["ready".into(), "in_progress".into(), "rejected".into()],
            ..Default::default()
        });
        mine.choose(rng).is_some_and(|t| {
            self.ws
                .act(ActionKind::Submit, std::slice::from_ref(&t.task_id), None)
                .is_ok()
        })
    }

    fn review_one(&self, rng: &mut SmallRng) -> bool {
        let submitted = self.rows(TaskQuery {
            statuses: vec!["submitted".into()],
            ..Default::default()
        });
        submitted.choose(rng).is_some_and(|t| {
            let (kind, reason) = if rng.random_bool(0.7) {
                (ActionKind::Accept, None)
            } else {
                (ActionKind::Reject, Some("fleet: boxes too loose"))
            };
            self.ws
                .act(kind, std::slice::from_ref(&t.task_id), reason)
                .is_ok()
        })
    }

    fn reassign_one(&self, rng: &mut SmallRng, annotators: &[String]) -> bool {
        let open = self.rows(TaskQuery {
            statuses: vec!["ready".into(), "waiting".into()],
            ..Default::default()
        });
        let Some(task) = open.choose(rng) else {
            return false;
        };
        let others: Vec<&String> = annotators
            .iter()
            .filter(|a| task.assignee.as_deref() != Some(a.as_str()))
            .collect();
        others.choose(rng).is_some_and(|to| {
            self.ws
                .assign(std::slice::from_ref(&task.task_id), Some(to.as_str()))
                .is_ok()
        })
    }
}

/// A generator for one client's person, from the fleet's seed.
pub fn person_rng(seed: u64, index: usize) -> SmallRng {
    SmallRng::seed_from_u64(seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}
