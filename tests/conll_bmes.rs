//! Reading BMES tags (`B-`, `M-`, `E-`, `S-`, `O`, as in the MSRA corpus) with the CoNLL importer,
//! and what strict and `--lenient` imports do with entities cut by a sentence break.

use std::path::{Path, PathBuf};

use spantag::core::formats::{self, Format, ImportOptions, ImportReport};

fn import(content: &str, lenient: bool) -> (Result<ImportReport, formats::ImportError>, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("msra.bmes");
    std::fs::write(&path, content).expect("write");
    let options = ImportOptions {
        lenient,
        ..ImportOptions::default()
    };
    let result = formats::import(Format::Conll, std::slice::from_ref(&path), &options);
    (result, path)
}

/// (text of the span, label) for every span of the only document, in order.
fn spans(report: &ImportReport) -> Vec<(String, String)> {
    let doc = &report.project.documents[0];
    doc.spans
        .iter()
        .map(|s| {
            (
                doc.document.slice(s.start, s.end).to_owned(),
                s.label.to_string(),
            )
        })
        .collect()
}

#[test]
fn bmes_tags_become_spans_over_the_rebuilt_text() {
    let content = "中 B-ORG\n国 M-ORG\n队 E-ORG\n在 O\n京 S-LOC\n\n张 B-PER\n三 E-PER\n好 O\n";
    let (report, _) = import(content, false);
    let report = report.expect("a well-formed BMES file imports");
    assert_eq!(
        report.project.documents[0].document.text(),
        "中国队在京\n张三好"
    );
    assert_eq!(
        spans(&report),
        [
            ("中国队".to_owned(), "ORG".to_owned()),
            ("京".to_owned(), "LOC".to_owned()),
            ("张三".to_owned(), "PER".to_owned()),
        ]
    );
}

/// The MSRA shape: a sentence break cuts 梁庆庭 into 梁 (tagged S-PER) and 庆庭 (M-PER E-PER).
const CUT: &str =
    "他 O\n见 O\n梁 S-PER\n\n庆 M-PER\n庭 E-PER\n和 O\n谢 B-PER\n后 M-PER\n和 E-PER\n";

#[test]
fn a_strict_import_names_the_line_where_an_entity_was_cut() {
    let (result, path) = import(CUT, false);
    let error = result.expect_err("an M- with nothing to continue is an error");
    assert_eq!(error.file, path);
    assert_eq!(error.place.as_deref(), Some("5"));
    assert!(
        error.reason.contains("M-PER does not continue an entity"),
        "{error}"
    );
}

#[test]
fn lenient_drops_only_the_broken_entity_and_counts_it_once() {
    let (report, _) = import(CUT, true);
    let report = report.expect("lenient import");
    // Both sentences and the entities around the cut are kept; 庆庭 (two tags) is one drop.
    assert_eq!(
        report.project.documents[0].document.text(),
        "他见梁\n庆庭和谢后和"
    );
    assert_eq!(
        spans(&report),
        [
            ("梁".to_owned(), "PER".to_owned()),
            ("谢后和".to_owned(), "PER".to_owned()),
        ]
    );
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    assert_eq!(report.skipped[0].place.as_deref(), Some("5"));
}

#[test]
fn an_entity_begun_but_never_ended_is_broken_when_the_tags_mark_ends() {
    // B-LOC M-LOC then O: in BMES the entity needed an E-LOC.
    let content = "北 B-LOC\n京 M-LOC\n人 O\n上 S-LOC\n";
    let (result, _) = import(content, false);
    let error = result.expect_err("an unclosed B- is an error in BMES");
    assert_eq!(error.place.as_deref(), Some("1"));
    assert!(error.reason.contains("never ends"), "{error}");
    let (report, _) = import(content, true);
    let report = report.expect("lenient import");
    assert_eq!(spans(&report), [("上".to_owned(), "LOC".to_owned())]);
    assert_eq!(report.skipped.len(), 1);
    // In IOB2 the same B-, I-, O is an ordinary entity.
    let (report, _) = import("北 B-LOC\n京 I-LOC\n人 O\n", false);
    assert_eq!(
        spans(&report.expect("IOB2")),
        [("北京".to_owned(), "LOC".to_owned())]
    );
}

/// The real corpus, when it is there: every cut entity is named, and a lenient import keeps
/// every sentence.
#[test]
fn the_msra_training_file_imports_leniently_and_strictly_names_a_line() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/msra/msra-train.bmes");
    if !path.exists() {
        eprintln!("skipped: {} is not here", path.display());
        return;
    }
    let paths = [path.clone()];
    let strict = formats::import(Format::Conll, &paths, &ImportOptions::default());
    let error = strict.expect_err("the file has sentences cut inside an entity");
    assert_eq!(error.file, path);
    assert!(error.place.is_some(), "{error}");
    let options = ImportOptions {
        lenient: true,
        ..ImportOptions::default()
    };
    let report = formats::import(Format::Conll, &paths, &options).expect("lenient import");
    let text = report.project.documents[0].document.text();
    let blank_lines = std::fs::read_to_string(&path)
        .expect("read")
        .lines()
        .filter(|l| l.trim().is_empty())
        .count();
    assert_eq!(text.matches('\n').count() + 1, blank_lines);
    assert!(!report.skipped.is_empty() && report.skipped.len() < 20);
    assert!(report.project.span_count() > 70_000);
}
