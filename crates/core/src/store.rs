//! The files of one workspace (one account): the mirror, the outbox and the reader over
//! both, each behind its own lock so that a long pull never blocks an enqueue or a query.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::db::DbError;
use crate::mirror::Mirror;
use crate::outbox::Outbox;
use crate::view::View;

/// The mirror's file name in a workspace folder.
pub const MIRROR_FILE: &str = "mirror.db";
/// The outbox's file name in a workspace folder.
pub const OUTBOX_FILE: &str = "outbox.db";

/// The open databases of one workspace folder (see the module's note).
pub struct Store {
    dir: PathBuf,
    mirror: Mutex<Mirror>,
    /// A second connection to mirror.db for reads outside the view (a task's server state
    /// before an enqueue, the dataset list): WAL lets it read while a pull holds the
    /// writer for seconds, so actions and the window never wait for a pull.
    mirror_reader: Mutex<Mirror>,
    outbox: Mutex<Outbox>,
    view: Mutex<View>,
}

impl Store {
    /// Opens (creating and migrating if needed) the databases in `dir`.
    pub fn open(dir: &Path) -> Result<Self, DbError> {
        // The outbox first: if the mirror is damaged, the queue is still known good.
        let outbox = Outbox::open(&dir.join(OUTBOX_FILE))?;
        let mirror = Mirror::open(&dir.join(MIRROR_FILE))?;
        let view = View::open(mirror.path(), outbox.path())?;
        let mirror_reader = Mirror::open_reader(mirror.path())?;
        Ok(Self {
            dir: dir.to_path_buf(),
            mirror: Mutex::new(mirror),
            mirror_reader: Mutex::new(mirror_reader),
            outbox: Mutex::new(outbox),
            view: Mutex::new(view),
        })
    }

    /// The workspace folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    // A panic while holding a lock leaves SQLite consistent (the transaction rolls back),
    // so a poisoned lock is safe to keep using.
    /// The mirror's writing connection (waits while a pull holds it).
    pub fn mirror(&self) -> MutexGuard<'_, Mirror> {
        self.mirror.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads of the mirror that must not wait for a pull (never write through it).
    pub fn mirror_reader(&self) -> MutexGuard<'_, Mirror> {
        self.mirror_reader.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The outbox (the queue of actions).
    pub fn outbox(&self) -> MutexGuard<'_, Outbox> {
        self.outbox.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The reader of what the user sees.
    pub fn view(&self) -> MutexGuard<'_, View> {
        self.view.lock().unwrap_or_else(|p| p.into_inner())
    }
}
