//! A 200,000-task dataset, added through `add_dataset` and served as a streamed list.

use deepen_emulator::{DatasetSpec, LabellingMode, Role};
use serde::Deserialize;

use crate::common::Env;

#[derive(Deserialize)]
struct List {
    tasks: Vec<Slim>,
}

#[derive(Deserialize)]
struct Slim {
    task_id: String,
    status: String,
    assignee: Option<String>,
}

#[tokio::test]
async fn a_200k_task_dataset_streams_whole() {
    let env = Env::start().await;
    let ds = env.control.add_dataset(DatasetSpec {
        name: "Fleet recordings".into(),
        mode: LabellingMode::FrameByFrame,
        units: 100_000,
        stages: vec!["Labelling".into(), "QA".into()],
        assign: true,
    });
    let resp = env
        .http
        .get(format!("{}/datasets/{ds}/tasks", env.base))
        .bearer_auth(env.token(Role::Admin))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.content_length().is_none(),
        "streamed (chunked), not one buffer"
    );
    let bytes = resp.bytes().await.unwrap();
    let list: List = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(list.tasks.len(), 200_000);
    assert_eq!(list.tasks[0].task_id, format!("{ds}-f0000-Labelling"));
    assert_eq!(list.tasks[199_999].task_id, format!("{ds}-f99999-QA"));
    assert_eq!(list.tasks[1].status, "waiting");
    assert!(
        list.tasks
            .iter()
            .step_by(2)
            .all(|t| t.status == "ready" && t.assignee.is_some())
    );

    // A mutation during or after the snapshot is visible on the next listing.
    let ann = env.annotators();
    let t = format!("{ds}-f0004-Labelling");
    assert_eq!(
        env.action(&ann[4 % ann.len()].token, "submit", &t)
            .await
            .status,
        200
    );
    assert_eq!(env.status(&t), "submitted");
}
