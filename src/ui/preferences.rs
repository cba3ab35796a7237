//! What the user sets once and Spantag remembers between sessions: their name as annotator,
//! the text size, the theme, whether rejected spans show, the review filter, recent files, and
//! the window's layout (its size and place, the panel's width, the statistics window).
//!
//! Every field has a default, so files written by older versions (only `annotator`) still load.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::state::ReviewState;
use crate::core::atomic_write::write_atomically;

/// At most this many files in File › Open recent.
pub const RECENT_FILES: usize = 10;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the system's light or dark setting.
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// Written on every span this user creates or changes.
    pub annotator: Option<String>,
    pub font_size: f32,
    pub theme: Theme,
    pub show_rejected: bool,
    /// The review filter (review mode itself starts off).
    pub review: ReviewState,
    /// Project files opened, the latest first.
    pub recent: Vec<PathBuf>,
    /// "Also tag the other occurrences" adds suggestions to review, not accepted spans.
    pub occurrences_as_suggestions: bool,
    /// The document navigator (the left panel) is shown.
    pub show_navigator: bool,
    pub layout: WindowLayout,
}

/// Where the window and its panels were when last changed: put back at the next start.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WindowLayout {
    /// The annotation panel's width, in points; `None`: the default.
    pub panel_width: Option<f32>,
    /// The document navigator's width, in points; `None`: the default.
    pub navigator_width: Option<f32>,
    /// The statistics window is open.
    pub statistics: bool,
    /// The window's inner size, in points; `None`: the default.
    pub size: Option<[f32; 2]>,
    /// Where the window's outer top-left corner was on the screen, in points; `None`: where
    /// the window manager puts it.
    pub position: Option<[f32; 2]>,
    pub maximized: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            annotator: None,
            font_size: 20.0,
            theme: Theme::System,
            show_rejected: false,
            review: ReviewState::default(),
            recent: Vec::new(),
            occurrences_as_suggestions: false,
            layout: WindowLayout::default(),
            show_navigator: true,
        }
    }
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
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        write_atomically(path, json.as_bytes())
    }

    /// Put `path` first in the recent files, keeping at most [`RECENT_FILES`].
    pub fn remember_recent(&mut self, path: &Path) {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
        self.recent.retain(|p| *p != path);
        self.recent.insert(0, path);
        self.recent.truncate(RECENT_FILES);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_file_with_only_the_name_still_loads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("preferences.json");
        std::fs::write(&path, r#"{"annotator": "王芳"}"#).expect("write");
        let prefs = Preferences::load(&path);
        assert_eq!(prefs.annotator.as_deref(), Some("王芳"));
        assert_eq!(prefs.font_size, Preferences::default().font_size);
        assert_eq!(prefs.theme, Theme::System);
    }

    #[test]
    fn the_window_layout_survives_a_save_and_load_and_older_files_have_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("preferences.json");
        std::fs::write(&path, r#"{"annotator": "王芳", "font_size": 22.0}"#).expect("write");
        assert_eq!(Preferences::load(&path).layout, WindowLayout::default());
        let mut prefs = Preferences::load(&path);
        prefs.layout = WindowLayout {
            panel_width: Some(412.0),
            navigator_width: Some(300.0),
            statistics: true,
            size: Some([1000.0, 700.0]),
            position: Some([40.0, 30.0]),
            maximized: false,
        };
        prefs.save(&path).expect("save");
        assert_eq!(Preferences::load(&path), prefs);
    }

    #[test]
    fn recent_files_keep_the_latest_ten_once_each() {
        let mut prefs = Preferences::default();
        for i in 0..12 {
            prefs.remember_recent(Path::new(&format!("/nowhere/p{i}.json")));
        }
        prefs.remember_recent(Path::new("/nowhere/p5.json"));
        assert_eq!(prefs.recent.len(), RECENT_FILES);
        assert_eq!(prefs.recent[0], Path::new("/nowhere/p5.json"));
        assert_eq!(
            prefs
                .recent
                .iter()
                .filter(|p| p.ends_with("p5.json"))
                .count(),
            1
        );
    }
}
