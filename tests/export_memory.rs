//! What the streaming exports hold while they write: counted by this test binary's allocator
//! (the heap's peak during each export above the heap before it), on a long Chinese document
//! with many spans. An export may keep a few words per span of the document it writes, never
//! anything per character (a token list of the text, a DocBin token table) and never the
//! output.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use spantag::core::formats::{self, ExportOptions, Format, Overwrite};

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout goes to the system allocator unchanged.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// 600,000 characters of Chinese text in lines, with a space now and then, and a span of 2 to
/// 5 characters every 12 (50,000 spans, four labels in turn), as `benches/export_scaling.py`
/// makes them on the novel.
fn long_document() -> (String, Vec<(usize, usize, &'static str)>) {
    let mut seed = 11u64;
    let text: String = (0..600_000)
        .map(|i| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            match i % 97 {
                96 => '\n',
                40 => ' ',
                _ => char::from_u32(0x4E00 + (seed >> 33) as u32 % 3000).expect("CJK"),
            }
        })
        .collect();
    let labels = ["PER", "ORG", "GPE", "LOC"];
    let spans = (0..50_000)
        .map(|i| (i * 12, i * 12 + 2 + i % 4, labels[i % 4]))
        .collect();
    (text, spans)
}

#[test]
fn exports_hold_a_few_words_per_span_and_nothing_per_character() {
    let (text, spans) = long_document();
    let project = common::project_from(&["PER", "ORG", "GPE", "LOC"], &[("novel", &text, &spans)]);
    drop((text, spans));
    let dir = tempfile::tempdir().expect("tempdir");
    // Fixed costs (zlib's state and window, write buffers) and bytes per span.
    let fixed = 1 << 20;
    for (format, per_span) in [
        (Format::Docbin, 32),
        (Format::Spacy, 24),
        (Format::Brat, 24),
        (Format::Doccano, 24),
        (Format::LabelStudio, 24),
    ] {
        let out = dir.path().join(format.name());
        let before = IN_USE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        formats::export_to(
            &project,
            format,
            &ExportOptions::default(),
            &out,
            Overwrite::Refuse,
        )
        .expect("export");
        let held = PEAK.load(Ordering::Relaxed) - before;
        let allowed = fixed + per_span * 50_000;
        eprintln!("{format}: {held} bytes at the peak (allowed {allowed})");
        assert!(
            held <= allowed,
            "{format}: the export held {held} bytes at its peak, more than {allowed} (1 MiB and {per_span} bytes a span)"
        );
    }
}
