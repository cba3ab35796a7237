//! The one place that applies [`Command`]s: it takes `&mut` of the app's state, and every change
//! to the project goes from here through [`crate::core::Editor::execute`]. Files (open, save,
//! recovery) are in `files.rs`, import and export in `exchange.rs`, compare in `compare.rs`.

use eframe::egui::{self, ViewportCommand};

use super::app::{DocView, SpantagApp};
use super::command::{Command, FilePurpose};
use super::command_table;
use super::dialogs::Palette;
use super::preferences::Theme;
use super::state::AfterConfirm;
use super::text_view::TextSelection;
use crate::core::{Document, Edit, Label, Span, SpanId, SpanStatus, Transaction};

impl SpantagApp {
    pub fn run_command(&mut self, ctx: &egui::Context, command: Command) {
        if matches!(
            command,
            Command::Save | Command::SaveAs | Command::Open | Command::NewFromText | Command::Quit
        ) {
            self.commit_note_draft();
            self.commit_relation_note_draft();
            self.commit_attribute_draft();
        }
        match command {
            Command::Undo | Command::Redo if self.read_only => {
                self.status = Some("The project is open read-only".into());
            }
            Command::Undo | Command::Redo
                if self.panel.label_form.is_some()
                    || self.panel.note_draft.is_some()
                    || self.panel.relation_note_draft.is_some()
                    || self.panel.attributes.holds_copies() =>
            {
                // Forms hold copies of what undo is about to change: close them first.
                self.panel.label_form = None;
                self.panel.note_draft = None;
                self.panel.relation_note_draft = None;
                self.panel.attributes.close();
                self.run_command(ctx, command);
                return;
            }
            Command::Undo => match self.editor.undo() {
                Ok(Some(t)) => {
                    self.reveal(&t);
                    self.status = Some(format!("Undid {}", t.description));
                }
                Ok(None) => self.status = Some("Nothing to undo".into()),
                Err(e) => self.status = Some(format!("Cannot undo: {e}")),
            },
            Command::Redo => match self.editor.redo() {
                Ok(Some(t)) => {
                    self.reveal(&t);
                    self.status = Some(format!("Redid {}", t.description));
                }
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
            Command::BulkReview(review) => self.confirm_bulk(review),
            Command::PreAnnotate => self.pick_file(FilePurpose::PreAnnotate),
            Command::PreAnnotated(result, planned_at) => self.pre_annotated(result, planned_at),
            Command::TrainAndSuggest => self.start_training(),
            Command::Trained(result) => self.trained(result),
            Command::CancelJob => {
                // A job cancelled before it started never reports: forget it now.
                if let Some((_, control)) = self.assist_job.take() {
                    control.cancel();
                    self.status = Some("Cancelled".into());
                }
            }
            Command::DeleteSpan => self.delete_span(),
            Command::DeleteSelected if self.selected_relation.is_some() => {
                self.delete_relation(None);
            }
            Command::DeleteSelected => self.delete_span(),
            Command::SelectSpan(id) => self.select_span(id, true),
            Command::NextSpan | Command::PreviousSpan if self.relation_draft.is_some() => {
                self.step_relation_end(command == Command::NextSpan);
            }
            Command::NextSpan => self.step_span(true),
            Command::PreviousSpan => self.step_span(false),
            Command::StartRelation => self.start_relation(),
            Command::RelationEnd(id) => self.relation_end(id),
            Command::PickRelation => self.pick_relation(),
            Command::UseRelationType(name) => self.use_relation_type(&name),
            Command::RetypeRelation { id, kind } => self.retype_relation(id, &kind),
            Command::SetRelationStatus { id, status } => self.set_relation_status(id, status),
            Command::SelectRelation(id) => {
                if self
                    .current_doc()
                    .is_some_and(|d| d.relations.get(id).is_some())
                {
                    self.selected_relation = Some(id);
                    self.relation_draft = None;
                }
            }
            Command::DeleteRelation(id) => self.delete_relation(id),
            Command::AddRelationType(t) => self.add_relation_type(t),
            Command::DeleteRelationType(index) => self.delete_relation_type(index),
            Command::EditRelationType(name, t) => self.edit_relation_type(&name, t),
            Command::SelectDocument(i) => self.show_document(i),
            Command::NextDocument => self.step_document(true),
            Command::PreviousDocument => self.step_document(false),
            Command::MarkDoneAndNext => self.mark_done_and_next(),
            Command::SetDone { doc, done } => {
                let t = self.editor.project.mark_done(&[doc], done);
                self.execute(t);
            }
            Command::ClearSelection if self.relation_draft.is_some() => {
                self.relation_draft = None;
                self.status = Some("Relation cancelled".into());
            }
            Command::ClearSelection if self.selected_relation.is_some() => {
                self.selected_relation = None;
            }
            Command::ClearSelection => {
                self.selection = TextSelection::caret(self.selection.caret);
                self.selected_span = None;
            }
            Command::MoveCaret { motion, extend } => self.move_caret(ctx, motion, extend),
            Command::GoTo => self.open_goto(),
            Command::GoToInput(input) => self.go_to(&input),
            Command::JumpTo(offset) => self.jump_to(offset),
            Command::Find => {
                self.find.open = true;
                self.find.focus = true;
            }
            Command::FindNext => self.step_find(true),
            Command::FindPrevious => self.step_find(false),
            Command::TagAllFound(label) => self.tag_all_hits(&label),
            Command::TagOtherOccurrences => self.tag_other_occurrences(),
            Command::SetOccurrencesAsSuggestions(on) => {
                self.prefs.occurrences_as_suggestions = on;
                self.save_preferences();
            }
            Command::CloseFind => {
                self.find.open = false;
                self.refresh_find();
                self.focus_text = true;
            }
            Command::SetNote { span, note } => self.set_note(span, note),
            Command::SetRelationNote { id, note } => self.set_relation_note(id, note),
            Command::SaveLabel { index, label } => self.save_label(index, label),
            Command::DeleteLabel(index) => self.delete_label(index),
            Command::SetAttribute { span, name, value } => self.set_attribute(span, &name, value),
            Command::SaveAttribute { index, attribute } => self.save_attribute(index, attribute),
            Command::DeleteAttribute(index) => self.delete_attribute(index),
            Command::SetReviewFilter(filter) => {
                let on = self.review.on;
                self.review = filter;
                self.review.on = on;
                self.save_preferences();
            }
            Command::SetShowRejected(show) => {
                self.text_view.show_rejected = show;
                self.save_preferences();
            }
            Command::SetAnnotator(name) => self.set_annotator(&name),
            Command::ZoomIn => {
                self.text_view.font_size = (self.text_view.font_size + 2.0).min(48.0);
                self.save_preferences();
            }
            Command::ZoomOut => {
                self.text_view.font_size = (self.text_view.font_size - 2.0).max(10.0);
                self.save_preferences();
            }
            Command::ToggleStatistics => {
                self.show_statistics = !self.show_statistics;
                self.save_preferences();
            }
            Command::ToggleNavigator => {
                self.prefs.show_navigator = !self.prefs.show_navigator;
                self.save_preferences();
            }
            Command::ToggleTheme => {
                self.prefs.theme = if ctx.theme() == egui::Theme::Dark {
                    Theme::Light
                } else {
                    Theme::Dark
                };
                self.apply_theme(ctx);
                self.save_preferences();
            }
            Command::CommandPalette => {
                self.modals.palette = match self.modals.palette {
                    Some(_) => None,
                    None => Some(Palette::default()),
                };
                self.modals.cheat_sheet = false;
            }
            Command::CheatSheet => {
                self.modals.cheat_sheet = !self.modals.cheat_sheet;
                self.modals.palette = None;
            }
            Command::CloseModal => {
                self.modals.palette = None;
                self.modals.cheat_sheet = false;
                self.modals.file_picker = None;
                self.modals.goto = None;
                self.modals.after_save = None;
                self.focus_text = true;
            }
            Command::Save => {
                self.save();
            }
            Command::SaveAs => {
                self.save_as();
            }
            Command::Open => self.confirm_then(ctx, AfterConfirm::Open(None)),
            Command::OpenPath(path) => self.confirm_then(ctx, AfterConfirm::Open(Some(path))),
            Command::NewFromText => self.confirm_then(ctx, AfterConfirm::NewFromText(None)),
            Command::NewFromTextFiles(paths) => {
                self.confirm_then(ctx, AfterConfirm::NewFromText(Some(paths)))
            }
            Command::CompareAnnotators => self.confirm_then(ctx, AfterConfirm::Compare),
            Command::StartExport(format) => self.start_export(format),
            Command::Export(form) => {
                self.export_form = None;
                self.pick_file(FilePurpose::Export(form));
            }
            Command::CloseExportForm => self.export_form = None,
            Command::Import(format) => self.confirm_then(ctx, AfterConfirm::Import(format)),
            Command::FilesChosen { purpose, paths } => self.files_chosen(purpose, paths),
            Command::Decide { unit, annotators } => self.decide(unit, &annotators),
            Command::TakeAllAgreements => self.take_all_agreements(),
            Command::SelectUnit { unit, start } => self.select_unit(unit, start),
            Command::SetShowAgreements(show) => {
                if let Some(session) = &mut self.compare {
                    session.show_agreements = show;
                }
            }
            Command::CloseCompare => {
                self.compare = None;
                self.refresh_overlay();
                self.status = Some("Compare closed; the gold project stays open (unsaved)".into());
            }
            Command::ResolveConflict(resolution) => self.resolve_conflict(resolution),
            Command::NextConflict => self.step_conflict(),
            Command::SelectConflict { doc, span } => self.select_conflict(doc, span),
            Command::Answer(answer) => self.answer(ctx, answer),
            Command::AutosaveFinished(result) => {
                if let Err(message) = result {
                    self.status = Some(format!("Autosave failed: {message}"));
                }
            }
            Command::Quit => ctx.send_viewport_cmd(ViewportCommand::Close),
        }
        self.selected_span_still_exists();
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
            Ok(applied) => {
                // Relations that went with removed spans are said, whatever removed them.
                if let Some(deleted) = deleted_with_relations(&applied) {
                    self.status = Some(format!("{description}: {deleted}"));
                }
                true
            }
            Err(error) => {
                self.status = Some(format!("Cannot {description}: {error}"));
                false
            }
        }
    }

    /// Put the user's name on every span the transaction creates or changes.
    fn stamp_annotator(&self, mut transaction: Transaction) -> Transaction {
        let Some(name) = &self.prefs.annotator else {
            return transaction;
        };
        for edit in &mut transaction.edits {
            match edit {
                Edit::AddSpan { span, .. } | Edit::ChangeSpan { after: span, .. } => {
                    span.annotator = Some(name.as_str().into());
                }
                Edit::AddRelation { relation, .. }
                | Edit::ChangeRelation {
                    after: relation, ..
                } => {
                    relation.annotator = Some(name.clone());
                }
                _ => {}
            }
        }
        transaction
    }

    /// Delete the selected span and, in the same undo step, its relations; the status bar
    /// says how many of each went.
    fn delete_span(&mut self) {
        let Some(id) = self.selected_span else {
            self.status = Some("Select a span to delete it".into());
            return;
        };
        let t = self.editor.project.remove_spans(self.doc, &[id]);
        let relations = t
            .edits
            .iter()
            .filter(|e| matches!(e, Edit::RemoveRelation { .. }))
            .count();
        if self.execute(t) {
            self.selected_span = None;
            let mut said = deleted(1, relations);
            said[..1].make_ascii_uppercase();
            self.status = Some(said);
        }
    }

    /// Apply the note being typed, if it differs from the span's note.
    pub fn commit_note_draft(&mut self) {
        let Some((id, text)) = self.panel.note_draft.take() else {
            return;
        };
        let note = text.trim().to_owned();
        self.set_note(id, (!note.is_empty()).then_some(note));
    }

    fn set_note(&mut self, id: SpanId, note: Option<String>) {
        if self
            .panel
            .note_draft
            .as_ref()
            .is_some_and(|(d, _)| *d == id)
        {
            self.panel.note_draft = None;
        }
        let Some(mut span) = self.current_doc().and_then(|d| d.spans.get(id)).cloned() else {
            return;
        };
        let note = note.map(crate::core::span::SpanNote::from);
        if note != span.note {
            span.note = note;
            let t = self.editor.project.change_span("edit note", self.doc, span);
            self.execute(t);
        }
    }

    /// Set the annotator name and remember it.
    pub fn set_annotator(&mut self, name: &str) {
        let name = name.trim();
        self.prefs.annotator = (!name.is_empty()).then(|| name.to_owned());
        self.panel.annotator_draft = None;
        self.save_preferences();
    }

    /// Add or change a label from the label form; the form stays open with the reason when the
    /// label is refused.
    fn save_label(&mut self, index: Option<usize>, label: Label) {
        let project = &self.editor.project;
        let refusal = command_table::shadowed_command(&label)
            .or_else(|| project.labels.conflict(index, &label));
        if let Some(why) = refusal {
            self.panel.label_error = Some(why);
            return;
        }
        let t = match index {
            Some(i) => project.edit_label(i, label),
            None => project.add_label(label),
        };
        // A rename moves others' spans too: not this user's annotation.
        if self.execute_as_is(t) {
            self.panel.label_form = None;
            self.panel.label_error = None;
        }
    }

    fn delete_label(&mut self, index: usize) {
        let project = &self.editor.project;
        let name = project
            .labels
            .at(index)
            .map(|l| l.name.clone())
            .unwrap_or_default();
        let uses = project.label_uses(&name);
        if uses > 0 {
            self.panel.label_error = Some(format!(
                "{name} is used by {uses} spans; delete or relabel them first"
            ));
            return;
        }
        let t = project.remove_label(index);
        if self.execute(t) {
            self.panel.label_form = None;
            self.panel.label_error = None;
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

    fn set_status(&mut self, status: SpanStatus) {
        // A selected relation is what the reviewer looks at: the keys decide it, not its span.
        if let Some(id) = self.selected_relation {
            self.set_relation_status(id, status);
            return;
        }
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
        if let Some(id) = self.selected_relation
            && self
                .current_doc()
                .and_then(|d| d.relations.get(id))
                .is_none()
        {
            self.selected_relation = None;
        }
        // A relation being drawn whose span went (undo) is drawn no further.
        if let Some(draft) = &self.relation_draft {
            let gone = |id| self.current_doc().and_then(|d| d.spans.get(id)).is_none();
            if gone(draft.from()) || draft.to().is_some_and(gone) {
                self.relation_draft = None;
            }
        }
    }

    /// Show document `i` where it was left: the same text at the top, the same caret,
    /// selection and selected span. A document shown for the first time opens at its top with
    /// the caret at its start.
    pub fn show_document(&mut self, i: usize) {
        if i >= self.editor.project.documents.len() || i == self.doc {
            return;
        }
        let left = self.doc_views.get(&self.doc).copied().unwrap_or_default();
        self.doc_views.insert(
            self.doc,
            DocView {
                // Nothing painted yet (switched twice in a frame): where it was before.
                top: self.text_view.top_offset().unwrap_or(left.top),
                selection: self.selection,
                selected_span: self.selected_span,
            },
        );
        self.doc = i;
        // Relations join spans of one document.
        self.relation_draft = None;
        self.selected_relation = None;
        let view = self.doc_views.get(&i).copied().unwrap_or_default();
        self.selection = view.selection;
        self.selected_span = view.selected_span;
        self.text_view.reset();
        self.text_view.scroll_to_top(view.top);
        if let Some(c) = &mut self.compare {
            c.selected_unit = None;
        }
        self.refresh_overlay();
    }

    /// The documents the document keys walk, in project order: the ones the navigator lists
    /// when it is shown (its name and status filter: what the user sees is what the keys
    /// walk), every document when it is hidden.
    fn walked_documents(&mut self) -> Vec<usize> {
        if !self.prefs.show_navigator {
            return (0..self.editor.project.documents.len()).collect();
        }
        // Up to date with an edit made earlier in this frame (a done mark moves a document
        // out of a status filter); a no-op when nothing changed.
        self.derived.documents.refresh(
            &self.editor,
            self.session.generation,
            &self.navigator.name_filter,
            self.navigator.status_filter,
        );
        self.derived.documents.shown.clone()
    }

    /// Open the next (or previous) document among those the navigator lists.
    fn step_document(&mut self, forward: bool) {
        let walked = self.walked_documents();
        // The shown document may be filtered out itself: its neighbours in the list still are
        // the next and previous ones.
        let after = walked.partition_point(|&i| i <= self.doc);
        let before = walked.partition_point(|&i| i < self.doc);
        let next = if forward {
            walked.get(after).copied()
        } else {
            before.checked_sub(1).map(|b| walked[b])
        };
        let filtered = walked.len() < self.editor.project.documents.len();
        match next {
            Some(i) => self.show_document(i),
            None if !self.editor.project.documents.is_empty() => {
                let (which, way) = if forward {
                    ("last", "after")
                } else {
                    ("first", "before")
                };
                self.status = Some(if filtered {
                    format!("No document {way} this one matches the navigator's filter")
                } else {
                    format!("This is the {which} document")
                });
            }
            None => {}
        }
    }

    /// Mark the shown document done (one undo step) and open the next one not done among those
    /// the navigator lists, going round.
    fn mark_done_and_next(&mut self) {
        let doc = self.doc;
        let Some(name) = self.current_doc().map(|d| d.document.name.clone()) else {
            return;
        };
        let t = self.editor.project.mark_done(&[doc], true);
        if !t.is_empty() && !self.execute(t) {
            return;
        }
        let progress = self.editor.project.progress();
        let walked = self.walked_documents();
        let filtered = walked.len() < self.editor.project.documents.len();
        let start = walked.partition_point(|&i| i <= doc);
        let project = &self.editor.project;
        let next = (walked[start..].iter().chain(&walked[..start]))
            .copied()
            .find(|&i| i != doc && !project.is_done(i));
        match next {
            Some(next) => {
                self.show_document(next);
                self.status = Some(format!("{name} done ({progress})"));
            }
            None if filtered => {
                self.status = Some(format!(
                    "{name} done ({progress}): no other document the navigator lists is left \
                     not done"
                ));
            }
            None => {
                self.status = Some(format!(
                    "{name} done: all {} documents are done",
                    progress.total()
                ));
            }
        }
    }

    /// After undo or redo: show the document `applied` changed and select the span it added or
    /// changed (a removal selects nothing, but the text scrolls to where the span was).
    fn reveal(&mut self, applied: &Transaction) {
        let Some((doc, span, kept)) = applied.edits.iter().find_map(|edit| match edit {
            Edit::AddSpan { doc, span } => Some((doc, span, true)),
            Edit::ChangeSpan { doc, after, .. } => Some((doc, after, true)),
            Edit::RemoveSpan { doc, span } => Some((doc, span, false)),
            _ => None,
        }) else {
            // No span changed (a document's done mark): show the document it changed.
            if let Some(doc) = applied
                .first_doc()
                .and_then(|d| self.editor.project.doc_index(d))
            {
                self.show_document(doc);
            }
            return;
        };
        let Some(doc) = self.editor.project.doc_index(doc) else {
            return;
        };
        self.show_document(doc);
        self.selected_span = kept.then_some(span.id);
        self.selection = TextSelection::caret(span.start);
        self.text_view.scroll_to(span.start);
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
            span.label = label.into();
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
        self.selected_relation = None;
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
}

/// "deleted 1 span and 2 relations", when `applied` removed relations together with spans.
pub(super) fn deleted_with_relations(applied: &Transaction) -> Option<String> {
    let count = |f: fn(&Edit) -> bool| applied.edits.iter().filter(|e| f(e)).count();
    let spans = count(|e| matches!(e, Edit::RemoveSpan { .. }));
    let relations = count(|e| matches!(e, Edit::RemoveRelation { .. }));
    (spans > 0 && relations > 0).then(|| deleted(spans, relations))
}

/// "deleted 1 span", "deleted 2 spans and 1 relation".
fn deleted(spans: usize, relations: usize) -> String {
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let mut text = format!("deleted {}", plural(spans, "span"));
    if relations > 0 {
        text.push_str(&format!(" and {}", plural(relations, "relation")));
    }
    text
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
