//! The activity record: every change of a task's status, assignee or stage that reaches
//! the mirror — brought by a pull, or the server's answer to this device's action — and
//! every action of this device with how it ended. It lives in `mirror.db` (table
//! `activity`, written by triggers on `tasks` in the same transaction as the change: see
//! `mirror::schema`, migration 6), is kept [`KEEP`] and at most [`MAX_ROWS`] rows, and is
//! forgotten with the mirror.
//!
//! It is what this device observed, not Deepen's history: a change made and undone between
//! two pulls is never seen, a time is when this device first saw the change, and a first
//! sync records nothing (a whole world seen at once is not news).

mod query;
mod review;

use std::time::Duration;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::clock::now_millis;
use crate::db::DbError;
use crate::mirror::Mirror;
use crate::wire::ActionKind;

pub use query::{ActivityCursor, ActivityPage, ActivityQuery};
pub use review::{ReviewQuery, ReviewRow};

/// How long the record keeps a change.
pub const KEEP: Duration = Duration::from_secs(90 * 24 * 3600);
/// The most rows it keeps (the oldest go first): ~250 bytes each with the indexes.
pub const MAX_ROWS: i64 = 2_000_000;

/// The mirror's `meta` key set once the first pull is in: changes from then on are news.
const SINCE_KEY: &str = "activity_since";

/// Who brought a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Source {
    /// A pull: someone else, somewhere (or this user on another device).
    Server,
    /// This device: the server's answer to one of its actions.
    Device,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Self::Server => "server",
            Self::Device => "device",
        }
    }

    fn parse(s: &str) -> Self {
        if s == "device" {
            Self::Device
        } else {
            Self::Server
        }
    }
}

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ActivityKind {
    /// The task's status (`old` → `new`); `note`: a reject's reason when Deepen gives one.
    Status,
    /// Who has it (`old` → `new`, emails; `None`: unassigned).
    Assignee,
    /// Its stage.
    Stage,
    /// An action of this device ended: `old` is the action (`submit`, `accept`, `reject`,
    /// `assign`), `new` how it ended ([`ActionOutcome`]), `note` why, when it did not apply.
    Action,
}

impl ActivityKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [Self::Status, Self::Assignee, Self::Stage, Self::Action];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Assignee => "assignee",
            Self::Stage => "stage",
            Self::Action => "action",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How an action of this device ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ActionOutcome {
    /// Deepen has it.
    Done,
    /// It waits on the user's decision.
    NeedsDecision,
    /// The user took it back or gave it up.
    Discarded,
}

impl ActionOutcome {
    /// Its name in the record (`new` of an action row).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::NeedsDecision => "needs_decision",
            Self::Discarded => "discarded",
        }
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ActivityEntry {
    /// Its place in the record (later changes have larger ids).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    /// When this device first saw it (Unix ms).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub at: i64,
    /// Who brought it.
    pub source: Source,
    /// What changed.
    pub kind: ActivityKind,
    /// The task.
    pub task_id: String,
    /// Its dataset.
    pub dataset_id: String,
    /// Whose work it was: the assignee then (the new one of an assignment; this user for
    /// an action).
    pub person: Option<String>,
    /// Before.
    pub old: Option<String>,
    /// After.
    pub new: Option<String>,
    /// A reject's reason; why an action did not apply.
    pub note: Option<String>,
}

pub(crate) const ENTRY_COLUMNS: &str =
    "id, at, source, kind, task_id, dataset_id, person, old, new, note";

pub(crate) fn read_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActivityEntry> {
    let kind: String = r.get(3)?;
    Ok(ActivityEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        source: Source::parse(r.get_ref(2)?.as_str()?),
        kind: ActivityKind::parse(&kind).unwrap_or(ActivityKind::Status),
        task_id: r.get(4)?,
        dataset_id: r.get(5)?,
        person: r.get(6)?,
        old: r.get(7)?,
        new: r.get(8)?,
        note: r.get(9)?,
    })
}

/// Says who writes the mirror's next changes, and when (the triggers stamp them with it);
/// `None`: record nothing. Every writer of `tasks` calls it first in its transaction.
pub(crate) fn set_context(conn: &Connection, source: Option<Source>) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE activity_context SET source = ?1, at = ?2,
                record_inserts = EXISTS (SELECT 1 FROM meta WHERE key = ?3)",
    )?
    .execute(params![source.map(Source::as_str), now_millis(), SINCE_KEY])
    .map(drop)
}

/// An action of this device that ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRecord {
    /// The task it acted on.
    pub task_id: String,
    /// Its dataset.
    pub dataset_id: String,
    /// What it was.
    pub kind: ActionKind,
    /// How it ended.
    pub outcome: ActionOutcome,
    /// Why, when it did not apply (a technical note or the reason's words).
    pub note: Option<String>,
}

impl Mirror {
    /// Records actions of this device (`me`) that ended, at `now`.
    pub fn record_actions(&mut self, me: &str, records: &[ActionRecord]) -> Result<(), DbError> {
        if records.is_empty() {
            return Ok(());
        }
        let path = self.path().to_path_buf();
        let err = |e| DbError::from_sqlite(&path, e);
        let now = now_millis();
        let tx = self.conn().unchecked_transaction().map_err(err)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO activity (at, source, kind, task_id, dataset_id, person, old, new, note)
                     VALUES (?1, 'device', 'action', ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(err)?;
            for r in records {
                insert
                    .execute(params![
                        now,
                        r.task_id,
                        r.dataset_id,
                        me,
                        r.kind.as_str(),
                        r.outcome.as_str(),
                        r.note
                    ])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    /// From now on, tasks that appear assigned are news (called once a first pull is in).
    pub fn start_activity(&self) -> Result<(), DbError> {
        if self.meta(SINCE_KEY)?.is_none() {
            self.set_meta(SINCE_KEY, &now_millis().to_string())?;
        }
        Ok(())
    }

    /// Forgets changes older than [`KEEP`] and the oldest past [`MAX_ROWS`]; gives how many.
    pub fn prune_activity(&self, now: i64) -> Result<u64, DbError> {
        let err = |e| DbError::from_sqlite(self.path(), e);
        let cutoff = now - KEEP.as_millis() as i64;
        let old = self
            .conn()
            .execute("DELETE FROM activity WHERE at < ?1", [cutoff])
            .map_err(err)?;
        // Ids only grow: the newest MAX_ROWS have the largest ones.
        let over = self
            .conn()
            .execute(
                "DELETE FROM activity WHERE id <= (SELECT max(id) FROM activity) - ?1",
                [MAX_ROWS],
            )
            .map_err(err)?;
        Ok((old + over) as u64)
    }

    /// Writes recorded changes as they are (benchmarks and tests of the queries).
    #[doc(hidden)]
    pub fn insert_activity(&mut self, entries: &[ActivityEntry]) -> Result<(), DbError> {
        let path = self.path().to_path_buf();
        let err = |e| DbError::from_sqlite(&path, e);
        let tx = self.conn().unchecked_transaction().map_err(err)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO activity (at, source, kind, task_id, dataset_id, person, old, new, note)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(err)?;
            for e in entries {
                insert
                    .execute(params![
                        e.at,
                        e.source.as_str(),
                        e.kind.as_str(),
                        e.task_id,
                        e.dataset_id,
                        e.person,
                        e.old,
                        e.new,
                        e.note
                    ])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }
}
