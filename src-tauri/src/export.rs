//! Where exports go: the user's downloads folder (`DTASKS_EXPORT_DIR` when set: tests,
//! portable use), under a name that says what and when, never over an existing file.

use std::path::PathBuf;

use dtasks_core::export::Export;

use crate::error::{ErrorKind, ShellError};

/// Where an export was written, and how many rows.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct Exported {
    /// The file.
    pub path: String,
    /// Rows written (besides the header).
    pub rows: u32,
}

/// The file an export of `what` goes to now.
pub fn target(what: &Export) -> Result<PathBuf, ShellError> {
    let dir = match std::env::var_os("DTASKS_EXPORT_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => directories::UserDirs::new()
            .and_then(|u| u.download_dir().map(PathBuf::from))
            .or_else(|| directories::UserDirs::new().map(|u| u.home_dir().to_path_buf()))
            .ok_or_else(|| {
                ShellError::new(ErrorKind::Storage, "This system has no downloads folder.")
            })?,
    };
    let kind = match what {
        Export::Tasks { .. } => "tasks",
        Export::Review { .. } => "review",
        Export::Activity { .. } => "activity",
    };
    let stamp = dtasks_core::export::iso_time(Some(dtasks_core::clock::now_millis()))
        .replace([':', '-'], "")
        .replace('T', "-")
        .trim_end_matches('Z')
        .to_string();
    let base = format!("deepen-tasks-{kind}-{stamp}");
    let mut path = dir.join(format!("{base}.csv"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{base}-{n}.csv"));
        n += 1;
    }
    Ok(path)
}
