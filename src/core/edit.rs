//! Edits: every change to a project is a [`Transaction`] of invertible [`Edit`]s.
//!
//! Undo applies the inverse; a multi-span change (renaming a label, tagging all occurrences) is one
//! transaction and so one undo step. Nothing outside this module changes spans or labels.

use super::attribute::AttributeDef;
use super::document::DocId;
use super::label::Label;
use super::relation::{Relation, RelationType};
use super::span::Span;

/// Spans and relations are addressed by document id ([`DocId`]), never by a document's position
/// in the list; labels, relation types and attribute definitions by their position in their
/// list. An attribute value is set or cleared with a `ChangeSpan` (the values are the span's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Add `span` to document `doc`. A span whose id is [`crate::core::SpanId::NEW`] gets a
    /// fresh id when the edit is applied; the applied transaction (what the history keeps) has
    /// the real id, so undo and redo bring back exactly that span.
    AddSpan {
        doc: DocId,
        span: Span,
    },
    RemoveSpan {
        doc: DocId,
        span: Span,
    },
    /// Same id, any other field changed (label, bounds, note, status, ...).
    ChangeSpan {
        doc: DocId,
        before: Span,
        after: Span,
    },
    AddLabel {
        index: usize,
        label: Label,
    },
    RemoveLabel {
        index: usize,
        label: Label,
    },
    /// Change the label at `index`. A new name also renames every span that used the old one
    /// (in every document): a rename is one edit, and its inverse renames them back.
    ChangeLabel {
        index: usize,
        before: Label,
        after: Label,
    },
    /// Add `relation` to document `doc`; [`crate::core::RelationId::NEW`] gets a fresh id, as
    /// for spans.
    AddRelation {
        doc: DocId,
        relation: Relation,
    },
    RemoveRelation {
        doc: DocId,
        relation: Relation,
    },
    /// Same id, any other field changed (type, ends, status, note).
    ChangeRelation {
        doc: DocId,
        before: Relation,
        after: Relation,
    },
    AddRelationType {
        index: usize,
        relation_type: RelationType,
    },
    RemoveRelationType {
        index: usize,
        relation_type: RelationType,
    },
    /// Change the relation type at `index`. A new name also retypes every relation that used
    /// the old one, as a label rename relabels spans.
    ChangeRelationType {
        index: usize,
        before: RelationType,
        after: RelationType,
    },
    AddAttribute {
        index: usize,
        attribute: AttributeDef,
    },
    RemoveAttribute {
        index: usize,
        attribute: AttributeDef,
    },
    /// Change the attribute definition at `index`. A new name also renames the attribute on
    /// every span that carries it.
    ChangeAttribute {
        index: usize,
        before: AttributeDef,
        after: AttributeDef,
    },
    /// Mark document `doc` done (or not done); applied only when it is not already so, and its
    /// inverse flips it back (see [`super::doc_status`]).
    SetDone {
        doc: DocId,
        done: bool,
    },
}

impl Edit {
    /// The document a span or relation edit changes (edits of the label set, the relation
    /// types and the attribute definitions change none).
    pub fn doc(&self) -> Option<&DocId> {
        match self {
            Self::AddSpan { doc, .. }
            | Self::RemoveSpan { doc, .. }
            | Self::ChangeSpan { doc, .. }
            | Self::AddRelation { doc, .. }
            | Self::RemoveRelation { doc, .. }
            | Self::ChangeRelation { doc, .. }
            | Self::SetDone { doc, .. } => Some(doc),
            Self::AddLabel { .. }
            | Self::RemoveLabel { .. }
            | Self::ChangeLabel { .. }
            | Self::AddRelationType { .. }
            | Self::RemoveRelationType { .. }
            | Self::ChangeRelationType { .. }
            | Self::AddAttribute { .. }
            | Self::RemoveAttribute { .. }
            | Self::ChangeAttribute { .. } => None,
        }
    }

    /// The span as this edit leaves it, if it leaves one (added or changed): what to select
    /// after the edit, its undo or its redo.
    pub fn span_after(&self) -> Option<&Span> {
        match self {
            Self::AddSpan { span, .. } | Self::ChangeSpan { after: span, .. } => Some(span),
            _ => None,
        }
    }

    pub fn invert(&self) -> Self {
        match self.clone() {
            Self::AddSpan { doc, span } => Self::RemoveSpan { doc, span },
            Self::RemoveSpan { doc, span } => Self::AddSpan { doc, span },
            Self::ChangeSpan { doc, before, after } => Self::ChangeSpan {
                doc,
                before: after,
                after: before,
            },
            Self::AddLabel { index, label } => Self::RemoveLabel { index, label },
            Self::RemoveLabel { index, label } => Self::AddLabel { index, label },
            Self::ChangeLabel {
                index,
                before,
                after,
            } => Self::ChangeLabel {
                index,
                before: after,
                after: before,
            },
            Self::AddRelation { doc, relation } => Self::RemoveRelation { doc, relation },
            Self::RemoveRelation { doc, relation } => Self::AddRelation { doc, relation },
            Self::ChangeRelation { doc, before, after } => Self::ChangeRelation {
                doc,
                before: after,
                after: before,
            },
            Self::AddRelationType {
                index,
                relation_type,
            } => Self::RemoveRelationType {
                index,
                relation_type,
            },
            Self::RemoveRelationType {
                index,
                relation_type,
            } => Self::AddRelationType {
                index,
                relation_type,
            },
            Self::ChangeRelationType {
                index,
                before,
                after,
            } => Self::ChangeRelationType {
                index,
                before: after,
                after: before,
            },
            Self::ChangeAttribute {
                index,
                before,
                after,
            } => Self::ChangeAttribute {
                index,
                before: after,
                after: before,
            },
            Self::AddAttribute { index, attribute } => Self::RemoveAttribute { index, attribute },
            Self::RemoveAttribute { index, attribute } => Self::AddAttribute { index, attribute },
            Self::SetDone { doc, done } => Self::SetDone { doc, done: !done },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    /// What the user did, for the Edit menu ("Undo tag PER").
    pub description: String,
    pub edits: Vec<Edit>,
}

impl Transaction {
    pub fn new(description: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            description: description.into(),
            edits,
        }
    }

    pub fn invert(&self) -> Self {
        Self {
            description: self.description.clone(),
            edits: self.edits.iter().rev().map(Edit::invert).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// The first document the transaction changes: where undo and redo should take the view.
    pub fn first_doc(&self) -> Option<&DocId> {
        self.edits.iter().find_map(Edit::doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::span::SpanId;

    #[test]
    fn a_transaction_names_the_document_and_spans_it_leaves() {
        let doc = DocId::new("b");
        let span = Span::new(SpanId(4), 0, 2, "GPE");
        let t = Transaction::new(
            "tag",
            vec![
                Edit::AddLabel {
                    index: 0,
                    label: Label::new("GPE", crate::core::label::PALETTE[0], None, ""),
                },
                Edit::AddSpan {
                    doc: doc.clone(),
                    span: span.clone(),
                },
            ],
        );
        assert_eq!(t.first_doc(), Some(&doc));
        assert_eq!(t.edits[1].span_after(), Some(&span));
        // Undone, the span is gone: nothing to select, the same document to show.
        let undo = t.invert();
        assert_eq!(undo.first_doc(), Some(&doc));
        assert!(undo.edits.iter().all(|e| e.span_after().is_none()));
    }
}
