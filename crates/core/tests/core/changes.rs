//! Operations and sync rounds say which views they changed: an assign names the two
//! people whose lists it touched, an action the statuses, a round the datasets whose rows
//! it wrote — and a round that changed nothing on the server names no dataset.

use deepen_emulator::Role;
use dtasks_core::view::TaskQuery;
use dtasks_core::{ActionKind, Scope, ViewChange};

use crate::common::Harness;

fn tasks_change(changes: &[ViewChange]) -> Vec<&ViewChange> {
    changes
        .iter()
        .filter(|c| matches!(c, ViewChange::Tasks { .. }))
        .collect()
}

#[tokio::test]
async fn an_assign_names_the_lists_it_touched_and_a_round_what_it_wrote() {
    let h = Harness::new(Role::Admin).await;
    let row = h.assigned_ready_task(None);
    let from = row.assignee.clone();
    let to = h
        .control
        .users()
        .into_iter()
        .find(|u| u.role == Role::Annotator && Some(&u.email) != from.as_ref())
        .unwrap()
        .email;

    let assigned =
        h.ws.assign(std::slice::from_ref(&row.task_id), Some(&to))
            .unwrap();
    let mut people = vec![from.clone(), Some(to.clone())];
    people.sort();
    assert_eq!(
        assigned.changes.clone().into_vec(),
        vec![
            ViewChange::Tasks {
                dataset_id: row.dataset_id.clone(),
                assignees: Some(people),
                statuses: false,
            },
            ViewChange::Queue,
            ViewChange::Status,
        ]
    );

    // The round that sends it reports, and announces, the same lists and the queue.
    let mut announced = h.engine.view_changes();
    let round = h.engine.sync_once(Scope::Push, None).await.unwrap();
    assert_eq!(round.push.done, 1);
    assert!(round.changes.contains(&ViewChange::Queue));
    assert!(round.changes.contains(&ViewChange::Status));
    let tasks = tasks_change(&round.changes);
    assert!(
        matches!(tasks.as_slice(), [ViewChange::Tasks { dataset_id, assignees: Some(a), statuses: false }]
            if *dataset_id == row.dataset_id && a.contains(&Some(to.clone()))),
        "{tasks:?}"
    );
    let heard = announced.try_recv().expect("the push pass was announced");
    assert!(heard.contains(&ViewChange::Queue), "{heard:?}");

    // A full round when nothing changed on the server since the last writes no rows: no
    // dataset named. (The first one still takes the server's copy of the moved task.)
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    let quiet = h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert!(
        tasks_change(&quiet.changes).is_empty(),
        "{:?}",
        quiet.changes
    );
    assert!(quiet.changes.contains(&ViewChange::Datasets));

    // Someone else's change on the server: the next pull names that dataset, for anyone.
    let other = h
        .tasks(TaskQuery {
            statuses: vec!["ready".into()],
            ..Default::default()
        })
        .into_iter()
        .find(|r| r.assignee.is_some() && r.task_id != row.task_id)
        .unwrap();
    h.control
        .act(
            other.assignee.as_deref().unwrap(),
            deepen_emulator::Action::Submit {
                task_id: other.task_id.clone(),
            },
        )
        .unwrap();
    let pulled = h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert!(
        pulled.changes.contains(&ViewChange::Tasks {
            dataset_id: other.dataset_id.clone(),
            assignees: None,
            statuses: true,
        }),
        "{:?}",
        pulled.changes
    );
}

#[tokio::test]
async fn an_action_names_the_statuses_of_the_holders_list() {
    let h = Harness::new(Role::Annotator).await;
    let mine = h.mine_with("ready");
    let task = &mine[0];
    let acted =
        h.ws.act(
            ActionKind::Submit,
            std::slice::from_ref(&task.task_id),
            None,
        )
        .unwrap();
    assert!(
        acted
            .changes
            .clone()
            .into_vec()
            .contains(&ViewChange::Tasks {
                dataset_id: task.dataset_id.clone(),
                assignees: Some(vec![Some(h.user.email.clone())]),
                statuses: true,
            })
    );
    // Nothing else: not the delayed list, not the datasets.
    let all = acted.changes.clone().into_vec();
    assert!(!all.contains(&ViewChange::Delayed) && !all.contains(&ViewChange::Datasets));
}
