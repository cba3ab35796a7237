use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;

use crate::core::{Project, SpanStatus, project_file};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Project file.
    file: PathBuf,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

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
    pub per_document: Vec<DocumentStats>,
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
    for d in &project.documents {
        let mut doc_labels = zero_counts.clone();
        for span in d.spans.iter() {
            *doc_labels.entry(span.label.clone()).or_default() += 1;
            *per_label.entry(span.label.clone()).or_default() += 1;
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
        per_document,
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let project = project_file::load(&args.file)?;
    let stats = compute(&project);
    if args.json {
        let json = serde_json::to_string_pretty(&stats).context("cannot print statistics")?;
        println!("{json}");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}: {} documents, {} characters, {} spans",
        args.file.display(),
        stats.documents,
        stats.characters,
        stats.spans
    );
    let width = project
        .labels
        .iter()
        .map(|l| l.name.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    println!("  {:<width$}  spans", "label");
    for label in project.labels.iter() {
        let count = stats.per_label.get(&label.name).copied().unwrap_or(0);
        println!("  {:<width$}  {count:>5}", label.name);
    }
    let width = stats
        .per_annotator
        .keys()
        .map(|a| a.chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    println!("  {:<width$}  spans", "annotator");
    for (annotator, count) in &stats.per_annotator {
        println!("  {annotator:<width$}  {count:>5}");
    }
    let review = &stats.review;
    println!(
        "  review: {} accepted, {} suggested, {} rejected; {:.1}% reviewed",
        review.accepted,
        review.suggested,
        review.rejected,
        review.reviewed_share * 100.0
    );
    Ok(ExitCode::SUCCESS)
}
