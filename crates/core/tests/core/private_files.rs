//! Private at rest: a workspace's folder is its owner's only (0700) and every file in it
//! (0600) — the databases with their `-wal` and `-shm`, the account, the sync lock — and
//! a workspace left looser by an older version is tightened when it is opened.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use deepen_emulator::Role;
use dtasks_core::{ActionKind, Scope};

use crate::common::Harness;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

const FILES: [&str; 8] = [
    "mirror.db",
    "mirror.db-wal",
    "mirror.db-shm",
    "outbox.db",
    "outbox.db-wal",
    "outbox.db-shm",
    "account.json",
    "sync.lock",
];

fn assert_private(dir: &Path) {
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    for name in FILES {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
    // Nothing else in the folder is readable by others either.
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path) & 0o077, 0, "{}", path.display());
    }
}

#[tokio::test]
async fn a_workspace_is_its_owners_only_and_a_loose_one_is_tightened() {
    let h = Harness::new(Role::Annotator).await;
    let ready = h.mine_with("ready");
    h.ws.act(
        ActionKind::Submit,
        std::slice::from_ref(&ready[0].task_id),
        None,
    )
    .unwrap();
    h.engine.sync_once(Scope::Full, None).await.unwrap();
    let dir = h.ws.dir().to_path_buf();
    assert_private(&dir);

    // As an older version left it: world-readable.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for name in FILES {
        std::fs::set_permissions(dir.join(name), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let again = h.reopen();
    again
        .engine()
        .unwrap()
        .sync_once(Scope::Push, None)
        .await
        .unwrap();
    assert_private(&dir);
}
