//! Longest-first overlap resolution ([`crate::core::span::longest_first`]) one run of
//! overlapping spans at a time, so that what it holds is bounded by the largest run, not by
//! the document (its working lists take about 100 bytes a span: 11 MB for a document of
//! 100,000 spans).

use super::DroppedSpan;
use super::conll::longest_first;
use crate::core::document::Document;
use crate::core::span::Span;

/// The same spans kept and dropped, in the same order, as [`longest_first`] over all of
/// `spans`. `spans` in document order ([`Span::sort_key`], the order of `accepted`) are cut
/// into runs where each span starts before the furthest end so far: spans of different runs
/// never overlap, so the rule decides each run alone, and the runs' results follow one another
/// in document order. Spans in another order are resolved in one piece.
pub(crate) fn longest_first_by_runs<'a>(
    doc: &Document,
    spans: &[&'a Span],
    what: &str,
) -> (Vec<&'a Span>, Vec<DroppedSpan>) {
    if !spans.windows(2).all(|w| w[0].sort_key() < w[1].sort_key()) {
        return longest_first(doc, spans, what);
    }
    let mut kept = Vec::with_capacity(spans.len());
    let mut dropped = Vec::new();
    let mut resolve = |run: &[&'a Span]| {
        if let [span] = run {
            kept.push(*span); // alone in its run: nothing to overlap
        } else {
            let (k, d) = longest_first(doc, run, what);
            kept.extend(k);
            dropped.extend(d);
        }
    };
    let mut from = 0;
    let mut furthest = 0;
    for (i, span) in spans.iter().enumerate() {
        if i > from && span.start >= furthest {
            resolve(&spans[from..i]);
            from = i;
        }
        furthest = if i == from {
            span.end
        } else {
            furthest.max(span.end)
        };
    }
    if from < spans.len() {
        resolve(&spans[from..]);
    }
    (kept, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::span::SpanId;

    /// Random spans, nested and overlapping and apart and empty-length runs: the same result
    /// as one resolution of them all.
    #[test]
    fn runs_resolve_as_the_whole_does() {
        let doc = Document::new("d", "d", "x".repeat(400));
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for round in 0..200 {
            let count = 1 + next(40) as usize;
            let mut spans: Vec<Span> = (0..count)
                .map(|i| {
                    let start = next(if round % 2 == 0 { 60 } else { 390 }) as usize;
                    let len = 1 + next(8) as usize;
                    Span::new(SpanId(i as u64 + 1), start, start + len, "L")
                })
                .collect();
            spans.sort_by_key(Span::sort_key);
            let refs: Vec<&Span> = spans.iter().collect();
            let (kept, dropped) = longest_first_by_runs(&doc, &refs, "tags");
            let (all_kept, all_dropped) = longest_first(&doc, &refs, "tags");
            let ids = |s: &[&Span]| s.iter().map(|s| s.id).collect::<Vec<_>>();
            assert_eq!(ids(&kept), ids(&all_kept), "round {round}");
            assert_eq!(dropped, all_dropped, "round {round}");
        }
    }
}
