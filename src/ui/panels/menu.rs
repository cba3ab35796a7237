//! The menu bar (generated from the command table), the status bar and the find bar.

use eframe::egui::{self, Key};

use crate::core::formats::Format;
use crate::ui::command::{Command, CommandSender};
use crate::ui::command_table::{self, Menu, TABLE, format_title};
use crate::ui::preferences::Preferences;
use crate::ui::shown::Shown;
use crate::ui::state::FindState;
use crate::ui::text_view::TextSelection;

pub fn bar(
    ui: &mut egui::Ui,
    shown: &Shown<'_>,
    prefs: &Preferences,
    statistics_open: bool,
    tx: &CommandSender,
) {
    egui::MenuBar::new().ui(ui, |ui| {
        for menu in Menu::ALL {
            ui.menu_button(menu.title(), |ui| {
                let mut listed: Vec<&Command> = Vec::new();
                for entry in TABLE.iter().filter(|e| e.menu == menu) {
                    // A command with a second entry (N for Next span in review) is listed once.
                    if listed.contains(&&entry.command) {
                        continue;
                    }
                    listed.push(&entry.command);
                    let shortcut = entry
                        .shortcut()
                        .map(|s| ui.ctx().format_shortcut(&s))
                        .unwrap_or_default();
                    let (text, enabled, checked) = match &entry.command {
                        Command::Undo => (
                            shown
                                .history
                                .undo_description()
                                .map_or("Undo".into(), |d| format!("Undo {d}")),
                            shown.history.can_undo(),
                            None,
                        ),
                        Command::Redo => (
                            shown
                                .history
                                .redo_description()
                                .map_or("Redo".into(), |d| format!("Redo {d}")),
                            shown.history.can_redo(),
                            None,
                        ),
                        Command::ToggleStatistics => {
                            (entry.text.into(), true, Some(statistics_open))
                        }
                        Command::ToggleReview => (entry.text.into(), true, Some(shown.review.on)),
                        _ => (entry.text.into(), true, None),
                    };
                    let clicked = match checked {
                        Some(mut on) => ui.checkbox(&mut on, text).clicked(),
                        None if shortcut.is_empty() => {
                            ui.add_enabled(enabled, egui::Button::new(text)).clicked()
                        }
                        None => ui
                            .add_enabled(enabled, egui::Button::new(text).shortcut_text(shortcut))
                            .clicked(),
                    };
                    if clicked {
                        tx.send(entry.command.clone());
                        ui.close();
                    }
                    match entry.command {
                        Command::Open => recent(ui, &prefs.recent, tx),
                        Command::SaveAs => {
                            ui.separator();
                            exchange(ui, tx);
                        }
                        Command::CompareAnnotators => {
                            ui.separator();
                        }
                        _ => {}
                    }
                }
            });
        }
    });
}

/// File › Open recent: files that are gone are shown, but cannot be chosen.
fn recent(ui: &mut egui::Ui, recent: &[std::path::PathBuf], tx: &CommandSender) {
    ui.add_enabled_ui(!recent.is_empty(), |ui| {
        ui.menu_button("Open recent", |ui| {
            for path in recent {
                let exists = path.exists();
                let button = ui
                    .add_enabled(exists, egui::Button::new(path.display().to_string()))
                    .on_disabled_hover_text("This file is no longer there");
                if button.clicked() {
                    tx.send(Command::OpenPath(path.clone()));
                    ui.close();
                }
            }
        });
    });
}

fn exchange(ui: &mut egui::Ui, tx: &CommandSender) {
    ui.menu_button("Export", |ui| {
        for format in Format::ALL.into_iter().filter(|f| f.can_export()) {
            if ui.button(format_title(format)).clicked() {
                tx.send(Command::StartExport(format));
                ui.close();
            }
        }
    });
    ui.menu_button("Import", |ui| {
        for format in Format::ALL.into_iter().filter(|f| f.can_import()) {
            if ui.button(format_title(format)).clicked() {
                tx.send(Command::Import(format));
                ui.close();
            }
        }
    });
}

pub fn status_bar(
    ui: &mut egui::Ui,
    shown: &Shown<'_>,
    selection: &TextSelection,
    status: Option<&str>,
) {
    // The hint goes first, from the right, so a long message is cut short instead of covering it.
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        let palette = command_table::lookup(&Command::CommandPalette)
            .and_then(|e| e.shortcut())
            .map(|s| command_table::key_text(&s))
            .unwrap_or_default();
        ui.weak(format!("F1 keys · {palette} commands"));
        if shown.autosaving {
            ui.weak("autosaving…");
        }
        ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
            if let Some(doc) = shown.current_doc() {
                let caret = selection.caret.min(doc.document.char_len());
                let (line, col) = doc.document.line_col(caret);
                ui.label(format!("Ln {line}, Col {col} · offset {caret}"));
                let (a, b) = selection.range();
                if a < b {
                    ui.separator();
                    ui.label(format!("selection [{a}, {b}) · {} characters", b - a));
                }
                ui.separator();
                ui.label(format!(
                    "{} of {} characters · {} spans",
                    doc.document.name,
                    doc.document.char_len(),
                    doc.spans.len()
                ));
            }
            if let Some(message) = status {
                ui.separator();
                ui.add(egui::Label::new(message).truncate());
            }
        });
    });
}

pub fn find_bar(ui: &mut egui::Ui, find: &mut FindState, tx: &CommandSender) {
    ui.horizontal(|ui| {
        let find_label = ui.label("Find");
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut find.query)
                    .desired_width(240.0)
                    .hint_text("text to find"),
            )
            .labelled_by(find_label.id);
        if find.focus {
            edit.request_focus();
            find.focus = false;
        }
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        if enter || ui.button("Next").clicked() {
            tx.send(Command::FindNext);
        }
        let escape = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Escape));
        if ui.button("Close").clicked() || escape {
            tx.send(Command::CloseFind);
        }
        if let Some(m) = &find.message {
            ui.label(m);
        }
    });
}
