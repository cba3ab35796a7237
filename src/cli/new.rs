use std::path::PathBuf;
use std::process::ExitCode;

use crate::core::text_file::read_text_document;
use crate::core::{Document, LabelSet, Project};

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
    super::save_project(&project, &args.output, args.force)?;
    println!(
        "{}: created with {} documents",
        args.output.display(),
        project.documents.len()
    );
    Ok(ExitCode::SUCCESS)
}
