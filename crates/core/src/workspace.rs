//! Operations: the one definition of what a user can do with a workspace (one account's
//! mirror and queue in one folder), reached by the command line and the desktop shell
//! alike. Each operation that changes anything returns [`Changed`]: its result and the
//! views it changed (see [`crate::changes`]), so a front end re-reads exactly those.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::account::{Account, AccountError};
use crate::activity::{ActionOutcome, ActionRecord};
use crate::balance::Share;
use crate::changes::{Changed, Changes, ViewChange};
use crate::client::{ApiClient, ApiError, ErrorClass, Timeouts};
use crate::credentials::{self, CredentialError};
use crate::db::DbError;
use crate::engine::{self, EngineError, SyncEngine, SyncStatus};
use crate::mirror::DatasetInfo;
use crate::outbox::{Enqueued, Intent, Op, OutboxError, Resolution};
use crate::preferences::Preferences;
use crate::sensitive::Sensitive;
use crate::store::Store;
use crate::view::{AssigneeFilter, Count, CountBy, SortKey, TaskPage, TaskQuery};
use crate::wire::{ActionKind, Task, TaskStatus, Validators};

const ACCOUNT_FILE: &str = "account.json";

/// A failure of a workspace operation: a kind with its fields; each front end words it.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// A local database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The account's settings are invalid or unreadable.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The token could not be found or kept.
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    /// Talking to the server failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The queue refused the decision.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// No account is connected in this workspace.
    #[error("no Deepen account is connected in this workspace")]
    NotConnected,
    /// The server refused the token.
    #[error("the server refused the token for {email}")]
    TokenRefused {
        /// Whose token.
        email: String,
    },
    /// The workspace folder cannot be made or used.
    #[error("cannot use the workspace folder {path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// These tasks are not in the local mirror.
    #[error("unknown task{}: {} (not in the local mirror)", if .0.len() == 1 { "" } else { "s" }, .0.join(", "))]
    UnknownTasks(Vec<String>),
    /// The task's status (as the user sees it) does not allow the action.
    #[error("cannot {kind} {task_id}: it is {status}{}", if *.pending { " (with a change waiting to sync)" } else { "" })]
    NotAllowed {
        /// The action.
        kind: ActionKind,
        /// The task.
        task_id: String,
        /// Its status as the user sees it.
        status: TaskStatus,
        /// Whether a change of the user's is laid over it.
        pending: bool,
    },
    /// Submitted and accepted tasks keep their assignee.
    #[error("cannot reassign {task_id}: it is {status}")]
    NotReassignable {
        /// The task.
        task_id: String,
        /// Its status as the user sees it.
        status: TaskStatus,
    },
    /// The signed-in user's scopes on the dataset do not let them change its assignments.
    #[error("{email} may not change the assignments of dataset {dataset_id}")]
    MayNotReassign {
        /// Who is signed in.
        email: String,
        /// The dataset.
        dataset_id: String,
    },
    /// The person is not one of the dataset's users.
    #[error("{email} is not one of the users of dataset {dataset_id}")]
    UnknownAssignee {
        /// Who.
        email: String,
        /// The dataset.
        dataset_id: String,
    },
    /// Another account's actions still wait in this workspace's queue.
    #[error("{pending} action(s) of {email} are still queued here")]
    AccountSwitchBlocked {
        /// The account whose actions wait.
        email: String,
        /// How many.
        pending: u64,
    },
    /// The server gave the task an id no request path can carry (`.`, `..`, control
    /// characters): it is shown, but no action on it can be sent.
    #[error("the task id {0:?} cannot be sent to the server")]
    UnsafeTaskId(String),
    /// A reassignment was asked through `act`: it goes through `assign`, with an assignee.
    #[error("a reassignment needs an assignee")]
    AssignWithoutAssignee,
    /// An export could not be written.
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    /// No web address can be made for a task.
    #[error(transparent)]
    WebUrl(#[from] crate::wire::WebUrlError),
}

/// What `connect` found out.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConnectReport {
    /// The server accepted the token just now (false when it could not be reached).
    pub validated: bool,
    /// Datasets the server lists for the account, when it answered.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub datasets: Option<usize>,
    /// The token was kept in the OS credential store.
    pub token_stored: bool,
    /// The OS credential store could not keep the token (why, about the store, never the
    /// token): the caller uses it for this session only.
    pub store_unavailable: Option<String>,
    /// Why the server could not be reached, when it could not.
    pub offline_error: Option<String>,
}

/// One account's mirror and queue in one folder, and every operation on them.
pub struct Workspace {
    dir: PathBuf,
    store: Arc<Store>,
    account: Option<Account>,
    timeouts: Timeouts,
    /// A token for this session only (demo mode, tests): used first, never stored.
    session_token: Option<Sensitive<String>>,
    /// Which accounts `DEEPEN_TOKEN` is for.
    token_policy: credentials::TokenPolicy,
    /// Metered for this session, whatever the preferences say.
    metered_session: bool,
}

impl Workspace {
    /// Opens (creating if needed) the workspace in `dir`. Works with no account and offline.
    pub fn open(dir: &Path) -> Result<Self, WorkspaceError> {
        // Private at rest (the databases tighten themselves as they open).
        let folder = |source| WorkspaceError::Folder {
            path: dir.to_path_buf(),
            source,
        };
        crate::private::dir(dir).map_err(folder)?;
        crate::private::tighten(&dir.join(ACCOUNT_FILE)).map_err(folder)?;
        let store = Arc::new(Store::open(dir)?);
        let account = Account::load(&dir.join(ACCOUNT_FILE))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            store,
            account,
            timeouts: Timeouts::default(),
            session_token: None,
            token_policy: credentials::TokenPolicy::default(),
            metered_session: false,
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

    /// The time limits of this workspace's requests.
    pub fn timeouts(&self) -> &Timeouts {
        &self.timeouts
    }

    /// Uses `timeouts` for this workspace's requests instead of the defaults (tests, slow links).
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

    /// Treats the connection as metered for this session whatever the preferences say
    /// (the CLI's `--metered`).
    pub fn with_metered(mut self) -> Self {
        self.metered_session = true;
        self
    }

    /// Which accounts `DEEPEN_TOKEN` is for (the app: only the one it names).
    pub fn with_token_policy(mut self, policy: credentials::TokenPolicy) -> Self {
        self.token_policy = policy;
        self
    }

    fn token(&self, account: &Account) -> Result<Sensitive<String>, WorkspaceError> {
        match &self.session_token {
            Some(token) => Ok(token.clone()),
            None => Ok(credentials::token_for_account(account, self.token_policy)?.0),
        }
    }

    /// The workspace folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The connected account; `None` until one connects.
    pub fn account(&self) -> Option<&Account> {
        self.account.as_ref()
    }

    /// The workspace's databases, shared with its sync engines.
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
        let engine = SyncEngine::new(self.store.clone(), client, account.clone())?;
        engine.set_metered(self.metered_session || self.preferences().metered);
        Ok(engine)
    }

    /// This workspace's preferences (the defaults when none were saved).
    pub fn preferences(&self) -> Preferences {
        Preferences::load(&self.dir)
    }

    /// Saves this workspace's preferences. An engine already made learns them from its
    /// owner (`SyncEngine::set_metered`).
    pub fn set_preferences(&self, preferences: &Preferences) -> Result<(), WorkspaceError> {
        preferences
            .save(&self.dir)
            .map_err(|source| WorkspaceError::Folder {
                path: self.dir.clone(),
                source,
            })
    }

    /// Connects this workspace to an account. The token comes from `token` (then kept in
    /// the OS credential store), or from `DEEPEN_TOKEN` (used, never stored), or from the
    /// store. It is checked against the server when the server can be reached.
    pub async fn connect(
        &mut self,
        account: Account,
        token: Option<Sensitive<String>>,
    ) -> Result<Changed<ConnectReport>, WorkspaceError> {
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
            store_unavailable: None,
            offline_error: None,
        };
        // Unconditional: a 304 cannot come back, and the count is wanted.
        match client.datasets(&Validators::default()).await {
            Ok(fetched) => {
                report.validated = true;
                report.datasets = fetched.changed().map(|(list, _)| list.len());
            }
            Err(e) if e.class() == ErrorClass::SignIn => {
                return Err(WorkspaceError::TokenRefused {
                    email: account.email.clone(),
                });
            }
            Err(
                e @ ApiError::Status {
                    status: 300..=399 | 403 | 404,
                    ..
                },
            ) => return Err(WorkspaceError::Engine(e.into())),
            Err(e) => report.offline_error = Some(e.to_string()),
        }
        if let Some(token) = &to_store {
            match credentials::store_token(&account, token) {
                Ok(()) => report.token_stored = true,
                // No credential store here (a bare session, a server): still connected;
                // the caller keeps the token for this session and says so.
                Err(CredentialError::StoreUnavailable { detail }) => {
                    report.store_unavailable = Some(detail);
                }
                Err(e) => return Err(e.into()),
            }
        }
        let mut changes = Changes::from(ViewChange::Status);
        if self.account.as_ref() != Some(&account) {
            // One mirror per account: another account's data must not show under this one.
            for id in self.store.mirror_reader().dataset_ids()? {
                changes.whole_dataset(&id);
            }
            self.store.mirror().clear()?;
            changes.add(ViewChange::Datasets).add(ViewChange::Delayed);
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
        Ok(Changed::new(report, changes))
    }

    /// Forgets the stored token; the mirror and the queue stay for the next sign-in.
    pub fn sign_out(&self) -> Result<Changed<()>, WorkspaceError> {
        let account = self.require_account()?;
        credentials::forget_token(account)?;
        Ok(Changed::new((), ViewChange::Status.into()))
    }

    /// The datasets in the mirror, with their users, stages and task counts.
    pub fn datasets(&self) -> Result<Vec<DatasetInfo>, WorkspaceError> {
        let mut datasets = self.store.mirror_reader().datasets()?;
        for d in &mut datasets {
            d.may_reassign = self.may_reassign_in(&d.users);
        }
        Ok(datasets)
    }

    /// Whether the signed-in user may reassign tasks of a dataset with these users: what
    /// their scopes say when it lists them, else (or signed out) the server decides.
    fn may_reassign_in(&self, users: &[(String, Vec<String>)]) -> bool {
        let me = self.account.as_ref().map(|a| a.email.as_str());
        match users.iter().find(|(email, _)| Some(email.as_str()) == me) {
            Some((_, scopes)) => crate::wire::vocabulary::may_reassign(scopes),
            None => true,
        }
    }

    /// Refuses a reassignment in `dataset_id` that the mirror knows the server would refuse.
    fn check_may_reassign(&self, dataset_id: &str) -> Result<(), WorkspaceError> {
        let users = self
            .store
            .mirror_reader()
            .dataset(dataset_id)?
            .map(|d| d.users)
            .unwrap_or_default();
        if self.may_reassign_in(&users) {
            return Ok(());
        }
        Err(WorkspaceError::MayNotReassign {
            email: self.require_account()?.email.clone(),
            dataset_id: dataset_id.to_string(),
        })
    }

    /// A page of tasks as the user sees them.
    pub fn tasks(&self, query: &TaskQuery) -> Result<TaskPage, WorkspaceError> {
        Ok(self.store.view().tasks(query)?)
    }

    /// Task counts of a dataset, grouped, as the user sees them.
    pub fn counts(
        &self,
        dataset_id: &str,
        stage_id: Option<&str>,
        by: CountBy,
    ) -> Result<Vec<Count>, WorkspaceError> {
        Ok(self.store.view().counts(dataset_id, stage_id, by)?)
    }

    /// Queues submit/accept/reject of `task_ids`, all or none, durably; works offline.
    pub fn act(
        &self,
        kind: ActionKind,
        task_ids: &[String],
        reason: Option<&str>,
    ) -> Result<Changed<Vec<Enqueued>>, WorkspaceError> {
        if kind == ActionKind::Assign {
            return Err(WorkspaceError::AssignWithoutAssignee);
        }
        let intent = Intent::Action {
            kind,
            reason: reason
                .filter(|_| kind == ActionKind::Reject)
                .map(str::to_string),
        };
        let bases = self.bases(task_ids)?;
        let mut changes = local_change();
        for row in self.store.view().tasks_by_id(task_ids)? {
            if !kind.allowed(&row.status) {
                return Err(WorkspaceError::NotAllowed {
                    kind,
                    task_id: row.task_id,
                    status: row.status,
                    pending: row.pending.is_some(),
                });
            }
            changes.tasks_of(&row.dataset_id, [row.assignee.as_deref()], true);
        }
        let items: Vec<(Intent, &Task)> = bases.iter().map(|b| (intent.clone(), b)).collect();
        let enqueued = self.store.outbox().enqueue(&items)?;
        Ok(Changed::new(enqueued, changes))
    }

    /// Queues reassignment of `task_ids` to `assignee` (`None` unassigns). Several moves of
    /// one task before it syncs are one change.
    pub fn assign(
        &self,
        task_ids: &[String],
        assignee: Option<&str>,
    ) -> Result<Changed<Vec<Enqueued>>, WorkspaceError> {
        let bases = self.bases(task_ids)?;
        let mut changes = local_change();
        for row in self.store.view().tasks_by_id(task_ids)? {
            if !row.status.can_reassign() {
                return Err(WorkspaceError::NotReassignable {
                    task_id: row.task_id,
                    status: row.status,
                });
            }
            changes.tasks_of(&row.dataset_id, [row.assignee.as_deref(), assignee], false);
        }
        let datasets: std::collections::BTreeSet<&str> =
            bases.iter().map(|b| b.dataset_id.as_str()).collect();
        for dataset_id in datasets {
            self.check_may_reassign(dataset_id)?;
            if let Some(email) = assignee {
                self.check_assignee(dataset_id, email)?;
            }
        }
        let intent = Intent::Assign {
            assignee: assignee.map(str::to_string),
        };
        let items: Vec<(Intent, &Task)> = bases.iter().map(|b| (intent.clone(), b)).collect();
        let enqueued = self.store.outbox().enqueue(&items)?;
        Ok(Changed::new(enqueued, changes))
    }

    /// Whether `email` may be given tasks of `dataset_id`: one of its users. Unknown users
    /// (the dataset's metadata was not readable) leave it to the server.
    fn check_assignee(&self, dataset_id: &str, email: &str) -> Result<(), WorkspaceError> {
        let users = self.store.mirror_reader().dataset_users(dataset_id)?;
        if users.is_empty() || users.iter().any(|u| u == email) {
            Ok(())
        } else {
            Err(WorkspaceError::UnknownAssignee {
                email: email.to_string(),
                dataset_id: dataset_id.to_string(),
            })
        }
    }

    /// What [`Self::balance`] would do now, without doing it: who gets which tasks.
    pub fn balance_preview(
        &self,
        dataset_id: &str,
        stage_id: &str,
        annotators: &[String],
    ) -> Result<Vec<Share>, WorkspaceError> {
        Ok(self.plan_balance(dataset_id, stage_id, annotators)?.0)
    }

    /// The plan of a balance, and the unassigned open tasks it spreads.
    fn plan_balance(
        &self,
        dataset_id: &str,
        stage_id: &str,
        annotators: &[String],
    ) -> Result<(Vec<Share>, Vec<String>), WorkspaceError> {
        for email in annotators {
            self.check_assignee(dataset_id, email)?;
        }
        let (loads, unassigned) = self.open_work(dataset_id, stage_id, annotators)?;
        Ok((crate::balance::plan(&unassigned, &loads), unassigned))
    }

    /// Spreads the unassigned open tasks of a stage over `annotators` by their current
    /// open load (see [`crate::balance::plan`]) and queues the reassignments, all or none.
    pub fn balance(
        &self,
        dataset_id: &str,
        stage_id: &str,
        annotators: &[String],
    ) -> Result<Changed<Vec<Share>>, WorkspaceError> {
        self.check_may_reassign(dataset_id)?;
        let (shares, unassigned) = self.plan_balance(dataset_id, stage_id, annotators)?;
        let bases = self.bases(&unassigned)?;
        let by_id: std::collections::HashMap<&str, &Task> =
            bases.iter().map(|b| (b.task_id.as_str(), b)).collect();
        let mut items = Vec::with_capacity(unassigned.len());
        for share in &shares {
            let intent = Intent::Assign {
                assignee: Some(share.assignee.clone()),
            };
            // Every id of a share came from `unassigned`, whose bases were all found.
            items.extend(
                share
                    .task_ids
                    .iter()
                    .filter_map(|id| by_id.get(id.as_str()))
                    .map(|base| (intent.clone(), *base)),
            );
        }
        self.store.outbox().enqueue(&items)?;
        let mut changes = local_change();
        let people = shares.iter().filter(|s| !s.task_ids.is_empty());
        changes.tasks_of(
            dataset_id,
            people.map(|s| Some(s.assignee.as_str())).chain([None]),
            false,
        );
        Ok(Changed::new(shares, changes))
    }

    /// The open load of each of `annotators` and the unassigned open tasks of a stage, as
    /// the user sees them.
    fn open_work(
        &self,
        dataset_id: &str,
        stage_id: &str,
        annotators: &[String],
    ) -> Result<(Loads, Vec<String>), WorkspaceError> {
        const PAGE: u32 = 10_000;
        let view = self.store.view();
        let query = |assignee: AssigneeFilter, limit: u32, offset: u32| TaskQuery {
            dataset_id: Some(dataset_id.to_string()),
            stage_id: Some(stage_id.to_string()),
            statuses: TaskStatus::open_statuses(),
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
            let offset = unassigned.len() as u32;
            let page = view.tasks(&query(AssigneeFilter::Unassigned, PAGE, offset))?;
            let got = page.rows.len();
            unassigned.extend(page.rows.into_iter().map(|r| r.task_id));
            if got < PAGE as usize {
                return Ok((loads, unassigned));
            }
        }
    }

    /// The server's last known state of each task; all must be known, and each id one a
    /// request path can carry.
    fn bases(&self, task_ids: &[String]) -> Result<Vec<Task>, WorkspaceError> {
        if let Some(unsafe_id) = task_ids.iter().find(|id| !crate::wire::is_safe_id(id)) {
            return Err(WorkspaceError::UnsafeTaskId(unsafe_id.clone()));
        }
        let mirror = self.store.mirror_reader();
        let mut bases = Vec::with_capacity(task_ids.len());
        let mut unknown = Vec::new();
        for id in task_ids {
            match mirror.task(id)? {
                // Its dataset's id goes into the reassignment's path.
                Some(task) if !crate::wire::is_safe_id(&task.dataset_id) => {
                    return Err(WorkspaceError::UnsafeTaskId(id.clone()));
                }
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

    /// Applies the user's decision on an action.
    pub fn resolve(
        &self,
        op_id: &str,
        resolution: Resolution,
    ) -> Result<Changed<Option<Op>>, WorkspaceError> {
        let op = self
            .store
            .outbox()
            .op(op_id)?
            .ok_or_else(|| OutboxError::UnknownOp(op_id.to_string()))?;
        let server = self.store.mirror_reader().task(&op.task_id)?;
        let after = self
            .store
            .outbox()
            .resolve(op_id, resolution, server.as_ref())?;
        if resolution == Resolution::Discard
            && let Some(account) = &self.account
        {
            self.store.mirror().record_actions(
                &account.email,
                &[ActionRecord {
                    task_id: op.task_id.clone(),
                    dataset_id: op.dataset_id.clone(),
                    kind: op.kind,
                    outcome: ActionOutcome::Discarded,
                    note: None,
                }],
            )?;
        }
        let mut changes = local_change();
        // The task shows elsewhere (discarded) or with another badge.
        let people = [
            op.base_assignee.as_deref(),
            op.assignee.as_deref(),
            server.as_ref().and_then(|t| t.assignee.as_deref()),
        ];
        changes.tasks_of(&op.dataset_id, people, op.kind.changes_status());
        Ok(Changed::new(after, changes))
    }

    /// Takes back the user's submit, accept or reject of `task_ids` that has not been sent
    /// yet: the task shows its status again. One being sent right now, or done, cannot be
    /// taken back (and a reassignment is undone by moving the task back). Gives the tasks
    /// it took back.
    pub fn undo(&self, task_ids: &[String]) -> Result<Changed<Vec<String>>, WorkspaceError> {
        let wanted: std::collections::HashSet<&str> = task_ids.iter().map(String::as_str).collect();
        let ops: Vec<Op> = self
            .store
            .outbox()
            .list(false)?
            .into_iter()
            .filter(|op| {
                wanted.contains(op.task_id.as_str())
                    && op.kind.changes_status()
                    && op.choices.contains(&Resolution::Discard)
            })
            .collect();
        let mut changes = Changes::none();
        let mut undone = Vec::with_capacity(ops.len());
        for op in ops {
            let resolved = self.resolve(&op.op_id, Resolution::Discard)?;
            changes.merge(resolved.changes);
            undone.push(op.task_id);
        }
        Ok(Changed::new(undone, changes))
    }

    /// The status as last recorded (works with no engine running); metered as this
    /// session's engine is made (`--metered`, or the preference).
    pub fn status(&self) -> Result<SyncStatus, WorkspaceError> {
        Ok(SyncStatus {
            metered: self.metered_session || self.preferences().metered,
            ..engine::load_status(&self.store.outbox())?
        })
    }
}

/// Open tasks per person: what balancing evens out.
type Loads = Vec<(String, u64)>;

/// What every local action changes besides the tasks: the queue and the status's counts.
fn local_change() -> Changes {
    [ViewChange::Queue, ViewChange::Status]
        .into_iter()
        .collect()
}
