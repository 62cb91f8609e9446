//! The system's word that the network came up (NetworkManager's `StateChanged`, on the
//! system bus): a hint to try Deepen now rather than at the next offline probe, up to 30 s
//! away — a laptop joining a phone hotspot syncs as soon as it is on it. Only a hint:
//! connectivity is still judged from real requests (docs/sync-design.md). Without
//! NetworkManager (another OS, another network daemon) the probe alone finds the network.

use tauri::{AppHandle, Manager, Runtime};

use crate::session::AppState;

/// NetworkManager's states from which the network may reach Deepen: connected to the
/// local network (50), to a site (60), or globally (70). A captive portal reads as 50 or
/// 60: the round that follows tells.
fn may_reach(state: u32) -> bool {
    state >= 50
}

/// Watches the network on a thread of its own for the app's lifetime.
pub fn watch<R: Runtime>(app: &AppHandle<R>) {
    #[cfg(target_os = "linux")]
    {
        let app = app.clone();
        let spawned = std::thread::Builder::new()
            .name("network-watch".into())
            .spawn(move || {
                if let Err(e) = watch_network_manager(|| network_up(&app)) {
                    tracing::info!(error = %e, "no network change signals from NetworkManager: the offline probe finds the network");
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot watch the network");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

fn network_up<R: Runtime>(app: &AppHandle<R>) {
    if let Ok(session) = app.state::<AppState>().session() {
        session.network_up();
    }
}

#[cfg(target_os = "linux")]
fn watch_network_manager(mut on_up: impl FnMut()) -> zbus::Result<()> {
    let bus = zbus::blocking::Connection::system()?;
    let manager = zbus::blocking::Proxy::new(
        &bus,
        "org.freedesktop.NetworkManager",
        "/org/freedesktop/NetworkManager",
        "org.freedesktop.NetworkManager",
    )?;
    for signal in manager.receive_signal("StateChanged")? {
        match signal.body().deserialize::<u32>() {
            Ok(state) if may_reach(state) => {
                tracing::info!(state, "the network is up: trying Deepen now");
                on_up();
            }
            Ok(state) => tracing::info!(state, "the network went down"),
            Err(e) => tracing::warn!(error = %e, "a StateChanged that does not parse"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connected_states_may_reach_deepen() {
        // NM_STATE_UNKNOWN, ASLEEP, DISCONNECTED, DISCONNECTING, CONNECTING: no.
        for state in [0, 10, 20, 30, 40] {
            assert!(!may_reach(state), "{state}");
        }
        // CONNECTED_LOCAL, CONNECTED_SITE, CONNECTED_GLOBAL: try.
        for state in [50, 60, 70] {
            assert!(may_reach(state), "{state}");
        }
    }
}
