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
