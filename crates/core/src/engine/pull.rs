//! Pulls: refresh the mirror from the server. A dataset's task list is streamed from the
//! socket into one mirror transaction on a blocking thread, never held whole; a broken or
//! malformed answer rolls back and leaves the mirror as it was. Pulls never touch the
//! outbox.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use tokio_util::io::SyncIoBridge;

use super::refresh::{self, Demand, Outcome};
use super::{EngineError, SyncEngine};
use crate::changes::{Changes, ViewChange};
use crate::client::{ApiError, ErrorClass, Fetched};
use crate::clock::now_millis;
use crate::mirror::{DatasetSchedule, PullCounts};
use crate::wire::{self, StreamError};

/// The mirror's key for the validators of the dataset list (endpoint 9).
const RESOURCE_DATASETS: &str = "datasets_ids";
/// The mirror's key for the validators of the delayed list (endpoint 6).
const RESOURCE_DELAYED: &str = "delayed_tasks";

/// What pulling one dataset's task list did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetPulled {
    /// The list was read and stored.
    Written(PullCounts),
    /// The server said the mirror's copy is current (304).
    Unchanged,
    /// The user may not list its tasks (403).
    NotListable,
}

impl DatasetPulled {
    /// Whether the mirror's rows changed.
    pub fn changed_rows(&self) -> bool {
        matches!(self, Self::Written(c) if c.written + c.removed > 0)
    }
}

/// Progress of a pull, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullEvent {
    /// The list of datasets arrived.
    Datasets {
        /// How many.
        count: usize,
    },
    /// A dataset's pull began.
    DatasetStarted {
        /// Which.
        dataset_id: String,
        /// Its name, when known.
        name: Option<String>,
    },
    /// Tasks of a dataset streamed so far.
    Tasks {
        /// Which dataset.
        dataset_id: String,
        /// Tasks read so far.
        seen: u64,
    },
    /// A dataset's pull ended.
    DatasetDone {
        /// Which.
        dataset_id: String,
        /// What it did to the mirror.
        counts: PullCounts,
    },
    /// A dataset the server says did not change since the mirror's copy (304).
    DatasetUnchanged {
        /// Which.
        dataset_id: String,
    },
    /// A dataset that could not be refreshed: its tasks stay as they were.
    DatasetFailed {
        /// Which.
        dataset_id: String,
        /// Why, as a technical note.
        error: String,
    },
    /// A dataset this user may not list (403): their own tasks come through `user_tasks`.
    DatasetSkipped {
        /// Which.
        dataset_id: String,
        /// The server's refusal, as a technical note.
        reason: String,
    },
}

/// Where a pull reports its progress.
pub type Progress = Arc<dyn Fn(PullEvent) + Send + Sync>;

/// What a full pull did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PullReport {
    /// Datasets listed.
    pub datasets: usize,
    /// Tasks read.
    pub tasks_seen: u64,
    /// Mirror rows written (new or changed tasks).
    pub rows_written: u64,
    /// Mirror rows removed (tasks gone from the server).
    pub rows_removed: u64,
    /// Datasets the server said did not change since the mirror's copy (304).
    pub unchanged: usize,
    /// Tasks assigned to this user; `None` when the server said they did not change.
    pub my_tasks: Option<usize>,
    /// Tasks the server reports late; `None` when the list was not pulled (not due) or
    /// the server said it did not change.
    pub delayed: Option<usize>,
    /// Datasets that could not be refreshed (kept as they were; tried again next pull).
    pub failed: Vec<DatasetFailure>,
    /// The views the pull changed.
    #[serde(skip)]
    pub changes: Changes,
}

/// A dataset a pull could not refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetFailure {
    /// Which.
    pub dataset_id: String,
    /// Why, as a technical note.
    pub error: String,
}

impl PullReport {
    /// The failures in one line, when there were any.
    pub fn failure_summary(&self) -> Option<String> {
        let first = self.failed.first()?;
        Some(match self.failed.len() {
            1 => format!(
                "could not refresh dataset {}: {}",
                first.dataset_id, first.error
            ),
            n => format!(
                "could not refresh {n} datasets ({} and others): {}",
                first.dataset_id, first.error
            ),
        })
    }
}

/// Whether a failure while pulling one dataset stops the whole pull: the network is gone,
/// the token was refused, or the local side failed. Anything else is that dataset's.
fn stops_the_pull(e: &EngineError) -> bool {
    match e {
        EngineError::Api(api) => api.is_transport() || api.class() == ErrorClass::SignIn,
        _ => true,
    }
}

impl SyncEngine {
    /// Refreshes this account's mirror: the dataset list, the datasets `demand` wants whole
    /// (see `refresh`), my tasks and the delayed ones, each asked for only if it changed
    /// since the mirror's copy. A dataset that cannot be refreshed (a 500, a 404, a 429, a
    /// malformed list) keeps its tasks as they were, is marked with why and when it is
    /// tried next, and the rest goes on; only a network that is gone, a refused token or a
    /// local failure stops the pull.
    pub async fn pull_all(
        &self,
        demand: &Demand,
        progress: Option<Progress>,
    ) -> Result<PullReport, EngineError> {
        let mut report = PullReport::default();
        let mut fresh = HashSet::new();
        let since = self.store.mirror_reader().validators(RESOURCE_DATASETS)?;
        match self.client.datasets(&since).await {
            Ok(Fetched::Changed(list, validators)) => {
                self.replace_dataset_list(&list, &mut report)?;
                self.store
                    .mirror()
                    .set_validators(RESOURCE_DATASETS, None, &validators)?;
                self.pull_datasets(&list, demand, &progress, &mut report, &mut fresh)
                    .await?;
            }
            Ok(Fetched::Unchanged) => {
                let list = self.store.mirror_reader().dataset_summaries()?;
                self.pull_datasets(&list, demand, &progress, &mut report, &mut fresh)
                    .await?;
            }
            // A user who may not list datasets still gets their own tasks below.
            Err(e) if e.status() == Some(403) => {}
            Err(e) => return Err(e.into()),
        }
        if let Some((changes, mine)) = self.pull_my_tasks(&fresh).await? {
            report.my_tasks = Some(mine);
            self.announce_and_keep(&mut report.changes, changes);
        }
        if demand.wants_delayed() {
            self.pull_delayed(&mut report).await?;
        }
        // The first pull is in: from now on a task that appears assigned is news.
        self.store.mirror().start_activity()?;
        Ok(report)
    }

    /// Endpoint 6 into the mirror, unless unchanged.
    async fn pull_delayed(&self, report: &mut PullReport) -> Result<(), EngineError> {
        let since = self.store.mirror_reader().validators(RESOURCE_DELAYED)?;
        match self.client.delayed_tasks(&since).await {
            Ok(Fetched::Changed(delayed, validators)) => {
                report.delayed = Some(delayed.len());
                let mut mirror = self.store.mirror();
                mirror.replace_delayed(&delayed)?;
                mirror.set_validators(RESOURCE_DELAYED, None, &validators)?;
                self.announce_and_keep(&mut report.changes, ViewChange::Delayed.into());
            }
            Ok(Fetched::Unchanged) => {}
            Err(e) if matches!(e.status(), Some(403)) => {}
            Err(e) => return Err(e.into()),
        }
        self.delayed_pulled_now();
        Ok(())
    }

    /// The listed datasets into the mirror; those gone from the list take their tasks
    /// (and validators) with them.
    fn replace_dataset_list(
        &self,
        list: &[wire::DatasetSummary],
        report: &mut PullReport,
    ) -> Result<(), EngineError> {
        let listed: HashSet<&str> = list.iter().map(|d| d.dataset_id.as_str()).collect();
        let before = self.store.mirror_reader().dataset_ids()?;
        self.store.mirror().replace_datasets(list)?;
        let mut gone = Changes::from(ViewChange::Datasets);
        for id in before.iter().filter(|id| !listed.contains(id.as_str())) {
            gone.whole_dataset(id);
        }
        self.announce_and_keep(&mut report.changes, gone);
        Ok(())
    }

    /// Each listed dataset `demand` wants, its details and tasks; `fresh` gets the datasets
    /// whose whole task list is now current.
    async fn pull_datasets(
        &self,
        list: &[wire::DatasetSummary],
        demand: &Demand,
        progress: &Option<Progress>,
        report: &mut PullReport,
        fresh: &mut HashSet<String>,
    ) -> Result<(), EngineError> {
        let emit = |e: PullEvent| {
            if let Some(p) = progress {
                p(e);
            }
        };
        emit(PullEvent::Datasets { count: list.len() });
        report.datasets = list.len();
        let schedules: HashMap<String, DatasetSchedule> = self
            .store
            .mirror_reader()
            .dataset_schedules()?
            .into_iter()
            .map(|s| (s.dataset_id.clone(), s))
            .collect();
        let now = now_millis();
        for summary in list {
            let id = &summary.dataset_id;
            let Some(schedule) = schedules.get(id) else {
                continue;
            };
            if !demand.wants(schedule, now) {
                continue;
            }
            if !wire::is_safe_id(id) {
                // It would name another endpoint: listed, never requested.
                emit(PullEvent::DatasetSkipped {
                    dataset_id: id.clone(),
                    reason: "its id cannot be sent to the server".to_string(),
                });
                continue;
            }
            emit(PullEvent::DatasetStarted {
                dataset_id: id.clone(),
                name: summary.dataset_name.clone(),
            });
            let result = self.pull_one_dataset(id, progress.clone()).await;
            let outcome = match result {
                Ok(DatasetPulled::Written(counts)) => {
                    // Told at once: a later failure of the pull must not hide this one.
                    let mut written = Changes::from(ViewChange::Datasets);
                    if counts.written + counts.removed > 0 {
                        written.whole_dataset(id);
                    }
                    self.announce_and_keep(&mut report.changes, written);
                    report.tasks_seen += counts.seen;
                    report.rows_written += counts.written;
                    report.rows_removed += counts.removed;
                    fresh.insert(id.clone());
                    emit(PullEvent::DatasetDone {
                        dataset_id: id.clone(),
                        counts,
                    });
                    if counts.written + counts.removed > 0 {
                        Outcome::Changed
                    } else {
                        Outcome::Unchanged
                    }
                }
                Ok(DatasetPulled::Unchanged) => {
                    self.announce_and_keep(&mut report.changes, ViewChange::Datasets.into());
                    report.unchanged += 1;
                    fresh.insert(id.clone());
                    emit(PullEvent::DatasetUnchanged {
                        dataset_id: id.clone(),
                    });
                    Outcome::Unchanged
                }
                // Not everyone may list a whole dataset: their own tasks come after.
                Ok(DatasetPulled::NotListable) => {
                    emit(PullEvent::DatasetSkipped {
                        dataset_id: id.clone(),
                        reason: "not allowed to list its tasks".to_string(),
                    });
                    Outcome::Unchanged
                }
                Err(e) if stops_the_pull(&e) => return Err(e),
                Err(e) => {
                    let error = e.to_string();
                    tracing::warn!(dataset_id = %id, %error, "could not refresh a dataset");
                    self.store.mirror().set_pull_failed(id, &error)?;
                    self.announce_and_keep(&mut report.changes, ViewChange::Datasets.into());
                    emit(PullEvent::DatasetFailed {
                        dataset_id: id.clone(),
                        error: error.clone(),
                    });
                    report.failed.push(DatasetFailure {
                        dataset_id: id.clone(),
                        error,
                    });
                    let retry_after = match &e {
                        EngineError::Api(ApiError::Status { retry_after, .. }) => *retry_after,
                        _ => None,
                    };
                    Outcome::Failed { retry_after }
                }
            };
            let (next, quiet) = refresh::after_pull(schedule.quiet_pulls, outcome, now_millis());
            self.store
                .mirror()
                .set_dataset_schedule(id, Some(next), quiet)?;
        }
        Ok(())
    }

    /// One dataset's details and whole task list, each unless unchanged.
    async fn pull_one_dataset(
        &self,
        id: &str,
        progress: Option<Progress>,
    ) -> Result<DatasetPulled, EngineError> {
        let resource = wire::path_dataset(id);
        let since = self.store.mirror_reader().validators(&resource)?;
        match self.client.dataset(id, &since).await {
            Ok(Fetched::Changed(dataset, validators)) => {
                let mut mirror = self.store.mirror();
                mirror.save_dataset(&dataset)?;
                mirror.set_validators(&resource, Some(id), &validators)?;
            }
            Ok(Fetched::Unchanged) => {}
            Err(e) if matches!(e.status(), Some(403 | 404)) => {}
            Err(e) => return Err(e.into()),
        }
        match self.pull_dataset(id, progress).await {
            Err(EngineError::Api(e)) if e.status() == Some(403) => {
                self.store.mirror().set_tasks_listable(id, false)?;
                Ok(DatasetPulled::NotListable)
            }
            other => other,
        }
    }

    /// Tells the front ends what just changed (so a later failure of the same pull cannot
    /// hide it) and keeps it for the report.
    fn announce_and_keep(&self, report: &mut Changes, changes: Changes) {
        if !changes.is_empty() {
            self.announce(changes.clone().into_vec());
            report.merge(changes);
        }
    }

    /// Endpoint 5 into the mirror, unless unchanged; `fresh` are the datasets whose full
    /// list is current. Gives the views it changed (the other datasets of my tasks) and
    /// how many tasks are mine; a dataset that lost a task of mine (reassigned, say) falls
    /// due, to learn what became of it.
    pub(crate) async fn pull_my_tasks(
        &self,
        fresh: &HashSet<String>,
    ) -> Result<Option<(Changes, usize)>, EngineError> {
        let resource = format!(
            "{}?email={}",
            wire::path_user_tasks(self.client.client_id()),
            self.account.email
        );
        let since = self.store.mirror_reader().validators(&resource)?;
        let Some((mine, validators)) = self
            .client
            .user_tasks(&self.account.email, &since)
            .await?
            .changed()
        else {
            return Ok(None);
        };
        let mut mirror = self.store.mirror();
        let emptied = mirror.replace_user_tasks(&self.account.email, &mine, fresh)?;
        for id in &emptied {
            // Its validator no longer stands for the rows the mirror has: read it whole.
            let tasks = wire::path_dataset_tasks(id);
            mirror.set_validators(&tasks, Some(id), &wire::Validators::default())?;
            mirror.set_dataset_schedule(id, None, 0)?;
        }
        mirror.set_validators(&resource, None, &validators)?;
        drop(mirror);
        // Outside the datasets just pulled whole, my tasks were added, changed, or removed
        // (a task no longer mine): every such dataset may show them.
        let mut changes = Changes::none();
        let datasets = self.store.mirror_reader().dataset_ids()?;
        for id in datasets.iter().filter(|id| !fresh.contains(*id)) {
            changes.whole_dataset(id);
        }
        for task in mine.iter().filter(|t| !fresh.contains(&t.dataset_id)) {
            changes.whole_dataset(&task.dataset_id);
        }
        Ok(Some((changes, mine.len())))
    }

    /// Replaces one dataset's tasks in the mirror from the server's list, unless the
    /// server says the mirror's copy is current.
    pub async fn pull_dataset(
        &self,
        dataset_id: &str,
        progress: Option<Progress>,
    ) -> Result<DatasetPulled, EngineError> {
        let resource = wire::path_dataset_tasks(dataset_id);
        let since = self.store.mirror_reader().validators(&resource)?;
        let (body, validators) = match self.client.dataset_tasks_stream(dataset_id, &since).await? {
            Fetched::Unchanged => {
                self.store.mirror().set_tasks_unchanged(dataset_id)?;
                return Ok(DatasetPulled::Unchanged);
            }
            Fetched::Changed(body, validators) => (body, validators),
        };
        let store = self.store.clone();
        let id = dataset_id.to_string();
        let bridge = SyncIoBridge::new(body);
        let counts = tokio::task::spawn_blocking(move || {
            let mut mirror = store.mirror();
            let mut pull = mirror.begin_dataset_pull(&id)?;

            let mut seen = 0u64;
            let streamed = wire::stream_dataset_tasks(&id, bridge, |task| {
                if task.dataset_id != id {
                    return Err(EngineError::Api(ApiError::Malformed(format!(
                        "dataset {id}'s list holds task {} of dataset {}",
                        task.task_id, task.dataset_id
                    ))));
                }
                pull.put(&task)?;
                seen += 1;
                if seen.is_multiple_of(10_000)
                    && let Some(p) = &progress
                {
                    p(PullEvent::Tasks {
                        dataset_id: id.clone(),
                        seen,
                    });
                }
                Ok(())
            });
            match streamed {
                Ok(_) => Ok(pull.finish(&resource, &validators)?),
                Err(StreamError::Sink(e)) => Err(e),
                // A socket that broke mid-list is a network failure, not a bad answer.
                Err(StreamError::Io(e)) => Err(ApiError::NoAnswer(e.to_string()).into()),
                Err(StreamError::Malformed(e)) => {
                    Err(ApiError::Malformed(format!("task list of {id}: {e}")).into())
                }
            }
        })
        .await
        .map_err(|e| EngineError::Worker(e.to_string()))??;
        Ok(DatasetPulled::Written(counts))
    }
}
