//! The one error type commands return: a kind the window can act on and a sentence a
//! person understands. The core's errors are data (kinds and fields); this module words
//! every one of them for a window ("Sign in again"), never as debug text and never naming
//! a `dtasks` command (the CLI words the same kinds for a terminal). Never carries a token
//! (core errors never do).

use std::path::Path;

use dtasks_core::WorkspaceError;
use dtasks_core::account::AccountError;
use dtasks_core::accounts::AccountsError;
use dtasks_core::client::ApiError;
use dtasks_core::credentials::CredentialError;
use dtasks_core::db::DbError;
use dtasks_core::engine::EngineError;
use dtasks_core::outbox::{OutboxError, ResolveRefusal};
use dtasks_core::{ActionKind, TaskStatus};

/// What kind of failure, so the window can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No account is open (the connect screen should show).
    NotConnected,
    /// The server refused the token, or none is there: sign in again.
    SignIn,
    /// The action is not possible for this task now (status, assignee).
    NotAllowed,
    /// What was typed is not valid (URL, email, client id).
    Invalid,
    /// The local database or folder cannot be used (damaged, full disk, locked).
    Storage,
    /// The OS credential store failed.
    Credentials,
    /// Deepen (or the update server) could not be reached, or answered with a failure.
    Server,
    /// An update could not be checked or installed (a signature that does not match, a
    /// package this copy cannot install).
    Update,
    /// Anything else.
    Other,
}

/// An error as the window receives it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct ShellError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// In words for a person.
    pub message: String,
}

impl ShellError {
    /// An error of `kind` in `message`'s words.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// No account is open.
    pub fn not_connected() -> Self {
        Self::new(
            ErrorKind::NotConnected,
            "No account is open. Connect your Deepen account or try the demo.",
        )
    }
}

impl From<WorkspaceError> for ShellError {
    fn from(e: WorkspaceError) -> Self {
        use ErrorKind as K;
        use WorkspaceError as W;
        match e {
            W::NotConnected => Self::not_connected(),
            W::TokenRefused { email } => Self::new(
                K::SignIn,
                format!(
                    "Deepen refused the token for {email}. Sign in again with a valid token (Deepen: Profile → Developer tokens)."
                ),
            ),
            W::UnknownTasks(ids) => Self::new(
                K::NotAllowed,
                format!(
                    "{} not on this computer yet; it will appear after the next sync.",
                    if ids.len() == 1 {
                        "This task is"
                    } else {
                        "These tasks are"
                    }
                ),
            ),
            W::NotAllowed {
                kind,
                task_id,
                status,
                pending,
            } => Self::new(
                K::NotAllowed,
                format!(
                    "Cannot {} {task_id}: it is {}{}.",
                    verb(kind),
                    status_words(&status),
                    if pending {
                        " (with your change waiting to sync)"
                    } else {
                        ""
                    }
                ),
            ),
            W::NotReassignable { task_id, status } => Self::new(
                K::NotAllowed,
                format!(
                    "Cannot reassign {task_id}: it is {}, and submitted or accepted tasks keep their assignee.",
                    status_words(&status)
                ),
            ),
            W::Export(dtasks_core::export::ExportError::Write { path, source }) => Self::new(
                K::Storage,
                format!(
                    "Could not save the export as {}: {source}. Nothing was written; free some space or check the folder, then export again.",
                    path.display()
                ),
            ),
            W::WebUrl(e) => Self::new(
                K::Invalid,
                match e {
                    dtasks_core::wire::WebUrlError::BadTemplate(template) => format!(
                        "Cannot open tasks in Deepen: the web address set for this account ({template}) is not an https address with a place for the task id. Fix web_task_url in the account's settings file."
                    ),
                    dtasks_core::wire::WebUrlError::OffHost(task) => format!(
                        "Cannot open {task} in Deepen: its address would lead to another site than Deepen's, so it was not opened."
                    ),
                },
            ),
            W::MayNotReassign { email, dataset_id } => Self::new(
                K::NotAllowed,
                format!(
                    "You cannot change who works on dataset {dataset_id}: in Deepen, only its dataset admins can, and {email} is not one of them."
                ),
            ),
            W::UnknownAssignee { email, dataset_id } => Self::new(
                K::NotAllowed,
                format!(
                    "Cannot give tasks of dataset {dataset_id} to {email}: not one of its people."
                ),
            ),
            W::AccountSwitchBlocked { email, pending } => Self::new(
                K::NotAllowed,
                format!(
                    "{pending} change(s) of {email} have not reached Deepen yet. Let them sync, or discard them in the sync centre, before connecting another account."
                ),
            ),
            W::AssignWithoutAssignee => Self::new(K::Invalid, "Choose who gets the task."),
            W::UnsafeTaskId(id) => Self::new(
                K::NotAllowed,
                format!(
                    "Deepen gave this task an id ({}) that cannot be sent back to it, so it can only be changed in Deepen itself.",
                    id.escape_debug()
                ),
            ),
            W::Folder { path, source } => Self::new(
                K::Storage,
                format!("Cannot use the folder {}: {source}.", path.display()),
            ),
            W::Db(e) => e.into(),
            W::Account(e) => e.into(),
            W::Credentials(e) => e.into(),
            W::Engine(e) => e.into(),
            W::Outbox(e) => e.into(),
        }
    }
}

impl From<DbError> for ShellError {
    fn from(e: DbError) -> Self {
        let k = ErrorKind::Storage;
        match e {
            DbError::Corrupt { path, .. } => Self::new(
                k,
                format!(
                    "The local database {} is damaged. Nothing was changed; move it aside to start afresh.",
                    file_name(&path)
                ),
            ),
            DbError::Locked { .. } => Self::new(
                k,
                "The local data is in use by another copy of Deepen Tasks. Close it and try again.",
            ),
            DbError::TooNew { .. } => Self::new(
                k,
                "The local data was written by a newer version of Deepen Tasks. Update the app.",
            ),
            DbError::DiskFull { .. } => {
                Self::new(k, "The disk is full. Free some space; nothing was lost.")
            }
            DbError::Io { path, source } => Self::new(
                k,
                format!(
                    "Cannot open the local database {}: {source}.",
                    file_name(&path)
                ),
            ),
            DbError::Sqlite { path, source } => Self::new(
                k,
                format!("The local database {} failed: {source}.", file_name(&path)),
            ),
        }
    }
}

impl From<AccountError> for ShellError {
    fn from(e: AccountError) -> Self {
        let k = ErrorKind::Invalid;
        match e {
            AccountError::BadUrl(url) => {
                Self::new(k, format!("The server address \"{url}\" is not valid."))
            }
            AccountError::InsecureUrl(url) => Self::new(
                k,
                format!("Use https for {url}: plain http is only allowed to this computer."),
            ),
            AccountError::BadEmail(email) => Self::new(
                k,
                format!("The email address \"{email}\" does not look right."),
            ),
            AccountError::EmptyClientId => Self::new(k, "Enter the client id."),
            AccountError::BadClientId(id) => Self::new(
                k,
                format!("The client id \"{id}\" cannot be right: check it in Deepen."),
            ),
            AccountError::CredentialsInUrl => Self::new(
                k,
                "Leave the user name and password out of the server address: the token signs you in.",
            ),
            AccountError::Io { path, source } => Self::new(
                ErrorKind::Storage,
                format!("Cannot read or write {path}: {source}."),
            ),
            AccountError::Corrupt { path, .. } => Self::new(
                ErrorKind::Storage,
                format!(
                    "The account settings in {path} are damaged. Move that file aside, then sign in again."
                ),
            ),
        }
    }
}

impl From<CredentialError> for ShellError {
    fn from(e: CredentialError) -> Self {
        match e {
            CredentialError::Missing { email } => Self::new(
                ErrorKind::SignIn,
                format!("No token for {email} is kept on this computer. Sign in again."),
            ),
            CredentialError::StoreUnavailable { detail } => Self::new(
                ErrorKind::Credentials,
                format!(
                    "The system's credential store is not available ({detail}). Start the app with DEEPEN_TOKEN set to the token and DEEPEN_TOKEN_EMAIL to the account's email instead."
                ),
            ),
            CredentialError::Empty => Self::new(ErrorKind::Invalid, "Enter the access token."),
        }
    }
}

impl From<EngineError> for ShellError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Api(e) => e.into(),
            EngineError::Db(e) => e.into(),
            EngineError::Busy(_) => Self::new(
                ErrorKind::Other,
                "Another sync of this account is running. Try again in a moment.",
            ),
            EngineError::Lock { source, .. } => Self::new(
                ErrorKind::Storage,
                format!("Cannot take the sync lock of this account: {source}."),
            ),
            EngineError::Worker(detail) => Self::new(
                ErrorKind::Other,
                format!("A sync stopped on an internal error ({detail}). Try again."),
            ),
        }
    }
}

impl From<ApiError> for ShellError {
    fn from(e: ApiError) -> Self {
        let k = ErrorKind::Server;
        match e {
            ApiError::Unreachable(detail) => Self::new(
                k,
                format!(
                    "Deepen cannot be reached ({detail}). Your work is kept; it syncs when the network is back."
                ),
            ),
            ApiError::NoAnswer(detail) => Self::new(
                k,
                format!("The connection to Deepen broke before it answered ({detail})."),
            ),
            ApiError::Status {
                status: 401,
                message,
                ..
            } => Self::new(
                ErrorKind::SignIn,
                format!("Deepen refused the token ({message}). Sign in again."),
            ),
            ApiError::Status {
                status: 403,
                message,
                ..
            } => Self::new(
                k,
                format!("Deepen does not allow this account to do that: {message}"),
            ),
            ApiError::Status {
                status: 404,
                message,
                ..
            } => Self::new(
                k,
                format!("Deepen does not know this server address or client id: {message}"),
            ),
            ApiError::Status {
                status, message, ..
            } => Self::new(
                k,
                format!("Deepen answered with an error ({status}): {message}"),
            ),
            ApiError::Malformed(detail) => {
                Self::new(k, format!("Deepen's answer could not be read ({detail})."))
            }
        }
    }
}

impl From<OutboxError> for ShellError {
    fn from(e: OutboxError) -> Self {
        let k = ErrorKind::NotAllowed;
        match e {
            OutboxError::Db(e) => e.into(),
            OutboxError::UnknownOp(_) => Self::new(
                k,
                "This change is no longer waiting (it may have just reached Deepen).",
            ),
            OutboxError::CannotResolve(ResolveRefusal::InFlight) => Self::new(
                k,
                "This change is being sent right now. Try again in a moment.",
            ),
            OutboxError::CannotResolve(ResolveRefusal::AlreadyDone) => {
                Self::new(k, "This change has already reached Deepen.")
            }
            OutboxError::CannotResolve(ResolveRefusal::OverwriteNeedsAssign) => {
                Self::new(k, "Only a reassignment can be forced.")
            }
            OutboxError::CannotResolve(ResolveRefusal::OnlyDiscard) => Self::new(
                k,
                "Deepen refused this change in a way that trying again cannot change: it can only be discarded.",
            ),
        }
    }
}

impl From<AccountsError> for ShellError {
    fn from(e: AccountsError) -> Self {
        Self::new(
            ErrorKind::Storage,
            format!("Cannot use the accounts folder: {e}."),
        )
    }
}

/// The action as a verb in a sentence ("assign" is the API's word; people say reassign).
fn verb(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Assign => "reassign",
        other => other.as_str(),
    }
}

/// A status as the window says it ("in progress"); unknown ones as spelled, spaced.
fn status_words(status: &TaskStatus) -> String {
    status.as_str().replace('_', " ")
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn io() -> std::io::Error {
        std::io::Error::from(std::io::ErrorKind::PermissionDenied)
    }

    fn db_errors() -> Vec<DbError> {
        let path = PathBuf::from("/data/mirror.db");
        let errors = vec![
            DbError::Corrupt {
                path: path.clone(),
                detail: "file is not a database".into(),
            },
            DbError::Locked { path: path.clone() },
            DbError::TooNew {
                path: path.clone(),
                found: 9,
                known: 3,
            },
            DbError::DiskFull { path: path.clone() },
            DbError::Io {
                path: path.clone(),
                source: io(),
            },
            DbError::Sqlite {
                path,
                source: rusqlite::Error::InvalidQuery,
            },
        ];
        // Adding a kind to the core fails to compile here until it is worded and listed.
        for e in &errors {
            match e {
                DbError::Corrupt { .. }
                | DbError::Locked { .. }
                | DbError::TooNew { .. }
                | DbError::DiskFull { .. }
                | DbError::Io { .. }
                | DbError::Sqlite { .. } => {}
            }
        }
        errors
    }

    fn api_errors() -> Vec<ApiError> {
        let status = |status| ApiError::Status {
            status,
            message: "not yours".into(),
            task_ids: vec![],
            retry_after: None,
        };
        let errors = vec![
            ApiError::Unreachable("connection refused".into()),
            ApiError::NoAnswer("reset by peer".into()),
            status(401),
            status(403),
            status(404),
            status(500),
            ApiError::Malformed("expected value at line 1".into()),
        ];
        for e in &errors {
            match e {
                ApiError::Unreachable(_)
                | ApiError::NoAnswer(_)
                | ApiError::Status { .. }
                | ApiError::Malformed(_) => {}
            }
        }
        errors
    }

    /// One of every kind the core can return, nested ones included.
    fn every_error() -> Vec<ShellError> {
        let mut all: Vec<ShellError> = Vec::new();
        let workspace = vec![
            WorkspaceError::NotConnected,
            WorkspaceError::TokenRefused {
                email: "ana@example.com".into(),
            },
            WorkspaceError::Folder {
                path: "/data".into(),
                source: io(),
            },
            WorkspaceError::UnknownTasks(vec!["t1".into(), "t2".into()]),
            WorkspaceError::NotAllowed {
                kind: ActionKind::Accept,
                task_id: "t1".into(),
                status: TaskStatus::IN_PROGRESS,
                pending: true,
            },
            WorkspaceError::NotReassignable {
                task_id: "t1".into(),
                status: TaskStatus::SUBMITTED,
            },
            WorkspaceError::UnknownAssignee {
                email: "x@example.com".into(),
                dataset_id: "ds1".into(),
            },
            WorkspaceError::MayNotReassign {
                email: "ana@example.com".into(),
                dataset_id: "ds1".into(),
            },
            WorkspaceError::AccountSwitchBlocked {
                email: "ana@example.com".into(),
                pending: 2,
            },
            WorkspaceError::AssignWithoutAssignee,
            WorkspaceError::Export(dtasks_core::export::ExportError::Write {
                path: "/home/ana/Downloads/x.csv".into(),
                source: io(),
            }),
            WorkspaceError::UnsafeTaskId("..".into()),
            WorkspaceError::WebUrl(dtasks_core::wire::WebUrlError::OffHost("t1".into())),
            WorkspaceError::WebUrl(dtasks_core::wire::WebUrlError::BadTemplate(
                "http://x/".into(),
            )),
            WorkspaceError::Account(AccountError::EmptyClientId),
            WorkspaceError::Credentials(CredentialError::Empty),
            WorkspaceError::Engine(EngineError::Busy("/data/sync.lock".into())),
            WorkspaceError::Outbox(OutboxError::UnknownOp("op".into())),
            WorkspaceError::Db(DbError::Locked {
                path: "/data/outbox.db".into(),
            }),
        ];
        for e in &workspace {
            match e {
                WorkspaceError::NotConnected
                | WorkspaceError::TokenRefused { .. }
                | WorkspaceError::Folder { .. }
                | WorkspaceError::UnknownTasks(_)
                | WorkspaceError::NotAllowed { .. }
                | WorkspaceError::NotReassignable { .. }
                | WorkspaceError::UnknownAssignee { .. }
                | WorkspaceError::MayNotReassign { .. }
                | WorkspaceError::AccountSwitchBlocked { .. }
                | WorkspaceError::AssignWithoutAssignee
                | WorkspaceError::UnsafeTaskId(_)
                | WorkspaceError::Export(_)
                | WorkspaceError::WebUrl(_)
                | WorkspaceError::Account(_)
                | WorkspaceError::Credentials(_)
                | WorkspaceError::Engine(_)
                | WorkspaceError::Outbox(_)
                | WorkspaceError::Db(_) => {}
            }
        }
        all.extend(workspace.into_iter().map(ShellError::from));
        all.extend(db_errors().into_iter().map(ShellError::from));
        all.extend(api_errors().into_iter().map(ShellError::from));
        let json_error = serde_json::from_str::<u8>("x").unwrap_err();
        let accounts = vec![
            AccountError::BadUrl("ftp:/x".into()),
            AccountError::InsecureUrl("http://deepen.example".into()),
            AccountError::BadEmail("ana".into()),
            AccountError::EmptyClientId,
            AccountError::BadClientId("..".into()),
            AccountError::CredentialsInUrl,
            AccountError::Io {
                path: "/data/account.json".into(),
                source: io(),
            },
            AccountError::Corrupt {
                path: "/data/account.json".into(),
                source: json_error,
            },
        ];
        for e in &accounts {
            match e {
                AccountError::BadUrl(_)
                | AccountError::InsecureUrl(_)
                | AccountError::BadEmail(_)
                | AccountError::EmptyClientId
                | AccountError::BadClientId(_)
                | AccountError::CredentialsInUrl
                | AccountError::Io { .. }
                | AccountError::Corrupt { .. } => {}
            }
        }
        all.extend(accounts.into_iter().map(ShellError::from));
        all.extend(
            [
                CredentialError::Missing {
                    email: "ana@example.com".into(),
                },
                CredentialError::StoreUnavailable {
                    detail: "no D-Bus session".into(),
                },
                CredentialError::Empty,
            ]
            .into_iter()
            .map(ShellError::from),
        );
        all.extend(
            [
                EngineError::Busy("/data/sync.lock".into()),
                EngineError::Lock {
                    path: "/data/sync.lock".into(),
                    source: io(),
                },
                EngineError::Worker("panicked".into()),
            ]
            .into_iter()
            .map(ShellError::from),
        );
        all.extend(
            [
                OutboxError::UnknownOp("op".into()),
                OutboxError::CannotResolve(ResolveRefusal::InFlight),
                OutboxError::CannotResolve(ResolveRefusal::AlreadyDone),
                OutboxError::CannotResolve(ResolveRefusal::OverwriteNeedsAssign),
                OutboxError::CannotResolve(ResolveRefusal::OnlyDiscard),
            ]
            .into_iter()
            .map(ShellError::from),
        );
        all
    }

    #[test]
    fn every_core_error_is_worded_for_a_window() {
        let all = every_error();
        assert!(all.len() > 40, "{}", all.len());
        for e in all {
            let m = &e.message;
            assert!(
                m.chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()),
                "not a sentence: {m}"
            );
            assert!(
                m.ends_with(['.', ')']) || m.contains(": "),
                "not a sentence: {m}"
            );
            for cli in ["dtasks", "--", "`"] {
                assert!(!m.contains(cli), "names the CLI: {m}");
            }
            for debug in [
                "{ ", " }", "Error(", "Some(", "None", "\\\"", "Os {", "kind:",
            ] {
                assert!(!m.contains(debug), "raw debug text: {m}");
            }
        }
    }

    #[test]
    fn kinds_the_window_acts_on() {
        let e: ShellError = WorkspaceError::NotConnected.into();
        assert_eq!(e.kind, ErrorKind::NotConnected);
        let e: ShellError = WorkspaceError::TokenRefused {
            email: "a@b.c".into(),
        }
        .into();
        assert_eq!(e.kind, ErrorKind::SignIn);
        assert!(e.message.contains("Sign in again"));
        let e: ShellError = CredentialError::Missing {
            email: "a@b.c".into(),
        }
        .into();
        assert_eq!(e.kind, ErrorKind::SignIn);
        let e: ShellError = DbError::DiskFull {
            path: "/x/outbox.db".into(),
        }
        .into();
        assert_eq!(e.kind, ErrorKind::Storage);
        let e: ShellError = WorkspaceError::AccountSwitchBlocked {
            email: "ana@example.com".into(),
            pending: 2,
        }
        .into();
        assert!(e.message.starts_with("2 change(s) of ana@example.com"));
    }
}
