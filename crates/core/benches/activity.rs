//! The activity record's queries on 1,000,000 recorded changes (issue 11's target: a
//! person's review panel in < 50 ms): a real mirror file, a realistic record (175,000 tasks
//! through assignment, work, submit, review — a quarter rejected once — by 200 people over
//! 90 days), each query timed over repeated runs.
//!
//! `cargo bench -p dtasks-core --bench activity` prints a Markdown table for
//! docs/benchmarks.md.

use std::time::Instant;

use dtasks_core::Workspace;
use dtasks_core::activity::{ActivityEntry, ActivityKind, ActivityQuery, ReviewQuery, Source};
use dtasks_core::clock::now_millis;

const TASKS: usize = 175_000;
const PEOPLE: usize = 200;
const RUNS: usize = 15;
const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    let now = now_millis();
    let start = now - 89 * DAY;
    let entries = record(start);
    let t = Instant::now();
    ws.store().mirror().insert_activity(&entries).unwrap();
    let load = t.elapsed();
    let size = std::fs::metadata(dir.path().join("mirror.db"))
        .unwrap()
        .len()
        + std::fs::metadata(dir.path().join("mirror.db-wal")).map_or(0, |m| m.len());
    println!(
        "recorded {} changes in {:.1} s; mirror.db {:.0} MiB\n",
        entries.len(),
        load.as_secs_f64(),
        size as f64 / 1048576.0
    );
    let reader = ws.store().mirror_reader();
    let person = "person-017@example.com".to_string();
    let task = "task-061234".to_string();

    println!("| query (1,000,000 recorded changes) | median | p95 | rows |");
    println!("|---|---|---|---|");
    time("a person's review panel, last 30 days", || {
        reader
            .review(&ReviewQuery {
                from: now - 30 * DAY,
                to: now,
                person: Some(person.clone()),
                dataset_id: None,
            })
            .unwrap()
            .len()
    });
    time("a person's review panel, all 90 days", || {
        reader
            .review(&ReviewQuery {
                from: start,
                to: now,
                person: Some(person.clone()),
                dataset_id: None,
            })
            .unwrap()
            .len()
    });
    time("everyone's review panel, last 7 days (200 people)", || {
        reader
            .review(&ReviewQuery {
                from: now - 7 * DAY,
                to: now,
                person: None,
                dataset_id: None,
            })
            .unwrap()
            .len()
    });
    time("everyone's review panel, last 30 days (200 people)", || {
        reader
            .review(&ReviewQuery {
                from: now - 30 * DAY,
                to: now,
                person: None,
                dataset_id: None,
            })
            .unwrap()
            .len()
    });
    time("a task's history", || {
        reader.task_history(&task).unwrap().len()
    });
    time("activity, newest page of 100 (no filter)", || {
        reader
            .activity(&ActivityQuery::default())
            .unwrap()
            .entries
            .len()
    });
    time("activity, a person's newest page of 100", || {
        reader
            .activity(&ActivityQuery {
                person: Some(person.clone()),
                ..Default::default()
            })
            .unwrap()
            .entries
            .len()
    });
    // The 40th page of a person's activity, reached page by page: each costs the first's.
    let mut cursor = None;
    for _ in 0..40 {
        cursor = reader
            .activity(&ActivityQuery {
                person: Some(person.clone()),
                before: cursor,
                ..Default::default()
            })
            .unwrap()
            .next;
    }
    time("activity, a person's 41st page of 100 (keyset)", || {
        reader
            .activity(&ActivityQuery {
                person: Some(person.clone()),
                before: cursor,
                ..Default::default()
            })
            .unwrap()
            .entries
            .len()
    });
    time("activity, a dataset's rejections, newest 100", || {
        reader
            .activity(&ActivityQuery {
                dataset_id: Some("ds-3".into()),
                kinds: vec![ActivityKind::Status],
                ..Default::default()
            })
            .unwrap()
            .entries
            .len()
    });
    drop(reader);
    time("pruning (nothing past 90 days)", || {
        ws.store().mirror().prune_activity(now).unwrap() as usize
    });
}

/// Runs `f` RUNS times and prints its median and p95.
fn time(name: &str, mut f: impl FnMut() -> usize) {
    let mut times = Vec::with_capacity(RUNS);
    // One run first: the figures are of a warm page cache, as in the app.
    let mut rows = f();
    for _ in 0..RUNS {
        let t = Instant::now();
        rows = f();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
    println!(
        "| {name} | {:.2} ms | {:.2} ms | {rows} |",
        times[times.len() / 2],
        p95
    );
}

/// A deterministic record: each task assigned, started, submitted and reviewed; every
/// fourth rejected once and submitted again.
fn record(start: i64) -> Vec<ActivityEntry> {
    let mut out = Vec::with_capacity(1_000_000);
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: i64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as i64
    };
    for i in 0..TASKS {
        let task = format!("task-{i:06}");
        let dataset = format!("ds-{}", i % 10);
        let person = format!("person-{:03}@example.com", i % PEOPLE);
        let mut at = start + next(88 * DAY);
        let mut push =
            |at: i64, kind: ActivityKind, old: Option<&str>, new: &str, note: Option<&str>| {
                out.push(ActivityEntry {
                    id: 0,
                    at,
                    source: Source::Server,
                    kind,
                    task_id: task.clone(),
                    dataset_id: dataset.clone(),
                    person: Some(person.clone()),
                    old: old.map(str::to_string),
                    new: Some(new.to_string()),
                    note: note.map(str::to_string),
                });
            };
        push(at, ActivityKind::Assignee, None, &person, None);
        at += next(120) * MINUTE;
        push(at, ActivityKind::Status, Some("ready"), "in_progress", None);
        at += next(600) * MINUTE;
        push(
            at,
            ActivityKind::Status,
            Some("in_progress"),
            "submitted",
            None,
        );
        at += next(240) * MINUTE;
        if i % 4 == 0 {
            push(
                at,
                ActivityKind::Status,
                Some("submitted"),
                "rejected",
                Some("boxes too loose"),
            );
            at += next(300) * MINUTE;
            push(
                at,
                ActivityKind::Status,
                Some("rejected"),
                "in_progress",
                None,
            );
            at += next(60) * MINUTE;
            push(
                at,
                ActivityKind::Status,
                Some("in_progress"),
                "submitted",
                None,
            );
            at += next(240) * MINUTE;
        }
        push(
            at,
            ActivityKind::Status,
            Some("submitted"),
            "accepted",
            None,
        );
        at += next(60) * MINUTE;
        push(at, ActivityKind::Stage, Some("Labelling"), "QA", None);
    }
    out.truncate(1_000_000);
    out
}
