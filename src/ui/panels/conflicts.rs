//! The review panel's "Merge conflicts" section: every conflict `spantag merge` left in the
//! project, the selected one's versions side by side with what differs highlighted, and the
//! buttons that resolve it (the same as the review-mode keys Alt+1 / Alt+2 / Alt+B / Alt+D).

use eframe::egui::{self, Color32, RichText};

use crate::core::merge::CONFLICT_ATTRIBUTE;
use crate::core::merge_conflicts::{Difference, MergeConflict, Resolution, Side, Version};
use crate::ui::command::{Command, CommandSender};
use crate::ui::shown::Shown;

/// Shown in review mode when the project was merged with conflicts (it has the marker's
/// definition), also once none remain, so that it says so.
pub fn section(ui: &mut egui::Ui, shown: &Shown<'_>, tx: &CommandSender) {
    if !shown.review.on || shown.project.attribute(CONFLICT_ATTRIBUTE).is_none() {
        return;
    }
    let conflicts = &shown.derived.merge_conflicts;
    ui.separator();
    ui.horizontal(|ui| {
        ui.strong(format!("Merge conflicts ({})", conflicts.len()));
        if !conflicts.is_empty()
            && ui
                .small_button("Next (Alt+N)")
                .on_hover_text("Select the next merge conflict and scroll to it")
                .clicked()
        {
            tx.send(Command::NextConflict);
        }
    });
    if conflicts.is_empty() {
        ui.label("No merge conflicts remain.");
        return;
    }
    let selected = shown
        .selected_span
        .and_then(|id| conflicts.iter().find(|c| c.doc == shown.doc && c.holds(id)));
    if let Some(conflict) = selected {
        versions(ui, shown, conflict);
        ui.horizontal_wrapped(|ui| {
            for (text, resolution) in [
                ("Take ours (Alt+1)", Resolution::Ours),
                ("Take theirs (Alt+2)", Resolution::Theirs),
                ("Both (Alt+B)", Resolution::Both),
                ("Neither (Alt+D)", Resolution::Neither),
            ] {
                if ui.small_button(text).clicked() {
                    tx.send(Command::ResolveConflict(resolution));
                }
            }
        });
    } else {
        ui.label("Alt+N or a click selects one.");
    }
    egui::ScrollArea::vertical()
        .id_salt("spantag_merge_conflicts")
        .max_height(160.0)
        .show(ui, |ui| {
            for conflict in conflicts {
                let is_selected = selected.is_some_and(|s| std::ptr::eq(s, conflict));
                if ui
                    .selectable_label(is_selected, row(shown, conflict))
                    .clicked()
                {
                    tx.send(Command::SelectConflict {
                        doc: conflict.doc,
                        span: conflict.first().id,
                    });
                }
            }
        });
}

/// One line of the list: where, what text, what differs.
fn row(shown: &Shown<'_>, conflict: &MergeConflict) -> String {
    let Some(d) = shown.project.documents.get(conflict.doc) else {
        return String::new();
    };
    let span = conflict.first();
    let differs: Vec<&str> = conflict
        .differences()
        .iter()
        .map(|d| d.describe())
        .collect();
    let doc = if shown.project.documents.len() > 1 {
        format!("{} · ", d.document.name)
    } else {
        String::new()
    };
    format!(
        "{doc}{}  [{}, {})  {}",
        d.document.slice(span.start, span.end),
        span.start,
        span.end,
        differs.join(", ")
    )
}

/// The two versions side by side; the rows that differ are highlighted.
fn versions(ui: &mut egui::Ui, shown: &Shown<'_>, conflict: &MergeConflict) {
    let Some(d) = shown.project.documents.get(conflict.doc) else {
        return;
    };
    let differences = conflict.differences();
    let differs = |what: Difference| differences.contains(&what);
    let highlight = ui.visuals().warn_fg_color;
    let cell = |ui: &mut egui::Ui, text: String, differs: bool| {
        if differs {
            ui.label(RichText::new(text).strong().color(highlight));
        } else {
            ui.label(text);
        }
    };
    type Field = fn(&Version, &str) -> String;
    let fields: [(&str, Difference, Field); 6] = [
        ("text", Difference::Bounds, |v, text| {
            format!("{text}  [{}, {})", v.span.start, v.span.end)
        }),
        ("label", Difference::Label, |v, _| v.span.label.to_string()),
        ("status", Difference::Status, |v, _| {
            v.unmarked().status.as_str().to_owned()
        }),
        ("note", Difference::Note, |v, _| {
            v.span.note.as_deref().unwrap_or("—").to_owned()
        }),
        ("attributes", Difference::Attributes, |v, _| {
            let listed: Vec<String> = v
                .unmarked()
                .attributes
                .iter()
                .map(|(k, val)| format!("{k}={val}"))
                .collect();
            if listed.is_empty() {
                "—".into()
            } else {
                listed.join(", ")
            }
        }),
        ("annotator", Difference::Annotator, |v, _| {
            v.span.annotator.as_deref().unwrap_or("—").to_owned()
        }),
    ];
    egui::Grid::new("spantag_conflict_versions")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            ui.strong("ours");
            ui.strong("theirs");
            ui.end_row();
            for (name, difference, show) in fields {
                ui.label(name);
                for side in [Side::Ours, Side::Theirs] {
                    match conflict.version(side) {
                        Some(v) => {
                            let text = d.document.slice(v.span.start, v.span.end);
                            cell(ui, show(v, text), differs(difference));
                        }
                        None => {
                            ui.label(
                                RichText::new(format!("deleted by {}", side.as_str()))
                                    .italics()
                                    .color(Color32::GRAY),
                            );
                        }
                    }
                }
                ui.end_row();
            }
        });
}
