//! The document navigator, the window's left panel: every document with its status, name,
//! reviewed and total spans, a filter by name and by status, and the project's progress
//! ("34 of 120 done") as a bar.
//!
//! It reads the cached figures of [`crate::ui::derived::DocFigures`] and lays out only the rows
//! in view, so it costs the same with 1,000 documents as with 20; it never counts spans. Like
//! every panel it changes nothing but its own fields: a click sends a [`Command`].

use eframe::egui::{self, Color32, RichText};

use crate::core::DocStatus;
use crate::ui::command::{Command, CommandSender};
use crate::ui::shown::Shown;

/// The navigator's own fields. Whether it is shown is a preference (`show_navigator`).
#[derive(Default)]
pub struct NavigatorState {
    /// Only list documents whose name contains this (ignoring case).
    pub name_filter: String,
    /// Only list documents with this status.
    pub status_filter: Option<DocStatus>,
    /// The document shown when the list last followed it, and the rows in view then.
    followed: Option<usize>,
    rows_in_view: std::ops::Range<usize>,
}

/// How a status looks in the list: a mark and its colour (marks the bundled fonts have: ◐ and
/// ✔ are not among them).
pub fn status_mark(status: DocStatus) -> (&'static str, Color32) {
    match status {
        DocStatus::NotStarted => ("○", Color32::GRAY),
        DocStatus::InProgress => ("◎", Color32::from_rgb(230, 150, 0)),
        DocStatus::Done => ("●", Color32::from_rgb(40, 160, 60)),
    }
}

pub fn show(ui: &mut egui::Ui, shown: &Shown<'_>, state: &mut NavigatorState, tx: &CommandSender) {
    let figures = &shown.derived.documents;
    let progress = figures.progress;
    ui.heading(format!("Documents ({})", progress.total()));
    ui.add(
        egui::ProgressBar::new(progress.fraction())
            .text(progress.to_string())
            .desired_height(16.0),
    );
    if let Some(row) = figures.rows.get(shown.doc) {
        let mut done = row.status == DocStatus::Done;
        let box_ = ui
            .checkbox(&mut done, "This document is done")
            .on_hover_text(
                "Ctrl+Enter marks it done and opens the next document not done in this list",
            );
        if box_.clicked() {
            tx.send(Command::SetDone {
                doc: shown.doc,
                done,
            });
        }
    }
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut state.name_filter)
                .hint_text("part of the name")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    });
    let count = |status: DocStatus| match status {
        DocStatus::NotStarted => progress.not_started,
        DocStatus::InProgress => progress.in_progress,
        DocStatus::Done => progress.done,
    };
    let choice = |status: Option<DocStatus>| match status {
        None => format!("All statuses ({})", progress.total()),
        Some(s) => format!("{} ({})", capitalised(s.as_str()), count(s)),
    };
    ui.horizontal(|ui| {
        let label = ui.label("Show");
        egui::ComboBox::from_id_salt("spantag_navigator_status")
            .selected_text(choice(state.status_filter))
            .width(ui.available_width())
            .show_ui(ui, |ui| {
                for status in [None].into_iter().chain(DocStatus::ALL.map(Some)) {
                    ui.selectable_value(&mut state.status_filter, status, choice(status));
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.separator();

    let rows = &figures.shown;
    if rows.is_empty() {
        ui.weak("No document matches the filter.");
        return;
    }
    let row_height = ui.spacing().interact_size.y;
    let mut scroll = egui::ScrollArea::vertical()
        .id_salt("spantag_navigator_rows")
        .auto_shrink(false);
    // Follow the document shown (opened with a key, by undo, by find) when it is out of view.
    if state.followed != Some(shown.doc) {
        state.followed = Some(shown.doc);
        if let Ok(at) = rows.binary_search(&shown.doc)
            && !state.rows_in_view.contains(&at)
        {
            let spacing = ui.spacing().item_spacing.y;
            let top = (at as f32 * (row_height + spacing) - 3.0 * row_height).max(0.0);
            scroll = scroll.vertical_scroll_offset(top);
        }
    }
    scroll.show_rows(ui, row_height, rows.len(), |ui, range| {
        // Rows in view only: their strings are made here, not for every document.
        state.rows_in_view = range.clone();
        for &i in &rows[range] {
            let (Some(row), Some(doc)) = (figures.rows.get(i), shown.project.documents.get(i))
            else {
                continue;
            };
            let (mark, color) = status_mark(row.status);
            let label = (
                RichText::new(mark).color(color),
                RichText::new(doc.document.name.as_str()),
            );
            let counts = RichText::new(format!("{}/{}", row.reviewed, row.spans)).weak();
            let response = ui
                .add(
                    egui::Button::selectable(i == shown.doc, label)
                        .right_text(counts)
                        .truncate()
                        .min_size(egui::vec2(ui.available_width(), row_height)),
                )
                .on_hover_text(format!(
                    "{}: {}, {} spans, {} reviewed",
                    doc.document.name, row.status, row.spans, row.reviewed
                ));
            if response.clicked() {
                tx.send(Command::SelectDocument(i));
            }
            let done = row.status == DocStatus::Done;
            response.context_menu(|ui| {
                if ui
                    .button(if done { "Mark not done" } else { "Mark done" })
                    .clicked()
                {
                    tx.send(Command::SetDone {
                        doc: i,
                        done: !done,
                    });
                    ui.close();
                }
            });
        }
    });
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use eframe::egui;

    use super::*;

    /// A mark the bundled fonts lack panics in tests and is drawn by whatever system font has
    /// it (or as a box) elsewhere.
    #[test]
    fn every_status_mark_is_in_the_bundled_fonts() {
        let ctx = egui::Context::default();
        crate::ui::fonts::install(&ctx);
        // The fonts are loaded by the first frame.
        let mut output = ctx.run_ui(Default::default(), |_| {});
        output.textures_delta.clear();
        for status in DocStatus::ALL {
            let (mark, _) = status_mark(status);
            let has = ctx.fonts_mut(|f| f.has_glyphs(&egui::FontId::proportional(14.0), mark));
            assert!(has, "{mark} ({status}) has no glyph");
        }
    }
}
