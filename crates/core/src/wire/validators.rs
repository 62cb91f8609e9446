//! Conditional requests: what an answer's `ETag` and `Last-Modified` let the client ask
//! next time ("only if it changed"). The Deepen docs say nothing of them (assumed, see
//! `docs/api-contract.md`): they are used when present, and the client works the same
//! without them.

use std::time::SystemTime;

/// The longest validator kept; anything longer is not a validator a server would send.
const MAX_VALIDATOR_LEN: usize = 512;

/// What identifies the version of an answer the mirror holds, sent back as
/// `If-None-Match` / `If-Modified-Since`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The answer's `ETag`, verbatim (weak or strong).
    pub etag: Option<String>,
    /// The answer's `Last-Modified`, verbatim, when it can be trusted (see
    /// [`Validators::from_headers`]).
    pub last_modified: Option<String>,
}

impl Validators {
    /// The validators of an answer with these headers.
    ///
    /// A `Last-Modified` is kept only when the answer's `Date` is at least a second later:
    /// HTTP dates have whole seconds, so a change later in the same second as the answer
    /// would leave `Last-Modified` as it is, and `If-Modified-Since` would hide it
    /// (RFC 9110 §8.8.2.2 calls such a date weak).
    pub fn from_headers(
        etag: Option<&str>,
        last_modified: Option<&str>,
        date: Option<&str>,
    ) -> Self {
        let etag = etag.filter(|t| is_entity_tag(t)).map(str::to_string);
        let last_modified = last_modified.filter(|lm| {
            let (Some(modified), Some(date)) = (parse_date(lm), date.and_then(parse_date)) else {
                return false;
            };
            date.duration_since(modified)
                .is_ok_and(|d| d.as_secs() >= 1)
        });
        Validators {
            etag,
            last_modified: last_modified.map(str::to_string),
        }
    }

    /// No validator: the next request is unconditional.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// `"opaque"` or `W/"opaque"`, printable ASCII, of a sane length.
fn is_entity_tag(tag: &str) -> bool {
    let opaque = tag.strip_prefix("W/").unwrap_or(tag);
    tag.len() <= MAX_VALIDATOR_LEN
        && opaque.len() >= 2
        && opaque.starts_with('"')
        && opaque.ends_with('"')
        && opaque[1..opaque.len() - 1]
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b))
}

fn parse_date(value: &str) -> Option<SystemTime> {
    (value.len() <= MAX_VALIDATOR_LEN)
        .then(|| httpdate::parse_http_date(value.trim()).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODIFIED: &str = "Mon, 30 Nov 2026 10:00:00 GMT";

    #[test]
    fn entity_tags_are_kept_verbatim_when_well_formed() {
        for good in ["\"abc\"", "W/\"00ff\"", "\"\""] {
            assert_eq!(
                Validators::from_headers(Some(good), None, None)
                    .etag
                    .as_deref(),
                Some(good)
            );
        }
        for bad in [
            "abc",
            "W/abc",
            "\"a\"b\"",
            "\"a\nb\"",
            "\"",
            &"\"x".repeat(300),
        ] {
            assert_eq!(
                Validators::from_headers(Some(bad), None, None).etag,
                None,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn last_modified_is_trusted_only_a_second_before_the_answer() {
        let lm =
            |date: Option<&str>| Validators::from_headers(None, Some(MODIFIED), date).last_modified;
        assert_eq!(
            lm(Some("Mon, 30 Nov 2026 10:00:01 GMT")).as_deref(),
            Some(MODIFIED)
        );
        assert_eq!(
            lm(Some(MODIFIED)),
            None,
            "same second: a later change would hide"
        );
        assert_eq!(
            lm(Some("Mon, 30 Nov 2026 09:59:00 GMT")),
            None,
            "from the future"
        );
        assert_eq!(lm(None), None, "no Date to compare with");
        assert_eq!(
            Validators::from_headers(None, Some("yesterday"), Some(MODIFIED)).last_modified,
            None
        );
        assert!(Validators::from_headers(None, None, None).is_empty());
    }
}
