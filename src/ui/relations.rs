//! Applying the relation commands: drawing a relation (`R`, its second span, its type),
//! retyping and deleting one, adding and deleting relation types. Every change goes through
//! [`SpantagApp::execute`], so it is one undo step and carries the user's name.

use super::app::SpantagApp;
use super::command_table;
use super::state::RelationDraft;
use crate::core::label::PALETTE;
use crate::core::{Relation, RelationId, RelationType, SpanId, SpanStatus, Transaction};

impl SpantagApp {
    /// The text of span `id` of the shown document, for the status bar.
    fn quoted(&self, id: SpanId) -> String {
        self.current_doc()
            .and_then(|d| {
                let s = d.spans.get(id)?;
                Some(format!(
                    "「{}」",
                    super::text_view::excerpt(d.document.slice(s.start, s.end))
                ))
            })
            .unwrap_or_default()
    }

    /// `R`: start drawing a relation from the selected span.
    pub(super) fn start_relation(&mut self) {
        if self.read_only {
            self.status = Some("Cannot draw a relation: the project is open read-only".into());
            return;
        }
        let Some(from) = self.selected_span else {
            self.status =
                Some("Select a span first, then press R to draw a relation from it".into());
            return;
        };
        self.relation_draft = Some(RelationDraft::ChoosingEnd {
            from,
            candidate: None,
        });
        self.selected_relation = None;
        self.status = Some(format!(
            "Relation from {}: choose the second span (click or Tab/Shift+Tab, Enter picks, Esc \
             cancels)",
            self.quoted(from)
        ));
    }

    /// The second span is chosen: the type is next.
    pub(super) fn relation_end(&mut self, to: SpanId) {
        let Some(RelationDraft::ChoosingEnd { from, .. }) = self.relation_draft else {
            return;
        };
        if to == from {
            self.status =
                Some("A relation joins two spans: choose another span (Esc cancels)".into());
            return;
        }
        let no_types = self.editor.project.relation_types().is_empty();
        self.relation_draft = Some(RelationDraft::ChoosingType {
            from,
            to,
            new_type: String::new(),
            focus_name: no_types,
        });
        self.status = Some(if no_types {
            format!(
                "{} → {}: name the relation's type (the project has none yet; Esc cancels)",
                self.quoted(from),
                self.quoted(to)
            )
        } else {
            format!(
                "{} → {}: choose the type (its hotkey, a click, or Enter for the first; Esc \
                 cancels)",
                self.quoted(from),
                self.quoted(to)
            )
        });
    }

    /// `Tab` / `Shift+Tab` while choosing the second span: step to the next / previous span in
    /// reading order (the first span left out).
    pub(super) fn step_relation_end(&mut self, forward: bool) {
        let Some(RelationDraft::ChoosingEnd { from, candidate }) = self.relation_draft else {
            return;
        };
        let spans: Vec<(SpanId, usize)> = self
            .review_spans()
            .into_iter()
            .map(|s| (s.id, s.start))
            .collect();
        let Some(at) = spans
            .iter()
            .position(|(id, _)| Some(*id) == candidate.or(Some(from)))
        else {
            return;
        };
        let n = spans.len();
        let mut next = at;
        loop {
            next = if forward {
                (next + 1) % n
            } else {
                (next + n - 1) % n
            };
            if spans[next].0 != from || next == at {
                break;
            }
        }
        let (id, start) = spans[next];
        if id == from {
            self.status = Some("No other span to relate to in this document".into());
            return;
        }
        self.relation_draft = Some(RelationDraft::ChoosingEnd {
            from,
            candidate: Some(id),
        });
        self.text_view.scroll_to(start);
        self.status = Some(format!(
            "Relation from {} to {}? Enter picks it, Tab / Shift+Tab steps on, Esc cancels",
            self.quoted(from),
            self.quoted(id)
        ));
    }

    /// `Enter` while drawing: the span `Tab` stepped to, or the first type offered (a new
    /// type's name when one is typed and none is offered).
    pub(super) fn pick_relation(&mut self) {
        match &self.relation_draft {
            Some(RelationDraft::ChoosingEnd {
                candidate: Some(to),
                ..
            }) => self.relation_end(*to),
            Some(RelationDraft::ChoosingEnd { .. }) => {
                self.status = Some("Tab to the second span first (or click it)".into());
            }
            Some(RelationDraft::ChoosingType {
                from, to, new_type, ..
            }) => {
                let offered = self.offered_types(*from, *to);
                let name = offered
                    .first()
                    .cloned()
                    .or_else(|| Some(new_type.trim().to_owned()).filter(|n| !n.is_empty()));
                match name {
                    Some(name) => self.use_relation_type(&name),
                    None => {
                        self.status =
                            Some("No relation type fits these two spans: name a new one".into());
                    }
                }
            }
            None => {}
        }
    }

    /// The relation types allowed from span `from` to span `to`, in the project's order.
    fn offered_types(&self, from: SpanId, to: SpanId) -> Vec<String> {
        let Some(doc) = self.current_doc() else {
            return Vec::new();
        };
        let (Some(a), Some(b)) = (doc.spans.get(from), doc.spans.get(to)) else {
            return Vec::new();
        };
        self.editor
            .project
            .relation_types()
            .iter()
            .filter(|t| t.allows(true, &a.label) && t.allows(false, &b.label))
            .map(|t| t.name.clone())
            .collect()
    }

    /// Make the relation being drawn with type `name` (adding the type in the same undo step
    /// when the project has none of that name), or retype the selected relation.
    pub(super) fn use_relation_type(&mut self, name: &str) {
        match self.relation_draft.clone() {
            Some(RelationDraft::ChoosingType { from, to, .. }) => self.relate(from, to, name),
            Some(RelationDraft::ChoosingEnd { .. }) => {
                self.status =
                    Some("Choose the second span first (click it, or Tab and Enter)".into());
            }
            None => match self.selected_relation {
                Some(id) => self.retype_relation(id, name),
                None => {
                    self.status =
                        Some("Select a relation, or draw one (R with a span selected)".into());
                }
            },
        }
    }

    fn relate(&mut self, from: SpanId, to: SpanId, name: &str) {
        let project = &self.editor.project;
        let mut t = project.relate(self.doc, from, to, name);
        if t.is_empty() {
            self.relation_draft = None;
            self.status = Some(format!(
                "{} → {} is already related as {name}",
                self.quoted(from),
                self.quoted(to)
            ));
            return;
        }
        if project.relation_type(name).is_none() {
            let mut new_type = RelationType::new(name, next_color(project.relation_types()));
            new_type.hotkey = None;
            let add = project.add_relation_type(new_type);
            t = Transaction::new(
                format!("relate {name} (new relation type)"),
                add.edits.into_iter().chain(t.edits).collect(),
            );
        }
        if !self.execute(t) {
            // The draft stays: another type may fit.
            return;
        }
        self.relation_draft = None;
        self.selected_relation = self.current_doc().and_then(|d| {
            d.relations
                .iter()
                .find(|r| r.from == from && r.to == to && r.kind == name)
                .map(|r| r.id)
        });
        self.status = Some(format!(
            "Related {} —{name}→ {} (Ctrl+Z undoes)",
            self.quoted(from),
            self.quoted(to)
        ));
    }

    /// Give relation `id` of the shown document the type `kind`.
    pub(super) fn retype_relation(&mut self, id: RelationId, kind: &str) {
        if self.editor.project.relation_type(kind).is_none() {
            self.status = Some(format!("There is no relation type {kind}"));
            return;
        }
        self.change_relation(
            id,
            &format!("retype relation as {kind}"),
            &format!("Retyped the relation as {kind}"),
            |relation| {
                let changed = relation.kind != kind;
                relation.kind = kind.to_owned();
                changed
            },
        );
    }

    /// Mark relation `id` of the shown document accepted or rejected (review, like a span).
    pub(super) fn set_relation_status(&mut self, id: RelationId, status: SpanStatus) {
        self.change_relation(
            id,
            &format!("mark relation {}", status.as_str()),
            &format!("Marked the relation {}", status.as_str()),
            |relation| {
                let changed = relation.status != status;
                relation.status = status;
                changed
            },
        );
    }

    /// Set the note of relation `id` of the shown document (`None` removes it).
    pub(super) fn set_relation_note(&mut self, id: RelationId, note: Option<String>) {
        if self
            .panel
            .relation_note_draft
            .as_ref()
            .is_some_and(|(d, _)| *d == id)
        {
            self.panel.relation_note_draft = None;
        }
        let done = if note.is_some() {
            "Saved the relation's note"
        } else {
            "Removed the relation's note"
        };
        self.change_relation(id, "edit relation note", done, |relation| {
            let changed = relation.note != note;
            relation.note = note;
            changed
        });
    }

    /// Apply the relation note being typed, if it differs from the relation's note.
    pub fn commit_relation_note_draft(&mut self) {
        let Some((id, text)) = self.panel.relation_note_draft.take() else {
            return;
        };
        let note = text.trim().to_owned();
        self.set_relation_note(id, (!note.is_empty()).then_some(note));
    }

    /// Change relation `id` of the shown document as `change` says (it returns whether anything
    /// changed: nothing changed is no edit), as one undo step named `edit`; `done` goes to the
    /// status bar.
    fn change_relation(
        &mut self,
        id: RelationId,
        edit: &str,
        done: &str,
        change: impl FnOnce(&mut Relation) -> bool,
    ) {
        let Some(mut relation) = self
            .current_doc()
            .and_then(|d| d.relations.get(id))
            .cloned()
        else {
            return;
        };
        if !change(&mut relation) {
            return;
        }
        let t = self
            .editor
            .project
            .change_relation(edit, self.doc, relation);
        if self.execute(t) {
            self.status = Some(done.to_owned());
        }
    }

    /// Delete relation `id`, or the selected one.
    pub(super) fn delete_relation(&mut self, id: Option<RelationId>) {
        let Some(id) = id.or(self.selected_relation) else {
            self.status = Some("Select a relation to delete it".into());
            return;
        };
        let kind = self
            .current_doc()
            .and_then(|d| d.relations.get(id))
            .map(|r| r.kind.clone())
            .unwrap_or_default();
        let t = self.editor.project.remove_relations(self.doc, &[id]);
        if self.execute(t) {
            if self.selected_relation == Some(id) {
                self.selected_relation = None;
            }
            self.status = Some(format!("Deleted the {kind} relation"));
        }
    }

    /// Add a relation type from the panel's form; the form stays open with the reason when it
    /// is refused.
    pub(super) fn add_relation_type(&mut self, relation_type: RelationType) {
        let project = &self.editor.project;
        let refusal = command_table::shadowed_by_relation_type(&relation_type).or_else(|| {
            project
                .relation_type(&relation_type.name)
                .map(|_| format!("There is already a relation type {}", relation_type.name))
        });
        if let Some(why) = refusal {
            self.panel.relation_type_error = Some(why);
            return;
        }
        let name = relation_type.name.clone();
        let t = project.add_relation_type(relation_type);
        if self.execute(t) {
            self.panel.relation_type_form = None;
            self.panel.relation_type_error = None;
            self.status = Some(format!("Added relation type {name}"));
        } else {
            self.panel.relation_type_error = self.status.clone();
        }
    }

    /// Change the relation type named `name`: refused when its hotkey is a command's key or
    /// its new name another type's; a rename retypes every relation of it in the same undo step.
    pub(super) fn edit_relation_type(&mut self, name: &str, after: RelationType) {
        let project = &self.editor.project;
        let Some((index, before)) = project
            .relation_types()
            .iter()
            .enumerate()
            .find(|(_, t)| t.name == name)
            .map(|(i, t)| (i, t.clone()))
        else {
            self.panel.relation_type_error = Some(format!("There is no relation type {name}"));
            return;
        };
        let refusal = command_table::shadowed_by_relation_type(&after).or_else(|| {
            (after.name != before.name && project.relation_type(&after.name).is_some())
                .then(|| format!("There is already a relation type {}", after.name))
        });
        if let Some(why) = refusal {
            self.panel.relation_type_error = Some(why);
            return;
        }
        let retyped = if after.name == before.name {
            0
        } else {
            project
                .documents
                .iter()
                .flat_map(|d| d.relations.iter())
                .filter(|r| r.kind == before.name)
                .count()
        };
        let t = project.edit_relation_type(index, after.clone());
        if t.is_empty() {
            self.panel.relation_type_form = None;
            self.panel.relation_type_error = None;
            return;
        }
        if self.execute(t) {
            self.panel.relation_type_form = None;
            self.panel.relation_type_error = None;
            self.status = Some(if after.name == before.name {
                format!("Changed relation type {}", after.name)
            } else {
                format!(
                    "Renamed relation type {} to {} ({retyped} relation{} retyped)",
                    before.name,
                    after.name,
                    if retyped == 1 { "" } else { "s" }
                )
            });
        } else {
            self.panel.relation_type_error = self.status.clone();
        }
    }

    /// Delete the relation type at `index`, refused (saying how many use it) while relations
    /// of that type exist.
    pub(super) fn delete_relation_type(&mut self, index: usize) {
        let project = &self.editor.project;
        let Some(name) = project.relation_types().get(index).map(|t| t.name.clone()) else {
            return;
        };
        let uses = project
            .documents
            .iter()
            .flat_map(|d| d.relations.iter())
            .filter(|r| r.kind == name)
            .count();
        if uses > 0 {
            self.panel.relation_type_error = Some(format!(
                "{name} is used by {uses} relations; delete or retype them first"
            ));
            return;
        }
        let t = project.remove_relation_type(index);
        if self.execute(t) {
            self.panel.relation_type_error = None;
            self.status = Some(format!("Deleted relation type {name}"));
        }
    }
}

/// A colour for a new relation type: the first of the palette no type has yet.
fn next_color(types: &[RelationType]) -> crate::core::Rgb {
    PALETTE
        .iter()
        .rev()
        .find(|c| types.iter().all(|t| t.color != **c))
        .copied()
        .unwrap_or(PALETTE[types.len() % PALETTE.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_type_gets_a_colour_no_type_has() {
        let mut types = vec![RelationType::new("a", PALETTE[PALETTE.len() - 1])];
        let c = next_color(&types);
        assert_ne!(c, PALETTE[PALETTE.len() - 1]);
        types.push(RelationType::new("b", c));
        assert_ne!(next_color(&types), c);
    }
}
