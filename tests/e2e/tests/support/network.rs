//! A stand-in for NetworkManager: its `StateChanged` signal and `Metered` property, served
//! on the test's session bus, which every app the e2e launches is given as its system bus
//! (`DBUS_SYSTEM_BUS_ADDRESS`, `common::App::launch_with`), or on a bus of a test's own
//! (the CLI's scenarios).

use zbus::object_server::SignalEmitter;

const PATH: &str = "/org/freedesktop/NetworkManager";

/// NM_STATE_CONNECTED_GLOBAL.
pub const CONNECTED_GLOBAL: u32 = 70;
/// NM_METERED_GUESS_YES (a phone's hotspot) and NM_METERED_GUESS_NO.
pub const GUESS_YES: u32 = 3;
pub const GUESS_NO: u32 = 4;

struct Manager {
    metered: u32,
}

#[zbus::interface(name = "org.freedesktop.NetworkManager")]
impl Manager {
    #[zbus(signal)]
    async fn state_changed(emitter: &SignalEmitter<'_>, state: u32) -> zbus::Result<()>;

    #[zbus(property)]
    fn metered(&self) -> u32 {
        self.metered
    }
}

/// The stand-in, running while this lives.
pub struct NetworkManager {
    conn: zbus::Connection,
}

impl NetworkManager {
    /// Takes NetworkManager's name on the session bus (there must be one); the connection
    /// is not metered.
    pub async fn start() -> Self {
        Self::start_metered(GUESS_NO).await
    }

    /// As [`Self::start`], the connection's `Metered` being `metered`.
    pub async fn start_metered(metered: u32) -> Self {
        let bus = zbus::connection::Builder::session()
            .expect("a session bus (the e2e runs under dbus-run-session)");
        Self::serve(bus, metered).await
    }

    /// On the bus at `address`, the connection's `Metered` being `metered`.
    pub async fn start_on(address: &str, metered: u32) -> Self {
        Self::serve(
            zbus::connection::Builder::address(address).unwrap(),
            metered,
        )
        .await
    }

    async fn serve(bus: zbus::connection::Builder<'_>, metered: u32) -> Self {
        let conn = bus
            .serve_at(PATH, Manager { metered })
            .unwrap()
            .build()
            .await
            .expect("the stand-in connects");
        // The previous test's stand-in may still hold the name for a moment after it went.
        for _ in 0..50 {
            if conn
                .request_name("org.freedesktop.NetworkManager")
                .await
                .is_ok()
            {
                return Self { conn };
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("NetworkManager's name stays taken");
    }

    async fn manager(&self) -> zbus::object_server::InterfaceRef<Manager> {
        self.conn
            .object_server()
            .interface::<_, Manager>(PATH)
            .await
            .unwrap()
    }

    /// Says the network's state changed to `state`.
    pub async fn state_changed(&self, state: u32) {
        let iface = self.manager().await;
        Manager::state_changed(iface.signal_emitter(), state)
            .await
            .unwrap();
    }

    /// Changes the connection's `Metered` (and says so, as NetworkManager does).
    pub async fn set_metered(&self, metered: u32) {
        let iface = self.manager().await;
        iface.get_mut().await.metered = metered;
        iface
            .get()
            .await
            .metered_changed(iface.signal_emitter())
            .await
            .unwrap();
    }
}
