//! When to try a failed action again: exponential backoff with jitter, computed from the
//! attempt count stored with the action (so it survives restarts), and `Retry-After`
//! honoured when the server gives one.

use std::time::Duration;

use rand::Rng;

/// The first wait and the longest one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first step of the backoff, doubled with each attempt.
    pub base: Duration,
    /// The longest step, however many attempts failed (`Retry-After` may ask for longer).
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(500),
            cap: Duration::from_secs(300),
        }
    }
}

/// Transient failures of one action before it is put before the user instead.
pub const MAX_ATTEMPTS: u32 = 12;

/// The wait before attempt `attempts + 1`: "equal jitter" — half of the exponential step
/// fixed, half random — so many clients failing together do not retry together.
impl Backoff {
    /// How long to wait after `attempts` attempts; at least `retry_after` when given.
    pub fn delay(&self, attempts: u32, retry_after: Option<Duration>) -> Duration {
        let step = self
            .base
            .saturating_mul(1u32 << attempts.min(16))
            .min(self.cap);
        let half = step / 2;
        let jitter = Duration::from_millis(rand::rng().random_range(0..=half.as_millis() as u64));
        (half + jitter).max(retry_after.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_is_capped_and_honours_retry_after() {
        let b = Backoff::default();
        for attempts in 0..40 {
            let d = b.delay(attempts, None);
            let step = b.base.saturating_mul(1u32 << attempts.min(16)).min(b.cap);
            assert!(d >= step / 2 && d <= step, "attempt {attempts}: {d:?}");
        }
        assert!(b.delay(30, None) <= b.cap);
        assert!(b.delay(0, Some(Duration::from_secs(7))) >= Duration::from_secs(7));
    }
}
