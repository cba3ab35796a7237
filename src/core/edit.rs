//! Edits: every change to a project is a [`Transaction`] of invertible [`Edit`]s.
//!
//! Undo applies the inverse; a multi-span change (renaming a label, tagging all occurrences) is one
//! transaction and so one undo step. Nothing outside this module changes spans or labels.

use super::document::DocId;
use super::label::Label;
use super::span::Span;

/// Spans are addressed by document id ([`DocId`]), never by a document's position in the list;
/// labels by their position in the label set.
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
    /// Mark document `doc` done (or not done); applied only when it is not already so, and its
    /// inverse flips it back (see [`super::doc_status`]).
    SetDone {
        doc: DocId,
        done: bool,
    },
}

impl Edit {
    /// The document a span edit changes (label edits change none).
    pub fn doc(&self) -> Option<&DocId> {
        match self {
            Self::AddSpan { doc, .. }
            | Self::RemoveSpan { doc, .. }
            | Self::ChangeSpan { doc, .. }
            | Self::SetDone { doc, .. } => Some(doc),
            Self::AddLabel { .. } | Self::RemoveLabel { .. } | Self::ChangeLabel { .. } => None,
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
