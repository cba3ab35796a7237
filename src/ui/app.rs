//! The annotator window: menus, the text view, the annotation panel, dialogs.
//!
//! Input becomes [`Command`]s during the frame; they run once at the end, and every change to
//! the project goes through [`Editor::execute`] so undo, the dirty flag and (later) autosave see
//! it.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui::{self, Key, Modifiers, ViewportCommand};

use super::autosave::Autosaver;
use super::command::{Command, hotkey_key};
use super::panel::PanelState;
use super::text_view::{TextSelection, TextView, TextViewAction};
use crate::core::lock::{LockInfo, LockState, ProjectLock};
use crate::core::project_file::{DocumentDrift, Drift};
use crate::core::recovery::{self, SpanChanges};
use crate::core::text_file::read_text_document;
use crate::core::{
    Document, Edit, Editor, LabelSet, Project, Span, SpanId, SpanStatus, Transaction, project_file,
};

/// What to do once the user has answered "save changes?".
#[derive(Clone, Debug, PartialEq)]
pub enum AfterConfirm {
    Quit,
    Compare,
    Import(crate::core::formats::Format),
    Open(Option<PathBuf>),
    NewFromText(Option<Vec<PathBuf>>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Dialog {
    Error {
        title: String,
        message: String,
    },
    /// Something went well and there is more to say than fits the status bar.
    Info {
        title: String,
        message: String,
    },
    /// Saving failed; the work is still in memory.
    SaveFailed {
        message: String,
    },
    UnsavedChanges(AfterConfirm),
    /// Another running Spantag has the project open.
    Locked {
        path: PathBuf,
        holder: LockInfo,
    },
    /// Unsaved work from an earlier session was found next to the project.
    Recovery {
        recovery: PathBuf,
        changes: Result<SpanChanges, String>,
        comparing: bool,
    },
    /// The text of some documents changed after they were annotated.
    Drift {
        report: Vec<DocumentDrift>,
    },
}

/// How to open a project that another Spantag holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    Normal,
    ReadOnly,
    /// Open and take the lock even though another process holds it.
    Anyway,
}

/// Autosave this long after the last edit (the promise is "within 2 seconds").
pub const AUTOSAVE_DELAY: Duration = Duration::from_millis(1000);

pub struct SpantagApp {
    pub editor: Editor,
    /// Where the project is saved; `None` for a project not saved yet.
    pub path: Option<PathBuf>,
    /// The document shown.
    pub doc: usize,
    pub selection: TextSelection,
    pub selected_span: Option<SpanId>,
    pub text_view: TextView,
    pub panel: PanelState,
    pub dialog: Option<Dialog>,
    /// Dialogs waiting for the current one to close.
    pub queued_dialogs: VecDeque<Dialog>,
    /// Opened read-only: no edits, no save over the file (Save as works).
    pub read_only: bool,
    /// The user chose read-only (another Spantag holds the file); stays after re-anchoring.
    read_only_by_choice: bool,
    lock: Option<ProjectLock>,
    autosaver: Autosaver,
    pub autosave_delay: Duration,
    /// Where a project with no file yet is autosaved; `None`: it is not (tests).
    pub untitled_recovery: Option<PathBuf>,
    /// The history state last seen, and when it changed.
    last_change: (u64, Instant),
    autosaved_state: Option<u64>,
    /// A one-line message in the status bar (what just happened, or why not).
    pub status: Option<String>,
    pub find: FindState,
    /// The options form of an export to CoNLL or Hugging Face, while open.
    pub export_form: Option<super::exchange::ExportForm>,
    /// Written on the spans this user creates, changes or imports.
    pub annotator: Option<String>,
    /// Where the annotator name is remembered; `None` keeps it for this session only.
    pub preferences_path: Option<PathBuf>,
    pub review: ReviewState,
    /// Comparing annotators; the project being edited is then the gold project.
    pub compare: Option<super::compare_view::CompareSession>,
    /// The statistics window is open.
    pub show_statistics: bool,
    pending: Vec<Command>,
    allow_close: bool,
    title: String,
    focus_text: bool,
    /// Close after this many frames (the test script's smoke test of the real window).
    pub exit_after_frames: Option<u64>,
    frames: u64,
}

/// Review mode: step through spans (filtered), accept or reject each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewState {
    pub on: bool,
    pub label: Option<String>,
    pub status: Option<SpanStatus>,
    /// `Some(None)`: spans without an annotator.
    pub annotator: Option<Option<String>>,
}

impl ReviewState {
    pub fn matches(&self, span: &Span) -> bool {
        self.label.as_ref().is_none_or(|l| *l == span.label)
            && self.status.is_none_or(|s| s == span.status)
            && self.annotator.as_ref().is_none_or(|a| *a == span.annotator)
    }

    /// Whether Tab / N / P step onto `span`: a shown span (rejected ones only with
    /// `show_rejected`, or when reviewing rejected spans), and in review mode one the filter
    /// lets through.
    pub fn steps_through(&self, span: &Span, show_rejected: bool) -> bool {
        (span.status != SpanStatus::Rejected
            || show_rejected
            || self.status == Some(SpanStatus::Rejected))
            && (!self.on || self.matches(span))
    }
}

#[derive(Default)]
pub struct FindState {
    pub open: bool,
    pub query: String,
    pub focus: bool,
    pub message: Option<String>,
}

impl SpantagApp {
    /// The app on `project`, saved at `path` (if any). Sets up fonts and style on `ctx`.
    pub fn new(ctx: &egui::Context, project: Project, path: Option<PathBuf>) -> Self {
        super::fonts::install(ctx);
        ctx.set_theme(egui::Theme::Light);
        let mut app = Self {
            editor: Editor::new(project),
            path,
            doc: 0,
            selection: TextSelection::default(),
            selected_span: None,
            text_view: TextView::default(),
            panel: PanelState::default(),
            dialog: None,
            queued_dialogs: VecDeque::new(),
            read_only: false,
            read_only_by_choice: false,
            lock: None,
            autosaver: Autosaver::default(),
            autosave_delay: AUTOSAVE_DELAY,
            untitled_recovery: None,
            last_change: (0, Instant::now()),
            autosaved_state: None,
            status: None,
            find: FindState::default(),
            export_form: None,
            annotator: None,
            preferences_path: None,
            review: ReviewState::default(),
            compare: None,
            show_statistics: false,
            pending: Vec::new(),
            allow_close: false,
            title: String::new(),
            focus_text: true,
            exit_after_frames: None,
            frames: 0,
        };
        if app.editor.project.documents.is_empty() {
            app.status = Some("This project has no documents: use File › New from text…".into());
        }
        app
    }

    /// The app on the project file at `path`; a load error is shown in a dialog over an empty
    /// project that is not tied to any file (so nothing can overwrite the broken one).
    pub fn open_or_report(ctx: &egui::Context, path: &Path) -> Self {
        let mut app = Self::new(ctx, Project::new(LabelSet::news_default(), vec![]), None);
        app.open_path(path);
        app
    }

    /// Show `dialog` now, or after the one showing.
    pub fn show_dialog(&mut self, dialog: Dialog) {
        if self.dialog.is_none() {
            self.dialog = Some(dialog);
        } else {
            self.queued_dialogs.push_back(dialog);
        }
    }

    fn close_dialog(&mut self) {
        self.dialog = self.queued_dialogs.pop_front();
    }

    pub fn queue(&mut self, command: Command) {
        self.pending.push(command);
    }

    pub fn title(&self) -> String {
        let name = match &self.path {
            Some(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string()),
            None => "Untitled".to_owned(),
        };
        let dirty = if self.editor.is_dirty() { " ●" } else { "" };
        let dirty = if self.read_only {
            format!("{dirty} [read-only]")
        } else {
            dirty.to_owned()
        };
        match &self.path {
            Some(p) => format!(
                "{name}{dirty} — {} — Spantag",
                p.parent()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default()
            ),
            None => format!("{name}{dirty} — Spantag"),
        }
    }

    /// Apply a transaction through the editor; a refused edit becomes a status message.
    pub fn execute(&mut self, transaction: Transaction) -> bool {
        let transaction = self.stamp_annotator(transaction);
        self.execute_as_is(transaction)
    }

    /// Like [`Self::execute`], but leave the spans' annotators as they are: for edits that are
    /// not this user's annotation decisions (renaming a label, re-anchoring, taking annotators'
    /// spans into gold).
    pub fn execute_as_is(&mut self, transaction: Transaction) -> bool {
        let description = transaction.description.clone();
        if self.read_only && !transaction.is_empty() {
            self.status = Some(format!(
                "Cannot {description}: the project is open read-only (File › Save as… makes an \
                 editable copy)"
            ));
            return false;
        }
        match self.editor.execute(transaction) {
            Ok(()) => true,
            Err(error) => {
                self.status = Some(format!("Cannot {description}: {error}"));
                false
            }
        }
    }

    /// Apply the note being typed, if it differs from the span's note.
    pub fn commit_note_draft(&mut self) {
        let Some((id, text)) = self.panel.note_draft.take() else {
            return;
        };
        let Some(mut span) = self.current_doc().and_then(|d| d.spans.get(id)).cloned() else {
            return;
        };
        let note = text.trim().to_owned();
        let note = (!note.is_empty()).then_some(note);
        if note != span.note {
            span.note = note;
            let t = self.editor.project.change_span("edit note", self.doc, span);
            self.execute(t);
        }
    }

    /// Put the user's name on every span the transaction creates or changes.
    fn stamp_annotator(&self, mut transaction: Transaction) -> Transaction {
        let Some(name) = &self.annotator else {
            return transaction;
        };
        for edit in &mut transaction.edits {
            match edit {
                Edit::AddSpan { span, .. } | Edit::ChangeSpan { after: span, .. } => {
                    span.annotator = Some(name.clone());
                }
                _ => {}
            }
        }
        transaction
    }

    /// Set the annotator name and remember it.
    pub fn set_annotator(&mut self, name: &str) {
        let name = name.trim();
        self.annotator = (!name.is_empty()).then(|| name.to_owned());
        if let Some(path) = &self.preferences_path {
            let prefs = super::preferences::Preferences {
                annotator: self.annotator.clone(),
            };
            if let Err(e) = prefs.save(path) {
                self.status = Some(format!(
                    "Cannot remember your name in {}: {e}",
                    path.display()
                ));
            }
        }
    }

    /// The spans Tab / N / P step through, in document order: the shown ones, and in review
    /// mode only those the review filter lets through.
    pub fn review_spans(&self) -> Vec<&Span> {
        let Some(doc) = self.current_doc() else {
            return Vec::new();
        };
        let show_rejected = self.text_view.show_rejected;
        doc.spans
            .iter()
            .filter(|s| self.review.steps_through(s, show_rejected))
            .collect()
    }

    /// (reviewed, total) of the spans review mode steps through; reviewed = not suggested.
    pub fn review_progress(&self) -> (usize, usize) {
        let spans = self.review_spans();
        let reviewed = spans
            .iter()
            .filter(|s| s.status != SpanStatus::Suggested)
            .count();
        (reviewed, spans.len())
    }

    /// Why `target` must not be written from here, if it must not: the project opened
    /// read-only, a file another Spantag holds, or one of the files being compared.
    pub fn refuse_to_write(&self, target: &Path) -> Option<String> {
        let current = self.path.as_deref().is_some_and(|p| same_file(p, target));
        if current && self.read_only {
            return Some(format!(
                "{} is open read-only here; save a copy under another name.",
                target.display()
            ));
        }
        if !current && let LockState::Held(holder) = crate::core::lock::inspect(target) {
            return Some(format!(
                "{} is open in another Spantag, by {holder}. Save somewhere else, or close it \
                 there first.",
                target.display()
            ));
        }
        if let Some(session) = &self.compare
            && session.sources.iter().any(|s| same_file(s, target))
        {
            return Some(format!(
                "{} is one of the files being compared; the gold project goes to a new file.",
                target.display()
            ));
        }
        None
    }

    fn set_status(&mut self, status: SpanStatus) {
        let Some(id) = self.selected_span else {
            self.status = Some("Select a span first (N / P or Tab in review mode)".into());
            return;
        };
        let Some(mut span) = self.current_doc().and_then(|d| d.spans.get(id)).cloned() else {
            return;
        };
        span.status = status;
        let t =
            self.editor
                .project
                .change_span(&format!("mark {}", status.as_str()), self.doc, span);
        if self.execute(t) {
            self.step_span(true);
        }
    }

    fn nudge(&mut self, start: bool, delta: i8) {
        let Some(id) = self.selected_span else {
            self.status = Some("Select a span to move its boundaries".into());
            return;
        };
        let Some(mut span) = self.current_doc().and_then(|d| d.spans.get(id)).cloned() else {
            return;
        };
        let edge = if start {
            &mut span.start
        } else {
            &mut span.end
        };
        *edge = if delta < 0 {
            edge.saturating_sub(1)
        } else {
            *edge + 1
        };
        let t = self
            .editor
            .project
            .change_span("move span boundary", self.doc, span);
        self.execute(t);
    }

    fn selected_span_still_exists(&mut self) {
        if let Some(id) = self.selected_span
            && self.current_doc().and_then(|d| d.spans.get(id)).is_none()
        {
            self.selected_span = None;
        }
    }

    pub fn current_doc(&self) -> Option<&crate::core::AnnotatedDocument> {
        self.editor.project.documents.get(self.doc)
    }

    // ---- Commands ---------------------------------------------------------------------------

    pub fn run_command(&mut self, ctx: &egui::Context, command: Command) {
        if matches!(
            command,
            Command::Save | Command::SaveAs | Command::Open | Command::NewFromText | Command::Quit
        ) {
            self.commit_note_draft();
        }
        match command {
            Command::Undo | Command::Redo if self.read_only => {
                self.status = Some("The project is open read-only".into());
            }
            Command::Undo | Command::Redo
                if self.panel.label_form.is_some() || self.panel.note_draft.is_some() =>
            {
                // Forms hold copies of what undo is about to change: close them first.
                self.panel.label_form = None;
                self.panel.note_draft = None;
                self.run_command(ctx, command);
                return;
            }
            Command::Undo => match self.editor.undo() {
                Ok(Some(t)) => self.status = Some(format!("Undid {}", t.description)),
                Ok(None) => self.status = Some("Nothing to undo".into()),
                Err(e) => self.status = Some(format!("Cannot undo: {e}")),
            },
            Command::Redo => match self.editor.redo() {
                Ok(Some(t)) => self.status = Some(format!("Redid {}", t.description)),
                Ok(None) => self.status = Some("Nothing to redo".into()),
                Err(e) => self.status = Some(format!("Cannot redo: {e}")),
            },
            Command::ApplyLabel(label) => self.apply_label(&label),
            Command::ToggleReview => {
                self.review.on = !self.review.on;
                self.status = Some(if self.review.on {
                    "Review mode: N / P next / previous, Enter accept, Backspace reject".into()
                } else {
                    "Review mode off".into()
                });
            }
            Command::Accept => self.set_status(SpanStatus::Accepted),
            Command::Reject => self.set_status(SpanStatus::Rejected),
            Command::Nudge { start, delta } => self.nudge(start, delta),
            Command::DeleteSpan => {
                if let Some(id) = self.selected_span {
                    let t = self.editor.project.remove_spans(self.doc, &[id]);
                    if self.execute(t) {
                        self.selected_span = None;
                    }
                } else {
                    self.status = Some("Select a span to delete it".into());
                }
            }
            Command::SelectSpan(id) => self.select_span(id, true),
            Command::NextSpan | Command::PreviousSpan => {
                self.step_span(command == Command::NextSpan)
            }
            Command::SelectDocument(i) => {
                if i < self.editor.project.documents.len() && i != self.doc {
                    self.doc = i;
                    self.selection = TextSelection::default();
                    self.selected_span = None;
                    self.text_view.reset();
                    if let Some(c) = &mut self.compare {
                        c.selected_unit = None;
                    }
                    self.refresh_overlay();
                }
            }
            Command::ClearSelection => {
                self.selection = TextSelection::caret(self.selection.caret);
                self.selected_span = None;
            }
            Command::Find => {
                self.find.open = true;
                self.find.focus = true;
            }
            Command::ZoomIn => {
                self.text_view.font_size = (self.text_view.font_size + 2.0).min(48.0)
            }
            Command::ZoomOut => {
                self.text_view.font_size = (self.text_view.font_size - 2.0).max(10.0)
            }
            Command::Save => {
                self.save();
            }
            Command::SaveAs => {
                self.save_as();
            }
            Command::Open => self.confirm_then(ctx, AfterConfirm::Open(None)),
            Command::NewFromText => self.confirm_then(ctx, AfterConfirm::NewFromText(None)),
            Command::Quit => ctx.send_viewport_cmd(ViewportCommand::Close),
        }
        self.selected_span_still_exists();
    }

    fn apply_label(&mut self, label: &str) {
        let Some(doc) = self.current_doc() else {
            return;
        };
        let (start, end) = self.selection.range();
        let (start, end) = trim_whitespace(&doc.document, start, end);
        if start < end {
            let t = self.editor.project.tag(self.doc, start, end, label);
            if self.execute(t) {
                let id = self
                    .current_doc()
                    .and_then(|d| d.spans.find_exact(start, end, label))
                    .map(|s| s.id);
                self.selected_span = id;
                self.selection = TextSelection::caret(end);
                self.status = Some(format!("Tagged {label}"));
            }
        } else if let Some(id) = self.selected_span {
            let Some(mut span) = doc.spans.get(id).cloned() else {
                return;
            };
            span.label = label.to_owned();
            if self.review.on {
                // Relabelling a suggestion while reviewing decides it.
                span.status = SpanStatus::Accepted;
            }
            let t = self
                .editor
                .project
                .change_span(&format!("relabel as {label}"), self.doc, span);
            if self.execute(t) {
                self.status = Some(format!("Relabelled as {label}"));
            }
        } else {
            self.status = Some(
                "Select text first (drag over it, or Shift+arrows), then press a label key".into(),
            );
        }
    }

    pub fn select_span(&mut self, id: SpanId, scroll: bool) {
        let Some(span) = self.current_doc().and_then(|d| d.spans.get(id)) else {
            return;
        };
        let start = span.start;
        self.selected_span = Some(id);
        self.selection = TextSelection::caret(start);
        if scroll {
            self.text_view.scroll_to(start);
        }
    }

    fn step_span(&mut self, forward: bool) {
        let spans = self.review_spans();
        if spans.is_empty() {
            self.status = Some("No spans to step through".into());
            return;
        }
        let current = self
            .selected_span
            .and_then(|id| spans.iter().position(|s| s.id == id));
        let next = match (current, forward) {
            (Some(i), true) => (i + 1) % spans.len(),
            (Some(i), false) => (i + spans.len() - 1) % spans.len(),
            (None, true) => spans
                .iter()
                .position(|s| s.start >= self.selection.caret)
                .unwrap_or(0),
            (None, false) => spans
                .iter()
                .rposition(|s| s.start < self.selection.caret)
                .unwrap_or(spans.len() - 1),
        };
        let id = spans[next].id;
        self.select_span(id, true);
    }

    // ---- Files ------------------------------------------------------------------------------

    /// Save to the project's file, or ask where when it has none. Returns true when saved.
    pub fn save(&mut self) -> bool {
        match self.path.clone() {
            Some(_) if self.read_only => {
                self.status =
                    Some("Open read-only: use File › Save as… to save a copy elsewhere".into());
                false
            }
            Some(path) => self.save_to(&path),
            None => self.save_as(),
        }
    }

    fn save_as(&mut self) -> bool {
        let mut dialog = rfd::FileDialog::new()
            .add_filter("Spantag project", &["json"])
            .set_title("Save project as");
        if let Some(dir) = self.path.as_ref().and_then(|p| p.parent()) {
            dialog = dialog.set_directory(dir);
        }
        let name = self
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "project.json".to_owned());
        match dialog.set_file_name(name).save_file() {
            Some(path) => self.save_to(&path),
            None => false,
        }
    }

    /// Save to `path` and make it the project's file. On failure the work stays in memory and
    /// a dialog says why.
    pub fn save_to(&mut self, path: &Path) -> bool {
        if let Some(why) = self.refuse_to_write(path) {
            self.show_dialog(Dialog::SaveFailed { message: why });
            return false;
        }
        match project_file::save(&self.editor.project, path) {
            Ok(()) => {
                self.editor.history.mark_saved();
                if !self.path.as_deref().is_some_and(|p| same_file(p, path)) {
                    // A new file: it is ours now, and editable. The old file's recovery copy
                    // is what was just saved here.
                    if let Some(old) = self.path.clone() {
                        self.autosaver.remove(recovery::recovery_path(&old));
                    } else if let Some(untitled) = self.untitled_recovery.clone() {
                        self.autosaver.remove(untitled);
                    }
                    self.release_project_file();
                    self.lock = ProjectLock::acquire(path).ok();
                    self.read_only = false;
                }
                self.autosaver.remove(recovery::recovery_path(path));
                self.autosaved_state = None;
                self.path = Some(path.to_owned());
                self.status = Some(format!("Saved {}", path.display()));
                true
            }
            Err(error) => {
                self.show_dialog(Dialog::SaveFailed {
                    message: format!("{error}"),
                });
                false
            }
        }
    }

    /// Ask about unsaved changes first, if there are any; then do `then`.
    fn confirm_then(&mut self, ctx: &egui::Context, then: AfterConfirm) {
        if self.editor.is_dirty() {
            self.dialog = Some(Dialog::UnsavedChanges(then));
        } else {
            self.proceed(ctx, then);
        }
    }

    fn proceed(&mut self, ctx: &egui::Context, then: AfterConfirm) {
        match then {
            AfterConfirm::Quit => {
                if self.editor.is_dirty() {
                    // The user chose not to save: the autosaved copy goes with the changes.
                    self.discard_recovery();
                }
                self.allow_close = true;
                ctx.send_viewport_cmd(ViewportCommand::Close);
            }
            AfterConfirm::Open(path) => {
                let path = path.or_else(|| {
                    rfd::FileDialog::new()
                        .add_filter("Spantag project", &["json"])
                        .set_title("Open project")
                        .pick_file()
                });
                if let Some(path) = path {
                    if self.editor.is_dirty() {
                        self.discard_recovery();
                    }
                    self.open_path(&path);
                }
            }
            AfterConfirm::NewFromText(paths) => {
                let paths = paths.or_else(|| {
                    rfd::FileDialog::new()
                        .add_filter("Text", &["txt"])
                        .set_title("New project from text files")
                        .pick_files()
                });
                if let Some(paths) = paths {
                    if self.editor.is_dirty() {
                        self.discard_recovery();
                    }
                    self.new_from_text(&paths);
                }
            }
            AfterConfirm::Compare => {
                let paths = rfd::FileDialog::new()
                    .add_filter("Spantag project", &["json"])
                    .set_title("Compare annotators: choose two or more project files")
                    .pick_files();
                if let Some(paths) = paths {
                    if self.editor.is_dirty() {
                        self.discard_recovery();
                    }
                    self.start_compare(&paths);
                }
            }
            AfterConfirm::Import(format) => {
                if self.editor.is_dirty() {
                    self.discard_recovery();
                }
                self.pick_import_sources(format);
            }
        }
    }

    /// Open the project at `path`, replacing the current one. On failure nothing changes.
    pub fn open_path(&mut self, path: &Path) {
        self.open_path_with(path, OpenMode::Normal);
    }

    pub fn open_path_with(&mut self, path: &Path, mode: OpenMode) {
        let lock_state = crate::core::lock::inspect(path);
        if let LockState::Held(holder) = &lock_state
            && mode == OpenMode::Normal
        {
            self.show_dialog(Dialog::Locked {
                path: path.to_owned(),
                holder: holder.clone(),
            });
            return;
        }
        let loaded = match project_file::load_with(path, Drift::Allow) {
            Ok(loaded) => loaded,
            Err(error) => {
                self.show_dialog(Dialog::Error {
                    title: "Cannot open the project".into(),
                    message: error.to_string(),
                });
                return;
            }
        };
        self.replace_project(loaded.project, Some(path.to_owned()));
        self.read_only = mode == OpenMode::ReadOnly;
        self.read_only_by_choice = self.read_only;
        self.status = Some(format!("Opened {}", path.display()));
        if !self.read_only {
            self.lock = ProjectLock::acquire(path).ok();
            if let LockState::Stale(old) = lock_state {
                self.status = Some(format!(
                    "Opened {}; took over the lock left by {old}, which is no longer running",
                    path.display()
                ));
            }
        }
        if let Some(version) = loaded.migrated_from {
            self.editor.history.mark_unsaved();
            self.status = Some(format!(
                "Opened {}: migrated from file format version {version}; saving writes version \
                 {} and keeps the original as {}",
                path.display(),
                project_file::FORMAT_VERSION,
                crate::core::atomic_write::backup_path(path).display()
            ));
        }
        let drifted = !loaded.drift.is_empty();
        if drifted {
            // Nothing may be saved over the file until the user has chosen what to do.
            self.read_only = true;
            self.show_dialog(Dialog::Drift {
                report: loaded.drift,
            });
        }
        // A recovery file is only ours to offer when no other Spantag has the project open
        // (its autosave is live work) and the text is the one the recovery was made from.
        if mode == OpenMode::Normal
            && !drifted
            && let Some(recovery) = recovery::newer_recovery(path)
        {
            let changes = project_file::load(&recovery)
                .map(|r| recovery::compare(&self.editor.project, &r))
                .map_err(|e| e.to_string());
            self.show_dialog(Dialog::Recovery {
                recovery,
                changes,
                comparing: false,
            });
        }
    }

    /// Give up the lock on the current project file.
    fn release_project_file(&mut self) {
        self.lock = None;
    }

    fn discard_recovery(&mut self) {
        if self.path.is_none()
            && let Some(untitled) = &self.untitled_recovery
        {
            let _ = std::fs::remove_file(untitled);
            self.autosaver.remove(untitled.clone());
        }
        if let Some(path) = &self.path {
            // Now, not on the worker: the window may be about to close. The worker removes it
            // again after any write still queued.
            recovery::remove_recovery(path);
            self.autosaver.remove(recovery::recovery_path(path));
        }
        // This state was deliberately thrown away: do not autosave it again.
        self.autosaved_state = Some(self.editor.history.state());
    }

    /// Replace the project by the recovery file's contents (unsaved, so Save writes them).
    fn restore_recovery(&mut self, recovery: &Path) {
        match project_file::load(recovery) {
            Ok(project) => {
                let path = self.path.clone();
                let lock = self.lock.take();
                let (read_only, by_choice) = (self.read_only, self.read_only_by_choice);
                self.replace_project(project, path);
                self.lock = lock;
                self.read_only = read_only;
                self.read_only_by_choice = by_choice;
                self.editor.history.mark_unsaved();
                self.status = Some(format!(
                    "Restored unsaved work from {}; save to keep it",
                    recovery.display()
                ));
            }
            Err(error) => self.show_dialog(Dialog::Error {
                title: "Cannot restore".into(),
                message: format!("{error}\n\nThe recovery file is left where it is."),
            }),
        }
    }

    /// Offer the unsaved work of earlier sessions whose project had no file yet.
    pub fn offer_untitled_recoveries(&mut self) {
        let Some(dir) = self.untitled_recovery.as_ref().and_then(|p| p.parent()) else {
            return;
        };
        for recovery in recovery::orphaned_untitled(dir) {
            let changes = project_file::load(&recovery)
                .map(|r| recovery::compare(&Project::default(), &r))
                .map_err(|e| e.to_string());
            self.show_dialog(Dialog::Recovery {
                recovery,
                changes,
                comparing: true,
            });
        }
    }

    /// Open an untitled recovery as the (unsaved) project; it goes on as this session's own.
    fn restore_untitled(&mut self, recovery: &Path) {
        match project_file::load(recovery) {
            Ok(project) => {
                self.replace_project(project, None);
                self.editor.history.mark_unsaved();
                if let Some(own) = &self.untitled_recovery {
                    let _ = std::fs::rename(recovery, own);
                }
                self.status =
                    Some("Restored unsaved work of an earlier session: Save as… to keep it".into());
            }
            Err(error) => self.show_dialog(Dialog::Error {
                title: "Cannot restore".into(),
                message: format!("{error}\n\nThe recovery file is left where it is."),
            }),
        }
    }

    /// Put back the spans of changed documents whose text is found unambiguously nearby, as one
    /// undoable step; the others stay out and are listed.
    pub fn reanchor(&mut self, report: &[DocumentDrift]) -> (usize, usize) {
        let mut edits = Vec::new();
        let mut lost = 0;
        for doc in report {
            for drifted in &doc.spans {
                match drifted.found {
                    Some((start, end)) => {
                        let mut span = drifted.span.clone();
                        span.start = start;
                        span.end = end;
                        edits.push(Edit::AddSpan { doc: doc.doc, span });
                    }
                    None => lost += 1,
                }
            }
        }
        let found = edits.len();
        self.read_only = false;
        let applied =
            self.execute_as_is(Transaction::new(format!("re-anchor {found} spans"), edits));
        if applied {
            self.editor.history.mark_unsaved();
        }
        // Saving over the file is allowed again only if that worked and the user did not
        // choose read-only; the lock taken at open stays (a second one would drop it).
        self.read_only = self.read_only_by_choice || !applied;
        if !self.read_only
            && self.lock.is_none()
            && let Some(path) = self.path.clone()
            && !matches!(crate::core::lock::inspect(&path), LockState::Held(_))
        {
            self.lock = ProjectLock::acquire(&path).ok();
        }
        if applied {
            (found, lost)
        } else {
            (0, lost + found)
        }
    }

    /// A new, unsaved project with one document per text file.
    pub fn new_from_text(&mut self, paths: &[PathBuf]) {
        let mut documents: Vec<Document> = Vec::new();
        for path in paths {
            match read_text_document(path, &documents) {
                Ok(d) => documents.push(d),
                Err(error) => {
                    self.dialog = Some(Dialog::Error {
                        title: "Cannot read the text".into(),
                        message: error.to_string(),
                    });
                    return;
                }
            }
        }
        let project = Project::new(LabelSet::news_default(), documents);
        self.replace_project(project, None);
        self.editor.history.mark_unsaved();
        self.status = Some("New project: save it with Ctrl+S".into());
    }

    pub(super) fn replace_project(&mut self, project: Project, path: Option<PathBuf>) {
        self.release_project_file();
        self.read_only = false;
        self.read_only_by_choice = false;
        self.autosaved_state = None;
        self.editor = Editor::new(project);
        self.compare = None;
        self.text_view.overlay = None;
        self.path = path;
        self.doc = 0;
        self.selection = TextSelection::default();
        self.selected_span = None;
        self.text_view.reset();
        self.panel = PanelState::default();
        self.focus_text = true;
    }

    // ---- Frame ------------------------------------------------------------------------------

    fn collect_shortcuts(&mut self, ctx: &egui::Context) {
        if self.dialog.is_some() || self.export_form.is_some() {
            return;
        }
        let typing = ctx.text_edit_focused();
        for command in Command::WITH_SHORTCUTS {
            if typing && !command.works_in_text_fields() {
                continue;
            }
            let hit = ctx.input_mut(|i| {
                command.shortcut().is_some_and(|s| i.consume_shortcut(&s))
                    || command
                        .alternative_shortcut()
                        .is_some_and(|s| i.consume_shortcut(&s))
            });
            if hit {
                self.queue(command);
            }
        }
        if typing || self.text_view.is_chooser_open() {
            return;
        }
        let text_has_focus =
            ctx.memory(|m| m.has_focus(self.text_view.id)) || ctx.memory(|m| m.focused().is_none());
        if text_has_focus && self.review.on {
            for (key, command) in [
                (Key::N, Command::NextSpan),
                (Key::P, Command::PreviousSpan),
                (Key::Enter, Command::Accept),
                (Key::Backspace, Command::Reject),
            ] {
                if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key)) {
                    self.queue(command);
                }
            }
        }
        if text_has_focus {
            for command in [
                Command::PreviousSpan,
                Command::NextSpan,
                Command::ClearSelection,
            ] {
                if let Some(s) = command.shortcut()
                    && ctx.input_mut(|i| i.consume_shortcut(&s))
                {
                    self.queue(command);
                }
            }
        }
        let hotkeys: Vec<(Key, String)> = self
            .editor
            .project
            .labels
            .iter()
            .filter_map(|l| Some((hotkey_key(l.hotkey?)?, l.name.clone())))
            .collect();
        // egui matches a key with Shift or Alt held too; a label hotkey is the bare key.
        if !ctx.input(|i| i.modifiers.is_none()) {
            return;
        }
        for (key, name) in hotkeys {
            if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key)) {
                self.queue(Command::ApplyLabel(name));
            }
        }
    }

    fn handle_close_request(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) {
            self.commit_note_draft();
        }
        if ctx.input(|i| i.viewport().close_requested())
            && !self.allow_close
            && self.editor.is_dirty()
        {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
            self.dialog = Some(Dialog::UnsavedChanges(AfterConfirm::Quit));
        }
    }

    fn menu_bar(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                for command in [
                    Command::NewFromText,
                    Command::Open,
                    Command::Save,
                    Command::SaveAs,
                ] {
                    self.menu_item(ui, command);
                }
                ui.separator();
                super::exchange::menu(self, ui);
                if ui.button("Compare annotators…").clicked() {
                    if self.editor.is_dirty() {
                        self.show_dialog(Dialog::UnsavedChanges(AfterConfirm::Compare));
                    } else {
                        self.proceed(ui.ctx(), AfterConfirm::Compare);
                    }
                }
                ui.separator();
                self.menu_item(ui, Command::Quit);
            });
            ui.menu_button("Edit", |ui| {
                let undo = match self.editor.history.undo_description() {
                    Some(d) => format!("Undo {d}"),
                    None => "Undo".into(),
                };
                let redo = match self.editor.history.redo_description() {
                    Some(d) => format!("Redo {d}"),
                    None => "Redo".into(),
                };
                if ui
                    .add_enabled(
                        self.editor.history.can_undo(),
                        egui::Button::new(undo).shortcut_text(shortcut_text(ui, &Command::Undo)),
                    )
                    .clicked()
                {
                    self.queue(Command::Undo);
                }
                if ui
                    .add_enabled(
                        self.editor.history.can_redo(),
                        egui::Button::new(redo).shortcut_text(shortcut_text(ui, &Command::Redo)),
                    )
                    .clicked()
                {
                    self.queue(Command::Redo);
                }
                ui.separator();
                for command in [
                    Command::DeleteSpan,
                    Command::NextSpan,
                    Command::PreviousSpan,
                    Command::Find,
                ] {
                    self.menu_item(ui, command);
                }
            });
            ui.menu_button("View", |ui| {
                for command in [Command::ZoomIn, Command::ZoomOut, Command::ToggleReview] {
                    self.menu_item(ui, command);
                }
                ui.separator();
                if ui
                    .checkbox(&mut self.show_statistics, "Statistics")
                    .clicked()
                {
                    ui.close();
                }
            });
        });
    }

    fn menu_item(&mut self, ui: &mut egui::Ui, command: Command) {
        let button = egui::Button::new(command.text()).shortcut_text(shortcut_text(ui, &command));
        if ui.add(button).clicked() {
            self.queue(command);
        }
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if let Some(doc) = self.current_doc() {
                let caret = self.selection.caret.min(doc.document.char_len());
                let (line, col) = doc.document.line_col(caret);
                ui.label(format!("Ln {line}, Col {col} · offset {caret}"));
                let (a, b) = self.selection.range();
                if a < b {
                    ui.separator();
                    ui.label(format!("selection [{a}, {b}) · {} characters", b - a));
                }
                ui.separator();
                ui.label(format!(
                    "{} of {} characters · {} spans",
                    doc.document.name,
                    doc.document.char_len(),
                    doc.spans.len()
                ));
            }
            if let Some(message) = &self.status {
                ui.separator();
                ui.label(message);
            }
        });
    }

    fn find_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let find_label = ui.label("Find");
            let edit = ui
                .add(
                    egui::TextEdit::singleline(&mut self.find.query)
                        .desired_width(240.0)
                        .hint_text("text to find"),
                )
                .labelled_by(find_label.id);
            if self.find.focus {
                edit.request_focus();
                self.find.focus = false;
            }
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if enter || ui.button("Next").clicked() {
                self.find_next();
            }
            if ui.button("Close").clicked()
                || (edit.has_focus() && ui.input(|i| i.key_pressed(Key::Escape)))
            {
                self.find.open = false;
                self.focus_text = true;
            }
            if let Some(m) = &self.find.message {
                ui.label(m);
            }
        });
    }

    /// Select the next occurrence of the find text after the caret (wrapping around).
    pub fn find_next(&mut self) {
        let Some(doc) = self.current_doc() else {
            return;
        };
        let query = self.find.query.clone();
        if query.is_empty() {
            return;
        }
        let text = doc.document.text();
        let (_, sel_end) = self.selection.range();
        let from_byte = doc.document.char_to_byte(sel_end);
        let hit = text[from_byte..]
            .find(&query)
            .map(|b| from_byte + b)
            .or_else(|| text.find(&query));
        match hit {
            Some(b) => {
                let start = doc.document.byte_to_char(b);
                let end = start + query.chars().count();
                self.selection = TextSelection {
                    anchor: start,
                    caret: end,
                };
                self.selected_span = None;
                self.text_view.scroll_to(start);
                self.find.message = None;
                self.focus_text = true;
            }
            None => self.find.message = Some(format!("\"{query}\" not found")),
        }
    }

    fn dialogs(&mut self, ctx: &egui::Context) {
        let Some(dialog) = self.dialog.clone() else {
            return;
        };
        /// What the user chose in the dialog this frame.
        enum Choice {
            Close,
            SaveThen(AfterConfirm),
            Then(AfterConfirm),
            SaveAs,
            Open(PathBuf, OpenMode),
            Restore(PathBuf),
            Discard(PathBuf),
            Compare,
            Reanchor(Vec<DocumentDrift>),
            StayReadOnly,
        }
        let mut choice = None;
        egui::Modal::new(egui::Id::unique("spantag_dialog")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            match &dialog {
                Dialog::Error { title, message } | Dialog::Info { title, message } => {
                    ui.heading(title);
                    ui.add_space(4.0);
                    egui::ScrollArea::vertical()
                        .max_height(420.0)
                        .show(ui, |ui| ui.label(message));
                    ui.add_space(8.0);
                    if ui.button("OK").clicked() || ui.input(|i| i.key_pressed(Key::Enter)) {
                        choice = Some(Choice::Close);
                    }
                }
                Dialog::SaveFailed { message } => {
                    ui.heading("Cannot save");
                    ui.label(message);
                    ui.label("Your work is still open and unchanged.");
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button("Save as…").clicked() {
                            choice = Some(Choice::SaveAs);
                        }
                        if ui.button("OK").clicked() {
                            choice = Some(Choice::Close);
                        }
                    });
                }
                Dialog::UnsavedChanges(after) => {
                    ui.heading("Save changes?");
                    ui.label(format!(
                        "{} has unsaved changes. They are lost if you don't save them.",
                        self.path
                            .as_ref()
                            .map(|p| p.display().to_string())
                            .unwrap_or_else(|| "This project".into())
                    ));
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button("Save").clicked() {
                            choice = Some(Choice::SaveThen(after.clone()));
                        }
                        if ui.button("Don't save").clicked() {
                            choice = Some(Choice::Then(after.clone()));
                        }
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            choice = Some(Choice::Close);
                        }
                    });
                }
                Dialog::Locked { path, holder } => {
                    ui.heading("The project is open elsewhere");
                    ui.label(format!(
                        "{} is open in another Spantag, by {holder}. Editing it in two places \
                         at once loses one side's work.",
                        path.display()
                    ));
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button("Open read-only").clicked() {
                            choice = Some(Choice::Open(path.clone(), OpenMode::ReadOnly));
                        }
                        if ui.button("Open anyway").clicked() {
                            choice = Some(Choice::Open(path.clone(), OpenMode::Anyway));
                        }
                        if ui.button("Cancel").clicked() {
                            choice = Some(Choice::Close);
                        }
                    });
                }
                Dialog::Recovery {
                    recovery,
                    changes,
                    comparing,
                } => {
                    ui.heading("Unsaved work was found");
                    ui.label(format!(
                        "{} holds work that was not saved (Spantag may have been closed \
                         unexpectedly).",
                        recovery.display()
                    ));
                    if *comparing {
                        ui.add_space(4.0);
                        match changes {
                            Ok(c) if c.is_empty() => {
                                ui.label("Compared with the saved project: no differences.");
                            }
                            Ok(c) => {
                                ui.label(format!("Compared with the saved project: {c}."));
                            }
                            Err(e) => {
                                ui.colored_label(ui.visuals().error_fg_color, e);
                            }
                        }
                    }
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button("Restore").clicked() {
                            choice = Some(Choice::Restore(recovery.clone()));
                        }
                        if ui.button("Compare").clicked() {
                            choice = Some(Choice::Compare);
                        }
                        if ui.button("Discard").clicked() {
                            choice = Some(Choice::Discard(recovery.clone()));
                        }
                    });
                }
                Dialog::Drift { report } => {
                    ui.heading("The text changed after it was annotated");
                    let mut found = 0;
                    let mut lost = 0;
                    egui::ScrollArea::vertical()
                        .max_height(300.0)
                        .show(ui, |ui| {
                            for doc in report {
                                ui.label(format!(
                                    "Document \"{}\": its text no longer matches the SHA-256 \
                                 recorded for it. {} spans no longer match their text:",
                                    doc.doc_id,
                                    doc.spans.len()
                                ));
                                for d in &doc.spans {
                                    let fate = match d.found {
                                        Some((s, e)) => {
                                            found += 1;
                                            format!("found nearby at [{s}, {e})")
                                        }
                                        None => {
                                            lost += 1;
                                            "not found unambiguously nearby".to_owned()
                                        }
                                    };
                                    ui.label(format!(
                                        "  span {} {} \"{}\" at [{}, {}): {fate}",
                                        d.span.id,
                                        d.span.label,
                                        d.recorded_text,
                                        d.span.start,
                                        d.span.end
                                    ));
                                }
                            }
                        });
                    ui.add_space(4.0);
                    ui.label(
                        "The spans that still match are shown. The file is not changed until \
                         you save, and saving keeps the original as a .bak file.",
                    );
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        let text = if lost > 0 {
                            format!("Re-anchor {found} spans ({lost} will be left out)")
                        } else {
                            format!("Re-anchor {found} spans")
                        };
                        if ui.button(text).clicked() {
                            choice = Some(Choice::Reanchor(report.clone()));
                        }
                        if ui.button("Open read-only").clicked() {
                            choice = Some(Choice::StayReadOnly);
                        }
                    });
                }
            }
        });
        let Some(choice) = choice else {
            return;
        };
        self.close_dialog();
        match choice {
            Choice::Close => {}
            Choice::SaveThen(after) => {
                if self.save() {
                    self.proceed(ctx, after);
                }
            }
            Choice::Then(after) => self.proceed(ctx, after),
            Choice::SaveAs => {
                self.save_as();
            }
            Choice::Open(path, mode) => self.open_path_with(&path, mode),
            Choice::Restore(recovery) if recovery::is_untitled(&recovery) => {
                self.restore_untitled(&recovery)
            }
            Choice::Restore(recovery) => self.restore_recovery(&recovery),
            Choice::Discard(recovery) => {
                let _ = std::fs::remove_file(&recovery);
                self.status = Some(format!("Discarded {}", recovery.display()));
            }
            Choice::Compare => {
                if let Dialog::Recovery {
                    recovery, changes, ..
                } = dialog
                {
                    // Keep the dialog open, now with the comparison.
                    self.queued_dialogs.push_front(Dialog::Recovery {
                        recovery,
                        changes,
                        comparing: true,
                    });
                    self.close_dialog();
                }
            }
            Choice::Reanchor(report) => {
                let (found, lost) = self.reanchor(&report);
                self.status = Some(format!(
                    "Re-anchored {found} spans; {lost} could not be placed and are left out \
                     (save to write the file; the original is kept as .bak)"
                ));
            }
            Choice::StayReadOnly => {
                self.status = Some("Opened read-only: the text changed under its spans".into());
            }
        }
    }

    /// Write unsaved work to the recovery file a moment after the last edit, off the UI thread.
    fn autosave(&mut self, ctx: &egui::Context) {
        for result in self.autosaver.finished() {
            if let Err(message) = result {
                self.status = Some(format!("Autosave failed: {message}"));
            }
        }
        let state = self.editor.history.state();
        if state != self.last_change.0 {
            self.last_change = (state, Instant::now());
        }
        let target = match &self.path {
            Some(path) => recovery::recovery_path(path),
            None => match &self.untitled_recovery {
                Some(untitled) => untitled.clone(),
                None => return,
            },
        };
        if self.read_only
            || self.allow_close
            || !self.editor.is_dirty()
            || self.autosaved_state == Some(state)
        {
            return;
        }
        let since = self.last_change.1.elapsed();
        if since < self.autosave_delay {
            ctx.request_repaint_after(self.autosave_delay - since);
            return;
        }
        self.autosaver.write(target, self.editor.project.clone());
        self.autosaved_state = Some(state);
    }
}

fn shortcut_text(ui: &egui::Ui, command: &Command) -> String {
    command
        .shortcut()
        .map(|s| ui.ctx().format_shortcut(&s))
        .unwrap_or_default()
}

/// True when the two paths name the same file (also when spelled differently).
pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Narrow `[start, end)` so it neither starts nor ends with whitespace (as brat does).
fn trim_whitespace(doc: &Document, start: usize, end: usize) -> (usize, usize) {
    let text = doc.slice(start, end);
    let leading = text.chars().take_while(|c| c.is_whitespace()).count();
    let trailing = text.chars().rev().take_while(|c| c.is_whitespace()).count();
    let start2 = start + leading;
    let end2 = end.saturating_sub(trailing).max(start2);
    (start2, end2)
}

impl eframe::App for SpantagApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        let title = self.title();
        if title != self.title {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        self.handle_close_request(&ctx);
        self.collect_shortcuts(&ctx);

        egui::Panel::top("spantag_menu").show(ui, |ui| self.menu_bar(ui));
        egui::Panel::bottom("spantag_status").show(ui, |ui| self.status_bar(ui));
        egui::Panel::right("spantag_panel")
            .default_size(340.0)
            .size_range(240.0..=640.0)
            .show(ui, |ui| super::panel::show(self, ui));
        if self.find.open {
            egui::Panel::top("spantag_find").show(ui, |ui| self.find_bar(ui));
        }
        egui::CentralPanel::default_margins()
            .frame(egui::Frame::central_panel(ui.style()).inner_margin(0.0))
            .show(ui, |ui| {
                let doc_index = self.doc;
                let keyboard = self.dialog.is_none() && self.export_form.is_none();
                let Some(doc) = self.editor.project.documents.get(doc_index) else {
                    ui.centered_and_justified(|ui| {
                        ui.label(
                            "No document. File › New from text… creates a project from .txt files.",
                        );
                    });
                    return;
                };
                let action = self.text_view.show(
                    ui,
                    doc_index,
                    doc,
                    &self.editor.project.labels,
                    &mut self.selection,
                    self.selected_span,
                    keyboard,
                );
                match action {
                    Some(TextViewAction::SelectSpan(id)) => self.select_span(id, false),
                    Some(TextViewAction::Deselect) => self.selected_span = None,
                    None => {}
                }
            });
        if self.focus_text {
            ctx.memory_mut(|m| m.request_focus(self.text_view.id));
            self.focus_text = false;
        }

        self.dialogs(&ctx);
        super::exchange::export_form(self, &ctx);
        super::stats_view::window(self, &ctx);
        for command in std::mem::take(&mut self.pending) {
            self.run_command(&ctx, command);
        }
        self.autosave(&ctx);

        self.frames += 1;
        if let Some(limit) = self.exit_after_frames {
            if self.frames == limit {
                eprintln!(
                    "spantag: rendered {} frames of {} ({} spans)",
                    self.frames,
                    self.title,
                    self.editor.project.span_count()
                );
                self.allow_close = true;
                ctx.send_viewport_cmd(ViewportCommand::Close);
            }
            ctx.request_repaint();
        }
    }
}
