//! Deepen Tasks desktop shell: Tauri commands and events over `dtasks-core`, and the
//! background sync task. No business logic lives here (see `crates/core`).
//!
//! - `commands`: what the window can call; `events`: what it is told;
//! - `session`: the open workspace (account or demo) and its sync task;
//! - `demo`: the built-in Deepen server of demo mode; `error`: errors in plain words;
//! - `bindings`: the typed TypeScript bindings (`ui/src/bindings.ts`), generated;
//! - `rendering`: how the webview paints where there is no GPU.

pub mod bindings;
pub mod command_names;
mod commands;
mod demo;
mod diagnostics;
mod error;
mod events;
mod export;
mod network;
mod notify;
mod opener;
pub mod rendering;
pub mod session;
mod tray;
pub mod updates;

use std::sync::Arc;

use tauri::{Manager, Runtime};

pub use demo::DemoRole;
pub use error::{ErrorKind, ShellError};
use session::{AppState, Notice};

/// The argument of a start at login.
const BACKGROUND_ARG: &str = "--background";

/// How the app starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Open the demo even when an account is configured (`--demo`).
    pub force_demo: bool,
    /// The app's data folder; default: `DTASKS_APP_DIR`, else the platform's.
    pub data_dir: Option<std::path::PathBuf>,
    /// Show a tray icon where the desktop has a tray (the app; not the command tests).
    pub tray: bool,
    /// Follow what the system says of the network (the app; not the command tests, which
    /// the machine's own network must not steer).
    pub network: bool,
    /// Started at login (`--background`): stay in the tray, window hidden, when there is one.
    pub background: bool,
    /// Where updates come from (default: `tauri.conf.json`).
    pub updates: updates::UpdateSettings,
}

/// The app on `builder`, without the plugins that only make sense for the installed app
/// (single instance, window state, log file): command tests build this on Tauri's mock
/// runtime (`tauri::test::mock_builder()`).
pub fn app_builder<R: Runtime>(builder: tauri::Builder<R>, options: Options) -> tauri::Builder<R> {
    let specta = bindings::builder::<R>();
    builder
        // Its JavaScript commands are not in the window's capabilities: the window asks
        // through the app's own commands (`updates`).
        .plugin(tauri_plugin_updater::Builder::new().build())
        // Shown from Rust only (`notify`): no notification command is granted to the window.
        .plugin(tauri_plugin_notification::init())
        // Opens Deepen's web tool from Rust only (`open_in_deepen`): no opener command is
        // granted to the window.
        .plugin(tauri_plugin_opener::init())
        // Start at login: the user's choice (off until they turn it on), from Rust only.
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![BACKGROUND_ARG]),
        ))
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && tray::keeps_running_when_closed(
                    window.app_handle().try_state::<tray::TrayShown>().is_some_and(|t| t.0),
                    window
                        .app_handle()
                        .state::<AppState>()
                        .session()
                        .ok()
                        .and_then(|s| s.workspace.preferences().close_to_tray),
                )
            {
                // Keeps syncing; the tray's Show brings the window back.
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            specta.mount_events(app);
            let root = match &options.data_dir {
                Some(dir) => dir.clone(),
                None => session::data_dir(app.path().app_data_dir().ok())?,
            };
            // Private at rest: the data and log folders are the user's only (the log folder
            // is the platform's, so only when the data folder is too).
            let logs = options
                .data_dir
                .is_none()
                .then(|| app.path().app_log_dir().ok())
                .flatten();
            for dir in std::iter::once(&root).chain(logs.as_ref()) {
                if let Err(e) = dtasks_core::private::dir(dir) {
                    tracing::warn!(error = %e, dir = %dir.display(), "cannot make a folder private");
                }
            }
            let state = AppState::new(&root, options.force_demo);
            state.set_log_dir(app.path().app_log_dir().ok());
            let tray = if options.tray && tray::host_present() {
                tray::install(app.handle())
                    .inspect_err(|e| tracing::warn!(error = %e, "cannot show a tray icon"))
                    .ok()
            } else {
                None
            };
            app.manage(tray::TrayShown(tray.is_some()));
            if options.background
                && tray.is_some()
                && let Some(window) = app.get_webview_window("main")
            {
                let _ = window.hide();
            }
            let handle = app.handle().clone();
            state.set_notify(Arc::new(move |notice| {
                match &notice {
                    Notice::Status(status) => {
                        if let Some(tray) = &tray {
                            tray.show_status(status);
                        }
                    }
                    Notice::RoundReachedServer => updates::on_online(&handle),
                    _ => {}
                }
                events::emit(&handle, notice);
            }));
            app.manage(state);
            if options.network {
                network::watch(app.handle());
            }
            app.manage(opener::Opener::new(app.handle().clone()));
            app.manage(updates::Updates::new(app.handle(), options.updates.clone()));
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let state = handle.state::<AppState>();
                if let Err(e) = state.open_at_start().await {
                    tracing::error!(error = %e, "cannot open the workspace at start");
                }
            });
            Ok(())
        })
}

/// Runs the desktop app.
pub fn run() {
    let options = Options {
        force_demo: std::env::args().any(|a| a == "--demo"),
        tray: true,
        network: true,
        background: std::env::args().any(|a| a == BACKGROUND_ARG),
        data_dir: None,
        updates: updates::UpdateSettings::from_env(),
    };
    let mut builder = app_builder(tauri::Builder::default(), options);
    // One instance per data folder: a second launch focuses the running window and exits.
    // The plugin knows one instance per app, so a launch with its own folder
    // (`DTASKS_APP_DIR`: tests, a second workspace set) runs on its own.
    if std::env::var_os("DTASKS_APP_DIR").is_none_or(|d| d.is_empty()) {
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_window(app);
        }));
    }
    let app = builder
        .plugin(
            tauri_plugin_log::Builder::new()
                .targets([
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::LogDir {
                        file_name: Some("deepen-tasks".into()),
                    }),
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::Stderr),
                ])
                .level(log::LevelFilter::Info)
                // Logs a user may send hold no email and no bearer token.
                .format(|out, message, record| {
                    let now = tauri_plugin_log::TimezoneStrategy::UseUtc.get_now();
                    out.finish(format_args!(
                        "[{}-{:02}-{:02}][{:02}:{:02}:{:02}][{}][{}] {}",
                        now.year(),
                        u8::from(now.month()),
                        now.day(),
                        now.hour(),
                        now.minute(),
                        now.second(),
                        record.target(),
                        record.level(),
                        diagnostics::mask(&message.to_string())
                    ));
                })
                .max_file_size(5_000_000)
                .rotation_strategy(tauri_plugin_log::RotationStrategy::KeepOne)
                .build(),
        )
        .plugin(tauri_plugin_window_state::Builder::new().build())
        .plugin(rendering::plugin())
        .build(tauri::generate_context!("../tauri.conf.json"))
        .unwrap_or_else(|e| {
            eprintln!("Deepen Tasks cannot start: {e}");
            std::process::exit(1);
        });
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            // Stop the sync task and save the demo data before the process ends.
            let state = handle.state::<AppState>();
            tauri::async_runtime::block_on(state.close());
        }
    });
}
