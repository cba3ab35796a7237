//! Re-anchoring on a changed text, with and without the old text: every span is kept (unless
//! the new text is empty) inside the new text and non-empty, and a span said to have moved
//! has exactly its old text. The input is the old text, a NUL byte, the new text, a NUL byte,
//! then span offsets (two bytes each for start and length, taken modulo the old text).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spantag::core::project_file::{DocumentDrift, DriftedSpan};
use spantag::core::retext::{self, Fate, Mapped};
use spantag::core::{Document, Span, SpanId};

fn check(mapped: &[Mapped], new: &Document, old_spans: usize) {
    assert_eq!(mapped.len(), old_spans, "every span is accounted for");
    for m in mapped {
        match (&m.fate, &m.new) {
            (Fate::Unplaceable(_), None) => {}
            (Fate::Unplaceable(_), Some(_)) => panic!("an unplaceable span was placed"),
            (_, None) => panic!("span {} was dropped: {:?}", m.old.id, m.fate),
            (fate, Some(span)) => {
                assert!(
                    span.start < span.end && span.end <= new.char_len(),
                    "span {} placed at [{}, {}) in a text of {}",
                    m.old.id,
                    span.start,
                    span.end,
                    new.char_len()
                );
                if matches!(fate, Fate::Moved | Fate::Unchanged) {
                    assert_eq!(new.slice(span.start, span.end), m.old_text, "moved span's text");
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let (Some(old), Some(new), Some(offsets)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let (Ok(old), Ok(new)) = (std::str::from_utf8(old), std::str::from_utf8(new)) else {
        return;
    };
    let old = Document::new("d", "d", old);
    let new = Document::new("d", "d", new);
    if old.char_len() == 0 {
        return;
    }
    let spans: Vec<Span> = offsets
        .chunks_exact(4)
        .enumerate()
        .map(|(i, c)| {
            let start = usize::from(u16::from_le_bytes([c[0], c[1]])) % old.char_len();
            let len = 1 + usize::from(u16::from_le_bytes([c[2], c[3]])) % (old.char_len() - start);
            Span::new(SpanId(i as u64 + 1), start, start + len, "X")
        })
        .collect();

    // With the old text: the character diff.
    let mapped = retext::retext(&old, &new, &spans);
    check(&mapped, &new, spans.len());
    if new.char_len() > 0 {
        assert!(mapped.iter().all(|m| m.new.is_some()), "nothing dropped");
    }

    // Without it: the drift dialog's placement from old offsets and recorded texts.
    let drift = DocumentDrift {
        doc: 0,
        doc_id: "d".to_owned(),
        recorded_sha256: old.sha256().to_owned(),
        spans: spans
            .iter()
            .map(|s| DriftedSpan {
                span: s.clone(),
                recorded_text: old.slice(s.start, s.end).to_owned(),
                found: None,
            })
            .collect(),
    };
    let placed = retext::reanchor_drift(&new, &drift);
    check(&placed, &new, spans.len());
});
