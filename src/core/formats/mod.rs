//! Export to and import from the formats other NLP tools read: doccano, CoNLL (BIO/BIOES),
//! Hugging Face token classification, spaCy (JSONL and the binary DocBin), brat standoff and
//! Label Studio.
//!
//! Pure functions over a [`Project`]: no terminal, no egui, no writing. [`export`] returns the
//! files to write ([`write_output`] writes them atomically), [`import`] returns a new project
//! with a report of what was skipped or left out. The offset convention of each format is
//! written down in `docs/FORMAT.md`, "Offsets in other formats".
//!
//! Nothing here may drop a span silently: a span a format cannot hold is either an error or
//! named in the report.

pub mod brat;
pub mod brat_conf;
pub mod conll;
pub mod docbin;
mod docbin_symbols;
pub mod doccano;
mod each;
pub mod hf;
pub mod label_studio;
pub mod scheme;
pub mod spacy;
pub mod split;
pub mod tokenize;

mod builder;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::document::Document;
use super::project::{AnnotatedDocument, Project};
use super::span::{Span, SpanStatus};

pub use builder::ProjectBuilder;
pub use scheme::Scheme;
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
    /// spaCy's binary training format (`.spacy`, a `DocBin`).
    Docbin,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Text,
        Format::Doccano,
        Format::Conll,
        Format::Hf,
        Format::Spacy,
        Format::Brat,
        Format::LabelStudio,
        Format::Docbin,
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
            Format::Docbin => "docbin",
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
            Format::Docbin => "spacy",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

// ---- Export -----------------------------------------------------------------------------------

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
    /// CoNLL: no `-DOCSTART-` line before each document (written by default when there are
    /// several).
    pub no_docstart: bool,
    /// CoNLL: CoNLL-2003's four columns, `TOKEN -X- -X- TAG`, with a `-DOCSTART-` line
    /// before every document.
    pub conll2003: bool,
    /// DocBin: the `doc.spans` key that holds every span (`sc` when `None`).
    pub spans_key: Option<String>,
}

/// One file of an export. `path` is relative to the output: empty for a single-file export
/// (the output itself), else a path inside the output folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// The document the file holds, when it holds one (brat), to name it in errors.
    pub document: Option<String>,
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
    /// The files made, with [`export`]; empty when they were written as made ([`export_to`]).
    pub files: Vec<OutputFile>,
    /// How many files the export has (with [`export_to`] too).
    pub file_count: usize,
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
    /// Writing a file of the export failed ([`export_to`] names the file: see [`WriteError`]).
    #[error("cannot write the export: {0}")]
    Io(#[source] std::io::Error),
}

/// Export `project` to `format`. Only accepted spans are training data: suggested and rejected
/// spans are counted in the warnings and left out.
pub fn export(
    project: &Project,
    format: Format,
    options: &ExportOptions,
) -> Result<ExportReport, ExportError> {
    let mut collected = Collect::default();
    let mut report = export_into(project, format, options, &mut collected)?;
    report.files = collected.files;
    Ok(report)
}

/// Where an export writes its files, one after another: into memory ([`export`]) or straight
/// into the files on disk ([`export_to`]), so that no export is held whole in memory to be
/// written (a Label Studio export of 100,000 spans is 39 MB).
pub trait Sink {
    /// The writer of the export's next file, at `path` relative to the output (empty: the
    /// output itself), for `document` when it holds one; the file before it is complete.
    fn file(
        &mut self,
        path: PathBuf,
        document: Option<String>,
    ) -> Result<&mut dyn Write, ExportError>;
}

/// The files kept in memory, as [`ExportReport::files`].
#[derive(Default)]
struct Collect {
    files: Vec<OutputFile>,
}

impl Sink for Collect {
    fn file(
        &mut self,
        path: PathBuf,
        document: Option<String>,
    ) -> Result<&mut dyn Write, ExportError> {
        self.files.push(OutputFile {
            path,
            bytes: Vec::new(),
            document,
        });
        let last = self.files.len() - 1;
        Ok(&mut self.files[last].bytes)
    }
}

/// The files of one part of a split (or of the whole export) under their names in the output.
struct InPart<'a> {
    sink: &'a mut dyn Sink,
    part: Option<&'a str>,
    format: Format,
    /// Files made so far.
    count: &'a mut usize,
}

impl Sink for InPart<'_> {
    fn file(
        &mut self,
        path: PathBuf,
        document: Option<String>,
    ) -> Result<&mut dyn Write, ExportError> {
        let path = match (self.part, self.format) {
            (None, _) => path,
            // Folder formats: one subfolder per part, except Hugging Face, whose files are
            // named by part already (train.jsonl, ...).
            (Some(_), Format::Hf) => path,
            (Some(name), Format::Brat) => Path::new(name).join(path),
            (Some(name), _) => PathBuf::from(format!("{name}.{}", self.format.extension())),
        };
        *self.count += 1;
        self.sink.file(path, document)
    }
}

/// [`export`], writing the files into `sink` as they are made ([`ExportReport::files`] is
/// left empty). On an error the files written so far are incomplete: a sink on disk throws
/// them away.
pub fn export_into(
    project: &Project,
    format: Format,
    options: &ExportOptions,
    sink: &mut dyn Sink,
) -> Result<ExportReport, ExportError> {
    let mut report = ExportReport::default();
    let mut file_count = 0;
    let (skipped_suggested, skipped_rejected) = count_unaccepted(project);
    if format == Format::LabelStudio && skipped_suggested > 0 {
        // Label Studio has a place for them: each task's `predictions`.
        report.warnings.push(format!(
            "{skipped_suggested} suggested spans are exported as predictions, not annotations; {skipped_rejected} rejected spans are not exported"
        ));
    } else if skipped_suggested + skipped_rejected > 0 {
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
    let total: usize = parts.iter().map(|(_, docs)| docs.len()).sum();
    for (part, docs) in parts {
        // Hugging Face's `DatasetDict` names the middle split `validation`.
        let part = match (part, format) {
            (Some("dev"), Format::Hf) => Some("validation"),
            (part, _) => part,
        };
        if let (Some(name), Some(ratio)) = (part, &options.split)
            && docs.is_empty()
        {
            report.warnings.push(format!(
                "--split {ratio}: the {name} part has none of the {total} documents, so its file is empty (a split with no rows fails to load in Hugging Face datasets); give it a larger share or annotate more documents"
            ));
        }
        let out = &mut InPart {
            sink: &mut *sink,
            part,
            format,
            count: &mut file_count,
        };
        match format {
            Format::Doccano => doccano::write(&docs, &mut report, out)?,
            Format::Spacy => spacy::write(&docs, options, &mut report, out)?,
            Format::LabelStudio => label_studio::write(&docs, &mut report, out)?,
            Format::Docbin => docbin::write(&docs, options, &mut report, out)?,
            Format::Conll => conll::write(&docs, options, &mut report, out)?,
            Format::Hf => hf::write(&docs, &project.labels, options, part, &mut report, out)?,
            Format::Brat => brat::write(&docs, project, &mut report, out)?,
            Format::Text => return Err(ExportError::Unsupported { format }),
        }
        report.documents += docs.len();
        report.spans += docs.iter().map(|d| accepted(d).count()).sum::<usize>();
    }
    if format == Format::Hf {
        let labels = hf::labels_file(&project.labels, options)?;
        write_file(sink, labels)?;
        file_count += 1;
    }
    // A split Label Studio export is a folder: its labelling config goes in it (a single-file
    // export's config is written beside it by the caller, see `label_studio::labelling_config`).
    if format == Format::LabelStudio && options.split.is_some() {
        let config = OutputFile {
            path: PathBuf::from(LABEL_STUDIO_CONFIG),
            bytes: label_studio::labelling_config(&project.labels, project.relation_types())
                .into_bytes(),
            document: None,
        };
        write_file(sink, config)?;
        file_count += 1;
    }
    report.file_count = file_count;
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

/// The labelling config's file name in a split Label Studio export.
pub const LABEL_STUDIO_CONFIG: &str = "labeling-config.xml";

/// Every folder export leaves this small file in the folder. `--force` and the window's export
/// replace a folder only if it holds this (or is empty): a folder of other files is never
/// deleted by an export.
pub const EXPORT_MARKER: &str = ".spantag-export";

/// What to do when the output already exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overwrite {
    /// Fail with [`WriteError::Exists`], also when another writer creates it first.
    Refuse,
    /// Replace a file, or a folder that an earlier export wrote (or an empty one), whole.
    Replace,
}

#[derive(Debug, Error)]
pub enum WriteError {
    #[error("{} already exists", .0.display())]
    Exists(PathBuf),
    #[error(
        "{} holds files that Spantag did not export (there is no {EXPORT_MARKER} in it); an export replaces a whole folder, so choose a new or empty folder",
        .0.display()
    )]
    NotAnExport(PathBuf),
    #[error("cannot write {}{}: {source}", path.display(), document.as_ref().map(|d| format!(" (document \"{d}\")")).unwrap_or_default())]
    Io {
        path: PathBuf,
        document: Option<String>,
        source: std::io::Error,
    },
}

/// Write an export to `out`, replacing what an earlier export wrote there
/// ([`write_output_with`] with [`Overwrite::Replace`]).
pub fn write_output(out: &Path, files: &[OutputFile]) -> Result<(), WriteError> {
    write_output_with(out, files, Overwrite::Replace)
}

/// Write an export to `out`. A single-file export (one file with an empty path) is written to
/// `out` itself, atomically. A folder export is written whole under a temporary name beside
/// `out` with an [`EXPORT_MARKER`], then moved to `out` in one step (exchanged with the old
/// folder, which is then removed): at every instant `out` holds the whole old export or the
/// whole new one, and a `--force` export never merges with what was there.
pub fn write_output_with(
    out: &Path,
    files: &[OutputFile],
    overwrite: Overwrite,
) -> Result<(), WriteError> {
    use super::atomic_write;
    let io = |path: &Path, document: Option<&String>| {
        let path = path.to_owned();
        let document = document.cloned();
        move |source: std::io::Error| WriteError::Io {
            path,
            document,
            source,
        }
    };
    // Placing the output fails with `AlreadyExists` only when refusing and it exists.
    let placing = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            WriteError::Exists(out.to_owned())
        } else {
            io(out, None)(source)
        }
    };
    if let [single] = files
        && single.path.as_os_str().is_empty()
    {
        return match overwrite {
            Overwrite::Refuse => atomic_write::write_new(out, &single.bytes),
            Overwrite::Replace => atomic_write::write_atomically(out, &single.bytes),
        }
        .map_err(placing);
    }
    let folder = atomic_write::TempFolder::new_for(out).map_err(io(out, None))?;
    for file in files {
        folder
            .write(&file.path, &file.bytes)
            .map_err(io(&out.join(&file.path), file.document.as_ref()))?;
    }
    place_folder(folder, out, overwrite)
}

/// Mark a folder export written in `folder` as Spantag's and move it to `out`.
fn place_folder(
    folder: super::atomic_write::TempFolder,
    out: &Path,
    overwrite: Overwrite,
) -> Result<(), WriteError> {
    use super::atomic_write;
    let io = |source: std::io::Error| WriteError::Io {
        path: out.to_owned(),
        document: None,
        source,
    };
    let marker = format!(
        "Written by Spantag {}. Exporting again with --force replaces this whole folder.\n",
        env!("CARGO_PKG_VERSION")
    );
    folder
        .write(Path::new(EXPORT_MARKER), marker.as_bytes())
        .map_err(io)?;
    let replace = overwrite == Overwrite::Replace;
    match folder.put_in_place(out, replace, is_replaceable) {
        Ok(()) => Ok(()),
        Err(atomic_write::PlaceError::Refused) => Err(WriteError::NotAnExport(out.to_owned())),
        // Placing the output fails with `AlreadyExists` only when refusing and it exists.
        Err(atomic_write::PlaceError::Io(e)) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(WriteError::Exists(out.to_owned()))
        }
        Err(atomic_write::PlaceError::Io(e)) => Err(io(e)),
    }
}

/// Why [`export_to`] wrote nothing.
#[derive(Debug, Error)]
pub enum ExportToError {
    /// The project cannot be exported so (nothing was written).
    #[error(transparent)]
    Export(ExportError),
    /// The export could not be written (nothing was replaced).
    #[error(transparent)]
    Write(WriteError),
}

/// True when an export to `format` with `options` is a folder, not one file.
pub fn exports_folder(format: Format, options: &ExportOptions) -> bool {
    format.exports_folder() || options.split.is_some()
}

/// [`export`] and [`write_output_with`] in one: each file is written straight into its
/// temporary file as it is made, never held whole in memory (the output of 100,000 spans is 4
/// to 39 MB by format), and placed at `out` exactly as [`write_output_with`] places it: a file
/// atomically, a folder whole. On any error nothing at `out` changes.
pub fn export_to(
    project: &Project,
    format: Format,
    options: &ExportOptions,
    out: &Path,
    overwrite: Overwrite,
) -> Result<ExportReport, ExportToError> {
    use super::atomic_write;
    let io = |path: PathBuf, document: Option<String>| {
        move |source: std::io::Error| {
            ExportToError::Write(WriteError::Io {
                path,
                document,
                source,
            })
        }
    };
    let placing = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            ExportToError::Write(WriteError::Exists(out.to_owned()))
        } else {
            io(out.to_owned(), None)(source)
        }
    };
    if !exports_folder(format, options) {
        // The export runs inside the atomic write, into its temporary file; its own error is
        // kept apart from the file's (the write may call `fill` twice: each run starts over).
        let mut exported: Option<Result<ExportReport, ExportError>> = None;
        let mut fill = |file: &mut dyn Write| {
            let mut sink = OneFile {
                out: file,
                opened: false,
            };
            let result = export_into(project, format, options, &mut sink);
            let failed = match &result {
                Ok(_) => Ok(()),
                Err(ExportError::Io(e)) => Err(std::io::Error::new(e.kind(), e.to_string())),
                Err(e) => Err(std::io::Error::other(e.to_string())),
            };
            exported = Some(result);
            failed
        };
        let placed = match overwrite {
            Overwrite::Refuse => atomic_write::write_new_with(out, &mut fill),
            Overwrite::Replace => atomic_write::write_atomically_with(out, &mut fill),
        };
        return match (exported, placed) {
            (Some(Ok(report)), Ok(())) => Ok(report),
            (Some(Err(ExportError::Io(source))), _) => Err(io(out.to_owned(), None)(source)),
            (Some(Err(e)), _) => Err(ExportToError::Export(e)),
            (_, Err(e)) => Err(placing(e)),
            // `fill` not run yet the write succeeded: impossible, but nothing to report then.
            (None, Ok(())) => Ok(ExportReport::default()),
        };
    }
    let folder = atomic_write::TempFolder::new_for(out).map_err(io(out.to_owned(), None))?;
    let mut sink = InFolder {
        folder: &folder,
        open: None,
    };
    let exported = export_into(project, format, options, &mut sink);
    let report = match exported {
        Ok(report) => report,
        Err(ExportError::Io(source)) => {
            let (path, document) = sink.place();
            return Err(io(out.join(path), document)(source));
        }
        Err(e) => return Err(ExportToError::Export(e)),
    };
    if let Some((path, document, mut writer)) = sink.open.take() {
        writer.flush().map_err(io(out.join(&path), document))?;
    }
    place_folder(folder, out, overwrite).map_err(ExportToError::Write)?;
    Ok(report)
}

/// A single-file export written into the (buffered) temporary file of an atomic write.
struct OneFile<'a> {
    out: &'a mut dyn Write,
    opened: bool,
}

impl Sink for OneFile<'_> {
    fn file(
        &mut self,
        path: PathBuf,
        _document: Option<String>,
    ) -> Result<&mut dyn Write, ExportError> {
        if self.opened || !path.as_os_str().is_empty() {
            // `exports_folder` said this format writes one file, the output itself.
            return Err(ExportError::Json(format!(
                "a single-file export wrote a second file {}",
                path.display()
            )));
        }
        self.opened = true;
        Ok(&mut *self.out)
    }
}

/// A folder export written file by file into a temporary folder.
struct InFolder<'a> {
    folder: &'a super::atomic_write::TempFolder,
    /// The file being written: its path in the folder, its document, its writer.
    open: Option<(PathBuf, Option<String>, std::io::BufWriter<std::fs::File>)>,
}

impl InFolder<'_> {
    /// The file being written (for a message), as a path under the folder's final name.
    fn place(&self) -> (PathBuf, Option<String>) {
        match &self.open {
            Some((path, document, _)) => (path.clone(), document.clone()),
            None => (PathBuf::new(), None),
        }
    }
}

impl Sink for InFolder<'_> {
    fn file(
        &mut self,
        path: PathBuf,
        document: Option<String>,
    ) -> Result<&mut dyn Write, ExportError> {
        if let Some((_, _, done)) = &mut self.open {
            done.flush().map_err(ExportError::Io)?;
        }
        self.open = None;
        let file = self.folder.create(&path).map_err(ExportError::Io)?;
        let (_, _, writer) = self
            .open
            .insert((path, document, std::io::BufWriter::new(file)));
        Ok(writer)
    }
}

/// An export may replace `folder` if an earlier export wrote it, or if it is empty.
pub fn is_replaceable(folder: &Path) -> bool {
    folder.join(EXPORT_MARKER).is_file()
        || std::fs::read_dir(folder).is_ok_and(|mut entries| entries.next().is_none())
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
    let (start, end) = match convention {
        Offsets::Codepoint => (span.start, span.end),
        Offsets::Utf16 => (
            doc.utf16().to_utf16(span.start),
            doc.utf16().to_utf16(span.end),
        ),
    };
    check_offsets(doc, span, convention, start, end)
}

/// Check that `[start, end)`, offsets in `convention` about to be written for `span`, slice
/// out of the text exactly the span's text, slicing as a reader of the format does (code
/// points through the document's index, which stays linear over a whole export; UTF-16 units
/// from the text's UTF-16 encoding). An offset past the text, or a slice of other text (a
/// shifted offset, a wrong conversion), is an error naming the document and the span.
pub fn check_offsets(
    doc: &Document,
    span: &Span,
    convention: Offsets,
    start: usize,
    end: usize,
) -> Result<(usize, usize, String), ExportError> {
    let expected = doc.slice(span.start, span.end).to_owned();
    let found = match convention {
        Offsets::Codepoint => {
            (start <= end && end <= doc.char_len()).then(|| doc.slice(start, end).to_owned())
        }
        // The units a JavaScript reader slices, mapped back through the document's one UTF-16
        // index (linear over a whole export); an offset inside a surrogate pair or past the
        // text finds nothing.
        Offsets::Utf16 => {
            let index = doc.utf16();
            match (index.from_utf16(start), index.from_utf16(end)) {
                (Ok(s), Ok(e)) if s <= e => Some(doc.slice(s, e).to_owned()),
                _ => None,
            }
        }
    };
    let in_range = span.start < span.end && span.end <= doc.char_len();
    match found {
        Some(found) if in_range && found == expected => Ok((start, end, found)),
        found => Err(ExportError::Misaligned {
            document: doc.id.clone(),
            span: span.id.0,
            start,
            end,
            convention: convention.name(),
            found: found.unwrap_or_default(),
            expected,
        }),
    }
}

/// Append `value` to `out` as one line of JSON, serialised straight into it (no string per
/// line: a document's line holds its whole text).
pub(crate) fn push_json_line<T: serde::Serialize>(
    out: &mut dyn Write,
    value: &T,
) -> Result<(), ExportError> {
    serde_json::to_writer(&mut *out, value).map_err(json_error)?;
    out.write_all(b"\n").map_err(ExportError::Io)
}

/// A serialisation error, or the error of the file it was written into.
pub(crate) fn json_error(e: serde_json::Error) -> ExportError {
    if e.is_io() {
        ExportError::Io(std::io::Error::other(e.to_string()))
    } else {
        ExportError::Json(e.to_string())
    }
}

/// Write a file made whole in memory (a small one: a labels list, a config) into `sink`.
pub(crate) fn write_file(sink: &mut dyn Sink, file: OutputFile) -> Result<(), ExportError> {
    sink.file(file.path, file.document)?
        .write_all(&file.bytes)
        .map_err(ExportError::Io)
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
    /// CoNLL: the tag scheme of the input; `None` detects it (and says which it chose).
    pub scheme: Option<Scheme>,
    /// Label Studio: read the annotation of this user (a `completed_by` id or e-mail).
    pub completed_by: Option<String>,
    /// Label Studio: the data field holding the text (`text` when `None`).
    pub text_field: Option<String>,
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
    /// What the import decided without being told (the tag scheme it detected, ...).
    pub notes: Vec<String>,
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
        Format::Docbin => {
            for path in inputs {
                docbin::read(path, &mut builder)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::span::SpanId;

    #[test]
    fn offsets_must_slice_to_the_span_text_in_code_points_and_utf16() {
        // 北京 is [4, 6) in code points and [5, 7) in UTF-16 units (𠮷 is a surrogate pair).
        let doc = Document::new("d", "d", "𠮷野家在北京👍🏽。");
        let span = Span::new(SpanId(1), 4, 6, "GPE");
        assert_eq!(
            check_alignment(&doc, &span, Offsets::Codepoint).expect("aligned"),
            (4, 6, "北京".to_owned())
        );
        assert_eq!(
            check_alignment(&doc, &span, Offsets::Utf16).expect("aligned"),
            (5, 7, "北京".to_owned())
        );
        // Offsets shifted by one, or UTF-16 offsets written as code points, slice other text.
        for (convention, start, end, found) in [
            (Offsets::Codepoint, 5, 7, "京👍"),
            (Offsets::Codepoint, 3, 5, "在北"),
            (Offsets::Utf16, 4, 6, "在北"),
            (Offsets::Codepoint, 8, 10, ""),
        ] {
            let error = check_offsets(&doc, &span, convention, start, end).expect_err("shifted");
            let ExportError::Misaligned {
                found: got,
                expected,
                ..
            } = &error
            else {
                panic!("misaligned: {error}");
            };
            assert_eq!(
                (got.as_str(), expected.as_str()),
                (found, "北京"),
                "{error}"
            );
            assert!(
                error
                    .to_string()
                    .starts_with("document \"d\", span 1: offsets ["),
                "{error}"
            );
        }
    }
}
