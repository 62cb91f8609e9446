//! Updates: the app reads a release manifest in the background, offers what it finds, and
//! installs only when the user says so — after `tauri-plugin-updater` has checked the
//! artifact's minisign signature (and the version it was signed for) against the release
//! key in `tauri.conf.json`. An artifact that does not match is never installed.
//!
//! When (`check_due`): never in demo mode, never offline or on a metered connection, never
//! before the open account's sync has reached its server (a start is never delayed), then
//! once a day (an hour after a check that failed). "Check for updates" in the sync centre
//! asks at once (not in demo).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tauri::{AppHandle, Manager, Runtime, Url};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterExt};

use crate::error::{ErrorKind, ShellError};
use crate::session::{AppState, SessionMode};

/// How often a running app looks again once it has looked.
pub const CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// How soon it looks again after the update server could not be read.
pub const RETRY_AFTER: Duration = Duration::from_secs(60 * 60);
/// One manifest or artifact request, at most (a hotspot may be slow, never endless).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Another manifest URL than `tauri.conf.json`'s (a company mirror, a test server).
pub const ENDPOINT_ENV: &str = "DTASKS_UPDATE_ENDPOINT";
/// Another release key, for tests; only debug builds read it (a release build trusts
/// nothing but the key it was built with).
pub const PUBKEY_ENV: &str = "DTASKS_UPDATE_PUBKEY";

/// Where updates come from; by default what `tauri.conf.json` says.
#[derive(Debug, Clone, Default)]
pub struct UpdateSettings {
    /// The manifest's URL instead of the configured one (https, or http to loopback only).
    pub endpoint: Option<String>,
    /// Another release public key (tests).
    pub pubkey: Option<String>,
    /// Where an AppImage update is written instead of the running executable (tests).
    pub install_path: Option<std::path::PathBuf>,
}

impl UpdateSettings {
    /// The settings of a running app: `DTASKS_UPDATE_ENDPOINT`, and in debug builds only
    /// `DTASKS_UPDATE_PUBKEY`.
    pub fn from_env() -> Self {
        let var = |name| {
            std::env::var(name)
                .ok()
                .filter(|v: &String| !v.trim().is_empty())
        };
        Self {
            endpoint: var(ENDPOINT_ENV),
            pubkey: if cfg!(debug_assertions) {
                var(PUBKEY_ENV)
            } else {
                None
            },
            install_path: None,
        }
    }
}

/// An update found, as the window offers it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, specta::Type)]
pub struct UpdateOffer {
    /// The new version.
    pub version: String,
    /// The running version.
    pub current_version: String,
    /// What changed, in the release's words.
    pub notes: Option<String>,
    /// Why this copy cannot install it by itself, in words (it was not installed from a
    /// package); `None` when it can.
    pub cannot_install: Option<String>,
}

/// What the app knows about updates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UpdateState {
    /// Not looked yet in this run (demo, offline, metered, or too early).
    Unchecked,
    /// Reading the manifest.
    Checking,
    /// The running version is the newest (Unix ms of the check).
    UpToDate {
        #[specta(type = specta_typescript::Number)]
        checked_at: i64,
    },
    /// A newer version is offered.
    Available { offer: UpdateOffer },
    /// Downloading, verifying and installing; the app restarts when done.
    Installing { version: String },
    /// The last check or install failed, in words; the app goes on as it is.
    Failed { message: String },
}

/// The updater's state in the app (managed by Tauri), with its way back to the app (the
/// commands that use it are not generic over the runtime).
pub struct Updates {
    settings: UpdateSettings,
    inner: Mutex<Inner>,
    app: Box<dyn AppLink>,
}

/// What the updater needs of the app.
trait AppLink: Send + Sync {
    fn updater_builder(&self) -> tauri_plugin_updater::UpdaterBuilder;
    fn notify(&self, state: UpdateState);
    fn restart(&self);
}

struct Link<R: Runtime>(AppHandle<R>);

impl<R: Runtime> AppLink for Link<R> {
    fn updater_builder(&self) -> tauri_plugin_updater::UpdaterBuilder {
        self.0.updater_builder()
    }

    fn notify(&self, state: UpdateState) {
        crate::events::emit(&self.0, crate::session::Notice::Update(state));
    }

    fn restart(&self) {
        self.0.request_restart();
    }
}

struct Inner {
    state: UpdateState,
    found: Option<Update>,
    /// When the next background check may run (`None`: at once).
    next_check: Option<Instant>,
    checking: bool,
}

impl Updates {
    pub fn new<R: Runtime>(app: &AppHandle<R>, settings: UpdateSettings) -> Self {
        Self {
            app: Box::new(Link(app.clone())),
            settings,
            inner: Mutex::new(Inner {
                state: UpdateState::Unchecked,
                found: None,
                next_check: None,
                checking: false,
            }),
        }
    }

    pub fn state(&self) -> UpdateState {
        self.inner.lock().expect("updates lock").state.clone()
    }

    fn next_check(&self) -> Option<Instant> {
        self.inner.lock().expect("updates lock").next_check
    }
}

/// Whether a background check is due now. Never in demo mode (a demo is a sample; its
/// users and the tests that run it must not call out), never while offline or metered
/// (the manifest is small, the artifact is not), and not before `next_check` (a day after
/// a check that worked, an hour after one that did not).
pub fn check_due(
    mode: SessionMode,
    online: bool,
    metered: bool,
    next_check: Option<Instant>,
    now: Instant,
) -> bool {
    mode == SessionMode::Account && online && !metered && next_check.is_none_or(|at| now >= at)
}

/// After a sync round reached the account's server: checks in the background when due
/// (on its own task: the caller may hold the session's locks).
pub fn on_online<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let mode = state.info().mode;
        let metered = state.session().is_ok_and(|s| s.metered_now());
        let next_check = app.state::<Updates>().next_check();
        if !check_due(mode, true, metered, next_check, Instant::now()) {
            return;
        }
        if let Err(e) = app.state::<Updates>().check().await {
            tracing::warn!(error = %e, "update check failed");
        }
    });
}

impl Updates {
    /// Reads the manifest now; the state (and the window) follows. One check at a time:
    /// a second caller gets the state as it is.
    pub async fn check(&self) -> Result<UpdateState, ShellError> {
        {
            let mut inner = self.inner.lock().expect("updates lock");
            if inner.checking {
                return Ok(inner.state.clone());
            }
            inner.checking = true;
            inner.state = UpdateState::Checking;
        }
        self.app.notify(UpdateState::Checking);
        let found = match self.updater() {
            Ok(updater) => updater.check().await.map_err(|e| worded(&e)),
            Err(e) => Err(e),
        };
        let state = match &found {
            Ok(Some(update)) => UpdateState::Available {
                offer: offer(update),
            },
            Ok(None) => UpdateState::UpToDate {
                checked_at: dtasks_core::clock::now_millis(),
            },
            Err(e) => UpdateState::Failed {
                message: e.message.clone(),
            },
        };
        {
            let mut inner = self.inner.lock().expect("updates lock");
            inner.checking = false;
            let wait = if found.is_ok() {
                CHECK_EVERY
            } else {
                RETRY_AFTER
            };
            inner.next_check = Some(Instant::now() + wait);
            inner.found = found.as_ref().ok().cloned().flatten();
            inner.state = state.clone();
        }
        self.app.notify(state.clone());
        found.map(|_| state)
    }

    /// Downloads the offered update, verifies its signature and installs it; `restart`
    /// then starts the new version. Nothing is installed unless the bytes match the
    /// release key.
    pub async fn install(&self) -> Result<(), ShellError> {
        let update = {
            let mut inner = self.inner.lock().expect("updates lock");
            let Some(update) = inner.found.clone() else {
                return Err(ShellError::new(
                    ErrorKind::Invalid,
                    "No update is waiting to be installed. Check for updates first.",
                ));
            };
            if self.settings.install_path.is_none()
                && let Some(why) = cannot_install()
            {
                return Err(ShellError::new(ErrorKind::NotAllowed, why));
            }
            inner.state = UpdateState::Installing {
                version: update.version.clone(),
            };
            update
        };
        self.app.notify(self.state());
        let result = match update.download(|_, _| {}, || {}).await {
            Ok(bytes) => update.install(bytes).map_err(|e| worded(&e)),
            Err(e) => Err(worded(&e)),
        };
        let state = match &result {
            Ok(()) => UpdateState::Installing {
                version: update.version.clone(),
            },
            Err(e) => {
                tracing::warn!(version = %update.version, error = %e, "update not installed");
                UpdateState::Failed {
                    message: e.message.clone(),
                }
            }
        };
        {
            let mut inner = self.inner.lock().expect("updates lock");
            if result.is_err() {
                // A download that did not verify is not offered again until the next check.
                inner.found = None;
            }
            inner.state = state.clone();
        }
        self.app.notify(state);
        result
    }

    /// Ends the app and starts it again (the installed new version).
    pub fn restart(&self) {
        self.app.restart();
    }

    /// The updater for these settings.
    fn updater(&self) -> Result<tauri_plugin_updater::Updater, ShellError> {
        let settings = &self.settings;
        let mut builder = self.app.updater_builder().timeout(REQUEST_TIMEOUT);
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .endpoints(vec![endpoint_url(endpoint)?])
                .map_err(|e| worded(&e))?;
        }
        if let Some(pubkey) = &settings.pubkey {
            builder = builder.pubkey(pubkey);
        }
        if let Some(path) = &settings.install_path {
            builder = builder.executable_path(path);
        }
        builder.build().map_err(|e| worded(&e))
    }
}

/// A manifest URL: https, or plain http to this computer only.
pub fn endpoint_url(text: &str) -> Result<Url, ShellError> {
    let invalid = |why: &str| {
        ShellError::new(
            ErrorKind::Invalid,
            format!("The update address {text} cannot be used: {why}."),
        )
    };
    let url = Url::parse(text.trim()).map_err(|e| invalid(&e.to_string()))?;
    let host = url.host_str().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(invalid(
            "plain http is only allowed to this computer; use https",
        )),
        _ => Err(invalid("it is not an https address")),
    }
}

/// Why this copy cannot install updates by itself: only the packages (.deb, .rpm,
/// AppImage) know how to replace themselves.
fn cannot_install() -> Option<String> {
    tauri::utils::platform::bundle_type().is_none().then(|| {
        "This copy was not installed from a package (.deb, .rpm or AppImage), so it cannot replace itself: install the new version the way you installed this one.".to_string()
    })
}

fn offer(update: &Update) -> UpdateOffer {
    UpdateOffer {
        version: update.version.clone(),
        current_version: update.current_version.clone(),
        notes: update.body.clone().filter(|n| !n.trim().is_empty()),
        cannot_install: cannot_install(),
    }
}

/// The updater's errors in words. A signature that does not match is said as such: the
/// user must know the download was refused, not merely that it failed.
fn worded(e: &UpdaterError) -> ShellError {
    use UpdaterError as E;
    let (kind, message) = match e {
        E::Minisign(_)
        | E::Base64(_)
        | E::SignatureUtf8(_)
        | E::SignedVersionMismatch { .. }
        | E::MissingSignedVersion => (
            ErrorKind::Update,
            "The downloaded update is not signed by Deepen Tasks' release key, so it was refused and nothing was installed.".to_string(),
        ),
        E::InvalidUpdaterFormat => (
            ErrorKind::Update,
            "The downloaded update is not a package this copy can install; nothing was installed.".to_string(),
        ),
        E::InsecureTransportProtocol => (
            ErrorKind::Invalid,
            "The update address must use https.".to_string(),
        ),
        E::AuthenticationFailed => (
            ErrorKind::Update,
            "Installing the update needs an administrator's password; it was not given, so nothing was installed.".to_string(),
        ),
        // Worded as Deepen's own failures are: the words, then the detail in brackets.
        E::Reqwest(_) | E::Network(_) | E::ReleaseNotFound => (
            ErrorKind::Server,
            format!(
                "Could not reach the update server ({}). It is asked again in an hour; the app goes on as it is.",
                detail(e)
            ),
        ),
        E::TargetNotFound(_) | E::TargetsNotFound(_) => (
            ErrorKind::Update,
            "The update server has no version of Deepen Tasks for this platform.".to_string(),
        ),
        E::Serialization(_) | E::Semver(_) | E::UrlParse(_) => (
            ErrorKind::Update,
            format!("The update server's answer cannot be read ({}).", detail(e)),
        ),
        _ => (
            ErrorKind::Update,
            format!("The update could not be installed ({}).", detail(e)),
        ),
    };
    ShellError::new(kind, message)
}

/// The updater's own message, without a trailing period (it goes in brackets).
fn detail(e: &UpdaterError) -> String {
    e.to_string().trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_only_for_an_account_online_unmetered_and_when_due() {
        let now = Instant::now();
        let past = now.checked_sub(Duration::from_secs(1)).unwrap();
        let later = now + Duration::from_secs(3600);
        let account = SessionMode::Account;
        assert!(check_due(account, true, false, None, now));
        assert!(check_due(account, true, false, Some(past), now));
        assert!(check_due(account, true, false, Some(now), now));
        assert!(!check_due(account, true, false, Some(later), now));
        assert!(!check_due(account, false, false, None, now), "offline");
        assert!(!check_due(account, true, true, None, now), "metered");
        for mode in [
            SessionMode::Demo,
            SessionMode::Opening,
            SessionMode::SignedOut,
        ] {
            assert!(!check_due(mode, true, false, None, now), "{mode:?}");
        }
    }

    #[test]
    fn update_addresses_are_https_or_loopback_http() {
        assert!(endpoint_url("https://releases.example.com/latest.json").is_ok());
        assert!(endpoint_url("http://127.0.0.1:8080/latest.json").is_ok());
        assert!(endpoint_url("http://[::1]:8080/latest.json").is_ok());
        assert!(endpoint_url("http://localhost/latest.json").is_ok());
        for bad in [
            "http://releases.example.com/latest.json",
            "http://127.0.0.1.example.com/latest.json",
            "ftp://127.0.0.1/latest.json",
            "not a url",
        ] {
            let e = endpoint_url(bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Invalid, "{bad}");
            assert!(e.message.contains(bad.trim()), "{}", e.message);
        }
    }
}
