//! Files other tools really write: Label Studio's JSON-MIN export, cancelled annotations and
//! several annotators; doccano files whose offsets count UTF-16 units; brat's line rules; empty
//! split parts and Hugging Face's split names.

use std::path::PathBuf;

use spantag::core::formats::{
    self, ExportOptions, Format, ImportError, ImportOptions, ImportReport,
};
use spantag::core::project::AnnotatedDocument;
use spantag::core::{Document, LabelSet, Project, Span, SpanId, SpanIndex};

fn import(
    format: Format,
    name: &str,
    content: &str,
    options: &ImportOptions,
) -> (Result<ImportReport, ImportError>, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write");
    let result = formats::import(format, std::slice::from_ref(&path), options);
    (result, path)
}

/// (span text, label) of every span of every document, in order.
fn spans(report: &ImportReport) -> Vec<(String, String)> {
    report
        .project
        .documents
        .iter()
        .flat_map(|doc| {
            doc.spans.iter().map(|s| {
                (
                    doc.document.slice(s.start, s.end).to_owned(),
                    s.label.to_string(),
                )
            })
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn label_studio_json_min_records_are_read() {
    // What Label Studio's "JSON-MIN" export writes: one flat record per annotation, the
    // regions under the Labels control's name.
    let content = r#"[
      {"id": 7, "text": "Xi met Díaz-Canel in Beijing.",
       "label": [{"start": 0, "end": 2, "text": "Xi", "labels": ["PER"]},
                 {"start": 21, "end": 28, "text": "Beijing", "labels": ["GPE"]}],
       "annotator": "ann@example.org", "annotation_id": 3, "lead_time": 4.2},
      {"id": 8, "text": "Nothing here.", "annotator": "ann@example.org", "annotation_id": 4}
    ]"#;
    let (report, _) = import(
        Format::LabelStudio,
        "min.json",
        content,
        &ImportOptions::default(),
    );
    let report = report.expect("imports");
    assert_eq!(report.project.documents.len(), 2);
    assert_eq!(spans(&report), pairs(&[("Xi", "PER"), ("Beijing", "GPE")]));
}

/// One task, three annotators, the first annotation cancelled ("skipped").
const THREE_ANNOTATORS: &str = r#"[{"id": 1, "data": {"content": "Mao visited Paris."},
  "annotations": [
    {"id": 10, "completed_by": 1, "was_cancelled": true, "result": [
      {"id": "a", "type": "labels", "from_name": "label", "to_name": "text",
       "value": {"start": 0, "end": 3, "labels": ["CANCELLED"]}}]},
    {"id": 11, "completed_by": 2, "result": [
      {"id": "b", "type": "labels", "from_name": "label", "to_name": "text",
       "value": {"start": 0, "end": 3, "labels": ["PER"]}}]},
    {"id": 12, "completed_by": {"id": 3, "email": "c@example.org"}, "result": [
      {"id": "c", "type": "labels", "from_name": "label", "to_name": "text",
       "value": {"start": 12, "end": 17, "labels": ["LOC"]}}]}
  ]}]"#;

#[test]
fn label_studio_skips_cancelled_annotations_and_picks_an_annotator() {
    let options = |completed_by: Option<&str>| ImportOptions {
        text_field: Some("content".to_owned()),
        completed_by: completed_by.map(str::to_owned),
        ..Default::default()
    };
    let (report, _) = import(
        Format::LabelStudio,
        "ls.json",
        THREE_ANNOTATORS,
        &options(None),
    );
    let report = report.expect("imports");
    // The first annotation not cancelled.
    assert_eq!(spans(&report), pairs(&[("Mao", "PER")]));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("1 cancelled annotations")),
        "{:?}",
        report.warnings
    );
    let (report, _) = import(
        Format::LabelStudio,
        "ls.json",
        THREE_ANNOTATORS,
        &options(Some("c@example.org")),
    );
    assert_eq!(spans(&report.expect("imports")), pairs(&[("Paris", "LOC")]));
    let (report, _) = import(
        Format::LabelStudio,
        "ls.json",
        THREE_ANNOTATORS,
        &options(Some("3")),
    );
    assert_eq!(spans(&report.expect("imports")), pairs(&[("Paris", "LOC")]));
    // The cancelled annotation is never read, even by its annotator.
    let (report, _) = import(
        Format::LabelStudio,
        "ls.json",
        THREE_ANNOTATORS,
        &options(Some("1")),
    );
    let report = report.expect("imports");
    assert_eq!(spans(&report), []);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("no annotation by 1"))
    );
    // Without --text-field the text is not found, and the error names the fields there are.
    let (result, path) = import(
        Format::LabelStudio,
        "ls.json",
        THREE_ANNOTATORS,
        &ImportOptions::default(),
    );
    let error = result.expect_err("no data.text");
    assert_eq!(error.file, path);
    assert!(
        error
            .reason
            .contains("no \"data.text\" string (its text fields: content"),
        "{error}"
    );
}

#[test]
fn doccano_offsets_that_only_fit_utf16_stop_the_import_and_name_the_option() {
    // doccano's browser counts UTF-16 units: 👍 is two, so Tokyo is [3, 8).
    let content = "{\"id\": 1, \"text\": \"👍 Tokyo is big\", \"label\": [[3, 8, \"LOC\"]]}\n";
    let (result, path) = import(
        Format::Doccano,
        "d.jsonl",
        content,
        &ImportOptions::default(),
    );
    let error = result.expect_err("the code-point reading gives \"okyo \"");
    assert_eq!(
        (error.file.clone(), error.place.as_deref()),
        (path, Some("1"))
    );
    assert!(error.reason.contains("gives \"okyo \""), "{error}");
    assert!(error.reason.contains("--offsets utf16"), "{error}");
    let utf16 = ImportOptions {
        offsets: formats::Offsets::Utf16,
        ..Default::default()
    };
    let (report, _) = import(Format::Doccano, "d.jsonl", content, &utf16);
    assert_eq!(spans(&report.expect("imports")), pairs(&[("Tokyo", "LOC")]));
    // A stored surface text decides where word boundaries cannot (CJK).
    let content =
        "{\"id\": 2, \"text\": \"𠮷野家在北京\", \"label\": [[5, 7, \"GPE\", \"北京\"]]}\n";
    let (result, _) = import(
        Format::Doccano,
        "d.jsonl",
        content,
        &ImportOptions::default(),
    );
    assert!(
        result
            .expect_err("UTF-16")
            .reason
            .contains("--offsets utf16")
    );
    // Code points that fit are read as they are, and CJK without a surface text is not
    // second-guessed.
    for content in [
        "{\"id\": 1, \"text\": \"👍 Tokyo is big\", \"label\": [[2, 7, \"LOC\"]]}\n",
        "{\"id\": 2, \"text\": \"𠮷野家在北京\", \"label\": [[4, 6, \"GPE\"]]}\n",
    ] {
        let (report, _) = import(
            Format::Doccano,
            "d.jsonl",
            content,
            &ImportOptions::default(),
        );
        assert_eq!(spans(&report.expect("imports")).len(), 1, "{content}");
    }
    // And the other way round: code points read as UTF-16.
    let content = "{\"id\": 1, \"text\": \"👍 Tokyo is big\", \"label\": [[2, 7, \"LOC\"]]}\n";
    let (result, _) = import(Format::Doccano, "d.jsonl", content, &utf16);
    assert!(
        result
            .expect_err("code points")
            .reason
            .contains("--offsets codepoint")
    );
}

/// A span as `(start, end, label)`.
type SpanAt<'a> = (usize, usize, &'a str);

fn project(texts: &[(&str, &[SpanAt])]) -> Project {
    let mut labels = Vec::new();
    let documents = texts
        .iter()
        .enumerate()
        .map(|(d, (text, spans))| {
            AnnotatedDocument::new(
                Document::new(format!("doc{d}"), "d", *text),
                SpanIndex::new(
                    spans
                        .iter()
                        .enumerate()
                        .map(|(i, &(s, e, l))| {
                            if !labels.contains(&l) {
                                labels.push(l);
                            }
                            Span::new(SpanId(i as u64 + 1), s, e, l)
                        })
                        .collect(),
                ),
            )
        })
        .collect();
    let labels = LabelSet::new(
        labels
            .iter()
            .enumerate()
            .map(|(i, n)| spantag::core::Label::new(n, spantag::core::label::PALETTE[i], None, ""))
            .collect(),
    );
    Project::from_parts(labels, documents)
}

#[test]
fn brat_splits_spans_at_every_python_line_break() {
    // Each of Python's str.splitlines breaks sits inside a span: "A?B" with the break at 1.
    let breaks = [
        '\n', '\r', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\u{85}', '\u{2028}', '\u{2029}',
    ];
    let text: String = breaks.iter().map(|c| format!("A{c}B ")).collect();
    let spans: Vec<(usize, usize, &str)> =
        (0..breaks.len()).map(|i| (i * 4, i * 4 + 3, "X")).collect();
    let project = project(&[(&text, &spans)]);
    let report =
        formats::export(&project, Format::Brat, &ExportOptions::default()).expect("export");
    let ann = report
        .files
        .iter()
        .find(|f| f.path.extension().is_some_and(|e| e == "ann"))
        .expect("an .ann file");
    let ann = String::from_utf8(ann.bytes.clone()).expect("utf-8");
    // As Python reads it, every line is a whole T line.
    assert!(!ann.contains(|c| breaks[1..].contains(&c)), "{ann:?}");
    let lines: Vec<&str> = ann.lines().collect();
    assert_eq!(lines.len(), breaks.len(), "{ann:?}");
    for (i, line) in lines.iter().enumerate() {
        let (s, e) = (i * 4, i * 4 + 3);
        assert_eq!(
            *line,
            format!("T{}\tX {s} {};{} {e}\tA B", i + 1, s + 1, s + 2)
        );
    }
}

#[test]
fn split_warns_about_an_empty_part_and_hf_names_its_splits() {
    let project = project(&[
        ("Mao visited Paris.", &[(0, 3, "PER")]),
        ("Xi visited Havana.", &[(0, 2, "PER")]),
        ("Lu went home.", &[(0, 2, "PER")]),
    ]);
    let options = ExportOptions {
        split: Some("80/10/10".parse().expect("ratio")),
        ..Default::default()
    };
    let report = formats::export(&project, Format::Hf, &options).expect("export");
    let names: Vec<String> = report
        .files
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "train.jsonl",
            "validation.jsonl",
            "test.jsonl",
            "labels.json"
        ]
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("the validation part has none of the 3 documents")),
        "{:?}",
        report.warnings
    );
    let report = formats::export(&project, Format::Conll, &options).expect("export");
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("the dev part has none"))
    );
    let even = ExportOptions {
        split: Some("34/33/33".parse().expect("ratio")),
        ..Default::default()
    };
    let report = formats::export(&project, Format::Conll, &even).expect("export");
    assert!(!report.warnings.iter().any(|w| w.contains("part has none")));
}

#[test]
fn label_studio_exports_suggested_spans_as_predictions_and_reads_them_back() {
    let mut project = project(&[("Mao visited Paris.", &[(0, 3, "PER"), (12, 17, "LOC")])]);
    let doc = &mut project.documents[0];
    let mut edited: Vec<Span> = doc.spans.iter().cloned().collect();
    edited[1].status = spantag::core::span::SpanStatus::Suggested;
    doc.spans = SpanIndex::new(edited);
    let report =
        formats::export(&project, Format::LabelStudio, &ExportOptions::default()).expect("export");
    let tasks: serde_json::Value = serde_json::from_slice(&report.files[0].bytes).expect("json");
    assert_eq!(
        tasks[0]["annotations"][0]["result"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let prediction = &tasks[0]["predictions"][0]["result"][0]["value"];
    assert_eq!(prediction["text"], "Paris");
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("1 suggested spans are exported as predictions")),
        "{:?}",
        report.warnings
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("ls.json");
    formats::write_output(&out, &report.files).expect("write");
    let options = ImportOptions {
        as_suggestions: true,
        ..Default::default()
    };
    let back = formats::import(Format::LabelStudio, &[out], &options).expect("import");
    assert_eq!(spans(&back), pairs(&[("Mao", "PER"), ("Paris", "LOC")]));
}
