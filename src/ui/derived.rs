//! Figures the panel shows every frame but that only change with the project: label counts, the
//! rows of the span list, the annotators and review progress.
//!
//! Each is computed from the whole document, so it is kept and recomputed only when the history
//! state, the shown document or its own inputs (the span filter, the review filter) change: a
//! frame must not cost more with 50,000 spans than with 500. This module only reads the project;
//! it never edits it.
//!
//! A new project starts its history at state 0 again, so the cache must be dropped with the
//! project (it lives in the panel state, which is reset when the project is replaced).

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use super::app::ReviewState;
use crate::core::history::History;
use crate::core::{AnnotatedDocument, Edit, Project, Span, SpanId, SpanStatus};

/// The project state the cached figures were computed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    /// [`History::state`].
    state: u64,
    doc: usize,
}

#[derive(Default)]
pub struct DerivedCache {
    key: Option<Key>,
    /// Spans of the shown document per label, by the label's index in the label set.
    label_counts: Vec<usize>,
    /// The span filter the rows were made for, and the rows: indices (in document order) of
    /// the spans the span list shows. Without a filter every span is a row and none is stored.
    filtered_rows: Option<(String, Vec<usize>)>,
    /// How many spans of the shown document each annotator has (`None`: spans without one).
    annotators: Option<BTreeMap<Option<String>, usize>>,
    /// Review progress under one filter, and the span changes not counted into it yet.
    review: Option<ReviewTally>,
    /// The span last looked up by id, and its position in the document's spans.
    last_found: Option<(SpanId, usize)>,
    /// Ids and starts of the spans the last step added or changed: found by position, not by
    /// a search through every span (a span just tagged is the selected one).
    moved: Vec<(SpanId, usize)>,
}

struct ReviewTally {
    /// The review filter and "show rejected" it was counted for.
    filter: (ReviewState, bool),
    reviewed: usize,
    total: usize,
    /// Spans removed (`false`) and added (`true`) since it was counted.
    pending: Vec<(Span, bool)>,
}

/// The rows of the span list: indices into the document's spans, in document order.
pub enum SpanRows<'a> {
    /// Every span is a row.
    All(usize),
    Filtered(&'a [usize]),
}

impl SpanRows<'_> {
    pub fn len(&self) -> usize {
        match self {
            Self::All(n) => *n,
            Self::Filtered(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The span indices of rows `range`.
    pub fn indices(&self, range: Range<usize>) -> Vec<usize> {
        match self {
            Self::All(n) => (range.start.min(*n)..range.end.min(*n)).collect(),
            Self::Filtered(rows) => rows
                .get(range.start.min(rows.len())..range.end.min(rows.len()))
                .unwrap_or_default()
                .to_vec(),
        }
    }
}

impl DerivedCache {
    /// Bring the figures to the project's current state for document `doc`: by the edits of
    /// one step (an edit, undo or redo) when only spans changed, else from scratch.
    pub fn refresh(&mut self, project: &Project, history: &History, doc: usize) {
        let key = Key {
            state: history.state(),
            doc,
        };
        if self.key == Some(key) {
            return;
        }
        let step = self
            .key
            .filter(|old| old.doc == doc)
            .and_then(|old| history.step_from(old.state))
            .filter(|t| {
                t.edits.iter().all(|e| {
                    matches!(
                        e,
                        Edit::AddSpan { .. } | Edit::RemoveSpan { .. } | Edit::ChangeSpan { .. }
                    )
                })
            });
        self.key = Some(key);
        self.filtered_rows = None;
        self.moved.clear();
        let Some(step) = step else {
            self.label_counts = count_labels(project, doc);
            self.annotators = None;
            self.review = None;
            return;
        };
        for edit in &step.edits {
            match edit {
                Edit::AddSpan { doc: d, span } if *d == doc => self.count(project, span, true),
                Edit::RemoveSpan { doc: d, span } if *d == doc => self.count(project, span, false),
                Edit::ChangeSpan {
                    doc: d,
                    before,
                    after,
                } if *d == doc => {
                    self.count(project, before, false);
                    self.count(project, after, true);
                }
                _ => {}
            }
        }
    }

    /// Count `span` in (`added`) or out of the figures kept up to date.
    fn count(&mut self, project: &Project, span: &Span, added: bool) {
        if added {
            self.moved.push((span.id, span.start));
        }
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
        if let Some(annotators) = &mut self.annotators {
            let n = annotators.entry(span.annotator.clone()).or_default();
            step(n);
            if *n == 0 {
                annotators.remove(&span.annotator);
            }
        }
        if let Some(review) = &mut self.review {
            review.pending.push((span.clone(), added));
        }
    }

    /// The span of `doc` with id `id`. Spans are kept by position, so a lookup by id is a
    /// search through all of them; the position found is remembered, and a span the last step
    /// added or changed is looked up by its start.
    pub fn find_span<'d>(&mut self, doc: &'d AnnotatedDocument, id: SpanId) -> Option<&'d Span> {
        let spans = doc.spans.as_slice();
        if let Some((found, at)) = self.last_found
            && found == id
            && spans.get(at).is_some_and(|s| s.id == id)
        {
            return spans.get(at);
        }
        let by_start = self
            .moved
            .iter()
            .find(|(i, _)| *i == id)
            .and_then(|&(_, start)| {
                let from = spans.partition_point(|s| s.start < start);
                spans[from..]
                    .iter()
                    .take_while(|s| s.start == start)
                    .position(|s| s.id == id)
                    .map(|i| from + i)
            });
        let at = by_start.or_else(|| doc.spans.position(id))?;
        self.last_found = Some((id, at));
        spans.get(at)
    }

    /// How many spans of the shown document carry each label, by label index.
    pub fn label_counts(&self) -> &[usize] {
        &self.label_counts
    }

    /// The spans of `doc` whose text or label contains `filter` (all when it is empty).
    pub fn span_rows(&mut self, doc: &AnnotatedDocument, filter: &str) -> SpanRows<'_> {
        if filter.is_empty() {
            return SpanRows::All(doc.spans.len());
        }
        if self.filtered_rows.as_ref().is_none_or(|(f, _)| f != filter) {
            let rows = doc
                .spans
                .iter()
                .enumerate()
                .filter(|(_, s)| {
                    s.label.contains(filter) || doc.document.slice(s.start, s.end).contains(filter)
                })
                .map(|(i, _)| i)
                .collect();
            self.filtered_rows = Some((filter.to_owned(), rows));
        }
        match &self.filtered_rows {
            Some((_, rows)) => SpanRows::Filtered(rows),
            None => SpanRows::All(0),
        }
    }

    /// The annotators of `doc`'s spans, sorted, each once.
    pub fn annotators(&mut self, doc: &AnnotatedDocument) -> Vec<Option<String>> {
        self.annotators
            .get_or_insert_with(|| {
                let mut counts = BTreeMap::new();
                for s in doc.spans.iter() {
                    *counts.entry(s.annotator.clone()).or_default() += 1;
                }
                counts
            })
            .keys()
            .cloned()
            .collect()
    }

    /// (reviewed, total) of the spans of `doc` that review mode steps through: those
    /// `stepped` lets through (a span is reviewed when it is not suggested). `filter` is what
    /// `stepped` depends on.
    pub fn review_progress(
        &mut self,
        doc: &AnnotatedDocument,
        filter: (&ReviewState, bool),
        stepped: impl Fn(&Span) -> bool,
    ) -> (usize, usize) {
        let reviewed = |s: &Span| usize::from(s.status != SpanStatus::Suggested);
        match &mut self.review {
            Some(tally) if tally.filter.0 == *filter.0 && tally.filter.1 == filter.1 => {
                for (s, added) in tally.pending.drain(..).filter(|(s, _)| stepped(s)) {
                    if added {
                        tally.total += 1;
                        tally.reviewed += reviewed(&s);
                    } else {
                        tally.total = tally.total.saturating_sub(1);
                        tally.reviewed = tally.reviewed.saturating_sub(reviewed(&s));
                    }
                }
                (tally.reviewed, tally.total)
            }
            _ => {
                let stepped: Vec<&Span> = doc.spans.iter().filter(|s| stepped(s)).collect();
                let tally = ReviewTally {
                    filter: (filter.0.clone(), filter.1),
                    reviewed: stepped.iter().map(|s| reviewed(s)).sum(),
                    total: stepped.len(),
                    pending: Vec::new(),
                };
                let progress = (tally.reviewed, tally.total);
                self.review = Some(tally);
                progress
            }
        }
    }
}

/// Spans of document `doc` per label index, in one pass over the spans.
fn count_labels(project: &Project, doc: usize) -> Vec<usize> {
    let mut counts = vec![0; project.labels.len()];
    let Some(d) = project.documents.get(doc) else {
        return counts;
    };
    let index: HashMap<&str, usize> = project
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.as_str(), i))
        .collect();
    for s in d.spans.iter() {
        if let Some(&i) = index.get(s.label.as_str()) {
            counts[i] += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Editor, markup};

    fn editor(text: &str) -> Editor {
        Editor::new(markup::project(text))
    }

    #[test]
    fn label_counts_follow_the_history_state() {
        let mut editor = editor("[习近平](PER)在[北京](GPE)会见[迪亚斯](PER)");
        let mut cache = DerivedCache::default();
        cache.refresh(&editor.project, &editor.history, 0);
        let per = editor.project.labels.index_of("PER").expect("PER");
        let gpe = editor.project.labels.index_of("GPE").expect("GPE");
        assert_eq!(
            (cache.label_counts()[per], cache.label_counts()[gpe]),
            (2, 1)
        );

        let t = editor.project.tag(0, 4, 6, "PER");
        editor.execute(t).expect("tag");
        cache.refresh(&editor.project, &editor.history, 0);
        assert_eq!(cache.label_counts()[per], 3);
        editor.undo().expect("undo");
        cache.refresh(&editor.project, &editor.history, 0);
        assert_eq!(cache.label_counts()[per], 2);
    }

    #[test]
    fn span_rows_are_recomputed_for_a_new_filter_or_state() {
        let mut editor = editor("[习近平](PER)在[北京](GPE)会见[迪亚斯](PER)");
        let mut cache = DerivedCache::default();
        cache.refresh(&editor.project, &editor.history, 0);
        let doc = &editor.project.documents[0];
        fn rows(cache: &mut DerivedCache, doc: &AnnotatedDocument, filter: &str) -> Vec<usize> {
            let rows = cache.span_rows(doc, filter);
            rows.indices(0..rows.len())
        }
        assert_eq!(rows(&mut cache, doc, ""), vec![0, 1, 2]);
        assert_eq!(rows(&mut cache, doc, "北"), vec![1]);
        assert_eq!(rows(&mut cache, doc, "PER"), vec![0, 2]);

        let id = doc.spans.as_slice()[0].id;
        let t = editor.project.remove_spans(0, &[id]);
        editor.execute(t).expect("remove");
        cache.refresh(&editor.project, &editor.history, 0);
        assert_eq!(
            rows(&mut cache, &editor.project.documents[0], "PER"),
            vec![1]
        );
    }

    #[test]
    fn review_progress_is_recounted_when_the_filter_changes() {
        let mut editor = editor("[习近平](PER)在[北京](GPE)");
        let mut span = editor.project.documents[0].spans.as_slice()[1].clone();
        span.status = SpanStatus::Suggested;
        let t = editor.project.change_span("suggest", 0, span);
        editor.execute(t).expect("change");
        let mut cache = DerivedCache::default();
        cache.refresh(&editor.project, &editor.history, 0);
        let doc = &editor.project.documents[0];
        let all = ReviewState::default();
        assert_eq!(cache.review_progress(doc, (&all, false), |_| true), (1, 2));
        let gpe = ReviewState {
            label: Some("GPE".into()),
            ..ReviewState::default()
        };
        let only_gpe = |s: &Span| s.label == "GPE";
        assert_eq!(cache.review_progress(doc, (&gpe, false), only_gpe), (0, 1));
    }

    #[test]
    fn updates_by_one_step_match_a_count_from_scratch() {
        let mut editor = editor("[习近平](PER)在[北京](GPE)会见[迪亚斯](PER)");
        let review = ReviewState {
            on: true,
            ..ReviewState::default()
        };
        let stepped = |s: &Span| review.steps_through(s, false);
        let mut cache = DerivedCache::default();
        let mut check = |editor: &Editor| {
            cache.refresh(&editor.project, &editor.history, 0);
            let mut fresh = DerivedCache::default();
            fresh.refresh(&editor.project, &editor.history, 0);
            let doc = &editor.project.documents[0];
            assert_eq!(cache.label_counts(), fresh.label_counts());
            assert_eq!(cache.annotators(doc), fresh.annotators(doc));
            assert_eq!(
                cache.review_progress(doc, (&review, false), stepped),
                fresh.review_progress(doc, (&review, false), stepped)
            );
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
        let mut first = editor.project.documents[0].spans.as_slice()[0].clone();
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
        let mut cache = DerivedCache::default();
        cache.refresh(&editor.project, &editor.history, 0);
        let ids: Vec<SpanId> = editor.project.documents[0]
            .spans
            .iter()
            .map(|s| s.id)
            .collect();
        for &id in ids.iter().chain(&ids) {
            let found = cache.find_span(&editor.project.documents[0], id);
            assert_eq!(found.map(|s| s.id), Some(id));
        }
        // A span tagged before the others moves them all; the new one is found by its start.
        let tag = editor.project.tag(0, 0, 2, "ORG");
        editor.execute(tag).expect("tag");
        cache.refresh(&editor.project, &editor.history, 0);
        let doc = &editor.project.documents[0];
        let new = doc
            .spans
            .find_exact(0, 2, "ORG")
            .map(|s| s.id)
            .expect("tagged");
        assert_eq!(
            cache.find_span(doc, new).map(|s| (s.start, s.end)),
            Some((0, 2))
        );
        for &id in &ids {
            assert_eq!(cache.find_span(doc, id).map(|s| s.id), Some(id));
        }
        assert!(cache.find_span(doc, SpanId(999)).is_none());
    }
}
