//! Mirror and queue against the real emulator over HTTP: a full pull, offline actions that
//! apply exactly once when the server is back, status, the background loop.

use std::collections::HashSet;
use std::time::Duration;

use crate::common::Harness;
use deepen_emulator::{Faults, Role};
use dtasks_core::engine::{Connectivity, Schedule, SyncStatus};
use dtasks_core::view::TaskQuery;
use dtasks_core::{ActionKind, Enqueued, Scope};

/// The first status (now or published within `secs`) that `want` accepts.
async fn status_until(
    status: &mut tokio::sync::watch::Receiver<SyncStatus>,
    secs: u64,
    want: impl Fn(&SyncStatus) -> bool,
) -> Option<SyncStatus> {
    tokio::time::timeout(Duration::from_secs(secs), async {
        loop {
            let s = status.borrow_and_update().clone();
            if want(&s) {
                return s;
            }
            status.changed().await.unwrap();
        }
    })
    .await
    .ok()
}

/// Stops a background loop and waits for it to end.
async fn stop_loop(stop: tokio::sync::watch::Sender<bool>, runner: tokio::task::JoinHandle<()>) {
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), runner)
        .await
        .expect("loop stops")
        .unwrap();
}

#[tokio::test]
async fn a_pull_mirrors_the_server_and_a_repull_writes_nothing() {
    let h = Harness::new(Role::Admin).await;
    let server: usize = h
        .control
        .dataset_ids()
        .iter()
        .map(|d| h.control.tasks_of(d).len())
        .sum();
    let local = h.tasks(TaskQuery::default());
    assert_eq!(local.len(), server);
    for row in local.iter().take(50) {
        let s = h.server_task(&row.task_id);
        assert_eq!(row.status, s["status"].as_str().unwrap());
        assert_eq!(row.assignee.as_deref(), s["assignee"].as_str());
    }
    let datasets = h.ws.datasets().unwrap();
    assert_eq!(datasets.len(), h.control.dataset_ids().len());
    assert!(
        datasets
            .iter()
            .all(|d| !d.stages.is_empty() && !d.users.is_empty())
    );

    // A server that does not tag its answers: everything is read again, nothing written.
    h.control.set_faults(Faults {
        no_etag: true,
        no_last_modified: true,
        ..Faults::default()
    });
    let again = h.engine.sync_once(Scope::Full, None).await.unwrap();
    let pull = again.pull.unwrap();
    assert_eq!(pull.tasks_seen as usize, server);
    assert_eq!(pull.rows_written, 0, "nothing changed, nothing written");
    let delayed_count = pull.delayed.expect("an untagged answer is read");
    assert!(delayed_count > 0, "the seeded workspace has delayed tasks");
    let delayed = h.tasks(TaskQuery {
        delayed_only: true,
        ..Default::default()
    });
    assert_eq!(delayed.len(), delayed_count);
}

#[tokio::test]
async fn offline_submits_apply_exactly_once_when_the_server_is_back() {
    let h = Harness::new(Role::Annotator).await;
    let ready = h.mine_with("ready");
    assert!(ready.len() >= 2, "seed gives the annotator ready tasks");
    let ids: Vec<String> = ready.iter().take(2).map(|r| r.task_id.clone()).collect();

    h.offline();
    let queued = h.ws.act(ActionKind::Submit, &ids, None).unwrap();
    assert!(queued.iter().all(|q| matches!(q, Enqueued::Queued(_))));
    // Shown at once, from the queue, offline.
    for id in &ids {
        let row = h.row(id);
        assert_eq!(
            (row.status.as_str(), row.pending),
            ("submitted", Some(ActionKind::Submit))
        );
    }
    let report = h.engine.sync_once(Scope::Full, None).await;
    assert!(report.is_err() || report.as_ref().unwrap().push.unreachable || h.pending_count() == 2);
    let status = h.ws.status().unwrap();
    assert_eq!(status.connectivity, Connectivity::Offline);
    assert_eq!(status.pending, 2);
    for id in &ids {
        assert_eq!(h.server_status(id), "ready", "nothing reached the server");
    }

    h.online();
    h.drain().await;
    for id in &ids {
        assert_eq!(
            h.applied(id, &h.user.email, "submit").len(),
            1,
            "exactly once: {id}"
        );
        assert_eq!(h.server_status(id), "submitted");
        let row = h.row(id);
        assert_eq!(
            (row.server_status.as_str(), row.pending),
            ("submitted", None)
        );
    }
    let status = h.ws.status().unwrap();
    assert_eq!(
        (status.connectivity, status.pending, status.needs_attention),
        (Connectivity::Online, 0, 0)
    );
    assert!(status.last_sync_at.is_some());
}

#[tokio::test]
async fn actions_survive_a_restart_of_the_process() {
    let h = Harness::new(Role::Annotator).await;
    let id = h.mine_with("ready")[0].task_id.clone();
    h.offline();
    h.ws.act(ActionKind::Submit, std::slice::from_ref(&id), None)
        .unwrap();
    // A new process on the same folder sees the action and syncs it.
    let ws2 = h.reopen();
    assert_eq!(ws2.queue(false).unwrap().len(), 1);
    h.online();
    let engine2 = ws2.engine().unwrap();
    engine2.sync_once(Scope::Full, None).await.unwrap();
    assert_eq!(h.applied(&id, &h.user.email, "submit").len(), 1);
    assert_eq!(ws2.status().unwrap().pending, 0);
}

#[tokio::test]
async fn refuses_actions_the_task_state_does_not_allow() {
    let h = Harness::new(Role::Annotator).await;
    let id = h.mine_with("ready")[0].task_id.clone();
    let err =
        h.ws.act(ActionKind::Accept, std::slice::from_ref(&id), None)
            .unwrap_err();
    assert!(err.to_string().contains("cannot accept"), "{err}");
    h.ws.act(ActionKind::Submit, std::slice::from_ref(&id), None)
        .unwrap();
    let err =
        h.ws.act(ActionKind::Submit, std::slice::from_ref(&id), None)
            .unwrap_err();
    assert!(err.to_string().contains("waiting to sync"), "{err}");
    let err =
        h.ws.act(ActionKind::Submit, &["no-such-task".to_string()], None)
            .unwrap_err();
    assert!(err.to_string().contains("unknown task"), "{err}");
    assert_eq!(
        h.ws.queue(false).unwrap().len(),
        1,
        "refused actions queue nothing"
    );
}

#[tokio::test]
async fn the_background_loop_syncs_on_nudge_and_on_reconnect() {
    let h = Harness::new(Role::Annotator).await;
    let ids: Vec<String> = h
        .mine_with("ready")
        .iter()
        .take(2)
        .map(|r| r.task_id.clone())
        .collect();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let schedule = Schedule {
        pull_every: Duration::from_secs(60),
        probe_min: Duration::from_millis(100),
        probe_max: Duration::from_millis(400),
        debounce: Duration::from_millis(50),
    };
    let mut status = h.engine.status();
    let mut changes = h.engine.view_changes();
    let runner = tokio::spawn(h.engine.clone().run(schedule, stop_rx));

    h.offline();
    h.ws.act(ActionKind::Submit, &ids, None).unwrap();
    h.engine.nudge();
    let offline = status_until(&mut status, 10, |s| s.connectivity == Connectivity::Offline).await;
    assert!(offline.is_some(), "the loop noticed it is offline");

    h.online();
    let drained = status_until(&mut status, 20, |s| {
        s.connectivity == Connectivity::Online && s.pending == 0
    })
    .await;
    assert!(
        drained.is_some(),
        "the loop reconnected and drained: {:?}",
        h.ws.queue(false).unwrap()
    );
    assert!(
        changes.try_recv().is_ok(),
        "the mirror-changed signal fired"
    );
    for id in &ids {
        assert_eq!(h.applied(id, &h.user.email, "submit").len(), 1);
    }

    // "Sync now" pulls too (a nudge alone only pushes until the next scheduled pull):
    // a change someone made on the server shows within seconds, not a minute.
    let theirs = h.mine_with("ready")[0].task_id.clone();
    h.control
        .act(
            &h.user.email,
            deepen_emulator::Action::Submit {
                task_id: theirs.clone(),
            },
        )
        .unwrap();
    h.engine.sync_soon();
    let pulled = tokio::time::timeout(Duration::from_secs(10), async {
        while h.row(&theirs).status != "submitted" {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(pulled.is_ok(), "sync now pulled the server's change");
    stop_loop(stop_tx, runner).await;
}

/// The system's word that the network is back wakes an offline loop at once — the probe's
/// wait here is an hour — and is ignored while online (no request for nothing).
#[tokio::test]
async fn the_network_coming_back_wakes_an_offline_loop_and_only_then() {
    let h = Harness::new(Role::Annotator).await;
    let id = h.mine_with("ready")[0].task_id.clone();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let schedule = Schedule {
        pull_every: Duration::from_secs(3600),
        probe_min: Duration::from_secs(3600),
        probe_max: Duration::from_secs(3600),
        debounce: Duration::from_millis(50),
    };
    h.offline();
    h.ws.act(ActionKind::Submit, std::slice::from_ref(&id), None)
        .unwrap();
    let runner = tokio::spawn(h.engine.clone().run(schedule, stop_rx));
    let until = |want: Connectivity, pending: u64| {
        let mut status = h.engine.status();
        async move {
            status_until(&mut status, 10, |s| {
                s.connectivity == want && s.pending == pending
            })
            .await
            .is_some()
        }
    };
    assert!(
        until(Connectivity::Offline, 1).await,
        "offline, the submit waits"
    );

    h.online();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        h.engine.status().borrow().connectivity,
        Connectivity::Offline,
        "nothing tries before the hint (the next probe is an hour away)"
    );
    h.engine.network_up();
    assert!(
        until(Connectivity::Online, 0).await,
        "the hint synced at once"
    );
    assert_eq!(h.applied(&id, &h.user.email, "submit").len(), 1);

    let requests = || h.control.stats().total();
    let before = requests();
    h.engine.network_up();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(requests(), before, "online: the hint asks for nothing");

    stop_loop(stop_tx, runner).await;
}

#[tokio::test]
async fn my_tasks_view_matches_the_server() {
    let h = Harness::new(Role::Annotator).await;
    let mut server_mine = HashSet::new();
    for d in h.control.dataset_ids() {
        for t in h.control.tasks_of(&d) {
            if t["assignee"].as_str() == Some(h.user.email.as_str()) {
                server_mine.insert(t["task_id"].as_str().unwrap().to_string());
            }
        }
    }
    let local: HashSet<String> = h
        .tasks(TaskQuery {
            assignee: Some(dtasks_core::AssigneeFilter::Is(h.user.email.clone())),
            ..Default::default()
        })
        .into_iter()
        .map(|r| r.task_id)
        .collect();
    assert_eq!(local, server_mine);
}

#[tokio::test]
async fn an_action_not_sent_yet_can_be_taken_back_and_nothing_reaches_the_server() {
    let h = Harness::new(Role::Annotator).await;
    let ready = h.mine_with("ready");
    let (kept, undone) = (ready[0].task_id.clone(), ready[1].task_id.clone());
    h.offline();
    h.ws.act(ActionKind::Submit, &[kept.clone(), undone.clone()], None)
        .unwrap();
    assert_eq!(h.row(&undone).status.as_str(), "submitted");

    let taken_back = h.ws.undo(std::slice::from_ref(&undone)).unwrap();
    assert_eq!(taken_back.value, std::slice::from_ref(&undone));
    assert!(
        !taken_back.changes.is_empty(),
        "the views it changed are named"
    );
    let row = h.row(&undone);
    assert_eq!((row.status.as_str(), row.pending), ("ready", None));
    // Taking back again finds nothing; the other submit still waits.
    assert!(
        h.ws.undo(std::slice::from_ref(&undone))
            .unwrap()
            .value
            .is_empty()
    );
    assert_eq!(h.pending_count(), 1);

    h.online();
    h.drain().await;
    assert_eq!(h.server_status(&kept), "submitted");
    assert_eq!(
        h.server_status(&undone),
        "ready",
        "the undone submit never left"
    );
    assert!(h.applied(&undone, &h.user.email, "submit").is_empty());
}

#[tokio::test]
async fn offline_probes_leave_the_link_offline_and_only_say_that_a_round_runs() {
    let h = Harness::new(Role::Annotator).await;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let schedule = Schedule {
        pull_every: Duration::from_secs(3600),
        probe_min: Duration::from_millis(50),
        probe_max: Duration::from_millis(100),
        debounce: Duration::from_millis(10),
    };
    let mut status = h.engine.status();
    let mut rounds = h.engine.rounds();
    h.offline();
    let runner = tokio::spawn(h.engine.clone().run(schedule, stop_rx));
    let offline = status_until(&mut status, 10, |s| {
        s.connectivity == Connectivity::Offline && !s.syncing && s.last_error.is_some()
    })
    .await;
    assert!(offline.is_some(), "the first round found the server gone");

    // A second of probes: every status published says offline, with the failure kept.
    let mut seen = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            status.changed().await.unwrap();
            seen.push(status.borrow_and_update().clone());
        }
    })
    .await;
    let probes = seen.iter().filter(|s| s.syncing).count();
    assert!(probes >= 3, "probes ran: {probes} rounds seen");
    assert!(
        seen.iter()
            .all(|s| s.connectivity == Connectivity::Offline && s.last_error.is_some()),
        "a probe never makes the link look other than offline: {seen:?}"
    );

    h.online();
    let back = status_until(&mut status, 10, |s| s.connectivity != Connectivity::Offline)
        .await
        .expect("a probe reached the server");
    assert_eq!(back.connectivity, Connectivity::Online);
    assert!(!back.syncing, "the round that found the link had ended");
    assert_eq!(back.last_error, None);
    // Rounds are told one by one (the status keeps only the latest): only the last one
    // reached the server. (The oldest may have been dropped if more than 16 queued up.)
    let mut told = Vec::new();
    loop {
        match rounds.try_recv() {
            Ok(round) => told.push(round),
            Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => continue,
            Err(_) => break,
        }
    }
    assert!(told.len() >= 2, "{told:?}");
    let (last, before) = told.split_last().unwrap();
    assert!(last.reached_server());
    assert!(
        before
            .iter()
            .all(|r| r.connectivity == Connectivity::Offline)
    );

    stop_loop(stop_tx, runner).await;
}

#[tokio::test]
async fn a_local_action_is_counted_on_the_status_channel_and_the_link_is_kept() {
    let h = Harness::new(Role::Annotator).await;
    let id = h.mine_with("ready")[0].task_id.clone();
    let mut status = h.engine.status();
    let before = status.borrow_and_update().clone();
    h.ws.act(ActionKind::Submit, std::slice::from_ref(&id), None)
        .unwrap();
    h.engine.publish_counts();
    assert!(status.has_changed().unwrap(), "published");
    let after = status.borrow_and_update().clone();
    assert_eq!(after.pending, before.pending + 1);
    assert_eq!(
        (after.connectivity, after.syncing, after.metered),
        (before.connectivity, before.syncing, before.metered)
    );
}
