//! One set of rules for spans and labels, whichever door they come in by: loading a project
//! file, applying an edit, importing another format. Each rule is tried through every door it
//! applies to, and the doors must give the same verdict and the same words.

use std::path::Path;

use spantag::core::formats::{self, Format, ImportOptions};
use spantag::core::label::Rgb;
use spantag::core::project_file;
use spantag::core::{Document, Label, LabelSet, Project};

const TEXT: &str = "习近平在北京";

fn labels_json(labels: &[(&str, Option<char>)]) -> String {
    let labels: Vec<String> = labels
        .iter()
        .map(|(name, key)| match key {
            Some(k) => format!(r##"{{"name": "{name}", "color": "#e6194b", "hotkey": "{k}"}}"##),
            None => format!(r##"{{"name": "{name}", "color": "#e6194b"}}"##),
        })
        .collect();
    labels.join(", ")
}

/// Load a file with these labels and spans `(start, end, label)`; the error text, if refused.
fn through_loading(
    labels: &[(&str, Option<char>)],
    spans: &[(usize, usize, &str)],
) -> Option<String> {
    let spans: Vec<String> = spans
        .iter()
        .enumerate()
        .map(|(i, (s, e, l))| {
            format!(
                r#"{{"id": {}, "start": {s}, "end": {e}, "label": "{l}"}}"#,
                i + 1
            )
        })
        .collect();
    let json = format!(
        r#"{{"format": "spantag", "version": 2, "labels": [{}],
            "documents": [{{"id": "d1", "text": "{TEXT}", "spans": [{}]}}]}}"#,
        labels_json(labels),
        spans.join(", ")
    );
    project_file::parse(json.as_bytes(), Path::new("test.json"))
        .err()
        .map(|e| e.to_string())
}

fn empty_project(labels: Vec<Label>) -> Project {
    Project::new(LabelSet::new(labels), vec![Document::new("d1", "d1", TEXT)])
}

fn label(name: &str, key: Option<char>) -> Label {
    Label::new(name, Rgb(0, 0, 0), key, "")
}

/// Tag `[start, end)` with PER through an edit; the error text, if refused.
fn through_editing(start: usize, end: usize) -> Option<String> {
    let mut project = empty_project(vec![label("PER", None)]);
    let t = project.tag(0, start, end, "PER");
    project.apply(&t).err().map(|e| e.to_string())
}

/// Add the labels one by one through edits; the error text of the first refused.
fn adding_labels(labels: &[(&str, Option<char>)]) -> Option<String> {
    let mut project = empty_project(Vec::new());
    for (name, key) in labels {
        let t = project.add_label(label(name, *key));
        if let Err(e) = project.apply(&t) {
            return Some(e.to_string());
        }
    }
    None
}

/// Import a doccano line with one span; the error text, if refused.
fn through_importing(start: usize, end: usize, label: &str) -> Option<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("data.jsonl");
    let line = format!(r#"{{"text": "{TEXT}", "label": [[{start}, {end}, "{label}"]]}}"#);
    std::fs::write(&path, line).expect("write");
    formats::import(Format::Doccano, &[path], &ImportOptions::default())
        .err()
        .map(|e| e.to_string())
}

fn assert_says(door: &str, verdict: Option<String>, expected: &str) {
    let message = verdict.unwrap_or_else(|| panic!("{door}: accepted, expected \"{expected}\""));
    assert!(
        message.contains(expected),
        "{door}: {message}\nexpected: {expected}"
    );
}

#[test]
fn span_ranges_get_the_same_verdict_through_every_door() {
    for (start, end, problem) in [
        (3, 2, "end 2 is before start 3"),
        (2, 2, "the span is empty (start = end = 2)"),
        (4, 9, "end 9 is past the end of the text (6 characters)"),
    ] {
        assert_says(
            "loading",
            through_loading(&[("PER", None)], &[(start, end, "PER")]),
            &format!("test.json: document 1 (\"d1\"), span 1: {problem}"),
        );
        assert_says(
            "editing",
            through_editing(start, end),
            &format!("span [{start}, {end}): {problem}"),
        );
        assert_says(
            "importing",
            through_importing(start, end, "PER"),
            &format!("data.jsonl:1: span [{start}, {end}): {problem}"),
        );
    }
    assert_eq!(through_loading(&[("PER", None)], &[(0, 6, "PER")]), None);
    assert_eq!(through_editing(0, 6), None);
    assert_eq!(through_importing(0, 6, "PER"), None);
}

#[test]
fn label_names_get_the_same_verdict_through_every_door() {
    let problem = "label name \"A B\" must not contain spaces";
    assert_says(
        "loading",
        through_loading(&[("A B", None)], &[]),
        &format!("test.json: label 1 (A B): {problem}"),
    );
    assert_says("editing", adding_labels(&[("A B", None)]), problem);
    assert_says(
        "importing",
        through_importing(0, 3, "A B"),
        &format!("data.jsonl:1: label \"A B\" cannot be used: {problem}"),
    );
    let taken = "there is already a label named PER";
    assert_says(
        "loading",
        through_loading(&[("PER", None), ("PER", None)], &[]),
        &format!("test.json: label 2 (PER): {taken}"),
    );
    assert_says(
        "editing",
        adding_labels(&[("PER", None), ("PER", None)]),
        taken,
    );
}

#[test]
fn hotkeys_a_and_upper_case_a_are_one_key_at_load_and_in_edits() {
    // Such a file used to load, and then no edit to either label could be saved.
    let problem = "hotkey A is already taken by PER (as a: hotkeys ignore case)";
    assert_says(
        "loading",
        through_loading(&[("PER", Some('a')), ("ORG", Some('A'))], &[]),
        &format!("test.json: label 2 (ORG): {problem}"),
    );
    assert_says(
        "editing",
        adding_labels(&[("PER", Some('a')), ("ORG", Some('A'))]),
        problem,
    );
    let not_a_key = "hotkey '-' must be a letter or a digit";
    assert_says(
        "loading",
        through_loading(&[("PER", Some('-'))], &[]),
        &format!("test.json: label 1 (PER): {not_a_key}"),
    );
    assert_says("editing", adding_labels(&[("PER", Some('-'))]), not_a_key);
    // Distinct keys pass both doors, and a label keeps its own key when edited.
    let labels = [("PER", Some('a')), ("ORG", Some('b'))];
    assert_eq!(through_loading(&labels, &[]), None);
    assert_eq!(adding_labels(&labels), None);
    let mut project = empty_project(vec![label("PER", Some('a'))]);
    let t = project.edit_label(0, Label::new("PER", Rgb(1, 2, 3), Some('A'), "person"));
    project.apply(&t).expect("its own key, in another case");
    assert_eq!(
        project.labels.by_hotkey('a').map(|l| l.hotkey),
        Some(Some('A'))
    );
}
