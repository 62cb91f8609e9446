//! Migrations under concurrency: several processes open one new workspace at the same
//! moment (the app and `dtasks`, say); each migrates or waits for the other's migration,
//! none fails, and the schema ends exactly as one migration makes it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use dtasks_core::store::Store;

const CHILD_ENV: &str = "DTASKS_MIGRATION_CHILD_DIR";
const CHILDREN: usize = 4;

/// Run in a child process: waits for the start signal, opens (and so migrates) the
/// workspace, and writes one row to each database. Does nothing in a normal test run.
#[test]
fn child_opens_the_workspace() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let dir = Path::new(&dir);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !dir.join("go").exists() {
        assert!(Instant::now() < deadline, "no start signal");
        std::thread::sleep(Duration::from_millis(1));
    }
    let me = std::process::id().to_string();
    let store = Store::open(dir).expect("open while others migrate");
    store
        .outbox()
        .set_meta(&format!("child-{me}"), Some("1"))
        .unwrap();
    store
        .mirror()
        .set_meta(&format!("child-{me}"), "1")
        .unwrap();
}

fn schema(path: &Path) -> (i64, Vec<String>) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let version = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT type || ' ' || name FROM sqlite_master ORDER BY 1")
        .unwrap();
    let names = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<Vec<String>, _>>()
        .unwrap();
    (version, names)
}

#[test]
fn processes_opening_one_new_workspace_at_once_all_succeed() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..CHILDREN)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "migration::child_opens_the_workspace",
                    "--exact",
                    "--test-threads=1",
                ])
                .env(CHILD_ENV, dir.path())
                .spawn()
                .expect("start a child")
        })
        .collect();
    // Let them all start and wait, then release them together.
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(dir.path().join("go"), b"").unwrap();
    for mut child in children {
        assert!(
            child.wait().unwrap().success(),
            "a process failed to open the workspace"
        );
    }

    // Every child's writes are there, and the schema is exactly one fresh migration's.
    let fresh = tempfile::tempdir().unwrap();
    drop(Store::open(fresh.path()).unwrap());
    for file in ["mirror.db", "outbox.db"] {
        let (version, names) = schema(&dir.path().join(file));
        let (fresh_version, fresh_names) = schema(&fresh.path().join(file));
        assert_eq!((version, &names), (fresh_version, &fresh_names), "{file}");
        assert!(version >= 1);
        let conn = rusqlite::Connection::open(dir.path().join(file)).unwrap();
        let table = if file == "mirror.db" {
            "meta"
        } else {
            "sync_meta"
        };
        let children: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE key LIKE 'child-%'"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(children, CHILDREN as i64, "{file}");
    }
}

/// Opening a workspace a second time in one process (the app reconnecting the open
/// account) must not drop the locks its first connections hold: another process that
/// opens and closes the workspace meanwhile may not checkpoint and delete the WAL under
/// them, and their later writes land.
#[test]
fn a_second_open_in_one_process_keeps_its_locks() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open(dir.path()).unwrap();
    first.mirror().set_meta("before", "1").unwrap();
    first.outbox().set_meta("before", Some("1")).unwrap();
    let second = Store::open(dir.path()).unwrap();
    std::fs::write(dir.path().join("go"), b"").unwrap();
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "migration::child_opens_the_workspace",
            "--exact",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    for db in ["mirror.db", "outbox.db"] {
        assert!(
            dir.path().join(format!("{db}-wal")).exists(),
            "{db}: the other process checkpointed and removed the WAL under open connections"
        );
    }
    first.mirror().set_meta("after", "1").unwrap();
    first.outbox().set_meta("after", Some("1")).unwrap();
    drop((first, second));
    let reopened = Store::open(dir.path()).unwrap();
    assert_eq!(
        reopened.mirror().meta("after").unwrap().as_deref(),
        Some("1")
    );
    assert_eq!(
        reopened.outbox().meta("after").unwrap().as_deref(),
        Some("1")
    );
}
