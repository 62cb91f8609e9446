//! Opening Deepen's web tool in the system browser. The address comes from the core
//! (`Workspace::web_task_url`: https, or http to this machine, on the address template's
//! host); the window never gets the opener's own commands.
//!
//! Tests cannot watch a browser start: a debug build with `DTASKS_OPENED_URLS` set writes
//! each address to that file instead of opening it (a release build ignores the variable).

use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;

use crate::error::{ErrorKind, ShellError};

/// Opens addresses in the system browser (managed state: commands need no app handle).
pub struct Opener(Box<OpenUrl>);

type OpenUrl = dyn Fn(&str) -> Result<(), ShellError> + Send + Sync;

impl Opener {
    pub fn new<R: Runtime>(app: AppHandle<R>) -> Self {
        Self(Box::new(move |url| open(&app, url)))
    }

    pub fn open(&self, url: &str) -> Result<(), ShellError> {
        (self.0)(url)
    }
}

fn open<R: Runtime>(app: &AppHandle<R>, url: &str) -> Result<(), ShellError> {
    if cfg!(debug_assertions)
        && let Some(log) = std::env::var_os("DTASKS_OPENED_URLS").filter(|v| !v.is_empty())
    {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| {
                ShellError::new(ErrorKind::Other, format!("Cannot note the address: {e}"))
            })?;
        return writeln!(file, "{url}").map_err(|e| {
            ShellError::new(ErrorKind::Other, format!("Cannot note the address: {e}"))
        });
    }
    app.opener().open_url(url, None::<&str>).map_err(|e| {
        ShellError::new(
            ErrorKind::Other,
            format!("Could not open the browser for {url}: {e}. Copy the address into a browser instead."),
        )
    })
}
