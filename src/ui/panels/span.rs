//! The selected span's details and note, and the list of spans.

use eframe::egui::{self, RichText};

use super::{PanelState, swatch};
use crate::core::{Rgb, SpanStatus};
use crate::ui::command::{Command, CommandSender};
use crate::ui::shown::Shown;
use crate::ui::text_view::excerpt;

pub fn selected_span(
    ui: &mut egui::Ui,
    shown: &Shown<'_>,
    state: &mut PanelState,
    tx: &CommandSender,
) {
    ui.heading("Selected span");
    super::attributes::commit_stale_draft(&mut state.attributes, shown.selected_span, tx);
    let Some(id) = shown.selected_span else {
        ui.label("None. Click a tagged span, or use Tab / Shift+Tab.");
        return;
    };
    let Some(doc) = shown.current_doc() else {
        return;
    };
    let Some(span) = shown.derived.find_span(doc, id) else {
        return;
    };
    ui.label(RichText::new(doc.document.slice(span.start, span.end)).size(18.0));
    egui::Grid::new("spantag_span_details")
        .num_columns(2)
        .show(ui, |ui| {
            let label_label = ui.label("Label");
            egui::ComboBox::from_id_salt("spantag_span_label")
                .selected_text(span.label.as_str())
                .show_ui(ui, |ui| {
                    for label in shown.project.labels.iter() {
                        if ui
                            .selectable_label(label.name == span.label, &label.name)
                            .clicked()
                        {
                            tx.send(Command::ApplyLabel(label.name.clone()));
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
                    tx.send(Command::Accept);
                }
                if span.status != SpanStatus::Rejected && ui.small_button("Reject").clicked() {
                    tx.send(Command::Reject);
                }
            });
            ui.end_row();
            if let Some(annotator) = &span.annotator {
                ui.label("Annotator");
                ui.label(annotator.as_str());
                ui.end_row();
            }
        });

    super::attributes::span_attributes(ui, shown, span, &mut state.attributes, tx);

    // The note is typed into a draft and committed as one edit when the field loses focus.
    let draft = match &mut state.note_draft {
        Some((draft_id, text)) if *draft_id == id => text,
        other => {
            *other = Some((id, span.note.as_deref().unwrap_or_default().to_owned()));
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
        let note = draft.trim().to_owned();
        tx.send(Command::SetNote {
            span: id,
            note: (!note.is_empty()).then_some(note),
        });
    }
    if ui.button("Delete span").clicked() {
        tx.send(Command::DeleteSpan);
    }
    super::relations::for_span(ui, shown, id, tx);
}

/// The span list: its rows come from the derived cache, and only those in view are drawn. It
/// follows the text: the selected span's row is highlighted and, when the selection changes to
/// a span whose row is out of view, scrolled to.
pub fn span_list(ui: &mut egui::Ui, shown: &Shown<'_>, state: &mut PanelState, tx: &CommandSender) {
    let Some(doc) = shown.current_doc() else {
        return;
    };
    let rows = &shown.derived.span_rows;
    let total = doc.spans.len();
    ui.heading(if state.span_filter.trim().is_empty() {
        format!("Spans ({})", grouped(total))
    } else {
        format!("Spans ({} of {})", grouped(rows.len()), grouped(total))
    });
    ui.add(
        egui::TextEdit::singleline(&mut state.span_filter)
            .hint_text("filter by text or label; attr:Negated, attr:Category=Fish")
            .desired_width(f32::INFINITY),
    );
    let spans = &doc.spans;
    let row_height = ui.spacing().interact_size.y;
    let stride = row_height + ui.spacing().item_spacing.y;
    let height = ui.available_height().max(200.0);
    let mut list = egui::ScrollArea::vertical()
        .id_salt("spantag_span_list")
        .max_height(height);
    if shown.selected_span != state.list_followed.0 {
        // Over a few frames: the panel above the list settles (the selected span's details
        // appear) and changes the list's height.
        state.list_followed = (shown.selected_span, 3);
    }
    if state.list_followed.1 > 0 {
        state.list_followed.1 -= 1;
        // Rows cut by the list's edges count as out of view.
        let in_view = state.list_rows_in_view.start + 1..state.list_rows_in_view.end.max(1) - 1;
        if let Some(row) = shown.derived.selected_row()
            && !in_view.contains(&row)
        {
            // Within the list's scroll range (as of the last frame): past its end egui springs
            // back over frames.
            let end = state.list_scroll_end.max(0.0);
            list =
                list.vertical_scroll_offset((row as f32 * stride - height / 3.0).clamp(0.0, end));
        }
    }
    let output = list.show_rows(ui, row_height, rows.len(), |ui, range| {
        state.list_rows_in_view = range.clone();
        for s in rows
            .indices(range)
            .into_iter()
            .filter_map(|i| spans.by_position(i))
        {
            let color = shown
                .project
                .labels
                .get(&s.label)
                .map_or(Rgb(128, 128, 128), |l| l.color);
            ui.horizontal(|ui| {
                swatch(ui, color);
                // The label with the span's attributes, short, as its tag over the text.
                let text = format!(
                    "{}  {}  [{}, {})  {}",
                    excerpt(doc.document.slice(s.start, s.end)),
                    crate::ui::span_paint::tag_text(s),
                    s.start,
                    s.end,
                    s.status.as_str()
                );
                let mut text = RichText::new(text);
                if s.status != SpanStatus::Accepted {
                    text = text.italics();
                }
                if ui
                    .selectable_label(shown.selected_span == Some(s.id), text)
                    .clicked()
                {
                    tx.send(Command::SelectSpan(s.id));
                }
            });
        }
    });
    state.list_scroll_end = output.content_size.y - output.inner_rect.height();
}

/// `12597` as "12,597": counts in the panel are read at a glance.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(412), "412");
        assert_eq!(grouped(12_597), "12,597");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }
}
