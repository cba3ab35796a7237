use std::path::PathBuf;
use std::process::ExitCode;

use crate::core::formats::{self, Format, ImportOptions, Offsets};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Formats:
  text          .txt files, one document each, the text kept byte for byte
  doccano       JSONL with \"text\" and \"label\" (or \"labels\", or \"entities\" with start_offset/end_offset)
  brat          .txt files with their .ann beside them, or folders of them
  label-studio  Label Studio JSON exports (an array of tasks), full or JSON-MIN
  docbin        spaCy .spacy files (DocBin): the text from the tokens, spans from doc.ents and
                every span group
  conll         TOKEN<TAB>TAG files (or CoNLL-2003's TOKEN POS CHUNK TAG); the text is rebuilt
                from the tokens, and -DOCSTART- lines start a new document

Tag schemes (conll, --scheme):
  auto   the default: detect the scheme and say which it chose (M- means bmes, L-/U- bilou,
         E-/S- with I- bioes, an I-X that opens an entity iob1, else bio); a file that fits no
         scheme is an error naming the first line that breaks each candidate
  bio    IOB2: B-X begins every entity, I-X continues it
  iob1   CoNLL-2003's original files: I-X begins an entity unless it follows one of type X;
         B-X only begins one right after another of type X
  bioes  B- begin, I- inside, E- end, S- a one-token entity
  bilou  B- begin, I- inside, L- last, U- a one-token entity (spacy convert)
  bmes   B- begin, M- middle, E- end, S- single (MSRA, Resume, Weibo, YEDDA)

The project's labels are those found in the input, in order of first appearance (brat: the
order of annotation.conf when there is one).

Limits: span texts and notes may store at most 4 times the input plus 16 MiB (an input that
names one long text over and over is refused, with the file and line); a brat group's or a
Label Studio region's note is stored once, on its first span; symbolic links inside a brat
folder are skipped with a warning (name a linked file on the command line to import it).")]
pub struct Args {
    /// The format to read: text, doccano, brat, label-studio, conll or docbin.
    #[arg(long = "from", value_parser = import_format)]
    format: Format,
    /// Input files (brat: .txt files or folders).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The project file to write.
    #[arg(short, long)]
    output: PathBuf,
    /// Mark every imported span as made by NAME.
    #[arg(long, value_name = "NAME")]
    annotator: Option<String>,
    /// Skip bad records and count them, instead of failing the import.
    #[arg(long)]
    lenient: bool,
    /// doccano: the unit of the offsets in the file. codepoint (default) is doccano's
    /// documented format and what `spantag export --to doccano` writes; files exported from
    /// doccano's web annotator count utf16 code units.
    #[arg(long, default_value = "codepoint", value_parser = ["codepoint", "utf16"])]
    offsets: String,
    /// label-studio: read the annotation of this user, by its completed_by (a user id or an
    /// e-mail; JSON-MIN's annotator): one export of three annotators gives three projects.
    #[arg(long, value_name = "ID")]
    completed_by: Option<String>,
    /// label-studio: the data field that holds the text, for projects whose text is not
    /// data.text.
    #[arg(long, value_name = "NAME")]
    text_field: Option<String>,
    /// label-studio: which annotation of each task to read, counting from 0 (cancelled
    /// annotations are never read, nor counted).
    #[arg(long, default_value_t = 0, value_name = "N")]
    annotation: usize,
    /// Import every span as a suggestion to review (status "suggested"), as pre-annotation;
    /// for label-studio, each task's first prediction is read too.
    #[arg(long)]
    as_suggestions: bool,
    /// conll: the tag scheme of the input: auto (detect it), bio, iob1, bioes, bilou or bmes.
    #[arg(long, default_value = "auto", value_parser = ["auto", "bio", "iob1", "bioes", "bilou", "bmes"])]
    scheme: String,
    /// Overwrite OUTPUT if it exists.
    #[arg(long)]
    force: bool,
}

fn import_format(name: &str) -> Result<Format, String> {
    match Format::from_name(name) {
        Some(f) if f.can_import() => Ok(f),
        _ => Err(format!(
            "expected one of {}",
            Format::ALL
                .iter()
                .filter(|f| f.can_import())
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    super::check_overwrite(&args.output, args.force)?;
    let options = ImportOptions {
        annotator: args.annotator.clone(),
        lenient: args.lenient,
        offsets: if args.offsets == "utf16" {
            Offsets::Utf16
        } else {
            Offsets::Codepoint
        },
        annotation: args.annotation,
        as_suggestions: args.as_suggestions,
        scheme: formats::Scheme::from_name(&args.scheme),
        completed_by: args.completed_by.clone(),
        text_field: args.text_field.clone(),
    };
    let report = formats::import(args.format, &args.inputs, &options)?;
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if !report.left_out.is_empty() {
        eprintln!("not imported (Spantag does not model these yet):");
        for (kind, count) in &report.left_out {
            eprintln!("  {count:>6}  {kind}");
        }
    }
    if !report.skipped.is_empty() {
        eprintln!("{} bad records skipped (--lenient):", report.skipped.len());
        for error in &report.skipped {
            eprintln!("  {error}");
        }
    }
    let project = &report.project;
    super::save_project(project, &args.output, args.force)?;
    let relations = match project.relation_count() {
        0 => String::new(),
        n => format!(", {n} relations"),
    };
    println!(
        "{}: imported {} documents, {} spans{relations}, {} labels from {}",
        args.output.display(),
        project.documents.len(),
        project.span_count(),
        project.labels.len(),
        args.format
    );
    Ok(ExitCode::SUCCESS)
}
