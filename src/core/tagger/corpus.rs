//! What the tagger learns from: the accepted spans of projects, as sentences of characters with
//! their entities.
//!
//! A document counts only up to its last sentence holding an accepted span: an annotator works
//! from the top, so the text after that is not yet looked at, not "no entities". Overlapping
//! spans are resolved longest first (the CoNLL export's rule); a span across a sentence break
//! cannot be learnt as one entity and is left out (counted).

use std::collections::HashMap;

use super::features::sentences;
use crate::core::project::Project;
use crate::core::span::{Span, SpanStatus, longest_first};

/// A sentence and its entities (start, end, label index), in character offsets within it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrainingSentence {
    pub chars: Vec<char>,
    pub spans: Vec<(usize, usize, u16)>,
}

#[derive(Clone, Debug, Default)]
pub struct Corpus {
    pub labels: Vec<String>,
    /// Documents, each a list of sentences.
    pub documents: Vec<Vec<TrainingSentence>>,
    /// Accepted spans left out: across a sentence break, or overlapping a longer span.
    pub left_out: usize,
}

impl Corpus {
    /// The accepted spans of every document of `projects` that has any.
    pub fn from_projects(projects: &[&Project]) -> Corpus {
        let mut corpus = Corpus::default();
        let mut label_index: HashMap<String, u16> = HashMap::new();
        for project in projects {
            for doc in &project.documents {
                let accepted: Vec<_> = doc
                    .spans
                    .iter()
                    .filter(|s| s.status == SpanStatus::Accepted)
                    .collect();
                if accepted.is_empty() {
                    continue;
                }
                let chars: Vec<char> = doc.document.text().chars().collect();
                let ranges = sentences(doc.document.text());
                // Spans by sentence; overlaps are resolved within each sentence, which keeps
                // the longest-first rule linear in the number of sentences.
                let mut by_sentence: Vec<Vec<&Span>> = vec![Vec::new(); ranges.len()];
                for span in accepted {
                    let k = ranges.partition_point(|r| r.end <= span.start);
                    match ranges.get(k) {
                        Some(r)
                            if r.start <= span.start
                                && span.end <= r.end
                                && span.start < span.end =>
                        {
                            by_sentence[k].push(span)
                        }
                        _ => corpus.left_out += 1,
                    }
                }
                let mut sentences = Vec::with_capacity(ranges.len());
                let mut last = None;
                for (k, (range, spans)) in ranges.iter().zip(&by_sentence).enumerate() {
                    let resolved = longest_first(spans);
                    corpus.left_out += resolved.dropped.len();
                    let mut sentence = TrainingSentence {
                        chars: chars[range.clone()].to_vec(),
                        spans: Vec::with_capacity(resolved.kept.len()),
                    };
                    for span in resolved.kept {
                        let next = label_index.len() as u16;
                        let label =
                            *label_index
                                .entry(span.label.to_string())
                                .or_insert_with(|| {
                                    corpus.labels.push(span.label.to_string());
                                    next
                                });
                        sentence.spans.push((
                            span.start - range.start,
                            span.end - range.start,
                            label,
                        ));
                        last = Some(k);
                    }
                    sentences.push(sentence);
                }
                if let Some(last) = last {
                    sentences.truncate(last + 1);
                    corpus.documents.push(sentences);
                }
            }
        }
        corpus
    }

    pub fn sentences(&self) -> impl Iterator<Item = &TrainingSentence> {
        self.documents.iter().flatten()
    }

    pub fn sentence_count(&self) -> usize {
        self.documents.iter().map(Vec::len).sum()
    }

    pub fn span_count(&self) -> usize {
        self.sentences().map(|s| s.spans.len()).sum()
    }

    pub fn char_count(&self) -> usize {
        self.sentences().map(|s| s.chars.len()).sum()
    }

    /// Cut off the last 10% for evaluation: of the documents when there are at least 10, else
    /// of the sentences. `None` when there are fewer than 10 sentences.
    pub fn held_out_split(&self) -> Option<(Corpus, Corpus, HeldOut)> {
        let part = |documents: Vec<Vec<TrainingSentence>>| Corpus {
            labels: self.labels.clone(),
            documents,
            left_out: 0,
        };
        if self.documents.len() >= 10 {
            let test = self.documents.len() / 10;
            let cut = self.documents.len() - test;
            return Some((
                part(self.documents[..cut].to_vec()),
                part(self.documents[cut..].to_vec()),
                HeldOut::Documents(test),
            ));
        }
        let all: Vec<TrainingSentence> = self.sentences().cloned().collect();
        if all.len() < 10 {
            return None;
        }
        let test = all.len() / 10;
        let cut = all.len() - test;
        Some((
            part(vec![all[..cut].to_vec()]),
            part(vec![all[cut..].to_vec()]),
            HeldOut::Sentences(test),
        ))
    }
}

/// What was held out for evaluation, and how many.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeldOut {
    Documents(usize),
    Sentences(usize),
}

impl std::fmt::Display for HeldOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeldOut::Documents(n) => write!(f, "the last {n} documents (10%)"),
            HeldOut::Sentences(n) => write!(f, "the last {n} sentences (10%)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::markup;

    #[test]
    fn a_document_counts_up_to_its_last_tagged_sentence() {
        let project = markup::project(
            "[刘备](PER)到了。天下大乱。[曹操](PER)也来了[许都](LOC)！后面没有标注。还没有。",
        );
        let untagged = markup::project("没有任何标注的文件。");
        let corpus = Corpus::from_projects(&[&project, &untagged]);
        assert_eq!(corpus.labels, ["PER", "LOC"]);
        assert_eq!(corpus.documents.len(), 1);
        let sentences = &corpus.documents[0];
        assert_eq!(sentences.len(), 3);
        assert_eq!(sentences[0].spans, [(0, 2, 0)]);
        assert!(sentences[1].spans.is_empty());
        assert_eq!(sentences[2].spans, [(0, 2, 0), (5, 7, 1)]);
        assert_eq!(corpus.left_out, 0);
    }

    #[test]
    fn overlaps_keep_the_longest_and_spans_across_a_sentence_break_are_left_out() {
        let project = markup::project("[[古巴](GPE)共产党](ORG)开会。[刘备！关羽](PER)来了。");
        let corpus = Corpus::from_projects(&[&project]);
        assert_eq!(corpus.labels, ["ORG"]);
        assert_eq!(corpus.documents[0][0].spans, [(0, 5, 0)]);
        assert_eq!(corpus.documents[0].len(), 1);
        assert_eq!(corpus.left_out, 2);
    }
}
