//! The one error type commands return: a kind the UI can act on and a sentence a person
//! understands. Core errors are worded for the CLI in places (`run dtasks pull`); those
//! are reworded here for the window. Never carries a token (core errors never do).

use dtasks_core::WorkspaceError;
use dtasks_core::db::DbError;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No account is open (the connect screen should show).
    NotConnected,
    /// The server refused the token.
    SignIn,
    /// The action is not possible for this task now (status, assignee).
    NotAllowed,
    /// What was typed is not valid (URL, email, client id).
    Invalid,
    /// The local database cannot be used (damaged, full disk, locked).
    Storage,
    /// The OS credential store failed.
    Credentials,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct ShellError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ShellError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn not_connected() -> Self {
        Self::new(
            ErrorKind::NotConnected,
            "No account is open. Connect your Deepen account or try the demo.",
        )
    }
}

impl From<WorkspaceError> for ShellError {
    fn from(e: WorkspaceError) -> Self {
        use WorkspaceError as W;
        match e {
            W::NotConnected => Self::not_connected(),
            W::TokenRefused { email } => Self::new(
                ErrorKind::SignIn,
                format!(
                    "Deepen refused the token for {email}. Check it, or create a new one in Deepen."
                ),
            ),
            W::UnknownTasks(ids) => Self::new(
                ErrorKind::NotAllowed,
                format!(
                    "{} not on this computer yet; it will appear after the next sync.",
                    plural(ids.len(), "This task is", "These tasks are")
                ),
            ),
            W::AccountSwitchBlocked { email, pending } => Self::new(
                ErrorKind::NotAllowed,
                format!(
                    "{pending} change(s) of {email} have not reached Deepen yet. Let them sync, or discard them in the sync centre, before connecting another account."
                ),
            ),
            e @ (W::NotAllowed { .. } | W::NotReassignable { .. } | W::UnknownAssignee { .. }) => {
                Self::new(ErrorKind::NotAllowed, capitalize(&e.to_string()))
            }
            W::Account(e) => Self::new(ErrorKind::Invalid, capitalize(&e.to_string())),
            W::Credentials(e) => Self::new(ErrorKind::Credentials, capitalize(&e.to_string())),
            W::Db(e) => e.into(),
            e @ W::Folder { .. } => Self::new(ErrorKind::Storage, capitalize(&e.to_string())),
            e => Self::new(ErrorKind::Other, capitalize(&e.to_string())),
        }
    }
}

impl From<DbError> for ShellError {
    fn from(e: DbError) -> Self {
        Self::new(ErrorKind::Storage, capitalize(&e.to_string()))
    }
}

impl From<dtasks_core::accounts::AccountsError> for ShellError {
    fn from(e: dtasks_core::accounts::AccountsError) -> Self {
        Self::new(ErrorKind::Storage, capitalize(&e.to_string()))
    }
}

impl From<dtasks_core::account::AccountError> for ShellError {
    fn from(e: dtasks_core::account::AccountError) -> Self {
        Self::new(ErrorKind::Invalid, capitalize(&e.to_string()))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { one } else { many }.to_string()
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_wording_is_replaced_by_words_for_the_window() {
        let e: ShellError = WorkspaceError::UnknownTasks(vec!["t1".into()]).into();
        assert_eq!(e.kind, ErrorKind::NotAllowed);
        assert!(!e.message.contains("dtasks"), "{}", e.message);
        let e: ShellError = WorkspaceError::NotConnected.into();
        assert_eq!(e.kind, ErrorKind::NotConnected);
        assert!(!e.message.contains("dtasks"), "{}", e.message);
        let e: ShellError = WorkspaceError::AccountSwitchBlocked {
            email: "ana@example.com".into(),
            pending: 2,
        }
        .into();
        assert!(e.message.starts_with("2 change(s) of ana@example.com"));
        assert!(!e.message.contains("dtasks"), "{}", e.message);
    }
}
