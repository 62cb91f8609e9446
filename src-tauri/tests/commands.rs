//! The app's commands through real IPC (Tauri's mock runtime, no display), in demo mode:
//! the built-in emulator serves on 127.0.0.1 and the real sync task runs.

use std::time::{Duration, Instant};

use deepen_tasks::{Options, app_builder};
use serde_json::{Value, json};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

struct TestApp {
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    fn demo() -> Self {
        let me = Self::start(tempfile::tempdir().unwrap(), true);
        me.until("the demo is open", |a| {
            a.invoke("session", json!({}))
                .ok()
                .map(|s| s["mode"] == "demo")
        });
        me
    }

    /// The app on `dir` as its data folder, once its start opening is over.
    fn start(dir: tempfile::TempDir, force_demo: bool) -> Self {
        let data = dir.path().to_path_buf();
        Self::start_on(data, force_demo, dir)
    }

    /// The app on `data` (which `dir` may or may not own), once its start opening is over.
    fn start_on(data: std::path::PathBuf, force_demo: bool, dir: tempfile::TempDir) -> Self {
        let options = Options {
            force_demo,
            data_dir: Some(data),
            // No test asks the real release server: nothing listens on port 9 here.
            updates: deepen_tasks::updates::UpdateSettings {
                endpoint: Some("http://127.0.0.1:9/latest.json".into()),
                ..Default::default()
            },
            ..Options::default()
        };
        let mut app = app_builder(mock_builder(), options)
            // The real config and capabilities: commands pass the same permission checks as in the app.
            .build(tauri::generate_context!("../tauri.conf.json", test = true))
            .expect("app builds");
        // Runs the app's setup (state, the session opening in the background); the mock
        // runtime's iteration itself does nothing.
        #[allow(deprecated)]
        app.run_iteration(|_, _| {});
        // The window of tauri.conf.json, created by setup.
        let window = app.get_webview_window("main").expect("the main window");
        let me = Self {
            _app: app,
            window,
            _dir: dir,
        };
        me.until("the start opening is over", |a| {
            a.invoke("session", json!({}))
                .ok()
                .map(|s| s["mode"] != "opening")
        });
        me
    }

    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            // The app's own origin on Linux and macOS (Windows uses http://tauri.localhost).
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    /// Every `data-changed` event the window is sent from now on, payloads in order.
    fn data_changes(&self) -> std::sync::Arc<std::sync::Mutex<Vec<Value>>> {
        use tauri::Listener;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        self.window
            .app_handle()
            .listen_any("data-changed", move |event| {
                let payload = serde_json::from_str(event.payload()).expect("JSON payload");
                sink.lock().unwrap().push(payload);
            });
        seen
    }

    fn until(&self, what: &str, mut check: impl FnMut(&Self) -> Option<bool>) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if check(self) == Some(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("timed out waiting for {what}");
    }

    /// Until the first sync pulled every dataset's tasks (reads do not wait for a pull,
    /// so datasets can show before their tasks).
    fn until_pulled(&self) {
        self.until("the first sync pulled every dataset", |a| {
            a.invoke("datasets", json!({})).ok().map(|d| {
                d.as_array().is_some_and(|l| {
                    !l.is_empty() && l.iter().all(|d| !d["tasks_pulled_at"].is_null())
                })
            })
        });
    }

    fn tasks(&self, query: Value) -> Value {
        let mut q = json!({
            "task_ids": [], "dataset_id": null, "stage_id": null, "statuses": [], "assignee": null,
            "delayed_only": false, "text": null, "sort": "task_id", "limit": 50, "offset": 0
        });
        for (k, v) in query.as_object().unwrap() {
            q[k] = v.clone();
        }
        self.invoke("tasks", json!({ "query": q })).expect("tasks")
    }
}

#[test]
fn demo_mode_opens_signed_in_as_the_demo_manager_with_data() {
    let app = TestApp::demo();
    let session = app.invoke("session", json!({})).unwrap();
    assert_eq!(session["mode"], "demo");
    assert_eq!(session["email"], "maya.admin@example.com");
    assert!(
        session.get("token").is_none(),
        "the token never reaches the window"
    );
    app.until_pulled();
    let page = app.tasks(json!({}));
    assert!(page["total"].as_f64().unwrap() > 100.0, "{page}");
    let status = app.invoke("sync_status", json!({})).unwrap();
    assert_eq!(status["pending"], 0);

    // A report for a bug says what and where, and no one's email or token.
    let report = app.invoke("diagnostics", json!({})).unwrap();
    let report = report.as_str().unwrap();
    assert!(report.starts_with("Deepen Tasks "), "{report}");
    assert!(report.contains("session: demo"), "{report}");
    assert!(report.contains("pending 0"), "{report}");
    assert!(!report.contains("maya.admin@"), "{report}");
}

#[test]
fn a_reassignment_through_ipc_is_queued_at_once_and_synced_by_the_background_task() {
    let app = TestApp::demo();
    app.until_pulled();
    let datasets = app.invoke("datasets", json!({})).unwrap();
    let dataset = &datasets[0];
    let users: Vec<String> = dataset["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u[0].as_str().unwrap().to_string())
        .collect();
    let page = app.tasks(json!({
        "dataset_id": dataset["dataset_id"], "statuses": ["ready", "in_progress", "waiting"]
    }));
    let task = &page["rows"][0];
    let id = task["task_id"].as_str().unwrap().to_string();
    let target = users
        .iter()
        .find(|u| Some(u.as_str()) != task["assignee"].as_str() && u.contains("ana"))
        .or_else(|| {
            users
                .iter()
                .find(|u| Some(u.as_str()) != task["assignee"].as_str())
        })
        .unwrap()
        .clone();

    let changes = app.data_changes();
    let queued = app
        .invoke("assign", json!({ "taskIds": [id], "assignee": target }))
        .unwrap();
    assert_eq!(queued, 1);
    let row = &app.tasks(json!({ "task_ids": [id] }))["rows"][0];
    assert_eq!(row["assignee"], target.as_str(), "shown at once");
    // The window is told exactly which views changed: the two people's lists of this
    // dataset (not its statuses), the queue and the status; not the datasets or delayed.
    let mut people = vec![task["assignee"].clone(), json!(target)];
    people.sort_by_key(|p| p.as_str().map(str::to_string));
    let expected = json!([
        { "view": "tasks", "dataset_id": dataset["dataset_id"], "assignees": people, "statuses": false },
        { "view": "queue" },
        { "view": "status" },
    ]);
    // (Any event: a background round may announce its own changes meanwhile.)
    let heard = changes.lock().unwrap().clone();
    assert!(heard.iter().any(|e| e["views"] == expected), "{heard:?}");

    app.until("the background task sent it", |a| {
        let row = a.tasks(json!({ "task_ids": [id] }))["rows"][0].clone();
        Some(row["server_assignee"] == target.as_str() && row["pending_state"].is_null())
    });
    assert_eq!(app.invoke("queue", json!({})).unwrap(), json!([]));
}

#[test]
fn refused_actions_and_bad_arguments_come_back_as_plain_words() {
    let app = TestApp::demo();
    app.until_pulled();
    let accepted = app.tasks(json!({ "statuses": ["accepted"] }));
    let id = accepted["rows"][0]["task_id"].as_str().unwrap();
    let err = app
        .invoke(
            "act",
            json!({ "kind": "submit", "taskIds": [id], "reason": null }),
        )
        .unwrap_err();
    assert_eq!(err["kind"], "not_allowed", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains(id) && !message.contains("dtasks"),
        "{message}"
    );

    let err = app
        .invoke(
            "act",
            json!({ "kind": "submit", "taskIds": ["no-such-task"], "reason": null }),
        )
        .unwrap_err();
    assert_eq!(err["kind"], "not_allowed", "{err}");
    assert!(
        !err["message"].as_str().unwrap().contains("dtasks"),
        "{err}"
    );

    // Garbage arguments are refused by the IPC layer before any command runs.
    assert!(
        app.invoke("act", json!({ "kind": "explode", "taskIds": 7 }))
            .is_err()
    );
    assert_eq!(
        app.invoke("queue", json!({})).unwrap(),
        json!([]),
        "nothing queued"
    );
}

#[test]
fn signing_out_of_the_demo_shows_the_connect_screen_and_the_demo_comes_back() {
    let app = TestApp::demo();
    app.invoke("sign_out", json!({})).unwrap();
    assert_eq!(
        app.invoke("session", json!({})).unwrap()["mode"],
        "signed_out"
    );
    let err = app.invoke("datasets", json!({})).unwrap_err();
    assert_eq!(err["kind"], "not_connected");
    app.invoke("start_demo", json!({})).unwrap();
    assert_eq!(app.invoke("session", json!({})).unwrap()["mode"], "demo");
}

#[test]
fn connecting_with_a_bad_server_url_is_refused_and_keeps_the_session() {
    let app = TestApp::demo();
    let err = app
        .invoke(
            "connect",
            json!({ "server": "http://deepen.example.com/api/v2", "clientId": "c", "email": "a@b.c", "token": "t" }),
        )
        .unwrap_err();
    assert_eq!(err["kind"], "invalid", "{err}");
    assert!(
        !err["message"].as_str().unwrap().contains("\"t\""),
        "no token in errors"
    );
    assert_eq!(app.invoke("session", json!({})).unwrap()["mode"], "demo");
}

#[test]
fn the_window_may_not_call_what_its_capability_does_not_grant() {
    let app = TestApp::demo();
    // Listening is granted; emitting events from the web side is not.
    let err = app
        .invoke(
            "plugin:event|emit",
            json!({ "event": "data-changed", "payload": null }),
        )
        .unwrap_err();
    assert!(err.to_string().contains("not allowed"), "{err}");
}

#[test]
fn a_damaged_workspace_at_start_is_explained_on_the_connect_screen_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = dtasks_core::accounts::Accounts::new(dir.path());
    let account =
        dtasks_core::Account::new("http://127.0.0.1:9/api/v2", "c1", "ana@example.com").unwrap();
    let workspace = accounts.set_current(&account).unwrap();
    std::fs::create_dir_all(&workspace).unwrap();
    account.save(&workspace.join("account.json")).unwrap();
    let garbage = b"this is not a SQLite database, it was damaged".repeat(200);
    std::fs::write(workspace.join("outbox.db"), &garbage).unwrap();

    let app = TestApp::start(dir, false);
    let session = app.invoke("session", json!({})).unwrap();
    assert_eq!(session["mode"], "signed_out", "{session}");
    let why = session["start_error"].as_str().unwrap();
    assert!(why.contains("outbox.db"), "says which file: {why}");
    assert_eq!(
        std::fs::read(workspace.join("outbox.db")).unwrap(),
        garbage,
        "the damaged queue is left for recovery, not overwritten"
    );
}

#[test]
fn balance_gives_every_unassigned_open_task_of_a_stage_to_the_least_loaded() {
    let app = TestApp::demo();
    app.until_pulled();
    let dataset = app.invoke("datasets", json!({})).unwrap()[0].clone();
    let stage = dataset["stages"][0].as_str().unwrap();
    let workers: Vec<String> = dataset["workers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    let open = json!(["waiting", "ready", "in_progress", "rejected"]);
    let unassigned = |app: &TestApp| {
        app.tasks(json!({
            "dataset_id": dataset["dataset_id"], "stage_id": stage, "statuses": open,
            "assignee": { "kind": "unassigned" }
        }))["total"]
            .as_f64()
            .unwrap()
    };
    let before = unassigned(&app);
    assert!(before > 0.0, "the demo has unassigned tasks to balance");

    // The preview says exactly what the balance then does, and changes nothing.
    let preview = app
        .invoke(
            "balance_preview",
            json!({ "datasetId": dataset["dataset_id"], "stageId": stage, "annotators": workers }),
        )
        .unwrap();
    assert_eq!(unassigned(&app), before, "a preview moves nothing");
    assert_eq!(
        app.invoke("queue", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        0,
        "a preview queues nothing"
    );
    let shares = app
        .invoke(
            "balance",
            json!({ "datasetId": dataset["dataset_id"], "stageId": stage, "annotators": workers }),
        )
        .unwrap();
    let given: usize = shares
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["task_ids"].as_array().unwrap().len())
        .sum();
    assert_eq!(given as f64, before);
    assert_eq!(shares, preview, "the preview was the plan");
    assert_eq!(unassigned(&app), 0.0, "shown at once");
    let after: Vec<f64> = shares
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["load_before"].as_f64().unwrap() + s["task_ids"].as_array().unwrap().len() as f64
        })
        .collect();
    let (lo, hi) = (
        after.iter().cloned().fold(f64::MAX, f64::min),
        after.iter().cloned().fold(0.0, f64::max),
    );
    let given_to_most_loaded = shares
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["load_before"].as_f64().unwrap() >= hi)
        .all(|s| s["task_ids"].as_array().unwrap().is_empty() || hi - lo <= 1.0);
    assert!(
        given_to_most_loaded,
        "the most loaded got nothing unless all even out: {shares}"
    );
}

/// Connecting real accounts keeps the token in the OS credential store, and each account
/// its own mirror: CI runs this against a real gnome-keyring (`DTASKS_REQUIRE_KEYRING=1`).
#[test]
fn accounts_connect_through_the_credential_store_keep_their_own_mirror_and_sign_out_forgets_the_token()
 {
    let required = std::env::var("DTASKS_REQUIRE_KEYRING").is_ok_and(|v| v == "1");
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() && !required {
        eprintln!("skipped: no D-Bus session (CI runs this against a real gnome-keyring)");
        return;
    }
    assert!(
        std::env::var_os("DEEPEN_TOKEN").is_none(),
        "unset DEEPEN_TOKEN to run this test"
    );
    let emulator = tauri::async_runtime::block_on(
        deepen_emulator::Emulator::seeded(&Default::default()).serve(0),
    )
    .unwrap();
    let control = emulator.control();
    let users: Vec<_> = control
        .users()
        .into_iter()
        .filter(|u| u.role == deepen_emulator::Role::Annotator)
        .take(2)
        .collect();
    let app = TestApp::demo();
    let connect = |user: &deepen_emulator::UserInfo| {
        app.invoke(
            "connect",
            json!({ "server": emulator.base_url(), "clientId": control.client_id(),
                    "email": user.email, "token": user.token }),
        )
    };

    // A wrong token is refused and nothing is kept.
    let err = app
        .invoke(
            "connect",
            json!({ "server": emulator.base_url(), "clientId": control.client_id(),
                    "email": users[0].email, "token": "not-the-token" }),
        )
        .unwrap_err();
    assert_eq!(err["kind"], "sign_in", "{err}");
    assert!(
        !err.to_string().contains("not-the-token"),
        "no token in errors: {err}"
    );

    let report = connect(&users[0]).unwrap();
    assert_eq!(report["validated"], true);
    assert_eq!(report["token_stored"], true);
    let session = app.invoke("session", json!({})).unwrap();
    assert_eq!(
        (session["mode"].as_str(), session["email"].as_str()),
        (Some("account"), Some(users[0].email.as_str()))
    );
    app.until_pulled();
    let first_total = app.tasks(json!({}))["total"].clone();

    // A second account gets a mirror of its own; the first one's stays on disk.
    connect(&users[1]).unwrap();
    assert_eq!(
        app.invoke("session", json!({})).unwrap()["email"],
        users[1].email.as_str()
    );
    // Back to the first: its mirror is there at once, before any sync.
    emulator.control().set_faults(deepen_emulator::Faults {
        offline: Some(deepen_emulator::OfflineMode::Drop),
        ..Default::default()
    });
    connect(&users[0]).unwrap();
    assert_eq!(
        app.tasks(json!({}))["total"],
        first_total,
        "the first account's mirror was kept"
    );

    // Sign-out forgets the token in the OS store.
    let account =
        dtasks_core::Account::new(&emulator.base_url(), &control.client_id(), &users[0].email)
            .unwrap();
    assert!(dtasks_core::credentials::token_for(&account).is_ok());
    app.invoke("sign_out", json!({})).unwrap();
    assert_eq!(
        app.invoke("session", json!({})).unwrap()["mode"],
        "signed_out"
    );
    assert!(matches!(
        dtasks_core::credentials::token_for(&account),
        Err(dtasks_core::credentials::CredentialError::Missing { .. })
    ));
    let other =
        dtasks_core::Account::new(&emulator.base_url(), &control.client_id(), &users[1].email)
            .unwrap();
    let _ = dtasks_core::credentials::forget_token(&other);
}

const CHILD_DIR: &str = "DTASKS_TEST_CHILD_APP_DIR";
const CHILD_EXPECTS: &str = "DTASKS_TEST_CHILD_EXPECTS";

/// Run in a child process with `DEEPEN_TOKEN` set (see the test below): the app opens the
/// current account of `CHILD_DIR` and reaches the connectivity `CHILD_EXPECTS` names.
#[test]
fn child_app_opens_the_current_account() {
    let (Some(data), Ok(expects)) = (std::env::var_os(CHILD_DIR), std::env::var(CHILD_EXPECTS))
    else {
        return;
    };
    // Reached by a round of this run (the status recorded at connect says "online").
    let started = dtasks_core::clock::now_millis();
    // The data folder is the parent test's; the scratch folder only fills the field.
    let me = TestApp::start_on(data.into(), false, tempfile::tempdir().unwrap());
    me.until(&format!("connectivity {expects} after a round"), |a| {
        a.invoke("sync_status", json!({})).ok().map(|s| {
            s["connectivity"] == expects.as_str()
                && (expects != "online" || s["last_sync_at"].as_i64() >= Some(started))
        })
    });
}

/// `DEEPEN_TOKEN` never signs the app in as another account: an account opened with the
/// variable set (to a token that is not its own) uses its own stored token, unless
/// `DEEPEN_TOKEN_EMAIL` names it. Real gnome-keyring in CI.
#[test]
fn the_environments_token_never_signs_in_another_account() {
    if std::env::var_os(CHILD_DIR).is_some() {
        return;
    }
    let required = std::env::var("DTASKS_REQUIRE_KEYRING").is_ok_and(|v| v == "1");
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() && !required {
        eprintln!("skipped: no D-Bus session (CI runs this against a real gnome-keyring)");
        return;
    }
    let emulator = tauri::async_runtime::block_on(
        deepen_emulator::Emulator::seeded(&Default::default()).serve(0),
    )
    .unwrap();
    let control = emulator.control();
    let user = control
        .users()
        .into_iter()
        .find(|u| u.role == deepen_emulator::Role::Reviewer)
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let accounts = dtasks_core::accounts::Accounts::new(data.path());
    let account =
        dtasks_core::Account::new(&emulator.base_url(), &control.client_id(), &user.email).unwrap();
    let mut ws = dtasks_core::Workspace::open(&accounts.dir_for(&account)).unwrap();
    let connected = tauri::async_runtime::block_on(ws.connect(
        account.clone(),
        Some(dtasks_core::Sensitive::new(user.token.clone())),
    ));
    assert!(connected.unwrap().token_stored);
    accounts.set_current(&account).unwrap();
    drop(ws);

    let child = |named: Option<&str>, expects: &str| {
        let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
        cmd.args([
            "child_app_opens_the_current_account",
            "--exact",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, data.path())
        .env(CHILD_EXPECTS, expects)
        // Another account's token, as far as this one is concerned.
        .env("DEEPEN_TOKEN", "someone-elses-token")
        .env_remove("DEEPEN_TOKEN_EMAIL");
        if let Some(email) = named {
            cmd.env("DEEPEN_TOKEN_EMAIL", email);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // Not named: the stored token, so the server answers.
    child(None, "online");
    // Named: the variable is for this account, and the server refuses it.
    child(Some(&user.email), "needs_sign_in");
    let _ = dtasks_core::credentials::forget_token(&account);
}

#[test]
fn the_demo_switches_between_its_manager_and_an_annotator_each_with_their_own_queue() {
    let app = TestApp::demo();
    assert_eq!(
        app.invoke("session", json!({})).unwrap()["demo_role"],
        "manager"
    );
    app.invoke("start_demo", json!({ "role": "annotator" }))
        .unwrap();
    let session = app.invoke("session", json!({})).unwrap();
    assert_eq!(
        (session["mode"].as_str(), session["demo_role"].as_str()),
        (Some("demo"), Some("annotator"))
    );
    let me = session["email"].as_str().unwrap().to_string();
    assert_ne!(me, "maya.admin@example.com");
    // The annotator's day: tasks of their own, and nobody else's to reassign.
    app.until("the annotator's tasks are pulled", |a| {
        let page =
            a.tasks(json!({ "assignee": { "kind": "is", "email": me }, "statuses": ["ready"] }));
        Some(page["total"].as_f64().unwrap_or(0.0) > 0.0)
    });
    let mine =
        app.tasks(json!({ "assignee": { "kind": "is", "email": me }, "statuses": ["ready"] }));
    let task = mine["rows"][0]["task_id"].as_str().unwrap().to_string();
    app.invoke(
        "act",
        json!({ "kind": "submit", "taskIds": [task], "reason": null }),
    )
    .unwrap();
    app.until_pulled();
    let datasets = app.invoke("datasets", json!({})).unwrap();
    let listing_me: Vec<&Value> = datasets
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["users"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u[0] == me.as_str())
        })
        .collect();
    assert!(!listing_me.is_empty(), "{datasets}");
    assert!(
        listing_me.iter().all(|d| d["may_reassign"] == false),
        "an annotator may not reassign: {datasets}"
    );
    let queued = |a: &TestApp| {
        a.invoke("queue", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .any(|op| op["task_id"] == task.as_str())
    };
    // The manager's queue is another one.
    app.invoke("start_demo", json!({ "role": "manager" }))
        .unwrap();
    assert_eq!(
        app.invoke("session", json!({})).unwrap()["email"],
        "maya.admin@example.com"
    );
    assert!(
        !queued(&app),
        "the annotator's action is not in the manager's queue"
    );
}

const CHILD_EXPORTS: &str = "DTASKS_TEST_CHILD_EXPORTS";

/// The activity record through IPC: a submit of this device shows in the task's history,
/// the activity list and the review panel; a task list and the panel export as CSV byte
/// for byte what the window shows; "Open in Deepen" opens the task's page on the demo
/// server's host, and that page is there. In a child process: the export folder and the
/// opened-address log are environment variables of the app.
#[test]
fn history_review_exports_and_open_in_deepen_through_ipc() {
    if std::env::var_os(CHILD_DIR).is_some() || std::env::var_os(CHILD_EXPORTS).is_some() {
        return;
    }
    let out_dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "child_history_review_exports",
            "--exact",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(CHILD_EXPORTS, out_dir.path())
        .env("DTASKS_EXPORT_DIR", out_dir.path().join("exports"))
        .env("DTASKS_OPENED_URLS", out_dir.path().join("opened.txt"))
        // Start at login writes ~/.config/autostart: a home of its own.
        .env("HOME", out_dir.path().join("home"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 passed"),
        "the child ran: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn child_history_review_exports() {
    let Some(dir) = std::env::var_os(CHILD_EXPORTS).map(std::path::PathBuf::from) else {
        return;
    };
    let exports = dir.join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let app = TestApp::demo();
    app.until_pulled();
    let started = dtasks_core::clock::now_millis();
    let row = app.tasks(json!({ "statuses": ["ready"], "limit": 200 }))["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| !r["assignee"].is_null())
        .cloned()
        .expect("an assigned ready task");
    let task = row["task_id"].as_str().unwrap().to_string();
    let person = row["assignee"].as_str().unwrap().to_string();
    app.invoke(
        "act",
        json!({ "kind": "submit", "taskIds": [task], "reason": null }),
    )
    .unwrap();
    app.until("the submit is recorded as done", |a| {
        a.invoke("task_history", json!({ "taskId": task }))
            .ok()
            .map(|h| {
                h.as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["kind"] == "action" && e["old"] == "submit" && e["new"] == "done")
            })
    });
    let history = app
        .invoke("task_history", json!({ "taskId": task }))
        .unwrap();
    let status = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "status")
        .expect("the status change");
    assert_eq!(
        (
            &status["old"],
            &status["new"],
            &status["source"],
            &status["person"]
        ),
        (
            &json!("ready"),
            &json!("submitted"),
            &json!("device"),
            &json!(person)
        )
    );
    let page = app
        .invoke(
            "activity",
            json!({ "query": { "person": person, "kinds": ["status"], "limit": 10 } }),
        )
        .unwrap();
    assert_eq!(page["entries"][0]["task_id"], json!(task));

    let period = json!({ "from": started - 60_000, "to": dtasks_core::clock::now_millis() + 60_000, "person": null, "dataset_id": null });
    let review = app.invoke("review", json!({ "query": period })).unwrap();
    let mine = review
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person"] == json!(person))
        .expect("the assignee's row");
    assert_eq!(mine["submitted"], 1);

    // A task list as CSV: what the window shows, byte for byte.
    let query = json!({
        "task_ids": [task], "dataset_id": null, "stage_id": null, "statuses": [], "assignee": null,
        "delayed_only": false, "text": null, "sort": "task_id", "limit": 0, "offset": 0
    });
    let shown = app.tasks(json!({ "task_ids": [task] }))["rows"][0].clone();
    let done = app
        .invoke(
            "export_csv",
            json!({ "what": { "what": "tasks", "query": query } }),
        )
        .unwrap();
    assert_eq!(done["rows"], 1);
    let path = std::path::PathBuf::from(done["path"].as_str().unwrap());
    assert!(path.starts_with(&exports), "{}", path.display());
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let time = |v: &Value| dtasks_core::export::iso_time(v.as_i64());
    let expected = format!(
        "task_id,dataset_id,stage,status,assignee,due,updated,late_by_minutes,pending_action,pending_state\n\
         {},{},{},{},{},{},{},{},{},{}\n",
        text(&shown["task_id"]),
        text(&shown["dataset_id"]),
        text(&shown["stage_id"]),
        text(&shown["status"]),
        text(&shown["assignee"]),
        time(&shown["due_at_millis"]),
        time(&shown["updated_at_millis"]),
        shown["delayed_by_millis"]
            .as_i64()
            .map(|ms| (ms / 60_000).to_string())
            .unwrap_or_default(),
        text(&shown["pending"]),
        text(&shown["pending_state"]),
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
    assert_eq!(shown["status"], "submitted");

    // The review panel as CSV, named apart from the first export.
    let done = app
        .invoke(
            "export_csv",
            json!({ "what": { "what": "review", "query": period } }),
        )
        .unwrap();
    let csv = std::fs::read_to_string(done["path"].as_str().unwrap()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "person,submitted,accepted,rejected,reject_rate,median_minutes_to_review,median_minutes_rejected"
    );
    assert_eq!(lines.len(), review.as_array().unwrap().len() + 1);
    assert!(
        lines.contains(&format!("{person},1,0,0,,,").as_str()),
        "{csv}"
    );

    // Open in Deepen: the task's page on the demo server's own host, which answers it.
    let url = app
        .invoke("open_in_deepen", json!({ "taskId": task }))
        .unwrap();
    let url = url.as_str().unwrap();
    let session = app.invoke("session", json!({})).unwrap();
    let server = session["server"].as_str().unwrap();
    let origin = server.split("/api/").next().unwrap();
    assert!(
        url.starts_with(&format!("{origin}/workspace/")),
        "{url} vs {server}"
    );
    assert!(url.ends_with(&format!("/tasks/{task}")), "{url}");
    let opened = std::fs::read_to_string(dir.join("opened.txt")).unwrap();
    assert_eq!(opened, format!("{url}\n"));
    let page = http_get(url);
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains(&format!("Task {task}")), "{page}");
    let unknown = app
        .invoke("open_in_deepen", json!({ "taskId": "no-such-task" }))
        .unwrap_err();
    assert_eq!(unknown["kind"], "not_allowed", "{unknown}");

    // Start at login: off until asked; on writes the desktop's autostart entry (started
    // in the background), off removes it. No tray here (no StatusNotifierWatcher).
    let autostart = dir.join("home/.config/autostart");
    let settings = app.invoke("desktop_settings", json!({})).unwrap();
    assert_eq!(settings, json!({ "tray": false, "start_at_login": false }));
    assert_eq!(
        app.invoke("set_start_at_login", json!({ "enabled": true }))
            .unwrap(),
        json!(true)
    );
    let entries: Vec<_> = std::fs::read_dir(&autostart).unwrap().collect();
    assert_eq!(entries.len(), 1);
    let entry = std::fs::read_to_string(entries[0].as_ref().unwrap().path()).unwrap();
    assert!(entry.contains("--background"), "{entry}");
    assert!(entry.contains("Exec="), "{entry}");
    assert_eq!(
        app.invoke("desktop_settings", json!({})).unwrap()["start_at_login"],
        json!(true)
    );
    assert_eq!(
        app.invoke("set_start_at_login", json!({ "enabled": false }))
            .unwrap(),
        json!(false)
    );
    assert_eq!(std::fs::read_dir(&autostart).unwrap().count(), 0);
}

/// A plain GET over loopback (the demo server), the answer as text.
fn http_get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}
