//! The exports stream: the memory they take on top of the loaded project grows with its
//! spans, never with a token per character (CoNLL and Hugging Face held a `Token` and a `Tag`
//! per character, 31 MB for the novel's 560,000; DocBin a token table) and never with the
//! output.
//!
//! Peak memory is measured with a counting allocator (this test binary's own), over the whole
//! export into a file. Each test holds a lock from start to end: another test building its
//! project meanwhile would count in the peak.

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use std::sync::atomic::Ordering;

use counting_alloc::{CURRENT, Counting, MEASURING, PEAK};

use spantag::core::formats::{self, ExportOptions, Format, Overwrite, Scheme, Tokens};
use spantag::core::project::AnnotatedDocument;
use spantag::core::{Document, LabelSet, Project, Span, SpanId, SpanIndex};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A text as long as the novel (600,000 characters): Chinese characters, a `。` or `！` every
/// 10 to 30, a line break every few sentences, now and then a Latin word.
fn long_text() -> String {
    let mut state: u64 = 7;
    let mut next = |bound: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % bound
    };
    let mut text = String::new();
    let mut chars = 0;
    while chars < 600_000 {
        for _ in 0..10 + next(20) {
            let c = char::from_u32(0x4E00 + next(0x5000) as u32).expect("CJK");
            text.push(c);
            chars += 1;
        }
        if next(8) == 0 {
            text.push_str(" Luoyang ");
            chars += 9;
        }
        text.push(if next(4) == 0 { '！' } else { '。' });
        chars += 1;
        if next(5) == 0 {
            text.push('\n');
            chars += 1;
        }
    }
    text
}

/// `text` as one document with `spans` as `(start, end, label)`.
fn project(text: &str, spans: Vec<(usize, usize, &str)>) -> Project {
    let spans = spans
        .into_iter()
        .enumerate()
        .map(|(i, (s, e, l))| Span::new(SpanId(i as u64 + 1), s, e, l))
        .collect();
    Project::from_parts(
        LabelSet::news_default(),
        vec![AnnotatedDocument::new(
            Document::new("novel", "novel", text),
            SpanIndex::new(spans),
        )],
    )
}

/// Export `project` into a file and return the peak of memory allocated on the way, above
/// what was allocated before, and how many spans were left out (each is reported with its
/// text and why).
fn measured_export(project: &Project, format: Format, options: &ExportOptions) -> (usize, usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let report =
        formats::export_to(project, format, options, &out, Overwrite::Refuse).expect("export");
    let peak = PEAK.load(Ordering::Relaxed) - base;
    eprintln!(
        "{format} ({:?}, {}): {} spans exported, {} dropped, peak {} KiB",
        options.tokens,
        options.scheme,
        report.spans,
        report.dropped.len(),
        peak >> 10
    );
    (peak, report.dropped.len())
}

const FORMATS: [Format; 2] = [Format::Conll, Format::Hf];

#[test]
fn exporting_100000_spans_takes_memory_for_the_spans_not_for_the_characters() {
    let _alone = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let text = long_text();
    let len = text.chars().count();
    let n = 100_000;
    let step = len / n;
    let labels = ["PER", "ORG", "GPE", "LOC"];
    // As in benches/export_scaling.py: 2 to 5 characters, one every few.
    let spans = (0..n)
        .map(|i| (i * step, i * step + (2 + i % 4).min(step), labels[i % 4]))
        .collect();
    let project = project(&text, spans);
    for format in FORMATS {
        for tokens in [Tokens::Char, Tokens::Word] {
            let options = ExportOptions {
                tokens,
                scheme: Scheme::Bioes,
                ..Default::default()
            };
            let (peak, dropped) = measured_export(&project, format, &options);
            // A few references a span (the spans, those that can be tagged, those kept), the
            // report of each span left out (word tokens: spans that cut "Luoyang") and the
            // write buffers; a token per character would be 32 bytes each, 19 MB.
            assert!(
                peak < 40 * n + 512 * dropped + (1 << 20),
                "{format}: peak {} KiB for {n} spans",
                peak >> 10
            );
        }
    }
}

#[test]
fn one_sentence_as_long_as_the_document_is_written_without_being_held() {
    let _alone = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    // A span over the whole text keeps it one sentence: one CoNLL block, one Hugging Face
    // row of 600,000 tokens.
    let text = long_text();
    let len = text.chars().count();
    let project = project(&text, vec![(0, len, "LOC")]);
    for format in FORMATS {
        let (peak, _) = measured_export(&project, format, &ExportOptions::default());
        // The write buffers, not the row (3 MB of token strings in JSON).
        assert!(
            peak < 1 << 20,
            "{format}: peak {} KiB for one sentence of {len} characters",
            peak >> 10
        );
    }
}

#[test]
fn the_other_exports_hold_a_few_words_per_span_and_nothing_per_character() {
    let _alone = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let text = long_text();
    let len = text.chars().count();
    let n = 50_000;
    let step = len / n;
    let labels = ["PER", "ORG", "GPE", "LOC"];
    let spans = (0..n)
        .map(|i| (i * step, i * step + (2 + i % 4).min(step), labels[i % 4]))
        .collect();
    let project = project(&text, spans);
    // Fixed costs (zlib's state and window, write buffers) and bytes per span.
    for (format, per_span) in [
        (Format::Docbin, 40),
        (Format::Spacy, 24),
        (Format::Brat, 24),
        (Format::Doccano, 24),
        (Format::LabelStudio, 24),
    ] {
        let (peak, _) = measured_export(&project, format, &ExportOptions::default());
        let allowed = (1 << 20) + per_span * n;
        assert!(
            peak <= allowed,
            "{format}: the export held {peak} bytes at its peak, more than {allowed} (1 MiB and {per_span} bytes a span)"
        );
    }
}
