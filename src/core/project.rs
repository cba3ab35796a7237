//! A project: a label set and one or more documents with their spans.

use std::collections::HashSet;

use thiserror::Error;

use super::document::{DocId, Document};
use super::edit::{Edit, Transaction};
use super::label::{Label, LabelSet};
use super::span::{Span, SpanId};
use super::span_index::SpanIndex;
use super::validate::{self, SpanProblem};

#[derive(Clone, Debug)]
pub struct AnnotatedDocument {
    pub document: Document,
    pub spans: SpanIndex,
}

#[derive(Clone, Debug, Default)]
pub struct Project {
    pub labels: LabelSet,
    pub documents: Vec<AnnotatedDocument>,
    /// The id the next new span gets. It only grows, and it is saved with the project (format
    /// version 2), so the id of a deleted span is never given to another one, not even after
    /// saving and reopening: an old export, a note or a merge that names an id means one span.
    next_span_id: u64,
    /// The documents the user marked done (see [`super::doc_status`]); changed only by
    /// [`Edit::SetDone`].
    done: HashSet<DocId>,
}

/// Why an edit could not be applied. The project is left as it was.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum EditError {
    #[error("there is no document \"{0}\" in the project")]
    NoDocument(DocId),
    #[error("span [{start}, {end}): {problem}")]
    InvalidSpan {
        start: usize,
        end: usize,
        problem: SpanProblem,
    },
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
    #[error("document \"{doc}\" is already {}", done_word(.done))]
    AlreadyMarked { doc: DocId, done: bool },
}

fn done_word(done: &bool) -> &'static str {
    if *done { "done" } else { "not done" }
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
            done: HashSet::new(),
        }
    }

    /// Build a project from already validated parts (the loaders check them first). New spans
    /// get ids above every id in `documents`; a loader that knows of higher ids (a saved next id,
    /// spans it left out) raises that with [`Self::raise_next_span_id`].
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
            done: HashSet::new(),
        }
    }

    /// Whether the document at `index` is marked done.
    pub fn is_done(&self, index: usize) -> bool {
        !self.done.is_empty()
            && self
                .documents
                .get(index)
                .is_some_and(|d| self.done.contains(d.document.id.as_str()))
    }

    /// Mark `doc` done as a loader found it in a file: not an edit (edits use
    /// [`Edit::SetDone`]). An id the project does not hold is ignored.
    pub fn restore_done(&mut self, doc: DocId) {
        if self.doc_index(&doc).is_some() {
            self.done.insert(doc);
        }
    }

    /// The id the next new span will get: above every id this project has ever held.
    pub fn next_span_id(&self) -> u64 {
        self.next_span_id
    }

    /// Make sure no id below `next` is given to a new span (it never lowers the next id).
    pub fn raise_next_span_id(&mut self, next: u64) {
        self.next_span_id = self.next_span_id.max(next);
    }

    /// The position of the document `doc` in [`Self::documents`], if the project has it.
    pub fn doc_index(&self, doc: &DocId) -> Option<usize> {
        self.documents
            .iter()
            .position(|d| d.document.id == doc.as_str())
    }

    /// The id of the document at `index`, for building edits from a position in the list.
    pub fn doc_id(&self, index: usize) -> Option<DocId> {
        self.documents.get(index).map(|d| d.document.doc_id())
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
    /// are rolled back and the error is returned. Returns the transaction as applied: the same
    /// edits, with every [`SpanId::NEW`] replaced by the fresh id the span got. That is what to
    /// keep for undo and redo (see `Editor::execute`), and it tells the caller the new spans' ids.
    pub fn apply(&mut self, transaction: &Transaction) -> Result<Transaction, EditError> {
        let next_before = self.next_span_id;
        let mut applied = Vec::with_capacity(transaction.edits.len());
        if let Err(error) = self.apply_all(&transaction.edits, &mut applied) {
            self.roll_back(&applied, next_before);
            return Err(error);
        }
        let applied = Transaction::new(transaction.description.clone(), applied);
        // Labels are checked once the whole transaction is in: a label change and span edits
        // that use the new name come in separate edits, and their inverse runs them in the
        // opposite order.
        if let Some(name) = self.dangling_label(&applied) {
            self.roll_back(&applied.edits, next_before);
            return Err(EditError::UnknownLabel(name));
        }
        Ok(applied)
    }

    /// Apply `edits` in order, pushing each as applied onto `applied`; stops at the first
    /// failure. A run of span additions or removals in one document is applied as one batch
    /// (one merge or one pass over the document's spans), so deleting or restoring thousands of
    /// spans costs O(n), not O(n) per span.
    fn apply_all(&mut self, edits: &[Edit], applied: &mut Vec<Edit>) -> Result<(), EditError> {
        let mut hint = 0;
        let mut rest = edits;
        while let Some(first) = rest.first() {
            let run = rest
                .iter()
                .take_while(|e| same_batch(first, e))
                .count()
                .max(1);
            let (now, later) = rest.split_at(run);
            match now {
                [one] => applied.push(self.apply_edit(one, &mut hint)?),
                [Edit::AddSpan { doc, .. }, ..] => {
                    let index = self.locate(doc, &mut hint)?;
                    self.add_spans(index, now, applied)?;
                }
                [Edit::RemoveSpan { doc, .. }, ..] => {
                    let index = self.locate(doc, &mut hint)?;
                    self.remove_span_batch(index, now)?;
                    applied.extend_from_slice(now);
                }
                _ => {
                    for edit in now {
                        applied.push(self.apply_edit(edit, &mut hint)?);
                    }
                }
            }
            rest = later;
        }
        Ok(())
    }

    /// Add the spans of a run of `AddSpan` edits to document `index` in one merge. Every span
    /// is checked (and given its id) before any is added, so a failure adds none.
    fn add_spans(
        &mut self,
        index: usize,
        run: &[Edit],
        applied: &mut Vec<Edit>,
    ) -> Result<(), EditError> {
        let mut added = Vec::with_capacity(run.len());
        let mut ids = HashSet::with_capacity(run.len());
        let mut next_id = self.next_span_id;
        for edit in run {
            let Edit::AddSpan { span, .. } = edit else {
                continue;
            };
            self.check_span(index, span)?;
            let mut span = span.clone();
            if span.id == SpanId::NEW {
                span.id = SpanId(next_id);
            } else {
                validate::span_id(span.id.0).map_err(|problem| EditError::InvalidSpan {
                    start: span.start,
                    end: span.end,
                    problem,
                })?;
                if ids.contains(&span.id) || self.find_span(span.id).is_some() {
                    return Err(EditError::DuplicateSpan(span.id));
                }
            }
            next_id = next_id.max(span.id.0 + 1);
            ids.insert(span.id);
            added.push(span);
        }
        self.next_span_id = next_id;
        let doc = self.documents[index].document.doc_id();
        applied.extend(added.iter().map(|span| Edit::AddSpan {
            doc: doc.clone(),
            span: span.clone(),
        }));
        self.documents[index].spans.insert_many(added);
        Ok(())
    }

    /// Remove the spans of a run of `RemoveSpan` edits from document `index` in one pass. Every
    /// span is checked first (held exactly, named once), so a failure removes none.
    fn remove_span_batch(&mut self, index: usize, run: &[Edit]) -> Result<(), EditError> {
        let spans = &mut self.documents[index].spans;
        let mut ids = HashSet::with_capacity(run.len());
        for edit in run {
            let Edit::RemoveSpan { span, .. } = edit else {
                continue;
            };
            if !spans.holds(span) || !ids.insert(span.id) {
                return Err(EditError::MissingSpan(span.id));
            }
        }
        spans.remove_many(&ids);
        Ok(())
    }

    /// Undo `applied` edits (in reverse) after a failure, and give back the ids they took.
    fn roll_back(&mut self, applied: &[Edit], next_span_id: u64) {
        let inverse: Vec<Edit> = applied.iter().rev().map(Edit::invert).collect();
        // Inverting edits that just succeeded cannot fail.
        let _ = self.apply_all(&inverse, &mut Vec::new());
        self.next_span_id = next_span_id;
    }

    /// A label name the transaction touched that spans use but the label set lacks.
    fn dangling_label(&self, transaction: &Transaction) -> Option<String> {
        let mut names = Vec::new();
        for edit in &transaction.edits {
            match edit {
                Edit::AddSpan { span, .. } => names.push(&span.label),
                Edit::ChangeSpan { after, .. } => names.push(&after.label),
                // Spans that kept the old name (none, once the rename moved them) are caught here.
                Edit::ChangeLabel { before, .. } => names.push(&before.name),
                Edit::RemoveLabel { label, .. } => names.push(&label.name),
                Edit::RemoveSpan { .. } | Edit::AddLabel { .. } | Edit::SetDone { .. } => {}
            }
        }
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .find(|name| self.labels.get(name).is_none() && self.label_uses(name) > 0)
            .cloned()
    }

    /// Apply one edit; returns it as applied (with a fresh id for a new span). `hint` is the
    /// index of the document the last edit touched: a transaction's edits mostly share one.
    fn apply_edit(&mut self, edit: &Edit, hint: &mut usize) -> Result<Edit, EditError> {
        match edit {
            Edit::AddSpan { doc, span } => {
                let index = self.locate(doc, hint)?;
                self.check_span(index, span)?;
                let mut span = span.clone();
                if span.id == SpanId::NEW {
                    span.id = SpanId(self.next_span_id);
                } else {
                    validate::span_id(span.id.0).map_err(|problem| EditError::InvalidSpan {
                        start: span.start,
                        end: span.end,
                        problem,
                    })?;
                    if self.find_span(span.id).is_some() {
                        return Err(EditError::DuplicateSpan(span.id));
                    }
                }
                self.next_span_id = self.next_span_id.max(span.id.0 + 1);
                self.documents[index].spans.insert(span.clone());
                Ok(Edit::AddSpan {
                    doc: doc.clone(),
                    span,
                })
            }
            Edit::RemoveSpan { doc, span } => {
                let index = self.locate(doc, hint)?;
                let spans = &mut self.documents[index].spans;
                if !spans.holds(span) {
                    return Err(EditError::MissingSpan(span.id));
                }
                spans.remove(span.id);
                Ok(edit.clone())
            }
            Edit::ChangeSpan { doc, before, after } => {
                let index = self.locate(doc, hint)?;
                self.check_span(index, after)?;
                let spans = &mut self.documents[index].spans;
                if before.id != after.id || !spans.holds(before) {
                    return Err(EditError::MissingSpan(before.id));
                }
                spans.replace(before, after.clone());
                Ok(edit.clone())
            }
            Edit::AddLabel { index, label } => {
                if let Some(why) = self.labels.conflict(None, label) {
                    return Err(EditError::LabelConflict(why));
                }
                self.labels.insert(*index, label.clone());
                Ok(edit.clone())
            }
            Edit::RemoveLabel { index, label } => {
                if self.labels.at(*index) != Some(label) {
                    return Err(EditError::MissingLabel(label.name.clone()));
                }
                self.labels.remove(*index);
                Ok(edit.clone())
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
                // Spans name their label: a new name renames every span that used the old one,
                // in place, in one pass (the inverse renames them back). No span can use the new
                // name yet: it is no label's name (checked above), and `dangling_label` keeps
                // spans from naming a label the set lacks.
                self.labels.replace(*index, after.clone());
                if before.name != after.name {
                    for d in &mut self.documents {
                        d.spans.relabel(&before.name, &after.name);
                    }
                }
                Ok(edit.clone())
            }
            Edit::SetDone { doc, done } => {
                self.locate(doc, hint)?;
                let changed = if *done {
                    self.done.insert(doc.clone())
                } else {
                    self.done.remove(doc)
                };
                if !changed {
                    return Err(EditError::AlreadyMarked {
                        doc: doc.clone(),
                        done: *done,
                    });
                }
                Ok(edit.clone())
            }
        }
    }

    /// The index of document `doc`, trying `hint` and its neighbours first (builders go through
    /// the documents in order, inverses in reverse order); updates `hint`.
    fn locate(&self, doc: &DocId, hint: &mut usize) -> Result<usize, EditError> {
        let is_doc = |i: usize| {
            self.documents
                .get(i)
                .is_some_and(|d| d.document.id == doc.as_str())
        };
        let near = [Some(*hint), hint.checked_add(1), hint.checked_sub(1)];
        *hint = match near.into_iter().flatten().find(|&i| is_doc(i)) {
            Some(i) => i,
            None => self
                .doc_index(doc)
                .ok_or_else(|| EditError::NoDocument(doc.clone()))?,
        };
        Ok(*hint)
    }

    /// The span rules of [`validate::span_range`], against the text of document `index`.
    fn check_span(&self, index: usize, span: &Span) -> Result<(), EditError> {
        let len = self.documents[index].document.char_len();
        validate::span_range(span.start, span.end, len).map_err(|problem| EditError::InvalidSpan {
            start: span.start,
            end: span.end,
            problem,
        })
    }

    // ---- Transactions for the things users do -------------------------------------------------

    /// Tag `[start, end)` of the document at index `doc` with `label`. Tagging the same range
    /// with the same label twice gives no second span. The span gets its id when the transaction
    /// is applied ([`SpanId::NEW`]), so this only reads the project. Builders given an index the
    /// project does not have build an empty transaction.
    pub fn tag(&self, doc: usize, start: usize, end: usize, label: &str) -> Transaction {
        let description = format!("tag {label}");
        let Some(d) = self.documents.get(doc) else {
            return Transaction::new(description, Vec::new());
        };
        if d.spans.find_exact(start, end, label).is_some() {
            return Transaction::new(description, Vec::new());
        }
        let span = Span::new(SpanId::NEW, start, end, label);
        Transaction::new(
            description,
            vec![Edit::AddSpan {
                doc: d.document.doc_id(),
                span,
            }],
        )
    }

    /// Change one span (relabel, note, bounds, status) of the document at index `doc` into
    /// `after`.
    pub fn change_span(&self, description: &str, doc: usize, after: Span) -> Transaction {
        let Some(d) = self.documents.get(doc) else {
            return Transaction::new(description, Vec::new());
        };
        match d.spans.get(after.id) {
            Some(before) if *before != after => Transaction::new(
                description,
                vec![Edit::ChangeSpan {
                    doc: d.document.doc_id(),
                    before: before.clone(),
                    after,
                }],
            ),
            _ => Transaction::new(description, Vec::new()),
        }
    }

    pub fn remove_spans(&self, doc: usize, ids: &[SpanId]) -> Transaction {
        let edits = match self.documents.get(doc) {
            Some(d) => {
                let doc = d.document.doc_id();
                ids.iter()
                    .filter_map(|id| d.spans.get(*id))
                    .map(|span| Edit::RemoveSpan {
                        doc: doc.clone(),
                        span: span.clone(),
                    })
                    .collect::<Vec<_>>()
            }
            None => Vec::new(),
        };
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

    /// Change a label; a rename relabels every span that used the old name, in the same edit
    /// (one step to undo, O(spans) to apply).
    pub fn edit_label(&self, index: usize, after: Label) -> Transaction {
        let Some(before) = self.labels.at(index).cloned() else {
            return Transaction::new("edit label", Vec::new());
        };
        if before == after {
            return Transaction::new("edit label", Vec::new());
        }
        let description = if before.name != after.name {
            format!("rename label {} to {}", before.name, after.name)
        } else {
            format!("edit label {}", after.name)
        };
        Transaction::new(
            description,
            vec![Edit::ChangeLabel {
                index,
                before,
                after,
            }],
        )
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

/// True when `edit` can join a batch that starts with `first`: both add spans, or both remove
/// spans, in the same document.
fn same_batch(first: &Edit, edit: &Edit) -> bool {
    match (first, edit) {
        (Edit::AddSpan { doc: a, .. }, Edit::AddSpan { doc: b, .. })
        | (Edit::RemoveSpan { doc: a, .. }, Edit::RemoveSpan { doc: b, .. }) => a == b,
        _ => false,
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
            (
                2,
                9,
                "PER",
                "span [2, 9): end 9 is past the end of the text (3 characters)",
            ),
            (
                2,
                2,
                "PER",
                "span [2, 2): the span is empty (start = end = 2)",
            ),
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
            doc: DocId::new("d1"),
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

    #[test]
    fn a_rename_is_one_edit_and_undo_renames_back() {
        let mut editor = Editor::new(project("[习近平](PER)在[北京](GPE)会见[卡斯特罗](PER)"));
        let mut per = editor.project.labels.get("PER").cloned().expect("PER");
        per.name = "PERSON".into();
        let index = editor.project.labels.index_of("PER").expect("PER");
        let t = editor.project.edit_label(index, per);
        assert_eq!(t.edits.len(), 1);
        editor.execute(t).expect("rename");
        assert_eq!(
            render(&editor.project),
            "[习近平](PERSON)在[北京](GPE)会见[卡斯特罗](PERSON)"
        );
        editor.undo().expect("undo").expect("a step");
        assert_eq!(
            render(&editor.project),
            "[习近平](PER)在[北京](GPE)会见[卡斯特罗](PER)"
        );
        editor.redo().expect("redo").expect("a step");
        assert_eq!(editor.project.label_uses("PERSON"), 2);
        assert_eq!(editor.project.label_uses("PER"), 0);
    }

    #[test]
    fn a_batch_of_removals_or_additions_with_one_bad_edit_changes_nothing() {
        let mut p = project("[习近平](PER)在[北京](GPE)会见[卡斯特罗](PER)");
        let before = render(&p);
        let ids: Vec<SpanId> = p.documents[0].spans.iter().map(|s| s.id).collect();
        // The same span named twice: the second removal finds nothing.
        let mut t = p.remove_spans(0, &ids);
        t.edits.push(t.edits[0].clone());
        assert_eq!(p.apply(&t), Err(EditError::MissingSpan(ids[0])));
        assert_eq!(render(&p), before);
        // A whole removal and its undo, as batches.
        let t = p.remove_spans(0, &ids);
        let applied = p.apply(&t).expect("remove all");
        assert_eq!(render(&p), "习近平在北京会见卡斯特罗");
        p.apply(&applied.invert()).expect("undo");
        assert_eq!(render(&p), before);
        // Two additions with the same id: refused, none added, no id used up.
        let next = p.next_span_id();
        let doc = DocId::new("d1");
        let twice = |start| Edit::AddSpan {
            doc: doc.clone(),
            span: Span::new(SpanId(50), start, start + 1, "PER"),
        };
        let t = Transaction::new("add", vec![twice(3), twice(4)]);
        assert_eq!(p.apply(&t), Err(EditError::DuplicateSpan(SpanId(50))));
        assert_eq!(render(&p), before);
        assert_eq!(p.next_span_id(), next);
    }
}
