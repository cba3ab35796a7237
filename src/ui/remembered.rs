//! What the window remembers between sessions, applied and written: the preferences taken over
//! at start-up, written when one changes, and the window's layout followed frame by frame
//! (written when a panel resize ends and when the window closes). Part of the app; never draws.

use eframe::egui;

use super::app::SpantagApp;
use super::preferences::Preferences;
use super::state::ReviewState;

impl SpantagApp {
    /// Take over remembered preferences (at start-up).
    pub fn use_preferences(&mut self, ctx: &egui::Context, prefs: Preferences) {
        self.text_view.font_size = prefs.font_size;
        self.text_view.show_rejected = prefs.show_rejected;
        self.review = ReviewState {
            on: self.review.on,
            ..prefs.review.clone()
        };
        self.show_statistics = prefs.layout.statistics;
        self.prefs = prefs;
        self.apply_theme(ctx);
    }

    /// Write the preferences where they are remembered, if anywhere.
    pub(super) fn save_preferences(&mut self) {
        self.prefs.font_size = self.text_view.font_size;
        self.prefs.show_rejected = self.text_view.show_rejected;
        self.prefs.layout.statistics = self.show_statistics;
        self.prefs.review = ReviewState {
            on: false,
            ..self.review.clone()
        };
        if let Some(path) = &self.preferences_path
            && let Err(e) = self.prefs.save(path)
        {
            self.status = Some(format!(
                "Cannot remember your preferences in {}: {e}",
                path.display()
            ));
        }
    }

    pub(super) fn apply_theme(&self, ctx: &egui::Context) {
        use super::preferences::Theme;
        ctx.set_theme(match self.prefs.theme {
            Theme::System => egui::ThemePreference::System,
            Theme::Light => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        });
    }

    /// Keep the window's layout in the preferences: its size and place every frame (written
    /// when it closes), the panels' widths when a resize of one ends (written then, not in every
    /// frame of the drag; the width a panel first shows is not a change).
    pub(super) fn remember_layout(
        &mut self,
        ctx: &egui::Context,
        panel_width: f32,
        navigator_width: Option<f32>,
    ) {
        self.remember_window(ctx);
        let dragging = ctx.input(|i| i.pointer.any_down());
        let mut changed = false;
        if let Some(width) = resized(&mut self.panel_width_known, panel_width, dragging) {
            self.prefs.layout.panel_width = Some(width);
            changed = true;
        }
        if let Some(width) = navigator_width
            && let Some(width) = resized(&mut self.navigator_width_known, width, dragging)
        {
            self.prefs.layout.navigator_width = Some(width);
            changed = true;
        }
        if changed {
            self.save_preferences();
        }
    }

    /// The window's size and place, as the window system reports them, into the preferences.
    pub(super) fn remember_window(&mut self, ctx: &egui::Context) {
        let (size, position, maximized) = ctx.input(|i| {
            let viewport = i.viewport();
            (
                viewport.inner_rect.map(|r| [r.width(), r.height()]),
                viewport.outer_rect.map(|r| [r.left(), r.top()]),
                viewport.maximized.unwrap_or(false),
            )
        });
        let layout = &mut self.prefs.layout;
        layout.maximized = maximized;
        if !maximized {
            // The size to come back to when it is no longer maximized.
            layout.size = size.or(layout.size);
            layout.position = position.or(layout.position);
        }
    }
}

/// The width a resize of a panel ended at, if one did: `known` is the width last seen (the
/// first one seen is the panel's own, not a change).
fn resized(known: &mut Option<f32>, width: f32, dragging: bool) -> Option<f32> {
    let width = width.round();
    match *known {
        None => {
            *known = Some(width);
            None
        }
        Some(before) if !dragging && width != before => {
            *known = Some(width);
            Some(width)
        }
        Some(_) => None,
    }
}
