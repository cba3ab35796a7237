//! Several annotators' versions of the same documents, side by side: where they agree, where
//! they do not, and the building blocks of adjudication into a gold project.
//!
//! Documents are matched by the SHA-256 of their text. Spans that overlap (across annotators,
//! whatever their label) form a *unit*; a unit where every annotator has exactly the same spans
//! is an agreement, any other a disagreement of one of three kinds.

use std::collections::HashMap;

use thiserror::Error;

use super::document::Document;
use super::edit::{Edit, Transaction};
use super::label::LabelSet;
use super::project::{AnnotatedDocument, Project};
use super::span::{Span, SpanId, SpanStatus};
use super::span_index::SpanIndex;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CompareError {
    #[error("comparing needs at least two project files")]
    TooFew,
    #[error(
        "{other} has no document with the text of \"{doc_id}\" in {first} (SHA-256 {sha256}): \
         compared files must hold the same documents"
    )]
    MissingDocument {
        first: String,
        other: String,
        doc_id: String,
        sha256: String,
    },
    #[error(
        "{other} has a document \"{doc_id}\" whose text is in no document of {first}: compared \
         files must hold the same documents"
    )]
    ExtraDocument {
        first: String,
        other: String,
        doc_id: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// Every annotator has exactly the same spans here.
    Agreement,
    /// Some annotator has no span here.
    Missing,
    /// The same boundaries, different labels.
    Label,
    /// Overlapping spans with different boundaries.
    Boundary,
}

impl UnitKind {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Agreement => "agreement",
            Self::Missing => "missing",
            Self::Label => "different label",
            Self::Boundary => "different boundary",
        }
    }
}

/// Overlapping spans of all annotators over `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub start: usize,
    pub end: usize,
    /// Each annotator's spans in the unit, in document order.
    pub versions: Vec<Vec<Span>>,
    pub kind: UnitKind,
}

#[derive(Clone, Debug)]
pub struct ComparedDocument {
    pub document: Document,
    /// Each annotator's spans (accepted only), in document order.
    pub spans: Vec<Vec<Span>>,
    pub units: Vec<Unit>,
}

#[derive(Clone, Debug)]
pub struct Comparison {
    /// One name per annotator (file), in the order given.
    pub names: Vec<String>,
    pub labels: LabelSet,
    pub documents: Vec<ComparedDocument>,
}

/// Compare annotators' projects, given as `(name, project)`. Only accepted spans count.
pub fn compare(files: &[(String, Project)]) -> Result<Comparison, CompareError> {
    let [(first_name, first), rest @ ..] = files else {
        return Err(CompareError::TooFew);
    };
    if rest.is_empty() {
        return Err(CompareError::TooFew);
    }
    // Every file's documents by text hash.
    let by_sha: Vec<HashMap<&str, &AnnotatedDocument>> = files
        .iter()
        .map(|(_, p)| {
            p.documents
                .iter()
                .map(|d| (d.document.sha256(), d))
                .collect()
        })
        .collect();
    for ((name, project), _) in rest.iter().zip(&by_sha[1..]) {
        for d in &project.documents {
            if !by_sha[0].contains_key(d.document.sha256()) {
                return Err(CompareError::ExtraDocument {
                    first: first_name.clone(),
                    other: name.clone(),
                    doc_id: d.document.id.clone(),
                });
            }
        }
    }
    let mut labels = first.labels.clone();
    for (_, p) in rest {
        for label in p.labels.iter() {
            if labels.get(&label.name).is_none() {
                let mut label = label.clone();
                if labels.iter().any(|l| l.hotkey == label.hotkey) {
                    label.hotkey = labels.next_hotkey();
                }
                labels.insert(labels.len(), label);
            }
        }
    }
    let mut documents = Vec::new();
    for d in &first.documents {
        let sha = d.document.sha256();
        let mut spans = Vec::new();
        for ((name, _), index) in files.iter().zip(&by_sha) {
            let Some(theirs) = index.get(sha) else {
                return Err(CompareError::MissingDocument {
                    first: first_name.clone(),
                    other: name.clone(),
                    doc_id: d.document.id.clone(),
                    sha256: sha.to_owned(),
                });
            };
            spans.push(
                theirs
                    .spans
                    .iter()
                    .filter(|s| s.status == SpanStatus::Accepted)
                    .cloned()
                    .collect::<Vec<_>>(),
            );
        }
        let units = units(&spans);
        documents.push(ComparedDocument {
            document: d.document.clone(),
            spans,
            units,
        });
    }
    Ok(Comparison {
        names: files.iter().map(|(n, _)| n.clone()).collect(),
        labels,
        documents,
    })
}

/// Group the annotators' spans into units of overlapping spans.
fn units(spans: &[Vec<Span>]) -> Vec<Unit> {
    let mut all: Vec<(usize, &Span)> = spans
        .iter()
        .enumerate()
        .flat_map(|(a, list)| list.iter().map(move |s| (a, s)))
        .collect();
    all.sort_by_key(|(a, s)| (s.start, s.end, *a));
    let mut units = Vec::new();
    let mut current: Option<Unit> = None;
    for (a, span) in all {
        match &mut current {
            Some(u) if span.start < u.end => {
                u.end = u.end.max(span.end);
                u.versions[a].push(span.clone());
            }
            _ => {
                if let Some(u) = current.take() {
                    units.push(u);
                }
                let mut versions = vec![Vec::new(); spans.len()];
                versions[a].push(span.clone());
                current = Some(Unit {
                    start: span.start,
                    end: span.end,
                    versions,
                    kind: UnitKind::Agreement,
                });
            }
        }
    }
    units.extend(current);
    for u in &mut units {
        u.kind = classify(&u.versions);
    }
    units
}

fn classify(versions: &[Vec<Span>]) -> UnitKind {
    let key = |v: &Vec<Span>| {
        let mut k: Vec<_> = v
            .iter()
            .map(|s| (s.start, s.end, s.label.clone()))
            .collect();
        k.sort();
        k.dedup();
        k
    };
    let keys: Vec<_> = versions.iter().map(key).collect();
    if keys.iter().all(|k| *k == keys[0]) {
        return UnitKind::Agreement;
    }
    if keys.iter().any(Vec::is_empty) {
        return UnitKind::Missing;
    }
    let bounds = |k: &Vec<(usize, usize, crate::core::SharedStr)>| {
        let mut b: Vec<_> = k.iter().map(|(s, e, _)| (*s, *e)).collect();
        b.dedup();
        b
    };
    if keys.iter().all(|k| bounds(k) == bounds(&keys[0])) {
        UnitKind::Label
    } else {
        UnitKind::Boundary
    }
}

impl Comparison {
    /// An empty gold project over the compared documents, with every label any file uses.
    pub fn gold_project(&self) -> Project {
        Project::new(
            self.labels.clone(),
            self.documents.iter().map(|d| d.document.clone()).collect(),
        )
    }

    pub fn disagreements(&self) -> usize {
        self.documents
            .iter()
            .flat_map(|d| &d.units)
            .filter(|u| u.kind != UnitKind::Agreement)
            .count()
    }
}

/// The transaction that makes the gold spans over `unit` of document `doc` the given
/// annotators' spans there (none: the unit gets no span). Spans already in gold over the unit
/// are replaced; duplicates between annotators are taken once.
pub fn take(
    gold: &mut Project,
    doc: usize,
    unit: &Unit,
    annotators: &[usize],
    what: &str,
) -> Transaction {
    let Some(d) = gold.documents.get(doc) else {
        return Transaction::new(what, Vec::new());
    };
    let doc_id = d.document.doc_id();
    let replaced: Vec<_> = d
        .spans
        .overlapping(unit.start, unit.end)
        .map(|s| s.id)
        .collect();
    // The relations of the spans replaced go with them (the same undo step).
    let mut edits: Vec<Edit> = gold.detach(doc, &replaced);
    edits.extend(
        d.spans
            .overlapping(unit.start, unit.end)
            .map(|s| Edit::RemoveSpan {
                doc: doc_id.clone(),
                span: s.clone(),
            }),
    );
    let mut seen = Vec::new();
    // Group ids are per file: two annotators' group 1 are different mentions in gold.
    let mut next_group = gold
        .documents
        .iter()
        .flat_map(|d| d.spans.iter())
        .filter_map(|s| s.group)
        .max()
        .map_or(1, |g| g + 1);
    let mut groups: HashMap<(usize, u64), u64> = HashMap::new();
    for &a in annotators {
        for s in unit.versions.get(a).into_iter().flatten() {
            let key = (s.start, s.end, s.label.clone());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let mut span = s.clone();
            // The id is given when the transaction is applied.
            span.id = SpanId::NEW;
            span.status = SpanStatus::Accepted;
            span.group = s.group.map(|g| {
                *groups.entry((a, g)).or_insert_with(|| {
                    next_group += 1;
                    next_group - 1
                })
            });
            edits.push(Edit::AddSpan {
                doc: doc_id.clone(),
                span,
            });
        }
    }
    Transaction::new(what, edits)
}

/// The transaction that takes every agreement into gold (where gold has nothing yet).
pub fn take_agreements(gold: &mut Project, comparison: &Comparison) -> Transaction {
    let mut edits = Vec::new();
    for (doc, d) in comparison.documents.iter().enumerate() {
        for unit in d.units.iter().filter(|u| u.kind == UnitKind::Agreement) {
            let taken = gold
                .documents
                .get(doc)
                .is_some_and(|g| g.spans.overlapping(unit.start, unit.end).next().is_some());
            if !taken {
                edits.extend(take(gold, doc, unit, &[0], "").edits);
            }
        }
    }
    Transaction::new("take all agreements", edits)
}

/// Spans of `gold` (built by [`Comparison::gold_project`]) as a plain index, for display.
pub fn gold_spans(gold: &Project, doc: usize) -> Option<&SpanIndex> {
    gold.documents.get(doc).map(|d| &d.spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::markup;

    use crate::core::markup::project;

    fn kinds(c: &Comparison) -> Vec<(usize, usize, UnitKind)> {
        c.documents[0]
            .units
            .iter()
            .map(|u| (u.start, u.end, u.kind))
            .collect()
    }

    #[test]
    fn units_and_their_kinds() {
        let a = project("[习近平](PER)会见[古巴](GPE)[领导人](PER)和[越南](GPE)人，[北京](GPE)");
        let b = project("[习近平](PER)会见[古巴](ORG)领导人和[越南人](GPE)，北京");
        let c = compare(&[("a".into(), a), ("b".into(), b)]).expect("same text");
        assert_eq!(
            kinds(&c),
            vec![
                (0, 3, UnitKind::Agreement),
                (5, 7, UnitKind::Label),
                (7, 10, UnitKind::Missing),
                (11, 14, UnitKind::Boundary),
                (15, 17, UnitKind::Missing),
            ]
        );
        assert_eq!(c.disagreements(), 4);
    }

    #[test]
    fn different_texts_are_refused() {
        let a = project("习近平");
        let b = project("李强");
        let error = compare(&[("a.json".into(), a), ("b.json".into(), b)]).expect_err("refused");
        assert!(
            error
                .to_string()
                .starts_with("b.json has a document \"d1\" whose text is in no document of a.json"),
            "{error}"
        );
        assert_eq!(
            compare(&[("a".into(), project("x"))]).expect_err("one"),
            CompareError::TooFew
        );
    }

    #[test]
    fn adjudication_takes_sides_and_agreements_and_undoes() {
        let a = project("[习近平](PER)会见[古巴](GPE)和[越南](GPE)");
        let b = project("[习近平](PER)会见[古巴](ORG)和越南");
        let c = compare(&[("a".into(), a), ("b".into(), b)]).expect("same");
        let mut gold = crate::core::Editor::new(c.gold_project());
        let t = take_agreements(&mut gold.project, &c);
        gold.execute(t).expect("agreements");
        let u = c.documents[0].units[1].clone();
        let t = take(&mut gold.project, 0, &u, &[1], "take b");
        gold.execute(t).expect("take b");
        let u = c.documents[0].units[2].clone();
        let t = take(&mut gold.project, 0, &u, &[0, 1], "take both");
        gold.execute(t).expect("both");
        let render = |p: &Project| {
            let d = &p.documents[0];
            let s: Vec<_> = d
                .spans
                .iter()
                .map(|s| (s.start, s.end, s.label.to_string()))
                .collect();
            markup::render(d.document.text(), &s)
        };
        assert_eq!(
            render(&gold.project),
            "[习近平](PER)会见[古巴](ORG)和[越南](GPE)"
        );
        // Changing one's mind replaces what was taken.
        let u = c.documents[0].units[1].clone();
        let t = take(&mut gold.project, 0, &u, &[0], "take a");
        gold.execute(t).expect("take a");
        assert_eq!(
            render(&gold.project),
            "[习近平](PER)会见[古巴](GPE)和[越南](GPE)"
        );
        gold.undo().expect("undo");
        assert_eq!(
            render(&gold.project),
            "[习近平](PER)会见[古巴](ORG)和[越南](GPE)"
        );
    }

    #[test]
    fn groups_from_different_annotators_stay_different_mentions_in_gold() {
        let mut a = project("[习](PER)近[平](PER)在北京");
        let mut b = project("[习](PER)近[平](PER)在北京");
        for p in [&mut a, &mut b] {
            let spans: Vec<_> = p.documents[0].spans.iter().cloned().collect();
            for mut s in spans {
                s.group = Some(1);
                let t = p.change_span("group", 0, s);
                p.apply(&t).expect("valid");
            }
        }
        let c = compare(&[("a".into(), a), ("b".into(), b)]).expect("same");
        let mut gold = c.gold_project();
        let first = c.documents[0].units[0].clone();
        let t = take(&mut gold, 0, &first, &[0], "take a");
        gold.apply(&t).expect("take");
        let second = c.documents[0].units[1].clone();
        let t = take(&mut gold, 0, &second, &[1], "take b");
        gold.apply(&t).expect("take");
        let groups: Vec<_> = gold.documents[0].spans.iter().map(|s| s.group).collect();
        assert_eq!(groups, vec![Some(1), Some(2)]);
    }
}
