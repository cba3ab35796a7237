//! The annotation panel: documents, the label set (and its editor), the selected span, the span
//! list. It reads the project and queues [`Command`]s or transactions; it never edits directly.

use eframe::egui::{self, Color32, RichText, Sense, vec2};

use super::app::SpantagApp;
use super::command::Command;
use super::derived::DerivedCache;
use crate::core::{Label, Rgb, SpanId, SpanStatus};

#[derive(Default)]
pub struct PanelState {
    /// The label being edited, if the label form is open.
    pub label_form: Option<LabelForm>,
    /// Why the last label edit was refused.
    pub label_error: Option<String>,
    /// The note being typed for a span, committed when the field loses focus.
    pub note_draft: Option<(SpanId, String)>,
    /// Only list spans whose text or label contains this.
    pub span_filter: String,
    /// The annotator name being typed, committed when the field loses focus.
    pub annotator_draft: Option<String>,
    /// Only list labels whose name contains this (offered when there are many labels).
    pub label_filter: String,
    /// Label counts, span rows and review progress, recomputed only when the project changes.
    pub derived: DerivedCache,
}

/// From this many labels on, the label list offers a filter.
const LABEL_FILTER_FROM: usize = 12;
/// The label list scrolls beyond this height, laying out only the rows in view.
const LABEL_LIST_HEIGHT: f32 = 280.0;

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

fn swatch(ui: &mut egui::Ui, color: Rgb) {
    let (rect, _) = ui.allocate_exact_size(vec2(14.0, 14.0), Sense::hover());
    ui.painter()
        .rect_filled(rect, 3.0, Color32::from_rgb(color.0, color.1, color.2));
}

pub fn show(app: &mut SpantagApp, ui: &mut egui::Ui) {
    app.panel
        .derived
        .refresh(&app.editor.project, &app.editor.history, app.doc);
    egui::ScrollArea::vertical()
        .id_salt("spantag_panel_scroll")
        .auto_shrink(false)
        .show(ui, |ui| {
            super::compare_view::panel(app, ui);
            annotator(app, ui);
            review(app, ui);
            ui.separator();
            documents(app, ui);
            labels(app, ui);
            ui.separator();
            selected_span(app, ui);
            ui.separator();
            span_list(app, ui);
        });
}

fn annotator(app: &mut SpantagApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        let label = ui.label("Your name");
        let draft = app
            .panel
            .annotator_draft
            .get_or_insert_with(|| app.annotator.clone().unwrap_or_default());
        let response = ui
            .add(
                egui::TextEdit::singleline(draft)
                    .hint_text("written on the spans you make")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if response.lost_focus() {
            let name = draft.clone();
            app.set_annotator(&name);
            app.panel.annotator_draft = None;
        }
    });
}

fn review(app: &mut SpantagApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        let mut on = app.review.on;
        if ui
            .checkbox(&mut on, "Review mode")
            .on_hover_text("Ctrl+R. N / P: next / previous span; Enter: accept; Backspace: reject; a label key relabels; Alt+← / Alt+→ move the start, Alt+Shift+← / Alt+Shift+→ the end")
            .changed()
        {
            app.queue(Command::ToggleReview);
        }
        ui.checkbox(&mut app.text_view.show_rejected, "Show rejected");
    });
    if !app.review.on {
        return;
    }
    let doc = app.editor.project.documents.get(app.doc);
    let annotators = doc.map_or_else(Vec::new, |d| app.panel.derived.annotators(d));
    egui::Grid::new("spantag_review_filters")
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label("Label");
            egui::ComboBox::from_id_salt("spantag_review_label")
                .selected_text(app.review.label.clone().unwrap_or_else(|| "all".into()))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut app.review.label, None, "all");
                    for label in app.editor.project.labels.iter() {
                        let name = label.name.clone();
                        ui.selectable_value(&mut app.review.label, Some(name.clone()), name);
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Status");
            egui::ComboBox::from_id_salt("spantag_review_status")
                .selected_text(app.review.status.map_or("all", SpanStatus::as_str))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut app.review.status, None, "all");
                    for status in [
                        SpanStatus::Suggested,
                        SpanStatus::Accepted,
                        SpanStatus::Rejected,
                    ] {
                        ui.selectable_value(&mut app.review.status, Some(status), status.as_str());
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Annotator");
            let shown = match &app.review.annotator {
                None => "all".to_owned(),
                Some(None) => "(none)".to_owned(),
                Some(Some(a)) => a.clone(),
            };
            egui::ComboBox::from_id_salt("spantag_review_annotator")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut app.review.annotator, None, "all");
                    for a in annotators {
                        let text = a.clone().unwrap_or_else(|| "(none)".into());
                        ui.selectable_value(&mut app.review.annotator, Some(a), text);
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
        });
    let (review, show_rejected) = (&app.review, app.text_view.show_rejected);
    let (reviewed, total) = match app.editor.project.documents.get(app.doc) {
        Some(doc) => app
            .panel
            .derived
            .review_progress(doc, (review, show_rejected), |s| {
                review.steps_through(s, show_rejected)
            }),
        None => (0, 0),
    };
    ui.label(format!("{reviewed} of {total} reviewed"));
    let fraction = if total == 0 {
        1.0
    } else {
        reviewed as f32 / total as f32
    };
    ui.add(egui::ProgressBar::new(fraction).desired_height(6.0));
}

fn documents(app: &mut SpantagApp, ui: &mut egui::Ui) {
    let docs = &app.editor.project.documents;
    if docs.len() <= 1 {
        return;
    }
    ui.heading(format!("Documents ({})", docs.len()));
    let mut chosen = None;
    egui::ScrollArea::vertical()
        .id_salt("spantag_documents")
        .max_height(160.0)
        .show(ui, |ui| {
            for (i, d) in docs.iter().enumerate() {
                let text = format!("{}  ({} spans)", d.document.name, d.spans.len());
                if ui.selectable_label(i == app.doc, text).clicked() {
                    chosen = Some(i);
                }
            }
        });
    if let Some(i) = chosen {
        app.queue(Command::SelectDocument(i));
    }
    ui.separator();
}

fn labels(app: &mut SpantagApp, ui: &mut egui::Ui) {
    ui.heading("Labels");
    let labels = &app.editor.project.labels;
    if labels.len() >= LABEL_FILTER_FROM {
        ui.horizontal(|ui| {
            let find = ui.label("Find label");
            ui.add(
                egui::TextEdit::singleline(&mut app.panel.label_filter)
                    .hint_text("part of its name")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(find.id);
        });
    }
    let filter = app.panel.label_filter.trim();
    let shown: Vec<usize> = labels
        .iter()
        .enumerate()
        .filter(|(_, l)| filter.is_empty() || l.name.contains(filter))
        .map(|(i, _)| i)
        .collect();
    let counts = app.panel.derived.label_counts();
    let mut apply = None;
    let mut edit = None;
    // Only the rows in view are laid out: a label set may hold thousands of labels.
    let row_spacing = ui.spacing().item_spacing.y;
    egui::ScrollArea::vertical()
        .id_salt("spantag_labels_list")
        .max_height(LABEL_LIST_HEIGHT)
        .show_rows(ui, ui.spacing().interact_size.y, shown.len(), |ui, rows| {
            egui::Grid::new("spantag_labels")
                .num_columns(4)
                .spacing(vec2(8.0, row_spacing))
                .show(ui, |ui| {
                    for &i in &shown[rows] {
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
                                "Tag the selected text (or relabel the selected span)".to_owned()
                            } else {
                                label.description.clone()
                            });
                        if button.clicked() {
                            apply = Some(label.name.clone());
                        }
                        ui.label(RichText::new(key).monospace());
                        ui.horizontal(|ui| {
                            ui.label(format!("{}", counts.get(i).copied().unwrap_or(0)));
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
        });
    if let Some(name) = apply {
        app.queue(Command::ApplyLabel(name));
    }
    if let Some(i) = edit
        && let Some(label) = app.editor.project.labels.at(i)
    {
        app.panel.label_form = Some(LabelForm {
            index: Some(i),
            name: label.name.clone(),
            color: [label.color.0, label.color.1, label.color.2],
            hotkey: label.hotkey.map(String::from).unwrap_or_default(),
            description: label.description.clone(),
        });
        app.panel.label_error = None;
    }
    if app.panel.label_form.is_none() && ui.button("Add label").clicked() {
        let labels = &app.editor.project.labels;
        let c = labels.next_color();
        app.panel.label_form = Some(LabelForm {
            index: None,
            name: String::new(),
            color: [c.0, c.1, c.2],
            hotkey: labels.next_hotkey().map(String::from).unwrap_or_default(),
            description: String::new(),
        });
        app.panel.label_error = None;
    }
    label_form(app, ui);
}

fn label_form(app: &mut SpantagApp, ui: &mut egui::Ui) {
    let Some(mut form) = app.panel.label_form.take() else {
        return;
    };
    let mut keep_open = true;
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
                    Err(why) => app.panel.label_error = Some(why),
                    Ok(label) => {
                        let project = &app.editor.project;
                        let conflict = project.labels.conflict(form.index, &label);
                        if let Some(why) = conflict {
                            app.panel.label_error = Some(why);
                        } else {
                            let t = match form.index {
                                Some(i) => project.edit_label(i, label),
                                None => project.add_label(label),
                            };
                            // A rename moves others' spans too: not this user's annotation.
                            if app.execute_as_is(t) {
                                keep_open = false;
                                app.panel.label_error = None;
                            }
                        }
                    }
                }
            }
            if let Some(i) = form.index
                && ui.button("Delete label").clicked()
            {
                let project = &app.editor.project;
                let name = project
                    .labels
                    .at(i)
                    .map(|l| l.name.clone())
                    .unwrap_or_default();
                let uses = project.label_uses(&name);
                if uses > 0 {
                    app.panel.label_error = Some(format!(
                        "{name} is used by {uses} spans; delete or relabel them first"
                    ));
                } else {
                    let t = project.remove_label(i);
                    if app.execute(t) {
                        keep_open = false;
                    }
                }
            }
            if ui.button("Cancel").clicked() {
                keep_open = false;
                app.panel.label_error = None;
            }
        });
        if let Some(error) = &app.panel.label_error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
    });
    if keep_open {
        app.panel.label_form = Some(form);
    }
}

fn selected_span(app: &mut SpantagApp, ui: &mut egui::Ui) {
    ui.heading("Selected span");
    let doc_index = app.doc;
    let Some(id) = app.selected_span else {
        ui.label("None. Click a tagged span, or use Tab / Shift+Tab.");
        return;
    };
    let Some(doc) = app.editor.project.documents.get(doc_index) else {
        return;
    };
    let Some(span) = app.panel.derived.find_span(doc, id).cloned() else {
        return;
    };
    let surface = doc.document.slice(span.start, span.end).to_owned();
    ui.label(RichText::new(&surface).size(18.0));
    let mut relabel = None;
    let (mut accept, mut reject) = (false, false);
    egui::Grid::new("spantag_span_details")
        .num_columns(2)
        .show(ui, |ui| {
            let label_label = ui.label("Label");
            egui::ComboBox::from_id_salt("spantag_span_label")
                .selected_text(&span.label)
                .show_ui(ui, |ui| {
                    for label in app.editor.project.labels.iter() {
                        if ui
                            .selectable_label(label.name == span.label, &label.name)
                            .clicked()
                        {
                            relabel = Some(label.name.clone());
                        }
                    }
                })
                .response
                .labelled_by(label_label.id);
            ui.end_row();
            ui.label("Offsets");
            ui.label(format!(
                "[{}, {}) · {} characters",
                span.start,
                span.end,
                span.end - span.start
            ));
            ui.end_row();
            ui.label("Id");
            ui.label(span.id.to_string());
            ui.end_row();
            ui.label("Status");
            ui.horizontal(|ui| {
                ui.label(span.status.as_str());
                if span.status != SpanStatus::Accepted && ui.small_button("Accept").clicked() {
                    accept = true;
                }
                if span.status != SpanStatus::Rejected && ui.small_button("Reject").clicked() {
                    reject = true;
                }
            });
            ui.end_row();
            if let Some(annotator) = &span.annotator {
                ui.label("Annotator");
                ui.label(annotator);
                ui.end_row();
            }
        });
    if let Some(label) = relabel {
        app.queue(Command::ApplyLabel(label));
    }
    if accept {
        app.queue(Command::Accept);
    }
    if reject {
        app.queue(Command::Reject);
    }

    // The note is typed into a draft and committed as one edit when the field loses focus.
    let draft = match &mut app.panel.note_draft {
        Some((draft_id, text)) if *draft_id == id => text,
        other => {
            *other = Some((id, span.note.clone().unwrap_or_default()));
            &mut other.as_mut().expect("just set").1
        }
    };
    let note_label = ui.label("Note");
    let response = ui
        .add(
            egui::TextEdit::multiline(draft)
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .hint_text("a note on this span"),
        )
        .labelled_by(note_label.id);
    if response.lost_focus() {
        app.commit_note_draft();
    }
    if ui.button("Delete span").clicked() {
        app.queue(Command::DeleteSpan);
    }
}

fn span_list(app: &mut SpantagApp, ui: &mut egui::Ui) {
    let Some(doc) = app.editor.project.documents.get(app.doc) else {
        return;
    };
    ui.heading(format!("Spans ({})", doc.spans.len()));
    ui.add(
        egui::TextEdit::singleline(&mut app.panel.span_filter)
            .hint_text("filter by text or label")
            .desired_width(f32::INFINITY),
    );
    let rows = app
        .panel
        .derived
        .span_rows(doc, app.panel.span_filter.trim());
    let mut chosen = None;
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt("spantag_span_list")
        .max_height(ui.available_height().max(200.0))
        .show_rows(ui, row_height, rows.len(), |ui, range| {
            let spans = doc.spans.as_slice();
            for i in rows.indices(range) {
                let Some(s) = spans.get(i) else {
                    continue;
                };
                let color = app
                    .editor
                    .project
                    .labels
                    .get(&s.label)
                    .map_or(Rgb(128, 128, 128), |l| l.color);
                ui.horizontal(|ui| {
                    swatch(ui, color);
                    let text = format!(
                        "{}  {}  [{}, {})",
                        doc.document.slice(s.start, s.end),
                        s.label,
                        s.start,
                        s.end
                    );
                    if ui
                        .selectable_label(app.selected_span == Some(s.id), text)
                        .clicked()
                    {
                        chosen = Some(s.id);
                    }
                });
            }
        });
    if let Some(id) = chosen {
        app.queue(Command::SelectSpan(id));
    }
}
