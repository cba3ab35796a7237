//! Training: a structured averaged perceptron (Collins 2002) over the hashed features of
//! [`super::features`], decoded with the same constrained Viterbi as tagging.
//!
//! Why not a CRF (`crfs`, CRFsuite): CRFsuite needs about 9 minutes for MSRA on this machine
//! and the whole `spantag suggest` run must take under a minute; a perceptron epoch is one
//! Viterbi pass per sentence with integer updates, and averaging keeps it from overfitting the
//! last sentences it saw. A training sentence's dictionary features come from the other tenths
//! of the corpus, so the tagger learns how far a dictionary match can be trusted on new text.

use std::sync::atomic::{AtomicBool, Ordering};

use thiserror::Error;

use super::corpus::{Corpus, TrainingSentence};
use super::decode::viterbi;
use super::features::{self, Dictionary, TEMPLATES};
use super::model::{Model, tag_count, tags_of_spans};

/// Passes over the training sentences unless told otherwise. On MSRA (fold dictionaries, two
/// tagging passes) 12 give what 16 give in three quarters of the time (90%: F1 0.829 and
/// 0.830; 2,000 sentences: 0.557 and 0.553), and 24 gave no more than 16.
pub const DEFAULT_EPOCHS: usize = 12;

#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// Passes over the training sentences.
    pub epochs: usize,
    /// At most `1 << max_bits` feature buckets (fewer for small corpora).
    pub max_bits: u32,
    /// The order of sentences in each pass comes from this seed: the same input and seed give
    /// the same model.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            epochs: DEFAULT_EPOCHS,
            max_bits: 20,
            seed: 1,
        }
    }
}

/// How far a training is: `done` of `total` sentence passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TrainError {
    #[error("training was cancelled")]
    Cancelled,
    #[error("there are no accepted spans to learn from")]
    NoSpans,
}

/// How many parts the training sentences are cut into for their dictionary features.
const FOLDS: usize = 10;

/// How many sentences between two looks at the cancel flag and two progress reports.
const REPORT_EVERY: usize = 256;

/// Train a model on `corpus`. `cancel` is read every few hundred sentences; `progress` is called
/// as often.
pub fn train(
    corpus: &Corpus,
    options: &TrainOptions,
    cancel: &AtomicBool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Model, TrainError> {
    let total = options.epochs * corpus.sentence_count();
    let done = std::sync::atomic::AtomicUsize::new(0);
    train_counting(corpus, options, cancel, &|k| {
        let done = done.fetch_add(k, Ordering::Relaxed) + k;
        progress(Progress { done, total });
    })
}

/// [`train`], reporting each step as the number of sentence passes just made.
pub(crate) fn train_counting(
    corpus: &Corpus,
    options: &TrainOptions,
    cancel: &AtomicBool,
    step: &(dyn Fn(usize) + Sync),
) -> Result<Model, TrainError> {
    if corpus.span_count() == 0 || corpus.labels.is_empty() {
        return Err(TrainError::NoSpans);
    }
    let labels = corpus.labels.len();
    let tags = tag_count(labels);
    let mut dictionary = Dictionary::new(labels);
    for sentence in corpus.sentences() {
        for &(start, end, label) in &sentence.spans {
            dictionary.add(&sentence.chars[start..end], label, 1);
        }
    }
    // About four buckets per feature occurrence keeps collisions rare; small corpora get a
    // small (fast, small-file) model.
    let wanted = (corpus.char_count() * TEMPLATES).max(1) as u64;
    let bits = (64 - wanted.leading_zeros()).clamp(12, options.max_bits.max(12));

    // Features and gold tags of every sentence, computed once.
    let sentences: Vec<_> = corpus.sentences().collect();
    // A sentence's dictionary features come from the mentions of the other folds (contiguous
    // tenths of the corpus), as text the model tags later is not in its dictionary: leaving out
    // only the sentence's own mentions let it find the same names in the sentences around it
    // (the same story), so the tagger trusted the dictionary more than new text warrants
    // (MSRA 90%: F1 0.816 leave-one-out, 0.820 with folds; 2,000 sentences: 0.508, 0.541).
    let folds = FOLDS.min(sentences.len());
    let fold_of = |k: usize| k * folds / sentences.len();
    let fold_dictionaries = fold_dictionaries(&sentences, labels, folds);
    let mut feats: Vec<u32> = Vec::with_capacity(corpus.char_count() * TEMPLATES);
    let mut gold: Vec<u16> = Vec::with_capacity(corpus.char_count());
    let mut starts = Vec::with_capacity(sentences.len() + 1);
    for (k, sentence) in sentences.iter().enumerate() {
        if k % REPORT_EVERY == 0 && cancel.load(Ordering::Relaxed) {
            return Err(TrainError::Cancelled);
        }
        starts.push(gold.len());
        let fold = &fold_dictionaries[fold_of(k)];
        let dict = fold.tags(&sentence.chars, &[]);
        let profiles = fold.profiles(&sentence.chars, &[]);
        features::features(&sentence.chars, &dict, &profiles, bits, &mut feats);
        gold.extend(tags_of_spans(sentence.chars.len(), &sentence.spans));
    }
    starts.push(gold.len());

    let mut perceptron = Perceptron::new(bits, tags);
    let mut order: Vec<usize> = (0..sentences.len()).collect();
    let mut rng = options.seed | 1;
    let mut emissions = Vec::new();
    for _ in 0..options.epochs {
        shuffle(&mut order, &mut rng);
        for (k, &s) in order.iter().enumerate() {
            if k % REPORT_EVERY == 0 {
                if cancel.load(Ordering::Relaxed) {
                    return Err(TrainError::Cancelled);
                }
                if k > 0 {
                    step(REPORT_EVERY);
                }
            }
            let (from, to) = (starts[s], starts[s + 1]);
            let sentence_feats = &feats[from * TEMPLATES..to * TEMPLATES];
            perceptron.emissions(sentence_feats, &mut emissions);
            let predicted = viterbi(&emissions, tags, &perceptron.transition_scores());
            perceptron.update(sentence_feats, &gold[from..to], &predicted);
        }
        let reported = order.len().saturating_sub(1) / REPORT_EVERY * REPORT_EVERY;
        step(order.len() - reported);
    }
    Ok(perceptron.into_model(corpus.labels.clone(), dictionary))
}

/// For each of `folds` contiguous parts of `sentences` (sentence `k` is in part `k * folds /
/// len`), the dictionary of the mentions of all the other parts.
fn fold_dictionaries(
    sentences: &[&TrainingSentence],
    labels: usize,
    folds: usize,
) -> Vec<Dictionary> {
    (0..folds)
        .map(|f| {
            let mut dictionary = Dictionary::new(labels);
            for (k, sentence) in sentences.iter().enumerate() {
                if k * folds / sentences.len() != f {
                    for &(start, end, label) in &sentence.spans {
                        dictionary.add(&sentence.chars[start..end], label, 1);
                    }
                }
            }
            dictionary
        })
        .collect()
}

/// A Fisher-Yates shuffle driven by xorshift64: no dependency for one shuffle per epoch.
fn shuffle(order: &mut [usize], state: &mut u64) {
    for i in (1..order.len()).rev() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let j = (*state % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
}

/// Integer weights with the running sums that give their average in the end: an update at
/// instance `c` adds `d` to a weight and `c * d` to its sum, and the average of the weight over
/// all instances is `w - sum / c` (Daumé's trick: no pass over all weights per instance).
struct Perceptron {
    tags: usize,
    bits: u32,
    weights: Vec<i32>,
    sums: Vec<i64>,
    transitions: Vec<i32>,
    transition_sums: Vec<i64>,
    /// The instance counter, from 1.
    c: i64,
}

impl Perceptron {
    fn new(bits: u32, tags: usize) -> Self {
        let n = (1usize << bits) * tags;
        Self {
            tags,
            bits,
            weights: vec![0; n],
            sums: vec![0; n],
            transitions: vec![0; (tags + 1) * tags],
            transition_sums: vec![0; (tags + 1) * tags],
            c: 1,
        }
    }

    fn emissions(&self, feats: &[u32], out: &mut Vec<f32>) {
        let tags = self.tags;
        let n = feats.len() / TEMPLATES;
        out.clear();
        out.resize(n * tags, 0.0);
        let mut row = vec![0i32; tags];
        for (i, position) in feats.chunks_exact(TEMPLATES).enumerate() {
            row.fill(0);
            for &f in position {
                let w = &self.weights[f as usize * tags..(f as usize + 1) * tags];
                for (r, w) in row.iter_mut().zip(w) {
                    *r += w;
                }
            }
            for (o, r) in out[i * tags..(i + 1) * tags].iter_mut().zip(&row) {
                *o = *r as f32;
            }
        }
    }

    fn transition_scores(&self) -> Vec<f32> {
        self.transitions.iter().map(|&w| w as f32).collect()
    }

    fn bump(weights: &mut [i32], sums: &mut [i64], index: usize, delta: i32, c: i64) {
        weights[index] += delta;
        sums[index] += c * i64::from(delta);
    }

    fn update(&mut self, feats: &[u32], gold: &[u16], predicted: &[u16]) {
        let tags = self.tags;
        let c = self.c;
        for i in 0..gold.len() {
            let (g, p) = (usize::from(gold[i]), usize::from(predicted[i]));
            if g != p {
                for &f in &feats[i * TEMPLATES..(i + 1) * TEMPLATES] {
                    let row = f as usize * tags;
                    Self::bump(&mut self.weights, &mut self.sums, row + g, 1, c);
                    Self::bump(&mut self.weights, &mut self.sums, row + p, -1, c);
                }
            }
            let (gp, pp) = if i == 0 {
                (tags, tags)
            } else {
                (usize::from(gold[i - 1]), usize::from(predicted[i - 1]))
            };
            if (gp, g) != (pp, p) {
                let t = &mut self.transitions;
                let s = &mut self.transition_sums;
                Self::bump(t, s, gp * tags + g, 1, c);
                Self::bump(t, s, pp * tags + p, -1, c);
            }
        }
        self.c += 1;
    }

    fn into_model(self, labels: Vec<String>, dictionary: Dictionary) -> Model {
        let c = self.c as f64;
        let average = |w: &[i32], s: &[i64]| -> Vec<f32> {
            w.iter()
                .zip(s)
                .map(|(&w, &s)| (f64::from(w) - s as f64 / c) as f32)
                .collect()
        };
        Model {
            labels,
            bits: self.bits,
            weights: average(&self.weights, &self.sums),
            transitions: average(&self.transitions, &self.transition_sums),
            dictionary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(text: &str, spans: &[(usize, usize, u16)]) -> TrainingSentence {
        TrainingSentence {
            chars: text.chars().collect(),
            spans: spans.to_vec(),
        }
    }

    #[test]
    fn a_sentence_does_not_see_the_mentions_of_its_own_tenth_of_the_corpus() {
        // 张飞 only in sentences 0 and 1 (the first tenth of twenty), 刘备 everywhere.
        let mut sentences = vec![sentence("张飞到", &[(0, 2, 0)]); 2];
        sentences.extend(vec![sentence("刘备到", &[(0, 2, 0)]); 18]);
        let refs: Vec<&TrainingSentence> = sentences.iter().collect();
        let dictionaries = fold_dictionaries(&refs, 1, 10);
        let chars: Vec<char> = "张飞刘备".chars().collect();
        // B and E of label 0 are 1 and 3. Sentence 0 must not find 张飞 from sentence 1 next to
        // it (the same story): text tagged later is not in the dictionary either.
        assert_eq!(dictionaries[0].tags(&chars, &[]), [0, 0, 1, 3]);
        assert_eq!(dictionaries[1].tags(&chars, &[]), [1, 3, 1, 3]);
    }
}
