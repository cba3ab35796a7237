//! The CoNLL and Hugging Face exports of a project made to be awkward (nested, overlapping,
//! adjacent and long spans, spans across line breaks and sentence ends, spans cut inside a
//! word, whitespace-only spans, several scripts and line endings), in every scheme, both
//! tokenizations and every CoNLL variant, against golden files in
//! `tests/fixtures/token-tags/`. The files were made by the whole-document exporter that the
//! streaming one replaced: the rewrite must not change a byte.

use std::fmt::Write as _;
use std::path::Path;

use spantag::core::formats::{self, ExportOptions, Format, Scheme, Tokens};
use spantag::core::project::AnnotatedDocument;
use spantag::core::span::SpanStatus;
use spantag::core::{Document, Label, LabelSet, Project, Span, SpanId, SpanIndex};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/token-tags");

/// `(start, end, label)` and a status: `a` accepted, `s` suggested, `r` rejected.
type Spec = (usize, usize, &'static str, char);

fn document(id: &str, text: &str, specs: &[Spec]) -> AnnotatedDocument {
    let spans = specs
        .iter()
        .enumerate()
        .map(|(i, &(start, end, label, status))| {
            let mut span = Span::new(SpanId(i as u64 + 1), start, end, label);
            span.status = match status {
                's' => SpanStatus::Suggested,
                'r' => SpanStatus::Rejected,
                _ => SpanStatus::Accepted,
            };
            span
        })
        .collect();
    AnnotatedDocument::new(Document::new(id, id, text), SpanIndex::new(spans))
}

fn awkward_project() -> Project {
    // 0: 刘备(0,2) 字玄德 ... a sentence with closing quotes, a line break inside a span, an
    // entity right after another of its type, and nested and overlapping spans.
    let chapter = "刘备字玄德，涿郡涿县人。他说：“关羽、张飞！”\n曹操在许昌。孙权\n在江东，\r\n\r\n诸葛亮？“好。”\u{2028}赵云";
    let chapter_spans: &[Spec] = &[
        (0, 2, "PER", 'a'),
        (3, 5, "PER", 'a'),
        (6, 8, "GPE", 'a'),
        (8, 10, "GPE", 'a'), // adjacent to the one before, same type
        (6, 10, "LOC", 'a'), // nests both: longest wins
        (16, 18, "PER", 'a'),
        (19, 21, "PER", 'a'),
        (17, 20, "ORG", 'a'), // overlaps both PERs, longer: wins
        (24, 26, "PER", 'a'),
        (26, 27, "GPE", 'a'), // right before another GPE
        (27, 29, "GPE", 'a'),
        (30, 35, "PER", 'a'), // 孙权\n在江: across a line break
        (36, 37, "O", 'a'),
        (41, 44, "PER", 's'),
        (41, 44, "PER", 'r'),
        (41, 44, "PER", 'a'),
        (44, 49, "MISC", 'a'), // ？“好。” across sentence ends
        (50, 52, "PER", 'a'),
        (37, 41, "X", 'a'), // whitespace only
    ];
    // 1: Latin words, a hyphenated name, emoji with a modifier, 𠮷, a span cut inside a word
    // (dropped with word tokens), and a whole-document span that swallows everything in it.
    let latin =
        "Xi met Díaz-Canel in Beijing. He said \"fine!\" Then left.\r\n𠮷野家 👍🏽 ok? Yes.\nEnd";
    let latin_spans: &[Spec] = &[
        (0, 2, "PER", 'a'),
        (7, 17, "PER", 'a'),
        (7, 11, "PER", 'a'),
        (21, 28, "GPE", 'a'),
        (23, 26, "GPE", 'a'), // inside the word Beijing
        (30, 32, "PER", 'a'),
        (38, 45, "MISC", 'a'), // "fine!" with its quotes
        (58, 61, "ORG", 'a'),
        (62, 64, "EMOJI", 'a'),
        (62, 63, "EMOJI", 'a'), // half of the emoji pair
        (65, 67, "O", 'a'),
        (70, 73, "MISC", 'a'),
    ];
    let whole = "第一句。第二句！\n第三句";
    let whole_spans: &[Spec] = &[
        (0, whole.chars().count(), "MISC", 'a'),
        (0, 3, "PER", 'a'),
        (4, 7, "ORG", 'a'),
    ];
    // Entities of one type back to back across a sentence end and a line break.
    let adjacent = "甲乙。丙丁\n戊己 庚";
    let adjacent_spans: &[Spec] = &[
        (0, 2, "PER", 'a'),
        (3, 5, "PER", 'a'),
        (6, 8, "PER", 'a'),
        (9, 10, "LOC", 'a'),
    ];
    let labels = LabelSet::new(
        ["PER", "GPE", "LOC", "ORG", "MISC", "EMOJI", "O", "X"]
            .iter()
            .enumerate()
            .map(|(i, n)| Label::new(n, spantag::core::label::PALETTE[i], None, ""))
            .collect(),
    );
    Project::from_parts(
        labels,
        vec![
            document("chapter 1", chapter, chapter_spans),
            document("latin", latin, latin_spans),
            document("empty", "", &[]),
            document("blank", " \n\r\n\u{3000} ", &[(0, 2, "X", 'a')]),
            document("whole", whole, whole_spans),
            document("adjacent", adjacent, adjacent_spans),
        ],
    )
}

/// Every file of the export, then what was dropped and why, as one text.
fn exported(project: &Project, format: Format, options: &ExportOptions) -> String {
    let report = formats::export(project, format, options).expect("export");
    let mut out = String::new();
    for file in &report.files {
        writeln!(out, "=== {}", file.path.display()).expect("string");
        out.push_str(&String::from_utf8_lossy(&file.bytes));
    }
    writeln!(out, "=== dropped").expect("string");
    for dropped in &report.dropped {
        writeln!(out, "{dropped}").expect("string");
    }
    out
}

/// Compare with the fixture `NAME`; `UPDATE_FIXTURES=1` rewrites it instead.
fn check(name: &str, actual: &str) {
    let path = Path::new(FIXTURES).join(name);
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(FIXTURES).expect("mkdir");
        std::fs::write(&path, actual).expect("write fixture");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_FIXTURES=1)", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from line {}:\n--- expected\n{}\n--- actual\n{}",
            path.display(),
            line + 1,
            expected
                .lines()
                .skip(line)
                .take(5)
                .collect::<Vec<_>>()
                .join("\n"),
            actual
                .lines()
                .skip(line)
                .take(5)
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
}

fn tokens_name(tokens: Tokens) -> &'static str {
    match tokens {
        Tokens::Char => "char",
        Tokens::Word => "word",
    }
}

#[test]
fn conll_exports_of_an_awkward_project_equal_the_golden_files() {
    let project = awkward_project();
    for scheme in Scheme::ALL {
        for tokens in [Tokens::Char, Tokens::Word] {
            for (variant, conll2003, no_docstart) in [
                ("", false, false),
                ("-conll2003", true, false),
                ("-no-docstart", false, true),
            ] {
                let options = ExportOptions {
                    scheme,
                    tokens,
                    conll2003,
                    no_docstart,
                    ..Default::default()
                };
                let name = format!("conll-{scheme}-{}{variant}.txt", tokens_name(tokens));
                check(&name, &exported(&project, Format::Conll, &options));
            }
        }
    }
}

#[test]
fn hf_exports_of_an_awkward_project_equal_the_golden_files() {
    let project = awkward_project();
    for scheme in Scheme::ALL {
        for tokens in [Tokens::Char, Tokens::Word] {
            let options = ExportOptions {
                scheme,
                tokens,
                ..Default::default()
            };
            let name = format!("hf-{scheme}-{}.txt", tokens_name(tokens));
            check(&name, &exported(&project, Format::Hf, &options));
        }
    }
    // Split by document, each part its own file.
    let options = ExportOptions {
        split: Some("50/25/25".parse().expect("ratio")),
        seed: 7,
        ..Default::default()
    };
    check("hf-split.txt", &exported(&project, Format::Hf, &options));
    check(
        "conll-split.txt",
        &exported(&project, Format::Conll, &options),
    );
}

#[test]
fn strict_fails_on_the_first_span_that_cannot_be_tagged() {
    let project = awkward_project();
    for format in [Format::Conll, Format::Hf] {
        for tokens in [Tokens::Char, Tokens::Word] {
            let options = ExportOptions {
                tokens,
                strict: true,
                ..Default::default()
            };
            let error = formats::export(&project, format, &options).expect_err("strict fails");
            check(
                &format!("strict-{format}-{}.txt", tokens_name(tokens)),
                &format!("{error}\n"),
            );
        }
    }
}

#[test]
fn hf_refuses_a_label_outside_the_label_set() {
    let mut project = awkward_project();
    project.labels = LabelSet::new(vec![Label::new(
        "PER",
        spantag::core::label::PALETTE[0],
        None,
        "",
    )]);
    let error = formats::export(&project, Format::Hf, &ExportOptions::default())
        .expect_err("LOC is not in the set");
    assert_eq!(
        error.to_string(),
        "label LOC is not in the project's label set"
    );
}
