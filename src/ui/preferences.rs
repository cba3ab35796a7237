//! What the user sets once and Spantag remembers: for now, their name as annotator.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::core::atomic_write::write_atomically;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    /// Written on every span this user creates or changes.
    #[serde(default)]
    pub annotator: Option<String>,
}

impl Preferences {
    /// `$XDG_CONFIG_HOME/spantag/preferences.json`, else `~/.config/spantag/preferences.json`.
    pub fn default_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("spantag").join("preferences.json"))
    }

    /// The preferences at `path`; defaults when there are none or they cannot be read.
    pub fn load(path: &Path) -> Self {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let json = serde_json::to_string_pretty(self).unwrap_or_default();
        write_atomically(path, json.as_bytes())
    }
}
