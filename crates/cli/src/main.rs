//! `dtasks`: the Deepen Tasks command line. A thin layer over `dtasks-core` (the same
//! operations the desktop app offers): it parses arguments, calls one operation, prints
//! the result for a person or as JSON, and maps outcomes to exit codes.

mod args;
mod insight;
mod output;
mod sync;
mod wording;

use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Parser;
use dtasks_core::activity::{ActivityQuery, ReviewQuery};
use dtasks_core::client::Timeouts;
use dtasks_core::export::Export;
use dtasks_core::outbox::Resolution;
use dtasks_core::view::{AssigneeFilter, TaskQuery};
use dtasks_core::{Account, ActionKind, Sensitive, Workspace};

use args::{Cli, Command};
use output::Out;

/// Exit codes of `dtasks sync` (and of actions that try a sync), as documented.
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const NEEDS_ATTENTION: u8 = 3;
    pub const UNREACHABLE: u8 = 4;
    pub const SIGN_IN: u8 = 5;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DTASKS_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let out = Out::new(cli.json);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            out.error(&anyhow::anyhow!(e).context("cannot start the runtime"));
            return ExitCode::from(exit::ERROR);
        }
    };
    let code = match runtime.block_on(run(cli, &out)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            out.error(&e);
            ExitCode::from(exit::ERROR)
        }
    };
    // A pull cut short by --max-wait may still hold a worker thread: do not wait for it
    // (its transaction is never committed).
    runtime.shutdown_timeout(Duration::from_millis(500));
    code
}

// One arm per command: a dispatch table, longer than our ~80-line rule on purpose.
async fn run(cli: Cli, out: &Out) -> Result<u8> {
    let home = args::home_dir(cli.home.as_deref())?;
    let mut ws = Workspace::open(&home)
        .with_context(|| format!("cannot open the workspace in {}", home.display()))?;
    // Only a command that reaches Deepen asks the system (a read of the mirror never waits
    // on the system bus).
    let reaches_deepen = matches!(
        cli.command,
        Command::Pull
            | Command::Sync { .. }
            | Command::Submit { .. }
            | Command::Accept { .. }
            | Command::Reject { .. }
            | Command::Assign { .. }
            | Command::Status
    );
    let preferences = ws.preferences();
    let system_metered =
        reaches_deepen && preferences.follow_system_metered && system_says_metered();
    if cli.metered || preferences.metered_now(system_metered) {
        ws = ws.with_metered();
    }
    ws = ws.with_timeouts(Timeouts {
        request: Duration::from_secs(cli.request_timeout),
        ..Timeouts::default()
    });
    match cli.command {
        Command::Connect {
            server,
            client_id,
            email,
            token_stdin,
        } => {
            let account = Account::new(&server, &client_id, &email)?;
            let token = if token_stdin {
                Some(token_from_stdin()?)
            } else {
                None
            };
            let report = ws.connect(account, token).await?.into_value();
            out.connected(ws.account().expect("just connected"), &report);
            Ok(exit::OK)
        }
        Command::Pull => sync::pull(&ws, out).await,
        Command::Datasets => {
            out.datasets(&ws.datasets()?);
            Ok(exit::OK)
        }
        Command::Tasks { filter, csv } => {
            let query = task_query(&ws, filter)?;
            match csv {
                Some(path) => insight::write_csv(&ws, out, &Export::Tasks { query }, &path),
                None => {
                    out.tasks(&ws.tasks(&query)?);
                    Ok(exit::OK)
                }
            }
        }
        Command::Counts { dataset, stage, by } => {
            out.counts(&ws.counts(&dataset, stage.as_deref(), by.into())?);
            Ok(exit::OK)
        }
        Command::Submit { tasks, no_sync } => {
            act(&ws, out, ActionKind::Submit, &tasks, None, no_sync).await
        }
        Command::Accept { tasks, no_sync } => {
            act(&ws, out, ActionKind::Accept, &tasks, None, no_sync).await
        }
        Command::Reject {
            tasks,
            reason,
            no_sync,
        } => {
            act(
                &ws,
                out,
                ActionKind::Reject,
                &tasks,
                reason.as_deref(),
                no_sync,
            )
            .await
        }
        Command::Assign {
            tasks,
            to,
            unassign,
            no_sync,
        } => {
            debug_assert!(to.is_some() != unassign, "clap enforces exactly one");
            let results = ws.assign(&tasks, to.as_deref())?;
            out.enqueued(&tasks, &results);
            if !no_sync {
                sync::after_action(&ws, out).await;
            }
            Ok(exit::OK)
        }
        Command::Sync { max_wait } => sync::sync(&ws, out, max_wait).await,
        Command::Queue { all } => {
            out.queue(&ws.queue(all)?);
            Ok(exit::OK)
        }
        Command::Resolve {
            op,
            retry,
            discard,
            overwrite,
        } => {
            let resolution = match (retry, discard, overwrite) {
                (true, _, _) => Resolution::Retry,
                (_, true, _) => Resolution::Discard,
                (_, _, true) => Resolution::Overwrite,
                _ => unreachable!("clap requires one of --retry, --discard, --overwrite"),
            };
            let op_after = ws.resolve(&op, resolution)?.into_value();
            out.resolved(&op, op_after.as_ref());
            Ok(exit::OK)
        }
        Command::Status => {
            out.status(ws.account(), &ws.status()?);
            Ok(exit::OK)
        }
        Command::Metered { set, follow_system } => {
            let mut preferences = ws.preferences();
            if let Some(set) = set {
                preferences.metered = set == args::OnOff::On;
            }
            if let Some(follow) = follow_system {
                preferences.follow_system_metered = follow == args::OnOff::On;
            }
            if set.is_some() || follow_system.is_some() {
                ws.set_preferences(&preferences)?;
            }
            out.metered(&preferences, system_says_metered());
            Ok(exit::OK)
        }
        Command::History { task } => insight::history(&ws, out, &task),
        Command::Activity {
            person,
            dataset,
            kind,
            days,
            limit,
            csv,
        } => {
            let query = ActivityQuery {
                person,
                dataset_id: dataset,
                kinds: kind.into_iter().map(Into::into).collect(),
                since: days.map(insight::since_days),
                before: None,
                limit,
            };
            insight::activity(&ws, out, query, csv.as_deref())
        }
        Command::Review {
            days,
            person,
            dataset,
            csv,
        } => {
            let query = ReviewQuery {
                from: insight::since_days(days),
                to: dtasks_core::clock::now_millis(),
                person,
                dataset_id: dataset,
            };
            insight::review(&ws, out, query, csv.as_deref())
        }
        Command::SignOut => {
            ws.sign_out()?;
            out.message("signed out: the token was removed from the credential store; the mirror and queue are kept");
            Ok(exit::OK)
        }
    }
}

/// Queues an action (durable, instant, offline too), then tries one sync unless told not to.
/// Exit 0 once queued, whatever the network does.
async fn act(
    ws: &Workspace,
    out: &Out,
    kind: ActionKind,
    tasks: &[String],
    reason: Option<&str>,
    no_sync: bool,
) -> Result<u8> {
    let results = ws.act(kind, tasks, reason)?;
    out.enqueued(tasks, &results);
    if !no_sync {
        sync::after_action(ws, out).await;
    }
    Ok(exit::OK)
}

/// Whether the system says the connection is metered (NetworkManager; nothing said
/// elsewhere, or when it does not answer within 2 s).
fn system_says_metered() -> bool {
    dtasks_core::network::system_says_metered()
        .inspect_err(|e| tracing::debug!(error = %e, "no word on a metered connection"))
        .unwrap_or(false)
}

/// The token typed or piped on standard input.
fn token_from_stdin() -> Result<Sensitive<String>> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read the token from standard input")?;
    let text = text.trim().to_string();
    if text.is_empty() {
        bail!("no token on standard input");
    }
    Ok(Sensitive::new(text))
}

/// The query `dtasks tasks` asks for.
fn task_query(ws: &Workspace, filter: args::TaskFilter) -> Result<TaskQuery> {
    let mine = filter
        .mine
        .then(|| ws.account().map(|a| a.email.clone()))
        .flatten();
    if filter.mine && mine.is_none() {
        bail!("--mine needs an account: run `dtasks connect` first");
    }
    let assignee = match (mine, filter.assignee, filter.unassigned) {
        (Some(me), _, _) => Some(AssigneeFilter::Is(me)),
        (None, Some(email), _) => Some(AssigneeFilter::Is(email)),
        (None, None, true) => Some(AssigneeFilter::Unassigned),
        (None, None, false) => None,
    };
    Ok(TaskQuery {
        task_ids: Vec::new(),
        dataset_id: filter.dataset,
        stage_id: filter.stage,
        statuses: filter
            .status
            .iter()
            .flat_map(|s| s.split(','))
            .map(|s| dtasks_core::TaskStatus::parse(s.trim()))
            .collect(),
        // A script asks for exactly the statuses it names.
        or_pending: false,
        assignee,
        delayed_only: filter.delayed,
        text: filter.text,
        sort: filter.sort.into(),
        limit: filter.limit,
        offset: filter.offset,
    })
}
