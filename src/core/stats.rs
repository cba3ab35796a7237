//! Counts over a project: documents, characters, spans per label, status, annotator and
//! document, relations per type and status, attribute values, and review progress. `spantag stats` prints them; the statistics view charts them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{DocStatus, Progress, Project, SpanStatus};

#[derive(Serialize)]
pub struct Stats {
    pub documents: usize,
    pub characters: usize,
    pub spans: usize,
    /// Every label of the set, zero counts included, in label-set order.
    pub per_label: BTreeMap<String, usize>,
    pub per_status: BTreeMap<String, usize>,
    /// Spans per annotator; spans without one are counted under [`NO_ANNOTATOR`].
    pub per_annotator: BTreeMap<String, usize>,
    pub review: ReviewProgress,
    /// Documents done, in progress and not started (see `doc_status`).
    pub progress: Progress,
    pub per_document: Vec<DocumentStats>,
    pub relations: usize,
    /// Every relation type, zero counts included.
    pub per_relation_type: BTreeMap<String, usize>,
    pub per_relation_status: BTreeMap<String, usize>,
    /// For each attribute set on some span (and every defined one), how many spans have each
    /// value.
    pub attributes: BTreeMap<String, BTreeMap<String, usize>>,
    /// brat lines kept as read (events, normalisations, ...), by kind (`E`, `N`, `*`, ...).
    pub kept_brat_lines: BTreeMap<String, usize>,
    /// Merge conflicts kept in the file and not yet resolved (see `merge_conflicts`).
    pub merge_conflicts: usize,
}

/// The key of spans without an annotator in `per_annotator`.
pub const NO_ANNOTATOR: &str = "(none)";

/// How far review has got: a span is reviewed once it is no longer suggested.
#[derive(Serialize)]
pub struct ReviewProgress {
    pub accepted: usize,
    pub suggested: usize,
    pub rejected: usize,
    /// (accepted + rejected) / all spans; 1 when there are no spans (nothing waits for review).
    pub reviewed_share: f64,
}

impl ReviewProgress {
    fn new(accepted: usize, suggested: usize, rejected: usize) -> Self {
        let all = accepted + suggested + rejected;
        let reviewed_share = if all == 0 {
            1.0
        } else {
            (accepted + rejected) as f64 / all as f64
        };
        Self {
            accepted,
            suggested,
            rejected,
            reviewed_share,
        }
    }
}

#[derive(Serialize)]
pub struct DocumentStats {
    pub id: String,
    pub characters: usize,
    pub spans: usize,
    pub status: DocStatus,
    pub per_label: BTreeMap<String, usize>,
}

pub fn compute(project: &Project) -> Stats {
    let zero_counts: BTreeMap<String, usize> =
        project.labels.iter().map(|l| (l.name.clone(), 0)).collect();
    let mut per_label = zero_counts.clone();
    let mut per_status = BTreeMap::new();
    let mut per_annotator = BTreeMap::new();
    let (mut accepted, mut suggested, mut rejected) = (0, 0, 0);
    let mut per_document = Vec::new();
    let mut per_relation_type: BTreeMap<String, usize> = project
        .relation_types()
        .iter()
        .map(|t| (t.name.clone(), 0))
        .collect();
    let mut per_relation_status = BTreeMap::new();
    let mut attributes: BTreeMap<String, BTreeMap<String, usize>> = project
        .attributes()
        .iter()
        .map(|a| (a.name.clone(), BTreeMap::new()))
        .collect();
    let mut kept_brat_lines = BTreeMap::new();
    let mut progress = Progress::default();
    for (i, d) in project.documents.iter().enumerate() {
        let status = project.doc_status(i).unwrap_or(DocStatus::NotStarted);
        progress.count(status);
        for relation in d.relations.iter() {
            *per_relation_type.entry(relation.kind.clone()).or_default() += 1;
            *per_relation_status
                .entry(relation.status.as_str().to_owned())
                .or_default() += 1;
        }
        for line in &d.standoff {
            *kept_brat_lines.entry(line.kind().to_string()).or_default() += 1;
        }
        for span in d.spans.iter() {
            for (name, value) in &span.attributes {
                *attributes
                    .entry(name.clone())
                    .or_default()
                    .entry(value.clone())
                    .or_default() += 1;
            }
        }
        let mut doc_labels = zero_counts.clone();
        for span in d.spans.iter() {
            *doc_labels.entry(span.label.to_string()).or_default() += 1;
            *per_label.entry(span.label.to_string()).or_default() += 1;
            *per_status
                .entry(span.status.as_str().to_owned())
                .or_default() += 1;
            let annotator = span.annotator.as_deref().unwrap_or(NO_ANNOTATOR);
            *per_annotator.entry(annotator.to_owned()).or_default() += 1;
            match span.status {
                SpanStatus::Accepted => accepted += 1,
                SpanStatus::Suggested => suggested += 1,
                SpanStatus::Rejected => rejected += 1,
            }
        }
        per_document.push(DocumentStats {
            id: d.document.id.clone(),
            characters: d.document.char_len(),
            spans: d.spans.len(),
            status,
            per_label: doc_labels,
        });
    }
    Stats {
        documents: project.documents.len(),
        characters: per_document.iter().map(|d| d.characters).sum(),
        spans: project.span_count(),
        per_label,
        per_status,
        per_annotator,
        review: ReviewProgress::new(accepted, suggested, rejected),
        progress,
        per_document,
        relations: project.relation_count(),
        per_relation_type,
        per_relation_status,
        attributes,
        kept_brat_lines,
        merge_conflicts: super::merge_conflicts::count(project),
    }
}
