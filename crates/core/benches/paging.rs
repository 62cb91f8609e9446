//! What a page of a long task list costs, near the top and deep in it (issue 11, "Smooth
//! long lists"): the view over a 100,000-task mirror with a few pending actions laid over
//! it, as the app's lists ask for it (pages of 100 rows).
//!
//! `cargo test -p dtasks-core --bench paging` (the dev profile: the core is compiled
//! optimized in it, as in the app's debug build) prints a Markdown table for
//! docs/benchmarks.md; `cargo bench -p dtasks-core --bench paging` the same, fully optimized.
//!
//! - *first page*: offset 0;
//! - *deep page, scrolled to*: the page at the deep offset just after the page before it
//!   was read (what scrolling down a list asks);
//! - *deep page, jumped to*: the page at the deep offset as the first read of a fresh
//!   reader (a scrollbar dragged there: nothing read near it before).

use std::time::Instant;

use dtasks_core::outbox::Intent;
use dtasks_core::store::Store;
use dtasks_core::view::{AssigneeFilter, SortKey, TaskQuery, View};
use dtasks_core::wire::{ActionKind, Task};

const PAGE: u32 = 100;
const REPS: usize = 15;

fn task(i: usize) -> Task {
    // Even tasks: the Labelling stage, nobody's (a 50,000-card board column). Odd tasks:
    // Review, two in three of them ana's (33,333: her My tasks). Due dates repeat (ties in
    // the sort key); one task in 50 has none (sorted last).
    let (stage, assignee) = if i.is_multiple_of(2) {
        ("Labelling", None)
    } else if !i.is_multiple_of(3) {
        ("Review", Some("ana@x"))
    } else {
        ("Review", Some("bo@x"))
    };
    let status = ["ready", "in_progress", "waiting"][i % 3];
    let due =
        (!i.is_multiple_of(50)).then_some(1_800_000_000_000_i64 + (i as i64 % 997) * 3_600_000);
    let raw = serde_json::json!({
        "task_id": format!("t{i:06}"), "dataset_id": "ds1", "task_type": "file",
        "stage_id": stage, "status": status, "assignee": assignee, "due_at_millis": due,
        "file_id": format!("f{i:06}"), "updated_at_millis": 1_700_000_000_000_i64 + i as i64,
    })
    .to_string();
    Task::from_raw(&raw).unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn page_at(q: &TaskQuery, offset: u32) -> TaskQuery {
    TaskQuery {
        limit: PAGE,
        offset,
        ..q.clone()
    }
}

fn timed(view: &View, q: &TaskQuery) -> f64 {
    let started = Instant::now();
    let page = view.tasks(q).unwrap();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(page.rows.len(), PAGE as usize, "a full page");
    ms
}

fn main() {
    // `PAGING_BENCH_KEEP=<dir>` keeps the databases there (to look at query plans).
    let dir = tempfile::tempdir().unwrap();
    let dir = match std::env::var_os("PAGING_BENCH_KEEP") {
        Some(keep) => std::path::PathBuf::from(keep),
        None => dir.path().to_path_buf(),
    };
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&dir).unwrap();
    let tasks: Vec<Task> = (0..100_000).map(task).collect();
    {
        let mut mirror = store.mirror();
        let mut pull = mirror.begin_dataset_pull("ds1").unwrap();
        for t in &tasks {
            pull.put(t).unwrap();
        }
        pull.finish("bench", &Default::default()).unwrap();
    }
    // Pending actions laid over the lists: ana submitted 40 of hers, 40 unassigned tasks
    // were given to her.
    let submit = Intent::Action {
        kind: ActionKind::Submit,
        reason: None,
    };
    let assign = Intent::Assign {
        assignee: Some("ana@x".into()),
    };
    let mut items: Vec<(Intent, &Task)> = Vec::new();
    for i in (1..100_000)
        .step_by(997)
        .filter(|i: &usize| !i.is_multiple_of(3))
        .take(40)
    {
        items.push((submit.clone(), &tasks[i]));
    }
    for i in (0..100_000)
        .step_by(1_234)
        .filter(|i: &usize| i.is_multiple_of(2))
        .take(40)
    {
        items.push((assign.clone(), &tasks[i]));
    }
    store.outbox().enqueue(&items).unwrap();
    let (mirror_path, outbox_path) = (
        dir.join(dtasks_core::store::MIRROR_FILE),
        dir.join(dtasks_core::store::OUTBOX_FILE),
    );

    let open = ["waiting", "ready", "in_progress", "rejected"]
        .map(|s| s.into())
        .to_vec();
    let column = TaskQuery {
        dataset_id: Some("ds1".into()),
        stage_id: Some("Labelling".into()),
        statuses: open.clone(),
        assignee: Some(AssigneeFilter::Unassigned),
        sort: SortKey::Due,
        ..Default::default()
    };
    let my_tasks = TaskQuery {
        statuses: open,
        or_pending: true,
        assignee: Some(AssigneeFilter::Is("ana@x".into())),
        sort: SortKey::Due,
        ..Default::default()
    };
    let all = TaskQuery {
        sort: SortKey::Due,
        ..Default::default()
    };
    let cases = [
        (
            "board column: 50,000-task stage, unassigned",
            &column,
            45_000,
        ),
        (
            "My tasks: 33,000 of ana's, open or pending",
            &my_tasks,
            30_000,
        ),
        ("the whole 100,000-task dataset, by due date", &all, 95_000),
    ];

    println!(
        "| list (pages of {PAGE}) | rows | first page | deep page (offset), scrolled to | deep page, jumped to |"
    );
    println!("|---|---|---|---|---|");
    let view = store.view();
    for (name, q, deep) in cases {
        let total = view.tasks(&page_at(q, 0)).unwrap().total;
        let (mut first, mut scrolled, mut jumped) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..REPS {
            first.push(timed(&view, &page_at(q, 0)));
            view.tasks(&page_at(q, deep - PAGE)).unwrap();
            scrolled.push(timed(&view, &page_at(q, deep)));
            let fresh = View::open(&mirror_path, &outbox_path).unwrap();
            // Warm the fresh reader's statement cache and pages with another list's top.
            fresh.tasks(&page_at(&all, 0)).unwrap();
            fresh.tasks(&page_at(q, 0)).unwrap();
            jumped.push(timed(&fresh, &page_at(q, deep)));
        }
        println!(
            "| {name} | {total} | {:.2} ms | {:.2} ms ({deep}) | {:.2} ms |",
            median(first),
            median(scrolled),
            median(jumped)
        );
    }
}
