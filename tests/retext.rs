//! `spantag retext`: a document gets a changed text, its spans follow it.

mod common;

use common::{SAMPLE, s, spantag, stderr, stdout};
use spantag::core::{SpanStatus, project_file};

/// The sample's text with its 4 leading blank characters removed and one line joined (the
/// attack of issue 9), plus `edit` applied to the result.
fn changed_sample(edit: impl Fn(String) -> String) -> (String, String) {
    let sample = project_file::load(std::path::Path::new(SAMPLE)).expect("sample");
    let doc = &sample.documents[0].document;
    let mut chars: Vec<char> = doc.text().chars().collect();
    assert_eq!(chars[127], '\n');
    chars.remove(127);
    (doc.id.clone(), edit(chars[4..].iter().collect()))
}

#[test]
fn retext_after_blanks_and_a_line_break_are_removed_keeps_all_16_spans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (id, text) = changed_sample(|t| t);
    let new = dir.path().join("new.txt");
    std::fs::write(&new, &text).expect("write");
    let out = dir.path().join("out.json");
    let o = spantag(&["retext", SAMPLE, "--doc", &id, s(&new), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("16 spans: 0 unchanged, 16 moved, 0 kept for review"),
        "{}",
        stdout(&o)
    );
    let before = project_file::load(std::path::Path::new(SAMPLE)).expect("sample");
    let after = project_file::load(&out).expect("the output validates");
    let (a, b) = (&before.documents[0], &after.documents[0]);
    assert_eq!(b.document.text(), text);
    let surfaces = |d: &spantag::core::AnnotatedDocument| -> Vec<(u64, String)> {
        d.spans
            .iter()
            .map(|s| (s.id.0, d.document.slice(s.start, s.end).to_owned()))
            .collect()
    };
    assert_eq!(surfaces(a), surfaces(b));
    // Before the join (old offset 127) the spans move by 4, after it by 5.
    for (x, y) in a.spans.iter().zip(b.spans.iter()) {
        let shift = if x.start < 127 { 4 } else { 5 };
        assert_eq!(y.start + shift, x.start, "span {}", x.id);
    }
}

#[test]
fn retext_keeps_a_span_a_change_touches_and_lists_it_for_review() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 人民大会堂 (two nested spans) becomes 人民会堂.
    let (id, text) = changed_sample(|t| t.replacen("人民大会堂", "人民会堂", 1));
    let new = dir.path().join("new.txt");
    std::fs::write(&new, &text).expect("write");
    let out = dir.path().join("out.json");
    let o = spantag(&["retext", SAMPLE, "--doc", &id, s(&new), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = stdout(&o);
    assert!(report.contains("14 moved, 2 kept for review"), "{report}");
    assert!(report.contains("review"), "{report}");
    assert!(report.contains("\"人民大会堂\""), "{report}");
    let after = project_file::load(&out).expect("valid");
    let doc = &after.documents[0];
    assert_eq!(doc.spans.len(), 16, "nothing dropped");
    let review: Vec<_> = doc
        .spans
        .iter()
        .filter(|s| s.status == SpanStatus::Suggested)
        .map(|s| doc.document.slice(s.start, s.end).to_owned())
        .collect();
    assert_eq!(review, ["人民会堂北大厅", "人民会堂"]);
}

#[test]
fn retext_names_an_unknown_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let new = dir.path().join("new.txt");
    std::fs::write(&new, "x").expect("write");
    let out = dir.path().join("out.json");
    let o = spantag(&["retext", SAMPLE, "--doc", "nope", s(&new), "-o", s(&out)]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no document \"nope\""),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}
