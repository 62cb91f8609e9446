//! The mirror's schema, one migration per element (see `db::open`). The mirror holds
//! only confirmed server state; pending intent lives in the outbox database.

/// Version 1: the tables and the count triggers for updates and deletes. The secondary
/// indexes and the insert trigger are separate so that a first pull into an empty mirror can
/// drop them and build them once at the end (see `tasks.rs`): they are migrations 2 and 3.
pub const MIGRATIONS: &[&str] = &[TABLES, TASK_INDEXES, COUNT_ON_INSERT];

/// The secondary indexes of `tasks`.
pub const TASK_INDEXES: &str = "
CREATE INDEX tasks_by_stage_status ON tasks (dataset_id, stage_id, status, due_sort);
CREATE INDEX tasks_by_dataset_due ON tasks (dataset_id, due_sort);
CREATE INDEX tasks_by_assignee ON tasks (assignee, due_sort);
";
pub const DROP_TASK_INDEXES: &str = "
DROP INDEX tasks_by_stage_status;
DROP INDEX tasks_by_dataset_due;
DROP INDEX tasks_by_assignee;
";

/// Keeps `task_counts` on insert.
pub const COUNT_ON_INSERT: &str = "
CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts VALUES (NEW.dataset_id, NEW.stage_id, NEW.status, coalesce(NEW.assignee, ''), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
";
pub const DROP_COUNT_ON_INSERT: &str = "DROP TRIGGER task_counts_insert;";

const TABLES: &str = r#"
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
