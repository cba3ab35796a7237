//! What panels and dialogs read in a frame: borrowed from the app's state, never changed
//! through it (they send commands instead).

use super::derived::Derived;
use super::state::{CompareSession, OtherOccurrences, ReviewState};
use crate::core::history::History;
use crate::core::{AnnotatedDocument, Project, RelationId, SpanId};

/// What panels and dialogs read in a frame: borrowed, never changed by them (they send
/// commands instead).
pub struct Shown<'a> {
    pub project: &'a Project,
    pub history: &'a History,
    pub doc: usize,
    pub selected_span: Option<SpanId>,
    pub review: &'a ReviewState,
    pub show_rejected: bool,
    pub annotator: Option<&'a str>,
    pub compare: Option<&'a CompareSession>,
    pub derived: &'a Derived,
    /// An autosave is being written.
    pub autosaving: bool,
    /// The selected span's other occurrences, when there are any to tag.
    pub other_occurrences: Option<&'a OtherOccurrences>,
    /// The preference: "also tag" adds suggestions.
    pub occurrences_as_suggestions: bool,
    /// The relation selected (in the text or a panel list).
    pub selected_relation: Option<RelationId>,
}

impl Shown<'_> {
    pub fn current_doc(&self) -> Option<&AnnotatedDocument> {
        self.project.documents.get(self.doc)
    }
}
