//! Refresh by need: a routine round pulls my tasks and the datasets a view shows, the
//! others only when due; "Sync now" pulls everything; a failing dataset is spared; a
//! metered connection pulls only my tasks and what is on screen.

use deepen_emulator::{Action, Faults, Role};
use dtasks_core::Scope;
use dtasks_core::engine::Shown;
use dtasks_core::engine::refresh::{DATASET_EVERY, RETRY_FIRST};
use dtasks_core::view::TaskQuery;

use crate::common::Harness;

fn showing(dataset_id: &str) -> Shown {
    Shown {
        dataset_ids: vec![dataset_id.to_string()],
        delayed: false,
    }
}

/// Listing requests per dataset since the last reset.
fn listings(h: &Harness) -> u64 {
    h.control
        .stats()
        .requests
        .get("GET /datasets/{id}/tasks")
        .copied()
        .unwrap_or(0)
}

fn user_task_requests(h: &Harness) -> u64 {
    h.control
        .stats()
        .requests
        .get("GET /clients/{id}/user_tasks")
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn a_routine_round_pulls_what_is_shown_and_what_is_due() {
    let h = Harness::new(Role::Admin).await;
    let datasets = h.control.dataset_ids();
    let shown = datasets[0].clone();
    // The first pull scheduled every dataset a while ahead.
    for d in h.ws.datasets().unwrap() {
        assert!(d.next_pull_at.unwrap() > dtasks_core::clock::now_millis());
    }
    h.control.reset_stats();
    h.engine.sync_once(Scope::Routine, None).await.unwrap();
    assert_eq!(listings(&h), 0, "nothing shown, nothing due");
    assert_eq!(
        user_task_requests(&h),
        1,
        "my tasks are asked for every round"
    );

    h.engine.set_shown(showing(&shown));
    h.control.reset_stats();
    h.engine.sync_once(Scope::Routine, None).await.unwrap();
    assert_eq!(listings(&h), 1, "the dataset on screen");

    // "Sync now" pulls everything, whatever is due.
    h.control.reset_stats();
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert_eq!(listings(&h), datasets.len() as u64);
    // And the unshown ones, unchanged twice now, wait longer than after a change.
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    let later = h.ws.datasets().unwrap();
    let hidden = later.iter().find(|d| d.dataset_id != shown).unwrap();
    let waits = hidden.next_pull_at.unwrap() - dtasks_core::clock::now_millis();
    assert!(
        waits > DATASET_EVERY.as_millis() as i64,
        "an unchanged dataset backs off: {waits} ms"
    );
}

#[tokio::test]
async fn a_dataset_that_lost_my_task_falls_due() {
    let h = Harness::new(Role::Annotator).await;
    let mine = h
        .tasks(TaskQuery {
            assignee: Some(dtasks_core::view::AssigneeFilter::Is(h.user.email.clone())),
            statuses: vec!["ready".into()],
            ..Default::default()
        })
        .remove(0);
    let admin = h.control.user(Role::Admin);
    let other = h
        .control
        .users()
        .into_iter()
        .find(|u| u.role == Role::Annotator && u.email != h.user.email)
        .expect("another annotator");
    h.control
        .act(
            &admin.email,
            Action::Assign {
                dataset_id: mine.dataset_id.clone(),
                task_type: mine.task_type.clone(),
                assignments: vec![(mine.task_id.clone(), Some(other.email.clone()))],
            },
        )
        .unwrap();
    h.engine.sync_once(Scope::Routine, None).await.unwrap();
    let dataset =
        h.ws.datasets()
            .unwrap()
            .into_iter()
            .find(|d| d.dataset_id == mine.dataset_id)
            .unwrap();
    assert_eq!(dataset.next_pull_at, None, "due at once");
    h.control.reset_stats();
    h.engine.sync_once(Scope::Routine, None).await.unwrap();
    assert_eq!(listings(&h), 1);
    assert_eq!(
        h.row(&mine.task_id).assignee.as_deref(),
        Some(other.email.as_str()),
        "the whole list tells what became of it"
    );
}

#[tokio::test]
async fn a_failing_dataset_is_spared_even_on_screen() {
    let h = Harness::new(Role::Admin).await;
    let broken = h.control.dataset_ids()[1].clone();
    h.engine.set_shown(showing(&broken));
    h.control.set_faults(Faults {
        failing_datasets: vec![broken.clone()],
        ..Faults::default()
    });
    h.engine.sync_once(Scope::Routine, None).await.unwrap();
    let info =
        h.ws.datasets()
            .unwrap()
            .into_iter()
            .find(|d| d.dataset_id == broken)
            .unwrap();
    assert!(info.pull_error.is_some());
    let next_try = info.next_pull_at.unwrap() - dtasks_core::clock::now_millis();
    assert!(
        next_try > RETRY_FIRST.as_millis() as i64 - 5_000,
        "{next_try} ms"
    );
    h.control.reset_stats();
    h.engine.sync_once(Scope::Routine, None).await.unwrap();
    assert_eq!(listings(&h), 0, "not tried again before its next try");
    // The user may still insist.
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert_eq!(listings(&h), h.control.dataset_ids().len() as u64);
}

#[tokio::test]
async fn metered_pulls_only_my_tasks_and_what_is_on_screen() {
    let h = Harness::new(Role::Admin).await;
    let shown = h.control.dataset_ids()[0].clone();
    let mut status = h.engine.status();
    status.borrow_and_update();
    h.engine.set_metered(true);
    assert!(
        status.has_changed().unwrap() && status.borrow_and_update().metered,
        "the status tells the front ends at once"
    );
    h.engine.set_metered(true);
    assert!(!status.has_changed().unwrap(), "only a change is told");
    h.control.reset_stats();
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert_eq!(listings(&h), 0, "not even on Sync now");
    assert_eq!(user_task_requests(&h), 1);
    h.engine.set_shown(showing(&shown));
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert_eq!(listings(&h), 1);
    assert!(
        h.engine.status().borrow().metered,
        "still said after a round"
    );
}

fn delayed_requests(h: &Harness) -> u64 {
    h.control
        .stats()
        .requests
        .get("GET /clients/{id}/delayed_tasks")
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn the_delayed_list_is_refreshed_every_round_only_while_shown() {
    let h = Harness::new(Role::Admin).await;
    h.control.reset_stats();
    h.engine.sync_once(Scope::Routine, None).await.unwrap();
    assert_eq!(delayed_requests(&h), 0, "pulled moments ago, not shown");
    h.engine.set_shown(Shown {
        dataset_ids: vec![],
        delayed: true,
    });
    h.engine.sync_once(Scope::Routine, None).await.unwrap();
    h.engine.sync_once(Scope::Routine, None).await.unwrap();
    assert_eq!(delayed_requests(&h), 2, "every round while shown");
    h.engine.set_shown(Shown::default());
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert_eq!(delayed_requests(&h), 3, "Sync now pulls it too");
    h.engine.set_metered(true);
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert_eq!(delayed_requests(&h), 3, "not on a metered connection");
}
