//! The headless command line, run as a real process.

use std::path::Path;

mod common;

use common::{SAMPLE, spantag, stderr, stdout};
const AGREEMENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/agreement");
const ARTICLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/news-xi-diaz-canel-2022-11-25.txt"
);

#[test]
fn validate_accepts_the_sample() {
    let o = spantag(&["validate", SAMPLE]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("sample.json: valid (1 documents, 16 spans, 8 labels)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn validate_reports_every_bad_file_and_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\"format\": \"spantag\",\n \"version\": 1,\n \"documents\": [}",
    )
    .expect("write");
    let past_end = dir.path().join("past.json");
    let json = std::fs::read_to_string(SAMPLE).expect("sample").replacen(
        "\"end\": 7,",
        "\"end\": 7000,",
        1,
    );
    std::fs::write(&past_end, json).expect("write");
    let o = spantag(&[
        "validate",
        SAMPLE,
        broken.to_str().expect("utf-8"),
        past_end.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("broken.json:3:"), "{err}");
    assert!(
        err.contains("past.json: document 1 (\"news-xi-diaz-canel-2022-11-25\"), span 1: end 7000 is past the end of the text (1888 characters)"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(stdout(&o).contains("sample.json: valid"));
}

#[test]
fn validate_missing_file_names_it() {
    let o = spantag(&["validate", "/nonexistent/x.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot read /nonexistent/x.json"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn stats_as_table_and_json() {
    let o = spantag(&["stats", SAMPLE]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("1 documents, 1888 characters, 16 spans"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["ORG", "4"]),
        "{out}"
    );

    let o = spantag(&["stats", SAMPLE, "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["documents"], 1);
    assert_eq!(v["characters"], 1888);
    assert_eq!(v["spans"], 16);
    assert_eq!(v["per_label"]["PER"], 3);
    assert_eq!(v["per_label"]["LOC"], 0);
    assert_eq!(v["per_status"]["accepted"], 16);
    assert_eq!(v["per_document"][0]["id"], "news-xi-diaz-canel-2022-11-25");
    assert_eq!(v["per_annotator"]["(none)"], 16);
    assert_eq!(v["review"]["accepted"], 16);
    assert_eq!(v["review"]["suggested"], 0);
    assert_eq!(v["review"]["reviewed_share"], 1.0);
}

#[test]
fn stats_count_annotators_and_review_progress() {
    // alice.json: 23 spans by alice, one suggested and one rejected.
    let alice = format!("{AGREEMENT}/alice.json");
    let o = spantag(&["stats", &alice, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["per_annotator"], serde_json::json!({"alice": 23}));
    assert_eq!(v["review"]["accepted"], 21);
    assert_eq!(v["review"]["suggested"], 1);
    assert_eq!(v["review"]["rejected"], 1);
    let share = v["review"]["reviewed_share"].as_f64().unwrap_or_default();
    assert!((share - 22.0 / 23.0).abs() < 1e-12, "{share}");

    let o = spantag(&["stats", &alice]);
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["alice", "23"]),
        "{out}"
    );
    assert!(
        out.contains("review: 21 accepted, 1 suggested, 1 rejected; 95.7% reviewed"),
        "{out}"
    );
}

fn agreement_files() -> [String; 3] {
    ["alice", "bob", "carol"].map(|n| format!("{AGREEMENT}/{n}.json"))
}

#[test]
fn agree_prints_a_table() {
    let [a, b, c] = agreement_files();
    let o = spantag(&["agree", &a, &b, &c]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("2 documents compared (1926 characters) in 3 files, accepted spans"),
        "{out}"
    );
    assert!(out.contains("carol.json: only-carol"), "{out}");
    // alice vs bob: 21 and 19 accepted spans, exact P 15/19, kappa from reference.json.
    assert!(
        out.lines().any(|l| l.starts_with("alice  bob")
            && l.contains("21")
            && l.contains("0.7895")
            && l.ends_with("0.7853")),
        "{out}"
    );
    assert!(
        out.contains("Krippendorff's alpha (nominal, per character): 0.7990"),
        "{out}"
    );
    assert!(
        out.contains("Fleiss' kappa (per character): 0.7990"),
        "{out}"
    );
    assert!(out.contains("alice (A) vs bob (B), per label:"), "{out}");
}

#[test]
fn agree_prints_json() {
    let [a, b, _] = agreement_files();
    let o = spantag(&["agree", &a, &b, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let pair = &v["pairs"][0];
    assert_eq!(pair["a"], "alice");
    assert_eq!(pair["b"], "bob");
    for kind in ["exact", "overlap"] {
        for key in ["precision", "recall", "f1"] {
            assert!(pair[kind][key].is_f64(), "{kind} {key}: {v}");
            assert!(pair["per_label"]["PER"][kind][key].is_f64(), "{v}");
        }
    }
    assert!(pair["cohen_kappa"].is_f64());
    assert!(v["krippendorff_alpha"].is_f64());
    // Two files: no Fleiss' kappa.
    assert!(v["fleiss_kappa"].is_null(), "{v}");
    assert_eq!(v["documents_compared"], 2);
}

#[test]
fn agree_counts_suggested_spans_when_asked() {
    // alice has 中新社 ORG once accepted and once more suggested (a duplicate): it counts,
    // and matches bob's second copy one to one, only with the flag.
    let [a, b, _] = agreement_files();
    let json = |extra: &[&str]| {
        let mut args = vec!["agree", a.as_str(), b.as_str(), "--json"];
        args.extend_from_slice(extra);
        let o = spantag(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("json")
    };
    let accepted = json(&[]);
    let with_suggested = json(&["--include-suggested"]);
    assert_eq!(accepted["pairs"][0]["per_label"]["ORG"]["a_spans"], 4);
    assert_eq!(with_suggested["pairs"][0]["per_label"]["ORG"]["a_spans"], 5);
    assert_eq!(with_suggested["include_suggested"], true);
    assert_ne!(
        accepted["pairs"][0]["exact"],
        with_suggested["pairs"][0]["exact"]
    );
}

#[test]
fn agree_refuses_files_without_a_shared_document() {
    let [a, _, _] = agreement_files();
    let o = spantag(&[
        "agree",
        &a,
        SAMPLE.replace("sample.json", "missing.json").as_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
    assert!(stderr(&o).contains("missing.json"), "{}", stderr(&o));

    let dir = tempfile::tempdir().expect("tempdir");
    let text = dir.path().join("other.txt");
    std::fs::write(&text, "别的文章。").expect("write");
    let other = dir.path().join("other.json");
    let o = spantag(&[
        "new",
        "--text",
        text.to_str().expect("utf-8"),
        "-o",
        other.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = spantag(&["agree", &a, other.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("alice.json and"), "{err}");
    assert!(
        err.contains("other.json have no document in common"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn new_creates_a_project_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("p.json");
    let second = dir.path().join("second.txt");
    std::fs::write(&second, "𠮷野家\r\n").expect("write");
    let out_s = out.to_str().expect("utf-8");
    let o = spantag(&[
        "new",
        "--text",
        ARTICLE,
        second.to_str().expect("utf-8"),
        "-o",
        out_s,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let project = spantag::core::project_file::load(&out).expect("valid");
    assert_eq!(project.documents.len(), 2);
    assert_eq!(
        project.documents[0].document.text(),
        std::fs::read_to_string(ARTICLE).expect("article")
    );
    assert_eq!(project.documents[1].document.text(), "𠮷野家\r\n");

    let before = std::fs::read(&out).expect("read");
    let o = spantag(&["new", "--text", ARTICLE, "-o", out_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("already exists; pass --force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read(&out).expect("read"),
        before,
        "not overwritten"
    );

    let o = spantag(&["new", "--text", ARTICLE, "-o", out_s, "--force"]);
    assert!(o.status.success());
    assert_eq!(
        spantag::core::project_file::load(&out)
            .expect("valid")
            .documents
            .len(),
        1
    );
}

#[test]
fn new_refuses_text_that_is_not_utf8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gbk = dir.path().join("gbk.txt");
    std::fs::write(&gbk, [0xc4, 0xe3, 0xba, 0xc3]).expect("write");
    let out = dir.path().join("p.json");
    let o = spantag(&[
        "new",
        "--text",
        gbk.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("gbk.txt: not UTF-8 text (invalid byte at offset 0)"),
        "{}",
        stderr(&o)
    );
    assert!(!Path::new(&out).exists());
}

#[test]
fn help_lists_the_commands() {
    let o = spantag(&["--help"]);
    assert!(o.status.success());
    let out = stdout(&o);
    for command in ["validate", "stats", "new", "agree"] {
        assert!(out.contains(command), "{out}");
    }
}

/// `spantag status` lists each document's status; `--done` / `--not-done` mark documents in
/// place (by id or name), `stats` shows the same count; unknown names and a project open in
/// the window are refused, naming them.
#[test]
fn status_lists_and_marks_documents_done() {
    let dir = tempfile::tempdir().expect("tempdir");
    let texts: Vec<String> = ["第一回", "第二回", "第三回"]
        .iter()
        .map(|name| {
            let path = dir.path().join(format!("{name}.txt"));
            std::fs::write(&path, format!("{name}：宴桃园豪杰三结义")).expect("write");
            path.to_str().expect("utf-8").to_owned()
        })
        .collect();
    let project = dir.path().join("p.json");
    let p = project.to_str().expect("utf-8");
    let mut args = vec!["new", "-o", p, "--text"];
    args.extend(texts.iter().map(String::as_str));
    let o = spantag(&args);
    assert!(o.status.success(), "{}", stderr(&o));

    let o = spantag(&["status", p]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("0 of 3 done, 0 in progress, 3 not started"),
        "{}",
        stdout(&o)
    );
    let ids: Vec<String> = spantag::core::project_file::load(&project)
        .expect("loads")
        .documents
        .iter()
        .map(|d| d.document.id.clone())
        .collect();
    let o = spantag(&["status", p, "--done", &ids[0], "第三回.txt"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("2 of 3 done"), "{}", stdout(&o));
    let loaded = spantag::core::project_file::load(&project).expect("loads");
    assert!(loaded.is_done(0) && !loaded.is_done(1) && loaded.is_done(2));
    assert!(
        dir.path().join("p.json.bak").exists(),
        "the old version is kept"
    );

    let o = spantag(&["status", p, "--not-done", &ids[0], "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["progress"]["done"], 1);
    assert_eq!(v["documents"][0]["status"], "not_started");
    assert_eq!(v["documents"][2]["status"], "done");
    let o = spantag(&["stats", p]);
    assert!(
        stdout(&o).contains("documents: 1 of 3 done, 0 in progress, 2 not started"),
        "{}",
        stdout(&o)
    );
    let o = spantag(&["stats", p, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["per_document"][2]["status"], "done");

    let o = spantag(&["status", p, "--done", "第九回"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!(
            "{p}: there is no document with the id or name \"第九回\""
        )),
        "{}",
        stderr(&o)
    );
    let _lock = spantag::core::lock::ProjectLock::acquire(&project).expect("lock");
    let o = spantag(&["status", p, "--done", &ids[1]]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot mark documents in"),
        "{}",
        stderr(&o)
    );
    assert!(
        !spantag::core::project_file::load(&project)
            .expect("loads")
            .is_done(1)
    );
}

#[test]
fn stats_aligns_chinese_labels_by_display_width() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cjk.json");
    let labels = spantag::core::LabelSet::from_names(&["人名", "地名和机构名", "ORG"]);
    let project = spantag::core::Project::new(
        labels,
        vec![spantag::core::Document::new("d1", "d1.txt", "会见习近平")],
    );
    spantag::core::project_file::save_new(&project, &path).expect("saved");
    let o = spantag(&["stats", path.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // Each row's count ends in the same terminal column: a CJK character is two columns.
    let columns =
        |line: &str| -> usize { line.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum() };
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| {
            ["人名", "地名和机构名", "ORG", "label"]
                .iter()
                .any(|n| l.trim_start().starts_with(n))
        })
        .collect();
    assert_eq!(rows.len(), 4, "{out}");
    let ends: Vec<usize> = rows.iter().map(|l| columns(l)).collect();
    assert!(ends.iter().all(|&e| e == ends[0]), "{out}");
}

/// `spantag stats FILE | head -1`: the reader closes the pipe early; the command ends quietly
/// (by SIGPIPE, as any Unix tool), with no panic message.
#[test]
fn a_reader_that_stops_early_gets_no_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let texts: Vec<String> = (0..2000)
        .map(|i| {
            let path = dir.path().join(format!("doc-{i:04}.txt"));
            std::fs::write(&path, "刘备").expect("write");
            path.to_str().expect("utf-8").to_owned()
        })
        .collect();
    let project = dir.path().join("p.json");
    let mut args = vec!["new", "-o", project.to_str().expect("utf-8"), "--text"];
    args.extend(texts.iter().map(String::as_str));
    let o = spantag(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = format!(
        "'{}' status '{}' | head -1 >/dev/null",
        env!("CARGO_BIN_EXE_spantag"),
        project.display()
    );
    let o = std::process::Command::new("bash")
        .args(["-o", "pipefail", "-c", &script])
        .output()
        .expect("bash runs");
    let script = format!(
        "'{}' stats --json '{}' | head -1 >/dev/null",
        env!("CARGO_BIN_EXE_spantag"),
        project.display()
    );
    let stats = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .expect("bash runs");
    for out in [&o, &stats] {
        assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
    }
}
