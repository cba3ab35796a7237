//! `spantag status`: where each document stands (not started / in progress / done), and marking
//! documents done or not done, through the same edit as the window's `Ctrl+Enter`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::core::lock::ProjectLock;
use crate::core::{DocStatus, Project, project_file};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
\"done\" is what you mark; \"in progress\" is a document not done with at least one span that is
not a suggestion (a span made by hand, accepted or rejected); the rest is \"not started\".
With --done or --not-done the project file is changed in place (the old version kept as .bak);
that is refused while the project is open in Spantag.")]
pub struct Args {
    /// Project file.
    file: PathBuf,
    /// Mark these documents (ids or names) done.
    #[arg(long, num_args = 1.., value_name = "DOC")]
    done: Vec<String>,
    /// Mark these documents (ids or names) not done.
    #[arg(long, num_args = 1.., value_name = "DOC")]
    not_done: Vec<String>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let marking = !args.done.is_empty() || !args.not_done.is_empty();
    // Held while the file is read and written: no window edits it in the meantime.
    let _lock = if marking {
        Some(
            ProjectLock::acquire(&args.file)
                .with_context(|| format!("cannot mark documents in {}", args.file.display()))?,
        )
    } else {
        None
    };
    let mut project = project_file::load(&args.file)?;
    if marking {
        let done = indices(&project, &args.done, &args.file)?;
        let not_done = indices(&project, &args.not_done, &args.file)?;
        if let Some(both) = done.iter().find(|i| not_done.contains(i)) {
            anyhow::bail!(
                "{}: document \"{}\" is named in both --done and --not-done",
                args.file.display(),
                project.documents[*both].document.id
            );
        }
        let mut transaction = project.mark_done(&done, true);
        transaction
            .edits
            .extend(project.mark_done(&not_done, false).edits);
        if !transaction.is_empty() {
            project
                .apply(&transaction)
                .with_context(|| format!("cannot mark documents in {}", args.file.display()))?;
            project_file::save(&project, &args.file)?;
        }
    }
    if args.json {
        let documents: Vec<serde_json::Value> = (0..project.documents.len())
            .map(|i| {
                let d = &project.documents[i];
                serde_json::json!({
                    "id": d.document.id,
                    "name": d.document.name,
                    "status": project.doc_status(i),
                    "spans": d.spans.len(),
                })
            })
            .collect();
        let json = serde_json::json!({ "progress": project.progress(), "documents": documents });
        let text = serde_json::to_string_pretty(&json).context("cannot print the statuses")?;
        return emit(&format!("{text}\n"));
    }
    let mut text = format!("{}: {}\n", args.file.display(), summary(&project));
    for (i, d) in project.documents.iter().enumerate() {
        let status = project.doc_status(i).unwrap_or(DocStatus::NotStarted);
        text.push_str(&format!(
            "  {:<11}  {:>6} spans  {}\n",
            status.as_str(),
            d.spans.len(),
            d.document.name
        ));
    }
    emit(&text)
}

/// Write `text` to stdout. A reader that stops early (`spantag status P.json | head`) is not
/// an error: `println!` would panic on the closed pipe.
fn emit(text: &str) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::anyhow!("cannot print the statuses: {e}"))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// "34 of 120 done, 10 in progress, 76 not started".
pub fn summary(project: &Project) -> String {
    let progress = project.progress();
    format!(
        "{progress}, {} in progress, {} not started",
        progress.in_progress, progress.not_started
    )
}

/// The positions of the documents `names` names, by id or else by name; an unknown one is an
/// error naming the file and the document.
fn indices(
    project: &Project,
    names: &[String],
    file: &std::path::Path,
) -> anyhow::Result<Vec<usize>> {
    names
        .iter()
        .map(|name| {
            let docs = &project.documents;
            docs.iter()
                .position(|d| d.document.id == *name)
                .or_else(|| docs.iter().position(|d| d.document.name == *name))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "{}: there is no document with the id or name \"{name}\"",
                        file.display()
                    )
                })
        })
        .collect()
}
