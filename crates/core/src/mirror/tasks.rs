//! Writing tasks: a dataset pull replaces the dataset's task list in one transaction and
//! writes only the rows that changed; confirmed answers of the server (an action's
//! updated task, an accepted assignment) are written as they come.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{Mirror, refresh, schema};
use crate::activity::{self, Source};
use crate::db::DbError;
use crate::wire::{DelayedTask, Task};

const UPSERT: &str = "
INSERT INTO tasks (task_id, dataset_id, task_type, stage_id, status, assignee, file_id, label_id,
                   updated_at_millis, due_at_millis, due_sort, raw)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
ON CONFLICT(task_id) DO UPDATE SET
    dataset_id = excluded.dataset_id, task_type = excluded.task_type, stage_id = excluded.stage_id,
    status = excluded.status, assignee = excluded.assignee, file_id = excluded.file_id,
    label_id = excluded.label_id, updated_at_millis = excluded.updated_at_millis,
    due_at_millis = excluded.due_at_millis, due_sort = excluded.due_sort, raw = excluded.raw
WHERE tasks.raw IS NOT excluded.raw";

/// Writes `task` unless the stored row is identical; returns whether a row was written.
fn upsert(conn: &Connection, task: &Task) -> rusqlite::Result<bool> {
    let written = conn.prepare_cached(UPSERT)?.execute(params![
        task.task_id,
        task.dataset_id,
        task.task_type,
        task.stage_id,
        task.status,
        task.assignee,
        task.file_id,
        task.label_id,
        task.updated_at_millis,
        task.due_at_millis,
        task.due_at_millis.unwrap_or(i64::MAX),
        task.raw,
    ])?;
    Ok(written > 0)
}

fn read_task(r: &rusqlite::Row<'_>) -> rusqlite::Result<Task> {
    Ok(Task {
        task_id: r.get(0)?,
        dataset_id: r.get(1)?,
        task_type: r.get(2)?,
        stage_id: r.get(3)?,
        status: r.get(4)?,
        assignee: r.get(5)?,
        file_id: r.get(6)?,
        label_id: r.get(7)?,
        updated_at_millis: r.get(8)?,
        due_at_millis: r.get(9)?,
        raw: r.get(10)?,
    })
}

pub(crate) const TASK_COLUMNS: &str = "task_id, dataset_id, task_type, stage_id, status, assignee, file_id, label_id, updated_at_millis, due_at_millis, raw";

/// A 64-bit fingerprint of a task's raw JSON (SipHash, keyed per process): equal text,
/// equal fingerprint; a different text colliding is a 2^-64 chance per task.
fn fingerprint(raw: &str) -> u64 {
    use std::hash::BuildHasher;
    thread_local! {
        static KEYS: std::collections::hash_map::RandomState = std::collections::hash_map::RandomState::new();
    }
    KEYS.with(|k| k.hash_one(raw))
}

fn fingerprints(conn: &Connection, dataset_id: &str) -> rusqlite::Result<HashMap<String, u64>> {
    let mut stmt = conn.prepare("SELECT task_id, raw FROM tasks WHERE dataset_id = ?1")?;
    let rows = stmt.query_map([dataset_id], |r| {
        let raw = r.get_ref(1)?.as_str()?;
        Ok((r.get::<_, String>(0)?, fingerprint(raw)))
    })?;
    rows.collect()
}

/// What one pull did to the mirror's tasks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PullCounts {
    /// Tasks in the server's answer.
    pub seen: u64,
    /// Rows inserted or changed.
    pub written: u64,
    /// Rows of tasks the server no longer lists.
    pub removed: u64,
}

/// One dataset's task list being replaced. Nothing is visible to readers until `finish`;
/// dropping it unfinished (a broken or malformed answer) rolls everything back.
pub struct DatasetPull<'a> {
    tx: Transaction<'a>,
    dataset_id: String,
    counts: PullCounts,
    path: &'a std::path::Path,
    /// When the mirror had tasks of this dataset: a fingerprint of each one's raw JSON,
    /// taken out as the answer lists it. An unchanged task is then skipped without a
    /// database call, and what is left at the end has vanished from the server.
    known: Option<HashMap<String, u64>>,
    bulk: Bulk,
}

/// How a pull of a dataset new to the mirror loads it: per-row upkeep (the insert count
/// trigger, and when the mirror is empty the secondary indexes too) is dropped inside the
/// pull's transaction and rebuilt once at its end — several times faster for a first sync
/// of a large dataset. Readers keep seeing the previous snapshot meanwhile, and a failed
/// pull rolls the drop back with everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bulk {
    No,
    Counts,
    CountsAndIndexes,
}

impl DatasetPull<'_> {
    /// Adds one task of the server's answer; one unchanged since the last pull is skipped.
    pub fn put(&mut self, task: &Task) -> Result<(), DbError> {
        self.counts.seen += 1;
        if let Some(known) = &mut self.known
            && known.remove(&task.task_id) == Some(fingerprint(&task.raw))
        {
            return Ok(());
        }
        let written = upsert(&self.tx, task).map_err(|e| DbError::from_sqlite(self.path, e))?;
        self.counts.written += u64::from(written);
        Ok(())
    }

    /// Commits the pull: removes the tasks the answer no longer lists, rebuilds what a bulk
    /// load dropped, records when the dataset was pulled and, with the rows, the answer's
    /// `validators` under `resource` (the next pull asks only if it changed).
    pub fn finish(
        mut self,
        resource: &str,
        validators: &crate::wire::Validators,
    ) -> Result<PullCounts, DbError> {
        let path = self.path;
        let err = |e| DbError::from_sqlite(path, e);
        if self.bulk != Bulk::No {
            self.tx
                .execute(
                    "INSERT INTO task_counts
                     SELECT dataset_id, stage_id, status, coalesce(assignee, ''), count(*) FROM tasks
                      WHERE dataset_id = ?1 GROUP BY 1, 2, 3, 4
                     ON CONFLICT DO UPDATE SET n = n + excluded.n",
                    [&self.dataset_id],
                )
                .map_err(err)?;
            self.tx
                .execute_batch(schema::BULK_REBUILD_COUNT_TRIGGER)
                .map_err(err)?;
        }
        if self.bulk == Bulk::CountsAndIndexes {
            self.tx
                .execute_batch(schema::BULK_REBUILD_INDEXES)
                .map_err(err)?;
        }
        if let Some(vanished) = &self.known {
            let mut delete = self
                .tx
                .prepare("DELETE FROM tasks WHERE task_id = ?1")
                .map_err(err)?;
            for id in vanished.keys() {
                delete.execute([id]).map_err(err)?;
            }
            self.counts.removed = vanished.len() as u64;
        }
        refresh::mark_tasks_current(&self.tx, &self.dataset_id).map_err(err)?;
        refresh::write_validators(&self.tx, resource, Some(&self.dataset_id), validators)
            .map_err(err)?;
        self.tx.commit().map_err(err)?;
        Ok(self.counts)
    }
}

impl Mirror {
    /// Starts replacing the task list of `dataset_id`.
    pub fn begin_dataset_pull(&mut self, dataset_id: &str) -> Result<DatasetPull<'_>, DbError> {
        let path = self.path.as_path();
        let err = |e| DbError::from_sqlite(path, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        activity::set_context(&tx, Some(Source::Server)).map_err(err)?;
        let had_rows: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM tasks WHERE dataset_id = ?1)",
                [dataset_id],
                |r| r.get(0),
            )
            .map_err(err)?;
        let bulk = if had_rows {
            Bulk::No
        } else if tx
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM tasks)", [], |r| r.get(0))
            .map_err(err)?
        {
            Bulk::CountsAndIndexes
        } else {
            Bulk::Counts
        };
        if bulk != Bulk::No {
            tx.execute_batch(schema::BULK_DROP_COUNT_TRIGGER)
                .map_err(err)?;
        }
        if bulk == Bulk::CountsAndIndexes {
            tx.execute_batch(schema::BULK_DROP_INDEXES).map_err(err)?;
        }
        let known = if had_rows {
            Some(fingerprints(&tx, dataset_id).map_err(err)?)
        } else {
            None
        };
        Ok(DatasetPull {
            tx,
            dataset_id: dataset_id.to_string(),
            counts: PullCounts::default(),
            path,
            known,
            bulk,
        })
    }

    /// Writes tasks the server just confirmed as the answers to this device's actions;
    /// returns rows written.
    pub fn upsert_tasks(&mut self, tasks: &[Task]) -> Result<u64, DbError> {
        let path = self.path.as_path();
        let err = |e| DbError::from_sqlite(path, e);
        let tx = self.conn.transaction().map_err(err)?;
        activity::set_context(&tx, Some(Source::Device)).map_err(err)?;
        let mut written = 0;
        for task in tasks {
            written += u64::from(upsert(&tx, task).map_err(err)?);
        }
        tx.commit().map_err(err)?;
        Ok(written)
    }

    /// Writes the tasks of endpoint 5 (`email`'s tasks). A task the mirror has as `email`'s
    /// that the server no longer lists, in a dataset whose full list was not just pulled
    /// (`fresh_datasets`), is dropped: the mirror cannot know what became of it. Gives the
    /// datasets that lost a task so: their whole list is needed to know.
    pub fn replace_user_tasks(
        &mut self,
        email: &str,
        tasks: &[Task],
        fresh_datasets: &HashSet<String>,
    ) -> Result<HashSet<String>, DbError> {
        let path = self.path.as_path();
        let err = |e| DbError::from_sqlite(path, e);
        let tx = self.conn.transaction().map_err(err)?;
        activity::set_context(&tx, Some(Source::Server)).map_err(err)?;
        let listed: HashSet<&str> = tasks.iter().map(|t| t.task_id.as_str()).collect();
        for task in tasks {
            upsert(&tx, task).map_err(err)?;
        }
        let stale: Vec<(String, String)> = {
            let mut stmt = tx
                .prepare("SELECT task_id, dataset_id FROM tasks WHERE assignee = ?1")
                .map_err(err)?;
            let rows = stmt
                .query_map([email], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(err)?
        };
        let mut emptied = HashSet::new();
        for (task_id, dataset_id) in stale {
            if !listed.contains(task_id.as_str()) && !fresh_datasets.contains(&dataset_id) {
                tx.execute("DELETE FROM tasks WHERE task_id = ?1", [&task_id])
                    .map_err(err)?;
                emptied.insert(dataset_id);
            }
        }
        tx.commit().map_err(err)?;
        Ok(emptied)
    }

    /// Replaces the delayed list (endpoint 6). Its tasks are written only when the mirror
    /// does not have them: a task's own list is its authority, and writing the delayed
    /// copy (which carries `delayed_by_millis`) would rewrite the row on every pull.
    pub fn replace_delayed(&mut self, delayed: &[DelayedTask]) -> Result<(), DbError> {
        let path = self.path.as_path();
        let err = |e| DbError::from_sqlite(path, e);
        let tx = self.conn.transaction().map_err(err)?;
        activity::set_context(&tx, Some(Source::Server)).map_err(err)?;
        tx.execute("DELETE FROM delayed", []).map_err(err)?;
        for d in delayed {
            if tx
                .query_row(
                    "SELECT 1 FROM tasks WHERE task_id = ?1",
                    [&d.task.task_id],
                    |_| Ok(()),
                )
                .optional()
                .map_err(err)?
                .is_none()
            {
                upsert(&tx, &d.task).map_err(err)?;
            }
            tx.execute(
                "INSERT OR REPLACE INTO delayed (task_id, delayed_by_millis) VALUES (?1, ?2)",
                params![d.task.task_id, d.delayed_by_millis],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Records an assignment the server accepted (endpoints 7-8 answer with no body): this
    /// device's own.
    pub fn set_assignees(&mut self, changes: &[(String, Option<String>)]) -> Result<(), DbError> {
        let path = self.path.as_path();
        let err = |e| DbError::from_sqlite(path, e);
        let tx = self.conn.transaction().map_err(err)?;
        activity::set_context(&tx, Some(Source::Device)).map_err(err)?;
        for (task_id, assignee) in changes {
            tx.execute(
                "UPDATE tasks SET assignee = ?2, raw = json_set(raw, '$.assignee', ?2) WHERE task_id = ?1",
                params![task_id, assignee],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// One task as the server last confirmed it, if the mirror has it.
    pub fn task(&self, task_id: &str) -> Result<Option<Task>, DbError> {
        self.conn
            .query_row(
                &format!("SELECT {TASK_COLUMNS} FROM tasks WHERE task_id = ?1"),
                [task_id],
                read_task,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// How many tasks the mirror holds, across all datasets.
    pub fn task_count(&self) -> Result<u64, DbError> {
        self.conn
            .query_row("SELECT count(*) FROM tasks", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.err(e))
    }
}
