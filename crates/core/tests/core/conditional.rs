//! Conditional requests against the emulator's `ETag` / `Last-Modified`: an unchanged list
//! costs a 304 and leaves the mirror alone; a change is never hidden by one; the client
//! works the same when the server sends no validators.

use std::time::Duration;

use deepen_emulator::{Faults, Role};
use dtasks_core::Scope;

use crate::common::Harness;

fn not_modified(h: &Harness) -> u64 {
    h.control.stats().by_status.get(&304).copied().unwrap_or(0)
}

#[tokio::test]
async fn an_unchanged_server_costs_304s_and_a_change_is_never_hidden() {
    let h = Harness::new(Role::Admin).await;
    let datasets = h.control.dataset_ids().len() as u64;
    h.control.reset_stats();

    let quiet = h.engine.sync_once(Scope::Full, None).await.unwrap();
    let pull = quiet.pull.unwrap();
    assert_eq!(pull.unchanged as u64, datasets, "{pull:?}");
    assert_eq!((pull.tasks_seen, pull.rows_written), (0, 0));
    assert_eq!(pull.my_tasks, None, "my tasks did not change");
    // The list, each dataset's details and tasks, my tasks: all 304 (the delayed list
    // changes every millisecond as lateness grows).
    assert_eq!(not_modified(&h), 1 + 2 * datasets + 1);
    let freshness = h.ws.datasets().unwrap();
    assert!(freshness.iter().all(|d| d.pull_error.is_none()));

    // A change made by someone else: that dataset's list is read again, whole.
    let task_id = h.submit_elsewhere(None);
    h.control.reset_stats();
    let changed = h.engine.sync_once(Scope::Full, None).await.unwrap();
    let pull = changed.pull.unwrap();
    assert_eq!(pull.unchanged as u64, datasets - 1);
    assert_eq!(pull.rows_written, 1);
    assert_eq!(h.row(&task_id).server_status, "submitted");
}

#[tokio::test]
async fn last_modified_alone_is_used_only_when_a_second_old() {
    let h = Harness::new(Role::Admin).await;
    h.control.set_faults(Faults {
        no_etag: true,
        ..Faults::default()
    });
    // The first pull's Last-Modified was its own second: not trusted, so this pull is
    // unconditional; a second later its Last-Modified is old enough to keep.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    h.control.reset_stats();
    let quiet = h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert!(quiet.pull.unwrap().unchanged > 0);
    assert!(not_modified(&h) > 0);

    // A change in the very second of a read is not hidden by If-Modified-Since.
    let task_id = h.submit_elsewhere(None);
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert_eq!(h.row(&task_id).server_status, "submitted");
    let again = h.submit_elsewhere(None);
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert_eq!(h.row(&again).server_status, "submitted");
}

#[tokio::test]
async fn a_server_without_validators_is_read_whole_every_time() {
    let h = Harness::new(Role::Admin).await;
    h.control.set_faults(Faults {
        no_etag: true,
        no_last_modified: true,
        ..Faults::default()
    });
    // Validators stored earlier are still sent; the server ignores them.
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    h.control.reset_stats();
    let round = h.engine.sync_once(Scope::Full, None).await.unwrap();
    let pull = round.pull.unwrap();
    assert_eq!(not_modified(&h), 0);
    assert_eq!(pull.unchanged, 0);
    assert!(pull.tasks_seen > 0 && pull.my_tasks.is_some());
}
