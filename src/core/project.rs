//! A project: a label set, relation types, attribute definitions, and one or more documents
//! with their spans and relations.

use std::collections::{HashMap, HashSet};

use thiserror::Error;

use super::attribute::AttributeDef;
use super::document::{DocId, Document};
use super::edit::{Edit, Transaction};
use super::label::{Label, LabelSet};
use super::relation::{Relation, RelationId, RelationType, Relations};
use super::span::{Span, SpanId};
use super::span_index::SpanIndex;
use super::standoff::StandoffLine;
use super::validate::{self, SpanProblem};

#[derive(Clone, Debug)]
pub struct AnnotatedDocument {
    pub document: Document,
    pub spans: SpanIndex,
    /// Relations between this document's spans.
    pub relations: Relations,
    /// brat lines kept without being modelled (events, normalisations, ...): see
    /// [`StandoffLine`]. Written back by the brat export, untouched by edits.
    pub standoff: Vec<StandoffLine>,
}

impl AnnotatedDocument {
    /// A document with these spans, no relations and nothing else.
    pub fn new(document: Document, spans: SpanIndex) -> Self {
        Self {
            document,
            spans,
            relations: Relations::default(),
            standoff: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Project {
    pub labels: LabelSet,
    pub documents: Vec<AnnotatedDocument>,
    /// The kinds of relation spans may have, in the order offered.
    relation_types: Vec<RelationType>,
    /// What may be said about a span beyond its label, in the order offered (and written).
    attributes: Vec<AttributeDef>,
    /// The id the next new span gets. It only grows, and it is saved with the project (format
    /// version 2), so the id of a deleted span is never given to another one, not even after
    /// saving and reopening: an old export, a note or a merge that names an id means one span.
    next_span_id: u64,
    /// The same for relations (format version 3).
    next_relation_id: u64,
    /// The documents the user marked done (see [`super::doc_status`]); changed only by
    /// [`Edit::SetDone`].
    done: HashSet<DocId>,
    /// Set while undo, redo or a roll-back brings spans back as they were: their attribute
    /// values are not checked again (an imported value the definitions refuse must come back).
    bringing_back: bool,
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
    #[error("relation {id}: {problem}")]
    InvalidRelation { id: RelationId, problem: String },
    #[error("relation {0} already exists")]
    DuplicateRelation(RelationId),
    #[error("relation {0} does not exist (or was changed in the meantime)")]
    MissingRelation(RelationId),
    #[error("span {span} still has {count} relation(s): remove them in the same step")]
    SpanHasRelations { span: SpanId, count: usize },
    #[error("{0}")]
    RelationTypeConflict(String),
    #[error("relation type {0} does not exist (or was changed in the meantime)")]
    MissingRelationType(String),
    #[error("relation type {0} is still used by relations")]
    RelationTypeInUse(String),
    #[error("{0}")]
    AttributeConflict(String),
    #[error("attribute {0} does not exist (or was changed in the meantime)")]
    MissingAttribute(String),
    #[error("attribute {0} is still set on spans")]
    AttributeInUse(String),
    #[error("span {span}: {problem}")]
    InvalidAttribute { span: SpanId, problem: String },
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
            .map(|document| AnnotatedDocument::new(document, SpanIndex::default()))
            .collect();
        Self {
            labels,
            documents,
            relation_types: Vec::new(),
            attributes: Vec::new(),
            next_span_id: 1,
            next_relation_id: 1,
            done: HashSet::new(),
            bringing_back: false,
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
        let max_relation = documents
            .iter()
            .flat_map(|d| d.relations.iter())
            .map(|r| r.id.0)
            .max()
            .unwrap_or(0);
        Self {
            labels,
            documents,
            relation_types: Vec::new(),
            attributes: Vec::new(),
            next_span_id: max_id + 1,
            next_relation_id: max_relation + 1,
            done: HashSet::new(),
            bringing_back: false,
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

    /// Set the relation types and attribute definitions of a project being built from validated
    /// parts (loaders, imports). Edits change them through [`Self::apply`].
    pub fn with_schema(
        mut self,
        relation_types: Vec<RelationType>,
        attributes: Vec<AttributeDef>,
    ) -> Self {
        self.relation_types = relation_types;
        self.attributes = attributes;
        self
    }

    pub fn relation_types(&self) -> &[RelationType] {
        &self.relation_types
    }

    pub fn relation_type(&self, name: &str) -> Option<&RelationType> {
        self.relation_types.iter().find(|t| t.name == name)
    }

    pub fn attributes(&self) -> &[AttributeDef] {
        &self.attributes
    }

    pub fn attribute(&self, name: &str) -> Option<&AttributeDef> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The attribute definitions a span labelled `label` may carry, in order.
    pub fn attributes_for<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a AttributeDef> {
        self.attributes.iter().filter(move |a| a.applies_to(label))
    }

    /// The id the next new relation will get: above every id this project has ever held.
    pub fn next_relation_id(&self) -> u64 {
        self.next_relation_id
    }

    /// Make sure no id below `next` is given to a new relation.
    pub fn raise_next_relation_id(&mut self, next: u64) {
        self.next_relation_id = self.next_relation_id.max(next);
    }

    pub fn relation_count(&self) -> usize {
        self.documents.iter().map(|d| d.relations.len()).sum()
    }

    pub fn find_relation(&self, id: RelationId) -> Option<(usize, &Relation)> {
        self.documents
            .iter()
            .enumerate()
            .find_map(|(i, d)| d.relations.get(id).map(|r| (i, r)))
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
        let next_before = (self.next_span_id, self.next_relation_id);
        let mut applied = Vec::with_capacity(transaction.edits.len());
        if let Err(error) = self.apply_all(&transaction.edits, &mut applied) {
            self.roll_back(&applied, next_before);
            return Err(error);
        }
        let applied = Transaction::new(transaction.description.clone(), applied);
        // Labels, relation types, attributes and removed spans' relations are checked once the
        // whole transaction is in: a label change and span edits that use the new name come in
        // separate edits, as do a span's removal and its relations', and their inverse runs
        // them in the opposite order.
        let dangling = match self.dangling_label(&applied) {
            Some(name) => Err(EditError::UnknownLabel(name)),
            None => self.dangling_links(&applied),
        };
        if let Err(error) = dangling {
            self.roll_back(&applied.edits, next_before);
            return Err(error);
        }
        Ok(applied)
    }

    /// Apply `transaction` that brings the project back to a state it was in: an undo (the
    /// inverse of an applied transaction) or a redo. As [`Self::apply`], except that attribute
    /// values coming back are not checked against the definitions: a value another tool made,
    /// which the user cleared, must come back on undo (see [`crate::core::attribute`]).
    pub fn restore(&mut self, transaction: &Transaction) -> Result<Transaction, EditError> {
        self.bringing_back = true;
        let result = self.apply(transaction);
        self.bringing_back = false;
        result
    }

    /// A removed span that relations still name, a removed relation type that relations still
    /// use, or a removed attribute definition that spans still carry.
    fn dangling_links(&self, transaction: &Transaction) -> Result<(), EditError> {
        // Removed spans by document, so each document's relations are looked at once (deleting
        // thousands of spans stays linear).
        let mut removed: HashMap<&DocId, HashSet<SpanId>> = HashMap::new();
        for edit in &transaction.edits {
            if let Edit::RemoveSpan { doc, span } = edit {
                removed.entry(doc).or_default().insert(span.id);
            }
        }
        for (doc, ids) in removed {
            let Some(index) = self.doc_index(doc) else {
                continue;
            };
            let relations = &self.documents[index].relations;
            if relations.is_empty() {
                continue;
            }
            // The lowest such span is named, whatever the order of the relations.
            let first = relations
                .iter()
                .flat_map(|r| [r.from, r.to])
                .filter(|end| ids.contains(end))
                .min();
            if let Some(span) = first {
                let count = relations.touching(span).count();
                return Err(EditError::SpanHasRelations { span, count });
            }
        }
        for edit in &transaction.edits {
            match edit {
                Edit::RemoveRelationType { relation_type, .. }
                    if self.relation_type(&relation_type.name).is_none()
                        && self
                            .documents
                            .iter()
                            .flat_map(|d| d.relations.iter())
                            .any(|r| r.kind == relation_type.name) =>
                {
                    return Err(EditError::RelationTypeInUse(relation_type.name.clone()));
                }
                Edit::RemoveAttribute { attribute, .. }
                    if self.attribute(&attribute.name).is_none()
                        && self
                            .documents
                            .iter()
                            .flat_map(|d| d.spans.iter())
                            .any(|s| s.attributes.contains_key(&attribute.name)) =>
                {
                    return Err(EditError::AttributeInUse(attribute.name.clone()));
                }
                _ => {}
            }
        }
        Ok(())
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
    fn roll_back(&mut self, applied: &[Edit], (next_span_id, next_relation_id): (u64, u64)) {
        let inverse: Vec<Edit> = applied.iter().rev().map(Edit::invert).collect();
        // Inverting edits that just succeeded cannot fail: what they bring back was there.
        let bringing_back = std::mem::replace(&mut self.bringing_back, true);
        let _ = self.apply_all(&inverse, &mut Vec::new());
        self.bringing_back = bringing_back;
        self.next_span_id = next_span_id;
        self.next_relation_id = next_relation_id;
    }

    /// A label name the transaction touched that spans use but the label set lacks.
    fn dangling_label(&self, transaction: &Transaction) -> Option<String> {
        let mut names = Vec::new();
        for edit in &transaction.edits {
            match edit {
                Edit::AddSpan { span, .. } => names.push(span.label.as_str()),
                Edit::ChangeSpan { after, .. } => names.push(after.label.as_str()),
                // No check for a rename's old name: the rename moved every span that used it in
                // the same step, and a later edit of the transaction that uses it again is
                // checked by its own name above (a check here was one more pass over every span
                // of the project per rename and per undo).
                Edit::RemoveLabel { label, .. } => names.push(label.name.as_str()),
                _ => {}
            }
        }
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .find(|name| {
                self.labels.get(name).is_none()
                    && (self.documents.iter()).any(|d| d.spans.iter().any(|s| s.label == *name))
            })
            .map(str::to_owned)
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
                self.check_span_change(index, before, after)?;
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
                    // Relation types and attribute definitions that name the label follow it.
                    let rename = |names: &mut Vec<String>| {
                        for name in names.iter_mut().filter(|n| **n == before.name) {
                            name.clone_from(&after.name);
                        }
                    };
                    for t in &mut self.relation_types {
                        rename(&mut t.from_labels);
                        rename(&mut t.to_labels);
                    }
                    for a in &mut self.attributes {
                        rename(&mut a.labels);
                    }
                }
                Ok(edit.clone())
            }
            Edit::AddRelation { doc, relation } => {
                let index = self.locate(doc, hint)?;
                let mut relation = relation.clone();
                // A new relation follows its type's label rules; one coming back (undo, redo,
                // re-anchoring) comes back as it was, even if another tool made it against them.
                let fresh = relation.id == RelationId::NEW;
                if fresh {
                    relation.id = RelationId(self.next_relation_id);
                } else if self.find_relation(relation.id).is_some() {
                    return Err(EditError::DuplicateRelation(relation.id));
                } else if relation.id.0 > validate::MAX_SPAN_ID {
                    return Err(EditError::InvalidRelation {
                        id: relation.id,
                        problem: format!(
                            "relation id is too large (ids go up to {})",
                            validate::MAX_SPAN_ID
                        ),
                    });
                }
                self.check_relation(index, &relation, fresh)?;
                self.next_relation_id = self.next_relation_id.max(relation.id.0 + 1);
                self.documents[index].relations.insert(relation.clone());
                Ok(Edit::AddRelation {
                    doc: doc.clone(),
                    relation,
                })
            }
            Edit::RemoveRelation { doc, relation } => {
                let index = self.locate(doc, hint)?;
                let relations = &mut self.documents[index].relations;
                if !relations.holds(relation) {
                    return Err(EditError::MissingRelation(relation.id));
                }
                relations.remove(relation.id);
                Ok(edit.clone())
            }
            Edit::ChangeRelation { doc, before, after } => {
                let index = self.locate(doc, hint)?;
                if before.id != after.id || !self.documents[index].relations.holds(before) {
                    return Err(EditError::MissingRelation(before.id));
                }
                let relinked =
                    before.kind != after.kind || before.from != after.from || before.to != after.to;
                self.check_relation(index, after, relinked)?;
                self.documents[index].relations.insert(after.clone());
                Ok(edit.clone())
            }
            Edit::AddRelationType {
                index,
                relation_type,
            } => {
                if let Some(why) =
                    validate::relation_type_among(&self.relation_types, relation_type)
                {
                    return Err(EditError::RelationTypeConflict(why));
                }
                let at = (*index).min(self.relation_types.len());
                self.relation_types.insert(at, relation_type.clone());
                Ok(edit.clone())
            }
            Edit::RemoveRelationType {
                index,
                relation_type,
            } => {
                if self.relation_types.get(*index) != Some(relation_type) {
                    return Err(EditError::MissingRelationType(relation_type.name.clone()));
                }
                self.relation_types.remove(*index);
                Ok(edit.clone())
            }
            Edit::ChangeRelationType {
                index,
                before,
                after,
            } => {
                if self.relation_types.get(*index) != Some(before) {
                    return Err(EditError::MissingRelationType(before.name.clone()));
                }
                let others = self
                    .relation_types
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i != index)
                    .map(|(_, t)| t);
                if let Some(why) = validate::relation_type_among(others, after) {
                    return Err(EditError::RelationTypeConflict(why));
                }
                self.relation_types[*index] = after.clone();
                if before.name != after.name {
                    for d in &mut self.documents {
                        d.relations.retype(&before.name, &after.name);
                    }
                }
                Ok(edit.clone())
            }
            Edit::ChangeAttribute {
                index,
                before,
                after,
            } => {
                if self.attributes.get(*index) != Some(before) {
                    return Err(EditError::MissingAttribute(before.name.clone()));
                }
                let others = self
                    .attributes
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i != index)
                    .map(|(_, a)| a);
                if let Some(why) = validate::attribute_among(others, after) {
                    return Err(EditError::AttributeConflict(why));
                }
                // A span may carry a value under the new name without a definition (another
                // tool made it): merging the two could not be undone, so the rename is refused.
                if before.name != after.name
                    && self
                        .documents
                        .iter()
                        .flat_map(|d| d.spans.iter())
                        .any(|s| s.attributes.contains_key(&after.name))
                {
                    return Err(EditError::AttributeConflict(format!(
                        "spans already carry an attribute named {}",
                        after.name
                    )));
                }
                self.attributes[*index] = after.clone();
                if before.name != after.name {
                    for d in &mut self.documents {
                        d.spans.rename_attribute(&before.name, &after.name);
                    }
                }
                Ok(edit.clone())
            }
            Edit::AddAttribute { index, attribute } => {
                if let Some(why) = validate::attribute_among(&self.attributes, attribute) {
                    return Err(EditError::AttributeConflict(why));
                }
                let at = (*index).min(self.attributes.len());
                self.attributes.insert(at, attribute.clone());
                Ok(edit.clone())
            }
            Edit::RemoveAttribute { index, attribute } => {
                if self.attributes.get(*index) != Some(attribute) {
                    return Err(EditError::MissingAttribute(attribute.name.clone()));
                }
                self.attributes.remove(*index);
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

    /// A relation added or changed by an edit must be sound (both ends spans of its document,
    /// a known type, not a loop) and, when `new_link` (a new relation, or a new type or end),
    /// follow its type's label rules: the window cannot make what `validate` would report.
    fn check_relation(
        &self,
        index: usize,
        relation: &Relation,
        new_link: bool,
    ) -> Result<(), EditError> {
        let spans = &self.documents[index].spans;
        let findings = validate::relation(relation, |id| spans.get(id), &self.relation_types);
        let warnings = if new_link {
            findings.warnings
        } else {
            Vec::new()
        };
        match findings.errors.into_iter().chain(warnings).next() {
            Some(problem) => Err(EditError::InvalidRelation {
                id: relation.id,
                problem,
            }),
            None => Ok(()),
        }
    }

    /// A span change may not set an attribute value its definition refuses, nor give the span a
    /// label a relation type does not allow at an end where it stands. Values it does not
    /// change are not checked: an import's value the definitions do not know is kept (see
    /// [`crate::core::attribute`]), and undoing a change must be able to bring it back.
    fn check_span_change(
        &self,
        index: usize,
        before: &Span,
        after: &Span,
    ) -> Result<(), EditError> {
        for (name, value) in &after.attributes {
            if self.bringing_back || before.attributes.get(name) == Some(value) {
                continue;
            }
            let problem = match self.attribute(name) {
                None => Some(format!("attribute {name} has no definition in the project")),
                Some(def) => def.problem(&after.label, value),
            };
            if let Some(problem) = problem {
                return Err(EditError::InvalidAttribute {
                    span: after.id,
                    problem,
                });
            }
        }
        if before.label != after.label {
            for relation in self.documents[index].relations.touching(after.id) {
                let Some(kind) = self.relation_type(&relation.kind) else {
                    continue;
                };
                for (is_from, end) in [(true, relation.from), (false, relation.to)] {
                    if end == after.id
                        && kind.allows(is_from, &before.label)
                        && !kind.allows(is_from, &after.label)
                    {
                        return Err(EditError::InvalidRelation {
                            id: relation.id,
                            problem: format!(
                                "{} does not allow label {} at its {}",
                                kind.name,
                                after.label,
                                if is_from { "start" } else { "end" }
                            ),
                        });
                    }
                }
            }
        }
        Ok(())
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

    /// Remove spans of the document at index `doc`, and the relations that start or end at
    /// them, in one transaction (so one undo brings both back).
    pub fn remove_spans(&self, doc: usize, ids: &[SpanId]) -> Transaction {
        let Some(d) = self.documents.get(doc) else {
            return Transaction::new("delete span", Vec::new());
        };
        let doc_id = d.document.doc_id();
        let mut edits = self.detach(doc, ids);
        let relations = edits.len();
        edits.extend(
            ids.iter()
                .filter_map(|id| d.spans.get(*id))
                .map(|span| Edit::RemoveSpan {
                    doc: doc_id.clone(),
                    span: span.clone(),
                }),
        );
        let spans = edits.len() - relations;
        let mut description = if spans == 1 {
            "delete span".to_owned()
        } else {
            format!("delete {spans} spans")
        };
        match relations {
            0 => {}
            1 => description.push_str(" and its relation"),
            n => description.push_str(&format!(" and {n} relations")),
        }
        Transaction::new(description, edits)
    }

    /// The edits that remove every relation of the document at index `doc` that starts or
    /// ends at one of `ids`: what must go with those spans. Code that removes spans by building
    /// its own edits puts these first.
    pub fn detach(&self, doc: usize, ids: &[SpanId]) -> Vec<Edit> {
        let Some(d) = self.documents.get(doc) else {
            return Vec::new();
        };
        let ids: HashSet<SpanId> = ids.iter().copied().collect();
        let doc_id = d.document.doc_id();
        d.relations
            .iter()
            .filter(|r| ids.contains(&r.from) || ids.contains(&r.to))
            .map(|r| Edit::RemoveRelation {
                doc: doc_id.clone(),
                relation: r.clone(),
            })
            .collect()
    }

    /// Relate span `from` to span `to` of the document at index `doc` with relation type
    /// `kind`. The relation gets its id when applied; relating the same two spans with the same
    /// type twice gives no second relation.
    pub fn relate(&self, doc: usize, from: SpanId, to: SpanId, kind: &str) -> Transaction {
        let description = format!("relate {kind}");
        let Some(d) = self.documents.get(doc) else {
            return Transaction::new(description, Vec::new());
        };
        if d.relations
            .iter()
            .any(|r| r.from == from && r.to == to && r.kind == kind)
        {
            return Transaction::new(description, Vec::new());
        }
        Transaction::new(
            description,
            vec![Edit::AddRelation {
                doc: d.document.doc_id(),
                relation: Relation::new(RelationId::NEW, kind, from, to),
            }],
        )
    }

    /// Change one relation (retype, status, note) of the document at index `doc` into `after`.
    pub fn change_relation(&self, description: &str, doc: usize, after: Relation) -> Transaction {
        let Some(d) = self.documents.get(doc) else {
            return Transaction::new(description, Vec::new());
        };
        match d.relations.get(after.id) {
            Some(before) if *before != after => Transaction::new(
                description,
                vec![Edit::ChangeRelation {
                    doc: d.document.doc_id(),
                    before: before.clone(),
                    after,
                }],
            ),
            _ => Transaction::new(description, Vec::new()),
        }
    }

    pub fn remove_relations(&self, doc: usize, ids: &[RelationId]) -> Transaction {
        let edits: Vec<Edit> = match self.documents.get(doc) {
            Some(d) => ids
                .iter()
                .filter_map(|id| d.relations.get(*id))
                .map(|relation| Edit::RemoveRelation {
                    doc: d.document.doc_id(),
                    relation: relation.clone(),
                })
                .collect(),
            None => Vec::new(),
        };
        let description = if edits.len() == 1 {
            "delete relation".to_owned()
        } else {
            format!("delete {} relations", edits.len())
        };
        Transaction::new(description, edits)
    }

    /// Set (`Some`) or clear (`None`) attribute `name` of span `span` of the document at index
    /// `doc`. The value is checked against the definition when the transaction is applied.
    pub fn set_attribute(
        &self,
        doc: usize,
        span: SpanId,
        name: &str,
        value: Option<&str>,
    ) -> Transaction {
        let description = match value {
            Some(value) => format!("set {name} to {value}"),
            None => format!("clear {name}"),
        };
        let Some(before) = self.documents.get(doc).and_then(|d| d.spans.get(span)) else {
            return Transaction::new(description, Vec::new());
        };
        let mut after = before.clone();
        match value {
            Some(value) => after.attributes.insert(name.to_owned(), value.to_owned()),
            None => after.attributes.remove(name),
        };
        self.change_span(&description, doc, after)
    }

    pub fn add_relation_type(&self, relation_type: RelationType) -> Transaction {
        Transaction::new(
            format!("add relation type {}", relation_type.name),
            vec![Edit::AddRelationType {
                index: self.relation_types.len(),
                relation_type,
            }],
        )
    }

    pub fn remove_relation_type(&self, index: usize) -> Transaction {
        match self.relation_types.get(index) {
            Some(t) => Transaction::new(
                format!("remove relation type {}", t.name),
                vec![Edit::RemoveRelationType {
                    index,
                    relation_type: t.clone(),
                }],
            ),
            None => Transaction::new("remove relation type", Vec::new()),
        }
    }

    /// Change the relation type at `index` (colour, hotkey, allowed labels, name: a rename
    /// retypes its relations in the same edit).
    pub fn edit_relation_type(&self, index: usize, after: RelationType) -> Transaction {
        match self.relation_types.get(index) {
            Some(before) if *before != after => Transaction::new(
                format!("edit relation type {}", after.name),
                vec![Edit::ChangeRelationType {
                    index,
                    before: before.clone(),
                    after,
                }],
            ),
            _ => Transaction::new("edit relation type", Vec::new()),
        }
    }

    /// Change the attribute definition at `index` (kind, values, labels, name: a rename
    /// renames the attribute on its spans in the same edit).
    pub fn edit_attribute(&self, index: usize, after: AttributeDef) -> Transaction {
        match self.attributes.get(index) {
            Some(before) if *before != after => Transaction::new(
                format!("edit attribute {}", after.name),
                vec![Edit::ChangeAttribute {
                    index,
                    before: before.clone(),
                    after,
                }],
            ),
            _ => Transaction::new("edit attribute", Vec::new()),
        }
    }

    pub fn add_attribute(&self, attribute: AttributeDef) -> Transaction {
        Transaction::new(
            format!("add attribute {}", attribute.name),
            vec![Edit::AddAttribute {
                index: self.attributes.len(),
                attribute,
            }],
        )
    }

    pub fn remove_attribute(&self, index: usize) -> Transaction {
        match self.attributes.get(index) {
            Some(a) => Transaction::new(
                format!("remove attribute {}", a.name),
                vec![Edit::RemoveAttribute {
                    index,
                    attribute: a.clone(),
                }],
            ),
            None => Transaction::new("remove attribute", Vec::new()),
        }
    }

    /// Remove the attribute definition at `index` and, in the same transaction, clear its
    /// value from every span that carries it (in every document): one undo step brings the
    /// definition and every value back. The description counts the spans.
    pub fn remove_attribute_and_values(&self, index: usize) -> Transaction {
        let Some(def) = self.attributes.get(index) else {
            return Transaction::new("remove attribute", Vec::new());
        };
        let mut edits = Vec::new();
        for d in &self.documents {
            for span in d
                .spans
                .iter()
                .filter(|s| s.attributes.contains_key(&def.name))
            {
                let mut after = span.clone();
                after.attributes.remove(&def.name);
                edits.push(Edit::ChangeSpan {
                    doc: d.document.doc_id(),
                    before: span.clone(),
                    after,
                });
            }
        }
        let description = match edits.len() {
            0 => format!("remove attribute {}", def.name),
            1 => format!("remove attribute {} and its value on 1 span", def.name),
            n => format!("remove attribute {} and its values on {n} spans", def.name),
        };
        edits.push(Edit::RemoveAttribute {
            index,
            attribute: def.clone(),
        });
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
    use crate::core::span::SpanStatus;
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

    // ---- Relations and attributes -----------------------------------------------------------

    use crate::core::attribute::{AttributeDef, AttributeKind};
    use crate::core::label::Rgb;
    use crate::core::relation::{RelationId, RelationType};

    /// 习近平 (PER) 在 北京 (GPE) 会见 卡斯特罗 (PER), with relation types `meets` (PER → PER)
    /// and `in` (any → GPE), and attributes `Negated` (flag) and `Role` (choice, PER only).
    fn related() -> (Editor, [SpanId; 3]) {
        let mut editor = Editor::new(project("[习近平](PER)在[北京](GPE)会见[卡斯特罗](PER)"));
        let mut meets = RelationType::new("meets", Rgb(1, 2, 3));
        meets.from_labels = vec!["PER".into()];
        meets.to_labels = vec!["PER".into()];
        let mut inside = RelationType::new("in", Rgb(4, 5, 6));
        inside.to_labels = vec!["GPE".into()];
        let mut role = AttributeDef::new("Role", AttributeKind::Choice, &["host", "guest"]);
        role.labels = vec!["PER".into()];
        // Each built on the project as the one before left it (each appends at the end).
        let t = editor.project.add_relation_type(meets);
        editor.execute(t).expect("meets");
        let t = editor.project.add_relation_type(inside);
        editor.execute(t).expect("in");
        let negated = AttributeDef::new("Negated", AttributeKind::Flag, &[]);
        let t = editor.project.add_attribute(negated);
        editor.execute(t).expect("Negated");
        let t = editor.project.add_attribute(role);
        editor.execute(t).expect("Role");
        let ids: Vec<SpanId> = editor.project.documents[0]
            .spans
            .iter()
            .map(|s| s.id)
            .collect();
        (editor, [ids[0], ids[1], ids[2]])
    }

    fn relations(p: &Project) -> Vec<(u64, String, u64, u64)> {
        p.documents[0]
            .relations
            .iter()
            .map(|r| (r.id.0, r.kind.clone(), r.from.0, r.to.0))
            .collect()
    }

    #[test]
    fn relate_retype_delete_with_undo_and_ids_never_reused() {
        let (mut editor, [xi, beijing, castro]) = related();
        let t = editor.project.relate(0, xi, castro, "meets");
        let applied = editor.execute(t).expect("relate");
        let Some(Edit::AddRelation { relation, .. }) = applied.edits.first() else {
            panic!("an added relation: {applied:?}");
        };
        let first = relation.id;
        assert_eq!(first, RelationId(1));
        // The same relation again adds nothing.
        assert!(editor.project.relate(0, xi, castro, "meets").is_empty());
        let t = editor.project.relate(0, xi, beijing, "in");
        editor.execute(t).expect("relate");
        assert_eq!(
            relations(&editor.project),
            [
                (1, "meets".into(), xi.0, castro.0),
                (2, "in".into(), xi.0, beijing.0)
            ]
        );
        // Retype: `in` from 习近平 to 卡斯特罗 is refused (卡斯特罗 is no GPE) ...
        let mut wrong = editor.project.documents[0]
            .relations
            .get(first)
            .cloned()
            .expect("r");
        wrong.kind = "in".into();
        let t = editor.project.change_relation("retype", 0, wrong);
        let error = editor.execute(t).expect_err("label rule").to_string();
        assert!(error.contains("allows only GPE"), "{error}");
        // ... a note and a status are fine.
        let mut noted = editor.project.documents[0]
            .relations
            .get(first)
            .cloned()
            .expect("r");
        noted.note = Some("state visit".into());
        noted.status = SpanStatus::Suggested;
        let t = editor.project.change_relation("note", 0, noted.clone());
        editor.execute(t).expect("note");
        assert_eq!(
            editor.project.documents[0].relations.get(first),
            Some(&noted)
        );
        let t = editor.project.remove_relations(0, &[first]);
        editor.execute(t).expect("delete");
        assert_eq!(editor.project.relation_count(), 1);
        editor.undo().expect("undo").expect("a step");
        assert_eq!(
            editor.project.documents[0].relations.get(first),
            Some(&noted)
        );
        editor.redo().expect("redo").expect("a step");
        // A new relation gets a new id, not the deleted one's.
        let t = editor.project.relate(0, castro, xi, "meets");
        let applied = editor.execute(t).expect("relate");
        assert!(matches!(
            applied.edits.first(),
            Some(Edit::AddRelation { relation, .. }) if relation.id == RelationId(3)
        ));
        // Loops, unknown types and spans of no document are refused.
        for (from, to, kind, problem) in [
            (xi, xi, "meets", "same span"),
            (
                xi,
                castro,
                "likes",
                "not one of the project's relation types",
            ),
            (
                xi,
                SpanId(99),
                "meets",
                "span 99 (its end) is not a span of this document",
            ),
        ] {
            let t = editor.project.relate(0, from, to, kind);
            let error = editor.execute(t).expect_err("refused").to_string();
            assert!(error.contains(problem), "{error}");
        }
    }

    #[test]
    fn deleting_a_span_deletes_its_relations_in_the_same_step() {
        let (mut editor, [xi, beijing, castro]) = related();
        for t in [
            editor.project.relate(0, xi, castro, "meets"),
            editor.project.relate(0, castro, beijing, "in"),
        ] {
            editor.execute(t).expect("relate");
        }
        let before = relations(&editor.project);
        let t = editor.project.remove_spans(0, &[castro]);
        assert_eq!(t.description, "delete span and 2 relations");
        // Without its relations the removal is refused, and nothing changes.
        let mut bare = t.clone();
        bare.edits.retain(|e| matches!(e, Edit::RemoveSpan { .. }));
        assert_eq!(
            editor.project.apply(&bare),
            Err(EditError::SpanHasRelations {
                span: castro,
                count: 2
            })
        );
        assert_eq!(relations(&editor.project), before);
        editor.execute(t).expect("delete");
        assert_eq!(
            render(&editor.project),
            "[习近平](PER)在[北京](GPE)会见卡斯特罗"
        );
        assert!(editor.project.documents[0].relations.is_empty());
        editor.undo().expect("undo").expect("a step");
        assert_eq!(relations(&editor.project), before);
        assert_eq!(
            render(&editor.project),
            "[习近平](PER)在[北京](GPE)会见[卡斯特罗](PER)"
        );
        editor.redo().expect("redo").expect("a step");
        assert!(editor.project.documents[0].relations.is_empty());
    }

    #[test]
    fn attribute_values_are_checked_when_set_and_undone_exactly() {
        let (mut editor, [xi, beijing, _]) = related();
        let t = editor.project.set_attribute(0, xi, "Role", Some("host"));
        editor.execute(t).expect("set");
        let t = editor.project.set_attribute(0, xi, "Negated", Some("true"));
        editor.execute(t).expect("flag");
        let attributes = |e: &Editor| {
            e.project.documents[0]
                .spans
                .get(xi)
                .map(|s| s.attributes.clone().into_map())
                .expect("span")
        };
        assert_eq!(
            attributes(&editor),
            [
                ("Negated".into(), "true".into()),
                ("Role".into(), "host".into())
            ]
            .into()
        );
        for (span, name, value, problem) in [
            (
                xi,
                "Role",
                "chef",
                "\"chef\" is not one of the values of attribute Role",
            ),
            (beijing, "Role", "host", "not defined for label GPE"),
            (xi, "Negated", "yes", "is a flag"),
            (xi, "Colour", "red", "attribute Colour has no definition"),
        ] {
            let t = editor.project.set_attribute(0, span, name, Some(value));
            let error = editor.execute(t).expect_err("refused").to_string();
            assert!(error.contains(problem), "{error}");
        }
        let t = editor.project.set_attribute(0, xi, "Role", None);
        editor.execute(t).expect("clear");
        assert_eq!(
            attributes(&editor),
            [("Negated".into(), "true".into())].into()
        );
        editor.undo().expect("undo").expect("a step");
        assert_eq!(
            attributes(&editor).get("Role").map(String::as_str),
            Some("host")
        );
        // A definition still in use cannot go; an unused one can, and comes back on undo.
        let t = editor.project.remove_attribute(1);
        assert_eq!(
            editor.execute(t),
            Err(EditError::AttributeInUse("Role".into()))
        );
        let t = editor.project.set_attribute(0, xi, "Role", None);
        editor.execute(t).expect("clear");
        let t = editor.project.remove_attribute(1);
        editor.execute(t).expect("remove");
        assert!(editor.project.attribute("Role").is_none());
        editor.undo().expect("undo").expect("a step");
        assert_eq!(
            editor.project.attribute("Role").map(|a| a.values.clone()),
            Some(vec!["host".to_owned(), "guest".to_owned()])
        );
    }

    #[test]
    fn a_value_the_definition_no_longer_allows_comes_back_on_undo() {
        let (mut editor, [xi, _, castro]) = related();
        for span in [xi, castro] {
            let t = editor.project.set_attribute(0, span, "Role", Some("guest"));
            editor.execute(t).expect("set");
        }
        // "guest" is no longer offered: the spans keep it, as an import's value would be kept.
        let mut role = editor.project.attributes()[1].clone();
        role.values = vec!["host".into()];
        let t = editor.project.edit_attribute(1, role);
        editor.execute(t).expect("narrow");
        let role_of = |e: &Editor, id: SpanId| {
            e.project.documents[0]
                .spans
                .get(id)
                .and_then(|s| s.attributes.get("Role").cloned())
        };
        let t = editor.project.set_attribute(0, xi, "Role", None);
        editor.execute(t).expect("clear");
        assert_eq!(role_of(&editor, xi), None);
        editor
            .undo()
            .expect("undo brings the refused value back")
            .expect("a step");
        assert_eq!(role_of(&editor, xi).as_deref(), Some("guest"));
        editor.redo().expect("redo").expect("a step");
        assert_eq!(role_of(&editor, xi), None);
        // Setting it anew is still refused.
        let t = editor.project.set_attribute(0, xi, "Role", Some("guest"));
        assert!(editor.execute(t).is_err());
        // The definition goes with its values in one step, and comes back with them.
        let t = editor.project.remove_attribute_and_values(1);
        assert_eq!(
            t.description,
            "remove attribute Role and its value on 1 span"
        );
        editor.execute(t).expect("remove");
        assert!(editor.project.attribute("Role").is_none());
        assert_eq!(role_of(&editor, castro), None);
        editor.undo().expect("undo").expect("a step");
        assert_eq!(role_of(&editor, castro).as_deref(), Some("guest"));
        assert_eq!(editor.project.attributes()[1].values, ["host"]);
    }

    #[test]
    fn relation_types_follow_label_renames_and_cannot_go_while_used() {
        let (mut editor, [xi, _, castro]) = related();
        let t = editor.project.relate(0, xi, castro, "meets");
        editor.execute(t).expect("relate");
        let t = editor.project.remove_relation_type(0);
        assert_eq!(
            editor.execute(t),
            Err(EditError::RelationTypeInUse("meets".into()))
        );
        let t = editor
            .project
            .add_relation_type(RelationType::new("meets", Rgb(0, 0, 0)));
        assert!(editor.execute(t).is_err(), "a second type named meets");
        // Relabelling 卡斯特罗 to GPE would break `meets` (PER → PER): refused.
        let mut castro_gpe = editor.project.documents[0]
            .spans
            .get(castro)
            .cloned()
            .expect("s");
        castro_gpe.label = "GPE".into();
        let t = editor.project.change_span("relabel", 0, castro_gpe);
        assert!(editor.execute(t).is_err());
        // Renaming PER renames it in the relation types and attribute definitions too.
        let mut per = editor.project.labels.get("PER").cloned().expect("PER");
        per.name = "PERSON".into();
        let t = editor.project.edit_label(0, per);
        editor.execute(t).expect("rename");
        let meets = editor.project.relation_type("meets").expect("meets");
        assert_eq!(meets.from_labels, ["PERSON"]);
        assert_eq!(
            editor.project.attribute("Role").expect("Role").labels,
            ["PERSON"]
        );
        editor.undo().expect("undo").expect("a step");
        assert_eq!(
            editor.project.relation_type("meets").expect("m").to_labels,
            ["PER"]
        );
        // Unused, a type goes and comes back with undo.
        let t = editor.project.remove_relation_type(1);
        editor.execute(t).expect("remove in");
        assert!(editor.project.relation_type("in").is_none());
        editor.undo().expect("undo").expect("a step");
        assert_eq!(editor.project.relation_types()[1].name, "in");
    }

    #[test]
    fn renaming_a_relation_type_or_attribute_follows_it_everywhere_and_undoes() {
        let (mut editor, [xi, _, castro]) = related();
        let t = editor.project.relate(0, xi, castro, "meets");
        editor.execute(t).expect("relate");
        let t = editor.project.set_attribute(0, xi, "Role", Some("host"));
        editor.execute(t).expect("set");
        let mut greets = editor.project.relation_types()[0].clone();
        greets.name = "greets".into();
        greets.hotkey = Some('g');
        let t = editor.project.edit_relation_type(0, greets);
        editor.execute(t).expect("rename type");
        assert_eq!(relations(&editor.project)[0].1, "greets");
        // A name another type has is refused.
        let mut clash = editor.project.relation_types()[0].clone();
        clash.name = "in".into();
        let t = editor.project.edit_relation_type(0, clash);
        assert!(editor.execute(t).is_err());
        let mut part = editor.project.attributes()[1].clone();
        part.name = "Part".into();
        let t = editor.project.edit_attribute(1, part);
        editor.execute(t).expect("rename attribute");
        let value = |e: &Editor, name: &str| {
            e.project.documents[0]
                .spans
                .get(xi)
                .and_then(|s| s.attributes.get(name).cloned())
        };
        assert_eq!(value(&editor, "Part").as_deref(), Some("host"));
        assert_eq!(value(&editor, "Role"), None);
        editor.undo().expect("undo").expect("a step");
        assert_eq!(value(&editor, "Role").as_deref(), Some("host"));
        editor.undo().expect("undo").expect("a step");
        assert_eq!(relations(&editor.project)[0].1, "meets");
        assert_eq!(editor.project.relation_types()[0].hotkey, None);
    }
}
