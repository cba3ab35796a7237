//! The annotator window: menus, the text view, the annotation panel, dialogs.
//!
//! Input becomes [`Command`]s during the frame; they run once at the end, and every change to
//! the project goes through [`Editor::execute`] so undo, the dirty flag and (later) autosave see
//! it.

use std::path::{Path, PathBuf};

use eframe::egui::{self, Key, Modifiers, ViewportCommand};

use super::command::{Command, hotkey_key};
use super::panel::PanelState;
use super::text_view::{TextSelection, TextView, TextViewAction};
use crate::core::text_file::read_text_document;
use crate::core::{Document, Editor, LabelSet, Project, SpanId, Transaction, project_file};

/// What to do once the user has answered "save changes?".
#[derive(Clone, Debug, PartialEq)]
pub enum AfterConfirm {
    Quit,
    Open(Option<PathBuf>),
    NewFromText(Option<Vec<PathBuf>>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Dialog {
    Error { title: String, message: String },
    UnsavedChanges(AfterConfirm),
}

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
    /// A one-line message in the status bar (what just happened, or why not).
    pub status: Option<String>,
    pub find: FindState,
    pending: Vec<Command>,
    allow_close: bool,
    title: String,
    focus_text: bool,
    /// Close after this many frames (the test script's smoke test of the real window).
    pub exit_after_frames: Option<u64>,
    frames: u64,
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
            status: None,
            find: FindState::default(),
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
        match project_file::load(path) {
            Ok(project) => Self::new(ctx, project, Some(path.to_owned())),
            Err(error) => {
                let mut app = Self::new(ctx, Project::new(LabelSet::news_default(), vec![]), None);
                app.dialog = Some(Dialog::Error {
                    title: "Cannot open the project".into(),
                    message: error.to_string(),
                });
                app
            }
        }
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
        let description = transaction.description.clone();
        match self.editor.execute(transaction) {
            Ok(()) => true,
            Err(error) => {
                self.status = Some(format!("Cannot {description}: {error}"));
                false
            }
        }
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
        match command {
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
        let Some(doc) = self.current_doc() else {
            return;
        };
        let spans = doc.spans.as_slice();
        if spans.is_empty() {
            return;
        }
        let current = self.selected_span.and_then(|id| doc.spans.position(id));
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
        match project_file::save(&self.editor.project, path) {
            Ok(()) => {
                self.editor.history.mark_saved();
                self.path = Some(path.to_owned());
                self.status = Some(format!("Saved {}", path.display()));
                true
            }
            Err(error) => {
                self.dialog = Some(Dialog::Error {
                    title: "Cannot save".into(),
                    message: format!(
                        "{error}\n\nYour work is still open and unchanged. Use File › Save as… to \
                         save it somewhere else."
                    ),
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
                    self.new_from_text(&paths);
                }
            }
        }
    }

    /// Open the project at `path`, replacing the current one. On failure nothing changes.
    pub fn open_path(&mut self, path: &Path) {
        match project_file::load(path) {
            Ok(project) => {
                self.replace_project(project, Some(path.to_owned()));
                self.status = Some(format!("Opened {}", path.display()));
            }
            Err(error) => {
                self.dialog = Some(Dialog::Error {
                    title: "Cannot open the project".into(),
                    message: error.to_string(),
                });
            }
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

    fn replace_project(&mut self, project: Project, path: Option<PathBuf>) {
        self.editor = Editor::new(project);
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
        if self.dialog.is_some() {
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
        for (key, name) in hotkeys {
            if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key)) {
                self.queue(Command::ApplyLabel(name));
            }
        }
    }

    fn handle_close_request(&mut self, ctx: &egui::Context) {
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
                    Command::Quit,
                ] {
                    self.menu_item(ui, command);
                }
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
                for command in [Command::ZoomIn, Command::ZoomOut] {
                    self.menu_item(ui, command);
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
        let mut close = false;
        let mut then = None;
        let mut save_then = None;
        egui::Modal::new(egui::Id::unique("spantag_dialog")).show(ctx, |ui| {
            ui.set_max_width(520.0);
            match &dialog {
                Dialog::Error { title, message } => {
                    ui.heading(title);
                    ui.add_space(4.0);
                    ui.label(message);
                    ui.add_space(8.0);
                    if ui.button("OK").clicked() || ui.input(|i| i.key_pressed(Key::Enter)) {
                        close = true;
                    }
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
                            save_then = Some(after.clone());
                        }
                        if ui.button("Don't save").clicked() {
                            then = Some(after.clone());
                        }
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            close = true;
                        }
                    });
                }
            }
        });
        if close {
            self.dialog = None;
        }
        if let Some(after) = save_then {
            self.dialog = None;
            if self.save() {
                self.proceed(ctx, after);
            }
        }
        if let Some(after) = then {
            self.dialog = None;
            self.proceed(ctx, after);
        }
    }
}

fn shortcut_text(ui: &egui::Ui, command: &Command) -> String {
    command
        .shortcut()
        .map(|s| ui.ctx().format_shortcut(&s))
        .unwrap_or_default()
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
                let keyboard = self.dialog.is_none();
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
        for command in std::mem::take(&mut self.pending) {
            self.run_command(&ctx, command);
        }

        self.frames += 1;
        if let Some(limit) = self.exit_after_frames {
            if self.frames >= limit {
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
