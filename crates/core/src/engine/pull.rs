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
use crate::client::ApiError;
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
    /// The views the pull changed.
    #[serde(skip)]
    pub changes: Changes,
}

impl SyncEngine {
    /// Refreshes everything this account mirrors: datasets, their tasks, my tasks, delayed.
    pub async fn pull_all(&self, progress: Option<Progress>) -> Result<PullReport, EngineError> {
        let emit = |e: PullEvent| {
            if let Some(p) = &progress {
                p(e);
            }
        };
        let mut report = PullReport::default();
        let list = self.client.datasets().await?;
        emit(PullEvent::Datasets { count: list.len() });
        // Datasets gone from the list take their tasks with them.
        let listed: HashSet<&str> = list.iter().map(|d| d.dataset_id.as_str()).collect();
        let before = self.store.mirror_reader().datasets()?;
        self.store.mirror().replace_datasets(&list)?;
        let mut gone = Changes::from(ViewChange::Datasets);
        for dataset in before
            .iter()
            .filter(|d| !listed.contains(d.dataset_id.as_str()))
        {
            gone.whole_dataset(&dataset.dataset_id);
        }
        self.announce_and_keep(&mut report.changes, gone);
        let mut fresh = HashSet::new();
        for summary in &list {
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
            match self.client.dataset(id).await {
                Ok(dataset) => self.store.mirror().save_dataset(&dataset)?,
                Err(e) if matches!(e.status(), Some(403 | 404)) => {}
                Err(e) => return Err(e.into()),
            }
            match self.pull_dataset(id, progress.clone()).await {
                Ok(counts) => {
                    // Told at once: a later failure of the pull must not hide this one.
                    if counts.written + counts.removed > 0 {
                        let mut written = Changes::none();
                        written.whole_dataset(id);
                        self.announce_and_keep(&mut report.changes, written);
                    }
                    report.tasks_seen += counts.seen;
                    report.rows_written += counts.written;
                    report.rows_removed += counts.removed;
                    fresh.insert(id.clone());
                    emit(PullEvent::DatasetDone {
                        dataset_id: id.clone(),
                        counts,
                    });
                }
                // Not everyone may list a whole dataset: their own tasks come below.
                Err(EngineError::Api(e)) if matches!(e.status(), Some(403)) => {
                    self.store.mirror().set_tasks_listable(id, false)?;
                    emit(PullEvent::DatasetSkipped {
                        dataset_id: id.clone(),
                        reason: e.to_string(),
                    });
                }
                Err(e) => return Err(e),
            }
        }
        report.datasets = list.len();
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
        let datasets = self.store.mirror_reader().datasets()?;
        for dataset in datasets.iter().filter(|d| !fresh.contains(&d.dataset_id)) {
            changes.whole_dataset(&dataset.dataset_id);
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
            let streamed = wire::stream_dataset_tasks(bridge, |task| {
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
