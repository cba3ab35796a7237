//! UI behaviour through egui_kittest: the real app, driven by simulated mouse and keys.
//!
//! kittest panics on any character no font can draw, so every test here also checks that the
//! bundled font renders the Chinese text.
#![cfg(feature = "gui")]

use std::path::PathBuf;

use eframe::egui::{self, Key, Modifiers, Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use spantag::core::markup::project;
use spantag::core::{Project, SpanId, markup, project_file};
use spantag::ui::{AfterConfirm, Dialog, SpantagApp};

fn harness(project: Project, path: Option<PathBuf>) -> Harness<'static, SpantagApp> {
    let mut harness = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| SpantagApp::new(&cc.egui_ctx, project, path));
    harness.run();
    harness
}

/// The spans of the shown document as markup, e.g. `"会见[习近平](PER)"`.
fn markup_of(harness: &Harness<'_, SpantagApp>) -> String {
    let app = harness.state();
    markup::render_document(&app.editor.project, app.doc)
}

fn char_center(harness: &Harness<'_, SpantagApp>, offset: usize) -> Pos2 {
    harness
        .state()
        .text_view
        .char_screen_rect(offset)
        .unwrap_or_else(|| panic!("character {offset} is not on screen"))
        .center()
}

/// Drag with the mouse from the left edge of character `from` to the right edge of `to - 1`.
fn drag_select(harness: &mut Harness<'_, SpantagApp>, from: usize, to: usize) {
    let a = harness
        .state()
        .text_view
        .char_screen_rect(from)
        .expect("on screen");
    let b = harness
        .state()
        .text_view
        .char_screen_rect(to - 1)
        .expect("on screen");
    let start = Pos2::new(a.left() + 1.0, a.center().y);
    let end = Pos2::new(b.right() - 1.0, b.center().y);
    harness.hover_at(start);
    harness.step();
    harness.drag_at(start);
    harness.step();
    for i in 1..=4 {
        let t = i as f32 / 4.0;
        harness.hover_at(start + (end - start) * t);
        harness.step();
    }
    harness.drop_at(end);
    harness.run();
}

fn click_at(harness: &mut Harness<'_, SpantagApp>, pos: Pos2) {
    harness.hover_at(pos);
    harness.step();
    harness.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    harness.step();
    harness.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    harness.run();
}

fn press(harness: &mut Harness<'_, SpantagApp>, key: Key) {
    harness.key_press(key);
    harness.run();
}

fn press_mod(harness: &mut Harness<'_, SpantagApp>, modifiers: Modifiers, key: Key) {
    harness.key_press_modifiers(modifiers, key);
    harness.run();
}

#[test]
fn drag_and_label_key_tags_a_span_and_undo_redo_it() {
    let mut h = harness(project("会见习近平和古巴领导人"), None);
    drag_select(&mut h, 2, 5);
    assert_eq!(h.state().selection.range(), (2, 5));
    press(&mut h, Key::Num1);
    assert_eq!(markup_of(&h), "会见[习近平](PER)和古巴领导人");
    let app = h.state();
    let span = app.editor.project.documents[0]
        .spans
        .iter()
        .next()
        .expect("span");
    assert_eq!(
        app.editor.project.documents[0]
            .document
            .slice(span.start, span.end),
        "习近平"
    );
    assert_eq!(app.selected_span, Some(span.id));
    assert!(app.editor.is_dirty());

    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(markup_of(&h), "会见习近平和古巴领导人");
    assert!(
        !h.state().editor.is_dirty(),
        "undo back to the saved state is clean"
    );
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    assert_eq!(markup_of(&h), "会见[习近平](PER)和古巴领导人");
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    press_mod(&mut h, Modifiers::COMMAND, Key::Y);
    assert_eq!(markup_of(&h), "会见[习近平](PER)和古巴领导人");
}

#[test]
fn clicking_the_label_in_the_panel_tags_too() {
    let mut h = harness(project("会见习近平和古巴领导人"), None);
    drag_select(&mut h, 6, 8);
    h.get_by_label("GPE").click();
    h.run();
    assert_eq!(markup_of(&h), "会见习近平和[古巴](GPE)领导人");
}

#[test]
fn click_selects_a_span_then_relabel_and_delete_with_keys() {
    let mut h = harness(project("会见[习近平](PER)和[古巴](GPE)领导人"), None);
    let pos = char_center(&h, 3);
    click_at(&mut h, pos);
    let id = h.state().selected_span.expect("a span is selected");
    press(&mut h, Key::Num2);
    assert_eq!(markup_of(&h), "会见[习近平](ORG)和[古巴](GPE)领导人");
    assert_eq!(
        h.state().selected_span,
        Some(id),
        "relabel keeps the selection"
    );
    press(&mut h, Key::Delete);
    assert_eq!(markup_of(&h), "会见习近平和[古巴](GPE)领导人");
    // Undo walks back through the delete and the relabel.
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(markup_of(&h), "会见[习近平](ORG)和[古巴](GPE)领导人");
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(markup_of(&h), "会见[习近平](PER)和[古巴](GPE)领导人");
}

#[test]
fn click_on_nested_spans_offers_a_chooser() {
    let mut h = harness(project("[[古巴](GPE)共产党中央委员会](ORG)第一书记"), None);
    let pos = char_center(&h, 0);
    click_at(&mut h, pos);
    assert_eq!(h.state().selected_span, None);
    h.get_by_label_contains("Several spans here");
    h.get_by_label("GPE  古巴").click();
    h.run();
    let app = h.state();
    let gpe = app.editor.project.documents[0]
        .spans
        .iter()
        .find(|s| s.label == "GPE")
        .expect("GPE");
    assert_eq!(app.selected_span, Some(gpe.id));
    assert!(h.query_by_label_contains("Several spans here").is_none());
    // A click on the part only the ORG covers selects it directly.
    let pos = char_center(&h, 4);
    click_at(&mut h, pos);
    let org = h.state().editor.project.documents[0]
        .spans
        .iter()
        .find(|s| s.label == "ORG")
        .map(|s| s.id);
    assert_eq!(h.state().selected_span, org);
}

#[test]
fn keyboard_only_select_with_shift_arrows_and_tab_between_spans() {
    let mut h = harness(project("会见[习近平](PER)和古巴领导人"), None);
    let pos = char_center(&h, 3);
    click_at(&mut h, pos);
    press_mod(&mut h, Modifiers::COMMAND, Key::Home);
    assert_eq!(h.state().selection.range(), (0, 0));
    // Caret to after 和 (offset 6), then select 古巴 with Shift+Right twice.
    for _ in 0..6 {
        press(&mut h, Key::ArrowRight);
    }
    press_mod(&mut h, Modifiers::SHIFT, Key::ArrowRight);
    press_mod(&mut h, Modifiers::SHIFT, Key::ArrowRight);
    assert_eq!(h.state().selection.range(), (6, 8));
    press(&mut h, Key::Num3);
    assert_eq!(markup_of(&h), "会见[习近平](PER)和[古巴](GPE)领导人");
    press_mod(&mut h, Modifiers::SHIFT, Key::Tab);
    let per = h.state().editor.project.documents[0]
        .spans
        .iter()
        .find(|s| s.label == "PER")
        .map(|s| s.id);
    assert_eq!(h.state().selected_span, per);
    press(&mut h, Key::Tab);
    assert_ne!(h.state().selected_span, per);
}

#[test]
fn find_then_label_key_tags_the_match() {
    let mut h = harness(project("会见习近平和古巴领导人，古巴共产党"), None);
    press_mod(&mut h, Modifiers::COMMAND, Key::F);
    h.get_by_label("Find").type_text("古巴");
    h.run();
    press(&mut h, Key::Enter);
    assert_eq!(h.state().selection.range(), (6, 8));
    // While the bar is open a label key tags every hit (tests/assist_ui.rs); Esc closes it and
    // keeps the match selected, so the key tags just that one.
    press(&mut h, Key::Escape);
    assert!(!h.state().find.open);
    press(&mut h, Key::Num3);
    assert_eq!(markup_of(&h), "会见习近平和[古巴](GPE)领导人，古巴共产党");
}

#[test]
fn note_field_edits_the_note_as_one_undo_step() {
    let mut h = harness(project("会见[习近平](PER)"), None);
    let id = SpanId(1);
    h.state_mut().select_span(id, false);
    h.run();
    let note = h.get_by_label("Note");
    note.click();
    h.run();
    h.get_by_label("Note").type_text("国家主席");
    h.run();
    // Focus leaves the field: the note is committed.
    let pos = char_center(&h, 0);
    click_at(&mut h, pos);
    let note_of = |h: &Harness<'_, SpantagApp>| {
        h.state().editor.project.documents[0]
            .spans
            .get(id)
            .and_then(|s| s.note.clone())
    };
    assert_eq!(note_of(&h).as_deref(), Some("国家主席"));
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(note_of(&h), None);
}

#[test]
fn label_editor_refuses_a_taken_hotkey_and_adds_a_label() {
    let mut h = harness(project("会见习近平"), None);
    h.get_by_label("Edit label PER").click();
    h.run();
    let hotkey = h.get_by_label("Hotkey");
    hotkey.click();
    h.run();
    press_mod(&mut h, Modifiers::COMMAND, Key::A);
    h.get_by_label("Hotkey").type_text("2");
    h.run();
    h.get_by_label("Save label").click();
    h.run();
    h.get_by_label("hotkey 2 is already taken by ORG");
    assert_eq!(
        h.state()
            .editor
            .project
            .labels
            .get("PER")
            .and_then(|l| l.hotkey),
        Some('1')
    );
    h.get_by_label("Cancel").click();
    h.run();

    h.get_by_label("Add label").click();
    h.run();
    h.get_by_label("Name").click();
    h.run();
    h.get_by_label("Name").type_text("MISC");
    h.run();
    h.get_by_label("Save label").click();
    h.run();
    let misc = h
        .state()
        .editor
        .project
        .labels
        .get("MISC")
        .cloned()
        .expect("added");
    assert_eq!(misc.hotkey, Some('9'));
    // The new label's hotkey works at once.
    drag_select(&mut h, 2, 5);
    press(&mut h, Key::Num9);
    assert_eq!(markup_of(&h), "会见[习近平](MISC)");
}

#[test]
fn renaming_a_label_relabels_its_spans_in_one_undo_step() {
    let mut h = harness(project("[习近平](PER)和[李强](PER)"), None);
    h.get_by_label("Edit label PER").click();
    h.run();
    h.get_by_label("Name").click();
    h.run();
    press_mod(&mut h, Modifiers::COMMAND, Key::A);
    h.get_by_label("Name").type_text("PERSON");
    h.run();
    h.get_by_label("Save label").click();
    h.run();
    assert_eq!(markup_of(&h), "[习近平](PERSON)和[李强](PERSON)");
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(markup_of(&h), "[习近平](PER)和[李强](PER)");
    assert!(h.state().editor.project.labels.get("PER").is_some());
}

#[test]
fn save_then_reopen_gives_the_same_project() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.json");
    let mut h = harness(project("会见[习近平](PER)和古巴领导人"), Some(path.clone()));
    drag_select(&mut h, 6, 8);
    press(&mut h, Key::Num3);
    assert!(h.state().title().contains('●'), "dirty marker in the title");
    press_mod(&mut h, Modifiers::COMMAND, Key::S);
    assert!(!h.state().editor.is_dirty());
    assert!(!h.state().title().contains('●'));
    let saved = project_file::load(&path).expect("saved file loads");
    assert_eq!(
        project_file::to_json(&saved).expect("serialisable"),
        project_file::to_json(&h.state().editor.project).expect("serialisable")
    );
    // Reopening in a new window shows the same spans.
    let h2 = harness(saved, Some(path));
    assert_eq!(markup_of(&h2), "会见[习近平](PER)和[古巴](GPE)领导人");
}

#[test]
fn closing_with_unsaved_changes_asks_first() {
    let mut h = harness(project("会见习近平"), None);
    drag_select(&mut h, 2, 5);
    press(&mut h, Key::Num1);
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.run();
    assert_eq!(
        h.state().dialog,
        Some(Dialog::UnsavedChanges(AfterConfirm::Quit))
    );
    h.get_by_label("Save changes?");
    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(h.state().dialog, None);
    assert_eq!(markup_of(&h), "会见[习近平](PER)", "nothing lost");
}

#[test]
fn opening_a_broken_file_reports_it_and_keeps_the_current_project() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\"format\": \"spantag\", \"version\": 1, \"documents\": [",
    )
    .expect("write");
    let mut h = harness(project("会见[习近平](PER)"), None);
    h.state_mut().open_path(&broken);
    h.run();
    h.get_by_label("Cannot open the project");
    h.get_by_label_contains("broken.json:1:");
    assert_eq!(markup_of(&h), "会见[习近平](PER)");
    assert!(
        std::fs::read_to_string(&broken)
            .expect("read")
            .ends_with('['),
        "not overwritten"
    );
}

#[test]
fn the_sample_project_opens_with_its_chinese_text() {
    let path = spantag::ui::sample_project_path();
    let h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| SpantagApp::open_or_report(&cc.egui_ctx, &path));
    assert!(h.state().dialog.is_none());
    assert!(h.state().editor.project.span_count() >= 10);
    // The span list shows the tagged Chinese text (rendered: kittest would panic on tofu).
    h.get_by_label_contains("古巴共产党  ORG");
}
