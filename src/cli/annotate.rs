//! `spantag annotate`: pre-annotate a project with gazetteers and rules, as suggestions.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use crate::core::assist::{self, Sources};
use crate::core::project_file;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Files:
  gazetteer .tsv  MENTION<TAB>LABEL or MENTION<TAB>NORMALISED<TAB>LABEL per line; a first line
                  whose last field is `label` or `type` is a header. The normalised forms of a
                  mention are written on its spans as the note, joined with \" | \".
  gazetteer .txt  one mention per line, all tagged with --label.
  rules           LABEL<TAB>REGEX per line (regex crate syntax); # comments and blank lines.

Matching is over characters, no tokenizer: at each place the longest gazetteer entry wins
(leftmost-longest over all entries of all gazetteers); each rule gives its leftmost-first,
non-overlapping matches. A place is skipped when a span of the same label (not rejected)
already overlaps it, or when a span with exactly its bounds and label was rejected. The new
spans are `suggested`, with annotator `gazetteer` or `rules`; labels the project lacks are
added. The summary counts, per label, the spans added and the places skipped.")]
pub struct Args {
    /// The project to annotate (it is not changed; the result goes to OUTPUT).
    project: PathBuf,
    /// Gazetteer files (.tsv with a label column, or .txt with --label).
    #[arg(long, num_args = 1.., value_name = "FILE")]
    gazetteer: Vec<PathBuf>,
    /// Rules files (LABEL<TAB>REGEX lines).
    #[arg(long, num_args = 1.., value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// The label of the mentions of .txt gazetteers.
    #[arg(long, value_name = "LABEL")]
    label: Option<String>,
    /// Leave out mentions and matches shorter than N characters (code points).
    #[arg(long, value_name = "N", default_value_t = 1)]
    min_length: usize,
    /// The project file to write.
    #[arg(short, long)]
    output: PathBuf,
    /// Overwrite OUTPUT if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.gazetteer.is_empty() && args.rules.is_empty() {
        anyhow::bail!("nothing to annotate with: give --gazetteer FILE or --rules FILE (or both)");
    }
    let is_list = |p: &PathBuf| !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    if args.label.is_some() && !args.gazetteer.iter().any(is_list) {
        anyhow::bail!(
            "--label is the label of .txt gazetteers, and none was given (.tsv and rules files name their labels)"
        );
    }
    super::check_overwrite(&args.output, args.force)?;
    let mut project = project_file::load(&args.project)?;
    let mut sources = Sources {
        min_length: args.min_length,
        ..Sources::default()
    };
    for path in &args.gazetteer {
        let text = read_text(path)?;
        sources
            .gazetteer
            .add_file(&path.display().to_string(), &text, args.label.as_deref())?;
    }
    for path in &args.rules {
        let text = read_text(path)?;
        sources.rules.add_file(&path.display().to_string(), &text)?;
    }
    let result = assist::annotate(&project, &sources)?;
    project
        .apply(&result.transaction)
        .with_context(|| format!("cannot add the suggestions to {}", args.project.display()))?;
    project_file::save(&project, &args.output)?;
    println!(
        "{}: {} suggestions added, {} places skipped ({} gazetteer mentions, {} rules)",
        args.output.display(),
        result.added(),
        result.skipped(),
        sources.gazetteer.len(),
        sources.rules.len()
    );
    let width = result
        .per_label
        .keys()
        .map(|l| display_width(l))
        .max()
        .unwrap_or(0)
        .max(5);
    println!(
        "  {}  {:>7}  {:>7}  {:>8}",
        pad("label", width),
        "added",
        "covered",
        "rejected"
    );
    // In the output project's label order (new labels last).
    for label in project.labels.iter() {
        if let Some(c) = result.per_label.get(&label.name) {
            println!(
                "  {}  {:>7}  {:>7}  {:>8}",
                pad(&label.name, width),
                c.added,
                c.covered,
                c.rejected
            );
        }
    }
    for name in &result.new_labels {
        let hotkey = project
            .labels
            .get(name)
            .and_then(|l| l.hotkey)
            .map_or_else(|| "no hotkey".to_owned(), |k| format!("hotkey {k}"));
        println!("  new label {name} ({hotkey})");
    }
    Ok(ExitCode::SUCCESS)
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {}); convert it to UTF-8 first",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Columns a terminal gives `text`: two for East Asian wide characters, one for the rest.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let wide = matches!(c as u32,
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
                | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F
                | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD);
            if wide { 2 } else { 1 }
        })
        .sum()
}

/// `text` padded with spaces to `width` terminal columns.
fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(display_width(text));
    format!("{text}{}", " ".repeat(fill))
}
