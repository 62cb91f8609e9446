//! A stand-in for the desktop's tray host (`org.kde.StatusNotifierWatcher`) on the test's
//! session bus: the app shows its tray icon only where one exists. It keeps the items that
//! register, reads an item's menu (`com.canonical.dbusmenu`, as a panel does) and clicks
//! its entries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zbus::message::Header;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

#[derive(Default)]
struct Watcher {
    items: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(&self, service: String, #[zbus(header)] header: Header<'_>) {
        // An item names its bus name, or only its object path (then it is the sender's).
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        let item = if service.starts_with('/') {
            format!("{sender}{service}")
        } else {
            service
        };
        self.items.lock().unwrap().push(item);
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// The tray host, running while this lives.
pub struct TrayHost {
    conn: zbus::Connection,
    items: Arc<Mutex<Vec<String>>>,
}

/// One menu entry: its id and label.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
}

impl TrayHost {
    pub async fn start() -> Self {
        let watcher = Watcher::default();
        let items = watcher.items.clone();
        let conn = zbus::connection::Builder::session()
            .expect("a session bus (the e2e runs under dbus-run-session)")
            .name("org.kde.StatusNotifierWatcher")
            .unwrap()
            .serve_at("/StatusNotifierWatcher", watcher)
            .unwrap()
            .build()
            .await
            .expect("the tray host's name is free");
        Self { conn, items }
    }

    /// The items registered so far (`bus-name/object/path` or a bus name).
    pub fn items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }

    /// Where an item lives: its bus name and object path.
    fn split(item: &str) -> (String, String) {
        match item.find('/') {
            Some(i) => (item[..i].to_string(), item[i..].to_string()),
            None => (item.to_string(), "/StatusNotifierItem".to_string()),
        }
    }

    /// The item's menu: bus name and object path.
    async fn menu_of(&self, item: &str) -> (String, String) {
        let (bus, path) = Self::split(item);
        let props = zbus::fdo::PropertiesProxy::builder(&self.conn)
            .destination(bus.clone())
            .unwrap()
            .path(path)
            .unwrap()
            .build()
            .await
            .unwrap();
        let menu = props
            .get(
                zbus::names::InterfaceName::try_from("org.kde.StatusNotifierItem").unwrap(),
                "Menu",
            )
            .await
            .unwrap();
        let menu: OwnedObjectPath = menu.try_into().unwrap();
        (bus, menu.to_string())
    }

    /// The item's menu entries, top level, in order.
    pub async fn entries(&self, item: &str) -> Vec<Entry> {
        let (bus, path) = self.menu_of(item).await;
        let reply = self
            .conn
            .call_method(
                Some(bus.as_str()),
                path.as_str(),
                Some("com.canonical.dbusmenu"),
                "GetLayout",
                &(0i32, -1i32, Vec::<String>::new()),
            )
            .await
            .unwrap();
        type Layout = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
        let (_revision, (_root, _props, children)): (u32, Layout) =
            reply.body().deserialize().unwrap();
        children
            .into_iter()
            .filter_map(|child| {
                let (id, props, _): Layout = Value::from(child).try_into().ok()?;
                let text = |k: &str| {
                    props
                        .get(k)
                        .and_then(|v| String::try_from(v.clone()).ok())
                        .unwrap_or_default()
                };
                let enabled = props
                    .get("enabled")
                    .and_then(|v| bool::try_from(v.clone()).ok())
                    .unwrap_or(true);
                let kind = text("type");
                (kind != "separator").then(|| Entry {
                    id,
                    label: text("label").replace('_', ""),
                    enabled,
                })
            })
            .collect()
    }

    /// Clicks a menu entry, as a panel does.
    pub async fn click(&self, item: &str, id: i32) {
        let (bus, path) = self.menu_of(item).await;
        self.conn
            .call_method(
                Some(bus.as_str()),
                path.as_str(),
                Some("com.canonical.dbusmenu"),
                "Event",
                &(id, "clicked", Value::from(0i32), 0u32),
            )
            .await
            .unwrap();
    }
}
