//! `spantag agree A.json B.json [C.json...]`: inter-annotator agreement between project files
//! that annotate the same texts. The figures are computed by [`crate::core::agreement`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use crate::core::agreement::{
    self, AgreementOptions, AgreementReport, AnnotatorFile, PrecisionRecallF1,
};
use crate::core::project_file;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Project files, one per annotator (at least two). The first of each pair is the
    /// reference: precision is the second's.
    #[arg(required = true, num_args = 2..)]
    files: Vec<PathBuf>,
    /// Count suggested spans as well as accepted ones (rejected spans never count).
    #[arg(long)]
    include_suggested: bool,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut projects = Vec::new();
    for path in &args.files {
        projects.push(project_file::load(path)?);
    }
    let mut files: Vec<AnnotatorFile<'_>> = args
        .files
        .iter()
        .zip(&projects)
        .map(|(path, project)| AnnotatorFile {
            name: agreement::single_annotator(project).unwrap_or_else(|| file_name(path)),
            file: path.display().to_string(),
            project,
        })
        .collect();
    // Two files by one annotator (or with one file name) are told apart by their paths.
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    for f in &mut files {
        if names.iter().filter(|n| **n == f.name).count() > 1 {
            f.name = format!("{} ({})", f.name, f.file);
        }
    }
    let options = AgreementOptions {
        include_suggested: args.include_suggested,
    };
    let report = agreement::compare(&files, options)?;
    if args.json {
        let json = serde_json::to_string_pretty(&report).context("cannot print the figures")?;
        println!("{json}");
    } else {
        print!("{}", table(&report, files.len()));
    }
    Ok(ExitCode::SUCCESS)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The readable output: what was compared, one line per pair, the figures over all files,
/// then each pair's figures per label.
fn table(report: &AgreementReport, file_count: usize) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let spans = if report.include_suggested {
        "accepted and suggested spans"
    } else {
        "accepted spans"
    };
    let _ = writeln!(
        out,
        "{} documents compared ({} characters) in {file_count} files, {spans}",
        report.documents_compared, report.characters
    );
    if !report.skipped.is_empty() {
        let _ = writeln!(out, "skipped (not in every file):");
        for s in &report.skipped {
            let _ = writeln!(out, "  {}: {}", s.file, s.id);
        }
    }
    let name_width = report
        .pairs
        .iter()
        .flat_map(|p| [p.a.chars().count(), p.b.chars().count()])
        .max()
        .unwrap_or(1)
        .max(1);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<name_width$}  {:<name_width$}  {:>7} {:>7}  {}  {}  {:>6}",
        "A",
        "B",
        "A spans",
        "B spans",
        score_heading("exact"),
        score_heading("overlap"),
        "kappa"
    );
    for p in &report.pairs {
        let _ = writeln!(
            out,
            "{:<name_width$}  {:<name_width$}  {:>7} {:>7}  {}  {}  {:>6.4}",
            p.a,
            p.b,
            p.a_spans,
            p.b_spans,
            scores(&p.exact),
            scores(&p.overlap),
            p.cohen_kappa
        );
    }
    if report
        .pairs
        .iter()
        .any(|p| p.a_relations + p.b_relations > 0)
    {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<name_width$}  {:<name_width$}  {:>7} {:>7}  {}",
            "A",
            "B",
            "A rels",
            "B rels",
            score_heading("relation")
        );
        for p in &report.pairs {
            let _ = writeln!(
                out,
                "{:<name_width$}  {:<name_width$}  {:>7} {:>7}  {}",
                p.a,
                p.b,
                p.a_relations,
                p.b_relations,
                scores(&p.relations)
            );
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Krippendorff's alpha (nominal, per character): {:.4}",
        report.krippendorff_alpha
    );
    match report.fleiss_kappa {
        Some(k) => {
            let _ = writeln!(out, "Fleiss' kappa (per character): {k:.4}");
        }
        None => {
            let _ = writeln!(out, "Fleiss' kappa: needs three or more files");
        }
    }
    let label_width = report
        .labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    for p in &report.pairs {
        let _ = writeln!(out);
        let _ = writeln!(out, "{} (A) vs {} (B), per label:", p.a, p.b);
        let _ = writeln!(
            out,
            "  {:<label_width$}  {:>7} {:>7}  {}  {}",
            "label",
            "A spans",
            "B spans",
            score_heading("exact"),
            score_heading("overlap")
        );
        for label in &report.labels {
            if let Some(l) = p.per_label.get(label) {
                let _ = writeln!(
                    out,
                    "  {label:<label_width$}  {:>7} {:>7}  {}  {}",
                    l.a_spans,
                    l.b_spans,
                    scores(&l.exact),
                    scores(&l.overlap)
                );
            }
        }
    }
    out
}

/// Headings over [`scores`]: `exact P      R     F1`.
fn score_heading(kind: &str) -> String {
    format!("{:>9} {:>6} {:>6}", format!("{kind} P"), "R", "F1")
}

fn scores(s: &PrecisionRecallF1) -> String {
    format!("{:>9.4} {:>6.4} {:>6.4}", s.precision, s.recall, s.f1)
}
