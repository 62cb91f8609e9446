//! A pull refreshes everything it can: a dataset whose listing fails keeps its tasks as
//! they were and is marked (why, when); the other datasets, my tasks and the delayed list
//! refresh; the next pull clears the mark.

use deepen_emulator::{Faults, Role};
use dtasks_core::engine::Connectivity;
use dtasks_core::{Scope, ViewChange};

use crate::common::Harness;

#[tokio::test]
async fn one_failing_dataset_is_kept_and_marked_and_the_rest_refreshes() {
    let h = Harness::new(Role::Admin).await;
    let datasets = h.control.dataset_ids();
    assert!(datasets.len() >= 2);
    let (healthy, broken) = (&datasets[0], &datasets[1]);
    let pulled_before =
        h.ws.datasets()
            .unwrap()
            .into_iter()
            .find(|d| &d.dataset_id == broken)
            .unwrap()
            .tasks_pulled_at;
    let in_healthy = h.submit_elsewhere(Some(healthy));
    let in_broken = h.submit_elsewhere(Some(broken));
    h.control.set_faults(Faults {
        failing_datasets: vec![broken.clone()],
        ..Default::default()
    });

    let round = h.engine.sync_once(Scope::Full, None).await.unwrap();
    // My tasks and the delayed list were refreshed after the failure.
    assert!(
        round.changes.contains(&ViewChange::Delayed),
        "{:?}",
        round.changes
    );
    let pull = round.pull.expect("the pull went on");
    assert_eq!(pull.failed.len(), 1, "{:?}", pull.failed);
    assert_eq!(&pull.failed[0].dataset_id, broken);
    assert_eq!(pull.datasets, datasets.len());
    assert_eq!(h.row(&in_healthy).status, "submitted", "the rest refreshed");
    assert_eq!(h.row(&in_broken).status, "ready", "kept as it was");
    let marked =
        h.ws.datasets()
            .unwrap()
            .into_iter()
            .find(|d| &d.dataset_id == broken)
            .unwrap();
    assert!(
        marked
            .pull_error
            .as_deref()
            .is_some_and(|e| e.contains("500")),
        "{marked:?}"
    );
    assert!(marked.pull_failed_at.is_some());
    assert_eq!(
        marked.tasks_pulled_at, pulled_before,
        "still as of the last success"
    );
    let status = h.ws.status().unwrap();
    assert_eq!(status.connectivity, Connectivity::Online);
    assert!(
        status
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains(broken.as_str()))
    );

    h.online();
    let round = h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert!(round.pull.unwrap().failed.is_empty());
    assert_eq!(h.row(&in_broken).status, "submitted");
    let cleared =
        h.ws.datasets()
            .unwrap()
            .into_iter()
            .find(|d| &d.dataset_id == broken)
            .unwrap();
    assert_eq!((cleared.pull_error, cleared.pull_failed_at), (None, None));
}
