//! axe-core (ui/node_modules/axe-core, the version pinned in ui/package.json) injected
//! into the real app's webview through WebDriver: every screen and dialog, light and dark,
//! as a manager and as an annotator, and the connect screen. Prints the violations per
//! screen by impact; fails on any critical or serious one.

#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{App, AppData, Server};
use deepen_emulator::Role;
use fantoccini::Locator;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;

static ONE_APP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The axe-core script, as the UI's dev dependency installed it.
fn axe_source() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (npm ci in ui/ installs it; scripts/setup.sh does)",
            path.display()
        )
    })
}

/// One screen's violations: rule id → (impact, nodes, a sample target and message).
#[derive(Debug, Default)]
struct Findings {
    by_rule: BTreeMap<String, (String, usize, String)>,
}

impl Findings {
    fn count(&self, impact: &str) -> usize {
        self.by_rule
            .values()
            .filter(|(i, _, _)| i == impact)
            .map(|(_, n, _)| n)
            .sum()
    }

    fn blocking(&self) -> Vec<String> {
        self.by_rule
            .iter()
            .filter(|(_, (impact, _, _))| impact == "critical" || impact == "serious")
            .map(|(rule, (impact, n, sample))| format!("{impact} {rule} ×{n}: {sample}"))
            .collect()
    }
}

/// Runs axe on the page as it is now (WCAG 2.x A and AA, and best practices).
async fn audit(app: &App, axe: &str) -> Findings {
    app.client
        .execute(axe, vec![])
        .await
        .expect("axe-core loads in the webview");
    let result = app
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ["violations"] })
                 .then(r => done(r.violations.map(v => ({
                   id: v.id, impact: v.impact, nodes: v.nodes.length,
                   sample: v.nodes[0].target.join(" ") + " — " + (v.nodes[0].failureSummary || "").split("\n").slice(1, 2).join("")
                 }))))
                 .catch(e => done([{ id: "axe-error", impact: "critical", nodes: 1, sample: String(e) }]));"#,
            vec![],
        )
        .await
        .expect("axe runs");
    let mut findings = Findings::default();
    for v in result.as_array().expect("a list of violations") {
        let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        findings.by_rule.insert(
            text("id"),
            (
                text("impact"),
                v["nodes"].as_u64().unwrap_or(0) as usize,
                text("sample"),
            ),
        );
    }
    findings
}

/// A file name for a screenshot of `what`.
fn shot_name(what: &str) -> String {
    what.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Escape, as the keyboard sends it (closes a dialog).
async fn escape(app: &App) {
    let body = app.client.find(Locator::Css("body")).await.unwrap();
    body.send_keys(&Key::Escape.to_string()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
}

/// The screens of a signed-in workspace and its dialogs, audited one after another.
async fn audit_workspace(
    app: &App,
    axe: &str,
    who: &str,
    manager: bool,
) -> Vec<(String, Findings)> {
    let mut out = Vec::new();
    for (nav, name, ready) in [
        ("my", "My tasks", "[data-testid=task-total]"),
        ("board", "Board", "[data-testid=board-column]"),
        ("delayed", "Delayed", "main h1"),
        ("overview", "Overview", "[data-testid=review-panel]"),
        ("activity", "Activity", "main h1"),
        ("sync", "Sync centre", "[data-testid=updates]"),
    ] {
        app.click(&format!("[data-testid=nav-{nav}]")).await;
        app.wait_for(ready).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        out.push((format!("{who}: {name}"), audit(app, axe).await));
        app.screenshot(&shot_name(&format!("a11y {who} {name}")))
            .await;
        if nav == "my" && !manager {
            // A task's history, from its row (the manager has no task of their own).
            app.click("[data-testid=task-row] [data-testid=row-select]")
                .await;
            app.click("[data-testid=action-history]").await;
            app.wait_for("[role=dialog]").await;
            out.push((format!("{who}: Task history"), audit(app, axe).await));
            escape(app).await;
            app.click("[data-testid=task-row] [data-testid=row-select]")
                .await;
        }
        if nav == "my" && !manager {
            // Rejecting a task that is not submitted says why at once, with no dialog.
            app.wait_for("[data-testid=task-row][data-status=ready]")
                .await;
            app.click("[data-testid=task-row][data-status=ready] [data-testid=row-select]")
                .await;
            app.click("[data-testid=action-reject]").await;
            app.wait_for("[data-testid=toast]").await;
            assert!(
                !app.exists("[role=dialog]").await,
                "no dialog for a task that cannot be rejected"
            );
            out.push((format!("{who}: a refused action"), audit(app, axe).await));
            app.click("[data-testid=task-row][data-status=ready] [data-testid=row-select]")
                .await;
            // A submitted one (done tasks shown) opens the reason dialog, naming it.
            app.click("[data-testid=show-done]").await;
            app.wait_for("[data-testid=task-row][data-status=submitted]")
                .await;
            app.click("[data-testid=task-row][data-status=submitted] [data-testid=row-select]")
                .await;
            app.click("[data-testid=action-reject]").await;
            let dialog = app.wait_for("[role=dialog]").await;
            let named = dialog.text().await.unwrap();
            assert!(
                named.contains("Reject ds"),
                "the dialog names its task: {named}"
            );
            out.push((format!("{who}: Reject dialog"), audit(app, axe).await));
            escape(app).await;
            app.click("[data-testid=show-done]").await;
        }
        if nav == "board" && !manager {
            // Not a dataset admin: the board is view only, and says so.
            app.wait_for("[data-testid=board-read-only]").await;
            assert!(
                !app.exists("[data-testid=balance]").await,
                "no Balance… for an annotator"
            );
        }
        if nav == "board" && manager {
            // A window narrower than the board: the columns out of view are counted, and
            // the count scrolls to them.
            let _ = app.client.set_window_rect(0, 0, 1000, 900).await;
            let right = app.wait_for("[data-testid=offscreen-right]").await;
            let says = right.text().await.unwrap();
            assert!(says.ends_with("more →"), "{says}");
            out.push((
                format!("{who}: Board, narrow window"),
                audit(app, axe).await,
            ));
            right.click().await.unwrap();
            app.wait_for("[data-testid=offscreen-left]").await;
            let _ = app.client.set_window_rect(0, 0, 1600, 900).await;
            app.click("[data-testid=balance]").await;
            app.wait_for("[role=dialog]").await;
            // It says who would get how many before anything moves.
            app.eventually("the balance preview", 10, || async {
                let Ok(el) = app
                    .client
                    .find(Locator::Css("[data-testid=balance-preview]"))
                    .await
                else {
                    return false;
                };
                el.text()
                    .await
                    .is_ok_and(|t| t.starts_with("Will give") || t == "Nothing would move.")
            })
            .await;
            out.push((format!("{who}: Balance dialog"), audit(app, axe).await));
            escape(app).await;
        }
    }
    app.click(".help-link").await;
    app.wait_for("[role=dialog]").await;
    out.push((format!("{who}: Keyboard shortcuts"), audit(app, axe).await));
    escape(app).await;
    out
}

fn report(results: &[(String, Findings)]) -> Vec<String> {
    println!(
        "{:<48} {:>8} {:>8} {:>8} {:>8}",
        "screen", "critical", "serious", "moderate", "minor"
    );
    let mut blocking = Vec::new();
    for (screen, f) in results {
        println!(
            "{screen:<48} {:>8} {:>8} {:>8} {:>8}",
            f.count("critical"),
            f.count("serious"),
            f.count("moderate"),
            f.count("minor")
        );
        for b in f.blocking() {
            println!("    {b}");
            blocking.push(format!("{screen}: {b}"));
        }
    }
    blocking
}

/// Light and dark, as the system theme says (GTK's, which WebKitGTK follows).
fn themes() -> [(&'static str, Vec<(&'static str, String)>); 2] {
    [
        ("light", vec![]),
        ("dark", vec![("GTK_THEME", "Adwaita:dark".to_string())]),
    ]
}

async fn audit_role(role: Role, label: &str) -> Vec<(String, Findings)> {
    let axe = axe_source();
    let server = Server::start().await;
    let data = AppData::connected(&server, role).await;
    let mut results = Vec::new();
    for (theme, env) in themes() {
        let app = App::launch_with(&data, &format!("a11y-{label}-{theme}"), &env).await;
        let who = format!("{label}, {theme}");
        results.extend(audit_workspace(&app, &axe, &who, role == Role::Admin).await);
        app.quit().await;
    }
    results
}

/// The demo as its manager and as its annotator, then the connect screen (leaving the
/// demo shows it).
async fn audit_connect() -> Vec<(String, Findings)> {
    let axe = axe_source();
    let mut results = Vec::new();
    for (theme, env) in themes() {
        let data = AppData::empty();
        let app = App::launch_with(&data, &format!("a11y-connect-{theme}"), &env).await;
        app.wait_for("[data-testid=demo-banner]").await;
        app.wait_for("[data-testid=board-column]").await;
        results.push((format!("demo (manager), {theme}"), audit(&app, &axe).await));
        app.click("[data-testid=demo-switch]").await;
        app.wait_for("[data-testid=task-row]").await;
        results.push((
            format!("demo (annotator), {theme}"),
            audit(&app, &axe).await,
        ));
        app.click("[data-testid=sign-out]").await;
        app.wait_for("[data-testid=try-demo]").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        results.push((format!("connect, {theme}"), audit(&app, &axe).await));
        // Connecting with nothing typed says what each field needs, next to it.
        app.click("button.primary").await;
        app.wait_for("[data-testid=connect-token-problem]").await;
        results.push((
            format!("connect, {theme}: empty submit"),
            audit(&app, &axe).await,
        ));
        app.screenshot(&format!("a11y-connect-{theme}")).await;
        app.quit().await;
    }
    results
}

#[tokio::test]
async fn every_screen_passes_axe_for_a_manager_and_an_annotator_in_light_and_dark() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let mut results = audit_role(Role::Admin, "manager").await;
    results.extend(audit_role(Role::Annotator, "annotator").await);
    results.extend(audit_connect().await);
    let blocking = report(&results);
    assert!(
        blocking.is_empty(),
        "{} critical or serious axe violations:\n{}",
        blocking.len(),
        blocking.join("\n")
    );
}

/// One key pressed and released, as the keyboard sends it (what dnd-kit listens to).
async fn press(app: &App, key: char) {
    let actions = KeyActions::new("keys".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    app.client
        .perform_actions(actions)
        .await
        .expect("key press");
    tokio::time::sleep(Duration::from_millis(250)).await;
}

/// Keys to whatever has focus, as a keyboard types them.
async fn keys(app: &App, text: &str) {
    let el = app
        .client
        .active_element()
        .await
        .expect("something has focus");
    el.send_keys(text).await.expect("keys typed");
    tokio::time::sleep(Duration::from_millis(150)).await;
}

/// What has focus: its role, its row index and its task (when a row).
async fn focused(app: &App) -> (String, String, String) {
    let v = app
        .client
        .execute(
            "const e = document.activeElement; return ['role', 'aria-rowindex', 'data-task-id'].map(a => (e && e.getAttribute(a)) || '');",
            vec![],
        )
        .await
        .unwrap();
    let part = |i: usize| v[i].as_str().unwrap_or_default().to_string();
    (part(0), part(1), part(2))
}

#[tokio::test]
async fn an_annotator_submits_with_the_keyboard_alone_and_the_list_is_one_tab_stop() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Annotator).await;
    let app = App::launch(&data, "keyboard-annotator").await;
    app.wait_for("[data-testid=task-row]").await;
    // From the page: j moves the cursor down, and the row under it takes focus.
    app.client
        .execute(
            "document.activeElement && document.activeElement.blur()",
            vec![],
        )
        .await
        .unwrap();
    keys(&app, "j").await;
    app.eventually("the second row has focus", 5, || async {
        let (role, index, _) = focused(&app).await;
        role == "row" && index == "3"
    })
    .await;
    let (_, _, task) = focused(&app).await;
    // x selects it, s submits it: it stays listed, pending, until Deepen has it.
    keys(&app, "x").await;
    app.eventually("x selected it", 5, || async {
        app.attr(&format!("[data-task-id='{task}']"), "aria-selected")
            .await
            .as_deref()
            == Some("true")
    })
    .await;
    keys(&app, "s").await;
    app.eventually("the submit is pending on its row", 10, || async {
        app.badge_of(&task).await.as_deref() == Some("pending")
    })
    .await;
    app.eventually("and reaches Deepen", 30, || async {
        server.status(&task) == "submitted"
    })
    .await;
    // Once Deepen has it, it leaves the open list. The list is one tab stop: Tab from a
    // focused row leaves the list.
    app.eventually("the submitted task leaves the open list", 30, || async {
        !app.exists(&format!("[data-task-id='{task}']")).await
    })
    .await;
    app.click("[data-testid=task-row] .task-id").await;
    keys(&app, &Key::Tab.to_string()).await;
    let (role, _, _) = focused(&app).await;
    assert_ne!(
        role, "row",
        "Tab left the list instead of going to the next row"
    );
    app.quit().await;
}

#[tokio::test]
async fn a_manager_selects_two_cards_and_moves_them_with_the_keyboard_alone() {
    require_e2e!();
    let _one = ONE_APP.lock().await;
    let server = Server::start().await;
    let data = AppData::connected(&server, Role::Admin).await;
    let app = App::launch(&data, "keyboard-manager").await;
    app.click("[data-testid=nav-board]").await;
    app.wait_for("[data-testid=board-column] [data-testid=task-card]")
        .await;
    // One tab stop per column: only each column's first card is in the Tab order.
    app.eventually("one tab stop per column with cards", 15, || async {
        let counts = app
            .client
            .execute(
                "const cols = [...document.querySelectorAll('[data-testid=board-column]')];
                 return [cols.filter(c => c.querySelector('[data-testid=task-card]')).length,
                         [...document.querySelectorAll('[data-testid=task-card]')].filter(c => c.tabIndex === 0).length,
                         document.querySelectorAll('[data-testid=task-card]').length];",
                vec![],
            )
            .await
            .unwrap();
        let n = |i: usize| counts[i].as_u64().unwrap_or(0);
        n(0) >= 3 && n(1) == n(0) && n(2) > n(1)
    })
    .await;
    // The first card of the second column with at least two cards: focus it, x selects,
    // ↓ moves to the next card, x selects it too.
    let column = app
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=board-column]')].findIndex(c => c.querySelectorAll('[data-testid=task-card]').length >= 2)",
            vec![],
        )
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    assert!(column >= 0, "a column with two cards");
    let first = app
        .client
        .execute(
            &format!("const c = document.querySelectorAll('[data-testid=board-column]')[{column}].querySelector('[data-testid=task-card]'); c.focus(); return c.getAttribute('data-task-id');"),
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    keys(&app, "x").await;
    keys(&app, &Key::Down.to_string()).await;
    app.eventually("↓ moved to the next card", 5, || async {
        let (_, _, now) = focused(&app).await;
        !now.is_empty() && now != first
    })
    .await;
    let (_, _, second) = focused(&app).await;
    keys(&app, "x").await;
    app.eventually("both cards selected", 5, || async {
        let mut both = true;
        for t in [&first, &second] {
            both &= app
                .attr(
                    &format!("[data-testid=task-card][data-task-id='{t}']"),
                    "aria-pressed",
                )
                .await
                .as_deref()
                == Some("true");
        }
        both
    })
    .await;
    // Space picks the selection up, → moves it one column right, Space drops it there.
    for k in [' ', char::from(Key::Right), ' '] {
        press(&app, k).await;
    }

    app.eventually("both cards moved to the next column, focus with the card", 10, || async {
        let target = app
            .client
            .execute(
                &format!("return document.querySelectorAll('[data-testid=board-column]')[{}].getAttribute('data-assignee')", column + 1),
                vec![],
            )
            .await
            .unwrap();
        let target = target.as_str().unwrap_or_default().to_string();
        let mut moved = true;
        for t in [&first, &second] {
            moved &= app
                .exists(&format!("[data-assignee='{target}'] [data-task-id='{t}']"))
                .await;
        }
        let (_, _, has_focus) = focused(&app).await;
        moved && has_focus == second
    })
    .await;
    app.quit().await;
}
