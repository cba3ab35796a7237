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
    println!("  documents: {}", super::status::summary(&project));
    match stats.merge_conflicts {
        0 => {}
        1 => println!("  1 merge conflict remains"),
        n => println!("  {n} merge conflicts remain"),
    }
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
    if !stats.per_relation_type.is_empty() {
        let width = stats
            .per_relation_type
            .keys()
            .map(|t| t.width())
            .max()
            .unwrap_or(8)
            .max(8);
        println!("  {}  count", padded("relation", width));
        // In the project's order of relation types, then any a relation names beyond them.
        let mut order: Vec<&str> = project
            .relation_types()
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        for name in stats.per_relation_type.keys() {
            if !order.contains(&name.as_str()) {
                order.push(name);
            }
        }
        for name in order {
            let count = stats.per_relation_type.get(name).copied().unwrap_or(0);
            println!("  {}  {count:>5}", padded(name, width));
        }
        let statuses: Vec<String> = stats
            .per_relation_status
            .iter()
            .map(|(status, n)| format!("{n} {status}"))
            .collect();
        println!("  relations: {} ({})", stats.relations, statuses.join(", "));
    }
    if !stats.attributes.is_empty() {
        println!("  attribute: spans per value");
        for (name, values) in &stats.attributes {
            let shown: Vec<String> = values
                .iter()
                .map(|(value, n)| format!("{value} {n}"))
                .collect();
            let spans: usize = values.values().sum();
            if shown.is_empty() {
                println!("  {name}: 0 spans");
            } else {
                println!("  {name}: {spans} spans ({})", shown.join(", "));
            }
        }
    }
    if !stats.kept_brat_lines.is_empty() {
        let kinds: Vec<String> = stats
            .kept_brat_lines
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        println!(
            "  brat lines kept as read (events, normalisations, ...): {}",
            kinds.join(", ")
        );
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
