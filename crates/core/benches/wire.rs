//! Bytes on the wire (issue #8's target): a first pull and an idle hour of the app with a
//! 100,000-task dataset, against the emulator through a byte-counting TCP proxy on
//! loopback (request and answer bytes, headers included; TCP/IP overhead not counted).
//!
//! An idle hour is simulated as the background loop's rounds of one hour at its default
//! period (`Schedule::pull_every`, 120 s → 30 rounds), run back to back: what each round
//! asks depends on the mirror and the server, not on the clock, except for the delayed
//! list (every 10 min: every fifth round pulls it, as the clock would) and datasets no
//! view shows (they wait 15 min to 4 h between pulls: a handful of 304s an hour, left
//! out).
//!
//! `cargo bench -p dtasks-core --bench wire` prints a Markdown table for docs/benchmarks.md.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use deepen_emulator::{DatasetSpec, Emulator, EmulatorConfig, Faults, LabellingMode, Role};
use dtasks_core::engine::refresh::DELAYED_EVERY;
use dtasks_core::engine::{Schedule, Shown};
use dtasks_core::{Account, Scope, Sensitive, SyncEngine, Workspace};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

/// Bytes that went through the proxy, both ways.
#[derive(Default)]
struct Counter {
    up: AtomicU64,
    down: AtomicU64,
}

impl Counter {
    fn total(&self) -> u64 {
        self.up.load(Ordering::SeqCst) + self.down.load(Ordering::SeqCst)
    }
    fn reset(&self) {
        self.up.store(0, Ordering::SeqCst);
        self.down.store(0, Ordering::SeqCst);
    }
}

/// A TCP proxy on 127.0.0.1 in front of `upstream` that counts what it forwards.
async fn counting_proxy(upstream: SocketAddr) -> (SocketAddr, Arc<Counter>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counter = Arc::new(Counter::default());
    let counts = counter.clone();
    tokio::spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            let Ok(outbound) = TcpStream::connect(upstream).await else {
                continue;
            };
            let (ri, wi) = inbound.into_split();
            let (ro, wo) = outbound.into_split();
            tokio::spawn(forward(ri, wo, counts.clone(), true));
            tokio::spawn(forward(ro, wi, counts.clone(), false));
        }
    });
    (addr, counter)
}

async fn forward(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    counter: Arc<Counter>,
    up: bool,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let side = if up { &counter.up } else { &counter.down };
        side.fetch_add(n as u64, Ordering::SeqCst);
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// One way of syncing, against one way of serving.
struct Case {
    what: &'static str,
    faults: Faults,
    /// The scope of the idle rounds.
    scope: Scope,
    watched: bool,
    metered: bool,
}

struct Measured {
    first_pull: u64,
    idle_hour: u64,
    idle_requests: u64,
}

async fn measure(case: &Case) -> Measured {
    let emu = Emulator::seeded(&EmulatorConfig {
        datasets: 0,
        label_datasets: 0,
        ..Default::default()
    })
    .serve(0)
    .await
    .unwrap();
    let control = emu.control();
    let dataset = control.add_dataset(DatasetSpec {
        name: "hundred thousand".into(),
        mode: LabellingMode::FrameByFrame,
        units: 50_000,
        stages: vec!["Labelling".into(), "QA".into()],
        assign: true,
    });
    control.set_faults(case.faults.clone());
    let (proxy, counter) = counting_proxy(emu.addr()).await;
    let manager = control.user(Role::Admin);
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path())
        .unwrap()
        .with_session_token(Sensitive::new(manager.token.clone()));
    let server = format!("http://{proxy}/api/v2");
    ws.connect(
        Account::new(&server, &control.client_id(), &manager.email).unwrap(),
        None,
    )
    .await
    .unwrap();
    let engine: SyncEngine = ws.engine().unwrap();
    engine.set_metered(case.metered);
    let shown = if case.watched { vec![dataset] } else { vec![] };
    engine.set_shown(Shown {
        dataset_ids: shown.clone(),
        delayed: false,
    });
    counter.reset();
    engine.sync_once(Scope::Full, None).await.unwrap();
    let first_pull = counter.total();
    // A second apart, so that a Last-Modified is old enough to be trusted.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    counter.reset();
    control.reset_stats();
    let every = Schedule::default().pull_every.as_secs();
    let delayed_every = (DELAYED_EVERY.as_secs() / every) as usize;
    for round in 0..3600 / every as usize {
        // The rounds run back to back, so the clock would never make the delayed list due:
        // a round ten minutes of rounds apart is told it is shown, which pulls it.
        let due = !case.metered && round % delayed_every == delayed_every - 1;
        engine.set_shown(Shown {
            dataset_ids: shown.clone(),
            delayed: due,
        });
        engine.sync_once(case.scope, None).await.unwrap();
    }
    Measured {
        first_pull,
        idle_hour: counter.total(),
        idle_requests: control.stats().total(),
    }
}

fn mb(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

async fn run() {
    let untagged = Faults {
        no_etag: true,
        no_last_modified: true,
        ..Faults::default()
    };
    let plain = Faults {
        no_compression: true,
        ..untagged.clone()
    };
    let cases = [
        Case {
            what: "before issue 8: plain answers, every dataset pulled whole every round",
            faults: plain,
            scope: Scope::Full,
            watched: true,
            metered: false,
        },
        Case {
            what: "compressed answers, no validators (every round reads the list whole)",
            faults: untagged,
            scope: Scope::Routine,
            watched: true,
            metered: false,
        },
        Case {
            what: "compressed and tagged: the dataset on screen, 304s",
            faults: Faults::default(),
            scope: Scope::Routine,
            watched: true,
            metered: false,
        },
        Case {
            what: "compressed and tagged, metered, the dataset not on screen",
            faults: Faults::default(),
            scope: Scope::Routine,
            watched: false,
            metered: true,
        },
    ];
    let mut rows = Vec::new();
    for case in &cases {
        let m = measure(case).await;
        eprintln!(
            "{}: first pull {} B, idle hour {} B, {} requests",
            case.what, m.first_pull, m.idle_hour, m.idle_requests
        );
        rows.push((case.what, m));
    }
    let before = rows[0].1.idle_hour as f64;
    println!(
        "| case | first pull | idle hour (30 rounds) | requests in the hour | idle hour vs before |"
    );
    println!("|---|---|---|---|---|");
    for (what, m) in &rows {
        println!(
            "| {what} | {} | {} | {} | {:.0}× less |",
            mb(m.first_pull),
            mb(m.idle_hour),
            m.idle_requests,
            before / m.idle_hour.max(1) as f64
        );
    }
}
