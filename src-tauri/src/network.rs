//! The system's word on the network (`dtasks_core::network`: NetworkManager on Linux),
//! passed to the open session for the app's lifetime: the network coming up wakes an
//! offline sync task at once; a metered connection is spared while the preferences follow
//! the system.

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use crate::session::AppState;
use dtasks_core::network;

/// How long after the system stopped answering it is asked again.
const RETRY: Duration = Duration::from_secs(30);

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

/// Runs `watch` on a thread of its own, again 30 s after it ends: NetworkManager may start
/// after the app (at login) or restart.
fn spawn(
    name: &str,
    mut watch: impl FnMut() -> Result<(), network::NetworkWordError> + Send + 'static,
) {
    let what = name.to_string();
    let spawned = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let mut told = false;
            loop {
                match watch() {
                    Err(network::NetworkWordError::Unsupported) => return,
                    Err(e) if !told => {
                        told = true;
                        tracing::info!(error = %e, what, "no word from the system on the network yet: the offline probe finds it, and only the user says metered");
                    }
                    Err(e) => tracing::debug!(error = %e, what, "still no word on the network"),
                    Ok(()) => tracing::info!(what, "the system stopped speaking of the network"),
                }
                std::thread::sleep(RETRY);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot watch the network");
    }
}
