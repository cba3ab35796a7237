//! Helpers for the window's tests (egui_kittest).

use eframe::egui::{self, Modifiers, Pos2};
use egui_kittest::Harness;
use spantag::ui::SpantagApp;

/// A left click at `pos`, as a pointer makes it: move there, press, release, then let the app
/// settle.
pub fn click_at(h: &mut Harness<'_, SpantagApp>, pos: Pos2) {
    h.hover_at(pos);
    h.step();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        h.step();
    }
    h.run();
}
