//! CLI scenarios: the `dtasks` binary end to end against the emulator over HTTP.

mod common;
#[allow(dead_code)]
#[cfg(target_os = "linux")]
#[path = "../../../tests/e2e/tests/support/network.rs"]
mod network;

use common::Cli;
use deepen_emulator::{Action, EmulatorConfig, Faults, OfflineMode, Role};

// A scenario read top to bottom: longer than our ~80-line rule on purpose.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotator_works_offline_and_syncs_exactly_once() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Annotator).await;
    cli.connect();
    let pulled = cli.expect(0, &["pull"]);
    assert!(pulled.stdout.contains("pulled"), "{}", pulled.stdout);
    let datasets = cli.expect(0, &["--json", "datasets"]).json();
    assert_eq!(
        datasets.as_array().unwrap().len(),
        cli.control.dataset_ids().len()
    );

    let ready = cli.task_ids(&["--mine", "--status", "ready"]);
    assert!(ready.len() >= 2);
    let rows = cli
        .expect(0, &["--json", "tasks", "--mine", "--limit", "5"])
        .json();
    for row in rows.as_array().unwrap() {
        for field in [
            "task_id",
            "dataset_id",
            "stage_id",
            "status",
            "assignee",
            "pending",
        ] {
            assert!(row.get(field).is_some(), "{field} missing in {row}");
        }
    }

    cli.control.set_faults(Faults {
        offline: Some(OfflineMode::Drop),
        ..Default::default()
    });
    let queued = cli.expect(0, &["submit", &ready[0], &ready[1]]);
    assert!(queued.stdout.contains("queued"), "{}", queued.stdout);
    let shown = cli
        .expect(0, &["--json", "tasks", "--mine", "--status", "submitted"])
        .json();
    let pending: Vec<_> = shown
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["pending"] == "submit")
        .collect();
    assert_eq!(pending.len(), 2, "shown submitted at once, marked pending");

    assert_eq!(
        cli.expect(4, &["sync"]).code,
        4,
        "offline: exit 4, queue kept"
    );
    let status = cli.expect(0, &["--json", "status"]).json();
    assert_eq!(
        (status["online"].as_bool(), status["pending"].as_u64()),
        (Some(false), Some(2))
    );

    cli.control.set_faults(Faults::default());
    cli.expect(0, &["sync"]);
    for id in &ready[..2] {
        assert_eq!(cli.applied(id, "submit"), 1, "{id} exactly once");
    }
    let status = cli.expect(0, &["--json", "status"]).json();
    assert_eq!(
        (status["online"].as_bool(), status["pending"].as_u64()),
        (Some(true), Some(0))
    );
    assert!(status["last_sync_at"].as_i64().is_some());
    assert!(
        files_containing(cli.home.path(), cli.user.token.as_bytes()).is_empty(),
        "the token is never written"
    );
    let queue = cli.expect(0, &["--json", "queue", "--all"]).json();
    let ops = queue.as_array().unwrap();
    assert_eq!(ops.len(), 2);
    for op in ops {
        assert_eq!(op["state"], "done");
        for field in ["op_id", "kind", "task_id", "attempts", "reason"] {
            assert!(op.get(field).is_some(), "{field} missing in {op}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn needs_attention_exit_code_and_resolutions() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Admin).await;
    cli.connect();
    cli.expect(0, &["pull"]);
    let tasks = cli
        .expect(
            0,
            &[
                "--json",
                "tasks",
                "--stage",
                "Labelling",
                "--status",
                "ready",
                "--limit",
                "50",
            ],
        )
        .json();
    let task = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task_id"].as_str().unwrap().contains("-f"))
        .unwrap()
        .clone();
    let task_id = task["task_id"].as_str().unwrap().to_string();
    let annotators: Vec<String> = cli
        .control
        .users()
        .into_iter()
        .filter(|u| {
            u.role == Role::Annotator && Some(u.email.as_str()) != task["assignee"].as_str()
        })
        .map(|u| u.email)
        .collect();
    cli.expect(
        0,
        &["assign", &task_id, "--to", &annotators[0], "--no-sync"],
    );
    // Someone else moves it first.
    cli.control
        .act(
            &cli.user.email,
            Action::Assign {
                dataset_id: task["dataset_id"].as_str().unwrap().into(),
                task_type: "file".into(),
                assignments: vec![(task_id.clone(), Some(annotators[1].clone()))],
            },
        )
        .unwrap();
    cli.expect(3, &["sync"]);
    let queue = cli.expect(0, &["--json", "queue"]).json();
    let op = &queue.as_array().unwrap()[0];
    assert_eq!(op["state"], "needs_attention");
    assert!(op["reason"].as_str().unwrap().contains(&annotators[1]));
    let op_id = op["op_id"].as_str().unwrap().to_string();

    cli.expect(0, &["resolve", &op_id, "--overwrite"]);
    cli.expect(0, &["sync"]);
    assert_eq!(
        cli.control.task(&task_id).unwrap()["assignee"].as_str(),
        Some(annotators[0].as_str())
    );

    let garbage = cli.run(&["resolve", "no-such-op", "--retry"]);
    assert_eq!(garbage.code, 1);
    assert!(
        garbage.stderr.contains("no queued action"),
        "{}",
        garbage.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_token_exit_code_keeps_the_queue() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Annotator).await;
    cli.connect();
    cli.expect(0, &["pull"]);
    let ready = cli.task_ids(&["--mine", "--status", "ready"]);
    cli.control.revoke_token(&cli.user.token);
    cli.expect(0, &["submit", &ready[0]]);
    let run = cli.expect(5, &["sync"]);
    assert!(
        !run.stdout.contains(&cli.user.token) && !run.stderr.contains(&cli.user.token),
        "the token never prints"
    );
    let status = cli.expect(0, &["--json", "status"]).json();
    assert_eq!(
        (status["connectivity"].as_str(), status["pending"].as_u64()),
        (Some("needs_sign_in"), Some(1))
    );
    cli.control.issue_token(&cli.user.email, &cli.user.token);
    cli.expect(0, &["sync"]);
    assert_eq!(cli.applied(&ready[0], "submit"), 1);
}

// A scenario read top to bottom: longer than our ~80-line rule on purpose.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_and_bad_files_give_clear_errors() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Annotator).await;
    // Not connected yet.
    let run = cli.run(&["pull"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not connected"), "{}", run.stderr);
    // Garbage arguments: clap's usage error.
    assert_eq!(cli.run(&["frobnicate"]).code, 2);
    assert_eq!(
        cli.run(&["assign", "t1"]).code,
        2,
        "--to or --unassign is required"
    );
    assert_eq!(cli.run(&["tasks", "--limit", "0"]).code, 2);
    assert_eq!(
        cli.run(&["resolve", "x"]).code,
        2,
        "a resolution is required"
    );
    // Plain http to another host is refused.
    let run = cli.run(&[
        "connect",
        "--server",
        "http://10.1.2.3/api/v2",
        "--client-id",
        "c",
        "--email",
        "a@b.c",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("plain http"), "{}", run.stderr);
    let run = cli.run(&[
        "connect",
        "--server",
        "https://x.example/api",
        "--client-id",
        "c",
        "--email",
        "nope",
    ]);
    assert!(run.stderr.contains("email"), "{}", run.stderr);

    cli.connect();
    cli.expect(0, &["pull"]);
    let run = cli.run(&["submit", "no-such-task"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("unknown task"), "{}", run.stderr);
    let ready = cli.task_ids(&["--mine", "--status", "ready"]);
    let run = cli.run(&["accept", &ready[0]]);
    assert!(run.stderr.contains("cannot accept"), "{}", run.stderr);

    // A wrong token at connect.
    let run = cli
        .command(&[
            "connect",
            "--server",
            &cli.emu.base_url(),
            "--client-id",
            &cli.control.client_id(),
            "--email",
            &cli.user.email,
        ])
        .env("DEEPEN_TOKEN", "not-a-token")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("refused the token"));

    // A queued action, then a damaged mirror: a clear error, and the queue file untouched.
    cli.expect(0, &["submit", &ready[0], "--no-sync"]);
    let outbox = std::fs::read(cli.home.path().join("outbox.db")).unwrap();
    let mirror = cli.home.path().join("mirror.db");
    let _ = std::fs::remove_file(cli.home.path().join("mirror.db-wal"));
    let _ = std::fs::remove_file(cli.home.path().join("mirror.db-shm"));
    std::fs::write(&mirror, b"garbage, not SQLite".repeat(500)).unwrap();
    let run = cli.run(&["tasks"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("damaged") && run.stderr.contains("mirror.db"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(cli.home.path().join("outbox.db")).unwrap(),
        outbox
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_queue_is_reported_not_waited_on_forever() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Annotator).await;
    cli.connect();
    cli.expect(0, &["pull"]);
    let ready = cli.task_ids(&["--mine", "--status", "ready"]);
    let lock = LockHolder::hold(cli.home.path().join("outbox.db"));
    let run = cli.run(&["submit", &ready[0], "--no-sync"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("locked"), "{}", run.stderr);
    drop(lock);
    cli.expect(0, &["submit", &ready[0], "--no-sync"]);
}

/// Holds a write lock on a SQLite file, as another process mid-transaction would
/// (python3's sqlite3 module: the sqlite3 shell is not on every machine).
struct LockHolder(std::process::Child);

impl LockHolder {
    fn hold(path: std::path::PathBuf) -> Self {
        let script = format!(
            "import sqlite3,time\nc=sqlite3.connect({:?},isolation_level=None)\nc.execute('BEGIN EXCLUSIVE')\nprint('locked',flush=True)\ntime.sleep(60)\n",
            path.display().to_string()
        );
        let mut child = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line.trim(), "locked");
        Self(child)
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every file of the workspace, searched for `needle`.
fn files_containing(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(files_containing(&path, needle));
        } else if std::fs::read(&path)
            .unwrap_or_default()
            .windows(needle.len())
            .any(|w| w == needle)
        {
            hits.push(path);
        }
    }
    hits
}

/// `dtasks connect --token-stdin` for the test's user, the token typed on stdin, with
/// `env` set (and no `DEEPEN_TOKEN`).
fn connect_with_stdin(cli: &Cli, token: &str, env: &[(&str, &str)]) -> std::process::Output {
    let mut connect = cli
        .command(&[
            "connect",
            "--server",
            &cli.emu.base_url(),
            "--client-id",
            &cli.control.client_id(),
            "--email",
            &cli.user.email,
            "--token-stdin",
        ])
        .env_remove("DEEPEN_TOKEN")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut connect.stdin.take().unwrap(),
        format!("{token}\n").as_bytes(),
    )
    .unwrap();
    connect.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_from_stdin_lives_in_the_credential_store_only() {
    let required = std::env::var("DTASKS_REQUIRE_KEYRING").is_ok_and(|v| v == "1");
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() && !required {
        eprintln!("skipped: no D-Bus session (CI runs this against a real gnome-keyring)");
        return;
    }
    let cli = Cli::start(EmulatorConfig::default(), Role::Annotator).await;
    // A token distinctive enough to search the disk for.
    let token = format!("tok-stdin-{}", std::process::id());
    cli.control.issue_token(&cli.user.email, &token);
    let out = connect_with_stdin(&cli, &token, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("credential store"));

    let without_env = |args: &[&str]| -> common::Run {
        cli.command(args)
            .env_remove("DEEPEN_TOKEN")
            .output()
            .unwrap()
            .into()
    };
    let pull = without_env(&["pull"]);
    assert_eq!(pull.code, 0, "{}", pull.stderr);
    let ready = cli.task_ids(&["--mine", "--status", "ready"]);
    assert_eq!(without_env(&["submit", &ready[0]]).code, 0);
    assert_eq!(cli.applied(&ready[0], "submit"), 1);
    assert!(
        files_containing(cli.home.path(), token.as_bytes()).is_empty(),
        "the token is on disk"
    );

    assert_eq!(without_env(&["sign-out"]).code, 0);
    let after = without_env(&["pull"]);
    assert_eq!(after.code, 1);
    assert!(
        after.stderr.contains("no token") && after.stderr.contains("DEEPEN_TOKEN"),
        "{}",
        after.stderr
    );
    assert!(
        !cli.task_ids(&["--mine"]).is_empty(),
        "the mirror is kept after sign-out"
    );
}

/// A small tmpfs mounted for the test, unmounted when dropped.
struct TinyDisk {
    dir: tempfile::TempDir,
}

impl TinyDisk {
    fn mount(bytes: usize) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Self { dir })
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_new_actions_clearly_and_loses_none() {
    let required = std::env::var("DTASKS_REQUIRE_TMPFS").is_ok_and(|v| v == "1");
    let Some(disk) = TinyDisk::mount(4 * 1024 * 1024) else {
        assert!(!required, "cannot mount a tmpfs for the full-disk test");
        eprintln!("skipped: mounting a tmpfs needs root (CI runs this as root)");
        return;
    };
    let mut cli = Cli::start(EmulatorConfig::default(), Role::Annotator).await;
    cli.home = tempfile::tempdir_in(disk.dir.path()).unwrap();
    cli.connect();
    cli.expect(0, &["pull"]);
    let ready = cli.task_ids(&["--mine", "--status", "ready"]);
    cli.expect(0, &["submit", &ready[0], "--no-sync"]);

    // Fill the disk to the last byte.
    let filler = disk.dir.path().join("filler");
    let mut file = std::fs::File::create(&filler).unwrap();
    let block = vec![0u8; 64 * 1024];
    while std::io::Write::write_all(&mut file, &block).is_ok() {}
    let mut small = vec![0u8; 512];
    while !small.is_empty() {
        if std::io::Write::write_all(&mut file, &small).is_err() {
            small.truncate(small.len() / 2);
        }
    }
    drop(file);

    let run = cli.run(&["submit", &ready[1], "--no-sync"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("disk is full"), "{}", run.stderr);

    std::fs::remove_file(&filler).unwrap();
    let queue = cli.expect(0, &["--json", "queue"]).json();
    assert_eq!(
        queue.as_array().unwrap().len(),
        1,
        "the earlier action is intact, the refused one absent"
    );
    cli.expect(0, &["submit", &ready[1], "--no-sync"]);
    cli.expect(0, &["sync"]);
    assert_eq!(cli.applied(&ready[0], "submit"), 1);
    assert_eq!(cli.applied(&ready[1], "submit"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_with_a_locked_task_returns_within_max_wait_and_says_so() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Annotator).await;
    cli.connect();
    cli.expect(0, &["pull"]);
    let ready = cli.task_ids(&["--mine", "--status", "ready"]);
    cli.expect(0, &["submit", "--no-sync", &ready[0]]);
    // Open in someone's editor: Deepen answers 409 to every submit, although its listing
    // still says ready.
    cli.control.set_faults(Faults {
        locked_tasks: vec![ready[0].clone()],
        ..Default::default()
    });
    let start = std::time::Instant::now();
    let run = cli.run(&["sync", "--max-wait", "5"]);
    let took = start.elapsed();
    // Within the wait plus one request's time (the client's default timeout is 30 s; the
    // emulator answers at once).
    assert!(took < std::time::Duration::from_secs(12), "took {took:?}");
    assert!([3, 4].contains(&run.code), "{} {}", run.code, run.stderr);
    assert_eq!(cli.applied(&ready[0], "submit"), 0);
    let submits: u64 = cli
        .control
        .stats()
        .requests
        .iter()
        .filter(|(k, _)| k.starts_with("POST") && k.ends_with("/submit"))
        .map(|(_, n)| n)
        .sum();
    assert!(submits <= 5, "{submits} submits in {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_system_proxy_is_not_used_for_a_server_on_this_machine() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Annotator).await;
    cli.connect();
    // A proxy that does not exist: were it used, every request would fail.
    let mut pull = cli.command(&["pull"]);
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        pull.env(var, "http://127.0.0.1:9");
    }
    pull.env_remove("NO_PROXY").env_remove("no_proxy");
    let out = pull.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_with_one_failing_dataset_names_it_and_exits_non_zero() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Admin).await;
    cli.connect();
    cli.expect(0, &["pull"]);
    let broken = cli.control.dataset_ids()[1].clone();
    cli.control.set_faults(Faults {
        failing_datasets: vec![broken.clone()],
        ..Default::default()
    });
    let run = cli.expect(1, &["pull"]);
    assert!(
        run.stderr
            .contains(&format!("could not refresh dataset {broken}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("pulled"),
        "the rest was pulled: {}",
        run.stdout
    );
    // `dtasks datasets` says how fresh each is, and why the broken one is not.
    let listed = cli.expect(0, &["datasets"]).stdout;
    assert!(listed.contains("UPDATED"), "{listed}");
    let note = listed
        .lines()
        .skip_while(|l| !l.starts_with(broken.as_str()))
        .nth(1)
        .unwrap_or_default();
    assert!(
        note.trim_start()
            .starts_with("could not refresh just now: "),
        "{listed}"
    );
    assert!(note.ends_with("(next try in 2 min)"), "{listed}");
    cli.control.set_faults(Faults::default());
    cli.expect(0, &["pull"]);
    assert!(
        !cli.expect(0, &["datasets"])
            .stdout
            .contains("could not refresh")
    );
}

/// Listings of whole datasets the emulator answered since its stats were reset.
fn dataset_listings(cli: &Cli) -> u64 {
    cli.control
        .stats()
        .requests
        .get("GET /datasets/{id}/tasks")
        .copied()
        .unwrap_or(0)
}

/// Since the stats were reset: no whole dataset listed (`why`), my tasks still refreshed.
fn assert_spared(cli: &Cli, why: &str) {
    assert_eq!(dataset_listings(cli), 0, "{why}");
    assert!(
        cli.control
            .stats()
            .requests
            .contains_key("GET /clients/{id}/user_tasks"),
        "my tasks are still refreshed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metered_pulls_never_list_a_whole_dataset() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Admin).await;
    cli.connect();
    cli.expect(0, &["pull"]);
    cli.control.reset_stats();
    cli.expect(0, &["--metered", "pull"]);
    assert_eq!(dataset_listings(&cli), 0, "--metered for one run");
    cli.expect(0, &["pull"]);
    assert!(dataset_listings(&cli) > 0, "the flag held for one run only");

    assert!(
        cli.expect(0, &["metered"])
            .stdout
            .starts_with("metered: off")
    );
    assert!(
        cli.expect(0, &["metered", "on"])
            .stdout
            .starts_with("metered: on")
    );
    cli.control.reset_stats();
    cli.expect(0, &["sync"]);
    assert_spared(&cli, "the workspace's setting holds");
    cli.expect(0, &["metered", "off"]);
    cli.expect(2, &["metered", "sometimes"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_returns_within_max_wait_plus_one_request_whatever_the_server_does() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Annotator).await;
    cli.connect();
    cli.expect(0, &["pull"]);
    let task = cli.task_ids(&["--mine", "--status", "ready"]).remove(0);
    cli.expect(0, &["submit", &task, "--no-sync"]);
    // Every answer takes 1.5 s: a full round takes many times the bound.
    cli.control.set_faults(Faults {
        latency_ms: 1500,
        ..Default::default()
    });
    let started = std::time::Instant::now();
    let run = cli.run(&["--request-timeout", "2", "sync", "--max-wait", "1"]);
    let took = started.elapsed();
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stderr.contains("stopped after 3 s"), "{}", run.stderr);
    assert!(took < std::time::Duration::from_secs(6), "took {took:?}");
    // Nothing was lost: once the server is quick again the submit lands, once.
    cli.control.set_faults(Faults::default());
    cli.expect(0, &["sync"]);
    assert_eq!(cli.applied(&task, "submit"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_credential_store_connect_still_works_and_says_the_token_was_not_kept() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Annotator).await;
    let token = format!("tok-nostore-{}", std::process::id());
    cli.control.issue_token(&cli.user.email, &token);
    // No Secret Service on this "machine".
    let out = connect_with_stdin(
        &cli,
        &token,
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("the server accepted the token"), "{stdout}");
    assert!(
        stdout.contains("credential store is not available") && stdout.contains("set DEEPEN_TOKEN"),
        "{stdout}"
    );
    assert!(!stdout.contains(&token), "the token is never printed");
    // With the variable, the next commands work.
    let pull = cli
        .command(&["pull"])
        .env("DEEPEN_TOKEN", &token)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert!(
        pull.status.success(),
        "{}",
        String::from_utf8_lossy(&pull.stderr)
    );
}

/// Connects and pulls, submits the user's first ready task (which `dtasks submit` sends),
/// then a reviewer rejects it on the server with `reason` (not pulled yet); gives the task.
fn submitted_then_rejected(cli: &Cli, reason: &str) -> String {
    cli.connect();
    cli.expect(0, &["pull"]);
    let admin = cli.control.user(Role::Admin).email;
    let task = cli.task_ids(&["--mine", "--status", "ready"])[0].clone();
    cli.expect(0, &["submit", &task]);
    cli.control
        .act(
            &admin,
            Action::Reject {
                task_id: task.clone(),
                reason: Some(reason.into()),
            },
        )
        .unwrap();
    task
}

/// `dtasks sync` tells what the sync brought for the user, once: tasks someone gave them
/// (batched per dataset, with their ids) and a rejection with the reviewer's reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_tells_of_new_tasks_and_rejections_once() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Annotator).await;
    let task = submitted_then_rejected(&cli, "Missed two pedestrians");
    let synced = cli.expect(0, &["sync"]);
    assert!(
        synced.stdout.contains("1 of your tasks was rejected in"),
        "{}",
        synced.stdout
    );
    assert!(
        synced.stdout.contains(task.as_str()) && synced.stdout.contains("“Missed two pedestrians”"),
        "{}",
        synced.stdout
    );
    let again = cli.expect(0, &["sync"]);
    assert!(
        !again.stdout.contains("rejected in"),
        "told once: {}",
        again.stdout
    );
}

/// The activity record from the command line: a task's history with the reviewer's words,
/// the activity list filtered by kind, the review figures, and every list as CSV — to a
/// file and to standard output, the same bytes, one line per task the list shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_activity_review_and_csv_exports_read_the_record_offline() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Annotator).await;
    let task = submitted_then_rejected(&cli, "Missed two pedestrians");
    let task = task.as_str();
    cli.expect(0, &["sync"]);
    // Everything below reads the mirror: the server is out of reach.
    cli.control.set_faults(Faults {
        offline: Some(OfflineMode::Drop),
        ..Default::default()
    });

    let history = cli.expect(0, &["history", task]);
    let lines: Vec<&str> = history.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", history.stdout);
    assert!(
        lines[0].contains("this device") && lines[0].ends_with("ready → submitted"),
        "{}",
        history.stdout
    );
    assert!(
        lines[1].contains("this device") && lines[1].ends_with("submit reached Deepen"),
        "{}",
        history.stdout
    );
    assert!(
        lines[2].contains("seen in sync")
            && lines[2].ends_with("submitted → rejected: Missed two pedestrians"),
        "{}",
        history.stdout
    );
    let unknown = cli.expect(1, &["history", "no-such-task"]);
    assert!(
        unknown.stderr.contains("no-such-task") && unknown.stderr.contains("dtasks pull"),
        "{}",
        unknown.stderr
    );

    let activity = cli.expect(
        0,
        &["--json", "activity", "--kind", "status", "--days", "1"],
    );
    let entries = activity.json()["entries"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(entries.iter().all(|e| e["task_id"] == task), "{entries:?}");
    // Newest first.
    assert_eq!(entries[1]["new"], "submitted");
    assert_eq!(entries[1]["source"], "device");
    assert_eq!(entries[0]["new"], "rejected");
    assert_eq!(entries[0]["note"], "Missed two pedestrians");
    let actions = cli.expect(0, &["--json", "activity", "--kind", "action"]);
    assert_eq!(actions.json()["entries"][0]["new"], "done");

    let review = cli.expect(0, &["--json", "review", "--days", "7"]);
    let rows = review.json();
    let mine = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person"] == cli.user.email.as_str())
        .unwrap_or_else(|| panic!("my row: {rows}"));
    assert_eq!(
        (&mine["submitted"], &mine["rejected"], &mine["reject_rate"]),
        (&1.into(), &1.into(), &1.0.into())
    );

    // CSV: the file and standard output hold the same bytes; one row per task listed.
    let file = cli.home.path().join("mine.csv");
    let file_arg = file.to_str().unwrap();
    let wrote = cli.expect(0, &["tasks", "--mine", "--limit", "1", "--csv", file_arg]);
    let mine_ids = cli.task_ids(&["--mine"]);
    assert_eq!(
        wrote.stdout.trim(),
        format!("wrote {} row(s) to {file_arg}", mine_ids.len())
    );
    let written = std::fs::read_to_string(&file).unwrap();
    let piped = cli.expect(0, &["tasks", "--mine", "--csv", "-"]);
    assert_eq!(written, piped.stdout);
    let mut csv_ids: Vec<&str> = written
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let mut want: Vec<&str> = mine_ids.iter().map(String::as_str).collect();
    csv_ids.sort_unstable();
    want.sort_unstable();
    assert_eq!(csv_ids, want);
    let review_csv = cli.expect(0, &["review", "--csv", "-"]);
    assert!(
        review_csv
            .stdout
            .lines()
            .any(|l| l.starts_with(&format!("{},1,0,1,", cli.user.email))),
        "{}",
        review_csv.stdout
    );
    let activity_csv = cli.expect(0, &["activity", "--kind", "status", "--csv", "-"]);
    assert_eq!(
        activity_csv.stdout.lines().count(),
        3,
        "{}",
        activity_csv.stdout
    );
    assert!(activity_csv.stdout.contains("Missed two pedestrians"));

    // Garbage arguments: a clear error, nothing read.
    let bad = cli.expect(2, &["activity", "--days", "0"]);
    assert!(bad.stderr.contains("--days"), "{}", bad.stderr);
    let bad_kind = cli.expect(2, &["activity", "--kind", "colour"]);
    assert!(bad_kind.stderr.contains("colour"), "{}", bad_kind.stderr);
}

/// On a phone's hotspot (the system says the connection is metered) `dtasks sync` spares
/// whole datasets without being told, until told not to follow the system. (NetworkManager
/// is asked on Linux only.)
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_saying_metered_spares_whole_datasets_unless_not_followed() {
    let cli = Cli::start(EmulatorConfig::default(), Role::Admin).await;
    let bus = common::SystemBus::start();
    let _nm = network::NetworkManager::start_on(&bus.address, network::GUESS_YES).await;
    let on_hotspot = |args: &[&str]| -> common::Run {
        let out = cli
            .command(args)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &bus.address)
            .output()
            .expect("dtasks runs");
        let run: common::Run = out.into();
        assert_eq!(run.code, 0, "dtasks {args:?}: {}", run.stderr);
        run
    };
    cli.connect();
    cli.expect(0, &["pull"]);

    let said = on_hotspot(&["metered"]);
    assert!(
        said.stdout.starts_with("metered: on, as the system says"),
        "{}",
        said.stdout
    );
    assert!(
        !cli.expect(0, &["metered"])
            .stdout
            .starts_with("metered: on"),
        "without the system's word (the machine's own bus is never asked here)"
    );
    cli.control.reset_stats();
    on_hotspot(&["sync"]);
    assert_spared(&cli, "spared without being told");

    let ignored = on_hotspot(&["metered", "--follow-system", "off"]);
    assert!(
        ignored.stdout.starts_with("metered: off"),
        "{}",
        ignored.stdout
    );
    cli.control.reset_stats();
    on_hotspot(&["sync"]);
    assert!(dataset_listings(&cli) > 0, "not following the system");
    on_hotspot(&["metered", "--follow-system", "on"]);
    let json = on_hotspot(&["--json", "metered"]).json();
    assert_eq!(
        (
            &json["metered"],
            &json["switch"],
            &json["system_says_metered"]
        ),
        (&true.into(), &false.into(), &true.into())
    );
}
