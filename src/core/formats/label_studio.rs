//! Label Studio tasks: a JSON array of `{"id", "data": {"text", "doc_id"}, "annotations":
//! [{"result": [...]}]}` with one `labels` result per span. The JSON-MIN export (flat records,
//! `{"text", "label": [{"start", "end", "labels"}]}`) is read too.
//!
//! Offsets are code points: Label Studio's editor counts `[...text].length` and has stored code
//! points since label-studio#1559 (see `docs/FORMAT.md`). `value.text` comes from the browser
//! and may differ from `data.text[start:end]`, so import trusts the offsets and only warns.
//! A span's note goes into a per-region `textarea` result (`<TextArea name="note"
//! perRegion="true">`) with the region's id.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};

use super::builder::{RelationDraft, SpanDraft};
use super::{
    ExportError, ExportReport, ImportError, Offsets, ProjectBuilder, Sink, check_alignment,
    json_error,
};
use crate::core::project::AnnotatedDocument;
use crate::core::span::SpanStatus;

pub fn write(
    docs: &[&AnnotatedDocument],
    report: &mut ExportReport,
    sink: &mut dyn Sink,
) -> Result<(), ExportError> {
    // Checked before writing, so that a misaligned span is its own error; the tasks are then
    // serialised straight from the project (a `serde_json::Value` per region took 4 KB a span).
    let mut grouped = 0;
    let mut relations_left_out = 0;
    for doc in docs {
        relations_left_out += doc
            .relations
            .iter()
            .filter(|r| !relation_exported(doc, r))
            .count();
        for span in doc
            .spans
            .iter()
            .filter(|s| s.status != SpanStatus::Rejected)
        {
            check_alignment(&doc.document, span, Offsets::Codepoint)?;
            grouped += usize::from(span.status == SpanStatus::Accepted && span.group.is_some());
        }
    }
    if grouped > 0 {
        report.warnings.push(format!(
            "label-studio: {grouped} spans are fragments of discontinuous mentions (a group); Label Studio has no such regions, so each fragment is exported as a region of its own"
        ));
    }
    if relations_left_out > 0 {
        report.warnings.push(format!(
            "label-studio: {relations_left_out} relations are not exported (they are not accepted, or join a span that is not)"
        ));
    }
    let out = sink.file(Default::default(), None)?;
    serde_json::to_writer_pretty(&mut *out, &TasksOut(docs)).map_err(json_error)?;
    out.write_all(b"\n").map_err(ExportError::Io)
}

// The tasks as written, borrowed from the project. Fields are in alphabetical order: the order
// the export has always had (it was built from `serde_json` maps, which sort their keys).

struct TasksOut<'a>(&'a [&'a AnnotatedDocument]);

impl Serialize for TasksOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().enumerate().map(|(i, &doc)| {
            let suggested = doc.spans.iter().any(|s| s.status == SpanStatus::Suggested);
            TaskOut {
                annotations: [AnnotationOut {
                    result: RegionsOut {
                        doc,
                        predicted: false,
                    },
                }],
                data: DataOut {
                    doc_id: &doc.document.id,
                    text: doc.document.text(),
                },
                id: i + 1,
                // Suggested spans (pre-annotations to review) are Label Studio's predictions.
                predictions: suggested.then_some([PredictionOut {
                    model_version: "spantag-suggestions",
                    result: RegionsOut {
                        doc,
                        predicted: true,
                    },
                }]),
            }
        }))
    }
}

#[derive(Serialize)]
struct TaskOut<'a> {
    annotations: [AnnotationOut<'a>; 1],
    data: DataOut<'a>,
    id: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    predictions: Option<[PredictionOut<'a>; 1]>,
}

#[derive(Serialize)]
struct AnnotationOut<'a> {
    result: RegionsOut<'a>,
}

#[derive(Serialize)]
struct PredictionOut<'a> {
    model_version: &'a str,
    result: RegionsOut<'a>,
}

#[derive(Serialize)]
struct DataOut<'a> {
    doc_id: &'a str,
    text: &'a str,
}

/// A document's accepted spans as annotation results (a `labels` region each, and a `textarea`
/// for its note), or its suggested spans as prediction results.
struct RegionsOut<'a> {
    doc: &'a AnnotatedDocument,
    predicted: bool,
}

impl Serialize for RegionsOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq as _};
        let wanted = if self.predicted {
            SpanStatus::Suggested
        } else {
            SpanStatus::Accepted
        };
        let origin = (!self.predicted).then_some("manual");
        let mut seq = serializer.serialize_seq(None)?;
        for span in self.doc.spans.iter().filter(|s| s.status == wanted) {
            // Checked before writing (see `write`): this cannot fail.
            let (start, end, surface) =
                check_alignment(&self.doc.document, span, Offsets::Codepoint)
                    .map_err(|e| S::Error::custom(e.to_string()))?;
            // Region ids must be unique across the project and of [A-Za-z0-9_-].
            let id = format!("span-{}", span.id);
            seq.serialize_element(&RegionOut {
                from_name: "label",
                id: &id,
                origin,
                to_name: "text",
                kind: "labels",
                value: ValueOut {
                    end,
                    labels: Some([span.label.as_str()]),
                    start,
                    text: TextOut::Surface(surface.as_str()),
                },
            })?;
            if let (Some(note), false) = (&span.note, self.predicted) {
                seq.serialize_element(&RegionOut {
                    from_name: "note",
                    id: &id,
                    origin,
                    to_name: "text",
                    kind: "textarea",
                    value: ValueOut {
                        end,
                        labels: None,
                        start,
                        text: TextOut::Note([&**note]),
                    },
                })?;
            }
        }
        if !self.predicted {
            // Relations between two exported regions: Label Studio's `relation` results.
            for r in self.doc.relations.iter() {
                if relation_exported(self.doc, r) {
                    seq.serialize_element(&RelationOut {
                        direction: "right",
                        from_id: format!("span-{}", r.from),
                        labels: [r.kind.as_str()],
                        to_id: format!("span-{}", r.to),
                        kind: "relation",
                    })?;
                }
            }
        }
        seq.end()
    }
}

/// A relation is exported when it and both its ends are accepted (the ends are then regions).
fn relation_exported(doc: &AnnotatedDocument, r: &crate::core::Relation) -> bool {
    let accepted = |id| {
        doc.spans
            .get(id)
            .is_some_and(|s| s.status == SpanStatus::Accepted)
    };
    r.status == SpanStatus::Accepted && accepted(r.from) && accepted(r.to)
}

/// A `relation` result (keys in alphabetical order, as the rest).
#[derive(Serialize)]
struct RelationOut<'a> {
    direction: &'a str,
    from_id: String,
    labels: [&'a str; 1],
    to_id: String,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Serialize)]
struct RegionOut<'a> {
    from_name: &'a str,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'a str>,
    to_name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    value: ValueOut<'a>,
}

#[derive(Serialize)]
struct ValueOut<'a> {
    end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<[&'a str; 1]>,
    start: usize,
    text: TextOut<'a>,
}

/// A `labels` region's surface text, or a `textarea` region's note (a list of one).
#[derive(Serialize)]
#[serde(untagged)]
enum TextOut<'a> {
    Surface(&'a str),
    Note([&'a str; 1]),
}

/// The labelling config (Settings > Labeling Interface) that matches the export: a `Text` named
/// `text` over `$text`, a `Labels` control named `label` with the project's labels, and the
/// per-region `note` text area; with relation types, a `Relations` control listing them.
pub fn labelling_config(
    labels: &crate::core::label::LabelSet,
    relation_types: &[crate::core::RelationType],
) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut xml = String::from(
        "<View>\n  <Text name=\"text\" value=\"$text\"/>\n  <Labels name=\"label\" toName=\"text\">\n",
    );
    for label in labels.iter() {
        xml.push_str(&format!("    <Label value=\"{}\"/>\n", escape(&label.name)));
    }
    xml.push_str("  </Labels>\n");
    if !relation_types.is_empty() {
        xml.push_str("  <Relations>\n");
        for t in relation_types {
            xml.push_str(&format!("    <Relation value=\"{}\"/>\n", escape(&t.name)));
        }
        xml.push_str("  </Relations>\n");
    }
    xml.push_str("  <TextArea name=\"note\" toName=\"text\" perRegion=\"true\"/>\n</View>\n");
    xml
}

/// Where the labelling config of a single-file export to `output` goes: `OUT-STEM.config.xml`
/// beside it.
pub fn config_path_beside(output: &Path) -> std::path::PathBuf {
    let stem = output
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "label-studio".to_owned());
    output.with_file_name(format!("{stem}.config.xml"))
}

/// Write the labelling config beside a single-file export to `output` and return its path. It
/// replaces a file already there only when `replace` is set (the export itself replaced its
/// target at the user's request); otherwise an existing file is kept and the error is
/// [`std::io::ErrorKind::AlreadyExists`]. The CLI and the window both write it through here.
pub fn write_config_beside(
    output: &Path,
    project: &crate::core::Project,
    replace: bool,
) -> Result<std::path::PathBuf, (std::path::PathBuf, std::io::Error)> {
    let config = config_path_beside(output);
    let xml = labelling_config(&project.labels, project.relation_types());
    let written = if replace {
        crate::core::atomic_write::write_atomically(&config, xml.as_bytes())
    } else {
        crate::core::atomic_write::write_new(&config, xml.as_bytes())
    };
    match written {
        Ok(()) => Ok(config),
        Err(e) => Err((config, e)),
    }
}

/// Read a Label Studio JSON export: the full export (an array of tasks with `data` and
/// `annotations`, or one task) or the JSON-MIN export (one flat record per annotation:
/// `{"id", "text", "label": [{"start", "end", "labels"}], "annotator", ...}`).
///
/// Cancelled annotations (`was_cancelled`, "skipped" in the editor) are never read. With
/// `--completed-by`, the annotation of that user (its `completed_by` id or e-mail; JSON-MIN's
/// `annotator`) is read, else `--annotation N` (counting the annotations not cancelled).
pub fn read(path: &Path, builder: &mut ProjectBuilder) -> Result<(), ImportError> {
    let content = builder.read_input(path)?;
    let root: Value = serde_json::from_str(&content)
        .map_err(|e| ImportError::new(path, Some(e.line()), format!("invalid JSON: {e}")))?;
    let tasks = match root {
        Value::Array(tasks) => tasks,
        task @ Value::Object(_) => vec![task],
        _ => {
            return Err(ImportError::new(
                path,
                None,
                "expected a JSON array of Label Studio tasks",
            ));
        }
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text_field = builder
        .options
        .text_field
        .clone()
        .unwrap_or_else(|| "text".to_owned());
    let completed_by = builder.options.completed_by.clone();
    let mut cancelled = 0;
    let mut not_by = 0;
    for (i, task) in tasks.iter().enumerate() {
        let place = format!("task {}", i + 1);
        let min = is_json_min(task);
        // A task without "data" is its own data (Label Studio's import rule, and JSON-MIN's).
        let data = task.get("data").filter(|d| d.is_object()).unwrap_or(task);
        if min {
            if task.get("was_cancelled").and_then(Value::as_bool) == Some(true) {
                cancelled += 1;
                continue;
            }
            if let Some(user) = &completed_by
                && !task.get("annotator").is_some_and(|a| is_user(a, user))
            {
                not_by += 1;
                continue;
            }
        }
        let Some(text) = data.get(&text_field).and_then(Value::as_str) else {
            let found: Vec<&str> = data
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(_, v)| v.is_string())
                        .map(|(k, _)| k.as_str())
                        .collect()
                })
                .unwrap_or_default();
            builder.skip_or_fail(ImportError::at(
                path,
                &place,
                format!(
                    "no \"{}{text_field}\" string (its text fields: {}; choose one with --text-field)",
                    if min { "" } else { "data." },
                    if found.is_empty() {
                        "none".to_owned()
                    } else {
                        found.join(", ")
                    }
                ),
            ))?;
            continue;
        };
        let id = match (data.get("doc_id"), task.get("id")) {
            (Some(Value::String(s)), _) => s.clone(),
            (_, Some(Value::Number(n))) => format!("{stem}-{n}"),
            _ => format!("{stem}-{}", i + 1),
        };
        let doc = builder.add_document(&id, &id, text.to_owned());
        if min {
            read_min_regions(path, &place, task, &text_field, doc, builder)?;
            continue;
        }
        let annotations: Vec<&Value> = task
            .get("annotations")
            .or_else(|| task.get("completions"))
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let kept: Vec<&Value> = annotations
            .iter()
            .copied()
            .filter(|a| a.get("was_cancelled").and_then(Value::as_bool) != Some(true))
            .collect();
        cancelled += annotations.len() - kept.len();
        let chosen = match &completed_by {
            Some(user) => {
                let by = kept
                    .iter()
                    .find(|a| a.get("completed_by").is_some_and(|c| is_user(c, user)));
                if by.is_none() && !kept.is_empty() {
                    not_by += 1;
                }
                by.copied()
            }
            None => {
                let index = builder.options.annotation;
                if index > 0 && !kept.is_empty() && index >= kept.len() {
                    builder.warn(format!(
                        "{}:{place}: has no annotation number {} (--annotation counts from 0, cancelled annotations left out)",
                        path.display(),
                        index
                    ));
                }
                kept.get(index).copied()
            }
        };
        if let Some(annotation) = chosen {
            read_result(path, &place, annotation, doc, SpanStatus::Accepted, builder)?;
        }
        if builder.options.as_suggestions
            && let Some(prediction) = task
                .get("predictions")
                .and_then(Value::as_array)
                .and_then(|p| p.first())
        {
            read_result(
                path,
                &place,
                prediction,
                doc,
                SpanStatus::Suggested,
                builder,
            )?;
        }
    }
    if cancelled > 0 {
        builder.warn(format!(
            "{}: {cancelled} cancelled annotations (was_cancelled) not read",
            path.display()
        ));
    }
    if let Some(user) = &completed_by
        && not_by > 0
    {
        builder.warn(format!(
            "{}: {not_by} {} no annotation by {user} (--completed-by); {}",
            path.display(),
            if not_by == 1 {
                "task has"
            } else {
                "tasks have"
            },
            "their documents are imported without spans (JSON-MIN records of others are left out)"
        ));
    }
    Ok(())
}

/// A JSON-MIN record: flat, with neither `data` nor `annotations`, and its regions in fields
/// named after the labelling config's `Labels` (an array of `{start, end, labels}`).
fn is_json_min(task: &Value) -> bool {
    task.get("annotations").is_none()
        && task.get("completions").is_none()
        && task.get("data").is_none_or(|d| !d.is_object())
        && task
            .as_object()
            .is_some_and(|o| o.values().any(is_min_regions))
}

/// An array of region objects with `labels` (or one such object), as JSON-MIN writes them.
fn is_min_regions(value: &Value) -> bool {
    let region =
        |v: &Value| v.get("labels").is_some_and(Value::is_array) && v.get("start").is_some();
    match value {
        Value::Array(items) => !items.is_empty() && items.iter().all(region),
        other => region(other),
    }
}

/// Whether a `completed_by` (a user id, an e-mail, or an object with `id` and `email`) names
/// `user`.
fn is_user(value: &Value, user: &str) -> bool {
    match value {
        Value::Number(n) => n.to_string() == user,
        Value::String(s) => s == user,
        Value::Object(o) => ["id", "email"]
            .iter()
            .any(|k| o.get(*k).is_some_and(|v| is_user(v, user))),
        _ => false,
    }
}

/// The regions of a JSON-MIN record, read as a full export's `labels` results.
fn read_min_regions(
    path: &Path,
    place: &str,
    task: &Value,
    text_field: &str,
    doc: usize,
    builder: &mut ProjectBuilder,
) -> Result<(), ImportError> {
    let mut result = Vec::new();
    for (field, value) in task.as_object().into_iter().flatten() {
        if field == text_field || !is_min_regions(value) {
            continue;
        }
        let regions = match value {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        };
        for region in regions {
            result.push(json!({"type": "labels", "from_name": field, "value": region}));
        }
    }
    let annotation = json!({ "result": result });
    read_result(path, place, &annotation, doc, SpanStatus::Accepted, builder)
}

/// A `relation` result: `{"from_id", "to_id", "labels": [TYPE], "direction"}`. A relation
/// without labels gets the type `relation`; `direction: "left"` runs from `to_id` to
/// `from_id`, and `"bi"` is read as `"right"` (Spantag's relations have a direction).
fn read_relation(
    path: &Path,
    place: &str,
    item: &Value,
    doc: usize,
    builder: &mut ProjectBuilder,
) -> Result<(), ImportError> {
    let id = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
    let (Some(mut from), Some(mut to)) = (id("from_id"), id("to_id")) else {
        return builder.skip_or_fail(ImportError::at(
            path,
            place,
            format!("a relation result without from_id and to_id: {item}"),
        ));
    };
    if item.get("direction").and_then(Value::as_str) == Some("left") {
        std::mem::swap(&mut from, &mut to);
    }
    let labels: Vec<&str> = item
        .get("labels")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let kinds = if labels.is_empty() {
        vec!["relation"]
    } else {
        labels
    };
    for kind in kinds {
        let draft = RelationDraft {
            kind: kind.to_owned(),
            from: from.clone(),
            to: to.clone(),
            note: None,
            place: format!("{}:{place}", path.display()),
        };
        if let Err(reason) = builder.add_relation(doc, draft) {
            builder.skip_or_fail(ImportError::at(path, place, reason))?;
        }
    }
    Ok(())
}

fn read_result(
    path: &Path,
    place: &str,
    annotation: &Value,
    doc: usize,
    status: SpanStatus,
    builder: &mut ProjectBuilder,
) -> Result<(), ImportError> {
    let no_items = Vec::new();
    let items = annotation
        .get("result")
        .and_then(Value::as_array)
        .unwrap_or(&no_items);
    // Per-region notes first, so they can be attached to their region's spans.
    let mut notes: HashMap<String, String> = HashMap::new();
    for item in items {
        if item.get("type").and_then(Value::as_str) == Some("textarea")
            && let Some(id) = item.get("id").and_then(Value::as_str)
        {
            let text = item.pointer("/value/text");
            let note = match text {
                Some(Value::Array(lines)) => lines
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("\n"),
                Some(Value::String(s)) => s.clone(),
                _ => continue,
            };
            notes.insert(id.to_owned(), note);
        }
    }
    for item in items {
        let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "labels" => {}
            "relation" => {
                read_relation(path, place, item, doc, builder)?;
                continue;
            }
            "textarea" if item.get("value").and_then(|v| v.get("start")).is_some() => continue,
            other => {
                builder.leave_out(format!("{other} results"));
                continue;
            }
        }
        let value = item.get("value").unwrap_or(&Value::Null);
        let offset = |k: &str| value.get(k).and_then(Value::as_u64).map(|x| x as usize);
        let (Some(start), Some(end)) = (offset("start"), offset("end")) else {
            builder.skip_or_fail(ImportError::at(
                path,
                place,
                format!("a labels result without whole-number value.start and value.end: {item}"),
            ))?;
            continue;
        };
        // A label named twice in one region is one span.
        let mut seen = HashSet::new();
        let labels: Vec<&str> = value
            .get("labels")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .filter(|l| seen.insert(*l))
                    .collect()
            })
            .unwrap_or_default();
        if labels.is_empty() {
            builder.skip_or_fail(ImportError::at(
                path,
                place,
                format!("span [{start}, {end}) has no labels"),
            ))?;
            continue;
        }
        let region = item.get("id").and_then(Value::as_str).unwrap_or_default();
        if let Some(recorded) = value.get("text").and_then(Value::as_str)
            && let Some(document) = builder.document(doc)
            && end <= document.char_len()
            && start <= end
            && document.slice(start, end) != recorded
        {
            // Shortened: 20,000 regions over a long text must not make gigabytes of warnings.
            let actual = super::shorten(document.slice(start, end));
            let recorded = super::shorten(recorded);
            builder.warn(format!(
                "{}:{place}: region {region} records the text \"{recorded}\" at [{start}, {end}), but the task's text has \"{actual}\" there; the offsets are kept",
                path.display()
            ));
        }
        // The region's note is stored once, on the span of its first label (docs/FORMAT.md): a
        // copy per label turned 20,000 labels and a 100 KB note into a 2 GB project.
        let mut note = notes.get(region).cloned();
        // Relations name the region: its first label's span answers for it.
        let mut key = (!region.is_empty()).then(|| region.to_owned());
        for label in labels {
            let mut draft = SpanDraft::new(start, end, label);
            draft.note = note.take();
            draft.key = key.take();
            draft.status = status;
            if let Err(reason) = builder.add_span(doc, draft) {
                builder.skip_or_fail(ImportError::at(path, place, reason))?;
            }
        }
    }
    Ok(())
}
