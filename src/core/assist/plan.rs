//! Turn found places into ONE transaction of new spans, skipping the places that already have
//! what would be added.
//!
//! The rule, for a candidate `[start, end)` with label L in a document:
//! - **covered**: a span of label L that is not rejected overlaps it: the same bounds, inside
//!   it, around it or crossing it. Spans of one label do not nest or cross in the corpora people
//!   tag with brat or INCEpTION (BIO training data cannot even express it), so a same-label span
//!   anywhere on the place means the user (or an earlier run) already decided about it: `刘备` is
//!   not added inside an existing `刘备玄德` PER, nor `刘备玄德` around an existing `刘备` PER.
//!   Spans of other labels never block (`古巴` GPE inside `古巴共产党` ORG is normal). Candidates
//!   added earlier in the same plan count too, so two rules cannot add overlapping spans of one
//!   label.
//! - **rejected**: a rejected span with exactly these bounds and label: the user said no to this
//!   before, and a rejection is remembered. (A rejection elsewhere does not block.)
//! - otherwise the span is **added**, with the status and annotator of [`TagOptions`] and the
//!   candidate's note.
//!
//! Labels the project lacks are added first, in the same transaction, with the next unused
//! palette colour and hotkey (never one that another label has).
//!
//! "Also tag the N other occurrences of this span's text" is [`tag_other_occurrences`]: a
//! case-sensitive plain-text [`find`] of the span's text, planned with the span's label; the
//! span itself counts as covered, so `added` is the N to show.

use std::collections::{BTreeMap, HashMap};

use crate::core::document::DocId;
use crate::core::edit::{Edit, Transaction};
use crate::core::label::Label;
use crate::core::project::{AnnotatedDocument, Project};
use crate::core::span::{Span, SpanId, SpanStatus};

use super::find::{FindError, Hit, Query, Scope, find};

/// A place to tag: `[start, end)` in code points of document `doc`, with `label`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub doc: DocId,
    pub start: usize,
    pub end: usize,
    pub label: String,
    /// Written on the span (a gazetteer's normalised forms).
    pub note: Option<String>,
    /// Who proposes it (`gazetteer`, `rules`); `None` takes [`TagOptions::annotator`].
    pub annotator: Option<String>,
}

/// How the new spans are made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagOptions {
    /// `Accepted` for a user's own "tag all", `Suggested` for pre-annotation to review.
    pub status: SpanStatus,
    pub annotator: Option<String>,
}

/// What happened to the candidates of one label.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LabelCounts {
    pub added: usize,
    /// Skipped: a span of the label (not rejected) overlaps the place.
    pub covered: usize,
    /// Skipped: the user rejected exactly this span before.
    pub rejected: usize,
}

/// A transaction ready to apply, and what it does per label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub transaction: Transaction,
    /// Per label name, in name order.
    pub per_label: BTreeMap<String, LabelCounts>,
    /// Labels the transaction adds to the project, in order.
    pub new_labels: Vec<String>,
}

impl Plan {
    pub fn added(&self) -> usize {
        self.per_label.values().map(|c| c.added).sum()
    }

    /// Candidates skipped for any reason.
    pub fn skipped(&self) -> usize {
        self.per_label
            .values()
            .map(|c| c.covered + c.rejected)
            .sum()
    }
}

/// One transaction adding a span for every candidate not covered or rejected (see the module
/// docs). Candidates in documents the project lacks, or with ranges it cannot hold, are left
/// out (they cannot come from [`find`] on the same project). Only reads `project`.
pub fn plan(
    project: &Project,
    candidates: impl IntoIterator<Item = Candidate>,
    options: &TagOptions,
    description: impl Into<String>,
) -> Plan {
    let mut labels = project.labels.clone();
    let mut label_edits = Vec::new();
    let mut new_labels = Vec::new();
    let mut span_edits = Vec::new();
    let mut per_label: BTreeMap<String, LabelCounts> = BTreeMap::new();
    // Spans this plan adds, per (document index, label index): start → end. They never overlap each
    // other (an overlapping one is counted as covered), which makes the overlap test one lookup.
    let mut planned: HashMap<(usize, usize), BTreeMap<usize, usize>> = HashMap::new();
    let mut hint = 0;
    for candidate in candidates {
        let Some(index) = locate(project, &candidate.doc, &mut hint) else {
            continue;
        };
        let d = &project.documents[index];
        if candidate.start >= candidate.end || candidate.end > d.document.char_len() {
            continue;
        }
        let label_index = match labels.index_of(&candidate.label) {
            Some(i) => i,
            None => {
                let label = Label::new(
                    candidate.label.as_str(),
                    labels.next_color(),
                    labels.next_hotkey(),
                    "",
                );
                let at = labels.len();
                labels.insert(at, label.clone());
                new_labels.push(label.name.clone());
                label_edits.push(Edit::AddLabel { index: at, label });
                at
            }
        };
        let counts = per_label.entry(candidate.label.clone()).or_default();
        let (start, end) = (candidate.start, candidate.end);
        let mine = planned.entry((index, label_index)).or_default();
        match decide(d, start, end, &candidate.label, mine) {
            Outcome::Covered => {
                counts.covered += 1;
                continue;
            }
            Outcome::Rejected => {
                counts.rejected += 1;
                continue;
            }
            Outcome::Added => counts.added += 1,
        }
        let mut span = Span::new(SpanId::NEW, start, end, candidate.label);
        span.note = candidate.note.map(Into::into);
        span.annotator = candidate
            .annotator
            .or_else(|| options.annotator.clone())
            .map(Into::into);
        span.status = options.status;
        span_edits.push(Edit::AddSpan {
            doc: candidate.doc,
            span,
        });
    }
    let mut edits = label_edits;
    edits.extend(span_edits);
    Plan {
        transaction: Transaction::new(description, edits),
        per_label,
        new_labels,
    }
}

/// What becomes of one candidate.
enum Outcome {
    /// A span of its label (or one this plan adds) already covers some of it.
    Covered,
    /// The user rejected its label exactly there.
    Rejected,
    /// It is added (and recorded in `planned`).
    Added,
}

/// The rule of the module docs for one candidate of `label` at `start..end` in `d`, with
/// `planned` the spans of that label this plan already adds there (start → end; they never
/// overlap, which makes the test one lookup). One pass over the spans there: a count of other
/// occurrences runs this per hit in the frame after an edit.
fn decide(
    d: &AnnotatedDocument,
    start: usize,
    end: usize,
    label: &str,
    planned: &mut BTreeMap<usize, usize>,
) -> Outcome {
    let (mut covered_by_span, mut rejected) = (false, false);
    for s in d.spans.overlapping(start, end) {
        if s.label != label {
            continue;
        }
        if s.status == SpanStatus::Rejected {
            rejected |= s.start == start && s.end == end;
        } else {
            covered_by_span = true;
        }
    }
    let covered_by_plan = planned
        .range(..end)
        .next_back()
        .is_some_and(|(_, &planned_end)| planned_end > start);
    if covered_by_span || covered_by_plan {
        Outcome::Covered
    } else if rejected {
        Outcome::Rejected
    } else {
        planned.insert(start, end);
        Outcome::Added
    }
}

/// A span, its text, and every place that text occurs (its own place included).
type Occurrences<'p> = (&'p Span, &'p str, Vec<Hit>);

/// The [`Occurrences`] of span `id` in `scope`; `None` when the span does not exist.
fn occurrences<'p>(
    project: &'p Project,
    id: SpanId,
    scope: &Scope,
) -> Result<Option<Occurrences<'p>>, FindError> {
    let Some((index, span)) = project.find_span(id) else {
        return Ok(None);
    };
    let text = project.documents[index]
        .document
        .slice(span.start, span.end);
    let hits = find(project, &Query::text(text), scope)?;
    Ok(Some((span, text, hits)))
}

/// How many spans [`tag_other_occurrences`] would add (its `plan.added()`), without building
/// them: what the panel's "also tag the N other occurrences" offer shows after every edit.
pub fn count_other_occurrences(
    project: &Project,
    id: SpanId,
    scope: &Scope,
) -> Result<usize, FindError> {
    Ok(match OccurrenceCount::start(project, id, scope)? {
        Some(mut count) => count.step(project, usize::MAX).unwrap_or(0),
        None => 0,
    })
}

/// [`count_other_occurrences`] in steps: the window counts a bounded number of hits per frame,
/// so the frame after an edit does not grow with the hits of a common text (each hit is a
/// span query) and the offer appears a frame or two later instead. The project must not change
/// between steps (the window starts over after any edit).
#[derive(Debug)]
pub struct OccurrenceCount {
    label: String,
    hits: Vec<Hit>,
    /// The next hit to decide.
    next: usize,
    added: usize,
    /// The spans counted as added in the document of the hits at hand (hits come grouped by
    /// document, in order).
    planned: BTreeMap<usize, usize>,
    planned_in: Option<usize>,
    hint: usize,
}

impl OccurrenceCount {
    /// Find the places of span `id`'s text; `None` when the span does not exist.
    pub fn start(project: &Project, id: SpanId, scope: &Scope) -> Result<Option<Self>, FindError> {
        let Some((span, _, hits)) = occurrences(project, id, scope)? else {
            return Ok(None);
        };
        Ok(Some(Self {
            label: span.label.to_string(),
            hits,
            next: 0,
            added: 0,
            planned: BTreeMap::new(),
            planned_in: None,
            hint: 0,
        }))
    }

    /// Decide up to `budget` more hits; the count once every hit is decided.
    pub fn step(&mut self, project: &Project, budget: usize) -> Option<usize> {
        let end = self.hits.len().min(self.next.saturating_add(budget));
        for hit in &self.hits[self.next..end] {
            let Some(index) = locate(project, &hit.doc, &mut self.hint) else {
                continue;
            };
            if self.planned_in != Some(index) {
                self.planned.clear();
                self.planned_in = Some(index);
            }
            let d = &project.documents[index];
            if matches!(
                decide(d, hit.start, hit.end, &self.label, &mut self.planned),
                Outcome::Added
            ) {
                self.added += 1;
            }
        }
        self.next = end;
        (self.next == self.hits.len()).then_some(self.added)
    }
}

/// "Tag all N as LABEL": every hit of a [`find`] as a span of `label`.
pub fn tag_hits(project: &Project, hits: &[Hit], label: &str, options: &TagOptions) -> Plan {
    let candidates = hits.iter().map(|hit| Candidate {
        doc: hit.doc.clone(),
        start: hit.start,
        end: hit.end,
        label: label.to_owned(),
        note: None,
        annotator: None,
    });
    plan(
        project,
        candidates,
        options,
        format!("tag all {} as {label}", hits.len()),
    )
}

/// "Also tag the N other occurrences of this span's text": the span `id`'s exact text (case as
/// written) found in `scope`, tagged with the span's label. `plan.added()` is the N; the span
/// itself, and the occurrences already tagged with its label, are counted as covered. A span
/// that does not exist gives an empty plan.
pub fn tag_other_occurrences(
    project: &Project,
    id: SpanId,
    scope: &Scope,
    options: &TagOptions,
) -> Result<Plan, FindError> {
    let Some((span, text, hits)) = occurrences(project, id, scope)? else {
        return Ok(plan(project, [], options, "tag other occurrences"));
    };
    let mut result = tag_hits(project, &hits, &span.label, options);
    result.transaction.description = format!("tag the other occurrences of {text}");
    Ok(result)
}

/// The index of document `doc`, trying `hint` first (candidates come grouped by document).
fn locate(project: &Project, doc: &DocId, hint: &mut usize) -> Option<usize> {
    let at_hint = project
        .documents
        .get(*hint)
        .is_some_and(|d| d.document.id == doc.as_str());
    if !at_hint {
        *hint = project.doc_index(doc)?;
    }
    Some(*hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::markup::{project, render_document};
    use crate::core::{Editor, SpanStatus};

    fn candidate(start: usize, end: usize, label: &str) -> Candidate {
        Candidate {
            doc: DocId::new("d1"),
            start,
            end,
            label: label.to_owned(),
            note: None,
            annotator: None,
        }
    }

    fn counts(added: usize, covered: usize, rejected: usize) -> LabelCounts {
        LabelCounts {
            added,
            covered,
            rejected,
        }
    }

    #[test]
    fn tag_all_skips_same_label_spans_however_they_overlap() {
        // 刘备 at 0, 9 (inside 刘备玄德 PER), 14 (exactly PER), 17 (GPE only), 20 (around 备 PER).
        let mut editor = Editor::new(project(
            "刘备说: 你好, [刘备玄德](PER)与[刘备](PER)见[刘备](GPE)和刘[备](PER)。",
        ));
        let hits = find(&editor.project, &Query::text("刘备"), &Scope::Project).expect("finds");
        assert_eq!(hits.len(), 5);
        let plan = tag_hits(&editor.project, &hits, "PER", &TagOptions::default());
        assert_eq!(plan.per_label["PER"], counts(2, 3, 0));
        assert_eq!(plan.transaction.description, "tag all 5 as PER");
        editor.execute(plan.transaction).expect("applies");
        assert_eq!(
            render_document(&editor.project, 0),
            "[刘备](PER)说: 你好, [刘备玄德](PER)与[刘备](PER)见[[刘备](PER)](GPE)和刘[备](PER)。"
        );
        // One undo step takes them all back.
        editor.undo().expect("undoes");
        assert_eq!(
            render_document(&editor.project, 0),
            "刘备说: 你好, [刘备玄德](PER)与[刘备](PER)见[刘备](GPE)和刘[备](PER)。"
        );
    }

    #[test]
    fn a_rejected_span_blocks_only_its_own_place_and_label() {
        let mut p = project("[古巴](GPE)和古巴和古巴");
        let rejected = {
            let mut s = p.documents[0].spans.iter().next().cloned().expect("span");
            s.status = SpanStatus::Rejected;
            s
        };
        let t = p.change_span("reject", 0, rejected);
        p.apply(&t).expect("rejects");
        let options = TagOptions {
            status: SpanStatus::Suggested,
            annotator: Some("ann".into()),
        };
        let gpe = [
            candidate(0, 2, "GPE"),
            candidate(3, 5, "GPE"),
            candidate(6, 8, "GPE"),
        ];
        let plan_gpe = plan(&p, gpe, &options, "x");
        assert_eq!(plan_gpe.per_label["GPE"], counts(2, 0, 1));
        // Another label at the rejected place is fine.
        let plan_loc = plan(&p, [candidate(0, 2, "LOC")], &options, "x");
        assert_eq!(plan_loc.per_label["LOC"], counts(1, 0, 0));
        p.apply(&plan_gpe.transaction).expect("applies");
        let added: Vec<_> = p.documents[0]
            .spans
            .iter()
            .filter(|s| s.status == SpanStatus::Suggested)
            .map(|s| (s.start, s.annotator.as_deref()))
            .collect();
        assert_eq!(added, [(3, Some("ann")), (6, Some("ann"))]);
    }

    #[test]
    fn overlapping_candidates_of_one_label_keep_the_first() {
        let p = project("abcdef");
        let plan = plan(
            &p,
            [
                candidate(1, 4, "PER"),
                candidate(0, 2, "PER"),
                candidate(3, 5, "PER"),
                candidate(4, 6, "PER"),
                candidate(1, 4, "ORG"),
            ],
            &TagOptions::default(),
            "x",
        );
        assert_eq!(plan.per_label["PER"], counts(2, 2, 0));
        assert_eq!(plan.per_label["ORG"], counts(1, 0, 0));
    }

    #[test]
    fn missing_labels_are_added_with_free_colours_and_hotkeys() {
        let mut p = project("刘备在荆州");
        // news_default uses hotkeys 1-8 and the first 8 palette colours.
        let plan = plan(
            &p,
            [candidate(0, 2, "人名"), candidate(3, 5, "州名")],
            &TagOptions::default(),
            "x",
        );
        assert_eq!(plan.new_labels, ["人名", "州名"]);
        p.apply(&plan.transaction).expect("applies");
        let person = p.labels.get("人名").expect("added");
        let state = p.labels.get("州名").expect("added");
        assert_eq!(person.hotkey, Some('9'));
        assert_eq!(state.hotkey, None);
        assert_ne!(person.color, state.color);
        let taken = p.labels.iter().filter(|l| l.color == person.color).count();
        assert_eq!(taken, 1);
    }

    #[test]
    fn other_occurrences_of_a_span() {
        let mut p = project("[古巴](GPE)共产党, 古巴, 古巴人; 古 巴");
        let id = p.documents[0].spans.iter().next().expect("span").id;
        let plan =
            tag_other_occurrences(&p, id, &Scope::Project, &TagOptions::default()).expect("finds");
        assert_eq!(plan.added(), 2);
        assert_eq!(plan.skipped(), 1);
        assert_eq!(
            plan.transaction.description,
            "tag the other occurrences of 古巴"
        );
        p.apply(&plan.transaction).expect("applies");
        assert_eq!(
            render_document(&p, 0),
            "[古巴](GPE)共产党, [古巴](GPE), [古巴](GPE)人; 古 巴"
        );
    }

    #[test]
    fn the_count_of_other_occurrences_is_what_tagging_them_adds() {
        // Covered, rejected exactly there, overlapping hits ("aa" in "aaa"), and two documents.
        let mut p = project("[aa](GPE) aaa aa [aa](PER) [aaaa](GPE) aa");
        let extra = crate::core::Document::new("d2", "d2.txt", "aa aaaaa");
        p.documents
            .push(crate::core::project::AnnotatedDocument::new(
                extra,
                Default::default(),
            ));
        let rejected = {
            let mut editor = Editor::new(p.clone());
            let t = editor.project.tag(0, 7, 9, "GPE");
            editor.execute(t).expect("tag");
            let mut span = editor.project.documents[0]
                .spans
                .iter()
                .find(|s| s.start == 7)
                .expect("tagged")
                .clone();
            span.status = SpanStatus::Rejected;
            let t = editor.project.change_span("reject", 0, span);
            editor.execute(t).expect("reject");
            editor.project
        };
        for p in [&p, &rejected] {
            for span in p.documents[0].spans.iter() {
                let plan =
                    tag_other_occurrences(p, span.id, &Scope::Project, &TagOptions::default())
                        .expect("finds");
                let count = count_other_occurrences(p, span.id, &Scope::Project).expect("finds");
                assert_eq!(count, plan.added(), "span {} ({})", span.id, span.label);
                // Counted one hit a step (as the window spreads it over frames): the same
                // count, and none before the last hit is decided.
                let mut steps = OccurrenceCount::start(p, span.id, &Scope::Project)
                    .expect("finds")
                    .expect("the span exists");
                let hits = steps.hits.len();
                for _ in 1..hits {
                    assert_eq!(steps.step(p, 1), None, "span {}", span.id);
                }
                assert_eq!(steps.step(p, 1), Some(count), "span {}", span.id);
            }
        }
        assert_eq!(
            count_other_occurrences(&p, SpanId(999), &Scope::Project),
            Ok(0)
        );
    }
}
