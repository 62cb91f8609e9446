//! The control surface: journal, stats, acting as another user, seeding determinism,
//! save / load, and the same through the /_emulator/ HTTP API.

use deepen_emulator::{Action, Emulator, EmulatorConfig, Faults, JournalEntry, Role, Stats};
use serde_json::{Value, json};

use crate::common::Env;

#[tokio::test]
async fn journal_and_stats_record_traffic() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(2, &["Labelling", "QA"], true);
    let ana = env.annotators()[0].clone();
    let t = format!("{ds}-f0000-Labelling");
    env.get(&ana.token, "/datasets/ds1/tasks").await;
    env.get(&ana.token, "/datasets/ds2/tasks").await;
    env.action(&ana.token, "submit", &t).await;
    env.action(&ana.token, "submit", &t).await; // 409
    env.get("bad", "/clients/demo-client/datasets_ids").await; // 401

    let stats = env.control.stats();
    assert_eq!(stats.requests["GET /datasets/{id}/tasks"], 2);
    assert_eq!(stats.requests["POST /tasks/{id}/submit"], 2);
    assert_eq!(stats.requests["GET /clients/{id}/datasets_ids"], 1);
    assert_eq!(
        (
            stats.by_status[&200],
            stats.by_status[&409],
            stats.by_status[&401]
        ),
        (3, 1, 1)
    );
    assert_eq!(stats.total(), 5);

    let journal = env.control.journal();
    assert_eq!(journal.len(), 1, "refused actions are not journaled");
    let e = &journal[0];
    assert_eq!(e.seq, 1);
    assert_eq!(
        (e.actor.as_str(), e.action.as_str(), e.task_id.as_str()),
        (ana.email.as_str(), "submit", t.as_str())
    );
    assert_eq!(
        (e.from_status.as_str(), e.to_status.as_str()),
        ("ready", "submitted")
    );
    assert_eq!(e.from_assignee.as_deref(), Some(ana.email.as_str()));
    assert_eq!(e.via, "api");
    assert!(e.at_millis >= deepen_emulator::base_millis());

    env.control.reset_stats();
    assert_eq!(env.control.stats(), Stats::default());
}

#[tokio::test]
async fn act_follows_the_same_rules() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(2, &["Labelling", "QA"], true);
    let ana = env.annotators()[0].email.clone();
    let bo = env.annotators()[1].email.clone();
    let t = format!("{ds}-f0000-Labelling");
    let submit = || Action::Submit { task_id: t.clone() };
    let err = env.control.act(&bo, submit()).unwrap_err();
    assert_eq!((err.status, err.task_ids.clone()), (403, vec![t.clone()]));
    let task = env.control.act(&ana, submit()).unwrap();
    assert_eq!(task["status"], "submitted");
    assert_eq!(env.control.act(&ana, submit()).unwrap_err().status, 409);
    let reason = Some("blurry".to_string());
    let task = env
        .control
        .act(
            &env.email(Role::Reviewer),
            Action::Reject {
                task_id: t.clone(),
                reason,
            },
        )
        .unwrap();
    assert_eq!(task["status"], "rejected");
    let assign = Action::Assign {
        dataset_id: ds.clone(),
        task_type: "file".into(),
        assignments: vec![(t.clone(), Some(bo.clone()))],
    };
    assert_eq!(
        env.control.act(&ana, assign.clone()).unwrap_err().status,
        403
    );
    assert_eq!(
        env.control.act(&env.email(Role::Admin), assign).unwrap(),
        Value::Null
    );
    assert_eq!(
        env.control
            .act("ghost@example.com", submit())
            .unwrap_err()
            .status,
        403
    );
    let journal = env.control.journal();
    assert_eq!(journal.len(), 3);
    assert!(journal.iter().all(|e| e.via == "control"));
    assert_eq!(journal[1].reason.as_deref(), Some("blurry"));
    assert_eq!(journal[2].to_assignee.as_deref(), Some(bo.as_str()));
}

// A scenario read top to bottom: longer than our ~80-line rule on purpose.
#[tokio::test]
async fn http_control_api() {
    let env = Env::start().await;
    let root = format!("{}/_emulator", env.emu.root_url());
    let http = &env.http;
    let users: Vec<Value> = http
        .get(format!("{root}/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        users[0],
        json!({"email": "maya.admin@example.com", "name": "Maya Okafor", "token": "tok-maya.admin", "role": "admin"})
    );

    let put = json!({"latency_ms": 5, "rate_limit": {"count": 1, "retry_after_secs": 3}, "corrupt": {"count": 2, "kind": "wrong_types"}, "offline": null});
    let r = http
        .put(format!("{root}/faults"))
        .json(&put)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let faults = env.control.faults();
    assert_eq!(
        (
            faults.latency_ms,
            faults.rate_limit.unwrap().retry_after_secs
        ),
        (5, 3)
    );
    let r = http
        .put(format!("{root}/faults"))
        .json(&json!({"offline": "sideways"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    env.control.set_faults(Faults::default());

    let ds = env.fresh_dataset(1, &["Labelling", "QA"], true);
    let t = format!("{ds}-f0000-Labelling");
    let ana = env.annotators()[0].email.clone();
    let r = http
        .post(format!("{root}/act"))
        .json(&json!({"as": ana, "action": "submit", "task_id": t}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let task: Value = r.json().await.unwrap();
    assert_eq!(task["status"], "submitted");
    let r = http
        .post(format!("{root}/act"))
        .json(&json!({"as": ana, "action": "submit", "task_id": t}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let err: Value = r.json().await.unwrap();
    assert_eq!(err["task_ids"], json!([t]));
    let assign = json!({"as": "maya.admin@example.com", "action": "assign", "dataset_id": ds, "task_type": "file",
        "assignments": [{"task_id": format!("{ds}-f0000-QA"), "assignee": null}]});
    let r = http
        .post(format!("{root}/act"))
        .json(&assign)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .post(format!("{root}/act"))
        .json(&json!({"as": ana, "action": "dance"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let journal: Vec<JournalEntry> = http
        .get(format!("{root}/journal"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(journal.len(), 2);
    assert_eq!(journal[1].action, "assign");
    let task: Value = http
        .get(format!("{root}/tasks/{t}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(task["status"], "submitted");
    assert_eq!(
        http.get(format!("{root}/tasks/nope"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    env.get(&env.token(Role::Admin), "/datasets/ds1").await;
    let stats: Stats = http
        .get(format!("{root}/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats.requests["GET /datasets/{id}"], 1);
    assert!(
        http.post(format!("{root}/stats/reset"))
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    assert_eq!(env.control.stats().total(), 0);

    let spec = json!({"name": "Added", "mode": "label_by_label", "units": 3, "stages": ["Labelling"], "assign": true});
    let r: Value = http
        .post(format!("{root}/datasets"))
        .json(&spec)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let added = r["dataset_id"].as_str().unwrap().to_string();
    assert_eq!(added, "ds5");
    let ids: Vec<String> = http
        .get(format!("{root}/datasets"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids.last(), Some(&added));
    assert_eq!(env.control.tasks_of(&added).len(), 3);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let r = http
        .post(format!("{root}/save"))
        .json(&json!({"path": path}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let loaded = Emulator::load(&path).unwrap().control();
    assert_eq!(loaded.tasks_of(&added), env.control.tasks_of(&added));
}

#[test]
fn seeding_is_deterministic() {
    let config = EmulatorConfig::default();
    let a = Emulator::seeded(&config).control();
    let b = Emulator::seeded(&config).control();
    assert_eq!(a.users(), b.users());
    assert_eq!(a.dataset_ids(), vec!["ds1", "ds2", "ds3"]);
    for ds in a.dataset_ids() {
        assert_eq!(a.tasks_of(&ds), b.tasks_of(&ds), "{ds}");
    }
    let c = Emulator::seeded(&EmulatorConfig {
        seed: 8,
        ..config.clone()
    })
    .control();
    assert_ne!(a.tasks_of("ds1"), c.tasks_of("ds1"));
    // Shapes follow the config.
    let big = Emulator::seeded(&EmulatorConfig {
        datasets: 3,
        files: 10,
        label_datasets: 2,
        labels: 4,
        stages: vec!["A".into(), "B".into(), "C".into()],
        users: 9,
        ..config
    })
    .control();
    assert_eq!(big.dataset_ids().len(), 5);
    assert_eq!(big.tasks_of("ds3").len(), 30);
    assert_eq!(big.tasks_of("ds5").len(), 12);
    let roles: Vec<Role> = big.users().iter().map(|u| u.role).collect();
    assert_eq!(roles.iter().filter(|r| **r == Role::Annotator).count(), 6);
    assert_eq!(
        (roles[0], roles[7], roles[8]),
        (Role::Admin, Role::Reviewer, Role::Customer)
    );
}

#[tokio::test]
async fn save_and_load_round_trip() {
    let env = Env::start().await;
    let ann = env.annotators();
    let ds = env.fresh_dataset(3, &["Labelling", "QA"], true);
    let t = format!("{ds}-f0001-Labelling");
    assert_eq!(env.action(&ann[1].token, "submit", &t).await.status, 200);
    env.control.revoke_token(&ann[2].token);
    env.control.issue_token(&ann[2].email, "tok-new");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    Emulator::seeded(&EmulatorConfig::default())
        .save(&dir.path().join("other.json"))
        .unwrap();
    env.control.save(&path).unwrap();

    let loaded = Emulator::load(&path).unwrap().serve(0).await.unwrap();
    let c = loaded.control();
    assert_eq!(c.users(), env.control.users());
    assert_eq!(c.journal(), env.control.journal());
    assert_eq!(c.client_id(), "demo-client");
    for id in env.control.dataset_ids() {
        assert_eq!(c.tasks_of(&id), env.control.tasks_of(&id), "{id}");
    }
    // The loaded server behaves the same: tokens, states and rules carried over.
    let http = reqwest::Client::new();
    let get = |token: &'static str| {
        http.get(format!("{}/datasets/ds1", loaded.base_url()))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(get("tok-new").await.unwrap().status(), 200);
    assert_eq!(get("tok-chidi.eze").await.unwrap().status(), 401);
    let r = http
        .post(format!("{}/tasks/{t}/submit", loaded.base_url()))
        .bearer_auth(&ann[1].token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    loaded.shutdown().await;

    std::fs::write(&path, "{\"format\": 1}").unwrap();
    assert!(Emulator::load(&path).is_err());
    assert!(Emulator::load(&dir.path().join("missing.json")).is_err());
}
