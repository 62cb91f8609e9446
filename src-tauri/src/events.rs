//! The events the shell sends the window (typed in the generated bindings).

use dtasks_core::{SyncStatus, ViewChange};
use tauri::{AppHandle, Runtime};
use tauri_specta::Event;

use crate::session::Notice;

/// The sync status changed (connectivity, queue counts, last sync).
#[derive(Debug, Clone, serde::Serialize, specta::Type, tauri_specta::Event)]
pub struct SyncStatusChanged(pub SyncStatus);

/// These views changed (by a local action or a sync round): re-query exactly those.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct DataChanged {
    /// The views that changed.
    pub views: Vec<ViewChange>,
}

/// Another account (or the demo, or none) is open now, or changes were missed: reload
/// everything.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct SessionChanged;

/// What the app knows about updates changed (found one, checking, installing, failed).
#[derive(Debug, Clone, serde::Serialize, specta::Type, tauri_specta::Event)]
pub struct UpdateStateChanged(pub crate::updates::UpdateState);

/// A sync round brought news (tasks assigned, rejected, late; actions to decide): the
/// window shows a badge; `shown` says whether desktop notifications told it too (the window
/// was not in front).
#[derive(Debug, Clone, serde::Serialize, specta::Type, tauri_specta::Event)]
pub struct NewsArrived {
    /// The news, one per kind and dataset.
    pub notices: Vec<dtasks_core::notices::Notice>,
    /// Shown as desktop notifications too.
    pub shown: bool,
}

/// The user clicked a notification: show what it names (its tasks in My tasks; the sync
/// centre for actions to decide).
#[derive(Debug, Clone, serde::Serialize, specta::Type, tauri_specta::Event)]
pub struct NoticeOpened {
    /// The notice clicked.
    pub notice: dtasks_core::notices::Notice,
}

pub fn notice_opened<R: Runtime>(app: &AppHandle<R>, notice: dtasks_core::notices::Notice) {
    if let Err(e) = (NoticeOpened { notice }).emit(app) {
        tracing::warn!(error = %e, "cannot send an event to the window");
    }
}

pub fn emit<R: Runtime>(app: &AppHandle<R>, notice: Notice) {
    let result = match notice {
        Notice::News(notices) => {
            let shown = crate::notify::deliver(app, &notices);
            NewsArrived { notices, shown }.emit(app)
        }
        Notice::Status(status) => SyncStatusChanged(status).emit(app),
        Notice::DataChanged(views) => DataChanged { views }.emit(app),
        Notice::SessionChanged => SessionChanged.emit(app),
        Notice::Update(state) => UpdateStateChanged(state).emit(app),
        // For the shell alone.
        Notice::RoundReachedServer => return,
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot send an event to the window");
    }
}
