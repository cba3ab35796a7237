//! The annotation panel and the window's bars. Panels read the [`Shown`] state and send
//! [`super::command::Command`]s; the only state they change is their own widgets' (the drafts of
//! [`PanelState`]). They never import the app or the dispatcher.

mod assist;
pub mod attributes;
pub mod compare;
mod conflicts;
mod labels;
pub mod menu;
pub mod navigator;
mod relations;
mod review;
mod span;
pub mod stats;

use eframe::egui::{self, Color32, Sense, vec2};

use super::command::CommandSender;
use super::shown::Shown;
use crate::core::{RelationId, Rgb, SpanId};

pub use labels::LabelForm;
pub use relations::{RelationTypeForm, type_chooser};

/// What the panel's fields hold while they are being typed into.
#[derive(Default)]
pub struct PanelState {
    /// The label being edited, if the label form is open.
    pub label_form: Option<LabelForm>,
    /// Why the last label edit was refused.
    pub label_error: Option<String>,
    /// The note being typed for a span, committed when the field loses focus.
    pub note_draft: Option<(SpanId, String)>,
    /// The note being typed for a relation, committed the same way.
    pub relation_note_draft: Option<(RelationId, String)>,
    /// Only list spans whose text or label contains this.
    pub span_filter: String,
    /// The annotator name being typed, committed when the field loses focus.
    pub annotator_draft: Option<String>,
    /// Only list labels whose name contains this (offered when there are many labels).
    pub label_filter: String,
    /// The span list follows the selection: the span it last brought into view and for how
    /// many more frames, and the rows it showed in the last frame.
    pub list_followed: (Option<SpanId>, u8),
    pub list_rows_in_view: std::ops::Range<usize>,
    /// The largest scroll offset of the span list in the last frame.
    pub list_scroll_end: f32,
    /// The relation type being added, if the form is open.
    pub relation_type_form: Option<RelationTypeForm>,
    /// Why the last relation type edit was refused.
    pub relation_type_error: Option<String>,
    /// The attribute value being typed and the attribute definition form.
    pub attributes: attributes::AttributePanelState,
}

pub fn show(ui: &mut egui::Ui, shown: &Shown<'_>, state: &mut PanelState, tx: &CommandSender) {
    egui::ScrollArea::vertical()
        .id_salt("spantag_panel_scroll")
        .auto_shrink(false)
        .show(ui, |ui| {
            compare::panel(ui, shown, tx);
            review::annotator(ui, shown, state, tx);
            review::review(ui, shown, tx);
            ui.separator();
            labels::labels(ui, shown, state, tx);
            relations::relation_types(ui, shown, state, tx);
            ui.separator();
            span::selected_span(ui, shown, state, tx);
            relations::selected_relation(ui, shown, state, tx);
            assist::other_occurrences(ui, shown, tx);
            ui.separator();
            relations::relation_list(ui, shown, tx);
            span::span_list(ui, shown, state, tx);
        });
}

fn swatch(ui: &mut egui::Ui, color: Rgb) {
    let (rect, _) = ui.allocate_exact_size(vec2(14.0, 14.0), Sense::hover());
    ui.painter()
        .rect_filled(rect, 3.0, Color32::from_rgb(color.0, color.1, color.2));
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    use super::*;
    use crate::core::{Editor, markup};
    use crate::ui::command::{Command, command_channel};
    use crate::ui::derived::{Derived, Inputs};
    use crate::ui::state::ReviewState;

    /// A panel alone: built from borrowed state and a sender, it reports a click as a command
    /// and changes nothing.
    #[test]
    fn the_panel_sends_commands_and_changes_nothing() {
        let editor = Editor::new(markup::project("会见[习近平](PER)和[古巴](GPE)领导人"));
        let review = ReviewState::default();
        let mut derived = Derived::default();
        derived.refresh(
            &editor,
            &Inputs {
                generation: 0,
                doc: 0,
                review: &review,
                show_rejected: false,
                span_filter: "",
                compare: None,
                selected_span: None,
            },
        );
        let (tx, rx) = command_channel(None);
        let mut state = PanelState::default();
        let mut h = Harness::new_ui(|ui| {
            crate::ui::fonts::install(ui.ctx());
            let shown = Shown {
                project: &editor.project,
                history: &editor.history,
                doc: 0,
                selected_span: None,
                review: &review,
                show_rejected: false,
                annotator: None,
                compare: None,
                derived: &derived,
                autosaving: false,
                other_occurrences: None,
                occurrences_as_suggestions: false,
                selected_relation: None,
            };
            show(ui, &shown, &mut state, &tx);
        });
        h.run();
        h.get_by_label("ORG").click();
        h.run();
        assert_eq!(rx.drain(), vec![Command::ApplyLabel("ORG".into())]);
        h.get_by_label_contains("古巴  GPE").click();
        h.run();
        let id = editor.project.documents[0]
            .spans
            .iter()
            .find(|s| s.label == "GPE")
            .map(|s| s.id)
            .expect("GPE");
        assert_eq!(rx.drain(), vec![Command::SelectSpan(id)]);
    }
}
