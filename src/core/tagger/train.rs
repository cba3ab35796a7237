//! Training: a structured averaged perceptron (Collins 2002) over the hashed features of
//! [`super::features`], decoded with the same constrained Viterbi as tagging, with
//! passive-aggressive steps (Crammer et al. 2006, PA-I): each update is as large as it must be
//! for the gold path to beat the wrong one by the number of wrong tags, rather than a step of
//! 1 whatever the error (MSRA 90%: F1 0.829 → 0.843, with the same features).
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
        let affixes = fold.affixes(&sentence.chars, &[]);
        features::features(
            &sentence.chars,
            &dict,
            &profiles,
            &affixes,
            bits,
            &mut feats,
        );
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
            let predicted = viterbi(&emissions, tags, &perceptron.transitions);
            perceptron.update(sentence_feats, &emissions, &gold[from..to], &predicted);
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

/// The largest step of an update. Steps are small (a wrong tag moves the 21 features of its
/// character twice): on MSRA a cap of 0.1 gives the same model as 1, and 0.02 binds and
/// scores no better; the cap bounds the step where a wrong path differs in few features.
const PA_CAP: f32 = 1.0;

/// Weights with the running sums that give their average in the end: an update at instance
/// `c` adds `d` to a weight and `c * d` to its sum, and the average of the weight over all
/// instances is `w - sum / c` (Daumé's trick: no pass over all weights per instance).
struct Perceptron {
    tags: usize,
    bits: u32,
    weights: Vec<f32>,
    sums: Vec<f64>,
    transitions: Vec<f32>,
    transition_sums: Vec<f64>,
    /// The instance counter, from 1.
    c: f64,
}

impl Perceptron {
    fn new(bits: u32, tags: usize) -> Self {
        let n = (1usize << bits) * tags;
        Self {
            tags,
            bits,
            weights: vec![0.0; n],
            sums: vec![0.0; n],
            transitions: vec![0.0; (tags + 1) * tags],
            transition_sums: vec![0.0; (tags + 1) * tags],
            c: 1.0,
        }
    }

    fn emissions(&self, feats: &[u32], out: &mut Vec<f32>) {
        let tags = self.tags;
        let n = feats.len() / TEMPLATES;
        out.clear();
        out.resize(n * tags, 0.0);
        for (i, position) in feats.chunks_exact(TEMPLATES).enumerate() {
            let row = &mut out[i * tags..(i + 1) * tags];
            for &f in position {
                let w = &self.weights[f as usize * tags..(f as usize + 1) * tags];
                for (r, w) in row.iter_mut().zip(w) {
                    *r += w;
                }
            }
        }
    }

    fn bump(weights: &mut [f32], sums: &mut [f64], index: usize, delta: f32, c: f64) {
        weights[index] += delta;
        sums[index] += c * f64::from(delta);
    }

    /// The step of an update (passive-aggressive, PA-I): the smallest that makes the gold
    /// path outscore the predicted one by the number of wrong tags, at most [`PA_CAP`].
    /// `emissions` are the scores the prediction was decoded from.
    fn step_size(&self, feats: &[u32], emissions: &[f32], gold: &[u16], predicted: &[u16]) -> f32 {
        let tags = self.tags;
        let mut difference: std::collections::HashMap<usize, f32> = Default::default();
        let mut margin = 0f32;
        let mut loss = 0f32;
        for i in 0..gold.len() {
            let (g, p) = (usize::from(gold[i]), usize::from(predicted[i]));
            if g != p {
                loss += 1.0;
                margin += emissions[i * tags + p] - emissions[i * tags + g];
                for &f in &feats[i * TEMPLATES..(i + 1) * TEMPLATES] {
                    let row = f as usize * tags;
                    *difference.entry(row + g).or_default() += 1.0;
                    *difference.entry(row + p).or_default() -= 1.0;
                }
            }
            let (gp, pp) = if i == 0 {
                (tags, tags)
            } else {
                (usize::from(gold[i - 1]), usize::from(predicted[i - 1]))
            };
            if (gp, g) != (pp, p) {
                let offset = self.weights.len();
                margin += self.transitions[pp * tags + p] - self.transitions[gp * tags + g];
                *difference.entry(offset + gp * tags + g).or_default() += 1.0;
                *difference.entry(offset + pp * tags + p).or_default() -= 1.0;
            }
        }
        let norm: f32 = difference.values().map(|d| d * d).sum();
        if norm == 0.0 {
            return 0.0;
        }
        ((margin + loss) / norm).clamp(0.0, PA_CAP)
    }

    fn update(&mut self, feats: &[u32], emissions: &[f32], gold: &[u16], predicted: &[u16]) {
        let tags = self.tags;
        let c = self.c;
        let tau = self.step_size(feats, emissions, gold, predicted);
        for i in 0..gold.len() {
            let (g, p) = (usize::from(gold[i]), usize::from(predicted[i]));
            if g != p {
                for &f in &feats[i * TEMPLATES..(i + 1) * TEMPLATES] {
                    let row = f as usize * tags;
                    Self::bump(&mut self.weights, &mut self.sums, row + g, tau, c);
                    Self::bump(&mut self.weights, &mut self.sums, row + p, -tau, c);
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
                Self::bump(t, s, gp * tags + g, tau, c);
                Self::bump(t, s, pp * tags + p, -tau, c);
            }
        }
        self.c += 1.0;
    }

    fn into_model(self, labels: Vec<String>, dictionary: Dictionary) -> Model {
        let c = self.c;
        let average = |w: &[f32], s: &[f64]| -> Vec<f32> {
            w.iter()
                .zip(s)
                .map(|(&w, &s)| (f64::from(w) - s / c) as f32)
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
    fn a_passive_aggressive_step_makes_gold_beat_the_prediction_by_the_wrong_tags() {
        // One label (O=0 B=1 M=2 E=3 S=4); two characters, each with its own features.
        let tags = tag_count(1);
        let feats: Vec<u32> = (0..2 * TEMPLATES as u32).collect();
        let mut perceptron = Perceptron::new(8, tags);
        let gold = [1, 3]; // B E
        let score = |p: &Perceptron, path: &[u16]| -> f32 {
            let mut emissions = Vec::new();
            p.emissions(&feats, &mut emissions);
            let mut s = p.transitions[tags * tags + usize::from(path[0])];
            for (i, &t) in path.iter().enumerate() {
                s += emissions[i * tags + usize::from(t)];
                if i > 0 {
                    s += p.transitions[usize::from(path[i - 1]) * tags + usize::from(t)];
                }
            }
            s
        };
        for predicted in [[0, 0], [4, 0]] {
            let mut emissions = Vec::new();
            perceptron.emissions(&feats, &mut emissions);
            perceptron.update(&feats, &emissions, &gold, &predicted);
            let wrong = gold.iter().zip(&predicted).filter(|(g, p)| g != p).count();
            let margin = score(&perceptron, &gold) - score(&perceptron, &predicted);
            // A perceptron step of 1 gives O O a margin of 4 × TEMPLATES + 4.
            assert!(
                (margin - wrong as f32).abs() < 1e-4,
                "{predicted:?}: {margin}"
            );
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
