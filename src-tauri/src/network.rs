//! What the system says of the network (NetworkManager, on the system bus), as hints:
//!
//! - it came up (`StateChanged` to a connected state): try Deepen now rather than at the
//!   next offline probe, up to 30 s away — a laptop joining a phone hotspot syncs as soon
//!   as it is on it;
//! - it is metered (the `Metered` property; NetworkManager knows a phone's hotspot): rounds
//!   spare it, unless the user's preferences say not to follow the system.
//!
//! Connectivity is still judged from real requests (docs/sync-design.md). Without
//! NetworkManager (another OS, another network daemon) the probe alone finds the network
//! and only the user's own switch says metered.

use tauri::{AppHandle, Manager, Runtime};

use crate::session::AppState;

/// NetworkManager's states from which the network may reach Deepen: connected to the
/// local network (50), to a site (60), or globally (70). A captive portal reads as 50 or
/// 60: the round that follows tells.
fn may_reach(state: u32) -> bool {
    state >= 50
}

/// NetworkManager's `NMMetered`: yes (1) or guessed yes (3); unknown (0), no (2) and
/// guessed no (4) are not.
fn is_metered(value: u32) -> bool {
    matches!(value, 1 | 3)
}

const NM_NAME: &str = "org.freedesktop.NetworkManager";
const NM_PATH: &str = "/org/freedesktop/NetworkManager";

/// Watches the network on threads of their own for the app's lifetime.
pub fn watch<R: Runtime>(app: &AppHandle<R>) {
    #[cfg(target_os = "linux")]
    {
        let up = app.clone();
        spawn("network-state", move || {
            watch_state(|| {
                if let Ok(session) = up.state::<AppState>().session() {
                    session.network_up();
                }
            })
        });
        let metered = app.clone();
        spawn("network-metered", move || {
            watch_metered(|value| metered.state::<AppState>().set_system_metered(value))
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

#[cfg(target_os = "linux")]
fn spawn(name: &str, watch: impl FnOnce() -> zbus::Result<()> + Send + 'static) {
    let what = name.to_string();
    let spawned = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            if let Err(e) = watch() {
                tracing::info!(error = %e, what, "no word from NetworkManager: the offline probe finds the network, and only the user says metered");
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot watch the network");
    }
}

#[cfg(target_os = "linux")]
fn manager(bus: &zbus::blocking::Connection) -> zbus::Result<zbus::blocking::Proxy<'static>> {
    zbus::blocking::Proxy::new(bus, NM_NAME, NM_PATH, NM_NAME)
}

#[cfg(target_os = "linux")]
fn watch_state(mut on_up: impl FnMut()) -> zbus::Result<()> {
    let bus = zbus::blocking::Connection::system()?;
    for signal in manager(&bus)?.receive_signal("StateChanged")? {
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

#[cfg(target_os = "linux")]
fn watch_metered(mut on_change: impl FnMut(bool)) -> zbus::Result<()> {
    let bus = zbus::blocking::Connection::system()?;
    let manager = manager(&bus)?;
    // Subscribed before the first read: a change in between is not missed.
    let changes = manager.receive_property_changed::<u32>("Metered");
    let mut last = is_metered(manager.get_property::<u32>("Metered")?);
    tracing::info!(metered = last, "the system's word on a metered connection");
    on_change(last);
    for change in changes {
        let Ok(value) = change.get() else { continue };
        let metered = is_metered(value);
        if metered != last {
            tracing::info!(metered, "the system's word on a metered connection changed");
            last = metered;
            on_change(metered);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metered_when_network_manager_says_or_guesses_so() {
        assert_eq!(
            [0, 1, 2, 3, 4].map(is_metered),
            [false, true, false, true, false]
        );
    }

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
