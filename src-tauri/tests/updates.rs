//! Signed updates, end to end through the app's updater (Tauri's mock runtime, the real
//! `tauri.conf.json` with the test's release key swapped in): a local release server on
//! 127.0.0.1 publishes a manifest and an artifact signed with a key the test makes; the
//! app finds the update, verifies it and installs it (an AppImage written where the test
//! says), and refuses — installing nothing — a tampered artifact, one signed with another
//! key, and one whose signature was made for another version.

#[path = "support/release_server.rs"]
mod release_server;

use std::path::PathBuf;

use deepen_tasks::updates::{self, UpdateSettings, UpdateState};
use deepen_tasks::{ErrorKind, Options, app_builder};
use release_server::{ReleaseKey, ReleaseServer, artifact};
use serde_json::{Value, json};
use tauri::Manager;
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};

const CURRENT: &str = env!("CARGO_PKG_VERSION");

struct Installed {
    app: tauri::App<MockRuntime>,
    /// The "installed AppImage" the update replaces.
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Installed {
    /// The app, in demo mode, checking `server` with `key` and installing to a file of
    /// its own.
    fn new(server: &ReleaseServer, key: &ReleaseKey) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Deepen_Tasks.AppImage");
        std::fs::write(&path, artifact(CURRENT)).unwrap();
        let options = Options {
            force_demo: true,
            data_dir: Some(dir.path().join("data")),
            updates: UpdateSettings {
                endpoint: Some(server.manifest_url()),
                pubkey: Some(key.public()),
                install_path: Some(path.clone()),
            },
            ..Options::default()
        };
        let mut app = app_builder(mock_builder(), options)
            .build(tauri::generate_context!("../tauri.conf.json", test = true))
            .expect("app builds");
        #[allow(deprecated)]
        app.run_iteration(|_, _| {});
        Self {
            app,
            path,
            _dir: dir,
        }
    }

    fn check(&self) -> Result<UpdateState, deepen_tasks::ShellError> {
        tauri::async_runtime::block_on(self.app.state::<updates::Updates>().check())
    }

    fn install(&self) -> Result<(), deepen_tasks::ShellError> {
        tauri::async_runtime::block_on(self.app.state::<updates::Updates>().install())
    }

    fn installed(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap()
    }

    fn invoke(&self, cmd: &str) -> Result<Value, Value> {
        let window = self
            .app
            .get_webview_window("main")
            .expect("the main window");
        let request = tauri::webview::InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(json!({})),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&window, request).map(|body| body.deserialize::<Value>().unwrap())
    }
}

fn offered_version(state: &UpdateState) -> Option<&str> {
    match state {
        UpdateState::Available { offer } => Some(&offer.version),
        _ => None,
    }
}

/// 9.9.9 published as `artifact` with `signature`, for an app trusting `key`: it is
/// offered, and refused at install with nothing installed. Returns the app.
fn offered_then_refused(key: &ReleaseKey, artifact: &[u8], signature: &str) -> Installed {
    let server = ReleaseServer::start();
    server.publish("9.9.9", artifact, signature);
    let app = Installed::new(&server, key);
    assert_eq!(offered_version(&app.check().unwrap()), Some("9.9.9"));
    let before = app.installed();
    let e = app.install().expect_err("a bad artifact must be refused");
    assert_eq!(e.kind, ErrorKind::Update, "{e:?}");
    assert!(
        e.message
            .contains("not signed by Deepen Tasks' release key")
            && e.message.contains("nothing was installed"),
        "{}",
        e.message
    );
    assert_eq!(app.installed(), before, "the installed app is untouched");
    app
}

#[test]
fn a_signed_update_is_found_verified_and_installed() {
    let (server, key) = (ReleaseServer::start(), ReleaseKey::generate());
    let new = artifact("9.9.9");
    server.publish("9.9.9", &new, &key.sign(&new, "9.9.9"));
    let app = Installed::new(&server, &key);

    let state = app.check().expect("the manifest is read");
    let UpdateState::Available { offer } = &state else {
        panic!("no update offered: {state:?}");
    };
    assert_eq!(offer.version, "9.9.9");
    assert_eq!(offer.current_version, CURRENT);
    assert!(offer.notes.as_deref().unwrap().contains("Faster board"));
    assert_eq!(
        app.app.state::<updates::Updates>().state(),
        state,
        "the window reads the same"
    );

    app.install().expect("a well-signed update installs");
    assert_eq!(
        app.installed(),
        new,
        "the new AppImage replaced the old one"
    );
}

#[test]
fn a_tampered_artifact_is_refused_and_nothing_is_installed() {
    let key = ReleaseKey::generate();
    let genuine = artifact("9.9.9");
    let mut tampered = genuine.clone();
    tampered[100] ^= 1;
    let app = offered_then_refused(&key, &tampered, &key.sign(&genuine, "9.9.9"));
    assert!(
        matches!(
            app.app.state::<updates::Updates>().state(),
            UpdateState::Failed { .. }
        ),
        "the window is told it failed"
    );
    // Refused once, not offered again until the next check.
    assert_eq!(app.install().unwrap_err().kind, ErrorKind::Invalid);
}

#[test]
fn an_artifact_signed_with_another_key_is_refused() {
    let (key, stranger) = (ReleaseKey::generate(), ReleaseKey::generate());
    let new = artifact("9.9.9");
    offered_then_refused(&key, &new, &stranger.sign(&new, "9.9.9"));
}

#[test]
fn an_older_release_announced_as_newer_is_refused() {
    // A genuine artifact and signature of an older release, behind a manifest that claims
    // a newer version (a downgrade attack): the signed version does not match.
    let key = ReleaseKey::generate();
    let old = artifact("0.0.9");
    offered_then_refused(&key, &old, &key.sign(&old, "0.0.9"));
}

#[test]
fn a_signature_that_does_not_say_its_version_is_refused() {
    // Without the signed version, any genuine artifact could be passed off as any release.
    let key = ReleaseKey::generate();
    let new = artifact("9.9.9");
    offered_then_refused(&key, &new, &key.sign_without_version(&new));
}

#[test]
fn the_same_version_is_not_offered_and_an_unreachable_server_is_said_in_words() {
    let (server, key) = (ReleaseServer::start(), ReleaseKey::generate());
    let same = artifact(CURRENT);
    server.publish(CURRENT, &same, &key.sign(&same, CURRENT));
    let app = Installed::new(&server, &key);
    assert!(matches!(app.check().unwrap(), UpdateState::UpToDate { .. }));

    // Nothing listens on port 9 of this computer.
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        force_demo: true,
        data_dir: Some(dir.path().to_path_buf()),
        updates: UpdateSettings {
            endpoint: Some("http://127.0.0.1:9/latest.json".into()),
            ..UpdateSettings::default()
        },
        ..Options::default()
    };
    let mut offline = app_builder(mock_builder(), options)
        .build(tauri::generate_context!("../tauri.conf.json", test = true))
        .unwrap();
    #[allow(deprecated)]
    offline.run_iteration(|_, _| {});
    let e =
        tauri::async_runtime::block_on(offline.state::<updates::Updates>().check()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server);
    assert!(
        e.message.starts_with("Could not reach the update server (")
            && e.message
                .ends_with("It is asked again in an hour; the app goes on as it is."),
        "{}",
        e.message
    );
}

#[test]
fn demo_mode_never_asks_the_update_server() {
    let (server, key) = (ReleaseServer::start(), ReleaseKey::generate());
    let new = artifact("9.9.9");
    server.publish("9.9.9", &new, &key.sign(&new, "9.9.9"));
    let app = Installed::new(&server, &key);
    // The demo opens and syncs with its built-in server (online), which would trigger a
    // check for an account.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app
        .invoke("sync_status")
        .ok()
        .and_then(|s| s["last_sync_at"].as_i64())
        .is_none()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the demo never synced"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));

    let e = app.invoke("check_for_update").unwrap_err();
    assert_eq!(e["kind"], "not_allowed", "{e}");
    assert_eq!(app.invoke("update_state").unwrap()["state"], "unchecked");
    assert_eq!(server.requests(), 0, "the update server was never asked");
}
