//! A tagged span: a half-open range `[start, end)` of code points with a label.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::shared_str::SharedStr;
pub use super::span_attributes::SpanAttributes;
pub use super::span_note::SpanNote;

/// Unique within a project, stable across edits and saves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SpanId(pub u64);

impl SpanId {
    /// The id of a span that an edit adds but that has no id yet: `Project::apply` gives it a
    /// fresh one, so edits can be built from a snapshot of the project (a background job, two
    /// edits built before either is applied) without two spans ever getting the same id. Never
    /// the id of a span in a project (ids are at most [`crate::core::validate::MAX_SPAN_ID`]).
    pub const NEW: SpanId = SpanId(u64::MAX);
}

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

/// A project may hold 100,000 spans, and every loaded span is one of these: its size is most of
/// the memory a big project takes (see [`SPAN_SIZE`]). The fields that most spans leave empty
/// (note, annotator, attributes) cost a pointer each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub id: SpanId,
    pub start: usize,
    pub end: usize,
    /// Shared with every span of the same label (a project has a handful of labels and may have
    /// 100,000 spans); reads as a `&str`.
    pub label: SharedStr,
    /// Reads as an `Option<&str>` through `as_deref()`; 8 bytes (an `Option<String>` was 24).
    pub note: Option<SpanNote>,
    /// Shared like the label.
    pub annotator: Option<SharedStr>,
    pub status: SpanStatus,
    /// Fragments of one discontinuous mention (brat's `T1 PER 0 2;5 7`) share a group id.
    pub group: Option<u64>,
    /// Free-form key/value attributes (brat attributes, review flags, ...): reads as a
    /// `BTreeMap<String, String>`, one pointer when empty.
    pub attributes: SpanAttributes,
}

/// The size of a [`Span`] in bytes (a test keeps it from growing unnoticed): 128 before the
/// label, annotator, note and attributes were made thin.
pub const SPAN_SIZE: usize = std::mem::size_of::<Span>();

impl Span {
    pub fn new(id: SpanId, start: usize, end: usize, label: impl Into<SharedStr>) -> Self {
        Self {
            id,
            start,
            end,
            label: label.into(),
            note: None,
            annotator: None,
            status: SpanStatus::Accepted,
            group: None,
            attributes: SpanAttributes::new(),
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

/// The spans kept when overlaps are not allowed (BIO tags, `doc.ents`, per-character labels).
pub struct LongestFirst<'a> {
    /// The spans kept, none overlapping another, in [`Span::sort_key`] order.
    pub kept: Vec<&'a Span>,
    /// Each span left out with the kept span it overlaps, in [`Span::sort_key`] order of the
    /// span left out.
    pub dropped: Vec<(&'a Span, &'a Span)>,
}

/// Which of two overlapping spans [`longest_first`] keeps: the lower.
type Priority = (std::cmp::Reverse<usize>, usize, SpanId);

/// Resolve overlaps: the longest span wins, ties go to the earliest start, then to the lowest
/// id. Spans are taken in that order and each is kept unless it overlaps one already kept (the
/// first kept in that order, when it overlaps two). This one rule serves the CoNLL, Hugging Face
/// and spaCy exports and the agreement figures.
///
/// O(n log n): the kept spans never overlap one another, so kept by start they are also sorted
/// by end, and the ones a span overlaps are the few just before its end. The sorts work on
/// copied keys, not through the references (a sort that follows pointers into 100,000 spans
/// spends its time on cache misses).
pub fn longest_first<'a>(spans: &[&'a Span]) -> LongestFirst<'a> {
    // (priority, end, input position): the position keeps equal spans in input order. The end
    // is copied too, so that nothing after this one pass in input order follows a reference
    // (the spans are read in priority order, which jumps all over them).
    let mut by_priority: Vec<(Priority, usize, usize)> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| ((std::cmp::Reverse(s.len()), s.start, s.id), s.end, i))
        .collect();
    by_priority.sort_unstable();
    // Kept span by start: (end, rank in priority order, input position).
    let mut kept_by_start: BTreeMap<usize, (usize, usize, usize)> = BTreeMap::new();
    // (document order, then rank: equal keys stay in the order they were taken; position).
    type Placed = ((usize, std::cmp::Reverse<usize>, SpanId, usize), usize);
    let mut kept: Vec<Placed> = Vec::new();
    let mut dropped: Vec<(Placed, usize)> = Vec::new();
    for (rank, &((_, start, id), end, i)) in by_priority.iter().enumerate() {
        let order = (start, std::cmp::Reverse(end), id, rank);
        let winner = kept_by_start
            .range(..end)
            .rev()
            .map(|(_, k)| *k)
            .take_while(|&(kept_end, _, _)| kept_end > start)
            .min_by_key(|&(_, kept_rank, _)| kept_rank);
        match winner {
            Some((_, _, w)) => dropped.push(((order, i), w)),
            None => {
                // An empty span overlaps nothing and is kept without taking a place.
                if end > start {
                    kept_by_start.insert(start, (end, rank, i));
                }
                kept.push((order, i));
            }
        }
    }
    kept.sort_unstable();
    dropped.sort_unstable();
    LongestFirst {
        kept: kept.into_iter().map(|(_, i)| spans[i]).collect(),
        dropped: dropped
            .into_iter()
            .map(|((_, i), w)| (spans[i], spans[w]))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: u64, start: usize, end: usize, label: &str) -> Span {
        Span::new(SpanId(id), start, end, label)
    }

    #[test]
    fn a_span_stays_small() {
        // 100,000 spans are 100,000 of these: a field that grows it grows every big project.
        const { assert!(SPAN_SIZE <= 80, "a Span grew past 80 bytes") };
    }

    #[test]
    fn longest_wins_then_earliest_then_lowest_id() {
        // 古巴共产党 ORG [0, 5) contains 古巴 GPE [0, 2): the longer ORG wins.
        // [6, 8) and [7, 9) tie on length: the earlier [6, 8) wins.
        // [10, 12) twice (ids 6 and 5): the lower id wins.
        let spans = [
            span(1, 0, 2, "GPE"),
            span(2, 0, 5, "ORG"),
            span(3, 7, 9, "PER"),
            span(4, 6, 8, "PER"),
            span(6, 10, 12, "LOC"),
            span(5, 10, 12, "GPE"),
        ];
        let refs: Vec<&Span> = spans.iter().collect();
        let result = longest_first(&refs);
        let kept: Vec<u64> = result.kept.iter().map(|s| s.id.0).collect();
        assert_eq!(kept, [2, 4, 5]);
        let dropped: Vec<(u64, u64)> = result
            .dropped
            .iter()
            .map(|(loser, winner)| (loser.id.0, winner.id.0))
            .collect();
        assert_eq!(dropped, [(1, 2), (3, 4), (6, 5)]);
    }

    /// The rule as first written: every span against every kept one, O(n²).
    fn longest_first_quadratic<'a>(spans: &[&'a Span]) -> LongestFirst<'a> {
        let mut by_priority: Vec<&Span> = spans.to_vec();
        by_priority.sort_by_key(|s| (std::cmp::Reverse(s.len()), s.start, s.id));
        let mut kept: Vec<&Span> = Vec::new();
        let mut dropped = Vec::new();
        for span in by_priority {
            match kept.iter().find(|k| k.overlaps(span.start, span.end)) {
                Some(winner) => dropped.push((span, *winner)),
                None => kept.push(span),
            }
        }
        kept.sort_by_key(|s| s.sort_key());
        dropped.sort_by_key(|(s, _)| s.sort_key());
        LongestFirst { kept, dropped }
    }

    #[test]
    fn same_result_as_the_quadratic_rule_on_random_spans() {
        // A fixed xorshift: the same cases on every run, no test dependency.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |below: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below) as usize
        };
        for case in 0..400 {
            let text_len = 5 + next(60);
            let count = next(40);
            let spans: Vec<Span> = (0..count)
                .map(|i| {
                    let start = next(text_len as u64);
                    // Mostly short, some long, some empty, ids not in position order.
                    let len = match next(10) {
                        0 => 0,
                        1 => next(text_len as u64),
                        _ => 1 + next(6),
                    };
                    let id = (count - i) as u64 * 7 % 101;
                    span(id, start, (start + len).min(text_len), "X")
                })
                .collect();
            let refs: Vec<&Span> = spans.iter().collect();
            let ids = |r: &LongestFirst| {
                let kept: Vec<_> = r.kept.iter().map(|s| (s.id, s.start, s.end)).collect();
                let dropped: Vec<_> = r
                    .dropped
                    .iter()
                    .map(|(l, w)| (l.id, l.start, l.end, w.id, w.start, w.end))
                    .collect();
                (kept, dropped)
            };
            assert_eq!(
                ids(&longest_first(&refs)),
                ids(&longest_first_quadratic(&refs)),
                "case {case}: {spans:?}"
            );
        }
    }
}
