//! The sync status the UI and CLI render as is (one source of truth for the status bar):
//! connectivity judged from real request results, whether a round runs now, queue counts,
//! last successful sync. The durable part is kept in the outbox's `sync_meta`, so a new
//! process knows it too.

use serde::Serialize;

use crate::db::DbError;
use crate::outbox::Outbox;

/// The state of the link to the server, as the status bar shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Connectivity {
    /// The last request reached the server.
    Online,
    /// The server could not be reached; actions wait and a probe runs now and then.
    Offline,
    /// The token was refused: everything is kept and paused until the user signs in again.
    NeedsSignIn,
}

impl Connectivity {
    fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Offline => "offline",
            Self::NeedsSignIn => "needs_sign_in",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "online" => Self::Online,
            "offline" => Self::Offline,
            "needs_sign_in" => Self::NeedsSignIn,
            _ => return None,
        })
    }
}

/// Everything the status bar shows: the recorded state with the current queue counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncStatus {
    /// Reachability, as last judged from real requests. A round running does not change
    /// it: an offline probe leaves the link offline until a request gets through.
    pub connectivity: Connectivity,
    /// A round runs in this process now (another process's round is not seen here).
    pub syncing: bool,
    /// Actions waiting to be sent (in flight included).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub pending: u64,
    /// Actions waiting for the user's decision.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub needs_attention: u64,
    /// When a sync last completed with the server reachable (Unix ms).
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub last_sync_at: Option<i64>,
    /// The last failure, as a technical note (its kind is `connectivity`); front ends
    /// show it as a detail, under their own words for the kind.
    pub last_error: Option<String>,
    /// Whether rounds spare the connection now (the user's choice or the system's word):
    /// only my tasks and what a view shows are refreshed.
    pub metered: bool,
}

const KEY_CONNECTIVITY: &str = "connectivity";
const KEY_LAST_SYNC_AT: &str = "last_sync_at";
const KEY_LAST_ERROR: &str = "last_error";

/// Reads the status as last recorded, with the queue counts of now.
pub fn load(outbox: &Outbox) -> Result<SyncStatus, DbError> {
    let counts = outbox.counts()?;
    let connectivity = outbox
        .meta(KEY_CONNECTIVITY)?
        .and_then(|s| Connectivity::parse(&s));
    Ok(SyncStatus {
        // Never synced yet (or a file of a version that recorded "syncing" mid-round): the
        // link's state is unknown, and unknown is offline until a request gets through.
        connectivity: connectivity.unwrap_or(Connectivity::Offline),
        // Not kept: the engine running a round says it.
        syncing: false,
        pending: counts.pending + counts.in_flight,
        needs_attention: counts.needs_attention,
        last_sync_at: outbox.meta(KEY_LAST_SYNC_AT)?.and_then(|s| s.parse().ok()),
        last_error: outbox.meta(KEY_LAST_ERROR)?,
        // Not kept: the engine that publishes the status says it.
        metered: false,
    })
}

pub fn record(
    outbox: &Outbox,
    connectivity: Connectivity,
    error: Option<&str>,
    synced_at: Option<i64>,
) -> Result<(), DbError> {
    outbox.set_meta(KEY_CONNECTIVITY, Some(connectivity.as_str()))?;
    outbox.set_meta(KEY_LAST_ERROR, error)?;
    if let Some(at) = synced_at {
        outbox.set_meta(KEY_LAST_SYNC_AT, Some(&at.to_string()))?;
    }
    Ok(())
}
