//! The window's state types that panels and dialogs read, grouped by how long they live: the
//! open project's (compare session), the view's (review, find), and modal dialogs'. Persisted
//! preferences are in [`super::preferences`]. Nothing here draws or applies anything.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::core::agreement::AgreementReport;
use crate::core::assist::{Hit, Query, Scope};
use crate::core::attribute::AttributeFilter;
use crate::core::compare::Comparison;
use crate::core::formats::{Format, Scheme};
use crate::core::lock::LockInfo;
use crate::core::project_file::DocumentDrift;
use crate::core::recovery::SpanChanges;
use crate::core::tagger::Evaluation;
use crate::core::{Span, SpanId, SpanStatus, Transaction};

/// What to do once the user has answered "save changes?".
#[derive(Clone, Debug, PartialEq)]
pub enum AfterConfirm {
    Quit,
    Compare,
    Import(Format),
    Open(Option<PathBuf>),
    NewFromText(Option<Vec<PathBuf>>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Dialog {
    Error {
        title: String,
        message: String,
    },
    /// Something went well and there is more to say than fits the status bar.
    Info {
        title: String,
        message: String,
    },
    /// Saving failed; the work is still in memory.
    SaveFailed {
        message: String,
    },
    UnsavedChanges(AfterConfirm),
    /// Another running Spantag has the project open.
    Locked {
        path: PathBuf,
        holder: LockInfo,
    },
    /// Unsaved work from an earlier session was found next to the project.
    Recovery {
        recovery: PathBuf,
        changes: Result<SpanChanges, String>,
        comparing: bool,
    },
    /// The text of some documents changed after they were annotated.
    Drift {
        report: Vec<DocumentDrift>,
    },
    /// Which label the mentions of `.txt` gazetteers get, before pre-annotating with `paths`.
    AskListLabel {
        paths: Vec<PathBuf>,
    },
    /// Accept or reject many suggestions at once: the count first.
    ConfirmBulk {
        review: BulkReview,
        /// "12 suggestions of 古巴 as GPE in all documents".
        what: String,
        count: usize,
    },
}

/// What a training job hands back: the suggestions made from a snapshot of the project.
#[derive(Clone, Debug, PartialEq)]
pub struct Trained {
    pub transaction: Transaction,
    /// Precision, recall and F1 on held-out spans (`None`: too few to hold any out).
    pub evaluation: Option<Evaluation>,
    /// The history state of the snapshot it was trained on.
    pub trained_at: u64,
}

/// Which suggestions a bulk review decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkScope {
    /// With the selected span's text and label, in every document.
    SameTextAndLabel,
    /// With the selected span's label, in this document.
    SameLabel,
    /// Every suggestion in this document.
    Document,
}

/// Accept (or reject) the suggestions of a scope, as one undo step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkReview {
    pub scope: BulkScope,
    pub accept: bool,
}

/// How to open a project that another Spantag holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    Normal,
    ReadOnly,
    /// Open and take the lock even though another process holds it.
    Anyway,
}

/// Review mode and its filter: step through spans, accept or reject each. The filter is
/// remembered in the preferences.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewState {
    #[serde(skip)]
    pub on: bool,
    pub label: Option<String>,
    pub status: Option<SpanStatus>,
    /// `Some(None)`: spans without an annotator.
    pub annotator: Option<Option<String>>,
    /// Only spans that carry this attribute (with this value, if it names one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<AttributeFilter>,
}

impl ReviewState {
    pub fn matches(&self, span: &Span) -> bool {
        self.label.as_ref().is_none_or(|l| *l == span.label)
            && self.status.is_none_or(|s| s == span.status)
            && self
                .annotator
                .as_ref()
                .is_none_or(|a| a.as_deref() == span.annotator.as_deref())
            && self.attribute.as_ref().is_none_or(|a| a.matches(span))
    }

    /// Whether Tab / N / P step onto `span`: a shown span (rejected ones only with
    /// `show_rejected`, or when reviewing rejected spans), and in review mode one the filter
    /// lets through.
    pub fn steps_through(&self, span: &Span, show_rejected: bool) -> bool {
        (span.status != SpanStatus::Rejected
            || show_rejected
            || self.status == Some(SpanStatus::Rejected))
            && (!self.on || self.matches(span))
    }
}

/// The review filter as a command carries it.
pub type ReviewFilter = ReviewState;

/// The find bar: what is looked for, where, and the hits of the last search.
#[derive(Default)]
pub struct FindState {
    pub open: bool,
    pub query: String,
    /// `query` is a regex (`regex` crate syntax), not plain text.
    pub regex: bool,
    pub case_sensitive: bool,
    /// Look in every document, not only the shown one.
    pub whole_project: bool,
    pub focus: bool,
    /// The query field had the keyboard in the last frame.
    pub field_focused: bool,
    /// Why there are no hits: a regex that does not compile, or nothing found.
    pub message: Option<String>,
    /// Every hit of the query, in document order (see [`crate::core::assist::find`]).
    pub hits: Vec<Hit>,
    /// The hit the bar last stepped to, an index into `hits`.
    pub current: Option<usize>,
    /// The label "Tag all" uses.
    pub tag_label: Option<String>,
    /// What `hits` were found for; a different key means searching again.
    pub searched: Option<FindKey>,
}

/// "Also tag the N other occurrences" of the selected span: counted once per selection and
/// project state, not per frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherOccurrences {
    pub span: SpanId,
    /// The span's text.
    pub text: String,
    pub label: String,
    /// Occurrences in the project that "also tag" would add (not covered, not rejected).
    pub count: usize,
    /// The (project generation, history state) it was counted at.
    pub counted_at: (u64, u64),
}

/// An "also tag" count under way, a bounded number of hits per frame (see
/// [`crate::core::assist::OccurrenceCount`]).
#[derive(Debug)]
pub struct PendingOccurrences {
    pub span: SpanId,
    pub text: String,
    pub label: String,
    /// The (project generation, history state) it counts at: any edit starts it over.
    pub counted_at: (u64, u64),
    pub steps: crate::core::assist::OccurrenceCount,
}

/// Everything the hits depend on: the query, the scope and the project's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindKey {
    pub query: Query,
    pub scope: Scope,
    pub generation: u64,
    pub history: u64,
}

/// The options form shown before exporting to a token format.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportForm {
    pub format: Format,
    /// The tagging scheme of token formats (BIO, IOB1, BIOES, BILOU, BMES).
    pub scheme: Scheme,
    pub word_tokens: bool,
    pub strict: bool,
    /// CoNLL only: CoNLL-2003's four columns with a `-DOCSTART-` line before every document.
    pub conll2003: bool,
    /// CoNLL only: no `-DOCSTART-` lines between documents.
    pub no_docstart: bool,
}

impl ExportForm {
    /// The form as it first appears: BIO over characters, spans that cannot be tagged listed.
    pub fn new(format: Format) -> ExportForm {
        ExportForm {
            format,
            scheme: Scheme::Bio,
            word_tokens: false,
            strict: false,
            conll2003: false,
            no_docstart: false,
        }
    }
}

/// Comparing annotators: the project being edited is then the gold project.
pub struct CompareSession {
    pub comparison: Comparison,
    /// Units decided as "neither" (they leave no span in gold), by (document, unit), with the
    /// history state the decision made: undoing past it undoes the decision.
    pub neither: HashMap<(usize, usize), u64>,
    pub show_agreements: bool,
    pub selected_unit: Option<usize>,
    /// The agreement figures of the compared files (`spantag agree`'s), or why there are none.
    pub agreement: Result<AgreementReport, String>,
    /// The compared files: never written from here.
    pub sources: Vec<PathBuf>,
}

/// Drawing a relation (`R` with a span selected): first its second span, then its type. Lives
/// until the relation is made or the drawing is cancelled (`Esc`, another document).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelationDraft {
    /// The relation starts at `from`; a click, or `Tab` / `Shift+Tab` then `Enter`, picks the
    /// span it ends at. `candidate` is the span `Tab` stepped to.
    ChoosingEnd {
        from: SpanId,
        candidate: Option<SpanId>,
    },
    /// Both ends are chosen: the type is next (a button, a type's hotkey, or a new type's
    /// name typed into `new_type`).
    ChoosingType {
        from: SpanId,
        to: SpanId,
        new_type: String,
        /// Put the keyboard in the name field once (the project has no types to pick).
        focus_name: bool,
    },
}

impl RelationDraft {
    pub fn from(&self) -> SpanId {
        match self {
            Self::ChoosingEnd { from, .. } | Self::ChoosingType { from, .. } => *from,
        }
    }

    /// The span the relation would end at, as far as it is known.
    pub fn to(&self) -> Option<SpanId> {
        match self {
            Self::ChoosingEnd { candidate, .. } => *candidate,
            Self::ChoosingType { to, .. } => Some(*to),
        }
    }
}
