//! The streaming exporters (DocBin, spaCy JSONL, brat, Label Studio, doccano) write exactly
//! the bytes, warnings and dropped spans the exporters wrote when they built each file whole
//! in memory: the fixtures under `tests/fixtures/streaming/` were made by those exporters
//! (`UPDATE_FIXTURES=1` rewrites them; review the diff by eye before committing).
//!
//! The projects have nested, overlapping and discontinuous spans (a group of one label and a
//! group that mixes labels), spans across a line break and a tab, a span inside a word token,
//! suggested and rejected spans, notes with tabs and line breaks, attributes (flag, choice,
//! text, undefined), relations (accepted, suggested, to a rejected span), kept brat lines, an
//! empty document and a document id that is no file name; `no-relations.json` is the same
//! without relations, for doccano's plain form.

use std::path::{Path, PathBuf};

use spantag::core::formats::{self, ExportOptions, Format, Overwrite, Tokens};
use spantag::core::project_file;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/streaming");

/// Every streaming format with the options that change its output.
fn cases() -> Vec<(&'static str, Format, ExportOptions)> {
    let word = ExportOptions {
        tokens: Tokens::Word,
        ..Default::default()
    };
    let keyed = ExportOptions {
        spans_key: Some("entities".to_owned()),
        ..Default::default()
    };
    vec![
        ("docbin-char", Format::Docbin, ExportOptions::default()),
        ("docbin-word", Format::Docbin, word.clone()),
        ("docbin-key", Format::Docbin, keyed),
        ("spacy", Format::Spacy, ExportOptions::default()),
        ("brat", Format::Brat, ExportOptions::default()),
        (
            "label-studio",
            Format::LabelStudio,
            ExportOptions::default(),
        ),
        ("doccano", Format::Doccano, ExportOptions::default()),
    ]
}

/// The warnings and dropped spans of an export, one a line.
fn report_text(report: &formats::ExportReport) -> String {
    let mut text = String::new();
    for w in &report.warnings {
        text.push_str(&format!("warning: {w}\n"));
    }
    for d in &report.dropped {
        text.push_str(&format!("dropped: {d}\n"));
    }
    text.push_str(&format!(
        "documents {} spans {} files {}\n",
        report.documents, report.spans, report.file_count
    ));
    text
}

fn check(path: &Path, actual: &[u8]) {
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, actual).expect("write fixture");
        return;
    }
    let expected = std::fs::read(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_FIXTURES=1)", path.display()));
    assert!(
        expected == actual,
        "{} differs:\n--- expected\n{}\n--- actual\n{}",
        path.display(),
        String::from_utf8_lossy(&expected),
        String::from_utf8_lossy(actual)
    );
}

/// Every file under `dir`, relative to it, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).expect("under").to_owned());
            }
        }
    }
    found.sort();
    found
}

fn exports_match_the_fixtures(project_name: &str) {
    let project = project_file::load(&Path::new(FIXTURES).join(format!("{project_name}.json")))
        .expect("fixture project loads");
    let stem = project_name.trim_end_matches(".json");
    for (name, format, options) in cases() {
        let dir = Path::new(FIXTURES).join(stem).join(name);
        // In memory, file by file.
        let report =
            formats::export(&project, format, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        for file in &report.files {
            let file_name = if file.path.as_os_str().is_empty() {
                PathBuf::from(format!("out.{}", format.extension()))
            } else {
                file.path.clone()
            };
            check(&dir.join(file_name), &file.bytes);
        }
        check(&dir.join("report.txt"), report_text(&report).as_bytes());
        // Straight to disk through the same sink the CLI uses: the same bytes.
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("out");
        let streamed = formats::export_to(&project, format, &options, &out, Overwrite::Refuse)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report_text(&streamed), report_text(&report), "{name}");
        if out.is_dir() {
            let written = files_under(&out);
            let mut made: Vec<PathBuf> = report.files.iter().map(|f| f.path.clone()).collect();
            made.push(PathBuf::from(formats::EXPORT_MARKER));
            made.sort();
            assert_eq!(written, made, "{name}");
            for file in &report.files {
                assert!(
                    std::fs::read(out.join(&file.path)).expect("read") == file.bytes,
                    "{name}: {} differs on disk",
                    file.path.display()
                );
            }
        } else {
            assert!(
                std::fs::read(&out).expect("read") == report.files[0].bytes,
                "{name}: the file on disk differs"
            );
        }
    }
}

#[test]
fn streaming_exports_write_what_the_whole_file_exporters_wrote() {
    exports_match_the_fixtures("project");
}

#[test]
fn streaming_exports_without_relations_write_what_they_wrote() {
    exports_match_the_fixtures("no-relations");
}
