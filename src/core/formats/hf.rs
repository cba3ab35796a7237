//! Hugging Face token classification: a folder with `data.jsonl` (with `--split`,
//! `train.jsonl`, `validation.jsonl`, `test.jsonl`: a `DatasetDict`'s split names), one
//! sentence a line, `{"id": "DOCID-N", "tokens": [...], "ner_tags": [ints]}`, and
//! `labels.json`, the tag names in index order.
//!
//! `load_dataset("json")` infers no `ClassLabel`, so the names must travel beside the rows;
//! `labels.json` is what `ClassLabel(names=...)` and a model's `id2label` take. Tokens,
//! sentences and options are those of the CoNLL export.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use super::conll::tag_document;
use super::{ExportError, ExportOptions, ExportReport, OutputFile, Scheme, Sink, push_json_line};
use crate::core::label::LabelSet;
use crate::core::project::AnnotatedDocument;

/// Tag names in index order: `O`, then for each label in label-set order `B-X`, `I-X` (the
/// scheme's prefixes in its order: `B`, `I`, `E`, `S` for bioes; `B`, `M`, `E`, `S` for bmes).
pub fn tag_names(labels: &LabelSet, scheme: Scheme) -> Vec<String> {
    let prefixes = scheme.prefixes();
    let mut names = vec!["O".to_owned()];
    for label in labels.iter() {
        for p in prefixes {
            names.push(format!("{p}-{}", label.name));
        }
    }
    names
}

#[derive(Serialize)]
struct Row<'a> {
    id: String,
    tokens: Vec<&'a str>,
    ner_tags: Vec<usize>,
}

/// The rows of `docs`, as `data.jsonl` or, in a split, `PART.jsonl`.
pub fn write(
    docs: &[&AnnotatedDocument],
    labels: &LabelSet,
    options: &ExportOptions,
    part: Option<&str>,
    report: &mut ExportReport,
    sink: &mut dyn Sink,
) -> Result<(), ExportError> {
    let names = tag_names(labels, options.scheme);
    let index_of: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    let mut name = String::new();
    let out = sink.file(
        PathBuf::from(format!("{}.jsonl", part.unwrap_or("data"))),
        None,
    )?;
    let mut row = Row {
        id: String::new(),
        tokens: Vec::new(),
        ner_tags: Vec::new(),
    };
    for doc in docs {
        let tagged = tag_document(doc, options, report)?;
        for (n, sentence) in tagged.sentences().enumerate() {
            row.id = format!("{}-{n}", doc.document.id);
            row.tokens.clear();
            row.ner_tags.clear();
            for (token, tag) in sentence {
                name.clear();
                write!(name, "{tag}").map_err(|e| ExportError::Json(e.to_string()))?;
                // A loaded project only has spans with labels of the set; a project built in
                // code might not, and an index cannot be made up.
                let index = *index_of
                    .get(name.as_str())
                    .ok_or_else(|| ExportError::UnknownLabel(tag.label.to_owned()))?;
                row.tokens.push(token);
                row.ner_tags.push(index);
            }
            push_json_line(out, &row)?;
        }
    }
    Ok(())
}

pub fn labels_file(labels: &LabelSet, options: &ExportOptions) -> Result<OutputFile, ExportError> {
    let names = tag_names(labels, options.scheme);
    let mut json =
        serde_json::to_string_pretty(&names).map_err(|e| ExportError::Json(e.to_string()))?;
    json.push('\n');
    Ok(OutputFile {
        document: None,
        path: PathBuf::from("labels.json"),
        bytes: json.into_bytes(),
    })
}
