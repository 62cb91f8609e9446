//! Refresh by need: which datasets a round pulls whole, and when a dataset no view shows
//! is next due. My tasks and the dataset list are small and asked for every round
//! (conditionally); the delayed list every round while a view shows it, else every
//! [`DELAYED_EVERY`] (its lateness figures change with every answer, so it is never a 304);
//! a dataset's whole task list is the expensive part:
//!
//! - a dataset a view shows is pulled every round (a 304 when it did not change);
//! - any other dataset when it falls due: every [`DATASET_EVERY`] while it changes, the
//!   wait doubling up to [`DATASET_EVERY_MAX`] while it does not;
//! - a dataset whose pull failed is tried again after [`RETRY_FIRST`], doubling up to
//!   [`RETRY_MAX`], never sooner than the server's `Retry-After`, on screen or not;
//! - "Sync now" (and the CLI's `pull` / `sync`) pulls every dataset at once;
//! - on a metered connection only my tasks and what a view shows are pulled, even on
//!   "Sync now".

use std::collections::HashSet;
use std::time::Duration;

use crate::mirror::DatasetSchedule;

/// How often a dataset no view shows is pulled while it keeps changing.
pub const DATASET_EVERY: Duration = Duration::from_secs(15 * 60);
/// The longest wait for a dataset no view shows that does not change.
pub const DATASET_EVERY_MAX: Duration = Duration::from_secs(4 * 3600);
/// The first wait after a dataset's pull failed.
pub const RETRY_FIRST: Duration = Duration::from_secs(2 * 60);
/// The longest wait between tries of a dataset whose pulls keep failing.
pub const RETRY_MAX: Duration = Duration::from_secs(3600);
/// How often the delayed list is pulled while no view shows it.
pub const DELAYED_EVERY: Duration = Duration::from_secs(10 * 60);

/// What the window shows now, so that it is refreshed every round.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Shown {
    /// The datasets whose tasks a view shows (the board's).
    pub dataset_ids: Vec<String>,
    /// A view shows the delayed list.
    pub delayed: bool,
}

/// What one round's pull is asked to cover.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Demand {
    /// Every dataset now, whatever its schedule ("Sync now", `dtasks pull`).
    pub everything: bool,
    /// A metered connection: only my tasks and what a view shows.
    pub metered: bool,
    /// The datasets a view shows now.
    pub watched: HashSet<String>,
    /// A view shows the delayed list now.
    pub delayed_shown: bool,
    /// How long ago this process last pulled the delayed list; `None`: not yet.
    pub delayed_pulled_ago: Option<Duration>,
}

impl Demand {
    /// Whether this round pulls the dataset with `schedule` whole.
    pub fn wants(&self, schedule: &DatasetSchedule, now_millis: i64) -> bool {
        let watched = self.watched.contains(&schedule.dataset_id);
        let waiting = schedule.next_pull_at.is_some_and(|at| at > now_millis);
        if self.metered && !watched {
            false
        } else if self.everything {
            true
        } else if schedule.failing {
            // Spare a failing server, on screen or not.
            !waiting
        } else {
            watched || !waiting
        }
    }
}

impl Demand {
    /// Whether this round pulls the delayed list.
    pub fn wants_delayed(&self) -> bool {
        if self.delayed_shown {
            true
        } else if self.metered {
            false
        } else {
            self.everything
                || self
                    .delayed_pulled_ago
                    .is_none_or(|ago| ago >= DELAYED_EVERY)
        }
    }
}

/// How a dataset's pull went, for its schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Rows were written or removed.
    Changed,
    /// The server said 304, or the list was the same, or it may not be listed (403).
    Unchanged,
    /// It could not be pulled; the server may have said when to come back.
    Failed {
        /// The server's `Retry-After`, when given.
        retry_after: Option<Duration>,
    },
}

/// The schedule after a pull with `outcome`: when the dataset is next due and how many
/// quiet pulls in a row it has had.
pub fn after_pull(quiet_pulls: u32, outcome: Outcome, now_millis: i64) -> (i64, u32) {
    let at = |wait: Duration| now_millis.saturating_add(wait.as_millis() as i64);
    match outcome {
        Outcome::Changed => (at(DATASET_EVERY), 0),
        Outcome::Unchanged => {
            let quiet = quiet_pulls.saturating_add(1);
            (
                at(doubled(DATASET_EVERY, quiet - 1, DATASET_EVERY_MAX)),
                quiet,
            )
        }
        Outcome::Failed { retry_after } => {
            let quiet = quiet_pulls.saturating_add(1);
            let wait = doubled(RETRY_FIRST, quiet - 1, RETRY_MAX);
            (at(wait.max(retry_after.unwrap_or_default())), quiet)
        }
    }
}

/// `base` doubled `times` times, at most `cap`.
fn doubled(base: Duration, times: u32, cap: Duration) -> Duration {
    base.saturating_mul(1u32 << times.min(20)).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000_000;
    const MIN: i64 = 60_000;

    fn schedule(next_pull_at: Option<i64>, failing: bool) -> DatasetSchedule {
        DatasetSchedule {
            dataset_id: "ds".into(),
            next_pull_at,
            quiet_pulls: 0,
            failing,
        }
    }

    fn demand(everything: bool, metered: bool, watched: bool) -> Demand {
        Demand {
            everything,
            metered,
            watched: if watched {
                ["ds".to_string()].into()
            } else {
                HashSet::new()
            },
            ..Demand::default()
        }
    }

    #[test]
    fn what_a_round_pulls() {
        let later = Some(NOW + MIN);
        let earlier = Some(NOW - MIN);
        // (next_pull_at, failing, everything, metered, watched) -> pulled
        let table = [
            (None, false, false, false, false, true),
            (earlier, false, false, false, false, true),
            (later, false, false, false, false, false),
            (later, false, false, false, true, true),
            (later, false, true, false, false, true),
            (later, true, false, false, true, false),
            (later, true, true, false, false, true),
            (earlier, true, false, false, true, true),
            (None, false, true, true, false, false),
            (None, false, false, true, false, false),
            (later, false, true, true, true, true),
            (later, false, false, true, true, true),
        ];
        for (next, failing, everything, metered, watched, pulled) in table {
            assert_eq!(
                demand(everything, metered, watched).wants(&schedule(next, failing), NOW),
                pulled,
                "next {next:?} failing {failing} everything {everything} metered {metered} watched {watched}"
            );
        }
    }

    #[test]
    fn quiet_datasets_wait_longer_and_longer_up_to_the_cap() {
        let mut quiet = 0;
        let mut waits = Vec::new();
        for _ in 0..7 {
            let (at, q) = after_pull(quiet, Outcome::Unchanged, NOW);
            waits.push((at - NOW) / MIN);
            quiet = q;
        }
        assert_eq!(waits, [15, 30, 60, 120, 240, 240, 240]);
        assert_eq!(
            after_pull(quiet, Outcome::Changed, NOW),
            (NOW + 15 * MIN, 0)
        );
        assert_eq!(
            after_pull(u32::MAX, Outcome::Unchanged, NOW).0,
            NOW + 240 * MIN
        );
    }

    #[test]
    fn failures_back_off_and_honour_retry_after() {
        let failed = Outcome::Failed { retry_after: None };
        assert_eq!(after_pull(0, failed, NOW), (NOW + 2 * MIN, 1));
        assert_eq!(after_pull(3, failed, NOW), (NOW + 16 * MIN, 4));
        assert_eq!(after_pull(30, failed, NOW).0, NOW + 60 * MIN);
        let told = Outcome::Failed {
            retry_after: Some(Duration::from_secs(600)),
        };
        assert_eq!(after_pull(0, told, NOW).0, NOW + 10 * MIN);
    }
}
