//! File › Export and File › Import in the window (through egui_kittest; the native file
//! dialogs are skipped by calling what they lead to).
#![cfg(feature = "gui")]

use eframe::egui::vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable as _};
use spantag::core::formats::Scheme;
use spantag::core::formats::{ExportOptions, Format};
use spantag::core::project_file;
use spantag::ui::{Dialog, ExportForm, SpantagApp};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/annotations/sample.json");

fn sample() -> Harness<'static, SpantagApp> {
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(|cc| SpantagApp::open_or_report(&cc.egui_ctx, std::path::Path::new(SAMPLE)));
    h.run();
    h
}

#[test]
fn the_file_menu_offers_every_format_and_conll_asks_for_options() {
    let mut h = sample();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Export").click();
    h.run();
    for title in [
        "doccano JSONL…",
        "CoNLL (IOB / BIOES / BMES tags)…",
        "Hugging Face token classification…",
        "spaCy JSONL…",
        "brat standoff…",
        "Label Studio JSON…",
    ] {
        h.get_by_label(title);
    }
    h.get_by_label("CoNLL (IOB / BIOES / BMES tags)…").click();
    h.run();
    assert!(h.state().export_form.is_some());
    h.get(
        By::new()
            .role(eframe::egui::accesskit::Role::ComboBox)
            .value("BIO (IOB2): B- begins, I- inside"),
    )
    .click();
    h.run();
    h.get_by_label_contains("BMES: B- M- E- end");
    h.key_press(eframe::egui::Key::Escape);
    h.run();
    h.get_by_label_contains("CoNLL-2003 columns");
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.state().export_form.is_none());
}

#[test]
fn exporting_reports_what_was_written_and_what_was_left_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("sample.conll");
    let mut h = sample();
    h.state_mut()
        .export_to(Format::Conll, &ExportOptions::default(), &out);
    h.run();
    let conll = std::fs::read_to_string(&out).expect("written");
    assert!(
        conll.contains("习\tB-PER\n近\tI-PER\n平\tI-PER\n"),
        "{conll}"
    );
    let Some(Dialog::Info { title, message }) = h.state().dialog.clone() else {
        panic!("expected a report, got {:?}", h.state().dialog);
    };
    assert_eq!(title, "Exported to conll");
    assert!(message.contains("1 documents"), "{message}");
    assert!(
        message.contains("could not be expressed in conll and were left out"),
        "{message}"
    );
    assert!(
        message.contains("GPE"),
        "the nested 古巴 is named: {message}"
    );
    h.get_by_label("OK").click();
    h.run();
    assert_eq!(h.state().dialog, None);
}

#[test]
fn importing_brat_replaces_the_project_with_an_unsaved_one_and_reports_what_was_left_out() {
    let corpus = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/brat-examples/CoNLL-ST_2002-esp"
    );
    let mut h = sample();
    h.state_mut().import_from(Format::Brat, &[corpus.into()]);
    h.run();
    let app = h.state();
    assert_eq!(app.editor.project.documents.len(), 10);
    assert!(app.editor.project.span_count() > 100);
    assert!(app.editor.is_dirty());
    assert!(
        app.path.is_none(),
        "an import is a new project: Save asks where"
    );
}

#[test]
fn a_broken_import_names_file_and_line_and_keeps_the_current_project() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"text\": \"古巴\", \"label\": [[0, 2, \"GPE\"]]}\n{\"text\": \"x\", \"label\": [[0, 9, \"GPE\"]]}\n").expect("write");
    let mut h = sample();
    let before = project_file::to_json(&h.state().editor.project).expect("serialisable");
    h.state_mut()
        .import_from(Format::Doccano, std::slice::from_ref(&bad));
    h.run();
    let Some(Dialog::Error { message, .. }) = h.state().dialog.clone() else {
        panic!("expected an error, got {:?}", h.state().dialog);
    };
    assert!(
        message.starts_with(&format!("{}:2:", bad.display())),
        "{message}"
    );
    assert_eq!(
        project_file::to_json(&h.state().editor.project).expect("serialisable"),
        before
    );
}

#[test]
fn exporting_over_the_project_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.json");
    std::fs::copy(SAMPLE, &path).expect("copy");
    let before = std::fs::read(&path).expect("read");
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe({
            let path = path.clone();
            move |cc| SpantagApp::open_or_report(&cc.egui_ctx, &path)
        });
    h.run();
    h.state_mut()
        .export_to(Format::LabelStudio, &ExportOptions::default(), &path);
    h.run();
    h.get_by_label_contains("is this project's own file");
    assert_eq!(std::fs::read(&path).expect("read"), before);
}

#[test]
fn label_keys_do_nothing_behind_the_export_options() {
    let mut h = sample();
    h.state_mut().selection = spantag::ui::TextSelection {
        anchor: 20,
        caret: 22,
    };
    h.state_mut().export_form = Some(spantag::ui::ExportForm::new(Format::Conll));
    h.run();
    let before = h.state().editor.project.span_count();
    h.key_press(eframe::egui::Key::Num1);
    h.run();
    assert_eq!(h.state().editor.project.span_count(), before);
}

#[test]
fn the_export_form_writes_the_scheme_chosen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("sample.bmes");
    let mut h = sample();
    let mut form = ExportForm::new(Format::Conll);
    form.scheme = Scheme::Bmes;
    h.state_mut().export_chosen(&form, &out);
    h.run();
    let conll = std::fs::read_to_string(&out).expect("written");
    assert!(
        conll.contains("习\tB-PER\n近\tM-PER\n平\tE-PER\n"),
        "{conll}"
    );
    let mut form = ExportForm::new(Format::Conll);
    form.conll2003 = true;
    let out = dir.path().join("sample.conll");
    h.state_mut().export_chosen(&form, &out);
    h.run();
    let conll = std::fs::read_to_string(&out).expect("written");
    assert!(conll.starts_with("-DOCSTART- -X- -X- O\n"), "{conll}");
    assert!(conll.contains("习 -X- -X- B-PER\n"), "{conll}");
}

#[test]
fn a_label_studio_export_writes_its_labelling_config_beside_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("tasks.json");
    let config = dir.path().join("tasks.config.xml");
    let mut h = sample();
    h.state_mut()
        .export_to(Format::LabelStudio, &ExportOptions::default(), &out);
    h.run_steps(2);
    let xml = std::fs::read_to_string(&config).expect("the config is written");
    assert!(xml.contains("<Label value=\"PER\"/>"), "{xml}");
    h.get_by_label_contains("tasks.config.xml");
    h.state_mut().dialog = None;

    // A file of the user's own under that name, beside a new export, is kept.
    let out = dir.path().join("mine.json");
    let mine = dir.path().join("mine.config.xml");
    std::fs::write(&mine, "my own notes").expect("write");
    h.state_mut()
        .export_to(Format::LabelStudio, &ExportOptions::default(), &out);
    h.run_steps(2);
    assert_eq!(
        std::fs::read_to_string(&mine).expect("read"),
        "my own notes"
    );
    h.get_by_label_contains("was not written to");
}
