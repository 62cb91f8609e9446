//! The view: what the user sees, computed and never stored — the mirror's confirmed server
//! state with the outbox's pending intents laid over it (`docs/sync-design.md`, invariant 5). It
//! reads through its own connection (mirror.db with outbox.db attached), so queries are
//! answered offline and never wait for a pull in progress.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, params_from_iter};
use serde::Serialize;

use crate::db::{BUSY_TIMEOUT, DbError};
use crate::outbox::OpState;
use crate::wire::{ActionKind, TaskStatus, sql_target_status};

/// Open intents per task, folded to what the user sees. Done actions do not count; an
/// action needing attention stays laid over until the user retries or discards it. The
/// status an action leads to comes from the vocabulary ([`sql_target_status`]).
fn overlay_sql() -> String {
    format!(
        "
CREATE TEMP VIEW IF NOT EXISTS overlay AS
SELECT p.task_id,
       {} AS eff_status,
       s.seq IS NOT NULL AS has_assign,
       s.assignee AS eff_assignee,
       l.kind AS pending_kind,
       CASE WHEN p.attention THEN 'needs_attention' WHEN p.in_flight THEN 'in_flight' ELSE 'pending' END AS pending_state
FROM (SELECT task_id,
             max(seq) AS last_seq,
             max(CASE WHEN kind <> 'assign' THEN seq END) AS action_seq,
             max(CASE WHEN kind = 'assign' THEN seq END) AS assign_seq,
             max(state = 'needs_attention') AS attention,
             max(state = 'in_flight') AS in_flight
      FROM q.ops WHERE state <> 'done' GROUP BY task_id) p
JOIN q.ops l ON l.seq = p.last_seq
LEFT JOIN q.ops a ON a.seq = p.action_seq
LEFT JOIN q.ops s ON s.seq = p.assign_seq;
",
        sql_target_status("a.kind")
    )
}

/// Sort orders of task lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum SortKey {
    /// Earliest due first; tasks without a due date last.
    #[default]
    Due,
    /// Most overdue first (the delayed view).
    Overdue,
    /// Most recently changed on the server first.
    Updated,
    /// By task id.
    TaskId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "email")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
/// Whose tasks a query wants.
pub enum AssigneeFilter {
    /// This person's.
    Is(String),
    /// Nobody's.
    Unassigned,
}

/// A filtered, sorted page of tasks. Filters apply to what the user sees (pending
/// intents laid over), so a task just submitted offline is found as `submitted`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskQuery {
    /// Only these tasks (empty: all).
    pub task_ids: Vec<String>,
    /// Only this dataset's.
    pub dataset_id: Option<String>,
    /// Only this stage's.
    pub stage_id: Option<String>,
    /// Only tasks in these statuses, as the user sees them (empty: any).
    pub statuses: Vec<TaskStatus>,
    /// Also tasks with a change of the user's not yet done on the server, whatever their
    /// status: My tasks keeps a task just submitted, with its badge, until Deepen has it.
    #[serde(default)]
    pub or_pending: bool,
    /// Only these people's (or nobody's).
    pub assignee: Option<AssigneeFilter>,
    /// Only tasks the server reports late.
    pub delayed_only: bool,
    /// Matches task id, file id or label id (case-insensitive substring).
    pub text: Option<String>,
    /// The order.
    pub sort: SortKey,
    /// At most this many rows (0: 200; at most 10,000).
    pub limit: u32,
    /// Skip this many rows.
    pub offset: u32,
}

/// One task as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskRow {
    /// The task.
    pub task_id: String,
    /// Its dataset.
    pub dataset_id: String,
    /// `file` or `label`.
    pub task_type: String,
    /// Its stage.
    pub stage_id: String,
    /// With pending intent applied.
    pub status: TaskStatus,
    /// With pending intent applied.
    pub assignee: Option<String>,
    /// As the server last said.
    pub server_status: TaskStatus,
    /// As the server last said.
    pub server_assignee: Option<String>,
    /// The latest open action's kind, if any.
    pub pending: Option<ActionKind>,
    /// Pending, in flight or needing attention, if any action is open.
    pub pending_state: Option<OpState>,
    /// The file it is on.
    pub file_id: Option<String>,
    /// The label it is on (label tasks).
    pub label_id: Option<String>,
    /// Due (Unix ms).
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub due_at_millis: Option<i64>,
    /// Last changed on the server (Unix ms).
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub updated_at_millis: Option<i64>,
    /// How late, when the server reports it late (ms).
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub delayed_by_millis: Option<i64>,
}

/// The answer to a [`TaskQuery`]: one page of rows and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskPage {
    /// The page's rows.
    pub rows: Vec<TaskRow>,
    /// All rows matching the filters.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub total: u64,
}

/// What a count groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum CountBy {
    /// Per assignee (unassigned as `None`).
    Assignee,
    /// Per stage.
    Stage,
    /// Per status.
    Status,
}

/// One group of a task count (see [`CountBy`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Count {
    /// `None` for unassigned when counting by assignee.
    pub key: Option<String>,
    /// How many tasks.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub count: u64,
}

/// A reader of what the user sees (see the module's note).
pub struct View {
    conn: Connection,
    path: PathBuf,
    anchors: RefCell<Anchors>,
}

/// Where a row sits in a list's order: its sort value (due, lateness or last change; none
/// when sorted by task id) and its task id, which breaks ties.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SortPos {
    value: Option<i64>,
    task_id: String,
}

/// Keyset paging without asking the caller for a cursor: the view remembers, per list, the
/// sort position of the last row of each page it served (`offset` → the position of row
/// `offset - 1`). A page is then read as "the rows after the nearest remembered position
/// at or before its offset, skipping what lies between": a page deep in a long list costs
/// what the first one does when the page before it was read (scrolling), and a jump (a
/// scrollbar dragged) skips rows from the nearest page read before it, or from the top.
///
/// What is remembered holds for one state of the data only: any change committed to the
/// mirror or the outbox (`PRAGMA data_version`, read in the same read transaction as the
/// page) forgets it all.
#[derive(Debug, Default)]
struct Anchors {
    /// `data_version` of the mirror and of the outbox when the anchors were taken.
    versions: (i64, i64),
    lists: VecDeque<(String, BTreeMap<u32, SortPos>)>,
}

/// Lists remembered at once (the least recently read is forgotten first).
const ANCHORED_LISTS: usize = 32;
/// Page ends remembered per list (the farthest from the latest read are forgotten first).
const ANCHORS_PER_LIST: usize = 4_096;

impl Anchors {
    /// The list's anchors, made the most recently used.
    fn list(&mut self, key: &str) -> &mut BTreeMap<u32, SortPos> {
        match self.lists.iter().position(|(k, _)| k == key) {
            Some(i) => {
                let entry = self.lists.remove(i).expect("found");
                self.lists.push_front(entry);
            }
            None => {
                if self.lists.len() >= ANCHORED_LISTS {
                    self.lists.pop_back();
                }
                self.lists.push_front((key.to_string(), BTreeMap::new()));
            }
        }
        &mut self.lists[0].1
    }
}

impl View {
    /// Opens a reader over an existing mirror and outbox (both already migrated).
    pub fn open(mirror: &Path, outbox: &Path) -> Result<Self, DbError> {
        let err = |e| DbError::from_sqlite(mirror, e);
        let conn = Connection::open_with_flags(
            mirror,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(err)?;
        conn.pragma_update(None, "cache_size", -32_768)
            .map_err(err)?;
        conn.execute("ATTACH DATABASE ?1 AS q", [outbox.to_string_lossy()])
            .map_err(|e| DbError::from_sqlite(outbox, e))?;
        conn.execute_batch(&overlay_sql()).map_err(err)?;
        Ok(Self {
            conn,
            path: mirror.to_path_buf(),
            anchors: RefCell::default(),
        })
    }

    fn err(&self, e: rusqlite::Error) -> DbError {
        DbError::from_sqlite(&self.path, e)
    }

    /// A page of tasks and the number of all that match, read from one snapshot.
    pub fn tasks(&self, q: &TaskQuery) -> Result<TaskPage, DbError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let page = TaskPage {
            rows: self.rows(q)?,
            total: self.count_matching(q)?,
        };
        tx.commit().map_err(|e| self.err(e))?;
        Ok(page)
    }

    /// Tasks by id as the user sees them; unknown ids are left out.
    pub fn tasks_by_id(&self, ids: &[String]) -> Result<Vec<TaskRow>, DbError> {
        let mut out = Vec::with_capacity(ids.len());
        // Bounded chunks: SQLite caps the number of bound parameters.
        for chunk in ids.chunks(500) {
            let q = TaskQuery {
                task_ids: chunk.to_vec(),
                limit: chunk.len() as u32,
                sort: SortKey::TaskId,
                ..Default::default()
            };
            out.extend(self.rows(&q)?);
        }
        Ok(out)
    }

    /// A page of rows, from the nearest remembered position at or before its offset (see
    /// [`Anchors`]); remembers where the page ends. Run inside a read transaction when
    /// anchors are to be used: the data version and the rows must be of one snapshot.
    fn rows(&self, q: &TaskQuery) -> Result<Vec<TaskRow>, DbError> {
        // Lists of given tasks are short and many: read them plainly.
        let anchored = q.task_ids.is_empty() && !self.conn.is_autocommit();
        let list = anchored.then(|| list_key(q));
        let start = match &list {
            Some(list) => self.nearest_anchor(list, q.offset)?,
            None => None,
        };
        let (after, skip) = match &start {
            Some((at, pos)) => (Some(pos), q.offset - at),
            None => (None, q.offset),
        };
        let mut args: Vec<Value> = Vec::new();
        let sql = rows_sql(q, after, skip, &mut args);
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let mut last = None;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                let row = read_row(r)?;
                last = Some(sort_value(r, q.sort)?);
                Ok(row)
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        if let (Some(list), Some(value), Some(row)) = (list, last, rows.last()) {
            let end = q.offset.saturating_add(rows.len() as u32);
            let mut anchors = self.anchors.borrow_mut();
            let list = anchors.list(&list);
            list.insert(
                end,
                SortPos {
                    value,
                    task_id: row.task_id.clone(),
                },
            );
            while list.len() > ANCHORS_PER_LIST {
                // Forget the page end farthest from this one.
                let (&first, _) = list.first_key_value().expect("not empty");
                let (&last, _) = list.last_key_value().expect("not empty");
                if end.abs_diff(first) > end.abs_diff(last) {
                    list.pop_first();
                } else {
                    list.pop_last();
                }
            }
        }
        Ok(rows)
    }

    /// The remembered position nearest before row `offset` of `list` (the position of row
    /// `at - 1`, `at` ≤ `offset`), after forgetting every anchor if the data changed.
    fn nearest_anchor(&self, list: &str, offset: u32) -> Result<Option<(u32, SortPos)>, DbError> {
        let version = |schema: &str| {
            self.conn
                .query_row(&format!("PRAGMA {schema}.data_version"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .map_err(|e| self.err(e))
        };
        let versions = (version("main")?, version("q")?);
        let mut anchors = self.anchors.borrow_mut();
        if anchors.versions != versions {
            *anchors = Anchors {
                versions,
                lists: VecDeque::new(),
            };
        }
        Ok(anchors
            .list(list)
            .range(..=offset)
            .next_back()
            .map(|(&at, pos)| (at, pos.clone())))
    }

    /// How many tasks match: the server's count, minus the overlaid tasks where the server
    /// has them, plus where the user sees them. The server's count comes from the
    /// trigger-kept `task_counts` when the filters allow, else from the index.
    fn count_matching(&self, q: &TaskQuery) -> Result<u64, DbError> {
        let delayed_join = if q.delayed_only {
            "JOIN delayed d ON d.task_id = t.task_id"
        } else {
            ""
        };
        let mut args: Vec<Value> = Vec::new();
        let server = match counted_filters(q, &mut args) {
            Some(where_clause) => {
                format!("SELECT coalesce(sum(c.n), 0) FROM task_counts c WHERE {where_clause}")
            }
            None => {
                let plain_where = filters(q, Some("t.status"), "t.assignee", &mut args);
                format!("SELECT count(*) FROM tasks t {delayed_join} WHERE {plain_where}")
            }
        };
        let server_side = filters(q, Some("t.status"), "t.assignee", &mut args);
        let overlaid_where = filters(
            q,
            overlaid_status(q),
            "CASE WHEN o.has_assign THEN o.eff_assignee ELSE t.assignee END",
            &mut args,
        );
        let sql = format!(
            "SELECT ({server})
                  - (SELECT count(*) FROM overlay o CROSS JOIN tasks t ON t.task_id = o.task_id {delayed_join}
                     WHERE {server_side})
                  + (SELECT count(*) FROM overlay o CROSS JOIN tasks t ON t.task_id = o.task_id {delayed_join}
                     WHERE {overlaid_where})"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        stmt.query_row(params_from_iter(args.iter()), |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.err(e))
    }

    /// Task counts of one dataset grouped by assignee, stage or status, as the user sees
    /// them (pending intents counted where they will land).
    pub fn counts(
        &self,
        dataset_id: &str,
        stage_id: Option<&str>,
        by: CountBy,
    ) -> Result<Vec<Count>, DbError> {
        let (plain_key, overlaid_key) = match by {
            CountBy::Assignee => (
                "t.assignee",
                "CASE WHEN o.has_assign THEN o.eff_assignee ELSE t.assignee END",
            ),
            CountBy::Stage => ("t.stage_id", "t.stage_id"),
            CountBy::Status => ("t.status", "coalesce(o.eff_status, t.status)"),
        };
        // Both sides scan few rows (task_counts; the overlay), so one form serves with or
        // without a stage.
        let stage_filter = "AND (?2 IS NULL OR t.stage_id = ?2)";
        let counted_stage_filter = "AND (?2 IS NULL OR c.stage_id = ?2)";
        let counted_key = match by {
            CountBy::Assignee => "nullif(c.assignee, '')",
            CountBy::Stage => "c.stage_id",
            CountBy::Status => "c.status",
        };
        // Server counts (kept by triggers), minus the overlaid tasks where the server has
        // them, plus where they land.
        let sql = format!(
            "SELECT key, sum(n) FROM (
               SELECT {counted_key} AS key, sum(c.n) AS n FROM task_counts c
                 WHERE c.dataset_id = ?1 {counted_stage_filter} GROUP BY 1
               UNION ALL
               SELECT {plain_key}, -count(*) FROM overlay o CROSS JOIN tasks t ON t.task_id = o.task_id
                 WHERE t.dataset_id = ?1 {stage_filter} GROUP BY 1
               UNION ALL
               SELECT {overlaid_key}, count(*) FROM overlay o CROSS JOIN tasks t ON t.task_id = o.task_id
                 WHERE t.dataset_id = ?1 {stage_filter} GROUP BY 1)
             GROUP BY key HAVING sum(n) > 0 ORDER BY key"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params![dataset_id, stage_id], |r| {
                Ok(Count {
                    key: r.get(0)?,
                    count: r.get::<_, i64>(1)? as u64,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// One task as the user sees it.
    pub fn task(&self, task_id: &str) -> Result<Option<TaskRow>, DbError> {
        Ok(self.tasks_by_id(&[task_id.to_string()])?.pop())
    }
}

/// The SQL of a page of rows: tasks with no open intent (filtered on the server's
/// columns, so indexes serve), then the few with open intent (filtered on what the user
/// sees), merged in order; the rows after `after` (when given) in the list's order, less
/// the first `skip`. Pushes its arguments onto `args`.
fn rows_sql(q: &TaskQuery, after: Option<&SortPos>, skip: u32, args: &mut Vec<Value>) -> String {
    let limit = if q.limit == 0 {
        200
    } else {
        q.limit.min(10_000)
    } as i64;
    let window = limit + i64::from(skip);
    let (order_inner, order_outer) = match q.sort {
        SortKey::Due => ("t.due_sort, t.task_id", "due_sort, task_id"),
        SortKey::Overdue => (
            "d.delayed_by_millis DESC, t.task_id",
            "delayed_by_millis DESC, task_id",
        ),
        SortKey::Updated => (
            "t.updated_at_millis DESC, t.task_id",
            "updated_at_millis DESC, task_id",
        ),
        SortKey::TaskId => ("t.task_id", "task_id"),
    };
    let delayed_join = if q.delayed_only {
        "JOIN delayed d"
    } else {
        "LEFT JOIN delayed d"
    };
    let mut plain_where = filters(q, Some("t.status"), "t.assignee", args);
    let mut overlaid_where = filters(
        q,
        overlaid_status(q),
        "CASE WHEN o.has_assign THEN o.eff_assignee ELSE t.assignee END",
        args,
    );
    if let Some(after) = after {
        let keyset = after_clause(q.sort, after, args);
        plain_where = format!("{plain_where} AND {keyset}");
        overlaid_where = format!("{overlaid_where} AND {keyset}");
    }
    let columns = "t.task_id, t.dataset_id, t.task_type, t.stage_id";
    format!(
        "SELECT * FROM (
           SELECT * FROM (
             SELECT {columns}, t.status AS status, t.assignee AS assignee, t.status, t.assignee,
                    NULL AS pending, NULL AS pending_state, t.file_id, t.label_id, t.due_at_millis,
                    t.updated_at_millis, d.delayed_by_millis, t.due_sort
             FROM tasks t {delayed_join} ON d.task_id = t.task_id
             WHERE {plain_where} AND t.task_id NOT IN (SELECT task_id FROM overlay)
             ORDER BY {order_inner} LIMIT {window})
           UNION ALL
           SELECT {columns}, coalesce(o.eff_status, t.status),
                  CASE WHEN o.has_assign THEN o.eff_assignee ELSE t.assignee END,
                  t.status, t.assignee, o.pending_kind, o.pending_state, t.file_id, t.label_id,
                  t.due_at_millis, t.updated_at_millis, d.delayed_by_millis, t.due_sort
           FROM overlay o CROSS JOIN tasks t ON t.task_id = o.task_id {delayed_join} ON d.task_id = t.task_id
           WHERE {overlaid_where})
         ORDER BY {order_outer} LIMIT {limit} OFFSET {skip}",
    )
}

/// The rows after `pos` in the order of `sort` (ties broken by task id, ascending). The
/// descending orders put rows without a value last, as SQLite's `DESC` does.
fn after_clause(sort: SortKey, pos: &SortPos, args: &mut Vec<Value>) -> String {
    let mut arg = |v: Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    let id = arg(Value::Text(pos.task_id.clone()));
    let descending =
        |column: &str, value: Option<i64>, arg: &mut dyn FnMut(Value) -> String| match value {
            Some(v) => {
                let v = arg(Value::Integer(v));
                format!(
                    "({column} < {v} OR {column} IS NULL OR ({column} = {v} AND t.task_id > {id}))"
                )
            }
            None => format!("({column} IS NULL AND t.task_id > {id})"),
        };
    match sort {
        // `due_sort >= v` alone lets an index on the due date start at the position.
        SortKey::Due => {
            let v = arg(Value::Integer(pos.value.unwrap_or(i64::MAX)));
            format!("t.due_sort >= {v} AND (t.due_sort > {v} OR t.task_id > {id})")
        }
        SortKey::Overdue => descending("d.delayed_by_millis", pos.value, &mut arg),
        SortKey::Updated => descending("t.updated_at_millis", pos.value, &mut arg),
        SortKey::TaskId => format!("t.task_id > {id}"),
    }
}

/// The sort value of a row of [`rows_sql`] (see [`SortPos`]).
fn sort_value(r: &rusqlite::Row<'_>, sort: SortKey) -> rusqlite::Result<Option<i64>> {
    match sort {
        SortKey::Due => r.get(15).map(Some),
        SortKey::Overdue => r.get(14),
        SortKey::Updated => r.get(13),
        SortKey::TaskId => Ok(None),
    }
}

/// What identifies a list (its query less the page).
fn list_key(q: &TaskQuery) -> String {
    serde_json::to_string(&TaskQuery {
        limit: 0,
        offset: 0,
        ..q.clone()
    })
    .expect("a query serializes")
}

/// The status column a task with an open intent is filtered on: the one the user sees;
/// none with `or_pending` (such a task matches whatever its status).
fn overlaid_status(q: &TaskQuery) -> Option<&'static str> {
    (!q.or_pending).then_some("coalesce(o.eff_status, t.status)")
}

/// One row of [`rows_sql`].
fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TaskRow> {
    Ok(TaskRow {
        task_id: r.get(0)?,
        dataset_id: r.get(1)?,
        task_type: r.get(2)?,
        stage_id: r.get(3)?,
        status: r.get(4)?,
        assignee: r.get(5)?,
        server_status: r.get(6)?,
        server_assignee: r.get(7)?,
        pending: r
            .get::<_, Option<String>>(8)?
            .and_then(|k| ActionKind::parse(&k)),
        pending_state: r
            .get::<_, Option<String>>(9)?
            .and_then(|s| OpState::parse(&s)),
        file_id: r.get(10)?,
        label_id: r.get(11)?,
        due_at_millis: r.get(12)?,
        updated_at_millis: r.get(13)?,
        delayed_by_millis: r.get(14)?,
    })
}

/// The WHERE clause over `task_counts` (alias `c`) for a query it can answer: filters on
/// dataset, stage, status and assignee only. `None` when another filter is set.
fn counted_filters(q: &TaskQuery, args: &mut Vec<Value>) -> Option<String> {
    if !q.task_ids.is_empty() || q.delayed_only || q.text.as_deref().is_some_and(|t| !t.is_empty())
    {
        return None;
    }
    let mut clauses = vec!["1".to_string()];
    let mut arg = |v: String| {
        args.push(Value::Text(v));
        format!("?{}", args.len())
    };
    if let Some(d) = &q.dataset_id {
        clauses.push(format!("c.dataset_id = {}", arg(d.clone())));
    }
    if let Some(stage) = &q.stage_id {
        clauses.push(format!("c.stage_id = {}", arg(stage.clone())));
    }
    if !q.statuses.is_empty() {
        let list: Vec<String> = q
            .statuses
            .iter()
            .map(|s| arg(s.as_str().to_string()))
            .collect();
        clauses.push(format!("c.status IN ({})", list.join(", ")));
    }
    match &q.assignee {
        Some(AssigneeFilter::Is(email)) => {
            clauses.push(format!("c.assignee = {}", arg(email.clone())));
        }
        Some(AssigneeFilter::Unassigned) => clauses.push("c.assignee = ''".to_string()),
        None => {}
    }
    Some(clauses.join(" AND "))
}

/// The WHERE clause of a task query; `status` and `assignee` name the columns to test
/// (server's or overlaid). Pushes its arguments onto `args`.
fn filters(q: &TaskQuery, status: Option<&str>, assignee: &str, args: &mut Vec<Value>) -> String {
    let mut clauses = vec!["1".to_string()];
    let arg = |v: Value, args: &mut Vec<Value>| {
        args.push(v);
        format!("?{}", args.len())
    };
    if !q.task_ids.is_empty() {
        let list: Vec<String> = q
            .task_ids
            .iter()
            .map(|id| arg(Value::Text(id.clone()), args))
            .collect();
        clauses.push(format!("t.task_id IN ({})", list.join(", ")));
    }
    if let Some(d) = &q.dataset_id {
        clauses.push(format!(
            "t.dataset_id = {}",
            arg(Value::Text(d.clone()), args)
        ));
    }
    if let Some(s) = &q.stage_id {
        clauses.push(format!(
            "t.stage_id = {}",
            arg(Value::Text(s.clone()), args)
        ));
    }
    if let Some(status) = status.filter(|_| !q.statuses.is_empty()) {
        let list: Vec<String> = q
            .statuses
            .iter()
            .map(|s| arg(Value::Text(s.as_str().to_string()), args))
            .collect();
        clauses.push(format!("{status} IN ({})", list.join(", ")));
    }
    match &q.assignee {
        Some(AssigneeFilter::Is(email)) => clauses.push(format!(
            "{assignee} = {}",
            arg(Value::Text(email.clone()), args)
        )),
        Some(AssigneeFilter::Unassigned) => clauses.push(format!("{assignee} IS NULL")),
        None => {}
    }
    if let Some(text) = q.text.as_deref().filter(|t| !t.is_empty()) {
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let p = arg(Value::Text(pattern), args);
        clauses.push(format!(
            "(t.task_id LIKE {p} ESCAPE '\\' OR t.file_id LIKE {p} ESCAPE '\\' OR t.label_id LIKE {p} ESCAPE '\\')"
        ));
    }
    clauses.join(" AND ")
}
