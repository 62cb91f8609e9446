//! Private at rest: everything a workspace keeps (the databases and their `-wal`/`-shm`,
//! the account, the lock) is readable by its owner only — folders 0700, files 0600 — and
//! an existing folder or file with looser modes is tightened when it is opened. (On
//! systems without Unix modes these are no-ops; the user's profile folder protects them.)

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` (and its parents) if needed and makes it the owner's only.
pub fn dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    restrict(dir, 0o700)
}

/// Makes an existing file the owner's only; a missing one is fine.
pub fn tighten(path: &Path) -> io::Result<()> {
    match restrict(path, 0o600) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Creates an empty file at `path`, readable by its owner only, unless one is there. Never
/// opens an existing file (closing a handle to a file drops every POSIX lock this process
/// holds on it, SQLite's included).
pub fn create_new(path: &Path) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Opens `path` for writing, creating it readable by its owner only (and tightening an
/// existing one). Does not truncate.
pub fn open_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).write(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    tighten(path)?;
    Ok(file)
}

/// Writes `contents` to a new file at `path` (replacing one), readable by its owner only.
pub fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = open_file(path)?;
    file.set_len(0)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    // Only ever takes permissions away (a 0500 folder stays 0500).
    let wanted = current & mode;
    if wanted != current
        && let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(wanted))
    {
        // A file system without modes (a FAT stick) or a file of another user: it still
        // works, it is just not private; say so rather than refuse to open.
        tracing::warn!(path = %path.display(), error = %e, "cannot make this private");
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(path: &Path, _mode: u32) -> io::Result<()> {
    std::fs::metadata(path).map(drop)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_and_loose_ones_end_owner_only() {
        let root = tempfile::tempdir().unwrap();
        let d = root.path().join("a/b");
        dir(&d).unwrap();
        assert_eq!(mode(&d), 0o700);
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
        dir(&d).unwrap();
        assert_eq!(mode(&d), 0o700);

        let f = d.join("x.json");
        write(&f, b"{}").unwrap();
        assert_eq!(mode(&f), 0o600);
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        tighten(&f).unwrap();
        assert_eq!(mode(&f), 0o600);
        write(&f, b"{\"a\":1}").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"{\"a\":1}");
        tighten(&d.join("missing")).unwrap();
    }
}
