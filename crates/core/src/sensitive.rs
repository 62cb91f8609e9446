//! `Sensitive<T>`: a wrapper for secrets (the API token) that never prints its value.
//! Debug and Display show a fixed placeholder, so a token cannot leak through logs,
//! error messages or `{:?}` of a struct that holds one.

use std::fmt;

/// A secret that `Debug` and `Display` never show; read it with [`Sensitive::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wraps a secret.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself. Call sites are few and greppable on purpose.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_secret() {
        let token = Sensitive::new("tok-secret".to_string());
        assert!(!format!("{token:?} {token}").contains("tok-secret"));
        assert_eq!(token.expose(), "tok-secret");
    }
}
