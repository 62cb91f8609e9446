//! Opening SQLite files: pragmas, versioned migrations, and errors a person can act on
//! (corrupt, locked by another process, written by a newer version). Both databases of
//! a workspace (the mirror and the outbox) open through here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

/// How long a writer waits for another process's write to finish before giving up. A
/// pull of a very large dataset holds the mirror's write lock for a few seconds; the
/// outbox is never held that long. Past this the user sees "locked", not a hang.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How surely a database's commits reach the disk, chosen per file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: every commit is on disk before it returns (the outbox).
    Full,
    /// `synchronous=NORMAL` in WAL: a power cut may lose the last commits, never corrupt
    /// (the mirror, which a pull can always rebuild).
    Normal,
}

/// A database failure, sorted into the cases a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The file is damaged or is not a SQLite database.
    #[error(
        "the database {path} is damaged ({detail}); nothing was changed — move it aside to start afresh"
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// SQLite's message.
        detail: String,
    },
    /// Another process kept the database busy for longer than [`BUSY_TIMEOUT`].
    #[error("the database {path} is locked by another process")]
    Locked {
        /// The database file.
        path: PathBuf,
    },
    /// The file's schema is newer than this build's migrations know.
    #[error(
        "the database {path} was written by a newer version of Deepen Tasks (schema {found}, this build knows {known}); update the app"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The schema version in the file.
        found: i64,
        /// The newest schema version this build can migrate to.
        known: i64,
    },
    /// A write failed because the disk is full.
    #[error(
        "cannot write the database {path}: the disk is full; free some space — nothing was lost"
    )]
    DiskFull {
        /// The database file.
        path: PathBuf,
    },
    /// The file could not be made or opened.
    #[error("cannot open the database file {path}: {source}")]
    Io {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Any other SQLite failure.
    #[error("database error in {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
}

impl DbError {
    /// Sorts an error of the database at `path` into one of the cases above.
    pub fn from_sqlite(path: &Path, source: rusqlite::Error) -> Self {
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Self::Corrupt {
                path,
                detail: source.to_string(),
            },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Locked { path },
            Some(ErrorCode::DiskFull) => Self::DiskFull { path },
            // A full disk often surfaces as an I/O error (the WAL index cannot grow).
            Some(ErrorCode::SystemIoFailure) if disk_is_full(&path) => Self::DiskFull { path },
            _ => Self::Sqlite { path, source },
        }
    }
}

/// Whether the folder of `path` has no room left: tries to write a small file there.
fn disk_is_full(path: &Path) -> bool {
    let Some(dir) = path.parent() else {
        return false;
    };
    let probe = dir.join(".space-probe");
    let full = matches!(std::fs::write(&probe, [0u8; 4096]), Err(e) if e.kind() == std::io::ErrorKind::StorageFull);
    let _ = std::fs::remove_file(&probe);
    full
}

/// The database file exists and is its owner's only before SQLite opens it: SQLite gives
/// the `-wal` and `-shm` files it makes the database file's mode. Existing ones (made by an
/// older version) are tightened too — by path only: opening and closing a file this
/// process's SQLite connections hold would drop their POSIX locks.
fn make_private(path: &Path) -> Result<(), DbError> {
    let io = |source| DbError::Io {
        path: path.to_path_buf(),
        source,
    };
    crate::private::create_new(path).map_err(io)?;
    crate::private::tighten(path).map_err(io)?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        crate::private::tighten(Path::new(&side)).map_err(io)?;
    }
    Ok(())
}

/// Opens (creating if needed) `path`, sets the pragmas and runs `migrations`: element `i`
/// brings the schema from version `i` to `i + 1`, all of them in one transaction.
pub fn open(
    path: &Path,
    durability: Durability,
    migrations: &[&str],
) -> Result<Connection, DbError> {
    let err = |e| DbError::from_sqlite(path, e);
    make_private(path)?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
    // Processes opening a new database at once (the app and `dtasks`) race for its first
    // WAL switch and migration; SQLite answers some of those races "busy" at once rather
    // than through the busy handler, so the setup is tried again until the busy timeout.
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match set_up(path, &conn, durability, migrations) {
            Err(DbError::Locked { .. }) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e),
            Ok(()) => return Ok(conn),
        }
    }
}

/// The pragmas, then the migrations.
fn set_up(
    path: &Path,
    conn: &Connection,
    durability: Durability,
    migrations: &[&str],
) -> Result<(), DbError> {
    let err = |e| DbError::from_sqlite(path, e);
    // The first statement that reads the file: a corrupt or foreign file fails here.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(err)?;
    let sync = match durability {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", sync).map_err(err)?;
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(err)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(err)?;
    migrate(path, conn, migrations)
}

fn migrate(path: &Path, conn: &Connection, migrations: &[&str]) -> Result<(), DbError> {
    let err = |e| DbError::from_sqlite(path, e);
    let known = migrations.len() as i64;
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(err)?;
    if found > known {
        return Err(DbError::TooNew {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    if found == known {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
    let result = (|| {
        // Re-read inside the write lock: another process may have migrated meanwhile.
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for sql in &migrations[found.min(known) as usize..] {
            conn.execute_batch(sql)?;
        }
        conn.pragma_update(None, "user_version", known)?;
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT").map_err(err),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(err(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "CREATE TABLE t (x INTEGER);";
    const V2: &str = "ALTER TABLE t ADD COLUMN y TEXT;";

    #[test]
    fn migrates_and_refuses_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        drop(open(&path, Durability::Full, &[V1]).unwrap());
        let conn = open(&path, Durability::Full, &[V1, V2]).unwrap();
        conn.execute("INSERT INTO t (x, y) VALUES (1, 'a')", [])
            .unwrap();
        drop(conn);
        let err = open(&path, Durability::Full, &[V1]).unwrap_err();
        assert!(
            matches!(
                err,
                DbError::TooNew {
                    found: 2,
                    known: 1,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn corrupt_file_is_a_clear_error_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.db");
        let garbage = b"this is not a database at all, just some bytes".repeat(100);
        std::fs::write(&path, &garbage).unwrap();
        let err = open(&path, Durability::Full, &[V1]).unwrap_err();
        assert!(matches!(err, DbError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("damaged"));
        assert_eq!(std::fs::read(&path).unwrap(), garbage);
    }
}
