//! Demo mode: the Deepen emulator served in-process on 127.0.0.1 with a seeded workspace,
//! signed in as its admin (the demo manager). Its state is saved in the demo folder, so
//! actions made in one run are still there in the next, and it tries to take the port of
//! the last run, so the demo mirror stays valid (a new port is a new server URL, which
//! means a fresh mirror).
//!
//! It opens no door: only the Deepen API is served (no `/_emulator/` control routes),
//! only to requests addressed to its own loopback address (`Host` checked, against DNS
//! rebinding), and every user's token is a fresh random one each run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use deepen_emulator::{Emulator, EmulatorConfig, Role, RunningEmulator};
use dtasks_core::{Account, Sensitive};

const STATE_FILE: &str = "demo-server.json";
const PORT_FILE: &str = "demo-server.port";
const SAVE_EVERY: Duration = Duration::from_secs(10);

pub struct DemoServer {
    /// `None` once stopped.
    running: Option<RunningEmulator>,
    state_path: PathBuf,
    saver: tokio::task::JoinHandle<()>,
    /// Seeded now (no saved demo data could be read): a new demo world.
    new: bool,
}

impl DemoServer {
    pub async fn start(dir: &Path) -> anyhow::Result<Self> {
        dtasks_core::private::dir(dir)?;
        let state_path = dir.join(STATE_FILE);
        let last_port = std::fs::read_to_string(dir.join(PORT_FILE))
            .ok()
            .and_then(|p| p.trim().parse::<u16>().ok());
        let (emulator, new) = load(&state_path);
        emulator.control().renew_tokens();
        let running = match last_port {
            Some(port) => match emulator.serve_api_only(port).await {
                Ok(running) => running,
                Err(_) => {
                    let again = load(&state_path).0;
                    again.control().renew_tokens();
                    again.serve_api_only(0).await?
                }
            },
            None => emulator.serve_api_only(0).await?,
        };
        std::fs::write(dir.join(PORT_FILE), running.addr().port().to_string())?;
        let control = running.control();
        let saver = {
            let path = state_path.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(SAVE_EVERY).await;
                    if let Err(e) = control.save(&path) {
                        tracing::warn!(error = %e, "cannot save the demo data");
                    }
                }
            })
        };
        Ok(Self {
            running: Some(running),
            state_path,
            saver,
            new,
        })
    }

    pub fn is_new(&self) -> bool {
        self.new
    }

    /// The demo manager's account and (session-only) token.
    pub fn sign_in(&self) -> anyhow::Result<(Account, Sensitive<String>)> {
        let running = self
            .running
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("the demo server was stopped"))?;
        let control = running.control();
        let admin = control.user(Role::Admin);
        let account = Account::new(&running.base_url(), &control.client_id(), &admin.email)?;
        Ok((account, Sensitive::new(admin.token)))
    }

    /// Saves the demo data and stops serving.
    pub async fn stop(mut self) {
        self.save_and_stop_saving();
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
    }

    fn save_and_stop_saving(&mut self) {
        self.saver.abort();
        if let Some(running) = &self.running
            && let Err(e) = running.control().save(&self.state_path)
        {
            tracing::warn!(error = %e, "cannot save the demo data");
        }
    }
}

impl Drop for DemoServer {
    /// Ended without `stop` (a command still held the session): save once, stop the
    /// periodic saver so it never writes an old world over a newer demo's, stop serving.
    fn drop(&mut self) {
        if self.running.is_some() {
            self.save_and_stop_saving();
        }
    }
}

/// The saved demo world, or a newly seeded one (`true`) when none can be read.
fn load(state_path: &Path) -> (Emulator, bool) {
    match Emulator::load(state_path) {
        Ok(emulator) => (emulator, false),
        Err(e) => {
            if state_path.exists() {
                tracing::warn!(error = %e, "the saved demo data cannot be read; starting a new demo");
            }
            (Emulator::seeded(&demo_config()), true)
        }
    }
}

fn demo_config() -> EmulatorConfig {
    EmulatorConfig {
        datasets: 3,
        files: 60,
        label_datasets: 1,
        labels: 30,
        users: 8,
        ..EmulatorConfig::default()
    }
}
