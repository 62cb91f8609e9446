//! The mirror: the last confirmed server state of datasets and tasks, in its own SQLite
//! file (`mirror.db`). Only pulls and confirmed server answers write here; it never holds
//! a pending intent (that is the outbox) and a pull never touches the outbox.

mod datasets;
mod refresh;
mod schema;
mod tasks;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use crate::db::{self, DbError, Durability};

pub use datasets::DatasetInfo;
pub use refresh::DatasetSchedule;
pub use tasks::{DatasetPull, PullCounts};

/// A connection to a workspace's `mirror.db` (see the module's note).
pub struct Mirror {
    conn: Connection,
    path: PathBuf,
}

impl Mirror {
    /// Opens (creating and migrating if needed) the mirror at `path`: the connection that
    /// pulls and confirmed answers write through.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let conn = db::open(path, Durability::Normal, schema::MIGRATIONS)?;
        // Pulls of large datasets update five B-trees per row; a cache that holds their hot
        // pages (64 MiB, within the memory budget) keeps them from thrashing.
        conn.pragma_update(None, "cache_size", -65_536)
            .map_err(|e| DbError::from_sqlite(path, e))?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// A second connection for reads only (see `Store::mirror_reader`), with a small page
    /// cache: it reads a few rows at a time, never a whole dataset.
    pub fn open_reader(path: &Path) -> Result<Self, DbError> {
        let conn = db::open(path, Durability::Normal, schema::MIGRATIONS)?;
        conn.pragma_update(None, "cache_size", -4_096)
            .map_err(|e| DbError::from_sqlite(path, e))?;
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

    /// A value of the mirror's key-value `meta` table, if set.
    pub fn meta(&self, key: &str) -> Result<Option<String>, DbError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Sets a value of the `meta` table (cleared with everything else by [`Mirror::clear`]).
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), DbError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Forgets everything mirrored, its activity record too (another account connects to
    /// this workspace).
    pub fn clear(&self) -> Result<(), DbError> {
        crate::activity::set_context(&self.conn, None).map_err(|e| self.err(e))?;
        self.conn
            .execute_batch("DELETE FROM validators; DELETE FROM tasks; DELETE FROM delayed; DELETE FROM dataset_users; DELETE FROM stages; DELETE FROM datasets; DELETE FROM meta; DELETE FROM activity;")
            .map_err(|e| self.err(e))
    }

    /// The connection, for the activity record's queries and writes (`crate::activity`).
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}
