//! Notices: what a sync round brought that the user would want to hear about while not
//! looking — tasks newly assigned to them, their submissions rejected, their tasks newly
//! late, their actions now waiting on a decision. Derived from the activity record since
//! the last round (the difference between the mirror before and after) and from due
//! times, batched per kind and dataset, never for the user's own changes, and only the
//! kinds they want. Each front end words them (the desktop shows them as notifications).

use std::collections::{BTreeMap, HashSet};

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::db::DbError;
use crate::mirror::Mirror;
use crate::outbox::{Op, OpState};
use crate::wire::{ActionKind, TaskStatus};

/// The mirror's `meta` key: the last activity id already considered.
const SEEN_KEY: &str = "notices_seen_id";
/// The mirror's `meta` key: tasks due up to this time were already considered late.
const LATE_KEY: &str = "notices_late_at";

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum NoticeKind {
    /// Actions of the user that wait on their decision.
    NeedsDecision,
    /// Submissions of the user that a reviewer rejected.
    Rejected,
    /// Tasks newly assigned to the user (by someone else).
    Assigned,
    /// Tasks of the user that are now past due.
    Late,
}

/// One notice: a kind of news about some tasks of one dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Notice {
    /// What it is about.
    pub kind: NoticeKind,
    /// The dataset.
    pub dataset_id: String,
    /// Its name, when known.
    pub dataset_name: Option<String>,
    /// The tasks, in the order seen.
    pub task_ids: Vec<String>,
    /// The reviewers' reasons (rejections), each once, when Deepen gave them.
    pub reasons: Vec<String>,
}

/// Which kinds of notice the user wants (all by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct NoticeKinds {
    /// Tasks newly assigned to me.
    pub assigned: bool,
    /// My submissions rejected.
    pub rejected: bool,
    /// My tasks newly late.
    pub late: bool,
    /// My actions waiting on a decision.
    pub needs_decision: bool,
}

impl Default for NoticeKinds {
    fn default() -> Self {
        Self {
            assigned: true,
            rejected: true,
            late: true,
            needs_decision: true,
        }
    }
}

impl NoticeKinds {
    /// Whether `kind` is wanted.
    pub fn wants(&self, kind: NoticeKind) -> bool {
        match kind {
            NoticeKind::Assigned => self.assigned,
            NoticeKind::Rejected => self.rejected,
            NoticeKind::Late => self.late,
            NoticeKind::NeedsDecision => self.needs_decision,
        }
    }
}

/// Notices gathered per kind and dataset.
#[derive(Default)]
struct Batches(BTreeMap<(NoticeKind, String), (Vec<String>, Vec<String>)>);

impl Batches {
    fn add(
        &mut self,
        kind: NoticeKind,
        dataset_id: String,
        task_id: String,
        reason: Option<String>,
    ) {
        let (tasks, reasons) = self.0.entry((kind, dataset_id)).or_default();
        if !tasks.contains(&task_id) {
            tasks.push(task_id);
        }
        if let Some(reason) = reason.filter(|r| !r.trim().is_empty())
            && !reasons.contains(&reason)
        {
            reasons.push(reason);
        }
    }
}

/// One piece of news found, before the user's own changes are set apart.
struct Candidate {
    kind: NoticeKind,
    dataset_id: String,
    task_id: String,
    reason: Option<String>,
}

/// The news since the last look, read from the mirror alone (phase one of two: the
/// outbox is asked only about the tasks named here, and only when there are some).
pub struct Gathered {
    candidates: Vec<Candidate>,
    seen_upto: i64,
    late_at: i64,
}

/// Reads the news for `me` at `now`, of the kinds wanted, since the last
/// [`Gathered::finish`]. The first look starts the late-task watch at `now` (tasks already
/// late are not news).
pub fn gather(
    mirror: &Mirror,
    me: &str,
    wanted: &NoticeKinds,
    now: i64,
) -> Result<Gathered, DbError> {
    let err = |e| DbError::from_sqlite(mirror.path(), e);
    let seen: i64 = mirror
        .meta(SEEN_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut candidates = Vec::new();
    let mut last = seen;
    {
        let mut stmt = mirror
            .conn()
            .prepare(
                "SELECT id, source, kind, task_id, dataset_id, old, new, note FROM activity
                  WHERE id > ?1 AND person = ?2 ORDER BY id",
            )
            .map_err(err)?;
        let mut rows = stmt.query(params![seen, me]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            last = r.get(0).map_err(err)?;
            let source: String = r.get(1).map_err(err)?;
            let field: String = r.get(2).map_err(err)?;
            let old: Option<String> = r.get(5).map_err(err)?;
            let new: Option<String> = r.get(6).map_err(err)?;
            let from_server = source == "server";
            let kind = match (field.as_str(), new.as_deref()) {
                ("assignee", Some(to)) if from_server && to == me => NoticeKind::Assigned,
                // Only a review rejects (from submitted, or further back when the submit
                // came and went between two pulls).
                ("status", Some("rejected"))
                    if from_server && old.as_deref() != Some("rejected") =>
                {
                    NoticeKind::Rejected
                }
                ("action", Some("needs_decision")) => NoticeKind::NeedsDecision,
                _ => continue,
            };
            if !wanted.wants(kind) {
                continue;
            }
            let note: Option<String> = r.get(7).map_err(err)?;
            candidates.push(Candidate {
                kind,
                task_id: r.get(3).map_err(err)?,
                dataset_id: r.get(4).map_err(err)?,
                reason: (kind == NoticeKind::Rejected).then_some(note).flatten(),
            });
        }
    }
    // Seen the whole record, including rows of other people: start after the last one.
    let newest: Option<i64> = mirror
        .conn()
        .query_row("SELECT max(id) FROM activity", [], |r| r.get(0))
        .optional()
        .map_err(err)?
        .flatten();
    if wanted.late {
        late_since_last(mirror, me, now, &mut candidates)?;
    }
    Ok(Gathered {
        candidates,
        seen_upto: newest.unwrap_or(last).max(last),
        late_at: now,
    })
}

impl Gathered {
    /// The tasks whose news may be the user's own doing: their actions decide (see
    /// [`Gathered::finish`]). Empty when nothing needs checking.
    pub fn tasks_to_check(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .candidates
            .iter()
            .filter(|c| c.kind != NoticeKind::NeedsDecision)
            .map(|c| c.task_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Sets the user's own changes apart (`own`: the actions on [`Self::tasks_to_check`],
    /// done ones included), batches the rest per kind and dataset, and marks it all told.
    pub fn finish(self, mirror: &Mirror, own: &[Op], me: &str) -> Result<Vec<Notice>, DbError> {
        let mine = own_changes(own, me);
        let mut batches = Batches::default();
        for c in self.candidates {
            let own_doing = match c.kind {
                NoticeKind::Assigned => mine.assigned.contains(&c.task_id),
                NoticeKind::Rejected => mine.reviewed.contains(&c.task_id),
                // Submitted (or otherwise acted on) here and not yet sent: not late for them.
                NoticeKind::Late => mine.acting.contains(&c.task_id),
                NoticeKind::NeedsDecision => false,
            };
            if !own_doing {
                batches.add(c.kind, c.dataset_id, c.task_id, c.reason);
            }
        }
        mirror.set_meta(SEEN_KEY, &self.seen_upto.to_string())?;
        mirror.set_meta(LATE_KEY, &self.late_at.to_string())?;
        let names = dataset_names(mirror)?;
        Ok(batches
            .0
            .into_iter()
            .map(|((kind, dataset_id), (task_ids, reasons))| Notice {
                kind,
                dataset_name: names.get(&dataset_id).cloned(),
                dataset_id,
                task_ids,
                reasons,
            })
            .collect())
    }
}

/// Tasks of `me` whose due time passed since the last look, still open.
fn late_since_last(
    mirror: &Mirror,
    me: &str,
    now: i64,
    candidates: &mut Vec<Candidate>,
) -> Result<(), DbError> {
    let err = |e| DbError::from_sqlite(mirror.path(), e);
    let Some(since) = mirror.meta(LATE_KEY)?.and_then(|v| v.parse::<i64>().ok()) else {
        return Ok(());
    };
    let open: Vec<String> = TaskStatus::open_statuses()
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let mut stmt = mirror
        .conn()
        .prepare(&format!(
            "SELECT task_id, dataset_id FROM tasks
              WHERE assignee = ?1 AND due_sort > ?2 AND due_sort <= ?3 AND status IN ({})
              ORDER BY due_sort",
            open.join(", ")
        ))
        .map_err(err)?;
    let rows = stmt
        .query_map(params![me, since, now], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(err)?;
    for row in rows {
        let (task_id, dataset_id): (String, String) = row.map_err(err)?;
        candidates.push(Candidate {
            kind: NoticeKind::Late,
            dataset_id,
            task_id,
            reason: None,
        });
    }
    Ok(())
}

fn dataset_names(mirror: &Mirror) -> Result<BTreeMap<String, String>, DbError> {
    let err = |e| DbError::from_sqlite(mirror.path(), e);
    let mut stmt = mirror
        .conn()
        .prepare("SELECT dataset_id, dataset_name FROM datasets WHERE dataset_name IS NOT NULL")
        .map_err(err)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(err)?;
    rows.collect::<Result<_, _>>().map_err(err)
}

/// Tasks whose change a pull may bring back as the server's though this user made it (an
/// answer lost on the way, seen by the next pull): assignments to themselves and their
/// own reviews, from their actions (done ones stay in the queue a while); and tasks with a
/// status action not done yet.
struct OwnChanges {
    assigned: HashSet<String>,
    reviewed: HashSet<String>,
    acting: HashSet<String>,
}

fn own_changes(actions: &[Op], me: &str) -> OwnChanges {
    let mut own = OwnChanges {
        assigned: HashSet::new(),
        reviewed: HashSet::new(),
        acting: HashSet::new(),
    };
    for op in actions {
        if op.kind.changes_status() && op.state != OpState::Done {
            own.acting.insert(op.task_id.clone());
        }
        match op.kind {
            ActionKind::Assign if op.assignee.as_deref() == Some(me) => {
                own.assigned.insert(op.task_id.clone());
            }
            ActionKind::Reject => {
                own.reviewed.insert(op.task_id.clone());
            }
            _ => {}
        }
    }
    own
}
