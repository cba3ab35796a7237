//! Stable identities: span ids are never reused (not even across save and reopen), edits name
//! their document by id, and new spans get their ids when an edit is applied.

use std::path::Path;

use spantag::core::project_file;
use spantag::core::{
    DocId, Document, Edit, EditError, Editor, LabelSet, Project, Span, SpanId, Transaction, markup,
};

fn ids(project: &Project) -> Vec<u64> {
    let mut ids: Vec<u64> = project
        .documents
        .iter()
        .flat_map(|d| d.spans.iter())
        .map(|s| s.id.0)
        .collect();
    ids.sort_unstable();
    ids
}

/// The id of the span `[start, end)` of document 0.
fn id_at(project: &Project, start: usize, end: usize) -> u64 {
    project.documents[0]
        .spans
        .iter()
        .find(|s| (s.start, s.end) == (start, end))
        .map(|s| s.id.0)
        .expect("span there")
}

fn parse(json: &str) -> Project {
    project_file::parse(json.as_bytes(), Path::new("test.json")).expect("loads")
}

#[test]
fn deleting_the_highest_id_then_saving_reopening_and_tagging_gives_a_new_id() {
    let mut editor = Editor::new(markup::project("[习近平](PER)在[北京](GPE)会见[古巴](GPE)"));
    assert_eq!(ids(&editor.project), [1, 2, 3]);
    let t = editor.project.remove_spans(0, &[SpanId(3)]);
    editor.execute(t).expect("delete");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.json");
    project_file::save(&editor.project, &path).expect("saved");
    let saved = std::fs::read_to_string(&path).expect("read");
    assert!(saved.contains("\"version\": 3"), "{saved}");
    assert!(saved.contains("\"next_span_id\": 4"), "{saved}");

    let mut reopened = Editor::new(project_file::load(&path).expect("loads"));
    let t = reopened.project.tag(0, 6, 8, "PER");
    reopened.execute(t).expect("tag");
    assert_eq!(
        id_at(&reopened.project, 6, 8),
        4,
        "id 3 was deleted: never again"
    );
}

#[test]
fn undoing_an_add_then_tagging_gives_a_new_id() {
    let mut editor = Editor::new(markup::project("习近平在北京"));
    let t = editor.project.tag(0, 0, 3, "PER");
    editor.execute(t).expect("tag");
    let first = id_at(&editor.project, 0, 3);
    editor.undo().expect("undo");
    let t = editor.project.tag(0, 4, 6, "GPE");
    editor.execute(t).expect("tag");
    assert_ne!(id_at(&editor.project, 4, 6), first);
    // The same range tagged again is a new span too.
    let t = editor.project.tag(0, 0, 3, "PER");
    editor.execute(t).expect("tag");
    let again = id_at(&editor.project, 0, 3);
    assert!(again != first && again > id_at(&editor.project, 4, 6));
}

#[test]
fn version_1_files_load_with_the_next_id_above_their_largest_and_save_as_the_current_version() {
    let text = "习近平在北京";
    let sha = spantag::core::document::sha256_hex(text);
    let v1 = format!(
        r##"{{"format": "spantag", "version": 1,
  "labels": [{{"name": "PER", "color": "#e6194b", "hotkey": "1"}}],
  "documents": [{{"id": "d1", "sha256": "{sha}", "text": "{text}",
    "spans": [{{"id": 7, "start": 0, "end": 3, "label": "PER"}}]}}]}}"##
    );
    let loaded = project_file::parse_with(
        v1.as_bytes(),
        Path::new("v1.json"),
        project_file::Drift::Refuse,
    )
    .expect("loads");
    // Nothing to save: the project says what the file says.
    assert_eq!(loaded.migrated_from, None);
    assert_eq!(loaded.project.next_span_id(), 8);
    let json = project_file::to_json(&loaded.project).expect("serialisable");
    assert!(
        json.contains("\"version\": 3,\n  \"next_span_id\": 8,"),
        "{json}"
    );
}

/// A version 2 file with `next_span_id` and spans with the given ids.
fn v2_file(next: u64, span_ids: &[u64]) -> String {
    let text = "习近平在北京会见古巴领导人";
    let spans: Vec<String> = span_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            format!(
                r#"{{"id": {id}, "start": {i}, "end": {}, "label": "PER"}}"#,
                i + 1
            )
        })
        .collect();
    format!(
        r##"{{"format": "spantag", "version": 2, "next_span_id": {next},
  "labels": [{{"name": "PER", "color": "#e6194b", "hotkey": "1"}}],
  "documents": [{{"id": "d1", "text": "{text}", "spans": [{}]}}]}}"##,
        spans.join(", ")
    )
}

#[test]
fn the_stored_next_id_is_kept_when_it_is_above_every_span() {
    let project = parse(&v2_file(40, &[1, 2]));
    assert_eq!(project.next_span_id(), 40);
    let t = project.tag(0, 5, 7, "PER");
    let mut project = project;
    let applied = project.apply(&t).expect("tag");
    let Edit::AddSpan { span, .. } = &applied.edits[0] else {
        panic!("an added span: {applied:?}");
    };
    assert_eq!(span.id, SpanId(40));
}

#[test]
fn ids_at_or_above_the_stored_next_id_load_and_raise_it() {
    // Written by hand or by another tool: never a reason to refuse the file.
    let project = parse(&v2_file(3, &[1, 3, 9]));
    assert_eq!(ids(&project), [1, 3, 9]);
    assert_eq!(project.next_span_id(), 10);
    let json = project_file::to_json(&project).expect("serialisable");
    assert!(json.contains("\"next_span_id\": 10,"), "{json}");
}

#[test]
fn span_ids_beyond_what_json_readers_read_exactly_are_refused() {
    let error = project_file::parse(v2_file(1, &[1 << 53]).as_bytes(), Path::new("test.json"))
        .expect_err("refused")
        .to_string();
    assert!(
        error.contains(
            "test.json: document 1 (\"d1\"), span 9007199254740992: span id 9007199254740992 is \
             too large (span ids go up to 9007199254740991)"
        ),
        "{error}"
    );
    // The largest allowed id loads, and a new span still gets an id: the next one is in range.
    let project = parse(&v2_file(1, &[(1 << 53) - 1]));
    assert_eq!(project.next_span_id(), 1 << 53);
}

fn two_documents() -> Project {
    Project::new(
        LabelSet::news_default(),
        vec![
            Document::new("a", "a.txt", "习近平在北京"),
            Document::new("b", "b.txt", "古巴领导人"),
        ],
    )
}

#[test]
fn an_edit_lands_in_the_document_it_was_built_for_wherever_that_document_is() {
    let snapshot = two_documents();
    let t = snapshot.tag(1, 0, 2, "GPE");
    // The same documents in another order (another copy of the project, a merge).
    let mut other = two_documents();
    other.documents.reverse();
    assert_eq!(other.doc_index(&DocId::new("b")), Some(0));
    other.apply(&t).expect("applies");
    assert_eq!(other.documents[0].document.id, "b");
    assert_eq!(markup::render_document(&other, 0), "[古巴](GPE)领导人");
    assert_eq!(markup::render_document(&other, 1), "习近平在北京");
}

#[test]
fn an_edit_for_a_document_the_project_lacks_is_an_error() {
    let snapshot = two_documents();
    let t = snapshot.tag(1, 0, 2, "GPE");
    let mut other = two_documents();
    other.documents.truncate(1);
    let mut editor = Editor::new(other);
    assert_eq!(
        editor.execute(t),
        Err(EditError::NoDocument(DocId::new("b")))
    );
    assert_eq!(editor.project.span_count(), 0);
    assert!(!editor.history.can_undo());
    let t = Transaction::new(
        "remove",
        vec![Edit::RemoveSpan {
            doc: DocId::new("gone"),
            span: Span::new(SpanId(1), 0, 1, "PER"),
        }],
    );
    let message = editor.execute(t).expect_err("refused").to_string();
    assert_eq!(message, "there is no document \"gone\" in the project");
}

#[test]
fn document_ids_and_positions_translate_both_ways() {
    let project = two_documents();
    for i in 0..2 {
        let id = project.doc_id(i).expect("a document");
        assert_eq!(project.doc_index(&id), Some(i));
    }
    assert_eq!(project.doc_id(2), None);
    assert_eq!(project.doc_index(&DocId::new("c")), None);
}

#[test]
fn edits_built_from_one_snapshot_get_distinct_ids_when_applied() {
    let mut editor = Editor::new(markup::project("习近平在北京会见古巴领导人"));
    // Both built before either is applied, as a background job builds from a snapshot.
    let snapshot = &editor.project;
    let first = snapshot.tag(0, 0, 3, "PER");
    let second = snapshot.tag(0, 4, 6, "GPE");
    for t in [&first, &second] {
        let Edit::AddSpan { span, .. } = &t.edits[0] else {
            panic!("an added span");
        };
        assert_eq!(span.id, SpanId::NEW, "no id while built");
    }
    let applied_first = editor.execute(first).expect("first");
    let applied_second = editor.execute(second).expect("second");
    let new_id = |t: &Transaction| match &t.edits[0] {
        Edit::AddSpan { span, .. } => span.id,
        other => panic!("an added span: {other:?}"),
    };
    // The applied transactions tell the caller the new ids (to select the new span).
    assert_eq!(new_id(&applied_first), SpanId(1));
    assert_eq!(new_id(&applied_second), SpanId(2));
    assert_eq!(ids(&editor.project), [1, 2]);
}

#[test]
fn undo_and_redo_bring_back_the_same_ids() {
    let mut editor = Editor::new(markup::project("习近平在北京会见古巴领导人"));
    let snapshot = editor.project.clone();
    let mut t = snapshot.tag(0, 0, 3, "PER");
    t.edits.extend(snapshot.tag(0, 8, 10, "GPE").edits);
    editor.execute(t).expect("two spans in one step");
    let before = ids(&editor.project);
    assert_eq!(before, [1, 2]);
    editor.undo().expect("undo");
    assert_eq!(ids(&editor.project), Vec::<u64>::new());
    editor.redo().expect("redo");
    assert_eq!(ids(&editor.project), before);
    assert_eq!(id_at(&editor.project, 0, 3), 1);
    assert_eq!(id_at(&editor.project, 8, 10), 2);
    // A delete undone brings the span back under its own id, and tagging after that still
    // gives a new one.
    let t = editor.project.remove_spans(0, &[SpanId(2)]);
    editor.execute(t).expect("delete");
    editor.undo().expect("undo delete");
    assert_eq!(id_at(&editor.project, 8, 10), 2);
    let t = editor.project.tag(0, 4, 6, "GPE");
    editor.execute(t).expect("tag");
    assert_eq!(id_at(&editor.project, 4, 6), 3);
}

#[test]
fn a_failed_transaction_gives_back_the_ids_it_took() {
    let mut project = markup::project("习近平在北京");
    let mut t = project.tag(0, 0, 3, "PER");
    t.edits.extend(project.tag(0, 4, 9, "GPE").edits); // past the end
    assert!(project.apply(&t).is_err());
    assert_eq!(project.span_count(), 0);
    let t = project.tag(0, 0, 3, "PER");
    project.apply(&t).expect("tag");
    assert_eq!(ids(&project), [1]);
}
