//! The task life cycle: who may submit / accept / reject from which state, what
//! happens to the next stage, and that repeating an action is a 409.

use deepen_emulator::Role;
use serde_json::json;

use crate::common::Env;

fn id(ds: &str, unit: usize, stage: &str) -> String {
    format!("{ds}-f{unit:04}-{stage}")
}

#[tokio::test]
async fn submit_accept_and_the_next_stage() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(4, &["Labelling", "QA"], true);
    let ann = env.annotators();
    let (ana, bo) = (&ann[0], &ann[1]);
    let reviewer = env.token(Role::Reviewer);
    let (lab, qa) = (id(&ds, 0, "Labelling"), id(&ds, 0, "QA"));
    assert_eq!(env.status(&lab), "ready");
    assert_eq!(env.field(&lab, "assignee"), ana.email);
    assert_eq!(env.status(&qa), "waiting");

    // Another annotator, the customer and the reviewer may not submit ana's task.
    for token in [&bo.token, &env.token(Role::Customer), &reviewer] {
        let r = env.action(token, "submit", &lab).await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.json()["task_ids"], json!([lab]));
    }
    assert_eq!(env.status(&lab), "ready");

    let before: i64 = env.field(&lab, "updated_at_millis").parse().unwrap();
    let r = env.action(&ana.token, "submit", &lab).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let task = r.json();
    assert_eq!(task["task_id"], lab.as_str());
    assert_eq!(task["status"], "submitted");
    assert!(task["updated_at_millis"].as_i64().unwrap() > before);
    assert_eq!(env.status(&qa), "ready", "next stage goes waiting -> ready");

    // Repeating is a 409, and so is acting on the frozen task as its assignee.
    let r = env.action(&ana.token, "submit", &lab).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.json()["task_ids"], json!([lab]));

    // Only the next stage's assignee (or an admin) reviews it.
    assert_eq!(env.action(&ana.token, "accept", &lab).await.status, 403);
    assert_eq!(env.action(&bo.token, "reject", &lab).await.status, 403);
    assert_eq!(
        env.action(&env.token(Role::Customer), "accept", &lab)
            .await
            .status,
        403
    );
    let r = env.action(&reviewer, "accept", &lab).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "accepted");
    assert_eq!(
        env.status(&qa),
        "ready",
        "accept leaves the next stage alone"
    );
    assert_eq!(env.action(&reviewer, "accept", &lab).await.status, 409);
    assert_eq!(env.action(&reviewer, "reject", &lab).await.status, 409);
    assert_eq!(env.action(&ana.token, "submit", &lab).await.status, 409);

    // Last stage: the reviewer submits, a customer (or admin) accepts; the reviewer can't.
    let r = env.action(&reviewer, "submit", &qa).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(env.action(&reviewer, "accept", &qa).await.status, 403);
    assert_eq!(env.action(&ana.token, "accept", &qa).await.status, 403);
    let r = env.action(&env.token(Role::Customer), "accept", &qa).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "accepted");
}

#[tokio::test]
async fn reject_sends_back_and_resubmit_reopens_the_next_stage() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(4, &["Labelling", "QA", "Final"], true);
    let bo = &env.annotators()[1];
    let reviewer = env.token(Role::Reviewer);
    let (lab, qa, fin) = (
        id(&ds, 1, "Labelling"),
        id(&ds, 1, "QA"),
        id(&ds, 1, "Final"),
    );
    assert_eq!(env.status(&fin), "waiting");

    // Reject needs a submitted task.
    assert_eq!(env.action(&reviewer, "reject", &lab).await.status, 409);
    assert_eq!(env.action(&bo.token, "submit", &lab).await.status, 200);
    assert_eq!(env.status(&qa), "ready");

    let r = env
        .post(
            &reviewer,
            &format!("/tasks/{lab}/reject"),
            Some(json!({"reason": "boxes too loose"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "rejected");
    assert_eq!(
        env.status(&qa),
        "waiting",
        "reject sends the next stage back to waiting"
    );
    let last = env.control.journal().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.reason.as_deref()),
        ("reject", Some("boxes too loose"))
    );
    assert_eq!(
        env.action(&reviewer, "reject", &lab).await.status,
        409,
        "repeat is 409"
    );

    // The waiting QA task cannot be submitted; the rejected one is resubmitted.
    assert_eq!(env.action(&reviewer, "submit", &qa).await.status, 409);
    assert_eq!(env.action(&bo.token, "submit", &lab).await.status, 200);
    assert_eq!(env.status(&qa), "ready");
    assert_eq!(env.action(&reviewer, "accept", &lab).await.status, 200);

    // Middle stage: QA is reviewed by Final's assignee (the reviewer again).
    assert_eq!(env.action(&reviewer, "submit", &qa).await.status, 200);
    assert_eq!(env.status(&fin), "ready");
    let r = env
        .post(&reviewer, &format!("/tasks/{qa}/reject"), None)
        .await;
    assert_eq!(r.status, 200, "an empty reject body is fine: {}", r.text);
    assert_eq!(env.status(&fin), "waiting");
}

#[tokio::test]
async fn admins_may_act_for_anyone_and_bad_input_is_refused() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(3, &["Labelling", "QA"], false);
    let admin = env.token(Role::Admin);
    let ana = &env.annotators()[0];
    let lab = id(&ds, 2, "Labelling");
    assert_eq!(env.field(&lab, "assignee"), "null");

    // Unassigned: nobody but an admin may submit.
    assert_eq!(env.action(&ana.token, "submit", &lab).await.status, 403);
    assert_eq!(env.action(&admin, "submit", &lab).await.status, 200);
    // Nobody is assigned to QA, so only admin (or nobody) reviews.
    assert_eq!(
        env.action(&env.token(Role::Reviewer), "accept", &lab)
            .await
            .status,
        403
    );
    assert_eq!(env.action(&admin, "accept", &lab).await.status, 200);

    // Unknown or non-canonical ids are 404; a non-JSON reject body is 400.
    for bad in [
        "ds1-f9999-Labelling",
        "nope",
        &format!("{ds}-f2-Labelling"),
        &format!("{ds}-f0002-Review"),
    ] {
        let r = env.action(&admin, "submit", bad).await;
        assert_eq!(r.status, 404, "{bad}: {}", r.text);
        assert!(r.json()["error"].is_string());
    }
    let r = env
        .send(
            env.http
                .post(format!(
                    "{}/tasks/{}/reject",
                    env.base,
                    id(&ds, 0, "Labelling")
                ))
                .bearer_auth(&admin)
                .body("not json"),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
}

#[tokio::test]
async fn seeded_unit_states_follow_the_life_cycle() {
    let env = Env::start_with(&deepen_emulator::EmulatorConfig {
        files: 300,
        stages: vec!["Labelling".into(), "QA".into(), "Final".into()],
        ..Default::default()
    })
    .await;
    let mut seen = std::collections::BTreeSet::new();
    for ds in env.control.dataset_ids() {
        let tasks = env.control.tasks_of(&ds);
        for unit in tasks.chunks(3) {
            let s: Vec<&str> = unit.iter().map(|t| t["status"].as_str().unwrap()).collect();
            seen.extend(s.iter().map(|s| s.to_string()));
            assert!(
                consistent(&s),
                "{ds}: impossible unit {s:?} ({})",
                unit[0]["task_id"]
            );
        }
    }
    for status in [
        "waiting",
        "ready",
        "in_progress",
        "submitted",
        "accepted",
        "rejected",
    ] {
        assert!(seen.contains(status), "no {status} task in the seeded mix");
    }
}

/// Stages before the active one are accepted; after a submitted one the next is ready or
/// in progress; everything after that waits.
fn consistent(s: &[&str]) -> bool {
    let active = s.iter().position(|x| *x != "accepted").unwrap_or(s.len());
    if active == s.len() {
        return true;
    }
    let rest_from = match s[active] {
        "submitted" if active + 1 < s.len() => {
            if !matches!(s[active + 1], "ready" | "in_progress") {
                return false;
            }
            active + 2
        }
        "ready" | "in_progress" | "rejected" | "submitted" => active + 1,
        _ => return false,
    };
    s[rest_from..].iter().all(|x| *x == "waiting")
}
