//! JSONL for spaCy: `{"text", "entities": [[start, end, "LABEL"], ...], "spans": [{"start",
//! "end", "label"}, ...]}`, offsets in code points (Python `str` indices, what
//! `Doc.char_span` takes).
//!
//! `entities` goes to `doc.ents`, which cannot overlap: overlapping spans keep the longest
//! (ties: the earliest) and the others are reported. `spans` has every span, for
//! `doc.spans["sc"]` (span categorisation), which may overlap.

use serde::Serialize;

use super::{
    ExportError, ExportOptions, ExportReport, Offsets, OutputFile, accepted, check_alignment,
    conll::longest_first, push_json_line,
};
use crate::core::project::AnnotatedDocument;

#[derive(Serialize)]
struct Record<'a> {
    text: &'a str,
    entities: Vec<(usize, usize, &'a str)>,
    spans: Vec<SpanRecord<'a>>,
}

#[derive(Serialize)]
struct SpanRecord<'a> {
    start: usize,
    end: usize,
    label: &'a str,
}

pub fn write(
    docs: &[&AnnotatedDocument],
    options: &ExportOptions,
    report: &mut ExportReport,
) -> Result<Vec<OutputFile>, ExportError> {
    let mut out = Vec::new();
    for doc in docs {
        let spans: Vec<_> = accepted(doc).collect();
        let mut records = Vec::new();
        for span in &spans {
            let (start, end, _) = check_alignment(&doc.document, span, Offsets::Codepoint)?;
            records.push(SpanRecord {
                start,
                end,
                label: &span.label,
            });
        }
        let (kept, dropped) = longest_first(&doc.document, &spans, "doc.ents");
        for d in dropped {
            if options.strict {
                return Err(ExportError::Strict(Box::new(d)));
            }
            report.dropped.push(d);
        }
        let record = Record {
            text: doc.document.text(),
            entities: kept
                .iter()
                .map(|s| (s.start, s.end, s.label.as_str()))
                .collect(),
            spans: records,
        };
        push_json_line(&mut out, &record)?;
    }
    Ok(vec![OutputFile {
        document: None,
        path: Default::default(),
        bytes: out,
    }])
}
