//! The find bar's work: searching (plain text or regex, this document or the project), stepping
//! through the hits across documents, and "tag all" through the one door as one undo step. Part
//! of the dispatcher; the bar itself is drawn by `panels/menu.rs`.

use super::app::SpantagApp;
use super::state::{FindKey, OtherOccurrences};
use super::text_view::TextSelection;
use crate::core::SpanStatus;
use crate::core::assist::{self, Query, Scope, TagOptions};

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

    /// Count the selected span's other occurrences when the selection or the project changed.
    pub(super) fn refresh_other_occurrences(&mut self) {
        let Some(id) = self.selected_span else {
            self.other_occurrences = None;
            return;
        };
        let counted_at = (self.session.generation, self.editor.history.state());
        if self
            .other_occurrences
            .as_ref()
            .is_some_and(|o| o.span == id && o.counted_at == counted_at)
        {
            return;
        }
        let project = &self.editor.project;
        let Some((index, span)) = project.find_span(id) else {
            self.other_occurrences = None;
            return;
        };
        let options = self.occurrence_options();
        let count = assist::tag_other_occurrences(project, id, &Scope::Project, &options)
            .map(|plan| plan.added())
            .unwrap_or(0);
        self.other_occurrences = Some(OtherOccurrences {
            span: id,
            text: project.documents[index]
                .document
                .slice(span.start, span.end)
                .to_owned(),
            label: span.label.clone(),
            count,
            counted_at,
        });
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
