//! Export to and import from the formats other NLP tools read: doccano, CoNLL (BIO/BIOES),
//! Hugging Face token classification, spaCy, brat standoff and Label Studio.
//!
//! Pure functions over a [`Project`]: no terminal, no egui, no writing. [`export`] returns the
//! files to write ([`write_output`] writes them atomically), [`import`] returns a new project
//! with a report of what was skipped or left out. The offset convention of each format is
//! written down in `docs/FORMAT.md`, "Offsets in other formats".
//!
//! Nothing here may drop a span silently: a span a format cannot hold is either an error or
//! named in the report.

pub mod brat;
pub mod conll;
pub mod doccano;
pub mod hf;
pub mod label_studio;
pub mod spacy;
pub mod split;
pub mod tokenize;

mod builder;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::document::Document;
use super::project::{AnnotatedDocument, Project};
use super::span::{Span, SpanStatus};

pub use builder::ProjectBuilder;
pub use split::SplitRatio;

/// The formats Spantag exchanges. Not every one goes both ways: see [`Format::can_export`] and
/// [`Format::can_import`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain UTF-8 text files, one document each (import only).
    Text,
    Doccano,
    Conll,
    /// Hugging Face token classification JSONL (export only).
    Hf,
    /// spaCy-loadable JSONL with character offsets (export only).
    Spacy,
    Brat,
    LabelStudio,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Text,
        Format::Doccano,
        Format::Conll,
        Format::Hf,
        Format::Spacy,
        Format::Brat,
        Format::LabelStudio,
    ];

    /// The name used on the command line and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Doccano => "doccano",
            Format::Conll => "conll",
            Format::Hf => "hf",
            Format::Spacy => "spacy",
            Format::Brat => "brat",
            Format::LabelStudio => "label-studio",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn can_export(self) -> bool {
        self != Format::Text
    }

    pub fn can_import(self) -> bool {
        !matches!(self, Format::Hf | Format::Spacy)
    }

    /// True when an export is a folder of files even without `--split`.
    pub fn exports_folder(self) -> bool {
        matches!(self, Format::Brat | Format::Hf)
    }

    /// The extension of a single-file export (and of each split file).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Doccano | Format::Spacy | Format::Hf => "jsonl",
            Format::Conll => "conll",
            Format::Brat => "ann",
            Format::LabelStudio => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

// ---- Export -----------------------------------------------------------------------------------

/// How a span is cut into token tags (CoNLL, Hugging Face).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scheme {
    /// IOB2: every entity starts with `B-`, the rest of its tokens are `I-`.
    #[default]
    Bio,
    /// `B-` begin, `I-` inside, `E-` end, `S-` a one-token entity.
    Bioes,
}

pub use tokenize::Tokens;

#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    pub scheme: Scheme,
    pub tokens: Tokens,
    /// Fail on a span the format cannot express instead of reporting and leaving it out.
    pub strict: bool,
    /// Write train/dev/test files by document.
    pub split: Option<SplitRatio>,
    pub seed: u64,
}

/// One file of an export. `path` is relative to the output: empty for a single-file export
/// (the output itself), else a path inside the output folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// A span left out of an export, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedSpan {
    pub document: String,
    pub span: Span,
    pub text: String,
    pub reason: String,
}

impl fmt::Display for DroppedSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "document \"{}\", span {} {} [{}, {}) \"{}\": {}",
            self.document,
            self.span.id,
            self.span.label,
            self.span.start,
            self.span.end,
            self.text,
            self.reason
        )
    }
}

#[derive(Clone, Debug, Default)]
pub struct ExportReport {
    pub files: Vec<OutputFile>,
    /// Spans the format could not express (overlaps in BIO, boundaries inside a word token).
    pub dropped: Vec<DroppedSpan>,
    /// Everything else worth knowing: information the format cannot carry, spans not exported.
    pub warnings: Vec<String>,
    pub documents: usize,
    pub spans: usize,
}

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("{format} export is not supported")]
    Unsupported { format: Format },
    #[error(
        "document \"{document}\", span {span}: offsets [{start}, {end}) in {convention} give \"{found}\", but the span's text is \"{expected}\""
    )]
    Misaligned {
        document: String,
        span: u64,
        start: usize,
        end: usize,
        convention: &'static str,
        found: String,
        expected: String,
    },
    /// `--strict` and a span the format cannot express.
    #[error("{0} (--strict)")]
    Strict(Box<DroppedSpan>),
    #[error("document \"{document}\", span {span}: {reason}")]
    Inexpressible {
        document: String,
        span: u64,
        reason: String,
    },
    #[error("label {0} is not in the project's label set")]
    UnknownLabel(String),
    #[error("{0}")]
    Json(String),
}

/// Export `project` to `format`. Only accepted spans are training data: suggested and rejected
/// spans are counted in the warnings and left out.
pub fn export(
    project: &Project,
    format: Format,
    options: &ExportOptions,
) -> Result<ExportReport, ExportError> {
    let mut report = ExportReport::default();
    let (skipped_suggested, skipped_rejected) = count_unaccepted(project);
    if skipped_suggested + skipped_rejected > 0 {
        report.warnings.push(format!(
            "{skipped_suggested} suggested and {skipped_rejected} rejected spans are not exported (only accepted spans are)"
        ));
    }
    let parts: Vec<(Option<&str>, Vec<&AnnotatedDocument>)> = match &options.split {
        None => vec![(None, project.documents.iter().collect())],
        Some(ratio) => split::split_documents(&project.documents, ratio, options.seed)
            .into_iter()
            .map(|(name, docs)| (Some(name), docs))
            .collect(),
    };
    for (part, docs) in parts {
        let exported = match format {
            Format::Doccano => doccano::write(&docs, &mut report)?,
            Format::Spacy => spacy::write(&docs, options, &mut report)?,
            Format::LabelStudio => label_studio::write(&docs, &mut report)?,
            Format::Conll => conll::write(&docs, options, &mut report)?,
            Format::Hf => hf::write(&docs, &project.labels, options, part, &mut report)?,
            Format::Brat => brat::write(&docs, &project.labels, &mut report)?,
            Format::Text => return Err(ExportError::Unsupported { format }),
        };
        report.documents += docs.len();
        report.spans += docs.iter().map(|d| accepted(d).count()).sum::<usize>();
        for file in exported {
            let path = match (part, format) {
                (None, _) => file.path,
                // Folder formats: one subfolder per part, except Hugging Face, whose files are
                // named by part already (train.jsonl, ...).
                (Some(_), Format::Hf) => file.path,
                (Some(name), Format::Brat) => Path::new(name).join(file.path),
                (Some(name), _) => PathBuf::from(format!("{name}.{}", format.extension())),
            };
            report.files.push(OutputFile {
                path,
                bytes: file.bytes,
            });
        }
    }
    if format == Format::Hf {
        report
            .files
            .push(hf::labels_file(&project.labels, options)?);
    }
    dedup_warnings(&mut report.warnings);
    Ok(report)
}

fn dedup_warnings(warnings: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    warnings.retain(|w| seen.insert(w.clone()));
}

fn count_unaccepted(project: &Project) -> (usize, usize) {
    let mut counts = (0, 0);
    for span in project.documents.iter().flat_map(|d| d.spans.iter()) {
        match span.status {
            SpanStatus::Accepted => {}
            SpanStatus::Suggested => counts.0 += 1,
            SpanStatus::Rejected => counts.1 += 1,
        }
    }
    counts
}

/// The spans of a document that are exported: the accepted ones, in document order.
pub(crate) fn accepted(doc: &AnnotatedDocument) -> impl Iterator<Item = &Span> {
    doc.spans
        .iter()
        .filter(|s| s.status == SpanStatus::Accepted)
}

/// Write every file of an export under `out` atomically, creating folders as needed. A
/// single-file export (one file with an empty path) is written to `out` itself.
pub fn write_output(out: &Path, files: &[OutputFile]) -> std::io::Result<()> {
    for file in files {
        let path = if file.path.as_os_str().is_empty() {
            out.to_owned()
        } else {
            out.join(&file.path)
        };
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        super::atomic_write::write_atomically(&path, &file.bytes)?;
    }
    Ok(())
}

/// The offset unit of a format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Offsets {
    /// Unicode code points: Python `str` indices (Spantag, brat, spaCy, Label Studio, doccano's
    /// documented format).
    #[default]
    Codepoint,
    /// UTF-16 code units: JavaScript string indices (doccano's browser exports).
    Utf16,
}

impl Offsets {
    pub fn name(self) -> &'static str {
        match self {
            Offsets::Codepoint => "code points",
            Offsets::Utf16 => "UTF-16 code units",
        }
    }
}

/// The alignment check every exporter runs before writing: the span's offsets, converted to
/// `convention` and sliced out of the text the way a reader of the format slices it, must give
/// the span's surface text. Returns the converted offsets and the surface text.
pub fn check_alignment(
    doc: &Document,
    span: &Span,
    convention: Offsets,
) -> Result<(usize, usize, String), ExportError> {
    let expected = doc.slice(span.start, span.end).to_owned();
    let (start, end, found) = match convention {
        // Spantag's own convention: the document's code point index slices it (a scan from
        // the start per span would make exporting a novel quadratic).
        Offsets::Codepoint => (span.start, span.end, expected.clone()),
        // The units a JavaScript reader slices: the UTF-16 offsets of the span's code points.
        // Both come from the document's one index, so the slice is the code points between.
        Offsets::Utf16 => {
            let index = doc.utf16();
            let (start, end) = (index.to_utf16(span.start), index.to_utf16(span.end));
            let found = match (index.from_utf16(start), index.from_utf16(end)) {
                (Ok(s), Ok(e)) => doc.slice(s, e).to_owned(),
                _ => String::new(),
            };
            (start, end, found)
        }
    };
    let in_range = span.start < span.end && span.end <= doc.char_len();
    if !in_range || found != expected {
        return Err(ExportError::Misaligned {
            document: doc.id.clone(),
            span: span.id.0,
            start,
            end,
            convention: convention.name(),
            found,
            expected,
        });
    }
    Ok((start, end, found))
}

pub(crate) fn to_json_line<T: serde::Serialize>(value: &T) -> Result<String, ExportError> {
    serde_json::to_string(value).map_err(|e| ExportError::Json(e.to_string()))
}

// ---- Import -----------------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Marks every imported span with this annotator.
    pub annotator: Option<String>,
    /// Skip and count bad records instead of failing.
    pub lenient: bool,
    /// doccano: the unit of the offsets in the file.
    pub offsets: Offsets,
    /// Label Studio: which annotation of each task to read (0 = the first).
    pub annotation: usize,
    /// Every imported span is a suggestion to review (pre-annotation); for Label Studio the
    /// tasks' `predictions` are read too.
    pub as_suggestions: bool,
}

/// A problem with the input, naming the file, the line (or record) and the reason.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{}{}: {reason}", file.display(), place.as_ref().map(|p| format!(":{p}")).unwrap_or_default())]
pub struct ImportError {
    pub file: PathBuf,
    /// A line number (`3`) or a record (`task 2`); none for the whole file.
    pub place: Option<String>,
    pub reason: String,
}

impl ImportError {
    pub fn new(file: &Path, line: Option<usize>, reason: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            place: line.map(|l| l.to_string()),
            reason: reason.into(),
        }
    }

    pub fn at(file: &Path, place: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            place: Some(place.into()),
            reason: reason.into(),
        }
    }
}

#[derive(Debug)]
pub struct ImportReport {
    pub project: Project,
    /// Bad records skipped with `lenient` (each would have failed the import otherwise).
    pub skipped: Vec<ImportError>,
    /// Things imported with a caveat (a Label Studio text that differs from the offsets, ...).
    pub warnings: Vec<String>,
    /// Annotations Spantag does not model, kept out and counted by kind (brat `A`, `R`, ...).
    pub left_out: BTreeMap<String, usize>,
}

/// Import `inputs` (files, or folders for brat) as a new project.
pub fn import(
    format: Format,
    inputs: &[PathBuf],
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let mut builder = ProjectBuilder::new(options);
    match format {
        Format::Text => {
            for path in inputs {
                builder.add_text_file(path)?;
            }
        }
        Format::Doccano => {
            for path in inputs {
                doccano::read(path, &mut builder)?;
            }
        }
        Format::Brat => brat::read(inputs, &mut builder)?,
        Format::LabelStudio => {
            for path in inputs {
                label_studio::read(path, &mut builder)?;
            }
        }
        Format::Conll => {
            for path in inputs {
                conll::read(path, &mut builder)?;
            }
        }
        Format::Hf | Format::Spacy => {
            let file = inputs.first().cloned().unwrap_or_default();
            return Err(ImportError::new(
                &file,
                None,
                format!("{format} import is not supported (export only)"),
            ));
        }
    }
    Ok(builder.finish())
}

/// A text for a message: at most 80 characters, with `…` when cut.
pub fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
        None => text.into(),
    }
}

/// Read a whole input file as UTF-8 (a leading byte-order mark is dropped: JSON and CoNLL have
/// no place for it).
pub(crate) fn read_utf8(path: &Path) -> Result<String, ImportError> {
    let bytes = std::fs::read(path)
        .map_err(|e| ImportError::new(path, None, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        ImportError::new(
            path,
            None,
            format!(
                "not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text))
}
