//! The compare section of the panel: the annotators, their agreement, and the units to
//! adjudicate with Take / All / Neither.

use eframe::egui::{self, RichText};

use crate::core::agreement::AgreementReport;
use crate::core::compare::UnitKind;
use crate::ui::command::{Command, CommandSender};
use crate::ui::shown::Shown;

pub fn panel(ui: &mut egui::Ui, shown: &Shown<'_>, tx: &CommandSender) {
    let Some(session) = shown.compare else {
        return;
    };
    let names = &session.comparison.names;
    ui.heading(format!("Compare ({} annotators)", names.len()));
    for (i, name) in names.iter().enumerate() {
        ui.label(format!("lane {}: {name}", i + 1));
    }
    agreement_figures(ui, &session.agreement);
    let (decided, total) = shown.derived.adjudication;
    ui.label(format!("{decided} of {total} disagreements decided"));
    ui.horizontal(|ui| {
        if ui.button("Take all agreements").clicked() {
            tx.send(Command::TakeAllAgreements);
        }
        if ui.button("Close compare").clicked() {
            tx.send(Command::CloseCompare);
        }
    });
    let mut show_agreements = session.show_agreements;
    if ui
        .checkbox(&mut show_agreements, "List agreements too")
        .changed()
    {
        tx.send(Command::SetShowAgreements(show_agreements));
    }
    let Some(d) = session.comparison.documents.get(shown.doc) else {
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("spantag_compare_units")
        .max_height(300.0)
        .show(ui, |ui| {
            for (i, u) in d.units.iter().enumerate() {
                if u.kind == UnitKind::Agreement && !session.show_agreements {
                    continue;
                }
                let text = d.document.slice(u.start, u.end);
                let header = format!("{text}  [{}, {})  {}", u.start, u.end, u.kind.describe());
                let selected = session.selected_unit == Some(i);
                if ui
                    .selectable_label(selected, RichText::new(header).strong())
                    .clicked()
                {
                    tx.send(Command::SelectUnit {
                        unit: i,
                        start: u.start,
                    });
                }
                for (a, version) in u.versions.iter().enumerate() {
                    let spans: Vec<String> = version
                        .iter()
                        .map(|s| format!("{} {}", s.label, d.document.slice(s.start, s.end)))
                        .collect();
                    let listed = if spans.is_empty() {
                        "—".to_owned()
                    } else {
                        spans.join(", ")
                    };
                    ui.label(format!("  {}: {listed}", names[a]));
                }
                if u.kind != UnitKind::Agreement {
                    ui.horizontal(|ui| {
                        let decide = |annotators| Command::Decide {
                            unit: i,
                            annotators,
                        };
                        for (a, name) in names.iter().enumerate() {
                            if ui.small_button(format!("Take {name}")).clicked() {
                                tx.send(decide(vec![a]));
                            }
                        }
                        if ui.small_button("All").clicked() {
                            tx.send(decide((0..names.len()).collect()));
                        }
                        if ui.small_button("Neither").clicked() {
                            tx.send(decide(Vec::new()));
                        }
                    });
                }
                ui.add_space(4.0);
            }
        });
    ui.separator();
}

/// The agreement figures, as `spantag agree` prints them (exact and overlap F1, Cohen's kappa
/// per pair; Krippendorff's alpha and Fleiss' kappa over all).
fn agreement_figures(ui: &mut egui::Ui, report: &Result<AgreementReport, String>) {
    egui::CollapsingHeader::new("Agreement")
        .default_open(true)
        .show(ui, |ui| match report {
            Err(why) => {
                ui.label(why);
            }
            Ok(r) => {
                // Relation F1 (same type, same two spans) only where there are relations.
                let relations = r.pairs.iter().any(|p| p.a_relations + p.b_relations > 0);
                egui::Grid::new("spantag_agreement")
                    .num_columns(4 + usize::from(relations))
                    .show(ui, |ui| {
                        ui.label("pair");
                        ui.label("exact F1");
                        ui.label("overlap F1");
                        ui.label("Cohen's κ");
                        if relations {
                            ui.label("relation F1");
                        }
                        ui.end_row();
                        for p in &r.pairs {
                            ui.label(format!("{} / {}", p.a, p.b));
                            ui.label(format!("{:.3}", p.exact.f1));
                            ui.label(format!("{:.3}", p.overlap.f1));
                            ui.label(format!("{:.3}", p.cohen_kappa));
                            if relations {
                                ui.label(format!(
                                    "{:.3} ({} / {})",
                                    p.relations.f1, p.a_relations, p.b_relations
                                ));
                            }
                            ui.end_row();
                        }
                    });
                let fleiss = r
                    .fleiss_kappa
                    .map_or("— (three files or more)".to_owned(), |k| {
                        format!("{k:.3}")
                    });
                ui.label(format!(
                    "Krippendorff's α {:.3} · Fleiss' κ {fleiss} · {} documents, {} characters",
                    r.krippendorff_alpha, r.documents_compared, r.characters
                ));
            }
        });
}
