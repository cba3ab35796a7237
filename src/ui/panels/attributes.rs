//! Attributes in the panel: the selected span's values (a checkbox for a flag, a dropdown for a
//! choice, a text field for free text, for every definition that applies to its label), and
//! the attribute definitions with their form, under the labels.
//!
//! Values the definitions do not allow (made by another tool) are shown, marked with why, and
//! can be cleared; nothing here drops one. The merge's conflict mark and the re-anchoring mark
//! are shown read-only: review decides them.

use eframe::egui::{self, PopupCloseBehavior, RichText};

use super::PanelState;
use crate::core::attribute::{AttributeDef, AttributeFilter, AttributeKind, FLAG_SET};
use crate::core::merge::CONFLICT_ATTRIBUTE;
use crate::core::retext::REVIEW_ATTRIBUTE;
use crate::core::{Span, SpanId};
use crate::ui::command::{Command, CommandSender};
use crate::ui::shown::Shown;

/// The attribute widgets' own state: the free-text value being typed and the definition form.
#[derive(Default)]
pub struct AttributePanelState {
    /// The free-text value being typed, committed on Enter or when the field loses focus.
    pub text_draft: Option<TextDraft>,
    /// The definition being edited, if the attribute form is open.
    pub form: Option<AttributeForm>,
    /// Why the last definition edit was refused.
    pub error: Option<String>,
}

impl AttributePanelState {
    /// Whether a draft or the form holds copies of what an undo may change.
    pub fn holds_copies(&self) -> bool {
        self.text_draft.is_some() || self.form.is_some()
    }

    pub fn close(&mut self) {
        self.text_draft = None;
        self.form = None;
        self.error = None;
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TextDraft {
    pub span: SpanId,
    pub name: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttributeForm {
    /// Index among the definitions, or `None` for a new one.
    pub index: Option<usize>,
    pub name: String,
    pub kind: AttributeKind,
    pub values: Vec<String>,
    /// The value being typed for a choice, added with Add value.
    pub new_value: String,
    /// The labels it applies to; empty: every label.
    pub labels: Vec<String>,
    /// Spans that carry it (counted once, when the form opened): what Delete clears.
    pub in_use: usize,
}

impl AttributeForm {
    fn to_def(&self) -> Result<AttributeDef, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err("an attribute needs a name".into());
        }
        let mut def = AttributeDef::new(name, self.kind, &[]);
        if self.kind == AttributeKind::Choice {
            def.values.clone_from(&self.values);
        }
        def.labels.clone_from(&self.labels);
        Ok(def)
    }
}

/// Attributes that mark a span for review rather than describe it: shown, never edited here.
fn is_mark(name: &str) -> bool {
    name == CONFLICT_ATTRIBUTE || name == REVIEW_ATTRIBUTE
}

/// A draft typed for a span that is no longer selected (a click elsewhere took the selection
/// before the field could report losing focus) is committed, not lost.
pub fn commit_stale_draft(
    state: &mut AttributePanelState,
    selected: Option<SpanId>,
    tx: &CommandSender,
) {
    if state
        .text_draft
        .as_ref()
        .is_some_and(|d| Some(d.span) != selected)
        && let Some(draft) = state.text_draft.take()
    {
        let value = draft.text.trim();
        tx.send(Command::SetAttribute {
            span: draft.span,
            name: draft.name,
            value: (!value.is_empty()).then(|| value.to_owned()),
        });
    }
}

/// The selected span's attributes, edited in place. Every change is a command (one edit).
pub fn span_attributes(
    ui: &mut egui::Ui,
    shown: &Shown<'_>,
    span: &Span,
    state: &mut AttributePanelState,
    tx: &CommandSender,
) {
    let project = shown.project;
    let editable: Vec<&AttributeDef> = project
        .attributes_for(&span.label)
        .filter(|d| !is_mark(&d.name))
        .collect();
    // Values no editable definition covers: marks, values without a definition, values of a
    // definition for other labels.
    let others: Vec<(&String, &String)> = span
        .attributes
        .iter()
        .filter(|(name, _)| !editable.iter().any(|d| d.name == **name))
        .collect();
    if editable.is_empty() && others.is_empty() {
        if !project.attributes().is_empty() {
            ui.weak(format!("No attributes for {}", span.label));
        }
        return;
    }
    ui.label(RichText::new("Attributes").strong());
    let warn = ui.visuals().warn_fg_color;
    egui::Grid::new("spantag_span_attributes")
        .num_columns(2)
        .show(ui, |ui| {
            for def in &editable {
                let value = span.attributes.get(&def.name);
                let problem = value.and_then(|v| def.problem(&span.label, v));
                match def.kind {
                    AttributeKind::Flag => {
                        ui.label("");
                        let mut on = value.is_some();
                        if ui.checkbox(&mut on, &def.name).changed() {
                            tx.send(Command::SetAttribute {
                                span: span.id,
                                name: def.name.clone(),
                                value: on.then(|| FLAG_SET.to_owned()),
                            });
                        }
                    }
                    AttributeKind::Choice => {
                        let name_label = ui.label(&def.name);
                        choice(ui, span, def, value, tx)
                            .response
                            .labelled_by(name_label.id);
                    }
                    AttributeKind::Text => {
                        let name_label = ui.label(&def.name);
                        text_field(ui, span, def, value, state, tx).labelled_by(name_label.id);
                    }
                }
                ui.end_row();
                if let (Some(value), Some(problem)) = (value, problem) {
                    not_allowed(ui, span, &def.name, value, &problem, warn, tx);
                }
            }
            for (name, value) in others {
                if is_mark(name) {
                    ui.label(name);
                    ui.label(RichText::new(value).italics())
                        .on_hover_text("Set by Spantag for review; review decides it");
                    ui.end_row();
                    continue;
                }
                let problem = match project.attribute(name) {
                    None => format!("attribute {name} has no definition in the project"),
                    Some(def) => def
                        .problem(&span.label, value)
                        .unwrap_or_else(|| format!("attribute {name} does not apply here")),
                };
                ui.label(name);
                ui.label(value);
                ui.end_row();
                not_allowed(ui, span, name, value, &problem, warn, tx);
            }
        });
}

/// Under a value the definitions do not allow: the reason, and a button to clear it.
fn not_allowed(
    ui: &mut egui::Ui,
    span: &Span,
    name: &str,
    value: &str,
    problem: &str,
    warn: egui::Color32,
    tx: &CommandSender,
) {
    ui.label("");
    ui.horizontal(|ui| {
        ui.colored_label(warn, format!("\"{value}\": not allowed"))
            .on_hover_text(format!(
                "{problem}. Kept as read; clear it or pick another."
            ));
        if ui
            .small_button("Clear")
            .on_hover_text(format!("Clear {name} (undoable)"))
            .clicked()
        {
            tx.send(Command::SetAttribute {
                span: span.id,
                name: name.to_owned(),
                value: None,
            });
        }
    });
    ui.end_row();
}

fn choice(
    ui: &mut egui::Ui,
    span: &Span,
    def: &AttributeDef,
    value: Option<&String>,
    tx: &CommandSender,
) -> egui::InnerResponse<Option<()>> {
    egui::ComboBox::from_id_salt(("spantag_attribute_choice", &def.name))
        .selected_text(value.map_or("(none)", String::as_str))
        .show_ui(ui, |ui| {
            let pick = |ui: &mut egui::Ui, v: Option<&String>, text: &str| {
                if ui.selectable_label(value == v, text).clicked() && value != v {
                    tx.send(Command::SetAttribute {
                        span: span.id,
                        name: def.name.clone(),
                        value: v.cloned(),
                    });
                }
            };
            pick(ui, None, "(none)");
            for v in &def.values {
                pick(ui, Some(v), v);
            }
        })
}

/// A free-text value: typed into a draft, committed as one edit on Enter or focus loss.
fn text_field(
    ui: &mut egui::Ui,
    span: &Span,
    def: &AttributeDef,
    value: Option<&String>,
    state: &mut AttributePanelState,
    tx: &CommandSender,
) -> egui::Response {
    let mut text = match &state.text_draft {
        Some(d) if d.span == span.id && d.name == def.name => d.text.clone(),
        _ => value.cloned().unwrap_or_default(),
    };
    let response = ui.add(
        egui::TextEdit::singleline(&mut text)
            .hint_text("any text")
            .desired_width(160.0),
    );
    if response.lost_focus() {
        state.text_draft = None;
        let typed = text.trim();
        let typed = (!typed.is_empty()).then(|| typed.to_owned());
        if typed.as_ref() != value {
            tx.send(Command::SetAttribute {
                span: span.id,
                name: def.name.clone(),
                value: typed,
            });
        }
    } else if response.has_focus() {
        state.text_draft = Some(TextDraft {
            span: span.id,
            name: def.name.clone(),
            text,
        });
    }
    response
}

/// What a definition is, in a few words: `flag · all labels`, `choice: A|B · PER, ORG`.
fn summary(def: &AttributeDef) -> String {
    let kind = match def.kind {
        AttributeKind::Flag => "flag".to_owned(),
        AttributeKind::Choice => format!("choice: {}", def.values.join("|")),
        AttributeKind::Text => "text".to_owned(),
    };
    let labels = if def.labels.is_empty() {
        "all labels".to_owned()
    } else {
        def.labels.join(", ")
    };
    format!("{kind} · {labels}")
}

/// The attribute definitions, under the labels: each with Edit, then Add attribute and the form.
pub fn definitions(
    ui: &mut egui::Ui,
    shown: &Shown<'_>,
    state: &mut PanelState,
    tx: &CommandSender,
) {
    let project = shown.project;
    let state = &mut state.attributes;
    let mut edit = None;
    egui::CollapsingHeader::new(format!("Attributes ({})", project.attributes().len()))
        .id_salt("spantag_attribute_definitions")
        .default_open(true)
        .show(ui, |ui| {
            if project.attributes().is_empty() {
                // An empty open section read as a drawing glitch; say what it is for.
                ui.weak("None yet: flags, choices or free text that spans of a label carry.");
            }
            egui::Grid::new("spantag_attribute_list")
                .num_columns(2)
                .show(ui, |ui| {
                    for (i, def) in project.attributes().iter().enumerate() {
                        // One label, so the name alone stays the span panel's widget's.
                        ui.label(format!("{}  ({})", def.name, summary(def)));
                        if is_mark(&def.name) {
                            ui.label("");
                        } else if ui
                            .small_button("Edit")
                            .accessible_name(format!("Edit attribute {}", def.name))
                            .on_hover_text(format!("Edit attribute {}", def.name))
                            .clicked()
                        {
                            edit = Some(i);
                        }
                        ui.end_row();
                    }
                });
            if let Some(i) = edit
                && let Some(def) = project.attributes().get(i)
            {
                // Counted once, here: not every frame while the form is open.
                let in_use = project
                    .documents
                    .iter()
                    .flat_map(|d| d.spans.iter())
                    .filter(|s| s.attributes.contains_key(&def.name))
                    .count();
                state.form = Some(AttributeForm {
                    index: Some(i),
                    name: def.name.clone(),
                    kind: def.kind,
                    values: def.values.clone(),
                    new_value: String::new(),
                    labels: def.labels.clone(),
                    in_use,
                });
                state.error = None;
            }
            if state.form.is_none() && ui.button("Add attribute").clicked() {
                state.form = Some(AttributeForm {
                    index: None,
                    name: String::new(),
                    kind: AttributeKind::Flag,
                    values: Vec::new(),
                    new_value: String::new(),
                    labels: Vec::new(),
                    in_use: 0,
                });
                state.error = None;
            }
            attribute_form(ui, shown, state, tx);
        });
}

/// The form edits a copy; Save attribute sends it, and the dispatcher closes the form or says
/// why not (in [`AttributePanelState::error`]).
fn attribute_form(
    ui: &mut egui::Ui,
    shown: &Shown<'_>,
    state: &mut AttributePanelState,
    tx: &CommandSender,
) {
    let Some(form) = &mut state.form else {
        return;
    };
    let mut close = false;
    let mut error = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(
            RichText::new(if form.index.is_some() {
                "Edit attribute"
            } else {
                "New attribute"
            })
            .strong(),
        );
        egui::Grid::new("spantag_attribute_form")
            .num_columns(2)
            .show(ui, |ui| {
                let l = ui.label("Attribute name");
                ui.add(egui::TextEdit::singleline(&mut form.name).desired_width(140.0))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Kind");
                egui::ComboBox::from_id_salt("spantag_attribute_kind")
                    .selected_text(kind_name(form.kind))
                    .show_ui(ui, |ui| {
                        for kind in [
                            AttributeKind::Flag,
                            AttributeKind::Choice,
                            AttributeKind::Text,
                        ] {
                            ui.selectable_value(&mut form.kind, kind, kind_name(kind));
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("For labels");
                let shown_labels = if form.labels.is_empty() {
                    "all labels".to_owned()
                } else {
                    form.labels.join(", ")
                };
                egui::ComboBox::from_id_salt("spantag_attribute_labels")
                    .selected_text(shown_labels)
                    .close_behavior(PopupCloseBehavior::CloseOnClickOutside)
                    .show_ui(ui, |ui| {
                        if ui
                            .selectable_label(form.labels.is_empty(), "all labels")
                            .clicked()
                        {
                            form.labels.clear();
                        }
                        for label in shown.project.labels.iter() {
                            let on = form.labels.contains(&label.name);
                            if ui.selectable_label(on, &label.name).clicked() {
                                if on {
                                    form.labels.retain(|l| *l != label.name);
                                } else {
                                    form.labels.push(label.name.clone());
                                }
                            }
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
            });
        if form.kind == AttributeKind::Choice {
            ui.label("Values");
            let mut remove = None;
            for (i, v) in form.values.iter().enumerate() {
                ui.horizontal(|ui| {
                    ui.label(format!("  {v}"));
                    if ui
                        .small_button("Remove")
                        .accessible_name(format!("Remove value {v}"))
                        .on_hover_text(format!("Remove value {v}"))
                        .clicked()
                    {
                        remove = Some(i);
                    }
                });
            }
            if let Some(i) = remove {
                form.values.remove(i);
            }
            ui.horizontal(|ui| {
                let response = ui
                    .add(
                        egui::TextEdit::singleline(&mut form.new_value)
                            .hint_text("a value")
                            .desired_width(100.0),
                    )
                    .on_hover_text("New value");
                let entered =
                    response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button("Add value").clicked() || entered {
                    let v = form.new_value.trim().to_owned();
                    if v.is_empty() || v.contains(char::is_whitespace) {
                        error =
                            Some("a value is one word: brat's A lines cannot hold spaces".into());
                    } else if !form.values.contains(&v) {
                        form.values.push(v);
                        form.new_value.clear();
                    }
                }
            });
            if form.index.is_some() && form.in_use > 0 {
                ui.weak("A removed value stays on the spans that have it, shown marked.");
            }
        }
        ui.horizontal(|ui| {
            if ui.button("Save attribute").clicked() {
                match form.to_def() {
                    Err(why) => error = Some(why),
                    Ok(attribute) => tx.send(Command::SaveAttribute {
                        index: form.index,
                        attribute,
                    }),
                }
            }
            if let Some(i) = form.index {
                let warning = match form.in_use {
                    0 => "No span carries it".to_owned(),
                    1 => {
                        "Also clears it from the 1 span that carries it (one undo step)".to_owned()
                    }
                    n => format!("Also clears it from the {n} spans that carry it (one undo step)"),
                };
                if ui
                    .button("Delete attribute")
                    .on_hover_text(warning)
                    .clicked()
                {
                    tx.send(Command::DeleteAttribute(i));
                }
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
        if form.index.is_some() && form.in_use > 0 {
            ui.weak(format!(
                "{} span(s) carry it: deleting it clears their values (Ctrl+Z brings them back).",
                form.in_use
            ));
        }
    });
    if let Some(why) = error {
        state.error = Some(why);
    }
    if let Some(why) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, why);
    }
    if close {
        state.form = None;
        state.error = None;
    }
}

fn kind_name(kind: AttributeKind) -> &'static str {
    match kind {
        AttributeKind::Flag => "flag (set or not)",
        AttributeKind::Choice => "choice (one of values)",
        AttributeKind::Text => "text (anything)",
    }
}

/// The review filter's attribute row: all, or one attribute (any value), or one value of a
/// choice. The same conditions as the span list's `attr:` words.
pub fn review_filter_row(
    ui: &mut egui::Ui,
    shown: &Shown<'_>,
    chosen: &mut Option<AttributeFilter>,
) {
    let defs = shown.project.attributes();
    if defs.is_empty() && chosen.is_none() {
        return;
    }
    let l = ui.label("Attribute");
    egui::ComboBox::from_id_salt("spantag_review_attribute")
        .selected_text(
            chosen
                .as_ref()
                .map_or_else(|| "all".to_owned(), ToString::to_string),
        )
        .show_ui(ui, |ui| {
            ui.selectable_value(chosen, None, "all");
            for def in defs {
                let any = AttributeFilter::any(&def.name);
                let text = any.to_string();
                ui.selectable_value(chosen, Some(any), text);
                for v in &def.values {
                    let one = AttributeFilter::exactly(&def.name, v);
                    let text = one.to_string();
                    ui.selectable_value(chosen, Some(one), text);
                }
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
}
