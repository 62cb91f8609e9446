//! The review panel: per person, for a period, how their work fared in review — what they
//! submitted, what reviewers accepted and rejected, how long a submission waited for its
//! review and how long a rejected task stayed rejected. From the status changes this device
//! recorded: a review whose submit it did not see has no waiting time, and an interval is
//! counted when it ends within the period.

use std::collections::BTreeMap;

use rusqlite::params_from_iter;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::db::DbError;
use crate::mirror::Mirror;

/// Whose review figures, over which period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ReviewQuery {
    /// From (Unix ms, included).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub from: i64,
    /// To (Unix ms, excluded).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub to: i64,
    /// Only this person; `None`: everyone seen in the period.
    pub person: Option<String>,
    /// Only this dataset's tasks.
    pub dataset_id: Option<String>,
}

/// One person's review figures for the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReviewRow {
    /// The person (the assignee of the tasks).
    pub person: String,
    /// Submissions seen.
    pub submitted: u32,
    /// Their submissions accepted.
    pub accepted: u32,
    /// Their submissions rejected.
    pub rejected: u32,
    /// Rejected out of reviewed (`None`: nothing reviewed).
    pub reject_rate: Option<f64>,
    /// Median time from a submit to its review (ms), when both were seen.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub median_review_ms: Option<i64>,
    /// Median time a task stayed rejected before it was submitted again (ms).
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub median_rejected_ms: Option<i64>,
}

/// Status changes of one task, oldest first, folded into a person's figures.
#[derive(Default)]
struct Tally {
    row: ReviewRow,
    review_waits: Vec<i64>,
    rejected_spells: Vec<i64>,
}

impl Tally {
    fn finish(mut self) -> ReviewRow {
        let reviewed = self.row.accepted + self.row.rejected;
        self.row.reject_rate =
            (reviewed > 0).then(|| f64::from(self.row.rejected) / f64::from(reviewed));
        self.row.median_review_ms = median(&mut self.review_waits);
        self.row.median_rejected_ms = median(&mut self.rejected_spells);
        self.row
    }
}

fn median(v: &mut [i64]) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2
    })
}

impl Mirror {
    /// The review figures of [`ReviewQuery`], one row per person, by name.
    pub fn review(&self, q: &ReviewQuery) -> Result<Vec<ReviewRow>, DbError> {
        let err = |e| DbError::from_sqlite(self.path(), e);
        // Changes before the period count only as the start of an interval that ends in it;
        // the record keeps 90 days, so that is as far back as an interval can start.
        let mut filters = vec!["kind = 'status'".to_string(), "at < ?1".to_string()];
        let mut args = vec![Value::Integer(q.to)];
        if let Some(person) = &q.person {
            args.push(Value::Text(person.clone()));
            filters.push(format!("person = ?{}", args.len()));
        } else {
            // Everyone: the histories of the tasks whose status changed in the period (found
            // by the index by time; each read by the index by task), not the whole record.
            args.push(Value::Integer(q.from));
            filters.push(format!(
                "task_id IN (SELECT task_id FROM activity WHERE at >= ?{n} AND at < ?1 AND kind = 'status')",
                n = args.len()
            ));
        }
        if let Some(dataset) = &q.dataset_id {
            args.push(Value::Text(dataset.clone()));
            filters.push(format!("dataset_id = ?{}", args.len()));
        }
        let sql = format!(
            "SELECT person, task_id, at, old, new FROM activity WHERE {} AND person IS NOT NULL
             ORDER BY person, task_id, at, id",
            filters.join(" AND ")
        );
        let mut stmt = self.conn().prepare(&sql).map_err(err)?;
        let mut rows = stmt.query(params_from_iter(args)).map_err(err)?;
        let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
        // The task being walked, with when it was last submitted and last rejected.
        let mut current: Option<(String, String)> = None;
        let (mut submitted_at, mut rejected_at): (Option<i64>, Option<i64>) = (None, None);
        while let Some(r) = rows.next().map_err(err)? {
            let person: String = r.get(0).map_err(err)?;
            let task: String = r.get(1).map_err(err)?;
            let at: i64 = r.get(2).map_err(err)?;
            let old: Option<String> = r.get(3).map_err(err)?;
            let new: Option<String> = r.get(4).map_err(err)?;
            if current.as_ref() != Some(&(person.clone(), task.clone())) {
                current = Some((person.clone(), task));
                (submitted_at, rejected_at) = (None, None);
            }
            let in_period = at >= q.from;
            let tally = tallies.entry(person).or_default();
            // Only a review accepts or rejects; its submit may have come and gone between
            // two pulls (then the wait for it is not known).
            let reviewed = old.as_deref() != new.as_deref();
            match new.as_deref() {
                Some("submitted") => {
                    if in_period {
                        tally.row.submitted += 1;
                        if let Some(since) = rejected_at {
                            tally.rejected_spells.push(at - since);
                        }
                    }
                    (submitted_at, rejected_at) = (Some(at), None);
                }
                Some(verdict @ ("accepted" | "rejected")) if reviewed => {
                    if in_period {
                        if verdict == "accepted" {
                            tally.row.accepted += 1;
                        } else {
                            tally.row.rejected += 1;
                        }
                        if let Some(since) = submitted_at {
                            tally.review_waits.push(at - since);
                        }
                    }
                    submitted_at = None;
                    rejected_at = (verdict == "rejected").then_some(at);
                }
                _ => submitted_at = None,
            }
        }
        Ok(tallies
            .into_iter()
            .filter(|(_, t)| t.row.submitted + t.row.accepted + t.row.rejected > 0)
            .map(|(person, t)| ReviewRow {
                person,
                ..t.finish()
            })
            .collect())
    }
}
