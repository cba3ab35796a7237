//! A tagged span: a half-open range `[start, end)` of code points with a label.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Unique within a project, stable across edits and saves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SpanId(pub u64);

impl std::fmt::Display for SpanId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Review state of a span. Manual and imported work is `Accepted`; pre-annotation makes
/// `Suggested` spans; `Rejected` ones are kept for the record.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SpanStatus {
    #[default]
    Accepted,
    Suggested,
    Rejected,
}

impl SpanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Suggested => "suggested",
            Self::Rejected => "rejected",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub id: SpanId,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub note: Option<String>,
    pub annotator: Option<String>,
    pub status: SpanStatus,
    /// Fragments of one discontinuous mention (brat's `T1 PER 0 2;5 7`) share a group id.
    pub group: Option<u64>,
    /// Free-form key/value attributes (brat attributes, review flags, ...).
    pub attributes: BTreeMap<String, String>,
}

impl Span {
    pub fn new(id: SpanId, start: usize, end: usize, label: impl Into<String>) -> Self {
        Self {
            id,
            start,
            end,
            label: label.into(),
            note: None,
            annotator: None,
            status: SpanStatus::Accepted,
            group: None,
            attributes: BTreeMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// True when the two spans share at least one code point.
    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        self.start < end && start < self.end
    }

    /// True when code point `offset` is inside the span.
    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// The order spans are kept and written in: by position, longest first, then by id.
    pub fn sort_key(&self) -> (usize, std::cmp::Reverse<usize>, SpanId) {
        (self.start, std::cmp::Reverse(self.end), self.id)
    }
}
