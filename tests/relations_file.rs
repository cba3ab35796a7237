//! Format version 3: relations, relation types, attribute definitions and kept brat lines in
//! the project file; the migration from version 2; the validator's messages.

use std::path::Path;

use spantag::core::attribute::{AttributeDef, AttributeKind};
use spantag::core::project_file::{self, ProjectFileError};
use spantag::core::{Editor, RelationType, Rgb, SpanId, markup};

fn load(json: &str) -> Result<project_file::Loaded, ProjectFileError> {
    project_file::parse_with(
        json.as_bytes(),
        Path::new("team.json"),
        project_file::Drift::Refuse,
    )
}

fn problems(json: &str) -> String {
    match load(json) {
        Ok(_) => panic!("expected problems in {json}"),
        Err(e) => e.to_string(),
    }
}

/// A version 3 file over "习近平在北京" with spans 1 (PER) and 2 (GPE), the relation types and
/// attributes given, and `relations` in document "d1".
fn v3(relation_types: &str, attributes: &str, relations: &str) -> String {
    let text = "习近平在北京";
    let sha = spantag::core::document::sha256_hex(text);
    format!(
        r##"{{"format": "spantag", "version": 3, "next_span_id": 3,
  "labels": [{{"name": "PER", "color": "#e6194b"}}, {{"name": "GPE", "color": "#4363d8"}}],
  "relation_types": [{relation_types}],
  "attributes": [{attributes}],
  "documents": [{{"id": "d1", "sha256": "{sha}", "text": "{text}",
    "spans": [{{"id": 1, "start": 0, "end": 3, "label": "PER", "attributes": {{"Role": "host"}}}},
              {{"id": 2, "start": 4, "end": 6, "label": "GPE"}}],
    "relations": [{relations}]}}]}}"##
    )
}

const IN: &str =
    r##"{"name": "in", "color": "#000000", "from_labels": ["PER"], "to_labels": ["GPE"]}"##;
const ROLE: &str = r#"{"name": "Role", "kind": "choice", "values": ["host", "guest"]}"#;

#[test]
fn a_project_with_relations_and_attributes_saves_and_loads_unchanged() {
    let mut editor = Editor::new(markup::project(
        "[习近平](PER)在[北京](GPE)会见[卡斯特罗](PER)",
    ));
    let mut meets = RelationType::new("meets", Rgb(1, 2, 3));
    meets.hotkey = Some('m');
    meets.to_labels = vec!["PER".into()];
    let t = editor.project.add_relation_type(meets);
    editor.execute(t).expect("type");
    let t = editor
        .project
        .add_attribute(AttributeDef::new("Negated", AttributeKind::Flag, &[]));
    editor.execute(t).expect("attribute");
    let ids: Vec<SpanId> = editor.project.documents[0]
        .spans
        .iter()
        .map(|s| s.id)
        .collect();
    let t = editor.project.relate(0, ids[0], ids[2], "meets");
    editor.execute(t).expect("relate");
    let t = editor
        .project
        .set_attribute(0, ids[2], "Negated", Some("true"));
    editor.execute(t).expect("flag");
    let json = project_file::to_json(&editor.project).expect("json");
    assert!(json.contains("\"version\": 3"), "{json}");
    assert!(json.contains("\"next_relation_id\": 2"), "{json}");
    let loaded = load(&json).expect("loads");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let project = loaded.project;
    assert_eq!(project.relation_types(), editor.project.relation_types());
    assert_eq!(project.attributes(), editor.project.attributes());
    assert_eq!(
        project.documents[0].relations,
        editor.project.documents[0].relations
    );
    assert_eq!(project.next_relation_id(), 2);
    // Deterministic: the same project gives the same bytes.
    assert_eq!(project_file::to_json(&project).expect("json"), json);
}

#[test]
fn a_version_2_file_with_attributes_migrates_to_definitions() {
    let text = "习近平";
    let sha = spantag::core::document::sha256_hex(text);
    let v2 = format!(
        r##"{{"format": "spantag", "version": 2, "next_span_id": 5,
  "labels": [{{"name": "PER", "color": "#e6194b"}}],
  "documents": [{{"id": "d1", "sha256": "{sha}", "text": "{text}",
    "spans": [{{"id": 4, "start": 0, "end": 3, "label": "PER",
               "attributes": {{"wikidata": "Q15031", "checked": "yes"}}}}]}}]}}"##
    );
    let loaded = load(&v2).expect("a version 2 file loads");
    assert_eq!(loaded.migrated_from, Some(2));
    let names: Vec<(&str, AttributeKind)> = loaded
        .project
        .attributes()
        .iter()
        .map(|a| (a.name.as_str(), a.kind))
        .collect();
    assert_eq!(
        names,
        [
            ("checked", AttributeKind::Text),
            ("wikidata", AttributeKind::Text)
        ]
    );
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let saved = project_file::to_json(&loaded.project).expect("json");
    assert!(saved.contains("\"version\": 3"));
    let again = load(&saved).expect("loads");
    assert_eq!(again.migrated_from, None);
    // Without attributes nothing changes but the version written.
    let plain = v2.replace(
        r#""attributes": {"wikidata": "Q15031", "checked": "yes"}"#,
        r#""note": "n""#,
    );
    assert_eq!(load(&plain).expect("loads").migrated_from, None);
}

#[test]
fn broken_relations_are_refused_naming_file_document_and_relation() {
    let message = problems(&v3(
        IN,
        ROLE,
        r#"{"id": 1, "type": "in", "from": 1, "to": 9},
           {"id": 1, "type": "near", "from": 1, "to": 2},
           {"id": 3, "type": "in", "from": 2, "to": 2}"#,
    ));
    for expected in [
        "team.json: document 1 (\"d1\"), relation 1: span 9 (its end) is not a span of this document",
        "team.json: document 1 (\"d1\"), relation 1: relation id 1 is used twice",
        "relation 1: relation type \"near\" is not one of the project's relation types",
        "relation 3: the relation starts and ends at the same span 2",
    ] {
        assert!(message.contains(expected), "{expected}\n in \n{message}");
    }
    let message = problems(&v3(
        &format!("{IN}, {IN}"),
        r#"{"name": "Role", "kind": "choice"}"#,
        "",
    ));
    assert!(
        message
            .contains("team.json: relation type 2 (in): there is already a relation type named in"),
        "{message}"
    );
    assert!(
        message.contains(
            "team.json: attribute 1 (Role): attribute Role is a choice but has no values"
        ),
        "{message}"
    );
}

#[test]
fn values_and_ends_other_tools_made_are_kept_with_warnings() {
    // 北京 (GPE) at the start of `in`, which allows only PER there; Role "chef" not a choice.
    let json = v3(
        IN,
        r#"{"name": "Role", "kind": "choice", "values": ["guest"]}"#,
        r#"{"id": 7, "type": "in", "from": 2, "to": 1, "note": "backwards"}"#,
    );
    let loaded = load(&json).expect("kept, not refused");
    let warnings = loaded.warnings.join("\n");
    for expected in [
        "document 1 (\"d1\"), relation 7: span 2 at its start is labelled GPE, but in allows only PER there",
        "document 1 (\"d1\"), relation 7: span 1 at its end is labelled PER, but in allows only GPE there",
        "document 1 (\"d1\"), span 1: \"host\" is not one of the values of attribute Role (guest)",
    ] {
        assert!(warnings.contains(expected), "{expected}\n in \n{warnings}");
    }
    assert_eq!(loaded.project.relation_count(), 1);
    assert_eq!(loaded.project.next_relation_id(), 8);
}

#[test]
fn a_relation_other_tools_made_against_the_rules_comes_back_on_undo() {
    // 北京 → 习近平 with `in` (PER → GPE only): loaded with warnings, deleted with its span,
    // and undo brings it back as it was (the rules bind new relations, not restored ones).
    let json = v3(IN, ROLE, r#"{"id": 7, "type": "in", "from": 2, "to": 1}"#);
    let mut editor = Editor::new(load(&json).expect("loads").project);
    let before = editor.project.documents[0].relations.clone();
    let t = editor.project.remove_spans(0, &[SpanId(2)]);
    editor.execute(t).expect("delete");
    assert!(editor.project.documents[0].relations.is_empty());
    editor.undo().expect("undo").expect("a step");
    assert_eq!(editor.project.documents[0].relations, before);
    // Made anew, the same relation is refused.
    let t = editor
        .project
        .remove_relations(0, &[spantag::core::RelationId(7)]);
    editor.execute(t).expect("delete the relation");
    let t = editor.project.relate(0, SpanId(2), SpanId(1), "in");
    let error = editor.execute(t).expect_err("label rule").to_string();
    assert!(error.contains("allows only PER there"), "{error}");
}

#[test]
fn relations_of_spans_left_out_for_a_changed_text_wait_in_the_drift_report() {
    // The text changed: 北京 became 上海, so span 2 is left out and the relation with it waits.
    let json = v3(IN, ROLE, r#"{"id": 7, "type": "in", "from": 1, "to": 2}"#)
        .replace("\"text\": \"习近平在北京\"", "\"text\": \"习近平在上海\"")
        .replace(
            r#""end": 6, "label": "GPE"}"#,
            r#""end": 6, "label": "GPE", "text": "北京"}"#,
        );
    assert!(problems(&json).contains("SHA-256"));
    let loaded = project_file::parse_with(
        json.as_bytes(),
        Path::new("team.json"),
        project_file::Drift::Allow,
    )
    .expect("loads with drift allowed");
    assert!(loaded.project.documents[0].relations.is_empty());
    let drift = &loaded.drift[0];
    assert_eq!(drift.spans.len(), 1);
    assert_eq!(drift.relations.len(), 1);
    assert_eq!(drift.relations[0].id.0, 7);
    // The project as loaded saves and loads again: no relation names a missing span.
    let saved = project_file::to_json(&loaded.project).expect("json");
    load(&saved).expect("a sound file");
}

#[test]
fn a_relation_to_a_span_of_another_document_is_refused_naming_both() {
    let a = "习近平";
    let b = "北京";
    let sha = spantag::core::document::sha256_hex;
    let json = format!(
        r##"{{"format": "spantag", "version": 3,
  "labels": [{{"name": "PER", "color": "#e6194b"}}, {{"name": "GPE", "color": "#4363d8"}}],
  "relation_types": [{IN}],
  "documents": [
    {{"id": "a", "sha256": "{}", "text": "{a}",
      "spans": [{{"id": 1, "start": 0, "end": 3, "label": "PER"}}],
      "relations": [{{"id": 1, "type": "in", "from": 1, "to": 2}}]}},
    {{"id": "b", "sha256": "{}", "text": "{b}",
      "spans": [{{"id": 2, "start": 0, "end": 2, "label": "GPE"}}]}}]}}"##,
        sha(a),
        sha(b)
    );
    let message = problems(&json);
    assert!(
        message.contains(
            "team.json: document 1 (\"a\"), relation 1: span 2 (its end) is not a span of this \
             document (it is in document \"b\": a relation joins two spans of one document)"
        ),
        "{message}"
    );
}
