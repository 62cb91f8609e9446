//! Bearer auth: missing, malformed, unknown, revoked and re-issued tokens.

use deepen_emulator::Role;
use serde_json::json;

use crate::common::Env;

#[tokio::test]
async fn tokens_are_checked_revoked_and_reissued() {
    let env = Env::start().await;
    let url = format!("{}/datasets/ds1", env.base);
    let r = env.send(env.http.get(&url)).await;
    assert_eq!(r.status, 401);
    assert!(r.json()["error"].is_string());
    let r = env
        .send(env.http.get(&url).header("Authorization", "Basic abc"))
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(env.get("tok-nobody", "/datasets/ds1").await.status, 401);

    let ana = env.annotators()[0].clone();
    assert_eq!(ana.token, "tok-ana.silva");
    assert_eq!(env.get(&ana.token, "/datasets/ds1").await.status, 200);
    assert!(env.control.revoke_token(&ana.token));
    let r = env.get(&ana.token, "/datasets/ds1").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "unknown or revoked token");
    assert_eq!(env.control.users()[1].token, "", "no valid token left");
    // Revoked tokens also stop mutations.
    assert_eq!(
        env.action(&ana.token, "submit", "ds1-f0000-Labelling")
            .await
            .status,
        401
    );

    env.control.issue_token(&ana.email, "tok-ana-2");
    assert_eq!(env.get("tok-ana-2", "/datasets/ds1").await.status, 200);
    assert_eq!(env.get(&ana.token, "/datasets/ds1").await.status, 401);
    assert_eq!(env.control.users()[1].token, "tok-ana-2");

    // The same through the HTTP control API.
    let root = env.emu.root_url();
    let r = env
        .send(
            env.http
                .post(format!("{root}/_emulator/revoke"))
                .json(&json!({"token": "tok-ana-2"})),
        )
        .await;
    assert_eq!((r.status, r.json()["revoked"].clone()), (200, json!(true)));
    assert_eq!(env.get("tok-ana-2", "/datasets/ds1").await.status, 401);
    let r = env
        .send(
            env.http
                .post(format!("{root}/_emulator/tokens"))
                .json(&json!({"email": ana.email, "token": "tok-ana-3"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(env.get("tok-ana-3", "/datasets/ds1").await.status, 200);
}

#[tokio::test]
async fn a_user_without_scopes_sees_nothing() {
    let env = Env::start().await;
    env.control.issue_token("guest@example.com", "tok-guest");
    let r = env
        .get("tok-guest", "/clients/demo-client/datasets_ids")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"datasets": []}));
    assert_eq!(env.get("tok-guest", "/datasets/ds1").await.status, 403);
    assert_eq!(
        env.get("tok-guest", "/datasets/ds1/tasks").await.status,
        403
    );
    assert_eq!(
        env.action("tok-guest", "submit", "ds1-f0000-Labelling")
            .await
            .status,
        403
    );
    // Admins see every dataset.
    let r = env
        .get(&env.token(Role::Admin), "/clients/demo-client/datasets_ids")
        .await;
    assert_eq!(r.json()["datasets"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn an_api_only_server_has_no_control_routes_checks_host_and_renews_tokens() {
    let emulator = deepen_emulator::Emulator::seeded(&deepen_emulator::EmulatorConfig::default());
    let control = emulator.control();
    let seeded = control.user(Role::Admin).token;
    control.renew_tokens();
    let fresh = control.user(Role::Admin).token;
    assert_ne!(fresh, seeded);
    assert_eq!(fresh.len(), 64, "256 random bits");
    let running = emulator.serve_api_only(0).await.unwrap();
    let http = reqwest::Client::new();
    let root = running.root_url();
    for path in ["/_emulator/users", "/_emulator/journal", "/_emulator/stats"] {
        let resp = http.get(format!("{root}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
    }
    let save = http
        .post(format!("{root}/_emulator/save"))
        .json(&serde_json::json!({ "path": "/tmp/x.json" }))
        .send()
        .await
        .unwrap();
    assert_eq!(save.status(), 404);
    let datasets = format!("{}/clients/demo-client/datasets_ids", running.base_url());
    let ok = http
        .get(&datasets)
        .bearer_auth(&fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let old = http
        .get(&datasets)
        .bearer_auth(&seeded)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401, "the seeded token is gone");
    let port = running.addr().port();
    let by_name = http
        .get(&datasets)
        .header("host", format!("localhost:{port}"))
        .bearer_auth(&fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(by_name.status(), 200);
    for host in [format!("evil.example:{port}"), "127.0.0.1:1".to_string()] {
        let rebound = http
            .get(&datasets)
            .header("host", host.clone())
            .bearer_auth(&fresh)
            .send()
            .await
            .unwrap();
        assert_eq!(rebound.status(), 403, "{host}");
    }
}
