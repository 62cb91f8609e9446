//! `dtasks pull`, `dtasks sync` and the one sync attempt after an action: rounds of the
//! core's engine, and the exit codes they end with.

use std::time::Duration;

use anyhow::Result;
use dtasks_core::engine::{EngineError, PushReport, RoundReport};
use dtasks_core::{Scope, Workspace, clock::now_millis};

use crate::exit;
use crate::output::Out;

/// The exit code for a round that failed before it could finish.
fn failure_code(e: &EngineError) -> Option<u8> {
    use dtasks_core::client::ErrorClass;
    match e {
        EngineError::Api(api) if api.is_transport() => Some(exit::UNREACHABLE),
        EngineError::Api(api) if api.class() == ErrorClass::SignIn => Some(exit::SIGN_IN),
        _ => None,
    }
}

pub async fn pull(ws: &Workspace, out: &Out) -> Result<u8> {
    let engine = ws.engine()?;
    let bar = out.pull_progress();
    let result = engine
        .sync_once(Scope::Pull, bar.as_ref().map(|b| b.callback()))
        .await;
    if let Some(bar) = bar {
        bar.finish();
    }
    match result {
        Ok(report) => {
            out.round(&report);
            let some_failed = report.pull.as_ref().is_some_and(|p| !p.failed.is_empty());
            Ok(if report.pull_error.is_some() || some_failed {
                exit::ERROR
            } else {
                exit::OK
            })
        }
        Err(e) => match failure_code(&e) {
            Some(code) => {
                out.warning(&format!("{e}; the mirror was left as it was"));
                Ok(code)
            }
            None => Err(e.into()),
        },
    }
}

/// `dtasks sync`: bounded by `max_wait` plus one request's time, whatever the server does.
/// Cut short, every queued action is kept (one in flight is checked next time) and a pull
/// not finished is rolled back.
pub async fn sync(ws: &Workspace, out: &Out, max_wait: u64) -> Result<u8> {
    let limit = Duration::from_secs(max_wait) + ws.timeouts().request;
    match tokio::time::timeout(limit, sync_rounds(ws, out, max_wait)).await {
        Ok(result) => result,
        Err(_) => {
            out.warning(&format!(
                "stopped after {} s (--max-wait {max_wait} plus one request's time): every queued action is kept; a pull that had not finished left the mirror as it was (`dtasks pull` has no time limit)",
                limit.as_secs()
            ));
            Ok(exit::UNREACHABLE)
        }
    }
}

async fn sync_rounds(ws: &Workspace, out: &Out, max_wait: u64) -> Result<u8> {
    let engine = ws.engine()?;
    let deadline = now_millis() + (max_wait as i64) * 1000;
    let bar = out.pull_progress();
    let mut result = engine
        .sync_once(Scope::Full, bar.as_ref().map(|b| b.callback()))
        .await;
    if let Some(bar) = bar {
        bar.finish();
    }
    // Actions backing off after a server error: wait for them while the deadline allows.
    // The rounds after the first push only; their outcomes add up to one report.
    let mut first_pull = None;
    let mut pushed = PushReport::default();
    let mut notices = Vec::new();
    while let Ok(report) = &result {
        first_pull = first_pull.or_else(|| Some((report.pull.clone(), report.pull_error.clone())));
        notices.extend(report.notices.iter().cloned());
        pushed = add(pushed, &report.push);
        if report.push.unreachable || report.push.sign_in_needed {
            break;
        }
        // Bound first: a guard in the match head would hold the queue's lock across the round.
        let next_due = ws.store().outbox().next_due_at()?;
        match next_due {
            Some(at) if at <= deadline => {
                tokio::time::sleep(Duration::from_millis((at - now_millis()).max(0) as u64)).await;
                result = engine.sync_once(Scope::Push, None).await;
            }
            _ => break,
        }
    }
    let report = match result {
        Ok(last) => {
            let (pull, pull_error) = first_pull.unwrap_or_default();
            RoundReport {
                push: PushReport {
                    unreachable: last.push.unreachable,
                    sign_in_needed: last.push.sign_in_needed,
                    ..pushed
                },
                pull,
                pull_error,
                changes: Vec::new(),
                notices,
            }
        }
        Err(e) => match failure_code(&e) {
            Some(code) => {
                out.warning(&format!("{e}; every queued action is kept"));
                return Ok(code);
            }
            None => return Err(e.into()),
        },
    };
    out.round(&report);
    let status = ws.status()?;
    Ok(if report.push.sign_in_needed {
        exit::SIGN_IN
    } else if report.push.unreachable {
        exit::UNREACHABLE
    } else if status.needs_attention > 0 {
        exit::NEEDS_ATTENTION
    } else if status.pending > 0 {
        // Reachable, but the server kept failing past --max-wait: the queue is kept.
        exit::UNREACHABLE
    } else if report.pull_error.is_some()
        || report.pull.as_ref().is_some_and(|p| !p.failed.is_empty())
    {
        exit::ERROR
    } else {
        exit::OK
    })
}

/// The outcomes of several rounds, added up.
fn add(total: PushReport, round: &PushReport) -> PushReport {
    PushReport {
        done: total.done + round.done,
        needs_attention: total.needs_attention + round.needs_attention,
        // Only the last round says what is still waiting.
        retrying: round.retrying,
        unreachable: round.unreachable,
        sign_in_needed: round.sign_in_needed,
        last_error: round.last_error.clone().or(total.last_error),
        changes: total.changes,
    }
}

/// One push after an action; the action is already queued, so nothing here can fail it.
pub async fn after_action(ws: &Workspace, out: &Out) {
    let engine = match ws.engine() {
        Ok(engine) => engine,
        Err(e) => {
            out.warning(&format!("queued, not sent: {e}"));
            return;
        }
    };
    match engine.sync_once(Scope::Push, None).await {
        Ok(report) => out.push_summary(&report.push),
        Err(e) => out.warning(&format!("queued; sync later: {e}")),
    }
}
