//! The command line: `spantag [PROJECT]` opens the window; subcommands work headless.
//!
//! Errors go to stderr with the file and place, and a non-zero exit; never a panic.

mod agree;
mod annotate;
mod export;
mod import;
mod merge;
mod new;
mod retext;
mod stats;
mod status;
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
    /// Where each document stands (not started, in progress, done); mark documents done.
    Status(status::Args),
    /// Create a project from plain text files, one document per file.
    New(new::Args),
    /// Export a project to doccano, CoNLL, Hugging Face, spaCy, brat or Label Studio.
    Export(export::Args),
    /// Create a project from text, doccano, brat, Label Studio or CoNLL files.
    Import(import::Args),
    /// Give a document a changed text; its spans move with the text, those a change touches are kept for review.
    Retext(retext::Args),
    /// Agreement between annotators: span P/R/F1, Cohen's and Fleiss' kappa, Krippendorff's alpha.
    Agree(agree::Args),
    /// Pre-annotate with gazetteers and rules: matches become suggested spans to review.
    Annotate(annotate::Args),
    /// Three-way merge of project files span by span (a git merge driver); exit 1 when conflicts remain.
    Merge(merge::Args),
    /// Learn from the accepted spans of projects and add the tagger's proposals as suggestions.
    Suggest(suggest::Args),
    /// Save two projects into FILE alternately, forever (for the crash-safety test).
    #[command(name = "__save-loop", hide = true)]
    SaveLoop {
        file: PathBuf,
        a: PathBuf,
        b: PathBuf,
    },
    /// Wait for a line on stdin, try to take PROJECT's lock, print "won" or "lost", and hold
    /// what it got until stdin closes (for the lock race test).
    #[command(name = "__lock-race", hide = true)]
    LockRace { project: PathBuf },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.command.is_some() {
        quiet_on_closed_pipe();
    }
    let result = match cli.command {
        Some(Command::Validate(args)) => validate::run(&args),
        Some(Command::Stats(args)) => stats::run(&args),
        Some(Command::Status(args)) => status::run(&args),
        Some(Command::New(args)) => new::run(&args),
        Some(Command::Export(args)) => export::run(&args),
        Some(Command::Import(args)) => import::run(&args),
        Some(Command::Agree(args)) => agree::run(&args),
        Some(Command::Retext(args)) => retext::run(&args),
        Some(Command::Annotate(args)) => annotate::run(&args),
        Some(Command::Suggest(args)) => suggest::run(&args),
        Some(Command::Merge(args)) => merge::run(&args),
        Some(Command::SaveLoop { file, a, b }) => save_loop(&file, &a, &b),
        Some(Command::LockRace { project }) => lock_race(&project),
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
/// `--force`. An early check, before the work: the write itself refuses again atomically
/// ([`save_project`], [`crate::core::formats::write_output_with`]), for a writer that creates
/// the file in the meantime.
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

/// Save a command's resulting project to `path`: over an existing file with `--force`
/// (keeping a `.bak`), else only if nobody has created it in the meantime.
fn save_project(
    project: &crate::core::Project,
    path: &std::path::Path,
    force: bool,
) -> anyhow::Result<()> {
    use crate::core::project_file::{self, ProjectFileError};
    if force {
        return Ok(project_file::save(project, path)?);
    }
    match project_file::save_new(project, path) {
        Err(ProjectFileError::Write { source, .. })
            if source.kind() == std::io::ErrorKind::AlreadyExists =>
        {
            anyhow::bail!(
                "{} already exists (another program created it meanwhile); pass --force to overwrite it",
                path.display()
            )
        }
        other => Ok(other?),
    }
}

fn lock_race(project: &std::path::Path) -> anyhow::Result<ExitCode> {
    use std::io::{BufRead as _, Write as _};
    let mut line = String::new();
    let mut stdin = std::io::stdin().lock();
    stdin.read_line(&mut line)?;
    let lock = crate::core::lock::ProjectLock::acquire(project);
    match &lock {
        Ok(_) => println!("won"),
        Err(e) => println!("lost: {e}"),
    }
    std::io::stdout().flush()?;
    // Hold the lock until the test has seen both answers.
    while stdin.read_line(&mut line)? > 0 {}
    drop(lock);
    Ok(ExitCode::SUCCESS)
}

/// A reader that stops early (`spantag stats P.json | head`) ends a command as it ends any Unix
/// tool, by SIGPIPE, instead of a panic in `println!` (Rust ignores SIGPIPE by default). Only
/// for commands: the window writes to no pipe, and its saves must never be cut by a signal.
fn quiet_on_closed_pipe() {
    #[cfg(target_os = "linux")]
    // SAFETY: setting a signal's disposition to the default, before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
