//! The `deepen-emulator` binary: first stdout line is the base URL, then the users;
//! SIGTERM stops it and --save-on-exit writes a state that --load reads back.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn start(args: &[&str]) -> (std::process::Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deepen-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn emulator");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut out = Vec::new();
    for _ in 0..7 {
        out.push(lines.next().unwrap().unwrap());
    }
    (child, out)
}

fn terminate(child: &mut std::process::Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
}

// A scenario read top to bottom: longer than our ~80-line rule on purpose.
#[tokio::test]
async fn binary_serves_prints_and_saves_on_exit() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().unwrap();
    let (mut child, lines) = start(&[
        "--port",
        "0",
        "--seed",
        "3",
        "--datasets",
        "1",
        "--files",
        "5",
        "--label-datasets",
        "1",
        "--labels",
        "2",
        "--stages",
        "Labelling,QA",
        "--users",
        "6",
        "--client-id",
        "acme",
        "--load",
        state_arg,
        "--save-on-exit",
        state_arg,
    ]);
    let base = lines[0].clone();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/api/v2"),
        "{base}"
    );
    assert_eq!(lines[1], "admin maya.admin@example.com tok-maya.admin");
    assert_eq!(
        lines[6],
        "customer claire.dubois@example.com tok-claire.dubois"
    );

    let http = reqwest::Client::new();
    let r = http
        .post(format!("{base}/tasks/ds1-f0000-Labelling/submit"))
        .bearer_auth("tok-maya.admin")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    assert!(status == 200 || status == 409, "{status}");
    let root = |base: &str| base.trim_end_matches("/api/v2").to_string();
    let task_url = |base: &str| format!("{}/_emulator/tasks/ds1-f0000-Labelling", root(base));
    let before: serde_json::Value = http
        .get(task_url(&base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        matches!(before["status"].as_str(), Some("submitted" | "accepted")),
        "{before}"
    );
    let ids: serde_json::Value = http
        .get(format!("{base}/clients/acme/datasets_ids"))
        .bearer_auth("tok-ana.silva")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids["datasets"].as_array().unwrap().len(), 2);
    terminate(&mut child);
    assert!(state.exists(), "saved on SIGTERM");

    // Loading it back keeps the submitted task.
    let (mut child, lines) = start(&["--load", state_arg]);
    let after: serde_json::Value = http
        .get(task_url(&lines[0]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after, before);
    terminate(&mut child);
}
