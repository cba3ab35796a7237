//! `spantag retext`: give a document a changed text and carry its spans over (core::retext).

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write as _;

use anyhow::Context as _;

use crate::core::project_file;
use crate::core::retext::{self, Fate};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Spans whose text is unchanged move with it. A span a change touches (a character of it deleted
or replaced, or text inserted inside it) is kept at its best mapping, with status \"suggested\"
and the attribute \"retext\" saying why, so that review mode (Ctrl+R) walks through them. No
span is dropped: one the new text cannot hold (an empty text) is listed and left out.")]
pub struct Args {
    /// The project file.
    project: PathBuf,
    /// The id of the document whose text changed.
    #[arg(long = "doc", value_name = "ID")]
    doc: String,
    /// The new text (UTF-8), kept byte for byte.
    new_text: PathBuf,
    /// The project file to write.
    #[arg(short, long)]
    output: PathBuf,
    /// Overwrite OUTPUT if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    super::check_overwrite(&args.output, args.force)?;
    let project = project_file::load(&args.project)?;
    let bytes = std::fs::read(&args.new_text)
        .with_context(|| format!("cannot read {}", args.new_text.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            args.new_text.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let (project, mapped) = retext::retext_document(&project, &args.doc, text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.project.display()))?;
    project_file::save(&project, &args.output)?;
    let summary = retext::summarize(&mapped);
    // One line per span that moved: written through a locked handle, and a closed pipe
    // (`| head`) is an error to report, not a panic.
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: document \"{}\": {} spans: {} unchanged, {} moved, {} kept for review{}",
        args.output.display(),
        args.doc,
        mapped.len(),
        summary.unchanged,
        summary.moved,
        summary.review,
        if summary.unplaceable > 0 {
            format!(
                ", {} could not be placed (listed below)",
                summary.unplaceable
            )
        } else {
            String::new()
        }
    )?;
    for m in &mapped {
        let (what, why) = match &m.fate {
            Fate::Unchanged => continue,
            Fate::Moved => ("moved", String::new()),
            Fate::Review(reason) => ("review", format!(": {reason}")),
            Fate::Unplaceable(reason) => ("not placed", format!(": {reason}")),
        };
        let place = m
            .new
            .as_ref()
            .map(|s| format!(" -> [{}, {})", s.start, s.end))
            .unwrap_or_default();
        writeln!(
            out,
            "  {what:<10} span {} {} \"{}\" [{}, {}){place}{why}",
            m.old.id,
            m.old.label,
            crate::core::formats::shorten(&m.old_text),
            m.old.start,
            m.old.end
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
