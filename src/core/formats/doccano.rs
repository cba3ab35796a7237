//! doccano sequence-labelling JSONL: `{"id", "text", "label": [[start, end, "LABEL"], ...]}`,
//! and doccano's relation form, `{"id", "text", "entities": [{"id", "label", "start_offset",
//! "end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}]}`, written when a document
//! exported has relations.
//!
//! Export writes code points, doccano's documented (Python-side) convention and ours. doccano's
//! browser annotator counts UTF-16 code units instead (doccano issue #2290), and the file does
//! not say which: import takes `Offsets::Utf16` for files exported from the doccano web app.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::builder::{RelationDraft, SpanDraft};
use super::each::Each;
use super::{
    ExportError, ExportReport, ImportError, Offsets, ProjectBuilder, Sink, accepted,
    check_alignment, push_json_line,
};
use crate::core::document::Document;
use crate::core::offsets::Utf16Error;
use crate::core::project::AnnotatedDocument;
use crate::core::span::SpanStatus;

/// A document's line; its lists are serialised from the project as the line is written (no
/// records per span are kept).
#[derive(Serialize)]
struct Record<'a, L> {
    id: &'a str,
    text: &'a str,
    label: L,
}

/// doccano's relation form: entities with ids, and relations between them.
#[derive(Serialize)]
struct RelationRecord<'a, E, R> {
    id: &'a str,
    text: &'a str,
    entities: E,
    relations: R,
}

#[derive(Serialize)]
struct Entity<'a> {
    id: u64,
    label: &'a str,
    start_offset: usize,
    end_offset: usize,
}

#[derive(Serialize)]
struct RelationOut<'a> {
    id: u64,
    from_id: u64,
    to_id: u64,
    #[serde(rename = "type")]
    kind: &'a str,
}

/// Check every exported span of `doc` (code point offsets are then written from the spans)
/// and count those with what doccano cannot hold: a note or a group.
fn check_spans(doc: &AnnotatedDocument) -> Result<usize, ExportError> {
    let mut lost = 0;
    for span in accepted(doc) {
        check_alignment(&doc.document, span, Offsets::Codepoint)?;
        lost += usize::from(span.note.is_some() || span.group.is_some());
    }
    Ok(lost)
}

/// One line per document; in the relation form when any document has relations (one form for
/// the whole file: doccano imports a file in one form).
pub fn write(
    docs: &[&AnnotatedDocument],
    report: &mut ExportReport,
    sink: &mut dyn Sink,
) -> Result<(), ExportError> {
    if docs.iter().any(|d| !d.relations.is_empty()) {
        return write_relations(docs, report, sink);
    }
    let out = sink.file(Default::default(), None)?;
    let mut lost = 0;
    for doc in docs {
        lost += check_spans(doc)?;
        let record = Record {
            id: &doc.document.id,
            text: doc.document.text(),
            label: Each(|| accepted(doc).map(|s| (s.start, s.end, s.label.as_str()))),
        };
        push_json_line(out, &record)?;
    }
    if lost > 0 {
        report.warnings.push(format!(
            "doccano: {lost} spans have a note or a group (discontinuous mention), which doccano's [start, end, label] cannot hold; they are exported without it"
        ));
    }
    Ok(())
}

/// The relation form: every accepted span an entity (its id the span id), every accepted
/// relation between two of them a relation.
fn write_relations(
    docs: &[&AnnotatedDocument],
    report: &mut ExportReport,
    sink: &mut dyn Sink,
) -> Result<(), ExportError> {
    let out = sink.file(Default::default(), None)?;
    let (mut lost, mut left_out) = (0, 0);
    for doc in docs {
        lost += check_spans(doc)?;
        let exported = |id: crate::core::SpanId| {
            doc.spans
                .get(id)
                .is_some_and(|s| s.status == SpanStatus::Accepted)
        };
        let written = |r: &&crate::core::Relation| {
            r.status == SpanStatus::Accepted && exported(r.from) && exported(r.to)
        };
        left_out += doc.relations.iter().filter(|r| !written(r)).count();
        let record = RelationRecord {
            id: &doc.document.id,
            text: doc.document.text(),
            entities: Each(|| {
                accepted(doc).map(|span| Entity {
                    id: span.id.0,
                    label: &span.label,
                    start_offset: span.start,
                    end_offset: span.end,
                })
            }),
            relations: Each(|| {
                doc.relations.iter().filter(written).map(|r| RelationOut {
                    id: r.id.0,
                    from_id: r.from.0,
                    to_id: r.to.0,
                    kind: &r.kind,
                })
            }),
        };
        push_json_line(out, &record)?;
    }
    if lost > 0 {
        report.warnings.push(format!(
            "doccano: {lost} spans have a note or a group (discontinuous mention), which doccano's entities cannot hold; they are exported without it"
        ));
    }
    if left_out > 0 {
        report.warnings.push(format!(
            "doccano: {left_out} relations are not exported (they are not accepted, or join a span that is not)"
        ));
    }
    Ok(())
}

/// Read a doccano JSONL file: one document a line, spans under `label` (doccano ≥ 1.7),
/// `labels` (older exports) or `entities` (the relation-extraction form, with
/// `start_offset`/`end_offset`).
pub fn read(path: &Path, builder: &mut ProjectBuilder) -> Result<(), ImportError> {
    let content = builder.read_input(path)?;
    let offsets = builder.options.offsets;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    for (i, line) in content.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let record: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                builder.skip_or_fail(ImportError::new(
                    path,
                    Some(n),
                    format!("invalid JSON: {e}"),
                ))?;
                continue;
            }
        };
        let Some(text) = record.get("text").and_then(Value::as_str) else {
            builder.skip_or_fail(ImportError::new(
                path,
                Some(n),
                "no \"text\" string in this record",
            ))?;
            continue;
        };
        let id = match record.get("id").or_else(|| record.get("doc_id")) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(x)) => x.to_string(),
            _ => format!("{stem}-{n}"),
        };
        let doc = builder.add_document(&id, &id, text.to_owned());
        let spans = record
            .get("label")
            .or_else(|| record.get("labels"))
            .or_else(|| record.get("entities"));
        if let Some(relations) = record.get("relations").and_then(Value::as_array) {
            for relation in relations {
                let id = |key: &str| relation.get(key).and_then(entity_key);
                let kind = relation.get("type").and_then(Value::as_str);
                match (id("from_id"), id("to_id"), kind) {
                    (Some(from), Some(to), Some(kind)) => {
                        let draft = RelationDraft {
                            kind: kind.to_owned(),
                            from,
                            to,
                            note: None,
                            place: format!("{}:{n}", path.display()),
                        };
                        if let Err(reason) = builder.add_relation(doc, draft) {
                            builder.skip_or_fail(ImportError::new(path, Some(n), reason))?;
                        }
                    }
                    _ => builder.skip_or_fail(ImportError::new(
                        path,
                        Some(n),
                        format!(
                            "a relation must be {{\"from_id\", \"to_id\", \"type\"}}, found {relation}"
                        ),
                    ))?,
                }
            }
        }
        let Some(spans) = spans else { continue };
        let Some(spans) = spans.as_array() else {
            builder.skip_or_fail(ImportError::new(path, Some(n), "the spans are not a list"))?;
            continue;
        };
        // Outside the Basic Multilingual Plane the two readings differ; the first span that
        // tells them apart decides whether the file was read in the wrong unit.
        let mut unit_checked = builder
            .document(doc)
            .is_none_or(|d| d.utf16().utf16_len() == d.char_len());
        for item in spans {
            if !unit_checked
                && let Ok((start, end, _, surface)) = parse_span(item)
                && let Some(document) = builder.document(doc)
            {
                let verdict = wrong_unit(document, start, end, surface.as_deref(), offsets);
                unit_checked = verdict != Verdict::Undecided;
                if let Verdict::Wrong(reason) = verdict {
                    return Err(ImportError::new(path, Some(n), reason));
                }
            }
            let result = parse_span(item).and_then(|(start, end, label, _)| {
                let document = builder
                    .document(doc)
                    .ok_or_else(|| format!("there is no document number {doc}"))?;
                let (start, end) = to_code_points(document, start, end, offsets)?;
                let mut draft = SpanDraft::new(start, end, label);
                // Relations name entities by their id.
                draft.key = item.get("id").and_then(entity_key);
                builder.add_span(doc, draft)
            });
            if let Err(reason) = result {
                builder.skip_or_fail(ImportError::new(path, Some(n), reason))?;
            }
        }
    }
    Ok(())
}

/// An entity id as relations name it: a number or a string.
fn entity_key(v: &Value) -> Option<String> {
    match v {
        Value::Number(x) => Some(x.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// `[start, end, "LABEL"]` or `{"start_offset", "end_offset", "label"}`, with the span's
/// surface text when the record stores it (a fourth element, or `"text"`).
fn parse_span(item: &Value) -> Result<(usize, usize, String, Option<String>), String> {
    let offset = |v: Option<&Value>| v.and_then(Value::as_u64).map(|x| x as usize);
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let parsed = match item {
        Value::Array(a) if a.len() == 3 || a.len() == 4 => (
            offset(a.first()),
            offset(a.get(1)),
            a.get(2).and_then(Value::as_str),
            text(a.get(3)),
        ),
        Value::Object(o) => (
            offset(o.get("start_offset")),
            offset(o.get("end_offset")),
            o.get("label").and_then(Value::as_str),
            text(o.get("text")),
        ),
        _ => (None, None, None, None),
    };
    match parsed {
        (Some(s), Some(e), Some(l), surface) => Ok((s, e, l.to_owned(), surface)),
        _ => Err(format!(
            "a span must be [start, end, \"LABEL\"] or {{\"start_offset\", \"end_offset\", \"label\"}}, found {item}"
        )),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Both readings fit the span (or neither does): look at the next one.
    Undecided,
    /// The chosen reading fits and the other does not.
    Right,
    /// Only the other reading fits: the message says so.
    Wrong(String),
}

/// Whether `[start, end)` read in `chosen` units fits the text and read in the other unit
/// does not. A reading fits when it gives the stored surface text (if any) and its boundaries
/// fall between words: no letter or digit on both sides of a boundary (CJK aside, where every
/// character is a word) and no whitespace at either edge. A JavaScript tool's `👍 Tokyo` span
/// `[3, 8)` read as code points gives `okyo `, which fails both.
fn wrong_unit(
    document: &Document,
    start: usize,
    end: usize,
    surface: Option<&str>,
    chosen: Offsets,
) -> Verdict {
    let other = match chosen {
        Offsets::Codepoint => Offsets::Utf16,
        Offsets::Utf16 => Offsets::Codepoint,
    };
    let fits = |unit: Offsets| {
        let Ok((s, e)) = to_code_points(document, start, end, unit) else {
            return false;
        };
        if s >= e || e > document.char_len() {
            return false;
        }
        let slice = document.slice(s, e);
        if surface.is_some_and(|t| t != slice) {
            return false;
        }
        let word = |c: char| c.is_alphanumeric() && !super::tokenize::is_cjk(c);
        let splits = |at: usize| {
            at > 0 && at < document.char_len() && document.slice(at - 1, at + 1).chars().all(word)
        };
        let edges_blank =
            slice.starts_with(char::is_whitespace) || slice.ends_with(char::is_whitespace);
        !splits(s) && !splits(e) && !edges_blank
    };
    match (fits(chosen), fits(other)) {
        (false, true) => {
            let (s, e) = to_code_points(document, start, end, other).unwrap_or_default();
            let wrong = match to_code_points(document, start, end, chosen) {
                Err(reason) => reason,
                Ok((a, b)) if a <= b && b <= document.char_len() => format!(
                    "span [{start}, {end}) read as {} gives \"{}\", which {}",
                    chosen.name(),
                    document.slice(a, b),
                    if surface.is_some() {
                        "is not the span's stored text"
                    } else {
                        "cuts a word or has whitespace at an edge"
                    }
                ),
                Ok(_) => format!(
                    "span [{start}, {end}) read as {} is past the end of the text",
                    chosen.name()
                ),
            };
            Verdict::Wrong(format!(
                "{wrong}; read as {} it gives \"{}\". The text has characters outside the Basic Multilingual Plane, where the two units differ: import with --offsets {}",
                other.name(),
                document.slice(s, e),
                match other {
                    Offsets::Utf16 => "utf16",
                    Offsets::Codepoint => "codepoint",
                }
            ))
        }
        (true, false) => Verdict::Right,
        _ => Verdict::Undecided,
    }
}

/// Convert file offsets to code points through the document's one UTF-16 index; a UTF-16
/// offset must not fall inside a surrogate pair.
fn to_code_points(
    document: &Document,
    start: usize,
    end: usize,
    offsets: Offsets,
) -> Result<(usize, usize), String> {
    match offsets {
        Offsets::Codepoint => Ok((start, end)),
        Offsets::Utf16 => {
            let index = document.utf16();
            let convert = |unit: usize| match index.from_utf16(unit) {
                Ok(cp) => Ok(cp),
                Err(Utf16Error::InsidePair { char_offset }) => {
                    let c = document.slice(char_offset, char_offset + 1);
                    Err(format!(
                        "UTF-16 offset {unit} falls inside the character {c:?} (a surrogate pair); are the offsets code points (--offsets codepoint)?"
                    ))
                }
                Err(Utf16Error::PastEnd { len }) => Err(format!(
                    "span [{start}, {end}) is past the end of the text ({len} UTF-16 code units)"
                )),
            };
            Ok((convert(start)?, convert(end)?))
        }
    }
}
