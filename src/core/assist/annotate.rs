//! A pre-annotation run: gazetteers and rules over every document of a project that is not
//! marked done, as one transaction of `suggested` spans to review.
//!
//! Spans from a gazetteer have annotator [`GAZETTEER_ANNOTATOR`], spans from rules
//! [`RULES_ANNOTATOR`]: review filters and `spantag stats` can then tell the two sources apart
//! from each other and from people. Gazetteer matches are planned before rule matches, so where
//! both find the same place with the same label, the gazetteer's span (with its note) is the
//! one added and the rule's is counted as covered.

use crate::core::project::Project;
use crate::core::span::SpanStatus;

use super::gazetteer::{Gazetteer, GazetteerError};
use super::plan::{Candidate, Plan, TagOptions, plan};
use super::rules::Rules;

pub const GAZETTEER_ANNOTATOR: &str = "gazetteer";
pub const RULES_ANNOTATOR: &str = "rules";

/// What to annotate with.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub gazetteer: Gazetteer,
    pub rules: Rules,
    /// Mentions and matches shorter than this many code points are left out.
    pub min_length: usize,
}

/// The result of [`annotate`]: the plan (one transaction and the counts per label).
pub type Annotation = Plan;

/// Every gazetteer and rule match in `project`'s documents not marked done as `suggested`
/// spans, skipping places already covered by a span of the label or rejected before (see
/// [`super::plan`]). Only reads
/// `project`; apply the transaction to get the spans.
pub fn annotate(project: &Project, sources: &Sources) -> Result<Annotation, GazetteerError> {
    let min_length = sources.min_length.max(1);
    let matcher = sources.gazetteer.matcher(min_length)?;
    let mut candidates = Vec::new();
    for (i, d) in project.documents.iter().enumerate() {
        if project.is_done(i) {
            // Finished work is not reopened by suggestions.
            continue;
        }
        let document = &d.document;
        let doc = document.doc_id();
        for (start, end, senses) in matcher.matches(document) {
            for sense in senses {
                candidates.push(Candidate {
                    doc: doc.clone(),
                    start,
                    end,
                    label: sense.label.clone(),
                    note: sense.note(),
                    annotator: Some(GAZETTEER_ANNOTATOR.to_owned()),
                });
            }
        }
        for rule in &sources.rules.rules {
            for (start, end) in rule.matches(document) {
                if end - start < min_length {
                    continue;
                }
                candidates.push(Candidate {
                    doc: doc.clone(),
                    start,
                    end,
                    label: rule.label.clone(),
                    note: None,
                    annotator: Some(RULES_ANNOTATOR.to_owned()),
                });
            }
        }
    }
    let options = TagOptions {
        status: SpanStatus::Suggested,
        annotator: None,
    };
    Ok(plan(
        project,
        candidates,
        &options,
        "annotate with gazetteers and rules",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::markup::{project, render_document};

    #[test]
    fn documents_marked_done_are_not_annotated() {
        use crate::core::{Document, LabelSet, Project};
        let mut p = Project::new(
            LabelSet::from_names(&["PER"]),
            vec![
                Document::new("a", "a.txt", "刘备来了"),
                Document::new("b", "b.txt", "刘备来了"),
            ],
        );
        let done = p.mark_done(&[1], true);
        p.apply(&done).expect("marks");
        let mut sources = Sources::default();
        sources.gazetteer.add("刘备", "PER", None);
        let result = annotate(&p, &sources).expect("annotates");
        p.apply(&result.transaction).expect("applies");
        assert_eq!(p.documents[0].spans.len(), 1);
        assert_eq!(p.documents[1].spans.len(), 0, "done: left alone");
    }

    #[test]
    fn gazetteer_then_rules_as_suggestions_with_notes() {
        let mut p = project("[刘备](PER)字玄德, 刘备玄德于184年起兵; 刘备。");
        let mut sources = Sources::default();
        sources
            .gazetteer
            .add_file(
                "g.tsv",
                "刘备\t刘备\tPER\n刘备玄德\t刘备\tPER\n玄德\t刘备\tPER\n",
                None,
            )
            .expect("loads");
        sources
            .rules
            .add_file("r.tsv", "DATE\t[0-9]+年\nPER\t刘备\n")
            .expect("loads");
        let result = annotate(&p, &sources).expect("annotates");
        assert_eq!(result.per_label["PER"].added, 3);
        // The accepted 刘备 (gazetteer and rule); the rule's 刘备 inside the gazetteer's 刘备玄德, and its last 刘备.
        assert_eq!(result.per_label["PER"].covered, 4);
        assert_eq!(result.per_label["DATE"].added, 1);
        p.apply(&result.transaction).expect("applies");
        assert_eq!(
            render_document(&p, 0),
            "[刘备](PER)字[玄德](PER), [刘备玄德](PER)于[184年](DATE)起兵; [刘备](PER)。"
        );
        let suggested: Vec<_> = p.documents[0]
            .spans
            .iter()
            .filter(|s| s.status == SpanStatus::Suggested)
            .map(|s| (s.label.as_str(), s.annotator.as_deref(), s.note.as_deref()))
            .collect();
        assert_eq!(
            suggested,
            [
                ("PER", Some("gazetteer"), Some("刘备")),
                ("PER", Some("gazetteer"), Some("刘备")),
                ("DATE", Some("rules"), None),
                ("PER", Some("gazetteer"), Some("刘备")),
            ]
        );
    }
}
