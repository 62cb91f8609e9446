//! The sync engine: pushes the outbox and pulls the mirror, keeping the invariants of
//! `docs/sync-design.md`. One round at a time per workspace, across processes (a lock
//! file), so the CLI and the desktop app can share a workspace. It publishes a status
//! stream and, after each round, the views it changed; it never calls up into a UI.

mod backoff;
mod decide;
mod pull;
mod push;
pub mod refresh;
mod status;

use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{Notify, broadcast, watch};

use crate::account::Account;
use crate::changes::ViewChange;
use crate::client::{ApiClient, ApiError, ErrorClass};
use crate::clock::now_millis;
use crate::db::DbError;
use crate::notices::{self, Notice};
use crate::store::Store;

pub use backoff::{Backoff, MAX_ATTEMPTS};
pub use pull::{DatasetFailure, DatasetPulled, Progress, PullEvent, PullReport};
pub use push::{ASSIGN_BATCH, PushReport, REFUSED_409_LIMIT};
pub use refresh::{Demand, Shown};
pub use status::{Connectivity, SyncStatus};

/// The status as last recorded in a workspace's outbox, with current queue counts.
pub fn load_status(outbox: &crate::outbox::Outbox) -> Result<SyncStatus, DbError> {
    status::load(outbox)
}

/// Records connectivity from outside a round (a successful `connect` clears "sign in again").
pub fn record_status(
    outbox: &crate::outbox::Outbox,
    connectivity: Connectivity,
    error: Option<&str>,
) -> Result<(), DbError> {
    status::record(outbox, connectivity, error, None)
}

const LOCK_FILE: &str = "sync.lock";
/// Done actions are kept this long (front ends list them as history), then forgotten.
const KEEP_DONE: Duration = Duration::from_secs(7 * 24 * 3600);

/// A failure of a sync round.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The server failed or refused.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A local database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Another process holds the workspace's sync lock.
    #[error("another sync of this workspace is running (lock {0})")]
    Busy(PathBuf),
    /// The lock file could not be made or taken.
    #[error("cannot use the sync lock {path}: {source}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A pull's worker thread failed (a bug).
    #[error("a pull's worker thread failed: {0}")]
    Worker(String),
}

/// How much a round does. On a metered connection "everything" is my tasks and what a
/// view shows (see `refresh`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Push the queue only (after a local action).
    Push,
    /// Push, then pull what is due (the background loop's timer).
    Routine,
    /// Push, then pull everything ("Sync now", `dtasks sync`).
    Full,
    /// Pull everything, push nothing (`dtasks pull`).
    Pull,
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoundReport {
    /// What the push did.
    pub push: PushReport,
    /// What the pull did, when there was one and it ended.
    pub pull: Option<PullReport>,
    /// Why the pull failed, when it did.
    pub pull_error: Option<String>,
    /// The views the round changed.
    pub changes: Vec<ViewChange>,
    /// The news the round brought (see `crate::notices`), of the kinds the user wants.
    pub notices: Vec<Notice>,
}

/// A round ended, and how its requests found the link. Unlike the status (a `watch`,
/// which keeps only the latest value), every round is told: a listener that must act
/// after a round reached the server cannot miss one between two looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundEnded {
    /// The link as the round's requests judged it.
    pub connectivity: Connectivity,
}

impl RoundEnded {
    /// Whether the round's requests reached the server.
    pub fn reached_server(self) -> bool {
        self.connectivity == Connectivity::Online
    }
}

/// Tunables of the background loop.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// A round that pulls what is due this often while online (my tasks, the datasets a
    /// view shows, the others when their schedule says so).
    pub pull_every: Duration,
    /// First wait before probing again while offline; doubles up to `probe_max`.
    pub probe_min: Duration,
    /// The longest wait between probes while offline.
    pub probe_max: Duration,
    /// Actions enqueued within this window go out in one round.
    pub debounce: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            pull_every: Duration::from_secs(120),
            probe_min: Duration::from_secs(2),
            probe_max: Duration::from_secs(60),
            debounce: Duration::from_millis(250),
        }
    }
}

/// The sync engine of one workspace and account.
#[derive(Clone)]
pub struct SyncEngine {
    store: Arc<Store>,
    client: ApiClient,
    account: Account,
    status: watch::Sender<SyncStatus>,
    changed: broadcast::Sender<Vec<ViewChange>>,
    notices: broadcast::Sender<Vec<Notice>>,
    rounds: broadcast::Sender<RoundEnded>,
    nudge: Arc<Notify>,
    /// The widest round asked for since the last one (a `Scope` as `u8`; 0: none).
    requested: Arc<AtomicU8>,
    /// What the window shows now.
    shown: Arc<Mutex<Shown>>,
    /// When this process last pulled the delayed list.
    delayed_pulled: Arc<Mutex<Option<std::time::Instant>>>,
    /// Whether the connection is metered (pull only my tasks and what a view shows).
    metered: Arc<AtomicBool>,
    backoff: Backoff,
}

impl SyncEngine {
    /// An engine over `store`, speaking to the server through `client` as `account`.
    pub fn new(
        store: Arc<Store>,
        client: ApiClient,
        account: Account,
    ) -> Result<Self, EngineError> {
        let initial = status::load(&store.outbox())?;
        let (status, _) = watch::channel(initial);
        let (changed, _) = broadcast::channel(16);
        let (notices, _) = broadcast::channel(16);
        let (rounds, _) = broadcast::channel(16);
        Ok(Self {
            store,
            client,
            account,
            status,
            changed,
            notices,
            rounds,
            nudge: Arc::new(Notify::new()),
            requested: Arc::new(AtomicU8::new(0)),
            shown: Arc::default(),
            delayed_pulled: Arc::default(),
            metered: Arc::new(AtomicBool::new(false)),
            backoff: Backoff::default(),
        })
    }

    /// Retry waits other than the default (tests and simulations shorten them).
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The status stream (the UI renders it as is).
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    /// After each round that changed anything: the views it changed. Re-query those;
    /// don't poll.
    pub fn view_changes(&self) -> broadcast::Receiver<Vec<ViewChange>> {
        self.changed.subscribe()
    }

    /// After each round that brought news: the notices (see `crate::notices`).
    pub fn notices(&self) -> broadcast::Receiver<Vec<Notice>> {
        self.notices.subscribe()
    }

    /// After each round: how its requests found the link.
    pub fn rounds(&self) -> broadcast::Receiver<RoundEnded> {
        self.rounds.subscribe()
    }

    /// Asks the background loop for a round soon (a new action was queued): a push.
    pub fn nudge(&self) {
        self.request(Scope::Push);
    }

    /// Asks the background loop for a full round soon, push and pull ("Sync now").
    pub fn sync_soon(&self) {
        self.request(Scope::Full);
    }

    /// The system says the network is up (again): while offline, or mid-round (which may
    /// fail just before the network came back), a round now rather than at the next
    /// offline probe (up to `probe_max` away). A hint only: connectivity is still judged
    /// from the round's real requests; when online and idle, or waiting for a new
    /// sign-in, nothing is asked.
    pub fn network_up(&self) {
        let (connectivity, syncing) = {
            let s = self.status.borrow();
            (s.connectivity, s.syncing)
        };
        if connectivity == Connectivity::Offline || syncing {
            self.request(Scope::Routine);
        }
    }

    fn request(&self, scope: Scope) {
        self.requested
            .fetch_max(scope_code(scope), Ordering::SeqCst);
        self.nudge.notify_one();
    }

    /// What the window shows now: pulled every round while shown. Something newly shown
    /// is pulled soon.
    pub fn set_shown(&self, shown: Shown) {
        let newly_shown = {
            let mut current = self.shown.lock().unwrap_or_else(PoisonError::into_inner);
            let newly_shown = (shown.delayed && !current.delayed)
                || shown
                    .dataset_ids
                    .iter()
                    .any(|id| !current.dataset_ids.contains(id));
            *current = shown;
            newly_shown
        };
        if newly_shown {
            self.request(Scope::Routine);
        }
    }

    /// Whether the connection is metered: rounds then pull only my tasks and what a view
    /// shows, even on "Sync now". A change is published with the status (with the queue's
    /// counts of now).
    pub fn set_metered(&self, metered: bool) {
        if self.metered.swap(metered, Ordering::SeqCst) == metered {
            return;
        }
        self.republish(|s| s.metered = metered);
    }

    /// The queue changed outside a round (a local action): the status is published again
    /// with its counts of now, through the one channel the rounds publish on — so a
    /// listener never gets an older "a round runs" after a round's end.
    pub fn publish_counts(&self) {
        self.republish(|_| {});
    }

    /// Publishes the status again with the queue's counts of now, the link's state and
    /// whether a round runs kept as they are, then `change` applied.
    fn republish(&self, change: impl FnOnce(&mut SyncStatus)) {
        // The outbox stays locked until published, as in `publish`: a round publishing in
        // between cannot be overwritten with older counts.
        let outbox = self.store.outbox();
        let counts = status::load(&outbox);
        self.status.send_modify(|s| {
            if let Ok(now) = counts {
                *s = SyncStatus {
                    connectivity: s.connectivity,
                    syncing: s.syncing,
                    metered: s.metered,
                    ..now
                };
            }
            change(s);
        });
        drop(outbox);
    }

    /// What a round of `scope` pulls.
    fn demand(&self, scope: Scope) -> Demand {
        let shown = self
            .shown
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let delayed_pulled = *self
            .delayed_pulled
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Demand {
            everything: matches!(scope, Scope::Full | Scope::Pull),
            metered: self.metered.load(Ordering::SeqCst),
            watched: shown.dataset_ids.into_iter().collect(),
            delayed_shown: shown.delayed,
            delayed_pulled_ago: delayed_pulled.map(|at| at.elapsed()),
        }
    }

    /// Notes that the delayed list was just pulled.
    fn delayed_pulled_now(&self) {
        *self
            .delayed_pulled
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(std::time::Instant::now());
    }

    fn announce(&self, changes: Vec<ViewChange>) {
        if !changes.is_empty() {
            let _ = self.changed.send(changes);
        }
    }

    /// A round starts: the status says so, with the queue's counts of now; the link's
    /// state and last error stay as last judged (an offline probe is still offline).
    fn publish_round_started(&self) -> Result<(), EngineError> {
        let outbox = self.store.outbox();
        let current = status::load(&outbox)?;
        self.status.send_replace(SyncStatus {
            syncing: true,
            metered: self.metered.load(Ordering::SeqCst),
            ..current
        });
        Ok(())
    }

    /// A round ended: the link's state as its requests found it, recorded and published.
    fn publish(
        &self,
        connectivity: Connectivity,
        error: Option<&str>,
        synced: bool,
    ) -> Result<(), EngineError> {
        let outbox = self.store.outbox();
        let recorded = status::record(&outbox, connectivity, error, synced.then(now_millis))
            .and_then(|()| status::load(&outbox));
        match recorded {
            Ok(current) => {
                self.status.send_replace(SyncStatus {
                    connectivity,
                    metered: self.metered.load(Ordering::SeqCst),
                    ..current
                });
                Ok(())
            }
            // Not kept (a full disk): the window still learns the round ended, and how.
            Err(e) => {
                self.status.send_modify(|s| {
                    s.connectivity = connectivity;
                    s.syncing = false;
                });
                Err(e.into())
            }
        }
    }

    /// One round: push what is due, then (for `Scope::Full`) pull everything. Holds the
    /// workspace's sync lock throughout; `Busy` if another process holds it.
    pub async fn sync_once(
        &self,
        scope: Scope,
        progress: Option<Progress>,
    ) -> Result<RoundReport, EngineError> {
        let _lock = self.lock().await?;
        // An action left in flight by a process that died may have been applied.
        let recovered = self.store.outbox().recover_in_flight()?;
        if recovered > 0 {
            tracing::info!(
                recovered,
                "actions left in flight by an earlier run will be checked against the server"
            );
        }
        self.publish_round_started()?;
        let result = self.round(scope, progress).await;
        let (connectivity, error, synced) = match &result {
            Ok(r) if r.push.sign_in_needed => {
                (Connectivity::NeedsSignIn, r.push.last_error.clone(), false)
            }
            Ok(r) if r.push.unreachable => {
                (Connectivity::Offline, r.push.last_error.clone(), false)
            }
            // Datasets that could not be refreshed are said, but the rest was: synced.
            Ok(r) => (
                Connectivity::Online,
                r.pull_error
                    .clone()
                    .or_else(|| r.pull.as_ref().and_then(PullReport::failure_summary)),
                r.pull_error.is_none(),
            ),
            Err(EngineError::Api(e)) if e.class() == ErrorClass::SignIn => {
                (Connectivity::NeedsSignIn, Some(e.to_string()), false)
            }
            Err(EngineError::Api(e)) if e.is_transport() => {
                (Connectivity::Offline, Some(e.to_string()), false)
            }
            Err(e) => (Connectivity::Online, Some(e.to_string()), false),
        };
        let published = self.publish(connectivity, error.as_deref(), synced);
        let _ = self.rounds.send(RoundEnded { connectivity });
        published?;
        self.store
            .outbox()
            .prune_done(now_millis() - KEEP_DONE.as_millis() as i64)?;
        self.store.mirror().prune_activity(now_millis())?;
        // Due times pass offline too: news is gathered after every round.
        let notices = self.collect_notices()?;
        // The push and the pull announced their changes as they made them; the report
        // gathers them (the status is published on its own channel).
        let mut result = result;
        if let Ok(report) = &mut result {
            let mut changes = report.push.changes.clone();
            if let Some(pull) = &report.pull {
                changes.merge(pull.changes.clone());
            }
            changes.add(ViewChange::Status);
            report.changes = changes.into_vec();
            report.notices = notices;
        }
        result
    }

    /// The news since the last round, of the kinds the user wants; told to listeners.
    fn collect_notices(&self) -> Result<Vec<Notice>, EngineError> {
        let wanted = crate::preferences::Preferences::load(self.store.dir()).notify;
        let me = &self.account.email;
        let gathered = notices::gather(&self.store.mirror(), me, &wanted, now_millis())?;
        // The outbox is read only for the tasks in the news (and not at all without any).
        let to_check = gathered.tasks_to_check();
        let own = if to_check.is_empty() {
            Vec::new()
        } else {
            self.store.outbox().of_tasks(&to_check)?
        };
        let notices = gathered.finish(&self.store.mirror(), &own, me)?;
        if !notices.is_empty() {
            let _ = self.notices.send(notices.clone());
        }
        Ok(notices)
    }

    async fn round(
        &self,
        scope: Scope,
        progress: Option<Progress>,
    ) -> Result<RoundReport, EngineError> {
        let push = if scope == Scope::Pull {
            PushReport::default()
        } else {
            self.push().await?
        };
        let mut report = RoundReport {
            push,
            ..RoundReport::default()
        };
        if scope != Scope::Push && !report.push.unreachable && !report.push.sign_in_needed {
            match self.pull_all(&self.demand(scope), progress).await {
                Ok(pull) => report.pull = Some(pull),
                Err(EngineError::Api(e)) if e.is_transport() || e.class() == ErrorClass::SignIn => {
                    return Err(e.into());
                }
                // A bad answer to a pull leaves the mirror as it was; the push still counts.
                Err(EngineError::Api(e)) => report.pull_error = Some(e.to_string()),
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    async fn lock(&self) -> Result<File, EngineError> {
        let path = self.store.dir().join(LOCK_FILE);
        let file = crate::private::open_file(&path).map_err(|source| EngineError::Lock {
            path: path.clone(),
            source,
        })?;
        // Wait a little for a round of another process to end; never forever.
        for _ in 0..100 {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(std::fs::TryLockError::Error(source)) => {
                    return Err(EngineError::Lock { path, source });
                }
            }
        }
        Err(EngineError::Busy(path))
    }

    /// The background loop of the desktop app: a round at start, after every nudge
    /// (debounced), when a backed-off action falls due, on a timer, and — while offline —
    /// a probe with growing waits. A round pulls what is due (see `refresh`); "Sync now"
    /// pulls everything. Every failed round schedules the next. Ends when `shutdown`
    /// becomes true.
    pub async fn run(self, schedule: Schedule, mut shutdown: watch::Receiver<bool>) {
        let mut probe = schedule.probe_min;
        let mut last_pull: Option<tokio::time::Instant> = None;
        let mut offline = false;
        loop {
            if *shutdown.borrow() {
                return;
            }
            // A pull at start, on reconnect and every `pull_every`; otherwise what was
            // asked (a push after a nudge, a pull when a dataset comes on screen, all on
            // "Sync now").
            let asked = scope_of(self.requested.swap(0, Ordering::SeqCst));
            let pull_due = offline || last_pull.is_none_or(|t| t.elapsed() >= schedule.pull_every);
            let scope = match asked {
                Some(scope) if scope > Scope::Routine || !pull_due => scope,
                _ if pull_due => Scope::Routine,
                _ => Scope::Push,
            };
            let result = self.sync_once(scope, None).await;
            offline = match &result {
                Ok(r) => r.push.unreachable,
                Err(EngineError::Api(e)) => e.is_transport(),
                Err(_) => false,
            };
            let wait = match result {
                _ if offline => {
                    probe = (probe * 2).min(schedule.probe_max);
                    probe
                }
                Ok(r) if r.push.sign_in_needed => schedule.pull_every,
                Ok(r) => {
                    probe = schedule.probe_min;
                    if r.pull.is_some() {
                        last_pull = Some(tokio::time::Instant::now());
                    }
                    let next_pull = last_pull.map_or(Duration::ZERO, |t| {
                        schedule.pull_every.saturating_sub(t.elapsed())
                    });
                    self.until_next_due(next_pull)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sync round failed");
                    probe = (probe * 2).min(schedule.probe_max);
                    probe
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.nudge.notified() => tokio::time::sleep(schedule.debounce).await,
                _ = shutdown.changed() => {}
            }
        }
    }

    fn until_next_due(&self, cap: Duration) -> Duration {
        let next = self.store.outbox().next_due_at().ok().flatten();
        match next {
            Some(at) => Duration::from_millis((at - now_millis()).max(0) as u64).min(cap),
            None => cap,
        }
    }
}

/// Scopes by how much they do, for the loop's "widest round asked" (`0`: none).
const SCOPES: [Scope; 4] = [Scope::Push, Scope::Routine, Scope::Full, Scope::Pull];

fn scope_code(scope: Scope) -> u8 {
    SCOPES
        .iter()
        .position(|s| *s == scope)
        .map_or(0, |i| i as u8 + 1)
}

fn scope_of(code: u8) -> Option<Scope> {
    SCOPES.get(usize::from(code).checked_sub(1)?).copied()
}
