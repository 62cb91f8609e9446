//! Every fault the emulator can inject, against the real client: actions still end
//! applied exactly once (checked in the server's journal) or before the user.

use std::time::{Duration, Instant};

use crate::common::Harness;
use deepen_emulator::{CorruptKind, Corruption, Faults, RateLimit, Role};
use dtasks_core::engine::Connectivity;
use dtasks_core::{ActionKind, AttentionReason, OpState, Scope};

async fn submit_two(h: &Harness) -> Vec<String> {
    let ids: Vec<String> = h
        .mine_with("ready")
        .iter()
        .take(2)
        .map(|r| r.task_id.clone())
        .collect();
    assert_eq!(ids.len(), 2);
    h.ws.act(ActionKind::Submit, &ids, None).unwrap();
    ids
}

fn assert_applied_once(h: &Harness, ids: &[String]) {
    for id in ids {
        assert_eq!(
            h.applied(id, &h.user.email, "submit").len(),
            1,
            "{id} applied exactly once"
        );
        assert_eq!(h.server_status(id), "submitted");
        assert_eq!(h.row(id).pending, None);
    }
}

#[tokio::test]
async fn server_errors_back_off_and_retry() {
    let h = Harness::new(Role::Annotator).await;
    h.control.set_faults(Faults {
        fail_rate: 1.0,
        ..Default::default()
    });
    let ids = submit_two(&h).await;
    let round = h.engine.sync_once(Scope::Push, None).await.unwrap();
    assert_eq!(round.push.retrying, 2);
    let ops = h.ws.queue(false).unwrap();
    assert!(
        ops.iter()
            .all(|op| op.state == OpState::Pending && op.attempts == 1 && op.last_error.is_some())
    );
    assert!(
        ops.iter().all(|op| op.next_attempt_at > op.updated_at),
        "backoff is persisted"
    );
    h.online();
    h.drain().await;
    assert_applied_once(&h, &ids);
}

#[tokio::test]
async fn rate_limits_honour_retry_after() {
    let h = Harness::new(Role::Annotator).await;
    h.control.set_faults(Faults {
        rate_limit: Some(RateLimit {
            count: 2,
            retry_after_secs: 1,
        }),
        ..Default::default()
    });
    let ids = submit_two(&h).await;
    let start = Instant::now();
    h.engine.sync_once(Scope::Push, None).await.unwrap();
    let op = &h.ws.queue(false).unwrap()[0];
    assert!(
        op.next_attempt_at - dtasks_core::clock::now_millis() >= 800,
        "waits for Retry-After"
    );
    h.drain().await;
    assert!(start.elapsed() >= Duration::from_millis(900));
    assert_applied_once(&h, &ids);
}

#[tokio::test]
async fn a_timeout_after_the_server_applied_is_not_sent_twice() {
    let h = Harness::new(Role::Annotator).await;
    // The client gives up after 1.5 s; the server applies, then answers after 2.5 s.
    h.control.set_faults(Faults {
        latency_ms: 2_500,
        ..Default::default()
    });
    let ids = submit_two(&h).await;
    h.engine.sync_once(Scope::Push, None).await.unwrap();
    let ops = h.ws.queue(false).unwrap();
    assert!(
        ops.iter().all(|op| op.verify),
        "an unanswered request may have been applied"
    );
    h.online();
    h.drain().await;
    assert_applied_once(&h, &ids);
}

#[tokio::test]
async fn a_dropped_answer_after_commit_is_resolved_from_server_state() {
    let h = Harness::new(Role::Annotator).await;
    h.control.set_faults(Faults {
        drop_after_commit: 2,
        ..Default::default()
    });
    let ids = submit_two(&h).await;
    h.drain().await;
    assert_applied_once(&h, &ids);
    assert_eq!(
        h.control
            .journal()
            .iter()
            .filter(|e| e.actor == h.user.email)
            .count(),
        2
    );
}

#[tokio::test]
async fn a_revoked_token_pauses_everything_and_keeps_it() {
    let h = Harness::new(Role::Annotator).await;
    h.control.revoke_token(&h.user.token);
    let ids = submit_two(&h).await;
    let round = h.engine.sync_once(Scope::Full, None).await;
    match round {
        Ok(r) => assert!(r.push.sign_in_needed),
        Err(e) => assert!(e.to_string().contains("token"), "{e}"),
    }
    let status = h.ws.status().unwrap();
    assert_eq!(
        (status.connectivity, status.pending),
        (Connectivity::NeedsSignIn, 2)
    );
    let ops = h.ws.queue(false).unwrap();
    assert!(
        ops.iter()
            .all(|op| op.state == OpState::Pending && op.attempts == 0),
        "nothing counted, nothing lost"
    );
    assert!(
        !status
            .last_error
            .unwrap_or_default()
            .contains(&h.user.token),
        "the token never shows"
    );

    h.control.issue_token(&h.user.email, &h.user.token);
    h.drain().await;
    assert_applied_once(&h, &ids);
    assert_eq!(h.ws.status().unwrap().connectivity, Connectivity::Online);
}

#[tokio::test]
async fn unavailable_server_is_retried_not_given_up() {
    let h = Harness::new(Role::Annotator).await;
    h.control.set_faults(Faults {
        offline: Some(deepen_emulator::OfflineMode::Unavailable),
        ..Default::default()
    });
    let ids = submit_two(&h).await;
    for _ in 0..2 {
        let _ = h.engine.sync_once(Scope::Push, None).await;
    }
    assert!(
        h.ws.queue(false)
            .unwrap()
            .iter()
            .all(|op| op.state == OpState::Pending)
    );
    h.online();
    h.drain().await;
    assert_applied_once(&h, &ids);
}

#[tokio::test]
async fn malformed_answers_to_actions_are_ambiguous_not_success() {
    for kind in [
        CorruptKind::Html,
        CorruptKind::Truncated,
        CorruptKind::WrongTypes,
        CorruptKind::NotJson,
    ] {
        let h = Harness::new(Role::Annotator).await;
        h.control.set_faults(Faults {
            corrupt: Some(Corruption { count: 2, kind }),
            ..Default::default()
        });
        let ids = submit_two(&h).await;
        h.engine.sync_once(Scope::Push, None).await.unwrap();
        assert!(
            h.ws.queue(false).unwrap().iter().all(|op| op.verify),
            "{kind:?}: not taken as success"
        );
        h.drain().await;
        assert_applied_once(&h, &ids);
    }
}

/// Requests the emulator counted whose route ends with `suffix` (`"/submit"`, `"/tasks"`).
fn requests_to(h: &Harness, method: &str, suffix: &str) -> u64 {
    h.control
        .stats()
        .requests
        .iter()
        .filter(|(k, _)| k.starts_with(method) && k.ends_with(suffix))
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test]
async fn a_locked_task_costs_a_handful_of_requests_then_goes_to_the_user() {
    let h = Harness::new(Role::Annotator).await;
    let ids = submit_two(&h).await;
    // The first task is "open in someone's editor": the server answers 409 to every
    // submit although its listing still says ready.
    h.control.set_faults(Faults {
        locked_tasks: vec![ids[0].clone()],
        ..Default::default()
    });
    let (submits, listings) = (
        requests_to(&h, "POST", "/submit"),
        requests_to(&h, "GET", "/tasks"),
    );
    let start = Instant::now();
    h.settle().await;
    let sent = requests_to(&h, "POST", "/submit") - submits;
    let listed = requests_to(&h, "GET", "/tasks") - listings;
    // The locked one at most REFUSED_409_LIMIT times, the other once.
    let limit = u64::from(dtasks_core::engine::REFUSED_409_LIMIT);
    assert!(sent <= limit + 1, "{sent} submits");
    assert!(listed <= 3 * (limit + 2), "{listed} listings");
    assert!(start.elapsed() < Duration::from_secs(20), "no loop");
    let ops = h.ws.queue(false).unwrap();
    assert_eq!(ops.len(), 1, "{ops:?}");
    assert_eq!(
        (ops[0].task_id.as_str(), ops[0].state),
        (ids[0].as_str(), OpState::NeedsAttention)
    );
    assert!(
        matches!(&ops[0].attention, Some(AttentionReason::Refused { http_status: 409, server_says }) if server_says.contains("locked")),
        "the server's words: {:?}",
        ops[0].attention
    );
    assert_eq!(h.applied(&ids[1], &h.user.email, "submit").len(), 1);
    assert!(h.applied(&ids[0], &h.user.email, "submit").is_empty());
}

#[tokio::test]
async fn retry_after_as_a_date_or_a_huge_number_is_honoured_and_capped() {
    let limited = |header: String| Faults {
        rate_limit: Some(RateLimit {
            count: 10,
            retry_after_secs: 1,
        }),
        retry_after_header: Some(header),
        ..Default::default()
    };
    let waits = |h: &Harness| -> Vec<i64> {
        let now = dtasks_core::clock::now_millis();
        let ops = h.ws.queue(false).unwrap();
        ops.iter().map(|op| op.next_attempt_at - now).collect()
    };

    // An HTTP-date two minutes ahead: about two minutes.
    let h = Harness::new(Role::Annotator).await;
    submit_two(&h).await;
    let at = std::time::SystemTime::now() + Duration::from_secs(120);
    h.control.set_faults(limited(httpdate::fmt_http_date(at)));
    h.engine.sync_once(Scope::Push, None).await.unwrap();
    let date_waits = waits(&h);
    assert_eq!(date_waits.len(), 2);
    for wait in date_waits {
        assert!((100_000..=121_000).contains(&wait), "{wait} ms");
    }

    // A number past any integer type: capped at an hour, no overflow.
    let h = Harness::new(Role::Annotator).await;
    submit_two(&h).await;
    h.control
        .set_faults(limited("99999999999999999999999999".to_string()));
    h.engine.sync_once(Scope::Push, None).await.unwrap();
    let huge_waits = waits(&h);
    assert_eq!(huge_waits.len(), 2);
    for wait in huge_waits {
        assert!((3_590_000..=3_600_000).contains(&wait), "{wait} ms");
    }
}
