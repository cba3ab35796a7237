//! A whole frame of the real window (menu, text view, annotation panel, status bar), built with
//! [`SpantagApp::new`] and run through `egui::Context::run_ui` with the app's own `ui`, then
//! tessellated as eframe does before painting. Run with `cargo bench --bench frame`; figures in
//! the README.
//!
//! On the novel (`../shared/corpus/sanguo-full.txt`, or `$SPANTAG_NOVEL`) as one document, with
//! N = 500, 50,000 and 100,000 spans:
//! - `scroll/N`: N spans, a new place in the novel every frame (nothing laid out or cached there);
//! - `after_tag/N`: N spans, tag the selected text (one edit), then the frame that shows it
//!   (the frame is timed);
//! - `scroll_dense/500`, `after_tag_dense/500`: 500 spans packed into the hundredth of the novel
//!   the frames show, so that a screen holds as many spans as with 50,000 over the whole novel
//!   (with 500 spread over the novel a screen shows about two: that compares a screen of ~150
//!   spans with an almost empty one);
//! - `nested_300`: 300 spans nested around one place, in view, with the pointer on them (and
//!   `nested_300_chooser`: clicked, the chooser open);
//! - `labels_10000`: a label set of 10,000 labels, each used once;
//! - `documents/N`: the novel cut into N documents (50,000 spans in all), the navigator shown;
//!   `after_mark/N`: mark the shown document done (one edit: the navigator's figures of one
//!   document are counted again), then the frame that shows it.
//!
//! The frame with 50,000 (and 100,000) spans must cost what the frame with 500 costs: what is not
//! on screen must not be visited per frame.
//!
//! Times are the CPU time of the UI thread per frame (`CLOCK_THREAD_CPUTIME_ID`), not wall time:
//! on the shared build machine wall times of the same frame varied fivefold with the load.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use eframe::App as _;
use eframe::egui;
use spantag::core::{
    AnnotatedDocument, Document, LabelSet, Project, Span, SpanId, SpanIndex, SpanStatus,
};
use spantag::ui::{Command, SpantagApp, TextSelection};

fn novel_path() -> PathBuf {
    std::env::var_os("SPANTAG_NOVEL").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sanguo-full.txt"),
        PathBuf::from,
    )
}

const LABELS: [&str; 8] = ["PER", "ORG", "GPE", "LOC", "FAC", "DATE", "EVENT", "WORK"];

/// `n` spans spread evenly over a text of `len` code points: several labels, one in seven
/// suggested, and every fourth place holds a span nested inside a longer one.
fn spread_spans(len: usize, n: usize) -> Vec<Span> {
    let places = n - n / 5;
    let step = (len / places.max(1)).max(8);
    let mut spans = Vec::with_capacity(n);
    let mut place = 0;
    while spans.len() < n {
        let start = (place * step) % len.saturating_sub(8).max(1);
        let i = spans.len();
        let id = SpanId(i as u64 + 1);
        let mut span = Span::new(id, start, start + 2 + i % 3, LABELS[i % LABELS.len()]);
        if i % 7 == 0 {
            span.status = SpanStatus::Suggested;
        }
        span.annotator = Some(["ann", "bob"][i % 2].into());
        spans.push(span);
        if place % 4 == 0 && spans.len() < n {
            let id = SpanId(spans.len() as u64 + 1);
            spans.push(Span::new(id, start, start + 6, "ORG"));
        }
        place += 1;
    }
    spans
}

/// `n` spans as [`spread_spans`] makes them, packed into the `len / squeeze` code points after
/// `from`.
fn packed_spans(len: usize, n: usize, from: usize, squeeze: usize) -> Vec<Span> {
    let mut spans = spread_spans(len / squeeze, n);
    for s in &mut spans {
        s.start += from;
        s.end += from;
    }
    spans.sort_by_key(Span::sort_key);
    spans
}

/// CPU time used by this thread so far.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a pointer to a live local.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// `iters` frames of `window`, each after `before` (untimed); their total CPU time.
fn cpu_time_of_frames(
    iters: u64,
    window: &mut Window,
    mut before: impl FnMut(&mut Window),
    mut after: impl FnMut(&mut Window),
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        before(window);
        let started = thread_cpu_time();
        black_box(window.frame());
        total += thread_cpu_time() - started;
        after(window);
    }
    total
}

fn project(text: &str, labels: LabelSet, spans: Vec<Span>) -> Project {
    let document = Document::new("sanguo", "sanguo-full.txt", text);
    Project::from_parts(
        labels,
        vec![AnnotatedDocument::new(document, SpanIndex::new(spans))],
    )
}

/// `text` cut into `n` documents of about equal length, `spans` spans spread over them.
fn documents(text: &str, n: usize, spans: usize) -> Project {
    let chars: Vec<char> = text.chars().collect();
    let size = chars.len().div_ceil(n);
    let mut next_id = 1;
    let documents = chars
        .chunks(size)
        .enumerate()
        .map(|(i, chunk)| {
            let text: String = chunk.iter().collect();
            let mut own = spread_spans(chunk.len(), (spans / n).max(1));
            for span in &mut own {
                span.id = SpanId(next_id);
                next_id += 1;
            }
            AnnotatedDocument::new(
                Document::new(format!("part-{i:04}"), format!("part-{i:04}.txt"), text),
                SpanIndex::new(own),
            )
        })
        .collect();
    Project::from_parts(LabelSet::news_default(), documents)
}

/// The window: an egui context, the app in it, and eframe's frame handle.
struct Window {
    ctx: egui::Context,
    app: SpantagApp,
    frame: eframe::Frame,
    pointer: Option<egui::Pos2>,
    /// Input for the next frame besides the pointer position.
    events: Vec<egui::Event>,
}

impl Window {
    fn new(project: Project) -> Self {
        let ctx = egui::Context::default();
        let app = SpantagApp::new(&ctx, project, None);
        let mut window = Self {
            ctx,
            app,
            frame: eframe::Frame::_new_kittest(),
            pointer: None,
            events: Vec::new(),
        };
        // Fonts load and the panels settle in the first frames.
        for _ in 0..3 {
            window.frame();
        }
        window
    }

    /// One frame: the app's `ui`, then tessellation (what eframe does before handing the
    /// triangles to the GPU).
    fn frame(&mut self) -> usize {
        let mut input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 800.0),
            )),
            ..Default::default()
        };
        if let Some(pos) = self.pointer {
            input.events.push(egui::Event::PointerMoved(pos));
        }
        input.events.append(&mut self.events);
        let output = self
            .ctx
            .run_ui(input, |ui| self.app.ui(ui, &mut self.frame));
        let primitives = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        black_box(primitives.len())
    }

    /// Click where the pointer is.
    fn click(&mut self) {
        let Some(pos) = self.pointer else {
            return;
        };
        for pressed in [true, false] {
            self.events.push(egui::Event::PointerButton {
                pos,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: egui::Modifiers::NONE,
            });
            self.frame();
        }
    }

    /// Scroll to code point `offset` (the app's own scroll-to, as Tab and Find use).
    fn show(&mut self, offset: usize) {
        self.app.text_view.scroll_to(offset);
        for _ in 0..3 {
            self.frame();
        }
    }
}

/// `scroll{suffix}/n` and `after_tag{suffix}/n` on `window`, with the frames in code points
/// `[from, to)` of the text.
fn scroll_and_tag(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    mut window: Window,
    suffix: &str,
    n: usize,
    from: usize,
    to: usize,
) {
    let len = to - from;
    // A new place every frame: what scrolling through the novel costs. The text view keeps the
    // layout of every place it has shown; the font size alternates (as Ctrl+- and Ctrl++ do) so
    // that no frame finds its place laid out, however many frames criterion runs.
    let mut place = 0;
    group.bench_function(BenchmarkId::new(format!("scroll{suffix}"), n), |b| {
        b.iter_custom(|iters| {
            let next_place = |window: &mut Window| {
                place = (place + 7919) % len;
                let view = &mut window.app.text_view;
                view.font_size = if view.font_size == 20.0 { 20.5 } else { 20.0 };
                view.scroll_to(from + place);
            };
            cpu_time_of_frames(iters, &mut window, next_place, |_| {})
        })
    });
    window.app.text_view.font_size = 20.0;

    // Tag the selected text (one edit through the app's command), then the frame that shows it.
    // Only the frame is timed (the edit itself is the core's, measured in long_document); the
    // tag is undone after each frame (untimed, with its own frame) so the project keeps its N
    // spans.
    let middle = from + len / 2;
    window.show(middle);
    let mut at = middle;
    group.bench_function(BenchmarkId::new(format!("after_tag{suffix}"), n), |b| {
        b.iter_custom(|iters| {
            let tag = |window: &mut Window| {
                at = middle + (at + 3 - middle) % 200;
                window.app.selection = TextSelection {
                    anchor: at,
                    caret: at + 2,
                };
                let ctx = window.ctx.clone();
                window
                    .app
                    .run_command(&ctx, Command::ApplyLabel("WORK".into()));
            };
            let undo = |window: &mut Window| {
                if window.app.editor.history.can_undo() {
                    let ctx = window.ctx.clone();
                    window.app.run_command(&ctx, Command::Undo);
                    // As in the window, a frame follows every edit, the undo too.
                    window.frame();
                }
            };
            cpu_time_of_frames(iters, &mut window, tag, undo)
        })
    });
}

fn frames(c: &mut Criterion) {
    let path = novel_path();
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "frame bench skipped: the novel is not at {} (set SPANTAG_NOVEL to its path)",
            path.display()
        );
        return;
    };
    let len = text.chars().count();

    let mut group = c.benchmark_group("frame");
    group.sample_size(30);
    // The spread cases: N spans over the whole novel, frames anywhere in it.
    for n in [500, 50_000, 100_000] {
        let window = Window::new(project(
            &text,
            LabelSet::news_default(),
            spread_spans(len, n),
        ));
        scroll_and_tag(&mut group, window, "", n, 0, len);
    }
    // The dense case: 500 spans in the hundredth of the novel around its middle, and the frames
    // there: as many spans on screen as the spread 50,000 put there.
    let (from, to) = (len / 2 - len / 200, len / 2 + len / 200);
    let window = Window::new(project(
        &text,
        LabelSet::news_default(),
        packed_spans(len, 500, from, 100),
    ));
    scroll_and_tag(&mut group, window, "_dense", 500, from, to);

    // 300 spans nested around one place, in view, the pointer on them (their tooltip).
    let centre = 3000;
    let nested = (0..300)
        .map(|i| {
            Span::new(
                SpanId(i as u64 + 1),
                centre - i,
                centre + 1 + i,
                LABELS[i % LABELS.len()],
            )
        })
        .collect();
    let mut window = Window::new(project(&text, LabelSet::news_default(), nested));
    window.show(centre);
    window.pointer = window
        .app
        .text_view
        .char_screen_rect(centre)
        .map(|r| r.center());
    let just_frames = |b: &mut criterion::Bencher<'_>, window: &mut Window| {
        b.iter_custom(|iters| cpu_time_of_frames(iters, window, |_| {}, |_| {}))
    };
    group.bench_function("nested_300", |b| just_frames(b, &mut window));
    // The same with the chooser open (a click on them lists all 300).
    window.click();
    assert!(
        window.app.text_view.is_chooser_open(),
        "a click on nested spans opens the chooser"
    );
    group.bench_function("nested_300_chooser", |b| just_frames(b, &mut window));

    // 10,000 labels, each used by one span spread over the novel.
    let names: Vec<String> = (0..10_000).map(|i| format!("L{i:05}")).collect();
    let spans = spread_spans(len, 10_000)
        .into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            s.label = names[i].as_str().into();
            s
        })
        .collect();
    let mut window = Window::new(project(&text, LabelSet::from_names(&names), spans));
    window.show(len / 3);
    group.bench_function("labels_10000", |b| just_frames(b, &mut window));

    // The novel cut into N documents: the navigator lists N, the frame must not grow with N.
    for n in [10, 1000] {
        let mut window = Window::new(documents(&text, n, 50_000));
        window.show(0);
        group.bench_function(BenchmarkId::new("documents", n), |b| {
            just_frames(b, &mut window)
        });
        group.bench_function(BenchmarkId::new("after_mark", n), |b| {
            b.iter_custom(|iters| {
                let toggle = |window: &mut Window| {
                    let ctx = window.ctx.clone();
                    let doc = window.app.doc;
                    let done = !window.app.editor.project.is_done(doc);
                    window.app.run_command(&ctx, Command::SetDone { doc, done });
                };
                cpu_time_of_frames(iters, &mut window, toggle, |_| {})
            })
        });
    }
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
