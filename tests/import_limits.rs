//! Imports that amplify their input: what they store and the memory they take stay
//! proportional to the input, and what would not is refused with the file and line.
//!
//! Peak memory is measured with a counting allocator (this test binary's own), over what
//! `spantag import` does: read, build the project, serialise it. The tests take a lock so that
//! only one measures at a time.

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use counting_alloc::{CURRENT, Counting, MEASURING, PEAK};

use spantag::core::formats::{self, Format, ImportOptions, ImportReport};
use spantag::core::project_file;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The allowance the issue sets: 20 times the input plus a constant.
const PER_INPUT_BYTE: usize = 20;
const CONSTANT: usize = 64 << 20;

/// Import as the CLI does (import, then the project file's bytes) and return the result with
/// the peak of memory allocated on the way, above what was allocated before.
fn measured_import(
    format: Format,
    inputs: &[PathBuf],
) -> (Result<ImportReport, formats::ImportError>, usize, usize) {
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let result = formats::import(format, inputs, &ImportOptions::default());
    let json_len = match &result {
        Ok(report) => project_file::to_json(&report.project)
            .expect("serialisable")
            .len(),
        Err(_) => 0,
    };
    let peak = PEAK.load(Ordering::Relaxed) - base;
    eprintln!(
        "{format} import of {inputs:?}: peak {} KiB, project file {} KiB",
        peak >> 10,
        json_len >> 10
    );
    (result, peak, json_len)
}

fn input_size(paths: &[&Path]) -> usize {
    paths
        .iter()
        .map(|p| std::fs::metadata(p).expect("input").len() as usize)
        .sum()
}

fn assert_within_allowance(peak: usize, input: usize) {
    assert!(
        peak < PER_INPUT_BYTE * input + CONSTANT,
        "peak memory {} KiB for {} KiB of input",
        peak >> 10,
        input >> 10
    );
}

/// The attack of issue 9: one T line with 20,000 fragments and a 100 KB note.
#[test]
fn brat_many_fragments_with_a_long_note_store_the_note_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "ab".repeat(20_000);
    let fragments: Vec<String> = (0..20_000)
        .map(|k| format!("{} {}", 2 * k, 2 * k + 1))
        .collect();
    let surface = vec!["a"; 20_000].join(" ");
    let note = "n".repeat(100_000);
    let ann = format!(
        "T1\tPER {}\t{surface}\n#1\tAnnotatorNotes T1\t{note}\n",
        fragments.join(";")
    );
    let txt = dir.path().join("doc.txt");
    let ann_path = dir.path().join("doc.ann");
    std::fs::write(&txt, &text).expect("txt");
    std::fs::write(&ann_path, &ann).expect("ann");

    let (result, peak, json_len) = measured_import(Format::Brat, std::slice::from_ref(&txt));
    let report = result.expect("imports");
    let spans: Vec<_> = report.project.documents[0].spans.iter().collect();
    assert_eq!(spans.len(), 20_000);
    let with_note: Vec<_> = spans.iter().filter(|s| s.note.is_some()).collect();
    assert_eq!(with_note.len(), 1, "the group's note is stored once");
    assert_eq!(with_note[0].start, 0, "on the group's first fragment");
    assert!(
        spans
            .iter()
            .all(|s| s.group == spans[0].group && s.group.is_some())
    );
    let input = input_size(&[&txt, &ann_path]);
    assert_within_allowance(peak, input);
    assert!(json_len < 20 * input, "project file {json_len} bytes");
}

/// The Label Studio attack: one region with 20,000 labels and a 100 KB note.
#[test]
fn label_studio_region_with_many_labels_stores_its_note_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let labels: Vec<String> = (0..20_000).map(|k| format!("\"L{k}\"")).collect();
    let note = "n".repeat(100_000);
    let json = format!(
        r#"[{{"id": 1, "data": {{"text": "习近平在北京"}}, "annotations": [{{"result": [
            {{"id": "r1", "type": "labels", "value": {{"start": 0, "end": 3, "labels": [{}]}}}},
            {{"id": "r1", "type": "textarea", "value": {{"start": 0, "end": 3, "text": ["{note}"]}}}}
        ]}}]}}]"#,
        labels.join(", ")
    );
    let path = dir.path().join("ls.json");
    std::fs::write(&path, &json).expect("write");

    let (result, peak, json_len) =
        measured_import(Format::LabelStudio, std::slice::from_ref(&path));
    let report = result.expect("imports");
    let spans: Vec<_> = report.project.documents[0].spans.iter().collect();
    assert_eq!(spans.len(), 20_000);
    assert_eq!(spans.iter().filter(|s| s.note.is_some()).count(), 1);
    let input = input_size(&[&path]);
    assert_within_allowance(peak, input);
    assert!(json_len < 30 * input, "project file {json_len} bytes");
}

/// Fragments that each name the whole text, with no surface to check them against, would make
/// a project thousands of times the input: refused, naming the file and the line.
#[test]
fn brat_fragments_repeating_a_long_text_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "a".repeat(50_000);
    let fragments = vec!["0 50000"; 20_000].join(";");
    let txt = dir.path().join("doc.txt");
    std::fs::write(&txt, &text).expect("txt");
    std::fs::write(
        dir.path().join("doc.ann"),
        format!("T1\tPER {fragments}\t\n"),
    )
    .expect("ann");

    let (result, peak, _) = measured_import(Format::Brat, std::slice::from_ref(&txt));
    let error = result.expect_err("refused").to_string();
    assert!(error.contains("doc.ann:1:"), "{error}");
    assert!(error.contains("is refused"), "{error}");
    assert_within_allowance(peak, input_size(&[&txt]) + fragments.len());
}

/// The same through doccano: 10,000 spans over a 100 KB text.
#[test]
fn doccano_spans_repeating_a_long_text_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "习".repeat(100_000);
    let spans = vec!["[0, 100000, \"X\"]"; 10_000].join(", ");
    let path = dir.path().join("d.jsonl");
    std::fs::write(
        &path,
        format!("{{\"text\": \"{text}\", \"label\": [{spans}]}}\n"),
    )
    .expect("write");
    let (result, peak, _) = measured_import(Format::Doccano, std::slice::from_ref(&path));
    let error = result.expect_err("refused").to_string();
    assert!(error.contains("d.jsonl:1:"), "{error}");
    assert_within_allowance(peak, input_size(&[&path]));
}

/// Many records, many labels, many shared ids: what was quadratic (timed in
/// `benches/import_growth.sh`); here, what they must give.
#[test]
fn doccano_records_sharing_one_id_get_unique_ids_and_labels_stay_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lines = String::new();
    for k in 0..4_000 {
        lines.push_str(&format!(
            "{{\"id\": \"same\", \"text\": \"abc\", \"label\": [[0, 1, \"L{k}\"]]}}\n"
        ));
    }
    // An id that a suffix would also make must not collide.
    lines.push_str("{\"id\": \"same-3\", \"text\": \"abc\"}\n");
    let path = dir.path().join("d.jsonl");
    std::fs::write(&path, &lines).expect("write");
    let (result, peak, _) = measured_import(Format::Doccano, std::slice::from_ref(&path));
    let project = result.expect("imports").project;
    let ids: Vec<&str> = project
        .documents
        .iter()
        .map(|d| d.document.id.as_str())
        .collect();
    assert_eq!(&ids[..3], ["same", "same-2", "same-3"]);
    assert_eq!(ids[3999], "same-4000");
    assert_eq!(ids[4000], "same-3-2");
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    let labels: Vec<_> = project.labels.iter().map(|l| l.name.clone()).collect();
    assert_eq!(labels.len(), 4_000);
    assert_eq!(labels[0], "L0");
    assert_eq!(labels[3999], "L3999");
    assert_within_allowance(peak, input_size(&[&path]));
}
