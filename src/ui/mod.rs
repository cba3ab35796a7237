//! The annotator window: a thin egui shell over [`crate::core`].
//!
//! See `docs/ARCHITECTURE.md`: panels, the text view and dialogs read state and send
//! [`Command`]s; `dispatch.rs` (with `files.rs`, `exchange.rs`, `compare.rs`, `assist.rs`)
//! applies them.

mod app;
mod assist;
mod attribute_edits;
mod autosave;
mod command;
pub mod command_table;
mod compare;
mod conflicts;
mod derived;
mod dialogs;
mod dispatch;
mod exchange;
mod files;
pub mod fonts;
mod jobs;
mod moves;
mod overview;
mod panels;
pub mod preferences;
mod recovery;
mod relation_paint;
mod relations;
mod remembered;
mod shown;
mod span_paint;
mod state;
pub mod text_layout;
mod text_view;

use std::path::{Path, PathBuf};

pub use app::{AUTOSAVE_DELAY, SpantagApp};
pub use command::{Answer, CaretMotion, Command, CommandSender, FilePurpose};
pub use panels::navigator::NavigatorState;
pub use panels::{LabelForm, PanelState};
pub use state::{AfterConfirm, CompareSession, Dialog, ExportForm, OpenMode, ReviewState};
pub use text_view::{TextSelection, TextView, TextViewAction};

use crate::core::project_file::{self, Drift};

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
    // Read (once) on a thread of its own while eframe makes the window, the GL context and the
    // fonts: a large project's reading then no longer adds to the time to the first frame.
    let preloaded = compare.is_empty().then(|| {
        let path = path.clone();
        std::thread::spawn(move || project_file::load_with(&path, Drift::Allow))
    });
    let preferences_path = preferences::Preferences::default_path();
    let remembered = preferences_path
        .as_deref()
        .map(preferences::Preferences::load)
        .unwrap_or_default();
    let layout = &remembered.layout;
    let mut viewport = eframe::egui::ViewportBuilder::default()
        .with_title("Spantag")
        .with_inner_size(layout.size.unwrap_or([1280.0, 800.0]))
        .with_min_inner_size([640.0, 400.0])
        .with_maximized(layout.maximized)
        .with_drag_and_drop(true);
    if let Some(position) = layout.position {
        viewport = viewport.with_position(position);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(
        "Spantag",
        options,
        Box::new(move |cc| {
            let mut app = SpantagApp::new(
                &cc.egui_ctx,
                crate::core::Project::new(crate::core::LabelSet::news_default(), vec![]),
                None,
            );
            app.use_preferences(&cc.egui_ctx, remembered);
            app.preferences_path = preferences_path;
            if let Some(reading) = preloaded {
                // A reader that panicked leaves the reading to `open_path_from`.
                let loaded = reading.join().ok();
                app.open_path_from(&path, OpenMode::Normal, loaded);
                if let Some(Dialog::Error { message, .. }) = &app.dialog {
                    // Also on the terminal, for those who started us from one.
                    eprintln!("{message}");
                }
            } else {
                app.start_compare(&compare);
            }
            app.untitled_recovery = crate::core::recovery::untitled_dir().and_then(|dir| {
                std::fs::create_dir_all(&dir).ok()?;
                Some(crate::core::recovery::untitled_path(&dir))
            });
            app.offer_untitled_recoveries();
            if let Some(name) = &annotator {
                app.set_annotator(name);
            }
            app.exit_after_frames = std::env::var("SPANTAG_EXIT_AFTER_FRAMES")
                .ok()
                .and_then(|n| n.parse().ok());
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
