//! The open project's life: open, save, new, autosave, and the answers to the dialogs about
//! them (recovery files and changed texts are in `recovery.rs`). Part of the dispatcher (it
//! changes the app's state).

use std::path::{Path, PathBuf};
use std::time::Instant;

use eframe::egui::{self, ViewportCommand};

use super::app::SpantagApp;
use super::command::{Answer, FilePurpose};
use super::dialogs::file_picker::{self, FilePicker, NativeOutcome};
use super::panels::PanelState;
use super::state::{AfterConfirm, Dialog, OpenMode};
use super::text_view::TextSelection;
use crate::core::lock::{LockError, LockState, ProjectLock};
use crate::core::project_file::Drift;
use crate::core::recovery;
use crate::core::text_file::read_text_document;
use crate::core::{Document, Editor, LabelSet, Project, project_file};

impl SpantagApp {
    /// Save to the project's file, or ask where when it has none. Returns true when saved.
    pub fn save(&mut self) -> bool {
        match self.path.clone() {
            Some(_) if self.read_only => {
                self.status =
                    Some("Open read-only: use File › Save as… to save a copy elsewhere".into());
                false
            }
            Some(path) => self.save_to(&path),
            None => {
                self.save_as();
                false
            }
        }
    }

    pub(super) fn save_as(&mut self) {
        self.pick_file(FilePurpose::SaveAs);
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
                        if self.session.owns_recovery {
                            self.session.autosaver.remove(recovery::recovery_path(&old));
                        }
                    } else if let Some(untitled) = self.untitled_recovery.clone() {
                        self.session.autosaver.remove(untitled);
                    }
                    self.session.lock = ProjectLock::acquire(path).ok();
                    self.read_only = false;
                    self.remember_recent(path);
                    // What this window autosaves from now on goes next to the new file.
                    self.session.owns_recovery = true;
                }
                // The recovery file is only removed when it is this session's: one the user
                // has not seen stays, to be offered again.
                if self.session.owns_recovery {
                    self.session.autosaver.remove(recovery::recovery_path(path));
                }
                self.session.autosaved_state = None;
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

    fn remember_recent(&mut self, path: &Path) {
        self.prefs.remember_recent(path);
        self.save_preferences();
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

    /// Ask about unsaved changes first, if there are any; then do `then`.
    pub(super) fn confirm_then(&mut self, ctx: &egui::Context, then: AfterConfirm) {
        if self.editor.is_dirty() {
            self.show_dialog(Dialog::UnsavedChanges(then));
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
            AfterConfirm::Open(Some(path)) => self.files_chosen(FilePurpose::Open, vec![path]),
            AfterConfirm::Open(None) => self.pick_file(FilePurpose::Open),
            AfterConfirm::NewFromText(Some(paths)) => {
                self.files_chosen(FilePurpose::NewFromText, paths)
            }
            AfterConfirm::NewFromText(None) => self.pick_file(FilePurpose::NewFromText),
            AfterConfirm::Compare => self.pick_file(FilePurpose::Compare),
            AfterConfirm::Import(format) => self.pick_file(FilePurpose::Import(format)),
        }
    }

    /// Ask for files with the system's dialog or, when there is none, with the in-window one
    /// (saying why in the status bar). The answer arrives in [`Self::files_chosen`].
    pub(super) fn pick_file(&mut self, purpose: FilePurpose) {
        let dir = self
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(Path::to_owned)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        let name = self.suggested_file_name(&purpose);
        if !self.builtin_file_dialog {
            match file_picker::native(&purpose, &dir, &name) {
                NativeOutcome::Chosen(paths) => return self.files_chosen(purpose, paths),
                NativeOutcome::Cancelled => {
                    self.modals.after_save = None;
                    return;
                }
                NativeOutcome::Unavailable(why) => {
                    self.status = Some(format!("{why}: using Spantag's own file dialog"));
                }
            }
        }
        self.modals.file_picker = Some(FilePicker::new(purpose, dir, name));
    }

    /// The file name a save dialog suggests.
    fn suggested_file_name(&self, purpose: &FilePurpose) -> String {
        match purpose {
            FilePurpose::SaveAs => self
                .path
                .as_ref()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "project.json".to_owned()),
            FilePurpose::Export(form) => format!(
                "{}-{}.{}",
                self.project_stem(),
                form.format,
                form.format.extension()
            ),
            _ => String::new(),
        }
    }

    /// What a file dialog was answered with.
    pub(super) fn files_chosen(&mut self, purpose: FilePurpose, paths: Vec<PathBuf>) {
        self.modals.file_picker = None;
        self.focus_text = true;
        let Some(first) = paths.first().cloned() else {
            return;
        };
        let discards = matches!(
            purpose,
            FilePurpose::Open
                | FilePurpose::NewFromText
                | FilePurpose::Compare
                | FilePurpose::Import(_)
        );
        if discards && self.editor.is_dirty() {
            // The user chose not to save: the autosaved copy goes with the changes.
            self.discard_recovery();
        }
        match purpose {
            FilePurpose::Open => self.open_path(&first),
            FilePurpose::SaveAs => {
                if self.save_to(&first)
                    && let Some(then) = self.modals.after_save.take()
                {
                    self.commands_later(then);
                }
            }
            FilePurpose::NewFromText => self.new_from_text(&paths),
            FilePurpose::Compare => self.start_compare(&paths),
            FilePurpose::Import(format) => self.import_from(format, &paths),
            FilePurpose::Export(form) => self.export_chosen(&form, &first),
            FilePurpose::PreAnnotate => self.pre_annotation_chosen(paths),
        }
    }

    /// Do `then` (which waited for a Save as) at the end of this frame.
    fn commands_later(&mut self, then: AfterConfirm) {
        use super::command::Command;
        let command = match then {
            AfterConfirm::Quit => {
                self.allow_close = true;
                Command::Quit
            }
            AfterConfirm::Compare => Command::CompareAnnotators,
            AfterConfirm::Import(format) => Command::Import(format),
            AfterConfirm::Open(Some(path)) => Command::OpenPath(path),
            AfterConfirm::Open(None) => Command::Open,
            AfterConfirm::NewFromText(Some(paths)) => Command::NewFromTextFiles(paths),
            AfterConfirm::NewFromText(None) => Command::NewFromText,
        };
        self.queue(command);
    }

    /// The answer to the dialog showing.
    pub(super) fn answer(&mut self, ctx: &egui::Context, answer: Answer) {
        let Some(dialog) = self.dialog.clone() else {
            return;
        };
        self.close_dialog();
        let after = match &dialog {
            Dialog::UnsavedChanges(after) => Some(after.clone()),
            _ => None,
        };
        match answer {
            Answer::Close => {}
            Answer::SaveThen => {
                if self.path.is_none() {
                    // Saved once the user has said where.
                    self.modals.after_save = after;
                    self.save_as();
                } else if self.save()
                    && let Some(after) = after
                {
                    self.proceed(ctx, after);
                }
            }
            Answer::DontSave => {
                if let Some(after) = after {
                    self.proceed(ctx, after);
                }
            }
            Answer::SaveAs => self.save_as(),
            Answer::ApplyBulk(review) => self.apply_bulk(&review),
            Answer::PreAnnotateWith { paths, label } => self.start_pre_annotation(paths, label),
            Answer::Open(path, mode) => self.open_path_with(&path, mode),
            Answer::Restore(recovery) if recovery::is_untitled(&recovery) => {
                self.restore_untitled(&recovery)
            }
            Answer::Restore(recovery) => self.restore_recovery(&recovery),
            Answer::Discard(recovery) => self.discard_recovery_file(&recovery),
            Answer::CompareRecovery => self.compare_recovery(dialog),
            Answer::Reanchor(report) => {
                let (placed, review) = self.reanchor(&report);
                self.status = Some(format!(
                    "Re-anchored {placed} spans; {review} of them are suggestions to review \
                     (Ctrl+R) (save to write the file; the original is kept as .bak)"
                ));
            }
            Answer::StayReadOnly => {
                self.status = Some("Opened read-only: the text changed under its spans".into());
            }
        }
    }

    /// Open the project at `path`, replacing the current one. On failure nothing changes.
    pub fn open_path(&mut self, path: &Path) {
        self.open_path_with(path, OpenMode::Normal);
    }

    pub fn open_path_with(&mut self, path: &Path, mode: OpenMode) {
        self.open_path_from(path, mode, None);
    }

    /// [`Self::open_path_with`], with the file as `preloaded` already read it (start-up reads
    /// the project on a thread of its own while the window is being made) or read here.
    pub fn open_path_from(
        &mut self,
        path: &Path,
        mode: OpenMode,
        preloaded: Option<Result<project_file::Loaded, project_file::ProjectFileError>>,
    ) {
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
        let loaded = preloaded.unwrap_or_else(|| project_file::load_with(path, Drift::Allow));
        let loaded = match loaded {
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
        self.remember_recent(path);
        self.read_only = mode == OpenMode::ReadOnly;
        self.session.read_only_by_choice = self.read_only;
        self.status = Some(format!("Opened {}", path.display()));
        let mut lost_the_race = false;
        if !self.read_only {
            match mode {
                OpenMode::Anyway => self.session.lock = ProjectLock::take_over(path).ok(),
                _ => match ProjectLock::acquire(path) {
                    Ok(lock) => self.session.lock = Some(lock),
                    Err(LockError::Held { holder, .. }) => {
                        // Another Spantag took it between the check above and now.
                        lost_the_race = true;
                        self.read_only = true;
                        self.session.read_only_by_choice = true;
                        self.show_dialog(Dialog::Locked {
                            path: path.to_owned(),
                            holder: *holder,
                        });
                    }
                    // No lock can be written there (a read-only folder): open without one.
                    Err(LockError::Io { .. }) => self.session.lock = None,
                },
            }
            if let LockState::Stale(old) = lock_state
                && !lost_the_race
            {
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
        self.offer_recovery(path, mode, lost_the_race);
    }

    /// A new, unsaved project with one document per text file.
    pub fn new_from_text(&mut self, paths: &[PathBuf]) {
        let mut documents: Vec<Document> = Vec::new();
        for path in paths {
            match read_text_document(path, &documents) {
                Ok(d) => documents.push(d),
                Err(error) => {
                    self.show_dialog(Dialog::Error {
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
        self.session.lock = None;
        self.read_only = false;
        self.session.read_only_by_choice = false;
        self.session.autosaved_state = None;
        self.session.owns_recovery = false;
        self.session.generation += 1;
        self.editor = Editor::new(project);
        self.compare = None;
        self.text_view.overlay = None;
        self.path = path;
        self.doc = 0;
        self.doc_views.clear();
        self.selection = TextSelection::default();
        self.selected_span = None;
        self.text_view.reset();
        // The text's scroll area outlives the project: a new one starts at its top.
        self.text_view.scroll_to_top(0);
        self.panel = PanelState::default();
        self.focus_text = true;
    }

    /// Write unsaved work to the recovery file a moment after the last edit, off the UI thread.
    pub(super) fn autosave(&mut self, ctx: &egui::Context) {
        let state = self.editor.history.state();
        if state != self.session.last_change.0 {
            self.session.last_change = (state, Instant::now());
        }
        let target = match &self.path {
            // Never over a recovery file the user has not restored or discarded yet.
            Some(path) if self.session.owns_recovery => recovery::recovery_path(path),
            Some(_) => return,
            None => match &self.untitled_recovery {
                Some(untitled) => untitled.clone(),
                None => return,
            },
        };
        if self.read_only
            || self.allow_close
            || !self.editor.is_dirty()
            || self.session.autosaved_state == Some(state)
        {
            return;
        }
        let since = self.session.last_change.1.elapsed();
        if since < self.autosave_delay {
            ctx.request_repaint_after(self.autosave_delay - since);
            return;
        }
        self.session
            .autosaver
            .write(target, self.editor.project.clone());
        self.session.autosaved_state = Some(state);
        self.session.owns_recovery = true;
    }
}

/// True when the two paths name the same file (also when spelled differently).
pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
