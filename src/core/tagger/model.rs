//! A trained tagger: its labels, the weights of its features per tag, the tag-to-tag transition
//! weights, and the dictionary of mentions it was trained with; saved to and loaded from a
//! versioned binary file (described in `docs/FORMAT.md`, "Tagger model files").

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::decode;
use super::features::{self, Dictionary, TEMPLATES};

/// The first bytes of a model file.
pub const MAGIC: &[u8; 16] = b"SPANTAG-TAGGER\n\0";
/// The version of the model file this Spantag writes and reads. Version 2: the affix features
/// (a version 1 model has 19 templates where this Spantag computes 21).
pub const VERSION: u32 = 2;
/// The feature set a model was trained with; a model with another cannot be used.
pub const FEATURE_SET: &str = "char-ngram-2-dict-1-profile-1-affix-1";

/// The tags of a model with `labels` labels: `O` is 0, and label `l` has `B` `1 + 4l`, `M`
/// `2 + 4l`, `E` `3 + 4l` and `S` `4 + 4l` (the BMES scheme).
pub fn tag_count(labels: usize) -> usize {
    1 + 4 * labels
}

/// Where a tag stands in its entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    Outside,
    Begin,
    Middle,
    End,
    Single,
}

pub fn position(tag: usize) -> Position {
    if tag == 0 {
        return Position::Outside;
    }
    match (tag - 1) % 4 {
        0 => Position::Begin,
        1 => Position::Middle,
        2 => Position::End,
        _ => Position::Single,
    }
}

/// The label index of a tag other than `O`.
pub fn label_of(tag: usize) -> usize {
    (tag - 1) / 4
}

pub fn tag_of(label: usize, position: Position) -> usize {
    match position {
        Position::Outside => 0,
        Position::Begin => 1 + 4 * label,
        Position::Middle => 2 + 4 * label,
        Position::End => 3 + 4 * label,
        Position::Single => 4 + 4 * label,
    }
}

/// The BMES tags of a sentence of `len` characters with entities `spans` (start, end, label),
/// which must not overlap.
pub fn tags_of_spans(len: usize, spans: &[(usize, usize, u16)]) -> Vec<u16> {
    let mut tags = vec![0u16; len];
    for &(start, end, label) in spans {
        let label = usize::from(label);
        if end - start == 1 {
            tags[start] = tag_of(label, Position::Single) as u16;
        } else {
            tags[start] = tag_of(label, Position::Begin) as u16;
            for t in &mut tags[start + 1..end - 1] {
                *t = tag_of(label, Position::Middle) as u16;
            }
            tags[end - 1] = tag_of(label, Position::End) as u16;
        }
    }
    tags
}

/// The entities (start, end, label) of a well-formed tag sequence (as Viterbi decoding gives).
pub fn spans_of_tags(tags: &[u16]) -> Vec<(usize, usize, u16)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, &tag) in tags.iter().enumerate() {
        let tag = usize::from(tag);
        match position(tag) {
            Position::Outside | Position::Middle => {}
            Position::Begin => start = Some(i),
            Position::Single => spans.push((i, i + 1, label_of(tag) as u16)),
            Position::End => {
                if let Some(s) = start.take() {
                    spans.push((s, i + 1, label_of(tag) as u16));
                }
            }
        }
    }
    spans
}

#[derive(Clone, Debug)]
pub struct Model {
    pub(crate) labels: Vec<String>,
    /// Feature buckets are `0..1 << bits`.
    pub(crate) bits: u32,
    /// `(1 << bits) * tags` weights: the row of a bucket holds its weight for each tag.
    pub(crate) weights: Vec<f32>,
    /// `(tags + 1) * tags`: row `p` is the weight of each tag after tag `p`; the last row is
    /// the weight of each tag at the start of a sentence.
    pub(crate) transitions: Vec<f32>,
    pub(crate) dictionary: Dictionary,
}

impl Model {
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    pub fn dictionary_len(&self) -> usize {
        self.dictionary.len()
    }

    fn tags(&self) -> usize {
        tag_count(self.labels.len())
    }

    /// The entities (start, end, label index) the model finds in one sentence.
    pub fn tag_sentence(&self, chars: &[char]) -> Vec<(usize, usize, u16)> {
        self.tag_with(&self.dictionary, chars, &[])
    }

    /// The entities of many sentences of one text, in two passes: the mentions the first pass
    /// finds join the dictionary for the second, so a name found in one sentence is known in
    /// the others (each sentence leaves its own first-pass mentions out, as a training sentence
    /// does with its own). Sentences are tagged on all cores.
    pub fn tag_sentences(&self, sentences: &[&[char]]) -> Vec<Vec<(usize, usize, u16)>> {
        let first = on_all_cores(sentences, |chars| self.tag_sentence(chars));
        let mut dictionary = self.dictionary.clone();
        for (chars, found) in sentences.iter().zip(&first) {
            for &(s, e, l) in found {
                dictionary.add(&chars[s..e], l, 1);
            }
        }
        let indices: Vec<usize> = (0..sentences.len()).collect();
        on_all_cores(&indices, |&k| {
            self.tag_with(&dictionary, sentences[k], &first[k])
        })
    }

    fn tag_with(
        &self,
        dictionary: &Dictionary,
        chars: &[char],
        own: &[(usize, usize, u16)],
    ) -> Vec<(usize, usize, u16)> {
        let own_keys: Vec<(u64, u16)> = own
            .iter()
            .map(|&(s, e, l)| (features::mention_key(&chars[s..e]), l))
            .collect();
        let dict = dictionary.tags(chars, &own_keys);
        let mut feats = Vec::with_capacity(chars.len() * TEMPLATES);
        let profiles = dictionary.profiles(chars, own);
        let affixes = dictionary.affixes(chars, own);
        features::features(chars, &dict, &profiles, &affixes, self.bits, &mut feats);
        let tags = self.tags();
        let mut emissions = vec![0f32; chars.len() * tags];
        for (i, row) in emissions.chunks_exact_mut(tags).enumerate() {
            for &f in &feats[i * TEMPLATES..(i + 1) * TEMPLATES] {
                let w = &self.weights[f as usize * tags..(f as usize + 1) * tags];
                for (e, w) in row.iter_mut().zip(w) {
                    *e += w;
                }
            }
        }
        let path = decode::viterbi(&emissions, tags, &self.transitions);
        spans_of_tags(&path)
    }

    // ---- Files ----------------------------------------------------------------------------------

    /// Write the model to `path` (atomically: a crash leaves the old file or the new one).
    pub fn save(&self, path: &Path) -> Result<(), ModelFileError> {
        let header = Header {
            features: FEATURE_SET.to_owned(),
            labels: self.labels.clone(),
            bits: self.bits,
            dictionary: self
                .dictionary
                .entries()
                .into_iter()
                .map(|(m, l, n)| (m.to_owned(), l, n))
                .collect(),
        };
        let header = serde_json::to_vec(&header).map_err(|e| ModelFileError::new(path, e))?;
        let mut bytes = Vec::with_capacity(
            32 + header.len() + 4 * (self.weights.len() + self.transitions.len()),
        );
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&(header.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&header);
        for w in self.weights.iter().chain(&self.transitions) {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        crate::core::atomic_write::write_atomically(path, &bytes)
            .map_err(|e| ModelFileError::new(path, e))
    }

    pub fn load(path: &Path) -> Result<Model, ModelFileError> {
        let bytes = std::fs::read(path).map_err(|e| ModelFileError::new(path, e))?;
        Self::parse(&bytes).map_err(|reason| ModelFileError::new(path, reason))
    }

    /// Read a model from the bytes of a model file, or say what is wrong with them.
    pub fn parse(bytes: &[u8]) -> Result<Model, String> {
        let rest = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or("not a Spantag tagger model (it does not start with SPANTAG-TAGGER)")?;
        let (version, rest) = take::<4>(rest, "the version")?;
        let version = u32::from_le_bytes(version);
        if version != VERSION {
            return Err(format!(
                "model file version {version}; this Spantag reads version {VERSION} (train the model again)"
            ));
        }
        let (len, rest) = take::<8>(rest, "the header length")?;
        let len = u64::from_le_bytes(len);
        let len = usize::try_from(len)
            .ok()
            .filter(|l| *l <= rest.len())
            .ok_or_else(|| format!("the header is {len} bytes but the file ends before"))?;
        let (header, rest) = rest.split_at(len);
        let header: Header =
            serde_json::from_slice(header).map_err(|e| format!("the header: {e}"))?;
        if header.features != FEATURE_SET {
            return Err(format!(
                "the model uses features \"{}\"; this Spantag computes \"{FEATURE_SET}\" (train the model again)",
                header.features
            ));
        }
        if !(8..=26).contains(&header.bits) {
            return Err(format!(
                "the header gives {} feature bits (expected 8 to 26)",
                header.bits
            ));
        }
        if header.labels.is_empty() || header.labels.len() > 1000 {
            return Err(format!(
                "the header gives {} labels (expected 1 to 1000)",
                header.labels.len()
            ));
        }
        let tags = tag_count(header.labels.len());
        let weights = (1usize << header.bits) * tags;
        let transitions = (tags + 1) * tags;
        let expected = 4 * (weights + transitions);
        if rest.len() != expected {
            return Err(format!(
                "expected {expected} bytes of weights after the header, found {} (a truncated or damaged file)",
                rest.len()
            ));
        }
        let mut values = rest
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        let weights: Vec<f32> = values.by_ref().take(weights).collect();
        let transitions: Vec<f32> = values.collect();
        if weights.iter().chain(&transitions).any(|w| !w.is_finite()) {
            return Err("a weight is not a finite number (a damaged file)".to_owned());
        }
        let mut dictionary = Dictionary::new(header.labels.len());
        for (mention, label, count) in &header.dictionary {
            if usize::from(*label) >= header.labels.len() {
                return Err(format!(
                    "dictionary entry \"{mention}\" has label number {label}, but there are {} labels",
                    header.labels.len()
                ));
            }
            dictionary.add(&mention.chars().collect::<Vec<_>>(), *label, *count);
        }
        Ok(Model {
            labels: header.labels,
            bits: header.bits,
            weights,
            transitions,
            dictionary,
        })
    }
}

/// `f` of every item, in order, computed on all cores (at most 8 threads).
fn on_all_cores<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                scope.spawn(move || part.iter().map(f).collect::<Vec<R>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

fn take<'a, const N: usize>(bytes: &'a [u8], what: &str) -> Result<([u8; N], &'a [u8]), String> {
    if bytes.len() < N {
        return Err(format!("the file ends before {what}"));
    }
    let (head, rest) = bytes.split_at(N);
    let mut out = [0u8; N];
    out.copy_from_slice(head);
    Ok((out, rest))
}

/// The JSON header of a model file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    features: String,
    labels: Vec<String>,
    bits: u32,
    /// (mention, label index, count).
    dictionary: Vec<(String, u16, u32)>,
}

#[derive(Debug, Error)]
#[error("{reason}: {}", path.display())]
pub struct ModelFileError {
    pub path: PathBuf,
    pub reason: String,
}

impl ModelFileError {
    fn new(path: &Path, reason: impl std::fmt::Display) -> Self {
        Self {
            path: path.to_owned(),
            reason: reason.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model file of this version whose header names `features`.
    fn file_with_features(features: &str) -> Vec<u8> {
        file_of_version(VERSION, features)
    }

    fn file_of_version(version: u32, features: &str) -> Vec<u8> {
        let tags = tag_count(1);
        let header = format!(
            r#"{{"features": "{features}", "labels": ["PER"], "bits": 8, "dictionary": []}}"#
        );
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&version.to_le_bytes());
        bytes.extend_from_slice(&(header.len() as u64).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend(std::iter::repeat_n(
            0u8,
            4 * ((1 << 8) * tags + (tags + 1) * tags),
        ));
        bytes
    }

    #[test]
    fn a_model_of_the_features_before_the_position_profiles_is_refused() {
        assert!(Model::parse(&file_with_features(FEATURE_SET)).is_ok());
        let error = Model::parse(&file_with_features("char-ngram-2-dict-1")).unwrap_err();
        assert!(error.contains("\"char-ngram-2-dict-1\""), "{error}");
        assert!(error.contains("train the model again"), "{error}");
    }

    #[test]
    fn a_model_of_version_1_before_the_affix_features_is_refused() {
        let old = file_of_version(1, "char-ngram-2-dict-1-profile-1");
        let error = Model::parse(&old).unwrap_err();
        assert!(error.contains("model file version 1"), "{error}");
        assert!(error.contains("train the model again"), "{error}");
        let error = Model::parse(&file_with_features("char-ngram-2-dict-1-profile-1")).unwrap_err();
        assert!(error.contains("train the model again"), "{error}");
    }
}
