//! Label Studio tasks: a JSON array of `{"id", "data": {"text", "doc_id"}, "annotations":
//! [{"result": [...]}]}` with one `labels` result per span.
//!
//! Offsets are code points: Label Studio's editor counts `[...text].length` and has stored code
//! points since label-studio#1559 (see `docs/FORMAT.md`). `value.text` comes from the browser
//! and may differ from `data.text[start:end]`, so import trusts the offsets and only warns.
//! A span's note goes into a per-region `textarea` result (`<TextArea name="note"
//! perRegion="true">`) with the region's id.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::{Value, json};

use super::builder::SpanDraft;
use super::{
    ExportError, ExportReport, ImportError, Offsets, OutputFile, ProjectBuilder, accepted,
    check_alignment,
};
use crate::core::project::AnnotatedDocument;
use crate::core::span::SpanStatus;

pub fn write(
    docs: &[&AnnotatedDocument],
    report: &mut ExportReport,
) -> Result<Vec<OutputFile>, ExportError> {
    let mut tasks = Vec::new();
    let mut grouped = 0;
    for (i, doc) in docs.iter().enumerate() {
        let mut result = Vec::new();
        for span in accepted(doc) {
            let (start, end, surface) = check_alignment(&doc.document, span, Offsets::Codepoint)?;
            // Region ids must be unique across the project and of [A-Za-z0-9_-].
            let id = format!("span-{}", span.id);
            result.push(json!({
                "id": id,
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": start, "end": end, "text": surface, "labels": [span.label]},
                "origin": "manual",
            }));
            if let Some(note) = &span.note {
                result.push(json!({
                    "id": id,
                    "from_name": "note",
                    "to_name": "text",
                    "type": "textarea",
                    "value": {"start": start, "end": end, "text": [note]},
                    "origin": "manual",
                }));
            }
            grouped += usize::from(span.group.is_some());
        }
        tasks.push(json!({
            "id": i + 1,
            "data": {"text": doc.document.text(), "doc_id": doc.document.id},
            "annotations": [{"result": result}],
        }));
    }
    if grouped > 0 {
        report.warnings.push(format!(
            "label-studio: {grouped} spans are fragments of discontinuous mentions (a group); Label Studio has no such regions, so each fragment is exported as a region of its own"
        ));
    }
    let mut json = serde_json::to_string_pretty(&Value::Array(tasks))
        .map_err(|e| ExportError::Json(e.to_string()))?;
    json.push('\n');
    Ok(vec![OutputFile {
        document: None,
        path: Default::default(),
        bytes: json.into_bytes(),
    }])
}

/// Read a Label Studio JSON export (an array of tasks, or one task).
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
    for (i, task) in tasks.iter().enumerate() {
        let place = format!("task {}", i + 1);
        // A task without "data" is its own data (Label Studio's import rule).
        let data = task.get("data").unwrap_or(task);
        let Some(text) = data.get("text").and_then(Value::as_str) else {
            builder.skip_or_fail(ImportError::at(path, &place, "no \"data.text\" string"))?;
            continue;
        };
        let id = match (data.get("doc_id"), task.get("id")) {
            (Some(Value::String(s)), _) => s.clone(),
            (_, Some(Value::Number(n))) => format!("{stem}-{n}"),
            _ => format!("{stem}-{}", i + 1),
        };
        let doc = builder.add_document(&id, &id, text.to_owned());
        let annotations = task
            .get("annotations")
            .or_else(|| task.get("completions"))
            .and_then(Value::as_array);
        let index = builder.options.annotation;
        if let Some(annotation) = annotations.and_then(|a| a.get(index)) {
            read_result(path, &place, annotation, doc, SpanStatus::Accepted, builder)?;
        } else if index > 0 && annotations.is_some_and(|a| !a.is_empty()) {
            builder.warn(format!(
                "{}:{place}: has no annotation number {} (--annotation counts from 0)",
                path.display(),
                index
            ));
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
        for label in labels {
            let mut draft = SpanDraft::new(start, end, label);
            draft.note = note.take();
            draft.status = status;
            if let Err(reason) = builder.add_span(doc, draft) {
                builder.skip_or_fail(ImportError::at(path, place, reason))?;
            }
        }
    }
    Ok(())
}
