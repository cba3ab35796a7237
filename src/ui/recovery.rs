//! Unsaved work and changed texts: the recovery files autosave leaves (offered when a project
//! opens, restored, compared or discarded) and the spans of documents whose text changed under
//! them (re-anchored on request). Part of the dispatcher, beside `files.rs`; never draws.

use std::path::Path;

use super::app::SpantagApp;
use super::state::{Dialog, OpenMode};
use crate::core::lock::{LockState, ProjectLock};
use crate::core::project_file::{self, DocumentDrift};
use crate::core::recovery;
use crate::core::retext;
use crate::core::{DocId, Edit, Project, Transaction};

impl SpantagApp {
    /// After opening `path`: offer its recovery file when there is unsaved work in it, else
    /// let the autosave replace it.
    pub(super) fn offer_recovery(&mut self, path: &Path, mode: OpenMode, lost_the_race: bool) {
        // A recovery file is only ours to offer when no other Spantag has the project open
        // (its autosave is live work; "Open anyway" took the project from it, so it is offered).
        // It is offered whenever its content differs from the file, whatever the modification
        // times say, and after the changed-text dialog when there is one: a recovery is a whole
        // project, its own text included, and an unseen one must not be autosaved over.
        if mode != OpenMode::ReadOnly
            && !lost_the_race
            && let Some(recovery) = recovery::pending_recovery(path)
        {
            let changes = project_file::load(&recovery)
                .map(|r| recovery::compare(&self.editor.project, &r))
                .map_err(|e| e.to_string());
            self.show_dialog(Dialog::Recovery {
                recovery,
                changes,
                comparing: false,
            });
        } else if mode != OpenMode::ReadOnly && !lost_the_race {
            // Nothing unsaved in it (or no file): the next autosave may replace it.
            self.session.owns_recovery = true;
        }
    }

    /// Answer "Discard" to a recovery dialog: the file goes; the autosave may write a new one.
    pub(super) fn discard_recovery_file(&mut self, recovery: &Path) {
        let _ = std::fs::remove_file(recovery);
        if self
            .path
            .as_deref()
            .is_some_and(|p| recovery::recovery_path(p) == recovery)
        {
            self.session.owns_recovery = true;
        }
        self.status = Some(format!("Discarded {}", recovery.display()));
    }

    /// Answer "Compare" to a recovery dialog: show it again, now with the comparison.
    pub(super) fn compare_recovery(&mut self, dialog: Dialog) {
        if let Dialog::Recovery {
            recovery, changes, ..
        } = dialog
        {
            self.modals.queued.push_front(Dialog::Recovery {
                recovery,
                changes,
                comparing: true,
            });
            self.close_dialog();
        }
    }

    pub(super) fn discard_recovery(&mut self) {
        if self.path.is_none()
            && let Some(untitled) = &self.untitled_recovery
        {
            let _ = std::fs::remove_file(untitled);
            self.session.autosaver.remove(untitled.clone());
        }
        if let Some(path) = &self.path
            && self.session.owns_recovery
        {
            // Now, not on the worker: the window may be about to close. The worker removes it
            // again after any write still queued.
            recovery::remove_recovery(path);
            self.session.autosaver.remove(recovery::recovery_path(path));
        }
        // This state was deliberately thrown away: do not autosave it again.
        self.session.autosaved_state = Some(self.editor.history.state());
    }

    /// Replace the project by the recovery file's contents (unsaved, so Save writes them).
    pub(super) fn restore_recovery(&mut self, recovery: &Path) {
        match project_file::load(recovery) {
            Ok(project) => {
                let path = self.path.clone();
                let lock = self.session.lock.take();
                let (read_only, by_choice) = (self.read_only, self.session.read_only_by_choice);
                self.replace_project(project, path);
                self.session.lock = lock;
                self.read_only = read_only;
                self.session.read_only_by_choice = by_choice;
                self.editor.history.mark_unsaved();
                self.session.owns_recovery = true;
                self.status = Some(format!(
                    "Restored unsaved work from {}; save to keep it",
                    recovery.display()
                ));
            }
            Err(error) => self.show_dialog(Dialog::Error {
                title: "Cannot restore".into(),
                message: format!("{error}\n\nThe recovery file is left where it is."),
            }),
        }
    }

    /// Offer the unsaved work of earlier sessions whose project had no file yet.
    pub fn offer_untitled_recoveries(&mut self) {
        let Some(dir) = self.untitled_recovery.as_ref().and_then(|p| p.parent()) else {
            return;
        };
        for recovery in recovery::orphaned_untitled(dir) {
            let changes = project_file::load(&recovery)
                .map(|r| recovery::compare(&Project::default(), &r))
                .map_err(|e| e.to_string());
            self.show_dialog(Dialog::Recovery {
                recovery,
                changes,
                comparing: true,
            });
        }
    }

    /// Open an untitled recovery as the (unsaved) project; it goes on as this session's own.
    pub(super) fn restore_untitled(&mut self, recovery: &Path) {
        match project_file::load(recovery) {
            Ok(project) => {
                self.replace_project(project, None);
                self.editor.history.mark_unsaved();
                if let Some(own) = &self.untitled_recovery {
                    let _ = std::fs::rename(recovery, own);
                }
                self.status =
                    Some("Restored unsaved work of an earlier session: Save as… to keep it".into());
            }
            Err(error) => self.show_dialog(Dialog::Error {
                title: "Cannot restore".into(),
                message: format!("{error}\n\nThe recovery file is left where it is."),
            }),
        }
    }

    /// Put back the spans of changed documents (core::retext::reanchor_drift), as one undoable
    /// step: those found where the text moved as they were, the others as suggestions to review.
    /// Returns (placed, of which to review).
    pub fn reanchor(&mut self, report: &[DocumentDrift]) -> (usize, usize) {
        let mut edits = Vec::new();
        let mut relations = Vec::new();
        let mut review = 0;
        for doc in report {
            let Some(annotated) = self.editor.project.documents.get(doc.doc) else {
                continue;
            };
            let mut placed = std::collections::HashSet::new();
            for mapped in retext::reanchor_drift(&annotated.document, doc) {
                review += usize::from(mapped.needs_review());
                if let Some(span) = mapped.new {
                    placed.insert(span.id);
                    edits.push(Edit::AddSpan {
                        doc: DocId::new(&doc.doc_id),
                        span,
                    });
                }
            }
            // The relations that waited with the spans come back when both their ends do.
            let there = |id| placed.contains(&id) || annotated.spans.get(id).is_some();
            relations.extend(
                doc.relations
                    .iter()
                    .filter(|r| there(r.from) && there(r.to))
                    .map(|r| Edit::AddRelation {
                        doc: DocId::new(&doc.doc_id),
                        relation: r.clone(),
                    }),
            );
        }
        let found = edits.len();
        edits.extend(relations);
        let lost = review;
        self.read_only = false;
        let applied =
            self.execute_as_is(Transaction::new(format!("re-anchor {found} spans"), edits));
        if applied {
            self.editor.history.mark_unsaved();
        }
        // Saving over the file is allowed again only if that worked and the user did not
        // choose read-only; the lock taken at open stays (a second one would drop it).
        self.read_only = self.session.read_only_by_choice || !applied;
        if !self.read_only
            && self.session.lock.is_none()
            && let Some(path) = self.path.clone()
            && !matches!(crate::core::lock::inspect(&path), LockState::Held(_))
        {
            self.session.lock = ProjectLock::acquire(&path).ok();
        }
        if applied {
            (found, lost)
        } else {
            (0, lost + found)
        }
    }
}
