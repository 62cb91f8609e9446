//! Deterministic seeding: the configuration, the cast of users, the realistic datasets
//! and their tasks (a mix of life-cycle states that is always reachable by the rules),
//! and `DatasetSpec` datasets added later (up to millions of tasks, quickly).
//!
//! Same config → same data: every dataset draws from its own `StdRng` seeded from
//! (seed, dataset number); times are offsets from `base_millis()`, the process start
//! rounded down to the hour.

use std::sync::{Arc, OnceLock};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::model::{
    Dataset, DatasetMeta, LabellingMode, Role, Stage, State, Status, Task, UnitNaming, UserInfo,
    UserScope, mix,
};

/// What `Emulator::seeded` builds.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct EmulatorConfig {
    pub seed: u64,
    pub client_id: String,
    /// Number of frame_by_frame datasets.
    pub datasets: usize,
    /// Files per frame_by_frame dataset.
    pub files: usize,
    /// Number of label_by_label datasets.
    pub label_datasets: usize,
    /// Label tracks per label_by_label dataset.
    pub labels: usize,
    pub stages: Vec<String>,
    /// At least 4: an admin, annotators, one reviewer, one customer.
    pub users: usize,
    /// Answer endpoints 2–4 with `{"task": {...}}` instead of the bare task.
    pub wrap_task_responses: bool,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            seed: 7,
            client_id: "demo-client".into(),
            datasets: 2,
            files: 50,
            label_datasets: 1,
            labels: 20,
            stages: vec!["Labelling".into(), "QA".into()],
            users: 6,
            wrap_task_responses: false,
        }
    }
}

/// A dataset to add to a running emulator (`Control::add_dataset`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DatasetSpec {
    pub name: String,
    pub mode: LabellingMode,
    /// Files (frame_by_frame) or label tracks (label_by_label).
    pub units: usize,
    pub stages: Vec<String>,
    /// Assign first-stage tasks round-robin to the annotators (and later stages to the
    /// reviewer); otherwise every task is unassigned. All tasks start fresh (first stage
    /// `ready`, the rest `waiting`).
    #[serde(default)]
    pub assign: bool,
}

const HOUR: i64 = 3_600_000;

/// The process start time, rounded down to the hour: the anchor of all seeded times.
pub fn base_millis() -> i64 {
    static BASE: OnceLock<i64> = OnceLock::new();
    *BASE.get_or_init(|| now_millis() / HOUR * HOUR)
}

pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

const ADMIN: (&str, &str) = ("maya.admin", "Maya Okafor");
const ANNOTATORS: [(&str, &str); 10] = [
    ("ana.silva", "Ana Silva"),
    ("bo.chen", "Bo Chen"),
    ("chidi.eze", "Chidi Eze"),
    ("dana.kowalski", "Dana Kowalski"),
    ("emil.novak", "Emil Novak"),
    ("farah.haddad", "Farah Haddad"),
    ("goro.tanaka", "Goro Tanaka"),
    ("hana.lindqvist", "Hana Lindqvist"),
    ("ivan.petrov", "Ivan Petrov"),
    ("jun.park", "Jun Park"),
];
const REVIEWER: (&str, &str) = ("ravi.menon", "Ravi Menon");
const CUSTOMER: (&str, &str) = ("claire.dubois", "Claire Dubois");

const FRAME_DATASETS: [(&str, UnitNaming); 6] = [
    ("Highway LiDAR — Munich", UnitNaming::Scan),
    ("Parking lot cameras", UnitNaming::Frame),
    ("Urban intersections — Lyon", UnitNaming::Image),
    ("Warehouse forklift scans", UnitNaming::Scan),
    ("Night drive — Oslo", UnitNaming::Frame),
    ("Harbour cranes — Rotterdam", UnitNaming::Image),
];
const LABEL_DATASETS: [&str; 3] = [
    "Pedestrian tracks — Shibuya crossing",
    "Cyclist sequences — Amsterdam",
    "Roundabout tracks — Paris",
];

fn user(local: &str, name: &str, role: Role) -> UserInfo {
    UserInfo {
        email: format!("{local}@example.com"),
        name: name.to_string(),
        token: format!("tok-{local}"),
        role,
    }
}

fn seeded_users(count: usize) -> Vec<UserInfo> {
    let annotators = count.max(4) - 3;
    let mut users = vec![user(ADMIN.0, ADMIN.1, Role::Admin)];
    for i in 0..annotators {
        users.push(match ANNOTATORS.get(i) {
            Some((local, name)) => user(local, name, Role::Annotator),
            None => user(
                &format!("annotator.{}", i + 1),
                &format!("Annotator {}", i + 1),
                Role::Annotator,
            ),
        });
    }
    users.push(user(REVIEWER.0, REVIEWER.1, Role::Reviewer));
    users.push(user(CUSTOMER.0, CUSTOMER.1, Role::Customer));
    users
}

/// Builds the whole state for `config`.
pub(crate) fn seed_state(config: &EmulatorConfig) -> State {
    let users = seeded_users(config.users);
    let tokens = users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.token.clone(), i as u32))
        .collect();
    let mut state = State {
        seed: config.seed,
        client_id: config.client_id.clone(),
        wrap_task_responses: config.wrap_task_responses,
        users: Arc::new(users),
        tokens,
        datasets: Vec::new(),
        journal: Vec::new(),
    };
    let stages = if config.stages.is_empty() {
        EmulatorConfig::default().stages
    } else {
        config.stages.clone()
    };
    for i in 0..config.datasets {
        let (name, naming) = FRAME_DATASETS[i % FRAME_DATASETS.len()];
        let name = numbered(name, i / FRAME_DATASETS.len());
        let kind = (LabellingMode::FrameByFrame, naming);
        push_dataset(&mut state, &name, kind, config.files, &stages, Fill::Seeded);
    }
    for i in 0..config.label_datasets {
        let name = numbered(
            LABEL_DATASETS[i % LABEL_DATASETS.len()],
            i / LABEL_DATASETS.len(),
        );
        let kind = (LabellingMode::LabelByLabel, UnitNaming::Track);
        push_dataset(
            &mut state,
            &name,
            kind,
            config.labels,
            &stages,
            Fill::Seeded,
        );
    }
    state
}

fn numbered(name: &str, round: usize) -> String {
    if round == 0 {
        name.to_string()
    } else {
        format!("{name} #{}", round + 1)
    }
}

/// Adds a `DatasetSpec` dataset; returns its id.
pub(crate) fn add_dataset(state: &mut State, spec: &DatasetSpec) -> String {
    let naming = match spec.mode {
        LabellingMode::FrameByFrame => UnitNaming::Frame,
        LabellingMode::LabelByLabel => UnitNaming::Track,
    };
    let stages = if spec.stages.is_empty() {
        EmulatorConfig::default().stages
    } else {
        spec.stages.clone()
    };
    let fill = if spec.assign {
        Fill::FreshAssigned
    } else {
        Fill::FreshUnassigned
    };
    push_dataset(
        state,
        &spec.name,
        (spec.mode, naming),
        spec.units,
        &stages,
        fill,
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// A realistic mix of progress, mostly assigned.
    Seeded,
    FreshAssigned,
    FreshUnassigned,
}

fn push_dataset(
    state: &mut State,
    name: &str,
    (mode, naming): (LabellingMode, UnitNaming),
    units: usize,
    stages: &[String],
    fill: Fill,
) -> String {
    let number = state.datasets.len() as u64 + 1;
    let mut rng = StdRng::seed_from_u64(mix(state.seed ^ number.wrapping_mul(0x51_7CC1_B727_220A)));
    let base = base_millis();
    let created_at_millis = if fill == Fill::Seeded {
        base - rng.random_range(20..60) * 24 * HOUR
    } else {
        now_millis()
    };
    let meta = DatasetMeta {
        id: format!("ds{number}"),
        name: name.to_string(),
        mode,
        naming,
        salt: rng.random(),
        created_at_millis,
        stages: stages
            .iter()
            .enumerate()
            .map(|(i, s)| Stage {
                stage_id: s.clone(),
                can_edit: i == 0,
            })
            .collect(),
        user_scopes: state
            .users
            .iter()
            .map(|u| UserScope {
                email: u.email.clone(),
                scopes: vec![u.role.scope().to_string()],
            })
            .collect(),
        units,
    };
    let annotators: Vec<u32> = role_members(state, Role::Annotator);
    let reviewer = role_members(state, Role::Reviewer).first().copied();
    let tasks = fill_tasks(
        &mut rng,
        units,
        stages.len(),
        &annotators,
        reviewer,
        fill,
        created_at_millis,
    );
    let id = meta.id.clone();
    state.datasets.push(Dataset {
        meta: Arc::new(meta),
        tasks: Arc::new(tasks),
        reasons: Arc::default(),
    });
    id
}

fn role_members(state: &State, role: Role) -> Vec<u32> {
    (0..state.users.len() as u32)
        .filter(|i| state.users[*i as usize].role == role)
        .collect()
}

fn fill_tasks(
    rng: &mut StdRng,
    units: usize,
    stage_count: usize,
    annotators: &[u32],
    reviewer: Option<u32>,
    fill: Fill,
    created: i64,
) -> Vec<Task> {
    let base = base_millis();
    let mut tasks = Vec::with_capacity(units * stage_count);
    let mut statuses = vec![Status::Waiting; stage_count];
    for unit in 0..units {
        let first = match fill {
            Fill::FreshUnassigned => None,
            _ if annotators.is_empty() => None,
            Fill::Seeded if rng.random_bool(0.1) => None,
            _ => Some(annotators[unit % annotators.len()]),
        };
        let later = if fill == Fill::FreshUnassigned {
            None
        } else {
            reviewer
        };
        statuses.fill(Status::Waiting);
        statuses[0] = Status::Ready;
        if fill == Fill::Seeded && first.is_some() {
            progress(rng, &mut statuses);
        }
        // Later stages changed after earlier ones: 20 minutes apart within a unit.
        let touched = match fill {
            Fill::Seeded => base - rng.random_range(60..7 * 24 * 60) * 60_000,
            _ => created,
        };
        for (stage, status) in statuses.iter().enumerate() {
            let due_hours = if rng.random_bool(0.08) {
                -rng.random_range(1..72)
            } else {
                rng.random_range(6..24 * 21)
            };
            let updated = match fill {
                Fill::Seeded => (touched + stage as i64 * 20 * 60_000).min(base),
                _ => created,
            };
            tasks.push(Task {
                status: *status,
                assignee: if stage == 0 { first } else { later },
                updated_at_millis: updated,
                due_at_millis: base + due_hours * HOUR,
            });
        }
    }
    tasks
}

/// A reachable life-cycle state of one unit: stage by stage, a stage is worked on,
/// submitted (the next one then ready or in progress), rejected (the rest waiting) or
/// accepted (and the next stage goes through the same draw).
fn progress(rng: &mut StdRng, statuses: &mut [Status]) {
    const DRAW: [(Status, u32); 5] = [
        (Status::Ready, 30),
        (Status::InProgress, 15),
        (Status::Submitted, 15),
        (Status::Rejected, 8),
        (Status::Accepted, 32),
    ];
    let mut stage = 0;
    while stage < statuses.len() {
        let mut roll = rng.random_range(0..100);
        let mut pick = Status::Ready;
        for (status, weight) in DRAW {
            if roll < weight {
                pick = status;
                break;
            }
            roll -= weight;
        }
        statuses[stage] = pick;
        match pick {
            Status::Accepted => stage += 1,
            Status::Submitted if stage + 1 < statuses.len() => {
                statuses[stage + 1] = if rng.random_bool(0.7) {
                    Status::Ready
                } else {
                    Status::InProgress
                };
                break;
            }
            _ => break,
        }
    }
}
