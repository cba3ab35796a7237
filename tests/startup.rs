//! Start-up: the window opens the project it was started on from one reading of the file
//! (`spantag::ui::run` reads it on a thread while the window is made, and hands it over).

use egui_kittest::Harness;
use spantag::core::markup::project;
use spantag::core::project_file::{self, Drift};
use spantag::core::{LabelSet, Project};
use spantag::ui::{OpenMode, SpantagApp};

#[test]
fn a_project_read_before_the_window_is_opened_without_reading_it_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.json");
    project_file::save(&project("会见[习近平](PER)"), &path).expect("save");
    let read = project_file::load_with(&path, Drift::Allow);
    // Gone from the disk: a second reading would fail with an error dialog.
    std::fs::remove_file(&path).expect("remove");
    let opened = path.clone();
    let h = Harness::builder().build_eframe(move |cc| {
        let mut app = SpantagApp::new(
            &cc.egui_ctx,
            Project::new(LabelSet::news_default(), vec![]),
            None,
        );
        app.open_path_from(&opened, OpenMode::Normal, Some(read));
        app
    });
    assert!(h.state().dialog.is_none(), "{:?}", h.state().dialog);
    assert_eq!(h.state().editor.project.span_count(), 1);
    assert_eq!(h.state().path.as_deref(), Some(path.as_path()));
}
