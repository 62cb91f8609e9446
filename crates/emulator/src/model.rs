//! The emulator's data model: users, datasets, the compact in-memory task rows, the
//! whole mutable `State`, and the task-id naming scheme (format and parse).
//!
//! A task is not stored with its ids: its dataset, unit and stage follow from where it
//! sits (`tasks[unit * stages + stage]`), so a row is a few machine words and a
//! 1,000,000-task dataset costs about 32 MB.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::journal::JournalEntry;

/// What a user is in the workspace. Decides the scopes the user gets on seeded datasets.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Annotator,
    Reviewer,
    Customer,
}

impl Role {
    /// The dataset scope a user of this role gets on every dataset.
    pub fn scope(self) -> &'static str {
        match self {
            Role::Admin => "dataset_admin",
            Role::Annotator => "labeller",
            Role::Reviewer => "reviewer",
            Role::Customer => "customer",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Annotator => "annotator",
            Role::Reviewer => "reviewer",
            Role::Customer => "customer",
        }
    }
}

/// A user as the control API shows it. `token` is the user's most recently issued token
/// that is still valid ("" when every token of the user was revoked).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    pub email: String,
    pub name: String,
    pub token: String,
    pub role: Role,
}

/// `labelling_mode` of a dataset: a task per file per stage, or per label track per stage.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LabellingMode {
    FrameByFrame,
    LabelByLabel,
}

impl LabellingMode {
    pub fn task_type(self) -> &'static str {
        match self {
            LabellingMode::FrameByFrame => "file",
            LabellingMode::LabelByLabel => "label",
        }
    }

    fn id_letter(self) -> char {
        match self {
            LabellingMode::FrameByFrame => 'f',
            LabellingMode::LabelByLabel => 'l',
        }
    }
}

/// The task life-cycle states of `docs/api-contract.md`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    Waiting,
    Ready,
    InProgress,
    Submitted,
    Accepted,
    Rejected,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::Ready => "ready",
            Status::InProgress => "in_progress",
            Status::Submitted => "submitted",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
        }
    }

    const ALL: [Status; 6] = [
        Status::Waiting,
        Status::Ready,
        Status::InProgress,
        Status::Submitted,
        Status::Accepted,
        Status::Rejected,
    ];
}

/// One task row. Serialized (for save files) as a compact array
/// `[status, assignee index or -1, updated_at_millis, due_at_millis]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "TaskRow", try_from = "TaskRow")]
pub(crate) struct Task {
    pub status: Status,
    /// Index into `State::users`.
    pub assignee: Option<u32>,
    pub updated_at_millis: i64,
    pub due_at_millis: i64,
}

#[derive(Serialize, Deserialize)]
struct TaskRow(u8, i64, i64, i64);

impl From<Task> for TaskRow {
    fn from(t: Task) -> Self {
        let status = Status::ALL.iter().position(|s| *s == t.status).unwrap_or(0) as u8;
        TaskRow(
            status,
            t.assignee.map_or(-1, i64::from),
            t.updated_at_millis,
            t.due_at_millis,
        )
    }
}

impl TryFrom<TaskRow> for Task {
    type Error = String;
    fn try_from(r: TaskRow) -> Result<Self, String> {
        let status = *Status::ALL
            .get(usize::from(r.0))
            .ok_or_else(|| format!("bad task status {}", r.0))?;
        let assignee = if r.1 < 0 {
            None
        } else {
            Some(u32::try_from(r.1).map_err(|_| format!("bad assignee {}", r.1))?)
        };
        Ok(Task {
            status,
            assignee,
            updated_at_millis: r.2,
            due_at_millis: r.3,
        })
    }
}

/// How the units of a dataset are named (`file_id` / `label_id` of its tasks; written
/// by `view::TaskWriter`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum UnitNaming {
    /// `frame_0007.json`
    Frame,
    /// `scan_000123.pcd`
    Scan,
    /// `img_00042.jpg`
    Image,
    /// `car-0012`, `pedestrian-0003`: the class follows from the dataset salt and unit.
    Track,
}

const TRACK_CLASSES: [&str; 6] = ["car", "pedestrian", "cyclist", "truck", "bus", "motorcycle"];

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stage {
    pub stage_id: String,
    pub can_edit: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct UserScope {
    pub email: String,
    pub scopes: Vec<String>,
}

/// The immutable part of a dataset.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct DatasetMeta {
    pub id: String,
    pub name: String,
    pub mode: LabellingMode,
    pub naming: UnitNaming,
    /// Per-dataset salt for the derived per-unit values (track class, priority, ...).
    pub salt: u64,
    pub created_at_millis: i64,
    pub stages: Vec<Stage>,
    pub user_scopes: Vec<UserScope>,
    pub units: usize,
}

/// A splitmix64 step: a cheap, stable hash for values derived from (salt, unit).
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl DatasetMeta {
    pub fn stage_count(&self) -> usize {
        self.stages.len()
    }

    pub fn task_type(&self) -> &'static str {
        self.mode.task_type()
    }

    fn unit_hash(&self, unit: usize) -> u64 {
        mix(self.salt ^ (unit as u64).wrapping_mul(0x2545_F491_4F6C_DD1D))
    }

    pub fn task_id(&self, index: usize) -> String {
        let (unit, stage) = self.split(index);
        format!(
            "{}-{}{:04}-{}",
            self.id,
            self.mode.id_letter(),
            unit,
            self.stages[stage].stage_id
        )
    }

    /// (unit, stage) of a task index.
    pub fn split(&self, index: usize) -> (usize, usize) {
        let n = self.stage_count().max(1);
        (index / n, index % n)
    }

    /// The index of a task id of this dataset, only for the canonical spelling.
    pub fn index_of(&self, task_id: &str) -> Option<usize> {
        let rest = task_id.strip_prefix(self.id.as_str())?.strip_prefix('-')?;
        let rest = rest.strip_prefix(self.mode.id_letter())?;
        let (digits, stage_id) = rest.split_once('-')?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let unit: usize = digits.parse().ok()?;
        let stage = self.stages.iter().position(|s| s.stage_id == stage_id)?;
        if unit >= self.units {
            return None;
        }
        let index = unit * self.stage_count() + stage;
        (self.task_id(index) == task_id).then_some(index)
    }

    /// The object class of a label track (`car` in `car-0012`).
    pub fn track_class(&self, unit: usize) -> &'static str {
        TRACK_CLASSES[(self.unit_hash(unit) % TRACK_CLASSES.len() as u64) as usize]
    }

    pub fn priority(&self, unit: usize) -> &'static str {
        match self.unit_hash(unit) >> 60 {
            0 => "high",
            1 => "low",
            _ => "normal",
        }
    }

    /// Frames a label track spans (an extra field on label tasks).
    pub fn track_length(&self, unit: usize) -> u64 {
        8 + (self.unit_hash(unit) >> 8) % 240
    }

    pub fn scopes_of(&self, email: &str) -> Option<&[String]> {
        self.user_scopes
            .iter()
            .find(|s| s.email == email)
            .map(|s| s.scopes.as_slice())
    }

    pub fn has_scope(&self, email: &str, scope: &str) -> bool {
        self.scopes_of(email)
            .is_some_and(|s| s.iter().any(|x| x == scope))
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Dataset {
    pub meta: Arc<DatasetMeta>,
    /// Copy-on-write: a list being streamed keeps its snapshot while mutations go on.
    pub tasks: Arc<Vec<Task>>,
    /// The reviewer's reason of each rejected task that has one (by task index; copy-on-
    /// write like `tasks`). Served as the task's `reject_reason` while it is rejected.
    pub reasons: Arc<Reasons>,
}

/// Reject reasons by task index.
pub(crate) type Reasons = BTreeMap<usize, String>;

/// Where a task lives: dataset position in `State::datasets`, task index in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskRef {
    pub dataset: usize,
    pub index: usize,
}

/// Everything the emulator knows. Guarded by one mutex in `Shared`.
#[derive(Debug)]
pub(crate) struct State {
    pub seed: u64,
    pub client_id: String,
    pub wrap_task_responses: bool,
    pub users: Arc<Vec<UserInfo>>,
    /// token -> index into `users`.
    pub tokens: BTreeMap<String, u32>,
    pub datasets: Vec<Dataset>,
    pub journal: Vec<JournalEntry>,
}

impl State {
    pub fn user_index(&self, email: &str) -> Option<u32> {
        self.users
            .iter()
            .position(|u| u.email == email)
            .and_then(|i| u32::try_from(i).ok())
    }

    pub fn user(&self, index: u32) -> Option<&UserInfo> {
        self.users.get(index as usize)
    }

    pub fn email_of_token(&self, token: &str) -> Option<&str> {
        let i = *self.tokens.get(token)?;
        self.user(i).map(|u| u.email.as_str())
    }

    pub fn role_of(&self, email: &str) -> Option<Role> {
        self.users.iter().find(|u| u.email == email).map(|u| u.role)
    }

    pub fn dataset_pos(&self, dataset_id: &str) -> Option<usize> {
        self.datasets.iter().position(|d| d.meta.id == dataset_id)
    }

    /// Finds a task by its id in any dataset.
    pub fn find_task(&self, task_id: &str) -> Option<TaskRef> {
        let (ds_id, _) = task_id.split_once('-')?;
        let dataset = self.dataset_pos(ds_id)?;
        let index = self.datasets[dataset].meta.index_of(task_id)?;
        Some(TaskRef { dataset, index })
    }

    pub fn task(&self, r: TaskRef) -> Task {
        self.datasets[r.dataset].tasks[r.index]
    }

    pub fn task_mut(&mut self, r: TaskRef) -> &mut Task {
        &mut Arc::make_mut(&mut self.datasets[r.dataset].tasks)[r.index]
    }

    /// Admins see everything; others the datasets whose user_scopes list them.
    pub fn has_access(&self, email: &str, dataset: usize) -> bool {
        self.role_of(email) == Some(Role::Admin)
            || self.datasets[dataset].meta.scopes_of(email).is_some()
    }

    pub fn is_dataset_admin(&self, email: &str, dataset: usize) -> bool {
        self.role_of(email) == Some(Role::Admin)
            || self.datasets[dataset]
                .meta
                .has_scope(email, Role::Admin.scope())
    }

    /// Sets the user's shown token to its newest valid one after a token change.
    pub fn refresh_user_token(&mut self, user: u32) {
        let current = self.users.get(user as usize).map(|u| u.token.clone());
        let still_valid = current
            .as_deref()
            .is_some_and(|t| self.tokens.get(t) == Some(&user));
        if still_valid {
            return;
        }
        let other = self
            .tokens
            .iter()
            .find(|(_, u)| **u == user)
            .map(|(t, _)| t.clone())
            .unwrap_or_default();
        if let Some(u) = Arc::make_mut(&mut self.users).get_mut(user as usize) {
            u.token = other;
        }
    }
}
