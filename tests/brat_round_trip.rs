//! brat in and out: the real corpora's T, R, A and # lines (and E, N, M, * lines) come back
//! exactly after an import, a save and load as a project file, and an export.
//!
//! Fixtures: a few files of brat's own example corpora (TDT, NCBI-disease, CoNLL-ST 2002,
//! see LICENSE-brat.md beside them) and a small hand-made file with events, normalisations,
//! equivalences and notes on relations and events.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use spantag::core::formats::{self, ExportOptions, Format, ImportOptions};
use spantag::core::project_file;
use spantag::core::{AttributeKind, Project};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn import(dir: &Path) -> formats::ImportReport {
    formats::import(Format::Brat, &[dir.to_owned()], &ImportOptions::default()).expect("imports")
}

/// The lines of every `.ann` in `dir`, by file name, as sets.
fn ann_lines(dir: &Path) -> Vec<(String, BTreeSet<String>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ann"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("ann");
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, lines(&text))
        })
        .collect()
}

fn lines(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Import `dir`, save and load the project file, export: the `.ann` line sets of the export.
fn through_spantag(dir: &Path) -> (Project, Vec<(String, BTreeSet<String>)>) {
    let report = import(dir);
    let json = project_file::to_json(&report.project).expect("json");
    let project = project_file::parse(json.as_bytes(), Path::new("p.json")).expect("loads");
    let exported =
        formats::export(&project, Format::Brat, &ExportOptions::default()).expect("exports");
    let anns = exported
        .files
        .iter()
        .filter(|f| f.path.extension().is_some_and(|x| x == "ann"))
        .map(|f| {
            let text = String::from_utf8(f.bytes.clone()).expect("utf-8");
            (f.path.to_string_lossy().into_owned(), lines(&text))
        })
        .collect();
    (project, anns)
}

fn assert_round_trip(dir: &Path) -> Project {
    let (project, exported) = through_spantag(dir);
    let original = ann_lines(dir);
    assert_eq!(exported.len(), original.len());
    for ((name, before), (out_name, after)) in original.iter().zip(&exported) {
        assert_eq!(name, out_name);
        let lost: Vec<_> = before.difference(after).take(5).collect();
        let made: Vec<_> = after.difference(before).take(5).collect();
        assert!(
            lost.is_empty() && made.is_empty(),
            "{name}: lost {lost:?}, made {made:?}"
        );
    }
    project
}

#[test]
fn tdt_relations_attributes_and_lemma_notes_round_trip_exactly() {
    let dir = fixture("brat-tdt");
    let report = import(&dir);
    assert!(report.left_out.is_empty(), "{:?}", report.left_out);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let project = assert_round_trip(&dir);
    let relations = project.relation_count();
    let r_lines: usize = ann_lines(&dir)
        .iter()
        .map(|(_, l)| l.iter().filter(|l| l.starts_with('R')).count())
        .sum();
    assert_eq!(relations, r_lines);
    assert!(relations > 100);
    // annotation.conf's choices, in the order the files list them per token.
    let case = project.attribute("CASE").expect("CASE");
    assert_eq!(case.kind, AttributeKind::Choice);
    assert!(case.values.contains(&"Nom".to_owned()));
}

#[test]
fn ncbi_category_attributes_round_trip_exactly() {
    let dir = fixture("brat-ncbi");
    let report = import(&dir);
    assert!(report.left_out.is_empty(), "{:?}", report.left_out);
    let project = assert_round_trip(&dir);
    let category = project.attribute("Category").expect("Category");
    assert_eq!(category.labels, ["Disease"]);
    assert!(
        project.documents[0]
            .spans
            .iter()
            .any(|s| s.attributes.contains_key("Category"))
    );
}

#[test]
fn conll_entities_round_trip_exactly() {
    assert_round_trip(&fixture("brat-conll"));
}

#[test]
fn events_normalisations_equivalences_and_notes_on_relations_round_trip_exactly() {
    let dir = fixture("brat-extras");
    let report = import(&dir);
    assert!(report.left_out.is_empty(), "{:?}", report.left_out);
    let project = assert_round_trip(&dir);
    let doc = &project.documents[0];
    // R1 and R2 are relations; R3 joins events, so it is kept as read.
    assert_eq!(doc.relations.len(), 2);
    let first = doc.relations.iter().next().expect("R1");
    assert_eq!(first.note.as_deref(), Some("on a state visit"));
    let kinds: String = doc.standoff.iter().map(|l| l.kind()).collect();
    assert_eq!(kinds, "EEAM##N**R");
    let obama = doc.spans.iter().next().expect("T1");
    assert_eq!(obama.note.as_deref(), Some("the 44th president"));
    assert_eq!(
        obama.attributes.get("Negated").map(String::as_str),
        Some("true")
    );
}

#[test]
fn kept_lines_follow_their_spans_when_the_t_lines_are_renumbered() {
    let dir = fixture("brat-extras");
    let mut editor = spantag::core::Editor::new(import(&dir).project);
    // A new span inside the first: every T line after it moves up by one.
    let t = editor.project.tag(0, 7, 12, "Person");
    editor.execute(t).expect("tag");
    let exported =
        formats::export(&editor.project, Format::Brat, &ExportOptions::default()).expect("exports");
    let ann = exported
        .files
        .iter()
        .find(|f| f.path.extension().is_some_and(|x| x == "ann"))
        .map(|f| String::from_utf8(f.bytes.clone()).expect("utf-8"))
        .expect("ann");
    let lines = lines(&ann);
    for expected in [
        "T1\tPerson 0 12\tBarack Obama",
        "T2\tPerson 7 12\tObama",
        "E1\tTravel:T3 Agent:T1 Destination:T4",
        "*\tCoref T1 T5",
        "*\tCoref T4 T8",
        "N1\tReference T1 Wikipedia:534366\tBarack Obama",
        "R1\tLocated Arg1:T1 Arg2:T4",
        "#4\tLemma T6\tmeet",
    ] {
        assert!(lines.contains(expected), "{expected} not in\n{ann}");
    }
}

#[test]
fn deleting_a_span_drops_the_kept_lines_naming_it_with_a_warning() {
    let dir = fixture("brat-extras");
    let mut editor = spantag::core::Editor::new(import(&dir).project);
    let he = editor.project.documents[0]
        .spans
        .iter()
        .find(|s| s.start == 30)
        .map(|s| s.id)
        .expect("He");
    let t = editor.project.remove_spans(0, &[he]);
    editor.execute(t).expect("delete");
    let exported =
        formats::export(&editor.project, Format::Brat, &ExportOptions::default()).expect("exports");
    let warnings = exported.warnings.join("\n");
    assert!(
        warnings.contains("the kept line \"E2\tMeet:T5 Agent:T4 Agent2:T6\""),
        "{warnings}"
    );
    assert!(
        warnings.contains("the kept line \"*\tCoref T1 T4\""),
        "{warnings}"
    );
}

#[test]
fn a_value_annotation_conf_does_not_allow_is_kept_with_a_warning_naming_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("d.txt"), "Obama met Xi.").expect("write");
    std::fs::write(
        dir.path().join("d.ann"),
        "T1\tPerson 0 5\tObama\nA1\tCertainty T1 Maybe\nT2\tPerson 10 12\tXi\nA2\tCertainty T2 High\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("annotation.conf"),
        "[entities]\nPerson\n[relations]\n[events]\n[attributes]\nCertainty Arg:<ENTITY>, Value:High|Low\n",
    )
    .expect("write");
    let report = import(dir.path());
    let warning = format!(
        "{}:2: attribute Certainty value \"Maybe\": annotation.conf does not allow it; kept",
        dir.path().join("d.ann").display()
    );
    assert_eq!(report.warnings, [warning]);
    let obama = report.project.documents[0].spans.iter().next().expect("T1");
    assert_eq!(
        obama.attributes.get("Certainty").map(String::as_str),
        Some("Maybe")
    );
    // The definition stays as configured; the value comes back out as it came in.
    assert_eq!(
        report.project.attribute("Certainty").expect("def").values,
        ["High", "Low"]
    );
    assert_round_trip(dir.path());
}
