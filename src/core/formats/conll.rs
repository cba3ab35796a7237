//! CoNLL token-tag files: `TOKEN<TAB>TAG` per line, a blank line between sentences, a
//! `-DOCSTART-` line between documents, tags in one of the [`Scheme`]s (bio, iob1, bioes,
//! bilou, bmes; the importer detects which unless told).
//!
//! Tags cannot nest or overlap, and a tag belongs to a whole token: a span that cannot be put
//! into tags is left out and reported (or, with `strict`, fails the export).
//!
//! The export streams: tokens, tags and sentence ends are made one token at a time and written
//! as they come ([`TaggedTokens`]); what is held per document is the list of its spans, never
//! a token or a tag per character (those took 31 MB for the novel's 1.7 MB).

use std::path::Path;

use super::builder::SpanDraft;
use super::scheme::{Encoder, Tag};
use super::tokenize::{SentenceTokens, Token, Tokens, sentence_tokens, tokens};
use super::{
    DroppedSpan, ExportError, ExportOptions, ExportReport, ImportError, Offsets, ProjectBuilder,
    Scheme, Sink, accepted, check_alignment, scheme,
};
use crate::core::document::Document;
use crate::core::project::AnnotatedDocument;
use crate::core::span::Span;

/// How much of an export is gathered before it is written into the file: bounded, so that a
/// sentence as long as the document (a whole-document span) is not held whole.
pub(crate) const WRITE_CHUNK: usize = 64 * 1024;

/// A document's spans that can be tagged, ready to be written token by token.
pub struct TaggedDocument<'a> {
    text: &'a str,
    tokens: Tokens,
    scheme: Scheme,
    /// The spans tagged: none overlapping another, in document order.
    kept: Vec<&'a Span>,
}

impl<'a> TaggedDocument<'a> {
    /// The document's tokens with their tags and sentence ends, in order.
    pub fn tokens(&self) -> TaggedTokens<'a, '_> {
        let ranges: SpanRanges<'a, '_> = self.kept.iter().map(range as fn(&&'a Span) -> _);
        TaggedTokens {
            tokens: sentence_tokens(self.text, self.tokens, ranges),
            kept: &self.kept,
            at: 0,
            previous_in: None,
            encoder: Encoder::new(self.scheme),
        }
    }
}

/// The code point ranges of the kept spans, for the sentence ends.
type SpanRanges<'a, 'k> =
    std::iter::Map<std::slice::Iter<'k, &'a Span>, fn(&&'a Span) -> (usize, usize)>;

fn range(span: &&Span) -> (usize, usize) {
    (span.start, span.end)
}

/// One token of a [`TaggedDocument`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaggedToken<'a> {
    pub text: &'a str,
    pub tag: Tag<'a>,
    /// The token is the last of its sentence.
    pub ends_sentence: bool,
}

/// The iterator of [`TaggedDocument::tokens`]. `Clone`: a writer that needs a sentence twice
/// (Hugging Face's tokens, then their tags) clones it at the sentence's start.
#[derive(Clone)]
pub struct TaggedTokens<'a, 'k> {
    tokens: SentenceTokens<'a, SpanRanges<'a, 'k>>,
    kept: &'k [&'a Span],
    /// The first kept span that does not end before the last token read: the only one that
    /// can hold it (kept spans are disjoint and in order).
    at: usize,
    /// The kept span the token before was in, if any.
    previous_in: Option<usize>,
    encoder: Encoder<'a>,
}

impl<'a> Iterator for TaggedTokens<'a, '_> {
    type Item = TaggedToken<'a>;

    fn next(&mut self) -> Option<TaggedToken<'a>> {
        let (token, ends_sentence) = self.tokens.next()?;
        while self.kept.get(self.at).is_some_and(|s| s.end <= token.start) {
            self.at += 1;
        }
        // A kept span's ends are token ends (spans cut inside a token are left out), so a
        // token that starts inside it lies inside it.
        let span = self
            .kept
            .get(self.at)
            .filter(|s| s.start <= token.start)
            .copied();
        let place = span.map(|s| {
            let first = self.previous_in != Some(self.at);
            let last = self.tokens.peek().is_none_or(|next| next.start >= s.end);
            (s.label.as_str(), first, last)
        });
        self.previous_in = span.map(|_| self.at);
        Some(TaggedToken {
            text: token.text,
            tag: self.encoder.tag(place),
            ends_sentence,
        })
    }
}

/// Keep the longest of overlapping spans ([`crate::core::span::longest_first`]: ties to the
/// earliest, then the lowest id); the others are returned as dropped. `what` names the target
/// that cannot hold overlaps.
///
/// Spans in document order ([`Span::sort_key`]) are resolved a cluster at a time (a run of spans each overlapping
/// one before it): spans of different clusters never overlap, so each cluster keeps and drops
/// what it would among all of them, and a span that overlaps nothing is kept as it is. The
/// working memory is that of the largest cluster, not 130 bytes a span of the document.
pub(crate) fn longest_first<'a>(
    doc: &Document,
    spans: &[&'a Span],
    what: &str,
) -> (Vec<&'a Span>, Vec<DroppedSpan>) {
    let mut kept = Vec::with_capacity(spans.len());
    let mut dropped = Vec::new();
    let mut resolve = |cluster: &[&'a Span]| match cluster {
        [single] => kept.push(*single),
        _ => {
            let resolved = crate::core::span::longest_first(cluster);
            kept.extend(resolved.kept);
            dropped.extend(resolved.dropped.into_iter().map(|(span, winner)| DroppedSpan {
                document: doc.id.clone(),
                span: span.clone(),
                text: doc.slice(span.start, span.end).to_owned(),
                reason: format!(
                    "overlaps span {} {} [{}, {}), which is kept ({what} cannot nest or overlap)",
                    winner.id, winner.label, winner.start, winner.end
                ),
            }));
        }
    };
    if !spans.is_sorted_by_key(|s| s.sort_key()) {
        resolve(spans);
        return (kept, dropped);
    }
    let mut cluster_start = 0;
    let mut cluster_end = 0; // the largest end of the cluster's spans
    for (i, span) in spans.iter().enumerate() {
        if i > cluster_start && span.start >= cluster_end {
            resolve(&spans[cluster_start..i]);
            cluster_start = i;
        }
        cluster_end = if i == cluster_start {
            span.end
        } else {
            cluster_end.max(span.end)
        };
    }
    if cluster_start < spans.len() {
        resolve(&spans[cluster_start..]);
    }
    (kept, dropped)
}

/// Choose the spans of a document that can be tagged. Spans that cannot be are reported in
/// `report.dropped`, or fail the export with `strict`.
pub fn tag_document<'a>(
    doc: &'a AnnotatedDocument,
    options: &ExportOptions,
    report: &mut ExportReport,
) -> Result<TaggedDocument<'a>, ExportError> {
    let document = &doc.document;
    let spans: Vec<&Span> = accepted(doc).collect();
    for span in &spans {
        // In code points a span's offsets slice its own text, so only a span that is empty or
        // past the end can fail the check; the check copies the span's text twice (3.6 MB for
        // a span over the novel), so it runs only for those, to name them.
        if span.start >= span.end || span.end > document.char_len() {
            check_alignment(document, span, Offsets::Codepoint)?;
        }
    }
    let problems = token_problems(document.text(), options.tokens, &spans);
    let mut expressible = Vec::with_capacity(spans.len() - problems.len());
    let mut dropped = Vec::with_capacity(problems.len());
    let mut problems = problems.into_iter().peekable();
    for (i, span) in spans.into_iter().enumerate() {
        match problems.next_if(|(at, _)| *at == i) {
            None => expressible.push(span),
            Some((_, reason)) => dropped.push(DroppedSpan {
                document: document.id.clone(),
                span: span.clone(),
                text: document.slice(span.start, span.end).to_owned(),
                reason,
            }),
        }
    }
    let (kept, overlapping) = longest_first(document, &expressible, "BIO tags");
    drop(expressible);
    dropped.extend(overlapping);
    dropped.sort_by_key(|d| d.span.sort_key());
    for d in dropped {
        if options.strict {
            return Err(ExportError::Strict(Box::new(d)));
        }
        report.dropped.push(d);
    }
    Ok(TaggedDocument {
        text: document.text(),
        tokens: options.tokens,
        scheme: options.scheme,
        kept,
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
        return Some(Problem::StartCut(t.clone()).to_string());
    }
    if let Some(t) = cut(span.end) {
        return Some(Problem::EndCut(t.clone()).to_string());
    }
    let first = tokens.partition_point(|t| t.start < span.start);
    if tokens.get(first).is_none_or(|t| t.end > span.end) {
        return Some(Problem::Whitespace.to_string());
    }
    None
}

/// Why a span cannot be given token tags, in the order they are reported: a span with more
/// than one is reported for the first.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Problem<'a> {
    StartCut(Token<'a>),
    EndCut(Token<'a>),
    Whitespace,
}

impl Problem<'_> {
    /// Which is reported when a span has several.
    fn rank(&self) -> u8 {
        match self {
            Problem::StartCut(_) => 0,
            Problem::EndCut(_) => 1,
            Problem::Whitespace => 2,
        }
    }
}

impl std::fmt::Display for Problem<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::StartCut(t) | Problem::EndCut(t) => write!(
                f,
                "its {} falls inside the token \"{}\" [{}, {}); tags cover whole tokens (try --tokens char)",
                if matches!(self, Problem::StartCut(_)) {
                    "start"
                } else {
                    "end"
                },
                t.text,
                t.start,
                t.end
            ),
            Problem::Whitespace => f.write_str("it covers only whitespace, which is never a token"),
        }
    }
}

/// [`token_problem`] for each of `spans` over the tokens of `text`, in one pass over the
/// tokens as they are made (no token list): the index of each span that cannot be tagged, in
/// order, and why.
pub(crate) fn token_problems(text: &str, mode: Tokens, spans: &[&Span]) -> Vec<(usize, String)> {
    // Span indices by start and by end: the points to check, in the order the tokens pass.
    let by = |key: fn(&Span) -> usize| {
        let mut order: Vec<u32> = (0..spans.len() as u32).collect();
        order.sort_by_key(|&i| key(spans[i as usize]));
        order
    };
    let by_start = by(|s| s.start);
    let by_end = by(|s| s.end);
    let (mut starts, mut ends) = (by_start.iter().peekable(), by_end.iter().peekable());
    let mut problems: Vec<(usize, Problem)> = Vec::new();
    for token in tokens(text, mode) {
        // The first token that ends after a span's start either cuts it, or is the first
        // token at or after the start: the span's first token, which must end within it.
        while let Some(&&i) = starts.peek()
            && spans[i as usize].start < token.end
        {
            let span = spans[i as usize];
            if token.start < span.start {
                problems.push((i as usize, Problem::StartCut(token.clone())));
            } else if token.end > span.end {
                problems.push((i as usize, Problem::Whitespace));
            }
            starts.next();
        }
        while let Some(&&i) = ends.peek()
            && spans[i as usize].end < token.end
        {
            if token.start < spans[i as usize].end {
                problems.push((i as usize, Problem::EndCut(token.clone())));
            }
            ends.next();
        }
    }
    // No token at or after these spans' starts.
    problems.extend(starts.map(|&i| (i as usize, Problem::Whitespace)));
    problems.sort_unstable_by_key(|(i, problem)| (*i, problem.rank()));
    problems.dedup_by_key(|(i, _)| *i);
    problems
        .into_iter()
        .map(|(i, problem)| (i, problem.to_string()))
        .collect()
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
    // Lines are gathered here and written into the file a chunk at a time.
    let mut out = String::with_capacity(WRITE_CHUNK + 1024);
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
        let mut sentence_starts = true;
        for token in tagged.tokens() {
            if sentence_starts && !first {
                out.push('\n');
            }
            first = false;
            out.push_str(token.text);
            out.push_str(separator);
            out.push(token.tag.prefix);
            if !token.tag.label.is_empty() {
                out.push('-');
                out.push_str(token.tag.label);
            }
            out.push('\n');
            sentence_starts = token.ends_sentence;
            if out.len() >= WRITE_CHUNK {
                file.write_all(out.as_bytes()).map_err(ExportError::Io)?;
                out.clear();
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::formats::split::SplitMix64;
    use crate::core::formats::tokenize::{closes, ends_sentence, tokenize};
    use crate::core::span::SpanId;
    use crate::core::span_index::SpanIndex;

    /// (token, tag, ends its sentence) for every token, and (span id, why) for every span
    /// left out.
    type Tagged = (Vec<(String, String, bool)>, Vec<(u64, String)>);

    /// The whole-document exporter the streaming one replaced, as it was: a token vector, a
    /// tag per token, sentences as index ranges. The reference the stream must equal.
    fn whole_document(text: &str, mode: Tokens, scheme: Scheme, spans: &[&Span]) -> Tagged {
        let tokens = tokenize(text, mode);
        let mut expressible = Vec::new();
        let mut dropped = Vec::new();
        for &span in spans {
            match token_problem(&tokens, span) {
                None => expressible.push(span),
                Some(reason) => dropped.push((span, reason)),
            }
        }
        let resolved = crate::core::span::longest_first(&expressible);
        dropped.extend(resolved.dropped.iter().map(|&(s, w)| {
            let reason = format!(
                "overlaps span {} {} [{}, {}), which is kept (BIO tags cannot nest or overlap)",
                w.id, w.label, w.start, w.end
            );
            (s, reason)
        }));
        dropped.sort_by_key(|(s, _)| s.sort_key());
        let kept = resolved.kept;
        let mut tags = vec![Tag::OUTSIDE; tokens.len()];
        let mut previous: Option<(usize, &str)> = None;
        for span in &kept {
            let start = tokens.partition_point(|t| t.start < span.start);
            let end = tokens.partition_point(|t| t.end <= span.end).max(start);
            let label = span.label.as_str();
            let [begin, inside, last, single] = match scheme {
                Scheme::Bio => ['B', 'I', 'I', 'B'],
                Scheme::Iob1 => {
                    let first = if previous == Some((start, label)) {
                        'B'
                    } else {
                        'I'
                    };
                    [first, 'I', 'I', first]
                }
                Scheme::Bioes => ['B', 'I', 'E', 'S'],
                Scheme::Bilou => ['B', 'I', 'L', 'U'],
                Scheme::Bmes => ['B', 'M', 'E', 'S'],
            };
            for (i, tag) in tags.iter_mut().enumerate().take(end).skip(start) {
                let prefix = match (end - start, i) {
                    (1, _) => single,
                    (_, i) if i == start => begin,
                    (_, i) if i + 1 == end => last,
                    _ => inside,
                };
                *tag = Tag { prefix, label };
            }
            previous = Some((end, label));
        }
        // Sentences: after a terminator (and the closing quotes after it) or a line break,
        // unless a kept span is around the boundary.
        let newline_at: Vec<usize> = text
            .chars()
            .enumerate()
            .filter(|(_, c)| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}'))
            .map(|(i, _)| i)
            .collect();
        let inside_span = |at: usize| kept.iter().any(|s| s.start < at && at < s.end);
        let mut ends = vec![false; tokens.len()];
        for i in 0..tokens.len() {
            let Some(next) = tokens.get(i + 1) else {
                ends[i] = true;
                break;
            };
            let here = &tokens[i];
            let after_terminator = ends_sentence(here.text) && !closes(next.text)
                || closes(here.text)
                    && i > 0
                    && ends_sentence(tokens[i - 1].text)
                    && !closes(next.text);
            let line_break = newline_at.iter().any(|&n| here.end <= n && n < next.start);
            ends[i] = (after_terminator || line_break)
                && !inside_span(here.end)
                && !inside_span(next.start);
        }
        let rows = tokens
            .iter()
            .zip(tags)
            .zip(ends)
            .map(|((t, tag), end)| (t.text.to_owned(), tag.to_string(), end))
            .collect();
        let dropped = dropped
            .into_iter()
            .map(|(s, reason)| (s.id.0, reason))
            .collect();
        (rows, dropped)
    }

    fn streamed(doc: &AnnotatedDocument, mode: Tokens, scheme: Scheme) -> Tagged {
        let options = ExportOptions {
            scheme,
            tokens: mode,
            ..Default::default()
        };
        let mut report = ExportReport::default();
        let tagged = tag_document(doc, &options, &mut report).expect("tags");
        let rows = tagged
            .tokens()
            .map(|t| (t.text.to_owned(), t.tag.to_string(), t.ends_sentence))
            .collect();
        let dropped = report
            .dropped
            .into_iter()
            .map(|d| (d.span.id.0, d.reason))
            .collect();
        (rows, dropped)
    }

    /// Pieces of text chosen to hit every rule: terminators, closing quotes, line breaks of
    /// each kind, spaces of several kinds, a combining mark after a space, emoji with a
    /// modifier, Latin words and hyphens.
    const PIECES: [&str; 26] = [
        "刘", "备", "。", "！", "？", "”", "“", "」", "a", "bc", "Xi", " ", "\n", "\r\n", ".", "!",
        "\"", "-", "12", "\u{3000}", "\u{301}", "👍", "🏽", "'", ")", "\u{2028}",
    ];

    #[test]
    fn the_stream_tags_and_cuts_like_the_whole_document_exporter() {
        let mut rng = SplitMix64::new(11);
        for round in 0..3000 {
            let text: String = (0..rng.below(40))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            let len = text.chars().count();
            let spans: Vec<Span> = (0..rng.below(12))
                .filter(|_| len > 0)
                .map(|i| {
                    let start = rng.below(len);
                    // Mostly short spans, now and then a long one.
                    let longest = if rng.below(6) == 0 { len } else { 4 };
                    let end = (start + 1 + rng.below(longest)).min(len);
                    let label = ["A", "B"][rng.below(2)];
                    Span::new(SpanId(i as u64 + 1), start, end, label)
                })
                .collect();
            let doc = AnnotatedDocument::new(
                Document::new("d", "d", text.clone()),
                SpanIndex::new(spans),
            );
            let refs: Vec<&Span> = doc.spans.iter().collect();
            for mode in [Tokens::Char, Tokens::Word] {
                for scheme in Scheme::ALL {
                    assert_eq!(
                        streamed(&doc, mode, scheme),
                        whole_document(&text, mode, scheme, &refs),
                        "round {round}, {mode:?}, {scheme}: {text:?} {:?}",
                        refs.iter()
                            .map(|s| (s.start, s.end, s.label.as_str()))
                            .collect::<Vec<_>>()
                    );
                }
            }
        }
    }

    /// Random spans, nested and overlapping and apart and empty-length runs: the same result
    /// as one resolution of them all.
    #[test]
    fn clusters_resolve_as_the_whole_document_does() {
        let doc = Document::new("d", "d", "x".repeat(400));
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for round in 0..200 {
            let count = 1 + next(40) as usize;
            let mut spans: Vec<Span> = (0..count)
                .map(|i| {
                    let start = next(if round % 2 == 0 { 60 } else { 390 }) as usize;
                    let len = 1 + next(8) as usize;
                    Span::new(SpanId(i as u64 + 1), start, start + len, "L")
                })
                .collect();
            spans.sort_by_key(Span::sort_key);
            let refs: Vec<&Span> = spans.iter().collect();
            let (kept, dropped) = longest_first(&doc, &refs, "tags");
            let whole = crate::core::span::longest_first(&refs);
            let ids = |s: &[&Span]| s.iter().map(|s| s.id).collect::<Vec<_>>();
            assert_eq!(ids(&kept), ids(&whole.kept), "round {round}");
            let dropped: Vec<SpanId> = dropped.iter().map(|d| d.span.id).collect();
            let whole_dropped: Vec<SpanId> = whole.dropped.iter().map(|(s, _)| s.id).collect();
            assert_eq!(dropped, whole_dropped, "round {round}");
        }
    }
}
