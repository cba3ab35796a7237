//! Attributes in the window: the selected span's flag, choice and free-text values are edited
//! in the panel, one undo step each; the span list's `attr:` filter and review's attribute
//! filter let through only the spans that carry them; the hover text shows them in full.
#![cfg(feature = "gui")]

mod common;

use eframe::egui::accesskit::Role;
use eframe::egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use spantag::core::attribute::{AttributeFilter, FLAG_SET};
use spantag::core::{AttributeDef, AttributeKind, Editor, SpanId, markup};
use spantag::ui::SpantagApp;

/// 习近平 (PER) and 古巴 (GPE), with a flag for every label, a choice for PER and a free-text
/// attribute for every label.
fn project_with_attributes(set: &[(&str, &str)]) -> (spantag::core::Project, [SpanId; 2]) {
    let mut editor = Editor::new(markup::project("会见[习近平](PER)和[古巴](GPE)领导人"));
    let mut category = AttributeDef::new("Category", AttributeKind::Choice, &["Fish", "Bird"]);
    category.labels = vec!["PER".into()];
    for def in [
        AttributeDef::new("Negated", AttributeKind::Flag, &[]),
        category,
        AttributeDef::new("QID", AttributeKind::Text, &[]),
    ] {
        let t = editor.project.add_attribute(def);
        editor.execute(t).expect("definition");
    }
    let ids: Vec<SpanId> = editor.project.documents[0]
        .spans
        .iter()
        .map(|s| s.id)
        .collect();
    for (name, value) in set {
        let t = editor.project.set_attribute(0, ids[0], name, Some(value));
        editor.execute(t).expect("value");
    }
    (editor.project, [ids[0], ids[1]])
}

fn window(project: spantag::core::Project) -> Harness<'static, SpantagApp> {
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 1000.0))
        .build_eframe(move |cc| SpantagApp::new(&cc.egui_ctx, project, None));
    h.run();
    h
}

/// Click 习近平 (its character 3) in the text.
fn select_xi(h: &mut Harness<'_, SpantagApp>) {
    let pos = h
        .state()
        .text_view
        .char_screen_rect(3)
        .expect("on screen")
        .center();
    common::ui::click_at(h, pos);
}

fn value(h: &Harness<'_, SpantagApp>, span: SpanId, name: &str) -> Option<String> {
    h.state().editor.project.documents[0]
        .spans
        .get(span)
        .and_then(|s| s.attributes.get(name).cloned())
}

fn undo(h: &mut Harness<'_, SpantagApp>) {
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(4);
}

#[test]
fn a_flag_a_choice_and_a_text_value_are_set_in_the_panel_and_undone_one_by_one() {
    let (project, [xi, _]) = project_with_attributes(&[]);
    let mut h = window(project);
    select_xi(&mut h);
    assert_eq!(h.state().selected_span, Some(xi));
    let steps = |h: &Harness<'_, SpantagApp>| h.state().editor.history.state();
    let start = steps(&h);
    assert!(!h.state().editor.is_dirty());

    h.get_by_label("Negated").click();
    h.run_steps(4);
    assert_eq!(value(&h, xi, "Negated").as_deref(), Some(FLAG_SET));
    assert!(
        h.state().editor.is_dirty(),
        "an attribute edit makes the project dirty"
    );

    h.get_by_label("Category").click();
    h.run_steps(4);
    h.get_by_label("Fish").click();
    h.run_steps(4);
    assert_eq!(value(&h, xi, "Category").as_deref(), Some("Fish"));

    // Typed into a draft: nothing changes per keystroke, Enter commits one edit.
    let before_typing = steps(&h);
    h.get_by_label("QID").click();
    h.run_steps(2);
    h.get_by_label("QID").type_text("Q1234");
    h.run_steps(2);
    assert_eq!(value(&h, xi, "QID"), None);
    assert_eq!(steps(&h), before_typing);
    h.key_press(Key::Enter);
    h.run_steps(4);
    assert_eq!(value(&h, xi, "QID").as_deref(), Some("Q1234"));
    assert_eq!(steps(&h), before_typing + 1, "one edit for the whole value");
    assert_eq!(steps(&h), start + 3);

    // The tooltip over the span lists them in full.
    let pos = h
        .state()
        .text_view
        .char_screen_rect(3)
        .expect("on screen")
        .center();
    h.hover_at(pos);
    h.run_steps(4);
    assert!(h.query_by_label_contains("QID = Q1234").is_some());

    undo(&mut h);
    assert_eq!(value(&h, xi, "QID"), None);
    assert_eq!(value(&h, xi, "Category").as_deref(), Some("Fish"));
    undo(&mut h);
    assert_eq!(value(&h, xi, "Category"), None);
    assert_eq!(value(&h, xi, "Negated").as_deref(), Some(FLAG_SET));
    undo(&mut h);
    assert_eq!(value(&h, xi, "Negated"), None);
    assert_eq!(steps(&h), start);
}

#[test]
fn a_value_the_definition_does_not_allow_is_shown_marked_and_cleared_undoably() {
    let (project, [xi, _]) = project_with_attributes(&[("Category", "Fish")]);
    let mut editor = Editor::new(project);
    // "Fish" is no longer a value: the span keeps it, as an import's value would be kept.
    let mut category = editor.project.attributes()[1].clone();
    category.values = vec!["Bird".into()];
    let t = editor.project.edit_attribute(1, category);
    editor.execute(t).expect("narrow");
    let mut h = window(editor.project);
    select_xi(&mut h);
    assert!(h.query_by_label_contains("\"Fish\": not allowed").is_some());
    h.get_by_label("Clear").click();
    h.run_steps(4);
    assert_eq!(value(&h, xi, "Category"), None);
    undo(&mut h);
    assert_eq!(value(&h, xi, "Category").as_deref(), Some("Fish"));
}

#[test]
fn the_span_list_and_review_let_through_only_spans_with_the_attribute() {
    let (project, [xi, gu]) =
        project_with_attributes(&[("Negated", FLAG_SET), ("Category", "Bird")]);
    let mut h = window(project);
    assert!(h.query_by_label_contains("古巴  GPE").is_some());
    h.state_mut().panel.span_filter = "attr:Negated".into();
    h.run_steps(4);
    // The row shows the attributes as the tag over the text does.
    assert!(
        h.query_by_label_contains("习近平  PER·Negated·Bird  [2, 5)")
            .is_some()
    );
    assert!(h.query_by_label_contains("古巴  GPE").is_none());
    h.state_mut().panel.span_filter = "attr:Category=Fish".into();
    h.run_steps(4);
    assert!(h.query_by_label_contains("习近平  PER").is_none());
    h.state_mut().panel.span_filter = "attr:Category=Bird 习".into();
    h.run_steps(4);
    assert!(h.query_by_label_contains("习近平  PER").is_some());

    // Review steps through the spans its attribute filter lets through.
    h.state_mut().panel.span_filter.clear();
    h.key_press_modifiers(Modifiers::COMMAND, Key::R);
    h.run_steps(4);
    let reviewed = |h: &Harness<'_, SpantagApp>| -> Vec<SpanId> {
        h.state().review_spans().iter().map(|s| s.id).collect()
    };
    assert_eq!(reviewed(&h), [xi, gu]);
    h.get_by_label("Attribute").click();
    h.run_steps(4);
    // The popup's entry, not the selected span's checkbox of the same name.
    h.get_all_by_label("Negated")
        .find(|n| n.accesskit_node().role() != Role::CheckBox)
        .expect("the filter's entry")
        .click();
    h.run_steps(4);
    assert_eq!(
        h.state().review.attribute,
        Some(AttributeFilter::any("Negated"))
    );
    assert_eq!(reviewed(&h), [xi]);
}

#[test]
fn deleting_a_definition_clears_its_values_in_one_step_and_undo_brings_them_back() {
    let (project, [xi, _]) = project_with_attributes(&[("Negated", FLAG_SET)]);
    let mut h = window(project);
    h.get_by_label("Edit attribute Negated").click();
    h.run_steps(4);
    h.get_by_label("Delete attribute").click();
    h.run_steps(4);
    assert!(h.state().editor.project.attribute("Negated").is_none());
    assert_eq!(value(&h, xi, "Negated"), None);
    undo(&mut h);
    assert!(h.state().editor.project.attribute("Negated").is_some());
    assert_eq!(value(&h, xi, "Negated").as_deref(), Some(FLAG_SET));
    // A new definition from the form.
    h.get_by_label("Add attribute").click();
    h.run_steps(4);
    h.get_by_label("Attribute name").click();
    h.get_by_label("Attribute name").type_text("Plural");
    h.run_steps(2);
    h.get_by_label("Save attribute").click();
    h.run_steps(4);
    let plural = h.state().editor.project.attribute("Plural").cloned();
    assert_eq!(plural.map(|d| d.kind), Some(AttributeKind::Flag));
}
