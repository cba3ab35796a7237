use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use crate::core::{Document, LabelSet, Project, project_file};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Plain UTF-8 text files; each becomes one document, its text kept byte for byte.
    #[arg(long = "text", required = true, num_args = 1..)]
    texts: Vec<PathBuf>,
    /// The project file to write.
    #[arg(short, long)]
    output: PathBuf,
    /// Overwrite OUTPUT if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    super::check_overwrite(&args.output, args.force)?;
    let mut documents: Vec<Document> = Vec::new();
    for path in &args.texts {
        documents.push(read_text_document(path, &documents)?);
    }
    let project = Project::new(LabelSet::news_default(), documents);
    project_file::save(&project, &args.output)?;
    println!(
        "{}: created with {} documents",
        args.output.display(),
        project.documents.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Read a UTF-8 text file as a document. Its id is the file stem, made unique among `existing`.
pub fn read_text_document(path: &Path, existing: &[Document]) -> anyhow::Result<Document> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        anyhow::anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {at}); convert it to UTF-8 first",
            path.display()
        )
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".to_owned());
    let mut id = stem.clone();
    let mut n = 2;
    while existing.iter().any(|d| d.id == id) {
        id = format!("{stem}-{n}");
        n += 1;
    }
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| id.clone());
    Ok(Document::new(id, name, text))
}
