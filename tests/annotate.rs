//! `spantag annotate`, run as a real process on small projects made here.

use std::path::{Path, PathBuf};

mod common;

use common::{s, spantag, stderr, stdout};

/// 刘0备1字2玄3德4👍5🏽6。7刘8备9玄10德11与12曹13操14会15于16许17昌18,19 20 1 21..年24。25
const TEXT: &str = "刘备字玄德👍🏽。刘备玄德与曹操会于许昌, 184年。";

/// A project with 曹操 accepted as PER and 许昌 rejected as GPE.
fn project(dir: &Path) -> PathBuf {
    let json = serde_json::json!({
        "format": "spantag",
        "version": 2,
        "labels": [
            {"name": "PER", "color": "#e6194b", "hotkey": "1"},
            {"name": "GPE", "color": "#3cb44b", "hotkey": "2"}
        ],
        "documents": [{
            "id": "d1",
            "text": TEXT,
            "spans": [
                {"id": 1, "start": 13, "end": 15, "label": "PER"},
                {"id": 2, "start": 17, "end": 19, "label": "GPE", "status": "rejected"}
            ]
        }]
    });
    let path = dir.join("p.json");
    std::fs::write(&path, json.to_string()).expect("write project");
    path
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

const GAZETTEER: &str = "mention\tentity\ttype\n刘备\t刘备\tPER\n刘备玄德\t刘备\tPER\n玄德\t刘备\tPER\n\
                         曹操\t曹操\tPER\n许昌\t许昌\tGPE\n👍🏽\t赞\tEMOJI\n";

fn spans(path: &Path) -> Vec<(u64, u64, String, String, Option<String>)> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    v["documents"][0]["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .map(|s| {
            (
                s["start"].as_u64().expect("start"),
                s["end"].as_u64().expect("end"),
                s["label"].as_str().expect("label").to_owned(),
                s["status"].as_str().unwrap_or("accepted").to_owned(),
                s["note"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn gazetteer_and_rules_make_suggestions_skipping_covered_and_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = project(dir.path());
    let g = write(dir.path(), "names.tsv", GAZETTEER);
    let places = write(dir.path(), "places.txt", "许昌\n\n");
    let r = write(dir.path(), "dates.rules", "# years\nDATE\t[0-9]+年\n");
    let out = dir.path().join("out.json");
    let o = spantag(&[
        "annotate",
        s(&p),
        "--gazetteer",
        s(&g),
        s(&places),
        "--label",
        "GPE",
        "--rules",
        s(&r),
        "-o",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains(
            "out.json: 5 suggestions added, 2 places skipped (6 gazetteer mentions, 1 rules)"
        ),
        "{text}"
    );
    let table: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(
        table,
        [
            "  label    added  covered  rejected",
            "  PER          3        1         0",
            "  GPE          0        0         1",
            "  EMOJI        1        0         0",
            "  DATE         1        0         0",
            "  new label EMOJI (hotkey 3)",
            "  new label DATE (hotkey 4)",
        ]
    );
    let sugg = |start, end, label: &str, note: Option<&str>| {
        (
            start,
            end,
            label.to_owned(),
            "suggested".to_owned(),
            note.map(str::to_owned),
        )
    };
    assert_eq!(
        spans(&out),
        [
            sugg(0, 2, "PER", Some("刘备")),
            sugg(3, 5, "PER", Some("刘备")),
            sugg(5, 7, "EMOJI", Some("赞")),
            sugg(8, 12, "PER", Some("刘备")),
            (13, 15, "PER".into(), "accepted".into(), None),
            (17, 19, "GPE".into(), "rejected".into(), None),
            sugg(21, 25, "DATE", None),
        ]
    );
    // The output is a valid project; the input is unchanged.
    let v = spantag(&["validate", s(&out)]);
    assert!(v.status.success(), "{}", stderr(&v));
    assert_eq!(spans(&p).len(), 2);
    let stats = stdout(&spantag(&["stats", s(&out)]));
    assert!(stats.contains("gazetteer      4"), "{stats}");
    assert!(stats.contains("rules          1"), "{stats}");

    // Refuses to overwrite; --force does, and a second run over its own output adds nothing.
    let again = spantag(&["annotate", s(&out), "--gazetteer", s(&g), "-o", s(&out)]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("already exists; pass --force"),
        "{}",
        stderr(&again)
    );
    let forced = spantag(&[
        "annotate",
        s(&out),
        "--gazetteer",
        s(&g),
        "-o",
        s(&out),
        "--force",
    ]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(
        stdout(&forced).contains("0 suggestions added, 6 places skipped"),
        "{}",
        stdout(&forced)
    );
    assert_eq!(spans(&out).len(), 7);
}

#[test]
fn min_length_drops_short_mentions_and_matches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = project(dir.path());
    let g = write(dir.path(), "names.tsv", GAZETTEER);
    let r = write(dir.path(), "r.tsv", "DATE\t[0-9]+年?\n");
    let out = dir.path().join("out.json");
    let o = spantag(&[
        "annotate",
        s(&p),
        "--gazetteer",
        s(&g),
        "--rules",
        s(&r),
        "--min-length",
        "3",
        "-o",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let added: Vec<(u64, u64)> = spans(&out)
        .into_iter()
        .filter(|s| s.3 == "suggested")
        .map(|s| (s.0, s.1))
        .collect();
    assert_eq!(added, [(8, 12), (21, 25)]);
}

#[test]
fn bad_files_and_arguments_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = project(dir.path());
    let out = dir.path().join("out.json");
    let run = |extra: &[&str]| {
        let mut args = vec!["annotate", s(&p), "-o", s(&out)];
        args.extend_from_slice(extra);
        let o = spantag(&args);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        assert!(!out.exists());
        stderr(&o)
    };
    let empty = write(dir.path(), "empty.tsv", "刘备\tPER\n\tPER\n");
    let no_label = write(dir.path(), "nolabel.tsv", "刘备\tPER\n曹操\n");
    let bad_regex = write(dir.path(), "bad.rules", "# c\n\nDATE\t([0-9]+\n");
    let rule_no_label = write(dir.path(), "nolabel.rules", "[0-9]+\n");
    let list = write(dir.path(), "names.txt", "刘备\n");
    let not_utf8 = dir.path().join("latin1.tsv");
    std::fs::write(&not_utf8, b"caf\xe9\tPER\n").expect("write");
    let cases: [(Vec<&str>, String); 8] = [
        (vec![], "give --gazetteer FILE or --rules FILE".into()),
        (
            vec!["--gazetteer", s(&empty)],
            format!("{}:2: the mention is empty", empty.display()),
        ),
        (
            vec!["--gazetteer", s(&no_label)],
            format!("{}:2: the label column is missing", no_label.display()),
        ),
        (
            vec!["--rules", s(&bad_regex)],
            format!("{}:3: the regex does not compile", bad_regex.display()),
        ),
        (
            vec!["--rules", s(&rule_no_label)],
            format!("{}:1: the label column is missing", rule_no_label.display()),
        ),
        (
            vec!["--gazetteer", s(&list)],
            format!(
                "{}: a .txt gazetteer has no label column; give its label (--label)",
                list.display()
            ),
        ),
        (
            vec!["--gazetteer", s(&not_utf8)],
            format!(
                "{}: not UTF-8 text (invalid byte at offset 3)",
                not_utf8.display()
            ),
        ),
        (
            vec!["--rules", s(&bad_regex), "--label", "PER"],
            "--label is the label of .txt gazetteers, and none was given".into(),
        ),
    ];
    for (extra, expected) in cases {
        let err = run(&extra);
        assert!(err.contains(&expected), "{extra:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
