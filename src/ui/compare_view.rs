//! Comparing annotators and adjudicating into gold, in the window.
//!
//! While comparing, the project being edited *is* the gold project (new, unsaved, never one of
//! the compared files), so tagging, relabelling, undo and Save as all work on it as usual; the
//! annotators' spans are drawn in lanes under the text and their disagreements listed here.

use std::collections::HashMap;
use std::path::PathBuf;

use eframe::egui::{self, RichText};

use super::app::{Dialog, SpantagApp};
use super::text_view::CompareOverlay;
use crate::core::SpanIndex;
use crate::core::agreement::{self, AgreementOptions, AgreementReport, AnnotatorFile};
use crate::core::compare::{self, Comparison, UnitKind};
use crate::core::project_file;

pub struct CompareSession {
    pub comparison: Comparison,
    /// Units decided as "neither" (they leave no span in gold), by (document, unit), with the
    /// history state the decision made: undoing past it undoes the decision.
    pub neither: HashMap<(usize, usize), u64>,
    pub show_agreements: bool,
    pub selected_unit: Option<usize>,
    /// The agreement figures of the compared files (`spantag agree`'s), or why there are none.
    pub agreement: Result<AgreementReport, String>,
    /// The compared files: never written from here.
    pub sources: Vec<PathBuf>,
}

/// The annotator's name of a file: the one annotator all its spans carry, else the file name.
fn name_of(path: &std::path::Path, project: &crate::core::Project) -> String {
    agreement::single_annotator(project).unwrap_or_else(|| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string())
    })
}

impl SpantagApp {
    /// Compare the projects at `paths` and start adjudicating into a new gold project. On any
    /// problem a dialog says which file and why, and nothing changes.
    pub fn start_compare(&mut self, paths: &[PathBuf]) {
        let mut files = Vec::new();
        for path in paths {
            match project_file::load(path) {
                Ok(project) => files.push((name_of(path, &project), project)),
                Err(error) => {
                    self.show_dialog(Dialog::Error {
                        title: "Cannot compare".into(),
                        message: error.to_string(),
                    });
                    return;
                }
            }
        }
        // Two files of one annotator still need telling apart.
        for i in 0..files.len() {
            if files[..i].iter().any(|(n, _)| *n == files[i].0) {
                files[i].0 = format!("{} ({})", files[i].0, paths[i].display());
            }
        }
        let comparison = match compare::compare(&files) {
            Ok(c) => c,
            Err(error) => {
                self.show_dialog(Dialog::Error {
                    title: "Cannot compare".into(),
                    message: error.to_string(),
                });
                return;
            }
        };
        let annotator_files: Vec<AnnotatorFile<'_>> = files
            .iter()
            .zip(paths)
            .map(|((name, project), path)| AnnotatorFile {
                name: name.clone(),
                file: path.display().to_string(),
                project,
            })
            .collect();
        let agreement = agreement::compare(&annotator_files, AgreementOptions::default())
            .map_err(|e| e.to_string());
        let gold = comparison.gold_project();
        self.replace_project(gold, None);
        self.status = Some(format!(
            "Comparing {}: {} disagreements. Adjudicate into the gold project, then Save as…",
            comparison.names.join(", "),
            comparison.disagreements()
        ));
        self.compare = Some(CompareSession {
            comparison,
            neither: HashMap::new(),
            show_agreements: false,
            selected_unit: None,
            agreement,
            sources: paths.to_vec(),
        });
        self.refresh_overlay();
    }

    /// Point the text view's lanes at the shown document.
    pub(super) fn refresh_overlay(&mut self) {
        self.text_view.overlay = self.compare.as_ref().and_then(|c| {
            let d = c.comparison.documents.get(self.doc)?;
            Some(CompareOverlay {
                lanes: d.spans.iter().cloned().map(SpanIndex::new).collect(),
                units: d.units.clone(),
                selected_unit: c.selected_unit,
            })
        });
    }

    /// Make gold over unit `unit` of the shown document the spans of `annotators` (none:
    /// no span there). One undo step.
    pub fn decide(&mut self, unit: usize, annotators: &[usize]) {
        let doc = self.doc;
        let Some(session) = &self.compare else {
            return;
        };
        let Some(u) = session
            .comparison
            .documents
            .get(doc)
            .and_then(|d| d.units.get(unit))
            .cloned()
        else {
            return;
        };
        let names: Vec<&str> = annotators
            .iter()
            .filter_map(|&a| session.comparison.names.get(a).map(String::as_str))
            .collect();
        let what = if names.is_empty() {
            "take neither".to_owned()
        } else {
            format!("take {}", names.join(" and "))
        };
        let t = compare::take(&mut self.editor.project, doc, &u, annotators, &what);
        // The spans keep their annotators: gold records who made each.
        if self.execute_as_is(t)
            && let Some(session) = &mut self.compare
        {
            if annotators.is_empty() {
                session
                    .neither
                    .insert((doc, unit), self.editor.history.state());
            } else {
                session.neither.remove(&(doc, unit));
            }
        }
    }

    pub fn take_all_agreements(&mut self) {
        let Some(session) = &self.compare else {
            return;
        };
        let t = compare::take_agreements(&mut self.editor.project, &session.comparison);
        let n = t.edits.len();
        if self.execute_as_is(t) {
            self.status = Some(format!("Took {n} agreed spans into gold"));
        }
    }

    /// (decided, disagreements) over all documents.
    pub fn adjudication_progress(&self) -> (usize, usize) {
        let Some(session) = &self.compare else {
            return (0, 0);
        };
        let mut decided = 0;
        let mut total = 0;
        for (doc, d) in session.comparison.documents.iter().enumerate() {
            for (i, u) in d.units.iter().enumerate() {
                if u.kind == UnitKind::Agreement {
                    continue;
                }
                total += 1;
                let has_gold = self
                    .editor
                    .project
                    .documents
                    .get(doc)
                    .is_some_and(|g| g.spans.overlapping(u.start, u.end).next().is_some());
                let neither = session
                    .neither
                    .get(&(doc, i))
                    .is_some_and(|&state| self.editor.history.reaches(state));
                if has_gold || neither {
                    decided += 1;
                }
            }
        }
        (decided, total)
    }
}

/// The compare section of the panel.
pub fn panel(app: &mut SpantagApp, ui: &mut egui::Ui) {
    let Some(session) = &app.compare else {
        return;
    };
    let names = session.comparison.names.clone();
    ui.heading(format!("Compare ({} annotators)", names.len()));
    for (i, name) in names.iter().enumerate() {
        ui.label(format!("lane {}: {name}", i + 1));
    }
    if let Some(session) = &app.compare {
        agreement_figures(ui, &session.agreement);
    }
    let (decided, total) = app.adjudication_progress();
    ui.label(format!("{decided} of {total} disagreements decided"));
    let mut take_agreements = false;
    let mut close = false;
    ui.horizontal(|ui| {
        take_agreements = ui.button("Take all agreements").clicked();
        close = ui.button("Close compare").clicked();
    });
    let doc = app.doc;
    let Some(session) = &mut app.compare else {
        return;
    };
    ui.checkbox(&mut session.show_agreements, "List agreements too");
    let Some(d) = session.comparison.documents.get(doc) else {
        return;
    };
    let mut select = None;
    let mut decision: Option<(usize, Vec<usize>)> = None;
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
                    select = Some((i, u.start));
                }
                for (a, version) in u.versions.iter().enumerate() {
                    let spans: Vec<String> = version
                        .iter()
                        .map(|s| format!("{} {}", s.label, d.document.slice(s.start, s.end)))
                        .collect();
                    let shown = if spans.is_empty() {
                        "—".to_owned()
                    } else {
                        spans.join(", ")
                    };
                    ui.label(format!("  {}: {shown}", names[a]));
                }
                if u.kind != UnitKind::Agreement {
                    ui.horizontal(|ui| {
                        for (a, name) in names.iter().enumerate() {
                            if ui.small_button(format!("Take {name}")).clicked() {
                                decision = Some((i, vec![a]));
                            }
                        }
                        if ui.small_button("All").clicked() {
                            decision = Some((i, (0..names.len()).collect()));
                        }
                        if ui.small_button("Neither").clicked() {
                            decision = Some((i, Vec::new()));
                        }
                    });
                }
                ui.add_space(4.0);
            }
        });
    if let Some((unit, start)) = select {
        session.selected_unit = Some(unit);
        app.text_view.scroll_to(start);
        app.refresh_overlay();
    }
    if let Some((unit, annotators)) = decision {
        app.decide(unit, &annotators);
    }
    if take_agreements {
        app.take_all_agreements();
    }
    if close {
        app.compare = None;
        app.refresh_overlay();
        app.status = Some("Compare closed; the gold project stays open (unsaved)".into());
    }
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
                egui::Grid::new("spantag_agreement")
                    .num_columns(4)
                    .show(ui, |ui| {
                        ui.label("pair");
                        ui.label("exact F1");
                        ui.label("overlap F1");
                        ui.label("Cohen's κ");
                        ui.end_row();
                        for p in &r.pairs {
                            ui.label(format!("{} / {}", p.a, p.b));
                            ui.label(format!("{:.3}", p.exact.f1));
                            ui.label(format!("{:.3}", p.overlap.f1));
                            ui.label(format!("{:.3}", p.cohen_kappa));
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
