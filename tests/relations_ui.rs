//! The window and relations, before it can draw them: deleting a span with `Delete` deletes its
//! relations in the same undo step, and undo brings both back.
#![cfg(feature = "gui")]

mod common;

use eframe::egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use spantag::core::{Editor, RelationType, Rgb, SpanId, markup};
use spantag::ui::SpantagApp;

#[test]
fn delete_key_removes_a_span_with_its_relations_and_undo_restores_both() {
    let mut editor = Editor::new(markup::project("会见[习近平](PER)和[古巴](GPE)领导人"));
    let t = editor
        .project
        .add_relation_type(RelationType::new("leads", Rgb(1, 2, 3)));
    editor.execute(t).expect("type");
    let ids: Vec<SpanId> = editor.project.documents[0]
        .spans
        .iter()
        .map(|s| s.id)
        .collect();
    let t = editor.project.relate(0, ids[0], ids[1], "leads");
    editor.execute(t).expect("relate");
    let project = editor.project;
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| SpantagApp::new(&cc.egui_ctx, project, None));
    h.run();
    // Click 习近平 (character 3), then Delete.
    let pos = h
        .state()
        .text_view
        .char_screen_rect(3)
        .expect("on screen")
        .center();
    common::ui::click_at(&mut h, pos);
    assert_eq!(h.state().selected_span, Some(ids[0]));
    h.key_press(Key::Delete);
    h.run();
    let relations = |h: &Harness<'_, SpantagApp>| h.state().editor.project.relation_count();
    assert_eq!(
        markup::render_document(&h.state().editor.project, 0),
        "会见习近平和[古巴](GPE)领导人"
    );
    assert_eq!(relations(&h), 0);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(
        markup::render_document(&h.state().editor.project, 0),
        "会见[习近平](PER)和[古巴](GPE)领导人"
    );
    assert_eq!(relations(&h), 1);
}
