//! The document navigator and per-document positions, through egui_kittest: the list with
//! statuses, its filters, Ctrl+Enter / Ctrl+PageDown / Ctrl+PageUp, the done mark through save,
//! load and undo, and each document opening where it was left (the first time at its top).
#![cfg(feature = "gui")]

use eframe::egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use spantag::core::{DocStatus, Document, Edit, LabelSet, Project, SpanStatus, project_file};
use spantag::ui::{Command, SpantagApp, TextSelection};

fn harness_at(project: Project, path: Option<std::path::PathBuf>) -> Harness<'static, SpantagApp> {
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .with_max_steps(12)
        .build_eframe(move |cc| SpantagApp::new(&cc.egui_ctx, project, path));
    h.run();
    h
}

fn harness(project: Project) -> Harness<'static, SpantagApp> {
    harness_at(project, None)
}

fn press_mod(h: &mut Harness<'_, SpantagApp>, modifiers: Modifiers, key: Key) {
    h.key_press_modifiers(modifiers, key);
    h.run_steps(4);
}

/// Five short chapters: c2 has a span made by hand (in progress), c3 a suggestion only (not
/// started), c4 is done.
fn chapters() -> Project {
    let names = ["c1.txt", "c2.txt", "c3.txt", "c4.txt", "c5.txt"];
    let docs = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            Document::new(
                format!("c{}", i + 1),
                *n,
                format!("第{}回 刘备关羽张飞", i + 1),
            )
        })
        .collect();
    let mut project = Project::new(LabelSet::news_default(), docs);
    let t = project.tag(1, 4, 6, "PER");
    project.apply(&t).expect("tag");
    let mut t = project.tag(2, 6, 8, "PER");
    for edit in &mut t.edits {
        if let Edit::AddSpan { span, .. } = edit {
            span.status = SpanStatus::Suggested;
        }
    }
    project.apply(&t).expect("suggest");
    let t = project.mark_done(&[3], true);
    project.apply(&t).expect("done");
    project
}

/// The navigator's row of `name`: its accessible text (mark, name, reviewed/spans).
fn row(h: &Harness<'_, SpantagApp>, name: &str) -> Option<String> {
    h.query_all_by_label_contains(name)
        .filter_map(|n| n.accesskit_node().label())
        .find(|l| l.contains('/'))
}

#[test]
fn the_navigator_lists_every_document_with_its_status_and_progress() {
    let h = harness(chapters());
    assert_eq!(
        row(&h, "c1.txt").as_deref().map(|r| r.starts_with('○')),
        Some(true)
    );
    let c2 = row(&h, "c2.txt").expect("c2 listed");
    assert!(c2.starts_with('◎') && c2.contains("1/1"), "{c2}");
    let c3 = row(&h, "c3.txt").expect("c3 listed");
    assert!(c3.starts_with('○') && c3.contains("0/1"), "{c3}");
    assert!(row(&h, "c4.txt").expect("c4 listed").starts_with('●'));
    assert!(
        h.query_by_label("1 of 5 done").is_some(),
        "the progress bar"
    );
    // The old document list of the right panel is gone: one row per document.
    assert_eq!(
        h.query_all_by_label_contains("c5.txt").count(),
        1,
        "listed once"
    );
}

#[test]
fn the_filter_by_name_and_status_narrows_the_list_and_a_click_opens_a_document() {
    let mut h = harness(chapters());
    h.state_mut().navigator.name_filter = "C5".into();
    h.run();
    assert!(row(&h, "c1.txt").is_none());
    assert!(row(&h, "c5.txt").is_some(), "names match ignoring case");
    h.state_mut().navigator.name_filter.clear();
    h.state_mut().navigator.status_filter = Some(DocStatus::NotStarted);
    h.run();
    let listed: Vec<bool> = ["c1.txt", "c2.txt", "c3.txt", "c4.txt", "c5.txt"]
        .iter()
        .map(|n| row(&h, n).is_some())
        .collect();
    assert_eq!(listed, [true, false, true, false, true]);
    h.query_all_by_label_contains("c3.txt")
        .find(|n| n.accesskit_node().label().is_some_and(|l| l.contains('/')))
        .expect("c3's row")
        .click();
    h.run();
    assert_eq!(h.state().doc, 2);
}

#[test]
fn ctrl_enter_marks_done_and_opens_the_next_not_done_and_undo_takes_it_back() {
    let mut h = harness(chapters());
    // From c3: c4 is done, so the next not done is c5.
    h.state_mut().queue(Command::SelectDocument(2));
    h.run();
    press_mod(&mut h, Modifiers::COMMAND, Key::Enter);
    assert!(h.state().editor.project.is_done(2));
    assert_eq!(h.state().doc, 4, "c4 is done already: on to c5");
    assert!(h.state().editor.is_dirty());
    assert!(row(&h, "c3.txt").expect("row").starts_with('●'));
    assert!(h.query_by_label("2 of 5 done").is_some());
    // From the last one, round to the first not done.
    press_mod(&mut h, Modifiers::COMMAND, Key::Enter);
    assert_eq!(h.state().doc, 0);
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert!(!h.state().editor.project.is_done(4));
    assert_eq!(h.state().doc, 4, "undo shows the document it changed");
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert!(!h.state().editor.project.is_done(2));
    assert!(!h.state().editor.is_dirty());
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    assert!(h.state().editor.project.is_done(2));
}

#[test]
fn ctrl_page_down_and_up_open_the_next_and_previous_document() {
    let mut h = harness(chapters());
    press_mod(&mut h, Modifiers::COMMAND, Key::PageDown);
    press_mod(&mut h, Modifiers::COMMAND, Key::PageDown);
    assert_eq!(h.state().doc, 2);
    press_mod(&mut h, Modifiers::COMMAND, Key::PageUp);
    assert_eq!(h.state().doc, 1);
    press_mod(&mut h, Modifiers::COMMAND, Key::PageUp);
    press_mod(&mut h, Modifiers::COMMAND, Key::PageUp);
    assert_eq!(h.state().doc, 0);
    assert_eq!(
        h.state().status.as_deref(),
        Some("This is the first document")
    );
}

#[test]
fn the_navigator_toggles_from_the_command_table() {
    let mut h = harness(chapters());
    assert!(row(&h, "c1.txt").is_some());
    press_mod(&mut h, Modifiers::COMMAND, Key::B);
    h.run();
    assert!(!h.state().prefs.show_navigator);
    assert!(row(&h, "c1.txt").is_none(), "hidden");
    press_mod(&mut h, Modifiers::COMMAND, Key::B);
    h.run();
    assert!(row(&h, "c1.txt").is_some());
}

#[test]
fn the_done_mark_survives_save_and_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("chapters.json");
    project_file::save(&chapters(), &path).expect("save");
    let mut h = harness_at(project_file::load(&path).expect("load"), Some(path.clone()));
    press_mod(&mut h, Modifiers::COMMAND, Key::Enter);
    press_mod(&mut h, Modifiers::COMMAND, Key::S);
    assert!(!h.state().editor.is_dirty());
    let saved = project_file::load(&path).expect("load");
    assert!(saved.is_done(0) && saved.is_done(3) && !saved.is_done(1));
    let mut h = harness_at(saved, Some(path));
    assert!(row(&h, "c1.txt").expect("row").starts_with('●'));
    assert!(h.query_by_label("2 of 5 done").is_some());
    // The check box marks the document shown (c1), and unmarks it.
    h.get_by_label("This document is done").click();
    h.run();
    assert!(!h.state().editor.project.is_done(0));
    h.get_by_label("This document is done").click();
    h.run();
    assert!(h.state().editor.project.is_done(0));
}

/// Two long documents (200 lines each).
fn long_documents() -> Project {
    let text: String = (1..=200)
        .map(|i| format!("第{i}行：刘备关羽张飞桃园结义。\n"))
        .collect();
    Project::new(
        LabelSet::news_default(),
        vec![
            Document::new("a", "a.txt", text.clone()),
            Document::new("b", "b.txt", text),
        ],
    )
}

#[test]
fn each_document_opens_where_it_was_left_and_the_first_time_at_its_top() {
    let mut h = harness(long_documents());
    // Far down document a, with a selection.
    press_mod(&mut h, Modifiers::COMMAND, Key::End);
    h.run();
    let line_150 = h.state().editor.project.documents[0].document.line_starts()[150];
    h.state_mut().selection = TextSelection {
        anchor: line_150,
        caret: line_150 + 2,
    };
    h.state_mut().text_view.scroll_to_top(line_150);
    h.run();
    let top_a = h.state().text_view.top_offset().expect("painted");
    let line_of = |h: &Harness<'_, SpantagApp>, offset: usize| {
        h.state().editor.project.documents[0]
            .document
            .line_of(offset)
    };
    assert_eq!(line_of(&h, top_a), 150, "a is scrolled to line 150");

    // b, never shown before, opens at its top with the caret at 0 (it opened where a was).
    press_mod(&mut h, Modifiers::COMMAND, Key::PageDown);
    h.run();
    assert_eq!(h.state().doc, 1);
    assert_eq!(h.state().text_view.top_offset(), Some(0));
    assert_eq!(h.state().selection, TextSelection::caret(0));
    let line_20 = h.state().editor.project.documents[1].document.line_starts()[20];
    h.state_mut().selection = TextSelection::caret(line_20);

    // Back to a: the same line at the top, the same selection.
    press_mod(&mut h, Modifiers::COMMAND, Key::PageUp);
    h.run();
    assert_eq!(h.state().doc, 0);
    let top = h.state().text_view.top_offset().expect("painted");
    assert_eq!(line_of(&h, top), 150, "a is back at line 150");
    assert_eq!(
        h.state().selection,
        TextSelection {
            anchor: line_150,
            caret: line_150 + 2
        }
    );
    // And b keeps its caret.
    press_mod(&mut h, Modifiers::COMMAND, Key::PageDown);
    assert_eq!(h.state().selection, TextSelection::caret(line_20));
}

/// With 1,000 documents the list shows only some rows; the one shown follows the document
/// opened by a key, and the status filter is chosen from its box.
#[test]
fn the_list_follows_the_document_shown_and_the_status_box_filters() {
    let docs = (0..1000)
        .map(|i| {
            Document::new(
                format!("d{i:04}"),
                format!("doc-{i:04}.txt"),
                "刘备关羽张飞",
            )
        })
        .collect();
    let mut h = harness(Project::new(LabelSet::news_default(), docs));
    assert!(row(&h, "doc-0000.txt").is_some());
    assert!(
        row(&h, "doc-0700.txt").is_none(),
        "only the rows in view are laid out"
    );
    h.state_mut().queue(Command::SelectDocument(699));
    h.run();
    press_mod(&mut h, Modifiers::COMMAND, Key::PageDown);
    h.run();
    assert_eq!(h.state().doc, 700);
    assert!(row(&h, "doc-0700.txt").is_some(), "the list scrolled to it");

    press_mod(&mut h, Modifiers::COMMAND, Key::Enter);
    assert_eq!(h.state().doc, 701);
    h.get_by_label("Show").click();
    h.run();
    h.get_by_label("Done (1)").click();
    h.run();
    assert_eq!(h.state().navigator.status_filter, Some(DocStatus::Done));
    assert!(row(&h, "doc-0700.txt").is_some());
    assert!(row(&h, "doc-0000.txt").is_none() && row(&h, "doc-0701.txt").is_none());
}

/// The document keys walk what the navigator lists: with a filter set, Ctrl+PageDown /
/// Ctrl+PageUp skip the documents it hides, from a shown document or from one filtered out.
#[test]
fn ctrl_page_down_and_up_walk_the_documents_the_filter_lets_through() {
    let mut h = harness(chapters());
    h.state_mut().navigator.status_filter = Some(DocStatus::NotStarted);
    h.run();
    // c1, c3 and c5 are not started; c2 (in progress) and c4 (done) are not listed.
    press_mod(&mut h, Modifiers::COMMAND, Key::PageDown);
    assert_eq!(h.state().doc, 2, "c2 is skipped");
    press_mod(&mut h, Modifiers::COMMAND, Key::PageDown);
    assert_eq!(h.state().doc, 4, "c4 is skipped");
    press_mod(&mut h, Modifiers::COMMAND, Key::PageDown);
    assert_eq!(h.state().doc, 4);
    assert_eq!(
        h.state().status.as_deref(),
        Some("No document after this one matches the navigator's filter")
    );
    press_mod(&mut h, Modifiers::COMMAND, Key::PageUp);
    assert_eq!(h.state().doc, 2);
    // From c2, which the filter hides, the neighbours in the list: c1 before, c3 after.
    h.state_mut().queue(Command::SelectDocument(1));
    h.run();
    press_mod(&mut h, Modifiers::COMMAND, Key::PageUp);
    assert_eq!(h.state().doc, 0);
    // A name filter too: only c5 has a 5 in its name.
    h.state_mut().navigator.status_filter = None;
    h.state_mut().navigator.name_filter = "5".into();
    h.run();
    press_mod(&mut h, Modifiers::COMMAND, Key::PageDown);
    assert_eq!(h.state().doc, 4);
    // The navigator hidden, the keys walk every document.
    press_mod(&mut h, Modifiers::COMMAND, Key::B);
    press_mod(&mut h, Modifiers::COMMAND, Key::PageUp);
    assert_eq!(h.state().doc, 3, "c4 again, with the navigator hidden");
}

/// Ctrl+Enter opens the next document not done among those the navigator lists.
#[test]
fn ctrl_enter_opens_the_next_not_done_document_the_filter_lets_through() {
    let mut h = harness(chapters());
    h.state_mut().navigator.status_filter = Some(DocStatus::NotStarted);
    h.run();
    press_mod(&mut h, Modifiers::COMMAND, Key::Enter);
    assert!(h.state().editor.project.is_done(0));
    assert_eq!(h.state().doc, 2, "c2 is in progress, not listed: on to c3");
    press_mod(&mut h, Modifiers::COMMAND, Key::Enter);
    assert_eq!(h.state().doc, 4);
    press_mod(&mut h, Modifiers::COMMAND, Key::Enter);
    assert!(h.state().editor.project.is_done(4));
    assert_eq!(h.state().doc, 4, "nothing listed is left: it stays");
    let status = h.state().status.clone().unwrap_or_default();
    assert!(
        status.contains("no other document the navigator lists is left not done"),
        "{status}"
    );
    assert!(!h.state().editor.project.is_done(1), "c2 was never marked");
}

/// Ctrl+Shift+Enter is review mode's "accept every suggestion in this document"; outside review
/// mode it does nothing: it neither marks the document done nor opens another.
#[test]
fn ctrl_shift_enter_does_not_mark_the_document_done() {
    let mut h = harness(chapters());
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::Enter);
    assert!(!h.state().editor.project.is_done(0));
    assert_eq!(h.state().doc, 0);
    assert!(!h.state().editor.is_dirty());
    // In review mode it still accepts the document's suggestions (c3 has one).
    h.state_mut().queue(Command::SelectDocument(2));
    h.run();
    press_mod(&mut h, Modifiers::COMMAND, Key::R);
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::Enter);
    assert!(!h.state().editor.project.is_done(2));
    assert_eq!(h.state().doc, 2);
}
