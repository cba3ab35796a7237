//! Valid projects that once froze the window: hundreds of spans nested at one place, and label
//! sets of thousands of labels. The window lays out and lists only what is visible, and every
//! span and label stays reachable. (Frame times are measured in `benches/frame.rs`; no test
//! here asserts a time.)
#![cfg(feature = "gui")]

mod common;

use common::ui::click_at;

use eframe::egui::{self, Modifiers, Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use spantag::core::{AnnotatedDocument, Document, LabelSet, Project, Span, SpanId, SpanIndex};
use spantag::ui::SpantagApp;

fn harness(project: Project) -> Harness<'static, SpantagApp> {
    let mut harness = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| SpantagApp::new(&cc.egui_ctx, project, None));
    // A few frames: estimated block heights settle.
    for _ in 0..3 {
        harness.run();
    }
    harness
}

fn one_document(text: &str, labels: LabelSet, spans: Vec<Span>) -> Project {
    Project::from_parts(
        labels,
        vec![AnnotatedDocument::new(
            Document::new("d1", "d1.txt", text),
            SpanIndex::new(spans),
        )],
    )
}

/// Scroll the wheel over `pos` by `lines` lines (negative: down).
fn wheel_at(harness: &mut Harness<'_, SpantagApp>, pos: Pos2, lines: f32) {
    harness.hover_at(pos);
    harness.step();
    harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: vec2(0.0, lines),
        modifiers: Modifiers::NONE,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
    });
    // The scroll is animated over several frames.
    harness.run_steps(30);
}

#[test]
fn three_hundred_nested_spans_are_all_listed_by_the_chooser() {
    let text = "The quick brown fox jumps over the lazy dog. ".repeat(40);
    let centre = 400;
    let labels = ["PER", "ORG", "GPE", "LOC"];
    // Span i covers [centre - i, centre + 1 + i): each one nests inside the next.
    let spans = (0..300)
        .map(|i| {
            Span::new(
                SpanId(i + 1),
                centre - i as usize,
                centre + 1 + i as usize,
                labels[i as usize % 4],
            )
        })
        .collect();
    let mut h = harness(one_document(&text, LabelSet::news_default(), spans));
    let pos = h
        .state()
        .text_view
        .char_screen_rect(centre)
        .expect("the nested spans are on screen")
        .center();
    click_at(&mut h, pos);
    h.get_by_label("Several spans here (300). Select one:");
    // The chooser lays out only the rows in view: the innermost span (listed last) is not
    // there until the list is scrolled to its end.
    let innermost = format!("PER  {}", &text[centre..centre + 1]);
    // Long texts are shortened in the middle, so the rows stay on screen.
    let outermost = format!(
        "LOC  {}…{}",
        &text[centre - 299..centre - 283],
        &text[centre + 284..centre + 300]
    );
    h.get_by_label(&outermost);
    assert!(h.query_by_label(&innermost).is_none());
    let list = h.get_by_label(&outermost).rect().center();
    wheel_at(&mut h, list, -10_000.0);
    h.get_by_label(&innermost).click();
    h.run();
    assert_eq!(h.state().selected_span, Some(SpanId(1)));
    assert!(h.query_by_label_contains("Several spans here").is_none());
}

#[test]
fn the_ten_thousandth_label_is_found_by_the_label_filter() {
    let names: Vec<String> = (0..10_000).map(|i| format!("L{i:05}")).collect();
    let text = "abcdefghij".repeat(2_000);
    let spans = (0..10_000u64)
        .map(|i| {
            Span::new(
                SpanId(i + 1),
                i as usize * 2,
                i as usize * 2 + 1,
                &names[i as usize],
            )
        })
        .collect();
    let mut h = harness(one_document(&text, LabelSet::from_names(&names), spans));
    // Only the rows of the label list in view are laid out.
    h.get_by_label("Edit label L00000");
    assert!(h.query_by_label("Edit label L09999").is_none());
    h.get_by_label("Find label").click();
    h.run();
    h.get_by_label("Find label").type_text("L09999");
    h.run();
    h.get_by_label("Edit label L09999").click();
    h.run();
    let form = h
        .state()
        .panel
        .label_form
        .clone()
        .expect("the label form is open");
    assert_eq!(form.name, "L09999");
}
