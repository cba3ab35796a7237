use std::path::PathBuf;
use std::process::ExitCode;

use crate::core::project_file;
use crate::core::stats::compute;
use anyhow::Context as _;
use unicode_width::UnicodeWidthStr as _;

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
    // Columns by display width, not by characters: 人名 takes four columns in a terminal.
    let width = project
        .labels
        .iter()
        .map(|l| l.name.width())
        .max()
        .unwrap_or(5)
        .max(5);
    println!("  {}  spans", padded("label", width));
    for label in project.labels.iter() {
        let count = stats.per_label.get(&label.name).copied().unwrap_or(0);
        println!("  {}  {count:>5}", padded(&label.name, width));
    }
    let width = stats
        .per_annotator
        .keys()
        .map(|a| a.width())
        .max()
        .unwrap_or(9)
        .max(9);
    println!("  {}  spans", padded("annotator", width));
    for (annotator, count) in &stats.per_annotator {
        println!("  {}  {count:>5}", padded(annotator, width));
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

/// `text` and spaces up to `width` terminal columns (`{:<width$}` counts characters).
fn padded(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}
