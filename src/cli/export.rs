use std::path::PathBuf;
use std::process::ExitCode;

use crate::core::formats::{
    self, ExportOptions, ExportToError, Format, Overwrite, Scheme, SplitRatio, Tokens, WriteError,
};
use crate::core::project_file;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Formats:
  doccano       JSONL, one document a line: {\"id\", \"text\", \"label\": [[start, end, \"LABEL\"]]}
  conll         TOKEN<TAB>TAG per line, a blank line between sentences, -DOCSTART- before each
                document when there are several (--conll2003: TOKEN -X- -X- TAG)
  hf            a folder: data.jsonl ({\"id\", \"tokens\", \"ner_tags\"}, one sentence a line) and labels.json
  spacy         JSONL: {\"text\", \"entities\": [[start, end, \"LABEL\"]], \"spans\": [{\"start\", \"end\", \"label\"}]}
  brat          a folder: NAME.txt and NAME.ann per document, and annotation.conf
  label-studio  a JSON array of Label Studio tasks, and OUT-STEM.config.xml beside it: the
                matching labelling config (in the folder, labeling-config.xml, with --split)
  docbin        spaCy's binary training format (.spacy, what spacy train reads): tokens per
                --tokens, doc.ents (longest of overlapping spans) and doc.spans[\"sc\"] (every span)

Offsets are Unicode code points. Only accepted spans are exported.
With --split, OUT is a folder: train, dev and test files with the format's extension
(train.jsonl, ... ; brat: train/, dev/, test/ folders; hf: train.jsonl, validation.jsonl,
test.jsonl and labels.json). A part left with no documents is warned about.")]
pub struct Args {
    /// The format to write: doccano, conll, hf, spacy, brat, label-studio or docbin.
    #[arg(long = "to", value_parser = export_format)]
    format: Format,
    /// The project file to export.
    project: PathBuf,
    /// The file to write, or the folder for brat, hf and --split.
    #[arg(short, long)]
    output: PathBuf,
    /// Tag scheme for conll and hf: bio (IOB2), iob1 (CoNLL-2003's original), bioes, bilou
    /// (L- last, U- unit: spacy convert) or bmes (M- middle: MSRA).
    #[arg(long, default_value = "bio", value_parser = ["bio", "iob1", "bioes", "bilou", "bmes"])]
    scheme: String,
    /// Tokens for conll and hf: char (one per non-whitespace character) or word (Unicode word
    /// boundaries, one token per CJK character).
    #[arg(long, default_value = "char", value_parser = ["char", "word"])]
    tokens: String,
    /// Fail on a span the format cannot express (overlapping spans in conll, hf and spacy's
    /// entities; a span boundary inside a word token) instead of reporting and leaving it out.
    #[arg(long)]
    strict: bool,
    /// Write train/dev/test parts by document, e.g. 80/10/10; OUT is then a folder.
    #[arg(long)]
    split: Option<SplitRatio>,
    /// conll: no -DOCSTART- line before each document (written by default when the export
    /// has several documents; an importer splits documents on them).
    #[arg(long)]
    no_docstart: bool,
    /// conll: CoNLL-2003's four columns, TOKEN -X- -X- TAG, with -X- filling the
    /// part-of-speech and chunk columns, and a -DOCSTART- -X- -X- O line before every document.
    #[arg(long)]
    conll2003: bool,
    /// docbin: the doc.spans key that holds every span (spancat's default is sc).
    #[arg(long, value_name = "KEY", default_value = "sc")]
    spans_key: String,
    /// Seed of the --split shuffle: the same seed gives the same split on every machine.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Overwrite OUT if it exists. A folder is replaced whole (not merged into), and only one
    /// that an earlier export wrote (it holds a .spantag-export file) or an empty one.
    #[arg(long)]
    force: bool,
}

fn export_format(name: &str) -> Result<Format, String> {
    match Format::from_name(name) {
        Some(f) if f.can_export() => Ok(f),
        _ => Err(format!(
            "expected one of {}",
            Format::ALL
                .iter()
                .filter(|f| f.can_export())
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    super::check_overwrite(&args.output, args.force)?;
    let project = project_file::load(&args.project)?;
    let options = ExportOptions {
        scheme: Scheme::from_name(&args.scheme).unwrap_or_default(),
        tokens: if args.tokens == "word" {
            Tokens::Word
        } else {
            Tokens::Char
        },
        strict: args.strict,
        split: args.split,
        seed: args.seed,
        no_docstart: args.no_docstart,
        conll2003: args.conll2003,
        spans_key: Some(args.spans_key.clone()),
    };
    if formats::exports_folder(args.format, &options) && args.output.is_file() {
        anyhow::bail!(
            "{} is a file, but a {} export{} is a folder",
            args.output.display(),
            args.format,
            if args.split.is_some() {
                " with --split"
            } else {
                ""
            }
        );
    }
    let overwrite = if args.force {
        Overwrite::Replace
    } else {
        Overwrite::Refuse
    };
    // Each file is written as it is made: an export is never held whole in memory.
    let report = match formats::export_to(&project, args.format, &options, &args.output, overwrite)
    {
        Ok(report) => report,
        Err(ExportToError::Export(e)) => {
            return Err(anyhow::Error::new(e).context(format!(
                "{}: cannot export to {}",
                args.project.display(),
                args.format
            )));
        }
        Err(ExportToError::Write(WriteError::Exists(path))) if args.force => anyhow::bail!(
            "{} was created by another program while exporting; nothing was replaced, try again",
            path.display()
        ),
        Err(ExportToError::Write(WriteError::Exists(path))) => anyhow::bail!(
            "{} already exists (another program created it meanwhile); pass --force to overwrite it",
            path.display()
        ),
        Err(ExportToError::Write(e)) => return Err(e.into()),
    };
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if !report.dropped.is_empty() {
        eprintln!(
            "{} spans could not be expressed in {} and were left out (--strict fails instead):",
            report.dropped.len(),
            args.format
        );
        for dropped in &report.dropped {
            eprintln!("  dropped: {dropped}");
        }
    }
    // Label Studio needs the matching labelling config: beside a single-file export.
    if args.format == Format::LabelStudio && args.split.is_none() {
        match formats::label_studio::write_config_beside(&args.output, &project, args.force) {
            Ok(config) => eprintln!(
                "the labelling config for Label Studio (Settings > Labeling Interface) is in {}",
                config.display()
            ),
            Err((config, e)) => eprintln!(
                "warning: the labelling config was not written to {}: {e}{}",
                config.display(),
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    " (pass --force to replace it)"
                } else {
                    ""
                }
            ),
        }
    }
    let left_out = if report.dropped.is_empty() {
        String::new()
    } else {
        format!(" ({} of them left out, see above)", report.dropped.len())
    };
    println!(
        "{}: {} documents, {} spans exported to {}{left_out}, {} file{}",
        args.output.display(),
        report.documents,
        report.spans,
        args.format,
        report.file_count,
        if report.file_count == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}
