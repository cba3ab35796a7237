//! The annotator window: its state, split by how long each part lives, and the frame.
//!
//! A frame: keys become [`Command`]s (from the one [`command_table`]); panels, the text view and
//! dialogs draw from borrowed state and send commands; then the commands run, one by one, through
//! [`SpantagApp::run_command`] (in `dispatch.rs`), the only place that changes the state. Every
//! change to the project goes through [`Editor::execute`] so undo, the dirty flag and autosave
//! see it.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui::{self, Key, Modifiers, ViewportCommand};

use super::autosave::Autosaver;
use super::command::{Command, CommandReceiver, CommandSender, command_channel};
use super::command_table::{self, hotkey_key};
use super::derived::{self, Derived};
use super::dialogs::{self, FilePicker, Palette};
use super::jobs::{JobControl, JobQueue};
use super::panels::navigator::NavigatorState;
use super::panels::{self, PanelState};
use super::preferences::Preferences;
use super::shown::Shown;
use super::state::{
    CompareSession, Dialog, ExportForm, FindState, OtherOccurrences, PendingOccurrences,
    RelationDraft, ReviewState,
};
use super::text_view::{TextSelection, TextView, TextViewAction};
use crate::core::lock::ProjectLock;
use crate::core::tagger::Evaluation;
use crate::core::{Editor, LabelSet, Project, RelationId, SpanId};

/// Autosave this long after the last edit (the promise is "within 2 seconds").
pub const AUTOSAVE_DELAY: Duration = Duration::from_millis(1000);
/// The annotation panel's width until the user drags its edge.
const PANEL_WIDTH: f32 = 340.0;
/// The document navigator's width until the user drags it.
const NAVIGATOR_WIDTH: f32 = 240.0;

/// The open project's plumbing: its lock and its autosave.
pub(super) struct Session {
    /// The user chose read-only (another Spantag holds the file); stays after re-anchoring.
    pub read_only_by_choice: bool,
    pub lock: Option<ProjectLock>,
    pub autosaver: Autosaver,
    /// The history state last seen, and when it changed.
    pub last_change: (u64, Instant),
    pub autosaved_state: Option<u64>,
    /// The project's recovery file is this session's (it autosaved there, or the user restored
    /// it): saving or discarding may remove it. Another's is left for the next offer.
    pub owns_recovery: bool,
    /// Counts projects opened in this window: a new project restarts the history's states.
    pub generation: u64,
}

/// Where a document was left, restored when it is shown again: the first character at the
/// top of the view (not a pixel offset: block heights are estimates until laid out, and the
/// text size may change in between), the caret and selection, the selected span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct DocView {
    pub top: usize,
    pub selection: TextSelection,
    pub selected_span: Option<SpanId>,
}

/// Dialogs over the window besides [`SpantagApp::dialog`].
#[derive(Default)]
pub(super) struct Modals {
    /// Dialogs waiting for the current one to close.
    pub queued: VecDeque<Dialog>,
    pub palette: Option<Palette>,
    pub cheat_sheet: bool,
    pub file_picker: Option<FilePicker>,
    /// Go to line or offset (`Ctrl+G`), while open.
    pub goto: Option<dialogs::GoToForm>,
    /// What waits for a Save as to be answered ("Save" in "Save changes?" on a new project).
    pub after_save: Option<super::state::AfterConfirm>,
}

pub struct SpantagApp {
    // ---- The open project: from open to close ----
    pub editor: Editor,
    /// Where the project is saved; `None` for a project not saved yet.
    pub path: Option<PathBuf>,
    /// Opened read-only: no edits, no save over the file (Save as works).
    pub read_only: bool,
    /// Comparing annotators; the project being edited is then the gold project.
    pub compare: Option<CompareSession>,
    pub autosave_delay: Duration,
    /// Where a project with no file yet is autosaved; `None`: it is not (tests).
    pub untitled_recovery: Option<PathBuf>,
    pub(super) session: Session,

    // ---- The view of it ----
    /// The document shown.
    pub doc: usize,
    pub selection: TextSelection,
    pub selected_span: Option<SpanId>,
    /// The selected relation (a click on its name in the text, or on its row in the panel).
    pub selected_relation: Option<RelationId>,
    /// A relation being drawn (`R`): its ends and type are being chosen.
    pub relation_draft: Option<RelationDraft>,
    /// Where each document was left (scroll, caret, selection) while another one is shown.
    pub(super) doc_views: HashMap<usize, DocView>,
    pub text_view: TextView,
    pub panel: PanelState,
    /// The document navigator's filter (whether it shows is `prefs.show_navigator`).
    pub navigator: NavigatorState,
    pub find: FindState,
    /// Runs pre-annotation (and training) off the frame.
    pub(super) assist_jobs: JobQueue,
    /// The assist job running, for the status bar.
    pub assist_job: Option<(String, JobControl)>,
    /// The tagger's last held-out report, for the statistics window.
    pub tagger_report: Option<Evaluation>,
    /// The selected span's other occurrences, counted for the panel's offer.
    pub other_occurrences: Option<OtherOccurrences>,
    /// The count behind `other_occurrences` while it is under way.
    pub occurrence_count: Option<PendingOccurrences>,
    pub review: ReviewState,
    /// The statistics window is open.
    pub show_statistics: bool,
    /// A one-line message in the status bar (what just happened, or why not).
    pub status: Option<String>,
    pub(super) derived: Derived,

    // ---- Modal dialogs ----
    pub dialog: Option<Dialog>,
    /// The options form of an export to CoNLL or Hugging Face, while open.
    pub export_form: Option<ExportForm>,
    pub(super) modals: Modals,

    // ---- Preferences: remembered between sessions ----
    pub prefs: Preferences,
    /// Where the preferences are remembered; `None` keeps them for this session only.
    pub preferences_path: Option<PathBuf>,
    /// Use the in-window file dialog, never the system's (also `SPANTAG_FILE_DIALOG=builtin`).
    pub builtin_file_dialog: bool,

    // ---- Plumbing ----
    commands: CommandSender,
    received: CommandReceiver,
    pub(super) allow_close: bool,
    title: String,
    pub(super) focus_text: bool,
    /// A text field had the keyboard at the end of the last frame.
    typing_last_frame: bool,
    /// The annotation panel's width as first shown or last remembered.
    pub(super) panel_width_known: Option<f32>,
    /// The same for the navigator (while it is shown).
    pub(super) navigator_width_known: Option<f32>,
    /// Close after this many frames (the test script's smoke test of the real window).
    pub exit_after_frames: Option<u64>,
    frames: u64,
}

impl SpantagApp {
    /// The app on `project`, saved at `path` (if any). Sets up fonts and style on `ctx`.
    pub fn new(ctx: &egui::Context, project: Project, path: Option<PathBuf>) -> Self {
        super::fonts::install(ctx);
        let (commands, received) = command_channel(Some(ctx.clone()));
        let prefs = Preferences::default();
        let mut text_view = TextView::default();
        text_view.font_size = prefs.font_size;
        let mut app = Self {
            editor: Editor::new(project),
            path,
            read_only: false,
            compare: None,
            autosave_delay: AUTOSAVE_DELAY,
            untitled_recovery: None,
            session: Session {
                read_only_by_choice: false,
                lock: None,
                autosaver: Autosaver::new(commands.clone()),
                last_change: (0, Instant::now()),
                autosaved_state: None,
                owns_recovery: false,
                generation: 0,
            },
            doc: 0,
            selection: TextSelection::default(),
            selected_span: None,
            selected_relation: None,
            relation_draft: None,
            doc_views: HashMap::new(),
            text_view,
            panel: PanelState::default(),
            navigator: NavigatorState::default(),
            find: FindState::default(),
            other_occurrences: None,
            occurrence_count: None,
            assist_jobs: JobQueue::new("spantag-assist", commands.clone()),
            assist_job: None,
            tagger_report: None,
            review: ReviewState::default(),
            show_statistics: false,
            status: None,
            derived: Derived::default(),
            dialog: None,
            export_form: None,
            modals: Modals::default(),
            prefs,
            preferences_path: None,
            builtin_file_dialog: std::env::var("SPANTAG_FILE_DIALOG").is_ok_and(|v| v == "builtin"),
            commands,
            received,
            allow_close: false,
            title: String::new(),
            focus_text: true,
            typing_last_frame: false,
            exit_after_frames: None,
            panel_width_known: None,
            navigator_width_known: None,
            frames: 0,
        };
        app.apply_theme(ctx);
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
            self.modals.queued.push_back(dialog);
        }
    }

    pub(super) fn close_dialog(&mut self) {
        self.dialog = self.modals.queued.pop_front();
    }

    /// Run `command` at the end of this frame (or of the next one, if this one is over).
    pub fn queue(&mut self, command: Command) {
        self.commands.send(command);
    }

    /// A sender for panels, dialogs and jobs.
    pub fn command_sender(&self) -> CommandSender {
        self.commands.clone()
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

    pub fn current_doc(&self) -> Option<&crate::core::AnnotatedDocument> {
        self.editor.project.documents.get(self.doc)
    }

    /// (reviewed, total) of the spans review mode steps through; reviewed = not suggested.
    pub fn review_progress(&self) -> (usize, usize) {
        let spans = self.review_spans();
        let reviewed = spans
            .iter()
            .filter(|s| s.status != crate::core::SpanStatus::Suggested)
            .count();
        (reviewed, spans.len())
    }

    /// (decided, disagreements) over all documents, while comparing.
    pub fn adjudication_progress(&self) -> (usize, usize) {
        self.compare.as_ref().map_or((0, 0), |session| {
            derived::adjudication(&self.editor, session)
        })
    }

    /// A dialog or form that owns the keyboard while it is open.
    fn modal_open(&self) -> bool {
        self.dialog.is_some()
            || self.export_form.is_some()
            || self.modals.palette.is_some()
            || self.modals.cheat_sheet
            || self.modals.file_picker.is_some()
            || self.modals.goto.is_some()
    }

    // ---- Frame ------------------------------------------------------------------------------

    /// Give the keyboard to the text unless a text field has it on purpose.
    ///
    /// egui drops the focus on `Esc` (before the app sees the key) and, with nothing focused,
    /// turns `Tab` and the arrows into focus moves: the next `Tab` walked into the panel's
    /// "Your name" field and the label hotkey that followed was typed there. So, at the start of
    /// every frame, the text takes the focus back from nothing or from a button, and egui's
    /// focus move of this frame is cancelled; `Esc` that left a text field only leaves it.
    fn keep_keys_on_text(&mut self, ctx: &egui::Context) {
        let typing = ctx.text_edit_focused();
        let left_field = self.typing_last_frame && !typing;
        self.typing_last_frame = typing;
        if self.modal_open() || typing || egui::Popup::is_any_open(ctx) {
            return;
        }
        if left_field {
            // This Esc (or click) was for the field: it must not also clear the selection.
            let escape = ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
            if escape && self.find.field_focused {
                self.queue(Command::CloseFind);
            }
        }
        let text = self.text_view.id;
        ctx.memory_mut(|m| {
            if !m.has_focus(text) {
                m.request_focus(text);
            }
            m.move_focus(egui::FocusDirection::None);
        });
    }

    fn collect_shortcuts(&mut self, ctx: &egui::Context) {
        if self.dialog.is_some()
            || self.export_form.is_some()
            || self.modals.file_picker.is_some()
            || self.modals.goto.is_some()
        {
            return;
        }
        // While the palette or the cheat sheet is open only their own keys (and the global
        // ones: the palette's shortcut closes it again) count.
        let typing = ctx.text_edit_focused()
            || self.modals.palette.is_some()
            || self.modals.cheat_sheet
            || self.text_view.is_chooser_open();
        let review = self.review.on;
        let relating = self.relation_draft.is_some();
        for command in ctx.input_mut(|i| command_table::pressed(i, typing, review, relating)) {
            self.queue(command);
        }
        if typing {
            return;
        }
        // egui matches a key with Shift or Alt held too; a label hotkey is the bare key.
        if !ctx.input(|i| i.modifiers.is_none()) {
            return;
        }
        // While a relation's type is chosen, or one is selected, a type's hotkey gives it that
        // type (before the labels' hotkeys).
        let choosing_type = matches!(
            self.relation_draft,
            Some(RelationDraft::ChoosingType { .. })
        );
        if choosing_type || (!relating && self.selected_relation.is_some()) {
            let type_keys: Vec<(Key, String)> = self
                .editor
                .project
                .relation_types()
                .iter()
                .filter_map(|t| Some((hotkey_key(t.hotkey?)?, t.name.clone())))
                .collect();
            for (key, name) in type_keys {
                if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key)) {
                    self.queue(Command::UseRelationType(name));
                }
            }
        }
        if relating {
            // While drawing a relation, a label key must not relabel its first span.
            return;
        }
        let hotkeys: Vec<(Key, String)> = self
            .editor
            .project
            .labels
            .iter()
            .filter_map(|l| Some((hotkey_key(l.hotkey?)?, l.name.clone())))
            .collect();
        for (key, name) in hotkeys {
            if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key)) {
                // While the find bar shows hits, a label key tags all of them.
                self.queue(if self.find.open && !self.find.hits.is_empty() {
                    Command::TagAllFound(name)
                } else {
                    Command::ApplyLabel(name)
                });
            }
        }
    }

    fn handle_close_request(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) {
            self.commit_note_draft();
            self.commit_relation_note_draft();
            self.commit_attribute_draft();
            // The window's size and place as it closes (also when the close is cancelled).
            self.remember_window(ctx);
            self.save_preferences();
        }
        if ctx.input(|i| i.viewport().close_requested())
            && !self.allow_close
            && self.editor.is_dirty()
        {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
            self.dialog = Some(Dialog::UnsavedChanges(super::state::AfterConfirm::Quit));
        }
    }

    /// Files dropped on the window: a project opens, text files become a new project.
    fn take_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .collect()
        });
        if dropped.is_empty() {
            return;
        }
        let has_ext = |p: &PathBuf, ext: &str| {
            p.extension()
                .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(ext))
        };
        let texts: Vec<PathBuf> = dropped
            .iter()
            .filter(|p| has_ext(p, "txt"))
            .cloned()
            .collect();
        if let Some(project) = dropped.iter().find(|p| has_ext(p, "json")) {
            self.queue(Command::OpenPath(project.clone()));
        } else if !texts.is_empty() {
            self.queue(Command::NewFromTextFiles(texts));
        } else {
            self.status = Some(format!(
                "Cannot open {}: drop a project (.json) or text files (.txt)",
                dropped[0].display()
            ));
        }
    }

    pub(super) fn refresh_derived(&mut self) {
        self.derived.refresh(
            &self.editor,
            &derived::Inputs {
                generation: self.session.generation,
                doc: self.doc,
                review: &self.review,
                show_rejected: self.text_view.show_rejected,
                span_filter: &self.panel.span_filter,
                compare: self.compare.as_ref(),
                selected_span: self.selected_span,
            },
        );
        self.derived.documents.refresh(
            &self.editor,
            self.session.generation,
            &self.navigator.name_filter,
            self.navigator.status_filter,
        );
    }

    fn central_panel(&mut self, ui: &mut egui::Ui) {
        let doc_index = self.doc;
        let keyboard = !self.modal_open();
        let Some(doc) = self.editor.project.documents.get(doc_index) else {
            ui.centered_and_justified(|ui| {
                ui.label("No document. File › New from text… creates a project from .txt files.");
            });
            return;
        };
        // The overview strip to the right of the text's scroll bar.
        let (text_rect, strip) = super::overview::split(ui.max_rect());
        let in_view = self.text_view.in_view();
        self.derived
            .overview
            .show(ui, strip, in_view, &self.commands);
        self.text_view.relations.refresh(
            &self.editor.project,
            doc_index,
            (
                self.session.generation,
                self.editor.history.state(),
                doc_index,
            ),
        );
        self.text_view.relations.selected = self.selected_relation;
        self.text_view.relations.focus = self.selected_span;
        self.text_view.relations.draft = self.relation_draft.as_ref().map(|d| (d.from(), d.to()));
        let text_view = &mut self.text_view;
        let selection = &mut self.selection;
        let selected_span = self.selected_span;
        let labels = &self.editor.project.labels;
        let action = ui
            .scope_builder(egui::UiBuilder::new().max_rect(text_rect), |ui| {
                text_view.show(
                    ui,
                    doc_index,
                    doc,
                    labels,
                    selection,
                    selected_span,
                    keyboard,
                )
            })
            .inner;
        match action {
            // While drawing a relation, a click on a span ends it there.
            Some(TextViewAction::SelectSpan(id)) if self.relation_draft.is_some() => {
                self.queue(Command::RelationEnd(id));
            }
            Some(TextViewAction::SelectSpan(id)) => self.select_span(id, false),
            Some(TextViewAction::SelectRelation(id)) => self.queue(Command::SelectRelation(id)),
            Some(TextViewAction::Deselect) if self.relation_draft.is_some() => {}
            Some(TextViewAction::Deselect) => {
                self.selected_span = None;
                self.selected_relation = None;
            }
            None => {}
        }
    }
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
        self.take_dropped_files(&ctx);
        self.keep_keys_on_text(&ctx);
        self.collect_shortcuts(&ctx);
        self.refresh_derived();
        self.refresh_find();
        self.derived.overview.refresh_hits(
            &self.find.searched,
            self.doc,
            self.find.open,
            &self.text_view.find_hits,
        );
        if self.refresh_other_occurrences() {
            ctx.request_repaint();
        }
        if self.show_statistics {
            self.derived.stats(&self.editor, self.session.generation);
        }

        let sender = self.commands.clone();
        let shown = Shown {
            project: &self.editor.project,
            history: &self.editor.history,
            doc: self.doc,
            selected_span: self.selected_span,
            review: &self.review,
            show_rejected: self.text_view.show_rejected,
            annotator: self.prefs.annotator.as_deref(),
            compare: self.compare.as_ref(),
            derived: &self.derived,
            autosaving: self.session.autosaver.writing(),
            other_occurrences: self.other_occurrences.as_ref(),
            occurrences_as_suggestions: self.prefs.occurrences_as_suggestions,
            selected_relation: self.selected_relation,
        };
        egui::Panel::top("spantag_menu").show(ui, |ui| {
            panels::menu::bar(ui, &shown, &self.prefs, self.show_statistics, &sender)
        });
        if let Some((what, control)) = &self.assist_job {
            let progress = control.progress();
            egui::Panel::bottom("spantag_job")
                .show(ui, |ui| panels::menu::job_bar(ui, what, progress, &sender));
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        egui::Panel::bottom("spantag_status").show(ui, |ui| {
            panels::menu::status_bar(ui, &shown, &self.selection, self.status.as_deref())
        });
        let panel = egui::Panel::right("spantag_panel")
            .default_size(self.prefs.layout.panel_width.unwrap_or(PANEL_WIDTH))
            .size_range(240.0..=640.0)
            .show(ui, |ui| panels::show(ui, &shown, &mut self.panel, &sender));
        let panel_width = panel.response.rect.width();
        let mut navigator_open = self.prefs.show_navigator;
        let navigator = egui::Panel::left("spantag_navigator")
            .resizable(true)
            .default_size(self.prefs.layout.navigator_width.unwrap_or(NAVIGATOR_WIDTH))
            .size_range(160.0..=480.0)
            .show_collapsible(ui, &mut navigator_open, |ui| {
                panels::navigator::show(ui, &shown, &mut self.navigator, &sender)
            });
        // Its width only while it is open all the way (not in the frames of its animation).
        let navigator_width = navigator
            .filter(|_| navigator_open && self.prefs.show_navigator)
            .map(|n| n.response.rect.width());
        if navigator_open != self.prefs.show_navigator {
            // Dragged shut (or open) by its edge: as the View menu's toggle does.
            sender.send(Command::ToggleNavigator);
        }
        if self.find.open {
            egui::Panel::top("spantag_find").show(ui, |ui| {
                panels::menu::find_bar(ui, &mut self.find, &self.editor.project.labels, &sender)
            });
        }
        dialogs::show(
            &ctx,
            &shown,
            dialogs::Open {
                dialog: self.dialog.as_ref(),
                path: self.path.as_deref(),
                export_form: &mut self.export_form,
                palette: &mut self.modals.palette,
                cheat_sheet: self.modals.cheat_sheet,
                file_picker: &mut self.modals.file_picker,
                goto: &mut self.modals.goto,
            },
            &sender,
        );
        if let Some(draft) = &mut self.relation_draft {
            // Under the second span, so the arcs above it stay in sight.
            let at = draft
                .to()
                .and_then(|to| shown.current_doc()?.spans.get(to))
                .and_then(|span| self.text_view.char_screen_rect(span.start))
                .map(|r| r.left_bottom() + egui::vec2(0.0, 12.0));
            panels::type_chooser(&ctx, &shown, draft, at, &sender);
        }
        if self.show_statistics
            && let Some(stats) = self.derived.cached_stats()
        {
            panels::stats::window(
                &ctx,
                &self.editor.project,
                stats,
                self.tagger_report.as_ref(),
                &sender,
            );
        }
        egui::CentralPanel::default_margins()
            .frame(egui::Frame::central_panel(ui.style()).inner_margin(0.0))
            .show(ui, |ui| self.central_panel(ui));
        if self.focus_text {
            ctx.memory_mut(|m| m.request_focus(self.text_view.id));
            self.focus_text = false;
        }

        for command in self.received.drain() {
            self.run_command(&ctx, command);
        }
        self.remember_layout(&ctx, panel_width, navigator_width);
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
