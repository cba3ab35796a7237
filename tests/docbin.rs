//! spaCy DocBin (`.spacy`) export and import: a golden file (checked against spaCy 3.8 by
//! `scripts/docbin_check.py`; CI needs no Python) and round trips.

mod common;

use std::path::Path;

use spantag::core::Project;
use spantag::core::formats::{self, ExportOptions, Format, ImportOptions, Tokens};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docbin");

/// Whitespace spaCy must keep byte for byte (two spaces, `\r\n`, a tab, a trailing newline),
/// a character outside the BMP, a reserved symbol as a label (ORG has a fixed id, not a
/// hash), and nested spans (one kept in doc.ents, both in doc.spans["sc"]).
fn project() -> Project {
    common::project_from(
        &["PER", "ORG", "GPE"],
        &[
            (
                "talks",
                "Xi met  Díaz-Canel\r\nin 𠮷野家\tBeijing.\n",
                &[
                    (0, 2, "PER"),
                    (8, 18, "PER"),
                    (23, 26, "ORG"),
                    (27, 34, "GPE"),
                ],
            ),
            (
                "party",
                "古巴共产党代表团访问北京。",
                &[(0, 5, "ORG"), (0, 2, "GPE"), (10, 12, "GPE")],
            ),
            ("empty", "", &[]),
        ],
    )
}

fn options() -> ExportOptions {
    ExportOptions {
        tokens: Tokens::Word,
        ..Default::default()
    }
}

/// `(text, [(start, end, label)])` per document, the spans sorted.
/// A document's text and its spans as `(start, end, label)`.
type DocFacts = (String, Vec<(usize, usize, String)>);

fn facts(project: &Project) -> Vec<DocFacts> {
    project
        .documents
        .iter()
        .map(|d| {
            let mut spans: Vec<_> = d
                .spans
                .iter()
                .map(|s| (s.start, s.end, s.label.to_string()))
                .collect();
            spans.sort();
            (d.document.text().to_owned(), spans)
        })
        .collect()
}

#[test]
fn docbin_export_matches_the_golden_file_spacy_loaded() {
    let report = formats::export(&project(), Format::Docbin, &options()).expect("export");
    let bytes = &report.files[0].bytes;
    let golden = Path::new(FIXTURES).join("tricky.spacy");
    let expected = Path::new(FIXTURES).join("tricky.expected.json");
    let facts_json = serde_json::to_string_pretty(&facts(&project())).expect("json") + "\n";
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(&golden, bytes).expect("write");
        std::fs::write(&expected, &facts_json).expect("write");
    }
    assert!(
        std::fs::read(&golden).expect("golden (UPDATE_FIXTURES=1)") == *bytes,
        "the export differs from {}; regenerate it and check it with scripts/docbin_check.py",
        golden.display()
    );
    assert_eq!(
        std::fs::read_to_string(&expected).expect("expected"),
        facts_json
    );
    // 古巴 [0, 2) overlaps 古巴共产党 [0, 5): out of doc.ents, still in doc.spans, named.
    assert_eq!(report.dropped.len(), 0);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("\"古巴\"") && w.contains("not in doc.ents")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn docbin_reads_back_the_text_byte_for_byte_and_every_span() {
    let golden = Path::new(FIXTURES).join("tricky.spacy");
    let report =
        formats::import(Format::Docbin, &[golden], &ImportOptions::default()).expect("import");
    assert_eq!(facts(&report.project), facts(&project()));
    assert_eq!(report.project.documents[0].document.id, "tricky-1");
}

#[test]
fn docbin_round_trip_with_char_tokens_and_another_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("train.spacy");
    let options = ExportOptions {
        tokens: Tokens::Char,
        spans_key: Some("ner".to_owned()),
        ..Default::default()
    };
    let report = formats::export(&project(), Format::Docbin, &options).expect("export");
    formats::write_output(&out, &report.files).expect("write");
    let back = formats::import(Format::Docbin, &[out], &ImportOptions::default()).expect("import");
    assert_eq!(facts(&back.project), facts(&project()));
}

#[test]
fn a_file_that_is_not_a_docbin_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.spacy");
    std::fs::write(&path, b"not zlib").expect("write");
    let error = formats::import(
        Format::Docbin,
        std::slice::from_ref(&path),
        &ImportOptions::default(),
    )
    .expect_err("not a DocBin");
    assert_eq!(error.file, path);
    assert!(error.reason.contains("not a spaCy DocBin"), "{error}");
}

#[test]
fn a_docbin_that_unpacks_past_the_limit_is_refused_before_it_is_read_whole() {
    use std::io::Write as _;
    // A zip bomb: 300 MiB of zeros compress to about 300 KB.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bomb.spacy");
    let file = std::fs::File::create(&path).expect("create");
    let mut encoder = flate2::write::ZlibEncoder::new(file, flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..300 {
        encoder.write_all(&zeros).expect("write");
    }
    encoder.finish().expect("finish");
    assert!(std::fs::metadata(&path).expect("size").len() < 2 << 20);
    let error = formats::import(
        Format::Docbin,
        std::slice::from_ref(&path),
        &ImportOptions::default(),
    )
    .expect_err("refused");
    let message = error.to_string();
    assert!(
        message.contains("unpacks to more than 256 MiB"),
        "{message}"
    );
    assert!(message.contains("bomb.spacy"), "{message}");
}
