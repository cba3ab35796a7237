//! JSONL for spaCy: `{"text", "entities": [[start, end, "LABEL"], ...], "spans": [{"start",
//! "end", "label"}, ...]}`, offsets in code points (Python `str` indices, what
//! `Doc.char_span` takes).
//!
//! `entities` goes to `doc.ents`, which cannot overlap: overlapping spans keep the longest
//! (ties: the earliest) and the others are reported. `spans` has every span, for
//! `doc.spans["sc"]` (span categorisation), which may overlap. A document with relations also
//! gets `"relations": [{"label", "head_span": {"start", "end", "label"}, "child_span": {...}}]`
//! (Prodigy's relation keys, with character offsets), the accepted relations between exported
//! spans.

use serde::Serialize;

use super::{
    ExportError, ExportOptions, ExportReport, Offsets, Sink, accepted, check_alignment,
    conll::longest_first, push_json_line,
};
use crate::core::project::AnnotatedDocument;
use crate::core::span::SpanStatus;

#[derive(Serialize)]
struct Record<'a> {
    text: &'a str,
    entities: Vec<(usize, usize, &'a str)>,
    spans: Vec<SpanRecord<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    relations: Vec<RelationRecord<'a>>,
}

#[derive(Serialize)]
struct RelationRecord<'a> {
    label: &'a str,
    head_span: SpanRecord<'a>,
    child_span: SpanRecord<'a>,
}

#[derive(Serialize, Clone, Copy)]
struct SpanRecord<'a> {
    start: usize,
    end: usize,
    label: &'a str,
}

pub fn write(
    docs: &[&AnnotatedDocument],
    options: &ExportOptions,
    report: &mut ExportReport,
    sink: &mut dyn Sink,
) -> Result<(), ExportError> {
    let out = sink.file(Default::default(), None)?;
    let mut relations_left_out = 0;
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
        let exported = |id| {
            doc.spans
                .get(id)
                .filter(|s| s.status == SpanStatus::Accepted)
                .map(|s| SpanRecord {
                    start: s.start,
                    end: s.end,
                    label: &s.label,
                })
        };
        let mut relations = Vec::new();
        for r in doc.relations.iter() {
            match (r.status, exported(r.from), exported(r.to)) {
                (SpanStatus::Accepted, Some(head_span), Some(child_span)) => {
                    relations.push(RelationRecord {
                        label: &r.kind,
                        head_span,
                        child_span,
                    })
                }
                _ => relations_left_out += 1,
            }
        }
        let record = Record {
            relations,
            text: doc.document.text(),
            entities: kept
                .iter()
                .map(|s| (s.start, s.end, s.label.as_str()))
                .collect(),
            spans: records,
        };
        push_json_line(out, &record)?;
    }
    if relations_left_out > 0 {
        report.warnings.push(format!(
            "spacy: {relations_left_out} relations are not exported (they are not accepted, or join a span that is not)"
        ));
    }
    Ok(())
}
