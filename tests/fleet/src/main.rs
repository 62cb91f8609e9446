//! `dtasks-fleet --clients 100 --seconds 600 [--seed N]`: a long fleet run (see the crate's
//! note); prints its figures as a Markdown table for docs/benchmarks.md and exits 1 when an
//! invariant broke.

use std::process::ExitCode;
use std::time::Duration;

use dtasks_fleet::{FleetConfig, FleetReport, run};

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let config = FleetConfig {
        clients: arg(&args, "--clients", 100) as usize,
        duration: Duration::from_secs(arg(&args, "--seconds", 600)),
        seed: arg(&args, "--seed", 1),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    match runtime.block_on(run(&config)) {
        Ok(report) => {
            print_table(&config, &report);
            for v in &report.violations {
                eprintln!("VIOLATION: {v}");
            }
            if report.violations.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("the fleet could not run: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn print_table(config: &FleetConfig, r: &FleetReport) {
    println!("| figure | value |");
    println!("|---|---|");
    let rows = [
        ("clients (people)", format!("{} ({})", r.clients, r.people)),
        ("tasks on the server", r.tasks.to_string()),
        ("seed", config.seed.to_string()),
        (
            "acting, network misbehaving",
            format!("{:.0} s", r.acting.as_secs_f64()),
        ),
        ("link cuts", r.link_cuts.to_string()),
        (
            "server fault bursts (5xx, lost answers, slow)",
            r.fault_bursts.to_string(),
        ),
        ("actions queued by people", r.actions_made.to_string()),
        ("actions done", r.applied.to_string()),
        (
            "actions needing their user (+ held behind one)",
            format!("{} (+{})", r.needs_attention, r.held),
        ),
        (
            "mutations in the server's journal",
            r.journal_entries.to_string(),
        ),
        ("API requests", r.requests.to_string()),
        (
            "settling once healthy",
            format!("{:.1} s", r.settling.as_secs_f64()),
        ),
        ("invariants broken", r.violations.len().to_string()),
    ];
    for (what, value) in rows {
        println!("| {what} | {value} |");
    }
}
