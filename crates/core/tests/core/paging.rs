//! Pages of long lists: the view reads a page after the last row of a page it served before
//! (keyset) instead of counting rows from the top. Every page must equal the same slice of
//! the whole list read at once — with ties in the sort key, pending actions laid over, in
//! every sort order, scrolled through, jumped around, and after the data changed.

use dtasks_core::outbox::Intent;
use dtasks_core::store::{MIRROR_FILE, OUTBOX_FILE, Store};
use dtasks_core::view::{AssigneeFilter, SortKey, TaskQuery, TaskRow, View};
use dtasks_core::wire::{ActionKind, DelayedTask, Task};

const N: usize = 240;

fn task(i: usize, due_shift: i64) -> Task {
    // Few distinct values: many ties in every sort key, and rows without a value.
    let due = [Some(300), Some(100), None, Some(200)][i % 4].map(|d: i64| d + due_shift);
    let updated = [Some(5), None, Some(7), Some(5), Some(9)][i % 5];
    let assignee = [Some("ana@x"), None, Some("bo@x")][i % 3];
    let stage = if i.is_multiple_of(7) {
        "Review"
    } else {
        "Labelling"
    };
    let status = ["ready", "in_progress", "waiting", "submitted", "ready"][i % 5];
    let raw = serde_json::json!({
        "task_id": format!("t{:03}", (i * 37) % 1000), "dataset_id": "ds1", "task_type": "file",
        "stage_id": stage, "status": status, "assignee": assignee, "due_at_millis": due,
        "updated_at_millis": updated, "file_id": format!("f{i}"),
    })
    .to_string();
    Task::from_raw(&raw).unwrap()
}

fn pull(store: &Store, tasks: &[Task]) {
    let mut mirror = store.mirror();
    let mut pull = mirror.begin_dataset_pull("ds1").unwrap();
    for t in tasks {
        pull.put(t).unwrap();
    }
    pull.finish("test", &Default::default()).unwrap();
}

fn setup() -> (tempfile::TempDir, Store, Vec<Task>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let tasks: Vec<Task> = (0..N).map(|i| task(i, 0)).collect();
    pull(&store, &tasks);
    // Late tasks, with ties in lateness.
    let delayed: Vec<DelayedTask> = tasks
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 1)
        .map(|(i, t)| DelayedTask {
            task: t.clone(),
            delayed_by_millis: [15, 5, 10][i % 3] * 60_000,
        })
        .collect();
    store.mirror().replace_delayed(&delayed).unwrap();
    // Pending actions: submissions, reassignments in and out of people's lists.
    let submit = Intent::Action {
        kind: ActionKind::Submit,
        reason: None,
    };
    let to = |who: Option<&str>| Intent::Assign {
        assignee: who.map(str::to_string),
    };
    let mut items = Vec::new();
    for (i, t) in tasks.iter().enumerate() {
        match i % 11 {
            0 => items.push((submit.clone(), t)),
            3 => items.push((to(Some("ana@x")), t)),
            5 => items.push((to(None), t)),
            8 => items.push((to(Some("bo@x")), t)),
            _ => {}
        }
    }
    store.outbox().enqueue(&items).unwrap();
    (dir, store, tasks)
}

fn queries() -> Vec<TaskQuery> {
    let open = ["waiting", "ready", "in_progress", "rejected"]
        .map(|s| s.into())
        .to_vec();
    let mut out = vec![
        // A board column.
        TaskQuery {
            dataset_id: Some("ds1".into()),
            stage_id: Some("Labelling".into()),
            statuses: open.clone(),
            assignee: Some(AssigneeFilter::Unassigned),
            ..Default::default()
        },
        // My tasks.
        TaskQuery {
            statuses: open,
            or_pending: true,
            assignee: Some(AssigneeFilter::Is("ana@x".into())),
            ..Default::default()
        },
        // The delayed view.
        TaskQuery {
            delayed_only: true,
            sort: SortKey::Overdue,
            ..Default::default()
        },
        // A search.
        TaskQuery {
            text: Some("t1".into()),
            ..Default::default()
        },
    ];
    // Everything, in every order (lateness and last change have rows without a value).
    for sort in [
        SortKey::Due,
        SortKey::Overdue,
        SortKey::Updated,
        SortKey::TaskId,
    ] {
        out.push(TaskQuery {
            sort,
            ..Default::default()
        });
    }
    out
}

fn page(view: &View, q: &TaskQuery, offset: u32, limit: u32) -> (Vec<TaskRow>, u64) {
    let p = view
        .tasks(&TaskQuery {
            offset,
            limit,
            ..q.clone()
        })
        .unwrap();
    (p.rows, p.total)
}

/// The whole list, read at once from a reader that never served a page of it.
fn whole(store_dir: &std::path::Path, q: &TaskQuery) -> Vec<TaskRow> {
    let fresh = View::open(&store_dir.join(MIRROR_FILE), &store_dir.join(OUTBOX_FILE)).unwrap();
    let (rows, total) = page(&fresh, q, 0, 10_000);
    assert_eq!(rows.len() as u64, total, "{q:?}: the total counts the rows");
    rows
}

/// Scrolls `view` through the list page by page, then jumps around it, checking each page
/// against the whole list.
fn check_pages(dir: &std::path::Path, view: &View, q: &TaskQuery) {
    let all = whole(dir, q);
    let slice = |offset: u32, limit: u32| -> Vec<TaskRow> {
        all.iter()
            .skip(offset as usize)
            .take(limit as usize)
            .cloned()
            .collect()
    };
    assert!(all.len() > 20, "{q:?}: a list long enough to page");
    for limit in [7, 10] {
        let mut offset = 0;
        while offset as usize <= all.len() {
            let (rows, total) = page(view, q, offset, limit);
            assert_eq!(
                rows,
                slice(offset, limit),
                "{q:?}: page at {offset} of {limit}"
            );
            assert_eq!(total, all.len() as u64);
            offset += limit;
        }
    }
    // Jumps: forwards and backwards, between and onto the page ends remembered above, and
    // past the end.
    for (offset, limit) in [
        (3, 5),
        (60, 9),
        (21, 10),
        (14, 3),
        (all.len() as u32 - 4, 10),
        (all.len() as u32 + 5, 10),
        (0, 1),
        (41, 1),
        (17, 30),
    ] {
        let (rows, _) = page(view, q, offset, limit);
        assert_eq!(
            rows,
            slice(offset, limit),
            "{q:?}: jump to {offset} of {limit}"
        );
    }
}

#[test]
fn pages_read_after_a_remembered_row_equal_the_same_slice_of_the_whole_list() {
    let (dir, store, _) = setup();
    let view = store.view();
    for q in queries() {
        check_pages(dir.path(), &view, &q);
        // Again, now that every page end is remembered.
        check_pages(dir.path(), &view, &q);
    }
}

#[test]
fn pages_stay_right_after_the_list_changed() {
    let (dir, store, tasks) = setup();
    let view = store.view();
    let lists = queries();
    for q in &lists {
        check_pages(dir.path(), &view, q);
    }
    // An action queued: rows leave, join or move in the lists (the outbox changed).
    let reject = Intent::Action {
        kind: ActionKind::Reject,
        reason: Some("blurry".into()),
    };
    let to_ana = Intent::Assign {
        assignee: Some("ana@x".into()),
    };
    store
        .outbox()
        .enqueue(&[
            (reject, &tasks[1]),
            (to_ana.clone(), &tasks[4]),
            (to_ana, &tasks[7]),
        ])
        .unwrap();
    for q in &lists {
        check_pages(dir.path(), &view, q);
    }
    // A pull: every due date moves and new tasks come first (the mirror changed), so a
    // remembered position read as before would be off.
    let mut changed: Vec<Task> = (0..N).map(|i| task(i, -50)).collect();
    changed.extend((N..N + 30).map(|i| task(i, -1_000)));
    pull(&store, &changed);
    for q in &lists {
        check_pages(dir.path(), &view, q);
    }
}
