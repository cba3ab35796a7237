//! Hugging Face token classification: a folder with `data.jsonl` (with `--split`,
//! `train.jsonl`, `validation.jsonl`, `test.jsonl`: a `DatasetDict`'s split names), one
//! sentence a line, `{"id": "DOCID-N", "tokens": [...], "ner_tags": [ints]}`, and
//! `labels.json`, the tag names in index order.
//!
//! `load_dataset("json")` infers no `ClassLabel`, so the names must travel beside the rows;
//! `labels.json` is what `ClassLabel(names=...)` and a model's `id2label` take. Tokens,
//! sentences and options are those of the CoNLL export.
//!
//! Rows are written as their tokens are made, a chunk at a time: a sentence is gone over twice
//! (its tokens, then their tags) rather than gathered, since one sentence can be a whole
//! document (a span over all of it).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;

use super::conll::{WRITE_CHUNK, tag_document};
use super::scheme::Tag;
use super::{ExportError, ExportOptions, ExportReport, OutputFile, Scheme, Sink, json_error};
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

/// A tag's index in [`tag_names`], without making its name.
struct TagIndex<'a> {
    prefixes: &'static [&'static str],
    /// The index of each label's first tag.
    first: HashMap<&'a str, usize>,
}

impl<'a> TagIndex<'a> {
    fn new(labels: &'a LabelSet, scheme: Scheme) -> Self {
        let prefixes = scheme.prefixes();
        let mut first = HashMap::new();
        for (i, label) in labels.iter().enumerate() {
            // As a map from names: a later label of the same name wins.
            first.insert(label.name.as_str(), 1 + i * prefixes.len());
        }
        Self { prefixes, first }
    }

    fn of(&self, tag: Tag<'_>) -> Result<usize, ExportError> {
        if tag == Tag::OUTSIDE {
            return Ok(0);
        }
        let prefix = self.prefixes.iter().position(|p| p.starts_with(tag.prefix));
        // A loaded project only has spans with labels of the set; a project built in code
        // might not, and an index cannot be made up.
        match (self.first.get(tag.label), prefix) {
            (Some(first), Some(prefix)) => Ok(first + prefix),
            _ => Err(ExportError::UnknownLabel(tag.label.to_owned())),
        }
    }
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
    let index = TagIndex::new(labels, options.scheme);
    let out = sink.file(
        PathBuf::from(format!("{}.jsonl", part.unwrap_or("data"))),
        None,
    )?;
    // Rows are gathered here and written into the file a chunk at a time.
    let mut row: Vec<u8> = Vec::with_capacity(WRITE_CHUNK + 1024);
    let mut flush = |row: &mut Vec<u8>, at_least: usize| {
        if row.len() >= at_least {
            out.write_all(row).map_err(ExportError::Io)?;
            row.clear();
        }
        Ok::<(), ExportError>(())
    };
    for doc in docs {
        let tagged = tag_document(doc, options, report)?;
        let mut tokens = tagged.tokens();
        for n in 0.. {
            // The sentence's tokens, then, from the same start, their tags.
            let sentence = tokens.clone();
            if tokens.clone().next().is_none() {
                break;
            }
            row.extend_from_slice(b"{\"id\":");
            serde_json::to_writer(&mut row, &format!("{}-{n}", doc.document.id))
                .map_err(json_error)?;
            row.extend_from_slice(b",\"tokens\":[");
            for token in tokens.by_ref() {
                serde_json::to_writer(&mut row, token.text).map_err(json_error)?;
                if token.ends_sentence {
                    break;
                }
                row.push(b',');
                flush(&mut row, WRITE_CHUNK)?;
            }
            row.extend_from_slice(b"],\"ner_tags\":[");
            for token in sentence {
                write!(row, "{}", index.of(token.tag)?).map_err(ExportError::Io)?;
                if token.ends_sentence {
                    break;
                }
                row.push(b',');
                flush(&mut row, WRITE_CHUNK)?;
            }
            row.extend_from_slice(b"]}\n");
            flush(&mut row, WRITE_CHUNK)?;
        }
    }
    flush(&mut row, 0)
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
