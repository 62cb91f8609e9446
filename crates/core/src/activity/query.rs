//! Reading the record: one task's history, and the activity list (newest first, filtered
//! by person, dataset and kind, a page at a time from where the last one ended — keyset
//! paging on the indexes by time, so an old page costs what the first does).

use rusqlite::params_from_iter;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use super::{ActivityEntry, ActivityKind, ENTRY_COLUMNS, read_entry};
use crate::db::DbError;
use crate::mirror::Mirror;

/// Which changes to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ActivityQuery {
    /// Only this person's (see [`ActivityEntry::person`]).
    pub person: Option<String>,
    /// Only this dataset's.
    pub dataset_id: Option<String>,
    /// Only these kinds; empty: all.
    pub kinds: Vec<ActivityKind>,
    /// Only changes seen at or after this time (Unix ms).
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub since: Option<i64>,
    /// The page after the one that ended here ([`ActivityPage::next`]); `None`: the newest.
    pub before: Option<ActivityCursor>,
    /// How many at most (0: 100; at most 1,000).
    pub limit: u32,
}

/// Where a page of the activity list ended: the last entry's time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ActivityCursor {
    /// Its time.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub at: i64,
    /// Its id.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
}

/// A page of the activity list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ActivityPage {
    /// Newest first.
    pub entries: Vec<ActivityEntry>,
    /// Where the next (older) page starts, when there is one.
    pub next: Option<ActivityCursor>,
}

impl Mirror {
    /// Everything recorded of one task, oldest first.
    pub fn task_history(&self, task_id: &str) -> Result<Vec<ActivityEntry>, DbError> {
        let err = |e| DbError::from_sqlite(self.path(), e);
        let mut stmt = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLUMNS} FROM activity WHERE task_id = ?1 ORDER BY id"
            ))
            .map_err(err)?;
        let rows = stmt.query_map([task_id], read_entry).map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    /// A page of recorded changes, newest first.
    pub fn activity(&self, q: &ActivityQuery) -> Result<ActivityPage, DbError> {
        let err = |e| DbError::from_sqlite(self.path(), e);
        let limit = match q.limit {
            0 => 100,
            n => n.min(1_000),
        };
        let mut filters = vec!["1".to_string()];
        let mut args: Vec<Value> = Vec::new();
        let mut arg = |filters: &mut Vec<String>, sql: &str, value: Value| {
            args.push(value);
            filters.push(sql.replace('?', &format!("?{}", args.len())));
        };
        if let Some(person) = &q.person {
            arg(&mut filters, "person = ?", Value::Text(person.clone()));
        }
        if let Some(dataset) = &q.dataset_id {
            arg(&mut filters, "dataset_id = ?", Value::Text(dataset.clone()));
        }
        if let Some(since) = q.since {
            arg(&mut filters, "at >= ?", Value::Integer(since));
        }
        if let Some(before) = q.before {
            args.push(Value::Integer(before.at));
            args.push(Value::Integer(before.id));
            let (at, id) = (args.len() - 1, args.len());
            filters.push(format!("(at < ?{at} OR (at = ?{at} AND id < ?{id}))"));
        }
        if !q.kinds.is_empty() && q.kinds.len() < ActivityKind::ALL.len() {
            let kinds: Vec<String> = q
                .kinds
                .iter()
                .map(|k| format!("'{}'", k.as_str()))
                .collect();
            filters.push(format!("kind IN ({})", kinds.join(", ")));
        }
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM activity WHERE {} ORDER BY at DESC, id DESC LIMIT {}",
            filters.join(" AND "),
            limit + 1
        );
        let mut stmt = self.conn().prepare(&sql).map_err(err)?;
        let rows = stmt
            .query_map(params_from_iter(args), read_entry)
            .map_err(err)?;
        let mut entries: Vec<ActivityEntry> = rows.collect::<Result<_, _>>().map_err(err)?;
        let next = if entries.len() > limit as usize {
            entries.truncate(limit as usize);
            entries
                .last()
                .map(|e| ActivityCursor { at: e.at, id: e.id })
        } else {
            None
        };
        Ok(ActivityPage { entries, next })
    }
}
