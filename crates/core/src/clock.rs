//! Wall-clock time in Unix milliseconds, the unit of every timestamp the API and the
//! database use.

use std::time::{SystemTime, UNIX_EPOCH};

/// The current time in Unix milliseconds (0 if the system clock is before 1970).
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
