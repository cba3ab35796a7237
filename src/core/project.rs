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
    #[error("there is no label named {0}")]
    UnknownLabel(String),
    #[error("span {0} already exists")]
    DuplicateSpan(SpanId),
    #[error("span {0} does not exist (or was changed in the meantime)")]
    MissingSpan(SpanId),
    #[error("label {0} is used by {1} spans; remove or relabel them first")]
    LabelInUse(String, usize),
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
        for (i, edit) in transaction.edits.iter().enumerate() {
            if let Err(error) = self.apply_edit(edit) {
                for done in transaction.edits[..i].iter().rev() {
                    // Inverting an edit that just succeeded cannot fail.
                    let _ = self.apply_edit(&done.invert());
                }
                return Err(error);
            }
        }
        Ok(())
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
                let uses = self.label_uses(&label.name);
                if uses > 0 {
                    return Err(EditError::LabelInUse(label.name.clone(), uses));
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
                // `edit_label`), so spans may briefly name a label that is gone.
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
        if self.labels.get(&span.label).is_none() {
            return Err(EditError::UnknownLabel(span.label.clone()));
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
