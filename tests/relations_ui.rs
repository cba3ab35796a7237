//! Relations in the window: drawing one (`R`, a click or `Tab` and `Enter`, a type), retyping
//! and deleting it, each undone; its arc painted also across lines; deleting a span deletes its
//! relations in the same undo step and the status bar says how many went.
#![cfg(feature = "gui")]

mod common;

use eframe::egui::{Key, Modifiers, Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use spantag::core::{Editor, Project, RelationType, Rgb, SpanId, markup};
use spantag::ui::SpantagApp;

type H = Harness<'static, SpantagApp>;

const TEXT: &str = "会见[习近平](PER)和[古巴](GPE)领导人";

fn typed(name: &str, key: char) -> RelationType {
    let mut t = RelationType::new(name, Rgb(200, 40, 40));
    t.hotkey = Some(key);
    t
}

/// An editor on `markup` with these relation types; the ids of its spans in order.
fn editor(markup_text: &str, types: &[RelationType]) -> (Editor, Vec<SpanId>) {
    let mut editor = Editor::new(markup::project(markup_text));
    for t in types {
        let add = editor.project.add_relation_type(t.clone());
        editor.execute(add).expect("type");
    }
    let ids = editor.project.documents[0]
        .spans
        .iter()
        .map(|s| s.id)
        .collect();
    (editor, ids)
}

fn window(project: Project) -> H {
    window_of(project, 800.0)
}

fn window_of(project: Project, height: f32) -> H {
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, height))
        .build_eframe(move |cc| {
            let mut app = SpantagApp::new(&cc.egui_ctx, project, None);
            app.set_annotator("ana");
            app
        });
    h.run();
    h
}

fn center_of(h: &H, offset: usize) -> Pos2 {
    h.state()
        .text_view
        .char_screen_rect(offset)
        .expect("on screen")
        .center()
}

fn click_char(h: &mut H, offset: usize) {
    let pos = center_of(h, offset);
    common::ui::click_at(h, pos);
}

/// (type, from, to, annotator) of every relation of the first document.
fn relations(h: &H) -> Vec<(String, SpanId, SpanId, Option<String>)> {
    h.state().editor.project.documents[0]
        .relations
        .iter()
        .map(|r| (r.kind.clone(), r.from, r.to, r.annotator.clone()))
        .collect()
}

fn undo(h: &mut H) {
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
}

fn status(h: &H) -> String {
    h.state().status.clone().unwrap_or_default()
}

#[test]
fn r_then_a_click_then_a_type_hotkey_draws_a_relation_and_undo_removes_it() {
    let (editor, ids) = editor(TEXT, &[typed("leads", 'l')]);
    let mut h = window(editor.project);
    click_char(&mut h, 3);
    assert_eq!(h.state().selected_span, Some(ids[0]));
    h.key_press(Key::R);
    h.run();
    assert!(
        status(&h).contains("choose the second span (click or Tab/Shift+Tab"),
        "{}",
        status(&h)
    );
    // 古巴 (character 6): the second span, then the type by its hotkey.
    click_char(&mut h, 6);
    assert!(status(&h).contains("choose the type"), "{}", status(&h));
    assert!(relations(&h).is_empty(), "no relation before its type");
    h.key_press(Key::L);
    h.run();
    assert_eq!(
        relations(&h),
        vec![("leads".into(), ids[0], ids[1], Some("ana".into()))]
    );
    assert!(h.state().relation_draft.is_none());
    assert!(h.state().selected_relation.is_some());
    undo(&mut h);
    assert!(relations(&h).is_empty());
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert_eq!(relations(&h).len(), 1);
}

#[test]
fn tab_and_enter_pick_the_second_span_and_the_type_and_esc_cancels() {
    let (editor, ids) = editor(
        "[甲](PER)见[乙](PER)和[丙](GPE)",
        &[typed("meets", 'm'), typed("visits", 'v')],
    );
    let mut h = window(editor.project);
    click_char(&mut h, 0);
    h.key_press(Key::R);
    h.run();
    // Tab steps in reading order past the first span: 乙, then 丙; Shift+Tab back to 乙.
    h.key_press(Key::Tab);
    h.run();
    h.key_press(Key::Tab);
    h.run();
    h.key_press_modifiers(Modifiers::SHIFT, Key::Tab);
    h.run();
    assert_eq!(
        h.state().selected_span,
        Some(ids[0]),
        "Tab did not move off"
    );
    h.key_press(Key::Enter);
    h.run();
    // Enter again takes the first type offered.
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(
        relations(&h),
        vec![("meets".into(), ids[0], ids[1], Some("ana".into()))]
    );
    // Esc cancels a drawing: nothing is made.
    h.key_press(Key::R);
    h.run();
    h.key_press(Key::Tab);
    h.run();
    // A label key while drawing relabels nothing.
    h.key_press(Key::Num2);
    h.run();
    assert_eq!(
        markup::render_document(&h.state().editor.project, 0),
        "[甲](PER)见[乙](PER)和[丙](GPE)"
    );
    h.key_press(Key::Escape);
    h.run();
    assert!(h.state().relation_draft.is_none());
    assert_eq!(status(&h), "Relation cancelled");
    assert_eq!(relations(&h).len(), 1);
}

#[test]
fn the_type_chooser_offers_only_types_whose_labels_fit_and_a_click_picks_one() {
    let mut people = typed("knows", 'k');
    people.to_labels = vec!["PER".into()];
    let (editor, ids) = editor(TEXT, &[people, typed("leads", 'l')]);
    let mut h = window(editor.project);
    click_char(&mut h, 3);
    h.key_press(Key::R);
    h.run();
    click_char(&mut h, 6);
    // 古巴 is a GPE: "knows" (PER only at its end) is not offered.
    assert!(h.query_by_label("Relate as knows").is_none());
    h.get_by_label("Relate as leads").click();
    h.run();
    assert_eq!(
        relations(&h),
        vec![("leads".into(), ids[0], ids[1], Some("ana".into()))]
    );
}

#[test]
fn with_no_relation_types_the_type_is_named_and_made_in_the_same_undo_step() {
    let (editor, ids) = editor(TEXT, &[]);
    let mut h = window(editor.project);
    click_char(&mut h, 3);
    h.key_press(Key::R);
    h.run();
    click_char(&mut h, 6);
    assert!(
        status(&h).contains("name the relation's type"),
        "{}",
        status(&h)
    );
    h.get_by_label("This project has no relation types yet. New type")
        .type_text("leads");
    h.run();
    h.get_by_label("Add and use").click();
    h.run();
    assert_eq!(
        relations(&h),
        vec![("leads".into(), ids[0], ids[1], Some("ana".into()))]
    );
    assert_eq!(h.state().editor.project.relation_types().len(), 1);
    undo(&mut h);
    assert!(relations(&h).is_empty());
    assert!(h.state().editor.project.relation_types().is_empty());
}

fn related(types: &[RelationType]) -> (Editor, Vec<SpanId>) {
    let (mut editor, ids) = editor(TEXT, types);
    let t = editor.project.relate(0, ids[0], ids[1], &types[0].name);
    editor.execute(t).expect("relate");
    (editor, ids)
}

#[test]
fn a_click_on_the_type_name_selects_the_relation_a_hotkey_retypes_it_delete_deletes_it() {
    let (editor, ids) = related(&[typed("leads", 'l'), typed("visits", 'v')]);
    let mut h = window(editor.project);
    let painted = h.state().text_view.relations.painted.clone();
    assert_eq!(painted.len(), 1, "the relation is painted");
    common::ui::click_at(&mut h, painted[0].name_rect.center());
    let id = painted[0].id;
    assert_eq!(h.state().selected_relation, Some(id));
    assert!(h.query_by_label("Selected relation").is_some());
    h.key_press(Key::V);
    h.run();
    assert_eq!(relations(&h)[0].0, "visits");
    assert_eq!(
        relations(&h)[0].3.as_deref(),
        Some("ana"),
        "retyping stamps the name"
    );
    undo(&mut h);
    assert_eq!(relations(&h)[0].0, "leads");
    // Delete deletes the selected relation, not a span.
    h.state_mut().selected_relation = Some(id);
    h.state_mut().selected_span = Some(ids[0]);
    h.key_press(Key::Delete);
    h.run();
    assert!(relations(&h).is_empty());
    assert_eq!(h.state().editor.project.documents[0].spans.len(), 2);
    undo(&mut h);
    assert_eq!(relations(&h).len(), 1);
}

#[test]
fn the_panel_lists_the_relations_and_retypes_and_deletes_the_one_clicked() {
    let (editor, ids) = related(&[typed("leads", 'l'), typed("visits", 'v')]);
    // Tall enough for the whole panel: a click lands only on a button in view.
    let mut h = window_of(editor.project, 1400.0);
    assert!(h.query_by_label("Relations (1)").is_some());
    h.get_by_label("习近平  —leads→  古巴").click();
    h.run();
    assert!(h.state().selected_relation.is_some());
    // The selected span's own list says direction and the other end.
    click_char(&mut h, 6);
    assert_eq!(h.state().selected_span, Some(ids[1]));
    assert!(h.query_by_label("← leads  习近平").is_some());
    h.get_by_label("← leads  习近平").click();
    h.run();
    h.key_press(Key::V);
    h.run();
    assert_eq!(relations(&h)[0].0, "visits");
    h.get_by_label("Delete relation").click();
    h.run();
    assert!(relations(&h).is_empty());
    undo(&mut h);
    assert_eq!(relations(&h)[0].0, "visits");
}

#[test]
fn a_relation_between_spans_on_different_lines_is_painted_end_to_end() {
    let (mut editor, ids) = editor(
        "第一行说到[习近平](PER)。\n第二行说到[古巴](GPE)。",
        &[typed("leads", 'l')],
    );
    let t = editor.project.relate(0, ids[0], ids[1], "leads");
    editor.execute(t).expect("relate");
    let h = window(editor.project);
    let painted = &h.state().text_view.relations.painted;
    assert_eq!(painted.len(), 1);
    let p = &painted[0];
    assert!(p.from_shown && p.to_shown);
    let from = h.state().text_view.char_screen_rect(5).expect("习");
    let to = h.state().text_view.char_screen_rect(16).expect("古");
    assert!(to.top() > from.bottom() - 1.0, "the spans are on two rows");
    // Each end sits on its span: over its first row, within its width.
    assert!((p.from.y - from.top()).abs() < 4.0 && p.from.x >= from.left());
    assert!((p.to.y - to.top()).abs() < 4.0 && p.to.x >= to.left());
    assert!(p.to.x <= to.left() + 2.0 * to.width());
}

#[test]
fn delete_key_removes_a_span_with_its_relations_says_so_and_undo_restores_both() {
    let (editor, ids) = related(&[RelationType::new("leads", Rgb(1, 2, 3))]);
    let mut h = window(editor.project);
    click_char(&mut h, 3);
    assert_eq!(h.state().selected_span, Some(ids[0]));
    h.key_press(Key::Delete);
    h.run();
    let count = |h: &H| h.state().editor.project.relation_count();
    assert_eq!(
        markup::render_document(&h.state().editor.project, 0),
        "会见习近平和[古巴](GPE)领导人"
    );
    assert_eq!(count(&h), 0);
    assert_eq!(status(&h), "Deleted 1 span and 1 relation");
    undo(&mut h);
    assert_eq!(
        markup::render_document(&h.state().editor.project, 0),
        "会见[习近平](PER)和[古巴](GPE)领导人"
    );
    assert_eq!(count(&h), 1);
    // The panel's button says it too.
    click_char(&mut h, 6);
    h.get_by_label("Delete span").click();
    h.run();
    assert_eq!(status(&h), "Deleted 1 span and 1 relation");
}

#[test]
fn with_a_span_selected_only_its_relations_keep_their_names() {
    let (mut editor, ids) = editor("[甲](PER)见[乙](PER)和[丙](GPE)", &[typed("meets", 'm')]);
    for (a, b) in [(0, 1), (1, 2)] {
        let t = editor.project.relate(0, ids[a], ids[b], "meets");
        editor.execute(t).expect("relate");
    }
    let mut h = window(editor.project);
    let named = |h: &H| {
        h.state()
            .text_view
            .relations
            .painted
            .iter()
            .filter(|p| p.name_rect.is_positive())
            .count()
    };
    assert_eq!(named(&h), 2);
    click_char(&mut h, 0);
    assert_eq!(h.state().selected_span, Some(ids[0]));
    // 甲 → 乙 keeps its name; 乙 → 丙 is drawn faint, and a click there selects no relation.
    assert_eq!(h.state().text_view.relations.painted.len(), 2);
    assert_eq!(named(&h), 1);
}

#[test]
fn only_the_relations_of_spans_in_view_are_painted() {
    // 3,000 lines, each with a relation between its two spans: about 20 lines are in view.
    let lines = 3000;
    let text: String = (0..lines).map(|_| "说[甲方](PER)见[乙方](GPE)\n").collect();
    let (mut editor, ids) = editor(&text, &[typed("meets", 'm')]);
    let edits = ids
        .chunks(2)
        .flat_map(|pair| editor.project.relate(0, pair[0], pair[1], "meets").edits)
        .collect();
    editor
        .execute(spantag::core::Transaction::new("relate all", edits))
        .expect("relate");
    assert_eq!(editor.project.relation_count(), lines);
    let mut h = window(editor.project);
    let painted = h.state().text_view.relations.painted.clone();
    assert!(
        !painted.is_empty() && painted.len() < 60,
        "{}",
        painted.len()
    );
    assert!(painted.iter().all(|p| p.from_shown || p.to_shown));
    // A frame's time, for the README's figures (not asserted: the machine is shared).
    let mut times: Vec<f64> = (0..30)
        .map(|_| {
            let start = std::time::Instant::now();
            h.step();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    eprintln!(
        "{} relations, {} painted: median frame {:.2} ms",
        lines,
        painted.len(),
        times[times.len() / 2]
    );
}

#[test]
fn relation_types_are_added_and_deleted_in_the_panel_and_a_shadowed_hotkey_is_refused() {
    let (editor, _) = editor(TEXT, &[]);
    let mut h = window_of(editor.project, 1400.0);
    let types = |h: &H| -> Vec<String> {
        h.state()
            .editor
            .project
            .relation_types()
            .iter()
            .map(|t| t.name.clone())
            .collect()
    };
    h.get_by_label("Relation types (0)").click();
    h.run();
    h.get_by_label("Add relation type").click();
    h.run();
    h.get_by_label("Type name").click();
    h.run();
    h.get_by_label("Type name").type_text("leads");
    h.run();
    h.get_by_label("Type hotkey").click();
    h.run();
    h.get_by_label("Type hotkey").type_text("r");
    h.run();
    h.get_by_label("Save relation type").click();
    h.run();
    assert!(types(&h).is_empty());
    let error = h
        .state()
        .panel
        .relation_type_error
        .clone()
        .unwrap_or_default();
    assert!(
        error.starts_with("R is Draw a relation from the selected span"),
        "{error}"
    );
    h.state_mut()
        .panel
        .relation_type_form
        .as_mut()
        .expect("form")
        .hotkey = "l".into();
    h.get_by_label("Save relation type").click();
    h.run();
    assert_eq!(types(&h), vec!["leads".to_owned()]);
    assert!(h.state().panel.relation_type_form.is_none());
    undo(&mut h);
    assert!(types(&h).is_empty());
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert_eq!(types(&h), vec!["leads".to_owned()]);
    h.get_by_label("Delete relation type leads").click();
    h.run();
    assert!(types(&h).is_empty());
}

/// The status of the first document's only relation.
fn relation_status(h: &H) -> spantag::core::SpanStatus {
    h.state().editor.project.documents[0]
        .relations
        .iter()
        .next()
        .expect("a relation")
        .status
}

#[test]
fn a_relation_is_accepted_and_rejected_in_the_panel_and_by_the_review_keys() {
    use spantag::core::SpanStatus;
    let (mut editor, _) = related(&[typed("leads", 'l')]);
    // A relation to review: suggested, as a merge or an import leaves it.
    let mut r = editor.project.documents[0]
        .relations
        .iter()
        .next()
        .expect("related")
        .clone();
    r.status = SpanStatus::Suggested;
    let t = editor.project.change_relation("suggest", 0, r.clone());
    editor.execute(t).expect("suggest");
    let mut h = window_of(editor.project, 1400.0);
    h.state_mut().selected_relation = Some(r.id);
    h.run();
    h.get_by_label("Accept relation").click();
    h.run();
    assert_eq!(relation_status(&h), SpanStatus::Accepted);
    undo(&mut h);
    assert_eq!(relation_status(&h), SpanStatus::Suggested);
    // In review mode, Backspace rejects the selected relation (not its span) and Enter accepts.
    h.key_press_modifiers(Modifiers::COMMAND, Key::R);
    h.run();
    assert!(h.state().review.on, "review mode");
    h.state_mut().selected_relation = Some(r.id);
    h.key_press(Key::Backspace);
    h.run();
    assert_eq!(relation_status(&h), SpanStatus::Rejected);
    let spans = &h.state().editor.project.documents[0].spans;
    assert!(
        spans.iter().all(|s| s.status == SpanStatus::Accepted),
        "spans untouched"
    );
    h.state_mut().selected_relation = Some(r.id);
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(relation_status(&h), SpanStatus::Accepted);
    undo(&mut h);
    assert_eq!(relation_status(&h), SpanStatus::Rejected);
}

#[test]
fn a_relation_type_renamed_in_the_panel_retypes_its_relations_in_one_undo_step() {
    let (editor, _) = related(&[typed("leads", 'l'), typed("visits", 'v')]);
    let mut h = window_of(editor.project, 1400.0);
    let types = |h: &H| -> Vec<(String, Option<char>)> {
        h.state()
            .editor
            .project
            .relation_types()
            .iter()
            .map(|t| (t.name.clone(), t.hotkey))
            .collect()
    };
    h.get_by_label("Relation types (2)").click();
    h.run();
    h.get_by_label("Edit relation type leads").click();
    h.run();
    assert!(h.query_by_label("Relation type leads").is_some());
    // A new name taken by the other type is refused, nothing changes.
    h.state_mut()
        .panel
        .relation_type_form
        .as_mut()
        .expect("form")
        .name = "visits".into();
    h.get_by_label("Save relation type").click();
    h.run();
    assert_eq!(
        h.state().panel.relation_type_error.as_deref(),
        Some("There is already a relation type visits")
    );
    assert_eq!(relations(&h)[0].0, "leads");
    h.state_mut()
        .panel
        .relation_type_form
        .as_mut()
        .expect("form")
        .name = "heads".into();
    h.state_mut()
        .panel
        .relation_type_form
        .as_mut()
        .expect("form")
        .hotkey = "h".into();
    h.get_by_label("Save relation type").click();
    h.run();
    assert_eq!(
        types(&h),
        [
            ("heads".to_owned(), Some('h')),
            ("visits".to_owned(), Some('v'))
        ]
    );
    assert_eq!(
        relations(&h)[0].0,
        "heads",
        "its relation follows the rename"
    );
    assert!(h.state().panel.relation_type_form.is_none());
    assert_eq!(
        h.state().status.as_deref(),
        Some("Renamed relation type leads to heads (1 relation retyped)")
    );
    undo(&mut h);
    assert_eq!(
        types(&h),
        [
            ("leads".to_owned(), Some('l')),
            ("visits".to_owned(), Some('v'))
        ]
    );
    assert_eq!(relations(&h)[0].0, "leads");
}

#[test]
fn a_note_typed_on_the_selected_relation_is_one_undo_step() {
    let (editor, _) = related(&[typed("leads", 'l')]);
    let mut h = window_of(editor.project, 1400.0);
    h.get_by_label("习近平  —leads→  古巴").click();
    h.run();
    assert!(h.state().selected_relation.is_some());
    h.get_by_label("Relation note").click();
    h.run();
    h.get_by_label("Relation note").type_text("state visit");
    h.run();
    let note = |h: &H| {
        h.state().editor.project.documents[0]
            .relations
            .iter()
            .next()
            .expect("a relation")
            .note
            .clone()
    };
    assert_eq!(note(&h), None, "nothing is written while typing");
    // Focus leaves the field: the note is committed.
    click_char(&mut h, 0);
    h.run();
    assert_eq!(note(&h).as_deref(), Some("state visit"));
    undo(&mut h);
    assert_eq!(note(&h), None);
}
