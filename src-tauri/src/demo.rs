//! Demo mode: the Deepen emulator served in-process on 127.0.0.1 with a seeded workspace,
//! signed in as its admin (the demo manager) or one of its annotators (`DemoRole`, each
//! with a workspace of their own in the demo folder). Its state is saved there, so
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

/// Who the newcomer is in the demo: its manager (the board, balancing) or one of its
/// annotators with tasks (My tasks). Each has a workspace, and so a queue, of their own.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum DemoRole {
    #[default]
    Manager,
    Annotator,
}

impl DemoRole {
    fn role(self) -> Role {
        match self {
            Self::Manager => Role::Admin,
            Self::Annotator => Role::Annotator,
        }
    }

    /// The role's workspace in the demo folder `dir` (the manager's is the folder itself,
    /// as before roles).
    pub fn workspace_dir(self, dir: &Path) -> PathBuf {
        match self {
            Self::Manager => dir.to_path_buf(),
            Self::Annotator => dir.join("annotator"),
        }
    }

    pub const ALL: [Self; 2] = [Self::Manager, Self::Annotator];
}

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

    /// The account and (session-only) token of the demo's `role`.
    pub fn sign_in(&self, role: DemoRole) -> anyhow::Result<(Account, Sensitive<String>)> {
        let running = self
            .running
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("the demo server was stopped"))?;
        let control = running.control();
        let user = control.user(role.role());
        let account = Account::new(&running.base_url(), &control.client_id(), &user.email)?;
        Ok((account, Sensitive::new(user.token)))
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
