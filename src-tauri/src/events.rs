//! The events the shell sends the window (typed in the generated bindings).

use dtasks_core::SyncStatus;
use tauri::{AppHandle, Runtime};
use tauri_specta::Event;

use crate::session::Notice;

/// The sync status changed (connectivity, queue counts, last sync).
#[derive(Debug, Clone, serde::Serialize, specta::Type, tauri_specta::Event)]
pub struct SyncStatusChanged(pub SyncStatus);

/// Tasks, counts or the queue may have changed: re-query what is shown.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct DataChanged;

/// Another account (or the demo, or none) is open now: reload everything.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct SessionChanged;

pub fn emit<R: Runtime>(app: &AppHandle<R>, notice: Notice) {
    let result = match notice {
        Notice::Status(status) => SyncStatusChanged(status).emit(app),
        Notice::DataChanged => DataChanged.emit(app),
        Notice::SessionChanged => SessionChanged.emit(app),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot send an event to the window");
    }
}
