//! Resolving the merge conflicts `spantag merge` left in the project, in the window: stepping
//! from one to the next (switching documents) and resolving the selected one through
//! [`crate::core::merge_conflicts`], one undo step each. Part of the dispatcher;
//! `panels/conflicts.rs` lists them.

use super::app::SpantagApp;
use crate::core::merge_conflicts::{self, MergeConflict, Resolution};

impl SpantagApp {
    /// The conflict the selected span is a version of, if any.
    fn selected_conflict(&self) -> Option<MergeConflict> {
        let id = self.selected_span?;
        merge_conflicts::conflicts(&self.editor.project)
            .into_iter()
            .find(|c| c.doc == self.doc && c.holds(id))
    }

    /// Resolve the selected conflict as `resolution` says (one undo step), then go to the next.
    pub(super) fn resolve_conflict(&mut self, resolution: Resolution) {
        let Some(conflict) = self.selected_conflict() else {
            self.status = Some(
                "Select a merge conflict first (Alt+N, or click it under Merge conflicts)".into(),
            );
            return;
        };
        let t = conflict.resolve(&self.editor.project, resolution);
        // The versions keep their annotators: who made each span is part of what is kept.
        if self.execute_as_is(t) {
            let left = merge_conflicts::count(&self.editor.project);
            self.selected_span = None;
            self.status = Some(match left {
                0 => format!(
                    "Resolved ({}): no merge conflicts remain",
                    resolution.describe()
                ),
                n => format!(
                    "Resolved ({}): {n} merge conflicts remain",
                    resolution.describe()
                ),
            });
            if left > 0 {
                self.step_conflict();
            }
        }
    }

    /// Select the next conflict after the selected span (or the caret), across documents,
    /// wrapping around; the text scrolls to it.
    pub(super) fn step_conflict(&mut self) {
        let all = merge_conflicts::conflicts(&self.editor.project);
        if all.is_empty() {
            self.status = Some("No merge conflicts remain".into());
            return;
        }
        let current = self
            .selected_span
            .and_then(|id| all.iter().position(|c| c.doc == self.doc && c.holds(id)));
        let caret = self.selection.caret;
        let next = match current {
            Some(i) => (i + 1) % all.len(),
            None => all
                .iter()
                .position(|c| c.doc > self.doc || (c.doc == self.doc && c.start() >= caret))
                .unwrap_or(0),
        };
        let (doc, id) = (all[next].doc, all[next].first().id);
        self.select_conflict(doc, id);
        self.status = Some(format!(
            "Merge conflict {} of {}: Alt+1 take ours, Alt+2 take theirs, Alt+B both, Alt+D neither",
            next + 1,
            all.len()
        ));
    }

    /// Show document `doc` and select its span `span` (a conflict's version), scrolled to.
    pub(super) fn select_conflict(&mut self, doc: usize, span: crate::core::SpanId) {
        self.show_document(doc);
        self.select_span(span, true);
    }
}
