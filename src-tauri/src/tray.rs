//! The tray icon: the sync state at a glance (online or offline, actions waiting, actions
//! needing a decision) and *Sync now*, *Show* and *Quit*; with it, closing the window can
//! keep the app syncing in the background (a preference, on by default where the desktop
//! shows tray icons). Installed only where a tray host exists: on Linux, a
//! StatusNotifierWatcher on the session bus (GNOME without its AppIndicator extension has
//! none, and an icon nobody shows would leave a closed app running unseen).

use dtasks_core::{Connectivity, SyncStatus};
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

use crate::session::AppState;

/// Whether this desktop shows tray icons.
pub fn host_present() -> bool {
    #[cfg(target_os = "linux")]
    {
        let owner = || -> zbus::Result<bool> {
            let bus = zbus::blocking::Connection::session()?;
            let reply = bus.call_method(
                Some("org.freedesktop.DBus"),
                "/org/freedesktop/DBus",
                Some("org.freedesktop.DBus"),
                "NameHasOwner",
                &("org.kde.StatusNotifierWatcher",),
            )?;
            reply.body().deserialize::<bool>()
        };
        owner().unwrap_or(false)
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

/// The tray menu's first line: the state in words.
pub fn status_line(s: &SyncStatus) -> String {
    let waiting = match s.pending {
        0 => None,
        1 => Some("1 action waiting".to_string()),
        n => Some(format!("{n} actions waiting")),
    };
    let decide = match s.needs_attention {
        0 => None,
        1 => Some("1 needs your decision".to_string()),
        n => Some(format!("{n} need your decision")),
    };
    let state = match s.connectivity {
        Connectivity::Online if waiting.is_none() && decide.is_none() => "Online, all synced",
        Connectivity::Online => "Online",
        Connectivity::Offline => "Offline",
        Connectivity::NeedsSignIn => "Sign-in needed",
    };
    [Some(state.to_string()), waiting, decide]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Whether the tray icon is shown (managed state).
pub struct TrayShown(pub bool);

/// The installed tray: its status line follows the sync status.
pub struct Tray<R: Runtime> {
    status: MenuItem<R>,
}

impl<R: Runtime> Tray<R> {
    pub fn show_status(&self, s: &SyncStatus) {
        let line = status_line(s);
        if let Err(e) = self.status.set_text(&line) {
            tracing::warn!(error = %e, "cannot update the tray's status line");
        }
        if let Some(tray) = self.status.app_handle().tray_by_id("main") {
            let _ = tray.set_tooltip(Some(format!("Deepen Tasks — {line}")));
        }
    }
}

/// Installs the tray icon and its menu.
pub fn install<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Tray<R>> {
    let status = MenuItem::with_id(app, "status", "Starting…", false, None::<&str>)?;
    let sync = MenuItem::with_id(app, "sync", "Sync now", true, None::<&str>)?;
    let show = MenuItem::with_id(app, "show", "Show Deepen Tasks", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&status, &sync, &show, &quit])?;
    let mut tray = TrayIconBuilder::with_id("main")
        .tooltip("Deepen Tasks")
        .menu(&menu)
        .on_menu_event(|app, event| on_menu(app, event.id.as_ref()));
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(Tray { status })
}

/// What a menu entry does.
pub fn on_menu<R: Runtime>(app: &AppHandle<R>, id: &str) {
    match id {
        "sync" => {
            if let Ok(session) = app.state::<AppState>().session() {
                session.sync_soon();
            }
        }
        "show" => show_window(app),
        "quit" => app.exit(0),
        _ => {}
    }
}

/// Brings the window back (from the tray, a notification, a second launch).
pub fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Whether closing the window keeps the app running in the tray.
pub fn keeps_running_when_closed(tray_installed: bool, preference: Option<bool>) -> bool {
    tray_installed && preference.unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(connectivity: Connectivity, pending: u64, needs_attention: u64) -> SyncStatus {
        SyncStatus {
            connectivity,
            syncing: false,
            pending,
            needs_attention,
            last_sync_at: None,
            last_error: None,
            metered: false,
        }
    }

    #[test]
    fn the_status_line_says_connectivity_waiting_and_decisions() {
        assert_eq!(
            status_line(&status(Connectivity::Online, 0, 0)),
            "Online, all synced"
        );
        assert_eq!(
            status_line(&status(Connectivity::Offline, 3, 1)),
            "Offline · 3 actions waiting · 1 needs your decision"
        );
        assert_eq!(
            status_line(&status(Connectivity::Online, 1, 0)),
            "Online · 1 action waiting"
        );
        assert_eq!(
            status_line(&status(Connectivity::NeedsSignIn, 0, 2)),
            "Sign-in needed · 2 need your decision"
        );
    }

    #[test]
    fn closing_keeps_the_app_in_the_tray_only_where_one_is_shown_and_wanted() {
        assert!(keeps_running_when_closed(true, None));
        assert!(!keeps_running_when_closed(true, Some(false)));
        assert!(!keeps_running_when_closed(false, None));
        assert!(!keeps_running_when_closed(false, Some(true)));
    }

    #[test]
    fn a_session_bus_without_a_status_notifier_watcher_has_no_tray() {
        // Under `dbus-run-session` (CI, the e2e) nothing owns the watcher's name; with no
        // session bus at all there is no tray either.
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
            && std::env::var_os("XDG_CURRENT_DESKTOP").is_none()
        {
            assert!(!host_present());
        }
    }
}
