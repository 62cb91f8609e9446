//! The command line's grammar.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use dtasks_core::activity::ActivityKind;
use dtasks_core::{CountBy, SortKey};

#[derive(Debug, Parser)]
#[command(
    name = "dtasks",
    version,
    about = "Deepen tasks, offline first: mirror, act, sync"
)]
pub struct Cli {
    /// Workspace folder (mirror, queue, account). Default: the platform's data folder.
    #[arg(long, global = true, env = "DTASKS_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    pub json: bool,
    /// Treat the connection as metered for this run: refresh only my tasks, never a whole
    /// dataset nor the delayed list (see `dtasks metered`).
    #[arg(long, global = true, env = "DTASKS_METERED")]
    pub metered: bool,
    /// Seconds a request may take before it counts as failed (a slow link may need more).
    #[arg(long, global = true, env = "DTASKS_REQUEST_TIMEOUT", value_name = "SECS",
          default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub request_timeout: u64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect this workspace to a Deepen account (token from DEEPEN_TOKEN or --token-stdin).
    Connect {
        /// API base URL, e.g. https://tools.deepen.ai/api/v2 (plain http only to this machine).
        #[arg(long)]
        server: String,
        /// The client (workspace) id.
        #[arg(long)]
        client_id: String,
        #[arg(long)]
        email: String,
        /// Read the token from standard input and keep it in the OS credential store.
        #[arg(long)]
        token_stdin: bool,
    },
    /// Refresh the mirror from the server (datasets, their tasks, my tasks, delayed tasks).
    Pull,
    /// List mirrored datasets.
    Datasets,
    /// List tasks from the mirror (works offline), pending actions applied.
    Tasks {
        #[command(flatten)]
        filter: TaskFilter,
        /// Write every matching task (all pages; --limit and --offset ignored) as CSV to
        /// FILE, or to standard output with `-`.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// Count a dataset's tasks by assignee, stage or status.
    Counts {
        #[arg(long)]
        dataset: String,
        #[arg(long)]
        stage: Option<String>,
        #[arg(long, value_enum, default_value_t = CountKey::Assignee)]
        by: CountKey,
    },
    /// Queue a submit of tasks, then try to sync.
    Submit {
        #[arg(required = true, value_name = "TASK")]
        tasks: Vec<String>,
        /// Only queue; do not try to reach the server.
        #[arg(long)]
        no_sync: bool,
    },
    /// Queue an accept of submitted tasks, then try to sync.
    Accept {
        #[arg(required = true, value_name = "TASK")]
        tasks: Vec<String>,
        #[arg(long)]
        no_sync: bool,
    },
    /// Queue a reject of submitted tasks, then try to sync.
    Reject {
        #[arg(required = true, value_name = "TASK")]
        tasks: Vec<String>,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        no_sync: bool,
    },
    /// Queue a reassignment of tasks, then try to sync.
    Assign {
        #[arg(required = true, value_name = "TASK")]
        tasks: Vec<String>,
        /// The new assignee's email.
        #[arg(
            long,
            value_name = "EMAIL",
            required_unless_present = "unassign",
            conflicts_with = "unassign"
        )]
        to: Option<String>,
        /// Leave the tasks unassigned.
        #[arg(long)]
        unassign: bool,
        #[arg(long)]
        no_sync: bool,
    },
    /// Push the queue, then pull. Exit 0 drained; 3 some actions need attention; 4 server
    /// unreachable, or --max-wait ran out (queue kept); 5 sign-in needed.
    Sync {
        /// Return within this many seconds plus one request's time, whatever the server
        /// does: actions backing off wait for it, a pull not finished by then is left as
        /// it was (`dtasks pull` has no time limit).
        #[arg(long, default_value_t = 30, value_name = "SECS")]
        max_wait: u64,
    },
    /// List queued actions.
    Queue {
        /// Include actions already applied.
        #[arg(long)]
        all: bool,
    },
    /// Decide on an action that needs attention.
    Resolve {
        /// The action's op_id (see `dtasks queue`).
        op: String,
        #[arg(long, group = "resolution", required = true)]
        retry: bool,
        #[arg(long, group = "resolution")]
        discard: bool,
        /// For a reassignment: apply it over someone else's change.
        #[arg(long, group = "resolution")]
        overwrite: bool,
    },
    /// Connectivity, queue counts and last sync time.
    Status,
    /// Remove the stored token (the mirror and queue are kept).
    SignOut,
    /// What this device recorded of one task (status changes, who had it, rejects with
    /// their reasons, this device's actions), oldest first. Works offline.
    History {
        #[arg(value_name = "TASK")]
        task: String,
    },
    /// Changes this device saw in its syncs or made itself, newest first (kept 90 days).
    Activity {
        /// Only this person's work.
        #[arg(long, value_name = "EMAIL")]
        person: Option<String>,
        #[arg(long)]
        dataset: Option<String>,
        /// Only these kinds of change (repeat or separate with commas).
        #[arg(long, value_enum, value_delimiter = ',')]
        kind: Vec<KindArg>,
        /// Only changes of the last DAYS days.
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=90))]
        days: Option<u32>,
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1_000))]
        limit: u32,
        /// Write every matching change (all pages) as CSV to FILE, or to standard output
        /// with `-`.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// Review figures per person for the last DAYS days: submitted, accepted, rejected,
    /// reject rate, median wait for a review and time spent rejected — from what this
    /// device observed in its syncs.
    Review {
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=90))]
        days: u32,
        #[arg(long, value_name = "EMAIL")]
        person: Option<String>,
        #[arg(long)]
        dataset: Option<String>,
        /// Write the figures as CSV to FILE, or to standard output with `-`.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// Show, or set for this workspace, whether the connection is metered (shared with
    /// the desktop app): then sync refreshes only my tasks (and, in the app, what is on
    /// screen). Also metered whenever the system says so, unless --follow-system off.
    Metered {
        #[arg(value_enum)]
        set: Option<OnOff>,
        /// Whether to also count as metered whenever the system says the connection is
        /// (NetworkManager knows a phone's hotspot; on by default).
        #[arg(long, value_enum, value_name = "ON|OFF")]
        follow_system: Option<OnOff>,
    },
}

/// The kinds of recorded change (`dtasks activity --kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Status,
    Assignee,
    Stage,
    /// This device's actions and how they ended.
    Action,
}

impl From<KindArg> for ActivityKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Status => ActivityKind::Status,
            KindArg::Assignee => ActivityKind::Assignee,
            KindArg::Stage => ActivityKind::Stage,
            KindArg::Action => ActivityKind::Action,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Args)]
pub struct TaskFilter {
    #[arg(long)]
    pub dataset: Option<String>,
    /// Only tasks assigned to me.
    #[arg(long, conflicts_with_all = ["assignee", "unassigned"])]
    pub mine: bool,
    #[arg(long)]
    pub stage: Option<String>,
    /// Status (repeat or separate with commas).
    #[arg(long)]
    pub status: Vec<String>,
    #[arg(long, value_name = "EMAIL", conflicts_with = "unassigned")]
    pub assignee: Option<String>,
    #[arg(long)]
    pub unassigned: bool,
    /// Only tasks past their due date.
    #[arg(long)]
    pub delayed: bool,
    /// Search task, file and label ids.
    #[arg(long)]
    pub text: Option<String>,
    #[arg(long, value_enum, default_value_t = SortArg::Due)]
    pub sort: SortArg,
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,
    #[arg(long, default_value_t = 0)]
    pub offset: u32,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Due,
    Overdue,
    Updated,
    Task,
}

impl From<SortArg> for SortKey {
    fn from(s: SortArg) -> Self {
        match s {
            SortArg::Due => SortKey::Due,
            SortArg::Overdue => SortKey::Overdue,
            SortArg::Updated => SortKey::Updated,
            SortArg::Task => SortKey::TaskId,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CountKey {
    Assignee,
    Stage,
    Status,
}

impl From<CountKey> for CountBy {
    fn from(k: CountKey) -> Self {
        match k {
            CountKey::Assignee => CountBy::Assignee,
            CountKey::Stage => CountBy::Stage,
            CountKey::Status => CountBy::Status,
        }
    }
}

/// `--home`, else `DTASKS_HOME` (clap reads it), else the platform data folder.
pub fn home_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    let dirs = directories::ProjectDirs::from("ai", "Deepen", "deepen-tasks")
        .context("cannot find a home folder for the workspace; pass --home DIR")?;
    Ok(dirs.data_dir().to_path_buf())
}
