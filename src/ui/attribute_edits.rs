//! Attribute commands: set or clear a span's value, add, change or remove a definition. Each is
//! one transaction through [`crate::core::Editor::execute`] (undoable, autosaved); why one was
//! refused goes to the attribute form or the status bar.

use super::app::SpantagApp;
use crate::core::{AttributeDef, SpanId};

impl SpantagApp {
    /// Commit the free-text value being typed, if any (before saving, quitting, opening).
    pub fn commit_attribute_draft(&mut self) {
        if let Some(draft) = self.panel.attributes.text_draft.take() {
            let value = draft.text.trim();
            let value = (!value.is_empty()).then(|| value.to_owned());
            self.set_attribute(draft.span, &draft.name, value);
        }
    }

    pub(super) fn set_attribute(&mut self, id: SpanId, name: &str, value: Option<String>) {
        if self
            .panel
            .attributes
            .text_draft
            .as_ref()
            .is_some_and(|d| d.span == id && d.name == name)
        {
            self.panel.attributes.text_draft = None;
        }
        let Some(span) = self.current_doc().and_then(|d| d.spans.get(id)) else {
            return;
        };
        if span.attributes.get(name) == value.as_ref() {
            return;
        }
        let t = self
            .editor
            .project
            .set_attribute(self.doc, id, name, value.as_deref());
        self.execute(t);
    }

    /// Add or change a definition from the attribute form; the form stays open with the reason
    /// when it is refused.
    pub(super) fn save_attribute(&mut self, index: Option<usize>, attribute: AttributeDef) {
        let project = &self.editor.project;
        let t = match index {
            Some(i) => project.edit_attribute(i, attribute),
            None => project.add_attribute(attribute),
        };
        // A rename renames the attribute on others' spans: not this user's annotation.
        if self.execute_as_is(t) {
            self.panel.attributes.form = None;
            self.panel.attributes.error = None;
        } else {
            self.panel.attributes.error = self.status.take();
        }
    }

    pub(super) fn delete_attribute(&mut self, index: usize) {
        let t = self.editor.project.remove_attribute_and_values(index);
        let description = t.description.clone();
        if self.execute_as_is(t) {
            self.panel.attributes.form = None;
            self.panel.attributes.error = None;
            let done = description.replacen("remove", "Removed", 1);
            self.status = Some(format!("{done} (Ctrl+Z brings it back)"));
        } else {
            self.panel.attributes.error = self.status.take();
        }
    }
}
