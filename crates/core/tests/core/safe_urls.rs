//! Ids and URLs that could take a request elsewhere: a redirect is reported, never
//! followed (the token would go with it); a task whose id names another endpoint (`..`)
//! is shown but its actions are refused before anything is queued.

use std::sync::atomic::Ordering;

use dtasks_core::wire::{Task, TaskStatus};
use dtasks_core::{Account, ActionKind, Sensitive, Workspace, WorkspaceError};

use crate::common::one_answer_server;

#[tokio::test]
async fn a_redirect_is_reported_and_never_followed() {
    let (elsewhere, reached) =
        one_answer_server("HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{\"datasets\":[]}".into());
    let (port, asked) = one_answer_server(format!(
        "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{elsewhere}/steal\r\ncontent-length: 0\r\n\r\n"
    ));
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    let account = Account::new(
        &format!("http://127.0.0.1:{port}/api/v2"),
        "c1",
        "ana@example.com",
    )
    .unwrap();
    let e = ws
        .connect(account, Some(Sensitive::new("tok".to_string())))
        .await
        .unwrap_err();
    assert!(matches!(e, WorkspaceError::Engine(_)), "{e:?}");
    assert!(e.to_string().contains("redirected"), "{e}");
    assert!(
        e.to_string().contains(&format!("127.0.0.1:{elsewhere}")),
        "{e}"
    );
    assert!(asked.load(Ordering::SeqCst) >= 1);
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );
    assert!(
        ws.account().is_none(),
        "not connected to a redirecting server"
    );
}

fn task(id: &str, dataset: &str) -> Task {
    Task {
        task_id: id.into(),
        dataset_id: dataset.into(),
        task_type: "file".into(),
        stage_id: "Labelling".into(),
        status: TaskStatus::READY,
        assignee: Some("ana@example.com".into()),
        file_id: None,
        label_id: None,
        updated_at_millis: Some(1),
        due_at_millis: None,
        raw: "{}".into(),
    }
}

#[test]
fn a_task_whose_id_names_another_endpoint_is_shown_but_not_acted_on() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    ws.store()
        .mirror()
        .upsert_tasks(&[task("..", "ds1"), task("t1", ".."), task("t2", "ds1")])
        .unwrap();
    let shown = ws
        .tasks(&dtasks_core::TaskQuery::default())
        .unwrap()
        .rows
        .len();
    assert_eq!(shown, 3, "every task is shown");
    for (id, refused) in [("..", ".."), ("t1", "t1")] {
        let e = ws
            .act(ActionKind::Submit, &[id.to_string()], None)
            .unwrap_err();
        assert!(
            matches!(&e, WorkspaceError::UnsafeTaskId(x) if x == refused),
            "{e:?}"
        );
        let e = ws.assign(&[id.to_string()], None).unwrap_err();
        assert!(matches!(e, WorkspaceError::UnsafeTaskId(_)), "{e:?}");
    }
    assert!(ws.queue(true).unwrap().is_empty(), "nothing queued");
    assert_eq!(
        ws.act(ActionKind::Submit, &["t2".to_string()], None)
            .unwrap()
            .len(),
        1
    );
}
