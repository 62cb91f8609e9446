//! End-to-end: the real app in a real webview (WebKitGTK under Xvfb), driven through
//! WebDriver, against the emulator over HTTP on 127.0.0.1. Run by scripts/test.sh after
//! the app is built; skipped with a message when there is no display.

mod common;
// Shared with src-tauri's update tests; not every helper is used here.
// Shared with the CLI's scenarios; not every helper is used here.
#[allow(dead_code)]
#[path = "support/network.rs"]
mod network;
#[path = "support/notifications.rs"]
mod notifications;
#[allow(dead_code)]
#[path = "../../../src-tauri/tests/support/release_server.rs"]
mod release_server;
#[path = "support/tray.rs"]
mod tray;
#[path = "support/window.rs"]
mod window;

use std::time::{Duration, Instant};

use common::{App, AppData, Server};
use deepen_emulator::{Action, Role};
use dtasks_core::view::{AssigneeFilter, TaskQuery};
use fantoccini::Locator;
use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
};
use fantoccini::elements::Element;
use fantoccini::key::Key;

/// One app at a time: two cores, and each app is a full webview.
static ONE_APP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Ctrl+click: adds a card to the board's selection.
async fn ctrl_click(app: &App, el: &Element) {
    let keys = KeyActions::new("keys".into())
        .then(KeyAction::Down {
            value: Key::Control.into(),
        })
        .then(KeyAction::Pause {
            duration: Duration::ZERO,
        })
        .then(KeyAction::Pause {
            duration: Duration::ZERO,
        })
        .then(KeyAction::Pause {
            duration: Duration::ZERO,
        })
        .then(KeyAction::Up {
            value: Key::Control.into(),
        });
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::Pause {
            duration: Duration::ZERO,
        })
        .then(PointerAction::MoveToElement {
            element: el.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Pause {
            duration: Duration::ZERO,
        });
    app.client
        .perform_actions(fantoccini::actions::Actions::from(keys).and(mouse))
        .await
        .expect("ctrl+click");
    app.client.release_actions().await.expect("release");
}

/// Types `text` in My tasks' search box (empty: clears it).
async fn search(app: &App, text: &str) {
    let input = app.wait_for("[data-testid=search]").await;
    // Select all and delete, as a person would (WebDriver's clear() bypasses React).
    let erase: String = [
        char::from(Key::Control),
        'a',
        char::from(Key::Null),
        char::from(Key::Backspace),
    ]
    .iter()
    .collect();
    input.send_keys(&erase).await.expect("erase the search");
    if !text.is_empty() {
        input.send_keys(text).await.expect("type in the search");
        app.wait_for(&format!("[data-testid=task-row][data-task-id='{text}']"))
            .await;
    }
}

/// The board's columns, left to right, by assignee ("" for Unassigned).
async fn column_ids(app: &App) -> Vec<String> {
    let mut ids = Vec::new();
    for c in app.find_all("[data-testid=board-column]").await {
        ids.push(c.attr("data-assignee").await.unwrap().unwrap_or_default());
    }
    ids
}

fn column(assignee: &str) -> String {
    format!("[data-testid=board-column][data-assignee='{assignee}']")
}

async fn cards_in(app: &App, assignee: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for el in app
        .find_all(&format!("{} [data-testid=task-card]", column(assignee)))
        .await
    {
        if let Ok(Some(id)) = el.attr("data-task-id").await {
            ids.push(id);
        }
    }
    ids
}

async fn open_board(app: &App) {
    // Let the app's first sync round end, so no refresh lands in the middle of a drag.
    app.synced_since("the first sync round ended", app.launched_at, 30)
        .await;
    app.click("[data-testid=nav-board]").await;
    app.wait_for("[data-testid=board-column] [data-testid=task-card]")
        .await;
}

/// Two annotators' columns on the board with cards: (source with ≥ 3 cards, another one).
async fn two_columns(app: &App, server: &Server) -> (String, String) {
    let annotators: Vec<String> = server
        .control
        .users()
        .into_iter()
        .filter(|u| u.role == Role::Annotator)
        .map(|u| u.email)
        .collect();
    let mut source = None;
    for a in &annotators {
        if app.exists(&column(a)).await && cards_in(app, a).await.len() >= 3 {
            source = Some(a.clone());
            break;
        }
    }
    let source = source.expect("an annotator column with 3 cards");
    // The column right after it, so both are on screen together.
    let ids = column_ids(app).await;
    let at = ids.iter().position(|id| id == &source).unwrap();
    let target = ids
        .iter()
        .skip(at + 1)
        .chain(ids.iter().take(at).rev())
        .find(|id| annotators.contains(id))
        .expect("a second annotator column")
        .clone();
    (source, target)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotator_submits_offline_and_it_applies_exactly_once_when_back_online() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Annotator).await;
    server.offline();
    let app = App::launch(&data, "1-annotator-offline").await;

    // The first three submittable tasks of My tasks (open ones, sorted by due date).
    app.wait_for("[data-testid=task-row]").await;
    let mut tasks = Vec::new();
    for row in app.find_all("[data-testid=task-row]").await {
        let status = row.attr("data-status").await.unwrap().unwrap();
        if ["ready", "in_progress", "rejected"].contains(&status.as_str()) {
            tasks.push(row.attr("data-task-id").await.unwrap().unwrap());
        }
        if tasks.len() == 3 {
            break;
        }
    }
    assert_eq!(tasks.len(), 3, "three submittable tasks are listed");
    let taken_back = tasks.pop().unwrap();
    for t in tasks.iter().chain([&taken_back]) {
        app.click(&format!("[data-task-id='{t}'] [data-testid=row-select]"))
            .await;
    }
    app.click("[data-testid=action-submit]").await;

    // At once: each stays in the open list (done tasks are hidden, but not while the
    // change waits) showing pending, and the app finds out it is offline.
    for t in tasks.iter().chain([&taken_back]) {
        app.eventually(&format!("{t} badge pending"), 10, || async {
            app.badge_of(t).await.as_deref() == Some("pending")
        })
        .await;
    }
    // One is taken back from its row before it is sent: ready again, nothing queued.
    app.click(&format!(
        "[data-task-id='{taken_back}'] [data-testid=row-undo]"
    ))
    .await;
    app.eventually("the taken back task is no longer submitted", 10, || async {
        app.attr(&format!("[data-task-id='{taken_back}']"), "data-status")
            .await
            .is_some_and(|s| s != "submitted")
            && app.badge_of(&taken_back).await.as_deref() == Some("none")
    })
    .await;
    app.click("[data-testid=show-done]").await;
    app.eventually("status bar says offline", 20, || async {
        app.connectivity().await == "offline"
    })
    .await;
    assert_eq!(
        app.attr("[data-testid=status-bar]", "data-pending")
            .await
            .as_deref(),
        Some("2")
    );
    for t in &tasks {
        assert_ne!(
            server.status(t),
            "submitted",
            "nothing reached the server while offline"
        );
    }
    app.screenshot("1-annotator-offline").await;

    server.online();
    app.click("[data-testid=sync-now]").await;
    for t in &tasks {
        search(&app, t).await;
        app.eventually(&format!("{t} badge cleared"), 30, || async {
            app.badge_of(t).await.as_deref() == Some("none")
        })
        .await;
    }
    app.eventually("status bar says online", 20, || async {
        app.connectivity().await == "online"
    })
    .await;
    for t in &tasks {
        assert_eq!(server.status(t), "submitted");
        assert_eq!(
            server.applied(t, &data.user.email, "submit"),
            1,
            "{t} applied exactly once"
        );
    }
    assert_ne!(server.status(&taken_back), "submitted");
    assert_eq!(
        server.applied(&taken_back, &data.user.email, "submit"),
        0,
        "the submit taken back never reached Deepen"
    );
    assert_eq!(
        app.attr("[data-testid=status-bar]", "data-pending")
            .await
            .as_deref(),
        Some("0")
    );
    app.screenshot("1-annotator-synced").await;
    app.quit().await;
}

/// The network coming back (NetworkManager says so) sends what waited at once, not at the
/// next offline probe: here the probe's wait has grown past 7 s, and the submit must reach
/// Deepen within 5 s of the signal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_network_coming_back_sends_what_waited_at_once() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let nm = network::NetworkManager::start().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Annotator).await;
    server.offline();
    let app = App::launch(&data, "12-network").await;
    app.wait_for("[data-testid=task-row][data-status=ready]")
        .await;
    let task = app
        .attr("[data-testid=task-row][data-status=ready]", "data-task-id")
        .await
        .unwrap();
    app.click(&format!("[data-task-id='{task}'] [data-testid=row-select]"))
        .await;
    app.click("[data-testid=action-submit]").await;
    app.eventually("offline, the submit waiting", 20, || async {
        app.connectivity().await == "offline"
            && app.badge_of(&task).await.as_deref() == Some("pending")
    })
    .await;

    // Every round reaches the emulator (and is dropped): wait for a round that came 3.5 s
    // or more after the one before — the probe's wait doubles, so the next is 7 s away.
    let requests = || server.control.stats().total();
    let (mut seen, mut last_round) = (requests(), Instant::now());
    app.eventually("the offline probe's wait grew", 40, || {
        let now = requests();
        let grown = now > seen && last_round.elapsed() >= Duration::from_millis(3_500);
        if now > seen {
            (seen, last_round) = (now, Instant::now());
        }
        async move { grown }
    })
    .await;
    server.online();
    nm.state_changed(network::CONNECTED_GLOBAL).await;
    app.eventually("the submit reached Deepen at once", 5, || async {
        server.status(&task) == "submitted"
    })
    .await;
    app.eventually("online, nothing waiting", 10, || async {
        app.connectivity().await == "online"
            && app
                .attr("[data-testid=status-bar]", "data-pending")
                .await
                .as_deref()
                == Some("0")
    })
    .await;
    assert_eq!(server.applied(&task, &data.user.email, "submit"), 1);
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manager_reassigns_by_dragging_one_card_a_selection_and_undoes_before_sync() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Admin).await;
    let app = App::launch(&data, "2-manager-board").await;
    open_board(&app).await;
    let (source, target) = two_columns(&app, &server).await;
    let before = cards_in(&app, &source).await;

    // One card.
    let card = app
        .wait_for(&format!("[data-task-id='{}']", before[0]))
        .await;
    let drop_on = app.wait_for(&column(&target)).await;
    app.drag(&card, &drop_on).await;
    app.eventually("the emulator shows the new assignee", 30, || async {
        server.assignee(&before[0]).as_deref() == Some(target.as_str())
    })
    .await;
    app.eventually("the card shows in its new column", 10, || async {
        cards_in(&app, &target).await.contains(&before[0])
    })
    .await;

    // A multi-selection: click one, ctrl+click another, drag either.
    let a = &before[1];
    let b = &before[2];
    app.click(&format!("[data-task-id='{a}']")).await;
    ctrl_click(&app, &app.wait_for(&format!("[data-task-id='{b}']")).await).await;
    app.eventually("two cards selected", 5, || async {
        app.find_all("[data-testid=task-card][data-selected=true]")
            .await
            .len()
            == 2
    })
    .await;
    app.screenshot("2-manager-selection").await;
    let card = app.wait_for(&format!("[data-task-id='{b}']")).await;
    let drop_on = app.wait_for(&column(&target)).await;
    app.drag(&card, &drop_on).await;
    app.eventually(
        "both selected tasks reassigned on the emulator",
        30,
        || async {
            server.assignee(a).as_deref() == Some(target.as_str())
                && server.assignee(b).as_deref() == Some(target.as_str())
        },
    )
    .await;

    // Undo before sync: offline, drag, undo → nothing ever reaches the server.
    server.offline();
    let c = cards_in(&app, &source)
        .await
        .into_iter()
        .find(|id| !before[..3].contains(id))
        .expect("a fourth card");
    let card = app.wait_for(&format!("[data-task-id='{c}']")).await;
    let drop_on = app.wait_for(&column(&target)).await;
    app.drag(&card, &drop_on).await;
    app.eventually(
        "the moved card shows in the target, pending",
        10,
        || async {
            cards_in(&app, &target).await.contains(&c)
                && app.badge_of(&c).await.as_deref() == Some("pending")
        },
    )
    .await;
    app.screenshot("2-manager-board").await;
    app.click("[data-testid=undo]").await;
    app.eventually(
        "the card is back where it was, nothing queued",
        10,
        || async {
            cards_in(&app, &source).await.contains(&c)
                && app.badge_of(&c).await.as_deref() == Some("none")
        },
    )
    .await;
    assert!(
        data.workspace().queue(false).unwrap().is_empty(),
        "undo left nothing to send"
    );
    server.online();
    app.click("[data-testid=sync-now]").await;
    app.eventually("online again", 20, || async {
        app.connectivity().await == "online"
    })
    .await;
    assert_eq!(server.assignee(&c).as_deref(), Some(source.as_str()));
    assert_eq!(
        server.applied(&c, &data.user.email, "assign"),
        0,
        "the undone move never reached Deepen"
    );
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_elses_reassignment_while_offline_needs_attention_and_each_resolution_works() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Admin).await;
    let app = App::launch(&data, "3-conflict").await;
    open_board(&app).await;
    let (source, target) = two_columns(&app, &server).await;
    let ids = cards_in(&app, &source).await;
    let (t1, t2) = (ids[0].clone(), ids[1].clone());
    let third = server
        .control
        .users()
        .into_iter()
        .find(|u| u.role == Role::Annotator && u.email != source && u.email != target)
        .unwrap()
        .email;

    server.offline();
    for t in [&t1, &t2] {
        let card = app.wait_for(&format!("[data-task-id='{t}']")).await;
        let drop_on = app.wait_for(&column(&target)).await;
        app.drag(&card, &drop_on).await;
        app.eventually("moved locally", 10, || async {
            cards_in(&app, &target).await.contains(t)
        })
        .await;
    }
    // The sync centre lists both, waiting.
    app.click("[data-testid=nav-sync]").await;
    app.eventually("two actions waiting", 10, || async {
        app.find_all("[data-testid=queue-item]").await.len() == 2
    })
    .await;
    app.screenshot("3-sync-centre-offline").await;
    // Meanwhile another manager gives both to someone else.
    let row = data
        .workspace()
        .tasks(&TaskQuery {
            task_ids: vec![t1.clone()],
            ..Default::default()
        })
        .unwrap()
        .rows
        .remove(0);
    server
        .control
        .act(
            &data.user.email,
            Action::Assign {
                dataset_id: row.dataset_id.clone(),
                task_type: row.task_type.clone(),
                assignments: vec![
                    (t1.clone(), Some(third.clone())),
                    (t2.clone(), Some(third.clone())),
                ],
            },
        )
        .unwrap();
    server.online();
    app.click("[data-testid=sync-now]").await;
    app.click("[data-testid=nav-sync]").await;
    app.eventually("both need attention", 30, || async {
        app.find_all("[data-testid=attention-item]").await.len() == 2
    })
    .await;
    let reason = app
        .wait_for(&format!(
            "[data-testid=attention-item][data-task-id='{t1}'] [data-testid=attention-reason]"
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        reason.contains(&third),
        "the reason names who has it now: {reason}"
    );
    assert!(
        !reason.contains('{') && !reason.contains("Error"),
        "plain words, not JSON or a stack: {reason}"
    );
    assert_eq!(
        server.assignee(&t1).as_deref(),
        Some(third.as_str()),
        "nothing overwritten silently"
    );
    app.screenshot("3-conflict").await;

    // Retry: checked again, still a conflict.
    app.click(&format!(
        "[data-testid=attention-item][data-task-id='{t1}'] [data-testid=resolve-retry]"
    ))
    .await;
    app.click("[data-testid=sync-now]").await;
    app.eventually("still needs attention after retry", 30, || async {
        app.exists(&format!(
            "[data-testid=attention-item][data-task-id='{t1}']"
        ))
        .await
            && data
                .workspace()
                .queue(false)
                .unwrap()
                .iter()
                .any(|o| o.task_id == t1 && o.state == dtasks_core::OpState::NeedsAttention)
    })
    .await;
    // Overwrite: mine wins.
    app.click(&format!(
        "[data-testid=attention-item][data-task-id='{t1}'] [data-testid=resolve-overwrite]"
    ))
    .await;
    app.click("[data-testid=sync-now]").await;
    app.eventually("overwrite applied", 30, || async {
        server.assignee(&t1).as_deref() == Some(target.as_str())
    })
    .await;
    // Discard: the server's stays.
    app.click(&format!(
        "[data-testid=attention-item][data-task-id='{t2}'] [data-testid=resolve-discard]"
    ))
    .await;
    app.eventually("inbox empty", 20, || async {
        app.find_all("[data-testid=attention-item]")
            .await
            .is_empty()
    })
    .await;
    assert_eq!(server.assignee(&t2).as_deref(), Some(third.as_str()));
    app.eventually("queue empty", 20, || async {
        data.workspace().queue(false).unwrap().is_empty()
    })
    .await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_queued_before_a_restart_are_still_there_offline_and_sync_later() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Annotator).await;
    let task = data
        .workspace()
        .tasks(&TaskQuery {
            assignee: Some(AssigneeFilter::Is(data.user.email.clone())),
            statuses: vec!["ready".into(), "in_progress".into()],
            limit: 1,
            ..Default::default()
        })
        .unwrap()
        .rows
        .remove(0)
        .task_id;
    server.offline();

    let app = App::launch(&data, "4-restart-before").await;
    app.click("[data-testid=show-done]").await;
    app.click("[data-testid=search]").await;
    app.client
        .find(Locator::Css("[data-testid=search]"))
        .await
        .unwrap()
        .send_keys(&task)
        .await
        .unwrap();
    app.click(&format!("[data-task-id='{task}'] [data-testid=row-select]"))
        .await;
    app.click("[data-testid=action-submit]").await;
    app.eventually("pending", 10, || async {
        app.badge_of(&task).await.as_deref() == Some("pending")
    })
    .await;
    app.quit().await;

    let app = App::launch(&data, "4-restart-after").await;
    app.click("[data-testid=show-done]").await;
    app.click("[data-testid=search]").await;
    app.client
        .find(Locator::Css("[data-testid=search]"))
        .await
        .unwrap()
        .send_keys(&task)
        .await
        .unwrap();
    app.eventually("still pending after restart", 15, || async {
        app.badge_of(&task).await.as_deref() == Some("pending")
    })
    .await;
    app.eventually("offline", 20, || async {
        app.connectivity().await == "offline"
    })
    .await;
    app.screenshot("4-restart-offline").await;
    assert_eq!(server.applied(&task, &data.user.email, "submit"), 0);

    server.online();
    app.click("[data-testid=sync-now]").await;
    app.eventually("synced after restart", 30, || async {
        app.badge_of(&task).await.as_deref() == Some("none")
    })
    .await;
    assert_eq!(server.status(&task), "submitted");
    assert_eq!(server.applied(&task, &data.user.email, "submit"), 1);
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_install_opens_the_demo_with_data_and_a_banner() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let data = AppData::empty();
    let app = App::launch(&data, "5-demo").await;
    app.wait_for("[data-testid=demo-banner]").await;
    // The demo opens on the board of its first dataset, filled by the first sync.
    app.wait_for("[data-testid=board-column] [data-testid=task-card]")
        .await;
    app.screenshot("5-demo-board").await;
    demo_opens_no_door(&data);
    app.click("[data-testid=nav-overview]").await;
    app.eventually("an overview per dataset, with its charts", 15, || async {
        app.find_all("[data-testid=overview-dataset]").await.len() >= 2
            && app.find_all("[data-testid=stage-bar]").await.len() >= 2
            && !app.find_all("[data-testid=person-bar]").await.is_empty()
    })
    .await;
    app.screenshot("5-demo-overview").await;
    app.click("[data-testid=nav-delayed]").await;
    app.wait_for("[data-testid=delayed-row]").await;
    app.screenshot("5-demo-delayed").await;
    // A newcomer sees the annotator's day too: the banner switches roles.
    app.click("[data-testid=demo-switch]").await;
    app.wait_for("[data-testid=task-row]").await;
    let banner = app
        .wait_for("[data-testid=demo-banner]")
        .await
        .text()
        .await
        .unwrap();
    assert!(banner.contains("You are its annotator"), "{banner}");
    app.screenshot("5-demo-annotator").await;
    app.click("[data-testid=demo-switch]").await;
    app.wait_for("[data-testid=board-column]").await;
    app.quit().await;
}

/// The status of a raw HTTP/1.1 request to the demo's port with `host` as its Host header.
fn status_of(port: u16, method: &str, path: &str, host: &str, token: &str) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"))
}

/// The running demo serves the Deepen API alone, to requests addressed to it, with tokens
/// of this run only.
fn demo_opens_no_door(data: &AppData) {
    let demo = dtasks_core::accounts::Accounts::new(data.dir.path()).demo_dir();
    let port: u16 = std::fs::read_to_string(demo.join("demo-server.port"))
        .expect("the demo says its port")
        .trim()
        .parse()
        .unwrap();
    let here = format!("127.0.0.1:{port}");
    for (method, path) in [
        ("GET", "/_emulator/users"),
        ("GET", "/_emulator/journal"),
        ("POST", "/_emulator/save"),
        ("PUT", "/_emulator/faults"),
        ("POST", "/_emulator/act"),
    ] {
        assert_eq!(
            status_of(port, method, path, &here, ""),
            404,
            "{method} {path}"
        );
    }
    let datasets = "/api/v2/clients/demo-client/datasets_ids";
    // The seeded well-known token of the admin no longer opens anything.
    assert_eq!(
        status_of(port, "GET", datasets, &here, "tok-maya.admin"),
        401
    );
    // A page that rebinds its own name to 127.0.0.1 sends its own Host: refused.
    assert_eq!(
        status_of(port, "GET", datasets, &format!("evil.example:{port}"), "x"),
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_moves_to_the_next_column_with_the_keyboard_alone() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Admin).await;
    let app = App::launch(&data, "6-keyboard-drag").await;
    open_board(&app).await;
    let (source, _) = two_columns(&app, &server).await;
    let columns = column_ids(&app).await;
    let next = columns
        .get(columns.iter().position(|c| c == &source).unwrap() + 1)
        .expect("a column right of the source (two_columns picks a source with one)")
        .clone();
    let task = cards_in(&app, &source).await.remove(0);
    let card = app.wait_for(&format!("[data-task-id='{task}']")).await;
    app.client
        .execute(
            "arguments[0].focus()",
            vec![serde_json::to_value(&card).unwrap()],
        )
        .await
        .unwrap();
    let press = |k: char| {
        KeyActions::new("keys".into())
            .then(KeyAction::Down { value: k })
            .then(KeyAction::Up { value: k })
    };
    // Space picks the card up, → moves it one column right, Space drops it.
    for k in [' ', char::from(Key::Right), ' '] {
        app.client
            .perform_actions(press(k))
            .await
            .expect("key press");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    app.eventually(
        "the emulator shows the next column's person",
        30,
        || async { server.assignee(&task) == Some(next.clone()).filter(|n| !n.is_empty()) },
    )
    .await;
    app.quit().await;
}

/// The freshness line of every Overview card, in order.
async fn freshness_lines(app: &App) -> Vec<String> {
    let mut lines = Vec::new();
    for el in app.find_all("[data-testid=dataset-freshness]").await {
        lines.push(el.text().await.unwrap_or_default());
    }
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dataset_that_cannot_be_refreshed_says_so_and_the_others_refresh() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Admin).await;
    let broken = server.control.dataset_ids()[1].clone();
    server.control.set_faults(deepen_emulator::Faults {
        failing_datasets: vec![broken],
        ..Default::default()
    });
    let app = App::launch(&data, "7-dataset-failed").await;
    app.click("[data-testid=nav-overview]").await;
    app.eventually("one dataset says it could not be refreshed", 20, || async {
        let lines = freshness_lines(&app).await;
        lines.len() >= 2
            && lines
                .iter()
                .filter(|l| l.starts_with("Could not refresh"))
                .count()
                == 1
            && lines.iter().filter(|l| l.starts_with("Updated")).count() == lines.len() - 1
    })
    .await;
    app.screenshot("7-dataset-failed").await;
    server.online();
    app.click("[data-testid=sync-now]").await;
    app.eventually("every dataset refreshed again", 20, || async {
        let lines = freshness_lines(&app).await;
        !lines.is_empty() && lines.iter().all(|l| l.starts_with("Updated"))
    })
    .await;
    app.quit().await;
}

/// Whole-dataset listings the emulator answered since its stats were reset.
fn dataset_listings(server: &Server) -> u64 {
    let stats = server.control.stats();
    stats
        .requests
        .get("GET /datasets/{id}/tasks")
        .copied()
        .unwrap_or(0)
}

/// Sync now, with no dataset on screen, on a metered connection: my tasks are asked for,
/// no whole dataset — counted from a moment no round runs to the end of Sync now's.
async fn sync_now_spares_whole_datasets(app: &App, server: &Server) {
    app.synced_since(
        "the first round ended, and none running",
        app.launched_at,
        20,
    )
    .await;
    server.control.reset_stats();
    let clicked = dtasks_core::clock::now_millis();
    app.click("[data-testid=sync-now]").await;
    app.synced_since("Sync now's round over", clicked, 20).await;
    assert!(
        server
            .control
            .stats()
            .requests
            .contains_key("GET /clients/{id}/user_tasks"),
        "Sync now asked for my tasks"
    );
    assert_eq!(dataset_listings(server), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metered_mode_is_switched_in_the_sync_centre_and_spares_whole_datasets() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Admin).await;
    let app = App::launch(&data, "8-metered").await;
    app.click("[data-testid=nav-sync]").await;
    app.click("[data-testid=metered]").await;
    app.wait_for("[data-testid=metered-note]").await;
    assert!(
        data.workspace().preferences().metered,
        "kept for the CLI too"
    );
    sync_now_spares_whole_datasets(&app, &server).await;
    app.screenshot("8-metered").await;
    // The board's dataset is on screen: it is refreshed, metered or not.
    app.click("[data-testid=nav-board]").await;
    app.eventually("the board's dataset refreshed", 20, || async {
        dataset_listings(&server) >= 1
    })
    .await;
    app.click("[data-testid=nav-sync]").await;
    app.click("[data-testid=metered]").await;
    app.eventually("the status bar no longer says metered", 10, || async {
        !app.exists("[data-testid=metered-note]").await
    })
    .await;
    assert!(!data.workspace().preferences().metered);
    // A report for a bug goes to the clipboard (a toast says so, not an error).
    app.click("[data-testid=copy-diagnostics]").await;
    app.eventually("the diagnostics were copied", 10, || async {
        app.client
            .source()
            .await
            .is_ok_and(|html| html.contains("Diagnostics copied"))
    })
    .await;
    app.quit().await;
}

/// A phone's hotspot: the system says the connection is metered, and the app spares it
/// without being told — until the user says not to follow the system; the system's word
/// changing back is followed too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_saying_metered_spares_the_connection_unless_told_not_to_follow_it() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let nm = network::NetworkManager::start_metered(network::GUESS_YES).await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Admin).await;
    let app = App::launch(&data, "8-system-metered").await;
    app.click("[data-testid=nav-sync]").await;
    app.wait_for("[data-testid=metered-note][data-by=system]")
        .await;
    let note = app
        .wait_for("[data-testid=system-metered-note]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        note.contains("The system says this connection is metered"),
        "{note}"
    );
    assert!(
        !data.workspace().preferences().metered,
        "the user's own switch stays off"
    );
    sync_now_spares_whole_datasets(&app, &server).await;
    app.screenshot("8-system-metered").await;

    // Told not to follow the system: the whole datasets are refreshed again.
    app.click("[data-testid=follow-system-metered]").await;
    app.eventually("the status bar no longer says metered", 10, || async {
        !app.exists("[data-testid=metered-note]").await
    })
    .await;
    assert!(!data.workspace().preferences().follow_system_metered);
    server.control.reset_stats();
    app.click("[data-testid=sync-now]").await;
    app.eventually("whole datasets refreshed", 20, || async {
        dataset_listings(&server) >= 1
    })
    .await;

    // Following it again, the system's word changing is followed both ways.
    app.click("[data-testid=follow-system-metered]").await;
    app.wait_for("[data-testid=metered-note][data-by=system]")
        .await;
    nm.set_metered(network::GUESS_NO).await;
    app.eventually("no longer metered when the system says so", 10, || async {
        !app.exists("[data-testid=metered-note]").await
    })
    .await;
    nm.set_metered(network::GUESS_YES).await;
    app.wait_for("[data-testid=metered-note][data-by=system]")
        .await;
    app.quit().await;
}

/// A signed update on a local release server: the signed-in app finds it once its sync has
/// reached Deepen (not before, and never in demo mode), says so in the status bar and the
/// sync centre with its notes, and asks before anything is downloaded. Built from source,
/// it says it cannot replace itself rather than offer a button that cannot work.
#[tokio::test]
async fn an_update_is_found_once_online_and_offered_before_anything_is_downloaded() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let (releases, key) = (
        release_server::ReleaseServer::start(),
        release_server::ReleaseKey::generate(),
    );
    let new = release_server::artifact("9.9.9");
    releases.publish("9.9.9", &new, &key.sign(&new, "9.9.9"));
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Annotator).await;
    let app = App::launch_with(
        &data,
        "9-update",
        &[
            ("DTASKS_UPDATE_ENDPOINT", releases.manifest_url()),
            ("DTASKS_UPDATE_PUBKEY", key.public()),
        ],
    )
    .await;
    app.wait_for("[data-testid=update-badge]").await;
    app.click("[data-testid=update-badge]").await;
    app.wait_for("[data-testid=updates][data-state=available]")
        .await;
    let summary = app
        .wait_for("[data-testid=update-summary]")
        .await
        .text()
        .await
        .unwrap();
    assert!(summary.contains("9.9.9 is available"), "{summary}");
    assert!(
        app.attr("[data-testid=install-update]", "disabled")
            .await
            .is_some(),
        "a copy built from source cannot replace itself"
    );
    let section = app
        .wait_for("[data-testid=updates]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        section.contains("Faster board"),
        "the notes show: {section}"
    );
    assert!(
        section.contains("not installed from a package"),
        "{section}"
    );
    app.screenshot("9-update").await;
    assert_eq!(
        releases.requests(),
        1,
        "one manifest request; nothing downloaded before the user says so"
    );
    app.quit().await;
    // The log file a user may send names the account with its email masked.
    let log = std::fs::read_to_string(
        data.dir
            .path()
            .join("xdg-data/ai.deepen.tasks/logs/deepen-tasks.log"),
    )
    .expect("the app's log file");
    let opened = log
        .lines()
        .find(|l| l.contains("account opened"))
        .unwrap_or_else(|| panic!("no 'account opened' line in the log:\n{log}"));
    assert!(
        !log.contains(&data.user.email),
        "an email in the log: {opened}"
    );
    assert!(
        opened.contains("@example.com"),
        "the domain is kept: {opened}"
    );
    assert!(!log.contains(&data.user.token), "a token in the log");
}

/// What a sync brings is news: a badge on Activity (the window is in front, so no desktop
/// notification is needed), the changes in the Activity view with the reviewer's reason, a
/// task's history, the review panel in Overview, exports as CSV files, and a task opened in
/// Deepen's web tool at the address the wire module builds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn news_of_a_sync_shows_in_activity_history_review_and_exports() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Annotator).await;
    let me = data.user.email.clone();
    let out = tempfile::tempdir().unwrap();
    let exports = out.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let opened = out.path().join("opened.txt");
    let app = App::launch_with(
        &data,
        "11-activity",
        &[
            ("DTASKS_EXPORT_DIR", exports.display().to_string()),
            ("DTASKS_OPENED_URLS", opened.display().to_string()),
        ],
    )
    .await;
    app.wait_for("[data-testid=task-row]").await;

    // On the server: a reviewer rejects one of my submissions with a reason, and the
    // manager gives me two more tasks.
    let ws = data.workspace();
    let mine = ws
        .tasks(&TaskQuery {
            assignee: Some(AssigneeFilter::Is(me.clone())),
            statuses: vec!["ready".into()],
            limit: 50,
            ..Default::default()
        })
        .unwrap()
        .rows;
    let submitted = mine[0].task_id.clone();
    server
        .control
        .act(
            &me,
            Action::Submit {
                task_id: submitted.clone(),
            },
        )
        .unwrap();
    // Seen submitted by a sync first (a change made and undone between two syncs is not).
    app.click("[data-testid=sync-now]").await;
    app.eventually("the submit seen by a sync", 15, || async {
        ws.store()
            .mirror_reader()
            .task(&submitted)
            .unwrap()
            .is_some_and(|t| t.status == "submitted")
    })
    .await;
    let admin = server.control.user(Role::Admin).email;
    server
        .control
        .act(
            &admin,
            Action::Reject {
                task_id: submitted.clone(),
                reason: Some("Boxes too loose on the cyclist".into()),
            },
        )
        .unwrap();
    let free = ws
        .tasks(&TaskQuery {
            assignee: Some(AssigneeFilter::Unassigned),
            statuses: vec!["ready".into()],
            limit: 2,
            ..Default::default()
        })
        .unwrap()
        .rows;
    assert_eq!(free.len(), 2);
    server
        .control
        .act(
            &admin,
            Action::Assign {
                dataset_id: free[0].dataset_id.clone(),
                task_type: free[0].task_type.clone(),
                assignments: free
                    .iter()
                    .filter(|t| t.dataset_id == free[0].dataset_id)
                    .map(|t| (t.task_id.clone(), Some(me.clone())))
                    .collect(),
            },
        )
        .unwrap();
    let given = free
        .iter()
        .filter(|t| t.dataset_id == free[0].dataset_id)
        .count();
    app.click("[data-testid=sync-now]").await;
    let badge = app.wait_for("[data-testid=news-badge]").await;
    assert_eq!(
        badge.text().await.unwrap(),
        (given + 1).to_string(),
        "one per task told"
    );
    app.screenshot("11-news-badge").await;

    app.click("[data-testid=nav-activity]").await;
    app.eventually("the rejection with its reason", 10, || async {
        app.find_all("[data-testid=activity-row]").await.len() > given
    })
    .await;
    let list = app
        .wait_for("[data-testid=activity-list]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("Submitted → Rejected: “Boxes too loose on the cyclist”"),
        "{list}"
    );
    assert!(list.contains("Given to"), "{list}");
    assert!(
        !app.exists("[data-testid=news-badge]").await,
        "looking at the activity reads the news"
    );
    app.screenshot("11-activity").await;

    // The rejected task's history.
    let link = app
        .find_all("[data-testid=activity-task]")
        .await
        .into_iter();
    let mut opened_history = false;
    for l in link {
        if l.text().await.unwrap() == submitted {
            l.click().await.unwrap();
            opened_history = true;
            break;
        }
    }
    assert!(opened_history, "the rejected task is in the list");
    let history = app
        .wait_for("[data-testid=task-history]")
        .await
        .text()
        .await
        .unwrap();
    assert!(history.contains("Rejected"), "{history}");
    app.screenshot("11-task-history").await;
    app.client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys(&Key::Escape.to_string())
        .await
        .unwrap();

    // The activity as CSV: said where, and the file holds the reason.
    app.click("[data-testid=export-activity]").await;
    let toast = app
        .wait_for("[data-testid=toast]")
        .await
        .text()
        .await
        .unwrap();
    assert!(toast.starts_with("Saved "), "{toast}");
    let files: Vec<_> = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(toast.contains(&files[0].display().to_string()), "{toast}");
    let csv = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        csv.starts_with("seen_at,source,kind,task_id,dataset_id,person,from,to,note\n"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(
            "server,status,{submitted},{},{me},submitted,rejected,Boxes too loose on the cyclist\n",
            mine[0].dataset_id
        )),
        "{csv}"
    );

    // The review panel: my submission and its rejection.
    app.click("[data-testid=nav-overview]").await;
    app.eventually("my row in the review panel", 15, || async {
        for row in app.find_all("[data-testid=review-row]").await {
            if row.text().await.is_ok_and(|t| t.contains("100 %")) {
                return true;
            }
        }
        false
    })
    .await;
    app.screenshot("11-overview-review").await;

    // Open in Deepen, from My tasks: the task's page on the server's host.
    app.click("[data-testid=nav-my]").await;
    app.click("[data-testid=task-row] [data-testid=row-select]")
        .await;
    app.click("[data-testid=open-in-deepen]").await;
    app.eventually("the address was opened", 10, || async { opened.exists() })
        .await;
    let url = std::fs::read_to_string(&opened).unwrap();
    assert!(
        url.starts_with(&format!(
            "{}/workspace/",
            server.emu.base_url().split("/api/").next().unwrap()
        )),
        "{url}"
    );
    app.quit().await;
}

/// News while the window is not in front: one desktop notification per kind and dataset
/// ("2 new tasks in …"), raised through the desktop's notification service (a stand-in on
/// the test's session bus); clicking it brings the window to those tasks in My tasks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_tells_of_new_tasks_and_clicking_it_shows_them() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let notifications = notifications::Notifications::start().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Annotator).await;
    let me = data.user.email.clone();
    let out = tempfile::tempdir().unwrap();
    let opened = out.path().join("opened.txt");
    let app = App::launch_with(
        &data,
        "11-notification",
        &[("DTASKS_OPENED_URLS", opened.display().to_string())],
    )
    .await;
    app.wait_for("[data-testid=task-row]").await;
    let free = data
        .workspace()
        .tasks(&TaskQuery {
            assignee: Some(AssigneeFilter::Unassigned),
            statuses: vec!["ready".into()],
            limit: 50,
            ..Default::default()
        })
        .unwrap()
        .rows;
    let dataset = free[0].dataset_id.clone();
    let given: Vec<String> = free
        .iter()
        .filter(|t| t.dataset_id == dataset)
        .take(2)
        .map(|t| t.task_id.clone())
        .collect();
    assert_eq!(given.len(), 2);
    let admin = server.control.user(Role::Admin).email;
    server
        .control
        .act(
            &admin,
            Action::Assign {
                dataset_id: dataset.clone(),
                task_type: free[0].task_type.clone(),
                assignments: given
                    .iter()
                    .map(|t| (t.clone(), Some(me.clone())))
                    .collect(),
            },
        )
        .unwrap();
    // The window goes to the background; a sync is asked for without touching it.
    let _ = app.client.minimize_window().await;
    app.client
        .execute("window.__TAURI_INTERNALS__.invoke('sync_now')", vec![])
        .await
        .unwrap();
    app.eventually("a desktop notification", 20, || async {
        !notifications.raised().is_empty()
    })
    .await;
    let raised = notifications.raised();
    assert_eq!(
        raised.len(),
        1,
        "one notification for both tasks: {raised:?}"
    );
    let n = &raised[0];
    assert_eq!(n.app_name, "Deepen Tasks");
    assert!(n.summary.starts_with("2 new tasks in "), "{n:?}");
    for t in &given {
        assert!(n.body.contains(t.as_str()), "{n:?}");
    }
    assert!(n.actions.contains(&"default".to_string()), "{n:?}");

    notifications.click(n.id).await;
    app.wait_for("[data-testid=filter-notified]").await;
    app.eventually("My tasks shows the two tasks", 10, || async {
        let rows = app.find_all("[data-testid=task-row]").await;
        let mut ids = Vec::new();
        for r in rows {
            ids.push(r.attr("data-task-id").await.unwrap().unwrap_or_default());
        }
        ids.sort();
        let mut want = given.clone();
        want.sort();
        ids == want
    })
    .await;
    app.screenshot("11-notification-opened").await;

    // One task rejected: its notification opens the task in Deepen too.
    let _ = app.client.minimize_window().await;
    server
        .control
        .act(
            &me,
            Action::Submit {
                task_id: given[0].clone(),
            },
        )
        .unwrap();
    let ws = data.workspace();
    app.client
        .execute("window.__TAURI_INTERNALS__.invoke('sync_now')", vec![])
        .await
        .unwrap();
    app.eventually("the submit seen by a sync", 15, || async {
        ws.store()
            .mirror_reader()
            .task(&given[0])
            .unwrap()
            .is_some_and(|t| t.status == "submitted")
    })
    .await;
    server
        .control
        .act(
            &admin,
            Action::Reject {
                task_id: given[0].clone(),
                reason: Some("Wrong class on the trailer".into()),
            },
        )
        .unwrap();
    app.client
        .execute("window.__TAURI_INTERNALS__.invoke('sync_now')", vec![])
        .await
        .unwrap();
    app.eventually("the rejection's notification", 20, || async {
        notifications.raised().len() >= 2
    })
    .await;
    let rejected = notifications.raised()[1].clone();
    assert!(
        rejected.summary.starts_with("1 submission rejected in "),
        "{rejected:?}"
    );
    assert!(
        rejected
            .body
            .contains("Reviewer: “Wrong class on the trailer”"),
        "{rejected:?}"
    );
    assert!(
        rejected.actions.contains(&"open-in-deepen".to_string()),
        "{rejected:?}"
    );
    notifications.invoke(rejected.id, "open-in-deepen").await;
    app.eventually("the task's page opened", 10, || async { opened.exists() })
        .await;
    let url = std::fs::read_to_string(&opened).unwrap();
    assert!(
        url.trim_end().ends_with(&format!("/tasks/{}", given[0])),
        "{url}"
    );
    app.quit().await;
}

/// Where the desktop has a tray host (a stand-in StatusNotifierWatcher on the test's
/// session bus), the app shows a tray icon whose menu says the sync state and offers
/// *Sync now*, *Show* and *Quit*; *Sync now* from the tray syncs; the Sync centre offers to
/// keep syncing in the tray when the window is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tray_says_the_state_and_syncs_from_its_menu() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let host = tray::TrayHost::start().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Annotator).await;
    let app = App::launch(&data, "11-tray").await;
    app.wait_for("[data-testid=task-row]").await;
    app.eventually("the tray icon registered", 20, || async {
        !host.items().is_empty()
    })
    .await;
    let item = host.items()[0].clone();
    app.eventually("the tray's status line", 20, || async {
        host.entries(&item)
            .await
            .first()
            .is_some_and(|e| e.label.starts_with("Online"))
    })
    .await;
    let entries = host.entries(&item).await;
    let labels: Vec<&str> = entries.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(
        labels[1..],
        ["Sync now", "Show Deepen Tasks", "Quit"],
        "{entries:?}"
    );
    assert!(!entries[0].enabled, "the status line is not an action");

    let before = server.control.stats().total();
    host.click(&item, entries[1].id).await;
    app.eventually("a sync from the tray", 20, || async {
        server.control.stats().total() > before
    })
    .await;

    app.click("[data-testid=nav-sync]").await;
    let keep = app.wait_for("[data-testid=close-to-tray]").await;
    assert_eq!(keep.prop("checked").await.unwrap().as_deref(), Some("true"));
    assert_eq!(
        keep.prop("disabled").await.unwrap().as_deref(),
        Some("false")
    );
    app.screenshot("11-sync-centre-settings").await;

    // The window's close button (a window manager's close request): the window goes, the
    // app stays in the tray and keeps syncing; the tray's Show brings the window back.
    let desktop = window::Desktop::connect();
    let windows = desktop.windows_titled("Deepen Tasks");
    assert_eq!(windows.len(), 1, "one app window");
    let main = windows[0];
    assert!(desktop.is_shown(main));
    desktop.request_close(main);
    app.eventually("the window hidden on close", 20, || async {
        !desktop.is_shown(main)
    })
    .await;
    let before = server.control.stats().total();
    host.click(&item, entries[1].id).await;
    app.eventually("still syncing from the tray", 20, || async {
        server.control.stats().total() > before
    })
    .await;
    host.click(&item, entries[2].id).await;
    app.eventually("the window back from the tray's Show", 20, || async {
        desktop.is_shown(main)
    })
    .await;
    // The same window, state kept: still on the Sync centre.
    app.wait_for("[data-testid=close-to-tray]").await;
    app.quit().await;
}
