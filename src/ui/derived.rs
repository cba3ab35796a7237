//! Figures shown every frame but computed only when what they are made from changes: label
//! counts, the span list's rows, the annotators, review and adjudication progress, statistics.
//! Keyed by the history's state counter (every edit, undo and redo changes it), the document
//! shown, the project's generation (a new project restarts the history) and the filters.
//!
//! A frame must not cost more with 50,000 spans than with 500: after one step (an edit, undo or
//! redo) that only touched spans, the counts are updated from that step's edits
//! ([`History::step_from`]) instead of counted again; without a span filter no rows are stored
//! (every span is a row); the selected span's position is remembered, so the panel does not
//! search for it through every span each frame. This module only reads the project.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use crate::core::attribute::AttributeFilter;
use crate::core::compare::UnitKind;
use crate::core::history::History;
use crate::core::merge_conflicts;
use crate::core::stats::{self, Stats};
use crate::core::{
    AnnotatedDocument, DocId, Edit, Editor, Project, Span, SpanId, SpanIndex, SpanStatus,
};

use super::state::{CompareSession, ReviewState};

mod documents;
pub use documents::DocFigures;

/// What the figures were computed from.
#[derive(Clone, Debug, PartialEq)]
struct Key {
    generation: u64,
    state: u64,
    doc: usize,
    review: ReviewState,
    show_rejected: bool,
    span_filter: String,
}

/// The rows of the span list: indices into the shown document's spans, in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpanRows {
    /// Every span is a row (no filter): nothing stored.
    All(usize),
    /// The spans whose text or label contains the filter's text and whose attributes meet its
    /// `attr:` conditions.
    Filtered(Vec<usize>),
}

impl Default for SpanRows {
    fn default() -> Self {
        Self::All(0)
    }
}

impl SpanRows {
    pub fn len(&self) -> usize {
        match self {
            Self::All(n) => *n,
            Self::Filtered(rows) => rows.len(),
        }
    }

    /// The span indices of rows `range` (clamped to the rows there are).
    pub fn indices(&self, range: Range<usize>) -> Vec<usize> {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        match self {
            Self::All(_) => (start..end).collect(),
            Self::Filtered(rows) => rows[start..end].to_vec(),
        }
    }
}

#[derive(Default)]
pub struct Derived {
    key: Option<Key>,
    /// Spans per label (in label-set order) in the shown document.
    pub label_counts: Vec<usize>,
    /// The span list's rows, filtered by the panel's filter text (valid while the history
    /// state is the same). Only the rows in view are turned into text.
    pub span_rows: SpanRows,
    /// Annotators of the shown document's spans, sorted (for the review filter).
    pub annotators: Vec<Option<String>>,
    /// How many spans of the shown document each annotator has (`None`: without one).
    annotator_counts: BTreeMap<Option<String>, usize>,
    /// (reviewed, total) of the spans review mode steps through.
    pub review_progress: (usize, usize),
    /// (decided, disagreements) while comparing.
    pub adjudication: (usize, usize),
    /// The merge conflicts left in the project (none searched for in a project the merge did
    /// not mark).
    pub merge_conflicts: Vec<merge_conflicts::MergeConflict>,
    /// The selected span's id and its position in the shown document's spans.
    selected: Option<(SpanId, usize)>,
    /// Ids and starts of the spans the last step added or changed: found by position, not by
    /// a search through every span (a span just tagged is the selected one).
    moved: Vec<(SpanId, usize)>,
    /// Statistics of the whole project, when asked for (the window is open).
    stats: Option<(u64, u64, Stats)>,
    /// How often the figures were brought up to date (tests check they are not every frame).
    pub recomputed: u64,
    /// Every document's figures, for the navigator.
    pub documents: DocFigures,
    /// The overview strip's marks of the shown document.
    pub overview: super::overview::Overview,
}

/// Everything the figures depend on besides the editor.
pub struct Inputs<'a> {
    pub generation: u64,
    pub doc: usize,
    pub review: &'a ReviewState,
    pub show_rejected: bool,
    pub span_filter: &'a str,
    pub compare: Option<&'a CompareSession>,
    /// The selected span, whose position is looked up once.
    pub selected_span: Option<SpanId>,
}

impl Derived {
    /// Bring the figures up to date if anything they depend on changed since the last call: by
    /// the edits of one step when only spans changed, else from scratch.
    pub fn refresh(&mut self, editor: &Editor, inputs: &Inputs<'_>) {
        let key = Key {
            generation: inputs.generation,
            state: editor.history.state(),
            doc: inputs.doc,
            review: inputs.review.clone(),
            show_rejected: inputs.show_rejected,
            span_filter: inputs.span_filter.trim().to_owned(),
        };
        let project = &editor.project;
        let doc = project.documents.get(inputs.doc);
        if self.key.as_ref() != Some(&key) {
            self.recomputed += 1;
            let old = self.key.take().filter(|old| {
                old.generation == key.generation && old.doc == key.doc && doc.is_some()
            });
            self.update(project, &editor.history, doc, old.as_ref(), &key, inputs);
            self.adjudication = inputs
                .compare
                .map_or((0, 0), |session| adjudication(editor, session));
            self.merge_conflicts = merge_conflicts::conflicts(project);
            self.key = Some(key);
        }
        self.locate_selected(doc, inputs.selected_span);
        self.overview.refresh(
            inputs.generation,
            &editor.history,
            inputs.doc,
            doc,
            &project.labels,
            inputs.show_rejected,
        );
    }

    /// Update every figure of the shown document from `old` (the key of the same document and
    /// project last computed, if any) to `key`.
    fn update(
        &mut self,
        project: &Project,
        history: &History,
        doc: Option<&AnnotatedDocument>,
        old: Option<&Key>,
        key: &Key,
        inputs: &Inputs<'_>,
    ) {
        let same_state = old.is_some_and(|o| o.state == key.state);
        let step = old
            .filter(|o| o.state != key.state)
            .and_then(|o| history.step_from(o.state))
            .filter(|t| {
                t.edits.iter().all(|e| {
                    matches!(
                        e,
                        Edit::AddSpan { .. } | Edit::RemoveSpan { .. } | Edit::ChangeSpan { .. }
                    )
                })
            });
        // The spans the step took out (`false`) and put in (`true`) in the shown document.
        let shown_id = doc.map(|d| d.document.doc_id());
        let ours = |d: &DocId| shown_id.as_ref() == Some(d);
        let changed: Vec<(&Span, bool)> = step
            .iter()
            .flat_map(|t| &t.edits)
            .flat_map(|edit| match edit {
                Edit::AddSpan { doc: d, span } if ours(d) => vec![(span, true)],
                Edit::RemoveSpan { doc: d, span } if ours(d) => vec![(span, false)],
                Edit::ChangeSpan {
                    doc: d,
                    before,
                    after,
                } if ours(d) => vec![(before, false), (after, true)],
                _ => Vec::new(),
            })
            .collect();
        if !same_state {
            self.moved = changed
                .iter()
                .filter(|(_, added)| *added)
                .map(|(s, _)| (s.id, s.start))
                .collect();
        }
        let no_spans = SpanIndex::default();
        let spans = doc.map_or(&no_spans, |d| &d.spans);

        // Label counts and annotators.
        if same_state {
        } else if step.is_some() {
            for &(span, added) in &changed {
                self.count(project, span, added);
            }
            self.annotators = self.annotator_counts.keys().cloned().collect();
        } else {
            self.label_counts = count_labels(project, spans);
            self.annotator_counts.clear();
            for s in spans {
                *self
                    .annotator_counts
                    .entry(s.annotator.as_deref().map(str::to_owned))
                    .or_default() += 1;
            }
            self.annotators = self.annotator_counts.keys().cloned().collect();
        }

        // Review progress.
        let review = inputs.review;
        let stepped = |s: &Span| review.steps_through(s, inputs.show_rejected);
        let reviewed = |s: &Span| usize::from(s.status != SpanStatus::Suggested);
        let same_filter =
            old.is_some_and(|o| o.review == key.review && o.show_rejected == key.show_rejected);
        if same_filter && same_state {
        } else if same_filter && step.is_some() {
            let (reviewed_n, total) = &mut self.review_progress;
            for &(s, added) in changed.iter().filter(|(s, _)| stepped(s)) {
                if added {
                    *total += 1;
                    *reviewed_n += reviewed(s);
                } else {
                    *total = total.saturating_sub(1);
                    *reviewed_n = reviewed_n.saturating_sub(reviewed(s));
                }
            }
        } else {
            let (mut reviewed_n, mut total) = (0, 0);
            for s in spans.iter().filter(|s| stepped(s)) {
                total += 1;
                reviewed_n += reviewed(s);
            }
            self.review_progress = (reviewed_n, total);
        }

        // The span list's rows.
        let filter = key.span_filter.as_str();
        let same_rows = same_state && old.is_some_and(|o| o.span_filter == key.span_filter);
        if filter.is_empty() {
            self.span_rows = SpanRows::All(spans.len());
        } else if !same_rows {
            let text = doc.map(|d| &d.document);
            // `attr:NAME` and `attr:NAME=VALUE` words are conditions on the span's attributes.
            let (filter, conditions) = AttributeFilter::split_query(filter);
            let filter = filter.as_str();
            let rows = spans
                .iter()
                .enumerate()
                .filter(|(_, s)| {
                    conditions.iter().all(|c| c.matches(s))
                        && (filter.is_empty()
                            || s.label.contains(filter)
                            || text.is_some_and(|t| t.slice(s.start, s.end).contains(filter)))
                })
                .map(|(i, _)| i)
                .collect();
            self.span_rows = SpanRows::Filtered(rows);
        }
    }

    /// Count `span` in (`added`) or out of the label and annotator counts.
    fn count(&mut self, project: &Project, span: &Span, added: bool) {
        let step = |n: &mut usize| {
            *n = if added { *n + 1 } else { n.saturating_sub(1) };
        };
        if let Some(n) = project
            .labels
            .index_of(&span.label)
            .and_then(|i| self.label_counts.get_mut(i))
        {
            step(n);
        }
        let n = self
            .annotator_counts
            .entry(span.annotator.as_deref().map(str::to_owned))
            .or_default();
        step(n);
        if *n == 0 {
            self.annotator_counts
                .remove(&span.annotator.as_deref().map(str::to_owned));
        }
    }

    /// Remember where the selected span is: where it was, else by its start when the last
    /// step added or changed it, else by a search through the spans.
    fn locate_selected(&mut self, doc: Option<&AnnotatedDocument>, id: Option<SpanId>) {
        let (Some(doc), Some(id)) = (doc, id) else {
            self.selected = None;
            return;
        };
        let spans = &doc.spans;
        if let Some((found, at)) = self.selected
            && found == id
            && spans.by_position(at).is_some_and(|s| s.id == id)
        {
            return;
        }
        let by_start = self
            .moved
            .iter()
            .find(|(i, _)| *i == id)
            .and_then(|&(_, start)| {
                let from = spans.partition_point(|s| s.start < start);
                spans
                    .iter_from(from)
                    .take_while(|s| s.start == start)
                    .position(|s| s.id == id)
                    .map(|i| from + i)
            });
        self.selected = by_start
            .or_else(|| doc.spans.position(id))
            .map(|at| (id, at));
    }

    /// The span list's row of the selected span, if the list shows it.
    pub fn selected_row(&self) -> Option<usize> {
        let (_, at) = self.selected?;
        match &self.span_rows {
            SpanRows::All(n) => (at < *n).then_some(at),
            SpanRows::Filtered(rows) => rows.binary_search(&at).ok(),
        }
    }

    /// The span of `doc` with id `id`: at the remembered position when it is the selected one,
    /// else by a search.
    pub fn find_span<'d>(&self, doc: &'d AnnotatedDocument, id: SpanId) -> Option<&'d Span> {
        if let Some((found, at)) = self.selected
            && found == id
            && let Some(span) = doc.spans.by_position(at).filter(|s| s.id == id)
        {
            return Some(span);
        }
        doc.spans.get(id)
    }

    /// The statistics computed last by [`Self::stats`].
    pub fn cached_stats(&self) -> Option<&Stats> {
        self.stats.as_ref().map(|(_, _, s)| s)
    }

    /// The project's statistics, computed again only after an edit.
    pub fn stats(&mut self, editor: &Editor, generation: u64) -> &Stats {
        let state = editor.history.state();
        let fresh = matches!(&self.stats, Some((g, s, _)) if *g == generation && *s == state);
        if !fresh {
            self.stats = Some((generation, state, stats::compute(&editor.project)));
        }
        &self.stats.as_ref().expect("just computed").2
    }
}

/// Spans per label index, in one pass over the spans.
fn count_labels(project: &Project, spans: &SpanIndex) -> Vec<usize> {
    let mut counts = vec![0; project.labels.len()];
    let index: HashMap<&str, usize> = project
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.as_str(), i))
        .collect();
    for s in spans {
        if let Some(&i) = index.get(s.label.as_str()) {
            counts[i] += 1;
        }
    }
    counts
}

/// (decided, disagreements) over all documents.
pub fn adjudication(editor: &Editor, session: &CompareSession) -> (usize, usize) {
    let mut decided = 0;
    let mut total = 0;
    for (doc, d) in session.comparison.documents.iter().enumerate() {
        for (i, u) in d.units.iter().enumerate() {
            if u.kind == UnitKind::Agreement {
                continue;
            }
            total += 1;
            let has_gold = editor
                .project
                .documents
                .get(doc)
                .is_some_and(|g| g.spans.overlapping(u.start, u.end).next().is_some());
            let neither = session
                .neither
                .get(&(doc, i))
                .is_some_and(|&state| editor.history.reaches(state));
            if has_gold || neither {
                decided += 1;
            }
        }
    }
    (decided, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::markup;

    fn editor(text: &str) -> Editor {
        Editor::new(markup::project(text))
    }

    fn inputs<'a>(review: &'a ReviewState, span_filter: &'a str) -> Inputs<'a> {
        Inputs {
            generation: 0,
            doc: 0,
            review,
            show_rejected: false,
            span_filter,
            compare: None,
            selected_span: None,
        }
    }

    #[test]
    fn figures_are_recomputed_only_after_a_change() {
        let mut editor = editor("[习近平](PER)会见[古巴](GPE)领导人");
        let review = ReviewState::default();
        let mut derived = Derived::default();
        derived.refresh(&editor, &inputs(&review, ""));
        derived.refresh(&editor, &inputs(&review, ""));
        assert_eq!(derived.recomputed, 1);
        assert_eq!(&derived.label_counts[..3], &[1, 0, 1]);
        assert_eq!(derived.span_rows.len(), 2);
        let t = editor.project.tag(0, 7, 9, "ORG");
        editor.execute(t).expect("valid");
        derived.refresh(&editor, &inputs(&review, ""));
        assert_eq!(derived.recomputed, 2);
        assert_eq!(&derived.label_counts[..3], &[1, 1, 1]);
        editor.undo().expect("undo");
        derived.refresh(&editor, &inputs(&review, ""));
        assert_eq!(&derived.label_counts[..3], &[1, 0, 1]);
    }

    #[test]
    fn label_counts_follow_the_history_state() {
        let mut editor = editor("[习近平](PER)在[北京](GPE)会见[迪亚斯](PER)");
        let review = ReviewState::default();
        let mut derived = Derived::default();
        derived.refresh(&editor, &inputs(&review, ""));
        let per = editor.project.labels.index_of("PER").expect("PER");
        let gpe = editor.project.labels.index_of("GPE").expect("GPE");
        assert_eq!(
            (derived.label_counts[per], derived.label_counts[gpe]),
            (2, 1)
        );

        let t = editor.project.tag(0, 4, 6, "PER");
        editor.execute(t).expect("tag");
        derived.refresh(&editor, &inputs(&review, ""));
        assert_eq!(derived.label_counts[per], 3);
        editor.undo().expect("undo");
        derived.refresh(&editor, &inputs(&review, ""));
        assert_eq!(derived.label_counts[per], 2);
    }

    #[test]
    fn span_rows_are_recomputed_for_a_new_filter_or_state() {
        let mut editor = editor("[习近平](PER)在[北京](GPE)会见[迪亚斯](PER)");
        let review = ReviewState::default();
        let mut derived = Derived::default();
        let mut rows = |editor: &Editor, filter: &str| {
            derived.refresh(editor, &inputs(&review, filter));
            let rows = &derived.span_rows;
            rows.indices(0..rows.len())
        };
        assert_eq!(rows(&editor, ""), vec![0, 1, 2]);
        assert_eq!(rows(&editor, "北"), vec![1]);
        assert_eq!(rows(&editor, "PER"), vec![0, 2]);

        let id = editor.project.documents[0]
            .spans
            .by_position(0)
            .expect("a span")
            .id;
        let t = editor.project.remove_spans(0, &[id]);
        editor.execute(t).expect("remove");
        assert_eq!(rows(&editor, "PER"), vec![1]);
        assert_eq!(rows(&editor, ""), vec![0, 1]);
    }

    #[test]
    fn review_progress_is_recounted_when_the_filter_changes() {
        let mut editor = editor("[习近平](PER)在[北京](GPE)");
        let mut span = editor.project.documents[0]
            .spans
            .by_position(1)
            .expect("a span")
            .clone();
        span.status = SpanStatus::Suggested;
        let t = editor.project.change_span("suggest", 0, span);
        editor.execute(t).expect("change");
        let mut derived = Derived::default();
        let all = ReviewState {
            on: true,
            ..ReviewState::default()
        };
        derived.refresh(&editor, &inputs(&all, ""));
        assert_eq!(derived.review_progress, (1, 2));
        let gpe = ReviewState {
            on: true,
            label: Some("GPE".into()),
            ..ReviewState::default()
        };
        derived.refresh(&editor, &inputs(&gpe, ""));
        assert_eq!(derived.review_progress, (0, 1));
    }

    #[test]
    fn updates_by_one_step_match_a_count_from_scratch() {
        let mut editor = editor("[习近平](PER)在[北京](GPE)会见[迪亚斯](PER)");
        let review = ReviewState {
            on: true,
            ..ReviewState::default()
        };
        let mut derived = Derived::default();
        let mut check = |editor: &Editor| {
            let before = derived.recomputed;
            derived.refresh(editor, &inputs(&review, ""));
            assert_eq!(derived.recomputed, before + 1);
            let mut fresh = Derived::default();
            fresh.refresh(editor, &inputs(&review, ""));
            assert_eq!(derived.label_counts, fresh.label_counts);
            assert_eq!(derived.annotators, fresh.annotators);
            assert_eq!(derived.review_progress, fresh.review_progress);
            assert_eq!(derived.span_rows, fresh.span_rows);
        };
        check(&editor);

        let mut tag = editor.project.tag(0, 4, 6, "ORG");
        for edit in &mut tag.edits {
            if let Edit::AddSpan { span, .. } = edit {
                span.annotator = Some("李华".into());
                span.status = SpanStatus::Suggested;
            }
        }
        editor.execute(tag).expect("tag");
        check(&editor);
        let mut first = editor.project.documents[0]
            .spans
            .by_position(0)
            .expect("a span")
            .clone();
        first.label = "GPE".into();
        first.status = SpanStatus::Rejected;
        let relabel = editor.project.change_span("relabel", 0, first);
        editor.execute(relabel).expect("relabel");
        check(&editor);
        editor.undo().expect("undo");
        check(&editor);
        editor.redo().expect("redo");
        check(&editor);
        // Two steps back at once, and a label edit: counted from scratch.
        editor.undo().expect("undo");
        editor.undo().expect("undo");
        check(&editor);
        let mut per = editor.project.labels.get("PER").expect("PER").clone();
        per.name = "PERSON".into();
        let index = editor.project.labels.index_of("PER").expect("PER");
        let rename = editor.project.edit_label(index, per);
        editor.execute(rename).expect("rename");
        check(&editor);
    }

    #[test]
    fn spans_are_found_by_id_before_and_after_edits() {
        let mut editor = editor("[习近平](PER)在[北京](GPE)会见[迪亚斯](PER)");
        let review = ReviewState::default();
        let mut derived = Derived::default();
        let ids: Vec<SpanId> = editor.project.documents[0]
            .spans
            .iter()
            .map(|s| s.id)
            .collect();
        let mut select = |editor: &Editor, id: SpanId| {
            derived.refresh(
                editor,
                &Inputs {
                    selected_span: Some(id),
                    ..inputs(&review, "")
                },
            );
            let doc = &editor.project.documents[0];
            let at = derived
                .selected
                .filter(|(found, _)| *found == id)
                .map(|(_, at)| at);
            (
                at.and_then(|at| doc.spans.by_position(at)).map(|s| s.id),
                derived.find_span(doc, id).map(|s| s.id),
            )
        };
        for &id in ids.iter().chain(&ids) {
            assert_eq!(select(&editor, id), (Some(id), Some(id)));
        }
        // A span tagged before the others moves them all; the new one is found by its start.
        let tag = editor.project.tag(0, 0, 2, "ORG");
        editor.execute(tag).expect("tag");
        let new = editor.project.documents[0]
            .spans
            .find_exact(0, 2, "ORG")
            .map(|s| s.id)
            .expect("tagged");
        assert_eq!(select(&editor, new), (Some(new), Some(new)));
        for &id in &ids {
            assert_eq!(select(&editor, id), (Some(id), Some(id)));
        }
        assert_eq!(select(&editor, SpanId(999)), (None, None));
    }
}
