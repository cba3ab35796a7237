//! Comparing annotators and adjudicating into gold, through egui_kittest.
#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};

use eframe::egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use spantag::core::{Project, markup, project_file};
use spantag::ui::{Dialog, SpantagApp};

fn write(dir: &Path, name: &str, annotator: &str, markup_text: &str) -> PathBuf {
    let p = markup::project(markup_text);
    // Annotators are written on the spans through the file, as Spantag would have.
    let mut json: serde_json::Value =
        serde_json::from_str(&project_file::to_json(&p).expect("serialisable")).expect("json");
    for s in json["documents"][0]["spans"].as_array_mut().expect("spans") {
        s["annotator"] = annotator.into();
    }
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&json).expect("json")).expect("write");
    path
}

fn harness() -> Harness<'static, SpantagApp> {
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(|cc| SpantagApp::new(&cc.egui_ctx, Project::default(), None));
    h.run();
    h
}

fn gold(h: &Harness<'_, SpantagApp>) -> String {
    markup::render_document(&h.state().editor.project, 0)
}

#[test]
fn adjudicate_two_annotators_into_a_new_gold_project() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(
        dir.path(),
        "li.json",
        "li",
        "[习近平](PER)会见[古巴](GPE)[领导人](PER)和[越南](GPE)人",
    );
    let b = write(
        dir.path(),
        "wang.json",
        "wang",
        "[习近平](PER)会见[古巴](ORG)领导人和[越南人](GPE)",
    );
    let (a_before, b_before) = (std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));

    let mut h = harness();
    h.state_mut().start_compare(&[a.clone(), b.clone()]);
    h.run();
    h.get_by_label("Compare (2 annotators)");
    h.get_by_label("lane 1: li");
    h.get_by_label("lane 2: wang");
    h.get_by_label("0 of 3 disagreements decided");
    // The agreement figures of the two files, as `spantag agree` computes them.
    h.get_by_label("li / wang");
    let report = h
        .state()
        .compare
        .as_ref()
        .map(|c| c.agreement.clone())
        .expect("comparing");
    let pair = &report.expect("figures").pairs[0];
    // li: 习近平 古巴 领导人 越南; wang: 习近平 古巴(ORG) 越南人: one exact match of 4 / 3.
    assert!((pair.exact.precision - 1.0 / 3.0).abs() < 1e-12);
    assert!((pair.exact.recall - 0.25).abs() < 1e-12);
    h.get_by_label_contains("Krippendorff's α");
    assert_eq!(
        gold(&h),
        "习近平会见古巴领导人和越南人",
        "gold starts empty"
    );

    h.get_by_label("Take all agreements").click();
    h.run();
    assert_eq!(gold(&h), "[习近平](PER)会见古巴领导人和越南人");

    // Unit 1 (古巴: label), unit 2 (领导人: missing), unit 3 (越南/越南人: boundary).
    h.get_all_by_label("Take wang")
        .next()
        .expect("a Take wang button")
        .click();
    h.run();
    h.state_mut().decide(2, &[]);
    h.state_mut().decide(3, &[0]);
    h.run();
    assert_eq!(
        gold(&h),
        "[习近平](PER)会见[古巴](ORG)领导人和[越南](GPE)人"
    );
    h.get_by_label("3 of 3 disagreements decided");

    // Undo works here too.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(gold(&h), "[习近平](PER)会见[古巴](ORG)领导人和越南人");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h.run();

    // Gold is a new project: saved where the user says; the sources are never modified.
    assert!(h.state().path.is_none());
    let out = dir.path().join("gold.json");
    assert!(h.state_mut().save_to(&out));
    assert_eq!(
        markup::render(
            "习近平会见古巴领导人和越南人",
            &project_file::load(&out).expect("gold").documents[0]
                .spans
                .iter()
                .map(|s| (s.start, s.end, s.label.to_string()))
                .collect::<Vec<_>>()
        ),
        "[习近平](PER)会见[古巴](ORG)领导人和[越南](GPE)人"
    );
    assert_eq!(std::fs::read(&a).expect("a"), a_before);
    assert_eq!(std::fs::read(&b).expect("b"), b_before);
}

#[test]
fn files_over_different_texts_are_refused_with_the_file_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(dir.path(), "li.json", "li", "[习近平](PER)会见");
    let b = write(dir.path(), "wang.json", "wang", "[李强](PER)会见");
    let mut h = harness();
    h.state_mut().start_compare(&[a, b]);
    h.run();
    let Some(Dialog::Error { title, message }) = h.state().dialog.clone() else {
        panic!("expected an error, got {:?}", h.state().dialog);
    };
    assert_eq!(title, "Cannot compare");
    assert!(
        message.starts_with("wang has a document \"d1\" whose text is in no document of li"),
        "{message}"
    );
    assert!(h.state().compare.is_none());
}

#[test]
fn gold_cannot_be_saved_over_a_compared_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(dir.path(), "li.json", "li", "[习近平](PER)会见");
    let b = write(dir.path(), "wang.json", "wang", "习近平会见");
    let before = std::fs::read(&a).expect("a");
    let mut h = harness();
    h.state_mut().start_compare(&[a.clone(), b]);
    h.run();
    h.state_mut().take_all_agreements();
    assert!(!h.state_mut().save_to(&a));
    h.run();
    h.get_by_label_contains("is one of the files being compared");
    assert_eq!(std::fs::read(&a).expect("a"), before);
}

#[test]
fn undoing_a_neither_decision_undecides_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(dir.path(), "li.json", "li", "[习近平](PER)会见[古巴](GPE)");
    let b = write(dir.path(), "wang.json", "wang", "[习近平](PER)会见古巴");
    let mut h = harness();
    h.state_mut().start_compare(&[a, b]);
    h.run();
    h.state_mut().take_all_agreements();
    h.state_mut().decide(1, &[0]);
    h.state_mut().decide(1, &[]);
    h.run();
    assert_eq!(h.state().adjudication_progress(), (1, 1));
    assert_eq!(gold(&h), "[习近平](PER)会见古巴");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(
        gold(&h),
        "[习近平](PER)会见[古巴](GPE)",
        "back to taking li"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(
        h.state().adjudication_progress(),
        (0, 1),
        "nothing decided any more"
    );
}

#[test]
fn the_agreement_figures_show_relation_f1_when_the_files_have_relations() {
    use spantag::core::{Editor, RelationType, Rgb};
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "[习近平](PER)会见[古巴](GPE)领导人";
    // Without relations, no relation column.
    let a = write(dir.path(), "li.json", "li", text);
    let b = write(dir.path(), "wang.json", "wang", text);
    let mut h = harness();
    h.state_mut().start_compare(&[a.clone(), b.clone()]);
    h.run();
    h.get_by_label("li / wang");
    assert!(h.query_by_label("relation F1").is_none());
    // li relates the two spans, wang does not: relation F1 0 of li's 1 and wang's 0.
    let mut editor = Editor::new(project_file::load(&a).expect("li"));
    let t = editor
        .project
        .add_relation_type(RelationType::new("meets", Rgb(1, 2, 3)));
    editor.execute(t).expect("type");
    let ids: Vec<_> = editor.project.documents[0]
        .spans
        .iter()
        .map(|s| s.id)
        .collect();
    let t = editor.project.relate(0, ids[0], ids[1], "meets");
    editor.execute(t).expect("relate");
    std::fs::write(&a, project_file::to_json(&editor.project).expect("json")).expect("write");
    let mut h = harness();
    h.state_mut().start_compare(&[a, b]);
    h.run();
    h.get_by_label("relation F1");
    h.get_by_label("0.000 (1 / 0)");
}
