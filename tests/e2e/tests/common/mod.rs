//! The real app, driven through WebDriver (tauri-driver → WebKitWebDriver) in a real
//! webview under Xvfb, against the emulator served by this test process on 127.0.0.1.
//! Each test gets its own app data folder with an account already connected and pulled,
//! so the app opens on real data at once. The token reaches the app as `DEEPEN_TOKEN`, for
//! the account `DEEPEN_TOKEN_EMAIL` names.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use deepen_emulator::{
    Control, Emulator, EmulatorConfig, Faults, OfflineMode, Role, RunningEmulator, UserInfo,
};
use dtasks_core::accounts::Accounts;
use dtasks_core::{Account, Scope, Sensitive, Workspace};
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// The built app (`cargo build -p deepen-tasks` before the e2e tests; scripts/test.sh does).
pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("DTASKS_APP_BIN") {
        return PathBuf::from(p);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or(root.join("target"), PathBuf::from);
    target.join("debug/deepen-tasks")
}

/// Whether e2e tests can run here; when not, says why (a plain `cargo test` without a
/// display skips them).
pub fn skip_reason() -> Option<String> {
    if std::env::var_os("DISPLAY").is_none() {
        return Some("no DISPLAY (run under xvfb-run, as scripts/test.sh does)".into());
    }
    if !app_binary().exists() {
        return Some(format!(
            "{} is not built (cargo build -p deepen-tasks)",
            app_binary().display()
        ));
    }
    if Command::new("tauri-driver")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        return Some("tauri-driver is not installed (cargo install tauri-driver --locked)".into());
    }
    None
}

/// Skips (returns) from a test when e2e cannot run here, unless DTASKS_REQUIRE_E2E=1.
#[macro_export]
macro_rules! require_e2e {
    () => {
        if let Some(why) = common::skip_reason() {
            if std::env::var_os("DTASKS_REQUIRE_E2E").is_some() {
                panic!("e2e required but cannot run: {why}");
            }
            eprintln!("skipping e2e test: {why}");
            return;
        }
    };
}

pub struct Server {
    pub emu: RunningEmulator,
    pub control: Control,
}

impl Server {
    pub async fn start() -> Self {
        let emu = Emulator::seeded(&EmulatorConfig::default())
            .serve(0)
            .await
            .expect("emulator starts");
        let control = emu.control();
        Self { emu, control }
    }

    pub fn offline(&self) {
        self.control.set_faults(Faults {
            offline: Some(OfflineMode::Drop),
            ..Default::default()
        });
    }

    pub fn online(&self) {
        self.control.set_faults(Faults::default());
    }

    pub fn status(&self, task_id: &str) -> String {
        self.control.task(task_id).expect("task on the emulator")["status"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn assignee(&self, task_id: &str) -> Option<String> {
        self.control.task(task_id).expect("task on the emulator")["assignee"]
            .as_str()
            .map(str::to_string)
    }

    /// Journal entries of `task_id` by `actor` with `action` (each is one applied change).
    pub fn applied(&self, task_id: &str, actor: &str, action: &str) -> usize {
        self.control
            .journal()
            .iter()
            .filter(|e| e.task_id == task_id && e.actor == actor && e.action == action)
            .count()
    }
}

/// An app data folder with `user`'s account connected and its mirror pulled.
pub struct AppData {
    pub dir: tempfile::TempDir,
    pub user: UserInfo,
    pub workspace_dir: PathBuf,
}

impl AppData {
    pub async fn connected(server: &Server, role: Role) -> Self {
        let user = server.control.user(role);
        let dir = tempfile::tempdir().unwrap();
        let accounts = Accounts::new(dir.path());
        let account = Account::new(
            &server.emu.base_url(),
            &server.control.client_id(),
            &user.email,
        )
        .unwrap();
        let workspace_dir = accounts.dir_for(&account);
        let mut ws = Workspace::open(&workspace_dir)
            .unwrap()
            .with_session_token(Sensitive::new(user.token.clone()));
        assert!(ws.connect(account.clone(), None).await.unwrap().validated);
        ws.engine()
            .unwrap()
            .sync_once(Scope::Full, None)
            .await
            .expect("first pull");
        accounts.set_current(&account).unwrap();
        Self {
            dir,
            user,
            workspace_dir,
        }
    }

    /// A fresh install: no account configured (the app opens its demo).
    pub fn empty() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            user: UserInfo {
                email: String::new(),
                name: String::new(),
                token: String::new(),
                role: Role::Admin,
            },
            workspace_dir: PathBuf::new(),
        }
    }

    /// The workspace as a second reader sees it (to check the app's queue from outside).
    pub fn workspace(&self) -> Workspace {
        Workspace::open(&self.workspace_dir).unwrap()
    }
}

/// A running app under tauri-driver and a WebDriver session on it.
pub struct App {
    pub client: Client,
    driver: Child,
    name: String,
    /// The app data folder: tells this app's process from any other.
    data_dir: PathBuf,
    /// When the app was started (Unix ms): its own rounds end after it.
    pub launched_at: i64,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl App {
    pub async fn launch(data: &AppData, name: &str) -> Self {
        Self::launch_with(data, name, &[]).await
    }

    /// The app with more environment variables (`env` wins over the defaults).
    pub async fn launch_with(data: &AppData, name: &str, env: &[(&str, String)]) -> Self {
        let launched_at = dtasks_core::clock::now_millis();
        let port = free_port();
        let native = free_port();
        let log =
            std::fs::File::create(screenshot_dir().join(format!("{name}.driver.log"))).unwrap();
        let mut driver = Command::new("tauri-driver");
        // The machine's own NetworkManager (is its network metered?) must not steer a
        // test: the app's system bus is the test's session bus, where a test that needs
        // one serves a stand-in (support/network.rs).
        if let Some(bus) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
            driver.env("DBUS_SYSTEM_BUS_ADDRESS", bus);
        }
        let driver = driver
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("DTASKS_APP_DIR", data.dir.path())
            // The app takes the variable only for the account it names.
            .env("DEEPEN_TOKEN", &data.user.token)
            .env("DEEPEN_TOKEN_EMAIL", &data.user.email)
            // Window state and logs of this run only.
            .env("XDG_CONFIG_HOME", data.dir.path().join("config"))
            .env("XDG_DATA_HOME", data.dir.path().join("xdg-data"))
            .env("RUST_LOG", "info")
            // No test asks the real release server: nothing listens on port 9 here.
            .env("DTASKS_UPDATE_ENDPOINT", "http://127.0.0.1:9/latest.json")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("tauri-driver starts");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app_binary().canonicalize().unwrap() }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(45);
        let mut driver = driver;
        let client = loop {
            // A session waits for the app's window; never wait for it forever.
            let attempt = tokio::time::timeout(
                Duration::from_secs(30),
                ClientBuilder::native()
                    .capabilities(caps.clone())
                    .connect(&url),
            )
            .await;
            match attempt {
                Ok(Ok(c)) => break c,
                Ok(Err(_)) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                other => {
                    stop_driver(&mut driver);
                    end_app_processes(data.dir.path());
                    match other {
                        Ok(Err(e)) => panic!("{name}: no WebDriver session on the app: {e}"),
                        _ => panic!("{name}: the app's window did not come up within 30 s"),
                    }
                }
            }
        };
        let app = Self {
            client,
            driver,
            name: name.to_string(),
            data_dir: data.dir.path().to_path_buf(),
            launched_at,
        };
        // Wide enough for every column of the test data's board (no horizontal scrolling
        // under a drag); run under a display of at least this size.
        let _ = app.client.set_window_rect(0, 0, 1600, 900).await;
        app.wait_for("[data-testid=status-bar][data-connectivity]")
            .await;
        app
    }

    /// The first element matching `css`, waiting up to 15 s for it.
    pub async fn wait_for(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(el) => el,
            Err(e) => {
                self.screenshot(&format!("{}-FAILED", self.name)).await;
                panic!("{}: no element {css}: {e}", self.name)
            }
        }
    }

    /// Drags `card` onto `target` with the mouse (pointer events, as dnd-kit listens).
    pub async fn drag(&self, card: &Element, target: &Element) {
        // As a person would: bring the card, then the target column, into view first.
        for el in [card, target] {
            self.client
                .execute(
                    "arguments[0].scrollIntoView({block: 'nearest', inline: 'nearest'})",
                    vec![serde_json::to_value(el).unwrap()],
                )
                .await
                .expect("scroll into view");
        }
        let mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element: card.clone(),
                duration: Some(Duration::from_millis(50)),
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::MoveBy {
                duration: Some(Duration::from_millis(100)),
                x: 12.0,
                y: 12.0,
            })
            .then(PointerAction::MoveToElement {
                element: target.clone(),
                duration: Some(Duration::from_millis(300)),
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::MoveBy {
                duration: Some(Duration::from_millis(50)),
                x: 2.0,
                y: 2.0,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        if let Err(e) = self.client.perform_actions(mouse).await {
            self.screenshot(&format!("{}-FAILED", self.name)).await;
            panic!("{}: drag: {e}", self.name);
        }
        self.client.release_actions().await.expect("release");
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(css)).await.unwrap()
    }

    pub async fn click(&self, css: &str) {
        self.wait_for(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Waits until `check` holds (polling the page), or fails with `what`.
    pub async fn eventually<F, Fut>(&self, what: &str, secs: u64, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if check().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        self.screenshot(&format!("{}-FAILED", self.name)).await;
        panic!("{}: timed out waiting for: {what}", self.name);
    }

    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        match self.client.find(Locator::Css(css)).await {
            Ok(el) => el.attr(name).await.ok().flatten(),
            Err(_) => None,
        }
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Waits until no round runs and one that synced ended after `since` (Unix ms;
    /// `now_millis()` before an action, or `launched_at` for the app's first round — the
    /// test data's own sync just before launch may share its millisecond).
    pub async fn synced_since(&self, what: &str, since: i64, secs: u64) {
        self.eventually(what, secs, || async {
            let bar = "[data-testid=status-bar]";
            let idle = self.attr(bar, "data-round").await.as_deref() == Some("false");
            let last = self.attr(bar, "data-last-sync").await;
            idle && last
                .and_then(|ms| ms.parse::<i64>().ok())
                .is_some_and(|ms| ms > since)
        })
        .await;
    }

    pub async fn connectivity(&self) -> String {
        self.attr("[data-testid=status-bar]", "data-connectivity")
            .await
            .unwrap_or_default()
    }

    pub async fn badge_of(&self, task_id: &str) -> Option<String> {
        self.attr(
            &format!("[data-task-id='{task_id}'] [data-testid=badge]"),
            "data-badge",
        )
        .await
    }

    pub async fn screenshot(&self, name: &str) {
        // Let the page paint what it has (two frames), then capture. The capture waits for
        // the webview's next paint: painting without compositing (no GPU, as here), an idle
        // page may not paint for a minute, so the page makes an invisible change just after
        // the capture was asked for (WebDriver runs one command at a time: the page's own
        // timer does it).
        let _ = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const root = document.documentElement;
                 for (const ms of [400, 800, 1600]) setTimeout(() => {
                   root.style.outline = root.style.outline ? '' : '1px solid transparent';
                 }, ms);
                 requestAnimationFrame(() => requestAnimationFrame(() => done()));",
                vec![],
            )
            .await;
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(screenshot_dir().join(format!("{name}.png")), png);
        }
    }

    /// Quits the app: ends the WebDriver session and the driver, then makes sure the app
    /// process is gone (a second instance would only hand over to it and exit).
    pub async fn quit(mut self) {
        let _ = self.client.clone().close().await;
        stop_driver(&mut self.driver);
        end_app_processes(&self.data_dir);
    }
}

impl Drop for App {
    fn drop(&mut self) {
        stop_driver(&mut self.driver);
        end_app_processes(&self.data_dir);
    }
}

/// The app processes started for `data_dir` (by their DTASKS_APP_DIR).
pub fn app_processes(data_dir: &Path) -> Vec<u32> {
    let wanted = format!("DTASKS_APP_DIR={}", data_dir.display());
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        let exe = std::fs::read_link(entry.path().join("exe")).unwrap_or_default();
        if exe.file_name().is_some_and(|n| n == "deepen-tasks")
            && environ.split(|b| *b == 0).any(|v| v == wanted.as_bytes())
        {
            pids.push(pid);
        }
    }
    pids
}

/// Waits for the app to exit on its own (window closed), then asks it with SIGTERM.
fn end_app_processes(data_dir: &Path) {
    for signal in [None, Some("-TERM"), Some("-KILL")] {
        let pids = app_processes(data_dir);
        if pids.is_empty() {
            return;
        }
        if let Some(signal) = signal {
            for pid in &pids {
                let _ = Command::new("kill")
                    .args([signal, &pid.to_string()])
                    .status();
            }
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && !app_processes(data_dir).is_empty() {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// SIGTERM, never SIGKILL: a killed tauri-driver leaves WebKitWebDriver holding our pipes.
fn stop_driver(driver: &mut Child) {
    if let Ok(Some(_)) = driver.try_wait() {
        return;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &driver.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = driver.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Still there: end its WebKitWebDriver first (it would hold our output pipes), then it.
    let _ = Command::new("pkill")
        .args(["-KILL", "-P", &driver.id().to_string()])
        .status();
    let _ = driver.kill();
    let _ = driver.wait();
}

pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
