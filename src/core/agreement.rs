//! Inter-annotator agreement between project files that annotate the same texts.
//!
//! Documents are matched across files by the SHA-256 of their text, never by id or name, and
//! only documents present in every file are compared. For each pair of files (A, the reference,
//! and B) there are span scores (`exact` and `overlap` precision, recall and F1, per label and
//! micro-averaged) and Cohen's kappa over per-character BIO tags; over all files there are
//! Krippendorff's alpha (nominal) and, from three files on, Fleiss' kappa over the same tags.
//! Relations score like exact spans: a relation of B matches one of A with the same type
//! between two spans with the same start, end and label (span ids differ between files).
//!
//! Pure: loaded projects in, figures out. Nothing here reads files, prints or knows egui.
//!
//! Conventions for the cases the textbook formulas leave undefined (0/0), also in the README:
//! - precision, recall and F1 of a label are 1 when neither side has a span of it, and 0 when
//!   only one side has none; F1 is 0 when precision and recall are both 0;
//! - a kappa or alpha whose expected agreement is 1 (every character has the same tag in every
//!   file) is 1 when the observed agreement is 1 too (which it then always is), else 0; with no
//!   characters at all it is 1 (nothing to disagree on).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use thiserror::Error;

use super::project::{AnnotatedDocument, Project};
use super::span::{Span, SpanStatus, longest_first};

/// One annotator's project, with the name its figures go under and the file it came from.
pub struct AnnotatorFile<'a> {
    /// What the figures call it: the annotator's name, or the file name when there is none.
    pub name: String,
    /// The file as the user named it, for messages.
    pub file: String,
    pub project: &'a Project,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct AgreementOptions {
    /// Count suggested spans as well as accepted ones. Rejected spans never count.
    pub include_suggested: bool,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum AgreementError {
    #[error("agreement needs at least two files, got {0}")]
    TooFewFiles(usize),
    #[error(
        "{a} and {b} have no document in common (documents are matched by the SHA-256 of their text)"
    )]
    NothingInCommon { a: String, b: String },
    #[error(
        "no document is in all of {}; only documents in every file are compared (matched by the SHA-256 of their text)",
        files.join(", ")
    )]
    NothingInAll { files: Vec<String> },
}

/// Precision, recall and F1 of B's spans against A's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PrecisionRecallF1 {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl PrecisionRecallF1 {
    /// `b_matched` of `b_total` spans of B found in A (precision), `a_matched` of `a_total` of
    /// A found in B (recall). Both sides empty: 1, 1, 1; one side empty: 0, 0, 0.
    pub fn from_counts(b_matched: usize, b_total: usize, a_matched: usize, a_total: usize) -> Self {
        if a_total == 0 && b_total == 0 {
            return Self {
                precision: 1.0,
                recall: 1.0,
                f1: 1.0,
            };
        }
        if a_total == 0 || b_total == 0 {
            return Self {
                precision: 0.0,
                recall: 0.0,
                f1: 0.0,
            };
        }
        let precision = b_matched as f64 / b_total as f64;
        let recall = a_matched as f64 / a_total as f64;
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Self {
            precision,
            recall,
            f1,
        }
    }
}

/// How B's spans of one label (or of all labels) compare with A's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpanCounts {
    pub a_spans: usize,
    pub b_spans: usize,
    /// One-to-one matches on start, end and label (a duplicated span matches once per copy).
    pub exact_matches: usize,
    /// A's spans that share a character with one of B's of the same label.
    pub a_overlapped: usize,
    /// B's spans that share a character with one of A's of the same label.
    pub b_overlapped: usize,
}

impl SpanCounts {
    /// Count one document's spans of one label.
    pub fn of(a: &[&Span], b: &[&Span]) -> Self {
        let mut positions: HashMap<(usize, usize), (usize, usize)> = HashMap::new();
        for s in a {
            positions.entry((s.start, s.end)).or_default().0 += 1;
        }
        for s in b {
            positions.entry((s.start, s.end)).or_default().1 += 1;
        }
        let overlapped = |of: &[&Span], by: &[&Span]| {
            of.iter()
                .filter(|s| by.iter().any(|t| t.overlaps(s.start, s.end)))
                .count()
        };
        Self {
            a_spans: a.len(),
            b_spans: b.len(),
            exact_matches: positions.values().map(|(x, y)| x.min(y)).sum(),
            a_overlapped: overlapped(a, b),
            b_overlapped: overlapped(b, a),
        }
    }

    fn add(&mut self, other: Self) {
        self.a_spans += other.a_spans;
        self.b_spans += other.b_spans;
        self.exact_matches += other.exact_matches;
        self.a_overlapped += other.a_overlapped;
        self.b_overlapped += other.b_overlapped;
    }

    pub fn exact(&self) -> PrecisionRecallF1 {
        PrecisionRecallF1::from_counts(
            self.exact_matches,
            self.b_spans,
            self.exact_matches,
            self.a_spans,
        )
    }

    pub fn overlap(&self) -> PrecisionRecallF1 {
        PrecisionRecallF1::from_counts(
            self.b_overlapped,
            self.b_spans,
            self.a_overlapped,
            self.a_spans,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabelAgreement {
    pub exact: PrecisionRecallF1,
    pub overlap: PrecisionRecallF1,
    pub a_spans: usize,
    pub b_spans: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairAgreement {
    pub a: String,
    pub b: String,
    pub a_file: String,
    pub b_file: String,
    /// Micro-averaged over every label and document.
    pub exact: PrecisionRecallF1,
    pub overlap: PrecisionRecallF1,
    pub cohen_kappa: f64,
    pub a_spans: usize,
    pub b_spans: usize,
    pub per_label: BTreeMap<String, LabelAgreement>,
    /// Relations: same type, same two spans (by start, end and label).
    pub relations: PrecisionRecallF1,
    pub a_relations: usize,
    pub b_relations: usize,
}

/// A document of one file that is not in every other file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedDocument {
    pub file: String,
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgreementReport {
    pub documents_compared: usize,
    /// Ids (in the first file) of the documents compared.
    pub compared: Vec<String>,
    pub skipped: Vec<SkippedDocument>,
    /// Characters (code points) of the compared documents: the units of kappa and alpha.
    pub characters: usize,
    pub include_suggested: bool,
    /// The labels of `per_label`, in the order of the first file's label set.
    pub labels: Vec<String>,
    pub pairs: Vec<PairAgreement>,
    pub krippendorff_alpha: f64,
    /// `None` with fewer than three files.
    pub fleiss_kappa: Option<f64>,
}

/// The annotator every annotated span of `project` names, when they all name the same one.
pub fn single_annotator(project: &Project) -> Option<String> {
    let mut names = project
        .documents
        .iter()
        .flat_map(|d| d.spans.iter())
        .filter_map(|s| s.annotator.as_deref());
    let first = names.next()?;
    names.all(|n| n == first).then(|| first.to_owned())
}

fn counts(span: &Span, options: AgreementOptions) -> bool {
    match span.status {
        SpanStatus::Accepted => true,
        SpanStatus::Suggested => options.include_suggested,
        SpanStatus::Rejected => false,
    }
}

/// Compare every pair of files and all of them together.
pub fn compare(
    files: &[AnnotatorFile<'_>],
    options: AgreementOptions,
) -> Result<AgreementReport, AgreementError> {
    if files.len() < 2 {
        return Err(AgreementError::TooFewFiles(files.len()));
    }
    // The first document with each text, per file.
    let by_text: Vec<HashMap<&str, &AnnotatedDocument>> = files
        .iter()
        .map(|f| {
            let mut map = HashMap::new();
            for d in &f.project.documents {
                map.entry(d.document.sha256()).or_insert(d);
            }
            map
        })
        .collect();
    for (i, a) in by_text.iter().enumerate() {
        for (j, b) in by_text.iter().enumerate().skip(i + 1) {
            if !a.keys().any(|k| b.contains_key(k)) {
                return Err(AgreementError::NothingInCommon {
                    a: files[i].file.clone(),
                    b: files[j].file.clone(),
                });
            }
        }
    }
    let mut shared: Vec<&str> = Vec::new();
    for d in &files[0].project.documents {
        let sha = d.document.sha256();
        if !shared.contains(&sha) && by_text.iter().all(|m| m.contains_key(sha)) {
            shared.push(sha);
        }
    }
    if shared.is_empty() {
        return Err(AgreementError::NothingInAll {
            files: files.iter().map(|f| f.file.clone()).collect(),
        });
    }
    let shared_set: HashSet<&str> = shared.iter().copied().collect();
    let mut skipped = Vec::new();
    for (f, file_by_text) in files.iter().zip(&by_text) {
        for d in &f.project.documents {
            let sha = d.document.sha256();
            // A second document with the same text in one file is not compared either.
            let matched = file_by_text.get(sha).is_some_and(|m| std::ptr::eq(*m, d));
            if !matched || !shared_set.contains(sha) {
                skipped.push(SkippedDocument {
                    file: f.file.clone(),
                    id: d.document.id.clone(),
                });
            }
        }
    }
    // docs[f][k]: file f's copy of shared document k.
    let docs: Vec<Vec<&AnnotatedDocument>> = by_text
        .iter()
        .map(|m| shared.iter().map(|sha| m[sha]).collect())
        .collect();

    let labels = labels_used(files, &docs, options);
    let mut tags = TagNames::default();
    let character_tags: Vec<Vec<usize>> = docs
        .iter()
        .map(|file_docs| {
            file_docs
                .iter()
                .flat_map(|d| bio_tags(d, options, &mut tags))
                .collect()
        })
        .collect();

    let mut pairs = Vec::new();
    for i in 0..files.len() {
        for j in i + 1..files.len() {
            pairs.push(compare_pair(
                (&files[i], &docs[i]),
                (&files[j], &docs[j]),
                &labels,
                options,
                cohen_kappa(&character_tags[i], &character_tags[j]),
            ));
        }
    }
    Ok(AgreementReport {
        documents_compared: shared.len(),
        compared: docs[0].iter().map(|d| d.document.id.clone()).collect(),
        skipped,
        characters: character_tags[0].len(),
        include_suggested: options.include_suggested,
        labels,
        pairs,
        krippendorff_alpha: krippendorff_alpha_nominal(&character_tags),
        fleiss_kappa: (files.len() >= 3).then(|| fleiss_kappa(&character_tags)),
    })
}

/// Every label a counted span of a compared document uses in any file, in label-set order
/// (the first file's set, then labels only later files have).
fn labels_used(
    files: &[AnnotatorFile<'_>],
    docs: &[Vec<&AnnotatedDocument>],
    options: AgreementOptions,
) -> Vec<String> {
    let used: HashSet<&str> = docs
        .iter()
        .flatten()
        .flat_map(|d| d.spans.iter())
        .filter(|s| counts(s, options))
        .map(|s| s.label.as_str())
        .collect();
    let mut labels: Vec<String> = Vec::new();
    let set_order = files.iter().flat_map(|f| f.project.labels.iter());
    for name in set_order.map(|l| l.name.as_str()) {
        if used.contains(name) && !labels.iter().any(|l| l == name) {
            labels.push(name.to_owned());
        }
    }
    let mut rest: Vec<&str> = used
        .into_iter()
        .filter(|u| !labels.iter().any(|l| l == u))
        .collect();
    rest.sort_unstable();
    labels.extend(rest.into_iter().map(str::to_owned));
    labels
}

fn compare_pair(
    (a, a_docs): (&AnnotatorFile<'_>, &[&AnnotatedDocument]),
    (b, b_docs): (&AnnotatorFile<'_>, &[&AnnotatedDocument]),
    labels: &[String],
    options: AgreementOptions,
    cohen_kappa: f64,
) -> PairAgreement {
    let mut per_label_counts: BTreeMap<&str, SpanCounts> = labels
        .iter()
        .map(|l| (l.as_str(), SpanCounts::default()))
        .collect();
    for (a_doc, b_doc) in a_docs.iter().zip(b_docs) {
        let a_by_label = by_label(a_doc, options);
        let b_by_label = by_label(b_doc, options);
        for (label, total) in per_label_counts.iter_mut() {
            let none = Vec::new();
            let a_spans = a_by_label.get(label).unwrap_or(&none);
            let b_spans = b_by_label.get(label).unwrap_or(&none);
            total.add(SpanCounts::of(a_spans, b_spans));
        }
    }
    let mut all = SpanCounts::default();
    for c in per_label_counts.values() {
        all.add(*c);
    }
    let (mut a_relations, mut b_relations, mut matched) = (0, 0, 0);
    for (a_doc, b_doc) in a_docs.iter().zip(b_docs) {
        let a_keys = relation_keys(a_doc, options);
        let b_keys = relation_keys(b_doc, options);
        a_relations += a_keys.values().sum::<usize>();
        b_relations += b_keys.values().sum::<usize>();
        matched += a_keys
            .iter()
            .map(|(key, n)| (*n).min(b_keys.get(key).copied().unwrap_or(0)))
            .sum::<usize>();
    }
    PairAgreement {
        a: a.name.clone(),
        b: b.name.clone(),
        a_file: a.file.clone(),
        b_file: b.file.clone(),
        exact: all.exact(),
        overlap: all.overlap(),
        cohen_kappa,
        a_spans: all.a_spans,
        b_spans: all.b_spans,
        per_label: per_label_counts
            .into_iter()
            .map(|(label, c)| {
                let scores = LabelAgreement {
                    exact: c.exact(),
                    overlap: c.overlap(),
                    a_spans: c.a_spans,
                    b_spans: c.b_spans,
                };
                (label.to_owned(), scores)
            })
            .collect(),
        relations: PrecisionRecallF1::from_counts(matched, b_relations, matched, a_relations),
        a_relations,
        b_relations,
    }
}

/// A relation as files can agree on it: its type and its two ends' (start, end, label).
type RelationKey<'a> = (&'a str, (usize, usize, &'a str), (usize, usize, &'a str));

/// The counted relations of a document (both ends counted spans), with how often each occurs.
fn relation_keys(
    doc: &AnnotatedDocument,
    options: AgreementOptions,
) -> HashMap<RelationKey<'_>, usize> {
    let mut keys = HashMap::new();
    let end = |id| {
        doc.spans
            .get(id)
            .filter(|s| counts(s, options))
            .map(|s| (s.start, s.end, s.label.as_str()))
    };
    for r in doc.relations.iter() {
        let counted = match r.status {
            SpanStatus::Accepted => true,
            SpanStatus::Suggested => options.include_suggested,
            SpanStatus::Rejected => false,
        };
        if let (true, Some(from), Some(to)) = (counted, end(r.from), end(r.to)) {
            *keys.entry((r.kind.as_str(), from, to)).or_default() += 1;
        }
    }
    keys
}

fn by_label(doc: &AnnotatedDocument, options: AgreementOptions) -> HashMap<&str, Vec<&Span>> {
    let mut map: HashMap<&str, Vec<&Span>> = HashMap::new();
    for s in doc.spans.iter().filter(|s| counts(s, options)) {
        map.entry(s.label.as_str()).or_default().push(s);
    }
    map
}

/// Tag names (`O`, `B-PER`, `I-PER`, ...) as small numbers shared by all files; `O` is 0.
#[derive(Default)]
pub struct TagNames {
    names: Vec<String>,
    numbers: HashMap<String, usize>,
}

impl TagNames {
    pub fn number(&mut self, name: &str) -> usize {
        if self.names.is_empty() {
            self.names.push("O".to_owned());
            self.numbers.insert("O".to_owned(), 0);
        }
        if let Some(&n) = self.numbers.get(name) {
            return n;
        }
        self.names.push(name.to_owned());
        self.numbers.insert(name.to_owned(), self.names.len() - 1);
        self.names.len() - 1
    }

    pub fn name(&self, number: usize) -> &str {
        self.names.get(number).map_or("O", String::as_str)
    }
}

/// The BIO tag of every code point of the document, whitespace included: `B-X` on the first
/// character of a span, `I-X` on the rest, `O` outside. Of overlapping spans the longest wins,
/// ties to the earliest (the rule of the CoNLL export, [`longest_first`]).
pub fn bio_tags(
    doc: &AnnotatedDocument,
    options: AgreementOptions,
    tags: &mut TagNames,
) -> Vec<usize> {
    let outside = tags.number("O");
    let mut out = vec![outside; doc.document.char_len()];
    let spans: Vec<&Span> = doc.spans.iter().filter(|s| counts(s, options)).collect();
    for span in longest_first(&spans).kept {
        let begin = tags.number(&format!("B-{}", span.label));
        let inside = tags.number(&format!("I-{}", span.label));
        let end = span.end.min(out.len());
        for (k, tag) in out[span.start.min(end)..end].iter_mut().enumerate() {
            *tag = if k == 0 { begin } else { inside };
        }
    }
    out
}

/// Cohen's kappa of two raters' categories over the same units (`a[i]` and `b[i]` rate unit
/// `i`): `(p_o - p_e) / (1 - p_e)` with `p_o` the share of units rated alike and `p_e` the sum
/// over categories of the product of the two raters' shares. Computed on integer counts as
/// `(n·agree - Σ a_k·b_k) / (n² - Σ a_k·b_k)`, which is the same fraction times n²/n².
/// `p_e = 1` (both raters used one and the same category throughout) or no units: 1.
pub fn cohen_kappa(a: &[usize], b: &[usize]) -> f64 {
    let units = a.len().min(b.len());
    let categories = a.iter().chain(b).max().map_or(0, |m| m + 1);
    let mut a_count = vec![0i128; categories];
    let mut b_count = vec![0i128; categories];
    let mut agree: i128 = 0;
    for (&x, &y) in a.iter().zip(b) {
        a_count[x] += 1;
        b_count[y] += 1;
        agree += i128::from(x == y);
    }
    let n = units as i128;
    let chance: i128 = a_count.iter().zip(&b_count).map(|(x, y)| x * y).sum();
    chance_corrected(n * agree - chance, n * n - chance, agree == n)
}

/// `numerator / denominator`, or, when the denominator is 0 (expected agreement 1, or no
/// units), 1 if the observed agreement is perfect and 0 otherwise.
fn chance_corrected(numerator: i128, denominator: i128, perfect: bool) -> f64 {
    if denominator == 0 {
        return if perfect { 1.0 } else { 0.0 };
    }
    numerator as f64 / denominator as f64
}

/// Krippendorff's alpha for nominal data with no missing values: `coders[c][u]` is coder `c`'s
/// category for unit `u`. `alpha = 1 - D_o / D_e`; with `m` coders, `n = m·units` values,
/// `n_uc` the coders giving unit `u` category `c` and `n_c` all values of category `c`:
/// `D_o ∝ Σ_u (m² - Σ_c n_uc²) / (m - 1)` (the off-diagonal of the coincidence matrix) and
/// `D_e ∝ (n² - Σ_c n_c²) / (n - 1)`, so
/// `alpha = 1 - (n - 1)·Σ_u (m² - Σ_c n_uc²) / ((m - 1)·(n² - Σ_c n_c²))`.
/// Expected disagreement 0 (one category throughout) or no units: 1.
pub fn krippendorff_alpha_nominal(coders: &[Vec<usize>]) -> f64 {
    let m = coders.len() as i128;
    let units = coders.iter().map(Vec::len).min().unwrap_or(0);
    if m < 2 {
        return 1.0;
    }
    let (pairs_alike, totals) = unit_counts(coders, units);
    let n = m * units as i128;
    let disagreeing: i128 = units as i128 * m * m - pairs_alike;
    let expected: i128 = n * n - totals.iter().map(|t| t * t).sum::<i128>();
    if expected == 0 {
        return if disagreeing == 0 { 1.0 } else { 0.0 };
    }
    1.0 - ((n - 1) * disagreeing) as f64 / ((m - 1) * expected) as f64
}

/// Fleiss' kappa, same input as [`krippendorff_alpha_nominal`]. With `N` units, `m` raters,
/// `n_ij` the raters giving unit `i` category `j`: `P̄ = (Σ n_ij² - N·m) / (N·m·(m - 1))`,
/// `P̄_e = Σ_j (Σ_i n_ij / (N·m))²` and `kappa = (P̄ - P̄_e) / (1 - P̄_e)`; with `M = N·m`,
/// `S = Σ n_ij²` and `T = Σ_j (Σ_i n_ij)²` that is
/// `(M·(S - M) - (m - 1)·T) / ((m - 1)·(M² - T))`. `P̄_e = 1` or no units: 1 (see above).
pub fn fleiss_kappa(coders: &[Vec<usize>]) -> f64 {
    let m = coders.len() as i128;
    let units = coders.iter().map(Vec::len).min().unwrap_or(0);
    if m < 2 {
        return 1.0;
    }
    let (pairs_alike, totals) = unit_counts(coders, units);
    let big_m = m * units as i128;
    let t: i128 = totals.iter().map(|t| t * t).sum();
    let perfect = pairs_alike == big_m * m;
    chance_corrected(
        big_m * (pairs_alike - big_m) - (m - 1) * t,
        (m - 1) * (big_m * big_m - t),
        perfect,
    )
}

/// `(Σ_u Σ_c n_uc², n_c per category)`: `Σ_c n_uc²` is the number of ordered pairs of coders
/// (a coder with itself included) that gave unit `u` the same category.
fn unit_counts(coders: &[Vec<usize>], units: usize) -> (i128, Vec<i128>) {
    let categories = coders
        .iter()
        .flat_map(|c| c.iter().take(units))
        .max()
        .map_or(0, |m| m + 1);
    let mut totals = vec![0i128; categories];
    let mut pairs_alike: i128 = 0;
    for u in 0..units {
        for x in coders {
            totals[x[u]] += 1;
            pairs_alike += coders.iter().filter(|y| y[u] == x[u]).count() as i128;
        }
    }
    (pairs_alike, totals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Document, LabelSet, SpanId, SpanIndex, markup};

    const EPSILON: f64 = 1e-12;

    fn close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < EPSILON,
            "{actual} is not {expected}"
        );
    }

    fn spans(list: &[(usize, usize, &str)]) -> Vec<Span> {
        list.iter()
            .enumerate()
            .map(|(i, &(s, e, l))| Span::new(SpanId(i as u64 + 1), s, e, l))
            .collect()
    }

    fn refs(spans: &[Span]) -> Vec<&Span> {
        spans.iter().collect()
    }

    /// A project of one document per markup string, statuses set by `status` per span id.
    fn project(docs: &[&str], status: &[(u64, SpanStatus)]) -> Project {
        let mut next = 1;
        let documents = docs
            .iter()
            .enumerate()
            .map(|(k, m)| {
                let (text, parsed) = markup::parse(m);
                let spans = parsed
                    .into_iter()
                    .map(|(s, e, l)| {
                        let mut span = Span::new(SpanId(next), s, e, l);
                        if let Some((_, st)) = status.iter().find(|(id, _)| *id == next) {
                            span.status = *st;
                        }
                        next += 1;
                        span
                    })
                    .collect();
                AnnotatedDocument::new(
                    Document::new(format!("d{k}"), "", text),
                    SpanIndex::new(spans),
                )
            })
            .collect();
        Project::from_parts(LabelSet::news_default(), documents)
    }

    fn file<'a>(name: &str, project: &'a Project) -> AnnotatorFile<'a> {
        AnnotatorFile {
            name: name.to_owned(),
            file: format!("{name}.json"),
            project,
        }
    }

    #[test]
    fn exact_and_overlap_scores_by_hand() {
        // A: [0, 2) [3, 5); B: [0, 2) [3, 6) [8, 9), all GPE.
        // exact: one match ([0, 2)): P = 1/3, R = 1/2, F1 = 2·(1/3)(1/2) / (1/3 + 1/2) = 2/5.
        // overlap: B's [0, 2) and [3, 6) touch A's, [8, 9) does not: P = 2/3; both of A's are
        // touched: R = 1; F1 = 2·(2/3)·1 / (5/3) = 4/5.
        let a = spans(&[(0, 2, "GPE"), (3, 5, "GPE")]);
        let b = spans(&[(0, 2, "GPE"), (3, 6, "GPE"), (8, 9, "GPE")]);
        let counts = SpanCounts::of(&refs(&a), &refs(&b));
        let exact = counts.exact();
        close(exact.precision, 1.0 / 3.0);
        close(exact.recall, 0.5);
        close(exact.f1, 0.4);
        let overlap = counts.overlap();
        close(overlap.precision, 2.0 / 3.0);
        close(overlap.recall, 1.0);
        close(overlap.f1, 0.8);
    }

    #[test]
    fn exact_matches_are_one_to_one() {
        // A has [0, 2) twice, B once: one match. P = 1/1, R = 1/2, F1 = 2·1·(1/2) / (3/2) = 2/3.
        let a = spans(&[(0, 2, "PER"), (0, 2, "PER")]);
        let b = spans(&[(0, 2, "PER")]);
        let exact = SpanCounts::of(&refs(&a), &refs(&b)).exact();
        close(exact.precision, 1.0);
        close(exact.recall, 0.5);
        close(exact.f1, 2.0 / 3.0);
    }

    #[test]
    fn empty_sides_follow_the_documented_convention() {
        let one = spans(&[(0, 2, "PER")]);
        let both_empty = SpanCounts::of(&[], &[]);
        assert_eq!(
            both_empty.exact(),
            PrecisionRecallF1 {
                precision: 1.0,
                recall: 1.0,
                f1: 1.0
            }
        );
        let zero = PrecisionRecallF1 {
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
        };
        assert_eq!(SpanCounts::of(&refs(&one), &[]).exact(), zero);
        assert_eq!(SpanCounts::of(&[], &refs(&one)).overlap(), zero);
        // Both sides have spans, none match: P = R = 0 and F1 = 0, not 0/0.
        let other = spans(&[(5, 7, "PER")]);
        assert_eq!(SpanCounts::of(&refs(&one), &refs(&other)).exact(), zero);
    }

    #[test]
    fn cohen_kappa_by_hand() {
        // Tags O=0, B=1, I=2 over 10 characters:
        //   a: O O B I O O O O B O
        //   b: O O B I I O O O O O
        // They agree on 8: p_o = 0.8. a has O 7, B 2, I 1; b has O 7, B 1, I 2:
        // p_e = (7·7 + 2·1 + 1·2) / 100 = 0.53; kappa = (0.8 - 0.53) / (1 - 0.53) = 27/47.
        let a = [0, 0, 1, 2, 0, 0, 0, 0, 1, 0];
        let b = [0, 0, 1, 2, 2, 0, 0, 0, 0, 0];
        close(cohen_kappa(&a, &b), 27.0 / 47.0);
        close(cohen_kappa(&a, &a), 1.0);
    }

    #[test]
    fn krippendorff_alpha_and_fleiss_kappa_by_hand() {
        // 3 coders, 4 units:  c1 0 0 1 1 / c2 0 1 1 1 / c3 0 0 1 0.
        // Units 1 and 3 split 2:1; each adds 2·2·1 / (m - 1) = 2 to the off-diagonal of the
        // coincidence matrix: 4. n = 12 values, n_0 = n_1 = 6.
        // alpha = 1 - (n - 1)·4 / (n² - n_0² - n_1²) = 1 - 11·4 / 72 = 7/18.
        // Fleiss: P_i = 1, 1/3, 1, 1/3, P̄ = 2/3; p_0 = p_1 = 1/2, P̄_e = 1/2;
        // kappa = (2/3 - 1/2) / (1 - 1/2) = 1/3.
        let coders = vec![vec![0, 0, 1, 1], vec![0, 1, 1, 1], vec![0, 0, 1, 0]];
        close(krippendorff_alpha_nominal(&coders), 7.0 / 18.0);
        close(fleiss_kappa(&coders), 1.0 / 3.0);
    }

    #[test]
    fn chance_agreement_of_one_gives_one() {
        // Every character O in every file: p_e = 1, the formulas are 0/0; by convention 1.
        let all_o = vec![vec![0; 5], vec![0; 5], vec![0; 5]];
        close(cohen_kappa(&all_o[0], &all_o[1]), 1.0);
        close(krippendorff_alpha_nominal(&all_o), 1.0);
        close(fleiss_kappa(&all_o), 1.0);
        // No characters at all: nothing to disagree on.
        close(cohen_kappa(&[], &[]), 1.0);
        close(krippendorff_alpha_nominal(&[vec![], vec![]]), 1.0);
        // One rater constant, the other not: p_e = 12/16 = p_o: kappa 0 (not an edge case).
        close(cohen_kappa(&[0, 0, 0, 0], &[0, 0, 0, 1]), 0.0);
    }

    #[test]
    fn bio_tags_keep_the_longest_of_overlapping_spans() {
        // 古巴共产党 ORG contains 古巴 GPE: ORG wins; 北京 contains 京: 北京 wins; 城 right
        // after it starts a new B. The space is a character like any other (O). Ties on length
        // are tested with `span::longest_first`.
        let p = project(
            &["[[古巴](GPE)共产党](ORG) [北[京](GPE)](GPE)[城](GPE)"],
            &[],
        );
        let mut names = TagNames::default();
        let tags = bio_tags(&p.documents[0], AgreementOptions::default(), &mut names);
        let tags: Vec<&str> = tags.iter().map(|&t| names.name(t)).collect();
        assert_eq!(
            tags,
            [
                "B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "B-GPE", "I-GPE", "B-GPE"
            ]
        );
    }

    #[test]
    fn compare_two_files_by_hand() {
        // 习近平在北京: A has PER [0, 3) and GPE [4, 6); B only the PER.
        // exact: 1 match, P = 1, R = 1/2, F1 = 2/3; per label PER 1/1/1, GPE 0/0/0 (B has none).
        // Tags A: B-PER I-PER I-PER O B-GPE I-GPE, B: B-PER I-PER I-PER O O O; agree 4 of 6.
        // Σ a_k·b_k = B-PER 1·1 + I-PER 2·2 + O 1·3 = 8: kappa = (6·4 - 8) / (36 - 8) = 4/7.
        // alpha: 2 disagreeing units add 2 each: 4; n = 12, n_c = 2, 4, 4, 1, 1, Σn_c² = 38:
        // alpha = 1 - 11·4 / (144 - 38) = 31/53.
        let a = project(&["[习近平](PER)在[北京](GPE)", "只在A里"], &[]);
        let b = project(&["[习近平](PER)在北京"], &[]);
        let report = compare(&[file("a", &a), file("b", &b)], AgreementOptions::default())
            .expect("shared document");
        assert_eq!(report.documents_compared, 1);
        assert_eq!(report.characters, 6);
        assert_eq!(
            report.skipped,
            [SkippedDocument {
                file: "a.json".to_owned(),
                id: "d1".to_owned()
            }]
        );
        let pair = &report.pairs[0];
        close(pair.exact.precision, 1.0);
        close(pair.exact.recall, 0.5);
        close(pair.exact.f1, 2.0 / 3.0);
        close(pair.per_label["PER"].exact.f1, 1.0);
        close(pair.per_label["GPE"].exact.f1, 0.0);
        close(pair.cohen_kappa, 4.0 / 7.0);
        close(report.krippendorff_alpha, 31.0 / 53.0);
        assert_eq!(report.fleiss_kappa, None);
        assert_eq!(report.labels, ["PER", "GPE"]);
    }

    #[test]
    fn suggested_spans_count_only_when_asked_and_rejected_never() {
        // B's GPE is suggested and a LOC is rejected.
        let a = project(&["[习近平](PER)在[北京](GPE)"], &[]);
        let b = project(
            &["[习近平](PER)在[[北京](GPE)](LOC)"],
            &[(2, SpanStatus::Suggested), (3, SpanStatus::Rejected)],
        );
        let files = [file("a", &a), file("b", &b)];
        let accepted = compare(&files, AgreementOptions::default()).expect("shared");
        close(accepted.pairs[0].exact.recall, 0.5);
        let with_suggested = compare(
            &files,
            AgreementOptions {
                include_suggested: true,
            },
        )
        .expect("shared");
        close(with_suggested.pairs[0].exact.recall, 1.0);
        close(with_suggested.pairs[0].exact.precision, 1.0);
        close(with_suggested.pairs[0].cohen_kappa, 1.0);
        assert!(!with_suggested.labels.contains(&"LOC".to_owned()));
    }

    #[test]
    fn files_without_a_shared_document_are_refused() {
        let a = project(&["甲"], &[]);
        let b = project(&["乙"], &[]);
        let c = project(&["甲", "乙"], &[]);
        let error = compare(&[file("a", &a), file("b", &b)], AgreementOptions::default());
        assert_eq!(
            error,
            Err(AgreementError::NothingInCommon {
                a: "a.json".to_owned(),
                b: "b.json".to_owned()
            })
        );
        assert!(
            error
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
                .contains("a.json and b.json have no document in common")
        );
        // Each pair shares one, but none is in all three.
        let ac = project(&["甲", "丙"], &[]);
        let bc = project(&["乙", "丙"], &[]);
        let error = compare(
            &[file("a", &c), file("b", &ac), file("c", &bc)],
            AgreementOptions::default(),
        );
        assert!(matches!(error, Err(AgreementError::NothingInAll { .. })));
    }

    #[test]
    fn the_single_annotator_names_a_file() {
        let mut p = project(&["[甲](PER)[乙](PER)"], &[]);
        assert_eq!(single_annotator(&p), None);
        let spans: Vec<Span> = p.documents[0]
            .spans
            .iter()
            .map(|s| Span {
                annotator: Some("alice".into()),
                ..s.clone()
            })
            .collect();
        p.documents[0].spans = SpanIndex::new(spans.clone());
        assert_eq!(single_annotator(&p).as_deref(), Some("alice"));
        let mut mixed = spans;
        mixed[1].annotator = Some("bob".into());
        p.documents[0].spans = SpanIndex::new(mixed);
        assert_eq!(single_annotator(&p), None);
    }

    #[test]
    fn relation_f1_matches_type_and_both_ends_by_position_and_label() {
        use crate::core::relation::RelationType;
        use crate::core::{Editor, Rgb};
        // The same text and spans in both files, the span ids different (B's spans were made in
        // another order). A: meets 习近平→卡斯特罗, in 卡斯特罗→北京. B: meets 习近平→卡斯特罗
        // (a match), in 习近平→北京 (another start: no match), meets 卡斯特罗→习近平 (another
        // direction: no match). P = 1/3, R = 1/2, F1 = 2·(1/3)(1/2) / (5/6) = 2/5.
        let file = |order: &[usize], relations: &[(usize, usize, &str)]| {
            let mut editor = Editor::new(crate::core::markup::project("习近平在北京会见卡斯特罗"));
            for name in ["meets", "in"] {
                let t = editor
                    .project
                    .add_relation_type(RelationType::new(name, Rgb(0, 0, 0)));
                editor.execute(t).expect("type");
            }
            let places = [(0, 3, "PER"), (4, 6, "GPE"), (8, 12, "PER")];
            let mut ids = [crate::core::SpanId(0); 3];
            for &k in order {
                let (start, end, label) = places[k];
                let t = editor.project.tag(0, start, end, label);
                let applied = editor.execute(t).expect("tag");
                ids[k] = applied.edits[0].span_after().expect("span").id;
            }
            for &(from, to, kind) in relations {
                let t = editor.project.relate(0, ids[from], ids[to], kind);
                editor.execute(t).expect("relate");
            }
            editor.project
        };
        let a = file(&[0, 1, 2], &[(0, 2, "meets"), (2, 1, "in")]);
        let b = file(
            &[2, 1, 0],
            &[(0, 2, "meets"), (0, 1, "in"), (2, 0, "meets")],
        );
        let files = [
            AnnotatorFile {
                name: "a".into(),
                file: "a.json".into(),
                project: &a,
            },
            AnnotatorFile {
                name: "b".into(),
                file: "b.json".into(),
                project: &b,
            },
        ];
        let report = compare(&files, AgreementOptions::default()).expect("compare");
        let pair = &report.pairs[0];
        assert_eq!((pair.a_relations, pair.b_relations), (2, 3));
        close(pair.relations.precision, 1.0 / 3.0);
        close(pair.relations.recall, 0.5);
        close(pair.relations.f1, 0.4);
        // The spans themselves agree fully.
        close(pair.exact.f1, 1.0);
    }
}
