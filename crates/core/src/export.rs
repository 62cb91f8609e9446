//! CSV exports of what the user sees: a task list, the review panel, the activity list.
//! RFC 4180 (the `csv` crate: quotes where needed, CRLF-free `\n` rows), one header row,
//! times in UTC as ISO 8601 to the second, empty cells for what is not known. A file is
//! written whole to a temporary file beside it and renamed: a failed export leaves no half
//! file.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::activity::{ActivityEntry, ActivityQuery, ReviewQuery, ReviewRow};
use crate::view::{TaskQuery, TaskRow};

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Export {
    /// Every task of a list (all pages; the query's own offset and limit are ignored).
    Tasks {
        /// The list.
        query: TaskQuery,
    },
    /// The review panel.
    Review {
        /// Whose, over which period.
        query: ReviewQuery,
    },
    /// The activity list (every page from the query's start).
    Activity {
        /// Which changes.
        query: ActivityQuery,
    },
}

/// A failed export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// Where.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A time as `2026-11-30T10:05:00Z`; empty when unknown.
pub fn iso_time(millis: Option<i64>) -> String {
    millis
        .and_then(|ms| jiff::Timestamp::from_second(ms.div_euclid(1000)).ok())
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn text(v: Option<&str>) -> &str {
    v.unwrap_or_default()
}

/// Task rows as CSV, as the user sees them (pending changes laid over).
pub fn tasks_csv(rows: &[TaskRow], out: impl Write) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "task_id",
        "dataset_id",
        "stage",
        "status",
        "assignee",
        "due",
        "updated",
        "late_by_minutes",
        "pending_action",
        "pending_state",
    ])?;
    for r in rows {
        w.write_record([
            r.task_id.as_str(),
            &r.dataset_id,
            &r.stage_id,
            r.status.as_str(),
            text(r.assignee.as_deref()),
            &iso_time(r.due_at_millis),
            &iso_time(r.updated_at_millis),
            &r.delayed_by_millis
                .map(|ms| (ms / 60_000).to_string())
                .unwrap_or_default(),
            r.pending.map(|k| k.as_str()).unwrap_or_default(),
            r.pending_state.map(|s| s.as_str()).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The review panel as CSV (times in minutes, the rate as a fraction).
pub fn review_csv(rows: &[ReviewRow], out: impl Write) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "person",
        "submitted",
        "accepted",
        "rejected",
        "reject_rate",
        "median_minutes_to_review",
        "median_minutes_rejected",
    ])?;
    let minutes = |ms: Option<i64>| {
        ms.map(|ms| format!("{:.1}", ms as f64 / 60_000.0))
            .unwrap_or_default()
    };
    for r in rows {
        w.write_record([
            r.person.as_str(),
            &r.submitted.to_string(),
            &r.accepted.to_string(),
            &r.rejected.to_string(),
            &r.reject_rate.map(|x| format!("{x:.3}")).unwrap_or_default(),
            &minutes(r.median_review_ms),
            &minutes(r.median_rejected_ms),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Activity entries as CSV.
pub fn activity_csv(entries: &[ActivityEntry], out: impl Write) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "seen_at",
        "source",
        "kind",
        "task_id",
        "dataset_id",
        "person",
        "from",
        "to",
        "note",
    ])?;
    for e in entries {
        w.write_record([
            iso_time(Some(e.at)).as_str(),
            match e.source {
                crate::activity::Source::Server => "server",
                crate::activity::Source::Device => "this device",
            },
            e.kind.as_str(),
            &e.task_id,
            &e.dataset_id,
            text(e.person.as_deref()),
            text(e.old.as_deref()),
            text(e.new.as_deref()),
            text(e.note.as_deref()),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Writes `bytes` to `path` whole (a temporary file beside it, renamed; readable by this
/// user only, like every file the app writes).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let err = |source| ExportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = std::path::PathBuf::from(tmp);
    if let Err(e) = crate::private::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::{ActivityKind, Source};
    use crate::outbox::OpState;
    use crate::wire::{ActionKind, TaskStatus};

    #[test]
    fn a_task_list_is_exported_byte_for_byte_with_quotes_where_needed() {
        let row = TaskRow {
            task_id: "ds1-f0007-Labelling".into(),
            dataset_id: "ds1".into(),
            task_type: "file".into(),
            stage_id: "Labelling".into(),
            status: TaskStatus::Known(crate::wire::KnownTaskStatus::Submitted),
            assignee: Some("ana@example.com".into()),
            server_status: TaskStatus::READY,
            server_assignee: Some("ana@example.com".into()),
            pending: Some(ActionKind::Submit),
            pending_state: Some(OpState::Pending),
            file_id: None,
            label_id: None,
            due_at_millis: Some(1_764_500_000_999),
            updated_at_millis: None,
            delayed_by_millis: Some(5_400_000),
        };
        let odd = TaskRow {
            task_id: "x,\"y\"".into(),
            stage_id: "QA\nround 2".into(),
            status: TaskStatus::Unknown("on_hold".into()),
            assignee: None,
            pending: None,
            pending_state: None,
            due_at_millis: None,
            delayed_by_millis: None,
            ..row.clone()
        };
        let mut out = Vec::new();
        tasks_csv(&[row, odd], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "task_id,dataset_id,stage,status,assignee,due,updated,late_by_minutes,pending_action,pending_state\n\
             ds1-f0007-Labelling,ds1,Labelling,submitted,ana@example.com,2025-11-30T10:53:20Z,,90,submit,pending\n\
             \"x,\"\"y\"\"\",ds1,\"QA\nround 2\",on_hold,,,,,,\n"
        );
    }

    #[test]
    fn the_review_panel_and_activity_are_exported_byte_for_byte() {
        let mut out = Vec::new();
        review_csv(
            &[ReviewRow {
                person: "ana@example.com".into(),
                submitted: 3,
                accepted: 2,
                rejected: 1,
                reject_rate: Some(1.0 / 3.0),
                median_review_ms: Some(20 * 60_000),
                median_rejected_ms: None,
            }],
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "person,submitted,accepted,rejected,reject_rate,median_minutes_to_review,median_minutes_rejected\n\
             ana@example.com,3,2,1,0.333,20.0,\n"
        );
        let mut out = Vec::new();
        activity_csv(
            &[ActivityEntry {
                id: 7,
                at: 1_764_500_000_000,
                source: Source::Server,
                kind: ActivityKind::Status,
                task_id: "t1".into(),
                dataset_id: "ds1".into(),
                person: Some("ana@example.com".into()),
                old: Some("submitted".into()),
                new: Some("rejected".into()),
                note: Some("Boxes \"too\" loose".into()),
            }],
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "seen_at,source,kind,task_id,dataset_id,person,from,to,note\n\
             2025-11-30T10:53:20Z,server,status,t1,ds1,ana@example.com,submitted,rejected,\"Boxes \"\"too\"\" loose\"\n"
        );
    }
}
