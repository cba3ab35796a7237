//! Proposing spans: the model tags every sentence of a project's documents, and what it finds
//! becomes `suggested` spans with annotator `model`, in one transaction (one undo step).
//!
//! A proposal is left out where a span of the same label already overlaps it (accepted,
//! suggested, or rejected: the user said no to that label there) and where an accepted span of
//! any label has exactly its bounds (the user already decided what that is).

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
}

impl Suggestions {
    pub fn total(&self) -> usize {
        self.added.values().sum()
    }
}

/// The entities the model finds in `text`: (start, end, label index) in code points, trimmed
/// of surrounding whitespace. The text's sentences are tagged together
/// ([`Model::tag_sentences`]: a name found in one helps find it in the others).
pub fn tag_text(model: &Model, text: &str) -> Vec<(usize, usize, u16)> {
    let chars: Vec<char> = text.chars().collect();
    let ranges = sentences(text);
    let parts: Vec<&[char]> = ranges.iter().map(|r| &chars[r.clone()]).collect();
    let mut found: Vec<(usize, usize, u16)> = ranges
        .iter()
        .zip(model.tag_sentences(&parts))
        .flat_map(|(range, spans)| {
            spans
                .into_iter()
                .map(move |(s, e, l)| (range.start + s, range.start + e, l))
        })
        .collect();
    found.retain_mut(|(s, e, _)| {
        while *s < *e && chars[*s].is_whitespace() {
            *s += 1;
        }
        while *e > *s && chars[*e - 1].is_whitespace() {
            *e -= 1;
        }
        s < e
    });
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
    for doc in &project.documents {
        for (start, end, label) in tag_text(model, doc.document.text()) {
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
            span.annotator = Some(ANNOTATOR.to_owned());
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
    }
}
