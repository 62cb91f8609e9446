//! Notices to the user: the core says what a sync round brought (`dtasks_core::notices`);
//! here they are worded and shown — as desktop notifications while the window is not in
//! front, and always as the window's in-app badge (event `NewsArrived`), so nothing is
//! told twice while the user looks and nothing is missed while they don't. Clicking a
//! notification brings the window to the tasks it names (event `NoticeOpened`).

use dtasks_core::notices::{Notice, NoticeKind};
use tauri::{AppHandle, Manager, Runtime};

/// How many task ids a notification names before "and N more".
const NAMED: usize = 3;

/// A notice in words: a title and a body.
pub fn word(n: &Notice) -> (String, String) {
    let count = n.task_ids.len();
    let place = n.dataset_name.as_deref().unwrap_or(&n.dataset_id);
    let plural = |one: &'static str, many: &'static str| if count == 1 { one } else { many };
    let title = match n.kind {
        NoticeKind::Assigned => format!("{count} new {} in {place}", plural("task", "tasks")),
        NoticeKind::Rejected => format!(
            "{count} {} rejected in {place}",
            plural("submission", "submissions")
        ),
        NoticeKind::Late => format!(
            "{count} of your {} now late in {place}",
            plural("task is", "tasks are")
        ),
        NoticeKind::NeedsDecision => format!(
            "{count} {} your decision in {place}",
            plural("action needs", "actions need")
        ),
    };
    let mut body = named(&n.task_ids);
    if !n.reasons.is_empty() {
        body.push_str(&format!("\nReviewer: “{}”", n.reasons.join("”, “")));
    }
    if n.kind == NoticeKind::NeedsDecision {
        body.push_str("\nOpen the sync centre to decide.");
    }
    (title, body)
}

/// `a, b, c and 4 more`.
fn named(ids: &[String]) -> String {
    let shown: Vec<&str> = ids.iter().take(NAMED).map(String::as_str).collect();
    match ids.len().saturating_sub(NAMED) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Whether the main window is in front of the user (then the badge says it).
fn window_has_focus<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window("main")
        .and_then(|w| Some(w.is_visible().ok()? && w.is_focused().ok()?))
        .unwrap_or(false)
}

/// Shows `notices` as desktop notifications unless the window has focus; gives whether
/// they were shown so.
pub fn deliver<R: Runtime>(app: &AppHandle<R>, notices: &[Notice]) -> bool {
    if notices.is_empty() || window_has_focus(app) {
        return false;
    }
    for notice in notices {
        show(app, notice);
    }
    true
}

/// On Linux the notification is raised here, through the same library the notification
/// plugin uses, because the plugin drops it once shown: with its handle kept, a click (the
/// Freedesktop `default` action) brings the window to what the notice names.
#[cfg(target_os = "linux")]
fn show<R: Runtime>(app: &AppHandle<R>, notice: &Notice) {
    let (title, body) = word(notice);
    let (app, notice) = (app.clone(), notice.clone());
    std::thread::spawn(move || {
        let mut raised = notify_rust::Notification::new();
        raised
            .appname("Deepen Tasks")
            .summary(&title)
            .body(&body)
            .action("default", "Show");
        // One task: its page in Deepen is one click away too.
        if notice.task_ids.len() == 1 {
            raised.action(OPEN_IN_DEEPEN, "Open in Deepen");
        }
        match raised.show() {
            // Returns when the notification is clicked or closed.
            Ok(handle) => handle.wait_for_action(|action| match action {
                "default" => opened(&app, notice.clone()),
                OPEN_IN_DEEPEN => open_in_deepen(&app, &notice.task_ids[0]),
                _ => {}
            }),
            Err(e) => tracing::warn!(error = %e, "cannot show a desktop notification"),
        }
    });
}

#[cfg(not(target_os = "linux"))]
fn show<R: Runtime>(app: &AppHandle<R>, notice: &Notice) {
    use tauri_plugin_notification::NotificationExt;
    let (title, body) = word(notice);
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "cannot show a desktop notification");
    }
}

/// The action of a one-task notification that opens the task in Deepen's web tool.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const OPEN_IN_DEEPEN: &str = "open-in-deepen";

/// The task's page in Deepen, from a notification (as the window's *Open in Deepen*).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn open_in_deepen<R: Runtime>(app: &AppHandle<R>, task_id: &str) {
    let opened = app
        .state::<crate::session::AppState>()
        .session()
        .and_then(|s| Ok(s.workspace.web_task_url(task_id)?))
        .and_then(|url| app.state::<crate::opener::Opener>().open(&url));
    if let Err(e) = opened {
        tracing::warn!(error = %e, "cannot open the task in Deepen from a notification");
    }
}

/// A notification was clicked: the window comes forward on what it named.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn opened<R: Runtime>(app: &AppHandle<R>, notice: Notice) {
    crate::tray::show_window(app);
    crate::events::notice_opened(app, notice);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(kind: NoticeKind, tasks: usize) -> Notice {
        Notice {
            kind,
            dataset_id: "ds1".into(),
            dataset_name: Some("Highway LiDAR".into()),
            task_ids: (1..=tasks).map(|i| format!("t{i}")).collect(),
            reasons: Vec::new(),
        }
    }

    #[test]
    fn notices_are_worded_with_counts_places_and_reasons() {
        assert_eq!(
            word(&notice(NoticeKind::Assigned, 5)),
            (
                "5 new tasks in Highway LiDAR".to_string(),
                "t1, t2, t3 and 2 more".to_string()
            )
        );
        let mut rejected = notice(NoticeKind::Rejected, 1);
        rejected.reasons = vec!["Boxes too loose".into()];
        assert_eq!(
            word(&rejected),
            (
                "1 submission rejected in Highway LiDAR".to_string(),
                "t1\nReviewer: “Boxes too loose”".to_string()
            )
        );
        assert_eq!(
            word(&notice(NoticeKind::Late, 2)).0,
            "2 of your tasks are now late in Highway LiDAR"
        );
        let mut unnamed = notice(NoticeKind::NeedsDecision, 1);
        unnamed.dataset_name = None;
        assert_eq!(
            word(&unnamed),
            (
                "1 action needs your decision in ds1".to_string(),
                "t1\nOpen the sync centre to decide.".to_string()
            )
        );
    }
}
