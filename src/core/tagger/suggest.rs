//! Proposing spans: the model tags every sentence of a project's documents, and what it finds
//! becomes `suggested` spans with annotator `model`, in one transaction (one undo step).
//!
//! A proposal is left out where a span of the same label already overlaps it (accepted,
//! suggested, or rejected: the user said no to that label there) and where an accepted span of
//! any label has exactly its bounds (the user already decided what that is). Documents the
//! user marked done are not tagged at all: their work is finished, and new suggestions there
//! would only reopen it.

use std::collections::BTreeMap;

use super::features::sentences;
use super::model::Model;
use crate::core::edit::{Edit, Transaction};
use crate::core::label::{Label, LabelSet};
use crate::core::project::Project;
use crate::core::span::{Span, SpanId, SpanStatus};

/// The annotator name of the spans the tagger proposes.
pub const ANNOTATOR: &str = "model";

pub struct Suggestions {
    /// Adds the model's labels the project lacks, then the suggested spans.
    pub transaction: Transaction,
    /// How many spans are suggested, per label.
    pub added: BTreeMap<String, usize>,
    /// Proposals left out because of a span already there.
    pub skipped: usize,
    /// Documents left alone because the user marked them done.
    pub documents_done: usize,
}

impl Suggestions {
    pub fn total(&self) -> usize {
        self.added.values().sum()
    }
}

/// The entities the model finds in `text`: (start, end, label index) in code points, trimmed
/// of surrounding whitespace.
pub fn tag_text(model: &Model, text: &str) -> Vec<(usize, usize, u16)> {
    tag_texts(model, &[text]).pop().unwrap_or_default()
}

/// [`tag_text`] of each of `texts`, whose sentences are tagged together
/// ([`Model::tag_sentences`]: a name found in one document helps find it in the others).
pub fn tag_texts(model: &Model, texts: &[&str]) -> Vec<Vec<(usize, usize, u16)>> {
    let chars: Vec<Vec<char>> = texts.iter().map(|t| t.chars().collect()).collect();
    // (text, sentence range) of every sentence of every text.
    let ranges: Vec<(usize, std::ops::Range<usize>)> = texts
        .iter()
        .enumerate()
        .flat_map(|(t, text)| sentences(text).into_iter().map(move |r| (t, r)))
        .collect();
    let parts: Vec<&[char]> = ranges.iter().map(|(t, r)| &chars[*t][r.clone()]).collect();
    let mut found: Vec<Vec<(usize, usize, u16)>> = vec![Vec::new(); texts.len()];
    for ((t, range), spans) in ranges.iter().zip(model.tag_sentences(&parts)) {
        let chars = &chars[*t];
        for (mut s, mut e, l) in spans {
            s += range.start;
            e += range.start;
            while s < e && chars[s].is_whitespace() {
                s += 1;
            }
            while e > s && chars[e - 1].is_whitespace() {
                e -= 1;
            }
            if s < e {
                found[*t].push((s, e, l));
            }
        }
    }
    found
}

/// The suggestions `model` makes for every document of `project`.
pub fn suggest(model: &Model, project: &Project) -> Suggestions {
    let mut edits = Vec::new();
    let mut labels: Vec<Label> = project.labels.iter().cloned().collect();
    for name in model.labels() {
        if !labels.iter().any(|l| &l.name == name) {
            let set = LabelSet::new(labels.clone());
            let label = Label::new(name, set.next_color(), set.next_hotkey(), "");
            edits.push(Edit::AddLabel {
                index: labels.len(),
                label: label.clone(),
            });
            labels.push(label);
        }
    }
    let mut added = BTreeMap::new();
    let mut skipped = 0;
    let open: Vec<_> = project
        .documents
        .iter()
        .enumerate()
        .filter(|&(i, _)| !project.is_done(i))
        .map(|(_, doc)| doc)
        .collect();
    let texts: Vec<&str> = open.iter().map(|doc| doc.document.text()).collect();
    for (doc, found) in open.iter().zip(tag_texts(model, &texts)) {
        for (start, end, label) in found {
            let label = &model.labels()[usize::from(label)];
            let taken = doc.spans.overlapping(start, end).any(|s| {
                &s.label == label
                    || (s.status == SpanStatus::Accepted && s.start == start && s.end == end)
            });
            if taken {
                skipped += 1;
                continue;
            }
            let mut span = Span::new(SpanId::NEW, start, end, label.as_str());
            span.status = SpanStatus::Suggested;
            span.annotator = Some(ANNOTATOR.into());
            edits.push(Edit::AddSpan {
                doc: doc.document.doc_id(),
                span,
            });
            *added.entry(label.clone()).or_insert(0) += 1;
        }
    }
    let total: usize = added.values().sum();
    Suggestions {
        transaction: Transaction::new(format!("suggest {total} spans (model)"), edits),
        added,
        skipped,
        documents_done: project.documents.len() - open.len(),
    }
}
