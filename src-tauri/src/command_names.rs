// The names of the app's commands: the one list `build.rs` declares to Tauri (so each is
// checked against the capabilities). `bindings.rs` must collect the same commands and
// `capabilities/default.json` must allow each; a test of `bindings.rs` fails otherwise.
// (Included by `build.rs` too, hence no doc comments or attributes that need the crate.)

/// Every command the window may call, by name.
pub const COMMANDS: &[&str] = &[
    "session",
    "connect",
    "sign_out",
    "start_demo",
    "datasets",
    "tasks",
    "counts",
    "act",
    "assign",
    "balance",
    "balance_preview",
    "undo",
    "queue",
    "resolve",
    "sync_status",
    "sync_now",
    "set_shown",
    "preferences",
    "set_preferences",
    "diagnostics",
    "update_state",
    "check_for_update",
    "install_update",
    "task_history",
    "activity",
    "review",
    "export_csv",
    "open_in_deepen",
    "desktop_settings",
    "set_start_at_login",
];
