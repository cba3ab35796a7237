//! Saving and exporting survive being killed at any instant: a real process saves two versions
//! of a project over one file in a loop (or exports two projects to one brat folder) and is
//! killed with SIGKILL at random moments; the file must always load as one whole version, the
//! folder must always be one whole export, and the temporary files the kills leave behind are
//! removed by the next write to the same folder.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
#[cfg(target_os = "linux")]
use std::os::fd::AsRawFd as _;
#[cfg(target_os = "linux")]
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use spantag::core::{Document, LabelSet, Project, markup, project_file};

fn project(markup_text: &str, copies: usize) -> Project {
    let (text, spans) = markup::parse(markup_text);
    let text = text.repeat(copies);
    let n = spans.len();
    let len = text.chars().count() / copies;
    let mut p = Project::new(
        LabelSet::news_default(),
        vec![Document::new("d", "d.txt", text)],
    );
    for c in 0..copies {
        for (s, e, l) in &spans[..n] {
            let t = p.tag(0, s + c * len, e + c * len, l);
            p.apply(&t).expect("valid");
        }
    }
    p
}

/// A tiny xorshift generator: reproducible kill times without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn sigkill_at_random_moments_never_leaves_a_broken_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Big enough that a write takes a while, so kills land in the middle of writes.
    let a = project("[习近平](PER)在[北京](GPE)会见[古巴](GPE)领导人。", 150);
    let b = project("[古巴共产党](ORG)和[中国](GPE)。𠮷👍🏽\r\n", 250);
    let (a_path, b_path) = (dir.path().join("a.json"), dir.path().join("b.json"));
    project_file::save(&a, &a_path).expect("save a");
    project_file::save(&b, &b_path).expect("save b");
    let (a_json, b_json) = (
        project_file::to_json(&a).expect("serialisable"),
        project_file::to_json(&b).expect("serialisable"),
    );
    let target = dir.path().join("target.json");
    project_file::save(&a, &target).expect("initial");

    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut saw = [0usize; 2];
    for round in 0..200 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spantag"))
            .args(["__save-loop"])
            .arg(&target)
            .arg(&a_path)
            .arg(&b_path)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("round {round}: cannot start spantag: {e}"));
        let mut ready = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout).read_line(&mut ready).expect("read");
        if ready.trim() != "saving" {
            let mut err = String::new();
            let _ =
                std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err);
            panic!("round {round}: the save loop did not start: {err}");
        }
        std::thread::sleep(Duration::from_micros(rng.next() % 30_000));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");

        let bytes = std::fs::read(&target).expect("the file is always there");
        let text = String::from_utf8(bytes).expect("utf-8");
        if text == a_json {
            saw[0] += 1;
        } else if text == b_json {
            saw[1] += 1;
        } else {
            panic!(
                "round {round}: the file is neither whole version ({} bytes)",
                text.len()
            );
        }
        project_file::load(&target).expect("loads");
        // The backup, when there is one, is a whole version too.
        let backup = spantag::core::atomic_write::backup_path(&target);
        if let Ok(bak) = std::fs::read_to_string(&backup) {
            assert!(
                bak == a_json || bak == b_json,
                "round {round}: broken backup"
            );
        }
    }
    // The kills did land at different moments: both versions were seen.
    assert!(saw[0] > 0 && saw[1] > 0, "{saw:?}");
    let left = std::fs::read_dir(dir.path()).expect("dir").count();
    eprintln!(
        "save kill loop: versions seen {saw:?}; {left} files in the folder before the next save"
    );
    // The next save cleans up the temporary files of the killed writers.
    project_file::save(&a, &target).expect("save");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".spantag-"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// The files of a folder, relative path → bytes.
fn folder_contents(dir: &Path) -> std::io::Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("inside").to_owned();
                files.insert(relative, std::fs::read(&path)?);
            }
        }
    }
    Ok(files)
}

fn many_documents(prefix: &str, count: usize) -> Project {
    let docs = (0..count)
        .map(|i| {
            Document::new(
                format!("{prefix}{i}"),
                format!("{i}.txt"),
                format!("{prefix}{i}：习近平在北京会见古巴领导人。").repeat(20),
            )
        })
        .collect();
    let mut p = Project::new(LabelSet::news_default(), docs);
    for d in 0..count {
        let t = p.tag(d, 0, 2, "PER");
        p.apply(&t).expect("tag");
    }
    p
}

#[cfg(target_os = "linux")]
#[test]
fn an_export_killed_at_random_moments_leaves_a_whole_old_or_whole_new_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Different documents and labels: a mixed folder shows as neither export.
    let (a, b) = (many_documents("甲", 80), many_documents("乙", 60));
    let (a_path, b_path) = (dir.path().join("a.json"), dir.path().join("b.json"));
    project_file::save(&a, &a_path).expect("save a");
    project_file::save(&b, &b_path).expect("save b");
    let out = dir.path().join("brat");
    let export = |project: &Path| {
        Command::new(env!("CARGO_BIN_EXE_spantag"))
            .args(["export", "--to", "brat", "--force", "-o"])
            .arg(&out)
            .arg(project)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spantag starts")
    };
    let whole = |project: &Path| {
        assert!(export(project).wait().expect("exits").success());
        folder_contents(&out).expect("read")
    };
    let b_export = whole(&b_path);
    let a_export = whole(&a_path);

    // A reader that never stops looking: holding the folder open, it reads one consistent
    // folder (the old one may be deleted under it: then it looks again).
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (stop, out) = (stop.clone(), out.clone());
        let (a_export, b_export) = (a_export.clone(), b_export.clone());
        std::thread::spawn(move || {
            let mut whole_reads = 0;
            while !stop.load(Ordering::Relaxed) {
                let folder = std::fs::File::open(&out).expect("the folder is always there");
                let held = PathBuf::from(format!("/proc/self/fd/{}", folder.as_raw_fd()));
                // Accepted only if the folder read is still the one at OUT afterwards: the
                // old one is emptied only after it has been swapped out.
                let still_there = |f: &std::fs::File| {
                    std::fs::metadata(&out).is_ok_and(|m| {
                        f.metadata()
                            .is_ok_and(|h| (h.dev(), h.ino()) == (m.dev(), m.ino()))
                    })
                };
                if let Ok(seen) = folder_contents(&held)
                    && still_there(&folder)
                {
                    assert!(
                        seen == a_export || seen == b_export,
                        "a reader saw a mixed folder ({} files)",
                        seen.len()
                    );
                    whole_reads += 1;
                }
            }
            whole_reads
        })
    };

    // Kills are spread over one and a half times what a whole export takes (start-up
    // included) while the reader runs, so that some exports finish and the others die at
    // every stage.
    let started = Instant::now();
    let _ = whole(&b_path);
    let _ = whole(&a_path);
    let span = started.elapsed().as_micros() as u64 * 3 / 4 + 1;
    let mut rng = Rng(0xfeed_5eed_0bad_cafe);
    let mut saw = [0usize; 2];
    for round in 0..60 {
        let mut child = export(if round % 2 == 0 { &b_path } else { &a_path });
        std::thread::sleep(Duration::from_micros(rng.next() % span));
        let _ = child.kill();
        child.wait().expect("reaped");
        let seen = folder_contents(&out).unwrap_or_else(|e| panic!("round {round}: {e}"));
        if seen == a_export {
            saw[0] += 1;
        } else if seen == b_export {
            saw[1] += 1;
        } else {
            panic!("round {round}: the folder is neither whole export");
        }
    }
    stop.store(true, Ordering::Relaxed);
    let whole_reads = reader.join().expect("the reader saw only whole exports");
    eprintln!(
        "export kill loop: kills within {span} µs of the start; after the kills the folder was A {} times, B {} times; the reader read {whole_reads} whole folders",
        saw[0], saw[1]
    );
    assert!(whole_reads > 0);
    assert!(saw[0] > 0 && saw[1] > 0, "{saw:?}");
    // The next export removes what the killed ones left.
    assert!(export(&a_path).wait().expect("exits").success());
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["a.json", "b.json", "brat"]);
}
