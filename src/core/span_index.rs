//! The spans of one document, kept sorted by position for range queries.
//!
//! The spans live in blocks of at most [`MAX_BLOCK`] consecutive spans in sort order, each block
//! knowing the largest end among its spans. Tagging or undoing one span moves at most one block's
//! spans (a `Vec` of all the spans moved all those after the new one: 14 MB at 100,000 spans)
//! and adjusts one counter per block. Rendering asks "which spans touch these visible lines?"
//! every frame: spans that start inside the range are a binary search away; those that start
//! before it and reach into it are in the blocks found through a max-end tree over the blocks,
//! so one whole-document span costs one block's scan, not a walk back over every span before it.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::span::{Span, SpanId};

mod id_map;
use id_map::IdMap;

/// What [`Span::sort_key`] returns: position, longest first, id.
type SortKey = (usize, std::cmp::Reverse<usize>, SpanId);

/// A block that grows past this many spans is split in two halves. Small enough that moving a
/// block's spans on an insert costs about a microsecond (a span is about 150 bytes), large
/// enough that 100,000 spans make under 1,600 blocks.
const MAX_BLOCK: usize = 128;
/// Bulk builds fill blocks to this size, leaving room for inserts before the first split.
const FILL_BLOCK: usize = MAX_BLOCK * 3 / 4;

#[derive(Clone, Debug, Default)]
pub struct SpanIndex {
    /// Never empty blocks, in sort order: the spans of block `b` all sort before block `b + 1`'s.
    blocks: Vec<Block>,
    /// The position of each block's first span among all the spans (for access by position).
    firsts: Vec<usize>,
    len: usize,
    /// The sort key of each span by id: finding a span by id is a binary search, not a scan
    /// (every edit, undo and redo looks its spans up by id; a rename touches thousands).
    keys: IdMap,
    /// The max-end tree over the blocks, built by the first query after a change of bounds: a
    /// batch of edits pays for one build (one value per block), not one per edit.
    max_end: OnceLock<MaxEndTree>,
}

/// A segment tree over the blocks: each node holds the largest end among the blocks under it,
/// so "which blocks before block b have a span ending after a?" skips every subtree that ends
/// too early.
#[derive(Clone, Debug, Default)]
struct MaxEndTree {
    /// Leaves start at `leaves`; node `n` has children `2n` and `2n + 1`; node 0 is unused.
    nodes: Vec<usize>,
    leaves: usize,
}

impl MaxEndTree {
    fn new(blocks: &[Block]) -> Self {
        let leaves = blocks.len().next_power_of_two();
        let mut nodes = vec![0; 2 * leaves];
        for (i, block) in blocks.iter().enumerate() {
            nodes[leaves + i] = block.max_end;
        }
        for n in (1..leaves).rev() {
            nodes[n] = nodes[2 * n].max(nodes[2 * n + 1]);
        }
        Self { nodes, leaves }
    }

    /// Blocks below `before` with a span ending after `after`, in increasing order.
    fn ending_after(&self, before: usize, after: usize) -> Vec<usize> {
        let mut found = Vec::new();
        // (node, first leaf under it, number of leaves under it); left child first.
        let mut stack = vec![(1, 0, self.leaves)];
        while let Some((node, first, width)) = stack.pop() {
            if first >= before || self.nodes[node] <= after {
                continue;
            }
            if width == 1 {
                found.push(first);
            } else {
                let half = width / 2;
                stack.push((2 * node + 1, first + half, half));
                stack.push((2 * node, first, half));
            }
        }
        found
    }
}

#[derive(Clone, Debug)]
struct Block {
    /// Sorted by [`Span::sort_key`].
    spans: Vec<Span>,
    /// The start of each span, in the same order: position queries binary-search these 8-byte
    /// values, not the 150-byte spans (a search in `spans` missed the cache at each step once
    /// the spans outgrew it; the "also tag N" count makes one query per hit of a find).
    starts: Vec<usize>,
    /// The last span's start (0 when empty): the search for a block reads no span.
    last_start: usize,
    /// The largest end among `spans`.
    max_end: usize,
    /// At least the longest span's length: no span starting `max_len` or more before a place
    /// reaches it, so a query scans only the spans starting within `max_len` before its start
    /// (a few, with short spans), not the whole block. It may stay above the longest after
    /// removals; only a bound is needed.
    max_len: usize,
}

impl Block {
    fn new(spans: Vec<Span>) -> Self {
        let mut block = Self {
            starts: spans.iter().map(|s| s.start).collect(),
            spans,
            last_start: 0,
            max_end: 0,
            max_len: 0,
        };
        block.measure();
        block
    }

    /// Set `last_start`, `max_end` and `max_len` from the spans (a file being checked may hold
    /// a span that ends before its start: its length counts as 0).
    fn measure(&mut self) {
        self.last_start = self.starts.last().copied().unwrap_or(0);
        (self.max_end, self.max_len) = self.spans.iter().fold((0, 0), |(end, len), s| {
            (end.max(s.end), len.max(s.end.saturating_sub(s.start)))
        });
    }

    fn insert(&mut self, within: usize, span: Span) {
        self.max_end = self.max_end.max(span.end);
        self.max_len = self.max_len.max(span.end.saturating_sub(span.start));
        self.starts.insert(within, span.start);
        self.spans.insert(within, span);
        self.last_start = self.starts.last().copied().unwrap_or(0);
    }

    fn remove(&mut self, within: usize) -> Span {
        self.starts.remove(within);
        let span = self.spans.remove(within);
        if span.end == self.max_end {
            self.measure();
        } else {
            self.last_start = self.starts.last().copied().unwrap_or(0);
        }
        span
    }

    /// Keep the spans for which `keep` holds; true when any went.
    fn retain(&mut self, keep: impl FnMut(&Span) -> bool) -> bool {
        let before = self.spans.len();
        self.spans.retain(keep);
        if self.spans.len() == before {
            return false;
        }
        self.starts = self.spans.iter().map(|s| s.start).collect();
        self.measure();
        true
    }

    /// The place of the first span starting at or after `at`.
    fn first_from(&self, at: usize) -> usize {
        self.starts.partition_point(|&start| start < at)
    }

    /// The spans of this block that start before `at` and end after it (reach into `at..`), in
    /// order.
    fn reaching(&self, at: usize) -> impl Iterator<Item = &Span> {
        let from = self
            .starts
            .partition_point(|&start| start.saturating_add(self.max_len) <= at);
        let to = self.first_from(at).max(from);
        self.spans[from..to].iter().filter(move |s| s.end > at)
    }

    fn last_key(&self) -> Option<SortKey> {
        self.spans.last().map(Span::sort_key)
    }
}

/// The spans of a [`SpanIndex`] in document order.
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    blocks: std::slice::Iter<'a, Block>,
    front: std::slice::Iter<'a, Span>,
    back: std::slice::Iter<'a, Span>,
    left: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Span;

    fn next(&mut self) -> Option<&'a Span> {
        loop {
            if let Some(span) = self.front.next() {
                self.left -= 1;
                return Some(span);
            }
            match self.blocks.next() {
                Some(block) => self.front = block.spans.iter(),
                None => {
                    let span = self.back.next()?;
                    self.left -= 1;
                    return Some(span);
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(span) = self.back.next_back() {
                self.left -= 1;
                return Some(span);
            }
            match self.blocks.next_back() {
                Some(block) => self.back = block.spans.iter(),
                None => {
                    let span = self.front.next_back()?;
                    self.left -= 1;
                    return Some(span);
                }
            }
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a SpanIndex {
    type Item = &'a Span;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl SpanIndex {
    pub fn new(mut spans: Vec<Span>) -> Self {
        spans.sort_by_key(Span::sort_key);
        let keys = IdMap::new(spans.iter().map(Span::sort_key));
        let mut index = Self {
            keys,
            ..Self::default()
        };
        index.fill(spans);
        index
    }

    /// The index of spans read in sort order, in the pieces they were read in (at most
    /// [`MAX_BLOCK`] each; every piece's spans sort before the next piece's), which become the
    /// blocks as they are: loading a project file never holds its spans in one `Vec` beside the
    /// blocks. `None` (the pieces given back whole) when they are not in sort order.
    pub(crate) fn from_sorted_pieces(pieces: Vec<Vec<Span>>) -> Result<Self, Vec<Vec<Span>>> {
        let in_order = pieces.iter().all(|p| p.len() <= MAX_BLOCK)
            && pieces
                .iter()
                .flatten()
                .zip(pieces.iter().flatten().skip(1))
                .all(|(a, b)| a.sort_key() < b.sort_key());
        if !in_order {
            return Err(pieces);
        }
        let len = pieces.iter().map(Vec::len).sum();
        let keys = IdMap::new(ExactLen(pieces.iter().flatten().map(Span::sort_key), len));
        let mut index = Self {
            keys,
            ..Self::default()
        };
        index.len = len;
        index.blocks = pieces
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(Block::new)
            .collect();
        index.count_firsts(0);
        Ok(index)
    }

    /// Replace the blocks with `sorted` (in sort order), cut into blocks of [`FILL_BLOCK`].
    /// Cut from the end, the rest shrunk as it halves, so that the spans are not held twice
    /// over (a project of 100,000 spans is some 15 MB of them).
    fn fill(&mut self, mut sorted: Vec<Span>) {
        self.max_end = OnceLock::new();
        self.len = sorted.len();
        self.blocks = Vec::with_capacity(sorted.len().div_ceil(FILL_BLOCK));
        let last = sorted.len() % FILL_BLOCK;
        let mut cut = if last == 0 { FILL_BLOCK } else { last };
        while !sorted.is_empty() {
            let block = sorted.split_off(sorted.len() - cut);
            self.blocks.push(Block::new(block));
            cut = FILL_BLOCK;
            if sorted.capacity() > 2 * sorted.len() + FILL_BLOCK {
                sorted.shrink_to_fit();
            }
        }
        self.blocks.reverse();
        self.count_firsts(0);
    }

    /// Every span's id, in increasing order (an id the index holds twice, from a file that
    /// repeats one, is given twice): the loader finds ids used twice across documents by
    /// merging these, with no map of every id.
    pub fn ids_in_order(&self) -> impl Iterator<Item = SpanId> + '_ {
        self.keys.ids()
    }

    /// Recount the first positions of the blocks from block `from` on.
    fn count_firsts(&mut self, from: usize) {
        self.firsts.truncate(from);
        let mut at = match from.checked_sub(1) {
            Some(before) => self.firsts[before] + self.blocks[before].spans.len(),
            None => 0,
        };
        for block in &self.blocks[from..] {
            self.firsts.push(at);
            at += block.spans.len();
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// All spans in document order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            blocks: self.blocks.iter(),
            front: [].iter(),
            back: [].iter(),
            left: self.len,
        }
    }

    /// The spans from position `at` on, in document order.
    pub fn iter_from(&self, at: usize) -> Iter<'_> {
        if at >= self.len {
            return Iter {
                blocks: [].iter(),
                front: [].iter(),
                back: [].iter(),
                left: 0,
            };
        }
        let (block, within) = self.locate_position(at);
        Iter {
            blocks: self.blocks[block + 1..].iter(),
            front: self.blocks[block].spans[within..].iter(),
            back: [].iter(),
            left: self.len - at,
        }
    }

    /// The block holding position `at` (below `len`) and the place within it.
    fn locate_position(&self, at: usize) -> (usize, usize) {
        let block = self.firsts.partition_point(|&first| first <= at) - 1;
        (block, at - self.firsts[block])
    }

    /// The span at position `at` in document order.
    pub fn by_position(&self, at: usize) -> Option<&Span> {
        if at >= self.len {
            return None;
        }
        let (block, within) = self.locate_position(at);
        self.blocks[block].spans.get(within)
    }

    /// The number of spans, from the first, for which `before` holds: `before` must hold for a
    /// prefix of the spans in document order and not after it (like `slice::partition_point`).
    pub fn partition_point(&self, mut before: impl FnMut(&Span) -> bool) -> usize {
        let block = self
            .blocks
            .partition_point(|b| b.spans.last().is_some_and(&mut before));
        match self.blocks.get(block) {
            Some(b) => self.firsts[block] + b.spans.partition_point(before),
            None => self.len,
        }
    }

    pub fn get(&self, id: SpanId) -> Option<&Span> {
        let (block, within) = self.locate_key(&self.keys.get(id)?)?;
        self.blocks[block].spans.get(within)
    }

    pub fn position(&self, id: SpanId) -> Option<usize> {
        let (block, within) = self.locate_key(&self.keys.get(id)?)?;
        Some(self.firsts[block] + within)
    }

    /// The block and place of the span with sort key `key`, if the index holds one.
    fn locate_key(&self, key: &SortKey) -> Option<(usize, usize)> {
        let block = self.block_for(key);
        let b = self.blocks.get(block)?;
        // Only the spans starting where `key` starts are read (the starts narrow it down).
        let from = b.first_from(key.0);
        let to = from + b.starts[from..].partition_point(|&start| start == key.0);
        let within = b.spans[from..to]
            .binary_search_by(|s| s.sort_key().cmp(key))
            .ok()?;
        Some((block, from + within))
    }

    /// The first block whose last span does not sort before `key`: where a span with `key` is
    /// or would go (the last block when `key` sorts after every span).
    fn block_for(&self, key: &SortKey) -> usize {
        let block = self
            .blocks
            .partition_point(|b| match b.last_start.cmp(&key.0) {
                // A span is read only when its start ties with `key`'s.
                std::cmp::Ordering::Less => !b.spans.is_empty(),
                std::cmp::Ordering::Equal => b.last_key().is_some_and(|last| last < *key),
                std::cmp::Ordering::Greater => false,
            });
        block.min(self.blocks.len().saturating_sub(1))
    }

    /// True when the index holds exactly `span` (same id and every field). Found by `span`'s
    /// own sort key, so an edit that carries the span it changes needs no id lookup.
    pub fn holds(&self, span: &Span) -> bool {
        self.locate_key(&span.sort_key())
            .is_some_and(|(block, within)| self.blocks[block].spans[within] == *span)
    }

    /// Spans that share at least one code point with `[start, end)`, in document order.
    /// O(log n + k) for k spans found, plus the spans that start within a block's longest
    /// span before `start` in each block that reaches in: the spans starting inside the range
    /// by binary search, the ones starting before it and reaching in from the blocks the
    /// max-end tree finds.
    pub fn overlapping(&self, start: usize, end: usize) -> impl Iterator<Item = &Span> {
        // The block of the first span starting inside (or past the last block), and its place
        // there: spans before it may reach in.
        let (cut, within) = self.first_from(start);
        let mut reaching_in = Vec::new();
        if cut > 0 || within > 0 {
            let tree = self.max_end.get_or_init(|| MaxEndTree::new(&self.blocks));
            for b in tree.ending_after(cut, start) {
                reaching_in.extend(self.blocks[b].reaching(start));
            }
            if let Some(block) = self.blocks.get(cut) {
                reaching_in.extend(block.reaching(start));
            }
        }
        let inside = match self.blocks.get(cut) {
            Some(block) => Iter {
                blocks: self.blocks[cut + 1..].iter(),
                front: block.spans[within..].iter(),
                back: [].iter(),
                left: self.len - self.firsts[cut] - within,
            },
            None => self.iter_from(self.len),
        };
        reaching_in
            .into_iter()
            .chain(inside.take_while(move |s| s.start < end))
            .filter(move |s| s.overlaps(start, end))
    }

    /// The block and place of the first span starting at or after `at` (the number of blocks
    /// and 0 when none does). Reads the blocks' last starts and one block's starts, no span.
    fn first_from(&self, at: usize) -> (usize, usize) {
        let block = self.blocks.partition_point(|b| b.last_start < at);
        match self.blocks.get(block) {
            Some(b) => (block, b.first_from(at)),
            None => (block, 0),
        }
    }

    /// Spans containing code point `offset`, outermost first.
    pub fn at(&self, offset: usize) -> impl Iterator<Item = &Span> {
        self.overlapping(offset, offset + 1)
    }

    /// A span with exactly these bounds and label, if one exists.
    pub fn find_exact(&self, start: usize, end: usize, label: &str) -> Option<&Span> {
        let (block, within) = self.first_from(start);
        let from = self
            .firsts
            .get(block)
            .map_or(self.len, |first| first + within);
        self.iter_from(from)
            .take_while(|s| s.start == start && s.end >= end)
            .find(|s| s.end == end && s.label == label)
    }

    /// Add a span; its id must not be in the index yet (the project checks that first).
    pub(crate) fn insert(&mut self, span: Span) {
        let key = span.sort_key();
        self.keys.insert(key);
        self.len += 1;
        self.max_end = OnceLock::new();
        if self.blocks.is_empty() {
            self.blocks.push(Block::new(vec![span]));
            self.firsts.push(0);
            return;
        }
        let b = self.block_for(&key);
        let block = &mut self.blocks[b];
        let within = block.spans.partition_point(|s| s.sort_key() < key);
        block.insert(within, span);
        if block.spans.len() > MAX_BLOCK {
            let upper = block.spans.split_off(block.spans.len() / 2);
            *block = Block::new(std::mem::take(&mut block.spans));
            self.blocks.insert(b + 1, Block::new(upper));
            self.count_firsts(b);
        } else {
            for first in &mut self.firsts[b + 1..] {
                *first += 1;
            }
        }
    }

    /// Add many spans in one pass, O(n / B + k log k + the blocks they land in) instead of one
    /// insert per span: each block takes the new spans that sort before its last one, merged
    /// in, and is cut again if it grew past [`MAX_BLOCK`]. Blocks no new span lands in are not
    /// touched. Their ids must be new and distinct (the project checks that first).
    pub(crate) fn insert_many(&mut self, mut added: Vec<Span>) {
        added.sort_by_key(Span::sort_key);
        self.keys.extend(added.iter().map(Span::sort_key));
        if self.blocks.is_empty() {
            self.fill(added);
            return;
        }
        self.max_end = OnceLock::new();
        self.len += added.len();
        let mut added = added.into_iter().peekable();
        let old = std::mem::take(&mut self.blocks);
        let count = old.len();
        for (b, block) in old.into_iter().enumerate() {
            let bound = block.last_key();
            let mut incoming = Vec::new();
            while let Some(next) = added.peek() {
                let here = b + 1 == count || bound.is_some_and(|last| next.sort_key() < last);
                if !here {
                    break;
                }
                incoming.extend(added.next());
            }
            if incoming.is_empty() {
                self.blocks.push(block);
                continue;
            }
            let mut merged = Vec::with_capacity(block.spans.len() + incoming.len());
            let mut mine = block.spans.into_iter().peekable();
            let mut theirs = incoming.into_iter().peekable();
            loop {
                let take_mine = match (mine.peek(), theirs.peek()) {
                    (Some(m), Some(t)) => m.sort_key() < t.sort_key(),
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => break,
                };
                let next = if take_mine {
                    mine.next()
                } else {
                    theirs.next()
                };
                merged.extend(next);
            }
            if merged.len() <= MAX_BLOCK {
                self.blocks.push(Block::new(merged));
            } else {
                let mut rest = merged.into_iter();
                loop {
                    let piece: Vec<Span> = rest.by_ref().take(FILL_BLOCK).collect();
                    if piece.is_empty() {
                        break;
                    }
                    self.blocks.push(Block::new(piece));
                }
            }
        }
        self.count_firsts(0);
    }

    pub(crate) fn remove(&mut self, id: SpanId) -> Option<Span> {
        let (b, within) = self.locate_key(&self.keys.get(id)?)?;
        self.keys.remove(id);
        self.len -= 1;
        self.max_end = OnceLock::new();
        let block = &mut self.blocks[b];
        let span = block.remove(within);
        let shifted_from = if block.spans.is_empty() {
            self.blocks.remove(b);
            self.firsts.remove(b);
            b
        } else {
            b + 1
        };
        for first in &mut self.firsts[shifted_from..] {
            *first -= 1;
        }
        Some(span)
    }

    /// Remove every span whose id is in `ids`, in one pass: O(n), not O(n) per span. Each
    /// block keeps its spans in place; blocks left empty go.
    pub(crate) fn remove_many(&mut self, ids: &HashSet<SpanId>) {
        for block in &mut self.blocks {
            block.retain(|s| !ids.contains(&s.id));
        }
        self.blocks.retain(|b| !b.spans.is_empty());
        // One removal each moves part of a chunk (a microsecond); one pass asks the set about
        // every span (a few tens of nanoseconds each).
        if ids.len() * 32 <= self.len {
            for id in ids {
                self.keys.remove(*id);
            }
        } else {
            self.keys.remove_where(|id| ids.contains(&id));
        }
        self.len = self.blocks.iter().map(|b| b.spans.len()).sum();
        self.max_end = OnceLock::new();
        self.count_firsts(0);
    }

    /// Give every span labelled `from` the label `to`, in place (a label is not part of the
    /// order). Returns how many spans changed.
    pub(crate) fn relabel(&mut self, from: &str, to: &str) -> usize {
        let mut changed = 0;
        let to = super::shared_str::SharedStr::from(to);
        for block in &mut self.blocks {
            for span in block.spans.iter_mut().filter(|s| s.label == from) {
                span.label = to.clone();
                changed += 1;
            }
        }
        changed
    }

    /// Rename attribute `from` to `to` on every span that carries it (the order of spans does
    /// not depend on attributes). Returns how many spans changed.
    pub(crate) fn rename_attribute(&mut self, from: &str, to: &str) -> usize {
        let mut changed = 0;
        for block in &mut self.blocks {
            for span in block.spans.iter_mut() {
                if let Some(value) = span.attributes.remove(from) {
                    span.attributes.insert(to.to_owned(), value);
                    changed += 1;
                }
            }
        }
        changed
    }

    /// Put `after` in the place of `before` (same id). A change that keeps the bounds (label,
    /// note, status) stays where it is, without moving the spans after it.
    pub(crate) fn replace(&mut self, before: &Span, after: Span) {
        match self.locate_key(&before.sort_key()) {
            Some((block, within)) if before.sort_key() == after.sort_key() => {
                self.blocks[block].spans[within] = after;
            }
            _ => {
                self.remove(before.id);
                self.insert(after);
            }
        }
    }
}

/// An iterator whose length is known to be `.1` (a flattened one does not say).
struct ExactLen<I>(I, usize);

impl<I: Iterator> Iterator for ExactLen<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let item = self.0.next()?;
        self.1 -= 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.1, Some(self.1))
    }
}

impl<I: Iterator> ExactSizeIterator for ExactLen<I> {}

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

    /// Queries scan a block only from its longest span's length before their start: a long
    /// span added to (or left in) a block of short ones must still be found from every block
    /// after it, and removing spans must not hide the rest.
    #[test]
    fn queries_find_long_spans_added_and_kept_among_short_ones() {
        let mut index = SpanIndex::new(
            (0..2000)
                .map(|i| span(i, i as usize * 10, i as usize * 10 + 2))
                .collect(),
        );
        let check = |index: &SpanIndex| {
            for a in (0..20_100).step_by(97) {
                let found: Vec<u64> = index.overlapping(a, a + 5).map(|s| s.id.0).collect();
                let expected: Vec<u64> = index
                    .iter()
                    .filter(|s| s.overlaps(a, a + 5))
                    .map(|s| s.id.0)
                    .collect();
                assert_eq!(found, expected, "[{a}, {})", a + 5);
            }
        };
        check(&index);
        // Into the middle of blocks: one reaching over many blocks, one within its own.
        index.insert(span(5000, 3005, 12_000));
        index.insert(span(5001, 7_003, 7_400));
        check(&index);
        let every_third: HashSet<SpanId> = (0..2000).step_by(3).map(SpanId).collect();
        index.remove_many(&every_third);
        check(&index);
        index.remove(SpanId(5000));
        check(&index);
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
    /// The blocks against the plain sorted `Vec` they replaced: random inserts, removals,
    /// moves, batches and relabels, with enough spans to split and empty blocks, and after each
    /// step the order, positions, lookups and overlap queries must be the `Vec`'s.
    #[test]
    fn blocks_behave_like_one_sorted_vec() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        let mut model: Vec<Span> = Vec::new();
        let mut index = SpanIndex::default();
        let mut next_id = 1;
        for step in 0..6000 {
            match next(10) {
                0..=4 => {
                    let start = next(2000);
                    let len = if next(50) == 0 { next(2000) } else { next(6) };
                    let s = span(next_id, start, start + len.max(1));
                    next_id += 1;
                    index.insert(s.clone());
                    model.push(s);
                }
                5..=6 if !model.is_empty() => {
                    let id = model[next(model.len())].id;
                    assert_eq!(index.remove(id).map(|s| s.id), Some(id));
                    model.retain(|s| s.id != id);
                }
                7 if !model.is_empty() => {
                    let before = model[next(model.len())].clone();
                    let mut after = before.clone();
                    after.start = next(2000);
                    after.end = after.start + 1 + next(4);
                    index.replace(&before, after.clone());
                    model.retain(|s| s.id != before.id);
                    model.push(after);
                }
                8 if step % 5 == 0 => {
                    let added: Vec<Span> = (0..next(300))
                        .map(|i| {
                            let start = next(2000);
                            span(next_id + i as u64, start, start + 1 + next(3))
                        })
                        .collect();
                    next_id += added.len() as u64;
                    model.extend(added.iter().cloned());
                    index.insert_many(added);
                }
                9 if step % 7 == 0 => {
                    let ids: HashSet<SpanId> = model
                        .iter()
                        .filter(|_| next(3) == 0)
                        .map(|s| s.id)
                        .collect();
                    model.retain(|s| !ids.contains(&s.id));
                    index.remove_many(&ids);
                }
                _ => {}
            }
            model.sort_by_key(Span::sort_key);
            assert_eq!(index.len(), model.len());
            assert!(index.iter().eq(model.iter()), "order after step {step}");
            for block in &index.blocks {
                let starts = block.spans.iter().map(|s| s.start);
                assert!(
                    block.starts.iter().copied().eq(starts),
                    "starts, step {step}"
                );
                assert_eq!(block.last_start, block.spans.last().map_or(0, |s| s.start));
                assert!(
                    (block.spans.iter())
                        .all(|s| s.end <= block.max_end && s.end - s.start <= block.max_len),
                    "bounds, step {step}"
                );
            }
            if step % 50 == 0 {
                assert!(index.iter().rev().eq(model.iter().rev()));
                for (at, s) in model.iter().enumerate() {
                    assert_eq!(index.position(s.id), Some(at));
                    assert_eq!(index.by_position(at), Some(s));
                    assert!(index.holds(s));
                }
                assert!(index.by_position(model.len()).is_none());
            }
            for _ in 0..3 {
                let a = next(2100);
                let b = a + 1 + next(60);
                let found: Vec<u64> = index.overlapping(a, b).map(|s| s.id.0).collect();
                let expected: Vec<u64> = model
                    .iter()
                    .filter(|s| s.overlaps(a, b))
                    .map(|s| s.id.0)
                    .collect();
                assert_eq!(found, expected, "[{a}, {b}) after step {step}");
                let from = index.partition_point(|s| s.start < a);
                assert_eq!(from, model.partition_point(|s| s.start < a));
                assert!(index.iter_from(from).eq(model[from..].iter()));
            }
        }
        assert!(model.len() > 3 * MAX_BLOCK, "the blocks were split");
    }
}
