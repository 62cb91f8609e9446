//! Why an action needs the user's decision: data the engine records and each front end
//! words (the CLI for a terminal, the window for a person), never a finished sentence.

use serde::{Deserialize, Serialize};

use super::Resolution;
use crate::wire::{ActionKind, TaskStatus};

/// Refusals no retry can change: the request is invalid (400, 422), not the user's to make
/// (403), or its task is gone (404). Only discarding the action is left.
const FINAL_REFUSALS: [u16; 4] = [400, 403, 404, 422];

/// Why an action waits on the user (state `needs_attention`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum AttentionReason {
    /// Someone else reassigned the task after the user moved it from `from` to `to`; it is
    /// now with `now_assignee` (`None`: nobody).
    ReassignedElsewhere {
        /// Who has the task on the server now.
        now_assignee: Option<String>,
        /// Where the user moved it from.
        from: Option<String>,
        /// Where the user moved it to.
        to: Option<String>,
    },
    /// The answer to a request was lost and the task changed on the server since the
    /// user acted: whether it was applied is unknown, and a resend could repeat it.
    ChangedAfterLostAnswer {
        /// The task's status on the server now.
        status: TaskStatus,
    },
    /// Someone else changed the task: its status no longer allows the action.
    NoLongerAllowed {
        /// The task's status on the server now.
        status: TaskStatus,
    },
    /// The server kept failing after every retry.
    KeepsFailing {
        /// Requests made.
        attempts: u32,
        /// The last failure, as a technical note.
        error: String,
    },
    /// The server refused the action (403, 404, 409, …).
    Refused {
        /// The HTTP status of the refusal.
        http_status: u16,
        /// The server's own words (its error message, or an excerpt of its answer).
        server_says: String,
    },
    /// A reason stored in words by an earlier version of this app.
    Text {
        /// The stored words.
        text: String,
    },
}

impl AttentionReason {
    /// The decisions that can work for an action of `kind` held for this reason, in the
    /// order to offer them: a refusal no retry can change can only be discarded; only a
    /// reassignment someone else overtook can be forced.
    pub fn resolutions(&self, kind: ActionKind) -> Vec<Resolution> {
        use Resolution::{Discard, Overwrite, Retry};
        match self {
            Self::Refused { .. } if self.is_final() => vec![Discard],
            Self::ReassignedElsewhere { .. } => vec![Overwrite, Retry, Discard],
            // Words of an earlier version: what could work then.
            Self::Text { .. } if kind == ActionKind::Assign => vec![Overwrite, Retry, Discard],
            _ => vec![Retry, Discard],
        }
    }

    /// A refusal that no retry can change.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Refused { http_status, .. } if FINAL_REFUSALS.contains(http_status))
    }

    /// How the reason is kept in the outbox (JSON).
    pub(crate) fn to_stored(&self) -> String {
        serde_json::to_string(self).expect("a reason always serializes")
    }

    /// Reads a stored reason; words stored by an earlier version are kept as they are.
    pub(crate) fn from_stored(stored: &str) -> Self {
        serde_json::from_str(stored).unwrap_or_else(|_| Self::Text {
            text: stored.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_final_refusal_can_only_be_discarded_and_only_an_overtaken_move_forced() {
        use Resolution::{Discard, Overwrite, Retry};
        let refused = |http_status| AttentionReason::Refused {
            http_status,
            server_says: "no".into(),
        };
        for status in [400, 403, 404, 422] {
            assert_eq!(refused(status).resolutions(ActionKind::Assign), [Discard]);
        }
        // A 409 the listing could not explain (a task open in an editor) may pass later.
        assert_eq!(
            refused(409).resolutions(ActionKind::Submit),
            [Retry, Discard]
        );
        let overtaken = AttentionReason::ReassignedElsewhere {
            now_assignee: None,
            from: None,
            to: Some("a@x".into()),
        };
        assert_eq!(
            overtaken.resolutions(ActionKind::Assign),
            [Overwrite, Retry, Discard]
        );
        let failing = AttentionReason::KeepsFailing {
            attempts: 12,
            error: "502".into(),
        };
        assert_eq!(failing.resolutions(ActionKind::Assign), [Retry, Discard]);
    }

    #[test]
    fn stored_as_json_and_old_words_are_kept() {
        let r = AttentionReason::NoLongerAllowed {
            status: TaskStatus::ACCEPTED,
        };
        assert_eq!(AttentionReason::from_stored(&r.to_stored()), r);
        assert_eq!(
            AttentionReason::from_stored("The task is gone."),
            AttentionReason::Text {
                text: "The task is gone.".into()
            }
        );
    }
}
