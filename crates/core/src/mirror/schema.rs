//! The mirror's schema, one migration per element (see `db::open`). The mirror holds
//! only confirmed server state; pending intent lives in the outbox database.
//!
//! Migrations are frozen: once released, a migration's text never changes and is never
//! run outside `db::open` (a database migrated by an older build must match one migrated
//! now). The bulk-load path of a first pull drops and rebuilds the secondary indexes and
//! the insert trigger with statements of its own (`BULK_*`); a test
//! checks that a rebuild leaves exactly the schema the migrations made.

/// Version 1: the tables and the count triggers for updates and deletes. The secondary
/// indexes and the insert trigger are separate so that a first pull into an empty mirror
/// can drop them and build them once at the end (see `tasks.rs`): migrations 2 and 3.
pub const MIGRATIONS: &[&str] = &[
    MIGRATION_1_TABLES,
    MIGRATION_2_INDEXES,
    MIGRATION_3_COUNT_ON_INSERT,
    MIGRATION_4_PULL_FAILURES,
    MIGRATION_5_REFRESH_BY_NEED,
    MIGRATION_6_ACTIVITY,
];

/// Version 6: the activity record (see `crate::activity`). Triggers on `tasks` write a row
/// for every change of status, assignee or stage that reaches the mirror, in the same
/// transaction as the change, stamped with the writer's context (`activity_context`: who
/// brought it — a pull, or this device's confirmed action — and when; `source` NULL records
/// nothing). An insert is recorded as an assignment only when the writer says so
/// (`record_inserts`): a first sync's whole world is not news. A reject's reason is the
/// task's `reject_reason` field (an assumption: `crate::wire::REJECT_REASON_FIELD`).
const MIGRATION_6_ACTIVITY: &str = "
CREATE TABLE activity (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL, -- when this device first saw it (Unix ms)
    source     TEXT NOT NULL,    -- 'server' (a pull brought it) or 'device' (this device did it)
    kind       TEXT NOT NULL,    -- 'status', 'assignee', 'stage' or 'action'
    task_id    TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    person     TEXT,             -- whose work: the assignee then (the new one of an assignment)
    old        TEXT,
    new        TEXT,
    note       TEXT              -- a reject's reason; an action's reason or error
);
CREATE INDEX activity_by_person ON activity (person, at);
CREATE INDEX activity_by_dataset ON activity (dataset_id, at);
CREATE INDEX activity_by_task ON activity (task_id, id);
CREATE INDEX activity_by_at ON activity (at);
CREATE TABLE activity_context (
    only_row       INTEGER PRIMARY KEY CHECK (only_row = 0),
    source         TEXT,
    at             INTEGER NOT NULL,
    record_inserts INTEGER NOT NULL
);
INSERT INTO activity_context VALUES (0, NULL, 0, 0);
CREATE TRIGGER activity_on_update AFTER UPDATE OF stage_id, status, assignee ON tasks
WHEN (OLD.status IS NOT NEW.status OR OLD.assignee IS NOT NEW.assignee OR OLD.stage_id IS NOT NEW.stage_id)
 AND (SELECT source IS NOT NULL FROM activity_context)
BEGIN
    INSERT INTO activity (at, source, kind, task_id, dataset_id, person, old, new, note)
    SELECT c.at, c.source, 'status', NEW.task_id, NEW.dataset_id, coalesce(NEW.assignee, OLD.assignee),
           OLD.status, NEW.status,
           CASE WHEN NEW.status = 'rejected' THEN json_extract(NEW.raw, '$.reject_reason') END
      FROM activity_context c WHERE OLD.status IS NOT NEW.status;
    INSERT INTO activity (at, source, kind, task_id, dataset_id, person, old, new)
    SELECT c.at, c.source, 'assignee', NEW.task_id, NEW.dataset_id, NEW.assignee, OLD.assignee, NEW.assignee
      FROM activity_context c WHERE OLD.assignee IS NOT NEW.assignee;
    INSERT INTO activity (at, source, kind, task_id, dataset_id, person, old, new)
    SELECT c.at, c.source, 'stage', NEW.task_id, NEW.dataset_id, coalesce(NEW.assignee, OLD.assignee),
           OLD.stage_id, NEW.stage_id
      FROM activity_context c WHERE OLD.stage_id IS NOT NEW.stage_id;
END;
CREATE TRIGGER activity_on_insert AFTER INSERT ON tasks
WHEN NEW.assignee IS NOT NULL AND (SELECT source IS NOT NULL AND record_inserts FROM activity_context)
BEGIN
    INSERT INTO activity (at, source, kind, task_id, dataset_id, person, old, new)
    SELECT c.at, c.source, 'assignee', NEW.task_id, NEW.dataset_id, NEW.assignee, NULL, NEW.assignee
      FROM activity_context c;
END;
";

/// Version 5: conditional requests and refresh by need. `validators` holds the `ETag` /
/// `Last-Modified` of the answer each mirrored list came from (a dataset's go with it);
/// `next_pull_at` is when a dataset is next due when no view shows it, and `quiet_pulls`
/// how many pulls in a row found it unchanged or failed (the wait grows with it).
const MIGRATION_5_REFRESH_BY_NEED: &str = "
CREATE TABLE validators (
    resource      TEXT PRIMARY KEY,
    dataset_id    TEXT, -- a dataset's lists: forgotten with the dataset (not a foreign key:
                        -- a dataset's tasks may be mirrored while the dataset list is not)
    etag          TEXT,
    last_modified TEXT
);
ALTER TABLE datasets ADD COLUMN next_pull_at INTEGER;
ALTER TABLE datasets ADD COLUMN quiet_pulls INTEGER NOT NULL DEFAULT 0;
";

/// Version 4: a dataset whose pull failed keeps its tasks as they were and says why and
/// when (it is tried again later: see migration 5).
const MIGRATION_4_PULL_FAILURES: &str = "
ALTER TABLE datasets ADD COLUMN pull_error TEXT;
ALTER TABLE datasets ADD COLUMN pull_failed_at INTEGER;
";

/// Version 2: the secondary indexes of `tasks`.
const MIGRATION_2_INDEXES: &str = "
CREATE INDEX tasks_by_stage_status ON tasks (dataset_id, stage_id, status, due_sort);
CREATE INDEX tasks_by_dataset_due ON tasks (dataset_id, due_sort);
CREATE INDEX tasks_by_assignee ON tasks (assignee, due_sort);
";

/// Version 3: keeps `task_counts` on insert.
const MIGRATION_3_COUNT_ON_INSERT: &str = "
CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts VALUES (NEW.dataset_id, NEW.stage_id, NEW.status, coalesce(NEW.assignee, ''), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
";

/// Bulk load, before: the insert trigger goes (the load fills `task_counts` once).
pub const BULK_DROP_COUNT_TRIGGER: &str = "DROP TRIGGER task_counts_insert;";

/// Bulk load into an empty mirror, before: the secondary indexes go too.
pub const BULK_DROP_INDEXES: &str = "
DROP INDEX tasks_by_stage_status;
DROP INDEX tasks_by_dataset_due;
DROP INDEX tasks_by_assignee;
";

/// Bulk load, after: the insert trigger of migration 3, again.
pub const BULK_REBUILD_COUNT_TRIGGER: &str = "
CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts VALUES (NEW.dataset_id, NEW.stage_id, NEW.status, coalesce(NEW.assignee, ''), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
";

/// Bulk load into an empty mirror, after: the indexes of migration 2, built once.
pub const BULK_REBUILD_INDEXES: &str = "
CREATE INDEX tasks_by_stage_status ON tasks (dataset_id, stage_id, status, due_sort);
CREATE INDEX tasks_by_dataset_due ON tasks (dataset_id, due_sort);
CREATE INDEX tasks_by_assignee ON tasks (assignee, due_sort);
";

/// Version 1: the tables, and the count triggers for updates and deletes.
const MIGRATION_1_TABLES: &str = r#"
CREATE TABLE datasets (
    dataset_id      TEXT PRIMARY KEY,
    dataset_name    TEXT,
    labelling_mode  TEXT,
    -- 0 when the server refused to list its tasks to this user (403): only my tasks are known.
    tasks_listable  INTEGER NOT NULL DEFAULT 1,
    tasks_pulled_at INTEGER,
    raw             TEXT NOT NULL
);
CREATE TABLE stages (
    dataset_id TEXT NOT NULL REFERENCES datasets ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    stage_id   TEXT NOT NULL,
    can_edit   INTEGER,
    PRIMARY KEY (dataset_id, position)
);
CREATE TABLE dataset_users (
    dataset_id TEXT NOT NULL REFERENCES datasets ON DELETE CASCADE,
    email      TEXT NOT NULL,
    scopes     TEXT NOT NULL, -- JSON array
    PRIMARY KEY (dataset_id, email)
);
CREATE TABLE tasks (
    task_id           TEXT PRIMARY KEY,
    dataset_id        TEXT NOT NULL,
    task_type         TEXT NOT NULL,
    stage_id          TEXT NOT NULL,
    status            TEXT NOT NULL,
    assignee          TEXT,
    file_id           TEXT,
    label_id          TEXT,
    updated_at_millis INTEGER,
    due_at_millis     INTEGER,
    -- due date for sorting: tasks without one sort last, and an index can serve the order.
    due_sort          INTEGER NOT NULL,
    raw               TEXT NOT NULL
);
-- Task counts per dataset, stage, status and assignee ('' for unassigned), kept by
-- triggers: workload columns and filtered totals of a million-task dataset are read here
-- in microseconds instead of counting index entries.
CREATE TABLE task_counts (
    dataset_id TEXT NOT NULL,
    stage_id   TEXT NOT NULL,
    status     TEXT NOT NULL,
    assignee   TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, stage_id, status, assignee)
) WITHOUT ROWID;
CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET n = n - 1
     WHERE dataset_id = OLD.dataset_id AND stage_id = OLD.stage_id AND status = OLD.status
       AND assignee = coalesce(OLD.assignee, '');
END;
CREATE TRIGGER task_counts_update AFTER UPDATE OF dataset_id, stage_id, status, assignee ON tasks
WHEN OLD.dataset_id IS NOT NEW.dataset_id OR OLD.stage_id IS NOT NEW.stage_id
  OR OLD.status IS NOT NEW.status OR OLD.assignee IS NOT NEW.assignee
BEGIN
    UPDATE task_counts SET n = n - 1
     WHERE dataset_id = OLD.dataset_id AND stage_id = OLD.stage_id AND status = OLD.status
       AND assignee = coalesce(OLD.assignee, '');
    INSERT INTO task_counts VALUES (NEW.dataset_id, NEW.stage_id, NEW.status, coalesce(NEW.assignee, ''), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TABLE delayed (
    task_id           TEXT PRIMARY KEY,
    delayed_by_millis INTEGER NOT NULL
);
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_of(conn: &rusqlite::Connection) -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            .unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn a_bulk_rebuild_leaves_the_schema_the_migrations_made() {
        let migrated = rusqlite::Connection::open_in_memory().unwrap();
        for m in MIGRATIONS {
            migrated.execute_batch(m).unwrap();
        }
        let rebuilt = rusqlite::Connection::open_in_memory().unwrap();
        for m in MIGRATIONS {
            rebuilt.execute_batch(m).unwrap();
        }
        rebuilt.execute_batch(BULK_DROP_COUNT_TRIGGER).unwrap();
        rebuilt.execute_batch(BULK_DROP_INDEXES).unwrap();
        assert_eq!(schema_of(&rebuilt).len() + 4, schema_of(&migrated).len());
        rebuilt.execute_batch(BULK_REBUILD_COUNT_TRIGGER).unwrap();
        rebuilt.execute_batch(BULK_REBUILD_INDEXES).unwrap();
        assert_eq!(schema_of(&rebuilt), schema_of(&migrated));
    }
}
