//! Where each span of a [`super::SpanIndex`] is, by id: its start and end, from which its sort
//! key (and so its block) follows.
//!
//! A `HashMap<SpanId, SortKey>` did this in 4.3 MB at 100,000 spans (32-byte entries, a table
//! sized to a power of two, a control byte each). This keeps 24-byte entries sorted by id in
//! chunks of at most [`MAX_CHUNK`]: 2.4 MB, found by two binary searches (O(log n)), and an
//! insert or a removal moves at most one chunk's entries (a few microseconds) plus, when a chunk
//! splits or empties, the list of chunks. Every id lookup of an edit, undo, rename or delete
//! stays O(log n).

use super::SortKey;
use crate::core::span::SpanId;

/// A chunk that grows past this many entries is split in two halves: inserting moves at most
/// 12 KB, and 100,000 spans make a few hundred chunks.
const MAX_CHUNK: usize = 512;
/// Bulk builds fill chunks to this size (exactly: no spare capacity), leaving room for inserts.
const FILL_CHUNK: usize = MAX_CHUNK * 3 / 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    id: SpanId,
    start: usize,
    end: usize,
}

impl Entry {
    fn key(&self) -> SortKey {
        (self.start, std::cmp::Reverse(self.end), self.id)
    }
}

#[derive(Clone, Debug, Default)]
pub(super) struct IdMap {
    /// Never empty chunks, each sorted by id, every id of chunk `c` at most chunk `c + 1`'s
    /// first. An id is held once, except in an index built from a file that repeats one (the
    /// loader reports it; see [`IdMap::ids`]).
    chunks: Vec<Vec<Entry>>,
}

impl IdMap {
    /// The map of spans given by their sort keys, in any order.
    pub(super) fn new(keys: impl ExactSizeIterator<Item = SortKey>) -> Self {
        // One exact allocation, sorted in place, then cut into chunks from its end, shrinking
        // it as it halves: the entries are never held twice over.
        let mut sorted: Vec<Entry> = Vec::with_capacity(keys.len());
        sorted.extend(keys.map(|(start, end, id)| Entry {
            id,
            start,
            end: end.0,
        }));
        sorted.sort_unstable_by_key(|e| e.id);
        let mut chunks = Vec::with_capacity(sorted.len().div_ceil(FILL_CHUNK));
        let last = sorted.len() % FILL_CHUNK;
        let mut cut = if last == 0 { FILL_CHUNK } else { last };
        while !sorted.is_empty() {
            let mut chunk = Vec::with_capacity(cut);
            chunk.extend(sorted.drain(sorted.len() - cut..));
            chunks.push(chunk);
            cut = FILL_CHUNK;
            if sorted.capacity() > 2 * sorted.len() + FILL_CHUNK {
                sorted.shrink_to_fit();
            }
        }
        chunks.reverse();
        Self { chunks }
    }

    /// The chunk where `id` is or would go (the last one when `id` is past every id).
    fn chunk_for(&self, id: SpanId) -> usize {
        let chunk = self
            .chunks
            .partition_point(|c| c.last().is_some_and(|e| e.id < id));
        chunk.min(self.chunks.len().saturating_sub(1))
    }

    fn find(&self, id: SpanId) -> Option<(usize, usize)> {
        let chunk = self.chunk_for(id);
        let within = self
            .chunks
            .get(chunk)?
            .binary_search_by_key(&id, |e| e.id)
            .ok()?;
        Some((chunk, within))
    }

    /// The sort key of span `id`.
    pub(super) fn get(&self, id: SpanId) -> Option<SortKey> {
        let (chunk, within) = self.find(id)?;
        Some(self.chunks[chunk][within].key())
    }

    /// Add a span by its sort key; its id must not be in the map yet.
    pub(super) fn insert(&mut self, (start, end, id): SortKey) {
        let entry = Entry {
            id,
            start,
            end: end.0,
        };
        if self.chunks.is_empty() {
            self.chunks.push(vec![entry]);
            return;
        }
        let c = self.chunk_for(id);
        let chunk = &mut self.chunks[c];
        let within = chunk.partition_point(|e| e.id < id);
        chunk.insert(within, entry);
        if chunk.len() > MAX_CHUNK {
            let upper = chunk.split_off(chunk.len() / 2);
            chunk.shrink_to_fit();
            self.chunks.insert(c + 1, upper);
        }
    }

    /// Add many spans by their sort keys: one insert each when they are few beside the map,
    /// else merged with the map in one pass (O(n + k log k), not k chunk moves), the old
    /// chunks freed as they are read.
    pub(super) fn extend(&mut self, keys: impl ExactSizeIterator<Item = SortKey>) {
        if keys.len() * 32 <= self.len() {
            for key in keys {
                self.insert(key);
            }
            return;
        }
        let mut added: Vec<Entry> = keys
            .map(|(start, end, id)| Entry {
                id,
                start,
                end: end.0,
            })
            .collect();
        added.sort_unstable_by_key(|e| e.id);
        let mut held = std::mem::take(&mut self.chunks)
            .into_iter()
            .flatten()
            .peekable();
        let mut added = added.into_iter().peekable();
        let mut chunk = Vec::with_capacity(FILL_CHUNK);
        loop {
            let take_held = match (held.peek(), added.peek()) {
                (Some(h), Some(a)) => h.id <= a.id,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            chunk.extend(if take_held { held.next() } else { added.next() });
            if chunk.len() == FILL_CHUNK {
                self.chunks.push(std::mem::replace(
                    &mut chunk,
                    Vec::with_capacity(FILL_CHUNK),
                ));
            }
        }
        if !chunk.is_empty() {
            self.chunks.push(chunk);
        }
    }

    /// Remove span `id`; its sort key, if it was there.
    pub(super) fn remove(&mut self, id: SpanId) -> Option<SortKey> {
        let (c, within) = self.find(id)?;
        let entry = self.chunks[c].remove(within);
        if self.chunks[c].is_empty() {
            self.chunks.remove(c);
        }
        Some(entry.key())
    }

    /// Remove every span for which `gone` holds, in one pass.
    pub(super) fn remove_where(&mut self, mut gone: impl FnMut(SpanId) -> bool) {
        for chunk in &mut self.chunks {
            chunk.retain(|e| !gone(e.id));
        }
        self.chunks.retain(|c| !c.is_empty());
    }

    pub(super) fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    /// Every id, in increasing order: an id the index holds twice (a file that repeats one) is
    /// given twice.
    pub(super) fn ids(&self) -> impl Iterator<Item = SpanId> + '_ {
        self.chunks.iter().flatten().map(|e| e.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: u64, start: usize, end: usize) -> SortKey {
        (start, std::cmp::Reverse(end), SpanId(id))
    }

    #[test]
    fn finds_inserts_and_removes_across_chunk_splits() {
        // Checked against a BTreeMap after each step: ids in a scrambled order, enough for
        // several chunks and splits.
        let count = 3 * MAX_CHUNK as u64;
        let scrambled = |i: u64| (i * 7919) % count;
        let mut model = std::collections::BTreeMap::new();
        let check = |map: &IdMap, model: &std::collections::BTreeMap<u64, SortKey>| {
            assert!(
                map.chunks
                    .iter()
                    .all(|c| !c.is_empty() && c.len() <= MAX_CHUNK)
            );
            assert_eq!(map.len(), model.len());
            let ids: Vec<u64> = map.ids().map(|id| id.0).collect();
            assert_eq!(ids, model.keys().copied().collect::<Vec<_>>());
            for (&id, &key) in model {
                assert_eq!(map.get(SpanId(id)), Some(key));
            }
        };
        let built: Vec<SortKey> = (0..count / 2)
            .map(|i| key(scrambled(i), i as usize, 1000 + i as usize))
            .collect();
        model.extend(built.iter().map(|k| (k.2.0, *k)));
        let mut map = IdMap::new(built.into_iter());
        check(&map, &model);
        for i in count / 2..count {
            let k = key(scrambled(i), i as usize, 1000 + i as usize);
            map.insert(k);
            model.insert(k.2.0, k);
        }
        assert!(map.chunks.len() > 3, "{} chunks", map.chunks.len());
        check(&map, &model);
        assert_eq!(map.get(SpanId(count)), None);
        for i in (0..count).step_by(2) {
            assert_eq!(map.remove(SpanId(i)), model.remove(&i));
        }
        assert_eq!(map.remove(SpanId(0)), None);
        check(&map, &model);
        map.remove_where(|id| id.0 % 3 == 0);
        model.retain(|id, _| id % 3 != 0);
        check(&map, &model);
        // A few added one by one, then many at once (the map is built again).
        let few: Vec<SortKey> = [0, 6, 12].map(|i| key(i, 5, 6)).into();
        model.extend(few.iter().map(|k| (k.2.0, *k)));
        map.extend(few.into_iter());
        check(&map, &model);
        let many: Vec<SortKey> = (0..count)
            .filter(|i| i % 6 == 0 && *i > 12)
            .map(|i| key(i, 1, 2))
            .collect();
        model.extend(many.iter().map(|k| (k.2.0, *k)));
        map.extend(many.into_iter());
        check(&map, &model);
    }
}
