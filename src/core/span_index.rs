//! The spans of one document, kept sorted by position for range queries.
//!
//! Rendering asks "which spans touch these visible lines?" every frame. Spans that start inside
//! the range are a binary search away; the ones that start before it and reach into it are found
//! through a max-end tree over the sorted spans, so one whole-document span costs one visit,
//! not a walk back over every span before the range.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::span::{Span, SpanId};

/// What [`Span::sort_key`] returns: position, longest first, id.
type SortKey = (usize, std::cmp::Reverse<usize>, SpanId);

#[derive(Clone, Debug, Default)]
pub struct SpanIndex {
    /// Sorted by [`Span::sort_key`].
    spans: Vec<Span>,
    /// `spans[i].start` at `i`: searches by position read this small array, not the spans (a
    /// search over 100,000 spans missed the cache at nearly every step).
    starts: Vec<usize>,
    /// The sort key of each span by id: finding a span by id is a binary search, not a scan
    /// (every edit, undo and redo looks its spans up by id; a rename touches thousands).
    keys: HashMap<SpanId, SortKey>,
    /// The max-end tree of `spans`, built by the first query, then kept up to date by each edit
    /// (one leaf and its parents; a span starting past the tree's end drops it for a rebuild).
    max_end: OnceLock<MaxEndTree>,
}

/// Code points per leaf of the max-end tree.
const BUCKET: usize = 64;

/// A segment tree over the text, in buckets of [`BUCKET`] code points: a leaf holds the largest
/// end among the spans starting in its bucket, a node the largest under it, so "which spans
/// starting before p end after a?" skips every stretch of text whose spans end too early.
/// Keyed by place in the text, not in the span list, so that adding or removing a span changes
/// one leaf and its parents instead of shifting every leaf after it: the first frame after an
/// edit does not rebuild a tree over all the spans of the document.
#[derive(Clone, Debug, Default)]
struct MaxEndTree {
    /// Leaves start at `leaves`; node `n` has children `2n` and `2n + 1`; node 0 is unused.
    nodes: Vec<usize>,
    leaves: usize,
}

impl MaxEndTree {
    fn new(spans: &[Span]) -> Self {
        let last_start = spans.iter().map(|s| s.start).max().unwrap_or(0);
        // Room for spans added after the last one without growing at once.
        let leaves = (last_start / BUCKET + 1).next_power_of_two();
        let mut nodes = vec![0; 2 * leaves];
        for span in spans {
            let leaf = &mut nodes[leaves + span.start / BUCKET];
            *leaf = (*leaf).max(span.end);
        }
        for n in (1..leaves).rev() {
            nodes[n] = nodes[2 * n].max(nodes[2 * n + 1]);
        }
        Self { nodes, leaves }
    }

    /// The bucket of `start`, if the tree reaches that far.
    fn bucket(&self, start: usize) -> Option<usize> {
        Some(start / BUCKET).filter(|&b| b < self.leaves)
    }

    /// Set a bucket's largest end and update the nodes above it.
    fn set(&mut self, bucket: usize, max_end: usize) {
        let mut n = self.leaves + bucket;
        self.nodes[n] = max_end;
        while n > 1 {
            n /= 2;
            self.nodes[n] = self.nodes[2 * n].max(self.nodes[2 * n + 1]);
        }
    }

    /// Buckets before `before` holding a span that ends after `after`, in increasing order.
    /// Allocates nothing when there are none (the usual answer for a place in a text whose
    /// spans are short): a count of other occurrences asks this once per hit.
    fn buckets_ending_after(&self, before: usize, after: usize) -> Vec<usize> {
        let mut found = Vec::new();
        // (node, first leaf under it, number of leaves under it); left child first. A walk
        // down holds at most one pending right sibling per level.
        let mut stack = [(0, 0, 0); usize::BITS as usize + 1];
        stack[0] = (1, 0, self.leaves);
        let mut len = 1;
        while len > 0 {
            len -= 1;
            let (node, first, width) = stack[len];
            if first >= before || self.nodes[node] <= after {
                continue;
            }
            if width == 1 {
                found.push(first);
            } else {
                let half = width / 2;
                stack[len] = (2 * node + 1, first + half, half);
                stack[len + 1] = (2 * node, first, half);
                len += 2;
            }
        }
        found
    }
}

/// The first index at or after `from` of a start at or after `at` (`starts` sorted), galloping
/// forward from `from`: a few steps when it is near.
fn starting_from(starts: &[usize], from: usize, at: usize) -> usize {
    let mut lo = from;
    let mut step = 1;
    // Invariant: every span in `spans[from..lo]` starts before `at`.
    while lo < starts.len() {
        let probe = (lo + step).min(starts.len()) - 1;
        if starts[probe] >= at {
            return lo + starts[lo..probe].partition_point(|&s| s < at);
        }
        lo = probe + 1;
        step *= 2;
    }
    starts.len()
}

/// The first index of a start at or after `at` (`starts` sorted), galloping back from the end:
/// a few steps when it is near the end.
fn starting_before(starts: &[usize], at: usize) -> usize {
    let mut hi = starts.len();
    let mut step = 1;
    // Invariant: every span in `starts[hi..]` starts at or after `at`.
    while hi > 0 {
        let probe = hi.saturating_sub(step);
        if starts[probe] < at {
            return probe + 1 + starts[probe + 1..hi].partition_point(|&s| s < at);
        }
        hi = probe;
        step *= 2;
    }
    0
}

impl SpanIndex {
    pub fn new(mut spans: Vec<Span>) -> Self {
        spans.sort_by_key(Span::sort_key);
        let keys = spans.iter().map(|s| (s.id, s.sort_key())).collect();
        Self {
            starts: spans.iter().map(|s| s.start).collect(),
            spans,
            keys,
            max_end: OnceLock::new(),
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
    /// O(log n + k) for k spans found: the spans starting inside the range by binary search,
    /// the ones starting before it and reaching in through the max-end tree.
    pub fn overlapping(&self, start: usize, end: usize) -> impl Iterator<Item = &Span> {
        let inside_from = self.starts.partition_point(|&s| s < start);
        let inside_to = starting_from(&self.starts, inside_from, end);
        let reaching_in = if inside_from == 0 {
            Vec::new()
        } else {
            let tree = self.max_end.get_or_init(|| MaxEndTree::new(&self.spans));
            // Spans starting before `start`: those in the buckets up to the one holding
            // `start - 1` (clamped: `inside_from > 0`, so one span starts before `start`).
            // The buckets found are near `start`, so their spans are found by galloping back
            // from `inside_from`, not by searches over the whole document.
            let before = (start - 1) / BUCKET + 1;
            let spans_before = &self.starts[..inside_from];
            tree.buckets_ending_after(before.min(tree.leaves), start)
                .into_iter()
                .flat_map(|b| {
                    let from = starting_before(spans_before, b * BUCKET);
                    let to = starting_before(spans_before, ((b + 1) * BUCKET).min(start));
                    (from..to).filter(|&at| self.spans[at].end > start)
                })
                .collect()
        };
        reaching_in
            .into_iter()
            .chain(inside_from..inside_to.max(inside_from))
            .map(|at| &self.spans[at])
            .filter(move |s| s.overlaps(start, end))
    }

    /// Spans containing code point `offset`, outermost first.
    pub fn at(&self, offset: usize) -> impl Iterator<Item = &Span> {
        self.overlapping(offset, offset + 1)
    }

    /// A span with exactly these bounds and label, if one exists.
    pub fn find_exact(&self, start: usize, end: usize, label: &str) -> Option<&Span> {
        let from = self.starts.partition_point(|&s| s < start);
        self.spans[from..]
            .iter()
            .take_while(|s| s.start == start && s.end >= end)
            .find(|s| s.end == end && s.label == label)
    }

    /// Add a span; its id must not be in the index yet (the project checks that first).
    pub(crate) fn insert(&mut self, span: Span) {
        let key = span.sort_key();
        let at = self.spans.partition_point(|s| s.sort_key() < key);
        self.keys.insert(span.id, key);
        let (start, end) = (span.start, span.end);
        self.starts.insert(at, span.start);
        self.spans.insert(at, span);
        self.raise_bucket(start, end);
    }

    /// Add many spans in one merge, O(n + k log k) instead of O(n) per span. Their ids must be
    /// new and distinct (the project checks that first).
    pub(crate) fn insert_many(&mut self, mut added: Vec<Span>) {
        added.sort_by_key(Span::sort_key);
        let bounds: Vec<(usize, usize)> = added.iter().map(|s| (s.start, s.end)).collect();
        self.keys.extend(added.iter().map(|s| (s.id, s.sort_key())));
        let old = std::mem::take(&mut self.spans);
        let mut merged = Vec::with_capacity(old.len() + added.len());
        let mut old = old.into_iter().peekable();
        let mut added = added.into_iter().peekable();
        loop {
            let take_old = match (old.peek(), added.peek()) {
                (Some(o), Some(a)) => o.sort_key() < a.sort_key(),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_old { old.next() } else { added.next() };
            merged.extend(next);
        }
        self.starts = merged.iter().map(|s| s.start).collect();
        self.spans = merged;
        for (start, end) in bounds {
            self.raise_bucket(start, end);
        }
    }

    pub(crate) fn remove(&mut self, id: SpanId) -> Option<Span> {
        let at = self.position(id)?;
        self.starts.remove(at);
        let span = self.spans.remove(at);
        self.keys.remove(&id);
        self.refresh_bucket(span.start);
        Some(span)
    }

    /// Remove every span whose id is in `ids`, in one pass: O(n), not O(n) per span.
    pub(crate) fn remove_many(&mut self, ids: &HashSet<SpanId>) {
        let mut starts: Vec<usize> = ids
            .iter()
            .filter_map(|id| self.keys.get(id).map(|key| key.0))
            .collect();
        self.spans.retain(|s| !ids.contains(&s.id));
        self.starts = self.spans.iter().map(|s| s.start).collect();
        for id in ids {
            self.keys.remove(id);
        }
        if starts.len() > self.spans.len() / 8 {
            // Most of the document changed: one rebuild at the next query is cheaper.
            self.max_end = OnceLock::new();
            return;
        }
        starts.sort_unstable();
        starts.dedup_by_key(|s| *s / BUCKET);
        for start in starts {
            self.refresh_bucket(start);
        }
    }

    /// A span `[start, end)` was added: its bucket's largest end is at least `end`.
    fn raise_bucket(&mut self, start: usize, end: usize) {
        let Some(tree) = self.max_end.get_mut() else {
            return;
        };
        match tree.bucket(start) {
            Some(b) if tree.nodes[tree.leaves + b] < end => tree.set(b, end),
            Some(_) => {}
            // Past the end of the tree: rebuilt, larger, by the next query.
            None => self.max_end = OnceLock::new(),
        }
    }

    /// A span starting at `start` was removed: its bucket's largest end is found again among
    /// the spans left in it.
    fn refresh_bucket(&mut self, start: usize) {
        let Some(tree) = self.max_end.get_mut() else {
            return;
        };
        let Some(b) = tree.bucket(start) else {
            return;
        };
        let from = self.starts.partition_point(|&s| s < b * BUCKET);
        let to = starting_from(&self.starts, from, (b + 1) * BUCKET);
        let max_end = self.spans[from..to]
            .iter()
            .map(|s| s.end)
            .max()
            .unwrap_or(0);
        tree.set(b, max_end);
    }

    /// Give every span labelled `from` the label `to`, in place (a label is not part of the
    /// order). Returns how many spans changed.
    pub(crate) fn relabel(&mut self, from: &str, to: &str) -> usize {
        let mut changed = 0;
        for span in self.spans.iter_mut().filter(|s| s.label == from) {
            to.clone_into(&mut span.label);
            changed += 1;
        }
        changed
    }

    /// Rename attribute `from` to `to` on every span that carries it (the order of spans does
    /// not depend on attributes). Returns how many spans changed.
    pub(crate) fn rename_attribute(&mut self, from: &str, to: &str) -> usize {
        let mut changed = 0;
        for span in &mut self.spans {
            if let Some(value) = span.attributes.remove(from) {
                span.attributes.insert(to.to_owned(), value);
                changed += 1;
            }
        }
        changed
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

    #[test]
    fn overlap_queries_match_a_scan_on_random_spans() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |below: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below) as usize
        };
        for _ in 0..200 {
            let spans: Vec<Span> = (0..next(50))
                .map(|i| {
                    let start = next(80);
                    let len = if next(8) == 0 { next(80) } else { next(5) };
                    span(i as u64, start, start + len.max(1))
                })
                .collect();
            let mut index = SpanIndex::new(spans.clone());
            // Queries before and after a change of bounds: the tree follows the spans.
            for round in 0..2 {
                for _ in 0..20 {
                    let a = next(90);
                    let b = a + 1 + next(20);
                    let found: Vec<u64> = index.overlapping(a, b).map(|s| s.id.0).collect();
                    let expected: Vec<u64> = index
                        .iter()
                        .filter(|s| s.overlaps(a, b))
                        .map(|s| s.id.0)
                        .collect();
                    assert_eq!(found, expected, "[{a}, {b}) round {round}");
                }
                index.insert(span(1000, next(10), 85));
            }
        }
    }

    #[test]
    fn overlap_queries_match_a_scan_while_spans_come_and_go() {
        // Spans over several buckets of the tree, some long, edited one and many at a time,
        // with queries between the edits: the tree is updated in place, never rebuilt.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |below: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below) as usize
        };
        let new_span = |id: u64, next: &mut dyn FnMut(u64) -> usize| {
            let start = next(1500);
            let len = if next(10) == 0 { next(600) } else { next(6) };
            span(id, start, start + len.max(1))
        };
        for _ in 0..30 {
            let spans: Vec<Span> = (0..next(120) as u64)
                .map(|i| new_span(i, &mut next))
                .collect();
            let mut index = SpanIndex::new(spans);
            let mut next_id = 10_000;
            for round in 0..40 {
                for _ in 0..10 {
                    let a = next(2200);
                    let b = a + 1 + next(150);
                    let found: Vec<u64> = index.overlapping(a, b).map(|s| s.id.0).collect();
                    let expected: Vec<u64> = index
                        .iter()
                        .filter(|s| s.overlaps(a, b))
                        .map(|s| s.id.0)
                        .collect();
                    assert_eq!(found, expected, "[{a}, {b}) round {round}");
                }
                let ids: Vec<SpanId> = index.iter().map(|s| s.id).collect();
                match next(5) {
                    0 if !ids.is_empty() => {
                        index.remove(ids[next(ids.len() as u64)]);
                    }
                    1 => {
                        let gone: HashSet<SpanId> =
                            ids.iter().filter(|_| next(6) == 0).copied().collect();
                        index.remove_many(&gone);
                    }
                    2 => {
                        let added = (0..next(8) as u64)
                            .map(|i| new_span(next_id + i, &mut next))
                            .collect();
                        next_id += 8;
                        index.insert_many(added);
                    }
                    3 => {
                        // Past the end of the tree: it grows.
                        let start = 2000 + next(3000);
                        index.insert(span(next_id, start, start + 1 + next(400)));
                        next_id += 1;
                    }
                    _ => {
                        index.insert(new_span(next_id, &mut next));
                        next_id += 1;
                    }
                }
            }
        }
    }

    #[test]
    fn galloping_searches_agree_with_a_binary_search() {
        let starts = [0, 0, 2, 5, 5, 5, 9, 12, 12, 30];
        for at in 0..35 {
            let expected = starts.partition_point(|&s| s < at);
            assert_eq!(starting_before(&starts, at), expected, "before, at {at}");
            for from in 0..=expected {
                assert_eq!(
                    starting_from(&starts, from, at),
                    expected,
                    "from {from}, at {at}"
                );
            }
            assert_eq!(starting_before(&starts[..expected], at), expected);
        }
        assert_eq!(starting_before(&[], 3), 0);
        assert_eq!(starting_from(&[], 0, 3), 0);
    }

    #[test]
    fn one_long_span_is_found_without_hiding_the_others() {
        let mut spans = vec![span(0, 0, 100_000)];
        spans.extend((1..1000).map(|i| span(i, i as usize * 50, i as usize * 50 + 3)));
        let index = SpanIndex::new(spans);
        let ids: Vec<u64> = index.overlapping(500, 560).map(|s| s.id.0).collect();
        assert_eq!(ids, vec![0, 10, 11]);
        assert_eq!(index.find_exact(500, 503, "X").map(|s| s.id.0), Some(10));
        assert!(index.find_exact(500, 502, "X").is_none());
    }

    #[test]
    fn batch_insert_remove_and_relabel_keep_order_and_ids() {
        let mut index = SpanIndex::new(vec![span(1, 5, 7), span(2, 0, 3)]);
        index.insert_many(vec![span(4, 6, 9), span(3, 0, 10), span(5, 20, 21)]);
        let order: Vec<u64> = index.iter().map(|s| s.id.0).collect();
        assert_eq!(order, vec![3, 2, 1, 4, 5]);
        assert_eq!(index.get(SpanId(4)).map(|s| s.start), Some(6));
        index.remove_many(&[SpanId(3), SpanId(1)].into_iter().collect());
        let order: Vec<u64> = index.iter().map(|s| s.id.0).collect();
        assert_eq!(order, vec![2, 4, 5]);
        assert!(index.get(SpanId(3)).is_none());
        assert_eq!(index.overlapping(0, 30).count(), 3);
        assert_eq!(index.relabel("X", "Y"), 3);
        assert!(index.iter().all(|s| s.label == "Y"));
        assert_eq!(index.position(SpanId(5)), Some(2));
    }
}
