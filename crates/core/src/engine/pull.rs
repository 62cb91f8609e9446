//! Pulls: refresh the mirror from the server. A dataset's task list is streamed from the
//! socket into one mirror transaction on a blocking thread, never held whole; a broken or
//! malformed answer rolls back and leaves the mirror as it was. Pulls never touch the
//! outbox.

use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;
use tokio_util::io::SyncIoBridge;

use super::{EngineError, SyncEngine};
use crate::changes::{Changes, ViewChange};
use crate::client::{ApiError, ErrorClass};
use crate::mirror::PullCounts;
use crate::wire::{self, StreamError};

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
    /// Tasks assigned to this user.
    pub my_tasks: usize,
    /// Tasks the server reports late.
    pub delayed: usize,
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
    /// Refreshes everything this account mirrors: datasets, their tasks, my tasks, delayed.
    /// A dataset that cannot be refreshed (a 500, a 404, a 429, a malformed list) keeps its
    /// tasks as they were, is marked with why, and the rest goes on; only a network that is
    /// gone, a refused token or a local failure stops the pull.
    pub async fn pull_all(&self, progress: Option<Progress>) -> Result<PullReport, EngineError> {
        let mut report = PullReport::default();
        let mut fresh = HashSet::new();
        match self.client.datasets().await {
            Ok(list) => {
                self.pull_datasets(&list, &progress, &mut report, &mut fresh)
                    .await?;
            }
            // A user who may not list datasets still gets their own tasks below.
            Err(e) if e.status() == Some(403) => {}
            Err(e) => return Err(e.into()),
        }
        let mine = self.pull_my_tasks(&fresh).await?;
        report.my_tasks = mine.1;
        self.announce_and_keep(&mut report.changes, mine.0);
        match self.client.delayed_tasks().await {
            Ok(delayed) => {
                report.delayed = delayed.len();
                self.store.mirror().replace_delayed(&delayed)?;
                self.announce_and_keep(&mut report.changes, ViewChange::Delayed.into());
            }
            Err(e) if matches!(e.status(), Some(403)) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(report)
    }

    /// The listed datasets into the mirror, then each one's details and tasks; `fresh`
    /// gets the datasets whose whole task list was pulled.
    async fn pull_datasets(
        &self,
        list: &[wire::DatasetSummary],
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
        // Datasets gone from the list take their tasks with them.
        let listed: HashSet<&str> = list.iter().map(|d| d.dataset_id.as_str()).collect();
        let before = self.store.mirror_reader().dataset_ids()?;
        self.store.mirror().replace_datasets(list)?;
        let mut gone = Changes::from(ViewChange::Datasets);
        for id in before.iter().filter(|id| !listed.contains(id.as_str())) {
            gone.whole_dataset(id);
        }
        self.announce_and_keep(&mut report.changes, gone);
        for summary in list {
            let id = &summary.dataset_id;
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
            match self.pull_one_dataset(id, progress.clone()).await {
                Ok(Some(counts)) => {
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
                }
                // Not everyone may list a whole dataset: their own tasks come after.
                Ok(None) => emit(PullEvent::DatasetSkipped {
                    dataset_id: id.clone(),
                    reason: "not allowed to list its tasks".to_string(),
                }),
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
                }
            }
        }
        Ok(())
    }

    /// One dataset's details and whole task list; `None` when the user may not list its
    /// tasks (403).
    async fn pull_one_dataset(
        &self,
        id: &str,
        progress: Option<Progress>,
    ) -> Result<Option<PullCounts>, EngineError> {
        match self.client.dataset(id).await {
            Ok(dataset) => self.store.mirror().save_dataset(&dataset)?,
            Err(e) if matches!(e.status(), Some(403 | 404)) => {}
            Err(e) => return Err(e.into()),
        }
        match self.pull_dataset(id, progress).await {
            Ok(counts) => Ok(Some(counts)),
            Err(EngineError::Api(e)) if e.status() == Some(403) => {
                self.store.mirror().set_tasks_listable(id, false)?;
                Ok(None)
            }
            Err(e) => Err(e),
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

    /// Endpoint 5 into the mirror; `fresh` are the datasets whose full list was just
    /// pulled. Gives the views it changed (the other datasets of my tasks) and how many
    /// tasks are mine.
    pub(crate) async fn pull_my_tasks(
        &self,
        fresh: &HashSet<String>,
    ) -> Result<(Changes, usize), EngineError> {
        let mine = self.client.user_tasks(&self.account.email).await?;
        self.store
            .mirror()
            .replace_user_tasks(&self.account.email, &mine, fresh)?;
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
        Ok((changes, mine.len()))
    }

    /// Replaces one dataset's tasks in the mirror from the server's list.
    pub async fn pull_dataset(
        &self,
        dataset_id: &str,
        progress: Option<Progress>,
    ) -> Result<PullCounts, EngineError> {
        let body = self.client.dataset_tasks_stream(dataset_id).await?;
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
                Ok(_) => Ok(pull.finish()?),
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
        Ok(counts)
    }
}
