//! The outbox and the view over real SQLite files, no server: durable enqueue, coalesced
//! reassignments, per-task order, resolutions, and the overlay of intent on server state.

use std::collections::HashSet;

use dtasks_core::outbox::{AttentionReason, Enqueued, Intent, OpState, Resolution, Settle};
use dtasks_core::store::Store;
use dtasks_core::view::{AssigneeFilter, CountBy, SortKey, TaskQuery};
use dtasks_core::wire::{ActionKind, Task};

fn task(id: &str, status: &str, assignee: Option<&str>, due: i64) -> Task {
    let raw = serde_json::json!({
        "task_id": id, "dataset_id": "ds1", "task_type": "file", "stage_id": "Labelling",
        "status": status, "assignee": assignee, "due_at_millis": due,
    })
    .to_string();
    Task::from_raw(&raw).unwrap()
}

fn store_with(tasks: &[Task]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    {
        let mut mirror = store.mirror();
        let mut pull = mirror.begin_dataset_pull("ds1").unwrap();
        for t in tasks {
            pull.put(t).unwrap();
        }
        pull.finish("test", &Default::default()).unwrap();
    }
    (dir, store)
}

fn assign(to: Option<&str>) -> Intent {
    Intent::Assign {
        assignee: to.map(str::to_string),
    }
}

fn submit() -> Intent {
    Intent::Action {
        kind: ActionKind::Submit,
        reason: None,
    }
}

#[test]
fn reassignments_coalesce_and_back_to_start_is_no_change() {
    let t = task("t1", "ready", Some("ana@x"), 1);
    let (_dir, store) = store_with(std::slice::from_ref(&t));
    let mut outbox = store.outbox();
    let first = outbox.enqueue(&[(assign(Some("bo@x")), &t)]).unwrap();
    let Enqueued::Queued(op_id) = &first[0] else {
        panic!("{first:?}")
    };
    let second = outbox.enqueue(&[(assign(Some("cy@x")), &t)]).unwrap();
    assert_eq!(second, vec![Enqueued::Coalesced(op_id.clone())]);
    assert_eq!(outbox.list(false).unwrap().len(), 1);
    assert_eq!(
        outbox.list(false).unwrap()[0].assignee.as_deref(),
        Some("cy@x")
    );
    let back = outbox.enqueue(&[(assign(Some("ana@x")), &t)]).unwrap();
    assert_eq!(back, vec![Enqueued::Cancelled(op_id.clone())]);
    assert!(outbox.list(true).unwrap().is_empty());
    assert_eq!(
        outbox.enqueue(&[(assign(Some("ana@x")), &t)]).unwrap(),
        vec![Enqueued::Unchanged]
    );
}

#[test]
fn an_action_the_user_changed_after_a_pass_read_it_is_not_claimed() {
    let t1 = task("t1", "ready", Some("ana@x"), 1);
    let t2 = task("t2", "ready", Some("ana@x"), 2);
    let (_dir, store) = store_with(&[t1.clone(), t2.clone()]);
    let mut outbox = store.outbox();
    outbox
        .enqueue(&[(assign(Some("bo@x")), &t1), (assign(Some("bo@x")), &t2)])
        .unwrap();
    // A pass reads the queue; while it refreshes, the user drags t1 on to cy and undoes t2.
    let read = outbox.ready(i64::MAX, 10).unwrap();
    outbox.enqueue(&[(assign(Some("cy@x")), &t1)]).unwrap();
    outbox.enqueue(&[(assign(Some("ana@x")), &t2)]).unwrap();
    let claimed = outbox.claim(&read.iter().collect::<Vec<_>>()).unwrap();
    assert!(claimed.is_empty(), "{claimed:?}");
    // The move to cy waits, untouched, for the next pass; the undone one is gone.
    let left = outbox.list(true).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(
        (left[0].assignee.as_deref(), left[0].state, left[0].attempts),
        (Some("cy@x"), OpState::Pending, 0)
    );
    // Read again, it is claimed.
    let again = outbox.ready(i64::MAX, 10).unwrap();
    assert_eq!(
        outbox
            .claim(&again.iter().collect::<Vec<_>>())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn an_attempted_reassignment_is_not_coalesced_into() {
    let t = task("t1", "ready", Some("ana@x"), 1);
    let (_dir, store) = store_with(std::slice::from_ref(&t));
    let mut outbox = store.outbox();
    outbox.enqueue(&[(assign(Some("bo@x")), &t)]).unwrap();
    let op = outbox.ready(i64::MAX, 10).unwrap().remove(0);
    outbox.claim(&[&op]).unwrap();
    outbox
        .settle(
            &[(
                op.seq,
                Settle::Retry {
                    at: 0,
                    error: "503".into(),
                    verify: true,
                },
            )],
            &[],
        )
        .unwrap();
    // It may already be applied: a new drag is a new intent, made against bo.
    let r = outbox.enqueue(&[(assign(Some("cy@x")), &t)]).unwrap();
    assert!(matches!(r[0], Enqueued::Queued(_)));
    let ops = outbox.list(false).unwrap();
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[1].base_assignee.as_deref(), Some("bo@x"));
}

#[test]
fn order_is_kept_per_task_and_other_tasks_go_on() {
    let t1 = task("t1", "ready", Some("ana@x"), 1);
    let t2 = task("t2", "ready", Some("ana@x"), 2);
    let (_dir, store) = store_with(&[t1.clone(), t2.clone()]);
    let mut outbox = store.outbox();
    outbox
        .enqueue(&[
            (submit(), &t1),
            (assign(Some("bo@x")), &t1),
            (submit(), &t2),
        ])
        .unwrap();
    let ready: Vec<_> = outbox
        .ready(i64::MAX, 10)
        .unwrap()
        .into_iter()
        .map(|o| (o.task_id, o.kind))
        .collect();
    assert_eq!(ready.len(), 2, "{ready:?}");
    assert!(ready.iter().all(|(_, k)| *k == ActionKind::Submit));
    // t1's submit needs attention: t1's reassignment waits, t2 is unaffected.
    let t1_submit = outbox
        .list(false)
        .unwrap()
        .into_iter()
        .find(|o| o.task_id == "t1")
        .unwrap();
    outbox
        .settle(
            &[(
                t1_submit.seq,
                Settle::Attention {
                    reason: AttentionReason::Text { text: "no".into() },
                    error: "403".into(),
                },
            )],
            &[],
        )
        .unwrap();
    let ready: Vec<_> = outbox
        .ready(i64::MAX, 10)
        .unwrap()
        .into_iter()
        .map(|o| o.task_id)
        .collect();
    assert_eq!(ready, vec!["t2".to_string()]);
    // Backoff is respected: not due yet, not ready.
    let t2_op = outbox.ready(i64::MAX, 10).unwrap().remove(0);
    outbox
        .settle(
            &[(
                t2_op.seq,
                Settle::Retry {
                    at: i64::MAX - 1,
                    error: "429".into(),
                    verify: false,
                },
            )],
            &[],
        )
        .unwrap();
    assert!(outbox.ready(1_000, 10).unwrap().is_empty());
    assert_eq!(outbox.next_due_at().unwrap(), Some(i64::MAX - 1));
}

#[test]
fn resolutions() {
    let t = task("t1", "ready", Some("ana@x"), 1);
    let (_dir, store) = store_with(std::slice::from_ref(&t));
    let mut outbox = store.outbox();
    outbox.enqueue(&[(assign(Some("bo@x")), &t)]).unwrap();
    let op = outbox.list(false).unwrap().remove(0);
    outbox
        .settle(
            &[(
                op.seq,
                Settle::Attention {
                    reason: AttentionReason::Text {
                        text: "conflict".into(),
                    },
                    error: "x".into(),
                },
            )],
            &[],
        )
        .unwrap();
    let after = outbox
        .resolve(
            &op.op_id,
            Resolution::Overwrite,
            Some(&task("t1", "ready", Some("dan@x"), 1)),
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        (after.state, after.overwrite, after.base_assignee.as_deref()),
        (OpState::Pending, true, Some("dan@x"))
    );
    outbox
        .settle(
            &[(
                op.seq,
                Settle::Attention {
                    reason: AttentionReason::Text {
                        text: "again".into(),
                    },
                    error: "x".into(),
                },
            )],
            &[],
        )
        .unwrap();
    let after = outbox
        .resolve(&op.op_id, Resolution::Retry, None)
        .unwrap()
        .unwrap();
    assert!(after.verify, "a retry checks the server first");
    assert_eq!(
        outbox
            .resolve(&op.op_id, Resolution::Discard, None)
            .unwrap(),
        None
    );
    assert!(outbox.list(true).unwrap().is_empty());
    assert!(outbox.resolve("nope", Resolution::Retry, None).is_err());
    // Overwrite is for reassignments only.
    outbox.enqueue(&[(submit(), &t)]).unwrap();
    let op = outbox.list(false).unwrap().remove(0);
    assert!(
        outbox
            .resolve(&op.op_id, Resolution::Overwrite, None)
            .is_err()
    );
}

#[test]
fn in_flight_after_a_crash_is_recovered_for_verification() {
    let t = task("t1", "ready", Some("ana@x"), 1);
    let (dir, store) = store_with(std::slice::from_ref(&t));
    {
        let mut outbox = store.outbox();
        outbox.enqueue(&[(submit(), &t)]).unwrap();
        let op = outbox.ready(i64::MAX, 1).unwrap().remove(0);
        outbox.claim(&[&op]).unwrap();
    }
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    let mut outbox = store.outbox();
    assert_eq!(outbox.list(false).unwrap()[0].state, OpState::InFlight);
    assert_eq!(outbox.recover_in_flight().unwrap(), 1);
    let op = outbox.list(false).unwrap().remove(0);
    assert_eq!(
        (op.state, op.verify, op.attempts),
        (OpState::Pending, true, 1)
    );
}

// A scenario read top to bottom: longer than our ~80-line rule on purpose.
#[test]
fn the_view_lays_intent_over_server_state() {
    let tasks: Vec<Task> = (0..20)
        .map(|i| {
            task(
                &format!("t{i:02}"),
                "ready",
                if i % 2 == 0 {
                    Some("ana@x")
                } else {
                    Some("bo@x")
                },
                100 - i,
            )
        })
        .collect();
    let (_dir, store) = store_with(&tasks);
    store
        .outbox()
        .enqueue(&[(submit(), &tasks[0]), (assign(Some("bo@x")), &tasks[2])])
        .unwrap();
    let view = store.view();

    let row = view.task("t00").unwrap().unwrap();
    assert_eq!(
        (row.status.as_str(), row.server_status.as_str()),
        ("submitted", "ready")
    );
    assert_eq!(
        (row.pending, row.pending_state),
        (Some(ActionKind::Submit), Some(OpState::Pending))
    );

    let submitted = TaskQuery {
        statuses: vec!["submitted".into()],
        ..Default::default()
    };
    let page = view.tasks(&submitted).unwrap();
    assert_eq!((page.total, page.rows[0].task_id.as_str()), (1, "t00"));
    let ready = TaskQuery {
        statuses: vec!["ready".into()],
        ..Default::default()
    };
    assert_eq!(view.tasks(&ready).unwrap().total, 19);

    let ana = TaskQuery {
        assignee: Some(AssigneeFilter::Is("ana@x".into())),
        sort: SortKey::Due,
        ..Default::default()
    };
    let page = view.tasks(&ana).unwrap();
    assert_eq!(page.total, 9, "t02 moved to bo");
    let ids: Vec<_> = page.rows.iter().map(|r| r.task_id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"t18"), "sorted by due date");
    let mut sorted = page
        .rows
        .iter()
        .map(|r| r.due_at_millis)
        .collect::<Vec<_>>();
    sorted.sort();
    assert_eq!(
        sorted,
        page.rows
            .iter()
            .map(|r| r.due_at_millis)
            .collect::<Vec<_>>()
    );

    let counts = view.counts("ds1", None, CountBy::Assignee).unwrap();
    let by: Vec<_> = counts
        .iter()
        .map(|c| (c.key.clone().unwrap(), c.count))
        .collect();
    assert_eq!(by, vec![("ana@x".to_string(), 9), ("bo@x".to_string(), 11)]);
    let counts = view.counts("ds1", None, CountBy::Status).unwrap();
    let statuses: HashSet<_> = counts
        .iter()
        .map(|c| (c.key.clone().unwrap(), c.count))
        .collect();
    assert_eq!(
        statuses,
        HashSet::from([("ready".to_string(), 19), ("submitted".to_string(), 1)])
    );

    let paged = TaskQuery {
        limit: 5,
        offset: 5,
        sort: SortKey::TaskId,
        ..Default::default()
    };
    let page = view.tasks(&paged).unwrap();
    assert_eq!(
        page.rows
            .iter()
            .map(|r| r.task_id.as_str())
            .collect::<Vec<_>>(),
        ["t05", "t06", "t07", "t08", "t09"]
    );
    assert_eq!(page.total, 20);

    let text = TaskQuery {
        text: Some("t1".into()),
        ..Default::default()
    };
    assert_eq!(view.tasks(&text).unwrap().total, 10);
    let unassigned = TaskQuery {
        assignee: Some(AssigneeFilter::Unassigned),
        ..Default::default()
    };
    assert_eq!(view.tasks(&unassigned).unwrap().total, 0);
}

#[test]
fn a_pull_writes_only_changed_rows_and_removes_vanished_ones() {
    let tasks: Vec<Task> = (0..10)
        .map(|i| task(&format!("t{i}"), "ready", None, i))
        .collect();
    let (_dir, store) = store_with(&tasks);
    let mut mirror = store.mirror();
    let mut pull = mirror.begin_dataset_pull("ds1").unwrap();
    for t in &tasks[..9] {
        pull.put(t).unwrap();
    }
    pull.put(&task("t3", "in_progress", None, 3)).unwrap();
    let counts = pull.finish("test", &Default::default()).unwrap();
    assert_eq!((counts.seen, counts.written, counts.removed), (10, 1, 1));
    assert!(mirror.task("t9").unwrap().is_none());
    assert_eq!(mirror.task("t3").unwrap().unwrap().status, "in_progress");
    drop(mirror);
    // The trigger-kept counts follow inserts, updates and deletes.
    let counts = store.view().counts("ds1", None, CountBy::Status).unwrap();
    let by: Vec<_> = counts
        .iter()
        .map(|c| (c.key.clone().unwrap(), c.count))
        .collect();
    assert_eq!(
        by,
        vec![("in_progress".to_string(), 1), ("ready".to_string(), 8)]
    );
    let ready = TaskQuery {
        statuses: vec!["ready".into()],
        ..Default::default()
    };
    assert_eq!(store.view().tasks(&ready).unwrap().total, 8);
    let mut mirror = store.mirror();

    // Dropped unfinished (a broken answer): nothing changes.
    let mut pull = mirror.begin_dataset_pull("ds1").unwrap();
    pull.put(&task("t0", "accepted", None, 0)).unwrap();
    drop(pull);
    assert_eq!(mirror.task("t0").unwrap().unwrap().status, "ready");
    assert_eq!(mirror.task_count().unwrap(), 9);
}

fn schema_objects(dir: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.join("mirror.db")).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn task_in(dataset: &str, id: &str, status: &str, assignee: Option<&str>) -> Task {
    let raw = serde_json::json!({
        "task_id": id, "dataset_id": dataset, "task_type": "file", "stage_id": "Labelling",
        "status": status, "assignee": assignee,
    })
    .to_string();
    Task::from_raw(&raw).unwrap()
}

#[test]
fn first_pulls_rebuild_indexes_and_counts_and_a_failed_one_restores_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let expected = schema_objects(dir.path());
    assert_eq!(
        expected.len(),
        12,
        "3 indexes and 3 count triggers of tasks, 4 indexes and 2 triggers of the activity record: {expected:?}"
    );
    {
        let mut mirror = store.mirror();
        let mut pull = mirror.begin_dataset_pull("ds1").unwrap();
        pull.put(&task_in("ds1", "a", "ready", Some("ana@x")))
            .unwrap();
        drop(pull); // the answer broke: rolled back, the dropped upkeep with it
        assert_eq!(mirror.task_count().unwrap(), 0);
    }
    assert_eq!(schema_objects(dir.path()), expected);

    let load = |dataset: &str, tasks: &[Task]| {
        let mut mirror = store.mirror();
        let mut pull = mirror.begin_dataset_pull(dataset).unwrap();
        for t in tasks {
            pull.put(t).unwrap();
        }
        pull.finish("test", &Default::default()).unwrap();
    };
    // Into an empty mirror (indexes and trigger rebuilt), then a second dataset (trigger only).
    load(
        "ds1",
        &[
            task_in("ds1", "a", "ready", Some("ana@x")),
            task_in("ds1", "b", "ready", None),
        ],
    );
    load("ds2", &[task_in("ds2", "c", "submitted", Some("ana@x"))]);
    assert_eq!(schema_objects(dir.path()), expected);
    let by = |dataset: &str| -> Vec<(Option<String>, u64)> {
        store
            .view()
            .counts(dataset, None, CountBy::Assignee)
            .unwrap()
            .into_iter()
            .map(|c| (c.key, c.count))
            .collect()
    };
    assert_eq!(by("ds1"), vec![(None, 1), (Some("ana@x".into()), 1)]);
    assert_eq!(by("ds2"), vec![(Some("ana@x".into()), 1)]);
    // Later writes go through the triggers again.
    store
        .mirror()
        .upsert_tasks(&[
            task_in("ds1", "b", "ready", Some("bo@x")),
            task_in("ds1", "d", "ready", None),
        ])
        .unwrap();
    assert_eq!(
        by("ds1"),
        vec![
            (None, 1),
            (Some("ana@x".into()), 1),
            (Some("bo@x".into()), 1)
        ]
    );
    let mine = TaskQuery {
        assignee: Some(AssigneeFilter::Is("ana@x".into())),
        ..Default::default()
    };
    assert_eq!(store.view().tasks(&mine).unwrap().total, 2);
}

#[test]
fn with_or_pending_a_task_just_submitted_stays_in_an_open_list_until_the_server_has_it() {
    let tasks: Vec<Task> = (0..5)
        .map(|i| task(&format!("t{i}"), "ready", Some("ana@x"), 100 + i))
        .collect();
    let (_dir, store) = store_with(&tasks);
    let open_mine = |or_pending| TaskQuery {
        statuses: vec![
            "waiting".into(),
            "ready".into(),
            "in_progress".into(),
            "rejected".into(),
        ],
        assignee: Some(AssigneeFilter::Is("ana@x".into())),
        or_pending,
        ..Default::default()
    };
    let ids = |q: &TaskQuery| -> Vec<String> {
        store
            .view()
            .tasks(q)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.task_id)
            .collect()
    };
    store.outbox().enqueue(&[(submit(), &tasks[1])]).unwrap();

    // Without: the submitted task leaves the open list at once.
    assert_eq!(ids(&open_mine(false)), ["t0", "t2", "t3", "t4"]);
    assert_eq!(store.view().tasks(&open_mine(false)).unwrap().total, 4);
    // With: it stays, in its place, as submitted with its change pending, and is counted.
    let page = store.view().tasks(&open_mine(true)).unwrap();
    assert_eq!(page.total, 5);
    let kept = page.rows.iter().find(|r| r.task_id == "t1").expect("kept");
    assert_eq!(
        (kept.status.as_str(), kept.pending_state),
        ("submitted", Some(OpState::Pending))
    );
    assert_eq!(ids(&open_mine(true)), ["t0", "t1", "t2", "t3", "t4"]);

    // Once the server has it (done, and the mirror says submitted), it goes.
    let op = store.outbox().list(false).unwrap().remove(0);
    store.outbox().claim(&[&op]).unwrap();
    store
        .outbox()
        .settle(&[(op.seq, Settle::Done)], &[])
        .unwrap();
    {
        let mut mirror = store.mirror();
        let mut pull = mirror.begin_dataset_pull("ds1").unwrap();
        for (i, t) in tasks.iter().enumerate() {
            let status = if i == 1 { "submitted" } else { "ready" };
            pull.put(&task(&t.task_id, status, Some("ana@x"), 100 + i as i64))
                .unwrap();
        }
        pull.finish("test", &Default::default()).unwrap();
    }
    assert_eq!(ids(&open_mine(true)), ["t0", "t2", "t3", "t4"]);
}
