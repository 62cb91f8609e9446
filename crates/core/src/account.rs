//! The account a workspace mirrors: server URL, client (workspace) id and the user's
//! email, kept in `account.json` beside the databases. The token is never here: see
//! `credentials`.

use std::net::IpAddr;
use std::path::Path;

use reqwest::Url;
use serde::{Deserialize, Serialize};

/// The account a workspace is connected to, as saved in `account.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The API base, e.g. `https://tools.deepen.ai/api/v2`.
    pub server: String,
    /// The Deepen client (workspace) id that the client-level endpoints take in their path.
    pub client_id: String,
    /// The user's sign-in email: whose tasks are "mine", and part of the token's key.
    pub email: String,
    /// Where Deepen's web tool shows a task, as a template (see `wire::web_task_url`);
    /// `None`: the assumed default on the API server's origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_task_url: Option<String>,
}

/// Why an account's settings were refused, or `account.json` could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The server is not a URL with a host, or its scheme is neither https nor http.
    #[error("`{0}` is not a valid server URL")]
    BadUrl(String),
    /// Plain http to a host other than this machine (carries the host).
    #[error(
        "plain http is only allowed to this machine (127.0.0.1, ::1, localhost); use https for {0}"
    )]
    InsecureUrl(String),
    /// The email has no `@` with text on both sides, or contains whitespace.
    #[error("`{0}` does not look like an email address")]
    BadEmail(String),
    /// The server URL carries a user name or password.
    #[error("the server URL must not carry a user name or password")]
    CredentialsInUrl,
    /// The client id cannot go into a request path (`.`, `..`, control characters).
    #[error("`{0}` is not a usable client id")]
    BadClientId(String),
    /// The client id is blank.
    #[error("the client id must not be empty")]
    EmptyClientId,
    /// Reading or writing `account.json` failed.
    #[error("could not read or write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// `account.json` exists but does not hold a valid account.
    #[error("{path} is damaged ({source})")]
    Corrupt {
        /// The file.
        path: String,
        /// What does not parse.
        source: serde_json::Error,
    },
}

impl Account {
    /// Checks and trims the settings: https (or http to loopback), a non-blank client id,
    /// a plausible email.
    pub fn new(server: &str, client_id: &str, email: &str) -> Result<Self, AccountError> {
        validate_server(server)?;
        validate_client_id(client_id.trim())?;
        let email = email.trim();
        if !email.contains('@')
            || email.starts_with('@')
            || email.ends_with('@')
            || email.contains(char::is_whitespace)
        {
            return Err(AccountError::BadEmail(email.to_string()));
        }
        Ok(Self {
            server: server.trim().to_string(),
            client_id: client_id.trim().to_string(),
            email: email.to_string(),
            web_task_url: None,
        })
    }

    /// The API base as a URL, checked again (the file may have been edited by hand).
    pub fn server_url(&self) -> Result<Url, AccountError> {
        validate_client_id(&self.client_id)?;
        validate_server(&self.server)
    }

    /// The web tool's address of a task (see `wire::web_task_url`).
    pub fn web_task_url(
        &self,
        dataset_id: &str,
        task_id: &str,
    ) -> Result<Url, crate::wire::WebUrlError> {
        let api = self
            .server_url()
            .map_err(|_| crate::wire::WebUrlError::BadTemplate(self.server.clone()))?;
        let template = self
            .web_task_url
            .as_deref()
            .unwrap_or(crate::wire::DEFAULT_WEB_TASK_URL);
        crate::wire::web_task_url(template, &api, &self.client_id, dataset_id, task_id)
    }

    /// Reads the account saved at `path`; `None` when there is no file (never connected).
    pub fn load(path: &Path) -> Result<Option<Self>, AccountError> {
        match std::fs::read(path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|source| AccountError::Corrupt {
                        path: path.display().to_string(),
                        source,
                    })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(AccountError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Written to a temporary file and renamed, so a crash leaves the old or the new file.
    pub fn save(&self, path: &Path) -> Result<(), AccountError> {
        let io = |source| AccountError::Io {
            path: path.display().to_string(),
            source,
        };
        let tmp = path.with_extension("json.tmp");
        let json = serde_json::to_vec_pretty(self).expect("an account always serializes");
        crate::private::write(&tmp, &json).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}

/// A client id goes into request paths: it must be one (see `wire::is_safe_id`).
fn validate_client_id(client_id: &str) -> Result<(), AccountError> {
    if client_id.is_empty() {
        Err(AccountError::EmptyClientId)
    } else if !crate::wire::is_safe_id(client_id) {
        Err(AccountError::BadClientId(
            client_id.escape_debug().to_string(),
        ))
    } else {
        Ok(())
    }
}

/// https anywhere; plain http only to loopback, so a token never crosses a network in clear.
/// No user name or password in the URL: they would be sent, stored and shown.
pub fn validate_server(server: &str) -> Result<Url, AccountError> {
    let url = Url::parse(server.trim()).map_err(|_| AccountError::BadUrl(redacted(server)))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AccountError::CredentialsInUrl);
    }
    let host = url
        .host_str()
        .ok_or_else(|| AccountError::BadUrl(server.to_string()))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(host) => Ok(url),
        "http" => Err(AccountError::InsecureUrl(host.to_string())),
        _ => Err(AccountError::BadUrl(server.to_string())),
    }
}

/// Whether `host` is this machine (`localhost`, 127.0.0.0/8, `::1`).
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A URL as it may be shown: anything before an `@` in its authority (a password) is cut.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_only_to_loopback() {
        assert!(validate_server("https://tools.deepen.ai/api/v2").is_ok());
        assert!(validate_server("http://127.0.0.1:8080/api/v2").is_ok());
        assert!(validate_server("http://[::1]:8080/api/v2").is_ok());
        assert!(validate_server("http://localhost/api/v2").is_ok());
        assert!(matches!(
            validate_server("http://10.0.0.5/api/v2"),
            Err(AccountError::InsecureUrl(_))
        ));
        assert!(matches!(
            validate_server("http://127.0.0.1.evil.com/"),
            Err(AccountError::InsecureUrl(_))
        ));
        assert!(matches!(
            validate_server("ftp://x/"),
            Err(AccountError::BadUrl(_))
        ));
        assert!(matches!(
            validate_server("not a url"),
            Err(AccountError::BadUrl(_))
        ));
    }

    #[test]
    fn no_credentials_in_the_url_and_no_dot_client_ids() {
        let e = validate_server("https://ana:s3cret@tools.deepen.ai/api/v2").unwrap_err();
        assert!(matches!(e, AccountError::CredentialsInUrl));
        assert!(!e.to_string().contains("s3cret"));
        let e = validate_server("https://ana:s3cret@bad host/").unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
        for bad in [".", "..", "c\nd"] {
            assert!(
                matches!(
                    Account::new("https://a.b/api", bad, "a@b.c"),
                    Err(AccountError::BadClientId(_))
                ),
                "{bad:?}"
            );
        }
        assert!(Account::new("https://a.b/api", "client.one", "a@b.c").is_ok());
    }

    #[test]
    fn account_fields_are_checked_and_round_trip() {
        assert!(matches!(
            Account::new("https://a.b/api", "c", "nope"),
            Err(AccountError::BadEmail(_))
        ));
        assert!(matches!(
            Account::new("https://a.b/api", " ", "a@b.c"),
            Err(AccountError::EmptyClientId)
        ));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("account.json");
        assert_eq!(Account::load(&path).unwrap(), None);
        let account = Account::new("https://a.b/api", "c1", "a@b.c").unwrap();
        account.save(&path).unwrap();
        assert_eq!(Account::load(&path).unwrap(), Some(account));
        std::fs::write(&path, b"{garbage").unwrap();
        assert!(matches!(
            Account::load(&path),
            Err(AccountError::Corrupt { .. })
        ));
    }
}
