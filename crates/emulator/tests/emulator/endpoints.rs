//! The read endpoints (1, 5, 6, 9, 10), the task and dataset JSON, wrapped task
//! responses, and 404s.

use std::collections::BTreeSet;

use deepen_emulator::{EmulatorConfig, Role};
use serde_json::{Value, json};

use crate::common::Env;

const TASK_FIELDS: [&str; 11] = [
    "task_id",
    "dataset_id",
    "task_type",
    "stage_id",
    "status",
    "assignee",
    "file_id",
    "label_id",
    "label_set_id",
    "updated_at_millis",
    "due_at_millis",
];

#[tokio::test]
async fn dataset_task_lists() {
    let env = Env::start().await;
    let ana = env.annotators()[0].token.clone();
    let r = env.get(&ana, "/datasets/ds1/tasks").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/json");
    let tasks = r.json()["tasks"].as_array().unwrap().clone();
    assert_eq!(tasks.len(), 100, "50 files x 2 stages");
    let first = &tasks[0];
    for field in TASK_FIELDS {
        assert!(first.get(field).is_some(), "missing {field} in {first}");
    }
    assert_eq!(first["task_id"], "ds1-f0000-Labelling");
    assert_eq!(first["task_type"], "file");
    assert_eq!(first["label_set_id"], "default");
    assert!(first["label_id"].is_null());
    assert!(first["file_id"].as_str().unwrap().starts_with("scan_"));
    assert!(
        first["priority"].is_string() && first["frame_index"] == 0,
        "extra fields"
    );
    assert_eq!(tasks[1]["task_id"], "ds1-f0000-QA");
    let ids: BTreeSet<_> = tasks
        .iter()
        .map(|t| t["task_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 100);
    assert_eq!(
        Value::Array(tasks.clone()),
        Value::Array(env.control.tasks_of("ds1"))
    );

    let labels = env.get(&ana, "/datasets/ds3/tasks").await.json();
    let t = &labels["tasks"][2];
    assert_eq!(t["task_id"], "ds3-l0001-Labelling");
    assert_eq!(t["task_type"], "label");
    assert!(t["file_id"].is_null());
    let label = t["label_id"].as_str().unwrap();
    assert!(label.ends_with("-0001") && label.len() > 5, "{label}");

    assert_eq!(env.get(&ana, "/datasets/ds9/tasks").await.status, 404);
    assert_eq!(env.get(&ana, "/datasets/ds9").await.status, 404);
    let r = env.get(&ana, "/no/such/thing").await;
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].is_string());
}

#[tokio::test]
async fn dataset_resource_and_ids() {
    let env = Env::start().await;
    let token = env.token(Role::Customer);
    let d = env.get(&token, "/datasets/ds2").await.json();
    assert_eq!(d["dataset_id"], "ds2");
    assert_eq!(d["dataset_name"], "Parking lot cameras");
    assert_eq!(d["labelling_mode"], "frame_by_frame");
    assert_eq!(
        d["pipeline_spec"],
        json!([{"stage_id": "Labelling", "can_edit": true}, {"stage_id": "QA", "can_edit": false}])
    );
    let scopes = d["user_scopes"].as_array().unwrap();
    assert_eq!(scopes.len(), 6);
    assert_eq!(
        scopes[0],
        json!({"email": "maya.admin@example.com", "scopes": ["dataset_admin"]})
    );
    assert!(
        scopes.contains(&json!({"email": "claire.dubois@example.com", "scopes": ["customer"]}))
    );
    assert!(d["created_at_millis"].is_i64());
    let d3 = env.get(&token, "/datasets/ds3").await.json();
    assert_eq!(d3["labelling_mode"], "label_by_label");

    let ids = env
        .get(&token, "/clients/demo-client/datasets_ids")
        .await
        .json();
    assert_eq!(
        ids["datasets"][0],
        json!({"dataset_id": "ds1", "dataset_name": "Highway LiDAR — Munich"})
    );
    assert_eq!(ids["datasets"].as_array().unwrap().len(), 3);
    assert_eq!(
        env.get(&token, "/clients/other/datasets_ids").await.status,
        404
    );
}

#[tokio::test]
async fn user_tasks_split_by_type_and_guarded() {
    let env = Env::start().await;
    let ana = env.annotators()[0].clone();
    let path = format!("/clients/demo-client/user_tasks?email={}", ana.email);
    let r = env.get(&ana.token, &path).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j = r.json();
    let files = j["file_tasks"].as_array().unwrap();
    let labels = j["label_tasks"].as_array().unwrap();
    assert!(!files.is_empty() && !labels.is_empty());
    assert!(
        files
            .iter()
            .all(|t| t["task_type"] == "file" && t["assignee"] == ana.email.as_str())
    );
    assert!(
        labels
            .iter()
            .all(|t| t["task_type"] == "label" && t["assignee"] == ana.email.as_str())
    );
    let expected = env
        .control
        .dataset_ids()
        .iter()
        .flat_map(|d| env.control.tasks_of(d))
        .filter(|t| t["assignee"] == ana.email.as_str())
        .count();
    assert_eq!(files.len() + labels.len(), expected);

    // Someone else's tasks: 403, unless an admin asks.
    assert_eq!(env.get(&env.annotators()[1].token, &path).await.status, 403);
    assert_eq!(env.get(&env.token(Role::Admin), &path).await.json(), j);
    let admin = env.token(Role::Admin);
    assert_eq!(
        env.get(&admin, "/clients/demo-client/user_tasks")
            .await
            .status,
        400
    );
    assert_eq!(
        env.get(&admin, "/clients/demo-client/user_tasks?email=x@y.z")
            .await
            .status,
        404
    );
    assert_eq!(
        env.get(&admin, &path.replace("demo-client", "other"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn delayed_tasks_key_has_a_space() {
    let env = Env::start().await;
    let admin = env
        .get(
            &env.token(Role::Admin),
            "/clients/demo-client/delayed_tasks",
        )
        .await;
    assert_eq!(admin.status, 200);
    let j = admin.json();
    assert!(j.get("delayed_tasks").is_none());
    let all = j["delayed tasks"]
        .as_array()
        .expect("key spelled with a space")
        .clone();
    assert!(!all.is_empty(), "the seed makes a few tasks late");
    for t in &all {
        let status = t["status"].as_str().unwrap();
        assert!(!matches!(status, "accepted" | "submitted"), "{t}");
        let by = t["delayed_by_millis"].as_i64().unwrap();
        assert!(by > 0);
        assert!(t["due_at_millis"].as_i64().unwrap() + by >= deepen_emulator::base_millis());
    }
    // A user sees only their own.
    let ana = env.annotators()[0].clone();
    let mine = env
        .get(&ana.token, "/clients/demo-client/delayed_tasks")
        .await
        .json();
    let mine = mine["delayed tasks"].as_array().unwrap().clone();
    let expected: Vec<&Value> = all
        .iter()
        .filter(|t| t["assignee"] == ana.email.as_str())
        .collect();
    assert_eq!(mine.len(), expected.len());
    assert!(mine.iter().all(|t| t["assignee"] == ana.email.as_str()));
    assert_eq!(
        env.get(&ana.token, "/clients/nope/delayed_tasks")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn wrapped_task_responses() {
    let env = Env::start_with(&EmulatorConfig {
        wrap_task_responses: true,
        ..Default::default()
    })
    .await;
    let ds = env.fresh_dataset(2, &["Labelling", "QA"], true);
    let ann = env.annotators();
    let t = format!("{ds}-f0000-Labelling");
    let r = env.action(&ann[0].token, "submit", &t).await.json();
    assert_eq!(r["task"]["task_id"], t.as_str());
    assert_eq!(r["task"]["status"], "submitted");
    let r = env
        .post(
            &env.token(Role::Reviewer),
            &format!("/tasks/{t}/reject"),
            None,
        )
        .await
        .json();
    assert_eq!(r["task"]["status"], "rejected");
    let r = env.action(&ann[0].token, "submit", &t).await.json();
    let r2 = env
        .action(&env.token(Role::Reviewer), "accept", &t)
        .await
        .json();
    assert_eq!(
        (r["task"]["status"].clone(), r2["task"]["status"].clone()),
        (json!("submitted"), json!("accepted"))
    );
    // Lists are never wrapped.
    let list = env
        .get(&ann[0].token, &format!("/datasets/{ds}/tasks"))
        .await
        .json();
    assert_eq!(list["tasks"][0]["status"], "accepted");
    // Errors are not wrapped either.
    let r = env.action(&ann[0].token, "submit", &t).await;
    assert_eq!(r.status, 409);
    assert!(r.json()["error"].is_string());
}
