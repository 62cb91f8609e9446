//! The outbox's schema: pending intent, in its own SQLite file (`outbox.db`, committed
//! with `synchronous=FULL`) so that an enqueue is on disk before the user sees it done,
//! and never waits behind a long pull writing the mirror.

pub const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE ops (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT, -- order of intent; per-task order follows it
    op_id           TEXT NOT NULL UNIQUE,              -- UUIDv7
    kind            TEXT NOT NULL CHECK (kind IN ('submit', 'accept', 'reject', 'assign')),
    task_id         TEXT NOT NULL,
    dataset_id      TEXT NOT NULL,
    task_type       TEXT NOT NULL,
    reason          TEXT,                              -- reject reason
    assignee        TEXT,                              -- assign target; NULL unassigns
    base_status     TEXT NOT NULL,                     -- server state the intent was made against
    base_assignee   TEXT,
    base_updated_at INTEGER,                           -- the task's server version it was made against
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'in_flight', 'done', 'needs_attention')),
    -- 1 when a request may have been applied (no answer, 5xx, 409, crash while in flight):
    -- the server's state decides before anything is sent again.
    verify          INTEGER NOT NULL DEFAULT 0,
    overwrite       INTEGER NOT NULL DEFAULT 0,        -- assign over someone else's change
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,        -- backoff, persisted
    last_error      TEXT,
    attention       TEXT,                              -- plain-language reason when needs_attention
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX ops_by_task ON ops (task_id, seq);
CREATE INDEX ops_by_state ON ops (state, next_attempt_at);
CREATE TABLE sync_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#];
