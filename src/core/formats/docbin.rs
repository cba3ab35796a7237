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

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

use rmpv::Value;

use super::builder::SpanDraft;
use super::conll::{longest_first, token_problem};
use super::docbin_symbols::SYMBOLS;
use super::tokenize::tokenize;
use super::{
    DroppedSpan, ExportError, ExportOptions, ExportReport, ImportError, Offsets, ProjectBuilder,
    Sink, accepted, check_alignment,
};
use crate::core::project::AnnotatedDocument;
use crate::core::span::{Span, SpanId};

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

/// A spaCy token: its text and whether one space follows it.
struct SpacyToken<'a> {
    text: &'a str,
    space: bool,
}

/// Cut a text into spaCy tokens around the `--tokens` tokens (which are never whitespace);
/// returns them and, for each `--tokens` token, its index among them.
fn spacy_tokens<'a>(
    text: &'a str,
    words: &[super::tokenize::Token<'a>],
) -> (Vec<SpacyToken<'a>>, Vec<usize>) {
    let mut tokens = Vec::with_capacity(words.len() * 2);
    let mut index = Vec::with_capacity(words.len());
    let mut byte = 0; // where the text not yet covered starts
    let mut cp = 0;
    let push_gap = |tokens: &mut Vec<SpacyToken<'a>>, gap: &'a str| {
        // One space after a token is its trailing whitespace; anything else is a token.
        let mut rest = gap;
        if let Some(last) = tokens.last_mut()
            && let Some(after) = gap.strip_prefix(' ')
        {
            last.space = true;
            rest = after;
        }
        if !rest.is_empty() {
            tokens.push(SpacyToken {
                text: rest,
                space: false,
            });
        }
    };
    for word in words {
        // Words are in order, so the gap before this one starts where the last one ended.
        let gap_chars = word.start - cp;
        let gap_bytes: usize = text[byte..]
            .chars()
            .take(gap_chars)
            .map(char::len_utf8)
            .sum();
        push_gap(&mut tokens, &text[byte..byte + gap_bytes]);
        byte += gap_bytes;
        index.push(tokens.len());
        tokens.push(SpacyToken {
            text: word.text,
            space: false,
        });
        byte += word.text.len();
        cp = word.end;
    }
    push_gap(&mut tokens, &text[byte..]);
    (tokens, index)
}

/// A msgpack map with string keys, in the given order.
fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect(),
    )
}

fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, value).expect("writing to a Vec cannot fail");
    out
}

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
    let mut rows: Vec<u8> = Vec::new();
    let mut spaces: Vec<u8> = Vec::new();
    let mut lengths: Vec<u8> = Vec::new();
    let mut strings: BTreeSet<String> = BTreeSet::new();
    let mut span_groups = Vec::new();
    let mut cats = Vec::new();
    let mut flags = Vec::new();
    strings.insert(String::new());
    for doc in docs {
        let document = &doc.document;
        let words = tokenize(document.text(), options.tokens);
        let (tokens, index) = spacy_tokens(document.text(), &words);
        // Spans over whole tokens, as token ranges of the spaCy tokens.
        let mut placed: Vec<(&Span, usize, usize)> = Vec::new();
        for span in accepted(doc) {
            check_alignment(document, span, Offsets::Codepoint)?;
            if let Some(reason) = token_problem(&words, span) {
                let dropped = DroppedSpan {
                    document: document.id.clone(),
                    span: span.clone(),
                    text: document.slice(span.start, span.end).to_owned(),
                    reason,
                };
                if options.strict {
                    return Err(ExportError::Strict(Box::new(dropped)));
                }
                report.dropped.push(dropped);
                continue;
            }
            let first = words.partition_point(|t| t.start < span.start);
            let last = words.partition_point(|t| t.end <= span.end);
            placed.push((span, index[first], index[last - 1] + 1));
        }
        let expressible: Vec<&Span> = placed.iter().map(|(s, _, _)| *s).collect();
        let (ents, overlapping) = longest_first(document, &expressible, "doc.ents");
        for d in overlapping {
            report.warnings.push(format!(
                "docbin: {d}; it is in doc.spans[\"{key}\"] but not in doc.ents"
            ));
        }
        // By id, not by a scan of `placed` per entity (which took 8.7 s at 100,000 spans).
        let token_of: HashMap<SpanId, (usize, usize)> =
            placed.iter().map(|&(s, a, b)| (s.id, (a, b))).collect();
        let mut iob = vec![IOB_OUTSIDE; tokens.len()];
        let mut types = vec![0u64; tokens.len()];
        for span in &ents {
            // Every kept span is one of `placed`.
            let Some(&(from, to)) = token_of.get(&span.id) else {
                continue;
            };
            let label = string_key(&span.label);
            for (i, t) in (from..to).enumerate() {
                iob[t] = if i == 0 { IOB_BEGIN } else { IOB_INSIDE };
                types[t] = label;
            }
        }
        for (t, token) in tokens.iter().enumerate() {
            if !strings.contains(token.text) {
                strings.insert(token.text.to_owned());
            }
            for value in [string_key(token.text), iob[t], types[t]] {
                rows.extend_from_slice(&value.to_le_bytes());
            }
            spaces.push(u8::from(token.space));
        }
        lengths.extend_from_slice(&(tokens.len() as i32).to_le_bytes());
        let mut packed = Vec::new();
        let mut sorted = placed.clone();
        sorted.sort_by_key(|(s, _, _)| s.sort_key());
        for (span, from, to) in sorted {
            strings.insert(span.label.to_string());
            let mut bytes = Vec::with_capacity(40);
            bytes.extend_from_slice(&0u64.to_be_bytes()); // span id
            bytes.extend_from_slice(&0u64.to_be_bytes()); // kb_id
            bytes.extend_from_slice(&string_key(&span.label).to_be_bytes());
            for value in [from, to, span.start, span.end] {
                bytes.extend_from_slice(&(value as i32).to_be_bytes());
            }
            packed.push(Value::Binary(bytes));
        }
        let groups = if packed.is_empty() {
            Vec::new()
        } else {
            let group = map(vec![
                ("name", Value::from(key.as_str())),
                ("attrs", Value::Map(Vec::new())),
                ("spans", Value::Array(packed)),
            ]);
            vec![Value::Binary(encode(&group))]
        };
        span_groups.push(Value::Binary(encode(&Value::Array(groups))));
        for span in &ents {
            strings.insert(span.label.to_string());
        }
        cats.push(Value::Map(Vec::new()));
        flags.push(map(vec![("has_unknown_spaces", Value::from(false))]));
    }
    let message = map(vec![
        ("version", Value::from("0.1")),
        (
            "attrs",
            Value::Array(
                vec![ORTH, ENT_IOB, ENT_TYPE]
                    .into_iter()
                    .map(Value::from)
                    .collect(),
            ),
        ),
        ("tokens", Value::Binary(rows)),
        ("spaces", Value::Binary(spaces)),
        ("lengths", Value::Binary(lengths)),
        (
            "strings",
            Value::Array(strings.into_iter().map(Value::from).collect()),
        ),
        ("cats", Value::Array(cats)),
        ("flags", Value::Array(flags)),
        ("span_groups", Value::Array(span_groups)),
    ]);
    // zlib's fastest level: level 6 spent most of the 2.6 s of the novel with 100,000 spans
    // on 15 MB of token rows; spaCy reads any level. The message is encoded straight into the
    // compressor, and that into the file: neither the encoded nor the compressed message is
    // held whole.
    let out = sink.file(Default::default(), None)?;
    let mut compressor = flate2::write::ZlibEncoder::new(out, flate2::Compression::fast());
    rmpv::encode::write_value(&mut compressor, &message).map_err(|e| match e {
        rmpv::encode::Error::InvalidMarkerWrite(e) | rmpv::encode::Error::InvalidDataWrite(e) => {
            ExportError::Io(e)
        }
    })?;
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
        let words = tokenize(text, super::super::Tokens::Word);
        let (tokens, index) = spacy_tokens(text, &words);
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
        assert_eq!(index, [1, 2, 4, 6]);
        let rebuilt: String = tokens
            .iter()
            .map(|t| format!("{}{}", t.text, if t.space { " " } else { "" }))
            .collect();
        assert_eq!(rebuilt, text);
    }
}
