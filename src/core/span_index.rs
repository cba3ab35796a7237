//! The spans of one document, kept sorted by position for range queries.
//!
//! Rendering asks "which spans touch these visible lines?" every frame, so lookups are a binary
//! search plus a bounded backward step: every span that overlaps `[a, b)` starts in
//! `[a - longest, b)`, where `longest` is the length of the longest span.

use std::collections::HashMap;

use super::span::{Span, SpanId};

/// What [`Span::sort_key`] returns: position, longest first, id.
type SortKey = (usize, std::cmp::Reverse<usize>, SpanId);

#[derive(Clone, Debug, Default)]
pub struct SpanIndex {
    /// Sorted by [`Span::sort_key`].
    spans: Vec<Span>,
    /// The sort key of each span by id: finding a span by id is a binary search, not a scan
    /// (every edit, undo and redo looks its spans up by id; a rename touches thousands).
    keys: HashMap<SpanId, SortKey>,
    longest: usize,
}

impl SpanIndex {
    pub fn new(mut spans: Vec<Span>) -> Self {
        spans.sort_by_key(Span::sort_key);
        let longest = spans.iter().map(Span::len).max().unwrap_or(0);
        let keys = spans.iter().map(|s| (s.id, s.sort_key())).collect();
        Self {
            spans,
            keys,
            longest,
        }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// All spans in document order.
    pub fn iter(&self) -> std::slice::Iter<'_, Span> {
        self.spans.iter()
    }

    pub fn as_slice(&self) -> &[Span] {
        &self.spans
    }

    pub fn get(&self, id: SpanId) -> Option<&Span> {
        self.position(id).map(|at| &self.spans[at])
    }

    pub fn position(&self, id: SpanId) -> Option<usize> {
        let key = self.keys.get(&id)?;
        self.spans.binary_search_by(|s| s.sort_key().cmp(key)).ok()
    }

    /// True when the index holds exactly `span` (same id and every field). Found by `span`'s
    /// own sort key, so an edit that carries the span it changes needs no id lookup.
    pub fn holds(&self, span: &Span) -> bool {
        self.position_of(span)
            .is_some_and(|at| self.spans[at] == *span)
    }

    /// Where the span with `span`'s id and bounds is, by binary search on its sort key.
    fn position_of(&self, span: &Span) -> Option<usize> {
        let key = span.sort_key();
        self.spans.binary_search_by(|s| s.sort_key().cmp(&key)).ok()
    }

    /// Spans that share at least one code point with `[start, end)`, in document order.
    pub fn overlapping(&self, start: usize, end: usize) -> impl Iterator<Item = &Span> {
        let from = self
            .spans
            .partition_point(|s| s.start < start.saturating_sub(self.longest));
        let to = self.spans.partition_point(|s| s.start < end);
        self.spans[from..to.max(from)]
            .iter()
            .filter(move |s| s.overlaps(start, end))
    }

    /// Spans containing code point `offset`, outermost first.
    pub fn at(&self, offset: usize) -> impl Iterator<Item = &Span> {
        self.overlapping(offset, offset + 1)
    }

    /// A span with exactly these bounds and label, if one exists.
    pub fn find_exact(&self, start: usize, end: usize, label: &str) -> Option<&Span> {
        self.overlapping(start, end.max(start + 1))
            .find(|s| s.start == start && s.end == end && s.label == label)
    }

    /// Add a span; its id must not be in the index yet (the project checks that first).
    pub(crate) fn insert(&mut self, span: Span) {
        let key = span.sort_key();
        let at = self.spans.partition_point(|s| s.sort_key() < key);
        self.longest = self.longest.max(span.len());
        self.keys.insert(span.id, key);
        self.spans.insert(at, span);
    }

    pub(crate) fn remove(&mut self, id: SpanId) -> Option<Span> {
        let at = self.position(id)?;
        let span = self.spans.remove(at);
        self.keys.remove(&id);
        if span.len() == self.longest {
            self.longest = self.spans.iter().map(Span::len).max().unwrap_or(0);
        }
        Some(span)
    }

    /// Put `after` in the place of `before` (same id). A change that keeps the bounds (label,
    /// note, status) stays where it is, without moving the spans after it.
    pub(crate) fn replace(&mut self, before: &Span, after: Span) {
        match self.position_of(before) {
            Some(at) if before.sort_key() == after.sort_key() => self.spans[at] = after,
            _ => {
                self.remove(before.id);
                self.insert(after);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: u64, start: usize, end: usize) -> Span {
        Span::new(SpanId(id), start, end, "X")
    }

    #[test]
    fn overlap_queries_find_nested_and_long_spans() {
        let index = SpanIndex::new(vec![span(1, 0, 100), span(2, 10, 12), span(3, 50, 53)]);
        let ids = |a, b| index.overlapping(a, b).map(|s| s.id.0).collect::<Vec<_>>();
        assert_eq!(ids(11, 12), vec![1, 2]);
        assert_eq!(ids(60, 70), vec![1]);
        assert_eq!(ids(100, 120), Vec::<u64>::new());
        assert_eq!(ids(52, 200), vec![1, 3]);
        assert_eq!(index.at(10).map(|s| s.id.0).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn insert_and_remove_keep_order_and_longest() {
        let mut index = SpanIndex::new(vec![span(1, 5, 7)]);
        index.insert(span(2, 0, 50));
        index.insert(span(3, 5, 9));
        let order: Vec<u64> = index.iter().map(|s| s.id.0).collect();
        assert_eq!(order, vec![2, 3, 1]);
        assert_eq!(index.remove(SpanId(2)).map(|s| s.id.0), Some(2));
        assert_eq!(index.overlapping(8, 9).count(), 1);
        assert!(index.remove(SpanId(2)).is_none());
        assert!(index.get(SpanId(2)).is_none());
        // A relabel stays in place; a move goes to its new place.
        let mut relabelled = span(3, 5, 9);
        relabelled.label = "Y".into();
        assert!(index.holds(&span(3, 5, 9)) && !index.holds(&relabelled));
        index.replace(&span(3, 5, 9), relabelled.clone());
        assert_eq!(index.get(SpanId(3)).map(|s| s.label.as_str()), Some("Y"));
        index.replace(&relabelled, span(3, 8, 9));
        let order: Vec<u64> = index.iter().map(|s| s.id.0).collect();
        assert_eq!(order, vec![1, 3]);
        assert_eq!(index.get(SpanId(3)).map(|s| (s.start, s.end)), Some((8, 9)));
        assert_eq!(index.position(SpanId(1)), Some(0));
    }
}
