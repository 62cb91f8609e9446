//! `dtasks history`, `activity` and `review`: the activity record read from the mirror
//! (offline too), printed, or written whole as CSV to a file or standard output.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use dtasks_core::Workspace;
use dtasks_core::activity::{ActivityQuery, ReviewQuery};
use dtasks_core::clock::now_millis;
use dtasks_core::export::Export;

use crate::exit;
use crate::output::Out;

const DAY_MS: i64 = 24 * 3600 * 1000;

pub fn history(ws: &Workspace, out: &Out, task: &str) -> Result<u8> {
    out.history(task, &ws.task_history(task)?);
    Ok(exit::OK)
}

pub fn activity(ws: &Workspace, out: &Out, query: ActivityQuery, csv: Option<&Path>) -> Result<u8> {
    if let Some(path) = csv {
        return write_csv(ws, out, &Export::Activity { query }, path);
    }
    out.activity(&ws.activity(&query)?);
    Ok(exit::OK)
}

pub fn review(ws: &Workspace, out: &Out, query: ReviewQuery, csv: Option<&Path>) -> Result<u8> {
    if let Some(path) = csv {
        return write_csv(ws, out, &Export::Review { query }, path);
    }
    out.review(&ws.review(&query)?, &query);
    Ok(exit::OK)
}

/// The last `days` days up to now.
pub fn since_days(days: u32) -> i64 {
    now_millis() - i64::from(days) * DAY_MS
}

/// Writes `what` as CSV: to standard output for `-`, else to the file, whole or not at
/// all (the core writes beside it and renames).
pub fn write_csv(ws: &Workspace, out: &Out, what: &Export, path: &Path) -> Result<u8> {
    if path == Path::new("-") {
        let (bytes, _) = ws.csv(what)?;
        let mut stdout = std::io::stdout().lock();
        match stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
            // The reader had enough (`| head`): not a failure.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            written => written.context("cannot write the CSV to standard output")?,
        }
    } else {
        let rows = ws.export_csv(what, path)?;
        out.exported(rows, path);
    }
    Ok(exit::OK)
}
