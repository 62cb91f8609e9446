//! What refreshing by need remembers between rounds: the validators of each mirrored list
//! (so the next request can be conditional) and each dataset's schedule (when it is next
//! due while no view shows it). Validators are written only after the rows they describe
//! were committed: a crash in between costs one full download, never a missed change.

use rusqlite::{Connection, OptionalExtension, params};

use super::Mirror;
use crate::db::DbError;
use crate::wire::{DatasetSummary, Validators};

/// When a dataset is next due, and how its last pulls went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetSchedule {
    /// Which dataset.
    pub dataset_id: String,
    /// When it is next due while no view shows it (Unix ms); `None`: at once.
    pub next_pull_at: Option<i64>,
    /// Pulls in a row that found it unchanged or failed.
    pub quiet_pulls: u32,
    /// Its last pull failed.
    pub failing: bool,
}

impl Mirror {
    /// The validators of the answer `resource`'s rows came from; empty when none.
    pub fn validators(&self, resource: &str) -> Result<Validators, DbError> {
        self.conn
            .query_row(
                "SELECT etag, last_modified FROM validators WHERE resource = ?1",
                [resource],
                |r| {
                    Ok(Validators {
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                    })
                },
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.err(e))
    }

    /// Records the validators of the answer just stored for `resource` (empty ones are
    /// forgotten); those of `dataset_id`'s lists go when the dataset goes.
    pub fn set_validators(
        &self,
        resource: &str,
        dataset_id: Option<&str>,
        validators: &Validators,
    ) -> Result<(), DbError> {
        write_validators(&self.conn, resource, dataset_id, validators).map_err(|e| self.err(e))
    }

    /// Every dataset's schedule, sorted by id.
    pub fn dataset_schedules(&self) -> Result<Vec<DatasetSchedule>, DbError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT dataset_id, next_pull_at, quiet_pulls, pull_error IS NOT NULL
                 FROM datasets ORDER BY dataset_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DatasetSchedule {
                    dataset_id: r.get(0)?,
                    next_pull_at: r.get(1)?,
                    quiet_pulls: r.get(2)?,
                    failing: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Sets when `dataset_id` is next due and how many quiet pulls led there.
    pub fn set_dataset_schedule(
        &self,
        dataset_id: &str,
        next_pull_at: Option<i64>,
        quiet_pulls: u32,
    ) -> Result<(), DbError> {
        self.conn
            .execute(
                "UPDATE datasets SET next_pull_at = ?2, quiet_pulls = ?3 WHERE dataset_id = ?1",
                params![dataset_id, next_pull_at, quiet_pulls],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// The server said a dataset's task list is as the mirror has it (304): it is as
    /// fresh as a full pull would have made it.
    pub fn set_tasks_unchanged(&self, dataset_id: &str) -> Result<(), DbError> {
        mark_tasks_current(&self.conn, dataset_id).map_err(|e| self.err(e))
    }

    /// The datasets as last listed by the server (for a 304 to the list).
    pub fn dataset_summaries(&self) -> Result<Vec<DatasetSummary>, DbError> {
        let mut stmt = self
            .conn
            .prepare("SELECT dataset_id, dataset_name FROM datasets ORDER BY dataset_id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DatasetSummary {
                    dataset_id: r.get(0)?,
                    dataset_name: r.get(1)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}

/// Records the validators of `resource` (empty ones are forgotten): for
/// [`Mirror::set_validators`], and inside a dataset pull's transaction.
pub(super) fn write_validators(
    conn: &Connection,
    resource: &str,
    dataset_id: Option<&str>,
    validators: &Validators,
) -> rusqlite::Result<()> {
    if validators.is_empty() {
        conn.execute("DELETE FROM validators WHERE resource = ?1", [resource])?;
    } else {
        conn.execute(
            "INSERT OR REPLACE INTO validators (resource, dataset_id, etag, last_modified)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                resource,
                dataset_id,
                validators.etag,
                validators.last_modified
            ],
        )?;
    }
    Ok(())
}

/// A dataset's task list is current as of now (pulled whole, or the server said 304).
pub(super) fn mark_tasks_current(conn: &Connection, dataset_id: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE datasets SET tasks_pulled_at = ?2, tasks_listable = 1, pull_error = NULL,
             pull_failed_at = NULL WHERE dataset_id = ?1",
        params![dataset_id, crate::clock::now_millis()],
    )
    .map(drop)
}
