//! Printing: a table or sentence for a person, JSON for a program (`--json`). Results go
//! to stdout; progress, warnings and errors to stderr.

mod insight;

use std::io::IsTerminal;
use std::sync::Arc;

use dtasks_core::engine::{Progress, PullEvent, PushReport, RoundReport};
use dtasks_core::mirror::DatasetInfo;
use dtasks_core::view::{Count, TaskPage};
use dtasks_core::workspace::ConnectReport;
use dtasks_core::{Account, Enqueued, Op, Preferences, SyncStatus};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::json;

pub struct Out {
    json: bool,
}

impl Out {
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    fn print_json(&self, value: &impl Serialize) {
        println!(
            "{}",
            serde_json::to_string_pretty(value).expect("output values serialize")
        );
    }

    pub fn error(&self, e: &anyhow::Error) {
        let text = crate::wording::error(e);
        if self.json {
            eprintln!("{}", json!({ "error": text }));
        } else {
            eprintln!("error: {text}");
        }
    }

    pub fn warning(&self, text: &str) {
        eprintln!("warning: {text}");
    }

    pub fn message(&self, text: &str) {
        if self.json {
            self.print_json(&json!({ "message": text }));
        } else {
            println!("{text}");
        }
    }

    pub fn connected(&self, account: &Account, report: &ConnectReport) {
        if self.json {
            return self.print_json(&json!({ "account": account, "report": report }));
        }
        println!(
            "connected {} at {} (client {})",
            account.email, account.server, account.client_id
        );
        match (&report.datasets, &report.offline_error) {
            (Some(n), _) => println!("the server accepted the token; {n} dataset(s) visible"),
            (None, Some(e)) => println!(
                "the server could not be reached ({e}); the token will be checked at the next sync"
            ),
            _ => {}
        }
        if report.token_stored {
            println!("the token is kept in the system credential store");
        }
        if let Some(why) = &report.store_unavailable {
            println!(
                "the system credential store is not available ({why}): the token was not kept; set DEEPEN_TOKEN for the next commands"
            );
        }
    }

    pub fn datasets(&self, list: &[DatasetInfo]) {
        if self.json {
            return self.print_json(&list);
        }
        if list.is_empty() {
            return println!("no datasets mirrored yet: run `dtasks pull`");
        }
        println!(
            "{:<12} {:>8}  {:<18} {:<14} NAME",
            "DATASET", "TASKS", "STAGES", "UPDATED"
        );
        let now = dtasks_core::clock::now_millis();
        for d in list {
            println!(
                "{:<12} {:>8}  {:<18} {:<14} {}",
                d.dataset_id,
                d.task_count,
                d.stages.join(","),
                d.tasks_pulled_at
                    .map_or_else(|| "never".to_string(), |at| ago(now - at)),
                d.dataset_name.as_deref().unwrap_or("")
            );
            if let (Some(error), Some(at)) = (&d.pull_error, d.pull_failed_at) {
                let next = d
                    .next_pull_at
                    .map_or_else(|| "at the next sync".to_string(), |at| within(at - now));
                println!(
                    "    could not refresh {}: {error} (next try {next})",
                    ago(now - at)
                );
            }
        }
    }

    pub fn tasks(&self, page: &TaskPage) {
        if self.json {
            return self.print_json(&page.rows);
        }
        if page.rows.is_empty() {
            return println!("no tasks match");
        }
        println!(
            "{:<28} {:<10} {:<12} {:<28} {:<10} PENDING",
            "TASK", "STAGE", "STATUS", "ASSIGNEE", "DUE"
        );
        for t in &page.rows {
            let pending = match (&t.pending, &t.pending_state) {
                (Some(kind), Some(state)) => {
                    format!("{kind} ({})", state.as_str().replace('_', " "))
                }
                _ => String::new(),
            };
            println!(
                "{:<28} {:<10} {:<12} {:<28} {:<10} {}",
                t.task_id,
                t.stage_id,
                t.status,
                t.assignee.as_deref().unwrap_or("-"),
                t.due_at_millis.map(date).unwrap_or_default(),
                pending
            );
        }
        if page.total > page.rows.len() as u64 {
            println!(
                "({} of {} shown; use --limit/--offset)",
                page.rows.len(),
                page.total
            );
        }
    }

    pub fn counts(&self, counts: &[Count]) {
        if self.json {
            return self.print_json(&counts);
        }
        for c in counts {
            println!(
                "{:>8}  {}",
                c.count,
                c.key.as_deref().unwrap_or("(unassigned)")
            );
        }
    }

    pub fn enqueued(&self, tasks: &[String], results: &[Enqueued]) {
        if self.json {
            let rows: Vec<_> = tasks
                .iter()
                .zip(results)
                .map(|(t, r)| json!({ "task_id": t, "queued": r }))
                .collect();
            return self.print_json(&rows);
        }
        for (task, result) in tasks.iter().zip(results) {
            let what = match result {
                Enqueued::Queued(id) => format!("queued ({id})"),
                Enqueued::Coalesced(id) => {
                    format!("queued, replacing the earlier reassignment ({id})")
                }
                Enqueued::Cancelled(_) => {
                    "back where it was: the waiting reassignment was dropped".to_string()
                }
                Enqueued::Unchanged => "already so: nothing to do".to_string(),
            };
            println!("{task}: {what}");
        }
    }

    pub fn push_summary(&self, push: &PushReport) {
        // Goes to stderr: stdout carries the command's own result (JSON included).
        if push.sign_in_needed {
            eprintln!(
                "not synced: the server refused the token; run `dtasks connect` again (everything is kept)"
            );
        } else if push.unreachable {
            eprintln!("offline: the action is queued and will be sent at the next sync");
        } else {
            eprintln!(
                "synced: {} applied, {} need attention, {} waiting to retry",
                push.done, push.needs_attention, push.retrying
            );
        }
    }

    /// `system`: the system says the connection is metered (followed or not).
    pub fn metered(&self, preferences: &Preferences, system: bool) {
        let metered = preferences.metered_now(system);
        if self.json {
            return self.print_json(&serde_json::json!({
                "metered": metered,
                "switch": preferences.metered,
                "follow_system": preferences.follow_system_metered,
                "system_says_metered": system,
            }));
        }
        println!(
            "{}",
            match (metered, preferences.metered) {
                (true, true) =>
                    "metered: on — sync refreshes only my tasks, never a whole dataset nor the delayed list",
                (true, false) =>
                    "metered: on, as the system says — sync refreshes only my tasks, never a whole dataset nor the delayed list (`dtasks metered --follow-system off` to ignore the system)",
                (false, _) => "metered: off — sync refreshes every dataset as it falls due",
            }
        );
        if !preferences.follow_system_metered {
            println!(
                "the system's word on a metered connection is ignored (`--follow-system on` to follow it)"
            );
        }
    }

    pub fn round(&self, report: &RoundReport) {
        if self.json {
            return self.print_json(report);
        }
        let push = &report.push;
        if push.done + push.needs_attention + push.retrying > 0
            || push.unreachable
            || push.sign_in_needed
        {
            self.push_summary(push);
        }
        if let Some(pull) = &report.pull {
            let count = |n: Option<usize>| n.map_or("unchanged".to_string(), |n| n.to_string());
            println!(
                "pulled {} dataset(s): {} task(s), {} changed, {} removed, {} unchanged since the last pull; my tasks: {}, delayed: {}",
                pull.datasets,
                pull.tasks_seen,
                pull.rows_written,
                pull.rows_removed,
                pull.unchanged,
                count(pull.my_tasks),
                count(pull.delayed)
            );
            for failure in &pull.failed {
                eprintln!(
                    "could not refresh dataset {}: {} (kept as it was; `dtasks pull` tries again)",
                    failure.dataset_id, failure.error
                );
            }
        }
        if let Some(e) = &report.pull_error {
            eprintln!("the pull failed and the mirror was left as it was: {e}");
        }
        for notice in &report.notices {
            println!("{}", crate::wording::notice(notice));
        }
    }

    pub fn queue(&self, ops: &[Op]) {
        if self.json {
            // `reason` in words, as a person reads it; `reason_data` as the core gives it.
            let worded: Vec<serde_json::Value> = ops
                .iter()
                .map(|op| {
                    let mut v = serde_json::to_value(op).expect("ops serialize");
                    v["reason_data"] = v["reason"].take();
                    v["reason"] = match op.attention {
                        Some(_) => crate::wording::reason(op).into(),
                        None => serde_json::Value::Null,
                    };
                    v
                })
                .collect();
            return self.print_json(&worded);
        }
        if ops.is_empty() {
            return println!("the queue is empty");
        }
        println!(
            "{:<36} {:<7} {:<28} {:<16} {:>3}  REASON",
            "OP", "KIND", "TASK", "STATE", "TRY"
        );
        for op in ops {
            let reason = crate::wording::reason(op);
            println!(
                "{:<36} {:<7} {:<28} {:<16} {:>3}  {}",
                op.op_id,
                op.kind.as_str(),
                op.task_id,
                op.state.as_str(),
                op.attempts,
                reason
            );
        }
    }

    pub fn resolved(&self, op_id: &str, after: Option<&Op>) {
        if self.json {
            return self.print_json(&json!({ "op_id": op_id, "op": after }));
        }
        match after {
            Some(op) => println!(
                "{op_id}: {} — it will be sent at the next sync",
                op.state.as_str()
            ),
            None => println!("{op_id}: discarded"),
        }
    }

    pub fn status(&self, account: Option<&Account>, status: &SyncStatus) {
        if self.json {
            return self.print_json(&json!({
                "account": account,
                "online": status.connectivity == dtasks_core::Connectivity::Online,
                "connectivity": status.connectivity,
                "pending": status.pending,
                "needs_attention": status.needs_attention,
                "last_sync_at": status.last_sync_at,
                "last_error": status.last_error,
            }));
        }
        match account {
            Some(a) => println!("account:         {} at {}", a.email, a.server),
            None => println!("account:         none (run `dtasks connect`)"),
        }
        println!("connectivity:    {:?}", status.connectivity);
        println!("pending:         {}", status.pending);
        println!("needs attention: {}", status.needs_attention);
        println!(
            "last sync:       {}",
            status
                .last_sync_at
                .map(date_time)
                .unwrap_or_else(|| "never".into())
        );
        if let Some(e) = &status.last_error {
            println!("last error:      {e}");
        }
    }

    /// A progress bar on stderr when it is a terminal and output is for a person.
    pub fn pull_progress(&self) -> Option<PullBar> {
        (!self.json && std::io::stderr().is_terminal()).then(PullBar::new)
    }
}

pub struct PullBar {
    bar: ProgressBar,
}

impl PullBar {
    fn new() -> Self {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self { bar }
    }

    pub fn callback(&self) -> Progress {
        let bar = self.bar.clone();
        Arc::new(move |event| match event {
            PullEvent::Datasets { count } => bar.set_message(format!("{count} dataset(s)")),
            PullEvent::DatasetStarted { dataset_id, name } => {
                bar.set_message(format!("{dataset_id} {}", name.unwrap_or_default()));
            }
            PullEvent::Tasks { dataset_id, seen } => {
                bar.set_message(format!("{dataset_id}: {seen} tasks"));
            }
            PullEvent::DatasetDone { dataset_id, counts } => bar.println(format!(
                "{dataset_id}: {} tasks, {} changed",
                counts.seen, counts.written
            )),
            PullEvent::DatasetUnchanged { dataset_id } => {
                bar.println(format!("{dataset_id}: unchanged"));
            }
            PullEvent::DatasetFailed { dataset_id, error } => {
                bar.println(format!("{dataset_id}: could not refresh ({error})"));
            }
            PullEvent::DatasetSkipped { dataset_id, reason } => {
                bar.println(format!("{dataset_id}: skipped ({reason})"));
            }
        })
    }

    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}

/// YYYY-MM-DD of a Unix-ms time (UTC), without a date crate.
fn date(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn date_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        date(ms),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// "just now", "3 min ago", "2 h ago", "5 d ago".
fn ago(millis: i64) -> String {
    let minutes = millis.max(0) / 60_000;
    match minutes {
        0 => "just now".to_string(),
        m if m < 60 => format!("{m} min ago"),
        m if m < 48 * 60 => format!("{} h ago", m / 60),
        m => format!("{} d ago", m / (24 * 60)),
    }
}

/// When something due in `millis` happens, in words.
fn within(millis: i64) -> String {
    let minutes = (millis.max(0) + 59_999) / 60_000;
    match minutes {
        0 => "at the next sync".to_string(),
        m if m < 60 => format!("in {m} min"),
        m => format!("in {} h", (m + 59) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits() {
        assert_eq!(within(-5), "at the next sync");
        assert_eq!(within(1), "in 1 min");
        assert_eq!(within(120_000), "in 2 min");
        assert_eq!(within(90 * 60_000), "in 2 h");
    }

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_764_400_000_000), "2025-11-29");
        assert_eq!(date_time(1_764_400_000_000), "2025-11-29 07:06:40 UTC");
    }
}
