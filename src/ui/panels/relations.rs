//! Relations in the panel: the selected span's relations and the button that starts drawing
//! one, the selected relation (retype, review, note, delete), the document's relations, the project's
//! relation types (add, edit, delete), and the type chooser shown once both ends of a new relation
//! are picked. Like every panel it reads [`Shown`] and sends commands.

use eframe::egui::{self, RichText, vec2};

use super::span::grouped;
use super::{PanelState, swatch};
use crate::core::{AnnotatedDocument, Relation, RelationType, Rgb, SpanId, SpanStatus};
use crate::ui::command::{Command, CommandSender};
use crate::ui::shown::Shown;
use crate::ui::state::RelationDraft;
use crate::ui::text_view::excerpt;

/// The relation type form's fields while it is open.
#[derive(Clone, Debug, PartialEq)]
pub struct RelationTypeForm {
    pub name: String,
    pub color: [u8; 3],
    pub hotkey: String,
    /// The type being changed, as it was, or `None` for a new one.
    pub editing: Option<RelationType>,
    /// Set when the form opens: it is scrolled into view once (with many types it opens below
    /// the list, out of view of the button clicked).
    pub scroll_to: bool,
}

impl RelationTypeForm {
    fn to_type(&self) -> Result<RelationType, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err("a relation type needs a name".into());
        }
        let mut keys = self.hotkey.trim().chars();
        let hotkey = keys.next();
        if keys.next().is_some() {
            return Err("a hotkey is one letter or digit".into());
        }
        let [r, g, b] = self.color;
        // An edited type keeps what the form does not show (its allowed labels).
        let mut t = match &self.editing {
            Some(before) => before.clone(),
            None => RelationType::new(name, Rgb(r, g, b)),
        };
        t.name = name.to_owned();
        t.color = Rgb(r, g, b);
        t.hotkey = hotkey;
        Ok(t)
    }
}

/// The list of the document's relations scrolls beyond this height.
const LIST_HEIGHT: f32 = 180.0;

/// The text of span `id` for a row ("?" when the span is gone).
fn span_text(doc: &AnnotatedDocument, id: SpanId) -> String {
    doc.spans.get(id).map_or_else(
        || "?".into(),
        |s| excerpt(doc.document.slice(s.start, s.end)).into_owned(),
    )
}

fn type_color(shown: &Shown<'_>, kind: &str) -> Rgb {
    shown
        .project
        .relation_type(kind)
        .map_or(Rgb(128, 128, 128), |t| t.color)
}

/// One relation as a row, `from —type→ to`; a click selects it.
fn row(ui: &mut egui::Ui, shown: &Shown<'_>, r: &Relation, text: String, tx: &CommandSender) {
    ui.horizontal(|ui| {
        swatch(ui, type_color(shown, &r.kind));
        if ui
            .selectable_label(shown.selected_relation == Some(r.id), text)
            .clicked()
        {
            tx.send(Command::SelectRelation(r.id));
        }
    });
}

/// Below the selected span's details: its relations (type, direction, the other span's text)
/// and the button that starts drawing one.
pub fn for_span(ui: &mut egui::Ui, shown: &Shown<'_>, id: SpanId, tx: &CommandSender) {
    let Some(doc) = shown.current_doc() else {
        return;
    };
    if ui
        .button("Draw relation (R)")
        .on_hover_text(
            "Then click the span it goes to (or Tab to it and press Enter), and pick its type",
        )
        .clicked()
    {
        tx.send(Command::StartRelation);
    }
    // The document's relations are few beside its spans; the ones of a span are found by a scan.
    let mine: Vec<&Relation> = doc.relations.touching(id).collect();
    if mine.is_empty() {
        return;
    }
    ui.label(RichText::new(format!("Relations of this span ({})", mine.len())).strong());
    for r in mine {
        let text = if r.from == id {
            format!("→ {}  {}", r.kind, span_text(doc, r.to))
        } else {
            format!("← {}  {}", r.kind, span_text(doc, r.from))
        };
        row(ui, shown, r, text, tx);
    }
}

/// The selected relation: its ends, its type (a box to retype it) and Delete.
pub fn selected_relation(
    ui: &mut egui::Ui,
    shown: &Shown<'_>,
    state: &mut PanelState,
    tx: &CommandSender,
) {
    let Some(id) = shown.selected_relation else {
        return;
    };
    let Some(doc) = shown.current_doc() else {
        return;
    };
    let Some(r) = doc.relations.get(id) else {
        return;
    };
    ui.separator();
    ui.heading("Selected relation");
    egui::Grid::new("spantag_relation_details")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label("From");
            if ui.link(span_text(doc, r.from)).clicked() {
                tx.send(Command::SelectSpan(r.from));
            }
            ui.end_row();
            ui.label("To");
            if ui.link(span_text(doc, r.to)).clicked() {
                tx.send(Command::SelectSpan(r.to));
            }
            ui.end_row();
            let type_label = ui.label("Type");
            egui::ComboBox::from_id_salt("spantag_relation_type")
                .selected_text(&r.kind)
                .show_ui(ui, |ui| {
                    for t in shown.project.relation_types() {
                        let key = t.hotkey.map(|k| format!("  [{k}]")).unwrap_or_default();
                        if ui
                            .selectable_label(t.name == r.kind, format!("{}{key}", t.name))
                            .clicked()
                        {
                            tx.send(Command::RetypeRelation {
                                id,
                                kind: t.name.clone(),
                            });
                        }
                    }
                })
                .response
                .labelled_by(type_label.id);
            ui.end_row();
            ui.label("Status");
            ui.horizontal(|ui| {
                ui.label(r.status.as_str());
                for status in [SpanStatus::Accepted, SpanStatus::Rejected] {
                    let verb = if status == SpanStatus::Accepted {
                        "Accept"
                    } else {
                        "Reject"
                    };
                    if r.status != status
                        && ui
                            .small_button(verb)
                            .accessible_name(format!("{verb} relation"))
                            .on_hover_text(format!(
                                "{verb} this relation (in review mode the {} key does the same)",
                                verb.to_lowercase()
                            ))
                            .clicked()
                    {
                        tx.send(Command::SetRelationStatus { id, status });
                    }
                }
            });
            ui.end_row();
            if let Some(annotator) = &r.annotator {
                ui.label("Annotator");
                ui.label(annotator);
                ui.end_row();
            }
        });
    // Typed into a draft, committed as one edit when the field loses focus (as a span's note).
    let draft = match &mut state.relation_note_draft {
        Some((draft_id, text)) if *draft_id == id => text,
        other => {
            *other = Some((id, r.note.clone().unwrap_or_default()));
            &mut other.as_mut().expect("just set").1
        }
    };
    let note_label = ui.label("Relation note");
    let response = ui
        .add(
            egui::TextEdit::multiline(draft)
                .desired_rows(1)
                .desired_width(f32::INFINITY)
                .hint_text("a note on this relation"),
        )
        .labelled_by(note_label.id);
    if response.lost_focus() {
        let note = draft.trim().to_owned();
        tx.send(Command::SetRelationNote {
            id,
            note: (!note.is_empty()).then_some(note),
        });
    }
    if ui
        .button("Delete relation")
        .on_hover_text("Delete (the key) does the same while a relation is selected")
        .clicked()
    {
        tx.send(Command::DeleteRelation(Some(id)));
    }
}

/// Every relation of the document, `from —type→ to`, only the rows in view drawn.
pub fn relation_list(ui: &mut egui::Ui, shown: &Shown<'_>, tx: &CommandSender) {
    let Some(doc) = shown.current_doc() else {
        return;
    };
    let total = doc.relations.len();
    egui::CollapsingHeader::new(format!("Relations ({})", grouped(total)))
        .id_salt("spantag_relation_list")
        .default_open(total > 0)
        .show(ui, |ui| {
            if total == 0 {
                ui.weak("None in this document. Select a span and press R to draw one.");
                return;
            }
            let row_height = ui.spacing().interact_size.y;
            egui::ScrollArea::vertical()
                .id_salt("spantag_relation_rows")
                .max_height(LIST_HEIGHT)
                .show_rows(ui, row_height, total, |ui, rows| {
                    for r in doc.relations.iter().skip(rows.start).take(rows.len()) {
                        let text = format!(
                            "{}  —{}→  {}",
                            span_text(doc, r.from),
                            r.kind,
                            span_text(doc, r.to)
                        );
                        row(ui, shown, r, text, tx);
                    }
                });
        });
}

/// The project's relation types: colour, name, hotkey, uses; add one, edit one (a rename
/// retypes its relations), delete an unused one.
pub fn relation_types(
    ui: &mut egui::Ui,
    shown: &Shown<'_>,
    state: &mut PanelState,
    tx: &CommandSender,
) {
    let types = shown.project.relation_types();
    egui::CollapsingHeader::new(format!("Relation types ({})", types.len()))
        .id_salt("spantag_relation_types")
        .default_open(state.relation_type_form.is_some())
        .show(ui, |ui| {
            // Counted only while the section is open.
            let mut uses = vec![0usize; types.len()];
            for r in shown
                .project
                .documents
                .iter()
                .flat_map(|d| d.relations.iter())
            {
                if let Some(i) = types.iter().position(|t| t.name == r.kind) {
                    uses[i] += 1;
                }
            }
            egui::Grid::new("spantag_relation_type_rows")
                .num_columns(5)
                .spacing(vec2(8.0, ui.spacing().item_spacing.y))
                .show(ui, |ui| {
                    for (i, t) in types.iter().enumerate() {
                        swatch(ui, t.color);
                        ui.label(RichText::new(&t.name).strong());
                        ui.label(
                            RichText::new(t.hotkey.map(|k| format!("[{k}]")).unwrap_or_default())
                                .monospace(),
                        );
                        ui.label(uses[i].to_string());
                        ui.horizontal(|ui| {
                            if ui
                                .small_button("Edit")
                                .accessible_name(format!("Edit relation type {}", t.name))
                                .on_hover_text(format!(
                                    "Rename {} (its relations follow), change its colour or hotkey",
                                    t.name
                                ))
                                .clicked()
                            {
                                state.relation_type_form = Some(RelationTypeForm {
                                    name: t.name.clone(),
                                    color: [t.color.0, t.color.1, t.color.2],
                                    hotkey: t.hotkey.map(String::from).unwrap_or_default(),
                                    editing: Some(t.clone()),
                                    scroll_to: true,
                                });
                                state.relation_type_error = None;
                            }
                            if ui
                                .small_button("Delete")
                                .accessible_name(format!("Delete relation type {}", t.name))
                                .on_hover_text(format!("Delete relation type {}", t.name))
                                .clicked()
                            {
                                tx.send(Command::DeleteRelationType(i));
                            }
                        });
                        ui.end_row();
                    }
                });
            if state.relation_type_form.is_none() && ui.button("Add relation type").clicked() {
                let c = crate::core::label::PALETTE
                    [(types.len() + 6) % crate::core::label::PALETTE.len()];
                state.relation_type_form = Some(RelationTypeForm {
                    name: String::new(),
                    color: [c.0, c.1, c.2],
                    hotkey: String::new(),
                    editing: None,
                    scroll_to: true,
                });
                state.relation_type_error = None;
            }
            type_form(ui, state, tx);
        });
}

fn type_form(ui: &mut egui::Ui, state: &mut PanelState, tx: &CommandSender) {
    if let Some(form) = &mut state.relation_type_form {
        let mut close = false;
        let mut error = None;
        let frame = egui::Frame::group(ui.style()).show(ui, |ui| {
            let heading = match &form.editing {
                Some(before) => format!("Relation type {}", before.name),
                None => "New relation type".to_owned(),
            };
            ui.label(RichText::new(heading).strong());
            egui::Grid::new("spantag_relation_type_form")
                .num_columns(2)
                .show(ui, |ui| {
                    let name = ui.label("Type name");
                    ui.add(egui::TextEdit::singleline(&mut form.name).desired_width(120.0))
                        .labelled_by(name.id);
                    ui.end_row();
                    ui.label("Colour");
                    ui.color_edit_button_srgb(&mut form.color);
                    ui.end_row();
                    let key = ui.label("Type hotkey");
                    ui.add(
                        egui::TextEdit::singleline(&mut form.hotkey)
                            .desired_width(30.0)
                            .char_limit(1),
                    )
                    .labelled_by(key.id);
                    ui.end_row();
                });
            ui.horizontal(|ui| {
                if ui.button("Save relation type").clicked() {
                    match (form.to_type(), &form.editing) {
                        (Ok(t), Some(before)) => {
                            tx.send(Command::EditRelationType(before.name.clone(), t))
                        }
                        (Ok(t), None) => tx.send(Command::AddRelationType(t)),
                        (Err(why), _) => error = Some(why),
                    }
                }
                if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
        });
        if std::mem::take(&mut form.scroll_to) {
            frame.response.scroll_to_me(Some(egui::Align::Center));
        }
        if error.is_some() {
            state.relation_type_error = error;
        }
        if close {
            state.relation_type_form = None;
            state.relation_type_error = None;
        }
    }
    if let Some(why) = &state.relation_type_error {
        ui.colored_label(ui.visuals().error_fg_color, why);
    }
}

/// Over the text once both ends of a new relation are picked (at `at`, under the second span,
/// when it is on screen): the types allowed between the two spans' labels, with their
/// hotkeys, and a field to name a new type.
pub fn type_chooser(
    ctx: &egui::Context,
    shown: &Shown<'_>,
    draft: &mut RelationDraft,
    at: Option<egui::Pos2>,
    tx: &CommandSender,
) {
    let RelationDraft::ChoosingType {
        from,
        to,
        new_type,
        focus_name,
    } = draft
    else {
        return;
    };
    let Some(doc) = shown.current_doc() else {
        return;
    };
    let (Some(a), Some(b)) = (doc.spans.get(*from), doc.spans.get(*to)) else {
        return;
    };
    let types = shown.project.relation_types();
    let allowed: Vec<&RelationType> = types
        .iter()
        .filter(|t| t.allows(true, &a.label) && t.allows(false, &b.label))
        .collect();
    let window = egui::Window::new("Relation type")
        .collapsible(false)
        .resizable(false);
    let window = match at {
        Some(at) => window.fixed_pos(at),
        None => window.anchor(egui::Align2::CENTER_TOP, vec2(0.0, 80.0)),
    };
    window.show(ctx, |ui| {
        ui.label(format!(
            "{} ({}) → {} ({})",
            excerpt(doc.document.slice(a.start, a.end)),
            a.label,
            excerpt(doc.document.slice(b.start, b.end)),
            b.label
        ));
        if allowed.is_empty() && !types.is_empty() {
            ui.weak(format!(
                "No relation type allows {} → {}: name a new one",
                a.label, b.label
            ));
        }
        for t in &allowed {
            ui.horizontal(|ui| {
                swatch(ui, t.color);
                let key = t.hotkey.map(|k| format!("  [{k}]")).unwrap_or_default();
                if ui
                    .button(format!("{}{key}", t.name))
                    .accessible_name(format!("Relate as {}", t.name))
                    .clicked()
                {
                    tx.send(Command::UseRelationType(t.name.clone()));
                }
            });
        }
        ui.horizontal(|ui| {
            let label = ui.label(if types.is_empty() {
                "This project has no relation types yet. New type"
            } else {
                "New type"
            });
            let field = ui
                .add(
                    egui::TextEdit::singleline(new_type)
                        .hint_text("name")
                        .desired_width(120.0),
                )
                .labelled_by(label.id);
            if std::mem::take(focus_name) {
                field.request_focus();
            }
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let name = new_type.trim();
            if (ui
                .add_enabled(!name.is_empty(), egui::Button::new("Add and use"))
                .clicked()
                || entered)
                && !name.is_empty()
            {
                tx.send(Command::UseRelationType(name.to_owned()));
            }
        });
        ui.weak("A type's hotkey or Enter (the first type) picks it; Esc cancels.");
        if ui.button("Cancel").clicked() {
            tx.send(Command::ClearSelection);
        }
    });
}
