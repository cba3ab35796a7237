//! A tagged span: a half-open range `[start, end)` of code points with a label.

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

/// Resolve overlaps: the longest span wins, ties go to the earliest start, then to the lowest
/// id. Spans are taken in that order and each is kept unless it overlaps one already kept (the
/// first kept in that order, when it overlaps two). This one rule serves the CoNLL, Hugging Face
/// and spaCy exports and the agreement figures.
///
/// Close to linear, because a span is only ever compared with spans at least as long: kept
/// spans never overlap one another, so a span overlaps at most two of them (the kept span over
/// its first character, and one starting inside it; a second one starting inside would have to
/// end past it). Both are found by position in document order: a binary search over the copied
/// starts and a predecessor query over a bit set of the kept positions. The priority order comes
/// from bucketing by length the document order, which itself is one stable sort that is linear
/// on spans already in document order (spans come from a `SpanIndex` in that order). Everything
/// works on copied keys, never through the references (following pointers into 100,000 spans
/// spends the time on cache misses).
pub fn longest_first<'a>(spans: &[&'a Span]) -> LongestFirst<'a> {
    // Document order: (start, longest first, id, input position); equal spans stay in input
    // order, which is also the order the rule takes them in. Positions are u32 to keep the
    // working set small (a document has far fewer than 2^32 spans).
    let mut document_order: Vec<(usize, std::cmp::Reverse<usize>, SpanId, u32)> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.start, std::cmp::Reverse(s.end), s.id, i as u32))
        .collect();
    document_order.sort_unstable();
    let order = priority_order(document_order.len(), |position| {
        let (start, std::cmp::Reverse(end), _, _) = document_order[position];
        end.saturating_sub(start)
    });
    // From here on only positions are compared, so u32 offsets do (the random reads in priority
    // order then stay within the cache at 100,000 spans).
    let (starts, ends) = compact_offsets(&document_order);
    let input: Vec<u32> = document_order.iter().map(|k| k.3).collect();
    drop(document_order);

    let n = spans.len();
    let mut kept_positions = PredecessorSet::new(n);
    // Per document position: the rank at which it was kept, or the position of the kept span
    // that it lost to (marked with the top bit).
    const LOST_TO: u32 = 1 << 31;
    let mut outcome = vec![0u32; n];
    for (rank, &position) in order.iter().enumerate() {
        let position = position as usize;
        let (start, end) = (starts[position], ends[position]);
        // The kept span over the first character (for an empty span: strictly around it), and
        // the last kept span starting inside; the one taken first wins. The bounds are searched
        // outward from the span's own position, where the starts around it are in the cache.
        let around_start = if end > start {
            gallop_forward(&starts, position, |s| s <= start)
        } else {
            gallop_backward(&starts, position, |s| s >= start)
        };
        let over_start = kept_positions
            .before(around_start)
            .filter(|&k| ends[k] > start);
        let inside = (end > start)
            .then(|| kept_positions.before(gallop_forward(&starts, position, |s| s < end)))
            .flatten()
            .filter(|&k| starts[k] > start);
        let first_taken = [over_start, inside]
            .into_iter()
            .flatten()
            .min_by_key(|&k| outcome[k]);
        outcome[position] = match first_taken {
            Some(k) => LOST_TO | k as u32,
            None => {
                // An empty span overlaps nothing that comes after it (everything after it is
                // empty too) and is kept without taking a place.
                if end > start {
                    kept_positions.insert(position);
                }
                rank as u32
            }
        };
    }
    let span_at = |position: usize| spans[input[position] as usize];
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for (position, &outcome) in outcome.iter().enumerate() {
        if outcome & LOST_TO == 0 {
            kept.push(span_at(position));
        } else {
            dropped.push((span_at(position), span_at((outcome & !LOST_TO) as usize)));
        }
    }
    LongestFirst { kept, dropped }
}

/// The starts and ends of spans in document order as u32 offsets that compare as the originals
/// do: relative to the first start, or (for a range past 2^32, which no text loaded in memory
/// has) ranks among all the offsets.
fn compact_offsets(
    document_order: &[(usize, std::cmp::Reverse<usize>, SpanId, u32)],
) -> (Vec<u32>, Vec<u32>) {
    let base = document_order.first().map_or(0, |k| k.0);
    let last = document_order
        .iter()
        .map(|k| k.1.0.max(k.0))
        .max()
        .unwrap_or(0);
    let compact: Box<dyn Fn(usize) -> u32> = if last - base <= u32::MAX as usize {
        Box::new(move |offset| (offset - base) as u32)
    } else {
        let mut all: Vec<usize> = document_order.iter().flat_map(|k| [k.0, k.1.0]).collect();
        all.sort_unstable();
        all.dedup();
        Box::new(move |offset| all.partition_point(|&o| o < offset) as u32)
    };
    document_order
        .iter()
        .map(|&(start, std::cmp::Reverse(end), _, _)| (compact(start), compact(end)))
        .unzip()
}

/// Document positions in the order [`longest_first`] takes them: longest first, then by
/// document order (which, for spans of one length, is by start, then id, then input order).
/// Lengths under `LENGTH_BUCKETS` are bucketed (linear); the few longer spans are sorted.
fn priority_order(count: usize, length: impl Fn(usize) -> usize) -> Vec<u32> {
    const LENGTH_BUCKETS: usize = 256;
    let mut long: Vec<(std::cmp::Reverse<usize>, u32)> = Vec::new();
    let mut bucket_sizes = [0usize; LENGTH_BUCKETS];
    for position in 0..count {
        match length(position) {
            len if len < LENGTH_BUCKETS => bucket_sizes[len] += 1,
            len => long.push((std::cmp::Reverse(len), position as u32)),
        }
    }
    long.sort_unstable();
    // Where each bucket begins in the result, longest bucket first, after the long spans.
    let mut next = [0usize; LENGTH_BUCKETS];
    let mut at = long.len();
    for len in (0..LENGTH_BUCKETS).rev() {
        next[len] = at;
        at += bucket_sizes[len];
    }
    let mut order = vec![0; count];
    for (slot, &(_, position)) in order.iter_mut().zip(&long) {
        *slot = position;
    }
    for position in 0..count {
        let len = length(position);
        if len < LENGTH_BUCKETS {
            order[next[len]] = position as u32;
            next[len] += 1;
        }
    }
    order
}

/// The first index at or after `from` whose value fails `before` (which holds for a prefix of
/// `sorted`, and at `from - 1` if `from > 0`), searched by doubling steps from `from`: O(log d)
/// for an answer `d` places away, and the places near `from` are the ones read first.
fn gallop_forward(sorted: &[u32], from: usize, before: impl Fn(u32) -> bool) -> usize {
    let mut low = from;
    let mut step = 1;
    while low + step <= sorted.len() && before(sorted[low + step - 1]) {
        low += step;
        step *= 2;
    }
    // `before` holds below `low`; the answer is in `low..low + step` (clamped).
    let high = (low + step).min(sorted.len());
    low + sorted[low..high].partition_point(|&v| before(v))
}

/// The first index at or before `from` from which on every value up to `from` holds `from_here`
/// (which holds for a suffix of `sorted`, and at `from`), searched by doubling steps backward.
fn gallop_backward(sorted: &[u32], from: usize, from_here: impl Fn(u32) -> bool) -> usize {
    let mut high = from;
    let mut step = 1;
    while high >= step && from_here(sorted[high - step]) {
        high -= step;
        step *= 2;
    }
    let low = high.saturating_sub(step);
    low + sorted[low..high].partition_point(|&v| !from_here(v))
}

/// A set of positions below a fixed bound with "the greatest member below `limit`" in a few
/// word operations: a bit per position, and above it levels of summaries, a bit per non-empty
/// word of the level below, up to a single word (four levels for a million positions).
struct PredecessorSet {
    levels: Vec<Vec<u64>>,
}

impl PredecessorSet {
    fn new(bound: usize) -> Self {
        let mut levels = vec![vec![0; bound.div_ceil(64).max(1)]];
        while levels[levels.len() - 1].len() > 1 {
            let words = levels[levels.len() - 1].len().div_ceil(64);
            levels.push(vec![0; words]);
        }
        Self { levels }
    }

    fn insert(&mut self, position: usize) {
        let mut at = position;
        for level in &mut self.levels {
            level[at / 64] |= 1 << (at % 64);
            at /= 64;
        }
    }

    /// The greatest member below `limit`.
    fn before(&self, limit: usize) -> Option<usize> {
        self.before_at(0, limit)
    }

    /// The greatest member of level `level` below `limit`.
    fn before_at(&self, level: usize, limit: usize) -> Option<usize> {
        let bits = &self.levels[level];
        let last = limit.min(bits.len() * 64).checked_sub(1)?;
        let word = last / 64;
        if let Some(bit) = highest_bit_at_most(bits[word], last % 64) {
            return Some(word * 64 + bit);
        }
        // The last non-empty word before `word`, from the level above.
        let word = if level + 1 < self.levels.len() {
            self.before_at(level + 1, word)?
        } else {
            return None;
        };
        Some(word * 64 + highest_bit_at_most(bits[word], 63)?)
    }
}

/// The highest set bit of `bits` at index `at_most` or below.
fn highest_bit_at_most(bits: u64, at_most: usize) -> Option<usize> {
    let masked = bits & (u64::MAX >> (63 - at_most));
    (masked != 0).then(|| 63 - masked.leading_zeros() as usize)
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

    /// A fixed xorshift: the same cases on every run, no test dependency; `next(n)` is below n.
    fn xorshift(mut state: u64) -> impl FnMut(u64) -> usize {
        move |below| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below) as usize
        }
    }

    type Placed = (SpanId, usize, usize);

    /// What a resolution kept and dropped (with the winner), by id and place.
    fn outcome(r: &LongestFirst) -> (Vec<Placed>, Vec<(Placed, Placed)>) {
        let placed = |s: &Span| (s.id, s.start, s.end);
        let kept = r.kept.iter().map(|s| placed(s)).collect();
        let dropped = r
            .dropped
            .iter()
            .map(|(l, w)| (placed(l), placed(w)))
            .collect();
        (kept, dropped)
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
    fn predecessor_set_finds_the_greatest_member_below_a_limit() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        // Bounds across several summary words, members dense and sparse.
        for bound in [1, 63, 64, 65, 4095, 4096, 4097, 20_000] {
            let mut set = PredecessorSet::new(bound);
            let mut reference = std::collections::BTreeSet::new();
            for _ in 0..300 {
                if next(3) == 0 {
                    let member = next(bound as u64);
                    set.insert(member);
                    reference.insert(member);
                }
                let limit = next(bound as u64 + 1);
                assert_eq!(
                    set.before(limit),
                    reference.range(..limit).next_back().copied(),
                    "bound {bound}, limit {limit}"
                );
            }
        }
    }

    #[test]
    fn same_result_as_the_quadratic_rule_on_many_and_long_spans() {
        // Hundreds of spans (several words of the kept-position set) and lengths past the
        // length buckets.
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for case in 0..40 {
            let text_len = 200 + next(3000);
            let count = 50 + next(600);
            let spans: Vec<Span> = (0..count)
                .map(|i| {
                    let start = next(text_len as u64);
                    let len = match next(10) {
                        0 => 0,
                        1 => next(text_len as u64),
                        2 => 250 + next(20),
                        _ => 1 + next(8),
                    };
                    span(i as u64 % 97, start, (start + len).min(text_len), "X")
                })
                .collect();
            // Every fourth case spans more than 2^32 code points (offsets then compared by
            // rank, not relative to the first start).
            let mut spans = spans;
            if case % 4 == 0 {
                let far = (1usize << 33) + next(10);
                spans.push(span(500, far, far + 3, "X"));
                spans.push(span(501, far + 1, far + 2, "X"));
                spans.push(span(502, 5, far + 4, "X"));
            }
            let refs: Vec<&Span> = spans.iter().collect();
            assert_eq!(
                outcome(&longest_first(&refs)),
                outcome(&longest_first_quadratic(&refs)),
                "case {case}"
            );
        }
    }

    #[test]
    fn same_result_as_the_quadratic_rule_on_random_spans() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
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
            assert_eq!(
                outcome(&longest_first(&refs)),
                outcome(&longest_first_quadratic(&refs)),
                "case {case}: {spans:?}"
            );
        }
    }
}
