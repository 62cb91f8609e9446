//! Crash safety: `dtasks sync` against a faulty emulator, killed with SIGKILL at random
//! moments, again and again. Afterwards every queued action is applied exactly once or
//! waiting for the user; none lost, none doubled (the emulator's journal says so).
//!
//! `DTASKS_CRASH_KILLS` sets the number of kills (default 36), `DTASKS_CRASH_SEED` the seed,
//! `DTASKS_CRASH_FINAL_WAIT` the final sync's `--max-wait` (default 60 s; after hundreds of
//! kills an action may be backing off for minutes). `scripts/soak.sh` runs 1,000 kills.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::Duration;

use common::Cli;
use deepen_emulator::{EmulatorConfig, Faults, OfflineMode, Role};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn queue(cli: &Cli) -> Vec<serde_json::Value> {
    cli.expect(0, &["--json", "queue", "--all"])
        .json()
        .as_array()
        .unwrap()
        .clone()
}

// A scenario read top to bottom: longer than our ~80-line rule on purpose.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_moments_loses_nothing_and_doubles_nothing() {
    let kills = env_number("DTASKS_CRASH_KILLS", 36);
    let seed = env_number("DTASKS_CRASH_SEED", 42);
    let final_wait = env_number("DTASKS_CRASH_FINAL_WAIT", 60).to_string();
    let started = std::time::Instant::now();
    eprintln!("crash test: {kills} kills, seed {seed}");
    let mut rng = SmallRng::seed_from_u64(seed);
    let config = EmulatorConfig {
        datasets: 2,
        files: 80,
        label_datasets: 1,
        labels: 20,
        ..Default::default()
    };
    let cli = Cli::start(config, Role::Admin).await;
    cli.connect();
    cli.expect(0, &["pull"]);

    // A queue of every kind: submit then accept, submit then reject, plain submits, moves.
    let ready = cli.task_ids(&["--stage", "Labelling", "--status", "ready"]);
    assert!(
        ready.len() >= 40,
        "seed gives enough ready tasks: {}",
        ready.len()
    );
    let (to_accept, rest) = ready.split_at(10);
    let (to_reject, rest) = rest.split_at(5);
    let (to_submit, _) = rest.split_at(15);
    let movable = cli.task_ids(&["--stage", "QA", "--status", "waiting"]);
    let to_move: Vec<String> = movable
        .into_iter()
        .filter(|t| t.contains("-f"))
        .take(20)
        .collect();
    let annotators: Vec<String> = cli
        .control
        .users()
        .into_iter()
        .filter(|u| u.role == Role::Annotator)
        .map(|u| u.email)
        .collect();
    let annotator = annotators[0].clone();
    let args = |verb: &str, ids: &[String]| -> Vec<String> {
        let mut v = vec![verb.to_string()];
        v.extend(ids.iter().cloned());
        v.push("--no-sync".into());
        v
    };
    let all_submits: Vec<String> = to_accept
        .iter()
        .chain(to_reject)
        .chain(to_submit)
        .cloned()
        .collect();
    for cmd in [
        args("submit", &all_submits),
        args("accept", to_accept),
        [
            args("reject", to_reject),
            vec!["--reason".into(), "crash test".into()],
        ]
        .concat(),
        [
            args("assign", &to_move),
            vec!["--to".into(), annotator.clone()],
        ]
        .concat(),
    ] {
        let refs: Vec<&str> = cmd.iter().map(String::as_str).collect();
        cli.expect(0, &refs);
    }
    let mut queued: BTreeSet<String> = queue(&cli)
        .iter()
        .map(|op| op["op_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(queued.len(), 30 + 10 + 5 + to_move.len());
    let initial = queued.len();

    let mut mid_flight = 0;
    for i in 0..kills {
        let faults = match i % 4 {
            0 => Faults {
                latency_ms: 30,
                fail_rate: 0.2,
                ..Default::default()
            },
            1 => Faults {
                drop_after_commit: 3,
                latency_ms: 20,
                ..Default::default()
            },
            2 => Faults {
                latency_ms: 60,
                ..Default::default()
            },
            _ => Faults {
                offline: (i % 8 == 3).then_some(OfflineMode::Unavailable),
                fail_rate: 0.1,
                ..Default::default()
            },
        };
        cli.control.set_faults(Faults {
            latency_ms: faults.latency_ms.max(40),
            ..faults
        });
        // Keep work in the queue for every kill: move the QA tasks to the other annotator.
        if i % 3 == 2 {
            let to = &annotators[(i as usize / 3) % 2 + 1];
            let cmd = [args("assign", &to_move), vec!["--to".into(), to.clone()]].concat();
            let refs: Vec<&str> = cmd.iter().map(String::as_str).collect();
            cli.expect(0, &refs);
            queued = queue(&cli)
                .iter()
                .map(|op| op["op_id"].as_str().unwrap().to_string())
                .collect();
        }
        let mut child = cli
            .command(&["sync", "--max-wait", "2"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dtasks starts");
        std::thread::sleep(Duration::from_millis(rng.random_range(20..400)));
        child.kill().expect("SIGKILL"); // SIGKILL on Unix: no cleanup runs.
        child.wait().unwrap();

        // Nothing lost, at every moment.
        let ops = queue(&cli);
        let present: BTreeSet<String> = ops
            .iter()
            .map(|op| op["op_id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(present, queued, "after kill {i}: actions lost or invented");
        mid_flight += usize::from(ops.iter().any(|op| op["state"] == "in_flight"));
    }
    let killing = started.elapsed();
    eprintln!(
        "crash test: {mid_flight} of {kills} kills left actions in flight ({:.0} s of kills)",
        killing.as_secs_f64()
    );
    assert!(
        mid_flight > 0,
        "no kill landed while actions were in flight; the test proves nothing"
    );

    cli.control.set_faults(Faults::default());
    let last = cli.run(&["sync", "--max-wait", &final_wait]);
    assert!(
        last.code == 0 || last.code == 3,
        "final sync exited {}: {}\n{}\nqueue: {:#?}",
        last.code,
        last.stdout,
        last.stderr,
        queue(&cli)
    );

    let ops = queue(&cli);
    assert_eq!(ops.len(), queued.len(), "none lost");
    assert!(
        ops.len() > initial,
        "the queue was refilled during the kills"
    );
    let mut applied: BTreeMap<(String, String), usize> = BTreeMap::new();
    for e in cli.control.journal() {
        if e.actor == cli.user.email && e.via == "api" {
            *applied
                .entry((e.task_id.clone(), e.action.clone()))
                .or_default() += 1;
        }
    }
    // Exactly once: per task and kind, as many applied as done (an action needing the
    // user may or may not have been applied before it got there). A reassignment may end
    // done with nothing in the journal: killed between recording a pass and writing its
    // answers into the mirror, the process leaves a row one move behind until the next
    // pull, and a move queued on it is sent although the server already has it — the
    // server changes nothing and journals nothing. Never more applied than intended, and
    // the last move of each task is what the server has (checked below).
    let mut done: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut attention: BTreeMap<(String, String), usize> = BTreeMap::new();
    // An action behind one of the same task that waits on the user waits too (per-task
    // order, by design): the earliest such wait of each task.
    let mut held_from: BTreeMap<String, i64> = BTreeMap::new();
    for op in ops.iter().filter(|op| op["state"] == "needs_attention") {
        let at = op["created_at"].as_i64().unwrap();
        let task = op["task_id"].as_str().unwrap().to_string();
        let earliest = held_from.entry(task).or_insert(at);
        *earliest = (*earliest).min(at);
    }
    for op in &ops {
        let key = (
            op["task_id"].as_str().unwrap().to_string(),
            op["kind"].as_str().unwrap().to_string(),
        );
        match op["state"].as_str().unwrap() {
            "done" => *done.entry(key).or_default() += 1,
            "needs_attention" => {
                assert!(op["reason"].as_str().is_some_and(|r| !r.is_empty()));
                *attention.entry(key).or_default() += 1;
            }
            "pending"
                if held_from
                    .get(op["task_id"].as_str().unwrap())
                    .is_some_and(|&from| op["created_at"].as_i64().unwrap() >= from) => {}
            other => panic!("action left {other}: {op}"),
        }
    }
    for key in done.keys().chain(applied.keys()).collect::<BTreeSet<_>>() {
        let (d, a, n) = (
            done.get(key).copied().unwrap_or(0),
            attention.get(key).copied().unwrap_or(0),
            applied.get(key).copied().unwrap_or(0),
        );
        let lower = if key.1 == "assign" { 0 } else { d };
        assert!(
            lower <= n && n <= d + a,
            "{key:?}: applied {n} times for {d} done (+{a} needing attention)\nactions: {:#?}\njournal: {:#?}",
            ops.iter()
                .filter(|op| op["task_id"] == key.0.as_str())
                .collect::<Vec<_>>(),
            cli.control
                .journal()
                .into_iter()
                .filter(|e| e.task_id == key.0)
                .collect::<Vec<_>>()
        );
    }
    eprintln!(
        "crash test: {} actions: {} done, {} needing attention; {} mutations in the journal; {:.0} s in all",
        ops.len(),
        done.values().sum::<usize>(),
        attention.values().sum::<usize>(),
        applied.values().sum::<usize>(),
        started.elapsed().as_secs_f64()
    );
    for id in to_accept {
        assert_eq!(cli.control.task(id).unwrap()["status"], "accepted");
    }
    for id in &to_move {
        let last_move = ops
            .iter()
            .filter(|op| op["task_id"] == id.as_str() && op["kind"] == "assign")
            .filter(|op| op["state"] == "done")
            .max_by_key(|op| op["seq"].as_i64())
            .expect("every moved task has a done move");
        assert_eq!(
            cli.control.task(id).unwrap()["assignee"],
            last_move["assignee"],
            "{id}: the last move is what the server has"
        );
    }
    for id in to_reject {
        assert_eq!(cli.control.task(id).unwrap()["status"], "rejected");
    }
}
