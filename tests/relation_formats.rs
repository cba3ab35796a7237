//! Relations through doccano's relation form and Label Studio's `relation` results: exported,
//! imported back, the same relations between the same spans.

use std::path::Path;

use spantag::core::formats::{self, ExportOptions, Format, ImportOptions};
use spantag::core::{Editor, Project, RelationType, Rgb, SpanId, SpanStatus, markup};

/// 习近平 会见 卡斯特罗 in 北京: `meets` 习近平 → 卡斯特罗, `in` 卡斯特罗 → 北京, and a suggested
/// `in` 习近平 → 北京 (not exported: only accepted relations are training data).
fn project() -> Project {
    let mut editor = Editor::new(markup::project(
        "[习近平](PER)在[北京](GPE)会见[卡斯特罗](PER)",
    ));
    for name in ["meets", "in"] {
        let t = editor
            .project
            .add_relation_type(RelationType::new(name, Rgb(9, 9, 9)));
        editor.execute(t).expect("type");
    }
    let ids: Vec<SpanId> = editor.project.documents[0]
        .spans
        .iter()
        .map(|s| s.id)
        .collect();
    for (from, to, kind) in [(0, 2, "meets"), (2, 1, "in"), (0, 1, "in")] {
        let t = editor.project.relate(0, ids[from], ids[to], kind);
        editor.execute(t).expect("relate");
    }
    let mut suggested = editor.project.documents[0]
        .relations
        .iter()
        .last()
        .cloned()
        .expect("r");
    suggested.status = SpanStatus::Suggested;
    let t = editor.project.change_relation("suggest", 0, suggested);
    editor.execute(t).expect("suggest");
    editor.project
}

/// The relations as (type, from text, to text), sorted.
fn relations(project: &Project) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for d in &project.documents {
        let text = |id: SpanId| {
            let s = d.spans.get(id).expect("end");
            d.document.slice(s.start, s.end).to_owned()
        };
        for r in d.relations.iter() {
            out.push((r.kind.clone(), text(r.from), text(r.to)));
        }
    }
    out.sort();
    out
}

fn round_trip(format: Format, file: &str) -> (Project, Vec<String>) {
    let exported = formats::export(&project(), format, &ExportOptions::default()).expect("exports");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(file);
    std::fs::write(&path, &exported.files[0].bytes).expect("write");
    let imported =
        formats::import(format, &[path], &ImportOptions::default()).expect("imports back");
    // Whatever imports must make a project that saves and loads.
    let json = spantag::core::project_file::to_json(&imported.project).expect("json");
    spantag::core::project_file::parse(json.as_bytes(), Path::new("p.json")).expect("valid");
    (imported.project, exported.warnings)
}

fn accepted() -> Vec<(String, String, String)> {
    vec![
        ("in".into(), "卡斯特罗".into(), "北京".into()),
        ("meets".into(), "习近平".into(), "卡斯特罗".into()),
    ]
}

#[test]
fn doccano_relation_form_round_trips_relations() {
    let exported =
        formats::export(&project(), Format::Doccano, &ExportOptions::default()).expect("export");
    let line = String::from_utf8(exported.files[0].bytes.clone()).expect("utf-8");
    assert!(
        line.contains(
            "\"entities\":[{\"id\":1,\"label\":\"PER\",\"start_offset\":0,\"end_offset\":3}"
        ),
        "{line}"
    );
    assert!(
        line.contains("\"relations\":[{\"id\":1,\"from_id\":1,\"to_id\":3,\"type\":\"meets\"}"),
        "{line}"
    );
    let (back, warnings) = round_trip(Format::Doccano, "d.jsonl");
    assert_eq!(relations(&back), accepted());
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("doccano: 1 relations are not exported")),
        "{warnings:?}"
    );
}

#[test]
fn label_studio_relation_results_round_trip_relations() {
    let (back, warnings) = round_trip(Format::LabelStudio, "ls.json");
    assert_eq!(relations(&back), accepted());
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("label-studio: 1 relations are not exported")),
        "{warnings:?}"
    );
    let config =
        formats::label_studio::labelling_config(&project().labels, project().relation_types());
    assert!(
        config.contains("<Relations>\n    <Relation value=\"meets\"/>"),
        "{config}"
    );
}

#[test]
fn label_studio_left_and_unlabelled_relations_and_bad_type_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ls.json");
    let task = |relation: &str| {
        format!(
            r#"[{{"id": 1, "data": {{"text": "习近平在北京"}}, "annotations": [{{"result": [
            {{"id": "a", "type": "labels", "from_name": "label", "to_name": "text",
              "value": {{"start": 0, "end": 3, "labels": ["PER"]}}}},
            {{"id": "b", "type": "labels", "from_name": "label", "to_name": "text",
              "value": {{"start": 4, "end": 6, "labels": ["GPE"]}}}},
            {relation}]}}]}}]"#
        )
    };
    std::fs::write(
        &path,
        task(r#"{"type": "relation", "from_id": "b", "to_id": "a", "direction": "left"}"#),
    )
    .expect("write");
    let report = formats::import(
        Format::LabelStudio,
        std::slice::from_ref(&path),
        &ImportOptions::default(),
    )
    .expect("imports");
    assert_eq!(
        relations(&report.project),
        [("relation".into(), "习近平".into(), "北京".into())]
    );
    std::fs::write(
        &path,
        task(r#"{"type": "relation", "from_id": "a", "to_id": "b", "labels": ["works for"]}"#),
    )
    .expect("write");
    let error = formats::import(
        Format::LabelStudio,
        std::slice::from_ref(&path),
        &ImportOptions::default(),
    )
    .expect_err("a type name with a space")
    .to_string();
    assert!(
        error.contains("relation type \"works for\" cannot be used: relation type name \"works for\" must not contain spaces"),
        "{error}"
    );
}

#[test]
fn spacy_jsonl_lists_the_accepted_relations_with_their_spans() {
    let exported =
        formats::export(&project(), Format::Spacy, &ExportOptions::default()).expect("export");
    let line = String::from_utf8(exported.files[0].bytes.clone()).expect("utf-8");
    let record: serde_json::Value = serde_json::from_str(line.trim()).expect("json");
    assert_eq!(
        record["relations"],
        serde_json::json!([
            {"label": "meets", "head_span": {"start": 0, "end": 3, "label": "PER"},
             "child_span": {"start": 8, "end": 12, "label": "PER"}},
            {"label": "in", "head_span": {"start": 8, "end": 12, "label": "PER"},
             "child_span": {"start": 4, "end": 6, "label": "GPE"}}
        ])
    );
    assert!(
        exported
            .warnings
            .iter()
            .any(|w| w.contains("spacy: 1 relations are not exported")),
        "{:?}",
        exported.warnings
    );
}
