//! Who may reassign: the dataset's `user_scopes` say it (dataset admins only, as Deepen
//! enforces), and the mirror knows it before anything is queued — an annotator's
//! reassignment or balance is refused at once instead of failing later on the server.

use deepen_emulator::Role;
use dtasks_core::WorkspaceError;

use crate::common::Harness;

#[tokio::test]
async fn only_a_datasets_admins_may_reassign_and_others_are_refused_before_anything_is_queued() {
    let admin = Harness::new(Role::Admin).await;
    let datasets = admin.ws.datasets().unwrap();
    assert!(!datasets.is_empty());
    assert!(
        datasets.iter().all(|d| d.may_reassign),
        "a dataset admin may"
    );

    let annotator = Harness::new(Role::Annotator).await;
    let datasets = annotator.ws.datasets().unwrap();
    assert!(!datasets.is_empty());
    assert!(
        datasets.iter().all(|d| !d.may_reassign),
        "a labeller may not: {:?}",
        datasets
            .iter()
            .map(|d| (&d.dataset_id, d.may_reassign))
            .collect::<Vec<_>>()
    );
    let mine = annotator.mine_with("ready").remove(0);
    let refused = annotator
        .ws
        .assign(std::slice::from_ref(&mine.task_id), None)
        .unwrap_err();
    assert!(
        matches!(&refused, WorkspaceError::MayNotReassign { dataset_id, email }
            if *dataset_id == mine.dataset_id && *email == annotator.user.email),
        "{refused:?}"
    );
    let stage = datasets
        .iter()
        .find(|d| d.dataset_id == mine.dataset_id)
        .unwrap()
        .stages[0]
        .clone();
    let refused = annotator
        .ws
        .balance(
            &mine.dataset_id,
            &stage,
            std::slice::from_ref(&annotator.user.email),
        )
        .unwrap_err();
    assert!(
        matches!(refused, WorkspaceError::MayNotReassign { .. }),
        "{refused:?}"
    );
    assert!(
        annotator.ws.queue(false).unwrap().is_empty(),
        "nothing queued"
    );
}
