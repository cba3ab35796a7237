//! Loading and saving project files: round trips, determinism and every bad-input message.

use std::path::Path;

use spantag::core::project_file::{self, ProjectFileError};
use spantag::core::{Document, LabelSet, Project, markup};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/annotations/sample.json");

fn parse_str(json: &str) -> Result<Project, ProjectFileError> {
    project_file::parse(json.as_bytes(), Path::new("test.json"))
}

fn error_text(json: &str) -> String {
    match parse_str(json) {
        Ok(_) => panic!("expected an error for {json}"),
        Err(e) => e.to_string(),
    }
}

/// A minimal valid file with `spans` spliced into document "d1" with text `text`.
fn file_with(text: &str, spans: &str) -> String {
    let sha = spantag::core::document::sha256_hex(text);
    format!(
        r##"{{"format": "spantag", "version": 1,
  "labels": [{{"name": "PER", "color": "#e6194b", "hotkey": "1"}}],
  "documents": [{{"id": "d1", "sha256": "{sha}", "text": {text:?},
    "spans": [{spans}]}}]}}"##
    )
}

#[test]
fn sample_project_loads_and_saves_byte_identically() {
    let bytes = std::fs::read(SAMPLE).expect("sample exists");
    let project = project_file::parse(&bytes, Path::new(SAMPLE)).expect("sample is valid");
    assert_eq!(project.documents.len(), 1);
    assert!(project.span_count() >= 10);
    let original = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/news-xi-diaz-canel-2022-11-25.txt"
    ))
    .expect("article exists");
    assert_eq!(project.documents[0].document.text(), original);
    assert_eq!(
        project_file::to_json(&project).expect("serialisable"),
        String::from_utf8(bytes).expect("utf-8")
    );
}

#[test]
fn round_trip_keeps_cjk_astral_emoji_crlf_and_nested_spans() {
    let mut project = markup::project(
        "\r\n[[古巴](GPE)共产党](ORG)的[习近平](PER)在[𠮷野家](ORG)吃饭👍🏽，[北京](GPE)\r\n  ",
    );
    let id = project.documents[0]
        .spans
        .iter()
        .next()
        .map(|s| s.id)
        .expect("a span");
    let mut noted = project.documents[0].spans.get(id).cloned().expect("span");
    noted.note = Some("a note, with \"quotes\"".into());
    noted.annotator = Some("li".into());
    let t = project.change_span("note", 0, noted);
    project.apply(&t).expect("valid");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.json");
    project_file::save(&project, &path).expect("saved");
    let loaded = project_file::load(&path).expect("loads");
    assert_eq!(
        project_file::to_json(&loaded).expect("serialisable"),
        project_file::to_json(&project).expect("serialisable")
    );
    let d = &loaded.documents[0];
    let texts: Vec<&str> = d
        .spans
        .iter()
        .map(|s| d.document.slice(s.start, s.end))
        .collect();
    assert_eq!(
        texts,
        vec!["古巴共产党", "古巴", "习近平", "𠮷野家", "北京"]
    );
    assert!(d.document.text().starts_with("\r\n") && d.document.text().ends_with("\r\n  "));
}

#[test]
fn a_streamed_save_writes_every_field_in_the_order_to_json_did() {
    let mut project = markup::project("[习近平](PER)");
    // Attribute values need a definition (format version 3).
    let k = spantag::core::AttributeDef::new("k", spantag::core::AttributeKind::Text, &[]);
    project.apply(&project.add_attribute(k)).expect("defined");
    let mut span = project.documents[0]
        .spans
        .iter()
        .next()
        .cloned()
        .expect("span");
    span.note = Some("n".into());
    span.annotator = Some("li".into());
    span.status = spantag::core::SpanStatus::Suggested;
    span.group = Some(7);
    span.attributes.insert("k".to_owned(), "v".to_owned());
    let t = project.change_span("all fields", 0, span);
    project.apply(&t).expect("valid");
    let json = project_file::to_json(&project).expect("serialisable");
    // The span record as the owned records wrote it before saving streamed.
    let expected = r#"      "spans": [
        {
          "id": 1,
          "start": 0,
          "end": 3,
          "label": "PER",
          "text": "习近平",
          "note": "n",
          "annotator": "li",
          "status": "suggested",
          "group": 7,
          "attributes": {
            "k": "v"
          }
        }
      ]
"#;
    assert!(json.contains(expected), "{json}");
    assert!(
        json.starts_with(
            "{\n  \"format\": \"spantag\",\n  \"version\": 3,\n  \"next_span_id\": 2,"
        )
    );
    assert!(json.ends_with("}\n"));
    // Saving (into the temporary file's buffer) and save_new give exactly these bytes.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.json");
    project_file::save(&project, &path).expect("saved");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), json);
    let fresh = dir.path().join("new.json");
    project_file::save_new(&project, &fresh).expect("saved");
    assert_eq!(std::fs::read_to_string(&fresh).expect("read"), json);
    let mut streamed = Vec::new();
    project_file::write_json(&project, &mut streamed).expect("written");
    assert_eq!(String::from_utf8(streamed).expect("utf-8"), json);
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let message = error_text("{\n  \"format\": \"spantag\",\n  \"version\": 1,,\n}");
    assert!(
        message.starts_with("test.json:3:16: invalid JSON"),
        "{message}"
    );
}

#[test]
fn truncated_file_is_reported() {
    let full = file_with("abc", "");
    let message = error_text(&full[..full.len() / 2]);
    assert!(
        message.contains("test.json:") && message.contains("ends too early"),
        "{message}"
    );
}

#[test]
fn wrong_type_names_place() {
    let message = error_text(&file_with(
        "abc",
        r#"{"id": 1, "start": "0", "end": 1, "label": "PER"}"#,
    ));
    assert!(message.starts_with("test.json:4:"), "{message}");
    assert!(
        message.contains("wrong value: invalid type: string \"0\""),
        "{message}"
    );
}

#[test]
fn not_a_spantag_file_and_newer_versions_are_refused() {
    assert_eq!(
        error_text(r#"{"documents": []}"#),
        "test.json: not a Spantag project: no \"format\": \"spantag\" marker"
    );
    assert!(error_text(r#"{"format": "doccano"}"#).contains("\"format\" is \"doccano\""));
    let newer = error_text(r#"{"format": "spantag", "version": 7, "whatever": {}}"#);
    assert!(
        newer.contains("version 7 is newer") && newer.contains("newer Spantag"),
        "{newer}"
    );
}

#[test]
fn span_past_the_end_names_document_and_span() {
    let message = error_text(&file_with(
        "习近平",
        r#"{"id": 4, "start": 1, "end": 9, "label": "PER"}"#,
    ));
    assert_eq!(
        message,
        "test.json: document 1 (\"d1\"), span 4: end 9 is past the end of the text (3 characters)"
    );
}

#[test]
fn end_before_start_empty_span_unknown_label_and_duplicate_ids_are_all_reported() {
    let message = error_text(&file_with(
        "习近平在北京",
        r#"{"id": 1, "start": 3, "end": 2, "label": "PER"},
           {"id": 2, "start": 2, "end": 2, "label": "PER"},
           {"id": 3, "start": 0, "end": 3, "label": "POLITICIAN"},
           {"id": 3, "start": 4, "end": 6, "label": "PER"}"#,
    ));
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(
        lines,
        vec![
            "test.json: document 1 (\"d1\"), span 1: end 2 is before start 3",
            "test.json: document 1 (\"d1\"), span 2: the span is empty (start = end = 2)",
            "test.json: document 1 (\"d1\"), span 3: unknown label \"POLITICIAN\" (not in the project's label set)",
            "test.json: document 1 (\"d1\"), span 3: span id 3 is used twice (also in document \"d1\")",
        ]
    );
}

/// A file of three documents "a", "b", "c" with the given spans (texts of three characters).
fn three_documents(a: &str, b: &str, c: &str) -> String {
    let doc = |id: &str, text: &str, spans: &str| {
        let sha = spantag::core::document::sha256_hex(text);
        format!(r#"{{"id": "{id}", "sha256": "{sha}", "text": {text:?}, "spans": [{spans}]}}"#)
    };
    format!(
        r##"{{"format": "spantag", "version": 1,
  "labels": [{{"name": "PER", "color": "#e6194b", "hotkey": "1"}}],
  "documents": [{}, {}, {}]}}"##,
        doc("a", "习近平", a),
        doc("b", "李克强", b),
        doc("c", "王岐山", c)
    )
}

#[test]
fn span_ids_used_twice_across_documents_name_both_documents() {
    let message = error_text(&three_documents(
        r#"{"id": 5, "start": 0, "end": 3, "label": "PER"},
           {"id": 9, "start": 0, "end": 1, "label": "PER"}"#,
        r#"{"id": 7, "start": 0, "end": 3, "label": "PER"}"#,
        r#"{"id": 9, "start": 0, "end": 3, "label": "PER"},
           {"id": 5, "start": 1, "end": 2, "label": "PER"},
           {"id": 5, "start": 2, "end": 3, "label": "PER"}"#,
    ));
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(
        lines,
        vec![
            "test.json: document 3 (\"c\"), span 5: span id 5 is used twice (also in document \"a\")",
            "test.json: document 3 (\"c\"), span 5: span id 5 is used twice (also in document \"c\")",
            "test.json: document 3 (\"c\"), span 9: span id 9 is used twice (also in document \"a\")",
        ]
    );
    // Distinct ids across the documents load, and new ids start past the largest.
    let project = parse_str(&three_documents(
        r#"{"id": 5, "start": 0, "end": 3, "label": "PER"}"#,
        r#"{"id": 70, "start": 0, "end": 3, "label": "PER"}"#,
        r#"{"id": 9, "start": 0, "end": 3, "label": "PER"}"#,
    ))
    .expect("valid");
    assert_eq!(project.next_span_id(), 71);
}

#[test]
fn a_span_left_out_for_drift_keeps_its_id_from_reuse() {
    // The text of "b" changed, so its span 80 (recorded as 李克强) is left out; its id still
    // counts: it is used twice with "c"'s span 80, and new ids start past it.
    let changed = |c: &str| {
        three_documents(
            r#"{"id": 5, "start": 0, "end": 3, "label": "PER", "text": "习近平"}"#,
            r#"{"id": 80, "start": 0, "end": 3, "label": "PER", "text": "李克强"}"#,
            c,
        )
        .replace(
            "\"text\": \"李克强\", \"spans\"",
            "\"text\": \"张德江\", \"spans\"",
        )
    };
    let allow = |json: &str| {
        project_file::parse_with(
            json.as_bytes(),
            Path::new("test.json"),
            project_file::Drift::Allow,
        )
    };
    let loaded = allow(&changed(
        r#"{"id": 6, "start": 0, "end": 3, "label": "PER"}"#,
    ))
    .expect("loads with drift allowed");
    assert_eq!(loaded.drift[0].spans[0].span.id.0, 80);
    assert_eq!(loaded.drift[0].spans[0].recorded_text, "李克强");
    assert_eq!(loaded.project.next_span_id(), 81);
    let message = allow(&changed(
        r#"{"id": 80, "start": 0, "end": 3, "label": "PER"}"#,
    ))
    .map(|_| ())
    .expect_err("an id used twice")
    .to_string();
    assert!(
        message.contains(
            "document 3 (\"c\"), span 80: span id 80 is used twice (also in document \"b\")"
        ),
        "{message}"
    );
}

#[test]
fn changed_text_is_caught_by_sha_and_by_span_surface() {
    let good = file_with(
        "习近平在北京",
        r#"{"id": 1, "start": 0, "end": 3, "label": "PER", "text": "习近平"}"#,
    );
    let edited = good.replacen("\"习近平在北京\"", "\"李克强在北京\"", 1);
    let message = error_text(&edited);
    assert!(
        message.contains("the text was changed after it was annotated"),
        "{message}"
    );
    assert!(
        message.contains("records the text \"习近平\" at [0, 3), but the document has \"李克强\""),
        "{message}"
    );
}

#[test]
fn duplicate_labels_hotkeys_and_document_ids_are_reported() {
    let json = r##"{"format": "spantag", "version": 1,
      "labels": [{"name": "PER", "color": "#e6194b", "hotkey": "1"},
                 {"name": "PER", "color": "#4363d8"},
                 {"name": "ORG", "color": "#4363d8", "hotkey": "1"}],
      "documents": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}"##;
    let message = error_text(json);
    assert!(
        message.contains("label 2 (PER): there is already a label named PER"),
        "{message}"
    );
    assert!(
        message.contains("label 3 (ORG): hotkey 1 is already taken by PER"),
        "{message}"
    );
    assert!(
        message.contains("document 2 (\"a\"): the document id is used twice"),
        "{message}"
    );
}

#[test]
fn bad_colour_is_a_wrong_value() {
    let json = r#"{"format": "spantag", "version": 1,
      "labels": [{"name": "PER", "color": "red"}], "documents": []}"#;
    assert!(error_text(json).contains("colour \"red\" is not of the form #rrggbb"));
}

#[test]
fn invalid_utf8_is_reported_not_panicked() {
    let mut bytes = file_with("abc", "").into_bytes();
    let at = bytes.iter().position(|&b| b == b'a').expect("a");
    bytes[at] = 0xff;
    let error = project_file::parse(&bytes, Path::new("test.json")).expect_err("invalid");
    assert!(error.to_string().starts_with("test.json:"), "{error}");
}

#[test]
fn missing_file_names_the_path() {
    let error = project_file::load(Path::new("/nonexistent/p.json")).expect_err("missing");
    assert!(
        error
            .to_string()
            .starts_with("cannot read /nonexistent/p.json:"),
        "{error}"
    );
}

#[test]
fn output_is_deterministic_and_sorted_by_position() {
    // Spans added in reverse order are still written in document order.
    let (text, spans) = markup::parse("[北京](GPE)和[上海](GPE)");
    let mut project = Project::new(
        LabelSet::news_default(),
        vec![Document::new("d1", "d1.txt", text)],
    );
    for (start, end, label) in spans.into_iter().rev() {
        let t = project.tag(0, start, end, &label);
        project.apply(&t).expect("valid");
    }
    let json = project_file::to_json(&project).expect("serialisable");
    assert!(
        json.find("\"text\": \"北京\"").expect("北京")
            < json.find("\"text\": \"上海\"").expect("上海")
    );
    let reloaded = project_file::parse(json.as_bytes(), Path::new("p.json")).expect("valid");
    assert_eq!(
        project_file::to_json(&reloaded).expect("serialisable"),
        json
    );
    assert!(json.ends_with("}\n"));
}

#[test]
fn a_byte_order_mark_before_the_json_is_skipped() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(file_with("abc", "").as_bytes());
    project_file::parse(&bytes, Path::new("bom.json")).expect("loads");
}

/// A document marked done says so in the file (`"done": true`, only when done), and the mark
/// comes back on load; files without the field (every older file) load with nothing done.
#[test]
fn a_documents_done_mark_survives_save_and_load_and_old_files_have_none() {
    let mut project = Project::new(
        LabelSet::news_default(),
        vec![
            Document::new("c1", "第一回.txt", "宴桃园豪杰三结义"),
            Document::new("c2", "第二回.txt", "张翼德怒鞭督邮"),
        ],
    );
    let t = project.mark_done(&[1], true);
    project.apply(&t).expect("mark");
    let json = project_file::to_json(&project).expect("json");
    assert_eq!(json.matches("\"done\": true").count(), 1, "{json}");
    assert!(!json.contains("\"done\": false"), "{json}");
    let loaded = parse_str(&json).expect("loads");
    assert!(!loaded.is_done(0));
    assert!(loaded.is_done(1));
    assert_eq!(loaded.progress().to_string(), "1 of 2 done");
    assert_eq!(project_file::to_json(&loaded).expect("json"), json);

    let old = parse_str(&file_with("习近平", "")).expect("an old file loads");
    assert!(!old.is_done(0));
    let wrong =
        file_with("习近平", "").replace("\"id\": \"d1\",", "\"id\": \"d1\", \"done\": \"yes\",");
    assert!(
        error_text(&wrong).contains("test.json:"),
        "{}",
        error_text(&wrong)
    );
}

/// 1,000 spans with notes, annotators, statuses and groups, given out of order: the file
/// written from them reads back into the same bytes, whether parsed from memory or read from
/// the file through its buffer (the spans are read straight into their final places, and their
/// labels and annotators are shared strings).
#[test]
fn a_thousand_spans_round_trip_byte_identically() {
    let text: String = (0..3000)
        .map(|i| ['甲', '乙', 'a', ' ', '𠮷', '\n'][i % 6])
        .collect();
    let labels = ["PER", "ORG", "GPE"];
    let mut spans = Vec::new();
    for i in (0..1000_usize).rev() {
        let start = i * 3;
        let end = start + 1 + i % 3;
        let chunk: String = text.chars().skip(start).take(end - start).collect();
        let mut span = format!(
            r#"{{"id": {}, "start": {start}, "end": {end}, "label": "{}", "text": {chunk:?}"#,
            i + 1,
            labels[i % 3]
        );
        if i % 7 == 0 {
            span.push_str(&format!(r#", "note": "note {i} \"quoted\"""#));
        }
        if i % 5 == 0 {
            span.push_str(r#", "annotator": "li""#);
        }
        if i % 11 == 0 {
            span.push_str(r#", "status": "suggested""#);
        }
        if i % 13 == 0 {
            span.push_str(&format!(r#", "group": {}"#, i / 13));
        }
        span.push('}');
        spans.push(span);
    }
    let sha = spantag::core::document::sha256_hex(&text);
    let file = format!(
        r##"{{"format": "spantag", "version": 3,
  "labels": [{{"name": "PER", "color": "#e6194b"}}, {{"name": "ORG", "color": "#4363d8"}},
             {{"name": "GPE", "color": "#3cb44b"}}],
  "documents": [{{"id": "d1", "sha256": "{sha}", "text": {text:?}, "spans": [{}]}}]}}"##,
        spans.join(",\n")
    );
    let project = parse_str(&file).expect("valid");
    assert_eq!(project.span_count(), 1000);
    let written = project_file::to_json(&project).expect("serialisable");
    // Written in document order, whatever order the file had.
    let starts: Vec<usize> = project.documents[0].spans.iter().map(|s| s.start).collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]));

    let reparsed = parse_str(&written).expect("valid");
    assert_eq!(
        project_file::to_json(&reparsed).expect("serialisable"),
        written
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.json");
    std::fs::write(&path, format!("\u{feff}{written}")).expect("written");
    let loaded = project_file::load(&path).expect("loads from the file, byte order mark and all");
    assert_eq!(
        project_file::to_json(&loaded).expect("serialisable"),
        written
    );
    project_file::save(&loaded, &path).expect("saved");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), written);
    let span = loaded.documents[0]
        .spans
        .iter()
        .find(|s| s.id.0 == 1)
        .expect("span 1");
    assert_eq!(span.label, "PER");
    assert_eq!(span.annotator.as_deref(), Some("li"));
    assert_eq!(span.note.as_deref(), Some("note 0 \"quoted\""));
}
