//! `spantag merge` as git's merge driver, in a real git repository: two branches that add,
//! relabel and delete spans (and add a relation) merge with no conflict markers; the same span
//! changed on both branches makes `git merge` report a conflict, the file still a project.

mod common;

use std::path::Path;
use std::process::Command;

use common::{s, spantag, stderr, stdout};
use spantag::core::project::AnnotatedDocument;
use spantag::core::{
    Document, Label, LabelSet, Project, Relation, RelationId, RelationType, Relations, Rgb, Span,
    SpanId, SpanIndex, project_file,
};

const TEXT: &str = "Liu Bei met Guan Yu and Zhang Fei in Zhuo.";

fn project(spans: &[(u64, usize, usize, &str)], relations: &[(u64, u64, u64)]) -> Project {
    let mut doc = AnnotatedDocument::new(
        Document::new("d1", "d1.txt", TEXT),
        SpanIndex::new(
            spans
                .iter()
                .map(|&(id, start, end, label)| Span::new(SpanId(id), start, end, label))
                .collect(),
        ),
    );
    doc.relations = Relations::new(
        relations
            .iter()
            .map(|&(id, from, to)| Relation::new(RelationId(id), "sworn", SpanId(from), SpanId(to)))
            .collect(),
    );
    Project::from_parts(LabelSet::from_names(&["PER", "LOC", "ORG"]), vec![doc])
        .with_schema(vec![RelationType::new("sworn", Rgb(1, 2, 3))], Vec::new())
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs")
}

fn ok(dir: &Path, args: &[&str]) {
    let out = git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn commit(dir: &Path, project: &Project, message: &str) {
    std::fs::write(
        dir.join("team.json"),
        project_file::to_json(project).unwrap(),
    )
    .unwrap();
    ok(dir, &["add", "-A"]);
    ok(dir, &["commit", "-qm", message]);
}

/// A repository whose `*.json` files merge through `spantag merge`, with `base` committed on
/// `main`.
fn repository(base: &Project) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["init", "-q", "-b", "main"]);
    ok(d, &["config", "user.name", "Test"]);
    ok(d, &["config", "user.email", "test@example.com"]);
    std::fs::write(d.join(".gitattributes"), "*.json merge=spantag\n").unwrap();
    let driver = format!("\"{}\" merge %O %A %B -o %A", env!("CARGO_BIN_EXE_spantag"));
    ok(d, &["config", "merge.spantag.driver", &driver]);
    commit(d, base, "base");
    dir
}

fn merged(dir: &Path) -> (String, Project) {
    let text = std::fs::read_to_string(dir.join("team.json")).unwrap();
    let project = project_file::load(&dir.join("team.json")).expect("the merge loads");
    (text, project)
}

/// Nothing but the project, .gitattributes and .git: no backup, lock or temporary file.
fn nothing_left_over(dir: &Path) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [".git", ".gitattributes", "team.json"]);
}

#[test]
fn branches_that_add_relabel_and_delete_spans_merge_through_the_driver() {
    let base = project(
        &[(1, 0, 7, "PER"), (2, 12, 19, "PER"), (3, 24, 33, "PER")],
        &[],
    );
    let repo = repository(&base);
    let d = repo.path();
    ok(d, &["checkout", "-q", "-b", "annotator"]);
    // Relabel span 1, add span 4 (Zhuo) and a relation 1 -> 2.
    commit(
        d,
        &project(
            &[
                (1, 0, 7, "ORG"),
                (2, 12, 19, "PER"),
                (3, 24, 33, "PER"),
                (4, 37, 41, "LOC"),
            ],
            &[(1, 1, 2)],
        ),
        "annotator",
    );
    ok(d, &["checkout", "-q", "main"]);
    // Delete span 3, add another span 4 (Bei): the same new id.
    commit(
        d,
        &project(
            &[(1, 0, 7, "PER"), (2, 12, 19, "PER"), (4, 4, 7, "PER")],
            &[],
        ),
        "main",
    );
    ok(d, &["merge", "-q", "--no-edit", "annotator"]);
    let (text, merged) = merged(d);
    assert!(!text.contains("<<<<<<<") && !text.contains(">>>>>>>"));
    let spans: Vec<(usize, usize, &str)> = merged.documents[0]
        .spans
        .iter()
        .map(|s| (s.start, s.end, s.label.as_str()))
        .collect();
    assert_eq!(
        spans,
        [
            (0, 7, "ORG"),
            (4, 7, "PER"),
            (12, 19, "PER"),
            (37, 41, "LOC")
        ],
        "both sides' changes"
    );
    let ids: std::collections::HashSet<SpanId> =
        merged.documents[0].spans.iter().map(|s| s.id).collect();
    assert_eq!(ids.len(), 4, "the two new spans 4 got different ids");
    let relation = merged.documents[0].relations.get(RelationId(1)).unwrap();
    assert_eq!((relation.from, relation.to), (SpanId(1), SpanId(2)));
    nothing_left_over(d);
}

#[test]
fn the_same_span_changed_on_both_branches_is_a_conflict_kept_in_a_valid_file() {
    let base = project(&[(1, 0, 7, "PER"), (2, 12, 19, "PER")], &[]);
    let repo = repository(&base);
    let d = repo.path();
    ok(d, &["checkout", "-q", "-b", "annotator"]);
    commit(
        d,
        &project(&[(1, 0, 7, "PER"), (2, 12, 19, "LOC")], &[]),
        "annotator",
    );
    ok(d, &["checkout", "-q", "main"]);
    commit(
        d,
        &project(&[(1, 0, 7, "PER"), (2, 12, 19, "ORG")], &[]),
        "main",
    );
    let out = git(d, &["merge", "--no-edit", "annotator"]);
    assert!(!out.status.success(), "git reports the conflict");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("CONFLICT"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr(&out).contains("merge-conflict"), "{}", stderr(&out));
    let (text, merged) = merged(d);
    serde_json::from_str::<serde_json::Value>(&text).expect("valid JSON");
    assert!(!text.contains("<<<<<<<"));
    let marked: Vec<(&str, &str)> = merged.documents[0]
        .spans
        .iter()
        .filter_map(|s| {
            s.attributes
                .get("merge-conflict")
                .map(|v| (s.label.as_str(), v.as_str()))
        })
        .collect();
    assert_eq!(
        marked,
        [
            ("ORG", "ours (theirs: span 3; was accepted)"),
            ("LOC", "theirs (ours: span 2; was accepted)")
        ]
    );
}

#[test]
fn a_bad_input_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, project_file::to_json(&project(&[], &[])).unwrap()).unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"format\": ").unwrap();
    let out = spantag(&["merge", s(&good), s(&bad), s(&good), "-o", s(&good)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("bad.json"), "{}", stderr(&out));
    let out = spantag(&["merge", s(&good), s(&good), s(&good), "-o", s(&good)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn validate_and_stats_say_how_many_merge_conflicts_remain() {
    let base = project(&[(1, 0, 7, "PER"), (2, 12, 19, "PER")], &[]);
    let repo = repository(&base);
    let d = repo.path();
    ok(d, &["checkout", "-q", "-b", "annotator"]);
    commit(
        d,
        &project(&[(1, 0, 7, "LOC"), (2, 12, 19, "LOC")], &[]),
        "annotator",
    );
    ok(d, &["checkout", "-q", "main"]);
    commit(
        d,
        &project(&[(1, 0, 7, "ORG"), (2, 12, 19, "ORG")], &[]),
        "main",
    );
    let out = git(d, &["merge", "--no-edit", "annotator"]);
    assert!(!out.status.success(), "git reports the conflict");
    let team = d.join("team.json");
    let out = spantag(&["validate", s(&team)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("2 merge conflicts remain"),
        "{}",
        stdout(&out)
    );
    let out = spantag(&["stats", s(&team)]);
    assert!(
        stdout(&out).contains("2 merge conflicts remain"),
        "{}",
        stdout(&out)
    );
    let out = spantag(&["stats", s(&team), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["merge_conflicts"], 2, "{}", stdout(&out));
    // A project without conflicts says nothing of them.
    let clean = d.join("clean.json");
    std::fs::write(&clean, project_file::to_json(&base).unwrap()).unwrap();
    let out = spantag(&["validate", s(&clean)]);
    assert!(!stdout(&out).contains("merge conflict"), "{}", stdout(&out));
}

#[test]
fn one_hotkey_given_to_two_labels_on_two_branches_merges_naming_both() {
    let with_label = |name: &str| {
        let mut p = project(&[(1, 0, 7, "PER")], &[]);
        let mut labels: Vec<Label> = p.labels.iter().cloned().collect();
        labels.push(Label::new(name, Rgb(9, 9, 9), Some('t'), ""));
        p.labels = LabelSet::new(labels);
        p
    };
    let repo = repository(&project(&[(1, 0, 7, "PER")], &[]));
    let d = repo.path();
    ok(d, &["checkout", "-q", "-b", "annotator"]);
    commit(d, &with_label("WEAPON"), "annotator");
    ok(d, &["checkout", "-q", "main"]);
    commit(d, &with_label("TITLE"), "main");
    let out = git(d, &["merge", "--no-edit", "annotator"]);
    assert!(
        !out.status.success(),
        "git leaves it for a person to look at"
    );
    let err = stderr(&out);
    assert!(
        err.contains("labels TITLE and WEAPON both have the hotkey t"),
        "{err}"
    );
    assert!(!err.contains("a bug in spantag merge"), "{err}");
    let (_, merged) = merged(d);
    assert_eq!(merged.labels.get("TITLE").unwrap().hotkey, Some('t'));
    assert_eq!(merged.labels.get("WEAPON").unwrap().hotkey, None);
}

#[test]
fn a_text_fixed_on_one_branch_and_spans_changed_on_the_other_merge_cleanly() {
    let on = |text: &str, spans: &[(u64, usize, usize, &str)]| {
        let mut p = project(spans, &[]);
        let d = &mut p.documents[0];
        d.document = Document::new("d1", "d1.txt", text);
        p
    };
    let base = on(TEXT, &[(1, 0, 7, "PER"), (2, 12, 19, "PER")]);
    let repo = repository(&base);
    let d = repo.path();
    ok(d, &["checkout", "-q", "-b", "annotator"]);
    commit(
        d,
        &on(
            TEXT,
            &[(1, 0, 7, "ORG"), (2, 12, 19, "PER"), (3, 37, 41, "LOC")],
        ),
        "annotator relabels and adds",
    );
    ok(d, &["checkout", "-q", "main"]);
    let fixed = format!("Then {TEXT}");
    commit(
        d,
        &on(&fixed, &[(1, 5, 12, "PER"), (2, 17, 24, "PER")]),
        "main fixes the text",
    );
    let out = git(d, &["merge", "--no-edit", "annotator"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, merged) = merged(d);
    let doc = &merged.documents[0];
    assert_eq!(doc.document.text(), fixed);
    let spans: Vec<(&str, &str)> = doc
        .spans
        .iter()
        .map(|s| (doc.document.slice(s.start, s.end), s.label.as_str()))
        .collect();
    assert_eq!(
        spans,
        [("Liu Bei", "ORG"), ("Guan Yu", "PER"), ("Zhuo", "LOC")],
        "the annotator's spans on the fixed text"
    );
}
