//! Export and import through the core functions: round trips, golden files, the brat corpus.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use spantag::core::formats::{self, ExportOptions, Format, ImportOptions, Offsets, Scheme, Tokens};
use spantag::core::project::AnnotatedDocument;
use spantag::core::{Document, LabelSet, Project, Span, SpanId, SpanIndex, project_file};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/annotations/sample.json");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const BRAT_CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/brat-examples"
);

/// `(start, end, label, note, group)`; groups renumbered by first appearance so that two
/// projects compare equal whatever ids they gave their groups.
type SpanFacts = (usize, usize, String, Option<String>, Option<u64>);

fn facts(doc: &AnnotatedDocument) -> Vec<SpanFacts> {
    let mut groups = HashMap::new();
    let mut spans: Vec<&Span> = doc.spans.iter().collect();
    spans.sort_by_key(|s| (s.start, s.end, s.label.to_string()));
    spans
        .into_iter()
        .map(|s| {
            let next = groups.len() as u64 + 1;
            let group = s.group.map(|g| *groups.entry(g).or_insert(next));
            (
                s.start,
                s.end,
                s.label.to_string(),
                s.note.as_deref().map(str::to_owned),
                group,
            )
        })
        .collect()
}

fn span(id: u64, start: usize, end: usize, label: &str) -> Span {
    Span::new(SpanId(id), start, end, label)
}

/// CJK, an emoji with a skin tone modifier, 𠮷 outside the BMP, `\r\n` line endings, nested
/// spans, a note and a discontinuous mention.
fn tricky_project() -> Project {
    let t1 = "古巴共产党代表团访问北京。\r\n𠮷野家的老板说👍🏽，很好！\r\n";
    let t2 = "Xi met Díaz-Canel in Beijing.\r\n他们在𠮷野家谈了 2 小时。";
    let mut d1 = vec![
        span(1, 0, 5, "ORG"),
        span(2, 0, 2, "GPE"),
        span(3, 10, 12, "GPE"),
        span(4, 15, 18, "ORG"),
        span(5, 22, 24, "EMOJI"),
    ];
    d1[0].note = Some("the Communist Party of Cuba".into());
    let mut d2 = vec![
        span(6, 0, 2, "PER"),
        span(7, 7, 17, "PER"),
        span(8, 21, 28, "GPE"),
        span(9, 34, 37, "ORG"),
        span(10, 12, 17, "PER"),
    ];
    // "Xi … Canel": one mention in two fragments; a group's note is stored on its first
    // fragment only (docs/FORMAT.md).
    for i in [0, 4] {
        d2[i].group = Some(1);
    }
    d2[0].note = Some("two parts".into());
    let labels = LabelSet::new(
        ["ORG", "GPE", "EMOJI", "PER"]
            .iter()
            .enumerate()
            .map(|(i, n)| spantag::core::Label::new(n, spantag::core::label::PALETTE[i], None, ""))
            .collect(),
    );
    let doc = |id: &str, text: &str, spans: Vec<Span>| {
        AnnotatedDocument::new(Document::new(id, id, text), SpanIndex::new(spans))
    };
    Project::from_parts(
        labels,
        vec![doc("cuba", t1, d1), doc("beijing talks", t2, d2)],
    )
}

fn export_to(project: &Project, format: Format, out: &Path, options: &ExportOptions) {
    let report = formats::export(project, format, options).expect("export");
    formats::write_output(out, &report.files).expect("write");
}

/// Export, write, import again.
fn round_trip(project: &Project, format: Format) -> Project {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    export_to(project, format, &out, &ExportOptions::default());
    let report = formats::import(format, &[out], &ImportOptions::default()).expect("import");
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    report.project
}

fn assert_same(before: &Project, after: &Project, keep: impl Fn(SpanFacts) -> SpanFacts) {
    assert_eq!(before.documents.len(), after.documents.len());
    for (a, b) in before.documents.iter().zip(&after.documents) {
        assert_eq!(a.document.id, b.document.id);
        assert_eq!(a.document.text(), b.document.text(), "{}", a.document.id);
        let fa: Vec<_> = facts(a).into_iter().map(&keep).collect();
        let fb: Vec<_> = facts(b).into_iter().map(&keep).collect();
        assert_eq!(fa, fb, "document {}", a.document.id);
    }
}

#[test]
fn brat_round_trip_keeps_texts_offsets_labels_notes_and_groups() {
    let project = tricky_project();
    let mut back = round_trip(&project, Format::Brat);
    // brat import reads a folder's files in name order.
    back.documents.reverse();
    assert_same(&project, &back, |f| f);
    // annotation.conf gives the label order back.
    let names: Vec<_> = back.labels.iter().map(|l| l.name.clone()).collect();
    assert_eq!(names, ["ORG", "GPE", "EMOJI", "PER"]);
}

#[test]
fn label_studio_round_trip_keeps_texts_offsets_labels_and_notes() {
    let project = tricky_project();
    let back = round_trip(&project, Format::LabelStudio);
    // Label Studio has no discontinuous regions: groups do not survive (the export warns).
    assert_same(&project, &back, |(s, e, l, n, _)| (s, e, l, n, None));
}

#[test]
fn doccano_round_trip_keeps_texts_offsets_and_labels() {
    let project = tricky_project();
    let back = round_trip(&project, Format::Doccano);
    // [start, end, label] holds neither notes nor groups (the export warns).
    assert_same(&project, &back, |(s, e, l, _, _)| (s, e, l, None, None));
}

#[test]
fn exports_warn_about_what_the_format_cannot_hold() {
    let project = tricky_project();
    let options = ExportOptions::default();
    let doccano = formats::export(&project, Format::Doccano, &options).expect("export");
    assert!(
        doccano
            .warnings
            .iter()
            .any(|w| w.contains("3 spans have a note or a group")),
        "{:?}",
        doccano.warnings
    );
    let ls = formats::export(&project, Format::LabelStudio, &options).expect("export");
    assert!(
        ls.warnings
            .iter()
            .any(|w| w.contains("2 spans are fragments"))
    );
}

#[test]
fn doccano_utf16_offsets_are_converted_and_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("browser.jsonl");
    // In "𠮷野家 Tokyo" the browser counts 𠮷 as 2 UTF-16 units: Tokyo is [5, 10) there, [4, 9)
    // in code points.
    std::fs::write(
        &file,
        "{\"text\": \"𠮷野家 Tokyo\", \"label\": [[5, 10, \"GPE\"], [0, 2, \"ORG\"]]}\n",
    )
    .expect("write");
    let options = ImportOptions {
        offsets: Offsets::Utf16,
        ..Default::default()
    };
    let report =
        formats::import(Format::Doccano, std::slice::from_ref(&file), &options).expect("import");
    let doc = &report.project.documents[0];
    let spans: Vec<_> = doc
        .spans
        .iter()
        .map(|s| doc.document.slice(s.start, s.end))
        .collect();
    assert_eq!(spans, ["𠮷", "Tokyo"]);
    // An offset inside the surrogate pair of 𠮷 is refused.
    std::fs::write(
        &file,
        "{\"text\": \"𠮷野家\", \"label\": [[1, 2, \"X\"]]}\n",
    )
    .expect("write");
    let error = formats::import(Format::Doccano, &[file], &options).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("browser.jsonl:1: UTF-16 offset 1 falls inside"),
        "{error}"
    );
}

#[test]
fn every_exporter_refuses_a_span_whose_offsets_do_not_slice_to_its_text() {
    // A span past the end of the text cannot come from a loaded project, but the check is the
    // exporters' own: build one directly.
    let doc = AnnotatedDocument::new(
        Document::new("d", "d", "北京"),
        SpanIndex::new(vec![span(1, 1, 5, "GPE")]),
    );
    let labels = LabelSet::new(vec![spantag::core::Label::new(
        "GPE",
        spantag::core::label::PALETTE[0],
        None,
        "",
    )]);
    let project = Project::from_parts(labels, vec![doc]);
    for format in Format::ALL.into_iter().filter(|f| f.can_export()) {
        let error = formats::export(&project, format, &ExportOptions::default()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("document \"d\", span 1: offsets [1, 5)"),
            "{format}: {error}"
        );
    }
}

// ---- Golden files -----------------------------------------------------------------------------

/// Compare with `tests/fixtures/sample/NAME`; `UPDATE_FIXTURES=1` rewrites the fixture instead
/// (then review the diff by eye before committing).
fn check_fixture(name: &str, actual: &[u8]) {
    let path = Path::new(FIXTURES).join("sample").join(name);
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("write fixture");
        return;
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_FIXTURES=1)", path.display()));
    assert!(
        expected == actual,
        "{} differs:\n--- expected\n{}\n--- actual\n{}",
        path.display(),
        String::from_utf8_lossy(&expected),
        String::from_utf8_lossy(actual)
    );
}

fn sample() -> Project {
    project_file::load(Path::new(SAMPLE)).expect("sample loads")
}

fn golden(format: Format, options: &ExportOptions, prefix: &str) {
    let project = sample();
    let report = formats::export(&project, format, options).expect("export");
    for file in &report.files {
        let name = if file.path.as_os_str().is_empty() {
            format!("{prefix}.{}", format.extension())
        } else {
            format!("{prefix}/{}", file.path.display())
        };
        if name.ends_with(".txt") {
            // brat's .txt is the exact text, byte for byte.
            assert_eq!(file.bytes, project.documents[0].document.text().as_bytes());
            continue;
        }
        check_fixture(&name, &file.bytes);
    }
}

#[test]
fn golden_doccano() {
    golden(Format::Doccano, &ExportOptions::default(), "doccano");
}

#[test]
fn golden_spacy() {
    golden(Format::Spacy, &ExportOptions::default(), "spacy");
}

#[test]
fn golden_brat() {
    golden(Format::Brat, &ExportOptions::default(), "brat");
}

#[test]
fn golden_label_studio() {
    golden(
        Format::LabelStudio,
        &ExportOptions::default(),
        "label-studio",
    );
}

#[test]
fn golden_hf() {
    golden(Format::Hf, &ExportOptions::default(), "hf");
}

#[test]
fn golden_conll_bioes_words() {
    let options = ExportOptions {
        scheme: Scheme::Bioes,
        tokens: Tokens::Word,
        ..Default::default()
    };
    golden(Format::Conll, &options, "conll-bioes-word");
}

/// `tests/fixtures/sample/conll.conll` was checked by eye against the spans of the sample.
#[test]
fn conll_bio_of_the_sample_matches_the_hand_checked_fixture() {
    let project = sample();
    let report =
        formats::export(&project, Format::Conll, &ExportOptions::default()).expect("export");
    check_fixture("conll.conll", &report.files[0].bytes);
    let text = String::from_utf8(report.files[0].bytes.clone()).expect("utf-8");
    assert!(text.starts_with("习\tB-PER\n近\tI-PER\n平\tI-PER\n与\tO\n古\tB-ORG\n巴\tI-ORG\n"));
    // Nested spans: the longest is kept, the inner one reported.
    let dropped: Vec<_> = report
        .dropped
        .iter()
        .map(|d| (d.span.id.0, d.span.label.as_str(), d.text.as_str()))
        .collect();
    assert_eq!(dropped, [(3, "GPE", "古巴"), (8, "FAC", "人民大会堂")]);
    assert!(
        report.dropped[0]
            .reason
            .contains("overlaps span 2 ORG [8, 13)")
    );
    // Whitespace is never a token, and no sentence is empty.
    assert!(!text.contains(" \t") && !text.contains("\n\n\n"));
    // --strict fails on the first of them instead.
    let strict = ExportOptions {
        strict: true,
        ..Default::default()
    };
    let error = formats::export(&project, Format::Conll, &strict).unwrap_err();
    assert!(
        error.to_string().contains("span 3 GPE [8, 10) \"古巴\""),
        "{error}"
    );
}

#[test]
fn conll_round_trip_rebuilds_cjk_text_without_spaces() {
    let project = sample();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("sample.conll");
    export_to(&project, Format::Conll, &out, &ExportOptions::default());
    let back = formats::import(Format::Conll, &[out], &ImportOptions::default()).expect("import");
    let doc = &back.project.documents[0];
    assert!(
        doc.document
            .text()
            .starts_with("习近平与古巴共产党领导人举行会谈共同务实推动 “ 一带一路 ” 合作发展\n中共中央总书记、国家主席习近平 2 5 日上午"),
        "CJK next to CJK is joined; anything else (here “ and the digits) gets one space"
    );
    let texts: Vec<_> = doc
        .spans
        .iter()
        .map(|s| (s.label.as_str(), doc.document.slice(s.start, s.end)))
        .collect();
    assert_eq!(texts[0], ("PER", "习近平"));
    assert_eq!(texts.len(), 14); // 16 spans, less the 2 nested ones BIO cannot hold
}

#[test]
fn split_is_reproducible_and_by_document() {
    let mut project = tricky_project();
    for i in 0..8 {
        project.documents.push(AnnotatedDocument::new(
            Document::new(format!("extra-{i}"), "x", "文本"),
            SpanIndex::default(),
        ));
    }
    let options = ExportOptions {
        split: Some("80/10/10".parse().expect("ratio")),
        seed: 7,
        ..Default::default()
    };
    let a = formats::export(&project, Format::Doccano, &options).expect("export");
    let b = formats::export(&project, Format::Doccano, &options).expect("export");
    assert_eq!(a.files, b.files);
    let names: Vec<_> = a
        .files
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    assert_eq!(names, ["train.jsonl", "dev.jsonl", "test.jsonl"]);
    let lines: Vec<usize> = a
        .files
        .iter()
        .map(|f| f.bytes.iter().filter(|&&b| b == b'\n').count())
        .collect();
    assert_eq!(lines, [8, 1, 1]);
    let brat = formats::export(&project, Format::Brat, &options).expect("export");
    assert!(
        brat.files
            .iter()
            .any(|f| f.path == Path::new("dev/annotation.conf"))
    );
}

// ---- The brat corpus ----------------------------------------------------------------------------

#[test]
fn every_brat_example_imports_with_each_text_bound_kept_exactly() {
    let corpus = Path::new(BRAT_CORPUS);
    let mut folders: Vec<PathBuf> = std::fs::read_dir(corpus)
        .expect("corpus")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert_eq!(folders.len(), 3);
    for folder in folders {
        let report = formats::import(
            Format::Brat,
            std::slice::from_ref(&folder),
            &ImportOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(report.skipped.is_empty());
        for doc in &report.project.documents {
            let ann_path = folder.join(format!("{}.ann", doc.document.id));
            let ann = std::fs::read_to_string(&ann_path).expect("ann");
            let spans: Vec<&Span> = doc.spans.iter().collect();
            let mut fragments = 0;
            for line in ann.lines().filter(|l| !l.is_empty()) {
                let fields: Vec<&str> = line.splitn(3, '\t').collect();
                match line.chars().next() {
                    Some('T') => {
                        let (label, ranges) = fields[1].split_once(' ').expect("T data");
                        let mut pieces = Vec::new();
                        for range in ranges.split(';') {
                            let (s, e) = range.split_once(' ').expect("range");
                            let (s, e): (usize, usize) = (s.parse().unwrap(), e.parse().unwrap());
                            assert!(
                                spans
                                    .iter()
                                    .any(|x| x.start == s && x.end == e && x.label == label),
                                "{}: {line}",
                                ann_path.display()
                            );
                            pieces.push(doc.document.slice(s, e).to_owned());
                            fragments += 1;
                        }
                        assert_eq!(
                            pieces.join(" "),
                            fields[2],
                            "{}: {line}",
                            ann_path.display()
                        );
                    }
                    // Relations, attributes and notes are modelled or kept (brat_round_trip.rs
                    // checks they come back); nothing else is in these corpora.
                    Some('#' | 'A' | 'R') => {}
                    Some(other) => panic!("unexpected line kind {other} in the corpus"),
                    None => {}
                }
            }
            assert_eq!(fragments, spans.len(), "{}", ann_path.display());
        }
        assert!(
            report.left_out.is_empty(),
            "{}: {:?}",
            folder.display(),
            report.left_out
        );
    }
}

#[test]
fn word_tokens_report_a_span_cut_inside_a_word() {
    let doc = AnnotatedDocument::new(
        Document::new("d", "d", "Díaz-Canel visited 北京."),
        SpanIndex::new(vec![span(1, 0, 3, "PER"), span(2, 19, 21, "GPE")]),
    );
    let labels = LabelSet::new(
        ["PER", "GPE"]
            .iter()
            .enumerate()
            .map(|(i, n)| spantag::core::Label::new(n, spantag::core::label::PALETTE[i], None, ""))
            .collect(),
    );
    let project = Project::from_parts(labels, vec![doc]);
    let words = ExportOptions {
        tokens: Tokens::Word,
        scheme: Scheme::Bioes,
        ..Default::default()
    };
    let report = formats::export(&project, Format::Conll, &words).expect("export");
    assert_eq!(report.dropped.len(), 1);
    assert!(
        report.dropped[0]
            .reason
            .contains("its end falls inside the token \"Díaz\" [0, 4)"),
        "{}",
        report.dropped[0]
    );
    let text = String::from_utf8(report.files[0].bytes.clone()).expect("utf-8");
    assert_eq!(
        text,
        "Díaz\tO\n-\tO\nCanel\tO\nvisited\tO\n北\tB-GPE\n京\tE-GPE\n.\tO\n"
    );
    let strict = ExportOptions {
        strict: true,
        ..words
    };
    assert!(formats::export(&project, Format::Conll, &strict).is_err());
    // With char tokens every span aligns.
    let chars =
        formats::export(&project, Format::Conll, &ExportOptions::default()).expect("export");
    assert!(chars.dropped.is_empty());
    assert_eq!(
        formats::hf::tag_names(&project.labels, Scheme::Bioes),
        [
            "O", "B-PER", "I-PER", "E-PER", "S-PER", "B-GPE", "I-GPE", "E-GPE", "S-GPE"
        ]
    );
}

#[test]
fn label_studio_import_reads_as_suggestions_and_warns_on_a_differing_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("ls.json");
    let result = |id: &str, s: usize, e: usize, text: &str, label: &str| {
        format!(
            r#"{{"id": "{id}", "from_name": "label", "to_name": "text", "type": "labels", "value": {{"start": {s}, "end": {e}, "text": "{text}", "labels": ["{label}"]}}}}"#
        )
    };
    std::fs::write(
        &file,
        format!(
            r#"[{{"id": 4, "data": {{"text": "👍🏽 习近平在北京"}},
                "annotations": [{{"result": [{}, {{"id": "r9", "type": "relation", "from_id": "a", "to_id": "b"}}]}}],
                "predictions": [{{"result": [{}]}}]}}]"#,
            result("a", 3, 6, "习近平 ", "PER"),
            result("b", 7, 9, "北京", "GPE")
        ),
    )
    .expect("write");
    let options = ImportOptions {
        as_suggestions: true,
        annotator: Some("ls".into()),
        ..Default::default()
    };
    let report = formats::import(Format::LabelStudio, &[file], &options).expect("import");
    let doc = &report.project.documents[0];
    assert_eq!(doc.document.id, "ls-4");
    let spans: Vec<_> = doc
        .spans
        .iter()
        .map(|s| {
            (
                doc.document.slice(s.start, s.end),
                s.status,
                s.annotator.as_deref(),
            )
        })
        .collect();
    // --as-suggestions: everything imported is a suggestion, the predictions included.
    use spantag::core::SpanStatus::Suggested;
    assert_eq!(
        spans,
        [
            ("习近平", Suggested, Some("ls")),
            ("北京", Suggested, Some("ls"))
        ]
    );
    assert!(
        report.warnings[0].contains("records the text \"习近平 \" at [3, 6)"),
        "{:?}",
        report.warnings
    );
    // The relation between the two regions is read (a relation without labels: `relation`).
    assert!(report.left_out.is_empty(), "{:?}", report.left_out);
    let relation = doc.relations.iter().next().expect("a relation");
    assert_eq!(
        (relation.kind.as_str(), relation.status),
        ("relation", Suggested)
    );
}

#[test]
fn a_span_across_a_line_break_is_written_to_brat_as_fragments_around_it() {
    let project = spantag::core::markup::project("会见[古巴\r\n共产党](ORG)领导人");
    let report =
        formats::export(&project, Format::Brat, &ExportOptions::default()).expect("export");
    let ann = report
        .files
        .iter()
        .find(|f| f.path.extension().is_some_and(|e| e == "ann"))
        .map(|f| String::from_utf8(f.bytes.clone()).expect("utf-8"))
        .expect("an .ann file");
    assert_eq!(ann, "T1\tORG 2 4;6 9\t古巴 共产党\n");
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("crosses a line break"))
    );
    let dir = tempfile::tempdir().expect("tempdir");
    formats::write_output(dir.path(), &report.files).expect("write");
    let imported = formats::import(
        Format::Brat,
        &[dir.path().to_owned()],
        &ImportOptions::default(),
    )
    .expect("import");
    let d = &imported.project.documents[0];
    let fragments: Vec<_> = d
        .spans
        .iter()
        .map(|s| (d.document.slice(s.start, s.end), s.group))
        .collect();
    assert_eq!(fragments.len(), 2);
    assert_eq!(fragments[0].0, "古巴");
    assert_eq!(fragments[1].0, "共产党");
    assert!(fragments[0].1.is_some() && fragments[0].1 == fragments[1].1);
}

/// A link inside a brat folder (a `readme.txt` pointing at a system file) is skipped and
/// reported; a link named on the command line is read.
#[cfg(unix)]
#[test]
fn brat_folder_import_skips_symbolic_links_and_says_so() {
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "not a document").expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.txt"), "习近平在北京").expect("write");
    std::fs::write(dir.path().join("a.ann"), "T1\tPER 0 3\t习近平\n").expect("write");
    let link = dir.path().join("readme.txt");
    std::os::unix::fs::symlink(&secret, &link).expect("symlink");
    std::os::unix::fs::symlink(&secret, dir.path().join("b.txt")).expect("symlink");

    let report = formats::import(
        Format::Brat,
        &[dir.path().to_owned()],
        &ImportOptions::default(),
    )
    .expect("import");
    let ids: Vec<_> = report
        .project
        .documents
        .iter()
        .map(|d| d.document.id.as_str())
        .collect();
    assert_eq!(ids, ["a"]);
    for name in ["readme.txt", "b.txt"] {
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains(name) && w.contains("symbolic link")),
            "{name}: {:?}",
            report.warnings
        );
    }

    let named = formats::import(Format::Brat, &[link], &ImportOptions::default()).expect("import");
    assert_eq!(named.project.documents[0].document.text(), "not a document");
}

/// The export check in UTF-16 units goes through the document's one UTF-16 index.
#[test]
fn alignment_in_utf16_units_counts_surrogate_pairs() {
    let doc = Document::new("d", "d", "𠮷野家 Tokyo");
    let tokyo = span(1, 4, 9, "GPE");
    let (start, end, text) =
        formats::check_alignment(&doc, &tokyo, Offsets::Utf16).expect("aligned");
    assert_eq!((start, end, text.as_str()), (5, 10, "Tokyo"));
    let yoshi = span(2, 0, 1, "X");
    let (start, end, text) =
        formats::check_alignment(&doc, &yoshi, Offsets::Utf16).expect("aligned");
    assert_eq!((start, end, text.as_str()), (0, 2, "𠮷"));
}

/// Every file of `dir`, by path relative to it, with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("under").to_owned();
                found.push((relative, std::fs::read(&path).expect("read")));
            }
        }
    }
    found.sort();
    found
}

/// `export_to` writes each file as it is made, and what it writes is byte for byte what
/// `export` makes in memory and `write_output` writes, for every format, whole and split.
#[test]
fn streamed_exports_equal_exports_made_in_memory() {
    let project = sample();
    let dir = tempfile::tempdir().expect("tempdir");
    for format in Format::ALL.into_iter().filter(|f| f.can_export()) {
        for split in [None, Some("50/25/25".parse().expect("ratio"))] {
            let options = ExportOptions {
                split,
                ..ExportOptions::default()
            };
            let name = format!("{}-{}", format.name(), split.is_some());
            let in_memory = dir.path().join(format!("{name}-memory"));
            let streamed = dir.path().join(format!("{name}-streamed"));
            let report = formats::export(&project, format, &options).expect("exports");
            formats::write_output(&in_memory, &report.files).expect("written");
            let streamed_report = formats::export_to(
                &project,
                format,
                &options,
                &streamed,
                formats::Overwrite::Refuse,
            )
            .expect("exports");
            assert_eq!(streamed_report.file_count, report.files.len(), "{name}");
            assert!(streamed_report.files.is_empty(), "{name}: nothing held");
            assert_eq!(streamed_report.warnings, report.warnings, "{name}");
            if streamed.is_dir() {
                assert_eq!(files_under(&streamed), files_under(&in_memory), "{name}");
            } else {
                assert_eq!(
                    std::fs::read(&streamed).expect("file"),
                    std::fs::read(&in_memory).expect("file"),
                    "{name}"
                );
            }
        }
    }
}

/// An export that fails half way (`--strict` on a span the format cannot hold) leaves what was
/// at the output as it was, and no temporary file beside it.
#[test]
fn a_streamed_export_that_fails_changes_nothing() {
    let mut project = markup_project();
    let doc = project.documents[0].document.clone();
    let len = doc.char_len();
    // Two overlapping spans: BIO tags cannot hold both.
    project.documents[0].spans = SpanIndex::new(vec![span(1, 0, 2, "PER"), span(2, 1, len, "ORG")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.conll");
    std::fs::write(&out, "before\n").expect("written");
    let options = ExportOptions {
        strict: true,
        ..ExportOptions::default()
    };
    let failed = formats::export_to(
        &project,
        Format::Conll,
        &options,
        &out,
        formats::Overwrite::Replace,
    );
    assert!(
        matches!(failed, Err(formats::ExportToError::Export(_))),
        "{failed:?}"
    );
    assert_eq!(std::fs::read_to_string(&out).expect("kept"), "before\n");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["out.conll"]);
}

fn markup_project() -> Project {
    spantag::core::markup::project("[北京](GPE)是中国的首都。")
}
