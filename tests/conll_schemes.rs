//! The CoNLL tag schemes (bio, iob1, bioes, bilou, bmes) through export and import: golden
//! files written by hand from each scheme's definition, round trips with the scheme detected,
//! `-DOCSTART-` documents and CoNLL-2003's four-column form.

mod common;

use std::path::{Path, PathBuf};

use spantag::core::formats::{
    self, ExportOptions, Format, ImportOptions, ImportReport, Scheme, Tokens,
};
use spantag::core::{Document, Project};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schemes");

/// Two adjacent PER entities (where iob1 needs its `B-`), a three-token LOC (a middle tag),
/// and one-token entities (`S-`/`U-`), in two documents.
fn project() -> Project {
    common::project_from(
        &["PER", "LOC"],
        &[
            (
                "news",
                "Peter Blackburn Tom Smith met in New York City.",
                &[(0, 15, "PER"), (16, 25, "PER"), (33, 46, "LOC")],
            ),
            (
                "short",
                "Mao visited Paris.",
                &[(0, 3, "PER"), (12, 17, "LOC")],
            ),
        ],
    )
}

fn options(scheme: Scheme) -> ExportOptions {
    ExportOptions {
        scheme,
        tokens: Tokens::Word,
        ..Default::default()
    }
}

fn export(options: &ExportOptions) -> String {
    let report = formats::export(&project(), Format::Conll, options).expect("export");
    assert!(report.dropped.is_empty(), "{:?}", report.dropped);
    String::from_utf8(report.files[0].bytes.clone()).expect("utf-8")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join(name)).expect("fixture")
}

fn import_text(
    content: &str,
    options: &ImportOptions,
) -> (Result<ImportReport, formats::ImportError>, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("in.conll");
    std::fs::write(&path, content).expect("write");
    let result = formats::import(Format::Conll, std::slice::from_ref(&path), options);
    (result, path)
}

/// (document, span text, label) of every span, in order.
fn spans(project: &Project) -> Vec<(usize, String, String)> {
    project
        .documents
        .iter()
        .enumerate()
        .flat_map(|(d, doc)| {
            doc.spans.iter().map(move |s| {
                (
                    d,
                    doc.document.slice(s.start, s.end).to_owned(),
                    s.label.to_string(),
                )
            })
        })
        .collect()
}

#[test]
fn each_scheme_writes_its_hand_checked_golden_file_and_reads_back_detected() {
    let expected = spans(&project());
    for scheme in Scheme::ALL {
        let written = export(&options(scheme));
        assert_eq!(written, fixture(&format!("{scheme}.conll")), "{scheme}");
        let (report, path) = import_text(&written, &ImportOptions::default());
        let report = report.expect("imports");
        assert_eq!(
            report.project.documents.len(),
            2,
            "{scheme}: -DOCSTART- splits"
        );
        assert_eq!(spans(&report.project), expected, "{scheme}");
        assert_eq!(
            report.notes,
            [format!(
                "{}: tags read as {scheme} ({}; choose another with --scheme)",
                path.display(),
                match scheme {
                    Scheme::Bio => "every entity begins with B-",
                    Scheme::Iob1 =>
                        "an I- tag opens an entity (I-PER after the start of the sentence)",
                    Scheme::Bioes => "E-/S- tags with I- for the inside",
                    Scheme::Bilou => "L-/U- tags",
                    Scheme::Bmes => "M- tags for the middle of an entity",
                }
            )],
            "{scheme}"
        );
        // Named explicitly, the scheme reads the same.
        let given = ImportOptions {
            scheme: Some(scheme),
            ..Default::default()
        };
        let (report, _) = import_text(&written, &given);
        assert_eq!(spans(&report.expect("imports").project), expected);
    }
}

#[test]
fn conll2003_four_columns_with_fillers_and_docstart_before_every_document() {
    let options = ExportOptions {
        conll2003: true,
        ..options(Scheme::Iob1)
    };
    let written = export(&options);
    assert_eq!(written, fixture("iob1-conll2003.conll"));
    let (report, _) = import_text(&written, &ImportOptions::default());
    assert_eq!(spans(&report.expect("imports").project), spans(&project()));
}

#[test]
fn the_original_conll2003_english_layout_reads_as_iob1() {
    // The opening of CoNLL-2003's eng.train: IOB1 tags, POS and chunk columns.
    let content = "-DOCSTART- -X- -X- O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\nGerman JJ I-NP I-MISC\ncall NN I-NP O\nto TO I-VP O\nboycott VB I-VP O\nBritish JJ I-NP I-MISC\nlamb NN I-NP O\n. . O O\n\nPeter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\n\n-DOCSTART- -X- -X- O\n\nJapan NNP I-NP I-LOC\nChina NNP I-NP I-LOC\nand CC O O\nEast NNP I-NP I-LOC\nGermany NNP I-NP B-LOC\n";
    let (report, _) = import_text(content, &ImportOptions::default());
    let report = report.expect("imports");
    let found: Vec<(usize, String, String)> = spans(&report.project);
    let expect = |d: usize, t: &str, l: &str| (d, t.to_owned(), l.to_owned());
    assert_eq!(
        found,
        [
            expect(0, "EU", "ORG"),
            expect(0, "German", "MISC"),
            expect(0, "British", "MISC"),
            expect(0, "Peter Blackburn", "PER"),
            expect(1, "Japan China", "LOC"),
            expect(1, "East", "LOC"),
            expect(1, "Germany", "LOC"),
        ]
    );
    assert!(
        report.notes[0].contains("read as iob1"),
        "{:?}",
        report.notes
    );
}

#[test]
fn twenty_documents_export_and_import_as_twenty() {
    let mut project = project();
    let template = project.documents[1].clone();
    project.documents = (0..20)
        .map(|i| {
            let mut doc = template.clone();
            doc.document = Document::new(format!("d{i}"), "d", "Mao visited Paris.");
            doc
        })
        .collect();
    let report = formats::export(&project, Format::Conll, &options(Scheme::Bio)).expect("export");
    let written = String::from_utf8(report.files[0].bytes.clone()).expect("utf-8");
    assert_eq!(written.matches("-DOCSTART-\tO\n").count(), 20);
    let (back, _) = import_text(&written, &ImportOptions::default());
    let back = back.expect("imports");
    assert_eq!(back.project.documents.len(), 20);
    assert_eq!(back.project.span_count(), 40);
    // Without the lines, the documents run together as one.
    let joined = ExportOptions {
        no_docstart: true,
        ..options(Scheme::Bio)
    };
    let report = formats::export(&project, Format::Conll, &joined).expect("export");
    let written = String::from_utf8(report.files[0].bytes.clone()).expect("utf-8");
    assert!(!written.contains("DOCSTART"));
    let (back, _) = import_text(&written, &ImportOptions::default());
    assert_eq!(back.expect("imports").project.documents.len(), 1);
}

#[test]
fn a_file_no_scheme_reads_names_the_first_break_of_each_candidate() {
    // I-PER opens an entity (not bio, bioes or bilou); B-LOC after O (not iob1).
    let content = "a\tI-PER\nb\tO\n\nc\tO\nd\tB-LOC\ne\tI-LOC\n";
    let (result, path) = import_text(content, &ImportOptions::default());
    let error = result.expect_err("fits no scheme");
    assert_eq!(error.file, path);
    for part in [
        "the tags fit no tag scheme",
        "bio breaks at line 1: I-PER does not continue an entity",
        "iob1 breaks at line 5: B-LOC follows O",
        "bioes breaks at line 1",
        "bilou breaks at line 1",
    ] {
        assert!(error.reason.contains(part), "{part}: {error}");
    }
    assert!(!error.reason.contains("bmes"), "bmes has no I-: {error}");
    // With --lenient the reading that breaks least is used, and its breaks are skipped.
    let lenient = ImportOptions {
        lenient: true,
        ..Default::default()
    };
    let (report, _) = import_text(content, &lenient);
    let report = report.expect("lenient");
    assert_eq!(report.skipped.len(), 1);
}

#[test]
fn a_scheme_given_that_does_not_fit_fails_at_the_line() {
    let given = ImportOptions {
        scheme: Some(Scheme::Bioes),
        ..Default::default()
    };
    // A BIO entity of two tokens: bioes wants an E- to close it.
    let (result, _) = import_text("New\tB-LOC\nYork\tI-LOC\nis\tO\n", &given);
    let error = result.expect_err("not bioes");
    assert_eq!(error.place.as_deref(), Some("1"));
    assert!(error.reason.contains("never ends"), "{error}");
}
