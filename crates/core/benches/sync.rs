//! The sync core's speed and memory figures (issue #2's targets), against the emulator
//! run as a separate process on loopback, each also as a ratio to a baseline measured in
//! the same run: a plain serde_json parse plus a bare SQLite bulk insert of the same rows.
//!
//! `cargo bench -p dtasks-core --bench sync` prints a Markdown table for docs/benchmarks.md.
//! `BENCH_MILLION=0` skips the 1,000,000-task runs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use deepen_emulator::{DatasetSpec, Emulator, EmulatorConfig, LabellingMode};
use dtasks_core::client::Timeouts;
use dtasks_core::engine::{Backoff, DatasetPulled, EngineError, PushReport};
use dtasks_core::mirror::PullCounts;
use dtasks_core::view::{CountBy, SortKey, TaskQuery};
use dtasks_core::{Account, ActionKind, Scope, Sensitive, SyncEngine, Workspace};

const ADMIN_TOKEN: &str = "tok-maya.admin";
const ADMIN_EMAIL: &str = "maya.admin@example.com";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--emulator") => return serve_emulator(),
        Some("--pull-into") => return pull_child(&args[2], &args[3], &args[4]),
        _ => {}
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

/// The emulator, in a process of its own so that its memory is not counted as ours.
fn serve_emulator() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let config = EmulatorConfig {
            datasets: 0,
            label_datasets: 0,
            ..Default::default()
        };
        let running = Emulator::seeded(&config).serve(0).await.unwrap();
        println!("{}", running.base_url());
        std::future::pending::<()>().await;
    });
}

struct EmulatorProcess {
    child: Child,
    base_url: String,
    root: String,
    http: reqwest::Client,
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl EmulatorProcess {
    fn start() -> Self {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("--emulator")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base_url = line.trim().to_string();
        let root = base_url.trim_end_matches("/api/v2").to_string();
        Self {
            child,
            base_url,
            root,
            http: reqwest::Client::new(),
        }
    }

    async fn set_faults(&self, faults: serde_json::Value) {
        let resp = self
            .http
            .put(format!("{}/_emulator/faults", self.root))
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());
    }

    async fn add_dataset(&self, units: usize, stages: &[&str]) -> String {
        let spec = DatasetSpec {
            name: format!("bench {units}"),
            mode: LabellingMode::FrameByFrame,
            units,
            stages: stages.iter().map(|s| s.to_string()).collect(),
            assign: true,
        };
        let resp = self
            .http
            .post(format!("{}/_emulator/datasets", self.root))
            .json(&spec)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());
        let v: serde_json::Value = resp.json().await.unwrap();
        v["dataset_id"]
            .as_str()
            .or(v.as_str())
            .expect("dataset id")
            .to_string()
    }

    async fn stats(&self) -> serde_json::Value {
        self.http
            .get(format!("{}/_emulator/stats", self.root))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn reset_stats(&self) {
        self.http
            .post(format!("{}/_emulator/stats/reset", self.root))
            .send()
            .await
            .unwrap();
    }
}

async fn workspace(emu: &EmulatorProcess, dir: &std::path::Path) -> (Workspace, SyncEngine) {
    let mut ws = Workspace::open(dir)
        .unwrap()
        .with_timeouts(Timeouts {
            request: Duration::from_secs(120),
            ..Default::default()
        })
        .with_session_token(Sensitive::new(ADMIN_TOKEN.to_string()));
    ws.connect(
        Account::new(&emu.base_url, "demo-client", ADMIN_EMAIL).unwrap(),
        None,
    )
    .await
    .unwrap();
    let engine = ws.engine().unwrap().with_backoff(Backoff {
        base: Duration::from_millis(5),
        cap: Duration::from_millis(50),
    });
    (ws, engine)
}

struct Row {
    what: String,
    value: String,
    target: String,
    baseline: Option<String>,
}

/// The counts of a pull that read the list whole.
fn read_whole(pulled: DatasetPulled) -> PullCounts {
    match pulled {
        DatasetPulled::Written(counts) => counts,
        other => panic!("expected the list read whole, got {other:?}"),
    }
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// The baseline: download the same list, parse it with plain serde_json into a struct,
/// insert the rows into a bare SQLite table in one transaction. No streaming, no indexes.
async fn baseline(emu: &EmulatorProcess, dataset: &str) -> Duration {
    #[derive(serde::Deserialize)]
    struct BareTask {
        task_id: String,
        dataset_id: String,
        stage_id: String,
        status: String,
        assignee: Option<String>,
        due_at_millis: Option<i64>,
    }
    #[derive(serde::Deserialize)]
    struct List {
        tasks: Vec<BareTask>,
    }
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let body = emu
        .http
        .get(format!("{}/datasets/{dataset}/tasks", emu.base_url))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let list: List = serde_json::from_slice(&body).unwrap();
    let mut conn = rusqlite::Connection::open(dir.path().join("bare.db")).unwrap();
    conn.execute_batch("CREATE TABLE t (task_id TEXT PRIMARY KEY, dataset_id TEXT, stage_id TEXT, status TEXT, assignee TEXT, due INTEGER)")
        .unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx
            .prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .unwrap();
        for t in &list.tasks {
            stmt.execute(rusqlite::params![
                t.task_id,
                t.dataset_id,
                t.stage_id,
                t.status,
                t.assignee,
                t.due_at_millis
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
    start.elapsed()
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// A child process that pulls one dataset into a fresh mirror and reports time and peak RSS.
fn pull_child(base_url: &str, dataset: &str, dir: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let emu_url = base_url.to_string();
        let mut ws = Workspace::open(std::path::Path::new(dir))
            .unwrap()
            .with_session_token(Sensitive::new(ADMIN_TOKEN.to_string()));
        ws.connect(
            Account::new(&emu_url, "demo-client", ADMIN_EMAIL).unwrap(),
            None,
        )
        .await
        .unwrap();
        let engine = ws.engine().unwrap();
        let start = Instant::now();
        let counts = read_whole(engine.pull_dataset(dataset, None).await.unwrap());
        let took = start.elapsed();
        println!("{} {} {}", counts.seen, took.as_secs_f64(), peak_rss_kib());
    });
}

// Every benchmark in turn, printing its figures: longer than our ~80-line rule on purpose.
async fn run() {
    let million = std::env::var("BENCH_MILLION").map_or(true, |v| v != "0");
    let mut rows: Vec<Row> = Vec::new();
    let emu = EmulatorProcess::start();

    // --- pull of 100,000 tasks
    let ds100k = emu.add_dataset(50_000, &["Labelling", "QA"]).await;
    let base = baseline(&emu, &ds100k).await;
    let dir = tempfile::tempdir().unwrap();
    let (ws, engine) = workspace(&emu, dir.path()).await;
    let start = Instant::now();
    let counts = read_whole(engine.pull_dataset(&ds100k, None).await.unwrap());
    let pull = start.elapsed();
    assert_eq!(counts.seen, 100_000);
    rows.push(Row {
        what: "pull 100,000 tasks into an empty mirror".into(),
        value: secs(pull),
        target: "< 1.5 s".into(),
        baseline: Some(format!(
            "{} ({:.2}×)",
            secs(base),
            pull.as_secs_f64() / base.as_secs_f64()
        )),
    });
    let start = Instant::now();
    let tagged = engine.pull_dataset(&ds100k, None).await.unwrap();
    let not_modified = start.elapsed();
    assert_eq!(tagged, DatasetPulled::Unchanged);
    rows.push(Row {
        what: "re-pull 100,000 unchanged, the server tags its answers (a 304)".into(),
        value: secs(not_modified),
        target: "—".into(),
        baseline: None,
    });
    // The same re-pull from a server that sends no validators: the list is read whole.
    emu.set_faults(serde_json::json!({ "no_etag": true, "no_last_modified": true }))
        .await;
    let start = Instant::now();
    let again = read_whole(engine.pull_dataset(&ds100k, None).await.unwrap());
    let repull = start.elapsed();
    emu.set_faults(serde_json::json!({})).await;
    assert_eq!(again.written, 0);
    rows.push(Row {
        what: format!("re-pull 100,000 unchanged ({} rows written)", again.written),
        value: secs(repull),
        target: "< 0.7 s, 0 rows".into(),
        baseline: Some(format!(
            "{} ({:.2}×)",
            secs(base),
            repull.as_secs_f64() / base.as_secs_f64()
        )),
    });

    if std::env::var("BENCH_PULL_ONLY").is_ok_and(|v| v == "1") {
        return print_rows(rows);
    }

    // --- enqueue latency, fsync included
    let tasks: Vec<_> = ws
        .tasks(&TaskQuery {
            dataset_id: Some(ds100k.clone()),
            statuses: vec![dtasks_core::TaskStatus::READY],
            limit: 10_000,
            ..Default::default()
        })
        .unwrap()
        .rows;
    assert_eq!(tasks.len(), 10_000);
    let mut latencies = Vec::new();
    for row in tasks.iter().take(1_000) {
        let start = Instant::now();
        ws.act(ActionKind::Submit, std::slice::from_ref(&row.task_id), None)
            .unwrap();
        latencies.push(start.elapsed());
    }
    latencies.sort();
    rows.push(Row {
        what: "enqueue one action (durable), 1,000 samples".into(),
        value: format!("p50 {}, p99 {}", ms(latencies[500]), ms(latencies[990])),
        target: "p99 < 10 ms".into(),
        baseline: None,
    });

    // --- drain 10,000 submits
    let rest: Vec<String> = tasks
        .iter()
        .skip(1_000)
        .map(|r| r.task_id.clone())
        .collect();
    ws.act(ActionKind::Submit, &rest, None).unwrap();
    emu.reset_stats().await;
    let start = Instant::now();
    let report = drain(&engine).await;
    let took = start.elapsed();
    assert_eq!(report.done, 10_000, "{report:?}");
    rows.push(Row {
        what: "drain 10,000 queued submits".into(),
        value: format!(
            "{:.0} actions/s ({})",
            10_000.0 / took.as_secs_f64(),
            secs(took)
        ),
        target: "≥ 1,000 actions/s".into(),
        baseline: None,
    });

    // --- 10,000 reassignments
    let waiting: Vec<String> = ws
        .tasks(&TaskQuery {
            dataset_id: Some(ds100k.clone()),
            stage_id: Some("QA".into()),
            statuses: vec![dtasks_core::TaskStatus::WAITING],
            limit: 10_000,
            ..Default::default()
        })
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.task_id)
        .collect();
    assert_eq!(waiting.len(), 10_000);
    ws.assign(&waiting, Some("ana.silva@example.com")).unwrap();
    emu.reset_stats().await;
    let start = Instant::now();
    let report = drain(&engine).await;
    let took = start.elapsed();
    assert_eq!(report.done, 10_000, "{report:?}");
    let stats = emu.stats().await;
    let assign_requests: u64 = stats["requests"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.contains("file_tasks"))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum();
    rows.push(Row {
        what: "push 10,000 reassignments (one dataset, one task type)".into(),
        value: format!(
            "{assign_requests} requests ({:.0} per 500 changes), {}",
            assign_requests as f64 / 20.0,
            secs(took)
        ),
        target: "≤ 1 request per 500 changes".into(),
        baseline: None,
    });
    drop(ws);

    if million {
        // --- 1,000,000 tasks: pull in a child process (its own peak RSS), then queries.
        let ds1m = emu.add_dataset(500_000, &["Labelling", "QA"]).await;
        let base = baseline(&emu, &ds1m).await;
        let dir = tempfile::tempdir().unwrap();
        // The child connects with its own workspace in `dir`.
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--pull-into",
                &emu.base_url,
                &ds1m,
                dir.path().to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let parts: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(
            parts.first(),
            Some(&"1000000"),
            "child said: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let took: f64 = parts[1].parse().unwrap();
        let rss_mib = parts[2].parse::<f64>().unwrap() / 1024.0;
        rows.push(Row {
            what: "pull 1,000,000 tasks into an empty mirror (separate process)".into(),
            value: format!("{took:.2} s, peak RSS {rss_mib:.0} MiB"),
            target: "works, peak RSS < 400 MB".into(),
            baseline: Some(format!(
                "{} ({:.2}×)",
                secs(base),
                took / base.as_secs_f64()
            )),
        });

        let ws = Workspace::open(dir.path())
            .unwrap()
            .with_session_token(Sensitive::new(ADMIN_TOKEN.to_string()));
        let query = TaskQuery {
            dataset_id: Some(ds1m.clone()),
            stage_id: Some("Labelling".into()),
            statuses: vec![dtasks_core::TaskStatus::READY],
            sort: SortKey::Due,
            limit: 200,
            ..Default::default()
        };
        let (p50, p99) = timed(50, || {
            let page = ws.tasks(&query).unwrap();
            assert_eq!(page.rows.len(), 200);
        });
        rows.push(Row {
            what: "page of 200 (dataset + stage + status, by due date) of 1,000,000, with total"
                .into(),
            value: format!("p50 {}, p99 {}", ms(p50), ms(p99)),
            target: "< 20 ms".into(),
            baseline: None,
        });
        let mine = TaskQuery {
            assignee: Some(dtasks_core::AssigneeFilter::Is(
                "ana.silva@example.com".into(),
            )),
            limit: 200,
            ..Default::default()
        };
        let (p50, p99) = timed(50, || {
            ws.tasks(&mine).unwrap();
        });
        rows.push(Row {
            what: "page of 200 of one assignee's tasks among 1,000,000, with total".into(),
            value: format!("p50 {}, p99 {}", ms(p50), ms(p99)),
            target: "< 20 ms".into(),
            baseline: None,
        });
        let (p50, p99) = timed(20, || {
            let counts = ws.counts(&ds1m, None, CountBy::Assignee).unwrap();
            assert!(!counts.is_empty());
        });
        rows.push(Row {
            what: "counts per assignee of the 1,000,000-task dataset".into(),
            value: format!("p50 {}, p99 {}", ms(p50), ms(p99)),
            target: "< 50 ms".into(),
            baseline: None,
        });
    }

    print_rows(rows);
}

fn print_rows(rows: Vec<Row>) {
    println!(
        "| measurement | result | target | baseline (same rows, plain serde_json + bare SQLite) |"
    );
    println!("|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} |",
            r.what,
            r.value,
            r.target,
            r.baseline.unwrap_or_else(|| "—".into())
        );
    }
}

fn timed(n: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    f(); // warm the page cache and statement cache
    let mut samples: Vec<Duration> = (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    samples.sort();
    (samples[n / 2], samples[(n * 99 / 100).min(n - 1)])
}

async fn drain(engine: &SyncEngine) -> PushReport {
    let mut total = PushReport::default();
    for _ in 0..100 {
        let report = match engine.sync_once(Scope::Push, None).await {
            Ok(r) => r.push,
            Err(EngineError::Busy(_)) => continue,
            Err(e) => panic!("{e}"),
        };
        total.done += report.done;
        total.needs_attention += report.needs_attention;
        if report.done == 0 && report.retrying == 0 {
            break;
        }
    }
    total
}
