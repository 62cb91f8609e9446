//! What the system says of the network, for every front end: on Linux, NetworkManager on
//! the system bus. Hints only — connectivity is judged from real requests
//! (docs/sync-design.md):
//!
//! - the network came up (`StateChanged` to a connected state): try Deepen now rather than
//!   at the next offline probe (`SyncEngine::network_up`);
//! - the connection is metered (the `Metered` property; NetworkManager recognises a
//!   phone's hotspot): rounds spare it while the preferences follow the system
//!   (`Preferences::metered_now`).
//!
//! Without NetworkManager (another OS, another network daemon) the system says nothing:
//! the offline probe finds the network and only the user's switch says metered.

/// Why the system's word could not be had.
#[derive(Debug, thiserror::Error)]
pub enum NetworkWordError {
    /// No system bus, or no NetworkManager on it.
    #[cfg(target_os = "linux")]
    #[error("NetworkManager cannot be asked: {0}")]
    Bus(#[from] zbus::Error),
    /// This platform has no such word here.
    #[error("this platform's network service is not asked")]
    Unsupported,
}

/// NetworkManager's states from which the network may reach Deepen: connected to the
/// local network (50), to a site (60), or globally (70). A captive portal reads as 50 or
/// 60: the round that follows tells.
pub fn may_reach(state: u32) -> bool {
    state >= 50
}

/// NetworkManager's `NMMetered`: yes (1) or guessed yes (3); unknown (0), no (2) and
/// guessed no (4) are not.
pub fn is_metered(value: u32) -> bool {
    matches!(value, 1 | 3)
}

/// Whether the system says the connection is metered now (one question; for a short-lived
/// front end such as the CLI).
pub fn system_says_metered() -> Result<bool, NetworkWordError> {
    #[cfg(target_os = "linux")]
    {
        let bus = nm::system_bus()?;
        Ok(is_metered(
            nm::manager(&bus)?.get_property::<u32>("Metered")?,
        ))
    }
    #[cfg(not(target_os = "linux"))]
    Err(NetworkWordError::Unsupported)
}

/// Calls `on_up` each time the network comes up, for as long as the system speaks (blocks:
/// run it on a thread of its own).
pub fn watch_up(mut on_up: impl FnMut()) -> Result<(), NetworkWordError> {
    #[cfg(target_os = "linux")]
    {
        let bus = nm::system_bus()?;
        for signal in nm::manager(&bus)?.receive_signal("StateChanged")? {
            match signal.body().deserialize::<u32>() {
                Ok(state) if may_reach(state) => {
                    tracing::info!(state, "the network is up");
                    on_up();
                }
                Ok(state) => tracing::info!(state, "the network went down"),
                Err(e) => tracing::warn!(error = %e, "a StateChanged that does not parse"),
            }
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = &mut on_up;
        Err(NetworkWordError::Unsupported)
    }
}

/// Calls `on_change` with whether the connection is metered, first now and then at each
/// change, for as long as the system speaks (blocks: run it on a thread of its own).
pub fn watch_metered(mut on_change: impl FnMut(bool)) -> Result<(), NetworkWordError> {
    #[cfg(target_os = "linux")]
    {
        let bus = nm::system_bus()?;
        let manager = nm::manager(&bus)?;
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
    #[cfg(not(target_os = "linux"))]
    {
        let _ = &mut on_change;
        Err(NetworkWordError::Unsupported)
    }
}

#[cfg(target_os = "linux")]
mod nm {
    use std::time::Duration;

    const NAME: &str = "org.freedesktop.NetworkManager";
    const PATH: &str = "/org/freedesktop/NetworkManager";

    /// The system bus, where a question unanswered in 2 s is no answer (D-Bus's own
    /// default is 25 s: a hung NetworkManager must not stall a command).
    pub fn system_bus() -> zbus::Result<zbus::blocking::Connection> {
        zbus::blocking::connection::Builder::system()?
            .method_timeout(Duration::from_secs(2))
            .build()
    }

    pub fn manager(
        bus: &zbus::blocking::Connection,
    ) -> zbus::Result<zbus::blocking::Proxy<'static>> {
        zbus::blocking::Proxy::new(bus, NAME, PATH, NAME)
    }
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
