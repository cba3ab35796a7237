//! The command line: `spantag [PROJECT]` opens the window; subcommands work headless.
//!
//! Errors go to stderr with the file and place, and a non-zero exit; never a panic.

mod agree;
mod export;
mod import;
mod new;
mod stats;
mod suggest;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "spantag",
    version,
    about = "Annotate text spans with entity labels, review them, export training data.",
    long_about = "Annotate text spans with entity labels, review them, export training data.\n\n\
                  With no command, opens the annotator window on PROJECT (or on the bundled \
                  sample project when none is given).",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Project file to open in the annotator window.
    project: Option<PathBuf>,

    /// Your name, written on the spans you make in the window (remembered for next time).
    #[arg(long, value_name = "NAME")]
    annotator: Option<String>,

    /// Open the window comparing these annotators' project files, to adjudicate into gold.
    #[arg(long, num_args = 2.., value_name = "FILE", conflicts_with = "project")]
    compare: Vec<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check project files; exit 0 when all are valid, 1 when any is not.
    Validate(validate::Args),
    /// Print documents, characters and spans per label of a project.
    Stats(stats::Args),
    /// Create a project from plain text files, one document per file.
    New(new::Args),
    /// Export a project to doccano, CoNLL, Hugging Face, spaCy, brat or Label Studio.
    Export(export::Args),
    /// Create a project from text, doccano, brat, Label Studio or CoNLL files.
    Import(import::Args),
    /// Agreement between annotators: span P/R/F1, Cohen's and Fleiss' kappa, Krippendorff's alpha.
    Agree(agree::Args),
    /// Learn from the accepted spans of projects and add the tagger's proposals as suggestions.
    Suggest(suggest::Args),
    /// Save two projects into FILE alternately, forever (for the crash-safety test).
    #[command(name = "__save-loop", hide = true)]
    SaveLoop {
        file: PathBuf,
        a: PathBuf,
        b: PathBuf,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Validate(args)) => validate::run(&args),
        Some(Command::Stats(args)) => stats::run(&args),
        Some(Command::New(args)) => new::run(&args),
        Some(Command::Export(args)) => export::run(&args),
        Some(Command::Import(args)) => import::run(&args),
        Some(Command::Agree(args)) => agree::run(&args),
        Some(Command::Suggest(args)) => suggest::run(&args),
        Some(Command::SaveLoop { file, a, b }) => save_loop(&file, &a, &b),
        #[cfg(feature = "gui")]
        None => crate::ui::run(cli.project, cli.annotator, cli.compare).map(|()| ExitCode::SUCCESS),
        #[cfg(not(feature = "gui"))]
        None => Err(anyhow::anyhow!(
            "this spantag was built without the window (cargo feature \"gui\"); use a command"
        )),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("spantag: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Refuse to overwrite an existing file, or one a running Spantag holds, unless the user said
/// `--force`.
fn check_overwrite(path: &std::path::Path, force: bool) -> anyhow::Result<()> {
    if force {
        return Ok(());
    }
    if let crate::core::lock::LockState::Held(holder) = crate::core::lock::inspect(path) {
        anyhow::bail!(
            "{} is open in Spantag by {holder}; close it there, or pass --force to write anyway",
            path.display()
        );
    }
    if path.exists() {
        anyhow::bail!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        );
    }
    Ok(())
}

fn save_loop(
    file: &std::path::Path,
    a: &std::path::Path,
    b: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    let a = crate::core::project_file::load(a)?;
    let b = crate::core::project_file::load(b)?;
    // Tell the test the saving starts now, so its kills land in saves, not in loading.
    println!("saving");
    use std::io::Write as _;
    std::io::stdout().flush()?;
    loop {
        for project in [&a, &b] {
            crate::core::project_file::save(project, file)?;
        }
    }
}
