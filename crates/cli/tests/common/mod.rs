//! The real `dtasks` binary against a real emulator on 127.0.0.1, in a temporary home.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use deepen_emulator::{Control, Emulator, EmulatorConfig, Role, RunningEmulator, UserInfo};

pub struct Cli {
    pub emu: RunningEmulator,
    pub control: Control,
    pub user: UserInfo,
    pub home: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dtasks"))
}

impl Cli {
    pub async fn start(config: EmulatorConfig, role: Role) -> Self {
        let emu = Emulator::seeded(&config)
            .serve(0)
            .await
            .expect("emulator starts");
        let control = emu.control();
        let user = control.user(role);
        Self {
            emu,
            control,
            user,
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// A `dtasks` command in this home, with the user's token in DEEPEN_TOKEN.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.arg("--home")
            .arg(self.home.path())
            .args(args)
            .env("DEEPEN_TOKEN", &self.user.token)
            // The machine's own NetworkManager (is its network metered?) must not steer a
            // scenario; one that needs a system's word serves it (see `SystemBus`).
            .env(
                "DBUS_SYSTEM_BUS_ADDRESS",
                "unix:path=/nonexistent/dtasks-tests",
            )
            .env_remove("DTASKS_HOME");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.command(args).output().expect("dtasks runs").into()
    }

    /// Runs and expects exit code `code`.
    pub fn expect(&self, code: i32, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.code, code,
            "dtasks {args:?}\nstdout: {}\nstderr: {}",
            run.stdout, run.stderr
        );
        run
    }

    pub fn connect(&self) {
        let server = self.emu.base_url();
        let client = self.control.client_id();
        self.expect(
            0,
            &[
                "connect",
                "--server",
                &server,
                "--client-id",
                &client,
                "--email",
                &self.user.email,
            ],
        );
    }

    pub fn task_ids(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["--json", "tasks", "--limit", "10000"];
        all.extend_from_slice(args);
        let run = self.expect(0, &all);
        run.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["task_id"].as_str().unwrap().to_string())
            .collect()
    }

    pub fn applied(&self, task_id: &str, action: &str) -> usize {
        self.control
            .journal()
            .iter()
            .filter(|e| {
                e.task_id == task_id
                    && e.actor == self.user.email
                    && e.action == action
                    && e.via == "api"
            })
            .count()
    }
}

/// A D-Bus of the test's own (a private `dbus-daemon`), stopped when dropped: where a
/// scenario serves the system's services.
pub struct SystemBus {
    daemon: std::process::Child,
    pub address: String,
}

impl SystemBus {
    pub fn start() -> Self {
        use std::io::BufRead;
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("dbus-daemon runs (scripts/setup.sh installs dbus)");
        let mut address = String::new();
        std::io::BufReader::new(daemon.stdout.take().unwrap())
            .read_line(&mut address)
            .expect("dbus-daemon says its address");
        Self {
            daemon,
            address: address.trim().to_string(),
        }
    }
}

impl Drop for SystemBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
