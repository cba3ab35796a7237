//! Hugging Face token classification: a folder with `data.jsonl` (with `--split`,
//! `train.jsonl`, `validation.jsonl`, `test.jsonl`: a `DatasetDict`'s split names), one
//! sentence a line, `{"id": "DOCID-N", "tokens": [...], "ner_tags": [ints]}`, and
//! `labels.json`, the tag names in index order.
//!
//! `load_dataset("json")` infers no `ClassLabel`, so the names must travel beside the rows;
//! `labels.json` is what `ClassLabel(names=...)` and a model's `id2label` take. Tokens,
//! sentences and options are those of the CoNLL export.

use std::path::PathBuf;

use serde::Serialize;

use super::conll::tag_document;
use super::{ExportError, ExportOptions, ExportReport, OutputFile, Scheme, to_json_line};
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
) -> Result<Vec<OutputFile>, ExportError> {
    let names = tag_names(labels, options.scheme);
    let mut out = String::new();
    for doc in docs {
        for (n, sentence) in tag_document(doc, options, report)?.into_iter().enumerate() {
            let mut row = Row {
                id: format!("{}-{n}", doc.document.id),
                tokens: Vec::new(),
                ner_tags: Vec::new(),
            };
            for (token, tag) in sentence.tokens {
                // A loaded project only has spans with labels of the set; a project built in
                // code might not, and an index cannot be made up.
                let index = names.iter().position(|t| *t == tag).ok_or_else(|| {
                    let label = tag.split_once('-').map(|(_, l)| l).unwrap_or(&tag);
                    ExportError::UnknownLabel(label.to_owned())
                })?;
                row.tokens.push(token);
                row.ner_tags.push(index);
            }
            out.push_str(&to_json_line(&row)?);
            out.push('\n');
        }
    }
    Ok(vec![OutputFile {
        document: None,
        path: PathBuf::from(format!("{}.jsonl", part.unwrap_or("data"))),
        bytes: out.into_bytes(),
    }])
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
