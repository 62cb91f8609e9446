//! The fleet in CI: 12 clients (a manager, a reviewer, five annotators on two workspaces
//! each) against one emulator for 60 s while every link flaps and the server has bursts of
//! 5xx, lost answers and slowness. `DTASKS_FLEET_SECS` and `DTASKS_FLEET_SEED` change the
//! length and the seed.

use std::time::Duration;

use dtasks_fleet::{FleetConfig, run};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_over_flapping_links_applies_once_loses_nothing_and_converges() {
    let secs = env_number("DTASKS_FLEET_SECS", 60);
    let config = FleetConfig {
        clients: 12,
        duration: Duration::from_secs(secs),
        seed: env_number("DTASKS_FLEET_SEED", 8),
    };
    let report = run(&config).await.expect("the fleet runs");
    eprintln!("{report:#?}");
    assert!(report.violations.is_empty(), "{:#?}", report.violations);
    // The run did what it is for: many actions, through many cuts and bad moments.
    assert!(report.actions_made > 100, "{report:?}");
    assert!(report.applied > 50, "{report:?}");
    assert!(
        report.link_cuts > 20 && report.fault_bursts > 2,
        "{report:?}"
    );
}
