//! The system's word on the network (`dtasks_core::network`: NetworkManager on Linux),
//! passed to the open session for the app's lifetime: the network coming up wakes an
//! offline sync task at once; a metered connection is spared while the preferences follow
//! the system.

use tauri::{AppHandle, Manager, Runtime};

use crate::session::AppState;
use dtasks_core::network;

/// Watches the network on threads of their own for the app's lifetime.
pub fn watch<R: Runtime>(app: &AppHandle<R>) {
    let up = app.clone();
    spawn("network-up", move || {
        network::watch_up(|| {
            if let Ok(session) = up.state::<AppState>().session() {
                session.network_up();
            }
        })
    });
    let metered = app.clone();
    spawn("network-metered", move || {
        network::watch_metered(|value| metered.state::<AppState>().set_system_metered(value))
    });
}

fn spawn(
    name: &str,
    watch: impl FnOnce() -> Result<(), network::NetworkWordError> + Send + 'static,
) {
    let what = name.to_string();
    let spawned = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            if let Err(e) = watch() {
                tracing::info!(error = %e, what, "no word from the system on the network: the offline probe finds it, and only the user says metered");
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot watch the network");
    }
}
