use std::path::PathBuf;
use std::process::ExitCode;

use crate::core::{merge_conflicts, project_file};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Project files to check.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut all_valid = true;
    for path in &args.files {
        match project_file::load_with(path, project_file::Drift::Refuse) {
            Ok(loaded) => {
                let project = &loaded.project;
                let relations = match project.relation_count() {
                    0 => String::new(),
                    n => format!(", {n} relations"),
                };
                println!(
                    "{}: valid ({} documents, {} spans{relations}, {} labels)",
                    path.display(),
                    project.documents.len(),
                    project.span_count(),
                    project.labels.len()
                );
                match merge_conflicts::count(project) {
                    0 => {}
                    1 => println!(
                        "{}: 1 merge conflict remains (resolve it in review mode, Merge conflicts)",
                        path.display()
                    ),
                    n => println!(
                        "{}: {n} merge conflicts remain (resolve them in review mode, Merge conflicts)",
                        path.display()
                    ),
                }
                // Kept, not refused (values other tools made): said, and the exit code is 0.
                for warning in &loaded.warnings {
                    eprintln!("{}: warning: {warning}", path.display());
                }
            }
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
