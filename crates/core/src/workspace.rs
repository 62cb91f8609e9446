//! Operations: the one definition of what a user can do with a workspace (one account's
//! mirror and queue in one folder), reached by the `dtasks` CLI and the desktop shell
//! alike. Each operation says which views it changes: actions change the task views and
//! the queue; a resolution changes the queue; a sync changes everything.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::account::{Account, AccountError};
use crate::balance::Share;
use crate::client::{ApiClient, ApiError, ErrorClass, Timeouts};
use crate::credentials::{self, CredentialError};
use crate::db::DbError;
use crate::engine::{self, EngineError, SyncEngine, SyncStatus};
use crate::mirror::DatasetInfo;
use crate::outbox::{Enqueued, Intent, Op, OutboxError, Resolution};
use crate::sensitive::Sensitive;
use crate::store::Store;
use crate::view::{AssigneeFilter, Count, CountBy, SortKey, TaskPage, TaskQuery};
use crate::wire::ActionKind;

const ACCOUNT_FILE: &str = "account.json";

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error(
        "not connected to Deepen yet: run `dtasks connect --server URL --client-id ID --email EMAIL` first"
    )]
    NotConnected,
    #[error("the server refused the token for {email}: check it, or create a new one in Deepen")]
    TokenRefused { email: String },
    #[error("cannot use the workspace folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("unknown task{}: {} (not in the local mirror; run `dtasks pull`)", if .0.len() == 1 { "" } else { "s" }, .0.join(", "))]
    UnknownTasks(Vec<String>),
    #[error("cannot {kind} {task_id}: it is {status}{}", if *.pending { " (with your change waiting to sync)" } else { "" })]
    NotAllowed {
        kind: ActionKind,
        task_id: String,
        status: String,
        pending: bool,
    },
    #[error(
        "cannot reassign {task_id}: it is {status}, and submitted or accepted tasks keep their assignee"
    )]
    NotReassignable { task_id: String, status: String },
    #[error("{email} cannot be assigned tasks of dataset {dataset_id} (not one of its users)")]
    UnknownAssignee { email: String, dataset_id: String },
    #[error(
        "{pending} action(s) of {email} are still queued here; sync them (`dtasks sync`) or discard them before connecting another account"
    )]
    AccountSwitchBlocked { email: String, pending: u64 },
}

/// What `connect` found out.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConnectReport {
    /// The server accepted the token just now (false when it could not be reached).
    pub validated: bool,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub datasets: Option<usize>,
    pub token_stored: bool,
    pub offline_error: Option<String>,
}

pub struct Workspace {
    dir: PathBuf,
    store: Arc<Store>,
    account: Option<Account>,
    timeouts: Timeouts,
    /// A token for this session only (demo mode, tests): used first, never stored.
    session_token: Option<Sensitive<String>>,
}

impl Workspace {
    /// Opens (creating if needed) the workspace in `dir`. Works with no account and offline.
    pub fn open(dir: &Path) -> Result<Self, WorkspaceError> {
        std::fs::create_dir_all(dir).map_err(|source| WorkspaceError::Folder {
            path: dir.to_path_buf(),
            source,
        })?;
        let store = Arc::new(Store::open(dir)?);
        let account = Account::load(&dir.join(ACCOUNT_FILE))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            store,
            account,
            timeouts: Timeouts::default(),
            session_token: None,
        })
    }

    /// Deletes the workspace in `dir` (account, mirror, queue) so that it starts anew; the
    /// folder and any other file stay. For throwaway workspaces such as the demo's.
    pub fn remove(dir: &Path) -> std::io::Result<()> {
        let mut names = vec![ACCOUNT_FILE.to_string()];
        for db in [crate::store::MIRROR_FILE, crate::store::OUTBOX_FILE] {
            names.extend([db.to_string(), format!("{db}-wal"), format!("{db}-shm")]);
        }
        for name in names {
            match std::fs::remove_file(dir.join(name)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Uses `token` for this session instead of the environment or the credential store,
    /// and never stores it (demo mode signs in this way).
    pub fn with_session_token(mut self, token: Sensitive<String>) -> Self {
        self.session_token = Some(token);
        self
    }

    fn token(&self, account: &Account) -> Result<Sensitive<String>, WorkspaceError> {
        match &self.session_token {
            Some(token) => Ok(token.clone()),
            None => Ok(credentials::token_for(account)?.0),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn account(&self) -> Option<&Account> {
        self.account.as_ref()
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    fn require_account(&self) -> Result<&Account, WorkspaceError> {
        self.account.as_ref().ok_or(WorkspaceError::NotConnected)
    }

    fn client_for(
        &self,
        account: &Account,
        token: Sensitive<String>,
    ) -> Result<ApiClient, WorkspaceError> {
        ApiClient::new(
            &account.server_url()?,
            &account.client_id,
            token,
            self.timeouts.clone(),
        )
        .map_err(|e| WorkspaceError::Engine(e.into()))
    }

    /// The sync engine of this workspace's account (needs a token).
    pub fn engine(&self) -> Result<SyncEngine, WorkspaceError> {
        let account = self.require_account()?;
        let client = self.client_for(account, self.token(account)?)?;
        Ok(SyncEngine::new(
            self.store.clone(),
            client,
            account.clone(),
        )?)
    }

    /// Connects this workspace to an account. The token comes from `token` (then kept in
    /// the OS credential store), or from `DEEPEN_TOKEN` (used, never stored), or from the
    /// store. It is checked against the server when the server can be reached.
    pub async fn connect(
        &mut self,
        account: Account,
        token: Option<Sensitive<String>>,
    ) -> Result<ConnectReport, WorkspaceError> {
        if let Some(current) = &self.account
            && current != &account
        {
            let counts = self.store.outbox().counts()?;
            let open = counts.pending + counts.in_flight + counts.needs_attention;
            if open > 0 {
                return Err(WorkspaceError::AccountSwitchBlocked {
                    email: current.email.clone(),
                    pending: open,
                });
            }
        }
        let (token_to_use, to_store) = match token {
            Some(t) => (t.clone(), Some(t)),
            None => (self.token(&account)?, None),
        };
        let client = self.client_for(&account, token_to_use)?;
        let mut report = ConnectReport {
            validated: false,
            datasets: None,
            token_stored: false,
            offline_error: None,
        };
        match client.datasets().await {
            Ok(list) => {
                report.validated = true;
                report.datasets = Some(list.len());
            }
            Err(e) if e.class() == ErrorClass::SignIn => {
                return Err(WorkspaceError::TokenRefused {
                    email: account.email.clone(),
                });
            }
            Err(
                e @ ApiError::Status {
                    status: 403 | 404, ..
                },
            ) => return Err(WorkspaceError::Engine(e.into())),
            Err(e) => report.offline_error = Some(e.to_string()),
        }
        if let Some(token) = &to_store {
            credentials::store_token(&account, token)?;
            report.token_stored = true;
        }
        if self.account.as_ref() != Some(&account) {
            // One mirror per account: another account's data must not show under this one.
            self.store.mirror().clear()?;
        }
        account.save(&self.dir.join(ACCOUNT_FILE))?;
        self.account = Some(account);
        // A new token lifts a "sign in again" pause.
        let outbox = self.store.outbox();
        engine::record_status(
            &outbox,
            if report.validated {
                engine::Connectivity::Online
            } else {
                engine::Connectivity::Offline
            },
            report.offline_error.as_deref(),
        )?;
        Ok(report)
    }

    /// Forgets the stored token; the mirror and the queue stay for the next sign-in.
    pub fn sign_out(&self) -> Result<(), WorkspaceError> {
        let account = self.require_account()?;
        credentials::forget_token(account)?;
        Ok(())
    }

    pub fn datasets(&self) -> Result<Vec<DatasetInfo>, WorkspaceError> {
        Ok(self.store.mirror_reader().datasets()?)
    }

    pub fn tasks(&self, query: &TaskQuery) -> Result<TaskPage, WorkspaceError> {
        Ok(self.store.view().tasks(query)?)
    }

    pub fn counts(
        &self,
        dataset_id: &str,
        stage_id: Option<&str>,
        by: CountBy,
    ) -> Result<Vec<Count>, WorkspaceError> {
        Ok(self.store.view().counts(dataset_id, stage_id, by)?)
    }

    /// Queues submit/accept/reject of `task_ids`, all or none, durably; works offline.
    /// Changes: task views, queue.
    pub fn act(
        &self,
        kind: ActionKind,
        task_ids: &[String],
        reason: Option<&str>,
    ) -> Result<Vec<Enqueued>, WorkspaceError> {
        let intent = Intent::Action {
            kind,
            reason: reason
                .filter(|_| kind == ActionKind::Reject)
                .map(str::to_string),
        };
        let bases = self.bases(task_ids)?;
        for row in self.store.view().tasks_by_id(task_ids)? {
            if !kind.allowed_from().contains(&row.status.as_str()) {
                return Err(WorkspaceError::NotAllowed {
                    kind,
                    task_id: row.task_id,
                    status: row.status,
                    pending: row.pending.is_some(),
                });
            }
        }
        let items: Vec<(Intent, &crate::wire::Task)> =
            bases.iter().map(|b| (intent.clone(), b)).collect();
        Ok(self.store.outbox().enqueue(&items)?)
    }

    /// Queues reassignment of `task_ids` to `assignee` (`None` unassigns). Several moves of
    /// one task before it syncs are one change. Changes: task views, counts, queue.
    pub fn assign(
        &self,
        task_ids: &[String],
        assignee: Option<&str>,
    ) -> Result<Vec<Enqueued>, WorkspaceError> {
        let bases = self.bases(task_ids)?;
        for row in self.store.view().tasks_by_id(task_ids)? {
            if !crate::wire::can_reassign(&row.status) {
                return Err(WorkspaceError::NotReassignable {
                    task_id: row.task_id,
                    status: row.status,
                });
            }
        }
        if let Some(email) = assignee {
            let mirror = self.store.mirror_reader();
            let datasets: std::collections::BTreeSet<&str> =
                bases.iter().map(|b| b.dataset_id.as_str()).collect();
            for dataset_id in datasets {
                // Unknown users (the dataset's metadata was not readable) leave it to the server.
                let users = mirror.dataset_users(dataset_id)?;
                if !users.is_empty() && !users.iter().any(|u| u == email) {
                    return Err(WorkspaceError::UnknownAssignee {
                        email: email.to_string(),
                        dataset_id: dataset_id.to_string(),
                    });
                }
            }
        }
        let intent = Intent::Assign {
            assignee: assignee.map(str::to_string),
        };
        let items: Vec<(Intent, &crate::wire::Task)> =
            bases.iter().map(|b| (intent.clone(), b)).collect();
        Ok(self.store.outbox().enqueue(&items)?)
    }

    /// Spreads the unassigned open tasks of a stage over `annotators` by their current
    /// open load (see [`crate::balance::plan`]) and queues the reassignments.
    /// Changes: task views, counts, queue.
    pub fn balance(
        &self,
        dataset_id: &str,
        stage_id: &str,
        annotators: &[String],
    ) -> Result<Vec<Share>, WorkspaceError> {
        let view = self.store.view();
        let open: Vec<String> = crate::balance::OPEN_STATUSES
            .iter()
            .map(|s| s.to_string())
            .collect();
        let query = |assignee: AssigneeFilter, limit: u32, offset: u32| TaskQuery {
            dataset_id: Some(dataset_id.to_string()),
            stage_id: Some(stage_id.to_string()),
            statuses: open.clone(),
            assignee: Some(assignee),
            sort: SortKey::TaskId,
            limit,
            offset,
            ..TaskQuery::default()
        };
        let mut loads = Vec::with_capacity(annotators.len());
        for email in annotators {
            let page = view.tasks(&query(AssigneeFilter::Is(email.clone()), 1, 0))?;
            loads.push((email.clone(), page.total));
        }
        let mut unassigned = Vec::new();
        loop {
            let page = view.tasks(&query(
                AssigneeFilter::Unassigned,
                10_000,
                unassigned.len() as u32,
            ))?;
            let got = page.rows.len();
            unassigned.extend(page.rows.into_iter().map(|r| r.task_id));
            if got < 10_000 {
                break;
            }
        }
        drop(view);
        let shares = crate::balance::plan(&unassigned, &loads);
        // All or none: every assignee checked, then one transaction for every move.
        let users = self.store.mirror_reader().dataset_users(dataset_id)?;
        if let Some(stranger) = annotators
            .iter()
            .find(|a| !users.is_empty() && !users.contains(a))
        {
            return Err(WorkspaceError::UnknownAssignee {
                email: stranger.clone(),
                dataset_id: dataset_id.to_string(),
            });
        }
        let mut items = Vec::with_capacity(unassigned.len());
        let bases = self.bases(&unassigned)?;
        let by_id: std::collections::HashMap<&str, &crate::wire::Task> =
            bases.iter().map(|b| (b.task_id.as_str(), b)).collect();
        for share in &shares {
            let intent = Intent::Assign {
                assignee: Some(share.assignee.clone()),
            };
            for id in &share.task_ids {
                items.push((intent.clone(), by_id[id.as_str()]));
            }
        }
        self.store.outbox().enqueue(&items)?;
        Ok(shares)
    }

    /// The server's last known state of each task; all must be known.
    fn bases(&self, task_ids: &[String]) -> Result<Vec<crate::wire::Task>, WorkspaceError> {
        let mirror = self.store.mirror_reader();
        let mut bases = Vec::with_capacity(task_ids.len());
        let mut unknown = Vec::new();
        for id in task_ids {
            match mirror.task(id)? {
                Some(task) => bases.push(task),
                None => unknown.push(id.clone()),
            }
        }
        if unknown.is_empty() {
            Ok(bases)
        } else {
            Err(WorkspaceError::UnknownTasks(unknown))
        }
    }

    /// Every queued action (done ones too when asked), oldest first.
    pub fn queue(&self, include_done: bool) -> Result<Vec<Op>, WorkspaceError> {
        Ok(self.store.outbox().list(include_done)?)
    }

    /// Applies the user's decision on an action. Changes: queue, task views.
    pub fn resolve(
        &self,
        op_id: &str,
        resolution: Resolution,
    ) -> Result<Option<Op>, WorkspaceError> {
        let op = self
            .store
            .outbox()
            .op(op_id)?
            .ok_or_else(|| OutboxError::UnknownOp(op_id.to_string()))?;
        let server = self.store.mirror_reader().task(&op.task_id)?;
        Ok(self
            .store
            .outbox()
            .resolve(op_id, resolution, server.as_ref())?)
    }

    /// The status as last recorded (works with no engine running).
    pub fn status(&self) -> Result<SyncStatus, WorkspaceError> {
        Ok(engine::load_status(&self.store.outbox())?)
    }
}
