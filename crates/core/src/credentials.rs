//! Where the API token comes from: the `DEEPEN_TOKEN` environment variable (used, never
//! stored) or the OS credential store through `keyring`. The token is never written to
//! SQLite, a log or an error message.

use crate::account::Account;
use crate::sensitive::Sensitive;

/// The environment variable whose token, when set, is used before the credential store's.
pub const TOKEN_ENV: &str = "DEEPEN_TOKEN";
const SERVICE: &str = "deepen-tasks";

/// Why no usable token could be found or kept.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// Neither the environment nor the credential store has a token for the account.
    #[error(
        "no token for {email} (neither the {TOKEN_ENV} environment variable nor the system's credential store has one)"
    )]
    Missing {
        /// Whose token.
        email: String,
    },
    /// The OS credential store cannot be used on this machine or session.
    #[error(
        "the system credential store is not available ({detail}); set the {TOKEN_ENV} environment variable instead"
    )]
    StoreUnavailable {
        /// The store's own error, which describes the store, never the secret.
        detail: String,
    },
    /// A token to be stored is blank.
    #[error("the token is empty")]
    Empty,
}

/// Where a token was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// The `DEEPEN_TOKEN` environment variable (used, never stored).
    Environment,
    /// The OS credential store (through `keyring`).
    CredentialStore,
}

/// The store entry of one account: one token per server, client id and email. The key is
/// a JSON array of the three, so that no two accounts share one whatever characters their
/// fields hold (ids are opaque: a `|` in one cannot make it another account's key).
fn entry(account: &Account) -> Result<keyring::Entry, CredentialError> {
    keyring::Entry::new(SERVICE, &entry_key(account)).map_err(store_error)
}

fn entry_key(account: &Account) -> String {
    serde_json::to_string(&[&account.server, &account.client_id, &account.email])
        .expect("strings serialize")
}

/// The key earlier builds used (`server|client|email`): a token kept under it is
/// moved to the current key the first time it is read.
fn legacy_entry(account: &Account) -> Result<keyring::Entry, CredentialError> {
    let user = format!("{}|{}|{}", account.server, account.client_id, account.email);
    keyring::Entry::new(SERVICE, &user).map_err(store_error)
}

/// The stored token of `account`, moving one kept under the legacy key.
fn stored_token(account: &Account) -> Result<Option<String>, CredentialError> {
    match entry(account)?.get_password() {
        Ok(token) => return Ok(Some(token)),
        Err(keyring::Error::NoEntry) => {}
        Err(e) => return Err(store_error(e)),
    }
    let legacy = legacy_entry(account)?;
    match legacy.get_password() {
        Ok(token) => {
            entry(account)?.set_password(&token).map_err(store_error)?;
            let _ = legacy.delete_credential();
            Ok(Some(token))
        }
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(store_error(e)),
    }
}

fn store_error(e: keyring::Error) -> CredentialError {
    // keyring's errors describe the store, not the secret; keep only that.
    CredentialError::StoreUnavailable {
        detail: e.to_string(),
    }
}

fn from_env() -> Option<Sensitive<String>> {
    std::env::var(TOKEN_ENV)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(Sensitive::new)
}

/// Which accounts `DEEPEN_TOKEN` is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenPolicy {
    /// Any: it comes before the credential store (the CLI, where a workspace folder is
    /// one account the user chose with `--home`).
    #[default]
    EnvironmentFirst,
    /// Only the account whose email `DEEPEN_TOKEN_EMAIL` names; every other account uses
    /// the token stored for it (the app, which opens one account after another: another
    /// account's token would fill this one's mirror with the other's data).
    NamedAccountOnly,
}

/// The variable that names the account `DEEPEN_TOKEN` is for, under
/// [`TokenPolicy::NamedAccountOnly`].
pub const TOKEN_EMAIL_ENV: &str = "DEEPEN_TOKEN_EMAIL";

/// Whether the environment's token is for `account` under `policy`, given the email
/// `DEEPEN_TOKEN_EMAIL` names (if any).
pub fn environment_applies(policy: TokenPolicy, account: &Account, named: Option<&str>) -> bool {
    match policy {
        TokenPolicy::EnvironmentFirst => true,
        TokenPolicy::NamedAccountOnly => {
            named.is_some_and(|email| email.trim().eq_ignore_ascii_case(&account.email))
        }
    }
}

/// The token to use for `account` under `policy`: the environment's when it is for this
/// account, else the one the credential store keeps for it.
pub fn token_for_account(
    account: &Account,
    policy: TokenPolicy,
) -> Result<(Sensitive<String>, TokenSource), CredentialError> {
    let named = std::env::var(TOKEN_EMAIL_ENV).ok();
    if environment_applies(policy, account, named.as_deref())
        && let Some(token) = from_env()
    {
        return Ok((token, TokenSource::Environment));
    }
    match stored_token(account)? {
        Some(token) => Ok((Sensitive::new(token), TokenSource::CredentialStore)),
        None => Err(CredentialError::Missing {
            email: account.email.clone(),
        }),
    }
}

/// The token to use for `account`: the environment first, then the credential store
/// ([`TokenPolicy::EnvironmentFirst`]).
pub fn token_for(account: &Account) -> Result<(Sensitive<String>, TokenSource), CredentialError> {
    token_for_account(account, TokenPolicy::EnvironmentFirst)
}

/// Keeps `token` in the OS credential store for `account`.
pub fn store_token(account: &Account, token: &Sensitive<String>) -> Result<(), CredentialError> {
    if token.expose().trim().is_empty() {
        return Err(CredentialError::Empty);
    }
    entry(account)?
        .set_password(token.expose().trim())
        .map_err(store_error)
}

/// Removes the stored token of `account` (sign out), under the legacy key too. Absent is
/// fine.
pub fn forget_token(account: &Account) -> Result<(), CredentialError> {
    for entry in [entry(account)?, legacy_entry(account)?] {
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(store_error(e)),
        }
    }
    Ok(())
}

/// Keeps `token` under the key earlier builds used (tests of the move to the
/// current key).
#[doc(hidden)]
pub fn store_token_under_legacy_key(
    account: &Account,
    token: &Sensitive<String>,
) -> Result<(), CredentialError> {
    legacy_entry(account)?
        .set_password(token.expose())
        .map_err(store_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_accounts_share_a_key_whatever_their_fields_hold() {
        let a = Account::new("https://deepen.example/api/v2", "c|x", "d@example.com").unwrap();
        let b = Account::new("https://deepen.example/api/v2", "c", "x|d@example.com").unwrap();
        assert_ne!(entry_key(&a), entry_key(&b));
        assert_eq!(
            entry_key(&a),
            r#"["https://deepen.example/api/v2","c|x","d@example.com"]"#
        );
    }

    #[test]
    fn the_environments_token_is_for_the_named_account_only_in_the_app() {
        let ana = Account::new("https://deepen.example/api/v2", "c1", "ana@example.com").unwrap();
        assert!(environment_applies(
            TokenPolicy::EnvironmentFirst,
            &ana,
            None
        ));
        assert!(!environment_applies(
            TokenPolicy::NamedAccountOnly,
            &ana,
            None
        ));
        assert!(!environment_applies(
            TokenPolicy::NamedAccountOnly,
            &ana,
            Some("bo@example.com")
        ));
        assert!(environment_applies(
            TokenPolicy::NamedAccountOnly,
            &ana,
            Some(" Ana@Example.com ")
        ));
    }
}
