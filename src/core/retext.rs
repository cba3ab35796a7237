//! Re-anchoring spans when a document's text changes.
//!
//! With the old and the new text ([`retext`], `spantag retext`): a character diff of the two
//! texts maps every span. A span whose characters all survive unchanged and in one piece moves
//! with them; a span that a change touches (a character of it deleted, replaced, or text
//! inserted inside it) is kept at its best mapping and listed for review. No span is ever
//! dropped silently: one the new text cannot hold at all (an empty new text) is listed too.
//!
//! Without the old text ([`reanchor_drift`], the window opening a file whose text was edited
//! by hand): the file keeps only each span's old offsets and surface text. Each span is placed
//! at the occurrence of its text nearest to where the shift of the spans before it predicts;
//! one found exactly there, or found only once nearby, moves; any other is kept at its best
//! guess and listed for review.
//!
//! A span kept for review gets status `suggested` and the attribute [`REVIEW_ATTRIBUTE`]
//! saying why, so review mode (`Ctrl+R`) walks through them. Pure: no files, no egui.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp};

use super::document::Document;
use super::project::{AnnotatedDocument, Project};
use super::project_file::{DocumentDrift, REANCHOR_WINDOW};
use super::span::{Span, SpanStatus};
use super::span_index::SpanIndex;

/// The attribute that says why a re-anchored span needs review.
pub const REVIEW_ATTRIBUTE: &str = "retext";

/// How long the diff may take before it settles for a coarser (still correct) result: spans
/// in the coarse part are then listed for review rather than the machine kept busy.
pub const DIFF_DEADLINE: Duration = Duration::from_secs(10);

/// What happened to one span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Its text is unchanged and at the same offsets.
    Unchanged,
    /// Its text is unchanged, at new offsets.
    Moved,
    /// Kept at its best mapping; a change touches it (the reason says how).
    Review(String),
    /// The new text cannot hold it (it is empty): not in the result, listed here.
    Unplaceable(String),
}

/// One span of the old document and where it went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapped {
    /// The span as it was.
    pub old: Span,
    /// Its old surface text.
    pub old_text: String,
    /// The span in the new text (status and attribute set for review); none when unplaceable.
    pub new: Option<Span>,
    pub fate: Fate,
}

impl Mapped {
    fn new(old: &Span, old_text: String, place: Option<(usize, usize)>, fate: Fate) -> Self {
        let new = place.map(|(start, end)| {
            let mut span = old.clone();
            span.start = start;
            span.end = end;
            if let Fate::Review(reason) = &fate {
                span.status = SpanStatus::Suggested;
                span.attributes
                    .insert(REVIEW_ATTRIBUTE.to_owned(), reason.clone());
            }
            span
        });
        Self {
            old: old.clone(),
            old_text,
            new,
            fate,
        }
    }

    pub fn needs_review(&self) -> bool {
        matches!(self.fate, Fate::Review(_) | Fate::Unplaceable(_))
    }
}

/// Counts for a summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub unchanged: usize,
    pub moved: usize,
    pub review: usize,
    pub unplaceable: usize,
}

pub fn summarize(mapped: &[Mapped]) -> Summary {
    let mut summary = Summary::default();
    for m in mapped {
        match m.fate {
            Fate::Unchanged => summary.unchanged += 1,
            Fate::Moved => summary.moved += 1,
            Fate::Review(_) => summary.review += 1,
            Fate::Unplaceable(_) => summary.unplaceable += 1,
        }
    }
    summary
}

/// Map `spans` of `old` onto `new` through a character diff.
pub fn retext(old: &Document, new: &Document, spans: &[Span]) -> Vec<Mapped> {
    let old_chars: Vec<char> = old.text().chars().collect();
    let new_chars: Vec<char> = new.text().chars().collect();
    let deadline = Instant::now() + DIFF_DEADLINE;
    let ops = similar::capture_diff_slices_deadline(
        Algorithm::Myers,
        &old_chars,
        &new_chars,
        Some(deadline),
    );
    drop((old_chars, new_chars));
    let map = DiffMap::new(ops);
    spans
        .iter()
        .map(|span| map_one(&map, old, new, span))
        .collect()
}

/// The project with document `doc_id`'s text replaced by `new_text` and its spans mapped
/// through [`retext`]; the other documents are untouched.
pub fn retext_document(
    project: &Project,
    doc_id: &str,
    new_text: String,
) -> Result<(Project, Vec<Mapped>), String> {
    let Some(index) = project
        .documents
        .iter()
        .position(|d| d.document.id == doc_id)
    else {
        let ids: Vec<&str> = project
            .documents
            .iter()
            .take(10)
            .map(|d| d.document.id.as_str())
            .collect();
        return Err(format!(
            "no document \"{doc_id}\" in the project (its documents: {}{})",
            ids.join(", "),
            if project.documents.len() > 10 {
                ", …"
            } else {
                ""
            }
        ));
    };
    let old = &project.documents[index];
    // A referenced text stays referenced: its file is where the changed text is kept.
    let new_document = Document::new(old.document.id.clone(), old.document.name.clone(), new_text)
        .with_reference(old.document.reference().cloned());
    let old_spans: Vec<Span> = old.spans.iter().cloned().collect();
    let mapped = retext(&old.document, &new_document, &old_spans);
    let spans: Vec<Span> = mapped.iter().filter_map(|m| m.new.clone()).collect();
    let kept: std::collections::HashSet<_> = spans.iter().map(|s| s.id).collect();
    let mut documents = project.documents.clone();
    let mut retexted = AnnotatedDocument::new(new_document, SpanIndex::new(spans));
    // Relations go with their spans: those between two spans that stay are kept. The brat
    // lines kept unmodelled name spans too; they stay, and an export leaves out any that name
    // a span gone (it says so).
    retexted.relations = crate::core::relation::Relations::new(
        old.relations
            .iter()
            .filter(|r| kept.contains(&r.from) && kept.contains(&r.to))
            .cloned()
            .collect(),
    );
    retexted.standoff = old.standoff.clone();
    documents[index] = retexted;
    let mut retexted_project = Project::from_parts(project.labels.clone(), documents).with_schema(
        project.relation_types().to_vec(),
        project.attributes().to_vec(),
    );
    retexted_project.raise_next_span_id(project.next_span_id());
    retexted_project.raise_next_relation_id(project.next_relation_id());
    Ok((retexted_project, mapped))
}

/// The diff as runs, ordered by old offset: each run is a stretch of the old text that is
/// equal in the new, or a change (deleted, replaced; an insertion is a change of old length 0).
struct DiffMap {
    ops: Vec<DiffOp>,
}

impl DiffMap {
    fn new(ops: Vec<DiffOp>) -> Self {
        Self { ops }
    }

    /// The op that holds old character `at` (the last op for the end of the text).
    fn op_of(&self, at: usize) -> Option<&DiffOp> {
        // Ops with an old range of length 0 (inserts) never hold a character.
        let i = self
            .ops
            .partition_point(|op| op.old_range().end <= at)
            .min(self.ops.len().saturating_sub(1));
        self.ops[i..].iter().find(|op| op.old_range().contains(&at))
    }

    /// Where old character `at` is in the new text, if it survived unchanged.
    fn exact(&self, at: usize) -> Option<usize> {
        match self.op_of(at)? {
            DiffOp::Equal {
                old_index,
                new_index,
                ..
            } => Some(new_index + (at - old_index)),
            _ => None,
        }
    }

    /// Best new position for a span starting at old character `at`: exact if it survived,
    /// else the start of what replaced it.
    fn start(&self, at: usize, new_len: usize) -> usize {
        match self.op_of(at) {
            Some(DiffOp::Equal {
                old_index,
                new_index,
                ..
            }) => new_index + (at - old_index),
            Some(op) => op.new_range().start,
            None => new_len,
        }
    }

    /// Best new end for a span whose last old character is `last`: just after it if it
    /// survived, else the end of what replaced it.
    fn end(&self, last: usize, new_len: usize) -> usize {
        match self.op_of(last) {
            Some(DiffOp::Equal {
                old_index,
                new_index,
                ..
            }) => new_index + (last - old_index) + 1,
            Some(op) => op.new_range().end,
            None => new_len,
        }
    }

    /// The index of the op holding old character `at`.
    fn index_of(&self, at: usize) -> usize {
        self.ops.partition_point(|op| op.old_range().end <= at)
    }
}

fn map_one(map: &DiffMap, old: &Document, new: &Document, span: &Span) -> Mapped {
    let old_text = old.slice(span.start, span.end).to_owned();
    let new_len = new.char_len();
    if span.is_empty() || span.end > old.char_len() {
        return Mapped::new(
            span,
            old_text,
            None,
            Fate::Unplaceable("its offsets do not fit the old text".to_owned()),
        );
    }
    let last = span.end - 1;
    // Moves with the text when its first and last characters survive in one equal run:
    // nothing was deleted, replaced or inserted between them.
    if let (Some(start), Some(end)) = (map.exact(span.start), map.exact(last))
        && map.index_of(span.start) == map.index_of(last)
    {
        let fate = if start == span.start {
            Fate::Unchanged
        } else {
            Fate::Moved
        };
        return Mapped::new(span, old_text, Some((start, end + 1)), fate);
    }
    let mut start = map.start(span.start, new_len);
    let mut end = map.end(last, new_len).max(start);
    let reason = if start == end {
        "its text was deleted".to_owned()
    } else {
        format!(
            "the text changed inside it: it was \"{}\"",
            super::formats::shorten(&old_text)
        )
    };
    if start == end {
        // Deleted: keep it as long as it was, where its text was, within the new text.
        if new_len == 0 {
            return Mapped::new(
                span,
                old_text,
                None,
                Fate::Unplaceable("the new text is empty".to_owned()),
            );
        }
        start = start.min(new_len - 1);
        end = (start + span.len()).min(new_len);
    }
    Mapped::new(span, old_text, Some((start, end)), Fate::Review(reason))
}

/// Place the spans the loader left out of a document whose text changed (the window's drift
/// dialog), without the old text: see the module documentation.
pub fn reanchor_drift(doc: &Document, drift: &DocumentDrift) -> Vec<Mapped> {
    let mut spans: Vec<_> = drift.spans.iter().collect();
    spans.sort_by_key(|d| (d.span.start, d.span.end));
    // Anchors: spans whose text occurs exactly once near their old place, with their shift
    // (new offset − old offset). Each span then expects the shift of the nearest anchor
    // before it (or after it, for the spans before the first anchor).
    let anchors: Vec<Option<i64>> = spans
        .iter()
        .map(|d| {
            match occurrences(doc, &d.recorded_text, d.span.start, REANCHOR_WINDOW).as_slice() {
                [only] => Some(*only as i64 - d.span.start as i64),
                _ => None,
            }
        })
        .collect();
    let first_anchor = anchors.iter().flatten().next().copied().unwrap_or(0);
    let mut shift = first_anchor;
    let mut mapped = Vec::with_capacity(spans.len());
    for (drifted, anchor) in spans.into_iter().zip(anchors) {
        let span = &drifted.span;
        let text = drifted.recorded_text.as_str();
        if let Some(own) = anchor {
            shift = own;
        }
        let predicted = (span.start as i64 + shift).max(0) as usize;
        let hits = occurrences(doc, text, predicted, REANCHOR_WINDOW);
        let nearest = hits
            .iter()
            .copied()
            .min_by_key(|&s| (s as i64 - predicted as i64).abs());
        let len = text.chars().count();
        let result = match nearest {
            Some(s) if s == predicted || hits.len() == 1 => {
                Mapped::new(span, text.to_owned(), Some((s, s + len)), Fate::Moved)
            }
            Some(s) => Mapped::new(
                span,
                text.to_owned(),
                Some((s, s + len)),
                Fate::Review(format!(
                    "\"{}\" occurs {} times nearby, none where the text around it moved; this is the nearest",
                    super::formats::shorten(text),
                    hits.len()
                )),
            ),
            None if doc.char_len() == 0 => Mapped::new(
                span,
                text.to_owned(),
                None,
                Fate::Unplaceable("the new text is empty".to_owned()),
            ),
            None => {
                let start = predicted.min(doc.char_len() - 1);
                let end = (start + span.len().max(1)).min(doc.char_len());
                Mapped::new(
                    span,
                    text.to_owned(),
                    Some((start, end)),
                    Fate::Review(format!(
                        "its text \"{}\" is no longer near its old place; kept where the text around it moved",
                        super::formats::shorten(text)
                    )),
                )
            }
        };
        mapped.push(result);
    }
    mapped
}

/// Code point offsets where `text` starts within `window` code points of `around`.
fn occurrences(doc: &Document, text: &str, around: usize, window: usize) -> Vec<usize> {
    if text.is_empty() {
        return Vec::new();
    }
    let from = around.saturating_sub(window);
    let to = around
        .saturating_add(window)
        .saturating_add(text.chars().count())
        .min(doc.char_len());
    if from >= to {
        return Vec::new();
    }
    let base = doc.char_to_byte(from);
    doc.slice(from, to)
        .match_indices(text)
        .map(|(b, _)| doc.byte_to_char(base + b))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::span::SpanId;

    fn spans(list: &[(usize, usize)]) -> Vec<Span> {
        list.iter()
            .enumerate()
            .map(|(i, &(s, e))| Span::new(SpanId(i as u64 + 1), s, e, "X"))
            .collect()
    }

    fn run(old: &str, new: &str, list: &[(usize, usize)]) -> Vec<Mapped> {
        retext(
            &Document::new("d", "d", old),
            &Document::new("d", "d", new),
            &spans(list),
        )
    }

    #[test]
    fn spans_outside_a_change_move_with_the_text() {
        let m = run(
            "习近平在北京会见古巴领导人",
            "今天习近平在北京会见古巴领导人",
            &[(0, 3), (4, 6), (8, 10)],
        );
        let places: Vec<_> = m
            .iter()
            .map(|m| m.new.as_ref().map(|s| (s.start, s.end)))
            .collect();
        assert_eq!(places, [Some((2, 5)), Some((6, 8)), Some((10, 12))]);
        assert!(m.iter().all(|m| m.fate == Fate::Moved));
    }

    #[test]
    fn a_span_touched_by_a_change_is_kept_for_review() {
        // 北京 becomes 北平: kept over the replacement, suggested, with the reason.
        let m = run("习近平在北京会见", "习近平在北平会见", &[(0, 3), (4, 6)]);
        assert_eq!(m[0].fate, Fate::Unchanged);
        let new = m[1].new.as_ref().expect("kept");
        assert_eq!((new.start, new.end), (4, 6));
        assert_eq!(new.status, SpanStatus::Suggested);
        assert!(new.attributes[REVIEW_ATTRIBUTE].contains("北京"));
    }

    #[test]
    fn a_deleted_span_is_kept_where_its_text_was() {
        let m = run("abc DELETED xyz", "abc xyz", &[(4, 11), (12, 15)]);
        assert!(matches!(m[0].fate, Fate::Review(_)));
        let new = m[0].new.as_ref().expect("kept");
        assert!(new.start < new.end && new.end <= 7);
        assert_eq!(m[1].fate, Fate::Moved);
        assert_eq!(m[1].new.as_ref().map(|s| (s.start, s.end)), Some((4, 7)));
    }

    #[test]
    fn an_insertion_inside_a_span_needs_review() {
        let m = run("New York", "New  York", &[(0, 8)]);
        assert!(matches!(m[0].fate, Fate::Review(_)));
        assert_eq!(m[0].new.as_ref().map(|s| (s.start, s.end)), Some((0, 9)));
    }

    #[test]
    fn an_empty_new_text_is_listed_not_dropped() {
        let m = run("abc", "", &[(0, 3)]);
        assert!(matches!(m[0].fate, Fate::Unplaceable(_)));
        assert!(m[0].new.is_none());
    }
}
