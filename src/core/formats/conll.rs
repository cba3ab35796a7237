//! CoNLL token-tag files: `TOKEN<TAB>TAG` per line, a blank line between sentences, a
//! `-DOCSTART-` line between documents, tags in one of the [`Scheme`]s (bio, iob1, bioes,
//! bilou, bmes; the importer detects which unless told).
//!
//! Tags cannot nest or overlap, and a tag belongs to a whole token: a span that cannot be put
//! into tags is left out and reported (or, with `strict`, fails the export).

use std::path::Path;

use super::builder::SpanDraft;
use super::scheme::Tag;
use super::tokenize::{Token, sentences, tokenize};
use super::{
    DroppedSpan, ExportError, ExportOptions, ExportReport, ImportError, Offsets, ProjectBuilder,
    Scheme, Sink, accepted, check_alignment, scheme,
};
use crate::core::document::Document;
use crate::core::project::AnnotatedDocument;
use crate::core::span::Span;

/// A document cut into tokens with their tags, and into sentences (runs of tokens).
pub struct TaggedDocument<'a> {
    tokens: Vec<Token<'a>>,
    tags: Vec<Tag<'a>>,
    sentences: Vec<std::ops::Range<usize>>,
}

impl<'a> TaggedDocument<'a> {
    /// Each sentence's tokens and their tags, in order.
    pub fn sentences(
        &self,
    ) -> impl Iterator<Item = impl Iterator<Item = (&'a str, Tag<'a>)> + '_> + '_ {
        self.sentences.iter().map(move |range| {
            range
                .clone()
                .map(move |i| (self.tokens[i].text, self.tags[i]))
        })
    }
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
) -> Result<TaggedDocument<'a>, ExportError> {
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

    // Tokens are sorted and disjoint: the ones inside a span are one run, found by search.
    let entities: Vec<(usize, usize, &str)> = kept
        .iter()
        .map(|span| {
            let from = tokens.partition_point(|t| t.start < span.start);
            let to = tokens.partition_point(|t| t.end <= span.end).max(from);
            (from, to, span.label.as_str())
        })
        .collect();
    let tags = options.scheme.encode_tags(tokens.len(), &entities);
    let ranges: Vec<(usize, usize)> = kept.iter().map(|s| (s.start, s.end)).collect();
    let sentences = sentences(document.text(), &tokens, &ranges);
    Ok(TaggedDocument {
        tokens,
        tags,
        sentences,
    })
}

/// Why a span cannot be given token tags, if it cannot.
pub(crate) fn token_problem(tokens: &[Token<'_>], span: &Span) -> Option<String> {
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

/// Write `docs` as one CoNLL file. With more than one document each begins with a
/// `-DOCSTART-` line and a blank line, as in CoNLL-2003 (unless `no_docstart`); with
/// `conll2003` every line has CoNLL-2003's four space-separated columns, `-X-` filling the
/// part-of-speech and chunk columns Spantag does not have.
pub fn write(
    docs: &[&AnnotatedDocument],
    options: &ExportOptions,
    report: &mut ExportReport,
    sink: &mut dyn Sink,
) -> Result<(), ExportError> {
    let separator = if options.conll2003 { " -X- -X- " } else { "\t" };
    let docstart = !options.no_docstart && (docs.len() > 1 || options.conll2003);
    let file = sink.file(Default::default(), None)?;
    // One sentence at a time is made here and written into the file.
    let mut out = String::new();
    let mut first = true;
    for doc in docs {
        if docstart {
            if !first {
                out.push('\n');
            }
            out.push_str("-DOCSTART-");
            out.push_str(separator);
            out.push_str("O\n");
            first = false;
        }
        let tagged = tag_document(doc, options, report)?;
        for sentence in tagged.sentences() {
            if !first {
                out.push('\n');
            }
            first = false;
            for (token, tag) in sentence {
                out.push_str(token);
                out.push_str(separator);
                out.push(tag.prefix);
                if !tag.label.is_empty() {
                    out.push('-');
                    out.push_str(tag.label);
                }
                out.push('\n');
            }
            file.write_all(out.as_bytes()).map_err(ExportError::Io)?;
            out.clear();
        }
    }
    file.write_all(out.as_bytes()).map_err(ExportError::Io)
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
    let scheme = choose_scheme(path, &documents, builder)?;
    let several = documents.len() > 1;
    for (k, sentences) in documents.iter().enumerate() {
        let id = if several {
            format!("{stem}-{}", k + 1)
        } else {
            stem.clone()
        };
        add_document(path, &id, sentences, scheme, builder)?;
    }
    Ok(())
}

/// The scheme given with `--scheme`, or the one [`scheme::detect`] finds (named in the
/// report). A file no scheme reads fails, naming where each candidate breaks; with
/// `--lenient` it is read with the candidate that breaks least, and the breaks are skipped.
fn choose_scheme(
    path: &Path,
    documents: &[Vec<Vec<ReadToken<'_>>>],
    builder: &mut ProjectBuilder,
) -> Result<Scheme, ImportError> {
    if let Some(scheme) = builder.options.scheme {
        return Ok(scheme);
    }
    let sentences: Vec<&Vec<ReadToken>> = documents.iter().flatten().collect();
    let tags: Vec<Vec<&str>> = sentences
        .iter()
        .map(|s| s.iter().map(|t| t.tag).collect())
        .collect();
    let line = |b: &scheme::Break| sentences[b.sentence][b.token].line;
    match scheme::detect(&tags) {
        Ok(detected) => {
            builder.note(format!(
                "{}: tags read as {} ({}; choose another with --scheme)",
                path.display(),
                detected.scheme,
                detected.reason
            ));
            Ok(detected.scheme)
        }
        // One candidate: its breaks are reported one by one, at their lines, like a given
        // scheme's.
        Err(breaks) if breaks.len() == 1 || builder.options.lenient => {
            let scheme = breaks
                .iter()
                .map(|b| b.scheme)
                .min_by_key(|&s| scheme::count_breaks(s, &tags))
                .expect("detection names at least one candidate");
            builder.note(format!(
                "{}: tags read as {scheme} (the scheme that fits them best; no scheme reads every tag)",
                path.display()
            ));
            Ok(scheme)
        }
        Err(breaks) => {
            let each: Vec<String> = breaks
                .iter()
                .map(|b| format!("{} breaks at line {}: {}", b.scheme, line(b), b.message))
                .collect();
            Err(ImportError::new(
                path,
                None,
                format!(
                    "the tags fit no tag scheme (name one with --scheme, or skip the broken entities with --lenient); {}",
                    each.join("; ")
                ),
            ))
        }
    }
}

fn flush<'a>(documents: &mut [Vec<Vec<ReadToken<'a>>>], sentence: &mut Vec<ReadToken<'a>>) {
    if !sentence.is_empty()
        && let Some(doc) = documents.last_mut()
    {
        doc.push(std::mem::take(sentence));
    }
}

/// Rebuild the text (tokens joined without a space when both sides are CJK, with one space
/// otherwise; sentences joined by `\n`) and turn the tags back into spans.
///
/// A broken entity (a continuation tag with nothing to continue, as in a sentence cut inside an
/// entity; in a scheme that marks ends, a `B-` never closed) fails a strict import at its line;
/// `--lenient` skips that entity only, counted once, and keeps the sentence around it.
fn add_document(
    path: &Path,
    id: &str,
    sentences: &[Vec<ReadToken<'_>>],
    scheme: Scheme,
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
    let mut first = 0; // index of the sentence's first token in `offsets`
    let mut tags = Vec::new();
    for sentence in sentences {
        tags.clear();
        tags.extend(sentence.iter().map(|t| t.tag));
        let decoded = scheme.decode(&tags);
        for problem in decoded.problems {
            builder.skip_or_fail(ImportError::new(
                path,
                Some(sentence[problem.token].line),
                problem.message,
            ))?;
        }
        for entity in decoded.entities {
            let start = offsets[first + entity.start].0;
            let end = offsets[first + entity.end - 1].1;
            if let Err(reason) = builder.add_span(doc, SpanDraft::new(start, end, entity.label)) {
                builder.skip_or_fail(ImportError::new(
                    path,
                    Some(sentence[entity.start].line),
                    reason,
                ))?;
            }
        }
        first += sentence.len();
    }
    Ok(())
}
