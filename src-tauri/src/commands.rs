//! The commands the window calls: each a thin call into `dtasks_core::Workspace` on the
//! open session. After a local change the shell nudges the sync task and tells the window
//! what changed (the window re-queries; it never polls).

use dtasks_core::activity::{ActivityEntry, ActivityPage, ActivityQuery, ReviewQuery, ReviewRow};
use dtasks_core::balance::Share;
use dtasks_core::engine::Shown;
use dtasks_core::export::Export;
use dtasks_core::mirror::DatasetInfo;
use dtasks_core::outbox::Resolution;
use dtasks_core::view::{Count, CountBy, TaskPage, TaskQuery};
use dtasks_core::workspace::ConnectReport;
use dtasks_core::{ActionKind, Changes, Op, Preferences, Sensitive, SyncStatus};
use tauri::State;

use crate::demo::DemoRole;
use crate::error::{ErrorKind, ShellError};
use crate::export::Exported;
use crate::session::{AppState, Notice, SessionInfo, SessionMode};
use crate::updates::{UpdateState, Updates};

type Result<T> = std::result::Result<T, ShellError>;

/// Who is signed in, where (demo, account, or nobody).
#[tauri::command]
#[specta::specta]
pub async fn session(state: State<'_, AppState>) -> Result<SessionInfo> {
    Ok(state.info())
}

/// Connects a Deepen account and opens it. The token goes to the OS credential store and
/// never comes back to the window.
#[tauri::command]
#[specta::specta]
pub async fn connect(
    state: State<'_, AppState>,
    server: String,
    client_id: String,
    email: String,
    token: String,
) -> Result<ConnectReport> {
    state
        .connect(
            server.trim(),
            client_id.trim(),
            email.trim(),
            Sensitive::new(token.trim().to_string()),
        )
        .await
}

/// Forgets the token of the open account and shows the connect screen.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>) -> Result<()> {
    state.sign_out().await
}

/// Opens the demo (built-in server with sample data) as its manager, or as one of its
/// annotators; each has a queue of their own.
#[tauri::command]
#[specta::specta]
pub async fn start_demo(state: State<'_, AppState>, role: Option<DemoRole>) -> Result<()> {
    state.start_demo(role.unwrap_or_default()).await
}

/// The mirrored datasets, with their stages, people and task counts.
#[tauri::command]
#[specta::specta]
pub async fn datasets(state: State<'_, AppState>) -> Result<Vec<DatasetInfo>> {
    Ok(state.session()?.workspace.datasets()?)
}

/// A filtered, sorted page of tasks as the user sees them (pending changes laid over).
#[tauri::command]
#[specta::specta]
pub async fn tasks(state: State<'_, AppState>, query: TaskQuery) -> Result<TaskPage> {
    Ok(state.session()?.workspace.tasks(&query)?)
}

/// Task counts of a dataset by assignee, stage or status.
#[tauri::command]
#[specta::specta]
pub async fn counts(
    state: State<'_, AppState>,
    dataset_id: String,
    stage_id: Option<String>,
    by: CountBy,
) -> Result<Vec<Count>> {
    Ok(state
        .session()?
        .workspace
        .counts(&dataset_id, stage_id.as_deref(), by)?)
}

/// Submits, accepts or rejects tasks (all or none), durably and at once; syncs later.
/// Returns how many actions were queued.
#[tauri::command]
#[specta::specta]
pub async fn act(
    state: State<'_, AppState>,
    kind: ActionKind,
    task_ids: Vec<String>,
    reason: Option<String>,
) -> Result<u32> {
    let session = state.session()?;
    let queued = session.workspace.act(kind, &task_ids, reason.as_deref())?;
    changed(&state, &session, queued.changes);
    Ok(queued.value.len() as u32)
}

/// Reassigns tasks (`None` unassigns). Moving a task back before it synced cancels the
/// move, which is how undo works.
#[tauri::command]
#[specta::specta]
pub async fn assign(
    state: State<'_, AppState>,
    task_ids: Vec<String>,
    assignee: Option<String>,
) -> Result<u32> {
    let session = state.session()?;
    let queued = session.workspace.assign(&task_ids, assignee.as_deref())?;
    changed(&state, &session, queued.changes);
    Ok(queued.value.len() as u32)
}

/// Spreads the unassigned open tasks of a stage over the chosen annotators by load.
#[tauri::command]
#[specta::specta]
pub async fn balance(
    state: State<'_, AppState>,
    dataset_id: String,
    stage_id: String,
    annotators: Vec<String>,
) -> Result<Vec<Share>> {
    let session = state.session()?;
    let shares = session
        .workspace
        .balance(&dataset_id, &stage_id, &annotators)?;
    changed(&state, &session, shares.changes);
    Ok(shares.value)
}

/// Takes back submits, accepts and rejects of these tasks not sent yet; gives the tasks
/// taken back (one being sent or done cannot be).
#[tauri::command]
#[specta::specta]
pub async fn undo(state: State<'_, AppState>, task_ids: Vec<String>) -> Result<Vec<String>> {
    let session = state.session()?;
    let undone = session.workspace.undo(&task_ids)?;
    changed(&state, &session, undone.changes);
    Ok(undone.value)
}

/// What balancing would do now (who gets how many), without doing it.
#[tauri::command]
#[specta::specta]
pub async fn balance_preview(
    state: State<'_, AppState>,
    dataset_id: String,
    stage_id: String,
    annotators: Vec<String>,
) -> Result<Vec<Share>> {
    Ok(state
        .session()?
        .workspace
        .balance_preview(&dataset_id, &stage_id, &annotators)?)
}

/// Every action not yet done, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn queue(state: State<'_, AppState>) -> Result<Vec<Op>> {
    Ok(state.session()?.workspace.queue(false)?)
}

/// The user's decision on an action that needs attention.
#[tauri::command]
#[specta::specta]
pub async fn resolve(
    state: State<'_, AppState>,
    op_id: String,
    resolution: Resolution,
) -> Result<()> {
    let session = state.session()?;
    let resolved = session.workspace.resolve(&op_id, resolution)?;
    changed(&state, &session, resolved.changes);
    Ok(())
}

/// The sync status: as last recorded, with the queue's counts of now and whether a round
/// runs.
#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus> {
    state.session()?.status()
}

/// Syncs now — sends what waits and refreshes everything — instead of waiting for the
/// next scheduled round.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> Result<()> {
    state.session()?.sync_soon();
    Ok(())
}

/// What the window shows now (the board's dataset, the delayed list): refreshed every
/// round while shown, the rest only when due — or never, on a metered connection.
#[tauri::command]
#[specta::specta]
pub async fn set_shown(state: State<'_, AppState>, shown: Shown) -> Result<()> {
    state.session()?.set_shown(shown);
    Ok(())
}

/// This workspace's preferences (shared with the CLI).
#[tauri::command]
#[specta::specta]
pub async fn preferences(state: State<'_, AppState>) -> Result<Preferences> {
    Ok(state.session()?.workspace.preferences())
}

/// Saves this workspace's preferences; the sync task follows them at once.
#[tauri::command]
#[specta::specta]
pub async fn set_preferences(state: State<'_, AppState>, preferences: Preferences) -> Result<()> {
    state.session()?.set_preferences(&preferences)
}

/// A report for a bug: the app's version, the platform, the sync status and queue counts,
/// the last log lines — emails masked, never a token.
#[tauri::command]
#[specta::specta]
pub async fn diagnostics(state: State<'_, AppState>) -> Result<String> {
    Ok(crate::diagnostics::report(
        &state,
        state.log_dir().as_deref(),
    ))
}

/// What the app knows about updates.
#[tauri::command]
#[specta::specta]
pub async fn update_state(updates: State<'_, Updates>) -> Result<UpdateState> {
    Ok(updates.state())
}

/// Looks for an update now ("Check for updates"); not in demo mode.
#[tauri::command]
#[specta::specta]
pub async fn check_for_update(
    state: State<'_, AppState>,
    updates: State<'_, Updates>,
) -> Result<UpdateState> {
    if state.info().mode == SessionMode::Demo {
        return Err(ShellError::new(
            ErrorKind::NotAllowed,
            "Updates are not checked in demo mode. Connect your Deepen account first.",
        ));
    }
    updates.check().await
}

/// Downloads the offered update, checks its signature, installs it and restarts the app.
/// Nothing is installed when the signature does not match.
#[tauri::command]
#[specta::specta]
pub async fn install_update(updates: State<'_, Updates>) -> Result<()> {
    updates.install().await?;
    updates.restart();
    Ok(())
}

/// After a local change: the status's counts, the views the operation changed, and a
/// nudge so the sync task sends it.
fn changed(state: &AppState, session: &crate::session::Session, changes: Changes) {
    if let Some(status) = session.queue_changed() {
        state.notify(Notice::Status(status));
    }
    state.notify(Notice::DataChanged(changes.into_vec()));
    session.nudge();
}

/// Everything this device recorded of one task (who had it, status changes, rejects with
/// reasons, this device's actions), oldest first.
#[tauri::command]
#[specta::specta]
pub async fn task_history(
    state: State<'_, AppState>,
    task_id: String,
) -> Result<Vec<ActivityEntry>> {
    Ok(state.session()?.workspace.task_history(&task_id)?)
}

/// A page of the activity this device recorded, newest first.
#[tauri::command]
#[specta::specta]
pub async fn activity(state: State<'_, AppState>, query: ActivityQuery) -> Result<ActivityPage> {
    Ok(state.session()?.workspace.activity(&query)?)
}

/// The review panel: per person, for a period, from what this device recorded.
#[tauri::command]
#[specta::specta]
pub async fn review(state: State<'_, AppState>, query: ReviewQuery) -> Result<Vec<ReviewRow>> {
    Ok(state.session()?.workspace.review(&query)?)
}

/// Writes a task list, the review panel or the activity list as a CSV file in the
/// downloads folder; gives where.
#[tauri::command]
#[specta::specta]
pub async fn export_csv(state: State<'_, AppState>, what: Export) -> Result<Exported> {
    let session = state.session()?;
    let path = crate::export::target(&what)?;
    let rows = session.workspace.export_csv(&what, &path)?;
    Ok(Exported {
        path: path.display().to_string(),
        rows: rows as u32,
    })
}

/// Opens the task in Deepen's web tool in the system browser: the account's address for
/// it (only on that address's host), never while offline (the page needs the network).
#[tauri::command]
#[specta::specta]
pub async fn open_in_deepen(
    opener: State<'_, crate::opener::Opener>,
    state: State<'_, AppState>,
    task_id: String,
) -> Result<String> {
    let session = state.session()?;
    if session.workspace.status()?.connectivity == dtasks_core::Connectivity::Offline {
        return Err(ShellError::new(
            ErrorKind::Server,
            "Deepen's page for this task needs the network, and this computer is offline. Your work here goes on; open it once you are back online.",
        ));
    }
    let url = session.workspace.web_task_url(&task_id)?;
    opener.open(&url)?;
    Ok(url)
}

/// What the desktop offers: a tray (then closing the window can keep the app syncing),
/// and whether the app starts at login.
#[tauri::command]
#[specta::specta]
pub async fn desktop_settings(
    tray: State<'_, crate::tray::TrayShown>,
    autostart: State<'_, tauri_plugin_autostart::AutoLaunchManager>,
) -> Result<DesktopSettings> {
    Ok(DesktopSettings {
        tray: tray.0,
        start_at_login: autostart.is_enabled().unwrap_or(false),
    })
}

/// Starts the app at login (in the tray, when there is one), or stops doing so.
#[tauri::command]
#[specta::specta]
pub async fn set_start_at_login(
    autostart: State<'_, tauri_plugin_autostart::AutoLaunchManager>,
    enabled: bool,
) -> Result<bool> {
    let done = if enabled {
        // The launcher writes ~/.config/autostart/ but does not make its parent folders.
        #[cfg(target_os = "linux")]
        if let Some(home) = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()) {
            let _ = std::fs::create_dir_all(home.join(".config/autostart"));
        }
        autostart.enable()
    } else {
        autostart.disable()
    };
    done.map_err(|e| {
        ShellError::new(
            ErrorKind::Storage,
            format!("Could not change how the app starts at login: {e}."),
        )
    })?;
    Ok(autostart.is_enabled().unwrap_or(false))
}

/// What the desktop offers (see `desktop_settings`).
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct DesktopSettings {
    /// The desktop shows the app's tray icon.
    pub tray: bool,
    /// The app starts at login.
    pub start_at_login: bool,
}
