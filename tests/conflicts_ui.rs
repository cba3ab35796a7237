//! Resolving merge conflicts in the window, through egui_kittest: a project made by
//! `core::merge` with two conflicting spans; review mode lists them, Alt+N selects one, Alt+1
//! takes ours and Alt+2 theirs; the marks go, the count goes to 0, and undo brings a conflict
//! back.
#![cfg(feature = "gui")]

use eframe::egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use spantag::core::merge::{CONFLICT_ATTRIBUTE, merge};
use spantag::core::project::AnnotatedDocument;
use spantag::core::{Document, LabelSet, Project, Span, SpanId, SpanIndex, SpanStatus};
use spantag::ui::SpantagApp;

const TEXT: &str = "Liu Bei met Guan Yu and Zhang Fei in Zhuo.";

fn project(labels: [&str; 3]) -> Project {
    let spans = [(1, 0, 7), (2, 12, 19), (3, 24, 33)]
        .iter()
        .zip(labels)
        .map(|(&(id, start, end), label)| Span::new(SpanId(id), start, end, label))
        .collect();
    let doc = AnnotatedDocument::new(Document::new("d1", "d1", TEXT), SpanIndex::new(spans));
    let mut p = Project::from_parts(LabelSet::from_names(&["PER", "LOC", "ORG"]), vec![doc]);
    p.raise_next_span_id(4);
    p
}

/// Liu Bei: ORG (ours) vs LOC (theirs); Guan Yu: LOC (ours) vs ORG (theirs).
fn merged() -> Project {
    let report = merge(
        &project(["PER", "PER", "PER"]),
        &project(["ORG", "LOC", "PER"]),
        &project(["LOC", "ORG", "PER"]),
    );
    assert_eq!(report.conflicts.len(), 2, "{:?}", report.conflicts);
    report.project
}

fn harness(project: Project) -> Harness<'static, SpantagApp> {
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 900.0))
        .build_eframe(move |cc| SpantagApp::new(&cc.egui_ctx, project, None));
    h.run_steps(4);
    h
}

fn press(h: &mut Harness<'_, SpantagApp>, modifiers: Modifiers, key: Key) {
    h.key_press_modifiers(modifiers, key);
    h.run_steps(4);
}

/// (text, label, marked) of every span.
fn spans(h: &Harness<'_, SpantagApp>) -> Vec<(String, String, bool)> {
    let d = &h.state().editor.project.documents[0];
    d.spans
        .iter()
        .map(|s| {
            (
                d.document.slice(s.start, s.end).to_owned(),
                s.label.to_string(),
                s.attributes.contains_key(CONFLICT_ATTRIBUTE),
            )
        })
        .collect()
}

fn row(text: &str, label: &str, marked: bool) -> (String, String, bool) {
    (text.to_owned(), label.to_owned(), marked)
}

#[test]
fn conflicts_are_resolved_with_keys_and_undo_brings_one_back() {
    let mut h = harness(merged());
    press(&mut h, Modifiers::COMMAND, Key::R);
    assert!(h.state().review.on);
    h.get_by_label("Merge conflicts (2)");
    press(&mut h, Modifiers::ALT, Key::N);
    // The selected conflict's versions side by side, and its buttons.
    h.get_by_label("Take ours (Alt+1)");
    assert_eq!(
        h.get_all_by_label("Liu Bei  [0, 7)").count(),
        2,
        "both versions"
    );
    press(&mut h, Modifiers::ALT, Key::Num1); // Liu Bei: ours (ORG); on to Guan Yu
    h.get_by_label("Merge conflicts (1)");
    press(&mut h, Modifiers::ALT, Key::Num2); // Guan Yu: theirs (ORG)
    assert_eq!(
        spans(&h),
        vec![
            row("Liu Bei", "ORG", false),
            row("Guan Yu", "ORG", false),
            row("Zhang Fei", "PER", false),
        ]
    );
    let statuses: Vec<SpanStatus> = h.state().editor.project.documents[0]
        .spans
        .iter()
        .map(|s| s.status)
        .collect();
    assert_eq!(
        statuses,
        vec![SpanStatus::Accepted; 3],
        "the status each version had before the merge"
    );
    h.get_by_label("Merge conflicts (0)");
    h.get_by_label("No merge conflicts remain.");
    press(&mut h, Modifiers::COMMAND, Key::Z);
    h.get_by_label("Merge conflicts (1)");
    assert_eq!(
        spans(&h),
        vec![
            row("Liu Bei", "ORG", false),
            row("Guan Yu", "LOC", true),
            row("Guan Yu", "ORG", true),
            row("Zhang Fei", "PER", false),
        ],
        "undo brings the second conflict back, both versions marked"
    );
}

#[test]
fn a_click_selects_a_conflict_and_the_buttons_resolve_it() {
    let mut h = harness(merged());
    press(&mut h, Modifiers::COMMAND, Key::R);
    h.get_by_label_contains("Guan Yu  [12, 19)").click();
    h.run_steps(4);
    h.get_by_label("Both (Alt+B)").click();
    h.run_steps(4);
    h.get_by_label("Merge conflicts (1)");
    let kept: Vec<(String, String, bool)> = spans(&h)
        .into_iter()
        .filter(|(text, _, _)| text == "Guan Yu")
        .collect();
    assert_eq!(
        kept,
        vec![row("Guan Yu", "LOC", false), row("Guan Yu", "ORG", false)]
    );
}
