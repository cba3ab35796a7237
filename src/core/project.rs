//! A project: a label set and one or more documents with their spans.

use thiserror::Error;

use super::document::Document;
use super::edit::{Edit, Transaction};
use super::label::{Label, LabelSet};
use super::span::{Span, SpanId};
use super::span_index::SpanIndex;

#[derive(Clone, Debug)]
pub struct AnnotatedDocument {
    pub document: Document,
    pub spans: SpanIndex,
}

#[derive(Clone, Debug, Default)]
pub struct Project {
    pub labels: LabelSet,
    pub documents: Vec<AnnotatedDocument>,
    next_span_id: u64,
}

/// Why an edit could not be applied. The project is left as it was.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum EditError {
    #[error("there is no document number {0}")]
    NoDocument(usize),
    #[error("span [{start}, {end}) is outside the text, which has {len} characters")]
    OutOfBounds {
        start: usize,
        end: usize,
        len: usize,
    },
    #[error("a span must cover at least one character")]
    EmptySpan,
    #[error("there is no label named {0} (spans would be left with it)")]
    UnknownLabel(String),
    #[error("span {0} already exists")]
    DuplicateSpan(SpanId),
    #[error("span {0} does not exist (or was changed in the meantime)")]
    MissingSpan(SpanId),
    #[error("{0}")]
    LabelConflict(String),
    #[error("label {0} does not exist (or was changed in the meantime)")]
    MissingLabel(String),
}

impl Project {
    pub fn new(labels: LabelSet, documents: Vec<Document>) -> Self {
        let documents = documents
            .into_iter()
            .map(|document| AnnotatedDocument {
                document,
                spans: SpanIndex::default(),
            })
            .collect();
        Self {
            labels,
            documents,
            next_span_id: 1,
        }
    }

    /// Build a project from already validated parts (the loaders check them first).
    pub fn from_parts(labels: LabelSet, documents: Vec<AnnotatedDocument>) -> Self {
        let max_id = documents
            .iter()
            .flat_map(|d| d.spans.iter())
            .map(|s| s.id.0)
            .max()
            .unwrap_or(0);
        Self {
            labels,
            documents,
            next_span_id: max_id + 1,
        }
    }

    /// A fresh span id, never used in this project before.
    pub fn new_span_id(&mut self) -> SpanId {
        let id = SpanId(self.next_span_id);
        self.next_span_id += 1;
        id
    }

    pub fn span_count(&self) -> usize {
        self.documents.iter().map(|d| d.spans.len()).sum()
    }

    /// How many spans use `label`, over all documents.
    pub fn label_uses(&self, label: &str) -> usize {
        self.documents
            .iter()
            .flat_map(|d| d.spans.iter())
            .filter(|s| s.label == label)
            .count()
    }

    pub fn find_span(&self, id: SpanId) -> Option<(usize, &Span)> {
        self.documents
            .iter()
            .enumerate()
            .find_map(|(i, d)| d.spans.get(id).map(|s| (i, s)))
    }

    /// Apply every edit of `transaction`, or none: on the first failure the edits already applied
    /// are rolled back and the error is returned.
    pub fn apply(&mut self, transaction: &Transaction) -> Result<(), EditError> {
        let rollback = |project: &mut Self, applied: usize| {
            for done in transaction.edits[..applied].iter().rev() {
                // Inverting an edit that just succeeded cannot fail.
                let _ = project.apply_edit(&done.invert());
            }
        };
        for (i, edit) in transaction.edits.iter().enumerate() {
            if let Err(error) = self.apply_edit(edit) {
                rollback(self, i);
                return Err(error);
            }
        }
        // Labels are checked once the whole transaction is in: a rename changes the label and
        // its spans in separate edits, and its inverse runs them in the opposite order.
        if let Some(name) = self.dangling_label(transaction) {
            rollback(self, transaction.edits.len());
            return Err(EditError::UnknownLabel(name));
        }
        Ok(())
    }

    /// A label name the transaction touched that spans use but the label set lacks.
    fn dangling_label(&self, transaction: &Transaction) -> Option<String> {
        let mut names = Vec::new();
        for edit in &transaction.edits {
            match edit {
                Edit::AddSpan { span, .. } => names.push(&span.label),
                Edit::ChangeSpan { after, .. } => names.push(&after.label),
                Edit::ChangeLabel { before, .. } => names.push(&before.name),
                Edit::RemoveLabel { label, .. } => names.push(&label.name),
                Edit::RemoveSpan { .. } | Edit::AddLabel { .. } => {}
            }
        }
        names
            .into_iter()
            .find(|name| self.labels.get(name).is_none() && self.label_uses(name) > 0)
            .cloned()
    }

    fn apply_edit(&mut self, edit: &Edit) -> Result<(), EditError> {
        match edit {
            Edit::AddSpan { doc, span } => {
                self.check_span(*doc, span)?;
                if self.find_span(span.id).is_some() {
                    return Err(EditError::DuplicateSpan(span.id));
                }
                self.next_span_id = self.next_span_id.max(span.id.0 + 1);
                self.documents[*doc].spans.insert(span.clone());
            }
            Edit::RemoveSpan { doc, span } => {
                let spans = &mut self.doc_mut(*doc)?.spans;
                if spans.get(span.id) != Some(span) {
                    return Err(EditError::MissingSpan(span.id));
                }
                spans.remove(span.id);
            }
            Edit::ChangeSpan { doc, before, after } => {
                self.check_span(*doc, after)?;
                let spans = &mut self.doc_mut(*doc)?.spans;
                if spans.get(before.id) != Some(before) || before.id != after.id {
                    return Err(EditError::MissingSpan(before.id));
                }
                spans.remove(before.id);
                spans.insert(after.clone());
            }
            Edit::AddLabel { index, label } => {
                if let Some(why) = self.labels.conflict(None, label) {
                    return Err(EditError::LabelConflict(why));
                }
                self.labels.insert(*index, label.clone());
            }
            Edit::RemoveLabel { index, label } => {
                if self.labels.at(*index) != Some(label) {
                    return Err(EditError::MissingLabel(label.name.clone()));
                }
                self.labels.remove(*index);
            }
            Edit::ChangeLabel {
                index,
                before,
                after,
            } => {
                if self.labels.at(*index) != Some(before) {
                    return Err(EditError::MissingLabel(before.name.clone()));
                }
                if let Some(why) = self.labels.conflict(Some(*index), after) {
                    return Err(EditError::LabelConflict(why));
                }
                // Spans name their label: a rename moves them in the same transaction (see
                // `edit_label`); `dangling_label` checks the result.
                self.labels.replace(*index, after.clone());
            }
        }
        Ok(())
    }

    fn doc_mut(&mut self, doc: usize) -> Result<&mut AnnotatedDocument, EditError> {
        self.documents
            .get_mut(doc)
            .ok_or(EditError::NoDocument(doc))
    }

    fn check_span(&self, doc: usize, span: &Span) -> Result<(), EditError> {
        let d = self.documents.get(doc).ok_or(EditError::NoDocument(doc))?;
        let len = d.document.char_len();
        if span.start >= span.end {
            return Err(EditError::EmptySpan);
        }
        if span.end > len {
            return Err(EditError::OutOfBounds {
                start: span.start,
                end: span.end,
                len,
            });
        }
        Ok(())
    }

    // ---- Transactions for the things users do -------------------------------------------------

    /// Tag `[start, end)` of document `doc` with `label`. Tagging the same range with the same
    /// label twice gives no second span.
    pub fn tag(&mut self, doc: usize, start: usize, end: usize, label: &str) -> Transaction {
        let exists = self
            .documents
            .get(doc)
            .and_then(|d| d.spans.find_exact(start, end, label))
            .is_some();
        if exists {
            return Transaction::new(format!("tag {label}"), Vec::new());
        }
        let span = Span::new(self.new_span_id(), start, end, label);
        Transaction::new(format!("tag {label}"), vec![Edit::AddSpan { doc, span }])
    }

    /// Change one span (relabel, note, bounds, status) into `after`.
    pub fn change_span(&self, description: &str, doc: usize, after: Span) -> Transaction {
        let before = self.documents.get(doc).and_then(|d| d.spans.get(after.id));
        match before {
            Some(before) if *before != after => Transaction::new(
                description,
                vec![Edit::ChangeSpan {
                    doc,
                    before: before.clone(),
                    after,
                }],
            ),
            _ => Transaction::new(description, Vec::new()),
        }
    }

    pub fn remove_spans(&self, doc: usize, ids: &[SpanId]) -> Transaction {
        let edits = ids
            .iter()
            .filter_map(|id| self.documents.get(doc)?.spans.get(*id))
            .map(|span| Edit::RemoveSpan {
                doc,
                span: span.clone(),
            })
            .collect::<Vec<_>>();
        let description = if edits.len() == 1 {
            "delete span".to_owned()
        } else {
            format!("delete {} spans", edits.len())
        };
        Transaction::new(description, edits)
    }

    pub fn add_label(&self, label: Label) -> Transaction {
        let index = self.labels.len();
        Transaction::new(
            format!("add label {}", label.name),
            vec![Edit::AddLabel { index, label }],
        )
    }

    /// Change a label; a rename relabels every span that used the old name, in one step.
    pub fn edit_label(&self, index: usize, after: Label) -> Transaction {
        let Some(before) = self.labels.at(index).cloned() else {
            return Transaction::new("edit label", Vec::new());
        };
        if before == after {
            return Transaction::new("edit label", Vec::new());
        }
        let mut edits = vec![Edit::ChangeLabel {
            index,
            before: before.clone(),
            after: after.clone(),
        }];
        let description = if before.name != after.name {
            for (doc, d) in self.documents.iter().enumerate() {
                for span in d.spans.iter().filter(|s| s.label == before.name) {
                    let mut renamed = span.clone();
                    renamed.label = after.name.clone();
                    edits.push(Edit::ChangeSpan {
                        doc,
                        before: span.clone(),
                        after: renamed,
                    });
                }
            }
            format!("rename label {} to {}", before.name, after.name)
        } else {
            format!("edit label {}", after.name)
        };
        Transaction::new(description, edits)
    }

    pub fn remove_label(&self, index: usize) -> Transaction {
        match self.labels.at(index) {
            Some(label) => Transaction::new(
                format!("remove label {}", label.name),
                vec![Edit::RemoveLabel {
                    index,
                    label: label.clone(),
                }],
            ),
            None => Transaction::new("remove label", Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Editor, markup};

    use crate::core::markup::project;

    fn render(p: &Project) -> String {
        markup::render_document(p, 0)
    }

    #[test]
    fn out_of_bounds_empty_and_unknown_label_are_refused_without_change() {
        let mut p = project("[习近平](PER)");
        let before = render(&p);
        for (s, e, l, err) in [
            (2, 9, "PER", "outside the text"),
            (2, 2, "PER", "at least one character"),
            (0, 1, "NOPE", "no label named NOPE"),
        ] {
            let t = p.tag(0, s, e, l);
            let message = p.apply(&t).expect_err("refused").to_string();
            assert!(message.contains(err), "{message}");
            assert_eq!(render(&p), before);
        }
    }

    #[test]
    fn a_failing_edit_rolls_back_the_whole_transaction() {
        let mut p = project("[习近平](PER)在[北京](GPE)");
        let ids: Vec<SpanId> = p.documents[0].spans.iter().map(|s| s.id).collect();
        let mut t = p.remove_spans(0, &ids);
        let bogus = Span::new(SpanId(99), 0, 100, "PER");
        t.edits.push(Edit::AddSpan {
            doc: 0,
            span: bogus,
        });
        assert!(p.apply(&t).is_err());
        assert_eq!(render(&p), "[习近平](PER)在[北京](GPE)");
    }

    #[test]
    fn removing_a_label_in_use_is_refused() {
        let mut p = project("[习近平](PER)");
        let t = p.remove_label(0);
        assert!(p.apply(&t).is_err());
        assert!(p.labels.get("PER").is_some());
        let t = p.remove_label(3); // LOC, unused
        p.apply(&t).expect("unused label goes");
        assert!(p.labels.get("LOC").is_none());
    }

    #[test]
    fn undo_redo_every_kind_of_edit_without_limit() {
        let mut editor = Editor::new(project("习近平在北京会见古巴领导人"));
        let initial = render(&editor.project);
        let mut states = vec![initial.clone()];
        // 300 steps: tag, and every third step delete what was just tagged.
        for i in 0..300 {
            let t = if i % 3 == 2 {
                let last = SpanId(
                    editor.project.documents[0]
                        .spans
                        .iter()
                        .map(|s| s.id.0)
                        .max()
                        .expect("a span"),
                );
                editor.project.remove_spans(0, &[last])
            } else {
                let start = i % 11;
                editor.project.tag(0, start, start + 1 + i % 2, "PER")
            };
            if t.is_empty() {
                continue;
            }
            editor.execute(t).expect("edit");
            states.push(render(&editor.project));
        }
        assert!(states.len() > 100);
        // Relabel, note, rename a label, delete: one step each.
        let id = editor.project.documents[0]
            .spans
            .iter()
            .next()
            .map(|s| s.id)
            .expect("span");
        let mut s = editor.project.documents[0]
            .spans
            .get(id)
            .cloned()
            .expect("span");
        s.label = "GPE".into();
        s.note = Some("note".into());
        let t = editor.project.change_span("relabel", 0, s);
        editor.execute(t).expect("relabel");
        states.push(render(&editor.project));
        let mut per = editor.project.labels.get("PER").cloned().expect("PER");
        per.name = "PERSON".into();
        let t = editor.project.edit_label(0, per);
        editor.execute(t).expect("rename");
        states.push(render(&editor.project));
        let t = editor.project.remove_spans(0, &[id]);
        editor.execute(t).expect("delete");
        states.push(render(&editor.project));

        let last = states.pop().expect("last");
        assert_eq!(render(&editor.project), last);
        let mut undone = vec![last];
        while let Some(expected) = states.pop() {
            editor.undo().expect("undo").expect("something to undo");
            assert_eq!(render(&editor.project), expected);
            undone.push(expected);
        }
        assert!(!editor.is_dirty());
        assert_eq!(editor.undo().expect("undo"), None);
        undone.pop();
        while let Some(expected) = undone.pop() {
            editor.redo().expect("redo").expect("something to redo");
            assert_eq!(render(&editor.project), expected);
        }
        assert!(editor.project.labels.get("PERSON").is_some());
    }

    #[test]
    fn a_new_edit_after_undo_clears_redo() {
        let mut editor = Editor::new(project("习近平在北京"));
        let t = editor.project.tag(0, 0, 3, "PER");
        editor.execute(t).expect("tag");
        editor.undo().expect("undo");
        let t = editor.project.tag(0, 4, 6, "GPE");
        editor.execute(t).expect("tag");
        assert!(!editor.history.can_redo());
        assert_eq!(render(&editor.project), "习近平在[北京](GPE)");
    }

    #[test]
    fn tagging_the_same_range_twice_adds_one_span() {
        let mut editor = Editor::new(project("习近平"));
        for _ in 0..2 {
            let t = editor.project.tag(0, 0, 3, "PER");
            editor.execute(t).expect("tag");
        }
        assert_eq!(editor.project.span_count(), 1);
        assert!(editor.history.can_undo());
    }
}
