//! The accounts of one machine: a workspace folder per account (its own mirror and queue,
//! so switching accounts never mixes or drops data) and which one is current. The desktop
//! app keeps them under its data folder; demo mode has a folder of its own.

use std::path::{Path, PathBuf};

use crate::account::Account;

const CURRENT_FILE: &str = "current-account";
const ACCOUNTS_DIR: &str = "accounts";
const DEMO_DIR: &str = "demo";

/// The accounts folder (or its record of the current account) could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("cannot use the accounts folder {path}: {source}")]
pub struct AccountsError {
    path: PathBuf,
    source: std::io::Error,
}

/// The accounts kept under one root folder: a workspace folder each, and the current one.
pub struct Accounts {
    root: PathBuf,
}

impl Accounts {
    /// The accounts under `root` (the app's data folder); nothing is created until needed.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
        }
    }

    /// The workspace folder of `account`: readable, and unique per server, client and email.
    pub fn dir_for(&self, account: &Account) -> PathBuf {
        let host = account
            .server_url()
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let readable: String = format!("{}-{host}", account.email)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(80)
            .collect();
        let key = format!(
            "{}\n{}\n{}",
            account.server, account.client_id, account.email
        );
        self.root
            .join(ACCOUNTS_DIR)
            .join(format!("{readable}-{:08x}", fnv1a(key.as_bytes()) as u32))
    }

    /// The folder of the demo workspace (and the demo server's saved state).
    pub fn demo_dir(&self) -> PathBuf {
        self.root.join(DEMO_DIR)
    }

    /// The current account's workspace folder, if one was chosen and still exists.
    pub fn current(&self) -> Result<Option<PathBuf>, AccountsError> {
        let path = self.root.join(CURRENT_FILE);
        match std::fs::read_to_string(&path) {
            Ok(name) => {
                let dir = self.root.join(ACCOUNTS_DIR).join(name.trim());
                Ok((!name.trim().is_empty() && dir.is_dir()).then_some(dir))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(AccountsError { path, source }),
        }
    }

    /// Makes `account` the one opened at start.
    pub fn set_current(&self, account: &Account) -> Result<PathBuf, AccountsError> {
        let dir = self.dir_for(account);
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = self.root.join(CURRENT_FILE);
        let io = |source| AccountsError {
            path: path.clone(),
            source,
        };
        crate::private::dir(&self.root).map_err(io)?;
        // Written whole then renamed: a crash leaves the old choice or the new one.
        let tmp = path.with_extension("tmp");
        crate::private::write(&tmp, name.as_bytes()).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(dir)
    }

    /// No account is current any more (after sign-out); its folder stays.
    pub fn clear_current(&self) -> Result<(), AccountsError> {
        let path = self.root.join(CURRENT_FILE);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(AccountsError { path, source }),
        }
    }
}

/// A stable hash (unlike `DefaultHasher`, fixed across Rust versions): folder names must
/// not change between releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_folder_per_account_and_the_current_one_survives_a_restart() {
        let root = tempfile::tempdir().unwrap();
        let accounts = Accounts::new(root.path());
        let ana = Account::new("https://tools.deepen.ai", "c1", "ana@example.com").unwrap();
        let bo = Account::new("https://tools.deepen.ai", "c1", "bo@example.com").unwrap();
        assert_ne!(accounts.dir_for(&ana), accounts.dir_for(&bo));
        assert_eq!(accounts.dir_for(&ana), accounts.dir_for(&ana.clone()));
        assert!(accounts.current().unwrap().is_none());

        let dir = accounts.set_current(&ana).unwrap();
        // Not current until its workspace exists.
        assert!(accounts.current().unwrap().is_none());
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(Accounts::new(root.path()).current().unwrap(), Some(dir));

        accounts.clear_current().unwrap();
        assert!(accounts.current().unwrap().is_none());
        accounts.clear_current().unwrap();
    }
}
