//! How good a model is: entity-level exact match (same start, end and label) on held-out
//! accepted spans, per label and micro-averaged; and the usual way to get a model with such a
//! report, [`train_and_evaluate`].

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::corpus::{Corpus, HeldOut};
use super::model::Model;
use super::train::{Progress, TrainError, TrainOptions, train_counting};

/// Counts for one label (or, as [`Evaluation::micro`], for all).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelScore {
    pub label: String,
    /// Held-out spans with this label.
    pub gold: usize,
    /// Spans the model proposed with this label.
    pub predicted: usize,
    /// Proposed spans that match a held-out span exactly.
    pub correct: usize,
}

impl LabelScore {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }

    pub fn f1(&self) -> f64 {
        ratio(2 * self.correct, self.gold + self.predicted)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// One row per label of the model, in the model's order.
    pub per_label: Vec<LabelScore>,
    pub micro: LabelScore,
    /// What was held out, when the evaluation comes from [`train_and_evaluate`].
    pub held_out: Option<HeldOut>,
    pub train_sentences: usize,
    pub test_sentences: usize,
}

/// Tag the sentences of `test` with `model` (all together, in two passes) and compare with
/// their spans.
pub fn evaluate(model: &Model, test: &Corpus) -> Evaluation {
    let mut per_label: Vec<LabelScore> = model
        .labels()
        .iter()
        .map(|l| LabelScore {
            label: l.clone(),
            ..LabelScore::default()
        })
        .collect();
    let mut micro = LabelScore {
        label: "all".to_owned(),
        ..LabelScore::default()
    };
    // The test corpus numbers its labels its own way; compare by name.
    let to_model: Vec<Option<usize>> = test
        .labels
        .iter()
        .map(|name| model.labels().iter().position(|l| l == name))
        .collect();
    // Tagged together, as `suggest` tags a project.
    let chars: Vec<&[char]> = test.sentences().map(|s| s.chars.as_slice()).collect();
    let predictions = model.tag_sentences(&chars);
    for (sentence, predicted) in test.sentences().zip(predictions) {
        let gold: Vec<(usize, usize, Option<usize>, &str)> = sentence
            .spans
            .iter()
            .map(|&(s, e, l)| {
                (
                    s,
                    e,
                    to_model[usize::from(l)],
                    test.labels[usize::from(l)].as_str(),
                )
            })
            .collect();
        micro.gold += gold.len();
        micro.predicted += predicted.len();
        for &(_, _, label, _) in &gold {
            if let Some(l) = label {
                per_label[l].gold += 1;
            }
        }
        for &(s, e, l) in &predicted {
            let l = usize::from(l);
            per_label[l].predicted += 1;
            if gold
                .iter()
                .any(|&(gs, ge, gl, _)| gs == s && ge == e && gl == Some(l))
            {
                per_label[l].correct += 1;
                micro.correct += 1;
            }
        }
        // Labels the model does not know still count as missed.
        for &(_, _, label, name) in &gold {
            if label.is_none() {
                match per_label.iter_mut().find(|p| p.label == name) {
                    Some(p) => p.gold += 1,
                    None => per_label.push(LabelScore {
                        label: name.to_owned(),
                        gold: 1,
                        ..LabelScore::default()
                    }),
                }
            }
        }
    }
    Evaluation {
        per_label,
        micro,
        held_out: None,
        train_sentences: 0,
        test_sentences: test.sentence_count(),
    }
}

/// Hold out the last 10% ([`Corpus::held_out_split`]), train on the rest and evaluate, and at
/// the same time (on a second thread) train the model to use on all of `corpus`. The
/// evaluation is `None` when the corpus is too small to hold anything out. `progress` counts
/// both trainings.
pub fn train_and_evaluate(
    corpus: &Corpus,
    options: &TrainOptions,
    cancel: &AtomicBool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(Model, Option<Evaluation>), TrainError> {
    let split = corpus.held_out_split();
    let total = options.epochs
        * (corpus.sentence_count()
            + split
                .as_ref()
                .map_or(0, |(train, _, _)| train.sentence_count()));
    let done = AtomicUsize::new(0);
    let step = |k: usize| {
        let done = done.fetch_add(k, Ordering::Relaxed) + k;
        progress(Progress { done, total });
    };
    std::thread::scope(|scope| {
        let evaluation = split.as_ref().map(|(train, test, held_out)| {
            let step = &step;
            scope.spawn(move || -> Result<Evaluation, TrainError> {
                let model = train_counting(train, options, cancel, step)?;
                let mut evaluation = evaluate(&model, test);
                evaluation.held_out = Some(*held_out);
                evaluation.train_sentences = train.sentence_count();
                Ok(evaluation)
            })
        });
        let model = train_counting(corpus, options, cancel, &step);
        let evaluation = match evaluation {
            Some(handle) => match handle.join() {
                Ok(result) => Some(result),
                Err(panic) => std::panic::resume_unwind(panic),
            },
            None => None,
        };
        let model = model?;
        let evaluation = match evaluation {
            Some(Ok(e)) => Some(e),
            // A held-out part without spans teaches nothing to evaluate with.
            Some(Err(TrainError::NoSpans)) => None,
            Some(Err(e)) => return Err(e),
            None => None,
        };
        Ok((model, evaluation))
    })
}

impl std::fmt::Display for Evaluation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(held_out) = self.held_out {
            writeln!(
                f,
                "held out {held_out}: trained on {} sentences, tested on {}",
                self.train_sentences, self.test_sentences
            )?;
        }
        writeln!(
            f,
            "{:<12} {:>9} {:>6} {:>6} {:>6} {:>6}",
            "label", "precision", "recall", "F1", "gold", "found"
        )?;
        for row in self.per_label.iter().chain(std::iter::once(&self.micro)) {
            writeln!(
                f,
                "{:<12} {:>9.3} {:>6.3} {:>6.3} {:>6} {:>6}",
                row.label,
                row.precision(),
                row.recall(),
                row.f1(),
                row.gold,
                row.predicted
            )?;
        }
        Ok(())
    }
}
