//! A real emulator on 127.0.0.1 and a real workspace in a temporary folder, signed in as
//! one of the emulator's users. Shared by the sync tests.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use deepen_emulator::{
    Action, Control, Emulator, EmulatorConfig, Faults, JournalEntry, OfflineMode, Role,
    RunningEmulator, UserInfo,
};
use dtasks_core::client::Timeouts;
use dtasks_core::engine::{Backoff, RoundReport};
use dtasks_core::view::{AssigneeFilter, TaskQuery, TaskRow};
use dtasks_core::{Account, ActionKind, Scope, Sensitive, SyncEngine, Workspace};

pub struct Harness {
    pub emu: RunningEmulator,
    pub control: Control,
    pub user: UserInfo,
    pub ws: Workspace,
    pub engine: SyncEngine,
    _dir: tempfile::TempDir,
}

/// Short retry waits, so tests that go through backoff stay quick.
pub fn test_backoff() -> Backoff {
    Backoff {
        base: Duration::from_millis(50),
        cap: Duration::from_secs(2),
    }
}

pub fn quick_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        request: Duration::from_millis(1500),
        read_idle: Duration::from_secs(5),
    }
}

impl Harness {
    pub async fn new(role: Role) -> Self {
        Self::with(EmulatorConfig::default(), role).await
    }

    pub async fn with(config: EmulatorConfig, role: Role) -> Self {
        let emu = Emulator::seeded(&config)
            .serve(0)
            .await
            .expect("emulator starts");
        let control = emu.control();
        let user = control.user(role);
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::open(dir.path())
            .unwrap()
            .with_timeouts(quick_timeouts())
            .with_session_token(Sensitive::new(user.token.clone()));
        let account = Account::new(&emu.base_url(), &control.client_id(), &user.email).unwrap();
        let report = ws.connect(account, None).await.expect("connects");
        assert!(report.validated);
        let engine = ws.engine().unwrap().with_backoff(test_backoff());
        engine
            .sync_once(Scope::Full, None)
            .await
            .expect("first pull");
        Self {
            emu,
            control,
            user,
            ws,
            engine,
            _dir: dir,
        }
    }

    /// Another workspace (a second process's view) on the same folder and user.
    pub fn reopen(&self) -> Workspace {
        Workspace::open(self.ws.dir())
            .unwrap()
            .with_timeouts(quick_timeouts())
            .with_session_token(Sensitive::new(self.user.token.clone()))
    }

    pub fn offline(&self) {
        self.control.set_faults(Faults {
            offline: Some(OfflineMode::Drop),
            ..Default::default()
        });
    }

    pub fn online(&self) {
        self.control.set_faults(Faults::default());
    }

    pub fn tasks(&self, query: TaskQuery) -> Vec<TaskRow> {
        self.ws
            .tasks(&TaskQuery {
                limit: 10_000,
                ..query
            })
            .unwrap()
            .rows
    }

    /// My tasks in `status` as the user sees them.
    pub fn mine_with(&self, status: &str) -> Vec<TaskRow> {
        self.tasks(TaskQuery {
            assignee: Some(AssigneeFilter::Is(self.user.email.clone())),
            statuses: vec![status.into()],
            ..Default::default()
        })
    }

    pub fn row(&self, task_id: &str) -> TaskRow {
        self.tasks(TaskQuery {
            task_ids: vec![task_id.to_string()],
            ..Default::default()
        })
        .remove(0)
    }

    /// A ready task with an assignee (of `dataset_id`, when given), as the mirror has it.
    pub fn assigned_ready_task(&self, dataset_id: Option<&str>) -> TaskRow {
        self.tasks(TaskQuery {
            dataset_id: dataset_id.map(str::to_string),
            statuses: vec!["ready".into()],
            ..Default::default()
        })
        .into_iter()
        .find(|r| r.assignee.is_some())
        .expect("an assigned ready task")
    }

    /// Submits an assigned ready task (of `dataset_id`, when given) on the server as its
    /// assignee — another client's change; gives its id.
    pub fn submit_elsewhere(&self, dataset_id: Option<&str>) -> String {
        let row = self.assigned_ready_task(dataset_id);
        self.control
            .act(
                row.assignee.as_deref().unwrap(),
                Action::Submit {
                    task_id: row.task_id.clone(),
                },
            )
            .unwrap();
        row.task_id
    }

    pub fn server_task(&self, task_id: &str) -> serde_json::Value {
        self.control
            .task(task_id)
            .expect("task exists on the emulator")
    }

    pub fn server_status(&self, task_id: &str) -> String {
        self.server_task(task_id)["status"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Journal entries of `task_id` made by `actor` through the API with `action`.
    pub fn applied(&self, task_id: &str, actor: &str, action: &str) -> Vec<JournalEntry> {
        self.control
            .journal()
            .into_iter()
            .filter(|e| e.task_id == task_id && e.actor == actor && e.action == action)
            .collect()
    }

    pub fn pending_count(&self) -> u64 {
        let status = self.ws.status().unwrap();
        status.pending
    }

    /// Submits one of my ready tasks offline while the manager gives it to another
    /// annotator on the server, then syncs: the submit is refused (403), waiting on the
    /// user. Gives the task and the round.
    pub async fn submit_offline_while_reassigned_elsewhere(&self) -> (TaskRow, RoundReport) {
        let row = self.mine_with("ready").remove(0);
        let other = self
            .control
            .users()
            .into_iter()
            .find(|u| u.role == Role::Annotator && u.email != self.user.email)
            .unwrap();
        self.offline();
        self.ws
            .act(ActionKind::Submit, std::slice::from_ref(&row.task_id), None)
            .unwrap();
        let admin = self.control.user(Role::Admin);
        self.control
            .act(
                &admin.email,
                Action::Assign {
                    dataset_id: row.dataset_id.clone(),
                    task_type: row.task_type.clone(),
                    assignments: vec![(row.task_id.clone(), Some(other.email))],
                },
            )
            .unwrap();
        self.online();
        let round = self.engine.sync_once(Scope::Full, None).await.unwrap();
        (row, round)
    }

    /// Sync until nothing is waiting, sleeping through backoffs.
    pub async fn drain(&self) -> RoundReport {
        let last = self.settle().await;
        assert_eq!(
            self.pending_count(),
            0,
            "queue did not drain: {:?}",
            self.ws.queue(false).unwrap()
        );
        last
    }

    /// Sync until no action can move without the user: every one is done, needs
    /// attention, or waits behind an earlier action of its task that needs attention.
    pub async fn settle(&self) -> RoundReport {
        for _ in 0..80 {
            let last = self
                .engine
                .sync_once(Scope::Full, None)
                .await
                .expect("round runs");
            let Some(next) = self.ws.store().outbox().next_due_at().unwrap() else {
                return last;
            };
            let wait = (next - dtasks_core::clock::now_millis()).clamp(10, 3_000);
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        }
        panic!("queue did not settle: {:?}", self.ws.queue(false).unwrap());
    }
}

/// A server on 127.0.0.1 that answers every request with `answer`; counts the requests.
pub fn one_answer_server(answer: String) -> (u16, Arc<AtomicUsize>) {
    one_answer_server_seeing(answer, Arc::new(std::sync::Mutex::new(Vec::new())))
}

/// As [`one_answer_server`], keeping the text of every request it got in `requests`.
pub fn one_answer_server_seeing(
    answer: String,
    requests: Arc<std::sync::Mutex<Vec<String>>>,
) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            count.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            requests
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (port, seen)
}
