//! Conflicts with other users' changes, and reassignments: coalesced, batched per dataset
//! and task type, split when the server refuses some entries.

use crate::common::Harness;
use deepen_emulator::{Action, DatasetSpec, LabellingMode, Role};
use dtasks_core::view::{AssigneeFilter, TaskQuery};
use dtasks_core::{ActionKind, AttentionReason, Enqueued, OpState, Resolution, Scope};

fn file_tasks_requests(h: &Harness) -> u64 {
    h.control
        .stats()
        .requests
        .iter()
        .filter(|(k, _)| k.starts_with("POST") && k.contains("file_tasks"))
        .map(|(_, n)| n)
        .sum()
}

/// A first-stage task of a frame dataset, its current assignee, and another annotator.
fn reassignable(h: &Harness) -> (String, String, Option<String>, String) {
    let rows = h.tasks(TaskQuery {
        statuses: vec!["ready".into()],
        ..Default::default()
    });
    let row = rows
        .iter()
        .find(|r| r.task_type == "file" && r.assignee.is_some())
        .expect("a ready, assigned file task");
    let others: Vec<String> = h
        .control
        .users()
        .into_iter()
        .filter(|u| u.role == Role::Annotator && Some(&u.email) != row.assignee.as_ref())
        .map(|u| u.email)
        .collect();
    (
        row.task_id.clone(),
        row.dataset_id.clone(),
        row.assignee.clone(),
        others[0].clone(),
    )
}

#[tokio::test]
async fn someone_elses_reassignment_is_a_conflict_and_overwrite_wins() {
    let h = Harness::new(Role::Admin).await;
    let (task, dataset, _was, target) = reassignable(&h);
    let third = h
        .control
        .users()
        .into_iter()
        .find(|u| {
            u.role == Role::Annotator
                && u.email != target
                && Some(&u.email) != h.row(&task).assignee.as_ref()
        })
        .unwrap()
        .email;
    h.offline();
    h.ws.assign(std::slice::from_ref(&task), Some(&target))
        .unwrap();
    assert_eq!(h.row(&task).assignee.as_deref(), Some(target.as_str()));
    // Meanwhile another manager moves it elsewhere.
    h.control
        .act(
            &h.user.email,
            Action::Assign {
                dataset_id: dataset,
                task_type: "file".into(),
                assignments: vec![(task.clone(), Some(third.clone()))],
            },
        )
        .unwrap();
    h.online();
    let round = h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert_eq!(round.push.needs_attention, 1);
    let op = h.ws.queue(false).unwrap().remove(0);
    assert_eq!(op.state, OpState::NeedsAttention);
    assert!(
        matches!(
            op.attention.as_ref(),
            Some(AttentionReason::ReassignedElsewhere { now_assignee: Some(now), to: Some(to), .. })
                if *now == third && *to == target
        ),
        "{:?}",
        op.attention
    );
    assert_eq!(
        h.server_task(&task)["assignee"].as_str(),
        Some(third.as_str()),
        "nothing overwritten silently"
    );
    assert_eq!(h.row(&task).pending_state, Some(OpState::NeedsAttention));

    // Retry re-checks and finds the same conflict.
    h.ws.resolve(&op.op_id, Resolution::Retry).unwrap();
    h.engine.sync_once(Scope::Push, None).await.unwrap();
    assert_eq!(h.ws.queue(false).unwrap()[0].state, OpState::NeedsAttention);

    h.ws.resolve(&op.op_id, Resolution::Overwrite).unwrap();
    h.drain().await;
    assert_eq!(
        h.server_task(&task)["assignee"].as_str(),
        Some(target.as_str())
    );
    assert_eq!(h.row(&task).pending, None);
}

#[tokio::test]
async fn discarding_a_conflict_shows_the_servers_state() {
    let h = Harness::new(Role::Admin).await;
    let (task, dataset, _was, target) = reassignable(&h);
    h.offline();
    h.ws.assign(std::slice::from_ref(&task), Some(&target))
        .unwrap();
    h.control
        .act(
            &h.user.email,
            Action::Assign {
                dataset_id: dataset,
                task_type: "file".into(),
                assignments: vec![(task.clone(), None)],
            },
        )
        .unwrap();
    h.online();
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    let op = h.ws.queue(false).unwrap().remove(0);
    assert_eq!(op.state, OpState::NeedsAttention);
    h.ws.resolve(&op.op_id, Resolution::Discard).unwrap();
    assert!(h.ws.queue(false).unwrap().is_empty());
    assert_eq!(
        h.row(&task).assignee,
        None,
        "the view is the server's again"
    );
}

#[tokio::test]
async fn an_action_already_done_by_someone_else_is_not_sent() {
    let h = Harness::new(Role::Annotator).await;
    let task = h.mine_with("ready")[0].task_id.clone();
    h.offline();
    h.ws.act(ActionKind::Submit, std::slice::from_ref(&task), None)
        .unwrap();
    let admin = h.control.user(Role::Admin);
    h.control
        .act(
            &admin.email,
            Action::Submit {
                task_id: task.clone(),
            },
        )
        .unwrap();
    h.online();
    h.drain().await;
    assert_eq!(
        h.applied(&task, &h.user.email, "submit").len(),
        0,
        "our submit was not sent again"
    );
    assert_eq!(h.applied(&task, &admin.email, "submit").len(), 1);
    assert_eq!(h.ws.status().unwrap().needs_attention, 0);
}

#[tokio::test]
async fn an_action_the_server_forbids_needs_attention_with_a_reason() {
    let h = Harness::new(Role::Annotator).await;
    let (row, round) = h.submit_offline_while_reassigned_elsewhere().await;
    assert_eq!(round.push.needs_attention, 1);
    let op = h.ws.queue(false).unwrap().remove(0);
    assert!(
        matches!(
            op.attention,
            Some(AttentionReason::Refused {
                http_status: 403,
                ..
            })
        ),
        "{:?}",
        op.attention
    );
    // No retry can change a 403: discarding is the only choice offered, and the only one
    // taken.
    assert_eq!(op.choices, [Resolution::Discard]);
    let refused = h.ws.resolve(&op.op_id, Resolution::Retry).unwrap_err();
    assert!(
        matches!(
            refused,
            dtasks_core::WorkspaceError::Outbox(dtasks_core::outbox::OutboxError::CannotResolve(
                dtasks_core::outbox::ResolveRefusal::OnlyDiscard
            ))
        ),
        "{refused:?}"
    );
    assert_eq!(h.server_status(&row.task_id), "ready");
    // Another task of mine still goes through: one stuck action blocks nothing else.
    let next = h
        .mine_with("ready")
        .into_iter()
        .find(|r| r.task_id != row.task_id)
        .unwrap();
    h.ws.act(
        ActionKind::Submit,
        std::slice::from_ref(&next.task_id),
        None,
    )
    .unwrap();
    h.engine.sync_once(Scope::Push, None).await.unwrap();
    assert_eq!(h.server_status(&next.task_id), "submitted");
    h.ws.resolve(&op.op_id, Resolution::Discard).unwrap();
    assert_eq!(h.ws.status().unwrap().needs_attention, 0);
}

#[tokio::test]
async fn a_reviewer_accepts_and_rejects_with_a_reason() {
    let h = Harness::new(Role::Reviewer).await;
    let submitted = h.tasks(TaskQuery {
        statuses: vec!["submitted".into()],
        ..Default::default()
    });
    let first_stage: Vec<_> = submitted
        .iter()
        .filter(|r| r.stage_id == "Labelling")
        .take(2)
        .collect();
    assert_eq!(first_stage.len(), 2, "seed has submitted labelling tasks");
    h.ws.act(
        ActionKind::Accept,
        std::slice::from_ref(&first_stage[0].task_id),
        None,
    )
    .unwrap();
    h.ws.act(
        ActionKind::Reject,
        std::slice::from_ref(&first_stage[1].task_id),
        Some("boxes too loose"),
    )
    .unwrap();
    h.drain().await;
    assert_eq!(h.server_status(&first_stage[0].task_id), "accepted");
    assert_eq!(h.server_status(&first_stage[1].task_id), "rejected");
    assert_eq!(
        h.applied(&first_stage[1].task_id, &h.user.email, "reject")
            .len(),
        1
    );
}

#[tokio::test]
async fn reassignments_coalesce_and_go_out_batched() {
    let h = Harness::new(Role::Admin).await;
    let dataset = h.control.add_dataset(DatasetSpec {
        name: "Batch test".into(),
        mode: LabellingMode::FrameByFrame,
        units: 1_300,
        stages: vec!["Labelling".into(), "QA".into()],
        assign: false,
    });
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    let unassigned = h.tasks(TaskQuery {
        dataset_id: Some(dataset.clone()),
        stage_id: Some("Labelling".into()),
        assignee: Some(AssigneeFilter::Unassigned),
        ..Default::default()
    });
    assert_eq!(unassigned.len(), 1_300);
    let ids: Vec<String> = unassigned
        .iter()
        .take(1_200)
        .map(|r| r.task_id.clone())
        .collect();
    let annotators: Vec<String> = h
        .control
        .users()
        .into_iter()
        .filter(|u| u.role == Role::Annotator)
        .map(|u| u.email)
        .collect();

    // Drag everything to one annotator, then to another: one change per task.
    h.ws.assign(&ids, Some(&annotators[0])).unwrap();
    let again = h.ws.assign(&ids, Some(&annotators[1])).unwrap();
    assert!(again.iter().all(|e| matches!(e, Enqueued::Coalesced(_))));
    // And a few dragged back where they were: no change at all.
    let back = h.ws.assign(&ids[..10], None).unwrap();
    assert!(back.iter().all(|e| matches!(e, Enqueued::Cancelled(_))));
    assert_eq!(h.ws.queue(false).unwrap().len(), 1_190);

    h.control.reset_stats();
    h.drain().await;
    assert_eq!(
        file_tasks_requests(&h),
        3,
        "1,190 changes in batches of at most 500"
    );
    for id in &ids[10..] {
        assert_eq!(h.row(id).assignee.as_deref(), Some(annotators[1].as_str()));
    }
    assert_eq!(
        h.server_task(&ids[500])["assignee"].as_str(),
        Some(annotators[1].as_str())
    );
    assert_eq!(h.server_task(&ids[0])["assignee"].as_str(), None);
}

#[tokio::test]
async fn a_batch_refused_for_one_entry_is_split_so_the_rest_lands() {
    let h = Harness::new(Role::Admin).await;
    let rows = h.tasks(TaskQuery {
        stage_id: Some("Labelling".into()),
        statuses: vec!["ready".into()],
        ..Default::default()
    });
    let ds = rows
        .iter()
        .find(|r| r.task_type == "file")
        .unwrap()
        .dataset_id
        .clone();
    let ids: Vec<String> = rows
        .iter()
        .filter(|r| r.dataset_id == ds)
        .take(10)
        .map(|r| r.task_id.clone())
        .collect();
    assert_eq!(ids.len(), 10);
    let target = h
        .control
        .users()
        .into_iter()
        .find(|u| u.role == Role::Annotator)
        .unwrap()
        .email;
    let queued = h.ws.assign(&ids, Some(&target)).unwrap();
    let moved: Vec<&String> = ids
        .iter()
        .zip(queued.iter())
        .filter(|(_, q)| matches!(q, Enqueued::Queued(_)))
        .map(|(id, _)| id)
        .collect();
    assert!(moved.len() >= 5);
    // Before it syncs, one of them is submitted on the server: it can no longer be reassigned.
    let blocked = moved[3].clone();
    h.control
        .act(
            &h.user.email,
            Action::Submit {
                task_id: blocked.clone(),
            },
        )
        .unwrap();
    h.control.reset_stats();
    h.settle().await;
    let ops = h.ws.queue(false).unwrap();
    assert_eq!(ops.len(), 1, "only the refused one is left: {ops:?}");
    assert_eq!(
        (ops[0].task_id.as_str(), ops[0].state),
        (blocked.as_str(), OpState::NeedsAttention)
    );
    assert!(
        matches!(
            ops[0].attention,
            Some(AttentionReason::Refused {
                http_status: 409,
                ..
            })
        ),
        "{:?}",
        ops[0].attention
    );
    for id in moved.iter().filter(|id| **id != &blocked) {
        assert_eq!(
            h.server_task(id)["assignee"].as_str(),
            Some(target.as_str())
        );
    }
    assert!(
        file_tasks_requests(&h) >= 2,
        "refused once, then resent without the bad entry"
    );
}

#[tokio::test]
async fn a_lost_answer_then_someone_elses_change_goes_to_the_user_not_resent() {
    let h = Harness::new(Role::Annotator).await;
    let task = h.mine_with("ready")[0].task_id.clone();
    h.control.set_faults(deepen_emulator::Faults {
        drop_after_commit: 1,
        ..Default::default()
    });
    h.ws.act(ActionKind::Submit, std::slice::from_ref(&task), None)
        .unwrap();
    h.engine.sync_once(Scope::Push, None).await.unwrap();
    assert!(
        h.ws.queue(false).unwrap()[0].verify,
        "applied, but the answer was lost"
    );
    assert_eq!(h.server_status(&task), "submitted");
    // Before the client can check, the review rejects it: "submitted" is gone again.
    let admin = h.control.user(Role::Admin);
    h.control
        .act(
            &admin.email,
            Action::Reject {
                task_id: task.clone(),
                reason: None,
            },
        )
        .unwrap();
    h.online();
    h.settle().await;
    let op = h.ws.queue(false).unwrap().remove(0);
    assert_eq!(op.state, OpState::NeedsAttention, "{op:?}");
    assert!(
        matches!(
            op.attention,
            Some(AttentionReason::ChangedAfterLostAnswer { .. })
        ),
        "{:?}",
        op.attention
    );
    assert_eq!(
        h.applied(&task, &h.user.email, "submit").len(),
        1,
        "not resent on top of the reject"
    );
    // Knowing that, the user sends it again.
    h.ws.resolve(&op.op_id, Resolution::Retry).unwrap();
    h.drain().await;
    assert_eq!(h.applied(&task, &h.user.email, "submit").len(), 2);
    assert_eq!(h.server_status(&task), "submitted");
}

#[tokio::test]
async fn an_intent_made_on_top_of_my_own_earlier_action_is_not_taken_for_a_conflict() {
    let h = Harness::new(Role::Admin).await;
    let task = h
        .tasks(TaskQuery {
            stage_id: Some("Labelling".into()),
            statuses: vec!["ready".into()],
            ..Default::default()
        })
        .remove(0)
        .task_id;
    h.ws.act(ActionKind::Submit, std::slice::from_ref(&task), None)
        .unwrap();
    h.ws.act(ActionKind::Accept, std::slice::from_ref(&task), None)
        .unwrap();
    // The accept looks orphaned in flight (as after a crash): it must be verified. It was
    // queued before my own submit changed the task on the server — that is no conflict.
    {
        let mut outbox = h.ws.store().outbox();
        let accept = outbox
            .list(false)
            .unwrap()
            .into_iter()
            .find(|o| o.kind == ActionKind::Accept)
            .unwrap();
        outbox.claim(&[&accept]).unwrap();
        outbox.recover_in_flight().unwrap();
    }
    h.drain().await;
    assert_eq!(h.server_status(&task), "accepted");
    assert_eq!(h.applied(&task, &h.user.email, "submit").len(), 1);
    assert_eq!(h.applied(&task, &h.user.email, "accept").len(), 1);
    assert_eq!(h.ws.status().unwrap().needs_attention, 0);
}
