//! A stand-in for the desktop's notification service (`org.freedesktop.Notifications`) on
//! the test's session bus: it keeps every notification the app raises, and clicks one
//! (the `default` action, as a notification's body click does).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

const PATH: &str = "/org/freedesktop/Notifications";

/// One notification as raised.
#[derive(Debug, Clone)]
pub struct Raised {
    pub id: u32,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
}

#[derive(Default)]
struct Service {
    raised: Arc<Mutex<Vec<Raised>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Service {
    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut raised = self.raised.lock().unwrap();
        let id = raised.len() as u32 + 1;
        raised.push(Raised {
            id,
            app_name,
            summary,
            body,
            actions,
        });
        id
    }

    fn close_notification(&self, _id: u32) {}

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "e2e".into(),
            "Deepen Tasks tests".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;
}

/// The service, running while this lives.
pub struct Notifications {
    conn: zbus::Connection,
    raised: Arc<Mutex<Vec<Raised>>>,
}

impl Notifications {
    /// Takes the service's name on the session bus (there must be one).
    pub async fn start() -> Self {
        let service = Service::default();
        let raised = service.raised.clone();
        let conn = zbus::connection::Builder::session()
            .expect("a session bus (the e2e runs under dbus-run-session)")
            .name("org.freedesktop.Notifications")
            .unwrap()
            .serve_at(PATH, service)
            .unwrap()
            .build()
            .await
            .expect("the notification service's name is free");
        Self { conn, raised }
    }

    pub fn raised(&self) -> Vec<Raised> {
        self.raised.lock().unwrap().clone()
    }

    /// Clicks notification `id`.
    pub async fn click(&self, id: u32) {
        self.invoke(id, "default").await;
    }

    /// Invokes one of the actions of notification `id` (a button on it).
    pub async fn invoke(&self, id: u32, action: &str) {
        let iface = self
            .conn
            .object_server()
            .interface::<_, Service>(PATH)
            .await
            .unwrap();
        Service::action_invoked(iface.signal_emitter(), id, action)
            .await
            .unwrap();
    }
}
