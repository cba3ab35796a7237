use std::path::PathBuf;
use std::process::ExitCode;

use crate::core::project_file;
use crate::core::stats::compute;
use anyhow::Context as _;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Project file.
    file: PathBuf,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
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
    println!("  documents: {}", super::status::summary(&project));
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
