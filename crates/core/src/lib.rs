//! Deepen Tasks core: everything but the user interface, free of Tauri.
//!
//! The direction of calls is one way: [`workspace`] (the operations the CLI and the app
//! offer) → [`engine`] (sync) and [`view`] (what the user sees) → [`mirror`] (confirmed
//! server state) and [`outbox`] (pending intent) → [`client`] (HTTP) → [`wire`] (Deepen's
//! JSON and rules). Nothing below calls back up except through the engine's signals.
//!
//! Where to look: the task vocabulary (statuses, actions) is [`wire::vocabulary`]'s; what
//! an operation changed is [`changes`]; errors are data ([`WorkspaceError`],
//! [`AttentionReason`]) that each front end words. The design it keeps is in the
//! repository's `docs/` (`sync-design.md`, `api-contract.md`, `architecture.md`).

#![warn(missing_docs)]

pub mod account;
pub mod accounts;
pub mod activity;
pub mod balance;
pub mod changes;
pub mod client;
pub mod clock;
pub mod credentials;
pub mod db;
pub mod engine;
pub mod export;
pub mod insight;
pub mod mirror;
pub mod network;
pub mod notices;
pub mod outbox;
pub mod preferences;
pub mod private;
pub mod sensitive;
pub mod store;
pub mod view;
pub mod wire;
pub mod workspace;

pub use account::Account;
pub use changes::{Changed, Changes, ViewChange};
pub use engine::{Connectivity, RoundReport, Scope, SyncEngine, SyncStatus};
pub use outbox::{AttentionReason, Enqueued, Op, OpState, Resolution};
pub use preferences::Preferences;
pub use sensitive::Sensitive;
pub use view::{AssigneeFilter, CountBy, SortKey, TaskQuery, TaskRow};
pub use wire::{ActionKind, KnownTaskStatus, TaskStatus};
pub use workspace::{Workspace, WorkspaceError};
