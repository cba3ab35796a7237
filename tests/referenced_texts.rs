//! Referenced texts: a project that names `.txt` files (relative path and SHA-256) instead of
//! holding the texts loads like an inline one, keeps its references on save, and treats a
//! changed or missing file like a changed or missing text.

use std::path::Path;

use spantag::core::project_file::{self, Drift};

mod common;

use common::{spantag, stderr};

/// `corpus/a.txt` and `projects/` in a fresh folder; `spantag new --reference` makes
/// `projects/p.json` over the text, then one span is tagged and saved.
fn referenced_project(dir: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("corpus")).expect("corpus folder");
    std::fs::create_dir_all(dir.join("projects")).expect("projects folder");
    std::fs::write(dir.join("corpus/a.txt"), "习近平在北京会见古巴领导人\n").expect("text");
    let project = dir.join("projects/p.json");
    let o = spantag(&[
        "new",
        "--reference",
        "--text",
        dir.join("corpus/a.txt").to_str().expect("utf-8"),
        "-o",
        project.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut loaded = project_file::load(&project).expect("loads");
    let tag = loaded.tag(0, 4, 6, "GPE");
    loaded.apply(&tag).expect("tag");
    project_file::save(&loaded, &project).expect("saved");
    project
}

#[test]
fn a_referenced_text_loads_like_an_inline_one_and_saving_keeps_the_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = referenced_project(dir.path());
    let json = std::fs::read_to_string(&path).expect("read");
    // The path goes up out of the project's folder: allowed (see docs/FORMAT.md).
    assert!(json.contains(r#""text_file": "../corpus/a.txt""#), "{json}");
    assert!(
        !json.contains("会见古巴"),
        "the text is not inlined: {json}"
    );

    let project = project_file::load(&path).expect("loads");
    let doc = &project.documents[0];
    assert_eq!(doc.document.text(), "习近平在北京会见古巴领导人\n");
    assert_eq!(
        doc.spans.iter().next().map(|s| s.label.as_str()),
        Some("GPE")
    );
    let reference = doc.document.reference().expect("still referenced");
    assert_eq!(reference.path, "../corpus/a.txt");

    // Saved again: the same bytes. Saved in another folder: the path follows.
    project_file::save(&project, &path).expect("saved again");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), json);
    let elsewhere = dir.path().join("corpus/copy.json");
    project_file::save(&project, &elsewhere).expect("saved elsewhere");
    let moved = std::fs::read_to_string(&elsewhere).expect("read");
    assert!(moved.contains(r#""text_file": "a.txt""#), "{moved}");
    let reloaded = project_file::load(&elsewhere).expect("loads from there");
    assert_eq!(reloaded.documents[0].document.text(), doc.document.text());

    // The inline form of the same project loads to the same documents and spans.
    let inline = json.replace(
        r#""text_file": "../corpus/a.txt""#,
        r#""text": "习近平在北京会见古巴领导人\n""#,
    );
    let inline = project_file::parse(inline.as_bytes(), &path).expect("inline loads");
    assert_eq!(inline.documents[0].document.text(), doc.document.text());
    assert!(inline.documents[0].document.reference().is_none());
    assert!(
        inline.documents[0]
            .spans
            .iter()
            .eq(project.documents[0].spans.iter())
    );
}

#[test]
fn a_changed_file_is_a_changed_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = referenced_project(dir.path());
    std::fs::write(
        dir.path().join("corpus/a.txt"),
        "在北京, 习近平会见古巴领导人\n",
    )
    .expect("edit");
    let message = project_file::load(&path).expect_err("refused").to_string();
    assert!(
        message.contains(
            "p.json: document 1 (\"a\"): the SHA-256 of its text file \"../corpus/a.txt\""
        ) && message.contains("the text was changed after it was annotated"),
        "{message}"
    );
    // The window loads it with drift allowed: the span is left out, found again nearby, and
    // offered back (the same path as a changed inline text).
    let loaded = project_file::load_with(&path, Drift::Allow).expect("loads with drift");
    assert_eq!(loaded.drift.len(), 1);
    let drifted = &loaded.drift[0].spans[0];
    assert_eq!(drifted.recorded_text, "北京");
    assert_eq!(drifted.found, Some((1, 3)));
    assert!(loaded.project.documents[0].document.reference().is_some());
}

#[test]
fn a_missing_file_names_the_project_the_document_and_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = referenced_project(dir.path());
    std::fs::remove_file(dir.path().join("corpus/a.txt")).expect("remove");
    let message = project_file::load(&path).expect_err("refused").to_string();
    assert!(
        message.starts_with(&format!(
            "{}: document 1 (\"a\"): cannot read its text file \"../corpus/a.txt\"",
            path.display()
        )),
        "{message}"
    );
    let o = spantag(&["validate", path.to_str().expect("utf-8")]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("cannot read its text file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn absolute_paths_and_a_text_given_twice_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = referenced_project(dir.path());
    let json = std::fs::read_to_string(&path).expect("read");
    let absolute = dir.path().join("corpus/a.txt");
    let edited = json.replace("../corpus/a.txt", absolute.to_str().expect("utf-8"));
    let message = project_file::parse(edited.as_bytes(), &path)
        .expect_err("refused")
        .to_string();
    assert!(message.contains("is not relative"), "{message}");
    let both = json.replace(
        r#""text_file": "../corpus/a.txt""#,
        r#""text_file": "../corpus/a.txt", "text": "x""#,
    );
    let message = project_file::parse(both.as_bytes(), &path)
        .expect_err("refused")
        .to_string();
    assert!(
        message.contains("both \"text\" and \"text_file\""),
        "{message}"
    );
    let neither = json.replace(r#""text_file": "../corpus/a.txt","#, "");
    let message = project_file::parse(neither.as_bytes(), &path)
        .expect_err("refused")
        .to_string();
    assert!(message.contains("no \"text\""), "{message}");
}

/// The window: a referenced file that changed gets the drift dialog like a changed inline text;
/// re-anchoring and saving keep the reference and never write the text file.
#[test]
fn the_window_reanchors_a_changed_referenced_text_and_saves_the_reference() {
    use eframe::egui::{Key, Modifiers, vec2};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;
    use spantag::ui::{Dialog, SpantagApp};

    let dir = tempfile::tempdir().expect("tempdir");
    let path = referenced_project(dir.path());
    let text_file = dir.path().join("corpus/a.txt");
    let changed = "在北京, 习近平会见古巴领导人\n";
    std::fs::write(&text_file, changed).expect("edit");

    let opened = path.clone();
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| SpantagApp::open_or_report(&cc.egui_ctx, &opened));
    h.run();
    let Some(Dialog::Drift { report }) = h.state().dialog.clone() else {
        panic!("expected the drift dialog, got {:?}", h.state().dialog);
    };
    assert_eq!(report.len(), 1);
    h.get_by_label_contains("Re-anchor 1 span").click();
    h.run();
    assert_eq!(
        spantag::core::markup::render_document(&h.state().editor.project, 0),
        "在[北京](GPE), 习近平会见古巴领导人\n"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(4);
    let json = std::fs::read_to_string(&path).expect("read");
    assert!(json.contains(r#""text_file": "../corpus/a.txt""#), "{json}");
    assert!(
        !json.contains("会见古巴"),
        "the text is not inlined: {json}"
    );
    assert_eq!(std::fs::read_to_string(&text_file).expect("read"), changed);
    let reloaded = project_file::load(&path).expect("loads without drift now");
    assert_eq!(reloaded.documents[0].spans.len(), 1);
}
