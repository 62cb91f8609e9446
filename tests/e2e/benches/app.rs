//! Timings of the real app in a real webview (Xvfb), through WebDriver:
//! - launch → first painted task list, with a 100,000-task mirror (target < 1 s);
//! - drop → the card shown in its new column, on a 50,000-task stage (target < 50 ms);
//! - scrolling a 50,000-card board column: frame times while it scrolls top to bottom;
//! - scrolling My tasks of an annotator with 30,000 open tasks, the same way;
//! - the floor of this display: the same scrolls of a plain, empty div of the same size.
//!
//! `xvfb-run -a -s "-screen 0 1920x1080x24" cargo bench -p dtasks-e2e --bench app`
//! (the app must be built: `cargo build -p deepen-tasks`; `DTASKS_APP_BIN` picks another
//! build, e.g. `target/release/deepen-tasks`). Prints the figures. `BENCH_SKIP_LAUNCH` /
//! `BENCH_SKIP_BOARD` / `BENCH_SKIP_MYTASKS` leave out the launches / the drops and board
//! scrolling / the My tasks scrolling.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Duration;

use common::{App, AppData, Server};
use deepen_emulator::{DatasetSpec, LabellingMode, Role};
use fantoccini::Locator;
use serde_json::Value;

const LAUNCHES: usize = 5;
const DROPS: usize = 12;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if let Some(why) = common::skip_reason() {
        eprintln!("cannot run the app benchmarks: {why}");
        std::process::exit(2);
    }
    if std::env::var_os("BENCH_SKIP_LAUNCH").is_none() {
        launch_to_first_list().await;
    }
    if std::env::var_os("BENCH_SKIP_BOARD").is_none() {
        drop_and_scroll().await;
    }
    if std::env::var_os("BENCH_SKIP_MYTASKS").is_none() {
        my_tasks_scroll().await;
    }
}

fn stats(name: &str, unit: &str, mut v: Vec<f64>) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pick = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name}: n={} min={:.1}{unit} median={:.1}{unit} p95={:.1}{unit} max={:.1}{unit}",
        v.len(),
        v[0],
        pick(0.5),
        pick(0.95),
        v[v.len() - 1]
    );
}

/// The app process's start, in Unix ms (from /proc: boot time + start ticks).
fn process_start_millis(data_dir: &std::path::Path) -> f64 {
    let pid = common::app_processes(data_dir)[0];
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the app's /proc entry");
    // Field 22 (starttime), counted after the command name's closing parenthesis.
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let start_ticks: f64 = after.split(' ').nth(19).unwrap().parse().unwrap();
    let btime: f64 = std::fs::read_to_string("/proc/stat")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("btime ").map(|v| v.trim().parse().unwrap()))
        .unwrap();
    let ticks = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .unwrap();
    let hz: f64 = String::from_utf8_lossy(&ticks.stdout)
        .trim()
        .parse()
        .unwrap();
    (btime + start_ticks / hz) * 1000.0
}

/// A JSON array of numbers.
fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|n| n.as_f64().expect("a number"))
        .collect()
}

/// Frame intervals from `requestAnimationFrame`; the first one counts from before the
/// first frame (the script's start), so it is left out.
fn frame_times(v: &Value) -> Vec<f64> {
    numbers(v).into_iter().skip(1).collect()
}

async fn metric(app: &App, expr: &str) -> Value {
    app.client
        .execute(
            &format!("const m = window.__dtasks_metrics; return {expr};"),
            vec![],
        )
        .await
        .unwrap()
}

async fn launch_to_first_list() {
    let server = Server::start().await;
    server.control.add_dataset(DatasetSpec {
        name: "Bench — 100k frames".into(),
        mode: LabellingMode::FrameByFrame,
        units: 100_000,
        stages: vec!["Labelling".into()],
        assign: true,
    });
    let started = std::time::Instant::now();
    let data = AppData::connected(&server, Role::Annotator).await;
    let mirrored = data.workspace().tasks(&Default::default()).unwrap().total;
    println!(
        "mirror: {mirrored} tasks pulled in {:.1} s; My tasks of {} lists {} of them",
        started.elapsed().as_secs_f64(),
        data.user.email,
        data.workspace()
            .tasks(&dtasks_core::TaskQuery {
                assignee: Some(dtasks_core::AssigneeFilter::Is(data.user.email.clone())),
                ..Default::default()
            })
            .unwrap()
            .total
    );
    server.offline(); // opening must not wait for the network
    let mut samples = Vec::new();
    let mut page_starts = Vec::new();
    for i in 0..LAUNCHES {
        let app = App::launch(&data, &format!("bench-launch-{i}")).await;
        app.wait_for("[data-testid=task-row]").await;
        let mut painted = Value::Null;
        for _ in 0..100 {
            painted = metric(
                &app,
                "m.firstListPaintMs === null ? null : performance.timeOrigin + m.firstListPaintMs",
            )
            .await;
            if !painted.is_null() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let start = process_start_millis(data.dir.path());
        samples.push(painted.as_f64().expect("a list was painted") - start);
        page_starts.push(
            metric(&app, "performance.timeOrigin")
                .await
                .as_f64()
                .unwrap()
                - start,
        );
        app.quit().await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    stats(
        "launch → first painted task list (100k-task mirror, offline)",
        " ms",
        samples,
    );
    stats(
        "  of which launch → the page starts loading in the webview",
        " ms",
        page_starts,
    );
}

async fn drop_and_scroll() {
    let server = Server::start().await;
    let dataset = server.control.add_dataset(DatasetSpec {
        name: "Bench — 50k stage".into(),
        mode: LabellingMode::FrameByFrame,
        units: 50_000,
        stages: vec!["Labelling".into()],
        assign: false,
    });
    let data = AppData::connected(&server, Role::Admin).await;
    let app = App::launch(&data, "bench-board").await;
    app.click("[data-testid=nav-board]").await;
    app.click(&format!(
        "[data-testid=board-dataset] option[value='{dataset}']"
    ))
    .await;
    let unassigned = "[data-testid=board-column][data-assignee='']";
    app.eventually("50,000 unassigned cards", 30, || async {
        match app
            .client
            .find(Locator::Css(&format!(
                "{unassigned} [data-testid=column-count]"
            )))
            .await
        {
            Ok(el) => el.text().await.is_ok_and(|t| t == "50000"),
            Err(_) => false,
        }
    })
    .await;
    let annotator = server.control.user(Role::Annotator).email;
    let target = format!("[data-testid=board-column][data-assignee='{annotator}']");

    for i in 0..DROPS {
        let card = app
            .wait_for(&format!("{unassigned} [data-testid=task-card]"))
            .await;
        let to = app.wait_for(&target).await;
        app.drag(&card, &to).await;
        app.eventually("the drop was measured", 10, || async {
            metric(&app, "m.dropToShownMs.length").await.as_u64() == Some(i as u64 + 1)
        })
        .await;
    }
    let times: Vec<f64> = numbers(&metric(&app, "m.dropToShownMs").await);
    stats(
        "drop → card shown in its new column (50k-task stage)",
        " ms",
        times,
    );
    let queued: Vec<f64> = numbers(&metric(&app, "m.dropToQueuedMs").await);
    stats(
        "drop → reassignment durably queued (the command returned)",
        " ms",
        queued,
    );

    // The webview's own frame rate when nothing happens (software rendering under Xvfb).
    let idle = app
        .client
        .execute_async(
            r#"
            const done = arguments[arguments.length - 1];
            const frames = []; let last = performance.now();
            function tick(now) { frames.push(now - last); last = now; if (frames.length > 120) done(frames); else requestAnimationFrame(tick); }
            requestAnimationFrame(tick);
            "#,
            vec![],
        )
        .await
        .unwrap();
    let idle = frame_times(&idle);
    stats("idle frame time (baseline of this display)", " ms", idle);
    let column = "[data-testid=board-column][data-assignee=''] .column-body";
    let placeholder = ".card.placeholder";
    scroll(
        &app,
        column,
        placeholder,
        150.0,
        "scroll at a reading pace (150 px per frame, 240 frames)",
    )
    .await;
    scroll(
        &app,
        column,
        placeholder,
        0.0,
        "fling a 50,000-card column top to bottom in 240 frames",
    )
    .await;
    app.screenshot("bench-board-50k").await;
    floor(&app, column).await;
    app.quit().await;
}

/// My tasks of an annotator with over 30,000 open tasks (a 100,000-task dataset, a third
/// of it theirs), scrolled as the board's column is.
async fn my_tasks_scroll() {
    let server = Server::start().await;
    server.control.add_dataset(DatasetSpec {
        name: "Bench — 100k frames".into(),
        mode: LabellingMode::FrameByFrame,
        units: 100_000,
        stages: vec!["Labelling".into()],
        assign: true,
    });
    let data = AppData::connected(&server, Role::Annotator).await;
    server.offline();
    let app = App::launch(&data, "bench-mytasks").await;
    app.wait_for("[data-testid=task-row]").await;
    let list = "section[aria-label='My tasks'] .list";
    let rows: u64 = app
        .attr(list, "aria-rowcount")
        .await
        .expect("the list's row count")
        .parse::<u64>()
        .unwrap()
        - 1;
    println!("My tasks lists {rows} open tasks");
    assert!(rows >= 30_000, "the bench wants at least 30,000 rows");
    let placeholder = ".row-line.placeholder";
    scroll(
        &app,
        list,
        placeholder,
        150.0,
        "My tasks: scroll at a reading pace (150 px per frame, 240 frames)",
    )
    .await;
    scroll(
        &app,
        list,
        placeholder,
        0.0,
        "My tasks: fling the whole list top to bottom in 240 frames",
    )
    .await;
    app.screenshot("bench-mytasks-30k").await;
    floor(&app, list).await;
    app.quit().await;
}

/// The floor of this display: a plain div of the size of `scroller` laid over it, holding
/// one empty div as tall as the list, scrolled the same ways (nothing to lay out or paint
/// but the scroll itself).
async fn floor(app: &App, scroller: &str) {
    app.client
        .execute(
            r#"
            const under = document.querySelector(arguments[0]), r = under.getBoundingClientRect();
            const div = document.createElement("div");
            div.id = "bench-floor";
            Object.assign(div.style, { position: "fixed", left: r.left + "px", top: r.top + "px",
              width: r.width + "px", height: r.height + "px", overflowY: "auto", zIndex: 100,
              background: getComputedStyle(document.body).backgroundColor });
            const inner = document.createElement("div");
            inner.style.height = under.scrollHeight + "px";
            div.appendChild(inner);
            document.body.appendChild(div);
            "#,
            vec![serde_json::json!(scroller)],
        )
        .await
        .unwrap();
    scroll(
        app,
        "#bench-floor",
        ".none",
        150.0,
        "  floor: an empty div of the same size, 150 px per frame",
    )
    .await;
    scroll(
        app,
        "#bench-floor",
        ".none",
        0.0,
        "  floor: the same, flung",
    )
    .await;
    app.client
        .execute("document.getElementById('bench-floor').remove()", vec![])
        .await
        .unwrap();
}

/// Scrolls `scroller` one step per frame for 240 frames (`step` px; 0: the whole list in
/// 240 steps) and reports frame times and the frames that showed a `placeholder` (a row not
/// loaded yet) inside it.
async fn scroll(app: &App, scroller: &str, placeholder: &str, step: f64, what: &str) {
    app.client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(180)),
            None,
            None,
        ))
        .await
        .unwrap();
    let result = app
        .client
        .execute_async(
            r#"
            const [scroller, placeholder, step] = arguments, done = arguments[arguments.length - 1];
            const body = document.querySelector(scroller);
            body.scrollTop = 0;
            const steps = 240, max = body.scrollHeight - body.clientHeight, by = step > 0 ? step : max / steps;
            const frames = []; let blank = 0, i = 0, last = performance.now();
            function tick(now) {
              frames.push(now - last); last = now;
              if (body.querySelector(placeholder)) blank++;
              if (i++ >= steps) { done({ frames, blank }); return; }
              body.scrollTop = Math.min(max, by * i);
              requestAnimationFrame(tick);
            }
            requestAnimationFrame(tick);
            "#,
            vec![
                serde_json::json!(scroller),
                serde_json::json!(placeholder),
                serde_json::json!(step),
            ],
        )
        .await
        .unwrap();
    let frames = frame_times(&result["frames"]);
    println!(
        "{what}: {} frames over 50 ms, {} of {} frames showed a not-yet-loaded placeholder",
        frames.iter().filter(|f| **f > 50.0).count(),
        result["blank"],
        frames.len()
    );
    stats("  frame time", " ms", frames);
}
