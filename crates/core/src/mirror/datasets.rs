//! Datasets, their pipeline stages and the users who can be assigned (endpoints 9, 10).

use rusqlite::{OptionalExtension, params};

use super::Mirror;
use crate::db::DbError;
use crate::wire::{Dataset, DatasetSummary};

/// A dataset as the mirror knows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DatasetInfo {
    /// Deepen's id of the dataset.
    pub dataset_id: String,
    /// Its display name, when the server gave one.
    pub dataset_name: Option<String>,
    /// Deepen's `labelling_mode` (which kind of tasks it has), once its details were read.
    pub labelling_mode: Option<String>,
    /// Its pipeline's stage ids, in pipeline order.
    pub stages: Vec<String>,
    /// Emails of the users who can be assigned, with their scopes.
    pub users: Vec<(String, Vec<String>)>,
    /// Those of `users` who work on tasks (label or review): the board's columns.
    pub workers: Vec<String>,
    /// How many of its tasks the mirror holds.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub task_count: u64,
    /// False when the server refused to list its tasks to this user (403): only the
    /// user's own tasks are known.
    pub tasks_listable: bool,
    /// When its whole task list was last pulled (Unix ms); `None` if never.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub tasks_pulled_at: Option<i64>,
    /// Why its last pull failed (a technical note), when it failed after the last success:
    /// its tasks are as of `tasks_pulled_at`, and it is tried again at `next_pull_at`.
    pub pull_error: Option<String>,
    /// When that pull failed (Unix ms).
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub pull_failed_at: Option<i64>,
    /// When its whole list is next pulled while no view shows it (Unix ms): after a
    /// failure, its next try. `None`: at the next round.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub next_pull_at: Option<i64>,
    /// Whether the signed-in user may change its assignments: their scopes on it include
    /// the reassigning one; true when it does not list them (the server decides). Filled in
    /// by the workspace, which knows who is signed in.
    pub may_reassign: bool,
}

impl Mirror {
    /// Keeps exactly the datasets of `list`; a dataset gone from the server goes with its
    /// tasks and the validators of its lists.
    pub fn replace_datasets(&mut self, list: &[DatasetSummary]) -> Result<(), DbError> {
        let path = self.path.clone();
        let err = |e| DbError::from_sqlite(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        {
            tx.execute_batch("CREATE TEMP TABLE IF NOT EXISTS listed (dataset_id TEXT PRIMARY KEY); DELETE FROM listed;")
                .map_err(err)?;
            let mut insert = tx
                .prepare("INSERT OR IGNORE INTO listed VALUES (?1)")
                .map_err(err)?;
            let mut upsert = tx
                .prepare(
                    "INSERT INTO datasets (dataset_id, dataset_name, raw) VALUES (?1, ?2, '{}')
                     ON CONFLICT(dataset_id) DO UPDATE SET dataset_name = coalesce(excluded.dataset_name, dataset_name)",
                )
                .map_err(err)?;
            for d in list {
                insert.execute([&d.dataset_id]).map_err(err)?;
                upsert
                    .execute(params![d.dataset_id, d.dataset_name])
                    .map_err(err)?;
            }
            tx.execute_batch(
                "DELETE FROM tasks WHERE dataset_id IN (SELECT dataset_id FROM datasets WHERE dataset_id NOT IN (SELECT dataset_id FROM listed));
                 DELETE FROM validators WHERE dataset_id IN (SELECT dataset_id FROM datasets WHERE dataset_id NOT IN (SELECT dataset_id FROM listed));
                 DELETE FROM datasets WHERE dataset_id NOT IN (SELECT dataset_id FROM listed);",
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Stores a dataset's details (endpoint 10), replacing its stages and assignable users.
    pub fn save_dataset(&mut self, d: &Dataset) -> Result<(), DbError> {
        let path = self.path.clone();
        let err = |e| DbError::from_sqlite(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(
            "INSERT INTO datasets (dataset_id, dataset_name, labelling_mode, raw) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(dataset_id) DO UPDATE SET dataset_name = excluded.dataset_name,
                 labelling_mode = excluded.labelling_mode, raw = excluded.raw",
            params![d.dataset_id, d.dataset_name, d.labelling_mode, d.raw],
        )
        .map_err(err)?;
        tx.execute("DELETE FROM stages WHERE dataset_id = ?1", [&d.dataset_id])
            .map_err(err)?;
        tx.execute(
            "DELETE FROM dataset_users WHERE dataset_id = ?1",
            [&d.dataset_id],
        )
        .map_err(err)?;
        for (position, stage) in d.pipeline_spec.iter().enumerate() {
            tx.execute(
                "INSERT INTO stages (dataset_id, position, stage_id, can_edit) VALUES (?1, ?2, ?3, ?4)",
                params![d.dataset_id, position as i64, stage.stage_id, stage.can_edit],
            )
            .map_err(err)?;
        }
        for user in &d.user_scopes {
            let scopes = serde_json::to_string(&user.scopes).expect("strings serialize");
            tx.execute(
                "INSERT OR REPLACE INTO dataset_users (dataset_id, email, scopes) VALUES (?1, ?2, ?3)",
                params![d.dataset_id, user.email, scopes],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Records whether the server lets this user list the dataset's tasks (false after a 403).
    pub fn set_tasks_listable(&self, dataset_id: &str, listable: bool) -> Result<(), DbError> {
        self.conn
            .execute(
                "UPDATE datasets SET tasks_listable = ?2 WHERE dataset_id = ?1",
                params![dataset_id, listable],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Records that pulling `dataset_id` failed just now (its tasks stay as they were).
    pub fn set_pull_failed(&self, dataset_id: &str, error: &str) -> Result<(), DbError> {
        self.conn
            .execute(
                "UPDATE datasets SET pull_error = ?2, pull_failed_at = ?3 WHERE dataset_id = ?1",
                params![dataset_id, error, crate::clock::now_millis()],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Emails of the users who can be assigned tasks of `dataset_id`.
    pub fn dataset_users(&self, dataset_id: &str) -> Result<Vec<String>, DbError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT email FROM dataset_users WHERE dataset_id = ?1 ORDER BY email")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([dataset_id], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The ids of every mirrored dataset, sorted.
    pub fn dataset_ids(&self) -> Result<Vec<String>, DbError> {
        let mut stmt = self
            .conn
            .prepare("SELECT dataset_id FROM datasets ORDER BY dataset_id")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Every mirrored dataset, sorted by id.
    pub fn datasets(&self) -> Result<Vec<DatasetInfo>, DbError> {
        self.dataset_ids()?
            .iter()
            .filter_map(|id| self.dataset(id).transpose())
            .collect()
    }

    /// One dataset as the mirror knows it; `None` if the mirror does not have it.
    pub fn dataset(&self, dataset_id: &str) -> Result<Option<DatasetInfo>, DbError> {
        let err = |e| self.err(e);
        let head = self
            .conn
            .query_row(
                "SELECT dataset_name, labelling_mode, tasks_listable, tasks_pulled_at,
                        (SELECT coalesce(sum(n), 0) FROM task_counts c WHERE c.dataset_id = datasets.dataset_id),
                        pull_error, pull_failed_at, next_pull_at
                 FROM datasets WHERE dataset_id = ?1",
                [dataset_id],
                |r| {
                    Ok((
                        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                        r.get::<_, i64>(4)?,
                        (r.get(5)?, r.get(6)?, r.get(7)?),
                    ))
                },
            )
            .optional()
            .map_err(err)?;
        let Some((
            (dataset_name, labelling_mode, tasks_listable, tasks_pulled_at),
            task_count,
            (pull_error, pull_failed_at, next_pull_at),
        )) = head
        else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT stage_id FROM stages WHERE dataset_id = ?1 ORDER BY position")
            .map_err(err)?;
        let stages = stmt
            .query_map([dataset_id], |r| r.get(0))
            .map_err(err)?
            .collect::<Result<_, _>>()
            .map_err(err)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT email, scopes FROM dataset_users WHERE dataset_id = ?1 ORDER BY email",
            )
            .map_err(err)?;
        let users: Vec<(String, Vec<String>)> = stmt
            .query_map([dataset_id], |r| {
                let scopes: String = r.get(1)?;
                Ok((r.get(0)?, serde_json::from_str(&scopes).unwrap_or_default()))
            })
            .map_err(err)?
            .collect::<Result<_, _>>()
            .map_err(err)?;
        let workers = users
            .iter()
            .filter(|(_, scopes)| crate::wire::works_on_tasks(scopes))
            .map(|(email, _)| email.clone())
            .collect();
        Ok(Some(DatasetInfo {
            dataset_id: dataset_id.to_string(),
            dataset_name,
            labelling_mode,
            stages,
            users,
            workers,
            task_count: task_count as u64,
            tasks_listable,
            tasks_pulled_at,
            pull_error,
            pull_failed_at,
            next_pull_at,
            may_reassign: true,
        }))
    }
}
