//! Malformed, truncated, wrongly typed, huge or HTML answers to pulls: the mirror and the
//! queue stay as they were and the error says what happened.

use crate::common::Harness;
use deepen_emulator::{CorruptKind, Corruption, Faults, Role};
use dtasks_core::view::TaskQuery;
use dtasks_core::{ActionKind, Scope};

fn snapshot(h: &Harness) -> Vec<(String, dtasks_core::TaskStatus, Option<String>)> {
    h.tasks(TaskQuery::default())
        .into_iter()
        .map(|r| (r.task_id, r.server_status, r.server_assignee))
        .collect()
}

#[tokio::test]
async fn bad_answers_to_a_pull_leave_mirror_and_queue_untouched() {
    let h = Harness::new(Role::Annotator).await;
    let task = h.mine_with("ready")[0].task_id.clone();
    h.offline();
    h.ws.act(ActionKind::Submit, std::slice::from_ref(&task), None)
        .unwrap();
    let queue_before = h.ws.queue(false).unwrap();
    // Change the server so that a successful pull would show a difference.
    let admin = h.control.user(Role::Admin);
    let other = h.mine_with("ready")[1].task_id.clone();
    h.control
        .act(
            &admin.email,
            deepen_emulator::Action::Submit {
                task_id: other.clone(),
            },
        )
        .unwrap();
    let before = snapshot(&h);

    for kind in [
        CorruptKind::Html,
        CorruptKind::Truncated,
        CorruptKind::WrongTypes,
        CorruptKind::NotJson,
    ] {
        // Every answer of the pull is corrupted.
        h.control.set_faults(Faults {
            corrupt: Some(Corruption { count: 1_000, kind }),
            ..Default::default()
        });
        let result = h.engine.sync_once(Scope::Pull, None).await;
        let message = match result {
            Ok(report) => report.pull_error.expect("a corrupt answer is an error"),
            Err(e) => e.to_string(),
        };
        assert!(
            message.contains("could not be read")
                || message.contains("server answered")
                || message.contains("connection"),
            "{kind:?}: unclear error: {message}"
        );
        assert_eq!(snapshot(&h), before, "{kind:?}: mirror unchanged");
        assert_eq!(
            h.ws.queue(false).unwrap(),
            queue_before,
            "{kind:?}: queue unchanged"
        );
    }
    // A huge but well-formed answer (20 MB of an unknown field in every answer) is
    // tolerated: unknown fields are never an error, and nothing is held whole.
    h.control.set_faults(Faults {
        corrupt: Some(Corruption {
            count: 1_000,
            kind: CorruptKind::Huge,
        }),
        ..Default::default()
    });
    let report = h.engine.sync_once(Scope::Pull, None).await.unwrap();
    assert_eq!(report.pull_error, None);
    assert_eq!(
        h.row(&other).server_status,
        "submitted",
        "the pull went through"
    );
    assert_eq!(h.ws.queue(false).unwrap(), queue_before);
}

#[tokio::test]
async fn a_task_list_cut_mid_stream_rolls_back_the_dataset() {
    let h = Harness::new(Role::Admin).await;
    let dataset = h.control.dataset_ids()[0].clone();
    // Make a change that a completed pull would bring in.
    let row = h
        .tasks(TaskQuery {
            dataset_id: Some(dataset.clone()),
            statuses: vec!["ready".into()],
            ..Default::default()
        })
        .remove(0);
    h.control
        .act(
            &h.user.email,
            deepen_emulator::Action::Submit {
                task_id: row.task_id.clone(),
            },
        )
        .unwrap();
    let before = snapshot(&h);
    for kind in [CorruptKind::Truncated, CorruptKind::WrongTypes] {
        h.control.set_faults(Faults {
            corrupt: Some(Corruption { count: 1, kind }),
            ..Default::default()
        });
        let err = h.engine.pull_dataset(&dataset, None).await.unwrap_err();
        assert!(
            err.to_string().contains("could not be read"),
            "{kind:?}: {err}"
        );
        assert_eq!(
            snapshot(&h),
            before,
            "{kind:?}: nothing of the broken list was kept"
        );
    }
    h.online();
    h.engine.pull_dataset(&dataset, None).await.unwrap();
    assert_eq!(h.row(&row.task_id).server_status, "submitted");
}
