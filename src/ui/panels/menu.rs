//! The menu bar (generated from the command table), the status bar and the find bar.

use eframe::egui::{self, Key};

use crate::core::LabelSet;
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
                        Command::ToggleNavigator => {
                            (entry.text.into(), true, Some(prefs.show_navigator))
                        }
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

/// A background job's progress, with Cancel.
pub fn job_bar(ui: &mut egui::Ui, what: &str, progress: f32, tx: &CommandSender) {
    ui.horizontal(|ui| {
        ui.label(what);
        ui.add(
            egui::ProgressBar::new(progress)
                .desired_width(240.0)
                .show_percentage(),
        );
        if ui.button("Cancel").clicked() {
            tx.send(Command::CancelJob);
        }
    });
}

/// The find bar: the query and its options, "12 of 340", stepping, and "Tag all N as LABEL".
/// A label key while hits show tags them all too (see the app's shortcuts).
pub fn find_bar(ui: &mut egui::Ui, find: &mut FindState, labels: &LabelSet, tx: &CommandSender) {
    ui.horizontal_wrapped(|ui| {
        let find_label = ui.label("Find");
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut find.query)
                    .desired_width(240.0)
                    .hint_text(if find.regex { "regex" } else { "text to find" }),
            )
            .labelled_by(find_label.id);
        if find.focus {
            edit.request_focus();
            find.focus = false;
        }
        let mut changed = edit.changed();
        changed |= ui.checkbox(&mut find.regex, "Regex").changed();
        changed |= ui
            .checkbox(&mut find.case_sensitive, "Match case")
            .changed();
        changed |= ui
            .checkbox(&mut find.whole_project, "All documents")
            .changed();
        if changed {
            // The search runs at the start of the next frame.
            ui.ctx().request_repaint();
        }
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        let shift = ui.input(|i| i.modifiers.shift);
        if ui
            .button("Previous")
            .on_hover_text("Previous (Shift+Enter)")
            .clicked()
            || enter && shift
        {
            tx.send(Command::FindPrevious);
        }
        if ui.button("Next").on_hover_text("Next (Enter)").clicked() || enter && !shift {
            tx.send(Command::FindNext);
        }
        if enter {
            // Keep typing or stepping with Enter in the field.
            find.focus = true;
        }
        let n = find.hits.len();
        match (&find.message, find.current) {
            (Some(m), _) => {
                ui.colored_label(ui.visuals().warn_fg_color, m);
            }
            (None, Some(i)) => {
                ui.label(format!("{} of {n}", i + 1));
            }
            (None, None) if n > 0 => {
                ui.label(format!("{n} found"));
            }
            _ => {}
        }
        if n > 0 && !labels.is_empty() {
            ui.separator();
            let chosen = find
                .tag_label
                .clone()
                .filter(|l| labels.index_of(l).is_some())
                .or_else(|| labels.iter().next().map(|l| l.name.clone()))
                .unwrap_or_default();
            if ui
                .button(format!("Tag all {n}"))
                .on_hover_text("Tags every hit not already covered: one undo step")
                .clicked()
            {
                tx.send(Command::TagAllFound(chosen.clone()));
            }
            let mut picked = chosen.clone();
            let as_label = ui.label("as");
            egui::ComboBox::from_id_salt("spantag_find_label")
                .selected_text(picked.as_str())
                .show_ui(ui, |ui| {
                    for l in labels.iter() {
                        ui.selectable_value(&mut picked, l.name.clone(), l.name.as_str());
                    }
                })
                .response
                .labelled_by(as_label.id);
            find.tag_label = Some(picked);
        }
        // Esc in the field closes the bar: egui drops the field's focus on Esc before the frame,
        // so the app sees that key (`keep_keys_on_text`) and sends CloseFind.
        find.field_focused = edit.has_focus();
        if ui.button("Close").clicked() {
            tx.send(Command::CloseFind);
        }
    });
}
