//! `deepen-emulator`: serves a seeded (or loaded) emulator on 127.0.0.1 until SIGTERM or
//! Ctrl-C. Prints the base URL as the first line of stdout, then `role email token` for
//! each user.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use deepen_emulator::{Emulator, EmulatorConfig};

#[derive(Parser, Debug)]
#[command(
    name = "deepen-emulator",
    version,
    about = "A local Deepen v2 Tasks API with fault injection"
)]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    #[arg(long, default_value = "demo-client")]
    client_id: String,
    /// frame_by_frame datasets
    #[arg(long, default_value_t = 2)]
    datasets: usize,
    /// files per frame_by_frame dataset
    #[arg(long, default_value_t = 50)]
    files: usize,
    /// label_by_label datasets
    #[arg(long, default_value_t = 1)]
    label_datasets: usize,
    /// label tracks per label_by_label dataset
    #[arg(long, default_value_t = 20)]
    labels: usize,
    /// pipeline stages, comma separated
    #[arg(long, value_delimiter = ',', default_value = "Labelling,QA")]
    stages: Vec<String>,
    /// users (at least 4: admin, annotators, reviewer, customer)
    #[arg(long, default_value_t = 6)]
    users: usize,
    /// answer submit/accept/reject with {"task": {...}}
    #[arg(long)]
    wrap_task_responses: bool,
    /// start from a saved state instead of seeding (seeds when the file does not exist)
    #[arg(long)]
    load: Option<PathBuf>,
    /// save the state here on SIGTERM / Ctrl-C
    #[arg(long)]
    save_on_exit: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let config = EmulatorConfig {
        seed: args.seed,
        client_id: args.client_id.clone(),
        datasets: args.datasets,
        files: args.files,
        label_datasets: args.label_datasets,
        labels: args.labels,
        stages: args.stages.clone(),
        users: args.users,
        wrap_task_responses: args.wrap_task_responses,
    };
    let emulator = match &args.load {
        Some(path) if path.exists() => Emulator::load(path)?,
        Some(path) => {
            tracing::warn!(path = %path.display(), "no saved state there; seeding");
            Emulator::seeded(&config)
        }
        None => Emulator::seeded(&config),
    };
    if args.wrap_task_responses {
        emulator.control().set_wrap_task_responses(true);
    }
    let stop = StopSignals::install()?;
    let running = emulator.serve(args.port).await?;
    let control = running.control();
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", running.base_url())?;
        for user in control.users() {
            writeln!(out, "{} {} {}", user.role.as_str(), user.email, user.token)?;
        }
        out.flush()?;
    }
    stop.wait().await;
    tracing::info!("stopping");
    running.shutdown().await;
    if let Some(path) = &args.save_on_exit {
        control
            .save(path)
            .with_context(|| format!("saving state to {}", path.display()))?;
        tracing::info!(path = %path.display(), "state saved");
    }
    Ok(())
}

/// SIGTERM / Ctrl-C, listened for from before the URL is printed: a supervisor that
/// stops the emulator right after reading it must not kill it uncleanly.
struct StopSignals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> anyhow::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals {
                term: signal(SignalKind::terminate())?,
                int: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    async fn wait(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
