//! Never losing work on the file system: two writers racing for one lock or one new output,
//! a save that fails half-way (a size limit, as a full disk would), saves through symbolic
//! links and over other users' files, and folder exports that replace, refuse and name what
//! they failed on. Each runs the real binary; the races run many times.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use spantag::core::{Document, LabelSet, Project, atomic_write, formats, project_file};

mod common;

use common::{s, spantag, stderr};

const BIN: &str = env!("CARGO_BIN_EXE_spantag");

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn temporaries(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.starts_with(atomic_write::TEMP_PREFIX) && n.ends_with(".tmp"))
        .collect()
}

fn project_with(docs: &[(&str, &str)]) -> Project {
    let mut p = Project::new(
        LabelSet::news_default(),
        docs.iter()
            .map(|(id, text)| Document::new(*id, format!("{id}.txt"), *text))
            .collect(),
    );
    for (doc, (_, text)) in docs.iter().enumerate() {
        if text.chars().count() >= 2 {
            let t = p.tag(doc, 0, 2, "PER");
            p.apply(&t).expect("tag");
        }
    }
    p
}

fn spawn(args: &[&str]) -> Child {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spantag starts")
}

#[test]
fn two_processes_racing_for_a_lock_never_both_get_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("p.json");
    project_file::save(&project_with(&[("d", "习近平")]), &project).expect("save");
    // Every third round races for a stale lock (left by a process that has exited), which
    // both must clear away before taking it.
    let mut exited = Command::new("true").spawn().expect("spawn");
    let gone = exited.id();
    exited.wait().expect("wait");
    let stale = format!(
        r#"{{"pid":{gone},"host":"{}","user":"","since":1}}"#,
        spantag::core::lock::this_host()
    );
    for round in 0..100 {
        if round % 3 == 0 {
            std::fs::write(spantag::core::lock::lock_path(&project), &stale).expect("stale");
        }
        let mut pair = [
            spawn(&["__lock-race", s(&project)]),
            spawn(&["__lock-race", s(&project)]),
        ];
        // Both are started and waiting; let them go together.
        for child in &mut pair {
            child
                .stdin
                .as_mut()
                .expect("stdin")
                .write_all(b"go\n")
                .expect("go");
        }
        let answers: Vec<String> = pair
            .iter_mut()
            .map(|child| {
                let mut line = String::new();
                BufReader::new(child.stdout.as_mut().expect("stdout"))
                    .read_line(&mut line)
                    .expect("answer");
                line
            })
            .collect();
        for mut child in pair {
            drop(child.stdin.take());
            child.wait().expect("exits");
        }
        let winners = answers.iter().filter(|a| a.trim() == "won").count();
        assert_eq!(winners, 1, "round {round}: {answers:?}");
        assert!(
            answers
                .iter()
                .any(|a| a.starts_with("lost: ") && a.contains("is open in another Spantag")),
            "round {round}: {answers:?}"
        );
        assert_eq!(
            spantag::core::lock::inspect(&project),
            spantag::core::lock::LockState::Free,
            "round {round}: the winner released it"
        );
    }
    assert_eq!(names(dir.path()), ["p.json"], "no temporaries left");
}

/// Run two copies of a command writing the same new `out` at once, `rounds` times; exactly one
/// must succeed each time, the other must say the output exists, and `out` must be the winner's.
fn race_for_new_output(rounds: usize, args: impl Fn(usize) -> Vec<String>, out: &Path) {
    for round in 0..rounds {
        if out.is_dir() {
            std::fs::remove_dir_all(out).expect("clear");
        } else if out.exists() {
            std::fs::remove_file(out).expect("clear");
        }
        let children: Vec<Child> = (0..2)
            .map(|i| {
                let a = args(i);
                spawn(&a.iter().map(String::as_str).collect::<Vec<_>>())
            })
            .collect();
        let outputs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().expect("exits"))
            .collect();
        let won: Vec<usize> = (0..2).filter(|&i| outputs[i].status.success()).collect();
        assert_eq!(
            won.len(),
            1,
            "round {round}: {} / {}",
            stderr(&outputs[0]),
            stderr(&outputs[1])
        );
        let loser = &outputs[1 - won[0]];
        assert!(
            stderr(loser).contains("already exists"),
            "round {round}: {}",
            stderr(loser)
        );
    }
}

#[test]
fn two_cli_writers_to_one_new_output_never_both_succeed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let texts: Vec<PathBuf> = (0..2)
        .map(|i| {
            let path = dir.path().join(format!("t{i}.txt"));
            std::fs::write(&path, format!("文本{i}").repeat(2000)).expect("w");
            path
        })
        .collect();
    let project = dir.path().join("p.json");
    project_file::save(
        &project_with(&[("一", "习近平在北京"), ("二", "古巴")]),
        &project,
    )
    .expect("save");

    let out = dir.path().join("new.json");
    race_for_new_output(
        30,
        |i| {
            vec![
                "new".into(),
                "--text".into(),
                s(&texts[i]).into(),
                "-o".into(),
                s(&out).into(),
            ]
        },
        &out,
    );
    project_file::load(&out).expect("the winner's whole project");

    let out = dir.path().join("out.jsonl");
    race_for_new_output(
        30,
        |_| {
            ["export", "--to", "doccano", s(&project), "-o", s(&out)]
                .map(String::from)
                .to_vec()
        },
        &out,
    );

    let out = dir.path().join("brat");
    race_for_new_output(
        30,
        |_| {
            ["export", "--to", "brat", s(&project), "-o", s(&out)]
                .map(String::from)
                .to_vec()
        },
        &out,
    );
    assert!(out.join(formats::EXPORT_MARKER).is_file());
    assert!(
        temporaries(dir.path()).is_empty(),
        "{:?}",
        names(dir.path())
    );
}

/// `spantag ARGS` with a file size limit of `blocks` × 512 bytes, and SIGXFSZ ignored so that
/// writing past it fails with EFBIG, as writing to a full disk fails with ENOSPC.
fn spantag_with_size_limit(blocks: u32, args: &[&str]) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks} && exec \"$0\" \"$@\""
        ))
        .arg(BIN)
        .args(args)
        .output()
        .expect("sh runs")
}

#[test]
fn a_save_that_fails_half_way_keeps_the_file_and_the_older_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.json");
    let small = dir.path().join("small.txt");
    std::fs::write(&small, "会见古巴领导人").expect("w");
    let big = dir.path().join("big.txt");
    std::fs::write(&big, "习近平在北京会见古巴领导人。".repeat(20_000)).expect("w");
    for version in ["一", "二"] {
        std::fs::write(&small, version).expect("w");
        let o = spantag(&["new", "--text", s(&small), "-o", s(&path), "--force"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let (file, backup) = (
        std::fs::read(&path).expect("file"),
        std::fs::read(atomic_write::backup_path(&path)).expect("bak"),
    );
    assert_ne!(file, backup);
    for round in 0..20 {
        let o = spantag_with_size_limit(16, &["new", "--text", s(&big), "-o", s(&path), "--force"]);
        assert!(!o.status.success(), "round {round}: the write must fail");
        assert!(
            stderr(&o).contains(&format!("cannot write {}", path.display())),
            "round {round}: {}",
            stderr(&o)
        );
        assert_eq!(std::fs::read(&path).expect("file"), file, "round {round}");
        assert_eq!(
            std::fs::read(atomic_write::backup_path(&path)).expect("bak"),
            backup,
            "round {round}: the older backup is kept"
        );
        assert_eq!(
            names(dir.path()),
            ["big.txt", "p.json", "p.json.bak", "small.txt"],
            "round {round}: nothing left behind"
        );
    }
}

#[cfg(unix)]
#[test]
fn saving_through_a_link_replaces_the_real_file_and_keeps_the_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("data")).expect("mkdir");
    let real = dir.path().join("data/p.json");
    let text = dir.path().join("t.txt");
    std::fs::write(&text, "一").expect("w");
    assert!(
        spantag(&["new", "--text", s(&text), "-o", s(&real)])
            .status
            .success()
    );
    let link = dir.path().join("p.json");
    std::os::unix::fs::symlink("data/p.json", &link).expect("symlink");
    std::fs::write(&text, "二").expect("w");
    let o = spantag(&["new", "--text", s(&text), "-o", s(&link), "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let meta = std::fs::symlink_metadata(&link).expect("link");
    assert!(meta.file_type().is_symlink(), "still a link");
    let saved = project_file::load(&real).expect("real file");
    assert_eq!(saved.documents[0].document.text(), "二");
    let bak = atomic_write::backup_path(&real);
    assert!(std::fs::symlink_metadata(&bak).expect("bak").is_file());
    assert_eq!(
        project_file::load(&bak).expect("bak").documents[0]
            .document
            .text(),
        "一"
    );
    assert_eq!(names(dir.path()), ["data", "p.json", "t.txt"]);
}

#[cfg(unix)]
#[test]
fn saving_keeps_the_files_owner_and_mode() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.json");
    let text = dir.path().join("t.txt");
    std::fs::write(&text, "一").expect("w");
    assert!(
        spantag(&["new", "--text", s(&text), "-o", s(&path)])
            .status
            .success()
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let me = std::fs::metadata(&path).expect("meta").uid();
    // As root, the file belongs to another user, who must still be able to read it after
    // root saves it; anyone else can only check that their own file stays theirs.
    let owner = if me == 0 { 4321 } else { me };
    std::os::unix::fs::chown(&path, Some(owner), Some(owner)).expect("chown");
    std::fs::write(&text, "二").expect("w");
    let o = spantag(&["new", "--text", s(&text), "-o", s(&path), "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let meta = std::fs::metadata(&path).expect("meta");
    assert_eq!((meta.uid(), meta.gid()), (owner, owner));
    assert_eq!(meta.permissions().mode() & 0o7777, 0o600);
    assert_eq!(
        project_file::load(&path).expect("load").documents[0]
            .document
            .text(),
        "二"
    );
}

#[test]
fn a_forced_folder_export_replaces_only_an_earlier_export_and_never_merges() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("p.json");
    let out = dir.path().join("brat");
    project_file::save(
        &project_with(&[("旧文档", "古巴领导人"), ("共同", "习近平")]),
        &project,
    )
    .expect("save");
    let o = spantag(&["export", "--to", "brat", s(&project), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("旧文档.ann").is_file());

    project_file::save(&project_with(&[("共同", "习近平")]), &project).expect("save");
    let o = spantag(&["export", "--to", "brat", s(&project), "-o", s(&out)]);
    assert!(!o.status.success(), "exists, no --force");
    let o = spantag(&[
        "export",
        "--to",
        "brat",
        s(&project),
        "-o",
        s(&out),
        "--force",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        names(&out),
        [
            formats::EXPORT_MARKER,
            "annotation.conf",
            "共同.ann",
            "共同.txt"
        ],
        "the stale document is gone"
    );

    // A folder of somebody's other files is refused, --force or not, and left as it was.
    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).expect("mkdir");
    std::fs::write(theirs.join("thesis.tex"), "years of work").expect("w");
    for force in [false, true] {
        let mut args = vec!["export", "--to", "hf", s(&project), "-o", s(&theirs)];
        if force {
            args.push("--force");
        }
        let o = spantag(&args);
        assert!(!o.status.success());
        assert_eq!(names(&theirs), ["thesis.tex"]);
    }
    let o = spantag(&[
        "export",
        "--to",
        "hf",
        s(&project),
        "-o",
        s(&theirs),
        "--force",
    ]);
    assert!(
        stderr(&o).contains("holds files that Spantag did not export"),
        "{}",
        stderr(&o)
    );
    // An empty folder may be written.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let o = spantag(&[
        "export",
        "--to",
        "hf",
        s(&project),
        "-o",
        s(&empty),
        "--force",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(empty.join("data.jsonl").is_file() && empty.join("labels.json").is_file());
    assert!(
        temporaries(dir.path()).is_empty(),
        "{:?}",
        names(dir.path())
    );
}

#[test]
fn a_long_document_id_is_shortened_and_a_failed_write_names_its_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("p.json");
    // 86 Chinese characters: 258 bytes, over the 255-byte limit of a file name.
    let long_a = "习近平在北京会见古巴共产党中央委员会第一书记国家主席迪亚斯卡内尔".repeat(3);
    let long_a: String = long_a.chars().take(86).collect();
    let long_b: String = long_a.chars().take(85).chain("甲".chars()).collect();
    let big = "古巴领导人。".repeat(10_000);
    project_file::save(
        &project_with(&[(&long_a, "古巴"), (&long_b, "北京"), ("大文件", &big)]),
        &project,
    )
    .expect("save");
    let out = dir.path().join("brat");
    let o = spantag(&["export", "--to", "brat", s(&project), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let anns: Vec<String> = names(&out)
        .into_iter()
        .filter(|n| n.ends_with(".ann"))
        .collect();
    assert_eq!(anns.len(), 3, "two long ids, two names: {anns:?}");
    assert!(anns.iter().all(|n| n.len() <= 255));

    // Writing the big document's text fails (a size limit, as on a full disk): the error says
    // which document, and the earlier export is untouched.
    let before = names(&out);
    let o = spantag_with_size_limit(
        32,
        &[
            "export",
            "--to",
            "brat",
            s(&project),
            "-o",
            s(&out),
            "--force",
        ],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("(document \"大文件\")"),
        "{}",
        stderr(&o)
    );
    assert_eq!(names(&out), before);
    assert!(
        temporaries(dir.path()).is_empty(),
        "{:?}",
        names(dir.path())
    );
}
