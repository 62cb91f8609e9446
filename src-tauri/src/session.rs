//! The session: the workspace the window shows (the current account's, or the demo's),
//! its background sync task, and the demo server in demo mode. One session at a time;
//! switching ends the old one first (its sync task stops, the demo data is saved).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use dtasks_core::accounts::Accounts;
use dtasks_core::engine::{Schedule, Shown};
use dtasks_core::{Connectivity, Preferences, SyncEngine, SyncStatus, ViewChange, Workspace};
use tokio::sync::watch;

use crate::demo::{DemoRole, DemoServer};
use crate::error::{ErrorKind, ShellError};

/// The app opens one account after another: `DEEPEN_TOKEN` is only for the account
/// `DEEPEN_TOKEN_EMAIL` names, never another's.
const APP_TOKENS: dtasks_core::credentials::TokenPolicy =
    dtasks_core::credentials::TokenPolicy::NamedAccountOnly;

/// What the shell tells the window; `lib.rs` turns these into typed events.
#[derive(Debug, Clone)]
pub enum Notice {
    /// The sync status changed.
    Status(SyncStatus),
    /// These views changed: re-query them.
    DataChanged(Vec<ViewChange>),
    /// Another account (or demo, or none) is open now, or changes were missed: reload
    /// everything.
    SessionChanged,
    /// What the app knows about updates changed.
    Update(crate::updates::UpdateState),
    /// A sync round brought news for the user.
    News(Vec<dtasks_core::notices::Notice>),
    /// A sync round reached the account's server (for the shell: updates are looked for
    /// then; nothing is sent to the window).
    RoundReachedServer,
}

pub type Notify = Arc<dyn Fn(Notice) + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SessionMode {
    /// The workspace is being opened at start (a moment; the window waits).
    Opening,
    /// Demo data from the built-in server.
    Demo,
    /// A real Deepen account.
    Account,
    /// No account open: the connect screen shows.
    SignedOut,
}

/// Who is signed in where (never the token).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, specta::Type)]
pub struct SessionInfo {
    pub mode: SessionMode,
    pub email: Option<String>,
    pub server: Option<String>,
    pub client_id: Option<String>,
    /// No token is available for the account: the app works offline from its mirror,
    /// and nothing syncs until the user signs in again.
    pub needs_token: bool,
    /// Why the workspace could not be opened at start, in words (shown on the connect screen).
    pub start_error: Option<String>,
    /// In demo mode, who the newcomer is (manager or annotator).
    pub demo_role: Option<DemoRole>,
}

impl SessionInfo {
    fn without_session(mode: SessionMode, start_error: Option<String>) -> Self {
        Self {
            mode,
            email: None,
            server: None,
            client_id: None,
            needs_token: false,
            start_error,
            demo_role: None,
        }
    }
}

pub struct Session {
    pub workspace: Workspace,
    pub info: SessionInfo,
    engine: Option<SyncEngine>,
    shutdown: watch::Sender<bool>,
    demo: Option<DemoServer>,
    /// What the system says of the connection (shared with the app's state).
    system_metered: Arc<AtomicBool>,
}

impl Session {
    /// Asks the sync task for a round soon, after a local change: a push.
    pub fn nudge(&self) {
        if let Some(engine) = &self.engine {
            engine.nudge();
        }
    }

    /// Asks the sync task for a full round soon ("Sync now"): push, then pull.
    pub fn sync_soon(&self) {
        if let Some(engine) = &self.engine {
            engine.sync_soon();
        }
    }

    /// The system says the network is up: when offline, the sync task tries now.
    pub fn network_up(&self) {
        if let Some(engine) = &self.engine {
            engine.network_up();
        }
    }

    /// The queue changed (a local action): with a sync task, its status channel tells the
    /// window the new counts (in order with its rounds' news); without one, the status to
    /// send is returned.
    pub fn queue_changed(&self) -> Option<SyncStatus> {
        match &self.engine {
            Some(engine) => {
                engine.publish_counts();
                None
            }
            None => self.status().ok(),
        }
    }

    /// The sync status for the window: as last recorded, with the queue's counts of now,
    /// whether a round runs, and whether the connection is spared.
    pub fn status(&self) -> Result<SyncStatus, ShellError> {
        Ok(SyncStatus {
            metered: self.metered_now(),
            syncing: self
                .engine
                .as_ref()
                .is_some_and(|engine| engine.status().borrow().syncing),
            ..self.workspace.status()?
        })
    }

    /// What the window shows now: refreshed every round while shown.
    pub fn set_shown(&self, shown: Shown) {
        if let Some(engine) = &self.engine {
            engine.set_shown(shown);
        }
    }

    /// Saves the preferences and applies them to the running sync task.
    pub fn set_preferences(&self, preferences: &Preferences) -> Result<(), ShellError> {
        self.workspace.set_preferences(preferences)?;
        self.apply_metered();
        Ok(())
    }

    /// Whether rounds spare the connection now: the user's choice, or the system's word
    /// when the preferences follow it.
    pub fn metered_now(&self) -> bool {
        self.workspace
            .preferences()
            .metered_now(self.system_metered.load(Ordering::SeqCst))
    }

    /// Tells the sync task whether the connection is metered now.
    fn apply_metered(&self) {
        if let Some(engine) = &self.engine {
            engine.set_metered(self.metered_now());
        }
    }

    async fn stop(self) {
        let _ = self.shutdown.send(true);
        if let Some(demo) = self.demo {
            demo.stop().await;
        }
    }
}

/// How often the background task syncs and probes. The desktop probes an unreachable
/// server at most every 30 s; "Sync now" probes at once.
fn schedule() -> Schedule {
    Schedule {
        probe_max: Duration::from_secs(30),
        ..Schedule::default()
    }
}

/// The app's state: the accounts folder and the open session.
pub struct AppState {
    accounts: Accounts,
    force_demo: bool,
    session: RwLock<Option<Arc<Session>>>,
    /// Until the start opening is over: `Ok` while it runs or once it worked, the error
    /// (in words) when it failed.
    start: RwLock<Result<bool, String>>,
    /// Serializes session switches (connect, sign-out, demo) against each other.
    switching: tokio::sync::Mutex<()>,
    notify: RwLock<Option<Notify>>,
    /// Where the log plugin writes (for diagnostics).
    log_dir: RwLock<Option<PathBuf>>,
    /// Whether the system says the connection is metered (NetworkManager; `network.rs`).
    system_metered: Arc<AtomicBool>,
}

impl AppState {
    /// `root`: the app's data folder. `force_demo`: `--demo` was given.
    pub fn new(root: &Path, force_demo: bool) -> Self {
        Self {
            accounts: Accounts::new(root),
            force_demo,
            session: RwLock::new(None),
            start: RwLock::new(Ok(false)),
            switching: tokio::sync::Mutex::new(()),
            notify: RwLock::new(None),
            log_dir: RwLock::new(None),
            system_metered: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The system says whether the connection is metered: the open session's sync task
    /// follows it when its preferences do.
    pub fn set_system_metered(&self, metered: bool) {
        self.system_metered.store(metered, Ordering::SeqCst);
        if let Some(session) = self.session.read().expect("session lock").as_ref() {
            session.apply_metered();
        }
    }

    /// Where the log plugin writes (set once the app runs).
    pub fn set_log_dir(&self, dir: Option<PathBuf>) {
        *self.log_dir.write().expect("log dir lock") = dir;
    }

    /// Where the log plugin writes, when known.
    pub fn log_dir(&self) -> Option<PathBuf> {
        self.log_dir.read().expect("log dir lock").clone()
    }

    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// Where the shell's notices go (set once the app runs).
    pub fn set_notify(&self, notify: Notify) {
        *self.notify.write().expect("notify lock") = Some(notify);
    }

    pub fn notify(&self, notice: Notice) {
        if let Some(notify) = self.notify.read().expect("notify lock").as_ref() {
            notify(notice);
        }
    }

    /// The open session, or the "not connected" error the UI turns into the connect screen.
    pub fn session(&self) -> Result<Arc<Session>, ShellError> {
        self.session
            .read()
            .expect("session lock")
            .clone()
            .ok_or_else(ShellError::not_connected)
    }

    pub fn info(&self) -> SessionInfo {
        if let Some(session) = self.session.read().expect("session lock").as_ref() {
            return session.info.clone();
        }
        match &*self.start.read().expect("start lock") {
            Ok(false) => SessionInfo::without_session(SessionMode::Opening, None),
            Ok(true) => SessionInfo::without_session(SessionMode::SignedOut, None),
            Err(e) => SessionInfo::without_session(SessionMode::SignedOut, Some(e.clone())),
        }
    }

    /// Opens what the app opens at start: the current account (offline at once, from its
    /// mirror), or the demo when no account is configured or `--demo` was given. Until it
    /// is done the window shows "Opening"; a failure is kept for the connect screen.
    pub async fn open_at_start(&self) -> Result<(), ShellError> {
        let _switching = self.switching.lock().await;
        let result = match self.accounts.current() {
            Ok(Some(dir)) if !self.force_demo => self.open_account(&dir, None).await,
            Ok(_) => self.open_demo(DemoRole::Manager).await,
            Err(e) => Err(e.into()),
        };
        self.switched(&result);
        result
    }

    /// Switches to the demo (the connect screen's "Try the demo").
    pub async fn start_demo(&self, role: DemoRole) -> Result<(), ShellError> {
        let _switching = self.switching.lock().await;
        let result = self.open_demo(role).await;
        self.switched(&result);
        result
    }

    /// Connects an account (token checked when the server answers, then kept in the OS
    /// credential store) and opens it. Each account has its own folder, so its mirror
    /// and queue are kept when another one is used.
    pub async fn connect(
        &self,
        server: &str,
        client_id: &str,
        email: &str,
        token: dtasks_core::Sensitive<String>,
    ) -> Result<dtasks_core::workspace::ConnectReport, ShellError> {
        let account = dtasks_core::Account::new(server, client_id, email)?;
        let dir = self.accounts.dir_for(&account);
        let _switching = self.switching.lock().await;
        let report = {
            let mut workspace = Workspace::open(&dir)?.with_token_policy(APP_TOKENS);
            // The session switch below re-reads every view (SessionChanged).
            workspace
                .connect(account.clone(), Some(token.clone()))
                .await?
                .into_value()
        };
        self.accounts.set_current(&account)?;
        // The token just typed is the one this session uses (not `DEEPEN_TOKEN`, which
        // would otherwise come first).
        let result = self.open_account(&dir, Some(token)).await;
        self.switched(&result);
        result.map(|()| report)
    }

    /// Forgets the account's token; its mirror and queue stay for the next sign-in.
    pub async fn sign_out(&self) -> Result<(), ShellError> {
        let _switching = self.switching.lock().await;
        let session = self.session()?;
        if session.info.mode == SessionMode::Account {
            session.workspace.sign_out()?;
            self.accounts.clear_current()?;
        }
        drop(session);
        self.close().await;
        self.switched(&Ok(()));
        Ok(())
    }

    /// After a switch (holding `switching`): what the window is told, and what the
    /// connect screen shows when it failed.
    fn switched(&self, result: &Result<(), ShellError>) {
        *self.start.write().expect("start lock") = match result {
            Ok(()) => Ok(true),
            Err(e) => Err(e.message.clone()),
        };
        self.notify(Notice::SessionChanged);
    }

    /// Opens the workspace in `dir` (its account must be connected); `token` for this
    /// session instead of the environment's or the stored one. Callers hold `switching`.
    async fn open_account(
        &self,
        dir: &Path,
        token: Option<dtasks_core::Sensitive<String>>,
    ) -> Result<(), ShellError> {
        self.close().await;
        let mut workspace = Workspace::open(dir)?.with_token_policy(APP_TOKENS);
        if let Some(token) = token {
            workspace = workspace.with_session_token(token);
        }
        let Some(account) = workspace.account().cloned() else {
            return Err(ShellError::not_connected());
        };
        let engine = match workspace.engine() {
            Ok(engine) => Some(engine),
            Err(dtasks_core::WorkspaceError::Credentials(e)) => {
                tracing::warn!(error = %e, "no token for the account; working offline until sign-in");
                None
            }
            Err(e) => return Err(e.into()),
        };
        // The log file masks the email (lib.rs); the line says which account ran.
        tracing::info!(account = %account.email, server = %account.server, syncing = engine.is_some(), "account opened");
        let info = SessionInfo {
            mode: SessionMode::Account,
            email: Some(account.email.clone()),
            server: Some(account.server.clone()),
            client_id: Some(account.client_id.clone()),
            needs_token: engine.is_none(),
            start_error: None,
            demo_role: None,
        };
        self.install(workspace, info, engine, None);
        Ok(())
    }

    /// Callers hold `switching`.
    async fn open_demo(&self, role: DemoRole) -> Result<(), ShellError> {
        self.close().await;
        let demo_dir = self.accounts.demo_dir();
        let demo_failed = |e: &dyn std::fmt::Display| {
            ShellError::new(ErrorKind::Other, format!("The demo could not start: {e}"))
        };
        let demo = DemoServer::start(&demo_dir)
            .await
            .map_err(|e| demo_failed(&e))?;
        let (account, token) = demo.sign_in(role).map_err(|e| demo_failed(&e))?;
        if demo.is_new() {
            // A new demo world: what the old demo mirrors and queues held is about another one.
            for each in DemoRole::ALL {
                Workspace::remove(&each.workspace_dir(&demo_dir)).map_err(|e| demo_failed(&e))?;
            }
        }
        let dir = role.workspace_dir(&demo_dir);
        dtasks_core::private::dir(&dir).map_err(|e| demo_failed(&e))?;
        let mut workspace = Workspace::open(&dir)?.with_session_token(token.clone());
        match workspace.account() {
            Some(known) if known == &account => {}
            // The same demo world on another port (the last one was taken): same data.
            Some(_) if !demo.is_new() => {
                account
                    .save(&dir.join("account.json"))
                    .map_err(|e| demo_failed(&e))?;
                workspace = Workspace::open(&dir)?.with_session_token(token);
            }
            _ => {
                workspace.connect(account.clone(), None).await?;
            }
        }
        let engine = workspace.engine()?;
        let info = SessionInfo {
            mode: SessionMode::Demo,
            demo_role: Some(role),
            email: Some(account.email.clone()),
            server: Some(account.server.clone()),
            client_id: Some(account.client_id.clone()),
            needs_token: false,
            start_error: None,
        };
        self.install(workspace, info, Some(engine), Some(demo));
        Ok(())
    }

    /// Ends the open session (app exit, or before another opens).
    pub async fn close(&self) {
        let old = self.session.write().expect("session lock").take();
        if let Some(old) = old {
            match Arc::try_unwrap(old) {
                Ok(session) => session.stop().await,
                // A command still holds it: stop the sync now; the rest goes with the last holder.
                Err(shared) => {
                    let _ = shared.shutdown.send(true);
                }
            }
        }
    }

    fn install(
        &self,
        workspace: Workspace,
        info: SessionInfo,
        engine: Option<SyncEngine>,
        demo: Option<DemoServer>,
    ) {
        let (shutdown, shutdown_rx) = watch::channel(false);
        let session = Arc::new(Session {
            workspace,
            info,
            engine,
            shutdown,
            demo,
            system_metered: self.system_metered.clone(),
        });
        // Metered as the system says before the first round; said again once installed, so
        // a word arriving in between (`set_system_metered` finds no session yet) is kept.
        session.apply_metered();
        if let Some(engine) = &session.engine {
            self.forward(engine, shutdown_rx.clone());
            tokio::spawn(engine.clone().run(schedule(), shutdown_rx));
        }
        *self.session.write().expect("session lock") = Some(session.clone());
        session.apply_metered();
        self.notify(Notice::SessionChanged);
    }

    /// Passes the engine's status and view changes on to the window until shutdown.
    fn forward(&self, engine: &SyncEngine, mut shutdown: watch::Receiver<bool>) {
        let Some(notify) = self.notify.read().expect("notify lock").clone() else {
            return;
        };
        let mut status = engine.status();
        let mut changes = engine.view_changes();
        let mut news = engine.notices();
        let mut rounds = engine.rounds();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    changed = status.changed() => {
                        if changed.is_err() { return; }
                        let current = status.borrow_and_update().clone();
                        notify(Notice::Status(current));
                    }
                    change = changes.recv() => match change {
                        Ok(views) => notify(Notice::DataChanged(views)),
                        // Some changes were missed: everything is re-read.
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => notify(Notice::SessionChanged),
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    },
                    notices = news.recv() => match notices {
                        Ok(notices) => notify(Notice::News(notices)),
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    },
                    round = rounds.recv() => match round {
                        Ok(round) if round.reached_server() => notify(Notice::RoundReachedServer),
                        Ok(_) => {}
                        // Rounds were missed (16 of them): the link as it is now says.
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            if status.borrow().connectivity == Connectivity::Online {
                                notify(Notice::RoundReachedServer);
                            }
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    },
                    _ = shutdown.changed() => return,
                }
            }
        });
    }
}

/// The app's data folder: `DTASKS_APP_DIR` when set (tests, portable use), else the
/// platform's (e.g. `~/.local/share/ai.deepen.tasks`).
pub fn data_dir(platform_default: Option<PathBuf>) -> Result<PathBuf, ShellError> {
    match std::env::var_os("DTASKS_APP_DIR") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => platform_default.ok_or_else(|| {
            ShellError::new(
                ErrorKind::Storage,
                "This system has no folder for application data.",
            )
        }),
    }
}
