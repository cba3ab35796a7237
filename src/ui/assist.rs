//! Assisted annotation in the window, part of the dispatcher: the find bar's work (searching
//! plain text or a regex in this document or the project, stepping through the hits across
//! documents, "tag all"), "also tag the other occurrences" of the selected span, and bulk
//! review. Each change is one transaction through the one door, so one undo step. The bar and
//! the offer are drawn by `panels/menu.rs` and `panels/assist.rs`; the matching is
//! [`crate::core::assist`].

use std::path::{Path, PathBuf};

use super::app::SpantagApp;
use super::command::Command;
use super::state::{
    BulkReview, BulkScope, Dialog, FindKey, OtherOccurrences, PendingOccurrences, Trained,
};
use super::text_view::TextSelection;
use crate::core::Project;
use crate::core::assist::{self, OccurrenceCount, Query, Scope, Sources, TagOptions};
use crate::core::tagger;
use crate::core::{Edit, Span, SpanStatus, Transaction};

impl SpantagApp {
    /// What the find bar's query and options mean now, or `None` when there is nothing to look
    /// for.
    fn find_key(&self) -> Option<FindKey> {
        if !self.find.open || self.find.query.is_empty() {
            return None;
        }
        let scope = if self.find.whole_project {
            Scope::Project
        } else {
            Scope::Document(self.editor.project.doc_id(self.doc)?)
        };
        Some(FindKey {
            query: Query {
                pattern: self.find.query.clone(),
                regex: self.find.regex,
                case_sensitive: self.find.case_sensitive,
            },
            scope,
            generation: self.session.generation,
            history: self.editor.history.state(),
        })
    }

    /// Search again when the query, the options, the document or the project changed; then
    /// hand the shown document's hits to the text view to highlight. Called once per frame.
    pub(super) fn refresh_find(&mut self) {
        let key = self.find_key();
        if key != self.find.searched {
            self.find.hits.clear();
            self.find.current = None;
            self.find.message = None;
            if let Some(key) = &key {
                match assist::find(&self.editor.project, &key.query, &key.scope) {
                    Ok(hits) => {
                        if hits.is_empty() {
                            self.find.message = Some("not found".into());
                        }
                        self.find.hits = hits;
                    }
                    Err(e) => self.find.message = Some(e.to_string()),
                }
            }
            self.find.searched = key;
        }
        let doc_id = self.editor.project.doc_id(self.doc);
        let hits = &self.find.hits;
        let shown = match &doc_id {
            // Hits are in document order: this document's are one run.
            Some(id) if self.find.open => hits.iter().position(|h| h.doc == *id).map(|from| {
                let to = from + hits[from..].iter().take_while(|h| h.doc == *id).count();
                from..to
            }),
            _ => None,
        };
        let shown = shown.unwrap_or(0..0);
        let view = &mut self.text_view;
        view.find_hits.clear();
        view.find_hits
            .extend(hits[shown.clone()].iter().map(|h| (h.start, h.end)));
        view.find_current = self
            .find
            .current
            .filter(|i| shown.contains(i))
            .map(|i| (hits[i].start, hits[i].end));
    }

    /// Select the next (or previous) hit after the caret, switching documents as needed and
    /// wrapping around at the end.
    pub fn step_find(&mut self, forward: bool) {
        self.refresh_find();
        let n = self.find.hits.len();
        if n == 0 {
            if self.find.message.is_none() {
                self.find.message = Some("type something to find".into());
            }
            return;
        }
        let next = match self.find.current {
            Some(i) if forward => (i + 1) % n,
            Some(i) => (i + n - 1) % n,
            None => {
                // The first hit at or after the caret, in (document, offset) order.
                let here = (self.doc, self.selection.range().0);
                let project = &self.editor.project;
                let at = |i: usize| {
                    let h = &self.find.hits[i];
                    (project.doc_index(&h.doc).unwrap_or(0), h.start)
                };
                let after = (0..n).find(|&i| at(i) >= here);
                if forward {
                    after.unwrap_or(0)
                } else {
                    after.map_or(n - 1, |i| (i + n - 1) % n)
                }
            }
        };
        let hit = self.find.hits[next].clone();
        let Some(doc) = self.editor.project.doc_index(&hit.doc) else {
            return;
        };
        self.show_document(doc);
        self.selection = TextSelection {
            anchor: hit.start,
            caret: hit.end,
        };
        self.selected_span = None;
        self.text_view.scroll_to(hit.start);
        self.find.current = Some(next);
        self.refresh_find();
    }

    /// Tag every hit not already covered by a span of `label`, as accepted spans: one undo step.
    pub fn tag_all_hits(&mut self, label: &str) {
        self.refresh_find();
        if self.find.hits.is_empty() {
            self.status = Some("Nothing found to tag".into());
            return;
        }
        let options = TagOptions {
            status: SpanStatus::Accepted,
            annotator: None,
        };
        let plan = assist::tag_hits(&self.editor.project, &self.find.hits, label, &options);
        let (added, skipped) = (plan.added(), plan.skipped());
        if added == 0 {
            self.status = Some(format!(
                "Tagged none as {label}: all {skipped} found are already {label} or rejected as {label}"
            ));
            return;
        }
        if self.execute(plan.transaction) {
            self.find.tag_label = Some(label.to_owned());
            self.status = Some(format!(
                "Tagged {added} as {label}, skipped {skipped} already {label} or rejected as {label} \
                 (one undo step)"
            ));
        }
    }
}

/// Hits of the selected span's text decided per frame for the "also tag N" offer: each is a
/// span query, and a two-character name of a novel has thousands of them, so the count is
/// spread over frames instead of making the frame after an edit grow with the hits.
pub(super) const OCCURRENCE_HITS_PER_FRAME: usize = 128;

impl SpantagApp {
    /// The options "also tag" uses: accepted spans, or suggestions (the preference).
    fn occurrence_options(&self) -> TagOptions {
        TagOptions {
            status: if self.prefs.occurrences_as_suggestions {
                SpanStatus::Suggested
            } else {
                SpanStatus::Accepted
            },
            annotator: None,
        }
    }

    /// Count the selected span's other occurrences when the selection or the project changed,
    /// [`OCCURRENCE_HITS_PER_FRAME`] hits a frame; true while a count is under way (the caller
    /// asks for another frame).
    pub(super) fn refresh_other_occurrences(&mut self) -> bool {
        let Some(id) = self.selected_span else {
            self.other_occurrences = None;
            self.occurrence_count = None;
            return false;
        };
        let counted_at = (self.session.generation, self.editor.history.state());
        if self
            .other_occurrences
            .as_ref()
            .is_some_and(|o| o.span == id && o.counted_at == counted_at)
        {
            return false;
        }
        let project = &self.editor.project;
        let under_way = self
            .occurrence_count
            .as_ref()
            .is_some_and(|c| c.span == id && c.counted_at == counted_at);
        if !under_way {
            self.other_occurrences = None;
            let Some((index, span)) = project.find_span(id) else {
                self.occurrence_count = None;
                return false;
            };
            let text = project.documents[index]
                .document
                .slice(span.start, span.end)
                .to_owned();
            let label = span.label.to_string();
            let steps = match OccurrenceCount::start(project, id, &Scope::Project) {
                Ok(Some(steps)) => steps,
                // Nothing to offer (a find that cannot run offers nothing, as before).
                Ok(None) | Err(_) => {
                    self.occurrence_count = None;
                    self.other_occurrences = Some(OtherOccurrences {
                        span: id,
                        text,
                        label,
                        count: 0,
                        counted_at,
                    });
                    return false;
                }
            };
            self.occurrence_count = Some(PendingOccurrences {
                span: id,
                text,
                label,
                counted_at,
                steps,
            });
        }
        let Some(pending) = self.occurrence_count.as_mut() else {
            return false;
        };
        let Some(count) = pending.steps.step(project, OCCURRENCE_HITS_PER_FRAME) else {
            return true;
        };
        let PendingOccurrences {
            span, text, label, ..
        } = self.occurrence_count.take().expect("counted above");
        self.other_occurrences = Some(OtherOccurrences {
            span,
            text,
            label,
            count,
            counted_at,
        });
        false
    }

    /// Tag the selected span's other occurrences in the project with its label: one undo step.
    pub fn tag_other_occurrences(&mut self) {
        let Some(id) = self.selected_span else {
            self.status = Some("Select a span first: its other occurrences get its label".into());
            return;
        };
        let options = self.occurrence_options();
        let plan = match assist::tag_other_occurrences(
            &self.editor.project,
            id,
            &Scope::Project,
            &options,
        ) {
            Ok(plan) => plan,
            Err(e) => {
                self.status = Some(format!("Cannot tag the other occurrences: {e}"));
                return;
            }
        };
        let added = plan.added();
        if added == 0 {
            self.status = Some("No other occurrences to tag".into());
            return;
        }
        let how = if options.status == SpanStatus::Suggested {
            " as suggestions"
        } else {
            ""
        };
        let description = plan.transaction.description.clone();
        if self.execute(plan.transaction) {
            self.status = Some(format!(
                "{}: {added} added{how} (one undo step)",
                capitalised(&description)
            ));
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl SpantagApp {
    /// The suggestions `scope` names, by document index, and what they are in words; an error
    /// message when the scope needs a selected span and there is none.
    fn bulk_targets(&self, scope: &BulkScope) -> Result<(Vec<(usize, Span)>, String), String> {
        let project = &self.editor.project;
        let selected = self
            .selected_span
            .and_then(|id| project.documents.get(self.doc)?.spans.get(id));
        let needs_span = "Select a span first (N / P): its label (and text) say which suggestions";
        let suggested = |i: usize| {
            project.documents[i]
                .spans
                .iter()
                .filter(|s| s.status == SpanStatus::Suggested)
                .map(move |s| (i, s.clone()))
        };
        Ok(match scope {
            BulkScope::SameTextAndLabel => {
                let span = selected.ok_or(needs_span)?;
                let text = project.documents[self.doc]
                    .document
                    .slice(span.start, span.end);
                let targets = (0..project.documents.len())
                    .flat_map(suggested)
                    .filter(|(i, s)| {
                        s.label == span.label
                            && project.documents[*i].document.slice(s.start, s.end) == text
                    })
                    .collect::<Vec<_>>();
                let what = format!(
                    "the {} suggestions of {text} as {} in all documents",
                    targets.len(),
                    span.label
                );
                (targets, what)
            }
            BulkScope::SameLabel => {
                let span = selected.ok_or(needs_span)?;
                let targets = suggested(self.doc)
                    .filter(|(_, s)| s.label == span.label)
                    .collect::<Vec<_>>();
                let what = format!(
                    "the {} {} suggestions in this document",
                    targets.len(),
                    span.label
                );
                (targets, what)
            }
            BulkScope::Document => {
                let targets = suggested(self.doc).collect::<Vec<_>>();
                let what = format!("all {} suggestions in this document", targets.len());
                (targets, what)
            }
        })
    }

    /// Count what a bulk review would decide and ask first.
    pub fn confirm_bulk(&mut self, review: BulkReview) {
        match self.bulk_targets(&review.scope) {
            Err(message) => self.status = Some(message),
            Ok((targets, _)) if targets.is_empty() => {
                self.status = Some("No suggestions to decide there".into());
            }
            Ok((targets, what)) => self.show_dialog(Dialog::ConfirmBulk {
                review,
                what,
                count: targets.len(),
            }),
        }
    }

    /// Accept or reject the suggestions of a bulk review: one undo step.
    pub fn apply_bulk(&mut self, review: &BulkReview) {
        let Ok((targets, _)) = self.bulk_targets(&review.scope) else {
            return;
        };
        let status = if review.accept {
            SpanStatus::Accepted
        } else {
            SpanStatus::Rejected
        };
        let project = &self.editor.project;
        let edits = targets
            .into_iter()
            .map(|(i, before)| {
                let mut after = before.clone();
                after.status = status;
                Edit::ChangeSpan {
                    doc: project.documents[i].document.doc_id(),
                    before,
                    after,
                }
            })
            .collect::<Vec<_>>();
        let count = edits.len();
        let verb = if review.accept { "accept" } else { "reject" };
        let transaction = Transaction::new(format!("{verb} {count} suggestions"), edits);
        if self.execute(transaction) {
            self.status = Some(format!(
                "{}ed {count} suggestions (one undo step)",
                capitalised(verb)
            ));
        }
    }
}

/// A rules file (`LABEL<TAB>REGEX` lines) is named `*.rules`; any other file is a gazetteer.
fn is_rules(path: &Path) -> bool {
    has_extension(path, "rules")
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

/// Fit a transaction planned on an older snapshot of `project` (by a background job) to the
/// project as it is now: suggestions that now overlap a span of their label (or whose document
/// is gone) are dropped, and labels that now exist are not added again. Returns how many
/// spans were dropped.
fn drop_stale(project: &Project, transaction: &mut Transaction) -> usize {
    let mut dropped = 0;
    let mut next_label = project.labels.len();
    transaction.edits.retain_mut(|edit| match edit {
        Edit::AddLabel { index, label } => {
            if project.labels.index_of(&label.name).is_some() {
                return false;
            }
            *index = next_label;
            next_label += 1;
            true
        }
        Edit::AddSpan { doc, span } => {
            let overlaps = project.doc_index(doc).is_none_or(|i| {
                project.documents[i]
                    .spans
                    .overlapping(span.start, span.end)
                    .any(|s| s.label == span.label)
            });
            dropped += usize::from(overlaps);
            !overlaps
        }
        _ => true,
    });
    dropped
}

/// Read the files and run [`assist::annotate`] over `project`: the job's work, off the frame.
fn pre_annotate(
    project: &Project,
    paths: &[PathBuf],
    label: Option<&str>,
) -> Result<assist::Plan, String> {
    let mut sources = Sources::default();
    for path in paths {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        if is_rules(path) {
            sources
                .rules
                .add_file(&name, &text)
                .map_err(|e| e.to_string())?;
        } else {
            sources
                .gazetteer
                .add_file(&name, &text, label)
                .map_err(|e| e.to_string())?;
        }
    }
    assist::annotate(project, &sources).map_err(|e| e.to_string())
}

impl SpantagApp {
    /// The files to pre-annotate with were chosen: ask the label of `.txt` lists, if any.
    pub(super) fn pre_annotation_chosen(&mut self, paths: Vec<PathBuf>) {
        let lists = paths
            .iter()
            .any(|p| !is_rules(p) && !has_extension(p, "tsv"));
        if lists {
            self.show_dialog(Dialog::AskListLabel { paths });
        } else {
            self.start_pre_annotation(paths, None);
        }
    }

    /// Pre-annotate a snapshot of the project in a background job; the plan comes back as
    /// [`Command::PreAnnotated`].
    pub(super) fn start_pre_annotation(&mut self, paths: Vec<PathBuf>, label: Option<String>) {
        if self.assist_job.is_some() {
            self.status = Some("Wait for the running job to finish (or cancel it)".into());
            return;
        }
        let project = self.editor.project.clone();
        let planned_at = self.editor.history.state();
        let what = format!("Pre-annotating with {} files…", paths.len());
        let control = self.assist_jobs.push(move |_| {
            Some(Command::PreAnnotated(
                pre_annotate(&project, &paths, label.as_deref()),
                planned_at,
            ))
        });
        self.status = Some(what.clone());
        self.assist_job = Some((what, control));
    }

    /// Apply a pre-annotation's plan as one undo step and say what it added per label. When
    /// the project changed while the job ran, its stale edits are dropped ([`drop_stale`]).
    pub(super) fn pre_annotated(&mut self, result: Result<assist::Plan, String>, planned_at: u64) {
        if self.assist_job.take().is_none() {
            // Cancelled: whatever it finished with is not wanted.
            return;
        }
        let plan = match result {
            Ok(plan) => plan,
            Err(message) => {
                self.show_dialog(Dialog::Error {
                    title: "Cannot pre-annotate".into(),
                    message,
                });
                return;
            }
        };
        let mut summary = format!(
            "{} suggestions added, {} places skipped (already tagged with the label, or \
             rejected before).\n",
            plan.added(),
            plan.skipped()
        );
        for (label, counts) in &plan.per_label {
            summary.push_str(&format!(
                "\n{label}: {} added, {} covered, {} rejected before",
                counts.added, counts.covered, counts.rejected
            ));
        }
        if !plan.new_labels.is_empty() {
            summary.push_str(&format!("\n\nNew labels: {}", plan.new_labels.join(", ")));
        }
        let planned = plan.added();
        let mut transaction = plan.transaction;
        let dropped = if planned_at != self.editor.history.state() {
            drop_stale(&self.editor.project, &mut transaction)
        } else {
            0
        };
        let added = planned - dropped;
        let dropped = if dropped > 0 {
            summary.push_str(&format!(
                "\n\n{dropped} dropped: they overlap spans made while it ran."
            ));
            format!(", {dropped} dropped (they overlap spans made while it ran)")
        } else {
            String::new()
        };
        // The spans keep their annotator (gazetteer, rules): they are not this user's.
        if self.execute_as_is(transaction) {
            self.status = Some(format!(
                "Pre-annotated: {added} suggestions added{dropped} (one undo step)"
            ));
            self.show_dialog(Dialog::Info {
                title: "Pre-annotation".into(),
                message: summary,
            });
        }
    }
}

impl SpantagApp {
    /// Train the tagger on the accepted spans of a snapshot of the project, in a background
    /// job with progress and Cancel; the suggestions come back as [`Command::Trained`].
    pub(super) fn start_training(&mut self) {
        if self.assist_job.is_some() {
            self.status = Some("Wait for the running job to finish (or cancel it)".into());
            return;
        }
        let project = self.editor.project.clone();
        let trained_at = self.editor.history.state();
        let control = self.assist_jobs.push(move |control| {
            let corpus = tagger::Corpus::from_projects(&[&project]);
            let progress = |p: tagger::Progress| {
                control.set_progress(p.done as f32 / p.total.max(1) as f32);
            };
            let result = tagger::train_and_evaluate(
                &corpus,
                &tagger::TrainOptions::default(),
                control.cancel_flag(),
                &progress,
            )
            .map(|(model, evaluation)| {
                let suggestions = tagger::suggest(&model, &project);
                Trained {
                    transaction: suggestions.transaction,
                    evaluation,
                    trained_at,
                }
            })
            .map_err(|e| e.to_string());
            Some(Command::Trained(result))
        });
        let what = "Training the tagger on your accepted spans…".to_owned();
        self.status = Some(what.clone());
        self.assist_job = Some((what, control));
    }

    /// Apply the tagger's suggestions as one undo step. When the project changed while it
    /// trained, suggestions that now overlap a span of their label are dropped, and labels
    /// that now exist are not added again.
    pub(super) fn trained(&mut self, result: Result<Trained, String>) {
        if self.assist_job.take().is_none() {
            // Cancelled: whatever it finished with is not wanted.
            return;
        }
        let trained = match result {
            Ok(trained) => trained,
            Err(message) => {
                self.status = Some(format!("The tagger did not train: {message}"));
                return;
            }
        };
        self.tagger_report = trained.evaluation.clone();
        let mut transaction = trained.transaction;
        let dropped = if trained.trained_at != self.editor.history.state() {
            drop_stale(&self.editor.project, &mut transaction)
        } else {
            0
        };
        let added = transaction
            .edits
            .iter()
            .filter(|e| matches!(e, Edit::AddSpan { .. }))
            .count();
        let report = trained
            .evaluation
            .as_ref()
            .map(|e| format!("; held-out F1 {:.3} (View › Statistics)", e.micro.f1()))
            .unwrap_or_default();
        let dropped = if dropped > 0 {
            format!(", {dropped} dropped (they overlap spans made while it trained)")
        } else {
            String::new()
        };
        if added == 0 {
            self.status = Some(format!("The tagger found nothing new to suggest{report}"));
            return;
        }
        // The spans keep their annotator (`model`): they are not this user's.
        if self.execute_as_is(transaction) {
            self.status = Some(format!(
                "The tagger suggested {added} spans{dropped}{report} (one undo step)"
            ));
        }
    }
}
