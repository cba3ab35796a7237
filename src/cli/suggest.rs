//! `spantag suggest`: train the tagger on the accepted spans of projects (or load a saved
//! model) and add its proposals to a project as `suggested` spans.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::Context as _;

use crate::core::project_file;
use crate::core::tagger::{self, Corpus, Model, TrainOptions};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Only accepted spans of the training files are learnt from, and a document only up to its last
sentence with an accepted span. The last 10% of the documents (or of the sentences, when there
are fewer than 10 documents) are held out to measure precision, recall and F1, printed per
label; the model that makes the suggestions is trained on everything.

Suggestions are not added where a span of the same label overlaps (accepted, suggested or
rejected) nor where an accepted span has the same bounds.")]
pub struct Args {
    /// Project files whose accepted spans to learn from.
    #[arg(long, num_args = 1.., value_name = "FILE", required_unless_present = "model")]
    train: Vec<PathBuf>,
    /// Use this saved model instead of training one.
    #[arg(long, value_name = "FILE", conflicts_with = "train")]
    model: Option<PathBuf>,
    /// Save the trained model to FILE.
    #[arg(long, value_name = "FILE", conflicts_with = "model")]
    save_model: Option<PathBuf>,
    /// The project to add suggestions to.
    #[arg(long, value_name = "FILE")]
    apply: PathBuf,
    /// The project file to write: the project of --apply with the suggestions.
    #[arg(short, long)]
    output: PathBuf,
    /// Passes over the training sentences.
    #[arg(long, default_value_t = tagger::train::DEFAULT_EPOCHS as u16, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=100))]
    epochs: u16,
    /// Measure the model on the accepted spans of these project files instead of holding out
    /// 10% of the training data (then the model is trained once, on all of it).
    #[arg(long, num_args = 1.., value_name = "FILE", requires = "train")]
    test: Vec<PathBuf>,
    /// Overwrite OUTPUT (and the --save-model file) if they exist.
    #[arg(long)]
    force: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    super::check_overwrite(&args.output, args.force)?;
    if let Some(path) = &args.save_model {
        super::check_overwrite(path, args.force)?;
    }
    let mut project = project_file::load(&args.apply)?;
    let model = match &args.model {
        Some(path) => Model::load(path)?,
        None => train(args)?,
    };
    if let Some(path) = &args.save_model {
        model.save(path)?;
        eprintln!("model saved to {}", path.display());
    }
    let started = Instant::now();
    let suggestions = tagger::suggest(&model, &project);
    project
        .apply(&suggestions.transaction)
        .with_context(|| format!("cannot add the suggestions to {}", args.apply.display()))?;
    project_file::save(&project, &args.output)?;
    let per_label: Vec<String> = suggestions
        .added
        .iter()
        .map(|(label, n)| format!("{label} {n}"))
        .collect();
    println!(
        "{}: {} suggestions added ({}); {} left out where a span was already; tagged in {:.1} s",
        args.output.display(),
        suggestions.total(),
        if per_label.is_empty() {
            "none".to_owned()
        } else {
            per_label.join(", ")
        },
        suggestions.skipped,
        started.elapsed().as_secs_f64()
    );
    if suggestions.documents_done > 0 {
        println!(
            "{} documents marked done were left alone",
            suggestions.documents_done
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn train(args: &Args) -> anyhow::Result<Model> {
    let mut projects = Vec::new();
    for path in &args.train {
        projects.push(project_file::load(path)?);
    }
    let refs: Vec<_> = projects.iter().collect();
    let corpus = Corpus::from_projects(&refs);
    if corpus.span_count() == 0 {
        anyhow::bail!(
            "no accepted spans to learn from in {}",
            args.train
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    eprintln!(
        "training on {} sentences, {} accepted spans ({}), {} epochs{}",
        corpus.sentence_count(),
        corpus.span_count(),
        corpus.labels.join(", "),
        args.epochs,
        if corpus.left_out > 0 {
            format!(
                "; {} spans left out (overlapping a longer one, or across a sentence break)",
                corpus.left_out
            )
        } else {
            String::new()
        }
    );
    let options = TrainOptions {
        epochs: usize::from(args.epochs),
        ..TrainOptions::default()
    };
    let started = Instant::now();
    let cancel = AtomicBool::new(false);
    let (model, evaluation) = if args.test.is_empty() {
        tagger::train_and_evaluate(&corpus, &options, &cancel, &|_| {})?
    } else {
        let mut tests = Vec::new();
        for path in &args.test {
            tests.push(project_file::load(path)?);
        }
        let test = Corpus::from_projects(&tests.iter().collect::<Vec<_>>());
        let model = tagger::train(&corpus, &options, &cancel, &|_| {})?;
        let mut evaluation = tagger::evaluate(&model, &test);
        evaluation.train_sentences = corpus.sentence_count();
        println!(
            "tested on {} sentences of {}",
            evaluation.test_sentences,
            args.test
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        (model, Some(evaluation))
    };
    eprintln!("trained in {:.1} s", started.elapsed().as_secs_f64());
    match evaluation {
        Some(evaluation) => print!("{evaluation}"),
        None => println!(
            "too few sentences ({}) to hold 10% out: no precision, recall or F1",
            corpus.sentence_count()
        ),
    }
    Ok(model)
}
