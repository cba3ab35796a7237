//! The panel's top: the annotator's name, review mode and its filter.

use eframe::egui;

use super::PanelState;
use crate::core::SpanStatus;
use crate::ui::command::{Command, CommandSender};
use crate::ui::shown::Shown;

pub fn annotator(ui: &mut egui::Ui, shown: &Shown<'_>, state: &mut PanelState, tx: &CommandSender) {
    ui.horizontal(|ui| {
        let label = ui.label("Your name");
        let draft = state
            .annotator_draft
            .get_or_insert_with(|| shown.annotator.unwrap_or_default().to_owned());
        let response = ui
            .add(
                egui::TextEdit::singleline(draft)
                    .hint_text("written on the spans you make")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if response.lost_focus() {
            tx.send(Command::SetAnnotator(draft.clone()));
        }
    });
}

pub fn review(ui: &mut egui::Ui, shown: &Shown<'_>, tx: &CommandSender) {
    ui.horizontal(|ui| {
        let mut on = shown.review.on;
        if ui
            .checkbox(&mut on, "Review mode")
            .on_hover_text("Ctrl+R. N / P: next / previous span; Enter: accept; Backspace: reject; a label key relabels; Alt+← / Alt+→ move the start, Alt+Shift+← / Alt+Shift+→ the end; Alt+N next merge conflict, Alt+1 / Alt+2 / Alt+B / Alt+D take ours / theirs / both / neither")
            .changed()
        {
            tx.send(Command::ToggleReview);
        }
        let mut show_rejected = shown.show_rejected;
        if ui.checkbox(&mut show_rejected, "Show rejected").changed() {
            tx.send(Command::SetShowRejected(show_rejected));
        }
    });
    if !shown.review.on {
        return;
    }
    let mut filter = shown.review.clone();
    egui::Grid::new("spantag_review_filters")
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label("Label");
            egui::ComboBox::from_id_salt("spantag_review_label")
                .selected_text(filter.label.clone().unwrap_or_else(|| "all".into()))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut filter.label, None, "all");
                    for label in shown.project.labels.iter() {
                        let name = label.name.clone();
                        ui.selectable_value(&mut filter.label, Some(name.clone()), name);
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Status");
            egui::ComboBox::from_id_salt("spantag_review_status")
                .selected_text(filter.status.map_or("all", SpanStatus::as_str))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut filter.status, None, "all");
                    for status in [
                        SpanStatus::Suggested,
                        SpanStatus::Accepted,
                        SpanStatus::Rejected,
                    ] {
                        ui.selectable_value(&mut filter.status, Some(status), status.as_str());
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Annotator");
            let current = match &filter.annotator {
                None => "all".to_owned(),
                Some(None) => "(none)".to_owned(),
                Some(Some(a)) => a.clone(),
            };
            egui::ComboBox::from_id_salt("spantag_review_annotator")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut filter.annotator, None, "all");
                    for a in &shown.derived.annotators {
                        let text = a.clone().unwrap_or_else(|| "(none)".into());
                        ui.selectable_value(&mut filter.annotator, Some(a.clone()), text);
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            super::attributes::review_filter_row(ui, shown, &mut filter.attribute);
        });
    if filter != *shown.review {
        tx.send(Command::SetReviewFilter(filter));
    }
    let (reviewed, total) = shown.derived.review_progress;
    ui.label(format!("{reviewed} of {total} reviewed"));
    let fraction = if total == 0 {
        1.0
    } else {
        reviewed as f32 / total as f32
    };
    ui.add(egui::ProgressBar::new(fraction).desired_height(6.0));
    super::conflicts::section(ui, shown, tx);
}
