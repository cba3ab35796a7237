//! Agreement figures on three annotators of the sample article, checked against figures
//! computed independently by `scripts/agreement_reference.py` (scikit-learn, krippendorff,
//! statsmodels) and stored in `tests/fixtures/agreement/reference.json`.

use std::path::Path;

use serde_json::Value;
use spantag::core::agreement::{
    self, AgreementOptions, AgreementReport, AnnotatorFile, PrecisionRecallF1,
};
use spantag::core::project_file;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/agreement");
const TOLERANCE: f64 = 1e-9;

fn report(include_suggested: bool) -> AgreementReport {
    let projects: Vec<_> = ["alice", "bob", "carol"]
        .iter()
        .map(|n| {
            project_file::load(&Path::new(FIXTURES).join(format!("{n}.json"))).expect("fixture")
        })
        .collect();
    let files: Vec<AnnotatorFile<'_>> = projects
        .iter()
        .map(|p| AnnotatorFile {
            name: agreement::single_annotator(p).expect("one annotator per fixture"),
            file: String::new(),
            project: p,
        })
        .collect();
    agreement::compare(&files, AgreementOptions { include_suggested }).expect("shared documents")
}

fn near(what: &str, actual: f64, expected: &Value) {
    let expected = expected.as_f64().unwrap_or(f64::NAN);
    assert!(
        (actual - expected).abs() <= TOLERANCE,
        "{what}: {actual} here, {expected} in the reference"
    );
}

fn near_scores(what: &str, actual: &PrecisionRecallF1, expected: &Value) {
    near(
        &format!("{what} precision"),
        actual.precision,
        &expected["precision"],
    );
    near(
        &format!("{what} recall"),
        actual.recall,
        &expected["recall"],
    );
    near(&format!("{what} f1"), actual.f1, &expected["f1"]);
}

fn check_against_reference(mode: &str, include_suggested: bool) {
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("reference.json"))
        .expect("reference.json");
    let reference: Value = serde_json::from_str(&text).expect("reference json");
    let expected = &reference[mode];
    let report = report(include_suggested);
    assert_eq!(
        report.documents_compared as u64,
        expected["documents_compared"]
    );
    assert_eq!(report.characters as u64, expected["characters"]);
    let expected_pairs = expected["pairs"].as_array().expect("pairs");
    assert_eq!(report.pairs.len(), expected_pairs.len());
    for (pair, e) in report.pairs.iter().zip(expected_pairs) {
        let name = format!("{mode} {} vs {}", pair.a, pair.b);
        assert_eq!(pair.a, e["a"].as_str().unwrap_or_default());
        assert_eq!(pair.b, e["b"].as_str().unwrap_or_default());
        near_scores(&format!("{name} exact"), &pair.exact, &e["exact"]);
        near_scores(&format!("{name} overlap"), &pair.overlap, &e["overlap"]);
        near(
            &format!("{name} kappa"),
            pair.cohen_kappa,
            &e["cohen_kappa"],
        );
        let labels = e["per_label"].as_object().expect("per_label");
        let mut ours: Vec<&String> = pair.per_label.keys().collect();
        let mut theirs: Vec<&String> = labels.keys().collect();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "{name}: labels");
        for (label, l) in labels {
            let got = &pair.per_label[label];
            near_scores(&format!("{name} {label} exact"), &got.exact, &l["exact"]);
            near_scores(
                &format!("{name} {label} overlap"),
                &got.overlap,
                &l["overlap"],
            );
            assert_eq!(got.a_spans as u64, l["a_spans"], "{name} {label}");
            assert_eq!(got.b_spans as u64, l["b_spans"], "{name} {label}");
        }
    }
    near(
        &format!("{mode} alpha"),
        report.krippendorff_alpha,
        &expected["krippendorff_alpha"],
    );
    near(
        &format!("{mode} fleiss"),
        report.fleiss_kappa.unwrap_or(f64::NAN),
        &expected["fleiss_kappa"],
    );
}

#[test]
fn accepted_spans_match_the_reference_implementations() {
    check_against_reference("accepted", false);
}

#[test]
fn accepted_and_suggested_spans_match_the_reference_implementations() {
    check_against_reference("include_suggested", true);
}

#[test]
fn the_fixtures_exercise_what_they_are_for() {
    // Differences between the two modes, a skipped document, overlapping spans.
    let accepted = report(false);
    let with_suggested = report(true);
    assert_ne!(accepted.pairs[0].exact, with_suggested.pairs[0].exact);
    assert_eq!(accepted.skipped.len(), 1);
    assert_eq!(accepted.skipped[0].id, "only-carol");
    assert!(accepted.krippendorff_alpha > 0.5 && accepted.krippendorff_alpha < 1.0);
}
