//! The dialogs about the project: errors, "save changes?", locks, recovery, changed texts.
//! They read the dialog showing and send the user's [`Answer`].

use std::path::Path;

use eframe::egui::{self, Key};

use crate::core::{Project, retext};
use crate::ui::command::{Answer, Command, CommandSender};
use crate::ui::state::{Dialog, OpenMode};

pub fn show(
    ctx: &egui::Context,
    dialog: &Dialog,
    path: Option<&Path>,
    project: &Project,
    tx: &CommandSender,
) {
    let mut choice = None;
    egui::Modal::new(egui::Id::unique("spantag_dialog")).show(ctx, |ui| {
        ui.set_max_width(560.0);
        match dialog {
            Dialog::Error { title, message } | Dialog::Info { title, message } => {
                ui.heading(title);
                ui.add_space(4.0);
                egui::ScrollArea::vertical()
                    .max_height(420.0)
                    .show(ui, |ui| ui.label(message));
                ui.add_space(8.0);
                if ui.button("OK").clicked() || ui.input(|i| i.key_pressed(Key::Enter)) {
                    choice = Some(Answer::Close);
                }
            }
            Dialog::SaveFailed { message } => {
                ui.heading("Cannot save");
                ui.label(message);
                ui.label("Your work is still open and unchanged.");
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Save as…").clicked() {
                        choice = Some(Answer::SaveAs);
                    }
                    if ui.button("OK").clicked() {
                        choice = Some(Answer::Close);
                    }
                });
            }
            Dialog::UnsavedChanges(_) => {
                ui.heading("Save changes?");
                ui.label(format!(
                    "{} has unsaved changes. They are lost if you don't save them.",
                    path.map(|p| p.display().to_string())
                        .unwrap_or_else(|| "This project".into())
                ));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() {
                        choice = Some(Answer::SaveThen);
                    }
                    if ui.button("Don't save").clicked() {
                        choice = Some(Answer::DontSave);
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                        choice = Some(Answer::Close);
                    }
                });
            }
            Dialog::Locked { path, holder } => {
                ui.heading("The project is open elsewhere");
                ui.label(format!(
                    "{} is open in another Spantag, by {holder}. Editing it in two places \
                         at once loses one side's work.",
                    path.display()
                ));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Open read-only").clicked() {
                        choice = Some(Answer::Open(path.clone(), OpenMode::ReadOnly));
                    }
                    if ui.button("Open anyway").clicked() {
                        choice = Some(Answer::Open(path.clone(), OpenMode::Anyway));
                    }
                    if ui.button("Cancel").clicked() {
                        choice = Some(Answer::Close);
                    }
                });
            }
            Dialog::Recovery {
                recovery,
                changes,
                comparing,
            } => {
                ui.heading("Unsaved work was found");
                ui.label(format!(
                    "{} holds work that was not saved (Spantag may have been closed \
                         unexpectedly).",
                    recovery.display()
                ));
                if *comparing {
                    ui.add_space(4.0);
                    match changes {
                        Ok(c) if c.is_empty() => {
                            ui.label("Compared with the saved project: no differences.");
                        }
                        Ok(c) => {
                            ui.label(format!("Compared with the saved project: {c}."));
                        }
                        Err(e) => {
                            ui.colored_label(ui.visuals().error_fg_color, e);
                        }
                    }
                }
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Restore").clicked() {
                        choice = Some(Answer::Restore(recovery.clone()));
                    }
                    if ui.button("Compare").clicked() {
                        choice = Some(Answer::CompareRecovery);
                    }
                    if ui.button("Discard").clicked() {
                        choice = Some(Answer::Discard(recovery.clone()));
                    }
                });
            }
            Dialog::AskListLabel { paths } => {
                ui.heading("Label of the mentions");
                ui.label("The .txt gazetteers list mentions without a label: tag them all…");
                ui.horizontal_wrapped(|ui| {
                    for label in project.labels.iter() {
                        if ui.button(format!("as {}", label.name)).clicked() {
                            choice = Some(Answer::PreAnnotateWith {
                                paths: paths.clone(),
                                label: Some(label.name.clone()),
                            });
                        }
                    }
                });
                ui.add_space(8.0);
                if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                    choice = Some(Answer::Close);
                }
            }
            Dialog::ConfirmBulk {
                review,
                what,
                count,
            } => {
                let verb = if review.accept { "Accept" } else { "Reject" };
                ui.heading(format!("{verb} {count} suggestions?"));
                ui.label(format!("{verb} {what}: one undo step."));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    let yes = ui.button(format!("{verb} {count}")).clicked()
                        || ui.input(|i| i.key_pressed(Key::Enter));
                    if yes {
                        choice = Some(Answer::ApplyBulk(review.clone()));
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                        choice = Some(Answer::Close);
                    }
                });
            }
            Dialog::Drift { report } => {
                ui.heading("The text changed after it was annotated");
                let mut found = 0;
                let mut lost = 0;
                egui::ScrollArea::vertical()
                    .max_height(300.0)
                    .show(ui, |ui| {
                        for doc in report {
                            ui.label(format!(
                                "Document \"{}\": its text no longer matches the SHA-256 \
                                 recorded for it. {} spans no longer match their text:",
                                doc.doc_id,
                                doc.spans.len()
                            ));
                            let Some(annotated) = project.documents.get(doc.doc) else {
                                continue;
                            };
                            for m in retext::reanchor_drift(&annotated.document, doc) {
                                let fate = match (&m.fate, &m.new) {
                                    (retext::Fate::Moved, Some(n)) => {
                                        found += 1;
                                        format!("found at [{}, {})", n.start, n.end)
                                    }
                                    (retext::Fate::Review(why), Some(n)) => {
                                        lost += 1;
                                        format!(
                                            "kept at [{}, {}) for review: {why}",
                                            n.start, n.end
                                        )
                                    }
                                    (_, _) => {
                                        lost += 1;
                                        "cannot be placed: the text is empty".to_owned()
                                    }
                                };
                                ui.label(format!(
                                    "  span {} {} \"{}\" at [{}, {}): {fate}",
                                    m.old.id, m.old.label, m.old_text, m.old.start, m.old.end
                                ));
                            }
                        }
                    });
                ui.add_space(4.0);
                ui.label(
                    "The spans that still match are shown. The file is not changed until \
                         you save, and saving keeps the original as a .bak file.",
                );
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    let text = if lost > 0 {
                        format!("Re-anchor {} spans ({lost} to review)", found + lost)
                    } else {
                        format!("Re-anchor {found} spans")
                    };
                    if ui.button(text).clicked() {
                        choice = Some(Answer::Reanchor(report.clone()));
                    }
                    if ui.button("Open read-only").clicked() {
                        choice = Some(Answer::StayReadOnly);
                    }
                });
            }
        }
    });
    if let Some(answer) = choice {
        tx.send(Command::Answer(answer));
    }
}
