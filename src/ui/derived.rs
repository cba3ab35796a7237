//! Figures shown every frame but computed only when what they are made from changes: label
//! counts, the span list's rows, review and adjudication progress, statistics. Keyed by the
//! history's state counter (every edit, undo and redo changes it), the document shown, the
//! project's generation (a new project restarts the history) and the filters.

use std::collections::{BTreeSet, HashMap};

use crate::core::compare::UnitKind;
use crate::core::stats::{self, Stats};
use crate::core::{Editor, SpanStatus};

use super::state::{CompareSession, ReviewState};

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

#[derive(Default)]
pub struct Derived {
    key: Option<Key>,
    /// Spans per label (in label-set order) in the shown document.
    pub label_counts: Vec<usize>,
    /// The span list's rows, filtered by the panel's filter text: positions in the shown
    /// document's spans (valid while the history state is the same). Only the rows in view are
    /// turned into text.
    pub span_rows: Vec<usize>,
    /// Annotators of the shown document's spans, sorted (for the review filter).
    pub annotators: Vec<Option<String>>,
    /// (reviewed, total) of the spans review mode steps through.
    pub review_progress: (usize, usize),
    /// (decided, disagreements) while comparing.
    pub adjudication: (usize, usize),
    /// Statistics of the whole project, when asked for (the window is open).
    stats: Option<(u64, u64, Stats)>,
    /// How often the figures were recomputed (tests check they are not every frame).
    pub recomputed: u64,
}

/// Everything the figures depend on besides the editor.
pub struct Inputs<'a> {
    pub generation: u64,
    pub doc: usize,
    pub review: &'a ReviewState,
    pub show_rejected: bool,
    pub span_filter: &'a str,
    pub compare: Option<&'a CompareSession>,
}

impl Derived {
    /// Recompute the figures if anything they depend on changed since the last call.
    pub fn refresh(&mut self, editor: &Editor, inputs: &Inputs<'_>) {
        let key = Key {
            generation: inputs.generation,
            state: editor.history.state(),
            doc: inputs.doc,
            review: inputs.review.clone(),
            show_rejected: inputs.show_rejected,
            span_filter: inputs.span_filter.trim().to_owned(),
        };
        if self.key.as_ref() == Some(&key) {
            return;
        }
        self.recomputed += 1;
        let project = &editor.project;
        let doc = project.documents.get(inputs.doc);
        let spans = doc.map_or(&[][..], |d| d.spans.as_slice());
        // One pass over the spans for all the figures of the shown document.
        let mut per_label: HashMap<&str, usize> = HashMap::new();
        let mut annotators: BTreeSet<&Option<String>> = BTreeSet::new();
        let filter = key.span_filter.as_str();
        self.span_rows.clear();
        for (i, s) in spans.iter().enumerate() {
            *per_label.entry(s.label.as_str()).or_default() += 1;
            annotators.insert(&s.annotator);
            let shown = filter.is_empty()
                || s.label.contains(filter)
                || doc.is_some_and(|d| d.document.slice(s.start, s.end).contains(filter));
            if shown {
                self.span_rows.push(i);
            }
        }
        self.label_counts = project
            .labels
            .iter()
            .map(|l| per_label.get(l.name.as_str()).copied().unwrap_or(0))
            .collect();
        self.annotators = annotators.into_iter().cloned().collect();
        let review = inputs.review;
        let stepped = spans.iter().filter(|s| {
            (inputs.show_rejected
                || s.status != SpanStatus::Rejected
                || review.status == Some(SpanStatus::Rejected))
                && (!review.on || review.matches(s))
        });
        let (mut reviewed, mut total) = (0, 0);
        for s in stepped {
            total += 1;
            reviewed += usize::from(s.status != SpanStatus::Suggested);
        }
        self.review_progress = (reviewed, total);
        self.adjudication = inputs
            .compare
            .map_or((0, 0), |session| adjudication(editor, session));
        self.key = Some(key);
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

    fn inputs(review: &ReviewState) -> Inputs<'_> {
        Inputs {
            generation: 0,
            doc: 0,
            review,
            show_rejected: false,
            span_filter: "",
            compare: None,
        }
    }

    #[test]
    fn figures_are_recomputed_only_after_a_change() {
        let mut editor = Editor::new(markup::project("[习近平](PER)会见[古巴](GPE)领导人"));
        let review = ReviewState::default();
        let mut derived = Derived::default();
        derived.refresh(&editor, &inputs(&review));
        derived.refresh(&editor, &inputs(&review));
        assert_eq!(derived.recomputed, 1);
        assert_eq!(&derived.label_counts[..3], &[1, 0, 1]);
        assert_eq!(derived.span_rows.len(), 2);
        let t = editor.project.tag(0, 7, 9, "ORG");
        editor.execute(t).expect("valid");
        derived.refresh(&editor, &inputs(&review));
        assert_eq!(derived.recomputed, 2);
        assert_eq!(&derived.label_counts[..3], &[1, 1, 1]);
        editor.undo().expect("undo");
        derived.refresh(&editor, &inputs(&review));
        assert_eq!(&derived.label_counts[..3], &[1, 0, 1]);
    }
}
