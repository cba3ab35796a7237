//! The window's shell through egui_kittest: where the keyboard goes, undo across documents, the
//! command palette, the cheat sheet, the in-window file dialog.
#![cfg(feature = "gui")]

use eframe::egui::{self, Key, Modifiers, Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use spantag::core::{Document, LabelSet, Project, markup};
use spantag::ui::SpantagApp;

fn harness(project: Project) -> Harness<'static, SpantagApp> {
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        // Scrolling to a span settles over a few frames.
        .with_max_steps(12)
        .build_eframe(move |cc| SpantagApp::new(&cc.egui_ctx, project, None));
    h.run();
    h
}

fn press(h: &mut Harness<'_, SpantagApp>, key: Key) {
    h.key_press(key);
    h.run();
}

fn press_mod(h: &mut Harness<'_, SpantagApp>, modifiers: Modifiers, key: Key) {
    h.key_press_modifiers(modifiers, key);
    h.run();
}

fn markup_of(h: &Harness<'_, SpantagApp>) -> String {
    let app = h.state();
    markup::render_document(&app.editor.project, app.doc)
}

fn click_at(h: &mut Harness<'_, SpantagApp>, pos: Pos2) {
    h.hover_at(pos);
    h.step();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        h.step();
    }
    h.run();
}

fn click_char(h: &mut Harness<'_, SpantagApp>, offset: usize) {
    let pos = h
        .state()
        .text_view
        .char_screen_rect(offset)
        .expect("on screen")
        .center();
    click_at(h, pos);
}

/// The keys a new user pressed: Esc with a span selected, then the label hotkey 3. Only the text
/// may react: the annotator field must not receive the 3 (it did: egui dropped the text's focus
/// on Esc, and the next Tab or arrow walked into the panel's fields).
#[test]
fn esc_then_keys_act_on_the_text_never_on_a_field() {
    let mut h = harness(markup::project("会见[习近平](PER)和[古巴](GPE)领导人"));
    click_char(&mut h, 3);
    assert!(h.state().selected_span.is_some());
    press(&mut h, Key::Escape);
    assert_eq!(h.state().selected_span, None, "Esc clears the selection");
    press(&mut h, Key::Num3);
    press(&mut h, Key::ArrowRight);
    press(&mut h, Key::Tab);
    press(&mut h, Key::Num4);
    assert_eq!(
        h.state().prefs.annotator,
        None,
        "no key reached 'Your name'"
    );
    // Tab selected the first span after the caret, and 4 relabelled it as LOC.
    assert_eq!(markup_of(&h), "会见[习近平](PER)和[古巴](LOC)领导人");
    press(&mut h, Key::Escape);
    press(&mut h, Key::Escape);
    press_mod(&mut h, Modifiers::SHIFT, Key::Tab);
    press(&mut h, Key::Num2);
    assert_eq!(h.state().prefs.annotator, None);
    assert_eq!(markup_of(&h), "会见[习近平](ORG)和[古巴](LOC)领导人");
}

#[test]
fn esc_with_nothing_selected_keeps_the_keys_on_the_text() {
    let mut h = harness(markup::project("会见习近平和古巴领导人"));
    press(&mut h, Key::Escape);
    press(&mut h, Key::ArrowRight);
    press(&mut h, Key::ArrowRight);
    assert_eq!(h.state().selection.caret, 2, "the arrows move the caret");
    press(&mut h, Key::Escape);
    press(&mut h, Key::Home);
    press(&mut h, Key::Tab);
    press(&mut h, Key::Num3);
    press(&mut h, Key::ArrowDown);
    press(&mut h, Key::Num3);
    assert_eq!(h.state().prefs.annotator, None);
    // Shift+Right twice from the start selects 会见; 1 tags it.
    press_mod(&mut h, Modifiers::SHIFT, Key::ArrowRight);
    press_mod(&mut h, Modifiers::SHIFT, Key::ArrowRight);
    press(&mut h, Key::Num1);
    assert_eq!(markup_of(&h), "[会见](PER)习近平和古巴领导人");
}

/// A field clicked on purpose gets the keys, also through an input method; Esc leaves it and
/// hands the keys back to the text.
#[test]
fn a_clicked_field_takes_ime_text_and_esc_returns_to_the_text() {
    let mut h = harness(Project::new(
        LabelSet::news_default(),
        vec![Document::new("d1", "d1.txt", "会见习近平")],
    ));
    h.get_by_label("Your name").click();
    h.run();
    h.event(egui::Event::Ime(egui::ImeEvent::Preedit {
        text: "li".into(),
        active_range_chars: Some(0..2),
    }));
    h.run();
    h.event(egui::Event::Ime(egui::ImeEvent::Commit("李华".into())));
    h.run();
    press(&mut h, Key::Escape);
    assert_eq!(h.state().prefs.annotator.as_deref(), Some("李华"));
    let text_id = h.state().text_view.id;
    assert!(
        h.ctx.memory(|m| m.has_focus(text_id)),
        "Esc gave the text the keys"
    );
    press_mod(&mut h, Modifiers::SHIFT, Key::ArrowRight);
    press_mod(&mut h, Modifiers::SHIFT, Key::ArrowRight);
    press(&mut h, Key::Num1);
    assert_eq!(markup_of(&h), "[会见](PER)习近平");
    assert_eq!(h.state().prefs.annotator.as_deref(), Some("李华"));
}

fn two_documents() -> Project {
    Project::new(
        LabelSet::news_default(),
        vec![
            Document::new("d1", "d1.txt", "会见习近平"),
            Document::new("d2", "d2.txt", "古巴领导人"),
        ],
    )
}

fn select_document(h: &mut Harness<'_, SpantagApp>, i: usize) {
    h.state_mut().queue(spantag::ui::Command::SelectDocument(i));
    h.run();
}

fn tag(h: &mut Harness<'_, SpantagApp>, start: usize, end: usize, label: &str) {
    h.state_mut().selection = spantag::ui::TextSelection {
        anchor: start,
        caret: end,
    };
    h.state_mut()
        .queue(spantag::ui::Command::ApplyLabel(label.to_owned()));
    h.run();
}

/// Undo in one document of an edit made in another used to change the other silently.
#[test]
fn undo_and_redo_go_to_the_document_they_change_and_select_it() {
    let mut h = harness(two_documents());
    tag(&mut h, 2, 5, "PER");
    select_document(&mut h, 1);
    tag(&mut h, 0, 2, "GPE");
    // Relabel in document 2, then go back to document 1.
    press(&mut h, Key::Num2);
    select_document(&mut h, 0);
    press(&mut h, Key::Escape);

    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(h.state().doc, 1, "undo shows the document it changed");
    assert_eq!(markup_of(&h), "[古巴](GPE)领导人");
    let gpe = h.state().editor.project.documents[1]
        .spans
        .iter()
        .next()
        .map(|s| s.id);
    assert_eq!(h.state().selected_span, gpe, "the changed span is selected");

    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(
        h.state().doc,
        0,
        "undoing the first tag goes back to document 1"
    );
    assert_eq!(markup_of(&h), "会见习近平");
    assert_eq!(h.state().selected_span, None, "a removal selects nothing");

    select_document(&mut h, 1);
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    assert_eq!(h.state().doc, 0, "redo shows the document it changed");
    assert_eq!(markup_of(&h), "会见[习近平](PER)");
    let per = h.state().editor.project.documents[0]
        .spans
        .iter()
        .next()
        .map(|s| s.id);
    assert_eq!(h.state().selected_span, per);
}

/// Each document keeps its own caret and selection while another one is shown.
#[test]
fn each_document_keeps_its_caret() {
    let mut h = harness(two_documents());
    h.state_mut().selection = spantag::ui::TextSelection {
        anchor: 1,
        caret: 3,
    };
    select_document(&mut h, 1);
    assert_eq!(h.state().selection.range(), (0, 0));
    select_document(&mut h, 0);
    assert_eq!(h.state().selection.range(), (1, 3));
}
