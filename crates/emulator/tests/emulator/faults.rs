//! Each fault kind: offline (drop and 503), latency after applying, fail_rate, 429 with
//! Retry-After, drop_after_commit (applied exactly once, journaled, no response), and
//! every corrupt body. Faults never touch /_emulator/.

use std::time::{Duration, Instant};

use deepen_emulator::{CorruptKind, Corruption, Faults, OfflineMode, RateLimit, Role};
use serde_json::Value;

use crate::common::Env;

fn lab(ds: &str, unit: usize) -> String {
    format!("{ds}-f{unit:04}-Labelling")
}

#[tokio::test]
async fn offline_drop_closes_without_a_response() {
    let env = Env::start().await;
    env.control.set_faults(Faults {
        offline: Some(OfflineMode::Drop),
        ..Default::default()
    });
    let err = env
        .http
        .get(format!("{}/datasets/ds1", env.base))
        .bearer_auth(env.token(Role::Admin))
        .send()
        .await
        .expect_err("no response while offline");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    // Even unknown paths outside the API are dropped; the control API is not.
    assert!(env.http.get(env.emu.root_url()).send().await.is_err());
    let faults: Faults = env
        .http
        .get(format!("{}/_emulator/faults", env.emu.root_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults.offline, Some(OfflineMode::Drop));
    let stats = env.control.stats();
    assert_eq!(stats.requests["GET /datasets/{id}"], 1);
    assert!(
        stats.by_status.is_empty(),
        "a dropped request sends no status"
    );

    env.control.set_faults(Faults::default());
    assert_eq!(
        env.get(&env.token(Role::Admin), "/datasets/ds1")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn offline_unavailable_is_503() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(1, &["Labelling"], true);
    env.control.set_faults(Faults {
        offline: Some(OfflineMode::Unavailable),
        ..Default::default()
    });
    let ana = env.annotators()[0].token.clone();
    let r = env.action(&ana, "submit", &lab(&ds, 0)).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["error"], "service unavailable");
    assert_eq!(env.status(&lab(&ds, 0)), "ready", "not applied");
    assert_eq!(env.control.stats().by_status[&503], 1);
}

#[tokio::test]
async fn latency_is_added_after_applying() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(2, &["Labelling"], true);
    env.control.set_faults(Faults {
        latency_ms: 300,
        ..Default::default()
    });
    let ana = env.annotators()[0].token.clone();
    let started = Instant::now();
    assert_eq!(env.get(&ana, "/datasets/ds1").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // A client that gives up after 100 ms cannot know the submit happened; it did.
    let err = env
        .http
        .post(format!("{}/tasks/{}/submit", env.base, lab(&ds, 0)))
        .bearer_auth(&ana)
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(env.status(&lab(&ds, 0)), "submitted");
}

#[tokio::test]
async fn fail_rate_one_fails_everything_before_applying() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(1, &["Labelling"], true);
    env.control.set_faults(Faults {
        fail_rate: 1.0,
        ..Default::default()
    });
    let ana = env.annotators()[0].token.clone();
    for _ in 0..3 {
        let r = env.action(&ana, "submit", &lab(&ds, 0)).await;
        assert_eq!(r.status, 500);
        assert_eq!(r.json()["error"], "internal error");
    }
    assert_eq!(env.status(&lab(&ds, 0)), "ready");
    assert!(env.control.journal().is_empty());

    // A fractional rate fails some and passes some (seeded).
    env.control.set_faults(Faults {
        fail_rate: 0.5,
        ..Default::default()
    });
    let mut codes = Vec::new();
    for _ in 0..30 {
        codes.push(env.get(&ana, "/datasets/ds1").await.status);
    }
    assert!(codes.contains(&500) && codes.contains(&200), "{codes:?}");
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(1, &["Labelling"], true);
    env.control.set_faults(Faults {
        rate_limit: Some(RateLimit {
            count: 2,
            retry_after_secs: 7,
        }),
        ..Default::default()
    });
    let ana = env.annotators()[0].token.clone();
    for left in [1, 0] {
        let r = env.action(&ana, "submit", &lab(&ds, 0)).await;
        assert_eq!(r.status, 429);
        assert_eq!(r.headers["retry-after"], "7");
        assert_eq!(env.status(&lab(&ds, 0)), "ready", "not applied");
        assert_eq!(
            env.control.faults().rate_limit.map(|l| l.count),
            (left > 0).then_some(left)
        );
    }
    assert_eq!(env.action(&ana, "submit", &lab(&ds, 0)).await.status, 200);
}

#[tokio::test]
async fn drop_after_commit_applies_once_and_journals() {
    let env = Env::start().await;
    let ds = env.fresh_dataset(2, &["Labelling", "QA"], true);
    env.control.set_faults(Faults {
        drop_after_commit: 1,
        ..Default::default()
    });
    let ana = env.annotators()[0].token.clone();
    // Reads are not mutations: they pass.
    assert_eq!(env.get(&ana, "/datasets/ds1").await.status, 200);
    let err = env
        .http
        .post(format!("{}/tasks/{}/submit", env.base, lab(&ds, 0)))
        .bearer_auth(&ana)
        .send()
        .await
        .expect_err("dropped after commit");
    assert!(!err.is_timeout(), "{err:?}");
    assert_eq!(env.status(&lab(&ds, 0)), "submitted");
    let journal = env.control.journal();
    assert_eq!(journal.len(), 1);
    assert_eq!(
        (journal[0].action.as_str(), journal[0].via.as_str()),
        ("submit", "api")
    );
    assert_eq!(env.control.faults().drop_after_commit, 0);

    // The replay is answered (409: already submitted) and changes nothing.
    let r = env.action(&ana, "submit", &lab(&ds, 0)).await;
    assert_eq!(r.status, 409);
    assert_eq!(env.control.journal().len(), 1);

    // An assignment is a mutation too; a refused one does not use the fault up.
    env.control.set_faults(Faults {
        drop_after_commit: 1,
        ..Default::default()
    });
    let admin = env.token(Role::Admin);
    let url = format!("/datasets/{ds}/file_tasks");
    let bad = serde_json::json!({"assignments": [{"task_id": "nope", "assignee": null}]});
    assert_eq!(env.post(&admin, &url, Some(bad)).await.status, 400);
    let good = serde_json::json!({"assignments": [{"task_id": lab(&ds, 1), "assignee": null}]});
    let err = env
        .http
        .post(format!("{}{url}", env.base))
        .bearer_auth(&admin)
        .json(&good)
        .send()
        .await;
    assert!(err.is_err());
    assert_eq!(env.field(&lab(&ds, 1), "assignee"), "null");
    assert_eq!(env.control.journal().len(), 2);
}

async fn corrupted(env: &Env, kind: CorruptKind, path: &str) -> crate::common::Reply {
    env.control.set_faults(Faults {
        corrupt: Some(Corruption { count: 1, kind }),
        ..Default::default()
    });
    let r = env.get(&env.token(Role::Admin), path).await;
    assert!(env.control.faults().corrupt.is_none(), "count consumed");
    r
}

#[tokio::test]
async fn corrupt_bodies_of_each_kind() {
    let env = Env::start().await;
    let path = "/datasets/ds1";
    let real = env.get(&env.token(Role::Admin), path).await.text;

    let r = corrupted(&env, CorruptKind::Html, path).await;
    assert_eq!(r.status, 200, "status kept");
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(r.text.starts_with("<!DOCTYPE html>"));

    let r = corrupted(&env, CorruptKind::Truncated, path).await;
    assert_eq!(r.text, real[..real.len() / 2]);
    assert!(serde_json::from_str::<Value>(&r.text).is_err());

    let r = corrupted(&env, CorruptKind::WrongTypes, path).await;
    let j = r.json();
    assert!(j["dataset_id"].is_number(), "{j}");
    assert!(j["pipeline_spec"].is_object());
    assert!(j["created_at_millis"].is_string());

    let r = corrupted(&env, CorruptKind::NotJson, path).await;
    assert_eq!(r.text, "<<garbage>>");

    let r = corrupted(&env, CorruptKind::Huge, path).await;
    assert!(r.text.len() > 20_000_000);
    let j = r.json();
    assert_eq!(j["dataset_id"], "ds1", "the real content is still there");

    // Errors keep their status too; a streamed list is corrupted whole.
    let r = corrupted(&env, CorruptKind::NotJson, "/datasets/ds42").await;
    assert_eq!((r.status, r.text.as_str()), (404, "<<garbage>>"));
    let r = corrupted(&env, CorruptKind::WrongTypes, "/datasets/ds1/tasks").await;
    assert!(r.json()["tasks"].is_object());
    // After the count, bodies are clean again.
    assert_eq!(env.get(&env.token(Role::Admin), path).await.text, real);
}

#[tokio::test]
async fn faults_never_touch_the_control_api() {
    let env = Env::start().await;
    env.control.set_faults(Faults {
        fail_rate: 1.0,
        corrupt: Some(Corruption {
            count: 5,
            kind: CorruptKind::NotJson,
        }),
        ..Default::default()
    });
    let users: Vec<Value> = env
        .http
        .get(format!("{}/_emulator/users", env.emu.root_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(users.len(), 6);
    assert_eq!(env.control.faults().corrupt.map(|c| c.count), Some(5));
    assert!(env.control.stats().requests.is_empty());
}

#[tokio::test]
async fn answers_are_compressed_as_a_real_service_would_unless_switched_off() {
    let env = Env::start().await;
    // A client that does not decompress, to see what crosses the wire.
    let raw = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .build()
        .unwrap();
    let list = |encoding: &'static str| {
        raw.get(format!("{}/datasets/ds1/tasks", env.base))
            .bearer_auth(env.token(Role::Admin))
            .header("accept-encoding", encoding)
            .send()
    };
    let plain = list("identity").await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_len = plain.bytes().await.unwrap().len();
    let gzipped = list("gzip").await.unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let gzipped_len = gzipped.bytes().await.unwrap().len();
    assert!(gzipped_len * 4 < plain_len, "{gzipped_len} vs {plain_len}");

    env.control.set_faults(Faults {
        no_compression: true,
        ..Default::default()
    });
    let off = list("gzip, br").await.unwrap();
    assert!(off.headers().get("content-encoding").is_none());
    assert_eq!(off.bytes().await.unwrap().len(), plain_len);
}

#[tokio::test]
async fn answers_carry_validators_and_a_match_gets_304_unless_switched_off() {
    let env = Env::start().await;
    let http = reqwest::Client::new();
    let get = |path: &'static str, header: Option<(&'static str, String)>| {
        let mut req = http
            .get(format!("{}{path}", env.base))
            .bearer_auth(env.token(Role::Admin));
        if let Some((name, value)) = header {
            req = req.header(name, value);
        }
        req.send()
    };
    for path in [
        "/datasets/ds1/tasks",
        "/datasets/ds1",
        "/clients/demo-client/datasets_ids",
        "/clients/demo-client/user_tasks?email=maya.admin@example.com",
    ] {
        let first = get(path, None).await.unwrap();
        assert_eq!(first.status(), 200, "{path}");
        let etag = first.headers()["etag"].to_str().unwrap().to_string();
        assert!(etag.starts_with("W/\""), "{path}: {etag}");
        let modified = first.headers()["last-modified"]
            .to_str()
            .unwrap()
            .to_string();
        let again = get(path, Some(("if-none-match", etag.clone())))
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert!(again.bytes().await.unwrap().is_empty());
        let since = get(path, Some(("if-modified-since", modified)))
            .await
            .unwrap();
        assert_eq!(since.status(), 304, "{path}");
        let other = get(path, Some(("if-none-match", "W/\"other\"".into())))
            .await
            .unwrap();
        assert_eq!(other.status(), 200, "{path}");
    }

    // A change to the dataset: its list gets another tag.
    let first = get("/datasets/ds1/tasks", None).await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let task = env
        .control
        .tasks_of("ds1")
        .into_iter()
        .find(|t| t["status"] == "ready" && t["assignee"].is_string())
        .unwrap();
    env.control
        .act(
            task["assignee"].as_str().unwrap(),
            deepen_emulator::Action::Submit {
                task_id: task["task_id"].as_str().unwrap().to_string(),
            },
        )
        .unwrap();
    let changed = get("/datasets/ds1/tasks", Some(("if-none-match", etag.clone())))
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);

    env.control.set_faults(Faults {
        no_etag: true,
        no_last_modified: true,
        ..Default::default()
    });
    let untagged = get("/datasets/ds1/tasks", Some(("if-none-match", etag)))
        .await
        .unwrap();
    assert_eq!(untagged.status(), 200);
    assert!(untagged.headers().get("etag").is_none());
    assert!(untagged.headers().get("last-modified").is_none());
}
