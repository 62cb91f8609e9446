//! The emulator's shared state (`Shared`: state, faults, stats, each behind its own
//! mutex), the `Emulator` value that owns it before it serves, and `Control`, the
//! in-process twin of the `/_emulator/` HTTP control API.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::Value;

use crate::faults::{FaultState, Faults};
use crate::journal::{JournalEntry, Stats};
use crate::model::{Role, State, UserInfo};
use crate::rules::{Action, ApiFailure, Applied, Ctx};
use crate::seed::{DatasetSpec, EmulatorConfig};
use crate::{persist, seed, view};

#[derive(Debug)]
pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub faults: Mutex<FaultState>,
    pub stats: Mutex<Stats>,
    pub first_served: Mutex<crate::http::FirstServed>,
}

/// Locks, shrugging off poisoning: every critical section leaves the data consistent
/// before anything that could panic.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn new(state: State) -> Arc<Shared> {
        Arc::new(Shared {
            faults: Mutex::new(FaultState::new(state.seed)),
            state: Mutex::new(state),
            stats: Mutex::new(Stats::default()),
            first_served: Mutex::default(),
        })
    }
}

/// An emulator that is not serving yet.
#[derive(Debug)]
pub struct Emulator {
    pub(crate) shared: Arc<Shared>,
}

impl Emulator {
    /// The deterministic world described by `config`.
    pub fn seeded(config: &EmulatorConfig) -> Emulator {
        Emulator {
            shared: Shared::new(seed::seed_state(config)),
        }
    }

    /// The state written by `save` (or `Control::save`).
    pub fn load(path: &Path) -> anyhow::Result<Emulator> {
        Ok(Emulator {
            shared: Shared::new(persist::load(path)?),
        })
    }

    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        self.control().save(path)
    }

    /// A control handle, usable before and after `serve`.
    pub fn control(&self) -> Control {
        Control {
            shared: self.shared.clone(),
        }
    }
}

/// A cheap handle to a (possibly serving) emulator's state. Same semantics as the HTTP
/// control API.
#[derive(Clone, Debug)]
pub struct Control {
    pub(crate) shared: Arc<Shared>,
}

impl Control {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.shared.state)
    }

    pub(crate) fn fault_state(&self) -> MutexGuard<'_, FaultState> {
        lock(&self.shared.faults)
    }

    pub(crate) fn stats_mut(&self) -> MutexGuard<'_, Stats> {
        lock(&self.shared.stats)
    }

    pub fn client_id(&self) -> String {
        self.state().client_id.clone()
    }

    pub fn users(&self) -> Vec<UserInfo> {
        self.state().users.to_vec()
    }

    /// The first user with `role`. Panics if there is none (seeded emulators always have
    /// one of each role).
    pub fn user(&self, role: Role) -> UserInfo {
        self.users()
            .into_iter()
            .find(|u| u.role == role)
            .unwrap_or_else(|| panic!("the emulator has no {} user", role.as_str()))
    }

    /// Replaces all faults.
    pub fn set_faults(&self, faults: Faults) {
        self.fault_state().faults = faults;
    }

    /// The faults in force, with what is left of the counted ones.
    pub fn faults(&self) -> Faults {
        self.fault_state().faults.clone()
    }

    /// Forgets every token and gives each user a fresh random one (the app's demo, at each
    /// start: no token of a saved demo world, nor a seeded well-known one, works any more).
    pub fn renew_tokens(&self) {
        use rand::Rng;
        let mut state = self.state();
        state.tokens.clear();
        let count = state.users.len();
        for user in 0..count {
            let token: String = (0..32)
                .map(|_| format!("{:02x}", rand::rng().random::<u8>()))
                .collect();
            state.tokens.insert(token.clone(), user as u32);
            if let Some(u) = Arc::make_mut(&mut state.users).get_mut(user) {
                u.token = token;
            }
        }
    }

    /// Makes `token` unknown (401). Returns whether it existed.
    pub fn revoke_token(&self, token: &str) -> bool {
        let mut state = self.state();
        match state.tokens.remove(token) {
            Some(user) => {
                state.refresh_user_token(user);
                true
            }
            None => false,
        }
    }

    /// Makes `token` authenticate as `email` (and become the user's shown token). An
    /// unknown email becomes a new annotator who has access to no existing dataset.
    pub fn issue_token(&self, email: &str, token: &str) {
        let mut state = self.state();
        let user = match state.user_index(email) {
            Some(u) => u,
            None => {
                let users = Arc::make_mut(&mut state.users);
                users.push(UserInfo {
                    email: email.to_string(),
                    name: email.split('@').next().unwrap_or(email).to_string(),
                    token: String::new(),
                    role: Role::Annotator,
                });
                (users.len() - 1) as u32
            }
        };
        let previous = state.tokens.insert(token.to_string(), user);
        if let Some(u) = Arc::make_mut(&mut state.users).get_mut(user as usize) {
            u.token = token.to_string();
        }
        if let Some(other) = previous.filter(|p| *p != user) {
            state.refresh_user_token(other);
        }
    }

    /// Switches endpoints 2–4 between the bare task and `{"task": {...}}`.
    pub fn set_wrap_task_responses(&self, wrap: bool) {
        self.state().wrap_task_responses = wrap;
    }

    pub fn journal(&self) -> Vec<JournalEntry> {
        self.state().journal.clone()
    }

    pub fn stats(&self) -> Stats {
        self.stats_mut().clone()
    }

    pub fn reset_stats(&self) {
        *self.stats_mut() = Stats::default();
    }

    /// The TaskResource JSON of a task, as the API would serve it (never wrapped).
    pub fn task(&self, task_id: &str) -> Option<Value> {
        let state = self.state();
        let r = state.find_task(task_id)?;
        Some(view::task_value(&state, r))
    }

    pub fn dataset_ids(&self) -> Vec<String> {
        self.state()
            .datasets
            .iter()
            .map(|d| d.meta.id.clone())
            .collect()
    }

    /// All TaskResources of a dataset in list order (empty for an unknown dataset).
    pub fn tasks_of(&self, dataset_id: &str) -> Vec<Value> {
        let state = self.state();
        let Some(ds) = state.dataset_pos(dataset_id) else {
            return Vec::new();
        };
        let d = &state.datasets[ds];
        let writer = view::TaskWriter::new(&d.meta, &state.users).with_reasons(&d.reasons);
        let mut buf = Vec::with_capacity(512);
        d.tasks
            .iter()
            .enumerate()
            .map(|(index, task)| {
                buf.clear();
                writer.write(&mut buf, index, task, None);
                serde_json::from_slice(&buf).unwrap_or(Value::Null)
            })
            .collect()
    }

    /// Acts as `as_email` through the same rules as the HTTP API, journaled with
    /// `via = "control"`. Returns the task JSON (submit/accept/reject; never wrapped) or
    /// `Value::Null` (assign).
    pub fn act(&self, as_email: &str, action: Action) -> Result<Value, ApiFailure> {
        let mut state = self.state();
        if state.user_index(as_email).is_none() {
            return Err(ApiFailure::new(403, format!("unknown user {as_email}")));
        }
        let ctx = Ctx {
            actor: as_email,
            via: "control",
            now: seed::now_millis(),
        };
        match crate::rules::apply(&mut state, ctx, action)? {
            Applied::Task(r) => Ok(view::task_value(&state, r)),
            Applied::Assigned => Ok(Value::Null),
        }
    }

    /// Adds a dataset (every user gets access with their role's scope); returns its id.
    pub fn add_dataset(&self, spec: DatasetSpec) -> String {
        seed::add_dataset(&mut self.state(), &spec)
    }

    /// Writes the state file that `Emulator::load` reads.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        persist::save(&self.state(), path)
    }
}
