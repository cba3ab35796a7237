//! Assisted annotation in the panel: the offer to tag the selected span's other occurrences.

use eframe::egui;

use crate::ui::command::{Command, CommandSender};
use crate::ui::command_table::{self, lookup};
use crate::ui::shown::Shown;

/// "Also tag the 11 other occurrences of 古巴 (A)", under the selected span, when there are any.
pub fn other_occurrences(ui: &mut egui::Ui, shown: &Shown<'_>, tx: &CommandSender) {
    let Some(other) = shown.other_occurrences else {
        return;
    };
    if other.count == 0 || shown.selected_span != Some(other.span) {
        return;
    }
    let key = lookup(&Command::TagOtherOccurrences)
        .and_then(|e| e.shortcut())
        .map(|s| format!(" ({})", command_table::key_text(&s)))
        .unwrap_or_default();
    let what = if other.count == 1 {
        "occurrence"
    } else {
        "occurrences"
    };
    let text = format!(
        "Also tag the {} other {what} of {} as {}{key}",
        other.count, other.text, other.label
    );
    if ui.button(text).clicked() {
        tx.send(Command::TagOtherOccurrences);
    }
    let mut suggested = shown.occurrences_as_suggestions;
    if ui
        .checkbox(&mut suggested, "as suggestions to review")
        .changed()
    {
        tx.send(Command::SetOccurrencesAsSuggestions(suggested));
    }
}
