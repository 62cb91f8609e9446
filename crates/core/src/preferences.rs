//! A workspace's preferences, shared by the desktop app and the CLI: kept in
//! `preferences.json` beside the databases (private, like every file there). A damaged
//! file reads as the defaults (and is replaced by the next change): nothing in it is data.

use std::path::Path;

use serde::{Deserialize, Serialize};

const FILE: &str = "preferences.json";

/// What the user chose for this workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Preferences {
    /// The connection is metered (a phone hotspot): sync refreshes only my tasks and what
    /// a view shows, never a whole dataset (nor the delayed list) out of view.
    pub metered: bool,
    /// Also treat the connection as metered whenever the system says it is (the desktop
    /// app asks NetworkManager, which knows a phone's hotspot). On unless turned off.
    pub follow_system_metered: bool,
    /// The notifications wanted, by kind.
    pub notify: crate::notices::NoticeKinds,
    /// Closing the window keeps the app syncing in the tray (desktop app); `None`: yes
    /// where the desktop shows tray icons.
    pub close_to_tray: Option<bool>,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            metered: false,
            follow_system_metered: true,
            notify: crate::notices::NoticeKinds::default(),
            close_to_tray: None,
        }
    }
}

impl Preferences {
    /// Whether rounds spare the connection now, given what the system says of it.
    pub fn metered_now(&self, system_says_metered: bool) -> bool {
        self.metered || (self.follow_system_metered && system_says_metered)
    }

    /// The preferences of the workspace in `dir`; the defaults when none were saved or the
    /// file is damaged.
    pub fn load(dir: &Path) -> Self {
        let path = dir.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), error = %e, "damaged preferences: defaults used");
                Self::default()
            }),
            Err(_) => Self::default(),
        }
    }

    /// Saves them in `dir` (a temporary file renamed: a crash leaves the old or the new).
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        let path = dir.join(FILE);
        let tmp = path.with_extension("json.tmp");
        let json = serde_json::to_vec_pretty(self).expect("preferences always serialize");
        crate::private::write(&tmp, &json)?;
        std::fs::rename(&tmp, &path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_preferences_load_and_damaged_ones_read_as_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Preferences::load(dir.path()), Preferences::default());
        let metered = Preferences {
            metered: true,
            ..Preferences::default()
        };
        metered.save(dir.path()).unwrap();
        assert_eq!(Preferences::load(dir.path()), metered);
        std::fs::write(dir.path().join(FILE), b"{not json").unwrap();
        assert_eq!(Preferences::load(dir.path()), Preferences::default());
        // Fields added later keep their defaults in an older file.
        std::fs::write(dir.path().join(FILE), b"{}").unwrap();
        assert_eq!(Preferences::load(dir.path()), Preferences::default());
        std::fs::write(dir.path().join(FILE), br#"{"metered": true}"#).unwrap();
        assert!(Preferences::load(dir.path()).follow_system_metered);
    }

    #[test]
    fn metered_when_the_user_says_so_or_the_system_does_unless_told_not_to_follow_it() {
        let mut p = Preferences::default();
        assert!(!p.metered_now(false));
        assert!(
            p.metered_now(true),
            "the system's word is followed by default"
        );
        p.follow_system_metered = false;
        assert!(!p.metered_now(true));
        p.metered = true;
        assert!(p.metered_now(false) && p.metered_now(true));
    }
}
