//! The outbox: every action the user took that the server has not confirmed yet, in its
//! own durable SQLite file. An enqueue is one transaction committed to disk before it
//! returns. Rolling back an intent is deleting it; nothing here ever edits server state.

mod attention;
mod op;
mod schema;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::clock::now_millis;
use crate::db::{self, DbError, Durability};
use crate::wire::{ActionKind, Task, TaskStatus};

pub use attention::AttentionReason;
use op::{OP_COLUMNS, read_op};
pub use op::{Op, OpState};

/// What the user wants done to one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// Submit, accept or reject (a kind that changes the status).
    Action {
        /// Which action.
        kind: ActionKind,
        /// A reject's reason.
        reason: Option<String>,
    },
    /// Reassign the task.
    Assign {
        /// The new assignee; `None` unassigns.
        assignee: Option<String>,
    },
}

/// What an enqueue did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "op_id", rename_all = "snake_case")]
pub enum Enqueued {
    /// A new action in the queue.
    Queued(String),
    /// Folded into a reassignment of the same task still waiting to go.
    Coalesced(String),
    /// A reassignment back to where the task was: the waiting one is gone, no change left.
    Cancelled(String),
    /// The task already is (or will be) that way: nothing queued.
    Unchanged,
}

/// A user's answer to an action that needs attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Resolution {
    /// Try again (after checking the server's state).
    Retry,
    /// Drop the intent.
    Discard,
    /// Reassign even though someone else changed the assignee meanwhile.
    Overwrite,
}

/// How a round ended for one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    /// Applied, or its effect is already on the server.
    Done,
    /// Try again at `at`; `verify` when the request may have been applied.
    Retry {
        /// When (Unix ms).
        at: i64,
        /// The failure, as a technical note.
        error: String,
        /// The request may have been applied.
        verify: bool,
    },
    /// The user must decide.
    Attention {
        /// Why, as data.
        reason: AttentionReason,
        /// The failure, as a technical note.
        error: String,
    },
    /// Not attempted after all (offline, sign-in needed): back to pending as it was.
    Release {
        /// The request may have been applied before.
        verify: bool,
    },
}

/// How many queued actions are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QueueCounts {
    /// Waiting to be sent.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub pending: u64,
    /// Being sent.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub in_flight: u64,
    /// Waiting for the user's decision.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub needs_attention: u64,
    /// Applied, kept a while as history.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub done: u64,
}

/// Why a queued action cannot take the user's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolveRefusal {
    /// It is being sent right now; a moment later it can.
    InFlight,
    /// It is already applied on the server.
    AlreadyDone,
    /// Only a reassignment can overwrite someone else's change.
    OverwriteNeedsAssign,
    /// Deepen refused it in a way no retry changes: it can only be discarded.
    OnlyDiscard,
}

/// A failure of the outbox.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// No queued action has this id.
    #[error("no queued action has the id {0}")]
    UnknownOp(String),
    /// The action cannot take this decision now.
    #[error("cannot resolve this action: {0:?}")]
    CannotResolve(ResolveRefusal),
}

/// A connection to a workspace's `outbox.db` (see the module's note).
pub struct Outbox {
    conn: Connection,
    path: PathBuf,
}

impl Outbox {
    /// Opens (creating and migrating if needed) the outbox at `path`; every commit is durable.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let conn = db::open(path, Durability::Full, schema::MIGRATIONS)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The database file of this connection.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: rusqlite::Error) -> DbError {
        DbError::from_sqlite(&self.path, e)
    }

    /// Queues intents in one durable transaction; `base` is the task as the user saw it.
    pub fn enqueue(&mut self, items: &[(Intent, &Task)]) -> Result<Vec<Enqueued>, DbError> {
        let path = self.path.as_path();
        let err = |e| DbError::from_sqlite(path, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let mut results = Vec::with_capacity(items.len());
        for (intent, base) in items {
            results.push(enqueue_one(&tx, intent, base).map_err(err)?);
        }
        tx.commit().map_err(err)?;
        Ok(results)
    }

    /// Pending actions due by `now` that head their task's queue: an earlier action of the
    /// same task that is not done (waiting, in flight or needing attention) holds later
    /// ones back; other tasks go on.
    pub fn ready(&self, now: i64, limit: usize) -> Result<Vec<Op>, DbError> {
        let sql = format!(
            "SELECT {OP_COLUMNS} FROM ops o WHERE state = 'pending' AND next_attempt_at <= ?1
               AND NOT EXISTS (SELECT 1 FROM ops p WHERE p.task_id = o.task_id AND p.seq < o.seq AND p.state <> 'done')
             ORDER BY seq LIMIT ?2"
        );
        self.query_ops(&sql, params![now, limit as i64])
    }

    /// Marks actions in flight, durably, before their requests go out: after a crash an
    /// in-flight action is known to be possibly applied. `ops` are as a pass read them;
    /// one the user changed since (a reassignment folded into, an undo, a discard) is not
    /// claimed, and the pass must leave it for the next. Gives the seqs claimed.
    pub fn claim(&mut self, ops: &[&Op]) -> Result<std::collections::HashSet<i64>, DbError> {
        let path = self.path.as_path();
        let err = |e| DbError::from_sqlite(path, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let now = now_millis();
        let mut claimed = std::collections::HashSet::with_capacity(ops.len());
        for op in ops {
            let changed = tx
                .execute(
                    "UPDATE ops SET state = 'in_flight', attempts = attempts + 1, updated_at = ?2
                     WHERE seq = ?1 AND state = 'pending' AND assignee IS ?3",
                    params![op.seq, now, op.assignee],
                )
                .map_err(err)?;
            if changed == 1 {
                claimed.insert(op.seq);
            }
        }
        tx.commit().map_err(err)?;
        Ok(claimed)
    }

    /// Records how each action ended, in one transaction. `rebase`: for actions that took
    /// effect, `(task, seq, version)` — the later open actions of that task were made
    /// against that effect, so the server's version of the task after it (`None` when
    /// unknown) becomes their base.
    pub fn settle(
        &mut self,
        outcomes: &[(i64, Settle)],
        rebase: &[(String, i64, Option<i64>)],
    ) -> Result<(), DbError> {
        let path = self.path.as_path();
        let err = |e| DbError::from_sqlite(path, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let now = now_millis();
        for (seq, outcome) in outcomes {
            let changed = match outcome {
                Settle::Done => tx.execute(
                    "UPDATE ops SET state = 'done', verify = 0, last_error = NULL, attention = NULL, updated_at = ?2 WHERE seq = ?1",
                    params![seq, now],
                ),
                Settle::Retry { at, error, verify } => tx.execute(
                    "UPDATE ops SET state = 'pending', next_attempt_at = ?2, last_error = ?3, verify = max(verify, ?4), updated_at = ?5 WHERE seq = ?1",
                    params![seq, at, error, verify, now],
                ),
                Settle::Attention { reason, error } => tx.execute(
                    "UPDATE ops SET state = 'needs_attention', attention = ?2, last_error = ?3, updated_at = ?4 WHERE seq = ?1",
                    params![seq, reason.to_stored(), error, now],
                ),
                // The attempt did not happen: give back the count claim() took.
                Settle::Release { verify } => tx.execute(
                    "UPDATE ops SET state = 'pending', verify = max(verify, ?2),
                         attempts = CASE WHEN state = 'in_flight' THEN max(attempts - 1, 0) ELSE attempts END,
                         updated_at = ?3 WHERE seq = ?1",
                    params![seq, verify, now],
                ),
            }
            .map_err(err)?;
            debug_assert!(changed <= 1);
        }
        for (task_id, seq, version) in rebase {
            tx.execute(
                "UPDATE ops SET base_updated_at = ?3 WHERE task_id = ?1 AND seq > ?2 AND state <> 'done'",
                params![task_id, seq, version],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Actions left in flight by a process that died: they may have been applied, so
    /// they go back to pending with `verify` set. Call only while holding the sync lock.
    pub fn recover_in_flight(&mut self) -> Result<usize, DbError> {
        self.conn
            .execute("UPDATE ops SET state = 'pending', verify = 1, updated_at = ?1 WHERE state = 'in_flight'", [now_millis()])
            .map_err(|e| self.err(e))
    }

    /// Applies the user's decision on an action.
    pub fn resolve(
        &mut self,
        op_id: &str,
        resolution: Resolution,
        server: Option<&Task>,
    ) -> Result<Option<Op>, OutboxError> {
        let op = self
            .op(op_id)?
            .ok_or_else(|| OutboxError::UnknownOp(op_id.to_string()))?;
        if op.state == OpState::InFlight {
            return Err(OutboxError::CannotResolve(ResolveRefusal::InFlight));
        }
        if op.state == OpState::Done {
            return Err(OutboxError::CannotResolve(ResolveRefusal::AlreadyDone));
        }
        if resolution != Resolution::Discard && op.attention.as_ref().is_some_and(|a| a.is_final())
        {
            return Err(OutboxError::CannotResolve(ResolveRefusal::OnlyDiscard));
        }
        let now = now_millis();
        let result = match resolution {
            Resolution::Discard => self.conn.execute("DELETE FROM ops WHERE seq = ?1", [op.seq]),
            // Retrying checks the server's state first, in case the effect is already there.
            // The user has seen the server's state now: the intent is made against it.
            Resolution::Retry => self.conn.execute(
                "UPDATE ops SET state = 'pending', verify = 1, attempts = 0, next_attempt_at = 0, attention = NULL,
                     base_updated_at = coalesce(?3, base_updated_at), updated_at = ?2 WHERE seq = ?1",
                params![op.seq, now, server.and_then(|t| t.updated_at_millis)],
            ),
            Resolution::Overwrite if op.kind != ActionKind::Assign => {
                return Err(OutboxError::CannotResolve(
                    ResolveRefusal::OverwriteNeedsAssign,
                ));
            }
            Resolution::Overwrite => self.conn.execute(
                "UPDATE ops SET state = 'pending', overwrite = 1, base_assignee = ?3, attempts = 0, next_attempt_at = 0,
                     attention = NULL, updated_at = ?2 WHERE seq = ?1",
                params![op.seq, now, server.and_then(|t| t.assignee.as_deref())],
            ),
        };
        result.map_err(|e| self.err(e))?;
        Ok(self.op(op_id)?)
    }

    /// The action with id `op_id`, in whatever state; `None` if there is none.
    pub fn op(&self, op_id: &str) -> Result<Option<Op>, DbError> {
        let sql = format!("SELECT {OP_COLUMNS} FROM ops WHERE op_id = ?1");
        self.conn
            .query_row(&sql, [op_id], read_op)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every action, oldest first; done ones only when asked.
    pub fn list(&self, include_done: bool) -> Result<Vec<Op>, DbError> {
        let filter = if include_done {
            ""
        } else {
            "WHERE state <> 'done'"
        };
        self.query_ops(
            &format!("SELECT {OP_COLUMNS} FROM ops {filter} ORDER BY seq"),
            [],
        )
    }

    /// Every action on `task_ids` (done ones included, while kept), oldest first per task:
    /// one index lookup per task, so it costs what is asked, not the queue's size.
    pub fn of_tasks(&self, task_ids: &[String]) -> Result<Vec<Op>, DbError> {
        let sql = format!("SELECT {OP_COLUMNS} FROM ops WHERE task_id = ?1 ORDER BY seq");
        let mut ops = Vec::new();
        for task_id in task_ids {
            ops.extend(self.query_ops(&sql, [task_id])?);
        }
        Ok(ops)
    }

    fn query_ops(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Op>, DbError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params, read_op).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// How many actions are in each state.
    pub fn counts(&self) -> Result<QueueCounts, DbError> {
        let mut counts = QueueCounts::default();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state, count(*) FROM ops GROUP BY state")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (state, n) = row.map_err(|e| self.err(e))?;
            match OpState::parse(&state) {
                Some(OpState::Pending) => counts.pending = n,
                Some(OpState::InFlight) => counts.in_flight = n,
                Some(OpState::NeedsAttention) => counts.needs_attention = n,
                Some(OpState::Done) => counts.done = n,
                None => {}
            }
        }
        Ok(counts)
    }

    /// When the next action that heads its task's queue becomes due, if any is waiting.
    /// Actions held back behind an earlier one (say, one needing attention) do not count.
    pub fn next_due_at(&self) -> Result<Option<i64>, DbError> {
        self.conn
            .query_row(
                "SELECT min(next_attempt_at) FROM ops o WHERE state = 'pending'
                   AND NOT EXISTS (SELECT 1 FROM ops p WHERE p.task_id = o.task_id AND p.seq < o.seq AND p.state <> 'done')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Forgets done actions older than `before` (they are history, kept a while for `queue`).
    pub fn prune_done(&self, before: i64) -> Result<usize, DbError> {
        self.conn
            .execute(
                "DELETE FROM ops WHERE state = 'done' AND updated_at < ?1",
                [before],
            )
            .map_err(|e| self.err(e))
    }

    /// A value of `sync_meta` (the durable part of the sync status), if set.
    pub fn meta(&self, key: &str) -> Result<Option<String>, DbError> {
        self.conn
            .query_row("SELECT value FROM sync_meta WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Sets a value of `sync_meta`; `None` removes it.
    pub fn set_meta(&self, key: &str, value: Option<&str>) -> Result<(), DbError> {
        let result = match value {
            Some(v) => self.conn.execute(
                "INSERT INTO sync_meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, v],
            ),
            None => self.conn.execute("DELETE FROM sync_meta WHERE key = ?1", [key]),
        };
        result.map(drop).map_err(|e| self.err(e))
    }
}

fn latest_open(tx: &Connection, task_id: &str, assign_only: bool) -> rusqlite::Result<Option<Op>> {
    let filter = if assign_only {
        "AND kind = 'assign'"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {OP_COLUMNS} FROM ops WHERE task_id = ?1 AND state <> 'done' {filter} ORDER BY seq DESC LIMIT 1"
    );
    tx.query_row(&sql, [task_id], read_op).optional()
}

fn enqueue_one(tx: &Connection, intent: &Intent, base: &Task) -> rusqlite::Result<Enqueued> {
    let now = now_millis();
    let (kind, reason, assignee) = match intent {
        Intent::Action { kind, reason } => (*kind, reason.clone(), None),
        Intent::Assign { assignee } => (ActionKind::Assign, None, assignee.clone()),
    };
    // The state this intent is made against: the server's, with earlier intents laid over.
    let base_assignee = match latest_open(tx, &base.task_id, true)? {
        Some(prev) => prev.assignee,
        None => base.assignee.clone(),
    };
    let base_status = match latest_open(tx, &base.task_id, false)? {
        Some(prev) => prev
            .kind
            .target_status()
            .map_or_else(|| base.status.clone(), TaskStatus::Known),
        None => base.status.clone(),
    };
    if kind == ActionKind::Assign {
        // Several drags of one task before it syncs are one change; back to the start is none.
        if let Some(last) = latest_open(tx, &base.task_id, false)?
            && last.kind == ActionKind::Assign
            && last.state == OpState::Pending
            && last.attempts == 0
            && !last.verify
        {
            if assignee == last.base_assignee && !last.overwrite {
                tx.execute("DELETE FROM ops WHERE seq = ?1", [last.seq])?;
                return Ok(Enqueued::Cancelled(last.op_id));
            }
            if assignee == last.assignee {
                return Ok(Enqueued::Unchanged);
            }
            tx.execute(
                "UPDATE ops SET assignee = ?2, updated_at = ?3 WHERE seq = ?1",
                params![last.seq, assignee, now],
            )?;
            return Ok(Enqueued::Coalesced(last.op_id));
        }
        if assignee == base_assignee {
            return Ok(Enqueued::Unchanged);
        }
    }
    let op_id = uuid::Uuid::now_v7().to_string();
    tx.execute(
        "INSERT INTO ops (op_id, kind, task_id, dataset_id, task_type, reason, assignee, base_status, base_assignee,
                          created_at, updated_at, base_updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)",
        params![
            op_id,
            kind.as_str(),
            base.task_id,
            base.dataset_id,
            base.task_type,
            reason,
            assignee,
            base_status,
            base_assignee,
            now,
            base.updated_at_millis
        ],
    )?;
    Ok(Enqueued::Queued(op_id))
}
