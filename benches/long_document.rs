//! Long-document performance: opening the 600k-character novel as a project, and laying out one
//! screen of it at a new scroll position. Run with `cargo bench`; figures in the README.
//!
//! The novel is read from `../shared/corpus/sanguo-full.txt` (or `$SPANTAG_NOVEL`).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use eframe::egui;
use spantag::core::{Document, Editor, LabelSet, Project, project_file};
use spantag::ui::text_layout::DocumentLayout;

fn novel_path() -> PathBuf {
    std::env::var_os("SPANTAG_NOVEL").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sanguo-full.txt"),
        PathBuf::from,
    )
}

fn novel() -> String {
    let path = novel_path();
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the novel at {}: {e} (set SPANTAG_NOVEL to its path)",
            path.display()
        )
    })
}

/// The novel as a project with `n` spans spread through it.
fn novel_project(text: &str, n: usize) -> Project {
    let mut editor = Editor::new(Project::new(
        LabelSet::news_default(),
        vec![Document::new("sanguo", "sanguo-full.txt", text)],
    ));
    let len = editor.project.documents[0].document.char_len();
    for i in 0..n {
        let start = i * (len / n.max(1));
        let t = editor.project.tag(0, start, start + 2, "PER");
        editor.execute(t).expect("valid span");
    }
    editor.project
}

fn open(c: &mut Criterion) {
    let text = novel();
    let mut group = c.benchmark_group("open_novel");
    group.sample_size(20);
    group.bench_function("document_from_text", |b| {
        b.iter(|| Document::new("sanguo", "sanguo-full.txt", black_box(text.as_str())))
    });
    let json = project_file::to_json(&novel_project(&text, 10_000)).expect("serialisable");
    group.bench_function("load_project_file_10k_spans", |b| {
        b.iter(|| {
            project_file::parse(black_box(json.as_bytes()), Path::new("sanguo.json"))
                .expect("valid")
        })
    });
    group.finish();
}

fn layout(c: &mut Criterion) {
    let text = novel();
    let project = novel_project(&text, 10_000);
    let doc = &project.documents[0].document;
    let ctx = egui::Context::default();
    spantag::ui::fonts::install(&ctx);
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        ..Default::default()
    };
    // Load the fonts once.
    let _ = ctx.run_ui(input(), |_| {});

    let mut group = c.benchmark_group("layout");
    group.sample_size(30);
    group.bench_function("index_blocks_of_novel", |b| {
        b.iter(|| DocumentLayout::new(black_box(doc), 20.0))
    });

    // One screen (900 px wrap, 800 px tall) at a new place each time, so neither Spantag's nor
    // egui's galley cache can answer: the cost of scrolling to an unseen part of the novel.
    let mut layout = DocumentLayout::new(doc, 20.0);
    let mut step = 0usize;
    group.bench_function("one_screen_at_new_position", |b| {
        b.iter(|| {
            step = (step + 7919) % 3000;
            layout = DocumentLayout::new(doc, 20.0);
            let mut shown = 0;
            let _ = ctx.run_ui(input(), |ui| {
                layout.configure(900.0, 20.0, egui::Color32::BLACK);
                let y = layout.top_of(step);
                shown = layout.visible(ui.ctx(), doc, y, y + 800.0).len();
            });
            black_box(shown)
        })
    });

    // The same screen again: what every repaint while idle or tagging costs.
    let mut layout = DocumentLayout::new(doc, 20.0);
    group.bench_function("one_screen_cached", |b| {
        b.iter(|| {
            let mut shown = 0;
            let _ = ctx.run_ui(input(), |ui| {
                layout.configure(900.0, 20.0, egui::Color32::BLACK);
                let y = layout.top_of(1500);
                shown = layout.visible(ui.ctx(), doc, y, y + 800.0).len();
            });
            black_box(shown)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("edit");
    group.bench_function("tag_span_among_10k", |b| {
        let mut editor = Editor::new(project.clone());
        let mut i = 0;
        b.iter(|| {
            i = (i + 13) % 500_000;
            let t = editor.project.tag(0, i + 1, i + 3, "ORG");
            editor.execute(t).expect("valid");
            editor.undo().expect("undo");
        })
    });
    group.finish();
}

criterion_group!(benches, open, layout);
criterion_main!(benches);
