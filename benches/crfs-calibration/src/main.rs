//! CRFsuite (`crfs`, L-BFGS, c2 = 1) with the usual character features (unigrams at -2..2,
//! bigrams at -2..1, c-1 c+1) on MSRA: train on sentences `train`, score entity-level exact F1
//! on sentences `test`.
//!
//! Usage: crfs-calibration MSRA.bmes SPLIT [MAX_ITERATIONS]
//!   SPLIT: `last10` (train the first 90%, test the last 10%, as benches/tagger_targets.sh),
//!          `first2000` (train the first 2,000, test the last 10%), or `foldK/N` (test the K-th of
//!          N contiguous parts, train on the others).
//!
//! Prints the loss and time of every L-BFGS iteration, and scores a checkpoint model every
//! `CRFS_SCORE_EVERY` iterations (25 by default). Training stops at CRFsuite's rule (the loss
//! moved less than 1e-5 relative to 10 iterations before, or |g| / max(1, |x|) <= 1e-5), at
//! MAX_ITERATIONS, or when the file named by `CRFS_STOP_FILE` exists; the model is then scored.

use std::path::Path;
use std::time::Instant;

use crfs::train::Trainer;
use crfs::{Attribute, Model};

type Sentence = (Vec<char>, Vec<String>);

fn read(path: &str) -> Vec<Sentence> {
    let text = std::fs::read_to_string(path).expect("read the corpus");
    let mut out = Vec::new();
    let (mut chars, mut tags) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        let mut fields = line.split_whitespace();
        match (fields.next(), fields.next()) {
            (Some(c), Some(t)) => {
                chars.push(c.chars().next().unwrap());
                tags.push(t.to_owned());
            }
            _ => {
                if !chars.is_empty() {
                    out.push((std::mem::take(&mut chars), std::mem::take(&mut tags)));
                }
            }
        }
    }
    if !chars.is_empty() {
        out.push((chars, tags));
    }
    out
}

fn features(chars: &[char]) -> Vec<Vec<Attribute>> {
    let c = |i: isize| -> String {
        if i < 0 {
            "<s>".into()
        } else if i as usize >= chars.len() {
            "</s>".into()
        } else {
            chars[i as usize].to_string()
        }
    };
    (0..chars.len() as isize)
        .map(|i| {
            let mut a = Vec::with_capacity(11);
            a.push(Attribute::new("bias", 1.0));
            for k in -2..=2 {
                a.push(Attribute::new(format!("c[{k}]={}", c(i + k)), 1.0));
            }
            for k in -2..=1 {
                a.push(Attribute::new(
                    format!("c[{k}]c[{}]={}{}", k + 1, c(i + k), c(i + k + 1)),
                    1.0,
                ));
            }
            a.push(Attribute::new(
                format!("c[-1]c[1]={}{}", c(i - 1), c(i + 1)),
                1.0,
            ));
            a
        })
        .collect()
}

/// Entities (start, end, label) of a BMES sequence; a broken one (B without E) is dropped,
/// as `spantag import --lenient` does.
fn entities(tags: &[String]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, t) in tags.iter().enumerate() {
        let (pos, label) = t.split_once('-').unwrap_or((t.as_str(), ""));
        match pos {
            "B" => open = Some((i, label.to_owned())),
            "M" => {
                if open.as_ref().is_none_or(|(_, l)| l != label) {
                    open = None;
                }
            }
            "E" => {
                if let Some((s, l)) = open.take()
                    && l == label
                {
                    out.push((s, i + 1, l));
                }
            }
            "S" => {
                open = None;
                out.push((i, i + 1, label.to_owned()));
            }
            _ => open = None,
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let all = read(&args[1]);
    let split = args[2].as_str();
    let max_iterations: usize = args.get(3).map_or(usize::MAX, |s| s.parse().unwrap());
    let n = all.len();
    let (train, test): (Vec<&Sentence>, Vec<&Sentence>) = match split {
        "last10" => {
            let cut = n - n / 10;
            (all[..cut].iter().collect(), all[cut..].iter().collect())
        }
        "first2000" => {
            let cut = n - n / 10;
            (all[..2000].iter().collect(), all[cut..].iter().collect())
        }
        fold => {
            let (k, parts) = fold
                .strip_prefix("fold")
                .and_then(|s| s.split_once('/'))
                .expect("last10, first2000 or foldK/N");
            let (k, parts): (usize, usize) = (k.parse()?, parts.parse()?);
            let part = |i: usize| i * parts / n;
            let train = (0..n).filter(|&i| part(i) != k).map(|i| &all[i]).collect();
            let test = (0..n).filter(|&i| part(i) == k).map(|i| &all[i]).collect();
            (train, test)
        }
    };
    eprintln!(
        "{split}: training on {} sentences, testing on {}",
        train.len(),
        test.len()
    );
    let started = Instant::now();
    let mut trainer = Trainer::lbfgs();
    trainer.verbose(true);
    for (chars, tags) in &train {
        trainer.append(&features(chars), tags)?;
    }
    trainer.params_mut().set_c1(0.0)?;
    trainer.params_mut().set_c2(1.0)?;
    trainer.params_mut().set_max_iterations(max_iterations)?;
    let model_path = std::env::temp_dir().join(format!(
        "crfs-calibration-{}-{}.crfsuite",
        std::process::id(),
        split.replace('/', "-")
    ));
    let score_every: usize = std::env::var("CRFS_SCORE_EVERY").map_or(Ok(25), |s| s.parse())?;
    let mut checkpoint = |iteration: usize, path: &Path| -> std::io::Result<()> {
        let t = Instant::now();
        let scores = score(&std::fs::read(path)?, &test)?;
        println!(
            "checkpoint at iteration {iteration} ({:.1} s after the start; scored in {:.1} s)",
            started.elapsed().as_secs_f64(),
            t.elapsed().as_secs_f64()
        );
        print_scores(&scores);
        Ok(())
    };
    trainer.train_with_checkpoints(&model_path, score_every, &mut checkpoint)?;
    let trained = started.elapsed();
    let data = std::fs::read(&model_path)?;
    std::fs::remove_file(&model_path)?;
    println!("{split}: trained in {:.1} s", trained.as_secs_f64());
    print_scores(&score(&data, &test)?);
    Ok(())
}

const LABELS: [&str; 3] = ["LOC", "ORG", "PER"];

/// (gold, found, correct) entities per label of `LABELS`, the model in `model` tagging `test`.
fn score(model: &[u8], test: &[&Sentence]) -> std::io::Result<Vec<(usize, usize, usize)>> {
    let model = Model::new(model)?;
    let tagger = model.tagger()?;
    let mut counts = vec![(0usize, 0usize, 0usize); LABELS.len()];
    for (chars, tags) in test {
        let predicted: Vec<String> = tagger
            .tag(&features(chars))?
            .into_iter()
            .map(|s| s.to_string())
            .collect();
        let gold = entities(tags);
        let found = entities(&predicted);
        for (k, l) in LABELS.iter().enumerate() {
            counts[k].0 += gold.iter().filter(|e| e.2 == *l).count();
            counts[k].1 += found.iter().filter(|e| e.2 == *l).count();
            counts[k].2 += found
                .iter()
                .filter(|e| e.2 == *l && gold.contains(e))
                .count();
        }
    }
    Ok(counts)
}

fn print_scores(counts: &[(usize, usize, usize)]) {
    println!("label   precision recall     F1   gold  found");
    let total = counts
        .iter()
        .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    for (label, (g, f, c)) in LABELS
        .iter()
        .chain(["all"].iter())
        .zip(counts.iter().chain([total].iter()))
    {
        let p = *c as f64 / (*f).max(1) as f64;
        let r = *c as f64 / (*g).max(1) as f64;
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        println!("{label:<7} {p:>9.3} {r:>6.3} {f1:>6.3} {g:>6} {f:>6}");
    }
}
