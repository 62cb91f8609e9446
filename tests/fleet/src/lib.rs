//! A fleet of sync clients against one emulator: annotators with two workspaces each (a
//! laptop and a spare), a reviewer, and a manager reassigning, every client on a link of
//! its own that flaps, while the server has bursts of 5xx and lost answers. Afterwards:
//! nothing applied twice (the emulator's journal), every intent applied or in front of
//! its user, every mirror equal to the server.
//!
//! `tests/fleet.rs` runs a short fleet in CI; `dtasks-fleet` (scripts/fleet.sh) a long one.

pub mod check;
pub mod client;
pub mod link;

use std::time::{Duration, Instant};

use deepen_emulator::{Emulator, EmulatorConfig, Faults, Role};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio::sync::watch;

use client::{Client, Part, person_rng};

/// How big and how long.
#[derive(Debug, Clone)]
pub struct FleetConfig {
    /// Clients in all (at least 4: a manager, a reviewer, annotators two by two).
    pub clients: usize,
    /// How long people act while the network misbehaves.
    pub duration: Duration,
    /// Seed of every random choice.
    pub seed: u64,
}

/// What the fleet did, and what the checks found.
#[derive(Debug, Default)]
pub struct FleetReport {
    pub clients: usize,
    pub people: usize,
    pub tasks: usize,
    pub actions_made: u64,
    pub applied: usize,
    pub needs_attention: usize,
    pub held: usize,
    pub journal_entries: usize,
    pub link_cuts: u64,
    pub fault_bursts: u64,
    pub requests: u64,
    pub acting: Duration,
    pub settling: Duration,
    /// Every broken invariant, in words; empty when all held.
    pub violations: Vec<String>,
}

/// Who signs in where: the manager and the reviewer once, each annotator twice, until
/// `clients` clients.
fn seats(users: &[deepen_emulator::UserInfo], clients: usize) -> Vec<deepen_emulator::UserInfo> {
    let of = |role| users.iter().filter(move |u| u.role == role).cloned();
    let mut seats: Vec<_> = of(Role::Admin)
        .take(1)
        .chain(of(Role::Reviewer).take(1))
        .collect();
    let annotators: Vec<_> = of(Role::Annotator).collect();
    for a in annotators
        .iter()
        .cycle()
        .take(clients.saturating_sub(seats.len()))
    {
        seats.push(a.clone());
    }
    seats
}

/// Runs a fleet and checks it.
pub async fn run(config: &FleetConfig) -> anyhow::Result<FleetReport> {
    anyhow::ensure!(config.clients >= 4, "a fleet needs at least 4 clients");
    // Two workspaces per annotator: as many annotators as half the other seats.
    let annotators = (config.clients - 2).div_ceil(2);
    let emu = Emulator::seeded(&EmulatorConfig {
        seed: config.seed,
        datasets: 2,
        files: 60 + 6 * config.clients,
        label_datasets: 1,
        labels: 20 + 2 * config.clients,
        users: annotators + 3,
        ..EmulatorConfig::default()
    })
    .serve(0)
    .await?;
    let control = emu.control();
    let users = control.users();
    let annotator_emails: Vec<String> = users
        .iter()
        .filter(|u| u.role == Role::Annotator)
        .map(|u| u.email.clone())
        .collect();
    let mut clients = Vec::new();
    for (i, user) in seats(&users, config.clients).into_iter().enumerate() {
        let name = format!("client {i} ({})", user.email);
        clients.push(Client::start(name, user, &control.client_id(), emu.addr()).await?);
    }
    let tasks = control
        .dataset_ids()
        .iter()
        .map(|d| control.tasks_of(d).len())
        .sum();
    control.reset_stats();

    let (stop_engines, engines_stop) = watch::channel(false);
    let loops: Vec<_> = clients
        .iter()
        .map(|c| c.run_engine(engines_stop.clone()))
        .collect();
    let started = Instant::now();
    let fault_bursts =
        act_while_the_network_misbehaves(config, &mut clients, &annotator_emails, &control).await;
    let acting = started.elapsed();

    // Heal everything, stop the loops, and let each client settle on its own.
    control.set_faults(Faults::default());
    for c in &clients {
        c.link.set_up(true);
    }
    stop_engines.send_replace(true);
    for l in loops {
        let _ = l.await;
    }
    let settle_start = Instant::now();
    let mut violations = Vec::new();
    for c in &clients {
        if let Err(e) = check::settle(c).await {
            violations.push(format!("{}: {e}", c.name));
        }
    }
    let settling = settle_start.elapsed();
    let outcome = check::check(&clients, &control)?;
    violations.extend(outcome.violations);
    violations.extend(check::converged(&clients, &control).await?);
    Ok(FleetReport {
        clients: clients.len(),
        people: annotators + 2,
        tasks,
        actions_made: clients.iter().map(|c| c.made).sum(),
        applied: outcome.applied,
        needs_attention: outcome.needs_attention,
        held: outcome.held,
        journal_entries: control.journal().len(),
        link_cuts: clients
            .iter()
            .map(|c| c.link.cuts.load(std::sync::atomic::Ordering::Relaxed))
            .sum(),
        fault_bursts,
        requests: control.stats().total(),
        acting,
        settling,
        violations,
    })
}

/// People act at their own pace while links flap and the server has bad moments; gives
/// how many server-side fault bursts there were.
async fn act_while_the_network_misbehaves(
    config: &FleetConfig,
    clients: &mut [Client],
    annotators: &[String],
    control: &deepen_emulator::Control,
) -> u64 {
    let mut people: Vec<SmallRng> = (0..clients.len())
        .map(|i| person_rng(config.seed, i))
        .collect();
    let mut next_act: Vec<Instant> = vec![Instant::now(); clients.len()];
    let mut chaos = SmallRng::seed_from_u64(config.seed ^ 0xC4A0_5000);
    let mut link_back: Vec<Option<Instant>> = vec![None; clients.len()];
    let mut burst_ends: Option<Instant> = None;
    let mut bursts = 0;
    let end = Instant::now() + config.duration;
    while Instant::now() < end {
        let now = Instant::now();
        for (i, c) in clients.iter_mut().enumerate() {
            if now >= next_act[i] {
                c.act_once(&mut people[i], annotators);
                let pause = match c.part {
                    Part::Manager => 300..1200,
                    _ => 500..2500,
                };
                next_act[i] = now + Duration::from_millis(people[i].random_range(pause));
            }
            match link_back[i] {
                Some(at) if now >= at => {
                    c.link.set_up(true);
                    link_back[i] = None;
                }
                // About one cut per client every 10 s, of 0.3 to 4 s.
                None if chaos.random_bool(0.01) => {
                    c.link.set_up(false);
                    link_back[i] = Some(now + Duration::from_millis(chaos.random_range(300..4000)));
                }
                _ => {}
            }
        }
        match burst_ends {
            Some(at) if now >= at => {
                control.set_faults(Faults::default());
                burst_ends = None;
            }
            // About one bad moment of the server every 8 s: 5xx, lost answers, slowness.
            None if chaos.random_bool(0.0125) => {
                bursts += 1;
                control.set_faults(match chaos.random_range(0..3) {
                    0 => Faults {
                        fail_rate: 0.5,
                        ..Faults::default()
                    },
                    1 => Faults {
                        drop_after_commit: 3,
                        ..Faults::default()
                    },
                    _ => Faults {
                        latency_ms: 300,
                        fail_rate: 0.1,
                        ..Faults::default()
                    },
                });
                burst_ends = Some(now + Duration::from_millis(chaos.random_range(500..3000)));
            }
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bursts
}
