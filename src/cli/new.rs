use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::core::text_file::read_text_document;
use crate::core::text_reference::TextReference;
use crate::core::{Document, LabelSet, Project};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Plain UTF-8 text files; each becomes one document, its text kept byte for byte.
    #[arg(long = "text", required = true, num_args = 1..)]
    texts: Vec<PathBuf>,
    /// The project file to write.
    #[arg(short, long)]
    output: PathBuf,
    /// Keep each text in its file: the project records the file's path (relative to the
    /// project file's folder) and the text's SHA-256 instead of the text itself.
    #[arg(long)]
    reference: bool,
    /// Overwrite OUTPUT if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    super::check_overwrite(&args.output, args.force)?;
    let mut documents: Vec<Document> = Vec::new();
    let folder = match args.output.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    for path in &args.texts {
        let document = read_text_document(path, &documents)?;
        let reference = if args.reference {
            Some(TextReference::to_file(folder, path).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: --reference needs a path from {} to it (on the same drive, in UTF-8)",
                    path.display(),
                    args.output.display()
                )
            })?)
        } else {
            None
        };
        documents.push(document.with_reference(reference));
    }
    let project = Project::new(LabelSet::news_default(), documents);
    super::save_project(&project, &args.output, args.force)?;
    println!(
        "{}: created with {} documents",
        args.output.display(),
        project.documents.len()
    );
    Ok(ExitCode::SUCCESS)
}
