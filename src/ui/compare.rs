//! Comparing annotators and adjudicating into gold, in the window.
//!
//! While comparing, the project being edited *is* the gold project (new, unsaved, never one of
//! the compared files), so tagging, relabelling, undo and Save as all work on it as usual; the
//! annotators' spans are drawn in lanes under the text, and `panels/compare.rs` lists their
//! disagreements. Part of the dispatcher.

use std::collections::HashMap;
use std::path::PathBuf;

use super::app::SpantagApp;
use super::state::{CompareSession, Dialog};
use super::text_view::CompareOverlay;
use crate::core::SpanIndex;
use crate::core::agreement::{self, AgreementOptions, AnnotatorFile};
use crate::core::compare;
use crate::core::project_file;

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

    /// Select unit `unit` of the shown document and scroll to it.
    pub(super) fn select_unit(&mut self, unit: usize, start: usize) {
        if let Some(session) = &mut self.compare {
            session.selected_unit = Some(unit);
        }
        self.text_view.scroll_to(start);
        self.refresh_overlay();
    }
}
