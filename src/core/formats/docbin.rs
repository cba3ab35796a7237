//! spaCy's binary training format, `DocBin` (`.spacy`, what `spacy train` reads), both ways.
//!
//! The file is zlib-compressed msgpack (spaCy's `spacy/tokens/_serialize.py`): a map with
//! `version` ("0.1"), `attrs` (attribute ids; ORTH first), `tokens` (a little-endian `u64`
//! matrix, one row per token, one column per attribute), `spaces` (one byte per token: is it
//! followed by a space), `lengths` (`i32` tokens per document), `strings` (every string the
//! hashes stand for, sorted), `cats`, `flags` and `span_groups` (per document, msgpack of the
//! `doc.spans` groups, each `{name, attrs, spans}` with a span packed big-endian as
//! `>QQQllll`: id, kb_id, label, start token, end token, start char, end char).
//!
//! Strings are 64-bit keys: spaCy's reserved symbols (`ORG`, `GPE`, `NOUN`, ... see
//! `docbin_symbols.rs`) have fixed ids, any other string is MurmurHash64A of its UTF-8 with
//! seed 1, and the empty string is 0 (`StringStore`).
//!
//! Export: tokens as `--tokens` cuts them; a single space after a token is its trailing
//! whitespace, any other run of whitespace is a token of its own (as spaCy's tokenizer makes
//! them), so `doc.text` is the document's text byte for byte. `doc.ents` holds the
//! longest-first non-overlapping spans (`ENT_IOB`/`ENT_TYPE`), and every span is in
//! `doc.spans[KEY]` (`sc` unless `--spans-key`).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io::{BufWriter, Read, Write as _};
use std::path::Path;

use rmp::encode::ValueWriteError;
use rmpv::Value;

use super::builder::SpanDraft;
use super::conll::longest_first;
use super::conll::token_problem;
use super::docbin_symbols::SYMBOLS;
use super::tokenize::{Located, Token, Tokens, tokens};
use super::{
    DroppedSpan, ExportError, ExportOptions, ExportReport, ImportError, Offsets, ProjectBuilder,
    Sink, accepted, check_alignment,
};
use crate::core::project::AnnotatedDocument;
use crate::core::span::Span;

/// spaCy's attribute ids (`spacy/attrs.pxd`, the `symbols` enum).
const ORTH: u64 = 65;
const ENT_IOB: u64 = 77;
const ENT_TYPE: u64 = 78;

/// `ENT_IOB` values (`Token.iob_strings()`: "", "I", "O", "B").
const IOB_MISSING: u64 = 0;
const IOB_INSIDE: u64 = 1;
const IOB_OUTSIDE: u64 = 2;
const IOB_BEGIN: u64 = 3;

/// The span group key used when none is given (spaCy's `spancat` default).
pub const DEFAULT_SPANS_KEY: &str = "sc";

/// MurmurHash64A (Austin Appleby's 64-bit MurmurHash2 for 64-bit platforms).
pub fn murmurhash64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (data.len() as u64).wrapping_mul(M);
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let mut k = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The key spaCy's `StringStore` gives `text`.
pub fn string_key(text: &str) -> u64 {
    if text.is_empty() {
        return 0;
    }
    match SYMBOLS.binary_search_by(|(name, _)| (*name).cmp(text)) {
        Ok(i) => SYMBOLS[i].1,
        Err(_) => murmurhash64a(text.as_bytes(), 1),
    }
}

/// A word token as [`tokenize`] cuts it, with where it starts in the text's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Word<'a> {
    /// Code point offsets `[start, end)`.
    start: usize,
    end: usize,
    byte: usize,
    text: &'a str,
}

/// The tokens [`tokenize`] makes, one at a time, with their byte offsets: the export walks
/// each document's tokens a few times and never keeps them (a list of them holds 32 bytes per
/// character of a Chinese text, 19 MB for the novel).
struct Words<'a>(Located<'a>);

impl<'a> Words<'a> {
    fn new(text: &'a str, mode: Tokens) -> Self {
        Self(tokens(text, mode).located())
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = Word<'a>;

    fn next(&mut self) -> Option<Word<'a>> {
        let (token, byte) = self.0.next()?;
        Some(Word {
            start: token.start,
            end: token.end,
            byte,
            text: token.text,
        })
    }
}

/// A spaCy token: its text, whether one space follows it, and the word token it is (`None`
/// for whitespace that is a token of its own).
struct SpacyToken<'a> {
    text: &'a str,
    space: bool,
    word: Option<Word<'a>>,
}

/// A text cut into spaCy tokens around its word tokens (which are never whitespace), one at a
/// time: a single space after a word is its trailing whitespace, any other run of whitespace
/// is a token of its own (as spaCy's tokenizer makes them).
struct SpacyTokens<'a> {
    text: &'a str,
    words: std::iter::Peekable<Words<'a>>,
    /// Where the text not cut yet starts, in bytes.
    byte: usize,
    /// Tokens cut and not returned yet: a word with the whitespace before or after it.
    queue: VecDeque<SpacyToken<'a>>,
}

impl<'a> SpacyTokens<'a> {
    fn new(text: &'a str, mode: Tokens) -> Self {
        Self {
            text,
            words: Words::new(text, mode).peekable(),
            byte: 0,
            queue: VecDeque::with_capacity(3),
        }
    }
}

impl<'a> Iterator for SpacyTokens<'a> {
    type Item = SpacyToken<'a>;

    fn next(&mut self) -> Option<SpacyToken<'a>> {
        if let Some(token) = self.queue.pop_front() {
            return Some(token);
        }
        let whitespace = |text| SpacyToken {
            text,
            space: false,
            word: None,
        };
        let Some(word) = self.words.next() else {
            // Whitespace with no word before it (a word takes the whitespace after it).
            let rest = &self.text[self.byte..];
            self.byte = self.text.len();
            return (!rest.is_empty()).then(|| whitespace(rest));
        };
        if self.byte < word.byte {
            // Only before the first word.
            self.queue
                .push_back(whitespace(&self.text[self.byte..word.byte]));
        }
        let after = word.byte + word.text.len();
        let next = self.words.peek().map_or(self.text.len(), |w| w.byte);
        let gap = &self.text[after..next];
        let (space, rest) = match gap.strip_prefix(' ') {
            Some(rest) => (true, rest),
            None => (false, gap),
        };
        self.queue.push_back(SpacyToken {
            text: word.text,
            space,
            word: Some(word),
        });
        if !rest.is_empty() {
            self.queue.push_back(whitespace(rest));
        }
        self.byte = next;
        self.queue.pop_front()
    }
}

/// A document's spans that cover whole tokens, in document order ([`Span::sort_key`], the
/// order of [`accepted`]), each with its range of spaCy tokens.
struct Placed<'a> {
    spans: Vec<&'a Span>,
    tokens: Vec<(u32, u32)>,
}

/// Place the accepted spans of `doc` on its spaCy tokens in one walk over the tokens, which
/// answers every span's start (spans come by start) and end (sorted by end): no list of tokens
/// is searched, none is made. A span that cuts a token or covers only whitespace is left out;
/// with `report`, each span is checked for alignment and each left out is reported there in
/// document order (with `strict`, the first is the error), as [`token_problem`] words it.
fn place<'a>(
    doc: &'a AnnotatedDocument,
    mode: Tokens,
    strict: bool,
    mut report: Option<&mut ExportReport>,
) -> Result<Placed<'a>, ExportError> {
    let document = &doc.document;
    let mut spans: Vec<&Span> = accepted(doc).collect();
    let n = spans.len();
    // Per span: the spaCy index of the first word that starts at or after its start
    // (`u32::MAX`: none) and the spaCy index after the last word that ends by its end; the
    // spans placed keep theirs as their token range. Offsets and indices fit in `u32`: a
    // project file is at most 256 MiB.
    let mut tokens = vec![(u32::MAX, 0u32); n];
    // The end of that first word (a span that ends before it covers only whitespace).
    let mut first_end = vec![0u32; n];
    // The word a span's start or end falls inside, for the few spans that cut one.
    let mut start_cut: HashMap<usize, Word> = HashMap::new();
    let mut end_cut: HashMap<usize, Word> = HashMap::new();
    let mut by_end: Vec<u32> = (0..n as u32).collect();
    by_end.sort_by_key(|&i| spans[i as usize].end);
    let (mut s, mut e) = (0, 0);
    let mut words_so_far = 0u32; // the spaCy index after the last word seen
    for (t, token) in SpacyTokens::new(document.text(), mode).enumerate() {
        let Some(word) = token.word else {
            continue;
        };
        // `word` is the first word that ends after each position answered here.
        while s < n && spans[s].start < word.end {
            if word.start < spans[s].start {
                start_cut.insert(s, word);
            } else {
                tokens[s].0 = t as u32;
                first_end[s] = word.end as u32;
            }
            s += 1;
        }
        while e < n && spans[by_end[e] as usize].end < word.end {
            let i = by_end[e] as usize;
            if word.start < spans[i].end {
                end_cut.insert(i, word);
            }
            tokens[i].1 = words_so_far;
            e += 1;
        }
        words_so_far = t as u32 + 1;
    }
    for &i in &by_end[e..] {
        tokens[i as usize].1 = words_so_far;
    }
    drop(by_end);
    // Keep the spans placed, in place: `kept` of them so far.
    let mut kept = 0;
    for i in 0..n {
        let span = spans[i];
        if report.is_some() {
            check_alignment(document, span, Offsets::Codepoint)?;
        }
        // The word that shows the problem, for `token_problem`'s words (none: whitespace).
        let problem: Option<Option<Word>> = match (start_cut.get(&i), end_cut.get(&i)) {
            (Some(&word), _) | (None, Some(&word)) => Some(Some(word)),
            _ if tokens[i].0 == u32::MAX || first_end[i] as usize > span.end => Some(None),
            _ => None,
        };
        let Some(word) = problem else {
            spans[kept] = span;
            tokens[kept] = tokens[i];
            kept += 1;
            continue;
        };
        let Some(report) = report.as_deref_mut() else {
            continue;
        };
        let words: Vec<Token> = word
            .iter()
            .map(|w| Token {
                start: w.start,
                end: w.end,
                text: w.text,
            })
            .collect();
        let reason = token_problem(&words, span)
            .unwrap_or_else(|| "it covers only whitespace, which is never a token".to_owned());
        let dropped = DroppedSpan {
            document: document.id.clone(),
            span: span.clone(),
            text: document.slice(span.start, span.end).to_owned(),
            reason,
        };
        if strict {
            return Err(ExportError::Strict(Box::new(dropped)));
        }
        report.dropped.push(dropped);
    }
    spans.truncate(kept);
    tokens.truncate(kept);
    Ok(Placed { spans, tokens })
}

/// A msgpack header or value written into memory (it cannot fail there).
fn encoded(write: impl FnOnce(&mut Vec<u8>) -> Result<(), ValueWriteError>) -> Vec<u8> {
    let mut bytes = Vec::new();
    write(&mut bytes).expect("writing to a Vec cannot fail");
    bytes
}

fn bin_header(len: usize) -> Vec<u8> {
    encoded(|b| rmp::encode::write_bin_len(b, len as u32).map(drop))
}

fn io_error(e: ValueWriteError) -> ExportError {
    match e {
        ValueWriteError::InvalidMarkerWrite(e) | ValueWriteError::InvalidDataWrite(e) => {
            ExportError::Io(e)
        }
    }
}

/// The DocBin message, streamed: a map of the fields in spaCy's order, each written whole
/// before the next, the token table (24 bytes a token) and the spaces row by row. A field's
/// length comes before its bytes, so the documents are walked once per field (their tokens
/// cut again each time, never kept): the working memory is one document's spans, not the
/// project's tokens (a `rmpv::Value` of the whole message held 83 MB for the novel).
pub fn write(
    docs: &[&AnnotatedDocument],
    options: &ExportOptions,
    report: &mut ExportReport,
    sink: &mut dyn Sink,
) -> Result<(), ExportError> {
    let key = options
        .spans_key
        .clone()
        .unwrap_or_else(|| DEFAULT_SPANS_KEY.to_owned());
    let mode = options.tokens;
    // Tokens per document, and every string the hashes stand for.
    let mut lengths: Vec<usize> = Vec::with_capacity(docs.len());
    let mut strings: BTreeSet<String> = BTreeSet::new();
    strings.insert(String::new());
    for doc in docs {
        let mut count = 0;
        for token in SpacyTokens::new(doc.document.text(), mode) {
            if !strings.contains(token.text) {
                strings.insert(token.text.to_owned());
            }
            count += 1;
        }
        lengths.push(count);
    }
    let total: usize = lengths.iter().sum();
    // zlib's fastest level: level 6 spent most of the 2.6 s of the novel with 100,000 spans
    // on 15 MB of token rows; spaCy reads any level.
    let out = sink.file(Default::default(), None)?;
    let mut w = BufWriter::with_capacity(
        1 << 16,
        flate2::write::ZlibEncoder::new(out, flate2::Compression::fast()),
    );
    let str_ = |w: &mut BufWriter<_>, s: &str| rmp::encode::write_str(w, s).map_err(io_error);
    rmp::encode::write_map_len(&mut w, 9).map_err(io_error)?;
    str_(&mut w, "version")?;
    str_(&mut w, "0.1")?;
    str_(&mut w, "attrs")?;
    rmp::encode::write_array_len(&mut w, 3).map_err(io_error)?;
    for attr in [ORTH, ENT_IOB, ENT_TYPE] {
        rmp::encode::write_uint(&mut w, attr).map_err(io_error)?;
    }
    str_(&mut w, "tokens")?;
    w.write_all(&bin_header(total * 24))
        .map_err(ExportError::Io)?;
    for doc in docs {
        let document = &doc.document;
        let placed = place(doc, mode, options.strict, Some(report))?;
        let (ents, overlapping) = longest_first(document, &placed.spans, "doc.ents");
        for d in overlapping {
            report.warnings.push(format!(
                "docbin: {d}; it is in doc.spans[\"{key}\"] but not in doc.ents"
            ));
        }
        for span in &placed.spans {
            if !strings.contains(span.label.as_str()) {
                strings.insert(span.label.to_string());
            }
        }
        // The kept spans are some of the placed ones, in the same order: their token ranges
        // are found by walking both.
        let mut at = 0;
        let mut entities = ents.iter().filter_map(|span| {
            while placed.spans.get(at).is_some_and(|p| p.id != span.id) {
                at += 1;
            }
            let &(from, to) = placed.tokens.get(at)?;
            Some((from as usize, to as usize, string_key(&span.label)))
        });
        let mut entity = entities.next();
        for (t, token) in SpacyTokens::new(document.text(), mode).enumerate() {
            while entity.is_some_and(|(_, to, _)| to <= t) {
                entity = entities.next();
            }
            let (iob, kind) = match entity {
                Some((from, _, label)) if from <= t => {
                    (if t == from { IOB_BEGIN } else { IOB_INSIDE }, label)
                }
                _ => (IOB_OUTSIDE, 0),
            };
            for value in [string_key(token.text), iob, kind] {
                w.write_all(&value.to_le_bytes()).map_err(ExportError::Io)?;
            }
        }
    }
    str_(&mut w, "spaces")?;
    w.write_all(&bin_header(total)).map_err(ExportError::Io)?;
    for doc in docs {
        for token in SpacyTokens::new(doc.document.text(), mode) {
            w.write_all(&[u8::from(token.space)])
                .map_err(ExportError::Io)?;
        }
    }
    str_(&mut w, "lengths")?;
    w.write_all(&bin_header(lengths.len() * 4))
        .map_err(ExportError::Io)?;
    for &length in &lengths {
        w.write_all(&(length as i32).to_le_bytes())
            .map_err(ExportError::Io)?;
    }
    str_(&mut w, "strings")?;
    rmp::encode::write_array_len(&mut w, strings.len() as u32).map_err(io_error)?;
    for s in &strings {
        str_(&mut w, s)?;
    }
    drop(strings);
    str_(&mut w, "cats")?;
    rmp::encode::write_array_len(&mut w, docs.len() as u32).map_err(io_error)?;
    for _ in docs {
        rmp::encode::write_map_len(&mut w, 0).map_err(io_error)?;
    }
    str_(&mut w, "flags")?;
    rmp::encode::write_array_len(&mut w, docs.len() as u32).map_err(io_error)?;
    for _ in docs {
        rmp::encode::write_map_len(&mut w, 1).map_err(io_error)?;
        str_(&mut w, "has_unknown_spaces")?;
        rmp::encode::write_bool(&mut w, false).map_err(ExportError::Io)?;
    }
    str_(&mut w, "span_groups")?;
    rmp::encode::write_array_len(&mut w, docs.len() as u32).map_err(io_error)?;
    for doc in docs {
        // Per document, the msgpack of its list of groups: none, or one group
        // `{name, attrs, spans}` of every placed span packed as `>QQQllll` (a `bin 8` of 40
        // bytes each), its length known before it is written.
        let placed = place(doc, mode, options.strict, None)?;
        if placed.spans.is_empty() {
            let groups = [0x90]; // an empty array
            w.write_all(&bin_header(groups.len()))
                .map_err(ExportError::Io)?;
            w.write_all(&groups).map_err(ExportError::Io)?;
            continue;
        }
        let head = encoded(|b| {
            rmp::encode::write_map_len(b, 3)?;
            rmp::encode::write_str(b, "name")?;
            rmp::encode::write_str(b, &key)?;
            rmp::encode::write_str(b, "attrs")?;
            rmp::encode::write_map_len(b, 0)?;
            rmp::encode::write_str(b, "spans")?;
            rmp::encode::write_array_len(b, placed.spans.len() as u32).map(drop)
        });
        let group_len = head.len() + placed.spans.len() * (2 + 40);
        let group_header = bin_header(group_len);
        let list_len = 1 + group_header.len() + group_len;
        w.write_all(&bin_header(list_len))
            .map_err(ExportError::Io)?;
        w.write_all(&[0x91]).map_err(ExportError::Io)?; // an array of one
        w.write_all(&group_header).map_err(ExportError::Io)?;
        w.write_all(&head).map_err(ExportError::Io)?;
        for (span, &(from, to)) in placed.spans.iter().zip(&placed.tokens) {
            let mut bytes = [0u8; 42];
            bytes[..2].copy_from_slice(&[0xc4, 40]); // bin 8 of 40 bytes
            // span id and kb_id (0), the label, the token range, the character range.
            bytes[18..26].copy_from_slice(&string_key(&span.label).to_be_bytes());
            for (i, value) in [from as usize, to as usize, span.start, span.end]
                .into_iter()
                .enumerate()
            {
                bytes[26 + 4 * i..30 + 4 * i].copy_from_slice(&(value as i32).to_be_bytes());
            }
            w.write_all(&bytes).map_err(ExportError::Io)?;
        }
    }
    let compressor = w
        .into_inner()
        .map_err(|e| ExportError::Io(e.into_error()))?;
    compressor.finish().map_err(ExportError::Io)?;
    Ok(())
}

// ---- Import -------------------------------------------------------------------------------------

/// The most a DocBin may unpack to (the limit of a project file too).
const MAX_UNPACKED: u64 = 256 << 20;

fn field<'a>(message: &'a Value, name: &str) -> Option<&'a Value> {
    message
        .as_map()?
        .iter()
        .find(|(k, _)| k.as_str() == Some(name))
        .map(|(_, v)| v)
}

/// Read a `.spacy` file: each Doc becomes a document (its text rebuilt from the tokens and
/// their spaces), with spans from `doc.ents` and from every span group (a span in both is
/// one span).
pub fn read(path: &Path, builder: &mut ProjectBuilder) -> Result<(), ImportError> {
    let fail = |reason: String| ImportError::new(path, None, reason);
    let compressed = std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    builder.count_input(compressed.len());
    // zlib compresses a run of zeros a thousandfold: without a cap a small file could ask for
    // gigabytes. No DocBin a person annotates comes near the cap (a 600,000-character novel in
    // character tokens is about 15 MB unpacked).
    let mut bytes = Vec::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice())
        .take(MAX_UNPACKED + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("not a spaCy DocBin (not zlib data: {e})")))?;
    if bytes.len() as u64 > MAX_UNPACKED {
        return Err(fail(format!(
            "unpacks to more than {} MiB, more than a DocBin Spantag reads; split it into \
             smaller files",
            MAX_UNPACKED >> 20
        )));
    }
    let message = rmpv::decode::read_value(&mut bytes.as_slice())
        .map_err(|e| fail(format!("not a spaCy DocBin (bad msgpack: {e})")))?;
    let need = |name: &str| {
        field(&message, name).ok_or_else(|| fail(format!("not a spaCy DocBin: no \"{name}\"")))
    };
    let attrs: Vec<u64> = need("attrs")?
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let column = |id: u64| attrs.iter().position(|&a| a == id);
    let orth = column(ORTH).ok_or_else(|| fail("the DocBin has no ORTH column".to_owned()))?;
    let (iob_col, type_col) = (column(ENT_IOB), column(ENT_TYPE));
    let binary = |name: &str| -> Result<&[u8], ImportError> {
        match need(name)? {
            Value::Binary(b) => Ok(b.as_slice()),
            _ => Err(fail(format!("\"{name}\" is not binary data"))),
        }
    };
    let tokens: Vec<u64> = binary("tokens")?
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect();
    let spaces = binary("spaces")?;
    let lengths: Vec<usize> = binary("lengths")?
        .chunks_exact(4)
        .map(|c| i32::from_le_bytes(c.try_into().expect("4 bytes")).max(0) as usize)
        .collect();
    let width = attrs.len().max(1);
    let total: usize = lengths.iter().sum();
    if tokens.len() != total * width || spaces.len() != total {
        return Err(fail(format!(
            "the DocBin's token table ({} values, {} spaces) does not match its lengths ({total} tokens of {width} attributes)",
            tokens.len(),
            spaces.len()
        )));
    }
    let mut names: HashMap<u64, String> = HashMap::new();
    for s in need("strings")?.as_array().into_iter().flatten() {
        if let Some(s) = s.as_str() {
            names.insert(string_key(s), s.to_owned());
        }
    }
    let name_of = |key: u64, doc: usize, what: &str| {
        names.get(&key).cloned().ok_or_else(|| {
            ImportError::at(
                path,
                format!("doc {}", doc + 1),
                format!("{what} {key} is not among the DocBin's strings"),
            )
        })
    };
    let groups = field(&message, "span_groups").and_then(Value::as_array);
    let flags = field(&message, "flags").and_then(Value::as_array);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "doc".to_owned());
    let mut row = 0;
    for (d, &length) in lengths.iter().enumerate() {
        let unknown_spaces = flags
            .and_then(|f| f.get(d))
            .and_then(|f| field(f, "has_unknown_spaces"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut text = String::new();
        let mut starts = Vec::with_capacity(length + 1); // code point offset of each token
        let mut cp = 0;
        let mut entities: Vec<(usize, usize, String)> = Vec::new();
        let mut open: Option<(usize, u64)> = None;
        for t in 0..length {
            let values = &tokens[(row + t) * width..(row + t + 1) * width];
            let word = name_of(values[orth], d, "the token text")?;
            starts.push(cp);
            cp += word.chars().count();
            text.push_str(&word);
            if unknown_spaces || spaces[row + t] != 0 {
                text.push(' ');
                cp += 1;
            }
            let (iob, kind) = match (iob_col, type_col) {
                (Some(i), Some(k)) => (values[i], values[k]),
                _ => (IOB_MISSING, 0),
            };
            let continues = iob == IOB_INSIDE && open.is_some_and(|(_, k)| k == kind);
            if !continues {
                if let Some((from, k)) = open.take() {
                    entities.push((from, t, name_of(k, d, "the entity label")?));
                }
                if (iob == IOB_BEGIN || iob == IOB_INSIDE) && kind != 0 {
                    open = Some((t, kind));
                }
            }
        }
        if let Some((from, k)) = open.take() {
            entities.push((from, length, name_of(k, d, "the entity label")?));
        }
        starts.push(cp);
        // A token's end is where its text ends, before its trailing space.
        let end_of = |t: usize| starts[t + 1] - usize::from(unknown_spaces || spaces[row + t] != 0);
        let mut found: Vec<(usize, usize, String)> = entities
            .into_iter()
            .map(|(from, to, label)| (starts[from], end_of(to - 1), label))
            .collect();
        if let Some(Value::Binary(data)) = groups.and_then(|g| g.get(d))
            && data.as_slice() != [0x90]
            && !data.is_empty()
        {
            let list = rmpv::decode::read_value(&mut data.as_slice()).map_err(|e| {
                ImportError::at(
                    path,
                    format!("doc {}", d + 1),
                    format!("bad span groups: {e}"),
                )
            })?;
            for group in list.as_array().into_iter().flatten() {
                let Value::Binary(group) = group else {
                    continue;
                };
                let group = rmpv::decode::read_value(&mut group.as_slice()).map_err(|e| {
                    ImportError::at(
                        path,
                        format!("doc {}", d + 1),
                        format!("bad span group: {e}"),
                    )
                })?;
                for span in field(&group, "spans")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let Value::Binary(b) = span else { continue };
                    if b.len() != 40 {
                        return Err(ImportError::at(
                            path,
                            format!("doc {}", d + 1),
                            format!("a packed span has {} bytes, not 40", b.len()),
                        ));
                    }
                    let label = u64::from_be_bytes(b[16..24].try_into().expect("8 bytes"));
                    let int =
                        |at: usize| i32::from_be_bytes(b[at..at + 4].try_into().expect("4 bytes"));
                    let (start, end) = (int(32).max(0) as usize, int(36).max(0) as usize);
                    found.push((start, end, name_of(label, d, "the span label")?));
                }
            }
        }
        found.sort();
        found.dedup();
        let id = format!("{stem}-{}", d + 1);
        let doc = builder.add_document(&id, &id, text);
        for (start, end, label) in found {
            if let Err(reason) = builder.add_span(doc, SpanDraft::new(start, end, label)) {
                builder.skip_or_fail(ImportError::at(path, format!("doc {}", d + 1), reason))?;
            }
        }
        row += length;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_spacy_string_store_keys() {
        // spaCy 3.8: nlp.vocab.strings["coffee"] (its documentation's example), a reserved
        // symbol, and the empty string.
        assert_eq!(string_key("coffee"), 3197928453018144401);
        assert_eq!(string_key("ORG"), 383);
        assert_eq!(string_key(""), 0);
        assert_eq!(murmurhash64a(b"ORG", 1), 8419042386026509531);
        assert_eq!(string_key("PER"), 4317129024397789502);
    }

    #[test]
    fn one_space_is_trailing_whitespace_and_other_runs_are_tokens() {
        let text = " a b  c\r\nd\t";
        let tokens: Vec<SpacyToken> = SpacyTokens::new(text, Tokens::Word).collect();
        let shown: Vec<(&str, bool)> = tokens.iter().map(|t| (t.text, t.space)).collect();
        assert_eq!(
            shown,
            [
                (" ", false),
                ("a", true),
                ("b", true),
                (" ", false),
                ("c", false),
                ("\r\n", false),
                ("d", false),
                ("\t", false)
            ]
        );
        let words: Vec<usize> = (0..tokens.len())
            .filter(|&i| tokens[i].word.is_some())
            .collect();
        assert_eq!(words, [1, 2, 4, 6]);
        let rebuilt: String = tokens
            .iter()
            .map(|t| format!("{}{}", t.text, if t.space { " " } else { "" }))
            .collect();
        assert_eq!(rebuilt, text);
        // Whitespace only, and nothing.
        let only: Vec<&str> = SpacyTokens::new("  \n", Tokens::Char)
            .map(|t| t.text)
            .collect();
        assert_eq!(only, ["  \n"]);
        assert_eq!(SpacyTokens::new("", Tokens::Char).count(), 0);
    }

    #[test]
    fn words_are_the_tokens_tokenize_makes() {
        use super::super::tokenize::tokenize;
        let texts = [
            "",
            "   ",
            " Xi met  Díaz-Canel\r\nin 𠮷野家\tBeijing.\n",
            "古巴共产党代表团访问北京。习近平说：“欢迎！”\n\n  中共中央 总书记",
            "Café au lait, don't stop: 3.14 e-mail\u{3000}東京タワーへ行く\u{2028}end",
            "a\u{200b}b \u{a0}c\u{85}d",
        ];
        for mode in [Tokens::Char, Tokens::Word] {
            for text in texts {
                let expected = tokenize(text, mode);
                let streamed: Vec<Token> = Words::new(text, mode)
                    .map(|w| {
                        assert_eq!(&text[w.byte..w.byte + w.text.len()], w.text);
                        Token {
                            start: w.start,
                            end: w.end,
                            text: w.text,
                        }
                    })
                    .collect();
                assert_eq!(streamed, expected, "{mode:?} {text:?}");
            }
        }
    }
}
