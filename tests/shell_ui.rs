//! The window's shell through egui_kittest: where the keyboard goes, undo across documents, the
//! command palette, the cheat sheet, the in-window file dialog.
#![cfg(feature = "gui")]

mod common;

use common::ui::click_at;

use eframe::egui::{self, Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
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

fn sample() -> Project {
    markup::project("会见[习近平](PER)和古巴领导人")
}

#[test]
fn the_palette_finds_a_command_by_name_and_enter_runs_it() {
    let mut h = harness(sample());
    let size = h.state().text_view.font_size;
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::P);
    h.get_by_label("Find a command");
    h.get_by_label("Ctrl+Shift+S"); // Save as… shows its keys
    h.get_by_label("Find a command").type_text("larger");
    h.run();
    assert!(
        h.query_by_label("Save as…").is_none(),
        "only matches are listed"
    );
    press(&mut h, Key::Enter);
    assert_eq!(h.state().text_view.font_size, size + 2.0);
    assert!(
        h.query_by_label("Find a command").is_none(),
        "Enter closes the palette"
    );

    // Esc closes without running anything; the keys are the text's again.
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::P);
    h.get_by_label("Find a command").type_text("smaller");
    h.run();
    press(&mut h, Key::Escape);
    assert!(h.query_by_label("Find a command").is_none());
    assert_eq!(h.state().text_view.font_size, size + 2.0);

    // Labels are in the palette too: select 古巴 and tag it GPE by name.
    h.state_mut().selection = spantag::ui::TextSelection {
        anchor: 6,
        caret: 8,
    };
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::P);
    h.get_by_label("Find a command").type_text("label gpe");
    h.run();
    press(&mut h, Key::Enter);
    assert_eq!(markup_of(&h), "会见[习近平](PER)和[古巴](GPE)领导人");
}

#[test]
fn f1_shows_every_key_from_the_table_and_the_labels() {
    let mut h = harness(sample());
    press(&mut h, Key::F1);
    h.get_by_label("Keys in use");
    for row in [
        "Command palette…",
        "Ctrl+Shift+P",
        "Next span in review mode",
        "Tag or relabel as PER",
        "Ctrl+Shift+Z or Ctrl+Y",
    ] {
        h.get_by_label(row);
    }
    // The label hotkeys of this project, whatever they are.
    h.state_mut().queue(spantag::ui::Command::CloseModal);
    h.run();
    assert!(h.query_by_label("Keys in use").is_none());
    press(&mut h, Key::F1);
    press(&mut h, Key::Escape);
    assert!(h.query_by_label("Keys in use").is_none(), "Esc closes it");
    press(&mut h, Key::Num1);
    assert_eq!(h.state().annotator_or_none(), None);
}

trait Annotator {
    fn annotator_or_none(&self) -> Option<&str>;
}

impl Annotator for SpantagApp {
    fn annotator_or_none(&self) -> Option<&str> {
        self.prefs.annotator.as_deref()
    }
}

/// Click into the field and delete what it holds (the hotkey field holds one character).
fn clear_field(h: &mut Harness<'_, SpantagApp>, label: &str) {
    h.get_by_label(label).click();
    h.run();
    press(h, Key::End);
    press(h, Key::Backspace);
}

#[test]
fn a_label_hotkey_that_shadows_a_command_key_is_refused_naming_both() {
    let mut h = harness(sample());
    h.get_by_label("Add label").click();
    h.run();
    h.get_by_label("Name").click();
    h.run();
    h.get_by_label("Name").type_text("NORP");
    h.run();
    clear_field(&mut h, "Hotkey");
    h.get_by_label("Hotkey").type_text("n");
    h.run();
    h.get_by_label("Save label").click();
    h.run();
    h.get_by_label("N is Next span in review mode: the hotkey of NORP would shadow it");
    assert!(h.state().editor.project.labels.get("NORP").is_none());
    // Another key is taken.
    clear_field(&mut h, "Hotkey");
    h.get_by_label("Hotkey").type_text("x");
    h.run();
    h.get_by_label("Save label").click();
    h.run();
    let norp = h.state().editor.project.labels.get("NORP").cloned();
    assert_eq!(norp.and_then(|l| l.hotkey), Some('x'));
}

#[test]
fn without_a_system_dialog_open_uses_the_in_window_file_dialog() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("other.json");
    spantag::core::project_file::save(&markup::project("[古巴](GPE)领导人"), &path).expect("save");
    std::fs::write(dir.path().join("notes.txt"), "not a project").expect("write");
    let mut h = harness(sample());
    h.state_mut().builtin_file_dialog = true;
    press_mod(&mut h, Modifiers::COMMAND, Key::O);
    h.get_by_label("Open project");
    h.get_by_label("Folder").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Folder")
        .type_text(&dir.path().display().to_string());
    h.run();
    press(&mut h, Key::Enter);
    assert!(
        h.query_by_label("notes.txt").is_none(),
        "only project files are listed"
    );
    h.get_by_label("other.json").click();
    h.run();
    h.get_by_label("Open").click();
    h.run();
    assert_eq!(h.state().path.as_deref(), Some(path.as_path()));
    assert_eq!(markup_of(&h), "[古巴](GPE)领导人");
    assert!(h.query_by_label("Open project").is_none());
}

#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_project_opens_it_and_text_files_make_a_new_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dropped.json");
    spantag::core::project_file::save(&markup::project("[古巴](GPE)领导人"), &path).expect("save");
    let text = dir.path().join("news.txt");
    std::fs::write(&text, "越南领导人").expect("write");
    let mut h = harness(sample());
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(path.clone())));
    h.run();
    assert_eq!(h.state().path.as_deref(), Some(path.as_path()));
    assert_eq!(
        h.state().prefs.recent.first(),
        Some(&path.canonicalize().expect("exists"))
    );
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(text)));
    h.run();
    assert_eq!(h.state().path, None);
    assert_eq!(markup_of(&h), "越南领导人");
}

#[test]
fn the_theme_toggles_and_is_remembered_and_recent_files_are_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let prefs_path = dir.path().join("preferences.json");
    let mut h = harness(sample());
    h.state_mut().preferences_path = Some(prefs_path.clone());
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Dark / light theme").click();
    h.run();
    let dark = h.ctx.theme();
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Dark / light theme").click();
    h.run();
    assert_ne!(h.ctx.theme(), dark, "the toggle switches the theme");
    let saved = spantag::ui::preferences::Preferences::load(&prefs_path);
    assert_eq!(saved.theme, h.state().prefs.theme);

    let gone = dir.path().join("gone.json");
    h.state_mut().prefs.recent = vec![gone.clone(), prefs_path.clone()];
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Open recent").click();
    h.run();
    let gone_text = gone.display().to_string();
    let missing = h.get_by_label(&gone_text);
    assert!(
        missing.accesskit_node().is_disabled(),
        "a missing file cannot be chosen"
    );
    assert!(
        !h.get_by_label(&prefs_path.display().to_string())
            .accesskit_node()
            .is_disabled()
    );
}
