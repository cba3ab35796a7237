use std::path::PathBuf;
use std::process::ExitCode;

use crate::core::project_file;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Project files to check.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut all_valid = true;
    for path in &args.files {
        match project_file::load(path) {
            Ok(project) => println!(
                "{}: valid ({} documents, {} spans, {} labels)",
                path.display(),
                project.documents.len(),
                project.span_count(),
                project.labels.len()
            ),
            Err(error) => {
                all_valid = false;
                eprintln!("{error}");
            }
        }
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
