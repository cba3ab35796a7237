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

use super::conll::longest_first;
use super::each::Each;
use super::{
    ExportError, ExportOptions, ExportReport, Offsets, Sink, accepted, check_alignment,
    push_json_line,
};
use crate::core::project::AnnotatedDocument;
use crate::core::span::{Span, SpanStatus};

/// A document's line, its lists serialised from the project as the line is written (no
/// records per span are kept).
#[derive(Serialize)]
struct Record<'a, E, S, R> {
    text: &'a str,
    entities: E,
    spans: S,
    #[serde(skip_serializing_if = "Option::is_none")]
    relations: Option<R>,
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

impl<'a> SpanRecord<'a> {
    fn of(span: &'a Span) -> Self {
        Self {
            start: span.start,
            end: span.end,
            label: &span.label,
        }
    }
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
        let spans: Vec<&Span> = accepted(doc).collect();
        for span in &spans {
            // Code point offsets are the span's own: checked, then written from the span.
            check_alignment(&doc.document, span, Offsets::Codepoint)?;
        }
        let (kept, dropped) = longest_first(&doc.document, &spans, "doc.ents");
        for d in dropped {
            if options.strict {
                return Err(ExportError::Strict(Box::new(d)));
            }
            report.dropped.push(d);
        }
        let written = doc
            .relations
            .iter()
            .filter(|r| relation_record(doc, r).is_some())
            .count();
        relations_left_out += doc.relations.iter().count() - written;
        let record = Record {
            text: doc.document.text(),
            entities: Each(|| kept.iter().map(|s| (s.start, s.end, s.label.as_str()))),
            spans: Each(|| spans.iter().map(|s| SpanRecord::of(s))),
            relations: (written > 0).then_some(Each(|| {
                doc.relations.iter().filter_map(|r| relation_record(doc, r))
            })),
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

/// A relation as written: when it and both its ends are accepted.
fn relation_record<'a>(
    doc: &'a AnnotatedDocument,
    r: &'a crate::core::Relation,
) -> Option<RelationRecord<'a>> {
    let exported = |id| {
        doc.spans
            .get(id)
            .filter(|s| s.status == SpanStatus::Accepted)
            .map(SpanRecord::of)
    };
    match (r.status, exported(r.from), exported(r.to)) {
        (SpanStatus::Accepted, Some(head_span), Some(child_span)) => Some(RelationRecord {
            label: &r.kind,
            head_span,
            child_span,
        }),
        _ => None,
    }
}
