//! The label set in the panel: labels with their hotkeys and counts, and the label form.

use eframe::egui::{self, RichText, vec2};

use super::{PanelState, swatch};
use crate::core::{Label, Rgb};
use crate::ui::command::{Command, CommandSender};
use crate::ui::shown::Shown;

#[derive(Clone, Debug, PartialEq)]
pub struct LabelForm {
    /// Index in the label set, or `None` for a new label.
    pub index: Option<usize>,
    pub name: String,
    pub color: [u8; 3],
    pub hotkey: String,
    pub description: String,
}

impl LabelForm {
    fn to_label(&self) -> Result<Label, String> {
        let mut keys = self.hotkey.trim().chars();
        let hotkey = keys.next();
        if keys.next().is_some() {
            return Err("a hotkey is one letter or digit".into());
        }
        let [r, g, b] = self.color;
        Ok(Label::new(
            self.name.trim(),
            Rgb(r, g, b),
            hotkey,
            self.description.trim(),
        ))
    }
}

/// From this many labels on, the label list offers a filter.
const LABEL_FILTER_FROM: usize = 12;
/// The label list scrolls beyond this height, laying out only the rows in view.
const LABEL_LIST_HEIGHT: f32 = 280.0;

pub fn labels(ui: &mut egui::Ui, shown: &Shown<'_>, state: &mut PanelState, tx: &CommandSender) {
    ui.heading("Labels");
    let labels = &shown.project.labels;
    if labels.len() >= LABEL_FILTER_FROM {
        ui.horizontal(|ui| {
            let find = ui.label("Find label");
            ui.add(
                egui::TextEdit::singleline(&mut state.label_filter)
                    .hint_text("part of its name")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(find.id);
        });
    }
    let filter = state.label_filter.trim();
    let listed: Vec<usize> = labels
        .iter()
        .enumerate()
        .filter(|(_, l)| filter.is_empty() || l.name.contains(filter))
        .map(|(i, _)| i)
        .collect();
    let mut edit = None;
    // Only the rows in view are laid out: a label set may hold thousands of labels.
    let row_spacing = ui.spacing().item_spacing.y;
    egui::ScrollArea::vertical()
        .id_salt("spantag_labels_list")
        .max_height(LABEL_LIST_HEIGHT)
        .show_rows(
            ui,
            ui.spacing().interact_size.y,
            listed.len(),
            |ui, rows| {
                egui::Grid::new("spantag_labels")
                    .num_columns(4)
                    .spacing(vec2(8.0, row_spacing))
                    .show(ui, |ui| {
                        for &i in &listed[rows] {
                            let Some(label) = labels.at(i) else {
                                continue;
                            };
                            swatch(ui, label.color);
                            let key = label.hotkey.map(|k| format!("[{k}]")).unwrap_or_default();
                            let button = ui
                                .add(
                                    egui::Button::new(RichText::new(&label.name).strong())
                                        .min_size(vec2(70.0, 0.0)),
                                )
                                .on_hover_text(if label.description.is_empty() {
                                    "Tag the selected text (or relabel the selected span)"
                                        .to_owned()
                                } else {
                                    label.description.clone()
                                });
                            if button.clicked() {
                                tx.send(Command::ApplyLabel(label.name.clone()));
                            }
                            ui.label(RichText::new(key).monospace());
                            ui.horizontal(|ui| {
                                let count = shown.derived.label_counts.get(i).copied().unwrap_or(0);
                                ui.label(format!("{count}"));
                                if ui
                                    .small_button("Edit")
                                    .accessible_name(format!("Edit label {}", label.name))
                                    .on_hover_text(format!("Edit label {}", label.name))
                                    .clicked()
                                {
                                    edit = Some(i);
                                }
                            });
                            ui.end_row();
                        }
                    });
            },
        );
    let labels = &shown.project.labels;
    if let Some(i) = edit
        && let Some(label) = labels.at(i)
    {
        state.label_form = Some(LabelForm {
            index: Some(i),
            name: label.name.clone(),
            color: [label.color.0, label.color.1, label.color.2],
            hotkey: label.hotkey.map(String::from).unwrap_or_default(),
            description: label.description.clone(),
        });
        state.label_error = None;
    }
    if state.label_form.is_none() && ui.button("Add label").clicked() {
        let c = labels.next_color();
        state.label_form = Some(LabelForm {
            index: None,
            name: String::new(),
            color: [c.0, c.1, c.2],
            hotkey: labels.next_hotkey().map(String::from).unwrap_or_default(),
            description: String::new(),
        });
        state.label_error = None;
    }
    label_form(ui, state, tx);
    super::attributes::definitions(ui, shown, state, tx);
}

/// The form edits a copy; Save label sends it, and the dispatcher closes the form or says why
/// not (in [`PanelState::label_error`]).
fn label_form(ui: &mut egui::Ui, state: &mut PanelState, tx: &CommandSender) {
    let Some(form) = &mut state.label_form else {
        return;
    };
    let mut close = false;
    let mut error = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(
            RichText::new(if form.index.is_some() {
                "Edit label"
            } else {
                "New label"
            })
            .strong(),
        );
        egui::Grid::new("spantag_label_form")
            .num_columns(2)
            .show(ui, |ui| {
                let name_label = ui.label("Name");
                ui.add(egui::TextEdit::singleline(&mut form.name).desired_width(120.0))
                    .labelled_by(name_label.id);
                ui.end_row();
                ui.label("Colour");
                ui.color_edit_button_srgb(&mut form.color);
                ui.end_row();
                let key_label = ui.label("Hotkey");
                ui.add(
                    egui::TextEdit::singleline(&mut form.hotkey)
                        .desired_width(30.0)
                        .char_limit(1),
                )
                .labelled_by(key_label.id);
                ui.end_row();
                let desc_label = ui.label("Description");
                ui.add(egui::TextEdit::singleline(&mut form.description).desired_width(180.0))
                    .labelled_by(desc_label.id);
                ui.end_row();
            });
        ui.horizontal(|ui| {
            if ui.button("Save label").clicked() {
                match form.to_label() {
                    Err(why) => error = Some(why),
                    Ok(label) => tx.send(Command::SaveLabel {
                        index: form.index,
                        label,
                    }),
                }
            }
            if let Some(i) = form.index
                && ui.button("Delete label").clicked()
            {
                tx.send(Command::DeleteLabel(i));
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
    });
    if let Some(why) = error {
        state.label_error = Some(why);
    }
    if let Some(why) = &state.label_error {
        ui.colored_label(ui.visuals().error_fg_color, why);
    }
    if close {
        state.label_form = None;
        state.label_error = None;
    }
}
