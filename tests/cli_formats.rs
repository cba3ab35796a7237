//! `spantag export` and `spantag import`, run as a real process.

mod common;

use common::{SAMPLE, s, spantag, stderr, stdout};
const NCBI: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/brat-examples/NCBI-disease"
);

#[test]
fn export_writes_every_format_and_reports_dropped_spans() {
    let dir = tempfile::tempdir().expect("tempdir");
    for format in ["doccano", "conll", "hf", "spacy", "brat", "label-studio"] {
        let out = dir.path().join(format);
        let o = spantag(&["export", "--to", format, SAMPLE, "-o", s(&out)]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("1 documents, 16 spans exported"),
            "{}",
            stdout(&o)
        );
        assert!(out.exists());
        if format == "conll" {
            assert!(
                stderr(&o).contains(
                    "dropped: document \"news-xi-diaz-canel-2022-11-25\", span 3 GPE [8, 10) \"古巴\": overlaps span 2 ORG [8, 13)"
                ),
                "{}",
                stderr(&o)
            );
        }
    }
    assert!(dir.path().join("hf/labels.json").is_file());
    assert!(dir.path().join("brat/annotation.conf").is_file());
    let txt =
        std::fs::read(dir.path().join("brat/news-xi-diaz-canel-2022-11-25.txt")).expect("brat txt");
    let sample: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SAMPLE).expect("sample")).expect("json");
    let text = sample["documents"][0]["text"].as_str().expect("text");
    assert_eq!(txt, text.as_bytes(), "brat's .txt is the exact text");
}

#[test]
fn export_refuses_an_existing_output_unless_forced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.jsonl");
    std::fs::write(&out, "keep me").expect("write");
    let o = spantag(&["export", "--to", "doccano", SAMPLE, "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("already exists; pass --force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "keep me");
    let o = spantag(&[
        "export",
        "--to",
        "doccano",
        SAMPLE,
        "-o",
        s(&out),
        "--force",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&out)
            .expect("read")
            .starts_with("{\"id\":")
    );
}

#[test]
fn export_strict_fails_on_a_span_bio_cannot_hold_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.conll");
    let o = spantag(&["export", "--to", "conll", "--strict", SAMPLE, "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("span 3 GPE [8, 10) \"古巴\""), "{err}");
    assert!(err.contains("(--strict)"), "{err}");
    assert!(!out.exists());
}

#[test]
fn export_split_writes_train_dev_test_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("split");
    let o = spantag(&[
        "export",
        "--to",
        "spacy",
        SAMPLE,
        "-o",
        s(&out),
        "--split",
        "80/10/10",
        "--seed",
        "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for part in ["train", "dev", "test"] {
        assert!(out.join(format!("{part}.jsonl")).is_file(), "{part}");
    }
    let o = spantag(&[
        "export", "--to", "spacy", SAMPLE, "-o", "x", "--split", "80/20",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("expected TRAIN/DEV/TEST"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn import_names_file_line_and_reason_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data.jsonl");
    let text = "a".repeat(120);
    std::fs::write(
        &data,
        format!(
            "{{\"text\": \"{text}\", \"label\": [[0, 5, \"X\"]]}}\n\
             {{\"text\": \"短文\", \"label\": []}}\n\
             {{\"text\": \"{text}\", \"label\": [[5, 900, \"X\"]]}}\n"
        ),
    )
    .expect("write");
    let out = dir.path().join("p.json");
    let o = spantag(&["import", "--from", "doccano", s(&data), "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "data.jsonl:3: span [5, 900): end 900 is past the end of the text (120 characters)"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());

    // --lenient skips the bad span, counts it, and imports the rest.
    let o = spantag(&[
        "import",
        "--from",
        "doccano",
        "--lenient",
        s(&data),
        "-o",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 bad records skipped (--lenient):"),
        "{}",
        stderr(&o)
    );
    assert!(
        stdout(&o).contains("imported 3 documents, 1 spans, 1 labels"),
        "{}",
        stdout(&o)
    );
    let o = spantag(&["validate", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));

    std::fs::write(&data, "{\"text\": \"ok\"}\n{\"text\": \"broken\"\n").expect("write");
    let o = spantag(&[
        "import",
        "--from",
        "doccano",
        s(&data),
        "-o",
        s(&out),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("data.jsonl:2: invalid JSON"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn import_conll_reports_an_i_tag_without_its_b() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("x.conll");
    std::fs::write(&file, "习\tO\n近\tI-PER\n平\tI-PER\n").expect("write");
    let out = dir.path().join("p.json");
    // In IOB2 an I- tag never opens an entity.
    let o = spantag(&[
        "import",
        "--from",
        "conll",
        "--scheme",
        "bio",
        s(&file),
        "-o",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("x.conll:2: I-PER does not continue an entity"),
        "{}",
        stderr(&o)
    );
    // Detected, the same tags are IOB1 (where I- opens an entity), and the import says so.
    let o = spantag(&["import", "--from", "conll", s(&file), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("tags read as iob1 (an I- tag opens an entity (I-PER after O)"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_file(&out).expect("remove");
    std::fs::write(&file, "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n-DOCSTART- -X- -X- O\n\n北 B-GPE\n京 I-GPE\n").expect("write");
    let o = spantag(&["import", "--from", "conll", s(&file), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = std::fs::read_to_string(&out).expect("project");
    assert!(
        json.contains("\"id\": \"x-1\"") && json.contains("\"text\": \"EU rejects\""),
        "{json}"
    );
    assert!(json.contains("\"text\": \"北京\""), "{json}");
}

#[test]
fn import_brat_keeps_attributes_and_marks_the_annotator() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("ncbi.json");
    let o = spantag(&[
        "import",
        "--from",
        "brat",
        NCBI,
        "-o",
        s(&out),
        "--annotator",
        "ncbi",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    // brat's A lines are attribute values now: nothing is left out.
    assert!(!err.contains("not imported"), "{err}");
    assert!(
        stdout(&o).contains("imported 20 documents"),
        "{}",
        stdout(&o)
    );
    let json = std::fs::read_to_string(&out).expect("project");
    assert!(json.contains("\"annotator\": \"ncbi\""));
    assert!(json.contains("\"Category\": \"SpecificDisease\""), "{json}");
    assert!(spantag(&["validate", s(&out)]).status.success());
    // The output exists now: a second import is refused.
    let o = spantag(&["import", "--from", "brat", NCBI, "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
}

#[test]
fn brat_surface_text_mismatch_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("d.txt"), "习近平在北京").expect("write");
    std::fs::write(
        dir.path().join("d.ann"),
        "T1\tPER 0 3\t习近平\nT2\tGPE 4 6\t上海\n",
    )
    .expect("write");
    let out = dir.path().join("p.json");
    let o = spantag(&[
        "import",
        "--from",
        "brat",
        s(&dir.path().join("d.txt")),
        "-o",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "d.ann:2: T2 records the text \"上海\" at [4, 6), but the .txt has \"北京\" there"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn export_then_import_through_the_cli_gives_the_same_spans() {
    let dir = tempfile::tempdir().expect("tempdir");
    for format in ["brat", "label-studio", "doccano"] {
        let out = dir.path().join(format);
        let back = dir.path().join(format!("{format}.json"));
        assert!(
            spantag(&["export", "--to", format, SAMPLE, "-o", s(&out)])
                .status
                .success()
        );
        let o = spantag(&["import", "--from", format, s(&out), "-o", s(&back)]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("1 documents, 16 spans"),
            "{format}: {}",
            stdout(&o)
        );
    }
}

#[test]
fn import_text_files_one_document_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.txt");
    std::fs::write(&a, "第一篇\r\n").expect("write");
    let out = dir.path().join("p.json");
    let o = spantag(&["import", "--from", "text", s(&a), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&out)
            .expect("p")
            .contains("\"text\": \"第一篇\\r\\n\"")
    );
}

#[test]
fn import_as_suggestions_marks_every_span_suggested() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("pre.jsonl");
    std::fs::write(
        &input,
        "{\"text\": \"习近平在北京\", \"label\": [[0, 3, \"PER\"], [4, 6, \"GPE\"]]}\n",
    )
    .expect("write");
    let out = dir.path().join("p.json");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_spantag"))
        .args(["import", "--from", "doccano", "--as-suggestions"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let project = spantag::core::project_file::load(&out).expect("valid");
    let statuses: Vec<_> = project.documents[0]
        .spans
        .iter()
        .map(|s| s.status)
        .collect();
    assert_eq!(statuses, vec![spantag::core::SpanStatus::Suggested; 2]);
}

#[test]
fn import_and_export_help_name_every_tag_scheme_and_docbin() {
    for command in ["import", "export"] {
        let o = spantag(&[command, "--help"]);
        assert!(o.status.success());
        let help = String::from_utf8_lossy(&o.stdout);
        for name in ["bio", "iob1", "bioes", "bilou", "bmes", "docbin"] {
            assert!(
                help.contains(name),
                "{command} --help lacks {name}:\n{help}"
            );
        }
    }
    let o = spantag(&["import", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    for option in ["--scheme", "--completed-by", "--text-field"] {
        assert!(help.contains(option), "{option}");
    }
}

#[test]
fn label_studio_export_writes_its_labelling_config_beside_or_inside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("tasks.json");
    let o = spantag(&["export", "--to", "label-studio", SAMPLE, "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let config = std::fs::read_to_string(dir.path().join("tasks.config.xml")).expect("config");
    assert!(
        config.starts_with("<View>\n  <Text name=\"text\" value=\"$text\"/>"),
        "{config}"
    );
    assert!(config.contains("<Label value=\"PER\"/>"), "{config}");
    assert!(config.contains("<TextArea name=\"note\" toName=\"text\" perRegion=\"true\"/>"));
    let folder = dir.path().join("parts");
    let o = spantag(&[
        "export",
        "--to",
        "label-studio",
        SAMPLE,
        "-o",
        s(&folder),
        "--split",
        "80/10/10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(folder.join("labeling-config.xml").is_file());
}

#[test]
fn stats_and_validate_count_relations_and_attributes_of_a_brat_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("extras.json");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/brat-extras");
    let o = spantag(&["import", "--from", "brat", fixture, "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("imported 1 documents, 7 spans, 2 relations, 4 labels"),
        "{}",
        stdout(&o)
    );
    let o = spantag(&["stats", s(&out)]);
    let text = stdout(&o);
    for expected in [
        "  Located       2",
        "  Coref         0",
        "  relations: 2 (2 accepted)",
        "  Negated: 1 spans (true 1)",
        "  Certainty: 1 spans (High 1)",
        "brat lines kept as read (events, normalisations, ...): 2 #, 2 *, 1 A, 2 E, 1 M, 1 N, 1 R",
    ] {
        assert!(text.contains(expected), "{expected:?} not in\n{text}");
    }
    let o = spantag(&["stats", "--json", s(&out)]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["per_relation_type"]["Located"], 2);
    assert_eq!(json["attributes"]["Certainty"]["High"], 1);
    // A value annotation.conf does not allow is kept; validate says so and still passes.
    let project = std::fs::read_to_string(&out).expect("project");
    let edited = project.replace("\"Certainty\": \"High\"", "\"Certainty\": \"Maybe\"");
    assert_ne!(edited, project);
    std::fs::write(&out, edited).expect("write");
    let o = spantag(&["validate", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("valid (1 documents, 7 spans, 2 relations, 4 labels)"),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains(
            "extras.json: warning: document 1 (\"visit\"), span 3: \"Maybe\" is not one of the values of attribute Certainty (High, Low)"
        ),
        "{}",
        stderr(&o)
    );
    // A relation to a span that is not there is refused, naming the place.
    let broken =
        std::fs::read_to_string(&out)
            .expect("project")
            .replacen("\"to\": 3", "\"to\": 99", 1);
    std::fs::write(&out, broken).expect("write");
    let o = spantag(&["validate", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "extras.json: document 1 (\"visit\"), relation 1: span 99 (its end) is not a span of this document"
        ),
        "{}",
        stderr(&o)
    );
}
