//! The annotator window: a thin egui layer over [`crate::core`].

mod app;
mod autosave;
mod command;
mod compare_view;
mod derived;
mod exchange;
pub mod fonts;
mod panel;
pub mod preferences;
mod span_paint;
mod stats_view;
pub mod text_layout;
mod text_view;

use std::path::{Path, PathBuf};

pub use app::{AUTOSAVE_DELAY, AfterConfirm, Dialog, OpenMode, ReviewState, SpantagApp};
pub use command::Command;
pub use exchange::ExportForm;
pub use panel::{LabelForm, PanelState};
pub use text_view::{TextSelection, TextView, TextViewAction};

use crate::core::project_file;

/// The sample project opened when no project is named: next to the working directory when run
/// from the repository, else where the repository was at build time.
pub fn sample_project_path() -> PathBuf {
    let local = Path::new("annotations/sample.json");
    if local.exists() {
        return local.to_owned();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("annotations/sample.json")
}

/// Open the window on `project` (or on the sample project) and run until it is closed.
pub fn run(
    project: Option<PathBuf>,
    annotator: Option<String>,
    compare: Vec<PathBuf>,
) -> anyhow::Result<()> {
    let path = project.unwrap_or_else(sample_project_path);
    if let Err(error) = project_file::load(&path) {
        // Also on the terminal, for those who started us from one.
        eprintln!("{error}");
    }
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Spantag")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Spantag",
        options,
        Box::new(move |cc| {
            let mut app = if compare.is_empty() {
                SpantagApp::open_or_report(&cc.egui_ctx, &path)
            } else {
                let mut app = SpantagApp::new(&cc.egui_ctx, crate::core::Project::default(), None);
                app.start_compare(&compare);
                app
            };
            app.preferences_path = preferences::Preferences::default_path();
            app.untitled_recovery = crate::core::recovery::untitled_dir().and_then(|dir| {
                std::fs::create_dir_all(&dir).ok()?;
                Some(crate::core::recovery::untitled_path(&dir))
            });
            app.offer_untitled_recoveries();
            let remembered = app
                .preferences_path
                .as_deref()
                .map(preferences::Preferences::load)
                .unwrap_or_default();
            match &annotator {
                Some(name) => app.set_annotator(name),
                None => app.annotator = remembered.annotator,
            }
            app.exit_after_frames = std::env::var("SPANTAG_EXIT_AFTER_FRAMES")
                .ok()
                .and_then(|n| n.parse().ok());
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
