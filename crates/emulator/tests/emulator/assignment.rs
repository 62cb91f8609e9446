//! Assignment changes (endpoints 7 and 8): partial, null unassigns, admin only, all or
//! nothing with 400 / 409 naming the offending tasks, and the right endpoint per type.

use deepen_emulator::{DatasetSpec, LabellingMode, Role};
use serde_json::{Value, json};

use crate::common::Env;

fn body(entries: &[(&str, Option<&str>)]) -> Value {
    let list: Vec<Value> = entries
        .iter()
        .map(|(t, a)| json!({"task_id": t, "assignee": a}))
        .collect();
    json!({ "assignments": list })
}

#[tokio::test]
async fn partial_changes_and_null_unassigns() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(5, &["Labelling", "QA"], true);
    let admin = env.token(Role::Admin);
    let bo = env.annotators()[1].email.clone();
    let (t0, t1, t2) = (
        format!("{ds}-f0000-Labelling"),
        format!("{ds}-f0001-Labelling"),
        format!("{ds}-f0002-Labelling"),
    );
    let before_t2 = env.control.task(&t2).unwrap();
    let r = env
        .post(
            &admin,
            &format!("/datasets/{ds}/file_tasks"),
            Some(body(&[(&t0, Some(&bo)), (&t1, None)])),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.text.is_empty(),
        "success has an empty body, got {:?}",
        r.text
    );
    assert_eq!(env.field(&t0, "assignee"), bo);
    assert_eq!(env.field(&t1, "assignee"), "null");
    assert_eq!(
        env.control.task(&t2).unwrap(),
        before_t2,
        "unlisted tasks are untouched"
    );

    // The journal has one assign entry per changed task; a no-op entry adds nothing.
    let assigns: Vec<_> = env
        .control
        .journal()
        .into_iter()
        .filter(|e| e.action == "assign")
        .collect();
    assert_eq!(assigns.len(), 2);
    assert_eq!(assigns[0].to_assignee.as_deref(), Some(bo.as_str()));
    assert_eq!(assigns[1].to_assignee, None);
    assert_eq!(assigns[1].via, "api");
    let r = env
        .post(
            &admin,
            &format!("/datasets/{ds}/file_tasks"),
            Some(body(&[(&t0, Some(&bo))])),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(env.control.journal().len(), 2);

    // The new assignee may now submit; the old one may not.
    assert_eq!(
        env.action(&env.annotators()[0].token, "submit", &t0)
            .await
            .status,
        403
    );
    assert_eq!(
        env.action(&env.annotators()[1].token, "submit", &t0)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn only_admins_assign() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(2, &["Labelling", "QA"], false);
    let t0 = format!("{ds}-f0000-Labelling");
    let ana = env.annotators()[0].clone();
    for token in [
        ana.token.clone(),
        env.token(Role::Reviewer),
        env.token(Role::Customer),
    ] {
        let r = env
            .post(
                &token,
                &format!("/datasets/{ds}/file_tasks"),
                Some(body(&[(&t0, Some(&ana.email))])),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    assert_eq!(env.field(&t0, "assignee"), "null");
    let r = env
        .post(
            &env.token(Role::Admin),
            "/datasets/ds99/file_tasks",
            Some(body(&[])),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn all_or_nothing_400_names_the_bad_entries() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(3, &["Labelling", "QA"], false);
    let admin = env.token(Role::Admin);
    let ana = env.annotators()[0].email.clone();
    let good = format!("{ds}-f0000-Labelling");
    let unknown = format!("{ds}-f0999-Labelling");
    let other_ds = "ds1-f0001-Labelling".to_string();
    let outsider_target = format!("{ds}-f0001-QA");
    env.control
        .issue_token("outsider@example.com", "tok-outsider");
    let r = env
        .post(
            &admin,
            &format!("/datasets/{ds}/file_tasks"),
            Some(body(&[
                (&good, Some(&ana)),
                (&unknown, Some(&ana)),
                (&other_ds, Some(&ana)),
                (&outsider_target, Some("outsider@example.com")),
                ("garbage", None),
            ])),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let j = r.json();
    assert_eq!(
        j["task_ids"],
        json!([unknown, other_ds, outsider_target, "garbage"])
    );
    assert!(j["error"].as_str().unwrap().contains("user_scopes"));
    assert_eq!(env.field(&good, "assignee"), "null", "nothing changed");
    assert!(env.control.journal().is_empty());

    // Wrong endpoint for the task type.
    let r = env
        .post(
            &admin,
            &format!("/datasets/{ds}/label_tasks"),
            Some(body(&[(&good, Some(&ana))])),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json()["task_ids"], json!([good]));

    // Malformed bodies.
    for bad in [
        json!({}),
        json!({"assignments": [{"task_id": good}]}),
        json!({"assignments": [{"assignee": ana}]}),
        json!([1]),
    ] {
        let r = env
            .post(
                &admin,
                &format!("/datasets/{ds}/file_tasks"),
                Some(bad.clone()),
            )
            .await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
    }
}

#[tokio::test]
async fn submitted_and_accepted_tasks_are_409() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(3, &["Labelling", "QA"], true);
    let admin = env.token(Role::Admin);
    let ann = env.annotators();
    let (t0, t1, t2) = (
        format!("{ds}-f0000-Labelling"),
        format!("{ds}-f0001-Labelling"),
        format!("{ds}-f0002-Labelling"),
    );
    assert_eq!(env.action(&ann[0].token, "submit", &t0).await.status, 200);
    assert_eq!(env.action(&ann[1].token, "submit", &t1).await.status, 200);
    assert_eq!(
        env.action(&env.token(Role::Reviewer), "accept", &t1)
            .await
            .status,
        200
    );
    let chidi = ann[2].email.clone();
    let r = env
        .post(
            &admin,
            &format!("/datasets/{ds}/file_tasks"),
            Some(body(&[
                (&t0, Some(&chidi)),
                (&t1, None),
                (&t2, Some(&ann[0].email)),
            ])),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.json()["task_ids"], json!([t0, t1]));
    assert_eq!(env.field(&t2, "assignee"), chidi, "nothing changed");
    // Re-stating the current assignee of a frozen task is not a change, so it is fine.
    let r = env
        .post(
            &admin,
            &format!("/datasets/{ds}/file_tasks"),
            Some(body(&[(&t0, Some(&ann[0].email))])),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A rejected task can be reassigned.
    let qa_reviewer = env.token(Role::Reviewer);
    assert_eq!(env.action(&qa_reviewer, "reject", &t0).await.status, 200);
    let r = env
        .post(
            &admin,
            &format!("/datasets/{ds}/file_tasks"),
            Some(body(&[(&t0, Some(&chidi))])),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn label_tasks_use_their_own_endpoint() {
    let env = Env::start().await;
    let ds = env.control.add_dataset(DatasetSpec {
        name: "Tracks".into(),
        mode: LabellingMode::LabelByLabel,
        units: 3,
        stages: vec!["Labelling".into(), "QA".into()],
        assign: false,
    });
    let admin = env.token(Role::Admin);
    let t = format!("{ds}-l0001-Labelling");
    let bo = env.annotators()[1].email.clone();
    let task = env.control.task(&t).unwrap();
    assert_eq!(task["task_type"], "label");
    assert!(task["label_id"].as_str().unwrap().ends_with("-0001"));
    let r = env
        .post(
            &admin,
            &format!("/datasets/{ds}/file_tasks"),
            Some(body(&[(&t, Some(&bo))])),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = env
        .post(
            &admin,
            &format!("/datasets/{ds}/label_tasks"),
            Some(body(&[(&t, Some(&bo))])),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(env.field(&t, "assignee"), bo);
}
