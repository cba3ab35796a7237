//! The Spantag project file: JSON, versioned, self-contained, deterministic.
//!
//! Loading checks everything and either returns a whole valid [`Project`] or every problem it
//! found, each naming the file and the place. It never returns a half-loaded project.
//! The format is documented in `docs/FORMAT.md`; keep the two in step.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::atomic_write::{Fill, write_keeping_backup_with, write_new_with};
use super::attribute::{AttributeDef, AttributeKind};
use super::document::Document;
use super::label::{Label, LabelSet};
use super::project::{AnnotatedDocument, Project};
use super::relation::{Relation, RelationType, Relations};
use super::shared_str::SharedStr;
use super::span::{Span, SpanAttributes, SpanId, SpanNote, SpanStatus};
use super::span_index::SpanIndex;
use super::standoff::StandoffLine;
use super::text_reference;
use super::validate::{self, MAX_SPAN_ID, SpanProblem};

pub const FORMAT_MARKER: &str = "spantag";
/// The version this build writes and the newest it reads. Version 2 added `next_span_id`;
/// version 3 relations, relation types, attribute definitions and kept brat lines.
pub const FORMAT_VERSION: u32 = 3;

#[derive(Debug, Error)]
pub enum ProjectFileError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
    #[error("{}", render_problems(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<String>,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: the project cannot be turned into JSON: {source}", path.display())]
    Serialize {
        path: PathBuf,
        source: serde_json::Error,
    },
}

fn render_problems(path: &Path, problems: &[String]) -> String {
    let mut out = String::new();
    for (i, problem) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{}: {problem}", path.display()));
    }
    out
}

// ---- On-disk shape --------------------------------------------------------------------------

/// The file as read. [`FileRecordOut`] is the same shape as written, from borrowed parts; keep
/// the two in step (the sample's round-trip test compares the bytes).
#[derive(Deserialize)]
struct FileRecord {
    /// Checked as [`Header`]'s, read in the same pass so that a valid file is parsed once
    /// (not `#[serde(flatten)]`: that would buffer the whole file).
    #[serde(default)]
    format: Option<serde_json::Value>,
    #[serde(default)]
    version: Option<serde_json::Value>,
    /// The id the next new span gets (version 2). Missing in older files: then one above the
    /// largest id in the file.
    #[serde(default)]
    next_span_id: Option<u64>,
    /// The id the next new relation gets (version 3).
    #[serde(default)]
    next_relation_id: Option<u64>,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    relation_types: Vec<RelationType>,
    #[serde(default)]
    attributes: Vec<AttributeDef>,
    documents: Vec<DocumentRecord>,
}

#[derive(Deserialize)]
struct DocumentRecord {
    id: String,
    #[serde(default)]
    name: String,
    /// The user marked the document done (see `doc_status`); missing: not done.
    #[serde(default)]
    done: bool,
    #[serde(default)]
    sha256: Option<String>,
    /// A referenced text: its file, relative to the project file's folder (instead of `text`).
    #[serde(default)]
    text_file: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    spans: SpansIn,
    #[serde(default)]
    relations: Vec<Relation>,
    #[serde(default)]
    standoff: Vec<StandoffLine>,
}

/// One span as read; turned into a [`Span`] at once (see [`SpansIn`]).
#[derive(Deserialize)]
struct SpanRecord {
    id: u64,
    start: usize,
    end: usize,
    /// Interned while parsing: every span of a label shares one string.
    label: SharedStr,
    /// The surface text, checked on load so a changed document text is caught, span by span.
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    note: Option<SpanNote>,
    #[serde(default)]
    annotator: Option<SharedStr>,
    #[serde(default)]
    status: SpanStatus,
    #[serde(default)]
    group: Option<u64>,
    #[serde(default)]
    attributes: SpanAttributes,
}

/// How many spans a piece of [`SpansIn`] holds: the size [`SpanIndex`] fills its blocks to.
const SPANS_PER_PIECE: usize = 96;

/// A document's spans as read, already the project's [`Span`]s: each record is turned into its
/// span as soon as it is parsed, so no record per span is held beside the spans (at 100,000
/// spans the records were 17 MB, and the spans built from them 14 MB more). The spans are kept
/// in pieces of [`SPANS_PER_PIECE`] that become the [`SpanIndex`]'s blocks when they come in
/// sort order (as Spantag writes them): never one `Vec` of every span that doubles as it grows.
#[derive(Default)]
struct SpansIn {
    pieces: Vec<Vec<Span>>,
    /// Where the surface text the file records for the span at each position ends in
    /// `recorded_texts` (one buffer, not a `String` per span; each starts where the one recorded
    /// before it ends), or [`NOT_RECORDED`]: 4 bytes a span (a range was 12, and 1.6 MB of the
    /// load's peak at 100,000 spans). Read in order by [`RecordedTexts`].
    recorded_ends: Vec<u32>,
    recorded_texts: String,
}

/// In [`SpansIn::recorded_ends`]: the file records no text for the span (or the texts passed
/// 4 GiB, past which they are not checked).
const NOT_RECORDED: u32 = u32::MAX;

/// The texts a [`SpansIn`] recorded, read span by span in file order.
struct RecordedTexts<'a> {
    ends: std::slice::Iter<'a, u32>,
    texts: &'a str,
    /// Where the next recorded text starts.
    at: usize,
}

impl<'a> RecordedTexts<'a> {
    fn new(ends: &'a [u32], texts: &'a str) -> Self {
        Self {
            ends: ends.iter(),
            texts,
            at: 0,
        }
    }

    /// The text the file records for the next span, if it records one.
    fn next_text(&mut self) -> Option<&'a str> {
        let end = *self.ends.next()?;
        if end == NOT_RECORDED {
            return None;
        }
        let start = std::mem::replace(&mut self.at, end as usize);
        self.texts.get(start..end as usize)
    }
}

impl SpansIn {
    fn push(&mut self, span: Span, recorded: Option<&str>) {
        let end = recorded.and_then(|text| {
            let end = u32::try_from(self.recorded_texts.len() + text.len()).ok()?;
            (end != NOT_RECORDED).then(|| {
                self.recorded_texts.push_str(text);
                end
            })
        });
        self.recorded_ends.push(end.unwrap_or(NOT_RECORDED));
        match self.pieces.last_mut() {
            Some(piece) if piece.len() < SPANS_PER_PIECE => piece.push(span),
            _ => {
                let mut piece = Vec::with_capacity(SPANS_PER_PIECE);
                piece.push(span);
                self.pieces.push(piece);
            }
        }
    }

    fn push_record(&mut self, record: SpanRecord) {
        let span = Span {
            id: SpanId(record.id),
            start: record.start,
            end: record.end,
            label: record.label,
            note: record.note,
            annotator: record.annotator,
            status: record.status,
            group: record.group,
            attributes: record.attributes,
        };
        self.push(span, record.text.as_deref());
    }

    fn iter(&self) -> impl Iterator<Item = &Span> {
        self.pieces.iter().flatten()
    }
}

impl<'de> Deserialize<'de> for SpansIn {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = SpansIn;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of spans")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<SpansIn, A::Error> {
                let mut spans = SpansIn::default();
                while let Some(record) = seq.next_element::<SpanRecord>()? {
                    spans.push_record(record);
                }
                Ok(spans)
            }
        }
        deserializer.deserialize_seq(Visitor)
    }
}

/// The file as written: [`FileRecord`]'s shape, borrowing from the project, serialised straight
/// into the writer (no copy of the texts and spans, no whole-file string).
#[derive(Serialize)]
struct FileRecordOut<'a> {
    format: &'a str,
    version: u32,
    next_span_id: Option<u64>,
    /// Left out until the project has had a relation (then it is above 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    next_relation_id: Option<u64>,
    labels: Vec<&'a Label>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    relation_types: &'a [RelationType],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    attributes: &'a [AttributeDef],
    documents: DocumentsOut<'a>,
}

/// The project's documents, and the folder of the file they are written to: referenced texts
/// are written relative to it (`None`: as they were read).
struct DocumentsOut<'a>(&'a Project, Option<&'a Path>);

impl Serialize for DocumentsOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let project = self.0;
        serializer.collect_seq(project.documents.iter().enumerate().map(|(i, d)| {
            DocumentRecordOut {
                id: &d.document.id,
                name: if d.document.name == d.document.id {
                    ""
                } else {
                    &d.document.name
                },
                done: project.is_done(i),
                sha256: d.document.sha256(),
                text_file: d.document.reference().map(|r| match self.1 {
                    Some(folder) => r.path_from(folder),
                    None => r.path.clone(),
                }),
                text: match d.document.reference() {
                    Some(_) => None,
                    None => Some(d.document.text()),
                },
                spans: SpansOut(d),
                relations: RelationsOut(&d.relations),
                standoff: &d.standoff,
            }
        }))
    }
}

#[derive(Serialize)]
struct DocumentRecordOut<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    done: bool,
    sha256: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    spans: SpansOut<'a>,
    #[serde(skip_serializing_if = "RelationsOut::is_empty")]
    relations: RelationsOut<'a>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    standoff: &'a [StandoffLine],
}

/// A document's relations, in id order.
struct RelationsOut<'a>(&'a Relations);

impl RelationsOut<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for RelationsOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter())
    }
}

struct SpansOut<'a>(&'a AnnotatedDocument);

impl Serialize for SpansOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let document = &self.0.document;
        serializer.collect_seq(self.0.spans.iter().map(|s| SpanRecordOut {
            id: s.id.0,
            start: s.start,
            end: s.end,
            label: &s.label,
            text: document.slice(s.start, s.end),
            note: s.note.as_deref(),
            annotator: s.annotator.as_deref(),
            status: s.status,
            group: s.group,
            attributes: &s.attributes,
        }))
    }
}

#[derive(Serialize)]
struct SpanRecordOut<'a> {
    id: u64,
    start: usize,
    end: usize,
    label: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotator: Option<&'a str>,
    #[serde(skip_serializing_if = "is_accepted")]
    status: SpanStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<u64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: &'a BTreeMap<String, String>,
}

fn is_accepted(status: &SpanStatus) -> bool {
    *status == SpanStatus::Accepted
}

/// Read first, so that a file of another kind or a newer version is named as such instead of
/// failing on whatever field changed.
#[derive(Deserialize)]
struct Header {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

// ---- Version 0 -----------------------------------------------------------------------------

/// The pre-release draft format (version 0): labels as bare names, spans under "annotations"
/// without ids, no hashes. Migrated in memory on load; saving writes the current version.
#[derive(Deserialize)]
struct FileRecordV0 {
    #[serde(default)]
    labels: Vec<String>,
    documents: Vec<DocumentRecordV0>,
}

#[derive(Deserialize)]
struct DocumentRecordV0 {
    id: String,
    text: String,
    #[serde(default)]
    annotations: Vec<SpanRecordV0>,
}

#[derive(Deserialize)]
struct SpanRecordV0 {
    start: usize,
    end: usize,
    label: String,
    #[serde(default)]
    note: Option<String>,
}

fn migrate_v0(old: FileRecordV0) -> FileRecord {
    let labels = LabelSet::from_names(&old.labels).iter().cloned().collect();
    let mut next_id = 0;
    let documents = old
        .documents
        .into_iter()
        .map(|d| DocumentRecord {
            id: d.id,
            name: String::new(),
            done: false,
            sha256: None,
            text_file: None,
            text: Some(d.text),
            relations: Vec::new(),
            standoff: Vec::new(),
            spans: {
                let mut spans = SpansIn::default();
                for a in d.annotations {
                    next_id += 1;
                    let mut span = Span::new(SpanId(next_id), a.start, a.end, a.label);
                    span.note = a.note.map(Into::into);
                    spans.push(span, None);
                }
                spans
            },
        })
        .collect();
    FileRecord {
        format: None,
        version: None,
        next_span_id: None,
        next_relation_id: None,
        labels,
        relation_types: Vec::new(),
        attributes: Vec::new(),
        documents,
    }
}

// ---- Versions 1 and 2 ----------------------------------------------------------------------

/// Versions 1 and 2 have the shape of version 3 without relations and attribute definitions:
/// spans could carry attributes, by name, with no definition. Each name in use gets a free-text
/// definition for every label, so the values stay and stay valid. Returns whether any was added
/// (then the project differs from the file until it is saved).
fn migrate_v2(record: &mut FileRecord) -> bool {
    let mut names: Vec<&String> = record
        .documents
        .iter()
        .flat_map(|d| d.spans.iter())
        .flat_map(|s| s.attributes.keys())
        .collect();
    names.sort_unstable();
    names.dedup();
    let defs: Vec<AttributeDef> = names
        .into_iter()
        .filter(|n| !record.attributes.iter().any(|a| &a.name == *n))
        .map(|n| AttributeDef::new(n, AttributeKind::Text, &[]))
        .collect();
    let added = !defs.is_empty();
    record.attributes.extend(defs);
    added
}

// ---- Loading --------------------------------------------------------------------------------

/// Project files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// A loaded project and what the loader had to do to it.
#[derive(Debug)]
pub struct Loaded {
    pub project: Project,
    /// The file's version when migrating it changed what it says (version 0: labels get colours
    /// and hotkeys, spans get ids), so the project differs from the file until it is saved.
    /// A version 1 file reads as version 2 without any change (its next span id is one above
    /// its largest span id) and is written as version 3 on the next save: `None`. A version 1
    /// or 2 file whose spans carry attributes gets a definition for each (version 3): `Some`.
    pub migrated_from: Option<u32>,
    /// What the file holds that the project's rules do not allow but that is kept (an attribute
    /// value its definition lacks, a label a relation type does not allow at an end, a kept brat
    /// line naming a span that is gone), each naming the place. `spantag validate` prints them.
    pub warnings: Vec<String>,
    /// Documents whose text changed after they were annotated (only with [`Drift::Allow`]).
    pub drift: Vec<DocumentDrift>,
}

/// What to do with a document whose text no longer matches its recorded SHA-256.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drift {
    /// Refuse the file (validation, the CLI).
    Refuse,
    /// Load it, leave the spans that no longer match out of the project, and report them.
    Allow,
}

/// A document whose text changed under its spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentDrift {
    pub doc: usize,
    pub doc_id: String,
    pub recorded_sha256: String,
    /// Spans whose recorded text is no longer at their offsets, left out of the project.
    pub spans: Vec<DriftedSpan>,
    /// Relations with an end among those spans, left out with them: re-anchoring puts back
    /// those whose two ends it puts back.
    pub relations: Vec<Relation>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriftedSpan {
    /// The span as the file recorded it.
    pub span: Span,
    /// The surface text the file recorded for it (empty when it recorded none).
    pub recorded_text: String,
    /// Where that text is found, unambiguously, near the old offsets.
    pub found: Option<(usize, usize)>,
}

/// How far (in code points) from its old place a span's text is looked for when re-anchoring.
pub const REANCHOR_WINDOW: usize = 1000;

/// Where `text` occurs exactly once within `window` code points of `[start, end)`, if it does.
pub fn find_nearby(
    doc: &Document,
    text: &str,
    start: usize,
    end: usize,
    window: usize,
) -> Option<(usize, usize)> {
    if text.is_empty() {
        return None;
    }
    let from = start.saturating_sub(window);
    let to = end.saturating_add(window).min(doc.char_len());
    if from >= to {
        return None;
    }
    let base = doc.char_to_byte(from);
    let hay = doc.slice(from, to);
    let mut hits = hay.match_indices(text).map(|(b, _)| b);
    let first = hits.next()?;
    if hits.next().is_some() {
        return None;
    }
    let s = doc.byte_to_char(base + first);
    Some((s, s + text.chars().count()))
}

pub fn load(path: &Path) -> Result<Project, ProjectFileError> {
    load_with(path, Drift::Refuse).map(|l| l.project)
}

pub fn load_with(path: &Path, drift: Drift) -> Result<Loaded, ProjectFileError> {
    let read_error = |source| ProjectFileError::Read {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    if size > MAX_FILE_BYTES {
        return Err(ProjectFileError::Format {
            path: path.to_owned(),
            message: format!(
                "the file is {:.1} MiB; Spantag reads project files of up to {} MiB",
                size as f64 / (1024.0 * 1024.0),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        });
    }
    // Parsed straight from the file through a small buffer: the file's bytes are never held
    // whole (at 100,000 spans they were 17 MB of the peak memory of opening or exporting).
    let open = || -> std::io::Result<_> {
        let mut reader = std::io::BufReader::with_capacity(READ_BUFFER, std::fs::File::open(path)?);
        skip_byte_order_mark(&mut reader)?;
        Ok(reader)
    };
    let (record, migrated_from) = read_record(open, path, read_error)?;
    build(record, migrated_from, path, drift)
}

/// The buffer a project file is read through.
const READ_BUFFER: usize = 64 * 1024;

/// Some Windows editors start UTF-8 files with a byte order mark; JSON has no place for it.
fn skip_byte_order_mark(reader: &mut impl std::io::BufRead) -> std::io::Result<()> {
    const MARK: &[u8] = b"\xef\xbb\xbf";
    // A mark split across reads cannot happen: the first read fills far more than 3 bytes of
    // any file that long.
    if reader.fill_buf()?.starts_with(MARK) {
        reader.consume(MARK.len());
    }
    Ok(())
}

/// Parse a project from bytes; `path` is only used in messages.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Project, ProjectFileError> {
    parse_with(bytes, path, Drift::Refuse).map(|l| l.project)
}

pub fn parse_with(bytes: &[u8], path: &Path, drift: Drift) -> Result<Loaded, ProjectFileError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let read_error = |source| ProjectFileError::Read {
        path: path.to_owned(),
        source,
    };
    let (record, migrated_from) = read_record(|| Ok(bytes), path, read_error)?;
    build(record, migrated_from, path, drift)
}

/// The file's records, migrated to the current version (with the version migrated from).
/// `open` gives the file's content from its start (after any byte order mark); it is read once
/// for a valid file, again only to explain a failure or to migrate a version 0 file.
fn read_record<R: std::io::Read>(
    open: impl Fn() -> std::io::Result<R>,
    path: &Path,
    read_error: impl Fn(std::io::Error) -> ProjectFileError,
) -> Result<(FileRecord, Option<u32>), ProjectFileError> {
    /// The whole content as one `T`, nothing but whitespace after it.
    fn from_reader<T: serde::de::DeserializeOwned>(
        reader: impl std::io::Read,
    ) -> Result<T, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_reader(reader);
        let value = T::deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(value)
    }
    let json_error = |e: serde_json::Error| ProjectFileError::Json {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: describe_json_error(&e),
    };
    let format_error = |message: String| ProjectFileError::Format {
        path: path.to_owned(),
        message,
    };

    // The usual case, a valid file, is parsed once. When that fails, the header alone is read
    // so that a file of another kind or a newer version is named as such instead of failing on
    // whatever field changed.
    let (header, record) = match from_reader::<FileRecord>(open().map_err(&read_error)?) {
        Ok(mut record) => {
            let header = Header {
                format: record.format.take(),
                version: record.version.take(),
            };
            (header, Ok(record))
        }
        Err(e) => {
            let header: Header = from_reader(open().map_err(&read_error)?).map_err(json_error)?;
            (header, Err(e))
        }
    };
    match header.format {
        Some(serde_json::Value::String(ref f)) if f == FORMAT_MARKER => {}
        Some(other) => {
            return Err(format_error(format!(
                "not a Spantag project: \"format\" is {other}, expected \"{FORMAT_MARKER}\""
            )));
        }
        None => {
            return Err(format_error(format!(
                "not a Spantag project: no \"format\": \"{FORMAT_MARKER}\" marker"
            )));
        }
    }
    let version = match header.version {
        Some(serde_json::Value::Number(n)) if n.as_u64().is_some() => n.as_u64().unwrap_or(0),
        Some(other) => {
            return Err(format_error(format!(
                "\"version\" must be a whole number, found {other}"
            )));
        }
        None => return Err(format_error("no \"version\" field".to_owned())),
    };
    if version > u64::from(FORMAT_VERSION) {
        return Err(format_error(format!(
            "file format version {version} is newer than this Spantag ({}) reads \
             (up to version {FORMAT_VERSION}); open it with a newer Spantag",
            env!("CARGO_PKG_VERSION")
        )));
    }

    // The migration chain: each step brings the record one version on.
    let (mut record, mut migrated_from) = if version == 0 {
        let old: FileRecordV0 = from_reader(open().map_err(&read_error)?).map_err(json_error)?;
        (migrate_v0(old), Some(0))
    } else {
        (record.map_err(json_error)?, None)
    };
    if version < 3 && migrate_v2(&mut record) && migrated_from.is_none() {
        migrated_from = Some(version as u32);
    }
    Ok((record, migrated_from))
}

/// Check the records and build the project from them.
fn build(
    record: FileRecord,
    migrated_from: Option<u32>,
    path: &Path,
    drift: Drift,
) -> Result<Loaded, ProjectFileError> {
    // Referenced texts are relative to the project file's folder.
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let (project, drift, warnings) =
        validate(record, drift, folder).map_err(|problems| ProjectFileError::Invalid {
            path: path.to_owned(),
            problems,
        })?;
    Ok(Loaded {
        project,
        migrated_from,
        drift,
        warnings,
    })
}

/// serde_json appends " at line L column C" to its messages; the location is shown separately.
fn describe_json_error(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let trimmed = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => &message,
    };
    let kind = match e.classify() {
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Eof => "invalid JSON (the file ends too early)",
        serde_json::error::Category::Data => "wrong value",
        serde_json::error::Category::Io => "read error",
    };
    format!("{kind}: {trimmed}")
}

/// A project loaded, the drift found, and the warnings (see [`Loaded::warnings`]).
type Validated = (Project, Vec<DocumentDrift>, Vec<String>);

fn validate(
    record: FileRecord,
    drift_mode: Drift,
    folder: &Path,
) -> Result<Validated, Vec<String>> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut drift = Vec::new();

    for (i, t) in record.relation_types.iter().enumerate() {
        if let Some(problem) = validate::relation_type_among(&record.relation_types[..i], t) {
            problems.push(format!("relation type {} ({}): {problem}", i + 1, t.name));
        }
    }
    for (i, a) in record.attributes.iter().enumerate() {
        if let Some(problem) = validate::attribute_among(&record.attributes[..i], a) {
            problems.push(format!("attribute {} ({}): {problem}", i + 1, a.name));
        }
    }
    let mut relation_ids: HashMap<u64, String> = HashMap::new();
    let mut read_relations: Vec<Vec<Relation>> = Vec::with_capacity(record.documents.len());
    if let Some(next) = record.next_relation_id
        && next > MAX_SPAN_ID + 1
    {
        problems.push(format!(
            "next_relation_id {next} is too large (relation ids go up to {MAX_SPAN_ID})"
        ));
    }

    for (i, problem) in validate::label_set(&record.labels) {
        let name = &record.labels[i].name;
        problems.push(format!("label {} ({name}): {problem}", i + 1));
    }
    let names: HashSet<&str> = record.labels.iter().map(|l| l.name.as_str()).collect();

    let mut doc_ids = HashSet::new();
    // The place in the file of each document built (a document whose text cannot be had is
    // not): span ids used twice are found once every document is built (see `ids_used_twice`).
    let mut built_at: Vec<usize> = Vec::with_capacity(record.documents.len());
    let stored_next_span_id = record.next_span_id;
    if let Some(next) = stored_next_span_id
        && next > MAX_SPAN_ID + 1
    {
        problems.push(format!(
            "next_span_id {next} is too large (span ids go up to {MAX_SPAN_ID})"
        ));
    }
    let mut documents = Vec::with_capacity(record.documents.len());
    let mut done = Vec::new();
    for (d, doc) in record.documents.into_iter().enumerate() {
        if doc.done {
            done.push(crate::core::DocId::new(&doc.id));
        }
        let doc_place = format!("document {} (\"{}\")", d + 1, doc.id);
        if doc.id.is_empty() {
            problems.push(format!("{doc_place}: the document id is empty"));
        }
        if !doc_ids.insert(doc.id.clone()) {
            problems.push(format!("{doc_place}: the document id is used twice"));
        }
        let name = if doc.name.is_empty() {
            doc.id.clone()
        } else {
            doc.name
        };
        let (text, reference) = match (doc.text, &doc.text_file) {
            (Some(text), None) => (text, None),
            (None, Some(path)) => match text_reference::read(folder, path) {
                Ok((reference, text)) => (text, Some(reference)),
                Err(why) => {
                    problems.push(format!("{doc_place}: {why}"));
                    continue;
                }
            },
            (Some(_), Some(_)) => {
                problems.push(format!(
                    "{doc_place}: both \"text\" and \"text_file\"; a document keeps its text \
                     inline or references a file, not both"
                ));
                continue;
            }
            (None, None) => {
                problems.push(format!(
                    "{doc_place}: no \"text\" (nor a \"text_file\" to read it from)"
                ));
                continue;
            }
        };
        let document = Document::new(doc.id.clone(), name, text).with_reference(reference);
        let changed = doc
            .sha256
            .as_ref()
            .filter(|recorded| !recorded.eq_ignore_ascii_case(document.sha256()));
        let tolerate = changed.is_some() && drift_mode == Drift::Allow;
        if let Some(recorded) = changed
            && !tolerate
        {
            let which = match document.reference() {
                Some(r) => format!("the SHA-256 of its text file \"{}\" is", r.path),
                None => "the text's SHA-256 is".to_owned(),
            };
            problems.push(format!(
                "{doc_place}: {which} {}, but the file records {recorded}: the text was changed \
                 after it was annotated",
                document.sha256()
            ));
        }
        let mut drifted = Vec::new();
        let len = document.char_len();
        let SpansIn {
            pieces: read_pieces,
            recorded_ends,
            recorded_texts,
        } = doc.spans;
        let mut recorded = RecordedTexts::new(&recorded_ends, &recorded_texts);
        let mut pieces = Vec::with_capacity(read_pieces.len());
        for piece in read_pieces {
            // The spans kept, moved piece by piece (a piece is small: nothing is held twice).
            let mut kept = Vec::with_capacity(piece.len());
            for s in piece {
                let recorded = recorded.next_text();
                // Written only for a problem, not for every span of a valid file.
                let place = || format!("{doc_place}, span {}", s.id);
                if let Err(problem) = validate::span_id(s.id.0) {
                    problems.push(format!("{}: {problem}", place()));
                }
                let range = validate::span_range(s.start, s.end, len);
                if let Err(
                    problem @ (SpanProblem::EndBeforeStart { .. } | SpanProblem::Empty { .. }),
                ) = &range
                {
                    problems.push(format!("{}: {problem}", place()));
                } else if range.is_err()
                    || recorded.is_some_and(|t| document.slice(s.start, s.end) != t)
                {
                    let recorded_text = recorded.unwrap_or_default().to_owned();
                    if tolerate {
                        let found =
                            find_nearby(&document, &recorded_text, s.start, s.end, REANCHOR_WINDOW);
                        drifted.push(DriftedSpan {
                            span: s,
                            recorded_text,
                            found,
                        });
                        continue;
                    }
                    if let Err(problem) = range {
                        problems.push(format!("{}: {problem}", place()));
                    } else {
                        let actual = document.slice(s.start, s.end);
                        problems.push(format!(
                            "{}: the file records the text \"{recorded_text}\" at [{}, {}), but \
                             the document has \"{actual}\" there",
                            place(),
                            s.start,
                            s.end
                        ));
                    }
                }
                if !names.contains(s.label.as_str()) {
                    problems.push(format!(
                        "{}: unknown label \"{}\" (not in the project's label set)",
                        place(),
                        s.label
                    ));
                }
                kept.push(s);
            }
            pieces.push(kept);
        }
        // The recorded texts are only for the checks above: gone before the index is built.
        drop((recorded_ends, recorded_texts));
        let drifted_ids: HashSet<SpanId> = drifted.iter().map(|d| d.span.id).collect();
        if let Some(recorded) = changed
            && tolerate
        {
            drift.push(DocumentDrift {
                doc: d,
                doc_id: doc.id.clone(),
                recorded_sha256: recorded.clone(),
                spans: drifted,
                relations: Vec::new(),
            });
        }
        let index = SpanIndex::from_sorted_pieces(pieces)
            .unwrap_or_else(|pieces| SpanIndex::new(pieces.into_iter().flatten().collect()));
        let mut annotated = AnnotatedDocument::new(document, index);
        for span in annotated.spans.iter() {
            for warning in validate::attribute_values(span, &record.attributes) {
                warnings.push(format!("{doc_place}, span {}: {warning}", span.id));
            }
        }
        for r in &doc.relations {
            let place = format!("{doc_place}, relation {}", r.id);
            if let Some(first) = relation_ids.insert(r.id.0, doc.id.clone()) {
                problems.push(format!(
                    "{place}: relation id {} is used twice (also in document \"{first}\")",
                    r.id
                ));
            }
            if r.id.0 > MAX_SPAN_ID {
                problems.push(format!(
                    "{place}: relation id {} is too large (ids go up to {MAX_SPAN_ID})",
                    r.id
                ));
            }
        }
        for (i, line) in doc.standoff.iter().enumerate() {
            for (t, id) in &line.spans {
                if annotated.spans.get(*id).is_none() {
                    warnings.push(format!(
                        "{doc_place}, kept brat line {} (\"{}\"): {t} was span {id}, which \
                         is not in the document; a brat export leaves the line out",
                        i + 1,
                        line.line
                    ));
                }
            }
        }
        let (waiting, kept): (Vec<Relation>, Vec<Relation>) = doc
            .relations
            .into_iter()
            .partition(|r| drifted_ids.contains(&r.from) || drifted_ids.contains(&r.to));
        if let Some(last) = drift.last_mut()
            && last.doc == d
        {
            last.relations = waiting;
        }
        // Checked after the loop, as read (two with one id are both checked).
        read_relations.push(kept.clone());
        annotated.relations = Relations::new(kept);
        annotated.standoff = doc.standoff;
        documents.push(annotated);
        built_at.push(d);
    }
    let (used_twice, max_id) = ids_used_twice(&documents, &built_at, &drift);
    problems.extend(used_twice);

    // Relations once every document's spans are known, so that an end in another document is
    // named as such. Those waiting with drifted spans are not in the documents.
    for (d, (annotated, relations)) in documents.iter().zip(&read_relations).enumerate() {
        let doc_place = format!("document {} (\"{}\")", d + 1, annotated.document.id);
        let spans = &annotated.spans;
        for r in relations {
            let place = format!("{doc_place}, relation {}", r.id);
            let found = validate::relation(r, |id| spans.get(id), &record.relation_types);
            for problem in found.errors {
                let elsewhere = [r.from, r.to]
                    .into_iter()
                    .filter(|id| spans.get(*id).is_none())
                    .find_map(|id| documents.iter().find(|other| other.spans.get(id).is_some()))
                    .map(|other| &other.document.id);
                match elsewhere {
                    Some(other) if problem.contains("is not a span of this document") => problems
                        .push(format!(
                            "{place}: {problem} (it is in document \"{other}\": a relation \
                             joins two spans of one document)"
                        )),
                    _ => problems.push(format!("{place}: {problem}")),
                }
            }
            for warning in found.warnings {
                warnings.push(format!("{place}: {warning}"));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut project = Project::from_parts(LabelSet::new(record.labels), documents)
        .with_schema(record.relation_types, record.attributes);
    let max_relation = relation_ids.keys().copied().max().unwrap_or(0);
    project.raise_next_relation_id(max_relation + 1);
    if let Some(next) = record.next_relation_id {
        project.raise_next_relation_id(next);
    }
    for doc in done {
        project.restore_done(doc);
    }
    // Past every id the file holds, the spans left out for drift included (re-anchoring puts
    // them back with their ids), and past the stored value, whichever is higher: ids written
    // by hand or by another tool at or above the stored value raise it, never refuse the file.
    project.raise_next_span_id(max_id + 1);
    if let Some(next) = stored_next_span_id {
        project.raise_next_span_id(next);
    }
    Ok((project, drift, warnings))
}

/// The span ids used twice in the documents built (`built_at` is the place of each in the file)
/// and in the spans left out for drift, as problems, and the largest id. Each document's index
/// gives its ids in order; merging those finds every repeat, in one document or across two,
/// without a map of every id of the project (2.2 MB at 100,000 spans).
fn ids_used_twice(
    documents: &[AnnotatedDocument],
    built_at: &[usize],
    drift: &[DocumentDrift],
) -> (Vec<String>, u64) {
    // One source of ids per document and per drift: (place in the file, document id, ids).
    let mut sources: Vec<(usize, &str, Box<dyn Iterator<Item = SpanId> + '_>)> = Vec::new();
    for (annotated, &d) in documents.iter().zip(built_at) {
        let ids = annotated.spans.ids_in_order();
        sources.push((d, &annotated.document.id, Box::new(ids)));
    }
    for drifted in drift {
        let mut ids: Vec<SpanId> = drifted.spans.iter().map(|s| s.span.id).collect();
        ids.sort_unstable();
        sources.push((drifted.doc, &drifted.doc_id, Box::new(ids.into_iter())));
    }
    // The next id of each source, smallest first; ties in file order.
    let mut heap = std::collections::BinaryHeap::new();
    for (s, (d, _, ids)) in sources.iter_mut().enumerate() {
        if let Some(id) = ids.next() {
            heap.push(std::cmp::Reverse((id, *d, s)));
        }
    }
    let mut problems = Vec::new();
    let mut max_id = 0;
    let mut previous: Option<(SpanId, usize)> = None;
    while let Some(std::cmp::Reverse((id, d, s))) = heap.pop() {
        if let Some((previous_id, first)) = previous
            && previous_id == id
        {
            problems.push(format!(
                "document {} (\"{}\"), span {id}: span id {id} is used twice (also in document \"{}\")",
                d + 1,
                sources[s].1,
                sources[first].1
            ));
        }
        previous = Some((id, s));
        max_id = max_id.max(id.0);
        if let Some(next) = sources[s].2.next() {
            heap.push(std::cmp::Reverse((next, sources[s].0, s)));
        }
    }
    (problems, max_id)
}

// ---- Saving ---------------------------------------------------------------------------------

/// The file's JSON: pretty-printed, labels in set order, documents in project order, spans in
/// document order, a newline at the end. The same project always gives the same bytes.
/// A serialisation error is returned, never turned into text that would then be saved.
/// Saving streams the same bytes into the file with [`write_json`]; this is for callers that
/// need a string.
pub fn to_json(project: &Project) -> Result<String, serde_json::Error> {
    let mut bytes = Vec::with_capacity(json_size_estimate(project));
    write_json(project, &mut bytes)?;
    // serde_json writes UTF-8 only.
    String::from_utf8(bytes)
        .map_err(|e| serde_json::Error::io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// About how many bytes [`to_json`] writes, rounded up: the inline texts and a pretty-printed
/// span record each, so that the buffer is allocated once. Grown by doubling, the buffer of
/// 100,000 spans (16 MB) is reallocated a dozen times and up to 31 MB copied, a cost that jumps
/// whenever the output crosses a power of two (a suspect for `to_json`'s 2.32x at 50,000 to
/// 100,000 spans; not yet re-measured). Capacity never written costs no resident memory.
fn json_size_estimate(project: &Project) -> usize {
    /// A span record as written: seven lines of 8-space indented fields, its text aside.
    const SPAN_RECORD: usize = 176;
    let documents: usize = project
        .documents
        .iter()
        .map(|d| {
            let text = match d.document.reference() {
                Some(_) => 0,
                None => d.document.text().len(),
            };
            // A span's text is the document's at its place: about the text over the spans.
            let span_texts = d
                .spans
                .iter()
                .map(Span::len)
                .sum::<usize>()
                .saturating_mul(3);
            1024 + text + d.spans.len() * SPAN_RECORD + span_texts
        })
        .sum();
    4096 + documents
}

/// Write [`to_json`]'s bytes into `out`, serialising from the project's own records: nothing
/// but `out`'s buffer is held, however big the project.
pub fn write_json(project: &Project, out: impl Write) -> Result<(), serde_json::Error> {
    write_json_in(project, out, None)
}

/// [`write_json`] for a file in `folder` (referenced texts are written relative to it), or as
/// read with `None`.
fn write_json_in(
    project: &Project,
    mut out: impl Write,
    folder: Option<&Path>,
) -> Result<(), serde_json::Error> {
    let record = FileRecordOut {
        format: FORMAT_MARKER,
        version: FORMAT_VERSION,
        next_span_id: Some(project.next_span_id()),
        next_relation_id: Some(project.next_relation_id()).filter(|&n| n > 1),
        labels: project.labels.iter().collect(),
        relation_types: project.relation_types(),
        attributes: project.attributes(),
        documents: DocumentsOut(project, folder),
    };
    serde_json::to_writer_pretty(&mut out, &record)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}

/// Stream the project into a file being written, keeping a serialisation error apart from the
/// file's own errors (so the message says which went wrong).
fn save_with(
    path: &Path,
    write: impl FnOnce(&Path, &mut Fill<'_>) -> std::io::Result<()>,
    project: &Project,
) -> Result<(), ProjectFileError> {
    let mut failed: Option<serde_json::Error> = None;
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let written = write(path, &mut |out| {
        write_json_in(project, out, Some(folder)).map_err(|e| {
            let io = std::io::Error::other(e.to_string());
            failed = Some(e);
            io
        })
    });
    if let Some(source) = failed {
        return Err(ProjectFileError::Serialize {
            path: path.to_owned(),
            source,
        });
    }
    written.map_err(|source| ProjectFileError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Write the project to `path` atomically, keeping the version it replaces as `PATH.bak` (see
/// [`write_keeping_backup`]: the backup moves only once the new version is written; a link is
/// followed; owner and permissions are kept). Every save over a project file goes through here.
pub fn save(project: &Project, path: &Path) -> Result<(), ProjectFileError> {
    save_with(path, write_keeping_backup_with, project)
}

/// Write the project to `path` only if no file is there; of two writers racing for the same
/// new name exactly one succeeds (the other's error has the kind `AlreadyExists`).
pub fn save_new(project: &Project, path: &Path) -> Result<(), ProjectFileError> {
    save_with(path, write_new_with, project)
}
