//! `spantag merge BASE OURS THEIRS -o OUT`: a three-way merge of project files at the level of
//! spans (see `core::merge`), made to be git's merge driver for project files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use crate::core::{atomic_write, merge, merge_conflicts, project_file};

#[derive(clap::Args, Debug)]
#[command(
    long_about = "Three-way merge of project files at the level of documents, labels, spans and \
                  relations, for git: edits to different spans never conflict; spans both sides \
                  added under the same id are both kept, one renumbered; the same span changed \
                  differently on both sides is a conflict kept in the file (both versions, \
                  status suggested, attribute merge-conflict) and listed on stderr; a label \
                  changed on both sides is merged field by field, one hotkey given to two labels \
                  stays with the first, and a text changed on one side re-anchors the other \
                  side's spans. Conflicts are resolved in the window (review mode, Merge \
                  conflicts).\n\n\
                  OUT may be one of the inputs: it is replaced atomically, with no backup.\n\n\
                  Exit code: 0 merged cleanly, 1 conflicts remain (kept in OUT), 2 error.\n\n\
                  As a git merge driver: put `*.json merge=spantag` in .gitattributes and run\n  \
                  git config merge.spantag.driver \"spantag merge %O %A %B -o %A\""
)]
pub struct Args {
    /// The common ancestor (git's %O).
    base: PathBuf,
    /// Our version (git's %A).
    ours: PathBuf,
    /// Their version (git's %B).
    theirs: PathBuf,
    /// Where to write the merged project (may be OURS: git's %A).
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
}

/// Errors exit with 2 here, not 1: for git, 1 means "conflicts remain", an error is apart.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match merge_files(args) {
        Ok(0) => Ok(ExitCode::SUCCESS),
        Ok(_) => Ok(ExitCode::from(1)),
        Err(error) => {
            eprintln!("spantag: {error:#}");
            Ok(ExitCode::from(2))
        }
    }
}

/// Merge and write OUT; the number of conflicts left in it.
fn merge_files(args: &Args) -> anyhow::Result<usize> {
    let base = project_file::load(&args.base)?;
    let ours = project_file::load(&args.ours)?;
    let theirs = project_file::load(&args.theirs)?;
    let report = merge::merge(&base, &ours, &theirs);
    let json = project_file::to_json(&report.project)
        .with_context(|| format!("{}: cannot write the merged project", args.output.display()))?;
    // The merge must load as any saved project does; never write one that would not.
    project_file::parse(json.as_bytes(), &args.output)
        .context("the merged project does not load (a bug in spantag merge); nothing written")?;
    write(&args.output, json.as_bytes())?;
    for conflict in &report.conflicts {
        eprintln!("{}: conflict: {conflict}", args.output.display());
    }
    if !report.conflicts.is_empty() {
        let marked = merge_conflicts::count(&report.project);
        let others = if report.conflicts.len() > marked {
            " The other conflicts are listed above with what was kept; check them too."
        } else {
            ""
        };
        eprintln!(
            "{}: {} conflict(s); {marked} span conflict(s) kept in the file for review (spans with \
             the attribute {}, status suggested): open it, turn on review mode (Ctrl+R) and \
             resolve them under Merge conflicts, then `git add` it.{others}",
            args.output.display(),
            report.conflicts.len(),
            merge::CONFLICT_ATTRIBUTE
        );
    }
    Ok(report.conflicts.len())
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    atomic_write::write_atomically(path, bytes)
        .with_context(|| format!("{}: cannot write", path.display()))
}
