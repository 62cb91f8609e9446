//! Cheap on the wire: the client asks for compressed answers, and works the same whether
//! the server compresses them or not (the API does not document compression).

use std::sync::{Arc, Mutex};

use deepen_emulator::{Faults, Role};
use dtasks_core::view::TaskQuery;
use dtasks_core::{Account, Scope, Sensitive, Workspace};

use crate::common::{Harness, one_answer_server_seeing};

#[tokio::test]
async fn the_client_asks_for_compressed_answers() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (port, _) = one_answer_server_seeing(
        "HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{\"datasets\":[]}".into(),
        seen.clone(),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path())
        .unwrap()
        .with_session_token(Sensitive::new("tok".to_string()));
    let account = Account::new(
        &format!("http://127.0.0.1:{port}/api/v2"),
        "c1",
        "ana@example.com",
    )
    .unwrap();
    ws.connect(account, None).await.unwrap();
    let request = seen.lock().unwrap()[0].to_ascii_lowercase();
    let accepts = request
        .lines()
        .find(|l| l.starts_with("accept-encoding:"))
        .unwrap_or_default()
        .to_string();
    assert!(
        accepts.contains("gzip") && accepts.contains("br"),
        "{request}"
    );
}

#[tokio::test]
async fn plain_and_compressed_answers_mirror_the_same() {
    let h = Harness::new(Role::Admin).await;
    // What the server said of each task (how late a task is moves with the clock).
    let all = |h: &Harness| {
        let mut rows: Vec<_> = h
            .tasks(TaskQuery::default())
            .into_iter()
            .map(|r| {
                (
                    r.task_id,
                    r.server_status,
                    r.server_assignee,
                    r.updated_at_millis,
                )
            })
            .collect();
        rows.sort();
        rows
    };
    let compressed = all(&h);
    assert!(!compressed.is_empty());
    h.control.set_faults(Faults {
        no_compression: true,
        ..Default::default()
    });
    // Force a full re-read: forget the mirror, pull again, plain this time.
    h.ws.store().mirror().clear().unwrap();
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert_eq!(all(&h), compressed);
}
