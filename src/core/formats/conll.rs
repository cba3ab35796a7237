//! CoNLL token-tag files: `TOKEN<TAB>TAG` per line, a blank line between sentences and between
//! documents, tags in IOB2 (`B-X`, `I-X`, `O`) or BIOES; the importer also reads BMES (`M-X`
//! for the middle of an entity, as in the MSRA corpus).
//!
//! Tags cannot nest or overlap, and a tag belongs to a whole token: a span that cannot be put
//! into tags is left out and reported (or, with `strict`, fails the export).

use std::path::Path;

use super::builder::SpanDraft;
use super::tokenize::{Token, sentences, tokenize};
use super::{
    DroppedSpan, ExportError, ExportOptions, ExportReport, ImportError, Offsets, OutputFile,
    ProjectBuilder, Scheme, accepted, check_alignment,
};
use crate::core::document::Document;
use crate::core::project::AnnotatedDocument;
use crate::core::span::Span;

/// A sentence as tokens with their tags.
pub struct TaggedSentence<'a> {
    pub tokens: Vec<(&'a str, String)>,
}

/// Keep the longest of overlapping spans ([`crate::core::span::longest_first`]: ties to the
/// earliest, then the lowest id); the others are returned as dropped. `what` names the target
/// that cannot hold overlaps.
pub(crate) fn longest_first<'a>(
    doc: &Document,
    spans: &[&'a Span],
    what: &str,
) -> (Vec<&'a Span>, Vec<DroppedSpan>) {
    let resolved = crate::core::span::longest_first(spans);
    let dropped = resolved
        .dropped
        .into_iter()
        .map(|(span, winner)| DroppedSpan {
            document: doc.id.clone(),
            span: span.clone(),
            text: doc.slice(span.start, span.end).to_owned(),
            reason: format!(
                "overlaps span {} {} [{}, {}), which is kept ({what} cannot nest or overlap)",
                winner.id, winner.label, winner.start, winner.end
            ),
        })
        .collect();
    (resolved.kept, dropped)
}

/// Cut a document into tagged sentences. Spans that cannot be tagged are reported in
/// `report.dropped`, or fail the export with `strict`.
pub fn tag_document<'a>(
    doc: &'a AnnotatedDocument,
    options: &ExportOptions,
    report: &mut ExportReport,
) -> Result<Vec<TaggedSentence<'a>>, ExportError> {
    let document = &doc.document;
    let tokens = tokenize(document.text(), options.tokens);
    let mut expressible = Vec::new();
    let mut dropped = Vec::new();
    for span in accepted(doc) {
        check_alignment(document, span, Offsets::Codepoint)?;
        match token_problem(&tokens, span) {
            None => expressible.push(span),
            Some(reason) => dropped.push(DroppedSpan {
                document: document.id.clone(),
                span: span.clone(),
                text: document.slice(span.start, span.end).to_owned(),
                reason,
            }),
        }
    }
    let (kept, overlapping) = longest_first(document, &expressible, "BIO tags");
    dropped.extend(overlapping);
    dropped.sort_by_key(|d| d.span.sort_key());
    for d in dropped {
        if options.strict {
            return Err(ExportError::Strict(Box::new(d)));
        }
        report.dropped.push(d);
    }

    let mut tags = vec![String::from("O"); tokens.len()];
    for span in &kept {
        // Tokens are sorted and disjoint: the ones inside a span are one run, found by search.
        let from = tokens.partition_point(|t| t.start < span.start);
        let to = tokens.partition_point(|t| t.end <= span.end).max(from);
        let inside: Vec<usize> = (from..to).collect();
        let last = inside.len().saturating_sub(1);
        for (k, &i) in inside.iter().enumerate() {
            let prefix = match (options.scheme, k, inside.len()) {
                (Scheme::Bioes, _, 1) => "S",
                (Scheme::Bioes, _, _) if k == last => "E",
                (_, 0, _) => "B",
                _ => "I",
            };
            tags[i] = format!("{prefix}-{}", span.label);
        }
    }
    let ranges: Vec<(usize, usize)> = kept.iter().map(|s| (s.start, s.end)).collect();
    Ok(sentences(document.text(), &tokens, &ranges)
        .into_iter()
        .map(|range| TaggedSentence {
            tokens: range.map(|i| (tokens[i].text, tags[i].clone())).collect(),
        })
        .collect())
}

/// Why a span cannot be given token tags, if it cannot.
fn token_problem(tokens: &[Token<'_>], span: &Span) -> Option<String> {
    // Tokens are sorted and disjoint, so each question is a binary search.
    let cut = |at: usize| {
        tokens
            .get(tokens.partition_point(|t| t.end <= at))
            .filter(|t| t.start < at && at < t.end)
    };
    if let Some(t) = cut(span.start) {
        return Some(format!(
            "its start falls inside the token \"{}\" [{}, {}); tags cover whole tokens (try --tokens char)",
            t.text, t.start, t.end
        ));
    }
    if let Some(t) = cut(span.end) {
        return Some(format!(
            "its end falls inside the token \"{}\" [{}, {}); tags cover whole tokens (try --tokens char)",
            t.text, t.start, t.end
        ));
    }
    let first = tokens.partition_point(|t| t.start < span.start);
    if tokens.get(first).is_none_or(|t| t.end > span.end) {
        return Some("it covers only whitespace, which is never a token".to_owned());
    }
    None
}

pub fn write(
    docs: &[&AnnotatedDocument],
    options: &ExportOptions,
    report: &mut ExportReport,
) -> Result<Vec<OutputFile>, ExportError> {
    let mut out = String::new();
    let mut first = true;
    for doc in docs {
        for sentence in tag_document(doc, options, report)? {
            if !first {
                out.push('\n');
            }
            first = false;
            for (token, tag) in &sentence.tokens {
                out.push_str(token);
                out.push('\t');
                out.push_str(tag);
                out.push('\n');
            }
        }
    }
    Ok(vec![OutputFile {
        document: None,
        path: Default::default(),
        bytes: out.into_bytes(),
    }])
}

// ---- Import -------------------------------------------------------------------------------------

/// A token read from a file, with the line it came from; borrowed from the file's content
/// (a char-level file has a token every 4 bytes: owned copies took 20 times the input).
struct ReadToken<'a> {
    text: &'a str,
    tag: &'a str,
    line: usize,
}

/// Read a CoNLL file. Each non-blank line is a token; its first column is the token and its
/// last column the tag (`TOKEN<TAB>TAG`, or CoNLL-2003's `TOKEN POS CHUNK TAG`). Columns are
/// split on tabs when the line has one, else on spaces. `-DOCSTART-` lines start a new document;
/// without them the file is one document.
pub fn read(path: &Path, builder: &mut ProjectBuilder) -> Result<(), ImportError> {
    let content = builder.read_input(path)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".to_owned());
    let mut documents: Vec<Vec<Vec<ReadToken>>> = vec![Vec::new()];
    let mut sentence: Vec<ReadToken> = Vec::new();
    for (i, line) in content.lines().enumerate() {
        let n = i + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            flush(&mut documents, &mut sentence);
            continue;
        }
        if trimmed.starts_with("-DOCSTART-") {
            flush(&mut documents, &mut sentence);
            if documents.last().is_some_and(|d| !d.is_empty()) {
                documents.push(Vec::new());
            }
            continue;
        }
        let columns: Vec<&str> = if line.contains('\t') {
            line.split('\t').map(str::trim).collect()
        } else {
            line.split_whitespace().collect()
        };
        match (columns.first(), columns.last()) {
            (Some(token), Some(tag)) if columns.len() >= 2 && !token.is_empty() => {
                sentence.push(ReadToken {
                    text: token,
                    tag,
                    line: n,
                })
            }
            _ => builder.skip_or_fail(ImportError::new(
                path,
                Some(n),
                format!("expected TOKEN<TAB>TAG, found \"{line}\""),
            ))?,
        }
    }
    flush(&mut documents, &mut sentence);
    documents.retain(|d| !d.is_empty());
    // A file that marks entity ends (BIOES, BMES) must end every entity it begins with `B-`;
    // in IOB2 an entity simply ends where the next tag does not continue it.
    let ends_marked = documents.iter().flatten().flatten().any(|t| {
        matches!(
            t.tag.split_once('-'),
            Some(("E" | "S" | "M" | "L" | "U", _))
        )
    });
    let several = documents.len() > 1;
    for (k, sentences) in documents.iter().enumerate() {
        let id = if several {
            format!("{stem}-{}", k + 1)
        } else {
            stem.clone()
        };
        add_document(path, &id, sentences, ends_marked, builder)?;
    }
    Ok(())
}

fn flush<'a>(documents: &mut [Vec<Vec<ReadToken<'a>>>], sentence: &mut Vec<ReadToken<'a>>) {
    if !sentence.is_empty()
        && let Some(doc) = documents.last_mut()
    {
        doc.push(std::mem::take(sentence));
    }
}

/// An entity being read: its label, first code point, the line of its first tag, and whether
/// its tags are broken (then it is skipped whole when it ends, however it ends).
struct OpenEntity {
    label: String,
    start: usize,
    line: usize,
    broken: bool,
}

/// Rebuild the text (tokens joined without a space when both sides are CJK, with one space
/// otherwise; sentences joined by `\n`) and turn the tags back into spans.
///
/// A broken entity (a continuation tag with nothing to continue, as in a sentence cut inside an
/// entity; with `ends_marked`, a `B-` never closed by `E-`) fails a strict import at its line;
/// `--lenient` skips that entity only, counted once, and keeps the sentence around it.
fn add_document(
    path: &Path,
    id: &str,
    sentences: &[Vec<ReadToken<'_>>],
    ends_marked: bool,
    builder: &mut ProjectBuilder,
) -> Result<(), ImportError> {
    let mut text = String::new();
    let mut offsets = Vec::new(); // (start, end) in code points, per token
    let mut cp = 0;
    for (s, sentence) in sentences.iter().enumerate() {
        if s > 0 {
            text.push('\n');
            cp += 1;
        }
        let mut previous: Option<&str> = None;
        for token in sentence {
            if let Some(prev) = previous {
                let joined = prev.chars().last().is_some_and(super::tokenize::is_cjk)
                    && token
                        .text
                        .chars()
                        .next()
                        .is_some_and(super::tokenize::is_cjk);
                if !joined {
                    text.push(' ');
                    cp += 1;
                }
            }
            let len = token.text.chars().count();
            offsets.push((cp, cp + len));
            text.push_str(token.text);
            cp += len;
            previous = Some(token.text);
        }
    }
    let doc = builder.add_document(id, id, text);
    let mut k = 0;
    for sentence in sentences {
        let mut open: Option<OpenEntity> = None;
        // Close the open entity at `end`; `properly` is false when what closes it is not its
        // end tag (`E-`, `L-`, or `I-` in IOB2, which needs none).
        let close = |open: &mut Option<OpenEntity>,
                     end: usize,
                     properly: bool,
                     builder: &mut ProjectBuilder|
         -> Result<(), ImportError> {
            let Some(entity) = open.take() else {
                return Ok(());
            };
            if entity.broken {
                return Ok(()); // Reported when it broke.
            }
            if !properly && ends_marked {
                return builder.skip_or_fail(ImportError::new(
                    path,
                    Some(entity.line),
                    format!(
                        "B-{label} begins an entity that never ends: the tags mark entity ends (E-, S-), and no E-{label} follows",
                        label = entity.label
                    ),
                ));
            }
            if let Err(reason) =
                builder.add_span(doc, SpanDraft::new(entity.start, end, entity.label))
            {
                builder.skip_or_fail(ImportError::new(path, Some(entity.line), reason))?;
            }
            Ok(())
        };
        let mut previous_end = 0;
        for token in sentence {
            let (start, end) = offsets[k];
            k += 1;
            let (prefix, label) = match token.tag.split_once('-') {
                Some((p, l)) => (p, l),
                None => (token.tag, ""),
            };
            // In IOB2 an entity needs no end tag: whatever follows its last `I-` ends it.
            let ends_here =
                |open: &Option<OpenEntity>| !ends_marked || open.as_ref().is_none_or(|e| e.broken);
            match (prefix, label.is_empty()) {
                ("O", true) => {
                    let properly = ends_here(&open);
                    close(&mut open, previous_end, properly, builder)?
                }
                ("B" | "S" | "U", false) => {
                    let properly = ends_here(&open);
                    close(&mut open, previous_end, properly, builder)?;
                    open = Some(OpenEntity {
                        label: label.to_owned(),
                        start,
                        line: token.line,
                        broken: false,
                    });
                    if prefix != "B" {
                        close(&mut open, end, true, builder)?;
                    }
                }
                ("I" | "M" | "E" | "L", false) => {
                    let continues = open.as_ref().is_some_and(|e| e.label == label);
                    if continues {
                        if matches!(prefix, "E" | "L") {
                            close(&mut open, end, true, builder)?;
                        }
                    } else {
                        let before = open
                            .as_ref()
                            .map(|e| format!("an entity {}", e.label))
                            .unwrap_or_else(|| "no open entity".to_owned());
                        let properly = ends_here(&open);
                        close(&mut open, previous_end, properly, builder)?;
                        builder.skip_or_fail(ImportError::new(
                            path,
                            Some(token.line),
                            format!(
                                "{} does not continue an entity: {prefix}-{label} must follow B-{label}, I-{label} or M-{label}, and here it follows {before}",
                                token.tag
                            ),
                        ))?;
                        // The rest of this entity's tags belong to the entity just reported.
                        if !matches!(prefix, "E" | "L") {
                            open = Some(OpenEntity {
                                label: label.to_owned(),
                                start,
                                line: token.line,
                                broken: true,
                            });
                        }
                    }
                }
                _ => {
                    let properly = ends_here(&open);
                    close(&mut open, previous_end, properly, builder)?;
                    builder.skip_or_fail(ImportError::new(
                        path,
                        Some(token.line),
                        format!(
                            "unknown tag \"{}\" (expected O, or B-, I-, M-, E-, S- and a label)",
                            token.tag
                        ),
                    ))?;
                }
            }
            previous_end = end;
        }
        let properly = open.as_ref().is_none_or(|e| e.broken) || !ends_marked;
        close(&mut open, previous_end, properly, builder)?;
    }
    Ok(())
}
