//! What the window remembers between runs (via eframe's storage). Never a secret: no secret key,
//! no session token, and no link that carries one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A custom endpoint the user added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedConnection {
    /// The name shown in the picker.
    pub name: String,
    /// Endpoint URL, e.g. `http://127.0.0.1:9000`; empty for AWS.
    pub endpoint_url: String,
    /// Region; empty for the profile's or the default.
    pub region: String,
    /// Path-style addressing.
    pub path_style: bool,
    /// The AWS profile that holds the credentials (typed keys are written to one, named `s3share-<name>`).
    pub profile: Option<String>,
}

/// One link the user made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The object, `s3://bucket/key`.
    pub object: String,
    /// `GET` (download link) or `PUT` (upload link).
    pub method: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it really stops working.
    pub effective_expires_at: DateTime<Utc>,
    /// The URL. Absent for links signed with temporary credentials: their URL carries a
    /// session token, which is never written to disk (and they die with the credentials anyway).
    pub url: Option<String>,
}

/// Most links kept in the history.
pub const HISTORY_LIMIT: usize = 200;

/// Everything persisted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Custom connections.
    pub connections: Vec<SavedConnection>,
    /// The name of the connection last used.
    pub last_connection: Option<String>,
    /// The bucket last open.
    pub last_bucket: Option<String>,
    /// The folder last open (a prefix).
    pub last_folder: String,
    /// The chosen link lifetime, in seconds.
    pub expiry_secs: u64,
    /// Copy a download link when an upload finishes.
    pub copy_link_after_upload: bool,
    /// Links made, newest first.
    pub history: Vec<HistoryEntry>,
    /// The first-run welcome has been shown.
    pub welcome_seen: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            connections: Vec::new(),
            last_connection: None,
            last_bucket: None,
            last_folder: String::new(),
            expiry_secs: 3600,
            copy_link_after_upload: true,
            history: Vec::new(),
            welcome_seen: false,
        }
    }
}

impl Settings {
    /// Records a link at the top of the history; URLs holding a session token are not kept.
    pub fn remember_link(&mut self, link: &crate::share::ShareLink) {
        let has_token = link.url.contains("X-Amz-Security-Token=");
        self.history.insert(
            0,
            HistoryEntry {
                object: link.object.clone(),
                method: link.method.clone(),
                created_at: link.created_at,
                effective_expires_at: link.effective_expires_at,
                url: (!has_token).then(|| link.url.clone()),
            },
        );
        self.history.truncate(HISTORY_LIMIT);
    }

    /// The part that would hurt to lose to a crash or a kill: links made, connections added. The
    /// window writes the settings out as soon as this changes, not at eframe's next autosave (every
    /// 30 s); the rest (expiry, last folder) waits for it, so a dragged slider does not write 60
    /// times a second.
    pub fn lasting(&self) -> LastingSettings {
        LastingSettings {
            links: self.history.len(),
            newest_link: self.history.first().cloned(),
            connections: self.connections.clone(),
        }
    }
}

/// See [`Settings::lasting`]: compared frame to frame.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LastingSettings {
    links: usize,
    newest_link: Option<HistoryEntry>,
    connections: Vec<SavedConnection>,
}

impl LastingSettings {
    /// Whether `settings` still has this lasting part: the frame-to-frame check, made in place
    /// (no copy of the connections and the newest link every frame).
    pub fn matches(&self, settings: &Settings) -> bool {
        self.links == settings.history.len()
            && self.newest_link.as_ref() == settings.history.first()
            && self.connections == settings.connections
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str) -> crate::share::ShareLink {
        crate::share::ShareLink::example(url)
    }

    #[test]
    fn session_tokens_never_reach_the_history() {
        let mut settings = Settings::default();
        settings.remember_link(&link("http://h/b/k?X-Amz-Security-Token=SECRETTOKEN&X-Amz-Signature=1"));
        settings.remember_link(&link("http://h/b/k?X-Amz-Signature=2"));
        let saved = serde_json::to_string(&settings).unwrap();
        assert!(!saved.contains("SECRETTOKEN"));
        assert_eq!(settings.history[0].url.as_deref(), Some("http://h/b/k?X-Amz-Signature=2"));
        assert_eq!(settings.history[1].url, None);
    }

    #[test]
    fn new_links_and_connections_are_lasting_changes_the_expiry_is_not() {
        let mut settings = Settings::default();
        let before = settings.lasting();
        settings.expiry_secs = 60;
        settings.last_folder = "docs/".into();
        assert_eq!(settings.lasting(), before, "waits for the autosave");
        settings.remember_link(&link("http://h/b/k?X-Amz-Signature=1"));
        assert_ne!(settings.lasting(), before, "a new link");
        let one_link = settings.lasting();
        settings.history = vec![settings.history[0].clone(); HISTORY_LIMIT];
        let full = settings.lasting();
        settings.remember_link(&link("http://h/b/k?X-Amz-Signature=2"));
        assert_ne!(settings.lasting(), full, "a new link when the history is full");
        settings.history.truncate(1);
        settings.connections.push(SavedConnection {
            name: "lab".into(),
            endpoint_url: "http://127.0.0.1:9000".into(),
            region: String::new(),
            path_style: true,
            profile: None,
        });
        assert_ne!(settings.lasting(), one_link, "a new connection");
        assert!(!one_link.matches(&settings) && settings.lasting().matches(&settings), "the in-place check agrees");
        settings.expiry_secs = 900;
        assert!(settings.lasting().matches(&settings));
    }

    #[test]
    fn old_settings_load_with_defaults() {
        let settings: Settings = serde_json::from_str(r#"{"expiry_secs": 900}"#).unwrap();
        assert_eq!(settings.expiry_secs, 900);
        assert!(settings.copy_link_after_upload);
    }
}
